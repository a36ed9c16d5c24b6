//! The window's way out when the store cannot be opened at start: what is wrong, and moving the
//! file aside (kept, renamed with a timestamp) or retrying.

use std::sync::Arc;

use super::owner::{Core, Tuning};
use crate::config::Config;
use crate::secrets::Keyring;
use crate::store::db::{self, StoreProblem};
use crate::store::{Store, StoreError};

/// Opens the core for the window. When the store cannot be opened there is no core yet and the
/// [`Recovery`] holds the problem for the recovery screen; the app never exits or loops on it.
pub fn open(config: Config) -> (Option<Arc<Core>>, Recovery) {
    let path = config.db_path();
    match Core::open(config.clone()) {
        Ok(core) => (Some(core), Recovery::new(config, None)),
        Err(e) => {
            tracing::warn!(error = %e, "the store could not be opened; showing the recovery screen");
            let problem = StoreProblem::of(&path, &e);
            (None, Recovery::new(config, Some(problem)))
        }
    }
}

/// Always managed: what kept the store from opening, and the way out (move it aside, or retry).
pub struct Recovery {
    config: Config,
    problem: std::sync::Mutex<Option<StoreProblem>>,
}

impl Recovery {
    pub fn new(config: Config, problem: Option<StoreProblem>) -> Self {
        Self {
            config,
            problem: std::sync::Mutex::new(problem),
        }
    }

    pub fn problem(&self) -> Option<StoreProblem> {
        self.problem
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Moves the file aside first when `move_aside` (and it is offered), then opens the store.
    /// Answers where the file went and the state to manage; on failure the problem is updated.
    pub fn reopen(
        &self,
        move_aside: bool,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(Option<std::path::PathBuf>, Arc<Core>), StoreError> {
        let path = self.config.db_path();
        let offered = self.problem().is_some_and(|p| p.can_move_aside);
        let result = (|| {
            let moved = if move_aside && offered {
                db::move_aside(&path, now)?
            } else {
                None
            };
            let store = Store::open(&path)?;
            Ok((moved, store))
        })();
        let mut problem = self.problem.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok((moved, store)) => {
                *problem = None;
                if let Some(m) = &moved {
                    tracing::info!(moved_to = %m.display(), "the unusable store was moved aside");
                }
                Ok((
                    moved,
                    Core::with_parts(
                        self.config.clone(),
                        Arc::new(store),
                        Arc::new(Keyring::new(self.config.profile())),
                        Tuning::default(),
                    ),
                ))
            }
            Err(e) => {
                *problem = Some(StoreProblem::of(&path, &e));
                Err(e)
            }
        }
    }
}
