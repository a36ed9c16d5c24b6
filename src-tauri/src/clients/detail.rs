//! A client's page (its people and its meetings over a range) and the list of every client, for
//! the window's rename, merge and move. Pure, over the report's rows and rules.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::grouping::key_domain;
use super::range::ReportRange;
use super::report::{self, utc, ClientLine, Money, Span, Tally};
use super::rows::{Outcome, Rows};

/// A client as the pickers list it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ClientRef {
    pub key: String,
    pub name: String,
    pub domain: Option<String>,
    /// How many people it has.
    pub people: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ClientDetail {
    /// The client's line in the report over the same range (zeros when it had no meeting).
    pub summary: ClientLine,
    /// Everyone who belongs to it (not only who met in the range), by name.
    pub people: Vec<ClientPerson>,
    /// Its held and canceled meetings in the range, by start.
    pub meetings: Vec<ClientMeeting>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ClientPerson {
    pub email: String,
    pub name: Option<String>,
    /// Moved here (or out on their own) by the consultant.
    pub moved: bool,
    pub meetings: u32,
    pub hours: f64,
    pub canceled: u32,
    pub no_shows: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ClientMeeting {
    pub uri: String,
    pub name: String,
    pub start: String,
    pub end: String,
    /// `held` or `canceled`.
    pub outcome: String,
    pub no_show: bool,
    /// The client's people on it.
    pub people: Vec<String>,
    pub revenue: Vec<Money>,
}

/// Every client that has someone in it, by name.
pub fn all_clients(rows: &Rows) -> Vec<ClientRef> {
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for email in rows.people.keys() {
        *counts.entry(rows.client_of(email)).or_default() += 1;
    }
    let mut out: Vec<ClientRef> = counts
        .into_iter()
        .map(|(key, people)| ClientRef {
            name: rows.grouping.name_of(&key, &rows.people),
            domain: key_domain(&key).map(str::to_string),
            people,
            key,
        })
        .collect();
    out.sort_by_cached_key(|c| (c.name.to_lowercase(), c.key.clone()));
    out
}

/// The client `key` over `range`; `None` when no one belongs to it.
pub fn client_detail(
    rows: &Rows,
    range: &ReportRange,
    key: &str,
    now_ms: i64,
) -> Option<ClientDetail> {
    let members: Vec<&String> = rows
        .people
        .keys()
        .filter(|e| rows.client_of(e) == key)
        .collect();
    if members.is_empty() {
        return None;
    }
    let mut per_person: HashMap<&str, Tally> = members
        .iter()
        .map(|e| (e.as_str(), Tally::default()))
        .collect();
    let client = rows.client_number(key)?;
    let span = Span::of(range);
    let mut meetings = Vec::new();
    for (m, _) in span.meetings(rows) {
        let mut found = None;
        m.for_each_client(rows, |p| {
            if p.client == client {
                found = Some(p);
            }
        });
        let Some(part) = found else {
            continue;
        };
        let outcome = if part.held {
            Outcome::Held
        } else {
            Outcome::Canceled
        };
        let theirs = || {
            m.invitees
                .iter()
                .filter(|i| rows.client(i.person) == client)
        };
        let mut people: Vec<&str> = theirs()
            .filter(|i| part.counts(i))
            .map(|i| rows.email(i.person))
            .collect();
        people.sort_unstable();
        people.dedup();
        let mut revenue: BTreeMap<&str, i64> = BTreeMap::new();
        for p in theirs().filter_map(|i| part.paid(i)) {
            *revenue.entry(&p.currency).or_default() += p.cents;
        }
        for email in &people {
            if let Some(t) = per_person.get_mut(*email) {
                let no_show = part.held
                    && m.invitees
                        .iter()
                        .any(|i| rows.email(i.person) == *email && i.active && i.no_show);
                t.add(m, outcome, no_show);
            }
        }
        meetings.push((
            (m.start_ms, rows.text(m.uri)),
            ClientMeeting {
                uri: rows.text(m.uri).to_string(),
                name: rows.name(m).to_string(),
                start: utc(m.start_ms).unwrap_or_default(),
                end: utc(m.end_ms).unwrap_or_default(),
                outcome: if part.held { "held" } else { "canceled" }.into(),
                no_show: part.no_show,
                people: people.iter().map(|p| p.to_string()).collect(),
                revenue: revenue
                    .iter()
                    .map(|(currency, cents)| Money {
                        currency: currency.to_string(),
                        amount: *cents as f64 / 100.0,
                    })
                    .collect(),
            },
        ));
    }
    // By start (the rows come in no particular order).
    meetings.sort_by(|a, b| a.0.cmp(&b.0));
    let meetings: Vec<ClientMeeting> = meetings.into_iter().map(|(_, m)| m).collect();
    let summary = report::build(rows, range, now_ms)
        .clients
        .into_iter()
        .find(|c| c.key == key)
        .unwrap_or_else(|| ClientLine {
            key: key.to_string(),
            name: rows.grouping.name_of(key, &rows.people),
            domain: key_domain(key).map(str::to_string),
            people: Vec::new(),
            meetings: 0,
            hours: 0.0,
            canceled: 0,
            no_shows: 0,
            revenue: Vec::new(),
            last_meeting: None,
            next_meeting: None,
            renamed: rows.grouping.given_name(key).is_some(),
        });
    let mut people: Vec<ClientPerson> = members
        .into_iter()
        .map(|email| {
            let t = per_person.remove(email.as_str()).unwrap_or_default();
            ClientPerson {
                email: email.clone(),
                name: rows.people.get(email).cloned().flatten(),
                moved: rows.grouping.moved(email),
                meetings: t.meetings,
                hours: t.hours(),
                canceled: t.canceled,
                no_shows: t.no_shows,
            }
        })
        .collect();
    people.sort_by_cached_key(|p| {
        let name = p.name.as_deref().unwrap_or(&p.email).to_lowercase();
        (name, p.email.clone())
    });
    Some(ClientDetail {
        summary,
        people,
        meetings,
    })
}
