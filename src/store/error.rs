//! The store's error type: every variant names the file, directory or data involved.
//!
//! It travels typed through every seam that reads or writes the store (the PromQL engine's
//! data source, the ingestion and scrape sinks, the LogQL evaluators), so that the command
//! line (`cli::exit`) and the HTTP server (`http::errors`) tell damage, refused data and I/O
//! failures apart by variant, not by reading messages.

use std::path::{Path, PathBuf};

/// What to do about damage: the command line and the HTTP server add it to every error that
/// reports damage.
pub const DAMAGE_ADVICE: &str = "the store is damaged: `argus store check` lists the damage, \
`argus store repair` sets the damaged parts aside and keeps everything that still reads";

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

impl StoreError {
    pub fn io(op: &'static str, path: &Path, source: std::io::Error) -> StoreError {
        StoreError::Io {
            op,
            path: path.to_path_buf(),
            source,
        }
    }

    /// A damaged file.
    pub fn damaged(path: &Path, reason: impl Into<String>) -> StoreError {
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

    /// True when the store refused data it cannot hold (a time out of range, an oversized
    /// label), as opposed to failing itself: the caller's input is at fault.
    pub fn is_refusal(&self) -> bool {
        matches!(self, StoreError::Rejected(_))
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;
