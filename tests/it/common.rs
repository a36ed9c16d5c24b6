//! Shared test harness: a scratch data directory, the `slotline` binary with a clean
//! environment, and `slotline sandbox` as a child process.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command as StdCommand, Stdio};

use assert_cmd::Command;

pub fn bin() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_BIN_EXE_slotline"))
}

pub struct Env {
    pub dir: tempfile::TempDir,
    pub api_url: Option<String>,
}

impl Env {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("tempdir"),
            api_url: None,
        }
    }

    pub fn with_api(api_url: &str) -> Self {
        let mut e = Self::new();
        e.api_url = Some(api_url.to_string());
        e
    }

    /// `slotline ARGS` with this data directory, no display and no inherited Slotline settings.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.args(args)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env("SLOTLINE_DATA_DIR", self.dir.path())
            .env_remove("SLOTLINE_CALENDLY_API_URL")
            .env_remove("SLOTLINE_CALENDLY_AUTH_URL")
            .timeout(std::time::Duration::from_secs(120));
        if let Some(api) = &self.api_url {
            c.env("SLOTLINE_CALENDLY_API_URL", api)
                .env("SLOTLINE_CALENDLY_AUTH_URL", api);
        }
        c
    }
}

/// `slotline sandbox` running as a child process; killed on drop.
pub struct SandboxProc {
    child: Child,
    pub api_url: String,
    pub token: String,
}

impl SandboxProc {
    pub fn start(extra: &[&str]) -> Self {
        let mut child = StdCommand::new(bin())
            .arg("sandbox")
            .args(extra)
            .env_remove("DISPLAY")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn sandbox");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let (mut api_url, mut token) = (None, None);
        while api_url.is_none() || token.is_none() {
            let line = lines
                .next()
                .expect("sandbox printed its URLs")
                .expect("read line");
            if let Some(v) = line.strip_prefix("API URL: ") {
                api_url = Some(v.trim().to_string());
            }
            if let Some(v) = line.strip_prefix("Personal access token: ") {
                token = Some(v.trim().to_string());
            }
        }
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self {
            child,
            api_url: api_url.unwrap_or_default(),
            token: token.unwrap_or_default(),
        }
    }

    pub fn get(&self, path: &str) -> serde_json::Value {
        let url = format!("{}{path}", self.api_url);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
        rt.block_on(async {
            reqwest::get(&url)
                .await
                .expect("GET")
                .error_for_status()
                .expect("2xx")
                .json()
                .await
                .expect("json")
        })
    }
}

impl Drop for SandboxProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
