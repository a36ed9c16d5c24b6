//! Webhook ingest benchmark: signed deliveries over HTTP on loopback at concurrency 1 and 32,
//! time to a durable 2xx, beside two baselines measured in the same process — a no-op axum
//! handler, and one `synchronous=FULL` commit per delivery without group commit. Prints a
//! Markdown section for BENCHMARKS.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::post;
use axum::Router;
use slotline::clock::{Clock, SystemClock};
use slotline::store::{inbox, Store};
use slotline::webhook::{verify, KeyLabel, Receiver, ReceiverConfig};

const KEY: &[u8] = b"bench-signing-key-0123456789abcdef";
const RUNS: usize = 3;

struct Sample {
    throughput: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn body(n: usize) -> String {
    let ev = format!("https://api.calendly.com/scheduled_events/bench-{n}");
    serde_json::json!({
        "event": "invitee.created",
        "created_at": "2026-11-20T10:00:00.000000Z",
        "payload": {"uri": format!("{ev}/invitees/i"), "email": format!("p{n}@example.com"),
            "name": "Bench Person", "status": "active", "event": ev,
            "questions_and_answers": [{"question": "What should we cover?", "answer": "A realistic answer of a realistic length, about one line."}],
            "scheduled_event": {"uri": ev, "name": "30 Minute Intro Call", "status": "active",
                "start_time": "2026-12-01T10:00:00.000000Z", "end_time": "2026-12-01T10:30:00.000000Z"}}
    })
    .to_string()
}

/// Sends `total` distinct signed deliveries with `concurrency` in flight; returns the sample.
async fn load(url: &str, total: usize, concurrency: usize, offset: usize) -> Sample {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .expect("client");
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (http, url, next) = (http.clone(), url.to_string(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if n >= total {
                    return lat;
                }
                let b = body(offset + n);
                let t = chrono::Utc::now().timestamp();
                let sig = verify::sign(KEY, t, b.as_bytes());
                let sent = Instant::now();
                let r = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("Calendly-Webhook-Signature", format!("t={t},v1={sig}"))
                    .body(b)
                    .send()
                    .await
                    .expect("send");
                assert!(r.status().is_success(), "status {}", r.status());
                lat.push(sent.elapsed());
            }
        }));
    }
    let mut all: Vec<Duration> = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("join"));
    }
    let wall = started.elapsed();
    all.sort();
    let pct =
        |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)].as_secs_f64() * 1000.0;
    Sample {
        throughput: total as f64 / wall.as_secs_f64(),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
    }
}

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

async fn serve(router: Router) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    (format!("http://{addr}/webhooks/calendly"), tx)
}

#[derive(Clone, Copy)]
enum Subject {
    NoOp,
    PerDeliveryFsync,
    Receiver,
}

async fn measure(subject: Subject, concurrency: usize, total: usize) -> Vec<Sample> {
    let mut samples = Vec::new();
    for run in 0..RUNS {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(Store::open(&dir.path().join("bench.db")).expect("store"));
        let (url, stop) = match subject {
            Subject::NoOp => {
                serve(Router::new().route("/webhooks/calendly", post(|| async { "ok" }))).await
            }
            Subject::PerDeliveryFsync => {
                let st = store.clone();
                let router = Router::new().route(
                    "/webhooks/calendly",
                    post(
                        move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                            let st = st.clone();
                            async move {
                                let sig = headers
                                    .get("calendly-webhook-signature")
                                    .and_then(|v| v.to_str().ok())
                                    .unwrap_or_default()
                                    .to_string();
                                let now = SystemClock.now();
                                if verify::verify(
                                    &sig,
                                    &body,
                                    &[(KeyLabel::Subscription, KEY)],
                                    now,
                                )
                                .is_err()
                                {
                                    return axum::http::StatusCode::UNAUTHORIZED;
                                }
                                let stamp = slotline::clock::format_utc(now);
                                let hash =
                                    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&body));
                                let ok = tokio::task::spawn_blocking(move || {
                                    st.with_tx(|tx| {
                                        inbox::insert(
                                            tx,
                                            &body,
                                            &hash,
                                            &sig,
                                            Some("invitee.created"),
                                            &stamp,
                                        )
                                    })
                                })
                                .await;
                                match ok {
                                    Ok(Ok(_)) => axum::http::StatusCode::ACCEPTED,
                                    _ => axum::http::StatusCode::SERVICE_UNAVAILABLE,
                                }
                            }
                        },
                    ),
                );
                serve(router).await
            }
            Subject::Receiver => {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                let addr = listener.local_addr().expect("addr");
                // Genuine deliveries are never throttled: the defaults, as shipped.
                let config = ReceiverConfig::default();
                let clock: Arc<dyn Clock> = Arc::new(SystemClock);
                let receiver = Receiver::new(
                    store.clone(),
                    || vec![(KeyLabel::Subscription, KEY.to_vec())],
                    clock,
                    config,
                );
                let (tx, rx) = tokio::sync::oneshot::channel::<()>();
                tokio::spawn(async move {
                    let _ = receiver
                        .serve(listener, async {
                            let _ = rx.await;
                        })
                        .await;
                });
                (format!("http://{addr}/webhooks/calendly"), tx)
            }
        };
        // Warm up the connections, then measure.
        let _ = load(&url, 50, concurrency, 10_000_000 + run * 100_000).await;
        samples.push(load(&url, total, concurrency, run * 100_000).await);
        let _ = stop.send(());
        if !matches!(subject, Subject::NoOp) {
            let stored = store
                .read(|tx| inbox::state_counts(tx))
                .expect("counts")
                .total();
            assert!(
                stored as usize >= total,
                "every acknowledged delivery is stored"
            );
        }
    }
    samples
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let mut rows = Vec::new();
    for (concurrency, total) in [(1usize, 300usize), (32, 3000)] {
        for (name, subject) in [
            ("no-op axum handler (baseline)", Subject::NoOp),
            (
                "one FULL commit per delivery (baseline)",
                Subject::PerDeliveryFsync,
            ),
            ("Slotline receiver (group commit)", Subject::Receiver),
        ] {
            let s = measure(subject, concurrency, total).await;
            let (thr, thr_lo, thr_hi) = median(s.iter().map(|x| x.throughput).collect());
            let (p50, _, _) = median(s.iter().map(|x| x.p50_ms).collect());
            let (p99, p99_lo, p99_hi) = median(s.iter().map(|x| x.p99_ms).collect());
            rows.push((
                concurrency,
                name,
                thr,
                thr_lo,
                thr_hi,
                p50,
                p99,
                p99_lo,
                p99_hi,
            ));
        }
    }
    println!("## Webhook ingest (signed deliveries over HTTP on loopback, time to durable 2xx)\n");
    println!("Medians of {RUNS} runs (min–max in brackets); 300 deliveries at concurrency 1, 3,000 at 32, each a distinct ~700-byte signed body; the store is a fresh SQLite file with `synchronous=FULL`.\n");
    println!("| concurrency | subject | deliveries/s | p50 ms | p99 ms |");
    println!("| ---: | --- | ---: | ---: | ---: |");
    for (c, name, thr, lo, hi, p50, p99, p99lo, p99hi) in &rows {
        println!("| {c} | {name} | {thr:.0} ({lo:.0}–{hi:.0}) | {p50:.2} | {p99:.2} ({p99lo:.2}–{p99hi:.2}) |");
    }
    let at = |c: usize, n: &str| {
        rows.iter()
            .find(|r| r.0 == c && r.1.starts_with(n))
            .map(|r| r.2)
            .unwrap_or(f64::NAN)
    };
    let ratio = at(32, "Slotline") / at(32, "one FULL");
    println!("\nAt concurrency 32 the receiver acknowledges {:.1}× the deliveries per second of the one-commit-per-delivery baseline (target: ≥ 3,000/s, about 10×, p99 < 20 ms).", ratio);
}
