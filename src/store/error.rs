//! The store's error type: every variant names the file, directory or data involved.
//!
//! Damage is also remembered here: every [`StoreError::Damaged`] made in this process records
//! its file in a small list ([`damaged_files_met`]). Readers hand store errors to the query
//! engines through seams that carry only a message (`Queryable` returns `Result<_, String>`),
//! so the command line, which must answer damage with its own exit code, recognises a failure
//! caused by damage by the damaged file's path in the message. When the seams carry typed
//! errors this list can go.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An I/O operation failed; `op` says which ("write", "fsync", "rename", ...).
    #[error("{op} {path}: {source}{hint}", path = .path.display(), hint = io_hint(.source))]
    Io {
        op: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file does not have the structure its format requires: disk damage, a truncated
    /// copy, a person's edit. `argus store repair` sets such files aside.
    #[error("{path}: damaged: {reason}", path = .path.display())]
    Damaged { path: PathBuf, reason: String },
    /// The path given as a store is not one (missing, not a directory, no `FORMAT`), and the
    /// command only reads, so it does not make one.
    #[error(
        "no argus store at {path}: {reason}; a store is made by the commands that write to it \
         (argus scrape, argus ingest, argus serve): check --store or ARGUS_STORE",
        path = .path.display()
    )]
    NotAStore { path: PathBuf, reason: String },
    /// Data the store cannot hold (a time out of range, an oversized label): the whole
    /// commit is refused and nothing of it is published.
    #[error("{0}")]
    Rejected(String),
    /// The caller asked for something the store cannot do (a bad state file name, a write
    /// through a store opened for reading, a foreign directory).
    #[error("{0}")]
    Invalid(String),
}

/// A sentence added to I/O errors whose cause has a clear remedy.
fn io_hint(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::StorageFull => {
            " (the disk is full: free space or move the store with --store; nothing already stored was changed)"
        }
        std::io::ErrorKind::PermissionDenied => " (check the store directory's permissions)",
        std::io::ErrorKind::ReadOnlyFilesystem => {
            " (the store is on a read-only file system: only reading commands can use it)"
        }
        _ => "",
    }
}

/// The damaged files met by this process, at most [`DAMAGED_KEPT`].
static DAMAGED_MET: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
const DAMAGED_KEPT: usize = 64;

impl StoreError {
    pub fn io(op: &'static str, path: &Path, source: std::io::Error) -> StoreError {
        StoreError::Io {
            op,
            path: path.to_path_buf(),
            source,
        }
    }

    /// A damaged file; remembered for [`damaged_files_met`].
    pub fn damaged(path: &Path, reason: impl Into<String>) -> StoreError {
        // A poisoned lock only means another thread panicked while pushing; the list is
        // still usable.
        let mut met = DAMAGED_MET.lock().unwrap_or_else(|p| p.into_inner());
        if met.len() < DAMAGED_KEPT && !met.iter().any(|p| p == path) {
            met.push(path.to_path_buf());
        }
        StoreError::Damaged {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }

    /// True when the error is a file that vanished (a part retired by a concurrent merge).
    pub fn is_not_found(&self) -> bool {
        matches!(self, StoreError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }

    /// True when the error is damage to a file of the store.
    pub fn is_damage(&self) -> bool {
        matches!(self, StoreError::Damaged { .. })
    }
}

/// The damaged files this process has met, in the order it met them.
pub fn damaged_files_met() -> Vec<PathBuf> {
    DAMAGED_MET
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

/// True when `message` (an error as text, perhaps passed through a query engine) names a
/// damaged file this process met: the failure it reports was caused by damage.
pub fn mentions_damage(message: &str) -> bool {
    damaged_files_met()
        .iter()
        .any(|p| message.contains(&*p.to_string_lossy()))
}

pub type Result<T> = std::result::Result<T, StoreError>;
