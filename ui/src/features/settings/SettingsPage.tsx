// Connection facts and disconnecting. Keeping the local history is the default.

import { useState } from 'react';
import { disconnect, toIpcError, type IpcError, type StatusView } from '../../ipc';
import { usePrefs } from '../../lib/prefs';
import { formatDateTime } from '../../lib/time';

export function SettingsPage({ status, onDisconnected }: { status: StatusView; onDisconnected: () => Promise<void> }) {
  const prefs = usePrefs();
  const account = status.account;
  const [erase, setErase] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);

  if (!account) return null;

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await disconnect(erase);
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
            <dd>
              {account.sandbox
                ? 'The built-in offline sandbox (sample data, no Calendly account)'
                : account.authKind === 'oauth'
                  ? 'Calendly sign-in (OAuth)'
                  : 'Personal access token'}
            </dd>
          </div>
          <div>
            <dt>API URL</dt>
            <dd className="selectable mono">{account.apiUrl}</dd>
          </div>
          <div>
            <dt>Time zone</dt>
            <dd>
              {prefs.zone.replace(/_/g, ' ')} <span className="muted">(this computer’s)</span>
              {account.timezone && account.timezone !== prefs.zone && (
                <span className="muted"> · Calendly account: {account.timezone.replace(/_/g, ' ')}</span>
              )}
            </dd>
          </div>
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

      <section className="card" aria-labelledby="disconnect-title">
        <h2 id="disconnect-title">Disconnect</h2>
        <p>
          Disconnecting forgets the {account.sandbox ? 'sandbox connection' : 'token'} and stops syncing. Slotline
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
          <button type="button" className="btn btn-danger" data-testid="disconnect" onClick={() => setConfirming(true)}>
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
