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
  // A sampled trace's byte figures are estimates: the half-width of the 95%
  // interval of one whose standard error is se (report --json's *_stderr).
  const SAMPLED = S.sample_rate > 0;
  const ci95 = (se) => Math.round(1.959963984540054 * se);
  const plusMinus = (se) => ' \u00b1 ' + size(ci95(se));
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
  if (SAMPLED) {
    warnings.push('Sampled trace: one sample per ' + size(S.sample_rate) + ' allocated on average. Bytes are ' +
      'estimates, shown \u00b1 the half-width of their 95% interval; allocation, free and block counts are ' +
      'counts of samples.');
  }
  if (warnings.length) { banner.textContent = warnings.join(' '); banner.hidden = false; }

  // exact bytes, or an estimate's interval
  const bytesLine = (v, se) => (SAMPLED ? exact(v) + ' B' + plusMinus(se) + ' (95%)' : exact(v) + ' B');
  const cards = [
    { id: 'peak', label: 'peak heap', v: S.peak_bytes, big: size(S.peak_bytes),
      exact: bytesLine(S.peak_bytes, S.peak_bytes_stderr),
      sub: S.peak_bytes ? 'at ' + duration(S.peak_time_ns) : 'no allocation' },
    { id: 'leaked', label: 'leaked at exit', v: S.leaked_bytes, big: size(S.leaked_bytes),
      exact: bytesLine(S.leaked_bytes, S.leaked_bytes_stderr), sub: 'in ' + exact(S.leaked_blocks) + ' blocks' },
    { id: 'allocations', label: SAMPLED ? 'allocation samples' : 'allocation calls', v: S.allocations,
      big: exact(S.allocations), exact: bytesLine(S.bytes_allocated, S.bytes_allocated_stderr) + ' allocated',
      sub: exact(S.frees) + ' frees' },
    SAMPLED
      ? { id: 'temporary', label: 'temporary allocations', v: '', big: 'unknown', exact: 'in a sampled trace',
        sub: 'the allocations between samples are not recorded' }
      : { id: 'temporary', label: 'temporary allocations', v: S.temporary_allocations,
        big: exact(S.temporary_allocations), exact: pct(S.temporary_allocations, S.allocations) + ' of calls',
        sub: 'freed before their thread allocated again' },
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

  // memcheck's classes of the blocks live at the exit scan (summary figures,
  // the same as report --json); without a scan only "leaked at exit" is known.
  const CLASSES = [
    { key: 'definite', name: 'definitely lost', json: 'definitely_lost' },
    { key: 'indirect', name: 'indirectly lost', json: 'indirectly_lost' },
    { key: 'possible', name: 'possibly lost', json: 'possibly_lost' },
    { key: 'reachable', name: 'still reachable', json: 'reachable' },
  ];
  const LK = D.leaks || { scan: false, paths: [] };
  const blocksText = (n) => exact(n) + (n === 1 ? ' block' : ' blocks');
  (function classCard() {
    const lost = CLASSES.slice(0, 3).reduce((t, c) => t + S[c.json + '_bytes'], 0);
    const card = el('div', { class: 'card', id: 'card-classes', 'data-value': LK.scan ? String(lost) : '' },
      el('div', { class: 'label', text: 'leaked by class' }));
    if (!LK.scan) {
      card.append(el('div', { class: 'big', text: 'no exit scan' }),
        el('div', { class: 'sub', text: 'only the bytes live at exit are known' }));
    } else {
      const t = el('table', { class: 'mini' });
      for (const c of CLASSES) {
        const b = S[c.json + '_bytes'], n = S[c.json + '_blocks'];
        t.append(el('tr', { 'data-class': c.key, 'data-bytes': String(b), 'data-blocks': String(n) },
          el('td', { class: 'cls-' + c.key, text: c.name }), el('td', { class: 'num', text: size(b), title: exact(b) + ' B' }),
          el('td', { class: 'num', text: exact(n) })));
      }
      card.append(el('div', { class: 'big', text: size(lost) + ' lost' }), t);
    }
    cardBox.append(card);
  })();

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
  // stackOf(item) is the stack row an item shows (null: not expandable).
  function sortableTable(table, cols, rows, sortCol, limit, more, stackOf) {
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
        const st = stackOf ? stackOf(row) : row;
        if (st) {
          expandable(tr, st, cols.length);
          tr.dataset.stackId = String(st[0]);
        }
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
    update.sorted = () => current.slice();
    return update;
  }

  // in a sampled trace a byte column shows each estimate's interval
  const seCol = (m) => (SAMPLED ? COL[m.col + '_stderr'] : undefined);
  const numCol = (m) => ({ label: m.label, num: true, get: (r) => metricOf(r, m),
    cell: (r) => {
      const v = metricOf(r, m), se = seCol(m) === undefined ? undefined : r[seCol(m)];
      return el('td', { class: 'num', text: value(m, v) + (se === undefined ? '' : plusMinus(se)),
        title: exact(v) + (se === undefined ? '' : ' B' + plusMinus(se) + ' (95%)') });
    } });
  const fnCol = { label: 'allocating function', get: (r) => topFrame(r).fn,
    cell: fnCell };
  const locCol = { label: 'source', get: (r) => topFrame(r).loc,
    cell: (r) => { const f = topFrame(r); return el('td', { class: 'loc', text: f.loc + (f.mod ? ' (' + f.mod + ')' : '') }); } };
  // a sampled trace does not know its temporary allocations
  const SHOWN = METRICS.filter((m) => !(SAMPLED && m.key === 'temporary'));
  const stackCols = [fnCol, locCol].concat(SHOWN.map(numCol),
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
  const bytesCol = (label, col) => ({ label, num: true, get: (r) => r[COL[col]],
    cell: (r) => el('td', { class: 'num', text: size(r[COL[col]]), title: exact(r[COL[col]]) + ' B' }) });
  // per class: bytes, with the blocks in the cell's tooltip and data
  const classCol = (c) => ({ label: c.name, num: true, get: (r) => r[COL[c.json + '_bytes']],
    cell: (r) => {
      const b = r[COL[c.json + '_bytes']], n = r[COL[c.json + '_blocks']];
      return el('td', { class: 'num' + (b || n ? ' cls-' + c.key : ''), text: n ? size(b) + ' / ' + exact(n) : '-',
        title: exact(b) + ' B in ' + blocksText(n), 'data-class': c.key, 'data-bytes': String(b), 'data-blocks': String(n) });
    } });
  const leakCols = [numCol(leaked), { label: 'blocks', num: true, get: (r) => r[COL.leaked_blocks],
    cell: (r) => el('td', { class: 'num', text: exact(r[COL.leaked_blocks]) }) }]
    .concat(LK.scan ? CLASSES.map(classCol).concat([bytesCol('retains', 'retained_bytes')]) : [numCol(METRICS[2])],
      [fnCol, locCol]);
  sortableTable(document.getElementById('leaks'), leakCols, leakRows, 0, 500, null)();
  const listedLeak = leakRows.reduce((s, r) => s + metricOf(r, leaked), 0);
  const leakSummary = document.getElementById('leak-summary');
  const leakNote = document.getElementById('leak-note');
  leakSummary.textContent = S.leaked_bytes
    ? exact(S.leaked_bytes) + ' bytes in ' + blocksText(S.leaked_blocks) + ' were still allocated at exit, from ' +
      exact(leakRows.length) + ' call stacks listed below' +
      (listedLeak < S.leaked_bytes ? ' (they hold ' + exact(listedLeak) + ' bytes; smaller leaking stacks are not listed)' : '') + '.'
    : 'No leaks: every block was freed before the program ended.';
  if (LK.scan) {
    const t = document.getElementById('leak-classes');
    t.append(el('thead', {}, el('tr', {}, el('th', { text: 'class (as valgrind memcheck)' }),
      el('th', { class: 'num', text: 'bytes' }), el('th', { class: 'num', text: 'blocks' }))));
    const body = el('tbody');
    for (const c of CLASSES) {
      const b = S[c.json + '_bytes'], n = S[c.json + '_blocks'];
      body.append(el('tr', { 'data-class': c.key, 'data-bytes': String(b), 'data-blocks': String(n) },
        el('td', { class: 'cls-' + c.key, text: c.name }), el('td', { class: 'num', text: exact(b) + ' B' }),
        el('td', { class: 'num', text: exact(n) })));
    }
    t.append(body);
    t.hidden = false;
    leakNote.textContent = 'The heap was scanned at exit (snapshot ' + LK.snapshot + '): a block no chain of pointers ' +
      'from a global, a thread stack, register or TLS reaches is lost (definitely: it heads its lost group; indirectly: ' +
      'another lost block points to it); possibly lost: reached only through an interior pointer; still reachable: ' +
      'reached. The table gives each call stack\'s bytes / blocks per class and the bytes it retains (keeps alive ' +
      'through its blocks alone).';
  } else if (S.leaked_blocks && SAMPLED) {
    leakNote.textContent = 'A sampled trace has no heap scan (a scan needs every block): the blocks are the ' +
      'samples live at exit, their bytes an estimate, with no leak classes or retention paths.';
  } else if (S.leaked_blocks) {
    leakNote.textContent = 'This trace has no heap scan at exit (the runtime scans on exit() or a return from main; ' +
      'the program was killed, aborted or ended with _exit): only the blocks live at exit are known, not whether ' +
      'anything still pointed to them, so there are no leak classes or retention paths.';
  }

  // Retention paths: the `memscope why --stack ID` document of each stack
  // that retains most, printed as that command prints it.
  const hex = (v) => '0x' + Number(v).toString(16);
  const sizeBytes = (v) => (v < 1024 ? size(v) : size(v) + ' (' + exact(v) + ' B)');
  const site = (b) => b.function + (b.file ? ' ' + base(b.file) + ':' + b.line : '');
  const blockLine = (b) => hex(b.address) + ' (' + size(b.size) + ', stack id ' + b.stack_id + ') allocated in ' + site(b);
  function whyText(w, row, heldBy) {
    const b = w.block;
    const lines = ['call stack ' + b.stack_id + ' at snapshot ' + w.snapshot + ' of ' + w.trace + ':'];
    for (const c of CLASSES) {
      const n = row[COL[c.json + '_blocks']];
      if (n) lines.push('  ' + c.name.padEnd(16) + ' ' + sizeBytes(row[COL[c.json + '_bytes']]) + ' in ' + exact(n) + ' blocks');
    }
    lines.push('  retains ' + sizeBytes(w.stack_retained_bytes) + '; the block that retains most:');
    lines.push('block ' + blockLine(b));
    const cls = CLASSES.find((c) => c.key === b.class);
    lines.push('  ' + (cls ? cls.name : b.class) + ', retains ' + sizeBytes(b.retained_bytes));
    if (!w.path.length) {
      lines.push('  no root reaches it: it is lost' + (heldBy ? ', held by the lost block ' + blockLine(heldBy) : ''));
      return lines.join('\n');
    }
    lines.push('  kept alive by (' + w.path.length + ' hop' + (w.path.length > 1 ? 's' : '') + '):');
    w.path.forEach((h, k) => {
      if (k === 0) lines.push('    ' + h.name);
      else lines.push('      at +' + h.from_offset);
      lines.push('    -> ' + blockLine(h.block) + (h.target_offset ? ' (interior pointer, +' + h.target_offset + ')' : ''));
    });
    return lines.join('\n');
  }
  if (LK.scan && LK.paths.length) {
    const box = document.getElementById('paths');
    for (const p of LK.paths) {
      const row = ROWS[p.row], f = topFrame(row);
      const w = p.why;
      box.append(el('div', { class: 'path', 'data-stack-id': String(w.block.stack_id) },
        el('h4', { text: f.fn + (f.loc ? '  ' + f.loc : '') + ': retains ' + sizeBytes(w.stack_retained_bytes) }),
        el('pre', { class: 'why', text: whyText(w, row, p.held_by) })));
    }
    document.getElementById('paths-note').textContent = 'Why the ' + LK.paths.length + ' call stacks that retain most ' +
      'are alive at the scan: for each, the block that retains most and the shortest chain of pointers from a root ' +
      'to it, as `memscope why --stack ID ' + base(D.trace) + '` prints it' +
      (LK.paths.length >= LK.paths_top ? ' (the first ' + LK.paths_top + ')' : '') + '.';
    document.getElementById('paths-box').hidden = false;
  }

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

  // Snapshot markers: every snapshot of the trace (time, id, label, reason,
  // live bytes and blocks, as report --json lists them), bounded in C.
  const MARKS = (TL && TL.markers) || [];
  const MARK_COLOUR = { api: '#4338ca', socket: '#0e7490', interval: '#6b7280', peak: '#991b1b', exit: '#374151' };
  const drawn = []; // the markers drawn, x in CSS pixels of the plot area (for hover, and tests)
  const markName = (m) => m.label || m.reason + ' #' + m.id;
  const snapText = (m) => 'snapshot ' + m.id + (m.label ? ' "' + m.label + '"' : '') + ' (' + m.reason + ') at ' +
    duration(m.time_ns) + ': ' + sizeBytes(m.live_bytes) + ' live in ' + blocksText(m.live_blocks);
  function markerAt(x) {
    let best = null;
    for (const d of drawn) if (Math.abs(d.x - x) <= 6 && (!best || Math.abs(d.x - x) < Math.abs(best.x - x))) best = d;
    return best && MARKS.find((m) => m.id === best.id);
  }
  function showSnapshot(m) {
    const p = document.getElementById('snap-info');
    p.textContent = snapText(m) + (m.scanned ? '; its heap was scanned (' + exact(m.roots) + ' roots, ' +
      exact(m.edges) + ' pointers between blocks)' : '') + '.';
    p.dataset.id = String(m.id);
    p.hidden = false;
  }
  function listMarkers() {
    const box = document.getElementById('markers-box');
    if (!MARKS.length) return;
    const ul = el('ul', { class: 'markers', id: 'markers' });
    for (const m of MARKS) {
      const li = el('li', { 'data-id': String(m.id), 'data-label': m.label, 'data-reason': m.reason, title: snapText(m) },
        el('span', { class: 'reason', text: m.reason }), ' #' + m.id + (m.label ? ' ' + m.label : '') + ' ' +
        duration(m.time_ns) + ', ' + size(m.live_bytes));
      li.addEventListener('click', () => showSnapshot(m));
      ul.append(li);
    }
    if (MARKS.length > 12) {
      box.append(el('details', {}, el('summary', { text: exact(MARKS.length) + ' snapshots marked on the chart' }), ul));
    } else {
      box.append(ul);
    }
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
    // The snapshot markers (a dashed line and a label each, labels left out
    // where they would overlap) and the peak are drawn over the series.
    function drawMarks(u) {
      const ctx = u.ctx, dpr = devicePixelRatio;
      ctx.save();
      ctx.font = (11 * dpr) + 'px system-ui, sans-serif';
      ctx.textBaseline = 'top';
      let free = -Infinity;
      drawn.length = 0;
      for (const m of MARKS) {
        const t = m.time_ns / 1e9;
        if (t < u.scales.x.min || t > u.scales.x.max) continue;
        const x = u.valToPos(t, 'x', true);
        ctx.strokeStyle = MARK_COLOUR[m.reason] || '#6b7280';
        ctx.lineWidth = dpr;
        ctx.setLineDash([4 * dpr, 3 * dpr]);
        ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
        const text = markName(m);
        const w = ctx.measureText(text).width;
        const lx = Math.min(x + 3 * dpr, u.bbox.left + u.bbox.width - w);
        const labelled = lx > free;
        if (labelled) {
          ctx.fillStyle = 'rgba(255,255,255,0.85)';
          ctx.fillRect(lx - dpr, u.bbox.top + 2 * dpr, w + 2 * dpr, 13 * dpr);
          ctx.fillStyle = MARK_COLOUR[m.reason] || '#374151';
          ctx.fillText(text, lx, u.bbox.top + 3 * dpr);
          free = lx + w + 6 * dpr;
        }
        drawn.push({ id: m.id, label: m.label, reason: m.reason, x: u.valToPos(t, 'x'), labelled });
      }
      ctx.setLineDash([]);
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
    // a click (a press without a drag) picks the nearest point, and the
    // snapshot under the pointer if any
    let downX = null;
    u.over.addEventListener('mousedown', (e) => { downX = e.clientX; });
    u.over.addEventListener('mouseup', (e) => {
      if (downX != null && Math.abs(e.clientX - downX) < 3) {
        if (u.cursor.idx != null) showMoment(u.cursor.idx);
        const m = markerAt(e.offsetX);
        if (m) showSnapshot(m);
      }
      downX = null;
    });
    const tip = document.getElementById('marker-tip');
    u.over.addEventListener('mousemove', (e) => {
      const m = markerAt(e.offsetX);
      if (!m) { tip.hidden = true; return; }
      tip.textContent = snapText(m);
      tip.hidden = false;
      const host = document.getElementById('timeline').getBoundingClientRect();
      const r = u.over.getBoundingClientRect();
      tip.style.left = Math.max(0, Math.min(r.left - host.left + e.offsetX + 12, host.width - tip.offsetWidth)) + 'px';
      tip.style.top = (r.top - host.top + e.offsetY + 14) + 'px';
    });
    u.over.addEventListener('mouseleave', () => { tip.hidden = true; });
    window.addEventListener('resize', () => u.setSize({ width: Math.max(box.clientWidth, 320), height: 300 }));
    note.textContent = 'Live heap bytes' + (hasRss ? ' and RSS (dashed)' : '') + ' at ' + exact(TL.points) +
      ' moments of the run, the peak among them (the dot)' + (MARKS.length ? ', and the snapshots (dashed lines: ' +
      'hover or click one for its figures)' : '') + '. Click a point to list the call stacks live then; ' +
      'drag to zoom, double-click to zoom out.' + (hasRss ? '' : ' The trace has no RSS samples.') +
      (MARKS.length < (TL.markers_total || 0) ? ' The trace has ' + exact(TL.markers_total) + ' snapshots; ' +
        exact(MARKS.length) + ' of them, evenly spaced, are marked.' : '');
    listMarkers();
    showMoment(TL.peak != null ? TL.peak : TL.points - 1);
    window.msReport.chart = u;
  }

  // ------------------------------------------------------------ snapshot diff
  // D.diff holds, per listed stack, cells [b, d, blocks, bytes]: blocks live at
  // the chosen snapshots b .. d-1 (C's snapshot spans). Between A and B a
  // block is added when live at B and not at A, freed when the reverse: the
  // same as `memscope diff TRACE A B`, block by block.
  const DF = D.diff;
  function spanSums(cells, a, b) {
    const r = { a_blocks: 0, a_bytes: 0, b_blocks: 0, b_bytes: 0, added_blocks: 0, added_bytes: 0,
      freed_blocks: 0, freed_bytes: 0, net_bytes: 0 };
    for (let i = 0; i < cells.length; i += 4) {
      const lo = cells[i], hi = cells[i + 1], n = cells[i + 2], by = cells[i + 3];
      const inA = lo <= a && a < hi, inB = lo <= b && b < hi;
      if (inA) { r.a_blocks += n; r.a_bytes += by; }
      if (inB) { r.b_blocks += n; r.b_bytes += by; }
      if (inB && !inA) { r.added_blocks += n; r.added_bytes += by; }
      if (inA && !inB) { r.freed_blocks += n; r.freed_bytes += by; }
    }
    r.net_bytes = r.b_bytes - r.a_bytes;
    return r;
  }
  const signed = (v, f) => (v > 0 ? '+' : v < 0 ? '\u2212' : '') + f(Math.abs(v));
  const snapName = (sn) => '#' + sn.id + (sn.label ? ' ' + sn.label : '') + ' (' + sn.reason + ', ' + duration(sn.time_ns) + ')';
  function setupDiff() {
    const summary = document.getElementById('diff-summary');
    const note = document.getElementById('diff-note');
    if (!DF) {
      summary.textContent = (S.snapshots || []).length === 1
        ? 'The trace has one snapshot: a diff needs two (take them with memscope_snapshot() or ' +
          '`memscope snapshot -p PID`).'
        : 'The trace has no snapshots: a diff needs two (take them with memscope_snapshot() or ' +
          '`memscope snapshot -p PID`).';
      return;
    }
    const selA = document.getElementById('diff-a'), selB = document.getElementById('diff-b');
    DF.snapshots.forEach((sn, i) => {
      selA.append(el('option', { value: String(i), text: snapName(sn) }));
      selB.append(el('option', { value: String(i), text: snapName(sn) }));
    });
    selA.value = '0';
    selB.value = String(DF.snapshots.length - 1);
    document.getElementById('diff-controls').hidden = false;
    const n = (v) => exact(v);
    const cols = [
      { label: 'net bytes', num: true, get: (x) => x.d.net_bytes,
        cell: (x) => el('td', { class: 'num ' + (x.d.net_bytes > 0 ? 'grow' : x.d.net_bytes < 0 ? 'shrink' : ''),
          text: signed(x.d.net_bytes, n) + ' B', 'data-net': String(x.d.net_bytes) }) },
      { label: 'added blocks', num: true, get: (x) => x.d.added_blocks,
        cell: (x) => el('td', { class: 'num', text: signed(x.d.added_blocks, n), 'data-v': String(x.d.added_blocks) }) },
      { label: 'added bytes', num: true, get: (x) => x.d.added_bytes,
        cell: (x) => el('td', { class: 'num', text: signed(x.d.added_bytes, n) + ' B', 'data-v': String(x.d.added_bytes) }) },
      { label: 'freed blocks', num: true, get: (x) => x.d.freed_blocks,
        cell: (x) => el('td', { class: 'num', text: signed(-x.d.freed_blocks, n), 'data-v': String(x.d.freed_blocks) }) },
      { label: 'freed bytes', num: true, get: (x) => x.d.freed_bytes,
        cell: (x) => el('td', { class: 'num', text: signed(-x.d.freed_bytes, n) + ' B', 'data-v': String(x.d.freed_bytes) }) },
      { label: 'live at A', num: true, get: (x) => x.d.a_bytes,
        cell: (x) => el('td', { class: 'num', text: size(x.d.a_bytes) + ' / ' + n(x.d.a_blocks), title: exact(x.d.a_bytes) + ' B in ' + blocksText(x.d.a_blocks) }) },
      { label: 'live at B', num: true, get: (x) => x.d.b_bytes,
        cell: (x) => el('td', { class: 'num', text: size(x.d.b_bytes) + ' / ' + n(x.d.b_blocks), title: exact(x.d.b_bytes) + ' B in ' + blocksText(x.d.b_blocks) }) },
      { label: 'allocating function', get: (x) => (x.row ? topFrame(x.row).fn : ''),
        cell: (x) => (x.row ? fnCell(x.row) : el('td', { class: 'fn', text: x.name })) },
      { label: 'source', get: (x) => (x.row ? topFrame(x.row).loc : ''),
        cell: (x) => (x.row ? locCol.cell(x.row) : el('td', { class: 'loc', text: '' })) },
    ];
    const table = document.getElementById('diff');
    const update = sortableTable(table, cols, [], 0, 300, null, (x) => x.row);
    function render() {
      const a = +selA.value, b = +selB.value;
      const A = DF.snapshots[a], B = DF.snapshots[b];
      const items = [];
      const tot = spanSums(DF.other, a, b);
      const other = spanSums(DF.other, a, b);
      for (const [r, cells] of DF.rows) {
        const d = spanSums(cells, a, b);
        for (const k in tot) tot[k] += d[k];
        if (d.added_blocks || d.freed_blocks) items.push({ row: ROWS[r], d });
      }
      // memscope diff's order: net growth, then added bytes
      items.sort((x, y) => y.d.net_bytes - x.d.net_bytes || y.d.added_bytes - x.d.added_bytes);
      if (other.added_blocks || other.freed_blocks) items.push({ row: null, d: other, name: 'other stacks (summed)' });
      update(items);
      summary.textContent = a === b ? 'Pick two different snapshots.' : 'From ' + snapName(A) + ' to ' + snapName(B) +
        ': ' + signed(tot.added_blocks, n) + ' blocks (' + signed(tot.added_bytes, n) + ' B) added, ' +
        n(tot.freed_blocks) + ' blocks (' + n(tot.freed_bytes) + ' B) freed, net ' + signed(tot.net_bytes, n) +
        ' B; live ' + n(tot.a_bytes) + ' B in ' + blocksText(tot.a_blocks) + ' \u2192 ' + n(tot.b_bytes) + ' B in ' +
        blocksText(tot.b_blocks) + '.';
      summary.dataset.total = JSON.stringify(tot);
      const changed = items.length - (items.length && !items[items.length - 1].row ? 1 : 0);
      const pruned = DF.stacks_listed < DF.stacks_changed;
      note.textContent = exact(changed) + (pruned ? ' listed' : '') + ' call stacks changed between the two' +
        (pruned ? '; the ' + exact(DF.stacks_listed) + ' of the ' +
          exact(DF.stacks_changed) + ' stacks that change most between any snapshots are listed one by one, the ' +
          'others are summed in the last row' : '') + '. Blocks live at both moments are the same allocations ' +
        '(as `memscope diff ' + base(D.trace) + ' ' + A.id + ' ' + B.id + '`). Click a row for its call stack.' +
        (DF.snapshots.length < DF.snapshots_total ? ' The trace has ' + exact(DF.snapshots_total) +
          ' snapshots; the diff offers ' + exact(DF.snapshots.length) + ' of them, evenly spaced.' : '');
    }
    selA.addEventListener('change', render);
    selB.addEventListener('change', render);
    render();
  }

  // ------------------------------------------------------------ flame graph
  const metricSel = document.getElementById('fg-metric');
  for (const m of SHOWN) metricSel.append(el('option', { value: m.key, text: m.label + ': ' + m.long }));
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

  window.msReport = { data: D, markers: drawn };
  drawChart();
  setupDiff();
  drawFlame();
  document.body.dataset.ready = '1';
})();
