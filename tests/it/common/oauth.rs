//! Connecting with OAuth as a person would: the consent page approved in "the browser", and
//! `slotline connect --oauth` through the real binary; the pair the keyring then holds.

use std::process::Stdio;

use calendly_sandbox::Sandbox;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::{bin, Env};

pub const CLIENT_ID: &str = "slotline-sandbox-client";

pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// What a person does in the browser: open the consent page and press Allow (or Deny).
/// Returns the loopback page's status and text.
pub async fn approve(authorize_url: &str, decision: &str) -> (u16, String) {
    let http = no_redirects();
    let page = http
        .get(authorize_url)
        .send()
        .await
        .expect("consent page")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("id=\"allow\""),
        "consent page has Allow: {page}"
    );
    let mut form: Vec<(String, String)> = Vec::new();
    for chunk in page.split("<input type=\"hidden\" ").skip(1) {
        let name = chunk
            .split("name=\"")
            .nth(1)
            .and_then(|s| s.split('"').next());
        let value = chunk
            .split("value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next());
        if let (Some(n), Some(v)) = (name, value) {
            form.push((n.to_string(), html_unescape(v)));
        }
    }
    form.push(("decision".into(), decision.into()));
    let base = authorize_url
        .split("/oauth/authorize")
        .next()
        .expect("base");
    let resp = http
        .post(format!("{base}/oauth/authorize/decision"))
        .form(&form)
        .send()
        .await
        .expect("decision");
    assert_eq!(resp.status().as_u16(), 302, "decision redirects");
    let location = resp.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    // The browser follows the redirect to the loopback listener ("localhost" is 127.0.0.1 here).
    let location = location.replace("://localhost:", "://127.0.0.1:");
    let resp = http.get(&location).send().await.expect("loopback");
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap_or_default())
}

pub fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Runs `slotline connect --oauth` against `sb`, approving in "the browser", and returns the
/// CLI's stdout and stderr.
pub async fn cli_connect(
    env: &Env,
    sb: &Sandbox,
    extra: &[&str],
    stdin: &str,
) -> (bool, String, String) {
    let mut cmd = tokio::process::Command::new(bin());
    cmd.args([
        "connect",
        "--oauth",
        "--client-id",
        CLIENT_ID,
        "--redirect-port",
        "0",
    ])
    .args(extra)
    .env("SLOTLINE_DATA_DIR", env.dir.path())
    .env("SLOTLINE_CALENDLY_API_URL", sb.base_url())
    .env("SLOTLINE_CALENDLY_AUTH_URL", sb.base_url())
    .env("SLOTLINE_LOG", "trace")
    .env("BROWSER", "true")
    .env_remove("DISPLAY")
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.as_bytes()).await.expect("write");
    drop(input);
    let mut out = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let url = out
        .next_line()
        .await
        .expect("read")
        .expect("authorize URL on stdout");
    let (status, page) = approve(&url, "allow").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("You can close this tab"));
    let mut rest = String::new();
    while let Some(l) = out.next_line().await.expect("read") {
        rest.push_str(&l);
        rest.push('\n');
    }
    let output = child.wait_with_output().await.expect("wait");
    (
        output.status.success(),
        format!("{url}\n{rest}"),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

pub fn stored_tokens(env: &Env) -> Option<serde_json::Value> {
    let profile = slotline::config::Config::with_data_dir(env.dir.path()).profile();
    let (service, user) = slotline::secrets::keyring_attributes(
        &profile,
        slotline::secrets::SecretKind::CalendlyToken,
    );
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", &service, "username", &user])
        .output()
        .expect("secret-tool");
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (!text.is_empty()).then(|| serde_json::from_str(&text).expect("stored JSON"))
}
