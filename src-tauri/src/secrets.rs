//! Secrets (tokens, signing keys) live only in the OS keyring, behind a small trait so the rest
//! of the code never names the `keyring` crate. There is no plaintext fallback: when the Secret
//! Service is missing or locked the caller gets an error that says what to do.

use thiserror::Error;

const SERVICE: &str = "app.slotline.desktop";

#[derive(Debug, Error)]
pub enum SecretError {
    #[error("the system keyring is not available ({0}). Slotline keeps tokens only in the keyring: start a Secret Service (for example gnome-keyring-daemon, or install gnome-keyring / KeePassXC with Secret Service enabled) and try again")]
    Unavailable(String),
    #[error("the system keyring is locked or refused access ({0}). Unlock your keyring (log in to the desktop session, or run `gnome-keyring-daemon --unlock`) and try again")]
    Locked(String),
    #[error("the keyring failed: {0}")]
    Other(String),
}

/// Which secret of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// A personal access token, or the OAuth token pair (JSON).
    CalendlyToken,
    /// The signing key of a webhook subscription this app created.
    WebhookSigningKey,
    /// The OAuth app's client secret (web apps only).
    OAuthClientSecret,
    /// The OAuth app's webhook signing key.
    OAuthWebhookSigningKey,
    NgrokAuthtoken,
}

impl SecretKind {
    pub const ALL: [SecretKind; 5] = [
        SecretKind::CalendlyToken,
        SecretKind::WebhookSigningKey,
        SecretKind::OAuthClientSecret,
        SecretKind::OAuthWebhookSigningKey,
        SecretKind::NgrokAuthtoken,
    ];

    fn name(self) -> &'static str {
        match self {
            SecretKind::CalendlyToken => "calendly-token",
            SecretKind::WebhookSigningKey => "webhook-signing-key",
            SecretKind::OAuthClientSecret => "oauth-client-secret",
            SecretKind::OAuthWebhookSigningKey => "oauth-webhook-signing-key",
            SecretKind::NgrokAuthtoken => "ngrok-authtoken",
        }
    }
}

pub trait SecretStore: Send + Sync {
    fn get(&self, kind: SecretKind) -> Result<Option<String>, SecretError>;
    fn set(&self, kind: SecretKind, value: &str) -> Result<(), SecretError>;
    fn delete(&self, kind: SecretKind) -> Result<(), SecretError>;
    /// `Ok(())` when secrets can be stored and read back right now.
    fn check(&self) -> Result<(), SecretError>;
}

/// The OS keyring (Secret Service on Linux), namespaced by profile.
#[derive(Debug, Clone)]
pub struct Keyring {
    profile: String,
}

impl Keyring {
    pub fn new(profile: impl Into<String>) -> Self {
        Self {
            profile: profile.into(),
        }
    }

    fn entry(&self, kind: SecretKind) -> Result<keyring::Entry, SecretError> {
        store_ready()?;
        keyring::Entry::new(SERVICE, &format!("{}/{}", self.profile, kind.name())).map_err(map_err)
    }
}

fn store_ready() -> Result<(), SecretError> {
    match keyring::Entry::store_status() {
        Ok(()) => Ok(()),
        Err(e) => Err(SecretError::Unavailable(e.to_string())),
    }
}

fn map_err(e: keyring::Error) -> SecretError {
    match e {
        keyring::Error::NoStorageAccess(inner) => SecretError::Locked(inner.to_string()),
        keyring::Error::PlatformFailure(inner) => SecretError::Unavailable(inner.to_string()),
        keyring::Error::NoDefaultStore => {
            SecretError::Unavailable("no credential store could be opened".into())
        }
        other => SecretError::Other(other.to_string()),
    }
}

impl SecretStore for Keyring {
    fn get(&self, kind: SecretKind) -> Result<Option<String>, SecretError> {
        match self.entry(kind)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_err(e)),
        }
    }

    fn set(&self, kind: SecretKind, value: &str) -> Result<(), SecretError> {
        self.entry(kind)?.set_password(value).map_err(map_err)
    }

    fn delete(&self, kind: SecretKind) -> Result<(), SecretError> {
        match self.entry(kind)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }

    fn check(&self) -> Result<(), SecretError> {
        // A locked daemon reports a healthy store until the first write, so probe with one.
        let probe =
            keyring::Entry::new(SERVICE, &format!("{}/probe", self.profile)).map_err(map_err)?;
        probe.set_password("probe").map_err(map_err)?;
        match probe.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }
}

/// The keyring attributes of a secret, for tests that read it back with `secret-tool`.
pub fn keyring_attributes(profile: &str, kind: SecretKind) -> (String, String) {
    (SERVICE.to_string(), format!("{profile}/{}", kind.name()))
}

/// A shared secret store is a secret store (the core hands one to each service it starts).
impl<T: SecretStore + ?Sized> SecretStore for std::sync::Arc<T> {
    fn get(&self, kind: SecretKind) -> Result<Option<String>, SecretError> {
        (**self).get(kind)
    }
    fn set(&self, kind: SecretKind, value: &str) -> Result<(), SecretError> {
        (**self).set(kind, value)
    }
    fn delete(&self, kind: SecretKind) -> Result<(), SecretError> {
        (**self).delete(kind)
    }
    fn check(&self) -> Result<(), SecretError> {
        (**self).check()
    }
}
