// "Start at login": a login item that opens Slotline in the tray, so webhooks keep arriving
// after a restart. Off until the user switches it on.

import { useEffect, useId, useState } from 'react';
import { getAutostart, setAutostart, toIpcError, type IpcError } from '../../ipc';

export function AutostartSection() {
  const id = useId();
  const [enabled, setEnabled] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);

  useEffect(() => {
    let live = true;
    getAutostart()
      .then((on) => live && setEnabled(on))
      .catch((raw) => live && setError(toIpcError(raw)));
    return () => {
      live = false;
    };
  }, []);

  const change = async (on: boolean) => {
    setBusy(true);
    setError(null);
    try {
      setEnabled(await setAutostart(on));
    } catch (raw) {
      setError(toIpcError(raw));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="autostart-settings">
      <h2 id={`${id}-title`}>Start at login</h2>
      <div className="switch-row">
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            data-testid="autostart"
            checked={enabled ?? false}
            disabled={enabled === null || busy}
            onChange={(e) => void change(e.target.checked)}
            aria-describedby={`${id}-help`}
          />
          <span className="switch-track" aria-hidden="true" />
          <span>Start Slotline in the tray when I log in</span>
        </label>
      </div>
      <p className="muted small" id={`${id}-help`}>
        The window stays closed; the tray icon keeps receiving bookings and catching up with Calendly. Closing the
        window never stops it — use Quit in the tray menu.
      </p>
      {error && (
        <p className="error" role="alert" data-testid="autostart-error">
          {error.message}
        </p>
      )}
    </section>
  );
}
