//! Read models for the UI: the calendar range, an event's detail, contacts and their timeline,
//! and the status line. The serializable structs live in `views` (`ts-rs` turns them into
//! `ui/src/ipc/bindings.gen.ts`); the queries that fill them, one file per family beside it.

mod contacts;
mod meetings;
mod status;
mod views;

pub use self::contacts::{contact_detail, contacts};
pub use self::meetings::{calendar_range, event_detail, private_note, reschedule_chain};
pub use self::status::{inbox_status, status};
pub use self::views::*;
