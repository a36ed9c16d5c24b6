//! Signed deliveries for a running `slotline serve`: its subscription's key from the real
//! keyring, a made-up `invitee.created`, the one signed POST, and integrity checks.

use std::time::Duration;

use serde_json::json;
use sha2::{Digest, Sha256};

use super::Env;

/// The signing key of the subscription `serve` created, read back from the real keyring.
pub fn signing_key(env: &Env) -> String {
    let profile = slotline::config::Config::with_data_dir(env.dir.path()).profile();
    let (service, user) = slotline::secrets::keyring_attributes(
        &profile,
        slotline::secrets::SecretKind::WebhookSigningKey,
    );
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", &service, "username", &user])
        .output()
        .expect("secret-tool (package libsecret-tools)");
    let key = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!key.is_empty(), "serve stored a signing key");
    key
}

/// The header Calendly signs a delivery with.
pub const SIG: &str = "Calendly-Webhook-Signature";

/// `t=<t>,v1=HMAC(key, "<t>.<body>")`: the header of a delivery Calendly signed at `t`.
pub fn signature_at(key: &[u8], t: i64, body: &[u8]) -> String {
    format!("t={t},v1={}", slotline::webhook::verify::sign(key, t, body))
}

/// The webhook POST every test sends (through [`post_signed`] or by itself, to read more of the
/// answer): `body` as JSON to `url`, with `signature` as the [`SIG`] header when given.
pub fn webhook_post(
    http: &reqwest::Client,
    url: &str,
    signature: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> reqwest::RequestBuilder {
    let req = http
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    match signature {
        Some(s) => req.header(SIG, s),
        None => req,
    }
}

/// Posts `body` signed with `key` now; the status, or `None` when the receiver is gone.
pub async fn post_signed(
    http: &reqwest::Client,
    url: &str,
    key: &str,
    body: &str,
) -> Option<reqwest::StatusCode> {
    let signature = signature_at(
        key.as_bytes(),
        chrono::Utc::now().timestamp(),
        body.as_bytes(),
    );
    webhook_post(http, url, Some(&signature), body.to_string())
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .ok()
        .map(|r| r.status())
}

/// A delivery of a made-up booking, distinct per `tag`.
pub fn made_up_delivery(tag: &str) -> String {
    let ev = format!("https://api.calendly.com/scheduled_events/fault-{tag}");
    json!({
        "event": "invitee.created",
        "created_at": "2026-11-20T10:00:00.000000Z",
        "payload": {
            "uri": format!("{ev}/invitees/i"), "email": format!("p-{tag}@example.com"),
            "name": "Fault Person", "status": "active", "event": ev,
            "created_at": "2026-11-20T10:00:00.000000Z", "updated_at": "2026-11-20T10:00:00.000000Z",
            "scheduled_event": {"uri": ev, "name": "Fault", "status": "active",
                "start_time": "2026-12-01T10:00:00.000000Z", "end_time": "2026-12-01T10:30:00.000000Z",
                "updated_at": "2026-11-20T10:00:00.000000Z"}
        }
    })
    .to_string()
}

pub fn sha_hex(body: &str) -> String {
    hex::encode(Sha256::digest(body.as_bytes()))
}

pub fn integrity(db: &std::path::Path) -> String {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check")
}
