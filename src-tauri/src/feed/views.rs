//! The read models' shapes: plain serializable structs and the string kinds they carry, as Rust
//! enums that `ts-rs` turns into TypeScript string-literal unions in `ui/src/ipc/bindings.gen.ts`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One meeting as the calendar shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CalendarEvent {
    pub uri: String,
    pub name: String,
    /// `active` or `canceled`.
    pub status: String,
    /// UTC, RFC 3339 with `Z`.
    pub start: String,
    pub end: String,
    pub location_type: Option<String>,
    pub join_url: Option<String>,
    /// Names (or emails) of the active invitees, for the tile.
    pub invitee_names: Vec<String>,
    #[ts(type = "number")]
    pub invitees_active: i64,
    pub rescheduled_from: Option<String>,
    pub rescheduled_to: Option<String>,
    pub any_no_show: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QuestionAnswer {
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InviteeDetail {
    pub uri: String,
    pub name: Option<String>,
    pub email: String,
    pub status: String,
    pub timezone: Option<String>,
    pub no_show: bool,
    pub rescheduled: bool,
    /// The event URI of the booking this one replaced (Calendly links invitees; this is its event).
    pub rescheduled_from: Option<String>,
    /// The event URI of the booking that replaced this one.
    pub rescheduled_to: Option<String>,
    pub cancel_reason: Option<String>,
    pub canceled_by: Option<String>,
    pub canceler_type: Option<String>,
    pub questions_and_answers: Vec<QuestionAnswer>,
    pub cancel_url: Option<String>,
    pub reschedule_url: Option<String>,
    /// What the invitee paid (paid event types only).
    #[ts(optional = nullable)]
    pub payment: Option<PaymentView>,
}

/// An invitee's Calendly payment, as the meeting's detail panel shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PaymentView {
    pub amount: Option<f64>,
    /// ISO 4217, upper case (`EUR`, `USD`, …).
    pub currency: Option<String>,
    /// False when the charge failed: it counts in no revenue.
    pub successful: bool,
    /// `stripe` or `paypal`.
    pub provider: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub name: Option<String>,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EventDetail {
    pub uri: String,
    pub name: String,
    pub status: String,
    pub start: String,
    pub end: String,
    pub event_type: Option<String>,
    pub location_type: Option<String>,
    /// Address, phone number or free text, depending on `location_type`.
    pub location: Option<String>,
    pub join_url: Option<String>,
    pub meeting_notes: Option<String>,
    pub hosts: Vec<Person>,
    pub invitees: Vec<InviteeDetail>,
    pub guests: Vec<Person>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContactSummary {
    pub email: String,
    pub name: Option<String>,
    #[ts(type = "number")]
    pub meetings: i64,
    #[ts(type = "number")]
    pub no_shows: i64,
    pub last_meeting: Option<String>,
    pub next_meeting: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActivityItem {
    /// `booked`, `canceled`, `rescheduled`, `no_show`, `no_show_cleared`, `routing_form_submitted`.
    pub kind: String,
    pub at: String,
    pub event_uri: Option<String>,
    pub event_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContactDetail {
    pub email: String,
    pub name: Option<String>,
    pub activity: Vec<ActivityItem>,
    pub answers: Vec<QuestionAnswer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    pub name: String,
    pub email: String,
    pub timezone: Option<String>,
    pub avatar_url: Option<String>,
    /// `pat` or `oauth`.
    pub auth_kind: String,
    /// True when the account is the built-in offline sandbox.
    pub sandbox: bool,
    pub api_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatusView {
    pub account: Option<AccountView>,
    pub last_sync: Option<String>,
    pub last_sync_error: Option<String>,
    #[ts(type = "number")]
    pub events: i64,
    #[ts(type = "number")]
    pub contacts: i64,
    pub syncing: bool,
    /// Set when Calendly refused the OAuth grant: the user must reconnect.
    pub reconnect: Option<String>,
    /// Unix seconds of the last OAuth token refresh.
    #[ts(type = "number | null")]
    pub last_refresh: Option<i64>,
    pub webhooks: WebhookStatus,
    /// The keyring's state: `ok`, or a sentence saying what is wrong and what to do.
    pub keyring: String,
    /// Set while Calendly's renewed sign-in is held in memory only because the keyring refused
    /// it: what happened and what to do.
    #[ts(optional = nullable)]
    pub token_warning: Option<String>,
    /// The webhook inbox as the store has it (whether or not the receiver runs).
    pub inbox: InboxStatus,
}

/// Stored webhook deliveries that are not applied (yet), from the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "camelCase")]
pub struct InboxStatus {
    /// Stored, waiting to be applied.
    #[ts(type = "number")]
    pub pending: i64,
    /// Applying failed; retried with back-off.
    #[ts(type = "number")]
    pub failed: i64,
    /// Authentic but not understood by this version: kept, and tried again at every start.
    #[ts(type = "number")]
    pub unapplied: i64,
    /// `unapplied` per reason, most frequent first.
    pub unapplied_reasons: Vec<UnappliedCount>,
}

/// How many unapplied deliveries share one reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UnappliedCount {
    /// `unknown_event`, `not_json` or `unexpected_shape`.
    pub reason: String,
    #[ts(type = "number")]
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    pub pages: u32,
    pub events_seen: u32,
    pub invitee_requests: u32,
    pub events_changed: u32,
    pub activities_added: u32,
}

/// Where real-time delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WebhookState {
    /// Not started (no account, or the live service is not running).
    #[default]
    Off,
    /// Reconciling on a schedule only: no webhook subscription delivers.
    Polling,
    /// A webhook subscription delivers to the receiver.
    Receiving,
    /// Real-time delivery failed; `message` says why.
    Error,
}

/// Real-time delivery as the status line shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "camelCase")]
pub struct WebhookStatus {
    pub state: WebhookState,
    pub public_url: Option<String>,
    /// `ngrok`, `public-url` or null.
    pub tunnel: Option<String>,
    /// `active`, `disabled`, `refused: <why>` or null.
    pub subscription: Option<String>,
    pub last_delivery: Option<String>,
    #[ts(type = "number")]
    pub pending: i64,
    #[ts(type = "number")]
    pub failed: i64,
    pub message: Option<String>,
}

/// The file the window exported, to show and reveal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportResult {
    pub path: String,
}

/// An OAuth authorization just started: the URL opened in the system browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OAuthStart {
    pub authorize_url: String,
    pub redirect_uri: String,
}

/// What Settings shows and edits (never a secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub oauth_client_id: Option<String>,
    pub redirect_port: u16,
    /// Whether an OAuth client secret is stored in the keyring.
    pub has_client_secret: bool,
    /// The redirect URI to register for a Sandbox app in Calendly.
    pub loopback_redirect_uri: String,
    /// `pat`, `oauth` or null when not connected.
    pub auth_kind: Option<String>,
    #[ts(type = "number | null")]
    pub last_refresh: Option<i64>,
}

/// What kind of failure a command met: the UI switches on it, never on the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum IpcErrorKind {
    /// No Calendly account is connected (or its token is gone).
    NotConnected,
    /// The system keyring refused.
    Keyring,
    /// Calendly answered with an error.
    Calendly,
    /// Calendly could not be reached.
    Network,
    /// The local database (or a file Slotline writes) failed.
    Store,
    /// An argument or setting is not acceptable.
    InvalidInput,
    /// The thing asked for is not stored.
    NotFound,
    /// The user canceled a Calendly sign-in.
    Canceled,
    /// The browser never came back from a Calendly sign-in.
    Timeout,
    /// The user denied Calendly's sign-in.
    Denied,
    /// The login item could not be read or changed.
    Autostart,
    /// Anything else: a bug or a task that did not finish.
    Internal,
}

impl std::fmt::Display for IpcErrorKind {
    /// The wire name (`not_connected`, …), as serde spells it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(s)) => f.write_str(&s),
            _ => write!(f, "{self:?}"),
        }
    }
}

/// The error every command returns: the UI switches on `kind`, shows `message`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IpcError {
    pub kind: IpcErrorKind,
    pub message: String,
}

/// A read model the window refetches when it becomes stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StaleTopic {
    Events,
    Contacts,
    Status,
    Dashboard,
    Webhooks,
}

/// Emitted as the Tauri event `data-changed` after anything the UI shows was written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DataChanged {
    /// What became stale.
    pub stale: Vec<StaleTopic>,
}

/// One booking of a rescheduled meeting, as the detail panel's chain draws it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RescheduleLink {
    /// The event URI.
    pub uri: String,
    /// False when the booking is not in the local store (e.g. older than the synced window): only
    /// its URI is known.
    pub stored: bool,
    /// True for the meeting the chain was asked about.
    pub current: bool,
    pub name: Option<String>,
    /// `active` or `canceled`; null when not stored.
    pub status: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
}

pub use crate::store::notes::PrivateNote;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prefs::WebhookMode;

    /// The enums keep the wire strings the plain strings had (the UI and older data read them).
    #[test]
    fn the_kinds_keep_their_wire_strings() {
        let wire = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
        let kinds = [
            (IpcErrorKind::NotConnected, "not_connected"),
            (IpcErrorKind::Keyring, "keyring"),
            (IpcErrorKind::Calendly, "calendly"),
            (IpcErrorKind::Network, "network"),
            (IpcErrorKind::Store, "store"),
            (IpcErrorKind::InvalidInput, "invalid_input"),
            (IpcErrorKind::NotFound, "not_found"),
            (IpcErrorKind::Canceled, "canceled"),
            (IpcErrorKind::Timeout, "timeout"),
            (IpcErrorKind::Denied, "denied"),
            (IpcErrorKind::Autostart, "autostart"),
            (IpcErrorKind::Internal, "internal"),
        ];
        for (kind, s) in kinds {
            assert_eq!(wire(serde_json::json!(kind)), s);
            assert_eq!(kind.to_string(), s);
        }
        let topics = [
            (StaleTopic::Events, "events"),
            (StaleTopic::Contacts, "contacts"),
            (StaleTopic::Status, "status"),
            (StaleTopic::Dashboard, "dashboard"),
            (StaleTopic::Webhooks, "webhooks"),
        ];
        for (topic, s) in topics {
            assert_eq!(wire(serde_json::json!(topic)), s);
        }
        let states = [
            (WebhookState::Off, "off"),
            (WebhookState::Polling, "polling"),
            (WebhookState::Receiving, "receiving"),
            (WebhookState::Error, "error"),
        ];
        for (state, s) in states {
            assert_eq!(wire(serde_json::json!(state)), s);
        }
        let modes = [
            (WebhookMode::Off, "off"),
            (WebhookMode::Ngrok, "ngrok"),
            (WebhookMode::PublicUrl, "public-url"),
        ];
        for (mode, s) in modes {
            assert_eq!(wire(serde_json::json!(mode)), s);
            let back: WebhookMode = serde_json::from_value(serde_json::json!(s)).expect("mode");
            assert_eq!(back, mode);
        }
        let changed = DataChanged {
            stale: vec![StaleTopic::Status, StaleTopic::Webhooks],
        };
        assert_eq!(
            serde_json::to_string(&changed).expect("json"),
            r#"{"stale":["status","webhooks"]}"#
        );
    }
}
