//! Scraping: pulling `/metrics` from targets the way Prometheus does, and handing the samples
//! to a sink (the store, or memory in tests).
//!
//! Layers, one per file:
//! - [`config`]: the `scrape_configs` part of a `prometheus.yml`, with Prometheus' defaults and
//!   validation errors (file:line:column where the YAML parser knows it); [`config_keys`]:
//!   the keys argus reads, place by place, and the errors for every other key (unknown keys
//!   with a "did you mean", Prometheus features argus does not have refused by name).
//! - [`relabel`]: relabeling rules (`relabel_configs`, `metric_relabel_configs`), every standard
//!   action, pure functions over label sets.
//! - [`target`]: from a job's static targets to the final target label set and scrape URL
//!   (`__address__`, `__scheme__`, `__metrics_path__`, `__param_*`, `job`, `instance`), and bare
//!   command-line URLs as targets.
//! - [`file_sd`]: `file_sd_configs`, target groups in JSON and YAML files found by globs;
//!   [`discovery`]: the targets in force, static and discovered, re-resolved when files change.
//! - [`host`]: this machine's basic metrics from `/proc` and `/sys`, under node_exporter's
//!   names (what `argus scrape` collects when given no target).
//! - [`parse`]: a response body and its Content-Type to samples and metadata.
//! - [`append`]: one scrape's result to the samples to store: target labels with `honor_labels`,
//!   `honor_timestamps`, metric relabeling, the synthetic series (`up`, ...), staleness markers.
//!   Pure and synchronous.
//! - [`state`]: the per-target set of series last seen, persisted between one-shot runs so that
//!   staleness markers also work for cron.
//! - [`http`]: the HTTP request of one scrape (headers, auth, timeout, body limit).
//! - [`run`]: many targets concurrently, one round (`scrape_once`) or a loop until shutdown
//!   (`run_loop`, which follows a [`Discovery`]).
//!
//! Use from the command line layer:
//! ```ignore
//! let (cfg, warnings) = scrape::load_config(path)?;          // or targets_from_urls(...)
//! for w in &warnings { eprintln!("warning: {w}"); }
//! let mut targets = scrape::Discovery::from_config(cfg);
//! let update = targets.refresh(Instant::now());               // reads the target files
//! let report = scrape::scrape_once(targets.jobs(), &mut sink, now_ms(), &Default::default()).await;
//! sink.commit()?;                                            // one commit per one-shot run
//! for f in report.failures() { eprintln!("{f}"); }
//! // or: scrape::run_loop(&mut targets, &mut sink, &opts, now_ms, ctrl_c, |r| ...).await
//! ```
//!
//! What this module deliberately does not do: service discovery other than static and file,
//! TLS client settings, native histograms, and storage itself (it writes through
//! [`ScrapeSink`]).

pub mod append;
pub mod config;
pub mod config_keys;
pub mod discovery;
pub mod file_sd;
pub mod host;
pub mod http;
pub mod parse;
pub mod relabel;
pub mod run;
pub mod state;
pub mod target;

pub use config::{load_config, parse_config, ConfigError, GlobalConfig, ScrapeConfigFile};
pub use discovery::{Discovery, DiscoveryUpdate};
pub use relabel::{Action, RelabelConfig};
pub use run::{run_loop, scrape_once, LoopSummary, ScrapeOptions, ScrapeRunReport, TargetReport};
pub use target::{
    default_job_for, targets_from_urls, Auth, ScrapeJob, Secret, Target, TargetError, TargetKind,
};

use crate::model::{Labels, MetricMetadata};
use crate::store::StoreError;

/// Where scraped samples go. The store implements it for real runs; [`MemoryScrapeSink`] is the
/// in-memory implementation used by tests (and handy for a dry run).
///
/// Errors are the store's: the scrape layer reports them as warnings and never branches on
/// them, but its callers (a commit failing) may.
pub trait ScrapeSink {
    /// Buffers one sample. Timestamps are milliseconds since the epoch.
    fn append(&mut self, labels: &Labels, t: i64, v: f64) -> Result<(), StoreError>;
    /// Records HELP/TYPE/UNIT of one metric family.
    fn add_metadata(&mut self, md: MetricMetadata);
    /// Reads a small named state blob (the per-target staleness state), `None` when absent.
    fn read_state(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Replaces a small named state blob atomically.
    fn write_state(&self, name: &str, data: &[u8]) -> Result<(), StoreError>;
    /// Makes everything appended so far durable. [`run_loop`] calls it once per round and keeps
    /// using the sink afterwards, so an implementation must accept appends after a commit. For
    /// one-shot runs the caller commits once after [`scrape_once`].
    fn commit(&mut self) -> Result<(), StoreError>;
}

/// A sink that keeps everything in memory: samples in append order, metadata, state blobs and
/// the number of commits. State uses a `RefCell` because [`ScrapeSink::write_state`] takes
/// `&self` (the store's state files are independent of its writer).
#[derive(Debug, Default)]
pub struct MemoryScrapeSink {
    pub samples: Vec<(Labels, i64, f64)>,
    pub metadata: Vec<MetricMetadata>,
    pub states: std::cell::RefCell<std::collections::BTreeMap<String, Vec<u8>>>,
    pub commits: usize,
}

impl MemoryScrapeSink {
    pub fn new() -> MemoryScrapeSink {
        MemoryScrapeSink::default()
    }

    /// The samples of the series whose metric name is `name`.
    pub fn samples_named(&self, name: &str) -> Vec<&(Labels, i64, f64)> {
        self.samples
            .iter()
            .filter(|(l, _, _)| l.metric_name() == Some(name))
            .collect()
    }
}

impl ScrapeSink for MemoryScrapeSink {
    fn append(&mut self, labels: &Labels, t: i64, v: f64) -> Result<(), StoreError> {
        self.samples.push((labels.clone(), t, v));
        Ok(())
    }

    fn add_metadata(&mut self, md: MetricMetadata) {
        self.metadata.push(md);
    }

    fn read_state(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.states.borrow().get(name).cloned())
    }

    fn write_state(&self, name: &str, data: &[u8]) -> Result<(), StoreError> {
        self.states
            .borrow_mut()
            .insert(name.to_string(), data.to_vec());
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        self.commits += 1;
        Ok(())
    }
}
