//! Private by default: folders 0700 and files 0600, whatever the umask. Files are created with
//! their mode and the mode is set again on the open file (a umask can only take bits away, and an
//! unusual one could take the owner's). The sandbox's state file uses it, and so does the app for
//! everything it writes in its data folder.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// A private folder (the data folder and the folders in it).
pub const DIR_MODE: u32 = 0o700;
/// A private file (every file Slotline writes in its data folder).
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` and its missing parents as 0700 (an existing folder is left as it is).
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(DIR_MODE)
            .create(dir)?;
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)?;
    Ok(())
}

/// Takes every access of group and others away from `path` (0644 becomes 0600, 0755 becomes
/// 0700; the owner's bits stay as they are). Answers whether there was any to take; a missing
/// path is not an error.
pub fn tighten(path: &Path) -> io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = match std::fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        // A link is not followed: its target is not necessarily ours.
        let current = meta.permissions().mode() & 0o7777;
        if meta.file_type().is_symlink() || current & 0o077 == 0 {
            return Ok(false);
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(current & !0o077))?;
        Ok(true)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(false)
    }
}

fn private_options(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    options
}

/// The mode again, on the open file: whatever the umask took, and whatever an existing file had.
fn set_private(file: &File) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(FILE_MODE))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// A new file, 0600; fails when `path` exists.
pub fn create_new(path: &Path) -> io::Result<File> {
    let file = private_options(OpenOptions::new().write(true).create_new(true)).open(path)?;
    set_private(&file)?;
    Ok(file)
}

/// Writes `bytes` to `path` (replacing it), 0600.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file =
        private_options(OpenOptions::new().write(true).create(true).truncate(true)).open(path)?;
    set_private(&file)?;
    file.write_all(bytes)
}
