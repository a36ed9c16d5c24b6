//! Connect with OAuth against the in-process sandbox and the real keyring: PKCE and the
//! authorize URL, the loopback listener's refusals, the code exchange with and without a client
//! secret, rotation, single-flight refresh, `invalid_grant` → reconnect, revoke on disconnect,
//! and no secret in any artifact.

use std::sync::Arc;
use std::time::Duration;

use calendly_sandbox::{Sandbox, SandboxConfig};
use slotline::calendly::client::Auth;
use slotline::calendly::{ApiError, Client};
use slotline::clock::SystemClock;
use slotline::oauth::loopback::{Callback, Loopback};
use slotline::oauth::tokens::TokenSink;
use slotline::oauth::{OAuthApp, OAuthSession, PendingAuthorization, TokenSet, SCOPES};

use crate::common::oauth::{approve, cli_connect, no_redirects, stored_tokens, CLIENT_ID};
use crate::common::Env;

async fn sandbox(config: SandboxConfig) -> Sandbox {
    crate::common::sandbox(config).await
}

fn app(sb: &Sandbox, port: u16, secret: Option<&str>) -> OAuthApp {
    OAuthApp {
        client_id: CLIENT_ID.into(),
        client_secret: secret.map(str::to_string),
        auth_url: sb.base_url(),
        redirect_port: port,
        redirect_override: None,
    }
}

fn query(url: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(url)
        .expect("url")
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[tokio::test]
async fn the_authorize_url_carries_pkce_s256_state_and_scopes() {
    let sb = sandbox(SandboxConfig::default()).await;
    let pending = PendingAuthorization::begin(&app(&sb, 0, None))
        .await
        .expect("begin");
    let q = query(&pending.authorize_url);
    assert!(pending
        .authorize_url
        .starts_with(&format!("{}/oauth/authorize?", sb.base_url())));
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["code_challenge_method"], "S256");
    // base64url(SHA-256(verifier)) is 43 characters without padding.
    assert_eq!(q["code_challenge"].len(), 43);
    assert!(q["code_challenge"]
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    assert!(q["state"].len() >= 16);
    assert_eq!(
        q["redirect_uri"],
        format!("http://localhost:{}/callback", pending.port())
    );
    let scopes: Vec<&str> = q["scope"].split(' ').collect();
    for s in SCOPES {
        assert!(scopes.contains(s), "scope {s}");
    }
    // A second authorization gets a different state and challenge.
    let other = PendingAuthorization::begin(&app(&sb, 0, None))
        .await
        .expect("begin");
    let q2 = query(&other.authorize_url);
    assert_ne!(q["state"], q2["state"]);
    assert_ne!(q["code_challenge"], q2["code_challenge"]);
}

#[tokio::test]
async fn the_loopback_listener_refuses_what_it_did_not_ask_for() {
    let lb = Loopback::bind(0, "expected-state".into())
        .await
        .expect("bind");
    let port = lb.port();
    let http = no_redirects();
    let url = |q: &str| format!("http://127.0.0.1:{port}{q}");
    // Only 127.0.0.1: another loopback address does not reach it (it is not 0.0.0.0).
    assert!(http
        .get(format!("http://127.0.0.2:{port}/callback"))
        .timeout(Duration::from_secs(2))
        .send()
        .await
        .is_err());
    let r = http.get(url("/favicon.ico")).send().await.expect("404");
    assert_eq!(r.status().as_u16(), 404);
    let r = http
        .get(url("/callback?code=abc&state=wrong"))
        .send()
        .await
        .expect("wrong state");
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.expect("t").contains("state does not match"));
    let r = http
        .get(url("/callback?code=abc"))
        .send()
        .await
        .expect("no state");
    assert_eq!(r.status().as_u16(), 400);
    // The right state with a code: accepted once, "You can close this tab".
    let r = http
        .get(url("/callback?code=the-code&state=expected-state"))
        .send()
        .await
        .expect("ok");
    assert_eq!(r.status().as_u16(), 200);
    assert!(r
        .text()
        .await
        .expect("t")
        .contains("You can close this tab"));
    assert_eq!(
        lb.wait(Duration::from_secs(5)).await.expect("code"),
        Callback::Code("the-code".into())
    );
    // Closed after the one code: a second callback finds nobody listening.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let second = http
        .get(url("/callback?code=again&state=expected-state"))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(second.is_err() || second.expect("r").status().as_u16() == 400);
}

#[tokio::test]
async fn an_error_callback_and_a_missing_code_end_the_flow_clearly() {
    let lb = Loopback::bind(0, "s".into()).await.expect("bind");
    let port = lb.port();
    let r = reqwest::get(format!(
        "http://127.0.0.1:{port}/callback?error=access_denied&state=s"
    ))
    .await
    .expect("error callback");
    assert!(r.text().await.expect("t").contains("access_denied"));
    assert_eq!(
        lb.wait(Duration::from_secs(5)).await.expect("cb"),
        Callback::Error("access_denied".into())
    );
    let lb = Loopback::bind(0, "s".into()).await.expect("bind");
    let port = lb.port();
    let r = reqwest::get(format!("http://127.0.0.1:{port}/callback?state=s"))
        .await
        .expect("no code");
    assert_eq!(r.status().as_u16(), 400);
    assert!(matches!(
        lb.wait(Duration::from_secs(5)).await,
        Ok(Callback::Error(_))
    ));
    let lb = Loopback::bind(0, "s".into()).await.expect("bind");
    assert!(
        lb.wait(Duration::from_millis(200)).await.is_err(),
        "times out"
    );
}

#[tokio::test]
async fn denying_on_the_consent_page_is_a_clear_error() {
    let sb = sandbox(SandboxConfig::default()).await;
    let pending = PendingAuthorization::begin(&app(&sb, 0, None))
        .await
        .expect("begin");
    let url = pending.authorize_url.clone();
    let approve = tokio::spawn(async move { approve(&url, "deny").await });
    let http = slotline::oauth::flow::http_client().expect("http");
    let err = pending
        .finish(Duration::from_secs(10), &http)
        .await
        .expect_err("denied");
    approve.await.expect("browser");
    assert!(err.to_string().contains("did not authorize"), "{err}");
}

fn assert_no_secret(haystacks: &[(&str, Vec<u8>)], secrets: &[&str]) {
    for (name, bytes) in haystacks {
        for s in secrets {
            assert!(
                !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
                "a secret appears in {name}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_with_oauth_from_the_cli_sync_and_disconnect_without_leaking() {
    let sb = sandbox(SandboxConfig::default()).await;
    let env = Env::with_api(&sb.base_url());
    let (ok, stdout, stderr) = cli_connect(&env, &sb, &[], "").await;
    assert!(ok, "{stderr}");
    assert!(stdout.contains("(OAuth)"), "{stdout}");
    let stored = stored_tokens(&env).expect("tokens in the keyring");
    assert_eq!(stored["kind"], "oauth");
    let access = stored["tokens"]["access_token"]
        .as_str()
        .expect("access")
        .to_string();
    let refresh = stored["tokens"]["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_string();

    let status = env.cmd(&["status"]).output().expect("status");
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(text.contains("Auth: OAuth"), "{text}");
    assert!(text.contains("Token refreshed:"), "{text}");
    let sync = env
        .cmd(&["sync"])
        .env("SLOTLINE_LOG", "trace")
        .output()
        .expect("sync");
    assert!(
        sync.status.success(),
        "{}",
        String::from_utf8_lossy(&sync.stderr)
    );

    // No token in the logs, stdout, the database or its WAL.
    let mut artifacts = vec![
        ("connect stderr", stderr.into_bytes()),
        ("connect stdout", stdout.into_bytes()),
        ("status stdout", status.stdout.clone()),
        ("sync stderr", sync.stderr.clone()),
    ];
    for entry in std::fs::read_dir(env.dir.path()).expect("dir") {
        let p = entry.expect("e").path();
        artifacts.push(("data dir file", std::fs::read(&p).unwrap_or_default()));
    }
    assert_no_secret(&artifacts, &[&access, &refresh]);

    // Disconnect revokes at Calendly and removes every secret.
    let out = env.cmd(&["disconnect"]).output().expect("disconnect");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("could not be revoked"),
        "revoked cleanly: {err}"
    );
    assert!(stored_tokens(&env).is_none());
    let client = Client::new(&sb.base_url(), &access).expect("client");
    assert!(matches!(
        client.me().await,
        Err(ApiError::Unauthenticated { .. })
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_web_app_exchanges_the_code_with_its_client_secret() {
    let sb = sandbox(SandboxConfig {
        oauth_client_secret: Some("web-app-secret".into()),
        ..SandboxConfig::default()
    })
    .await;
    let env = Env::with_api(&sb.base_url());
    let (ok, _, stderr) =
        cli_connect(&env, &sb, &["--client-secret-stdin"], "web-app-secret\n").await;
    assert!(ok, "{stderr}");
    assert!(!stderr.contains("web-app-secret"));
    // A wrong secret is refused with one clear line, and nothing is stored.
    let env2 = Env::with_api(&sb.base_url());
    let (ok, _, stderr) =
        cli_connect(&env2, &sb, &["--client-secret-stdin"], "not-the-secret\n").await;
    assert!(!ok);
    assert!(stored_tokens(&env2).is_none());
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.starts_with("slotline:"))
            .count(),
        1,
        "{stderr}"
    );
}

struct CountingSink(std::sync::Mutex<Vec<TokenSet>>);
impl TokenSink for CountingSink {
    fn persist(&self, tokens: &TokenSet) -> Result<(), String> {
        self.0
            .lock()
            .map_err(|e| e.to_string())?
            .push(tokens.clone());
        Ok(())
    }
}

async fn tokens_for(sb: &Sandbox) -> TokenSet {
    let pending = PendingAuthorization::begin(&app(sb, 0, None))
        .await
        .expect("begin");
    let url = pending.authorize_url.clone();
    let browser = tokio::spawn(async move { approve(&url, "allow").await });
    let http = slotline::oauth::flow::http_client().expect("http");
    let tokens = pending
        .finish(Duration::from_secs(10), &http)
        .await
        .expect("tokens");
    browser.await.expect("browser");
    tokens
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_concurrent_calls_on_an_expired_token_refresh_once_and_rotation_kills_the_old_one() {
    let sb = sandbox(SandboxConfig::default()).await;
    let mut tokens = tokens_for(&sb).await;
    let old_refresh = tokens.refresh_token.clone().expect("refresh");
    tokens.expires_at = chrono::Utc::now().timestamp() - 10;
    let sink = Arc::new(CountingSink(Default::default()));
    let session = Arc::new(OAuthSession::new(
        app(&sb, 0, None),
        tokens,
        sink.clone(),
        Arc::new(SystemClock),
    ));
    let client =
        Arc::new(Client::with_auth(&sb.base_url(), Auth::OAuth(session.clone())).expect("client"));
    let before = sb.request_counts().oauth_token;
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.me().await })
        })
        .collect();
    for c in calls {
        c.await.expect("join").expect("me");
    }
    assert_eq!(session.refresh_count(), 1);
    assert_eq!(sb.request_counts().oauth_token - before, 1);
    let persisted = sink.0.lock().expect("lock").clone();
    assert_eq!(persisted.len(), 1, "the new pair was persisted before use");
    let new_refresh = persisted[0].refresh_token.clone().expect("rotated");
    assert_ne!(new_refresh, old_refresh);
    // The old refresh token died at the sandbox: reusing it is invalid_grant.
    let r = reqwest::Client::new()
        .post(format!("{}/oauth/token", sb.base_url()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", old_refresh.as_str()),
            ("client_id", CLIENT_ID),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.expect("t").contains("invalid_grant"));
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_grant_moves_the_app_to_reconnect_not_a_retry_loop() {
    let sb = sandbox(SandboxConfig {
        access_token_ttl: Duration::from_secs(60),
        ..SandboxConfig::default()
    })
    .await;
    let env = Env::with_api(&sb.base_url());
    let (ok, _, stderr) = cli_connect(&env, &sb, &[], "").await;
    assert!(ok, "{stderr}");
    // The refresh token is revoked behind the app's back (a revoked grant at Calendly).
    let stored = stored_tokens(&env).expect("stored");
    let refresh = stored["tokens"]["refresh_token"]
        .as_str()
        .expect("r")
        .to_string();
    let r = reqwest::Client::new()
        .post(format!("{}/oauth/revoke", sb.base_url()))
        .form(&[("token", refresh.as_str()), ("client_id", CLIENT_ID)])
        .send()
        .await
        .expect("revoke");
    assert!(r.status().is_success());
    let before = sb.request_counts().oauth_token;
    // A 60 s token is always "about to expire" (refresh ahead is 5 min): sync must refresh.
    let out = env.cmd(&["sync"]).output().expect("sync");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Reconnect Calendly"), "{err}");
    assert_eq!(
        sb.request_counts().oauth_token - before,
        1,
        "one refresh attempt, no loop"
    );
    let status = env.cmd(&["status"]).output().expect("status");
    assert!(String::from_utf8_lossy(&status.stdout).contains("Reconnect Calendly:"));
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_crosses_ipc() {
    // Everything the window can read through IPC, built from a store connected with OAuth,
    // with a client secret and an ngrok authtoken in the keyring: no secret in any of it.
    let sb = sandbox(SandboxConfig {
        oauth_client_secret: Some("web-app-secret-for-ipc".into()),
        ..SandboxConfig::default()
    })
    .await;
    let env = Env::with_api(&sb.base_url());
    let (ok, _, stderr) = cli_connect(
        &env,
        &sb,
        &["--client-secret-stdin"],
        "web-app-secret-for-ipc\n",
    )
    .await;
    assert!(ok, "{stderr}");
    let out = env
        .cmd(&["ngrok-token", "--stdin"])
        .write_stdin("ngrok-secret-authtoken-xyz")
        .output()
        .expect("ngrok-token");
    assert!(out.status.success());
    let sync = env.cmd(&["sync"]).output().expect("sync");
    assert!(sync.status.success());
    let stored = stored_tokens(&env).expect("stored");
    let access = stored["tokens"]["access_token"]
        .as_str()
        .expect("a")
        .to_string();
    let refresh = stored["tokens"]["refresh_token"]
        .as_str()
        .expect("r")
        .to_string();

    let config = slotline::config::Config::with_data_dir(env.dir.path());
    let store = slotline::store::Store::open(&config.db_path()).expect("store");
    let secrets = slotline::secrets::Keyring::new(config.profile());
    let status = store.read(|tx| slotline::feed::status(tx)).expect("status");
    let settings = slotline::connect::settings_view(&store, &secrets).expect("settings");
    assert!(settings.has_client_secret);
    let prefs = slotline::prefs::load(&store).expect("prefs");
    let now = chrono::Utc::now().timestamp_millis();
    let events = store
        .read(|tx| slotline::feed::calendar_range(tx, 0, i64::MAX, true))
        .expect("events");
    let detail = store
        .read(|tx| slotline::feed::event_detail(tx, &events[0].uri))
        .expect("detail");
    let contacts = store
        .read(|tx| slotline::feed::contacts(tx, None, now))
        .expect("contacts");
    let payloads = [
        serde_json::to_string(&status).expect("json"),
        serde_json::to_string(&settings).expect("json"),
        serde_json::to_string(&prefs).expect("json"),
        serde_json::to_string(&events).expect("json"),
        serde_json::to_string(&detail).expect("json"),
        serde_json::to_string(&contacts).expect("json"),
    ];
    for p in &payloads {
        for s in [
            access.as_str(),
            refresh.as_str(),
            "web-app-secret-for-ipc",
            "ngrok-secret-authtoken-xyz",
        ] {
            assert!(!p.contains(s), "a secret would cross IPC");
        }
    }
}

/// A Production app's setting: a free loopback port standing in for the tunnel's target, the
/// public URL that reaches it, the HTTPS-style redirect registered for it (the sandbox accepts
/// only that one) and a data directory configured for the sandbox.
struct Production {
    port: u16,
    public: String,
    registered: String,
    sb: Sandbox,
    dir: tempfile::TempDir,
    config: slotline::config::Config,
}

async fn production() -> Production {
    let port = crate::common::free_port();
    let public = format!("http://127.0.0.1:{port}");
    let registered = slotline::oauth::relay::redirect_uri(&public);
    let sb = sandbox(SandboxConfig {
        oauth_redirect_uris: vec![registered.clone()],
        ..SandboxConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = slotline::config::Config::with_data_dir(dir.path());
    config.api_url = sb.base_url();
    config.auth_url = sb.base_url();
    Production {
        port,
        public,
        registered,
        sb,
        dir,
        config,
    }
}

/// A Production Calendly app may not redirect to `http://localhost`: its registered redirect is
/// `https://<public domain>/oauth/callback`, which reaches the webhook receiver through the
/// tunnel. Here the public URL points straight at the local receiver (no ngrok), and the
/// sandbox's OAuth server accepts only that redirect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_production_app_signs_in_through_the_receivers_https_redirect() {
    use slotline::live::{Live, LiveEvent, LiveOptions};
    use slotline::tunnel::Exposure;

    let Production {
        port,
        public,
        registered,
        sb,
        dir: _dir,
        config,
    } = production().await;
    // The live service runs (connected with a personal token), its receiver on `port`.
    let store = Arc::new(slotline::store::Store::open(&config.db_path()).expect("store"));
    let secrets = slotline::secrets::Keyring::new(config.profile());
    slotline::connect::connect_pat(
        &config,
        &store,
        &secrets,
        &sb.personal_access_token(),
        true,
        chrono::Utc::now(),
    )
    .await
    .expect("connect");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let live = Live::start(
        store.clone(),
        secrets.clone(),
        LiveOptions {
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
            exposure: Exposure::PublicUrl(public.clone()),
            reconcile_every: Duration::from_secs(3600),
            check_subscription_every: Duration::from_secs(3600),
        },
        tx,
    )
    .await
    .expect("live");
    loop {
        match tokio::time::timeout(Duration::from_secs(20), rx.recv()).await {
            Ok(Some(LiveEvent::Say(s))) if s == "ready" => break,
            Ok(Some(_)) => {}
            other => panic!("live service not ready: {other:?}"),
        }
    }
    let http = no_redirects();
    let callback = format!("{public}/oauth/callback");

    // Nothing waits yet: the route exists but refuses.
    let resp = http
        .get(format!("{callback}?code=x&state=y"))
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status().as_u16(), 404);

    // The loopback redirect is not the registered one: Calendly (the sandbox) refuses it.
    let loopback = PendingAuthorization::begin(&app(&sb, 0, None))
        .await
        .expect("begin");
    let page = http
        .get(&loopback.authorize_url)
        .send()
        .await
        .expect("authorize")
        .text()
        .await
        .expect("page");
    assert!(page.contains("is not registered"), "{page}");
    drop(loopback);

    let production = OAuthApp {
        redirect_override: Some(registered.clone()),
        ..app(&sb, 0, None)
    };
    let relay = live.oauth_relay();
    let pending = PendingAuthorization::begin_relayed(&production, &relay)
        .await
        .expect("begin relayed");
    let q = query(&pending.authorize_url);
    assert_eq!(q["redirect_uri"], registered);
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(relay.waiting());

    // A callback with the wrong state changes nothing.
    let resp = http
        .get(format!("{callback}?code=forged&state=not-ours"))
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status().as_u16(), 400);
    assert!(
        relay.waiting(),
        "a wrong state does not consume the sign-in"
    );

    let url = pending.authorize_url.clone();
    let browser = tokio::spawn(async move { approve(&url, "allow").await });
    let exchange = slotline::oauth::flow::http_client().expect("http");
    let tokens = pending
        .finish(Duration::from_secs(10), &exchange)
        .await
        .expect("tokens through the receiver's redirect");
    let (status, page) = browser.await.expect("browser");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("You can close this tab"), "{page}");
    assert!(!relay.waiting(), "one-shot");

    // The tokens are good, and the webhook route beside the redirect still works.
    let client = Client::new(&sb.base_url(), &tokens.access_token).expect("client");
    assert_eq!(client.me().await.expect("me").uri, sb.user_uri());
    let resp = http
        .get(format!("{callback}?code=again&state=whatever"))
        .send()
        .await
        .expect("get");
    assert_eq!(
        resp.status().as_u16(),
        404,
        "a second callback finds nothing waiting"
    );
    let resp = http
        .get(format!("{public}/webhooks/calendly"))
        .send()
        .await
        .expect("get");
    assert_eq!(
        resp.status().as_u16(),
        405,
        "the webhook route is still served"
    );
    live.stop().await.expect("stop");
}

/// The first connection of a Production app: no live service (and so no receiver) runs yet, so
/// the redirect route is served alone on the port the tunnel forwards to, until the sign-in ends;
/// the account and tokens land in the store and the keyring as with the loopback flow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_production_connection_serves_the_https_redirect_itself() {
    let Production {
        port,
        public,
        registered,
        sb,
        dir: _dir,
        config,
    } = production().await;
    let store = slotline::store::Store::open(&config.db_path()).expect("store");
    let secrets = slotline::secrets::Keyring::new(config.profile());
    let production = OAuthApp {
        redirect_override: Some(registered.clone()),
        ..app(&sb, 0, None)
    };
    let pending = slotline::connect::begin_production_oauth(
        &production,
        None,
        std::net::SocketAddr::from(([127, 0, 0, 1], port)),
    )
    .await
    .expect("begin");
    assert_eq!(query(&pending.authorize_url)["redirect_uri"], registered);
    let url = pending.authorize_url.clone();
    let browser = tokio::spawn(async move { approve(&url, "allow").await });
    let acct = slotline::connect::finish_oauth(
        &config,
        &store,
        &secrets,
        &production,
        pending,
        Duration::from_secs(10),
        chrono::Utc::now(),
    )
    .await
    .expect("connected");
    let (status, page) = browser.await.expect("browser");
    assert_eq!(status, 200, "{page}");
    assert_eq!(acct.user_uri, sb.user_uri());
    assert_eq!(acct.auth_kind, "oauth");
    let (_, client) = slotline::connect::client(&store, &secrets).expect("client");
    assert_eq!(client.me().await.expect("me").uri, sb.user_uri());
    // The sign-in is over: its listener is gone.
    let gone = no_redirects()
        .get(format!("{public}/oauth/callback?code=x&state=y"))
        .send()
        .await;
    assert!(gone.is_err(), "the one-shot listener closed");
}

/// Where the window receives a Production app's redirect, by the Real time settings.
#[tokio::test]
async fn the_production_redirect_route_follows_the_real_time_settings() {
    use slotline::connect::{redirect_route, RedirectRoute};
    use slotline::prefs::{self, Preferences};
    let dir = tempfile::tempdir().expect("tempdir");
    let config = slotline::config::Config::with_data_dir(dir.path());
    let store = slotline::store::Store::open(&config.db_path()).expect("store");
    let secrets = slotline::secrets::Keyring::new(config.profile());
    let now = chrono::Utc::now();

    // The live service runs: its receiver serves the route.
    assert!(matches!(
        redirect_route(&store, &secrets, true, 8787),
        Ok(RedirectRoute::Live(_))
    ));
    // Real time off: no public address, and the error says what to do.
    let err = redirect_route(&store, &secrets, false, 8787)
        .err()
        .expect("refused");
    assert!(err.to_string().contains("under Real time"), "{err}");
    // The user's own public URL forwards to the fixed local port.
    prefs::save(
        &store,
        Preferences {
            webhook_mode: slotline::prefs::WebhookMode::PublicUrl,
            public_url: Some("https://cal.example.org".into()),
            ..Preferences::default()
        },
        now,
    )
    .expect("prefs");
    assert!(matches!(
        redirect_route(&store, &secrets, false, 8787),
        Ok(RedirectRoute::Listen(a)) if a == std::net::SocketAddr::from(([127, 0, 0, 1], 8787))
    ));
    // ngrok without an authtoken in the keyring: refused with the next step.
    prefs::save(
        &store,
        Preferences {
            webhook_mode: slotline::prefs::WebhookMode::Ngrok,
            ..Preferences::default()
        },
        now,
    )
    .expect("prefs");
    let err = redirect_route(&store, &secrets, false, 8787)
        .err()
        .expect("refused");
    assert!(err.to_string().contains("ngrok authtoken"), "{err}");
}

/// The redirect says `localhost`, which a browser may resolve to `::1` first: the listener
/// answers there too, and a `::1` port that another program holds is refused (it would get
/// the authorization code) instead of being left to it.
#[tokio::test]
async fn the_loopback_listener_answers_on_ipv6_too_and_refuses_a_taken_ipv6_port() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("no IPv6 loopback on this machine: the IPv4 listener alone is right here");
        return;
    }
    let lb = Loopback::bind(0, "expected-state".into())
        .await
        .expect("bind");
    assert!(lb.on_ipv6());
    let r = reqwest::get(format!(
        "http://[::1]:{}/callback?state=not-ours&code=x",
        lb.port()
    ))
    .await
    .expect("::1 answers");
    assert_eq!(
        r.status().as_u16(),
        400,
        "the listener itself refused the foreign state"
    );
    drop(lb);

    let port = crate::common::free_port();
    let _squatter = std::net::TcpListener::bind(("::1", port)).expect("squat ::1");
    let err = match Loopback::bind(port, "s".into()).await {
        Ok(_) => panic!("a taken ::1 port must not be shared with another program"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("[::1]") && err.contains(&port.to_string()),
        "{err}"
    );
}
