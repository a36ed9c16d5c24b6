//! The shipped app builds the sandbox without the `control` feature: then `/_sandbox/*` answers
//! 404 like any unknown path, so nothing on this machine can steer Explore's sandbox. With the
//! feature (the tests' build) the same route answers.

use calendly_sandbox::{Sandbox, SandboxConfig};

#[tokio::test]
async fn control_routes_exist_only_with_the_control_feature() {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind");
    let sb = Sandbox::start(SandboxConfig::default(), listener, std::future::pending())
        .await
        .expect("start");
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    for (method, path) in [
        (reqwest::Method::GET, "/_sandbox/state"),
        (reqwest::Method::POST, "/_sandbox/config"),
        (reqwest::Method::POST, "/_sandbox/book"),
    ] {
        let status = http
            .request(method, format!("{}{path}", sb.base_url()))
            .body("{}")
            .send()
            .await
            .expect("send")
            .status()
            .as_u16();
        let expected = if cfg!(feature = "control") {
            [200, 201]
        } else {
            [404, 404]
        };
        assert!(expected.contains(&status), "{path}: {status}");
    }
    // The real API is there either way.
    let status = http
        .get(format!("{}/users/me", sb.base_url()))
        .bearer_auth(sb.personal_access_token())
        .send()
        .await
        .expect("send")
        .status();
    assert_eq!(status.as_u16(), 200);
}
