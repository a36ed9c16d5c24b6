//! Connecting with OAuth as RFC 8252 asks of a native app: the system browser, PKCE S256, a
//! random `state`, a one-shot loopback listener, then tokens that stay fresh (single-flight
//! refresh with rotation) and are revoked on disconnect.

pub mod app;
mod error;
pub mod flow;
pub mod loopback;
pub mod relay;
pub mod tokens;

pub use app::{OAuthApp, DEFAULT_REDIRECT_PORT, SCOPES};
pub use error::OAuthError;
pub use flow::PendingAuthorization;
pub use relay::Relay;
pub use tokens::{OAuthSession, TokenSet};
