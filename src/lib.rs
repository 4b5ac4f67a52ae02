//! argus: Prometheus, Loki and Grafana for the terminal.
//!
//! Map of the modules (each file opens with a `//!` saying what it owns):
//! - [`expo`]: the exposition formats (Prometheus text, OpenMetrics): streaming parser, writers.
//! - [`ingest`]: metric files and stdin (text expositions, CSV, JSON lines) into the store.
//! - [`model`]: labels, matchers, samples, metadata, durations and times. No I/O.
//! - [`lex`]: the lexical core shared by the query languages and formats (strings, names,
//!   numbers, durations, matcher lists), as nom parsers.
//! - [`promql`]: the PromQL syntax tree, parser and engine.
//! - [`scrape`]: pulling `/metrics` from targets: prometheus.yml scrape configs, relabeling,
//!   synthetic series, staleness; writes through a sink.

pub mod expo;
pub mod ingest;
pub mod lex;
pub mod model;
pub mod promql;
pub mod scrape;
