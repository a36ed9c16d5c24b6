// Generated from Rust by ts-rs (cargo test bindings). Do not edit.

export type CalendarEvent = { uri: string, name: string, 
/**
 * `active` or `canceled`.
 */
status: string, 
/**
 * UTC, RFC 3339 with `Z`.
 */
start: string, end: string, locationType: string | null, joinUrl: string | null, 
/**
 * Names (or emails) of the active invitees, for the tile.
 */
inviteeNames: Array<string>, inviteesActive: number, rescheduledFrom: string | null, rescheduledTo: string | null, anyNoShow: boolean, };

export type QuestionAnswer = { question: string, answer: string, };

export type InviteeDetail = { uri: string, name: string | null, email: string, status: string, timezone: string | null, noShow: boolean, rescheduled: boolean, 
/**
 * The event URI of the booking this one replaced (Calendly links invitees; this is its event).
 */
rescheduledFrom: string | null, 
/**
 * The event URI of the booking that replaced this one.
 */
rescheduledTo: string | null, cancelReason: string | null, canceledBy: string | null, cancelerType: string | null, questionsAndAnswers: Array<QuestionAnswer>, cancelUrl: string | null, rescheduleUrl: string | null, 
/**
 * What the invitee paid (paid event types only).
 */
payment?: PaymentView | null, };

export type Person = { name: string | null, email: string, };

export type EventDetail = { uri: string, name: string, status: string, start: string, end: string, eventType: string | null, locationType: string | null, 
/**
 * Address, phone number or free text, depending on `location_type`.
 */
location: string | null, joinUrl: string | null, meetingNotes: string | null, hosts: Array<Person>, invitees: Array<InviteeDetail>, guests: Array<Person>, };

export type RescheduleLink = { 
/**
 * The event URI.
 */
uri: string, 
/**
 * False when the booking is not in the local store (e.g. older than the synced window): only
 * its URI is known.
 */
stored: boolean, 
/**
 * True for the meeting the chain was asked about.
 */
current: boolean, name: string | null, 
/**
 * `active` or `canceled`; null when not stored.
 */
status: string | null, start: string | null, end: string | null, };

export type PrivateNote = { eventUri: string, body: string, 
/**
 * UTC, RFC 3339 with `Z`.
 */
updatedAt: string, };

export type ContactSummary = { email: string, name: string | null, meetings: number, noShows: number, lastMeeting: string | null, nextMeeting: string | null, };

export type ActivityItem = { 
/**
 * `booked`, `canceled`, `rescheduled`, `no_show`, `no_show_cleared`, `routing_form_submitted`.
 */
kind: string, at: string, eventUri: string | null, eventName: string | null, };

export type ContactDetail = { email: string, name: string | null, activity: Array<ActivityItem>, answers: Array<QuestionAnswer>, };

export type AccountView = { name: string, email: string, timezone: string | null, avatarUrl: string | null, 
/**
 * `pat` or `oauth`.
 */
authKind: string, 
/**
 * True when the account is the built-in offline sandbox.
 */
sandbox: boolean, apiUrl: string, };

export type StatusView = { account: AccountView | null, lastSync: string | null, lastSyncError: string | null, events: number, contacts: number, syncing: boolean, 
/**
 * Set when Calendly refused the OAuth grant: the user must reconnect.
 */
reconnect: string | null, 
/**
 * Unix seconds of the last OAuth token refresh.
 */
lastRefresh: number | null, webhooks: WebhookStatus, 
/**
 * The keyring's state: `ok`, or a sentence saying what is wrong and what to do.
 */
keyring: string, 
/**
 * Set while Calendly's renewed sign-in is held in memory only because the keyring refused
 * it: what happened and what to do.
 */
tokenWarning?: string | null, 
/**
 * The webhook inbox as the store has it (whether or not the receiver runs).
 */
inbox: InboxStatus, };

export type InboxStatus = { 
/**
 * Stored, waiting to be applied.
 */
pending: number, 
/**
 * Applying failed; retried with back-off.
 */
failed: number, 
/**
 * Authentic but not understood by this version: kept, and tried again at every start.
 */
unapplied: number, 
/**
 * `unapplied` per reason, most frequent first.
 */
unappliedReasons: Array<UnappliedCount>, };

export type UnappliedCount = { 
/**
 * `unknown_event`, `not_json` or `unexpected_shape`.
 */
reason: string, count: number, };

export type SyncReport = { pages: number, eventsSeen: number, inviteeRequests: number, eventsChanged: number, activitiesAdded: number, };

export type OAuthStart = { authorizeUrl: string, redirectUri: string, };

export type SettingsView = { oauthClientId: string | null, redirectPort: number, 
/**
 * Whether an OAuth client secret is stored in the keyring.
 */
hasClientSecret: boolean, 
/**
 * The redirect URI to register for a Sandbox app in Calendly.
 */
loopbackRedirectUri: string, 
/**
 * `pat`, `oauth` or null when not connected.
 */
authKind: string | null, lastRefresh: number | null, };

export type IpcErrorKind = "not_connected" | "keyring" | "calendly" | "network" | "store" | "invalid_input" | "not_found" | "canceled" | "timeout" | "denied" | "autostart" | "internal";

export type IpcError = { kind: IpcErrorKind, message: string, };

export type StaleTopic = "events" | "contacts" | "status" | "dashboard" | "webhooks";

export type DataChanged = { 
/**
 * What became stale.
 */
stale: Array<StaleTopic>, };

export type WebhookMode = "off" | "ngrok" | "public-url";

export type Preferences = { 
/**
 * IANA zone the calendar shows; null means the system zone.
 */
timezone: string | null, secondaryTimezone: string | null, showCanceled: boolean, notifications: boolean, icsFeed: boolean, 
/**
 * Read-only: where the local ICS feed can be subscribed to, while it runs.
 */
icsFeedUrl: string | null, 
/**
 * Read-only: set when the feed's port was taken and it moved to a new address.
 */
icsFeedNotice: string | null, reconcileMinutes: number, 
/**
 * The reconcile window: days back from today and days ahead (defaults 90 and 365).
 */
syncDaysBack: number, syncDaysAhead: number, webhookMode: WebhookMode, publicUrl: string | null, ngrokDomain: string | null, 
/**
 * Read-only: whether an ngrok authtoken is stored in the keyring.
 */
hasNgrokAuthtoken: boolean, };

export type WeekCounts = { booked: number, canceled: number, rescheduled: number, 
/**
 * No-shows marked this week and not cleared since.
 */
noShows: number, };

export type RecentActivity = { 
/**
 * `booked`, `canceled`, `rescheduled`, `no_show`, `no_show_cleared`, `routing_form_submitted`.
 */
kind: string, at: string, contactEmail: string, contactName: string | null, eventUri: string | null, eventName: string | null, };

export type Dashboard = { 
/**
 * Active meetings overlapping today, by start.
 */
today: Array<CalendarEvent>, 
/**
 * The next active meetings after today (or after now, if later), by start.
 */
upcoming: Array<CalendarEvent>, week: WeekCounts, 
/**
 * The latest activities, newest first.
 */
recent: Array<RecentActivity>, };

export type SearchResults = { 
/**
 * Newest first.
 */
meetings: Array<CalendarEvent>, 
/**
 * By name.
 */
contacts: Array<ContactSummary>, };

export type ExportResult = { path: string, };

export type WebhookState = "off" | "polling" | "receiving" | "error";

export type WebhookStatus = { state: WebhookState, publicUrl: string | null, 
/**
 * `ngrok`, `public-url` or null.
 */
tunnel: string | null, 
/**
 * `active`, `disabled`, `refused: <why>` or null.
 */
subscription: string | null, lastDelivery: string | null, pending: number, failed: number, message: string | null, };

export type SyncProgress = { 
/**
 * `false` once the sync finished (or stopped: then `error` says why).
 */
running: boolean, 
/**
 * Listing pages applied so far.
 */
pages: number, 
/**
 * Events listed so far.
 */
events: number, 
/**
 * Another listing page is coming.
 */
morePages: boolean, 
/**
 * Requests left this minute and the per-minute limit, when Calendly said.
 */
requestsLeft: number | null, rateLimit: number | null, error: string | null, };

export type StoreProblem = { 
/**
 * `not_a_database`, `corrupt`, `foreign`, `too_new`, or `unavailable` (locked, no room, no
 * permission: trying again may help, moving the file aside would not).
 */
kind: string, 
/**
 * The database file.
 */
path: string, 
/**
 * What is wrong, in a sentence.
 */
message: string, 
/**
 * Whether moving the file aside and starting fresh is offered.
 */
canMoveAside: boolean, };

export type ExportFormat = "json" | "ics" | "csv";

export type ReportFormat = "json" | "csv";

export type PaymentView = { amount: number | null, 
/**
 * ISO 4217, upper case (`EUR`, `USD`, …).
 */
currency: string | null, 
/**
 * False when the charge failed: it counts in no revenue.
 */
successful: boolean, 
/**
 * `stripe` or `paypal`.
 */
provider: string | null, };

export type Money = { 
/**
 * ISO 4217 (`EUR`, `USD`, …).
 */
currency: string, 
/**
 * Rounded to cents.
 */
amount: number, };

export type ClientLine = { 
/**
 * `domain:<domain>` or `person:<email>`: what rename, merge and move name.
 */
key: string, name: string, 
/**
 * The company's email domain; null for a person.
 */
domain: string | null, 
/**
 * The client's people who count in the range (lower-case emails).
 */
people: Array<string>, meetings: number, hours: number, canceled: number, noShows: number, revenue: Array<Money>, 
/**
 * UTC, RFC 3339 with `Z`.
 */
lastMeeting: string | null, nextMeeting: string | null, 
/**
 * True when the consultant named it.
 */
renamed: boolean, };

export type EventTypeLine = { 
/**
 * The event type's URI (or its name when Calendly sent none).
 */
key: string, name: string, meetings: number, hours: number, canceled: number, noShows: number, };

export type WeekLine = { 
/**
 * The Monday, `YYYY-MM-DD`.
 */
weekStart: string, meetings: number, hours: number, canceled: number, noShows: number, };

export type ClientsReport = { 
/**
 * `YYYY-MM-DD`, inclusive.
 */
from: string, to: string, 
/**
 * The IANA zone the days are in.
 */
tz: string, 
/**
 * Clients with a meeting or a cancellation in the range, by name.
 */
clients: Array<ClientLine>, eventTypes: Array<EventTypeLine>, 
/**
 * Every week the range touches (Mondays in `tz`), empty ones too.
 */
weeks: Array<WeekLine>, };

export type ClientRef = { key: string, name: string, domain: string | null, 
/**
 * How many people it has.
 */
people: number, };

export type ClientPerson = { email: string, name: string | null, 
/**
 * Moved here (or out on their own) by the consultant.
 */
moved: boolean, meetings: number, hours: number, canceled: number, noShows: number, };

export type ClientMeeting = { uri: string, name: string, start: string, end: string, 
/**
 * `held` or `canceled`.
 */
outcome: string, noShow: boolean, 
/**
 * The client's people on it.
 */
people: Array<string>, revenue: Array<Money>, };

export type ClientDetail = { 
/**
 * The client's line in the report over the same range (zeros when it had no meeting).
 */
summary: ClientLine, 
/**
 * Everyone who belongs to it (not only who met in the range), by name.
 */
people: Array<ClientPerson>, 
/**
 * Its held and canceled meetings in the range, by start.
 */
meetings: Array<ClientMeeting>, };

export type TypeInsight = { key: string, name: string, meetings: number, hours: number, canceled: number, noShows: number, 
/**
 * Canceled ÷ (held + canceled); 0 when there were none.
 */
cancelRate: number, 
/**
 * No-shows ÷ held; 0 when none was held.
 */
noShowRate: number, 
/**
 * Held meetings per week (aligned with `weeks`).
 */
weeklyMeetings: Array<number>, 
/**
 * Hours per week (aligned with `weeks`).
 */
weeklyHours: Array<number>, };

export type LeadBucket = { label: string, 
/**
 * The bucket's lower bound in hours (inclusive).
 */
fromHours: number, meetings: number, };

export type Insights = { from: string, to: string, tz: string, 
/**
 * The Mondays of the weeks the range touches (`YYYY-MM-DD`); the series below follow them.
 */
weeks: Array<string>, 
/**
 * Per event type, busiest first.
 */
eventTypes: Array<TypeInsight>, 
/**
 * How long before the meeting it was booked: one bucket each, in order.
 */
leadTime: Array<LeadBucket>, 
/**
 * Held meetings by local start: `heatmap[weekday][hour]`, Monday = 0, hours 0–23.
 */
heatmap: Array<Array<number>>, meetings: number, hours: number, };

/** Tauri commands: arguments and results. */
export type Commands = {
  report_first_paint: { args: { screen: string }; result: null };
  get_autostart: { args: Record<string, never>; result: boolean };
  set_autostart: { args: { enabled: boolean }; result: boolean };
  get_status: { args: Record<string, never>; result: StatusView };
  list_events: { args: { from: string, to: string, includeCanceled: boolean }; result: Array<CalendarEvent> };
  get_event: { args: { uri: string }; result: EventDetail };
  get_reschedule_chain: { args: { uri: string }; result: Array<RescheduleLink> };
  get_private_note: { args: { uri: string }; result: PrivateNote | null };
  set_private_note: { args: { uri: string, body: string }; result: PrivateNote | null };
  list_contacts: { args: { query?: string | null }; result: Array<ContactSummary> };
  get_contact: { args: { email: string }; result: ContactDetail };
  explore_sandbox: { args: Record<string, never>; result: StatusView };
  connect_token: { args: { token: string }; result: StatusView };
  sync_now: { args: Record<string, never>; result: SyncReport };
  disconnect: { args: { erase: boolean }; result: Array<string> };
  begin_oauth: { args: { clientId: string, clientSecret?: string | null, redirectPort?: number | null, redirectUri?: string | null }; result: OAuthStart };
  finish_oauth: { args: Record<string, never>; result: StatusView };
  cancel_oauth: { args: Record<string, never>; result: null };
  get_settings: { args: Record<string, never>; result: SettingsView };
  save_settings: { args: { oauthClientId?: string | null, redirectPort: number }; result: SettingsView };
  get_preferences: { args: Record<string, never>; result: Preferences };
  save_preferences: { args: { prefs: Preferences }; result: Preferences };
  set_ngrok_authtoken: { args: { token?: string | null }; result: Preferences };
  list_timezones: { args: Record<string, never>; result: Array<string> };
  dashboard: { args: { dayStart: string, dayEnd: string, weekStart: string, weekEnd: string }; result: Dashboard };
  search: { args: { query: string }; result: SearchResults };
  export_file: { args: { format: ExportFormat, includeCanceled: boolean }; result: ExportResult };
  reveal_path: { args: { path: string }; result: null };
  clients_report: { args: { from: string, to: string, tz: string }; result: ClientsReport };
  client_detail: { args: { key: string, from: string, to: string, tz: string }; result: ClientDetail };
  list_clients: { args: Record<string, never>; result: Array<ClientRef> };
  rename_client: { args: { key: string, name: string }; result: null };
  merge_clients: { args: { from: string, into: string }; result: null };
  move_person: { args: { email: string, to: string }; result: null };
  insights: { args: { from: string, to: string, tz: string }; result: Insights };
  export_report: { args: { from: string, to: string, tz: string, format: ReportFormat }; result: ExportResult };
  get_store_problem: { args: Record<string, never>; result: StoreProblem | null };
  recover_store: { args: { moveAside: boolean }; result: string | null };
  quit_app: { args: Record<string, never>; result: null };
};

/** What Rust stores before the user changed anything (`Preferences::default()`). */
export const DEFAULT_PREFERENCES: Preferences = {
  "timezone": null,
  "secondaryTimezone": null,
  "showCanceled": false,
  "notifications": true,
  "icsFeed": false,
  "icsFeedUrl": null,
  "icsFeedNotice": null,
  "reconcileMinutes": 15,
  "syncDaysBack": 90,
  "syncDaysAhead": 365,
  "webhookMode": "off",
  "publicUrl": null,
  "ngrokDomain": null,
  "hasNgrokAuthtoken": false
};

/** Tauri events emitted to the window. */
export type Events = {
  "data-changed": DataChanged;
  "sync-progress": SyncProgress;
};
