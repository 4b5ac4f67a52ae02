//! An in-memory [`Queryable`]: the test seam of the engine (its unit tests, and the
//! promqltest scripts those tests run through `conformance::promql_script`). The conformance
//! command itself runs the scripts against a real store in a scratch directory.
//!
//! It keeps whole series in a sorted map and answers `select` by scanning them; it is meant
//! for tests and small data, not for speed. Staleness markers are stored as ordinary values,
//! as the real store keeps them.

use super::{EvalError, Queryable};
use crate::model::matcher::matches_all;
use crate::model::{Labels, Matcher, Sample, Series};
use crate::store::StoreError;
use std::collections::BTreeMap;

/// Series kept in memory, sorted by labels.
#[derive(Clone, Debug, Default)]
pub struct MemoryStorage {
    series: BTreeMap<Labels, Vec<Sample>>,
}

impl MemoryStorage {
    pub fn new() -> MemoryStorage {
        MemoryStorage::default()
    }

    /// Builds a store from `(labels, samples)` pairs; see [`MemoryStorage::add`].
    pub fn from_series(series: impl IntoIterator<Item = (Labels, Vec<Sample>)>) -> MemoryStorage {
        let mut m = MemoryStorage::new();
        for (l, s) in series {
            m.add(l, s);
        }
        m
    }

    /// Adds samples to a series. Samples are merged by timestamp; a later sample with the same
    /// timestamp replaces the earlier one.
    pub fn add(&mut self, labels: Labels, samples: Vec<Sample>) {
        let e = self.series.entry(labels).or_default();
        e.extend(samples);
        // A stable sort keeps insertion order among equal timestamps, so "last wins" below.
        e.sort_by_key(|s| s.t);
        let mut out: Vec<Sample> = Vec::with_capacity(e.len());
        for s in e.drain(..) {
            match out.last_mut() {
                Some(last) if last.t == s.t => *last = s,
                _ => out.push(s),
            }
        }
        *e = out;
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        self.series.clear();
    }

    pub fn len(&self) -> usize {
        self.series.len()
    }

    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }
}

impl Queryable for MemoryStorage {
    fn select(
        &self,
        matchers: &[Matcher],
        mint: i64,
        maxt: i64,
    ) -> Result<Vec<Series>, StoreError> {
        let mut out = Vec::new();
        for (labels, samples) in &self.series {
            if !matches_all(matchers, labels) {
                continue;
            }
            let lo = samples.partition_point(|s| s.t < mint);
            let hi = samples.partition_point(|s| s.t <= maxt);
            if lo < hi {
                out.push(Series {
                    labels: labels.clone(),
                    samples: samples[lo..hi].to_vec(),
                });
            }
        }
        Ok(out)
    }

    /// Batches as the store makes them (about `batch_samples` samples each), so that the
    /// engine's batch-by-batch paths are exercised by the engine's own tests too.
    fn select_batches(
        &self,
        matchers: &[Matcher],
        mint: i64,
        maxt: i64,
        batch_samples: usize,
        f: &mut dyn FnMut(Vec<Series>) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        let mut batch = Vec::new();
        let mut held = 0;
        for s in self.select(matchers, mint, maxt)? {
            held += s.samples.len();
            batch.push(s);
            if held >= batch_samples {
                f(std::mem::take(&mut batch))?;
                held = 0;
            }
        }
        if !batch.is_empty() {
            f(batch)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_filters_by_matchers_and_time() {
        let m = MemoryStorage::from_series([
            (
                Labels::from_pairs([("__name__", "a"), ("x", "1")]),
                vec![Sample { t: 0, v: 1.0 }, Sample { t: 10, v: 2.0 }],
            ),
            (
                Labels::from_pairs([("__name__", "b")]),
                vec![Sample { t: 5, v: 1.0 }],
            ),
        ]);
        let r = m.select(&[Matcher::equal("__name__", "a")], 1, 10).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].samples, vec![Sample { t: 10, v: 2.0 }]);
        assert!(m
            .select(&[Matcher::equal("__name__", "b")], 6, 9)
            .unwrap()
            .is_empty());
    }
}
