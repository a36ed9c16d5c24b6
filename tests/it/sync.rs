//! The reconcile against the in-process sandbox and a real SQLite file: everything arrives field
//! for field, a re-sync spends only the list pages and the recent range, faults (429s, 5xx,
//! a lost network, a killed run) converge, changes made while asleep appear, webhooks during a
//! sync make no duplicates, and pacing keeps a small rate limit free of 429s.

use crate::common::fresh_store;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use calendly_sandbox::{BookingSpec, Sandbox, SandboxConfig, SettingsPatch};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use slotline::calendly::models::WebhookEnvelope;
use slotline::calendly::Client;
use slotline::export::{json_export, Range};
use slotline::secrets::{SecretError, SecretKind, SecretStore};
use slotline::store::{sync_state, Store};
use slotline::sync::engine::{self, SyncError, SyncOptions, SyncOutcome, Window};
use slotline::sync::{apply, Input};

use crate::common::{self, expected_events, norm_time};

/// The sandbox's rate-limit window in the tests that spend a whole window's budget.
const RATE_WINDOW: Duration = Duration::from_secs(2);

async fn start_sandbox(config: SandboxConfig) -> Sandbox {
    crate::common::sandbox(config).await
}

/// A sandbox with `events` events, a little latency and a limit that never binds.
async fn sandbox(events: usize, seed: u64) -> Sandbox {
    start_sandbox(SandboxConfig {
        seed,
        events,
        latency: Duration::from_millis(2),
        rate_limit_per_minute: 100_000,
        ..SandboxConfig::default()
    })
    .await
}

fn client(sb: &Sandbox) -> Client {
    Client::new(&sb.base_url(), &sb.personal_access_token()).expect("client")
}

/// Fast back-off so injected faults cost milliseconds.
fn quick() -> SyncOptions {
    SyncOptions {
        backoff_base: Duration::from_millis(5),
        ..SyncOptions::default()
    }
}

async fn run(
    sb: &Sandbox,
    store: &Store,
    now: DateTime<Utc>,
    opts: &SyncOptions,
) -> Result<SyncOutcome, SyncError> {
    engine::sync_with(
        &client(sb),
        store,
        &sb.user_uri(),
        &Window::around(now),
        now,
        opts,
        |_| {},
    )
    .await
}

/// Like [`run`], switching on `errors` injected 5xx answers once `after_pages` pages are applied.
async fn run_with_5xx_after(
    sb: &Sandbox,
    store: &Store,
    now: DateTime<Utc>,
    opts: &SyncOptions,
    after_pages: u32,
    errors: u32,
) -> Result<SyncOutcome, SyncError> {
    let storm = sb.clone();
    engine::sync_with(
        &client(sb),
        store,
        &sb.user_uri(),
        &Window::around(now),
        now,
        opts,
        move |p| {
            if p.pages == after_pages {
                storm.update_settings(&SettingsPatch {
                    inject_5xx: Some(errors),
                    ..SettingsPatch::default()
                });
            }
        },
    )
    .await
}

fn state(sb: &Sandbox) -> Value {
    serde_json::to_value(sb.snapshot()).expect("snapshot as JSON")
}

fn instant(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().expect("time string"))
        .expect("rfc3339")
        .with_timezone(&Utc)
}

fn export(store: &Store) -> Value {
    json_export(store, Range::default()).expect("export")
}

/// The export's events, keyed so they compare with [`expected_events`].
fn exported_events(store: &Store) -> Vec<Value> {
    common::exported_events(&export(store))
}

/// The store equals the sandbox, event by event and field by field.
fn assert_equals_sandbox(store: &Store, sb: &Sandbox) {
    let want = expected_events(&state(sb));
    let got = exported_events(store);
    assert_eq!(got.len(), want.len(), "event count");
    for (g, w) in got.iter().zip(&want) {
        pretty_assertions::assert_eq!(g, w);
    }
}

fn count(store: &Store, sql: &str) -> i64 {
    store
        .read(|tx| Ok::<_, slotline::store::StoreError>(tx.query_row(sql, [], |r| r.get(0))?))
        .expect("count")
}

fn sync_key(store: &Store, key: &str) -> Option<String> {
    store
        .read(|tx| sync_state::get(tx, key))
        .expect("sync_state")
}

/// Events of the sandbox starting in `[now - 7 d, now + 1 d)`: the range re-fetched every sync.
fn recent_events(state: &Value, now: DateTime<Utc>) -> HashSet<String> {
    let (from, to) = (
        now - chrono::Duration::days(7),
        now + chrono::Duration::days(1),
    );
    state["scheduled_events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| {
            let s = instant(&e["start_time"]);
            s >= from && s < to
        })
        .map(|e| e["uri"].as_str().expect("uri").to_string())
        .collect()
}

fn event_uris(state: &Value) -> Vec<String> {
    state["scheduled_events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["uri"].as_str().expect("uri").to_string())
        .collect()
}

fn pages_for(events: usize) -> u64 {
    events.div_ceil(100).max(1) as u64
}

async fn first_sync_then_resync(events: usize, seed: u64) {
    let sb = sandbox(events, seed).await;
    let (_dir, store) = fresh_store();
    let now = sb.now();
    let snap = state(&sb);
    let n = event_uris(&snap).len();
    assert!(n >= events, "the sandbox has its events ({n})");
    let invitees_per_event: HashMap<String, usize> = snap["invitees"]
        .as_array()
        .expect("invitees")
        .iter()
        .fold(HashMap::new(), |mut m, i| {
            *m.entry(i["event"].as_str().expect("event").to_string())
                .or_default() += 1;
            m
        });
    assert!(invitees_per_event.values().all(|c| *c <= 100));

    let mut pages_seen = Vec::new();
    let first = engine::sync_with(
        &client(&sb),
        &store,
        &sb.user_uri(),
        &Window::around(now),
        now,
        &quick(),
        |p| pages_seen.push(p.pages),
    )
    .await
    .expect("first sync");
    let c1 = sb.request_counts();
    assert_eq!(c1.list_events, pages_for(n), "one request per page");
    assert_eq!(c1.list_invitees, n as u64, "one invitee request per event");
    assert_eq!(c1.get_event, 0);
    assert_eq!(c1.rate_limited, 0);
    assert_eq!(first.progress.pages as u64, pages_for(n));
    assert_eq!(first.progress.events_seen as usize, n);
    assert_eq!(first.progress.invitee_requests as usize, n);
    assert_eq!(first.progress.requests as u64, c1.total);
    assert_eq!(pages_seen, (1..=pages_for(n) as u32).collect::<Vec<_>>());
    assert!(first.applied.rows_written > 0);
    assert_eq!(first.vanished, Some(Default::default()));
    assert_equals_sandbox(&store, &sb);
    assert!(sync_key(&store, sync_state::LAST_SYNC).is_some());
    assert_eq!(sync_key(&store, sync_state::LAST_SYNC_ERROR), None);
    assert_eq!(sync_key(&store, sync_state::SYNC_CURSOR), None);
    let before = export(&store);

    // Nothing changed: the list pages, plus the recent range's invitees, and no writes.
    let second = run(&sb, &store, now, &quick()).await.expect("re-sync");
    let c2 = sb.request_counts();
    let recent = recent_events(&snap, now).len() as u64;
    assert!(recent > 0, "the scenario has meetings around now");
    assert_eq!(c2.list_events - c1.list_events, pages_for(n));
    assert_eq!(c2.list_invitees - c1.list_invitees, recent);
    assert_eq!(c2.total - c1.total, pages_for(n) + recent);
    assert_eq!(second.applied.rows_written, 0, "{second:?}");
    assert_eq!(second.invitees_skipped as u64, n as u64 - recent);
    pretty_assertions::assert_eq!(export(&store), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_fifty_events_arrive_field_for_field_and_a_resync_writes_nothing() {
    first_sync_then_resync(250, 11).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_events_arrive_field_for_field_and_a_resync_writes_nothing() {
    first_sync_then_resync(1000, 12).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_429s_and_a_5xx_burst_still_converge() {
    let sb = start_sandbox(SandboxConfig {
        seed: 13,
        events: 250,
        latency: Duration::from_millis(2),
        rate_limit_per_minute: 100_000,
        inject_429_every: Some(7),
        ..SandboxConfig::default()
    })
    .await;
    let (_dir, store) = fresh_store();
    let now = sb.now();
    // Injected 429s contradict the headers (plenty left), so they are never waited out in full.
    let opts = SyncOptions {
        unexpected_429s_before_reset: 100,
        max_retries: 100,
        ..quick()
    };
    // A burst of server errors lands on the second page's invitee fetches.
    let out = run_with_5xx_after(&sb, &store, now, &opts, 1, 6)
        .await
        .expect("converges");
    let c = sb.request_counts();
    assert!(c.rate_limited > 10, "429s were injected: {c:?}");
    assert_eq!(c.injected_5xx, 6);
    assert_eq!(out.progress.rate_limited as u64, c.rate_limited);
    assert_eq!(out.progress.retries as u64, c.rate_limited + 6);
    // Every request beyond one per page and one per event is a retry.
    let n = event_uris(&state(&sb)).len() as u64;
    assert_eq!(c.total - c.rate_limited - 6, pages_for(n as usize) + n);
    assert_equals_sandbox(&store, &sb);
}

/// Runs a sync and drops it right after `pages` pages were applied, as a killed app would.
async fn sync_killed_after(sb: &Sandbox, store: &Store, now: DateTime<Utc>, pages: u32) {
    let (tx, mut rx) = tokio::sync::watch::channel(0u32);
    let c = client(sb);
    let user = sb.user_uri();
    let window = Window::around(now);
    let opts = quick();
    let sync = engine::sync_with(&c, store, &user, &window, now, &opts, move |p| {
        let _ = tx.send(p.pages);
    });
    tokio::select! {
        r = sync => panic!("the sync finished before it was killed: {r:?}"),
        _ = rx.wait_for(|n| *n >= pages) => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_sync_resumes_from_its_next_page() {
    let sb = sandbox(450, 14).await;
    let (_dir, store) = fresh_store();
    let now = sb.now();
    let n = event_uris(&state(&sb)).len();
    let pages = pages_for(n);
    assert!(pages >= 4);

    sync_killed_after(&sb, &store, now, 2).await;
    // Whole pages only: two of them, and a cursor pointing at the third.
    assert_eq!(count(&store, "SELECT COUNT(*) FROM scheduled_events"), 200);
    let cursor = store
        .read(|tx| sync_state::cursor(tx))
        .expect("read")
        .expect("a cursor was saved");
    assert_eq!(cursor.pages_done, 2);
    // Let the dropped requests reach the sandbox before counting.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let before = sb.request_counts();

    let out = run(&sb, &store, now, &quick()).await.expect("resumed");
    let after = sb.request_counts();
    assert_eq!(out.resumed_from_page, Some(3));
    assert_eq!(
        after.list_events - before.list_events,
        pages - 2,
        "only the remaining pages"
    );
    assert_eq!(after.list_invitees - before.list_invitees, n as u64 - 200);
    assert_eq!(
        after.get_event, 0,
        "a resumed run does not look for vanished events"
    );
    assert_eq!(out.vanished, None);
    assert_eq!(sync_key(&store, sync_state::SYNC_CURSOR), None);
    assert_equals_sandbox(&store, &sb);

    // The next run is a full one again.
    let again = run(&sb, &store, now, &quick()).await.expect("full");
    assert_eq!(again.resumed_from_page, None);
    assert_eq!(again.applied.rows_written, 0);
    assert!(again.vanished.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_storm_mid_sync_leaves_whole_pages_and_a_clear_error_then_resumes() {
    let sb = sandbox(350, 15).await;
    let (_dir, store) = fresh_store();
    let now = sb.now();
    let opts = SyncOptions {
        max_retries: 2,
        ..quick()
    };
    let err = run_with_5xx_after(&sb, &store, now, &opts, 2, 100_000)
        .await
        .expect_err("the storm stops the sync");
    assert!(matches!(err, SyncError::Api(_)), "{err:?}");
    assert_eq!(count(&store, "SELECT COUNT(*) FROM scheduled_events"), 200);
    let message = sync_key(&store, sync_state::LAST_SYNC_ERROR).expect("last_sync_error");
    assert!(
        message.contains("page 3") && message.contains("pages 1–2 are applied"),
        "{message}"
    );
    assert!(message.contains("server error"), "{message}");

    sb.update_settings(&SettingsPatch {
        inject_5xx: Some(0),
        ..SettingsPatch::default()
    });
    let out = run(&sb, &store, now, &opts).await.expect("resumed");
    assert_eq!(out.resumed_from_page, Some(3));
    assert_eq!(sync_key(&store, sync_state::LAST_SYNC_ERROR), None);
    assert_equals_sandbox(&store, &sb);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_network_ends_in_a_clear_partial_state_and_a_new_server_starts_the_window_over() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state_file = dir.path().join("sandbox.json");
    let token = "sbx_pat_network_test".to_string();
    let config = SandboxConfig {
        seed: 16,
        events: 350,
        latency: Duration::from_millis(2),
        rate_limit_per_minute: 100_000,
        state_file: Some(state_file.clone()),
        personal_access_token: token.clone(),
        ..SandboxConfig::default()
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let sb = Sandbox::start(config.clone(), listener, async {
        let _ = stop_rx.await;
    })
    .await
    .expect("sandbox");
    let (_db, store) = fresh_store();
    let now = sb.now();
    let mut stop = Some(stop_tx);
    let opts = SyncOptions {
        max_retries: 2,
        ..quick()
    };
    let err = engine::sync_with(
        &client(&sb),
        &store,
        &sb.user_uri(),
        &Window::around(now),
        now,
        &opts,
        move |p| {
            if p.pages == 2 {
                if let Some(s) = stop.take() {
                    let _ = s.send(());
                }
            }
        },
    )
    .await
    .expect_err("the network went away");
    assert!(
        matches!(
            err,
            SyncError::Api(slotline::calendly::ApiError::Network { .. })
        ),
        "{err:?}"
    );
    let message = sync_key(&store, sync_state::LAST_SYNC_ERROR).expect("last_sync_error");
    assert!(message.contains("page 3"), "{message}");
    assert!(message.contains("could not reach Calendly"), "{message}");
    assert_eq!(count(&store, "SELECT COUNT(*) FROM scheduled_events"), 200);

    // The network returns, but to a new server whose page tokens differ: the saved token is
    // refused and the window is listed from the start.
    let sb2 = start_sandbox(config).await;
    let out = run(&sb2, &store, now, &opts).await.expect("recovered");
    assert_eq!(out.resumed_from_page, None);
    assert!(out.vanished.is_some());
    assert_equals_sandbox(&store, &sb2);
}

#[derive(Default)]
struct MemorySecrets(Mutex<HashMap<&'static str, String>>);

fn kind_name(kind: SecretKind) -> &'static str {
    match kind {
        SecretKind::CalendlyToken => "token",
        SecretKind::WebhookSigningKey => "signing",
        SecretKind::OAuthClientSecret => "client-secret",
        SecretKind::OAuthWebhookSigningKey => "oauth-signing",
        SecretKind::NgrokAuthtoken => "ngrok",
    }
}

impl SecretStore for MemorySecrets {
    fn get(&self, kind: SecretKind) -> Result<Option<String>, SecretError> {
        Ok(self.0.lock().expect("lock").get(kind_name(kind)).cloned())
    }
    fn set(&self, kind: SecretKind, value: &str) -> Result<(), SecretError> {
        self.0
            .lock()
            .expect("lock")
            .insert(kind_name(kind), value.to_string());
        Ok(())
    }
    fn delete(&self, kind: SecretKind) -> Result<(), SecretError> {
        self.0.lock().expect("lock").remove(kind_name(kind));
        Ok(())
    }
    fn check(&self) -> Result<(), SecretError> {
        Ok(())
    }
}

/// Future, active invitees of one-invitee events, as (invitee, event) URIs.
fn future_single_invitees(state: &Value, now: DateTime<Utc>) -> Vec<(String, String)> {
    let events: HashMap<&str, &Value> = state["scheduled_events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| (e["uri"].as_str().expect("uri"), e))
        .collect();
    state["invitees"]
        .as_array()
        .expect("invitees")
        .iter()
        .filter(|i| i["status"] == "active")
        .filter_map(|i| {
            let e = events.get(i["event"].as_str()?)?;
            (instant(&e["start_time"]) > now + chrono::Duration::days(10)
                && e["invitees_counter"]["total"] == 1)
                .then(|| {
                    (
                        i["uri"].as_str().expect("uri").to_string(),
                        e["uri"].as_str().expect("uri").to_string(),
                    )
                })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancellation_and_a_reschedule_made_while_asleep_appear_after_waking() {
    use slotline::calendly::subscriptions::{self, Outcome};
    let sb = sandbox(120, 17).await;
    let (_dir, store) = fresh_store();
    let now = sb.now();
    let c = client(&sb);
    run(&sb, &store, now, &quick()).await.expect("first sync");

    let acct = slotline::store::account::Account {
        user_uri: sb.user_uri(),
        organization_uri: Some(sb.organization_uri()),
        name: "Maya".into(),
        email: "maya@example.com".into(),
        timezone: None,
        avatar_url: None,
        auth_kind: "pat".into(),
        api_url: sb.base_url(),
        auth_url: sb.base_url(),
        is_sandbox: true,
        webhooks_allowed: true,
        connected_at: now.to_rfc3339(),
        raw_json: "{}".into(),
    };
    let secrets = MemorySecrets::default();
    let callback = "http://127.0.0.1:9/webhooks/calendly";
    let Outcome::Created(first_sub) = subscriptions::ensure(&c, &store, &secrets, &acct, callback)
        .await
        .expect("subscribe")
    else {
        panic!("a subscription is created");
    };

    // Asleep: deliveries fail, the subscription ends up disabled, changes happen meanwhile.
    sb.set_webhooks_paused(true);
    let snap = state(&sb);
    let picks = future_single_invitees(&snap, now);
    assert!(
        picks.len() >= 2,
        "the scenario has future one-on-one meetings"
    );
    let (canceled_inv, canceled_ev) = picks[0].clone();
    let (moved_inv, moved_ev) = picks[1].clone();
    sb.cancel(&canceled_inv, false, Some("Something came up"))
        .expect("cancel");
    let new_start = (now + chrono::Duration::days(150))
        .date_naive()
        .and_hms_opt(14, 0, 0)
        .expect("time")
        .and_utc();
    let new_inv = sb.reschedule(&moved_inv, new_start).expect("reschedule");
    sb.disable_subscriptions();
    assert_eq!(
        exported_events(&store).len(),
        event_uris(&snap).len(),
        "nothing arrived while asleep"
    );

    // Wake: the subscription is found disabled and recreated, then one reconcile.
    assert!(!subscriptions::is_active(&c, &first_sub)
        .await
        .expect("check"));
    let Outcome::Created(second_sub) = subscriptions::ensure(&c, &store, &secrets, &acct, callback)
        .await
        .expect("resubscribe")
    else {
        panic!("a new subscription is created");
    };
    assert_ne!(second_sub, first_sub);
    sb.set_webhooks_paused(false);
    let before = sb.request_counts();
    let out = run(&sb, &store, now, &quick()).await.expect("reconcile");
    let after = sb.request_counts();
    assert_equals_sandbox(&store, &sb);
    assert!(out.applied.events_changed >= 3, "{out:?}");

    // Invitees were fetched for the changed events and the recent range only.
    let new_state = state(&sb);
    let new_ev = new_state["invitees"]
        .as_array()
        .expect("invitees")
        .iter()
        .find(|i| i["uri"] == new_inv.as_str())
        .and_then(|i| i["event"].as_str())
        .expect("the new invitee's event")
        .to_string();
    let mut fetched: BTreeSet<String> = recent_events(&new_state, now).into_iter().collect();
    fetched.extend([canceled_ev.clone(), moved_ev.clone(), new_ev.clone()]);
    assert_eq!(
        after.list_invitees - before.list_invitees,
        fetched.len() as u64
    );

    let exported = export(&store);
    let kinds_of = |email_of: &str| -> Vec<String> {
        let email = new_state["invitees"]
            .as_array()
            .expect("invitees")
            .iter()
            .find(|i| i["uri"] == email_of)
            .and_then(|i| i["email"].as_str())
            .expect("email")
            .to_lowercase();
        exported["contacts"]
            .as_array()
            .expect("contacts")
            .iter()
            .filter(|c| c["email"].as_str().map(str::to_lowercase) == Some(email.clone()))
            .flat_map(|c| c["activity"].as_array().expect("activity").iter())
            .map(|a| a["kind"].as_str().expect("kind").to_string())
            .collect()
    };
    assert!(kinds_of(&canceled_inv).contains(&"canceled".to_string()));
    assert!(kinds_of(&moved_inv).contains(&"rescheduled".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_applied_during_a_sync_makes_no_duplicates() {
    let sb = sandbox(350, 18).await;
    let (_dir, store) = fresh_store();
    let now = sb.now();
    // A booking on the last page of the listing, delivered by webhook while page 1 is applied.
    let start = (now + chrono::Duration::days(200))
        .date_naive()
        .and_hms_opt(15, 0, 0)
        .expect("time")
        .and_utc();
    let booked = sb
        .book(BookingSpec {
            start: Some(start),
            ..BookingSpec::default()
        })
        .expect("book");
    let snap = state(&sb);
    let find = |list: &str, uri: &str| -> Value {
        snap[list]
            .as_array()
            .expect("list")
            .iter()
            .find(|x| x["uri"] == uri)
            .cloned()
            .expect("in the sandbox")
    };
    let mut payload = find("invitees", &booked.invitee_uri);
    payload["scheduled_event"] = find("scheduled_events", &booked.event_uri);
    let envelope: WebhookEnvelope = serde_json::from_value(json!({
        "event": "invitee.created", "created_at": now.to_rfc3339(),
        "created_by": sb.user_uri(), "payload": payload,
    }))
    .expect("envelope");
    let delivery = Input::Webhook {
        payload: envelope.decode().expect("decode"),
        delivered_at: envelope.created_at.clone(),
    };

    let applied_during = Arc::new(Mutex::new(None));
    let out = {
        let applied_during = applied_during.clone();
        let store_ref = &store;
        let delivery_ref = &delivery;
        engine::sync_with(
            &client(&sb),
            &store,
            &sb.user_uri(),
            &Window::around(now),
            now,
            &quick(),
            move |p| {
                if p.pages == 1 {
                    let written = store_ref
                        .with_tx(|tx| apply(tx, delivery_ref))
                        .expect("apply the delivery");
                    *applied_during.lock().expect("lock") = Some(written);
                }
            },
        )
        .await
        .expect("sync")
    };
    let during = applied_during
        .lock()
        .expect("lock")
        .clone()
        .expect("the delivery was applied during the sync");
    assert_eq!(during.events_changed, 1);
    assert_eq!(during.activities_added, 1);
    assert!(out.progress.pages >= 4);
    assert_equals_sandbox(&store, &sb);

    let q = |sql: &str| -> i64 {
        store
            .read(|tx| {
                Ok::<_, slotline::store::StoreError>(tx.query_row(
                    sql,
                    [&booked.invitee_uri],
                    |r| r.get(0),
                )?)
            })
            .expect("query")
    };
    assert_eq!(q("SELECT COUNT(*) FROM invitees WHERE uri = ?1"), 1);
    assert_eq!(
        q("SELECT COUNT(*) FROM activities WHERE invitee_uri = ?1"),
        1,
        "one booked activity, from the webhook, not again from the poll"
    );
    assert_eq!(
        count(
            &store,
            &format!(
                "SELECT COUNT(*) FROM scheduled_events WHERE uri = '{}' AND first_seen_via = 'webhook'",
                booked.event_uri
            )
        ),
        1
    );
    // The same delivery again, after the poll: nothing to write.
    let again = store
        .with_tx(|tx| apply(tx, &delivery))
        .expect("apply again");
    assert_eq!(again.rows_written, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_missing_from_the_listing_are_looked_up_before_anything_changes() {
    let sb = sandbox(120, 19).await;
    let (_dir, store) = fresh_store();
    let now = sb.now();
    let window = Window {
        from: now - chrono::Duration::days(10),
        to: now + chrono::Duration::days(10),
    };
    let snap = state(&sb);
    // A real event outside the window, stored (from an old poll) with a start inside it.
    let outside = snap["scheduled_events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| instant(&e["start_time"]) > now + chrono::Duration::days(30))
        .cloned()
        .expect("a later event");
    let mut moved = outside.clone();
    let fake_start = (now + chrono::Duration::days(3)).to_rfc3339();
    moved["start_time"] = json!(fake_start);
    moved["end_time"] = json!(fake_start);
    // Two events Calendly does not know: one from an old poll, one from a webhook.
    let ghost = |id: &str| {
        json!({
            "uri": format!("https://api.calendly.com/scheduled_events/{id}"),
            "name": "Gone", "status": "active",
            "start_time": fake_start, "end_time": fake_start,
            "invitees_counter": {"total": 1, "active": 1, "limit": 1},
            "updated_at": now.to_rfc3339(), "created_at": now.to_rfc3339(),
        })
    };
    let from_api = ghost("00000000-0000-4000-8000-00000000a001");
    let from_hook = ghost("00000000-0000-4000-8000-00000000a002");
    let hook_invitee = json!({
        "uri": format!("{}/invitees/00000000-0000-4000-8000-00000000b002", from_hook["uri"].as_str().expect("uri")),
        "email": "ghost@example.org", "name": "Ghost", "status": "active",
        "event": from_hook["uri"], "created_at": now.to_rfc3339(), "updated_at": now.to_rfc3339(),
        "scheduled_event": from_hook,
    });
    let envelope: WebhookEnvelope = serde_json::from_value(json!({
        "event": "invitee.created", "created_at": now.to_rfc3339(), "payload": hook_invitee,
    }))
    .expect("envelope");
    store
        .with_tx(|tx| {
            apply(
                tx,
                &Input::Event {
                    event: serde_json::from_value(moved.clone()).expect("event"),
                    invitees: vec![],
                },
            )?;
            apply(
                tx,
                &Input::Event {
                    event: serde_json::from_value(from_api.clone()).expect("event"),
                    invitees: vec![],
                },
            )?;
            apply(
                tx,
                &Input::Webhook {
                    payload: envelope.decode().expect("decode"),
                    delivered_at: None,
                },
            )
        })
        .expect("seed");

    let out = engine::sync_with(
        &client(&sb),
        &store,
        &sb.user_uri(),
        &window,
        now,
        &quick(),
        |_| {},
    )
    .await
    .expect("sync");
    let c = sb.request_counts();
    assert_eq!(c.get_event, 3, "each missing event looked up once");
    let v = out.vanished.expect("a full run checks");
    assert_eq!((v.found, v.canceled, v.kept), (1, 1, 1));
    let status = |uri: &Value| -> (String, String) {
        store
            .read(|tx| {
                Ok::<_, slotline::store::StoreError>(tx.query_row(
                    "SELECT status, start_time FROM scheduled_events WHERE uri = ?1",
                    [uri.as_str().expect("uri")],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?)
            })
            .expect("row")
    };
    assert_eq!(status(&from_api["uri"]).0, "canceled", "gone at Calendly");
    assert_eq!(
        status(&from_hook["uri"]).0,
        "active",
        "a webhook's event is kept"
    );
    let (s, start) = status(&outside["uri"]);
    assert_eq!(s, outside["status"].as_str().expect("status"));
    assert_eq!(
        json!(start),
        norm_time(&outside["start_time"]),
        "Calendly's version wins"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_organization_listing_falls_back_to_the_users_events() {
    let sb = start_sandbox(SandboxConfig {
        seed: 20,
        events: 60,
        latency: Duration::from_millis(2),
        rate_limit_per_minute: 100_000,
        user_is_org_admin: false,
        ..SandboxConfig::default()
    })
    .await;
    let (_dir, store) = fresh_store();
    let now = sb.now();
    let opts = SyncOptions {
        organization: Some(sb.organization_uri()),
        ..quick()
    };
    let out = run(&sb, &store, now, &opts).await.expect("sync");
    assert!(out.fell_back_to_user);
    let n = event_uris(&state(&sb)).len();
    assert_eq!(
        sb.request_counts().list_events,
        1 + pages_for(n),
        "one refused, then the user's pages"
    );
    assert_equals_sandbox(&store, &sb);
}

/// A sandbox whose limit (60 a window) is below what a first sync needs (~70 requests). The
/// window is 2 s instead of Calendly's minute: the headers count down from it the same way, so
/// pacing is proven without waiting a minute for the reset.
async fn tight_sandbox(seed: u64) -> Sandbox {
    start_sandbox(SandboxConfig {
        seed,
        events: 68,
        latency: Duration::from_millis(2),
        rate_limit_per_minute: 60,
        rate_limit_window: RATE_WINDOW,
        ..SandboxConfig::default()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pacing_by_the_headers_gets_no_429_where_unpaced_requests_do() {
    let (paced_sb, unpaced_sb) = tokio::join!(tight_sandbox(21), tight_sandbox(21));
    let (_d1, paced_store) = fresh_store();
    let (_d2, unpaced_store) = fresh_store();
    let now = paced_sb.now();
    let unpaced_opts = SyncOptions {
        pace: false,
        ..quick()
    };
    let paced_opts = quick();
    let (paced, unpaced) = tokio::join!(
        run(&paced_sb, &paced_store, now, &paced_opts),
        run(&unpaced_sb, &unpaced_store, now, &unpaced_opts),
    );
    let (paced, unpaced) = (paced.expect("paced"), unpaced.expect("unpaced"));
    let n = event_uris(&state(&paced_sb)).len() as u64;
    let needed = pages_for(n as usize) + n;
    assert!(
        needed > 60,
        "the sync needs more than a minute's budget ({needed})"
    );

    let c = paced_sb.request_counts();
    assert_eq!(c.rate_limited, 0, "{c:?}");
    assert_eq!(c.total, needed, "no request wasted");
    assert!(paced.progress.paced_ms > 0, "it waited for the reset");

    assert_equals_sandbox(&paced_store, &paced_sb);

    let u = unpaced_sb.request_counts();
    assert!(u.rate_limited > 0, "without pacing the limit is hit: {u:?}");
    assert_eq!(unpaced.progress.rate_limited as u64, u.rate_limited);
    assert_equals_sandbox(&unpaced_store, &unpaced_sb);
}
