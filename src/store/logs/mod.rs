//! The log half of the store: streams of log entries identified by label sets, kept as
//! immutable log parts in the store's `logs/` area with the same protocol as metrics (see
//! `area.rs` and `docs/design.md`): commits publish one part atomically, merges join runs
//! of parts, retention drops old entries, snapshots are consistent.
//!
//! Only labels are indexed, as in Loki. Lines live in zstd-compressed blocks with their time
//! range and a trigram filter, so that a selective line filter skips blocks that cannot
//! match without decompressing them. Layout: `docs/format/logs-part.md`.

pub mod block;
pub mod part;
pub mod snapshot;
mod verify;
pub mod writer;

pub use part::LogPart;
pub use snapshot::{LogQuery, LogSnapshot};
pub use writer::{LogCommitStats, LogWriter};

use super::area::{Kind, MergeOutput, PartHealth, PartKind, Salvage};
use super::error::Result;
use crate::model::log::sort_dedup_entries;
use crate::model::{Labels, LogEntry};
use part::LogPartWriter;
use std::collections::BTreeMap;
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
        merge_into(inputs, out, cutoff)
    }

    fn inspect(p: &LogPart) -> PartHealth {
        verify::inspect(p)
    }

    fn salvage(p: &LogPart, out: &Path) -> Result<MergeOutput> {
        verify::salvage(p, out)
    }
}

/// Merges log parts (ascending commit order) into a new part at `out`, dropping entries
/// older than `cutoff` (ns). A stream present in several inputs becomes one, its entries in
/// time order with exact duplicates removed.
pub fn merge_into(inputs: &[Arc<LogPart>], out: &Path, cutoff: Option<i64>) -> Result<MergeOutput> {
    let mut w = LogPartWriter::create(out)?;
    let mut by_labels: BTreeMap<&Labels, Vec<(usize, usize)>> = BTreeMap::new();
    for (pi, p) in inputs.iter().enumerate() {
        for (si, s) in p.streams.iter().enumerate() {
            by_labels.entry(&s.labels).or_default().push((pi, si));
        }
    }
    let mut dctx = new_decompressor()?;
    let mut entries: Vec<LogEntry> = Vec::new();
    let mint = cutoff.unwrap_or(i64::MIN);
    for (labels, sources) in by_labels {
        if let Some(blocks) = copyable(inputs, &sources, mint) {
            w.add_stream_blocks(labels, &blocks)?;
            continue;
        }
        entries.clear();
        for &(pi, si) in &sources {
            for b in &inputs[pi].streams[si].blocks {
                if b.max_t >= mint {
                    inputs[pi].read_block(b, &mut dctx, &mut entries)?;
                }
            }
        }
        entries.retain(|e| e.t >= mint);
        sort_dedup_entries(&mut entries);
        w.add_stream(labels, &entries[..])?;
    }
    let (series, samples) = (w.stream_count() as u64, w.entries());
    let bytes = w.finish()?;
    Ok(MergeOutput {
        series,
        samples,
        bytes,
        keep: samples > 0,
    })
}

/// The blocks of one stream's `sources` in time order, when they can be copied into a merged
/// part as they are: every block lies wholly after the cutoff and after the previous block
/// (so no entry needs sorting or deduplication; blocks of one source may share a boundary
/// time, as they were cut from one sorted run), the blocks are at least half full on average
/// (so that merges of many small commits still build full blocks), and they are in the
/// current format (an older part's blocks are rewritten, so a part has one format).
fn copyable<'a>(
    inputs: &'a [Arc<LogPart>],
    sources: &[(usize, usize)],
    mint: i64,
) -> Option<Vec<(&'a LogPart, part::BlockRef)>> {
    let mut blocks: Vec<(usize, &LogPart, part::BlockRef)> = sources
        .iter()
        .enumerate()
        .flat_map(|(src, &(pi, si))| {
            let p: &LogPart = &inputs[pi];
            p.streams[si].blocks.iter().map(move |b| (src, p, *b))
        })
        .collect();
    // Stable, so one source's blocks keep their order when their times are equal.
    blocks.sort_by_key(|(_, _, b)| (b.min_t, b.max_t));
    let ordered = blocks.windows(2).all(|w| {
        let (a, b) = (&w[0], &w[1]);
        a.2.max_t < b.2.min_t || (a.0 == b.0 && a.2.max_t <= b.2.min_t)
    });
    let after_cutoff = blocks.iter().all(|(_, _, b)| b.min_t >= mint);
    let bytes: usize = blocks.iter().map(|(_, _, b)| b.line_bytes as usize).sum();
    let full = bytes >= blocks.len() * block::BLOCK_RAW_BYTES / 2;
    let current = blocks.iter().all(|(_, p, _)| p.version == part::VERSION);
    (ordered && after_cutoff && full && current)
        .then(|| blocks.into_iter().map(|(_, p, b)| (p, b)).collect())
}

pub(crate) fn new_decompressor() -> Result<zstd::bulk::Decompressor<'static>> {
    zstd::bulk::Decompressor::new()
        .map_err(|e| super::StoreError::Invalid(format!("cannot start zstd: {e}")))
}

#[cfg(test)]
mod tests;
