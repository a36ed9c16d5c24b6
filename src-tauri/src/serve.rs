//! `slotline serve`: the live service headless, printing what it does on stderr; stops cleanly
//! on shutdown after in-flight deliveries are stored.

use std::sync::Arc;

use tokio::sync::mpsc;

use crate::config::Config;
use crate::live::{Live, LiveError, LiveEvent, LiveOptions};
use crate::secrets::Keyring;
use crate::store::Store;

pub async fn serve(
    config: &Config,
    opts: LiveOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    say: impl Fn(&str) + Send + Sync + 'static,
) -> Result<(), LiveError> {
    let store = Arc::new(Store::open(&config.db_path())?);
    let secrets = Keyring::new(config.profile());
    let (tx, mut rx) = mpsc::unbounded_channel();
    let live = Live::start(store, secrets, opts, tx).await?;
    let printer = tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            if let LiveEvent::Say(s) = e {
                say(&format!("serve: {s}"));
            }
        }
    });
    shutdown.await;
    eprintln!("serve: stopping");
    let result = live.stop().await;
    printer.abort();
    result
}
