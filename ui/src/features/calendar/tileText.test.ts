import { describe, expect, test } from 'vitest';
import type { CalendarEvent } from '../../ipc';
import { describeEvent, toEventInput } from '../../lib/calendar';
import { formatTime, isoDay, type DisplayPrefs } from '../../lib/time';
import { describeTile, foldBusyDays, tileBadges, tileClock, tileInput, tileLabel } from './tileText';

const base: CalendarEvent = {
  uri: 'u',
  name: 'Discovery Call',
  status: 'active',
  start: '2026-03-11T09:00:00Z',
  end: '2026-03-11T09:30:00Z',
  locationType: null,
  joinUrl: null,
  inviteeNames: ['Priya Raman'],
  inviteesActive: 1,
  rescheduledFrom: null,
  rescheduledTo: null,
  anyNoShow: false,
};

const PREFS: DisplayPrefs[] = [
  { zone: 'Europe/Berlin', locale: 'en-GB', hour12: false },
  { zone: 'America/New_York', locale: 'en-US', hour12: true },
  { zone: 'Asia/Kathmandu', locale: 'de-DE', hour12: false },
  { zone: 'Australia/Sydney', locale: 'en-AU', hour12: true },
  { zone: 'America/Santiago', locale: 'es-CL', hour12: false },
];

// Around DST changes, midnight and the day line.
const SPANS: Array<[string, string]> = [
  ['2026-03-11T09:00:00Z', '2026-03-11T09:30:00Z'],
  ['2026-03-29T00:30:00Z', '2026-03-29T01:30:00Z'],
  ['2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z'],
  ['2026-04-05T02:30:00Z', '2026-04-05T03:30:00Z'],
  ['2026-04-04T15:30:00Z', '2026-04-04T16:30:00Z'],
  ['2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z'],
  ['2026-03-11T22:45:00Z', '2026-03-12T00:15:00Z'],
  ['2026-03-11T23:00:00Z', '2026-03-12T00:00:00Z'],
  ['2026-07-01T18:15:00Z', '2026-07-01T18:45:00Z'],
];

describe('tile text equals lib/time and lib/calendar', () => {
  for (const prefs of PREFS) {
    test(`${prefs.zone} ${prefs.locale} ${prefs.hour12 ? '12h' : '24h'}`, () => {
      const clock = tileClock(prefs);
      for (const [start, end] of SPANS) {
        const e = { ...base, start, end, anyNoShow: start.endsWith('15:00Z'), rescheduledFrom: end.endsWith('30:00Z') ? 'x' : null };
        expect(describeTile(e, clock)).toBe(describeEvent(e, prefs));
        expect(clock.time(Date.parse(start))).toBe(formatTime(start, prefs));
        expect(clock.day(Date.parse(start))).toBe(isoDay(start, prefs));
        expect(clock.day(Date.parse(end))).toBe(isoDay(end, prefs));
        expect(tileInput(e, clock, prefs.zone)).toEqual(toEventInput(e, prefs.zone));
      }
    });
  }
});

describe('tileLabel: a tile is named by what it shows, then its day and times', () => {
  const clock = tileClock(PREFS[0]!);
  // `Wed 11 Mar 2026, 10:00–10:30` (ICU versions differ on a comma after the weekday).
  const when = clock.range(Date.parse(base.start), Date.parse(base.end));
  test('time grid: time and title, invitees, badges, then the range', () => {
    expect(tileLabel(base, clock, 'timeGridWeek')).toBe(`10:00 Discovery Call, Priya Raman, ${when}`);
    const moved = { ...base, status: 'canceled' as const, anyNoShow: true, rescheduledTo: 'x' };
    expect(tileBadges(moved).map((b) => b.text)).toEqual(['No-show', 'Moved →']);
    expect(tileLabel(moved, clock, 'timeGridDay')).toBe(`10:00 Discovery Call, Priya Raman, No-show, Moved, ${when}`);
  });
  test('month: time and who, then the meeting type, the range and its states', () => {
    const canceled = { ...base, status: 'canceled' as const, rescheduledFrom: 'x' };
    expect(tileLabel(canceled, clock, 'dayGridMonth')).toBe(`10:00 Priya Raman, Discovery Call, ${when}, canceled, rescheduled`);
    expect(tileLabel({ ...base, inviteeNames: [] }, clock, 'dayGridMonth')).toBe(`10:00 Discovery Call, ${when}`);
  });
  test('list rows keep the full description', () => {
    expect(tileLabel(base, clock, 'listWeek')).toBe(describeTile(base, clock));
  });
});

describe('foldBusyDays', () => {
  const at = (day: number, minute: number) => `2026-07-${String(day).padStart(2, '0')}T${String(8 + Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00Z`;
  const meeting = (day: number, minute: number, id: string): CalendarEvent => ({
    ...base,
    uri: id,
    start: at(day, minute),
    end: at(day, minute + 30),
  });
  const prefs: DisplayPrefs = { zone: 'UTC', locale: 'en-GB', hour12: false };
  const clock = tileClock(prefs);
  const dayOf = (e: CalendarEvent) => clock.day(Date.parse(e.start));

  test('a quiet day is passed whole; a busy one keeps its first tiles and counts the rest', () => {
    const quiet = Array.from({ length: 10 }, (_, i) => meeting(1, i * 10, `q${i}`));
    // Out of order on purpose: the earliest are kept.
    const busy = Array.from({ length: 25 }, (_, i) => meeting(2, (24 - i) * 10, `b${24 - i}`));
    const events = [...quiet, ...busy];
    const inputs = events.map((e) => tileInput(e, clock, 'UTC'));
    const out = foldBusyDays(events, inputs, dayOf, 3);
    expect(out.filter((i) => String(i.id).startsWith('q'))).toHaveLength(10);
    expect(out.filter((i) => String(i.id).startsWith('b')).map((i) => i.id)).toEqual(['b0', 'b1', 'b2']);
    const more = out.find((i) => String(i.id).startsWith('more|'));
    expect(more?.extendedProps?.more).toEqual({ day: '2026-07-02', count: 22 });
    // Sorted after the kept tiles: it starts with the first folded meeting.
    expect(more?.start).toBe(busy.find((e) => e.uri === 'b3')!.start);
    expect(out).toHaveLength(10 + 3 + 1);
  });
});
