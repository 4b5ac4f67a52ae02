//! The metric-ingestion API: options, report, errors, the [`SampleSink`] seam, the driver
//! [`ingest_metrics`] and the path for the text expositions (Prometheus text, OpenMetrics).
//!
//! It does not open files or draw progress bars (the CLI does), and it does not know the store:
//! it appends to a [`SampleSink`], which the store's writer implements. Whether anything
//! becomes visible is the caller's decision (commit or drop the writer), which is what makes
//! an ingest without `skip_invalid` all-or-nothing.

use std::io::{BufRead, Cursor, Read};

use super::detect::detect_format;
use super::record::Ingestor;
use crate::expo::{Entry, Format, Parser};
use crate::model::{Labels, MetricMetadata};
use crate::store::StoreError;

/// The input formats `argus ingest` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// Decide from the file name and the first lines (see [`detect_format`]).
    #[default]
    Auto,
    PrometheusText,
    OpenMetrics,
    Csv,
    JsonLines,
}

impl InputFormat {
    /// Parses a `--format` value: `auto`, `prom` (or `prometheus`, `text`), `openmetrics`
    /// (or `om`), `csv`, `jsonl` (or `ndjson`, `json`).
    pub fn parse(s: &str) -> Option<InputFormat> {
        Some(match s.to_ascii_lowercase().as_str() {
            "auto" => InputFormat::Auto,
            "prom" | "prometheus" | "text" => InputFormat::PrometheusText,
            "openmetrics" | "om" => InputFormat::OpenMetrics,
            "csv" => InputFormat::Csv,
            "jsonl" | "ndjson" | "json" => InputFormat::JsonLines,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InputFormat::Auto => "auto",
            InputFormat::PrometheusText => "prom",
            InputFormat::OpenMetrics => "openmetrics",
            InputFormat::Csv => "csv",
            InputFormat::JsonLines => "jsonl",
        }
    }
}

/// How to ingest one input.
#[derive(Clone, Debug)]
pub struct IngestOptions {
    pub format: InputFormat,
    /// `--label name=value`: set on every sample, replacing a label of the same name that the
    /// input carries (the input cannot override what the operator asked for).
    pub extra_labels: Vec<(String, String)>,
    /// Count and skip bad records instead of failing on the first one.
    pub skip_invalid: bool,
    /// Milliseconds given to samples that carry no timestamp (normally the ingest time).
    pub default_timestamp: i64,
    /// How many errors to keep in [`IngestReport::first_errors`].
    pub max_errors_reported: usize,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            format: InputFormat::Auto,
            extra_labels: Vec::new(),
            skip_invalid: false,
            default_timestamp: crate::model::time::now_ms(),
            max_errors_reported: 10,
        }
    }
}

/// Parses a `--label name=value` argument. The name must be a valid label name; the value is
/// everything after the first `=` and may be empty (which removes that label from every sample).
pub fn parse_extra_label(arg: &str) -> Result<(String, String), String> {
    let (name, value) = arg
        .split_once('=')
        .ok_or_else(|| format!("invalid label {arg:?}: expected name=value"))?;
    let name = name.trim();
    if !crate::model::labels::is_valid_label_name(name) {
        return Err(format!(
            "invalid label name {name:?} in {arg:?}: label names match [a-zA-Z_][a-zA-Z0-9_]*"
        ));
    }
    Ok((name.to_string(), value.to_string()))
}

/// What one input gave.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IngestReport {
    /// The format actually read (after detection).
    pub format: Option<InputFormat>,
    /// Samples appended.
    pub samples: u64,
    /// Distinct series among them.
    pub series: u64,
    /// Distinct metric families whose metadata was recorded.
    pub metadata: u64,
    /// Records skipped as invalid (only with `skip_invalid`).
    pub invalid: u64,
    /// The first `max_errors_reported` of those.
    pub first_errors: Vec<IngestError>,
}

/// A bad record or a failed read, located in its input.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{line}:{column}: {message}")]
pub struct IngestError {
    /// A file path, or `<stdin>`.
    pub source_name: String,
    /// 1-based; 0 when the problem is not in the input (for example an invalid `--label`).
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// Whether `skip_invalid` would have skipped it: false for what no skipping can mend (a
    /// read error, a truncated OpenMetrics input, an invalid `--label`).
    pub skippable: bool,
}

/// Where ingested samples go. The store's `MetricWriter` implements it; [`MemorySampleSink`] is the
/// in-memory implementation for tests and dry runs.
pub trait SampleSink {
    /// Appends one sample. A refusal ([`StoreError::is_refusal`]) rejects this sample only
    /// (the caller counts or reports it); any other error stops the input.
    fn append(&mut self, labels: &Labels, t: i64, v: f64) -> Result<(), StoreError>;
    /// Records the metadata of one family (called once per family block, complete).
    fn add_metadata(&mut self, md: MetricMetadata);
}

/// Keeps everything in memory.
#[derive(Clone, Debug, Default)]
pub struct MemorySampleSink {
    pub samples: Vec<(Labels, i64, f64)>,
    pub metadata: Vec<MetricMetadata>,
}

impl SampleSink for MemorySampleSink {
    fn append(&mut self, labels: &Labels, t: i64, v: f64) -> Result<(), StoreError> {
        self.samples.push((labels.clone(), t, v));
        Ok(())
    }

    fn add_metadata(&mut self, md: MetricMetadata) {
        self.metadata.push(md);
    }
}

/// Reads one input and appends its samples to `sink`, streaming.
///
/// Without `skip_invalid` the first bad record is returned as the error, and the caller drops
/// its writer so that nothing of this input becomes visible. With `skip_invalid` bad records
/// are counted and skipped. A read error is always returned. `progress` receives the number of
/// bytes consumed so far, now and then and once at the end.
pub fn ingest_metrics(
    input: &mut dyn BufRead,
    source_name: &str,
    opts: &IngestOptions,
    sink: &mut dyn SampleSink,
    progress: &mut dyn FnMut(u64),
) -> Result<IngestReport, IngestError> {
    let mut ing = Ingestor::new(source_name, opts, sink, progress)?;
    let (format, head) = match opts.format {
        InputFormat::Auto => detect_format(input, source_name).map_err(|e| ing.io_error(0, &e))?,
        f => (f, Vec::new()),
    };
    // Detection may have read the first lines; they are read again from `head`.
    let mut input = Cursor::new(head).chain(input);
    match format {
        InputFormat::PrometheusText => {
            ingest_exposition(&mut input, Format::PrometheusText, &mut ing)?
        }
        InputFormat::OpenMetrics => ingest_exposition(&mut input, Format::OpenMetrics, &mut ing)?,
        InputFormat::Csv => super::csv::ingest_csv(&mut input, &mut ing)?,
        InputFormat::JsonLines => super::jsonl::ingest_jsonl(&mut input, &mut ing)?,
        InputFormat::Auto => unreachable!("detect_format never answers Auto"),
    }
    Ok(ing.finish(format))
}

/// Reads lines of either text exposition.
///
/// Both formats end every line with a line feed, so a last line without one was cut off (a
/// copy interrupted, a disk full): in the text format it is a bad record, refused like any
/// other, since the complete lines before it are whole records. OpenMetrics also requires
/// `# EOF` as the last line; an input without it is truncated somewhere, and none of it is
/// stored, even with `skip_invalid`.
fn ingest_exposition(
    input: &mut dyn BufRead,
    format: Format,
    ing: &mut Ingestor<'_>,
) -> Result<(), IngestError> {
    let mut parser = Parser::new(format);
    let mut lines = super::record::Lines::new(input);
    while let Some(line) = lines.next_line(ing)? {
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                ing.reject(e)?;
                continue;
            }
        };
        let blank = line.text.trim_matches([' ', '\t', '\r']).is_empty();
        if line.unterminated && format == Format::PrometheusText && !blank {
            ing.reject_at(
                line.no,
                line.text.chars().count() + 1,
                "the last line does not end with a line feed: the input was cut off in the \
                 middle of a record (the text format ends every line with one)"
                    .to_string(),
            )?;
            continue;
        }
        match parser.feed_line(line.text, line.no) {
            Ok(Some(Entry::Sample(s))) => ing.sample(s.labels, s.timestamp, s.value, line.no, 1)?,
            Ok(Some(Entry::Metadata(md))) => ing.metadata(md),
            Ok(None) => {}
            Err(e) => ing.reject_at(e.line, e.column, e.message)?,
        }
    }
    match parser.finish() {
        Ok(entries) => {
            for e in entries {
                if let Entry::Metadata(md) = e {
                    ing.metadata(md);
                }
            }
        }
        Err(e) => {
            return Err(ing.fatal(
                e.line,
                e.column,
                format!(
                    "{}; --skip-invalid cannot keep part of a truncated input",
                    e.message
                ),
            ))
        }
    }
    Ok(())
}
