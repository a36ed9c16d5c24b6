//! A Production Calendly app's sign-in: its registered redirect is HTTPS on a public host, so
//! the redirect reaches Slotline through the live service, the user's own public URL, or an
//! ngrok tunnel opened for the sign-in.

use super::stored::ConnectError;
use crate::oauth::{OAuthApp, PendingAuthorization};
use crate::prefs::WebhookMode;
use crate::secrets::{SecretKind, SecretStore};
use crate::store::Store;

/// Starts a sign-in for a Production Calendly app, whose registered redirect is
/// `https://<public host>/oauth/callback` (`app.redirect_override`). When the live service runs,
/// pass its relay: the webhook receiver already serves the route behind the tunnel. Otherwise
/// (the first connection) the route is served alone on `listen` (loopback; the port the tunnel or
/// reverse proxy forwards to) until the sign-in ends. Finish with [`finish_oauth`].
pub async fn begin_production_oauth(
    app: &OAuthApp,
    live_relay: Option<&crate::oauth::Relay>,
    listen: std::net::SocketAddr,
) -> Result<PendingAuthorization, ConnectError> {
    use crate::oauth::relay::{Relay, RelayServer};
    Ok(match live_relay {
        Some(relay) => PendingAuthorization::begin_relayed(app, relay).await?,
        None => {
            let relay = Relay::default();
            let server = RelayServer::bind(listen, &relay).await?;
            PendingAuthorization::begin_relayed(app, &relay)
                .await?
                .keep_alive(server)
        }
    })
}

/// How the window receives a Production app's HTTPS redirect.
pub enum RedirectRoute {
    /// The live service runs: its receiver serves `/oauth/callback` behind the tunnel.
    Live(crate::oauth::Relay),
    /// The user's own public URL forwards to this loopback address.
    Listen(std::net::SocketAddr),
    /// An ngrok tunnel opened for the sign-in alone.
    Ngrok {
        authtoken: String,
        domain: Option<String>,
        server_addr: Option<String>,
    },
}

/// Which [`RedirectRoute`] the window's Real time settings give a Production sign-in.
pub fn redirect_route(
    store: &Store,
    secrets: &dyn SecretStore,
    live_running: bool,
    public_url_port: u16,
) -> Result<RedirectRoute, ConnectError> {
    if live_running {
        return Ok(RedirectRoute::Live(crate::oauth::relay::process_relay()));
    }
    let prefs = crate::prefs::load(store)?;
    match prefs.webhook_mode {
        WebhookMode::PublicUrl => Ok(RedirectRoute::Listen(
            ([127, 0, 0, 1], public_url_port).into(),
        )),
        WebhookMode::Ngrok => match secrets.get(SecretKind::NgrokAuthtoken)? {
            Some(authtoken) => Ok(RedirectRoute::Ngrok {
                authtoken,
                domain: prefs.ngrok_domain.clone(),
                server_addr: std::env::var("SLOTLINE_NGROK_SERVER_ADDR").ok(),
            }),
            None => Err(ConnectError::BadSetting(
                "a Production app's HTTPS redirect comes through ngrok: paste your ngrok authtoken under Real time first".into(),
            )),
        },
        WebhookMode::Off => Err(ConnectError::BadSetting(
            "a Production app's HTTPS redirect needs a public address: set up ngrok or your own public URL under Real time, or use a Sandbox app with the localhost redirect".into(),
        )),
    }
}

/// [`begin_production_oauth`] for the window: through the running live service, the user's own
/// public URL, or an ngrok tunnel opened for the sign-in (the first connection with ngrok).
pub async fn begin_production_oauth_via(
    app: &OAuthApp,
    route: RedirectRoute,
) -> Result<PendingAuthorization, ConnectError> {
    use crate::oauth::relay::{Relay, RelayServer};
    match route {
        RedirectRoute::Live(relay) => {
            begin_production_oauth(app, Some(&relay), ([127, 0, 0, 1], 0).into()).await
        }
        RedirectRoute::Listen(addr) => begin_production_oauth(app, None, addr).await,
        RedirectRoute::Ngrok {
            authtoken,
            domain,
            server_addr,
        } => {
            let relay = Relay::default();
            let server = RelayServer::bind(([127, 0, 0, 1], 0).into(), &relay).await?;
            let tunnel = crate::tunnel::open_ngrok(
                &authtoken,
                domain.as_deref(),
                server_addr.as_deref(),
                server.local_addr(),
            )
            .await
            .map_err(|e| {
                ConnectError::BadSetting(format!(
                    "the ngrok tunnel for the sign-in did not open: {e}"
                ))
            })?;
            let expected = crate::oauth::relay::redirect_uri(tunnel.url());
            if app.redirect_override.as_deref() != Some(expected.as_str()) {
                return Err(ConnectError::BadSetting(format!(
                    "ngrok opened {} but the app's redirect is {}; set your static ngrok domain under Real time and register {expected} in Calendly",
                    tunnel.url(),
                    app.redirect_override.as_deref().unwrap_or("not set")
                )));
            }
            Ok(PendingAuthorization::begin_relayed(app, &relay)
                .await?
                .keep_alive((server, tunnel)))
        }
    }
}
