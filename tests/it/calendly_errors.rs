//! Calendly failing at every call site the CLI has: `connect --token-stdin` (`GET /users/me`),
//! `sync` (the event listing and the invitee listings) and `disconnect` (deleting our webhook
//! subscription), each answered 401, 403, 404, 429 (with `Retry-After`, with only
//! `X-RateLimit-Reset`, with neither) and 500 through the sandbox's per-path faults. Every case
//! must end without a panic, in a non-zero exit with exactly one `slotline:` line saying what
//! happened and what to do, or in a success after retrying, and never lose stored data: the
//! export after a failed sync equals the export before it. `status` (which asks Calendly
//! nothing) must still answer after each failure.

use std::time::{Duration, Instant};

use serde_json::Value;
use slotline::sandbox::{BookingSpec, PathFault, Sandbox, SandboxConfig, SettingsPatch};

use crate::common::Env;

#[derive(Clone, Copy, Debug)]
enum Site {
    /// `connect --token-stdin`: `GET /users/me`.
    Connect,
    /// `sync`: `GET /scheduled_events`.
    SyncListing,
    /// `sync`: `GET /scheduled_events/{uuid}/invitees`.
    SyncInvitees,
    /// `disconnect`: `DELETE /webhook_subscriptions/{uuid}`.
    Disconnect,
}

impl Site {
    fn fault(self) -> (&'static str, &'static str) {
        match self {
            Site::Connect => ("GET", "/users/me"),
            Site::SyncListing => ("GET", "/scheduled_events"),
            Site::SyncInvitees => ("GET", "/scheduled_events/*/invitees"),
            Site::Disconnect => ("DELETE", "/webhook_subscriptions/*"),
        }
    }
}

/// Extra headers on the injected answer.
#[derive(Clone, Copy, Debug)]
enum Hint {
    None,
    RetryAfter(u64),
    RateLimitReset(u64),
}

#[derive(Clone, Copy, Debug)]
enum Outcome {
    /// Non-zero exit; the one `slotline:` line holds every one of these (case-insensitive).
    Fails(&'static [&'static str]),
    /// Exit 0 after retrying; no `slotline:` line.
    Recovers,
    /// Exit 0 (the command's own work is done), with exactly one `slotline:` warning line
    /// holding these.
    Warns(&'static [&'static str]),
}

struct Case {
    site: Site,
    status: u16,
    hint: Hint,
    /// How many answers are faulty; `None`: all of them.
    times: Option<u32>,
    outcome: Outcome,
}

const fn case(site: Site, status: u16, hint: Hint, times: Option<u32>, outcome: Outcome) -> Case {
    Case {
        site,
        status,
        hint,
        times,
        outcome,
    }
}

use Hint::{RateLimitReset, RetryAfter};
use Outcome::{Fails, Recovers, Warns};
use Site::{Connect, Disconnect, SyncInvitees, SyncListing};

const TOKEN: &[&str] = &["rejected the token", "reconnect calendly"];
/// `connect` words 401 and 403 alike: the token just entered is not good enough.
const NEW_TOKEN: &[&str] = &[
    "did not accept this token",
    "create a new personal access token",
];
const REFUSED: &[&str] = &["calendly refused access (403)", "then try again"];
const MISSING: &[&str] = &["calendly answered 404", "then try again"];
const LIMITED: &[&str] = &["rate limit", "try again"];
const SERVER: &[&str] = &["server error (500)", "try again"];
const SUB: &[&str] = &["webhook subscription could not be deleted"];

/// The matrix: call site × answer → what the user must see.
const MATRIX: &[Case] = &[
    // connect --token-stdin: GET /users/me
    case(Connect, 401, Hint::None, None, Fails(NEW_TOKEN)),
    case(Connect, 403, Hint::None, None, Fails(NEW_TOKEN)),
    case(Connect, 404, Hint::None, None, Fails(MISSING)),
    case(Connect, 429, RetryAfter(1), Some(2), Recovers),
    case(Connect, 429, RateLimitReset(1), Some(2), Recovers),
    case(Connect, 429, Hint::None, Some(1), Recovers),
    case(Connect, 429, RetryAfter(1), None, Fails(LIMITED)),
    case(Connect, 500, Hint::None, Some(2), Recovers),
    case(Connect, 500, Hint::None, None, Fails(SERVER)),
    // sync: GET /scheduled_events
    case(SyncListing, 401, Hint::None, None, Fails(TOKEN)),
    case(SyncListing, 403, Hint::None, None, Fails(REFUSED)),
    case(SyncListing, 404, Hint::None, None, Fails(MISSING)),
    case(SyncListing, 429, RetryAfter(1), Some(2), Recovers),
    case(SyncListing, 429, RateLimitReset(1), Some(2), Recovers),
    case(SyncListing, 429, Hint::None, Some(1), Recovers),
    case(SyncListing, 500, Hint::None, Some(2), Recovers),
    // sync: GET /scheduled_events/{uuid}/invitees
    case(SyncInvitees, 401, Hint::None, None, Fails(TOKEN)),
    case(SyncInvitees, 403, Hint::None, None, Fails(REFUSED)),
    case(SyncInvitees, 404, Hint::None, None, Fails(MISSING)),
    case(SyncInvitees, 429, RetryAfter(1), Some(2), Recovers),
    case(SyncInvitees, 429, RateLimitReset(1), Some(1), Recovers),
    case(SyncInvitees, 500, Hint::None, Some(2), Recovers),
    // disconnect: DELETE /webhook_subscriptions/{uuid} (the local disconnect always completes)
    case(Disconnect, 401, Hint::None, None, Warns(SUB)),
    case(Disconnect, 403, Hint::None, None, Warns(SUB)),
    case(Disconnect, 404, Hint::None, None, Recovers),
    case(Disconnect, 429, RetryAfter(1), Some(2), Recovers),
    case(Disconnect, 500, Hint::None, Some(2), Recovers),
    case(Disconnect, 500, Hint::None, None, Warns(SUB)),
];

fn label(c: &Case) -> String {
    format!("{:?} {} {:?} x{:?}", c.site, c.status, c.hint, c.times)
}

fn set_fault(sb: &Sandbox, c: &Case) {
    let (method, path) = c.site.fault();
    let (retry_after, ratelimit_reset) = match c.hint {
        Hint::None => (None, None),
        Hint::RetryAfter(s) => (Some(s), None),
        Hint::RateLimitReset(s) => (None, Some(s)),
    };
    sb.update_settings(&SettingsPatch {
        faults: Some(vec![PathFault {
            method: Some(method.into()),
            path: path.into(),
            status: c.status,
            times: c.times,
            retry_after,
            ratelimit_reset,
        }]),
        ..SettingsPatch::default()
    });
}

fn clear_faults(sb: &Sandbox) {
    sb.update_settings(&SettingsPatch {
        faults: Some(Vec::new()),
        ..SettingsPatch::default()
    });
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(env: &Env, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = env.cmd(args);
    cmd.env_remove("RUST_BACKTRACE")
        .timeout(Duration::from_secs(60));
    if let Some(s) = stdin {
        cmd.write_stdin(s.to_string());
    }
    let out = cmd.output().expect("run slotline");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn events_of(env: &Env) -> Result<Value, String> {
    let r = run(env, &["export", "--format", "json"], None);
    if r.code != Some(0) {
        return Err(format!("export failed: {}", r.stderr));
    }
    let v: Value = serde_json::from_str(&r.stdout).map_err(|e| format!("export JSON: {e}"))?;
    Ok(v["events"].clone())
}

/// The lines Slotline itself addressed to the user (not progress, not retry logs).
fn said(r: &Run) -> Vec<&str> {
    r.stderr
        .lines()
        .filter(|l| l.starts_with("slotline:"))
        .collect()
}

/// Checks one command's answer against the expected outcome.
fn judge(what: &str, r: &Run, outcome: Outcome) -> Result<(), String> {
    let lower = r.stderr.to_lowercase();
    if lower.contains("panicked") || lower.contains("backtrace") || r.code.is_none() {
        return Err(format!(
            "{what}: crashed (exit {:?}):\n{}",
            r.code, r.stderr
        ));
    }
    let lines = said(r);
    let one_line_with = |needles: &[&str]| -> Result<(), String> {
        let [line] = lines.as_slice() else {
            return Err(format!(
                "{what}: want exactly one `slotline:` line, got {}:\n{}",
                lines.len(),
                r.stderr
            ));
        };
        let l = line.to_lowercase();
        match needles.iter().find(|n| !l.contains(&n.to_lowercase())) {
            Some(n) => Err(format!("{what}: `{line}` does not say `{n}`")),
            None => Ok(()),
        }
    };
    match outcome {
        Outcome::Fails(needles) => {
            if r.code == Some(0) {
                return Err(format!("{what}: exited 0 but should fail:\n{}", r.stderr));
            }
            one_line_with(needles)
        }
        Outcome::Warns(needles) => {
            if r.code != Some(0) {
                return Err(format!("{what}: exit {:?}:\n{}", r.code, r.stderr));
            }
            one_line_with(needles)
        }
        Outcome::Recovers => {
            if r.code != Some(0) || !lines.is_empty() {
                return Err(format!(
                    "{what}: should succeed after retrying, exit {:?}:\n{}",
                    r.code, r.stderr
                ));
            }
            Ok(())
        }
    }
}

fn connect(env: &Env, token: &str) -> Result<(), String> {
    let r = run(env, &["connect", "--token-stdin"], Some(token));
    if r.code == Some(0) {
        Ok(())
    } else {
        Err(format!("setup connect failed: {}", r.stderr))
    }
}

fn status_answers(env: &Env, what: &str) -> Result<Run, String> {
    let r = run(env, &["status"], None);
    if r.code != Some(0) || r.stderr.contains("panicked") {
        return Err(format!("{what}: `status` failed afterwards: {}", r.stderr));
    }
    Ok(r)
}

fn drive(sb: &Sandbox, c: &Case) -> Result<(), String> {
    let what = label(c);
    let env = Env::with_api(&sb.base_url());
    let token = sb.personal_access_token();
    match c.site {
        Site::Connect => {
            set_fault(sb, c);
            let r = run(&env, &["connect", "--token-stdin"], Some(&token));
            judge(&what, &r, c.outcome)?;
            let st = status_answers(&env, &what)?;
            let connected = !st.stdout.contains("Connected: no");
            let want = matches!(c.outcome, Outcome::Recovers);
            if connected != want {
                return Err(format!(
                    "{what}: after connect, status says:\n{}",
                    st.stdout
                ));
            }
        }
        Site::SyncListing | Site::SyncInvitees => {
            connect(&env, &token)?;
            let first = run(&env, &["sync"], None);
            if first.code != Some(0) {
                return Err(format!("{what}: baseline sync failed: {}", first.stderr));
            }
            let before = events_of(&env)?;
            // Something new to fetch, so the failing sync has work (and invitees) to lose.
            sb.book(BookingSpec::default())
                .map_err(|e| format!("{what}: book: {e}"))?;
            set_fault(sb, c);
            let r = run(&env, &["sync"], None);
            judge(&what, &r, c.outcome)?;
            status_answers(&env, &what)?;
            let after = events_of(&env)?;
            let n = |v: &Value| v.as_array().map_or(0, Vec::len);
            match c.outcome {
                Outcome::Recovers if n(&after) != n(&before) + 1 => {
                    return Err(format!(
                        "{what}: the new booking did not arrive ({} → {} events)",
                        n(&before),
                        n(&after)
                    ));
                }
                Outcome::Fails(_) | Outcome::Warns(_) if after != before => {
                    return Err(format!("{what}: the failed sync changed the export"));
                }
                _ => {}
            }
            // Once Calendly answers again, the next sync brings everything.
            clear_faults(sb);
            let again = run(&env, &["sync"], None);
            if again.code != Some(0) {
                return Err(format!("{what}: sync after recovery: {}", again.stderr));
            }
            if n(&events_of(&env)?) != n(&before) + 1 {
                return Err(format!(
                    "{what}: sync after recovery missed the new booking"
                ));
            }
        }
        Site::Disconnect => {
            connect(&env, &token)?;
            let first = run(&env, &["sync"], None);
            if first.code != Some(0) {
                return Err(format!("{what}: baseline sync failed: {}", first.stderr));
            }
            let before = events_of(&env)?;
            // A subscription this app created (as `serve` records it).
            let uri = format!(
                "{}/webhook_subscriptions/0b5a1a2e-0000-4000-8000-00000000c0de",
                sb.base_url().trim_end_matches('/')
            );
            let conn = rusqlite::Connection::open(env.dir.path().join("slotline.db"))
                .map_err(|e| e.to_string())?;
            conn.execute(
                "INSERT INTO webhook_subscriptions (uri, callback_url, state, scope, events_json,
                    created_by_app, raw_json)
                 VALUES (?1, 'https://example.invalid/webhooks/calendly', 'active', 'user',
                    '[\"invitee.created\"]', 1, '{}')",
                [&uri],
            )
            .map_err(|e| e.to_string())?;
            drop(conn);
            set_fault(sb, c);
            let r = run(&env, &["disconnect"], None);
            judge(&what, &r, c.outcome)?;
            let st = status_answers(&env, &what)?;
            if !st.stdout.contains("Connected: no") {
                return Err(format!("{what}: still connected:\n{}", st.stdout));
            }
            if events_of(&env)? != before {
                return Err(format!("{what}: disconnect changed the local history"));
            }
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_calendly_call_site_says_what_happened_for_each_failing_answer() {
    let started = Instant::now();
    let mut jobs = Vec::new();
    for (i, c) in MATRIX.iter().enumerate() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let sb = Sandbox::start(
            SandboxConfig {
                seed: 70 + i as u64,
                events: 12,
                rate_limit_per_minute: 100_000,
                // A short rate-limit window keeps the 429 cases fast: a sync whose first answer
                // is a 429 paces itself until the window's reset.
                rate_limit_window: Duration::from_secs(2),
                ..SandboxConfig::default()
            },
            listener,
            std::future::pending(),
        )
        .await
        .expect("sandbox");
        jobs.push(tokio::task::spawn_blocking(move || {
            let t = Instant::now();
            let r = drive(&sb, c);
            (label(c), t.elapsed(), r)
        }));
    }
    let mut failures = Vec::new();
    for job in jobs {
        let (what, took, result) = job.await.expect("case thread");
        eprintln!("{what}: {:.1} s", took.as_secs_f64());
        if let Err(e) = result {
            failures.push(e);
        }
    }
    eprintln!(
        "{} cases in {:.1} s",
        MATRIX.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}
