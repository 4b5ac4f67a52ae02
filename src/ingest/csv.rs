//! The CSV layout of samples, read (`argus ingest`) and written (`argus export -o csv`).
//!
//! The layout is specified in `docs/format/csv-jsonl.md`: a header row; the columns `metric`,
//! `labels`, `timestamp` (or `timestamp_s`, `timestamp_ms`) and `value` have fixed meanings and
//! every other column is a label (the "wide" form). Quoting follows RFC 4180 through the `csv`
//! crate. This file does not decide the format or apply `--label`; `record.rs` does the rest.

use std::io::BufRead;

use super::metrics::IngestError;
use super::record::{parse_timestamp_as, Ingestor, TimeUnit};
use crate::expo::{format_sample_value, parse_series, parse_value, quoted};
use crate::model::labels::{escape_label_value, is_valid_label_name};
use crate::model::{Labels, METRIC_NAME};

/// The header `argus export -o csv` writes.
pub const CSV_HEADER: [&str; 4] = ["metric", "labels", "timestamp", "value"];

/// One sample as the four fields of [`CSV_HEADER`]: the metric name, the other labels as
/// `{a="b",c="d"}` (empty when there are none), milliseconds, and the value as the exposition
/// formats write it (`NaN`, `+Inf`, shortest round-trip digits).
pub fn csv_record(labels: &Labels, t_ms: i64, v: f64) -> [String; 4] {
    [
        labels.metric_name().unwrap_or("").to_string(),
        format_label_set(labels),
        t_ms.to_string(),
        format_sample_value(v),
    ]
}

/// `{a="b",c="d"}` without `__name__`, or "" when no other label exists.
pub fn format_label_set(labels: &Labels) -> String {
    let mut out = String::new();
    for (k, v) in labels.iter().filter(|(k, _)| *k != METRIC_NAME) {
        out.push(if out.is_empty() { '{' } else { ',' });
        out.push_str(k);
        out.push_str("=\"");
        out.push_str(&escape_label_value(v));
        out.push('"');
    }
    if !out.is_empty() {
        out.push('}');
    }
    out
}

/// Which column holds what.
struct Layout {
    width: usize,
    metric: Option<usize>,
    labels: Option<usize>,
    timestamp: Option<(usize, TimeUnit)>,
    value: usize,
    /// Wide form: columns that are labels themselves, with the label name.
    label_columns: Vec<(usize, String)>,
}

fn layout(header: &csv::StringRecord) -> Result<Layout, String> {
    let mut l = Layout {
        width: header.len(),
        metric: None,
        labels: None,
        timestamp: None,
        value: usize::MAX,
        label_columns: Vec::new(),
    };
    let mut seen: Vec<String> = Vec::new();
    for (i, raw) in header.iter().enumerate() {
        let name = raw.trim().trim_start_matches('\u{feff}');
        let lower = name.to_ascii_lowercase();
        if seen.contains(&lower) {
            return Err(format!(
                "column {} appears twice in the header",
                quoted(name)
            ));
        }
        seen.push(lower.clone());
        match lower.as_str() {
            "metric" => l.metric = Some(i),
            "labels" => l.labels = Some(i),
            "timestamp" | "timestamp_s" | "timestamp_ms" => {
                if l.timestamp.is_some() {
                    return Err("more than one timestamp column in the header".to_string());
                }
                let unit = match lower.as_str() {
                    "timestamp_s" => TimeUnit::Seconds,
                    "timestamp_ms" => TimeUnit::Millis,
                    _ => TimeUnit::Auto,
                };
                l.timestamp = Some((i, unit));
            }
            "value" => l.value = i,
            _ if name == METRIC_NAME || is_valid_label_name(name) => {
                l.label_columns.push((i, name.to_string()))
            }
            _ => {
                return Err(format!(
                    "column {} is neither metric, labels, timestamp, timestamp_s, \
                     timestamp_ms, value nor a valid label name",
                    quoted(name)
                ))
            }
        }
    }
    if l.value == usize::MAX {
        return Err(format!(
            "the header has no \"value\" column (expected a header such as {})",
            CSV_HEADER.join(",")
        ));
    }
    Ok(l)
}

/// The `labels` field: `{a="b"}`, `a="b",c="d"` or a JSON object `{"a":"b"}`.
fn parse_label_field(f: &str) -> Result<Vec<(String, String)>, (usize, String)> {
    let after_brace = f.strip_prefix('{').map(|r| r.trim_start());
    if after_brace.is_some_and(|r| r.starts_with('"')) {
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(f).map_err(|e| (e.column(), format!("labels: {e}")))?;
        return map
            .into_iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => Ok((k, s)),
                other => Err((
                    1,
                    format!(
                        "labels: the value of {} must be a string, found {}",
                        quoted(&k),
                        crate::model::limits::excerpt(&other.to_string())
                    ),
                )),
            })
            .collect();
    }
    parse_series(f).map_err(|e| (e.column, format!("labels: {}", e.message)))
}

pub(crate) fn ingest_csv(
    input: &mut dyn BufRead,
    ing: &mut Ingestor<'_>,
) -> Result<(), IngestError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut rec = csv::StringRecord::new();
    let l = match rdr.read_record(&mut rec) {
        Ok(false) => return Ok(()),
        Ok(true) => layout(&rec).map_err(|m| ing.error(1, 1, m))?,
        Err(e) => return Err(ing.error(1, 1, format!("cannot read the CSV header: {e}"))),
    };
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let (line, byte) = rec
                    .position()
                    .map(|p| (p.line() as usize, p.byte()))
                    .unwrap_or((0, 0));
                ing.at_byte(byte);
                if let Err((col, m)) = record(&l, &rec, line, ing)? {
                    ing.reject_at(line, col, m)?;
                }
            }
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                match e.kind() {
                    csv::ErrorKind::Io(io) => return Err(ing.io_error(line, io)),
                    csv::ErrorKind::Utf8 { err, .. } => ing.reject_at(
                        line,
                        1,
                        format!("invalid UTF-8 in field {}", err.field() + 1),
                    )?,
                    _ => ing.reject_at(line, 1, e.to_string())?,
                }
            }
        }
    }
    ing.at_byte(rdr.position().byte());
    Ok(())
}

/// One data row. The outer error stops the ingest; the inner one is a bad row.
#[allow(clippy::type_complexity)]
fn record(
    l: &Layout,
    rec: &csv::StringRecord,
    line: usize,
    ing: &mut Ingestor<'_>,
) -> Result<Result<(), (usize, String)>, IngestError> {
    if rec.len() != l.width {
        return Ok(Err((
            1,
            format!(
                "expected {} fields as in the header, found {}",
                l.width,
                rec.len()
            ),
        )));
    }
    // The column where field `i` starts (exact when no field before it is quoted).
    let col = |i: usize| {
        1 + rec
            .iter()
            .take(i)
            .map(|f| f.chars().count() + 1)
            .sum::<usize>()
    };
    let mut pairs = Vec::new();
    if let Some(i) = l.metric {
        let f = rec[i].trim();
        if f.contains('{') {
            match parse_series(f) {
                Ok(p) => pairs.extend(p),
                Err(e) => {
                    return Ok(Err((
                        col(i) + e.column - 1,
                        format!("metric: {}", e.message),
                    )))
                }
            }
        } else if !f.is_empty() {
            pairs.push((METRIC_NAME.to_string(), f.to_string()));
        }
    }
    if let Some(i) = l.labels {
        let f = rec[i].trim();
        if !f.is_empty() {
            match parse_label_field(f) {
                Ok(p) => pairs.extend(p),
                Err((c, m)) => return Ok(Err((col(i) + c.max(1) - 1, m))),
            }
        }
    }
    for (i, name) in &l.label_columns {
        if !rec[*i].is_empty() {
            pairs.push((name.clone(), rec[*i].to_string()));
        }
    }
    let t = match l.timestamp {
        Some((i, unit)) if !rec[i].trim().is_empty() => match parse_timestamp_as(&rec[i], unit) {
            Ok(t) => Some(t),
            Err(m) => return Ok(Err((col(i), m))),
        },
        _ => None,
    };
    let v = match parse_value(rec[l.value].trim()) {
        Ok(v) => v,
        Err(m) => return Ok(Err((col(l.value), format!("value: {m}")))),
    };
    ing.record(pairs, t, v, line, 1)?;
    Ok(Ok(()))
}
