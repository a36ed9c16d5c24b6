//! Where Slotline keeps its data and which Calendly it talks to, from the environment.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub const DEFAULT_API_URL: &str = "https://api.calendly.com";
pub const DEFAULT_AUTH_URL: &str = "https://auth.calendly.com";

/// Everything that decides where state lives and where requests go.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub api_url: String,
    pub auth_url: String,
}

impl Config {
    /// `SLOTLINE_DATA_DIR` (default: the OS app-data dir), `SLOTLINE_CALENDLY_API_URL`,
    /// `SLOTLINE_CALENDLY_AUTH_URL`.
    pub fn from_env() -> Self {
        let data_dir = std::env::var_os("SLOTLINE_DATA_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(default_data_dir);
        Self {
            data_dir,
            api_url: env_url("SLOTLINE_CALENDLY_API_URL", DEFAULT_API_URL),
            auth_url: env_url("SLOTLINE_CALENDLY_AUTH_URL", DEFAULT_AUTH_URL),
        }
    }

    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            api_url: DEFAULT_API_URL.into(),
            auth_url: DEFAULT_AUTH_URL.into(),
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
