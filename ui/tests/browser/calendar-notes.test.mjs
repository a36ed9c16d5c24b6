// The detail panel's reschedule chain (cards, earliest first, each opening its booking) and the
// consultant's private notes (autosaved after a pause, on blur and when another meeting opens;
// restored from `get_private_note`; a failed save says so and can be retried).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, calls, gotoCalendar, openApp, screenshot, tile, uri, useBrowser } from './harness.mjs';

const env = useBrowser();

async function calendar(mock = {}) {
  const app = await openApp(env.browser, env.server.url, { mock: { preferences: { showCanceled: true }, ...mock } });
  await gotoCalendar(app.page);
  return app;
}

/** The chain's cards as `role|day|time|status`, and which one is current. */
async function chainCards(panel) {
  const links = panel.getByTestId('chain-link');
  const out = [];
  for (let i = 0; i < (await links.count()); i++) {
    const l = links.nth(i);
    const text = (await l.innerText()).split('\n').map((s) => s.trim()).filter(Boolean);
    out.push({ text: text.join(' | '), current: (await l.locator('[aria-current="true"]').count()) === 1, uri: await l.getAttribute('data-uri') });
  }
  return out;
}

test('a rescheduled meeting draws its chain; each card opens its booking', async () => {
  const { page, context, problems } = await calendar();
  // A second move: SOFIA-NEW was moved on to a third booking (as a sync would have stored it).
  await page.evaluate((ids) => {
    const db = window.__SLOTLINE_MOCK_CONTROL__.db;
    const newer = db.events.find((e) => e.uri === ids.fresh);
    const third = structuredClone(newer);
    third.uri = ids.third;
    third.start = '2026-03-19T14:00:00Z';
    third.end = '2026-03-19T14:30:00Z';
    third.invitees[0].uri = `${ids.third}/invitees/T1`;
    third.invitees[0].rescheduledFrom = ids.fresh;
    third.invitees[0].rescheduledTo = null;
    newer.status = 'canceled';
    newer.invitees[0].status = 'canceled';
    newer.invitees[0].rescheduled = true;
    newer.invitees[0].rescheduledTo = ids.third;
    newer.invitees[0].cancelReason = 'Rescheduled';
    newer.invitees[0].canceledBy = 'Sofia Alvarez';
    newer.invitees[0].cancelerType = 'invitee';
    db.events.push(third);
  }, { fresh: uri('SOFIA-NEW'), third: uri('SOFIA-THIRD') });

  await tile(page, 'SOFIA-OLD').click();
  const panel = page.getByTestId('event-detail');
  await panel.getByTestId('reschedule-chain').waitFor();
  assert.deepEqual(await chainCards(panel), [
    { text: 'THIS BOOKING | Wed 11 Mar | 16:00–16:30 | Moved', current: true, uri: uri('SOFIA-OLD') },
    { text: 'LATER BOOKING | Tue 17 Mar | 11:30–12:00 | Moved', current: false, uri: uri('SOFIA-NEW') },
    { text: 'LATER BOOKING | Thu 19 Mar | 15:00–15:30 | Scheduled', current: false, uri: uri('SOFIA-THIRD') },
  ]);
  assert.deepEqual((await calls(page, 'get_reschedule_chain')).map((c) => c.args), [{ uri: uri('SOFIA-OLD') }]);
  await screenshot(page, 'detail-reschedule-chain');

  // The last card opens the third booking: the calendar goes to its week, the chain follows.
  await panel.getByRole('button', { name: /Open the later booking: Thu 19 Mar, 15:00–15:30, Scheduled/ }).click();
  await panel.locator('[data-testid="chain-link"][data-uri$="/SOFIA-THIRD"] [aria-current="true"]').waitFor();
  assert.equal((await calls(page, 'get_event')).at(-1).args.uri, uri('SOFIA-THIRD'));
  assert.equal(await panel.getByTestId('detail-status').innerText(), 'Scheduled');
  await page.locator('.fc-toolbar-title', { hasText: '16 – 22 Mar 2026' }).waitFor();
  assert.deepEqual(
    (await chainCards(panel)).map((c) => c.text.split(' | ')[0]),
    ['EARLIER BOOKING', 'EARLIER BOOKING', 'THIS BOOKING'],
  );

  // From the keyboard: Tab reaches the cards, Enter opens the adjacent earlier booking.
  await panel.getByTestId('rescheduled-from').focus();
  await page.keyboard.press('Enter');
  await panel.locator('[data-testid="chain-link"][data-uri$="/SOFIA-NEW"] [aria-current="true"]').waitFor();
  assert.match(await panel.getByTestId('detail-time').innerText(), /^Tue,? 17 Mar 2026, 11:30–12:00/);
  await assertClean(page, problems);
  await context.close();
});

test('a booking that is not stored ends the chain as a card without a link', async () => {
  const { page, context, problems } = await calendar();
  await page.evaluate((gone) => {
    const db = window.__SLOTLINE_MOCK_CONTROL__.db;
    db.events.find((e) => e.uri.endsWith('/SOFIA-OLD')).invitees[0].rescheduledFrom = gone;
  }, uri('LONG-AGO'));
  await tile(page, 'SOFIA-OLD').click();
  const panel = page.getByTestId('event-detail');
  await panel.getByTestId('reschedule-chain').waitFor();
  const cards = await chainCards(panel);
  assert.equal(cards.length, 3);
  assert.equal(cards[0].text, 'EARLIER BOOKING | Outside the synced range | Not synced');
  assert.equal(await panel.getByTestId('chain-link').first().getByRole('button').count(), 0);
  assert.equal(cards[1].current, true);
  await assertClean(page, problems);
  await context.close();
});

test('a meeting that was never rescheduled has no chain', async () => {
  const { page, context, problems } = await calendar();
  await tile(page, 'PRIYA-DISCOVERY').click();
  const panel = page.getByTestId('event-detail');
  await panel.getByTestId('detail-title').waitFor();
  await panel.getByTestId('private-notes').waitFor();
  assert.equal(await panel.getByTestId('reschedule-chain').count(), 0);
  assert.equal((await calls(page, 'get_reschedule_chain')).length, 0);
  await assertClean(page, problems);
  await context.close();
});

test('private notes save after a pause, come back, and save when another meeting opens', async () => {
  const { page, context, problems } = await calendar({ notes: { [uri('SOFIA-NEW')]: 'Sent the deck already.' } });
  await tile(page, 'PRIYA-DISCOVERY').click();
  const panel = page.getByTestId('event-detail');
  const notes = panel.getByRole('textbox', { name: 'My notes' });
  await notes.waitFor();
  assert.equal(await notes.inputValue(), '');
  assert.equal(await notes.getAttribute('readonly'), null);

  await notes.click();
  await page.keyboard.type('Ask about the Q2 launch budget.', { delay: 15 });
  // Typing is one save, after the pause, not one per key.
  await panel.getByTestId('private-notes-state').filter({ hasText: 'Saved' }).waitFor();
  const saves = await calls(page, 'set_private_note');
  assert.deepEqual(saves.map((c) => c.args), [{ uri: uri('PRIYA-DISCOVERY'), body: 'Ask about the Q2 launch budget.' }]);
  assert.equal(
    await page.evaluate((u) => window.__SLOTLINE_MOCK_CONTROL__.notes[u]?.body, uri('PRIYA-DISCOVERY')),
    'Ask about the Q2 launch budget.',
  );
  await screenshot(page, 'detail-private-notes');

  // Typing and at once opening another meeting still saves what was typed, to the right meeting.
  await notes.press('End');
  await page.keyboard.type(' Bring Lena.');
  await page.getByRole('button', { name: 'Next week' }).click();
  await tile(page, 'SOFIA-NEW').click();
  await page.waitForFunction((u) => window.__SLOTLINE_MOCK_CONTROL__.calls.some((c) => c.cmd === 'get_event' && c.args.uri === u), uri('SOFIA-NEW'));
  await page.waitForFunction(
    (u) => window.__SLOTLINE_MOCK_CONTROL__.notes[u]?.body === 'Ask about the Q2 launch budget. Bring Lena.',
    uri('PRIYA-DISCOVERY'),
  );
  // The other meeting's own note is loaded, not the previous text.
  await page.waitForFunction(() => document.querySelector('[data-testid="private-notes"]')?.value === 'Sent the deck already.');

  // Clearing a note deletes it.
  await notes.fill('');
  await notes.blur();
  await page.waitForFunction((u) => !(u in window.__SLOTLINE_MOCK_CONTROL__.notes), uri('SOFIA-NEW'));

  // Reopening the first meeting shows its note again (from get_private_note).
  await page.getByRole('button', { name: 'Previous week' }).click();
  await tile(page, 'PRIYA-DISCOVERY').click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="private-notes"]')?.value === 'Ask about the Q2 launch budget. Bring Lena.',
  );
  assert.ok((await calls(page, 'get_private_note')).length >= 3);
  await assertClean(page, problems);
  await context.close();
});

test('a note that cannot be saved says so, keeps the text and retries', async () => {
  const { page, context, problems } = await calendar({ noteError: 'database error: disk I/O error' });
  await tile(page, 'PRIYA-DISCOVERY').click();
  const panel = page.getByTestId('event-detail');
  const notes = panel.getByTestId('private-notes');
  await notes.waitFor();
  await notes.fill('Call back on Friday.');
  const state = panel.getByTestId('private-notes-state');
  await state.filter({ hasText: 'Not saved: database error: disk I/O error' }).waitFor();
  assert.equal(await notes.inputValue(), 'Call back on Friday.');
  await page.evaluate(() => {
    window.__SLOTLINE_MOCK_CONTROL__.config.noteError = undefined;
  });
  await panel.getByRole('button', { name: 'Retry' }).click();
  await state.filter({ hasText: 'Saved' }).waitFor();
  assert.equal(
    await page.evaluate((u) => window.__SLOTLINE_MOCK_CONTROL__.notes[u]?.body, uri('PRIYA-DISCOVERY')),
    'Call back on Friday.',
  );
  await assertClean(page, problems);
  await context.close();
});
