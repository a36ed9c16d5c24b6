//! Private by default. The adversary: another account on the same computer reading Slotline's
//! data folder (a client list, bookings, answers). Through the real CLI binary run with a umask
//! of 022, starting from the folder an older version left (0755, with a 0644 database and log),
//! after connect, sync, an export written into the folder, serve receiving a delivery, the
//! sandbox's state file and reset-store, the folder and every folder in it are 0700 and every
//! file 0600. Tightening what was looser is said once.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use calendly_sandbox::{BookingSpec, SandboxConfig};
use slotline::export::{self, CsvKind, ExportFormat, ExportOptions, Range};
use slotline::store::Store;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::common::deliveries::{made_up_delivery, post_signed, signing_key};
use crate::common::serve::{free_port, sigterm, wait_ready};
use crate::common::{bin, Env};

const NOTICE: &str = "could be read by other users";

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

fn chmod(p: &Path, m: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod");
}

/// Every folder and file under `dir` (itself included) whose mode lets anyone else in.
fn not_private(dir: &Path) -> Vec<(PathBuf, u32)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        let m = mode(&p);
        let meta = std::fs::symlink_metadata(&p).expect("metadata");
        if meta.is_dir() {
            if m != 0o700 {
                out.push((p.clone(), m));
            }
            for e in std::fs::read_dir(&p).expect("read_dir") {
                stack.push(e.expect("entry").path());
            }
        } else if m != 0o600 {
            out.push((p, m));
        }
    }
    out
}

fn assert_private(dir: &Path, after: &str) {
    let loose = not_private(dir);
    assert!(
        loose.is_empty(),
        "after {after}: {:?}",
        loose
            .iter()
            .map(|(p, m)| format!("{} {m:o}", p.display()))
            .collect::<Vec<_>>()
    );
}

/// `slotline ARGS` as `Env::cmd` runs it, with a umask of 022.
fn cli(env: &Env, args: &[&str], stdin: Option<&str>) -> Output {
    let mut c = std::process::Command::new(bin());
    c.args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("SLOTLINE_DATA_DIR", env.dir.path())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(api) = &env.api_url {
        c.env("SLOTLINE_CALENDLY_API_URL", api)
            .env("SLOTLINE_CALENDLY_AUTH_URL", api);
    }
    // SAFETY: umask is async-signal-safe and touches only the child.
    unsafe {
        c.pre_exec(|| {
            libc::umask(0o022);
            Ok(())
        });
    }
    let mut child = c.spawn().expect("spawn slotline");
    if let Some(input) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "slotline {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn notices(out: &Output) -> usize {
    String::from_utf8_lossy(&out.stderr).matches(NOTICE).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_folder_and_every_file_slotline_writes_in_it_are_private() {
    let sb = crate::common::sandbox(SandboxConfig::default()).await;
    let env = Env::with_api(&sb.base_url());
    let dir = env.dir.path().to_path_buf();
    let db = dir.join("slotline.db");

    // The folder as an older version left it, readable by everyone.
    drop(Store::open(&db).expect("create a database"));
    std::fs::create_dir(dir.join("logs")).expect("logs");
    std::fs::write(dir.join("logs/slotline.2026-01-01.log"), "old\n").expect("old log");
    for p in [&dir, &dir.join("logs")] {
        chmod(p, 0o755);
    }
    for p in [db.clone(), dir.join("logs/slotline.2026-01-01.log")] {
        chmod(&p, 0o644);
    }
    assert!(!not_private(&dir).is_empty(), "the set-up is loose");

    // connect: tightens everything, and says so once.
    let out = cli(
        &env,
        &["connect", "--token-stdin"],
        Some(&sb.personal_access_token()),
    );
    assert_eq!(notices(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    assert_private(&dir, "connect");

    // sync: nothing left to say.
    let out = cli(&env, &["sync"], None);
    assert_eq!(notices(&out), 0);
    assert_private(&dir, "sync");

    // An export written into the data folder (the window's export to a file).
    {
        let store = Store::open(&db).expect("open");
        for format in [ExportFormat::Ics, ExportFormat::Csv, ExportFormat::Json] {
            let path = export::export_to_file(
                &store,
                &dir,
                format,
                &ExportOptions {
                    range: Range::default(),
                    include_canceled: true,
                    csv: CsvKind::Meetings,
                    now: chrono::Utc::now(),
                },
            )
            .expect("export");
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
    assert_private(&dir, "export to a file");

    // serve, with a delivery stored (the WAL and SHM exist and are written).
    let port = free_port().await;
    let mut cmd = tokio::process::Command::new(bin());
    cmd.args([
        "serve",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--public-url",
        &format!("http://127.0.0.1:{port}"),
    ])
    .env("SLOTLINE_DATA_DIR", &dir)
    .env("SLOTLINE_CALENDLY_API_URL", sb.base_url())
    .env("SLOTLINE_CALENDLY_AUTH_URL", sb.base_url())
    .env_remove("DISPLAY")
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .kill_on_drop(true);
    // SAFETY: as above.
    unsafe {
        cmd.pre_exec(|| {
            libc::umask(0o022);
            Ok(())
        });
    }
    let mut serve = cmd.spawn().expect("spawn serve");
    let mut lines = BufReader::new(serve.stderr.take().expect("stderr")).lines();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok(Some(l)) = lines.next_line().await {
            let _ = tx.send(l);
        }
    });
    let seen = wait_ready(&mut rx, Duration::from_secs(30))
        .await
        .unwrap_or_else(|seen| panic!("serve: {seen:?}"));
    assert!(!seen.iter().any(|l| l.contains(NOTICE)), "{seen:?}");
    let key = signing_key(&env);
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let url = format!("http://127.0.0.1:{port}/webhooks/calendly");
    let body = made_up_delivery("private");
    assert_eq!(
        post_signed(&http, &url, &key, &body)
            .await
            .map(|s| s.as_u16()),
        Some(202)
    );
    for companion in ["slotline.db-wal", "slotline.db-shm"] {
        assert!(dir.join(companion).exists(), "{companion} while serving");
    }
    assert_private(&dir, "serve, while running");
    assert!(sigterm(&mut serve).await.success());
    assert_private(&dir, "serve");

    // The offline sandbox's state file, kept in the data folder.
    let state = slotline::config::Config::with_data_dir(&dir).sandbox_state_path();
    let local = crate::common::sandbox(SandboxConfig {
        state_file: Some(state.clone()),
        ..SandboxConfig::default()
    })
    .await;
    local.book(BookingSpec::random()).expect("book");
    for _ in 0..50 {
        if state.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(state.exists(), "the sandbox saved its state");
    assert_private(&dir, "the sandbox's state file");

    // reset-store: the moved-aside copies and the new database.
    let out = cli(&env, &["reset-store"], None);
    assert_eq!(notices(&out), 0);
    let moved = std::fs::read_dir(&dir)
        .expect("read_dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".moved-"))
        .count();
    assert!(moved >= 1, "a moved-aside copy");
    assert!(db.exists(), "a fresh database");
    assert_private(&dir, "reset-store");
}
