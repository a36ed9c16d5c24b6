//! The local read-only ICS feed, switched on and off from Settings. Its URL (port and secret
//! path token) stays the same across launches so calendar apps keep their subscription.

use std::sync::Arc;

use tauri::{AppHandle, Manager};

use super::state::AppState;
use crate::clock::{format_utc, Clock, SystemClock};
use crate::icsfeed::{self, FeedConfig};
use crate::store::settings;

const TOKEN_KEY: &str = "ics_feed_token";
/// Preferred port; another free one is used when it is taken.
const PORT: u16 = 8788;

pub async fn apply(handle: &AppHandle, on: bool) {
    let state = handle.state::<AppState>();
    if let Some(stop) = state
        .ics_feed_stop
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
    {
        let _ = stop.send(());
    }
    *state.ics_feed_url.lock().unwrap_or_else(|e| e.into_inner()) = None;
    if !on {
        return;
    }
    let token = match state.store.read(|tx| settings::get(tx, TOKEN_KEY)) {
        Ok(Some(t)) => t,
        _ => {
            let t = icsfeed::new_token();
            let stamp = format_utc(SystemClock.now());
            if let Err(e) = state
                .store
                .with_tx(|tx| settings::set(tx, TOKEN_KEY, Some(&t), &stamp))
            {
                tracing::warn!(error = %e, "could not save the feed token");
            }
            t
        }
    };
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", PORT)).await {
        Ok(l) => l,
        Err(_) => match tokio::net::TcpListener::bind(("127.0.0.1", 0)).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "the calendar feed could not listen");
                return;
            }
        },
    };
    let Ok(addr) = listener.local_addr() else {
        return;
    };
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    *state
        .ics_feed_stop
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = Some(tx);
    *state.ics_feed_url.lock().unwrap_or_else(|e| e.into_inner()) =
        Some(icsfeed::feed_url(addr, &token));
    let store = state.store.clone();
    tauri::async_runtime::spawn(async move {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        if let Err(e) = icsfeed::serve(store, clock, listener, FeedConfig::new(token), async {
            let _ = rx.await;
        })
        .await
        {
            tracing::warn!(error = %e, "the calendar feed stopped");
        }
    });
}
