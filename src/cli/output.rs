//! Printers for query results: one function per output format.
//!
//! JSON is shaped like the `data` member of Prometheus' HTTP API (written by `promql::json`), so
//! tools written for Prometheus read it. CSV and TSV have one column per label name of the
//! result (`__name__` first, then sorted), then `timestamp` (Unix seconds) and `value`, one row
//! per sample, so that `cut`, `sort -t, -kN -n` and spreadsheets find each label and the value
//! in a column of its own; CSV quotes as RFC 4180 says, TSV never quotes and escapes instead.
//! Tables are for people: RFC 3339 times.
//! Values print as Prometheus prints them: shortest exact decimal, `NaN`, `+Inf`, `-Inf`.

use crate::model::time::{format_rfc3339, UnixSeconds};
use crate::model::{Labels, METRIC_NAME};
use crate::promql::json::format_api_value;
use crate::promql::value::Value;
use clap::ValueEnum;
use std::collections::BTreeSet;
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

/// One output row: the series' labels (none for a scalar or string), the time and the value.
struct Row<'a> {
    labels: Option<&'a Labels>,
    t: i64,
    value: String,
}

/// The rows of a result in output order: one per sample, series by series.
fn rows(value: &Value) -> Vec<Row<'_>> {
    match value {
        Value::Scalar { t, v } => vec![Row {
            labels: None,
            t: *t,
            value: format_api_value(*v),
        }],
        Value::String { t, v } => vec![Row {
            labels: None,
            t: *t,
            value: v.clone(),
        }],
        Value::Vector(samples) => samples
            .iter()
            .map(|s| Row {
                labels: Some(&s.labels),
                t: s.t,
                value: format_api_value(s.v),
            })
            .collect(),
        Value::Matrix(series) => series
            .iter()
            .flat_map(|s| {
                s.samples.iter().map(|p| Row {
                    labels: Some(&s.labels),
                    t: p.t,
                    value: format_api_value(p.v),
                })
            })
            .collect(),
    }
}

/// The label columns of a CSV or TSV result: every label name of any row, `__name__` first,
/// the others sorted.
fn label_columns(rows: &[Row<'_>]) -> Vec<String> {
    let mut names: BTreeSet<&str> = BTreeSet::new();
    for labels in rows.iter().filter_map(|r| r.labels) {
        names.extend(labels.iter().map(|(k, _)| k));
    }
    let name_first = names.remove(METRIC_NAME);
    name_first
        .then_some(METRIC_NAME)
        .into_iter()
        .chain(names)
        .map(str::to_string)
        .collect()
}

/// The cells of one CSV or TSV row: a cell per label column (empty when the series lacks the
/// label), then the time in Unix seconds and the value.
fn cells(row: &Row<'_>, columns: &[String]) -> Vec<String> {
    let label = |c: &String| {
        row.labels
            .and_then(|l| l.get(c))
            .unwrap_or_default()
            .to_string()
    };
    columns
        .iter()
        .map(label)
        .chain([UnixSeconds(row.t).to_string(), row.value.clone()])
        .collect()
}

/// Writes a query result in `format` to `out`.
pub fn write_value(out: &mut dyn Write, value: &Value, format: OutputFormat) -> io::Result<()> {
    match format {
        OutputFormat::Json => crate::promql::json::write_json(out, value),
        OutputFormat::Csv => write_csv(out, value),
        OutputFormat::Tsv => write_tsv(out, value),
        OutputFormat::Table => write_table(out, value),
        other => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("query results cannot be printed as {}", other.name()),
        )),
    }
}

fn header(columns: &[String]) -> Vec<&str> {
    columns
        .iter()
        .map(String::as_str)
        .chain(["timestamp", "value"])
        .collect()
}

/// RFC 4180 CSV: a cell holding a comma, quote or line break is quoted.
fn write_csv(out: &mut dyn Write, value: &Value) -> io::Result<()> {
    let rows = rows(value);
    let columns = label_columns(&rows);
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(header(&columns)).map_err(csv_to_io)?;
    for row in &rows {
        w.write_record(cells(row, &columns)).map_err(csv_to_io)?;
    }
    w.flush()
}

/// TSV as `cut`, `sort` and `awk -F'\t'` read it: never quoted; a tab, line break or backslash
/// inside a cell is written `\t`, `\n`, `\r`, `\\`, so every line is one row.
fn write_tsv(out: &mut dyn Write, value: &Value) -> io::Result<()> {
    let rows = rows(value);
    let columns = label_columns(&rows);
    let mut line = String::new();
    let mut write_line = |cells: &mut dyn Iterator<Item = &str>| -> io::Result<()> {
        line.clear();
        for (i, cell) in cells.enumerate() {
            if i > 0 {
                line.push('\t');
            }
            push_tsv_escaped(&mut line, cell);
        }
        line.push('\n');
        out.write_all(line.as_bytes())
    };
    write_line(&mut header(&columns).into_iter())?;
    for row in &rows {
        write_line(&mut cells(row, &columns).iter().map(String::as_str))?;
    }
    Ok(())
}

fn push_tsv_escaped(out: &mut String, cell: &str) {
    for c in cell.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
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
    for row in rows {
        let series = row.labels.map(Labels::to_string).unwrap_or_default();
        b.push_record([series, format_rfc3339(row.t), row.value]);
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
    fn csv_has_a_column_per_label() {
        let mut out = Vec::new();
        write_value(&mut out, &vector(), OutputFormat::Csv).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "__name__,job,timestamp,value\nup,node,1700000000.5,1\n"
        );
    }

    #[test]
    fn tsv_escapes_what_would_break_a_line_or_a_column() {
        let mut s = String::new();
        push_tsv_escaped(&mut s, "a\tb\nc\\d\re");
        assert_eq!(s, "a\\tb\\nc\\\\d\\re");
    }
}
