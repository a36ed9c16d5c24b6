// Money as Calendly reports it (an amount in an ISO 4217 currency), written for people.

/** `€1,450.00`, `US$99.50`; an unknown currency code as `99.50 XYZ`. */
export function formatMoney(m: { amount: number; currency: string }, locale: string): string {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency }).format(m.amount);
  } catch {
    return `${m.amount.toFixed(2)} ${m.currency}`;
  }
}
