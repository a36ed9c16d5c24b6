//! Calendly's webhook signature: parse `Calendly-Webhook-Signature: t=<unix>,v1=<hex>` and check
//! `HMAC-SHA256(key, t + "." + raw_body)` in constant time against every candidate key.
//!
//! The body is always the exact bytes received: re-serializing JSON before checking would change
//! them and reject genuine deliveries (or, worse, accept a different document).

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use thiserror::Error;

/// The request header Calendly signs deliveries in.
pub const HEADER: &str = "Calendly-Webhook-Signature";

/// How far `t` may be from our clock, either way: Calendly's own sample rejects deliveries older
/// than three minutes, and retries are signed afresh.
pub const TOLERANCE: Duration = Duration::from_secs(180);

/// Hex digits of one `v1` value: SHA-256 is 32 bytes.
const SIGNATURE_HEX_LEN: usize = 64;

/// Most `v1` values one header may carry. Calendly sends one; a few leave room for a key
/// rotation, and a header with hundreds would make every key try every one of them.
pub const MAX_SIGNATURES: usize = 4;

/// Which key verified a delivery; logged instead of the key itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyLabel {
    /// The `signing_key` Slotline chose when it created the subscription.
    Subscription,
    /// The OAuth application's key from Calendly's developer portal.
    OauthApp,
}

impl KeyLabel {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyLabel::Subscription => "subscription",
            KeyLabel::OauthApp => "oauth_app",
        }
    }
}

impl fmt::Display for KeyLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a delivery's signature was refused: one variant per reason, so tests and logs can tell
/// a malformed header (the sender is not Calendly, or a proxy mangled it) from a bad signature.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignatureError {
    #[error("the {HEADER} header is missing")]
    Missing,
    #[error("the {HEADER} header is not visible ASCII text")]
    NotText,
    #[error("the {HEADER} header is empty")]
    Empty,
    #[error("the {HEADER} header has a part without `=`: {0:?}")]
    MalformedPart(String),
    #[error("the {HEADER} header has no `t` (timestamp)")]
    MissingTimestamp,
    #[error("the {HEADER} header has more than one `t`")]
    DuplicateTimestamp,
    #[error("the {HEADER} header's `t` is not a whole number of seconds: {0:?}")]
    BadTimestamp(String),
    #[error("the {HEADER} header has no `v1` (signature)")]
    MissingSignature,
    #[error("a `v1` in the {HEADER} header is empty")]
    EmptySignature,
    #[error("a `v1` in the {HEADER} header has {0} characters, not {SIGNATURE_HEX_LEN}")]
    SignatureLength(usize),
    #[error("a `v1` in the {HEADER} header is not hexadecimal")]
    SignatureNotHex,
    #[error("the {HEADER} header has more than {MAX_SIGNATURES} `v1` values")]
    TooManySignatures,
    #[error("the delivery was signed {seconds} s ago, outside the replay window")]
    TooOld { seconds: i64 },
    #[error("the delivery is signed {seconds} s in the future, outside the replay window; check this computer's clock")]
    InTheFuture { seconds: i64 },
    #[error("no webhook signing key is configured: reconnect Calendly to create a subscription")]
    NoKeys,
    #[error("the signature matches none of the signing keys")]
    Mismatch,
}

impl SignatureError {
    /// True when the header itself is unusable (answered 400); false when it parsed but does
    /// not authenticate the delivery (answered 401), or no key is configured.
    pub fn is_malformed(&self) -> bool {
        !matches!(
            self,
            SignatureError::TooOld { .. }
                | SignatureError::InTheFuture { .. }
                | SignatureError::NoKeys
                | SignatureError::Mismatch
        )
    }
}

/// A parsed `Calendly-Webhook-Signature` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// `t`: when the delivery was signed, in Unix seconds.
    pub timestamp: i64,
    /// Every `v1` value, decoded.
    signatures: Vec<[u8; 32]>,
}

impl Signature {
    /// Parses comma-separated `k=v` pairs, tolerating whitespace and unknown keys. Up to
    /// [`MAX_SIGNATURES`] `v1` values are allowed; each must be 64 hex digits. Parsing stops at
    /// the first `v1` too many.
    pub fn parse(header: &str) -> Result<Self, SignatureError> {
        if header.trim().is_empty() {
            return Err(SignatureError::Empty);
        }
        let mut timestamp = None;
        let mut signatures = Vec::new();
        for part in header.split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let Some((key, value)) = part.split_once('=') else {
                return Err(SignatureError::MalformedPart(echo(part)));
            };
            let (key, value) = (key.trim(), value.trim());
            if key.eq_ignore_ascii_case("t") {
                if timestamp.is_some() {
                    return Err(SignatureError::DuplicateTimestamp);
                }
                timestamp = Some(parse_timestamp(value)?);
            } else if key.eq_ignore_ascii_case("v1") {
                if signatures.len() == MAX_SIGNATURES {
                    return Err(SignatureError::TooManySignatures);
                }
                signatures.push(parse_v1(value)?);
            }
        }
        let timestamp = timestamp.ok_or(SignatureError::MissingTimestamp)?;
        if signatures.is_empty() {
            return Err(SignatureError::MissingSignature);
        }
        Ok(Self {
            timestamp,
            signatures,
        })
    }

    /// Refuses a timestamp more than `tolerance` away from `now`, in either direction.
    pub fn check_time(
        &self,
        now: DateTime<Utc>,
        tolerance: Duration,
    ) -> Result<(), SignatureError> {
        let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
        let age = now.timestamp().saturating_sub(self.timestamp);
        if age > tolerance {
            Err(SignatureError::TooOld { seconds: age })
        } else if age < -tolerance {
            Err(SignatureError::InTheFuture {
                seconds: age.saturating_neg(),
            })
        } else {
            Ok(())
        }
    }

    /// The first key whose HMAC of `t.body` equals any `v1`, compared in constant time.
    pub fn matching_key(
        &self,
        body: &[u8],
        keys: &[(KeyLabel, &[u8])],
    ) -> Result<KeyLabel, SignatureError> {
        if keys.is_empty() {
            return Err(SignatureError::NoKeys);
        }
        let t = self.timestamp.to_string();
        for (label, key) in keys {
            let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
                // HMAC takes keys of any length, so this arm never runs.
                continue;
            };
            mac.update(t.as_bytes());
            mac.update(b".");
            mac.update(body);
            for sig in &self.signatures {
                if mac.clone().verify_slice(sig).is_ok() {
                    return Ok(*label);
                }
            }
        }
        Err(SignatureError::Mismatch)
    }
}

/// Verifies one delivery: the header parses, `t` is within [`TOLERANCE`] of `now`, and one of
/// `keys` signed `t.body`. Returns the label of the key that matched.
pub fn verify(
    header: &str,
    body: &[u8],
    keys: &[(KeyLabel, &[u8])],
    now: DateTime<Utc>,
) -> Result<KeyLabel, SignatureError> {
    let sig = Signature::parse(header)?;
    sig.check_time(now, TOLERANCE)?;
    sig.matching_key(body, keys)
}

/// `hex(HMAC-SHA256(key, t + "." + body))`: what Calendly puts in `v1`. For tests and tools
/// that sign deliveries the way Calendly does.
pub fn sign(key: &[u8], timestamp: i64, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

fn parse_timestamp(value: &str) -> Result<i64, SignatureError> {
    // Digits only: no sign, no fraction, no exponent.
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::BadTimestamp(echo(value)));
    }
    value
        .parse::<i64>()
        .map_err(|_| SignatureError::BadTimestamp(echo(value)))
}

/// Longest piece of a refused header quoted in an error (and so in the answer and the log).
const MAX_ECHO: usize = 80;

/// A piece of the header for an error message, clipped: the header is the sender's input, up to
/// the HTTP server's header limit.
fn echo(part: &str) -> String {
    clip(part, MAX_ECHO)
}

fn parse_v1(value: &str) -> Result<[u8; 32], SignatureError> {
    if value.is_empty() {
        return Err(SignatureError::EmptySignature);
    }
    if !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SignatureError::SignatureNotHex);
    }
    if value.len() != SIGNATURE_HEX_LEN {
        return Err(SignatureError::SignatureLength(value.len()));
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(value, &mut out).map_err(|_| SignatureError::SignatureNotHex)?;
    Ok(out)
}

/// At most `max` bytes of `text`, cut on a character boundary, with `…` when cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// Where the signing keys come from (the app reads them from the keyring). Called for every
/// delivery that passes the cheap checks, on a blocking thread unless they are held in memory;
/// the keys are never logged.
pub trait SigningKeys: Send + Sync {
    fn signing_keys(&self) -> Vec<(KeyLabel, Vec<u8>)>;

    /// `true` when `signing_keys` answers from memory without blocking (the live service's
    /// cache): the receiver then reads them on its own thread, not through the blocking pool.
    fn in_memory(&self) -> bool {
        false
    }
}

impl<F> SigningKeys for F
where
    F: Fn() -> Vec<(KeyLabel, Vec<u8>)> + Send + Sync,
{
    fn signing_keys(&self) -> Vec<(KeyLabel, Vec<u8>)> {
        self()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const KEY: &[u8] = b"whsec_subscription_key";
    const APP_KEY: &[u8] = b"oauth_app_key";
    const BODY: &[u8] = br#"{"event":"invitee.created","payload":{"uri":"x"}}"#;
    const T: i64 = 1_700_000_000;

    fn now() -> DateTime<Utc> {
        Utc.timestamp_opt(T, 0).single().expect("valid instant")
    }

    fn keys() -> Vec<(KeyLabel, &'static [u8])> {
        vec![(KeyLabel::Subscription, KEY), (KeyLabel::OauthApp, APP_KEY)]
    }

    fn header(t: i64, key: &[u8]) -> String {
        format!("t={t},v1={}", sign(key, t, BODY))
    }

    fn check(h: &str) -> Result<KeyLabel, SignatureError> {
        verify(h, BODY, &keys(), now())
    }

    #[test]
    fn matches_an_independent_computation() {
        // `printf '1492774577.{}' | openssl dgst -sha256 -hmac key`
        const OPENSSL: &str = "55f4ffc8aaa36e49d23212388d70746481c70a70b2650900216c95232d558cd7";
        assert_eq!(sign(b"key", 1_492_774_577, b"{}"), OPENSSL);
        let at = Utc
            .timestamp_opt(1_492_774_577, 0)
            .single()
            .expect("instant");
        let h = format!("t=1492774577,v1={OPENSSL}");
        assert_eq!(
            verify(&h, b"{}", &[(KeyLabel::Subscription, b"key")], at),
            Ok(KeyLabel::Subscription)
        );
    }

    #[test]
    fn a_valid_signature_names_its_key() {
        assert_eq!(check(&header(T, KEY)), Ok(KeyLabel::Subscription));
        assert_eq!(check(&header(T, APP_KEY)), Ok(KeyLabel::OauthApp));
    }

    #[test]
    fn upper_case_hex_is_accepted() {
        let h = format!("t={T},v1={}", sign(KEY, T, BODY).to_uppercase());
        assert_eq!(check(&h), Ok(KeyLabel::Subscription));
    }

    #[test]
    fn whitespace_and_unknown_keys_are_tolerated() {
        let h = format!(
            "  v0=abc , t = {T} ,foo=bar,  v1 = {}  ,",
            sign(KEY, T, BODY)
        );
        assert_eq!(check(&h), Ok(KeyLabel::Subscription));
    }

    #[test]
    fn any_matching_v1_is_enough() {
        let wrong = sign(b"other", T, BODY);
        let right = sign(APP_KEY, T, BODY);
        assert_eq!(
            check(&format!("t={T},v1={wrong},v1={right}")),
            Ok(KeyLabel::OauthApp)
        );
        assert_eq!(
            check(&format!("t={T},v1={wrong},v1={wrong}")),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn empty_header() {
        assert_eq!(check(""), Err(SignatureError::Empty));
        assert_eq!(check("   "), Err(SignatureError::Empty));
    }

    #[test]
    fn part_without_equals() {
        let h = format!("t={T},{}", sign(KEY, T, BODY));
        assert!(matches!(check(&h), Err(SignatureError::MalformedPart(_))));
    }

    #[test]
    fn refused_parts_are_quoted_briefly() {
        let long = "x".repeat(10_000);
        let Err(SignatureError::MalformedPart(quoted)) = Signature::parse(&format!("t=1,{long}"))
        else {
            panic!("a part without `=` is malformed");
        };
        assert!(
            quoted.len() <= MAX_ECHO + '…'.len_utf8(),
            "{}",
            quoted.len()
        );
        let Err(SignatureError::BadTimestamp(quoted)) = Signature::parse(&format!("t={long}"))
        else {
            panic!("a non-numeric t is refused");
        };
        assert!(
            quoted.len() <= MAX_ECHO + '…'.len_utf8(),
            "{}",
            quoted.len()
        );
    }

    #[test]
    fn missing_timestamp() {
        let h = format!("v1={}", sign(KEY, T, BODY));
        assert_eq!(check(&h), Err(SignatureError::MissingTimestamp));
    }

    #[test]
    fn duplicate_timestamp() {
        let h = format!("t={T},t={T},v1={}", sign(KEY, T, BODY));
        assert_eq!(check(&h), Err(SignatureError::DuplicateTimestamp));
    }

    #[test]
    fn non_integer_timestamps() {
        for t in ["", "abc", "1.5", "-5", "+5", "1e9", "99999999999999999999"] {
            let h = format!("t={t},v1={}", sign(KEY, T, BODY));
            assert!(
                matches!(check(&h), Err(SignatureError::BadTimestamp(_))),
                "t={t:?}: {:?}",
                check(&h)
            );
        }
    }

    #[test]
    fn missing_v1() {
        assert_eq!(
            check(&format!("t={T}")),
            Err(SignatureError::MissingSignature)
        );
        assert_eq!(
            check(&format!("t={T},v0={}", sign(KEY, T, BODY))),
            Err(SignatureError::MissingSignature)
        );
    }

    #[test]
    fn empty_v1() {
        assert_eq!(
            check(&format!("t={T},v1=")),
            Err(SignatureError::EmptySignature)
        );
    }

    #[test]
    fn short_long_and_odd_v1() {
        let sig = sign(KEY, T, BODY);
        for (v, len) in [
            (&sig[..62], 62),
            (&sig[..63], 63),
            (&format!("{sig}0")[..], 65),
        ] {
            assert_eq!(
                check(&format!("t={T},v1={v}")),
                Err(SignatureError::SignatureLength(len))
            );
        }
    }

    #[test]
    fn non_hex_v1() {
        let sig = sign(KEY, T, BODY);
        let bad = format!("{}zz", &sig[..62]);
        assert_eq!(
            check(&format!("t={T},v1={bad}")),
            Err(SignatureError::SignatureNotHex)
        );
    }

    #[test]
    fn at_most_four_v1_values() {
        let right = sign(KEY, T, BODY);
        let wrong = sign(b"other", T, BODY);
        let four = format!("t={T},v1={wrong},v1={wrong},v1={wrong},v1={right}");
        assert_eq!(check(&four), Ok(KeyLabel::Subscription));
        let five = format!("{four},v1={right}");
        assert_eq!(check(&five), Err(SignatureError::TooManySignatures));
        assert!(SignatureError::TooManySignatures.is_malformed());
        // Refused at the fifth, before the malformed sixth is looked at.
        let many = format!("t={T}{},v1=zz", format!(",v1={right}").repeat(5));
        assert_eq!(
            Signature::parse(&many),
            Err(SignatureError::TooManySignatures)
        );
    }

    #[test]
    fn one_malformed_v1_rejects_the_header() {
        let sig = sign(KEY, T, BODY);
        assert_eq!(
            check(&format!("t={T},v1={sig},v1=abc")),
            Err(SignatureError::SignatureLength(3))
        );
    }

    #[test]
    fn timestamps_at_and_beyond_the_window() {
        let edge = i64::try_from(TOLERANCE.as_secs()).expect("small");
        assert!(check(&header(T - edge, KEY)).is_ok());
        assert!(check(&header(T + edge, KEY)).is_ok());
        assert_eq!(
            check(&header(T - edge - 1, KEY)),
            Err(SignatureError::TooOld { seconds: edge + 1 })
        );
        assert_eq!(
            check(&header(T + edge + 1, KEY)),
            Err(SignatureError::InTheFuture { seconds: edge + 1 })
        );
        assert!(matches!(
            check(&header(0, KEY)),
            Err(SignatureError::TooOld { .. })
        ));
        assert!(matches!(
            check(&header(i64::MAX, KEY)),
            Err(SignatureError::InTheFuture { .. })
        ));
    }

    #[test]
    fn tampered_body_wrong_key_and_no_keys() {
        let h = header(T, KEY);
        assert_eq!(
            verify(
                &h,
                br#"{"event":"invitee.created","payload":{"uri":"y"}}"#,
                &keys(),
                now()
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&h, BODY, &[(KeyLabel::OauthApp, APP_KEY)], now()),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(verify(&h, BODY, &[], now()), Err(SignatureError::NoKeys));
    }

    #[test]
    fn the_signed_timestamp_is_part_of_the_message() {
        // A valid v1 replayed with a different (fresh) t does not verify.
        let h = format!("t={},v1={}", T + 1, sign(KEY, T, BODY));
        assert_eq!(check(&h), Err(SignatureError::Mismatch));
    }

    #[test]
    fn re_serialized_json_does_not_verify() {
        let body = b"{ \"event\": \"invitee.created\",\n  \"payload\": {\"uri\": \"x\"} }";
        let h = format!("t={T},v1={}", sign(KEY, T, body));
        assert!(verify(&h, body, &keys(), now()).is_ok());
        let value: serde_json::Value = serde_json::from_slice(body).expect("json");
        let reserialized = serde_json::to_vec(&value).expect("serialize");
        assert_ne!(reserialized.as_slice(), body.as_slice());
        assert_eq!(
            verify(&h, &reserialized, &keys(), now()),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn malformed_and_unauthenticated_are_told_apart() {
        assert!(SignatureError::Empty.is_malformed());
        assert!(SignatureError::SignatureNotHex.is_malformed());
        assert!(!SignatureError::Mismatch.is_malformed());
        assert!(!SignatureError::TooOld { seconds: 999 }.is_malformed());
    }

    #[test]
    fn errors_never_show_keys() {
        let e = check(&header(T, b"not-a-key")).expect_err("mismatch");
        let text = format!("{e} {e:?}");
        assert!(!text.contains("whsec"), "{text}");
    }
}
