//! What the clients report and the insights are computed from: the meetings starting in a range
//! with their invitees, everyone who ever booked, and the consultant's overrides, read in one
//! snapshot. What counts where is decided here, once, for the report, the insights and a
//! client's page alike.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;

use super::grouping::{normalize_email, Grouping};
use super::range::ReportRange;
use crate::store::{client_overrides, StoreError};

/// One scheduled event and its invitees.
#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    pub uri: String,
    /// The event type's URI (the name groups meetings without one).
    pub event_type: Option<String>,
    pub name: String,
    /// The event's own status is `active`.
    pub active: bool,
    pub start_ms: i64,
    pub end_ms: i64,
    /// When it was booked (RFC 3339), for the lead time.
    pub created_at: Option<String>,
    pub invitees: Vec<Attendee>,
}

/// One invitee of a meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct Attendee {
    /// Lower case.
    pub email: String,
    pub active: bool,
    pub no_show: bool,
    /// Canceled because they moved to another booking (not a cancellation).
    pub rescheduled: bool,
    pub payment: Option<Paid>,
}

/// A payment, in cents.
#[derive(Debug, Clone, PartialEq)]
pub struct Paid {
    pub cents: i64,
    pub currency: String,
    pub successful: bool,
}

/// What became of a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Active with an active invitee: counts in meetings and hours.
    Held,
    /// Canceled (by the host or an invitee): counts in `canceled`.
    Canceled,
    /// Every invitee moved to another booking: counts nowhere.
    Moved,
}

/// A meeting as one client sees it (borrowing from the rows).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientPart<'r> {
    pub held: bool,
    pub canceled: bool,
    pub no_show: bool,
    /// The client's people who count for this meeting.
    pub people: Vec<&'r str>,
    /// Successful payments of the client's active invitees, cents per currency.
    pub revenue: BTreeMap<&'r str, i64>,
}

impl Meeting {
    pub fn duration_ms(&self) -> i64 {
        (self.end_ms - self.start_ms).max(0)
    }

    pub fn outcome(&self) -> Outcome {
        if self.active && (self.invitees.is_empty() || self.invitees.iter().any(|i| i.active)) {
            Outcome::Held
        } else if self.invitees.is_empty() && !self.active
            || self.invitees.iter().any(|i| !i.active && !i.rescheduled)
        {
            Outcome::Canceled
        } else {
            Outcome::Moved
        }
    }

    /// A held meeting with an active invitee marked as a no-show.
    pub fn any_no_show(&self) -> bool {
        self.invitees.iter().any(|i| i.active && i.no_show)
    }

    /// The meeting for each client with an invitee on it: held when the meeting is held and the
    /// client has an active invitee; else canceled when one of the client's invitees canceled
    /// (not moved); a client whose invitees all moved is left out.
    pub fn by_client<'r>(&'r self, rows: &'r Rows) -> Vec<(Cow<'r, str>, ClientPart<'r>)> {
        let held = self.outcome() == Outcome::Held;
        let mut parts: Vec<(Cow<'r, str>, ClientPart<'r>, Vec<&'r str>)> = Vec::new();
        for i in &self.invitees {
            let client = rows.client_of(&i.email);
            let at = match parts.iter().position(|(c, _, _)| *c == client) {
                Some(at) => at,
                None => {
                    parts.push((client, ClientPart::default(), Vec::new()));
                    parts.len() - 1
                }
            };
            let (_, part, canceled) = &mut parts[at];
            if held && i.active {
                part.held = true;
                part.no_show |= i.no_show;
                part.people.push(&i.email);
                if let Some(p) = i.payment.as_ref().filter(|p| p.successful) {
                    *part.revenue.entry(&p.currency).or_default() += p.cents;
                }
            } else if !i.active && !i.rescheduled {
                canceled.push(&i.email);
            }
        }
        parts
            .into_iter()
            .filter_map(|(client, mut part, canceled)| {
                if !part.held {
                    part.canceled = !canceled.is_empty();
                    part.people = canceled;
                }
                part.people.sort_unstable();
                part.people.dedup();
                (part.held || part.canceled).then_some((client, part))
            })
            .collect()
    }
}

/// Everything the report reads, from one snapshot.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    /// Meetings starting in the range, by start.
    pub meetings: Vec<Meeting>,
    /// Everyone who ever booked: lower-case email -> their (newest) name.
    pub people: HashMap<String, Option<String>>,
    pub grouping: Grouping,
    /// Everyone's client, resolved once.
    clients: HashMap<String, String>,
}

impl Rows {
    pub fn new(
        meetings: Vec<Meeting>,
        people: HashMap<String, Option<String>>,
        grouping: Grouping,
    ) -> Self {
        let clients = people
            .keys()
            .map(|e| (e.clone(), grouping.client_of(e)))
            .collect();
        Self {
            meetings,
            people,
            grouping,
            clients,
        }
    }

    /// The client of a (lower-case) email.
    pub fn client_of(&self, email: &str) -> Cow<'_, str> {
        match self.clients.get(email) {
            Some(c) => Cow::Borrowed(c.as_str()),
            None => Cow::Owned(self.grouping.client_of(email)),
        }
    }
}

/// The meetings starting in `range` (all of them when `None`), everyone who booked and the
/// overrides. Run inside one read transaction.
pub fn read(conn: &Connection, range: Option<&ReportRange>) -> Result<Rows, StoreError> {
    let (from_ms, to_ms) = range.map_or((i64::MIN, i64::MAX), ReportRange::bounds_ms);
    Ok(Rows::new(
        meetings(conn, from_ms, to_ms)?,
        people(conn)?,
        Grouping::new(client_overrides::all(conn)?),
    ))
}

/// Rows in the order of the report index (start, then URI), invitees joined from theirs: no
/// table row (nor its `raw_json`) is read.
fn meetings(conn: &Connection, from_ms: i64, to_ms: i64) -> Result<Vec<Meeting>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.uri, e.start_ms, e.end_ms, e.status = 'active', e.event_type, e.name,
            e.created_at, i.email, i.status = 'active', i.no_show_uri IS NOT NULL, i.rescheduled,
            i.payment_amount, i.payment_currency, i.payment_successful
         FROM scheduled_events e INDEXED BY scheduled_events_report
         LEFT JOIN invitees i INDEXED BY invitees_report ON i.event_uri = e.uri
         WHERE e.start_ms >= ?1 AND e.start_ms < ?2
         ORDER BY e.start_ms, e.uri",
    )?;
    let mut rows = stmt.query([from_ms, to_ms])?;
    let mut out: Vec<Meeting> = Vec::new();
    while let Some(r) = rows.next()? {
        let uri = text(r, 0)?.unwrap_or_default();
        if out.last().is_none_or(|m| m.uri != uri) {
            out.push(Meeting {
                uri: uri.to_string(),
                start_ms: r.get(1)?,
                end_ms: r.get(2)?,
                active: r.get(3)?,
                event_type: r.get(4)?,
                name: r.get(5)?,
                created_at: r.get(6)?,
                invitees: Vec::new(),
            });
        }
        let Some(email) = text(r, 7)? else {
            continue;
        };
        let payment = match (
            r.get::<_, Option<f64>>(11)?,
            r.get::<_, Option<String>>(12)?,
        ) {
            (Some(amount), Some(currency)) if amount.is_finite() => Some(Paid {
                cents: (amount * 100.0).round() as i64,
                currency,
                successful: r.get::<_, Option<bool>>(13)?.unwrap_or(false),
            }),
            _ => None,
        };
        if let Some(m) = out.last_mut() {
            m.invitees.push(Attendee {
                email: normalize_email(email),
                active: r.get(8)?,
                no_show: r.get(9)?,
                rescheduled: r.get(10)?,
                payment,
            });
        }
    }
    Ok(out)
}

/// A text column without copying it.
fn text<'a>(r: &'a rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<&'a str>> {
    r.get_ref(i)?.as_str_or_null().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Everyone who booked (guests are contacts but no one's client).
pub(crate) fn people(conn: &Connection) -> Result<HashMap<String, Option<String>>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.email, c.name FROM contacts c
         WHERE EXISTS (SELECT 1 FROM invitees i WHERE i.contact_id = c.id)",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            normalize_email(text(r, 0)?.unwrap_or_default()),
            r.get::<_, Option<String>>(1)?,
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
