/* neuralab: the "Check yourself" block at the end of a page (built by neuralab.app.selfcheck).
   Answers are checked here, in the browser, against the answer the page was built with, and
   remembered in localStorage under the page's path; nothing about them goes to the server.
   A link to /page#check-<key> scrolls to that question and marks it once the page is drawn. */
(function () {
  "use strict";
  var STORE = "neuralab-selfcheck:";

  // The rule that accepts an answer: kept in step with normalise()/accepts() in neuralab/app/selfcheck.py.
  var SEPARATORS = /[,;]/, TIMES = /(\d)\s*[x×*]\s*(?=\d)/g, SPACES = /[\s_'\u00a0\u2009\u202f]+/g,
      NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/;

  function normalise(text, unit) {
    var s = String(text).trim().toLowerCase().replace(/\u2212/g, "-");
    if (unit && s.slice(-unit.length) === unit.toLowerCase()) s = s.slice(0, s.length - unit.length);
    s = s.trim().replace(/%+$/, "").trim();
    s = s.replace(/[()\[\]{}]/g, " ").replace(TIMES, "$1,");
    var out = [];
    s.split(SEPARATORS).forEach(function (token) {
      token = token.replace(SPACES, "");
      if (token) out.push(NUMBER.test(token) ? { n: Number(token) } : token);
    });
    return out;
  }

  function accepts(typed, answer, tolerance, unit) {
    var got = normalise(typed, unit), want = normalise(answer, unit);
    if (!want.length || got.length !== want.length) return false;
    var tol = Math.max(Number(tolerance) || 0, 1e-9);
    for (var i = 0; i < want.length; i++) {
      var g = got[i], w = want[i];
      if (typeof w === "object") {
        if (typeof g !== "object" || Math.abs(g.n - w.n) > tol * Math.abs(w.n) + (w.n === 0 ? 1e-12 : 0)) return false;
      } else if (g !== w) return false;
    }
    return true;
  }

  function load(page) {
    try { return JSON.parse(window.localStorage.getItem(STORE + page) || "{}") || {}; } catch (e) { return {}; }
  }
  function save(page, record) {
    try { window.localStorage.setItem(STORE + page, JSON.stringify(record)); } catch (e) { /* private mode */ }
  }

  function judge(box, typed) {  // true, false, or null when nothing was answered
    if (typed === null || typed === undefined || String(typed).trim() === "") return null;
    if (box.dataset.kind === "pick") return String(typed) === box.dataset.correct;
    return accepts(typed, box.dataset.answer, box.dataset.tolerance, box.dataset.unit || "");
  }

  function typedIn(box) {
    if (box.dataset.kind === "pick") {
      var r = box.querySelector("input[type=radio]:checked");
      return r ? r.value : null;
    }
    var input = document.getElementById("check-" + box.dataset.key + "-input");
    return input ? input.value : null;
  }

  function show(box, ok) {
    var key = box.dataset.key, verdict = document.getElementById("check-" + key + "-verdict"),
        why = document.getElementById("check-" + key + "-why");
    box.classList.remove("nl-check-right", "nl-check-wrong");
    if (ok === null) {
      verdict.textContent = box.dataset.kind === "pick" ? "Choose an answer first." : "Type an answer first.";
      return;
    }
    box.classList.add(ok ? "nl-check-right" : "nl-check-wrong");
    verdict.textContent = ok ? "Right." : "Wrong: not that one. The explanation below says why.";
    if (why) why.hidden = false;
  }

  function progress(block) {
    var record = load(block.dataset.page), right = 0;
    block.querySelectorAll(".nl-check[data-kind]").forEach(function (box) {
      var seen = record[box.dataset.key];
      if (seen && judge(box, seen.a) === true) right += 1;
    });
    var out = block.querySelector("#check-progress");
    if (out) out.textContent = right + " of " + block.dataset.total + " answered right on this page.";
  }

  function check(box) {
    var block = box.closest(".nl-selfcheck"), typed = typedIn(box), ok = judge(box, typed);
    show(box, ok);
    if (ok === null || !block) return;
    var record = load(block.dataset.page);
    record[box.dataset.key] = { a: String(typed), ok: ok };
    save(block.dataset.page, record);
    progress(block);
  }

  function restore(box, typed) {  // put a remembered answer back in the (React-controlled) input
    if (box.dataset.kind === "pick") {
      var r = box.querySelector("input[type=radio][value='" + String(typed).replace(/[^0-9]/g, "") + "']");
      if (r && !r.checked) r.click();
    } else {
      var input = document.getElementById("check-" + box.dataset.key + "-input");
      if (!input || input.value === typed) return;
      var setter = Object.getOwnPropertyDescriptor(window.HTMLInputElement.prototype, "value").set;
      setter.call(input, typed);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  function init(block) {
    block.dataset.nlReady = "1";
    var record = load(block.dataset.page);
    block.querySelectorAll(".nl-check[data-kind]").forEach(function (box) {
      var seen = record[box.dataset.key];
      if (!seen) return;
      restore(box, seen.a);
      show(box, judge(box, seen.a));
    });
    progress(block);
    target();
  }

  var marked = null, userMoved = false;
  function target() {  // the question named by the address's #check-<key>: scrolled to and marked
    var hash = window.location.hash;
    if (marked && "#" + marked.id !== hash) { marked.classList.remove("nl-check-target"); marked = null; }
    if (!hash || hash.indexOf("#check-") !== 0) return;
    var box = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!box || !box.classList.contains("nl-check") || box === marked) return;
    marked = box;
    box.classList.add("nl-check-target");
    userMoved = false;
    var go = function () { if (!userMoved && marked === box) box.scrollIntoView({ block: "center" }); };
    go();
    // charts above it are still being drawn and change the page's height: follow the question a little
    [300, 900, 2000, 4000].forEach(function (ms) { window.setTimeout(go, ms); });
  }
  ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (type) {
    window.addEventListener(type, function () { userMoved = true; }, { passive: true });
  });

  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest(".nl-check-submit");
    if (button) check(button.closest(".nl-check"));
  });
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key === "Enter" && t && t.tagName === "INPUT" && /^check-.+-input$/.test(t.id || "")) {
      e.preventDefault();
      check(e.target.closest(".nl-check"));
    }
  });
  window.addEventListener("hashchange", target);
  window.addEventListener("_dashprivate_pushstate", function () { window.setTimeout(target, 0); });

  var pending = false;
  function scan() {
    pending = false;
    document.querySelectorAll(".nl-selfcheck:not([data-nl-ready])").forEach(init);
  }
  new MutationObserver(function () {
    if (!pending) { pending = true; window.requestAnimationFrame(scan); }
  }).observe(document.documentElement, { childList: true, subtree: true });

  window.neuralabSelfcheck = { normalise: normalise, accepts: accepts };  // for the tests
})();
