// A searchable time-zone combobox over `list_timezones` (ARIA 1.2 editable combobox with a list
// popup): type "berl" and Europe/Berlin comes first; arrows, Enter, Escape, or the mouse.

import { useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { flushSync } from 'react-dom';
import { useTimezones } from '../../lib/hooks';
import { filterZones } from '../../lib/zones';
import { zoneLabel, zoneOffsetLabel } from '../../lib/time';

/** The null choice (`System time zone`, `None`) is offered first when `nullLabel` is given. */
type Option = { zone: string | null; label: string; hint: string };

export function ZonePicker({
  label,
  value,
  onChange,
  nullLabel,
  nullHint,
  testId,
  hideLabel = false,
  disabled = false,
  describedBy,
}: {
  label: string;
  value: string | null;
  onChange: (zone: string | null) => void;
  nullLabel?: string;
  nullHint?: string;
  testId?: string;
  hideLabel?: boolean;
  disabled?: boolean;
  describedBy?: string;
}) {
  const id = useId();
  const listId = `${id}-list`;
  const zones = useTimezones();
  const inputRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const now = useMemo(() => new Date(), []);

  const shown = value === null ? (nullLabel ?? '') : zoneLabel(value);
  const options = useMemo<Option[]>(() => {
    const q = query ?? '';
    const list: Option[] = filterZones(zones.data ?? (value ? [value] : []), q, q.trim() ? 60 : Infinity).map((zone) => ({
      zone,
      label: zoneLabel(zone),
      hint: zoneOffsetLabel(zone, now),
    }));
    if (nullLabel !== undefined) {
      const folded = q.trim().toLowerCase();
      if (!folded || nullLabel.toLowerCase().startsWith(folded)) {
        list.unshift({ zone: null, label: nullLabel, hint: nullHint ?? '' });
      }
    }
    return list;
  }, [zones.data, query, nullLabel, nullHint, value, now]);

  const openList = (q: string | null) => {
    setQuery(q);
    setOpen(true);
    const i = q === null ? options.findIndex((o) => o.zone === value) : 0;
    setActive(Math.max(i, 0));
    if (q === null) requestAnimationFrame(() => scrollActive(Math.max(i, 0)));
  };
  const close = () => {
    setOpen(false);
    setQuery(null);
  };
  const choose = (o: Option | undefined) => {
    if (!o) return;
    close();
    if (o.zone !== value) onChange(o.zone);
  };
  const scrollActive = (i: number) => {
    listRef.current?.querySelector<HTMLElement>(`[data-index="${i}"]`)?.scrollIntoView({ block: 'nearest' });
  };
  const move = (delta: number) => {
    if (!open) {
      openList(null);
      return;
    }
    const next = Math.min(Math.max(active + delta, 0), options.length - 1);
    setActive(next);
    scrollActive(next);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        move(e.altKey ? 0 : 1);
        break;
      case 'ArrowUp':
        e.preventDefault();
        move(-1);
        break;
      case 'PageDown':
        if (open) {
          e.preventDefault();
          move(8);
        }
        break;
      case 'PageUp':
        if (open) {
          e.preventDefault();
          move(-8);
        }
        break;
      case 'Enter':
        if (open) {
          e.preventDefault();
          choose(options[active]);
        }
        break;
      case 'Escape':
        if (open) {
          // Closing the list must not also close a panel the picker sits in.
          e.preventDefault();
          e.stopPropagation();
          // The shown zone comes back selected, so typing starts a new search: selected in this
          // handler, once React has put the zone back, not a frame later, when keys typed
          // meanwhile would be selected too and replaced by the next one.
          flushSync(close);
          e.currentTarget.select();
        }
        break;
      case 'Tab':
        close();
        break;
    }
  };

  const activeId = open && options[active] ? `${id}-opt-${active}` : undefined;

  return (
    <div className={`zone-picker${open ? ' open' : ''}`} data-testid={testId ? `${testId}-picker` : undefined}>
      <label htmlFor={`${id}-input`} className={hideLabel ? 'visually-hidden' : 'zone-picker-label'}>
        {label}
      </label>
      <div className="combo">
        <svg className="combo-icon" viewBox="0 0 24 24" aria-hidden="true">
          <circle cx="12" cy="12" r="9" />
          <path d="M3 12h18M12 3c2.5 2.7 3.8 5.7 3.8 9s-1.3 6.3-3.8 9c-2.5-2.7-3.8-5.7-3.8-9S9.5 5.7 12 3z" />
        </svg>
        <input
          ref={inputRef}
          id={`${id}-input`}
          type="text"
          role="combobox"
          data-testid={testId}
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={activeId}
          aria-describedby={describedBy}
          autoComplete="off"
          spellCheck={false}
          disabled={disabled}
          value={query ?? shown}
          onChange={(e) => openList(e.target.value)}
          onFocus={(e) => e.target.select()}
          onClick={() => (open ? undefined : openList(null))}
          onBlur={() => close()}
          onKeyDown={onKeyDown}
        />
      </div>
      <ul
        ref={listRef}
        id={listId}
        role="listbox"
        aria-label={`${label} suggestions`}
        className="combo-list"
        hidden={!open}
        data-testid={testId ? `${testId}-options` : undefined}
      >
        {open && options.length === 0 && (
          <li className="combo-empty" role="presentation">
            {zones.loading ? 'Loading zones…' : `No zone matches “${query}”`}
          </li>
        )}
        {open &&
          options.map((o, i) => (
            <li
              key={o.zone ?? '(null)'}
              id={`${id}-opt-${i}`}
              role="option"
              data-index={i}
              data-zone={o.zone ?? ''}
              data-testid="zone-option"
              aria-selected={i === active}
              className={`combo-option${o.zone === value ? ' current' : ''}`}
              // Keep focus in the input; choosing happens on click.
              onMouseDown={(e) => e.preventDefault()}
              onMouseMove={() => setActive(i)}
              onClick={() => choose(o)}
            >
              <span className="combo-option-label">{o.label}</span>
              <span className="combo-option-hint">{o.hint}</span>
            </li>
          ))}
      </ul>
      {zones.error && (
        <p className="field-error" role="alert">
          {zones.error.message}
        </p>
      )}
    </div>
  );
}
