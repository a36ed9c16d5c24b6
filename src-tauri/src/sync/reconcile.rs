//! What a reconcile must fetch beyond the listing: pure decisions over a listed event and its
//! stored row, so the budget rules are tested without a network.
//!
//! Calendly has no "updated since" filter, so every sync re-lists the window; the listing's
//! `updated_at` and `invitees_counter` then say which events' invitees could have changed.
//! A known gap: marking or clearing a no-show changes the invitee but is not documented to touch
//! the event's `updated_at` or counter, so the listing cannot reveal it. No-shows are marked
//! around the meeting, so the invitees of events in a short recent range (default 7 days back,
//! 1 day ahead) are fetched on every sync; older no-show changes arrive by webhook only.

use chrono::{DateTime, Utc};

use crate::calendly::models::ScheduledEvent;

/// The stored side of a listed event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub updated_at: Option<String>,
    pub invitees_total: Option<i64>,
    pub invitees_active: Option<i64>,
    /// Invitee rows stored for the event, all and active.
    pub invitee_rows: i64,
    pub active_invitee_rows: i64,
    pub status: String,
    /// `api` or `webhook`.
    pub first_seen_via: String,
}

/// Why an event's invitees are fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetch {
    /// Not stored yet.
    New,
    /// `updated_at` differs from the stored one.
    Updated,
    /// `invitees_counter` differs from the stored counter or from the invitee rows stored.
    Counter,
    /// In the recent range, where no-shows change without touching the event.
    Recent,
}

/// The range whose invitees are always re-fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recent {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

fn instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

fn same_instant(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b || (instant(a).is_some() && instant(a) == instant(b)),
        (None, None) => true,
        _ => false,
    }
}

/// Whether (and why) the invitees of a listed event must be fetched.
pub fn invitee_fetch(
    listed: &ScheduledEvent,
    stored: Option<&StoredEvent>,
    recent: &Recent,
) -> Option<Fetch> {
    let Some(s) = stored else {
        return Some(Fetch::New);
    };
    if !same_instant(listed.updated_at.as_deref(), s.updated_at.as_deref()) {
        return Some(Fetch::Updated);
    }
    if let Some(c) = &listed.invitees_counter {
        let stored_counter =
            (s.invitees_total, s.invitees_active) != (Some(c.total), Some(c.active));
        let rows = (s.invitee_rows, s.active_invitee_rows) != (c.total, c.active);
        if stored_counter || rows {
            return Some(Fetch::Counter);
        }
    }
    match instant(&listed.start_time) {
        Some(start) if start >= recent.from && start < recent.to => Some(Fetch::Recent),
        _ => None,
    }
}

/// What to do with a stored, still-active event the full listing of its window did not show,
/// once it has been looked up on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vanished {
    /// Calendly still has it: apply what it says.
    Apply,
    /// Calendly no longer has it (404) and the app only knew it from the API: mark it canceled.
    MarkCanceled,
    /// Leave the row as it is: it came from a webhook (a listing by user may simply not cover
    /// it), or Calendly refused to show it (403), which says nothing about the meeting.
    Keep,
}

/// The lookup's answer for a vanished event: `Some(true)` found, `Some(false)` 404, `None`
/// refused.
pub fn vanished(found: Option<bool>, stored: &StoredEvent) -> Vanished {
    match found {
        Some(true) => Vanished::Apply,
        Some(false) if stored.first_seen_via == "api" => Vanished::MarkCanceled,
        _ => Vanished::Keep,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendly::models::InviteesCounter;

    fn listed(start: &str, updated: &str, total: i64, active: i64) -> ScheduledEvent {
        ScheduledEvent {
            uri: "https://api.calendly.com/scheduled_events/E".into(),
            name: Some("Intro".into()),
            status: "active".into(),
            start_time: start.into(),
            end_time: start.into(),
            event_type: None,
            location: None,
            invitees_counter: Some(InviteesCounter {
                total,
                active,
                limit: Some(1),
            }),
            created_at: None,
            updated_at: Some(updated.into()),
            event_memberships: vec![],
            event_guests: vec![],
            cancellation: None,
            meeting_notes_plain: None,
            meeting_notes_html: None,
            extra: Default::default(),
        }
    }

    fn stored(updated: &str, total: i64, active: i64, via: &str) -> StoredEvent {
        StoredEvent {
            updated_at: Some(updated.into()),
            invitees_total: Some(total),
            invitees_active: Some(active),
            invitee_rows: total,
            active_invitee_rows: active,
            status: "active".into(),
            first_seen_via: via.into(),
        }
    }

    fn recent() -> Recent {
        Recent {
            from: instant("2026-05-01T00:00:00Z").expect("t"),
            to: instant("2026-05-09T00:00:00Z").expect("t"),
        }
    }

    const U1: &str = "2026-04-01T10:00:00.000000Z";

    #[test]
    fn unchanged_events_outside_the_recent_range_fetch_nothing() {
        let ev = listed("2026-06-01T10:00:00.000000Z", U1, 1, 1);
        assert_eq!(
            invitee_fetch(&ev, Some(&stored(U1, 1, 1, "api")), &recent()),
            None
        );
        // The same instant written differently is the same.
        let s = stored("2026-04-01T10:00:00Z", 1, 1, "api");
        assert_eq!(invitee_fetch(&ev, Some(&s), &recent()), None);
    }

    #[test]
    fn new_updated_recounted_and_recent_events_fetch_their_invitees() {
        let ev = listed("2026-06-01T10:00:00.000000Z", U1, 1, 1);
        assert_eq!(invitee_fetch(&ev, None, &recent()), Some(Fetch::New));
        let s = stored("2026-03-01T10:00:00.000000Z", 1, 1, "api");
        assert_eq!(
            invitee_fetch(&ev, Some(&s), &recent()),
            Some(Fetch::Updated)
        );
        let ev2 = listed("2026-06-01T10:00:00.000000Z", U1, 2, 1);
        assert_eq!(
            invitee_fetch(&ev2, Some(&stored(U1, 1, 1, "api")), &recent()),
            Some(Fetch::Counter)
        );
        let soon = listed("2026-05-08T23:00:00.000000Z", U1, 1, 1);
        assert_eq!(
            invitee_fetch(&soon, Some(&stored(U1, 1, 1, "api")), &recent()),
            Some(Fetch::Recent)
        );
        let edge = listed("2026-05-09T00:00:00.000000Z", U1, 1, 1);
        assert_eq!(
            invitee_fetch(&edge, Some(&stored(U1, 1, 1, "api")), &recent()),
            None
        );
    }

    #[test]
    fn a_webhook_stored_event_missing_invitee_rows_is_completed() {
        // A group event first seen by webhook: the counter matches, one row of three is stored.
        let ev = listed("2026-06-01T10:00:00.000000Z", U1, 3, 3);
        let mut s = stored(U1, 3, 3, "webhook");
        s.invitee_rows = 1;
        s.active_invitee_rows = 1;
        assert_eq!(
            invitee_fetch(&ev, Some(&s), &recent()),
            Some(Fetch::Counter)
        );
    }

    #[test]
    fn vanished_events_are_only_canceled_when_calendly_says_they_are_gone() {
        let api = stored(U1, 1, 1, "api");
        let hook = stored(U1, 1, 1, "webhook");
        assert_eq!(vanished(Some(true), &api), Vanished::Apply);
        assert_eq!(vanished(Some(true), &hook), Vanished::Apply);
        assert_eq!(vanished(Some(false), &api), Vanished::MarkCanceled);
        assert_eq!(vanished(Some(false), &hook), Vanished::Keep);
        assert_eq!(vanished(None, &api), Vanished::Keep);
    }
}
