// Where the first paint's time goes inside the page: each app of the start-up benchmark started
// through tauri-driver in each rendering mode, and its own timings read from the window once it
// has painted (all in ms after the page's navigation started, so the process start and WebKit's
// own start, which the start-up rows time, are left out):
//   HTML parsed              the navigation entry's domInteractive
//   early.js running         Slotline's `slotline:early` mark: public/early.js runs (it asks the
//                            first screen's four questions next)
//   code running             `slotline:module`: the app's code has been fetched, parsed and run
//   answers in hand          `slotline:answers`: the first screen's answers have arrived
//   Home committed           `slotline:commit`: React has put Home, with its data, in the DOM
//   first contentful paint   WebKit's paint timing entry
// The baselines have no marks: the hello world's page and the static Home page have their DOM in
// place once their HTML is parsed. Run by startup.py (inside its Xvfb display, keyring and seeded
// store); prints a Markdown table and a sentence per mode.
// Usage: node startup-phases.mjs ROUNDS hello=PATH home=PATH slotline=PATH
import { withAppWindow } from './webdriver.mjs';

const [roundsArg, ...appArgs] = process.argv.slice(2);
const ROUNDS = Number(roundsArg);
const APPS = appArgs.map((a) => {
  const [name, path] = a.split(/=(.*)/s);
  return { name, path };
});
if (!ROUNDS || !APPS.length) throw new Error('usage: startup-phases.mjs ROUNDS name=PATH…');
const LABEL = {
  hello: 'Tauri 2 hello world (baseline)',
  home: "the hello world showing Slotline's Home as a static page (second baseline)",
  slotline: 'Slotline',
};
const MARKS = ['slotline:early', 'slotline:module', 'slotline:answers', 'slotline:commit'];

/** In the page, once painted: its timings, or null while it has not painted its first screen. */
function readTimings(marks, needsMarks) {
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const found = marks.map((m) => performance.getEntriesByName(m, 'mark')[0]);
  if (!fcp || (needsMarks && (found.some((m) => !m) || !document.querySelector('[data-testid="home"]')))) return null;
  const nav = performance.getEntriesByType('navigation')[0];
  return { html: nav.domInteractive, marks: found.map((m) => (m ? m.startTime : null)), fcp: fcp.startTime };
}

/** One start of `app` in `mode`: its page's timings once it has painted its first screen. A start
 *  WebDriver could not begin (tauri-driver failing to reach WebKitWebDriver, seen on a busy
 *  machine) is tried once more. */
async function once(app, mode) {
  try {
    return await start(app, mode);
  } catch (e) {
    console.error(`startup-phases: ${app.name}, mode ${mode}: ${e.message.split('\n')[0]}; starting it again`);
    return start(app, mode);
  }
}

function start(app, mode) {
  return withAppWindow(app.path, mode, async (browser) => {
    for (let waited = 0; waited <= 30000; waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
      const t = await browser.execute(readTimings, MARKS, app.name === 'slotline');
      if (t) return t;
    }
    throw new Error(`${app.name} did not paint its first screen within 30 s`);
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => (x == null ? '–' : x.toFixed(0));
/** A difference in time as words: "12 ms after", "3 ms before". */
const later = (d) => `${ms(Math.abs(d))} ms ${d < 0 ? 'before' : 'after'}`;

const results = new Map();
const runs = [];
for (const mode of ['0', '1']) for (const app of APPS) runs.push({ mode, app });
for (let r = 0; r < ROUNDS; r++) {
  // The order rotated each round, as in the start-up rows.
  for (const { mode, app } of [...runs.slice(r % runs.length), ...runs.slice(0, r % runs.length)]) {
    const key = `${mode} ${app.name}`;
    if (!results.has(key)) results.set(key, []);
    results.get(key).push(await once(app, mode));
  }
}

console.log("### Where the first paint's time goes in the page");
console.log();
console.log(`Each app started ${ROUNDS} more times in each mode, through tauri-driver `
  + '(WebDriver adds its own work to the start, so these are not the start-up rows above), with the page\'s own timings '
  + 'read once it had painted, in ms after its navigation started (the process and WebKit before it are left out). '
  + 'Slotline\'s steps are User Timing marks in its start (`ui/src/main.tsx`); the baselines have their DOM in place once their HTML is parsed. Medians.');
console.log();
console.log('| compositing | app | HTML parsed | early.js running | app\'s code running | answers in hand | Home committed to the DOM | first contentful paint (min–max) |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
const med = {};
for (const mode of ['0', '1']) {
  for (const app of APPS) {
    const rows = results.get(`${mode} ${app.name}`);
    const fcps = rows.map((t) => t.fcp);
    const m = {
      html: median(rows.map((t) => t.html)),
      marks: MARKS.map((_, i) => (rows[0].marks[i] == null ? null : median(rows.map((t) => t.marks[i])))),
      fcp: median(fcps),
    };
    med[`${mode} ${app.name}`] = m;
    console.log(`| ${mode === '0' ? 'on' : 'off'} | ${LABEL[app.name] ?? app.name} | ${ms(m.html)} | ${m.marks.map(ms).join(' | ')} | ${ms(m.fcp)} (${ms(Math.min(...fcps))}–${ms(Math.max(...fcps))}) |`);
  }
}
console.log();
for (const mode of ['0', '1']) {
  const s = med[`${mode} slotline`];
  const h = med[`${mode} hello`];
  const home = med[`${mode} home`];
  if (!s || !h) continue;
  const [, module, answers, commit] = s.marks;
  let line = `Compositing ${mode === '0' ? 'on' : 'off'}: Slotline's first contentful paint comes ${later(s.fcp - h.fcp)} the hello world's`;
  if (home) line += ` and ${later(s.fcp - home.fcp)} the static Home page's`;
  line += `. Its code runs ${ms(module - s.html)} ms after its HTML is parsed (the module fetched, parsed and run), `
    + `the answers are in hand ${ms(answers - module)} ms later, React commits Home ${ms(commit - answers)} ms after that, `
    + `and WebKit paints it ${ms(s.fcp - commit)} ms after the commit`;
  if (home) line += ` (the static page: ${ms(home.fcp - home.html)} ms from its HTML parsed to its paint)`;
  console.log(`${line}.`);
  console.log();
}
process.exit(0);
