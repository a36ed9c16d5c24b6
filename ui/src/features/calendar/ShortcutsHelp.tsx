// The `?` button and popover listing the keyboard shortcuts.

import { useEffect, useId, useRef } from 'react';
import { CALENDAR_SHORTCUTS, GLOBAL_SHORTCUTS, GRID_SHORTCUTS } from '../../lib/shortcuts';

export function ShortcutsHelp({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const id = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  // What had focus when `?` opened the popover (a calendar tile, say), to go back to.
  const opener = useRef<HTMLElement | null>(null);

  // Focus goes into the popover when it opens, and back to what opened it when it is closed.
  useEffect(() => {
    if (!open) return;
    const active = document.activeElement;
    opener.current = active instanceof HTMLElement && active !== document.body ? active : null;
    panelRef.current?.focus();
  }, [open]);

  const close = () => {
    onOpenChange(false);
    (opener.current?.isConnected ? opener.current : buttonRef.current)?.focus();
    opener.current = null;
  };

  return (
    <div className="popover-anchor">
      <button
        ref={buttonRef}
        type="button"
        className="btn btn-small btn-icon-text"
        data-testid="shortcuts-button"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-label="Keyboard shortcuts"
        title="Keyboard shortcuts (?)"
        onClick={() => onOpenChange(!open)}
      >
        <kbd aria-hidden="true">?</kbd>
      </button>
      {open && (
        <div
          ref={panelRef}
          id={id}
          className="popover shortcuts-popover"
          role="dialog"
          aria-label="Keyboard shortcuts"
          data-testid="shortcuts-help"
          tabIndex={-1}
          onKeyDown={(e) => {
            if (e.key === 'Escape' || e.key === '?') {
              e.preventDefault();
              e.stopPropagation();
              close();
            }
          }}
          onBlur={(e) => {
            if (!e.currentTarget.contains(e.relatedTarget as Node | null) && e.relatedTarget !== buttonRef.current) {
              onOpenChange(false);
            }
          }}
        >
          <div className="popover-head">
            <h2>Keyboard shortcuts</h2>
            <button type="button" className="icon-btn" aria-label="Close keyboard shortcuts" onClick={close}>
              ×
            </button>
          </div>
          <dl className="shortcut-list">
            {CALENDAR_SHORTCUTS.map((s) => (
              <div key={s.action}>
                <dt>
                  {s.keys.map((k) => (
                    <kbd key={k}>{k}</kbd>
                  ))}
                </dt>
                <dd>{s.label}</dd>
              </div>
            ))}
            {GRID_SHORTCUTS.map((s) => (
              <div key={s.label}>
                <dt>
                  {s.keys.map((k) => (
                    <kbd key={k}>{k}</kbd>
                  ))}
                </dt>
                <dd>{s.label}</dd>
              </div>
            ))}
            {GLOBAL_SHORTCUTS.map((s) => (
              <div key={s.label}>
                <dt>
                  {s.keys.map((k, i) => (
                    <span key={k}>
                      {i > 0 && <span aria-hidden="true">+</span>}
                      <kbd>{k}</kbd>
                    </span>
                  ))}
                </dt>
                <dd>{s.label}</dd>
              </div>
            ))}
          </dl>
        </div>
      )}
    </div>
  );
}
