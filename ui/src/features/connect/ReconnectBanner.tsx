// Calendly refused Slotline's OAuth grant (revoked, expired refresh token…): say so above the
// current page and offer the Connect flow again.

import { useEffect, useId, useRef, useState } from 'react';
import type { StatusView } from '../../ipc';
import { ConnectPanel } from './ConnectPanel';

export function ReconnectBanner({
  message,
  resolved,
  open,
  onOpen,
  onClose,
  onReconnected,
}: {
  message: string;
  /** Calendly accepts Slotline again (the flow in the banner is showing the account). */
  resolved: boolean;
  open: boolean;
  onOpen: () => void;
  onClose: () => void;
  onReconnected: (status: StatusView) => void;
}) {
  const [busy, setBusy] = useState(false);
  // Closing the panel gives focus back to the Reconnect button that opened it.
  const reconnectRef = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(open);
  useEffect(() => {
    if (wasOpen.current && !open) reconnectRef.current?.focus();
    wasOpen.current = open;
  }, [open]);
  const titleId = useId();
  const panelId = useId();
  return (
    <section
      className={`reconnect-banner${resolved ? ' reconnect-resolved' : ''}`}
      data-testid="reconnect-banner"
      aria-labelledby={titleId}
    >
      <div className="reconnect-head" hidden={resolved}>
        <span className="reconnect-icon" aria-hidden="true">
          ⚠
        </span>
        <div className="reconnect-text">
          <h2 id={titleId}>{resolved ? 'Calendly reconnected' : 'Reconnect Calendly'}</h2>
          <p className="selectable" data-testid="reconnect-message" role="alert">
            {message}
          </p>
        </div>
        {open ? (
          <button type="button" className="btn" onClick={onClose} disabled={busy}>
            Close
          </button>
        ) : (
          <button
            type="button"
            className="btn btn-primary"
            data-testid="connect-calendly"
            ref={reconnectRef}
            aria-expanded={false}
            aria-controls={panelId}
            onClick={onOpen}
          >
            Reconnect
          </button>
        )}
      </div>
      {open && <ConnectPanel id={panelId} onConnected={onReconnected} onBusyChange={setBusy} />}
    </section>
  );
}
