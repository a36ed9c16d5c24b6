// Searching the IANA zone list for the zone pickers: "berl" finds Europe/Berlin, "new york" finds
// America/New_York, "utc+" is not a thing people type, so only names are matched.

/** Lower-cased, underscores and slashes as spaces, accents stripped: the form queries compare to. */
function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[_/]+/g, ' ')
    .toLowerCase()
    .trim();
}

/**
 * Zones matching `query`, best first: the city starting with it, then a word of the name starting
 * with it, then the name containing it; ties in alphabetical order. An empty query returns the list.
 */
export function filterZones(zones: readonly string[], query: string, limit = 60): string[] {
  const q = fold(query);
  if (!q) return zones.slice(0, limit);
  const scored: Array<[number, string]> = [];
  for (const zone of zones) {
    const name = fold(zone);
    const city = fold(zone.split('/').pop() ?? zone);
    let score: number;
    if (city === q || name === q) score = 0;
    else if (city.startsWith(q)) score = 1;
    else if (name.split(' ').some((w) => w.startsWith(q)) || name.startsWith(q)) score = 2;
    else if (name.includes(q)) score = 3;
    else continue;
    scored.push([score, zone]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  return scored.slice(0, limit).map(([, z]) => z);
}
