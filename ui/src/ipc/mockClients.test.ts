import { describe, expect, it } from 'vitest';
import { buildMockDb } from './mockData';
import { clientDetail, clientsReport, emptyOverrides, insights, mergeClients, movePerson, renameClient } from './mockClients';

const NOW = new Date('2026-03-11T08:00:00Z');
const ZONE = 'Europe/Berlin';

describe('the mock clients report', () => {
  const db = buildMockDb(NOW);
  const march = (o = emptyOverrides()) => clientsReport(db, o, '2026-03-01', '2026-03-31', ZONE, NOW);
  const line = (o: ReturnType<typeof emptyOverrides>, key: string) => march(o).clients.find((c) => c.key === key);

  it('counts held meetings, hours and successful payments per client', () => {
    const okafor = line(emptyOverrides(), 'domain:okafor-legal.com')!;
    expect([okafor.meetings, okafor.hours, okafor.canceled]).toEqual([2, 3, 0]);
    expect(okafor.revenue).toEqual([{ currency: 'EUR', amount: 1200 }]);
    // The failed charge of the workshop's third seat is no revenue.
    expect(line(emptyOverrides(), 'domain:rossi-foods.it')!.revenue).toEqual([]);
  });

  it('counts a canceled seat of a group meeting as that client’s cancellation only', () => {
    const greenfield = line(emptyOverrides(), 'domain:greenfield.org')!;
    expect([greenfield.meetings, greenfield.canceled]).toEqual([0, 1]);
    const week = march().weeks.find((w) => w.weekStart === '2026-03-16')!;
    expect(week.canceled).toBe(0);
    // A reschedule is no cancellation: Sofia's old booking counts nowhere.
    expect(line(emptyOverrides(), 'domain:alvarez-studio.es')!.canceled).toBe(0);
  });

  it('applies renames, merges and moves, and refuses what Rust refuses', () => {
    const o = emptyOverrides();
    renameClient(db, o, 'domain:okafor-legal.com', '  Okafor Legal  ');
    mergeClients(db, o, 'domain:brightpath.io', 'domain:okafor-legal.com');
    expect(line(o, 'domain:okafor-legal.com')!.name).toBe('Okafor Legal');
    expect(line(o, 'domain:okafor-legal.com')!.people).toEqual(['hannah@okafor-legal.com', 'jonas.meyer@brightpath.io']);
    movePerson(db, o, 'Jonas.Meyer@brightpath.io', 'person:jonas.meyer@brightpath.io');
    expect(clientDetail(db, o, 'domain:okafor-legal.com', '2026-03-01', '2026-03-31', ZONE, NOW)!.people.map((p) => p.email)).toEqual([
      'hannah@okafor-legal.com',
    ]);
    expect(() => mergeClients(db, o, 'domain:brightpath.io', 'domain:okafor-legal.com')).toThrow();
    expect(() => renameClient(db, o, 'domain:nowhere.example', 'x')).toThrow();
  });

  it('draws insights from the same meetings', () => {
    const ins = insights(db, '2026-03-01', '2026-03-31', ZONE);
    expect(ins.meetings).toBe(march().weeks.reduce((s, w) => s + w.meetings, 0));
    expect(ins.heatmap.flat().reduce((s, n) => s + n, 0)).toBe(ins.meetings);
    expect(ins.leadTime.reduce((s, b) => s + b.meetings, 0)).toBe(ins.meetings);
    for (const t of ins.eventTypes) expect(t.weeklyMeetings.reduce((s, n) => s + n, 0)).toBe(t.meetings);
  });
});
