// Calendar render in the app's own window: the release binary under Xvfb, its WebKitGTK webview
// driven through tauri-driver + WebKitWebDriver, the real IPC and a real store seeded by
// calendar-webkit.sh. Run it through that wrapper, which seeds the store and sets the environment:
//   SLOTLINE_BIN             the app under test
//   CALENDAR_BENCH_PLAN      "YYYY-MM:n …": each month measured and how many meetings were seeded
//                            in it (counted in the SQLite file); the month before each is empty
//   CALENDAR_BENCH_MODES     WEBKIT_DISABLE_COMPOSITING_MODE values to measure, "1 0" by default
//   CALENDAR_BENCH_RUNS      runs per month with 600 meetings (default 15; 5,000: half, min 5)
//   SLOTLINE_BENCH_SUMMARY   (optional) the file the summary's JSON lines are appended to
//   CALENDAR_BENCH_SHOTS     (optional) a folder for a screenshot of each month, after its runs
// The measurement in the page is render.mjs's: click FullCalendar's "next", loop on animation
// frames until every meeting of that month is shown (a tile, or counted in a "+N more"), then
// wait for that frame to be painted; go back. The baseline in the same page and run appends the
// same number of tiles as the calendar had in its DOM to a plain grid in an overlay.
import { appendFileSync, readFileSync } from 'node:fs';
import { withAppWindow } from './webdriver.mjs';

const BIN = process.env.SLOTLINE_BIN;
const PLAN = (process.env.CALENDAR_BENCH_PLAN || '').trim().split(/\s+/).map((s) => {
  const m = /^(\d{4})-(\d{2}):(\d+)$/.exec(s);
  if (!m) throw new Error(`CALENDAR_BENCH_PLAN: cannot read "${s}"`);
  return { year: Number(m[1]), month: Number(m[2]), n: Number(m[3]) };
});
const MODES = (process.env.CALENDAR_BENCH_MODES || '1 0').trim().split(/\s+/);
const RUNS = Number(process.env.CALENDAR_BENCH_RUNS) || 15;
const TARGETS = { 600: 150, 5000: 1000 };
const ORDER = { 600: 40, 5000: 41 };
if (!BIN || !PLAN.length) throw new Error('run through tests/bench/calendar-webkit.sh');

const runsFor = (n) => (n >= 5000 ? Math.max(5, Math.round(RUNS / 2)) : RUNS);
/** The 15th of a month as FullCalendar's day cells name it: only that month's grid has it. */
const day15 = (year, month) => `${year}-${String(month).padStart(2, '0')}-15`;
const before = ({ year, month }) => (month === 1 ? { year: year - 1, month: 12 } : { year, month: month - 1 });
const monthName = ({ year, month }) =>
  new Date(Date.UTC(year, month - 1, 15)).toLocaleString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), min: s[0], max: s[s.length - 1], p90: q(0.9), runs: s.length };
}

/** In the page: how many meetings the grid shows (render.mjs's probe) and which month it is. */
function installProbe() {
  window.__benchShown = () => {
    let shown = 0;
    for (const h of document.querySelectorAll('.fc-daygrid-event-harness')) {
      const hidden = h.style.visibility === 'hidden';
      if (!hidden && h.querySelector('[data-testid="calendar-event"]')) shown++;
      const folded = h.querySelector('[data-testid="calendar-more"]');
      if (folded) shown += Number(folded.dataset.moreCount) - (hidden ? 1 : 0);
    }
    let more = 0;
    for (const a of document.querySelectorAll('.fc-daygrid-more-link')) {
      const m = /\d+/.exec(a.textContent || '');
      if (m) more += Number(m[0]);
    }
    return shown + more;
  };
  window.__benchOn = (day) => !!document.querySelector(`.fc-daygrid-day[data-date="${day}"]`);
}

/** Clicks "next" or "prev" and waits until the grid shows `day` and at least `expected` meetings. */
async function go(browser, button, day, expected) {
  await browser.execute((button) => document.querySelector(button).click(), button);
  await browser.waitUntil(() => browser.execute((day, expected) => window.__benchOn(day) && window.__benchShown() >= expected, day, expected), {
    timeout: 60000,
    interval: 50,
    timeoutMsg: `the calendar never showed ${day} with ${expected} meetings`,
  });
}

/** The month before `target` → `target` (measured), then back; `fromDay` is the month before's 15th. */
async function measureMonth(browser, target, expected, fromDay) {
  const ms = await browser.execute(async (day, expected) => {
    const t0 = performance.now();
    document.querySelector('.fc-next-button').click();
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      if (window.__benchOn(day) && window.__benchShown() >= expected) break;
      // Not `error`: webdriverio reads a result with that key as a WebDriver error and retries.
      if (performance.now() - t0 > 30_000) return { failure: `only ${window.__benchShown()} of ${expected} meetings shown` };
    }
    // The frame whose rAF saw every meeting in the DOM is painted before this task runs.
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return { ms: performance.now() - t0, tiles: document.querySelectorAll('.fc .fc-daygrid-event-harness').length };
  }, day15(target.year, target.month), expected);
  if (ms.failure) throw new Error(`${monthName(target)}: ${ms.failure}`);
  await go(browser, '.fc-prev-button', fromDay, 0);
  await browser.execute(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
  return ms;
}

/** A plain grid in an overlay of the same page: append `tiles` tile-like links at once, until painted. */
async function measurePlain(browser, tiles) {
  return browser.execute(async (tiles) => {
    const overlay = document.createElement('div');
    overlay.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:#fff;overflow:hidden';
    overlay.innerHTML = '<div style="display:grid;grid-template-columns:repeat(7,1fr);font:12px sans-serif"></div>';
    document.body.appendChild(overlay);
    const grid = overlay.firstChild;
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const t0 = performance.now();
    const frag = document.createDocumentFragment();
    for (let i = 0; i < tiles; i++) {
      const a = document.createElement('a');
      a.className = 'tile';
      a.setAttribute('role', 'button');
      a.setAttribute('aria-label', `Meeting ${i}`);
      a.innerHTML = `<span class="dot"></span><span>09:30</span> <span>Client ${i}</span>`;
      frag.appendChild(a);
    }
    grid.appendChild(frag);
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const ms = performance.now() - t0;
    overlay.remove();
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return ms;
  }, tiles);
}

/** Not a baseline, a breakdown: the month's `list_events` over the real IPC alone, as the calendar
 *  asks for it (its six-week grid, here a week either side), with the meetings it returned. */
async function measureIpc(browser, target, runs) {
  const from = new Date(Date.UTC(target.year, target.month - 1, 1) - 7 * 86400000).toISOString();
  const to = new Date(Date.UTC(target.year, target.month, 1) + 14 * 86400000).toISOString();
  const out = await browser.execute(async (from, to, runs) => {
    const ms = [];
    let count = 0;
    for (let i = 0; i < runs + 2; i++) {
      const t0 = performance.now();
      const events = await window.__TAURI_INTERNALS__.invoke('list_events', { from, to, includeCanceled: false });
      if (i >= 2) ms.push(performance.now() - t0);
      count = events.length;
    }
    return { ms, count };
  }, from, to, runs);
  if (out.count !== target.n) throw new Error(`${monthName(target)}: list_events returned ${out.count} meetings, ${target.n} were seeded`);
  return out.ms;
}

/** WebKitWebDriver's screenshot, timed: app.rs notes it can wait for a repaint that an idle page
 *  painting without compositing never makes. */
async function screenshot(browser, path) {
  const t0 = Date.now();
  const stalled = new Promise((_, reject) => setTimeout(() => reject(new Error(`the screenshot ${path} stalled for 30 s`)), 30000));
  await Promise.race([browser.saveScreenshot(path), stalled]);
  console.error(`calendar bench: screenshot ${path} in ${Date.now() - t0} ms`);
}

/** One window in one rendering mode: every month of the plan, and its plain-DOM baseline. */
async function measureMode(mode) {
  return withAppWindow(BIN, mode, async (browser) => {
    const rows = [];
    await browser.setTimeout({ script: 120000 });
    const size = await browser.execute(() => [window.innerWidth, window.innerHeight, devicePixelRatio]);
    await (await browser.$('[data-testid="nav-calendar"]')).waitForClickable({ timeout: 60000 });
    await (await browser.$('[data-testid="nav-calendar"]')).click();
    const monthButton = await browser.$('.fc-dayGridMonth-button');
    await monthButton.waitForClickable({ timeout: 60000 });
    await monthButton.click();
    await (await browser.$('.fc-dayGridMonth-view')).waitForExist({ timeout: 30000 });
    // The start-up sync retries an unreachable Calendly for a few seconds, and the window shows its
    // progress: measure once it has given up ("Sync stopped", as offline), and things settled.
    await browser.waitUntil(async () => /Sync stopped/.test(await (await browser.$('[data-testid="status-line"]')).getText()), {
      timeout: 120000,
      interval: 250,
      timeoutMsg: 'the start-up sync never gave up (is the sandbox still running?)',
    });
    await new Promise((r) => setTimeout(r, 2000));
    await browser.execute(installProbe);
    // The calendar opens on this month (the real clock); walk to the month before the first target.
    const today = new Date();
    let at = { year: today.getUTCFullYear(), month: today.getUTCMonth() + 1 };
    for (const target of PLAN) {
      const from = before(target);
      while (at.year * 12 + at.month < from.year * 12 + from.month) {
        at = at.month === 12 ? { year: at.year + 1, month: 1 } : { year: at.year, month: at.month + 1 };
        await go(browser, '.fc-next-button', day15(at.year, at.month), 0);
      }
      const fromDay = day15(from.year, from.month);
      const runs = runsFor(target.n);
      // Two warm-up rounds (JIT, fonts, style caches, the store's pages), not counted.
      for (let i = 0; i < 2; i++) await measureMonth(browser, target, target.n, fromDay);
      const ms = [];
      const seen = new Set();
      for (let i = 0; i < runs; i++) {
        const run = await measureMonth(browser, target, target.n, fromDay);
        ms.push(run.ms);
        seen.add(run.tiles);
      }
      // Count the calendar's tiles of the month, then measure as many plain ones from there.
      await go(browser, '.fc-next-button', day15(target.year, target.month), target.n);
      at = target;
      const tiles = await browser.execute(() => document.querySelectorAll('.fc .fc-daygrid-event-harness').length);
      if (process.env.CALENDAR_BENCH_SHOTS) await screenshot(browser, `${process.env.CALENDAR_BENCH_SHOTS}/calendar-${target.year}-${target.month}-mode${mode}.png`);
      // The runs' own tile counts too: the month view folds busy days to the room it measures on
      // screen when it asks for the meetings, which need not be the same every time.
      seen.add(tiles);
      const counts = [...seen].sort((a, b) => a - b);
      const dom = counts.length > 1 ? `${tiles} (runs: ${counts.join(', ')})` : tiles;
      rows.push({ mode, n: target.n, month: monthName(target), subject: target.n ? 'Slotline calendar' : 'empty month (baseline: FullCalendar alone)', ...stats(ms), dom });
      if (target.n > 0) {
        for (let i = 0; i < 2; i++) await measurePlain(browser, tiles);
        const plain = [];
        for (let i = 0; i < runs; i++) plain.push(await measurePlain(browser, tiles));
        rows.push({ mode, n: target.n, month: monthName(target), subject: `plain DOM: the same ${tiles} tiles appended at once (baseline)`, ...stats(plain), dom: tiles });
      }
      const ipc = await measureIpc(browser, target, runs);
      rows.push({ mode, n: target.n, month: monthName(target), subject: `(breakdown) \`list_events\` alone over the IPC: ${target.n} meetings`, ...stats(ipc), dom: '–' });
    }
    for (const r of rows) r.viewport = `${size[0]}×${size[1]}`;
    return { rows, size };
  });
}

const modeName = (m) => (m === '1' ? 'compositing off' : 'compositing on');
const all = [];
// The machine's load beside the times: other work on its cores shows in every row.
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const loadBefore = load();
// A mode that fails (a month never showing all its meetings, a stalled WebDriver) fails the bench.
for (const mode of MODES) {
  const { rows } = await measureMode(mode);
  all.push(...rows);
}
const loadAfter = load();

const fmt = (x) => x.toFixed(1);
const build = /release/.test(BIN) ? 'release build' : /debug/.test(BIN) ? 'debug build' : 'build under test';
console.log("## Calendar render (month view, the app's WebKitGTK window)\n");
console.log(
  `Slotline's ${build} under Xvfb, its own WebKitGTK webview (the viewport in the table) driven through tauri-driver and WebKitWebDriver, ` +
    'the real IPC and a real store: an account connected from the sandbox, which is then stopped (the start-up sync fails as offline and removes nothing; the runs start once the window says so), ' +
    'and meetings added through the apply path (`tests/bench/calendar_seed.rs`) laid out as in the Chromium bench: the month\'s weekdays, 08:00–18:00 UTC, 30 or 60 minutes, named invitees; TZ=UTC. ' +
    'Each measured month follows an empty one and is counted in the SQLite file before the run. ' +
    'Inside the page each run clicks FullCalendar\'s "next" (the empty month before → the month) and stops the clock after the frame in which every meeting of the month is shown ' +
    '(a tile, or counted in its day\'s "+N more") has been painted; then it goes back. ' +
    `Medians of ${RUNS} runs (${runsFor(5000)} with 5,000 meetings) after two warm-up runs. ` +
    'Baselines in the same window and run: a month with no meetings (FullCalendar alone, and the IPC round trip), and a plain grid in an overlay of the same page appending at once as many tile-like links as the calendar had tiles in its DOM. ' +
    'The breakdown row times the month\'s `list_events` alone over the real IPC (the rows it returns are checked against the seeded count). ' +
    'Rendering mode: "compositing off" (`WEBKIT_DISABLE_COMPOSITING_MODE=1`) is how the shipped app paints on a machine without a GPU such as this one (src-tauri/src/app.rs); ' +
    '"compositing on" is how it paints with a GPU (here in software OpenGL). Each mode is a fresh app process (its environment is checked in /proc), stopped afterwards.\n',
);
console.log('| meetings in the month | rendering (viewport) | subject | median ms | min–max ms | p90 ms | tiles in the DOM |');
console.log('| ---: | --- | --- | ---: | ---: | ---: | ---: |');
for (const r of all) {
  console.log(`| ${r.n} (${r.month}) | ${modeName(r.mode)} (${r.viewport}) | ${r.subject} | ${fmt(r.median)} | ${fmt(r.min)}–${fmt(r.max)} | ${fmt(r.p90)} | ${r.dom} |`);
}
console.log(`\nLoad average (1, 5, 15 min) before the runs: ${loadBefore}; after: ${loadAfter} (${(await import('node:os')).cpus().length} cores).`);

const lines = [];
for (const [n, target] of Object.entries(TARGETS)) {
  const r = all.find((x) => x.mode === '1' && x.n === Number(n) && x.subject === 'Slotline calendar');
  if (!r) continue;
  const plain = all.find((x) => x.mode === '1' && x.n === Number(n) && x.subject.startsWith('plain DOM'));
  const empty = all.find((x) => x.mode === '1' && x.n === 0);
  const on = all.find((x) => x.mode === '0' && x.n === Number(n) && x.subject === 'Slotline calendar');
  const label = Number(n).toLocaleString('en');
  const verdict = r.median < target ? 'met' : 'missed';
  lines.push(`${label} meetings: ${fmt(r.median)} ms (target < ${target} ms, ${verdict})`);
  if (process.env.SLOTLINE_BENCH_SUMMARY) {
    appendFileSync(
      process.env.SLOTLINE_BENCH_SUMMARY,
      JSON.stringify({
        order: ORDER[n],
        target: `a month of ${label} meetings in the app's WebKitGTK window < ${target >= 1000 ? `${target / 1000} s` : `${target} ms`}`,
        measured: `${fmt(r.median)} ms (compositing off, ${build})${on ? `; compositing on: ${fmt(on.median)} ms` : ''}`,
        baseline: `same number of tiles (${plain.dom}) as plain divs: ${fmt(plain.median)} ms${empty ? `; empty month ${fmt(empty.median)} ms` : ''}`,
        verdict,
      }) + '\n',
    );
  }
}
console.log(`\nTarget (issue 16), compositing off as shipped here: ${lines.join('; ')}.`);
