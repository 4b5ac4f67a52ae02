//! The store behind the seams of the other modules: the sink that scraping writes to, the sink
//! that ingestion writes to, and the data source the PromQL engine reads. Each seam is a small
//! trait owned by its module (so those modules test without a store); this file is the one
//! place that connects them to the real thing.

use crate::ingest::SampleSink;
use crate::model::{Labels, Matcher, MetricMetadata, Series};
use crate::promql::engine::Queryable;
use crate::scrape::ScrapeSink;
use crate::store::{MetricWriter, Snapshot, Store};

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
}

/// A scrape sink that writes one store commit per round. The writer is replaced after each
/// commit because a store commit consumes it.
pub struct StoreScrapeSink {
    store: Store,
    writer: Option<MetricWriter>,
}

impl StoreScrapeSink {
    pub fn new(store: Store) -> StoreScrapeSink {
        StoreScrapeSink {
            store,
            writer: None,
        }
    }

    fn writer(&mut self) -> &mut MetricWriter {
        let store = &self.store;
        self.writer.get_or_insert_with(|| store.writer())
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
