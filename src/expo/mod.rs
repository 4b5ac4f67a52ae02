//! Exposition formats: the Prometheus text format 0.0.4 and OpenMetrics 1.0 text, parsed and
//! written.
//!
//! - `cursor`: the pieces of a line both formats share (a cursor that knows its column, names,
//!   quoted values, numbers, timestamps).
//! - `parse`: the streaming line parser ([`Parser`]) and its strictness rules.
//! - `write`: [`OpenMetricsWriter`] and [`TextWriter`], plus the exact value and timestamp
//!   formatting they share.
//!
//! This module does not do HTTP, gzip or storage: callers hand it lines and take entries.
//! Native histograms and the protobuf format are not supported (argus never asks for them in
//! its `Accept` header).

mod cursor;
mod parse;
mod write;

#[cfg(test)]
mod parse_tests;
#[cfg(test)]
mod write_tests;

pub use cursor::{exact_decimal_seconds_to_ms, parse_float as parse_value, quoted};
pub use parse::{parse_series, Parser};
pub use write::{
    family_of, format_om_timestamp, format_sample_value, OpenMetricsWriter, TextWriter,
};

use crate::model::{Labels, MetricMetadata};

/// The two text exposition formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Prometheus text format 0.0.4 (`text/plain; version=0.0.4`).
    PrometheusText,
    /// OpenMetrics 1.0 text (`application/openmetrics-text`).
    OpenMetrics,
}

impl Format {
    /// The `Content-Type` to send when serving this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::PrometheusText => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }
}

/// The `Accept` header Prometheus 2.42 sends when scraping: OpenMetrics first, then the text
/// format, then anything. (Checked against a real Prometheus 2.42 scraping a test server.)
pub const SCRAPE_ACCEPT_HEADER: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/// Content negotiation as Prometheus does it: a media type of `application/openmetrics-text`
/// (any parameters, any case) means OpenMetrics; anything else, including a missing, empty or
/// unparsable header, means the text format.
pub fn format_from_content_type(content_type: Option<&str>) -> Format {
    let media = content_type
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim();
    if media.eq_ignore_ascii_case("application/openmetrics-text") {
        Format::OpenMetrics
    } else {
        Format::PrometheusText
    }
}

/// One sample as exposed.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpoSample {
    /// Includes `__name__`.
    pub labels: Labels,
    /// Milliseconds since the epoch, when the exposition gave one.
    pub timestamp: Option<i64>,
    pub value: f64,
}

/// What one line gives.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    Sample(ExpoSample),
    /// The metadata of a family so far (see [`Parser`] for the merge rule).
    Metadata(MetricMetadata),
}

/// A parse failure, with the 1-based line and column (in characters) where it starts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}:{column}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ParseError {
    fn from_line_error(line: &str, line_no: usize, e: cursor::LineError) -> ParseError {
        let column = line
            .get(..e.pos.min(line.len()))
            .map(|s| s.chars().count())
            .unwrap_or(e.pos)
            + 1;
        ParseError {
            line: line_no,
            column,
            message: e.message,
        }
    }
}

/// Parses a whole body. Lines are separated by `\n`; a final newline does not start another
/// line.
pub fn parse_all(text: &str, format: Format) -> Result<Vec<Entry>, ParseError> {
    let mut p = Parser::new(format);
    let mut out = Vec::new();
    for (i, line) in text.split_terminator('\n').enumerate() {
        if let Some(e) = p.feed_line(line, i + 1)? {
            out.push(e);
        }
    }
    out.extend(p.finish()?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_negotiation() {
        use Format::*;
        assert_eq!(format_from_content_type(None), PrometheusText);
        assert_eq!(format_from_content_type(Some("")), PrometheusText);
        assert_eq!(
            format_from_content_type(Some("text/plain; version=0.0.4")),
            PrometheusText
        );
        assert_eq!(
            format_from_content_type(Some(
                "application/openmetrics-text; version=1.0.0; charset=utf-8"
            )),
            OpenMetrics
        );
        assert_eq!(
            format_from_content_type(Some("Application/OpenMetrics-Text")),
            OpenMetrics
        );
        assert_eq!(
            format_from_content_type(Some("application/json")),
            PrometheusText
        );
        assert_eq!(
            format_from_content_type(Some(OpenMetrics.content_type())),
            OpenMetrics
        );
    }
}
