// uPlot options for the insights' charts: meetings or hours per week stacked by event type,
// cancellation and no-show rates per event type, and the lead-time histogram. uPlot (and its
// CSS) is imported only here, and this module only by the Insights view: its own chunk, fetched
// when the view opens.

// Before uPlot: its module reads navigator.language as it loads.
import './locale-guard';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Insights, TypeInsight } from '../../ipc';

export { uPlot };

export type Theme = { text: string; muted: string; grid: string; tones: string[]; warn: string; danger: string; accent: string };

/** The page's colours (light or dark), read from its CSS variables. */
export function theme(): Theme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', '#1c2033'),
    muted: v('--muted', '#5d6480'),
    grid: v('--border', '#dfe3ee'),
    tones: [0, 1, 2, 3, 4, 5].map((i) => v(`--tone-${i}`, '#4f46e5')),
    warn: v('--warn', '#a15c00'),
    danger: v('--danger', '#c2253d'),
    accent: v('--accent', '#4f46e5'),
  };
}

type Built = [uPlot.Options, uPlot.AlignedData];

const HEIGHT = 240;

function bars(size: number, align: -1 | 0 | 1 = 0): uPlot.Series.PathBuilder {
  return uPlot.paths.bars!({ size: [size, 64], align, gap: 1 });
}

/** A category axis: one tick per index, labelled; at most about 14 labels are written, slanted
 * when they are long. */
function categoryAxis(labels: string[], th: Theme): uPlot.Axis {
  const every = Math.max(1, Math.ceil(labels.length / 14));
  const long = labels.some((l) => l.length > 10);
  return {
    ...(long ? { rotate: -24, size: 64 } : {}),
    stroke: th.muted,
    grid: { show: false },
    ticks: { show: false },
    splits: () => labels.map((_, i) => i),
    values: (_u, splits) => splits.map((i) => (i % every === 0 ? (labels[i] ?? '') : '')),
  };
}

function valueAxis(th: Theme, format: (v: number) => string): uPlot.Axis {
  return {
    stroke: th.muted,
    grid: { stroke: th.grid, width: 1 },
    ticks: { show: false },
    values: (_u, splits) => splits.map(format),
    size: 48,
  };
}

function base(width: number): Omit<uPlot.Options, 'series' | 'axes' | 'scales'> {
  return {
    width: Math.max(280, width),
    height: HEIGHT,
    cursor: { points: { show: false }, drag: { x: false, y: false } },
    legend: { live: true },
    padding: [12, 8, 0, 0],
  };
}

/** `9 Mar` for a `YYYY-MM-DD` Monday. */
export function weekLabel(day: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(Date.parse(`${day}T00:00:00Z`));
}

/** Meetings (or hours) per week, one bar a week, stacked by event type. */
export function weeklyChart(ins: Insights, metric: 'meetings' | 'hours', width: number, locale: string, th: Theme): Built {
  const types = ins.eventTypes.filter((t) => (metric === 'meetings' ? t.meetings : t.hours) > 0);
  const raw = types.map((t) => (metric === 'meetings' ? t.weeklyMeetings : t.weeklyHours));
  const n = ins.weeks.length;
  // Each series is the sum of the types up to it, drawn largest first so each smaller one lies
  // on top: the visible band of a type is its own count.
  const cumulative = raw.map((_, j) => Array.from({ length: n }, (_, i) => raw.slice(0, j + 1).reduce((s, r) => s + (r[i] ?? 0), 0)));
  const order = types.map((_, j) => j).reverse();
  const fmt = (v: number) => (metric === 'meetings' ? String(Math.round(v)) : `${Math.round(v * 100) / 100} h`);
  const top = Math.max(1, ...(cumulative[cumulative.length - 1] ?? [0]));
  return [
    {
      ...base(width),
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, n - 0.5)] }, y: { range: [0, top * 1.12] } },
      series: [
        { label: 'Week', value: (_u, i) => (i == null ? '' : weekLabel(ins.weeks[i] ?? '', locale)) },
        ...order.map((j) => ({
          label: types[j]!.name,
          fill: th.tones[j % th.tones.length],
          stroke: th.tones[j % th.tones.length],
          width: 0,
          paths: bars(0.72),
          points: { show: false },
          value: (_u: uPlot, _v: number, _s: number, i: number | null) => (i == null ? '' : fmt(raw[j]![i] ?? 0)),
        })),
      ],
      axes: [categoryAxis(ins.weeks.map((w) => weekLabel(w, locale)), th), valueAxis(th, fmt)],
    },
    [ins.weeks.map((_, i) => i), ...order.map((j) => cumulative[j]!)],
  ];
}

function shortName(t: TypeInsight): string {
  return t.name.length > 18 ? `${t.name.slice(0, 17)}…` : t.name;
}

/** Cancellation and no-show rates (%) per event type, side by side. */
export function ratesChart(ins: Insights, width: number, th: Theme): Built {
  const types = ins.eventTypes.filter((t) => t.meetings + t.canceled > 0);
  const pct = (v: number) => `${Math.round(v)} %`;
  const cancel = types.map((t) => Math.round(t.cancelRate * 1000) / 10);
  const noShow = types.map((t) => Math.round(t.noShowRate * 1000) / 10);
  const top = Math.max(10, ...cancel, ...noShow);
  return [
    {
      ...base(width),
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, types.length - 0.5)] }, y: { range: [0, Math.min(100, top * 1.15)] } },
      series: [
        { label: 'Event type', value: (_u, i) => (i == null ? '' : (types[i]?.name ?? '')) },
        { label: 'Canceled', fill: th.danger, stroke: th.danger, width: 0, paths: bars(0.34, -1), points: { show: false }, value: (_u, v) => (v == null ? '' : pct(v)) },
        { label: 'No-shows', fill: th.warn, stroke: th.warn, width: 0, paths: bars(0.34, 1), points: { show: false }, value: (_u, v) => (v == null ? '' : pct(v)) },
      ],
      axes: [categoryAxis(types.map(shortName), th), valueAxis(th, pct)],
    },
    [types.map((_, i) => i), cancel, noShow],
  ];
}

/** How long before the meeting it was booked: a histogram of held meetings. */
export function leadChart(ins: Insights, width: number, th: Theme): Built {
  const labels = ins.leadTime.map((b) => b.label);
  const counts = ins.leadTime.map((b) => b.meetings);
  return [
    {
      ...base(width),
      scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, y: { range: [0, Math.max(1, ...counts) * 1.12] } },
      series: [
        { label: 'Booked', value: (_u, i) => (i == null ? '' : (labels[i] ?? '')) },
        { label: 'Meetings', fill: th.accent, stroke: th.accent, width: 0, paths: bars(0.8), points: { show: false } },
      ],
      axes: [categoryAxis(labels, th), valueAxis(th, (v) => String(Math.round(v)))],
    },
    [labels.map((_, i) => i), counts],
  ];
}
