//! Webhook ingest in the shipped configuration: signed deliveries over HTTP on loopback at
//! concurrency 1 and 32 to a real `slotline serve` process (the binary named by
//! `SLOTLINE_BENCH_BIN`: `make bench` passes the release build it packages), with the receiver's
//! limits as shipped and its inbox processor applying deliveries during the run. Time is from
//! sending a delivery to its 2xx, which serve sends only after the delivery is committed.
//!
//! Beside it, measured in the same run with the same load: a no-op axum handler, and one
//! `synchronous=FULL` commit per delivery (Slotline's own store and inbox insert, without group
//! commit); and the filesystem the stores are on, with the time of one bare `fsync`.
//! `make bench` builds this file with the release profile (`cargo bench --profile release`), so
//! the baselines are compiled as the app is.
//!
//! Counts are exact: every delivery is distinct, and after each run the stored rows whose body
//! hash is one of that run's acknowledged deliveries must number exactly the acknowledged ones
//! (warm-up deliveries are never counted). Prints a Markdown section for BENCHMARKS.md and, when
//! `SLOTLINE_BENCH_SUMMARY` names a file, appends the summary rows to it.

#[path = "summary.rs"]
mod summary;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::post;
use axum::Router;
use sha2::{Digest, Sha256};
use slotline::clock::{Clock, SystemClock};
use slotline::store::{inbox, Store};
use slotline::webhook::{verify, KeyLabel};

/// The baselines' own key (serve's is the one its subscription was created with).
const KEY: &[u8] = b"bench-signing-key-0123456789abcdef";
const RUNS: usize = 3;
const WARM_UP: usize = 50;
/// (concurrency, deliveries): each run lasts well over the processor's longest lag (250 ms), so
/// the inbox processor applies deliveries while the load runs, as in a real flood.
const LOADS: [(usize, usize); 2] = [(1, 1000), (32, 10_000)];
// Issue 16's targets at concurrency 32.
const TARGET_PER_S: f64 = 5000.0;
const TARGET_P99_MS: f64 = 10.0;
const TARGET_RATIO: f64 = 3.0;

struct Sample {
    throughput: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// The SHA-256 of every acknowledged body.
    acked: Vec<String>,
}

fn body(tag: &str) -> String {
    let ev = format!("https://api.calendly.com/scheduled_events/bench-{tag}");
    serde_json::json!({
        "event": "invitee.created",
        "created_at": "2026-11-20T10:00:00.000000Z",
        "payload": {"uri": format!("{ev}/invitees/i"), "email": format!("p-{tag}@example.com"),
            "name": "Bench Person", "status": "active", "event": ev,
            "created_at": "2026-11-20T10:00:00.000000Z", "updated_at": "2026-11-20T10:00:00.000000Z",
            "questions_and_answers": [{"question": "What should we cover?", "answer": "A realistic answer of a realistic length, about one line."}],
            "scheduled_event": {"uri": ev, "name": "30 Minute Intro Call", "status": "active",
                "start_time": "2026-12-01T10:00:00.000000Z", "end_time": "2026-12-01T10:30:00.000000Z",
                "updated_at": "2026-11-20T10:00:00.000000Z"}}
    })
    .to_string()
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// Sends `total` distinct deliveries tagged `tag`, signed with `key`, `concurrency` in flight.
async fn load(url: &str, key: &[u8], tag: &str, total: usize, concurrency: usize) -> Sample {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .expect("client");
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (http, url, next, key, tag) = (
            http.clone(),
            url.to_string(),
            next.clone(),
            key.to_vec(),
            tag.to_string(),
        );
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if n >= total {
                    return out;
                }
                let b = body(&format!("{tag}-{n}"));
                let hash = sha256_hex(b.as_bytes());
                let t = chrono::Utc::now().timestamp();
                let sig = verify::sign(&key, t, b.as_bytes());
                let sent = Instant::now();
                let r = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("Calendly-Webhook-Signature", format!("t={t},v1={sig}"))
                    .body(b)
                    .send()
                    .await
                    .expect("send");
                let status = r.status();
                let _ = r.bytes().await;
                assert!(status.is_success(), "an authentic delivery got {status}");
                out.push((sent.elapsed(), hash));
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("join"));
    }
    let wall = started.elapsed();
    let mut lat: Vec<Duration> = all.iter().map(|x| x.0).collect();
    lat.sort();
    let pct =
        |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)].as_secs_f64() * 1000.0;
    Sample {
        throughput: total as f64 / wall.as_secs_f64(),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        acked: all.into_iter().map(|x| x.1).collect(),
    }
}

/// How many of `hashes` the store at `db` holds, and how many of those are applied.
fn stored(db: &Path, hashes: &[String]) -> (usize, usize) {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open the store read-only");
    c.busy_timeout(Duration::from_secs(10)).expect("timeout");
    let mut q = c
        .prepare("SELECT state FROM webhook_inbox WHERE body_sha256 = ?1")
        .expect("prepare");
    let (mut rows, mut applied) = (0, 0);
    for h in hashes {
        if let Some(state) = q
            .query_row([h], |r| r.get::<_, String>(0))
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .expect("query")
        {
            rows += 1;
            applied += usize::from(state == "applied");
        }
    }
    (rows, applied)
}

/// Rows of the store at `db` the inbox processor has not applied yet.
fn not_applied(db: &Path) -> i64 {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open the store read-only");
    c.busy_timeout(Duration::from_secs(10)).expect("timeout");
    c.query_row(
        "SELECT count(*) FROM webhook_inbox WHERE state <> 'applied'",
        [],
        |r| r.get(0),
    )
    .expect("count")
}

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

async fn serve_router(router: Router) -> (String, tokio::sync::oneshot::Sender<()>) {
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

/// One FULL commit per delivery: Slotline's store and inbox insert, no group commit.
fn per_delivery_router(store: Arc<Store>) -> Router {
    Router::new().route(
        "/webhooks/calendly",
        post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let st = store.clone();
                async move {
                    let sig = headers
                        .get("calendly-webhook-signature")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string();
                    let now = SystemClock.now();
                    if verify::verify(&sig, &body, &[(KeyLabel::Subscription, KEY)], now).is_err() {
                        return axum::http::StatusCode::UNAUTHORIZED;
                    }
                    let stamp = slotline::clock::format_utc(now);
                    let hash = sha256_hex(&body);
                    let ok = tokio::task::spawn_blocking(move || {
                        st.with_tx(|tx| {
                            inbox::insert(tx, &body, &hash, &sig, Some("invitee.created"), &stamp)
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
    )
}

/// The offline sandbox as its own process, which serve connects to and subscribes at.
struct Sandbox {
    child: Child,
    api: String,
    token: String,
}

fn bin() -> PathBuf {
    PathBuf::from(std::env::var_os("SLOTLINE_BENCH_BIN").expect(
        "SLOTLINE_BENCH_BIN: the slotline binary to measure (make bench passes the release build)",
    ))
}

fn start_sandbox() -> Sandbox {
    let token = format!("bench-{}", rand::random::<u64>());
    let mut child = Command::new(bin())
        .args(["sandbox", "--events", "5", "--token", &token])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the sandbox");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let api = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("API URL: ").map(str::to_string))
        .expect("the sandbox prints its API URL");
    // Keep reading what it prints later: a closed pipe would make its next line fail.
    std::thread::spawn(move || lines.for_each(drop));
    Sandbox { child, api, token }
}

/// A fresh data folder connected to the sandbox, and `slotline serve` on it, ready.
struct Serve {
    child: Child,
    dir: tempfile::TempDir,
    url: String,
    key: Vec<u8>,
}

fn start_serve(sb: &Sandbox) -> Serve {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = |c: &mut Command| {
        c.env("SLOTLINE_DATA_DIR", dir.path())
            .env("SLOTLINE_CALENDLY_API_URL", &sb.api)
            .env("SLOTLINE_CALENDLY_AUTH_URL", &sb.api)
            .env_remove("DISPLAY")
            .env_remove("SLOTLINE_LOG");
    };
    let mut connect = Command::new(bin());
    connect
        .args(["connect", "--token-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null());
    env(&mut connect);
    let mut c = connect.spawn().expect("connect");
    writeln!(c.stdin.take().expect("stdin"), "{}", sb.token).expect("token");
    assert!(c.wait().expect("connect").success(), "connect failed");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let mut cmd = Command::new(bin());
    cmd.args([
        "serve",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--public-url",
        &format!("http://127.0.0.1:{port}"),
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    env(&mut cmd);
    let mut child = cmd.spawn().expect("spawn serve");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut seen = Vec::new();
    loop {
        match lines.next() {
            Some(Ok(l)) => {
                let ready = l.contains("serve: ready");
                seen.push(l);
                if ready {
                    break;
                }
            }
            _ => panic!("serve ended before it was ready: {seen:?}"),
        }
    }
    // Keep draining its log so serve never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    let profile = slotline::config::Config::with_data_dir(dir.path()).profile();
    let (service, user) = slotline::secrets::keyring_attributes(
        &profile,
        slotline::secrets::SecretKind::WebhookSigningKey,
    );
    let out = Command::new("secret-tool")
        .args(["lookup", "service", &service, "username", &user])
        .output()
        .expect("secret-tool (package libsecret-tools)");
    let key = String::from_utf8_lossy(&out.stdout)
        .trim()
        .as_bytes()
        .to_vec();
    assert!(
        !key.is_empty(),
        "serve stored its subscription's signing key"
    );
    Serve {
        child,
        dir,
        url: format!("http://127.0.0.1:{port}/webhooks/calendly"),
        key,
    }
}

fn stop(child: &mut Child) {
    // SIGTERM: serve drains and exits.
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// A subject ready for the load: its URL, its key, its store (none for the no-op handler), and
/// how to stop it.
type Subjected = (String, Vec<u8>, Option<PathBuf>, Box<dyn FnOnce()>);

#[derive(Clone, Copy, PartialEq)]
enum Subject {
    NoOp,
    PerDelivery,
    Slotline,
}

struct Measured {
    samples: Vec<Sample>,
    /// Of the last run: deliveries the inbox processor had applied when the load ended, of how
    /// many, and how long after the load's end it had applied them all (None: not in 30 s).
    applied: Option<(usize, usize, Option<Duration>)>,
}

async fn measure(sb: &Sandbox, subject: Subject, concurrency: usize, total: usize) -> Measured {
    let mut samples = Vec::new();
    let mut applied = None;
    for run in 0..RUNS {
        let tag = format!("c{concurrency}-r{run}-{}", rand::random::<u32>());
        let dir = tempfile::tempdir().expect("tempdir");
        let (url, key, db, stopper): Subjected = match subject {
            Subject::NoOp => {
                let (url, tx) = serve_router(
                    Router::new().route("/webhooks/calendly", post(|| async { "ok" })),
                )
                .await;
                (
                    url,
                    KEY.to_vec(),
                    None,
                    Box::new(move || {
                        let _ = tx.send(());
                    }),
                )
            }
            Subject::PerDelivery => {
                let db = dir.path().join("bench.db");
                let store = Arc::new(Store::open(&db).expect("store"));
                let (url, tx) = serve_router(per_delivery_router(store)).await;
                (
                    url,
                    KEY.to_vec(),
                    Some(db),
                    Box::new(move || {
                        let _ = tx.send(());
                    }),
                )
            }
            Subject::Slotline => {
                let mut s = start_serve(sb);
                // Let the start-up sync with the sandbox finish before the warm-up.
                tokio::time::sleep(Duration::from_secs(2)).await;
                let db = s.dir.path().join("slotline.db");
                let (url, key) = (s.url.clone(), s.key.clone());
                (
                    url,
                    key,
                    Some(db),
                    Box::new(move || {
                        stop(&mut s.child);
                        drop(s.dir);
                    }),
                )
            }
        };
        // Warm up the connections (never counted), then measure.
        let _ = load(&url, &key, &format!("warm-{tag}"), WARM_UP, concurrency).await;
        let s = load(&url, &key, &tag, total, concurrency).await;
        let ended = std::time::Instant::now();
        if let Some(db) = &db {
            let (rows, done) = stored(db, &s.acked);
            assert_eq!(s.acked.len(), total, "every delivery was acknowledged");
            assert_eq!(
                rows, total,
                "every acknowledged delivery of the run is stored, exactly once"
            );
            if subject == Subject::Slotline {
                // How long the processor takes to apply the rest of the burst: polled with one
                // count (every row of this store is the run's or its warm-up's, applied first),
                // not a lookup per delivery that would compete with the processor.
                let mut all_at = None;
                while ended.elapsed() < Duration::from_secs(30) {
                    if not_applied(db) == 0 {
                        all_at = Some(ended.elapsed());
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                applied = Some((done, total, all_at));
            }
        }
        stopper();
        samples.push(s);
    }
    Measured { samples, applied }
}

/// The filesystem `dir` is on (`stat -f`), and the median ms of one bare `fsync` of a small
/// append there, over 200.
fn fsync_baseline(dir: &Path) -> (String, f64) {
    let fs = Command::new("stat")
        .args(["-f", "-c", "%T"])
        .arg(dir)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|_| "unknown".into());
    let path = dir.join("fsync-probe");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .expect("probe file");
    let mut ms = Vec::new();
    for _ in 0..200 {
        f.write_all(&[0u8; 512]).expect("write");
        let t = Instant::now();
        f.sync_all().expect("fsync");
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    (fs, median(ms).0)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let probe_dir = tempfile::tempdir().expect("tempdir");
    let (fs, fsync_ms) = fsync_baseline(probe_dir.path());
    let mut sb = start_sandbox();
    let mut rows = Vec::new();
    let mut applied_note = String::new();
    for (concurrency, total) in LOADS {
        for (name, subject) in [
            ("no-op axum handler (baseline)", Subject::NoOp),
            (
                "one FULL commit per delivery (baseline)",
                Subject::PerDelivery,
            ),
            (
                "Slotline: `slotline serve`, release build, limits as shipped, inbox processor on",
                Subject::Slotline,
            ),
        ] {
            let m = measure(&sb, subject, concurrency, total).await;
            if let Some((done, of, all_at)) = m.applied {
                let all = match all_at {
                    Some(t) => format!("all {of} {:.0} ms after it", t.as_secs_f64() * 1000.0),
                    None => "not all of them 30 s after it".to_string(),
                };
                applied_note.push_str(&format!(
                    " At concurrency {concurrency} the inbox processor had applied {done} of the last run's {of} deliveries when its load ended, and {all}.",
                ));
            }
            let s = &m.samples;
            rows.push((
                concurrency,
                name,
                median(s.iter().map(|x| x.throughput).collect()),
                median(s.iter().map(|x| x.p50_ms).collect()).0,
                median(s.iter().map(|x| x.p99_ms).collect()),
            ));
        }
    }
    stop(&mut sb.child);

    println!("## Webhook ingest (the shipped `slotline serve`, signed deliveries over HTTP on loopback, time to durable 2xx)\n");
    println!(
        "Medians of {RUNS} runs (min–max in brackets); each run {WARM_UP} warm-up deliveries (never counted), then 1,000 deliveries at concurrency 1 or 10,000 at 32, \
         each a distinct ~800-byte signed `invitee.created`. Slotline is the release binary `make bundle` packages, started as `slotline serve` on a fresh data folder \
         connected to the offline sandbox (its own process), with its receiver's limits as shipped and its inbox processor applying deliveries during the run; \
         its 2xx comes after the delivery is committed with `synchronous=FULL`. The baselines run in the bench process, built with the same release profile: a no-op \
         axum handler, and one FULL commit per delivery through Slotline's own store and inbox insert (no group commit), each on a fresh SQLite file. \
         After every run the store must hold exactly the run's acknowledged deliveries (by body hash), or the bench fails.{applied_note}\n"
    );
    println!(
        "Stores on a `{fs}` filesystem; one bare `fsync` of a small append there: {fsync_ms:.2} ms (median of 200), so one commit per delivery can reach about {:.0}/s at concurrency 1.\n",
        1000.0 / fsync_ms
    );
    println!("| concurrency | subject | deliveries/s | p50 ms | p99 ms |");
    println!("| ---: | --- | ---: | ---: | ---: |");
    for (c, name, (thr, lo, hi), p50, (p99, p99lo, p99hi)) in &rows {
        println!("| {c} | {name} | {thr:.0} ({lo:.0}–{hi:.0}) | {p50:.2} | {p99:.2} ({p99lo:.2}–{p99hi:.2}) |");
    }
    let row = |c: usize, n: &str| {
        rows.iter()
            .find(|r| r.0 == c && r.1.starts_with(n))
            .expect("row")
    };
    let (slot, base) = (row(32, "Slotline"), row(32, "one FULL"));
    let ratio = slot.2 .0 / base.2 .0;
    println!("\nAt concurrency 32 Slotline acknowledges {:.0} durable deliveries/s (target ≥ {TARGET_PER_S:.0}), p99 {:.2} ms (target < {TARGET_P99_MS:.0}), {ratio:.1}× the one-commit-per-delivery baseline (target ≥ {TARGET_RATIO:.0}×).", slot.2 .0, slot.4 .0);
    let terms = "release `slotline serve`, limits as shipped, processor on";
    summary::row(
        20,
        "ingest ≥ 5,000 durable acknowledged deliveries/s at concurrency 32, shipped configuration",
        &format!("{:.0}/s ({terms})", slot.2 .0),
        &format!("one commit per delivery: {:.0}/s; no-op handler: {:.0}/s; one fsync on {fs}: {fsync_ms:.2} ms", base.2 .0, row(32, "no-op").2 .0),
        slot.2 .0 >= TARGET_PER_S,
    );
    summary::row(
        21,
        "ingest p99 < 10 ms at concurrency 32, shipped configuration",
        &format!("{:.2} ms", slot.4 .0),
        &format!("one commit per delivery: {:.2} ms", base.4 .0),
        slot.4 .0 < TARGET_P99_MS,
    );
    summary::row(
        22,
        "ingest ≥ 3× the one-commit-per-delivery baseline at concurrency 32",
        &format!("{ratio:.1}×"),
        &format!("{:.0}/s", base.2 .0),
        ratio >= TARGET_RATIO,
    );
}
