//! The clients report: a pure function of the rows read in one snapshot, the range and `now`.
//!
//! - A meeting counts for a client when it is active and has an active invitee of that client;
//!   a group meeting with invitees of two clients counts once for each. In `event_types` and
//!   `weeks` each held meeting counts once.
//! - A no-show still counts in meetings and hours, and in `no_shows`.
//! - A cancellation counts in `canceled`, not in meetings; a reschedule is no cancellation: the
//!   old booking counts nowhere and the new one normally.
//! - Revenue: successful payments of active invitees of held meetings, summed per currency.
//! - Hours: the meetings' durations summed, rounded to two decimals at the end.
//! - `last_meeting` / `next_meeting`: the client's latest held meeting in the range that started
//!   before `now`, and its first one starting at or after `now`.

use std::sync::Arc;

use chrono::{NaiveDate, SecondsFormat};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::grouping::key_domain;
use super::range::{day_start, ReportRange};
use super::rows::{Meeting, Outcome, Rows};

/// Counts, hours and revenue per client, event type and week over a range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ClientsReport {
    /// `YYYY-MM-DD`, inclusive.
    pub from: String,
    pub to: String,
    /// The IANA zone the days are in.
    pub tz: String,
    /// Clients with a meeting or a cancellation in the range, by name.
    pub clients: Vec<ClientLine>,
    pub event_types: Vec<EventTypeLine>,
    /// Every week the range touches (Mondays in `tz`), empty ones too.
    pub weeks: Vec<WeekLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ClientLine {
    /// `domain:<domain>` or `person:<email>`: what rename, merge and move name.
    pub key: String,
    pub name: String,
    /// The company's email domain; null for a person.
    pub domain: Option<String>,
    /// The client's people who count in the range (lower-case emails).
    pub people: Vec<String>,
    pub meetings: u32,
    pub hours: f64,
    pub canceled: u32,
    pub no_shows: u32,
    pub revenue: Vec<Money>,
    /// UTC, RFC 3339 with `Z`.
    pub last_meeting: Option<String>,
    pub next_meeting: Option<String>,
    /// True when the consultant named it.
    pub renamed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Money {
    /// ISO 4217 (`EUR`, `USD`, …).
    pub currency: String,
    /// Rounded to cents.
    pub amount: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EventTypeLine {
    /// The event type's URI (or its name when Calendly sent none).
    pub key: String,
    pub name: String,
    pub meetings: u32,
    pub hours: f64,
    pub canceled: u32,
    pub no_shows: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WeekLine {
    /// The Monday, `YYYY-MM-DD`.
    pub week_start: String,
    pub meetings: u32,
    pub hours: f64,
    pub canceled: u32,
    pub no_shows: u32,
}

/// Counts summed in milliseconds and cents, turned into hours and amounts at the end.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    pub meetings: u32,
    pub ms: i64,
    pub canceled: u32,
    pub no_shows: u32,
}

impl Tally {
    pub fn add(&mut self, m: &Meeting, outcome: Outcome, no_show: bool) {
        match outcome {
            Outcome::Held => {
                self.meetings += 1;
                self.ms += m.duration_ms();
                self.no_shows += u32::from(no_show);
            }
            Outcome::Canceled => self.canceled += 1,
            Outcome::Moved => {}
        }
    }

    pub fn hours(&self) -> f64 {
        hours(self.ms)
    }
}

pub(crate) fn hours(ms: i64) -> f64 {
    (ms as f64 / 36_000.0).round() / 100.0
}

pub(crate) fn utc(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Micros, true))
}

pub(crate) fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The instants a range covers and its weeks' first instants, so a meeting is placed by its
/// start alone (no zone arithmetic per meeting).
pub(crate) struct Span {
    pub from_ms: i64,
    pub to_ms: i64,
    pub weeks: Vec<NaiveDate>,
    week_ms: Vec<i64>,
}

impl Span {
    pub fn of(range: &ReportRange) -> Self {
        let (from_ms, to_ms) = range.bounds_ms();
        let weeks = range.week_starts();
        let week_ms = weeks
            .iter()
            .map(|w| day_start(range.tz, *w).timestamp_millis())
            .collect();
        Self {
            from_ms,
            to_ms,
            weeks,
            week_ms,
        }
    }

    /// The index of the week an instant of the range falls in.
    pub fn week(&self, ms: i64) -> usize {
        self.week_ms.partition_point(|b| *b <= ms).saturating_sub(1)
    }

    /// [`Self::week`], tried first at week `hint` (meetings read in start order fall mostly in
    /// the week of the one before).
    fn week_near(&self, ms: i64, hint: usize) -> usize {
        let starts = |w: usize| self.week_ms.get(w).is_some_and(|b| *b <= ms);
        let ends = |w: usize| self.week_ms.get(w + 1).is_none_or(|b| ms < *b);
        if starts(hint) && ends(hint) {
            hint
        } else {
            self.week(ms)
        }
    }

    /// The meetings of `rows` that start in the range, with their week.
    pub fn meetings<'a>(
        &'a self,
        rows: &'a Rows,
    ) -> impl Iterator<Item = (&'a Meeting, usize)> + 'a {
        let mut week = 0;
        rows.meetings
            .iter()
            .filter(|m| self.from_ms <= m.start_ms && m.start_ms < self.to_ms)
            .map(move |m| {
                week = self.week_near(m.start_ms, week);
                (m, week)
            })
    }
}

fn type_key_text((uri, key): &(bool, Arc<str>)) -> String {
    if *uri {
        key.to_string()
    } else {
        format!("name:{key}")
    }
}

#[derive(Default)]
struct ClientAcc {
    tally: Tally,
    /// Its people's numbers, with repeats.
    people: Vec<u32>,
    /// Cents per currency.
    cents: Vec<(Arc<str>, i64)>,
    last: Option<i64>,
    next: Option<i64>,
}

/// Per event type ([`Meeting::kind`]): its latest meeting (which names it) and its tally.
pub(crate) struct Types<'r, T> {
    rows: &'r Rows,
    list: Vec<Option<(&'r Meeting, T)>>,
}

impl<'r, T> Types<'r, T> {
    pub fn new(rows: &'r Rows) -> Self {
        Self {
            rows,
            list: std::iter::repeat_with(|| None)
                .take(rows.kinds.len())
                .collect(),
        }
    }

    pub fn entry(&mut self, m: &'r Meeting, new: impl FnOnce() -> T) -> &mut T {
        let at = m.kind as usize;
        if self.list.len() <= at {
            self.list.resize_with(at + 1, || None);
        }
        let slot = self.list[at].get_or_insert_with(|| (m, new()));
        // The latest meeting names its type; of two at one instant, the greater URI.
        let rows = self.rows;
        if (m.start_ms, rows.text(m.uri)) >= (slot.0.start_ms, rows.text(slot.0.uri)) {
            slot.0 = m;
        }
        &mut slot.1
    }

    /// `(key, name, value)` for each type met.
    pub fn into_named(self) -> impl Iterator<Item = (String, String, T)> + 'r
    where
        T: 'r,
    {
        let rows = self.rows;
        self.list
            .into_iter()
            .enumerate()
            .filter_map(move |(k, slot)| {
                let (m, t) = slot?;
                let key = rows.kinds.get(k).map(type_key_text).unwrap_or_default();
                Some((key, rows.name(m).to_string(), t))
            })
    }
}

pub fn build(rows: &Rows, range: &ReportRange, now_ms: i64) -> ClientsReport {
    let span = Span::of(range);
    let mut week_tally = vec![Tally::default(); span.weeks.len()];
    let mut types: Types<'_, Tally> = Types::new(rows);
    let mut clients: Vec<Option<ClientAcc>> = std::iter::repeat_with(|| None)
        .take(rows.client_count())
        .collect();

    for (m, w) in span.meetings(rows) {
        let outcome = m.outcome();
        let no_show = m.any_no_show();
        if let Some(t) = week_tally.get_mut(w) {
            t.add(m, outcome, no_show);
        }
        types.entry(m, Tally::default).add(m, outcome, no_show);

        m.for_each_client(rows, |part| {
            let Some(slot) = clients.get_mut(part.client as usize) else {
                return;
            };
            let acc = slot.get_or_insert_with(ClientAcc::default);
            let (outcome, no_show) = if part.held {
                (Outcome::Held, part.no_show)
            } else {
                (Outcome::Canceled, false)
            };
            acc.tally.add(m, outcome, no_show);
            for i in m
                .invitees
                .iter()
                .filter(|i| rows.client(i.person) == part.client)
            {
                if part.counts(i) {
                    acc.people.push(i.person);
                }
                if let Some(p) = part.paid(i) {
                    match acc.cents.iter_mut().find(|(c, _)| *c == p.currency) {
                        Some((_, cents)) => *cents += p.cents,
                        None => acc.cents.push((p.currency.clone(), p.cents)),
                    }
                }
            }
            if part.held {
                if m.start_ms < now_ms {
                    acc.last = acc.last.max(Some(m.start_ms));
                } else {
                    acc.next = Some(acc.next.map_or(m.start_ms, |n| n.min(m.start_ms)));
                }
            }
        });
    }

    let mut client_lines: Vec<ClientLine> = clients
        .into_iter()
        .enumerate()
        .filter_map(|(c, acc)| Some((rows.client_key(c as u32), acc?)))
        .map(|(key, mut acc)| {
            acc.people.sort_unstable();
            acc.people.dedup();
            let mut people: Vec<String> = acc
                .people
                .iter()
                .map(|p| rows.email(*p).to_string())
                .collect();
            people.sort_unstable();
            people.dedup();
            acc.cents.sort_by(|a, b| a.0.cmp(&b.0));
            ClientLine {
                name: rows.grouping.name_of(key, &rows.people),
                domain: key_domain(key).map(str::to_string),
                renamed: rows.grouping.given_name(key).is_some(),
                people,
                meetings: acc.tally.meetings,
                hours: acc.tally.hours(),
                canceled: acc.tally.canceled,
                no_shows: acc.tally.no_shows,
                revenue: acc
                    .cents
                    .into_iter()
                    .map(|(currency, cents)| Money {
                        currency: currency.to_string(),
                        amount: cents as f64 / 100.0,
                    })
                    .collect(),
                last_meeting: acc.last.and_then(utc),
                next_meeting: acc.next.and_then(utc),
                key: key.to_string(),
            }
        })
        .collect();
    // By name, any case (each name lowered once, not per comparison), then by key.
    client_lines.sort_by_cached_key(|c| (c.name.to_lowercase(), c.key.clone()));

    let mut event_types: Vec<EventTypeLine> = types
        .into_named()
        .map(|(key, name, t)| EventTypeLine {
            key,
            name,
            meetings: t.meetings,
            hours: t.hours(),
            canceled: t.canceled,
            no_shows: t.no_shows,
        })
        .collect();
    event_types.sort_by(|a, b| {
        b.meetings
            .cmp(&a.meetings)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.key.cmp(&b.key))
    });

    ClientsReport {
        from: day(range.from),
        to: day(range.to),
        tz: range.zone_name().to_string(),
        clients: client_lines,
        event_types,
        weeks: span
            .weeks
            .iter()
            .zip(week_tally)
            .map(|(w, t)| WeekLine {
                week_start: day(*w),
                meetings: t.meetings,
                hours: t.hours(),
                canceled: t.canceled,
                no_shows: t.no_shows,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The adversary of the week hint: meetings in no order, instants before, between and after
    /// the weeks' starts (a daylight-saving change in between), and every hint, including
    /// stale and out-of-range ones. The hint may only make it cheaper, never change the week.
    #[test]
    fn a_week_hint_never_changes_the_week() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("date");
        let range = ReportRange::new(d(3, 9), d(4, 12), chrono_tz::Europe::Berlin).expect("range");
        let span = Span::of(&range);
        assert_eq!(span.weeks.len(), 5);
        let mut instants = vec![i64::MIN, span.from_ms - 1, span.to_ms, i64::MAX];
        for b in &span.week_ms {
            instants.extend([b - 1, *b, b + 1, b + 3_600_000]);
        }
        for ms in instants {
            for hint in 0..span.weeks.len() + 2 {
                assert_eq!(
                    span.week_near(ms, hint),
                    span.week(ms),
                    "{ms} from hint {hint}"
                );
            }
        }
    }
}
