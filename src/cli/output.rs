//! Printers for query results: one function per output format.
//!
//! JSON is shaped like the `data` member of Prometheus' HTTP API (`resultType` + `result`), so
//! tools written for Prometheus read it. CSV and TSV have the header `series,timestamp,value`
//! with the series in PromQL notation and the timestamp in Unix seconds, one row per sample,
//! so that `sort -t, -k3 -n` sorts by value. Tables are for people: RFC 3339 times.
//! Values print as Prometheus prints them: shortest exact decimal, `NaN`, `+Inf`, `-Inf`.

use crate::model::time::{format_rfc3339, UnixSeconds};
use crate::model::Labels;
use crate::promql::value::Value;
use clap::ValueEnum;
use serde_json::json;
use std::io::{self, Write};

/// Every output format of every subcommand; each subcommand accepts a subset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned table for people (the default on a terminal).
    Table,
    /// JSON shaped like the Prometheus HTTP API's `data`.
    Json,
    /// Comma-separated values with a header.
    Csv,
    /// Tab-separated values with a header.
    Tsv,
    /// One JSON object per line (export).
    Jsonl,
    /// OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export).
    Openmetrics,
    /// Log lines only, one per line (logs).
    Raw,
}

impl OutputFormat {
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Table => "table",
            OutputFormat::Json => "json",
            OutputFormat::Csv => "csv",
            OutputFormat::Tsv => "tsv",
            OutputFormat::Jsonl => "jsonl",
            OutputFormat::Openmetrics => "openmetrics",
            OutputFormat::Raw => "raw",
        }
    }
}

/// Formats a sample value exactly as Prometheus' API does.
pub fn format_value(v: f64) -> String {
    let mut s = String::new();
    push_value(&mut s, v);
    s
}

/// Appends `v` as [`format_value`] spells it, without allocating.
fn push_value(buf: &mut String, v: f64) {
    use std::fmt::Write as _;
    if v.is_nan() {
        buf.push_str("NaN");
    } else if v == f64::INFINITY {
        buf.push_str("+Inf");
    } else if v == f64::NEG_INFINITY {
        buf.push_str("-Inf");
    } else {
        let _ = write!(buf, "{v}");
    }
}

/// A JSON number of Unix seconds with millisecond precision, as Prometheus returns times.
fn json_time(t: i64) -> serde_json::Value {
    let text = UnixSeconds(t).to_string();
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}

/// A label set as a JSON object, as both APIs write `metric` and `stream`.
pub fn labels_json(l: &Labels) -> serde_json::Value {
    let map: serde_json::Map<String, serde_json::Value> = l
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
        .collect();
    serde_json::Value::Object(map)
}

/// The Prometheus API `data` object for a value.
pub fn value_to_json(value: &Value) -> serde_json::Value {
    let result = match value {
        Value::Scalar { t, v } => json!([json_time(*t), format_value(*v)]),
        Value::String { t, v } => json!([json_time(*t), v]),
        Value::Vector(samples) => serde_json::Value::Array(
            samples
                .iter()
                .map(|s| json!({"metric": labels_json(&s.labels), "value": [json_time(s.t), format_value(s.v)]}))
                .collect(),
        ),
        Value::Matrix(series) => serde_json::Value::Array(
            series
                .iter()
                .map(|s| {
                    let values: Vec<_> = s
                        .samples
                        .iter()
                        .map(|p| json!([json_time(p.t), format_value(p.v)]))
                        .collect();
                    json!({"metric": labels_json(&s.labels), "values": values})
                })
                .collect(),
        ),
    };
    json!({"resultType": value.type_name(), "result": result})
}

/// Writes the API `data` object directly, without building a JSON tree: a range query can
/// return millions of points, and a tree would cost an allocation for each.
pub fn write_json(out: &mut dyn Write, value: &Value) -> io::Result<()> {
    out.write_all(b"{")?;
    write_json_fields(out, value)?;
    out.write_all(b"}\n")
}

/// The members of the API `data` object (`"resultType":…,"result":…`) without the braces, so
/// that a server can add its own (`stats`) beside them.
pub fn write_json_fields(out: &mut dyn Write, value: &Value) -> io::Result<()> {
    fn string(out: &mut dyn Write, s: &str) -> io::Result<()> {
        serde_json::to_writer(&mut *out, s).map_err(io::Error::other)
    }
    fn labels(out: &mut dyn Write, l: &Labels) -> io::Result<()> {
        out.write_all(b"{")?;
        for (i, (k, v)) in l.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            string(out, k)?;
            out.write_all(b":")?;
            string(out, v)?;
        }
        out.write_all(b"}")
    }
    // Points are most of a range result: each is spelled into one reused buffer and
    // written with one call, instead of a formatting call per piece through `dyn Write`.
    fn point(out: &mut dyn Write, t: i64, v: f64) -> io::Result<()> {
        use std::fmt::Write as _;
        thread_local! {
            static BUF: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        BUF.with_borrow_mut(|buf| {
            buf.clear();
            let _ = write!(buf, "[{},\"", UnixSeconds(t));
            push_value(buf, v);
            buf.push_str("\"]");
            out.write_all(buf.as_bytes())
        })
    }
    write!(out, "\"resultType\":\"{}\",\"result\":", value.type_name())?;
    match value {
        Value::Scalar { t, v } => point(out, *t, *v)?,
        Value::String { t, v } => {
            write!(out, "[{},", UnixSeconds(*t))?;
            string(out, v)?;
            out.write_all(b"]")?;
        }
        Value::Vector(samples) => {
            out.write_all(b"[")?;
            for (i, s) in samples.iter().enumerate() {
                out.write_all(if i > 0 {
                    b",{\"metric\":"
                } else {
                    b"{\"metric\":"
                })?;
                labels(out, &s.labels)?;
                out.write_all(b",\"value\":")?;
                point(out, s.t, s.v)?;
                out.write_all(b"}")?;
            }
            out.write_all(b"]")?;
        }
        Value::Matrix(series) => {
            out.write_all(b"[")?;
            for (i, s) in series.iter().enumerate() {
                out.write_all(if i > 0 {
                    b",{\"metric\":"
                } else {
                    b"{\"metric\":"
                })?;
                labels(out, &s.labels)?;
                out.write_all(b",\"values\":[")?;
                for (j, p) in s.samples.iter().enumerate() {
                    if j > 0 {
                        out.write_all(b",")?;
                    }
                    point(out, p.t, p.v)?;
                }
                out.write_all(b"]}")?;
            }
            out.write_all(b"]")?;
        }
    }
    Ok(())
}

/// Rows of (series, time, value) in output order.
fn rows(value: &Value) -> Vec<(String, i64, String)> {
    match value {
        Value::Scalar { t, v } => vec![(String::new(), *t, format_value(*v))],
        Value::String { t, v } => vec![(String::new(), *t, v.clone())],
        Value::Vector(samples) => samples
            .iter()
            .map(|s| (s.labels.to_string(), s.t, format_value(s.v)))
            .collect(),
        Value::Matrix(series) => series
            .iter()
            .flat_map(|s| {
                let name = s.labels.to_string();
                s.samples
                    .iter()
                    .map(move |p| (name.clone(), p.t, format_value(p.v)))
            })
            .collect(),
    }
}

/// Writes a query result in `format` to `out`.
pub fn write_value(out: &mut dyn Write, value: &Value, format: OutputFormat) -> io::Result<()> {
    match format {
        OutputFormat::Json => write_json(out, value),
        OutputFormat::Csv | OutputFormat::Tsv => {
            let delim = if format == OutputFormat::Csv {
                b','
            } else {
                b'\t'
            };
            let mut w = csv::WriterBuilder::new().delimiter(delim).from_writer(out);
            w.write_record(["series", "timestamp", "value"])
                .map_err(csv_to_io)?;
            for (series, t, v) in rows(value) {
                w.write_record([series, UnixSeconds(t).to_string(), v])
                    .map_err(csv_to_io)?;
            }
            w.flush()
        }
        OutputFormat::Table => write_table(out, value),
        other => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("query results cannot be printed as {}", other.name()),
        )),
    }
}

fn csv_to_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

fn write_table(out: &mut dyn Write, value: &Value) -> io::Result<()> {
    use tabled::{builder::Builder, settings::Style};
    let rows = rows(value);
    if rows.is_empty() {
        return writeln!(out, "(no data)");
    }
    let mut b = Builder::default();
    b.push_record(["SERIES", "TIME", "VALUE"]);
    for (series, t, v) in rows {
        b.push_record([series, format_rfc3339(t), v]);
    }
    let mut table = b.build();
    table.with(Style::blank());
    writeln!(out, "{table}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Sample, Series};
    use crate::promql::value::InstantSample;

    fn vector() -> Value {
        Value::Vector(vec![InstantSample {
            labels: Labels::from_pairs([("__name__", "up"), ("job", "node")]),
            t: 1_700_000_000_500,
            v: 1.0,
        }])
    }

    #[test]
    fn json_matches_prometheus_api_shape() {
        let j = value_to_json(&vector());
        assert_eq!(
            j.to_string(),
            r#"{"result":[{"metric":{"__name__":"up","job":"node"},"value":[1700000000.5,"1"]}],"resultType":"vector"}"#
        );
        let m = Value::Matrix(vec![Series {
            labels: Labels::from_pairs([("a", "b")]),
            samples: vec![Sample {
                t: 1000,
                v: f64::INFINITY,
            }],
        }]);
        assert_eq!(
            value_to_json(&m).to_string(),
            r#"{"result":[{"metric":{"a":"b"},"values":[[1,"+Inf"]]}],"resultType":"matrix"}"#
        );
    }

    #[test]
    fn streamed_json_equals_the_tree() {
        let m = Value::Matrix(vec![Series {
            labels: Labels::from_pairs([("a", "b\"c"), ("__name__", "x")]),
            samples: vec![
                Sample {
                    t: 1500,
                    v: f64::NAN,
                },
                Sample { t: 2000, v: 0.25 },
            ],
        }]);
        for v in [
            vector(),
            m,
            Value::Scalar { t: 5, v: 1.0 },
            Value::String {
                t: 5,
                v: "s\n".into(),
            },
        ] {
            let mut out = Vec::new();
            write_json(&mut out, &v).unwrap();
            let parsed: serde_json::Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(parsed, value_to_json(&v));
        }
    }

    #[test]
    fn csv_has_value_in_third_column() {
        let mut out = Vec::new();
        write_value(&mut out, &vector(), OutputFormat::Csv).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "series,timestamp,value\n\"up{job=\"\"node\"\"}\",1700000000.5,1\n"
        );
    }

    #[test]
    fn values_format_like_prometheus() {
        assert_eq!(format_value(0.1), "0.1");
        assert_eq!(format_value(1e21), "1000000000000000000000");
        assert_eq!(format_value(f64::NEG_INFINITY), "-Inf");
        assert_eq!(format_value(f64::NAN), "NaN");
    }
}
