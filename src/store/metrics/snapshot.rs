//! Reading: a [`Snapshot`] is the set of live parts at the moment it was opened, memory-mapped.
//! It never changes afterwards, whatever other processes commit or merge, because parts are
//! immutable and an open mapping keeps a deleted file's data alive. Series present in several
//! parts are merged on the fly; of samples with equal timestamps, the newest commit wins.

use super::part::{ChunkScratch, Part};
use super::writer::sort_dedup_last_wins;
use super::MetricParts;
use crate::model::{Labels, Matcher, MetricMetadata, Series};
use crate::store::error::{Result, StoreError};
use crate::store::Store;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A consistent read view of the store.
pub struct Snapshot {
    /// Ascending commit order: later parts win.
    parts: Vec<Arc<Part>>,
}

/// Where the data of one series lives: (part index, series index in that part).
type Sources = Vec<(usize, u32)>;

impl Snapshot {
    pub(crate) fn open(store: &Store) -> Result<Snapshot> {
        // Listed and opened under parts.lock, so that a merge cannot swap its output for its
        // inputs half-way through the directory listing.
        let parts = store.metrics().open_live_parts::<MetricParts>()?;
        Ok(Snapshot { parts })
    }

    /// The parts of this snapshot, oldest commit first.
    pub fn parts(&self) -> &[Arc<Part>] {
        &self.parts
    }

    /// The matching series and where their data lives, sorted by labels.
    fn locate(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Vec<(Labels, Sources)> {
        let mut found: BTreeMap<&Labels, Sources> = BTreeMap::new();
        for (pi, p) in self.parts.iter().enumerate() {
            if p.samples > 0 && (p.max_t < mint || p.min_t > maxt) {
                continue;
            }
            for si in p.matching_series(matchers) {
                let s = &p.series[si as usize];
                if s.chunks.iter().any(|c| c.max_t >= mint && c.min_t <= maxt) {
                    found.entry(&s.labels).or_default().push((pi, si));
                }
            }
        }
        found.into_iter().map(|(l, s)| (l.clone(), s)).collect()
    }

    fn read(
        &self,
        labels: Labels,
        sources: &Sources,
        mint: i64,
        maxt: i64,
        scratch: &mut ChunkScratch,
    ) -> Result<Series> {
        let mut samples = Vec::with_capacity(self.estimate_samples(sources, mint, maxt));
        for &(pi, si) in sources {
            self.parts[pi].read_series(si, mint, maxt, scratch, &mut samples)?;
        }
        if sources.len() > 1 {
            sort_dedup_last_wins(&mut samples);
        }
        Ok(Series { labels, samples })
    }

    /// Series matching all matchers with their samples in `[mint, maxt]`, sorted by labels.
    /// Series without samples in the range are left out.
    pub fn select(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Result<Vec<Series>> {
        let located = self.locate(matchers, mint, maxt);
        self.decode(located, mint, maxt)
    }

    /// Like [`Snapshot::select`], handing the series to `f` in batches of about
    /// `batch_samples` samples (by the chunk index's counts), in label order. A query engine
    /// that reduces each series on its own (a range function, an instant selector) then
    /// holds two batches of raw samples instead of the whole selection, and the freed
    /// buffers of one batch serve a later one instead of fresh pages from the kernel.
    ///
    /// With more than one batch, other threads decode the next batches while `f` works on
    /// the current one. `f` may stop the selection with an error of its own type `E` (the
    /// caller's, such as a query engine's limit), which the store's errors convert into.
    pub fn select_batches<E: From<StoreError>>(
        &self,
        matchers: &[Matcher],
        mint: i64,
        maxt: i64,
        batch_samples: usize,
        f: &mut dyn FnMut(Vec<Series>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut batches = Vec::new();
        let mut rest = self.locate(matchers, mint, maxt);
        while !rest.is_empty() {
            let mut n = 0;
            let mut budget = 0usize;
            while n < rest.len() && (n == 0 || budget < batch_samples) {
                budget += self.estimate_samples(&rest[n].1, mint, maxt);
                n += 1;
            }
            let tail = rest.split_off(n);
            batches.push(rest);
            rest = tail;
        }
        if batches.len() < 2 {
            let series = match batches.pop() {
                Some(b) => self.decode(b, mint, maxt)?,
                None => Vec::new(),
            };
            return if series.is_empty() { Ok(()) } else { f(series) };
        }
        // Decoding threads take batches in turns (thread k: batches k, k+D, ...), each at
        // most one batch ahead; reading their channels in the same turns restores order.
        let decoders = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 4)
            .min(batches.len());
        let mut shares: Vec<Vec<Vec<(Labels, Sources)>>> = vec![Vec::new(); decoders];
        let count = batches.len();
        for (i, b) in batches.into_iter().enumerate() {
            shares[i % decoders].push(b);
        }
        std::thread::scope(|scope| {
            let mut receivers = Vec::new();
            for share in shares {
                let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<Series>>>(1);
                receivers.push(rx);
                scope.spawn(move || {
                    for b in share {
                        let r = self.read_all(b, mint, maxt);
                        let failed = r.is_err();
                        // A closed channel means `f` failed and nobody wants the rest.
                        if tx.send(r).is_err() || failed {
                            return;
                        }
                    }
                });
            }
            for i in 0..count {
                let Ok(r) = receivers[i % decoders].recv() else {
                    // The thread stopped early, which it does only after sending an error.
                    break;
                };
                let series = r?;
                if !series.is_empty() {
                    f(series)?;
                }
            }
            Ok(())
        })
    }

    /// Samples of the chunks that overlap `[mint, maxt]`: an upper bound of what decoding
    /// `sources` yields.
    fn estimate_samples(&self, sources: &Sources, mint: i64, maxt: i64) -> usize {
        sources
            .iter()
            .flat_map(|&(pi, si)| &self.parts[pi].series[si as usize].chunks)
            .filter(|c| c.max_t >= mint && c.min_t <= maxt)
            .map(|c| c.count as usize)
            .sum()
    }

    /// Decodes located series, spread over the machine's cores when there is enough work: a
    /// day of a few hundred series is millions of samples, and decoding is the bulk of a
    /// query.
    fn decode(&self, located: Vec<(Labels, Sources)>, mint: i64, maxt: i64) -> Result<Vec<Series>> {
        let chunks: usize = located.iter().map(|(_, src)| src.len()).sum();
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(8);
        if threads < 2 || located.len() < 2 * threads || chunks < 64 {
            return self.read_all(located, mint, maxt);
        }
        let per = located.len().div_ceil(threads);
        let mut groups: Vec<Vec<(Labels, Sources)>> = Vec::new();
        let mut rest = located;
        while rest.len() > per {
            let tail = rest.split_off(per);
            groups.push(rest);
            rest = tail;
        }
        groups.push(rest);
        let results: Vec<Result<Vec<Series>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = groups
                .into_iter()
                .map(|g| scope.spawn(move || self.read_all(g, mint, maxt)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(crate::store::StoreError::Invalid(
                            "a decoding thread panicked".into(),
                        ))
                    })
                })
                .collect()
        });
        let mut out = Vec::new();
        for r in results {
            out.extend(r?);
        }
        Ok(out)
    }

    fn read_all(
        &self,
        located: Vec<(Labels, Sources)>,
        mint: i64,
        maxt: i64,
    ) -> Result<Vec<Series>> {
        let mut scratch = ChunkScratch::new()?;
        let mut out = Vec::with_capacity(located.len());
        for (labels, sources) in located {
            let s = self.read(labels, &sources, mint, maxt, &mut scratch)?;
            if !s.samples.is_empty() {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// Like [`Snapshot::select`], decoding one series at a time: memory holds the list of
    /// matching series (labels only) and one series' samples.
    pub fn select_iter<'a>(
        &'a self,
        matchers: &[Matcher],
        mint: i64,
        maxt: i64,
    ) -> Result<impl Iterator<Item = Result<Series>> + 'a> {
        let located = self.locate(matchers, mint, maxt);
        let mut scratch = ChunkScratch::new()?;
        Ok(located
            .into_iter()
            .map(move |(labels, sources)| self.read(labels, &sources, mint, maxt, &mut scratch))
            .filter(|r| r.as_ref().map(|s| !s.samples.is_empty()).unwrap_or(true)))
    }

    /// Label sets of the matching series that have samples in the range.
    pub fn series(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Result<Vec<Labels>> {
        Ok(self
            .locate(matchers, mint, maxt)
            .into_iter()
            .map(|(l, _)| l)
            .collect())
    }

    /// Label names used by the matching series, sorted.
    pub fn label_names(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Result<Vec<String>> {
        let mut names = BTreeSet::new();
        for l in self.series(matchers, mint, maxt)? {
            for (k, _) in l.iter() {
                names.insert(k.to_string());
            }
        }
        Ok(names.into_iter().collect())
    }

    /// Values of label `name` among the matching series, sorted.
    pub fn label_values(
        &self,
        name: &str,
        matchers: &[Matcher],
        mint: i64,
        maxt: i64,
    ) -> Result<Vec<String>> {
        let mut values = BTreeSet::new();
        for l in self.series(matchers, mint, maxt)? {
            if let Some(v) = l.get(name) {
                values.insert(v.to_string());
            }
        }
        Ok(values.into_iter().collect())
    }

    /// HELP/TYPE/UNIT per metric; the newest commit's wins.
    pub fn metadata(&self) -> Result<Vec<MetricMetadata>> {
        let mut by_name: BTreeMap<&str, &MetricMetadata> = BTreeMap::new();
        for p in &self.parts {
            for m in &p.metadata {
                by_name.insert(&m.metric, m);
            }
        }
        Ok(by_name.into_values().cloned().collect())
    }
}
