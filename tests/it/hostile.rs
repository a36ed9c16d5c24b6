//! A catalogue of bad input at the HTTP edge, sent over raw TCP to a real receiver on
//! 127.0.0.1:0 with a real SQLite file: for every case the expected status (never a 5xx, 3xx or
//! 410), no inbox row in the database file, and a receiver that still answers. After the whole
//! catalogue a valid signed delivery is still stored. Bodies that are correctly signed but
//! unreadable are the other side: authentic, so stored and acknowledged, and kept unapplied.

use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use slotline::feed;
use slotline::webhook::process::{process_due, ProcessorConfig};
use slotline::webhook::verify::sign;
use slotline::webhook::{ReceiverConfig, PATH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::receiver::{
    delivery, delivery_json, now_t, signed, Rx, BODY_TIMEOUT, IDLE_TIMEOUT, KEY, REQUEST_TIMEOUT,
    SIG, UNLIMITED,
};

/// How long a case may take to be answered (the slow cases take about BODY_TIMEOUT).
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

/// The valid delivery with one field replaced (a JSON pointer into the document).
fn with(pointer: &str, value: Value) -> Vec<u8> {
    let mut doc = delivery_json("HOSTILE");
    *doc.pointer_mut(pointer).expect("pointer") = value;
    serde_json::to_vec(&doc).expect("serialize")
}

/// An HTTP/1.x request written byte for byte, so malformed ones can be expressed too.
#[derive(Clone)]
struct Req {
    method: &'static str,
    path: String,
    version: &'static str,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    /// Add `Content-Length: body.len()` (unless one was given).
    length: bool,
}

impl Req {
    fn new(method: &'static str, path: &str, body: Vec<u8>) -> Self {
        Self {
            method,
            path: path.to_string(),
            version: "HTTP/1.1",
            headers: vec![
                ("Host".into(), b"127.0.0.1".to_vec()),
                ("Connection".into(), b"close".to_vec()),
            ],
            body,
            length: true,
        }
    }

    /// An unsigned POST of `body` as JSON to the receiver.
    fn post(body: Vec<u8>) -> Self {
        Self::new("POST", PATH, body).header("Content-Type", "application/json")
    }

    /// A POST of `body`, correctly signed with the receiver's key.
    fn signed(body: Vec<u8>) -> Self {
        let header = signed(KEY, &body);
        Self::post(body).header(SIG, header)
    }

    fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.headers
            .push((name.to_string(), value.as_ref().to_vec()));
        self
    }

    fn without(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    fn version(mut self, version: &'static str) -> Self {
        self.version = version;
        self
    }

    fn no_length(mut self) -> Self {
        self.length = false;
        self
    }

    fn head(&self) -> Vec<u8> {
        let mut out = format!("{} {} {}\r\n", self.method, self.path, self.version).into_bytes();
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        let declared = self
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-length"));
        if self.length && !declared {
            out.extend_from_slice(format!("Content-Length: {}\r\n", self.body.len()).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out
    }

    fn bytes(&self) -> Vec<u8> {
        let mut out = self.head();
        out.extend_from_slice(&self.body);
        out
    }
}

/// How a case's bytes go out.
enum Send {
    /// Everything at once.
    All(Vec<u8>),
    /// The head, then the body one byte every `every`, never finishing within the body timeout.
    Trickle { head: Vec<u8>, every: Duration },
    /// The head only, then the connection stays open and silent.
    Stall(Vec<u8>),
    /// The head itself one byte every `every` (slowloris on the headers).
    TrickleHead { head: Vec<u8>, every: Duration },
}

/// What came back on the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Status(u16),
    /// The server closed the connection without an answer.
    Closed,
    /// Nothing at all within ANSWER_WITHIN: the server is stuck on this connection.
    NoAnswer,
}

struct Case {
    name: &'static str,
    send: Send,
    expect: Outcome,
}

fn case(name: &'static str, req: Req, expect: u16) -> Case {
    Case {
        name,
        send: Send::All(req.bytes()),
        expect: Outcome::Status(expect),
    }
}

fn raw(name: &'static str, bytes: impl Into<Vec<u8>>, expect: u16) -> Case {
    Case {
        name,
        send: Send::All(bytes.into()),
        expect: Outcome::Status(expect),
    }
}

/// Sends a case over a fresh connection and says what came back. Writes and reads run side by
/// side, so an early answer to a request the server stopped reading is still seen.
async fn send(addr: &str, how: &Send) -> Outcome {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut read, mut write) = stream.into_split();
    let (head, rest, every) = match how {
        Send::All(bytes) => (bytes.clone(), Vec::new(), None),
        Send::Trickle { head, every } => (head.clone(), vec![b' '; 600], Some(*every)),
        Send::Stall(head) => (head.clone(), Vec::new(), None),
        Send::TrickleHead { head, every } => (Vec::new(), head.clone(), Some(*every)),
    };
    let writer = tokio::spawn(async move {
        // Large bodies go out in pieces so an early answer can arrive in between.
        for piece in head.chunks(64 * 1024) {
            if write.write_all(piece).await.is_err() {
                return;
            }
        }
        if let Some(every) = every {
            for b in rest {
                tokio::time::sleep(every).await;
                if write.write_all(&[b]).await.is_err() {
                    return;
                }
            }
        }
        // Keep the write half open (a stalled sender) until the reader is done.
        std::future::pending::<()>().await;
    });
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let read_head = async {
        loop {
            match read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    got.extend_from_slice(&buf[..n]);
                    if got.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
    };
    let finished = tokio::time::timeout(ANSWER_WITHIN, read_head).await.is_ok();
    writer.abort();
    let text = String::from_utf8_lossy(&got);
    let Some(status_line) = text.lines().next() else {
        return if finished {
            Outcome::Closed
        } else {
            Outcome::NoAnswer
        };
    };
    let mut parts = status_line.split_whitespace();
    assert!(
        parts.next().is_some_and(|v| v.starts_with("HTTP/1.")),
        "{status_line}"
    );
    match parts.next().and_then(|s| s.parse().ok()) {
        Some(status) => Outcome::Status(status),
        None => panic!("not a status line: {status_line}"),
    }
}

/// The receiver still answers: a new connection gets its 405 for a GET.
async fn alive(addr: &str) -> bool {
    send(addr, &Send::All(Req::new("GET", PATH, Vec::new()).bytes())).await == Outcome::Status(405)
}

/// Bodies that are correctly signed but that this version cannot read: authentic, so they are
/// stored and acknowledged like any delivery (see `authentic_but_unreadable_bodies_are_kept`).
fn unreadable_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let body = delivery("HOSTILE");
    let text = String::from_utf8(body.clone()).expect("utf-8");
    vec![
        ("empty body", Vec::new()),
        ("truncated JSON", body[..body.len() / 2].to_vec()),
        (
            "trailing garbage after the JSON",
            [&body[..], b"}{"].concat(),
        ),
        ("100k nested arrays", vec![b'['; 100_000]),
        (
            "50k nested objects",
            format!("{}1{}", "{\"a\":".repeat(50_000), "}".repeat(50_000)).into_bytes(),
        ),
        (
            "nested arrays inside a known field",
            String::from_utf8(with("/payload/tracking", json!(null)))
                .expect("utf-8")
                .replace(
                    "\"tracking\":null",
                    &format!("\"tracking\":{}{}", "[".repeat(5_000), "]".repeat(5_000)),
                )
                .into_bytes(),
        ),
        ("JSON null", b"null".to_vec()),
        ("a JSON array", b"[]".to_vec()),
        ("a JSON string", b"\"invitee.created\"".to_vec()),
        ("event is a number", with("/event", json!(42))),
        (
            "payload missing",
            br#"{"event":"invitee.created","created_at":null}"#.to_vec(),
        ),
        ("payload is a string", with("/payload", json!("invitee"))),
        ("email is a number", with("/payload/email", json!(5))),
        ("uri is null", with("/payload/uri", Value::Null)),
        (
            "status is an object",
            with("/payload/status", json!({"active": true})),
        ),
        (
            "start_time is an array",
            with("/payload/scheduled_event/start_time", json!([2026, 12, 2])),
        ),
        (
            "questions_and_answers is an object",
            with("/payload/questions_and_answers", json!({"q": "a"})),
        ),
        (
            "rescheduled is a string",
            with("/payload/rescheduled", json!("yes")),
        ),
        (
            "invitees_counter.total is a float",
            with(
                "/payload/scheduled_event/invitees_counter/total",
                json!(1.5),
            ),
        ),
        (
            "non-UTF-8 bytes inside a string",
            text.replace("Jonas Berg", "Jonas \u{1}Berg")
                .into_bytes()
                .into_iter()
                .map(|b| if b == 1 { 0xff } else { b })
                .collect(),
        ),
        (
            "a UTF-8 byte-order mark first",
            [&b"\xef\xbb\xbf"[..], &body[..]].concat(),
        ),
        (
            "UTF-16 JSON",
            text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        ),
    ]
}

fn catalogue() -> Vec<Case> {
    let body = delivery("HOSTILE");
    let t = now_t();
    let good_v1 = sign(KEY, t, &body);
    let post = || Req::post(body.clone());
    let sig = |value: String| Req::post(body.clone()).header(SIG, value);
    let mut c = vec![
        // --- the signature header ---
        case("signature header missing", post(), 400),
        case("signature header empty", post().header(SIG, ""), 400),
        case("signature header blank", post().header(SIG, "   "), 400),
        case("no v1", sig(format!("t={t}")), 400),
        case("empty v1", sig(format!("t={t},v1=")), 400),
        case("short v1", sig(format!("t={t},v1={}", &good_v1[..63])), 400),
        case("odd-length v1", sig(format!("t={t},v1={good_v1}0")), 400),
        case(
            "non-hex v1",
            sig(format!("t={t},v1={}zz", &good_v1[..62])),
            400,
        ),
        case("no t", sig(format!("v1={good_v1}")), 400),
        case("t not a number", sig(format!("t=abc,v1={good_v1}")), 400),
        case(
            "t with a fraction",
            sig(format!("t={t}.5,v1={good_v1}")),
            400,
        ),
        case("t negative", sig(format!("t=-{t},v1={good_v1}")), 400),
        case(
            "t overflowing i64",
            sig(format!("t=99999999999999999999,v1={good_v1}")),
            400,
        ),
        case("part without =", sig(format!("t={t},{good_v1}")), 400),
        case("t twice", sig(format!("t={t},t={t},v1={good_v1}")), 400),
        case(
            "t older than the window",
            sig(format!("t={},v1={}", t - 600, sign(KEY, t - 600, &body))),
            401,
        ),
        case(
            "t ahead of the window",
            sig(format!("t={},v1={}", t + 600, sign(KEY, t + 600, &body))),
            401,
        ),
        case(
            "signed with another key",
            sig(format!("t={t},v1={}", sign(b"not-the-key", t, &body))),
            401,
        ),
        case(
            "signature of another body",
            sig(format!("t={t},v1={}", sign(KEY, t, b"{}"))),
            401,
        ),
        case(
            "valid v1 under another t",
            sig(format!("t={},v1={good_v1}", t - 1)),
            401,
        ),
        case(
            "header repeated with two t",
            post()
                .header(SIG, format!("t={t},v1={good_v1}"))
                .header(SIG, format!("t={}", t - 1)),
            400,
        ),
        case(
            "header repeated with junk",
            post()
                .header(SIG, format!("t={t},v1={good_v1}"))
                .header(SIG, "garbage"),
            400,
        ),
        case(
            "header with non-ASCII bytes",
            post().header(
                SIG,
                [format!("t={t},v1={good_v1},x=").as_bytes(), b"\xff\xfe"].concat(),
            ),
            400,
        ),
        case(
            "huge signature header (1000 v1)",
            sig(format!(
                "t={t}{}",
                format!(",v1={}", "0".repeat(64)).repeat(1000)
            )),
            400,
        ),
        case(
            "five v1, the right one last",
            sig(format!(
                "t={t}{},v1={good_v1}",
                format!(",v1={}", "0".repeat(64)).repeat(4)
            )),
            400,
        ),
        case(
            "headers over the server's limit (1 MiB)",
            post().header(SIG, "a".repeat(1024 * 1024)),
            431,
        ),
        case(
            "too many headers",
            (0..200).fold(post(), |r, i| r.header(&format!("X-Filler-{i}"), "x")),
            431,
        ),
        raw(
            "header line without a colon",
            [
                &post().head()[..post().head().len() - 2],
                b"this is not a header\r\n\r\n",
                &body[..],
            ]
            .concat(),
            400,
        ),
        // --- size, framing and slowness ---
        case(
            "10 MiB body, unsigned (413 before any HMAC)",
            Req::post(vec![b' '; 10 * 1024 * 1024]),
            413,
        ),
        case(
            "10 MiB body, signed",
            Req::signed(vec![b' '; 10 * 1024 * 1024]),
            413,
        ),
        raw(
            "10 MiB chunked body without a length",
            {
                let head = Req::signed(Vec::new())
                    .no_length()
                    .header("Transfer-Encoding", "chunked")
                    .head();
                let chunk = [b"10000\r\n".as_slice(), &vec![b' '; 0x10000], b"\r\n"].concat();
                [head, chunk.repeat(160), b"0\r\n\r\n".to_vec()].concat()
            },
            413,
        ),
        Case {
            name: "Expect: 100-continue with a 10 MiB length",
            send: Send::Stall(
                Req::post(Vec::new())
                    .header(SIG, format!("t={t},v1={good_v1}"))
                    .header("Expect", "100-continue")
                    .header("Content-Length", (10 * 1024 * 1024).to_string())
                    .head(),
            ),
            expect: Outcome::Status(413),
        },
        case(
            "Content-Length not a number",
            post().no_length().header("Content-Length", "ten"),
            400,
        ),
        case(
            "Content-Length twice, different",
            post()
                .no_length()
                .header("Content-Length", body.len().to_string())
                .header("Content-Length", (body.len() + 1).to_string()),
            400,
        ),
        raw(
            "chunk size not hex",
            [
                Req::signed(Vec::new())
                    .no_length()
                    .header("Transfer-Encoding", "chunked")
                    .head(),
                b"zz\r\nhello\r\n0\r\n\r\n".to_vec(),
            ]
            .concat(),
            400,
        ),
        Case {
            name: "body shorter than declared, then silence",
            send: Send::Stall(
                [
                    Req::signed(body.clone())
                        .no_length()
                        .header("Content-Length", (body.len() + 100).to_string())
                        .head(),
                    body.clone(),
                ]
                .concat(),
            ),
            expect: Outcome::Status(408),
        },
        Case {
            name: "slowloris: a body trickling one byte at a time",
            send: Send::Trickle {
                head: Req::post(Vec::new())
                    .header(SIG, format!("t={t},v1={good_v1}"))
                    .header("Content-Length", "600")
                    .head(),
                every: Duration::from_millis(100),
            },
            expect: Outcome::Status(408),
        },
        Case {
            name: "slowloris: headers trickling one byte at a time",
            send: Send::TrickleHead {
                head: Req::signed(body.clone()).head(),
                every: Duration::from_millis(50),
            },
            expect: Outcome::Closed,
        },
        Case {
            name: "half the headers, then silence",
            send: Send::Stall(Req::signed(body.clone()).head()[..60].to_vec()),
            expect: Outcome::Closed,
        },
        Case {
            name: "a connection that never sends a byte",
            send: Send::Stall(Vec::new()),
            expect: Outcome::Closed,
        },
        // --- content type ---
        case(
            "text/plain",
            Req::signed(body.clone())
                .without("Content-Type")
                .header("Content-Type", "text/plain"),
            415,
        ),
        case(
            "no content type",
            Req::signed(body.clone()).without("Content-Type"),
            415,
        ),
        case(
            "application/json-patch+json",
            Req::signed(body.clone())
                .without("Content-Type")
                .header("Content-Type", "application/json-patch+json"),
            415,
        ),
        case(
            "multipart/form-data",
            Req::signed(body.clone())
                .without("Content-Type")
                .header("Content-Type", "multipart/form-data; boundary=x"),
            415,
        ),
        // --- protocol, methods and paths ---
        case(
            "HTTP/1.0 POST without a signature",
            post().version("HTTP/1.0"),
            400,
        ),
        case(
            "HTTP/1.0 GET",
            Req::new("GET", PATH, Vec::new()).version("HTTP/1.0"),
            405,
        ),
        raw("not HTTP at all", b"HELLO THERE\r\n\r\n".to_vec(), 400),
        raw(
            "an unknown HTTP version",
            [&b"POST /webhooks/calendly HTTP/7.0\r\nHost: x\r\n\r\n"[..]].concat(),
            400,
        ),
        case("GET", Req::new("GET", PATH, Vec::new()), 405),
        case("PUT", Req::signed(body.clone()).with_method("PUT"), 405),
        case("DELETE", Req::new("DELETE", PATH, Vec::new()), 405),
        case("PATCH", Req::signed(body.clone()).with_method("PATCH"), 405),
        case("OPTIONS", Req::new("OPTIONS", PATH, Vec::new()), 405),
        case("HEAD", Req::new("HEAD", PATH, Vec::new()), 405),
    ];
    for (name, path) in [
        ("path /", "/"),
        ("path /webhooks", "/webhooks"),
        ("path with a trailing slash", "/webhooks/calendly/"),
        ("path with an extra segment", "/webhooks/calendly/extra"),
        ("path in upper case", "/WEBHOOKS/CALENDLY"),
        ("path with dot segments", "/webhooks/../webhooks/calendly"),
        ("path with an encoded slash", "/webhooks%2Fcalendly"),
    ] {
        c.push(case(name, Req::signed(body.clone()).with_path(path), 404));
    }
    c
}

impl Req {
    fn with_method(mut self, method: &'static str) -> Self {
        self.method = method;
        self
    }

    fn with_path(mut self, path: &str) -> Self {
        self.path = path.to_string();
        self
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_with_the_right_status_and_never_stored() {
    let rx = Rx::start(ReceiverConfig {
        // The failure throttle has its own tests; here every case must get its own answer.
        failure_limit: UNLIMITED,
        global_failure_limit: UNLIMITED,
        body_timeout: BODY_TIMEOUT,
        idle_timeout: IDLE_TIMEOUT,
        request_timeout: REQUEST_TIMEOUT,
        ..ReceiverConfig::default()
    })
    .await;
    let cases = catalogue();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let started = Instant::now();
        let status = send(&rx.addr, &case.send).await;
        let took = started.elapsed();
        let rows = rx.inbox_rows();
        let up = alive(&rx.addr).await;
        if status != case.expect || rows != 0 || !up {
            failures.push(format!(
                "{}: {status:?} (expected {:?}), {rows} inbox rows, alive {up}, {took:?}",
                case.name, case.expect
            ));
        }
        if let Outcome::Status(s) = status {
            assert!(
                !(300..400).contains(&s) && s != 410 && s < 500,
                "{}: {s} is never an answer to bad input",
                case.name
            );
        }
        // Slow and silent senders are cut off by the receiver's deadlines, not whenever they stop.
        assert!(
            took < REQUEST_TIMEOUT + Duration::from_secs(2),
            "{}: answered after {took:?}",
            case.name
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Right after all of that, a genuine delivery is stored.
    let valid = Req::signed(delivery("AFTER-THE-CATALOGUE"));
    assert_eq!(
        send(&rx.addr, &Send::All(valid.bytes())).await,
        Outcome::Status(202)
    );
    assert_eq!(rx.inbox_rows(), 1);
    // The signature header split over two header lines is the same list.
    let body = delivery("SPLIT-HEADER");
    let t = now_t();
    let split = Req::post(body.clone())
        .header(SIG, format!("t={t}"))
        .header(SIG, format!("v1={}", sign(KEY, t, &body)));
    assert_eq!(
        send(&rx.addr, &Send::All(split.bytes())).await,
        Outcome::Status(202)
    );
    assert_eq!(rx.inbox_rows(), 2);
    let stored: Vec<u8> = rusqlite::Connection::open(&rx.db)
        .expect("open")
        .query_row(
            "SELECT body FROM webhook_inbox ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("stored body");
    assert_eq!(stored, delivery("AFTER-THE-CATALOGUE"));
    rx.stop().await;
}

/// The adversary is Calendly drifting, or a bug of ours: correctly signed bodies this version
/// cannot read. Authentic, so each is stored byte for byte and acknowledged 2xx (a refusal would
/// only be retried, then lost); the processor keeps each unapplied with a reason derived here
/// from the body itself: not JSON a generic parser reads -> `not_json`, JSON -> `unexpected_shape`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentic_but_unreadable_bodies_are_stored_acknowledged_and_kept_unapplied() {
    let rx = Rx::start(ReceiverConfig {
        failure_limit: UNLIMITED,
        global_failure_limit: UNLIMITED,
        ..ReceiverConfig::default()
    })
    .await;
    let bodies = unreadable_bodies();
    for (name, body) in &bodies {
        let answer = send(&rx.addr, &Send::All(Req::signed(body.clone()).bytes())).await;
        assert_eq!(answer, Outcome::Status(202), "{name}");
    }
    assert_eq!(rx.inbox_rows(), i64::try_from(bodies.len()).expect("small"));
    let report = process_due(&rx.store, Utc::now(), &ProcessorConfig::default()).expect("pass");
    assert_eq!(
        (report.applied, report.ignored, report.failed),
        (0, u32::try_from(bodies.len()).expect("small"), 0)
    );
    let conn = rusqlite::Connection::open(&rx.db).expect("open");
    let mut expected_reasons: std::collections::BTreeMap<String, i64> = Default::default();
    for (name, body) in &bodies {
        let expected = if serde_json::from_slice::<Value>(body).is_ok() {
            "unexpected_shape"
        } else {
            "not_json"
        };
        *expected_reasons.entry(expected.to_string()).or_default() += 1;
        let (stored, state, reason): (Vec<u8>, String, Option<String>) = conn
            .query_row(
                "SELECT body, state, reason FROM webhook_inbox WHERE body_sha256 = ?1",
                [hex::encode(Sha256::digest(body))],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap_or_else(|e| panic!("{name}: not stored ({e})"));
        assert_eq!(&stored, body, "{name}: stored byte for byte");
        assert_eq!(
            (state.as_str(), reason.as_deref()),
            ("unapplied", Some(expected)),
            "{name}"
        );
    }
    let status = rx.store.read(|tx| feed::status(tx)).expect("status");
    assert_eq!(
        status.inbox.unapplied,
        i64::try_from(bodies.len()).expect("small")
    );
    let shown: std::collections::BTreeMap<String, i64> = status
        .inbox
        .unapplied_reasons
        .iter()
        .map(|r| (r.reason.clone(), r.count))
        .collect();
    assert_eq!(shown, expected_reasons);
    rx.stop().await;
}

/// The defaults bound every slow sender, and in the order that gives a slow body its 408 before
/// its connection is cut.
#[test]
fn the_default_deadlines_are_bounded_and_ordered() {
    let c = ReceiverConfig::default();
    assert!(c.body_timeout > Duration::ZERO && c.body_timeout <= Duration::from_secs(15));
    assert!(c.body_timeout < c.request_timeout, "{c:?}");
    assert!(c.request_timeout <= Duration::from_secs(60), "{c:?}");
    assert!(c.idle_timeout <= Duration::from_secs(120), "{c:?}");
}
