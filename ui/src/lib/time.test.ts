import { describe, expect, it } from 'vitest';
import {
  formatDateTime,
  formatDay,
  formatDuration,
  formatTime,
  formatTimeRange,
  rangeToUtc,
  relativeTime,
  toUtcIso,
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
