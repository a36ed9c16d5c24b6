//! "Explore the offline sandbox": the in-process sandbox, connected through the same code paths
//! as a real account (client, token in the keyring, sync).

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::connect::{self, ConnectError};
use crate::secrets::SecretStore;
use crate::store::account::Account;
use crate::store::Store;
use calendly_sandbox::{Sandbox, SandboxConfig, SandboxError};

#[derive(Debug, thiserror::Error)]
pub enum ExploreError {
    #[error("the offline sandbox could not start: {0}")]
    Sandbox(#[from] SandboxError),
    #[error("the offline sandbox could not listen on loopback: {0}")]
    Listen(#[from] std::io::Error),
    #[error(transparent)]
    Connect(#[from] ConnectError),
}

/// Starts the sandbox on a free loopback port, keeping its world in the data directory so that
/// it survives restarts of the app. It lives as long as the process.
pub async fn start(config: &Config) -> Result<Sandbox, ExploreError> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let sandbox_config = SandboxConfig {
        state_file: Some(config.sandbox_state_path()),
        live_activity: Some(std::time::Duration::from_secs(90)),
        ..SandboxConfig::default()
    };
    Ok(Sandbox::start(sandbox_config, listener, std::future::pending()).await?)
}

/// Starts the sandbox and connects the app to it with its personal access token.
pub async fn connect(
    config: &Config,
    store: &Store,
    secrets: &dyn SecretStore,
) -> Result<(Sandbox, Account), ExploreError> {
    let sandbox = start(config).await?;
    let mut cfg = config.clone();
    cfg.api_url = sandbox.base_url();
    cfg.auth_url = sandbox.base_url();
    let account = connect::connect_pat(
        &cfg,
        store,
        secrets,
        &sandbox.personal_access_token(),
        true,
        SystemClock.now(),
    )
    .await?;
    Ok((sandbox, account))
}
