// The mock backend is test infrastructure; these checks keep its data consistent with the
// contracts the Rust read models promise (UTC Z times, URIs as ids, reschedule links both ways).
import { describe, expect, it } from 'vitest';
import {
  addMeetings,
  authorizeUrl,
  buildMockDb,
  contactDetail,
  contactSummaries,
  dashboard,
  eventUri,
  eventsInRange,
  loopbackRedirectUri,
  searchDb,
} from './mockData';

const now = new Date('2026-03-11T08:00:00Z');
const db = buildMockDb(now);

describe('mock sandbox data', () => {
  it('has a month of meetings with UTC times', () => {
    expect(db.events.length).toBe(38);
    for (const e of db.events) {
      expect(e.start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(Date.parse(e.end)).toBeGreaterThan(Date.parse(e.start));
    }
  });

  it('puts Priya’s discovery call today at 10:00 Berlin', () => {
    const e = db.events.find((x) => x.uri === eventUri('PRIYA-DISCOVERY'))!;
    expect(e.start).toBe('2026-03-11T09:00:00Z');
  });

  it('links the rescheduled pair both ways', () => {
    const old = db.events.find((x) => x.uri === eventUri('SOFIA-OLD'))!;
    const fresh = db.events.find((x) => x.uri === eventUri('SOFIA-NEW'))!;
    expect(old.status).toBe('canceled');
    expect(old.invitees[0]!.rescheduledTo).toBe(fresh.uri);
    expect(fresh.invitees[0]!.rescheduledFrom).toBe(old.uri);
  });

  it('filters by overlap and canceled status', () => {
    const week = eventsInRange(db, '2026-03-08T23:00:00Z', '2026-03-15T23:00:00Z', false);
    const withCanceled = eventsInRange(db, '2026-03-08T23:00:00Z', '2026-03-15T23:00:00Z', true);
    expect(week.map((e) => e.uri)).toContain(eventUri('PRIYA-DISCOVERY'));
    expect(week.map((e) => e.uri)).not.toContain(eventUri('MARCUS-STRATEGY'));
    expect(withCanceled.length - week.length).toBe(2);
  });

  it('summarizes contacts and their timeline', () => {
    expect(contactSummaries(db, null)).toHaveLength(14);
    expect(contactSummaries(db, 'RAMAN').map((c) => c.email)).toEqual(['priya@northwind-labs.com']);
    const tom = contactSummaries(db, 'tom.becker')[0]!;
    expect(tom.noShows).toBe(1);
    const detail = contactDetail(db, 'tom.becker@kuehne-bau.de')!;
    expect(detail.activity.map((a) => a.kind)).toContain('no_show');
    for (let i = 1; i < detail.activity.length; i++) {
      expect(Date.parse(detail.activity[i - 1]!.at)).toBeGreaterThanOrEqual(Date.parse(detail.activity[i]!.at));
    }
  });
});

describe('mock OAuth', () => {
  it('builds the loopback redirect and a PKCE authorize URL as Rust does', () => {
    const redirect = loopbackRedirectUri(53682);
    expect(redirect).toBe('http://localhost:53682/callback');
    const url = new URL(authorizeUrl('client-1', redirect));
    expect(url.origin + url.pathname).toBe('https://auth.calendly.com/oauth/authorize');
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('client_id')).toBe('client-1');
    expect(url.searchParams.get('redirect_uri')).toBe(redirect);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('scope')?.split(' ')).toContain('scheduled_events:read');
  });
});

describe('mock dashboard and search', () => {
  // Wed 11 Mar 2026 and its Monday-first week, in Berlin.
  const home = dashboard(db, '2026-03-10T23:00:00Z', '2026-03-11T23:00:00Z', '2026-03-08T23:00:00Z', '2026-03-15T23:00:00Z');

  it('lists today’s active meetings and the next five from now, as Rust does', () => {
    expect(home.today.map((e) => e.inviteeNames[0])).toEqual(['Priya Raman', 'Liam O’Connor', 'Grace Kim']);
    expect(home.upcoming.map((e) => e.uri)).toEqual(
      ['PRIYA-DISCOVERY', 'E0305', 'GRACE-FOLLOWUP', 'E0303', 'E0304'].map(eventUri),
    );
  });

  it('counts the week’s activity by kind', () => {
    expect(home.week).toEqual({ booked: 14, canceled: 1, rescheduled: 1, noShows: 1 });
  });

  it('shows the latest activity with the contact, newest first, nothing after now', () => {
    expect(home.recent).toHaveLength(10);
    expect(home.recent[0]).toMatchObject({ kind: 'booked', contactName: 'Hannah Okafor', eventName: 'On-site Review' });
    expect(home.recent.find((a) => a.kind === 'canceled')).toMatchObject({ contactName: 'Marcus Lee', eventName: 'Strategy Session' });
    for (let i = 1; i < home.recent.length; i++) {
      expect(Date.parse(home.recent[i - 1]!.at)).toBeGreaterThanOrEqual(Date.parse(home.recent[i]!.at));
    }
    expect(home.recent.every((a) => Date.parse(a.at) <= now.getTime())).toBe(true);
  });

  it('searches meetings by name, email, event name and answers, newest first; contacts by name and email', () => {
    expect(searchDb(db, 'priya').contacts.map((c) => c.email)).toEqual(['priya@northwind-labs.com']);
    expect(searchDb(db, 'priya').meetings.map((m) => m.uri)).toEqual([eventUri('E0403'), eventUri('PRIYA-DISCOVERY')]);
    expect(searchDb(db, 'workshop').meetings.map((m) => m.name)).toContain('Workshop: Pricing Your Services');
    // “Day rate around €900” is a booking answer: it finds meetings, not contacts.
    const rate = searchDb(db, 'day rate');
    expect(rate.meetings.length).toBeGreaterThan(0);
    expect(rate.contacts).toEqual([]);
    expect(searchDb(db, '   ')).toEqual({ meetings: [], contacts: [] });
  });

  it('adds test meetings at exact instants', () => {
    const copy = buildMockDb(now);
    addMeetings(copy, [{ id: 'DST-1', name: 'Board Prep', start: '2026-03-29T00:30:00Z', end: '2026-03-29T01:30:00Z' }]);
    const added = copy.events.find((e) => e.uri === eventUri('DST-1'))!;
    expect(added.start).toBe('2026-03-29T00:30:00Z');
    expect(added.invitees[0]!.timezone).toBe('America/Santiago');
  });
});
