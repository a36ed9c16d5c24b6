//! The clients report's fact table (migration 0009), kept by triggers: after every kind of write
//! the apply path does (a booking, a group booking, a cancellation, a reschedule, a no-show and
//! its clearing, a payment changing, a meeting's time, type and name changing, an invitee added
//! to a meeting that had none) and after deletes, the table equals the facts computed afresh
//! from the meetings and invitees, and the report read from it equals the report read from the
//! meetings and invitees themselves (both ways that reader reads). The migration fills the
//! table from a store that already has data.

use chrono::{NaiveDate, TimeZone, Utc};
use rusqlite::Connection;
use serde_json::{json, Value};
use slotline::clients::{facts, report, rows, ClientsReport, ReportRange};
use slotline::store::{account, Store, StoreError};
use slotline::sync::{apply, Input};

use crate::common::input;

const COLUMNS: &str = "start_ms, meeting, seq, end_ms, flags, kind, person, amount, currency";
const BERLIN: chrono_tz::Tz = chrono_tz::Europe::Berlin;

fn uri(id: &str) -> String {
    format!("https://api.calendly.com/scheduled_events/{id}")
}

/// A meeting on 2026-03-`day` at `hour`:00 UTC, 45 minutes long.
fn event(id: &str, day: u32, hour: u32, status: &str, kind: Option<&str>, seq: u32) -> Value {
    let start = Utc
        .with_ymd_and_hms(2026, 3, day, hour, 0, 0)
        .single()
        .expect("start");
    let t = |d: chrono::DateTime<Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    json!({
        "uri": uri(id), "name": format!("Meeting {id}"), "status": status,
        "start_time": t(start), "end_time": t(start + chrono::Duration::minutes(45)),
        "event_type": kind.map(|k| format!("https://api.calendly.com/event_types/{k}")),
        "created_at": "2026-02-01T00:00:00.000000Z",
        "updated_at": format!("2026-02-01T00:00:{seq:02}.000000Z"),
        "event_memberships": [{"user": "https://api.calendly.com/users/HOST", "user_email": "maya@example.com", "user_name": "Maya"}],
    })
}

fn invitee(ev: &str, id: &str, email: &str, status: &str, seq: u32) -> Value {
    json!({
        "uri": format!("{}/invitees/{id}", uri(ev)), "email": email, "name": format!("Person {id}"),
        "status": status, "event": uri(ev),
        "created_at": "2026-02-01T00:00:00.000000Z",
        "updated_at": format!("2026-02-01T00:00:{seq:02}.000000Z"),
    })
}

fn paid(amount: f64, currency: &str, successful: bool) -> Value {
    json!({"external_id": "ch_1", "provider": "stripe", "amount": amount, "currency": currency,
           "terms": null, "successful": successful})
}

fn write(store: &Store, inputs: Vec<Input>) {
    store
        .with_tx(|tx| {
            for i in &inputs {
                apply(tx, i)?;
            }
            Ok::<_, slotline::sync::apply::ApplyError>(())
        })
        .expect("apply");
}

/// The table's rows the view does not compute, and the view's rows the table lacks.
/// Runs `batch` in one write transaction: writes no apply path makes.
fn sql(store: &Store, batch: &str) {
    store
        .with_tx(|tx| Ok::<_, StoreError>(tx.execute_batch(batch)?))
        .unwrap_or_else(|e| panic!("{batch}: {e}"));
}

fn drift(conn: &Connection) -> (i64, i64) {
    let count = |a: &str, b: &str| -> i64 {
        conn.query_row(
            &format!(
                "SELECT count(*) FROM (SELECT {COLUMNS} FROM {a} EXCEPT SELECT {COLUMNS} FROM {b})"
            ),
            [],
            |r| r.get(0),
        )
        .expect("count")
    };
    (
        count("report_facts", "report_facts_source"),
        count("report_facts_source", "report_facts"),
    )
}

fn range(from: &str, to: &str) -> ReportRange {
    let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    ReportRange::new(d(from), d(to), BERLIN).expect("range")
}

/// The facts equal the view, and the report read from them equals the report read from the
/// meetings and invitees, over March and over one week; answers March's.
fn check(store: &Store, step: &str) -> ClientsReport {
    let now = Utc
        .with_ymd_and_hms(2026, 3, 15, 12, 0, 0)
        .single()
        .expect("now")
        .timestamp_millis();
    store
        .read(|tx| {
            assert_eq!(drift(tx), (0, 0), "{step}: the facts drifted from the view");
            let mut march = None;
            for r in [
                range("2026-03-01", "2026-03-31"),
                range("2026-03-09", "2026-03-15"),
            ] {
                let from_facts = report::build(&facts::read(tx, &r)?, &r, now);
                for plan in [rows::Plan::Lookup, rows::Plan::Merge] {
                    let from_rows = report::build(&rows::read_with(tx, Some(&r), plan)?, &r, now);
                    pretty_assertions::assert_eq!(from_facts, from_rows, "{step}: {plan:?}");
                }
                march.get_or_insert(from_facts);
            }
            Ok::<_, StoreError>(march.expect("march"))
        })
        .expect("read")
}

fn client<'a>(r: &'a ClientsReport, key: &str) -> &'a slotline::clients::ClientLine {
    r.clients
        .iter()
        .find(|c| c.key == key)
        .unwrap_or_else(|| panic!("no client {key} in {r:#?}"))
}

/// The first bookings: A (one paid invitee of Acme), B (a group: Acme and a free-mail person),
/// C (no invitee yet) and D (an event type, a failed payment at Beta).
fn first_bookings() -> Vec<Input> {
    let mut a = invitee("A", "a1", "Ann@Acme.example", "active", 1);
    a["payment"] = paid(100.0, "EUR", true);
    let mut d = invitee("D", "d1", "dan@beta.example", "active", 1);
    d["payment"] = paid(80.0, "USD", false);
    vec![
        input(event("A", 10, 9, "active", None, 1), vec![a]),
        input(
            event("B", 11, 9, "active", None, 1),
            vec![
                invitee("B", "b1", "bob@acme.example", "active", 1),
                invitee("B", "b2", "cy@gmail.com", "active", 1),
            ],
        ),
        input(event("C", 12, 9, "active", None, 1), vec![]),
        input(event("D", 13, 9, "active", Some("T1"), 1), vec![d]),
    ]
}

#[test]
fn the_facts_follow_every_write_and_the_report_read_from_them_is_the_same() {
    let (_dir, store) = crate::common::fresh_store();
    write(&store, first_bookings());
    let r = check(&store, "booked");
    // From the bookings: Acme has A and B (45 minutes each) and A's 100 EUR; Beta's payment
    // failed; C has no invitee, so it is a meeting of the week but of no client.
    let acme = client(&r, "domain:acme.example");
    assert_eq!((acme.meetings, acme.hours), (2, 1.5));
    assert_eq!(acme.revenue.len(), 1);
    assert_eq!(
        (acme.revenue[0].currency.as_str(), acme.revenue[0].amount),
        ("EUR", 100.0)
    );
    assert!(client(&r, "domain:beta.example").revenue.is_empty());
    assert_eq!(r.weeks.iter().map(|w| w.meetings).sum::<u32>(), 4);

    // Cy is marked a no-show; D's payment goes through in another currency and amount.
    let mut cy = invitee("B", "b2", "cy@gmail.com", "active", 2);
    cy["no_show"] = json!({"uri": "https://api.calendly.com/invitee_no_shows/1"});
    let mut d = invitee("D", "d1", "dan@beta.example", "active", 2);
    d["payment"] = paid(95.5, "CHF", true);
    write(
        &store,
        vec![
            input(
                event("B", 11, 9, "active", None, 1),
                vec![invitee("B", "b1", "bob@acme.example", "active", 1), cy],
            ),
            input(event("D", 13, 9, "active", Some("T1"), 1), vec![d]),
        ],
    );
    let r = check(&store, "no-show and payment");
    assert_eq!(client(&r, "person:cy@gmail.com").no_shows, 1);
    let beta = client(&r, "domain:beta.example");
    assert_eq!(
        (beta.revenue[0].currency.as_str(), beta.revenue[0].amount),
        ("CHF", 95.5)
    );

    // The no-show is cleared; A is rescheduled to A2 (the old booking counts nowhere); C gets
    // its first invitee; D moves to another day and event type under another name.
    let mut a_old = invitee("A", "a1", "Ann@Acme.example", "canceled", 3);
    a_old["rescheduled"] = json!(true);
    a_old["new_invitee"] = json!(format!("{}/invitees/a2", uri("A2")));
    a_old["payment"] = paid(100.0, "EUR", true);
    let mut a_new = invitee("A2", "a2", "Ann@Acme.example", "active", 3);
    a_new["old_invitee"] = json!(format!("{}/invitees/a1", uri("A")));
    a_new["payment"] = paid(100.0, "EUR", true);
    let mut moved = event("D", 20, 14, "active", Some("T2"), 3);
    moved["name"] = json!("Renamed D");
    let mut d = invitee("D", "d1", "dan@beta.example", "active", 3);
    d["payment"] = paid(95.5, "CHF", true);
    write(
        &store,
        vec![
            input(
                event("B", 11, 9, "active", None, 1),
                vec![
                    invitee("B", "b1", "bob@acme.example", "active", 1),
                    invitee("B", "b2", "cy@gmail.com", "active", 3),
                ],
            ),
            input(event("A", 10, 9, "canceled", None, 3), vec![a_old]),
            input(event("A2", 17, 9, "active", None, 3), vec![a_new]),
            input(
                event("C", 12, 9, "active", None, 1),
                vec![invitee("C", "c1", "cy@gmail.com", "active", 3)],
            ),
            input(moved, vec![d]),
        ],
    );
    let r = check(
        &store,
        "reschedule, cleared no-show, first invitee, moved meeting",
    );
    assert_eq!(client(&r, "person:cy@gmail.com").no_shows, 0);
    assert_eq!(client(&r, "person:cy@gmail.com").meetings, 2);
    let acme = client(&r, "domain:acme.example");
    // B and A2; A was moved, not canceled.
    assert_eq!((acme.meetings, acme.canceled), (2, 0));
    assert!(r.event_types.iter().any(|t| t.name == "Renamed D"));

    // A cancellation by the host, with its invitee canceled too.
    write(
        &store,
        vec![input(
            event("B", 11, 9, "canceled", None, 4),
            vec![
                invitee("B", "b1", "bob@acme.example", "canceled", 4),
                invitee("B", "b2", "cy@gmail.com", "canceled", 4),
            ],
        )],
    );
    let r = check(&store, "canceled");
    assert_eq!(client(&r, "domain:acme.example").canceled, 1);

    // Deletes (no apply path deletes one invitee, but the triggers must still hold): one seat
    // of B, C's only invitee (C is back to a meeting without one), then C itself.
    sql(
        &store,
        &format!(
            "DELETE FROM invitees WHERE uri = '{b}/invitees/b2';
             DELETE FROM activities WHERE invitee_uri = '{c}/invitees/c1';
             DELETE FROM invitees WHERE uri = '{c}/invitees/c1';",
            b = uri("B"),
            c = uri("C"),
        ),
    );
    check(&store, "invitees deleted");
    sql(
        &store,
        &format!(
            "DELETE FROM event_participants WHERE event_uri = '{c}';
             DELETE FROM private_notes WHERE event_uri = '{c}';
             DELETE FROM scheduled_events WHERE uri = '{c}';",
            c = uri("C"),
        ),
    );
    check(&store, "meeting deleted");

    // Erasing the history leaves no fact.
    store
        .with_tx(|tx| account::erase_history(tx))
        .expect("erase");
    check(&store, "erased");
    let left: i64 = store
        .read(|tx| {
            Ok::<_, StoreError>(
                tx.query_row("SELECT count(*) FROM report_facts", [], |r| r.get(0))?,
            )
        })
        .expect("count");
    assert_eq!(left, 0);
}

#[test]
fn the_migration_fills_the_facts_of_a_store_that_already_has_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.db");
    {
        let mut conn = Connection::open(&path).expect("open");
        slotline::store::db::MIGRATIONS
            .to_version(&mut conn, 8)
            .expect("to v8");
        let tx = conn.transaction().expect("tx");
        for i in first_bookings() {
            apply(&tx, &i).expect("apply at v8");
        }
        tx.commit().expect("commit");
    }
    let store = Store::open(&path).expect("upgrade");
    let r = check(&store, "migrated");
    assert_eq!(client(&r, "domain:acme.example").meetings, 2);
    // And the triggers keep them from there.
    write(
        &store,
        vec![input(
            event("C", 12, 9, "active", None, 2),
            vec![invitee("C", "c1", "zed@gamma.example", "active", 2)],
        )],
    );
    let r = check(&store, "migrated, then written");
    assert_eq!(client(&r, "domain:gamma.example").meetings, 1);
}
