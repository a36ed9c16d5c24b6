//! Private by default: the data folder is the user's alone (0700) and every file Slotline writes
//! in it is readable by the user only (0600), whatever the umask. Files are created with their
//! mode and the mode is set again on the open file (a umask can only take bits away, and an
//! unusual one could take the owner's). SQLite creates `-wal` and `-shm` with its database
//! file's mode, so the database file is created here, 0600, before SQLite opens it.
//!
//! A folder or file left looser by an older version (or made by hand) is tightened when the store
//! opens; [`secure_data_dir`] says which, so the caller can say so once.

pub use calendly_sandbox::private::{
    create_new, create_private_dir, tighten, write, DIR_MODE, FILE_MODE,
};
use std::io;
use std::path::{Path, PathBuf};

/// Names of the files Slotline writes in the data folder start with one of these (the database
/// and its companions, moved-aside copies, exports, the sandbox's state, the daily logs). Other
/// files, should the folder be shared with something else, are left alone.
const OURS: &[&str] = &["slotline", "sandbox-state"];

/// Makes `dir` 0700 (creating it) and tightens every file and folder of Slotline's in it (and
/// in its `logs/`) that others may read. Answers what had to be tightened when it is worth
/// telling: a file others could read. A loose folder whose files were private already (say one
/// made by hand, or by a test harness) exposed no content, and is tightened without a word.
pub fn secure_data_dir(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut tightened = Vec::new();
    let mut loose_file = false;
    create_private_dir(dir)?;
    if tighten(dir)? {
        tightened.push(dir.to_path_buf());
    }
    let logs = dir.join("logs");
    if logs.is_dir() && tighten(&logs)? {
        tightened.push(logs.clone());
    }
    for folder in [dir, logs.as_path()] {
        let Ok(entries) = std::fs::read_dir(folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            if is_file && OURS.iter().any(|p| name.starts_with(p)) {
                let path = entry.path();
                if tighten(&path)? {
                    loose_file = true;
                    tightened.push(path);
                }
            }
        }
    }
    if !loose_file {
        tightened.clear();
    }
    Ok(tightened)
}

/// What to tell the user once when [`secure_data_dir`] had to tighten something.
pub fn tightened_notice(dir: &Path, tightened: &[PathBuf]) -> Option<String> {
    if tightened.is_empty() {
        return None;
    }
    let names: Vec<String> = tightened
        .iter()
        .take(5)
        .map(|p| {
            p.strip_prefix(dir)
                .ok()
                .filter(|r| !r.as_os_str().is_empty())
                .unwrap_or(p)
                .display()
                .to_string()
        })
        .collect();
    let more = tightened.len().saturating_sub(names.len());
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    Some(format!(
        "Slotline's data folder {} could be read by other users of this computer; it and its files are now yours alone (tightened: {}{more})",
        dir.display(),
        names.join(", ")
    ))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
    }

    #[test]
    fn new_files_are_private_and_loose_ones_are_tightened() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("data");
        std::fs::create_dir(&dir).expect("dir");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let db = dir.join("slotline.db");
        std::fs::write(&db, b"x").expect("db");
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let theirs = dir.join("notes.txt");
        std::fs::write(&theirs, b"x").expect("other");
        std::fs::set_permissions(&theirs, std::fs::Permissions::from_mode(0o644)).expect("chmod");

        let tightened = secure_data_dir(&dir).expect("secure");
        assert_eq!(tightened, vec![dir.clone(), db.clone()]);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(&theirs), 0o644, "not Slotline's file: left alone");
        let notice = tightened_notice(&dir, &tightened).expect("a notice");
        assert!(notice.contains("slotline.db"), "{notice}");
        // Once: nothing left to say.
        assert_eq!(secure_data_dir(&dir).expect("again"), Vec::<PathBuf>::new());
        // A loose folder with nothing of ours in it exposed nothing: tightened silently.
        let empty = tmp.path().join("empty");
        std::fs::create_dir(&empty).expect("dir");
        std::fs::set_permissions(&empty, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        assert_eq!(
            secure_data_dir(&empty).expect("secure"),
            Vec::<PathBuf>::new()
        );
        assert_eq!(mode(&empty), 0o700);

        write(&dir.join("sandbox-state.json"), b"{}").expect("write");
        assert_eq!(mode(&dir.join("sandbox-state.json")), 0o600);
        drop(create_new(&dir.join("slotline-1.ics")).expect("create"));
        assert_eq!(mode(&dir.join("slotline-1.ics")), 0o600);
    }
}
