//! What every export format shares: the date range and the error.

use chrono::NaiveDate;
use thiserror::Error;

use crate::store::StoreError;

/// An optional date range, inclusive, in UTC days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Range {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Range {
    /// The range as `[from, to)` in milliseconds; an open end is unbounded.
    pub fn bounds_ms(&self) -> (i64, i64) {
        let from = self
            .from
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc().timestamp_millis())
            .unwrap_or(i64::MIN);
        let to = self
            .to
            .and_then(|d| d.succ_opt())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc().timestamp_millis())
            .unwrap_or(i64::MAX);
        (from, to)
    }
}

#[derive(Debug, Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not write the CSV: {0}")]
    Csv(String),
    #[error("could not render the calendar: {0}")]
    Calendar(String),
    #[error("could not render the JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("could not write {path}: {source}. Check that the folder exists and is writable, or export to another folder")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl From<rusqlite::Error> for ExportError {
    fn from(e: rusqlite::Error) -> Self {
        ExportError::Store(e.into())
    }
}
