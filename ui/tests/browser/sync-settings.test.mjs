// Settings → Sync: the reconcile window (days back and ahead, defaults 90 and 365) beside the
// reconcile interval, validated in the form and by Rust (the mock applies Rust's rules).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, calls, openApp, useBrowser } from './harness.mjs';

const env = useBrowser();

test('the sync window defaults to 90 days back and 365 ahead, validates and saves', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('sync-settings').waitFor();
  const back = page.getByLabel('Days back');
  const ahead = page.getByLabel('Days ahead');
  const save = page.getByTestId('reconcile-save');
  assert.equal(await back.inputValue(), '90');
  assert.equal(await ahead.inputValue(), '365');
  assert.equal(await page.getByTestId('reconcile-minutes').inputValue(), '15');
  assert.ok(await save.isDisabled());

  await ahead.fill('4000');
  assert.equal(await page.getByTestId('sync-days-ahead-error').innerText(), 'Choose at most 3650 days.');
  assert.equal(await ahead.getAttribute('aria-invalid'), 'true');
  await back.fill('0');
  await ahead.fill('0');
  assert.equal(await page.getByTestId('sync-days-ahead-error').innerText(), 'The window must cover at least one day.');
  await back.fill('');
  assert.equal(await page.getByTestId('sync-days-back-error').innerText(), 'Enter a number of days.');
  await save.click();
  assert.equal((await calls(page, 'save_preferences')).length, 0, 'nothing invalid is sent');

  await back.fill('30');
  await ahead.fill('60');
  await page.getByTestId('sync-days-back-error').waitFor({ state: 'detached' });
  await save.click();
  await page.getByTestId('reconcile-saved').filter({ hasText: 'Saved.' }).waitFor();
  const sent = (await calls(page, 'save_preferences')).at(-1).args.prefs;
  assert.deepEqual([sent.syncDaysBack, sent.syncDaysAhead, sent.reconcileMinutes], [30, 60, 15]);
  const stored = await page.evaluate(() => window.__SLOTLINE_MOCK_CONTROL__.preferences);
  assert.deepEqual([stored.syncDaysBack, stored.syncDaysAhead], [30, 60]);
  assert.ok(await save.isDisabled(), 'saved: nothing left to save');
  await assertClean(page, problems);
  await context.close();
});
