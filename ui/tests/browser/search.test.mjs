// Search (Ctrl/Cmd+K anywhere): a modal palette over meetings and contacts from `search`, arrow
// keys and Enter to open, Escape to close with focus given back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, calls, openApp, screenshot, uri, useBrowser } from './harness.mjs';

const env = useBrowser();

async function home(opts = {}) {
  const app = await openApp(env.browser, env.server.url, opts);
  await app.page.getByTestId('today-meeting').first().waitFor();
  return app;
}

const results = (page) =>
  page.getByTestId('search-result').evaluateAll((els) => els.map((e) => `${e.dataset.kind}:${e.dataset.uri ?? e.dataset.email}`));

test('Ctrl+K opens search anywhere; results list meetings and contacts', async () => {
  const { page, context, problems } = await home();
  await page.keyboard.press('Control+k');
  const dialog = page.getByTestId('search-dialog');
  await dialog.waitFor();
  assert.equal(await page.getByRole('dialog', { name: 'Search meetings and contacts' }).count(), 1);
  const input = page.getByTestId('search-input');
  assert.ok(await input.evaluate((el) => el === document.activeElement), 'the box has focus');
  assert.equal(await page.getByLabel('Search meetings and contacts').first().getAttribute('data-testid'), 'search-dialog');
  assert.match(await dialog.innerText(), /Find a meeting or a person by name, email, meeting type/);

  await input.fill('priya');
  await page.getByTestId('search-status').filter({ hasText: '2 meetings and 1 contact' }).waitFor();
  assert.deepEqual((await calls(page, 'search')).map((c) => c.args), [{ query: 'priya' }]);
  // Meetings newest first, then contacts.
  assert.deepEqual(await results(page), [
    `meeting:${uri('E0403')}`,
    `meeting:${uri('PRIYA-DISCOVERY')}`,
    'contact:priya@northwind-labs.com',
  ]);
  const first = page.getByTestId('search-result').first();
  assert.match(await first.innerText(), /Strategy Session · Priya Raman\s+Wed,? 18 Mar 2026, 10:00–11:00/);
  assert.equal(await first.getAttribute('aria-selected'), 'true');
  assert.match(await page.getByTestId('search-result').last().innerText(), /Priya Raman\s+priya@northwind-labs\.com · 2 meetings/);
  await screenshot(page, 'search-results');

  // Booking answers are searched too.
  await input.fill('seed round');
  await page.getByTestId('search-status').filter({ hasText: /meeting/ }).waitFor();
  assert.ok((await results(page)).some((r) => r.startsWith('meeting:')));
  await input.fill('nothing like this');
  await page.getByTestId('search-status').filter({ hasText: 'Nothing matches “nothing like this”.' }).waitFor();
  await assertClean(page, problems);
  await context.close();
});

test('arrows and Enter open a meeting in the calendar; Escape closes and gives focus back', async () => {
  const { page, context, problems } = await home();
  await page.getByTestId('nav-contacts').click();
  await page.getByTestId('contacts-table').waitFor();
  await page.getByTestId('contact-search').focus();
  await page.keyboard.press('Control+k');
  const input = page.getByTestId('search-input');
  await input.waitFor();
  await page.keyboard.type('workshop');
  await page.getByTestId('search-status').filter({ hasText: '2 meetings' }).waitFor();
  const active = () => page.evaluate(() => document.querySelector(`[id="${document.querySelector('[data-testid=search-input]').getAttribute('aria-activedescendant')}"]`)?.dataset.uri);
  assert.equal(await active(), uri('PRICING-WORKSHOP'));
  await page.keyboard.press('ArrowDown');
  assert.equal(await active(), uri('E0205'));
  await page.keyboard.press('ArrowDown');
  assert.equal(await active(), uri('PRICING-WORKSHOP'), 'wraps around');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await page.getByTestId('search-dialog').waitFor({ state: 'detached' });
  const panel = page.getByTestId('event-detail');
  await panel.getByTestId('detail-title').waitFor();
  assert.equal((await calls(page, 'get_event')).at(-1).args.uri, uri('E0205'));
  await page.locator('.fc-toolbar-title', { hasText: '2 – 8 Mar 2026' }).waitFor();

  // Escape: closed, nothing opened, focus back where it was.
  await panel.getByTestId('detail-close').focus();
  await page.keyboard.press('Meta+k');
  await input.waitFor();
  await input.fill('marcus');
  await page.keyboard.press('Escape');
  await page.getByTestId('search-dialog').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'detail-close');
  assert.equal((await calls(page, 'get_event')).at(-1).args.uri, uri('E0205'));
  await assertClean(page, problems);
  await context.close();
});

test('a contact opens their page; the sidebar button and a click work too', async () => {
  const { page, context, problems } = await home();
  await page.getByTestId('open-search').click();
  await page.getByTestId('search-input').fill('okafor');
  const hannah = page.locator('[data-testid=search-result][data-email="hannah@okafor-legal.com"]');
  await hannah.click();
  await page.getByTestId('contact-page').waitFor();
  assert.equal(await page.getByTestId('contact-name').innerText(), 'Hannah Okafor');
  assert.equal(await page.getByTestId('nav-contacts').getAttribute('aria-current'), 'page');
  assert.equal(await page.getByTestId('open-search').getAttribute('aria-keyshortcuts'), 'Control+K Meta+K');

  // A click on the backdrop closes it.
  await page.keyboard.press('Control+k');
  await page.getByTestId('search-input').waitFor();
  await page.mouse.click(10, 10);
  await page.getByTestId('search-dialog').waitFor({ state: 'detached' });
  await assertClean(page, problems);
  await context.close();
});
