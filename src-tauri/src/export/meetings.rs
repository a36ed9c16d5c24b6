//! The meetings of a range with their people, loaded in three queries (not one per meeting) for
//! the ICS and CSV exports and the ICS feed.

use std::collections::HashMap;

use rusqlite::{params, Connection};
use serde_json::Value;

use crate::feed::{Person, QuestionAnswer};
use crate::store::StoreError;

#[derive(Debug, Clone, Default)]
pub(crate) struct Location {
    pub kind: Option<String>,
    /// Address, phone number or free text, depending on `kind`.
    pub location: Option<String>,
    pub join_url: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Invitee {
    pub name: Option<String>,
    pub email: String,
    pub status: String,
    pub timezone: Option<String>,
    pub no_show: bool,
    pub questions: Vec<QuestionAnswer>,
    pub cancel_reason: Option<String>,
    pub canceled_by: Option<String>,
    pub updated_at: Option<String>,
}

impl Invitee {
    /// `Name <email>`, or the bare email when Calendly has no name.
    pub fn mailbox(&self) -> String {
        mailbox(self.name.as_deref(), &self.email)
    }
}

pub(crate) fn mailbox(name: Option<&str>, email: &str) -> String {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => format!("{n} <{email}>"),
        None => email.to_string(),
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Meeting {
    pub uri: String,
    pub name: String,
    pub status: String,
    pub start_time: String,
    pub end_time: String,
    pub start_ms: i64,
    pub end_ms: i64,
    pub event_type: Option<String>,
    pub location: Location,
    pub meeting_notes: Option<String>,
    pub cancel_reason: Option<String>,
    pub canceled_by: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub hosts: Vec<Person>,
    pub guests: Vec<String>,
    pub invitees: Vec<Invitee>,
}

impl Meeting {
    pub fn is_canceled(&self) -> bool {
        self.status == "canceled"
    }

    /// The people the meeting is with: its active invitees, or for a canceled meeting (whose
    /// invitees are all canceled) everyone who had booked it.
    pub fn attendees(&self) -> Vec<&Invitee> {
        let active: Vec<&Invitee> = self
            .invitees
            .iter()
            .filter(|i| i.status == "active")
            .collect();
        if active.is_empty() && self.is_canceled() {
            self.invitees.iter().collect()
        } else {
            active
        }
    }
}

fn parse(raw: Option<&str>) -> Value {
    raw.and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null)
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn questions(raw: &str) -> Vec<QuestionAnswer> {
    match parse(Some(raw)) {
        Value::Array(items) => items
            .iter()
            .filter_map(|q| {
                Some(QuestionAnswer {
                    question: text(q, "question")?,
                    answer: text(q, "answer")?,
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Meetings starting in `[from_ms, to_ms)`, by start then URI.
pub(crate) fn load(
    conn: &Connection,
    from_ms: i64,
    to_ms: i64,
    include_canceled: bool,
) -> Result<Vec<Meeting>, StoreError> {
    const IN_RANGE: &str = "e.start_ms >= ?1 AND e.start_ms < ?2 AND (?3 OR e.status = 'active')";
    let args = params![from_ms, to_ms, include_canceled];

    let mut people: HashMap<String, (Vec<Person>, Vec<String>)> = HashMap::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT p.event_uri, p.role, p.name, p.email FROM event_participants p
         JOIN scheduled_events e ON e.uri = p.event_uri
         WHERE {IN_RANGE} AND p.role IN ('host', 'guest') ORDER BY p.email"
    ))?;
    let rows = stmt.query_map(args, |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    for row in rows {
        let (uri, role, name, email) = row?;
        let entry = people.entry(uri).or_default();
        if role == "host" {
            entry.0.push(Person { name, email });
        } else {
            entry.1.push(email);
        }
    }

    let mut invitees: HashMap<String, Vec<Invitee>> = HashMap::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT i.event_uri, i.name, i.email, i.status, i.timezone, i.no_show_uri,
            i.questions_json, i.cancellation_json, i.updated_at
         FROM invitees i JOIN scheduled_events e ON e.uri = i.event_uri
         WHERE {IN_RANGE} ORDER BY i.created_at, i.uri"
    ))?;
    let rows = stmt.query_map(args, |r| {
        let cancellation = parse(r.get::<_, Option<String>>(7)?.as_deref());
        Ok((
            r.get::<_, String>(0)?,
            Invitee {
                name: r.get(1)?,
                email: r.get(2)?,
                status: r.get(3)?,
                timezone: r.get(4)?,
                no_show: r.get::<_, Option<String>>(5)?.is_some(),
                questions: questions(&r.get::<_, String>(6)?),
                cancel_reason: text(&cancellation, "reason"),
                canceled_by: text(&cancellation, "canceled_by"),
                updated_at: r.get(8)?,
            },
        ))
    })?;
    for row in rows {
        let (uri, invitee) = row?;
        invitees.entry(uri).or_default().push(invitee);
    }

    let mut stmt = conn.prepare(&format!(
        "SELECT e.uri, e.name, e.status, e.start_time, e.end_time, e.start_ms, e.end_ms,
            e.event_type, e.location_json, e.meeting_notes, e.cancellation_json, e.created_at,
            e.updated_at
         FROM scheduled_events e WHERE {IN_RANGE} ORDER BY e.start_ms, e.uri"
    ))?;
    let rows = stmt.query_map(args, |r| {
        let location = parse(r.get::<_, Option<String>>(8)?.as_deref());
        let cancellation = parse(r.get::<_, Option<String>>(10)?.as_deref());
        Ok(Meeting {
            uri: r.get(0)?,
            name: r.get(1)?,
            status: r.get(2)?,
            start_time: r.get(3)?,
            end_time: r.get(4)?,
            start_ms: r.get(5)?,
            end_ms: r.get(6)?,
            event_type: r.get(7)?,
            location: Location {
                kind: text(&location, "type"),
                location: text(&location, "location"),
                join_url: text(&location, "join_url"),
            },
            meeting_notes: r
                .get::<_, Option<String>>(9)?
                .filter(|n| !n.trim().is_empty()),
            cancel_reason: text(&cancellation, "reason"),
            canceled_by: text(&cancellation, "canceled_by"),
            created_at: r.get(11)?,
            updated_at: r.get(12)?,
            hosts: Vec::new(),
            guests: Vec::new(),
            invitees: Vec::new(),
        })
    })?;
    let mut out = Vec::new();
    for row in rows {
        let mut m = row?;
        if let Some((hosts, guests)) = people.remove(&m.uri) {
            m.hosts = hosts;
            m.guests = guests;
        }
        m.invitees = invitees.remove(&m.uri).unwrap_or_default();
        out.push(m);
    }
    Ok(out)
}
