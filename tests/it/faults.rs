//! Failing parts: a full disk under a running `slotline serve` (a file-size limit set on the live
//! process), damaged, foreign and newer database files, a database locked by another program,
//! and a Secret Service that is missing or locked. Each ends in a clear answer, never a crash
//! loop or a half-written row.

use std::process::Command as StdCommand;
use std::time::{Duration, Instant};

use slotline::sandbox::SandboxConfig;

use crate::common::{connected, Env, SandboxProc};
use crate::power::{integrity, made_up_delivery, post_signed, sha_hex, signing_key};
use crate::serve::{export, free_port, sigterm, start_serve};

fn prlimit_fsize(pid: u32, limit: &str) {
    let out = StdCommand::new("prlimit")
        .args(["--pid", &pid.to_string(), &format!("--fsize={limit}")])
        .output()
        .expect("prlimit (util-linux)");
    assert!(
        out.status.success(),
        "prlimit: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn count(db: &std::path::Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row(sql, [], |r| r.get(0)).expect("count")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_answers_503_writes_nothing_and_storing_resumes_when_space_returns() {
    let (_sb, env) = connected(SandboxConfig::default()).await;
    let port = free_port().await;
    let (mut serve, _lines) = start_serve(&env, port).await;
    let key = signing_key(&env);
    let url = format!("http://127.0.0.1:{port}/webhooks/calendly");
    let http = reqwest::Client::new();
    let db = env.dir.path().join("slotline.db");

    // One delivery stored while there is room.
    let before = made_up_delivery("before");
    assert_eq!(
        post_signed(&http, &url, &key, &before).await,
        Some(reqwest::StatusCode::ACCEPTED)
    );
    let inbox_before = count(&db, "SELECT count(*) FROM webhook_inbox");

    // The disk is "full": no file of the live process may grow past 4 KiB, so every WAL frame
    // (and the database's own pages) fails to be written.
    let pid = serve.id().expect("pid");
    prlimit_fsize(pid, "4096:unlimited");
    let during: Vec<String> = (0..12)
        .map(|n| made_up_delivery(&format!("full-{n}")))
        .collect();
    let mut senders = Vec::new();
    for body in during.clone() {
        let (http, url, key) = (http.clone(), url.clone(), key.clone());
        senders.push(tokio::spawn(async move {
            let t = chrono::Utc::now().timestamp();
            let sig = slotline::webhook::verify::sign(key.as_bytes(), t, body.as_bytes());
            let r = http
                .post(&url)
                .header("content-type", "application/json")
                .header("Calendly-Webhook-Signature", format!("t={t},v1={sig}"))
                .body(body)
                .send()
                .await
                .expect("the receiver answers");
            let status = r.status();
            let retry = r.headers().get("retry-after").is_some();
            (status, retry, r.text().await.unwrap_or_default())
        }));
    }
    for s in senders {
        let (status, retry, text) = s.await.expect("join");
        assert_eq!(
            status,
            reqwest::StatusCode::SERVICE_UNAVAILABLE,
            "a delivery that could not be stored is 503: {text}"
        );
        assert!(retry, "503 says when to retry");
        assert!(text.contains("could not be written"), "{text}");
    }
    assert!(
        serve.try_wait().expect("try_wait").is_none(),
        "SIGXFSZ did not kill the receiver"
    );
    // Nothing half-written: the file is sound and holds exactly what it held before.
    assert_eq!(integrity(&db), "ok");
    assert_eq!(
        count(&db, "SELECT count(*) FROM webhook_inbox"),
        inbox_before
    );
    {
        let conn = rusqlite::Connection::open(&db).expect("open");
        for body in &during {
            let n: i64 = conn
                .query_row(
                    "SELECT count(*) FROM webhook_inbox WHERE body_sha256 = ?1",
                    [sha_hex(body)],
                    |r| r.get(0),
                )
                .expect("count");
            assert_eq!(n, 0);
        }
    }

    // Space returns: Calendly's retries of the same deliveries and new ones are stored.
    prlimit_fsize(pid, "unlimited");
    for body in &during {
        assert_eq!(
            post_signed(&http, &url, &key, body).await,
            Some(reqwest::StatusCode::ACCEPTED),
            "a retry after space returned is stored"
        );
    }
    let after = made_up_delivery("after");
    assert_eq!(
        post_signed(&http, &url, &key, &after).await,
        Some(reqwest::StatusCode::ACCEPTED)
    );
    assert_eq!(integrity(&db), "ok");
    assert_eq!(
        count(&db, "SELECT count(*) FROM webhook_inbox"),
        inbox_before + 13
    );
    // And they are applied, not only stored.
    let mut applied = false;
    for _ in 0..100 {
        let e = export(&env);
        let n = e["events"]
            .as_array()
            .map(|a| a.iter().filter(|e| e["name"] == "Fault").count())
            .unwrap_or(0);
        if n == 14 {
            applied = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(applied, "every stored delivery was applied");
    assert!(sigterm(&mut serve).await.success());
}

// ---- Damaged, foreign and newer database files --------------------------------------------

/// A store made by Slotline itself, then closed.
fn real_store(env: &Env) -> std::path::PathBuf {
    env.cmd(&["status"]).assert().success();
    env.dir.path().join("slotline.db")
}

/// Every subcommand that opens the store, each with what it needs to get that far.
fn store_commands() -> Vec<(Vec<&'static str>, Option<&'static str>)> {
    vec![
        (vec!["status"], None),
        (vec!["sync"], None),
        (vec!["export", "--format", "json"], None),
        (vec!["export", "--format", "ics"], None),
        (vec!["export", "--format", "csv"], None),
        (vec!["disconnect"], None),
        (vec!["connect", "--token-stdin"], Some("some-token")),
        (
            vec![
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--public-url",
                "http://127.0.0.1:9/x",
            ],
            None,
        ),
    ]
}

/// Every store-opening command refuses `path` with one line naming the file, the problem and
/// `slotline reset-store`, and leaves the file as it was; `reset-store` then moves it aside
/// (kept byte for byte) and a fresh store works.
fn refused_then_moved_aside(env: &Env, path: &std::path::Path, problem: &str) {
    let original = std::fs::read(path).expect("read");
    for (args, stdin) in store_commands() {
        let mut cmd = env.cmd(&args);
        cmd.timeout(Duration::from_secs(20));
        if let Some(s) = stdin {
            cmd.write_stdin(s);
        }
        let out = cmd.output().expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{args:?}: one line, got {stderr}");
        let line = lines[0];
        assert!(line.starts_with("slotline: "), "{args:?}: {line}");
        assert!(
            line.contains(&path.display().to_string()),
            "{args:?}: {line}"
        );
        assert!(line.contains(problem), "{args:?}: {line}");
        assert!(line.contains("slotline reset-store"), "{args:?}: {line}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            std::fs::read(path).expect("read") == original,
            "{args:?} changed the file"
        );
    }
    let out = env.cmd(&["reset-store"]).output().expect("reset-store");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let moved: Vec<std::path::PathBuf> = std::fs::read_dir(env.dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("slotline.moved-") && n.ends_with(".db"))
        })
        .collect();
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert!(stdout.contains(&moved[0].display().to_string()), "{stdout}");
    assert!(
        std::fs::read(&moved[0]).expect("read") == original,
        "the moved file is kept as it was"
    );
    env.cmd(&["status"])
        .assert()
        .success()
        .stdout(predicates::str::contains("Connected: no"));
    assert_eq!(integrity(path), "ok");
}

#[test]
fn random_bytes_are_refused_clearly_and_moved_aside() {
    let env = Env::new();
    let path = env.dir.path().join("slotline.db");
    let junk: Vec<u8> = (0..16384u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&path, junk).expect("write");
    refused_then_moved_aside(&env, &path, "is not a SQLite database");
}

#[test]
fn a_damaged_slotline_database_is_refused_clearly_and_moved_aside() {
    let env = Env::new();
    let path = real_store(&env);
    // Keep the 100-byte header, scramble the rest of the first page: the schema is unreadable.
    let mut bytes = std::fs::read(&path).expect("read");
    for (i, b) in bytes.iter_mut().enumerate().take(4096).skip(100) {
        *b = (i as u8).wrapping_mul(37) ^ 0x5a;
    }
    std::fs::write(&path, bytes).expect("write");
    refused_then_moved_aside(&env, &path, "is damaged");
}

#[test]
fn another_programs_database_is_refused_clearly_and_moved_aside() {
    let env = Env::new();
    let path = env.dir.path().join("slotline.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(
            "CREATE TABLE recipes (id INTEGER PRIMARY KEY, title TEXT);
             INSERT INTO recipes (title) VALUES ('Soup');",
        )
        .expect("create");
    }
    refused_then_moved_aside(&env, &path, "belongs to another program");
}

#[test]
fn a_database_from_a_newer_slotline_is_refused_clearly_and_moved_aside() {
    let env = Env::new();
    let path = real_store(&env);
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.pragma_update(None, "user_version", 99)
            .expect("user_version");
        // Checkpoint so the file alone holds everything (the comparison reads the main file).
        conn.pragma_update(None, "journal_mode", "DELETE")
            .expect("journal_mode");
    }
    refused_then_moved_aside(&env, &path, "newer Slotline (schema version 99");
}

#[test]
fn reset_store_with_no_database_says_so() {
    let env = Env::new();
    env.cmd(&["reset-store"])
        .assert()
        .success()
        .stdout(predicates::str::contains("nothing to move"));
}

// ---- A database locked by another program -------------------------------------------------

#[test]
fn a_locked_database_waits_then_fails_clearly_or_succeeds_once_released() {
    let env = Env::new();
    let path = real_store(&env);

    // Held for longer than the wait: a clear error after about 5 s, no panic.
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.execute_batch("BEGIN EXCLUSIVE; INSERT INTO settings (key, value, updated_at) VALUES ('lock-test', '1', 'now');")
        .expect("lock");
    let t = Instant::now();
    let out = env.cmd(&["disconnect"]).output().expect("disconnect");
    let waited = t.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("locked by another program"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        waited >= Duration::from_secs(4),
        "it waited for the lock ({waited:?})"
    );
    conn.execute_batch("ROLLBACK").expect("release");

    // Released within the wait: it goes through.
    conn.execute_batch("BEGIN EXCLUSIVE; INSERT INTO settings (key, value, updated_at) VALUES ('lock-test', '1', 'now');")
        .expect("lock");
    let child = std::thread::spawn({
        let mut cmd = env.cmd(&["disconnect"]);
        move || cmd.output().expect("disconnect")
    });
    std::thread::sleep(Duration::from_millis(1500));
    conn.execute_batch("ROLLBACK").expect("release");
    let out = child.join().expect("join");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(integrity(&path), "ok");
}

// ---- The Secret Service missing or locked --------------------------------------------------

#[test]
fn status_says_plainly_when_there_is_no_secret_service() {
    let env = Env::new();
    let out = env
        .cmd(&["status"])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/slotline-bus",
        )
        .output()
        .expect("status");
    assert!(out.status.success(), "status still reports the rest");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("Keyring: "))
        .unwrap_or_else(|| panic!("a keyring line: {stdout}"));
    assert!(line.contains("not available"), "{line}");
    assert!(line.contains("start a Secret Service"), "{line}");
}

/// A private session bus where the Secret Service is activated on demand but never unlocked,
/// as on a desktop whose login keyring stayed locked.
struct LockedBus {
    child: std::process::Child,
    address: String,
    _home: tempfile::TempDir,
}

impl LockedBus {
    fn start() -> Self {
        use std::io::BufRead;
        let home = tempfile::tempdir().expect("home");
        let run = home.path().join("run");
        std::fs::create_dir_all(&run).expect("run dir");
        let mut child = StdCommand::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .env("HOME", home.path())
            .env("XDG_RUNTIME_DIR", &run)
            .env("XDG_DATA_HOME", home.path().join("share"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("dbus-daemon (package dbus)");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("address");
        Self {
            child,
            address: line.trim().to_string(),
            _home: home,
        }
    }
}

impl Drop for LockedBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn status_says_plainly_when_the_keyring_is_locked_and_connect_stores_nothing() {
    let bus = LockedBus::start();
    let env = Env::new();
    let home = env.dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let out = env
        .cmd(&["status"])
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("HOME", &home)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("status");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find(|l| l.starts_with("Keyring: "))
        .unwrap_or_else(|| panic!("a keyring line: {stdout}"));
    assert_ne!(line, "Keyring: ok", "a locked keyring is not ok");
    assert!(
        line.contains("locked") || line.contains("not available"),
        "{line}"
    );
    assert!(line.contains("and try again"), "says what to do: {line}");

    // `connect` refuses too, and the token lands in no file (no plaintext fallback).
    let sandbox = SandboxProc::start(&[]);
    let token = sandbox.token.clone();
    let out = env
        .cmd(&["connect", "--token-stdin"])
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("HOME", &home)
        .env("SLOTLINE_CALENDLY_API_URL", &sandbox.api_url)
        .env("SLOTLINE_CALENDLY_AUTH_URL", &sandbox.api_url)
        .write_stdin(token.clone())
        .timeout(Duration::from_secs(60))
        .output()
        .expect("connect");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("locked") || stderr.contains("not available"),
        "{stderr}"
    );
    env.cmd(&["status"])
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("HOME", &home)
        .assert()
        .success()
        .stdout(predicates::str::contains("Connected: no"));
    for entry in walk(env.dir.path()) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "the token leaked into {}",
            entry.display()
        );
    }
}

pub(crate) fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}
