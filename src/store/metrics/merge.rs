//! Merging metric parts: the metrics kind's half of a merge (the protocol, which runs to
//! merge and when, is `area/merge.rs`). Every sample of every input is read; of samples with
//! one series and timestamp, the one from the later input (the later commit) wins.

use super::part::{ChunkScratch, Part, PartWriter};
use super::writer::sort_dedup_last_wins;
use crate::model::{Labels, Sample};
use crate::store::area::MergeOutput;
use crate::store::error::Result;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Merges `inputs` (ascending commit order: later inputs win on equal timestamps) into a new
/// part file at `out`, dropping samples older than `cutoff`.
pub fn merge_into(inputs: &[Arc<Part>], out: &Path, cutoff: Option<i64>) -> Result<MergeOutput> {
    let mut w = PartWriter::create(out)?;
    let mut by_labels: BTreeMap<&Labels, Vec<(usize, u32)>> = BTreeMap::new();
    for (pi, p) in inputs.iter().enumerate() {
        for (si, s) in p.series.iter().enumerate() {
            by_labels
                .entry(&s.labels)
                .or_default()
                .push((pi, si as u32));
        }
    }
    let mut scratch = ChunkScratch::new()?;
    let mut samples: Vec<Sample> = Vec::new();
    let mint = cutoff.unwrap_or(i64::MIN);
    for (labels, sources) in by_labels {
        samples.clear();
        for &(pi, si) in &sources {
            inputs[pi].read_series(si, mint, i64::MAX, &mut scratch, &mut samples)?;
        }
        if sources.len() > 1 {
            sort_dedup_last_wins(&mut samples);
        }
        w.add_series(labels, &samples)?;
    }
    for p in inputs {
        for md in &p.metadata {
            w.add_metadata(md.clone());
        }
    }
    let (series, samples) = (w.series_count() as u64, w.samples());
    let keep = samples > 0 || inputs.iter().any(|p| !p.metadata.is_empty());
    let bytes = w.finish()?;
    Ok(MergeOutput {
        series,
        samples,
        bytes,
        keep,
    })
}
