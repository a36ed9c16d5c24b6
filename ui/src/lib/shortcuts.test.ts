import { describe, expect, it } from 'vitest';
import { calendarAction, isSearchShortcut } from './shortcuts';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});

describe('keyboard shortcuts', () => {
  it('maps the calendar keys', () => {
    expect(calendarAction(key('t'))).toBe('today');
    expect(calendarAction(key('ArrowLeft'))).toBe('prev');
    expect(calendarAction(key('ArrowRight'))).toBe('next');
    expect(['m', 'w', 'd', 'l'].map((k) => calendarAction(key(k)))).toEqual(['month', 'week', 'day', 'list']);
    expect(calendarAction(key('?'))).toBe('help');
    expect(calendarAction(key('x'))).toBeNull();
  });

  it('leaves modified keys to the browser and the app', () => {
    expect(calendarAction(key('t', { ctrlKey: true }))).toBeNull();
    expect(calendarAction(key('ArrowLeft', { altKey: true }))).toBeNull();
    expect(isSearchShortcut(key('k', { ctrlKey: true }))).toBe(true);
    expect(isSearchShortcut(key('k', { metaKey: true }))).toBe(true);
    expect(isSearchShortcut(key('k'))).toBe(false);
  });
});
