//! The door to the internet failing, with the real sandbox, a real SQLite file and the real
//! keyring. A loopback TCP relay stands in for the tunnel in front of the receiver (the sandbox
//! delivers to its address, as Calendly delivers to the ngrok URL) and cuts the first delivery's
//! connection: in the middle of its body, or after the receiver stored and acknowledged it but
//! before the acknowledgement got back. Calendly's retry then brings it exactly once. A local
//! "ngrok server" that accepts and hangs up, or accepts and never answers, keeps the tunnel down:
//! the status says so, reopening backs off, and polling brings bookings in meanwhile.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use calendly_sandbox::{BookingSpec, DeliveryOutcome, Sandbox, SandboxConfig};
use slotline::config::Config;
use slotline::live::{Live, LiveEvent, LiveOptions, LiveTuning};
use slotline::secrets::Keyring;
use slotline::store::{Store, StoreError};
use slotline::sync::engine::SyncOptions;
use slotline::tunnel::Exposure;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinSet;

use crate::common::activities_of;
use crate::common::{connected, free_port, Env};

fn small() -> SandboxConfig {
    SandboxConfig {
        events: 20,
        rate_limit_per_minute: 100_000,
        // Calendly retries a failed delivery with back-off; here after one second, then two.
        webhook_retry_base: Duration::from_secs(1),
        ..SandboxConfig::default()
    }
}

fn open(env: &Env) -> (Arc<Store>, Keyring) {
    let config = Config::with_data_dir(env.dir.path());
    let store = Arc::new(Store::open(&config.db_path()).expect("store"));
    (store, Keyring::new(config.profile()))
}

fn tuning() -> LiveTuning {
    LiveTuning {
        sync: SyncOptions {
            max_retries: 1,
            backoff_base: Duration::from_millis(5),
            ..SyncOptions::default()
        },
        ..LiveTuning::default()
    }
}

/// Waits for the first event `pick` accepts.
async fn until<T>(
    rx: &mut mpsc::UnboundedReceiver<LiveEvent>,
    within: Duration,
    mut pick: impl FnMut(&LiveEvent) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let e = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("timed out waiting for the live service")
            .expect("live service running");
        if let Some(t) = pick(&e) {
            return t;
        }
    }
}

/// Polls `f` every 20 ms until it holds.
async fn eventually(what: &str, within: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !f() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn count(store: &Store, sql: &str, arg: &str) -> i64 {
    store
        .read(|tx| Ok::<_, StoreError>(tx.query_row(sql, [arg], |r| r.get(0))?))
        .expect("count")
}

/// Inbox rows whose body mentions `needle`.
fn inbox_rows(store: &Store, needle: &str) -> i64 {
    count(
        store,
        "SELECT count(*) FROM webhook_inbox WHERE instr(CAST(body AS TEXT), ?1) > 0",
        needle,
    )
}

#[derive(Clone, Copy, Debug)]
enum Cut {
    /// Half the body reaches the receiver, then the connection dies.
    MidBody,
    /// The whole request reaches the receiver, which answers; the answer never gets back.
    BeforeResponse,
}

/// A loopback TCP relay in front of the receiver, standing in for the tunnel. It cuts the first
/// webhook delivery's connection as told and relays everything else untouched.
struct FlakyTunnel {
    addr: SocketAddr,
    cut: Arc<Notify>,
    _tasks: JoinSet<()>,
}

impl FlakyTunnel {
    async fn start(upstream: SocketAddr, how: Cut) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let cut = Arc::new(Notify::new());
        let armed = Arc::new(AtomicBool::new(true));
        let mut tasks = JoinSet::new();
        let done = cut.clone();
        tasks.spawn(async move {
            let mut conns = JoinSet::new();
            while let Ok((inbound, _)) = listener.accept().await {
                conns.spawn(relay(inbound, upstream, armed.clone(), done.clone(), how));
            }
        });
        FlakyTunnel {
            addr,
            cut,
            _tasks: tasks,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

async fn relay(
    mut inbound: TcpStream,
    upstream: SocketAddr,
    armed: Arc<AtomicBool>,
    cut: Arc<Notify>,
    how: Cut,
) {
    let Ok(mut out) = TcpStream::connect(upstream).await else {
        return;
    };
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match inbound.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    if head.starts_with("post /webhooks/calendly ") && armed.swap(false, Ordering::SeqCst) {
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .expect("a delivery has a Content-Length");
        while buf.len() < head_end + len {
            match inbound.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        match how {
            Cut::MidBody => {
                let _ = out.write_all(&buf[..head_end + len / 2]).await;
                // Let the receiver read the half it got before the line dies.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Cut::BeforeResponse => {
                let _ = out.write_all(&buf[..head_end + len]).await;
                // The receiver's answer starts (it stores before it acknowledges)...
                let mut first = [0u8; 1];
                let _ = out.read(&mut first).await;
            }
        }
        // ...and the line dies both ways: the sender gets no answer.
        drop(out);
        drop(inbound);
        cut.notify_one();
        return;
    }
    if out.write_all(&buf).await.is_ok() {
        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
    }
}

/// Books through the sandbox with the receiver behind a tunnel that cuts the first delivery as
/// told; checks what the store holds right after the cut (`after_cut` rows for the booking), then
/// that Calendly's retry leaves exactly one inbox row and one activity.
async fn a_cut_delivery_is_redelivered_and_stored_once(how: Cut, after_cut: i64) {
    let (sb, env): (Sandbox, Env) = connected(small()).await;
    let (store, secrets) = open(&env);
    let port = free_port();
    let receiver = SocketAddr::from(([127, 0, 0, 1], port));
    let tunnel = FlakyTunnel::start(receiver, how).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let live = Live::start_tuned(
        store.clone(),
        secrets,
        LiveOptions {
            listen: receiver,
            // The public URL is the tunnel's: Calendly (the sandbox) delivers there.
            exposure: Exposure::PublicUrl(tunnel.url()),
            reconcile_every: Duration::from_secs(3600),
            check_subscription_every: Duration::from_secs(3600),
        },
        tx,
        tuning(),
    )
    .await
    .expect("live");
    until(&mut rx, Duration::from_secs(20), |e| {
        matches!(e, LiveEvent::Synced(_)).then_some(())
    })
    .await;
    let callback = format!("{}/webhooks/calendly", tunnel.url());
    assert!(
        sb.snapshot()
            .webhook_subscriptions
            .iter()
            .any(|s| s.callback_url == callback),
        "subscribed through the tunnel"
    );

    let email = format!("cut.{how:?}@example.org").to_lowercase();
    let booked = sb
        .book(BookingSpec {
            invitee_email: Some(email.clone()),
            ..Default::default()
        })
        .expect("book");
    tokio::time::timeout(Duration::from_secs(10), tunnel.cut.notified())
        .await
        .expect("the first delivery went through the tunnel and was cut");
    // The receiver has seen all it will of the first attempt.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        inbox_rows(&store, &email),
        after_cut,
        "{how:?}: what the cut attempt left"
    );
    let attempts = |sb: &Sandbox| {
        sb.deliveries()
            .into_iter()
            .filter(|d| d.payload_uri == booked.invitee_uri)
            .collect::<Vec<_>>()
    };
    let first = attempts(&sb);
    assert_eq!(first.len(), 1, "{first:#?}");
    assert_eq!(
        first[0].status, None,
        "the sender got no answer: {first:#?}"
    );
    assert_eq!(first[0].outcome, DeliveryOutcome::WillRetry);

    // Calendly retries; the second attempt goes through.
    eventually("the retry was delivered", Duration::from_secs(10), || {
        attempts(&sb)
            .iter()
            .any(|d| d.outcome == DeliveryOutcome::Delivered)
    })
    .await;
    eventually("the delivery was applied", Duration::from_secs(10), || {
        activities_of(&store, &email).len() == 1
            && count(
                &store,
                "SELECT count(*) FROM webhook_inbox WHERE state = ?1",
                "pending",
            ) == 0
    })
    .await;
    let all = attempts(&sb);
    assert_eq!(all.len(), 2, "one cut attempt, one retry: {all:#?}");
    assert_eq!(all[1].attempt, 2);
    assert!(all[1].status.is_some_and(|s| (200..300).contains(&s)));
    assert_eq!(inbox_rows(&store, &email), 1, "stored exactly once");
    assert_eq!(activities_of(&store, &email), ["booked"]);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM invitees WHERE email = ?1",
            &email
        ),
        1
    );
    let status = live.status();
    assert_eq!((status.pending, status.failed), (0, 0), "{status:?}");
    live.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tunnel_dropping_mid_body_stores_nothing_and_the_retry_is_stored_once() {
    a_cut_delivery_is_redelivered_and_stored_once(Cut::MidBody, 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tunnel_dropping_the_acknowledgement_stores_the_delivery_once() {
    // Stored and acknowledged, but the sender never heard: its retry is a duplicate.
    a_cut_delivery_is_redelivered_and_stored_once(Cut::BeforeResponse, 1).await;
}

#[derive(Clone, Copy, Debug)]
enum Hangup {
    /// Accepts the session's connection and closes it at once.
    Close,
    /// Accepts it and never says a word.
    Silent,
}

/// A local stand-in for the ngrok service that never lets a session through; records when each
/// attempt arrived.
struct DeadNgrok {
    addr: SocketAddr,
    attempts: Arc<Mutex<Vec<Instant>>>,
    _task: tokio::task::JoinHandle<()>,
}

impl DeadNgrok {
    async fn start(how: Hangup) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let attempts = Arc::new(Mutex::new(Vec::new()));
        let seen = attempts.clone();
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((conn, _)) = listener.accept().await {
                seen.lock().expect("lock").push(Instant::now());
                match how {
                    Hangup::Close => drop(conn),
                    Hangup::Silent => held.push(conn),
                }
            }
        });
        DeadNgrok {
            addr,
            attempts,
            _task: task,
        }
    }

    fn attempts(&self) -> Vec<Instant> {
        self.attempts.lock().expect("lock").clone()
    }
}

/// ngrok's server lets no session through: the status says the tunnel is down and reconnecting,
/// reopening backs off, and reconciles bring a new booking in meanwhile.
async fn a_dead_ngrok_backs_off_and_polling_goes_on(how: Hangup) {
    let (sb, env): (Sandbox, Env) = connected(small()).await;
    let (store, secrets) = open(&env);
    let ngrok = DeadNgrok::start(how).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let live = Live::start_tuned(
        store.clone(),
        secrets,
        LiveOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            exposure: Exposure::Ngrok {
                authtoken: "not-a-real-ngrok-token".into(),
                domain: None,
                server_addr: Some(ngrok.addr.to_string()),
            },
            // Polling is all there is while the tunnel is down.
            reconcile_every: Duration::from_millis(400),
            check_subscription_every: Duration::from_secs(3600),
        },
        tx,
        LiveTuning {
            tunnel_timeout: Duration::from_millis(300),
            tunnel_retry_base: Duration::from_millis(100),
            tunnel_retry_max: Duration::from_millis(400),
            ..tuning()
        },
    )
    .await
    .expect("live");

    // The status says the tunnel is down and will be reopened.
    let say = until(&mut rx, Duration::from_secs(10), |e| match e {
        LiveEvent::Say(s) if s.starts_with("ngrok:") => Some(s.clone()),
        _ => None,
    })
    .await;
    assert!(say.contains("reconnecting in"), "{say}");
    match how {
        Hangup::Close => assert!(say.contains("could not reach ngrok"), "{say}"),
        Hangup::Silent => assert!(say.contains("did not answer within 0.3 s"), "{say}"),
    }
    let status = until(&mut rx, Duration::from_secs(5), |e| match e {
        LiveEvent::Status(s) if s.state != slotline::feed::WebhookState::Polling => Some(s.clone()),
        _ => None,
    })
    .await;
    assert_eq!(status, live.status());
    assert_eq!(
        status.state,
        slotline::feed::WebhookState::Error,
        "{status:?}"
    );
    assert_eq!(status.tunnel.as_deref(), Some("ngrok"));
    assert_eq!(status.public_url, None);
    let message = status.message.expect("a reason");
    assert!(
        message.contains("tunnel is down") && message.contains("Reconnecting in"),
        "{message}"
    );

    // A booking made meanwhile arrives by polling (there is no subscription to deliver it).
    let email = format!("polled.{how:?}@example.org").to_lowercase();
    sb.book(BookingSpec {
        invitee_email: Some(email.clone()),
        ..Default::default()
    })
    .expect("book");
    eventually(
        "a reconcile brought the booking",
        Duration::from_secs(10),
        || activities_of(&store, &email) == ["booked"],
    )
    .await;
    assert!(sb.snapshot().webhook_subscriptions.is_empty());
    assert!(sb.deliveries().is_empty());

    // Reopening backs off: 100, 200, then 400 ms between attempts (plus each attempt's own
    // time), never a tight loop.
    eventually("five attempts", Duration::from_secs(10), || {
        ngrok.attempts().len() >= 5
    })
    .await;
    let at = ngrok.attempts();
    let gaps: Vec<Duration> = at.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps[0] >= Duration::from_millis(90), "{gaps:?}");
    assert!(gaps[1] >= Duration::from_millis(190), "{gaps:?}");
    assert!(gaps[2] >= Duration::from_millis(390), "{gaps:?}");
    assert!(gaps[3] >= Duration::from_millis(390), "capped: {gaps:?}");
    assert!(
        gaps[3] < Duration::from_millis(390 + 300 + 600),
        "not past the cap: {gaps:?}"
    );

    // Stopping does not wait for an attempt in flight.
    let t = Instant::now();
    live.stop().await.expect("stop");
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ngrok_server_that_hangs_up_means_reconnecting_with_back_off_and_polling() {
    a_dead_ngrok_backs_off_and_polling_goes_on(Hangup::Close).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ngrok_server_that_goes_silent_times_out_and_polling_goes_on() {
    a_dead_ngrok_backs_off_and_polling_goes_on(Hangup::Silent).await;
}
