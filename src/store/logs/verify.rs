//! Reading a log part to the last byte: what `store check` reports about it (every checksum
//! and invariant of `docs/format/logs-part.md`) and what `store repair` keeps of it when it is
//! damaged (every block that still reads, copied or rewritten in order).

use super::new_decompressor;
use super::part::{BlockRef, LogPart, LogPartWriter, VERSION};
use crate::model::log::sort_dedup_entries;
use crate::model::LogEntry;
use crate::store::area::{LostPiece, MergeOutput, PartHealth};
use crate::store::error::Result;
use std::path::Path;

/// Reads every block of `part` and checks the invariants of the format.
pub(crate) fn inspect(part: &LogPart) -> PartHealth {
    let path = part.path.display();
    let mut health = PartHealth::default();
    let mut dctx = match new_decompressor() {
        Ok(d) => d,
        Err(e) => {
            health.problems.push(e.to_string());
            return health;
        }
    };
    let mut lost_any = false;
    let mut entries = Vec::new();
    for (i, s) in part.streams.iter().enumerate() {
        health.groups += 1;
        if i > 0 && part.streams[i - 1].labels >= s.labels {
            health
                .problems
                .push(format!("{path}: streams out of order at {}", s.labels));
        }
        let mut prev = i64::MIN;
        for b in &s.blocks {
            entries.clear();
            if let Err(e) = part.read_block(b, &mut dctx, &mut entries) {
                health.problems.push(e.to_string());
                health.lost.push(LostPiece {
                    labels: s.labels.clone(),
                    min_t: b.min_t,
                    max_t: b.max_t,
                    count: b.count as u64,
                });
                lost_any = true;
                continue;
            }
            let sorted = entries.windows(2).all(|w| w[0].t <= w[1].t);
            let first = entries.first().map_or(b.min_t, |e| e.t);
            let last = entries.last().map_or(b.max_t, |e| e.t);
            if !sorted || first != b.min_t || last != b.max_t || first < prev {
                health.problems.push(format!(
                    "{path}: block at offset {} of {}: times out of order or not as indexed",
                    b.offset, s.labels
                ));
            }
            prev = last;
            health.items += entries.len() as u64;
        }
    }
    // An unreadable block is reported once, not again as a count mismatch.
    if !lost_any && health.items != part.entries {
        health.problems.push(format!(
            "{path}: {} entries in blocks, footer says {}",
            health.items, part.entries
        ));
    }
    health
}

/// Writes every block of `part` that still reads to a new log part at `out`, streams in
/// label order. A stream's intact blocks are copied byte for byte when the part is in the
/// current format, lists the stream once and its blocks in time order; otherwise its
/// readable entries are sorted, rid of duplicates and written anew.
pub(crate) fn salvage(part: &LogPart, out: &Path) -> Result<MergeOutput> {
    let mut w = LogPartWriter::create(out)?;
    let mut order: Vec<usize> = (0..part.streams.len()).collect();
    order.sort_by(|&a, &b| part.streams[a].labels.cmp(&part.streams[b].labels));
    let mut dctx = new_decompressor()?;
    let mut entries: Vec<LogEntry> = Vec::new();
    let mut i = 0;
    while i < order.len() {
        let labels = &part.streams[order[i]].labels;
        let mut end = i;
        while end < order.len() && part.streams[order[end]].labels == *labels {
            end += 1;
        }
        // Which blocks still read (decoded one at a time, so memory holds one block).
        let mut intact: Vec<(&LogPart, BlockRef)> = Vec::new();
        for &si in &order[i..end] {
            for b in &part.streams[si].blocks {
                entries.clear();
                if part.read_block(b, &mut dctx, &mut entries).is_ok() {
                    intact.push((part, *b));
                }
            }
        }
        let in_order = intact.windows(2).all(|w| w[0].1.max_t <= w[1].1.min_t);
        if part.version == VERSION && end - i == 1 && in_order {
            w.add_stream_blocks(labels, &intact)?;
        } else {
            entries.clear();
            for (_, b) in &intact {
                part.read_block(b, &mut dctx, &mut entries)?;
            }
            sort_dedup_entries(&mut entries);
            w.add_stream(labels, &entries[..])?;
        }
        i = end;
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
