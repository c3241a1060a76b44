/* neuralab: theme switch, and labels that the slider widgets do not set themselves. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  neuralab: {
    toggleTheme: function (n, current) {
      var cur = current || document.documentElement.dataset.theme || "light";
      return cur === "dark" ? "light" : "dark";
    },
    applyTheme: function (theme) {
      var t = theme || document.documentElement.dataset.theme ||
        (window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
      document.documentElement.dataset.theme = t;
      return [t === "dark" ? "Light theme" : "Dark theme", t === "dark" ? "true" : "false"];
    }
  }
});

(function () {
  var pending = false;
  function label() {
    pending = false;
    document.querySelectorAll(".nl-control[data-label]").forEach(function (box) {
      box.querySelectorAll("[role=slider]").forEach(function (handle) {
        if (!handle.getAttribute("aria-label")) handle.setAttribute("aria-label", box.dataset.label);
      });
    });
    var here = window.location.pathname;
    document.querySelectorAll(".nl-sidebar a").forEach(function (a) {
      if (a.getAttribute("href") === here) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
  }
  new MutationObserver(function () {
    if (!pending) { pending = true; window.requestAnimationFrame(label); }
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
