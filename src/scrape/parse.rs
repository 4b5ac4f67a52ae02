//! A scrape response body to samples and metadata, through the `expo` parser chosen by the
//! response's Content-Type (OpenMetrics when the target says so, else the text format).
//!
//! This file only adapts: it owns no syntax. It also knows nothing of targets or labels
//! beyond what the body says.

use crate::expo::{format_from_content_type, Entry, ParseError, Parser};
use crate::model::{Labels, MetricMetadata};

/// The `Accept` header of a scrape request (Prometheus 2.42's).
pub use crate::expo::SCRAPE_ACCEPT_HEADER;

/// One sample as the target exposed it.
#[derive(Clone, Debug, PartialEq)]
pub struct ScrapedSample {
    /// Includes `__name__`.
    pub labels: Labels,
    /// The exposed timestamp in milliseconds, if any.
    pub timestamp: Option<i64>,
    pub value: f64,
}

/// Everything one body gave.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedBody {
    pub samples: Vec<ScrapedSample>,
    /// One entry per family, the complete (last merged) metadata.
    pub metadata: Vec<MetricMetadata>,
}

/// A body that could not be parsed. Like Prometheus, a parse error fails the whole scrape;
/// `partial` holds what was read before it, which Prometheus still counts in
/// `scrape_samples_scraped` and friends (and never stores).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("parsing the response ({format}): {message}")]
pub struct BodyError {
    pub format: &'static str,
    pub message: String,
    pub partial: ParsedBody,
}

/// Parses a whole body.
pub fn parse_body(content_type: Option<&str>, body: &[u8]) -> Result<ParsedBody, BodyError> {
    let format = format_from_content_type(content_type);
    let format_name = match format {
        crate::expo::Format::OpenMetrics => "OpenMetrics",
        crate::expo::Format::PrometheusText => "text format 0.0.4",
    };
    let mut out = ParsedBody::default();
    let fail = |message: String, partial: ParsedBody| BodyError {
        format: format_name,
        message,
        partial,
    };
    let text = std::str::from_utf8(body).map_err(|e| {
        fail(
            format!("the body is not valid UTF-8 (byte {})", e.valid_up_to()),
            ParsedBody::default(),
        )
    })?;
    let mut parser = Parser::new(format);
    let mut meta_index: std::collections::HashMap<String, usize> = Default::default();
    let mut push = |e: Entry, out: &mut ParsedBody| match e {
        Entry::Sample(s) => out.samples.push(ScrapedSample {
            labels: s.labels,
            timestamp: s.timestamp,
            value: s.value,
        }),
        Entry::Metadata(md) => match meta_index.get(&md.metric) {
            Some(&i) => out.metadata[i] = md,
            None => {
                meta_index.insert(md.metric.clone(), out.metadata.len());
                out.metadata.push(md);
            }
        },
    };
    let err = |e: ParseError, partial: ParsedBody| fail(e.to_string(), partial);
    for (i, line) in text.split_terminator('\n').enumerate() {
        match parser.feed_line(line, i + 1) {
            Ok(Some(e)) => push(e, &mut out),
            Ok(None) => {}
            Err(e) => return Err(err(e, out)),
        }
    }
    let rest = match parser.finish() {
        Ok(rest) => rest,
        Err(e) => return Err(err(e, out)),
    };
    for e in rest {
        push(e, &mut out);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MetricType;

    #[test]
    fn text_format_with_metadata_and_timestamps() {
        let body = b"# HELP a_total Things.\n# TYPE a_total counter\na_total{x=\"1\"} 3 1700000000000\nb 4\n";
        let p = parse_body(Some("text/plain; version=0.0.4"), body).unwrap();
        assert_eq!(p.samples.len(), 2);
        assert_eq!(p.samples[0].timestamp, Some(1_700_000_000_000));
        assert_eq!(p.samples[1].timestamp, None);
        assert_eq!(p.metadata.len(), 1);
        assert_eq!(p.metadata[0].kind, MetricType::Counter);
        assert_eq!(p.metadata[0].help, "Things.");
    }

    #[test]
    fn openmetrics_by_content_type() {
        let body = b"# TYPE a counter\na_total 1 1700000000.5\n# EOF\n";
        let p = parse_body(Some("application/openmetrics-text; version=1.0.0"), body).unwrap();
        assert_eq!(p.samples[0].timestamp, Some(1_700_000_000_500));
        // Without `# EOF` OpenMetrics is an error; the same text as plain text is not.
        let cut = b"# TYPE a counter\na_total 1\n";
        let e = parse_body(Some("application/openmetrics-text"), cut).unwrap_err();
        assert_eq!(e.partial.samples.len(), 1);
        assert!(e.to_string().contains("OpenMetrics"), "{e}");
    }

    #[test]
    fn errors_carry_line_and_count() {
        let e = parse_body(None, b"a 1\nb{ 2\n").unwrap_err();
        assert_eq!(e.partial.samples.len(), 1);
        assert!(e.message.starts_with("line 2:"), "{e}");
        assert!(parse_body(None, b"a 1\n\xff\n").is_err());
    }
}
