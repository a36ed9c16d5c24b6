//! The `event_participants` table: hosts, invitees and guests of each event.

use rusqlite::{params, Connection};

use super::StoreError;
use crate::sync::plan::ParticipantRow;

pub fn upsert(
    conn: &Connection,
    p: &ParticipantRow,
    contact_id: Option<i64>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO event_participants (event_uri, role, email, name, user_uri, contact_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (event_uri, role, email) DO UPDATE SET name = excluded.name,
            user_uri = excluded.user_uri, contact_id = excluded.contact_id
         WHERE name IS NOT excluded.name OR user_uri IS NOT excluded.user_uri
            OR contact_id IS NOT excluded.contact_id",
    )?
    .execute(params![
        p.event_uri,
        p.role.as_str(),
        p.email,
        p.name,
        p.user_uri,
        contact_id
    ])?;
    Ok(())
}
