//! Files beside the database that only this user may read: lock files and small records the
//! processes of one installation share (created 0600 whatever the umask).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

fn options() -> OpenOptions {
    let mut o = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o
}

/// Opens (creating it when missing) a lock file; lock it with [`File::lock`], which every
/// process of the installation contends for. Its content is never read.
pub fn open_lock(path: &Path) -> std::io::Result<File> {
    options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

/// Replaces `path` with `bytes`: written to a temporary file beside it, then renamed, so a
/// reader sees the old content or the new one, never half of one.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}
