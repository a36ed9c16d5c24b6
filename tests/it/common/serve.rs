//! `slotline serve` as a child process: started, waited for, stopped with SIGTERM, and the
//! export of its data directory.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::{bin, Env};

/// [`crate::common::free_port`], for the async tests that import it from here.
pub async fn free_port() -> u16 {
    crate::common::free_port()
}

/// Starts `slotline serve`, waits for "serve: ready", returns the child and its stderr lines.
pub async fn start_serve(
    env: &Env,
    port: u16,
) -> (Child, tokio::sync::mpsc::UnboundedReceiver<String>) {
    start_serve_with(env, port, &[]).await
}

/// [`start_serve`] with extra environment variables (e.g. `SLOTLINE_LOG=trace`).
pub async fn start_serve_with(
    env: &Env,
    port: u16,
    vars: &[(&str, &str)],
) -> (Child, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let (child, mut rx) = spawn_serve(env, port, vars);
    let seen = wait_ready(&mut rx, Duration::from_secs(20))
        .await
        .unwrap_or_else(|seen| panic!("serve did not get ready: {seen:?}"));
    let (tx2, rx2) = tokio::sync::mpsc::unbounded_channel();
    for l in seen {
        let _ = tx2.send(l);
    }
    tokio::spawn(async move {
        while let Some(l) = rx.recv().await {
            let _ = tx2.send(l);
        }
    });
    (child, rx2)
}

/// The lines up to and including "serve: ready" (`Err` with the lines seen when it did not come
/// within `within`, or serve ended first).
pub async fn wait_ready(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<String>,
    within: Duration,
) -> Result<Vec<String>, Vec<String>> {
    let mut seen = Vec::new();
    let ready = tokio::time::timeout(within, async {
        while let Some(l) = rx.recv().await {
            let done = l.contains("serve: ready");
            seen.push(l);
            if done {
                return true;
            }
        }
        false
    })
    .await;
    if matches!(ready, Ok(true)) {
        Ok(seen)
    } else {
        Err(seen)
    }
}

/// Spawns `slotline serve` on `port` (its public URL pointing at itself) with `vars`; its stderr
/// lines arrive on the receiver. The caller waits for "serve: ready" as it needs.
pub fn spawn_serve(
    env: &Env,
    port: u16,
    vars: &[(&str, &str)],
) -> (Child, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let mut cmd = Command::new(bin());
    cmd.args([
        "serve",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--public-url",
        &format!("http://127.0.0.1:{port}"),
    ])
    .env("SLOTLINE_DATA_DIR", env.dir.path())
    .env_remove("DISPLAY")
    .env_remove("SLOTLINE_HTTP_TIMEOUT_SECS")
    .env_remove("RUST_BACKTRACE")
    .envs(vars.iter().copied())
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .kill_on_drop(true);
    if let Some(api) = &env.api_url {
        cmd.env("SLOTLINE_CALENDLY_API_URL", api)
            .env("SLOTLINE_CALENDLY_AUTH_URL", api);
    }
    let mut child = cmd.spawn().expect("spawn serve");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok(Some(l)) = lines.next_line().await {
            let _ = tx.send(l);
        }
    });
    (child, rx)
}

pub fn export(env: &Env) -> Value {
    let out = env
        .cmd(&["export", "--format", "json"])
        .output()
        .expect("export");
    serde_json::from_slice(&out.stdout).expect("json")
}

pub async fn sigterm(child: &mut Child) -> std::process::ExitStatus {
    let pid = child.id().expect("pid") as i32;
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("stops within 10 s")
        .expect("wait")
}
