// uPlot options for the insights' charts: meetings or hours per week stacked by event type,
// cancellation and no-show rates per event type, and the lead-time histogram. uPlot (and its
// CSS) is imported only here, and this module only by the Insights view: its own chunk, fetched
// when the view opens.

// Before uPlot: its module reads navigator.language as it loads.
import './locale-guard';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Insights } from '../../ipc';

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

/** A category axis written in HTML under the plot, not on the canvas: each label gets its own
 * slot's width (or several slots', labelling every few categories when they are many) and wraps
 * inside it onto two lines at most, so labels never overlap at any width. The canvas axis only
 * keeps the room. The labels are for sighted readers; the chart's `aria-label` says it all. */
function categories(labels: string[], th: Theme): { axis: uPlot.Axis; plugin: uPlot.Plugin } {
  let box: HTMLDivElement | null = null;
  const place = (u: uPlot) => {
    if (!box) return;
    const px = (v: string) => parseFloat(v) || 0;
    const left = px(u.over.style.left);
    const top = px(u.over.style.top) + px(u.over.style.height) + 6;
    const slot = labels.length > 1 ? Math.abs(u.valToPos(1, 'x') - u.valToPos(0, 'x')) : px(u.over.style.width);
    const every = Math.max(1, Math.ceil(MIN_LABEL / Math.max(1, slot)));
    const width = Math.max(0, every * slot - 4);
    box.replaceChildren(
      ...labels.flatMap((text, i) => {
        if (i % every !== 0) return [];
        const span = document.createElement('span');
        span.textContent = text;
        span.title = text;
        span.style.left = `${left + u.valToPos(i, 'x') - width / 2}px`;
        span.style.top = `${top}px`;
        span.style.width = `${width}px`;
        return [span];
      }),
    );
  };
  return {
    axis: {
      stroke: th.muted,
      grid: { show: false },
      ticks: { show: false },
      splits: () => labels.map((_, i) => i),
      values: (_u, splits) => splits.map(() => ''),
      size: 40,
    },
    plugin: {
      hooks: {
        init: (u) => {
          box = document.createElement('div');
          box.className = 'u-categories';
          box.setAttribute('aria-hidden', 'true');
          u.over.parentElement?.appendChild(box);
        },
        draw: place,
        destroy: () => {
          box = null;
        },
      },
    },
  };
}

/** The narrowest a category label gets before only every few are written. */
const MIN_LABEL = 44;

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
    // No hover read-out: the legend names the series and their colours (the numbers are in the
    // chart's label); a live legend would sit empty until the pointer is over a bar.
    cursor: { show: false },
    legend: { live: false },
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
  const weeks = categories(ins.weeks.map((w) => weekLabel(w, locale)), th);
  return [
    {
      ...base(width),
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, n - 0.5)] }, y: { range: [0, top * 1.12] } },
      series: [
        { label: 'Week' },
        ...order.map((j) => ({
          label: types[j]!.name,
          fill: th.tones[j % th.tones.length],
          stroke: th.tones[j % th.tones.length],
          width: 0,
          paths: bars(0.72),
          points: { show: false },
        })),
      ],
      axes: [weeks.axis, valueAxis(th, fmt)],
      plugins: [weeks.plugin],
    },
    [ins.weeks.map((_, i) => i), ...order.map((j) => cumulative[j]!)],
  ];
}

/** Cancellation and no-show rates (%) per event type, side by side. */
export function ratesChart(ins: Insights, width: number, th: Theme): Built {
  const types = ins.eventTypes.filter((t) => t.meetings + t.canceled > 0);
  const pct = (v: number) => `${Math.round(v)} %`;
  const cancel = types.map((t) => Math.round(t.cancelRate * 1000) / 10);
  const noShow = types.map((t) => Math.round(t.noShowRate * 1000) / 10);
  const top = Math.max(10, ...cancel, ...noShow);
  const names = categories(types.map((t) => t.name), th);
  return [
    {
      ...base(width),
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, types.length - 0.5)] }, y: { range: [0, Math.min(100, top * 1.15)] } },
      series: [
        { label: 'Event type' },
        { label: 'Canceled', fill: th.danger, stroke: th.danger, width: 0, paths: bars(0.34, -1), points: { show: false } },
        { label: 'No-shows', fill: th.warn, stroke: th.warn, width: 0, paths: bars(0.34, 1), points: { show: false } },
      ],
      axes: [names.axis, valueAxis(th, pct)],
      plugins: [names.plugin],
    },
    [types.map((_, i) => i), cancel, noShow],
  ];
}

/** How long before the meeting it was booked: a histogram of held meetings. */
export function leadChart(ins: Insights, width: number, th: Theme): Built {
  const labels = ins.leadTime.map((b) => b.label);
  const counts = ins.leadTime.map((b) => b.meetings);
  const buckets = categories(labels, th);
  return [
    {
      ...base(width),
      scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, y: { range: [0, Math.max(1, ...counts) * 1.12] } },
      series: [
        { label: 'Booked' },
        { label: 'Meetings', fill: th.accent, stroke: th.accent, width: 0, paths: bars(0.8), points: { show: false } },
      ],
      axes: [buckets.axis, valueAxis(th, (v) => String(Math.round(v)))],
      plugins: [buckets.plugin],
    },
    [labels.map((_, i) => i), counts],
  ];
}
