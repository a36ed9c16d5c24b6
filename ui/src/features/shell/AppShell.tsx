// The connected app: navigation, the current screen, and the status line. Cross-screen state
// (which meeting or contact is open, the calendar's view) lives here so switching tabs keeps it.

import { lazy, Suspense, useCallback, useEffect, useState, type SyntheticEvent } from 'react';
import type { StatusView } from '../../ipc';
import type { Versions } from '../../App';
import type { CalendarState, Selection } from '../calendar/CalendarPage';
import { HomePage } from '../home/HomePage';

// Only Home is in the first chunk. The calendar (FullCalendar and its plugins, most of the UI's
// code) and the other screens load as their own chunks, so the first screen paints without
// parsing them. A screen's chunk is fetched when the pointer or the keyboard focus reaches a
// control that opens it (its `data-screen`), some 100 ms before the click, and not while the app
// idles: the idle window would keep every screen's code in memory (5 MiB of the web process,
// measured for issue 16) for a user who may never open them.
const loadCalendar = () => import('../calendar/CalendarPage');
const loadContacts = () => import('../contacts/ContactsPage');
const loadSettings = () => import('../settings/SettingsPage');
const loadSearch = () => import('../search/SearchDialog');
const loadReconnect = () => import('../connect/ReconnectBanner');
const loadClients = () => import('../clients/ClientsPage');
// Not prefetched: the charts library loads only when Insights opens.
const loadInsights = () => import('../insights/InsightsPage');
/** The chunk each `data-screen` value opens; Home is in the first chunk, and Insights' charting
 * code loads only when that view opens. */
const SCREENS: Partial<Record<string, () => Promise<unknown>>> = {
  calendar: loadCalendar,
  contacts: loadContacts,
  clients: loadClients,
  settings: loadSettings,
  search: loadSearch,
  reconnect: loadReconnect,
};

/** Starts fetching the chunk of the screen that the control under the pointer or focus opens. */
function prefetchScreen(e: SyntheticEvent): void {
  const screen = (e.target as Element | null)?.closest?.('[data-screen]')?.getAttribute('data-screen');
  const load = screen ? SCREENS[screen] : undefined;
  if (load) void load();
}
const CalendarPage = lazy(() => loadCalendar().then((m) => ({ default: m.CalendarPage })));
const ContactsPage = lazy(() => loadContacts().then((m) => ({ default: m.ContactsPage })));
const SettingsPage = lazy(() => loadSettings().then((m) => ({ default: m.SettingsPage })));
const SearchDialog = lazy(() => loadSearch().then((m) => ({ default: m.SearchDialog })));
const ReconnectBanner = lazy(() => loadReconnect().then((m) => ({ default: m.ReconnectBanner })));
const ClientsPage = lazy(() => loadClients().then((m) => ({ default: m.ClientsPage })));
const InsightsPage = lazy(() => loadInsights().then((m) => ({ default: m.InsightsPage })));
import { isSearchShortcut } from '../../lib/shortcuts';
import { StatusLine } from './StatusLine';
import { Logo } from './Logo';

type Tab = 'home' | 'calendar' | 'contacts' | 'clients' | 'insights' | 'settings';

const TABS: Array<{ id: Tab; label: string; icon: React.ReactNode }> = [
  {
    id: 'home',
    label: 'Home',
    icon: (
      <svg viewBox="0 0 24 24" aria-hidden="true">
        <path d="M3 11.5 12 4l9 7.5" />
        <path d="M5.5 10v10h13V10" />
        <path d="M10 20v-5h4v5" />
      </svg>
    ),
  },
  {
    id: 'calendar',
    label: 'Calendar',
    icon: (
      <svg viewBox="0 0 24 24" aria-hidden="true">
        <rect x="3" y="5" width="18" height="16" rx="3" />
        <path d="M3 10h18M8 3v4M16 3v4" />
      </svg>
    ),
  },
  {
    id: 'contacts',
    label: 'Contacts',
    icon: (
      <svg viewBox="0 0 24 24" aria-hidden="true">
        <circle cx="12" cy="8" r="4" />
        <path d="M4 21c1-4 4.5-6 8-6s7 2 8 6" />
      </svg>
    ),
  },
  {
    id: 'clients',
    label: 'Clients',
    icon: (
      <svg viewBox="0 0 24 24" aria-hidden="true">
        <rect x="3" y="7" width="18" height="13" rx="2" />
        <path d="M9 7V5a1 1 0 0 1 1-1h4a1 1 0 0 1 1 1v2M3 13h18" />
      </svg>
    ),
  },
  {
    id: 'insights',
    label: 'Insights',
    icon: (
      <svg viewBox="0 0 24 24" aria-hidden="true">
        <path d="M4 20V10M10 20V4M16 20v-7M22 20H2" />
      </svg>
    ),
  },
  {
    id: 'settings',
    label: 'Settings',
    icon: (
      <svg viewBox="0 0 24 24" aria-hidden="true">
        <circle cx="12" cy="12" r="3" />
        <path d="M12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M4.9 19.1 7 17M17 7l2.1-2.1" />
      </svg>
    ),
  },
];

export function AppShell({
  status,
  versions,
  refreshStatus,
}: {
  status: StatusView;
  versions: Versions;
  refreshStatus: () => Promise<void>;
}) {
  const [tab, setTab] = useState<Tab>('home');
  const [selection, setSelection] = useState<Selection | null>(null);
  const [calendar, setCalendar] = useState<CalendarState>({ view: 'timeGridWeek', date: null });
  const [searchOpen, setSearchOpen] = useState(false);
  const [contactEmail, setContactEmail] = useState<string | null>(null);
  // The banner stays while its Connect flow runs, even after the new status cleared `reconnect`.
  const [reconnectOpen, setReconnectOpen] = useState(false);
  const [reconnectMessage, setReconnectMessage] = useState(status.reconnect);
  if (status.reconnect && status.reconnect !== reconnectMessage) setReconnectMessage(status.reconnect);
  const showBanner = !!status.reconnect || reconnectOpen;

  const reconnected = useCallback(() => {
    setReconnectOpen(false);
    setTab('home');
    void refreshStatus();
  }, [refreshStatus]);

  const openEvent = useCallback((uri: string) => {
    setSelection({ uri, reveal: true });
    setTab('calendar');
  }, []);
  const openContact = useCallback((email: string) => {
    setContactEmail(email);
    setTab('contacts');
  }, []);
  const openCalendar = useCallback((view: string, day?: string) => {
    setCalendar({ view, date: day ?? null });
    setTab('calendar');
  }, []);

  // Ctrl/Cmd+K opens search from anywhere in the window.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!isSearchShortcut(e)) return;
      e.preventDefault();
      setSearchOpen(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="shell" onPointerOver={prefetchScreen} onFocus={prefetchScreen}>
      <nav className="sidebar" aria-label="Main">
        <div className="sidebar-brand">
          <Logo size={28} />
          <span>Slotline</span>
        </div>
        <ul>
          {TABS.map((t) => (
            <li key={t.id}>
              <button
                type="button"
                className="nav-item"
                data-testid={`nav-${t.id}`}
                data-screen={t.id}
                aria-current={tab === t.id ? 'page' : undefined}
                onClick={() => setTab(t.id)}
              >
                {t.icon}
                <span>{t.label}</span>
              </button>
            </li>
          ))}
        </ul>
        <button type="button" className="nav-search" data-testid="open-search" data-screen="search" onClick={() => setSearchOpen(true)} aria-keyshortcuts="Control+K Meta+K">
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <circle cx="11" cy="11" r="7" />
            <path d="m20 20-3.5-3.5" />
          </svg>
          <span>Search</span>
          <kbd aria-hidden="true">Ctrl K</kbd>
        </button>
      </nav>
      {showBanner && reconnectMessage && (
        <div className="banner-area">
          <Suspense fallback={null}>
            <ReconnectBanner
              message={reconnectMessage}
              resolved={!status.reconnect}
              open={reconnectOpen}
              onOpen={() => setReconnectOpen(true)}
              onClose={() => setReconnectOpen(false)}
              onReconnected={reconnected}
            />
          </Suspense>
        </div>
      )}
      <main className="content" aria-label={TABS.find((t) => t.id === tab)?.label}>
        {tab === 'home' && (
          <HomePage
            version={versions.dashboard}
            accountName={status.account?.name ?? ''}
            onOpenEvent={openEvent}
            onOpenContact={openContact}
            onOpenCalendar={openCalendar}
          />
        )}
        {tab === 'calendar' && (
          <Suspense fallback={<p className="muted page-loading">Opening the calendar…</p>}>
            <CalendarPage
              eventsVersion={versions.events}
              selection={selection}
              onSelect={setSelection}
              state={calendar}
              onState={setCalendar}
              onOpenContact={openContact}
            />
          </Suspense>
        )}
        {tab === 'contacts' && (
          <Suspense fallback={<p className="muted page-loading">Opening contacts…</p>}>
            <ContactsPage
              version={versions.contacts + versions.events}
              email={contactEmail}
              onSelectContact={setContactEmail}
              onOpenEvent={openEvent}
            />
          </Suspense>
        )}
        {tab === 'clients' && (
          <Suspense fallback={<p className="muted page-loading">Opening clients…</p>}>
            <ClientsPage version={versions.contacts + versions.events} onOpenEvent={openEvent} />
          </Suspense>
        )}
        {tab === 'insights' && (
          <Suspense fallback={<p className="muted page-loading">Opening insights…</p>}>
            <InsightsPage version={versions.events} />
          </Suspense>
        )}
        {tab === 'settings' && (
          <Suspense fallback={<p className="muted page-loading">Opening settings…</p>}>
            <SettingsPage status={status} onDisconnected={refreshStatus} />
          </Suspense>
        )}
      </main>
      <StatusLine status={status} refreshStatus={refreshStatus} onReconnect={() => setReconnectOpen(true)} />
      {searchOpen && (
        <Suspense fallback={null}>
          <SearchDialog onClose={() => setSearchOpen(false)} onOpenEvent={openEvent} onOpenContact={openContact} />
        </Suspense>
      )}
    </div>
  );
}
