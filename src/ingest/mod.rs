//! `argus ingest`: data from files and stdin into the store, metrics and logs.
//!
//! Metrics (`argus ingest`):
//! - `metrics`: the API the CLI calls ([`ingest_metrics`]), the options and report, the
//!   [`SampleSink`] seam to the store, and the text-exposition path (Prometheus text,
//!   OpenMetrics, with the rules for a truncated input).
//! - `detect`: choosing the input format when none was given.
//! - `record`: what every input format shares: label validation and size limits, `--label`
//!   overrides, timestamps in several notations and the store's range, error counting, the
//!   line reader.
//! - `csv`, `jsonl`: the CSV and JSON-lines layouts (documented in `docs/format/csv-jsonl.md`),
//!   read and written, so that `argus export` and `argus ingest` agree on one shape.
//!
//! Logs (`argus ingest logs`):
//! - `logs`: the API ([`logs::ingest_logs`]), options, report, the [`logs::LogSink`] seam, and
//!   the rules for bad lines.
//! - `logtime`: a line's time, in the notation named or found by `auto`.
//! - `fields`: the few fields of a JSON or logfmt line that the options read.
//! - `log_export`: the records of `argus export --logs`, read back.
//! - `follow`: inputs that keep growing (a pipe, `--follow`, `--positions`): readers, rotation,
//!   signals and commits at pauses; the one part of `ingest` that commits to the store itself.
//! - `positions`: the positions file of `--positions` (`docs/format/positions.md`).
//!
//! Everything except `follow` is synchronous, streams, and knows the store only through the
//! sink traits: memory grows with the number of distinct series or streams (for the reports),
//! never with the number of samples or lines. The CLI (`cli/ingest*.rs`) opens the inputs,
//! draws progress, commits and prints.

pub mod csv;
mod detect;
mod fields;
pub mod follow;
pub mod jsonl;
mod log_export;
pub mod logs;
mod logtime;
mod metrics;
pub mod positions;
mod record;

pub use detect::detect_format;
pub use metrics::{
    ingest_metrics, parse_extra_label, IngestError, IngestOptions, IngestReport, InputFormat,
    MemorySampleSink, SampleSink,
};
pub use record::parse_timestamp;

#[cfg(test)]
mod tests;
