//! The REST surface: pagination, filters, validation, auth, rate limits and injected faults.

use super::support::*;
use crate::{BookingSpec, SandboxConfig, SettingsPatch, Status};
use serde_json::{json, Value};
use std::collections::HashSet;

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn pagination_walks_every_event_exactly_once() {
    let sb = start(config()).await;
    let expected: HashSet<String> = sb
        .snapshot()
        .scheduled_events
        .into_iter()
        .map(|e| e.uri)
        .collect();
    assert_eq!(expected.len(), 120);
    let mut url = Some(format!(
        "{}/scheduled_events?user={}&count=7",
        sb.base_url(),
        enc(&sb.user_uri())
    ));
    let mut seen = Vec::new();
    let mut starts = Vec::new();
    let mut pages = Vec::new();
    while let Some(u) = url {
        let a = get(&u, Some(PAT)).await;
        assert_eq!(a.status, 200, "{}", a.json);
        let items = a.json["collection"].as_array().expect("collection").clone();
        assert!(items.len() <= 7);
        assert_eq!(a.json["pagination"]["count"], json!(items.len()));
        for e in &items {
            seen.push(e["uri"].as_str().expect("uri").to_string());
            starts.push(e["start_time"].as_str().expect("start").to_string());
        }
        pages.push(a.json.clone());
        url = a.json["pagination"]["next_page"]
            .as_str()
            .map(str::to_string);
        if let Some(next) = &url {
            assert!(
                next.starts_with(&sb.base_url()),
                "next_page is a full URL on the sandbox"
            );
            assert!(next.contains("count=7"), "next_page keeps the query");
            assert_eq!(
                a.json["pagination"]["next_page_token"]
                    .as_str()
                    .map(|t| next.contains(t)),
                Some(true)
            );
        }
    }
    assert_eq!(pages.len(), 18, "120 events in pages of 7");
    assert_eq!(seen.len(), 120, "no event repeated");
    assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), expected);
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted, "default order is start_time:asc");
    assert_eq!(pages[0]["pagination"]["previous_page"], Value::Null);
    // Walking back from page 2 lands on page 1.
    let prev = pages[1]["pagination"]["previous_page"]
        .as_str()
        .expect("previous_page");
    let back = get(prev, Some(PAT)).await;
    assert_eq!(back.json["collection"], pages[0]["collection"]);
}

#[tokio::test]
async fn filters_follow_calendly_semantics() {
    let sb = start(config()).await;
    let base = format!(
        "{}/scheduled_events?user={}&count=100",
        sb.base_url(),
        enc(&sb.user_uri())
    );
    let all = sb.snapshot();
    // status
    let canceled = get(&format!("{base}&status=canceled"), Some(PAT)).await;
    let n_canceled = all
        .scheduled_events
        .iter()
        .filter(|e| e.status == Status::Canceled)
        .count();
    assert!(n_canceled > 0);
    assert_eq!(
        canceled.json["collection"].as_array().expect("c").len(),
        n_canceled
    );
    assert!(canceled.json["collection"]
        .as_array()
        .expect("c")
        .iter()
        .all(|e| e["status"] == "canceled"));
    // min inclusive, max exclusive, on start_time
    let mut events = all.scheduled_events.clone();
    events.sort_by_key(|e| e.start_time);
    let pivot = crate::ids::format_ts(&events[50].start_time);
    let from = get(&format!("{base}&min_start_time={}", enc(&pivot)), Some(PAT)).await;
    assert_eq!(
        from.json["collection"][0]["start_time"],
        json!(pivot),
        "min_start_time is inclusive"
    );
    let until = get(
        &format!("{base}&max_start_time={}&sort=start_time:desc", enc(&pivot)),
        Some(PAT),
    )
    .await;
    let until = until.json["collection"].as_array().expect("c").clone();
    assert!(
        until
            .iter()
            .all(|e| e["start_time"].as_str().expect("s") < pivot.as_str()),
        "max_start_time is exclusive"
    );
    let desc: Vec<&str> = until
        .iter()
        .map(|e| e["start_time"].as_str().expect("s"))
        .collect();
    let mut resorted = desc.clone();
    resorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(desc, resorted, "sort=start_time:desc");
    // invitee_email matches case-insensitively
    let jonas = get(
        &format!(
            "{base}&invitee_email={}",
            enc("JONAS.WEBER@weber-logistik.example")
        ),
        Some(PAT),
    )
    .await;
    let jonas_events = jonas.json["collection"].as_array().expect("c").len();
    let expected = all
        .scheduled_events
        .iter()
        .filter(|e| {
            all.invitees.iter().any(|i| {
                i.event == e.uri
                    && i.email
                        .eq_ignore_ascii_case("jonas.weber@weber-logistik.example")
            })
        })
        .count();
    assert!(expected >= 2, "a recurring client");
    assert_eq!(jonas_events, expected);
    // organization alone works for the admin
    let org = get(
        &format!(
            "{}/scheduled_events?organization={}&count=5",
            sb.base_url(),
            enc(&sb.organization_uri())
        ),
        Some(PAT),
    )
    .await;
    assert_eq!(org.status, 200);
}

#[tokio::test]
async fn bad_arguments_answer_400_with_details() {
    let sb = start(config()).await;
    let base = format!(
        "{}/scheduled_events?user={}",
        sb.base_url(),
        enc(&sb.user_uri())
    );
    for count in ["0", "101", "abc"] {
        let a = get(&format!("{base}&count={count}"), Some(PAT)).await;
        assert_eq!(a.status, 400, "count={count}");
        assert_eq!(a.json["title"], "Invalid Argument");
        assert_eq!(a.json["message"], "The supplied parameters are invalid.");
        assert_eq!(a.json["details"][0]["parameter"], "count");
    }
    for (q, param) in [
        ("page_token=bm90LWEtdG9rZW4", "page_token"),
        ("status=done", "status"),
        ("sort=created_at:asc", "sort"),
        ("min_start_time=yesterday", "min_start_time"),
    ] {
        let a = get(&format!("{base}&{q}"), Some(PAT)).await;
        assert_eq!(a.status, 400, "{q}");
        assert_eq!(a.json["details"][0]["parameter"], param);
    }
    let none = get(&format!("{}/scheduled_events", sb.base_url()), Some(PAT)).await;
    assert_eq!(none.status, 400, "user or organization is required");
    // A token from another list is refused too.
    let events = get(&format!("{base}&count=5"), Some(PAT)).await;
    let token = events.json["pagination"]["next_page_token"]
        .as_str()
        .expect("token")
        .to_string();
    let subs = get(
        &format!(
            "{}/webhook_subscriptions?organization={}&scope=organization&page_token={token}",
            sb.base_url(),
            enc(&sb.organization_uri())
        ),
        Some(PAT),
    )
    .await;
    assert_eq!(subs.status, 400);
}

#[tokio::test]
async fn auth_and_permission_errors() {
    let sb = start(SandboxConfig {
        user_is_org_admin: false,
        ..config()
    })
    .await;
    let me = format!("{}/users/me", sb.base_url());
    let missing = get(&me, None).await;
    assert_eq!(missing.status, 401);
    assert_eq!(
        missing.json,
        json!({"title": "Unauthenticated", "message": "The access token is invalid"})
    );
    assert!(
        missing.header("x-ratelimit-limit").is_some(),
        "rate headers on every response"
    );
    let wrong = get(&me, Some("nope")).await;
    assert_eq!(wrong.status, 401);
    let ok = get(&me, Some(PAT)).await;
    assert_eq!(ok.status, 200);
    let user = &ok.json["resource"];
    for field in [
        "uri",
        "name",
        "slug",
        "email",
        "scheduling_url",
        "timezone",
        "time_notation",
        "avatar_url",
        "created_at",
        "updated_at",
        "current_organization",
        "resource_type",
        "locale",
    ] {
        assert!(user.get(field).is_some(), "users/me has {field}");
    }
    assert_eq!(user["timezone"], "Europe/Amsterdam");
    assert!(user["created_at"].as_str().expect("ts").ends_with('Z'));
    assert_eq!(
        user["created_at"].as_str().expect("ts").len(),
        27,
        "microsecond timestamps"
    );
    let other = get(
        &format!(
            "{}/scheduled_events?user={}",
            sb.base_url(),
            enc("https://api.calendly.com/users/someone-else")
        ),
        Some(PAT),
    )
    .await;
    assert_eq!(other.status, 403);
    assert_eq!(other.json["title"], "Permission Denied");
    let org_alone = get(
        &format!(
            "{}/scheduled_events?organization={}",
            sb.base_url(),
            enc(&sb.organization_uri())
        ),
        Some(PAT),
    )
    .await;
    assert_eq!(org_alone.status, 403, "organization alone needs an admin");
    let org_and_user = get(
        &format!(
            "{}/scheduled_events?organization={}&user={}",
            sb.base_url(),
            enc(&sb.organization_uri()),
            enc(&sb.user_uri())
        ),
        Some(PAT),
    )
    .await;
    assert_eq!(org_and_user.status, 200);
    let missing_event = get(
        &format!(
            "{}/scheduled_events/00000000-0000-4000-8000-000000000000",
            sb.base_url()
        ),
        Some(PAT),
    )
    .await;
    assert_eq!(missing_event.status, 404);
    assert_eq!(
        missing_event.json,
        json!({"title": "Resource Not Found", "message": "The server could not find the requested resource."})
    );
}

#[tokio::test]
async fn rate_limit_headers_then_429() {
    let sb = start(SandboxConfig {
        rate_limit_per_minute: 5,
        ..config()
    })
    .await;
    let me = format!("{}/users/me", sb.base_url());
    for remaining in (0..5).rev() {
        let a = get(&me, Some(PAT)).await;
        assert_eq!(a.status, 200);
        assert_eq!(a.header("x-ratelimit-limit").as_deref(), Some("5"));
        assert_eq!(
            a.header("x-ratelimit-remaining"),
            Some(remaining.to_string())
        );
        let reset: u64 = a
            .header("x-ratelimit-reset")
            .expect("reset")
            .parse()
            .expect("seconds");
        assert!(
            (1..=60).contains(&reset),
            "reset is seconds until the window ends, not an epoch"
        );
    }
    let limited = get(&me, Some(PAT)).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.json["title"], "Too Many Requests");
    assert_eq!(
        limited.header("x-ratelimit-remaining").as_deref(),
        Some("0")
    );
    assert!(limited.header("retry-after").is_some());
    assert_eq!(sb.request_counts().rate_limited, 1);
    assert_eq!(sb.request_counts().users_me, 6);
}

#[tokio::test]
async fn injected_faults() {
    let sb = start(SandboxConfig {
        inject_5xx: 2,
        ..config()
    })
    .await;
    let me = format!("{}/users/me", sb.base_url());
    assert_eq!(get(&me, Some(PAT)).await.status, 500);
    let second = get(&me, Some(PAT)).await;
    assert_eq!(second.status, 500);
    assert_eq!(second.json["title"], "Internal Server Error");
    assert!(second.header("x-ratelimit-limit").is_some());
    assert_eq!(get(&me, Some(PAT)).await.status, 200);
    sb.update_settings(&SettingsPatch {
        inject_429_every: Some(3),
        ..SettingsPatch::default()
    });
    let statuses: Vec<u16> = {
        let mut v = Vec::new();
        for _ in 0..6 {
            v.push(get(&me, Some(PAT)).await.status);
        }
        v
    };
    assert_eq!(statuses, vec![200, 200, 429, 200, 200, 429]);
    let counts = sb.request_counts();
    assert_eq!(counts.injected_5xx, 2);
    assert_eq!(counts.rate_limited, 2);
    assert_eq!(counts.total, 9);
}

#[tokio::test]
async fn events_and_invitees_match_the_snapshot() {
    let sb = start(config()).await;
    let snap = sb.snapshot();
    // The busiest webinar has several invitees: page through them one at a time.
    let webinar = snap
        .scheduled_events
        .iter()
        .filter(|e| e.name == "Monthly Q&A Webinar")
        .max_by_key(|e| e.invitees_counter.total)
        .expect("a webinar");
    assert!(webinar.invitees_counter.total >= 2);
    let uuid = crate::ids::last_segment(&webinar.uri);
    let got = get(
        &format!("{}/scheduled_events/{uuid}", sb.base_url()),
        Some(PAT),
    )
    .await;
    assert_eq!(got.status, 200);
    assert_eq!(
        got.json["resource"],
        serde_json::to_value(webinar).expect("json")
    );
    let mut url = Some(format!(
        "{}/scheduled_events/{uuid}/invitees?count=1",
        sb.base_url()
    ));
    let mut uris = Vec::new();
    while let Some(u) = url {
        let a = get(&u, Some(PAT)).await;
        assert_eq!(a.status, 200, "{}", a.json);
        for i in a.json["collection"].as_array().expect("c") {
            assert!(
                i.get("scheduled_event").is_none(),
                "the resource has no embedded event"
            );
            uris.push(i["uri"].as_str().expect("uri").to_string());
        }
        url = a.json["pagination"]["next_page"]
            .as_str()
            .map(str::to_string);
    }
    assert_eq!(uris.len() as u32, webinar.invitees_counter.total);
    let one = crate::ids::last_segment(&uris[0]).to_string();
    let inv = get(
        &format!("{}/scheduled_events/{uuid}/invitees/{one}", sb.base_url()),
        Some(PAT),
    )
    .await;
    assert_eq!(inv.json["resource"]["uri"], json!(uris[0]));
    let active = get(
        &format!(
            "{}/scheduled_events/{uuid}/invitees?status=active&count=100",
            sb.base_url()
        ),
        Some(PAT),
    )
    .await;
    assert_eq!(
        active.json["collection"].as_array().expect("c").len() as u32,
        webinar.invitees_counter.active
    );
    let nope = get(
        &format!(
            "{}/scheduled_events/{uuid}/invitees/00000000-0000-4000-8000-000000000000",
            sb.base_url()
        ),
        Some(PAT),
    )
    .await;
    assert_eq!(nope.status, 404);
}

#[tokio::test]
async fn control_endpoints_drive_the_world() {
    let sb = start(config()).await;
    let base = sb.base_url();
    let booked = post_json(
        &format!("{base}/_sandbox/book"),
        None,
        &json!({"event_type": "30 Minute Intro Call", "invitee_name": "Ada Lovelace", "invitee_email": "ada@example.com"}),
    )
    .await;
    assert_eq!(booked.status, 201, "{}", booked.json);
    let invitee_uri = booked.json["invitee_uri"]
        .as_str()
        .expect("invitee")
        .to_string();
    let state = get(&format!("{base}/_sandbox/state"), None).await;
    let invitee = state.json["invitees"]
        .as_array()
        .expect("invitees")
        .iter()
        .find(|i| i["uri"] == json!(invitee_uri))
        .cloned()
        .expect("booked invitee in state");
    assert_eq!(invitee["first_name"], "Ada");
    assert_eq!(invitee["last_name"], "Lovelace");
    let cancel = post_json(
        &format!("{base}/_sandbox/cancel"),
        None,
        &json!({"invitee_uri": invitee_uri, "by_host": true, "reason": "Travel"}),
    )
    .await;
    assert_eq!(cancel.status, 200);
    let again = post_json(
        &format!("{base}/_sandbox/cancel"),
        None,
        &json!({"invitee_uri": invitee_uri}),
    )
    .await;
    assert_eq!(again.status, 409, "already canceled");
    let unknown = post_json(
        &format!("{base}/_sandbox/no_show"),
        None,
        &json!({"invitee_uri": "https://api.calendly.com/nope"}),
    )
    .await;
    assert_eq!(unknown.status, 404);
    let cfg = post_json(
        &format!("{base}/_sandbox/config"),
        None,
        &json!({"inject_5xx": 1}),
    )
    .await;
    assert_eq!(cfg.status, 200);
    assert_eq!(
        get(&format!("{base}/users/me"), Some(PAT)).await.status,
        500
    );
    let counts = get(&format!("{base}/_sandbox/requests"), None).await;
    assert_eq!(counts.json["injected_5xx"], 1);
    assert_eq!(counts.json["users_me"], 1);
    let snap = sb.snapshot();
    let inv = snap
        .invitees
        .iter()
        .find(|i| i.uri == invitee_uri)
        .expect("invitee");
    let c = inv.cancellation.as_ref().expect("cancellation");
    assert_eq!(c.canceler_type, "host");
    assert_eq!(c.canceled_by, "Maya Lindqvist");
    assert_eq!(c.reason.as_deref(), Some("Travel"));
}

#[tokio::test]
async fn write_endpoints_cancel_events_and_manage_no_shows() {
    let sb = start(config()).await;
    let base = sb.base_url();
    let ids = sb
        .book(BookingSpec {
            event_type: Some("intro-call".into()),
            ..BookingSpec::default()
        })
        .expect("book");
    let uuid = crate::ids::last_segment(&ids.event_uri).to_string();
    let c = post_json(
        &format!("{base}/scheduled_events/{uuid}/cancellation"),
        Some(PAT),
        &json!({"reason": "Flight got moved"}),
    )
    .await;
    assert_eq!(c.status, 201, "{}", c.json);
    assert_eq!(c.json["resource"]["canceler_type"], "host");
    assert_eq!(c.json["resource"]["reason"], "Flight got moved");
    let again = post_json(
        &format!("{base}/scheduled_events/{uuid}/cancellation"),
        Some(PAT),
        &json!({}),
    )
    .await;
    assert_eq!(again.status, 403);
    let event = get(&format!("{base}/scheduled_events/{uuid}"), Some(PAT)).await;
    assert_eq!(event.json["resource"]["status"], "canceled");
    assert_eq!(
        event.json["resource"]["cancellation"]["canceled_by"],
        "Maya Lindqvist"
    );
    // A past invitee becomes a no-show and back.
    let snap = sb.snapshot();
    let past = snap
        .invitees
        .iter()
        .find(|i| {
            i.status == Status::Active
                && i.no_show.is_none()
                && snap
                    .scheduled_events
                    .iter()
                    .any(|e| e.uri == i.event && e.end_time < sb.now())
        })
        .expect("a past invitee");
    let created = post_json(
        &format!("{base}/invitee_no_shows"),
        Some(PAT),
        &json!({"invitee": past.uri}),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.json);
    let ns_uri = created.json["resource"]["uri"]
        .as_str()
        .expect("uri")
        .to_string();
    let ns_uuid = crate::ids::last_segment(&ns_uri).to_string();
    assert_eq!(
        get(&format!("{base}/invitee_no_shows/{ns_uuid}"), Some(PAT))
            .await
            .json["resource"]["invitee"],
        json!(past.uri)
    );
    assert_eq!(
        delete(&format!("{base}/invitee_no_shows/{ns_uuid}"), Some(PAT))
            .await
            .status,
        204
    );
    assert_eq!(
        get(&format!("{base}/invitee_no_shows/{ns_uuid}"), Some(PAT))
            .await
            .status,
        404
    );
}
