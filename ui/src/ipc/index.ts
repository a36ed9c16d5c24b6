// The UI's only door to Rust. Components import typed functions from here and never touch
// `@tauri-apps/api` themselves, so the whole backend can be swapped for a mock at this seam
// (browser tests set `window.__SLOTLINE_MOCK__` before the app boots).

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { openUrl } from '@tauri-apps/plugin-opener';
import type {
  CalendarEvent,
  ClientDetail,
  ClientRef,
  ClientsReport,
  Commands,
  ContactDetail,
  ContactSummary,
  Dashboard,
  DataChanged,
  EventDetail,
  ExportFormat,
  ExportResult,
  Insights,
  IpcError,
  IpcErrorKind,
  OAuthStart,
  Preferences,
  PrivateNote,
  RescheduleLink,
  SearchResults,
  SettingsView,
  StaleTopic,
  StatusView,
  StoreProblem,
  SyncProgress,
  SyncReport,
} from './bindings.gen';
import { isHttpUrl } from '../lib/urls';

export type * from './bindings.gen';

declare global {
  interface Window {
    /** Set (by a browser test's init script) to run the UI against the in-page mock backend. */
    __SLOTLINE_MOCK__?: unknown;
    __TAURI_INTERNALS__?: unknown;
  }
}

/**
 * Installs the mock backend when asked to. Must run before the first command. The mock module is a
 * separate chunk that the desktop app never loads.
 */
export async function initIpc(): Promise<void> {
  let config = window.__SLOTLINE_MOCK__;
  // `npm run dev` in a plain browser: http://127.0.0.1:5173/?mock (or ?mock=first-run).
  if (config === undefined && import.meta.env.DEV && !hasBackend()) {
    const scenario = new URLSearchParams(window.location.search).get('mock');
    if (scenario !== null) config = { scenario: scenario || 'connected' };
  }
  if (config !== undefined) {
    const { installMock } = await import('./mock');
    installMock(config);
  }
}

/** True when commands can reach a backend (the Tauri window, or the mock). */
export function hasBackend(): boolean {
  return window.__TAURI_INTERNALS__ !== undefined;
}

/** Normalizes whatever a rejected command carries into `{ kind, message }`. */
export function toIpcError(raw: unknown): IpcError {
  if (raw && typeof raw === 'object' && 'kind' in raw && 'message' in raw) {
    const { kind, message } = raw as { kind: unknown; message: unknown };
    // Rust's `IpcErrorKind` (and the mock, typed by it) is the only producer of `kind`.
    return { kind: String(kind) as IpcErrorKind, message: String(message) };
  }
  if (typeof raw === 'string') return { kind: 'internal', message: raw };
  if (raw instanceof Error) return { kind: 'internal', message: raw.message };
  return { kind: 'internal', message: 'Something went wrong talking to Slotline’s backend.' };
}

/** What a rejected OAuth flow may say (`IpcError.kind`), besides the usual kinds. */
export type OAuthErrorKind = Extract<IpcErrorKind, 'canceled' | 'timeout' | 'denied' | 'calendly' | 'keyring' | 'invalid_input'>;

type Command = keyof Commands;
type Args<C extends Command> = Commands[C]['args'];

/** Invokes a command with the argument object and result type the Rust command table declares. */
async function call<C extends Command>(
  cmd: C,
  ...args: Args<C> extends Record<string, never> ? [] : [Args<C>]
): Promise<Commands[C]['result']> {
  try {
    return await invoke<Commands[C]['result']>(cmd, args[0]);
  } catch (raw) {
    throw toIpcError(raw);
  }
}

export function getStatus(): Promise<StatusView> {
  return call('get_status');
}

/** Meetings overlapping `[from, to)`; both UTC RFC 3339. */
export function listEvents(from: string, to: string, includeCanceled: boolean): Promise<CalendarEvent[]> {
  return call('list_events', { from, to, includeCanceled });
}

export function getEvent(uri: string): Promise<EventDetail> {
  return call('get_event', { uri });
}

/** The bookings of a rescheduled meeting, earliest first, `uri` among them (`current`). */
export function getRescheduleChain(uri: string): Promise<RescheduleLink[]> {
  return call('get_reschedule_chain', { uri });
}

/** The consultant's private note on a meeting (local only), or null. */
export function getPrivateNote(uri: string): Promise<PrivateNote | null> {
  return call('get_private_note', { uri });
}

/** Saves the private note on a meeting; a blank body deletes it (resolves to null). */
export function setPrivateNote(uri: string, body: string): Promise<PrivateNote | null> {
  return call('set_private_note', { uri, body });
}

export function listContacts(query: string | null): Promise<ContactSummary[]> {
  return call('list_contacts', { query });
}

export function getContact(email: string): Promise<ContactDetail> {
  return call('get_contact', { email });
}

/** Starts the built-in offline Calendly sandbox, connects to it and syncs. */
export function exploreSandbox(): Promise<StatusView> {
  return call('explore_sandbox');
}

/** Connects with a Calendly personal access token. */
export function connectToken(token: string): Promise<StatusView> {
  return call('connect_token', { token });
}

export function syncNow(): Promise<SyncReport> {
  return call('sync_now');
}

/**
 * Starts connecting through the user's Calendly OAuth app: Rust binds the loopback listener and
 * opens the authorize URL in the system browser (never in this window). `clientSecret` only for
 * web apps; `redirectPort` null uses the saved one.
 */
export function beginOAuth(
  clientId: string,
  clientSecret: string | null,
  redirectPort: number | null,
  /** A Production app's HTTPS redirect (`https://<public host>/oauth/callback`); omit for loopback. */
  redirectUri?: string,
): Promise<OAuthStart> {
  return call('begin_oauth', redirectUri ? { clientId, clientSecret, redirectPort, redirectUri } : { clientId, clientSecret, redirectPort });
}

/**
 * Waits for the browser's redirect and the token exchange; resolves with the connected status.
 * Rejects with kind `canceled`, `timeout`, `denied`, `calendly` or `keyring`.
 */
export function finishOAuth(): Promise<StatusView> {
  return call('finish_oauth');
}

/** Makes a pending `finishOAuth` reject with kind `canceled`. */
export function cancelOAuth(): Promise<null> {
  return call('cancel_oauth');
}

export function getSettings(): Promise<SettingsView> {
  return call('get_settings');
}

export function saveSettings(oauthClientId: string | null, redirectPort: number): Promise<SettingsView> {
  return call('save_settings', { oauthClientId, redirectPort });
}

/** Forgets the connection; with `erase`, also deletes the local meeting history. */
/** Disconnects; answers the warnings to show (what Calendly did not let Slotline undo). */
export function disconnect(erase: boolean): Promise<string[]> {
  return call('disconnect', { erase });
}

/** Every IANA zone Rust knows (chrono-tz), for the zone pickers. */
export function listTimezones(): Promise<string[]> {
  return call('list_timezones');
}

export function getPreferences(): Promise<Preferences> {
  return call('get_preferences');
}

/** Saves the whole preferences object; read-only fields are ignored by Rust. */
export function savePreferences(prefs: Preferences): Promise<Preferences> {
  return call('save_preferences', { prefs });
}

/** Stores the ngrok authtoken in the OS keyring (null removes it); it never comes back. */
export function setNgrokAuthtoken(token: string | null): Promise<Preferences> {
  return call('set_ngrok_authtoken', { token });
}

/**
 * Home's read model. The bounds are UTC instants of the user's day and week, computed in the
 * display zone (so a DST day is 23 or 25 hours long).
 */
export function getDashboard(bounds: { dayStart: string; dayEnd: string; weekStart: string; weekEnd: string }): Promise<Dashboard> {
  return call('dashboard', bounds);
}

/** Meetings and contacts matching names, emails, event names and booking answers. */
export function search(query: string): Promise<SearchResults> {
  return call('search', { query });
}

/** Writes an export into the user's Downloads folder and says where. */
export function exportFile(format: ExportFormat, includeCanceled: boolean): Promise<ExportResult> {
  return call('export_file', { format, includeCanceled });
}

/** Local days `from..=to` (`YYYY-MM-DD`, inclusive) in the IANA zone `tz`. */
export type DayRange = { from: string; to: string; tz: string };

/** Per client, event type and week over `range`. */
export function clientsReport(range: DayRange): Promise<ClientsReport> {
  return call('clients_report', { from: range.from, to: range.to, tz: range.tz });
}

/** A client's people and meetings over `range`. */
export function clientDetail(key: string, range: DayRange): Promise<ClientDetail> {
  return call('client_detail', { key, from: range.from, to: range.to, tz: range.tz });
}

/** Every client (the merge and move pickers). */
export function listClients(): Promise<ClientRef[]> {
  return call('list_clients');
}

/** Names a client (local only); a blank name gives back its default. */
export function renameClient(key: string, name: string): Promise<null> {
  return call('rename_client', { key, name });
}

/** Merges client `from` into client `into` (local only). */
export function mergeClients(from: string, into: string): Promise<null> {
  return call('merge_clients', { from, into });
}

/** Moves a person to client `to`; `person:<their email>` makes them a client of their own. */
export function movePerson(email: string, to: string): Promise<null> {
  return call('move_person', { email, to });
}

/** The insights' numbers over `range`. */
export function getInsights(range: DayRange): Promise<Insights> {
  return call('insights', { from: range.from, to: range.to, tz: range.tz });
}

/** Writes the clients report into Downloads and says where. */
export function exportReport(range: DayRange, format: 'json' | 'csv'): Promise<ExportResult> {
  return call('export_report', { from: range.from, to: range.to, tz: range.tz, format });
}

let firstPaintReported = false;

/**
 * Tells Rust, once, that the first screen has painted with its data. Call it from the layout
 * effect of the render that showed it (during the commit, before the browser paints): the first
 * animation frame then runs just before that paint and the second just after it, which is how the
 * hello-world baseline times its own first paint from its script. (From a plain effect, which
 * React runs after the paint, it counted one frame more.) Rust logs the time since start;
 * `make bench` times start-up by it.
 */
export function reportFirstPaint(screen: string): void {
  if (firstPaintReported || !hasBackend()) return;
  firstPaintReported = true;
  performance.mark('slotline:commit');
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      call('report_first_paint', { screen }).catch(() => undefined);
    }),
  );
}

/** Whether Slotline starts in the tray at login. */
export function getAutostart(): Promise<boolean> {
  return call('get_autostart');
}

/** Adds or removes the login item; resolves to the new state. */
export function setAutostart(enabled: boolean): Promise<boolean> {
  return call('set_autostart', { enabled });
}

/** Shows a file in the system file manager. */
export function revealPath(path: string): Promise<null> {
  return call('reveal_path', { path });
}

/** Why the local database could not be opened at start (the recovery screen), or null. */
export function getStoreProblem(): Promise<StoreProblem | null> {
  return call('get_store_problem');
}

/**
 * Opens the local database again; with `moveAside` the unusable file is first moved aside (kept,
 * renamed with a timestamp). Resolves with where the file went.
 */
export function recoverStore(moveAside: boolean): Promise<string | null> {
  return call('recover_store', { moveAside });
}

/** Quits Slotline (from the recovery screen). */
export function quitApp(): Promise<null> {
  return call('quit_app');
}

/** Calls `onChange` with the stale topics each time Rust emits `data-changed`. */
export function onDataChanged(onChange: (stale: StaleTopic[]) => void): Promise<UnlistenFn> {
  return listen<DataChanged>('data-changed', (event) => onChange(event.payload?.stale ?? []));
}

/** Calls `onProgress` each time Rust reports a running reconcile's progress (`sync-progress`). */
export function onSyncProgress(onProgress: (progress: SyncProgress) => void): Promise<UnlistenFn> {
  return listen<SyncProgress>('sync-progress', (event) => {
    if (event.payload) onProgress(event.payload);
  });
}

/** Opens an http(s) link in the system browser; anything else is refused. */
export async function openExternal(url: string): Promise<void> {
  if (!isHttpUrl(url)) {
    throw { kind: 'invalid_input', message: `Slotline only opens web links, not “${url}”.` } satisfies IpcError;
  }
  try {
    await openUrl(url);
  } catch (raw) {
    throw toIpcError(raw);
  }
}
