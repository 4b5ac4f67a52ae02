//! The store behind the seams of the other modules: the sink that scraping writes to, the sinks
//! that ingestion writes metrics and logs to, and the data source the PromQL engine reads.
//! Each seam is a small trait owned by its module (so those modules test without a store); this
//! file is the one place that connects them to the real thing. (The conformance harness's
//! scratch stores plug into its own script runners, in `conformance::scratch`.)

use crate::ingest::SampleSink;
use crate::model::{Labels, Matcher, MetricMetadata, Series};
use crate::promql::engine::{EvalError, Queryable};
use crate::scrape::ScrapeSink;
use crate::store::{MetricWriter, Snapshot, Store, StoreError};

impl SampleSink for MetricWriter {
    fn append(&mut self, labels: &Labels, t: i64, v: f64) -> Result<(), StoreError> {
        MetricWriter::append(self, labels, t, v)
    }

    fn add_metadata(&mut self, md: MetricMetadata) {
        MetricWriter::add_metadata(self, md)
    }
}

impl Queryable for Snapshot {
    fn select(
        &self,
        matchers: &[Matcher],
        mint: i64,
        maxt: i64,
    ) -> Result<Vec<Series>, StoreError> {
        Snapshot::select(self, matchers, mint, maxt)
    }

    fn select_batches(
        &self,
        matchers: &[Matcher],
        mint: i64,
        maxt: i64,
        batch_samples: usize,
        f: &mut dyn FnMut(Vec<Series>) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
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
    ) -> Result<(), StoreError> {
        self.append_line(labels, t, line, metadata)
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
    fn select(
        &self,
        matchers: &[Matcher],
        mint: i64,
        maxt: i64,
    ) -> Result<Vec<Series>, StoreError> {
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
        f: &mut dyn FnMut(Vec<Series>) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
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
    pub fn commit_now(&mut self) -> Result<(), StoreError> {
        if let Some(w) = self.writer.take() {
            w.commit()?;
        }
        Ok(())
    }
}

impl ScrapeSink for StoreScrapeSink {
    fn append(&mut self, labels: &Labels, t: i64, v: f64) -> Result<(), StoreError> {
        self.writer().append(labels, t, v)
    }

    fn add_metadata(&mut self, md: MetricMetadata) {
        self.writer().add_metadata(md)
    }

    fn read_state(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.store.read_state(name)
    }

    fn write_state(&self, name: &str, data: &[u8]) -> Result<(), StoreError> {
        self.store.write_state(name, data)
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        self.commit_now()
    }
}
