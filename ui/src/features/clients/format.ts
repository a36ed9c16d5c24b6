// How the clients view writes money and hours.

import type { Money } from '../../ipc';
import { formatMoney } from '../../lib/money';

/** Revenue in several currencies, one after the other; a dash for none. */
export function formatRevenue(revenue: Money[], locale: string): string {
  return revenue.length ? revenue.map((m) => formatMoney(m, locale)).join(' · ') : '—';
}

/** `12.5 h` */
export function formatHours(h: number, locale: string): string {
  return `${h.toLocaleString(locale, { maximumFractionDigits: 2 })} h`;
}

/** Revenue summed per currency over several clients. */
export function sumRevenue(lists: Money[][]): Money[] {
  const cents = new Map<string, number>();
  for (const list of lists) for (const m of list) cents.set(m.currency, (cents.get(m.currency) ?? 0) + Math.round(m.amount * 100));
  return [...cents].sort(([a], [b]) => a.localeCompare(b)).map(([currency, c]) => ({ currency, amount: c / 100 }));
}
