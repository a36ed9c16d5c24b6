//! The `webhook_inbox` table: raw deliveries, stored before they are acknowledged.

use rusqlite::{params, Connection};

use super::StoreError;

/// Stores a delivery once (an exact duplicate is a no-op). Returns true when it is new.
pub fn insert(
    conn: &Connection,
    body: &[u8],
    body_sha256: &str,
    signature: &str,
    event_name: Option<&str>,
    received_at: &str,
) -> Result<bool, StoreError> {
    let n = conn
        .prepare_cached(
            "INSERT INTO webhook_inbox (body, body_sha256, signature, event_name, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (body_sha256) DO NOTHING",
        )?
        .execute(params![body, body_sha256, signature, event_name, received_at])?;
    Ok(n > 0)
}

pub fn counts(conn: &Connection) -> Result<(i64, i64), StoreError> {
    Ok(conn.query_row(
        "SELECT count(*), coalesce(sum(state = 'failed'), 0) FROM webhook_inbox",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}
