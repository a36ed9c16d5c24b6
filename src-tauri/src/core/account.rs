//! Connecting and disconnecting the account, the OAuth sign-in in flight, and the settings
//! and preferences that restart services when they change.

use std::sync::Arc;

use super::error::CoreError;
use super::owner::Core;
use super::parts::{InFlight, OAuthRequest, OAUTH_TIMEOUT, PUBLIC_URL_PORT};
use crate::connect;
use crate::feed::{OAuthStart, SettingsView, StaleTopic, StatusView};
use crate::oauth::{OAuthApp, OAuthError, PendingAuthorization};
use crate::prefs::{Preferences, WebhookMode};
use crate::secrets::SecretKind;

fn trimmed(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl Core {
    /// Validates and stores a personal access token and the account (`slotline connect`).
    pub async fn connect(&self, token: &str) -> Result<crate::store::account::Account, CoreError> {
        let account = connect::connect_pat(
            &self.config,
            &self.store,
            self.secrets.as_ref(),
            token,
            false,
            self.now(),
        )
        .await?;
        self.drop_connection();
        Ok(account)
    }

    /// Connects with a personal access token, syncs, and starts the live service.
    pub async fn connect_token(self: &Arc<Self>, token: &str) -> Result<StatusView, CoreError> {
        self.connect(token).await?;
        self.after_connect(true).await
    }

    /// Connects to the in-process offline sandbox ("Explore").
    pub async fn explore_sandbox(self: &Arc<Self>) -> Result<StatusView, CoreError> {
        let (sandbox, _account) =
            crate::explore::connect(&self.config, &self.store, self.secrets.as_ref()).await?;
        *self.sandbox.lock().await = Some(sandbox);
        self.after_connect(true).await
    }

    /// At start with the sandbox account: the sandbox again, on a new port.
    pub(super) async fn resume_sandbox(&self) {
        match crate::explore::start(&self.config).await {
            Ok(sb) => {
                if let Err(e) = connect::repoint(&self.store, &sb.base_url()) {
                    tracing::warn!(error = %e, "could not repoint the sandbox account");
                }
                self.drop_connection();
                *self.sandbox.lock().await = Some(sb);
            }
            Err(e) => tracing::warn!(error = %e, "the offline sandbox did not start"),
        }
    }

    /// Starts a sign-in: saves the app's settings, then listens for the redirect (loopback,
    /// or a Production app's HTTPS redirect through the live service, the user's public URL
    /// or an ngrok tunnel). Answers the URL to open in the browser.
    pub async fn begin_oauth(&self, req: OAuthRequest) -> Result<OAuthStart, CoreError> {
        let port = match req.redirect_port {
            Some(p) => p,
            None => self.settings()?.redirect_port,
        };
        connect::save_settings(
            &self.store,
            Some(&req.client_id),
            port.max(1024),
            self.now(),
        )?;
        self.secrets.check()?;
        let client_secret = match trimmed(req.client_secret) {
            Some(s) => Some(s),
            None => self.secrets.get(SecretKind::OAuthClientSecret)?,
        };
        let app = OAuthApp {
            client_id: req.client_id,
            client_secret,
            auth_url: self.config.auth_url.clone(),
            redirect_port: port,
            redirect_override: trimmed(req.redirect_uri),
        };
        self.sign_in.cancel();
        let pending = match &app.redirect_override {
            None => PendingAuthorization::begin(&app).await?,
            Some(redirect) => {
                let live = self.live.lock().await.as_ref().map(|l| l.public_url());
                if let Some(None) = live {
                    // Calendly would redirect to an address nothing forwards to this machine:
                    // say so now rather than wait ten minutes for a redirect that cannot come.
                    return Err(connect::ConnectError::BadSetting(format!(
                        "a Production app's HTTPS redirect ({redirect}) reaches Slotline through the public URL under Real time, and there is none right now (real time is off, or the tunnel is down: see the status line). Set up ngrok or your own public URL, or use a Sandbox app with the localhost redirect"
                    ))
                    .into());
                }
                let live = live.is_some();
                let route = connect::redirect_route(
                    &self.store,
                    self.secrets.as_ref(),
                    live,
                    PUBLIC_URL_PORT,
                )?;
                connect::begin_production_oauth_via(&app, route).await?
            }
        };
        let start = OAuthStart {
            authorize_url: pending.authorize_url.clone(),
            redirect_uri: app.redirect_uri(),
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        *self
            .sign_in
            .cancel
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(tx);
        *self.sign_in.flight.lock().await = Some(InFlight {
            pending,
            app,
            cancel: rx,
        });
        Ok(start)
    }

    /// Waits for the sign-in begun with [`Core::begin_oauth`], stores the account, syncs and
    /// starts the live service.
    pub async fn finish_oauth(self: &Arc<Self>) -> Result<StatusView, CoreError> {
        self.finish_sign_in(OAUTH_TIMEOUT).await?;
        self.after_connect(false).await
    }

    /// Waits up to `timeout` for the sign-in begun with [`Core::begin_oauth`] and stores the
    /// account (`slotline connect --oauth`).
    pub async fn finish_sign_in(
        &self,
        timeout: std::time::Duration,
    ) -> Result<crate::store::account::Account, CoreError> {
        let Some(flight) = self.sign_in.flight.lock().await.take() else {
            return Err(CoreError::InvalidInput(
                "no sign-in is in progress; click Connect Calendly".into(),
            ));
        };
        let finish = connect::finish_oauth(
            &self.config,
            &self.store,
            self.secrets.as_ref(),
            &flight.app,
            flight.pending,
            timeout,
            self.now(),
        );
        let account = tokio::select! {
            r = finish => r?,
            _ = flight.cancel => return Err(OAuthError::Canceled.into()),
        };
        self.drop_connection();
        Ok(account)
    }

    pub fn cancel_oauth(&self) {
        self.sign_in.cancel();
    }

    /// The ngrok authtoken in the keyring, for `slotline serve --tunnel ngrok`.
    pub fn ngrok_authtoken(&self) -> Result<Option<String>, CoreError> {
        Ok(self.secrets.get(SecretKind::NgrokAuthtoken)?)
    }

    /// Stops the live service, deletes the subscriptions and revokes the sign-in through the
    /// process's one session, forgets the secrets. Answers the warnings to show.
    pub async fn disconnect(&self, erase: bool) -> Result<Vec<String>, CoreError> {
        if let Some(live) = self.live.lock().await.take() {
            let _ = live.stop().await;
        }
        let connection = self.current_runner().map(|r| r.connection().clone());
        let done =
            connect::disconnect(&self.store, self.secrets.clone(), connection, erase).await?;
        self.drop_connection();
        *self.sandbox.lock().await = None;
        self.stale(&[StaleTopic::Events, StaleTopic::Contacts, StaleTopic::Status]);
        Ok(done.warnings())
    }

    pub fn settings(&self) -> Result<SettingsView, CoreError> {
        Ok(connect::settings_view(&self.store, self.secrets.as_ref())?)
    }

    pub fn save_settings(
        &self,
        client_id: Option<&str>,
        redirect_port: u16,
    ) -> Result<SettingsView, CoreError> {
        connect::save_settings(&self.store, client_id, redirect_port, self.now())?;
        self.settings()
    }

    /// The preferences as the window shows them (with what only the keyring and the running
    /// feed know).
    pub fn preferences(&self) -> Result<Preferences, CoreError> {
        let mut p = crate::prefs::load(&self.store)?;
        p.has_ngrok_authtoken = self.secrets.get(SecretKind::NgrokAuthtoken)?.is_some();
        p.ics_feed_url = self.feed.url();
        p.ics_feed_notice = self.feed.notice();
        Ok(p)
    }

    /// Saves the preferences; restarts the live service or the feed when theirs changed.
    pub async fn save_preferences(&self, prefs: Preferences) -> Result<Preferences, CoreError> {
        let before = crate::prefs::load(&self.store)?;
        let saved = crate::prefs::save(&self.store, prefs, self.now())?;
        let live_changed = before.webhook_mode != saved.webhook_mode
            || before.public_url != saved.public_url
            || before.ngrok_domain != saved.ngrok_domain
            || before.reconcile_minutes != saved.reconcile_minutes;
        if live_changed {
            self.restart_live().await;
        }
        if before.ics_feed != saved.ics_feed {
            self.apply_feed(saved.ics_feed).await;
        }
        self.stale(&[StaleTopic::Status, StaleTopic::Webhooks, StaleTopic::Events]);
        self.preferences()
    }

    /// Stores (or, empty, removes) the ngrok authtoken; answers whether one is stored now.
    pub fn store_ngrok_authtoken(&self, token: Option<&str>) -> Result<bool, CoreError> {
        match token.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => self.secrets.set(SecretKind::NgrokAuthtoken, t)?,
            None => self.secrets.delete(SecretKind::NgrokAuthtoken)?,
        }
        Ok(self.secrets.get(SecretKind::NgrokAuthtoken)?.is_some())
    }

    /// The ngrok authtoken from the window: stored, and the live service restarted in ngrok
    /// mode.
    pub async fn set_ngrok_authtoken(&self, token: Option<&str>) -> Result<Preferences, CoreError> {
        self.store_ngrok_authtoken(token)?;
        if crate::prefs::load(&self.store)?.webhook_mode == WebhookMode::Ngrok {
            self.restart_live().await;
        }
        self.preferences()
    }

    /// Saves (a blank body deletes) the private note on a stored meeting; local only.
    pub fn set_private_note(
        &self,
        uri: &str,
        body: &str,
    ) -> Result<Option<crate::feed::PrivateNote>, CoreError> {
        use crate::store::notes::{self, NoteError};
        let now = crate::clock::format_utc(self.now());
        self.store
            .with_tx(|tx| notes::set(tx, uri, body, &now))
            .map_err(|e| match e {
                NoteError::UnknownMeeting => CoreError::NotFound(e.to_string()),
                NoteError::TooLong { .. } => CoreError::InvalidInput(e.to_string()),
                other => other.into(),
            })
    }

    /// Writes an export into the Downloads folder (else home); answers the file's path.
    pub fn export_to_downloads(
        &self,
        format: crate::export::ExportFormat,
        include_canceled: bool,
    ) -> Result<std::path::PathBuf, CoreError> {
        use crate::export;
        let dir = dirs::download_dir()
            .or_else(dirs::home_dir)
            .ok_or_else(|| {
                CoreError::Internal("no Downloads or home folder to save into".into())
            })?;
        let opts = export::ExportOptions {
            range: export::Range::default(),
            include_canceled,
            csv: export::CsvKind::Meetings,
            now: self.now(),
        };
        Ok(export::export_to_file(&self.store, &dir, format, &opts)?)
    }
}
