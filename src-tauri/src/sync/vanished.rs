//! The vanished-event check: stored active events of the window that the listing did not show
//! are looked up one by one; gone ones known only from the API are marked canceled through the
//! one apply path, and ones a webhook told us about are kept.

use std::collections::HashSet;

use tracing::info;

use super::apply::{apply, ApplyOutcome};
use super::options::Window;
use super::outcome::{SyncError, SyncOutcome, VanishedOutcome};
use super::plan::Input;
use super::reconcile::{self, StoredEvent, Vanished};
use super::run::{bounded, bump, Run};
use crate::calendly::client::ApiError;
use crate::calendly::models::ScheduledEvent;
use crate::store::{events, StoreError};

/// A stored event the listing did not show, and what its look-up said.
enum Lookup {
    Found(Box<ScheduledEvent>),
    Gone,
    Refused,
}

impl Run<'_> {
    /// Looks up, one by one, the stored active events of the window the listing did not show,
    /// and applies what Calendly says about each.
    pub(super) async fn check_vanished(
        &self,
        window: &Window,
        seen: &HashSet<String>,
        out: &mut SyncOutcome,
    ) -> Result<VanishedOutcome, SyncError> {
        let (from_ms, to_ms) = (window.from.timestamp_millis(), window.to.timestamp_millis());
        let missing: Vec<(String, StoredEvent)> = self
            .store
            .read(|tx| events::active_between(tx, from_ms, to_ms))?
            .into_iter()
            .filter(|(uri, _)| !seen.contains(uri))
            .collect();
        let mut result = VanishedOutcome::default();
        if missing.is_empty() {
            return Ok(result);
        }
        info!(
            count = missing.len(),
            "looking up events missing from the listing"
        );
        let jobs: Vec<_> = missing
            .iter()
            .map(|(uri, _)| async move {
                bump(&self.stats.lookups);
                match self.call(|| self.client.event_once(uri)).await {
                    Ok(ev) => Ok(Lookup::Found(Box::new(ev))),
                    Err(ApiError::NotFound { .. }) => Ok(Lookup::Gone),
                    Err(ApiError::PermissionDenied { .. }) => Ok(Lookup::Refused),
                    Err(e) => Err(e),
                }
            })
            .collect();
        let answers = bounded(self.opts.concurrency, jobs).await?;
        let mut found = Vec::new();
        let mut gone = Vec::new();
        for ((uri, stored), answer) in missing.into_iter().zip(answers) {
            let verdict = match &answer {
                Lookup::Found(_) => Some(true),
                Lookup::Gone => Some(false),
                Lookup::Refused => None,
            };
            match (reconcile::vanished(verdict, &stored), answer) {
                (Vanished::Apply, Lookup::Found(ev)) => found.push(*ev),
                (Vanished::MarkCanceled, _) => gone.push(uri),
                _ => result.kept += 1,
            }
        }
        result.found = found.len() as u32;
        result.canceled = gone.len() as u32;
        let inputs = self.inputs(found, &mut out.invitees_skipped).await?;
        let applied = self.store.with_tx(|tx| {
            let mut sum = ApplyOutcome::default();
            for input in &inputs {
                sum.merge(&apply(tx, input)?);
            }
            for uri in &gone {
                // Calendly no longer has it: the stored resource, canceled, through the same path.
                let Some(raw) = events::raw_json(tx, uri)? else {
                    continue;
                };
                let mut event: ScheduledEvent =
                    serde_json::from_str(&raw).map_err(StoreError::from)?;
                event.status = "canceled".into();
                let input = Input::Event {
                    event,
                    invitees: Vec::new(),
                };
                sum.merge(&apply(tx, &input)?);
            }
            Ok::<_, SyncError>(sum)
        })?;
        out.applied.merge(&applied);
        Ok(result)
    }
}
