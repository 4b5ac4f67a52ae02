//! argus: Prometheus, Loki and Grafana for the terminal.
//!
//! Map of the modules (each file opens with a `//!` saying what it owns):
//! - [`cli`]: the command line: one file per subcommand, output printers, exit codes.
//! - [`adapters`]: the store behind the seams of scrape, ingest and the PromQL engine.
//! - [`conformance`]: the test harness that runs Prometheus' and Loki's own test data
//!   (promqltest scripts, LogQL corpora and engine scripts) through the real store and engines,
//!   with scratch stores and the baseline ratchet, and the fuzz targets of every parser and
//!   decoder of outside input; `argus conformance` drives it.
//! - [`expo`]: the exposition formats (Prometheus text, OpenMetrics): streaming parser, writers.
//! - [`ingest`]: metric files, log files and stdin (text expositions, CSV, JSON lines, log
//!   lines) into the store.
//! - [`model`]: labels, matchers, samples, metadata, durations and times. No I/O.
//! - [`grammar`]: the grammar pieces shared by the query languages and formats (strings, names,
//!   numbers, durations, matcher lists), as nom parsers.
//! - [`http`]: `argus serve`: the Prometheus and Loki HTTP APIs, push receivers with durable
//!   acknowledgement, continuous scraping, the server's own metrics.
//! - [`remote`]: clients for remote Prometheus-compatible servers (`--server`).
//! - [`store`]: the on-disk store shared by all processes: metrics and logs as parts, merges,
//!   state files.
//! - [`parallel`]: spreading per-batch work over the cores, results in order.
//! - [`promql`]: the PromQL syntax tree, parser and engine.
//! - [`logql`]: the LogQL syntax tree, parser and the evaluation of log and metric queries.
//! - [`gotmpl`]: Go's text/template language (parser, executor, Go's printing, times and zones,
//!   function libraries behind a function table): LogQL's `line_format`, alert templates.
//! - [`rules`]: Prometheus rule files: reading and checking them, evaluating recording and
//!   alerting rules, the life of alerts, alert templates, promtool's rule unit tests.
//! - [`notify`]: Alertmanager's core as a library: alertmanager.yml, routing, grouping and
//!   its timers as a saved state machine, inhibition, silences, webhook and Slack messages,
//!   delivery with retries.
//! - [`yaml`]: YAML as trees of nodes that know their line and column, read strictly, for
//!   the configuration files whose errors must say where they are.
//! - [`glob`]: file-name globs as Go's `filepath.Glob` reads them.
//! - [`scrape`]: pulling `/metrics` from targets: prometheus.yml scrape configs, relabeling,
//!   synthetic series, staleness; writes through a sink.

pub mod adapters;
pub mod cli;
pub mod conformance;
pub mod dashboard;
pub mod expo;
pub mod glob;
pub mod gotmpl;
pub mod grammar;
pub mod http;
pub mod ingest;
pub mod logql;
pub mod model;
pub mod notify;
pub mod parallel;
pub mod promql;
pub mod remote;
pub mod rules;
pub mod scrape;
pub mod store;
pub mod yaml;
