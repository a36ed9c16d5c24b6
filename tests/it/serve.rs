//! `slotline serve` as a process against the in-process sandbox: it subscribes, receives real
//! signed deliveries, applies them, keeps its subscription across restarts, stops cleanly on
//! SIGTERM, and `disconnect` deletes the subscription it created.

use std::process::Stdio;
use std::time::Duration;

use calendly_sandbox::{BookingSpec, SandboxConfig};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::common::serve::{export, free_port, sigterm, start_serve};
use crate::common::{bin, connected, Env};

async fn wait_for(env: &Env, what: &str, f: impl Fn(&Value) -> bool) {
    for _ in 0..100 {
        if f(&export(env)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

fn invitee<'a>(export: &'a Value, uri: &str) -> Option<&'a Value> {
    export["events"]
        .as_array()?
        .iter()
        .flat_map(|e| e["invitees"].as_array().into_iter().flatten())
        .find(|i| i["uri"] == uri)
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_receives_live_deliveries_and_keeps_its_subscription() {
    let sb = crate::common::sandbox(SandboxConfig {
        webhook_retry_base: Duration::from_millis(100),
        ..SandboxConfig::default()
    })
    .await;
    let env = Env::with_api(&sb.base_url());
    let token = sb.personal_access_token();
    let out = env
        .cmd(&["connect", "--token-stdin"])
        .write_stdin(token)
        .output()
        .expect("connect");
    assert!(out.status.success());
    let port = free_port().await;
    let callback = format!("http://127.0.0.1:{port}/webhooks/calendly");

    let (mut serve, _lines) = start_serve(&env, port).await;
    let subs: Vec<Value> = serde_json::to_value(sb.snapshot().webhook_subscriptions)
        .expect("json")
        .as_array()
        .cloned()
        .unwrap_or_default();
    // The sandbox's user is an org admin: routing form submissions get their own
    // organization-scope subscription beside the user one.
    let org: Vec<&Value> = subs
        .iter()
        .filter(|s| s["callback_url"] == callback.as_str() && s["scope"] == "organization")
        .collect();
    assert_eq!(org.len(), 1, "an organization subscription: {subs:?}");
    let ours: Vec<&Value> = subs
        .iter()
        .filter(|s| s["callback_url"] == callback.as_str() && s["scope"] == "user")
        .collect();
    assert_eq!(
        ours.len(),
        1,
        "one user subscription for our callback: {subs:?}"
    );
    assert_eq!(ours[0]["state"], "active");
    let sub_uri = ours[0]["uri"].as_str().expect("uri").to_string();

    // A booking made in Calendly appears through the signed webhook.
    let booked = sb.book(BookingSpec::random()).expect("book");
    wait_for(&env, "the booking", |e| {
        invitee(e, &booked.invitee_uri).is_some()
    })
    .await;
    // A host cancellation keeps the row with who and why.
    sb.cancel(&booked.invitee_uri, true, Some("Double-booked"))
        .expect("cancel");
    wait_for(&env, "the cancellation", |e| {
        invitee(e, &booked.invitee_uri).is_some_and(|i| {
            i["status"] == "canceled" && i["cancellation"]["reason"] == "Double-booked"
        })
    })
    .await;
    // A reschedule is one linked chain.
    let other = sb.book(BookingSpec::random()).expect("book");
    let new_start = chrono::Utc::now() + chrono::Duration::days(9);
    let new_invitee = sb
        .reschedule(&other.invitee_uri, new_start)
        .expect("reschedule");
    wait_for(&env, "the reschedule", |e| {
        invitee(e, &new_invitee)
            .is_some_and(|i| i["rescheduled_from"] == other.invitee_uri.as_str())
            && invitee(e, &other.invitee_uri)
                .is_some_and(|i| i["rescheduled_to"] == new_invitee.as_str())
    })
    .await;
    assert!(
        sb.deliveries()
            .iter()
            .all(|d| d.status.is_none_or(|s| (200..300).contains(&s))),
        "every delivery was acknowledged 2xx"
    );

    // SIGTERM: a clean stop with status 0.
    assert!(sigterm(&mut serve).await.success());

    // A restart keeps the same active subscription.
    let (mut serve, _lines) = start_serve(&env, port).await;
    let subs = sb.snapshot().webhook_subscriptions;
    let ours: Vec<_> = subs
        .iter()
        .filter(|s| s.callback_url == callback && s.scope == "user")
        .collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0].uri, sub_uri);
    assert!(sigterm(&mut serve).await.success());

    // A disabled subscription is replaced at the next start.
    sb.disable_subscriptions();
    let (mut serve, _lines) = start_serve(&env, port).await;
    let subs = sb.snapshot().webhook_subscriptions;
    let ours: Vec<_> = subs
        .iter()
        .filter(|s| s.callback_url == callback && s.scope == "user")
        .collect();
    assert_eq!(ours.len(), 1);
    assert_ne!(ours[0].uri, sub_uri, "recreated");
    // The organization subscription shares the keyring key, so it was recreated with it.
    let org: Vec<_> = subs
        .iter()
        .filter(|s| s.callback_url == callback && s.scope == "organization")
        .filter(|s| serde_json::to_value(s.state).expect("state") == "active")
        .collect();
    assert_eq!(org.len(), 1, "{subs:?}");
    assert_eq!(
        sb.webhook_signing_key(&org[0].uri),
        sb.webhook_signing_key(&ours[0].uri)
    );
    assert_eq!(
        serde_json::to_value(ours[0].state).expect("state"),
        "active"
    );
    assert!(sigterm(&mut serve).await.success());

    // Disconnect deletes the subscription this app created.
    let out = env.cmd(&["disconnect"]).output().expect("disconnect");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(sb
        .snapshot()
        .webhook_subscriptions
        .iter()
        .all(|s| s.callback_url != callback));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_without_webhooks_runs_on_polling_and_says_why() {
    let (_sb, env) = connected(SandboxConfig {
        webhooks_allowed: false,
        ..SandboxConfig::default()
    })
    .await;
    let port = free_port().await;
    let (mut serve, mut lines) = start_serve(&env, port).await;
    let mut all = Vec::new();
    while let Ok(l) = lines.try_recv() {
        all.push(l);
    }
    assert!(
        all.iter()
            .any(|l| l.contains("polling alone") && l.contains("upgrade")),
        "{all:?}"
    );
    assert!(sigterm(&mut serve).await.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_ngrok_is_a_clear_error_within_seconds_and_polling_goes_on() {
    let (_sb, env) = connected(SandboxConfig::default()).await;
    // Nothing listens on this port: ngrok's server is unreachable.
    let dead = free_port().await;
    let started = std::time::Instant::now();
    let mut child = Command::new(bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--tunnel", "ngrok"])
        .env("SLOTLINE_DATA_DIR", env.dir.path())
        .env("NGROK_AUTHTOKEN", "not-a-real-ngrok-token")
        .env("SLOTLINE_NGROK_SERVER_ADDR", format!("127.0.0.1:{dead}"))
        .env_remove("DISPLAY")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let (mut saw_error, mut saw_reconcile) = (false, false);
    let _ = tokio::time::timeout(Duration::from_secs(20), async {
        while let Ok(Some(l)) = lines.next_line().await {
            saw_error |= l.contains("ngrok: could not reach ngrok");
            saw_reconcile |= l.contains("reconciled");
            if saw_error && saw_reconcile {
                break;
            }
        }
    })
    .await;
    assert!(saw_error, "a clear ngrok error");
    assert!(saw_reconcile, "polling went on");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(sigterm(&mut child).await.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_during_a_burst_loses_no_acknowledged_delivery() {
    use crate::common::deliveries::{
        integrity, made_up_delivery, post_signed, sha_hex, signing_key,
    };
    let (_sb, env) = connected(SandboxConfig::default()).await;
    let port = free_port().await;
    let (mut serve, _lines) = start_serve(&env, port).await;
    let key = signing_key(&env);

    let url = format!("http://127.0.0.1:{port}/webhooks/calendly");
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut senders = Vec::new();
    for thread in 0..4 {
        let (url, key, acked) = (url.clone(), key.clone(), acked.clone());
        senders.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            for n in 0..400 {
                let body = made_up_delivery(&format!("burst-{thread}-{n}"));
                match post_signed(&http, &url, &key, &body).await {
                    Some(status) if status.is_success() => {
                        acked.lock().expect("lock").push(sha_hex(&body))
                    }
                    // Rate limited: wait a little and go on with the next delivery.
                    Some(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                    // The server is gone (killed): stop.
                    None => return,
                }
            }
        }));
    }
    // Let the burst run, then pull the plug.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let pid = serve.id().expect("pid").to_string();
    std::process::Command::new("kill")
        .args(["-9", &pid])
        .status()
        .expect("kill -9");
    let _ = serve.wait().await;
    for s in senders {
        let _ = s.await;
    }
    let acked = acked.lock().expect("lock").clone();
    assert!(
        acked.len() > 20,
        "the burst got going ({} acked)",
        acked.len()
    );
    // Every acknowledged delivery is in the inbox, and the database is intact.
    let db = env.dir.path().join("slotline.db");
    assert_eq!(integrity(&db), "ok");
    let conn = rusqlite::Connection::open(&db).expect("open");
    let mut stmt = conn
        .prepare("SELECT 1 FROM webhook_inbox WHERE body_sha256 = ?1")
        .expect("prepare");
    for h in &acked {
        assert!(
            stmt.exists([h]).expect("query"),
            "an acknowledged delivery was lost"
        );
    }
    drop(stmt);
    drop(conn);
    // After a restart every stored delivery is applied.
    let (mut serve, _lines) = start_serve(&env, port).await;
    let want = acked.len();
    wait_for(&env, "the burst applied", |e| {
        e["events"]
            .as_array()
            .map(|a| a.iter().filter(|e| e["name"] == "Fault").count() >= want)
            .unwrap_or(false)
    })
    .await;
    assert!(sigterm(&mut serve).await.success());
}
