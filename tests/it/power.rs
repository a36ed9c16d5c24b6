//! Power loss, simulated: `slotline serve` is killed with SIGKILL at random points of bursts of
//! signed deliveries from several threads (and of its start-up reconcile), and `slotline sync` at
//! random points of a sync, many times over one data directory. After every kill the database
//! passes `PRAGMA integrity_check` and holds every delivery that was answered 2xx; a final
//! complete sync makes the export equal the sandbox.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use calendly_sandbox::{BookingSpec, SandboxConfig};
use rand::Rng;
use serde_json::{json, Value};

use crate::common::deliveries::{integrity, post_signed, sha_hex, signing_key};
use crate::common::serve::{export, free_port, start_serve};
use crate::common::{bin, connected, expected_events, exported_events};

/// Deliveries that say what the sandbox holds: each of its invitees with its event, as Calendly
/// would send them, so applying them agrees with a sync. `nonce` makes the bytes distinct.
fn real_deliveries(state: &Value, nonce: u64) -> Vec<String> {
    let events: std::collections::HashMap<&str, &Value> = state["scheduled_events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| (e["uri"].as_str().unwrap_or_default(), e))
        .collect();
    state["invitees"]
        .as_array()
        .expect("invitees")
        .iter()
        .filter_map(|i| {
            let ev = events.get(i["event"].as_str()?)?;
            let mut payload = i.clone();
            payload["scheduled_event"] = (*ev).clone();
            let kind = if i["status"] == "canceled" {
                "invitee.canceled"
            } else {
                "invitee.created"
            };
            // Microseconds of the envelope's time keep retries of one resource distinct.
            let created = format!("2026-11-20T10:00:00.{:06}Z", nonce % 1_000_000);
            Some(json!({"event": kind, "created_at": created, "payload": payload}).to_string())
        })
        .collect()
}

fn sigkill(pid: u32) {
    let status = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

fn assert_acked_present(db: &std::path::Path, acked: &[String], when: &str) {
    let conn = rusqlite::Connection::open(db).expect("open");
    let mut stmt = conn
        .prepare("SELECT 1 FROM webhook_inbox WHERE body_sha256 = ?1")
        .expect("prepare");
    for h in acked {
        assert!(
            stmt.exists([h]).expect("query"),
            "{when}: an acknowledged delivery was lost"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_serve_and_sync_at_random_points_lose_nothing_acknowledged() {
    let started = Instant::now();
    let (sb, env) = connected(SandboxConfig {
        events: 300,
        latency: Duration::from_millis(2),
        rate_limit_per_minute: 100_000,
        ..SandboxConfig::default()
    })
    .await;
    let db = env.dir.path().join("slotline.db");
    let mut rng = rand::rng();
    let mut acked_all: Vec<String> = Vec::new();
    let (mut sync_kills, mut serve_kills) = (0, 0);

    // `slotline sync` killed at random points; the sandbox changes between some of them.
    for round in 0..20 {
        if round % 3 == 1 {
            let b = sb.book(BookingSpec::random()).expect("book");
            if round % 2 == 1 {
                sb.cancel(&b.invitee_uri, false, Some("Power test"))
                    .expect("cancel");
            }
        }
        let mut child = std::process::Command::new(bin())
            .arg("sync")
            .env("SLOTLINE_DATA_DIR", env.dir.path())
            .env("SLOTLINE_CALENDLY_API_URL", sb.base_url())
            .env("SLOTLINE_CALENDLY_AUTH_URL", sb.base_url())
            .env_remove("DISPLAY")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn sync");
        let delay = rng.random_range(5..300);
        std::thread::sleep(Duration::from_millis(delay));
        if child.try_wait().expect("try_wait").is_none() {
            sigkill(child.id());
            sync_kills += 1;
        }
        let _ = child.wait();
        assert_eq!(
            integrity(&db),
            "ok",
            "after sync round {round} ({delay} ms)"
        );
    }

    // `slotline serve` killed during bursts of signed deliveries from several threads.
    let port = free_port().await;
    let url = format!("http://127.0.0.1:{port}/webhooks/calendly");
    for round in 0..10u64 {
        let (mut serve, _lines) = start_serve(&env, port).await;
        let key = signing_key(&env);
        let bodies = Arc::new(real_deliveries(
            &serde_json::to_value(sb.snapshot()).expect("state"),
            round,
        ));
        let acked = Arc::new(Mutex::new(Vec::<String>::new()));
        let mut senders = Vec::new();
        for thread in 0..4usize {
            let (url, key, acked, bodies) =
                (url.clone(), key.clone(), acked.clone(), bodies.clone());
            senders.push(tokio::spawn(async move {
                let http = reqwest::Client::new();
                for body in bodies.iter().skip(thread).step_by(4) {
                    match post_signed(&http, &url, &key, body).await {
                        Some(s) if s.is_success() => {
                            acked.lock().expect("lock").push(sha_hex(body))
                        }
                        Some(_) => tokio::time::sleep(Duration::from_millis(5)).await,
                        None => return,
                    }
                }
            }));
        }
        let delay = rng.random_range(30..500);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        sigkill(serve.id().expect("pid"));
        serve_kills += 1;
        let _ = serve.wait().await;
        for s in senders {
            let _ = s.await;
        }
        let acked = acked.lock().expect("lock").clone();
        assert_eq!(
            integrity(&db),
            "ok",
            "after serve round {round} ({delay} ms)"
        );
        assert_acked_present(&db, &acked, &format!("serve round {round}"));
        acked_all.extend(acked);
    }
    assert!(
        acked_all.len() > 50,
        "the bursts got going ({} acknowledged)",
        acked_all.len()
    );
    assert_acked_present(&db, &acked_all, "at the end");

    // One complete sync: the store equals the sandbox, field for field.
    let out = env.cmd(&["sync"]).output().expect("sync");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(integrity(&db), "ok");
    let want = expected_events(&serde_json::to_value(sb.snapshot()).expect("state"));
    let got = exported_events(&export(&env));
    assert_eq!(got.len(), want.len(), "event count");
    for (g, w) in got.iter().zip(&want) {
        pretty_assertions::assert_eq!(g, w);
    }
    eprintln!(
        "power: {sync_kills} syncs and {serve_kills} serves killed, {} deliveries acknowledged, {:.1} s",
        acked_all.len(),
        started.elapsed().as_secs_f64()
    );
}
