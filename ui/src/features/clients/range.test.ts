import { describe, expect, it } from 'vitest';
import { isValidRange, presetDays } from './range';

describe('report range presets', () => {
  const berlin = 'Europe/Berlin';
  it('takes this month, last month and this quarter in the zone', () => {
    const now = new Date('2026-03-11T08:00:00Z');
    expect(presetDays('this-month', now, berlin)).toEqual({ from: '2026-03-01', to: '2026-03-31' });
    expect(presetDays('last-month', now, berlin)).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(presetDays('this-quarter', now, berlin)).toEqual({ from: '2026-01-01', to: '2026-03-31' });
  });

  it('follows the zone across a new year and a quarter boundary', () => {
    // 23:30 UTC on 31 December is already January in Berlin, still December in New York.
    const now = new Date('2026-12-31T23:30:00Z');
    expect(presetDays('this-month', now, berlin)).toEqual({ from: '2027-01-01', to: '2027-01-31' });
    expect(presetDays('last-month', now, berlin)).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(presetDays('this-quarter', now, 'America/New_York')).toEqual({ from: '2026-10-01', to: '2026-12-31' });
    expect(presetDays('last-month', new Date('2028-03-15T12:00:00Z'), berlin)).toEqual({ from: '2028-02-01', to: '2028-02-29' });
  });

  it('accepts only days in order', () => {
    expect(isValidRange('2026-03-01', '2026-03-01')).toBe(true);
    expect(isValidRange('2026-03-02', '2026-03-01')).toBe(false);
    expect(isValidRange('', '2026-03-01')).toBe(false);
  });
});
