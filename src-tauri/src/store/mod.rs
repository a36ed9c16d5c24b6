//! The local SQLite store: one file per table, writes that belong together share one transaction.

pub mod account;
pub mod activity;
pub mod client_overrides;
pub mod contacts;
pub mod db;
mod error;
pub mod events;
pub mod inbox;
pub mod invitees;
pub mod notes;
pub mod participants;
pub mod private_file;
pub mod settings;
pub mod sync_state;

pub use db::Store;
pub use error::StoreError;
