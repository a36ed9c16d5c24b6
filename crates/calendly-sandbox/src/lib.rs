//! The offline Calendly sandbox: a stateful, seeded imitation of Calendly's API v2, its OAuth
//! server and its signed webhook deliveries, served over real HTTP so the app and its tests use
//! exactly the code paths they use against Calendly.
//!
//! Resource URIs always take Calendly's fixed `https://api.calendly.com/...` form so identities are
//! stable across ports and restarts; only pagination links (`next_page`) point at this server.
//! One listener serves both the API and the OAuth endpoints. With the `control` feature (tests
//! only; the shipped app never has it) it also serves loopback-only `/_sandbox/*` control
//! endpoints for out-of-process tests (JSON in and out, no token), and a sandbox can be slowed
//! down or made to fail on purpose ([`SettingsPatch`]):
//!
//! | endpoint | body | does |
//! | --- | --- | --- |
//! | `GET /_sandbox/state` | | [`Sandbox::snapshot`] |
//! | `GET /_sandbox/requests` | | [`Sandbox::request_counts`] |
//! | `GET /_sandbox/deliveries` | | [`Sandbox::deliveries`] |
//! | `POST /_sandbox/book` | any [`BookingSpec`] fields | 201 `{event_uri, invitee_uri}` |
//! | `POST /_sandbox/cancel` | `{invitee_uri, by_host, reason}` | [`Sandbox::cancel`] |
//! | `POST /_sandbox/cancel_event` | `{event_uri, reason}` | [`Sandbox::cancel_event`] |
//! | `POST /_sandbox/reschedule` | `{invitee_uri, new_start}` | `{invitee_uri}` of the new invitee |
//! | `POST`/`DELETE /_sandbox/no_show` | `{invitee_uri}` | mark / clear a no-show |
//! | `POST /_sandbox/routing_form_submission` | any [`RoutingSpec`] fields | 201 `{uri}` |
//! | `POST /_sandbox/pause_webhooks` | `{paused}` | [`Sandbox::set_webhooks_paused`] |
//! | `POST /_sandbox/disable_subscriptions` | | [`Sandbox::disable_subscriptions`] |
//! | `POST /_sandbox/config` | [`SettingsPatch`] fields | [`Sandbox::update_settings`] |
//!
//! Without the feature those paths answer 404 like any unknown one. Unknown URIs answer 404,
//! impossible changes (cancel a canceled invitee) 409, bad JSON 400.

mod api;
mod clock;
mod config;
#[cfg(any(test, feature = "control"))]
mod control;
mod delivery;
mod error;
mod fixtures;
mod handle;
mod ids;
mod inner;
mod limits;
mod live;
mod locking;
pub mod model;
mod oauth;
mod outbox;
mod pagination;
mod params;
mod persist;
pub mod private;
mod router;
mod scenario;
#[cfg(any(test, feature = "control"))]
mod settings;
mod tokens;
mod world;

pub use config::SandboxConfig;
#[cfg(any(test, feature = "control"))]
pub use control::SandboxState;
pub use error::SandboxError;
pub use inner::Sandbox;
pub use limits::RequestCounts;
pub use model::*;
pub use outbox::{DeliveryOutcome, DeliveryRecord};
#[cfg(any(test, feature = "control"))]
pub use settings::{PathFault, SettingsPatch};
pub use tokens::TokenCounts;
pub use world::{BookedIds, BookingSpec, RoutingSpec};

#[cfg(test)]
mod tests;
