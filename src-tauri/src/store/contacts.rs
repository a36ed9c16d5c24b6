//! The `contacts` table: one row per email, matched case-insensitively.

use rusqlite::{params, Connection};

use super::StoreError;
use crate::sync::plan::ContactUpsert;

/// Inserts the contact or updates its name when this booking is newer than the one that named it.
/// Writes nothing when nothing changes.
pub fn upsert(conn: &Connection, c: &ContactUpsert) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO contacts (email, name, name_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, coalesce(?3, ''), coalesce(?3, ''))
         ON CONFLICT (email) DO UPDATE SET name = excluded.name, name_at = excluded.name_at,
            updated_at = coalesce(excluded.name_at, updated_at)
         WHERE excluded.name IS NOT NULL
           AND (contacts.name_at IS NULL OR excluded.name_at > contacts.name_at
                OR (excluded.name_at = contacts.name_at AND excluded.name > contacts.name))
           AND (contacts.name IS NOT excluded.name OR contacts.name_at IS NOT excluded.name_at)",
    )?
    .execute(params![c.email, c.name, c.name_at])?;
    Ok(())
}

pub fn id_of(conn: &Connection, email: &str) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id FROM contacts WHERE email = ?1")?
        .query_row([email], |r| r.get(0))?)
}
