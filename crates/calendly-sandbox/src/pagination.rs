//! Keyset pagination with opaque, tamper-evident page tokens: a token names the sort key of the
//! row it continues from, so rows added or removed between two page requests never make a walk
//! skip or repeat a row, and a token is only good for the list it came from.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::ops::Range;

const MAC_LEN: usize = 8;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// `true`: rows after `key`; `false`: rows before it (a previous page).
    pub forward: bool,
    pub key: String,
}

fn mac(secret: &[u8], raw: &[u8]) -> Vec<u8> {
    match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mut m) => {
            m.update(raw);
            m.finalize().into_bytes()[..MAC_LEN].to_vec()
        }
        // HMAC accepts keys of any length, so this arm never runs.
        Err(_) => vec![0; MAC_LEN],
    }
}

pub fn encode(secret: &[u8], list: &str, cursor: &Cursor) -> String {
    let raw = format!(
        "{list}\n{}\n{}",
        if cursor.forward { "n" } else { "p" },
        cursor.key
    );
    let mut bytes = raw.into_bytes();
    let tag = mac(secret, &bytes);
    bytes.extend_from_slice(&tag);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `None` for anything this sandbox did not issue for `list`.
pub fn decode(secret: &[u8], list: &str, token: &str) -> Option<Cursor> {
    let bytes = URL_SAFE_NO_PAD.decode(token.trim_end_matches('=')).ok()?;
    if bytes.len() <= MAC_LEN {
        return None;
    }
    let (raw, tag) = bytes.split_at(bytes.len() - MAC_LEN);
    if mac(secret, raw) != tag {
        return None;
    }
    let raw = std::str::from_utf8(raw).ok()?;
    let mut parts = raw.splitn(3, '\n');
    if parts.next()? != list {
        return None;
    }
    let forward = match parts.next()? {
        "n" => true,
        "p" => false,
        _ => return None,
    };
    Some(Cursor {
        forward,
        key: parts.next()?.to_string(),
    })
}

/// One page of `keys` (already sorted in display order, descending when `desc`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageSlice {
    pub range: Range<usize>,
    pub next: Option<Cursor>,
    pub prev: Option<Cursor>,
}

pub fn slice(keys: &[String], desc: bool, cursor: Option<&Cursor>, count: usize) -> PageSlice {
    let len = keys.len();
    let range = match cursor {
        None => 0..count.min(len),
        Some(c) if c.forward => {
            let k = c.key.as_str();
            let start = if desc {
                keys.partition_point(|x| x.as_str() >= k)
            } else {
                keys.partition_point(|x| x.as_str() <= k)
            };
            start..(start + count).min(len)
        }
        Some(c) => {
            let k = c.key.as_str();
            let end = if desc {
                keys.partition_point(|x| x.as_str() > k)
            } else {
                keys.partition_point(|x| x.as_str() < k)
            };
            end.saturating_sub(count)..end
        }
    };
    let next = (range.end < len && !range.is_empty()).then(|| Cursor {
        forward: true,
        key: keys[range.end - 1].clone(),
    });
    let prev = (range.start > 0 && !range.is_empty()).then(|| Cursor {
        forward: false,
        key: keys[range.start].clone(),
    });
    PageSlice { range, next, prev }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_tampering() {
        let c = Cursor {
            forward: true,
            key: "2024-01-01T00:00:00.000000Z|x".into(),
        };
        let t = encode(b"k", "events", &c);
        assert_eq!(decode(b"k", "events", &t), Some(c));
        assert_eq!(decode(b"k", "invitees", &t), None, "bound to its list");
        assert_eq!(decode(b"other", "events", &t), None);
        assert_eq!(decode(b"k", "events", "garbage"), None);
    }

    #[test]
    fn forward_and_backward_walks_cover_everything_once() {
        for desc in [false, true] {
            let mut keys: Vec<String> = (0..23).map(|i| format!("{i:03}")).collect();
            if desc {
                keys.reverse();
            }
            let mut seen = Vec::new();
            let mut cursor = None;
            let mut pages = Vec::new();
            loop {
                let p = slice(&keys, desc, cursor.as_ref(), 5);
                seen.extend(keys[p.range.clone()].iter().cloned());
                pages.push(p.clone());
                match p.next {
                    Some(n) => cursor = Some(n),
                    None => break,
                }
            }
            assert_eq!(seen, keys);
            let last = pages.last().cloned().expect("pages");
            let back = slice(&keys, desc, last.prev.as_ref(), 5);
            assert_eq!(back.range, pages[pages.len() - 2].range);
        }
    }
}
