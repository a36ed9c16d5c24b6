// The Clients view and Insights (issue 17) against the mock's month of meetings: sort, search,
// open a client, rename, merge and move; the charts draw, and their library loads only when
// Insights opens; a paid seat shows its payment in the meeting's detail. Screenshots of both
// views (light) for the front page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, calls, gotoCalendar, openApp, screenshot, tile, useBrowser, WIDE } from './harness.mjs';

const env = useBrowser();

/** A second Northwind person and a gmail client, so the list has both kinds of client. */
const EXTRA = [
  {
    id: 'LENA-INTRO',
    name: 'Discovery Call',
    start: '2026-03-12T13:00:00Z',
    end: '2026-03-12T13:30:00Z',
    invitee: { name: 'Lena Fischer', email: 'lena.fischer@northwind-labs.com', timezone: 'Europe/Berlin' },
  },
  {
    id: 'ANA-GMAIL',
    name: 'Strategy Session',
    start: '2026-03-13T09:00:00Z',
    end: '2026-03-13T10:00:00Z',
    invitee: { name: 'Ana Lima', email: 'ana.lima@gmail.com', timezone: 'America/Sao_Paulo' },
  },
];

async function openClients(page) {
  await page.getByTestId('nav-clients').click();
  await page.getByTestId('client-row').first().waitFor();
}

const names = (page) => page.getByTestId('client-name').allTextContents();
const row = (page, key) => page.locator(`[data-testid=client-row][data-key="${key}"]`);

test('clients: sorted, searched, opened, renamed, merged and moved', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url, { mock: { extraMeetings: EXTRA } });
  await openClients(page);
  // This month (March 2026, Berlin) by default; companies by domain, the gmail person alone.
  assert.deepEqual(await calls(page, 'clients_report').then((c) => c[0].args), { from: '2026-03-01', to: '2026-03-31', tz: 'Europe/Berlin' });
  const northwind = row(page, 'domain:northwind-labs.com');
  await northwind.waitFor();
  assert.equal(await row(page, 'person:ana.lima@gmail.com').getByTestId('client-name').textContent(), 'Ana Lima');

  // Sorted by hours (most first) at start; by name when asked, and back.
  assert.equal(await page.locator('th[aria-sort]').getAttribute('aria-sort'), 'descending');
  const hours = (await page.getByTestId('client-hours').allTextContents()).map(Number);
  assert.deepEqual(hours, [...hours].sort((a, b) => b - a));
  await page.getByTestId('sort-name').click();
  const byName = await names(page);
  assert.deepEqual(byName, [...byName].sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' })));
  await page.getByTestId('sort-name').click();
  assert.deepEqual(await names(page), [...byName].reverse());

  // Searched by a person's email.
  await page.getByTestId('client-search').fill('hannah@');
  await page.getByTestId('client-row').first().waitFor();
  assert.deepEqual(await names(page), ['okafor-legal.com']);
  const okafor = row(page, 'domain:okafor-legal.com');
  // Two meetings in March (a strategy session and the paid on-site review): 3 h, €1,200.
  assert.equal(await okafor.getByTestId('client-meetings').textContent(), '2');
  assert.equal(await okafor.getByTestId('client-hours').textContent(), '3');
  assert.match(await okafor.textContent(), /€1,200\.00/);

  // Opened, then renamed.
  await okafor.getByTestId('client-name').click();
  await page.getByTestId('client-page').waitFor();
  assert.equal(await page.getByTestId('client-title').textContent(), 'okafor-legal.com');
  assert.deepEqual(await page.getByTestId('client-person').evaluateAll((els) => els.map((e) => e.dataset.email)), ['hannah@okafor-legal.com']);
  assert.equal(await page.getByTestId('client-meeting').count(), 2);
  await page.getByTestId('client-rename').click();
  // The field that appears takes the focus, so typing goes straight into it.
  await page.getByTestId('client-name-input').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'client-name-input');
  await page.getByTestId('client-name-input').fill('Okafor Legal LLP');
  await page.getByTestId('client-rename-save').click();
  await page.getByTestId('client-title').filter({ hasText: 'Okafor Legal LLP' }).waitFor();
  assert.deepEqual(await calls(page, 'rename_client').then((c) => c.map((x) => x.args)), [{ key: 'domain:okafor-legal.com', name: 'Okafor Legal LLP' }]);

  // BrightPath is merged into it: one client, two people; then Jonas goes back on his own.
  await page.getByTestId('client-back').click();
  await page.getByTestId('client-search').fill('');
  await row(page, 'domain:brightpath.io').getByTestId('client-name').click();
  await page.getByTestId('client-merge-into').selectOption('domain:okafor-legal.com');
  await page.getByTestId('client-merge').click();
  await page.getByTestId('client-title').filter({ hasText: 'Okafor Legal LLP' }).waitFor();
  await page.locator('[data-testid=client-person][data-email="jonas.meyer@brightpath.io"]').waitFor();
  assert.equal(await page.getByTestId('client-person').count(), 2);
  const jonas = page.locator('[data-testid=client-person][data-email="jonas.meyer@brightpath.io"]');
  await jonas.getByTestId('person-move-to').selectOption('person:jonas.meyer@brightpath.io');
  await jonas.getByTestId('person-move').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=client-person]').length === 1);
  assert.deepEqual(await page.evaluate(() => window.__SLOTLINE_MOCK_CONTROL__.clientOverrides), {
    names: { 'domain:okafor-legal.com': 'Okafor Legal LLP' },
    merges: { 'domain:brightpath.io': 'domain:okafor-legal.com' },
    members: { 'jonas.meyer@brightpath.io': 'person:jonas.meyer@brightpath.io' },
  });
  await page.getByTestId('client-back').click();
  await row(page, 'person:jonas.meyer@brightpath.io').waitFor();
  assert.equal(await row(page, 'domain:okafor-legal.com').getByTestId('client-name').textContent(), 'Okafor Legal LLP');

  // Last month: other numbers, asked for February's days.
  await page.getByTestId('range-preset').selectOption('last-month');
  await page.waitForFunction(() => window.__SLOTLINE_MOCK_CONTROL__.calls.some((c) => c.cmd === 'clients_report' && c.args.from === '2026-02-01'));
  assert.deepEqual((await calls(page, 'clients_report')).at(-1).args, { from: '2026-02-01', to: '2026-02-28', tz: 'Europe/Berlin' });

  // The export for invoicing goes to Downloads.
  await page.getByTestId('export-report-csv').click();
  await page.getByTestId('export-report-done').filter({ hasText: 'slotline-report-20260201-20260228.csv' }).waitFor();
  await assertClean(page, problems);
  await context.close();
});

test('insights: the charts draw, and uPlot loads only when the view opens', async () => {
  // Tall enough for the heatmap below the charts.
  const { page, context, problems } = await openApp(env.browser, env.server.url, { viewport: { width: WIDE.width, height: 1160 } });
  const chunks = [];
  page.on('request', (r) => chunks.push(new URL(r.url()).pathname));
  await page.getByTestId('today-meeting').first().waitFor();
  await openClients(page);
  // Home, the idle prefetch and the Clients view fetched no charting code.
  assert.equal(chunks.filter((c) => /InsightsPage/.test(c)).length, 0, chunks.join('\n'));
  await page.getByTestId('nav-insights').click();
  await page.getByTestId('insights-page').waitFor();
  for (const chart of ['chart-weekly', 'chart-rates', 'chart-lead']) {
    await page.locator(`[data-testid=${chart}] canvas`).waitFor();
  }
  assert.ok(chunks.some((c) => /InsightsPage-.*\.js$/.test(c)), 'the Insights chunk loaded on open');
  // Stacked by event type: each type is a series in the legend.
  const legend = await page.locator('[data-testid=chart-weekly] .u-legend .u-series').allTextContents();
  for (const type of ['Discovery Call', 'Strategy Session', 'Follow-up']) assert.ok(legend.some((l) => l.includes(type)), `${type} in ${legend}`);
  assert.match(await page.getByTestId('insights-summary').textContent(), /meetings · [\d.]+ h/);
  // The legends are static: a colour and a name per series, no empty read-outs.
  for (const chart of ['chart-weekly', 'chart-rates', 'chart-lead']) {
    const entries = (await page.locator(`[data-testid=${chart}] .u-legend .u-series`).allTextContents()).map((t) => t.trim());
    assert.ok(entries.length > 0, `${chart}: a legend`);
    for (const e of entries) assert.match(e, /\p{L}/u, `${chart}: legend entry ${JSON.stringify(e)} names its series`);
    assert.equal(await page.locator(`[data-testid=${chart}] .u-legend .u-value`).count(), 0, `${chart}: no empty values`);
  }
  // The lead time's six buckets are all written out, side by side and not overlapping, at this
  // width and at a narrow one.
  const leadLabels = async () =>
    page.locator('[data-testid=chart-lead] .u-categories span').evaluateAll((spans) =>
      spans.map((s) => {
        const r = s.getBoundingClientRect();
        return { text: s.textContent, left: r.left, right: r.right, width: r.width, clipped: s.scrollHeight > s.clientHeight + 1 || s.scrollWidth > s.clientWidth + 1 };
      }),
    );
  for (const width of [WIDE.width, 980]) {
    await page.setViewportSize({ width, height: 1160 });
    await page.waitForFunction(() => {
      const chart = document.querySelector('[data-testid=chart-lead]');
      const canvas = chart?.querySelector('canvas');
      return canvas && Math.abs(canvas.getBoundingClientRect().width - chart.getBoundingClientRect().width) < 4;
    });
    const labels = await leadLabels();
    assert.deepEqual(
      labels.map((l) => l.text),
      ['< 1 day', '1–2 days', '2–7 days', '1–2 weeks', '2–4 weeks', '4+ weeks'],
      `at ${width}px`,
    );
    for (const [i, l] of labels.entries()) {
      assert.ok(!l.clipped && l.width > 0, `at ${width}px: ${l.text} is written out`);
      if (i > 0) assert.ok(labels[i - 1].right <= l.left + 0.5, `at ${width}px: ${labels[i - 1].text} overlaps ${l.text}`);
    }
  }
  await page.setViewportSize({ width: WIDE.width, height: 1160 });
  // The heatmap is a table with a caption, day and hour headers, and a colour scale.
  assert.match(await page.locator('[data-testid=heatmap] caption').textContent(), /weekday and starting hour \(Europe\/Berlin\)/);
  assert.equal(await page.locator('[data-testid=heatmap] tbody th[scope=row]').count(), 7);
  assert.ok((await page.getByTestId('heat-scale').locator('li').count()) >= 2, 'a colour scale');
  assert.match(await page.getByTestId('heat-scale').textContent(), /Fewer.*More \(\d+ meetings? at most\)/);
  // The heatmap has the meetings: Monday 9 March 09:00 (two), for one.
  const busy = await page.locator('[data-testid=heatmap] td.heat:not(.heat-empty)').count();
  assert.ok(busy > 5, `${busy} busy cells`);
  await page.getByTestId('weekly-hours').click();
  await page.getByRole('heading', { name: 'Hours per week, by event type' }).waitFor();
  await page.locator('[data-testid=chart-weekly] canvas').waitFor();
  await screenshot(page, 'screen-insights-light');
  await assertClean(page, problems);
  await context.close();
});

test('a paid seat shows its payment in the meeting’s detail', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url);
  await gotoCalendar(page);
  await tile(page, 'E0304').click();
  await page.getByTestId('invitee-payment').waitFor();
  assert.equal(await page.getByTestId('invitee-payment').textContent(), 'Paid €1,200.00 via Stripe');
  await assertClean(page, problems);
  await context.close();
});

test('screen: clients', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url, { viewport: WIDE, mock: { extraMeetings: EXTRA } });
  await openClients(page);
  await row(page, 'person:ana.lima@gmail.com').waitFor();
  await screenshot(page, 'screen-clients-light');
  await assertClean(page, problems);
  await context.close();
});
