//! Typed events to the window: `data-changed` names what became stale; `sync-progress`
//! carries a running reconcile's progress for the status line's progress bar.

use tauri::{AppHandle, Emitter as _};

use crate::feed::{DataChanged, StaleTopic};
use crate::sync::engine::SyncProgress;

pub const DATA_CHANGED: &str = "data-changed";
pub const SYNC_PROGRESS: &str = "sync-progress";

pub struct Emitter<'a> {
    handle: &'a AppHandle,
}

impl<'a> Emitter<'a> {
    pub fn new(handle: &'a AppHandle) -> Self {
        Self { handle }
    }

    pub fn stale(&self, what: &[StaleTopic]) {
        let payload = DataChanged {
            stale: what.to_vec(),
        };
        if let Err(e) = self.handle.emit(DATA_CHANGED, payload) {
            tracing::warn!(error = %e, "could not notify the window");
        }
    }

    pub fn progress(&self, progress: &SyncProgress) {
        if let Err(e) = self.handle.emit(SYNC_PROGRESS, progress) {
            tracing::warn!(error = %e, "could not send sync progress to the window");
        }
    }
}
