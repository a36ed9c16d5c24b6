//! The core's reports in the window: stale read models and sync progress become typed events,
//! notices become desktop notifications. Runs while the window is hidden in the tray.

use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;
use tokio::sync::broadcast::error::RecvError;

use super::events::Emitter;
use crate::core::CoreEvent;

/// Forwards every core event until the core is gone.
pub async fn forward(handle: AppHandle, mut rx: tokio::sync::broadcast::Receiver<CoreEvent>) {
    loop {
        let event = match rx.recv().await {
            Ok(e) => e,
            Err(RecvError::Lagged(_)) => continue,
            Err(RecvError::Closed) => return,
        };
        let emit = Emitter::new(&handle);
        match event {
            CoreEvent::Stale(what) => emit.stale(&what),
            CoreEvent::Progress(p) => emit.progress(&p),
            CoreEvent::Say(s) => tracing::info!(live = %s),
            CoreEvent::Notice(n) => {
                let shown = handle
                    .notification()
                    .builder()
                    .title(n.title)
                    .body(n.body)
                    .show();
                if let Err(e) = shown {
                    tracing::warn!(error = %e, "could not show a notification");
                }
            }
        }
    }
}
