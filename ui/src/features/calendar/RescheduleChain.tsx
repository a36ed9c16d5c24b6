// A rescheduled meeting's bookings drawn as a chain of cards, earliest first: each card gives the
// booking's date, time and status and opens it; the open meeting is marked "This booking".

import { getRescheduleChain, type RescheduleLink } from '../../ipc';
import { useLoad } from '../../lib/hooks';
import { usePrefs } from '../../lib/prefs';
import { formatShortDay, formatTime, type DisplayPrefs } from '../../lib/time';

/** Moved-away bookings are canceled in Calendly; the chain says "Moved" for them, not "Canceled". */
function statusOf(link: RescheduleLink, last: boolean): { label: string; tone: 'active' | 'moved' | 'canceled' | 'unknown' } {
  if (!link.stored || !link.status) return { label: 'Not synced', tone: 'unknown' };
  if (link.status === 'active') return { label: 'Scheduled', tone: 'active' };
  return last ? { label: 'Canceled', tone: 'canceled' } : { label: 'Moved', tone: 'moved' };
}

function roleOf(index: number, currentIndex: number): string {
  if (index === currentIndex) return 'This booking';
  return index < currentIndex ? 'Earlier booking' : 'Later booking';
}

function when(link: RescheduleLink, prefs: DisplayPrefs): { day: string; time: string } {
  if (!link.start) return { day: 'Outside the synced range', time: '' };
  return {
    day: formatShortDay(link.start, prefs),
    time: link.end ? `${formatTime(link.start, prefs)}–${formatTime(link.end, prefs)}` : formatTime(link.start, prefs),
  };
}

export function RescheduleChain({ uri, version, onOpenEvent }: { uri: string; version: number; onOpenEvent: (uri: string) => void }) {
  const prefs = usePrefs();
  const { data, error } = useLoad(() => getRescheduleChain(uri), [uri, version]);
  if (error) {
    return (
      <p className="error small" role="alert">
        Could not load the reschedule history: {error.message}
      </p>
    );
  }
  // Only meaningful once it links at least two bookings of this meeting.
  if (!data || data.length < 2 || !data.some((l) => l.uri === uri)) return null;
  const currentIndex = data.findIndex((l) => l.current);
  return (
    <section className="detail-section" aria-labelledby="detail-chain">
      <h3 id="detail-chain">Reschedule history</h3>
      {/* Two bookings side by side; a longer chain runs down the panel instead of wrapping. */}
      <ol className={`resched-chain${data.length > 2 ? ' resched-chain-long' : ''}`} data-testid="reschedule-chain">
        {data.map((link, index) => {
          const status = statusOf(link, index === data.length - 1);
          const role = roleOf(index, currentIndex);
          const { day, time } = when(link, prefs);
          const body = (
            <>
              {/* The spaces draw nothing in the card's flex or grid; they keep words apart in its text. */}
              <span className="resched-role">{role}</span>{' '}
              <span className="resched-day">{day}</span>{' '}
              {time && <span className="resched-time">{time}</span>}{' '}
              <span className={`pill pill-small resched-status resched-${status.tone}`}>{status.label}</span>
            </>
          );
          return (
            <li
              key={link.uri}
              className={`resched-link${link.current ? ' resched-current' : ''}`}
              data-testid="chain-link"
              data-uri={link.uri}
              data-status={link.status ?? 'unknown'}
            >
              {link.current || !link.stored ? (
                <div
                  className="resched-card"
                  aria-current={link.current ? 'true' : undefined}
                  title={link.stored ? undefined : 'This booking is not in the local calendar (older than the synced range)'}
                >
                  {body}
                </div>
              ) : (
                <button
                  type="button"
                  className="resched-card"
                  data-testid={index === currentIndex - 1 ? 'rescheduled-from' : index === currentIndex + 1 ? 'rescheduled-to' : undefined}
                  onClick={() => onOpenEvent(link.uri)}
                  aria-label={`Open the ${role.toLowerCase()}: ${day}${time ? `, ${time}` : ''}, ${status.label}`}
                >
                  {body}
                </button>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
