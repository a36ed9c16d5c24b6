// The status line's text, as a pure function of the status read model and the clock.

import type { StatusView } from '../ipc/bindings.gen';
import { relativeTime } from './time';

export type StatusLine = {
  /** `Dana Whitfield · dana@example.com (offline sandbox)`, or `Not connected`. */
  account: string;
  /** `Synced 3 minutes ago`, `Syncing…`, `Never synced`. */
  sync: string;
  /** `42 meetings · 17 contacts` */
  counts: string;
  /** The keyring's sentence when it is not `ok`. */
  keyringProblem: string | null;
  /** `Last sync failed: …` */
  error: string | null;
  /** `Reconnect Calendly` when Calendly refused the OAuth grant. */
  reconnect: string | null;
};

export function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

export function statusLine(status: StatusView, now: Date): StatusLine {
  const a = status.account;
  const account = a ? `${a.name} · ${a.email}${a.sandbox ? ' (offline sandbox)' : ''}` : 'Not connected';
  let sync: string;
  if (status.syncing) sync = 'Syncing…';
  else if (status.lastSync) sync = `Synced ${relativeTime(status.lastSync, now)}`;
  else sync = 'Never synced';
  return {
    account,
    sync,
    counts: `${plural(status.events, 'meeting', 'meetings')} · ${plural(status.contacts, 'contact', 'contacts')}`,
    keyringProblem: status.keyring && status.keyring !== 'ok' ? status.keyring : null,
    error: status.lastSyncError ? `Last sync failed: ${status.lastSyncError}` : null,
    reconnect: status.reconnect ? 'Reconnect Calendly' : null,
  };
}

/** The whole line as one string (for tooltips and screen readers). */
export function statusLineText(status: StatusView, now: Date): string {
  const s = statusLine(status, now);
  return [s.account, s.reconnect, s.sync, s.counts, s.keyringProblem, s.error].filter(Boolean).join(' · ');
}
