//! What every input format shares once a record is read: turning name and label pairs into a
//! valid series, applying `--label`, defaulting and parsing timestamps, appending to the sink,
//! counting series and families, and the skip-or-fail policy for bad records. Also the line
//! reader the line-based formats share.
//!
//! It does not know any input syntax.

use std::collections::HashSet;
use std::io::{self, BufRead};

use super::metrics::{IngestError, IngestOptions, IngestReport, InputFormat, SampleSink};
use crate::expo::{exact_decimal_seconds_to_ms, quoted};
use crate::model::labels::{is_valid_label_name, is_valid_metric_name};
use crate::model::limits::{check_label_size, check_sample_time, excerpt};
use crate::model::{Labels, LabelsBuilder, MetricMetadata, METRIC_NAME};

/// Report progress at most every this many bytes.
const PROGRESS_EVERY: u64 = 256 * 1024;

/// Numbers at or above this magnitude are milliseconds, below it seconds: 1e11 s is the year
/// 5138, 1e11 ms is 3 March 1973, so both readings cover every plausible date.
const MS_THRESHOLD: f64 = 1e11;

/// The unit a timestamp column declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimeUnit {
    /// Decide by magnitude (or RFC 3339).
    Auto,
    Seconds,
    Millis,
}

/// Parses a timestamp as the CSV and JSON-lines layouts allow it: RFC 3339
/// (`2024-01-02T03:04:05.123Z`), or a number of Unix seconds or milliseconds told apart by
/// magnitude (below 1e11 it is seconds, so `1700000000.5` and `1700000000500` are the same
/// instant). Returns milliseconds.
pub fn parse_timestamp(s: &str) -> Result<i64, String> {
    parse_timestamp_as(s, TimeUnit::Auto)
}

pub(crate) fn parse_timestamp_as(s: &str, unit: TimeUnit) -> Result<i64, String> {
    let t = s.trim();
    let looks_numeric = t
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && t.bytes().any(|b| b.is_ascii_digit());
    if looks_numeric {
        if let Ok(x) = t.parse::<f64>() {
            if !x.is_finite() {
                return Err(format!("timestamp {} is out of range", quoted(s)));
            }
            let millis = match unit {
                TimeUnit::Millis => true,
                TimeUnit::Seconds => false,
                TimeUnit::Auto => x.abs() >= MS_THRESHOLD,
            };
            let ms = if millis {
                match t.parse::<i64>() {
                    Ok(i) => Some(i),
                    Err(_) => Some(x.round())
                        .filter(|r| r.abs() < 9.2e18)
                        .map(|r| r as i64),
                }
            } else {
                exact_decimal_seconds_to_ms(t).or_else(|| {
                    Some((x * 1000.0).round())
                        .filter(|r| r.abs() < 9.2e18)
                        .map(|r| r as i64)
                })
            };
            return ms.ok_or_else(|| format!("timestamp {} is out of range", quoted(s)));
        }
    }
    chrono::DateTime::parse_from_rfc3339(t)
        .map(|d| d.timestamp_millis())
        .map_err(|_| {
            format!(
                "invalid timestamp {}: expected RFC 3339 (2024-01-02T03:04:05Z), Unix seconds \
                 (1700000000.5) or Unix milliseconds (1700000000500)",
                quoted(s)
            )
        })
}

/// The shared state of one ingest run.
pub(crate) struct Ingestor<'a> {
    source: String,
    opts: &'a IngestOptions,
    sink: &'a mut dyn SampleSink,
    progress: &'a mut dyn FnMut(u64),
    bytes: u64,
    reported_bytes: u64,
    series: HashSet<u64>,
    families: HashSet<String>,
    /// Metadata arrives merged line by line; the sink gets each family once, complete.
    pending_md: Option<MetricMetadata>,
    report: IngestReport,
    /// The labels of the previous sample as given and as stored (after `--label`): inputs
    /// repeat one series many times in a row, and the parser hands out the same shared label
    /// set then, so the rewrite and the series count are done once per run of a series.
    last_in: Labels,
    last_out: Labels,
}

impl<'a> Ingestor<'a> {
    pub(crate) fn new(
        source: &str,
        opts: &'a IngestOptions,
        sink: &'a mut dyn SampleSink,
        progress: &'a mut dyn FnMut(u64),
    ) -> Result<Ingestor<'a>, IngestError> {
        for (k, v) in &opts.extra_labels {
            let why = if k == METRIC_NAME {
                "the metric name cannot be set for a whole input".to_string()
            } else if !is_valid_label_name(k) {
                "label names match [a-zA-Z_][a-zA-Z0-9_]*".to_string()
            } else if let Err(m) = check_label_size(k, v) {
                m
            } else {
                continue;
            };
            return Err(IngestError {
                source_name: source.to_string(),
                line: 0,
                column: 0,
                message: format!("invalid extra label {}: {why}", quoted(k)),
                skippable: false,
            });
        }
        Ok(Ingestor {
            source: source.to_string(),
            opts,
            sink,
            progress,
            bytes: 0,
            reported_bytes: 0,
            series: HashSet::new(),
            families: HashSet::new(),
            pending_md: None,
            report: IngestReport::default(),
            last_in: Labels::new(),
            last_out: Labels::new(),
        })
    }

    pub(crate) fn error(&self, line: usize, column: usize, message: String) -> IngestError {
        IngestError {
            source_name: self.source.clone(),
            line,
            column,
            message,
            skippable: true,
        }
    }

    /// An error that rejects the whole input whatever `skip_invalid` says (a truncated
    /// OpenMetrics input: none of it can be trusted to be complete).
    pub(crate) fn fatal(&self, line: usize, column: usize, message: String) -> IngestError {
        IngestError {
            skippable: false,
            ..self.error(line, column, message)
        }
    }

    pub(crate) fn io_error(&self, line: usize, e: &io::Error) -> IngestError {
        self.fatal(line, 0, format!("read error: {e}"))
    }

    /// A bad record: counted and kept when skipping, else the error to return.
    pub(crate) fn reject(&mut self, e: IngestError) -> Result<(), IngestError> {
        if !self.opts.skip_invalid || !e.skippable {
            return Err(e);
        }
        self.report.invalid += 1;
        if self.report.first_errors.len() < self.opts.max_errors_reported {
            self.report.first_errors.push(e);
        }
        Ok(())
    }

    pub(crate) fn reject_at(
        &mut self,
        line: usize,
        column: usize,
        message: String,
    ) -> Result<(), IngestError> {
        let e = self.error(line, column, message);
        self.reject(e)
    }

    /// A record given as name and label pairs (`__name__` among them): validated, then
    /// appended. Empty label values mean "no such label".
    pub(crate) fn record(
        &mut self,
        mut pairs: Vec<(String, String)>,
        t: Option<i64>,
        v: f64,
        line: usize,
        column: usize,
    ) -> Result<(), IngestError> {
        if let Err(m) = validate(&mut pairs) {
            return self.reject_at(line, column, m);
        }
        self.sample(Labels::from_pairs(pairs), t, v, line, column)
    }

    /// A sample whose labels are already valid.
    pub(crate) fn sample(
        &mut self,
        labels: Labels,
        t: Option<i64>,
        v: f64,
        line: usize,
        column: usize,
    ) -> Result<(), IngestError> {
        let repeated = !self.last_in.is_empty() && labels.ptr_eq(&self.last_in);
        let labels = if repeated {
            self.last_out.clone()
        } else {
            let out = if self.opts.extra_labels.is_empty() {
                labels.clone()
            } else {
                let mut b: LabelsBuilder = labels.to_builder();
                for (k, val) in &self.opts.extra_labels {
                    b.set(k.clone(), val.clone());
                }
                b.build()
            };
            self.last_in = labels;
            self.last_out = out.clone();
            out
        };
        // A time the store cannot hold is refused here, where the line is known, rather than
        // by the store's writer, which can only refuse the whole commit.
        if let Some(Err(m)) = t.map(check_sample_time) {
            return self.reject_at(line, column, m);
        }
        let t = t.unwrap_or(self.opts.default_timestamp);
        match self.sink.append(&labels, t, v) {
            Ok(()) => {}
            Err(e) if e.is_refusal() => {
                return self.reject_at(
                    line,
                    column,
                    format!("sample {} rejected: {e}", excerpt(&labels.to_string())),
                );
            }
            // The store failed (a spill to its temporary files): no record is at fault, and
            // skipping cannot mend it.
            Err(e) => {
                return Err(self.fatal(line, column, format!("cannot store the sample: {e}")))
            }
        }
        self.report.samples += 1;
        if !repeated && self.series.insert(labels.stable_hash()) {
            self.report.series += 1;
        }
        Ok(())
    }

    pub(crate) fn metadata(&mut self, md: MetricMetadata) {
        if let Some(prev) = self.pending_md.take() {
            if prev.metric != md.metric {
                self.flush_metadata(prev);
            }
        }
        self.pending_md = Some(md);
    }

    fn flush_metadata(&mut self, md: MetricMetadata) {
        if self.families.insert(md.metric.clone()) {
            self.report.metadata += 1;
        }
        self.sink.add_metadata(md);
    }

    /// `n` more bytes were consumed.
    pub(crate) fn consumed(&mut self, n: u64) {
        self.at_byte(self.bytes + n);
    }

    /// `abs` bytes were consumed in total.
    pub(crate) fn at_byte(&mut self, abs: u64) {
        self.bytes = abs;
        if self.bytes - self.reported_bytes >= PROGRESS_EVERY {
            self.reported_bytes = self.bytes;
            (self.progress)(self.bytes);
        }
    }

    pub(crate) fn finish(mut self, format: InputFormat) -> IngestReport {
        if let Some(md) = self.pending_md.take() {
            self.flush_metadata(md);
        }
        (self.progress)(self.bytes);
        self.report.format = Some(format);
        self.report
    }
}

/// Checks the metric name and label names, their sizes, and that no name repeats.
fn validate(pairs: &mut [(String, String)]) -> Result<(), String> {
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(w) = pairs.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(format!("label {} is given twice", quoted(&w[0].0)));
    }
    let name = pairs
        .iter()
        .find(|(k, _)| k == METRIC_NAME)
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if name.is_empty() {
        return Err("the record has no metric name".to_string());
    }
    if !is_valid_metric_name(name) {
        return Err(format!(
            "invalid metric name {}: metric names match [a-zA-Z_:][a-zA-Z0-9_:]*",
            quoted(name)
        ));
    }
    if let Some((k, _)) = pairs
        .iter()
        .find(|(k, _)| k != METRIC_NAME && !is_valid_label_name(k))
    {
        return Err(format!(
            "invalid label name {}: label names match [a-zA-Z_][a-zA-Z0-9_]*",
            quoted(k)
        ));
    }
    pairs.iter().try_for_each(|(k, v)| check_label_size(k, v))
}

/// Reads `\n`-terminated lines into one reused buffer, counting lines and bytes.
pub(crate) struct Lines<'r> {
    input: &'r mut dyn BufRead,
    buf: Vec<u8>,
    line_no: usize,
}

/// One line: its number, its text without the line feed, and whether the line feed was
/// missing (the last line of an input that was cut off, or written without one).
pub(crate) struct LineRef<'b> {
    pub no: usize,
    pub text: &'b str,
    pub unterminated: bool,
}

/// One line, or the error for a line that is not UTF-8.
pub(crate) type Line<'b> = Result<LineRef<'b>, IngestError>;

impl<'r> Lines<'r> {
    pub(crate) fn new(input: &'r mut dyn BufRead) -> Lines<'r> {
        Lines {
            input,
            buf: Vec::new(),
            line_no: 0,
        }
    }

    /// The next line without its `\n`, `None` at the end. A read error is returned as `Err`.
    pub(crate) fn next_line(
        &mut self,
        ing: &mut Ingestor<'_>,
    ) -> Result<Option<Line<'_>>, IngestError> {
        self.buf.clear();
        let n = self
            .input
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| ing.io_error(self.line_no + 1, &e))?;
        if n == 0 {
            return Ok(None);
        }
        self.line_no += 1;
        ing.consumed(n as u64);
        let (bytes, unterminated) = match self.buf.strip_suffix(b"\n") {
            Some(b) => (b, false),
            None => (&self.buf[..], true),
        };
        Ok(Some(match std::str::from_utf8(bytes) {
            Ok(text) => Ok(LineRef {
                no: self.line_no,
                text,
                unterminated,
            }),
            Err(e) => {
                let col = String::from_utf8_lossy(&bytes[..e.valid_up_to()])
                    .chars()
                    .count()
                    + 1;
                Err(ing.error(self.line_no, col, "invalid UTF-8".to_string()))
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_every_notation() {
        let want = 1_700_000_000_500;
        for s in [
            "1700000000.5",
            "1700000000500",
            "2023-11-14T22:13:20.5Z",
            "2023-11-14T23:13:20.500+01:00",
            " 1700000000.500 ",
            "1.7000000005e9",
            "1.7000000005e12",
        ] {
            assert_eq!(parse_timestamp(s), Ok(want), "{s}");
        }
        assert_eq!(parse_timestamp("1700000000"), Ok(1_700_000_000_000));
        assert_eq!(parse_timestamp("0"), Ok(0));
        assert_eq!(parse_timestamp("-1.5"), Ok(-1500));
        assert_eq!(parse_timestamp_as("1500", TimeUnit::Millis), Ok(1500));
        assert_eq!(
            parse_timestamp_as("1700000000500", TimeUnit::Seconds),
            Ok(1_700_000_000_500_000)
        );
        assert!(parse_timestamp("yesterday").is_err());
        assert!(parse_timestamp("").is_err());
        assert!(parse_timestamp("1e30").is_err());
        assert!(parse_timestamp("NaN").is_err());
    }

    #[test]
    fn validation() {
        let p = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        assert!(validate(&mut p(&[("__name__", "up"), ("job", "x")])).is_ok());
        assert!(validate(&mut p(&[("job", "x")]))
            .unwrap_err()
            .contains("no metric name"));
        assert!(validate(&mut p(&[("__name__", "1up")]))
            .unwrap_err()
            .contains("invalid metric name"));
        assert!(validate(&mut p(&[("__name__", "up"), ("a-b", "x")]))
            .unwrap_err()
            .contains("invalid label name"));
        assert!(
            validate(&mut p(&[("__name__", "up"), ("a", "x"), ("a", "y")]))
                .unwrap_err()
                .contains("given twice")
        );
    }
}
