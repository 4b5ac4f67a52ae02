//! Log lines into log streams: `argus ingest logs`.
//!
//! Each input line becomes one entry. Its stream's labels are the static `--label`s plus
//! fields promoted with `--label-from`; its time is found in the line (`logtime.rs`: by
//! default `auto`, or as `--time-field` and `--time-format` say), else the time of arrival;
//! `--metadata-from` fields travel as structured metadata. A line written by `argus export
//! --logs` is restored as it was exported (`log_export.rs`): its own labels, exact time, line
//! and metadata. The rules for bad input are fixed and documented in `man argus-ingest`:
//!
//! - invalid UTF-8 is kept, each bad sequence replaced by U+FFFD, and reported;
//! - a line longer than `max_line_bytes` is rejected (not stored) and reported;
//! - a promoted label longer than the limits of `model::limits` rejects its line, reported;
//! - a timestamp that does not parse, or lies outside what the store holds, is replaced by
//!   the time of arrival and reported (a line where `auto` finds no time at all takes its
//!   time of arrival silently);
//! - more distinct streams than `max_streams` stop the ingest with an error, before anything
//!   is stored (label explosion);
//! - a promoted field with more than `max_label_values` distinct values is not promoted for
//!   the values past the bound (they stay in the line), and that is reported once.
//!
//! Lines timed by arrival get distinct, increasing times (a nanosecond apart when they arrive
//! together), so that they keep their order and a repeated line is not taken for a duplicate.

pub use super::fields::logfmt_pairs;
use super::fields::wanted_fields;
use super::log_export::{may_be_record, parse_record, ExportRecord};
pub use super::logtime::{find_time, parse_log_time, time_of_raw_line, TimeFormat};
use crate::expo::quoted;
use crate::logql::extract::sanitize_label_name;
use crate::model::labels::is_valid_label_name;
use crate::model::limits::{check_label_size, check_log_time};
use crate::model::Labels;
use crate::store::StoreError;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufRead;

/// Where log entries go: the store's log writer in production, a vector in tests.
pub trait LogSink {
    /// Takes one entry; `line` is borrowed so that a sink that copies it (the store's
    /// writer) costs no allocation per line.
    fn append(
        &mut self,
        labels: &Labels,
        t: i64,
        line: &str,
        metadata: Vec<(String, String)>,
    ) -> Result<(), StoreError>;
}

/// How to find fields in a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineFormat {
    /// A record of `argus export --logs` when the line is one; otherwise JSON when the line
    /// starts with `{`, logfmt otherwise.
    Auto,
    Json,
    Logfmt,
    /// No fields: the line is opaque.
    Raw,
    /// Every line is a record of `argus export --logs`; a line that is not is rejected.
    Export,
}

#[derive(Clone, Debug)]
pub struct LogIngestOptions {
    pub labels: Vec<(String, String)>,
    pub label_from: Vec<String>,
    pub metadata_from: Vec<String>,
    pub format: LineFormat,
    pub time_field: Option<String>,
    /// How times are written: in `time_field`, or without it at the start of raw lines;
    /// `Auto` without `time_field` finds them (see `logtime.rs`).
    pub time_format: TimeFormat,
    pub max_line_bytes: usize,
    pub max_streams: usize,
    pub max_label_values: usize,
    /// Time of arrival, ns.
    pub arrival_ns: i64,
    /// Problems reported in full; the rest are counted.
    pub max_reported: usize,
}

impl Default for LogIngestOptions {
    fn default() -> Self {
        LogIngestOptions {
            labels: Vec::new(),
            label_from: Vec::new(),
            metadata_from: Vec::new(),
            format: LineFormat::Auto,
            time_field: None,
            time_format: TimeFormat::Auto,
            max_line_bytes: 256 * 1024,
            max_streams: 1000,
            max_label_values: 100,
            arrival_ns: 0,
            max_reported: 10,
        }
    }
}

/// What happened to the lines of one ingest.
#[derive(Clone, Debug, Default)]
pub struct LogIngestReport {
    pub lines: u64,
    /// Entries handed to the sink. The store keeps exact duplicates once, so what it kept
    /// is its commit's count, not this.
    pub appended: u64,
    /// Bytes of the lines handed to the sink.
    pub bytes: u64,
    pub rejected: u64,
    /// Lines kept with a fix (U+FFFD, arrival time).
    pub repaired: u64,
    /// `file:line: what` for the first problems.
    pub problems: Vec<String>,
    pub warnings: Vec<String>,
}

/// Why an ingest stopped.
#[derive(Debug, thiserror::Error)]
pub enum LogIngestError {
    #[error("{0}")]
    Read(String),
    #[error("{0}")]
    TooManyStreams(String),
    /// A line has no labels to name its stream: the command lacks `--label`.
    #[error("{0}")]
    NoLabels(String),
    /// The store refused the line or failed under it; `at` is `input:line`.
    #[error("{at}: {source}")]
    Sink { at: String, source: StoreError },
}

/// The state of one ingest across its inputs: streams seen, promoted values per field, the
/// last time of arrival given.
#[derive(Default)]
pub struct LogIngestState {
    streams: HashSet<Labels>,
    promoted: HashMap<String, HashSet<String>>,
    warned_bound: HashSet<String>,
    last_arrival: Option<i64>,
}

impl LogIngestState {
    /// Labels that look like unique ids: many distinct values across the streams.
    pub fn id_like_labels(&self) -> Vec<String> {
        let mut values: BTreeMap<&str, HashSet<&str>> = BTreeMap::new();
        for s in &self.streams {
            for (k, v) in s.iter() {
                values.entry(k).or_default().insert(v);
            }
        }
        values
            .into_iter()
            .filter(|(_, v)| {
                let n = v.len();
                let idlike = v.iter().filter(|x| looks_like_id(x)).count();
                (n >= 20 && n * 2 > self.streams.len()) || (n >= 5 && idlike * 2 > n)
            })
            .map(|(k, v)| format!("label {k} has {} distinct values in {} streams: it looks like a unique id; keep it in the line or as structured metadata (--metadata-from)", v.len(), self.streams.len()))
            .collect()
    }

    pub fn streams(&self) -> usize {
        self.streams.len()
    }

    /// The time of arrival of the next line timed by arrival: `arrival_ns`, or a nanosecond
    /// after the previous one when that is later, so that such lines keep their order and
    /// two equal lines stay two entries.
    fn next_arrival(&mut self, arrival_ns: i64) -> i64 {
        let t = match self.last_arrival {
            Some(last) if last >= arrival_ns => last.saturating_add(1),
            _ => arrival_ns,
        };
        self.last_arrival = Some(t);
        t
    }
}

/// A UUID, or a long run of hex digits or digits.
fn looks_like_id(v: &str) -> bool {
    let hexish = v.len() >= 12
        && v.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
        && v.bytes().filter(|b| b.is_ascii_digit()).count() >= 3;
    hexish
}

/// Reads lines from `input` into `sink`. `name` names the input in messages.
pub fn ingest_logs(
    input: &mut dyn BufRead,
    name: &str,
    opts: &LogIngestOptions,
    state: &mut LogIngestState,
    sink: &mut dyn LogSink,
    report: &mut LogIngestReport,
    progress: &mut dyn FnMut(u64),
) -> Result<(), LogIngestError> {
    ingest_log_lines(input, name, 0, opts, state, sink, report, progress)
}

/// One entry ready to be stored, with what was mended on the way.
struct Entry<'l> {
    labels: Labels,
    t: i64,
    line: Cow<'l, str>,
    metadata: Vec<(String, String)>,
    /// What was repaired (the entry is kept): reported as `file:line: note`.
    repairs: Vec<String>,
}

/// What one line gives: an entry, or why it is rejected (it is reported, not stored).
type LineOutcome<'l> = Result<Entry<'l>, String>;

/// What stays the same for every line of one call: the options and the fields they read.
struct LineReader<'o> {
    opts: &'o LogIngestOptions,
    base: Labels,
    /// The fields any option reads; the rest of a structured line is skipped, not parsed.
    wanted: Vec<&'o str>,
}

/// [`ingest_logs`] for a piece of a longer input whose first line is line `lines_before + 1`
/// (a followed file read as it grows), so that messages keep naming the right line.
#[allow(clippy::too_many_arguments)]
pub fn ingest_log_lines(
    input: &mut dyn BufRead,
    name: &str,
    lines_before: u64,
    opts: &LogIngestOptions,
    state: &mut LogIngestState,
    sink: &mut dyn LogSink,
    report: &mut LogIngestReport,
    progress: &mut dyn FnMut(u64),
) -> Result<(), LogIngestError> {
    let mut wanted: Vec<&str> = Vec::new();
    for f in opts
        .time_field
        .iter()
        .chain(&opts.label_from)
        .chain(&opts.metadata_from)
    {
        if !wanted.contains(&f.as_str()) {
            wanted.push(f);
        }
    }
    let reader = LineReader {
        opts,
        base: Labels::from_pairs(opts.labels.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        wanted,
    };
    let mut last_stream: Option<Labels> = None;
    let mut buf = Vec::with_capacity(1024);
    let mut lineno = lines_before;
    let mut offset = 0u64;
    loop {
        buf.clear();
        let n = input
            .read_until(b'\n', &mut buf)
            .map_err(|e| LogIngestError::Read(format!("{name}: cannot read: {e}")))?;
        if n == 0 {
            break;
        }
        offset += n as u64;
        lineno += 1;
        if lineno.is_multiple_of(4096) {
            progress(offset);
        }
        if buf.last() == Some(&b'\n') {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
        }
        report.lines += 1;
        let problem = |report: &mut LogIngestReport, what: String| {
            if report.problems.len() < opts.max_reported {
                report.problems.push(format!("{name}:{lineno}: {what}"));
            }
        };
        let entry = match reader.entry(&buf, state, report, name, lineno) {
            Ok(e) => e,
            Err(why) => {
                report.rejected += 1;
                problem(report, format!("{why}: rejected"));
                continue;
            }
        };
        if !entry.repairs.is_empty() {
            report.repaired += 1;
        }
        for r in entry.repairs {
            problem(report, r);
        }
        if entry.labels.is_empty() {
            return Err(LogIngestError::NoLabels(format!(
                "{name}:{lineno}: the line has no labels (and is not a record of `argus export --logs`): give at least one --label (for example --label job=myapp)"
            )));
        }
        // Consecutive lines nearly always share a stream: skip the set lookup then.
        let seen = last_stream.as_ref().is_some_and(|l| *l == entry.labels);
        if !seen && !state.streams.contains(&entry.labels) {
            if state.streams.len() >= opts.max_streams {
                return Err(LogIngestError::TooManyStreams(format!(
                    "{name}:{lineno}: more than {} streams (--max-streams): a label with many values (an id, a timestamp) makes a stream per value; keep such fields in the line or as structured metadata. Nothing was stored.",
                    opts.max_streams
                )));
            }
            state.streams.insert(entry.labels.clone());
        }
        if !seen {
            last_stream = Some(entry.labels.clone());
        }
        report.bytes += entry.line.len() as u64;
        sink.append(&entry.labels, entry.t, &entry.line, entry.metadata)
            .map_err(|source| LogIngestError::Sink {
                at: format!("{name}:{lineno}"),
                source,
            })?;
        report.appended += 1;
    }
    progress(offset);
    Ok(())
}

impl LineReader<'_> {
    /// The entry one line (without its line feed) gives, or why it is rejected.
    fn entry<'b>(
        &self,
        buf: &'b [u8],
        state: &mut LogIngestState,
        report: &mut LogIngestReport,
        name: &str,
        lineno: u64,
    ) -> LineOutcome<'b> {
        let opts = self.opts;
        // A record of `argus export --logs` is valid UTF-8 JSON starting with `{`.
        if matches!(opts.format, LineFormat::Auto | LineFormat::Export) {
            let record = std::str::from_utf8(buf)
                .ok()
                .filter(|l| may_be_record(l))
                .and_then(parse_record);
            match record {
                Some((r, t)) => return self.exported_entry(r, t, state),
                None if opts.format == LineFormat::Export => {
                    return Err(
                        "not a record of `argus export --logs` (--format export)".to_string()
                    )
                }
                None => {}
            }
        }
        if buf.len() > opts.max_line_bytes {
            return Err(format!(
                "line of {} bytes is longer than the limit of {} (--max-line-bytes)",
                buf.len(),
                opts.max_line_bytes
            ));
        }
        let mut repairs = Vec::new();
        let line: Cow<str> = match std::str::from_utf8(buf) {
            Ok(s) => Cow::Borrowed(s),
            Err(e) => {
                repairs.push(format!(
                    "invalid UTF-8 at byte {}: kept, with U+FFFD for each bad sequence",
                    e.valid_up_to() + 1
                ));
                Cow::Owned(String::from_utf8_lossy(buf).into_owned())
            }
        };
        let fields = wanted_fields(&line, opts.format, &self.wanted);
        let field = |k: &str| {
            let i = self.wanted.iter().position(|w| *w == k)?;
            fields[i].as_deref()
        };
        let t = match self.time_of(&line, &field) {
            Some(Ok(t)) => t,
            Some(Err(why)) => {
                repairs.push(format!("{why}: kept with the time of arrival"));
                state.next_arrival(opts.arrival_ns)
            }
            None => state.next_arrival(opts.arrival_ns),
        };
        let labels = self.promoted_labels(&field, state, report, name, lineno)?;
        let metadata: Vec<(String, String)> = opts
            .metadata_from
            .iter()
            .filter_map(|k| field(k).map(|v| (sanitize_label_name(k), v.to_string())))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        Ok(Entry {
            labels,
            t,
            line,
            metadata,
            repairs,
        })
    }

    /// The time `--time-field` and `--time-format` give the line: `None` for the time of
    /// arrival, an error (reported) when the time named cannot be read or stored.
    fn time_of<'f>(
        &self,
        line: &str,
        field: &dyn Fn(&str) -> Option<&'f str>,
    ) -> Option<Result<i64, String>> {
        let opts = self.opts;
        match (&opts.time_field, opts.time_format) {
            (_, TimeFormat::Arrival) => None,
            (Some(f), fmt) => Some(match field(f) {
                None => Err(format!("no field {}", quoted(f))),
                Some(v) => parse_log_time(v, fmt).unwrap_or_else(|| {
                    Err(format!("field {} = {} is not a time", quoted(f), quoted(v)))
                }),
            }),
            (None, TimeFormat::Auto) => find_time(line, opts.format),
            (None, fmt) => Some(
                time_of_raw_line(line, fmt)
                    .unwrap_or_else(|| Err("no timestamp at the start of the line".to_string())),
            ),
        }
    }

    /// The static labels plus the fields promoted with `--label-from`. An error rejects the
    /// line (a promoted value too long to be a label).
    fn promoted_labels<'f>(
        &self,
        field: &dyn Fn(&str) -> Option<&'f str>,
        state: &mut LogIngestState,
        report: &mut LogIngestReport,
        name: &str,
        lineno: u64,
    ) -> Result<Labels, String> {
        let opts = self.opts;
        if opts.label_from.is_empty() {
            return Ok(self.base.clone());
        }
        let mut extra: Vec<(String, String)> = Vec::new();
        for k in &opts.label_from {
            let Some(v) = field(k) else { continue };
            if v.is_empty() {
                continue;
            }
            let label = sanitize_label_name(k);
            check_label_size(&label, v).map_err(|m| format!("field {k}: {m}"))?;
            let seen = state.promoted.entry(k.clone()).or_default();
            if !seen.contains(v) {
                if seen.len() >= opts.max_label_values {
                    if state.warned_bound.insert(k.clone()) {
                        report.warnings.push(format!(
                            "{name}:{lineno}: field {k} has more than {} distinct values (--max-label-values); further values stay in the line only",
                            opts.max_label_values
                        ));
                    }
                    continue;
                }
                seen.insert(v.to_string());
            }
            extra.push((label, v.to_string()));
        }
        if extra.is_empty() {
            return Ok(self.base.clone());
        }
        let mut b = self.base.to_builder();
        for (k, v) in extra {
            // Static labels win over promoted fields of the same name.
            if b.get(&k).is_none() {
                b.set(k, v);
            }
        }
        Ok(b.build())
    }

    /// The entry an exported record gives: its own stream (under the static `--label`s, which
    /// win), line and metadata, and its exact time when the store can hold it.
    fn exported_entry<'b>(
        &self,
        r: ExportRecord,
        t: i64,
        state: &mut LogIngestState,
    ) -> LineOutcome<'b> {
        let opts = self.opts;
        for (k, v) in &r.stream {
            if !is_valid_label_name(k) {
                return Err(format!("label name {} is not valid", quoted(k)));
            }
            check_label_size(k, v)?;
        }
        if r.line.len() > opts.max_line_bytes {
            return Err(format!(
                "line of {} bytes is longer than the limit of {} (--max-line-bytes)",
                r.line.len(),
                opts.max_line_bytes
            ));
        }
        let mut b = Labels::from_pairs(r.stream).to_builder();
        for (k, v) in &opts.labels {
            b.set(k.clone(), v.clone());
        }
        let mut repairs = Vec::new();
        let t = match check_log_time(t) {
            Ok(()) => t,
            Err(why) => {
                repairs.push(format!("{why}: kept with the time of arrival"));
                state.next_arrival(opts.arrival_ns)
            }
        };
        Ok(Entry {
            labels: b.build(),
            t,
            line: Cow::Owned(r.line),
            metadata: r.metadata.into_iter().collect(),
            repairs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LogEntry;

    #[derive(Default)]
    struct Collect(Vec<(Labels, LogEntry)>);
    impl LogSink for Collect {
        fn append(
            &mut self,
            labels: &Labels,
            t: i64,
            line: &str,
            metadata: Vec<(String, String)>,
        ) -> Result<(), StoreError> {
            let line = line.to_string();
            self.0
                .push((labels.clone(), LogEntry { t, line, metadata }));
            Ok(())
        }
    }

    fn run(
        input: &[u8],
        opts: &LogIngestOptions,
    ) -> (Collect, LogIngestReport, Result<(), LogIngestError>) {
        let mut sink = Collect::default();
        let mut report = LogIngestReport::default();
        let mut state = LogIngestState::default();
        let mut r: &[u8] = input;
        let res = ingest_logs(
            &mut r,
            "in.log",
            opts,
            &mut state,
            &mut sink,
            &mut report,
            &mut |_| {},
        );
        (sink, report, res)
    }

    fn opts() -> LogIngestOptions {
        LogIngestOptions {
            labels: vec![("job".into(), "app".into())],
            arrival_ns: 42,
            ..Default::default()
        }
    }

    #[test]
    fn json_lines_give_time_labels_and_metadata() {
        let o = LogIngestOptions {
            time_field: Some("ts".into()),
            label_from: vec!["level".into()],
            metadata_from: vec!["trace-id".into()],
            ..opts()
        };
        let input = b"{\"ts\":\"2026-01-01T00:00:00.5Z\",\"level\":\"error\",\"trace-id\":\"abc\",\"msg\":\"x\"}\n{\"ts\":1767225600123,\"level\":\"info\"}\r\n";
        let (sink, report, res) = run(input, &o);
        res.unwrap();
        assert_eq!(report.appended, 2);
        let (l, e) = &sink.0[0];
        assert_eq!(l.get("level"), Some("error"));
        assert_eq!(l.get("job"), Some("app"));
        assert_eq!(e.t, 1_767_225_600_500_000_000);
        assert_eq!(
            e.metadata,
            vec![("trace_id".to_string(), "abc".to_string())]
        );
        assert_eq!(sink.0[1].1.t, 1_767_225_600_123_000_000);
        assert!(!sink.0[1].1.line.ends_with('\r'));
    }

    #[test]
    fn logfmt_pairs_decode_quotes() {
        assert_eq!(
            logfmt_pairs(r#"level=warn msg="disk \"sda\" full" bare x= y=2"#),
            vec![
                ("level".into(), "warn".into()),
                ("msg".into(), "disk \"sda\" full".into()),
                ("x".into(), "".into()),
                ("y".into(), "2".into())
            ]
        );
    }

    #[test]
    fn times_are_found_by_default_and_arrival_times_stay_distinct() {
        let input = b"2026-01-01T00:00:00Z one\nno time\nno time\nts=1767225601 two\n";
        let (sink, report, res) = run(input, &opts());
        res.unwrap();
        let times: Vec<i64> = sink.0.iter().map(|(_, e)| e.t).collect();
        assert_eq!(
            times,
            [1_767_225_600_000_000_000, 42, 43, 1_767_225_601_000_000_000]
        );
        // Finding no time is not a problem to report.
        assert_eq!((report.repaired, report.problems.len()), (0, 0));
        let o = LogIngestOptions {
            time_format: TimeFormat::Arrival,
            ..opts()
        };
        let (sink, _, res) = run(input, &o);
        res.unwrap();
        let times: Vec<i64> = sink.0.iter().map(|(_, e)| e.t).collect();
        assert_eq!(times, [42, 43, 44, 45]);
    }

    #[test]
    fn exported_records_are_restored() {
        let input = concat!(
            r#"{"line":"x \"y\"","metadata":{"req":"r1"},"stream":{"app":"a","env":"prod"},"ts":"1767225600000000001"}"#,
            "\n",
            r#"{"line":"z","stream":{"app":"b"},"ts":"-9223372036854775808"}"#,
            "\n",
            r#"{"line":"z","stream":{"bad-name":"b"},"ts":"1"}"#,
            "\n",
            "plain\n",
        );
        let o = LogIngestOptions {
            labels: vec![("env".into(), "test".into())],
            ..opts()
        };
        let (sink, report, res) = run(input.as_bytes(), &o);
        res.unwrap();
        assert_eq!(
            (report.appended, report.rejected, report.repaired),
            (3, 1, 1)
        );
        let (l, e) = &sink.0[0];
        assert_eq!((l.get("app"), l.get("env")), (Some("a"), Some("test")));
        assert_eq!(e.t, 1_767_225_600_000_000_001);
        assert_eq!(e.line, "x \"y\"");
        assert_eq!(e.metadata, [("req".to_string(), "r1".to_string())]);
        assert_eq!(sink.0[1].1.t, 42);
        assert!(
            report.problems[0].starts_with("in.log:2: timestamp"),
            "{:?}",
            report.problems
        );
        assert!(
            report.problems[1].starts_with("in.log:3: label name"),
            "{:?}",
            report.problems
        );
        // The plain line is an ordinary line of the static labels.
        assert_eq!(sink.0[2].0.get("env"), Some("test"));
        // Said explicitly, anything else is rejected.
        let o = LogIngestOptions {
            format: LineFormat::Export,
            ..opts()
        };
        let (sink, report, res) = run(input.as_bytes(), &o);
        res.unwrap();
        assert_eq!((sink.0.len(), report.rejected), (2, 2));
        assert!(
            report.problems[2].starts_with("in.log:4: not a record"),
            "{:?}",
            report.problems
        );
    }

    #[test]
    fn a_promoted_label_too_long_rejects_its_line() {
        let o = LogIngestOptions {
            label_from: vec!["user".into()],
            ..opts()
        };
        let big = "u".repeat(crate::model::limits::MAX_LABEL_VALUE_BYTES + 1);
        let input = format!("user=a msg=x\nuser={big} msg=y\n");
        let (sink, report, res) = run(input.as_bytes(), &o);
        res.unwrap();
        assert_eq!((sink.0.len(), report.rejected), (1, 1));
        assert!(report.problems[0].starts_with("in.log:2: field user: the value of label"));
        assert!(report.problems[0].len() < 300, "{}", report.problems[0]);
    }

    #[test]
    fn bad_input_follows_the_documented_rules() {
        let o = LogIngestOptions {
            max_line_bytes: 10,
            time_format: TimeFormat::Rfc3339,
            ..opts()
        };
        let (sink, report, res) = run(b"short\nthis line is too long\nbad \xff byte\n", &o);
        res.unwrap();
        assert_eq!((report.appended, report.rejected), (2, 1));
        assert_eq!(sink.0[1].1.line, "bad \u{fffd} byte");
        // No timestamp at the start: kept with the arrival time.
        assert_eq!(sink.0[0].1.t, 42);
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.starts_with("in.log:2: line of 21 bytes")),
            "{:?}",
            report.problems
        );
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.starts_with("in.log:3: invalid UTF-8 at byte 5")),
            "{:?}",
            report.problems
        );
    }

    #[test]
    fn stream_and_label_value_bounds() {
        let o = LogIngestOptions {
            label_from: vec!["user".into()],
            max_streams: 3,
            ..opts()
        };
        let input: String = (0..10).map(|i| format!("user={i} msg=x\n")).collect();
        let (_, _, res) = run(input.as_bytes(), &o);
        let err = res.unwrap_err().to_string();
        assert!(err.starts_with("in.log:4: more than 3 streams"), "{err}");
        let o = LogIngestOptions {
            label_from: vec!["user".into()],
            max_label_values: 2,
            ..opts()
        };
        let (sink, report, res) = run(input.as_bytes(), &o);
        res.unwrap();
        assert_eq!(
            sink.0
                .iter()
                .filter(|(l, _)| l.get("user").is_some())
                .count(),
            2
        );
        assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    }

    #[test]
    fn id_like_labels_are_noticed() {
        let mut st = LogIngestState::default();
        for i in 0..30 {
            st.streams.insert(Labels::from_pairs([
                ("job", "a".to_string()),
                ("req", format!("{i:08x}-aaaa-bbbb")),
            ]));
        }
        let w = st.id_like_labels();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].starts_with("label req has 30 distinct values"));
    }
}
