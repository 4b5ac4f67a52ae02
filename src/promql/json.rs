//! The JSON shapes of query values, as Prometheus' HTTP API writes them: the `data` object
//! (`resultType` + `result`), label sets as objects, times as Unix seconds with millisecond
//! precision, values as strings. The CLI's `-o json` and both HTTP APIs use these, so a tool
//! written for Prometheus reads either.
//!
//! Numbers here are spelled as the API spells them (`strconv.FormatFloat(v, 'f', -1, 64)`: never
//! an exponent); the exposition formats spell them differently, see `expo::format_sample_value`.

use crate::model::time::UnixSeconds;
use crate::model::Labels;
use crate::promql::value::Value;
use serde_json::json;
use std::io::{self, Write};

/// Formats a sample value exactly as Prometheus' API does.
pub fn format_api_value(v: f64) -> String {
    let mut s = String::new();
    push_value(&mut s, v);
    s
}

/// Appends `v` as [`format_api_value`] spells it, without allocating.
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

/// Name-value pairs (annotations, a label set's pairs) as a JSON object.
pub fn pairs_json(pairs: &[(String, String)]) -> serde_json::Value {
    let map: serde_json::Map<String, serde_json::Value> = pairs
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    serde_json::Value::Object(map)
}

/// The Prometheus API `data` object for a value.
pub fn value_to_json(value: &Value) -> serde_json::Value {
    let result = match value {
        Value::Scalar { t, v } => json!([json_time(*t), format_api_value(*v)]),
        Value::String { t, v } => json!([json_time(*t), v]),
        Value::Vector(samples) => serde_json::Value::Array(
            samples
                .iter()
                .map(|s| json!({"metric": labels_json(&s.labels), "value": [json_time(s.t), format_api_value(s.v)]}))
                .collect(),
        ),
        Value::Matrix(series) => serde_json::Value::Array(
            series
                .iter()
                .map(|s| {
                    let values: Vec<_> = s
                        .samples
                        .iter()
                        .map(|p| json!([json_time(p.t), format_api_value(p.v)]))
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

/// How a matrix is spelled in an API answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatrixLayout {
    /// Prometheus' `"values":[[t,"v"],…]` for each series.
    Pairs,
    /// argus' columns (`format=columns` on a range query): the data object says the query's
    /// `start` and `step` (seconds), and each series has `"points"`, one per step from start
    /// to end, a JSON number or `null` where the series has no sample, with `"NaN"`, `"+Inf"`
    /// and `"-Inf"` as strings. A browser parses this about ten times faster than the pairs,
    /// whose values are strings (see docs/api.md).
    Columns {
        /// The first step, in milliseconds.
        start: i64,
        /// The step, in milliseconds (positive).
        step: i64,
        /// The number of steps from start to end.
        steps: usize,
    },
}

impl MatrixLayout {
    /// Columns for a range query from `start` to `end` every `step` (milliseconds).
    pub fn columns(start: i64, end: i64, step: i64) -> MatrixLayout {
        let step = step.max(1);
        let steps = ((end - start).max(0) / step) as usize + 1;
        MatrixLayout::Columns { start, step, steps }
    }
}

/// The members of the API `data` object (`"resultType":…,"result":…`) without the braces, so
/// that a server can add its own (`stats`) beside them.
pub fn write_json_fields(out: &mut dyn Write, value: &Value) -> io::Result<()> {
    write_json_fields_as(out, value, MatrixLayout::Pairs)
}

/// [`write_json_fields`] with a matrix in the given layout (other values are the same).
pub fn write_json_fields_as(
    out: &mut dyn Write,
    value: &Value,
    layout: MatrixLayout,
) -> io::Result<()> {
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
    if let (Value::Matrix(series), MatrixLayout::Columns { start, step, steps }) = (value, layout) {
        return write_columns(out, series, start, step, steps);
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

// `io::Error::from` keeps an I/O error as it was (a broken pipe stays a broken pipe).
fn string(out: &mut dyn Write, s: &str) -> io::Result<()> {
    serde_json::to_writer(&mut *out, s).map_err(io::Error::from)
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

/// A matrix in argus' columns (see [`MatrixLayout::Columns`]).
fn write_columns(
    out: &mut dyn Write,
    series: &[crate::model::Series],
    start: i64,
    step: i64,
    steps: usize,
) -> io::Result<()> {
    write!(
        out,
        "\"resultType\":\"matrix\",\"start\":{},\"step\":{},\"result\":[",
        UnixSeconds(start),
        UnixSeconds(step)
    )?;
    let mut column: Vec<Option<f64>> = Vec::new();
    let mut buf = String::new();
    for (i, s) in series.iter().enumerate() {
        out.write_all(if i > 0 {
            b",{\"metric\":"
        } else {
            b"{\"metric\":"
        })?;
        labels(out, &s.labels)?;
        column.clear();
        column.resize(steps, None);
        for p in &s.samples {
            let offset = p.t - start;
            if offset >= 0 && offset % step == 0 && ((offset / step) as usize) < steps {
                column[(offset / step) as usize] = Some(p.v);
            }
        }
        buf.clear();
        buf.push_str(",\"points\":[");
        for (j, v) in column.iter().enumerate() {
            if j > 0 {
                buf.push(',');
            }
            match v {
                None => buf.push_str("null"),
                Some(v) if v.is_finite() => push_value(&mut buf, *v),
                Some(v) => {
                    buf.push('"');
                    push_value(&mut buf, *v);
                    buf.push('"');
                }
            }
        }
        buf.push_str("]}");
        out.write_all(buf.as_bytes())?;
    }
    out.write_all(b"]")
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
    fn columns_put_each_sample_at_its_step() {
        let m = Value::Matrix(vec![Series {
            labels: Labels::from_pairs([("a", "b")]),
            samples: vec![
                Sample { t: 60_000, v: 1.5 },
                Sample {
                    t: 180_000,
                    v: f64::NAN,
                },
                Sample {
                    t: 240_000,
                    v: f64::NEG_INFINITY,
                },
                Sample {
                    t: 300_000,
                    v: -0.0,
                },
            ],
        }]);
        let mut out = Vec::new();
        write_json_fields_as(&mut out, &m, MatrixLayout::columns(60_000, 300_000, 60_000)).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#""resultType":"matrix","start":60,"step":60,"result":[{"metric":{"a":"b"},"points":[1.5,null,"NaN","-Inf",-0]}]"#
        );
        // Other values are spelled as ever.
        let mut a = Vec::new();
        let mut b = Vec::new();
        write_json_fields_as(&mut a, &vector(), MatrixLayout::columns(0, 10, 1)).unwrap();
        write_json_fields(&mut b, &vector()).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn values_format_like_prometheus() {
        assert_eq!(format_api_value(0.1), "0.1");
        assert_eq!(format_api_value(1e21), "1000000000000000000000");
        assert_eq!(format_api_value(f64::NEG_INFINITY), "-Inf");
        assert_eq!(format_api_value(f64::NAN), "NaN");
    }
}
