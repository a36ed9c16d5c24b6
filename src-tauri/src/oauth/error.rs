//! What can go wrong connecting with OAuth, each with what to do next.

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("no OAuth client ID: pass --client-id (or set it in Settings) with the ID of your Calendly OAuth app")]
    NoClientId,
    #[error("the OAuth configuration is invalid: {0}")]
    Config(String),
    #[error("could not listen for Calendly's redirect on 127.0.0.1:{port}: {reason}. Free the port or choose another redirect port (it must match the redirect URI registered in Calendly)")]
    Listen { port: u16, reason: String },
    #[error("Calendly's sign-in was not completed within {0} s; try again")]
    Timeout(u64),
    #[error("the sign-in was canceled")]
    Canceled,
    #[error("Calendly did not authorize Slotline: {0}")]
    Denied(String),
    #[error("Calendly's redirect carried no authorization code; try again")]
    NoCode,
    #[error(
        "Calendly refused the authorization code or refresh token ({0}). Connect Calendly again"
    )]
    InvalidGrant(String),
    #[error("the token request to Calendly failed: {0}")]
    Token(String),
}
