//! The `webhook_inbox` table: raw deliveries, stored before they are acknowledged; what cannot be
//! applied stays with its reason, and applied bodies are pruned after the duplicate horizon.

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

/// Where a stored delivery is in its processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InboxState {
    /// Stored and acknowledged, not yet applied.
    Pending,
    Applied,
    /// Applying it failed; `error` says why and it is retried until the attempts run out.
    Failed,
    /// Authentic, but this version cannot apply it (an event it does not handle, a body it
    /// cannot read): kept with its [`UnappliedReason`] and tried again at every start.
    Unapplied,
}

/// Why an authentic delivery was not applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnappliedReason {
    /// An `event` this version does not handle.
    UnknownEvent,
    /// The body is not JSON (or not UTF-8).
    NotJson,
    /// JSON, but not the envelope or payload this version reads.
    UnexpectedShape,
}

impl UnappliedReason {
    pub fn as_str(self) -> &'static str {
        match self {
            UnappliedReason::UnknownEvent => "unknown_event",
            UnappliedReason::NotJson => "not_json",
            UnappliedReason::UnexpectedShape => "unexpected_shape",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "unknown_event" => UnappliedReason::UnknownEvent,
            "not_json" => UnappliedReason::NotJson,
            "unexpected_shape" => UnappliedReason::UnexpectedShape,
            _ => return None,
        })
    }
}

impl InboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            InboxState::Pending => "pending",
            InboxState::Applied => "applied",
            InboxState::Failed => "failed",
            InboxState::Unapplied => "unapplied",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "pending" => InboxState::Pending,
            "applied" => InboxState::Applied,
            "failed" => InboxState::Failed,
            "unapplied" => InboxState::Unapplied,
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
    /// When it was last applied, kept unapplied or failed.
    pub processed_at: Option<String>,
    pub state: InboxState,
    pub attempts: u32,
    pub error: Option<String>,
    /// Set when `state` is [`InboxState::Unapplied`].
    pub reason: Option<UnappliedReason>,
    /// When the body was pruned (applied rows past the duplicate horizon).
    pub pruned_at: Option<String>,
}

const ENTRY_COLUMNS: &str = "id, event_name, received_at, processed_at, state, attempts, error, \
     reason, pruned_at FROM webhook_inbox";

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
            reason: r
                .get::<_, Option<String>>(7)?
                .as_deref()
                .and_then(UnappliedReason::parse),
            pruned_at: r.get(8)?,
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

/// The exact bytes that were received and verified; `None` when there is no such row or its
/// body was pruned.
pub fn body(conn: &Connection, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT body FROM webhook_inbox WHERE id = ?1")?;
    let mut rows = stmt.query([id])?;
    Ok(match rows.next()? {
        Some(r) => r.get(0)?,
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
    finish_with(conn, id, state, error, None, at)
}

fn finish_with(
    conn: &Connection,
    id: i64,
    state: InboxState,
    error: Option<&str>,
    reason: Option<UnappliedReason>,
    at: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE webhook_inbox SET state = ?2, error = ?3, reason = ?4, processed_at = ?5,
                attempts = attempts + 1
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        state.as_str(),
        error,
        reason.map(UnappliedReason::as_str),
        at
    ])?;
    Ok(())
}

pub fn mark_applied(conn: &Connection, id: i64, at: &str) -> Result<(), StoreError> {
    finish(conn, id, InboxState::Applied, None, at)
}

/// Keeps an authentic delivery this version cannot apply, with why.
pub fn mark_unapplied(
    conn: &Connection,
    id: i64,
    reason: UnappliedReason,
    error: &str,
    at: &str,
) -> Result<(), StoreError> {
    finish_with(
        conn,
        id,
        InboxState::Unapplied,
        Some(error),
        Some(reason),
        at,
    )
}

/// Records a failed attempt and why; the row stays and is retried.
pub fn mark_failed(conn: &Connection, id: i64, error: &str, at: &str) -> Result<(), StoreError> {
    finish(conn, id, InboxState::Failed, Some(error), at)
}

/// Puts every unapplied row, and every failed row whose attempts ran out, back in the queue
/// (a new version may apply what an older one could not). Returns how many.
pub fn requeue_unapplied(conn: &Connection, max_attempts: u32) -> Result<usize, StoreError> {
    Ok(conn
        .prepare_cached(
            "UPDATE webhook_inbox SET state = 'pending'
             WHERE state = 'unapplied' OR (state = 'failed' AND attempts >= ?1)",
        )?
        .execute([max_attempts])?)
}

/// Drops the bodies of applied deliveries received before `cutoff` (they hold personal data);
/// their `body_sha256` stays, so a late retry is still recognised. Returns how many.
pub fn prune_applied_bodies(
    conn: &Connection,
    cutoff: &str,
    at: &str,
) -> Result<usize, StoreError> {
    Ok(conn
        .prepare_cached(
            "UPDATE webhook_inbox SET body = NULL, pruned_at = ?2
             WHERE state = 'applied' AND body IS NOT NULL AND received_at < ?1",
        )?
        .execute(params![cutoff, at])?)
}

/// Rows per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InboxCounts {
    pub pending: i64,
    pub applied: i64,
    pub unapplied: i64,
    pub failed: i64,
    /// Applied rows whose body was pruned (counted in `applied` too).
    pub pruned: i64,
}

impl InboxCounts {
    pub fn total(&self) -> i64 {
        self.pending + self.applied + self.unapplied + self.failed
    }
}

pub fn state_counts(conn: &Connection) -> Result<InboxCounts, StoreError> {
    Ok(conn.query_row(
        "SELECT coalesce(sum(state = 'pending'), 0), coalesce(sum(state = 'applied'), 0),
                coalesce(sum(state = 'unapplied'), 0), coalesce(sum(state = 'failed'), 0),
                coalesce(sum(body IS NULL), 0)
         FROM webhook_inbox",
        [],
        |r| {
            Ok(InboxCounts {
                pending: r.get(0)?,
                applied: r.get(1)?,
                unapplied: r.get(2)?,
                failed: r.get(3)?,
                pruned: r.get(4)?,
            })
        },
    )?)
}

/// Unapplied rows per reason, most frequent first.
pub fn unapplied_reasons(conn: &Connection) -> Result<Vec<(UnappliedReason, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT reason, count(*) FROM webhook_inbox WHERE state = 'unapplied'
         GROUP BY reason ORDER BY count(*) DESC, reason",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (reason, n) = row?;
        let reason = reason
            .as_deref()
            .and_then(UnappliedReason::parse)
            .unwrap_or(UnappliedReason::UnexpectedShape);
        out.push((reason, n));
    }
    Ok(out)
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
