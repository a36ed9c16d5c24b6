//! The webhook receiver over real HTTP on 127.0.0.1:0 with a real SQLite file: signature and
//! header cases, size and type checks, duplicates, storage failure, group commit, shutdown, the
//! processor, and the sandbox's signed deliveries end to end.

use std::sync::Arc;
use std::time::{Duration, Instant};

use calendly_sandbox::{BookingSpec, Sandbox, SandboxConfig};
use chrono::Utc;
use serde_json::{json, Value};
use slotline::clock::{Clock, SystemClock};
use slotline::export::{json_export, Range};
use slotline::store::inbox::{self, InboxState, UnappliedReason};
use slotline::store::{Store, StoreError};
use slotline::webhook::process::ProcessorConfig;
use slotline::webhook::processor;
use slotline::webhook::verify::sign;
use slotline::webhook::{
    process_due, KeyLabel, RateLimit, Receiver, ReceiverConfig, ServerError, PATH,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::common::deliveries::SIG;
use crate::common::receiver::{now_t, signed};

const KEY: &[u8] = b"whsec_slotline_subscription_key";
const APP_KEY: &[u8] = b"slotline_oauth_app_key";

/// A receiver serving on 127.0.0.1:0 over a scratch database.
struct Rx {
    _dir: tempfile::TempDir,
    store: Arc<Store>,
    receiver: Receiver,
    base: String,
    url: String,
    stop: Option<oneshot::Sender<()>>,
    served: Option<JoinHandle<Result<(), ServerError>>>,
    http: reqwest::Client,
}

/// Sends only the request head of a delivery declaring `len` body bytes and returns the status
/// the receiver answers with before any body arrives (a 10 s wait means it waited for the body).
async fn status_for_headers_only(base: &str, len: usize, signature: Option<&str>) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut head = format!(
        "POST {PATH} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n"
    );
    if let Some(s) = signature {
        head.push_str(&format!("{SIG}: {s}\r\n"));
    }
    head.push_str("\r\n");
    tcp.write_all(head.as_bytes()).await.expect("write head");
    let mut buf = vec![0u8; 512];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), tcp.read(&mut buf))
        .await
        .expect("the receiver answered without waiting for the body")
        .expect("read");
    let text = String::from_utf8_lossy(&buf[..n]);
    text.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {text:?}"))
}

async fn start() -> Rx {
    start_with(ReceiverConfig::default()).await
}

async fn start_with(config: ReceiverConfig) -> Rx {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Store::open(&dir.path().join("slotline.db")).expect("open store"));
    let keys = || {
        vec![
            (KeyLabel::Subscription, KEY.to_vec()),
            (KeyLabel::OauthApp, APP_KEY.to_vec()),
        ]
    };
    let receiver = Receiver::new(store.clone(), keys, Arc::new(SystemClock), config);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (stop, stopped) = oneshot::channel::<()>();
    let r = receiver.clone();
    let served = tokio::spawn(async move {
        r.serve(listener, async move {
            let _ = stopped.await;
        })
        .await
    });
    Rx {
        _dir: dir,
        store,
        receiver,
        url: format!("{base}{PATH}"),
        base,
        stop: Some(stop),
        served: Some(served),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .expect("client"),
    }
}

struct Answer {
    status: u16,
    retry_after: Option<String>,
    json: Value,
}

/// What a concurrent sender needs: a client and the receiver's URL.
#[derive(Clone)]
struct Poster {
    http: reqwest::Client,
    url: String,
}

impl Poster {
    async fn post_as(
        &self,
        body: &[u8],
        signature: Option<&str>,
        content_type: Option<&str>,
    ) -> Answer {
        let mut req = self.http.post(&self.url).body(body.to_vec());
        if let Some(ct) = content_type {
            req = req.header("Content-Type", ct);
        }
        if let Some(s) = signature {
            req = req.header(SIG, s);
        }
        answer(req.send().await.expect("request")).await
    }

    /// Signs `body` the way Calendly does, with `t` = now.
    async fn deliver(&self, body: &[u8]) -> Answer {
        self.post_as(body, Some(&signed(KEY, body)), Some("application/json"))
            .await
    }
}

impl Rx {
    fn poster(&self) -> Poster {
        Poster {
            http: self.http.clone(),
            url: self.url.clone(),
        }
    }

    /// POSTs `body` as JSON with `signature` (when given) to the receiver.
    async fn post(&self, body: &[u8], signature: Option<&str>) -> Answer {
        self.post_as(body, signature, Some("application/json"))
            .await
    }

    async fn post_as(
        &self,
        body: &[u8],
        signature: Option<&str>,
        content_type: Option<&str>,
    ) -> Answer {
        self.poster().post_as(body, signature, content_type).await
    }

    async fn deliver(&self, body: &[u8]) -> Answer {
        self.poster().deliver(body).await
    }

    /// `n` deliveries sent at once, each from its own task; their statuses in order.
    async fn deliver_concurrently(&self, ids: std::ops::Range<usize>) -> Vec<u16> {
        let tasks: Vec<_> = ids
            .map(|i| {
                let p = self.poster();
                tokio::spawn(async move { p.deliver(&booking(i)).await.status })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.expect("task"));
        }
        out
    }

    fn rows(&self) -> i64 {
        self.store
            .read(|tx| inbox::state_counts(tx))
            .expect("counts")
            .total()
    }

    async fn stop(mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.served.take() {
            Some(h) => h.await.expect("server task"),
            None => Ok(()),
        }
    }
}

async fn answer(r: reqwest::Response) -> Answer {
    let status = r.status().as_u16();
    let retry_after = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let text = r.text().await.unwrap_or_default();
    Answer {
        status,
        retry_after,
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

// ---------- payloads ----------

const EV: &str = "https://api.calendly.com/scheduled_events/0b6a3d0c-1111-4111-8111-111111111111";

fn scheduled_event(uri: &str, start: &str) -> Value {
    json!({
        "uri": uri, "name": "30 Minute Intro Call", "status": "active",
        "start_time": start, "end_time": "2026-12-01T10:30:00.000000Z",
        "event_type": "https://api.calendly.com/event_types/ET1",
        "location": {"type": "zoom", "join_url": "https://zoom.us/j/123", "status": "pushed"},
        "invitees_counter": {"total": 1, "active": 1, "limit": 1},
        "created_at": "2026-11-01T09:00:00.000000Z", "updated_at": "2026-11-01T09:00:00.000000Z",
        "event_memberships": [{"user": "https://api.calendly.com/users/HOST", "user_email": "maya@example.com", "user_name": "Maya Lindqvist"}],
        "event_guests": [],
    })
}

fn envelope(event: &str, event_uri: &str, start: &str, invitee_id: &str) -> Vec<u8> {
    let ev = scheduled_event(event_uri, start);
    let body = json!({
        "event": event,
        "created_at": "2026-11-01T09:00:00.000000Z",
        "created_by": "https://api.calendly.com/users/HOST",
        "payload": {
            "uri": format!("{event_uri}/invitees/{invitee_id}"),
            "email": "anna.schmidt@example.com", "name": "Anna Schmidt",
            "first_name": null, "last_name": null, "status": "active",
            "timezone": "Europe/Berlin", "event": event_uri,
            "created_at": "2026-11-01T09:00:00.000000Z", "updated_at": "2026-11-01T09:00:00.000000Z",
            "questions_and_answers": [], "tracking": {"utm_source": null},
            "rescheduled": false, "old_invitee": null, "new_invitee": null,
            "cancel_url": "https://calendly.com/cancellations/x",
            "reschedule_url": "https://calendly.com/reschedulings/x",
            "no_show": null, "scheduled_event": ev,
        },
    });
    // Pretty-printed on purpose: the signature is over these exact bytes, whitespace included.
    serde_json::to_vec_pretty(&body).expect("serialize")
}

fn booking(n: usize) -> Vec<u8> {
    envelope(
        "invitee.created",
        EV,
        "2026-12-01T10:00:00.000000Z",
        &format!("INV{n:04}"),
    )
}

// ---------- the receiver ----------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_delivery_is_stored_byte_for_byte_before_the_ack() {
    let rx = start().await;
    let body = booking(1);
    let header = signed(KEY, &body);
    let a = rx.post(&body, Some(&header)).await;
    assert_eq!(a.status, 202, "{}", a.json);
    assert_eq!(a.json, json!({"status": "stored"}));
    // The 2xx came after the commit: a fresh read connection sees the row at once.
    let (entry, stored_body) = rx
        .store
        .read(|tx| {
            let e = inbox::list(tx, None, 10)?;
            let b = inbox::body(tx, e[0].id)?;
            Ok::<_, StoreError>((e, b))
        })
        .expect("read");
    assert_eq!(entry.len(), 1);
    assert_eq!(entry[0].state, InboxState::Pending);
    assert_eq!(entry[0].event_name.as_deref(), Some("invitee.created"));
    assert_eq!(stored_body.as_deref(), Some(body.as_slice()));
    assert!(rx
        .store
        .read(|tx| inbox::last_received_at(tx))
        .expect("last")
        .is_some());
    // The OAuth app's key is a candidate too.
    let other = booking(2);
    assert_eq!(
        rx.post(&other, Some(&signed(APP_KEY, &other))).await.status,
        202
    );
    assert_eq!(rx.rows(), 2);
    rx.stop().await.expect("clean stop");
}

/// Builds a case's signature header from the body it is sent with (`None`: no header).
type HeaderFor<'a> = Box<dyn Fn(&[u8]) -> Option<String> + 'a>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_signature_header_case() {
    let rx = start().await;
    let t = now_t();
    let mut accepted = 0;
    let cases: Vec<(&str, HeaderFor<'_>, u16)> = vec![
        ("missing header", Box::new(|_| None), 400),
        ("empty header", Box::new(|_| Some(String::new())), 400),
        (
            "no t",
            Box::new(|b| Some(format!("v1={}", sign(KEY, t, b)))),
            400,
        ),
        (
            "non-integer t",
            Box::new(|b| Some(format!("t=12.5,v1={}", sign(KEY, t, b)))),
            400,
        ),
        (
            "t is a word",
            Box::new(|b| Some(format!("t=now,v1={}", sign(KEY, t, b)))),
            400,
        ),
        (
            "old t",
            Box::new(|b| Some(format!("t={},v1={}", t - 600, sign(KEY, t - 600, b)))),
            401,
        ),
        (
            "future t",
            Box::new(|b| Some(format!("t={},v1={}", t + 600, sign(KEY, t + 600, b)))),
            401,
        ),
        ("no v1", Box::new(|_| Some(format!("t={t}"))), 400),
        ("empty v1", Box::new(|_| Some(format!("t={t},v1="))), 400),
        (
            "short v1",
            Box::new(|b| Some(format!("t={t},v1={}", &sign(KEY, t, b)[..40]))),
            400,
        ),
        (
            "odd-length v1",
            Box::new(|b| Some(format!("t={t},v1={}", &sign(KEY, t, b)[..63]))),
            400,
        ),
        (
            "non-hex v1",
            Box::new(|b| Some(format!("t={t},v1={}xy", &sign(KEY, t, b)[..62]))),
            400,
        ),
        (
            "two v1, one valid",
            Box::new(|b| {
                Some(format!(
                    "t={t},v1={},v1={}",
                    sign(b"wrong key", t, b),
                    sign(KEY, t, b)
                ))
            }),
            202,
        ),
        (
            "whitespace and unknown keys",
            Box::new(|b| {
                Some(format!(
                    " v0=legacy , t = {t} , x=y ,v1 = {} ",
                    sign(KEY, t, b)
                ))
            }),
            202,
        ),
        (
            "valid v1 of another timestamp",
            Box::new(|b| Some(format!("t={t},v1={}", sign(KEY, t - 1, b)))),
            401,
        ),
    ];
    for (i, (name, header, expected)) in cases.iter().enumerate() {
        let body = booking(100 + i);
        let a = rx.post(&body, header(&body).as_deref()).await;
        assert_eq!(a.status, *expected, "{name}: {}", a.json);
        if *expected < 300 {
            accepted += 1;
        } else {
            assert!(a.json["error"].is_string(), "{name}: a JSON reason");
        }
    }
    // Rejected deliveries store nothing.
    assert_eq!(rx.rows(), accepted);
    assert_eq!(rx.receiver.counters().stored, 2);
    rx.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_body_wrong_key_and_reserialized_json_are_refused() {
    let rx = start().await;
    let body = booking(1);
    let header = signed(KEY, &body);
    let mut tampered = body.clone();
    let at = tampered
        .windows(5)
        .position(|w| w == b"Anna ")
        .expect("name in body");
    tampered[at] = b'E';
    assert_eq!(rx.post(&tampered, Some(&header)).await.status, 401);
    assert_eq!(
        rx.post(&body, Some(&signed(b"not our key", &body)))
            .await
            .status,
        401
    );
    // What sample code copied from the docs does: parse, then serialize again. Same JSON value,
    // different bytes, so the signature over the received bytes no longer matches.
    let value: Value = serde_json::from_slice(&body).expect("json");
    let reserialized = serde_json::to_vec(&value).expect("serialize");
    assert_ne!(reserialized, body);
    assert_eq!(rx.post(&reserialized, Some(&header)).await.status, 401);
    assert_eq!(rx.rows(), 0);
    // The untouched bytes with the same header are fine.
    assert_eq!(rx.post(&body, Some(&header)).await.status, 202);
    assert_eq!(rx.rows(), 1);
    rx.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn size_and_content_type_are_checked_before_the_signature() {
    let rx = start().await;
    // No signature at all: the cheaper checks answer first. An oversize declared length is
    // refused from the headers alone, before a byte of the body is sent (the receiver closes
    // the connection then, so a client still writing a big body may see a broken pipe).
    assert_eq!(
        status_for_headers_only(&rx.base, 1024 * 1024 + 1, None).await,
        413
    );
    let body = booking(1);
    assert_eq!(
        rx.post_as(&body, None, Some("text/plain")).await.status,
        415
    );
    assert_eq!(rx.post_as(&body, None, None).await.status, 415);
    assert_eq!(
        rx.post_as(&body, None, Some("application/x-www-form-urlencoded"))
            .await
            .status,
        415
    );
    // Correctly signed but too big or the wrong type is still refused.
    let mut padded = booking(2);
    padded.extend(std::iter::repeat_n(b' ', 1024 * 1024));
    assert_eq!(
        status_for_headers_only(&rx.base, padded.len(), Some(&signed(KEY, &padded))).await,
        413
    );
    assert_eq!(
        rx.post_as(&body, Some(&signed(KEY, &body)), Some("text/plain"))
            .await
            .status,
        415
    );
    // Exactly at the cap is allowed, and a charset parameter is fine.
    let mut at_cap = booking(3);
    at_cap.resize(1024 * 1024, b' ');
    assert_eq!(
        rx.post(&at_cap, Some(&signed(KEY, &at_cap))).await.status,
        202
    );
    assert_eq!(
        rx.post_as(
            &body,
            Some(&signed(KEY, &body)),
            Some("application/json; charset=utf-8")
        )
        .await
        .status,
        202
    );
    assert_eq!(rx.rows(), 2);
    rx.stop().await.expect("stop");
}

/// Bodies up to 16 KiB are verified on the receiving thread and bigger ones on the blocking pool
/// (`webhook/routes.rs`). On both sides of that line an authentic delivery is stored and one
/// signed over other bytes (its last byte changed) is refused and leaves no row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_either_side_of_the_inline_check_are_verified_alike() {
    let rx = start().await;
    for (n, len) in [(0, 16 * 1024), (1, 16 * 1024 + 1)] {
        let mut body = booking(10 + n as usize);
        body.resize(len, b' ');
        let mut other = body.clone();
        other[len - 1] = b'\n';
        let forged = rx.post(&body, Some(&signed(KEY, &other))).await.status;
        assert_eq!(forged, 401, "{len} bytes");
        assert_eq!(rx.rows(), n, "{len} bytes");
        let authentic = rx.post(&body, Some(&signed(KEY, &body))).await.status;
        assert_eq!(authentic, 202, "{len} bytes");
    }
    assert_eq!(rx.rows(), 2);
    rx.stop().await.expect("stop");
}

/// A chunked body declares no length: the cap is enforced while streaming.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_body_over_the_cap_is_413() {
    let rx = start().await;
    let addr = rx.base.trim_start_matches("http://").to_string();
    let mut conn = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let head = format!(
        "POST {PATH} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n{SIG}: t={},v1={}\r\nTransfer-Encoding: chunked\r\n\r\n",
        now_t(),
        "0".repeat(64)
    );
    conn.write_all(head.as_bytes()).await.expect("head");
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..20 {
        let frame = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
        if conn.write_all(&frame).await.is_err() {
            break; // the server answered and closed early
        }
    }
    let _ = conn.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), conn.read_to_end(&mut response)).await;
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert_eq!(rx.rows(), 0);
    rx.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_methods_are_405_other_paths_404_and_nothing_redirects() {
    let rx = start().await;
    let get = rx.http.get(&rx.url).send().await.expect("get");
    assert_eq!(get.status().as_u16(), 405);
    let put = rx.http.put(&rx.url).body("{}").send().await.expect("put");
    assert_eq!(put.status().as_u16(), 405);
    let delete = rx.http.delete(&rx.url).send().await.expect("delete");
    assert_eq!(delete.status().as_u16(), 405);
    for path in [
        "/",
        "/webhooks",
        "/webhooks/calendly/",
        "/webhooks/calendly/x",
        "/other",
    ] {
        let body = booking(1);
        let r = rx
            .http
            .post(format!("{}{path}", rx.base))
            .header("Content-Type", "application/json")
            .header(SIG, signed(KEY, &body))
            .body(body)
            .send()
            .await
            .expect("post");
        assert_eq!(r.status().as_u16(), 404, "{path}");
    }
    assert_eq!(rx.rows(), 0);
    rx.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_delivery_is_acknowledged_twice_and_stored_once() {
    let rx = start().await;
    let body = booking(1);
    let first = rx.deliver(&body).await;
    assert_eq!(first.status, 202);
    // Calendly's retry: same bytes, signed afresh.
    let t = now_t() + 1;
    let second = rx
        .post(&body, Some(&format!("t={t},v1={}", sign(KEY, t, &body))))
        .await;
    assert_eq!(second.status, 200);
    assert_eq!(second.json, json!({"status": "duplicate"}));
    assert_eq!(rx.rows(), 1);
    let c = rx.receiver.counters();
    assert_eq!((c.stored, c.duplicates), (1, 1));
    rx.stop().await.expect("stop");
}

/// The adversary: one source (the tunnel's one address) sending junk signed with the wrong key.
/// Only its failures are throttled: once its failure budget is spent it gets 429 with
/// `Retry-After`, but genuine deliveries, from the very same address and however many, are
/// stored and never charged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_throttled_but_valid_deliveries_from_the_same_source_pass() {
    let limit = RateLimit {
        per_second: 0.5,
        burst: 3,
    };
    let rx = start_with(ReceiverConfig {
        failure_limit: limit,
        global_failure_limit: limit,
        ..ReceiverConfig::default()
    })
    .await;
    // More genuine deliveries than the burst: none is charged, all are stored.
    let genuine = usize::try_from(limit.burst).expect("small") + 2;
    for i in 0..genuine {
        assert_eq!(rx.deliver(&booking(i)).await.status, 202);
    }
    // The junk spends the burst with its own 401s...
    for i in 0..3 {
        let body = booking(100 + i);
        let wrong = rx.post(&body, Some(&signed(b"not-the-key", &body))).await;
        assert_eq!(wrong.status, 401);
    }
    // ...then is answered 429 with when to come back (a token every 2 s).
    let body = booking(200);
    let limited = rx.post(&body, Some(&signed(b"not-the-key", &body))).await;
    assert_eq!(limited.status, 429);
    let retry: u64 = limited
        .retry_after
        .as_deref()
        .and_then(|s| s.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=2).contains(&retry), "{retry}");
    assert_eq!(rx.post(b"{}", None).await.status, 429, "unsigned junk too");
    // The source is throttled, yet a genuine delivery from it is verified and stored.
    let throttled_but_genuine = rx.deliver(&booking(9_000)).await;
    assert_eq!(throttled_but_genuine.status, 202);
    assert_eq!(rx.rows(), i64::try_from(genuine).expect("small") + 1);
    rx.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storage_failure_is_503_and_nothing_is_half_written() {
    let rx = start().await;
    // A second connection makes every inbox insert fail, as a full disk would.
    let side = rusqlite::Connection::open(rx.store.path()).expect("side connection");
    side.execute_batch(
        "CREATE TRIGGER inbox_full BEFORE INSERT ON webhook_inbox
         BEGIN SELECT RAISE(ABORT, 'database or disk is full (simulated)'); END;",
    )
    .expect("trigger");
    let a = rx.deliver(&booking(0)).await;
    assert_eq!(a.status, 503, "{}", a.json);
    assert_eq!(a.retry_after.as_deref(), Some("5"));
    // Several at once fail together and leave nothing behind either.
    assert!(rx
        .deliver_concurrently(1..4)
        .await
        .iter()
        .all(|s| *s == 503));
    assert_eq!(rx.rows(), 0);
    let bodies: Vec<Vec<u8>> = (0..4).map(booking).collect();
    assert!(rx.receiver.counters().failed_commits >= 1);
    // The disk has room again: Calendly's retry is stored.
    side.execute_batch("DROP TRIGGER inbox_full")
        .expect("drop trigger");
    for b in &bodies {
        assert_eq!(rx.deliver(b).await.status, 202);
    }
    assert_eq!(rx.rows(), 4);
    rx.stop().await.expect("stop");
}

/// Holds the store's writer for `hold`, as a long fsync would.
fn hold_writer(store: &Arc<Store>, hold: Duration) -> JoinHandle<()> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || {
        store
            .with_tx(|_| {
                std::thread::sleep(hold);
                Ok::<_, StoreError>(())
            })
            .expect("held transaction");
    })
}

/// The adversary is a power cut after the 2xx: the writer reads `PRAGMA synchronous` inside each
/// commit's own transaction, on the connection it commits on, and a delivery is acknowledged
/// only when that says FULL (2). Fails if the store's writer connection were NORMAL or OFF.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writer_commits_with_synchronous_full() {
    let rx = start().await;
    assert_eq!(rx.receiver.counters().synchronous, -1, "no commit yet");
    assert_eq!(rx.deliver(&booking(1)).await.status, 202);
    assert_eq!(rx.receiver.counters().synchronous, 2, "synchronous=FULL");
    rx.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deliveries_share_commits() {
    let rx = start().await;
    // Free-running: 50 at once.
    let started = Instant::now();
    assert!(rx
        .deliver_concurrently(0..50)
        .await
        .iter()
        .all(|s| *s == 202));
    let free_elapsed = started.elapsed();
    let free = rx.receiver.counters();
    assert_eq!(rx.rows(), 50);
    assert_eq!(free.stored, 50);
    assert!(free.commits <= 50);
    // While one commit is slow, everything that arrives meanwhile goes into the next one.
    let held = hold_writer(&rx.store, Duration::from_millis(400));
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(rx
        .deliver_concurrently(50..100)
        .await
        .iter()
        .all(|s| *s == 202));
    held.await.expect("held");
    let after = rx.receiver.counters();
    let commits = after.commits - free.commits;
    eprintln!(
        "group commit: 50 free-running deliveries in {} commits ({free_elapsed:?}, largest batch {}); \
         50 behind a slow commit in {commits} commits (largest batch {})",
        free.commits, free.largest_batch, after.largest_batch
    );
    assert_eq!(rx.rows(), 100);
    assert!(commits <= 3, "{commits} commits for 50 queued deliveries");
    rx.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_in_flight_deliveries_before_returning() {
    let mut rx = start().await;
    let held = hold_writer(&rx.store, Duration::from_millis(300));
    tokio::time::sleep(Duration::from_millis(20)).await;
    let tasks: Vec<_> = (0..5)
        .map(|i| {
            let p = rx.poster();
            tokio::spawn(async move { p.deliver(&booking(i)).await.status })
        })
        .collect();
    // Let the requests reach the receiver, then ask it to stop while they wait for the disk.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let _ = rx.stop.take().map(|s| s.send(()));
    let served = rx.served.take().expect("server task");
    for t in tasks {
        assert_eq!(
            t.await.expect("task"),
            202,
            "in-flight delivery answered 2xx"
        );
    }
    served.await.expect("join").expect("clean stop");
    held.await.expect("held");
    assert_eq!(rx.rows(), 5);
    // And it no longer accepts connections.
    let body = booking(9);
    assert!(rx
        .http
        .post(&rx.url)
        .header("Content-Type", "application/json")
        .header(SIG, signed(KEY, &body))
        .body(body)
        .send()
        .await
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_loopback_listener_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Store::open(&dir.path().join("s.db")).expect("open"));
    let receiver = Receiver::new(
        store,
        Vec::<(KeyLabel, Vec<u8>)>::new,
        Arc::new(SystemClock),
        ReceiverConfig::default(),
    );
    let listener = TcpListener::bind("0.0.0.0:0").await.expect("bind");
    let err = receiver
        .serve(listener, std::future::pending())
        .await
        .expect_err("refused");
    assert!(matches!(err, ServerError::NotLoopback(_)), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_configured_key_is_503_so_calendly_retries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Store::open(&dir.path().join("s.db")).expect("open"));
    let receiver = Receiver::new(
        store.clone(),
        Vec::<(KeyLabel, Vec<u8>)>::new,
        Arc::new(SystemClock),
        ReceiverConfig::default(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let url = format!("{base}{PATH}");
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(async move {
        receiver
            .serve(listener, async move {
                let _ = stopped.await;
            })
            .await
    });
    let body = booking(1);
    let r = reqwest::Client::new()
        .post(&url)
        .header("Content-Type", "application/json")
        .header(SIG, signed(KEY, &body))
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 503);
    assert!(r.headers().contains_key("retry-after"));
    // Decided before the body: a delivery announcing 900 kB and sending none of it is answered
    // 503 at once (a receiver reading the body first would wait for it, then time out).
    let started = Instant::now();
    let headers_only = status_for_headers_only(&base, 900_000, Some(&signed(KEY, b"{}"))).await;
    assert_eq!(headers_only, 503);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(inbox_rows(&store), 0, "nothing stored");
    let _ = stop.send(());
    served.await.expect("join").expect("stop");
}

fn inbox_rows(store: &Store) -> i64 {
    store
        .read(|tx| inbox::state_counts(tx))
        .expect("counts")
        .total()
}

// ---------- the processor ----------

fn export(store: &Store) -> Value {
    json_export(store, Range::default()).expect("export")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_processor_applies_a_delivery_and_it_is_exported() {
    let rx = start().await;
    assert_eq!(rx.deliver(&booking(1)).await.status, 202);
    let report = process_due(&rx.store, Utc::now(), &ProcessorConfig::default()).expect("process");
    assert_eq!((report.applied, report.ignored, report.failed), (1, 0, 0));
    assert!(report.changes.events_changed >= 1 && report.changes.invitees_changed >= 1);
    assert!(report.event_uris.contains(EV), "{report:?}");
    let out = export(&rx.store);
    let events = out["events"].as_array().expect("events");
    assert_eq!(events.len(), 1, "{out:#}");
    assert_eq!(events[0]["uri"], EV);
    assert_eq!(
        events[0]["invitees"][0]["email"],
        "anna.schmidt@example.com"
    );
    let counts = rx.store.read(|tx| inbox::state_counts(tx)).expect("counts");
    assert_eq!((counts.pending, counts.applied), (0, 1));
    // A second pass has nothing to do.
    let again = process_due(&rx.store, Utc::now(), &ProcessorConfig::default()).expect("again");
    assert!(again.is_empty());
    rx.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_event_is_kept_unapplied_with_its_reason() {
    let rx = start().await;
    let body = serde_json::to_vec(&json!({
        "event": "meeting_recap.created",
        "created_at": "2026-11-01T09:00:00.000000Z",
        "payload": {"uri": "https://api.calendly.com/meeting_recaps/R1", "summary": "…"},
    }))
    .expect("json");
    assert_eq!(rx.deliver(&body).await.status, 202);
    let report = process_due(&rx.store, Utc::now(), &ProcessorConfig::default()).expect("process");
    assert_eq!((report.applied, report.ignored, report.failed), (0, 1, 0));
    let rows = rx.store.read(|tx| inbox::list(tx, None, 10)).expect("list");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, InboxState::Unapplied);
    assert_eq!(rows[0].reason, Some(UnappliedReason::UnknownEvent));
    assert_eq!(rows[0].event_name.as_deref(), Some("meeting_recap.created"));
    assert!(
        rows[0]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("meeting_recap.created")),
        "{:?}",
        rows[0].error
    );
    assert_eq!(export(&rx.store)["events"], json!([]));
    rx.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_start_time_is_failed_with_its_error_and_retried_with_back_off() {
    let rx = start().await;
    let bad_event =
        "https://api.calendly.com/scheduled_events/BAD00000-0000-4000-8000-000000000000";
    let bad = envelope("invitee.created", bad_event, "next tuesday-ish", "B1");
    assert_eq!(rx.deliver(&bad).await.status, 202);
    // A good delivery after it is not held up by it.
    assert_eq!(rx.deliver(&booking(1)).await.status, 202);
    let config = ProcessorConfig {
        max_attempts: 3,
        retry_base: Duration::from_secs(30),
        ..ProcessorConfig::default()
    };
    let t0 = Utc::now();
    let first = process_due(&rx.store, t0, &config).expect("first pass");
    assert_eq!((first.applied, first.failed), (1, 1));
    // Both rows went through one batch: the failed one left nothing of itself behind, the good
    // one is in the store.
    let uris: Vec<String> = export(&rx.store)["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["uri"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(uris.len(), 1, "{uris:?}");
    assert!(!uris.contains(&bad_event.to_string()), "{uris:?}");
    let failed = rx
        .store
        .read(|tx| inbox::list(tx, Some(InboxState::Failed), 10))
        .expect("failed rows");
    assert_eq!(failed.len(), 1);
    let error = failed[0].error.as_deref().unwrap_or_default();
    assert!(
        error.contains("start_time") && error.contains("next tuesday-ish"),
        "{error}"
    );
    assert_eq!(failed[0].attempts, 1);
    // Within the back-off nothing happens, and the report says when to come back.
    let early = process_due(&rx.store, t0 + chrono::Duration::seconds(10), &config).expect("early");
    assert!(early.is_empty());
    assert_eq!(
        early.next_retry_at.map(|at| at.timestamp()),
        Some(t0.timestamp() + 30)
    );
    // After it, the row is retried (and fails again: attempts 2), then after a doubled wait once
    // more; then its attempts are used up and it stays failed and visible.
    let second =
        process_due(&rx.store, t0 + chrono::Duration::seconds(31), &config).expect("second");
    assert_eq!(second.failed, 1);
    let third =
        process_due(&rx.store, t0 + chrono::Duration::seconds(31 + 61), &config).expect("third");
    assert_eq!(third.failed, 1);
    let done = process_due(&rx.store, t0 + chrono::Duration::days(1), &config).expect("done");
    assert!(done.is_empty() && done.next_retry_at.is_none());
    let row = rx
        .store
        .read(|tx| inbox::get(tx, failed[0].id))
        .expect("get")
        .expect("row kept");
    assert_eq!((row.state, row.attempts), (InboxState::Failed, 3));
    let counts = rx.store.read(|tx| inbox::state_counts(tx)).expect("counts");
    assert_eq!((counts.applied, counts.failed), (1, 1));
    // Nothing of the bad delivery reached the calendar.
    let out = export(&rx.store);
    assert_eq!(out["events"].as_array().map(Vec::len), Some(1));
    rx.stop().await.expect("stop");
}

// ---------- end to end with the sandbox ----------

async fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn invitee<'a>(out: &'a Value, uri: &str) -> Option<&'a Value> {
    out["events"]
        .as_array()?
        .iter()
        .flat_map(|e| e["invitees"].as_array().into_iter().flatten())
        .find(|i| i["uri"] == uri)
}

fn event<'a>(out: &'a Value, uri: &str) -> Option<&'a Value> {
    out["events"].as_array()?.iter().find(|e| e["uri"] == uri)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_deliveries_are_verified_stored_and_applied() {
    let rx = start().await;
    // The sandbox signs with its own clock; anchor it at the real now so `t` is fresh.
    let (sb_stop, sb_stopped) = oneshot::channel::<()>();
    let sb = Sandbox::start(
        SandboxConfig {
            seed: 11,
            now: Utc::now(),
            events: 4,
            personal_access_token: "sbx_pat_webhook_it".into(),
            ..SandboxConfig::default()
        },
        TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind sandbox"),
        async move {
            let _ = sb_stopped.await;
        },
    )
    .await
    .expect("sandbox");
    let created = rx
        .http
        .post(format!("{}/webhook_subscriptions", sb.base_url()))
        .bearer_auth(sb.personal_access_token())
        .json(&json!({
            "url": rx.url,
            "events": ["invitee.created", "invitee.canceled", "invitee_no_show.created", "invitee_no_show.deleted"],
            "organization": sb.organization_uri(),
            "user": sb.user_uri(),
            "scope": "user",
            "signing_key": String::from_utf8_lossy(KEY),
        }))
        .send()
        .await
        .expect("create subscription");
    assert_eq!(created.status().as_u16(), 201);

    // The processor, woken by the receiver's commits, reporting on a channel.
    let (reports_tx, mut reports) = mpsc::unbounded_channel();
    let (proc_stop, proc_stopped) = oneshot::channel::<()>();
    let processor = tokio::spawn(processor::run(
        rx.store.clone(),
        Arc::new(SystemClock) as Arc<dyn Clock>,
        rx.receiver.arrivals(),
        ProcessorConfig::default(),
        reports_tx,
        async move {
            let _ = proc_stopped.await;
        },
    ));

    let one_on_one = || BookingSpec {
        event_type: Some("intro-call".into()),
        ..BookingSpec::default()
    };
    let booked = sb.book(one_on_one()).expect("book");
    wait_for("the booking to be applied", Duration::from_secs(5), || {
        invitee(&export(&rx.store), &booked.invitee_uri).is_some()
    })
    .await;
    let report = reports.recv().await.expect("a report");
    assert!(report.applied >= 1);
    assert!(report.event_uris.contains(&booked.event_uri), "{report:?}");

    // A second booking, canceled by the host.
    let second = sb.book(one_on_one()).expect("book again");
    sb.cancel(&second.invitee_uri, true, Some("Host is ill"))
        .expect("cancel");
    wait_for("the cancellation", Duration::from_secs(5), || {
        invitee(&export(&rx.store), &second.invitee_uri).is_some_and(|i| i["status"] == "canceled")
    })
    .await;

    // The first one is rescheduled (two deliveries), then the new one is a no-show.
    let new_start = Utc::now() + chrono::Duration::days(20);
    let moved = sb
        .reschedule(&booked.invitee_uri, new_start)
        .expect("reschedule");
    sb.mark_no_show(&moved).expect("no-show");
    wait_for(
        "the reschedule and the no-show",
        Duration::from_secs(5),
        || {
            let out = export(&rx.store);
            invitee(&out, &moved).is_some_and(|i| i["no_show"] == true)
                && invitee(&out, &booked.invitee_uri).is_some_and(|i| i["status"] == "canceled")
        },
    )
    .await;

    let out = export(&rx.store);
    let old = invitee(&out, &booked.invitee_uri).expect("old invitee");
    assert_eq!(old["rescheduled"], true);
    assert_eq!(old["rescheduled_to"], json!(moved));
    let new = invitee(&out, &moved).expect("new invitee");
    assert_eq!(new["rescheduled_from"], json!(booked.invitee_uri));
    assert_eq!(
        event(&out, &second.event_uri).map(|e| e["status"].clone()),
        Some(json!("canceled"))
    );
    assert_eq!(
        invitee(&out, &second.invitee_uri).map(|i| i["cancellation"]["reason"].clone()),
        Some(json!("Host is ill"))
    );

    // Six deliveries (created, created, canceled, canceled + created, no-show), each stored once
    // and applied, and every attempt acknowledged with a 2xx.
    let counts = rx.store.read(|tx| inbox::state_counts(tx)).expect("counts");
    assert_eq!(counts.total(), 6, "{counts:?}");
    assert_eq!(counts.applied, 6, "{counts:?}");
    let deliveries = sb.deliveries();
    assert_eq!(deliveries.len(), 6);
    assert!(
        deliveries
            .iter()
            .all(|d| d.status.is_some_and(|s| (200..300).contains(&s))),
        "{deliveries:?}"
    );

    let _ = proc_stop.send(());
    processor.await.expect("processor stops");
    let _ = sb_stop.send(());
    rx.stop().await.expect("stop");
}
