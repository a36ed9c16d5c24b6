//! Store read benchmark: the calendar's range query (a month and a week) with 100,000 meetings
//! in the store, beside two baselines in the same run: the query as it was before migration 0005
//! (four invitee subqueries per meeting over the `(start_ms, end_ms)` index) and the bare URIs
//! selected with the naive overlap predicate. Then the clients report (issue 17) over a month, a
//! quarter and the whole store, beside the same report read from the meetings and invitees (as
//! before migration 0009) and the month's calendar query in the same run. Prints
//! Markdown sections for BENCHMARKS.md.

#[path = "summary.rs"]
mod summary;

use std::time::Instant;

use serde_json::json;
use slotline::store::Store;
use slotline::sync::{apply, Input};

const EVENTS: usize = 100_000;
const RUNS: usize = 200;

fn input(n: usize, base_ms: i64) -> Input {
    // One meeting every 15 minutes of business time, going back and forth around `base`.
    let start = chrono::DateTime::from_timestamp_millis(base_ms + (n as i64) * 3_600_000 / 3)
        .expect("time");
    let end = start + chrono::Duration::minutes(30);
    let ev = format!("https://api.calendly.com/scheduled_events/bench-{n:06}");
    let t =
        |d: chrono::DateTime<chrono::Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    Input::Event {
        event: serde_json::from_value(json!({
            "uri": ev, "name": "30 Minute Intro Call", "status": if n.is_multiple_of(17) { "canceled" } else { "active" },
            "start_time": t(start), "end_time": t(end), "updated_at": "2026-01-01T00:00:00.000000Z",
            "location": {"type": "zoom", "join_url": "https://zoom.us/j/1"},
            "event_memberships": [{"user": "https://api.calendly.com/users/HOST", "user_email": "maya@example.com", "user_name": "Maya"}],
        }))
        .expect("event"),
        invitees: vec![serde_json::from_value(json!({
            "uri": format!("{ev}/invitees/i"), "email": email(n % 5000),
            "name": format!("Client {}", n % 5000), "status": "active", "event": ev,
            "created_at": "2026-01-01T00:00:00.000000Z", "updated_at": "2026-01-01T00:00:00.000000Z",
            "no_show": if n.is_multiple_of(23) { json!({"uri": format!("https://api.calendly.com/invitee_no_shows/{n}")}) } else { json!(null) },
            "payment": if n.is_multiple_of(7) {
                json!({"provider": "stripe", "amount": 150.0, "currency": if n.is_multiple_of(2) { "EUR" } else { "USD" }, "successful": true})
            } else { json!(null) },
        }))
        .expect("invitee")],
    }
}

/// 5,000 people at 1,000 companies (five each), every tenth on a free-mail domain.
fn email(person: usize) -> String {
    if person.is_multiple_of(10) {
        format!("client{person}@gmail.com")
    } else {
        format!("client{person}@company{}.example", person / 5)
    }
}

fn time_queries(
    store: &Store,
    from: i64,
    to: i64,
    f: &dyn Fn(&rusqlite::Connection, i64, i64) -> usize,
) -> (f64, f64, f64, usize) {
    let mut ms = Vec::with_capacity(RUNS);
    let mut n = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        n = store
            .read(|tx| Ok::<_, slotline::store::StoreError>(f(tx, from, to)))
            .expect("query");
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(|a, b| a.total_cmp(b));
    (ms[RUNS / 2], ms[0], ms[RUNS * 99 / 100], n)
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("bench.db")).expect("store");
    let base = chrono::Utc::now().timestamp_millis() - (EVENTS as i64 / 2) * 3_600_000 / 3;
    let t = Instant::now();
    for chunk in (0..EVENTS).collect::<Vec<_>>().chunks(1000) {
        store
            .with_tx(|tx| {
                for &n in chunk {
                    apply(tx, &input(n, base))?;
                }
                Ok::<_, slotline::sync::apply::ApplyError>(())
            })
            .expect("apply");
    }
    let load_s = t.elapsed().as_secs_f64();
    let now = chrono::Utc::now().timestamp_millis();
    let month = (now, now + 31 * 24 * 3_600_000);
    let week = (now, now + 7 * 24 * 3_600_000);
    let ours = |c: &rusqlite::Connection, a: i64, b: i64| {
        slotline::feed::calendar_range(c, a, b, false)
            .expect("range")
            .len()
    };
    // Baseline: the calendar query before migration 0005, on the same data: the event rows from
    // the `(start_ms, end_ms)` index and the table, and the tile's invitee summary from four
    // correlated subqueries per meeting. Its rows are decoded like the real ones.
    let before = |c: &rusqlite::Connection, a: i64, b: i64| {
        let mut stmt = c
            .prepare_cached(
                "SELECT e.uri, e.name, e.status, e.start_time, e.end_time, e.location_json,
                    coalesce(e.invitees_active, 0),
                    (SELECT group_concat(coalesce(i.name, i.email), char(31)) FROM invitees i
                       WHERE i.event_uri = e.uri AND i.status = 'active'),
                    (SELECT max(i.old_invitee) FROM invitees i WHERE i.event_uri = e.uri),
                    (SELECT max(i.new_invitee) FROM invitees i WHERE i.event_uri = e.uri),
                    (SELECT count(*) FROM invitees i WHERE i.event_uri = e.uri AND i.no_show_uri IS NOT NULL)
                 FROM scheduled_events e INDEXED BY scheduled_events_by_start
                 WHERE e.start_ms < ?2 AND e.end_ms > ?1 AND e.start_ms > ?1 - ?3
                   AND e.status = 'active'
                 ORDER BY e.start_ms, e.uri",
            )
            .expect("prepare");
        stmt.query_map([a, b, 14 * 24 * 3_600_000], |r| {
            let loc: Option<String> = r.get(5)?;
            let loc: Option<serde_json::Value> = loc.and_then(|l| serde_json::from_str(&l).ok());
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                loc,
                r.get::<_, i64>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, Option<String>>(9)?,
                r.get::<_, i64>(10)?,
            ))
        })
        .expect("query")
        .count()
    };
    // Baseline: the same rows' URIs with only the upper bound of the original index (the naive
    // overlap query): reading half the index, but no row.
    let naive = |c: &rusqlite::Connection, a: i64, b: i64| {
        let mut stmt = c
            .prepare_cached(
                "SELECT uri FROM scheduled_events INDEXED BY scheduled_events_by_start
                 WHERE start_ms < ?2 AND end_ms > ?1 AND status = 'active'",
            )
            .expect("prepare");
        stmt.query_map([a, b], |r| r.get::<_, String>(0))
            .expect("query")
            .count()
    };
    println!("## Calendar range query ({EVENTS} meetings in the store)\n");
    println!("{EVENTS} meetings (one every 20 minutes, 1 invitee each) applied through the apply path in {load_s:.1} s. Built with the release profile as the app ships (opt-level \"z\", fat LTO), the baselines in the same binary. Medians of {RUNS} queries, each on a fresh snapshot read (a new connection, as the window's commands do); min and p99 beside them. Baselines in the same run, on the same file: the query before migration 0005 (four invitee subqueries per meeting over the `(start_ms, end_ms)` index and the table), and the bare URIs with the naive overlap predicate (upper index bound only, `status` read from the table).\n");
    println!("| window | query | rows | median ms | min / p99 ms |");
    println!("| --- | --- | ---: | ---: | ---: |");
    let mut month_figures = (0.0, 0.0, 0);
    for (name, (a, b)) in [("a week", week), ("a month", month)] {
        let (m, lo, p99, n) = time_queries(&store, a, b, &ours);
        println!("| {name} | `feed::calendar_range` (full calendar rows, covering index) | {n} | {m:.2} | {lo:.2} / {p99:.2} |");
        let (mb, lo, p99, nb) = time_queries(&store, a, b, &before);
        println!("| {name} | baseline: the same rows before migration 0005 | {nb} | {mb:.2} | {lo:.2} / {p99:.2} |");
        month_figures = (m, mb, n);
        let (m, lo, p99, n) = time_queries(&store, a, b, &naive);
        println!(
            "| {name} | baseline: URIs, upper bound only | {n} | {m:.2} | {lo:.2} / {p99:.2} |"
        );
    }
    println!(
        "\nTarget (issue 6): a range query with 100,000 events in the store answers in under 5 ms."
    );
    let (m, mb, n) = month_figures;
    summary::row(
        50,
        "a month's calendar query over 100,000 meetings < 5 ms",
        &format!("{m:.2} ms ({n} meetings)"),
        &format!("the query before migration 0005: {mb:.2} ms"),
        m < 5.0,
    );
    report_section(&store, month);
}

/// The clients report as the window and `slotline report` compute it (one snapshot read of the
/// facts migration 0009 keeps, then the pure report), over a month, a quarter and everything,
/// beside the same report read from the meetings and invitees themselves (as before 0009) and
/// the month's calendar query.
fn report_section(store: &Store, month: (i64, i64)) {
    use slotline::clients::{facts, report, rows, ReportRange};
    let tz: chrono_tz::Tz = chrono_tz::Europe::Berlin;
    let day = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .expect("time")
            .with_timezone(&tz)
            .date_naive()
    };
    let now = chrono::Utc::now().timestamp_millis();
    let ranges = [
        ("a month", day(month.0), day(month.1)),
        (
            "a quarter",
            day(month.0),
            day(month.0 + 91 * 24 * 3_600_000),
        ),
        (
            "the whole store (100000 meetings stored)",
            day(now - 800 * 24 * 3_600_000),
            day(now + 800 * 24 * 3_600_000),
        ),
    ];
    println!("\n## Clients report ({EVENTS} meetings in the store)\n");
    println!("The same store: 5,000 people at 1,000 companies (every tenth on gmail.com), a payment on every 7th meeting, a no-show on every 23rd. `clients::facts::read` (one snapshot: the range's rows of the integer fact table that migration 0009's triggers keep, one per meeting and invitee, the few texts they number, everyone who booked, the overrides) then `clients::report::build`, as `Core::clients_report` runs them for the window and `slotline report`; days in Europe/Berlin. Medians of {RUNS} runs (21 for the whole store); `meetings` counts the held ones (every 17th is canceled). Baselines in the same run, on the same file, each checked to give the same report: the report read from the meetings and invitees themselves (`clients::rows::read`, as before migration 0009: a long range as two index scans merged in step, migration 0008), and for the whole store also with one invitee lookup per meeting (as a short range is read there); then the month's calendar query (`feed::calendar_range`).\n");
    println!("| range | what | meetings | clients | median ms | min / p99 ms |");
    println!("| --- | --- | ---: | ---: | ---: | ---: |");
    #[derive(Clone, Copy)]
    enum Read {
        Facts,
        Rows(rows::Plan),
    }
    let time = |range: &ReportRange, read: Read, runs: usize| {
        let mut ms = Vec::with_capacity(runs);
        let mut last = None;
        for _ in 0..runs {
            let t = Instant::now();
            let rows = store
                .read(|tx| match read {
                    Read::Facts => facts::read(tx, range),
                    Read::Rows(plan) => rows::read_with(tx, Some(range), plan),
                })
                .expect("rows");
            let r = report::build(&rows, range, now);
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            last = Some(r);
        }
        ms.sort_by(|a, b| a.total_cmp(b));
        let r = last.expect("a run");
        let meetings = r.weeks.iter().map(|w| w.meetings as usize).sum::<usize>();
        (r, meetings, ms[runs / 2], ms[0], ms[runs * 99 / 100])
    };
    // (month ms, whole-store ms, whole-store ms before 0009, whole-store lookup ms, meetings)
    let mut figures = (0.0, 0.0, 0.0, 0.0, 0);
    for (name, from, to) in ranges {
        let range = ReportRange::new(from, to, tz).expect("range");
        let whole = name.starts_with("the whole store");
        let runs = if whole { 21 } else { RUNS };
        let (r, meetings, m, lo, p99) = time(&range, Read::Facts, runs);
        if whole {
            (figures.1, figures.4) = (m, meetings);
        } else if name == "a month" {
            figures.0 = m;
        }
        println!(
            "| {name} | `clients_report` | {meetings} | {} | {m:.2} | {lo:.2} / {p99:.2} |",
            r.clients.len()
        );
        // The same report read from the meetings and invitees, as before migration 0009.
        let (before, meetings, m, lo, p99) = time(&range, Read::Rows(rows::Plan::Auto), runs);
        assert_eq!(r, before, "{name}: the facts and the rows disagree");
        if whole {
            figures.2 = m;
        }
        println!(
            "| {name} | baseline: the same report read from the meetings and invitees (before migration 0009) | {meetings} | {} | {m:.2} | {lo:.2} / {p99:.2} |",
            before.clients.len()
        );
        // And with one invitee lookup per meeting (as before migration 0008).
        let (lookup, meetings, m, lo, p99) = time(
            &range,
            Read::Rows(rows::Plan::Lookup),
            if whole { 21 } else { 1 },
        );
        assert_eq!(r, lookup, "{name}: the two ways of reading disagree");
        if whole {
            figures.3 = m;
            println!(
                "| {name} | baseline: the same report, one invitee lookup per meeting | {meetings} | {} | {m:.2} | {lo:.2} / {p99:.2} |",
                lookup.clients.len()
            );
        }
    }
    let (m, lo, p99, n) = time_queries(store, month.0, month.1, &|c, a, b| {
        slotline::feed::calendar_range(c, a, b, false)
            .expect("range")
            .len()
    });
    println!(
        "| a month | baseline: `feed::calendar_range` | {n} | | {m:.2} | {lo:.2} / {p99:.2} |"
    );
    println!("\nTarget (issue 17): the report over 100,000 meetings in under 50 ms (the whole-store row); the month (the window's and the CLI's default range) and the quarter show how it grows with the range.");
    let (month_ms, whole_ms, rows_ms, lookup_ms, whole_meetings) = figures;
    summary::row(
        51,
        "the clients report over the whole store of 100,000 meetings < 50 ms",
        &format!("{whole_ms:.1} ms ({whole_meetings} held meetings; this month's report: {month_ms:.1} ms)"),
        &format!("read from the meetings and invitees (before migration 0009): {rows_ms:.1} ms; with one invitee lookup per meeting: {lookup_ms:.1} ms; the month's calendar query: {m:.2} ms"),
        whole_ms < 50.0,
    );
}
