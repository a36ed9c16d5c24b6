// A consultant's month of Calendly meetings for the mock backend: deterministic for a given
// `now`, so browser tests can name meetings, and realistic enough to judge the screens by.
// Pure functions only; `mock.ts` wires them to the IPC seam.

import { DateTime } from 'luxon';
import type {
  AccountView,
  ActivityItem,
  CalendarEvent,
  ContactDetail,
  ContactSummary,
  Dashboard,
  EventDetail,
  InviteeDetail,
  Person,
  QuestionAnswer,
  RecentActivity,
  SearchResults,
  WeekCounts,
} from './bindings.gen';

export const SANDBOX_API = 'http://127.0.0.1:47615';
export const HOST_ZONE = 'Europe/Berlin';

export const SANDBOX_ACCOUNT: AccountView = {
  name: 'Dana Whitfield',
  email: 'dana@whitfield-consulting.com',
  timezone: HOST_ZONE,
  avatarUrl: null,
  authKind: 'pat',
  sandbox: true,
  apiUrl: SANDBOX_API,
};

/** The same person connected through OAuth to the real Calendly API. */
export const OAUTH_ACCOUNT: AccountView = {
  ...SANDBOX_ACCOUNT,
  authKind: 'oauth',
  sandbox: false,
  apiUrl: 'https://api.calendly.com',
};

/** A small avatar as a data URL (the CSP allows `data:` images; tests allow no remote requests). */
export const AVATAR_DATA_URL =
  'data:image/svg+xml,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="#0e7490"/>' +
      '<circle cx="32" cy="25" r="12" fill="#e0f2fe"/><path d="M10 60c3-14 12-20 22-20s19 6 22 20z" fill="#e0f2fe"/></svg>',
  );

/** The redirect URI for a loopback port, as Rust builds it. */
export function loopbackRedirectUri(port: number): string {
  return `http://localhost:${port}/callback`;
}

/** Calendly's authorize URL with PKCE, in the parameter order the Rust `oauth2` crate writes. */
export function authorizeUrl(clientId: string, redirectUri: string): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    state: 'mock-state-4f1c2a',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    redirect_uri: redirectUri,
    scope: 'users:read scheduled_events:read webhooks:read webhooks:write organizations:read',
  });
  return `https://auth.calendly.com/oauth/authorize?${q.toString()}`;
}

type Contact = { name: string; email: string; timezone: string };

export const CONTACTS: Contact[] = [
  { name: 'Priya Raman', email: 'priya@northwind-labs.com', timezone: 'Europe/London' },
  { name: 'Marcus Lee', email: 'marcus.lee@fernhill.co', timezone: 'America/New_York' },
  { name: 'Sofia Alvarez', email: 'sofia@alvarez-studio.es', timezone: 'Europe/Madrid' },
  { name: 'Tom Becker', email: 'tom.becker@kuehne-bau.de', timezone: 'Europe/Berlin' },
  { name: 'Hannah Okafor', email: 'hannah@okafor-legal.com', timezone: 'Europe/Berlin' },
  { name: 'Jonas Meyer', email: 'jonas.meyer@brightpath.io', timezone: 'Europe/Berlin' },
  { name: 'Aiko Tanaka', email: 'aiko.tanaka@kumo.jp', timezone: 'Asia/Tokyo' },
  { name: 'Liam O’Connor', email: 'liam@oconnor-analytics.ie', timezone: 'Europe/Dublin' },
  { name: 'Fatima Zahra', email: 'fatima@atlasventures.ma', timezone: 'Africa/Casablanca' },
  { name: 'Ben Carter', email: 'ben.carter@greenfield.org', timezone: 'America/Chicago' },
  { name: 'Elena Petrova', email: 'elena.petrova@volga-design.com', timezone: 'Europe/Berlin' },
  { name: 'Noah Schmidt', email: 'noah@schmidt-partner.de', timezone: 'Europe/Vienna' },
  { name: 'Grace Kim', email: 'grace.kim@lumen.health', timezone: 'America/Los_Angeles' },
  { name: 'Mateo Rossi', email: 'mateo@rossi-foods.it', timezone: 'Europe/Rome' },
];

type EventTypeDef = {
  key: string;
  name: string;
  minutes: number;
  locationType: string | null;
  location?: string;
  join?: (id: string) => string;
  questions: string[];
};

const TYPES: Record<string, EventTypeDef> = {
  discovery: {
    key: 'discovery',
    name: 'Discovery Call',
    minutes: 30,
    locationType: 'zoom_conference',
    join: (id) => `https://zoom.us/j/8${id.replace(/\D/g, '').padStart(9, '4')}`,
    questions: ['What would you like to get out of this call?', 'Company size'],
  },
  strategy: {
    key: 'strategy',
    name: 'Strategy Session',
    minutes: 60,
    locationType: 'google_conference',
    join: (id) => `https://meet.google.com/${id.toLowerCase().slice(-3)}-slot-line`,
    questions: ['Which decision should this session help you make?'],
  },
  followup: {
    key: 'followup',
    name: 'Follow-up',
    minutes: 30,
    locationType: 'outbound_call',
    location: '+49 30 1234 5678',
    questions: ['Anything new since our last call?'],
  },
  workshop: {
    key: 'workshop',
    name: 'Workshop: Pricing Your Services',
    minutes: 90,
    locationType: 'zoom_conference',
    join: (id) => `https://zoom.us/j/9${id.replace(/\D/g, '').padStart(9, '7')}`,
    questions: ['What do you charge today, roughly?'],
  },
  onsite: {
    key: 'onsite',
    name: 'On-site Review',
    minutes: 120,
    locationType: 'physical',
    location: 'Torstraße 109, 10119 Berlin',
    questions: ['Who else from your team will join?'],
  },
  office: {
    key: 'office',
    name: 'Office Hours',
    minutes: 30,
    locationType: 'microsoft_teams_conference',
    join: (id) => `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${id}`,
    questions: [],
  },
};

/** Answers per question; contact `i` gives variant `i % n`, so people differ but stay stable. */
const ANSWERS: Record<string, string[]> = {
  'What would you like to get out of this call?': [
    'We are launching a B2B offer in Q2 and want a second opinion on positioning and pricing.',
    'Our sales cycle got twice as long this year. I want to understand why.',
    'I am going freelance in the summer and need a plan for my first clients.',
    'We keep losing deals at the proposal stage; I would like a fresh pair of eyes on our proposals.',
  ],
  'Company size': ['11–50 people', '51–200 people', 'Just me', '201–500 people'],
  'Which decision should this session help you make?': [
    'Whether to hire a sales lead now or after the seed round.',
    'Which of our two product lines to focus on next year.',
    'Whether to raise our prices for existing customers.',
  ],
  'Anything new since our last call?': [
    'We signed two pilots; I would like to talk about onboarding.',
    'Not much, mostly following up on the pricing page changes.',
    'The board approved the budget, so we can move ahead.',
  ],
  'What do you charge today, roughly?': [
    'Day rate around €900, but every project is quoted differently.',
    'Fixed packages from €2,500 to €12,000.',
    'Hourly, €120. I suspect that is the problem.',
  ],
  'Who else from your team will join?': ['Our COO and the head of finance.', 'Nobody, just me this time.'],
};

function answer(question: string, contactIndex: number): string {
  const variants = ANSWERS[question] ?? [];
  return variants[contactIndex % Math.max(variants.length, 1)] ?? '';
}

type Slot = {
  id: string;
  /** Weeks from the Monday of `now`'s week. */
  week: number;
  /** 1 = Monday … 5 = Friday; `today` means `now`'s own weekday. */
  day: number | 'today';
  hour: number;
  minute?: number;
  type: keyof typeof TYPES;
  invitees: number[];
  canceled?: { by: 'host' | 'invitee'; reason: string };
  noShow?: number[];
  /** Invitees (by index in `invitees`) who canceled their own seat of a group event. */
  seatCanceled?: number[];
  rescheduledTo?: string;
  rescheduledFrom?: string;
  guests?: string[];
  notes?: string;
};

/** The schedule, in the host's zone. Named ids are the ones the browser tests look for. */
const SLOTS: Slot[] = [
  // Two weeks ago.
  { id: 'E0101', week: -2, day: 1, hour: 9, type: 'discovery', invitees: [5] },
  { id: 'E0102', week: -2, day: 1, hour: 14, type: 'strategy', invitees: [6] },
  { id: 'E0103', week: -2, day: 2, hour: 11, type: 'followup', invitees: [7] },
  { id: 'E0104', week: -2, day: 3, hour: 10, type: 'onsite', invitees: [4], guests: ['paralegal@okafor-legal.com'] },
  { id: 'E0105', week: -2, day: 3, hour: 16, type: 'office', invitees: [8] },
  { id: 'E0106', week: -2, day: 4, hour: 13, minute: 30, type: 'discovery', invitees: [9] },
  { id: 'E0107', week: -2, day: 5, hour: 10, type: 'strategy', invitees: [10], canceled: { by: 'host', reason: 'Sick day — sorry! Please pick a new slot.' } },
  // Last week.
  { id: 'E0201', week: -1, day: 1, hour: 10, type: 'followup', invitees: [5] },
  { id: 'E0202', week: -1, day: 2, hour: 15, type: 'discovery', invitees: [3], noShow: [3] },
  { id: 'E0203', week: -1, day: 2, hour: 9, minute: 30, type: 'office', invitees: [11] },
  { id: 'E0204', week: -1, day: 3, hour: 11, type: 'strategy', invitees: [12] },
  { id: 'E0205', week: -1, day: 4, hour: 16, type: 'workshop', invitees: [6, 7, 13] },
  { id: 'E0206', week: -1, day: 5, hour: 9, type: 'discovery', invitees: [1] },
  { id: 'E0207', week: -1, day: 5, hour: 13, type: 'followup', invitees: [10] },
  // This week.
  { id: 'E0301', week: 0, day: 1, hour: 9, type: 'office', invitees: [8], noShow: [8] },
  { id: 'E0302', week: 0, day: 1, hour: 15, type: 'strategy', invitees: [4] },
  {
    id: 'PRIYA-DISCOVERY', week: 0, day: 'today', hour: 10, type: 'discovery', invitees: [0],
    guests: ['lena.fischer@northwind-labs.com'],
    notes: 'Priya was referred by Jonas Meyer (BrightPath). Bring the pricing one-pager.',
  },
  {
    id: 'MARCUS-STRATEGY', week: 0, day: 'today', hour: 14, type: 'strategy', invitees: [1],
    canceled: { by: 'invitee', reason: 'Budget freeze until Q3 — I will rebook then.' },
  },
  { id: 'E0305', week: 0, day: 'today', hour: 12, minute: 30, type: 'office', invitees: [7] },
  { id: 'SOFIA-OLD', week: 0, day: 'today', hour: 16, type: 'followup', invitees: [2], rescheduledTo: 'SOFIA-NEW' },
  { id: 'GRACE-FOLLOWUP', week: 0, day: 'today', hour: 17, type: 'followup', invitees: [12] },
  { id: 'E0303', week: 0, day: 4, hour: 10, type: 'discovery', invitees: [13] },
  { id: 'E0304', week: 0, day: 5, hour: 11, type: 'onsite', invitees: [11] },
  // Next week.
  { id: 'SOFIA-NEW', week: 1, day: 2, hour: 11, minute: 30, type: 'followup', invitees: [2], rescheduledFrom: 'SOFIA-OLD' },
  { id: 'E0401', week: 1, day: 1, hour: 9, minute: 30, type: 'discovery', invitees: [12] },
  { id: 'E0402', week: 1, day: 1, hour: 14, type: 'followup', invitees: [3] },
  { id: 'E0403', week: 1, day: 3, hour: 10, type: 'strategy', invitees: [0] },
  {
    id: 'PRICING-WORKSHOP', week: 1, day: 4, hour: 16, type: 'workshop', invitees: [5, 8, 10, 9], seatCanceled: [3],
  },
  { id: 'E0404', week: 1, day: 5, hour: 10, type: 'office', invitees: [7] },
  // In two and three weeks.
  { id: 'E0501', week: 2, day: 1, hour: 11, type: 'strategy', invitees: [6] },
  { id: 'E0502', week: 2, day: 2, hour: 9, type: 'discovery', invitees: [8] },
  { id: 'E0503', week: 2, day: 3, hour: 15, type: 'followup', invitees: [12] },
  { id: 'E0504', week: 2, day: 4, hour: 10, type: 'onsite', invitees: [4] },
  { id: 'E0505', week: 2, day: 5, hour: 14, type: 'discovery', invitees: [11], canceled: { by: 'invitee', reason: 'Found an in-house solution, thanks anyway.' } },
  { id: 'E0601', week: 3, day: 1, hour: 10, type: 'strategy', invitees: [13] },
  { id: 'E0602', week: 3, day: 2, hour: 13, type: 'office', invitees: [5] },
  { id: 'E0603', week: 3, day: 3, hour: 9, type: 'discovery', invitees: [10] },
  { id: 'E0604', week: 3, day: 4, hour: 16, type: 'followup', invitees: [1] },
];

export function eventUri(id: string): string {
  return `${SANDBOX_API}/scheduled_events/${id}`;
}

export type MockDb = {
  now: Date;
  events: EventDetail[];
  /** Per invitee email, newest first. */
  activity: Map<string, ActivityItem[]>;
  /** When each meeting was booked (event URI → UTC), for the insights' lead time. */
  bookedAt?: Map<string, string>;
};

/** What a seat of a paid event type paid (the workshop's second seat in USD, one charge failed). */
function mockPayment(slot: Slot, seat: number): InviteeDetail['payment'] {
  if (slot.type === 'onsite') return { amount: 1200, currency: 'EUR', successful: true, provider: 'stripe' };
  if (slot.type !== 'workshop') return null;
  if (seat === 1) return { amount: 320, currency: 'USD', successful: true, provider: 'stripe' };
  return { amount: 290, currency: 'EUR', successful: !(slot.id === 'E0205' && seat === 2), provider: 'stripe' };
}

function utc(dt: DateTime): string {
  return dt.toUTC().toISO({ suppressMilliseconds: true }) ?? '';
}

/** Builds the sandbox's data around `now` (the host's week containing `now` is week 0). */
export function buildMockDb(now: Date): MockDb {
  const nowHost = DateTime.fromJSDate(now, { zone: HOST_ZONE });
  const monday = nowHost.startOf('week');
  const host: Person = { name: SANDBOX_ACCOUNT.name, email: SANDBOX_ACCOUNT.email };
  const events: EventDetail[] = [];
  const activity = new Map<string, ActivityItem[]>();
  const booked = new Map<string, string>();
  const push = (email: string, item: ActivityItem) => {
    const list = activity.get(email) ?? [];
    list.push(item);
    activity.set(email, list);
  };

  SLOTS.forEach((slot, index) => {
    const type = TYPES[slot.type]!;
    const dayOffset = slot.day === 'today' ? nowHost.weekday - 1 : slot.day - 1;
    const start = monday.plus({ weeks: slot.week, days: dayOffset }).set({ hour: slot.hour, minute: slot.minute ?? 0 });
    const end = start.plus({ minutes: type.minutes });
    const uri = eventUri(slot.id);
    const eventCanceled = !!slot.canceled || !!slot.rescheduledTo;
    // Booked a few days ahead; meetings further out were booked recently, never after `now`.
    const latest = nowHost.minus({ hours: 2 + ((index * 7) % 44) });
    const ahead = start.minus({ days: 3 + (index % 9), hours: index % 5 });
    const bookedAt = ahead > latest ? latest : ahead;
    const invitees: InviteeDetail[] = slot.invitees.map((ci, seat) => {
      const c = CONTACTS[ci]!;
      const inviteeId = `${slot.id}-I${seat + 1}`;
      const seatCanceled = slot.seatCanceled?.includes(seat) ?? false;
      const canceled = eventCanceled || seatCanceled;
      const qa: QuestionAnswer[] = type.questions.map((q) => ({ question: q, answer: answer(q, ci) }));
      let cancelReason: string | null = null;
      let canceledBy: string | null = null;
      let cancelerType: string | null = null;
      if (slot.canceled) {
        cancelReason = slot.canceled.reason;
        if (slot.canceled.by === 'host') {
          canceledBy = host.name;
          cancelerType = 'host';
        } else {
          canceledBy = c.name;
          cancelerType = 'invitee';
        }
      } else if (slot.rescheduledTo) {
        cancelReason = 'Rescheduled';
        canceledBy = c.name;
        cancelerType = 'invitee';
      } else if (seatCanceled) {
        cancelReason = 'Double-booked, sorry — I will catch the recording.';
        canceledBy = c.name;
        cancelerType = 'invitee';
      }
      const noShow = slot.noShow?.includes(ci) ?? false;
      const detail: InviteeDetail = {
        uri: `${uri}/invitees/${inviteeId}`,
        name: c.name,
        email: c.email,
        status: canceled ? 'canceled' : 'active',
        timezone: c.timezone,
        noShow,
        rescheduled: !!slot.rescheduledTo,
        rescheduledFrom: slot.rescheduledFrom ? eventUri(slot.rescheduledFrom) : null,
        rescheduledTo: slot.rescheduledTo ? eventUri(slot.rescheduledTo) : null,
        cancelReason,
        canceledBy,
        cancelerType,
        questionsAndAnswers: qa,
        cancelUrl: canceled ? null : `https://calendly.com/cancellations/${inviteeId}`,
        rescheduleUrl: canceled ? null : `https://calendly.com/reschedulings/${inviteeId}`,
      };
      const payment = mockPayment(slot, seat);
      if (payment) detail.payment = payment;

      // The contact's timeline: booking, then whatever happened to it.
      push(c.email, {
        kind: slot.rescheduledFrom ? 'rescheduled' : 'booked',
        // Seats of a group event fill up over a few hours.
        at: utc(bookedAt.minus({ hours: seat * 3, minutes: seat * 17 })),
        eventUri: uri,
        eventName: type.name,
      });
      if (canceled && !slot.rescheduledTo) {
        push(c.email, { kind: 'canceled', at: utc(start.minus({ hours: 20 })), eventUri: uri, eventName: type.name });
      }
      if (noShow) {
        push(c.email, { kind: 'no_show', at: utc(end.plus({ minutes: 10 })), eventUri: uri, eventName: type.name });
      }
      return detail;
    });

    booked.set(uri, utc(bookedAt));
    events.push({
      uri,
      name: type.name,
      status: eventCanceled ? 'canceled' : 'active',
      start: utc(start),
      end: utc(end),
      eventType: `${SANDBOX_API}/event_types/${type.key}`,
      locationType: type.locationType,
      location: type.location ?? (type.join ? type.join(slot.id) : null),
      joinUrl: type.join ? type.join(slot.id) : null,
      meetingNotes: slot.notes ?? null,
      hosts: [host],
      invitees,
      guests: (slot.guests ?? []).map((email) => ({ name: null, email })),
    });
  });

  // Activity that happened no later than now, newest first.
  for (const [email, items] of activity) {
    activity.set(
      email,
      items.filter((i) => Date.parse(i.at) <= now.getTime()).sort((a, b) => Date.parse(b.at) - Date.parse(a.at)),
    );
  }
  events.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  return { now, events, activity, bookedAt: booked };
}

/** The calendar tile of a stored meeting. */
export function toCalendarEvent(e: EventDetail): CalendarEvent {
  const active = e.invitees.filter((i) => i.status === 'active');
  const shown = active.length > 0 ? active : e.invitees;
  return {
    uri: e.uri,
    name: e.name,
    status: e.status,
    start: e.start,
    end: e.end,
    locationType: e.locationType,
    joinUrl: e.joinUrl,
    inviteeNames: shown.map((i) => i.name ?? i.email),
    inviteesActive: active.length,
    rescheduledFrom: e.invitees.find((i) => i.rescheduledFrom)?.rescheduledFrom ?? null,
    rescheduledTo: e.invitees.find((i) => i.rescheduledTo)?.rescheduledTo ?? null,
    anyNoShow: e.invitees.some((i) => i.noShow),
  };
}

/** Meetings overlapping `[from, to)`. */
export function eventsInRange(db: MockDb, from: string, to: string, includeCanceled: boolean): CalendarEvent[] {
  const lo = Date.parse(from);
  const hi = Date.parse(to);
  return db.events
    .filter((e) => Date.parse(e.end) > lo && Date.parse(e.start) < hi)
    .filter((e) => includeCanceled || e.status !== 'canceled')
    .map(toCalendarEvent);
}

export function contactSummaries(db: MockDb, query: string | null): ContactSummary[] {
  const byEmail = new Map<string, ContactSummary>();
  const nowMs = db.now.getTime();
  for (const e of db.events) {
    for (const i of e.invitees) {
      const s = byEmail.get(i.email) ?? {
        email: i.email,
        name: i.name,
        meetings: 0,
        noShows: 0,
        lastMeeting: null,
        nextMeeting: null,
      };
      if (i.status === 'active') {
        s.meetings += 1;
        const t = Date.parse(e.start);
        if (t < nowMs && (!s.lastMeeting || t > Date.parse(s.lastMeeting))) s.lastMeeting = e.start;
        if (t >= nowMs && (!s.nextMeeting || t < Date.parse(s.nextMeeting))) s.nextMeeting = e.start;
      }
      if (i.noShow) s.noShows += 1;
      byEmail.set(i.email, s);
    }
  }
  const q = query?.trim().toLowerCase() ?? '';
  return [...byEmail.values()]
    .filter((s) => !q || s.email.toLowerCase().includes(q) || (s.name ?? '').toLowerCase().includes(q))
    .sort((a, b) => (a.name ?? a.email).localeCompare(b.name ?? b.email));
}

export function contactDetail(db: MockDb, email: string): ContactDetail | null {
  const summary = contactSummaries(db, null).find((s) => s.email === email);
  if (!summary) return null;
  const answers: QuestionAnswer[] = [];
  const seen = new Set<string>();
  for (const e of [...db.events].reverse()) {
    for (const i of e.invitees) {
      if (i.email !== email) continue;
      for (const qa of i.questionsAndAnswers) {
        if (!seen.has(qa.question) && qa.answer) {
          seen.add(qa.question);
          answers.push(qa);
        }
      }
    }
  }
  return { email, name: summary.name, activity: db.activity.get(email) ?? [], answers };
}

/** A meeting a test places at a known UTC instant (DST days, odd zones). */
export type ExtraMeeting = {
  id: string;
  name: string;
  start: string;
  end: string;
  invitee?: { name: string; email: string; timezone: string | null };
};

/** Adds test meetings to the store, as a sync would. */
export function addMeetings(db: MockDb, extra: ExtraMeeting[]): void {
  const host: Person = { name: SANDBOX_ACCOUNT.name, email: SANDBOX_ACCOUNT.email };
  for (const m of extra) {
    const uri = eventUri(m.id);
    const who = m.invitee ?? { name: 'Camila Rojas', email: 'camila@andes-ventures.cl', timezone: 'America/Santiago' };
    db.events.push({
      uri,
      name: m.name,
      status: 'active',
      start: m.start,
      end: m.end,
      eventType: null,
      locationType: 'zoom_conference',
      location: null,
      joinUrl: `https://zoom.us/j/5550${m.id.replace(/\D/g, '').padStart(6, '1')}`,
      meetingNotes: null,
      hosts: [host],
      invitees: [
        {
          uri: `${uri}/invitees/${m.id}-I1`,
          name: who.name,
          email: who.email,
          status: 'active',
          timezone: who.timezone,
          noShow: false,
          rescheduled: false,
          rescheduledFrom: null,
          rescheduledTo: null,
          cancelReason: null,
          canceledBy: null,
          cancelerType: null,
          questionsAndAnswers: [],
          cancelUrl: null,
          rescheduleUrl: null,
        },
      ],
      guests: [],
    });
  }
  db.events.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}

function nameOf(email: string): string | null {
  return CONTACTS.find((c) => c.email === email)?.name ?? null;
}

/** Everyone's activity, newest first. */
export function allActivity(db: MockDb): RecentActivity[] {
  const all: RecentActivity[] = [];
  for (const [email, items] of db.activity) {
    for (const a of items) all.push({ ...a, contactEmail: email, contactName: nameOf(email) });
  }
  return all.sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || a.contactEmail.localeCompare(b.contactEmail));
}

/** What happened in `[weekStart, weekEnd)`, by activity time, as Rust counts it. */
export function weekCounts(db: MockDb, weekStart: string, weekEnd: string): WeekCounts {
  const lo = Date.parse(weekStart);
  const hi = Date.parse(weekEnd);
  const counts: WeekCounts = { booked: 0, canceled: 0, rescheduled: 0, noShows: 0 };
  for (const a of allActivity(db)) {
    const t = Date.parse(a.at);
    if (t < lo || t >= hi) continue;
    if (a.kind === 'booked') counts.booked += 1;
    else if (a.kind === 'canceled') counts.canceled += 1;
    else if (a.kind === 'rescheduled') counts.rescheduled += 1;
    else if (a.kind === 'no_show') counts.noShows += 1;
  }
  return counts;
}

/**
 * Home, as Rust answers it: the day's active meetings, the next five starting from now (which may
 * include the rest of today), the week's counts and the ten latest activities.
 */
export function dashboard(db: MockDb, dayStart: string, dayEnd: string, weekStart: string, weekEnd: string): Dashboard {
  const nowMs = db.now.getTime();
  return {
    today: eventsInRange(db, dayStart, dayEnd, false),
    upcoming: db.events
      .filter((e) => e.status === 'active' && Date.parse(e.start) >= nowMs)
      .slice(0, 5)
      .map(toCalendarEvent),
    week: weekCounts(db, weekStart, weekEnd),
    recent: allActivity(db).slice(0, 10),
  };
}

/**
 * Search as Rust does it: meetings whose name, invitee name or email, or a booking answer contains
 * `query` (newest first), and contacts whose name or email does (by name); 20 of each at most.
 */
export function searchDb(db: MockDb, query: string): SearchResults {
  const q = query.trim().toLowerCase();
  if (!q) return { meetings: [], contacts: [] };
  const has = (v: string | null | undefined) => !!v && v.toLowerCase().includes(q);
  const meetings = db.events
    .filter(
      (e) =>
        has(e.name) ||
        e.invitees.some((i) => has(i.name) || has(i.email) || i.questionsAndAnswers.some((qa) => has(qa.answer))),
    )
    .sort((a, b) => Date.parse(b.start) - Date.parse(a.start))
    .slice(0, 20)
    .map(toCalendarEvent);
  const contacts = contactSummaries(db, null)
    .filter((c) => has(c.name) || has(c.email))
    .slice(0, 20);
  return { meetings, contacts };
}
