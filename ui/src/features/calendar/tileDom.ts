// Calendar tiles as plain DOM nodes. FullCalendar's React adapter renders React content through
// one portal per tile, which dominated a month of thousands of meetings; `{ domNodes }` content
// is inserted directly. Text goes in through `textContent` only, never as HTML.

import type { EventContentArg } from '@fullcalendar/core';
import type { CalendarEvent } from '../../ipc';
import type { MoreTile, TileClock } from './tileText';

function el(tag: string, className: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The reschedule marker: the new booking points back, the moved-away one points on. */
function rescheduleMark(e: CalendarEvent): HTMLElement | null {
  if (!e.rescheduledFrom && !e.rescheduledTo) return null;
  const mark = el('span', 'ev-badge ev-badge-resched', e.rescheduledFrom ? '↻ Rescheduled' : 'Moved →');
  mark.dataset.testid = 'rescheduled-marker';
  mark.title = e.rescheduledFrom ? 'Rescheduled from an earlier booking' : 'Moved to a new time';
  return mark;
}

function badges(e: CalendarEvent): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (e.status === 'canceled' && !e.rescheduledTo) out.push(el('span', 'ev-badge ev-badge-canceled', 'Canceled'));
  if (e.anyNoShow) out.push(el('span', 'ev-badge ev-badge-noshow', 'No-show'));
  const mark = rescheduleMark(e);
  if (mark) out.push(mark);
  return out;
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
    row.append(el('span', 'fc-daygrid-event-dot'), el('span', 'ev-time', time), el('span', 'ev-month-title', who || e.name));
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
  if (who) tile.append(el('div', 'ev-who', who));
  const box = el('div', 'ev-badges');
  box.append(...badges(e));
  tile.append(box);
  return { domNodes: [tile] };
}
