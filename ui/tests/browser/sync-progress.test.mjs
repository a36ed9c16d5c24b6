// The sync engine's progress reaches the status line through `sync-progress` events (mocked at
// the IPC seam): an accessible progress bar with pages, events and the requests left this
// minute, finished, and a stopped sync's reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, openApp, screenshot, useBrowser } from './harness.mjs';

const env = useBrowser();

const report = (page, p) =>
  page.evaluate(
    (progress) =>
      window.__SLOTLINE_MOCK_CONTROL__.syncProgress({
        running: true,
        pages: 0,
        events: 0,
        morePages: true,
        requestsLeft: null,
        rateLimit: null,
        error: null,
        ...progress,
      }),
    p,
  );

async function bar(page) {
  const b = page.getByRole('progressbar', { name: 'Sync progress' });
  await b.waitFor();
  return {
    now: Number(await b.getAttribute('aria-valuenow')),
    max: Number(await b.getAttribute('aria-valuemax')),
    min: Number(await b.getAttribute('aria-valuemin')),
    text: await b.getAttribute('aria-valuetext'),
    busy: await b.getAttribute('aria-busy'),
    fill: await page.getByTestId('sync-progress-fill').evaluate((el) => el.style.width),
    shown: await page.getByTestId('sync-progress-text').innerText(),
  };
}

test('a reconcile shows as an accessible progress bar in the status line', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url);
  await page.getByTestId('status-line').waitFor();
  assert.equal(await page.getByRole('progressbar').count(), 0, 'no bar while nothing syncs');

  await report(page, {});
  let b = await bar(page);
  assert.deepEqual([b.min, b.now, b.max, b.busy], [0, 0, 1, 'true']);
  assert.equal(b.text, 'Starting sync · 0 events');
  assert.equal(b.fill, '0%');
  assert.equal(
    await page.getByTestId('status-line').getByRole('progressbar').count(),
    1,
    'the bar lives in the status line',
  );

  await report(page, { pages: 1, events: 100, requestsLeft: 448, rateLimit: 500 });
  await page.getByTestId('sync-progress-text').filter({ hasText: 'page 1' }).waitFor();
  b = await bar(page);
  assert.deepEqual([b.now, b.max], [1, 2], 'one page done, another coming');
  assert.equal(b.text, 'Syncing: page 1, more to come · 100 events · 448 of 500 requests left this minute');
  assert.equal(b.shown, b.text, 'what is spoken is what is shown');
  assert.equal(b.fill, '50%');

  await report(page, { pages: 3, events: 250, morePages: false, requestsLeft: 1, rateLimit: null });
  await page.getByTestId('sync-progress-text').filter({ hasText: 'page 3' }).waitFor();
  b = await bar(page);
  assert.deepEqual([b.now, b.max], [3, 3]);
  assert.equal(b.text, 'Syncing: page 3 · 250 events · 1 request left this minute');

  await report(page, { running: false, pages: 3, events: 250, morePages: false, requestsLeft: 440, rateLimit: 500 });
  await page.getByTestId('sync-progress-text').filter({ hasText: 'Synced' }).waitFor();
  b = await bar(page);
  assert.deepEqual([b.now, b.max, b.busy], [3, 3, 'false']);
  assert.equal(b.text, 'Synced · 250 events · 440 of 500 requests left this minute');
  assert.equal(b.fill, '100%');
  await screenshot(page, 'sync-progress');
  await assertClean(page, problems);
  await context.close();
});

test('a stopped sync says why instead of a bar, and a new sync brings the bar back', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url);
  await page.getByTestId('status-line').waitFor();
  await report(page, { pages: 2, events: 200 });
  await bar(page);
  await report(page, {
    running: false,
    morePages: false,
    error: 'sync stopped at page 3 of the listing; pages 1–2 are applied and the next sync continues from page 3',
  });
  const stopped = page.getByTestId('sync-progress-error');
  await stopped.waitFor();
  assert.match(await stopped.innerText(), /^Sync stopped: .*continues from page 3$/);
  assert.equal(await stopped.getAttribute('role'), 'status');
  assert.equal(await page.getByRole('progressbar').count(), 0);

  await report(page, {});
  assert.equal((await bar(page)).now, 0);
  assert.equal(await page.getByTestId('sync-progress-error').count(), 0);
  await assertClean(page, problems);
  await context.close();
});
