// uPlot formats its axis numbers with `new Intl.NumberFormat(navigator.language)` when its module
// loads. A webview started under the C/POSIX locale (LANG=C.UTF-8, as on minimal systems) reports
// `navigator.language` as "C", which Intl refuses with a RangeError, and the Insights view would
// never open. Imported before uPlot, this gives such a webview a language Intl accepts.

function accepted(tag: string): boolean {
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

if (typeof navigator !== 'undefined' && !accepted(navigator.language)) {
  const fallback = new Intl.NumberFormat().resolvedOptions().locale || 'en-US';
  Object.defineProperty(navigator, 'language', { configurable: true, get: () => fallback });
}

export {};
