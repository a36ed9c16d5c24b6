//! Typed events to the window: `data-changed` names what became stale.

use tauri::{AppHandle, Emitter as _};

use crate::feed::DataChanged;

pub const DATA_CHANGED: &str = "data-changed";

pub struct Emitter<'a> {
    handle: &'a AppHandle,
}

impl<'a> Emitter<'a> {
    pub fn new(handle: &'a AppHandle) -> Self {
        Self { handle }
    }

    pub fn stale(&self, what: &[&str]) {
        let payload = DataChanged {
            stale: what.iter().map(|s| s.to_string()).collect(),
        };
        if let Err(e) = self.handle.emit(DATA_CHANGED, payload) {
            tracing::warn!(error = %e, "could not notify the window");
        }
    }
}
