// `public/early.js` asks the first screen's questions before the app's code loads; boot.ts keeps
// its dashboard only when the range it asked for is the one Home wants. Here the script runs as
// the window runs it (a plain script in a fresh global), in several zones, against the range
// boot.ts computes from Intl's zone data.

import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { dashboardBounds } from './boot';
import { systemPrefs } from './time';

const source = readFileSync(new URL('../../public/early.js', import.meta.url), 'utf8');

type Call = { cmd: string; args: unknown };

/** Runs early.js at `now` in a fresh global; `answer` decides each command's promise. */
function runEarly(now: Date, answer: (cmd: string) => Promise<unknown> = () => Promise.resolve(null)) {
  const calls: Call[] = [];
  const invoke = (cmd: string, args: unknown) => {
    calls.push({ cmd, args });
    return answer(cmd);
  };
  class FixedDate extends Date {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(now.getTime());
      else super(...(args as [number, number, number]));
    }
  }
  const window: Record<string, unknown> = { __TAURI_INTERNALS__: { invoke } };
  // The window's User Timing, recorded: the script marks as it starts, before it asks (`make bench`
  // reads it).
  const marks: string[] = [];
  const performance = { mark: (name: string) => void marks.push(name) };
  runInNewContext(source, { window, Date: FixedDate, Intl, performance });
  return { calls, marks, early: window.__SLOTLINE_EARLY__ as Record<string, unknown> | undefined };
}

const savedTz = process.env.TZ;
afterEach(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

describe('early.js', () => {
  it('asks the four questions at once, the dashboard for the range Home wants', () => {
    const now = new Date('2026-03-11T20:00:00Z');
    const { calls, marks, early } = runEarly(now);
    expect(calls.map((c) => c.cmd)).toEqual(['get_store_problem', 'get_preferences', 'get_status', 'dashboard']);
    expect(marks).toEqual(['slotline:early']);
    const { zone, locale } = systemPrefs();
    expect(calls[3]?.args).toEqual(dashboardBounds(now, zone, locale));
    expect((early?.dashboard as { bounds: unknown }).bounds).toEqual(calls[3]?.args);
  });

  // Ordinary days, both DST changes of each hemisphere, a zone whose clocks jump at midnight and a
  // half-hour zone: the script's `Date` arithmetic gives boot.ts's range in every one of them.
  const cases: Array<[string, string]> = [
    ['UTC', '2026-03-11T20:00:00Z'],
    ['Europe/London', '2026-03-29T12:00:00Z'],
    ['Europe/London', '2026-10-25T12:00:00Z'],
    ['America/New_York', '2026-03-08T15:00:00Z'],
    ['America/New_York', '2026-11-01T03:30:00Z'],
    ['America/Santiago', '2026-04-05T12:00:00Z'],
    ['America/Santiago', '2026-09-06T12:00:00Z'],
    ['Asia/Tokyo', '2026-12-31T23:00:00Z'],
    ['Asia/Kolkata', '2026-06-14T19:00:00Z'],
    ['Australia/Lord_Howe', '2026-10-04T12:00:00Z'],
  ];
  it.each(cases)('computes boot.ts’s day and week in %s around %s', (zone, at) => {
    process.env.TZ = zone;
    // The zone as the webview names it (ICU may say Asia/Calcutta for Asia/Kolkata).
    const { timeZone, locale } = Intl.DateTimeFormat().resolvedOptions();
    // The process's clock is in that zone (Node reads TZ afresh when it changes).
    expect(new Date(at).getTimezoneOffset() + DateTime.fromISO(at, { zone }).offset).toBe(0);
    const now = new Date(at);
    const { calls } = runEarly(now);
    expect(calls[3]?.args).toEqual(dashboardBounds(now, timeZone, locale));
  });

  it('does nothing outside the Tauri window (the mock, a plain browser)', () => {
    const window: Record<string, unknown> = {};
    runInNewContext(source, { window, Date, Intl });
    expect(window.__SLOTLINE_EARLY__).toBeUndefined();
  });

  it('leaves a refusal to whoever takes it, without an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { early } = runEarly(new Date(), () => Promise.reject({ kind: 'store', message: 'no store' }));
      await new Promise((r) => setTimeout(r, 10));
      expect(unhandled).toEqual([]);
      await expect(early?.status).rejects.toEqual({ kind: 'store', message: 'no store' });
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
