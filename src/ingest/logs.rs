//! Log lines into log streams: `argus ingest logs`.
//!
//! Each input line becomes one entry. Its stream's labels are the static `--label`s plus
//! fields promoted with `--label-from`; its time comes from `--time-field` (JSON or logfmt
//! lines) or `--time-format` (raw lines), else the time of arrival; `--metadata-from` fields
//! travel as structured metadata. The rules for bad input are fixed and documented in
//! `man argus-ingest`:
//!
//! - invalid UTF-8 is kept, each bad sequence replaced by U+FFFD, and reported;
//! - a line longer than `max_line_bytes` is rejected (not stored) and reported;
//! - a timestamp that does not parse is replaced by the time of arrival and reported;
//! - more distinct streams than `max_streams` stop the ingest with an error, before anything
//!   is stored (label explosion);
//! - a promoted field with more than `max_label_values` distinct values is not promoted for
//!   the values past the bound (they stay in the line), and that is reported once.

pub use super::fields::logfmt_pairs;
use super::fields::wanted_fields;
use crate::logql::extract::sanitize_label_name;
use crate::model::Labels;
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
    ) -> Result<(), String>;
}

/// How to find fields in a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineFormat {
    /// JSON when the line starts with `{`, logfmt otherwise.
    Auto,
    Json,
    Logfmt,
    /// No fields: the line is opaque.
    Raw,
}

/// How to read a timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeFormat {
    /// RFC 3339, or a Unix time whose unit follows from its size (s, ms, µs, ns).
    Auto,
    Rfc3339,
    UnixSeconds,
    UnixMillis,
    UnixNanos,
    /// Apache/nginx common log format: `[10/Oct/2000:13:55:36 -0700]`.
    Common,
}

#[derive(Clone, Debug)]
pub struct LogIngestOptions {
    pub labels: Vec<(String, String)>,
    pub label_from: Vec<String>,
    pub metadata_from: Vec<String>,
    pub format: LineFormat,
    pub time_field: Option<String>,
    /// Read the time from raw lines (their start, or the `[...]` of the common log format).
    pub time_format: Option<TimeFormat>,
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
            time_format: None,
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
    pub stored: u64,
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
    #[error("{0}")]
    Sink(String),
}

/// The state of one ingest across its inputs: streams seen, promoted values per field.
#[derive(Default)]
pub struct LogIngestState {
    streams: HashSet<Labels>,
    promoted: HashMap<String, HashSet<String>>,
    warned_bound: HashSet<String>,
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
    let base = Labels::from_pairs(opts.labels.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    // The fields any option reads; the rest of a structured line is skipped, not parsed.
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
        if buf.len() > opts.max_line_bytes {
            report.rejected += 1;
            problem(
                report,
                format!(
                    "line of {} bytes is longer than the limit of {} (--max-line-bytes): rejected",
                    buf.len(),
                    opts.max_line_bytes
                ),
            );
            continue;
        }
        let mut repaired = false;
        let line: Cow<str> = match std::str::from_utf8(&buf) {
            Ok(s) => Cow::Borrowed(s),
            Err(e) => {
                repaired = true;
                problem(
                    report,
                    format!(
                        "invalid UTF-8 at byte {}: kept, with U+FFFD for each bad sequence",
                        e.valid_up_to() + 1
                    ),
                );
                Cow::Owned(String::from_utf8_lossy(&buf).into_owned())
            }
        };
        let fields = wanted_fields(&line, opts.format, &wanted);
        let field = |k: &str| {
            let i = wanted.iter().position(|w| *w == k)?;
            fields[i].as_deref()
        };
        // Time.
        let mut t = opts.arrival_ns;
        let parsed = match (&opts.time_field, opts.time_format) {
            (Some(f), fmt) => Some(field(f).ok_or_else(|| format!("no field {f:?}")).and_then(
                |v| {
                    parse_log_time(v, fmt.unwrap_or(TimeFormat::Auto))
                        .ok_or_else(|| format!("field {f:?} = {v:?} is not a time"))
                },
            )),
            (None, Some(fmt)) => Some(
                time_of_raw_line(&line, fmt)
                    .ok_or_else(|| "no timestamp at the start of the line".to_string()),
            ),
            (None, None) => None,
        };
        match parsed {
            Some(Ok(ns)) => t = ns,
            Some(Err(why)) => {
                repaired = true;
                problem(report, format!("{why}: kept with the time of arrival"));
            }
            None => {}
        }
        // Labels.
        let mut labels = base.clone();
        if !opts.label_from.is_empty() {
            let mut extra: Vec<(String, String)> = Vec::new();
            for k in &opts.label_from {
                let Some(v) = field(k) else { continue };
                if v.is_empty() {
                    continue;
                }
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
                extra.push((sanitize_label_name(k), v.to_string()));
            }
            if !extra.is_empty() {
                let mut pairs: Vec<(String, String)> = labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                for (k, v) in extra {
                    // Static labels win over promoted fields of the same name.
                    if !pairs.iter().any(|(n, _)| *n == k) {
                        pairs.push((k, v));
                    }
                }
                labels = Labels::from_pairs(pairs);
            }
        }
        if labels.is_empty() {
            return Err(LogIngestError::Sink(format!(
                "{name}:{lineno}: the line has no labels: give at least one --label (for example --label job=myapp)"
            )));
        }
        // Consecutive lines nearly always share a stream: skip the set lookup then.
        let seen = last_stream.as_ref().is_some_and(|l| *l == labels);
        if !seen && !state.streams.contains(&labels) {
            if state.streams.len() >= opts.max_streams {
                return Err(LogIngestError::TooManyStreams(format!(
                    "{name}:{lineno}: more than {} streams (--max-streams): a label with many values (an id, a timestamp) makes a stream per value; keep such fields in the line or as structured metadata. Nothing was stored.",
                    opts.max_streams
                )));
            }
            state.streams.insert(labels.clone());
        }
        if !seen {
            last_stream = Some(labels.clone());
        }
        let metadata: Vec<(String, String)> = opts
            .metadata_from
            .iter()
            .filter_map(|k| field(k).map(|v| (sanitize_label_name(k), v.to_string())))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        if repaired {
            report.repaired += 1;
        }
        report.bytes += line.len() as u64;
        sink.append(&labels, t, &line, metadata)
            .map_err(|e| LogIngestError::Sink(format!("{name}:{lineno}: {e}")))?;
        report.stored += 1;
    }
    progress(offset);
    Ok(())
}

/// A time value from a field: RFC 3339, or Unix time in the unit `fmt` names (`Auto`: by the
/// number's size: seconds below 1e11, milliseconds below 1e14, microseconds below 1e17,
/// nanoseconds above).
pub fn parse_log_time(v: &str, fmt: TimeFormat) -> Option<i64> {
    let v = v.trim();
    let rfc = || {
        chrono::DateTime::parse_from_rfc3339(v)
            .ok()
            .and_then(|d| d.timestamp_nanos_opt())
    };
    match fmt {
        TimeFormat::Rfc3339 => rfc(),
        TimeFormat::UnixSeconds => scaled_decimal(v, 9),
        TimeFormat::UnixMillis => scaled_decimal(v, 6),
        TimeFormat::UnixNanos => v.parse::<i64>().ok(),
        TimeFormat::Common => parse_common(v),
        TimeFormat::Auto => {
            if let Some(t) = rfc() {
                return Some(t);
            }
            if let Ok(i) = v.parse::<i64>() {
                let a = i.unsigned_abs();
                return Some(if a < 100_000_000_000 {
                    i.checked_mul(1_000_000_000)?
                } else if a < 100_000_000_000_000 {
                    i.checked_mul(1_000_000)?
                } else if a < 100_000_000_000_000_000 {
                    i.checked_mul(1_000)?
                } else {
                    i
                });
            }
            // A fraction: seconds.
            scaled_decimal(v, 9)
        }
    }
}

/// A decimal number times 10^`digits`, exactly (`1.25` with 9 digits is 1_250_000_000);
/// digits past the scale are cut off.
fn scaled_decimal(v: &str, digits: u32) -> Option<i64> {
    let (neg, v) = match v.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, v),
    };
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let scale = 10i64.pow(digits);
    let mut n = if int.is_empty() {
        0
    } else {
        int.parse::<i64>().ok()?
    }
    .checked_mul(scale)?;
    let mut place = scale / 10;
    for b in frac.bytes().take(digits as usize) {
        n = n.checked_add((b - b'0') as i64 * place)?;
        place /= 10;
    }
    Some(if neg { -n } else { n })
}

/// `10/Oct/2000:13:55:36 -0700` (brackets optional).
fn parse_common(v: &str) -> Option<i64> {
    // Fixed positions, read directly: a general strftime parser costs more than the rest of
    // ingesting an nginx line.
    let v = v.trim_start_matches('[').trim_end_matches(']').as_bytes();
    if v.len() != 26 || v[2] != b'/' || v[6] != b'/' || v[11] != b':' || v[20] != b' ' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = std::str::from_utf8(v.get(r)?).ok()?;
        s.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let month = MONTHS.iter().position(|m| &v[3..6] == *m)? as u32 + 1;
    let date = chrono::NaiveDate::from_ymd_opt(num(7..11)? as i32, month, num(0..2)?)?;
    let time = date.and_hms_opt(num(12..14)?, num(15..17)?, num(18..20)?)?;
    let sign = match v[21] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let offset = sign * (num(22..24)? as i64 * 3600 + num(24..26)? as i64 * 60);
    let secs = time.and_utc().timestamp() - offset;
    secs.checked_mul(1_000_000_000)
}

/// The timestamp of a raw line: for the common log format the first `[...]`, otherwise the
/// line's first whitespace-separated token.
pub fn time_of_raw_line(line: &str, fmt: TimeFormat) -> Option<i64> {
    if fmt == TimeFormat::Common || (fmt == TimeFormat::Auto && line.contains(" [")) {
        if let (Some(a), Some(b)) = (line.find('['), line.find(']')) {
            if a < b {
                if let Some(t) = parse_common(&line[a + 1..b]) {
                    return Some(t);
                }
            }
        }
        if fmt == TimeFormat::Common {
            return None;
        }
    }
    let token = line.split_whitespace().next()?;
    parse_log_time(token, fmt)
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
        ) -> Result<(), String> {
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
        assert_eq!(report.stored, 2);
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
    fn logfmt_common_log_and_unix_times() {
        assert_eq!(
            logfmt_pairs(r#"level=warn msg="disk \"sda\" full" bare x= y=2"#),
            vec![
                ("level".into(), "warn".into()),
                ("msg".into(), "disk \"sda\" full".into()),
                ("x".into(), "".into()),
                ("y".into(), "2".into())
            ]
        );
        let clf = r#"127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326"#;
        assert_eq!(
            time_of_raw_line(clf, TimeFormat::Auto),
            Some(971_211_336_000_000_000)
        );
        assert_eq!(
            parse_log_time("1700000000", TimeFormat::Auto),
            Some(1_700_000_000_000_000_000)
        );
        assert_eq!(
            parse_log_time("1700000000.25", TimeFormat::Auto),
            Some(1_700_000_000_250_000_000)
        );
        assert_eq!(
            parse_log_time("1700000000000000", TimeFormat::Auto),
            Some(1_700_000_000_000_000_000)
        );
        assert_eq!(
            parse_log_time("1700000000000000001", TimeFormat::Auto),
            Some(1_700_000_000_000_000_001)
        );
        assert_eq!(
            time_of_raw_line("2026-01-01T00:00:00Z INFO started", TimeFormat::Rfc3339),
            Some(1_767_225_600_000_000_000)
        );
    }

    #[test]
    fn bad_input_follows_the_documented_rules() {
        let o = LogIngestOptions {
            max_line_bytes: 10,
            time_format: Some(TimeFormat::Rfc3339),
            ..opts()
        };
        let (sink, report, res) = run(b"short\nthis line is too long\nbad \xff byte\n", &o);
        res.unwrap();
        assert_eq!((report.stored, report.rejected), (2, 1));
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
