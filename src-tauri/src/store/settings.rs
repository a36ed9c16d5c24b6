//! The `settings` table: choices the user made (OAuth client ID, redirect port, …), never secrets.

use rusqlite::{params, Connection, OptionalExtension};

use super::StoreError;

pub const OAUTH_CLIENT_ID: &str = "oauth_client_id";
pub const REDIRECT_PORT: &str = "oauth_redirect_port";

pub fn get(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub fn set(conn: &Connection, key: &str, value: Option<&str>, now: &str) -> Result<(), StoreError> {
    match value {
        Some(v) => conn
            .prepare_cached(
                "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            )?
            .execute(params![key, v, now])?,
        None => conn
            .prepare_cached("DELETE FROM settings WHERE key = ?1")?
            .execute([key])?,
    };
    Ok(())
}
