import { describe, expect, it } from 'vitest';
import type { StatusView, WebhookStatus } from '../ipc/bindings.gen';
import { statusLine, statusLineText, webhookLine } from './status';

const now = new Date('2026-03-11T08:00:00Z');

const connected: StatusView = {
  account: {
    name: 'Dana Whitfield',
    email: 'dana@whitfield-consulting.com',
    timezone: 'Europe/Berlin',
    avatarUrl: null,
    authKind: 'pat',
    sandbox: true,
    apiUrl: 'http://127.0.0.1:47615',
  },
  lastSync: '2026-03-11T07:57:00Z',
  lastSyncError: null,
  events: 36,
  contacts: 14,
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
  keyring: 'ok',
  inbox: { pending: 0, failed: 0, unapplied: 0, unappliedReasons: [] },
};

const live: WebhookStatus = {
  ...connected.webhooks,
  state: 'receiving',
  tunnel: 'ngrok',
  publicUrl: 'https://dana.ngrok.app',
  subscription: 'active',
  lastDelivery: '2026-03-11T07:46:00Z',
};

describe('statusLine', () => {
  it('describes a healthy sandbox connection', () => {
    expect(statusLine(connected, now)).toEqual({
      account: 'Dana Whitfield · dana@whitfield-consulting.com (offline sandbox)',
      sync: 'Synced 3 minutes ago',
      counts: '36 meetings · 14 contacts',
      keyringProblem: null,
      signInUnsaved: null,
      unapplied: null,
      error: null,
      reconnect: null,
      webhooks: { text: 'Real-time off', tone: 'off', lastDelivery: null, failures: null, details: false },
    });
    expect(statusLineText(connected, now)).toBe(
      'Dana Whitfield · dana@whitfield-consulting.com (offline sandbox) · Synced 3 minutes ago · 36 meetings · 14 contacts · Real-time off',
    );
  });

  it('leaves out the sandbox note for a real account and uses singulars', () => {
    const s = statusLine({ ...connected, account: { ...connected.account!, sandbox: false }, events: 1, contacts: 1 }, now);
    expect(s.account).toBe('Dana Whitfield · dana@whitfield-consulting.com');
    expect(s.counts).toBe('1 meeting · 1 contact');
  });

  it('reports keyring trouble, sync errors, syncing and never-synced', () => {
    const s = statusLine(
      {
        ...connected,
        keyring: 'The keyring is locked. Unlock it and restart Slotline.',
        lastSyncError: 'Calendly answered 429 Too Many Requests; retrying in 60 s.',
        syncing: true,
      },
      now,
    );
    expect(s.keyringProblem).toBe('The keyring is locked. Unlock it and restart Slotline.');
    expect(s.error).toBe('Last sync failed: Calendly answered 429 Too Many Requests; retrying in 60 s.');
    expect(s.sync).toBe('Syncing…');
    expect(statusLine({ ...connected, lastSync: null }, now).sync).toBe('Never synced');
  });

  it('says when the renewed sign-in is held in memory only, and not otherwise', () => {
    const why = "Calendly's renewed sign-in could not be saved to the keyring (locked).";
    const s = statusLine({ ...connected, tokenWarning: why }, now);
    expect(s.signInUnsaved).toBe(why);
    expect(s.reconnect).toBeNull();
    expect(statusLineText({ ...connected, tokenWarning: why }, now)).toContain(why);
    expect(statusLine({ ...connected, tokenWarning: null }, now).signInUnsaved).toBeNull();
  });

  it('counts authentic deliveries kept unapplied, with their reasons', () => {
    const inbox = {
      pending: 0,
      failed: 0,
      unapplied: 3,
      unappliedReasons: [
        { reason: 'unknown_event', count: 2 },
        { reason: 'not_json', count: 1 },
      ],
    };
    const s = statusLine({ ...connected, inbox }, now);
    expect(s.unapplied).toBe('3 webhook deliveries kept for a newer version (unknown event: 2, not json: 1)');
    expect(statusLine({ ...connected, inbox: { ...inbox, unapplied: 1, unappliedReasons: [] } }, now).unapplied).toBe(
      '1 webhook delivery kept for a newer version',
    );
    expect(statusLine(connected, now).unapplied).toBeNull();
  });

  it('asks to reconnect when Calendly refused the grant', () => {
    const s = { ...connected, reconnect: 'Calendly revoked Slotline’s access (invalid_grant). Reconnect to keep syncing.' };
    expect(statusLine(s, now).reconnect).toBe('Reconnect Calendly');
    expect(statusLineText(s, now)).toBe(
      'Dana Whitfield · dana@whitfield-consulting.com (offline sandbox) · Reconnect Calendly · Synced 3 minutes ago · 36 meetings · 14 contacts · Real-time off',
    );
  });

  it('says when nobody is connected', () => {
    expect(statusLine({ ...connected, account: null, events: 0, contacts: 0 }, now).account).toBe('Not connected');
  });
});

describe('webhookLine', () => {
  it('says where webhooks arrive and when the last one came', () => {
    expect(webhookLine(live, now)).toEqual({
      text: 'Live via ngrok (https://dana.ngrok.app)',
      tone: 'live',
      lastDelivery: 'Last webhook 14 minutes ago',
      failures: null,
      details: false,
    });
    expect(webhookLine({ ...live, tunnel: 'public-url', publicUrl: 'https://hooks.dana.dev' }, now).text).toBe(
      'Live via your public URL (https://hooks.dana.dev)',
    );
  });

  it('explains polling from the message or the refused subscription', () => {
    expect(webhookLine({ ...live, state: 'polling', message: 'ngrok is not installed', lastDelivery: null }, now).text).toBe(
      'Polling only: ngrok is not installed',
    );
    const refused: WebhookStatus = { ...live, state: 'polling', subscription: 'refused: Calendly webhooks need a paid plan (403)' };
    expect(webhookLine(refused, now).text).toBe('Polling only: Calendly webhooks need a paid plan (403)');
    expect(webhookLine({ ...live, state: 'polling', subscription: 'disabled' }, now).text).toBe(
      'Polling only: Calendly disabled the webhook subscription',
    );
  });

  it('counts failed deliveries and offers details for failures and errors', () => {
    const failing = webhookLine({ ...live, failed: 3, pending: 2 }, now);
    expect(failing.failures).toBe('3 failed deliveries');
    expect(failing.details).toBe(true);
    expect(webhookLine({ ...live, failed: 1 }, now).failures).toBe('1 failed delivery');
    const broken = webhookLine({ ...live, state: 'error', message: 'The tunnel closed.' }, now);
    expect(broken).toMatchObject({ text: 'Real-time error: The tunnel closed.', tone: 'error', details: true, failures: null });
  });

  it('leaves the webhook part out for a backend that does not report it', () => {
    const { webhooks: _, ...older } = connected;
    expect(statusLine(older as StatusView, now).webhooks).toBeNull();
    expect(statusLineText(older as StatusView, now)).not.toMatch(/Real-time/);
  });

  it('joins the webhook parts into the whole line', () => {
    expect(statusLineText({ ...connected, webhooks: { ...live, failed: 2 } }, now)).toBe(
      'Dana Whitfield · dana@whitfield-consulting.com (offline sandbox) · Synced 3 minutes ago · 36 meetings · 14 contacts · Live via ngrok (https://dana.ngrok.app) · Last webhook 14 minutes ago · 2 failed deliveries',
    );
  });
});
