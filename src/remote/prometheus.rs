//! A client for the query API of a Prometheus-compatible server (Prometheus, VictoriaMetrics,
//! Thanos, Mimir, or `argus serve`): `/api/v1/query` and `/api/v1/query_range`.
//!
//! Results are parsed into the same [`Value`] the local engine produces, so every output format
//! works the same against a remote server. Times are sent as Unix seconds with millisecond
//! precision, as Prometheus accepts them.

use crate::model::time::UnixSeconds;
use crate::model::{Labels, Sample, Series};
use crate::promql::value::{InstantSample, Value};
use std::time::Duration;

/// Why a remote query failed.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The server could not be reached or did not answer in time.
    #[error("cannot reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// The server rejected the query (Prometheus' `bad_data`): the query is at fault.
    #[error("{url} rejected the query ({error_type}): {message}")]
    BadQuery {
        url: String,
        error_type: String,
        message: String,
    },
    /// The server failed while answering (`execution`, `timeout`, `internal`, ...).
    #[error("{url} failed ({error_type}): {message}")]
    Server {
        url: String,
        error_type: String,
        message: String,
    },
    /// The answer was not the JSON the Prometheus API documents.
    #[error("{url} answered with something that is not a Prometheus API response: {reason}")]
    Malformed { url: String, reason: String },
}

/// A Prometheus-compatible query endpoint.
pub struct PrometheusClient {
    base: String,
    http: reqwest::Client,
}

impl PrometheusClient {
    /// `base` is the server's root URL, such as `http://localhost:9090`.
    pub fn new(base: &str, timeout: Duration) -> Result<PrometheusClient, RemoteError> {
        let http = super::http_client(base, timeout)?;
        Ok(PrometheusClient {
            base: base.trim_end_matches('/').to_string(),
            http,
        })
    }

    /// Evaluates `query` at time `t` (ms).
    pub async fn instant(&self, query: &str, t: i64) -> Result<Value, RemoteError> {
        let params = [
            ("query", query.to_string()),
            ("time", UnixSeconds(t).to_string()),
        ];
        self.get("/api/v1/query", &params).await
    }

    /// Evaluates `query` over `[start, end]` every `step` (all ms).
    pub async fn range(
        &self,
        query: &str,
        start: i64,
        end: i64,
        step: i64,
    ) -> Result<Value, RemoteError> {
        let params = [
            ("query", query.to_string()),
            ("start", UnixSeconds(start).to_string()),
            ("end", UnixSeconds(end).to_string()),
            ("step", UnixSeconds(step).to_string()),
        ];
        self.get("/api/v1/query_range", &params).await
    }

    async fn get(&self, path: &str, params: &[(&str, String)]) -> Result<Value, RemoteError> {
        let url = format!("{}{}", self.base, path);
        // POST with a form body, as Grafana does, so that long queries do not hit URL limits.
        let (status, body) = super::fetch(self.http.post(&url).form(params), &url).await?;
        let json: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| RemoteError::Malformed {
                url: url.clone(),
                reason: format!("HTTP {status}, body is not JSON: {e}"),
            })?;
        parse_response(&url, &json)
    }
}

/// Turns a Prometheus API envelope into a value or an error.
pub fn parse_response(url: &str, json: &serde_json::Value) -> Result<Value, RemoteError> {
    let malformed = |reason: &str| RemoteError::Malformed {
        url: url.to_string(),
        reason: reason.to_string(),
    };
    match json.get("status").and_then(|s| s.as_str()) {
        Some("success") => {}
        Some("error") => {
            let error_type = json
                .get("errorType")
                .and_then(|s| s.as_str())
                .unwrap_or("unknown")
                .to_string();
            let message = json
                .get("error")
                .and_then(|s| s.as_str())
                .unwrap_or("")
                .to_string();
            return Err(if error_type == "bad_data" {
                RemoteError::BadQuery {
                    url: url.to_string(),
                    error_type,
                    message,
                }
            } else {
                RemoteError::Server {
                    url: url.to_string(),
                    error_type,
                    message,
                }
            });
        }
        _ => return Err(malformed("no \"status\" member")),
    }
    let data = json
        .get("data")
        .ok_or_else(|| malformed("no \"data\" member"))?;
    value_from_json(data).map_err(|r| malformed(&r))
}

/// Parses the API's `data` object (`resultType` + `result`).
pub fn value_from_json(data: &serde_json::Value) -> Result<Value, String> {
    let kind = data
        .get("resultType")
        .and_then(|v| v.as_str())
        .ok_or("no resultType")?;
    let result = data.get("result").ok_or("no result")?;
    Ok(match kind {
        "scalar" => {
            let (t, v) = point(result)?;
            Value::Scalar { t, v }
        }
        "string" => {
            let arr = result.as_array().ok_or("string result is not an array")?;
            let t = seconds_to_ms(arr.first().ok_or("empty string result")?)?;
            let v = arr
                .get(1)
                .and_then(|v| v.as_str())
                .ok_or("string result without text")?;
            Value::String {
                t,
                v: v.to_string(),
            }
        }
        "vector" => {
            let mut out = Vec::new();
            for item in result.as_array().ok_or("vector result is not an array")? {
                let labels = labels(item.get("metric"))?;
                let (t, v) = point(item.get("value").ok_or("vector element without value")?)?;
                out.push(InstantSample { labels, t, v });
            }
            Value::Vector(out)
        }
        "matrix" => {
            let mut out = Vec::new();
            for item in result.as_array().ok_or("matrix result is not an array")? {
                let labels = labels(item.get("metric"))?;
                let mut samples = Vec::new();
                if let Some(values) = item.get("values").and_then(|v| v.as_array()) {
                    for p in values {
                        let (t, v) = point(p)?;
                        samples.push(Sample { t, v });
                    }
                }
                out.push(Series { labels, samples });
            }
            Value::Matrix(out)
        }
        other => return Err(format!("unknown resultType {other:?}")),
    })
}

fn labels(metric: Option<&serde_json::Value>) -> Result<Labels, String> {
    let Some(obj) = metric.and_then(|m| m.as_object()) else {
        return Ok(Labels::new());
    };
    Ok(Labels::from_pairs(obj.iter().map(|(k, v)| {
        (k.clone(), v.as_str().unwrap_or_default().to_string())
    })))
}

fn point(p: &serde_json::Value) -> Result<(i64, f64), String> {
    let arr = p.as_array().ok_or("sample is not a [time, value] pair")?;
    let t = seconds_to_ms(arr.first().ok_or("sample without time")?)?;
    let v = arr
        .get(1)
        .and_then(|v| v.as_str())
        .ok_or("sample value is not a string")?;
    Ok((t, parse_value(v)?))
}

fn seconds_to_ms(v: &serde_json::Value) -> Result<i64, String> {
    let secs = v.as_f64().ok_or("time is not a number")?;
    Ok((secs * 1000.0).round() as i64)
}

/// Parses a value as Prometheus prints it (`NaN`, `+Inf`, `-Inf`, decimals).
pub fn parse_value(s: &str) -> Result<f64, String> {
    match s {
        "NaN" => Ok(f64::NAN),
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ => s.parse().map_err(|_| format!("invalid sample value {s:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_vector_and_errors() {
        let j: serde_json::Value = serde_json::from_str(
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up"},"value":[1.5,"+Inf"]}]}}"#,
        )
        .unwrap();
        let v = parse_response("u", &j).unwrap();
        assert_eq!(
            v,
            Value::Vector(vec![InstantSample {
                labels: Labels::from_pairs([("__name__", "up")]),
                t: 1500,
                v: f64::INFINITY
            }])
        );
        let e: serde_json::Value = serde_json::from_str(
            r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error"}"#,
        )
        .unwrap();
        assert!(matches!(
            parse_response("u", &e),
            Err(RemoteError::BadQuery { .. })
        ));
    }
}
