//! A client for the query API of a Loki-compatible server (Loki, or `argus serve`):
//! `/loki/api/v1/query` and `/loki/api/v1/query_range`.
//!
//! Log results become the same [`StreamResult`]s the local evaluator produces, and metric
//! results the same [`Value`] as PromQL's, so every output format works against a remote
//! server. Times are sent as Unix nanoseconds, the unit Loki's API documents.

use super::prometheus::{value_from_json, RemoteError};
use crate::logql::eval_logs::{Direction, StreamResult};
use crate::model::{Labels, LogEntry};
use crate::promql::value::Value;
use std::time::Duration;

/// What a LogQL query returns.
#[derive(Debug)]
pub enum LokiResult {
    Streams(Vec<StreamResult>),
    Metric(Value),
}

/// A Loki-compatible query endpoint.
pub struct LokiClient {
    base: String,
    http: reqwest::Client,
}

impl LokiClient {
    /// `base` is the server's root URL, such as `http://localhost:3100`.
    pub fn new(base: &str, timeout: Duration) -> Result<LokiClient, RemoteError> {
        let http = super::http_client(base, timeout)?;
        Ok(LokiClient {
            base: base.trim_end_matches('/').to_string(),
            http,
        })
    }

    /// A log query over `[start, end)` (ns), or a metric query at `start, start + step, ...,
    /// end` when `step` is given (ns).
    pub async fn query_range(
        &self,
        query: &str,
        start: i64,
        end: i64,
        step: Option<i64>,
        limit: usize,
        direction: Direction,
    ) -> Result<LokiResult, RemoteError> {
        let mut params = vec![
            ("query", query.to_string()),
            ("start", start.to_string()),
            ("end", end.to_string()),
            ("limit", limit.to_string()),
            ("direction", direction_name(direction).to_string()),
        ];
        if let Some(step) = step {
            // Loki reads a bare number as seconds.
            params.push(("step", format!("{}", step as f64 / 1e9)));
        }
        self.get("/loki/api/v1/query_range", &params).await
    }

    /// A metric query at time `t` (ns).
    pub async fn query(&self, query: &str, t: i64) -> Result<LokiResult, RemoteError> {
        let params = [("query", query.to_string()), ("time", t.to_string())];
        self.get("/loki/api/v1/query", &params).await
    }

    async fn get(&self, path: &str, params: &[(&str, String)]) -> Result<LokiResult, RemoteError> {
        let url = format!("{}{}", self.base, path);
        let (status, body) = super::fetch(self.http.get(&url).query(params), &url).await?;
        // Loki answers a bad query with 400 and the parser's message as plain text.
        if status.is_client_error() {
            return Err(RemoteError::BadQuery {
                url,
                error_type: status.as_u16().to_string(),
                message: String::from_utf8_lossy(&body).trim().to_string(),
            });
        }
        if !status.is_success() {
            return Err(RemoteError::Server {
                url,
                error_type: status.as_u16().to_string(),
                message: String::from_utf8_lossy(&body).trim().to_string(),
            });
        }
        let json: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| RemoteError::Malformed {
                url: url.clone(),
                reason: format!("body is not JSON: {e}"),
            })?;
        parse_response(&json).map_err(|reason| RemoteError::Malformed { url, reason })
    }
}

fn direction_name(d: Direction) -> &'static str {
    match d {
        Direction::Forward => "forward",
        Direction::Backward => "backward",
    }
}

/// Parses a Loki API response body (`{"status": "success", "data": {...}}`).
pub fn parse_response(json: &serde_json::Value) -> Result<LokiResult, String> {
    if json.get("status").and_then(|s| s.as_str()) != Some("success") {
        return Err("no \"status\": \"success\"".into());
    }
    let data = json.get("data").ok_or("no \"data\" member")?;
    match data.get("resultType").and_then(|t| t.as_str()) {
        Some("streams") => {
            let result = data
                .get("result")
                .and_then(|r| r.as_array())
                .ok_or("no \"result\" array")?;
            result
                .iter()
                .map(stream_from_json)
                .collect::<Result<Vec<_>, _>>()
                .map(LokiResult::Streams)
        }
        _ => value_from_json(data).map(LokiResult::Metric),
    }
}

fn stream_from_json(s: &serde_json::Value) -> Result<StreamResult, String> {
    let labels = s
        .get("stream")
        .and_then(|l| l.as_object())
        .ok_or("a stream without \"stream\" labels")?;
    let labels = Labels::from_pairs(
        labels
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())),
    );
    let values = s
        .get("values")
        .and_then(|v| v.as_array())
        .ok_or("a stream without \"values\"")?;
    let mut entries = Vec::with_capacity(values.len());
    for v in values {
        let t = v
            .get(0)
            .and_then(|t| t.as_str())
            .and_then(|t| t.parse::<i64>().ok())
            .ok_or("an entry without a nanosecond timestamp string")?;
        let line = v
            .get(1)
            .and_then(|l| l.as_str())
            .ok_or("an entry without a line")?;
        let mut entry = LogEntry::new(t, line);
        // Structured metadata, when the server sends it as a third member.
        if let Some(md) = v.get(2).and_then(|m| m.as_object()) {
            entry.metadata = md
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect();
        }
        entries.push(entry);
    }
    Ok(StreamResult::new(labels, entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_streams_and_matrices_as_loki_sends_them() {
        let body = serde_json::json!({
            "status": "success",
            "data": {
                "resultType": "streams",
                "result": [{
                    "stream": {"app": "api", "level": "error"},
                    "values": [["1700000000000000001", "boom"], ["1700000000000000000", "bang", {"trace": "t1"}]]
                }],
                "stats": {}
            }
        });
        let LokiResult::Streams(s) = parse_response(&body).unwrap() else {
            panic!("not streams")
        };
        assert_eq!(s[0].labels.to_string(), r#"{app="api", level="error"}"#);
        assert_eq!(s[0].entries[0].t, 1_700_000_000_000_000_001);
        assert_eq!(
            s[0].entries[1].metadata,
            vec![("trace".into(), "t1".into())]
        );
        let body = serde_json::json!({
            "status": "success",
            "data": {"resultType": "matrix", "result": [{"metric": {"app": "api"}, "values": [[1700000000, "2"]]}]}
        });
        let LokiResult::Metric(Value::Matrix(m)) = parse_response(&body).unwrap() else {
            panic!("not a matrix")
        };
        assert_eq!(m[0].samples[0].v, 2.0);
    }
}
