//! Seeds an existing Slotline store with months of meetings for the calendar bench in the app's
//! own window (tests/bench/calendar-webkit.sh), through the one apply path, as a sync would.
//!
//! Usage: `cargo bench --bench calendar_seed -- DB YEAR MONTH N [YEAR MONTH N …]` (MONTH 1–12).
//! Each month gets N meetings laid out as `meetings(n)` in ui/tests/bench/render.mjs does: spread
//! over the month's weekdays, 08:00–18:00 UTC, 30 or 60 minutes, five named invitees. Not a
//! measurement: it prints one line per month to stderr and nothing to stdout.

use serde_json::json;
use slotline::store::Store;
use slotline::sync::{apply, Input};

const NAMES: [&str; 5] = [
    "Priya Raman",
    "Jonas Meyer",
    "Camila Rojas",
    "Tom Becker",
    "Fatima Zahra",
];

fn days_in(year: i32, month: u32) -> Vec<u32> {
    use chrono::{Datelike, NaiveDate, Weekday};
    (1..=31)
        .filter_map(|d| NaiveDate::from_ymd_opt(year, month, d))
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .map(|d| d.day())
        .collect()
}

/// Meeting `i` of `n` in the month: the same start, length, name and invitee as render.mjs's.
fn input(year: i32, month: u32, days: &[u32], n: usize, i: usize) -> Input {
    let per_day = n.div_ceil(days.len());
    let day = days[i % days.len()];
    let slot = i / days.len();
    let minute = 8 * 60 + (slot * 600 / per_day) as i64;
    let start = chrono::NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a day of the month")
        .and_utc()
        + chrono::Duration::minutes(minute);
    let end = start + chrono::Duration::minutes(if i.is_multiple_of(3) { 60 } else { 30 });
    let t =
        |d: chrono::DateTime<chrono::Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let ev = format!("https://api.calendly.com/scheduled_events/bench-{year}-{month:02}-{i:05}");
    let who = NAMES[i % NAMES.len()];
    let name = if i.is_multiple_of(4) {
        "Strategy Session"
    } else {
        "30 Minute Intro Call"
    };
    Input::Event {
        event: serde_json::from_value(json!({
            "uri": ev, "name": name, "status": "active",
            "start_time": t(start), "end_time": t(end), "updated_at": "2026-01-01T00:00:00.000000Z",
            "location": {"type": "zoom", "join_url": "https://zoom.us/j/1"},
            "event_memberships": [{"user": "https://api.calendly.com/users/HOST", "user_email": "maya@example.com", "user_name": "Maya"}],
        }))
        .expect("event"),
        invitees: vec![serde_json::from_value(json!({
            "uri": format!("{ev}/invitees/i"), "email": format!("client{i}@example.com"),
            "name": format!("{who} {i}"), "status": "active", "event": ev, "timezone": "Europe/London",
            "created_at": "2026-01-01T00:00:00.000000Z", "updated_at": "2026-01-01T00:00:00.000000Z",
        }))
        .expect("invitee")],
    }
}

fn main() {
    // `cargo bench` appends `--bench` to a harness-less bench's arguments.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let usage = "usage: calendar_seed DB YEAR MONTH N [YEAR MONTH N …]";
    let (db, months) = args.split_first().expect(usage);
    assert!(
        !months.is_empty() && months.len().is_multiple_of(3),
        "{usage}"
    );
    let store = Store::open(std::path::Path::new(db)).expect("open the store");
    for m in months.chunks(3) {
        let year: i32 = m[0].parse().expect("YEAR");
        let month: u32 = m[1].parse().expect("MONTH");
        let n: usize = m[2].parse().expect("N");
        let days = days_in(year, month);
        assert!(!days.is_empty(), "{usage}: no such month {year}-{month}");
        for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
            store
                .with_tx(|tx| {
                    for &i in chunk {
                        apply(tx, &input(year, month, &days, n, i))?;
                    }
                    Ok::<_, slotline::sync::apply::ApplyError>(())
                })
                .expect("apply");
        }
        eprintln!("calendar_seed: {n} meetings in {year}-{month:02}");
    }
}
