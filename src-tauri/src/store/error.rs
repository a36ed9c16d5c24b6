//! What can go wrong with the local database, each with the way out the user is offered.

use std::path::Path;
use std::time::Duration;

use thiserror::Error;

pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why an existing database file cannot be used. Each one leaves the user the same way out:
/// move the file aside (it is kept) and start with an empty store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    /// Not SQLite at all: damaged beyond the header, or some other kind of file.
    NotADatabase,
    /// SQLite, but its pages are damaged.
    Corrupt,
    /// Another program's SQLite database (tables Slotline did not make).
    Foreign { tables: Vec<String> },
    /// Written by a newer Slotline whose schema this build does not know.
    TooNew { found: i64, supported: i64 },
}

impl Unusable {
    /// A stable name for the UI to switch on.
    pub fn kind(&self) -> &'static str {
        match self {
            Unusable::NotADatabase => "not_a_database",
            Unusable::Corrupt => "corrupt",
            Unusable::Foreign { .. } => "foreign",
            Unusable::TooNew { .. } => "too_new",
        }
    }

    /// What is wrong, as a sentence fragment after the file's name.
    pub fn describe(&self) -> String {
        match self {
            Unusable::NotADatabase => {
                "is not a SQLite database (it may be damaged, or another program's file)".into()
            }
            Unusable::Corrupt => "is damaged: SQLite cannot read its pages".into(),
            Unusable::Foreign { tables } => {
                let mut names = tables.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
                if tables.len() > 3 {
                    names.push_str(", ...");
                }
                format!("belongs to another program (its tables, {names}, are not Slotline's)")
            }
            Unusable::TooNew { found, supported } => format!(
                "was written by a newer Slotline (schema version {found}; this one knows up to {supported})"
            ),
        }
    }

    fn way_out(&self) -> &'static str {
        match self {
            Unusable::TooNew { .. } => "Open it with that newer Slotline, or run `slotline reset-store` to move it aside (nothing is deleted) and start fresh",
            _ => "Run `slotline reset-store` to move it aside (nothing is deleted) and start fresh",
        }
    }
}

/// What the window's recovery screen shows when the store cannot be opened at start.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StoreProblem {
    /// `not_a_database`, `corrupt`, `foreign`, `too_new`, or `unavailable` (locked, no room, no
    /// permission: trying again may help, moving the file aside would not).
    pub kind: String,
    /// The database file.
    pub path: String,
    /// What is wrong, in a sentence.
    pub message: String,
    /// Whether moving the file aside and starting fresh is offered.
    pub can_move_aside: bool,
}

impl StoreProblem {
    pub fn of(path: &Path, e: &StoreError) -> Self {
        match e.unusable() {
            Some((_, problem)) => Self {
                kind: problem.kind().into(),
                path: path.display().to_string(),
                message: format!("This file {}.", problem.describe()),
                can_move_aside: true,
            },
            None => Self {
                kind: "unavailable".into(),
                path: path.display().to_string(),
                message: format!("Slotline could not open it: {e}."),
                can_move_aside: false,
            },
        }
    }
}

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("the database {path} {}. {}", problem.describe(), problem.way_out())]
    Unusable { path: String, problem: Unusable },
    #[error("the database is locked by another program (waited {seconds} s); close the other program (another Slotline?) and try again")]
    Locked { seconds: u64 },
    #[error("the disk is full (or a file-size limit was reached); free some space and try again")]
    DiskFull,
    #[error("the database is damaged: SQLite cannot read its pages. Run `slotline reset-store` to move it aside (nothing is deleted) and start fresh")]
    Damaged,
    #[error("could not create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("could not move {path} aside: {source}")]
    MoveAside {
        path: String,
        source: std::io::Error,
    },
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    #[error("stored data is malformed: {0}")]
    Data(String),
}

impl StoreError {
    /// The file and its problem, when the store cannot be opened but could be moved aside.
    pub fn unusable(&self) -> Option<(&str, &Unusable)> {
        match self {
            StoreError::Unusable { path, problem } => Some((path, problem)),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::Locked {
                    seconds: BUSY_TIMEOUT.as_secs(),
                }
            }
            Some(rusqlite::ErrorCode::DiskFull) => StoreError::DiskFull,
            Some(rusqlite::ErrorCode::DatabaseCorrupt) => StoreError::Damaged,
            _ => StoreError::Sqlite(e),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Data(e.to_string())
    }
}
