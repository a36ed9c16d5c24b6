//! The adversary: a junk flood at `slotline serve` (a real process over its real database, on
//! loopback as behind a tunnel: every request from one address). Several threads post requests
//! Calendly never sent — a fresh `t`, a signature by no key we hold, bodies from 1 KiB up to the
//! 1 MiB cap, so every one must be read and hashed — while genuine signed deliveries arrive one
//! by one. No genuine delivery is refused and every one is stored; the process's memory grows
//! by a bounded amount however much the flood offers; refusals are logged as summary lines, not
//! one each.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use calendly_sandbox::SandboxConfig;
use rand::Rng;
use slotline::webhook::{ReceiverConfig, PATH};

use crate::common::connected;
use crate::common::deliveries::{
    made_up_delivery, post_signed, sha_hex, signing_key, webhook_post,
};
use crate::common::serve::{free_port, sigterm, start_serve_with};

const MIB: usize = 1024 * 1024;
/// Flooding threads, and requests each keeps in flight.
const THREADS: usize = 6;
const PER_THREAD: usize = 32;
/// Junk body sizes: small ones for rate, large ones (up to the cap) for memory and hashing.
const SIZES: [usize; 6] = [1024, 16 * 1024, 512 * 1024, 768 * 1024, MIB, MIB];
const GENUINE: usize = 30;

/// `VmRSS` and `VmHWM` of `pid`, in bytes.
fn memory(pid: u32) -> (usize, usize) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<usize>().ok())
            .map(|kib| kib * 1024)
            .unwrap_or_else(|| panic!("{name} in {status}"))
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn junk_body(size: usize) -> Vec<u8> {
    let head = br#"{"event":"invitee.created","payload":{"pad":""#;
    let tail = br#""}}"#;
    let mut body = head.to_vec();
    body.resize(size - tail.len(), b'x');
    body.extend_from_slice(tail);
    body
}

/// One flooding thread: its own runtime and client, `PER_THREAD` requests in flight until
/// `stop`; the statuses it got.
fn flood(url: String, bodies: Arc<Vec<Bytes>>, stop: Arc<AtomicBool>) -> BTreeMap<u16, u64> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let http = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(PER_THREAD)
            .build()
            .expect("client");
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..PER_THREAD {
            let (http, url, bodies, stop) =
                (http.clone(), url.clone(), bodies.clone(), stop.clone());
            tasks.spawn(async move {
                let mut seen: BTreeMap<u16, u64> = BTreeMap::new();
                while !stop.load(Ordering::Relaxed) {
                    let (body, v1) = {
                        let mut rng = rand::rng();
                        let body = bodies[rng.random_range(0..bodies.len())].clone();
                        let v1: [u8; 32] = rng.random();
                        (body, hex::encode(v1))
                    };
                    let t = chrono::Utc::now().timestamp();
                    // A forged signature: what the flood's attacker can send.
                    let forged = format!("t={t},v1={v1}");
                    let sent = webhook_post(&http, &url, Some(&forged), body)
                        .timeout(Duration::from_secs(30))
                        .send()
                        .await;
                    let code = match sent {
                        Ok(r) => {
                            let s = r.status().as_u16();
                            let _ = r.bytes().await;
                            s
                        }
                        // Counted apart: not an answer.
                        Err(_) => 0,
                    };
                    *seen.entry(code).or_default() += 1;
                }
                seen
            });
        }
        let mut total = BTreeMap::new();
        while let Some(seen) = tasks.join_next().await {
            for (code, n) in seen.expect("flood task") {
                *total.entry(code).or_default() += n;
            }
        }
        total
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_junk_flood_refuses_no_genuine_delivery_and_holds_bounded_memory() {
    let (_sb, env) = connected(SandboxConfig::default()).await;
    let port = free_port().await;
    let (mut serve, lines) = start_serve_with(&env, port, &[]).await;
    let pid = serve.id().expect("pid");
    let key = signing_key(&env);
    let url = format!("http://127.0.0.1:{port}{PATH}");
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let nonce: u64 = rand::rng().random();

    // Warm up on genuine deliveries, then the baseline.
    let mut genuine = Vec::new();
    for i in 0..3 {
        let body = made_up_delivery(&format!("warm-{nonce}-{i}"));
        assert_eq!(
            post_signed(&http, &url, &key, &body)
                .await
                .map(|s| s.as_u16()),
            Some(202)
        );
        genuine.push(body);
    }
    let (rss_before, hwm_before) = memory(pid);

    let stop = Arc::new(AtomicBool::new(false));
    let bodies = Arc::new(
        SIZES
            .iter()
            .map(|&n| Bytes::from(junk_body(n)))
            .collect::<Vec<_>>(),
    );
    let flooders: Vec<_> = (0..THREADS)
        .map(|_| {
            let (url, bodies, stop) = (url.clone(), bodies.clone(), stop.clone());
            std::thread::spawn(move || flood(url, bodies, stop))
        })
        .collect();
    let peak_rss = Arc::new(Mutex::new(rss_before));
    let sampler = {
        let (peak, stop) = (peak_rss.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let (rss, _) = memory(pid);
                {
                    let mut p = peak.lock().expect("peak");
                    *p = (*p).max(rss);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    // Let the flood fill the receiver, then deliver for real, one at a time.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let flood_started = Instant::now();
    let mut refused = Vec::new();
    let mut slowest = Duration::ZERO;
    for i in 0..GENUINE {
        let body = made_up_delivery(&format!("flood-{nonce}-{i}"));
        let started = Instant::now();
        let status = post_signed(&http, &url, &key, &body)
            .await
            .map(|s| s.as_u16());
        slowest = slowest.max(started.elapsed());
        if status != Some(202) {
            refused.push((i, status));
        }
        genuine.push(body);
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let flood_for = flood_started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let mut junk: BTreeMap<u16, u64> = BTreeMap::new();
    for f in flooders {
        for (code, n) in f.join().expect("flood thread") {
            *junk.entry(code).or_default() += n;
        }
    }
    sampler.await.expect("sampler");
    let (rss_after, hwm_after) = memory(pid);
    let peak_rss = *peak_rss.lock().expect("peak");

    assert!(
        refused.is_empty(),
        "genuine deliveries refused during the flood: {refused:?} (junk answers {junk:?})"
    );
    // Every genuine delivery is stored, byte for byte (by its hash), in the database file.
    let db = env.dir.path().join("slotline.db");
    let conn = rusqlite::Connection::open(&db).expect("open");
    let mut stmt = conn
        .prepare("SELECT 1 FROM webhook_inbox WHERE body_sha256 = ?1")
        .expect("prepare");
    for body in &genuine {
        assert!(
            stmt.exists([sha_hex(body)]).expect("query"),
            "a genuine delivery is missing"
        );
    }
    let stored: i64 = conn
        .query_row("SELECT count(*) FROM webhook_inbox", [], |r| r.get(0))
        .expect("count");
    assert_eq!(
        stored,
        i64::try_from(genuine.len()).expect("small"),
        "no junk stored"
    );

    // The flood was a flood: it was answered many times, never with a 2xx, and it offered far
    // more bytes at once than the receiver may hold.
    let answered: u64 = junk.iter().filter(|(c, _)| **c != 0).map(|(_, n)| n).sum();
    assert!(answered >= 300, "the flood barely ran: {junk:?}");
    assert!(
        junk.keys().all(|c| *c == 0 || (400..600).contains(c)),
        "junk was accepted: {junk:?}"
    );
    let limits = ReceiverConfig::default().inflight;
    let avg_size = SIZES.iter().sum::<usize>() / SIZES.len();
    let offered = THREADS * PER_THREAD * avg_size;
    let held = limits.max_bytes_in_flight();
    assert!(offered > 3 * held, "offered {offered} vs cap {held}");

    // Memory: the peak grew by no more than what the caps let bodies hold, twice over (the body
    // and the transport's buffers), plus 16 MiB for everything else; the flood offered more.
    let grown = hwm_after.saturating_sub(hwm_before);
    let bound = 2 * held + 16 * MIB;
    eprintln!(
        "flood: {answered} junk answers {junk:?} in {flood_for:?}; genuine slowest {slowest:?}; \
         VmRSS {} -> peak {} -> {} MiB, VmHWM {} -> {} MiB (grown {} MiB, bound {} MiB, offered {} MiB)",
        rss_before / MIB,
        peak_rss / MIB,
        rss_after / MIB,
        hwm_before / MIB,
        hwm_after / MIB,
        grown / MIB,
        bound / MIB,
        offered / MIB
    );
    assert!(
        grown <= bound,
        "VmHWM grew by {} MiB (bound {} MiB)",
        grown / MIB,
        bound / MIB
    );

    // Refusals are summarised: the summary lines (one a minute, one at the stop) add up to the
    // refusals the flood saw, and no refusal has a line of its own.
    assert!(sigterm(&mut serve).await.success());
    let mut lines = lines;
    let mut log = Vec::new();
    while let Ok(Some(l)) = tokio::time::timeout(Duration::from_millis(500), lines.recv()).await {
        log.push(l);
    }
    let summaries: Vec<&String> = log
        .iter()
        .filter(|l| l.contains("webhook requests refused since the last summary"))
        .collect();
    let minutes = flood_for.as_secs() / 60 + 3;
    assert!(
        !summaries.is_empty() && summaries.len() as u64 <= minutes,
        "{} summary lines: {log:#?}",
        summaries.len()
    );
    let counted: u64 = summaries
        .iter()
        .filter_map(|l| {
            l.split_whitespace()
                .find_map(|w| w.strip_prefix("refused="))
                .and_then(|n| n.parse::<u64>().ok())
        })
        .sum();
    assert_eq!(counted, answered, "{summaries:#?}");
    assert!(
        !log.iter().any(|l| l.contains("webhook delivery refused")),
        "a line per refusal"
    );
}
