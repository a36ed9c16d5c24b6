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
        .execute(params![
            body,
            body_sha256,
            signature,
            event_name,
            received_at
        ])?;
    Ok(n > 0)
}

pub fn counts(conn: &Connection) -> Result<(i64, i64), StoreError> {
    Ok(conn.query_row(
        "SELECT count(*), coalesce(sum(state = 'failed'), 0) FROM webhook_inbox",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// Where a stored delivery is in its processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InboxState {
    /// Stored and acknowledged, not yet applied.
    Pending,
    Applied,
    /// An event Slotline does not handle; kept for the record.
    Ignored,
    /// Applying it failed; `error` says why and it is retried until the attempts run out.
    Failed,
}

impl InboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            InboxState::Pending => "pending",
            InboxState::Applied => "applied",
            InboxState::Ignored => "ignored",
            InboxState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "pending" => InboxState::Pending,
            "applied" => InboxState::Applied,
            "ignored" => InboxState::Ignored,
            "failed" => InboxState::Failed,
            other => return Err(StoreError::Data(format!("unknown inbox state {other:?}"))),
        })
    }
}

/// A stored delivery without its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxEntry {
    pub id: i64,
    pub event_name: Option<String>,
    pub received_at: String,
    /// When it was last applied, ignored or failed.
    pub processed_at: Option<String>,
    pub state: InboxState,
    pub attempts: u32,
    pub error: Option<String>,
}

const ENTRY_COLUMNS: &str =
    "id, event_name, received_at, processed_at, state, attempts, error FROM webhook_inbox";

fn entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<(InboxEntry, String)> {
    let attempts: i64 = r.get(5)?;
    Ok((
        InboxEntry {
            id: r.get(0)?,
            event_name: r.get(1)?,
            received_at: r.get(2)?,
            processed_at: r.get(3)?,
            state: InboxState::Pending,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            error: r.get(6)?,
        },
        r.get(4)?,
    ))
}

fn entries(
    stmt: &mut rusqlite::CachedStatement<'_>,
    params: impl rusqlite::Params,
) -> Result<Vec<InboxEntry>, StoreError> {
    let rows = stmt.query_map(params, entry)?;
    let mut out = Vec::new();
    for row in rows {
        let (mut e, state) = row?;
        e.state = InboxState::parse(&state)?;
        out.push(e);
    }
    Ok(out)
}

/// Deliveries still to process, in id order after `after_id`: every pending one and the failed
/// ones with fewer than `max_attempts` attempts (the caller applies the back-off).
pub fn candidates(
    conn: &Connection,
    after_id: i64,
    max_attempts: u32,
    limit: usize,
) -> Result<Vec<InboxEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ENTRY_COLUMNS}
         WHERE id > ?1 AND (state = 'pending' OR (state = 'failed' AND attempts < ?2))
         ORDER BY id LIMIT ?3"
    ))?;
    entries(
        &mut stmt,
        params![
            after_id,
            max_attempts,
            i64::try_from(limit).unwrap_or(i64::MAX)
        ],
    )
}

/// Newest first, optionally of one state: what the UI lists (failed rows stay visible).
pub fn list(
    conn: &Connection,
    state: Option<InboxState>,
    limit: usize,
) -> Result<Vec<InboxEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ENTRY_COLUMNS} WHERE ?1 IS NULL OR state = ?1 ORDER BY id DESC LIMIT ?2"
    ))?;
    entries(
        &mut stmt,
        params![
            state.map(InboxState::as_str),
            i64::try_from(limit).unwrap_or(i64::MAX)
        ],
    )
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<InboxEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {ENTRY_COLUMNS} WHERE id = ?1"))?;
    Ok(entries(&mut stmt, [id])?.into_iter().next())
}

/// The exact bytes that were received and verified.
pub fn body(conn: &Connection, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT body FROM webhook_inbox WHERE id = ?1")?;
    let mut rows = stmt.query([id])?;
    Ok(match rows.next()? {
        Some(r) => Some(r.get(0)?),
        None => None,
    })
}

fn finish(
    conn: &Connection,
    id: i64,
    state: InboxState,
    error: Option<&str>,
    at: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE webhook_inbox SET state = ?2, error = ?3, processed_at = ?4, attempts = attempts + 1
         WHERE id = ?1",
    )?
    .execute(params![id, state.as_str(), error, at])?;
    Ok(())
}

pub fn mark_applied(conn: &Connection, id: i64, at: &str) -> Result<(), StoreError> {
    finish(conn, id, InboxState::Applied, None, at)
}

pub fn mark_ignored(conn: &Connection, id: i64, at: &str) -> Result<(), StoreError> {
    finish(conn, id, InboxState::Ignored, None, at)
}

/// Records a failed attempt and why; the row stays and is retried.
pub fn mark_failed(conn: &Connection, id: i64, error: &str, at: &str) -> Result<(), StoreError> {
    finish(conn, id, InboxState::Failed, Some(error), at)
}

/// Rows per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InboxCounts {
    pub pending: i64,
    pub applied: i64,
    pub ignored: i64,
    pub failed: i64,
}

impl InboxCounts {
    pub fn total(&self) -> i64 {
        self.pending + self.applied + self.ignored + self.failed
    }
}

pub fn state_counts(conn: &Connection) -> Result<InboxCounts, StoreError> {
    Ok(conn.query_row(
        "SELECT coalesce(sum(state = 'pending'), 0), coalesce(sum(state = 'applied'), 0),
                coalesce(sum(state = 'ignored'), 0), coalesce(sum(state = 'failed'), 0)
         FROM webhook_inbox",
        [],
        |r| {
            Ok(InboxCounts {
                pending: r.get(0)?,
                applied: r.get(1)?,
                ignored: r.get(2)?,
                failed: r.get(3)?,
            })
        },
    )?)
}

/// When the newest delivery arrived, if any did.
pub fn last_received_at(conn: &Connection) -> Result<Option<String>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT received_at FROM webhook_inbox ORDER BY id DESC LIMIT 1")?;
    let mut rows = stmt.query([])?;
    Ok(match rows.next()? {
        Some(r) => Some(r.get(0)?),
        None => None,
    })
}
