//! The HTTPS redirect for Production Calendly apps, which may not redirect to `http://localhost`:
//! `https://<ngrok domain>/oauth/callback` reaches the webhook receiver through the tunnel, and
//! its router hands the callback to the pending authorization here — one-shot, with the same
//! `state` check as the loopback listener, and a PKCE exchange by the same [`super::flow`].
//!
//! A [`Relay`] is a slot for at most one waiting authorization. The live service mounts
//! [`Relay::router`] beside `POST /webhooks/calendly`; when the live service is not running (the
//! first connection), [`RelayServer`] serves the route alone on a loopback listener for the
//! tunnel or reverse proxy to reach.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tokio::sync::oneshot;

use super::error::OAuthError;
use super::loopback::{answer, page, Callback, Params, Shared};

/// Where the redirect lands behind the tunnel.
pub const CALLBACK_PATH: &str = "/oauth/callback";

/// `https://host/oauth/callback` for a public base URL.
pub fn redirect_uri(public_url: &str) -> String {
    format!("{}{CALLBACK_PATH}", public_url.trim_end_matches('/'))
}

/// The window's one relay: the live service it restarts and the Connect command share it.
pub fn process_relay() -> Relay {
    static RELAY: std::sync::OnceLock<Relay> = std::sync::OnceLock::new();
    RELAY.get_or_init(Relay::default).clone()
}

/// The slot an authorization waits in; cheap to clone, shared by the router and the flow.
#[derive(Clone, Default)]
pub struct Relay(Arc<Mutex<Option<Arc<Shared>>>>);

impl Relay {
    /// `GET /oauth/callback`, to merge into a router that has no such route.
    pub fn router(&self) -> Router {
        Router::new()
            .route(CALLBACK_PATH, get(callback))
            .with_state(self.clone())
    }

    /// Makes `state` the one authorization this relay accepts; an earlier one is dropped (its
    /// waiter sees the sign-in canceled).
    pub(super) fn install(&self, state: String) -> oneshot::Receiver<Callback> {
        let (shared, rx) = Shared::new(state);
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(shared);
        rx
    }

    pub(super) fn clear(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Whether an authorization is waiting for its callback.
    pub fn waiting(&self) -> bool {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).is_some()
    }
}

async fn callback(State(relay): State<Relay>, Query(p): Query<Params>) -> impl IntoResponse {
    let current = relay.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
    match current {
        Some(shared) => answer(&shared, p),
        None => page(
            StatusCode::NOT_FOUND,
            "No sign-in in progress",
            "Slotline is not waiting for a Calendly sign-in. Start again from Slotline.",
        ),
    }
}

/// The relay's route alone on a loopback listener, for a first connection while the live
/// service (and so the webhook receiver) is not running yet.
pub struct RelayServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl RelayServer {
    pub async fn bind(addr: SocketAddr, relay: &Relay) -> Result<Self, OAuthError> {
        let listen_err = |e: std::io::Error| OAuthError::Listen {
            port: addr.port(),
            reason: e.to_string(),
        };
        if !addr.ip().is_loopback() {
            return Err(OAuthError::Config(format!(
                "the redirect listener only binds loopback addresses, not {addr}"
            )));
        }
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(listen_err)?;
        let addr = listener.local_addr().map_err(listen_err)?;
        Ok(Self {
            addr,
            stop: Some(super::loopback::serve_until_stopped(
                listener,
                relay.router(),
            )),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for RelayServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
