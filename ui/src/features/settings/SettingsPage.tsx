// Connection facts, the OAuth app (client ID, redirect port) and disconnecting. Keeping the local
// history is the default.

import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import {
  disconnect,
  getSettings,
  saveSettings,
  toIpcError,
  type IpcError,
  type SettingsView,
  type StatusView,
} from '../../ipc';
import { leaveDisconnectWarnings } from '../../lib/disconnectNotice';
import { authKindLabel, parsePort, unixToIso } from '../../lib/connect';
import { useNow } from '../../lib/hooks';
import { usePreferences, usePrefs } from '../../lib/prefs';
import { formatDateTime, relativeTime, zoneLabel } from '../../lib/time';
import { AutostartSection } from '../autostart/AutostartSection';
import { ExportCard } from '../export/ExportCard';
import { DisplaySection, FeedSection, RealtimeSection, SyncSection } from './PreferenceSections';

export function SettingsPage({ status, onDisconnected }: { status: StatusView; onDisconnected: () => Promise<void> }) {
  const prefs = usePrefs();
  const { prefs: stored } = usePreferences();
  const now = useNow();
  const account = status.account;
  const [erase, setErase] = useState(false);
  const [confirming, setConfirming] = useState(false);
  // Cancel gives focus back to the Disconnect… button the question replaced.
  const disconnectRef = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);
  useEffect(() => {
    if (wasConfirming.current && !confirming) disconnectRef.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);

  if (!account) return null;

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      // What Calendly did not let Slotline undo is shown on the first-run screen that follows.
      leaveDisconnectWarnings(await disconnect(erase));
      await onDisconnected();
    } catch (raw) {
      setError(toIpcError(raw));
      setBusy(false);
    }
  };

  return (
    <div className="page settings-page">
      <h1 className="page-title">Settings</h1>

      <section className="card" aria-labelledby="conn-title">
        <h2 id="conn-title">Connection</h2>
        <dl className="facts" data-testid="connection-facts">
          <div>
            <dt>Name</dt>
            <dd>{account.name}</dd>
          </div>
          <div>
            <dt>Email</dt>
            <dd className="selectable">{account.email}</dd>
          </div>
          <div>
            <dt>Connected with</dt>
            <dd data-testid="connection-kind">{authKindLabel(account.authKind, account.sandbox)}</dd>
          </div>
          <div>
            <dt>API URL</dt>
            <dd className="selectable mono">{account.apiUrl}</dd>
          </div>
          <div>
            <dt>Time zone</dt>
            <dd>
              {zoneLabel(prefs.zone)} <span className="muted">({stored.timezone ? 'picked below' : 'this computer’s'})</span>
              {account.timezone && account.timezone !== prefs.zone && (
                <span className="muted"> · Calendly account: {account.timezone.replace(/_/g, ' ')}</span>
              )}
            </dd>
          </div>
          {(status.lastRefresh !== null || account.authKind === 'oauth') && (
            <div>
              <dt>Last token refresh</dt>
              <dd
                data-testid="last-refresh"
                title={status.lastRefresh !== null ? formatDateTime(unixToIso(status.lastRefresh), prefs) : undefined}
              >
                {status.lastRefresh !== null ? relativeTime(unixToIso(status.lastRefresh), now) : 'Not yet'}
              </dd>
            </div>
          )}
          {status.reconnect && (
            <div>
              <dt>Needs attention</dt>
              <dd className="warn">{status.reconnect}</dd>
            </div>
          )}
          <div>
            <dt>Last sync</dt>
            <dd>{status.lastSync ? formatDateTime(status.lastSync, prefs) : 'Never'}</dd>
          </div>
          <div>
            <dt>Keyring</dt>
            <dd className={status.keyring === 'ok' ? undefined : 'warn'}>
              {status.keyring === 'ok' ? 'Working' : status.keyring}
            </dd>
          </div>
        </dl>
      </section>

      <DisplaySection />
      <RealtimeSection />
      <SyncSection />
      <FeedSection />
      <AutostartSection />
      <ExportCard />
      <OAuthAppSettings />

      <section className="card" aria-labelledby="disconnect-title">
        <h2 id="disconnect-title">Disconnect</h2>
        <p>
          Disconnecting forgets the {account.sandbox ? 'sandbox connection' : account.authKind === 'oauth' ? 'Calendly authorization' : 'token'} and stops syncing. Slotline
          <strong> keeps your local meeting history</strong> by default, so you can still browse it and pick up where you
          left off when you connect again.
        </p>
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="erase-history"
            checked={erase}
            onChange={(e) => setErase(e.target.checked)}
            disabled={busy}
          />
          <span>Also erase the local history (meetings, contacts, activity) from this computer</span>
        </label>
        {!confirming ? (
          <button
            type="button"
            className="btn btn-danger"
            data-testid="disconnect"
            ref={disconnectRef}
            onClick={() => setConfirming(true)}
          >
            Disconnect…
          </button>
        ) : (
          <div className="confirm" role="group" aria-label="Confirm disconnect">
            <span>
              {erase ? 'Disconnect and erase all local history?' : `Disconnect ${account.name}? Your history stays.`}
            </span>
            <button
              type="button"
              className="btn btn-danger"
              data-testid="disconnect-confirm"
              onClick={() => void run()}
              disabled={busy}
              aria-busy={busy}
              autoFocus
            >
              {busy ? 'Disconnecting…' : erase ? 'Disconnect and erase' : 'Disconnect'}
            </button>
            <button type="button" className="btn" onClick={() => setConfirming(false)} disabled={busy}>
              Cancel
            </button>
          </div>
        )}
        {error && (
          <p className="error" role="alert">
            {error.message}
          </p>
        )}
      </section>
    </div>
  );
}

/**
 * The HTTPS redirect a Production Calendly app registers: `/oauth/callback` on the public address
 * the webhook receiver is reached at (the ngrok domain, or the user's own public URL).
 */
export function productionRedirectUri(mode: string, ngrokDomain: string | null, publicUrl: string | null): string | null {
  const base =
    mode === 'public-url' && publicUrl
      ? publicUrl
      : ngrokDomain
        ? `https://${ngrokDomain.replace(/^https?:\/\//, '').replace(/\/+$/, '')}`
        : null;
  return base ? `${base.replace(/\/+$/, '')}/oauth/callback` : null;
}

/** The user's Calendly OAuth app: client ID and loopback redirect port, saved through Rust. */
function OAuthAppSettings() {
  const { prefs } = usePreferences();
  const productionRedirect = productionRedirectUri(prefs.webhookMode, prefs.ngrokDomain, prefs.publicUrl);
  const [view, setView] = useState<SettingsView | null>(null);
  const [loadError, setLoadError] = useState<IpcError | null>(null);
  const [clientId, setClientId] = useState('');
  const [portText, setPortText] = useState('');
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [saveError, setSaveError] = useState<IpcError | null>(null);
  const [touched, setTouched] = useState(false);
  const fid = useId();

  useEffect(() => {
    let live = true;
    getSettings().then(
      (s) => {
        if (!live) return;
        setView(s);
        setClientId(s.oauthClientId ?? '');
        setPortText(String(s.redirectPort));
      },
      (raw: unknown) => live && setLoadError(toIpcError(raw)),
    );
    return () => {
      live = false;
    };
  }, []);

  const port = parsePort(portText);
  const portError = touched ? port.error : null;
  const dirty = !!view && (clientId.trim() !== (view.oauthClientId ?? '') || portText.trim() !== String(view.redirectPort));

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    setSaved(false);
    setSaveError(null);
    if (port.port === null) {
      document.getElementById(`${fid}-port`)?.focus();
      return;
    }
    setSaving(true);
    try {
      const s = await saveSettings(clientId.trim() === '' ? null : clientId.trim(), port.port);
      setView(s);
      setClientId(s.oauthClientId ?? '');
      setPortText(String(s.redirectPort));
      setTouched(false);
      setSaved(true);
    } catch (raw) {
      setSaveError(toIpcError(raw));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${fid}-title`} data-testid="oauth-settings">
      <h2 id={`${fid}-title`}>OAuth app</h2>
      <p className="muted">
        Slotline signs in to Calendly through your own OAuth app. Its client ID and the loopback port that receives
        Calendly’s redirect are kept here.
      </p>
      {loadError && (
        <p className="error" role="alert">
          {loadError.message}
        </p>
      )}
      {view && (
        <form className="settings-form" onSubmit={(e) => void save(e)} noValidate>
          <div className="field">
            <label htmlFor={`${fid}-client`}>Client ID</label>
            <input
              id={`${fid}-client`}
              type="text"
              data-testid="settings-client-id"
              autoComplete="off"
              spellCheck={false}
              value={clientId}
              onChange={(e) => {
                setClientId(e.target.value);
                setSaved(false);
              }}
              placeholder="Not set"
            />
          </div>
          <div className="field">
            <label htmlFor={`${fid}-port`}>Redirect port</label>
            <input
              id={`${fid}-port`}
              type="number"
              inputMode="numeric"
              min={1024}
              max={65535}
              step={1}
              data-testid="settings-redirect-port"
              value={portText}
              onChange={(e) => {
                setPortText(e.target.value);
                setTouched(true);
                setSaved(false);
              }}
              aria-invalid={portError ? true : undefined}
              aria-describedby={portError ? `${fid}-port-error` : undefined}
            />
            {portError && (
              <p className="field-error" id={`${fid}-port-error`} data-testid="settings-port-error" role="alert">
                {portError}
              </p>
            )}
          </div>
          <div className="field">
            <span className="field-label">Client secret</span>
            <span data-testid="settings-secret">
              {view.hasClientSecret ? 'Stored in your system keyring' : 'None (a native app needs none)'}
            </span>
          </div>
          <div className="notice" data-testid="redirect-uri-help">
            <p>Register the redirect URI that matches the kind of app in Calendly’s developer portal:</p>
            <ul>
              <li data-testid="redirect-uri-sandbox">
                Sandbox app:{' '}
                <code className="mono selectable" data-testid="loopback-redirect-uri">
                  {view.loopbackRedirectUri}
                </code>{' '}
                (http + localhost is only allowed for Sandbox apps).
              </li>
              <li data-testid="redirect-uri-production">
                Production app:{' '}
                <code className="mono selectable" data-testid="production-redirect-uri">
                  {productionRedirect ?? 'https://<your ngrok domain>/oauth/callback'}
                </code>
                , served through your tunnel while Slotline runs
                {productionRedirect ? '' : ' (set your ngrok domain or public URL under Real time)'}.
              </li>
            </ul>
            {port.port !== null && port.port !== view.redirectPort && (
              <p className="muted"> Save to use the new port; the Sandbox redirect URI above changes with it.</p>
            )}
          </div>
          <div className="settings-actions">
            <button
              type="submit"
              className="btn btn-primary"
              data-testid="settings-save"
              disabled={saving || !dirty}
              aria-busy={saving}
            >
              {saving ? 'Saving…' : 'Save'}
            </button>
            <span className="muted" aria-live="polite" data-testid="settings-saved">
              {saved ? 'Saved.' : ''}
            </span>
          </div>
          {saveError && (
            <p className="error" role="alert" data-testid="settings-error">
              {saveError.message}
            </p>
          )}
        </form>
      )}
    </section>
  );
}
