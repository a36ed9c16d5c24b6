//! The store as an RFC 5545 calendar, rendered by `icalendar` (CRLF, 75-octet folding, text
//! escaping). One `VEVENT` per scheduled event, its `UID` taken from the Calendly URI so that a
//! re-import or a feed refresh updates the same entry instead of adding a copy.
//!
//! No `METHOD` is written: this is a published snapshot, not an iTIP message, so `DTSTAMP` is the
//! time the meeting was last revised (RFC 5545 §3.8.7.2) and the output is the same for the same
//! store, which is what lets the ICS feed answer `304 Not Modified`. No `ORGANIZER`/`ATTENDEE`
//! either: calendar apps would offer to send replies to Calendly's invitees.
//!
//! Every text that came from Calendly (names, answers, places, notes) is untrusted: control
//! characters are stripped before it is written (a bare CR would end the line for some readers
//! and start a property of the sender's choosing), and a URL is written only when it is http(s).

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use super::meetings::{self, mailbox, Meeting};
use super::types::{ExportError, Range};
use crate::store::{Store, StoreError};

pub const PRODID: &str = "-//Slotline//Slotline 0.1//EN";

/// The domain part of every `UID`.
const UID_DOMAIN: &str = "slotline.calendly";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IcsOptions {
    /// Keep canceled meetings as `STATUS:CANCELLED` (and transparent to free/busy) instead of
    /// leaving them out.
    pub include_canceled: bool,
}

/// How often a subscribed calendar app should refetch (the feed only).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Refresh(pub chrono::Duration);

/// Meetings starting in `range` as an iCalendar document. `now` only stands in for `DTSTAMP`
/// when a meeting carries no revision time.
pub fn ics_export(
    store: &Store,
    range: Range,
    opts: IcsOptions,
    now: DateTime<Utc>,
) -> Result<String, ExportError> {
    let (from_ms, to_ms) = range.bounds_ms();
    store.read(|tx| render_calendar(tx, from_ms, to_ms, opts, now, None))
}

/// A stable `UID` for a Calendly URI: its last path segment (the event's UUID) at
/// `slotline.calendly`, or a hash of the whole URI when that segment is not a plain token.
pub fn uid_of(uri: &str) -> String {
    let last = uri.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let plain = !last.is_empty()
        && last.len() <= 64
        && last
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if plain && last != uri {
        format!("{last}@{UID_DOMAIN}")
    } else {
        format!(
            "{}@{UID_DOMAIN}",
            hex::encode(Sha256::digest(uri.as_bytes()))
        )
    }
}

pub(crate) fn render_calendar(
    conn: &Connection,
    from_ms: i64,
    to_ms: i64,
    opts: IcsOptions,
    now: DateTime<Utc>,
    refresh: Option<Refresh>,
) -> Result<String, ExportError> {
    let mut cal = Calendar::empty();
    cal.append_property(("VERSION", "2.0"));
    cal.append_property(("PRODID", PRODID));
    cal.append_property(("CALSCALE", "GREGORIAN"));
    cal.name("Slotline");
    if let Some(Refresh(every)) = refresh {
        cal.ttl(&every);
    }
    for m in meetings::load(conn, from_ms, to_ms, opts.include_canceled)? {
        cal.push(vevent(&m, now)?);
    }
    let mut out = String::new();
    write!(out, "{cal}").map_err(|e| ExportError::Calendar(e.to_string()))?;
    Ok(refold(&out))
}

/// The longest physical line RFC 5545 §3.1 allows, in octets, without the CRLF.
const MAX_LINE: usize = 75;

/// `icalendar` 0.17 folds at 75 octets but lets a last continuation line (its leading space
/// included) reach 76, so its output is unfolded and folded again: every physical line at most
/// 75 octets, never splitting a UTF-8 character.
fn refold(rendered: &str) -> String {
    let unfolded = rendered.replace("\r\n ", "");
    let mut out = String::with_capacity(rendered.len() + rendered.len() / 64);
    for line in unfolded.split_terminator("\r\n") {
        let mut room = MAX_LINE;
        let mut used = 0;
        for c in line.chars() {
            if used + c.len_utf8() > room {
                out.push_str("\r\n ");
                // The continuation's leading space takes one octet.
                room = MAX_LINE - 1;
                used = 0;
            }
            out.push(c);
            used += c.len_utf8();
        }
        out.push_str("\r\n");
    }
    out
}

fn instant(ms: i64, uri: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Data(format!("{uri} has a time out of range ({ms} ms)")))
}

fn parse_utc(s: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s?)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// When the meeting (or one of its invitees) last changed.
fn revised(m: &Meeting) -> Option<DateTime<Utc>> {
    std::iter::once(m.updated_at.as_deref())
        .chain(m.invitees.iter().map(|i| i.updated_at.as_deref()))
        .filter_map(parse_utc)
        .max()
}

fn vevent(m: &Meeting, now: DateTime<Utc>) -> Result<Event, ExportError> {
    let start = instant(m.start_ms, &m.uri)?;
    let end = instant(m.end_ms, &m.uri)?;
    let created = parse_utc(m.created_at.as_deref());
    let revised = revised(m);
    let mut ev = Event::new();
    ev.uid(&uid_of(&m.uri))
        .timestamp(revised.or(created).unwrap_or(now))
        .starts(start)
        .ends(end)
        .summary(&one_line(&summary(m)))
        .description(&clean_text(&description(m)))
        .status(if m.is_canceled() {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        })
        // A canceled meeting no longer makes the user busy.
        .add_property(
            "TRANSP",
            if m.is_canceled() {
                "TRANSPARENT"
            } else {
                "OPAQUE"
            },
        );
    if let Some(created) = created {
        ev.created(created);
    }
    if let Some(revised) = revised {
        ev.last_modified(revised);
    }
    let join = web_url(m.location.join_url.as_deref());
    if let Some(place) = m.location.location.as_deref().or(join.as_deref()) {
        ev.location(&one_line(place));
    }
    if let Some(url) = &join {
        ev.url(url);
    }
    Ok(ev.done())
}

/// `text` without control characters, line breaks kept as `\n` (which `icalendar` escapes):
/// a CR, alone or before a LF, a NUL, an escape sequence... are dropped; a tab is a space.
fn clean_text(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// [`clean_text`] on one line: line breaks become spaces.
fn one_line(text: &str) -> String {
    clean_text(text).replace('\n', " ")
}

/// The URL, normalised, when it is an http(s) URL; anything else (`javascript:`, `file:`, a
/// meeting app's own scheme, junk) is not written.
fn web_url(raw: Option<&str>) -> Option<String> {
    let url = url::Url::parse(raw?.trim()).ok()?;
    matches!(url.scheme(), "http" | "https")
        .then(|| url.to_string())
        .filter(|u| !u.chars().any(char::is_control))
}

/// The event name, and for a meeting with one person, who it is with.
fn summary(m: &Meeting) -> String {
    match m.attendees().as_slice() {
        [one] => {
            let who = one
                .name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .unwrap_or(&one.email);
            format!("{} with {who}", m.name)
        }
        _ => m.name.clone(),
    }
}

fn description(m: &Meeting) -> String {
    let mut lines: Vec<String> = Vec::new();
    if let Some(url) = web_url(m.location.join_url.as_deref()) {
        lines.push(format!("Join: {url}"));
    }
    if let Some(place) = &m.location.location {
        let how = match m.location.kind.as_deref() {
            Some("outbound_call") => "Call",
            Some("inbound_call") => "Phone",
            _ => "Where",
        };
        lines.push(format!("{how}: {place}"));
    }
    if m.is_canceled() {
        // Calendly puts the cancellation on the invitee; the event carries it only sometimes.
        let first = m.invitees.iter().find(|i| i.canceled_by.is_some());
        let by = m
            .canceled_by
            .as_deref()
            .or(first.and_then(|i| i.canceled_by.as_deref()))
            .map(|b| format!(" by {b}"))
            .unwrap_or_default();
        let why = m
            .cancel_reason
            .as_deref()
            .or(first.and_then(|i| i.cancel_reason.as_deref()))
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        lines.push(format!("Canceled{by}{why}"));
    }
    if !m.invitees.is_empty() {
        lines.push("Invitees:".into());
        for i in &m.invitees {
            let mut line = format!("- {}", i.mailbox());
            if let Some(tz) = &i.timezone {
                line.push_str(&format!(" ({tz})"));
            }
            if i.status != "active" && !m.is_canceled() {
                line.push_str(" [canceled]");
            }
            if i.no_show {
                line.push_str(" [no-show]");
            }
            lines.push(line);
            for qa in &i.questions {
                lines.push(format!(
                    "  {} {}",
                    qa.question,
                    qa.answer.lines().collect::<Vec<_>>().join(" / ")
                ));
            }
        }
    }
    if !m.guests.is_empty() {
        lines.push(format!("Guests: {}", m.guests.join(", ")));
    }
    if !m.hosts.is_empty() {
        let hosts: Vec<String> = m
            .hosts
            .iter()
            .map(|h| mailbox(h.name.as_deref(), &h.email))
            .collect();
        lines.push(format!("Hosts: {}", hosts.join(", ")));
    }
    if let Some(notes) = &m.meeting_notes {
        lines.push(format!("Notes: {notes}"));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_every_line_within_75_octets() {
        for n in [70, 74, 75, 76, 148, 149, 150, 151, 300] {
            for filler in ["x", "é", "老"] {
                let value: String = filler.repeat(n / filler.len());
                let doc = format!("BEGIN:VCALENDAR\r\nSUMMARY:{value}\r\nEND:VCALENDAR\r\n");
                let folded = refold(&doc);
                assert!(folded.ends_with("END:VCALENDAR\r\n"));
                for line in folded.split("\r\n") {
                    assert!(line.len() <= MAX_LINE, "{} octets: {line:?}", line.len());
                }
                assert_eq!(folded.replace("\r\n ", ""), doc, "unfolds to the original");
            }
        }
    }

    #[test]
    fn control_characters_are_dropped_and_only_web_urls_kept() {
        assert_eq!(clean_text("a\rATTENDEE:x"), "aATTENDEE:x");
        assert_eq!(
            clean_text("a\r\nb\u{0}\u{1b}[31m\u{7f}\u{85}c\td"),
            "a\nb[31mc d"
        );
        assert_eq!(one_line("two\nlines"), "two lines");
        assert_eq!(
            web_url(Some("https://zoom.us/j/1?pwd=x")).as_deref(),
            Some("https://zoom.us/j/1?pwd=x")
        );
        assert_eq!(
            web_url(Some("http://example.com")).as_deref(),
            Some("http://example.com/")
        );
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "zoommtg://zoom.us/join",
            "data:text/html,x",
            "not a url",
            "",
        ] {
            assert_eq!(web_url(Some(bad)), None, "{bad:?}");
        }
        // The URL parser drops tabs and line breaks, so nothing can follow the URL on its line.
        let sneaky = web_url(Some("https://a.example/x\r\nX-EVIL:1")).expect("still https");
        assert!(!sneaky.contains(['\r', '\n']), "{sneaky:?}");
    }

    #[test]
    fn uids_come_from_the_event_uuid() {
        assert_eq!(
            uid_of(
                "https://api.calendly.com/scheduled_events/11111111-1111-4111-8111-111111111111"
            ),
            "11111111-1111-4111-8111-111111111111@slotline.calendly"
        );
        assert_eq!(
            uid_of("https://api.calendly.com/scheduled_events/ABC/"),
            "ABC@slotline.calendly"
        );
        let odd = uid_of("https://api.calendly.com/scheduled_events/a b");
        assert!(odd.ends_with("@slotline.calendly"));
        assert_eq!(odd.len(), 64 + "@slotline.calendly".len());
        assert_eq!(odd, uid_of("https://api.calendly.com/scheduled_events/a b"));
    }
}
