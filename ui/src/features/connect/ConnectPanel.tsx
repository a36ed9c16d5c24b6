// Connecting a Calendly account (first run and the Reconnect banner): OAuth through the user's own
// Calendly app in the system browser, with a personal access token as the secondary way in.
//
// The OAuth flow: `begin_oauth` (Rust binds the loopback listener and opens the system browser),
// then a waiting state while `finish_oauth` waits for the redirect; Cancel calls `cancel_oauth`,
// which makes `finish_oauth` reject with `canceled`. Success shows the account briefly.

import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import {
  beginOAuth,
  cancelOAuth,
  finishOAuth,
  getSettings,
  openExternal,
  toIpcError,
  type IpcError,
  type OAuthStart,
  type SettingsView,
  type StatusView,
} from '../../ipc';
import { usePreferences } from '../../lib/prefs';
import { productionRedirectUri } from '../settings/SettingsPage';
import { oauthNextStep } from '../../lib/connect';
import { AccountCard } from './AccountCard';
import { TokenForm } from './TokenForm';

const DEVELOPER_PORTAL = 'https://developer.calendly.com/';
/** How long the connected account stays on screen before the calendar. */
export const CONNECTED_PAUSE_MS = 1800;

type Phase =
  | { kind: 'form' }
  | { kind: 'starting' }
  | { kind: 'waiting'; start: OAuthStart; canceling: boolean }
  | { kind: 'connected'; status: StatusView };

export function ConnectPanel({
  id,
  onConnected,
  onBusyChange,
}: {
  id?: string;
  onConnected: (status: StatusView) => void;
  /** True while a flow is running, so the caller can hold back other actions. */
  onBusyChange?: (busy: boolean) => void;
}) {
  const [oauthPhase, setOauthPhase] = useState<Phase['kind']>('form');
  const [tokenBusy, setTokenBusy] = useState(false);
  const oauthBusy = oauthPhase !== 'form';
  const [showToken, setShowToken] = useState(false);
  const busy = oauthBusy || tokenBusy;
  useEffect(() => onBusyChange?.(busy), [busy, onBusyChange]);

  return (
    <div className="connect-panel" id={id} data-testid="connect-panel">
      <OAuthConnect onConnected={onConnected} onPhaseChange={setOauthPhase} disabled={tokenBusy} />
      {oauthPhase === 'connected' ? null : !showToken ? (
        <button
          type="button"
          className="link connect-alt"
          data-testid="use-token"
          onClick={() => setShowToken(true)}
          disabled={busy}
        >
          Use a personal access token instead
        </button>
      ) : (
        <TokenForm onConnected={onConnected} disabled={oauthBusy} onBusyChange={setTokenBusy} />
      )}
    </div>
  );
}

function OAuthConnect({
  onConnected,
  onPhaseChange,
  disabled,
}: {
  onConnected: (status: StatusView) => void;
  onPhaseChange: (phase: Phase['kind']) => void;
  disabled: boolean;
}) {
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [settingsError, setSettingsError] = useState<IpcError | null>(null);
  const [clientId, setClientId] = useState('');
  const [secret, setSecret] = useState('');
  const { prefs } = usePreferences();
  const productionRedirect = productionRedirectUri(prefs.webhookMode, prefs.ngrokDomain, prefs.publicUrl);
  const [production, setProduction] = useState(false);
  const [phase, setPhase] = useState<Phase>({ kind: 'form' });
  const [error, setError] = useState<IpcError | null>(null);
  const [copied, setCopied] = useState<'copied' | 'manual' | null>(null);
  const mounted = useRef(true);
  const waiting = useRef(false);
  const clientIdRef = useRef<HTMLInputElement>(null);
  const startRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const urlRef = useRef<HTMLTextAreaElement>(null);
  const fid = useId();
  // The hand-over happens once, from the timer or the button, whichever comes first.
  const connectedRef = useRef(onConnected);
  connectedRef.current = onConnected;
  const handedOver = useRef(false);
  const handOver = useCallback((status: StatusView) => {
    if (handedOver.current) return;
    handedOver.current = true;
    connectedRef.current(status);
  }, []);

  useEffect(() => onPhaseChange(phase.kind), [phase.kind, onPhaseChange]);

  useEffect(() => {
    mounted.current = true;
    // The form appears once the saved client ID is in it (or reading it failed), so nobody types
    // into a field that is then overwritten, and nothing reads it half-filled.
    getSettings().then(
      (s) => {
        if (!mounted.current) return;
        if (s.oauthClientId) setClientId(s.oauthClientId);
        setSettings(s);
      },
      (raw: unknown) => mounted.current && setSettingsError(toIpcError(raw)),
    );
    return () => {
      mounted.current = false;
      // Leaving mid-flow (the banner closes, say) must not leave Rust's listener waiting.
      if (waiting.current) void cancelOAuth().catch(() => undefined);
    };
  }, []);

  // Hand over to the calendar after a moment with the account on screen.
  useEffect(() => {
    if (phase.kind !== 'connected') return;
    const t = window.setTimeout(() => handOver(phase.status), CONNECTED_PAUSE_MS);
    return () => window.clearTimeout(t);
  }, [phase, handOver]);

  const ready = settings !== null || settingsError !== null;
  useEffect(() => {
    if (ready) clientIdRef.current?.focus();
  }, [ready]);

  useEffect(() => {
    if (phase.kind === 'waiting' && !phase.canceling) cancelRef.current?.focus();
  }, [phase]);

  const backToForm = useCallback((err: IpcError | null) => {
    setPhase({ kind: 'form' });
    setError(err);
    window.setTimeout(() => {
      if (err?.kind === 'invalid_input') clientIdRef.current?.focus();
      else startRef.current?.focus();
    }, 0);
  }, []);

  const start = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setCopied(null);
    setPhase({ kind: 'starting' });
    let started: OAuthStart;
    try {
      started = await beginOAuth(
        clientId.trim(),
        secret.trim() || null,
        null,
        production && productionRedirect ? productionRedirect : undefined,
      );
    } catch (raw) {
      if (mounted.current) backToForm(toIpcError(raw));
      return;
    }
    // Rust keeps the secret (keyring); this window does not need it any more.
    setSecret('');
    if (!mounted.current) {
      void cancelOAuth().catch(() => undefined);
      return;
    }
    waiting.current = true;
    setPhase({ kind: 'waiting', start: started, canceling: false });
    try {
      const status = await finishOAuth();
      waiting.current = false;
      if (mounted.current) setPhase({ kind: 'connected', status });
    } catch (raw) {
      waiting.current = false;
      const err = toIpcError(raw);
      if (mounted.current) backToForm(err.kind === 'canceled' ? null : err);
    }
  };

  const cancel = async () => {
    setPhase((p) => (p.kind === 'waiting' ? { ...p, canceling: true } : p));
    try {
      await cancelOAuth();
    } catch (raw) {
      if (!mounted.current) return;
      setError(toIpcError(raw));
      setPhase((p) => (p.kind === 'waiting' ? { ...p, canceling: false } : p));
    }
  };

  const copyLink = async (url: string) => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied('copied');
    } catch {
      // No clipboard access (or none granted): select the link so Ctrl+C copies it.
      urlRef.current?.focus();
      urlRef.current?.select();
      setCopied('manual');
    }
  };

  if (phase.kind === 'connected') {
    const account = phase.status.account;
    return (
      <div className="oauth-connected" role="status">
        <p className="oauth-connected-title">
          <span className="check" aria-hidden="true">
            ✓
          </span>{' '}
          Connected to Calendly
        </p>
        {account && <AccountCard account={account} />}
        <div className="oauth-connected-next">
          <span className="muted">Opening your calendar…</span>
          <button
            type="button"
            className="btn btn-primary"
            data-testid="connected-continue"
            onClick={() => handOver(phase.status)}
          >
            Open calendar
          </button>
        </div>
      </div>
    );
  }

  if (phase.kind === 'waiting') {
    const url = phase.start.authorizeUrl;
    return (
      <div className="oauth-waiting" data-testid="oauth-waiting">
        <p className="oauth-waiting-title" role="status">
          <span className="spinner" aria-hidden="true" /> Approve Slotline in your browser…
        </p>
        <p className="hint">
          Slotline opened Calendly’s sign-in page in your web browser. Sign in there and approve access; this window
          continues by itself when Calendly sends you back to{' '}
          <span className="mono selectable" data-testid="oauth-redirect-uri">
            {phase.start.redirectUri}
          </span>
          .
        </p>
        <div className="oauth-waiting-actions">
          <button
            type="button"
            ref={cancelRef}
            className="btn"
            data-testid="oauth-cancel"
            onClick={() => void cancel()}
            disabled={phase.canceling}
            aria-busy={phase.canceling}
          >
            {phase.canceling ? 'Canceling…' : 'Cancel'}
          </button>
        </div>
        <div className="oauth-link">
          <label htmlFor={`${fid}-url`}>No browser opened? Open this link in your browser yourself:</label>
          <div className="oauth-link-row">
            <textarea
              id={`${fid}-url`}
              ref={urlRef}
              className="mono selectable"
              data-testid="oauth-authorize-url"
              readOnly
              rows={3}
              value={url}
              onFocus={(e) => e.currentTarget.select()}
            />
            <button type="button" className="btn btn-small" data-testid="oauth-copy-link" onClick={() => void copyLink(url)}>
              Copy link
            </button>
          </div>
          <p className="hint" aria-live="polite" data-testid="oauth-copy-result">
            {copied === 'copied' ? 'Link copied. Paste it into your browser’s address bar.' : null}
            {copied === 'manual' ? 'Copying is not available here: the link is selected, press Ctrl+C to copy it.' : null}
          </p>
        </div>
        {error && (
          <p className="error" role="alert" data-testid="oauth-error">
            {error.message}
          </p>
        )}
      </div>
    );
  }

  if (!ready) {
    return (
      <p className="hint" aria-live="polite" data-testid="oauth-loading">
        <span className="spinner" aria-hidden="true" /> Reading your saved OAuth app…
      </p>
    );
  }

  const nextStep = error ? oauthNextStep(error) : null;
  const idInvalid = error?.kind === 'invalid_input';
  const starting = phase.kind === 'starting';
  return (
    <form className="oauth-form" data-testid="oauth-form" onSubmit={(e) => void start(e)} aria-label="Connect with Calendly (OAuth)">
      <p className="notice" id={`${fid}-help`}>
        Slotline signs in through <strong>your own Calendly OAuth app</strong>. Create one in Calendly’s{' '}
        <button type="button" className="link" onClick={() => void openExternal(DEVELOPER_PORTAL).catch(() => undefined)}>
          developer portal
        </button>{' '}
        and register the redirect URI{' '}
        {settings ? (
          <span className="mono selectable" data-testid="oauth-help-redirect">
            {settings.loopbackRedirectUri}
          </span>
        ) : (
          'shown in Settings'
        )}
        , then paste its client ID here.
      </p>
      {settingsError && (
        <p className="hint warn" role="note">
          Saved settings could not be read: {settingsError.message}
        </p>
      )}
      <label htmlFor={`${fid}-client`}>OAuth client ID</label>
      <input
        id={`${fid}-client`}
        ref={clientIdRef}
        type="text"
        data-testid="oauth-client-id"
        autoComplete="off"
        spellCheck={false}
        value={clientId}
        onChange={(e) => setClientId(e.target.value)}
        aria-describedby={error ? `${fid}-help ${fid}-error` : `${fid}-help`}
        aria-invalid={idInvalid ? true : undefined}
        disabled={starting || disabled}
        placeholder="e.g. Vx3kT9…"
      />
      <details className="oauth-secret">
        <summary data-testid="oauth-secret-toggle">Client secret (web apps only)</summary>
        <label htmlFor={`${fid}-secret`} className="visually-hidden">
          Client secret
        </label>
        <input
          id={`${fid}-secret`}
          type="password"
          data-testid="oauth-client-secret"
          autoComplete="off"
          spellCheck={false}
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
          disabled={starting || disabled}
          placeholder={settings?.hasClientSecret ? 'A secret is stored in your keyring' : 'Leave empty for a native app'}
        />
        <p className="hint">
          Native apps need no secret: Slotline proves itself with PKCE. Only a Calendly app of kind “Web” has a client
          secret; it is kept in your system keyring.
        </p>
      </details>
      <div className="oauth-production">
        <label>
          <input
            type="checkbox"
            data-testid="oauth-production"
            checked={production && !!productionRedirect}
            onChange={(e) => setProduction(e.target.checked)}
            disabled={starting || disabled || !productionRedirect}
            aria-describedby={`${fid}-production-help`}
          />{' '}
          Production app (HTTPS redirect)
        </label>
        <p className="hint" id={`${fid}-production-help`} data-testid="oauth-production-help">
          {productionRedirect ? (
            <>
              Calendly sends a Production app back to{' '}
              <span className="mono selectable">{productionRedirect}</span>, through your tunnel.
            </>
          ) : (
            'A Production app needs an HTTPS redirect: set up ngrok or your own public URL under Real time first.'
          )}
        </p>
      </div>
      <div>
        <button
          type="submit"
          ref={startRef}
          className="btn btn-primary"
          data-testid="oauth-start"
          disabled={starting || disabled}
          aria-busy={starting}
        >
          {starting ? (
            <>
              <span className="spinner" aria-hidden="true" /> Opening your browser…
            </>
          ) : (
            'Continue in browser'
          )}
        </button>
      </div>
      {error && (
        <div className="error" role="alert" id={`${fid}-error`} data-testid="oauth-error">
          <p>{error.message}</p>
          {nextStep && <p className="error-next">{nextStep}</p>}
        </div>
      )}
    </form>
  );
}
