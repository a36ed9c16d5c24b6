//! The `scheduled_events` table.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};

use super::StoreError;
use crate::sync::plan::{EventRow, Existing};
use crate::sync::reconcile::StoredEvent;

pub fn existing(
    conn: &Connection,
    uris: &[String],
) -> Result<HashMap<String, Existing>, StoreError> {
    let mut out = HashMap::new();
    let mut stmt =
        conn.prepare_cached("SELECT updated_at, raw_json FROM scheduled_events WHERE uri = ?1")?;
    for uri in uris {
        if let Some(e) = stmt
            .query_row([uri], |r| {
                Ok(Existing {
                    updated_at: r.get(0)?,
                    raw_json: r.get(1)?,
                })
            })
            .optional()?
        {
            out.insert(uri.clone(), e);
        }
    }
    Ok(out)
}

pub fn upsert(conn: &Connection, e: &EventRow) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO scheduled_events (uri, name, status, start_time, end_time, start_ms, end_ms,
            event_type, location_json, meeting_notes, invitees_total, invitees_active,
            cancellation_json, created_at, updated_at, raw_json, first_seen_via)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
         ON CONFLICT (uri) DO UPDATE SET
            name = excluded.name, status = excluded.status, start_time = excluded.start_time,
            end_time = excluded.end_time, start_ms = excluded.start_ms, end_ms = excluded.end_ms,
            event_type = excluded.event_type, location_json = excluded.location_json,
            meeting_notes = excluded.meeting_notes, invitees_total = excluded.invitees_total,
            invitees_active = excluded.invitees_active, cancellation_json = excluded.cancellation_json,
            created_at = excluded.created_at, updated_at = excluded.updated_at,
            raw_json = excluded.raw_json",
    )?
    .execute(params![
        e.uri,
        e.name,
        e.status,
        e.start_time,
        e.end_time,
        e.start_ms,
        e.end_ms,
        e.event_type,
        e.location_json,
        e.meeting_notes,
        e.invitees_total,
        e.invitees_active,
        e.cancellation_json,
        e.created_at,
        e.updated_at,
        e.raw_json,
        e.source.as_str(),
    ])?;
    Ok(())
}

const STORED_EVENT: &str =
    "SELECT e.uri, e.updated_at, e.invitees_total, e.invitees_active, e.status,
        e.first_seen_via,
        (SELECT COUNT(*) FROM invitees i WHERE i.event_uri = e.uri),
        (SELECT COUNT(*) FROM invitees i WHERE i.event_uri = e.uri AND i.status = 'active')
     FROM scheduled_events e";

fn stored_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, StoredEvent)> {
    Ok((
        r.get(0)?,
        StoredEvent {
            updated_at: r.get(1)?,
            invitees_total: r.get(2)?,
            invitees_active: r.get(3)?,
            status: r.get(4)?,
            first_seen_via: r.get(5)?,
            invitee_rows: r.get(6)?,
            active_invitee_rows: r.get(7)?,
        },
    ))
}

/// What a reconcile compares listed events against: the stored rows of `uris` that exist.
pub fn stored_for_reconcile(
    conn: &Connection,
    uris: &[String],
) -> Result<HashMap<String, StoredEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("{STORED_EVENT} WHERE e.uri = ?1"))?;
    let mut out = HashMap::new();
    for uri in uris {
        if let Some((uri, e)) = stmt.query_row([uri], stored_event).optional()? {
            out.insert(uri, e);
        }
    }
    Ok(out)
}

/// Active events stored with a start in `[from_ms, to_ms)`: the ones a full listing of that
/// window must show.
pub fn active_between(
    conn: &Connection,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<(String, StoredEvent)>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{STORED_EVENT} WHERE e.start_ms >= ?1 AND e.start_ms < ?2 AND e.status = 'active'"
    ))?;
    let rows = stmt.query_map([from_ms, to_ms], stored_event)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The stored Calendly resource of an event, as JSON.
pub fn raw_json(conn: &Connection, uri: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT raw_json FROM scheduled_events WHERE uri = ?1")?
        .query_row([uri], |r| r.get(0))
        .optional()?)
}
