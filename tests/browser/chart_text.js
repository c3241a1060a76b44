// The chart-text check of test_chart_text.py, run in the page: window.__nlText.settled() and .check(theme).
// Every .js-plotly-plot under #main that is shown and drawn (not the "Computing…" placeholder) is checked for
// text boxes that overlap, text cut by the chart's SVG box, and text that contrasts less than MIN_CONTRAST
// with what is behind it. Boxes are the text's own (rotated) box, so two 45° tick labels side by side meet
// only if their glyph boxes do.
(() => {
  const PENDING = __PENDING__;
  const TOL = 1.5;  // px each box is shrunk by on every side: an ascender touching the next line is no overlap
  const ASCENT = 0.2, DESCENT = 0.1;  // em of a text's box above and below its ink (see corners())
  const MIN_CONTRAST = 3;  // WCAG 1.4.11 for graphics; chart text is read at 11-14 px
  const TEXTS = [
    'g[class$="tick"] > text',  // xtick, ytick, x2tick, … and the colour bars' ticks
    'g[class^="g-"][class$="title"] text',  // g-xtitle, g-ytitle, g-x2title, g-gtitle
    '.gtitle', '.annotation-text', '.legendtext', '.cbtitle text', '.colorbar text',
  ].join(', ');

  const annotations = gd => ((gd && gd._fullLayout && gd._fullLayout.annotations) || []).map(a => a.text || '');
  const pending = gd => annotations(gd).some(t => t.includes(PENDING))
    || !!gd.closest('.nl-busy');  // being recomputed: drawn half-transparent until its job answers
  const drawn = gd => !!(gd && gd._fullData && (gd._fullData.length > 0 || annotations(gd).some(t => t.trim())));
  const shown = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  // the page's dcc.Graphs (ids from its layout, set by expect()) that are shown; one missing from the DOM, or
  // not yet handed to plotly, counts as not drawn
  let expected = [];
  const wrappers = () => expected.map(id => document.getElementById(id) || {id, missing: true})
    .filter(w => w.missing || shown(w));
  const plotOf = w => (w.missing ? null : w.classList.contains('js-plotly-plot') ? w : w.querySelector('.js-plotly-plot'));
  const graphs = () => wrappers().map(plotOf).filter(Boolean);
  const ready = w => { const gd = plotOf(w);
    return !!gd && !gd.classList.contains('dash-graph--pending') && (drawn(gd) || pending(gd)); };
  const name = gd => gd.id || (gd.closest('[id]') || {}).id || '(a chart)';

  // ---- geometry: a text's box as four screen corners, and whether two such boxes meet (separating axes)
  function corners(el) {
    const b = el.getBBox(), m = el.getScreenCTM();
    if (!m || b.width === 0 || b.height === 0) return null;
    // the box of the ink, near enough: the font's box reaches ASCENT em above the cap height and DESCENT em below
    // the descenders, room no glyph fills (two tick labels meeting at the axes' corner share only that room)
    const fs = parseFloat(getComputedStyle(el).fontSize) || 12;
    const x0 = b.x + TOL, x1 = b.x + b.width - TOL;
    const y0 = b.y + Math.max(TOL, ASCENT * fs), y1 = b.y + b.height - Math.max(TOL, DESCENT * fs);
    if (x1 <= x0 || y1 <= y0) return null;
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]].map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
  }
  function meet(p, q) {
    for (const poly of [p, q]) {
      for (let i = 0; i < 4; i++) {
        const [ax, ay] = poly[i], [bx, by] = poly[(i + 1) % 4];
        const nx = by - ay, ny = ax - bx;
        const proj = s => s.map(([x, y]) => x * nx + y * ny);
        const a = proj(p), c = proj(q);
        if (Math.max(...a) <= Math.min(...c) || Math.max(...c) <= Math.min(...a)) return false;
      }
    }
    return true;
  }
  const bounds = c => ({l: Math.min(...c.map(p => p[0])), r: Math.max(...c.map(p => p[0])),
                        t: Math.min(...c.map(p => p[1])), b: Math.max(...c.map(p => p[1]))});

  // ---- colour: parse, composite over what is below, WCAG contrast
  function rgba(s) {
    const m = /rgba?\(([^)]+)\)/.exec(s || '');
    if (!m) return null;
    const v = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1];
  }
  const over = (top, below) => { const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + below[i] * (1 - a)).concat([1]); };
  function luminance(c) {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  }
  const contrast = (a, b) => { const x = luminance(a), y = luminance(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const hex = c => '#' + c.slice(0, 3).map(v => Math.round(v).toString(16).padStart(2, '0')).join('');
  function pageBg(el) {  // the first opaque background up the tree, with the translucent ones above it
    const layers = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  }
  // the pixels of each heatmap image, to read the cell colour behind a text
  async function heatmaps(gd) {
    const out = [];
    for (const img of gd.querySelectorAll('.heatmaplayer image, .hm image')) {
      const href = img.getAttribute('href') || img.getAttribute('xlink:href');
      if (!href) continue;
      const im = new Image();
      im.src = href;
      await im.decode();
      const cv = document.createElement('canvas');
      cv.width = im.naturalWidth; cv.height = im.naturalHeight;
      const ctx = cv.getContext('2d');
      ctx.drawImage(im, 0, 0);
      out.push({rect: img.getBoundingClientRect(), w: cv.width, h: cv.height,
                data: ctx.getImageData(0, 0, cv.width, cv.height).data});
    }
    return out;
  }
  function cell(maps, x, y) {
    for (const m of maps) {
      const r = m.rect;
      if (x < r.left || x >= r.right || y < r.top || y >= r.bottom) continue;
      const i = Math.min(m.w - 1, Math.floor((x - r.left) / r.width * m.w));
      const j = Math.min(m.h - 1, Math.floor((y - r.top) / r.height * m.h));
      const k = 4 * (j * m.w + i), d = m.data;
      return [d[k], d[k + 1], d[k + 2], d[k + 3] / 255];
    }
    return null;
  }
  function plotArea(gd, x, y) {  // the plot_bgcolor of the subplot under (x, y), if any
    const L = gd._fullLayout, box = gd.getBoundingClientRect();
    for (const sp of Object.values(L._plots || {})) {
      const xa = sp.xaxis, ya = sp.yaxis;
      if (!xa || !ya) continue;
      const l = box.left + xa._offset, t = box.top + ya._offset;
      if (x >= l && x <= l + xa._length && y >= t && y <= t + ya._length) return true;
    }
    return false;
  }
  function visible(el) {
    if (!el.textContent.trim()) return false;
    for (let n = el; n && n !== document.body; n = n.parentElement) {
      const s = getComputedStyle(n);
      if (s.display === 'none' || s.visibility === 'hidden' || Number(s.opacity) === 0) return false;
    }
    const s = getComputedStyle(el);
    return Number(s.fillOpacity) > 0;
  }
  const label = el => {
    const kind = el.closest('g[class$="tick"]') ? el.closest('g[class$="tick"]').getAttribute('class')
      : el.closest('[class*="title"]') ? el.closest('[class*="title"]').getAttribute('class').split(' ')[0]
      : el.closest('.legend') ? 'legend' : el.closest('.colorbar') ? 'colorbar'
      : (el.getAttribute('class') || 'text');
    return `${kind} "${el.textContent.trim().slice(0, 40)}"`;
  };

  async function checkGraph(gd, theme) {
    const where = `${theme} #${name(gd)}`;
    const found = [];
    const svg = gd.querySelector('svg.main-svg');
    const frame = svg.getBoundingClientRect();
    const els = [...new Set(gd.querySelectorAll(TEXTS))].filter(visible);
    const boxes = [];
    for (const el of els) {
      const c = corners(el);
      if (c) boxes.push([el, c]);
    }
    for (let i = 0; i < boxes.length; i++) {
      const [a, p] = boxes[i];
      const b = bounds(p);
      if (b.l < frame.left - 1 || b.r > frame.right + 1 || b.t < frame.top - 1 || b.b > frame.bottom + 1)
        found.push(`${where}: ${label(a)} is cut by the chart's edge`);
      for (let j = i + 1; j < boxes.length; j++) {
        const [e, q] = boxes[j];
        if (a.contains(e) || e.contains(a)) continue;
        if (meet(p, q)) found.push(`${where}: ${label(a)} overlaps ${label(e)}`);
      }
    }
    // contrast: the texts above, and every text drawn on a heatmap cell
    const L = gd._fullLayout;
    const maps = await heatmaps(gd);
    const cellTexts = [...gd.querySelectorAll('.textpoint text, .heatmaplayer text')].filter(visible);
    const page = pageBg(gd);
    for (const el of new Set([...els, ...cellTexts])) {
      const r = el.getBoundingClientRect();
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      let bg = over(rgba(L.paper_bgcolor) || [0, 0, 0, 0], page);
      if (plotArea(gd, x, y)) bg = over(rgba(L.plot_bgcolor) || [0, 0, 0, 0], bg);
      const under = cell(maps, x, y);
      if (under) bg = over(under, bg);
      else if (!els.includes(el)) continue;  // a text on a marker or bar: what is behind it is not known here
      const ann = el.closest('.annotation');
      const box = ann && ann.querySelector('rect.bg');
      if (box) {
        const f = rgba(getComputedStyle(box).fill);
        if (f) bg = over([f[0], f[1], f[2], f[3] * Number(getComputedStyle(box).fillOpacity)], bg);
      }
      const s = getComputedStyle(el);
      const f = rgba(s.fill);
      if (!f) continue;
      const fg = over([f[0], f[1], f[2], f[3] * Number(s.fillOpacity)], bg);
      const k = contrast(fg, bg);
      if (k < MIN_CONTRAST)
        found.push(`${where}: ${label(el)} contrasts ${k.toFixed(2)}:1 (${hex(fg)} on ${hex(bg)})`);
    }
    return found;
  }

  window.__nlText = {
    expect(ids) { expected = ids; },
    // every shown chart drawn or still computing, and the drawing unchanged since the last poll
    settled() {
      const ws = wrappers();
      if (!ws.every(ready)) { this._last = null; return false; }
      const gs = ws.map(plotOf);
      const sig = JSON.stringify(gs.map(gd => [gd.id, pending(gd),
        [...gd.querySelectorAll(TEXTS)].map(t => { const r = t.getBoundingClientRect();
          return [t.textContent, Math.round(r.left), Math.round(r.top), Math.round(r.width)]; })]));
      const same = sig === this._last;
      this._last = sig;
      return same;
    },
    waiting() { return wrappers().filter(w => !ready(w)).map(w => w.id || name(w)); },
    async check(theme) {
      const found = [], skipped = [];
      let checked = 0;
      for (const gd of graphs()) {
        if (pending(gd) || !drawn(gd)) { skipped.push(name(gd)); continue; }
        checked += 1;
        found.push(...await checkGraph(gd, theme));
      }
      return {found, checked, skipped};
    },
  };
})();
