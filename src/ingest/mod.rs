//! `argus ingest`: data from files and stdin into the store.
//!
//! - `metrics`: the API the CLI calls ([`ingest_metrics`]), the options and report, the
//!   [`SampleSink`] seam to the store, and the text-exposition path (Prometheus text,
//!   OpenMetrics).
//! - `detect`: choosing the input format when none was given.
//! - `record`: what every input format shares: label validation, `--label` overrides,
//!   timestamps in several notations, error counting.
//! - `csv`, `jsonl`: the CSV and JSON-lines layouts (documented in `docs/format/csv-jsonl.md`),
//!   read and written, so that `argus export` and `argus ingest` agree on one shape.
//!
//! Everything here is synchronous and streams: memory grows with the number of distinct series
//! (for the report's series count), never with the number of samples. Logs ingestion
//! (`argus ingest logs`) is a different module.

pub mod csv;
mod detect;
mod fields;
pub mod follow;
pub mod jsonl;
pub mod logs;
mod metrics;
pub mod positions;
mod record;

pub use detect::detect_format;
pub use metrics::{
    ingest_metrics, parse_extra_label, IngestError, IngestOptions, IngestReport, InputFormat,
    MemorySink, SampleSink,
};
pub use record::parse_timestamp;

#[cfg(test)]
mod tests;
