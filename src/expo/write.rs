//! Writers for OpenMetrics 1.0 text (export, re-ingestable by `promtool tsdb
//! create-blocks-from-openmetrics`) and the Prometheus text format (self-monitoring), with
//! the exact number formatting both share.
//!
//! They write what they are given in the order given; grouping series by metric name is the
//! caller's job (the OpenMetrics writer refuses interleaved names rather than silently
//! producing a file that Prometheus' tools reject). Staleness markers have no representation
//! in either format, so both writers skip them and count them in `skipped_stale()`.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::model::labels::escape_label_value;
use crate::model::{is_stale_nan, Labels, MetricMetadata, MetricType, METRIC_NAME};

/// Formats a value so that parsing it back gives the same `f64`: the shortest round-trip
/// digits, with an exponent for very large or small magnitudes, and `NaN`, `+Inf`, `-Inf`.
pub fn format_sample_value(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let a = v.abs();
    if a == 0.0 || (1e-4..1e21).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// The metric family a sample name belongs to, and that family's metadata, given the
/// metadata known by name: the name without a suffix that the family's type gives its samples
/// (`foo_total` → counter `foo`, `foo_bucket` → histogram `foo`, `foo_info` → info `foo`)
/// when such a family is known, else the name itself with its own metadata, if any. A name
/// joins a typed family only when OpenMetrics' naming rules for that type allow the suffix;
/// a counter whose samples lack `_total` stays a family of its own (an OpenMetrics writer
/// then announces it as `unknown`, keeping its HELP). Exports use it to find the metadata
/// that goes before a metric's samples.
///
/// The text format 0.0.4 names a counter's metadata after the sample (`x_total`) and
/// OpenMetrics after the family (`x`): both are found.
pub fn family_of<'m>(
    sample_name: &str,
    metadata: impl Fn(&str) -> Option<&'m MetricMetadata>,
) -> (String, Option<MetricMetadata>) {
    use MetricType::*;
    let typed = |family: &str, m: &MetricMetadata| {
        let mut m = m.clone();
        m.metric = family.to_string();
        (family.to_string(), Some(m))
    };
    const SUFFIXES: [(&str, &[MetricType]); 8] = [
        ("_total", &[Counter]),
        ("_created", &[Counter, Histogram, Summary]),
        ("_bucket", &[Histogram, GaugeHistogram]),
        ("_count", &[Histogram, Summary]),
        ("_sum", &[Histogram, Summary]),
        ("_gcount", &[GaugeHistogram]),
        ("_gsum", &[GaugeHistogram]),
        ("_info", &[Info]),
    ];
    for (suffix, kinds) in SUFFIXES {
        let Some(base) = sample_name.strip_suffix(suffix) else {
            continue;
        };
        for key in [base, sample_name] {
            if let Some(m) = metadata(key).filter(|m| kinds.contains(&m.kind)) {
                return typed(base, m);
            }
        }
    }
    match metadata(sample_name) {
        Some(m) => typed(sample_name, m),
        None => (sample_name.to_string(), None),
    }
}

/// Milliseconds as OpenMetrics seconds with at most three decimals, exactly
/// (`1700000000123` → `1700000000.123`, `-1` → `-0.001`).
pub fn format_om_timestamp(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let a = ms.unsigned_abs();
    let (secs, frac) = (a / 1000, a % 1000);
    if frac == 0 {
        format!("{sign}{secs}")
    } else {
        let f = format!("{frac:03}");
        format!("{sign}{secs}.{}", f.trim_end_matches('0'))
    }
}

/// Appends `name{a="b",...}` to `buf`. Labels other than `__name__` keep their sorted order.
fn push_series(buf: &mut String, labels: &Labels, name: &str) {
    buf.push_str(name);
    let mut first = true;
    for (k, v) in labels.iter().filter(|(k, _)| *k != METRIC_NAME) {
        buf.push(if first { '{' } else { ',' });
        first = false;
        let _ = write!(buf, "{k}=\"{}\"", escape_label_value(v));
    }
    if !first {
        buf.push('}');
    }
}

fn escape_help(help: &str, om: bool) -> String {
    let mut out = String::with_capacity(help.len());
    for c in help.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if om => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// Streams OpenMetrics text. Metadata passed to `write_metadata` is held until the next sample
/// so that the family name and type can be checked against the sample name: a counter whose
/// samples are not called `<family>_total` (common in the text format, e.g. mysqld_exporter's
/// `mysql_global_status_queries`) is written as `unknown`, so that strict OpenMetrics readers
/// accept the file; a text-format counter metadata named `x_total` becomes family `x`.
pub struct OpenMetricsWriter<W: Write> {
    out: W,
    buf: String,
    pending: Option<MetricMetadata>,
    last_name: Option<String>,
    done_names: HashSet<String>,
    /// Family names already announced: a family may be described only once per exposition.
    families: HashSet<String>,
    skipped_stale: u64,
}

impl<W: Write> OpenMetricsWriter<W> {
    pub fn new(out: W) -> Self {
        OpenMetricsWriter {
            out,
            buf: String::with_capacity(256),
            pending: None,
            last_name: None,
            done_names: HashSet::new(),
            families: HashSet::new(),
            skipped_stale: 0,
        }
    }

    /// Announces the metadata of the family whose samples follow (`# TYPE`, `# HELP`,
    /// `# UNIT`; written just before the next sample or at the end).
    pub fn write_metadata(&mut self, md: &MetricMetadata) -> io::Result<()> {
        self.flush_pending(None)?;
        self.pending = Some(md.clone());
        Ok(())
    }

    /// Writes `name{labels} value seconds`. Staleness markers are skipped and counted. All
    /// samples of one metric name must come together, else `InvalidInput`.
    pub fn write_sample(&mut self, labels: &Labels, t_ms: i64, v: f64) -> io::Result<()> {
        if is_stale_nan(v) {
            self.skipped_stale += 1;
            return Ok(());
        }
        let name = labels
            .metric_name()
            .ok_or_else(|| invalid(format!("sample {labels} has no metric name")))?;
        self.flush_pending(Some(name))?;
        if self.last_name.as_deref() != Some(name) {
            if self.done_names.contains(name) {
                return Err(invalid(format!(
                    "samples of metric {name} are not contiguous: OpenMetrics needs all samples \
                     of a metric together"
                )));
            }
            if let Some(prev) = self.last_name.replace(name.to_string()) {
                self.done_names.insert(prev);
            }
        }
        self.buf.clear();
        push_series(&mut self.buf, labels, name);
        self.buf.push(' ');
        self.buf.push_str(&format_sample_value(v));
        self.buf.push(' ');
        self.buf.push_str(&format_om_timestamp(t_ms));
        self.buf.push('\n');
        self.out.write_all(self.buf.as_bytes())
    }

    /// How many staleness markers were skipped.
    pub fn skipped_stale(&self) -> u64 {
        self.skipped_stale
    }

    /// Writes `# EOF` and returns the output, flushed.
    pub fn finish(mut self) -> io::Result<W> {
        self.flush_pending(None)?;
        self.out.write_all(b"# EOF\n")?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn flush_pending(&mut self, sample: Option<&str>) -> io::Result<()> {
        let Some(md) = self.pending.take() else {
            return Ok(());
        };
        if !crate::model::labels::is_valid_metric_name(&md.metric) {
            return Ok(());
        }
        let (mut family, mut kind) = om_family(&md, sample);
        if self.families.contains(&family) {
            // Two text-format families can map to one OpenMetrics name (node_exporter has a
            // gauge `go_memstats_alloc_bytes` and a counter `go_memstats_alloc_bytes_total`);
            // the second keeps its own name, untyped, or goes without metadata.
            if family == md.metric || self.families.contains(&md.metric) {
                return Ok(());
            }
            (family, kind) = (md.metric.clone(), MetricType::Unknown);
        }
        self.families.insert(family.clone());
        self.buf.clear();
        let _ = writeln!(self.buf, "# TYPE {family} {}", kind.as_str());
        if !md.help.is_empty() {
            let _ = writeln!(self.buf, "# HELP {family} {}", escape_help(&md.help, true));
        }
        let u = &md.unit;
        if !u.is_empty() && super::parse::unit_is_suffix(&family, u) {
            let _ = writeln!(self.buf, "# UNIT {family} {u}");
        }
        self.out.write_all(self.buf.as_bytes())
    }
}

/// The OpenMetrics family name and type for metadata `md`, given the first sample name that
/// follows it (if any).
fn om_family(md: &MetricMetadata, sample: Option<&str>) -> (String, MetricType) {
    let f = md.metric.as_str();
    let suffixed = |suffix: &str| -> Option<(String, MetricType)> {
        let base = f.strip_suffix(suffix)?;
        Some((base.to_string(), md.kind))
    };
    match md.kind {
        MetricType::Counter | MetricType::Info => {
            let suffix = if md.kind == MetricType::Counter {
                "_total"
            } else {
                "_info"
            };
            match sample {
                Some(s)
                    if s.strip_prefix(f)
                        .is_some_and(|r| r == suffix || r == "_created") =>
                {
                    (f.to_string(), md.kind)
                }
                Some(s) if s == f => {
                    suffixed(suffix).unwrap_or_else(|| (f.to_string(), MetricType::Unknown))
                }
                _ => suffixed(suffix).unwrap_or_else(|| (f.to_string(), md.kind)),
            }
        }
        _ => (f.to_string(), md.kind),
    }
}

/// Streams the Prometheus text format 0.0.4 (for `/metrics`). Types that format lacks
/// (`gaugehistogram`, `info`, `stateset`, `unknown`) are written as `untyped`.
pub struct TextWriter<W: Write> {
    out: W,
    buf: String,
    skipped_stale: u64,
}

impl<W: Write> TextWriter<W> {
    pub fn new(out: W) -> Self {
        TextWriter {
            out,
            buf: String::with_capacity(256),
            skipped_stale: 0,
        }
    }

    /// `# HELP` (when there is help text) and `# TYPE`.
    pub fn write_metadata(&mut self, md: &MetricMetadata) -> io::Result<()> {
        self.buf.clear();
        if !md.help.is_empty() {
            let _ = writeln!(
                self.buf,
                "# HELP {} {}",
                md.metric,
                escape_help(&md.help, false)
            );
        }
        let kind = match md.kind {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::Summary => "summary",
            _ => "untyped",
        };
        let _ = writeln!(self.buf, "# TYPE {} {kind}", md.metric);
        self.out.write_all(self.buf.as_bytes())
    }

    /// Writes `name{labels} value [milliseconds]`; staleness markers are skipped.
    pub fn write_sample(&mut self, labels: &Labels, t_ms: Option<i64>, v: f64) -> io::Result<()> {
        if is_stale_nan(v) {
            self.skipped_stale += 1;
            return Ok(());
        }
        let name = labels
            .metric_name()
            .ok_or_else(|| invalid(format!("sample {labels} has no metric name")))?;
        self.buf.clear();
        push_series(&mut self.buf, labels, name);
        self.buf.push(' ');
        self.buf.push_str(&format_sample_value(v));
        if let Some(t) = t_ms {
            let _ = write!(self.buf, " {t}");
        }
        self.buf.push('\n');
        self.out.write_all(self.buf.as_bytes())
    }

    pub fn skipped_stale(&self) -> u64 {
        self.skipped_stale
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}
