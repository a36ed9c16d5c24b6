import { describe, expect, it } from 'vitest';
import type { StatusView } from '../ipc/bindings.gen';
import { statusLine, statusLineText } from './status';

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
  keyring: 'ok',
};

describe('statusLine', () => {
  it('describes a healthy sandbox connection', () => {
    expect(statusLine(connected, now)).toEqual({
      account: 'Dana Whitfield · dana@whitfield-consulting.com (offline sandbox)',
      sync: 'Synced 3 minutes ago',
      counts: '36 meetings · 14 contacts',
      keyringProblem: null,
      error: null,
      reconnect: null,
    });
    expect(statusLineText(connected, now)).toBe(
      'Dana Whitfield · dana@whitfield-consulting.com (offline sandbox) · Synced 3 minutes ago · 36 meetings · 14 contacts',
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

  it('asks to reconnect when Calendly refused the grant', () => {
    const s = { ...connected, reconnect: 'Calendly revoked Slotline’s access (invalid_grant). Reconnect to keep syncing.' };
    expect(statusLine(s, now).reconnect).toBe('Reconnect Calendly');
    expect(statusLineText(s, now)).toBe(
      'Dana Whitfield · dana@whitfield-consulting.com (offline sandbox) · Reconnect Calendly · Synced 3 minutes ago · 36 meetings · 14 contacts',
    );
  });

  it('says when nobody is connected', () => {
    expect(statusLine({ ...connected, account: null, events: 0, contacts: 0 }, now).account).toBe('Not connected');
  });
});
