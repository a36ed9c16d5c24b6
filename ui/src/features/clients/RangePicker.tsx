// The range a report covers: a preset, or two days picked by hand (in the display zone).

import { useState } from 'react';
import { useNow } from '../../lib/hooks';
import { usePrefs } from '../../lib/prefs';
import { initialChoice, isValidRange, presetDays, PRESETS, remember, type Preset, type RangeChoice } from './range';

/** The range choice both views share, remembered for the session. */
export function useRangeChoice(): [RangeChoice, (c: RangeChoice) => void] {
  const prefs = usePrefs();
  const now = useNow(60_000);
  const [choice, setChoice] = useState(() => initialChoice(now, prefs.zone));
  const set = (c: RangeChoice) => {
    remember(c);
    setChoice(c);
  };
  return [choice, set];
}

export function RangePicker({ choice, onChange, id }: { choice: RangeChoice; onChange: (c: RangeChoice) => void; id: string }) {
  const prefs = usePrefs();
  const now = useNow(60_000);
  // Custom days being typed: applied once both make a range.
  const [draft, setDraft] = useState({ from: choice.from, to: choice.to });
  const pick = (preset: Preset) => {
    if (preset === 'custom') {
      setDraft({ from: choice.from, to: choice.to });
      onChange({ ...choice, preset });
    } else {
      onChange({ preset, ...presetDays(preset, now, prefs.zone) });
    }
  };
  const edit = (next: { from: string; to: string }) => {
    setDraft(next);
    if (isValidRange(next.from, next.to)) onChange({ preset: 'custom', ...next });
  };
  return (
    <div className="range-picker" data-testid="range-picker">
      <label htmlFor={`${id}-preset`} className="visually-hidden">
        Range
      </label>
      <select id={`${id}-preset`} data-testid="range-preset" value={choice.preset} onChange={(e) => pick(e.target.value as Preset)}>
        {PRESETS.map((p) => (
          <option key={p.id} value={p.id}>
            {p.label}
          </option>
        ))}
      </select>
      {choice.preset === 'custom' && (
        <>
          <label className="range-day">
            <span className="visually-hidden">First day</span>
            <input type="date" data-testid="range-from" value={draft.from} max={draft.to} onChange={(e) => edit({ ...draft, from: e.target.value })} />
          </label>
          <span aria-hidden="true">–</span>
          <label className="range-day">
            <span className="visually-hidden">Last day</span>
            <input type="date" data-testid="range-to" value={draft.to} min={draft.from} onChange={(e) => edit({ ...draft, to: e.target.value })} />
          </label>
        </>
      )}
      {!isValidRange(draft.from, draft.to) && choice.preset === 'custom' && (
        <span className="error small" role="alert">
          Pick a first day on or before the last day.
        </span>
      )}
    </div>
  );
}
