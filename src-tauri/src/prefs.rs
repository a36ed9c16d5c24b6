//! The user's preferences (zone, real-time mode, feed, notifications), kept as one JSON value in
//! the settings table. Never a secret: the ngrok authtoken lives in the keyring.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::clock::format_utc;
use crate::store::{settings, Store, StoreError};

const KEY: &str = "preferences";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Preferences {
    /// IANA zone the calendar shows; null means the system zone.
    pub timezone: Option<String>,
    pub secondary_timezone: Option<String>,
    pub show_canceled: bool,
    pub notifications: bool,
    pub ics_feed: bool,
    /// Read-only: where the local ICS feed can be subscribed to, while it runs.
    pub ics_feed_url: Option<String>,
    pub reconcile_minutes: u32,
    /// `off`, `ngrok` or `public-url`.
    pub webhook_mode: String,
    pub public_url: Option<String>,
    pub ngrok_domain: Option<String>,
    /// Read-only: whether an ngrok authtoken is stored in the keyring.
    pub has_ngrok_authtoken: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            timezone: None,
            secondary_timezone: None,
            show_canceled: false,
            notifications: true,
            ics_feed: false,
            ics_feed_url: None,
            reconcile_minutes: 15,
            webhook_mode: "off".into(),
            public_url: None,
            ngrok_domain: None,
            has_ngrok_authtoken: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PrefsError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub fn load(store: &Store) -> Result<Preferences, StoreError> {
    let raw = store.read(|tx| settings::get(tx, KEY))?;
    Ok(raw
        .and_then(|r| serde_json::from_str(&r).ok())
        .unwrap_or_default())
}

/// Validates and saves; read-only fields are ignored.
pub fn save(
    store: &Store,
    mut prefs: Preferences,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Preferences, PrefsError> {
    for tz in [&prefs.timezone, &prefs.secondary_timezone]
        .into_iter()
        .flatten()
    {
        if tz.parse::<chrono_tz::Tz>().is_err() {
            return Err(PrefsError::Invalid(format!(
                "{tz} is not an IANA time zone"
            )));
        }
    }
    if !["off", "ngrok", "public-url"].contains(&prefs.webhook_mode.as_str()) {
        return Err(PrefsError::Invalid(format!(
            "unknown real-time mode {:?}",
            prefs.webhook_mode
        )));
    }
    prefs.public_url = prefs
        .public_url
        .map(|u| u.trim().trim_end_matches('/').to_string())
        .filter(|u| !u.is_empty());
    if prefs.webhook_mode == "public-url" {
        match &prefs.public_url {
            Some(u) if u.starts_with("https://") => {}
            _ => {
                return Err(PrefsError::Invalid(
                    "a public URL must start with https:// (Calendly only delivers to public HTTPS addresses)".into(),
                ))
            }
        }
    }
    if !(1..=1440).contains(&prefs.reconcile_minutes) {
        return Err(PrefsError::Invalid(
            "reconcile every 1 to 1440 minutes".into(),
        ));
    }
    prefs.ics_feed_url = None;
    prefs.has_ngrok_authtoken = false;
    let raw = serde_json::to_string(&prefs).map_err(StoreError::from)?;
    let stamp = format_utc(now);
    store.with_tx(|tx| settings::set(tx, KEY, Some(&raw), &stamp))?;
    Ok(prefs)
}
