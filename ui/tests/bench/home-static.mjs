// The start-up benchmark's second baseline: Slotline's first screen, Home, as a static page for
// the Tauri hello world to show (tests/bench/startup.py). It separates what painting that screen
// costs WebKit from what the app's code costs: the hello world showing this page runs no script of
// Slotline's and no Rust of it, only the same DOM and styles.
//
// Renders Home in Debian's headless Chromium with the browser tests' IPC mock (its fixed clock and
// meetings) at the window's size (1200×800), then writes OUT_DIR/index.html (the DOM of that
// moment, without scripts), OUT_DIR/home.css (every rule the page had) and the images it shows,
// plus the hello world's own first-paint script, so both baselines report their first paint the
// same way. Needs ui/dist (`npm run build`).
//
// Usage: node ui/tests/bench/home-static.mjs OUT_DIR
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, openApp, startServer } from '../browser/harness.mjs';

const out = process.argv[2];
if (!out) {
  console.error('usage: node ui/tests/bench/home-static.mjs OUT_DIR');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', '..', 'dist');
const helloPage = join(here, '..', '..', '..', 'tests', 'bench', 'hello', 'page');

const server = await startServer();
const browser = await launchBrowser();
try {
  const { page } = await openApp(browser, server.url, { viewport: { width: 1200, height: 800 } });
  await page.getByTestId('today-meeting').first().waitFor();
  await page.getByTestId('week-booked').waitFor();
  const { html, css } = await page.evaluate((origin) => {
    let css = '';
    for (const sheet of document.styleSheets) {
      for (const rule of sheet.cssRules) css += `${rule.cssText}\n`;
    }
    const copy = document.documentElement.cloneNode(true);
    copy.querySelectorAll('script, style, link').forEach((n) => n.remove());
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = './home.css';
    copy.querySelector('head').appendChild(link);
    const script = document.createElement('script');
    script.type = 'module';
    script.src = './main.js';
    copy.querySelector('body').appendChild(script);
    // The page's images, from the app's own assets beside it.
    const html = `<!doctype html>\n${copy.outerHTML}`.replaceAll(`${origin}assets/`, './assets/');
    return { html, css: css.replaceAll(`${origin}assets/`, './assets/') };
  }, server.url);
  mkdirSync(join(out, 'assets'), { recursive: true });
  writeFileSync(join(out, 'index.html'), html);
  writeFileSync(join(out, 'home.css'), css);
  copyFileSync(join(helloPage, 'main.js'), join(out, 'main.js'));
  for (const f of readdirSync(join(dist, 'assets'))) {
    if (/\.(svg|png|woff2?)$/.test(f)) copyFileSync(join(dist, 'assets', f), join(out, 'assets', f));
  }
  const nodes = (html.match(/<[a-z]/g) ?? []).length;
  console.error(`home-static: ${nodes} elements, ${css.length} bytes of CSS in ${out}`);
} finally {
  await browser.close();
  await server.close();
}
