//! Replays every seed of every fuzz target (`tests/fuzz/corpus/<target>/`, plus any crash input
//! kept in `tests/fuzz/regressions/<target>/`) through the same `slotline::fuzzing` entry points
//! libFuzzer calls, so `make test` catches a regression without libFuzzer.
//!
//! The seeds themselves are written by `write_seed_corpus` below (ignored by default):
//! `SLOTLINE_WRITE_CORPUS=1 cargo test --test it fuzz_corpus::write_seed_corpus -- --ignored`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use calendly_sandbox::{BookingSpec, Sandbox, SandboxConfig};
use chrono::Utc;
use serde_json::{json, Value};
use slotline::fuzzing::{self, signature_input, APP_KEY, NOW, SUBSCRIPTION_KEY};
use slotline::webhook::verify::sign;
use slotline::webhook::{ReceiverConfig, PATH};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::common::receiver::{self, Rx};

type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 3] = [
    ("signature_header", fuzzing::signature_header),
    ("envelope", fuzzing::envelope),
    ("plan", fuzzing::plan),
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

#[test]
fn every_seed_and_regression_replays_without_a_panic() {
    let started = Instant::now();
    let mut replayed = 0;
    for (target, run) in TARGETS {
        let seeds = files(&fuzz_dir().join("corpus").join(target));
        assert!(
            seeds.len() >= 20,
            "{target}: {} seeds; regenerate them (see this file's header)",
            seeds.len()
        );
        for path in seeds
            .iter()
            .chain(&files(&fuzz_dir().join("regressions").join(target)))
        {
            let data = std::fs::read(path).expect("read seed");
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{target} panicked on {}", path.display());
            replayed += 1;
        }
    }
    assert!(replayed >= 60, "{replayed}");
    // Fast enough to run on every `make test`.
    assert!(started.elapsed() < Duration::from_secs(20));
}

/// The seeds must exercise the paths that matter, not only the refusals: some signature seeds
/// verify, and most delivery seeds plan.
#[test]
fn the_seeds_reach_the_interesting_paths() {
    let dir = fuzz_dir().join("corpus");
    let verified = files(&dir.join("signature_header"))
        .iter()
        .filter(|p| {
            let data = std::fs::read(p).expect("read");
            let Some(split) = data.iter().position(|b| *b == 0) else {
                return false;
            };
            let (head, body) = (&data[..split], &data[split + 1..]);
            let header = String::from_utf8_lossy(head).replace('\n', ",");
            slotline::webhook::verify::verify(
                &header,
                body,
                &[
                    (slotline::webhook::KeyLabel::Subscription, SUBSCRIPTION_KEY),
                    (slotline::webhook::KeyLabel::OauthApp, APP_KEY),
                ],
                chrono::DateTime::from_timestamp(NOW, 0).expect("now"),
            )
            .is_ok()
        })
        .count();
    assert!(verified >= 10, "{verified} signature seeds verify");
    let decoded = files(&dir.join("plan"))
        .iter()
        .filter(|p| {
            slotline::webhook::process::decode_body(&std::fs::read(p).expect("read")).is_ok()
        })
        .count();
    assert!(decoded >= 20, "{decoded} plan seeds decode");
}

// ---------- writing the seeds ----------

fn write(dir: &Path, name: &str, data: &[u8]) {
    std::fs::create_dir_all(dir).expect("create corpus directory");
    std::fs::write(dir.join(name), data).expect("write seed");
}

fn variant(base: &Value, edits: &[(&str, Value)]) -> Vec<u8> {
    let mut doc = base.clone();
    for (pointer, value) in edits {
        if let Some(slot) = doc.pointer_mut(pointer) {
            *slot = value.clone();
        }
    }
    serde_json::to_vec(&doc).expect("serialize")
}

/// Real deliveries from the offline sandbox (bookings, cancellations by host and invitee, a
/// reschedule's two halves, no-shows marked and cleared, a canceled group event), captured from
/// a real receiver's inbox, plus edge-case variants of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes tests/fuzz/corpus; run by hand with SLOTLINE_WRITE_CORPUS=1"]
async fn write_seed_corpus() {
    if std::env::var_os("SLOTLINE_WRITE_CORPUS").is_none() {
        return;
    }
    let rx = Rx::start(ReceiverConfig {
        failure_limit: receiver::UNLIMITED,
        global_failure_limit: receiver::UNLIMITED,
        ..ReceiverConfig::default()
    })
    .await;
    let (sb_stop, sb_stopped) = oneshot::channel::<()>();
    let sb = Sandbox::start(
        SandboxConfig {
            seed: 7,
            now: Utc::now(),
            events: 6,
            personal_access_token: "sbx_pat_fuzz_corpus".into(),
            ..SandboxConfig::default()
        },
        TcpListener::bind("127.0.0.1:0").await.expect("bind"),
        async move {
            let _ = sb_stopped.await;
        },
    )
    .await
    .expect("sandbox");
    let created = reqwest::Client::new()
        .post(format!("{}/webhook_subscriptions", sb.base_url()))
        .bearer_auth(sb.personal_access_token())
        .json(&json!({
            "url": format!("http://{}{PATH}", rx.addr),
            "events": ["invitee.created", "invitee.canceled", "invitee_no_show.created", "invitee_no_show.deleted"],
            "organization": sb.organization_uri(),
            "user": sb.user_uri(),
            "scope": "user",
            "signing_key": String::from_utf8_lossy(receiver::KEY),
        }))
        .send()
        .await
        .expect("create subscription");
    assert_eq!(created.status().as_u16(), 201);

    let mut ids = Vec::new();
    for slug in [
        "intro-call",
        "strategy-session",
        "coaching-teams",
        "on-site-workshop",
        "phone-consultation",
        "monthly-qa-webinar",
    ] {
        ids.push(
            sb.book(BookingSpec {
                event_type: Some(slug.into()),
                ..BookingSpec::default()
            })
            .expect("book"),
        );
    }
    let guests = sb
        .book(BookingSpec {
            event_type: Some("intro-call".into()),
            invitee_name: Some("Zoë O'Connor-Nakamura".into()),
            invitee_email: Some("Zoe.OConnor@Example.co.uk".into()),
            invitee_timezone: Some("Asia/Kolkata".into()),
            guests: Some(vec![
                "guest.one@example.org".into(),
                "guest.two@example.net".into(),
            ]),
            meeting_notes: Some("Bring the \"Q4\" deck — and <b>numbers</b>".into()),
            ..BookingSpec::default()
        })
        .expect("book with guests");
    sb.cancel(&ids[0].invitee_uri, true, Some("Host is ill"))
        .expect("cancel by host");
    sb.cancel(&ids[1].invitee_uri, false, None)
        .expect("cancel by invitee");
    let moved = sb
        .reschedule(&ids[2].invitee_uri, Utc::now() + chrono::Duration::days(9))
        .expect("reschedule");
    sb.mark_no_show(&moved).expect("no-show");
    sb.clear_no_show(&moved).expect("clear no-show");
    sb.mark_no_show(&ids[4].invitee_uri).expect("no-show");
    sb.cancel_event(&ids[5].event_uri, Some("Webinar postponed"))
        .expect("cancel event");
    sb.reschedule(&guests.invitee_uri, Utc::now() + chrono::Duration::days(3))
        .expect("reschedule with guests");

    // Wait until the sandbox's deliveries have all been stored (the count stops moving).
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut last = -1;
    loop {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let stored = rx
            .store
            .read(|tx| slotline::store::inbox::state_counts(tx))
            .expect("counts")
            .total();
        if stored >= 12 && stored == last {
            break;
        }
        last = stored;
        assert!(Instant::now() < deadline, "{stored} deliveries stored");
    }
    let bodies: Vec<(String, Vec<u8>)> = {
        let conn = rusqlite::Connection::open(&rx.db).expect("open");
        let mut stmt = conn
            .prepare("SELECT coalesce(event_name, ''), body FROM webhook_inbox ORDER BY id")
            .expect("prepare");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect()
    };
    let _ = sb_stop.send(());
    rx.stop().await;

    let corpus = fuzz_dir().join("corpus");
    for (target, _) in TARGETS {
        for old in files(&corpus.join(target)) {
            std::fs::remove_file(old).expect("remove old seed");
        }
    }
    let (envelope_dir, plan_dir, sig_dir) = (
        corpus.join("envelope"),
        corpus.join("plan"),
        corpus.join("signature_header"),
    );
    for (n, (event, body)) in bodies.iter().enumerate() {
        let name = format!("sandbox-{n:02}-{}.json", event.replace('.', "-"));
        write(&envelope_dir, &name, body);
        write(&plan_dir, &name, body);
    }

    // Variants of a real booking: the corners of Calendly's format and of the planner.
    let base: Value = serde_json::from_slice(&bodies[0].1).expect("json");
    let pretty = serde_json::to_vec_pretty(&base).expect("pretty");
    let ev = base["payload"]["scheduled_event"].clone();
    let mut old_style = base["payload"].clone();
    if let Some(o) = old_style.as_object_mut() {
        o.remove("scheduled_event");
        o.remove("event");
    }
    let deep_tracking = serde_json::to_string(&base)
        .expect("json")
        .replacen(
            "\"tracking\":{",
            &format!(
                "\"tracking\":{{\"deep\":{}1{},",
                "[".repeat(120),
                "]".repeat(120)
            ),
            1,
        )
        .into_bytes();
    let variants: Vec<(&str, Vec<u8>)> = vec![
        ("pretty-printed", pretty),
        ("unknown-event", variant(&base, &[("/event", json!("meeting_recap.created"))])),
        ("old-style-invitee-without-event", serde_json::to_vec(&json!({"event": "invitee.created", "created_at": base["created_at"], "payload": old_style})).expect("json")),
        ("names-split", variant(&base, &[("/payload/name", Value::Null), ("/payload/first_name", json!("Ada")), ("/payload/last_name", json!("Lovelace"))])),
        ("names-blank", variant(&base, &[("/payload/name", json!("  ")), ("/payload/first_name", Value::Null)])),
        ("offset-times", variant(&base, &[("/payload/scheduled_event/start_time", json!("2026-12-01T11:00:00+01:00")), ("/payload/scheduled_event/end_time", json!("2026-12-01T06:30:00-04:30"))])),
        ("leap-second", variant(&base, &[("/payload/scheduled_event/start_time", json!("2016-12-31T23:59:60Z"))])),
        ("far-future", variant(&base, &[("/payload/scheduled_event/start_time", json!("9999-12-31T23:59:59.999999Z")), ("/payload/scheduled_event/end_time", json!("9999-12-31T23:59:59.999999Z"))])),
        ("epoch", variant(&base, &[("/payload/scheduled_event/start_time", json!("0000-01-01T00:00:00Z")), ("/payload/created_at", json!("1970-01-01T00:00:00Z"))])),
        ("bad-start-time", variant(&base, &[("/payload/scheduled_event/start_time", json!("next tuesday"))])),
        ("bad-updated-at", variant(&base, &[("/payload/updated_at", json!("yesterday")), ("/payload/scheduled_event/updated_at", json!(""))])),
        ("huge-counter", variant(&base, &[("/payload/scheduled_event/invitees_counter", json!({"total": i64::MAX, "active": i64::MIN, "limit": null}))])),
        ("unicode", variant(&base, &[("/payload/name", json!("𝔄𝔫𝔫𝔞 \u{202e}Schmidt\u{0}")), ("/payload/email", json!("анна@пример.рф"))])),
        ("deep-tracking", deep_tracking),
        ("no-show-created", variant(&base, &[("/event", json!("invitee_no_show.created")), ("/payload/no_show", json!({"uri": "https://api.calendly.com/invitee_no_shows/NS1", "created_at": base["created_at"]}))])),
        ("no-show-deleted", variant(&base, &[("/event", json!("invitee_no_show.deleted"))])),
        ("canceled-rescheduled", variant(&base, &[("/event", json!("invitee.canceled")), ("/payload/status", json!("canceled")), ("/payload/rescheduled", json!(true)), ("/payload/new_invitee", json!(format!("{}/invitees/NEW", ev["uri"].as_str().unwrap_or_default()))), ("/payload/cancellation", json!({"canceled_by": "Anna", "reason": null, "canceler_type": "invitee", "created_at": base["created_at"]}))])),
        ("reschedule-new-half", variant(&base, &[("/payload/old_invitee", json!(format!("{}/invitees/OLD", ev["uri"].as_str().unwrap_or_default())))])),
        ("routing-form", serde_json::to_vec(&json!({
            "event": "routing_form_submission.created", "created_at": base["created_at"],
            "payload": {"uri": "https://api.calendly.com/routing_form_submissions/RF1",
                "routing_form": "https://api.calendly.com/routing_forms/F1",
                "questions_and_answers": [{"question": "Email", "answer": "lead@example.com", "position": 0}, {"question": "Size", "answer": "11-50", "position": 1}],
                "submitter": null, "submitter_type": null, "created_at": base["created_at"], "updated_at": base["created_at"]}})).expect("json")),
        ("routing-form-no-email", serde_json::to_vec(&json!({
            "event": "routing_form_submission.created",
            "payload": {"uri": "https://api.calendly.com/routing_form_submissions/RF2", "questions_and_answers": [], "created_at": "not a time"}})).expect("json")),
        ("event-without-scheduled-event-uri", variant(&base, &[("/payload/scheduled_event", Value::Null), ("/payload/event", Value::Null), ("/payload/uri", json!("https://api.calendly.com/invitees/NOEVENT"))])),
    ];
    for (name, body) in &variants {
        write(&envelope_dir, &format!("variant-{name}.json"), body);
        write(&plan_dir, &format!("variant-{name}.json"), body);
    }
    // Not deliveries at all: only the envelope target needs these.
    let sample = &bodies[0].1;
    for (name, body) in [
        ("empty", Vec::new()),
        ("truncated", sample[..sample.len() / 2].to_vec()),
        ("null", b"null".to_vec()),
        ("array", b"[1,2,3]".to_vec()),
        ("nested", [vec![b'['; 200], vec![b']'; 200]].concat()),
        ("wrong-types", br#"{"event":42,"payload":"x"}"#.to_vec()),
        (
            "email-number",
            variant(&base, &[("/payload/email", json!(5))]),
        ),
        (
            "duplicate-event-key",
            br#"{"event":"invitee.created","event":"x","payload":{}}"#.to_vec(),
        ),
    ] {
        write(&envelope_dir, &format!("junk-{name}.json"), &body);
    }

    // Signature inputs: header lines, NUL, body; signed with the fuzz keys at fuzzing::NOW.
    for (n, (_, body)) in bodies.iter().take(6).enumerate() {
        let v1 = sign(SUBSCRIPTION_KEY, NOW, body);
        let app = sign(APP_KEY, NOW - 60, body);
        let cases: Vec<(&str, Vec<String>)> = vec![
            ("canonical", vec![format!("t={NOW},v1={v1}")]),
            ("app-key", vec![format!("t={},v1={app}", NOW - 60)]),
            (
                "whitespace-unknown-keys",
                vec![format!("  v0=abc , t = {NOW} ,foo=bar,  v1 = {v1}  ,")],
            ),
            (
                "several-v1",
                vec![format!("t={NOW},v1={},v1={v1}", sign(b"old", NOW, body))],
            ),
            (
                "split-over-two-headers",
                vec![format!("t={NOW}"), format!("v1={v1}")],
            ),
            (
                "upper-case",
                vec![format!("T={NOW},V1={}", v1.to_uppercase())],
            ),
            (
                "too-old",
                vec![format!(
                    "t={},v1={}",
                    NOW - 181,
                    sign(SUBSCRIPTION_KEY, NOW - 181, body)
                )],
            ),
        ];
        for (name, values) in cases {
            let refs: Vec<&str> = values.iter().map(String::as_str).collect();
            write(
                &sig_dir,
                &format!("{n:02}-{name}"),
                &signature_input(&refs, body),
            );
        }
    }
    let body = &bodies[0].1;
    let v1 = sign(SUBSCRIPTION_KEY, NOW, body);
    for (name, value) in [
        ("empty", String::new()),
        ("no-t", format!("v1={v1}")),
        ("no-v1", format!("t={NOW}")),
        ("short-v1", format!("t={NOW},v1={}", &v1[..63])),
        ("non-hex", format!("t={NOW},v1={}zz", &v1[..62])),
        ("bad-t", format!("t=1e9,v1={v1}")),
        ("two-t", format!("t={NOW},t={NOW},v1={v1}")),
        ("no-equals", format!("t={NOW},{v1}")),
        (
            "future",
            format!(
                "t={},v1={}",
                NOW + 600,
                sign(SUBSCRIPTION_KEY, NOW + 600, body)
            ),
        ),
    ] {
        write(
            &sig_dir,
            &format!("bad-{name}"),
            &signature_input(&[&value], body),
        );
    }
    write(
        &sig_dir,
        "bad-not-text",
        &[
            format!("t={NOW},v1={v1},x=").as_bytes(),
            b"\xff\x01",
            b"\0",
            body,
        ]
        .concat(),
    );
}
