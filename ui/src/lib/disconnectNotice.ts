// What a disconnect could not undo at Calendly (a subscription it could not delete, a sign-in it
// could not revoke). The Settings page leaves it here; the first-run screen that follows shows it
// until dismissed, however soon the status refresh swaps the screens.

let pending: string[] = [];

/** Keeps the warnings of the disconnect that just completed (replacing any earlier ones). */
export function leaveDisconnectWarnings(warnings: string[]): void {
  pending = [...warnings];
}

/** The warnings left by the last disconnect, once: they are cleared as they are read. */
export function takeDisconnectWarnings(): string[] {
  const out = pending;
  pending = [];
  return out;
}

/** A warning as a sentence: capitalised, with its full stop. */
export function asSentence(warning: string): string {
  const w = warning.trim();
  if (!w) return w;
  const s = w.charAt(0).toUpperCase() + w.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}
