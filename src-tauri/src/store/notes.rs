//! The `private_notes` table: the consultant's own notes on meetings. Only the user writes it
//! (sync and webhooks never do), and nothing sends it anywhere: it stays in the local database.

use rusqlite::{params, Connection, OptionalExtension};
use thiserror::Error;

use super::StoreError;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The consultant's private note on a meeting: stored only in the local database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PrivateNote {
    pub event_uri: String,
    pub body: String,
    /// UTC, RFC 3339 with `Z`.
    pub updated_at: String,
}

/// A note longer than this is refused (about 30 pages of text: a note, not a document store).
pub const MAX_NOTE_CHARS: usize = 100_000;

#[derive(Debug, Error)]
pub enum NoteError {
    #[error("this meeting is not in the local calendar; sync and try again")]
    UnknownMeeting,
    #[error("the note is too long ({chars} characters); keep it under {MAX_NOTE_CHARS}")]
    TooLong { chars: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for NoteError {
    fn from(e: rusqlite::Error) -> Self {
        NoteError::Store(e.into())
    }
}

pub fn get(conn: &Connection, event_uri: &str) -> Result<Option<PrivateNote>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT body, updated_at FROM private_notes WHERE event_uri = ?1")?
        .query_row([event_uri], |r| {
            Ok(PrivateNote {
                event_uri: event_uri.to_string(),
                body: r.get(0)?,
                updated_at: r.get(1)?,
            })
        })
        .optional()?)
}

/// Saves the note on a stored meeting at `now` (UTC RFC 3339); a blank note deletes it, so the
/// result is `None`. Whitespace inside a note is kept as typed.
pub fn set(
    conn: &Connection,
    event_uri: &str,
    body: &str,
    now: &str,
) -> Result<Option<PrivateNote>, NoteError> {
    let chars = body.chars().count();
    if chars > MAX_NOTE_CHARS {
        return Err(NoteError::TooLong { chars });
    }
    let stored = conn
        .prepare_cached("SELECT 1 FROM scheduled_events WHERE uri = ?1")?
        .query_row([event_uri], |_| Ok(()))
        .optional()?
        .is_some();
    if !stored {
        return Err(NoteError::UnknownMeeting);
    }
    if body.trim().is_empty() {
        conn.prepare_cached("DELETE FROM private_notes WHERE event_uri = ?1")?
            .execute([event_uri])?;
        return Ok(None);
    }
    conn.prepare_cached(
        "INSERT INTO private_notes (event_uri, body, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (event_uri) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
    )?
    .execute(params![event_uri, body, now])?;
    Ok(Some(PrivateNote {
        event_uri: event_uri.to_string(),
        body: body.to_string(),
        updated_at: now.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    const EV: &str = "https://api.calendly.com/scheduled_events/N1";

    fn store_with_event() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("n.db")).expect("store");
        store
            .with_tx(|tx| {
                tx.execute(
                    "INSERT INTO scheduled_events (uri, name, status, start_time, end_time, start_ms, end_ms, raw_json, first_seen_via)
                     VALUES (?1, 'Intro', 'active', '2026-01-01T10:00:00.000000Z', '2026-01-01T10:30:00.000000Z', 1767261600000, 1767263400000, '{}', 'api')",
                    [EV],
                )?;
                Ok::<_, StoreError>(())
            })
            .expect("insert");
        (dir, store)
    }

    #[test]
    fn a_note_is_saved_replaced_and_cleared() {
        let (_dir, store) = store_with_event();
        let saved = store
            .with_tx(|tx| {
                set(
                    tx,
                    EV,
                    "  Wants a proposal by Friday.\n",
                    "2026-01-02T08:00:00Z",
                )
            })
            .expect("set");
        assert_eq!(
            saved.as_ref().map(|n| n.body.as_str()),
            Some("  Wants a proposal by Friday.\n")
        );
        store
            .with_tx(|tx| set(tx, EV, "Sent the proposal.", "2026-01-03T08:00:00Z"))
            .expect("replace");
        let note = store.read(|tx| get(tx, EV)).expect("get").expect("note");
        assert_eq!(note.body, "Sent the proposal.");
        assert_eq!(note.updated_at, "2026-01-03T08:00:00Z");
        let cleared = store
            .with_tx(|tx| set(tx, EV, " \n\t", "2026-01-04T08:00:00Z"))
            .expect("clear");
        assert_eq!(cleared, None);
        assert_eq!(store.read(|tx| get(tx, EV)).expect("get"), None);
    }

    #[test]
    fn notes_on_unknown_meetings_and_overlong_notes_are_refused() {
        let (_dir, store) = store_with_event();
        let err = store
            .with_tx(|tx| {
                set(
                    tx,
                    "https://api.calendly.com/scheduled_events/NOPE",
                    "x",
                    "t",
                )
            })
            .expect_err("unknown");
        assert!(matches!(err, NoteError::UnknownMeeting), "{err:?}");
        let long = "é".repeat(MAX_NOTE_CHARS + 1);
        let err = store
            .with_tx(|tx| set(tx, EV, &long, "t"))
            .expect_err("too long");
        assert!(matches!(err, NoteError::TooLong { .. }), "{err:?}");
        // Exactly the limit (in characters, not bytes) is fine.
        let max = "é".repeat(MAX_NOTE_CHARS);
        store
            .with_tx(|tx| set(tx, EV, &max, "t"))
            .expect("at the limit");
    }
}
