import { describe, expect, it } from 'vitest';
import { filterZones } from './zones';

const zones = Intl.supportedValuesOf('timeZone');

describe('filterZones', () => {
  it('finds Berlin from "berl" first', () => {
    expect(filterZones(zones, 'berl')[0]).toBe('Europe/Berlin');
    expect(filterZones(zones, 'BERLIN')).toEqual(['Europe/Berlin']);
  });

  it('matches spaces to underscores and whole paths', () => {
    expect(filterZones(zones, 'new york')[0]).toBe('America/New_York');
    expect(filterZones(zones, 'america/sant')).toContain('America/Santiago');
    expect(filterZones(['America/Argentina/Buenos_Aires', 'America/Bogota'], 'buenos')).toEqual(['America/Argentina/Buenos_Aires']);
  });

  it('ranks a city prefix above a region prefix and a substring', () => {
    const hits = filterZones(['Europe/Amsterdam', 'America/Santiago', 'Asia/Famagusta', 'Australia/Sydney'], 'am');
    expect(hits).toEqual(['Europe/Amsterdam', 'America/Santiago', 'Asia/Famagusta']);
  });

  it('limits the list and returns it whole for an empty query', () => {
    expect(filterZones(zones, 'a', 5)).toHaveLength(5);
    expect(filterZones(zones, '', Infinity)).toHaveLength(zones.length);
    expect(filterZones(zones, 'zzzz')).toEqual([]);
  });
});
