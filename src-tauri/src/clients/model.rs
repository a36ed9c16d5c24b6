//! The rows the clients report, the insights and a client's page are computed from, and the
//! rules of what counts where, decided here once for all three: a meeting's outcome, and what it
//! is for each client with an invitee on it.
//!
//! A whole store is 100,000 meetings, so the rows stay lean: a meeting's event type and name are
//! numbers into shared lists, currencies are shared (`Arc<str>`), URIs sit in one buffer, a
//! meeting's one invitee is kept inline, and each invitee is a person number whose client was
//! resolved once per person.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use super::grouping::Grouping;

/// One scheduled event and its invitees.
#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    /// Its URI ([`Rows::text`]).
    pub uri: Text,
    /// Its name's number ([`Rows::name`]): names are shared, so a meeting holds no reference
    /// to count.
    pub name: u32,
    /// Its event type's number in [`Rows::kinds`]: the same URI, or without one the same name.
    pub kind: u32,
    /// The event's own status is `active`.
    pub active: bool,
    pub start_ms: i64,
    pub end_ms: i64,
    /// When it was booked (RFC 3339, [`Rows::text`]), for the lead time.
    pub created_at: Option<Text>,
    pub invitees: Invitees,
}

/// A text kept in the one buffer of [`Rows`] (no allocation per meeting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    at: usize,
    len: usize,
}

/// A meeting's invitees: most meetings have one, kept inline (no allocation per meeting).
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Invitees {
    #[default]
    None,
    One(Attendee),
    Many(Vec<Attendee>),
}

impl Invitees {
    pub fn push(&mut self, a: Attendee) {
        *self = match std::mem::take(self) {
            Invitees::None => Invitees::One(a),
            Invitees::One(first) => Invitees::Many(vec![first, a]),
            Invitees::Many(mut all) => {
                all.push(a);
                Invitees::Many(all)
            }
        };
    }
}

impl std::ops::Deref for Invitees {
    type Target = [Attendee];

    fn deref(&self) -> &[Attendee] {
        match self {
            Invitees::None => &[],
            Invitees::One(a) => std::slice::from_ref(a),
            Invitees::Many(all) => all,
        }
    }
}

/// One invitee of a meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct Attendee {
    /// The person's number in [`Rows`] (their lower-case email: [`Rows::email`]).
    pub person: u32,
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
    pub currency: Arc<str>,
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

/// A meeting as one client sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientPart {
    /// The client's number in [`Rows`] ([`Rows::client_key`]).
    pub client: u32,
    pub held: bool,
    pub canceled: bool,
    pub no_show: bool,
}

impl ClientPart {
    /// Whether invitee `i` (of this part's client) is one of its people on the meeting: an
    /// active invitee of a held meeting, or one who canceled (not moved) on a canceled one.
    pub fn counts(&self, i: &Attendee) -> bool {
        if self.held {
            i.active
        } else {
            !i.active && !i.rescheduled
        }
    }

    /// Whether invitee `i`'s successful payment counts in this part's revenue.
    pub fn paid<'a>(&self, i: &'a Attendee) -> Option<&'a Paid> {
        i.payment
            .as_ref()
            .filter(|p| self.held && i.active && p.successful)
    }
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

    /// The meeting for each client with an invitee on it, in the order their first invitees
    /// come: held when the meeting is held and the client has an active invitee; else canceled
    /// when one of the client's invitees canceled (not moved); a client whose invitees all moved
    /// is left out. The part's people are its client's invitees that [`ClientPart::counts`].
    pub fn for_each_client(&self, rows: &Rows, mut f: impl FnMut(ClientPart)) {
        let held = self.outcome() == Outcome::Held;
        for (at, first) in self.invitees.iter().enumerate() {
            let client = rows.client(first.person);
            // A group meeting: each client once, at its first invitee.
            if self.invitees[..at]
                .iter()
                .any(|i| rows.client(i.person) == client)
            {
                continue;
            }
            let mut part = ClientPart {
                client,
                held: false,
                canceled: false,
                no_show: false,
            };
            for i in self.invitees[at..]
                .iter()
                .filter(|i| rows.client(i.person) == client)
            {
                if held && i.active {
                    part.held = true;
                    part.no_show |= i.no_show;
                } else if !i.active && !i.rescheduled {
                    part.canceled = true;
                }
            }
            part.canceled &= !part.held;
            if part.held || part.canceled {
                f(part);
            }
        }
    }
}

/// Everything the report reads, from one snapshot.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    /// Meetings starting in the range, in no particular order.
    pub meetings: Vec<Meeting>,
    /// Everyone who ever booked: lower-case email -> their (newest) name.
    pub people: HashMap<String, Option<String>>,
    pub grouping: Grouping,
    /// Each event type's key, by [`Meeting::kind`]: `(true, its URI)`, or `(false, the name)`
    /// of meetings Calendly sent without one.
    pub kinds: Vec<(bool, Arc<str>)>,
    /// The meetings' names, by [`Meeting::name`].
    pub(super) names: Vec<Arc<str>>,
    /// The meetings' URIs and booking times, one after the other.
    texts: String,
    /// Every person met (by number): their lower-case email and their client's number.
    persons: Vec<(Box<str>, u32)>,
    person_of: FastMap<Box<str>, u32>,
    /// Every client met, by number: its key.
    clients: Vec<Box<str>>,
    client_of: FastMap<Box<str>, u32>,
}

impl Rows {
    /// Everyone who booked and the overrides, each person's client resolved once; no meeting.
    pub fn new(people: HashMap<String, Option<String>>, grouping: Grouping) -> Self {
        let mut rows = Self {
            people,
            grouping,
            ..Self::default()
        };
        let people = std::mem::take(&mut rows.people);
        for e in people.keys() {
            rows.person(e);
        }
        rows.people = people;
        rows
    }

    /// The number of the person with this lower-case email, numbering them when new.
    pub(super) fn person(&mut self, email: &str) -> u32 {
        if let Some(p) = self.person_of.get(email) {
            return *p;
        }
        let key = self.grouping.client_of(email);
        let client = match self.client_of.get(key.as_str()) {
            Some(c) => *c,
            None => {
                let c = self.clients.len() as u32;
                self.clients.push(key.clone().into());
                self.client_of.insert(key.into(), c);
                c
            }
        };
        let p = self.persons.len() as u32;
        self.persons.push((email.into(), client));
        self.person_of.insert(email.into(), p);
        p
    }

    /// Room for `meetings` more meetings and their URIs.
    pub(super) fn reserve(&mut self, meetings: usize) {
        self.meetings.reserve(meetings);
        self.texts.reserve(meetings.saturating_mul(64));
    }

    /// A meeting's name.
    pub fn name(&self, m: &Meeting) -> &str {
        self.names.get(m.name as usize).map_or("", |n| n)
    }

    /// A text of a meeting.
    pub fn text(&self, t: Text) -> &str {
        self.texts.get(t.at..t.at + t.len).unwrap_or_default()
    }

    pub(super) fn keep(&mut self, s: &str) -> Text {
        let at = self.texts.len();
        self.texts.push_str(s);
        Text { at, len: s.len() }
    }

    /// A person's lower-case email.
    pub fn email(&self, person: u32) -> &str {
        self.persons.get(person as usize).map_or("", |(e, _)| e)
    }

    /// A person's client.
    pub fn client(&self, person: u32) -> u32 {
        self.persons
            .get(person as usize)
            .map_or(u32::MAX, |(_, c)| *c)
    }

    /// A client's key (`domain:<domain>` or `person:<email>`).
    pub fn client_key(&self, client: u32) -> &str {
        self.clients.get(client as usize).map_or("", |k| k)
    }

    /// The number of the client with this key, if anyone met belongs to it.
    pub fn client_number(&self, key: &str) -> Option<u32> {
        self.client_of.get(key).copied()
    }

    /// How many clients are numbered.
    pub fn client_count(&self) -> usize {
        self.clients.len()
    }

    /// The client of a (lower-case) email.
    pub fn client_of(&self, email: &str) -> String {
        match self.person_of.get(email) {
            Some(p) => self.client_key(self.client(*p)).to_string(),
            None => self.grouping.client_of(email),
        }
    }
}

/// A map keyed by short texts read per row: hashed the Firefox way (a multiply and a rotate a
/// word), not with SipHash, whose flooding resistance these local keys do not need.
pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

#[derive(Default)]
pub(super) struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.add(u64::from_le_bytes(word));
        }
        for b in chunks.remainder() {
            self.add(u64::from(*b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}
