// Settings backed by Preferences: zones and display, sync interval, real-time webhooks (ngrok or
// the user's own URL) and the local ICS feed. Switches and pickers save at once; text fields have
// a Save button and inline validation.

import { useEffect, useId, useState, type FormEvent } from 'react';
import { setNgrokAuthtoken, toIpcError, type IpcError, type Preferences, type WebhookMode } from '../../ipc';
import { usePreferences } from '../../lib/prefs';
import { systemZone, zoneLabel } from '../../lib/time';
import { ngrokDomainError, parseMinutes, publicUrlError } from '../../lib/validate';
import { ZonePicker } from '../zones/ZonePicker';

/** Saves a patch at once and reports it in a small live region. */
function useInstantSave() {
  const { save } = usePreferences();
  const [state, setState] = useState<{ saved: boolean; error: IpcError | null }>({ saved: false, error: null });
  const run = (patch: Partial<Preferences>) => {
    setState({ saved: false, error: null });
    save(patch).then(
      () => setState({ saved: true, error: null }),
      (raw: unknown) => setState({ saved: false, error: toIpcError(raw) }),
    );
  };
  return { run, ...state };
}

function SaveNote({ saved, error, testId }: { saved: boolean; error: IpcError | null; testId: string }) {
  return (
    <>
      <span className="muted small save-note" aria-live="polite" data-testid={testId}>
        {saved ? 'Saved.' : ''}
      </span>
      {error && (
        <p className="error" role="alert" data-testid={`${testId}-error`}>
          {error.message}
        </p>
      )}
    </>
  );
}

export function DisplaySection() {
  const id = useId();
  const { prefs } = usePreferences();
  const { run, saved, error } = useInstantSave();
  const sys = systemZone();
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="display-settings">
      <div className="card-head">
        <h2 id={`${id}-title`}>Time zones and calendar</h2>
        <SaveNote saved={saved} error={null} testId="display-saved" />
      </div>
      <div className="settings-form">
        <div className="field">
          <ZonePicker
            label="Time zone"
            value={prefs.timezone}
            onChange={(zone) => run({ timezone: zone })}
            nullLabel={`System (${zoneLabel(sys)})`}
            nullHint="Follows this computer"
            testId="settings-zone"
            describedBy={`${id}-zone-help`}
          />
          <p className="field-help muted small" id={`${id}-zone-help`}>
            Every time in Slotline is shown in this zone. Calendly stores times in UTC, so nothing changes for your
            invitees.
          </p>
        </div>
        <div className="field">
          <ZonePicker
            label="Second time zone"
            value={prefs.secondaryTimezone}
            onChange={(zone) => run({ secondaryTimezone: zone })}
            nullLabel="None"
            nullHint="One column of hours"
            testId="settings-secondary-zone"
            describedBy={`${id}-secondary-help`}
          />
          <p className="field-help muted small" id={`${id}-secondary-help`}>
            Shown as a second column of hours in the week and day views.
          </p>
        </div>
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="settings-show-canceled"
            checked={prefs.showCanceled}
            onChange={(e) => run({ showCanceled: e.target.checked })}
          />
          <span>Show canceled meetings in the calendar (struck through)</span>
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="settings-notifications"
            checked={prefs.notifications}
            onChange={(e) => run({ notifications: e.target.checked })}
          />
          <span>Desktop notifications for new bookings, cancellations and reschedules</span>
        </label>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="display-saved-error">
          {error.message}
        </p>
      )}
    </section>
  );
}

/** The most days back or ahead the sync window may reach (Rust refuses more). */
export const MAX_WINDOW_DAYS = 3650;

/** A days field: a whole number from 0 to MAX_WINDOW_DAYS. */
export function parseDays(text: string): { days: number | null; error: string | null } {
  const value = text.trim();
  if (!value) return { days: null, error: 'Enter a number of days.' };
  if (!/^\d+$/.test(value)) return { days: null, error: 'Use a whole number of days.' };
  const n = Number(value);
  if (n > MAX_WINDOW_DAYS) return { days: null, error: `Choose at most ${MAX_WINDOW_DAYS} days.` };
  return { days: n, error: null };
}

export function SyncSection() {
  const id = useId();
  const { prefs, save } = usePreferences();
  const [text, setText] = useState(String(prefs.reconcileMinutes));
  const [backText, setBackText] = useState(String(prefs.syncDaysBack));
  const [aheadText, setAheadText] = useState(String(prefs.syncDaysAhead));
  const [touched, setTouched] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  useEffect(() => setText(String(prefs.reconcileMinutes)), [prefs.reconcileMinutes]);
  useEffect(() => setBackText(String(prefs.syncDaysBack)), [prefs.syncDaysBack]);
  useEffect(() => setAheadText(String(prefs.syncDaysAhead)), [prefs.syncDaysAhead]);
  const parsed = parseMinutes(text);
  const back = parseDays(backText);
  const ahead = parseDays(aheadText);
  const emptyWindow = back.days === 0 && ahead.days === 0 ? 'The window must cover at least one day.' : null;
  const fieldError = touched ? parsed.error : null;
  const backError = touched ? back.error : null;
  const aheadError = touched ? (ahead.error ?? emptyWindow) : null;
  const dirty =
    text.trim() !== String(prefs.reconcileMinutes) ||
    backText.trim() !== String(prefs.syncDaysBack) ||
    aheadText.trim() !== String(prefs.syncDaysAhead);
  const edit = (set: (v: string) => void) => (v: string) => {
    set(v);
    setTouched(true);
    setSaved(false);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    setSaved(false);
    setError(null);
    if (parsed.minutes === null || back.days === null || ahead.days === null || emptyWindow) return;
    setSaving(true);
    try {
      await save({ reconcileMinutes: parsed.minutes, syncDaysBack: back.days, syncDaysAhead: ahead.days });
      setSaved(true);
      setTouched(false);
    } catch (raw) {
      setError(toIpcError(raw));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="sync-settings">
      <h2 id={`${id}-title`}>Sync</h2>
      <form className="settings-form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor={`${id}-minutes`}>Reconcile every</label>
          <div className="inline-input">
            <input
              id={`${id}-minutes`}
              type="number"
              inputMode="numeric"
              min={1}
              max={1440}
              step={1}
              data-testid="reconcile-minutes"
              value={text}
              onChange={(e) => edit(setText)(e.target.value)}
              aria-invalid={fieldError ? true : undefined}
              aria-describedby={`${id}-help${fieldError ? ` ${id}-error` : ''}`}
            />
            <span className="muted">minutes</span>
          </div>
          {fieldError && (
            <p className="field-error" id={`${id}-error`} role="alert" data-testid="reconcile-error">
              {fieldError}
            </p>
          )}
        </div>
        <p className="muted small field-help-wide" id={`${id}-help`}>
          A full comparison with Calendly that catches anything a webhook missed. With real-time updates off, this is how
          often new bookings appear.
        </p>
        <DaysField
          id={`${id}-back`}
          label="Days back"
          testId="sync-days-back"
          value={backText}
          onChange={edit(setBackText)}
          error={backError}
          help={`${id}-window-help`}
        />
        <DaysField
          id={`${id}-ahead`}
          label="Days ahead"
          testId="sync-days-ahead"
          value={aheadText}
          onChange={edit(setAheadText)}
          error={aheadError}
          help={`${id}-window-help`}
        />
        <p className="muted small field-help-wide" id={`${id}-window-help`}>
          The meetings each sync compares with Calendly: from this many days before today to this many days after
          (default 90 back, 365 ahead). A wider window costs more requests per sync.
        </p>
        <div className="settings-actions">
          <button type="submit" className="btn btn-primary" data-testid="reconcile-save" disabled={saving || !dirty}>
            {saving ? 'Saving…' : 'Save'}
          </button>
          <SaveNote saved={saved} error={error} testId="reconcile-saved" />
        </div>
      </form>
    </section>
  );
}

function DaysField({
  id,
  label,
  testId,
  value,
  onChange,
  error,
  help,
}: {
  id: string;
  label: string;
  testId: string;
  value: string;
  onChange: (v: string) => void;
  error: string | null;
  help: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="inline-input">
        <input
          id={id}
          type="number"
          inputMode="numeric"
          min={0}
          max={MAX_WINDOW_DAYS}
          step={1}
          data-testid={testId}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${help}${error ? ` ${id}-error` : ''}`}
        />
        <span className="muted">days</span>
      </div>
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert" data-testid={`${testId}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

const MODES: Array<{ value: WebhookMode; label: string; hint: string }> = [
  { value: 'off', label: 'Off', hint: 'Slotline polls Calendly on the schedule above.' },
  {
    value: 'ngrok',
    label: 'Through ngrok',
    hint: 'Slotline opens an ngrok tunnel and subscribes Calendly’s webhooks to it. Needs a free ngrok account.',
  },
  {
    value: 'public-url',
    label: 'My own public URL',
    hint: 'You forward an https:// address (a reverse proxy, Cloudflare Tunnel…) to Slotline’s local port.',
  },
];

export function RealtimeSection() {
  const id = useId();
  const { prefs, save, replace } = usePreferences();
  const [mode, setMode] = useState(prefs.webhookMode);
  const [domain, setDomain] = useState(prefs.ngrokDomain ?? '');
  const [url, setUrl] = useState(prefs.publicUrl ?? '');
  const [touched, setTouched] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const [token, setToken] = useState('');
  const [tokenBusy, setTokenBusy] = useState(false);
  const [tokenError, setTokenError] = useState<IpcError | null>(null);
  const [tokenSaved, setTokenSaved] = useState(false);

  const domainError = mode === 'ngrok' ? ngrokDomainError(domain) : null;
  const urlError = mode === 'public-url' && touched ? publicUrlError(url) : null;
  const dirty =
    mode !== prefs.webhookMode || domain.trim() !== (prefs.ngrokDomain ?? '') || url.trim() !== (prefs.publicUrl ?? '');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    setSaved(false);
    setError(null);
    if (domainError) return document.getElementById(`${id}-domain`)?.focus();
    if (mode === 'public-url' && publicUrlError(url)) return document.getElementById(`${id}-url`)?.focus();
    setSaving(true);
    try {
      const stored = await save({
        webhookMode: mode,
        ngrokDomain: domain.trim() || null,
        publicUrl: url.trim() || null,
      });
      setUrl(stored.publicUrl ?? '');
      setDomain(stored.ngrokDomain ?? '');
      setTouched(false);
      setSaved(true);
    } catch (raw) {
      setError(toIpcError(raw));
    } finally {
      setSaving(false);
    }
  };

  const storeToken = async (value: string | null) => {
    setTokenBusy(true);
    setTokenError(null);
    setTokenSaved(false);
    try {
      replace(await setNgrokAuthtoken(value));
      setToken('');
      setTokenSaved(value !== null);
    } catch (raw) {
      setTokenError(toIpcError(raw));
    } finally {
      setTokenBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="realtime-settings">
      <h2 id={`${id}-title`}>Real-time updates</h2>
      <p className="muted">
        With webhooks, Calendly tells Slotline about a booking the moment it happens. They need an address on the
        internet that reaches this computer.
      </p>
      <form className="settings-form" onSubmit={(e) => void submit(e)} noValidate>
        <fieldset className="radio-group">
          <legend>Receive Calendly webhooks</legend>
          {MODES.map((m) => (
            <label key={m.value} className={`radio-card${mode === m.value ? ' checked' : ''}`}>
              <input
                type="radio"
                name={`${id}-mode`}
                value={m.value}
                data-testid={`webhook-mode-${m.value}`}
                checked={mode === m.value}
                onChange={() => {
                  setMode(m.value);
                  setSaved(false);
                }}
                aria-describedby={`${id}-${m.value}-hint`}
              />
              <span>
                <span className="radio-label">{m.label}</span>
                <span className="muted small radio-hint" id={`${id}-${m.value}-hint`}>
                  {m.hint}
                </span>
              </span>
            </label>
          ))}
        </fieldset>

        {mode === 'ngrok' && (
          <div className="subfields" data-testid="ngrok-fields">
            <div className="field">
              <label htmlFor={`${id}-token`}>ngrok authtoken</label>
              {prefs.hasNgrokAuthtoken ? (
                <div className="inline-input">
                  <span className="stored" data-testid="ngrok-token-stored">
                    <svg className="stored-icon" viewBox="0 0 24 24" aria-hidden="true">
                      <rect x="5" y="11" width="14" height="10" rx="2" />
                      <path d="M8 11V8a4 4 0 0 1 8 0v3" />
                    </svg>
                    Stored in the keyring
                  </span>
                  <button
                    type="button"
                    className="btn btn-small"
                    data-testid="ngrok-token-remove"
                    disabled={tokenBusy}
                    onClick={() => void storeToken(null)}
                  >
                    Remove
                  </button>
                </div>
              ) : (
                <div className="inline-input">
                  <input
                    id={`${id}-token`}
                    type="password"
                    autoComplete="off"
                    spellCheck={false}
                    data-testid="ngrok-token"
                    placeholder="Paste from dashboard.ngrok.com"
                    value={token}
                    onChange={(e) => setToken(e.target.value)}
                    aria-describedby={`${id}-token-help`}
                    aria-invalid={tokenError ? true : undefined}
                  />
                  <button
                    type="button"
                    className="btn btn-small"
                    data-testid="ngrok-token-save"
                    disabled={tokenBusy || !token.trim()}
                    onClick={() => void storeToken(token.trim())}
                  >
                    {tokenBusy ? 'Storing…' : 'Store in keyring'}
                  </button>
                </div>
              )}
              <p className="field-help muted small" id={`${id}-token-help`}>
                {tokenSaved ? 'Stored. ' : ''}Kept in your system keyring, never in Slotline’s files, and never shown again.
              </p>
              {tokenError && (
                <p className="field-error" role="alert" data-testid="ngrok-token-error">
                  {tokenError.message}
                </p>
              )}
            </div>
            <div className="field">
              <label htmlFor={`${id}-domain`}>Static domain</label>
              <input
                id={`${id}-domain`}
                type="text"
                autoComplete="off"
                spellCheck={false}
                data-testid="ngrok-domain"
                placeholder="Optional, e.g. dana.ngrok.app"
                value={domain}
                onChange={(e) => {
                  setDomain(e.target.value);
                  setSaved(false);
                }}
                aria-invalid={domainError ? true : undefined}
                aria-describedby={domainError ? `${id}-domain-error` : `${id}-domain-help`}
              />
              {domainError ? (
                <p className="field-error" id={`${id}-domain-error`} role="alert" data-testid="ngrok-domain-error">
                  {domainError}
                </p>
              ) : (
                <p className="field-help muted small" id={`${id}-domain-help`}>
                  A free static domain keeps the webhook address stable across restarts.
                </p>
              )}
            </div>
          </div>
        )}

        {mode === 'public-url' && (
          <div className="subfields" data-testid="public-url-fields">
            <div className="field">
              <label htmlFor={`${id}-url`}>Public URL</label>
              <input
                id={`${id}-url`}
                type="url"
                autoComplete="off"
                spellCheck={false}
                data-testid="public-url"
                placeholder="https://hooks.example.com"
                value={url}
                onChange={(e) => {
                  setUrl(e.target.value);
                  setSaved(false);
                }}
                onBlur={() => setTouched(true)}
                aria-invalid={urlError ? true : undefined}
                aria-describedby={urlError ? `${id}-url-error` : `${id}-url-help`}
              />
              {urlError ? (
                <p className="field-error" id={`${id}-url-error`} role="alert" data-testid="public-url-error">
                  {urlError}
                </p>
              ) : (
                <p className="field-help muted small" id={`${id}-url-help`}>
                  Calendly posts to this address plus /webhooks/calendly.
                </p>
              )}
            </div>
          </div>
        )}

        <div className="settings-actions">
          <button type="submit" className="btn btn-primary" data-testid="realtime-save" disabled={saving || !dirty}>
            {saving ? 'Saving…' : 'Save'}
          </button>
          <SaveNote saved={saved} error={error} testId="realtime-saved" />
        </div>
      </form>
    </section>
  );
}

export function FeedSection() {
  const id = useId();
  const { prefs } = usePreferences();
  const { run, error } = useInstantSave();
  const [copied, setCopied] = useState<'yes' | 'manual' | null>(null);

  const copy = async (url: string) => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied('yes');
    } catch {
      // No clipboard access: select the address so Ctrl+C copies it.
      const el = document.getElementById(`${id}-url`);
      const range = document.createRange();
      if (el) {
        range.selectNodeContents(el);
        window.getSelection()?.removeAllRanges();
        window.getSelection()?.addRange(range);
      }
      setCopied('manual');
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="feed-settings">
      <h2 id={`${id}-title`}>Calendar feed</h2>
      <div className="switch-row">
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            data-testid="ics-feed"
            checked={prefs.icsFeed}
            onChange={(e) => {
              setCopied(null);
              run({ icsFeed: e.target.checked });
            }}
            aria-describedby={`${id}-help`}
          />
          <span className="switch-track" aria-hidden="true" />
          <span>Serve a read-only ICS feed on this computer</span>
        </label>
      </div>
      <p className="muted small" id={`${id}-help`}>
        Thunderbird, GNOME Calendar or Apple Calendar can subscribe to it and show your Calendly meetings next to your
        other calendars. It listens on 127.0.0.1 only.
      </p>
      {prefs.icsFeed && prefs.icsFeedUrl && (
        <div className="feed-url" data-testid="ics-feed-box">
          <span className="field-label">Subscribe to</span>
          <code className="mono selectable" id={`${id}-url`} data-testid="ics-feed-url">
            {prefs.icsFeedUrl}
          </code>
          <button type="button" className="btn btn-small" data-testid="ics-feed-copy" onClick={() => void copy(prefs.icsFeedUrl!)}>
            Copy
          </button>
          <span className="muted small" aria-live="polite" data-testid="ics-feed-copied">
            {copied === 'yes' ? 'Copied.' : copied === 'manual' ? 'Selected: press Ctrl+C to copy.' : ''}
          </span>
        </div>
      )}
      {prefs.icsFeed && prefs.icsFeedNotice && (
        <p className="warn small" role="note" data-testid="ics-feed-notice">
          {prefs.icsFeedNotice}
        </p>
      )}
      {prefs.icsFeed && !prefs.icsFeedUrl && <p className="muted small">Starting the feed…</p>}
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
    </section>
  );
}
