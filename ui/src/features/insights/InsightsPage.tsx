// Insights over a range, drawn: meetings or hours per week stacked by event type, cancellation and
// no-show rates per event type, the lead time from booking to meeting, and the busiest weekdays ×
// hours. The charts are uPlot's, in this view's own chunk (loaded when the view opens).

import { useCallback, useEffect, useRef, useState } from 'react';
import { getInsights, type Insights } from '../../ipc';
import { useLoad } from '../../lib/hooks';
import { usePrefs } from '../../lib/prefs';
import { plural } from '../../lib/status';
import { RangePicker, useRangeChoice } from '../clients/RangePicker';
import { dayRange } from '../clients/range';
import { leadChart, ratesChart, theme, uPlot, weeklyChart, type Theme } from './charts';
import '../clients/clients.css';
import './insights.css';

export function InsightsPage({ version }: { version: number }) {
  const prefs = usePrefs();
  const [choice, setChoice] = useRangeChoice();
  const [metric, setMetric] = useState<'meetings' | 'hours'>('meetings');
  const range = dayRange(choice, prefs.zone);
  const { data, error, loading } = useLoad(() => getInsights(range), [range.from, range.to, range.tz, version]);
  const weekly = useCallback((ins: Insights, w: number, th: Theme) => weeklyChart(ins, metric, w, prefs.locale, th), [metric, prefs.locale]);
  const rates = useCallback((ins: Insights, w: number, th: Theme) => ratesChart(ins, w, th), []);
  const lead = useCallback((ins: Insights, w: number, th: Theme) => leadChart(ins, w, th), []);

  return (
    <div className="page insights-page" data-testid="insights-page">
      <div className="page-toolbar">
        <h1 className="page-title">Insights</h1>
        <RangePicker id="insights-range" choice={choice} onChange={setChoice} />
        <span className="muted small" aria-live="polite" data-testid="insights-summary">
          {data
            ? `${plural(data.meetings, 'meeting', 'meetings')} · ${data.hours.toLocaleString(prefs.locale, { maximumFractionDigits: 2 })} h`
            : loading
              ? 'Loading…'
              : ''}
        </span>
      </div>
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      {data && (
        <div className="insights-grid">
          <section className="insight-card insight-wide" aria-labelledby="insight-weekly">
            <div className="insight-head">
              <h2 id="insight-weekly">{metric === 'meetings' ? 'Meetings' : 'Hours'} per week, by event type</h2>
              <div className="segmented" role="group" aria-label="Show">
                {(['meetings', 'hours'] as const).map((m) => (
                  <button key={m} type="button" data-testid={`weekly-${m}`} aria-pressed={metric === m} onClick={() => setMetric(m)}>
                    {m === 'meetings' ? 'Meetings' : 'Hours'}
                  </button>
                ))}
              </div>
            </div>
            <Chart
              testid="chart-weekly"
              label={`${metric === 'meetings' ? 'Meetings' : 'Hours'} per week from ${data.from} to ${data.to}, stacked by event type.`}
              data={data}
              build={weekly}
            />
          </section>
          <section className="insight-card" aria-labelledby="insight-rates">
            <h2 id="insight-rates">Cancellations and no-shows by event type</h2>
            <Chart testid="chart-rates" label={ratesLabel(data)} data={data} build={rates} />
          </section>
          <section className="insight-card" aria-labelledby="insight-lead">
            <h2 id="insight-lead">Booked how far ahead</h2>
            <Chart
              testid="chart-lead"
              label={`Lead time from booking to meeting: ${data.leadTime.map((b) => `${b.label}: ${b.meetings}`).join(', ')}.`}
              data={data}
              build={lead}
            />
          </section>
          <section className="insight-card insight-wide" aria-labelledby="insight-heat">
            <h2 id="insight-heat">Busiest days and hours</h2>
            <Heatmap heatmap={data.heatmap} locale={prefs.locale} zone={data.tz} />
          </section>
        </div>
      )}
    </div>
  );
}

function ratesLabel(ins: Insights): string {
  const pct = (v: number) => `${Math.round(v * 100)} %`;
  return `Per event type: ${ins.eventTypes
    .filter((t) => t.meetings + t.canceled > 0)
    .map((t) => `${t.name}, ${pct(t.cancelRate)} canceled, ${pct(t.noShowRate)} no-shows`)
    .join('; ')}.`;
}

/** One uPlot chart, redrawn when its data or the page's colours change, resized with its box. */
function Chart({
  data,
  build,
  label,
  testid,
}: {
  data: Insights;
  build: (ins: Insights, width: number, th: Theme) => [uPlot.Options, uPlot.AlignedData];
  label: string;
  testid: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [scheme, setScheme] = useState(0);
  useEffect(() => {
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    const changed = () => setScheme((n) => n + 1);
    media.addEventListener('change', changed);
    return () => media.removeEventListener('change', changed);
  }, []);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const [opts, rows] = build(data, el.clientWidth, theme());
    const plot = new uPlot(opts, rows, el);
    const resize = new ResizeObserver(() => {
      const w = Math.max(280, el.clientWidth);
      if (Math.abs(plot.width - w) > 2) plot.setSize({ width: w, height: plot.height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [data, build, scheme]);
  return (
    <figure className="insight-chart">
      <div ref={box} role="img" aria-label={label} data-testid={testid} />
    </figure>
  );
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

/** The shade of a cell holding `v` of at most `max` meetings (empty cells have their own). */
function shade(v: number, max: number): React.CSSProperties {
  return { '--heat': String(0.15 + (0.85 * v) / max) } as React.CSSProperties;
}

/** Held meetings by weekday and starting hour, shaded by how many: a table (a caption, a header
 * per day and per hour, each count written out for screen readers) with its colour scale. */
function Heatmap({ heatmap, locale, zone }: { heatmap: number[][]; locale: string; zone: string }) {
  const max = Math.max(1, ...heatmap.flat());
  const used = heatmap.flatMap((row) => row.map((v, h) => (v > 0 ? h : -1))).filter((h) => h >= 0);
  const first = Math.min(8, ...used);
  const last = Math.max(18, ...used);
  const hours = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  // 5–11 January 2026 is a Monday-to-Sunday week: its days name the weekdays in the locale.
  const dayName = (d: number) => new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' }).format(Date.UTC(2026, 0, 4 + d));
  // The scale: no meeting, then four steps up to the busiest hour's count.
  const steps = [0, ...[1, 2, 3, 4].map((k) => Math.max(1, Math.round((max * k) / 4)))].filter((v, i, all) => all.indexOf(v) === i);
  return (
    <div className="heatmap-wrap">
      <table className="heatmap" data-testid="heatmap">
        <caption>Held meetings by weekday and starting hour ({zone}); darker is busier.</caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">Day</span>
            </th>
            {hours.map((h) => (
              <th key={h} scope="col">
                {h % 2 === 0 ? String(h).padStart(2, '0') : <span className="visually-hidden">{String(h).padStart(2, '0')}</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {WEEKDAYS.map((d) => (
            <tr key={d}>
              <th scope="row">{dayName(d)}</th>
              {hours.map((h) => {
                const v = heatmap[d - 1]?.[h] ?? 0;
                return (
                  <td key={h} className={v ? 'heat' : 'heat heat-empty'} style={shade(v, max)} title={`${dayName(d)} ${String(h).padStart(2, '0')}:00 — ${plural(v, 'meeting', 'meetings')}`}>
                    <span className="visually-hidden">{v}</span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <div className="heat-scale" data-testid="heat-scale">
        <span>Fewer</span>
        <ol aria-label="Colour scale, meetings per hour">
          {steps.map((v) => (
            <li key={v} className={v ? 'heat' : 'heat heat-empty'} style={shade(v, max)} title={plural(v, 'meeting', 'meetings')}>
              <span className="visually-hidden">{plural(v, 'meeting', 'meetings')}</span>
            </li>
          ))}
        </ol>
        <span>More ({plural(max, 'meeting', 'meetings')} at most)</span>
      </div>
    </div>
  );
}
