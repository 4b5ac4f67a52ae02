//! Reading a metric part to the last byte: what `store check` reports about it (every
//! checksum and invariant of `docs/format/metrics-part.md`) and what `store repair` keeps of it
//! when it is damaged (every chunk that still reads, rewritten in order).

use super::part::{ChunkScratch, Part, PartWriter};
use super::writer::sort_dedup_last_wins;
use crate::model::Sample;
use crate::store::area::{LostPiece, MergeOutput, PartHealth};
use crate::store::error::Result;
use std::path::Path;

/// Reads every chunk of `part` and checks the invariants of the format.
pub(crate) fn inspect(part: &Part) -> PartHealth {
    let path = part.path.display();
    let mut health = PartHealth::default();
    let mut scratch = match ChunkScratch::new() {
        Ok(s) => s,
        Err(e) => {
            health.problems.push(e.to_string());
            return health;
        }
    };
    let mut samples: Vec<Sample> = Vec::new();
    let mut lost_any = false;
    for (i, s) in part.series.iter().enumerate() {
        health.groups += 1;
        if i > 0 && part.series[i - 1].labels >= s.labels {
            health
                .problems
                .push(format!("{path}: series {} is out of order", s.labels));
        }
        if s.chunks.is_empty() {
            health
                .problems
                .push(format!("{path}: series {} has no chunks", s.labels));
        }
        let mut last_t = i64::MIN;
        for c in &s.chunks {
            samples.clear();
            if let Err(e) = part.read_chunk(c, &mut scratch, &mut samples) {
                health.problems.push(e.to_string());
                health.lost.push(LostPiece {
                    labels: s.labels.clone(),
                    min_t: c.min_t,
                    max_t: c.max_t,
                    count: c.count as u64,
                });
                lost_any = true;
                continue;
            }
            let (first, last) = (samples[0].t, samples[samples.len() - 1].t);
            if first != c.min_t || last != c.max_t {
                health.problems.push(format!(
                    "{path}: series {}: chunk at offset {} covers {first}..{last}, index says {}..{}",
                    s.labels, c.offset, c.min_t, c.max_t
                ));
            }
            for smp in &samples {
                if smp.t <= last_t {
                    health.problems.push(format!(
                        "{path}: series {}: timestamps not increasing at {}",
                        s.labels, smp.t
                    ));
                    break;
                }
                last_t = smp.t;
            }
            health.items += samples.len() as u64;
        }
    }
    // An unreadable chunk is reported once, not again as a count mismatch.
    if !lost_any && health.items != part.samples {
        health.problems.push(format!(
            "{path}: holds {} samples, footer says {}",
            health.items, part.samples
        ));
    }
    health
}

/// Writes every chunk of `part` that still reads to a new part at `out`: series in label
/// order (series the index lists twice or out of order are joined), samples sorted by time
/// with one per timestamp (the later chunk wins, as in a merge), metadata kept.
pub(crate) fn salvage(part: &Part, out: &Path) -> Result<MergeOutput> {
    let mut w = PartWriter::create(out)?;
    let mut order: Vec<usize> = (0..part.series.len()).collect();
    order.sort_by(|&a, &b| part.series[a].labels.cmp(&part.series[b].labels));
    let mut scratch = ChunkScratch::new()?;
    let mut samples: Vec<Sample> = Vec::new();
    let mut i = 0;
    while i < order.len() {
        let labels = &part.series[order[i]].labels;
        samples.clear();
        while i < order.len() && part.series[order[i]].labels == *labels {
            for c in &part.series[order[i]].chunks {
                let from = samples.len();
                if part.read_chunk(c, &mut scratch, &mut samples).is_err() {
                    // A chunk that decodes part-way leaves nothing behind.
                    samples.truncate(from);
                }
            }
            i += 1;
        }
        sort_dedup_last_wins(&mut samples);
        w.add_series(labels, &samples)?;
    }
    for md in &part.metadata {
        w.add_metadata(md.clone());
    }
    let (series, samples) = (w.series_count() as u64, w.samples());
    let keep = samples > 0 || !part.metadata.is_empty();
    let bytes = w.finish()?;
    Ok(MergeOutput {
        series,
        samples,
        bytes,
        keep,
    })
}
