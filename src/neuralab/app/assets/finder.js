/* neuralab: the search box in the top bar, searched in the browser over /search-index.json,
   and links with a #fragment that scroll to their section once the page has been drawn. */
(function () {
  "use strict";
  var docs = null, loading = null, box = null, input = null, chosen = -1, shown = [];

  function load() {
    if (docs) return Promise.resolve(docs);
    if (!loading) {
      loading = fetch("/search-index.json", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (d) { docs = d.map(function (x) {
          x.lt = x.t.toLowerCase(); x.lx = x.x.toLowerCase(); return x; }); return docs; })
        .catch(function () { loading = null; return []; });
    }
    return loading;
  }

  function terms(q) {
    return q.toLowerCase().split(/[^\p{L}\p{N}.+-]+/u).filter(function (w) { return w.length > 1; });
  }

  function score(d, ws) {
    var s = 0;
    for (var i = 0; i < ws.length; i++) {
      var inTitle = d.lt.indexOf(ws[i]) >= 0, at = d.lx.indexOf(ws[i]);
      if (!inTitle && at < 0) return 0;  // every word must be somewhere
      s += (inTitle ? 10 : 0) + (at >= 0 ? 2 + Math.min(5, d.lx.split(ws[i]).length - 1) : 0);
    }
    if (d.w.indexOf("Reference") === 0) s += 0.5;
    return s;
  }

  function snippet(el, d, ws) {  // a piece of the text around the first word found, that word marked
    var at = -1, w = "";
    for (var i = 0; i < ws.length && at < 0; i++) { at = d.lx.indexOf(ws[i]); w = ws[i]; }
    if (at < 0) { el.textContent = d.x.slice(0, 140) + (d.x.length > 140 ? "…" : ""); return; }
    var from = Math.max(0, at - 60), to = Math.min(d.x.length, at + w.length + 100);
    if (from > 0) { var sp = d.x.indexOf(" ", from); if (sp >= 0 && sp < at) from = sp + 1; }
    var end = d.x.lastIndexOf(" ", to); if (to < d.x.length && end > at + w.length) to = end;
    var mark = document.createElement("mark");
    mark.textContent = d.x.slice(at, at + w.length);
    el.appendChild(document.createTextNode((from > 0 ? "…" : "") + d.x.slice(from, at)));
    el.appendChild(mark);
    el.appendChild(document.createTextNode(d.x.slice(at + w.length, to) + (to < d.x.length ? "…" : "")));
  }

  function go(href) {
    close();
    var url = new URL(href, window.location.href);
    if (url.pathname === window.location.pathname && url.search !== window.location.search) {
      window.location.assign(url.href);  // the page builds its controls from the query once, on load
      return;
    }
    if (url.pathname + url.search !== window.location.pathname + window.location.search) {
      window.history.pushState({}, "", url.pathname + url.search + url.hash);
      window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    } else {
      window.history.replaceState({}, "", url.href);
    }
    scrollToHash(url.hash);
  }

  function close() {
    if (box) { box.hidden = true; box.innerHTML = ""; }
    if (input) input.setAttribute("aria-expanded", "false");
    chosen = -1; shown = [];
  }

  function highlight() {
    Array.prototype.forEach.call(box.querySelectorAll("[role=option]"), function (el, i) {
      el.setAttribute("aria-selected", i === chosen ? "true" : "false");
      if (i === chosen) { el.scrollIntoView({ block: "nearest" }); input.setAttribute("aria-activedescendant", el.id); }
    });
  }

  function render(q) {
    var ws = terms(q);
    if (!ws.length) { close(); return; }
    load().then(function (all) {
      if (input.value !== q) return;  // typed on meanwhile
      shown = all.map(function (d) { return [score(d, ws), d]; })
        .filter(function (p) { return p[0] > 0; })
        .sort(function (a, b) { return b[0] - a[0]; }).slice(0, 12).map(function (p) { return p[1]; });
      box.innerHTML = "";
      if (!shown.length) {
        var none = document.createElement("div");
        none.className = "nl-find-none";
        none.textContent = "Nothing in the lab matches \u201c" + q + "\u201d.";
        box.appendChild(none);
      }
      shown.forEach(function (d, i) {
        var a = document.createElement("a");
        a.href = d.h; a.id = "nl-find-" + i; a.setAttribute("role", "option"); a.className = "nl-find-hit";
        var t = document.createElement("span"); t.className = "nl-find-title"; t.textContent = d.t;
        var w = document.createElement("span"); w.className = "nl-find-where"; w.textContent = d.w;
        var x = document.createElement("span"); x.className = "nl-find-text"; snippet(x, d, ws);
        a.appendChild(t); a.appendChild(w); a.appendChild(x);
        a.addEventListener("click", function (e) {
          if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;  // a new tab: the browser's job
          e.preventDefault(); go(d.h);
        });
        box.appendChild(a);
      });
      chosen = -1; box.hidden = false; input.setAttribute("aria-expanded", "true");
    });
  }

  function scrollToHash(hash, tries) {
    if (!hash || hash.length < 2) return;
    var id = decodeURIComponent(hash.slice(1)), el = document.getElementById(id);
    tries = tries || 0;
    if (!el) { if (tries < 100) window.setTimeout(function () { scrollToHash(hash, tries + 1); }, 100); return; }
    el.scrollIntoView({ block: "start" });
    el.classList.add("nl-target");
    window.setTimeout(function () { el.classList.remove("nl-target"); }, 2500);
  }
  window.neuralabScrollToHash = scrollToHash;

  function attach() {
    input = document.getElementById("find");
    if (!input || input.dataset.nlFind) return !!input;
    input.dataset.nlFind = "1";
    box = document.createElement("div");
    box.id = "find-results"; box.className = "nl-find-results"; box.hidden = true;
    box.setAttribute("role", "listbox"); box.setAttribute("aria-label", "Search results");
    (input.closest(".nl-find") || input.parentNode).appendChild(box);
    input.setAttribute("role", "combobox"); input.setAttribute("aria-controls", "find-results");
    input.setAttribute("aria-expanded", "false"); input.setAttribute("aria-autocomplete", "list");
    input.addEventListener("input", function () { render(input.value); });
    input.addEventListener("focus", function () { load(); if (input.value) render(input.value); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && shown.length) { chosen = Math.min(shown.length - 1, chosen + 1); highlight(); e.preventDefault(); }
      else if (e.key === "ArrowUp" && shown.length) { chosen = Math.max(0, chosen - 1); highlight(); e.preventDefault(); }
      else if (e.key === "Enter" && shown.length) { go(shown[Math.max(0, chosen)].h); e.preventDefault(); }
      else if (e.key === "Escape") { close(); }
    });
    document.addEventListener("click", function (e) {
      if (box && !box.contains(e.target) && e.target !== input) close();
    });
    return true;
  }

  document.addEventListener("keydown", function (e) {
    var t = e.target, typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable);
    if (e.key === "/" && !typing && input) { e.preventDefault(); input.focus(); }
  });
  var tries = 0, timer = window.setInterval(function () {
    if (attach() || ++tries > 200) window.clearInterval(timer);
  }, 50);
  if (window.location.hash) scrollToHash(window.location.hash);
  // dcc.Link pushes the address (with its #fragment) and then scrolls to the top: follow the fragment after
  window.addEventListener("_dashprivate_pushstate", function () {
    window.setTimeout(function () { scrollToHash(window.location.hash); }, 0);
  });
})();
