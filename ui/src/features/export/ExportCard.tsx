// Export: ICS (for calendar apps), CSV (for spreadsheets) or JSON (the contract's format), written
// by Rust into the Downloads folder, with "Show in folder".

import { useId, useState } from 'react';
import { exportFile, revealPath, toIpcError, type ExportFormat, type IpcError } from '../../ipc';

const FORMATS: Array<{ format: ExportFormat; label: string; hint: string }> = [
  { format: 'ics', label: 'ICS', hint: 'Calendar apps' },
  { format: 'csv', label: 'CSV', hint: 'Spreadsheets' },
  { format: 'json', label: 'JSON', hint: 'Scripts and backups' },
];

export function ExportCard() {
  const id = useId();
  const [includeCanceled, setIncludeCanceled] = useState(false);
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<IpcError | null>(null);

  const run = async (format: ExportFormat) => {
    setBusy(format);
    setSaved(null);
    setError(null);
    try {
      const result = await exportFile(format, includeCanceled);
      setSaved(result.path);
    } catch (raw) {
      setError(toIpcError(raw));
    } finally {
      setBusy(null);
    }
  };

  const reveal = async () => {
    if (!saved) return;
    setError(null);
    try {
      await revealPath(saved);
    } catch (raw) {
      setError(toIpcError(raw));
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="export-card">
      <h2 id={`${id}-title`}>Export</h2>
      <p className="muted">
        Every stored meeting with its invitees, saved to your Downloads folder. ICS opens in any calendar app; CSV has
        one row per meeting and invitee.
      </p>
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="export-include-canceled"
          checked={includeCanceled}
          onChange={(e) => setIncludeCanceled(e.target.checked)}
        />
        <span>Include canceled meetings</span>
      </label>
      <div className="export-buttons" role="group" aria-label="Export format">
        {FORMATS.map((f) => (
          <button
            key={f.format}
            type="button"
            className="btn export-btn"
            data-testid={`export-${f.format}`}
            disabled={busy !== null}
            aria-busy={busy === f.format}
            // The name holds the visible text (format, then hint) in the same order.
            aria-label={`Export as ${f.label}, ${busy === f.format ? 'saving…' : f.hint.toLowerCase()}`}
            onClick={() => void run(f.format)}
          >
            <span className="export-format">{f.label}</span>{' '}
            <span className="export-hint">{busy === f.format ? 'Saving…' : f.hint}</span>
          </button>
        ))}
      </div>
      <div aria-live="polite">
        {saved && (
          <div className="export-result" data-testid="export-result">
            <span>
              Saved to <code className="mono selectable">{saved}</code>
            </span>
            <button type="button" className="btn btn-small" data-testid="export-reveal" onClick={() => void reveal()}>
              Show in folder
            </button>
          </div>
        )}
      </div>
      {error && (
        <p className="error" role="alert" data-testid="export-error">
          {error.message}
        </p>
      )}
    </section>
  );
}
