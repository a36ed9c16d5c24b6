//! Shared test harness: a scratch data directory, the `slotline` binary with a clean
//! environment, and `slotline sandbox` as a child process.

pub mod deliveries;
pub mod oauth;
pub mod receiver;
pub mod serve;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command as StdCommand, Stdio};

use assert_cmd::Command;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

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

// ---- The export contract, derived from the sandbox's raw Calendly resources ----------------

pub fn norm_time(v: &Value) -> Value {
    let s = v.as_str().expect("time string");
    let t: DateTime<Utc> = DateTime::parse_from_rfc3339(s)
        .expect("rfc3339")
        .with_timezone(&Utc);
    json!(t.to_rfc3339_opts(SecondsFormat::Micros, true))
}

pub fn or_null(v: &Value, key: &str) -> Value {
    v.get(key).cloned().unwrap_or(Value::Null)
}

/// What the export must say about each of the sandbox's events, built from its raw Calendly
/// resources.
pub fn expected_events(state: &Value) -> Vec<Value> {
    let invitees = state["invitees"].as_array().expect("invitees");
    let mut out: Vec<Value> = state["scheduled_events"]
        .as_array()
        .expect("scheduled_events")
        .iter()
        .map(|e| {
            let uri = e["uri"].as_str().expect("uri");
            let location = match &e["location"] {
                Value::Object(l) => json!({
                    "type": l.get("type").cloned().unwrap_or(Value::Null),
                    "location": l.get("location").cloned().unwrap_or(Value::Null),
                    "join_url": l.get("join_url").cloned().unwrap_or(Value::Null),
                }),
                _ => Value::Null,
            };
            let mut hosts: Vec<Value> = e["event_memberships"]
                .as_array()
                .map(|m| {
                    m.iter()
                        .map(|h| json!({"name": or_null(h, "user_name"), "email": or_null(h, "user_email"), "user_uri": or_null(h, "user")}))
                        .collect()
                })
                .unwrap_or_default();
            hosts.sort_by_key(|h| h["email"].to_string());
            let mut guests: Vec<Value> = e["event_guests"]
                .as_array()
                .map(|g| g.iter().map(|g| json!({"email": g["email"]})).collect())
                .unwrap_or_default();
            guests.sort_by_key(|g| g["email"].to_string());
            let mut invs: Vec<Value> = invitees
                .iter()
                .filter(|i| i["event"] == uri)
                .map(|i| {
                    let name = match i["name"].as_str() {
                        Some(n) if !n.trim().is_empty() => json!(n),
                        _ => {
                            let parts: Vec<&str> = [i["first_name"].as_str(), i["last_name"].as_str()]
                                .into_iter()
                                .flatten()
                                .collect();
                            if parts.is_empty() { Value::Null } else { json!(parts.join(" ")) }
                        }
                    };
                    json!({
                        "uri": i["uri"], "name": name, "email": i["email"], "status": i["status"],
                        "timezone": or_null(i, "timezone"),
                        "no_show": !i["no_show"].is_null(),
                        "rescheduled": i["rescheduled"].as_bool().unwrap_or(false),
                        "rescheduled_from": or_null(i, "old_invitee"),
                        "rescheduled_to": or_null(i, "new_invitee"),
                        "cancellation": match &i["cancellation"] {
                            Value::Object(c) => json!({
                                "canceled_by": c.get("canceled_by").cloned().unwrap_or(Value::Null),
                                "reason": c.get("reason").cloned().unwrap_or(Value::Null),
                                "canceler_type": c.get("canceler_type").cloned().unwrap_or(Value::Null),
                            }),
                            _ => Value::Null,
                        },
                        "questions_and_answers": i["questions_and_answers"].as_array().map(|qs| qs.iter().map(|q| json!({"question": q["question"], "answer": q["answer"]})).collect::<Vec<_>>()).unwrap_or_default(),
                    })
                })
                .collect();
            invs.sort_by_key(|i| i["uri"].to_string());
            json!({
                "uri": uri, "name": e["name"], "status": e["status"],
                "start_time": norm_time(&e["start_time"]), "end_time": norm_time(&e["end_time"]),
                "event_type": or_null(e, "event_type"), "location": location,
                "hosts": hosts, "invitees": invs, "guests": guests,
            })
        })
        .collect();
    out.sort_by_key(|e| e["uri"].to_string());
    out
}

pub fn exported_events(export: &Value) -> Vec<Value> {
    let mut events: Vec<Value> = export["events"].as_array().expect("events").clone();
    for e in &mut events {
        let mut invs = e["invitees"].as_array().expect("invitees").clone();
        invs.sort_by_key(|i| i["uri"].to_string());
        e["invitees"] = Value::Array(invs);
        let mut hosts = e["hosts"].as_array().expect("hosts").clone();
        hosts.sort_by_key(|h| h["email"].to_string());
        e["hosts"] = Value::Array(hosts);
        let mut guests = e["guests"].as_array().expect("guests").clone();
        guests.sort_by_key(|g| g["email"].to_string());
        e["guests"] = Value::Array(guests);
    }
    events.sort_by_key(|e| e["uri"].to_string());
    events
}

/// An in-process sandbox started with `config` on a loopback port of its own, running until it
/// is dropped.
pub async fn sandbox(config: calendly_sandbox::SandboxConfig) -> calendly_sandbox::Sandbox {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    calendly_sandbox::Sandbox::start(config, listener, std::future::pending())
        .await
        .expect("sandbox")
}

/// An in-process sandbox started with `config`, and a data directory connected to it with the
/// sandbox's personal access token.
pub async fn connected(
    config: calendly_sandbox::SandboxConfig,
) -> (calendly_sandbox::Sandbox, Env) {
    let sb = sandbox(config).await;
    let env = Env::with_api(&sb.base_url());
    let out = env
        .cmd(&["connect", "--token-stdin"])
        .write_stdin(sb.personal_access_token())
        .output()
        .expect("connect");
    assert!(
        out.status.success(),
        "connect: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (sb, env)
}

/// A loopback port for a server a test starts later (a child process, or a restart on the same
/// public URL). Binding port 0 and closing it is racy here: while the server starts, the
/// kernel may give that port to one of the many outgoing connections the parallel tests make
/// (they come from the ephemeral range). So the port is picked at random below that range,
/// where no outgoing connection lands, checked free, and never handed out twice in a run.
pub fn free_port() -> u16 {
    use rand::Rng;
    use std::collections::BTreeSet;
    use std::sync::Mutex;
    static GIVEN: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    let ephemeral_low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32768);
    let (low, high) = (10_000u16, ephemeral_low.saturating_sub(1));
    assert!(
        high > low + 1000,
        "no room below the ephemeral ports ({ephemeral_low})"
    );
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    let mut rng = rand::rng();
    loop {
        let port = rng.random_range(low..=high);
        if given.contains(&port) {
            continue;
        }
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            given.insert(port);
            return port;
        }
    }
}

pub fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}
pub fn activities_of(store: &slotline::store::Store, email: &str) -> Vec<String> {
    store
        .read(|tx| {
            let mut stmt = tx.prepare(
                "SELECT a.kind FROM activities a JOIN contacts c ON c.id = a.contact_id
                 WHERE c.email = ?1 ORDER BY a.at_ms",
            )?;
            let rows = stmt.query_map([email], |r| r.get::<_, String>(0))?;
            Ok::<_, slotline::store::StoreError>(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .expect("query")
}

/// An empty store in a fresh temporary folder; keep the folder as long as the store.
pub fn fresh_store() -> (tempfile::TempDir, slotline::store::Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = slotline::store::Store::open(&dir.path().join("slotline.db")).expect("store");
    (dir, store)
}

/// A scheduled event and its invitees (Calendly's JSON) as one input of the apply path.
pub fn input(event: Value, invitees: Vec<Value>) -> slotline::sync::Input {
    slotline::sync::Input::Event {
        event: serde_json::from_value(event).expect("event"),
        invitees: invitees
            .into_iter()
            .map(|i| serde_json::from_value(i).expect("invitee"))
            .collect(),
    }
}
