//! The live service in-process against the sandbox, a real SQLite file and the real keyring:
//! a wall-clock jump (the machine slept) and the network's return each trigger exactly one
//! reconcile; an organization admin gets the organization-scope subscription and a routing form
//! submitted in the sandbox reaches the contact's timeline; a plain member runs without it and
//! the status says why.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use calendly_sandbox::{RoutingSpec, Sandbox, SandboxConfig};
use slotline::clock::{Clock, FixedClock};
use slotline::config::Config;
use slotline::connect;
use slotline::live::{Live, LiveEvent, LiveOptions, LiveTuning};
use slotline::secrets::Keyring;
use slotline::store::{Store, StoreError};
use slotline::sync::engine::SyncOptions;
use slotline::tunnel::Exposure;
use slotline::wake::WakeOptions;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::common::activities_of;
use crate::common::free_port;

async fn sandbox(config: SandboxConfig) -> Sandbox {
    crate::common::sandbox(config).await
}

fn small() -> SandboxConfig {
    SandboxConfig {
        events: 30,
        rate_limit_per_minute: 100_000,
        ..SandboxConfig::default()
    }
}

/// A data directory connected to Calendly at `api_url` with the sandbox's personal token.
struct Connected {
    _dir: tempfile::TempDir,
    store: Arc<Store>,
    secrets: Keyring,
}

async fn connected(sb: &Sandbox, api_url: &str) -> Connected {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = Config::with_data_dir(dir.path());
    config.api_url = api_url.to_string();
    config.auth_url = sb.base_url();
    let store = Arc::new(Store::open(&config.db_path()).expect("store"));
    let secrets = Keyring::new(config.profile());
    connect::connect_pat(
        &config,
        &store,
        &secrets,
        &sb.personal_access_token(),
        true,
        chrono::Utc::now(),
    )
    .await
    .expect("connect");
    Connected {
        _dir: dir,
        store,
        secrets,
    }
}

fn options(listen: SocketAddr, exposure: Exposure) -> LiveOptions {
    LiveOptions {
        listen,
        exposure,
        // Only the start, a wake or the network's return reconcile during these tests.
        reconcile_every: Duration::from_secs(3600),
        check_subscription_every: Duration::from_secs(3600),
    }
}

fn quick_sync() -> SyncOptions {
    SyncOptions {
        max_retries: 1,
        backoff_base: Duration::from_millis(5),
        ..SyncOptions::default()
    }
}

/// Waits for the first event `pick` accepts; returns it and every event seen before it.
async fn until<T>(
    rx: &mut mpsc::UnboundedReceiver<LiveEvent>,
    within: Duration,
    mut pick: impl FnMut(&LiveEvent) -> Option<T>,
) -> (T, Vec<LiveEvent>) {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let e = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("timed out; saw {seen:#?}"))
            .expect("live service running");
        if let Some(t) = pick(&e) {
            return (t, seen);
        }
        seen.push(e);
    }
}

/// Every event that arrives within `d`.
async fn drain_for(rx: &mut mpsc::UnboundedReceiver<LiveEvent>, d: Duration) -> Vec<LiveEvent> {
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + d;
    while let Ok(Some(e)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        out.push(e);
    }
    out
}

fn synced(events: &[LiveEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, LiveEvent::Synced(_)))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wall_clock_jump_means_the_machine_slept_and_triggers_exactly_one_reconcile() {
    let sb = sandbox(small()).await;
    let c = connected(&sb, &sb.base_url()).await;
    let clock = Arc::new(FixedClock::new(sb.now()));
    let tuning = LiveTuning {
        clock: clock.clone(),
        wake: WakeOptions {
            tick: Duration::from_millis(20),
            threshold: Duration::from_secs(30),
        },
        sync: quick_sync(),
        ..LiveTuning::default()
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let live = Live::start_tuned(
        c.store.clone(),
        c.secrets.clone(),
        options(SocketAddr::from(([127, 0, 0, 1], 0)), Exposure::None),
        tx,
        tuning,
    )
    .await
    .expect("live");
    // The reconcile at start, with its progress: running first, finished last.
    let (_, before) = until(&mut rx, Duration::from_secs(20), |e| {
        matches!(e, LiveEvent::Synced(_)).then_some(())
    })
    .await;
    let progress: Vec<_> = before
        .iter()
        .filter_map(|e| match e {
            LiveEvent::Progress(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    assert!(progress.first().is_some_and(|p| p.running), "{progress:?}");
    let last = progress.last().expect("progress");
    assert!(
        !last.running && last.events > 0 && !last.more_pages,
        "{last:?}"
    );
    assert!(
        last.requests_left.is_some() && last.rate_limit == Some(100_000),
        "{last:?}"
    );

    // Awake and idle: many ticks, no reconcile.
    let quiet = drain_for(&mut rx, Duration::from_millis(300)).await;
    assert_eq!(synced(&quiet), 0, "{quiet:#?}");
    let lists_before = sb.request_counts().list_events;

    // The lid was shut for three hours: the wall clock jumps, the monotonic one did not move.
    clock.set(clock.now() + chrono::Duration::hours(3));
    let (away, _) = until(&mut rx, Duration::from_secs(5), |e| match e {
        LiveEvent::Woke(d) => Some(*d),
        _ => None,
    })
    .await;
    assert!(away > Duration::from_secs(3 * 3600 - 60), "{away:?}");
    let (_, _) = until(&mut rx, Duration::from_secs(20), |e| {
        matches!(e, LiveEvent::Synced(_)).then_some(())
    })
    .await;
    let after = drain_for(&mut rx, Duration::from_millis(500)).await;
    assert_eq!(
        synced(&after),
        0,
        "exactly one reconcile per wake: {after:#?}"
    );
    assert!(
        !after.iter().any(|e| matches!(e, LiveEvent::Woke(_))),
        "one wake per jump"
    );
    assert!(
        sb.request_counts().list_events > lists_before,
        "the wake's reconcile listed the window again"
    );
    live.stop().await.expect("stop");
}

/// A TCP forwarder to the sandbox that can drop off the network and come back on the same port.
struct Link {
    addr: SocketAddr,
    upstream: SocketAddr,
    tasks: Option<JoinSet<()>>,
}

impl Link {
    async fn new(upstream: SocketAddr) -> Self {
        let mut link = Link {
            addr: SocketAddr::from(([127, 0, 0, 1], free_port())),
            upstream,
            tasks: None,
        };
        link.up().await;
        link
    }

    async fn up(&mut self) {
        let listener = tokio::net::TcpListener::bind(self.addr)
            .await
            .expect("rebind");
        let upstream = self.upstream;
        let mut tasks = JoinSet::new();
        let conns = Arc::new(tokio::sync::Mutex::new(JoinSet::new()));
        let held = conns.clone();
        tasks.spawn(async move {
            // Connections die with the accept task (the JoinSet aborts them when dropped).
            let _held = held;
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                let mut set = conns.lock().await;
                set.spawn(async move {
                    if let Ok(mut out) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                    }
                });
            }
        });
        self.tasks = Some(tasks);
    }

    /// Drops the listener and every open connection: "no network".
    async fn down(&mut self) {
        if let Some(mut t) = self.tasks.take() {
            t.shutdown().await;
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_network_coming_back_triggers_exactly_one_reconcile() {
    let sb = sandbox(small()).await;
    let upstream: SocketAddr = sb
        .base_url()
        .trim_start_matches("http://")
        .parse()
        .expect("addr");
    let mut link = Link::new(upstream).await;
    let c = connected(&sb, &link.url()).await;
    let tuning = LiveTuning {
        network_retry_base: Duration::from_millis(50),
        network_retry_max: Duration::from_millis(200),
        sync: quick_sync(),
        ..LiveTuning::default()
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let live = Live::start_tuned(
        c.store.clone(),
        c.secrets.clone(),
        options(SocketAddr::from(([127, 0, 0, 1], 0)), Exposure::None),
        tx,
        tuning,
    )
    .await
    .expect("live");
    until(&mut rx, Duration::from_secs(20), |e| {
        matches!(e, LiveEvent::Synced(_)).then_some(())
    })
    .await;

    // The network drops; a reconcile (here: asked for) fails for lack of it.
    link.down().await;
    live.reconcile_now();
    let (why, before) = until(&mut rx, Duration::from_secs(10), |e| match e {
        LiveEvent::Offline(why) => Some(why.clone()),
        _ => None,
    })
    .await;
    assert_eq!(synced(&before), 0);
    assert!(!why.is_empty());
    assert!(
        live.status()
            .message
            .is_some_and(|m| m.contains("unreachable")),
        "the status says Calendly is unreachable"
    );
    // Offline for a while: the probes back off and fail, nothing reconciles.
    let offline = drain_for(&mut rx, Duration::from_millis(600)).await;
    assert_eq!(synced(&offline), 0, "{offline:#?}");
    assert!(!offline.iter().any(|e| matches!(e, LiveEvent::NetworkBack)));

    // The network returns: one probe succeeds and exactly one reconcile follows.
    link.up().await;
    until(&mut rx, Duration::from_secs(5), |e| {
        matches!(e, LiveEvent::NetworkBack).then_some(())
    })
    .await;
    let (outcome, _) = until(&mut rx, Duration::from_secs(20), |e| match e {
        LiveEvent::Synced(o) => Some(o.clone()),
        _ => None,
    })
    .await;
    assert!(outcome.progress.events_seen > 0);
    let after = drain_for(&mut rx, Duration::from_millis(600)).await;
    assert_eq!(synced(&after), 0, "exactly one reconcile: {after:#?}");
    assert!(!after.iter().any(|e| matches!(e, LiveEvent::NetworkBack)));
    live.stop().await.expect("stop");
    link.down().await;
}

async fn start_receiving(
    sb: &Sandbox,
    c: &Connected,
) -> (Live, mpsc::UnboundedReceiver<LiveEvent>) {
    let port = free_port();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let live = Live::start_tuned(
        c.store.clone(),
        c.secrets.clone(),
        options(
            SocketAddr::from(([127, 0, 0, 1], port)),
            // The sandbox is on this machine: it delivers straight to the receiver.
            Exposure::PublicUrl(format!("http://127.0.0.1:{port}")),
        ),
        tx,
        LiveTuning {
            sync: quick_sync(),
            ..LiveTuning::default()
        },
    )
    .await
    .expect("live");
    until(&mut rx, Duration::from_secs(20), |e| {
        matches!(e, LiveEvent::Synced(_)).then_some(())
    })
    .await;
    let _ = sb;
    (live, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_org_admin_gets_routing_form_submissions_live_on_the_contact() {
    let sb = sandbox(small()).await;
    let c = connected(&sb, &sb.base_url()).await;
    let (live, mut rx) = start_receiving(&sb, &c).await;
    let callback = format!(
        "http://{}/webhooks/calendly",
        live.local_addr().expect("receiver")
    );
    let subs = sb.snapshot().webhook_subscriptions;
    let ours: Vec<_> = subs.iter().filter(|s| s.callback_url == callback).collect();
    assert_eq!(ours.len(), 2, "user and organization scope: {ours:#?}");
    let org = ours
        .iter()
        .find(|s| s.scope == "organization")
        .expect("organization-scope subscription");
    assert_eq!(org.events, ["routing_form_submission.created"]);
    assert!(ours.iter().any(|s| s.scope == "user"
        && !s
            .events
            .iter()
            .any(|e| e == "routing_form_submission.created")));
    // Signed with the key kept in the keyring, like the user one.
    let user = ours.iter().find(|s| s.scope == "user").expect("user");
    assert_eq!(
        sb.webhook_signing_key(&org.uri),
        sb.webhook_signing_key(&user.uri)
    );
    assert!(live.status().message.is_none(), "{:?}", live.status());

    let email = "new.lead@example.org";
    let uri = sb
        .submit_routing_form(&RoutingSpec {
            email: Some(email.into()),
            name: Some("New Lead".into()),
            answers: vec![("Company size".into(), "11-50".into())],
        })
        .expect("submit");
    until(&mut rx, Duration::from_secs(10), |e| match e {
        LiveEvent::Applied(r) if r.applied > 0 => Some(()),
        _ => None,
    })
    .await;
    assert_eq!(activities_of(&c.store, email), ["routing_form_submitted"]);
    let stored: String = c
        .store
        .read(|tx| {
            Ok::<_, StoreError>(
                tx.query_row("SELECT uri FROM routing_submissions", [], |r| r.get(0))?,
            )
        })
        .expect("submission row");
    assert_eq!(stored, uri);
    let delivered = sb
        .deliveries()
        .into_iter()
        .filter(|d| d.event == "routing_form_submission.created")
        .collect::<Vec<_>>();
    assert_eq!(delivered.len(), 1, "{delivered:#?}");
    assert_eq!(delivered[0].subscription_uri, org.uri);
    assert!(
        delivered[0].status.is_some_and(|s| (200..300).contains(&s)),
        "{delivered:#?}"
    );
    live.stop().await.expect("stop");

    // A restart keeps both subscriptions instead of replacing them.
    let (live, _rx) = start_receiving(&sb, &c).await;
    let callback2 = format!(
        "http://{}/webhooks/calendly",
        live.local_addr().expect("receiver")
    );
    let now_ours: Vec<_> = sb
        .snapshot()
        .webhook_subscriptions
        .into_iter()
        .filter(|s| s.callback_url == callback2)
        .collect();
    assert_eq!(now_ours.len(), 2, "{now_ours:#?}");
    live.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_member_runs_without_routing_forms_and_the_status_says_why() {
    let sb = sandbox(SandboxConfig {
        user_is_org_admin: false,
        ..small()
    })
    .await;
    let c = connected(&sb, &sb.base_url()).await;
    let (live, mut rx) = start_receiving(&sb, &c).await;
    let status = live.status();
    assert_eq!(
        status.state,
        slotline::feed::WebhookState::Receiving,
        "{status:?}"
    );
    let message = status.message.expect("a reason");
    assert!(
        message.contains("Routing form submissions are not received")
            && message.contains("organization admin"),
        "{message}"
    );
    let subs = sb.snapshot().webhook_subscriptions;
    assert_eq!(subs.len(), 1, "only the user-scope subscription: {subs:#?}");
    assert_eq!(subs[0].scope, "user");
    // Bookings still arrive live.
    let booked = sb
        .book(calendly_sandbox::BookingSpec {
            invitee_email: Some("still.live@example.org".into()),
            ..Default::default()
        })
        .expect("book");
    until(&mut rx, Duration::from_secs(10), |e| match e {
        LiveEvent::Applied(r) if r.invitee_uris.contains(&booked.invitee_uri) => Some(()),
        _ => None,
    })
    .await;
    assert_eq!(
        activities_of(&c.store, "still.live@example.org"),
        ["booked"]
    );
    live.stop().await.expect("stop");
}

/// Setting up the subscription failed at start (Calendly answered 500 twice): the service polls,
/// says so, and the periodic subscription check tries again; once Calendly answers, the
/// subscription is active, a reconcile follows, and bookings arrive live again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_subscription_setup_is_tried_again_by_the_periodic_check() {
    use calendly_sandbox::{BookingSpec, PathFault, SettingsPatch};
    let sb = sandbox(small()).await;
    let c = connected(&sb, &sb.base_url()).await;
    // Creating the user subscription fails until the fault is lifted below.
    sb.update_settings(&SettingsPatch {
        faults: Some(vec![PathFault {
            method: Some("POST".into()),
            path: "/webhook_subscriptions".into(),
            status: 500,
            times: None,
            retry_after: None,
            ratelimit_reset: None,
            body: None,
            delay_ms: None,
        }]),
        ..SettingsPatch::default()
    });
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let live = Live::start_tuned(
        c.store.clone(),
        c.secrets.clone(),
        LiveOptions {
            check_subscription_every: Duration::from_millis(400),
            ..options(
                SocketAddr::from(([127, 0, 0, 1], port)),
                Exposure::PublicUrl(public.clone()),
            )
        },
        tx,
        LiveTuning {
            sync: quick_sync(),
            ..LiveTuning::default()
        },
    )
    .await
    .expect("live");
    let (failed, _) = until(&mut rx, Duration::from_secs(20), |e| match e {
        LiveEvent::Status(s) if s.state == slotline::feed::WebhookState::Error => s.message.clone(),
        _ => None,
    })
    .await;
    assert!(
        failed.contains("Webhook subscription failed")
            && failed.contains("tries the subscription again"),
        "{failed}"
    );
    // Calendly recovers.
    sb.update_settings(&SettingsPatch {
        faults: Some(Vec::new()),
        ..SettingsPatch::default()
    });
    let (active, seen) = until(&mut rx, Duration::from_secs(20), |e| match e {
        LiveEvent::Status(s) if s.subscription.as_deref() == Some("active") => Some(s.clone()),
        _ => None,
    })
    .await;
    assert_eq!(active.state, slotline::feed::WebhookState::Receiving);
    assert!(
        seen.iter()
            .any(|e| matches!(e, LiveEvent::Say(s) if s.contains("trying the webhook subscription again"))),
        "{seen:#?}"
    );
    // A reconcile follows the recovered subscription.
    until(&mut rx, Duration::from_secs(20), |e| {
        matches!(e, LiveEvent::Synced(_)).then_some(())
    })
    .await;
    let callback = format!("{public}/webhooks/calendly");
    let ours = sb
        .snapshot()
        .webhook_subscriptions
        .into_iter()
        .filter(|s| {
            s.callback_url == callback
                && s.scope == "user"
                && matches!(s.state, calendly_sandbox::SubscriptionState::Active)
        })
        .count();
    assert_eq!(ours, 1, "exactly one user subscription");
    // And a booking arrives by webhook.
    let booked = sb.book(BookingSpec::random()).expect("book");
    until(&mut rx, Duration::from_secs(20), |e| match e {
        LiveEvent::Applied(r) if r.applied > 0 => Some(()),
        _ => None,
    })
    .await;
    let stored: i64 = c
        .store
        .read(|tx| {
            tx.query_row(
                "SELECT count(*) FROM invitees WHERE uri = ?1",
                [&booked.invitee_uri],
                |r| r.get(0),
            )
            .map_err(StoreError::from)
        })
        .expect("count");
    assert_eq!(stored, 1, "the booking arrived");
    live.stop().await.expect("stop");
}
