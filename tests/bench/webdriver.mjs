// The benchmarks' WebDriver plumbing for the app's own window: tauri-driver (which starts
// WebKitWebDriver, which starts the app) in a chosen rendering mode, the app process it started,
// and stopping that app (Slotline stays in the tray when WebDriver closes its window, and a second
// launch would hand over to it), as `withAppWindow`. Used by calendar-webkit.mjs and
// startup-phases.mjs.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// webdriverio from the window tests' own install (no dependency of its own).
const require = createRequire(fileURLToPath(new URL('../e2e/package.json', import.meta.url)));
const { remote } = await import(require.resolve('webdriverio'));

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

/** tauri-driver with the rendering mode in its environment: WebKitWebDriver and the app inherit it. */
async function startDriver(compositingOff) {
  const port = await freePort();
  const native = await freePort();
  const env = { ...process.env, WEBKIT_DISABLE_COMPOSITING_MODE: compositingOff };
  const log = [];
  const proc = spawn('tauri-driver', ['--port', String(port), '--native-port', String(native)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (d) => log.push(String(d)));
  proc.stderr.on('data', (d) => log.push(String(d)));
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1', () => { s.end(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, proc, log };
}

/** The processes under `root` (tauri-driver → WebKitWebDriver → the app). */
function descendants(root) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  const out = [];
  const todo = [root];
  while (todo.length) {
    const p = todo.pop();
    out.push(p);
    todo.push(...(children.get(p) || []));
  }
  return out;
}

/** The app WebKitWebDriver started, checked to be a fresh process in the asked rendering mode:
 *  Slotline hides its window to the tray when WebDriver closes it, and a second launch hands over
 *  to a running one, so a window from an earlier mode could otherwise answer. */
function appUnder(driver, app, mode) {
  const bin = realpathSync(app);
  const pids = descendants(driver.proc.pid).filter((p) => {
    try {
      return readlinkSync(`/proc/${p}/exe`) === bin;
    } catch {
      return false;
    }
  });
  if (pids.length !== 1) throw new Error(`expected one app process under tauri-driver, found ${pids.length} (is another Slotline running?)`);
  const env = readFileSync(`/proc/${pids[0]}/environ`, 'utf8').split('\0');
  if (!env.includes(`WEBKIT_DISABLE_COMPOSITING_MODE=${mode}`)) throw new Error(`the app runs without WEBKIT_DISABLE_COMPOSITING_MODE=${mode}`);
  return pids[0];
}

/** Stops the app (it stays in the tray when its window closes) and waits for it to be gone. */
async function stopApp(pid) {
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (const [signal, wait] of [['SIGTERM', 5000], ['SIGKILL', 5000]]) {
    if (!alive()) return;
    process.kill(pid, signal);
    for (let t = 0; t < wait && alive(); t += 100) await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs `body(browser)` against a fresh start of `app` in `mode` (WEBKIT_DISABLE_COMPOSITING_MODE)
 *  through tauri-driver, then stops the app and the driver; a failure carries the driver's log. */
export async function withAppWindow(app, mode, body) {
  const driver = await startDriver(mode);
  let browser;
  let pid;
  try {
    browser = await remote({
      hostname: '127.0.0.1',
      port: driver.port,
      logLevel: 'warn',
      connectionRetryTimeout: 120000,
      // A retried script would repeat what it did (the calendar bench's click on "next").
      connectionRetryCount: 0,
      capabilities: { 'tauri:options': { application: app } },
    });
    pid = appUnder(driver, app, mode);
    return await body(browser);
  } catch (e) {
    e.message += `\ntauri-driver (WEBKIT_DISABLE_COMPOSITING_MODE=${mode}):\n${driver.log.join('').slice(-3000)}`;
    throw e;
  } finally {
    if (browser) await browser.deleteSession().catch(() => {});
    if (pid) await stopApp(pid);
    driver.proc.kill();
    await new Promise((r) => setTimeout(r, 2000));
  }
}
