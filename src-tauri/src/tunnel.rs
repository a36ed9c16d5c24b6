//! Exposing the local webhook receiver: an ngrok session opened inside the process (the
//! account's static domain when given, else a random URL), or a public URL the user already
//! has. The receiver never knows which is in front of it.

use std::net::SocketAddr;
use std::time::Duration;

use ngrok::config::ForwarderBuilder;
use ngrok::forwarder::Forwarder;
use ngrok::tunnel::{EndpointInfo, HttpTunnel};

/// How long to wait for the ngrok service before saying it is unreachable: a peer that
/// accepts and never answers would otherwise hang `connect()` forever.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How the receiver is reached from the internet.
#[derive(Clone, PartialEq, Eq)]
pub enum Exposure {
    /// Nobody can reach it: polling only.
    None,
    /// A public HTTPS name (reverse proxy, Cloudflare Tunnel, Tailscale Funnel) already forwards
    /// to the receiver.
    PublicUrl(String),
    Ngrok {
        authtoken: String,
        domain: Option<String>,
        /// A different ngrok server (`host:port`), for self-hosted setups and tests.
        server_addr: Option<String>,
    },
}

impl std::fmt::Debug for Exposure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exposure::None => f.write_str("None"),
            Exposure::PublicUrl(u) => write!(f, "PublicUrl({u})"),
            Exposure::Ngrok { domain, .. } => write!(f, "Ngrok {{ domain: {domain:?}, .. }}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TunnelError {
    #[error("no ngrok authtoken: paste it in Settings (it is kept in the keyring)")]
    NoAuthtoken,
    #[error("ngrok did not answer within {} s (no network, or a firewall); Slotline keeps polling Calendly meanwhile", .0.as_secs_f32())]
    Timeout(Duration),
    #[error("could not reach ngrok: {0}; Slotline keeps polling Calendly meanwhile")]
    Connect(String),
    #[error("ngrok refused the tunnel: {0}")]
    Listen(String),
    #[error("the tunnel configuration is invalid: {0}")]
    Config(String),
}

/// An open ngrok tunnel forwarding to the local receiver; closed on drop.
pub struct Tunnel {
    url: String,
    forwarder: Forwarder<HttpTunnel>,
    _session: ngrok::Session,
}

impl Tunnel {
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Resolves when the tunnel stops forwarding (the session was lost for good).
    pub async fn closed(&mut self) -> String {
        match self.forwarder.join().await {
            Ok(Ok(())) => "the tunnel closed".into(),
            Ok(Err(e)) => format!("the tunnel failed: {e}"),
            Err(e) => format!("the tunnel task ended: {e}"),
        }
    }
}

/// Opens an ngrok session and an HTTPS endpoint forwarding to `local`.
pub async fn open_ngrok(
    authtoken: &str,
    domain: Option<&str>,
    server_addr: Option<&str>,
    local: SocketAddr,
) -> Result<Tunnel, TunnelError> {
    open_ngrok_within(authtoken, domain, server_addr, local, CONNECT_TIMEOUT).await
}

/// [`open_ngrok`], waiting at most `timeout` for each of the session and the endpoint.
pub async fn open_ngrok_within(
    authtoken: &str,
    domain: Option<&str>,
    server_addr: Option<&str>,
    local: SocketAddr,
    timeout: Duration,
) -> Result<Tunnel, TunnelError> {
    if authtoken.trim().is_empty() {
        return Err(TunnelError::NoAuthtoken);
    }
    let mut builder = ngrok::Session::builder();
    builder.authtoken(authtoken.trim()).client_info(
        "slotline",
        env!("CARGO_PKG_VERSION"),
        None::<String>,
    );
    if let Some(addr) = server_addr {
        builder
            .server_addr(addr)
            .map_err(|e| TunnelError::Config(e.to_string()))?;
    }
    let session = match tokio::time::timeout(timeout, builder.connect()).await {
        Err(_) => return Err(TunnelError::Timeout(timeout)),
        Ok(Err(e)) => return Err(TunnelError::Connect(e.to_string())),
        Ok(Ok(s)) => s,
    };
    let mut endpoint = session.http_endpoint();
    if let Some(d) = domain.map(str::trim).filter(|d| !d.is_empty()) {
        endpoint.domain(d);
    }
    let to = url::Url::parse(&format!("http://{local}"))
        .map_err(|e| TunnelError::Config(e.to_string()))?;
    let forwarder = match tokio::time::timeout(timeout, endpoint.listen_and_forward(to)).await {
        Err(_) => return Err(TunnelError::Timeout(timeout)),
        Ok(Err(e)) => return Err(TunnelError::Listen(e.to_string())),
        Ok(Ok(f)) => f,
    };
    Ok(Tunnel {
        url: forwarder.url().to_string(),
        forwarder,
        _session: session,
    })
}
