//! The meeting read models: the calendar range, a meeting's detail, its reschedule chain and its
//! private note.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;

use super::views::{
    CalendarEvent, EventDetail, InviteeDetail, PaymentView, Person, PrivateNote, QuestionAnswer,
    RescheduleLink,
};
use crate::store::StoreError;

fn json_field(raw: &Option<String>, key: &str) -> Option<String> {
    raw.as_deref()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
        .and_then(|v| v.get(key).and_then(|x| x.as_str()).map(str::to_string))
}

/// The longest meeting the calendar expects: it bounds the index scan from below, so a range
/// query reads only the range (a two-week meeting would still show from its start).
const MAX_MEETING_MS: i64 = 14 * 24 * 3600 * 1000;

/// The two fields of a stored `location` the calendar needs, read without building a JSON tree.
#[derive(Deserialize, Default)]
struct TileLocation {
    #[serde(rename = "type")]
    kind: Option<String>,
    join_url: Option<String>,
}

/// An invitee URI (as Calendly links reschedules) to its event's URI, which the UI opens.
fn event_of(invitee_uri: Option<String>) -> Option<String> {
    invitee_uri.and_then(|u| crate::calendly::models::event_of_invitee_uri(&u))
}

/// Events overlapping `[from_ms, to_ms)`, by start.
///
/// Read from the covering index `scheduled_events_calendar` alone (migration 0005): the invitee
/// summary a tile shows is kept on the event's row by triggers, so the query touches no invitee
/// and no table row (the bench in tests/bench/store.rs measures it against the old query).
pub fn calendar_range(
    conn: &Connection,
    from_ms: i64,
    to_ms: i64,
    include_canceled: bool,
) -> Result<Vec<CalendarEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT uri, name, status, start_time, end_time, location_json,
            coalesce(invitees_active, 0), invitee_names, rescheduled_from, rescheduled_to, no_shows
         FROM scheduled_events
         WHERE start_ms < ?2 AND end_ms > ?1 AND start_ms > ?1 - ?4
           AND (?3 OR status = 'active')
         ORDER BY start_ms, uri",
    )?;
    let rows = stmt.query_map(
        params![from_ms, to_ms, include_canceled, MAX_MEETING_MS],
        |r| {
            let location = r
                .get_ref(5)?
                .as_str_or_null()?
                .and_then(|s| serde_json::from_str::<TileLocation>(s).ok())
                .unwrap_or_default();
            let names = r.get_ref(7)?.as_str_or_null()?;
            Ok(CalendarEvent {
                uri: r.get(0)?,
                name: r.get(1)?,
                status: r.get(2)?,
                start: r.get(3)?,
                end: r.get(4)?,
                location_type: location.kind,
                join_url: location.join_url,
                invitee_names: names
                    .map(|n| n.split('\x1f').map(str::to_string).collect())
                    .unwrap_or_default(),
                invitees_active: r.get(6)?,
                rescheduled_from: event_of(r.get(8)?),
                rescheduled_to: event_of(r.get(9)?),
                any_no_show: r.get::<_, i64>(10)? > 0,
            })
        },
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn qa_of(raw: &str) -> Vec<QuestionAnswer> {
    serde_json::from_str::<Vec<serde_json::Value>>(raw)
        .unwrap_or_default()
        .into_iter()
        .map(|q| QuestionAnswer {
            question: q["question"].as_str().unwrap_or_default().to_string(),
            answer: q["answer"].as_str().unwrap_or_default().to_string(),
        })
        .collect()
}

pub fn event_detail(conn: &Connection, uri: &str) -> Result<Option<EventDetail>, StoreError> {
    let Some((name, status, start, end, event_type, location, notes)) = conn
        .prepare_cached(
            "SELECT name, status, start_time, end_time, event_type, location_json, meeting_notes
             FROM scheduled_events WHERE uri = ?1",
        )?
        .query_row([uri], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let people = |role: &str| -> Result<Vec<Person>, StoreError> {
        let mut stmt = conn.prepare_cached(
            "SELECT name, email FROM event_participants WHERE event_uri = ?1 AND role = ?2 ORDER BY email",
        )?;
        let rows = stmt.query_map(params![uri, role], |r| {
            Ok(Person {
                name: r.get(0)?,
                email: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    let mut stmt = conn.prepare_cached(
        "SELECT uri, name, email, status, timezone, no_show_uri, rescheduled, old_invitee,
            new_invitee, cancellation_json, questions_json, cancel_url, reschedule_url,
            payment_successful, payment_amount, payment_currency, payment_provider
         FROM invitees WHERE event_uri = ?1 ORDER BY created_at, uri",
    )?;
    let invitees = stmt
        .query_map([uri], |r| {
            let cancellation: Option<String> = r.get(9)?;
            let qa: String = r.get(10)?;
            Ok(InviteeDetail {
                uri: r.get(0)?,
                name: r.get(1)?,
                email: r.get(2)?,
                status: r.get(3)?,
                timezone: r.get(4)?,
                no_show: r.get::<_, Option<String>>(5)?.is_some(),
                rescheduled: r.get(6)?,
                // The UI opens the other booking: its event, not Calendly's invitee URI.
                rescheduled_from: event_of(r.get(7)?),
                rescheduled_to: event_of(r.get(8)?),
                cancel_reason: json_field(&cancellation, "reason"),
                canceled_by: json_field(&cancellation, "canceled_by"),
                canceler_type: json_field(&cancellation, "canceler_type"),
                questions_and_answers: qa_of(&qa),
                cancel_url: r.get(11)?,
                reschedule_url: r.get(12)?,
                payment: match r.get::<_, Option<bool>>(13)? {
                    Some(successful) => Some(PaymentView {
                        amount: r.get(14)?,
                        currency: r.get(15)?,
                        successful,
                        provider: r.get(16)?,
                    }),
                    None => None,
                },
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(Some(EventDetail {
        uri: uri.to_string(),
        name,
        status,
        start,
        end,
        event_type,
        location_type: json_field(&location, "type"),
        location: json_field(&location, "location"),
        join_url: json_field(&location, "join_url"),
        meeting_notes: notes,
        hosts: people("host")?,
        invitees,
        guests: people("guest")?,
    }))
}

/// A stored booking of a chain, with the event URIs it was moved from and to.
type ChainStep = (RescheduleLink, Option<String>, Option<String>);

/// A rescheduled meeting never points at more bookings than this either way (a loop guard).
const MAX_CHAIN: usize = 50;

/// The bookings of a meeting that was rescheduled, earliest first, `uri` among them; empty when
/// `uri` is not stored, one link when it was never rescheduled. Each step follows the stored
/// reschedule links (`rescheduled_from` / `rescheduled_to` of the event's invitees); a booking
/// that is not stored ends the chain on its side, as a link with only its URI.
pub fn reschedule_chain(conn: &Connection, uri: &str) -> Result<Vec<RescheduleLink>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, status, start_time, end_time, rescheduled_from, rescheduled_to
         FROM scheduled_events WHERE uri = ?1",
    )?;
    let mut load = |uri: &str| -> Result<Option<ChainStep>, StoreError> {
        Ok(stmt
            .query_row([uri], |r| {
                Ok((
                    RescheduleLink {
                        uri: uri.to_string(),
                        stored: true,
                        current: false,
                        name: r.get(0)?,
                        status: r.get(1)?,
                        start: r.get(2)?,
                        end: r.get(3)?,
                    },
                    event_of(r.get(4)?),
                    event_of(r.get(5)?),
                ))
            })
            .optional()?)
    };
    let unstored = |uri: String| RescheduleLink {
        uri,
        stored: false,
        current: false,
        name: None,
        status: None,
        start: None,
        end: None,
    };
    let Some((mut this, mut back, mut forward)) = load(uri)? else {
        return Ok(Vec::new());
    };
    this.current = true;
    let mut seen = vec![uri.to_string()];
    let mut earlier = Vec::new();
    while let Some(prev) = back.take().filter(|p| !seen.contains(p)) {
        if earlier.len() == MAX_CHAIN {
            break;
        }
        seen.push(prev.clone());
        match load(&prev)? {
            Some((link, from, _)) => {
                earlier.push(link);
                back = from;
            }
            None => earlier.push(unstored(prev)),
        }
    }
    let mut later = Vec::new();
    while let Some(next) = forward.take().filter(|n| !seen.contains(n)) {
        if later.len() == MAX_CHAIN {
            break;
        }
        seen.push(next.clone());
        match load(&next)? {
            Some((link, _, to)) => {
                later.push(link);
                forward = to;
            }
            None => later.push(unstored(next)),
        }
    }
    earlier.reverse();
    earlier.push(this);
    earlier.extend(later);
    Ok(earlier)
}

/// The private note on a meeting, if the consultant wrote one.
pub fn private_note(conn: &Connection, uri: &str) -> Result<Option<PrivateNote>, StoreError> {
    crate::store::notes::get(conn, uri)
}
