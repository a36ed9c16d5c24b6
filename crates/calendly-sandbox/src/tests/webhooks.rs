//! Webhook subscriptions and deliveries: validation, signing over raw bytes, retries, disabling,
//! 410, and the two halves of a reschedule.

use super::support::*;
use crate::{BookingSpec, DeliveryOutcome, SandboxConfig, Status};
use chrono::TimeDelta;
use serde_json::json;
use std::time::Duration;

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

const ALL: &[&str] = &[
    "invitee.created",
    "invitee.canceled",
    "invitee_no_show.created",
    "invitee_no_show.deleted",
];

#[tokio::test]
async fn subscription_lifecycle_and_errors() {
    let sb = start(config()).await;
    let base = sb.base_url();
    let body = json!({
        "url": "https://hooks.example.com/calendly",
        "events": ["invitee.created", "invitee.canceled"],
        "organization": sb.organization_uri(),
        "scope": "user",
        "user": sb.user_uri(),
        "signing_key": "whsec_secret",
    });
    let created = post_json(&format!("{base}/webhook_subscriptions"), Some(PAT), &body).await;
    assert_eq!(created.status, 201);
    let resource = &created.json["resource"];
    assert_eq!(
        created.header("location"),
        resource["uri"].as_str().map(str::to_string)
    );
    assert!(
        resource.get("signing_key").is_none(),
        "the key is write-only"
    );
    assert_eq!(resource["state"], "active");
    assert_eq!(resource["retry_started_at"], serde_json::Value::Null);
    assert_eq!(
        resource["callback_url"],
        "https://hooks.example.com/calendly"
    );
    assert_eq!(resource["creator"], json!(sb.user_uri()));
    let dup = post_json(&format!("{base}/webhook_subscriptions"), Some(PAT), &body).await;
    assert_eq!(dup.status, 409);
    assert_eq!(
        dup.json,
        json!({"title": "Already Exists", "message": "Hook with this url already exists"})
    );
    let bad = post_json(
        &format!("{base}/webhook_subscriptions"),
        Some(PAT),
        &json!({"events": ["invitee.exploded"], "organization": sb.organization_uri(), "scope": "user"}),
    )
    .await;
    assert_eq!(bad.status, 400);
    let params: Vec<&str> = bad.json["details"]
        .as_array()
        .expect("details")
        .iter()
        .filter_map(|d| d["parameter"].as_str())
        .collect();
    assert!(
        params.contains(&"url") && params.contains(&"events") && params.contains(&"user"),
        "{params:?}"
    );
    let uuid = crate::ids::last_segment(resource["uri"].as_str().expect("uri")).to_string();
    let list = get(
        &format!(
            "{base}/webhook_subscriptions?organization={}&scope=user&user={}",
            enc(&sb.organization_uri()),
            enc(&sb.user_uri())
        ),
        Some(PAT),
    )
    .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.json["collection"].as_array().expect("c").len(), 1);
    let org_list = get(
        &format!(
            "{base}/webhook_subscriptions?organization={}&scope=organization",
            enc(&sb.organization_uri())
        ),
        Some(PAT),
    )
    .await;
    assert_eq!(
        org_list.json["collection"].as_array().expect("c").len(),
        0,
        "a user-scope hook is not listed under organization"
    );
    let missing_scope = get(
        &format!(
            "{base}/webhook_subscriptions?organization={}",
            enc(&sb.organization_uri())
        ),
        Some(PAT),
    )
    .await;
    assert_eq!(missing_scope.status, 400);
    assert_eq!(
        get(&format!("{base}/webhook_subscriptions/{uuid}"), Some(PAT))
            .await
            .json["resource"],
        *resource
    );
    assert_eq!(
        delete(&format!("{base}/webhook_subscriptions/{uuid}"), Some(PAT))
            .await
            .status,
        204
    );
    assert_eq!(
        get(&format!("{base}/webhook_subscriptions/{uuid}"), Some(PAT))
            .await
            .status,
        404
    );
    assert_eq!(
        delete(&format!("{base}/webhook_subscriptions/{uuid}"), Some(PAT))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn plan_without_webhooks_answers_403() {
    let sb = start(SandboxConfig {
        webhooks_allowed: false,
        ..config()
    })
    .await;
    let a = post_json(
        &format!("{}/webhook_subscriptions", sb.base_url()),
        Some(PAT),
        &json!({"url": "https://x.example.com/h", "events": ["invitee.created"], "organization": sb.organization_uri(), "scope": "organization"}),
    )
    .await;
    assert_eq!(a.status, 403);
    assert_eq!(
        a.json,
        json!({"title": "Permission Denied", "message": "Please upgrade your Calendly account to Standard"})
    );
}

#[tokio::test]
async fn delivery_is_signed_over_the_raw_bytes() {
    let sb = start(config()).await;
    let rx = receiver(&[]).await;
    subscribe(&sb, &rx.url, ALL, Some("whsec_test_key")).await;
    let ids = sb
        .book(BookingSpec {
            event_type: Some("strategy-session".into()),
            invitee_name: Some("Grace Hopper".into()),
            ..BookingSpec::default()
        })
        .expect("book");
    assert!(
        wait_until(Duration::from_secs(5), || rx.hits().len() == 1).await,
        "delivered"
    );
    let hit = &rx.hits()[0];
    assert!(signature_valid("whsec_test_key", hit));
    assert!(!signature_valid("another_key", hit));
    assert_eq!(
        hit.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let body = hit.json();
    assert_eq!(body["event"], "invitee.created");
    assert_eq!(body["created_by"], json!(sb.user_uri()));
    assert!(body["created_at"]
        .as_str()
        .expect("ts")
        .ends_with(".000000Z"));
    assert_eq!(body["payload"]["uri"], json!(ids.invitee_uri));
    assert_eq!(body["payload"]["name"], "Grace Hopper");
    assert_eq!(
        body["payload"]["scheduled_event"]["uri"],
        json!(ids.event_uri)
    );
    assert_eq!(
        body["payload"]["scheduled_event"]["location"]["type"],
        "google_conference"
    );
    assert_eq!(
        body["payload"]["scheduled_event"]["invitees_counter"],
        json!({"total": 1, "active": 1, "limit": 1})
    );
    let records = sb.deliveries();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, DeliveryOutcome::Delivered);
    assert_eq!(records[0].status, Some(200));
}

#[tokio::test]
async fn generated_signing_key_signs_deliveries() {
    let sb = start(config()).await;
    let rx = receiver(&[]).await;
    let sub = subscribe(&sb, &rx.url, &["invitee.created"], None).await;
    sb.book(BookingSpec::random()).expect("book");
    assert!(wait_until(Duration::from_secs(5), || rx.hits().len() == 1).await);
    let key = sb
        .webhook_signing_key(sub["uri"].as_str().expect("uri"))
        .expect("key");
    assert!(signature_valid(&key, &rx.hits()[0]));
}

#[tokio::test]
async fn failed_delivery_is_retried_until_it_succeeds() {
    let sb = start(config()).await;
    let rx = receiver(&[500, 302]).await;
    let sub = subscribe(&sb, &rx.url, ALL, Some("k")).await;
    sb.book(BookingSpec::random()).expect("book");
    assert!(
        wait_until(Duration::from_secs(5), || rx.hits().len() == 3).await,
        "two failures then success"
    );
    let hits = rx.hits();
    assert_eq!(hits[0].body, hits[2].body, "the same bytes every attempt");
    assert!(hits.iter().all(|h| signature_valid("k", h)));
    assert!(wait_until(Duration::from_secs(2), || sb.deliveries().len() == 3).await);
    let outcomes: Vec<_> = sb
        .deliveries()
        .iter()
        .map(|d| (d.attempt, d.outcome))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            (1, DeliveryOutcome::WillRetry),
            (2, DeliveryOutcome::WillRetry),
            (3, DeliveryOutcome::Delivered)
        ],
        "a 3xx counts as a failure"
    );
    let state = sb.snapshot();
    let s = state
        .webhook_subscriptions
        .iter()
        .find(|s| s.uri == sub["uri"])
        .expect("sub");
    assert_eq!(s.retry_started_at, None, "cleared after a success");
}

#[tokio::test]
async fn subscription_is_disabled_after_failing_for_the_configured_period() {
    let sb = start(SandboxConfig {
        webhook_disable_after: Duration::from_millis(300),
        ..config()
    })
    .await;
    let rx = receiver(&[]).await;
    let sub = subscribe(&sb, &rx.url, ALL, Some("k")).await;
    let uuid = crate::ids::last_segment(sub["uri"].as_str().expect("uri")).to_string();
    sb.set_webhooks_paused(true);
    sb.book(BookingSpec::random()).expect("book");
    let disabled = wait_until(Duration::from_secs(5), || {
        sb.snapshot()
            .webhook_subscriptions
            .iter()
            .any(|s| s.uri == sub["uri"] && s.state == crate::SubscriptionState::Disabled)
    })
    .await;
    assert!(disabled);
    let api = get(
        &format!("{}/webhook_subscriptions/{uuid}", sb.base_url()),
        Some(PAT),
    )
    .await;
    assert_eq!(api.json["resource"]["state"], "disabled");
    assert!(api.json["resource"]["retry_started_at"].is_string());
    let records = sb.deliveries();
    assert!(
        records.len() >= 3,
        "retried with back-off before giving up: {records:?}"
    );
    assert_eq!(
        records.last().map(|r| r.outcome),
        Some(DeliveryOutcome::SubscriptionDisabled)
    );
    assert!(rx.hits().is_empty(), "paused: nothing reached the receiver");
    sb.set_webhooks_paused(false);
    sb.book(BookingSpec::random()).expect("book");
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(rx.hits().is_empty(), "a disabled subscription gets nothing");
}

#[tokio::test]
async fn gone_deletes_the_subscription() {
    let sb = start(config()).await;
    let rx = receiver(&[410]).await;
    let sub = subscribe(&sb, &rx.url, ALL, None).await;
    sb.book(BookingSpec::random()).expect("book");
    assert!(
        wait_until(Duration::from_secs(5), || sb
            .snapshot()
            .webhook_subscriptions
            .is_empty())
        .await
    );
    let uuid = crate::ids::last_segment(sub["uri"].as_str().expect("uri")).to_string();
    assert_eq!(
        get(
            &format!("{}/webhook_subscriptions/{uuid}", sb.base_url()),
            Some(PAT)
        )
        .await
        .status,
        404
    );
    assert_eq!(
        sb.deliveries()[0].outcome,
        DeliveryOutcome::SubscriptionDeleted
    );
}

#[tokio::test]
async fn reschedule_sends_both_halves_and_no_shows_round_trip() {
    let sb = start(config()).await;
    let rx = receiver(&[]).await;
    subscribe(&sb, &rx.url, ALL, Some("k")).await;
    let ids = sb
        .book(BookingSpec {
            event_type: Some("coaching-teams".into()),
            ..BookingSpec::default()
        })
        .expect("book");
    let new_start = sb
        .snapshot()
        .scheduled_events
        .iter()
        .find(|e| e.uri == ids.event_uri)
        .expect("event")
        .start_time
        + TimeDelta::days(30);
    let new_uri = sb
        .reschedule(&ids.invitee_uri, new_start)
        .expect("reschedule");
    assert!(wait_until(Duration::from_secs(5), || rx.hits().len() == 3).await);
    let bodies: Vec<_> = rx.hits().iter().map(|h| h.json()).collect();
    let canceled = bodies
        .iter()
        .find(|b| b["event"] == "invitee.canceled")
        .expect("canceled half");
    let created = bodies
        .iter()
        .filter(|b| b["event"] == "invitee.created")
        .find(|b| b["payload"]["uri"] == json!(new_uri))
        .expect("created half");
    assert_eq!(canceled["payload"]["uri"], json!(ids.invitee_uri));
    assert_eq!(canceled["payload"]["rescheduled"], true);
    assert_eq!(canceled["payload"]["new_invitee"], json!(new_uri));
    assert_eq!(canceled["payload"]["status"], "canceled");
    assert_eq!(
        canceled["payload"]["scheduled_event"]["status"], "canceled",
        "a one-on-one event is canceled with its invitee"
    );
    assert_eq!(created["payload"]["old_invitee"], json!(ids.invitee_uri));
    assert_eq!(created["payload"]["status"], "active");
    assert_ne!(
        created["payload"]["scheduled_event"]["uri"], canceled["payload"]["scheduled_event"]["uri"],
        "a new event"
    );
    let snap = sb.snapshot();
    assert_eq!(
        snap.scheduled_events
            .iter()
            .find(|e| e.uri == ids.event_uri)
            .map(|e| e.status),
        Some(Status::Canceled)
    );
    // No-show marked and cleared.
    sb.mark_no_show(&new_uri).expect("no-show");
    sb.clear_no_show(&new_uri).expect("clear");
    assert!(wait_until(Duration::from_secs(5), || rx.hits().len() == 5).await);
    let bodies: Vec<_> = rx.hits().iter().map(|h| h.json()).collect();
    let marked = bodies
        .iter()
        .find(|b| b["event"] == "invitee_no_show.created")
        .expect("created");
    assert!(marked["payload"]["no_show"]["uri"]
        .as_str()
        .expect("uri")
        .starts_with("https://api.calendly.com/invitee_no_shows/"));
    let cleared = bodies
        .iter()
        .find(|b| b["event"] == "invitee_no_show.deleted")
        .expect("deleted");
    assert_eq!(cleared["payload"]["no_show"], serde_json::Value::Null);
}

#[tokio::test]
async fn live_activity_keeps_the_calendar_moving() {
    let sb = start(SandboxConfig {
        live_activity: Some(Duration::from_millis(25)),
        ..config()
    })
    .await;
    let rx = receiver(&[]).await;
    subscribe(&sb, &rx.url, ALL, Some("k")).await;
    let before = serde_json::to_string(&sb.snapshot().invitees).expect("json");
    assert!(
        wait_until(Duration::from_secs(5), || rx.hits().len() >= 4).await,
        "activity delivered as webhooks"
    );
    assert!(rx.hits().iter().all(|h| signature_valid("k", h)));
    assert_ne!(
        serde_json::to_string(&sb.snapshot().invitees).expect("json"),
        before
    );
}

#[tokio::test]
async fn control_endpoints_pause_and_disable_deliveries() {
    let sb = start(config()).await;
    let base = sb.base_url();
    let rx = receiver(&[]).await;
    let sub = subscribe(&sb, &rx.url, ALL, Some("k")).await;
    assert_eq!(
        post_json(
            &format!("{base}/_sandbox/pause_webhooks"),
            None,
            &json!({"paused": true})
        )
        .await
        .status,
        200
    );
    assert!(sb.snapshot().webhooks_paused);
    assert_eq!(
        post_json(&format!("{base}/_sandbox/book"), None, &json!({}))
            .await
            .status,
        201
    );
    assert!(wait_until(Duration::from_secs(5), || !sb.deliveries().is_empty()).await);
    assert_eq!(sb.deliveries()[0].outcome, DeliveryOutcome::WillRetry);
    assert!(sb.deliveries()[0]
        .error
        .as_deref()
        .is_some_and(|e| e.contains("unreachable")));
    assert_eq!(
        post_json(
            &format!("{base}/_sandbox/pause_webhooks"),
            None,
            &json!({"paused": false})
        )
        .await
        .status,
        200
    );
    assert!(
        wait_until(Duration::from_secs(5), || rx.hits().len() == 1).await,
        "the retry gets through once awake"
    );
    assert_eq!(
        post_json(
            &format!("{base}/_sandbox/disable_subscriptions"),
            None,
            &json!({})
        )
        .await
        .status,
        200
    );
    let uuid = crate::ids::last_segment(sub["uri"].as_str().expect("uri")).to_string();
    assert_eq!(
        get(&format!("{base}/webhook_subscriptions/{uuid}"), Some(PAT))
            .await
            .json["resource"]["state"],
        "disabled"
    );
    let deliveries = get(&format!("{base}/_sandbox/deliveries"), None).await;
    assert_eq!(deliveries.json.as_array().map(Vec::len), Some(2));
}
