// lib/time.ts reads zones through Intl alone so the first screen loads without luxon. Luxon is
// still in the app (FullCalendar's zone plugin), and it is the reference here: across zones with
// every kind of clock change, and instants spread over a year and packed around each change,
// the helpers give what the luxon code they replaced gave (kept below as the reference), except
// where that code was wrong (a day after a skipped midnight: see `dayBounds` in time.test.ts).

import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { wallClockEnd } from './calendar';
import {
  addDays,
  addMonths,
  dayBounds,
  formatCalendarDay,
  formatDay,
  formatShortDay,
  formatTime,
  formatTimeRange,
  greeting,
  isoDay,
  shortOffset,
  timeInZone,
  todayIn,
  toUtcIso,
  wallTimeIn,
  weekBounds,
  weekdayOf,
  zoneOffsetLabel,
  type DisplayPrefs,
} from './time';

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'Europe/London',
  'America/New_York',
  'America/Santiago',
  'America/Sao_Paulo',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Pacific/Apia',
];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// Every 14 h 29 min through 2026 (each hour of the day and each weekday come round).
const INSTANTS: Date[] = [];
for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 14 * HOUR + 29 * 60_000) INSTANTS.push(new Date(t));

/** INSTANTS, and every 1 h 7 min over the three days around each of `zone`'s clock changes in 2026. */
function instantsFor(zone: string): Date[] {
  const out = [...INSTANTS];
  for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += DAY) {
    if (DateTime.fromMillis(t, { zone }).offset === DateTime.fromMillis(t + DAY, { zone }).offset) continue;
    for (let u = t - DAY; u < t + 2 * DAY; u += HOUR + 7 * 60_000) out.push(new Date(u));
  }
  return out;
}

const ref = {
  day(now: Date, zone: string) {
    const start = DateTime.fromJSDate(now, { zone }).startOf('day');
    return { start: toUtcIso(start.toJSDate()), end: toUtcIso(start.plus({ days: 1 }).startOf('day').toJSDate()) };
  },
  week(now: Date, zone: string, firstDay: number) {
    const day = DateTime.fromJSDate(now, { zone }).startOf('day');
    const start = day.minus({ days: (day.weekday % 7 - firstDay + 7) % 7 }).startOf('day');
    return { start: toUtcIso(start.toJSDate()), end: toUtcIso(start.plus({ weeks: 1 }).startOf('day').toJSDate()) };
  },
  offset(now: Date, zone: string) {
    return DateTime.fromJSDate(now, { zone }).offset;
  },
};

describe('the Intl time helpers against luxon', () => {
  it.each(ZONES)('gives luxon’s days, weeks, dates, hours and offsets in %s', (zone) => {
    const instants = instantsFor(zone);
    // All but these five change their clocks in 2026 (São Paulo and Apia no longer keep DST).
    if (!['UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/Sao_Paulo', 'Pacific/Apia'].includes(zone)) {
      expect(instants.length).toBeGreaterThan(INSTANTS.length);
    }
    for (const now of instants) {
      const dt = DateTime.fromJSDate(now, { zone });
      const at = now.toISOString();
      expect(todayIn(now, zone), at).toBe(dt.toISODate());
      expect(isoDay(at, { zone, locale: 'en', hour12: false }), at).toBe(dt.toISODate());
      const hour = dt.hour;
      expect(greeting(now, zone), at).toBe(hour < 5 || hour >= 18 ? 'Good evening' : hour < 12 ? 'Good morning' : 'Good afternoon');
      // Luxon's day ran an hour into the next one after a skipped midnight; that was the bug.
      const luxonDay = ref.day(now, zone);
      expect(dayBounds(now, zone), at).toEqual(luxonDay);
      expect(weekBounds(now, zone, 1), at).toEqual(ref.week(now, zone, 1));
      expect(weekBounds(now, zone, 0), at).toEqual(ref.week(now, zone, 0));
      const m = ref.offset(now, zone);
      expect(shortOffset(zone, now), at).toMatch(m === 0 ? /^UTC$/ : new RegExp(`^UTC${m > 0 ? '\\+' : '−'}${Math.floor(Math.abs(m) / 60)}(:\\d\\d)?$`));
      expect(zoneOffsetLabel(zone, now).length, at).toBe(m === 0 ? 3 : 9);
    }
  });

  it('formats as luxon did', () => {
    const prefs: DisplayPrefs[] = [
      { zone: 'Europe/Berlin', locale: 'en-GB', hour12: false },
      { zone: 'America/New_York', locale: 'en-US', hour12: true },
      { zone: 'Asia/Kolkata', locale: 'de-DE', hour12: false },
      { zone: 'America/Santiago', locale: 'es-CL', hour12: false },
    ];
    const timeOpts = (p: DisplayPrefs): Intl.DateTimeFormatOptions => ({
      hour: p.hour12 ? 'numeric' : '2-digit',
      minute: '2-digit',
      hourCycle: p.hour12 ? 'h12' : 'h23',
    });
    for (const p of prefs) {
      for (const now of INSTANTS.filter((_, i) => i % 7 === 0)) {
        const iso = toUtcIso(now);
        const dt = DateTime.fromISO(iso, { zone: p.zone }).setLocale(p.locale);
        expect(formatTime(iso, p)).toBe(dt.toLocaleString(timeOpts(p)));
        expect(formatDay(iso, p)).toBe(dt.toLocaleString({ weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }));
        expect(formatShortDay(iso, p)).toBe(dt.toLocaleString({ weekday: 'short', day: 'numeric', month: 'short' }).replace(',', ''));
        const there = DateTime.fromISO(iso, { zone: 'Asia/Tokyo' }).setLocale(p.locale);
        const time = there.toLocaleString(timeOpts(p));
        expect(timeInZone(iso, 'Asia/Tokyo', p)).toBe(there.toISODate() === dt.toISODate() ? time : `${there.toLocaleString({ weekday: 'short' })} ${time}`);
        const end = toUtcIso(new Date(now.getTime() + 45 * 60_000));
        const sameDay = dt.hasSame(DateTime.fromISO(end, { zone: p.zone }), 'day');
        expect(formatTimeRange(iso, end, p).includes(' – ')).toBe(!sameDay);
      }
    }
  });

  it('reads a wall-clock time of one zone in another as luxon did, gaps and repeats included', () => {
    const p: DisplayPrefs = { zone: 'America/Santiago', locale: 'en-GB', hour12: false };
    for (const day of ['2026-04-04', '2026-04-05', '2026-09-05', '2026-09-06', '2026-03-29', '2026-10-25']) {
      for (let minutes = 0; minutes < 24 * 60; minutes += 30) {
        for (const [zone, other] of [['America/Santiago', 'Europe/Berlin'], ['Europe/Berlin', 'America/Santiago']] as const) {
          const base = DateTime.fromISO(day, { zone }).set({ hour: Math.floor(minutes / 60), minute: minutes % 60 });
          const there = base.setZone(other).setLocale(p.locale);
          const time = there.toLocaleString({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
          const want = there.toISODate() === base.toISODate() ? time : `${there.toLocaleString({ weekday: 'short' })} ${time}`;
          expect(wallTimeIn(day, minutes, zone, other, p), `${day} ${minutes} ${zone}`).toBe(want);
        }
      }
    }
  });

  it('ends a meeting across the repeated hour where luxon did', () => {
    for (const zone of ZONES) {
      for (const now of instantsFor(zone).filter((_, i) => i % 3 === 0)) {
        for (const minutes of [30, 90]) {
          const startIso = toUtcIso(now);
          const endIso = toUtcIso(new Date(now.getTime() + minutes * 60_000));
          const WALL = "yyyy-MM-dd'T'HH:mm:ss";
          const start = DateTime.fromISO(startIso, { zone });
          const end = DateTime.fromISO(endIso, { zone });
          const want =
            end.toFormat(WALL) > start.toFormat(WALL)
              ? endIso
              : DateTime.fromISO(start.toFormat(WALL), { zone: 'UTC' }).plus({ milliseconds: end.toMillis() - start.toMillis() }).toFormat(WALL);
          expect(wallClockEnd(startIso, endIso, zone), `${zone} ${startIso}`).toBe(want);
        }
      }
    }
  });

  it('counts calendar days and months as luxon did', () => {
    for (let day = '2026-01-01'; day < '2027-01-01'; day = addDays(day, 1)) {
      const dt = DateTime.fromISO(day, { zone: 'UTC' });
      expect(weekdayOf(day)).toBe(dt.weekday % 7);
      expect(addDays(day, -40)).toBe(dt.minus({ days: 40 }).toISODate());
      expect(addMonths(day, 1)).toBe(dt.plus({ months: 1 }).toISODate());
      expect(addMonths(day, -13)).toBe(dt.minus({ months: 13 }).toISODate());
    }
    expect(formatCalendarDay('2026-03-11', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }, 'en-US')).toBe(
      DateTime.fromISO('2026-03-11').setLocale('en-US').toLocaleString(DateTime.DATE_HUGE),
    );
    expect(formatCalendarDay('not a day', { weekday: 'long' }, 'en-US')).toBe('not a day');
  });
});
