//! The JSON-lines layout of samples, read (`argus ingest`) and written (`argus export -o
//! jsonl`).
//!
//! One JSON object per line, specified in `docs/format/csv-jsonl.md`. The export shape is
//! `{"metric":"up","labels":{"job":"node"},"timestamp":1700000000123,"value":"1"}`; reading
//! also accepts numbers for the value, other timestamp notations, and the elements of a
//! Prometheus HTTP API result (`{"metric":{"__name__":..},"value":[t,"v"]}` and `"values"`),
//! so that `curl .../api/v1/query_range | jq -c '.data.result[]'` can be ingested as is.

use std::io::BufRead;

use serde_json::Value;

use super::metrics::IngestError;
use super::record::{parse_timestamp, Ingestor, Lines};
use crate::expo::{format_sample_value, parse_series, parse_value, quoted};
use crate::model::{Labels, METRIC_NAME};

/// One sample in the export shape, without the newline. The value is a string, as in
/// Prometheus' API, because `NaN` and `±Inf` are not JSON numbers.
pub fn jsonl_record(labels: &Labels, t_ms: i64, v: f64) -> String {
    let js = |s: &str| Value::String(s.to_string()).to_string();
    let mut out = String::with_capacity(96);
    out.push_str("{\"metric\":");
    out.push_str(&js(labels.metric_name().unwrap_or("")));
    out.push_str(",\"labels\":{");
    let mut first = true;
    for (k, val) in labels.iter().filter(|(k, _)| *k != METRIC_NAME) {
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(&js(k));
        out.push(':');
        out.push_str(&js(val));
    }
    out.push_str("},\"timestamp\":");
    out.push_str(&t_ms.to_string());
    out.push_str(",\"value\":");
    out.push_str(&js(&format_sample_value(v)));
    out.push('}');
    out
}

pub(crate) fn ingest_jsonl(
    input: &mut dyn BufRead,
    ing: &mut Ingestor<'_>,
) -> Result<(), IngestError> {
    let mut lines = Lines::new(input);
    while let Some(line) = lines.next_line(ing)? {
        let (line_no, line) = match line {
            Ok(l) => (l.no, l.text),
            Err(e) => {
                ing.reject(e)?;
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(line) {
            Ok((pairs, samples)) => {
                for (t, v) in samples {
                    ing.record(pairs.clone(), t, v, line_no, 1)?;
                }
            }
            Err((col, m)) => ing.reject_at(line_no, col, m)?,
        }
    }
    Ok(())
}

type Samples = Vec<(Option<i64>, f64)>;
/// A bad line: the column and the message.
type Bad = (usize, String);
type Pairs = Vec<(String, String)>;

/// One line: the label pairs and the samples it carries.
fn parse_line(line: &str) -> Result<(Pairs, Samples), Bad> {
    let obj = match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(o)) => o,
        Ok(other) => {
            return Err((
                1,
                format!("expected a JSON object per line, found {}", kind(&other)),
            ))
        }
        Err(e) => return Err((e.column().max(1), format!("invalid JSON: {e}"))),
    };
    let mut pairs = Vec::new();
    let mut timestamp = None;
    let mut value: Option<(Option<i64>, f64)> = None;
    let mut values: Option<Samples> = None;
    for (k, v) in obj {
        match k.as_str() {
            "metric" => match v {
                Value::String(s) if s.contains('{') => pairs
                    .extend(parse_series(&s).map_err(|e| (1, format!("metric: {}", e.message)))?),
                Value::String(s) => pairs.push((METRIC_NAME.to_string(), s)),
                Value::Object(m) => pairs.extend(string_map(m, "metric")?),
                Value::Null => {}
                other => {
                    return Err((
                        1,
                        format!(
                            "\"metric\" must be a string or an object, found {}",
                            kind(&other)
                        ),
                    ))
                }
            },
            "labels" => match v {
                Value::Object(m) => pairs.extend(string_map(m, "labels")?),
                Value::Null => {}
                other => {
                    return Err((
                        1,
                        format!("\"labels\" must be an object, found {}", kind(&other)),
                    ))
                }
            },
            "timestamp" => timestamp = time(&v).map_err(|m| (1, m))?,
            "value" => {
                value = Some(match v {
                    Value::Array(a) => pair(&a).map(|(t, v)| (Some(t), v))?,
                    v => (
                        None,
                        number(&v).map_err(|m| (1, format!("\"value\": {m}")))?,
                    ),
                })
            }
            "values" => {
                let Value::Array(a) = v else {
                    return Err((
                        1,
                        "\"values\" must be an array of [timestamp, value] pairs".into(),
                    ));
                };
                let mut out = Vec::with_capacity(a.len());
                for p in a {
                    let Value::Array(p) = p else {
                        return Err((
                            1,
                            "\"values\" must be an array of [timestamp, value] pairs".into(),
                        ));
                    };
                    let (t, v) = pair(&p)?;
                    out.push((Some(t), v));
                }
                values = Some(out);
            }
            other => {
                return Err((
                    1,
                    format!(
                        "unknown field {} (expected metric, labels, timestamp, value or values)",
                        quoted(other)
                    ),
                ))
            }
        }
    }
    let samples = match (value, values) {
        (Some(_), Some(_)) => {
            return Err((1, "give either \"value\" or \"values\", not both".into()))
        }
        (None, None) => return Err((1, "missing \"value\"".into())),
        (Some((Some(_), _)), _) if timestamp.is_some() => {
            return Err((
                1,
                "\"timestamp\" given twice (in \"timestamp\" and in the \"value\" pair)".into(),
            ))
        }
        (Some((t, v)), None) => vec![(t.or(timestamp), v)],
        (None, Some(vs)) => vs,
    };
    Ok((pairs, samples))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn string_map(
    m: serde_json::Map<String, Value>,
    field: &str,
) -> Result<Vec<(String, String)>, (usize, String)> {
    m.into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k, s)),
            other => Err((
                1,
                format!(
                    "\"{field}\": the value of label {} must be a string, found {}",
                    quoted(&k),
                    kind(&other)
                ),
            )),
        })
        .collect()
}

fn time(v: &Value) -> Result<Option<i64>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => parse_timestamp(&n.to_string()).map(Some),
        Value::String(s) => parse_timestamp(s).map(Some),
        other => Err(format!(
            "\"timestamp\" must be a number or a string, found {}",
            kind(other)
        )),
    }
}

fn number(v: &Value) -> Result<f64, String> {
    match v {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| format!("{n} is not a 64-bit float")),
        Value::String(s) => parse_value(s.trim()),
        other => Err(format!(
            "expected a number or a string, found {}",
            kind(other)
        )),
    }
}

/// A Prometheus API `[timestamp, "value"]` pair.
fn pair(a: &[Value]) -> Result<(i64, f64), (usize, String)> {
    let [t, v] = a else {
        return Err((
            1,
            format!(
                "expected a [timestamp, value] pair, found {} elements",
                a.len()
            ),
        ));
    };
    let t = time(t)
        .map_err(|m| (1, m))?
        .ok_or((1, "a [timestamp, value] pair needs a timestamp".to_string()))?;
    let v = number(v).map_err(|m| (1, format!("value: {m}")))?;
    Ok((t, v))
}
