//! The optional state file, so the app's in-process sandbox keeps its bookings, subscriptions and
//! issued tokens across restarts. Written atomically (temp file + rename) so a crash mid-write
//! never leaves a truncated file behind, and readable by the user only (it holds bookings and
//! issued tokens).

use crate::error::SandboxError;
use crate::private;
use crate::world::World;
use std::path::Path;

pub fn load(path: &Path) -> Result<World, SandboxError> {
    let bytes = std::fs::read(path).map_err(|source| SandboxError::StateFile {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|source| SandboxError::StateFormat {
        path: path.to_path_buf(),
        source,
    })
}

pub fn save(path: &Path, world: &World) -> Result<(), SandboxError> {
    let io = |source| SandboxError::StateFile {
        path: path.to_path_buf(),
        source,
    };
    let bytes = serde_json::to_vec(world).map_err(|source| SandboxError::StateFormat {
        path: path.to_path_buf(),
        source,
    })?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        private::create_private_dir(dir).map_err(io)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    private::write(&tmp, &bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}
