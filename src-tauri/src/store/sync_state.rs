//! The `sync_state` table: cursors, watermarks and the last sync's outcome.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::StoreError;

pub const LAST_SYNC: &str = "last_sync";
pub const LAST_SYNC_ERROR: &str = "last_sync_error";
/// An unfinished reconcile: the [`Cursor`] to resume from, as JSON.
pub const SYNC_CURSOR: &str = "sync_cursor";
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

/// Where an interrupted reconcile stopped: the next page of the listing to fetch and the query it
/// belongs to. Written in the same transaction as the page before it, so it never points past
/// a page that was not applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The window listed, RFC 3339 UTC.
    pub from: String,
    pub to: String,
    /// `user:<uri>` or `organization:<uri>`: a page token is only good for its own query.
    pub scope: String,
    pub page_token: String,
    /// Pages applied before `page_token`.
    pub pages_done: u32,
    pub saved_at: String,
}

pub fn cursor(conn: &Connection) -> Result<Option<Cursor>, StoreError> {
    match get(conn, SYNC_CURSOR)? {
        // An unreadable cursor (an older format) is as good as none: the sync starts over.
        Some(raw) => Ok(serde_json::from_str(&raw).ok()),
        None => Ok(None),
    }
}

pub fn set_cursor(conn: &Connection, c: &Cursor) -> Result<(), StoreError> {
    set(conn, SYNC_CURSOR, &serde_json::to_string(c)?, &c.saved_at)
}

pub fn clear_cursor(conn: &Connection) -> Result<(), StoreError> {
    delete(conn, SYNC_CURSOR)
}
