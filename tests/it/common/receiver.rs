//! A real webhook receiver on 127.0.0.1:0 over a scratch database file, with short deadlines,
//! and the signed deliveries the hostile-input tests send it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde_json::{json, Value};
use slotline::clock::SystemClock;
use slotline::store::Store;
use slotline::webhook::{KeyLabel, RateLimit, Receiver, ReceiverConfig, ServerError};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const KEY: &[u8] = b"whsec_hostile_subscription_key";

pub use super::deliveries::SIG;
use super::deliveries::{signature_at, webhook_post};

/// Short, so the slow cases finish quickly (the defaults are 10 s, 60 s and 30 s); the body
/// timeout is the shortest so a slow body is answered 408 before its connection is cut.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(1);

pub const IDLE_TIMEOUT: Duration = Duration::from_millis(1500);

pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);

/// A failure budget no catalogue spends.
pub const UNLIMITED: RateLimit = RateLimit {
    per_second: 1e6,
    burst: 1_000_000,
};

/// A receiver on 127.0.0.1:0 over a scratch database file.
pub struct Rx {
    _dir: tempfile::TempDir,
    pub db: PathBuf,
    pub store: Arc<Store>,
    pub addr: String,
    stop: Option<oneshot::Sender<()>>,
    served: Option<JoinHandle<Result<(), ServerError>>>,
}

impl Rx {
    pub async fn start(config: ReceiverConfig) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("slotline.db");
        let store = Arc::new(Store::open(&db).expect("open store"));
        let receiver = Receiver::new(
            store.clone(),
            || vec![(KeyLabel::Subscription, KEY.to_vec())],
            Arc::new(SystemClock),
            config,
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn(async move {
            receiver
                .serve(listener, async move {
                    let _ = stopped.await;
                })
                .await
        });
        Self {
            _dir: dir,
            db,
            store,
            addr,
            stop: Some(stop),
            served: Some(served),
        }
    }

    /// Inbox rows, counted in the database file through a connection of its own.
    pub fn inbox_rows(&self) -> i64 {
        let conn = rusqlite::Connection::open(&self.db).expect("open the database file");
        conn.query_row("SELECT count(*) FROM webhook_inbox", [], |r| r.get(0))
            .expect("count inbox rows")
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(served) = self.served.take() {
            served
                .await
                .expect("server task")
                .expect("the receiver stopped cleanly");
        }
    }
}

pub fn now_t() -> i64 {
    Utc::now().timestamp()
}

/// `t=now,v1=HMAC(key, t.body)`, as Calendly signs.
pub fn signed(key: &[u8], body: &[u8]) -> String {
    signature_at(key, now_t(), body)
}

/// A realistic `invitee.created` delivery.
pub fn delivery_json(invitee_id: &str) -> Value {
    let ev = "https://api.calendly.com/scheduled_events/5c3e6b1a-7d7e-4f0e-9a55-2f0c4a1b9d01";
    json!({
        "event": "invitee.created",
        "created_at": "2026-11-20T09:00:00.000000Z",
        "created_by": "https://api.calendly.com/users/AAAAAAAAAAAAAAAA",
        "payload": {
            "uri": format!("{ev}/invitees/{invitee_id}"),
            "email": "jonas.berg@example.org", "name": "Jonas Berg",
            "first_name": null, "last_name": null, "status": "active",
            "timezone": "Europe/Stockholm", "event": ev,
            "created_at": "2026-11-20T09:00:00.000000Z", "updated_at": "2026-11-20T09:00:00.000000Z",
            "questions_and_answers": [{"question": "Anything to prepare?", "answer": "Q4 numbers", "position": 0}],
            "tracking": {"utm_source": null, "utm_campaign": null},
            "rescheduled": false, "old_invitee": null, "new_invitee": null,
            "cancel_url": "https://calendly.com/cancellations/x",
            "reschedule_url": "https://calendly.com/reschedulings/x",
            "routing_form_submission": null, "no_show": null, "cancellation": null,
            "scheduled_event": {
                "uri": ev, "name": "Strategy session", "status": "active",
                "start_time": "2026-12-02T14:00:00.000000Z", "end_time": "2026-12-02T15:00:00.000000Z",
                "event_type": "https://api.calendly.com/event_types/STRATEGY",
                "location": {"type": "google_conference", "join_url": "https://meet.google.com/abc-defg-hij", "status": "pushed"},
                "invitees_counter": {"total": 1, "active": 1, "limit": 1},
                "created_at": "2026-11-20T09:00:00.000000Z", "updated_at": "2026-11-20T09:00:00.000000Z",
                "event_memberships": [{"user": "https://api.calendly.com/users/AAAAAAAAAAAAAAAA", "user_email": "maya@example.com", "user_name": "Maya Lindqvist"}],
                "event_guests": [],
            },
        },
    })
}

pub fn delivery(invitee_id: &str) -> Vec<u8> {
    serde_json::to_vec(&delivery_json(invitee_id)).expect("serialize")
}

impl Rx {
    /// Posts `body` signed with [`KEY`] now; answers the status.
    pub async fn post_signed(&self, http: &reqwest::Client, body: &[u8]) -> u16 {
        let url = format!("http://{}{}", self.addr, slotline::webhook::PATH);
        webhook_post(http, &url, Some(&signed(KEY, body)), body.to_vec())
            .send()
            .await
            .expect("post")
            .status()
            .as_u16()
    }
}
