//! Calendly failing at every call site Slotline has, through the sandbox's per-path faults:
//! `connect --token-stdin` (`GET /users/me`); `sync` (the event listing, the invitee listings,
//! the single-event lookup of events that vanished from the listing, and the OAuth token
//! refresh after a 401); `serve` setting up its webhook subscription (listing and creating);
//! `disconnect` (deleting our webhook subscription, revoking an OAuth sign-in). Each answers
//! 401, 403, 404, 429 (with `Retry-After`, with only `X-RateLimit-Reset`, with neither), 500,
//! OAuth's `invalid_grant`, or nothing at all (a stall past a 2 s `SLOTLINE_HTTP_TIMEOUT_SECS`),
//! where that answer means something there.
//!
//! Every case must end without a panic, in a non-zero exit with exactly one `slotline:` line
//! saying what happened and what to do, in a success after retrying, or (disconnect) in a
//! completed disconnect with one warning saying what it means; `serve` must say what it does
//! instead and keep running. No case may lose stored data, `status` must still answer, and once
//! Calendly answers again the next run brings everything (or, after a failed deletion, the
//! advice in the warning works).

use std::time::{Duration, Instant};

use calendly_sandbox::{BookingSpec, PathFault, Sandbox, SandboxConfig, SettingsPatch};
use serde_json::{json, Value};

use crate::common::Env;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Site {
    /// `connect --token-stdin`: `GET /users/me`.
    Connect,
    /// `sync`: `GET /scheduled_events`.
    SyncListing,
    /// `sync`: `GET /scheduled_events/{uuid}/invitees`.
    SyncInvitees,
    /// `sync`: `GET /scheduled_events/{uuid}` for a stored active event the listing lacks.
    SyncLookup,
    /// `sync` with OAuth: the listing answers 401 once, then `POST /oauth/token` (the refresh).
    Refresh,
    /// `serve` at start: `GET /webhook_subscriptions`.
    ServeList,
    /// `serve` at start: `POST /webhook_subscriptions`.
    ServeCreate,
    /// `disconnect`: `DELETE /webhook_subscriptions/{uuid}` of the subscription we created.
    Disconnect,
    /// `disconnect` with OAuth: `POST /oauth/revoke`.
    Revoke,
}

/// The stored event Calendly no longer lists (its lookup answers 404 when no fault is set).
const GHOST: &str = "00000000-0000-4000-8000-00000000a0a1";

impl Site {
    fn fault(self) -> (&'static str, String) {
        let p = |s: &str| s.to_string();
        match self {
            Site::Connect => ("GET", p("/users/me")),
            Site::SyncListing => ("GET", p("/scheduled_events")),
            Site::SyncInvitees => ("GET", p("/scheduled_events/*/invitees")),
            Site::SyncLookup => ("GET", format!("/scheduled_events/{GHOST}")),
            Site::Refresh => ("POST", p("/oauth/token")),
            Site::ServeList => ("GET", p("/webhook_subscriptions")),
            Site::ServeCreate => ("POST", p("/webhook_subscriptions")),
            Site::Disconnect => ("DELETE", p("/webhook_subscriptions/*")),
            Site::Revoke => ("POST", p("/oauth/revoke")),
        }
    }
}

/// What the injected answer carries beyond its status.
#[derive(Clone, Copy, Debug)]
enum Hint {
    None,
    RetryAfter(u64),
    RateLimitReset(u64),
    /// No answer within the client's 2 s timeout (the sandbox holds it 5 s, then answers
    /// for real).
    Stall,
    /// OAuth's `{"error": "invalid_grant"}` body.
    InvalidGrant,
}

/// The request timeout every stall case runs with.
const TIMEOUT_SECS: &str = "2";
const STALL_MS: u64 = 5_000;

#[derive(Clone, Copy, Debug)]
enum Outcome {
    /// Non-zero exit; the one `slotline:` line holds every one of these (case-insensitive).
    Fails(&'static [&'static str]),
    /// Exit 0 after retrying; no `slotline:` line (`serve`: its subscription is active).
    Recovers,
    /// Exit 0 (the command's own work is done), with exactly one `slotline:` warning line
    /// holding these (`serve`: a line of its own saying these, and it keeps running).
    Warns(&'static [&'static str]),
}

struct Case {
    site: Site,
    /// 0 with [`Hint::Stall`]: the real answer, too late.
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

use Hint::{InvalidGrant, RateLimitReset, RetryAfter, Stall};
use Outcome::{Fails, Recovers, Warns};
use Site::{
    Connect, Disconnect, Refresh, Revoke, ServeCreate, ServeList, SyncInvitees, SyncListing,
    SyncLookup,
};

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
const TIMEOUT: &[&str] = &[
    "calendly did not answer within 2 s",
    "check the network, then try again",
    "SLOTLINE_HTTP_TIMEOUT_SECS",
];
/// A refresh answered `invalid_grant`: the sign-in is gone for good.
const GRANT: &[&str] = &["no longer accepts", "reconnect calendly"];
const NO_REFRESH: &[&str] = &[
    "could not refresh the calendly sign-in",
    "keeps the stored sign-in",
    "reconnect calendly if this keeps happening",
];
const NO_REFRESH_500: &[&str] = &[
    "could not refresh the calendly sign-in",
    "internal server error",
    "keeps the stored sign-in",
];
const NO_REFRESH_TIMEOUT: &[&str] = &[
    "could not refresh the calendly sign-in",
    "did not answer within 2 s",
    "keeps the stored sign-in",
];
/// `serve` goes on without webhooks and says so.
const SERVE_FAILED: &[&str] = &["could not set up the webhook subscription", "polling alone"];
const SERVE_TOKEN: &[&str] = &[
    "could not set up the webhook subscription",
    "rejected the token",
    "polling alone",
];
const SERVE_404: &[&str] = &[
    "could not set up the webhook subscription",
    "404",
    "polling alone",
];
const SERVE_500: &[&str] = &[
    "could not set up the webhook subscription",
    "server error (500)",
    "polling alone",
];
const SERVE_TIMEOUT: &[&str] = &[
    "could not set up the webhook subscription",
    "did not answer within 2 s",
    "polling alone",
];
const SERVE_REFUSED: &[&str] = &["calendly refused webhooks", "polling alone"];
/// What a subscription left at Calendly means and how to remove it.
const SUB: &[&str] = &[
    "webhook subscription slotline created could not be deleted at calendly",
    "keeps sending new bookings",
    "up to 24 hours",
    "disables the subscription",
    "or `slotline disconnect`; Slotline kept the record",
];
const SUB_403: &[&str] = &[
    "could not be deleted",
    "refused access (403",
    "or `slotline disconnect`; Slotline kept the record",
];
const SUB_500: &[&str] = &[
    "could not be deleted",
    "server error (500",
    "or `slotline disconnect`; Slotline kept the record",
];
const SUB_TIMEOUT: &[&str] = &[
    "could not be deleted",
    "did not answer within 2 s",
    "keeps sending",
];
const REVOKE: &[&str] = &[
    "could not be revoked at calendly",
    "removed both tokens",
    "expires by itself within 2 hours",
];
const REVOKE_TIMEOUT: &[&str] = &[
    "could not be revoked",
    "did not answer within 2 s",
    "removed both tokens",
];

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
    case(Connect, 0, Stall, None, Fails(TIMEOUT)),
    // sync: GET /scheduled_events
    case(SyncListing, 401, Hint::None, None, Fails(TOKEN)),
    case(SyncListing, 403, Hint::None, None, Fails(REFUSED)),
    case(SyncListing, 404, Hint::None, None, Fails(MISSING)),
    case(SyncListing, 429, RetryAfter(1), Some(2), Recovers),
    case(SyncListing, 429, RateLimitReset(1), Some(2), Recovers),
    case(SyncListing, 429, Hint::None, Some(1), Recovers),
    case(SyncListing, 500, Hint::None, Some(2), Recovers),
    case(SyncListing, 0, Stall, Some(1), Recovers),
    case(SyncListing, 0, Stall, None, Fails(TIMEOUT)),
    // sync: GET /scheduled_events/{uuid}/invitees
    case(SyncInvitees, 401, Hint::None, None, Fails(TOKEN)),
    case(SyncInvitees, 403, Hint::None, None, Fails(REFUSED)),
    case(SyncInvitees, 404, Hint::None, None, Fails(MISSING)),
    case(SyncInvitees, 429, RetryAfter(1), Some(2), Recovers),
    case(SyncInvitees, 429, RateLimitReset(1), Some(1), Recovers),
    case(SyncInvitees, 500, Hint::None, Some(2), Recovers),
    case(SyncInvitees, 0, Stall, Some(2), Recovers),
    case(SyncInvitees, 0, Stall, None, Fails(TIMEOUT)),
    // sync: GET /scheduled_events/{uuid} of an event the listing no longer shows. 404 is
    // Calendly saying it is gone (the row is canceled); 403 says nothing about it (kept).
    case(SyncLookup, 401, Hint::None, None, Fails(TOKEN)),
    case(SyncLookup, 403, Hint::None, None, Recovers),
    case(SyncLookup, 404, Hint::None, None, Recovers),
    case(SyncLookup, 429, RetryAfter(1), Some(2), Recovers),
    case(SyncLookup, 500, Hint::None, Some(2), Recovers),
    case(SyncLookup, 0, Stall, Some(1), Recovers),
    case(SyncLookup, 0, Stall, None, Fails(TIMEOUT)),
    // sync with OAuth: a 401 on the listing, then the refresh answers (status 0 without a
    // stall: the refresh works)
    case(Refresh, 0, Hint::None, None, Recovers),
    case(Refresh, 400, InvalidGrant, None, Fails(GRANT)),
    case(Refresh, 500, Hint::None, None, Fails(NO_REFRESH_500)),
    case(Refresh, 429, Hint::None, None, Fails(NO_REFRESH)),
    case(Refresh, 0, Stall, None, Fails(NO_REFRESH_TIMEOUT)),
    // serve at start: GET /webhook_subscriptions (403 is a plan without webhooks)
    case(ServeList, 401, Hint::None, None, Warns(SERVE_TOKEN)),
    case(ServeList, 403, Hint::None, None, Warns(SERVE_REFUSED)),
    case(ServeList, 404, Hint::None, None, Warns(SERVE_404)),
    case(ServeList, 429, RetryAfter(1), Some(2), Recovers),
    case(ServeList, 500, Hint::None, Some(2), Recovers),
    case(ServeList, 500, Hint::None, None, Warns(SERVE_500)),
    case(ServeList, 0, Stall, None, Warns(SERVE_TIMEOUT)),
    // serve at start: POST /webhook_subscriptions
    case(ServeCreate, 401, Hint::None, None, Warns(SERVE_TOKEN)),
    case(ServeCreate, 403, Hint::None, None, Warns(SERVE_REFUSED)),
    case(ServeCreate, 404, Hint::None, None, Warns(SERVE_404)),
    case(ServeCreate, 429, RateLimitReset(1), Some(1), Recovers),
    case(ServeCreate, 500, Hint::None, None, Warns(SERVE_FAILED)),
    // Calendly creates it but answers too late: the next start adopts it.
    case(ServeCreate, 0, Stall, Some(1), Warns(SERVE_TIMEOUT)),
    // disconnect: DELETE /webhook_subscriptions/{uuid} (the local disconnect always completes)
    case(Disconnect, 401, Hint::None, None, Warns(SUB)),
    case(Disconnect, 403, Hint::None, None, Warns(SUB_403)),
    case(Disconnect, 404, Hint::None, None, Recovers),
    case(Disconnect, 429, RetryAfter(1), Some(2), Recovers),
    case(Disconnect, 500, Hint::None, Some(2), Recovers),
    case(Disconnect, 500, Hint::None, None, Warns(SUB_500)),
    case(Disconnect, 0, Stall, None, Warns(SUB_TIMEOUT)),
    // disconnect with OAuth: POST /oauth/revoke
    case(Revoke, 400, Hint::None, None, Warns(REVOKE)),
    case(Revoke, 403, Hint::None, None, Warns(REVOKE)),
    case(Revoke, 500, Hint::None, None, Warns(REVOKE)),
    case(Revoke, 0, Stall, None, Warns(REVOKE_TIMEOUT)),
];

fn label(c: &Case) -> String {
    match c.hint {
        Stall => format!("{:?} timeout x{:?}", c.site, c.times),
        _ => format!("{:?} {} {:?} x{:?}", c.site, c.status, c.hint, c.times),
    }
}

fn fault_of(c: &Case) -> PathFault {
    let (method, path) = c.site.fault();
    let (retry_after, ratelimit_reset) = match c.hint {
        Hint::RetryAfter(s) => (Some(s), None),
        Hint::RateLimitReset(s) => (None, Some(s)),
        _ => (None, None),
    };
    PathFault {
        method: Some(method.into()),
        path,
        status: c.status,
        times: c.times,
        retry_after,
        ratelimit_reset,
        body: matches!(c.hint, InvalidGrant).then(|| {
            json!({"error": "invalid_grant", "error_description": "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."})
        }),
        delay_ms: matches!(c.hint, Stall).then_some(STALL_MS),
    }
}

fn set_faults(sb: &Sandbox, faults: Vec<PathFault>) {
    sb.update_settings(&SettingsPatch {
        faults: Some(faults),
        ..SettingsPatch::default()
    });
}

fn set_fault(sb: &Sandbox, c: &Case) {
    let mut faults = Vec::new();
    if c.status != 0 || matches!(c.hint, Stall) {
        faults.push(fault_of(c));
    }
    if c.site == Site::Refresh {
        // The access token is rejected once: the client refreshes, then retries.
        faults.push(PathFault {
            method: Some("GET".into()),
            path: "/scheduled_events".into(),
            status: 401,
            times: Some(1),
            ..PathFault::default()
        });
    }
    set_faults(sb, faults);
}

fn clear_faults(sb: &Sandbox) {
    set_faults(sb, Vec::new());
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// `slotline ARGS`, with the short request timeout in stall cases.
fn run(env: &Env, c: &Case, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = env.cmd(args);
    cmd.env_remove("RUST_BACKTRACE")
        .env_remove("SLOTLINE_HTTP_TIMEOUT_SECS")
        .timeout(Duration::from_secs(60));
    if matches!(c.hint, Stall) {
        cmd.env("SLOTLINE_HTTP_TIMEOUT_SECS", TIMEOUT_SECS);
    }
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

fn events_of(env: &Env, c: &Case) -> Result<Value, String> {
    let r = run(env, c, &["export", "--format", "json"], None);
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

fn holds_all(what: &str, line: &str, needles: &[&str]) -> Result<(), String> {
    let l = line.to_lowercase();
    match needles.iter().find(|n| !l.contains(&n.to_lowercase())) {
        Some(n) => Err(format!("{what}: `{line}` does not say `{n}`")),
        None => Ok(()),
    }
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
        holds_all(what, line, needles)?;
        // What the user saw, for `--nocapture` readers.
        eprintln!("{what}: {line}");
        Ok(())
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

fn connect(env: &Env, c: &Case, sb: &Sandbox) -> Result<(), String> {
    let token = sb.personal_access_token();
    let r = run(env, c, &["connect", "--token-stdin"], Some(&token));
    if r.code == Some(0) {
        Ok(())
    } else {
        Err(format!("setup connect failed: {}", r.stderr))
    }
}

/// `connect --oauth`, approved in "the browser".
fn connect_oauth(env: &Env, sb: &Sandbox, what: &str) -> Result<(), String> {
    let (ok, _, stderr) = tokio::runtime::Handle::current()
        .block_on(crate::common::oauth::cli_connect(env, sb, &[], ""));
    if ok {
        Ok(())
    } else {
        Err(format!("{what}: setup connect --oauth failed: {stderr}"))
    }
}

fn status_answers(env: &Env, c: &Case, what: &str) -> Result<Run, String> {
    let r = run(env, c, &["status"], None);
    if r.code != Some(0) || r.stderr.contains("panicked") {
        return Err(format!("{what}: `status` failed afterwards: {}", r.stderr));
    }
    Ok(r)
}

fn db(env: &Env) -> Result<rusqlite::Connection, String> {
    rusqlite::Connection::open(env.dir.path().join("slotline.db")).map_err(|e| e.to_string())
}

/// The stored status of the event the listing no longer shows.
fn ghost_status(env: &Env) -> Result<String, String> {
    db(env)?
        .query_row(
            "SELECT status FROM scheduled_events WHERE uri LIKE ?1",
            [format!("%/scheduled_events/{GHOST}")],
            |r| r.get(0),
        )
        .map_err(|e| format!("ghost row: {e}"))
}

/// Stores, as an earlier poll would have, an active event in the sync window that Calendly's
/// listing no longer shows, so `sync` looks it up by itself.
fn store_ghost(env: &Env) -> Result<(), String> {
    use slotline::sync::{apply, Input};
    let store = slotline::store::Store::open(&env.dir.path().join("slotline.db"))
        .map_err(|e| e.to_string())?;
    let now = chrono::Utc::now();
    let start = (now + chrono::Duration::days(3)).to_rfc3339();
    let event = serde_json::from_value(json!({
        "uri": format!("https://api.calendly.com/scheduled_events/{GHOST}"),
        "name": "Gone", "status": "active", "start_time": start, "end_time": start,
        "invitees_counter": {"total": 1, "active": 1, "limit": 1},
        "updated_at": now.to_rfc3339(), "created_at": now.to_rfc3339(),
    }))
    .map_err(|e| e.to_string())?;
    store
        .with_tx(|tx| {
            apply(
                tx,
                &Input::Event {
                    event,
                    invitees: Vec::new(),
                },
            )
        })
        .map_err(|e| e.to_string())?;
    Ok(())
}

fn n(v: &Value) -> usize {
    v.as_array().map_or(0, Vec::len)
}

fn drive_sync(sb: &Sandbox, c: &Case, env: &Env, what: &str) -> Result<(), String> {
    let first = run(env, c, &["sync"], None);
    if first.code != Some(0) {
        return Err(format!("{what}: baseline sync failed: {}", first.stderr));
    }
    if c.site == Site::SyncLookup {
        store_ghost(env)?;
    }
    let before = events_of(env, c)?;
    // Something new to fetch, so the failing sync has work (and invitees) to lose.
    sb.book(BookingSpec::default())
        .map_err(|e| format!("{what}: book: {e}"))?;
    set_fault(sb, c);
    let started = Instant::now();
    let r = run(env, c, &["sync"], None);
    let took = started.elapsed();
    judge(what, &r, c.outcome)?;
    if matches!(c.hint, Stall) {
        eprintln!("{what}: the sync took {:.1} s", took.as_secs_f64());
    }
    if matches!(c.hint, Stall) && took > Duration::from_secs(20) {
        return Err(format!(
            "{what}: a stalled Calendly held the sync {:.1} s",
            took.as_secs_f64()
        ));
    }
    let st = status_answers(env, c, what)?;
    let reconnect = st.stdout.contains("Reconnect Calendly:");
    if reconnect != matches!(c.hint, InvalidGrant) {
        return Err(format!("{what}: status after the sync:\n{}", st.stdout));
    }
    let after = events_of(env, c)?;
    match (c.site, c.outcome) {
        (_, Outcome::Recovers) if n(&after) != n(&before) + 1 => {
            return Err(format!(
                "{what}: the new booking did not arrive ({} → {} events)",
                n(&before),
                n(&after)
            ));
        }
        // The lookups run after the listing is applied: only the ghost must be untouched.
        (Site::SyncLookup, Outcome::Fails(_)) if ghost_status(env)? != "active" => {
            return Err(format!("{what}: a failed lookup changed the event"));
        }
        (Site::SyncLookup, Outcome::Fails(_)) => {}
        (_, Outcome::Fails(_) | Outcome::Warns(_)) if after != before => {
            return Err(format!("{what}: the failed sync changed the export"));
        }
        _ => {}
    }
    if c.site == Site::SyncLookup && matches!(c.outcome, Outcome::Recovers) {
        // 403 says nothing about the meeting; anything else ends in Calendly's 404: gone.
        let want = if c.status == 403 {
            "active"
        } else {
            "canceled"
        };
        let got = ghost_status(env)?;
        if got != want {
            return Err(format!("{what}: the vanished event is {got}, want {want}"));
        }
    }
    // Once Calendly answers again, the next sync brings everything.
    clear_faults(sb);
    let again = run(env, c, &["sync"], None);
    if again.code != Some(0) {
        return Err(format!("{what}: sync after recovery: {}", again.stderr));
    }
    if n(&events_of(env, c)?) != n(&before) + 1 {
        return Err(format!(
            "{what}: sync after recovery missed the new booking"
        ));
    }
    if c.site == Site::SyncLookup && ghost_status(env)? != "canceled" {
        return Err(format!(
            "{what}: after recovery the vanished event is not canceled"
        ));
    }
    Ok(())
}

/// `serve` with faults on its subscription setup: it must get ready, say what it does instead
/// of webhooks, stop cleanly, and subscribe once Calendly answers again.
fn drive_serve(sb: &Sandbox, c: &Case, env: &Env, what: &str) -> Result<(), String> {
    use crate::common::serve::free_port;
    let rt = tokio::runtime::Handle::current();
    let vars: &[(&str, &str)] = if matches!(c.hint, Stall) {
        &[("SLOTLINE_HTTP_TIMEOUT_SECS", TIMEOUT_SECS)]
    } else {
        &[]
    };
    // Both runs share the public URL, as a real one stays the same across restarts.
    let port = rt.block_on(free_port());
    let serve_once = |expect: &[&str]| -> Result<Vec<String>, String> {
        rt.block_on(async {
            let (mut child, mut lines) = crate::common::serve::spawn_serve(env, port, vars);
            // Up to `ready`: a subscription whose every attempt answers 500 takes ~10 s of
            // back-off, more on a loaded machine.
            let mut seen = crate::common::serve::wait_ready(&mut lines, Duration::from_secs(90))
                .await
                .map_err(|seen| format!("{what}: serve did not get ready: {seen:?}"))?;
            let status = stop(&mut child).await.map_err(|e| format!("{what}: {e}"))?;
            while let Some(l) = lines.recv().await {
                seen.push(l);
            }
            if !status.success() {
                return Err(format!("{what}: serve exited {status}: {seen:?}"));
            }
            let text = seen.join("\n");
            if text.contains("panicked") {
                return Err(format!("{what}: serve panicked: {text}"));
            }
            let Some(i) = seen.iter().position(|l| l.contains("serve: ready")) else {
                return Err(format!("{what}: never ready: {text}"));
            };
            let before_ready = &seen[..i];
            match before_ready
                .iter()
                .find(|l| holds_all(what, l, expect).is_ok())
            {
                Some(l) => {
                    eprintln!("{what}: {l}");
                    Ok(seen)
                }
                None => Err(format!(
                    "{what}: no serve line says all of {expect:?} before `ready`:\n{text}"
                )),
            }
        })
    };
    set_fault(sb, c);
    let expect: &[&str] = match c.outcome {
        Outcome::Recovers => &["serve: webhook subscription active"],
        Outcome::Warns(needles) | Outcome::Fails(needles) => needles,
    };
    serve_once(expect)?;
    // A stalled create may still go through at Calendly after Slotline gave up on it.
    let subs = sb.snapshot().webhook_subscriptions.len();
    if (subs > 0) != matches!(c.outcome, Outcome::Recovers) && !matches!(c.hint, Stall) {
        return Err(format!(
            "{what}: {subs} subscriptions at Calendly afterwards"
        ));
    }
    // Calendly answers again: the next start subscribes (adopting one created too late).
    clear_faults(sb);
    serve_once(&["serve: webhook subscription active"])?;
    let subs = sb.snapshot().webhook_subscriptions.len();
    if subs != 2 {
        // The user-scope one and the organization-scope one for routing forms.
        return Err(format!(
            "{what}: {subs} subscriptions after the restart, want 2"
        ));
    }
    Ok(())
}

/// SIGTERM, then the exit status (within 30 s).
async fn stop(child: &mut tokio::process::Child) -> Result<std::process::ExitStatus, String> {
    let pid = child.id().ok_or("serve already exited")?.to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .map_err(|e| format!("kill: {e}"))?;
    if !sent.success() {
        return Err("kill -TERM failed".into());
    }
    tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .map_err(|_| "serve did not stop within 30 s after SIGTERM".to_string())?
        .map_err(|e| format!("wait: {e}"))
}

/// A real subscription at Calendly (the sandbox) as `serve` creates it, recorded as ours.
fn subscribe(sb: &Sandbox, env: &Env) -> Result<String, String> {
    use slotline::calendly::Client;
    let client =
        Client::new(&sb.base_url(), &sb.personal_access_token()).map_err(|e| e.to_string())?;
    let sub = tokio::runtime::Handle::current()
        .block_on(client.create_subscription(
            "https://example.invalid/webhooks/calendly",
            &["invitee.created"],
            &sb.organization_uri(),
            &sb.user_uri(),
            "test-signing-key",
        ))
        .map_err(|e| format!("create subscription: {e}"))?;
    db(env)?
        .execute(
            "INSERT INTO webhook_subscriptions (uri, callback_url, state, scope, events_json,
                created_by_app, raw_json)
             VALUES (?1, ?2, 'active', 'user', '[\"invitee.created\"]', 1, '{}')",
            [&sub.uri, &sub.callback_url],
        )
        .map_err(|e| e.to_string())?;
    Ok(sub.uri)
}

fn ours_recorded(env: &Env) -> Result<i64, String> {
    db(env)?
        .query_row(
            "SELECT COUNT(*) FROM webhook_subscriptions WHERE created_by_app = 1",
            [],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())
}

fn drive_disconnect(sb: &Sandbox, c: &Case, env: &Env, what: &str) -> Result<(), String> {
    let first = run(env, c, &["sync"], None);
    if first.code != Some(0) {
        return Err(format!("{what}: baseline sync failed: {}", first.stderr));
    }
    let before = events_of(env, c)?;
    let sub = if c.site == Site::Disconnect {
        Some(subscribe(sb, env)?)
    } else {
        None
    };
    set_fault(sb, c);
    let r = run(env, c, &["disconnect"], None);
    judge(what, &r, c.outcome)?;
    if let Some(uri) = &sub {
        if let Outcome::Warns(_) = c.outcome {
            if !r.stderr.contains(uri.as_str()) {
                return Err(format!("{what}: the warning does not name {uri}"));
            }
        }
    }
    let st = status_answers(env, c, what)?;
    if !st.stdout.contains("Connected: no") {
        return Err(format!("{what}: still connected:\n{}", st.stdout));
    }
    if events_of(env, c)? != before {
        return Err(format!("{what}: disconnect changed the local history"));
    }
    if c.site == Site::Revoke {
        if crate::common::oauth::stored_tokens(env).is_some() {
            return Err(format!("{what}: tokens left in the keyring"));
        }
        return Ok(());
    }
    let at_calendly = sb.snapshot().webhook_subscriptions.len();
    let left = matches!(c.outcome, Outcome::Warns(_));
    // A stalled delete may still go through at Calendly after Slotline gave up on it; the
    // record stays either way, so the next disconnect makes sure. An injected 404 is Calendly
    // saying it is gone already.
    let calendly_ok = (at_calendly == 1) == left || matches!(c.hint, Stall) || c.status == 404;
    if !calendly_ok || ours_recorded(env)? != i64::from(left) {
        return Err(format!(
            "{what}: {at_calendly} subscriptions at Calendly, {} recorded",
            ours_recorded(env)?
        ));
    }
    if left {
        // The warning's advice: connect again and run `slotline disconnect` again.
        clear_faults(sb);
        connect(env, c, sb)?;
        let again = run(env, c, &["disconnect"], None);
        judge(&format!("{what} (again)"), &again, Outcome::Recovers)?;
        if !sb.snapshot().webhook_subscriptions.is_empty() {
            return Err(format!(
                "{what}: the second disconnect left the subscription"
            ));
        }
    }
    Ok(())
}

fn drive(sb: &Sandbox, c: &Case) -> Result<(), String> {
    let what = label(c);
    let env = Env::with_api(&sb.base_url());
    match c.site {
        Site::Connect => {
            set_fault(sb, c);
            let token = sb.personal_access_token();
            let r = run(&env, c, &["connect", "--token-stdin"], Some(&token));
            judge(&what, &r, c.outcome)?;
            let st = status_answers(&env, c, &what)?;
            let connected = !st.stdout.contains("Connected: no");
            let want = matches!(c.outcome, Outcome::Recovers);
            if connected != want {
                return Err(format!(
                    "{what}: after connect, status says:\n{}",
                    st.stdout
                ));
            }
            Ok(())
        }
        Site::SyncListing | Site::SyncInvitees | Site::SyncLookup => {
            connect(&env, c, sb)?;
            drive_sync(sb, c, &env, &what)
        }
        Site::Refresh => {
            connect_oauth(&env, sb, &what)?;
            drive_sync(sb, c, &env, &what)
        }
        Site::ServeList | Site::ServeCreate => {
            connect(&env, c, sb)?;
            drive_serve(sb, c, &env, &what)
        }
        Site::Disconnect => {
            connect(&env, c, sb)?;
            drive_disconnect(sb, c, &env, &what)
        }
        Site::Revoke => {
            connect_oauth(&env, sb, &what)?;
            drive_disconnect(sb, c, &env, &what)
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_calendly_call_site_says_what_happened_for_each_failing_answer() {
    let started = Instant::now();
    let mut jobs = Vec::new();
    for (i, c) in MATRIX.iter().enumerate() {
        let sb = crate::common::sandbox(SandboxConfig {
            seed: 70 + i as u64,
            events: 12,
            rate_limit_per_minute: 100_000,
            // A short rate-limit window keeps the 429 cases fast: a sync whose first answer
            // is a 429 paces itself until the window's reset.
            rate_limit_window: Duration::from_secs(2),
            ..SandboxConfig::default()
        })
        .await;
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
