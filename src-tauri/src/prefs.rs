//! The user's preferences (zone, real-time mode, feed, notifications), kept as one JSON value in
//! the settings table. Never a secret: the ngrok authtoken lives in the keyring.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::clock::format_utc;
use crate::store::{settings, Store, StoreError};

const KEY: &str = "preferences";

pub const DEFAULT_DAYS_BACK: u32 = 90;
pub const DEFAULT_DAYS_AHEAD: u32 = 365;
/// Calendly lists any range, but a window this wide costs many pages per reconcile.
pub const MAX_WINDOW_DAYS: u32 = 3650;

/// How Calendly's webhooks reach this laptop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum WebhookMode {
    /// No real-time delivery: reconcile on a schedule only.
    #[default]
    Off,
    /// An ngrok tunnel (its authtoken in the keyring).
    Ngrok,
    /// The user's own public HTTPS address, forwarded to the local receiver.
    PublicUrl,
}

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
    /// Read-only: set when the feed's port was taken and it moved to a new address.
    pub ics_feed_notice: Option<String>,
    pub reconcile_minutes: u32,
    /// The reconcile window: days back from today and days ahead (defaults 90 and 365).
    pub sync_days_back: u32,
    pub sync_days_ahead: u32,
    pub webhook_mode: WebhookMode,
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
            ics_feed_notice: None,
            reconcile_minutes: 15,
            sync_days_back: DEFAULT_DAYS_BACK,
            sync_days_ahead: DEFAULT_DAYS_AHEAD,
            webhook_mode: WebhookMode::Off,
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
    prefs.public_url = prefs
        .public_url
        .map(|u| u.trim().trim_end_matches('/').to_string())
        .filter(|u| !u.is_empty());
    if prefs.webhook_mode == WebhookMode::PublicUrl {
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
    if prefs.sync_days_back > MAX_WINDOW_DAYS || prefs.sync_days_ahead > MAX_WINDOW_DAYS {
        return Err(PrefsError::Invalid(format!(
            "sync at most {MAX_WINDOW_DAYS} days back and {MAX_WINDOW_DAYS} days ahead"
        )));
    }
    if prefs.sync_days_back + prefs.sync_days_ahead == 0 {
        return Err(PrefsError::Invalid(
            "the sync window must cover at least one day (back or ahead)".into(),
        ));
    }
    prefs.ics_feed_url = None;
    prefs.ics_feed_notice = None;
    prefs.has_ngrok_authtoken = false;
    let raw = serde_json::to_string(&prefs).map_err(StoreError::from)?;
    let stamp = format_utc(now);
    store.with_tx(|tx| settings::set(tx, KEY, Some(&raw), &stamp))?;
    Ok(prefs)
}

impl Preferences {
    /// The window the reconcile lists around `now`.
    pub fn sync_window(&self, now: chrono::DateTime<chrono::Utc>) -> crate::sync::engine::Window {
        crate::sync::engine::Window::days(
            now,
            i64::from(self.sync_days_back),
            i64::from(self.sync_days_ahead),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("slotline.db")).expect("store");
        (dir, store)
    }

    #[test]
    fn the_sync_window_defaults_to_90_back_and_365_ahead_and_old_prefs_get_them() {
        let (_d, store) = store();
        let now = chrono::Utc::now();
        // Preferences saved before the window existed load with the defaults.
        store
            .with_tx(|tx| {
                settings::set(
                    tx,
                    KEY,
                    Some(r#"{"reconcileMinutes":20}"#),
                    "2026-01-01T00:00:00Z",
                )
            })
            .expect("seed");
        let p = load(&store).expect("load");
        assert_eq!(
            (p.sync_days_back, p.sync_days_ahead, p.reconcile_minutes),
            (90, 365, 20)
        );
        let w = p.sync_window(now);
        assert_eq!(w.from, now - chrono::Duration::days(90));
        assert_eq!(w.to, now + chrono::Duration::days(365));
    }

    #[test]
    fn the_sync_window_and_interval_are_validated_and_saved() {
        let (_d, store) = store();
        let now = chrono::Utc::now();
        let ok = Preferences {
            sync_days_back: 30,
            sync_days_ahead: 60,
            reconcile_minutes: 5,
            ..Preferences::default()
        };
        save(&store, ok, now).expect("valid");
        let p = load(&store).expect("load");
        assert_eq!(
            (p.sync_days_back, p.sync_days_ahead, p.reconcile_minutes),
            (30, 60, 5)
        );
        for bad in [
            Preferences {
                sync_days_back: 0,
                sync_days_ahead: 0,
                ..Preferences::default()
            },
            Preferences {
                sync_days_ahead: MAX_WINDOW_DAYS + 1,
                ..Preferences::default()
            },
            Preferences {
                reconcile_minutes: 0,
                ..Preferences::default()
            },
        ] {
            let err = save(&store, bad, now).expect_err("invalid");
            assert!(matches!(err, PrefsError::Invalid(_)), "{err}");
        }
        // Nothing invalid was stored.
        assert_eq!(load(&store).expect("load").sync_days_back, 30);
    }
}
