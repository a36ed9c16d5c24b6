// Repairs to FullCalendar 6's own markup that an axe audit finds, applied to the DOM it renders
// (its options offer no hook for them). Preact only rewrites an attribute when its own props
// change, so a repair made once stays.

import type { DayCellMountArg, MoreLinkMountArg } from '@fullcalendar/core';

/**
 * The prev/next buttons hold a `role="img"` icon with no name; the button is named by its title
 * ("Next week"), so the icon is decoration.
 */
export function repairToolbar(root: HTMLElement | null) {
  root?.querySelectorAll('.fc-toolbar .fc-icon[role="img"]').forEach((icon) => {
    icon.removeAttribute('role');
    icon.setAttribute('aria-hidden', 'true');
  });
}

/** The "+N more" link is an `<a>` without href that takes `aria-expanded`: it acts as a button. */
export function moreLinkDidMount(arg: MoreLinkMountArg) {
  arg.el.setAttribute('role', 'button');
}

/**
 * A month cell is a gridcell labelled by its day number alone, though it shows its meetings too
 * (WCAG 2.5.3 wants the visible text in the name): its name comes from its content instead.
 */
export function dayCellDidMount(arg: DayCellMountArg) {
  if (arg.el.tagName === 'TD' && arg.el.getAttribute('role') === 'gridcell') arg.el.removeAttribute('aria-labelledby');
}
