//! Property tests: the signature verifier (a valid signature verifies in every header form
//! Calendly may send; any change to body, key or timestamp does not) and the apply path (any
//! order and any duplication of a set of deliveries converges to the same store, compared by the
//! JSON export of real SQLite files).

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{json, Value};
use slotline::calendly::models::WebhookEnvelope;
use slotline::export::{json_export, Range};
use slotline::store::Store;
use slotline::sync::{apply, Input};
use slotline::webhook::verify::{sign, verify, KeyLabel, SignatureError, TOLERANCE};

const NOW: i64 = 1_795_737_600;

fn at(t: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(t, 0).single().expect("instant")
}

fn window() -> i64 {
    i64::try_from(TOLERANCE.as_secs()).expect("small")
}

/// Cases are cheap for the verifier; each apply case opens a real database file.
fn config(cases: u32) -> Config {
    Config {
        cases,
        // A failure prints its minimal case; no regression files are written into the tree.
        failure_persistence: None,
        ..Config::default()
    }
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..1024)
}

/// Signing keys as Calendly and Slotline make them: printable text. (HMAC pads a short key with
/// zero bytes, so `k` and `k\0` are the same key; no real key ends in NUL.)
fn key() -> impl Strategy<Value = Vec<u8>> {
    "[!-~]{1,80}".prop_map(String::into_bytes)
}

fn skew() -> impl Strategy<Value = i64> {
    -window()..=window()
}

fn check(header: &str, body: &[u8], key: &[u8]) -> Result<KeyLabel, SignatureError> {
    verify(header, body, &[(KeyLabel::Subscription, key)], at(NOW))
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn a_valid_signature_verifies(body in body(), key in key(), skew in skew()) {
        let t = NOW + skew;
        let header = format!("t={t},v1={}", sign(&key, t, &body));
        prop_assert_eq!(check(&header, &body, &key), Ok(KeyLabel::Subscription));
    }

    #[test]
    fn header_variants_still_verify(
        body in body(),
        key in key(),
        skew in skew(),
        pad in prop::collection::vec("[ \t]{0,2}", 6),
        unknown in prop::collection::vec(
            ("[a-z][a-z0-9]{0,4}", "[A-Za-z0-9_.:/=-]{0,12}")
                .prop_filter("not a known key", |(k, _)| k != "t" && k != "v1"),
            0..3,
        ),
        decoys in prop::collection::vec("[0-9a-f]{64}", 0..3),
        upper in any::<bool>(),
        order in Just((0..8usize).collect::<Vec<_>>()).prop_shuffle(),
    ) {
        let t = NOW + skew;
        let mut v1 = sign(&key, t, &body);
        if upper {
            v1 = v1.to_uppercase();
        }
        let mut parts = vec![
            format!("{}t{}={}{t}", pad[0], pad[1], pad[2]),
            format!("{}v1={}{v1}{}", pad[3], pad[4], pad[5]),
        ];
        parts.extend(decoys.iter().map(|d| format!("v1={d}")));
        parts.extend(unknown.iter().map(|(k, v)| format!("{k}={v}")));
        parts.push(String::new()); // an empty part, as from a trailing comma
        let mut shuffled: Vec<&String> = order.iter().filter_map(|i| parts.get(*i)).collect();
        shuffled.extend(parts.iter().skip(order.len()));
        let header = shuffled.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(",");
        prop_assert_eq!(check(&header, &body, &key), Ok(KeyLabel::Subscription), "{}", header);
    }

    #[test]
    fn any_change_to_the_body_does_not_verify(
        body in body(),
        key in key(),
        skew in skew(),
        index in any::<prop::sample::Index>(),
        bit in 0u8..8,
        extra in prop::collection::vec(any::<u8>(), 1..8),
    ) {
        let t = NOW + skew;
        let header = format!("t={t},v1={}", sign(&key, t, &body));
        let mut flipped = body.clone();
        if flipped.is_empty() {
            flipped.push(0);
        } else {
            let i = index.index(flipped.len());
            flipped[i] ^= 1 << bit;
        }
        prop_assert_eq!(check(&header, &flipped, &key), Err(SignatureError::Mismatch));
        let longer = [&body[..], &extra[..]].concat();
        prop_assert_eq!(check(&header, &longer, &key), Err(SignatureError::Mismatch));
        if !body.is_empty() {
            let shorter = &body[..index.index(body.len())];
            prop_assert_eq!(check(&header, shorter, &key), Err(SignatureError::Mismatch));
        }
    }

    #[test]
    fn any_other_key_does_not_verify(body in body(), key in key(), other in key(), skew in skew()) {
        prop_assume!(other != key);
        let t = NOW + skew;
        let header = format!("t={t},v1={}", sign(&key, t, &body));
        prop_assert_eq!(check(&header, &body, &other), Err(SignatureError::Mismatch));
    }

    #[test]
    fn any_other_timestamp_does_not_verify(
        body in body(),
        key in key(),
        skew in skew(),
        delta in prop_oneof![-100_000i64..0, 1i64..100_000],
    ) {
        let t = NOW + skew;
        let v1 = sign(&key, t, &body);
        let moved = t + delta;
        let result = check(&format!("t={moved},v1={v1}"), &body, &key);
        if (moved - NOW).abs() <= window() {
            prop_assert_eq!(result, Err(SignatureError::Mismatch));
        } else {
            prop_assert!(
                matches!(result, Err(SignatureError::TooOld { .. } | SignatureError::InTheFuture { .. })),
                "{:?}", result
            );
        }
    }
}

// ---------- the apply path ----------

const API: &str = "https://api.calendly.com";

fn ev_uri(n: u32) -> String {
    format!("{API}/scheduled_events/0000000{n}-aaaa-4bbb-8ccc-dddddddddddd")
}

fn inv_uri(ev: u32, id: &str) -> String {
    format!("{}/invitees/{id}", ev_uri(ev))
}

fn event(n: u32, day: u32, status: &str, updated: &str) -> Value {
    json!({
        "uri": ev_uri(n), "name": "Discovery call", "status": status,
        "start_time": format!("2026-12-{day:02}T10:00:00.000000Z"),
        "end_time": format!("2026-12-{day:02}T10:45:00.000000Z"),
        "event_type": format!("{API}/event_types/DISCOVERY"),
        "location": {"type": "zoom", "join_url": "https://zoom.us/j/99", "status": "pushed"},
        "invitees_counter": {"total": 1, "active": i32::from(status == "active"), "limit": 1},
        "created_at": "2026-11-01T08:00:00.000000Z", "updated_at": updated,
        "event_memberships": [{"user": format!("{API}/users/HOST"), "user_email": "maya@example.com", "user_name": "Maya Lindqvist"}],
        "event_guests": [],
        "cancellation": if status == "canceled" {
            json!({"canceled_by": "Maya Lindqvist", "reason": "Moved", "canceler_type": "host", "created_at": updated})
        } else { Value::Null },
    })
}

fn invitee(uri: &str, ev: &Value, who: (&str, &str), created: &str, updated: &str) -> Value {
    json!({
        "uri": uri, "email": who.1, "name": who.0, "first_name": null, "last_name": null,
        "status": "active", "timezone": "Europe/Oslo", "event": ev["uri"],
        "created_at": created, "updated_at": updated,
        "questions_and_answers": [{"question": "Topic?", "answer": "Roadmap", "position": 0}],
        "tracking": {"utm_source": null}, "rescheduled": false,
        "old_invitee": null, "new_invitee": null,
        "cancel_url": "https://calendly.com/cancellations/x",
        "reschedule_url": "https://calendly.com/reschedulings/x",
        "routing_form_submission": null, "cancellation": null, "no_show": null,
        "scheduled_event": ev,
    })
}

fn input(event_name: &str, payload: &Value, created_at: &str) -> Input {
    let body = serde_json::to_vec(&json!({
        "event": event_name, "created_at": created_at,
        "created_by": format!("{API}/users/HOST"), "payload": payload,
    }))
    .expect("serialize");
    let envelope: WebhookEnvelope = serde_json::from_slice(&body).expect("envelope");
    Input::Webhook {
        payload: envelope.decode().expect("decode"),
        delivered_at: envelope.created_at,
    }
}

/// Two people's bookings: one rescheduled (both halves), the new booking marked a no-show and
/// then cleared; one canceled by the host; one marked a no-show for good. Stamped the way the
/// sandbox stamps `updated_at` on every change.
fn deliveries() -> Vec<Input> {
    let anna = ("Anna Schmidt", "anna.schmidt@example.com");
    let lea = ("Léa Martin", "Lea.Martin@example.fr");
    let t0 = "2026-11-02T09:00:00.000000Z";
    let t1 = "2026-11-05T12:00:00.000000Z";
    let t1b = "2026-11-05T12:00:01.000000Z";
    let t2 = "2026-12-03T11:00:00.000000Z";
    let t3 = "2026-12-03T11:05:00.000000Z";
    let t4 = "2026-11-07T16:30:00.000000Z";

    let ev1 = event(1, 1, "active", t0);
    let a = inv_uri(1, "A");
    let b = inv_uri(2, "B");
    let booked = invitee(&a, &ev1, anna, t0, t0);

    let mut old_half = invitee(&a, &event(1, 1, "canceled", t1), anna, t0, t1);
    old_half["status"] = json!("canceled");
    old_half["rescheduled"] = json!(true);
    old_half["new_invitee"] = json!(b);
    old_half["cancellation"] = json!({"canceled_by": "Anna Schmidt", "reason": "Conflict", "canceler_type": "invitee", "created_at": t1});

    let ev2 = event(2, 3, "active", t1b);
    let mut new_half = invitee(&b, &ev2, anna, t1b, t1b);
    new_half["old_invitee"] = json!(a);
    let mut no_show = invitee(&b, &ev2, anna, t1b, t2);
    no_show["old_invitee"] = json!(a);
    no_show["no_show"] = json!({"uri": format!("{API}/invitee_no_shows/NS-B"), "created_at": t2});
    let mut cleared = invitee(&b, &ev2, anna, t1b, t3);
    cleared["old_invitee"] = json!(a);

    let c = inv_uri(3, "C");
    let c_booked = invitee(&c, &event(3, 8, "active", t0), lea, t0, t0);
    let mut c_canceled = invitee(&c, &event(3, 8, "canceled", t4), lea, t0, t4);
    c_canceled["status"] = json!("canceled");
    c_canceled["cancellation"] = json!({"canceled_by": "Maya Lindqvist", "reason": "Moved", "canceler_type": "host", "created_at": t4});

    let d = inv_uri(4, "D");
    let ev4 = event(4, 2, "active", t0);
    let d_booked = invitee(&d, &ev4, lea, t0, t0);
    let mut d_no_show = invitee(&d, &ev4, lea, t0, t2);
    d_no_show["no_show"] = json!({"uri": format!("{API}/invitee_no_shows/NS-D"), "created_at": t2});

    vec![
        input("invitee.created", &booked, t0),
        input("invitee.canceled", &old_half, t1),
        input("invitee.created", &new_half, t1b),
        input("invitee_no_show.created", &no_show, t2),
        input("invitee_no_show.deleted", &cleared, t3),
        input("invitee.created", &c_booked, t0),
        input("invitee.canceled", &c_canceled, t4),
        input("invitee.created", &d_booked, t0),
        input("invitee_no_show.created", &d_no_show, t2),
    ]
}

/// Applies `order` (indices into `set`) to a fresh database file and returns its JSON export,
/// compared as it is: the export's order is canonical, even for two activities at the same
/// instant (Léa booked two meetings in one request), whatever order they were stored in.
fn store_after(set: &[Input], order: &[usize]) -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("props.db")).expect("open");
    for &i in order {
        store
            .with_tx(|tx| apply(tx, &set[i]))
            .unwrap_or_else(|e| panic!("delivery {i} did not apply: {e}"));
    }
    json_export(&store, Range::default()).expect("export")
}

fn invitee_in<'a>(export: &'a Value, uri: &str) -> &'a Value {
    export["events"]
        .as_array()
        .expect("events")
        .iter()
        .flat_map(|e| e["invitees"].as_array().expect("invitees"))
        .find(|i| i["uri"] == uri)
        .unwrap_or_else(|| panic!("{uri} is in the export"))
}

/// Each delivery once, in the order they happened.
fn reference() -> Value {
    let set = deliveries();
    let out = store_after(&set, &(0..set.len()).collect::<Vec<_>>());
    // The reference says what happened, so the property cannot pass on an empty store.
    let a = invitee_in(&out, &inv_uri(1, "A"));
    assert_eq!(a["status"], "canceled");
    assert_eq!(a["rescheduled_to"], json!(inv_uri(2, "B")));
    let b = invitee_in(&out, &inv_uri(2, "B"));
    assert_eq!(b["rescheduled_from"], json!(inv_uri(1, "A")));
    assert_eq!(b["no_show"], false);
    assert_eq!(invitee_in(&out, &inv_uri(3, "C"))["status"], "canceled");
    assert_eq!(invitee_in(&out, &inv_uri(4, "D"))["no_show"], true);
    assert_eq!(out["contacts"].as_array().map(Vec::len), Some(2), "{out}");
    out
}

/// Every delivery at least once, some more than once, in any order.
fn orders(n: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..n, 0..=n)
        .prop_map(move |extra| (0..n).chain(extra).collect::<Vec<_>>())
        .prop_shuffle()
}

#[test]
fn the_reference_order_applies() {
    reference();
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn any_order_and_duplication_converges(order in orders(9)) {
        thread_local! {
            static REFERENCE: Value = reference();
        }
        let set = deliveries();
        prop_assert_eq!(set.len(), 9);
        let got = store_after(&set, &order);
        REFERENCE.with(|want| {
            prop_assert!(want == &got, "order {:?}\nwant {}\ngot  {}", order, want, got);
            Ok(())
        })?;
    }
}
