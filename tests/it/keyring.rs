//! Secrets go to the real Secret Service (these tests run inside tests/with-keyring.sh): read
//! back by another program, never an in-memory stand-in, and a missing service is a clear error.

use std::process::Command;

use slotline::secrets::{keyring_attributes, Keyring, SecretKind, SecretStore};

#[test]
fn a_secret_lands_in_the_real_secret_service() {
    let profile = format!("test-{}", std::process::id());
    let keyring = Keyring::new(&profile);
    keyring
        .check()
        .expect("keyring usable inside with-keyring.sh");
    let value = format!("secret-{}", rand_hex());
    keyring
        .set(SecretKind::NgrokAuthtoken, &value)
        .expect("set");
    // `secret-tool` is a separate process speaking to the daemon: an in-memory store fails here.
    let (service, username) = keyring_attributes(&profile, SecretKind::NgrokAuthtoken);
    let out = Command::new("secret-tool")
        .args(["lookup", "service", &service, "username", &username])
        .output()
        .expect("secret-tool (package libsecret-tools)");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), value);
    assert_eq!(
        keyring
            .get(SecretKind::NgrokAuthtoken)
            .expect("get")
            .as_deref(),
        Some(value.as_str())
    );
    keyring.delete(SecretKind::NgrokAuthtoken).expect("delete");
    assert_eq!(keyring.get(SecretKind::NgrokAuthtoken).expect("get"), None);
    let out = Command::new("secret-tool")
        .args(["lookup", "service", &service, "username", &username])
        .output()
        .expect("secret-tool");
    assert!(out.stdout.is_empty());
}

fn rand_hex() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{n:x}")
}
