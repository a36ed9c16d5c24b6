//! Where Slotline keeps its data and which Calendly it talks to, from the environment.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

pub mod private;

pub const DEFAULT_API_URL: &str = "https://api.calendly.com";
pub const DEFAULT_AUTH_URL: &str = "https://auth.calendly.com";
/// How long one request to Calendly (API or OAuth) may take before Slotline gives up on it.
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything that decides where state lives and where requests go.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub api_url: String,
    pub auth_url: String,
    /// The whole-request timeout of every call to Calendly ([`http_timeout_from_env`]).
    pub http_timeout: Duration,
}

impl Config {
    /// `SLOTLINE_DATA_DIR` (default: the OS app-data dir), `SLOTLINE_CALENDLY_API_URL`,
    /// `SLOTLINE_CALENDLY_AUTH_URL`, `SLOTLINE_HTTP_TIMEOUT_SECS`.
    pub fn from_env() -> Self {
        let data_dir = std::env::var_os("SLOTLINE_DATA_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(default_data_dir);
        Self {
            data_dir,
            api_url: env_url("SLOTLINE_CALENDLY_API_URL", DEFAULT_API_URL),
            auth_url: env_url("SLOTLINE_CALENDLY_AUTH_URL", DEFAULT_AUTH_URL),
            http_timeout: http_timeout_from_env(),
        }
    }

    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            api_url: DEFAULT_API_URL.into(),
            auth_url: DEFAULT_AUTH_URL.into(),
            http_timeout: DEFAULT_HTTP_TIMEOUT,
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("slotline.db")
    }

    pub fn sandbox_state_path(&self) -> PathBuf {
        self.data_dir.join("sandbox-state.json")
    }

    /// The keyring namespace of this data directory: two data directories never share secrets,
    /// so tests (and a user with two profiles) cannot see each other's tokens.
    pub fn profile(&self) -> String {
        profile_of(&self.data_dir)
    }
}

fn env_url(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| v.trim().trim_end_matches('/').to_string())
        .unwrap_or_else(|| default.to_string())
}

/// `SLOTLINE_HTTP_TIMEOUT_SECS` (whole seconds, 1 to 600; default 30). Read where the clients
/// of the stored connection are built, which take no [`Config`].
pub fn http_timeout_from_env() -> Duration {
    parse_timeout(std::env::var("SLOTLINE_HTTP_TIMEOUT_SECS").ok().as_deref())
}

fn parse_timeout(raw: Option<&str>) -> Duration {
    raw.and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| (1..=600).contains(s))
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_HTTP_TIMEOUT)
}

fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("app.slotline.desktop")
}

fn profile_of(dir: &Path) -> String {
    let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let digest = Sha256::digest(canonical.to_string_lossy().as_bytes());
    hex::encode(&digest[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_http_timeout_defaults_to_30_s_and_ignores_nonsense() {
        assert_eq!(parse_timeout(None), DEFAULT_HTTP_TIMEOUT);
        assert_eq!(parse_timeout(Some(" 2 ")), Duration::from_secs(2));
        for bad in ["", "0", "-1", "1.5", "soon", "601"] {
            assert_eq!(parse_timeout(Some(bad)), DEFAULT_HTTP_TIMEOUT, "{bad:?}");
        }
    }
}
