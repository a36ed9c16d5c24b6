// The calendar's keyboard shortcuts, documented in its `?` popover, and the search palette's.

export type CalendarAction = 'today' | 'prev' | 'next' | 'month' | 'week' | 'day' | 'list' | 'help';

export const CALENDAR_SHORTCUTS: Array<{ keys: string[]; action: CalendarAction; label: string }> = [
  { keys: ['T'], action: 'today', label: 'Go to today' },
  { keys: ['←'], action: 'prev', label: 'Previous month, week or day' },
  { keys: ['→'], action: 'next', label: 'Next month, week or day' },
  { keys: ['M'], action: 'month', label: 'Month view' },
  { keys: ['W'], action: 'week', label: 'Week view' },
  { keys: ['D'], action: 'day', label: 'Day view' },
  { keys: ['L'], action: 'list', label: 'List (agenda) view' },
  { keys: ['?'], action: 'help', label: 'Show or hide these shortcuts' },
];

/** Keys on a meeting in the month, week or day grid (features/calendar/gridKeys.ts). */
export const GRID_SHORTCUTS: Array<{ keys: string[]; label: string }> = [
  { keys: ['↑', '↓'], label: 'On a meeting: the previous or next one that day' },
  { keys: ['←', '→'], label: 'On a meeting: the nearest one the day before or after' },
  { keys: ['Home', 'End'], label: 'On a meeting: the first or last one shown' },
  { keys: ['Enter'], label: 'Open the meeting’s details' },
];

/** App-wide shortcuts, listed in the same popover. */
export const GLOBAL_SHORTCUTS: Array<{ keys: string[]; label: string }> = [
  { keys: ['Ctrl', 'K'], label: 'Search meetings and contacts (⌘K on a Mac)' },
  { keys: ['Esc'], label: 'Close the details, a dialog or a popover' },
];

export const VIEW_OF: Partial<Record<CalendarAction, string>> = {
  month: 'dayGridMonth',
  week: 'timeGridWeek',
  day: 'timeGridDay',
  list: 'listWeek',
};

type KeyLike = { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean };

/** The calendar action a key press asks for, or null (modifier keys never count). */
export function calendarAction(e: KeyLike): CalendarAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  switch (e.key) {
    case 't':
    case 'T':
      return 'today';
    case 'ArrowLeft':
      return 'prev';
    case 'ArrowRight':
      return 'next';
    case 'm':
    case 'M':
      return 'month';
    case 'w':
    case 'W':
      return 'week';
    case 'd':
    case 'D':
      return 'day';
    case 'l':
    case 'L':
      return 'list';
    case '?':
      return 'help';
    default:
      return null;
  }
}

/** True for Ctrl+K / Cmd+K. */
export function isSearchShortcut(e: KeyLike): boolean {
  return (e.ctrlKey || e.metaKey) && !e.altKey && (e.key === 'k' || e.key === 'K');
}

/**
 * True when keys belong to what has focus: text fields, selects, editable content, radio groups,
 * and anything inside a dialog or a combobox's list.
 */
export function isTypingTarget(el: Element | null): boolean {
  if (!el) return false;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (el as HTMLInputElement).type;
    return !['button', 'submit', 'reset', 'checkbox'].includes(type);
  }
  if ((el as HTMLElement).isContentEditable) return true;
  return !!el.closest('dialog, [role="dialog"], [role="listbox"], [role="menu"], [role="radiogroup"], .mini-month');
}
