//! The store's error type: every variant names the file or directory involved.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An I/O operation failed; `op` says which ("write", "fsync", "rename", ...).
    #[error("{op} {path}: {source}{hint}", path = .path.display(), hint = io_hint(.source))]
    Io {
        op: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file does not have the structure its format requires.
    #[error("{path}: damaged: {reason}", path = .path.display())]
    Corrupt { path: PathBuf, reason: String },
    /// The caller gave something the store cannot hold.
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

    pub fn corrupt(path: &Path, reason: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }

    /// True when the error is a file that vanished (a part retired by a concurrent merge).
    pub fn is_not_found(&self) -> bool {
        matches!(self, StoreError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;
