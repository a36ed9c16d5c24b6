//! The CLI contract, driven from outside: `slotline sandbox` as a child process, then
//! `connect`, `sync`, `export`, `status` and `disconnect` against it, with no display.

use predicates::str::contains;
use serde_json::Value;

use crate::common::{expected_events, exported_events, Env, SandboxProc};

fn export(env: &Env) -> Value {
    let out = env
        .cmd(&["export", "--format", "json"])
        .output()
        .expect("export");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("export is JSON")
}

fn connect(env: &Env, token: &str) {
    env.cmd(&["connect", "--token-stdin"])
        .write_stdin(format!("  {token}\n"))
        .assert()
        .success()
        .stdout(contains("Connected to Calendly as"));
}

fn rows_written(stderr: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(stderr);
    let line = text
        .lines()
        .find(|l| l.contains("rows written"))
        .unwrap_or_else(|| panic!("no summary in {text}"));
    line.split("rows written")
        .next()
        .and_then(|s| s.split_whitespace().last())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("bad summary {line}"))
}

#[test]
fn sync_then_export_equals_the_sandbox_and_a_second_sync_changes_nothing() {
    let sandbox = SandboxProc::start(&["--events", "150", "--seed", "7"]);
    let env = Env::with_api(&sandbox.api_url);
    connect(&env, &sandbox.token);

    let first = env.cmd(&["sync"]).output().expect("sync");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(
        stderr.contains("sync: page 1"),
        "progress on stderr: {stderr}"
    );
    assert!(rows_written(&first.stderr) > 0);

    let state = sandbox.get("/_sandbox/state");
    let want = expected_events(&state);
    assert!(
        want.len() >= 150,
        "the sandbox has its events ({})",
        want.len()
    );
    let got = export(&env);
    let got_events = exported_events(&got);
    assert_eq!(got_events.len(), want.len());
    for (g, w) in got_events.iter().zip(&want) {
        pretty_assertions::assert_eq!(g, w);
    }
    // Every key of the contract is present.
    for e in got["events"].as_array().expect("events") {
        for k in [
            "uri",
            "name",
            "status",
            "start_time",
            "end_time",
            "event_type",
            "location",
            "hosts",
            "invitees",
            "guests",
        ] {
            assert!(e.get(k).is_some(), "event lacks {k}");
        }
        assert!(e["start_time"].as_str().expect("s").ends_with('Z'));
    }
    // Contacts: one per email, case-insensitively, each with activity.
    let contacts = got["contacts"].as_array().expect("contacts");
    let mut emails: Vec<String> = contacts
        .iter()
        .map(|c| c["email"].as_str().expect("email").to_lowercase())
        .collect();
    let n = emails.len();
    emails.sort();
    emails.dedup();
    assert_eq!(emails.len(), n, "duplicate contacts by email");
    let invitee_emails: std::collections::BTreeSet<String> = state["invitees"]
        .as_array()
        .expect("invitees")
        .iter()
        .map(|i| i["email"].as_str().expect("email").to_lowercase())
        .collect();
    for e in &invitee_emails {
        assert!(emails.contains(e), "invitee {e} is a contact");
    }
    let kinds: std::collections::BTreeSet<&str> = contacts
        .iter()
        .flat_map(|c| c["activity"].as_array().expect("activity").iter())
        .map(|a| a["kind"].as_str().expect("kind"))
        .collect();
    for k in ["booked", "canceled", "rescheduled", "no_show"] {
        assert!(
            kinds.contains(k),
            "the sandbox's history yields {k} activities: {kinds:?}"
        );
    }

    // A second sync: nothing written, the same export.
    let second = env.cmd(&["sync"]).output().expect("sync");
    assert!(second.status.success());
    assert_eq!(
        rows_written(&second.stderr),
        0,
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    pretty_assertions::assert_eq!(export(&env), got);

    // status reads the same store.
    env.cmd(&["status"])
        .assert()
        .success()
        .stdout(contains("Connected: Maya"))
        .stdout(contains(format!("{} events", want.len())))
        .stdout(contains("Keyring: ok"));

    // --from/--to narrows the export to those UTC days.
    let first_day = &want
        .iter()
        .map(|e| e["start_time"].as_str().expect("s")[..10].to_string())
        .min()
        .expect("some event");
    let narrowed = env
        .cmd(&[
            "export", "--format", "json", "--from", first_day, "--to", first_day,
        ])
        .output()
        .expect("export");
    let narrowed: Value = serde_json::from_slice(&narrowed.stdout).expect("json");
    let n_day = want
        .iter()
        .filter(|e| {
            e["start_time"]
                .as_str()
                .expect("s")
                .starts_with(first_day.as_str())
        })
        .count();
    assert_eq!(narrowed["events"].as_array().expect("events").len(), n_day);

    // Disconnect keeps the history and removes the token.
    env.cmd(&["disconnect"])
        .assert()
        .success()
        .stdout(contains("history was kept"));
    env.cmd(&["status"])
        .assert()
        .success()
        .stdout(contains("Connected: no"));
    assert_eq!(exported_events(&export(&env)).len(), want.len());
    env.cmd(&["sync"])
        .assert()
        .failure()
        .stderr(contains("not connected"));
}

#[test]
fn a_bad_token_is_one_clear_line_and_nothing_is_stored() {
    let sandbox = SandboxProc::start(&[]);
    let env = Env::with_api(&sandbox.api_url);
    let out = env
        .cmd(&["connect", "--token-stdin"])
        .write_stdin("not-a-real-token\n")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("did not accept this token"), "{stderr}");
    assert!(!stderr.contains("panicked"));
    env.cmd(&["status"])
        .assert()
        .success()
        .stdout(contains("Connected: no"));

    let out = env
        .cmd(&["connect", "--token-stdin"])
        .write_stdin("   \n")
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("token is empty"));
}

#[test]
fn no_secret_service_means_a_clear_error_and_no_plaintext() {
    let sandbox = SandboxProc::start(&[]);
    let env = Env::with_api(&sandbox.api_url);
    let out = env
        .cmd(&["connect", "--token-stdin"])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/slotline-bus",
        )
        .write_stdin(format!("{}\n", sandbox.token))
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("keyring is not available"), "{stderr}");
    assert!(stderr.contains("Secret Service"), "{stderr}");
    // Nothing was stored anywhere: not connected, and the token is in no file of the data dir.
    env.cmd(&["status"])
        .assert()
        .success()
        .stdout(contains("Connected: no"));
    for entry in std::fs::read_dir(env.dir.path()).expect("dir") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).unwrap_or_default();
        assert!(
            !bytes
                .windows(sandbox.token.len())
                .any(|w| w == sandbox.token.as_bytes()),
            "the token leaked into {}",
            path.display()
        );
    }
}

#[test]
fn help_lists_every_subcommand_and_unlanded_ones_say_so() {
    let env = Env::new();
    let out = env.cmd(&["--help"]).output().expect("help");
    let help = String::from_utf8_lossy(&out.stdout);
    for sub in [
        "connect",
        "serve",
        "sync",
        "export",
        "status",
        "disconnect",
        "sandbox",
    ] {
        assert!(help.contains(sub), "--help lists {sub}: {help}");
    }
    // ngrok without an authtoken says how to store one.
    env.cmd(&["serve", "--tunnel", "ngrok"])
        .env_remove("NGROK_AUTHTOKEN")
        .assert()
        .failure()
        .stderr(contains("ngrok-token --stdin"));
    env.cmd(&["sync"])
        .assert()
        .failure()
        .stderr(contains("not connected"));
    // OAuth without a client ID says what to pass.
    env.cmd(&["connect", "--oauth"])
        .assert()
        .failure()
        .stderr(contains("--client-id"));
}
