//! Printers for query results: one function per output format.
//!
//! JSON is shaped like the `data` member of Prometheus' HTTP API (written by `promql::json`), so
//! tools written for Prometheus read it. CSV and TSV have the header `series,timestamp,value`
//! with the series in PromQL notation and the timestamp in Unix seconds, one row per sample,
//! so that `sort -t, -k3 -n` sorts by value. Tables are for people: RFC 3339 times.
//! Values print as Prometheus prints them: shortest exact decimal, `NaN`, `+Inf`, `-Inf`.

use crate::model::time::{format_rfc3339, UnixSeconds};
use crate::promql::json::format_api_value;
use crate::promql::value::Value;
use clap::ValueEnum;
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

/// Rows of (series, time, value) in output order.
fn rows(value: &Value) -> Vec<(String, i64, String)> {
    match value {
        Value::Scalar { t, v } => vec![(String::new(), *t, format_api_value(*v))],
        Value::String { t, v } => vec![(String::new(), *t, v.clone())],
        Value::Vector(samples) => samples
            .iter()
            .map(|s| (s.labels.to_string(), s.t, format_api_value(s.v)))
            .collect(),
        Value::Matrix(series) => series
            .iter()
            .flat_map(|s| {
                let name = s.labels.to_string();
                s.samples
                    .iter()
                    .map(move |p| (name.clone(), p.t, format_api_value(p.v)))
            })
            .collect(),
    }
}

/// Writes a query result in `format` to `out`.
pub fn write_value(out: &mut dyn Write, value: &Value, format: OutputFormat) -> io::Result<()> {
    match format {
        OutputFormat::Json => crate::promql::json::write_json(out, value),
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
    use crate::model::Labels;
    use crate::promql::value::InstantSample;

    fn vector() -> Value {
        Value::Vector(vec![InstantSample {
            labels: Labels::from_pairs([("__name__", "up"), ("job", "node")]),
            t: 1_700_000_000_500,
            v: 1.0,
        }])
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
}
