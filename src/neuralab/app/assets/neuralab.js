/* neuralab: theme switch, and labels that the slider widgets do not set themselves. */
// A log slider's tooltip (controls.LOG_TOOLTIP): the slider moves in log10 units; show the value, as its readout does.
window.dccFunctions = window.dccFunctions || {};
// Three significant digits; below 1e-3 in powers of ten ("1e-5", "3.16e-5", as the marks read), not "0.00001".
window.nlNum = function (x) {
  var v = Number(Number(x).toPrecision(3));
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
};
window.dccFunctions.nlPow10 = function (v) { return window.nlNum(Math.pow(10, v)); };
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
    },
    // A replayed control (sections.Replay): the store holds every position, computed by the library on the
    // server; this picks the position's slice, applies it to the charts (one Plotly.update of what moves)
    // and returns the position's captions, texts and alert. It selects and draws; it computes nothing.
    replay: function (drag, value, data) {
      var pos = (drag === null || drag === undefined) ? value : drag;
      if (!data || pos === null || pos === undefined) throw window.dash_clientside.PreventUpdate;
      var i = nlReplay.index(data.positions, Number(pos));
      if (i < 0) throw window.dash_clientside.PreventUpdate;  // off the grid: the server drew it
      data.charts.forEach(function (c) { nlReplay.chart(c, data.token, i, 0); });
      var out = data.charts.map(function (c) { return c.captions[i]; });
      data.texts.forEach(function (t) { out.push(t[i]); });
      if (data.alert) out.push(data.alert[i]);
      return out;
    }
  }
});

// What is being recomputed (Dash renderer hooks, set in neuralab.app.create_app): while a server answer is on its
// way, the elements it will fill carry data-nl-stale (the CSS greys them), and lose it when the answer for the
// newest request is drawn. Dash keeps one request per callback current: a newer request of the same callback
// makes the renderer drop the older one's answer when it arrives, but that older request still ends the
// outputs' loading state (dash-renderer 4.4: `loaded` in executeCallback's finally) and, unless the browser knew
// its job's id in time to mark it outdated, the `running` look (runningOff in completeJob): either would ungrey
// a chart whose newest answer is still pending. Here only the newest request
// of a callback (the payload object request_pre last saw) clears the mark; callback_resolved, which every
// request of the callback ends with (answered, dropped, prevented or failed), clears it once none is left.
// Requests a dcc.Interval fires (a clock, a refresh) mark nothing.
var nlStale = {
  calls: {},
  ids: function (payload) {
    var outs = [].concat.apply([], [].concat(payload.outputs));  // a wildcard output is a list of outputs
    return outs.filter(function (o) { return o && typeof o.id === "string"; }).map(function (o) { return o.id; });
  },
  // Results only: a control the answer sets (a slider's range, a button) stays live, and a status line or
  // an alert (which say what is happening, for as long as a run takes) keeps its full strength.
  skip: "input, button, select, textarea, [role=slider], [role=status], [role=alert]",
  mark: function (ids, on) {
    ids.forEach(function (id) {
      var el = document.getElementById(id);
      if (!el) return;
      if (!on) el.removeAttribute("data-nl-stale");
      else if (!el.matches(nlStale.skip) && !el.querySelector(nlStale.skip)) el.setAttribute("data-nl-stale", "true");
    });
  },
  pre: function (payload) {
    var changed = payload.changedPropIds || [];
    if (changed.length && changed.every(function (c) { return /\.n_intervals$/.test(c); })) return;
    var c = nlStale.calls[payload.output] || (nlStale.calls[payload.output] = {pending: 0});
    c.latest = payload;
    c.pending += 1;
    c.ids = nlStale.ids(payload);
    nlStale.mark(c.ids, true);
  },
  post: function (payload) {  // the newest answer has arrived: unmark once the renderer has drawn it
    var c = nlStale.calls[payload.output];
    if (c && c.latest === payload) nlStale.later(function () { return c.latest === payload; }, c);
  },
  resolved: function (callback) {
    var c = callback && nlStale.calls[callback.output];
    if (!c) return;
    c.pending = Math.max(0, c.pending - 1);
    var latest = c.latest;
    if (c.pending === 0) nlStale.later(function () { return c.pending === 0 && c.latest === latest; }, c);
  },
  // After the next frame has been drawn (the renderer applies an answer a task or two after it arrives), if
  // no newer request of the callback has started meanwhile.
  later: function (still, c) {
    window.requestAnimationFrame(function () {
      window.requestAnimationFrame(function () { if (still()) nlStale.mark(c.ids, false); });
    });
  }
};

var nlReplay = {
  index: function (positions, pos) {
    for (var k = 0; k < positions.length; k++) {
      if (Math.abs(positions[k] - pos) <= 1e-9 * Math.max(1, Math.abs(positions[k]))) return k;
    }
    return -1;
  },
  // Ask chart c to show position i: now if the figure of this answer is drawn, else after its first draw.
  chart: function (c, token, i, tries) {
    var wrap = document.getElementById(c.graph);
    var gd = wrap && wrap.querySelector(".js-plotly-plot");
    if (!gd || !gd.on) {  // plotly.js loads lazily, and the graph mounts after its first figure
      if (tries < 40) setTimeout(function () { nlReplay.chart(c, token, i, tries + 1); }, 50);
      return;
    }
    gd.__nlReplay = {c: c, token: token, i: i};
    if (!gd.__nlHooked) {
      gd.__nlHooked = true;
      gd.on("plotly_afterplot", function () { nlReplay.sync(gd); });
    }
    nlReplay.sync(gd);
  },
  sync: function (gd) {
    var w = gd.__nlReplay, m = gd.layout && gd.layout.meta;
    if (!w || !window.Plotly || !m || m.replay !== w.token || m.at === w.i) return;  // another figure, or done
    var c = w.c, i = w.i, from = m.at;
    m.at = i;  // first: the afterplot of this very draw finds it done
    if (c.whole && c.whole[i]) return nlReplay.react(gd, c.whole[i], w.token, i);
    if (from < 0 || (c.whole && c.whole[from])) return nlReplay.react(gd, nlReplay.compose(c, i), w.token, i);
    var traces = Object.keys(c.traces), attrs = {};
    traces.forEach(function (j) { Object.keys(c.traces[j]).forEach(function (a) { attrs[a] = true; }); });
    var update = {};
    Object.keys(attrs).forEach(function (a) {  // one value per trace; undefined leaves a trace's attribute alone
      update[a] = traces.map(function (j) { var e = c.traces[j][a]; return e ? nlReplay.value(e, i) : undefined; });
    });
    window.Plotly.update(gd, update, c.layout ? c.layout[i] : {}, traces.map(Number));
  },
  value: function (e, i) { return e.head ? e.head.slice(0, e.n[i]) : e.set[i]; },
  compose: function (c, i) {
    var fig = JSON.parse(JSON.stringify(c.ref));
    Object.keys(c.traces).forEach(function (j) {
      Object.keys(c.traces[j]).forEach(function (a) { nlReplay.put(fig.data[j], a, nlReplay.value(c.traces[j][a], i)); });
    });
    if (c.layout) Object.keys(c.layout[i]).forEach(function (a) { nlReplay.put(fig.layout, a, c.layout[i][a]); });
    return fig;
  },
  put: function (d, path, v) {
    var keys = path.split(".");
    for (var k = 0; k < keys.length - 1; k++) d = d[keys[k]] = d[keys[k]] || {};
    if (v === null || v === undefined) delete d[keys[keys.length - 1]]; else d[keys[keys.length - 1]] = v;
  },
  react: function (gd, fig, token, i) {
    var f = JSON.parse(JSON.stringify(fig));
    f.layout.meta = {replay: token, at: i};
    window.Plotly.react(gd, f.data, f.layout);
  }
};

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
