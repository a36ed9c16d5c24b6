//! Entry points for the `cargo fuzz` targets in `tests/fuzz/` and for the corpus replay test
//! (`tests/it/fuzz_corpus.rs`). Each takes arbitrary bytes, runs them through the code the
//! receiver and the processor run on a delivery, and asserts what must hold for every input:
//! a panic here is a bug found. Not part of Slotline's API.

use axum::http::{HeaderMap, HeaderValue};
use chrono::{DateTime, TimeZone, Utc};

use crate::calendly::models::WebhookPayload;
use crate::sync::plan::{self, Existing, ExistingInvitee, Input, Plan, Snapshot};
use crate::webhook::verify::{self, KeyLabel, Signature, SignatureError, TOLERANCE};
use crate::webhook::{process, routes, writer};

/// The subscription key the signature target verifies against (seeds are signed with it).
pub const SUBSCRIPTION_KEY: &[u8] = b"whsec_fuzz_subscription_key";
/// The OAuth application key the signature target also accepts.
pub const APP_KEY: &[u8] = b"fuzz_oauth_app_key";
/// The signature target's clock, in Unix seconds (2026-11-27T00:00:00Z): seeds sign with `t`
/// near it, so the fuzzer starts from headers that verify.
pub const NOW: i64 = 1_795_737_600;

/// Separates the header values from the body in a signature-target input.
const BODY_SEPARATOR: u8 = 0;

/// A signature-target input: the `Calendly-Webhook-Signature` header values one per line, a NUL,
/// then the body. For the seed corpus.
pub fn signature_input(values: &[&str], body: &[u8]) -> Vec<u8> {
    let mut out = values.join("\n").into_bytes();
    out.push(BODY_SEPARATOR);
    out.extend_from_slice(body);
    out
}

fn keys() -> [(KeyLabel, &'static [u8]); 2] {
    [
        (KeyLabel::Subscription, SUBSCRIPTION_KEY),
        (KeyLabel::OauthApp, APP_KEY),
    ]
}

fn key_of(label: KeyLabel) -> &'static [u8] {
    match label {
        KeyLabel::Subscription => SUBSCRIPTION_KEY,
        KeyLabel::OauthApp => APP_KEY,
    }
}

fn now() -> DateTime<Utc> {
    Utc.timestamp_opt(NOW, 0).single().unwrap_or_default()
}

/// The signature header as the receiver sees it (every header value the HTTP layer would accept,
/// joined), its parser, the replay window and the HMAC check against two keys.
pub fn signature_header(data: &[u8]) {
    let (head, body) = match data.iter().position(|b| *b == BODY_SEPARATOR) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let mut headers = HeaderMap::new();
    for value in head.split(|b| *b == b'\n') {
        // What hyper would refuse never reaches the receiver.
        if let Ok(v) = HeaderValue::from_bytes(value) {
            headers.append(verify::HEADER, v);
        }
    }
    let keys = keys();
    let checked = routes::signature_header(&headers).and_then(|joined| {
        let sig = Signature::parse(&joined)?;
        sig.check_time(now(), TOLERANCE)?;
        let label = sig.matching_key(body, &keys)?;
        Ok((joined, sig, label))
    });
    match &checked {
        Ok((joined, sig, label)) => {
            // A match means the header carries that key's HMAC of `t.body`, for a fresh `t`.
            let expected = verify::sign(key_of(*label), sig.timestamp, body);
            assert!(
                joined.to_ascii_lowercase().contains(&expected),
                "verified without carrying the signature"
            );
            assert!(sig.timestamp.abs_diff(NOW) <= TOLERANCE.as_secs());
            assert_eq!(verify::verify(joined, body, &keys, now()), Ok(*label));
        }
        Err(e) => {
            if let Ok(joined) = routes::signature_header(&headers) {
                assert_eq!(verify::verify(&joined, body, &keys, now()).as_ref(), Err(e));
            }
            // Refusals quote the header only briefly (they are answered and logged).
            assert!(e.to_string().len() < 400, "{}", e.to_string().len());
        }
    }

    // The parser alone, on any text (the receiver only passes it visible ASCII).
    let text = String::from_utf8_lossy(head);
    if let Ok(sig) = Signature::parse(&text) {
        // Whitespace and empty parts around the list change nothing.
        assert_eq!(Signature::parse(&format!(" {text} ,, ")), Ok(sig));
    }

    // Whatever the header, Calendly's own form for this body verifies, and a body differing in
    // one bit, a different `t` or a different key does not.
    let canonical = format!("t={NOW},v1={}", verify::sign(APP_KEY, NOW, body));
    assert_eq!(
        verify::verify(&canonical, body, &keys, now()),
        Ok(KeyLabel::OauthApp)
    );
    let mut flipped = body.to_vec();
    match flipped.first_mut() {
        Some(b) => *b ^= 1,
        None => flipped.push(b' '),
    }
    assert_eq!(
        verify::verify(&canonical, &flipped, &keys, now()),
        Err(SignatureError::Mismatch)
    );
    let moved = format!("t={},v1={}", NOW - 1, verify::sign(APP_KEY, NOW, body));
    assert_eq!(
        verify::verify(&moved, body, &keys, now()),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify::verify(&canonical, body, &keys[..1], now()),
        Err(SignatureError::Mismatch)
    );
}

/// A delivery body through the writer's event-name sniffing and the processor's decoding (the
/// receiver stores any authentic body; what does not decode is kept unapplied with the
/// decoder's message, clipped).
pub fn envelope(data: &[u8]) {
    let name = writer::event_name(data);
    match process::decode_body(data) {
        Ok((envelope, payload)) => {
            // The inbox's `event_name` column agrees with the decoded envelope.
            assert_eq!(name.as_deref(), Some(envelope.event.as_str()));
            match &payload {
                WebhookPayload::Unknown(event) => assert_eq!(event, &envelope.event),
                WebhookPayload::RoutingFormSubmitted(_) => {
                    assert_eq!(envelope.event, "routing_form_submission.created")
                }
                WebhookPayload::InviteeCreated(inv)
                | WebhookPayload::InviteeCanceled(inv)
                | WebhookPayload::NoShowCreated(inv)
                | WebhookPayload::NoShowDeleted(inv) => {
                    if let Some(event) = inv.event_uri() {
                        assert!(!event.is_empty());
                    }
                }
            }
            let input = Input::Webhook {
                payload,
                delivered_at: envelope.created_at,
            };
            let _ = plan::touched(&input);
        }
        Err(e) => {
            // The processor keeps this as the row's error; it must clip whatever the decoder says.
            let message = crate::webhook::verify::clip(&e.to_string(), 200);
            assert!(message.len() <= 200 + '…'.len_utf8());
        }
    }
}

/// A decoded delivery through the pure planner: no panic, normalized instants, only touched
/// rows written, and planning it again over the rows it wrote writes nothing new.
pub fn plan(data: &[u8]) {
    let Ok((envelope, payload)) = process::decode_body(data) else {
        return;
    };
    if let WebhookPayload::InviteeCreated(inv)
    | WebhookPayload::InviteeCanceled(inv)
    | WebhookPayload::NoShowCreated(inv)
    | WebhookPayload::NoShowDeleted(inv) = &payload
    {
        // The same invitee as the API would list it, with its event.
        if let Some(event) = &inv.scheduled_event {
            let mut listed = inv.clone();
            listed.scheduled_event = None;
            let api = Input::Event {
                event: event.clone(),
                invitees: vec![listed],
            };
            if let Ok(p) = plan::plan(&api, &Snapshot::default()) {
                check_instants(&p);
            }
        }
    }
    let input = Input::Webhook {
        payload,
        delivered_at: envelope.created_at,
    };
    let (events, invitees) = plan::touched(&input);
    let Ok(first) = plan::plan(&input, &Snapshot::default()) else {
        return;
    };
    check_instants(&first);
    for e in &first.events {
        assert!(events.contains(&e.uri), "wrote an event it did not touch");
    }
    for i in &first.invitees {
        assert!(
            invitees.contains(&i.uri),
            "wrote an invitee it did not touch"
        );
    }

    // A replay: the rows the first plan wrote are now stored.
    let mut snap = Snapshot::default();
    for e in &first.events {
        snap.events.insert(
            e.uri.clone(),
            Existing {
                updated_at: e.updated_at.clone(),
                raw_json: e.raw_json.clone(),
            },
        );
    }
    for i in &first.invitees {
        snap.invitees.insert(
            i.uri.clone(),
            ExistingInvitee {
                updated_at: i.updated_at.clone(),
                raw_json: i.raw_json.clone(),
                no_show_uri: i.no_show_uri.clone(),
            },
        );
    }
    let again = match plan::plan(&input, &snap) {
        Ok(p) => p,
        Err(e) => panic!("planned once, then refused its own replay: {e}"),
    };
    assert!(again.events.is_empty(), "a replay rewrote an event");
    assert!(again.invitees.is_empty(), "a replay rewrote an invitee");
    assert_eq!(activity_keys(&again), activity_keys(&first));
    assert_eq!(again.routing, first.routing);
}

fn activity_keys(p: &Plan) -> Vec<(String, &'static str, String)> {
    let mut keys: Vec<_> = p
        .activities
        .iter()
        .map(|a| (a.key.clone(), a.kind.as_str(), a.at.clone()))
        .collect();
    keys.sort();
    keys
}

/// Every instant the planner wrote parses back to the milliseconds stored beside it.
fn check_instants(p: &Plan) {
    let ms = |s: &str| DateTime::parse_from_rfc3339(s).map(|d| d.timestamp_millis());
    for e in &p.events {
        assert_eq!(ms(&e.start_time), Ok(e.start_ms), "{}", e.start_time);
        assert_eq!(ms(&e.end_time), Ok(e.end_ms), "{}", e.end_time);
    }
    for a in &p.activities {
        assert_eq!(ms(&a.at), Ok(a.at_ms), "{}", a.at);
    }
}
