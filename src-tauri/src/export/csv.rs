//! CSV of meetings or contacts for a spreadsheet: a header row, RFC 4180 quoting and CRLF
//! records through the `csv` crate. People in one cell are `Name <email>` joined by `; `.
//!
//! Names and answers come from whoever booked, so a cell a spreadsheet would run as a formula
//! (`=…`, `@…`, `+…`/`-…` with letters in it) is written with a leading `'` (OWASP's CSV
//! injection advice); phone numbers such as `+31 20 241 0288` are left alone.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::meetings::{self, mailbox};
use super::types::{ExportError, Range};
use crate::feed;
use crate::store::Store;

/// Which CSV.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum CsvKind {
    /// One row per meeting.
    #[default]
    Meetings,
    /// One row per contact.
    Contacts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvOptions {
    pub kind: CsvKind,
    /// Meetings only: keep canceled meetings (their `status` column says so).
    pub include_canceled: bool,
}

pub const MEETING_COLUMNS: [&str; 13] = [
    "uri",
    "name",
    "status",
    "start_time",
    "end_time",
    "event_type",
    "location_type",
    "location",
    "join_url",
    "invitees",
    "hosts",
    "guests",
    "no_shows",
];

pub const CONTACT_COLUMNS: [&str; 7] = [
    "email",
    "name",
    "meetings",
    "no_shows",
    "last_meeting",
    "next_meeting",
    "first_seen",
];

/// Meetings starting in `range`, or every contact (the range does not apply to contacts; `now`
/// decides which of their meetings is the last and which the next).
pub fn csv_export(
    store: &Store,
    range: Range,
    opts: CsvOptions,
    now: DateTime<Utc>,
) -> Result<String, ExportError> {
    store.read(|tx| match opts.kind {
        CsvKind::Meetings => {
            let (from_ms, to_ms) = range.bounds_ms();
            meetings_csv(tx, from_ms, to_ms, opts.include_canceled)
        }
        CsvKind::Contacts => contacts_csv(tx, now.timestamp_millis()),
    })
}

fn csv_err(e: impl std::fmt::Display) -> ExportError {
    ExportError::Csv(e.to_string())
}

/// The cell as written: defused when a spreadsheet would evaluate it.
pub(crate) fn cell(value: &str) -> std::borrow::Cow<'_, str> {
    let risky = match value.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => value.chars().any(char::is_alphabetic),
        _ => false,
    };
    if risky {
        format!("'{value}").into()
    } else {
        value.into()
    }
}

fn record<'a>(
    w: &mut ::csv::Writer<Vec<u8>>,
    cells: impl IntoIterator<Item = &'a String>,
) -> Result<(), ExportError> {
    let cells: Vec<std::borrow::Cow<'_, str>> = cells.into_iter().map(|c| cell(c)).collect();
    w.write_record(cells.iter().map(|c| c.as_bytes()))
        .map_err(csv_err)
}

fn writer() -> ::csv::Writer<Vec<u8>> {
    ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

fn finish(w: ::csv::Writer<Vec<u8>>) -> Result<String, ExportError> {
    let bytes = w.into_inner().map_err(csv_err)?;
    String::from_utf8(bytes).map_err(csv_err)
}

fn meetings_csv(
    conn: &Connection,
    from_ms: i64,
    to_ms: i64,
    include_canceled: bool,
) -> Result<String, ExportError> {
    let mut w = writer();
    w.write_record(MEETING_COLUMNS).map_err(csv_err)?;
    for m in meetings::load(conn, from_ms, to_ms, include_canceled)? {
        let invitees: Vec<String> = m.attendees().iter().map(|i| i.mailbox()).collect();
        let hosts: Vec<String> = m
            .hosts
            .iter()
            .map(|h| mailbox(h.name.as_deref(), &h.email))
            .collect();
        let no_shows = m.invitees.iter().filter(|i| i.no_show).count();
        let none = String::new();
        record(
            &mut w,
            [
                &m.uri,
                &m.name,
                &m.status,
                &m.start_time,
                &m.end_time,
                m.event_type.as_ref().unwrap_or(&none),
                m.location.kind.as_ref().unwrap_or(&none),
                m.location.location.as_ref().unwrap_or(&none),
                m.location.join_url.as_ref().unwrap_or(&none),
                &invitees.join("; "),
                &hosts.join("; "),
                &m.guests.join("; "),
                &no_shows.to_string(),
            ],
        )?;
    }
    finish(w)
}

fn contacts_csv(conn: &Connection, now_ms: i64) -> Result<String, ExportError> {
    // First seen: the contact's earliest activity; for a guest (who has none), when the first
    // meeting they were on was booked.
    let mut stmt = conn.prepare(
        "SELECT c.email, coalesce(
            (SELECT a.at FROM activities a WHERE a.contact_id = c.id ORDER BY a.at_ms, a.id LIMIT 1),
            nullif(c.created_at, ''),
            (SELECT min(e.created_at) FROM event_participants p
               JOIN scheduled_events e ON e.uri = p.event_uri WHERE p.contact_id = c.id))
         FROM contacts c",
    )?;
    let first_seen: HashMap<String, Option<String>> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut w = writer();
    w.write_record(CONTACT_COLUMNS).map_err(csv_err)?;
    for c in feed::contacts(conn, None, now_ms)? {
        let none = String::new();
        record(
            &mut w,
            [
                &c.email,
                c.name.as_ref().unwrap_or(&none),
                &c.meetings.to_string(),
                &c.no_shows.to_string(),
                c.last_meeting.as_ref().unwrap_or(&none),
                c.next_meeting.as_ref().unwrap_or(&none),
                first_seen
                    .get(&c.email)
                    .and_then(Option::as_ref)
                    .unwrap_or(&none),
            ],
        )?;
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_defused_and_phone_numbers_kept() {
        assert_eq!(
            cell("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("-cmd|' /C calc'!A0"), "'-cmd|' /C calc'!A0");
        assert_eq!(cell("+31 20 241 0288"), "+31 20 241 0288");
        assert_eq!(
            cell("Anna Schmidt <anna@example.com>"),
            "Anna Schmidt <anna@example.com>"
        );
        assert_eq!(cell(""), "");
    }
}
