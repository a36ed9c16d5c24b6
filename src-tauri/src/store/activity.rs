//! The `activities` table (a contact's timeline) and routing form submissions.

use rusqlite::{params, Connection};

use super::StoreError;
use crate::sync::plan::{ActivityRow, RoutingRow};

/// Inserts the activity, or moves an existing one with the same key to the earlier time.
/// Returns true when a new activity was added.
pub fn upsert(conn: &Connection, a: &ActivityRow, contact_id: i64) -> Result<bool, StoreError> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO activities (contact_id, kind, at, at_ms, event_uri, invitee_uri, idempotency_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (idempotency_key) DO NOTHING",
        )?
        .execute(params![
            contact_id,
            a.kind.as_str(),
            a.at,
            a.at_ms,
            a.event_uri,
            a.invitee_uri,
            a.key
        ])?;
    if inserted == 0 {
        conn.prepare_cached(
            "UPDATE activities SET at = ?2, at_ms = ?3 WHERE idempotency_key = ?1 AND at_ms > ?3",
        )?
        .execute(params![a.key, a.at, a.at_ms])?;
    }
    Ok(inserted > 0)
}

pub fn upsert_routing(
    conn: &Connection,
    r: &RoutingRow,
    contact_id: Option<i64>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO routing_submissions (uri, routing_form, submitter, contact_id, created_at, raw_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (uri) DO NOTHING",
    )?
    .execute(params![r.uri, r.routing_form, r.submitter, contact_id, r.created_at, r.raw_json])?;
    Ok(())
}
