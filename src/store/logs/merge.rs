//! Merging log parts: the logs' half of a merge (the protocol, which runs to merge and when,
//! is `area/merge.rs`). A stream present in several inputs becomes one, its entries in time
//! order with exact duplicates removed; blocks that need neither are copied as they are.

use super::part::{self, LogPart, LogPartWriter};
use super::{block, new_decompressor};
use crate::model::log::sort_dedup_entries;
use crate::model::{Labels, LogEntry};
use crate::store::area::MergeOutput;
use crate::store::error::Result;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

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
