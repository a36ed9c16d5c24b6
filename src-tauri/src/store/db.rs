//! Opening the database: pragmas, embedded numbered migrations, one writer and snapshot readers.

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use rusqlite_migration::{Migrations, M};

use crate::config::private;

/// Numbered, append-only migrations; a fix is a new file, never an edit.
pub static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(include_str!("../../migrations/0001_init.sql")),
        M::up(include_str!("../../migrations/0002_webhooks.sql")),
        M::up(include_str!("../../migrations/0003_settings.sql")),
        M::up(include_str!("../../migrations/0004_activity_time.sql")),
        M::up(include_str!(
            "../../migrations/0005_calendar_index_and_private_notes.sql"
        )),
        M::up(include_str!(
            "../../migrations/0006_inbox_unapplied_and_retention.sql"
        )),
        M::up(include_str!(
            "../../migrations/0007_clients_and_payments.sql"
        )),
        M::up(include_str!(
            "../../migrations/0008_clients_report_by_uri.sql"
        )),
        M::up(include_str!(
            "../../migrations/0009_clients_report_facts.sql"
        )),
    ])
});

/// The schema version this build writes (`PRAGMA user_version` after every migration).
pub fn schema_version() -> i64 {
    *SCHEMA_VERSION
}

// Counted from the migration list (what an empty database would need), so a new file moves it.
static SCHEMA_VERSION: LazyLock<i64> = LazyLock::new(|| {
    Connection::open_in_memory()
        .ok()
        .and_then(|c| MIGRATIONS.pending_migrations(&c).ok())
        .map_or(i64::MAX, i64::from)
});

pub use super::error::{StoreError, StoreProblem, Unusable, BUSY_TIMEOUT};

/// The store: one writer connection behind a mutex, and readers opened per snapshot so that
/// `export` and the UI read a consistent state while deliveries are being written (WAL).
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    health: Mutex<Health>,
    /// Set when opening had to make the data folder private again.
    notice: Option<String>,
}

/// What the page check found ([`Store::quick_check`]). Opening reads the header and the schema
/// only, so damage further in is found by this check, run off the start path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// Not checked since the store was opened.
    Unchecked,
    Checking,
    /// Every page reads back: `PRAGMA quick_check` said `ok`.
    Sound,
    /// SQLite found damage; its first findings.
    Damaged(String),
    /// The check could not run (the file was locked, an I/O error): why.
    Unknown(String),
}

/// How many findings `quick_check` lists before it stops.
const CHECK_FINDINGS: u32 = 10;

impl Store {
    /// Opens (creating when missing) the database at `path`. Its folder is made the user's alone
    /// (0700) and the database and its companions readable by the user only (0600), tightening
    /// them when an older version or a hand left them looser ([`Store::notice`] says so).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let notice = make_private(path)?;
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Before anything writes to it (even switching it to WAL): a file that is not ours is
        // left exactly as it was.
        check_identity(&conn).map_err(|e| match e {
            Identity::Unusable(problem) => StoreError::Unusable {
                path: path.display().to_string(),
                problem,
            },
            Identity::Sqlite(e) => classify_open_error(e, path),
        })?;
        configure(&conn).map_err(|e| classify_open_error(e, path))?;
        MIGRATIONS.to_latest(&mut conn).map_err(|e| match e {
            rusqlite_migration::Error::RusqliteError { err, .. } => classify_open_error(err, path),
            other => StoreError::Migration(other),
        })?;
        let store = Self {
            path: path.to_path_buf(),
            writer: Mutex::new(conn),
            health: Mutex::new(Health::Unchecked),
            notice,
        };
        if let Some(n) = store.notice() {
            tracing::warn!("{n}");
        }
        // An earlier run's page check found damage: check again now, before anything uses the
        // file, so the app starts on the recovery screen (and the CLI refuses clearly) instead
        // of failing later. A repaired or replaced file clears the mark.
        if damage_mark(path).exists() {
            store.quick_check()?;
        }
        Ok(store)
    }

    /// Reads every page (`PRAGMA quick_check`) on a read-only connection of its own, so writes
    /// and reads go on meanwhile. Damage is [`StoreError::Unusable`] (`Corrupt`): the same answer,
    /// and the same way out (`slotline reset-store`, the recovery screen), as a file refused at
    /// open. It reads the whole file (0.8 s for 100,000 meetings), so run it after start:
    /// [`Store::check_in_background`].
    pub fn quick_check(&self) -> Result<(), StoreError> {
        self.set_health(Health::Checking);
        let (health, result) = match self.run_quick_check() {
            Ok(findings) if findings.len() == 1 && findings[0] == "ok" => (Health::Sound, Ok(())),
            Ok(findings) => (Health::Damaged(findings.join("; ")), Err(self.damaged())),
            Err(e) => match classify_open_error(e, &self.path) {
                e @ StoreError::Unusable { .. } => (Health::Damaged(e.to_string()), Err(e)),
                e => (Health::Unknown(e.to_string()), Err(e)),
            },
        };
        match &health {
            Health::Damaged(found) => {
                // The caller reports the error (the CLI's one line, the live status); the log
                // keeps SQLite's findings.
                tracing::info!(path = %self.path.display(), found = %found, "the database is damaged");
                if let Err(e) = private::write(&damage_mark(&self.path), found.as_bytes()) {
                    tracing::warn!(error = %e, "could not mark the database as damaged");
                }
            }
            Health::Sound => {
                let _ = std::fs::remove_file(damage_mark(&self.path));
            }
            Health::Unknown(why) => tracing::warn!(%why, "could not check the database's pages"),
            _ => {}
        }
        self.set_health(health);
        result
    }

    /// [`Store::quick_check`] on a thread of its own; `done` gets its answer. [`Store::health`]
    /// says `Checking` until then.
    pub fn check_in_background(
        self: &Arc<Self>,
        done: impl FnOnce(Result<(), StoreError>) + Send + 'static,
    ) -> std::thread::JoinHandle<()> {
        self.set_health(Health::Checking);
        let store = self.clone();
        std::thread::spawn(move || done(store.quick_check()))
    }

    /// What the last page check found.
    pub fn health(&self) -> Health {
        self.health
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn set_health(&self, h: Health) {
        *self.health.lock().unwrap_or_else(|e| e.into_inner()) = h;
    }

    fn run_quick_check(&self) -> rusqlite::Result<Vec<String>> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mut stmt = conn.prepare(&format!("PRAGMA quick_check({CHECK_FINDINGS})"))?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect()
    }

    fn damaged(&self) -> StoreError {
        StoreError::Unusable {
            path: self.path.display().to_string(),
            problem: Unusable::Corrupt,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What opening had to tighten, in a sentence to show once; `None` when the data folder was
    /// already private.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
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

/// The data folder 0700, the database file created 0600 before SQLite opens it (SQLite gives
/// the `-wal` and `-shm` it creates the database file's mode), and anything of ours that is
/// looser tightened. Answers the notice to show when something of ours was tightened.
fn make_private(path: &Path) -> Result<Option<String>, StoreError> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let mut tightened = Vec::new();
    if let Some(dir) = dir {
        match private::secure_data_dir(dir) {
            Ok(t) => tightened = t,
            Err(source) if !dir.is_dir() => {
                return Err(StoreError::DataDir {
                    path: dir.display().to_string(),
                    source,
                })
            }
            // Not ours to change (another owner): say so, and go on.
            Err(e) => {
                tracing::warn!(dir = %dir.display(), error = %e, "could not make the data folder private")
            }
        }
    }
    match private::create_new(path) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let companions = [
                path.to_path_buf(),
                sibling(path, "-wal"),
                sibling(path, "-shm"),
                sibling(path, "-journal"),
            ];
            for companion in companions {
                match private::tighten(&companion) {
                    Ok(true) if !tightened.contains(&companion) => tightened.push(companion),
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(file = %companion.display(), error = %e, "could not make a database file private")
                    }
                }
            }
        }
        // SQLite's own open reports the problem (no permission, no room) in its words.
        Err(_) => {}
    }
    // Said once the store is open: when it cannot be, its error is the one line to read.
    Ok(dir.and_then(|d| private::tightened_notice(d, &tightened)))
}

/// Prepared statements one connection keeps. rusqlite keeps 16 by default, fewer than the apply
/// path, the inbox and the processor use between them: the writer then re-parsed statements and
/// re-compiled their triggers for every delivery (seen in a profile of the ingest benchmark).
const STATEMENT_CACHE: usize = 96;

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Every commit is durable before we answer anyone (webhook acks depend on it; the inbox
    // writer refuses to acknowledge on a connection where this is not so).
    conn.pragma_update(None, "synchronous", "FULL")?;
    // What is deleted (pruned delivery bodies, an erased history) is overwritten, not left in
    // free pages of the file.
    conn.pragma_update(None, "secure_delete", "ON")?;
    Ok(())
}

fn classify_open_error(e: rusqlite::Error, path: &Path) -> StoreError {
    let problem = match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => Unusable::NotADatabase,
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => Unusable::Corrupt,
        _ => return StoreError::from(e),
    };
    StoreError::Unusable {
        path: path.display().to_string(),
        problem,
    }
}

enum Identity {
    Unusable(Unusable),
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for Identity {
    fn from(e: rusqlite::Error) -> Self {
        Identity::Sqlite(e)
    }
}

/// Refuses, before any migration writes to it, a file that is not ours: another program's
/// database would otherwise get Slotline's tables added to it, and a newer Slotline's would be
/// half-understood.
fn check_identity(conn: &Connection) -> Result<(), Identity> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let supported = schema_version();
    if version > supported {
        return Err(Identity::Unusable(Unusable::TooNew {
            found: version,
            supported,
        }));
    }
    // Reading the schema also reads its pages, so a damaged file fails here, not mid-sync.
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )?;
    let tables = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let ours = tables.iter().any(|t| t == "scheduled_events");
    let foreign = if version == 0 {
        // A fresh file has no tables; any table means someone else made it.
        !tables.is_empty()
    } else {
        !ours
    };
    if foreign {
        return Err(Identity::Unusable(Unusable::Foreign { tables }));
    }
    Ok(())
}

/// Moves the database file and its WAL companions aside, next to it, under a name stamped with
/// `now` (`slotline.db` -> `slotline.moved-20261127T004403Z.db`); nothing is deleted. Answers the
/// new path of the database, or `None` when there was no file to move.
pub fn move_aside(
    path: &Path,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<PathBuf>, StoreError> {
    if !path.exists() {
        return Ok(None);
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "slotline".into());
    let ext = path
        .extension()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "db".into());
    let stamp = now.format("%Y%m%dT%H%M%SZ");
    let mut target = path.with_file_name(format!("{stem}.moved-{stamp}.{ext}"));
    let mut n = 2;
    while target.exists() {
        target = path.with_file_name(format!("{stem}.moved-{stamp}-{n}.{ext}"));
        n += 1;
    }
    let fail = |p: &Path, source| StoreError::MoveAside {
        path: p.display().to_string(),
        source,
    };
    // The WAL first: a WAL left beside a new, empty database could be replayed into it.
    for suffix in ["-wal", "-shm", "-journal"] {
        let companion = sibling(path, suffix);
        if companion.exists() {
            let moved = sibling(&target, suffix);
            std::fs::rename(&companion, &moved).map_err(|e| fail(&companion, e))?;
            keep_private(&moved);
        }
    }
    std::fs::rename(path, &target).map_err(|e| fail(path, e))?;
    keep_private(&target);
    let _ = std::fs::remove_file(damage_mark(path));
    Ok(Some(target))
}

/// A moved-aside copy holds the same personal data: the user's alone, whatever it was before.
fn keep_private(path: &Path) {
    if let Err(e) = private::tighten(path) {
        tracing::warn!(file = %path.display(), error = %e, "could not make a moved-aside file private");
    }
}

/// Beside the database, what the last page check found when it found damage; the next open
/// checks every page before going on.
pub fn damage_mark(path: &Path) -> PathBuf {
    sibling(path, "-damaged")
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
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
        assert_eq!(version, schema_version());
    }

    #[test]
    fn a_foreign_file_is_reported_not_a_crash() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("foreign.db");
        std::fs::write(&path, b"this is not sqlite, just some text that is long enough ........................................................................").expect("write");
        let err = Store::open(&path).expect_err("must refuse");
        assert!(
            matches!(err.unusable(), Some((_, Unusable::NotADatabase))),
            "{err:?}"
        );
        assert!(err.to_string().contains("slotline reset-store"));
        assert!(err.to_string().contains("foreign.db"));
    }

    #[test]
    fn another_programs_database_is_refused_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("other.db");
        {
            let conn = Connection::open(&path).expect("open");
            conn.execute_batch("CREATE TABLE recipes (id INTEGER PRIMARY KEY, title TEXT);")
                .expect("create");
        }
        let err = Store::open(&path).expect_err("must refuse");
        match err.unusable() {
            Some((_, Unusable::Foreign { tables })) => assert_eq!(tables, &["recipes"]),
            other => panic!("{other:?} from {err:?}"),
        }
        // Nothing of ours was added to it.
        let conn = Connection::open(&path).expect("open");
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'scheduled_events'",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(n, 0);
    }

    #[test]
    fn a_newer_schema_is_refused_with_both_versions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("newer.db");
        drop(Store::open(&path).expect("create"));
        {
            let conn = Connection::open(&path).expect("open");
            conn.pragma_update(None, "user_version", schema_version() + 3)
                .expect("bump");
        }
        let err = Store::open(&path).expect_err("must refuse");
        assert_eq!(
            err.unusable().map(|(_, p)| p.clone()),
            Some(Unusable::TooNew {
                found: schema_version() + 3,
                supported: schema_version()
            })
        );
    }

    #[test]
    fn schema_version_counts_the_migrations() {
        let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src-tauri/migrations"))
            .expect("migrations dir")
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".sql"))
            })
            .count();
        assert_eq!(schema_version(), i64::try_from(files).expect("count"));
    }

    #[test]
    fn move_aside_takes_the_wal_along_and_keeps_everything() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("slotline.db");
        std::fs::write(&path, b"db").expect("db");
        std::fs::write(sibling(&path, "-wal"), b"wal").expect("wal");
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-27T00:44:03Z")
            .expect("time")
            .with_timezone(&chrono::Utc);
        let moved = move_aside(&path, now).expect("move").expect("moved");
        assert_eq!(
            moved.file_name().and_then(|n| n.to_str()),
            Some("slotline.moved-20261127T004403Z.db")
        );
        assert!(!path.exists());
        assert!(!sibling(&path, "-wal").exists());
        assert_eq!(std::fs::read(&moved).expect("read"), b"db");
        assert_eq!(
            std::fs::read(sibling(&moved, "-wal")).expect("read"),
            b"wal"
        );
        // A second move in the same second does not overwrite the first.
        std::fs::write(&path, b"db2").expect("db");
        let again = move_aside(&path, now).expect("move").expect("moved");
        assert_ne!(again, moved);
        assert_eq!(std::fs::read(&moved).expect("read"), b"db");
        assert_eq!(move_aside(&path, now).expect("nothing"), None);
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
        let secure: i64 = conn
            .query_row("PRAGMA secure_delete", [], |r| r.get(0))
            .expect("secure_delete");
        assert_eq!(secure, 1);
    }
}
