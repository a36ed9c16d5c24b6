//! Known secrets (a personal access token, an OAuth client secret and the tokens it earns, the
//! webhook signing key, an ngrok authtoken) go through connect, sync, serve with a delivery,
//! status, every export format and disconnect with `SLOTLINE_LOG=trace`; none of them, raw, hex
//! or base64, appears in any command's output or in any file of the data directory. And the
//! default log level keeps no personal data: no invitee's email, name or answer.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use calendly_sandbox::{BookingSpec, SandboxConfig};
use serde_json::Value;

use crate::common::deliveries::{made_up_delivery, post_signed, signing_key};
use crate::common::oauth::{cli_connect, stored_tokens};
use crate::common::serve::{export, free_port, sigterm};
use crate::common::walk;
use crate::common::Env;

const PAT: &str = "pat-known-secret-4f9d2a7c1e8b6035";
const CLIENT_SECRET: &str = "client-secret-known-9b3e5d1f7a2c4086";
const NGROK: &str = "ngrok-authtoken-known-2c7e9a4f1b6d8350";

/// Every output and file that could hold a secret.
#[derive(Default)]
struct Artifacts(Vec<(String, Vec<u8>)>);

impl Artifacts {
    fn add(&mut self, name: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.0.push((name.into(), bytes.into()));
    }

    fn output(&mut self, name: &str, out: &std::process::Output) {
        self.add(format!("{name} stdout"), out.stdout.clone());
        self.add(format!("{name} stderr"), out.stderr.clone());
    }

    /// Runs `cmd`, which must succeed, and keeps its output under `name`.
    fn run(&mut self, name: &str, cmd: &mut assert_cmd::Command) {
        let out = cmd.output().expect("run");
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.output(name, &out);
    }

    fn data_dir(&mut self, dir: &std::path::Path) {
        for path in walk(dir) {
            let bytes = std::fs::read(&path).unwrap_or_default();
            self.add(path.display().to_string(), bytes);
        }
    }

    /// No secret in any form in any artifact.
    fn assert_clean(&self, secrets: &[(&str, String)]) {
        for (what, secret) in secrets {
            let b64 = base64::engine::general_purpose::STANDARD;
            let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            let forms = [
                secret.clone(),
                hex::encode(secret),
                b64.encode(secret),
                url.encode(secret),
            ];
            for (name, bytes) in &self.0 {
                for form in &forms {
                    assert!(
                        !bytes.windows(form.len()).any(|w| w == form.as_bytes()),
                        "the {what} appears in {name}"
                    );
                }
            }
        }
    }
}

/// Every secret of `env`'s profile in the keyring right now, read back with `secret-tool`.
fn keyring_secrets(env: &Env) -> Vec<(&'static str, String)> {
    use slotline::secrets::SecretKind;
    let profile = slotline::config::Config::with_data_dir(env.dir.path()).profile();
    let mut out = Vec::new();
    for (name, kind) in [
        ("stored Calendly token", SecretKind::CalendlyToken),
        ("webhook signing key", SecretKind::WebhookSigningKey),
        ("OAuth client secret", SecretKind::OAuthClientSecret),
        (
            "OAuth webhook signing key",
            SecretKind::OAuthWebhookSigningKey,
        ),
        ("ngrok authtoken", SecretKind::NgrokAuthtoken),
    ] {
        let (service, user) = slotline::secrets::keyring_attributes(&profile, kind);
        let found = std::process::Command::new("secret-tool")
            .args(["lookup", "service", &service, "username", &user])
            .output()
            .expect("secret-tool");
        let value = String::from_utf8_lossy(&found.stdout).trim().to_string();
        if !value.is_empty() {
            out.push((name, value));
        }
    }
    out
}

/// `slotline serve` with trace logs; its stderr lines are collected until it stops.
async fn serve_traced(env: &Env, port: u16) -> (tokio::process::Child, Arc<Mutex<Vec<String>>>) {
    let (child, mut rx) =
        crate::common::serve::start_serve_with(env, port, &[("SLOTLINE_LOG", "trace")]).await;
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    tokio::spawn(async move {
        while let Some(l) = rx.recv().await {
            sink.lock().expect("lock").push(l);
        }
    });
    (child, lines)
}

#[tokio::test(flavor = "multi_thread")]
async fn known_secrets_appear_in_no_output_log_database_or_export() {
    let sb = crate::common::sandbox(SandboxConfig {
        personal_access_token: PAT.into(),
        oauth_client_secret: Some(CLIENT_SECRET.into()),
        events: 40,
        ..SandboxConfig::default()
    })
    .await;
    let env = Env::with_api(&sb.base_url());
    let mut art = Artifacts::default();
    let traced = |args: &[&str]| {
        let mut c = env.cmd(args);
        c.env("SLOTLINE_LOG", "trace");
        c
    };

    art.run(
        "connect",
        traced(&["connect", "--token-stdin"]).write_stdin(format!("{PAT}\n")),
    );
    art.run(
        "ngrok-token",
        traced(&["ngrok-token", "--stdin"]).write_stdin(format!("{NGROK}\n")),
    );
    for args in [&["sync"][..], &["status"][..]] {
        art.run(&args.join(" "), &mut traced(args));
    }

    // serve: a subscription with a signing key, a signed delivery of ours and one from Calendly.
    let port = free_port().await;
    let (mut serve, serve_lines) = serve_traced(&env, port).await;
    let key = signing_key(&env);
    let http = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/webhooks/calendly");
    assert_eq!(
        post_signed(&http, &url, &key, &made_up_delivery("secrets")).await,
        Some(reqwest::StatusCode::ACCEPTED)
    );
    let booked = sb.book(BookingSpec::random()).expect("book");
    let mut seen = false;
    for _ in 0..100 {
        let e = export(&env);
        seen = e["events"].as_array().is_some_and(|a| {
            a.iter()
                .flat_map(|e| e["invitees"].as_array().into_iter().flatten())
                .any(|i| i["uri"] == booked.invitee_uri.as_str())
        });
        if seen {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(seen, "the booking arrived through the webhook");
    assert!(sigterm(&mut serve).await.success());
    art.add("serve stderr", serve_lines.lock().expect("lock").join("\n"));
    let mut stored = keyring_secrets(&env);

    for args in [
        &["export", "--format", "json"][..],
        &["export", "--format", "ics"][..],
        &["export", "--format", "csv"][..],
        &["export", "--format", "csv", "--csv", "contacts"][..],
    ] {
        art.run(&args.join(" "), &mut traced(args));
    }

    // OAuth with a client secret (a web app), then a sync on its tokens.
    let (ok, stdout, stderr) = cli_connect(
        &env,
        &sb,
        &["--client-secret-stdin"],
        &format!("{CLIENT_SECRET}\n"),
    )
    .await;
    assert!(ok, "{stderr}");
    art.add("connect --oauth stdout", stdout);
    art.add("connect --oauth stderr", stderr);
    let tokens: Value = stored_tokens(&env).expect("OAuth tokens in the keyring");
    let access = tokens["tokens"]["access_token"]
        .as_str()
        .expect("access")
        .to_string();
    let refresh = tokens["tokens"]["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_string();
    for args in [&["sync"][..], &["status"][..]] {
        art.run(&format!("oauth {}", args.join(" ")), &mut traced(args));
    }
    stored.extend(keyring_secrets(&env));
    // Every file while connected (database, WAL, logs, sandbox state), then after disconnect.
    art.data_dir(env.dir.path());
    art.run("disconnect", &mut traced(&["disconnect"]));
    art.data_dir(env.dir.path());

    let logs: Vec<_> = walk(&env.dir.path().join("logs"));
    assert!(
        !logs.is_empty(),
        "trace logs were written to the data directory"
    );
    assert!(
        logs.iter().any(|p| std::fs::metadata(p)
            .map(|m| m.len() > 10_000)
            .unwrap_or(false)),
        "the logs hold the trace (so the check is not vacuous)"
    );
    // Both subscriptions' signing keys (user and organization) and everything else stored.
    assert!(
        stored.len() >= 4,
        "{:?}",
        stored.iter().map(|s| s.0).collect::<Vec<_>>()
    );
    let mut secrets = vec![
        ("personal access token", PAT.to_string()),
        ("OAuth client secret", CLIENT_SECRET.to_string()),
        ("ngrok authtoken", NGROK.to_string()),
        ("webhook signing key", key),
        ("OAuth access token", access),
        ("OAuth refresh token", refresh),
    ];
    secrets.extend(stored);
    art.assert_clean(&secrets);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_default_log_level_keeps_no_personal_data() {
    let sb = crate::common::sandbox(SandboxConfig {
        events: 40,
        ..SandboxConfig::default()
    })
    .await;
    let env = Env::with_api(&sb.base_url());
    let mut art = Artifacts::default();
    let out = env
        .cmd(&["connect", "--token-stdin"])
        .write_stdin(sb.personal_access_token())
        .output()
        .expect("connect");
    assert!(out.status.success());
    art.add("connect stderr", out.stderr);
    let out = env.cmd(&["sync"]).output().expect("sync");
    assert!(out.status.success());
    art.add("sync stderr", out.stderr);
    let port = free_port().await;
    let (mut serve, lines) = crate::common::serve::start_serve(&env, port).await;
    let booked = sb.book(BookingSpec::random()).expect("book");
    sb.cancel(&booked.invitee_uri, false, Some("Personal reason"))
        .expect("cancel");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(sigterm(&mut serve).await.success());
    let mut lines = lines;
    let mut serve_err = String::new();
    while let Ok(l) = lines.try_recv() {
        serve_err.push_str(&l);
        serve_err.push('\n');
    }
    art.add("serve stderr", serve_err);
    for p in walk(&env.dir.path().join("logs")) {
        let bytes = std::fs::read(&p).unwrap_or_default();
        art.add(p.display().to_string(), bytes);
    }

    // What the invitees told Calendly: emails, names, answers, cancellation reasons.
    let state = serde_json::to_value(sb.snapshot()).expect("state");
    let mut personal: Vec<(&str, String)> = Vec::new();
    for i in state["invitees"].as_array().expect("invitees") {
        for (what, v) in [("email", &i["email"]), ("name", &i["name"])] {
            if let Some(s) = v.as_str().filter(|s| s.len() >= 5) {
                personal.push((what, s.to_string()));
            }
        }
        for qa in i["questions_and_answers"].as_array().into_iter().flatten() {
            if let Some(a) = qa["answer"].as_str().filter(|s| s.len() >= 8) {
                personal.push(("answer", a.to_string()));
            }
        }
    }
    personal.push(("cancellation reason", "Personal reason".into()));
    assert!(personal.len() > 40);
    for (what, value) in &personal {
        for (name, bytes) in &art.0 {
            assert!(
                !bytes.windows(value.len()).any(|w| w == value.as_bytes()),
                "an invitee's {what} appears in {name} at the default log level"
            );
        }
    }
}

#[test]
fn logs_go_to_a_daily_file_in_the_data_dir_and_old_ones_are_pruned() {
    let env = Env::new();
    let logs = env.dir.path().join("logs");
    std::fs::create_dir_all(&logs).expect("logs dir");
    // Ten days of older logs, and a file that is not a log.
    for day in 1..=10 {
        std::fs::write(logs.join(format!("slotline.2026-10-{day:02}.log")), "old\n")
            .expect("old log");
    }
    std::fs::write(logs.join("notes.txt"), "mine").expect("other file");
    let out = env
        .cmd(&["status"])
        .env("SLOTLINE_LOG", "debug")
        .output()
        .expect("status");
    assert!(out.status.success());
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let names: Vec<String> = std::fs::read_dir(&logs)
        .expect("logs")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let log_files: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("slotline.") && n.ends_with(".log"))
        .collect();
    assert!(
        names.contains(&format!("slotline.{today}.log")),
        "today's file: {names:?}"
    );
    assert_eq!(
        log_files.len(),
        slotline::LOG_FILES_KEPT,
        "at most {} log files are kept: {names:?}",
        slotline::LOG_FILES_KEPT
    );
    // Files that are not Slotline's logs are left alone.
    assert!(names.contains(&"notes.txt".to_string()));
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&logs).expect("logs").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "the logs are the user's alone");
    }
    // What went to stderr went to the file too.
    let text = std::fs::read_to_string(logs.join(format!("slotline.{today}.log"))).expect("read");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if let Some(line) = stderr.lines().find(|l| l.contains("DEBUG")) {
        let tail = line.split("DEBUG").nth(1).unwrap_or_default().trim();
        assert!(text.contains(tail), "{tail} in the log file");
    }
    assert!(!text.contains('\u{1b}'), "no terminal colours in the file");
}
