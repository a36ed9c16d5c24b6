//! The local read-only ICS feed, switched on and off from Settings. Its address (port and
//! secret path token) stays the same across launches so calendar apps keep their
//! subscription. When its port is taken by something else, the feed does not move silently:
//! it moves to a free port with a new token (the old address may now be another program's, so
//! the token in it must stop working) and says so.

use std::sync::Arc;

use super::events::CoreEvent;
use super::owner::Core;
use crate::clock::{format_utc, Clock, SystemClock};
use crate::icsfeed::{self, FeedConfig};
use crate::store::{settings, Store};

const TOKEN_KEY: &str = "ics_feed_token";
const PORT_KEY: &str = "ics_feed_port";
/// The first port tried.
pub const DEFAULT_PORT: u16 = 8788;

fn save(store: &Store, key: &str, value: &str) {
    let stamp = format_utc(SystemClock.now());
    if let Err(e) = store.with_tx(|tx| settings::set(tx, key, Some(value), &stamp)) {
        tracing::warn!(error = %e, key, "could not save the feed's address");
    }
}

impl Core {
    /// The message when the feed had to move to another address.
    pub fn feed_notice(&self) -> Option<String> {
        self.feed.notice()
    }

    /// Starts (`on`) or stops the feed.
    pub async fn apply_feed(&self, on: bool) {
        self.feed.stop().await;
        if !on {
            return;
        }
        let saved = self
            .store
            .read(|tx| {
                Ok::<_, crate::store::StoreError>((
                    settings::get(tx, TOKEN_KEY)?,
                    settings::get(tx, PORT_KEY)?,
                ))
            })
            .unwrap_or_default();
        let port = saved.1.and_then(|p| p.parse().ok()).unwrap_or(DEFAULT_PORT);
        let mut token = match saved.0 {
            Some(t) => t,
            None => {
                let t = icsfeed::new_token();
                save(&self.store, TOKEN_KEY, &t);
                t
            }
        };
        let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
            Ok(l) => l,
            Err(taken) => match tokio::net::TcpListener::bind(("127.0.0.1", 0)).await {
                Ok(l) => {
                    token = icsfeed::new_token();
                    save(&self.store, TOKEN_KEY, &token);
                    let moved = l.local_addr().map(|a| a.port()).unwrap_or(0);
                    save(&self.store, PORT_KEY, &moved.to_string());
                    let notice = format!(
                        "The calendar feed's port {port} is taken ({taken}), so the feed moved to port {moved} with a new address. Subscribe your calendar app to the new address in Settings; the old one no longer works."
                    );
                    tracing::warn!("{notice}");
                    self.emit(CoreEvent::Say(notice.clone()));
                    *self.feed.notice.lock().unwrap_or_else(|e| e.into_inner()) = Some(notice);
                    l
                }
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
        *self.feed.stop.lock().unwrap_or_else(|e| e.into_inner()) = Some(tx);
        *self.feed.url.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(icsfeed::feed_url(addr, &token));
        let store = self.store.clone();
        let task = tokio::spawn(async move {
            let clock: Arc<dyn Clock> = Arc::new(SystemClock);
            if let Err(e) = icsfeed::serve(store, clock, listener, FeedConfig::new(token), async {
                let _ = rx.await;
            })
            .await
            {
                tracing::warn!(error = %e, "the calendar feed stopped");
            }
        });
        *self.feed.task.lock().unwrap_or_else(|e| e.into_inner()) = Some(task);
    }
}
