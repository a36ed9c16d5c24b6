// Contacts: the list with its columns, search, a contact's page with feed and answers, and the
// way from the feed back to the meeting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, calls, openApp, screenshot, uri, useBrowser } from './harness.mjs';

const env = useBrowser();

async function contacts() {
  const app = await openApp(env.browser, env.server.url);
  await app.page.getByTestId('nav-contacts').click();
  await app.page.getByTestId('contacts-table').waitFor();
  return app;
}

test('the list shows every contact with meetings, no-shows, last and next meeting', async () => {
  const { page, context, problems } = await contacts();
  assert.equal(await page.getByTestId('nav-contacts').getAttribute('aria-current'), 'page');
  const rows = page.getByTestId('contact-row');
  assert.equal(await rows.count(), 14);
  assert.equal(await page.getByTestId('contact-count').innerText(), '14 contacts');
  const headers = await page.locator('.contacts-table thead th').allInnerTexts();
  assert.deepEqual(headers.map((h) => h.toLowerCase()), ['name', 'email', 'meetings', 'no-shows', 'last meeting', 'next meeting']);
  const cells = (email) => page.locator(`[data-email="${email}"]`).locator('th, td').allInnerTexts();
  // Priya: today's call and one next week, none before.
  const priya = (await cells('priya@northwind-labs.com')).map((t) => t.replace(/^PR/, '').trim());
  assert.deepEqual(priya.slice(0, 5), ['Priya Raman', 'priya@northwind-labs.com', '2', '0', '—']);
  assert.match(priya[5], /^Wed,? 11 Mar 2026$/);
  // Marcus: met on Fri 6 Mar, canceled today's session (not counted), next on Thu 2 Apr.
  const marcus = (await cells('marcus.lee@fernhill.co')).map((t) => t.replace(/^ML/, '').trim());
  assert.deepEqual(marcus.slice(0, 5), ['Marcus Lee', 'marcus.lee@fernhill.co', '2', '0', '5 days ago']);
  assert.match(marcus[5], /^Thu,? 2 Apr 2026$/);
  const tom = await page.locator('[data-email="tom.becker@kuehne-bau.de"]').locator('td').allInnerTexts();
  assert.equal(tom[2], '1', 'Tom Becker has one no-show');
  await screenshot(page, 'contacts-list');
  await assertClean(page, problems);
  await context.close();
});

test('search filters through list_contacts', async () => {
  const { page, context, problems } = await contacts();
  const search = page.getByTestId('contact-search');
  assert.equal(await page.getByLabel('Search contacts').count(), 1, 'the search box is labelled');
  await search.fill('raman');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=contact-row]').length === 1);
  assert.equal(await page.getByTestId('contact-row').getAttribute('data-email'), 'priya@northwind-labs.com');
  assert.deepEqual((await calls(page, 'list_contacts')).at(-1).args, { query: 'raman' });

  await search.fill('kuehne-bau');
  await page.waitForFunction(() => document.querySelector('[data-testid=contact-row]')?.dataset.email === 'tom.becker@kuehne-bau.de');
  assert.equal(await page.getByTestId('contact-row').count(), 1);

  await search.fill('nobody-like-this');
  await page.getByTestId('contacts-empty').waitFor();
  assert.equal(await page.getByTestId('contacts-empty').innerText(), 'No contact matches “nobody-like-this”.');

  await search.fill('');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=contact-row]').length === 14);
  assert.equal((await calls(page, 'list_contacts')).at(-1).args.query, null, 'an empty search sends null');
  await assertClean(page, problems);
  await context.close();
});

test('a contact page shows the activity feed and answers, and leads to the meeting', async () => {
  const { page, context, problems } = await contacts();
  await page.locator('[data-email="tom.becker@kuehne-bau.de"]').getByRole('button', { name: 'Tom Becker' }).click();
  const feed = page.getByTestId('contact-feed');
  await feed.waitFor();
  assert.deepEqual((await calls(page, 'get_contact')).map((c) => c.args), [{ email: 'tom.becker@kuehne-bau.de' }]);
  assert.equal(await page.getByTestId('contact-name').innerText(), 'Tom Becker');
  const items = await feed.locator('li').evaluateAll((els) => els.map((e) => e.dataset.kind));
  assert.deepEqual(items, ['booked', 'no_show', 'booked'], 'newest first');
  assert.match(await feed.locator('li').nth(1).innerText(), /Marked as no-show · Discovery Call/);
  assert.match(
    await page.getByTestId('contact-answers').innerText(),
    /What would you like to get out of this call\?\s+We keep losing deals at the proposal stage/,
  );
  await screenshot(page, 'contact-page');

  // From the feed to the meeting in the calendar.
  await feed.locator('li').nth(1).getByRole('button', { name: 'Discovery Call' }).click();
  await page.getByTestId('event-detail').getByTestId('no-show-badge').waitFor();
  assert.equal(await page.getByTestId('nav-calendar').getAttribute('aria-current'), 'page');
  assert.equal((await calls(page, 'get_event')).at(-1).args.uri, uri('E0202'));
  await page.locator('.fc-toolbar-title', { hasText: '2 – 8 Mar 2026' }).waitFor();

  // Back in Contacts, the contact page is still open; "All contacts" returns to the list.
  await page.getByTestId('nav-contacts').click();
  await page.getByTestId('contact-back').click();
  await page.getByTestId('contacts-table').waitFor();
  await assertClean(page, problems);
  await context.close();
});

test('every contact row carries data-testid="contact-row" and clicking the row opens the contact', async () => {
  // The real-window e2e test clicks the first [data-testid="contact-row"] and waits for the feed.
  const { page, context, problems } = await contacts();
  const rows = page.locator('[data-testid="contact-row"]');
  assert.equal(await rows.count(), await page.locator('.contacts-table tbody tr').count());
  const first = await rows.first().getAttribute('data-email');
  await rows.first().locator('td').nth(2).click();
  await page.locator('[data-testid="contact-feed"]').waitFor();
  assert.deepEqual((await calls(page, 'get_contact')).map((c) => c.args), [{ email: first }]);
  await assertClean(page, problems);
  await context.close();
});
