//! The generated world: deterministic, believable, internally consistent; and the state file.

use super::support::*;
use crate::config::DEFAULT_SPAN_DAYS;
use crate::fixtures::HOST_TZ;
use crate::scenario::generate_spanning;
use crate::world::World;
use crate::{BookingSpec, SandboxConfig, Status};
use chrono::{DateTime, Utc};
use chrono::{Datelike, TimeDelta, Timelike, Weekday};
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// The world for `seed` around `now` with exactly `target` scheduled events, spread over
/// [`DEFAULT_SPAN_DAYS`].
fn generate(seed: u64, now: DateTime<Utc>, target: usize, user_is_org_admin: bool) -> World {
    generate_spanning(seed, now, target, user_is_org_admin, DEFAULT_SPAN_DAYS)
}

#[test]
fn same_seed_and_anchor_give_the_same_world() {
    let a = serde_json::to_string(&generate(11, anchor(), 120, true)).expect("json");
    let b = serde_json::to_string(&generate(11, anchor(), 120, true)).expect("json");
    let c = serde_json::to_string(&generate(12, anchor(), 120, true)).expect("json");
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn a_longer_span_holds_more_meetings_than_the_default_one_all_inside_it() {
    let now = anchor();
    // The default span's business hours fill up near 2,100 meetings.
    let full = generate(7, now, 3_000, true).events.len();
    assert!((1_500..3_000).contains(&full), "{full}");
    assert_eq!(
        serde_json::to_string(&generate_spanning(7, now, 200, true, DEFAULT_SPAN_DAYS)).ok(),
        serde_json::to_string(&generate(7, now, 200, true)).ok()
    );
    let w = generate_spanning(7, now, 3_000, true, (20, 300));
    assert_eq!(w.events.len(), 3_000);
    // A reschedule's canceled original lies between its booking (up to a month earlier) and two
    // weeks after the move, so it may fall a little outside the span.
    let (from, to) = (
        now - TimeDelta::days(20 + 45),
        now + TimeDelta::days(300 + 15),
    );
    let outside: Vec<_> = w
        .events
        .iter()
        .filter(|e| e.start_time < from || e.start_time >= to)
        .map(|e| (e.start_time, e.status))
        .collect();
    assert!(outside.is_empty(), "{outside:?}");
    let active = |e: &&crate::model::ScheduledEvent| e.status == Status::Active;
    assert!(w
        .events
        .iter()
        .filter(active)
        .all(|e| e.start_time >= now - TimeDelta::days(21)));
    assert!(w
        .events
        .iter()
        .any(|e| e.start_time > now + TimeDelta::days(200)));
}

#[test]
fn the_calendar_is_believable_and_consistent() {
    let now = anchor();
    let w = generate(42, now, 120, true);
    assert_eq!(w.events.len(), 120);
    let by_uri: HashMap<&str, _> = w.events.iter().map(|e| (e.uri.as_str(), e)).collect();
    let invitees: HashMap<&str, _> = w.invitees.iter().map(|i| (i.uri.as_str(), i)).collect();
    for e in &w.events {
        assert!(
            e.start_time >= now - TimeDelta::days(61) && e.start_time < now + TimeDelta::days(135),
            "{}",
            e.start_time
        );
        let local = e.start_time.with_timezone(&HOST_TZ);
        assert!(
            !matches!(local.weekday(), Weekday::Sat | Weekday::Sun),
            "weekday"
        );
        assert!(
            local.hour() >= 9 && e.end_time.with_timezone(&HOST_TZ).hour() <= 18,
            "business hours"
        );
        assert!(e.created_at <= now && e.created_at <= e.start_time);
        let mine: Vec<_> = w.invitees.iter().filter(|i| i.event == e.uri).collect();
        assert_eq!(e.invitees_counter.total as usize, mine.len());
        assert_eq!(
            e.invitees_counter.active as usize,
            mine.iter().filter(|i| i.status == Status::Active).count()
        );
        assert_eq!(e.status == Status::Canceled, e.cancellation.is_some());
        assert!(e
            .uri
            .starts_with("https://api.calendly.com/scheduled_events/"));
    }
    // No two active events overlap.
    let mut active: Vec<_> = w
        .events
        .iter()
        .filter(|e| e.status == Status::Active)
        .collect();
    active.sort_by_key(|e| e.start_time);
    for pair in active.windows(2) {
        assert!(
            pair[0].end_time <= pair[1].start_time,
            "overlap at {}",
            pair[1].start_time
        );
    }
    // History: both kinds of cancellation, reschedule chains that link both ways, no-shows.
    let canceler: HashSet<&str> = w
        .invitees
        .iter()
        .filter_map(|i| i.cancellation.as_ref())
        .map(|c| c.canceler_type.as_str())
        .collect();
    assert!(canceler.contains("host") && canceler.contains("invitee"));
    let moved: Vec<_> = w.invitees.iter().filter(|i| i.rescheduled).collect();
    assert!(!moved.is_empty());
    for old in moved {
        let new = invitees[old.new_invitee.as_deref().expect("new_invitee")];
        assert_eq!(new.old_invitee.as_deref(), Some(old.uri.as_str()));
        assert_eq!(old.status, Status::Canceled);
        assert_ne!(old.event, new.event);
        assert_eq!(
            by_uri[old.event.as_str()].status,
            Status::Canceled,
            "1:1 old event is canceled"
        );
    }
    assert!(w.invitees.iter().any(|i| i.no_show.is_some()));
    assert_eq!(
        w.no_shows.len(),
        w.invitees.iter().filter(|i| i.no_show.is_some()).count()
    );
    assert!(
        w.events.iter().any(|e| e.start_time < now) && w.events.iter().any(|e| e.start_time > now)
    );
    // People: many zones, recurring clients with differently-cased emails, name-only invitees.
    let zones: HashSet<&str> = w
        .invitees
        .iter()
        .filter_map(|i| i.timezone.as_deref())
        .collect();
    for z in [
        "America/Santiago",
        "Europe/Berlin",
        "Australia/Sydney",
        "America/New_York",
        "Asia/Kolkata",
        "Asia/Tokyo",
    ] {
        assert!(zones.contains(z), "zone {z}");
    }
    let mut by_email: HashMap<String, HashSet<&str>> = HashMap::new();
    for i in &w.invitees {
        by_email
            .entry(i.email.to_lowercase())
            .or_default()
            .insert(i.email.as_str());
    }
    assert!(
        by_email.values().any(|spellings| spellings.len() > 1),
        "mixed-case emails for one person"
    );
    assert!(
        w.invitees
            .iter()
            .any(|i| i.first_name.is_none() && !i.name.contains(' ')),
        "a name-only invitee"
    );
    assert!(
        w.invitees
            .iter()
            .any(|i| i.first_name.is_none() && i.name.contains(' ')),
        "single-name-field forms"
    );
    assert!(
        w.invitees.iter().any(|i| i
            .questions_and_answers
            .iter()
            .any(|q| q.answer.contains('\n'))),
        "multi-line answers"
    );
    assert!(w.invitees.iter().any(|i| i.tracking.utm_source.is_some()));
    assert!(w.events.iter().any(|e| !e.event_guests.is_empty()));
    assert!(w.events.iter().any(|e| e.meeting_notes_plain.is_some()));
    let kinds: HashSet<&str> = w
        .events
        .iter()
        .filter_map(|e| e.location["type"].as_str())
        .collect();
    for k in [
        "google_conference",
        "microsoft_teams_conference",
        "physical",
        "custom",
    ] {
        assert!(kinds.contains(k), "location {k}");
    }
    assert!(kinds.contains("zoom") || kinds.contains("zoom_conference"));
    assert!(kinds.contains("outbound_call") || kinds.contains("inbound_call"));
    assert!(
        w.events
            .iter()
            .any(|e| e.invitees_counter.limit == 10 && e.invitees_counter.total > 2),
        "a group event"
    );
}

#[tokio::test]
async fn state_file_round_trip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sandbox.json");
    let rx = receiver(&[]).await;
    let (before, token, sub_uri) = {
        let sb = start(SandboxConfig {
            state_file: Some(path.clone()),
            ..config()
        })
        .await;
        let sub = subscribe(&sb, &rx.url, &["invitee.created"], Some("k")).await;
        let ids = sb
            .book(BookingSpec {
                invitee_name: Some("Persisted Person".into()),
                ..BookingSpec::default()
            })
            .expect("book");
        assert!(wait_until(std::time::Duration::from_secs(5), || rx.hits().len() == 1).await);
        let other = sb
            .snapshot()
            .invitees
            .iter()
            .find(|i| i.status == Status::Active && i.uri != ids.invitee_uri)
            .map(|i| i.uri.clone())
            .expect("invitee");
        sb.cancel(&other, false, Some("Moving the state file"))
            .expect("cancel");
        // An OAuth token issued before the restart must keep working after it.
        let verifier = "state-file-verifier-0123456789-0123456789-abcdef";
        let challenge = crate::tokens::pkce_challenge(verifier);
        let loc = post_form(
            &format!("{}/oauth/authorize/decision", sb.base_url()),
            &[
                ("client_id", "slotline-sandbox-client"),
                ("response_type", "code"),
                ("redirect_uri", "http://localhost:9/cb"),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("decision", "allow"),
            ],
            None,
        )
        .await
        .header("location")
        .expect("location");
        let code = url::Url::parse(&loc)
            .expect("url")
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .expect("code");
        let tok = post_form(
            &format!("{}/oauth/token", sb.base_url()),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "http://localhost:9/cb"),
                ("client_id", "slotline-sandbox-client"),
                ("code_verifier", verifier),
            ],
            None,
        )
        .await;
        assert_eq!(tok.status, 200, "{}", tok.json);
        (
            sb.snapshot(),
            tok.json["access_token"]
                .as_str()
                .expect("token")
                .to_string(),
            sub["uri"].as_str().expect("uri").to_string(),
        )
    };
    assert!(path.exists());
    // A different seed and PAT: the file wins for the world, the old PAT is still accepted.
    let sb = start(SandboxConfig {
        state_file: Some(path.clone()),
        seed: 999,
        personal_access_token: "sbx_pat_second".into(),
        ..config()
    })
    .await;
    let after = sb.snapshot();
    assert_eq!(
        json!(after.scheduled_events),
        json!(before.scheduled_events)
    );
    assert_eq!(json!(after.invitees), json!(before.invitees));
    assert_eq!(
        json!(after.webhook_subscriptions),
        json!(before.webhook_subscriptions)
    );
    assert_eq!(after.user, before.user);
    assert_eq!(
        get(&format!("{}/users/me", sb.base_url()), Some(&token))
            .await
            .status,
        200
    );
    assert_eq!(
        get(&format!("{}/users/me", sb.base_url()), Some(PAT))
            .await
            .status,
        200
    );
    assert_eq!(
        get(
            &format!("{}/users/me", sb.base_url()),
            Some("sbx_pat_second")
        )
        .await
        .status,
        200
    );
    // The persisted subscription is live again with its signing key.
    sb.book(BookingSpec::random()).expect("book");
    assert!(wait_until(std::time::Duration::from_secs(5), || rx.hits().len() == 2).await);
    let last = rx.hits().last().cloned().expect("hit");
    assert!(signature_valid("k", &last));
    assert_eq!(sb.webhook_signing_key(&sub_uri).as_deref(), Some("k"));
}
