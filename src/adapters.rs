//! The store behind the seams of the other modules: the sink that scraping writes to, the sink
//! that ingestion writes to, the data source the PromQL engine reads, and the storage the
//! PromQL test-script runner loads into (a store in a scratch directory). Each seam is a small
//! trait owned by its module (so those modules test without a store); this file is the one
//! place that connects them to the real thing.

use crate::ingest::SampleSink;
use crate::model::Sample;
use crate::model::{Labels, Matcher, MetricMetadata, Series};
use crate::promql::engine::script::ScriptStorage;
use crate::promql::engine::Queryable;
use crate::scrape::ScrapeSink;
use crate::store::{MetricWriter, Snapshot, Store, StoreError};
use std::path::PathBuf;

impl SampleSink for MetricWriter {
    fn append(&mut self, labels: &Labels, t: i64, v: f64) -> Result<(), String> {
        MetricWriter::append(self, labels, t, v).map_err(|e| e.to_string())
    }

    fn add_metadata(&mut self, md: MetricMetadata) {
        MetricWriter::add_metadata(self, md)
    }
}

impl Queryable for Snapshot {
    fn select(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Result<Vec<Series>, String> {
        Snapshot::select(self, matchers, mint, maxt).map_err(|e| e.to_string())
    }

    fn select_batches(
        &self,
        matchers: &[Matcher],
        mint: i64,
        maxt: i64,
        batch_samples: usize,
        f: &mut dyn FnMut(Vec<Series>) -> Result<(), String>,
    ) -> Result<(), String> {
        Snapshot::select_batches(self, matchers, mint, maxt, batch_samples, f)
    }
}

impl crate::ingest::logs::LogSink for crate::store::logs::LogWriter {
    fn append(
        &mut self,
        labels: &Labels,
        t: i64,
        line: &str,
        metadata: Vec<(String, String)>,
    ) -> Result<(), String> {
        self.append_line(labels, t, line, metadata)
            .map_err(|e| e.to_string())
    }
}

/// A [`Queryable`] that counts the samples its inner source hands out, for query statistics.
pub struct CountingQueryable<'a> {
    inner: &'a dyn Queryable,
    samples: std::cell::Cell<u64>,
}

impl<'a> CountingQueryable<'a> {
    pub fn new(inner: &'a dyn Queryable) -> CountingQueryable<'a> {
        CountingQueryable {
            inner,
            samples: std::cell::Cell::new(0),
        }
    }

    /// Samples handed out so far.
    pub fn samples(&self) -> u64 {
        self.samples.get()
    }

    fn count(&self, series: &[Series]) {
        let n: usize = series.iter().map(|s| s.samples.len()).sum();
        self.samples.set(self.samples.get() + n as u64);
    }
}

impl Queryable for CountingQueryable<'_> {
    fn select(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Result<Vec<Series>, String> {
        let series = self.inner.select(matchers, mint, maxt)?;
        self.count(&series);
        Ok(series)
    }

    fn select_batches(
        &self,
        matchers: &[Matcher],
        mint: i64,
        maxt: i64,
        batch_samples: usize,
        f: &mut dyn FnMut(Vec<Series>) -> Result<(), String>,
    ) -> Result<(), String> {
        self.inner
            .select_batches(matchers, mint, maxt, batch_samples, &mut |batch| {
                self.count(&batch);
                f(batch)
            })
    }
}

/// A scrape sink that writes one store commit per round. The writer is replaced after each
/// commit because a store commit consumes it.
pub struct StoreScrapeSink {
    store: Store,
    writer: Option<MetricWriter>,
    /// Leave merges to the caller (`serve` merges on a thread of its own).
    defer_merge: bool,
}

impl StoreScrapeSink {
    pub fn new(store: Store) -> StoreScrapeSink {
        StoreScrapeSink {
            store,
            writer: None,
            defer_merge: false,
        }
    }

    /// A sink whose commits do not run the due merges (see [`MetricWriter::defer_merge`]).
    pub fn deferring_merges(store: Store) -> StoreScrapeSink {
        StoreScrapeSink {
            defer_merge: true,
            ..StoreScrapeSink::new(store)
        }
    }

    fn writer(&mut self) -> &mut MetricWriter {
        let (store, defer) = (&self.store, self.defer_merge);
        self.writer.get_or_insert_with(|| {
            let mut w = store.writer();
            if defer {
                w.defer_merge();
            }
            w
        })
    }

    /// Commits what was appended since the last commit (nothing to do when nothing was).
    pub fn commit_now(&mut self) -> Result<(), crate::store::StoreError> {
        if let Some(w) = self.writer.take() {
            w.commit()?;
        }
        Ok(())
    }
}

impl ScrapeSink for StoreScrapeSink {
    fn append(&mut self, labels: &Labels, t: i64, v: f64) -> Result<(), String> {
        self.writer()
            .append(labels, t, v)
            .map_err(|e| e.to_string())
    }

    fn add_metadata(&mut self, md: MetricMetadata) {
        self.writer().add_metadata(md)
    }

    fn read_state(&self, name: &str) -> Result<Option<Vec<u8>>, String> {
        self.store.read_state(name).map_err(|e| e.to_string())
    }

    fn write_state(&self, name: &str, data: &[u8]) -> Result<(), String> {
        self.store
            .write_state(name, data)
            .map_err(|e| e.to_string())
    }

    fn commit(&mut self) -> Result<(), String> {
        self.commit_now().map_err(|e| e.to_string())
    }
}

/// A real store in a private scratch directory (by default under the system's temporary
/// directory), removed when dropped: what `argus conformance promql` runs Prometheus' test scripts
/// against, so that the conformance numbers measure the store's reads (part files, merges,
/// staleness markers, duplicates across commits) and not an in-memory stand-in.
///
/// Each `load` block is one commit; `clear` switches to a fresh store in a new
/// subdirectory, which is simpler and cheaper than deleting parts under a live store.
pub struct ScratchStore {
    root: PathBuf,
    generation: u32,
    store: Store,
    snapshot: Snapshot,
}

impl ScratchStore {
    /// Creates the scratch directory (under `base`, else the system's temporary directory)
    /// and an empty store in it.
    pub fn new(base: Option<&std::path::Path>) -> Result<ScratchStore, StoreError> {
        let base = base.map_or_else(std::env::temp_dir, std::path::Path::to_path_buf);
        let pid = std::process::id();
        // Several runners (parallel tests) may share a pid; the counter and the failing
        // create_dir on a taken name keep their directories apart.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let root = loop {
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let candidate = base.join(format!("argus-conformance-{pid}-{n}"));
            match std::fs::create_dir(&candidate) {
                Ok(()) => break candidate,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(StoreError::io("create", &candidate, e)),
            }
        };
        let store = match Store::open(&root.join("0")) {
            Ok(s) => s,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&root);
                return Err(e);
            }
        };
        let snapshot = store.snapshot()?;
        Ok(ScratchStore {
            root,
            generation: 0,
            store,
            snapshot,
        })
    }

    /// The directory of the store currently in use.
    pub fn dir(&self) -> &std::path::Path {
        self.store.dir()
    }
}

impl Drop for ScratchStore {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

impl ScriptStorage for ScratchStore {
    fn load(&mut self, series: Vec<(Labels, Vec<Sample>)>) -> Result<(), String> {
        let mut w = self.store.writer();
        for (labels, samples) in &series {
            for s in samples {
                w.append(labels, s.t, s.v).map_err(|e| e.to_string())?;
            }
        }
        w.commit().map_err(|e| e.to_string())?;
        self.snapshot = self.store.snapshot().map_err(|e| e.to_string())?;
        Ok(())
    }

    fn clear(&mut self) -> Result<(), String> {
        let old = self.store.dir().to_path_buf();
        self.generation += 1;
        let dir = self.root.join(self.generation.to_string());
        let store = Store::open(&dir).map_err(|e| e.to_string())?;
        self.snapshot = store.snapshot().map_err(|e| e.to_string())?;
        self.store = store;
        std::fs::remove_dir_all(&old).map_err(|e| format!("cannot remove {}: {e}", old.display()))
    }

    fn queryable(&self) -> &dyn Queryable {
        &self.snapshot
    }
}

impl crate::logql::script::LogScriptStorage for ScratchStore {
    fn load(&mut self, entries: Vec<(Labels, crate::model::LogEntry)>) -> Result<(), String> {
        let mut w = self.store.log_writer();
        for (labels, entry) in entries {
            w.append(&labels, entry).map_err(|e| e.to_string())?;
        }
        w.commit().map(|_| ()).map_err(|e| e.to_string())
    }

    fn clear(&mut self) -> Result<(), String> {
        ScriptStorage::clear(self)
    }

    fn snapshot(&self) -> Result<crate::store::logs::LogSnapshot, String> {
        self.store.log_snapshot().map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_store_loads_clears_and_cleans_up() {
        let mut s = ScratchStore::new(None).unwrap();
        let root = s.root.clone();
        let m = Labels::from_pairs([("__name__", "m")]);
        s.load(vec![(m.clone(), vec![Sample { t: 0, v: 1.0 }])])
            .unwrap();
        s.load(vec![(m.clone(), vec![Sample { t: 10, v: 2.0 }])])
            .unwrap();
        let got = s
            .queryable()
            .select(&[Matcher::equal("__name__", "m")], 0, 10)
            .unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].samples.len(), 2);
        s.clear().unwrap();
        assert!(s
            .queryable()
            .select(&[Matcher::equal("__name__", "m")], 0, 10)
            .unwrap()
            .is_empty());
        assert!(root.exists());
        drop(s);
        assert!(!root.exists());
    }
}
