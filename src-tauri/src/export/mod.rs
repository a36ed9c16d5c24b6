//! Exports of the store: the contract's JSON, an RFC 5545 calendar and CSV of meetings or
//! contacts, each read from one snapshot so it is consistent while deliveries are being written,
//! to stdout (`slotline export`) or to a new file (the window's Export button).

mod csv;
mod ics;
mod json;
mod meetings;
mod types;

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::store::Store;

pub(crate) use self::csv::cell as csv_cell;
pub use self::csv::{csv_export, CsvKind, CsvOptions, CONTACT_COLUMNS, MEETING_COLUMNS};
pub use self::ics::{ics_export, uid_of, IcsOptions, PRODID};
pub(crate) use self::ics::{render_calendar, Refresh};
pub use self::json::json_export;
pub use self::types::{ExportError, Range};

/// What the window's Export button can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Json,
    Ics,
    Csv,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Ics => "ics",
            ExportFormat::Csv => "csv",
        }
    }
}

/// Everything an export needs besides the store and the format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportOptions {
    pub range: Range,
    /// ICS and CSV meetings: keep canceled meetings (ICS marks them `STATUS:CANCELLED`). The JSON
    /// contract always has everything.
    pub include_canceled: bool,
    /// Which CSV: meetings or contacts.
    pub csv: CsvKind,
    /// The time of the export: the file name, `DTSTAMP` when a meeting has no revision time,
    /// and which meetings of a contact are past or next.
    pub now: DateTime<Utc>,
}

/// The export's bytes, exactly as `slotline export` prints them.
pub fn render(
    store: &Store,
    format: ExportFormat,
    opts: &ExportOptions,
) -> Result<Vec<u8>, ExportError> {
    Ok(match format {
        ExportFormat::Json => {
            let mut out = serde_json::to_vec_pretty(&json_export(store, opts.range)?)?;
            out.push(b'\n');
            out
        }
        ExportFormat::Ics => ics_export(
            store,
            opts.range,
            IcsOptions {
                include_canceled: opts.include_canceled,
            },
            opts.now,
        )?
        .into_bytes(),
        ExportFormat::Csv => csv_export(
            store,
            opts.range,
            CsvOptions {
                kind: opts.csv,
                include_canceled: opts.include_canceled,
            },
            opts.now,
        )?
        .into_bytes(),
    })
}

/// The file name an export made at `now` gets: `slotline-YYYYMMDD-HHMMSS.ext` (UTC), with
/// `contacts` in it for the contacts CSV so it never reads as a calendar.
pub fn file_name(format: ExportFormat, csv: CsvKind, now: DateTime<Utc>) -> String {
    let kind = match (format, csv) {
        (ExportFormat::Csv, CsvKind::Contacts) => "contacts-",
        _ => "",
    };
    format!(
        "slotline-{kind}{}.{}",
        now.format("%Y%m%d-%H%M%S"),
        format.extension()
    )
}

/// Writes the export into a new file in `dir` (created if missing) and returns its path. Never
/// overwrites: a second export in the same second gets `-2`, `-3`, … before the extension. The
/// file is readable by the user only (0600), wherever it is written.
pub fn export_to_file(
    store: &Store,
    dir: &Path,
    format: ExportFormat,
    opts: &ExportOptions,
) -> Result<PathBuf, ExportError> {
    let bytes = render(store, format, opts)?;
    write_new_file(dir, &file_name(format, opts.csv, opts.now), &bytes)
}

/// Writes `bytes` into a new file `name` in `dir` (created if missing) and returns its path.
/// Never overwrites: when the name is taken, `-2`, `-3`, … go before the extension.
pub fn write_new_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, ExportError> {
    let io_err = |path: &Path, source| ExportError::Io {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    for n in 1..=1000 {
        let candidate = if n == 1 {
            dir.join(name)
        } else {
            dir.join(format!("{stem}-{n}.{ext}"))
        };
        // Readable by the user only: an export holds the client list.
        let mut file = match crate::config::private::create_new(&candidate) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_err(&candidate, e)),
        };
        if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
            drop(file);
            // A half-written export is worse than none.
            let _ = std::fs::remove_file(&candidate);
            return Err(io_err(&candidate, e));
        }
        return Ok(candidate);
    }
    Err(io_err(
        &dir.join(name),
        std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "a thousand exports with this name already exist",
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn file_names_carry_the_time_and_the_kind() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T09:05:07Z")
            .expect("time")
            .with_timezone(&Utc);
        assert_eq!(
            file_name(ExportFormat::Ics, CsvKind::Meetings, now),
            "slotline-20261201-090507.ics"
        );
        assert_eq!(
            file_name(ExportFormat::Csv, CsvKind::Meetings, now),
            "slotline-20261201-090507.csv"
        );
        assert_eq!(
            file_name(ExportFormat::Csv, CsvKind::Contacts, now),
            "slotline-contacts-20261201-090507.csv"
        );
        assert_eq!(
            file_name(ExportFormat::Json, CsvKind::Contacts, now),
            "slotline-20261201-090507.json"
        );
    }

    #[test]
    fn ranges_are_whole_utc_days() {
        let r = Range {
            from: NaiveDate::from_ymd_opt(2026, 12, 1),
            to: NaiveDate::from_ymd_opt(2026, 12, 1),
        };
        let (from, to) = r.bounds_ms();
        assert_eq!(to - from, 86_400_000);
        assert_eq!(Range::default().bounds_ms(), (i64::MIN, i64::MAX));
    }
}
