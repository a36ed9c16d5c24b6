//! The one owner of the connected account's live state, with no Tauri in it: the store, the
//! secrets, the account's one token session and sync runner, the live service, the sign-in in
//! flight, the local ICS feed and the explored sandbox. The window's commands and the CLI's
//! subcommands are adapters over its methods; what changes is published as [`CoreEvent`]s,
//! which the window turns into typed events and notifications and the CLI prints.

mod account;
mod clients;
mod error;
mod events;
mod feed_server;
mod live_ctl;
mod notice;
mod owner;
mod parts;
mod recovery;

pub use error::CoreError;
pub use events::{CoreEvent, ALL_DATA};
pub use notice::Notice;
pub use owner::{Core, Tuning};
pub use parts::{OAuthRequest, PUBLIC_URL_PORT};
pub use recovery::{open as open_for_window, Recovery};
