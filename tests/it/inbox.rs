//! Authentic but not understood: Calendly drifting from what this version expects (a `null`
//! where a list or a flag was documented, a location type or a field that is new, an event this
//! version does not handle) is the adversary here. Every signed delivery is acknowledged and
//! kept; what can be applied is, what cannot is shown in the status with its reason and tried
//! again at every start, so an upgrade applies it. And retention: applied bodies are pruned
//! once the duplicate horizon has passed. All over real SQLite files.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use slotline::clock::{format_utc, Clock, FixedClock};
use slotline::export::{json_export, Range};
use slotline::feed;
use slotline::store::inbox::{self, InboxState, UnappliedReason};
use slotline::store::Store;
use slotline::webhook::process::{self, decode_body, ProcessorConfig, DUPLICATE_HORIZON};
use slotline::webhook::processor;
use slotline::webhook::writer::Arrivals;
use slotline::webhook::{KeyLabel, Receiver, ReceiverConfig, PATH};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::common::deliveries::{signature_at, webhook_post};
use crate::common::receiver::{delivery_json, Rx, KEY, UNLIMITED};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("time")
        .with_timezone(&Utc)
}

fn unlimited() -> ReceiverConfig {
    ReceiverConfig {
        failure_limit: UNLIMITED,
        global_failure_limit: UNLIMITED,
        ..ReceiverConfig::default()
    }
}

/// `doc` with the value at each pointer set: replaced, or added to its parent object (a pointer
/// under a parent that is no longer an object, say one set to `null` before, is skipped).
fn with(mut doc: Value, changes: &[(&str, Value)]) -> Value {
    for (pointer, value) in changes {
        if let Some(v) = doc.pointer_mut(pointer) {
            *v = value.clone();
            continue;
        }
        let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
        if let Some(Value::Object(map)) = doc.pointer_mut(parent) {
            map.insert(key.to_string(), value.clone());
        }
    }
    doc
}

/// A delivery like `common::receiver::delivery_json` for its own event and invitee.
fn booking(tag: &str) -> Value {
    let mut doc = delivery_json(tag);
    let ev = format!("https://api.calendly.com/scheduled_events/EV-{tag}");
    doc["payload"]["uri"] = json!(format!("{ev}/invitees/{tag}"));
    doc["payload"]["event"] = json!(ev);
    doc["payload"]["scheduled_event"]["uri"] = json!(ev);
    doc
}

fn invitee<'a>(export: &'a Value, uri: &str) -> Option<&'a Value> {
    export["events"]
        .as_array()?
        .iter()
        .flat_map(|e| e["invitees"].as_array().into_iter().flatten())
        .find(|i| i["uri"] == uri)
}

fn event<'a>(export: &'a Value, uri: &str) -> Option<&'a Value> {
    export["events"]
        .as_array()?
        .iter()
        .find(|e| e["uri"] == uri)
}

/// The bug report's delivery: `"rescheduled": null` and `"questions_and_answers": null` got 400.
/// Now it, and other drift (a location type this version does not know, fields that are new,
/// nulls where lists and counters were documented), is acknowledged and applied; an event this
/// version does not handle is acknowledged, kept unapplied and shown in the status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drifted_deliveries_are_acknowledged_and_applied_unknown_ones_kept() {
    let rx = Rx::start(unlimited()).await;
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let reported = with(
        booking("NULLS"),
        &[
            ("/payload/rescheduled", Value::Null),
            ("/payload/questions_and_answers", Value::Null),
        ],
    );
    let new_location = with(
        booking("HOLO"),
        &[
            (
                "/payload/scheduled_event/location",
                json!({"type": "hologram_conference", "join_url": "https://holo.example/r/1", "beam": {"x": 1}}),
            ),
            ("/payload/brand_new_field", json!({"nested": [1, 2]})),
            ("/brand_new_envelope_field", json!(true)),
        ],
    );
    let null_lists = with(
        booking("LISTS"),
        &[
            ("/payload/scheduled_event/event_memberships", Value::Null),
            ("/payload/scheduled_event/event_guests", Value::Null),
            (
                "/payload/scheduled_event/invitees_counter/total",
                Value::Null,
            ),
            (
                "/payload/scheduled_event/invitees_counter/active",
                Value::Null,
            ),
        ],
    );
    let unknown = json!({
        "event": "meeting_recap.created", "created_at": "2026-11-20T09:00:00.000000Z",
        "payload": {"uri": "https://api.calendly.com/meeting_recaps/R1"},
    });
    let docs = [&reported, &new_location, &null_lists, &unknown];
    for doc in docs {
        let body = serde_json::to_vec(doc).expect("json");
        assert_eq!(rx.post_signed(&http, &body).await, 202, "{doc}");
    }
    let report =
        process::process_due(&rx.store, Utc::now(), &ProcessorConfig::default()).expect("process");
    assert_eq!((report.applied, report.ignored, report.failed), (3, 1, 0));

    let export = json_export(&rx.store, Range::default()).expect("export");
    for doc in [&reported, &new_location, &null_lists] {
        let uri = doc["payload"]["uri"].as_str().expect("uri");
        let i = invitee(&export, uri).unwrap_or_else(|| panic!("{uri} applied: {export:#}"));
        assert_eq!(i["email"], doc["payload"]["email"]);
        let rescheduled = doc["payload"]["rescheduled"].as_bool().unwrap_or(false);
        assert_eq!(i["rescheduled"], json!(rescheduled));
        let answers = doc["payload"]["questions_and_answers"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(
            i["questions_and_answers"].as_array().map(Vec::len),
            Some(answers)
        );
    }
    // The location type this version does not know is kept as it came.
    let ev_uri = new_location["payload"]["event"].as_str().expect("event");
    let ev = event(&export, ev_uri).expect("event");
    assert_eq!(ev["location"]["type"], "hologram_conference");
    assert_eq!(ev["location"]["join_url"], "https://holo.example/r/1");
    // Null hosts are no hosts.
    let lists_ev = event(
        &export,
        null_lists["payload"]["event"].as_str().expect("ev"),
    )
    .expect("ev");
    assert_eq!(lists_ev["hosts"], json!([]));

    // The unknown event: kept, with its reason, and in the status.
    let status = rx.store.read(|tx| feed::status(tx)).expect("status");
    assert_eq!(status.inbox.unapplied, 1);
    assert_eq!(status.inbox.pending, 0);
    assert_eq!(status.inbox.unapplied_reasons.len(), 1);
    assert_eq!(status.inbox.unapplied_reasons[0].reason, "unknown_event");
    assert_eq!(status.inbox.unapplied_reasons[0].count, 1);
    rx.stop().await;
}

/// What an older version refused is applied by this one: a database written at schema 5 holds
/// a delivery its decoder failed (`questions_and_answers: null`) and one it marked `ignored`.
/// Opening migrates both to `unapplied` (shown in the status); [`process::retry_unapplied`],
/// which the processor runs at every start, applies them. A delivery that failed to apply for
/// another reason stays failed.
#[test]
fn an_upgrade_applies_what_an_older_version_could_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("slotline.db");
    let null_qa = serde_json::to_vec(&with(
        booking("OLD-NULLQA"),
        &[("/payload/questions_and_answers", Value::Null)],
    ))
    .expect("json");
    let no_show = serde_json::to_vec(&with(
        booking("OLD-NOSHOW"),
        &[
            ("/event", json!("invitee_no_show.created")),
            (
                "/payload/no_show",
                json!({"uri": "https://api.calendly.com/invitee_no_shows/NS1", "created_at": "2026-11-20T10:00:00.000000Z"}),
            ),
        ],
    ))
    .expect("json");
    let bad_time = serde_json::to_vec(&with(
        booking("OLD-BADTIME"),
        &[("/payload/scheduled_event/start_time", json!("soon"))],
    ))
    .expect("json");
    {
        let mut conn = rusqlite::Connection::open(&path).expect("open");
        slotline::store::db::MIGRATIONS
            .to_version(&mut conn, 5)
            .expect("schema 5");
        let insert = |body: &[u8], event: &str, state: &str, error: Option<&str>| {
            conn.execute(
                "INSERT INTO webhook_inbox (body, body_sha256, signature, event_name, received_at, processed_at, state, attempts, error)
                 VALUES (?1, ?2, 't=1,v1=00', ?3, '2026-11-20T10:00:00.000000Z', '2026-11-20T10:00:01.000000Z', ?4, 8, ?5)",
                rusqlite::params![body, hex::encode(Sha256::digest(body)), event, state, error],
            )
            .expect("insert");
        };
        insert(
            &null_qa,
            "invitee.created",
            "failed",
            Some("not a Calendly delivery: invalid type: null, expected a sequence at line 1 column 900"),
        );
        insert(&no_show, "invitee_no_show.created", "ignored", None);
        insert(
            &bad_time,
            "invitee.created",
            "failed",
            Some("cannot apply: bad start_time \"soon\""),
        );
    }
    let store = Store::open(&path).expect("open and migrate");
    let rows = store.read(|tx| inbox::list(tx, None, 10)).expect("rows");
    let by_event = |name: &str, state: InboxState| {
        rows.iter()
            .filter(|r| r.event_name.as_deref() == Some(name) && r.state == state)
            .count()
    };
    assert_eq!(by_event("invitee.created", InboxState::Unapplied), 1);
    assert_eq!(
        by_event("invitee_no_show.created", InboxState::Unapplied),
        1
    );
    assert_eq!(by_event("invitee.created", InboxState::Failed), 1);
    let status = store.read(|tx| feed::status(tx)).expect("status");
    assert_eq!((status.inbox.unapplied, status.inbox.failed), (2, 1));
    let mut reasons: Vec<(String, i64)> = status
        .inbox
        .unapplied_reasons
        .iter()
        .map(|r| (r.reason.clone(), r.count))
        .collect();
    reasons.sort();
    assert_eq!(
        reasons,
        vec![
            ("unexpected_shape".to_string(), 1),
            ("unknown_event".to_string(), 1)
        ]
    );

    let clock = FixedClock::new(at("2026-11-21T08:00:00Z"));
    let config = ProcessorConfig::default();
    let report = process::retry_unapplied(&store, &clock, &config).expect("retry");
    // Both unapplied rows apply now; the bad start time is tried once more and fails again.
    assert_eq!((report.applied, report.ignored, report.failed), (2, 0, 1));
    let export = json_export(&store, Range::default()).expect("export");
    let old = with(booking("OLD-NULLQA"), &[]);
    assert!(invitee(&export, old["payload"]["uri"].as_str().expect("uri")).is_some());
    let marked = with(booking("OLD-NOSHOW"), &[]);
    let i = invitee(&export, marked["payload"]["uri"].as_str().expect("uri")).expect("no-show");
    assert_eq!(i["no_show"], json!(true));
    let status = store.read(|tx| feed::status(tx)).expect("status");
    assert_eq!((status.inbox.unapplied, status.inbox.failed), (0, 1));
}

/// Stores `body` (an `invitee.created` delivery) in the inbox as the receiver would, received at
/// `at`; true when it was new.
fn stored_booking(
    tx: &rusqlite::Connection,
    body: &[u8],
    at: &str,
) -> Result<bool, slotline::store::StoreError> {
    inbox::insert(
        tx,
        body,
        &hex::encode(Sha256::digest(body)),
        "t=1,v1=00",
        Some("invitee.created"),
        at,
    )
}

/// The processor's own loop does the retry on its first pass: a row kept unapplied (say by a
/// version that did not know its event) is applied as soon as the processor starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_processor_retries_unapplied_deliveries_when_it_starts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Store::open(&dir.path().join("slotline.db")).expect("open"));
    let body = serde_json::to_vec(&booking("KEPT")).expect("json");
    store
        .with_tx(|tx| {
            stored_booking(tx, &body, "2026-11-20T10:00:00.000000Z")?;
            let id: i64 = tx.query_row("SELECT id FROM webhook_inbox", [], |r| r.get(0))?;
            inbox::mark_unapplied(
                tx,
                id,
                UnappliedReason::UnknownEvent,
                "an older version did not handle it",
                "2026-11-20T10:00:01.000000Z",
            )
        })
        .expect("seed");
    let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(at("2026-11-21T08:00:00Z")));
    let (tx, mut reports) = tokio::sync::mpsc::unbounded_channel();
    let (stop, stopped) = oneshot::channel::<()>();
    let run = tokio::spawn(processor::run(
        store.clone(),
        clock,
        Arc::new(Arrivals::default()),
        ProcessorConfig::default(),
        tx,
        async move {
            let _ = stopped.await;
        },
    ));
    let first = tokio::time::timeout(Duration::from_secs(10), reports.recv())
        .await
        .expect("a report")
        .expect("report");
    assert_eq!(first.applied, 1);
    let _ = stop.send(());
    run.await.expect("run");
    let counts = store.read(|tx| inbox::state_counts(tx)).expect("counts");
    assert_eq!((counts.applied, counts.unapplied), (1, 0));
}

/// Fields Calendly documents as nullable (or that real deliveries have carried as `null`), each
/// as a JSON pointer into a delivery.
const NULLABLE: &[&str] = &[
    "/payload/first_name",
    "/payload/last_name",
    "/payload/name",
    "/payload/timezone",
    "/payload/questions_and_answers",
    "/payload/tracking",
    "/payload/text_reminder_number",
    "/payload/rescheduled",
    "/payload/old_invitee",
    "/payload/new_invitee",
    "/payload/cancel_url",
    "/payload/reschedule_url",
    "/payload/routing_form_submission",
    "/payload/cancellation",
    "/payload/payment",
    "/payload/no_show",
    "/payload/reconfirmation",
    "/payload/scheduling_method",
    "/payload/invitee_scheduled_by",
    "/payload/scheduled_event/name",
    "/payload/scheduled_event/event_type",
    "/payload/scheduled_event/meeting_notes_plain",
    "/payload/scheduled_event/meeting_notes_html",
    "/payload/scheduled_event/location/location",
    "/payload/scheduled_event/location/join_url",
    "/payload/scheduled_event/location",
    "/payload/scheduled_event/invitees_counter/total",
    "/payload/scheduled_event/invitees_counter/active",
    "/payload/scheduled_event/invitees_counter/limit",
    "/payload/scheduled_event/invitees_counter",
    "/payload/scheduled_event/event_memberships",
    "/payload/scheduled_event/event_guests",
    "/payload/scheduled_event/cancellation",
    "/created_by",
    "/created_at",
];

/// A delivery with every nullable field present (with a value), so that nulling it is a change.
/// Adversary: a flood of deliveries that never pauses. The processor leaves the database to
/// the receiver while it commits, but not for ever: a delivery is applied no later than
/// `max_lag` after the burst began, although the receiver is never quiet for `settle`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_that_never_pauses_is_applied_within_the_max_lag() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Store::open(&dir.path().join("slotline.db")).expect("open"));
    let config = ProcessorConfig {
        // Never quiet that long during the flood below: only `max_lag` can start the pass.
        settle: Duration::from_secs(30),
        max_lag: Duration::from_millis(400),
        ..ProcessorConfig::default()
    };
    let arrivals = Arc::new(Arrivals::default());
    let (tx, mut reports) = tokio::sync::mpsc::unbounded_channel();
    let (stop, stopped) = oneshot::channel::<()>();
    let run = tokio::spawn(processor::run(
        store.clone(),
        Arc::new(slotline::clock::SystemClock) as Arc<dyn Clock>,
        arrivals.clone(),
        config,
        tx,
        async move {
            let _ = stopped.await;
        },
    ));
    // Its first pass (the start-up retry) finds an empty inbox and reports nothing.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let body = serde_json::to_vec(&booking("FLOOD")).expect("json");
    store
        .with_tx(|tx| stored_booking(tx, &body, &format_utc(Utc::now())))
        .expect("insert");
    let began = std::time::Instant::now();
    arrivals.arrived();
    // The receiver goes on committing every 20 ms.
    let flood = {
        let arrivals = arrivals.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(20)).await;
                arrivals.arrived();
            }
        })
    };
    let report = tokio::time::timeout(Duration::from_secs(10), reports.recv())
        .await
        .expect("a pass during the flood, long before `settle`")
        .expect("report");
    let waited = began.elapsed();
    flood.abort();
    assert_eq!(report.applied, 1, "{report:?}");
    assert!(
        waited >= Duration::from_millis(400),
        "the pass waited for the max lag while the receiver was busy ({waited:?})"
    );
    let _ = stop.send(());
    run.await.expect("run");
}

fn full(tag: &str) -> Value {
    with(
        booking(tag),
        &[
            ("/payload/first_name", json!("Jonas")),
            ("/payload/last_name", json!("Berg")),
            ("/payload/text_reminder_number", json!("+46 70 000 00 00")),
            (
                "/payload/payment",
                json!({"provider": "stripe", "amount": 10.5, "currency": "EUR"}),
            ),
            (
                "/payload/reconfirmation",
                json!({"created_at": "2026-11-20T09:00:00.000000Z", "confirmed_at": null}),
            ),
            ("/payload/scheduling_method", json!("instant_book")),
            (
                "/payload/invitee_scheduled_by",
                json!("https://api.calendly.com/users/AAAAAAAAAAAAAAAA"),
            ),
            (
                "/payload/scheduled_event/meeting_notes_plain",
                json!("Agenda"),
            ),
            (
                "/payload/scheduled_event/meeting_notes_html",
                json!("<p>Agenda</p>"),
            ),
            (
                "/payload/scheduled_event/location/location",
                json!("Room 4"),
            ),
        ],
    )
}

/// One nullable field at a time, through the real receiver and processor: acknowledged, applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_nullable_field_may_be_null() {
    let rx = Rx::start(unlimited()).await;
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let mut docs = Vec::new();
    for (n, pointer) in NULLABLE.iter().enumerate() {
        let tag = format!("NULL{n:02}");
        let base = full(&tag);
        let parent = pointer.rsplit_once('/').map_or("", |(p, _)| p);
        assert!(
            base.pointer(parent).is_some(),
            "{pointer}'s parent is in the fixture"
        );
        let doc = with(base, &[(pointer, Value::Null)]);
        let body = serde_json::to_vec(&doc).expect("json");
        assert_eq!(rx.post_signed(&http, &body).await, 202, "{pointer}");
        docs.push((pointer, doc));
    }
    let report =
        process::process_due(&rx.store, Utc::now(), &ProcessorConfig::default()).expect("process");
    let failures: Vec<String> = rx
        .store
        .read(|tx| inbox::list(tx, None, 100))
        .expect("rows")
        .into_iter()
        .filter(|r| r.state != InboxState::Applied)
        .map(|r| format!("{:?} {:?}", r.state, r.error))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(report.applied as usize, NULLABLE.len());
    let export = json_export(&rx.store, Range::default()).expect("export");
    for (pointer, doc) in &docs {
        let uri = doc["payload"]["uri"].as_str().expect("uri");
        assert!(
            invitee(&export, uri).is_some(),
            "{pointer}: {uri} not applied"
        );
    }
    rx.stop().await;
}

/// Any combination of them: the delivery decodes and applies, to what the document says.
#[test]
fn any_set_of_nullable_fields_may_be_null() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("slotline.db")).expect("open");
    let mut runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    });
    let n = std::cell::Cell::new(0u32);
    runner
        .run(
            &prop::collection::vec(any::<bool>(), NULLABLE.len()),
            |mask| {
                n.set(n.get() + 1);
                let nulls: Vec<(&str, Value)> = NULLABLE
                    .iter()
                    .zip(&mask)
                    .filter(|(_, on)| **on)
                    .map(|(p, _)| (*p, Value::Null))
                    .collect();
                let doc = with(full(&format!("P{:03}", n.get())), &nulls);
                let body = serde_json::to_vec(&doc).expect("json");
                let (envelope, payload) = decode_body(&body)
                    .map_err(|e| TestCaseError::fail(format!("{e}: {nulls:?}")))?;
                let input = slotline::sync::Input::Webhook {
                    payload,
                    delivered_at: envelope.created_at,
                };
                store
                    .with_tx(|tx| slotline::sync::apply(tx, &input))
                    .map_err(|e| TestCaseError::fail(format!("{e}: {nulls:?}")))?;
                let export = json_export(&store, Range::default()).expect("export");
                let uri = doc["payload"]["uri"].as_str().expect("uri");
                let i = invitee(&export, uri)
                    .ok_or_else(|| TestCaseError::fail(format!("not stored: {nulls:?}")))?;
                prop_assert_eq!(
                    &i["rescheduled"],
                    &json!(doc["payload"]["rescheduled"].as_bool().unwrap_or(false))
                );
                prop_assert_eq!(
                    i["questions_and_answers"].as_array().map(Vec::len),
                    Some(
                        doc["payload"]["questions_and_answers"]
                            .as_array()
                            .map_or(0, Vec::len)
                    )
                );
                prop_assert_eq!(&i["email"], &doc["payload"]["email"]);
                Ok(())
            },
        )
        .expect("every combination applies");
}

/// Retention, with the clock injected: an applied delivery's body (it holds personal data) stays
/// until the duplicate horizon has passed, then the processor's pass prunes it. The bytes are
/// gone from the database file (compared with a marker found there before), the row and its
/// hash stay, and a late retry of the same bytes is still answered as a duplicate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applied_bodies_are_pruned_after_the_duplicate_horizon() {
    let t0 = at("2026-11-20T10:00:00Z");
    let clock = Arc::new(FixedClock::new(t0));
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("slotline.db");
    let store = Arc::new(Store::open(&db).expect("open"));
    let receiver = Receiver::new(
        store.clone(),
        || vec![(KeyLabel::Subscription, KEY.to_vec())],
        clock.clone(),
        unlimited(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}{PATH}", listener.local_addr().expect("addr"));
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn({
        let receiver = receiver.clone();
        async move {
            receiver
                .serve(listener, async move {
                    let _ = stopped.await;
                })
                .await
        }
    });
    let marker = format!("RETENTION-MARKER-{}", rand::random::<u64>());
    // Only in the body: an envelope field nothing applies.
    let doc = with(booking("KEEP"), &[("/x_marker", json!(marker))]);
    let body = serde_json::to_vec(&doc).expect("json");
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let post_at = |now: DateTime<Utc>| {
        let signature = signature_at(KEY, now.timestamp(), &body);
        webhook_post(&http, &url, Some(&signature), body.clone()).send()
    };
    assert_eq!(post_at(t0).await.expect("post").status().as_u16(), 202);
    let config = ProcessorConfig::default();
    let applied = process::process_due(&store, t0, &config).expect("apply");
    assert_eq!((applied.applied, applied.pruned), (1, 0));

    let file_has_marker = || {
        let conn = rusqlite::Connection::open(&db).expect("open");
        let _: (i64, i64, i64) = conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .expect("checkpoint");
        drop(conn);
        let mut bytes = std::fs::read(&db).expect("db");
        bytes.extend(std::fs::read(db.with_extension("db-wal")).unwrap_or_default());
        bytes.windows(marker.len()).any(|w| w == marker.as_bytes())
    };
    assert!(file_has_marker(), "the body is in the file before pruning");

    let horizon = chrono::Duration::from_std(DUPLICATE_HORIZON).expect("horizon");
    assert_eq!(horizon, chrono::Duration::days(7));
    // One second before the horizon: kept.
    let before = t0 + horizon - chrono::Duration::seconds(1);
    let early = process::process_due(&store, before, &config).expect("early");
    assert_eq!(early.pruned, 0);
    assert!(store.read(|tx| inbox::body(tx, 1)).expect("body").is_some());
    // Past it: pruned, by the processor's loop (woken by its notify), with the clock moved on.
    let after = t0 + horizon + chrono::Duration::seconds(1);
    clock.set(after);
    let (tx, mut reports) = tokio::sync::mpsc::unbounded_channel();
    let (stop_run, run_stopped) = oneshot::channel::<()>();
    let notify = receiver.arrivals();
    let run = tokio::spawn(processor::run(
        store.clone(),
        clock.clone(),
        notify,
        config.clone(),
        tx,
        async move {
            let _ = run_stopped.await;
        },
    ));
    let report = tokio::time::timeout(Duration::from_secs(10), reports.recv())
        .await
        .expect("a pass")
        .expect("report");
    assert_eq!(report.pruned, 1);
    let _ = stop_run.send(());
    run.await.expect("run");
    let row = store
        .read(|tx| inbox::get(tx, 1))
        .expect("get")
        .expect("the row stays");
    assert_eq!(row.state, InboxState::Applied);
    assert_eq!(row.pruned_at.as_deref(), Some(format_utc(after).as_str()));
    assert_eq!(store.read(|tx| inbox::body(tx, 1)).expect("body"), None);
    assert!(
        !file_has_marker(),
        "the body's bytes are gone from the file"
    );
    // The applied meeting is still there; a late retry is recognised by its hash.
    let export = json_export(&store, Range::default()).expect("export");
    assert!(invitee(&export, doc["payload"]["uri"].as_str().expect("uri")).is_some());
    let retry = post_at(after).await.expect("post");
    assert_eq!(retry.status().as_u16(), 200, "a duplicate");
    let _ = stop.send(());
    served.await.expect("join").expect("stop");
}
