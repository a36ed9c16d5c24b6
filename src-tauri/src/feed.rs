//! Read models for the UI: the calendar range, an event's detail, contacts and their timeline,
//! and the status line. Plain serializable structs; `ts-rs` turns them into `ui/src/ipc/bindings.gen.ts`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One meeting as the calendar shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CalendarEvent {
    pub uri: String,
    pub name: String,
    /// `active` or `canceled`.
    pub status: String,
    /// UTC, RFC 3339 with `Z`.
    pub start: String,
    pub end: String,
    pub location_type: Option<String>,
    pub join_url: Option<String>,
    /// Names (or emails) of the active invitees, for the tile.
    pub invitee_names: Vec<String>,
    #[ts(type = "number")]
    pub invitees_active: i64,
    pub rescheduled_from: Option<String>,
    pub rescheduled_to: Option<String>,
    pub any_no_show: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QuestionAnswer {
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InviteeDetail {
    pub uri: String,
    pub name: Option<String>,
    pub email: String,
    pub status: String,
    pub timezone: Option<String>,
    pub no_show: bool,
    pub rescheduled: bool,
    /// The event URI of the booking this one replaced (Calendly links invitees; this is its event).
    pub rescheduled_from: Option<String>,
    /// The event URI of the booking that replaced this one.
    pub rescheduled_to: Option<String>,
    pub cancel_reason: Option<String>,
    pub canceled_by: Option<String>,
    pub canceler_type: Option<String>,
    pub questions_and_answers: Vec<QuestionAnswer>,
    pub cancel_url: Option<String>,
    pub reschedule_url: Option<String>,
    /// What the invitee paid (paid event types only).
    #[ts(optional = nullable)]
    pub payment: Option<PaymentView>,
}

/// An invitee's Calendly payment, as the meeting's detail panel shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PaymentView {
    pub amount: Option<f64>,
    /// ISO 4217, upper case (`EUR`, `USD`, …).
    pub currency: Option<String>,
    /// False when the charge failed: it counts in no revenue.
    pub successful: bool,
    /// `stripe` or `paypal`.
    pub provider: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub name: Option<String>,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EventDetail {
    pub uri: String,
    pub name: String,
    pub status: String,
    pub start: String,
    pub end: String,
    pub event_type: Option<String>,
    pub location_type: Option<String>,
    /// Address, phone number or free text, depending on `location_type`.
    pub location: Option<String>,
    pub join_url: Option<String>,
    pub meeting_notes: Option<String>,
    pub hosts: Vec<Person>,
    pub invitees: Vec<InviteeDetail>,
    pub guests: Vec<Person>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContactSummary {
    pub email: String,
    pub name: Option<String>,
    #[ts(type = "number")]
    pub meetings: i64,
    #[ts(type = "number")]
    pub no_shows: i64,
    pub last_meeting: Option<String>,
    pub next_meeting: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActivityItem {
    /// `booked`, `canceled`, `rescheduled`, `no_show`, `no_show_cleared`, `routing_form_submitted`.
    pub kind: String,
    pub at: String,
    pub event_uri: Option<String>,
    pub event_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContactDetail {
    pub email: String,
    pub name: Option<String>,
    pub activity: Vec<ActivityItem>,
    pub answers: Vec<QuestionAnswer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    pub name: String,
    pub email: String,
    pub timezone: Option<String>,
    pub avatar_url: Option<String>,
    /// `pat` or `oauth`.
    pub auth_kind: String,
    /// True when the account is the built-in offline sandbox.
    pub sandbox: bool,
    pub api_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatusView {
    pub account: Option<AccountView>,
    pub last_sync: Option<String>,
    pub last_sync_error: Option<String>,
    #[ts(type = "number")]
    pub events: i64,
    #[ts(type = "number")]
    pub contacts: i64,
    pub syncing: bool,
    /// Set when Calendly refused the OAuth grant: the user must reconnect.
    pub reconnect: Option<String>,
    /// Unix seconds of the last OAuth token refresh.
    #[ts(type = "number | null")]
    pub last_refresh: Option<i64>,
    pub webhooks: WebhookStatus,
    /// The keyring's state: `ok`, or a sentence saying what is wrong and what to do.
    pub keyring: String,
    /// Set while Calendly's renewed sign-in is held in memory only because the keyring refused
    /// it: what happened and what to do.
    #[ts(optional = nullable)]
    pub token_warning: Option<String>,
    /// The webhook inbox as the store has it (whether or not the receiver runs).
    pub inbox: InboxStatus,
}

/// Stored webhook deliveries that are not applied (yet), from the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "camelCase")]
pub struct InboxStatus {
    /// Stored, waiting to be applied.
    #[ts(type = "number")]
    pub pending: i64,
    /// Applying failed; retried with back-off.
    #[ts(type = "number")]
    pub failed: i64,
    /// Authentic but not understood by this version: kept, and tried again at every start.
    #[ts(type = "number")]
    pub unapplied: i64,
    /// `unapplied` per reason, most frequent first.
    pub unapplied_reasons: Vec<UnappliedCount>,
}

/// How many unapplied deliveries share one reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UnappliedCount {
    /// `unknown_event`, `not_json` or `unexpected_shape`.
    pub reason: String,
    #[ts(type = "number")]
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    pub pages: u32,
    pub events_seen: u32,
    pub invitee_requests: u32,
    pub events_changed: u32,
    pub activities_added: u32,
}

/// Real-time delivery as the status line shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "camelCase")]
pub struct WebhookStatus {
    /// `off`, `polling`, `receiving` or `error`.
    pub state: String,
    pub public_url: Option<String>,
    /// `ngrok`, `public-url` or null.
    pub tunnel: Option<String>,
    /// `active`, `disabled`, `refused: <why>` or null.
    pub subscription: Option<String>,
    pub last_delivery: Option<String>,
    #[ts(type = "number")]
    pub pending: i64,
    #[ts(type = "number")]
    pub failed: i64,
    pub message: Option<String>,
}

/// The file the window exported, to show and reveal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportResult {
    pub path: String,
}

/// An OAuth authorization just started: the URL opened in the system browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OAuthStart {
    pub authorize_url: String,
    pub redirect_uri: String,
}

/// What Settings shows and edits (never a secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub oauth_client_id: Option<String>,
    pub redirect_port: u16,
    /// Whether an OAuth client secret is stored in the keyring.
    pub has_client_secret: bool,
    /// The redirect URI to register for a Sandbox app in Calendly.
    pub loopback_redirect_uri: String,
    /// `pat`, `oauth` or null when not connected.
    pub auth_kind: Option<String>,
    #[ts(type = "number | null")]
    pub last_refresh: Option<i64>,
}

/// The error every command returns: the UI switches on `kind`, shows `message`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IpcError {
    /// `not_connected`, `keyring`, `calendly`, `network`, `store`, `invalid_input`, `internal`.
    pub kind: String,
    pub message: String,
}

/// Emitted as the Tauri event `data-changed` after anything the UI shows was written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DataChanged {
    /// What became stale: any of `events`, `contacts`, `status`, `dashboard`, `webhooks`.
    pub stale: Vec<String>,
}

/// One booking of a rescheduled meeting, as the detail panel's chain draws it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RescheduleLink {
    /// The event URI.
    pub uri: String,
    /// False when the booking is not in the local store (e.g. older than the synced window): only
    /// its URI is known.
    pub stored: bool,
    /// True for the meeting the chain was asked about.
    pub current: bool,
    pub name: Option<String>,
    /// `active` or `canceled`; null when not stored.
    pub status: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
}

pub use crate::store::notes::PrivateNote;

// ---- Queries -------------------------------------------------------------------------------

use rusqlite::{params, Connection, OptionalExtension};

use crate::store::{account, inbox, sync_state, StoreError};

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

fn qa_of(raw: &str) -> Vec<QuestionAnswer> {
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

/// Contacts, optionally filtered by a case-insensitive substring of name or email.
pub fn contacts(
    conn: &Connection,
    query: Option<&str>,
    now_ms: i64,
) -> Result<Vec<ContactSummary>, StoreError> {
    let pattern = format!("%{}%", query.unwrap_or("").trim());
    let mut stmt = conn.prepare_cached(
        "SELECT c.email, c.name,
            (SELECT count(DISTINCT p.event_uri) FROM event_participants p
               JOIN scheduled_events e ON e.uri = p.event_uri
               WHERE p.contact_id = c.id AND e.status = 'active'),
            (SELECT count(*) FROM invitees i WHERE i.contact_id = c.id AND i.no_show_uri IS NOT NULL),
            (SELECT max(e.start_time) FROM event_participants p JOIN scheduled_events e ON e.uri = p.event_uri
               WHERE p.contact_id = c.id AND e.status = 'active' AND e.start_ms < ?2),
            (SELECT min(e.start_time) FROM event_participants p JOIN scheduled_events e ON e.uri = p.event_uri
               WHERE p.contact_id = c.id AND e.status = 'active' AND e.start_ms >= ?2)
         FROM contacts c
         WHERE c.email LIKE ?1 OR coalesce(c.name, '') LIKE ?1
         ORDER BY coalesce(c.name, c.email) COLLATE NOCASE",
    )?;
    let rows = stmt.query_map(params![pattern, now_ms], |r| {
        Ok(ContactSummary {
            email: r.get(0)?,
            name: r.get(1)?,
            meetings: r.get(2)?,
            no_shows: r.get(3)?,
            last_meeting: r.get(4)?,
            next_meeting: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn contact_detail(conn: &Connection, email: &str) -> Result<Option<ContactDetail>, StoreError> {
    let Some((id, email, name)) = conn
        .prepare_cached("SELECT id, email, name FROM contacts WHERE email = ?1")?
        .query_row([email], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT a.kind, a.at, a.event_uri, e.name FROM activities a
         LEFT JOIN scheduled_events e ON e.uri = a.event_uri
         WHERE a.contact_id = ?1 ORDER BY a.at_ms DESC, a.id DESC",
    )?;
    let activity = stmt
        .query_map([id], |r| {
            Ok(ActivityItem {
                kind: r.get(0)?,
                at: r.get(1)?,
                event_uri: r.get(2)?,
                event_name: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT questions_json FROM invitees WHERE contact_id = ?1 ORDER BY created_at DESC",
    )?;
    let mut answers = Vec::new();
    for raw in stmt.query_map([id], |r| r.get::<_, String>(0))? {
        for qa in qa_of(&raw?) {
            if !answers.contains(&qa) {
                answers.push(qa);
            }
        }
    }
    Ok(Some(ContactDetail {
        email,
        name,
        activity,
        answers,
    }))
}

/// The status line's facts; `keyring` is filled in by the caller, which owns the secret store.
pub fn status(conn: &Connection) -> Result<StatusView, StoreError> {
    let account = account::get(conn)?.map(|a| AccountView {
        name: a.name,
        email: a.email,
        timezone: a.timezone,
        avatar_url: a.avatar_url,
        auth_kind: a.auth_kind,
        sandbox: a.is_sandbox,
        api_url: a.api_url,
    });
    let events = conn.query_row("SELECT count(*) FROM scheduled_events", [], |r| r.get(0))?;
    let contacts = conn.query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))?;
    Ok(StatusView {
        account,
        last_sync: sync_state::get(conn, sync_state::LAST_SYNC)?,
        last_sync_error: sync_state::get(conn, sync_state::LAST_SYNC_ERROR)?,
        events,
        contacts,
        syncing: false,
        reconnect: sync_state::get(conn, sync_state::RECONNECT)?,
        last_refresh: None,
        webhooks: WebhookStatus::default(),
        keyring: "ok".into(),
        token_warning: None,
        inbox: inbox_status(conn)?,
    })
}

/// The inbox's pending, failed and unapplied deliveries, with the reasons of the unapplied.
pub fn inbox_status(conn: &Connection) -> Result<InboxStatus, StoreError> {
    let counts = inbox::state_counts(conn)?;
    Ok(InboxStatus {
        pending: counts.pending,
        failed: counts.failed,
        unapplied: counts.unapplied,
        unapplied_reasons: inbox::unapplied_reasons(conn)?
            .into_iter()
            .map(|(reason, count)| UnappliedCount {
                reason: reason.as_str().into(),
                count,
            })
            .collect(),
    })
}
