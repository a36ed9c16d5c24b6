//! Clients and time (issue 17): invitees grouped into clients (by email domain, a person on a
//! free-mail domain; the consultant's renames, merges and moves on top), the report over a range
//! of days in a zone, the insights the window draws, and a client's page. Tauri-free: reading is
//! one snapshot into the rows of [`model`] (the report's from the fact table of migration 0009,
//! [`facts::read`]; the insights' and a page's from the meetings and invitees, [`rows::read`]),
//! everything after it is a pure function of those rows.

pub mod detail;
pub mod facts;
pub mod grouping;
pub mod insights;
pub mod model;
pub mod overrides;
pub mod range;
pub mod render;
pub mod report;
pub mod rows;

pub use detail::{ClientDetail, ClientMeeting, ClientPerson, ClientRef};
pub use insights::{Insights, LeadBucket, TypeInsight};
pub use range::{RangeError, ReportRange};
pub use render::{RenderError, ReportFormat};
pub use report::{ClientLine, ClientsReport, EventTypeLine, Money, WeekLine};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ClientsError {
    #[error(transparent)]
    Range(#[from] RangeError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
}

impl From<rusqlite::Error> for ClientsError {
    fn from(e: rusqlite::Error) -> Self {
        ClientsError::Store(e.into())
    }
}
