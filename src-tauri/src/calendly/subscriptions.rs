//! The webhook subscription lifecycle: keep ours when it is active and points at the current
//! public URL; otherwise delete it and create a new one with a fresh signing key (kept in the
//! keyring before Calendly sees it). 409 → adopt by replacing; 403 → webhooks are off and the
//! app runs on polling alone.
//!
//! `routing_form_submission.created` exists only at organization scope, which needs an org
//! admin or owner: [`ensure_organization`] keeps a second, organization-scope subscription
//! beside the user one, signed with the same keyring key (so it is recreated whenever that key
//! is); a 403 leaves Slotline without routing form submissions and says why.

use rand::RngCore;
use tracing::{info, instrument, warn};

use super::client::ApiError;
use super::models::WebhookSubscription;
use super::Client;
use crate::secrets::{SecretError, SecretKind, SecretStore};
use crate::store::account::{self, Account};
use crate::store::{Store, StoreError};

/// The deliveries Slotline subscribes to (user scope).
pub const EVENTS: &[&str] = &[
    "invitee.created",
    "invitee.canceled",
    "invitee_no_show.created",
    "invitee_no_show.deleted",
];

/// The organization-scope deliveries (Calendly offers this one at organization scope only).
pub const ORGANIZATION_EVENTS: &[&str] = &["routing_form_submission.created"];

#[derive(Debug, thiserror::Error)]
pub enum SubscriptionError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What `ensure` found or did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Our active subscription was already there.
    Kept(String),
    /// A new subscription was created (the old one, if any, was deleted).
    Created(String),
    /// Calendly refused webhooks (plan or scope): polling only, with the reason.
    Refused(String),
}

/// The callback URL for a public base URL.
pub fn callback_url(public_url: &str) -> String {
    format!(
        "{}{}",
        public_url.trim_end_matches('/'),
        crate::webhook::PATH
    )
}

#[instrument(skip(client, store, secrets, acct))]
pub async fn ensure(
    client: &Client,
    store: &Store,
    secrets: &dyn SecretStore,
    acct: &Account,
    callback: &str,
) -> Result<Outcome, SubscriptionError> {
    let org = acct.organization_uri.clone().unwrap_or_default();
    let existing = match client.list_subscriptions(&org, &acct.user_uri).await {
        Ok(list) => list,
        Err(ApiError::PermissionDenied { message }) => return refuse(store, acct, message),
        Err(e) => return Err(e.into()),
    };
    let have_key = secrets.get(SecretKind::WebhookSigningKey)?.is_some();
    let ours_known = known_uris(store)?;
    for sub in &existing {
        let is_ours = sub.callback_url == callback || ours_known.contains(&sub.uri);
        if !is_ours {
            continue;
        }
        if sub.callback_url == callback && sub.state == "active" && have_key {
            record(store, sub)?;
            return Ok(Outcome::Kept(sub.uri.clone()));
        }
        // Disabled, pointing at an old public URL, or its key is lost: replace it.
        info!(uri = %sub.uri, state = %sub.state, "replacing webhook subscription");
        match client.delete_subscription(&sub.uri).await {
            Ok(()) | Err(ApiError::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        forget(store, &sub.uri)?;
    }
    create(client, store, secrets, acct, callback, &org, true).await
}

async fn create(
    client: &Client,
    store: &Store,
    secrets: &dyn SecretStore,
    acct: &Account,
    callback: &str,
    org: &str,
    retry_on_conflict: bool,
) -> Result<Outcome, SubscriptionError> {
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    let key = hex::encode(raw);
    // The key must be in the keyring before the first delivery can arrive.
    secrets.set(SecretKind::WebhookSigningKey, &key)?;
    match client
        .create_subscription(callback, EVENTS, org, &acct.user_uri, &key)
        .await
    {
        Ok(sub) => {
            record(store, &sub)?;
            Ok(Outcome::Created(sub.uri))
        }
        Err(ApiError::AlreadyExists { .. }) if retry_on_conflict => {
            // Someone (an earlier run) holds this URL: find it, delete it, create ours.
            let list = client.list_subscriptions(org, &acct.user_uri).await?;
            for sub in list.iter().filter(|s| s.callback_url == callback) {
                match client.delete_subscription(&sub.uri).await {
                    Ok(()) | Err(ApiError::NotFound { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
                forget(store, &sub.uri)?;
            }
            Box::pin(create(client, store, secrets, acct, callback, org, false)).await
        }
        Err(ApiError::PermissionDenied { message }) => refuse(store, acct, message),
        Err(e) => Err(e.into()),
    }
}

fn refuse(store: &Store, acct: &Account, message: String) -> Result<Outcome, SubscriptionError> {
    warn!(%message, "Calendly refused webhooks; polling only");
    let mut a = acct.clone();
    a.webhooks_allowed = false;
    store.with_tx(|tx| account::set(tx, &a))?;
    Ok(Outcome::Refused(message))
}

fn record(store: &Store, sub: &WebhookSubscription) -> Result<(), StoreError> {
    let raw = serde_json::to_string(sub)?;
    let events = serde_json::to_string(&sub.events)?;
    store.with_tx(|tx| {
        tx.execute(
            "INSERT INTO webhook_subscriptions (uri, callback_url, state, scope, events_json,
                created_by_app, retry_started_at, created_at, updated_at, raw_json)
             VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8, ?9)
             ON CONFLICT (uri) DO UPDATE SET state = excluded.state,
                retry_started_at = excluded.retry_started_at, updated_at = excluded.updated_at,
                raw_json = excluded.raw_json",
            rusqlite::params![
                sub.uri,
                sub.callback_url,
                sub.state,
                sub.scope.as_deref().unwrap_or("user"),
                events,
                sub.retry_started_at,
                sub.created_at,
                sub.updated_at,
                raw
            ],
        )?;
        Ok(())
    })
}

fn forget(store: &Store, uri: &str) -> Result<(), StoreError> {
    store.with_tx(|tx| {
        tx.execute("DELETE FROM webhook_subscriptions WHERE uri = ?1", [uri])?;
        Ok(())
    })
}

/// Makes sure our organization-scope subscription for routing form submissions points at
/// `callback` and is signed with the current keyring key. Call it after [`ensure`] succeeded;
/// `key_rotated` says [`ensure`] created a subscription with a new key.
#[instrument(skip(client, store, secrets, acct))]
pub async fn ensure_organization(
    client: &Client,
    store: &Store,
    secrets: &dyn SecretStore,
    acct: &Account,
    callback: &str,
    key_rotated: bool,
) -> Result<Outcome, SubscriptionError> {
    let Some(org) = acct.organization_uri.clone() else {
        return Ok(Outcome::Refused(
            "the account belongs to no organization".into(),
        ));
    };
    let Some(key) = secrets.get(SecretKind::WebhookSigningKey)? else {
        return Ok(Outcome::Refused("no signing key in the keyring".into()));
    };
    let existing = match client.list_organization_subscriptions(&org).await {
        Ok(list) => list,
        Err(ApiError::PermissionDenied { message }) => return Ok(Outcome::Refused(message)),
        Err(e) => return Err(e.into()),
    };
    let ours_known = known_uris(store)?;
    let mut attempts = 0;
    for sub in &existing {
        if sub.callback_url != callback && !ours_known.contains(&sub.uri) {
            continue;
        }
        if sub.callback_url == callback && sub.state == "active" && !key_rotated {
            record(store, sub)?;
            return Ok(Outcome::Kept(sub.uri.clone()));
        }
        info!(uri = %sub.uri, state = %sub.state, "replacing the organization webhook subscription");
        match client.delete_subscription(&sub.uri).await {
            Ok(()) | Err(ApiError::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        forget(store, &sub.uri)?;
    }
    loop {
        attempts += 1;
        match client
            .create_organization_subscription(callback, ORGANIZATION_EVENTS, &org, &key)
            .await
        {
            Ok(sub) => {
                record(store, &sub)?;
                return Ok(Outcome::Created(sub.uri));
            }
            Err(ApiError::AlreadyExists { .. }) if attempts == 1 => {
                // Created by someone else for this URL (an earlier run that lost its record).
                for sub in client
                    .list_organization_subscriptions(&org)
                    .await?
                    .iter()
                    .filter(|s| s.callback_url == callback)
                {
                    match client.delete_subscription(&sub.uri).await {
                        Ok(()) | Err(ApiError::NotFound { .. }) => {}
                        Err(e) => return Err(e.into()),
                    }
                    forget(store, &sub.uri)?;
                }
            }
            Err(ApiError::PermissionDenied { message }) => {
                warn!(%message, "Calendly refused the organization subscription");
                return Ok(Outcome::Refused(message));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The subscriptions this app created.
pub fn known_uris(store: &Store) -> Result<Vec<String>, StoreError> {
    store.read(|tx| {
        let mut stmt =
            tx.prepare("SELECT uri FROM webhook_subscriptions WHERE created_by_app = 1")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    })
}

/// A subscription this app created that Calendly did not let it delete.
#[derive(Debug)]
pub struct Undeleted {
    pub uri: String,
    pub callback_url: String,
    pub error: ApiError,
}

/// Deletes every subscription this app created (on disconnect), each one even after another
/// failed. Returns how many are gone and the ones still at Calendly (their records stay, so a
/// later disconnect tries again).
pub async fn delete_ours(
    client: &Client,
    store: &Store,
) -> Result<(usize, Vec<Undeleted>), StoreError> {
    let ours: Vec<(String, String)> = store.read(|tx| {
        let mut stmt = tx.prepare(
            "SELECT uri, callback_url FROM webhook_subscriptions WHERE created_by_app = 1",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok::<_, StoreError>(rows.collect::<Result<_, _>>()?)
    })?;
    let mut deleted = 0;
    let mut left = Vec::new();
    for (uri, callback_url) in ours {
        match client.delete_subscription(&uri).await {
            Ok(()) | Err(ApiError::NotFound { .. }) => {
                forget(store, &uri)?;
                deleted += 1;
            }
            Err(error) => {
                warn!(%uri, %error, "could not delete the webhook subscription");
                left.push(Undeleted {
                    uri,
                    callback_url,
                    error,
                });
            }
        }
    }
    Ok((deleted, left))
}

/// Checks our subscription's state; `true` when it is still active.
pub async fn is_active(client: &Client, uri: &str) -> Result<bool, ApiError> {
    match client.get_subscription(uri).await {
        Ok(sub) => Ok(sub.state == "active"),
        Err(ApiError::NotFound { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}
