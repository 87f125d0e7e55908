// Opens a memscope HTML report (or SVG) in headless Chromium through
// playwright-core and prints what the e2e tests check, as one JSON object:
// console errors, the summary cards, how many distinct colours the chart
// and the flame graph regions have in a screenshot, whether a click on a
// flame graph frame zooms it to the full width, the snapshot markers (and
// what hovering and clicking them shows), the leak classes and retention
// paths, and the snapshot diff view.
// usage: node check_page.js FILE.html|FILE.svg SCREENSHOT.png
// NODE_PATH must hold BUILD/web/node_modules (playwright-core).
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Distinct colours of a PNG (a screenshot), counted in a blank page's canvas.
async function colours(browser, png) {
  const page = await browser.newPage();
  const n = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  }, png.toString('base64'));
  await page.close();
  return n;
}

// The chart's plot area in the viewport, scrolled into view first (the
// screenshots of later elements scroll the page).
async function overBox(page) {
  await page.$eval('#chart', (c) => c.scrollIntoView({ block: 'center' }));
  return page.$eval('#chart .u-over', (o) => { const r = o.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; });
}

// The leak classes as the page shows them: the summary card, the class
// table, per stack (leak table cells), and the retention paths' text.
async function checkLeaks(page, out) {
  const rows = (sel) => page.$$eval(sel, (rs) => rs.map((r) => ({ class: r.dataset.class, bytes: +r.dataset.bytes,
    blocks: +r.dataset.blocks })));
  out.class_card = await rows('#card-classes tr[data-class]');
  out.leak_classes = await rows('#leak-classes tbody tr');
  out.leak_stacks = await page.$$eval('#leaks tbody tr', (rs) => rs.map((r) => {
    const c = {};
    r.querySelectorAll('td[data-class]').forEach((td) => { c[td.dataset.class] = [+td.dataset.bytes, +td.dataset.blocks]; });
    return { stack_id: +r.dataset.stackId, classes: c };
  }));
  out.leak_note = await page.$eval('#leak-note', (p) => p.textContent);
  out.paths = await page.$$eval('#paths .path', (ps) => ps.map((p) => ({ stack_id: +p.dataset.stackId,
    text: p.querySelector('pre').textContent })));
}

// The snapshot markers: those drawn on the chart (window.msReport.markers:
// id, label, x in the plot area), the list under it, and for each drawn one
// the tooltip shown when the pointer is over its line and the panel a click
// on it fills.
async function checkSnapshots(page, out, chart) {
  out.markers_drawn = await page.evaluate(() => (window.msReport.markers || []).map((m) => ({ ...m })));
  out.marker_list = await page.$$eval('#markers li', (ls) => ls.map((l) => ({ id: +l.dataset.id, label: l.dataset.label,
    reason: l.dataset.reason, text: l.textContent })));
  out.marker_hover = [];
  if (!chart) return;
  const box = await overBox(page);
  for (const m of out.markers_drawn.slice(0, 10)) {
    await page.mouse.move(box[0] + m.x, box[1] + box[3] * 0.6);
    const tip = await page.$eval('#marker-tip', (t) => (t.hidden ? null : t.textContent));
    await page.mouse.click(box[0] + m.x, box[1] + box[3] * 0.6);
    const info = await page.$eval('#snap-info', (p) => (p.hidden ? null : { id: +p.dataset.id, text: p.textContent }));
    out.marker_hover.push({ id: m.id, tip, info });
  }
  await page.mouse.move(0, 0);
}

// The diff view: its snapshots, the default pair, and each pair of snapshot
// ids in MS_DIFF_PAIRS ("1:2,1:3") picked in the two selects.
async function checkDiff(page, out) {
  const shown = await page.$eval('#diff-controls', (c) => !c.hidden);
  out.diff_summary = await page.$eval('#diff-summary', (p) => p.textContent);
  if (!shown) return;
  const read = () => page.evaluate(() => ({
    a: +document.getElementById('diff-a').value, b: +document.getElementById('diff-b').value,
    summary: document.getElementById('diff-summary').textContent,
    total: JSON.parse(document.getElementById('diff-summary').dataset.total || 'null'),
    rows: [...document.querySelectorAll('#diff tbody tr')].map((r) => {
      const v = [...r.querySelectorAll('td[data-v]')].map((td) => +td.dataset.v);
      return { stack_id: r.dataset.stackId ? +r.dataset.stackId : null, net: +r.querySelector('td[data-net]').dataset.net,
        added_blocks: v[0], added_bytes: v[1], freed_blocks: v[2], freed_bytes: v[3],
        function: r.querySelector('td.fn').firstChild.textContent };
    }),
  }));
  out.diff_snapshots = await page.evaluate(() => window.msReport.data.diff.snapshots.map((s) => s.id));
  out.diff_default = await read();
  out.diff_pairs = {};
  for (const pair of (process.env.MS_DIFF_PAIRS || '').split(',').filter(Boolean)) {
    const [a, b] = pair.split(':').map(Number);
    await page.evaluate(([a, b]) => {
      const ids = window.msReport.data.diff.snapshots.map((s) => s.id);
      for (const [sel, id] of [['diff-a', a], ['diff-b', b]]) {
        const e = document.getElementById(sel);
        e.value = String(ids.indexOf(id));
        e.dispatchEvent(new Event('change'));
      }
    }, [a, b]);
    out.diff_pairs[pair] = await read();
  }
}

async function checkHtml(browser, page, out, shot, t0) {
  await page.waitForSelector('body[data-ready="1"]', { timeout: 60000 });
  out.ready_ms = Date.now() - t0;
  out.cards = await page.$$eval('.card', (cs) => cs.map((c) => ({ id: c.id, value: c.dataset.value, text: c.innerText })));
  out.banner = await page.$eval('#banner', (b) => (b.hidden ? null : b.textContent));
  out.text = await page.evaluate(() => document.body.innerText);
  const chart = await page.$('#chart canvas');
  out.chart_colours = chart ? await colours(browser, await chart.screenshot()) : 0;
  const flame = await page.$('#flame svg');
  out.flame_colours = flame ? await colours(browser, await flame.screenshot()) : 0;
  out.flame_frames = await page.$$eval('#flame svg g.frame', (gs) => gs.length);
  out.moment_rows = await page.$$eval('#moment-table tbody tr', (rs) => rs.length);
  out.moment_before = await page.$eval('#moment-title', (t) => t.textContent);
  out.stack_rows = await page.$$eval('#stacks tbody tr', (rs) => rs.length);
  out.leak_rows = await page.$$eval('#leaks tbody tr', (rs) => rs.length);
  await page.screenshot({ path: shot, fullPage: !!process.env.MS_FULL_PAGE });
  await checkLeaks(page, out);
  await checkSnapshots(page, out, chart);
  await checkDiff(page, out);
  if (!flame) return;
  // the widest frame that is not full width: after a click it must be
  const pick = await page.evaluate(() => {
    const svgW = +document.querySelector('#flame svg').getAttribute('width');
    let best = null;
    document.querySelectorAll('#flame svg g.frame').forEach((g, i) => {
      const w = +g.querySelector('rect').getAttribute('width');
      if (w < svgW * 0.95 && w > 20 && (!best || w > best.w)) best = { i, w, name: g.getAttribute('name') };
    });
    return best && { ...best, svgW };
  });
  out.zoom = { picked: pick };
  if (!pick) return;
  await page.locator('#flame svg g.frame').nth(pick.i).click();
  await page.waitForTimeout(900); // the zoom transition takes 250 ms
  out.zoom.after = await page.evaluate((name) => {
    const g = [...document.querySelectorAll('#flame svg g.frame')].find((x) => x.getAttribute('name') === name);
    return g ? +g.querySelector('rect').getAttribute('width') : null;
  }, pick.name);
  // a click on the chart lists the stacks live at that moment
  if (chart) {
    const box = await overBox(page);
    await page.mouse.click(box[0] + box[2] * 0.25, box[1] + box[3] / 2);
    out.moment_after_click = await page.$eval('#moment-title', (t) => t.textContent);
  }
}

async function checkSvg(browser, page, out, shot) {
  const svg = await page.$('svg');
  out.svg_colours = svg ? await colours(browser, await svg.screenshot()) : 0;
  out.svg_frames = await page.$$eval('g.f', (gs) => gs.length);
  await page.screenshot({ path: shot });
  const pick = await page.evaluate(() => {
    let best = null;
    document.querySelectorAll('g.f').forEach((g, i) => {
      const w = +g.querySelector('rect').getAttribute('width');
      if (w < 1100 && w > 20 && (!best || w > best.w)) best = { i, w };
    });
    return best;
  });
  out.zoom = { picked: pick };
  if (!pick) return;
  await page.locator('g.f').nth(pick.i).click();
  out.zoom.after = await page.evaluate((i) => +document.querySelectorAll('g.f')[i].querySelector('rect').getAttribute('width'), pick.i);
  out.zoom.reset_visible = await page.$eval('#reset', (r) => r.style.display !== 'none');
}

(async () => {
  const [file, shot] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: process.env.MS_CHROMIUM || '/usr/bin/chromium', args: ARGS });
  const out = { console_errors: [], page_errors: [], requests: [] };
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (m) => { if (m.type() === 'error') out.console_errors.push(m.text()); });
    page.on('pageerror', (e) => out.page_errors.push(String(e)));
    // a self-contained report asks for nothing but itself
    page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) out.requests.push(r.url()); });
    const t0 = Date.now();
    await page.goto('file://' + path.resolve(file), { waitUntil: 'load', timeout: 120000 });
    if (file.endsWith('.svg')) await checkSvg(browser, page, out, shot);
    else await checkHtml(browser, page, out, shot, t0);
    out.total_ms = Date.now() - t0;
  } catch (e) {
    out.error = String(e && e.stack || e);
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
})();
