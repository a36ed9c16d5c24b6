// First run: no account yet. Connect a real Calendly account (personal access token for now,
// OAuth later) or explore the built-in offline sandbox.

import { useId, useRef, useState, type FormEvent } from 'react';
import { connectToken, exploreSandbox, openExternal, toIpcError, type IpcError, type StatusView } from '../../ipc';
import { Logo } from '../shell/Logo';

const TOKEN_PAGE = 'https://calendly.com/integrations/api_webhooks';

export function FirstRun({ onConnected }: { onConnected: (status: StatusView) => void }) {
  const [showToken, setShowToken] = useState(false);
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState<'token' | 'sandbox' | null>(null);
  const [tokenError, setTokenError] = useState<IpcError | null>(null);
  const [sandboxError, setSandboxError] = useState<IpcError | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const formId = useId();
  const helpId = useId();

  const reveal = () => {
    setShowToken(true);
    // Focus the field once it exists.
    window.setTimeout(() => inputRef.current?.focus(), 0);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy('token');
    setTokenError(null);
    try {
      onConnected(await connectToken(token.trim()));
    } catch (raw) {
      setTokenError(toIpcError(raw));
      setBusy(null);
      inputRef.current?.focus();
    }
  };

  const explore = async () => {
    setBusy('sandbox');
    setSandboxError(null);
    try {
      onConnected(await exploreSandbox());
    } catch (raw) {
      setSandboxError(toIpcError(raw));
      setBusy(null);
    }
  };

  return (
    <main className="first-run" data-testid="first-run">
      <section className="first-run-card" aria-labelledby="first-run-title">
        <div className="brand">
          <Logo size={64} />
          <h1 id="first-run-title">Slotline</h1>
        </div>
        <p className="pitch">
          Your Calendly meetings in a fast local calendar, with cancellations, reschedules, no-shows and
          every answer your clients gave, even offline.
        </p>

        <div className="first-run-actions">
          <button
            type="button"
            className="btn btn-primary btn-large"
            data-testid="connect-calendly"
            aria-expanded={showToken}
            aria-controls={formId}
            onClick={reveal}
            disabled={busy !== null}
          >
            Connect Calendly
          </button>
          <button
            type="button"
            className="btn btn-secondary btn-large"
            data-testid="explore-sandbox"
            onClick={() => void explore()}
            disabled={busy !== null}
            aria-busy={busy === 'sandbox'}
          >
            {busy === 'sandbox' ? (
              <>
                <span className="spinner" aria-hidden="true" /> Starting the sandbox…
              </>
            ) : (
              'Explore the offline sandbox'
            )}
          </button>
        </div>
        <p className="hint">
          The sandbox is a pretend Calendly account that runs inside Slotline. Nothing leaves this computer.
        </p>
        {busy === 'sandbox' && (
          <p className="hint" role="status">
            Starting the sandbox, connecting and syncing a month of sample meetings…
          </p>
        )}
        {sandboxError && (
          <p className="error" role="alert" data-testid="sandbox-error">
            {sandboxError.message}
          </p>
        )}

        {showToken && (
          <form id={formId} className="token-form" onSubmit={(e) => void submit(e)} aria-label="Connect with a personal access token">
            <p className="notice" id={helpId}>
              Signing in with Calendly (OAuth) is coming in a later version. For now, paste a{' '}
              <strong>personal access token</strong>: in Calendly open Integrations → API &amp; Webhooks and
              generate one.{' '}
              <button type="button" className="link" onClick={() => void openExternal(TOKEN_PAGE).catch(() => undefined)}>
                Open that page
              </button>
            </p>
            <label htmlFor={`${formId}-token`}>Personal access token</label>
            <div className="token-row">
              <input
                id={`${formId}-token`}
                ref={inputRef}
                data-testid="token-input"
                type="password"
                autoComplete="off"
                spellCheck={false}
                value={token}
                onChange={(e) => setToken(e.target.value)}
                aria-describedby={tokenError ? `${helpId} ${formId}-error` : helpId}
                aria-invalid={tokenError ? true : undefined}
                placeholder="eyJraWQiOi…"
                required
              />
              <button
                type="submit"
                className="btn btn-primary"
                data-testid="token-submit"
                disabled={busy !== null || token.trim() === ''}
                aria-busy={busy === 'token'}
              >
                {busy === 'token' ? 'Connecting…' : 'Connect'}
              </button>
            </div>
            {tokenError && (
              <p className="error" role="alert" id={`${formId}-error`} data-testid="token-error">
                {tokenError.message}
              </p>
            )}
            <p className="hint">The token is kept in your system keyring, never in a file.</p>
          </form>
        )}
      </section>
    </main>
  );
}
