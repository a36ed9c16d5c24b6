//! The apply path against a real SQLite file: replays, reordering and reschedule halves converge.

use crate::common::fresh_store;
use serde_json::{json, Value};
use slotline::calendly::models::{WebhookEnvelope, WebhookPayload};
use slotline::export::{json_export, Range};
use slotline::store::Store;
use slotline::sync::{apply, Input};

const EV1: &str = "https://api.calendly.com/scheduled_events/11111111-1111-4111-8111-111111111111";
const EV2: &str = "https://api.calendly.com/scheduled_events/22222222-2222-4222-8222-222222222222";

fn inv_uri(ev: &str, id: &str) -> String {
    format!("{ev}/invitees/{id}")
}

fn event(uri: &str, start: &str, status: &str, updated: &str) -> Value {
    json!({
        "uri": uri, "name": "30 Minute Intro Call", "status": status,
        "start_time": start, "end_time": start.replace("T10:00", "T10:30"),
        "event_type": "https://api.calendly.com/event_types/ET1",
        "location": {"type": "zoom", "join_url": "https://zoom.us/j/123", "status": "pushed"},
        "invitees_counter": {"total": 1, "active": if status == "active" {1} else {0}, "limit": 1},
        "created_at": "2026-11-01T09:00:00.000000Z", "updated_at": updated,
        "event_memberships": [{"user": "https://api.calendly.com/users/HOST", "user_email": "maya@example.com", "user_name": "Maya Lindqvist"}],
        "event_guests": [{"email": "guest@example.org", "created_at": "2026-11-01T09:00:00.000000Z", "updated_at": "2026-11-01T09:00:00.000000Z"}],
    })
}

fn invitee(uri: &str, ev: &Value, status: &str, updated: &str) -> Value {
    json!({
        "uri": uri, "email": "Anna.Schmidt@Example.com", "name": "Anna Schmidt",
        "first_name": null, "last_name": null, "status": status, "timezone": "Europe/Berlin",
        "event": ev["uri"], "created_at": "2026-11-01T09:00:00.000000Z", "updated_at": updated,
        "questions_and_answers": [{"question": "What should we cover?", "answer": "Pricing\nOnboarding", "position": 0}],
        "tracking": {"utm_source": "newsletter"}, "rescheduled": false,
        "old_invitee": null, "new_invitee": null,
        "cancel_url": "https://calendly.com/cancellations/x", "reschedule_url": "https://calendly.com/reschedulings/x",
        "no_show": null, "scheduled_event": ev,
    })
}

fn delivery(name: &str, payload: &Value, created_at: &str) -> Input {
    let env: WebhookEnvelope = serde_json::from_value(json!({
        "event": name, "created_at": created_at, "created_by": "https://api.calendly.com/users/HOST",
        "payload": payload,
    }))
    .expect("envelope");
    let payload = env.decode().expect("decode");
    assert!(!matches!(payload, WebhookPayload::Unknown(_)));
    Input::Webhook {
        payload,
        delivered_at: env.created_at,
    }
}

fn apply_all(store: &Store, inputs: &[&Input]) -> u64 {
    let mut written = 0;
    for input in inputs {
        written += store
            .with_tx(|tx| apply(tx, input))
            .expect("apply")
            .rows_written;
    }
    written
}

fn export(store: &Store) -> Value {
    json_export(store, Range::default()).expect("export")
}

/// A booking, then a reschedule: the canceled half and the created half.
fn reschedule_set() -> (Input, Input, Input) {
    let ev1 = event(
        EV1,
        "2026-12-01T10:00:00.000000Z",
        "active",
        "2026-11-01T09:00:00.000000Z",
    );
    let booked = invitee(
        &inv_uri(EV1, "A"),
        &ev1,
        "active",
        "2026-11-01T09:00:00.000000Z",
    );
    let ev1_canceled = event(
        EV1,
        "2026-12-01T10:00:00.000000Z",
        "canceled",
        "2026-11-05T12:00:00.000000Z",
    );
    let mut old_half = invitee(
        &inv_uri(EV1, "A"),
        &ev1_canceled,
        "canceled",
        "2026-11-05T12:00:00.000000Z",
    );
    old_half["rescheduled"] = json!(true);
    old_half["new_invitee"] = json!(inv_uri(EV2, "B"));
    old_half["cancellation"] = json!({"canceled_by": "Anna Schmidt", "reason": "Conflict", "canceler_type": "invitee", "created_at": "2026-11-05T12:00:00.000000Z"});
    let ev2 = event(
        EV2,
        "2026-12-03T10:00:00.000000Z",
        "active",
        "2026-11-05T12:00:01.000000Z",
    );
    let mut new_half = invitee(
        &inv_uri(EV2, "B"),
        &ev2,
        "active",
        "2026-11-05T12:00:01.000000Z",
    );
    new_half["created_at"] = json!("2026-11-05T12:00:01.000000Z");
    new_half["old_invitee"] = json!(inv_uri(EV1, "A"));
    (
        delivery("invitee.created", &booked, "2026-11-01T09:00:00.000000Z"),
        delivery("invitee.canceled", &old_half, "2026-11-05T12:00:00.000000Z"),
        delivery("invitee.created", &new_half, "2026-11-05T12:00:01.000000Z"),
    )
}

fn kinds(export: &Value) -> Vec<String> {
    export["contacts"]
        .as_array()
        .expect("contacts")
        .iter()
        .flat_map(|c| c["activity"].as_array().expect("activity").iter())
        .map(|a| a["kind"].as_str().expect("kind").to_string())
        .collect()
}

#[test]
fn a_reschedule_converges_in_either_order_and_with_duplicates() {
    let (booked, canceled_half, created_half) = reschedule_set();
    let orders: Vec<Vec<&Input>> = vec![
        vec![&booked, &canceled_half, &created_half],
        vec![&booked, &created_half, &canceled_half],
        vec![&created_half, &canceled_half, &booked],
        vec![
            &canceled_half,
            &booked,
            &created_half,
            &booked,
            &canceled_half,
            &created_half,
        ],
        vec![
            &created_half,
            &created_half,
            &created_half,
            &canceled_half,
            &booked,
            &booked,
        ],
    ];
    let mut results = Vec::new();
    for order in &orders {
        let (_dir, store) = fresh_store();
        apply_all(&store, order);
        results.push(export(&store));
    }
    for r in &results[1..] {
        pretty_assertions::assert_eq!(&results[0], r);
    }
    let out = &results[0];
    // One booked (the original stays), one rescheduled, no canceled.
    let mut k = kinds(out);
    k.sort();
    assert_eq!(k, vec!["booked", "rescheduled"], "{out:#}");
    let events = out["events"].as_array().expect("events");
    assert_eq!(events.len(), 2);
    let old = &events[0]["invitees"][0];
    assert_eq!(old["status"], "canceled");
    assert_eq!(old["rescheduled"], true);
    assert_eq!(old["rescheduled_to"], inv_uri(EV2, "B"));
    assert_eq!(old["cancellation"]["reason"], "Conflict");
    assert_eq!(old["cancellation"]["canceled_by"], "Anna Schmidt");
    let new = &events[1]["invitees"][0];
    assert_eq!(new["rescheduled_from"], inv_uri(EV1, "A"));
    assert_eq!(events[0]["status"], "canceled");
    // The rescheduled activity points at the new meeting whichever half came first.
    let act = out["contacts"]
        .as_array()
        .expect("contacts")
        .iter()
        .flat_map(|c| c["activity"].as_array().expect("a").iter())
        .find(|a| a["kind"] == "rescheduled")
        .expect("rescheduled activity");
    assert_eq!(act["event_uri"], EV2);
    assert_eq!(act["at"], "2026-11-05T12:00:00.000000Z");
}

#[test]
fn applying_the_same_input_twice_writes_nothing() {
    let (booked, canceled_half, created_half) = reschedule_set();
    let (_dir, store) = fresh_store();
    assert!(apply_all(&store, &[&booked, &canceled_half, &created_half]) > 0);
    assert_eq!(
        apply_all(&store, &[&booked, &canceled_half, &created_half]),
        0
    );
}

#[test]
fn an_older_update_after_a_newer_one_does_not_win() {
    let ev = event(
        EV1,
        "2026-12-01T10:00:00.000000Z",
        "active",
        "2026-11-01T09:00:00.000000Z",
    );
    let booked = invitee(
        &inv_uri(EV1, "A"),
        &ev,
        "active",
        "2026-11-01T09:00:00.000000Z",
    );
    let ev_c = event(
        EV1,
        "2026-12-01T10:00:00.000000Z",
        "canceled",
        "2026-11-02T09:00:00.000000Z",
    );
    let mut canceled = invitee(
        &inv_uri(EV1, "A"),
        &ev_c,
        "canceled",
        "2026-11-02T09:00:00.000000Z",
    );
    canceled["cancellation"] = json!({"canceled_by": "Maya Lindqvist", "reason": "Host is ill", "canceler_type": "host", "created_at": "2026-11-02T09:00:00.000000Z"});
    let created = delivery("invitee.created", &booked, "2026-11-01T09:00:00.000000Z");
    let cancel = delivery("invitee.canceled", &canceled, "2026-11-02T09:00:00.000000Z");
    let (_d1, a) = fresh_store();
    apply_all(&a, &[&created, &cancel]);
    let (_d2, b) = fresh_store();
    apply_all(&b, &[&cancel, &created]);
    let (ea, eb) = (export(&a), export(&b));
    pretty_assertions::assert_eq!(ea, eb);
    assert_eq!(ea["events"][0]["status"], "canceled");
    assert_eq!(
        ea["events"][0]["invitees"][0]["cancellation"]["canceler_type"],
        "host"
    );
    let mut k = kinds(&ea);
    k.sort();
    assert_eq!(k, vec!["booked", "canceled"]);
}

#[test]
fn a_no_show_sets_and_clears_a_flag() {
    let ev = event(
        EV1,
        "2026-11-10T10:00:00.000000Z",
        "active",
        "2026-11-01T09:00:00.000000Z",
    );
    let booked = invitee(
        &inv_uri(EV1, "A"),
        &ev,
        "active",
        "2026-11-01T09:00:00.000000Z",
    );
    let mut marked = invitee(
        &inv_uri(EV1, "A"),
        &ev,
        "active",
        "2026-11-10T11:00:00.000000Z",
    );
    marked["no_show"] = json!({"uri": "https://api.calendly.com/invitee_no_shows/NS1", "created_at": "2026-11-10T11:00:00.000000Z"});
    let cleared = invitee(
        &inv_uri(EV1, "A"),
        &ev,
        "active",
        "2026-11-10T12:00:00.000000Z",
    );
    let b = delivery("invitee.created", &booked, "2026-11-01T09:00:00.000000Z");
    let m = delivery(
        "invitee_no_show.created",
        &marked,
        "2026-11-10T11:00:00.000000Z",
    );
    let c = delivery(
        "invitee_no_show.deleted",
        &cleared,
        "2026-11-10T12:00:00.000000Z",
    );

    let (_d, store) = fresh_store();
    apply_all(&store, &[&b, &m]);
    assert_eq!(export(&store)["events"][0]["invitees"][0]["no_show"], true);
    apply_all(&store, &[&c, &m, &c]);
    let in_order = export(&store);
    assert_eq!(in_order["events"][0]["invitees"][0]["no_show"], false);
    assert_eq!(
        kinds(&in_order),
        vec!["booked", "no_show", "no_show_cleared"]
    );

    let (_d2, other) = fresh_store();
    apply_all(&other, &[&c, &b, &m]);
    pretty_assertions::assert_eq!(in_order, export(&other));
}

#[test]
fn contacts_are_one_per_email_case_insensitively() {
    let ev = event(
        EV1,
        "2026-12-01T10:00:00.000000Z",
        "active",
        "2026-11-01T09:00:00.000000Z",
    );
    let a = invitee(
        &inv_uri(EV1, "A"),
        &ev,
        "active",
        "2026-11-01T09:00:00.000000Z",
    );
    let ev2 = event(
        EV2,
        "2026-12-08T10:00:00.000000Z",
        "active",
        "2026-11-02T09:00:00.000000Z",
    );
    let mut b = invitee(
        &inv_uri(EV2, "B"),
        &ev2,
        "active",
        "2026-11-02T09:00:00.000000Z",
    );
    b["email"] = json!("anna.schmidt@example.com");
    b["created_at"] = json!("2026-11-02T09:00:00.000000Z");
    b["name"] = json!("Anna M. Schmidt");
    let (_d, store) = fresh_store();
    apply_all(
        &store,
        &[
            &delivery("invitee.created", &b, "2026-11-02T09:00:00.000000Z"),
            &delivery("invitee.created", &a, "2026-11-01T09:00:00.000000Z"),
        ],
    );
    let out = export(&store);
    let contacts: Vec<&Value> = out["contacts"]
        .as_array()
        .expect("c")
        .iter()
        .filter(|c| {
            c["email"]
                .as_str()
                .unwrap_or("")
                .eq_ignore_ascii_case("anna.schmidt@example.com")
        })
        .collect();
    assert_eq!(contacts.len(), 1, "{out:#}");
    // The newest booking's name wins regardless of arrival order.
    assert_eq!(contacts[0]["name"], "Anna M. Schmidt");
    assert_eq!(contacts[0]["activity"].as_array().expect("a").len(), 2);
    // The guest is a contact too; the host is not.
    let emails: Vec<&str> = out["contacts"]
        .as_array()
        .expect("c")
        .iter()
        .map(|c| c["email"].as_str().unwrap_or(""))
        .collect();
    assert!(emails.contains(&"guest@example.org"));
    assert!(!emails.contains(&"maya@example.com"));
}

#[test]
fn api_input_and_webhook_input_of_the_same_change_make_one_row_and_one_activity() {
    let ev = event(
        EV1,
        "2026-12-01T10:00:00.000000Z",
        "active",
        "2026-11-01T09:00:00.000000Z",
    );
    let booked = invitee(
        &inv_uri(EV1, "A"),
        &ev,
        "active",
        "2026-11-01T09:00:00.000000Z",
    );
    let hook = delivery("invitee.created", &booked, "2026-11-01T09:00:00.000000Z");
    let mut listed = booked.clone();
    listed
        .as_object_mut()
        .expect("obj")
        .remove("scheduled_event");
    let api = Input::Event {
        event: serde_json::from_value(ev).expect("event"),
        invitees: vec![serde_json::from_value(listed).expect("invitee")],
    };
    let (_d, store) = fresh_store();
    apply_all(&store, &[&hook, &api, &hook]);
    let out = export(&store);
    assert_eq!(out["events"].as_array().expect("e").len(), 1);
    assert_eq!(kinds(&out), vec!["booked"]);
}

#[test]
fn unknown_events_and_bad_timestamps_are_errors_not_panics() {
    let ev = event(EV1, "not a time", "active", "2026-11-01T09:00:00.000000Z");
    let booked = invitee(
        &inv_uri(EV1, "A"),
        &ev,
        "active",
        "2026-11-01T09:00:00.000000Z",
    );
    let (_d, store) = fresh_store();
    let err = store
        .with_tx(|tx| {
            apply(
                tx,
                &delivery("invitee.created", &booked, "2026-11-01T09:00:00.000000Z"),
            )
        })
        .expect_err("bad time");
    assert!(err.to_string().contains("start_time"), "{err}");
    assert_eq!(export(&store)["events"].as_array().expect("e").len(), 0);
}
