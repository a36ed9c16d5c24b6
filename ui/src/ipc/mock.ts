// The in-page stand-in for Slotline's Rust backend, used by browser tests (and by `npm run dev`
// in a plain browser when `window.__SLOTLINE_MOCK__ = {}` is set). It answers the same commands
// with the same argument names, rejects like Rust does (`{ kind, message }`), and checks its
// arguments strictly so a UI that sends the wrong shape fails its tests.

import { mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import type { IpcError, StatusView, SyncReport } from './bindings.gen';
import {
  SANDBOX_ACCOUNT,
  buildMockDb,
  contactDetail,
  contactSummaries,
  eventsInRange,
  type MockDb,
} from './mockData';

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
};

export type MockCall = { cmd: string; args: Record<string, unknown> | undefined };

export type MockControl = {
  config: MockConfig;
  db: MockDb | null;
  status: StatusView;
  calls: MockCall[];
  /** URLs passed to the opener plugin. */
  opened: string[];
  /** Emits `data-changed` as Rust would. */
  dataChanged(stale: string[]): Promise<void>;
  /** Rebuilds `db` and `status` after a test changed `db.events`. */
  recount(): void;
};

declare global {
  interface Window {
    __SLOTLINE_MOCK_CONTROL__?: MockControl;
  }
}

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function fail(kind: string, message: string): never {
  throw { kind, message } satisfies IpcError;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function argString(args: Record<string, unknown> | undefined, name: string): string {
  const v = args?.[name];
  if (typeof v !== 'string') fail('invalid_input', `Missing string argument \`${name}\`.`);
  return v;
}

function argBool(args: Record<string, unknown> | undefined, name: string): boolean {
  const v = args?.[name];
  if (typeof v !== 'boolean') fail('invalid_input', `Missing boolean argument \`${name}\`.`);
  return v;
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
    keyring,
  });

  const control: MockControl = {
    config,
    db: null,
    status: emptyStatus(),
    calls: [],
    opened: [],
    dataChanged: (stale) => emit('data-changed', { stale }),
    recount() {
      const db = control.db;
      control.status.events = db ? db.events.length : 0;
      control.status.contacts = db ? contactSummaries(db, null).length : 0;
    },
  };

  const connect = (account = SANDBOX_ACCOUNT) => {
    const now = clock();
    control.db = control.db ?? buildMockDb(now);
    control.status.account = { ...account };
    control.status.lastSync = new Date(now.getTime() - 3 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    control.status.lastSyncError = config.lastSyncError ?? null;
    control.recount();
  };
  if ((config.scenario ?? 'connected') === 'connected') connect();

  const requireDb = (): MockDb => {
    if (!control.status.account || !control.db) {
      fail('not_connected', 'Slotline is not connected to Calendly. Connect an account or explore the sandbox.');
    }
    return control.db;
  };

  const handle = async (cmd: string, args: Record<string, unknown> | undefined): Promise<unknown> => {
    switch (cmd) {
      case 'get_status':
        return structuredClone(control.status);
      case 'list_events': {
        const from = argString(args, 'from');
        const to = argString(args, 'to');
        const includeCanceled = argBool(args, 'includeCanceled');
        if (!RFC3339_UTC.test(from) || !RFC3339_UTC.test(to)) {
          fail('invalid_input', `from/to must be UTC RFC 3339 (got ${from} and ${to}).`);
        }
        return eventsInRange(requireDb(), from, to, includeCanceled);
      }
      case 'get_event': {
        const uri = argString(args, 'uri');
        const found = requireDb().events.find((e) => e.uri === uri);
        if (!found) fail('invalid_input', 'This meeting is not stored locally. Sync and try again.');
        return structuredClone(found);
      }
      case 'list_contacts': {
        const query = args?.query;
        if (query !== null && typeof query !== 'string') fail('invalid_input', '`query` must be a string or null.');
        return contactSummaries(requireDb(), query);
      }
      case 'get_contact': {
        const found = contactDetail(requireDb(), argString(args, 'email'));
        if (!found) fail('invalid_input', 'No contact with this email is stored.');
        return found;
      }
      case 'explore_sandbox': {
        await sleep(config.sandboxDelayMs ?? 600);
        connect();
        void control.dataChanged(['events', 'contacts', 'status']);
        return structuredClone(control.status);
      }
      case 'connect_token': {
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
      }
      case 'sync_now': {
        requireDb();
        const report: SyncReport = { pages: 2, eventsSeen: control.status.events, inviteeRequests: 4, eventsChanged: 1, activitiesAdded: 2 };
        control.status.lastSync = clock().toISOString().replace(/\.\d{3}Z$/, 'Z');
        control.status.lastSyncError = null;
        void control.dataChanged(['status']);
        return report;
      }
      case 'disconnect': {
        const erase = argBool(args, 'erase');
        control.status.account = null;
        control.status.lastSync = erase ? null : control.status.lastSync;
        if (erase) control.db = null;
        control.recount();
        return null;
      }
      case 'plugin:opener|open_url': {
        control.opened.push(argString(args, 'url'));
        return null;
      }
      default:
        fail('internal', `The mock backend has no command \`${cmd}\`.`);
    }
  };

  mockIPC(
    async (cmd, payload) => {
      const args = payload as Record<string, unknown> | undefined;
      control.calls.push({ cmd, args: args ? structuredClone(args) : undefined });
      if (config.latencyMs) await sleep(config.latencyMs);
      return handle(cmd, args);
    },
    { shouldMockEvents: true },
  );
  window.__SLOTLINE_MOCK_CONTROL__ = control;
  return control;
}
