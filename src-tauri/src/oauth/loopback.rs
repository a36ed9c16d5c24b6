//! The one-shot redirect listener: bound to 127.0.0.1 only, answers `/callback` once with a
//! small page, checks `state` before anything else, 404s every other path, closes after the
//! code or after a timeout.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use tokio::sync::oneshot;

use super::error::OAuthError;

/// What the redirect brought.
#[derive(Debug, PartialEq, Eq)]
pub enum Callback {
    Code(String),
    Error(String),
}

/// One authorization's expected `state` and the one-shot slot its callback fills; shared with
/// the HTTPS redirect behind the tunnel ([`super::relay`]).
pub(super) struct Shared {
    state: String,
    done: Mutex<Option<oneshot::Sender<Callback>>>,
}

impl Shared {
    pub(super) fn new(state: String) -> (Arc<Self>, oneshot::Receiver<Callback>) {
        let (tx, rx) = oneshot::channel();
        (
            Arc::new(Self {
                state,
                done: Mutex::new(Some(tx)),
            }),
            rx,
        )
    }
}

pub struct Loopback {
    port: u16,
    rx: oneshot::Receiver<Callback>,
    stop: Vec<oneshot::Sender<()>>,
}

#[derive(Deserialize)]
pub(super) struct Params {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Serves `app` (anything else: 404) on `listener` until the returned sender is used or dropped.
pub(super) fn serve_until_stopped(
    listener: tokio::net::TcpListener,
    app: Router,
) -> oneshot::Sender<()> {
    let app = app.fallback(|| async { (StatusCode::NOT_FOUND, "not found") });
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop_rx.await;
            })
            .await;
    });
    stop_tx
}

pub(super) fn page(status: StatusCode, title: &str, body: &str) -> (StatusCode, Html<String>) {
    (
        status,
        Html(format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Slotline — {title}</title>\
             <style>body{{font:16px system-ui,sans-serif;max-width:32rem;margin:15vh auto;padding:0 1rem;color:#1f2937}}\
             h1{{font-size:1.4rem}}</style></head><body><h1>{title}</h1><p>{body}</p></body></html>"
        )),
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn callback(State(shared): State<Arc<Shared>>, Query(p): Query<Params>) -> impl IntoResponse {
    answer(&shared, p)
}

/// The callback's checks and page: `state` first, then one code (or error) exactly once.
pub(super) fn answer(shared: &Shared, p: Params) -> (StatusCode, Html<String>) {
    // `state` first: a redirect we did not start is refused and changes nothing.
    let state_ok = p
        .state
        .as_deref()
        .is_some_and(|s| constant_time_eq(s.as_bytes(), shared.state.as_bytes()));
    if !state_ok {
        return page(
            StatusCode::BAD_REQUEST,
            "Sign-in not recognised",
            "This link does not belong to the sign-in Slotline started (the state does not match). Start again from Slotline.",
        );
    }
    let Some(tx) = shared.done.lock().unwrap_or_else(|e| e.into_inner()).take() else {
        return page(
            StatusCode::BAD_REQUEST,
            "Already used",
            "This sign-in has already been completed. You can close this tab.",
        );
    };
    if let Some(err) = p.error {
        let why = p.error_description.unwrap_or_else(|| err.clone());
        let _ = tx.send(Callback::Error(why.clone()));
        return page(
            StatusCode::OK,
            "Calendly was not connected",
            &format!(
                "Calendly said: {}. Go back to Slotline to try again.",
                escape(&why)
            ),
        );
    }
    match p.code.filter(|c| !c.is_empty()) {
        Some(code) => {
            let _ = tx.send(Callback::Code(code));
            page(
                StatusCode::OK,
                "Calendly is connected",
                "You can close this tab and return to Slotline.",
            )
        }
        None => {
            let _ = tx.send(Callback::Error("the redirect carried no code".into()));
            page(
                StatusCode::BAD_REQUEST,
                "No authorization code",
                "Calendly's redirect carried no code. Go back to Slotline to try again.",
            )
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Loopback {
    /// Binds 127.0.0.1:`port` (0 picks a free port, for tests) and the same port on `::1`: the
    /// redirect says `localhost`, which a browser may resolve to either. A host without IPv6
    /// loopback gets the IPv4 listener alone; a `::1` port held by another program is refused,
    /// since that program would receive the authorization code.
    pub async fn bind(port: u16, state: String) -> Result<Self, OAuthError> {
        let listen_error = |e: std::io::Error| OAuthError::Listen {
            port,
            reason: e.to_string(),
        };
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(listen_error)?;
        let port = listener.local_addr().map_err(listen_error)?.port();
        let v6 = match tokio::net::TcpListener::bind((std::net::Ipv6Addr::LOCALHOST, port)).await {
            Ok(l) => Some(l),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                return Err(OAuthError::Listen {
                    port,
                    reason: format!("another program listens on [::1]:{port} ({e})"),
                })
            }
            // No IPv6 loopback here: browsers resolve localhost to 127.0.0.1 then.
            Err(_) => None,
        };
        let (shared, rx) = Shared::new(state);
        let app = Router::new()
            .route("/callback", get(callback))
            .with_state(shared);
        let mut stop = vec![serve_until_stopped(listener, app.clone())];
        stop.extend(v6.map(|l| serve_until_stopped(l, app)));
        Ok(Self { port, rx, stop })
    }

    /// Whether the listener also answers on `::1`.
    pub fn on_ipv6(&self) -> bool {
        self.stop.len() > 1
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Waits for the one callback, then closes the listener.
    pub async fn wait(mut self, timeout: Duration) -> Result<Callback, OAuthError> {
        let result = tokio::time::timeout(timeout, &mut self.rx).await;
        self.close();
        match result {
            Ok(Ok(cb)) => Ok(cb),
            Ok(Err(_)) => Err(OAuthError::Canceled),
            Err(_) => Err(OAuthError::Timeout(timeout.as_secs())),
        }
    }

    fn close(&mut self) {
        for stop in self.stop.drain(..) {
            let _ = stop.send(());
        }
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.close();
    }
}
