// The status line's text, as a pure function of the status read model and the clock.

import type { StatusView, WebhookStatus } from '../ipc/bindings.gen';
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
  /** Set while Calendly's renewed sign-in is held in memory only (the keyring refused it). */
  signInUnsaved: string | null;
  /** `2 webhook deliveries kept for a newer version (unknown_event: 2)`: authentic deliveries
   * this version could not apply; kept, and tried again at every start. */
  unapplied: string | null;
  /** `Last sync failed: …` */
  error: string | null;
  /** `Reconnect Calendly` when Calendly refused the OAuth grant. */
  reconnect: string | null;
  /** Real-time delivery, see `webhookLine` (null from a backend that does not report it). */
  webhooks: WebhookLine | null;
};

export type WebhookLine = {
  /** `Live via ngrok (https://…)`, `Polling only: <why>`, `Real-time off`, `Real-time error: …` */
  text: string;
  tone: 'live' | 'polling' | 'off' | 'error';
  /** `Last webhook 14 minutes ago` */
  lastDelivery: string | null;
  /** `3 failed deliveries` */
  failures: string | null;
  /** Whether the status line offers the details panel. */
  details: boolean;
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
    signInUnsaved: status.tokenWarning ?? null,
    unapplied: unappliedLine(status),
    error: status.lastSyncError ? `Last sync failed: ${status.lastSyncError}` : null,
    reconnect: status.reconnect ? 'Reconnect Calendly' : null,
    webhooks: status.webhooks ? webhookLine(status.webhooks, now) : null,
  };
}

function unappliedLine(status: StatusView): string | null {
  const inbox = status.inbox;
  if (!inbox || inbox.unapplied <= 0) return null;
  const why = inbox.unappliedReasons.map((r) => `${r.reason.replace(/_/g, ' ')}: ${r.count}`).join(', ');
  const what = plural(inbox.unapplied, 'webhook delivery', 'webhook deliveries');
  return `${what} kept for a newer version${why ? ` (${why})` : ''}`;
}

/** Why Slotline only polls, from the subscription state when Rust gave no sentence. */
function pollingReason(w: WebhookStatus): string {
  if (w.message) return w.message;
  if (w.subscription?.startsWith('refused:')) return w.subscription.slice('refused:'.length).trim();
  if (w.subscription === 'disabled') return 'Calendly disabled the webhook subscription';
  return 'no webhook subscription';
}

export function webhookLine(w: WebhookStatus, now: Date): WebhookLine {
  let text: string;
  let tone: WebhookLine['tone'];
  switch (w.state) {
    case 'receiving':
      tone = 'live';
      if (w.tunnel === 'ngrok') text = `Live via ngrok${w.publicUrl ? ` (${w.publicUrl})` : ''}`;
      else if (w.tunnel === 'public-url') text = `Live via your public URL${w.publicUrl ? ` (${w.publicUrl})` : ''}`;
      else text = `Live${w.publicUrl ? ` (${w.publicUrl})` : ''}`;
      break;
    case 'polling':
      tone = 'polling';
      text = `Polling only: ${pollingReason(w)}`;
      break;
    case 'error':
      tone = 'error';
      text = `Real-time error${w.message ? `: ${w.message}` : ''}`;
      break;
    default:
      tone = 'off';
      text = 'Real-time off';
  }
  return {
    text,
    tone,
    lastDelivery: w.lastDelivery ? `Last webhook ${relativeTime(w.lastDelivery, now)}` : null,
    failures: w.failed > 0 ? plural(w.failed, 'failed delivery', 'failed deliveries') : null,
    details: w.failed > 0 || w.state === 'error',
  };
}

/** The whole line as one string (for tooltips and screen readers). */
export function statusLineText(status: StatusView, now: Date): string {
  const s = statusLine(status, now);
  return [s.account, s.reconnect, s.sync, s.counts, s.webhooks?.text, s.webhooks?.lastDelivery, s.webhooks?.failures, s.keyringProblem, s.signInUnsaved, s.unapplied, s.error]
    .filter(Boolean)
    .join(' · ');
}
