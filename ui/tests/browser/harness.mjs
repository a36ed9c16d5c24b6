// Shared set-up for the browser tests: a static server for ui/dist that sends the app's real CSP,
// Debian's Chromium through playwright-core, the IPC mock switched on before the app boots, and
// a record of console errors and CSP violations that every test asserts is empty.

import { createServer } from 'node:http';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const ui = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(ui, 'dist');
export const resultsDir = join(ui, 'test-results');

/** Wednesday 11 March 2026, 09:00 in Berlin: the mock's "now" and the browser's clock. */
export const NOW = '2026-03-11T08:00:00Z';
export const ZONE = 'Europe/Berlin';
export const SANDBOX = 'http://127.0.0.1:47615';
export const uri = (id) => `${SANDBOX}/scheduled_events/${id}`;

const FALLBACK_CSP =
  "default-src 'self'; connect-src ipc: http://ipc.localhost; img-src 'self' data: asset: http://asset.localhost https:; style-src 'self' 'unsafe-inline'; script-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** The CSP the Tauri window enforces (from tauri.conf.json beside ui/), so tests catch violations. */
function appCsp() {
  const conf = join(ui, '..', 'tauri.conf.json');
  if (existsSync(conf)) {
    const csp = JSON.parse(readFileSync(conf, 'utf8'))?.app?.security?.csp;
    if (typeof csp === 'string' && csp) return csp;
  }
  return FALLBACK_CSP;
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Serves ui/dist on 127.0.0.1 (a free port) with the app's CSP, or with `csp` when given. */
export async function startServer({ csp = appCsp() } = {}) {
  if (!existsSync(join(dist, 'index.html'))) throw new Error('ui/dist is missing: run `npm run build` first');
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const file = normalize(join(dist, path === '/' ? 'index.html' : path));
      if (!file.startsWith(dist + sep)) {
        res.writeHead(403).end();
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': csp,
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * Opens the app with the mock backend configured by `mock` (see src/ipc/mock.ts) and the clock
 * fixed at `now` (`initScript`: a test's own script, run in the page before the app's). Returns the page and `problems`, the console errors and CSP violations seen.
 */
export async function openApp(
  browser,
  baseUrl,
  { mock = {}, now = NOW, colorScheme = 'light', viewport, deviceScaleFactor, timezoneId = ZONE, initScript } = {},
) {
  const context = await browser.newContext({
    timezoneId,
    locale: 'en-GB',
    colorScheme,
    viewport: viewport ?? { width: 1280, height: 820 },
    // 2 with a 640×400 viewport is a 1280×800 window at 200% zoom.
    ...(deviceScaleFactor ? { deviceScaleFactor } : {}),
    reducedMotion: 'reduce',
  });
  await context.clock.setFixedTime(new Date(now));
  await context.addInitScript((config) => {
    // tauri.conf.json sets freezePrototype: the app must live with a frozen Object.prototype.
    Object.freeze(Object.prototype);
    window.__SLOTLINE_MOCK__ = config;
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  }, { now, ...mock });
  // A test's own script, run before the app's (e.g. to watch the first render).
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console.${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`requestfailed: ${req.url()}`));
  page.on('request', (req) => {
    if (!req.url().startsWith(baseUrl) && !req.url().startsWith('data:')) problems.push(`external request: ${req.url()}`);
  });
  await page.goto(baseUrl);
  return { page, context, problems };
}

/** Fails the test if the page logged errors or warnings, broke the CSP or went off-box. */
export async function assertClean(page, problems) {
  const csp = await page.evaluate(() => window.__cspViolations ?? []);
  assert.deepEqual([...problems, ...csp.map((v) => `csp: ${v}`)], []);
}

export async function screenshot(page, name) {
  mkdirSync(resultsDir, { recursive: true });
  await page.screenshot({ path: join(resultsDir, `${name}.png`) });
}

/** The IPC calls the mock received, optionally only those of one command. */
export async function calls(page, cmd) {
  const all = await page.evaluate(() => window.__SLOTLINE_MOCK_CONTROL__.calls);
  return cmd ? all.filter((c) => c.cmd === cmd) : all;
}

export async function opened(page) {
  return page.evaluate(() => window.__SLOTLINE_MOCK_CONTROL__.opened);
}

/** A rendered calendar tile by meeting URI. */
export function tile(page, id) {
  return page.locator(`.fc [data-uri="${uri(id)}"]`);
}

/** Home is the first screen after connecting; this goes on to the calendar and waits for it. */
export async function gotoCalendar(page, { waitFor = 'PRIYA-DISCOVERY' } = {}) {
  await page.getByTestId('nav-calendar').click();
  await page.getByTestId('calendar').waitFor();
  if (waitFor) await tile(page, waitFor).first().waitFor();
}

/** Front-page screenshots: a roomier window than the tests' default. */
export const WIDE = { width: 1440, height: 900 };

/** Clicks one of FullCalendar's view buttons (Month, Week, Day, List) and waits for the fetch. */
export async function switchView(page, label) {
  await page.getByRole('button', { name: label, exact: true }).click();
  await page.locator('.fc').waitFor();
}

/** One static server and one Chromium for the file's tests, started before them and closed after. */
export function useBrowser() {
  const env = { server: undefined, browser: undefined };
  before(async () => {
    env.server = await startServer();
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}
