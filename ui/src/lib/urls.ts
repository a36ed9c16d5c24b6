// Links from Calendly data are untrusted: only plain web links may leave the app.

/** True for absolute `http:` / `https:` URLs. */
export function isHttpUrl(value: string | null | undefined): value is string {
  if (!value) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
