// The clients report, a client's page and the insights, as Rust's `clients` module computes them,
// over the mock's month of meetings (for browser tests and `npm run dev`). Pure functions; the
// overrides are the mock's stand-in for the `client_overrides` table.

import type {
  ClientDetail,
  ClientLine,
  ClientMeeting,
  ClientPerson,
  ClientRef,
  ClientsReport,
  EventDetail,
  EventTypeLine,
  Insights,
  IpcError,
  IpcErrorKind,
  Money,
  TypeInsight,
  WeekLine,
} from './bindings.gen';
import type { MockDb } from './mockData';
import { addDays, wallClock, weekdayOf } from '../lib/time';

export type ClientOverrides = {
  names: Record<string, string>;
  merges: Record<string, string>;
  members: Record<string, string>;
};

export function emptyOverrides(): ClientOverrides {
  return { names: {}, merges: {}, members: {} };
}

const FREE_MAIL = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'yahoo.com',
  'icloud.com',
  'proton.me',
  'gmx.de',
  'web.de',
]);

function fail(kind: IpcErrorKind, message: string): never {
  throw { kind, message } satisfies IpcError;
}

function naturalKey(email: string): string {
  const e = email.trim().toLowerCase();
  const domain = e.includes('@') ? e.slice(e.lastIndexOf('@') + 1) : '';
  return domain && !FREE_MAIL.has(domain) ? `domain:${domain}` : `person:${e}`;
}

function resolve(o: ClientOverrides, key: string): string {
  let k = key;
  for (let i = 0; i < 64 && o.merges[k] && o.merges[k] !== k; i++) k = o.merges[k]!;
  return k;
}

function clientOf(o: ClientOverrides, email: string): string {
  const e = email.trim().toLowerCase();
  return resolve(o, o.members[e] ?? naturalKey(e));
}

/** Everyone who booked: lower-case email → their name. */
function people(db: MockDb): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const e of db.events) for (const i of e.invitees) out.set(i.email.toLowerCase(), i.name);
  return out;
}

function nameOf(o: ClientOverrides, key: string, who: Map<string, string | null>): string {
  if (o.names[key]) return o.names[key]!;
  if (key.startsWith('domain:')) return key.slice('domain:'.length);
  const email = key.slice('person:'.length);
  return who.get(email) || email;
}

const hours = (ms: number) => Math.round(ms / 36_000) / 100;
const weekStart = (day: string) => addDays(day, -((weekdayOf(day) + 6) % 7));
const dayIn = (iso: string, tz: string) => (wallClock(iso, tz) ?? iso).slice(0, 10);
const durationMs = (e: EventDetail) => Math.max(0, Date.parse(e.end) - Date.parse(e.start));

type Outcome = 'held' | 'canceled' | 'moved';

function outcome(e: EventDetail): Outcome {
  if (e.status === 'active' && (e.invitees.length === 0 || e.invitees.some((i) => i.status === 'active'))) return 'held';
  if ((e.invitees.length === 0 && e.status !== 'active') || e.invitees.some((i) => i.status !== 'active' && !i.rescheduled)) return 'canceled';
  return 'moved';
}

type Part = { held: boolean; canceled: boolean; noShow: boolean; people: string[]; cents: Map<string, number> };

function byClient(e: EventDetail, o: ClientOverrides): Map<string, Part> {
  const held = outcome(e) === 'held';
  const parts = new Map<string, Part & { gone: string[] }>();
  for (const i of e.invitees) {
    const key = clientOf(o, i.email);
    const p = parts.get(key) ?? { held: false, canceled: false, noShow: false, people: [] as string[], cents: new Map<string, number>(), gone: [] as string[] };
    parts.set(key, p);
    const email = i.email.toLowerCase();
    if (held && i.status === 'active') {
      p.held = true;
      p.noShow ||= i.noShow;
      p.people.push(email);
      if (i.payment?.successful && i.payment.amount !== null && i.payment.currency) {
        p.cents.set(i.payment.currency, (p.cents.get(i.payment.currency) ?? 0) + Math.round(i.payment.amount * 100));
      }
    } else if (i.status !== 'active' && !i.rescheduled) {
      p.gone.push(email);
    }
  }
  const out = new Map<string, Part>();
  for (const [key, p] of parts) {
    if (!p.held) {
      p.canceled = p.gone.length > 0;
      p.people = p.gone;
    }
    p.people = [...new Set(p.people)].sort();
    if (p.held || p.canceled) out.set(key, p);
  }
  return out;
}

type Tally = { meetings: number; ms: number; canceled: number; noShows: number };
const tally = (): Tally => ({ meetings: 0, ms: 0, canceled: 0, noShows: 0 });
function add(t: Tally, e: EventDetail, what: Outcome, noShow: boolean) {
  if (what === 'held') {
    t.meetings += 1;
    t.ms += durationMs(e);
    if (noShow) t.noShows += 1;
  } else if (what === 'canceled') t.canceled += 1;
}

function weeksOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let w = weekStart(from); w <= to; w = addDays(w, 7)) out.push(w);
  return out;
}

function inRange(db: MockDb, from: string, to: string, tz: string): Array<[EventDetail, string]> {
  return db.events.map((e) => [e, dayIn(e.start, tz)] as [EventDetail, string]).filter(([, d]) => d >= from && d <= to);
}

const money = (cents: Map<string, number>): Money[] =>
  [...cents].sort(([a], [b]) => a.localeCompare(b)).map(([currency, c]) => ({ currency, amount: c / 100 }));

const anyNoShow = (e: EventDetail) => e.invitees.some((i) => i.status === 'active' && i.noShow);
const typeKey = (e: EventDetail) => e.eventType ?? `name:${e.name}`;

export function clientsReport(db: MockDb, o: ClientOverrides, from: string, to: string, tz: string, now: Date): ClientsReport {
  const weeks = weeksOf(from, to);
  const weekTally = weeks.map(tally);
  const types = new Map<string, { name: string; latest: number; t: Tally }>();
  type Acc = { t: Tally; people: Set<string>; cents: Map<string, number>; last: number | null; next: number | null };
  const clients = new Map<string, Acc>();
  for (const [e, day] of inRange(db, from, to, tz)) {
    const what = outcome(e);
    const ns = anyNoShow(e);
    add(weekTally[weeks.indexOf(weekStart(day))]!, e, what, ns);
    const start = Date.parse(e.start);
    const ty = types.get(typeKey(e)) ?? { name: e.name, latest: start, t: tally() };
    types.set(typeKey(e), ty);
    if (start >= ty.latest) Object.assign(ty, { name: e.name, latest: start });
    add(ty.t, e, what, ns);
    for (const [key, part] of byClient(e, o)) {
      const acc = clients.get(key) ?? { t: tally(), people: new Set(), cents: new Map(), last: null, next: null };
      clients.set(key, acc);
      add(acc.t, e, part.held ? 'held' : 'canceled', part.noShow);
      part.people.forEach((p) => acc.people.add(p));
      for (const [c, n] of part.cents) acc.cents.set(c, (acc.cents.get(c) ?? 0) + n);
      if (part.held) {
        if (start < now.getTime()) acc.last = Math.max(acc.last ?? start, start);
        else acc.next = Math.min(acc.next ?? start, start);
      }
    }
  }
  const who = people(db);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z'));
  const lines: ClientLine[] = [...clients].map(([key, a]) => ({
    key,
    name: nameOf(o, key, who),
    domain: key.startsWith('domain:') ? key.slice('domain:'.length) : null,
    people: [...a.people].sort(),
    meetings: a.t.meetings,
    hours: hours(a.t.ms),
    canceled: a.t.canceled,
    noShows: a.t.noShows,
    revenue: money(a.cents),
    lastMeeting: iso(a.last),
    nextMeeting: iso(a.next),
    renamed: key in o.names,
  }));
  lines.sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || a.key.localeCompare(b.key));
  const eventTypes: EventTypeLine[] = [...types]
    .map(([key, { name, t }]) => ({ key, name, meetings: t.meetings, hours: hours(t.ms), canceled: t.canceled, noShows: t.noShows }))
    .sort((a, b) => b.meetings - a.meetings || a.name.localeCompare(b.name));
  const weekLines: WeekLine[] = weeks.map((w, i) => {
    const t = weekTally[i]!;
    return { weekStart: w, meetings: t.meetings, hours: hours(t.ms), canceled: t.canceled, noShows: t.noShows };
  });
  return { from, to, tz, clients: lines, eventTypes, weeks: weekLines };
}

export function listClients(db: MockDb, o: ClientOverrides): ClientRef[] {
  const who = people(db);
  const counts = new Map<string, number>();
  for (const email of who.keys()) counts.set(clientOf(o, email), (counts.get(clientOf(o, email)) ?? 0) + 1);
  return [...counts]
    .map(([key, n]) => ({ key, name: nameOf(o, key, who), domain: key.startsWith('domain:') ? key.slice(7) : null, people: n }))
    .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || a.key.localeCompare(b.key));
}

export function clientDetail(
  db: MockDb,
  o: ClientOverrides,
  key: string,
  from: string,
  to: string,
  tz: string,
  now: Date,
): ClientDetail | null {
  const who = people(db);
  const members = [...who.keys()].filter((e) => clientOf(o, e) === key);
  if (members.length === 0) return null;
  const per = new Map(members.map((e) => [e, tally()]));
  const meetings: ClientMeeting[] = [];
  for (const [e] of inRange(db, from, to, tz)) {
    const part = byClient(e, o).get(key);
    if (!part) continue;
    for (const email of part.people) {
      const ns = part.held && e.invitees.some((i) => i.email.toLowerCase() === email && i.status === 'active' && i.noShow);
      const t = per.get(email);
      if (t) add(t, e, part.held ? 'held' : 'canceled', ns);
    }
    meetings.push({
      uri: e.uri,
      name: e.name,
      start: e.start,
      end: e.end,
      outcome: part.held ? 'held' : 'canceled',
      noShow: part.noShow,
      people: part.people,
      revenue: money(part.cents),
    });
  }
  const summary =
    clientsReport(db, o, from, to, tz, now).clients.find((c) => c.key === key) ??
    ({
      key,
      name: nameOf(o, key, who),
      domain: key.startsWith('domain:') ? key.slice(7) : null,
      people: [],
      meetings: 0,
      hours: 0,
      canceled: 0,
      noShows: 0,
      revenue: [],
      lastMeeting: null,
      nextMeeting: null,
      renamed: key in o.names,
    } satisfies ClientLine);
  const list: ClientPerson[] = members
    .map((email) => {
      const t = per.get(email)!;
      return {
        email,
        name: who.get(email) ?? null,
        moved: email in o.members,
        meetings: t.meetings,
        hours: hours(t.ms),
        canceled: t.canceled,
        noShows: t.noShows,
      };
    })
    .sort((a, b) => (a.name ?? a.email).toLowerCase().localeCompare((b.name ?? b.email).toLowerCase()));
  return { summary, people: list, meetings };
}

const LEAD: Array<[string, number]> = [
  ['< 1 day', 0],
  ['1–2 days', 24],
  ['2–7 days', 48],
  ['1–2 weeks', 168],
  ['2–4 weeks', 336],
  ['4+ weeks', 672],
];

export function insights(db: MockDb, from: string, to: string, tz: string): Insights {
  const weeks = weeksOf(from, to);
  const types = new Map<string, { name: string; latest: number; t: Tally; weekly: Tally[] }>();
  const lead = LEAD.map(() => 0);
  const heatmap = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
  const all = tally();
  for (const [e, day] of inRange(db, from, to, tz)) {
    const what = outcome(e);
    const ns = anyNoShow(e);
    add(all, e, what, ns);
    const start = Date.parse(e.start);
    const ty = types.get(typeKey(e)) ?? { name: e.name, latest: start, t: tally(), weekly: weeks.map(tally) };
    types.set(typeKey(e), ty);
    if (start >= ty.latest) Object.assign(ty, { name: e.name, latest: start });
    add(ty.t, e, what, ns);
    add(ty.weekly[weeks.indexOf(weekStart(day))]!, e, what, ns);
    if (what !== 'held') continue;
    const wall = wallClock(e.start, tz);
    if (wall) heatmap[(weekdayOf(wall.slice(0, 10)) + 6) % 7]![Number(wall.slice(11, 13))]! += 1;
    const booked = db.bookedAt?.get(e.uri);
    if (booked) {
      const h = Math.max(0, start - Date.parse(booked)) / 3_600_000;
      let b = 0;
      LEAD.forEach(([, lo], i) => {
        if (h >= lo) b = i;
      });
      lead[b]! += 1;
    }
  }
  const rate = (n: number, of: number) => (of === 0 ? 0 : n / of);
  const eventTypes: TypeInsight[] = [...types]
    .map(([key, { name, t, weekly }]) => ({
      key,
      name,
      meetings: t.meetings,
      hours: hours(t.ms),
      canceled: t.canceled,
      noShows: t.noShows,
      cancelRate: rate(t.canceled, t.meetings + t.canceled),
      noShowRate: rate(t.noShows, t.meetings),
      weeklyMeetings: weekly.map((w) => w.meetings),
      weeklyHours: weekly.map((w) => hours(w.ms)),
    }))
    .sort((a, b) => b.meetings - a.meetings || a.name.localeCompare(b.name));
  return {
    from,
    to,
    tz,
    weeks,
    eventTypes,
    leadTime: LEAD.map(([label, fromHours], i) => ({ label, fromHours, meetings: lead[i]! })),
    heatmap,
    meetings: all.meetings,
    hours: hours(all.ms),
  };
}

function existing(db: MockDb, o: ClientOverrides, key: string): string {
  if (!/^(domain|person):./.test(key)) fail('invalid_input', `"${key}" is not a client key (domain:<domain> or person:<email>)`);
  const k = resolve(o, key);
  if (!listClients(db, o).some((c) => c.key === k)) fail('not_found', `there is no client ${key}; reload the clients and try again`);
  return k;
}

export function renameClient(db: MockDb, o: ClientOverrides, key: string, name: string): void {
  const k = existing(db, o, key);
  const n = name.trim();
  if ([...n].length > 200) fail('invalid_input', "a client's name is at most 200 characters; shorten it");
  if (n) o.names[k] = n;
  else delete o.names[k];
}

export function mergeClients(db: MockDb, o: ClientOverrides, from: string, into: string): void {
  const [f, i] = [existing(db, o, from), existing(db, o, into)];
  if (f === i) fail('invalid_input', 'these are already one client; pick another client to merge into');
  o.merges[f] = i;
}

export function movePerson(db: MockDb, o: ClientOverrides, email: string, to: string): void {
  const e = email.trim().toLowerCase();
  if (!people(db).has(e)) fail('not_found', `no one booked as ${e}; reload the client and try again`);
  const own = `person:${e}`;
  let target = to;
  if (to === own) delete o.merges[own];
  else target = existing(db, o, to);
  if (target === naturalKey(e)) delete o.members[e];
  else o.members[e] = target;
}
