//! Reading what the clients report and the insights are computed from: the meetings starting in
//! a range with their invitees, everyone who ever booked, and the consultant's overrides, in one
//! snapshot, into [`Rows`]. A short range looks up each meeting's invitees; a range holding most
//! of the store scans the meetings and the invitees in URI order and merges them in step.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::Connection;

use super::grouping::{normal_email, Grouping};
use super::model::FastMap;
pub use super::model::{Attendee, ClientPart, Invitees, Meeting, Outcome, Paid, Rows, Text};
use super::range::ReportRange;
use crate::store::{client_overrides, StoreError};

/// How the meetings are read: the rows are the same either way, only the cost differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// By how much of the store the range holds.
    Auto,
    /// The meetings in the range, each one's invitees looked up: cheap for a small range.
    Lookup,
    /// The meetings and every invitee each scanned in URI order, merged in step: cheap when
    /// the range holds most of the store.
    Merge,
}

/// The meetings starting in `range` (all of them when `None`), everyone who booked and the
/// overrides. Run inside one read transaction.
pub fn read(conn: &Connection, range: Option<&ReportRange>) -> Result<Rows, StoreError> {
    read_with(conn, range, Plan::Auto)
}

/// [`read`], reading the meetings as `plan` says.
pub fn read_with(
    conn: &Connection,
    range: Option<&ReportRange>,
    plan: Plan,
) -> Result<Rows, StoreError> {
    let (from_ms, to_ms) = range.map_or((i64::MIN, i64::MAX), ReportRange::bounds_ms);
    let mut rows = Rows::new(people(conn)?, Grouping::new(client_overrides::all(conn)?));
    let mut reader = Reader::default();
    let merge = match plan {
        Plan::Auto => {
            let (in_range, all) = counts(conn, from_ms, to_ms)?;
            // Room for them all at once: no copying a growing list of 100,000.
            rows.reserve(usize::try_from(in_range).unwrap_or(0));
            // A small range never scans the store.
            in_range >= 4096 && in_range * 2 >= all
        }
        Plan::Lookup => false,
        Plan::Merge => true,
    };
    if merge {
        reader.merged(conn, &mut rows, from_ms, to_ms)?;
    } else {
        reader.joined(conn, &mut rows, from_ms, to_ms)?;
    }
    rows.kinds = reader.kinds;
    rows.names = reader.names.list;
    Ok(rows)
}

/// How many meetings start in the range, and (when that is many) in the store: when the range
/// holds at least half of them, two scans merged in step beat one invitee lookup per meeting.
/// Counted from the small `(start_ms, end_ms)` index.
fn counts(conn: &Connection, from_ms: i64, to_ms: i64) -> Result<(i64, i64), StoreError> {
    let count = |sql: &str, params: &[&dyn rusqlite::ToSql]| -> Result<i64, StoreError> {
        Ok(conn.prepare_cached(sql)?.query_row(params, |r| r.get(0))?)
    };
    let in_range = count(
        "SELECT count(*) FROM scheduled_events INDEXED BY scheduled_events_by_start
         WHERE start_ms >= ?1 AND start_ms < ?2",
        &[&from_ms, &to_ms],
    )?;
    if in_range < 4096 {
        return Ok((in_range, i64::MAX));
    }
    let all = count("SELECT count(*) FROM scheduled_events", &[])?;
    Ok((in_range, all))
}

/// The meeting columns both plans read, in this order.
const MEETING_COLUMNS: &str =
    "e.uri, e.start_ms, e.end_ms, e.status = 'active', e.event_type, e.name, e.created_at";
/// The invitee columns both plans read, in this order.
const INVITEE_COLUMNS: &str = "i.event_uri, i.email, i.status = 'active', \
     i.no_show_uri IS NOT NULL, i.rescheduled, i.payment_amount, i.payment_currency, \
     i.payment_successful";

/// Reads rows into [`Rows`], sharing repeated texts.
#[derive(Default)]
struct Reader {
    /// One each, so consecutive rows hit the last text they read.
    types: Interner,
    names: Interner,
    currencies: Interner,
    kinds: Vec<(bool, Arc<str>)>,
    kind_of: FastMap<(bool, Arc<str>), u32>,
    /// The last meeting's kind: consecutive meetings often share it.
    last_kind: Option<(bool, Arc<str>, u32)>,
}

impl Reader {
    /// Small ranges: the meetings from the report index, each one's invitees looked up in theirs.
    fn joined(
        &mut self,
        conn: &Connection,
        rows: &mut Rows,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<(), StoreError> {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {MEETING_COLUMNS}, {INVITEE_COLUMNS}
             FROM scheduled_events e INDEXED BY scheduled_events_report
             LEFT JOIN invitees i INDEXED BY invitees_report ON i.event_uri = e.uri
             WHERE e.start_ms >= ?1 AND e.start_ms < ?2
             ORDER BY e.start_ms, e.uri"
        ))?;
        let mut q = stmt.query([from_ms, to_ms])?;
        while let Some(r) = q.next()? {
            let uri = text(r, 0)?.unwrap_or_default();
            if rows.meetings.last().is_none_or(|m| rows.text(m.uri) != uri) {
                let m = self.meeting(r, rows)?;
                rows.meetings.push(m);
            }
            if text(r, 8)?.is_some() {
                let a = self.attendee(r, 7, rows)?;
                if let Some(m) = rows.meetings.last_mut() {
                    m.invitees.push(a);
                }
            }
        }
        Ok(())
    }

    /// Most of the store: the meetings in URI order (`scheduled_events_report_by_uri`) and every
    /// invitee in event-URI order (`invitees_report`), merged in step.
    fn merged(
        &mut self,
        conn: &Connection,
        rows: &mut Rows,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<(), StoreError> {
        let mut events = conn.prepare_cached(&format!(
            "SELECT {MEETING_COLUMNS} FROM scheduled_events e
                INDEXED BY scheduled_events_report_by_uri
             WHERE e.start_ms >= ?1 AND e.start_ms < ?2 ORDER BY e.uri"
        ))?;
        let mut invitees = conn.prepare_cached(&format!(
            "SELECT {INVITEE_COLUMNS} FROM invitees i INDEXED BY invitees_report
             ORDER BY i.event_uri"
        ))?;
        let mut events = events.query([from_ms, to_ms])?;
        let mut invitees = invitees.query([])?;
        // The invitee read past the last meeting, and its event's URI.
        let mut pending: Option<Attendee> = None;
        let mut pending_uri = String::new();
        let mut done = false;
        while let Some(r) = events.next()? {
            let mut m = self.meeting(r, rows)?;
            if let Some(a) = pending.take() {
                match pending_uri.as_str().cmp(rows.text(m.uri)) {
                    // Its meeting is not in the range.
                    Ordering::Less => {}
                    Ordering::Equal => m.invitees.push(a),
                    Ordering::Greater => {
                        pending = Some(a);
                        rows.meetings.push(m);
                        continue;
                    }
                }
            }
            while !done {
                let Some(i) = invitees.next()? else {
                    done = true;
                    break;
                };
                let uri = text(i, 0)?.unwrap_or_default();
                match uri.cmp(rows.text(m.uri)) {
                    Ordering::Less => {}
                    Ordering::Equal => m.invitees.push(self.attendee(i, 0, rows)?),
                    Ordering::Greater => {
                        pending_uri.clear();
                        pending_uri.push_str(uri);
                        pending = Some(self.attendee(i, 0, rows)?);
                        break;
                    }
                }
            }
            rows.meetings.push(m);
        }
        Ok(())
    }

    fn meeting(&mut self, r: &rusqlite::Row<'_>, rows: &mut Rows) -> Result<Meeting, StoreError> {
        let event_type = text(r, 4)?.map(|t| self.types.get(t).0);
        let (name_text, name) = self.names.get(text(r, 5)?.unwrap_or_default());
        let kind = self.kind(event_type.as_ref(), &name_text);
        Ok(Meeting {
            uri: rows.keep(text(r, 0)?.unwrap_or_default()),
            start_ms: r.get(1)?,
            end_ms: r.get(2)?,
            active: r.get(3)?,
            name,
            kind,
            created_at: text(r, 6)?.map(|t| rows.keep(t)),
            invitees: Invitees::None,
        })
    }

    /// The kind of a meeting: its event type's URI, else (Calendly sent none) its name.
    fn kind(&mut self, event_type: Option<&Arc<str>>, name: &Arc<str>) -> u32 {
        let key = match event_type {
            Some(uri) => (true, uri),
            None => (false, name),
        };
        if let Some((uri, text, k)) = &self.last_kind {
            if *uri == key.0 && Arc::ptr_eq(text, key.1) {
                return *k;
            }
        }
        let key = (key.0, key.1.clone());
        let k = match self.kind_of.get(&key) {
            Some(k) => *k,
            None => {
                let k = self.kinds.len() as u32;
                self.kinds.push(key.clone());
                self.kind_of.insert(key.clone(), k);
                k
            }
        };
        self.last_kind = Some((key.0, key.1, k));
        k
    }

    /// The invitee whose columns start at `at` ([`INVITEE_COLUMNS`]).
    fn attendee(
        &mut self,
        r: &rusqlite::Row<'_>,
        at: usize,
        rows: &mut Rows,
    ) -> Result<Attendee, StoreError> {
        let email = text(r, at + 1)?.unwrap_or_default();
        let person = rows.person(&normal_email(email));
        let payment = match (r.get::<_, Option<f64>>(at + 5)?, text(r, at + 6)?) {
            (Some(amount), Some(currency)) if amount.is_finite() => Some(Paid {
                cents: (amount * 100.0).round() as i64,
                currency: self.currencies.get(currency).0,
                successful: r.get::<_, Option<bool>>(at + 7)?.unwrap_or(false),
            }),
            _ => None,
        };
        Ok(Attendee {
            person,
            active: r.get(at + 2)?,
            no_show: r.get(at + 3)?,
            rescheduled: r.get(at + 4)?,
            payment,
        })
    }
}

/// One shared copy of each text read, numbered in the order first read.
#[derive(Default)]
struct Interner {
    all: FastMap<Arc<str>, u32>,
    list: Vec<Arc<str>>,
    last: Option<(Arc<str>, u32)>,
}

impl Interner {
    /// The shared copy of `s` and its number.
    fn get(&mut self, s: &str) -> (Arc<str>, u32) {
        if let Some(last) = self.last.as_ref().filter(|(l, _)| **l == *s) {
            return last.clone();
        }
        let shared = match self.all.get_key_value(s) {
            Some((a, n)) => (a.clone(), *n),
            None => {
                let a: Arc<str> = Arc::from(s);
                let n = self.list.len() as u32;
                self.list.push(a.clone());
                self.all.insert(a.clone(), n);
                (a, n)
            }
        };
        self.last = Some(shared.clone());
        shared
    }
}

/// A text column without copying it.
fn text<'a>(r: &'a rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<&'a str>> {
    r.get_ref(i)?.as_str_or_null().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Everyone who booked (guests are contacts but no one's client).
pub(crate) fn people(conn: &Connection) -> Result<HashMap<String, Option<String>>, StoreError> {
    Ok(people_by_contact(conn)?.0)
}

/// [`people`], and each one's contact number (what the report's facts name people by).
#[allow(clippy::type_complexity)]
pub(crate) fn people_by_contact(
    conn: &Connection,
) -> Result<(HashMap<String, Option<String>>, Vec<(i64, String)>), StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.email, c.name FROM contacts c
         WHERE EXISTS (SELECT 1 FROM invitees i WHERE i.contact_id = c.id)",
    )?;
    let mut q = stmt.query([])?;
    let (mut people, mut contacts) = (HashMap::new(), Vec::new());
    while let Some(r) = q.next()? {
        let email = normal_email(text(r, 1)?.unwrap_or_default()).into_owned();
        people.insert(email.clone(), r.get::<_, Option<String>>(2)?);
        contacts.push((r.get(0)?, email));
    }
    Ok((people, contacts))
}
