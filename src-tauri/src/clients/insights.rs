//! Insights over a range, for the window's charts: meetings and hours per week stacked by event
//! type, cancellation and no-show rates per event type, the lead time from booking to meeting,
//! and the busiest weekdays × hours. Pure, over the same rows and rules as the report: each
//! held meeting counts once.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::range::ReportRange;
use super::report::{day, Span, Tally, Types};
use super::rows::{Outcome, Rows};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Insights {
    pub from: String,
    pub to: String,
    pub tz: String,
    /// The Mondays of the weeks the range touches (`YYYY-MM-DD`); the series below follow them.
    pub weeks: Vec<String>,
    /// Per event type, busiest first.
    pub event_types: Vec<TypeInsight>,
    /// How long before the meeting it was booked: one bucket each, in order.
    pub lead_time: Vec<LeadBucket>,
    /// Held meetings by local start: `heatmap[weekday][hour]`, Monday = 0, hours 0–23.
    pub heatmap: Vec<Vec<u32>>,
    pub meetings: u32,
    pub hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TypeInsight {
    pub key: String,
    pub name: String,
    pub meetings: u32,
    pub hours: f64,
    pub canceled: u32,
    pub no_shows: u32,
    /// Canceled ÷ (held + canceled); 0 when there were none.
    pub cancel_rate: f64,
    /// No-shows ÷ held; 0 when none was held.
    pub no_show_rate: f64,
    /// Held meetings per week (aligned with `weeks`).
    pub weekly_meetings: Vec<u32>,
    /// Hours per week (aligned with `weeks`).
    pub weekly_hours: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LeadBucket {
    pub label: String,
    /// The bucket's lower bound in hours (inclusive).
    pub from_hours: u32,
    pub meetings: u32,
}

/// Lead-time buckets: label and lower bound in hours.
const LEAD_BUCKETS: [(&str, u32); 6] = [
    ("< 1 day", 0),
    ("1–2 days", 24),
    ("2–7 days", 48),
    ("1–2 weeks", 168),
    ("2–4 weeks", 336),
    ("4+ weeks", 672),
];

struct TypeAcc {
    total: Tally,
    weekly: Vec<Tally>,
}

pub fn build(rows: &Rows, range: &ReportRange) -> Insights {
    let span = Span::of(range);
    let mut types: Types<'_, TypeAcc> = Types::new(rows);
    let mut lead = [0u32; LEAD_BUCKETS.len()];
    let mut heatmap = vec![vec![0u32; 24]; 7];
    let mut all = Tally::default();

    for (m, w) in span.meetings(rows) {
        let outcome = m.outcome();
        let no_show = m.any_no_show();
        all.add(m, outcome, no_show);
        let t = types.entry(m, || TypeAcc {
            total: Tally::default(),
            weekly: vec![Tally::default(); span.weeks.len()],
        });
        t.total.add(m, outcome, no_show);
        if let Some(week) = t.weekly.get_mut(w) {
            week.add(m, outcome, no_show);
        }
        if outcome != Outcome::Held {
            continue;
        }
        if let Some(local) = DateTime::<Utc>::from_timestamp_millis(m.start_ms) {
            let local = local.with_timezone(&range.tz);
            heatmap[local.weekday().num_days_from_monday() as usize][local.hour() as usize] += 1;
        }
        let booked = m
            .created_at
            .map(|t| rows.text(t))
            .and_then(|c| DateTime::parse_from_rfc3339(c).ok());
        if let Some(booked) = booked {
            let ahead_h = (m.start_ms - booked.timestamp_millis()).max(0) / 3_600_000;
            let b = LEAD_BUCKETS
                .iter()
                .rposition(|(_, from)| ahead_h >= i64::from(*from))
                .unwrap_or(0);
            lead[b] += 1;
        }
    }

    let rate = |n: u32, of: u32| {
        if of == 0 {
            0.0
        } else {
            f64::from(n) / f64::from(of)
        }
    };
    let mut event_types: Vec<TypeInsight> = types
        .into_named()
        .map(|(key, name, t)| TypeInsight {
            cancel_rate: rate(t.total.canceled, t.total.meetings + t.total.canceled),
            no_show_rate: rate(t.total.no_shows, t.total.meetings),
            weekly_meetings: t.weekly.iter().map(|w| w.meetings).collect(),
            weekly_hours: t.weekly.iter().map(Tally::hours).collect(),
            meetings: t.total.meetings,
            hours: t.total.hours(),
            canceled: t.total.canceled,
            no_shows: t.total.no_shows,
            key,
            name,
        })
        .collect();
    event_types.sort_by(|a, b| {
        b.meetings
            .cmp(&a.meetings)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.key.cmp(&b.key))
    });

    Insights {
        from: day(range.from),
        to: day(range.to),
        tz: range.zone_name().to_string(),
        weeks: span.weeks.iter().map(|w| day(*w)).collect(),
        event_types,
        lead_time: LEAD_BUCKETS
            .iter()
            .zip(lead)
            .map(|((label, from), meetings)| LeadBucket {
                label: (*label).to_string(),
                from_hours: *from,
                meetings,
            })
            .collect(),
        heatmap,
        meetings: all.meetings,
        hours: all.hours(),
    }
}
