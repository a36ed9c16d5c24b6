//! Opening the database: pragmas, embedded numbered migrations, one writer and snapshot readers.

use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use rusqlite_migration::{Migrations, M};
use thiserror::Error;

/// Numbered, append-only migrations; a fix is a new file, never an edit.
pub static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(include_str!("../../migrations/0001_init.sql")),
        M::up(include_str!("../../migrations/0002_webhooks.sql")),
        M::up(include_str!("../../migrations/0003_settings.sql")),
        M::up(include_str!("../../migrations/0004_activity_time.sql")),
    ])
});

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{path} is not a Slotline database (it may be corrupt or belong to another program). Move it aside to start fresh")]
    NotADatabase { path: String },
    #[error("the database is locked by another program; tried for {seconds} s")]
    Locked { seconds: u64 },
    #[error("could not create the data directory {path}: {source}")]
    DataDir {
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

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::Locked {
                    seconds: BUSY_TIMEOUT.as_secs(),
                }
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Data(e.to_string())
    }
}

/// The store: one writer connection behind a mutex, and readers opened per snapshot so that
/// `export` and the UI read a consistent state while deliveries are being written (WAL).
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
}

impl Store {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let mut conn = Connection::open(path)?;
        configure(&conn).map_err(|e| classify_open_error(e, path))?;
        MIGRATIONS.to_latest(&mut conn).map_err(|e| match e {
            rusqlite_migration::Error::RusqliteError { err, .. } => classify_open_error(err, path),
            other => StoreError::Migration(other),
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            writer: Mutex::new(conn),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one immediate write transaction, committed only when `f` succeeds.
    pub fn with_tx<T, E>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| E::from(StoreError::from(e)))?;
        let out = f(&tx)?;
        tx.commit().map_err(|e| E::from(StoreError::from(e)))?;
        Ok(out)
    }

    /// Runs `f` on a read snapshot taken from a fresh connection.
    pub fn read<T, E>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| E::from(StoreError::from(e)))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| E::from(StoreError::from(e)))?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(|e| E::from(StoreError::from(e)))?;
        f(&tx)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Every commit is durable before we answer anyone (webhook acks depend on it).
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}

fn classify_open_error(e: rusqlite::Error, path: &Path) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotADatabase {
            path: path.display().to_string(),
        },
        _ => StoreError::from(e),
    }
}

/// Milliseconds since the epoch of an RFC 3339 instant.
pub fn instant_ms(rfc3339: &str) -> Result<i64, StoreError> {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|d| d.timestamp_millis())
        .map_err(|e| StoreError::Data(format!("bad timestamp {rfc3339:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        MIGRATIONS.validate().expect("migrations validate");
    }

    #[test]
    fn upgrades_a_database_made_by_the_first_migration() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("old.db");
        {
            let mut conn = Connection::open(&path).expect("open");
            MIGRATIONS.to_version(&mut conn, 1).expect("to v1");
            conn.execute(
                "INSERT INTO scheduled_events (uri, name, status, start_time, end_time, start_ms, end_ms, raw_json, first_seen_via)
                 VALUES ('https://api.calendly.com/scheduled_events/A', 'Intro', 'active', '2026-01-01T10:00:00.000000Z', '2026-01-01T10:30:00.000000Z', 1767261600000, 1767263400000, '{}', 'api')",
                [],
            )
            .expect("insert at v1");
        }
        let store = Store::open(&path).expect("upgrade");
        let (name, inbox): (String, i64) = store
            .read(|tx| {
                let name = tx.query_row("SELECT name FROM scheduled_events", [], |r| r.get(0))?;
                let inbox = tx.query_row("SELECT count(*) FROM webhook_inbox", [], |r| r.get(0))?;
                Ok::<_, StoreError>((name, inbox))
            })
            .expect("read");
        assert_eq!(name, "Intro");
        assert_eq!(inbox, 0);
        let version: i64 = store
            .read(|tx| Ok::<_, StoreError>(tx.query_row("PRAGMA user_version", [], |r| r.get(0))?))
            .expect("version");
        assert_eq!(version, 4);
    }

    #[test]
    fn a_foreign_file_is_reported_not_a_crash() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("foreign.db");
        std::fs::write(&path, b"this is not sqlite, just some text that is long enough ........................................................................").expect("write");
        let err = Store::open(&path).expect_err("must refuse");
        assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
        assert!(err.to_string().contains("Move it aside"));
    }

    #[test]
    fn pragmas_are_set() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("p.db")).expect("open");
        let conn = store.lock();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("mode");
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .expect("fk");
        assert_eq!(mode, "wal");
        assert_eq!(fk, 1);
    }
}
