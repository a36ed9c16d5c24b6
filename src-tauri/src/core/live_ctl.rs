//! The live service under the core: started after connecting and at launch, restarted when the
//! real-time settings change, and run headless by `slotline serve`. Its reports become
//! [`CoreEvent`]s: stale read models, sentences and notifications.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::error::CoreError;
use super::events::{CoreEvent, ALL_DATA};
use super::owner::Core;
use super::parts::PUBLIC_URL_PORT;
use crate::feed::StaleTopic;
use crate::live::{Live, LiveEvent, LiveOptions, LiveTuning};
use crate::prefs::WebhookMode;
use crate::secrets::SecretKind;
use crate::store::account;
use crate::tunnel::Exposure;

fn free_loopback_port() -> Option<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()
        .map(|a| a.port())
}

impl Core {
    /// Where the window's live service listens and how Calendly reaches it, by the account and
    /// the Real time preferences.
    fn live_options(&self, acct: &account::Account) -> LiveOptions {
        let prefs = crate::prefs::load(&self.store).unwrap_or_default();
        let loopback = |port: u16| SocketAddr::from(([127, 0, 0, 1], port));
        let (listen, exposure) = if acct.is_sandbox {
            // The offline sandbox is on this machine: it can deliver straight to the receiver.
            let port = free_loopback_port().unwrap_or(0);
            (
                loopback(port),
                Exposure::PublicUrl(format!("http://127.0.0.1:{port}")),
            )
        } else {
            match (prefs.webhook_mode, &prefs.public_url) {
                (WebhookMode::PublicUrl, Some(u)) => {
                    (loopback(PUBLIC_URL_PORT), Exposure::PublicUrl(u.clone()))
                }
                (WebhookMode::Ngrok, _) => match self.secrets.get(SecretKind::NgrokAuthtoken) {
                    Ok(Some(authtoken)) => (
                        loopback(0),
                        Exposure::Ngrok {
                            authtoken,
                            domain: prefs.ngrok_domain.clone(),
                            server_addr: std::env::var("SLOTLINE_NGROK_SERVER_ADDR").ok(),
                        },
                    ),
                    _ => (loopback(0), Exposure::None),
                },
                _ => (loopback(0), Exposure::None),
            }
        };
        LiveOptions {
            listen,
            exposure,
            reconcile_every: Duration::from_secs(u64::from(prefs.reconcile_minutes.max(1)) * 60),
            check_subscription_every: Duration::from_secs(300),
        }
    }

    /// Stops the running live service (if any) and starts one for the current account and
    /// preferences. Does nothing more when no account is connected.
    pub async fn restart_live(&self) {
        let mut live = self.live.lock().await;
        if let Some(old) = live.take() {
            if let Err(e) = old.stop().await {
                tracing::warn!(error = %e, "the live service did not stop cleanly");
            }
        }
        let Ok(Some(acct)) = self.store.read(|tx| account::get(tx)) else {
            return;
        };
        let opts = self.live_options(&acct);
        match self.start_live(opts).await {
            Ok(started) => *live = Some(started),
            Err(e) => tracing::warn!(error = %e, "the live service did not start"),
        }
        drop(live);
        self.stale(&[StaleTopic::Status, StaleTopic::Webhooks]);
    }

    /// Starts the live service with `opts` on the core's one runner, forwarding its reports.
    async fn start_live(&self, opts: LiveOptions) -> Result<Live, CoreError> {
        let runner = self.runner()?;
        let tuning = LiveTuning {
            relay: crate::oauth::relay::process_relay(),
            runner: Some(runner),
            ..self.tuning.live.clone()
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let live =
            Live::start_tuned(self.store.clone(), self.secrets.clone(), opts, tx, tuning).await?;
        tokio::spawn(forward(self.store.clone(), self.events.clone(), rx));
        Ok(live)
    }

    /// `slotline serve`: the live service with explicit options until `shutdown`, then a clean
    /// stop after in-flight deliveries are stored.
    pub async fn serve(
        &self,
        opts: LiveOptions,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> Result<(), CoreError> {
        let live = self.start_live(opts).await?;
        *self.live.lock().await = Some(live);
        shutdown.await;
        self.emit(CoreEvent::Say("stopping".into()));
        if let Some(live) = self.live.lock().await.take() {
            live.stop().await?;
        }
        Ok(())
    }

    /// The running live service's public URL (tests and Settings).
    pub async fn live_local_addr(&self) -> Option<SocketAddr> {
        self.live.lock().await.as_ref().and_then(Live::local_addr)
    }
}

/// Turns live reports into core events. Sync progress and outcomes come from the runner itself
/// (every run, whoever started it), so they are not repeated here.
async fn forward(
    store: Arc<crate::store::Store>,
    events: tokio::sync::broadcast::Sender<CoreEvent>,
    mut rx: mpsc::UnboundedReceiver<LiveEvent>,
) {
    while let Some(event) = rx.recv().await {
        let out = match event {
            LiveEvent::Say(s) => vec![CoreEvent::Say(s)],
            LiveEvent::Progress(_) | LiveEvent::Synced(_) => vec![],
            LiveEvent::Woke(_) | LiveEvent::NetworkBack => vec![],
            LiveEvent::Offline(_) | LiveEvent::Status(_) => {
                vec![CoreEvent::Stale(vec![
                    StaleTopic::Status,
                    StaleTopic::Webhooks,
                ])]
            }
            LiveEvent::Applied(report) => {
                let mut out = vec![CoreEvent::Stale(
                    ALL_DATA
                        .iter()
                        .copied()
                        .chain([StaleTopic::Webhooks])
                        .collect(),
                )];
                out.extend(
                    super::notice::for_invitees(&store, &report.invitee_uris)
                        .into_iter()
                        .map(CoreEvent::Notice),
                );
                out
            }
        };
        for e in out {
            let _ = events.send(e);
        }
    }
}
