// Connecting with a Calendly personal access token: the secondary way in, next to OAuth.

import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { connectToken, openExternal, toIpcError, type IpcError, type StatusView } from '../../ipc';

const TOKEN_PAGE = 'https://calendly.com/integrations/api_webhooks';

export function TokenForm({
  onConnected,
  disabled,
  onBusyChange,
}: {
  onConnected: (status: StatusView) => void;
  disabled: boolean;
  onBusyChange?: (busy: boolean) => void;
}) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const formId = useId();
  const helpId = useId();

  useEffect(() => inputRef.current?.focus(), []);
  useEffect(() => onBusyChange?.(busy), [busy, onBusyChange]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onConnected(await connectToken(token.trim()));
    } catch (raw) {
      setError(toIpcError(raw));
      setBusy(false);
      inputRef.current?.focus();
    }
  };

  return (
    <form
      id={formId}
      className="token-form"
      data-testid="token-form"
      onSubmit={(e) => void submit(e)}
      aria-label="Connect with a personal access token"
    >
      <p className="notice" id={helpId}>
        A <strong>personal access token</strong> connects without an OAuth app: in Calendly open Integrations → API
        &amp; Webhooks and generate one.{' '}
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
          aria-describedby={error ? `${helpId} ${formId}-error` : helpId}
          aria-invalid={error ? true : undefined}
          placeholder="eyJraWQiOi…"
          disabled={disabled && !busy}
          required
        />
        <button
          type="submit"
          className="btn btn-primary"
          data-testid="token-submit"
          disabled={busy || disabled || token.trim() === ''}
          aria-busy={busy}
        >
          {busy ? 'Connecting…' : 'Connect'}
        </button>
      </div>
      {error && (
        <p className="error" role="alert" id={`${formId}-error`} data-testid="token-error">
          {error.message}
        </p>
      )}
      <p className="hint">The token is kept in your system keyring, never in a file.</p>
    </form>
  );
}
