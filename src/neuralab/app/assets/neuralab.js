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
