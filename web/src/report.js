// memscope HTML report: draws the page from the JSON document in #ms-data
// (schema: docs/html.md) with uPlot (heap over time) and d3-flame-graph.
// Every string from the trace is untrusted: it goes in with textContent,
// never as HTML.
(function () {
  'use strict';

  const D = JSON.parse(document.getElementById('ms-data').textContent);
  const S = D.report.summary;
  const FR = D.frames; // [function, file, line, module, inlined]
  const COL = {};
  D.stack_columns.forEach((c, i) => { COL[c] = i; });
  const METRICS = [
    { key: 'peak', label: 'peak', long: 'bytes live at the heap peak', col: 'peak_bytes', bytes: true, total: S.peak_bytes },
    { key: 'leaked', label: 'leaked', long: 'bytes live at exit', col: 'leaked_bytes', bytes: true, total: S.leaked_bytes },
    { key: 'allocations', label: 'allocations', long: 'allocation calls', col: 'allocations', bytes: false, total: S.allocations },
    { key: 'temporary', label: 'temporary', long: 'temporary allocations', col: 'temporary_allocations', bytes: false, total: S.temporary_allocations },
    { key: 'bytes', label: 'bytes allocated', long: 'bytes allocated', col: 'bytes_allocated', bytes: true, total: S.bytes_allocated },
  ];

  // ------------------------------------------------------------ formatting
  const exact = (v) => Number(v).toLocaleString('en-US');
  function size(v) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let u = 0, x = Number(v);
    while (x >= 1024 && u < units.length - 1) { x /= 1024; u++; }
    return u === 0 ? x + ' B' : x.toFixed(x < 10 ? 2 : x < 100 ? 1 : 0) + ' ' + units[u];
  }
  function duration(ns) {
    if (ns >= 1e9) return (ns / 1e9).toFixed(3) + ' s';
    if (ns >= 1e6) return (ns / 1e6).toFixed(1) + ' ms';
    if (ns >= 1e3) return (ns / 1e3).toFixed(0) + ' us';
    return ns + ' ns';
  }
  const value = (m, v) => (m.bytes ? size(v) : exact(v));
  const pct = (v, t) => (t ? (100 * v / t).toFixed(v / t < 0.01 ? 2 : 1) + '%' : '-');
  const base = (p) => (p ? p.slice(p.lastIndexOf('/') + 1) : '');
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) {
      if (k === 'class') e.className = attrs[k];
      else if (k === 'text') e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    for (const c of kids) e.append(c);
    return e;
  }
  function frameText(i) {
    const f = FR[i];
    return { fn: f[0], loc: f[1] ? base(f[1]) + ':' + f[2] : '', mod: f[3] || '', inl: f[4] === 1, path: f[1] };
  }

  // ------------------------------------------------------------ header, cards
  document.title = 'memscope: ' + base(D.trace);
  const argv = (S.argv || []).join(' ');
  document.getElementById('meta').textContent =
    'trace ' + D.trace + (argv ? ': ' + argv : '') + ' (pid ' + S.pid + '), ended by ' + S.end_reason +
    (S.end_reason === 'exit' ? ' with status ' + S.exit_status : '');
  const banner = document.getElementById('banner');
  const warnings = [];
  if (D.warning) warnings.push('Warning: ' + D.warning + '.');
  if (!S.allocations) warnings.push('This trace has no allocations: there is nothing to chart or list.');
  if (warnings.length) { banner.textContent = warnings.join(' '); banner.hidden = false; }

  const cards = [
    { id: 'peak', label: 'peak heap', v: S.peak_bytes, big: size(S.peak_bytes), exact: exact(S.peak_bytes) + ' B',
      sub: S.peak_bytes ? 'at ' + duration(S.peak_time_ns) : 'no allocation' },
    { id: 'leaked', label: 'leaked at exit', v: S.leaked_bytes, big: size(S.leaked_bytes), exact: exact(S.leaked_bytes) + ' B',
      sub: 'in ' + exact(S.leaked_blocks) + ' blocks' },
    { id: 'allocations', label: 'allocation calls', v: S.allocations, big: exact(S.allocations),
      exact: exact(S.bytes_allocated) + ' B allocated', sub: exact(S.frees) + ' frees' },
    { id: 'temporary', label: 'temporary allocations', v: S.temporary_allocations, big: exact(S.temporary_allocations),
      exact: pct(S.temporary_allocations, S.allocations) + ' of calls', sub: 'freed before their thread allocated again' },
    { id: 'time', label: 'run time', v: S.wall_time_ns, big: duration(S.wall_time_ns), exact: exact(S.wall_time_ns) + ' ns',
      sub: exact((S.threads || []).length) + ((S.threads || []).length === 1 ? ' thread' : ' threads') },
    { id: 'rss', label: 'peak RSS', v: S.peak_rss_bytes, big: S.peak_rss_bytes ? size(S.peak_rss_bytes) : 'not sampled',
      exact: exact(S.peak_rss_bytes) + ' B', sub: 'resident memory of the process' },
  ];
  const cardBox = document.getElementById('cards');
  for (const c of cards) {
    cardBox.append(el('div', { class: 'card', id: 'card-' + c.id, 'data-value': String(c.v) },
      el('div', { class: 'label', text: c.label }), el('div', { class: 'big', text: c.big }),
      el('div', { class: 'exact', text: c.exact }), el('div', { class: 'sub', text: c.sub })));
  }

  // ------------------------------------------------------------ stacks
  const ROWS = D.stacks;
  const metricOf = (row, m) => row[COL[m.col]];
  function stackFrames(row) {
    const ol = el('ol', { class: 'frames' });
    for (const i of row[COL.frames]) {
      const f = frameText(i);
      const li = el('li', {}, f.fn);
      if (f.loc) li.append(' ', el('span', { class: 'loc', text: f.loc, title: f.path || '' }));
      if (f.inl) li.append(' ', el('span', { class: 'inl', text: '[inlined]' }));
      if (f.mod) li.append(' ', el('span', { class: 'loc', text: '(' + f.mod + ')' }));
      ol.append(li);
    }
    if (!row[COL.frames].length) ol.append(el('li', { text: '(no frames)' }));
    return ol;
  }
  function topFrame(row) {
    const fr = row[COL.frames];
    return fr.length ? frameText(fr[0]) : { fn: '(no frames)', loc: '', mod: '' };
  }
  // The allocating function and, muted, its next callers: stacks through
  // one allocation helper differ only there.
  function fnCell(row) {
    const fr = row[COL.frames];
    const td = el('td', { class: 'fn', text: topFrame(row).fn });
    const callers = [];
    for (let i = 1; i < fr.length && callers.length < 3; i++) {
      const f = FR[fr[i]][0];
      if (f !== callers[callers.length - 1] && f !== FR[fr[0]][0]) callers.push(f);
    }
    if (callers.length) td.append(el('span', { class: 'callers', text: ' \u2190 ' + callers.join(' \u2190 ') }));
    return td;
  }
  // A row that shows the stack's frames under it when clicked.
  function expandable(tr, row, ncols) {
    tr.classList.add('stack-row');
    tr.title = 'click to show the whole call stack';
    tr.addEventListener('click', () => {
      const next = tr.nextSibling;
      if (next && next.classList && next.classList.contains('frames')) { next.remove(); return; }
      tr.after(el('tr', { class: 'frames' }, el('td', { colspan: String(ncols) }, stackFrames(row))));
    });
  }

  // A table sorted by clicking its headers. cols: {label, num, get(row), cell(row)}.
  function sortableTable(table, cols, rows, sortCol, limit, more) {
    let by = sortCol, desc = true, shown = limit;
    function render(list) {
      table.textContent = '';
      const head = el('tr');
      cols.forEach((c, i) => {
        const th = el('th', { class: c.num ? 'num' : '', text: c.label, scope: 'col' });
        if (i === by) th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
        th.addEventListener('click', () => {
          desc = i === by ? !desc : c.num;
          by = i;
          update();
        });
        head.append(th);
      });
      table.append(el('thead', {}, head));
      const body = el('tbody');
      for (const row of list.slice(0, shown)) {
        const tr = el('tr');
        for (const c of cols) tr.append(c.cell ? c.cell(row) : el('td', { class: c.num ? 'num' : '', text: String(c.get(row)) }));
        expandable(tr, row, cols.length);
        body.append(tr);
      }
      table.append(body);
      if (more) {
        more.hidden = list.length <= shown;
        more.textContent = 'show all ' + exact(list.length) + ' rows';
      }
    }
    let current = rows;
    function update(newRows) {
      if (newRows) current = newRows;
      const c = cols[by];
      const k = desc ? -1 : 1;
      const sorted = current.slice().sort((a, b) => {
        const x = c.get(a), y = c.get(b);
        return x < y ? -k : x > y ? k : 0;
      });
      render(sorted);
      return sorted.length;
    }
    if (more) more.addEventListener('click', () => { shown = Infinity; update(); });
    return update;
  }

  const numCol = (m) => ({ label: m.label, num: true, get: (r) => metricOf(r, m),
    cell: (r) => el('td', { class: 'num', text: value(m, metricOf(r, m)), title: exact(metricOf(r, m)) }) });
  const fnCol = { label: 'allocating function', get: (r) => topFrame(r).fn,
    cell: fnCell };
  const locCol = { label: 'source', get: (r) => topFrame(r).loc,
    cell: (r) => { const f = topFrame(r); return el('td', { class: 'loc', text: f.loc + (f.mod ? ' (' + f.mod + ')' : '') }); } };
  const stackCols = [fnCol, locCol].concat(METRICS.map(numCol),
    [{ label: 'frees', num: true, get: (r) => r[COL.frees], cell: (r) => el('td', { class: 'num', text: exact(r[COL.frees]) }) }]);
  const updateStacks = sortableTable(document.getElementById('stacks'), stackCols, ROWS, 2, 200,
    document.getElementById('st-more'));
  const searchText = ROWS.map((r) => r[COL.frames].map((i) => {
    const f = FR[i];
    return f[0] + ' ' + (f[1] || '') + ':' + f[2] + ' ' + (f[3] || '');
  }).join('\n').toLowerCase());
  const stCount = document.getElementById('st-count');
  function filterStacks() {
    const q = document.getElementById('st-filter').value.trim().toLowerCase();
    const list = q ? ROWS.filter((r, i) => searchText[i].includes(q)) : ROWS;
    updateStacks(list);
    stCount.textContent = exact(list.length) + ' of ' + exact(ROWS.length) + ' stacks match';
  }
  document.getElementById('st-filter').addEventListener('input', filterStacks);
  filterStacks();
  document.getElementById('st-note').textContent = ROWS.length < D.stacks_total
    ? 'The trace has ' + exact(D.stacks_total) + ' distinct call stacks; the tables list ' + exact(ROWS.length) +
      ' of them: the top ' + exact(D.rows_per_metric) + ' by each metric. Click a row for its whole call stack.'
    : 'All ' + exact(D.stacks_total) + ' call stacks of the trace. Click a row for its whole call stack.';

  // ------------------------------------------------------------ leaks
  const leaked = METRICS[1];
  const leakRows = ROWS.filter((r) => metricOf(r, leaked) > 0);
  const leakCols = [numCol(leaked), { label: 'blocks', num: true, get: (r) => r[COL.leaked_blocks],
    cell: (r) => el('td', { class: 'num', text: exact(r[COL.leaked_blocks]) }) },
    numCol(METRICS[2]), fnCol, locCol];
  sortableTable(document.getElementById('leaks'), leakCols, leakRows, 0, 500, null)();
  const listedLeak = leakRows.reduce((s, r) => s + metricOf(r, leaked), 0);
  document.getElementById('leak-summary').textContent = S.leaked_bytes
    ? exact(S.leaked_bytes) + ' bytes in ' + exact(S.leaked_blocks) + ' blocks were still allocated at exit, from ' +
      exact(leakRows.length) + ' call stacks listed below' +
      (listedLeak < S.leaked_bytes ? ' (they hold ' + exact(listedLeak) + ' bytes; smaller leaking stacks are not listed)' : '') + '.'
    : 'No leaks: every block was freed before the program ended.';

  // ------------------------------------------------------------ heap over time
  const TL = D.timeline;
  const momentTitle = document.getElementById('moment-title');
  const momentTable = document.getElementById('moment-table');
  function showMoment(p) {
    const k = TL.stack_rows.length;
    const live = TL.live[p];
    momentTitle.textContent = (p === TL.peak ? 'At the heap peak, ' : 'At ') + duration(TL.t_ns[p]) + ': ' +
      size(live) + ' (' + exact(live) + ' B) live' + (TL.rss[p] != null ? ', RSS ' + size(TL.rss[p]) : '');
    const items = [];
    for (let s = 0; s < k; s++) {
      const v = TL.by_stack[p * k + s];
      if (v) items.push({ v, row: ROWS[TL.stack_rows[s]] });
    }
    items.sort((a, b) => b.v - a.v);
    momentTable.textContent = '';
    momentTable.append(el('thead', {}, el('tr', {}, el('th', { class: 'num', text: 'live then' }),
      el('th', { class: 'num', text: 'share' }), el('th', { text: 'allocating function' }), el('th', { text: 'source' }))));
    const body = el('tbody');
    for (const it of items) {
      const f = topFrame(it.row);
      const tr = el('tr', {}, el('td', { class: 'num', text: size(it.v), title: exact(it.v) + ' B' }),
        el('td', { class: 'num', text: pct(it.v, live) }), fnCell(it.row),
        el('td', { class: 'loc', text: f.loc + (f.mod ? ' (' + f.mod + ')' : '') }));
      expandable(tr, it.row, 4);
      body.append(tr);
    }
    if (TL.other[p]) {
      body.append(el('tr', {}, el('td', { class: 'num', text: size(TL.other[p]), title: exact(TL.other[p]) + ' B' }),
        el('td', { class: 'num', text: pct(TL.other[p], live) }),
        el('td', { colspan: '2', text: 'other stacks (the chart follows the ' + k + ' largest one by one)' })));
    }
    if (!items.length && !TL.other[p]) body.append(el('tr', {}, el('td', { colspan: '4', text: 'nothing live' })));
    momentTable.append(body);
  }

  function drawChart() {
    const box = document.getElementById('chart');
    const note = document.getElementById('chart-note');
    if (!TL || !S.allocations) {
      box.style.minHeight = '0';
      note.textContent = 'No allocations: the heap stayed empty.';
      return;
    }
    const xs = TL.t_ns.map((t) => t / 1e9);
    const hasRss = TL.rss.some((v) => v != null);
    const series = [{ label: 'time', value: (u, v) => (v == null ? '' : duration(Math.round(v * 1e9))) },
      { label: 'heap live', stroke: '#c2410c', fill: 'rgba(194,65,12,0.12)', width: 2,
        value: (u, v) => (v == null ? '' : size(v)) }];
    const data = [xs, TL.live];
    if (hasRss) {
      series.push({ label: 'RSS', stroke: '#2563eb', width: 1.5, dash: [6, 4], spanGaps: true,
        value: (u, v) => (v == null ? '' : size(v)) });
      data.push(TL.rss);
    }
    const bytesAxis = (u, vals) => vals.map((v) => size(v));
    // The peak and (later) snapshot markers are drawn over the series.
    const marks = (TL.markers || []).slice();
    function drawMarks(u) {
      const ctx = u.ctx;
      ctx.save();
      for (const m of marks) {
        const x = u.valToPos(m.t_ns / 1e9, 'x', true);
        ctx.strokeStyle = '#6b7280';
        ctx.setLineDash([3, 3]);
        ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
      }
      if (TL.peak != null) {
        const x = u.valToPos(xs[TL.peak], 'x', true), y = u.valToPos(TL.live[TL.peak], 'y', true);
        ctx.setLineDash([]);
        ctx.fillStyle = '#991b1b';
        ctx.beginPath(); ctx.arc(x, y, 5 * devicePixelRatio, 0, 2 * Math.PI); ctx.fill();
        ctx.font = (12 * devicePixelRatio) + 'px system-ui, sans-serif';
        const label = 'peak ' + size(TL.live[TL.peak]);
        const w = ctx.measureText(label).width;
        ctx.fillText(label, Math.min(x + 8 * devicePixelRatio, u.bbox.left + u.bbox.width - w), y + 4 * devicePixelRatio);
      }
      ctx.restore();
    }
    const opts = {
      width: Math.max(box.clientWidth, 320), height: 300, series,
      scales: { x: { time: false } },
      axes: [{ label: 'time (s)' }, { values: bytesAxis, size: 80 }],
      cursor: { drag: { x: true, y: false } },
      hooks: { draw: [drawMarks] },
      legend: { live: true },
    };
    const u = new uPlot(opts, data, box);
    // a click (a press without a drag) picks the nearest point
    let downX = null;
    u.over.addEventListener('mousedown', (e) => { downX = e.clientX; });
    u.over.addEventListener('mouseup', (e) => {
      if (downX != null && Math.abs(e.clientX - downX) < 3 && u.cursor.idx != null) showMoment(u.cursor.idx);
      downX = null;
    });
    window.addEventListener('resize', () => u.setSize({ width: Math.max(box.clientWidth, 320), height: 300 }));
    note.textContent = 'Live heap bytes' + (hasRss ? ' and RSS (dashed)' : '') + ' at ' + exact(TL.points) +
      ' moments of the run, the peak among them (the dot). Click a point to list the call stacks live then; ' +
      'drag to zoom, double-click to zoom out.' + (hasRss ? '' : ' The trace has no RSS samples.');
    showMoment(TL.peak != null ? TL.peak : TL.points - 1);
    window.msReport.chart = u;
  }

  // ------------------------------------------------------------ flame graph
  const metricSel = document.getElementById('fg-metric');
  for (const m of METRICS) metricSel.append(el('option', { value: m.key, text: m.label + ': ' + m.long }));
  const flameBox = document.getElementById('flame');
  const details = document.getElementById('fg-details');
  let chart = null;
  // Rebuilds the nested tree d3-flame-graph wants from the flat arrays
  // (breadth-first: a parent comes before its children).
  function hierarchy(t) {
    const nodes = t.n.map((f, i) => ({ f, v: t.v[i] }));
    for (let i = 1; i < nodes.length; i++) (nodes[t.p[i]].c || (nodes[t.p[i]].c = [])).push(nodes[i]);
    return nodes[0];
  }
  function drawFlame() {
    const m = METRICS.find((x) => x.key === metricSel.value);
    const view = document.getElementById('fg-view').value;
    const t = D.flame[view === 'bottomup' ? 'bottom_up' : 'top_down'][m.key];
    const note = document.getElementById('fg-note');
    flameBox.textContent = '';
    chart = null;
    if (!t.total) {
      flameBox.append(el('p', { class: 'note', text: 'No ' + m.long + ' in this trace: nothing to draw.' }));
      note.textContent = '';
      return;
    }
    const name = (d) => (d.parent ? FR[d.data.f][0] : 'all stacks');
    chart = flamegraph.default()
      .width(Math.max(flameBox.clientWidth, 320))
      .cellHeight(18)
      .transitionDuration(250)
      .minFrameSize(1)
      .inverted(view !== 'flame')
      .sort(false)
      .getName(name)
      .setLabelHandler((d) => {
        const f = d.parent ? frameText(d.data.f) : { fn: 'all stacks', loc: '', mod: '' };
        return f.fn + (f.loc ? '  ' + f.loc : '') + (f.mod ? '  (' + f.mod + ')' : '') + '  |  ' + m.label + ' ' +
          value(m, d.data.v) + (m.bytes ? ' (' + exact(d.data.v) + ' B)' : '') + ', ' + pct(d.data.v, t.total);
      })
      .setSearchMatch((d, term) => {
        if (!term) return false;
        let re;
        try { re = new RegExp(term, 'i'); } catch (e) { re = new RegExp(term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'); }
        return re.test(name(d));
      })
      .setSearchHandler((results, sum, total) => {
        details.textContent = results.length ? 'search: ' + results.length + ' frames, ' + value(m, sum) + ' = ' +
          pct(sum, total) + ' of the total' : 'search: no match';
      })
      .setDetailsElement(details);
    d3.select(flameBox).datum(hierarchy(t)).call(chart);
    const term = document.getElementById('fg-search').value;
    if (term) chart.search(term);
    note.textContent = 'Total ' + value(m, t.total) + (m.bytes ? ' (' + exact(t.total) + ' B)' : '') + '. ' +
      exact(t.nodes) + ' of ' + exact(t.all_nodes) + ' frames drawn' + (t.nodes < t.all_nodes
        ? ': frames below ' + (D.flame.min_fraction * 100) + '% of the total are hidden (their share stays in their ' +
          'callers\' width)' : '') + '. Stacks are merged by function. Click a frame to zoom, search to highlight.';
    window.msReport.flame = chart;
  }
  metricSel.addEventListener('change', drawFlame);
  document.getElementById('fg-view').addEventListener('change', drawFlame);
  document.getElementById('fg-search').addEventListener('input', (e) => {
    if (!chart) return;
    if (e.target.value) chart.search(e.target.value); else chart.clear();
  });
  document.getElementById('fg-reset').addEventListener('click', () => { if (chart) chart.resetZoom(); });

  document.getElementById('footer').textContent = 'Generated by ' + D.tool + ' from ' + D.trace + '. ' +
    'Frames are merged by function in the flame graph; tables keep whole call stacks.';

  window.msReport = { data: D };
  drawChart();
  drawFlame();
  document.body.dataset.ready = '1';
})();
