/* neuralab /playground: draws a training job's frames as they come (see app/pages/playground_stream.py).

   Play starts a loop that asks /_playground/frame for a frame newer than the last one, and
   draws the newest at the next animation frame: the pictures of the map, the curves and the
   network's edges (drawn by neuralab.plots.playground) swapped into the charts, and the status
   line. Fetching and drawing run side by side; a frame that arrives while one is waiting to be
   drawn replaces it. The loop
   ends at Pause (NS.halt: the frame shown stays, and the server keeps that frame's network), when
   the job does (the Pause button is disabled again), when the page is left, or on an answer that
   is neither a frame nor "nothing new". */
(function () {
  "use strict";
  var NS = window.nlPlayground = window.nlPlayground || {};
  var STARTUP_MS = 3000; // the job may take this long to start (the Pause button is enabled when it does)
  var TYPES = { f4: Float32Array, f8: Float64Array, i4: Int32Array, u1: Uint8Array };
  var CHARTS = ["boundary", "curves", "network"];
  var loop = null;
  NS.drawn = 0; // frames drawn since the page loaded, and NS.last the id of the newest (for tests and the benchmark)
  NS.shown = []; // [frame id, status line] of the last 300 frames drawn (for tests: which updates each frame showed)

  function decode(v) {
    if (Array.isArray(v)) return v.map(decode);
    if (!v || typeof v !== "object") return v;
    if (typeof v.bdata === "string" && TYPES[v.dtype]) {
      var bin = atob(v.bdata), bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      var flat = new TYPES[v.dtype](bytes.buffer);
      if (!v.shape || v.shape.length !== 2) return flat;
      var rows = [], w = v.shape[1];
      for (var r = 0; r < v.shape[0]; r++) rows.push(flat.subarray(r * w, (r + 1) * w));
      return rows;
    }
    var out = {};
    Object.keys(v).forEach(function (k) { out[k] = decode(v[k]); });
    return out;
  }

  function setText(id, text) { // the single text node React put there, so React's own updates still land
    var el = document.getElementById(id);
    if (!el || typeof text !== "string") return;
    if (el.childNodes.length === 1 && el.firstChild.nodeType === 3) el.firstChild.nodeValue = text;
    else if (!el.childNodes.length) el.textContent = text;
  }

  function graph(name) {
    var box = document.getElementById("playground-" + name);
    return box && box.querySelector(".js-plotly-plot");
  }

  function layouts() { // Plotly.update changes a layout in place; a figure from the server replaces it
    return CHARTS.map(function (name) { var gd = graph(name); return gd && gd.layout; });
  }

  function current(me, frame) {
    /* False once the server has redrawn a chart since this run's first frame: a new setting, Step
       or the run's end drew the network from the store, and a frame of the run still on its way
       must not cover it. */
    var run = frame.id.split(":")[0], now = layouts();
    if (run !== me.run) { me.run = run; me.refs = now; me.dead = false; return true; }
    me.dead = me.dead || now.some(function (l, i) { return l !== me.refs[i]; });
    return !me.dead;
  }

  function live(gd, u) {
    /* The frame's pictures (layout images the library drew) in place of the traces they stand for.
       Only the images' sources change from one frame to the next, which redraws nothing else; the
       first frame of a run, or a frame whose axis ranges moved, updates the figure itself once. */
    var key = JSON.stringify(u.layout || {}), cur = gd.layout.images || [];
    var ours = cur.length === u.images.length && cur.every(function (im) { return im.name === "nl-live"; });
    if (!ours || gd.__nlLayout !== key) {
      var idx = u.hide || u.clear || [], data = {};
      if (u.hide) data.opacity = idx.map(function () { return 0; });
      if (u.clear) { // one empty point each: nothing drawn, but the legend keeps its entries
        data.x = idx.map(function () { return [null]; });
        data.y = idx.map(function () { return [null]; });
      }
      var layout = Object.assign({ images: u.images.map(function (im) { return Object.assign({ name: "nl-live" }, im); }) },
                                 u.layout || {});
      gd.__nlLayout = key;
      return Plotly.update(gd, data, layout, idx);
    }
    if (swap(gd, u.images)) return;
    var sources = {};
    u.images.forEach(function (im, i) { sources["images[" + i + "].source"] = im.source; });
    return Plotly.update(gd, {}, sources);
  }

  function swap(gd, images) {
    /* Each layout image's new source set on the <image> element Plotly drew for it (and in the
       figure, so a later redraw keeps it): the browser paints one picture, Plotly does no work. */
    var els = {};
    gd.querySelectorAll(".imagelayer image").forEach(function (el) {
      if (el.__data__ && typeof el.__data__._index === "number") els[el.__data__._index] = el;
    });
    if (!images.every(function (_, i) { return els[i]; })) return false;
    images.forEach(function (im, i) {
      els[i].setAttributeNS("http://www.w3.org/1999/xlink", "xlink:href", im.source);
      els[i]._imgSrc = im.source; // what Plotly compares before it sets the picture again
      gd.layout.images[i].source = im.source;
      if (gd._fullLayout.images && gd._fullLayout.images[i]) gd._fullLayout.images[i].source = im.source;
    });
    return true;
  }

  function draw(frame) {
    CHARTS.forEach(function (name) {
      var u = frame[name], gd = graph(name);
      if (!u || !gd || !gd.data || gd.data.length !== u.n) return; // not drawn yet, or a note instead of a chart
      if (u.images) live(gd, u);
      else Plotly.update(gd, decode(u.data), decode(u.layout || {}), u.traces);
    });
    setText("playground-status", frame.status);
    NS.drawn += 1;
    NS.last = frame.id;
    NS.shown.push([frame.id, frame.status]);
    if (NS.shown.length > 300) NS.shown.shift();
  }

  NS.halt = function () { // Pause: draw nothing more, so the page keeps the frame it shows (NS.last)
    if (loop) loop.stop = true;
  };

  function running(me) {
    if (!document.getElementById("playground-status")) return false; // the page was left
    var pause = document.getElementById("playground-pause");
    return performance.now() - me.t0 < STARTUP_MS || (pause && !pause.disabled);
  }

  NS.start = function (tab) {
    if (loop) loop.stop = true;
    var me = loop = { stop: false, t0: performance.now(), after: "", pending: null, run: null, refs: [], dead: false };
    var wanted = false;
    function paint() {
      wanted = false;
      if (me.stop || !me.pending) return;
      var f = me.pending;
      me.pending = null;
      if (window.Plotly && current(me, f)) draw(f);
    }
    function ask() {
      if (me.stop || !running(me)) { me.stop = true; return; }
      var url = "/_playground/frame?tab=" + encodeURIComponent(tab) + "&after=" + encodeURIComponent(me.after);
      fetch(url, { cache: "no-store", credentials: "same-origin" }).then(function (r) {
        if (r.status === 200) return r.json();
        if (r.status !== 204) me.stop = true;
        return null;
      }).then(function (f) {
        if (f && !me.stop) {
          me.after = f.id;
          me.pending = f;
          if (!wanted) { wanted = true; requestAnimationFrame(paint); }
        }
        ask();
      }, function () { setTimeout(ask, 200); }); // a lost connection: try again shortly
    }
    ask();
  };
})();
