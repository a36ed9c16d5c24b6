// The app shell: navigation, the status line (text, keyring trouble, sync errors, Sync now),
// refetching on `data-changed`, and Settings with Disconnect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertClean, calls, gotoCalendar, openApp, screenshot, tile, useBrowser } from './harness.mjs';

const env = useBrowser();

test('the status line names the account, the sync age and the counts', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url);
  const line = page.getByTestId('status-line');
  await line.waitFor();
  assert.equal(await page.getByTestId('status-account').innerText(), 'Dana Whitfield · dana@whitfield-consulting.com (offline sandbox)');
  assert.equal(await page.getByTestId('status-sync').innerText(), 'Synced 3 minutes ago');
  assert.match(await page.getByTestId('status-sync').getAttribute('title'), /^Last sync: Wed,? 11 Mar 2026, 08:57$/);
  assert.equal(await page.getByTestId('status-counts').innerText(), '38 meetings · 14 contacts');
  assert.equal(await page.getByTestId('status-keyring').count(), 0);
  assert.equal(await page.getByTestId('status-error').count(), 0);
  // Navigation is labelled and marks the current page.
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 1);
  assert.equal(await page.getByTestId('nav-home').getAttribute('aria-current'), 'page');
  await page.getByTestId('nav-settings').click();
  assert.equal(await page.getByTestId('nav-settings').getAttribute('aria-current'), 'page');
  assert.equal(await page.getByTestId('nav-home').getAttribute('aria-current'), null);
  await assertClean(page, problems);
  await context.close();
});

test('keyring trouble and the last sync error show in the status line', async () => {
  const keyring = 'The Secret Service keyring is locked. Unlock “Login” in Passwords and Keys, then press Sync now.';
  const { page, context, problems } = await openApp(env.browser, env.server.url, {
    mock: { keyring, lastSyncError: 'Calendly answered 503; Slotline retries in 5 minutes.' },
  });
  await page.getByTestId('status-keyring').waitFor();
  assert.equal(await page.getByTestId('status-keyring').innerText(), `⚠ Keyring: ${keyring}`);
  assert.equal(
    await page.getByTestId('status-error').innerText(),
    'Last sync failed: Calendly answered 503; Slotline retries in 5 minutes.',
  );
  await screenshot(page, 'status-line-problems');

  // Sync now clears the error and refreshes the age.
  await page.getByTestId('sync-now').click();
  await page.getByTestId('status-error').waitFor({ state: 'detached' });
  assert.equal((await calls(page, 'sync_now')).length, 1);
  assert.equal(await page.getByTestId('status-sync').innerText(), 'Synced just now');
  assert.match(await page.locator('.status-result').innerText(), /1 meeting updated/);
  await assertClean(page, problems);
  await context.close();
});

test('data-changed refetches the calendar, contacts and status', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url);
  await gotoCalendar(page);
  const fetchesBefore = (await calls(page, 'list_events')).length;

  // Rust learns that Priya canceled (a webhook, say) and says events and status are stale.
  await page.evaluate(async () => {
    const mock = window.__SLOTLINE_MOCK_CONTROL__;
    const e = mock.db.events.find((x) => x.uri.endsWith('/PRIYA-DISCOVERY'));
    e.status = 'canceled';
    e.invitees[0].status = 'canceled';
    mock.db.events.push({ ...structuredClone(e), uri: e.uri.replace('PRIYA-DISCOVERY', 'PRIYA-NEW'), status: 'active', invitees: [{ ...e.invitees[0], status: 'active' }] });
    mock.recount();
    await mock.dataChanged(['events', 'status']);
  });
  await tile(page, 'PRIYA-DISCOVERY').waitFor({ state: 'detached' });
  await tile(page, 'PRIYA-NEW').waitFor();
  assert.equal((await calls(page, 'list_events')).length, fetchesBefore + 1, 'exactly one refetch');
  await page.locator('[data-testid=status-counts]', { hasText: '39 meetings' }).waitFor();

  // Contacts refetch too.
  await page.getByTestId('nav-contacts').click();
  await page.getByTestId('contacts-table').waitFor();
  const listCalls = (await calls(page, 'list_contacts')).length;
  await page.evaluate(() => window.__SLOTLINE_MOCK_CONTROL__.dataChanged(['contacts']));
  await page.waitForFunction((n) => window.__SLOTLINE_MOCK_CONTROL__.calls.filter((c) => c.cmd === 'list_contacts').length > n, listCalls);
  await assertClean(page, problems);
  await context.close();
});

test('Settings shows the connection and disconnecting keeps history by default', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url);
  await page.getByTestId('nav-settings').click();
  const facts = page.getByTestId('connection-facts');
  await facts.waitFor();
  const text = await facts.innerText();
  assert.match(text, /Name\s+Dana Whitfield/);
  assert.match(text, /Email\s+dana@whitfield-consulting\.com/);
  assert.match(text, /Connected with\s+The built-in offline sandbox/);
  assert.match(text, /API URL\s+http:\/\/127\.0\.0\.1:47615/);
  assert.match(await page.locator('.settings-page').innerText(), /keeps your local meeting history/);
  const erase = page.getByTestId('erase-history');
  assert.equal(await erase.isChecked(), false, 'keeping history is the default');
  assert.equal(await page.getByLabel(/Also erase the local history/).count(), 1);
  await screenshot(page, 'settings');

  await page.getByTestId('disconnect').click();
  await page.getByTestId('disconnect-confirm').click();
  await page.getByTestId('first-run').waitFor();
  assert.deepEqual((await calls(page, 'disconnect')).map((c) => c.args), [{ erase: false }]);
  assert.equal(await page.getByTestId('disconnect-warnings').count(), 0, 'a clean disconnect warns of nothing');
  await assertClean(page, problems);
  await context.close();
});

test('a disconnect Calendly did not fully undo says what is left and what to do on the first-run screen', async () => {
  const warning =
    'the webhook subscription Slotline created could not be deleted at Calendly: Calendly had a server error (500). It stays at Calendly, which keeps sending new bookings and cancellations to https://dana.ngrok.app/webhooks/calendly. To remove it, connect Calendly again and disconnect again';
  const { page, context, problems } = await openApp(env.browser, env.server.url, { mock: { disconnectWarnings: [warning] } });
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('disconnect').click();
  await page.getByTestId('disconnect-confirm').click();
  await page.getByTestId('first-run').waitFor();
  const notice = page.getByTestId('disconnect-warnings');
  await notice.waitFor();
  const text = await notice.innerText();
  assert.match(text, /Disconnected, with something left at Calendly/);
  assert.match(text, /no longer holds any token/);
  assert.match(text, /The webhook subscription Slotline created could not be deleted at Calendly/, 'capitalised');
  assert.match(text, /connect Calendly again and disconnect again\./, 'ends as a sentence');
  await screenshot(page, 'disconnect-warnings');
  await page.getByTestId('disconnect-warnings-dismiss').click();
  assert.equal(await notice.count(), 0);
  await assertClean(page, problems);
  await context.close();
});

test('disconnecting with erase asks for it explicitly', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('erase-history').check();
  await page.getByTestId('disconnect').click();
  assert.match(await page.getByRole('group', { name: 'Confirm disconnect' }).innerText(), /erase all local history/);
  await page.getByTestId('disconnect-confirm').click();
  await page.getByTestId('first-run').waitFor();
  assert.deepEqual((await calls(page, 'disconnect')).map((c) => c.args), [{ erase: true }]);
  await assertClean(page, problems);
  await context.close();
});

test('index.html has no inline script or style, so Tauri keeps style-src as configured', async () => {
  // Tauri adds hashes/nonces to style-src for inline <style> in the HTML, which would switch off
  // 'unsafe-inline'; FullCalendar 6 injects its stylesheet at run time and needs it.
  const html = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'index.html'), 'utf8');
  assert.doesNotMatch(html, /<style[\s>]/);
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
  assert.doesNotMatch(html, /\sstyle="/);
  // And under the app's CSP FullCalendar's own styles do apply.
  const { page, context, problems } = await openApp(env.browser, env.server.url);
  await gotoCalendar(page);
  assert.equal(await page.locator('.fc-toolbar').evaluate((el) => getComputedStyle(el).display), 'flex');
  await assertClean(page, problems);
  await context.close();
});

/** Polls `done` for up to 10 s. */
async function until(done, what, chunks) {
  for (const end = Date.now() + 10_000; Date.now() < end; ) {
    if (done()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${what}: not fetched\n${chunks.join('\n')}`);
}

test("a screen's code is fetched when the pointer or focus reaches its link, not while the app idles", async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url);
  const chunks = [];
  page.on('request', (r) => chunks.push(new URL(r.url()).pathname));
  const fetched = (name) => chunks.some((c) => new RegExp(`/${name}-[^/]*\\.js$`).test(c));
  await page.getByTestId('today-meeting').first().waitFor();
  // The adversary is idleness: twice the old prefetch's 1.5 s, and no other screen's code.
  await page.waitForTimeout(3000);
  for (const name of ['CalendarPage', 'ContactsPage', 'ClientsPage', 'SettingsPage', 'SearchDialog', 'InsightsPage']) {
    assert.ok(!fetched(name), `${name} fetched while idle:\n${chunks.join('\n')}`);
  }
  // The pointer on Calendar fetches the calendar before any click; the view stays Home.
  await page.getByTestId('nav-calendar').hover();
  await until(() => fetched('CalendarPage'), 'CalendarPage on hover', chunks);
  assert.equal(await page.getByTestId('nav-home').getAttribute('aria-current'), 'page');
  // Keyboard focus does the same for Contacts; Home's own calendar buttons count as the calendar.
  await page.getByTestId('nav-contacts').focus();
  await until(() => fetched('ContactsPage'), 'ContactsPage on focus', chunks);
  assert.ok(!fetched('ClientsPage') && !fetched('SettingsPage'), chunks.join('\n'));
  // Insights' charts still load only when that view opens.
  await page.getByTestId('nav-insights').hover();
  await page.waitForTimeout(300);
  assert.ok(!fetched('InsightsPage'), chunks.join('\n'));
  await page.getByTestId('nav-calendar').click();
  await page.locator('.fc').first().waitFor();
  await assertClean(page, problems);
  await context.close();
});
