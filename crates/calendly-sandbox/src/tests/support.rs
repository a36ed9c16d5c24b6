//! Shared helpers: a sandbox on 127.0.0.1:0, an HTTP client, and a webhook receiver that keeps
//! the raw bytes it was sent.

use crate::{Sandbox, SandboxConfig};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::collections::VecDeque;
use std::ops::Deref;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A fixed anchor keeps scenarios identical between runs.
pub fn anchor() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-03-20T10:00:00Z")
        .expect("anchor")
        .with_timezone(&Utc)
}

pub const PAT: &str = "sbx_pat_test_token";

pub fn config() -> SandboxConfig {
    SandboxConfig {
        seed: 7,
        now: anchor(),
        personal_access_token: PAT.to_string(),
        webhook_retry_base: Duration::from_millis(50),
        ..SandboxConfig::default()
    }
}

/// A started sandbox; dropping it shuts the server down.
pub struct Running {
    pub sb: Sandbox,
    _stop: oneshot::Sender<()>,
}

impl Deref for Running {
    type Target = Sandbox;
    fn deref(&self) -> &Sandbox {
        &self.sb
    }
}

pub async fn start(config: SandboxConfig) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let (tx, rx) = oneshot::channel::<()>();
    let sb = Sandbox::start(config, listener, async move {
        let _ = rx.await;
    })
    .await
    .expect("sandbox starts");
    Running { sb, _stop: tx }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub json: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

async fn answer(resp: reqwest::Response) -> Answer {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.expect("body");
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    };
    Answer {
        status,
        headers,
        json,
    }
}

pub async fn get(url: &str, token: Option<&str>) -> Answer {
    let mut req = client().get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    answer(req.send().await.expect("request")).await
}

pub async fn post_json(url: &str, token: Option<&str>, body: &Value) -> Answer {
    let mut req = client().post(url).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    answer(req.send().await.expect("request")).await
}

pub async fn delete(url: &str, token: Option<&str>) -> Answer {
    let mut req = client().delete(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    answer(req.send().await.expect("request")).await
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

pub async fn post_form(url: &str, pairs: &[(&str, &str)], basic: Option<(&str, &str)>) -> Answer {
    let mut req = client()
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form(pairs));
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    answer(req.send().await.expect("request")).await
}

/// Polls `f` every 10 ms until it holds or `timeout` passes.
pub async fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if f() {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Hit {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Hit {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("webhook body is JSON")
    }
}

#[derive(Default)]
struct ReceiverState {
    hits: Mutex<Vec<Hit>>,
    script: Mutex<VecDeque<u16>>,
}

/// A local webhook endpoint answering the scripted statuses in order, then 200.
pub struct Receiver {
    pub url: String,
    state: Arc<ReceiverState>,
    _stop: oneshot::Sender<()>,
}

impl Receiver {
    pub fn hits(&self) -> Vec<Hit> {
        self.state.hits.lock().expect("hits").clone()
    }
}

async fn receive(
    State(state): State<Arc<ReceiverState>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    state.hits.lock().expect("hits").push(Hit {
        headers,
        body: body.to_vec(),
    });
    let next = state
        .script
        .lock()
        .expect("script")
        .pop_front()
        .unwrap_or(200);
    StatusCode::from_u16(next).unwrap_or(StatusCode::OK)
}

pub async fn receiver(script: &[u16]) -> Receiver {
    let state = Arc::new(ReceiverState::default());
    state
        .script
        .lock()
        .expect("script")
        .extend(script.iter().copied());
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(state.clone());
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind receiver");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
    });
    Receiver {
        url,
        state,
        _stop: tx,
    }
}

/// Verifies `Calendly-Webhook-Signature` the way a receiver must: over the raw bytes.
pub fn signature_valid(key: &str, hit: &Hit) -> bool {
    let Some(header) = hit
        .headers
        .get("calendly-webhook-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => t = Some(value.to_string()),
            Some(("v1", value)) => v1 = Some(value.to_string()),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("hmac key");
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(&hit.body);
    hex::encode(mac.finalize().into_bytes()) == v1
}

/// Creates a subscription through the API and returns its resource.
pub async fn subscribe(
    sb: &Sandbox,
    url: &str,
    events: &[&str],
    signing_key: Option<&str>,
) -> Value {
    let mut body = serde_json::json!({
        "url": url,
        "events": events,
        "organization": sb.organization_uri(),
        "scope": "user",
        "user": sb.user_uri(),
    });
    if let Some(k) = signing_key {
        body["signing_key"] = Value::String(k.to_string());
    }
    let a = post_json(
        &format!("{}/webhook_subscriptions", sb.base_url()),
        Some(PAT),
        &body,
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.json);
    a.json["resource"].clone()
}
