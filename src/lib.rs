//! argus: Prometheus, Loki and Grafana for the terminal.
//!
//! Map of the modules (each file opens with a `//!` saying what it owns):
//! - [`model`]: labels, matchers, samples, metadata, durations and times. No I/O.
//! - [`lex`]: the lexical core shared by the query languages and formats (strings, names,
//!   numbers, durations, matcher lists), as nom parsers.
//! - [`promql`]: the PromQL syntax tree, parser and engine.

pub mod lex;
pub mod model;
pub mod promql;
