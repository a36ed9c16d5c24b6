//! One owner for the account (issue 14): one token refresh per installation and one sync at a
//! time, whoever asks. The adversaries: two processes (`serve` and `sync`) that find the access
//! token expired together, three fronts of one process asking at once, a keyring that refuses
//! to save the renewed pair, and three sync requests at once. The sandbox adds latency to every
//! answer so that the requests really overlap; expected counts come from the sandbox's own
//! records (its refresh and list counters, its events), never from what Slotline printed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use calendly_sandbox::{Sandbox, SandboxConfig};
use slotline::config::Config;
use slotline::core::{Core, Tuning};
use slotline::feed::WebhookState;
use slotline::secrets::{Keyring, SecretError, SecretKind, SecretStore};

use crate::common::oauth::cli_connect;
use crate::common::{free_port, Env};

fn config(env: &Env, sb: &Sandbox) -> Config {
    Config {
        api_url: sb.base_url(),
        auth_url: sb.base_url(),
        ..Config::with_data_dir(env.dir.path())
    }
}

fn keyring(env: &Env) -> Keyring {
    Keyring::new(Config::with_data_dir(env.dir.path()).profile())
}

/// The stored OAuth pair as JSON.
fn stored(env: &Env) -> serde_json::Value {
    let raw = keyring(env)
        .get(SecretKind::CalendlyToken)
        .expect("keyring")
        .expect("a stored pair");
    serde_json::from_str(&raw).expect("json")
}

fn refresh_token(env: &Env) -> String {
    stored(env)["tokens"]["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_string()
}

/// The stored access token expired a minute ago (as after a night with the laptop shut).
fn expire(env: &Env) {
    let mut v = stored(env);
    v["tokens"]["expires_at"] = (chrono::Utc::now().timestamp() - 60).into();
    keyring(env)
        .set(SecretKind::CalendlyToken, &v.to_string())
        .expect("write the keyring");
}

/// (refresh requests, refused refreshes) at the sandbox.
fn refreshes(sb: &Sandbox) -> (u64, u64) {
    let t = sb.snapshot().tokens;
    (t.refresh_requests, t.refresh_refused)
}

async fn oauth_sandbox(latency_ms: u64) -> Sandbox {
    crate::common::sandbox(SandboxConfig {
        events: 40,
        latency: Duration::from_millis(latency_ms),
        ..SandboxConfig::default()
    })
    .await
}

/// A sandbox answering after `latency_ms`, and a data folder connected to it through the CLI's
/// OAuth flow.
async fn connected(latency_ms: u64) -> (Sandbox, Env) {
    let sb = oauth_sandbox(latency_ms).await;
    let env = Env::with_api(&sb.base_url());
    let (ok, _, err) = cli_connect(&env, &sb, &[], "").await;
    assert!(ok, "{err}");
    (sb, env)
}

fn tokio_cmd(env: &Env, sb: &Sandbox, args: &[&str]) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(crate::common::bin());
    c.args(args)
        .env("SLOTLINE_DATA_DIR", env.dir.path())
        .env("SLOTLINE_CALENDLY_API_URL", sb.base_url())
        .env("SLOTLINE_CALENDLY_AUTH_URL", sb.base_url())
        .env("SLOTLINE_LOG", "slotline=info")
        .env_remove("DISPLAY")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    c
}

fn status_text(env: &Env, sb: &Sandbox) -> String {
    let out = std::process::Command::new(crate::common::bin())
        .arg("status")
        .env("SLOTLINE_DATA_DIR", env.dir.path())
        .env("SLOTLINE_CALENDLY_API_URL", sb.base_url())
        .env_remove("DISPLAY")
        .output()
        .expect("status");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_and_sync_in_two_processes_find_the_token_expired_and_refresh_once() {
    let (sb, env) = connected(400).await;
    expire(&env);
    let before = refresh_token(&env);
    assert_eq!(refreshes(&sb), (0, 0));

    // Both processes start together; each reads the expired pair before either refreshes
    // (every sandbox answer takes 400 ms), so both want to refresh it.
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let public = format!("http://127.0.0.1:{port}");
    let mut serve = tokio_cmd(
        &env,
        &sb,
        &["serve", "--listen", &listen, "--public-url", &public],
    )
    .spawn()
    .expect("serve");
    let sync = tokio_cmd(&env, &sb, &["sync"]).output();
    let sync = tokio::time::timeout(Duration::from_secs(90), sync)
        .await
        .expect("sync finished")
        .expect("sync ran");
    let sync_err = String::from_utf8_lossy(&sync.stderr).into_owned();
    assert!(sync.status.success(), "sync: {sync_err}");

    // serve gets through its start (subscription, reconcile) on the same pair.
    let serve_err = {
        use tokio::io::AsyncBufReadExt;
        let mut lines = tokio::io::BufReader::new(serve.stderr.take().expect("stderr")).lines();
        let mut seen = String::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while let Ok(Ok(Some(line))) = tokio::time::timeout_at(deadline, lines.next_line()).await {
            seen.push_str(&line);
            seen.push('\n');
            if line.contains("serve: reconciled") {
                break;
            }
        }
        seen
    };
    assert!(serve_err.contains("serve: reconciled"), "{serve_err}");
    let _ = serve.kill().await;

    for (who, text) in [("sync", &sync_err), ("serve", &serve_err)] {
        assert!(!text.contains("invalid_grant"), "{who}: {text}");
        assert!(!text.contains("Reconnect"), "{who}: {text}");
    }
    // One process refreshed; the other waited on the lock and adopted the rotated pair: the
    // race really happened, and the sandbox saw exactly one refresh, none refused.
    let adopted = [&sync_err, &serve_err]
        .iter()
        .filter(|t| t.contains("adopting its pair"))
        .count();
    assert_eq!(adopted, 1, "sync: {sync_err}\nserve: {serve_err}");
    assert_eq!(refreshes(&sb), (1, 0));
    let after = refresh_token(&env);
    assert_ne!(after, before, "the rotated pair is stored");
    assert!(!status_text(&env, &sb).contains("Reconnect Calendly"));

    // The next refresh still works: the stored refresh token is the live one.
    expire(&env);
    let again = tokio_cmd(&env, &sb, &["sync"])
        .output()
        .await
        .expect("sync");
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(refreshes(&sb), (2, 0));
}

/// Waits for the core's runner to have finished `runs` runs, then long enough for another to
/// start if one were coming (it would start at once: the old start-up synced, then started the
/// live service, whose first reconcile listed the window again right after).
async fn runs_after_settling(core: &Core, runs: u32) -> u32 {
    let runner = core.runner().expect("runner");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while (runner.runs_started() < runs || runner.is_running())
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!runner.is_running(), "no run is left going");
    runner.runs_started()
}

/// The start-up (the window painted) reconciles once: the live service's first reconcile is the
/// sync at start. Counted by the sandbox: one listing of the window (40 events, one page).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_start_up_reconciles_once() {
    let (sb, env) = connected(50).await;
    let core = Core::open(config(&env, &sb)).expect("core");
    let lists = sb.request_counts().list_events;
    core.start().await;
    assert_eq!(runs_after_settling(&core, 1).await, 1);
    assert_eq!(sb.request_counts().list_events - lists, 1);
    let status = core.status().expect("status");
    // The live service runs (webhooks off by default: it reconciles on a schedule).
    assert_eq!(status.webhooks.state, WebhookState::Polling, "{status:?}");
    assert!(status.last_sync_error.is_none(), "{status:?}");
    core.shut_down().await;
}

/// The adversary: the live service cannot start (its fixed public-URL port is taken by another
/// program). The start-up then syncs by itself, once, so the window still opens on fresh data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_up_whose_live_service_cannot_start_still_syncs_once() {
    let (sb, env) = connected(50).await;
    let core = Core::open(config(&env, &sb)).expect("core");
    let store = slotline::store::Store::open(&config(&env, &sb).db_path()).expect("store");
    slotline::prefs::save(
        &store,
        slotline::prefs::Preferences {
            webhook_mode: slotline::prefs::WebhookMode::PublicUrl,
            public_url: Some("https://cal.example.org/slotline".into()),
            ..slotline::prefs::Preferences::default()
        },
        chrono::Utc::now(),
    )
    .expect("prefs");
    // Held for the whole test; if another program holds it already, the port is taken all the same.
    let _squatter = std::net::TcpListener::bind(("127.0.0.1", slotline::core::PUBLIC_URL_PORT));
    let lists = sb.request_counts().list_events;
    core.start().await;
    assert_eq!(runs_after_settling(&core, 1).await, 1);
    assert_eq!(sb.request_counts().list_events - lists, 1);
    let status = core.status().expect("status");
    assert_eq!(
        status.webhooks.state,
        WebhookState::Off,
        "no live service: {status:?}"
    );
    assert!(status.last_sync_error.is_none(), "{status:?}");
    core.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_service_sync_now_and_the_start_up_sync_share_one_refresh() {
    let (sb, env) = connected(300).await;
    expire(&env);
    let core = Core::open(config(&env, &sb)).expect("core");
    let mut events = core.subscribe();
    let lists = sb.request_counts().list_events;
    // Three fronts at once: the start-up sync, the live service's first reconcile, Sync now.
    let (_, restarted, now) = tokio::join!(core.start(), core.restart_live(), core.sync_now());
    let () = restarted;
    now.expect("Sync now");
    assert_eq!(refreshes(&sb), (1, 0), "one refresh for the whole process");
    let status = core.status().expect("status");
    assert_eq!(status.reconnect, None);
    assert_eq!(status.token_warning, None);
    assert!(status.last_sync_error.is_none(), "{status:?}");
    // Each run lists the window once (40 events: one page); joined requests list nothing.
    let runs = core.runner().expect("runner").runs_started() as u64;
    assert!(runs >= 1);
    assert_eq!(sb.request_counts().list_events - lists, runs);
    // The progress of the runs reached the core's subscribers (the window), whoever started
    // them: a running report with a page, and a finished one.
    let mut progress = Vec::new();
    while let Ok(e) = events.try_recv() {
        if let slotline::core::CoreEvent::Progress(p) = e {
            progress.push(p);
        }
    }
    assert!(progress.iter().any(|p| p.running), "{progress:?}");
    assert!(
        progress
            .iter()
            .any(|p| !p.running && p.pages == 1 && p.error.is_none()),
        "{progress:?}"
    );

    // The next refresh works, from another process, and this one adopts its pair afterwards.
    core.shut_down().await;
    // A reconcile the stop left running finishes on its own (it holds the sync lock till then).
    let runner = core.runner().expect("runner");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while runner.is_running() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    expire(&env);
    // A run the stop cut off must not leave the installation's sync lock held: the other process
    // gets it (or joins the run) within seconds, never hangs.
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        tokio_cmd(&env, &sb, &["sync"]).output(),
    )
    .await
    .expect("the other process's sync was not held up")
    .expect("sync");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(refreshes(&sb), (2, 0));
}

/// The OS keyring, except that it refuses to store the Calendly token while `refuse` is set
/// (a keyring that locked with the screen).
#[derive(Clone)]
struct Refusing {
    inner: Keyring,
    refuse: Arc<AtomicBool>,
}

impl SecretStore for Refusing {
    fn get(&self, kind: SecretKind) -> Result<Option<String>, SecretError> {
        self.inner.get(kind)
    }
    fn set(&self, kind: SecretKind, value: &str) -> Result<(), SecretError> {
        if kind == SecretKind::CalendlyToken && self.refuse.load(Ordering::SeqCst) {
            return Err(SecretError::Locked("the collection is locked".into()));
        }
        self.inner.set(kind, value)
    }
    fn delete(&self, kind: SecretKind) -> Result<(), SecretError> {
        self.inner.delete(kind)
    }
    fn check(&self) -> Result<(), SecretError> {
        self.inner.check()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyring_that_refuses_the_renewed_pair_loses_nothing_and_says_so() {
    let (sb, env) = connected(0).await;
    expire(&env);
    let spent = refresh_token(&env);
    let refuse = Arc::new(AtomicBool::new(true));
    let secrets = Refusing {
        inner: keyring(&env),
        refuse: refuse.clone(),
    };
    let cfg = config(&env, &sb);
    let store = Arc::new(slotline::store::Store::open(&cfg.db_path()).expect("store"));
    let core = Core::with_parts(cfg, store, Arc::new(secrets), Tuning::default());

    // The refresh succeeds at Calendly; the keyring refuses the new pair. The sync still works
    // on the pair held in memory, and the status says what happened.
    core.sync_now().await.expect("sync on the pair in memory");
    assert_eq!(refreshes(&sb), (1, 0));
    let warning = core
        .status()
        .expect("status")
        .token_warning
        .expect("warned");
    assert!(warning.contains("keyring"), "{warning}");
    assert_eq!(
        refresh_token(&env),
        spent,
        "the keyring still has the spent pair"
    );
    // Another process must not present that spent refresh token: it says why and waits.
    let text = status_text(&env, &sb);
    assert!(text.contains("Sign-in not saved:"), "{text}");
    let other = tokio_cmd(&env, &sb, &["sync"])
        .output()
        .await
        .expect("sync");
    let other_err = String::from_utf8_lossy(&other.stderr);
    assert!(!other.status.success());
    assert!(
        other_err.contains("could not save it to the keyring"),
        "{other_err}"
    );
    assert_eq!(refreshes(&sb), (1, 0), "no spent token was presented");
    // This process keeps working meanwhile (another sync on the in-memory pair).
    core.sync_now().await.expect("second sync");

    // The keyring accepts again: the pair is saved, the warning goes, the other process works.
    refuse.store(false, Ordering::SeqCst);
    assert!(core.save_pending_sign_in().await);
    assert_eq!(core.status().expect("status").token_warning, None);
    assert_ne!(refresh_token(&env), spent);
    assert!(!status_text(&env, &sb).contains("Sign-in not saved"));
    let out = tokio_cmd(&env, &sb, &["sync"])
        .output()
        .await
        .expect("sync");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        refreshes(&sb),
        (1, 0),
        "the saved pair was fresh: no refresh needed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_sync_requests_at_once_are_one_run_and_another_process_joins_it() {
    let (sb, env) = crate::common::connected(SandboxConfig {
        events: 150,
        latency: Duration::from_millis(60),
        ..SandboxConfig::default()
    })
    .await;
    let events = sb.snapshot().scheduled_events.len();
    // The baseline of the same run: one sync alone, in another data directory.
    let alone = Env::with_api(&sb.base_url());
    let out = alone
        .cmd(&["connect", "--token-stdin"])
        .write_stdin(sb.personal_access_token())
        .output()
        .expect("connect");
    assert!(out.status.success());
    let lists = sb.request_counts().list_events;
    let out = alone.cmd(&["sync"]).output().expect("sync");
    assert!(out.status.success());
    let one_run = sb.request_counts().list_events - lists;
    assert_eq!(
        one_run as usize,
        events.div_ceil(100),
        "a first sync lists each page once"
    );

    let core = Core::open(config(&env, &sb)).expect("core");
    let lists = sb.request_counts().list_events;
    let (a, b, c) = tokio::join!(core.sync_now(), core.sync_now(), core.sync_now());
    let (a, b, c) = (a.expect("a"), b.expect("b"), c.expect("c"));
    assert_eq!(a, b);
    assert_eq!(b, c);
    assert_eq!(a.events_seen as usize, events);
    assert_eq!(sb.request_counts().list_events - lists, one_run, "one run");
    assert_eq!(core.runner().expect("runner").runs_started(), 1);

    // While this process syncs, `slotline sync` in another process joins instead of listing.
    // A re-sync is a few requests only: slower answers keep it running while the other starts.
    sb.update_settings(&calendly_sandbox::SettingsPatch {
        latency_ms: Some(500),
        ..Default::default()
    });
    let lists = sb.request_counts().list_events;
    let here = tokio::spawn({
        let core = core.clone();
        async move { core.sync_now().await }
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let other = tokio_cmd(&env, &sb, &["sync"])
        .output()
        .await
        .expect("sync");
    let other_err = String::from_utf8_lossy(&other.stderr);
    assert!(other.status.success(), "{other_err}");
    assert!(
        other_err.contains("joined the sync another Slotline process was running"),
        "{other_err}"
    );
    here.await.expect("join").expect("sync here");
    // A re-sync lists the window once (plus nothing for the joined process).
    let second = sb.request_counts().list_events - lists;
    assert_eq!(second, one_run, "the other process listed nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_production_sign_in_without_a_live_public_url_fails_at_once_and_says_why() {
    let (sb, env) = crate::common::connected(SandboxConfig {
        events: 5,
        ..SandboxConfig::default()
    })
    .await;
    let core = Core::open(config(&env, &sb)).expect("core");
    // The live service runs (real time off: polling alone), so it has no public URL.
    core.restart_live().await;
    assert!(core.status().expect("status").webhooks.public_url.is_none());
    let started = std::time::Instant::now();
    let err = core
        .begin_oauth(slotline::core::OAuthRequest {
            client_id: "prod-client".into(),
            redirect_uri: Some("https://consultant.example/oauth/callback".into()),
            ..Default::default()
        })
        .await
        .expect_err("no public URL, no sign-in");
    assert!(started.elapsed() < Duration::from_secs(5));
    let text = err.to_string();
    assert!(
        text.contains("https://consultant.example/oauth/callback"),
        "{text}"
    );
    assert!(text.contains("there is none right now"), "{text}");
    core.shut_down().await;
}

/// The ICS feed's address is what calendar apps subscribed to. When another program takes its
/// port, the feed does not move silently: it moves with a new token (the old address may now be
/// that program's), says so, and keeps the new address afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_feed_port_moves_the_feed_with_a_new_token_and_says_so() {
    let (sb, env) = crate::common::connected(SandboxConfig {
        events: 5,
        ..SandboxConfig::default()
    })
    .await;
    let core = Core::open(config(&env, &sb)).expect("core");
    let url = |core: &Core| {
        core.preferences()
            .expect("prefs")
            .ics_feed_url
            .expect("feed url")
    };
    let port_of = |u: &str| -> u16 {
        u.split("127.0.0.1:")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .and_then(|p| p.parse().ok())
            .expect("port")
    };
    core.apply_feed(true).await;
    let first = url(&core);
    core.apply_feed(false).await;
    // Another program takes the port while the feed is off.
    let squatter = std::net::TcpListener::bind(("127.0.0.1", port_of(&first))).expect("squat");
    core.apply_feed(true).await;
    let moved = url(&core);
    assert_ne!(port_of(&moved), port_of(&first));
    let token = |u: &str| u.split("/feed/").nth(1).map(str::to_string);
    assert_ne!(
        token(&moved),
        token(&first),
        "a new address gets a new token"
    );
    let notice = core.feed_notice().expect("said so");
    assert!(notice.contains(&port_of(&first).to_string()), "{notice}");
    assert_eq!(
        core.preferences().expect("prefs").ics_feed_notice,
        Some(notice)
    );
    let r = reqwest::get(&moved).await.expect("feed");
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.expect("body").starts_with("BEGIN:VCALENDAR"));
    // With the old port free again, the feed stays where calendar apps were told it is now.
    drop(squatter);
    core.apply_feed(false).await;
    core.apply_feed(true).await;
    assert_eq!(url(&core), moved);
    core.shut_down().await;
}
