// The in-page stand-in for Slotline's Rust backend, used by browser tests (and by `npm run dev`
// in a plain browser when `window.__SLOTLINE_MOCK__ = {}` is set). It answers the same commands
// with the same argument names, rejects like Rust does (`{ kind, message }`), and checks its
// arguments strictly so a UI that sends the wrong shape fails its tests.

import { mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import type {
  AccountView,
  Commands,
  EventDetail,
  IpcError,
  IpcErrorKind,
  OAuthStart,
  Preferences,
  PrivateNote,
  RescheduleLink,
  SettingsView,
  StaleTopic,
  StatusView,
  SyncProgress,
  StoreProblem,
  SyncReport,
  WebhookStatus,
} from './bindings.gen';
import { DEFAULT_PREFERENCES } from './bindings.gen';
import {
  OAUTH_ACCOUNT,
  SANDBOX_ACCOUNT,
  authorizeUrl,
  loopbackRedirectUri,
  buildMockDb,
  contactDetail,
  contactSummaries,
  eventsInRange,
  addMeetings,
  dashboard,
  searchDb,
  type ExtraMeeting,
  type MockDb,
} from './mockData';
import {
  clientDetail as mockClientDetail,
  clientsReport,
  emptyOverrides,
  insights as mockInsights,
  listClients,
  mergeClients,
  movePerson,
  renameClient,
  type ClientOverrides,
} from './mockClients';

export type MockConfig = {
  /** `connected` (default) starts synced with the sandbox; `first-run` starts with no account. */
  scenario?: 'connected' | 'first-run';
  /** The mock's clock, ISO; defaults to the real time at install. */
  now?: string;
  /** Delay of every command, ms (default 0). */
  latencyMs?: number;
  /** Delay of `explore_sandbox`, ms (default 600). */
  sandboxDelayMs?: number;
  /** The keyring sentence (default `ok`). */
  keyring?: string;
  lastSyncError?: string | null;
  /** Changes to the account of the `connected` scenario (default: the offline sandbox). */
  account?: Partial<AccountView>;
  /** Set on the connected status: Calendly refused the OAuth grant. */
  reconnect?: string | null;
  /** `lastRefresh` of the connected status, unix seconds. */
  lastRefresh?: number | null;
  /** The stored settings at start (defaults: no client ID, port 53682, no secret). */
  settings?: { oauthClientId?: string | null; redirectPort?: number; hasClientSecret?: boolean };
  /**
   * What the browser sends back after `begin_oauth`: `approve` (default), `deny`, `timeout`,
   * `exchange_failed` (Calendly refuses the code) or `manual` (wait for `control.redirect()`).
   */
  oauthOutcome?: OAuthOutcome | 'manual';
  /** How long the user takes in the browser, ms (default 800). */
  oauthDelayMs?: number;
  /** The account OAuth connects (default: Dana, no avatar). */
  oauthAccount?: Partial<AccountView>;
  /** Ports `begin_oauth` finds taken. */
  busyPorts?: number[];
  /** Changes to the stored preferences (defaults: system zone, ngrok with a stored token). */
  preferences?: Partial<Preferences>;
  /** Changes to the connected status's real-time state (default: receiving via ngrok). */
  webhooks?: Partial<WebhookStatus>;
  /** Meetings added to the sandbox's month, at known UTC instants. */
  extraMeetings?: ExtraMeeting[];
  /** What `list_timezones` answers (default: the browser's IANA zones plus UTC). */
  timezones?: string[];
  /** Zones `save_preferences` refuses although `list_timezones` offers them. */
  refuseZones?: string[];
  /** Makes `export_file` fail with this message (kind `store`). */
  exportError?: string;
  /** The local database could not be opened at start: the recovery screen shows this. */
  storeProblem?: StoreProblem;
  /** Makes `recover_store` fail this many times (kind `store`) before it succeeds. */
  recoverFailures?: number;
  /** Private notes stored at start, by event URI. */
  notes?: Record<string, string>;
  /** Makes `set_private_note` fail with this message (kind `store`). */
  noteError?: string;
  /** What `disconnect` warns about (Calendly did not let a subscription be deleted, …). */
  disconnectWarnings?: string[];
};

export type OAuthOutcome = 'approve' | 'deny' | 'timeout' | 'exchange_failed';

export type MockCall = { cmd: string; args: Record<string, unknown> | undefined };

export type MockControl = {
  config: MockConfig;
  db: MockDb | null;
  status: StatusView;
  calls: MockCall[];
  /** URLs passed to the opener plugin. */
  opened: string[];
  /** Authorize URLs Rust would have opened in the system browser (`begin_oauth`). */
  browserOpened: string[];
  /** Paths shown in the file manager (`reveal_path`). */
  revealed: string[];
  /** Whether the login item exists (`get_autostart` / `set_autostart`). */
  autostart: boolean;
  /** Makes `set_autostart` fail as a read-only autostart folder would. */
  autostartFails: boolean;
  /** The stored preferences, read-only fields included. */
  preferences: Preferences;
  settings: { oauthClientId: string | null; redirectPort: number; hasClientSecret: boolean };
  /** True while a `finish_oauth` can be answered. */
  oauthPending(): boolean;
  /** Delivers the browser's redirect now (for `oauthOutcome: 'manual'`). */
  redirect(outcome: OAuthOutcome): void;
  /** Emits `data-changed` as Rust would. */
  dataChanged(stale: StaleTopic[]): Promise<void>;
  /** Emits `sync-progress` as the sync engine would. */
  syncProgress(progress: SyncProgress): Promise<void>;
  /** Rebuilds `db` and `status` after a test changed `db.events`. */
  recount(): void;
  /** What keeps the store closed (null once open), where it was moved, and whether Quit ran. */
  storeProblem: StoreProblem | null;
  movedAside: string[];
  quit: boolean;
  /** The private notes as stored, by event URI. */
  notes: Record<string, PrivateNote>;
  /** The consultant's client renames, merges and moves (Rust's `client_overrides`). */
  clientOverrides: ClientOverrides;
};

declare global {
  interface Window {
    __SLOTLINE_MOCK_CONTROL__?: MockControl;
  }
}

/** Where the mock's Downloads folder is; Rust uses the user's real one. */
export const MOCK_DOWNLOADS = '/home/dana/Downloads';
/** The local ICS feed's address while it runs. */
export const MOCK_FEED_URL = 'http://127.0.0.1:47616/feed/7c1e9a52d4/slotline.ics';

/** The mock account's preferences: Rust's defaults (generated) with real time through ngrok. */
const MOCK_PREFERENCES: Preferences = {
  ...DEFAULT_PREFERENCES,
  webhookMode: 'ngrok',
  ngrokDomain: 'dana-whitfield.ngrok.app',
  hasNgrokAuthtoken: true,
};

const PREFERENCE_TYPES: Record<keyof Preferences, 'string' | 'string|null' | 'boolean' | 'number'> = {
  timezone: 'string|null',
  secondaryTimezone: 'string|null',
  showCanceled: 'boolean',
  notifications: 'boolean',
  icsFeed: 'boolean',
  icsFeedUrl: 'string|null',
  icsFeedNotice: 'string|null',
  reconcileMinutes: 'number',
  syncDaysBack: 'number',
  syncDaysAhead: 'number',
  webhookMode: 'string',
  publicUrl: 'string|null',
  ngrokDomain: 'string|null',
  hasNgrokAuthtoken: 'boolean',
};

/** Current names chrono-tz has beside the older ones Chromium's ICU lists (Asia/Calcutta…). */
const MODERN_NAMES = [
  'America/Argentina/Buenos_Aires',
  'America/Nuuk',
  'Asia/Ho_Chi_Minh',
  'Asia/Kathmandu',
  'Asia/Kolkata',
  'Asia/Yangon',
  'Atlantic/Faroe',
  'Europe/Kyiv',
  'Pacific/Chuuk',
  'Pacific/Pohnpei',
  'UTC',
];

function systemZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([...zones, ...MODERN_NAMES])].sort();
}

/** The real-time state Rust reaches after switching to `prefs`' mode (the mock always succeeds). */
function realtimeFor(prefs: Preferences, was: WebhookStatus): WebhookStatus {
  const base = { ...was, pending: 0, failed: 0, message: null };
  switch (prefs.webhookMode) {
    case 'ngrok':
      return {
        ...base,
        state: 'receiving',
        tunnel: 'ngrok',
        publicUrl: `https://${prefs.ngrokDomain ?? 'a1b2-203-0-113-7.ngrok-free.app'}`,
        subscription: 'active',
      };
    case 'public-url':
      return { ...base, state: 'receiving', tunnel: 'public-url', publicUrl: prefs.publicUrl, subscription: 'active' };
    default:
      return { ...base, state: 'off', tunnel: null, publicUrl: null, subscription: null };
  }
}

type Command = keyof Commands;

/**
 * One command's stand-in, typed by the generated table: Rust's arguments in, Rust's result out.
 * The arguments are checked again at run time, since a browser test may send anything.
 */
type Handler<C extends Command> = (
  args: Commands[C]['args'],
) => Commands[C]['result'] | Promise<Commands[C]['result']>;

/**
 * Every command of the generated `Commands` table, and only those: a command renamed, added or
 * removed in `app/commands.rs`, or an argument or result changed there, fails `tsc` here until the
 * mock follows.
 */
type Handlers = { [C in Command]: Handler<C> };

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function fail(kind: IpcErrorKind, message: string): never {
  throw { kind, message } satisfies IpcError;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A value as it arrived, whatever the command's type says it should be. */
function raw(args: object, name: string): unknown {
  return (args as Record<string, unknown> | undefined)?.[name];
}

/** The string argument `name`, which the command's generated arguments must declare as a string. */
function argString<K extends string>(args: { [P in K]: string }, name: K): string {
  const v = raw(args, name);
  if (typeof v !== 'string') fail('invalid_input', `Missing string argument \`${name}\`.`);
  return v;
}

/** The optional string argument `name` (`string | null` in the generated arguments). */
function argNullableString<K extends string>(args: { [P in K]?: string | null }, name: K): string | null {
  const v = raw(args, name);
  if (v !== null && typeof v !== 'string') fail('invalid_input', `\`${name}\` must be a string or null.`);
  return v;
}

function argPort(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail('invalid_input', `\`${name}\` must be a whole number.`);
  if (v < 1024 || v > 65535) fail('invalid_input', `The redirect port must be between 1024 and 65535 (got ${v}).`);
  return v;
}

/** The boolean argument `name`, which the command's generated arguments must declare as a boolean. */
function argBool<K extends string>(args: { [P in K]: boolean }, name: K): boolean {
  const v = raw(args, name);
  if (typeof v !== 'boolean') fail('invalid_input', `Missing boolean argument \`${name}\`.`);
  return v;
}

/** The chain Rust's `feed::reschedule_chain` answers: earlier → `uri` → later, by the links. */
function rescheduleChain(events: EventDetail[], uri: string): RescheduleLink[] {
  const byUri = new Map(events.map((e) => [e.uri, e]));
  const link = (u: string, current: boolean): RescheduleLink => {
    const e = byUri.get(u);
    return e
      ? { uri: u, stored: true, current, name: e.name, status: e.status, start: e.start, end: e.end }
      : { uri: u, stored: false, current, name: null, status: null, start: null, end: null };
  };
  const from = (u: string) => byUri.get(u)?.invitees.find((i) => i.rescheduledFrom)?.rescheduledFrom ?? null;
  const to = (u: string) => byUri.get(u)?.invitees.find((i) => i.rescheduledTo)?.rescheduledTo ?? null;
  if (!byUri.has(uri)) return [];
  const seen = new Set([uri]);
  const earlier: RescheduleLink[] = [];
  for (let u = from(uri); u && !seen.has(u); u = from(u)) {
    seen.add(u);
    earlier.unshift(link(u, false));
  }
  const later: RescheduleLink[] = [];
  for (let u = to(uri); u && !seen.has(u); u = to(u)) {
    seen.add(u);
    later.push(link(u, false));
  }
  return [...earlier, link(uri, true), ...later];
}

export function installMock(raw: unknown): MockControl {
  const config: MockConfig = raw && typeof raw === 'object' ? (raw as MockConfig) : {};
  const clock = () => (config.now ? new Date(config.now) : new Date());
  const keyring = config.keyring ?? 'ok';
  const emptyStatus = (): StatusView => ({
    account: null,
    lastSync: null,
    lastSyncError: null,
    events: 0,
    contacts: 0,
    syncing: false,
    reconnect: null,
    lastRefresh: null,
    webhooks: {
      state: 'off',
      publicUrl: null,
      tunnel: null,
      subscription: null,
      lastDelivery: null,
      pending: 0,
      failed: 0,
      message: null,
    },
    keyring,
    inbox: { pending: 0, failed: 0, unapplied: 0, unappliedReasons: [] },
  });
  const timezones = config.timezones ?? systemZones();

  const control: MockControl = {
    config,
    db: null,
    status: emptyStatus(),
    calls: [],
    opened: [],
    browserOpened: [],
    revealed: [],
    autostart: false,
    autostartFails: false,
    preferences: { ...MOCK_PREFERENCES, ...config.preferences },
    settings: {
      oauthClientId: config.settings?.oauthClientId ?? null,
      redirectPort: config.settings?.redirectPort ?? 53682,
      hasClientSecret: config.settings?.hasClientSecret ?? false,
    },
    oauthPending: () => pending !== null && !pending.done,
    redirect: (outcome) => pending?.deliver(outcome),
    dataChanged: (stale) => emit('data-changed', { stale }),
    syncProgress: (progress) => emit('sync-progress', progress),
    storeProblem: config.storeProblem ?? null,
    movedAside: [],
    quit: false,
    recount() {
      const db = control.db;
      control.status.events = db ? db.events.length : 0;
      control.status.contacts = db ? contactSummaries(db, null).length : 0;
    },
    notes: {},
    clientOverrides: emptyOverrides(),
  };
  for (const [eventUri, body] of Object.entries(config.notes ?? {})) {
    control.notes[eventUri] = { eventUri, body, updatedAt: clock().toISOString().replace(/\.\d{3}Z$/, 'Z') };
  }

  const connect = (account = SANDBOX_ACCOUNT) => {
    const now = clock();
    control.db = control.db ?? buildMockDb(now);
    control.status.account = { ...account };
    control.status.lastSync = new Date(now.getTime() - 3 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    control.status.lastSyncError = config.lastSyncError ?? null;
    control.status.reconnect = null;
    control.status.lastRefresh = account.authKind === 'oauth' ? Math.floor(now.getTime() / 1000) : null;
    control.status.webhooks = {
      state: 'receiving',
      publicUrl: 'https://dana-whitfield.ngrok.app',
      tunnel: 'ngrok',
      subscription: 'active',
      lastDelivery: new Date(now.getTime() - 14 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      pending: 0,
      failed: 0,
      message: null,
      ...config.webhooks,
    };
    if (config.extraMeetings?.length && !control.db.events.some((e) => e.uri.endsWith(`/${config.extraMeetings![0]!.id}`))) {
      addMeetings(control.db, config.extraMeetings);
    }
    control.recount();
  };
  if ((config.scenario ?? 'connected') === 'connected') {
    connect({ ...SANDBOX_ACCOUNT, ...config.account });
    control.status.reconnect = config.reconnect ?? null;
    control.status.lastRefresh = config.lastRefresh ?? null;
  }

  const settingsView = (): SettingsView => ({
    ...control.settings,
    loopbackRedirectUri: loopbackRedirectUri(control.settings.redirectPort),
    authKind: control.status.account?.authKind ?? null,
    lastRefresh: control.status.lastRefresh,
  });

  // The one OAuth authorization in flight, as Rust keeps it: the redirect (or a cancel) settles it.
  type Pending = { done: boolean; deliver: (outcome: OAuthOutcome | 'cancel') => void; result: Promise<OAuthOutcome | 'cancel'> };
  let pending: Pending | null = null;
  const startPending = (): Pending => {
    let deliver!: Pending['deliver'];
    const result = new Promise<OAuthOutcome | 'cancel'>((resolve) => (deliver = resolve));
    const p: Pending = {
      done: false,
      result,
      deliver: (outcome) => {
        if (p.done) return;
        p.done = true;
        deliver(outcome);
      },
    };
    return p;
  };

  const requireDb = (): MockDb => {
    if (!control.status.account || !control.db) {
      fail('not_connected', 'Slotline is not connected to Calendly. Connect an account or explore the sandbox.');
    }
    return control.db;
  };

  /** A report range as Rust parses it: `YYYY-MM-DD` days, in order, and a zone it knows. */
  const rangeArgs = (args: { from: string; to: string; tz: string }) => {
    const [from, to, tz] = [argString(args, 'from'), argString(args, 'to'), argString(args, 'tz')];
    for (const d of [from, to]) if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) fail('invalid_input', `"${d}" is not a date; write it as YYYY-MM-DD`);
    if (to < from) fail('invalid_input', `the range ends (${to}) before it starts (${from}); swap --from and --to`);
    if (!timezones.includes(tz)) fail('invalid_input', `"${tz}" is not an IANA time zone (for example Europe/Berlin or America/New_York)`);
    return { from, to, tz };
  };

  const handlers: Handlers = {
    clients_report: (args) => {
      const { from, to, tz } = rangeArgs(args);
      return clientsReport(requireDb(), control.clientOverrides, from, to, tz, clock());
    },
    client_detail: (args) => {
      const key = argString(args, 'key');
      const { from, to, tz } = rangeArgs(args);
      const found = mockClientDetail(requireDb(), control.clientOverrides, key, from, to, tz, clock());
      if (!found) fail('not_found', `there is no client ${key}; reload the clients and try again`);
      return found;
    },
    list_clients: () => {
      return listClients(requireDb(), control.clientOverrides);
    },
    rename_client: (args) => {
      renameClient(requireDb(), control.clientOverrides, argString(args, 'key'), argString(args, 'name'));
      return null;
    },
    merge_clients: (args) => {
      mergeClients(requireDb(), control.clientOverrides, argString(args, 'from'), argString(args, 'into'));
      return null;
    },
    move_person: (args) => {
      movePerson(requireDb(), control.clientOverrides, argString(args, 'email'), argString(args, 'to'));
      return null;
    },
    insights: (args) => {
      const { from, to, tz } = rangeArgs(args);
      return mockInsights(requireDb(), from, to, tz);
    },
    export_report: (args) => {
      const { from, to } = rangeArgs(args);
      const format = argString(args, 'format');
      if (!['json', 'csv'].includes(format)) fail('invalid_input', `unknown report format "${format}": json or csv`);
      requireDb();
      if (config.exportError) fail('store', config.exportError);
      return { path: `${MOCK_DOWNLOADS}/slotline-report-${from.replace(/-/g, '')}-${to.replace(/-/g, '')}.${format}` };
    },
    get_status: () => {
      return structuredClone(control.status);
    },
    list_events: (args) => {
      const from = argString(args, 'from');
      const to = argString(args, 'to');
      const includeCanceled = argBool(args, 'includeCanceled');
      if (!RFC3339_UTC.test(from) || !RFC3339_UTC.test(to)) {
        fail('invalid_input', `from/to must be UTC RFC 3339 (got ${from} and ${to}).`);
      }
      return eventsInRange(requireDb(), from, to, includeCanceled);
    },
    get_event: (args) => {
      const uri = argString(args, 'uri');
      const found = requireDb().events.find((e) => e.uri === uri);
      if (!found) fail('invalid_input', 'This meeting is not stored locally. Sync and try again.');
      return structuredClone(found);
    },
    get_reschedule_chain: (args) => {
      return rescheduleChain(requireDb().events, argString(args, 'uri'));
    },
    get_private_note: (args) => {
      const uri = argString(args, 'uri');
      requireDb();
      return control.notes[uri] ? structuredClone(control.notes[uri]) : null;
    },
    set_private_note: (args) => {
      const uri = argString(args, 'uri');
      const body = argString(args, 'body');
      if (!requireDb().events.some((e) => e.uri === uri)) {
        fail('not_found', 'this meeting is not in the local calendar; sync and try again');
      }
      if ([...body].length > 100_000) fail('invalid_input', 'the note is too long; keep it under 100000');
      if (config.noteError) fail('store', config.noteError);
      if (!body.trim()) {
        delete control.notes[uri];
        return null;
      }
      control.notes[uri] = { eventUri: uri, body, updatedAt: clock().toISOString().replace(/\.\d{3}Z$/, 'Z') };
      return structuredClone(control.notes[uri]);
    },
    list_contacts: (args) => {
      const query = args?.query;
      if (query !== null && typeof query !== 'string') fail('invalid_input', '`query` must be a string or null.');
      return contactSummaries(requireDb(), query);
    },
    get_contact: (args) => {
      const found = contactDetail(requireDb(), argString(args, 'email'));
      if (!found) fail('invalid_input', 'No contact with this email is stored.');
      return found;
    },
    explore_sandbox: async () => {
      await sleep(config.sandboxDelayMs ?? 600);
      connect();
      void control.dataChanged(['events', 'contacts', 'status']);
      return structuredClone(control.status);
    },
    connect_token: (args) => {
      const token = argString(args, 'token').trim();
      if (!token) fail('invalid_input', 'Paste a personal access token first.');
      if (!token.startsWith('eyJ') || token.length < 20) {
        fail(
          'calendly',
          'Calendly rejected this token (401 Unauthenticated). Create a new personal access token under Integrations → API & Webhooks and paste it again.',
        );
      }
      connect({
        ...SANDBOX_ACCOUNT,
        sandbox: false,
        authKind: 'pat',
        apiUrl: 'https://api.calendly.com',
      });
      return structuredClone(control.status);
    },
    sync_now: () => {
      requireDb();
      const report: SyncReport = { pages: 2, eventsSeen: control.status.events, inviteeRequests: 4, eventsChanged: 1, activitiesAdded: 2 };
      control.status.lastSync = clock().toISOString().replace(/\.\d{3}Z$/, 'Z');
      control.status.lastSyncError = null;
      void control.dataChanged(['status']);
      return report;
    },
    begin_oauth: (args) => {
      const clientId = argString(args, 'clientId').trim();
      const clientSecret = argNullableString(args, 'clientSecret');
      const portArg = args?.redirectPort;
      const port = portArg === null ? control.settings.redirectPort : argPort(portArg, 'redirectPort');
      if (!clientId) {
        fail(
          'invalid_input',
          'Enter your OAuth app’s client ID first. It is on the app’s page in Calendly’s developer portal (developer.calendly.com → My apps).',
        );
      }
      if (config.busyPorts?.includes(port)) {
        fail(
          'calendly',
          `Port ${port} on localhost is taken by another program, so Slotline cannot receive Calendly’s redirect. Close that program, or pick another redirect port in Settings and register its redirect URI in your Calendly app.`,
        );
      }
      pending?.deliver('cancel');
      control.settings.oauthClientId = clientId;
      if (clientSecret) control.settings.hasClientSecret = true;
      const production = typeof args?.redirectUri === 'string' ? args.redirectUri : null;
      const redirectUri = production ?? loopbackRedirectUri(port);
      const start: OAuthStart = { authorizeUrl: authorizeUrl(clientId, redirectUri), redirectUri };
      control.browserOpened.push(start.authorizeUrl);
      const p = startPending();
      pending = p;
      const outcome = config.oauthOutcome ?? 'approve';
      if (outcome !== 'manual') window.setTimeout(() => p.deliver(outcome), config.oauthDelayMs ?? 800);
      return start;
    },
    finish_oauth: async () => {
      const p = pending;
      if (!p) fail('invalid_input', 'No Calendly sign-in is in progress. Press Continue in browser to start one.');
      const outcome = await p.result;
      if (pending === p) pending = null;
      switch (outcome) {
        case 'cancel':
          fail('canceled', 'Connecting to Calendly was canceled.');
        case 'deny':
          fail(
            'denied',
            'Calendly says access was denied, so Slotline is not connected. Press Continue in browser again and choose “Approve” on Calendly’s page.',
          );
        case 'timeout':
          fail(
            'timeout',
            'No answer came back from the browser within 5 minutes. Press Continue in browser to start again; if no browser opened, use Copy link and open the link yourself.',
          );
        case 'exchange_failed':
          fail(
            'calendly',
            'Calendly refused to exchange the authorization code (400 invalid_grant). Check that the redirect URI registered for your app is exactly the one shown in Settings, then try again.',
          );
        case 'approve':
          break;
      }
      connect({ ...OAUTH_ACCOUNT, ...config.oauthAccount });
      void control.dataChanged(['events', 'contacts', 'status']);
      return structuredClone(control.status);
    },
    cancel_oauth: () => {
      pending?.deliver('cancel');
      return null;
    },
    get_settings: () => {
      return settingsView();
    },
    save_settings: (args) => {
      const id = args?.oauthClientId;
      if (id !== null && typeof id !== 'string') fail('invalid_input', '`oauthClientId` must be a string or null.');
      const port = argPort(args?.redirectPort, 'redirectPort');
      control.settings.oauthClientId = id?.trim() ? id.trim() : null;
      control.settings.redirectPort = port;
      return settingsView();
    },
    disconnect: (args) => {
      const erase = argBool(args, 'erase');
      control.status.account = null;
      control.status.reconnect = null;
      control.status.lastRefresh = null;
      control.status.lastSync = erase ? null : control.status.lastSync;
      if (erase) control.db = null;
      control.status.webhooks = emptyStatus().webhooks;
      control.recount();
      // As Rust does: the status is stale at once (the screen may swap before this answer lands).
      void control.dataChanged(['events', 'contacts', 'status']);
      return [...(config.disconnectWarnings ?? [])];
    },
    list_timezones: () => {
      return [...timezones];
    },
    get_preferences: () => {
      return structuredClone(control.preferences);
    },
    save_preferences: (args) => {
      const prefs = args?.prefs;
      if (!prefs || typeof prefs !== 'object') fail('invalid_input', 'Missing object argument `prefs`.');
      const p = prefs as Record<string, unknown>;
      const keys = Object.keys(PREFERENCE_TYPES) as Array<keyof Preferences>;
      const extra = Object.keys(p).filter((k) => !(keys as string[]).includes(k));
      if (extra.length) fail('invalid_input', `Unknown preference fields: ${extra.join(', ')}.`);
      for (const k of keys) {
        const t = PREFERENCE_TYPES[k];
        const v = p[k];
        const ok = t === 'string|null' ? v === null || typeof v === 'string' : typeof v === t;
        if (!ok) fail('invalid_input', `\`prefs.${k}\` must be ${t.replace('|', ' or ')}.`);
      }
      const next = structuredClone(p) as Preferences;
      for (const tz of [next.timezone, next.secondaryTimezone]) {
        if (tz !== null && (!timezones.includes(tz) || config.refuseZones?.includes(tz))) {
          fail('invalid_input', `${tz} is not an IANA time zone.`);
        }
      }
      if (!['off', 'ngrok', 'public-url'].includes(next.webhookMode)) {
        fail('invalid_input', `Unknown real-time mode "${next.webhookMode}".`);
      }
      next.publicUrl = next.publicUrl?.trim().replace(/\/+$/, '') || null;
      next.ngrokDomain = next.ngrokDomain?.trim() || null;
      if (next.webhookMode === 'public-url' && !next.publicUrl?.startsWith('https://')) {
        fail('invalid_input', 'A public URL must start with https:// (Calendly only delivers to public HTTPS addresses).');
      }
      if (!Number.isInteger(next.reconcileMinutes) || next.reconcileMinutes < 1 || next.reconcileMinutes > 1440) {
        fail('invalid_input', 'Reconcile every 1 to 1440 minutes.');
      }
      for (const days of [next.syncDaysBack, next.syncDaysAhead]) {
        if (!Number.isInteger(days) || days < 0 || days > 3650) {
          fail('invalid_input', 'sync at most 3650 days back and 3650 days ahead');
        }
      }
      if (next.syncDaysBack + next.syncDaysAhead === 0) {
        fail('invalid_input', 'the sync window must cover at least one day (back or ahead)');
      }
      next.icsFeedUrl = next.icsFeed ? MOCK_FEED_URL : null;
      next.hasNgrokAuthtoken = control.preferences.hasNgrokAuthtoken;
      const before = control.preferences;
      control.preferences = next;
      // Rust restarts real-time delivery when its settings change and says so.
      if (
        control.status.account &&
        (before.webhookMode !== next.webhookMode || before.publicUrl !== next.publicUrl || before.ngrokDomain !== next.ngrokDomain)
      ) {
        control.status.webhooks = realtimeFor(next, control.status.webhooks);
        void control.dataChanged(['webhooks']);
      }
      return structuredClone(next);
    },
    set_ngrok_authtoken: (args) => {
      const token = argNullableString(args, 'token');
      if (token !== null && !token.trim()) fail('invalid_input', 'Paste your ngrok authtoken first.');
      if (token !== null && token.trim().length < 20) {
        fail('invalid_input', 'That does not look like an ngrok authtoken. Copy it from dashboard.ngrok.com → Your Authtoken.');
      }
      control.preferences.hasNgrokAuthtoken = token !== null;
      return structuredClone(control.preferences);
    },
    dashboard: (args) => {
      const bounds = ['dayStart', 'dayEnd', 'weekStart', 'weekEnd'].map((k) => argString(args, k));
      const bad = bounds.find((b) => !RFC3339_UTC.test(b));
      if (bad !== undefined) fail('invalid_input', `Dashboard bounds must be UTC RFC 3339 (got ${bad}).`);
      const [dayStart, dayEnd, weekStart, weekEnd] = bounds as [string, string, string, string];
      return dashboard(requireDb(), dayStart, dayEnd, weekStart, weekEnd);
    },
    search: (args) => {
      return searchDb(requireDb(), argString(args, 'query'));
    },
    export_file: (args) => {
      const format = argString(args, 'format');
      const includeCanceled = argBool(args, 'includeCanceled');
      if (!['ics', 'csv', 'json'].includes(format)) fail('invalid_input', `Unknown export format "${format}".`);
      requireDb();
      if (config.exportError) fail('store', config.exportError);
      const day = clock().toISOString().slice(0, 10);
      return { path: `${MOCK_DOWNLOADS}/slotline-${day}${includeCanceled ? '-with-canceled' : ''}.${format}` };
    },
    reveal_path: (args) => {
      control.revealed.push(argString(args, 'path'));
      return null;
    },
    report_first_paint: () => {
      return null;
    },
    get_autostart: () => {
      return control.autostart;
    },
    set_autostart: (args) => {
      if (control.autostartFails) fail('autostart', 'could not change the login item: permission denied');
      control.autostart = Boolean(args.enabled);
      return control.autostart;
    },
    get_store_problem: () => {
      return structuredClone(control.storeProblem);
    },
    recover_store: (args) => {
      const moveAside = argBool(args, 'moveAside');
      const problem = control.storeProblem;
      if (!problem) return null;
      if ((config.recoverFailures ?? 0) > 0) {
        config.recoverFailures = (config.recoverFailures ?? 0) - 1;
        fail('store', `could not move ${problem.path} aside: Permission denied (os error 13)`);
      }
      if (!moveAside || !problem.canMoveAside) {
        fail('store', problem.message);
      }
      const moved = problem.path.replace(/\.db$/, '.moved-20260311T080000Z.db');
      control.movedAside.push(moved);
      control.storeProblem = null;
      return moved;
    },
    quit_app: () => {
      control.quit = true;
      return null;
    },
  };

  const handle = async (cmd: string, args: Record<string, unknown> | undefined): Promise<unknown> => {
    if (cmd === 'plugin:opener|open_url') {
      const url = args?.url;
      if (typeof url !== 'string') fail('invalid_input', 'Missing string argument `url`.');
      control.opened.push(url);
      return null;
    }
    if (!Object.prototype.hasOwnProperty.call(handlers, cmd)) fail('internal', `The mock backend has no command \`${cmd}\`.`);
    // What arrives is whatever the UI (or a test) sent: each handler checks it again at run time.
    const run = handlers[cmd as Command] as (args: unknown) => unknown;
    return run(args ?? {});
  };

  mockIPC(
    async (cmd, payload) => {
      const args = payload as Record<string, unknown> | undefined;
      control.calls.push({ cmd, args: args ? structuredClone(args) : undefined });
      if (config.latencyMs) await sleep(config.latencyMs);
      // As in Rust: until the store opens, only the recovery commands have their state.
      if (control.storeProblem && !['get_store_problem', 'recover_store', 'quit_app'].includes(cmd)) {
        fail('internal', `state not managed for field \`state\` on command \`${cmd}\``);
      }
      return handle(cmd, args);
    },
    { shouldMockEvents: true },
  );
  window.__SLOTLINE_MOCK_CONTROL__ = control;
  return control;
}
