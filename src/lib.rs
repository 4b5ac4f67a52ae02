//! argus: Prometheus, Loki and Grafana for the terminal.
//!
//! Map of the modules (each file opens with a `//!` saying what it owns):
//! - [`expo`]: the exposition formats (Prometheus text, OpenMetrics): streaming parser, writers.
//! - [`model`]: labels, matchers, samples, metadata, durations and times. No I/O.
//! - [`promql`]: the PromQL syntax tree, parser and engine.
//! - [`scrape`]: pulling `/metrics` from targets: prometheus.yml scrape configs, relabeling,
//!   synthetic series, staleness; writes through a sink.

pub mod expo;
pub mod model;
pub mod promql;
pub mod scrape;
