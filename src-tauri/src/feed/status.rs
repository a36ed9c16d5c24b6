//! The status line's read model: the account, the store's counts and the webhook inbox.

use rusqlite::Connection;

use super::views::{AccountView, InboxStatus, StatusView, UnappliedCount, WebhookStatus};
use crate::store::{account, inbox, sync_state, StoreError};

/// The status line's facts; `keyring` is filled in by the caller, which owns the secret store.
pub fn status(conn: &Connection) -> Result<StatusView, StoreError> {
    let account = account::get(conn)?.map(|a| AccountView {
        name: a.name,
        email: a.email,
        timezone: a.timezone,
        avatar_url: a.avatar_url,
        auth_kind: a.auth_kind,
        sandbox: a.is_sandbox,
        api_url: a.api_url,
    });
    let events = conn.query_row("SELECT count(*) FROM scheduled_events", [], |r| r.get(0))?;
    let contacts = conn.query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))?;
    Ok(StatusView {
        account,
        last_sync: sync_state::get(conn, sync_state::LAST_SYNC)?,
        last_sync_error: sync_state::get(conn, sync_state::LAST_SYNC_ERROR)?,
        events,
        contacts,
        syncing: false,
        reconnect: sync_state::get(conn, sync_state::RECONNECT)?,
        last_refresh: None,
        webhooks: WebhookStatus::default(),
        keyring: "ok".into(),
        token_warning: None,
        inbox: inbox_status(conn)?,
    })
}

/// The inbox's pending, failed and unapplied deliveries, with the reasons of the unapplied.
pub fn inbox_status(conn: &Connection) -> Result<InboxStatus, StoreError> {
    let counts = inbox::state_counts(conn)?;
    Ok(InboxStatus {
        pending: counts.pending,
        failed: counts.failed,
        unapplied: counts.unapplied,
        unapplied_reasons: inbox::unapplied_reasons(conn)?
            .into_iter()
            .map(|(reason, count)| UnappliedCount {
                reason: reason.as_str().into(),
                count,
            })
            .collect(),
    })
}
