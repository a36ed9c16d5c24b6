// The display preferences every screen formats times with.

import { createContext, useContext } from 'react';
import { systemPrefs, type DisplayPrefs } from './time';

export const PrefsContext = createContext<DisplayPrefs>(systemPrefs());

export function usePrefs(): DisplayPrefs {
  return useContext(PrefsContext);
}
