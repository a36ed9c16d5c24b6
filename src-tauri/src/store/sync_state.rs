//! The `sync_state` table: cursors, watermarks and the last sync's outcome.

use rusqlite::{params, Connection, OptionalExtension};

use super::StoreError;

pub const LAST_SYNC: &str = "last_sync";
pub const LAST_SYNC_ERROR: &str = "last_sync_error";
/// Set when Calendly refused the OAuth grant: the app shows "Reconnect Calendly".
pub const RECONNECT: &str = "reconnect_required";

pub fn get(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub fn set(conn: &Connection, key: &str, value: &str, now: &str) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO sync_state (key, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )?
    .execute(params![key, value, now])?;
    Ok(())
}

pub fn delete(conn: &Connection, key: &str) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM sync_state WHERE key = ?1")?
        .execute([key])?;
    Ok(())
}
