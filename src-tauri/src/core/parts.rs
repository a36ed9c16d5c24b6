//! The state the core's parts keep between calls: the sign-in in flight and the running ICS
//! feed, with the small operations on them that need no core.

use std::sync::Mutex;

use crate::oauth::{OAuthApp, PendingAuthorization};

/// How long a sign-in waits for the browser's redirect.
pub(super) const OAUTH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

/// The receiver's port when the user points their own public URL at this machine.
pub const PUBLIC_URL_PORT: u16 = 8787;

/// An OAuth authorization waiting for the browser.
pub(super) struct InFlight {
    pub(super) pending: PendingAuthorization,
    pub(super) app: OAuthApp,
    pub(super) cancel: tokio::sync::oneshot::Receiver<()>,
}

/// The sign-in in flight (one at a time: a new one replaces it).
#[derive(Default)]
pub(super) struct SignIn {
    pub(super) flight: tokio::sync::Mutex<Option<InFlight>>,
    pub(super) cancel: std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
}

impl SignIn {
    pub(super) fn cancel(&self) {
        if let Some(tx) = self.cancel.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = tx.send(());
        }
    }
}

/// What the window's Connect form sends to start a sign-in.
#[derive(Debug, Clone, Default)]
pub struct OAuthRequest {
    pub client_id: String,
    pub client_secret: Option<String>,
    pub redirect_port: Option<u16>,
    /// A Production app's HTTPS redirect (`https://<public host>/oauth/callback`).
    pub redirect_uri: Option<String>,
}

#[derive(Default)]
pub(super) struct FeedServer {
    pub(super) url: Mutex<Option<String>>,
    pub(super) stop: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    pub(super) task: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// Set when the feed had to move: what happened and what to do.
    pub(super) notice: Mutex<Option<String>>,
}

impl FeedServer {
    pub fn url(&self) -> Option<String> {
        self.url.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn notice(&self) -> Option<String> {
        self.notice
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Stops the feed and waits until its port is free again (a feed switched off and on
    /// must get its own port back, not move).
    pub async fn stop(&self) {
        if let Some(stop) = self.stop.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = stop.send(());
        }
        *self.url.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let task = self.task.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}
