// Calendar tiles as plain DOM nodes. FullCalendar's React adapter renders React content through
// one portal per tile, which dominated a month of thousands of meetings; `{ domNodes }` content
// is inserted directly. Text goes in through `textContent` only, never as HTML.

import type { EventContentArg } from '@fullcalendar/core';
import type { CalendarEvent } from '../../ipc';
import { tileBadges, type MoreTile, type TileBadge, type TileClock } from './tileText';

function el(tag: string, className: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const BADGE_CLASS: Record<TileBadge['kind'], string> = {
  canceled: 'ev-badge ev-badge-canceled',
  noshow: 'ev-badge ev-badge-noshow',
  rescheduled: 'ev-badge ev-badge-resched',
  moved: 'ev-badge ev-badge-resched',
};

/** The badges of `tileBadges`; the reschedule marker points back (new booking) or on (moved away). */
function badges(e: CalendarEvent): HTMLElement[] {
  return tileBadges(e).map((b) => {
    const node = el('span', BADGE_CLASS[b.kind], b.text);
    if (b.kind === 'rescheduled' || b.kind === 'moved') {
      node.dataset.testid = 'rescheduled-marker';
      node.title = b.kind === 'rescheduled' ? 'Rescheduled from an earlier booking' : 'Moved to a new time';
    }
    return node;
  });
}

/** Tiles show time, meeting type and invitees, as much as each view has room for. */
export function tileContent(arg: EventContentArg, clock: TileClock): true | { domNodes: Node[] } {
  const more = arg.event.extendedProps.more as MoreTile | undefined;
  if (more) return { domNodes: [el('span', 'ev-more-text', `+${more.count} more`)] };
  const e = arg.event.extendedProps.calendarEvent as CalendarEvent | undefined;
  if (!e) return true;
  const type = arg.view.type;
  const who = e.inviteeNames.join(', ');
  const time = clock.time(Date.parse(e.start));
  if (type.startsWith('dayGrid')) {
    // Month cells are narrow: start time and who, the meeting type is in the tooltip and label.
    const row = el('div', 'ev-month');
    // The spaces between flex items draw nothing; they keep the words apart for assistive tech.
    row.append(el('span', 'fc-daygrid-event-dot'), el('span', 'ev-time', time), ' ', el('span', 'ev-month-title', who || e.name));
    if (e.rescheduledFrom || e.rescheduledTo) {
      const flag = el('span', 'ev-flag ev-flag-resched', '↻');
      flag.setAttribute('aria-hidden', 'true');
      row.append(flag);
    }
    if (e.anyNoShow) {
      const flag = el('span', 'ev-flag', '!');
      flag.setAttribute('aria-hidden', 'true');
      row.append(flag);
    }
    return { domNodes: [row] };
  }
  if (type.startsWith('list')) {
    const line = el('span', 'ev-list');
    line.append(el('span', 'ev-name', e.name));
    if (who) line.append(el('span', 'ev-who', ` · ${who}`));
    line.append(...badges(e));
    return { domNodes: [line] };
  }
  const tile = el('div', 'ev-tile');
  const head = el('div', 'ev-line');
  head.append(el('span', 'ev-time', time), ' ', el('span', 'ev-name', e.name));
  tile.append(head);
  // Spaces between the blocks render nothing but keep their words apart in the accessible text.
  if (who) tile.append(' ', el('div', 'ev-who', who));
  const box = el('div', 'ev-badges');
  for (const b of badges(e)) box.append(' ', b);
  tile.append(' ', box);
  return { domNodes: [tile] };
}
