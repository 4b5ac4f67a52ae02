//! The log half of the store: streams of log entries identified by label sets, kept as
//! immutable log parts in the store's `logs/` area with the same protocol as metrics (see
//! `area/` and `docs/design.md`): commits publish one part atomically, merges join runs
//! of parts, retention drops old entries, snapshots are consistent.
//!
//! Only labels are indexed, as in Loki. Lines live in zstd-compressed blocks with their time
//! range and a trigram filter, so that a selective line filter skips blocks that cannot
//! match without decompressing them. Layout: `docs/format/logs-part.md`.

pub mod block;
mod merge;
pub mod part;
pub mod snapshot;
mod verify;
pub mod writer;

pub use part::LogPart;
pub use snapshot::{LogQuery, LogSnapshot};
pub use writer::{LogCommitStats, LogWriter};

use super::area::{Kind, MergeOutput, PartHealth, PartKind, Salvage};
use super::error::Result;
use std::path::Path;
use std::sync::Arc;

/// The log part format, as the shared protocol sees it.
pub(crate) struct LogParts;

impl PartKind for LogParts {
    type Part = LogPart;
    const KIND: Kind = Kind::Logs;

    fn open(path: &Path, seq_lo: u64, seq_hi: u64) -> Result<LogPart> {
        LogPart::open(path, seq_lo, seq_hi)
    }

    fn open_damaged(path: &Path, seq_lo: u64, seq_hi: u64) -> Result<Salvage<LogPart>> {
        LogPart::open_damaged(path, seq_lo, seq_hi)
    }

    fn time_range(p: &LogPart) -> Option<(i64, i64)> {
        (p.entries > 0).then_some((p.min_t, p.max_t))
    }

    fn size(p: &LogPart) -> (u64, u64) {
        (p.entries, p.file_size)
    }

    fn merge(inputs: &[Arc<LogPart>], out: &Path, cutoff: Option<i64>) -> Result<MergeOutput> {
        merge::merge_into(inputs, out, cutoff)
    }

    fn inspect(p: &LogPart) -> PartHealth {
        verify::inspect(p)
    }

    fn salvage(p: &LogPart, out: &Path) -> Result<MergeOutput> {
        verify::salvage(p, out)
    }
}

pub(crate) fn new_decompressor() -> Result<zstd::bulk::Decompressor<'static>> {
    zstd::bulk::Decompressor::new()
        .map_err(|e| super::StoreError::Invalid(format!("cannot start zstd: {e}")))
}

#[cfg(test)]
mod tests;
