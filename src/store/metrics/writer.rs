//! Committing samples: [`MetricWriter`] buffers appends, and `commit` publishes them as one
//! new part, atomically (rename) and durably (fsync of file and directory).
//!
//! Memory stays bounded whatever the input size: past [`SPILL_SAMPLES`] buffered samples the
//! buffer is written as a sorted temporary part in `tmp/` (a *spill*), and `commit` merges the
//! spills into the final part. Nothing in `tmp/` is visible to readers, so a writer that is
//! dropped, fails, or is killed leaves no trace in the data: its temporary files delete
//! themselves ([`TempFile`]), and those of a killed process are removed by the next
//! `Store::open`.
//!
//! The writer is also the store's last line of defence against data it cannot hold: a time
//! outside `model::limits` or an oversized label is refused with [`StoreError::Rejected`],
//! and a writer that refused anything refuses its whole commit, so nothing partial is
//! published even when a caller goes on after the error.

use super::merge::merge_into;
use super::part::{Part, PartWriter};
use super::MetricParts;
use crate::model::limits::check_sample_time;
use crate::model::{Labels, MetricMetadata, Sample};
use crate::store::area::commit::{self, excerpt_labels, oversized_label, Refusals};
use crate::store::error::{Result, StoreError};
use crate::store::fs::TempFile;
use crate::store::Store;
use std::collections::HashMap;
use std::sync::Arc;

/// Buffered samples that trigger a spill (about 16 bytes each plus the per-series maps).
pub const SPILL_SAMPLES: usize = 4_000_000;

/// What a commit wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommitStats {
    pub series: u64,
    pub samples: u64,
    pub bytes: u64,
    /// File name of the published part; `None` when there was nothing to commit.
    pub part: Option<String>,
}

/// One all-or-nothing batch of samples and metadata.
pub struct MetricWriter {
    store: Store,
    /// Buffered series and where each one is in `series`; `last` is the series of the
    /// previous append, checked first because inputs repeat a series many times in a row.
    series: Vec<(Labels, Vec<Sample>)>,
    index: HashMap<Labels, usize>,
    last: Option<usize>,
    buffered: usize,
    spills: Vec<TempFile>,
    metadata: Vec<MetricMetadata>,
    /// What an append refused: the commit is refused too.
    refused: Refusals,
    appended: u64,
    spill_at: usize,
    /// Whether `commit` also runs a due merge (see [`MetricWriter::defer_merge`]).
    merge_after_commit: bool,
}

impl MetricWriter {
    pub(crate) fn new(store: Store) -> MetricWriter {
        MetricWriter {
            store,
            series: Vec::new(),
            index: HashMap::new(),
            last: None,
            buffered: 0,
            spills: Vec::new(),
            metadata: Vec::new(),
            refused: Refusals::default(),
            appended: 0,
            spill_at: SPILL_SAMPLES,
            merge_after_commit: true,
        }
    }

    /// Makes `commit` return as soon as the part is published, leaving merges to the caller
    /// ([`Store::merge_due`]): a server acknowledging pushes must not make a request wait for
    /// a merge of large parts.
    pub fn defer_merge(&mut self) {
        self.merge_after_commit = false;
    }

    /// Buffers one sample. Within one writer, a later sample for the same series and
    /// timestamp replaces an earlier one. A time or label the store cannot hold is refused
    /// ([`StoreError::Rejected`]), and so is the commit of this writer.
    pub fn append(&mut self, labels: &Labels, t: i64, v: f64) -> Result<()> {
        if labels.is_empty() {
            return Err(StoreError::Invalid(
                "a sample needs at least one label".into(),
            ));
        }
        if let Err(e) = check_sample_time(t) {
            let reason = format!("sample {}: {e}", excerpt_labels(labels));
            return Err(self.refused.refuse(reason));
        }
        let slot = match self.last {
            Some(i) if self.series[i].0.ptr_eq(labels) => i,
            _ => match self.index.get(labels) {
                Some(&i) => i,
                None => {
                    // Label sizes are checked once per series, not per sample.
                    if let Some(reason) = oversized_label("series", labels) {
                        return Err(self.refused.refuse(reason));
                    }
                    self.series.push((labels.clone(), Vec::new()));
                    self.index.insert(labels.clone(), self.series.len() - 1);
                    self.series.len() - 1
                }
            },
        };
        self.last = Some(slot);
        self.series[slot].1.push(Sample { t, v });
        self.buffered += 1;
        self.appended += 1;
        if self.buffered >= self.spill_at {
            self.spill()?;
        }
        Ok(())
    }

    /// Spill after `n` buffered samples instead of [`SPILL_SAMPLES`] (tests).
    #[cfg(test)]
    pub(crate) fn set_spill_threshold(&mut self, n: usize) {
        self.spill_at = n;
    }

    pub fn add_metadata(&mut self, md: MetricMetadata) {
        self.metadata.push(md);
    }

    /// Samples appended so far.
    pub fn samples(&self) -> u64 {
        self.appended
    }

    /// Writes the buffer as a sorted part to `tmp/` (not published).
    fn spill(&mut self) -> Result<()> {
        let file = TempFile::new(self.store.tmp_dir(), "spill");
        let path = file.path().to_path_buf();
        self.spills.push(file);
        self.write_buffer(&path)?;
        Ok(())
    }

    fn write_buffer(&mut self, path: &std::path::Path) -> Result<(u64, u64, u64)> {
        let mut w = PartWriter::create(path)?;
        let mut series = std::mem::take(&mut self.series);
        self.index.clear();
        self.last = None;
        series.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (labels, mut samples) in series {
            sort_dedup_last_wins(&mut samples);
            w.add_series(&labels, &samples)?;
        }
        for md in self.metadata.drain(..) {
            w.add_metadata(md);
        }
        self.buffered = 0;
        let (series, samples) = (w.series_count() as u64, w.samples());
        let bytes = w.finish()?;
        Ok((series, samples, bytes))
    }

    /// Publishes everything appended as one new part. When this returns `Ok`, the part is
    /// durable and visible to every process. Committing an empty writer does nothing.
    pub fn commit(mut self) -> Result<CommitStats> {
        self.refused.check()?;
        if self.appended == 0 && self.metadata.is_empty() {
            return Ok(CommitStats::default());
        }
        self.store.ensure_writable()?;
        let tmp = TempFile::new(self.store.tmp_dir(), "part");
        let (series, samples, bytes) = if self.spills.is_empty() {
            self.write_buffer(tmp.path())?
        } else {
            self.spill()?;
            let mut inputs = Vec::with_capacity(self.spills.len());
            for p in &self.spills {
                inputs.push(Arc::new(Part::open(p.path(), 0, 0)?));
            }
            let r = merge_into(&inputs, tmp.path(), None)?;
            (r.series, r.samples, r.bytes)
        };
        let store = &self.store;
        let name =
            commit::publish::<MetricParts>(store, store.metrics(), tmp, self.merge_after_commit)?;
        Ok(CommitStats {
            series,
            samples,
            bytes,
            part: Some(name),
        })
    }
}

/// Sorts by time; of several samples with one timestamp the last appended stays.
pub(crate) fn sort_dedup_last_wins(samples: &mut Vec<Sample>) {
    if samples.windows(2).all(|w| w[0].t < w[1].t) {
        return;
    }
    samples.sort_by_key(|s| s.t); // stable: equal timestamps keep append order
    let mut out: Vec<Sample> = Vec::with_capacity(samples.len());
    for s in samples.drain(..) {
        match out.last_mut() {
            Some(last) if last.t == s.t => *last = s,
            _ => out.push(s),
        }
    }
    *samples = out;
}
