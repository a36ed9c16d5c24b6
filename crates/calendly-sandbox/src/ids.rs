//! Identifiers, secrets and timestamps in the shapes Calendly uses.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use rand::RngCore;

/// Every resource URI uses Calendly's own host, never the sandbox's address, so identities stay
/// stable across ports and restarts (the app keys its store on these URIs).
pub const API_ROOT: &str = "https://api.calendly.com";

/// A UUIDv4-formatted id drawn from `rng` (the seeded world RNG keeps scenarios reproducible).
pub fn uuid_v4(rng: &mut impl RngCore) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// `bytes` random bytes as lowercase hex.
pub fn random_hex(rng: &mut impl RngCore, bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rng.fill_bytes(&mut b);
    hex::encode(b)
}

/// `bytes` random bytes as unpadded base64url.
pub fn random_b64(rng: &mut impl RngCore, bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// Lowercase alphanumerics, the look of Google Calendar event ids.
pub fn random_alnum(rng: &mut impl RngCore, len: usize) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| CHARS[(rng.next_u32() as usize) % CHARS.len()] as char)
        .collect()
}

/// The last path segment of a URI: Calendly's path ids are derived this way.
pub fn last_segment(uri: &str) -> &str {
    uri.rsplit('/').next().unwrap_or(uri)
}

/// Calendly's timestamp form: UTC, microseconds, `Z`.
pub fn format_ts(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Parses an ISO-8601 timestamp with an offset (what clients send in `min_start_time` etc.).
pub fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Serde adapter so every resource timestamp has exactly Calendly's microsecond `Z` form.
pub mod ts {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::ids::format_ts(t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let raw = String::deserialize(d)?;
        crate::ids::parse_ts(&raw)
            .ok_or_else(|| serde::de::Error::custom(format!("bad timestamp {raw}")))
    }
}

/// [`ts`] for optional timestamps (`null` when absent).
pub mod ts_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&crate::ids::format_ts(t)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let raw = Option::<String>::deserialize(d)?;
        match raw {
            None => Ok(None),
            Some(raw) => crate::ids::parse_ts(&raw)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format!("bad timestamp {raw}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn uuid_has_v4_shape() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let id = uuid_v4(&mut rng);
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn timestamps_have_microseconds_and_z() {
        let t = parse_ts("2024-03-05T09:30:00+01:00").expect("parses");
        assert_eq!(format_ts(&t), "2024-03-05T08:30:00.000000Z");
    }
}
