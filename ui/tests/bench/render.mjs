// Render benchmark: how long the calendar takes, in Debian's headless Chromium, from asking for a
// month (the "Next month" button) to FullCalendar having painted every meeting of it, with 600
// and with 5,000 meetings in that month. The IPC is the browser tests' mock (src/ipc/mock.ts), so
// this measures the UI: the command's answer, FullCalendar's layout and the tiles' DOM (busy days
// folded to a "+N more" tile, see src/features/calendar/tileText.ts).
//
// Baselines in the same run and browser: the same month with no meetings (FullCalendar's own
// cost of a month), and a plain page appending in one go as many tile-like divs as the calendar
// had tiles in its DOM for that month (busy days are folded, so fewer than meetings).
//
// Prints a Markdown section for BENCHMARKS.md. Needs ui/dist (`npm run build`); run with
// `node ui/tests/bench/render.mjs` (RENDER_BENCH_RUNS=n changes the repetitions). With
// SLOTLINE_BENCH_SUMMARY set, appends one JSON line per target to that file (the summary table).
import { appendFileSync } from 'node:fs';
import { launchBrowser, startServer } from '../browser/harness.mjs';

const RUNS = Number(process.env.RENDER_BENCH_RUNS) || 25;
// The month after this one (the browser runs on the real clock: Playwright's fixed clock wraps
// Intl.DateTimeFormat and would be measured too). The mock's own meetings are put around 2020.
const today = new Date();
const YEAR = today.getUTCMonth() === 11 ? today.getUTCFullYear() + 1 : today.getUTCFullYear();
const MONTH = (today.getUTCMonth() + 1) % 12;
const MONTH_NAME = new Date(Date.UTC(YEAR, MONTH, 15)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' });
const THIS_MONTH = today.toLocaleString('en-GB', { month: 'long', timeZone: 'Europe/Berlin' });
const TARGETS = { 600: 150, 5000: 1000 };
const ORDER = { 600: 42, 5000: 43 };

/** `n` meetings spread over the month's weekdays, 08:00–18:00 UTC, 30 or 60 minutes, five invitees. */
function meetings(n) {
  const days = [];
  const length = new Date(Date.UTC(YEAR, MONTH + 1, 0)).getUTCDate();
  for (let d = 1; d <= length; d++) {
    const wd = new Date(Date.UTC(YEAR, MONTH, d)).getUTCDay();
    if (wd !== 0 && wd !== 6) days.push(d);
  }
  const names = ['Priya Raman', 'Jonas Meyer', 'Camila Rojas', 'Tom Becker', 'Fatima Zahra'];
  const perDay = Math.ceil(n / days.length);
  const out = [];
  for (let i = 0; i < n; i++) {
    const day = days[i % days.length];
    const slot = Math.floor(i / days.length);
    // Spread the day's meetings over ten hours in whole minutes; overlaps are fine (FullCalendar
    // stacks them), and as heavy as real overlaps.
    const minute = 8 * 60 + Math.floor((slot * 600) / perDay);
    const start = Date.UTC(YEAR, MONTH, day, 0, minute);
    const length = i % 3 === 0 ? 60 : 30;
    const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
    const who = names[i % names.length];
    out.push({
      id: `BENCH${String(i).padStart(5, '0')}`,
      name: i % 4 === 0 ? 'Strategy Session' : '30 Minute Intro Call',
      start: iso(start),
      end: iso(start + length * 60_000),
      invitee: { name: `${who} ${i}`, email: `client${i}@example.com`, timezone: 'Europe/London' },
    });
  }
  return out;
}

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), min: s[0], max: s[s.length - 1], p90: q(0.9), runs: s.length };
}

/** In the page: how many of the month's meetings are shown, and which month is. */
function installProbe() {
  window.__benchShown = () => {
    // Every meeting is a visible tile, or counted in its day's "+N more": FullCalendar's link, or
    // the summary tile of a folded busy day (counted once by FullCalendar's link when hidden).
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
    const title = document.querySelector('.fc-toolbar-title')?.textContent || '';
    return { total: shown + more, title };
  };
}

async function monthPage(browser, server, n) {
  // As the browser tests' `openApp`, without the fixed clock.
  const context = await browser.newContext({
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
    viewport: { width: 1280, height: 820 },
    reducedMotion: 'reduce',
  });
  await context.addInitScript((config) => {
    Object.freeze(Object.prototype);
    window.__SLOTLINE_MOCK__ = config;
  }, { now: '2020-01-15T08:00:00Z', extraMeetings: meetings(n) });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console.${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  await page.goto(server.url);
  await page.getByTestId('nav-calendar').click();
  await page.getByTestId('calendar').waitFor();
  await page.getByRole('button', { name: 'Month', exact: true }).click();
  await page.locator('.fc-toolbar-title', { hasText: THIS_MONTH }).waitFor();
  await page.evaluate(installProbe);
  return { page, context, problems };
}

/** This month → next month (measured), then back and let it settle. */
async function measureMonth(page, expected) {
  const ms = await page.evaluate(async ({ expected, month }) => {
    const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const next = document.querySelector('.fc-next-button');
    performance.mark('bench-ask');
    const t0 = performance.now();
    next.click();
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      const { total, title } = window.__benchShown();
      if (title.includes(month) && total >= expected) break;
      if (performance.now() - t0 > 30_000) throw new Error(`only ${total} of ${expected} meetings shown`);
    }
    // The frame whose rAF saw every meeting in the DOM is painted before this task runs.
    await painted();
    performance.mark('bench-painted');
    return performance.now() - t0;
  }, { expected, month: MONTH_NAME });
  await page.locator('.fc-prev-button').click();
  await page.locator('.fc-toolbar-title', { hasText: THIS_MONTH }).waitFor();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
  return ms;
}

/** A page with no framework: append `n` tile-like divs in one go (as many as the calendar's tiles), until painted. */
async function measurePlain(page, n) {
  return page.evaluate(async (n) => {
    document.body.innerHTML = '<div id="grid" style="display:grid;grid-template-columns:repeat(7,1fr);font:12px sans-serif"></div>';
    const grid = document.getElementById('grid');
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const t0 = performance.now();
    const frag = document.createDocumentFragment();
    for (let i = 0; i < n; i++) {
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
    grid.remove();
    return ms;
  }, n);
}

const fmt = (x) => x.toFixed(1);
const server = await startServer();
const browser = await launchBrowser();
const rows = [];
try {
  const sizes = [0, 600, 5000];
  for (const n of sizes) {
    const { page, context, problems } = await monthPage(browser, server, n);
    const runs = n >= 5000 ? Math.max(5, Math.round(RUNS / 2)) : RUNS;
    // Two warm-up rounds (JIT, font and style caches), not counted.
    for (let i = 0; i < 2; i++) await measureMonth(page, n);
    const ms = [];
    for (let i = 0; i < runs; i++) ms.push(await measureMonth(page, n));
    await page.locator('.fc-next-button').click();
    await page.locator('.fc-toolbar-title', { hasText: MONTH_NAME }).waitFor();
    await page.waitForFunction((n) => window.__benchShown().total >= n, n);
    const shown = await page.evaluate(() => document.querySelectorAll('.fc .fc-daygrid-event-harness').length);
    if (problems.length) throw new Error(`the page reported problems: ${problems.join('; ')}`);
    rows.push({ n, subject: n === 0 ? 'empty month (baseline: FullCalendar alone)' : 'Slotline calendar', ...stats(ms), dom: shown });
    if (n > 0) {
      const plain = [];
      const blank = await context.newPage();
      await blank.goto('about:blank');
      for (let i = 0; i < 2; i++) await measurePlain(blank, shown);
      for (let i = 0; i < runs; i++) plain.push(await measurePlain(blank, shown));
      rows.push({ n, subject: `plain DOM: the same ${shown} tiles appended at once (baseline)`, ...stats(plain), dom: shown });
    }
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}

// Debian's chromium wrapper script prints a harmless shell complaint on stderr: not ours to show.
const version = (await import('node:child_process'))
  .execFileSync(process.env.CHROMIUM_PATH || '/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  .trim();
console.log('## Calendar render (month view, headless Chromium)\n');
console.log(
  `${version}, headless, the browser tests' flags; a 1280×820 window; the built UI (\`ui/dist\`) with the IPC mocked at \`ui/src/ipc\`. ` +
    'Each run clicks "Next month" (this month to the next, on the real clock) and stops the clock after the frame in which every meeting of the next month is in the DOM has been painted ' +
    '(a tile, or counted in its day\'s "+N more"); then it goes back. ' +
    'Baselines: the empty month, and a plain page appending at once as many tile-like divs as the calendar had tiles in its DOM for the month. ' +
    'A day with more than 10 meetings is folded to the tiles its cell has room for and a "+N more" tile that opens the day (FullCalendar would lay out and hide a tile for each); quieter days keep FullCalendar\'s own "+N more". ' +
    'The meetings are spread over the month\'s weekdays, 08:00–18:00 UTC, each with a named invitee. ' +
    `Medians of ${RUNS} runs (${Math.max(5, Math.round(RUNS / 2))} with 5,000 meetings) after two warm-up runs, min–max and p90 beside them. ` +
    'Times are quantized by the 60 Hz frame clock (up to ~17 ms); the mock answers `list_events` in-process, so the JSON transfer of the real IPC is not included.\n',
);
console.log('| meetings in the month | subject | median ms | min–max ms | p90 ms | tiles in the DOM (hidden ones too) |');
console.log('| ---: | --- | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(`| ${r.n} | ${r.subject} | ${fmt(r.median)} | ${fmt(r.min)}–${fmt(r.max)} | ${fmt(r.p90)} | ${r.dom} |`);
}
const empty = rows.find((x) => x.n === 0);
const verdicts = Object.entries(TARGETS).map(([n, target]) => {
  const r = rows.find((x) => x.n === Number(n) && x.subject === 'Slotline calendar');
  const plain = rows.find((x) => x.n === Number(n) && x.subject.startsWith('plain DOM'));
  const label = Number(n).toLocaleString('en');
  const verdict = r.median < target ? 'met' : 'missed';
  if (process.env.SLOTLINE_BENCH_SUMMARY) {
    appendFileSync(
      process.env.SLOTLINE_BENCH_SUMMARY,
      JSON.stringify({
        order: ORDER[n],
        target: `(second row) a month of ${label} meetings in headless Chromium, mocked IPC < ${target >= 1000 ? `${target / 1000} s` : `${target} ms`}`,
        measured: `${fmt(r.median)} ms (${version})`,
        baseline: `same number of tiles (${plain.dom}) as plain divs: ${fmt(plain.median)} ms; empty month ${fmt(empty.median)} ms`,
        verdict,
      }) + '\n',
    );
  }
  return `${label} meetings: ${fmt(r.median)} ms (target < ${target} ms, ${verdict})`;
});
console.log(`\nTargets (issues 6 and 16; the app's own window is measured by tests/bench/calendar-webkit.sh): ${verdicts.join('; ')}.`);
