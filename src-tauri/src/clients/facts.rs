//! The clients report's rows read from the facts migration 0009 keeps (`report_facts`): one
//! integer row per (meeting, invitee) and per meeting without invitees, in start order, so a
//! range is one scan of one table that reads and compares no string. People are their contacts'
//! numbers, read once with everyone who booked; the other strings the report shows (event types,
//! currencies) are read once from `report_texts`.
//!
//! The rows are the report's alone ([`super::report::build`]): the meetings carry no URI and no
//! booking time, and each meeting of an event type carries the name the type is shown under
//! (its latest meeting's in the range; of two at one instant, the greater URI's), which is what
//! the report reads of them. The insights and a client's page read [`super::rows::read`].

use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension};

use super::grouping::Grouping;
use super::model::{Attendee, FastMap, Invitees, Meeting, Paid, Rows};
use super::range::ReportRange;
use super::rows::people_by_contact;
use crate::store::{client_overrides, StoreError};

/// What a fact's `flags` say (migration 0009).
const MEETING_ACTIVE: i64 = 1;
const HAS_INVITEE: i64 = 2;
const INVITEE_ACTIVE: i64 = 4;
const NO_SHOW: i64 = 8;
const RESCHEDULED: i64 = 16;
const PAID: i64 = 32;

/// A person who is no one's (a fact whose contact booked nothing: not written by the triggers).
const UNKNOWN: u32 = u32::MAX;

/// The meetings starting in `range` with their invitees, everyone who booked and the overrides,
/// for the report. Run inside one read transaction.
pub fn read(conn: &Connection, range: &ReportRange) -> Result<Rows, StoreError> {
    let (from_ms, to_ms) = range.bounds_ms();
    let (people, contacts) = people_by_contact(conn)?;
    let mut rows = Rows::new(people, Grouping::new(client_overrides::all(conn)?));
    let mut reader = Reader {
        texts: Texts::read(conn)?,
        persons: contacts
            .into_iter()
            .map(|(id, email)| (id, rows.person(&email)))
            .collect(),
        ..Reader::default()
    };
    let no_uri = rows.keep("");
    let mut stmt = conn.prepare_cached(
        "SELECT start_ms, meeting, end_ms, flags, kind, person, amount, currency
         FROM report_facts WHERE start_ms >= ?1 AND start_ms < ?2
         ORDER BY start_ms, meeting, seq",
    )?;
    let mut q = stmt.query([from_ms, to_ms])?;
    let mut last = None;
    while let Some(r) = q.next()? {
        let start_ms: i64 = r.get(0)?;
        let meeting: i64 = r.get(1)?;
        let flags: i64 = r.get(3)?;
        if last != Some((start_ms, meeting)) {
            last = Some((start_ms, meeting));
            let kind = reader.kind(r.get(4)?, start_ms, &mut rows);
            rows.meetings.push(Meeting {
                uri: no_uri,
                // A type's meetings all show its one name (set at the end).
                name: reader.kinds.get(kind as usize).map_or(0, |k| k.name),
                kind,
                active: flags & MEETING_ACTIVE != 0,
                start_ms,
                end_ms: r.get(2)?,
                created_at: None,
                invitees: Invitees::None,
            });
        }
        if flags & HAS_INVITEE == 0 {
            continue;
        }
        let person = reader.person(r.get(5)?);
        let payment = match (r.get::<_, Option<f64>>(6)?, r.get::<_, Option<i64>>(7)?) {
            (Some(amount), Some(currency)) if amount.is_finite() => Some(Paid {
                cents: (amount * 100.0).round() as i64,
                currency: reader.currency(currency),
                successful: flags & PAID != 0,
            }),
            _ => None,
        };
        let a = Attendee {
            person,
            active: flags & INVITEE_ACTIVE != 0,
            no_show: flags & NO_SHOW != 0,
            rescheduled: flags & RESCHEDULED != 0,
            payment,
        };
        if let Some(m) = rows.meetings.last_mut() {
            m.invitees.push(a);
        }
    }
    reader.name_types(conn, &mut rows)?;
    rows.kinds = reader.kinds.into_iter().map(|k| (k.uri, k.key)).collect();
    Ok(rows)
}

/// `report_texts`, by number.
#[derive(Default)]
struct Texts(Vec<Option<Box<str>>>);

impl Texts {
    fn read(conn: &Connection) -> Result<Self, StoreError> {
        let mut stmt = conn.prepare_cached("SELECT id, text FROM report_texts")?;
        let mut q = stmt.query([])?;
        let mut all = Vec::new();
        while let Some(r) = q.next()? {
            let Ok(id) = usize::try_from(r.get::<_, i64>(0)?) else {
                continue;
            };
            if all.len() <= id {
                all.resize(id + 1, None);
            }
            all[id] = Some(r.get_ref(1)?.as_str().unwrap_or_default().into());
        }
        Ok(Self(all))
    }

    fn get(&self, id: i64) -> &str {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.0.get(i))
            .and_then(|t| t.as_deref())
            .unwrap_or_default()
    }
}

/// An event type met: its key, its name's number in [`Rows`], and the latest start among its
/// meetings.
struct Kind {
    uri: bool,
    key: Arc<str>,
    name: u32,
    latest_ms: i64,
}

/// Numbers met while reading, each resolved once.
#[derive(Default)]
struct Reader {
    texts: Texts,
    /// A fact's `kind` -> the kind's number in [`Rows::kinds`].
    kind_of: FastMap<i64, u32>,
    kinds: Vec<Kind>,
    /// The last fact's `kind` and its number: consecutive meetings often share it.
    last_kind: Option<(i64, u32)>,
    /// By contact: the person.
    persons: FastMap<i64, u32>,
    /// By text number: the currency.
    currencies: FastMap<i64, Arc<str>>,
}

impl Reader {
    /// The number of the kind of a fact, noting a meeting of it starting at `start_ms`; a new
    /// kind's name is numbered in `rows`.
    fn kind(&mut self, fact_kind: i64, start_ms: i64, rows: &mut Rows) -> u32 {
        let k = match self.last_kind {
            Some((f, k)) if f == fact_kind => k,
            _ => {
                let k = match self.kind_of.get(&fact_kind) {
                    Some(k) => *k,
                    None => {
                        let key: Arc<str> = Arc::from(self.texts.get(fact_kind.abs()));
                        let k = self.kinds.len() as u32;
                        let name = rows.names.len() as u32;
                        // A meeting without an event type is named as its kind is keyed.
                        rows.names.push(if fact_kind > 0 {
                            Arc::from("")
                        } else {
                            key.clone()
                        });
                        self.kinds.push(Kind {
                            uri: fact_kind > 0,
                            name,
                            key,
                            latest_ms: i64::MIN,
                        });
                        self.kind_of.insert(fact_kind, k);
                        k
                    }
                };
                self.last_kind = Some((fact_kind, k));
                k
            }
        };
        if let Some(kind) = self.kinds.get_mut(k as usize) {
            kind.latest_ms = kind.latest_ms.max(start_ms);
        }
        k
    }

    /// The person of a contact (everyone who booked was numbered first).
    fn person(&self, contact: Option<i64>) -> u32 {
        contact
            .and_then(|c| self.persons.get(&c).copied())
            .unwrap_or(UNKNOWN)
    }

    fn currency(&mut self, text: i64) -> Arc<str> {
        if let Some(c) = self.currencies.get(&text) {
            return c.clone();
        }
        let c: Arc<str> = Arc::from(self.texts.get(text));
        self.currencies.insert(text, c.clone());
        c
    }

    /// Names each event type met after its latest meeting in the range (of two at one instant,
    /// the greater URI's): the name every meeting of the type shows.
    fn name_types(&self, conn: &Connection, rows: &mut Rows) -> Result<(), StoreError> {
        let mut stmt = conn.prepare_cached(
            "SELECT name FROM scheduled_events INDEXED BY scheduled_events_report
             WHERE start_ms = ?1 AND event_type = ?2 ORDER BY uri DESC LIMIT 1",
        )?;
        for kind in self.kinds.iter().filter(|k| k.uri) {
            let name: Option<String> = stmt
                .query_row(rusqlite::params![kind.latest_ms, &*kind.key], |r| r.get(0))
                .optional()?;
            if let (Some(name), Some(slot)) = (name, rows.names.get_mut(kind.name as usize)) {
                *slot = Arc::from(name);
            }
        }
        Ok(())
    }
}
