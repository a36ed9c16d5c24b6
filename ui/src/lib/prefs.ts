// The display preferences every screen formats times with, and the user's stored Preferences
// (zone, secondary zone, show canceled, …) with a way to change them.

import { createContext, useContext } from 'react';
import type { Preferences } from '../ipc/bindings.gen';
import { systemPrefs, type DisplayPrefs } from './time';

export const PrefsContext = createContext<DisplayPrefs>(systemPrefs());

export function usePrefs(): DisplayPrefs {
  return useContext(PrefsContext);
}

/** What Rust stores before the user changed anything: generated from `Preferences::default()`. */
import { DEFAULT_PREFERENCES } from '../ipc/bindings.gen';

export { DEFAULT_PREFERENCES };

export type PreferencesApi = {
  prefs: Preferences;
  /** Saves `prefs` with `patch` applied; resolves with what Rust stored, rejects with an IpcError. */
  save: (patch: Partial<Preferences>) => Promise<Preferences>;
  /** Takes a Preferences Rust returned from another command (e.g. `set_ngrok_authtoken`). */
  replace: (prefs: Preferences) => void;
};

export const PreferencesContext = createContext<PreferencesApi>({
  prefs: DEFAULT_PREFERENCES,
  save: async () => DEFAULT_PREFERENCES,
  replace: () => {},
});

export function usePreferences(): PreferencesApi {
  return useContext(PreferencesContext);
}
