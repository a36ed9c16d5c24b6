//! Durability proven, not assumed. The adversary is a power cut right after a 2xx: Calendly
//! never resends an acknowledged delivery, so the row must be on disk before the answer leaves.
//! `slotline serve` runs under `strace`, genuine signed deliveries are posted one at a time, and
//! the trace must show, for every acknowledged one, an `fsync`/`fdatasync` of the database's
//! `-wal` file completing between the read of its request and the write of its `HTTP/1.1 2xx`.
//! (The writer's own check of `synchronous` is `webhook::the_writer_commits_with_synchronous_full`.)

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use calendly_sandbox::SandboxConfig;
use slotline::webhook::PATH;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::common::deliveries::{made_up_delivery, post_signed, signing_key};
use crate::common::serve::{free_port, wait_ready};
use crate::common::{bin, connected};

const DELIVERIES: usize = 8;

/// What one line of `strace -f -y` says, for this test.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    /// A read that returned the start of a delivery's request.
    Request,
    /// A sync of the `-wal` file that completed.
    WalSynced,
    /// A write that starts a 2xx answer.
    Answer2xx,
}

/// The events of a trace, in the order strace saw them complete (a request read and a sync
/// when they returned; an answer when its write was entered, which is when its bytes exist).
fn events(trace: &str) -> Vec<Seen> {
    let mut out = Vec::new();
    // Per thread: an fsync of the WAL entered and not yet returned.
    let mut syncing: HashMap<&str, bool> = HashMap::new();
    for line in trace.lines() {
        // strace pads a pid shorter than five digits (`8257  17:32:01.1 read(…`): split on runs
        // of spaces, not on each one.
        let Some((pid, rest)) = line.trim_start().split_once(' ') else {
            continue;
        };
        let Some((_time, call)) = rest.trim_start().split_once(' ') else {
            continue;
        };
        let is_sync = call.starts_with("fsync(") || call.starts_with("fdatasync(");
        if is_sync {
            let wal = call.split_once('<').is_some_and(|(_, rest)| {
                rest.split('>')
                    .next()
                    .is_some_and(|p| p.ends_with(".db-wal"))
            });
            if call.contains("<unfinished ...>") {
                syncing.insert(pid, wal);
            } else if wal && call.trim_end().ends_with("= 0") {
                out.push(Seen::WalSynced);
            }
            continue;
        }
        if let Some(rest) = call.strip_prefix("<... ") {
            if rest.starts_with("fsync resumed>") || rest.starts_with("fdatasync resumed>") {
                if syncing.remove(pid) == Some(true) && rest.trim_end().ends_with("= 0") {
                    out.push(Seen::WalSynced);
                }
                continue;
            }
            if (rest.starts_with("read resumed>") || rest.starts_with("recvfrom resumed>"))
                && rest.contains(&format!("\"POST {PATH}"))
            {
                out.push(Seen::Request);
            }
            continue;
        }
        let reads = call.starts_with("read(") || call.starts_with("recvfrom(");
        if reads && call.contains(&format!("\"POST {PATH}")) {
            out.push(Seen::Request);
        }
        let writes = ["write(", "writev(", "sendto(", "sendmsg("]
            .iter()
            .any(|w| call.starts_with(w));
        if writes && call.contains("\"HTTP/1.1 2") {
            out.push(Seen::Answer2xx);
        }
    }
    out
}

/// For each acknowledged delivery, in order: whether a WAL sync completed between its request
/// and its 2xx. The deliveries are sequential, so each request is followed by its own answer.
fn synced_before_each_answer(events: &[Seen]) -> Vec<bool> {
    let mut out = Vec::new();
    let mut open: Option<bool> = None;
    for e in events {
        match e {
            Seen::Request => open = Some(false),
            Seen::WalSynced => {
                if let Some(synced) = open.as_mut() {
                    *synced = true;
                }
            }
            Seen::Answer2xx => {
                if let Some(synced) = open.take() {
                    out.push(synced);
                }
            }
        }
    }
    out
}

#[test]
fn the_trace_reader_tells_a_synced_answer_from_an_unsynced_one() {
    let synced = r#"10 12:00:00.000001 recvfrom(9<TCP:[1]>, "POST /webhooks/calendly HTTP/1.1\r\nhost"..., 8192, 0, NULL, NULL) = 900
11 12:00:00.000002 fdatasync(7</d/slotline.db-wal> <unfinished ...>
10 12:00:00.000003 recvfrom(12<TCP:[2]>, "HTTP/1.1 200 OK\r\n"..., 8192, 0, NULL, NULL) = 300
11 12:00:00.000004 <... fdatasync resumed>) = 0
10 12:00:00.000005 writev(9<TCP:[1]>, [{iov_base="HTTP/1.1 202 Accepted\r\n"..., iov_len=120}], 1) = 140
10 12:00:01.000001 read(9<TCP:[1]>, "POST /webhooks/calendly HTTP/1.1\r\n"..., 8192) = 900
11 12:00:01.000002 fdatasync(8</d/slotline.db>) = 0
10 12:00:01.000003 sendto(9<TCP:[1]>, "HTTP/1.1 202 Accepted\r\n"..., 140, MSG_NOSIGNAL, NULL, 0) = 140
10 12:00:02.000001 recvfrom(13<socket:[3]>,  <unfinished ...>
11 12:00:02.000002 fsync(7</d/slotline.db-wal>) = 0
10 12:00:02.000003 <... recvfrom resumed>"POST /webhooks/calendly ", 24, 0, NULL, NULL) = 24
10 12:00:02.000004 recvfrom(13<socket:[3]>, "HTTP/1.1\r\ncontent-type: application/json"..., 8192, 0, NULL, NULL) = 900
11 12:00:02.000005 fsync(7</d/slotline.db-wal> <unfinished ...>
10 12:00:02.000006 writev(13<socket:[3]>, [{iov_base="HTTP/1.1 202 Accepted\r\n"..., iov_len=114}], 1) = 114
11 12:00:02.000007 <... fsync resumed>) = 0
"#;
    let e = events(synced);
    // The first is synced; the second syncs the database file, not the WAL; the third's WAL
    // sync came before its request and its own one returned only after the answer.
    assert_eq!(synced_before_each_answer(&e), vec![true, false, false]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_delivery_is_synced_to_the_wal_before_its_2xx() {
    let strace_ok = std::process::Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(strace_ok, "strace is needed (.ci/setup.sh installs it)");
    let (_sb, env) = connected(SandboxConfig::default()).await;
    let port = free_port().await;
    let trace_path = env.dir.path().join("serve.strace");
    let mut cmd = Command::new("strace");
    cmd.args(["-f", "-y", "-tt", "-s", "64", "-o"])
        .arg(&trace_path)
        .args([
            "-e",
            "trace=fsync,fdatasync,read,recvfrom,write,writev,sendto,sendmsg",
        ])
        .arg(bin())
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--public-url",
            &format!("http://127.0.0.1:{port}"),
        ])
        .env("SLOTLINE_DATA_DIR", env.dir.path())
        .env_remove("DISPLAY")
        .env_remove("SLOTLINE_HTTP_TIMEOUT_SECS")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(api) = &env.api_url {
        cmd.env("SLOTLINE_CALENDLY_API_URL", api)
            .env("SLOTLINE_CALENDLY_AUTH_URL", api);
    }
    let mut strace = cmd.spawn().expect("spawn strace");
    let mut lines = BufReader::new(strace.stderr.take().expect("stderr")).lines();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok(Some(l)) = lines.next_line().await {
            let _ = tx.send(l);
        }
    });
    wait_ready(&mut rx, Duration::from_secs(60))
        .await
        .unwrap_or_else(|seen| panic!("serve under strace did not get ready: {seen:?}"));

    let key = signing_key(&env);
    let url = format!("http://127.0.0.1:{port}{PATH}");
    // One connection, one delivery at a time: each request's answer comes before the next
    // request, and the processor's own commit (its apply) lands in the pause between them.
    let http = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(1)
        .build()
        .expect("client");
    let nonce: u64 = rand::random();
    for i in 0..DELIVERIES {
        let body = made_up_delivery(&format!("durable-{nonce}-{i}"));
        let status = post_signed(&http, &url, &key, &body).await;
        assert_eq!(status.map(|s| s.as_u16()), Some(202), "delivery {i}");
        tokio::time::sleep(Duration::from_millis(400)).await;
    }

    // Stop serve (strace's child) cleanly; strace ends with it.
    let strace_pid = strace.id().expect("pid");
    let children =
        std::fs::read_to_string(format!("/proc/{strace_pid}/task/{strace_pid}/children"))
            .expect("strace's children");
    let serve_pid = children.split_whitespace().next().expect("serve's pid");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", serve_pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let ended = tokio::time::timeout(Duration::from_secs(20), strace.wait())
        .await
        .expect("serve stops")
        .expect("wait");
    assert!(ended.success(), "{ended:?}");

    let trace = std::fs::read_to_string(&trace_path).expect("trace");
    if let Some(keep) = std::env::var_os("SLOTLINE_KEEP_TRACE") {
        std::fs::write(keep, &trace).expect("keep the trace");
    }
    let seen = events(&trace);
    let requests = seen.iter().filter(|e| **e == Seen::Request).count();
    let answers = seen.iter().filter(|e| **e == Seen::Answer2xx).count();
    assert_eq!((requests, answers), (DELIVERIES, DELIVERIES), "{seen:?}");
    let synced = synced_before_each_answer(&seen);
    assert_eq!(synced.len(), DELIVERIES, "{seen:?}");
    let unsynced: Vec<usize> = synced
        .iter()
        .enumerate()
        .filter(|(_, s)| !**s)
        .map(|(i, _)| i)
        .collect();
    assert!(
        unsynced.is_empty(),
        "deliveries {unsynced:?} were answered 2xx with no sync of the WAL since their request"
    );
}

#[test]
fn the_trace_reader_reads_padded_pids() {
    // A pid under five digits is padded: the reader must not take the padding for a field.
    let trace = r#"812   12:00:00.000001 read(9<TCP:[1]>, "POST /webhooks/calendly HTTP/1.1\r\n"..., 8192) = 900
813   12:00:00.000002 fdatasync(7</d/slotline.db-wal>) = 0
812   12:00:00.000003 writev(9<TCP:[1]>, [{iov_base="HTTP/1.1 202 Accepted\r\n"..., iov_len=120}], 1) = 140
"#;
    let seen = events(trace);
    assert_eq!(
        seen.iter().filter(|e| **e == Seen::Request).count(),
        1,
        "{seen:?}"
    );
    assert_eq!(synced_before_each_answer(&seen), vec![true], "{seen:?}");
}
