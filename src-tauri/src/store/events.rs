//! The `scheduled_events` table.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};

use super::StoreError;
use crate::sync::plan::{EventRow, Existing};

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
