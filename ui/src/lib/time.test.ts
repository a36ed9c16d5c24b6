import { describe, expect, it } from 'vitest';
import {
  dayBounds,
  greeting,
  inviteeLocalTime,
  shortOffset,
  timeInZone,
  wallTimeIn,
  weekBounds,
  zoneCity,
  zoneLabel,
  zoneOffsetLabel,
  formatDateTime,
  formatDay,
  formatDuration,
  formatTime,
  formatTimeRange,
  rangeToUtc,
  relativeTime,
  systemPrefs,
  toUtcIso,
  addDays,
  addMonths,
  type DisplayPrefs,
} from './time';

const berlin: DisplayPrefs = { zone: 'Europe/Berlin', locale: 'en-GB', hour12: false };
const newYork12h: DisplayPrefs = { zone: 'America/New_York', locale: 'en-US', hour12: true };

describe('toUtcIso / rangeToUtc', () => {
  it('drops milliseconds and keeps Z', () => {
    expect(toUtcIso(new Date('2026-03-08T23:00:00.000Z'))).toBe('2026-03-08T23:00:00Z');
    expect(toUtcIso(new Date('2026-03-08T23:00:00.789Z'))).toBe('2026-03-08T23:00:00Z');
  });

  it('turns a Berlin week across the DST switch into UTC bounds', () => {
    // Mon 23 Mar 00:00 CET (+01) to Mon 30 Mar 00:00 CEST (+02).
    const range = { start: new Date('2026-03-23T00:00:00+01:00'), end: new Date('2026-03-30T00:00:00+02:00') };
    expect(rangeToUtc(range)).toEqual({ from: '2026-03-22T23:00:00Z', to: '2026-03-29T22:00:00Z' });
  });

  it('refuses an invalid date', () => {
    expect(() => toUtcIso(new Date('nope'))).toThrow(RangeError);
  });
});

describe('formatting in the display zone', () => {
  it('shows a UTC instant in Berlin time, 24 h', () => {
    expect(formatTime('2026-03-11T09:00:00Z', berlin)).toBe('10:00');
    expect(formatDay('2026-03-11T09:00:00Z', berlin)).toMatch(/^Wed,? 11 Mar 2026$/);
    expect(formatDateTime('2026-03-11T09:00:00Z', berlin)).toMatch(/^Wed,? 11 Mar 2026, 10:00$/);
  });

  it('uses 12 h clocks and the other zone when asked', () => {
    expect(formatTime('2026-03-11T14:30:00Z', newYork12h)).toBe('10:30 AM');
  });

  it('writes a same-day range with one date', () => {
    expect(formatTimeRange('2026-03-11T09:00:00Z', '2026-03-11T09:30:00Z', berlin)).toMatch(
      /^Wed,? 11 Mar 2026, 10:00–10:30$/,
    );
  });

  it('writes both dates when a meeting crosses midnight in the display zone', () => {
    const text = formatTimeRange('2026-03-11T22:30:00Z', '2026-03-11T23:30:00Z', berlin);
    expect(text).toMatch(/^Wed,? 11 Mar 2026, 23:30 – Thu,? 12 Mar 2026, 00:30$/);
  });

  it('shows durations in minutes and hours', () => {
    expect(formatDuration('2026-03-11T09:00:00Z', '2026-03-11T09:30:00Z')).toBe('30 min');
    expect(formatDuration('2026-03-11T09:00:00Z', '2026-03-11T10:00:00Z')).toBe('1 h');
    expect(formatDuration('2026-03-11T09:00:00Z', '2026-03-11T10:30:00Z')).toBe('1 h 30 min');
  });
});

describe('relativeTime', () => {
  const now = new Date('2026-03-11T08:00:00Z');
  it.each([
    ['2026-03-11T07:59:40Z', 'just now'],
    ['2026-03-11T07:57:00Z', '3 minutes ago'],
    ['2026-03-11T05:00:00Z', '3 hours ago'],
    ['2026-03-10T08:00:00Z', 'yesterday'],
    ['2026-03-13T08:00:00Z', 'in 2 days'],
    ['2026-02-25T08:00:00Z', '2 weeks ago'],
  ])('%s is %s', (iso, expected) => {
    expect(relativeTime(iso, now)).toBe(expected);
  });

  it('returns the input when it is not a date', () => {
    expect(relativeTime('soon', now)).toBe('soon');
  });
});

describe('zones and bounds across DST', () => {
  it('makes a Santiago day 25 hours when winter time starts, and starts Sep 6 at 01:00', () => {
    expect(dayBounds(new Date('2026-04-04T15:00:00Z'), 'America/Santiago')).toEqual({
      start: '2026-04-04T03:00:00Z',
      end: '2026-04-05T04:00:00Z',
    });
    // Midnight does not exist on 6 Sep 2026 in Chile: the day begins at 01:00 -03.
    // That day is 23 hours long and ends at the 7th's midnight, not at 01:00 on the 7th.
    expect(dayBounds(new Date('2026-09-06T15:00:00Z'), 'America/Santiago')).toEqual({
      start: '2026-09-06T04:00:00Z',
      end: '2026-09-07T03:00:00Z',
    });
    // A week that starts on that day ends at midnight a week later too.
    expect(weekBounds(new Date('2026-09-07T15:00:00Z'), 'America/Santiago', 0)).toEqual({
      start: '2026-09-06T04:00:00Z',
      end: '2026-09-13T03:00:00Z',
    });
  });

  it('makes the Amsterdam week with the spring switch 167 hours long', () => {
    const week = weekBounds(new Date('2026-03-26T12:00:00Z'), 'Europe/Amsterdam', 1);
    expect(week).toEqual({ start: '2026-03-22T23:00:00Z', end: '2026-03-29T22:00:00Z' });
    expect((Date.parse(week.end) - Date.parse(week.start)) / 3_600_000).toBe(167);
  });

  it('starts weeks on the locale’s first day', () => {
    // Wednesday 11 March; Sunday-first locales start on the 8th.
    expect(weekBounds(new Date('2026-03-11T08:00:00Z'), 'America/New_York', 0).start).toBe('2026-03-08T05:00:00Z');
    expect(weekBounds(new Date('2026-03-11T08:00:00Z'), 'Europe/Berlin', 1).start).toBe('2026-03-08T23:00:00Z');
    // On the first day itself the week starts that day.
    expect(weekBounds(new Date('2026-03-09T08:00:00Z'), 'Europe/Berlin', 1).start).toBe('2026-03-08T23:00:00Z');
  });

  it('names zones and their offsets', () => {
    expect(zoneLabel('America/New_York')).toBe('America/New York');
    expect(zoneCity('America/Argentina/Buenos_Aires')).toBe('Buenos Aires');
    expect(zoneOffsetLabel('Europe/Berlin', new Date('2026-03-11T08:00:00Z'))).toBe('UTC+01:00');
    expect(zoneOffsetLabel('Asia/Kolkata', new Date('2026-03-11T08:00:00Z'))).toBe('UTC+05:30');
    expect(zoneOffsetLabel('America/Santiago', new Date('2026-03-11T08:00:00Z'))).toBe('UTC−03:00');
    expect(zoneOffsetLabel('UTC', new Date('2026-03-11T08:00:00Z'))).toBe('UTC');
    expect(shortOffset('Australia/Sydney', new Date('2026-04-04T12:00:00Z'))).toBe('UTC+11');
    expect(shortOffset('Australia/Sydney', new Date('2026-04-05T12:00:00Z'))).toBe('UTC+10');
    expect(shortOffset('Asia/Kathmandu', new Date('2026-04-05T12:00:00Z'))).toBe('UTC+5:45');
  });
});

describe('other zones’ clocks', () => {
  it('labels a time-grid hour in the second zone, with the weekday when the day differs', () => {
    // 10:00 in Berlin on 11 March is 05:00 in New York (US summer time started on the 8th).
    expect(wallTimeIn('2026-03-11', 600, 'Europe/Berlin', 'America/New_York', berlin)).toBe('05:00');
    expect(wallTimeIn('2026-03-11', 60, 'Europe/Berlin', 'America/New_York', berlin)).toMatch(/^Tue,? 20:00$/);
    expect(wallTimeIn('2026-03-11', 600, 'Europe/Berlin', 'Asia/Kolkata', berlin)).toBe('14:30');
  });

  it('gives each invitee their own local time', () => {
    expect(timeInZone('2026-03-11T09:00:00Z', 'Europe/London', berlin)).toBe('09:00');
    expect(timeInZone('2026-03-11T20:00:00Z', 'Asia/Tokyo', berlin)).toMatch(/^Thu,? 05:00$/);
    expect(inviteeLocalTime('2026-03-11T09:00:00Z', { name: 'Anna Weber', email: 'a@x.de', timezone: 'Asia/Dubai' }, berlin)).toBe(
      '10:00 for you, 13:00 for Anna in Asia/Dubai',
    );
    expect(inviteeLocalTime('2026-03-11T16:00:00Z', { name: null, email: 'grace@lumen.health', timezone: 'America/Los_Angeles' }, berlin)).toBe(
      '17:00 for you, 09:00 for grace@lumen.health in America/Los Angeles',
    );
    expect(inviteeLocalTime('2026-03-11T09:00:00Z', { name: 'X', email: 'x@y', timezone: null }, berlin)).toBeNull();
  });

  it('greets by the hour in the display zone', () => {
    expect(greeting(new Date('2026-03-11T08:00:00Z'), 'Europe/Berlin')).toBe('Good morning');
    expect(greeting(new Date('2026-03-11T12:00:00Z'), 'Europe/Berlin')).toBe('Good afternoon');
    expect(greeting(new Date('2026-03-11T20:00:00Z'), 'Europe/Berlin')).toBe('Good evening');
  });
});

describe('zones and days the helpers cannot read', () => {
  it('shows the system zone when the picked one is unknown to this webview', () => {
    const system = systemPrefs().zone;
    expect(systemPrefs({ zone: 'Asia/Tokyo' }).zone).toBe('Asia/Tokyo');
    // Rust accepts zones from chrono-tz's database; an older ICU may lack a new one.
    expect(systemPrefs({ zone: 'Mars/Olympus_Mons' }).zone).toBe(system);
    expect(systemPrefs({ zone: null }).zone).toBe(system);
  });

  it('counts days of the first century as themselves, and leaves what is not a day alone', () => {
    expect(addDays('0050-03-01', 1)).toBe('0050-03-02');
    expect(addMonths('0099-12-15', 1)).toBe('0100-01-15');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addDays('', 1)).toBe('');
    expect(addMonths('-01', 1)).toBe('-01');
  });
});
