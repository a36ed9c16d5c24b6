//! The OAuth server: consent page, decisions, PKCE, single-use codes, refresh rotation, the
//! token-request limit, expiry and revocation.

use super::support::*;
use crate::SandboxConfig;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::time::Duration;

const REDIRECT: &str = "http://127.0.0.1:53682/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-sandbox-verifier";

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn query_param(location: &str, name: &str) -> Option<String> {
    let u = url::Url::parse(location).ok()?;
    u.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Runs the consent step the way a browser would and returns the redirect's `Location`.
async fn decide(base: &str, decision: &str, verifier: Option<&str>, state: &str) -> String {
    let ch = verifier.map(challenge);
    let mut pairs = vec![
        ("client_id", "slotline-sandbox-client"),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", "users:read scheduled_events:read webhooks:write"),
        ("state", state),
        ("decision", decision),
    ];
    if let Some(c) = ch.as_deref() {
        pairs.push(("code_challenge", c));
        pairs.push(("code_challenge_method", "S256"));
    }
    let a = post_form(&format!("{base}/oauth/authorize/decision"), &pairs, None).await;
    assert_eq!(a.status, 302);
    a.header("location").expect("location")
}

async fn code(base: &str, verifier: &str) -> String {
    let loc = decide(base, "allow", Some(verifier), "xyz").await;
    query_param(&loc, "code").expect("code")
}

async fn exchange(base: &str, code: &str, verifier: &str) -> Answer {
    post_form(
        &format!("{base}/oauth/token"),
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", "slotline-sandbox-client"),
            ("code_verifier", verifier),
        ],
        None,
    )
    .await
}

#[tokio::test]
async fn consent_page_and_decisions() {
    let sb = start(config()).await;
    let base = sb.base_url();
    let url = format!(
        "{base}/oauth/authorize?client_id=slotline-sandbox-client&response_type=code&redirect_uri={}&code_challenge={}&code_challenge_method=S256&scope=users%3Aread+scheduled_events%3Aread&state=abc123",
        url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>(),
        challenge(VERIFIER)
    );
    let resp = client().get(&url).send().await.expect("page");
    assert_eq!(resp.status().as_u16(), 200);
    let html = resp.text().await.expect("html");
    assert!(html.contains("Slotline Sandbox wants to access your Calendly account"));
    assert!(html.contains("id=\"allow\"") && html.contains("id=\"deny\""));
    assert!(html.contains("action=\"/oauth/authorize/decision\""));
    assert!(html.contains("scheduled_events:read"));
    assert!(html.contains("name=\"state\" value=\"abc123\""));
    let allowed = decide(&base, "allow", Some(VERIFIER), "abc123").await;
    assert!(allowed.starts_with(REDIRECT));
    let code = query_param(&allowed, "code").expect("code");
    assert_eq!(code.len(), 64);
    assert!(code.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(query_param(&allowed, "state").as_deref(), Some("abc123"));
    let denied = decide(&base, "deny", Some(VERIFIER), "abc123").await;
    assert_eq!(
        query_param(&denied, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(query_param(&denied, "state").as_deref(), Some("abc123"));
    let bad = client()
        .get(format!("{base}/oauth/authorize?client_id=someone-else&response_type=code&redirect_uri={REDIRECT}"))
        .send()
        .await
        .expect("bad");
    assert_eq!(bad.status().as_u16(), 400);
    // A native client must use PKCE.
    let no_pkce = client()
        .get(format!("{base}/oauth/authorize?client_id=slotline-sandbox-client&response_type=code&redirect_uri={REDIRECT}&state=s"))
        .send()
        .await
        .expect("no pkce");
    assert_eq!(no_pkce.status().as_u16(), 302);
    let loc = no_pkce
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_string();
    assert_eq!(
        query_param(&loc, "error").as_deref(),
        Some("invalid_request")
    );
}

#[tokio::test]
async fn code_exchange_checks_pkce_and_is_single_use() {
    let sb = start(config()).await;
    let base = sb.base_url();
    let wrong = exchange(&base, &code(&base, VERIFIER).await, "not-the-verifier").await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.json["error"], "invalid_grant");
    let c = code(&base, VERIFIER).await;
    let ok = exchange(&base, &c, VERIFIER).await;
    assert_eq!(ok.status, 200, "{}", ok.json);
    assert_eq!(ok.json["token_type"], "Bearer");
    assert_eq!(ok.json["expires_in"], 7200);
    assert_eq!(ok.json["owner"], json!(sb.user_uri()));
    assert_eq!(ok.json["organization"], json!(sb.organization_uri()));
    assert_eq!(
        ok.json["scope"],
        "users:read scheduled_events:read webhooks:write"
    );
    assert!(ok.json["created_at"].is_i64());
    assert_eq!(ok.header("cache-control").as_deref(), Some("no-store"));
    let access = ok.json["access_token"]
        .as_str()
        .expect("access")
        .to_string();
    assert_eq!(access.split('.').count(), 3, "JWT-looking");
    let again = exchange(&base, &c, VERIFIER).await;
    assert_eq!(again.status, 400);
    assert_eq!(again.json["error"], "invalid_grant");
    let me = get(&format!("{base}/users/me"), Some(&access)).await;
    assert_eq!(me.status, 200);
    // Scopes are enforced: event types were not granted.
    let types = get(
        &format!(
            "{base}/event_types?user={}",
            url::form_urlencoded::byte_serialize(sb.user_uri().as_bytes()).collect::<String>()
        ),
        Some(&access),
    )
    .await;
    assert_eq!(types.status, 403);
    // JSON bodies are refused.
    let json_body = post_json(
        &format!("{base}/oauth/token"),
        None,
        &json!({"grant_type": "authorization_code", "code": "x"}),
    )
    .await;
    assert_eq!(json_body.status, 400);
    assert_eq!(json_body.json["error"], "invalid_request");
}

#[tokio::test]
async fn refresh_tokens_rotate() {
    let sb = start(config()).await;
    let base = sb.base_url();
    let first = exchange(&base, &code(&base, VERIFIER).await, VERIFIER).await;
    let old_access = first.json["access_token"].as_str().expect("a").to_string();
    let old_refresh = first.json["refresh_token"].as_str().expect("r").to_string();
    let refresh = |token: String| {
        let base = base.clone();
        async move {
            post_form(
                &format!("{base}/oauth/token"),
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &token),
                    ("client_id", "slotline-sandbox-client"),
                ],
                None,
            )
            .await
        }
    };
    let second = refresh(old_refresh.clone()).await;
    assert_eq!(second.status, 200, "{}", second.json);
    let new_access = second.json["access_token"].as_str().expect("a").to_string();
    assert_ne!(new_access, old_access);
    assert_ne!(second.json["refresh_token"], json!(old_refresh));
    let reuse = refresh(old_refresh).await;
    assert_eq!(reuse.status, 400);
    assert_eq!(reuse.json["error"], "invalid_grant");
    assert_eq!(
        get(&format!("{base}/users/me"), Some(&old_access))
            .await
            .status,
        200,
        "old access token lives until expiry"
    );
    assert_eq!(
        get(&format!("{base}/users/me"), Some(&new_access))
            .await
            .status,
        200
    );
    assert_eq!(sb.snapshot().tokens.refresh_tokens_issued, 2);
}

#[tokio::test]
async fn ninth_token_request_in_a_minute_is_429() {
    let sb = start(config()).await;
    let base = sb.base_url();
    for i in 0..8 {
        let a = post_form(
            &format!("{base}/oauth/token"),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", "bogus"),
                ("client_id", "slotline-sandbox-client"),
            ],
            None,
        )
        .await;
        assert_eq!(a.status, 400, "request {i}");
    }
    let ninth = post_form(
        &format!("{base}/oauth/token"),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "bogus"),
            ("client_id", "slotline-sandbox-client"),
        ],
        None,
    )
    .await;
    assert_eq!(ninth.status, 429);
    assert!(ninth.json["error"].is_string() && ninth.json["error_description"].is_string());
    assert!(ninth.header("retry-after").is_some());
    assert_eq!(sb.request_counts().oauth_token, 9);
}

#[tokio::test]
async fn expired_and_revoked_tokens_get_their_own_401s() {
    let sb = start(SandboxConfig {
        access_token_ttl: Duration::from_millis(300),
        ..config()
    })
    .await;
    let base = sb.base_url();
    let short = exchange(&base, &code(&base, VERIFIER).await, VERIFIER).await;
    let expiring = short.json["access_token"].as_str().expect("a").to_string();
    let other = exchange(&base, &code(&base, VERIFIER).await, VERIFIER).await;
    let revoked = other.json["access_token"].as_str().expect("a").to_string();
    let r = post_form(
        &format!("{base}/oauth/revoke"),
        &[
            ("token", &revoked),
            ("client_id", "slotline-sandbox-client"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json, json!({}));
    let a = get(&format!("{base}/users/me"), Some(&revoked)).await;
    assert_eq!(a.status, 401);
    assert_eq!(a.json["message"], "The access token was revoked");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let e = get(&format!("{base}/users/me"), Some(&expiring)).await;
    assert_eq!(e.status, 401);
    assert_eq!(
        e.json,
        json!({"title": "Unauthenticated", "message": "The access token expired"})
    );
}

#[tokio::test]
async fn web_clients_authenticate_with_their_secret() {
    let sb = start(SandboxConfig {
        oauth_client_secret: Some("s3cret".into()),
        ..config()
    })
    .await;
    let base = sb.base_url();
    // Web apps may skip PKCE.
    let loc = decide(&base, "allow", None, "st").await;
    let c = query_param(&loc, "code").expect("code");
    let token = |code: String, secret: &'static str| {
        let base = base.clone();
        async move {
            post_form(
                &format!("{base}/oauth/token"),
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", REDIRECT),
                ],
                Some(("slotline-sandbox-client", secret)),
            )
            .await
        }
    };
    let wrong = token(c.clone(), "nope").await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.json["error"], "invalid_client");
    let ok = token(c, "s3cret").await;
    assert_eq!(ok.status, 200, "{}", ok.json);
    assert_eq!(
        ok.json["scope"],
        "users:read scheduled_events:read webhooks:write"
    );
}
