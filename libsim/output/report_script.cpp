// The stylesheet and the script of report.html (see report_html.hpp).
//
// The script reads the run's data from <script type="application/json" id="ecsim-data"> and draws
// every chart as inline SVG: no library, no network. Scenario strings reach the page only through
// textContent and setAttribute, never as markup. Each chart is a <figure data-chart="ID"> (or a
// one-line note with data-empty="true" where a model has no data in this run); when all are drawn
// the body gets data-rendered="N", N the number of charts and notes. A chart that fails shows
// why in its place, counts in the body's data-errors and is logged with console.error, so a test
// in a real browser sees it.
//
// Charts built from metrics are driven by the METRIC_CHARTS table: each claims (entity type,
// column) pairs of metrics.csv; every column no chart claims gets a chart of its own under
// "Other metrics", so new metrics appear without a change here.
#include "output/report_html.hpp"

namespace ecsim::detail {

std::string_view report_style() {
  return R"ecsim(
:root { --ink: #1d2433; --muted: #5b6475; --line: #d9dde5; --bg: #f6f7f9; --card: #fff;
        --accent: #1f6feb; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; color: var(--ink); background: var(--bg); }
header h1 { margin: 4px 0 6px; font-size: 28px; overflow-wrap: anywhere; }
.kicker { margin: 0; color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: .06em; }
.description { max-width: 70em; margin: 0 0 6px; line-height: 1.45; overflow-wrap: anywhere; }
.meta { color: var(--muted); font-size: 13px; margin: 0; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 12px; margin: 20px 0; }
.figure { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.figure .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
.figure .value { font-size: 26px; font-weight: 600; margin: 2px 0; }
.figure .detail { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
nav#toc { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 0 0 8px; font-size: 14px; }
nav#toc a { color: var(--accent); text-decoration: none; }
section.block { margin: 28px 0 0; }
section.block > h2 { font-size: 20px; margin: 0 0 4px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
section.block > p.intro { color: var(--muted); margin: 6px 0 12px; max-width: 70em; line-height: 1.45; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 14px; }
figure.chart { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px 8px; min-width: 0; }
figure.chart.wide { grid-column: 1 / -1; }
figure.chart figcaption { font-weight: 600; font-size: 15px; overflow-wrap: anywhere; }
figure.chart figcaption .sub { display: block; font-weight: 400; color: var(--muted); font-size: 12px; margin-top: 2px; }
figure.chart svg { display: block; max-width: 100%; height: auto; margin-top: 6px; }
svg text { font-size: 11px; fill: var(--muted); }
svg .axis { stroke: #9aa3b2; }
svg .gridline { stroke: #eceef2; }
svg .hover { stroke: #555; stroke-dasharray: 3 3; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; margin-top: 4px; }
.legend span.key { display: inline-flex; align-items: center; gap: 5px; }
.legend i { display: inline-block; width: 14px; height: 4px; border-radius: 2px; }
.legend i.dash { background-image: linear-gradient(90deg, currentColor 60%, transparent 40%); background-size: 5px 4px; }
.readout { font-size: 12px; color: var(--muted); min-height: 1.4em; margin-top: 2px; }
.note { background: var(--card); border: 1px dashed var(--line); border-radius: 8px; padding: 10px 14px; color: var(--muted); margin: 0; }
.note.error { border-color: #d73a49; color: #b31d28; }
table.events { border-collapse: collapse; width: 100%; font-size: 13px; background: var(--card); }
table.events th, table.events td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
table.events th { background: #eef1f5; position: sticky; top: 0; }
table.events td.t { white-space: nowrap; font-variant-numeric: tabular-nums; color: var(--muted); }
table.events td.msg { overflow-wrap: anywhere; }
.tablewrap { max-height: 520px; overflow: auto; border: 1px solid var(--line); border-radius: 8px; }
.placement-controls { display: flex; align-items: center; gap: 12px; margin: 6px 0 10px; font-size: 14px; }
.placement-controls input[type=range] { flex: 1; }
.zones { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 12px; }
.zone h3 { font-size: 14px; margin: 0 0 6px; }
.inst { border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; margin-bottom: 8px; background: #fbfcfd; }
.inst.gone { opacity: .45; }
.inst .head { font-size: 12px; display: flex; justify-content: space-between; gap: 6px; }
.inst .head b { font-weight: 600; }
.bar { position: relative; height: 14px; background: #eef1f5; border-radius: 3px; margin-top: 4px; display: flex; overflow: hidden; }
.bar .seg { height: 100%; border-right: 1px solid #fff; }
.bar .seg.starting { opacity: .55; }
.bar .seg.stopping { opacity: .35; }
.barlabel { font-size: 11px; color: var(--muted); margin-top: 2px; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
)ecsim";
}

std::string_view report_script() {
  return R"ecsim(
window.addEventListener('error', function () {
  var n = Number(document.body.getAttribute('data-errors') || 0) + 1;
  document.body.setAttribute('data-errors', String(n));
});
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('ecsim-data').textContent);
  var SVGNS = 'http://www.w3.org/2000/svg';
  var main = document.getElementById('charts');
  var toc = document.getElementById('toc');
  var rendered = 0, errors = 0;
  var STATES = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING',
                'DEPROVISIONING'];
  var STATE_COLORS = { PROVISIONING: '#9e9ac8', PENDING: '#f2b134', ACTIVATING: '#e6711c',
    RUNNING: '#2e9e4f', DEACTIVATING: '#8fc3e6', STOPPING: '#4a90c9', DEPROVISIONING: '#21508a' };
  var PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2',
                 '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#637939', '#8c6d31', '#843c39',
                 '#7b4173', '#3182bd', '#e6550d', '#31a354', '#756bb1', '#636363'];
  var scenario = data.scenario || {};
  var endSec = data.endSeconds || scenario.durationSeconds || 0;
  var unit = endSec <= 600 ? { name: 's', div: 1, long: 'seconds' }
           : endSec <= 172800 ? { name: 'min', div: 60, long: 'minutes' }
           : { name: 'h', div: 3600, long: 'hours' };
  var xEnd = endSec / unit.div;
  var metrics = data.metrics || { periods: [], names: [], entities: [], leftOut: {} };
  var period = scenario.metricsPeriodSeconds || 60;
  var perColumn = metrics.periodsPerColumn || 1;
  var averaged = perColumn > 1 ? ' \u00b7 each point averages ' + perColumn + ' periods' : '';
  var tables = data.taskTables || { states: [], definitions: [], zones: [] };

  // --- helpers -------------------------------------------------------------------------------
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function s(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    if (attrs) for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fmt(v) {
    if (v === null || v === undefined || isNaN(v)) return '\u2013';
    var a = Math.abs(v);
    if (a >= 1e6) return (v / 1e6).toFixed(a >= 1e7 ? 0 : 1) + 'M';
    if (a >= 1e4) return (v / 1e3).toFixed(a >= 1e5 ? 0 : 1) + 'k';
    if (a === Math.round(a)) return String(v);
    if (a >= 100) return v.toFixed(0);
    if (a >= 10) return v.toFixed(1);
    return v.toFixed(2);
  }
  function whole(v) {
    var str = String(Math.round(v)), out = '';
    for (var i = 0; i < str.length; i++) out += (i > 0 && (str.length - i) % 3 === 0 && str[i - 1] !== '-' ? ',' : '') + str[i];
    return out;
  }
  function clock(sec) {
    var neg = sec < 0; sec = Math.abs(sec);
    var h = Math.floor(sec / 3600), m = Math.floor((sec % 3600) / 60), r = sec - h * 3600 - m * 60;
    var ss = (r < 10 ? '0' : '') + (r === Math.floor(r) ? r.toFixed(0) : r.toFixed(1));
    return (neg ? '-' : '') + (h > 0 ? h + ':' + (m < 10 ? '0' : '') + m : String(m)) + ':' + ss;
  }
  function niceStep(range, count) {
    if (range <= 0) return 1;
    var raw = range / count, mag = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10));
    var n = raw / mag;
    return (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * mag;
  }
  function ticks(max, count, integral) {
    var step = niceStep(max, count), out = [];
    if (integral) step = Math.max(1, Math.round(step));
    for (var v = 0; v <= max + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
    return out;
  }
  function color(i) { return PALETTE[i % PALETTE.length]; }
  function tail(str) { var i = String(str).lastIndexOf('/'); return i < 0 ? String(str) : String(str).slice(i + 1); }

  // Sections, figures and notes. Each chart counts once in data-rendered.
  function section(id, title, intro) {
    var sec = el('section', { id: id, 'class': 'block' });
    sec.appendChild(el('h2', null, title));
    if (intro) sec.appendChild(el('p', { 'class': 'intro' }, intro));
    var grid = el('div', { 'class': 'grid' });
    sec.appendChild(grid);
    main.appendChild(sec);
    var a = el('a', { href: '#' + id }, title);
    toc.appendChild(a);
    return grid;
  }
  function figure(parent, id, title, sub, wide) {
    var f = el('figure', { 'class': 'chart' + (wide ? ' wide' : ''), 'data-chart': id });
    var cap = el('figcaption', null, title);
    if (sub) cap.appendChild(el('span', { 'class': 'sub' }, sub));
    f.appendChild(cap);
    parent.appendChild(f);
    return f;
  }
  function note(parent, id, text) {
    var n = el('p', { 'class': 'note', 'data-chart': id, 'data-empty': 'true' }, text);
    parent.appendChild(n);
    rendered++;
    return n;
  }
  // Runs one chart; a failure shows in its place and in the console instead of stopping the page.
  function draw(parent, id, fn) {
    try {
      fn();
      rendered++;
    } catch (err) {
      errors++;
      var n = el('p', { 'class': 'note error', 'data-chart-error': id },
                 'This chart could not be drawn: ' + (err && err.message ? err.message : String(err)));
      parent.appendChild(n);
      console.error('ecsim report: chart ' + id + ': ' + (err && err.stack ? err.stack : err));
    }
  }

  // --- series --------------------------------------------------------------------------------
  // Run-length-encoded grid series [[interval, value], ...] -> points [[x, y], ...].
  function gridPoints(rle) {
    var w = (data.bucketSeconds || 1) / unit.div, out = [];
    for (var i = 0; i < (rle || []).length; i++) out.push([rle[i][0] * w, rle[i][1]]);
    return out;
  }
  // A metric column over the periods -> points, scaled; null where missing.
  function metricPoints(values, scale, perSecond) {
    var out = [];
    for (var i = 0; i < metrics.periods.length; i++) {
      var v = values[i];
      if (v !== null && v !== undefined) {
        if (perSecond) {
          // Values are per period (averaged over the column's periods); the last may be short.
          var span = perColumn === 1 && i + 1 === metrics.periods.length
            ? Math.min(period, endSec - metrics.periods[i]) : period;
          v = span > 0 ? v / span : null;
        }
        if (v !== null) v = v * (scale || 1);
      }
      out.push([metrics.periods[i] / unit.div, v]);
    }
    return out;
  }
  function valueAt(points, x) {
    var lo = 0, hi = points.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (points[mid][0] <= x) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found < 0 ? null : points[found][1];
  }

  // --- line chart ----------------------------------------------------------------------------
  // opts: series [{name, color, points, dash}], yLabel, yMax (optional fixed top).
  // Values hold until the next point (step lines); the last one holds to the end of the run.
  function lineChart(fig, opts) {
    var W = 720, H = 250, L = 58, R = 14, T = 10, B = 42;
    var pw = W - L - R, ph = H - T - B;
    var series = opts.series.filter(function (x) { return x.points && x.points.length; });
    if (!series.length) throw new Error('no data for this chart');
    var ymax = opts.yMax || 0;
    if (!opts.yMax) {
      series.forEach(function (sr) { sr.points.forEach(function (p) { if (p[1] !== null && p[1] > ymax) ymax = p[1]; }); });
      ymax = ymax <= 0 ? 1 : ymax * 1.08;
    }
    var integral = series.every(function (sr) { return sr.points.every(function (p) { return p[1] === null || p[1] === Math.round(p[1]); }); });
    var yt = ticks(ymax, 5, integral);
    ymax = Math.max(ymax, yt[yt.length - 1]);
    var xmax = xEnd > 0 ? xEnd : 1;
    function X(x) { return L + (x / xmax) * pw; }
    function Y(y) { return T + ph - (y / ymax) * ph; }
    var svg = s('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img' });
    svg.appendChild(s('title', null, fig.querySelector('figcaption').firstChild.textContent));
    yt.forEach(function (v) {
      svg.appendChild(s('line', { 'class': 'gridline', x1: L, x2: W - R, y1: Y(v), y2: Y(v) }));
      svg.appendChild(s('text', { x: L - 6, y: Y(v) + 4, 'text-anchor': 'end' }, fmt(v)));
    });
    ticks(xmax, 8).forEach(function (v) {
      if (v > xmax + 1e-9) return;
      svg.appendChild(s('line', { 'class': 'axis', x1: X(v), x2: X(v), y1: T + ph, y2: T + ph + 4 }));
      svg.appendChild(s('text', { x: X(v), y: T + ph + 16, 'text-anchor': 'middle' }, fmt(v)));
    });
    svg.appendChild(s('line', { 'class': 'axis', x1: L, x2: W - R, y1: T + ph, y2: T + ph }));
    svg.appendChild(s('line', { 'class': 'axis', x1: L, x2: L, y1: T, y2: T + ph }));
    svg.appendChild(s('text', { x: L + pw / 2, y: H - 6, 'text-anchor': 'middle' },
                      'simulated time (' + unit.name + ')'));
    svg.appendChild(s('text', { x: 12, y: T + ph / 2, 'text-anchor': 'middle',
                                transform: 'rotate(-90 12 ' + (T + ph / 2) + ')' }, opts.yLabel || ''));
    series.forEach(function (sr) {
      var d = '', open = false, pts = sr.points;
      for (var i = 0; i < pts.length; i++) {
        var x0 = Math.min(pts[i][0], xmax), y = pts[i][1];
        var x1 = i + 1 < pts.length ? Math.min(pts[i + 1][0], xmax) : xmax;
        if (y === null || y === undefined) { open = false; continue; }
        d += (open ? ' V' + Y(y).toFixed(1) : ' M' + X(x0).toFixed(1) + ' ' + Y(y).toFixed(1)) +
             ' H' + X(x1).toFixed(1);
        open = true;
      }
      var path = s('path', { d: d.trim() || 'M0 0', fill: 'none', stroke: sr.color, 'stroke-width': 1.8,
                             'stroke-linejoin': 'round' });
      if (sr.dash) path.setAttribute('stroke-dasharray', '6 4');
      path.appendChild(s('title', null, sr.name));
      svg.appendChild(path);
    });
    var hover = s('line', { 'class': 'hover', x1: 0, x2: 0, y1: T, y2: T + ph, visibility: 'hidden' });
    svg.appendChild(hover);
    var overlay = s('rect', { x: L, y: T, width: pw, height: ph, fill: 'transparent' });
    svg.appendChild(overlay);
    fig.appendChild(svg);
    var legend = el('div', { 'class': 'legend' });
    series.forEach(function (sr) {
      var k = el('span', { 'class': 'key' });
      var sw = el('i', sr.dash ? { 'class': 'dash' } : null);
      sw.style.background = sr.dash ? '' : sr.color;
      sw.style.color = sr.color;
      k.appendChild(sw);
      k.appendChild(document.createTextNode(sr.name));
      legend.appendChild(k);
    });
    fig.appendChild(legend);
    var readout = el('div', { 'class': 'readout' }, 'Point at the chart to read values.');
    fig.appendChild(readout);
    overlay.addEventListener('mousemove', function (ev) {
      var box = svg.getBoundingClientRect();
      var px = (ev.clientX - box.left) * (W / box.width);
      var x = Math.max(0, Math.min(xmax, (px - L) / pw * xmax));
      hover.setAttribute('x1', X(x)); hover.setAttribute('x2', X(x));
      hover.setAttribute('visibility', 'visible');
      var parts = ['t = ' + clock(x * unit.div)];
      series.forEach(function (sr) { parts.push(sr.name + ' ' + fmt(valueAt(sr.points, x))); });
      readout.textContent = parts.join(' \u00b7 ');
    });
    overlay.addEventListener('mouseleave', function () { hover.setAttribute('visibility', 'hidden'); });
  }

  // --- heat map -------------------------------------------------------------------------------
  // rows [{name, values}], one value per metrics period; at most ~30k cells (columns averaged).
  function heatmap(fig, rows, opts) {
    if (!rows.length || !metrics.periods.length) throw new Error('no data for this chart');
    var n = metrics.periods.length;
    var cols = Math.max(1, Math.min(n, 240, Math.floor(30000 / rows.length)));
    var per = Math.ceil(n / cols); cols = Math.ceil(n / per);
    var W = 1000, LW = 150, T = 6, cw = (W - LW - 10) / cols;
    var rh = Math.max(3, Math.min(16, Math.floor(420 / rows.length)));
    var H = T + rows.length * rh + 58;
    var max = opts.max || 0;
    if (!opts.max) rows.forEach(function (r) { r.values.forEach(function (v) { if (v !== null && v > max) max = v; }); });
    if (max <= 0) max = 1;
    function shade(v) {
      if (v === null || v === undefined) return '#f1f2f4';
      var f = Math.max(0, Math.min(1, v / max));
      var r = Math.round(240 - f * 232), g = Math.round(246 - f * 165), b = Math.round(252 - f * 96);
      return 'rgb(' + r + ',' + g + ',' + b + ')';
    }
    var svg = s('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img' });
    svg.appendChild(s('title', null, fig.querySelector('figcaption').firstChild.textContent));
    rows.forEach(function (row, ri) {
      var y = T + ri * rh;
      if (rh >= 9) svg.appendChild(s('text', { x: LW - 6, y: y + rh - 2, 'text-anchor': 'end' }, row.name));
      for (var c = 0; c < cols; c++) {
        var sum = 0, cnt = 0;
        for (var k = c * per; k < Math.min(n, (c + 1) * per); k++) {
          var v = row.values[k];
          if (v !== null && v !== undefined) { sum += v; cnt++; }
        }
        var val = cnt ? sum / cnt : null;
        var rect = s('rect', { x: (LW + c * cw).toFixed(2), y: y, width: (cw + 0.3).toFixed(2), height: rh - (rh > 4 ? 1 : 0), fill: shade(val) });
        rect.appendChild(s('title', null, row.name + ' \u00b7 ' + clock(metrics.periods[c * per]) + ' \u00b7 ' +
                           (val === null ? 'no data' : fmt(val) + (opts.unit ? ' ' + opts.unit : ''))));
        svg.appendChild(rect);
      }
    });
    var yAxis = T + rows.length * rh;
    ticks(xEnd, 8).forEach(function (v) {
      if (v > xEnd + 1e-9) return;
      var x = LW + (v * unit.div / (metrics.periods[n - 1] + period * perColumn)) * (cols * cw);
      svg.appendChild(s('text', { x: x, y: yAxis + 14, 'text-anchor': 'middle' }, fmt(v)));
    });
    svg.appendChild(s('text', { x: LW + (W - LW) / 2, y: yAxis + 28, 'text-anchor': 'middle' },
                      'simulated time (' + unit.name + ')'));
    var gx = LW, gy = yAxis + 38, gw = 180;
    for (var i = 0; i < 20; i++)
      svg.appendChild(s('rect', { x: gx + i * gw / 20, y: gy, width: gw / 20 + 0.5, height: 8, fill: shade(max * i / 19) }));
    svg.appendChild(s('text', { x: gx - 4, y: gy + 8, 'text-anchor': 'end' }, '0'));
    svg.appendChild(s('text', { x: gx + gw + 4, y: gy + 8 }, fmt(max) + (opts.unit ? ' ' + opts.unit : '')));
    if (rh < 9) svg.appendChild(s('text', { x: LW - 6, y: T + 10, 'text-anchor': 'end' }, rows.length + ' instances'));
    fig.appendChild(svg);
  }

  // --- deployments as bars ---------------------------------------------------------------------
  function ganttChart(fig, deployments) {
    if (!deployments.length) throw new Error('no deployments');
    var W = 720, L = 200, R = 14, T = 6, rh = 22, B = 36;
    var H = T + deployments.length * rh + B, pw = W - L - R, xmax = xEnd > 0 ? xEnd : 1;
    var colors = { COMPLETED: '#2e9e4f', FAILED: '#d73a49', IN_PROGRESS: '#f2b134' };
    function X(sec) { return L + Math.min(1, sec / unit.div / xmax) * pw; }
    var svg = s('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img' });
    svg.appendChild(s('title', null, fig.querySelector('figcaption').firstChild.textContent));
    deployments.forEach(function (d, i) {
      var y = T + i * rh;
      svg.appendChild(s('text', { x: L - 6, y: y + 14, 'text-anchor': 'end' }, tail(d.taskDefinition) + ' \u00b7 ' + tail(d.id)));
      var end = d.endedAt === null || d.endedAt === undefined ? endSec : d.endedAt;
      var x0 = X(d.startedAt || 0), x1 = Math.max(X(end), x0 + 2);
      var bar = s('rect', { x: x0, y: y + 3, width: x1 - x0, height: rh - 8, rx: 3,
                            fill: colors[d.rolloutState] || '#7f7f7f' });
      bar.appendChild(s('title', null, d.id + ': ' + d.status + ', ' + d.rolloutState + (d.reason ? ' (' + d.reason + ')' : '') +
                        ', from ' + clock(d.startedAt || 0) + (d.endedAt === null ? '' : ' to ' + clock(end))));
      svg.appendChild(bar);
      svg.appendChild(s('text', { x: Math.min(x1 + 4, W - 80), y: y + 14 }, d.rolloutState + (d.status === 'PRIMARY' ? ' \u00b7 PRIMARY' : '')));
    });
    var yAxis = T + deployments.length * rh;
    svg.appendChild(s('line', { 'class': 'axis', x1: L, x2: W - R, y1: yAxis, y2: yAxis }));
    ticks(xmax, 8).forEach(function (v) {
      if (v > xmax + 1e-9) return;
      svg.appendChild(s('text', { x: L + v / xmax * pw, y: yAxis + 14, 'text-anchor': 'middle' }, fmt(v)));
    });
    svg.appendChild(s('text', { x: L + pw / 2, y: yAxis + 28, 'text-anchor': 'middle' }, 'simulated time (' + unit.name + ')'));
    fig.appendChild(svg);
    var legend = el('div', { 'class': 'legend' });
    ['COMPLETED', 'IN_PROGRESS', 'FAILED'].forEach(function (k) {
      var key = el('span', { 'class': 'key' }), sw = el('i');
      sw.style.background = colors[k];
      key.appendChild(sw); key.appendChild(document.createTextNode('rollout ' + k));
      legend.appendChild(key);
    });
    fig.appendChild(legend);
  }

  // --- metric charts ---------------------------------------------------------------------------
  var claimed = {};
  function entitiesOf(types) {
    return metrics.entities.filter(function (e) { return types.indexOf(e.type) >= 0; });
  }
  function columnsMatching(spec) {
    return metrics.names.filter(function (n) {
      return spec.columns instanceof RegExp ? spec.columns.test(n) : spec.columns.indexOf(n) >= 0;
    });
  }
  // Draws spec's chart if any of its (entity type, column) pairs has data; returns whether it did.
  function metricChart(parent, spec) {
    var cols = columnsMatching(spec), series = [], i = 0;
    entitiesOf(spec.types).forEach(function (e) {
      cols.forEach(function (c) {
        claimed[e.type + '/' + c] = true;
        if (!e.values[c]) return;
        if (spec.dropZero && e.values[c].every(function (v) { return !v; })) return;
        var many = entitiesOf(spec.types).length > 1;
        var label = (spec.label ? spec.label(c) : c);
        series.push({ name: many ? e.name + ' ' + label : label, color: color(i++),
                      points: metricPoints(e.values[c], spec.scale, spec.perSecond) });
      });
    });
    if (!series.length) {
      // The columns exist but hold nothing worth a line (no errors at all): say so.
      if (spec.none && cols.some(function (c) { return entitiesOf(spec.types).some(function (e) { return e.values[c]; }); })) {
        note(parent, spec.id, spec.none);
        return true;
      }
      return false;
    }
    var f = figure(parent, spec.id, spec.title, (spec.sub || '') + averaged);
    draw(f, spec.id, function () { lineChart(f, { series: series, yLabel: spec.unit, yMax: spec.yMax }); });
    return true;
  }
  function claim(types, cols) { types.forEach(function (t) { cols.forEach(function (c) { claimed[t + '/' + c] = true; }); }); }

  // --- the page ---------------------------------------------------------------------------------
  var groups = data.groups || [];
  var services = groups.filter(function (g) { return g.service; });
  var summaryServices = (data.summary && data.summary.services) || {};

  // Tasks: per service (or task group), live tasks by state and desired vs running.
  (function () {
    var grid = section('tasks', 'Tasks and services',
      'Tasks move PROVISIONING \u2192 PENDING \u2192 ACTIVATING \u2192 RUNNING, then DEACTIVATING \u2192 STOPPING \u2192 ' +
      '(DEPROVISIONING) \u2192 STOPPED. Each line counts the tasks in one state; each point is the most tasks in that ' +
      'state within a ' + fmt(data.bucketSeconds || 1) + '-second interval, so short states still show.');
    if (!groups.length) { note(grid, 'tasks-by-state', 'No task ran in this scenario.'); return; }
    groups.forEach(function (g) {
      var id = 'tasks-by-state:' + g.name;
      var f = figure(grid, id, (g.service ? 'Service ' : 'Task group ') + g.name + ': tasks by state',
                     'live tasks by lastStatus');
      draw(f, id, function () {
        var series = [];
        STATES.concat(Object.keys(g.states).filter(function (k) { return STATES.indexOf(k) < 0; }))
          .forEach(function (st, i) {
            if (!g.states[st]) return;
            series.push({ name: st, color: STATE_COLORS[st] || color(i), points: gridPoints(g.states[st]) });
          });
        if (!series.length) series.push({ name: 'RUNNING', color: STATE_COLORS.RUNNING, points: gridPoints(g.running) });
        lineChart(f, { series: series, yLabel: 'tasks' });
      });
      if (!g.service) return;
      var id2 = 'desired-running:' + g.name;
      var f2 = figure(grid, id2, 'Service ' + g.name + ': desired vs running',
                      'desiredCount from the scenario\u2019s calls (a daemon: its ACTIVE instances); running: RUNNING tasks not being stopped');
      draw(f2, id2, function () {
        lineChart(f2, { yLabel: 'tasks', series: [
          { name: 'desired', color: '#1d2433', dash: true, points: gridPoints(g.desired) },
          { name: 'running', color: STATE_COLORS.RUNNING, points: gridPoints(g.running) }] });
      });
    });
  })();

  // Deployments: each service's tasks by task definition revision, and its deployments as bars.
  (function () {
    var grid = section('deployments', 'Deployments',
      'A deployment replaces a service\u2019s tasks with tasks of a new task definition within minimumHealthyPercent and ' +
      'maximumPercent. The first chart counts live tasks of each deployment; the bars show each deployment from start to ' +
      'COMPLETED or FAILED (the circuit breaker).');
    if (!services.length) { note(grid, 'deployments', 'No services in this scenario: deployments belong to services.'); return; }
    services.forEach(function (g) {
      var id = 'tasks-by-version:' + g.name;
      var f = figure(grid, id, 'Service ' + g.name + ': tasks by version', 'live tasks of each deployment (task definition revision)');
      draw(f, id, function () {
        lineChart(f, { yLabel: 'tasks', series: g.deployments.map(function (d, i) {
          return { name: d.definition + ' (' + tail(d.id) + ')', color: color(i), points: gridPoints(d.series) };
        }) });
      });
      var sd = summaryServices[g.name];
      var deps = sd && sd.deployments ? sd.deployments : [];
      var id2 = 'deployments:' + g.name;
      if (!deps.length) { note(grid, id2, 'Service ' + g.name + ' has no deployment in the summary.'); return; }
      var f2 = figure(grid, id2, 'Service ' + g.name + ': deployments', 'rollout of each deployment');
      draw(f2, id2, function () { ganttChart(f2, deps); });
    });
    claim(['targetGroup', 'listener', 'loadBalancer'], metrics.names.filter(function (n) { return /weight/i.test(n); }));
    if (!metricChart(grid, { id: 'traffic-weights', title: 'Traffic weights', unit: 'weight',
                             types: ['listener', 'targetGroup', 'loadBalancer'], columns: /weight/i }))
      note(grid, 'traffic-weights', 'No traffic weights in this run: the share of traffic each target group receives during a blue/green deployment is drawn here when the run reports it.');
  })();

  // Capacity: reservation, instances, heat maps, placement failures.
  (function () {
    var grid = section('capacity', 'Cluster capacity',
      'CPUReservation and MemoryReservation are what ECS reports to CloudWatch: the CPU units and memory that tasks ' +
      'reserve, as a percentage of what the ACTIVE and DRAINING instances registered, averaged over each ' + fmt(period) +
      '-second period.');
    var any = false;
    any = metricChart(grid, { id: 'cluster-reservation', title: 'Cluster reservation', sub: 'average over each period',
                              unit: '% reserved', yMax: 100, types: ['cluster'], columns: ['CPUReservation', 'MemoryReservation'] }) || any;
    any = metricChart(grid, { id: 'instance-count', title: 'Container instances', sub: 'registered instances (ACTIVE or DRAINING)',
                              unit: 'instances', types: ['cluster'], columns: ['ContainerInstanceCount'] }) || any;
    any = metricChart(grid, { id: 'cluster-tasks', title: 'Tasks in the cluster', sub: 'average over each period',
                              unit: 'tasks', types: ['cluster'], columns: ['RunningTaskCount', 'PendingTaskCount'] }) || any;
    any = metricChart(grid, { id: 'service-utilization', title: 'Service utilization', sub: 'average over the service\u2019s tasks of the CPU and memory they use (ECSServiceAverageCPUUtilization)',
                              unit: '% used', types: ['service'], columns: ['CPUUtilization', 'MemoryUtilization'] }) || any;
    any = metricChart(grid, { id: 'placement-failures', title: 'Placement failures', sub: 'tasks that could not be placed, per period',
                              unit: 'per period', types: ['cluster'], columns: ['PlacementFailures'] }) || any;
    claim(['group'], ['RunningTaskCount', 'PendingTaskCount']);
    var heat = [['CPUReservation', 'CPU reserved per instance', '%', 100],
                ['MemoryReservation', 'Memory reserved per instance', '%', 100],
                ['RunningTaskCount', 'Tasks per instance', 'tasks', 0]];
    var inst = entitiesOf(['instance']);
    heat.forEach(function (h) {
      claim(['instance'], [h[0]]);
      var rows = inst.filter(function (e) { return e.values[h[0]]; })
                     .map(function (e) { return { name: e.name, values: e.values[h[0]] }; });
      if (!rows.length) return;
      any = true;
      var id = 'heatmap:' + h[0];
      var left = (metrics.leftOut && metrics.leftOut.instance) ? ' (the first ' + rows.length + ' instances; ' + metrics.leftOut.instance + ' more left out)' : '';
      var f = figure(grid, id, h[1], 'one row per instance, one column per period; darker is more' + left, true);
      draw(f, id, function () { heatmap(f, rows, { unit: h[2], max: h[3] }); });
    });
    if (!any) note(grid, 'capacity', 'No cluster metrics in this run.');
  })();

  // Placement: which tasks sit on which instances at a chosen moment.
  (function () {
    var grid = section('placement', 'Placement',
      'Each box is a container instance, grouped by Availability Zone; the two bars are its registered CPU and memory, ' +
      'with one block per task sized by what the task reserves and coloured by its service or task group. Pale blocks ' +
      'are tasks still starting or already stopping. Move the slider to choose the moment.');
    var tasks = data.tasks || [], instances = data.instances || [];
    if (!instances.length && !tasks.length) { note(grid, 'placement', 'No container instances and no tasks in this scenario.'); return; }
    var f = figure(grid, 'placement', 'Tasks on instances', tasks.length ? null : 'no tasks ran', true);
    draw(f, 'placement', function () {
      var step = data.bucketSeconds || 1;
      // Default moment: when the most tasks were live.
      var marks = [];
      tasks.forEach(function (t) {
        if (!t.s.length) return;
        marks.push([t.s[0], 1]);
        var n = t.s.length;
        if (tables.states[t.s[n - 1]] === 'STOPPED') marks.push([t.s[n - 2], -1]);
      });
      marks.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
      var live = 0, best = 0, bestAt = endSec;
      marks.forEach(function (m) { live += m[1]; if (live > best) { best = live; bestAt = m[0]; } });
      var controls = el('div', { 'class': 'placement-controls' });
      var label = el('label', { 'for': 'placement-time' }, 'moment');
      var slider = el('input', { id: 'placement-time', type: 'range', min: 0, max: endSec, step: step, value: bestAt });
      var shown = el('span', { 'class': 'readout' });
      controls.appendChild(label); controls.appendChild(slider); controls.appendChild(shown);
      f.appendChild(controls);
      var legend = el('div', { 'class': 'legend' });
      groups.forEach(function (g, i) {
        var k = el('span', { 'class': 'key' }), sw = el('i');
        sw.style.background = color(i);
        k.appendChild(sw); k.appendChild(document.createTextNode((g.service ? 'service ' : '') + g.name));
        legend.appendChild(k);
      });
      f.appendChild(legend);
      var zonesBox = el('div', { 'class': 'zones' });
      f.appendChild(zonesBox);
      if (data.tasksLeftOut) f.appendChild(el('p', { 'class': 'readout' }, 'Only the first ' + tasks.length + ' tasks are shown; ' + data.tasksLeftOut + ' later tasks are left out.'));
      function stateAt(list, t) {  // [[time, status], ...]
        var st = null;
        for (var i = 0; i < list.length && list[i][0] <= t; i++) st = list[i][1];
        return st;
      }
      function taskStateAt(flat, t) {  // [time, state index, time, state index, ...]
        var st = null;
        for (var i = 0; i + 1 < flat.length && flat[i] <= t; i += 2) st = tables.states[flat[i + 1]];
        return st;
      }
      function bar(parent, total, items, what, unitName, caption) {
        var b = el('div', { 'class': 'bar', title: what });
        var used = 0;
        items.forEach(function (it) {
          var seg = el('div', { 'class': 'seg ' + it.cls, title: it.title });
          var share = total > 0 ? it.amount / total : 0;
          used += it.amount;
          seg.style.width = (Math.min(1, share) * 100).toFixed(3) + '%';
          seg.style.background = it.color;
          b.appendChild(seg);
        });
        parent.appendChild(b);
        parent.appendChild(el('div', { 'class': 'barlabel' }, caption ||
          (what + ': ' + whole(used) + ' of ' + whole(total) + ' ' + unitName + ' reserved')));
      }
      function render() {
        var t = Number(slider.value);
        shown.textContent = 't = ' + clock(t) + ' (' + fmt(t / unit.div) + ' ' + unit.name + ')';
        zonesBox.textContent = '';
        var byInstance = {}, fargate = {};
        tasks.forEach(function (task) {
          var st = taskStateAt(task.s, t);
          if (!st || st === 'STOPPED') return;
          var g = groups[task.g] || { name: '?' };
          var cls = st === 'RUNNING' ? 'running' : (STATES.indexOf(st) < 3 ? 'starting' : 'stopping');
          var item = { color: color(task.g), cls: cls, cpu: task.cpu, mem: task.mem,
                       title: 'task ' + task.id + ' \u00b7 ' + tables.definitions[task.d] + ' \u00b7 ' + g.name + ' \u00b7 ' + st +
                              ' \u00b7 ' + task.cpu + ' CPU units, ' + task.mem + ' MiB' };
          if (task.i >= 0) (byInstance[task.i] = byInstance[task.i] || []).push(item);
          else { var z = tables.zones[task.z]; (fargate[z] = fargate[z] || []).push(item); }
        });
        var zones = (scenario.zones || []).slice();
        instances.forEach(function (i) { if (zones.indexOf(i.az) < 0) zones.push(i.az); });
        Object.keys(fargate).forEach(function (z) { if (zones.indexOf(z) < 0) zones.push(z); });
        zones.forEach(function (z) {
          var box = el('div', { 'class': 'zone' });
          box.appendChild(el('h3', null, z));
          var shownAny = false;
          instances.forEach(function (inst, ii) {
            if (inst.az !== z) return;
            var status = stateAt(inst.statuses, t);
            if (!status) return;  // not launched yet
            shownAny = true;
            var card = el('div', { 'class': 'inst' + (status === 'INACTIVE' ? ' gone' : '') });
            var head = el('div', { 'class': 'head' });
            head.appendChild(el('b', null, inst.id));
            head.appendChild(el('span', null, inst.type + ' \u00b7 ' + status));
            card.appendChild(head);
            var items = byInstance[ii] || [];
            bar(card, inst.cpu, items.map(function (x) { return { amount: x.cpu, color: x.color, cls: x.cls, title: x.title }; }), 'CPU', 'units');
            bar(card, inst.memory, items.map(function (x) { return { amount: x.mem, color: x.color, cls: x.cls, title: x.title }; }), 'memory', 'MiB');
            box.appendChild(card);
          });
          if (fargate[z]) {
            shownAny = true;
            var card = el('div', { 'class': 'inst' });
            var head = el('div', { 'class': 'head' });
            head.appendChild(el('b', null, 'Fargate'));
            head.appendChild(el('span', null, fargate[z].length + (fargate[z].length === 1 ? ' task' : ' tasks')));
            card.appendChild(head);
            var cpu = 0, mem = 0;
            fargate[z].forEach(function (x) { cpu += x.cpu; mem += x.mem; });
            bar(card, cpu, fargate[z].map(function (x) { return { amount: x.cpu, color: x.color, cls: x.cls, title: x.title }; }),
                'CPU', 'units', 'each task has its own Fargate capacity: ' + whole(cpu) + ' CPU units and ' + whole(mem) + ' MiB in all');
            box.appendChild(card);
          }
          if (!shownAny) box.appendChild(el('p', { 'class': 'readout' }, 'no instance at this moment'));
          zonesBox.appendChild(box);
        });
      }
      slider.addEventListener('input', render);
      render();
    });
  })();

  // Load balancer and traffic: requests, latency, errors, target health (from metrics).
  (function () {
    var grid = section('traffic', 'Load balancer and traffic',
      'Request rate, response time percentiles, errors by origin and target health, per load balancer and target group, ' +
      'as CloudWatch reports them for an Application Load Balancer.');
    claim(['targetGroup', 'loadBalancer'], ['TargetResponseTime_max']);
    var specs = [
      { id: 'requests', title: 'Request rate', sub: 'requests per second, averaged over each period', unit: 'requests/s',
        types: ['loadBalancer', 'targetGroup'], columns: ['RequestCount', 'HTTPCode_Target_2XX_Count'], perSecond: true,
        label: function (c) { return c === 'RequestCount' ? 'requests' : '2XX responses'; } },
      { id: 'latency', title: 'Target response time', sub: 'p50, p90 and p99 within each period', unit: 'ms', scale: 1000,
        types: ['targetGroup', 'loadBalancer'], columns: /^TargetResponseTime_p/,
        label: function (c) { return c.replace('TargetResponseTime_', ''); } },
      { id: 'errors', title: 'Errors', sub: 'responses per period by code and origin; codes that never occur are left out',
        unit: 'per period', types: ['loadBalancer', 'targetGroup'], columns: /^HTTPCode_(ELB|Target)_(4|5)/,
        dropZero: true, none: 'No request failed in this run.' },
      { id: 'target-health', title: 'Target health', sub: 'healthy and unhealthy targets (average over each period)', unit: 'targets',
        types: ['targetGroup'], columns: ['HealthyHostCount', 'UnHealthyHostCount'] },
      { id: 'requests-per-target', title: 'Requests per target', sub: 'per period', unit: 'requests',
        types: ['targetGroup'], columns: ['RequestCountPerTarget'] }];
    var any = false;
    specs.forEach(function (spec) { any = metricChart(grid, spec) || any; });
    var req = data.summary && data.summary.requests;
    if (!any) note(grid, 'requests', req ? 'The summary counts requests, but no per-period request metrics are in this run.'
      : 'No load balancer in this scenario: request rate, latency, errors and target health appear when a scenario has load balancers and traffic.');
  })();

  // Cost.
  (function () {
    var grid = section('cost', 'Cost', 'What the run\u2019s capacity costs over time, when the run has a cost model.');
    var types = metrics.entities.map(function (e) { return e.type; }).filter(function (t, i, a) { return a.indexOf(t) === i; });
    if (!metricChart(grid, { id: 'cost', title: 'Cost over time', sub: 'per period', unit: 'USD', types: types, columns: /cost|charges/i }))
      note(grid, 'cost', 'No cost figures in this run: cost over time appears with the cost model.');
  })();

  // Other metrics: every column no chart above claimed, per entity type.
  (function () {
    var byType = {};
    metrics.entities.forEach(function (e) {
      Object.keys(e.values).forEach(function (c) {
        if (claimed[e.type + '/' + c]) return;
        (byType[e.type + '/' + c] = byType[e.type + '/' + c] || { type: e.type, column: c });
      });
    });
    var keys = Object.keys(byType).sort();
    if (!keys.length) return;
    var grid = section('other-metrics', 'Other metrics', 'Columns of metrics.csv that no chart above shows.');
    keys.forEach(function (k) {
      var o = byType[k];
      metricChart(grid, { id: 'metric:' + k, title: o.column + ' (' + o.type + ')', unit: o.column, types: [o.type], columns: [o.column] });
    });
  })();

  // Service events and placement failures, as the console lists them.
  (function () {
    var grid = section('events', 'Service events',
      'The service event messages ECS writes, deployment state changes and failed API calls, in time order. ' +
      'Run `ecsim explain` on this folder for the same story with explanations.');
    var rows = data.events || [];
    if (!rows.length) { note(grid, 'events-table', 'No service events, deployments or failed calls in this run.'); return; }
    var f = figure(grid, 'events-table', 'Events', rows.length + ' events' + (data.eventsLeftOut ? '; ' + data.eventsLeftOut + ' more left out' : ''), true);
    draw(f, 'events-table', function () {
      var wrap = el('div', { 'class': 'tablewrap' });
      var table = el('table', { 'class': 'events' });
      var head = el('tr');
      ['time', 'service', 'event', 'message', 'closest instance', 'required', 'available'].forEach(function (h) { head.appendChild(el('th', null, h)); });
      var thead = el('thead'); thead.appendChild(head); table.appendChild(thead);
      var tbody = el('tbody');
      rows.forEach(function (r) {
        var tr = el('tr');
        tr.appendChild(el('td', { 'class': 't' }, clock(r.t)));
        tr.appendChild(el('td', null, r.service || ''));
        tr.appendChild(el('td', null, r.name || r.type));
        tr.appendChild(el('td', { 'class': 'msg' }, r.message || ''));
        tr.appendChild(el('td', null, r.closest || ''));
        tr.appendChild(el('td', null, r.required === undefined ? '' : r.required));
        tr.appendChild(el('td', null, r.available === undefined ? '' : r.available));
        tbody.appendChild(tr);
      });
      table.appendChild(tbody);
      wrap.appendChild(table);
      f.appendChild(wrap);
    });
  })();

  document.body.setAttribute('data-rendered', String(rendered));
  if (errors) document.body.setAttribute('data-errors', String(errors));
})();
)ecsim";
}

}  // namespace ecsim::detail
