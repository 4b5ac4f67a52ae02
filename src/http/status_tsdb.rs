//! Cardinality over HTTP: Prometheus' `/api/v1/status/tsdb` (with VictoriaMetrics'
//! `match[]`, `focusLabel`, `topN` and `date`), argus' `/api/v1/status/logs` (the same for log
//! streams), and Loki's `/loki/api/v1/index/volume`. The counting is `store::cardinality`'s;
//! this file reads the parameters and shapes the answers, and its JSON builders are also what
//! `argus store cardinality -o json` prints.
//!
//! For argus the "head" of Prometheus' answer is the whole store: `numSeries` counts every
//! series stored, `minTime`/`maxTime` span the store, `chunkCount` counts the chunks of the
//! store's index (up to 2048 samples each, where a Prometheus head chunk holds about 120).

use super::errors::{ApiError, PlainError, PromError};
use super::prometheus::{match_selectors, texts};
use super::state::{AppState, SnapshotCache};
use super::{json_response, success, ApiParams};
use crate::model::time::now_ns;
use crate::model::Matcher;
use crate::store::cardinality::{self, Cardinality, CardinalityQuery, Stat, VolumeBy, VolumeQuery};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};
use std::sync::Arc;

/// Entries per list unless `limit` says otherwise, as in Prometheus.
pub const DEFAULT_LIMIT: usize = 10;
/// Groups of `index/volume` unless `limit` says otherwise, as in Loki.
const DEFAULT_VOLUME_LIMIT: usize = 100;
const MS_PER_DAY: i64 = 86_400_000;
const NS_PER_MS: i64 = 1_000_000;
const NS_PER_SEC: i64 = 1_000_000_000;

/// `limit` (Prometheus 3), else `topN` (VictoriaMetrics): a positive integer, 10 by default.
/// Anything else is refused with Prometheus' message.
fn limit(p: &super::params::Params) -> Result<usize, ApiError> {
    match p.get("limit").or_else(|| p.get("topN")) {
        None => Ok(DEFAULT_LIMIT),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| ApiError::bad_data("limit must be a positive number")),
    }
}

/// VictoriaMetrics' `date=YYYY-MM-DD`: the UTC day as an inclusive range of ms.
fn date_range(p: &super::params::Params) -> Result<Option<(i64, i64)>, ApiError> {
    let Some(text) = p.get("date") else {
        return Ok(None);
    };
    let day = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        ApiError::bad_data(format!(
            "invalid parameter \"date\": cannot parse {text:?}; give a day as YYYY-MM-DD"
        ))
    })?;
    let start = day
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or(0);
    Ok(Some((start, start + MS_PER_DAY - 1)))
}

/// The query of a status request, less its selectors.
fn status_query(p: &super::params::Params) -> Result<CardinalityQuery, ApiError> {
    Ok(CardinalityQuery {
        selectors: Vec::new(),
        range: date_range(p)?,
        focus_label: p.get("focusLabel").map(str::to_string),
        limit: limit(p)?,
    })
}

fn stats_json(list: &[Stat]) -> Value {
    Value::Array(
        list.iter()
            .map(|s| json!({"name": s.name, "value": s.value}))
            .collect(),
    )
}

/// The `data` of `/api/v1/status/tsdb`: Prometheus' `TSDBStatus`, plus VictoriaMetrics'
/// `seriesCountByFocusLabelValue` when there is a focus label. Times are ms; an empty store
/// answers zeros.
pub fn tsdb_status_json(c: &Cardinality, focus: bool) -> Value {
    let mut data = json!({
        "headStats": {
            "numSeries": c.series,
            "numLabelPairs": c.label_pairs,
            "chunkCount": c.chunks,
            "minTime": c.min_time.unwrap_or(0),
            "maxTime": c.max_time.unwrap_or(0),
        },
        "seriesCountByMetricName": stats_json(&c.series_by_metric_name),
        "labelValueCountByLabelName": stats_json(&c.values_by_label_name),
        "memoryInBytesByLabelName": stats_json(&c.label_bytes_by_label_name),
        "seriesCountByLabelValuePair": stats_json(&c.series_by_label_pair),
    });
    if focus {
        data["seriesCountByFocusLabelValue"] = stats_json(&c.series_by_focus_value);
    }
    data
}

/// The `data` of `/api/v1/status/logs`: the log streams as `tsdb_status_json` shows series,
/// with bytes (of lines and metadata as ingested) by stream and by label pair. Times are ms,
/// as in the metric answer (the store keeps ns).
pub fn logs_status_json(c: &Cardinality, focus: bool) -> Value {
    let ms = |t: Option<i64>| t.map_or(0, |t| t.div_euclid(NS_PER_MS));
    let mut data = json!({
        "headStats": {
            "numStreams": c.series,
            "numLabelPairs": c.label_pairs,
            "blockCount": c.chunks,
            "entries": c.samples,
            "bytes": c.bytes,
            "minTime": ms(c.min_time),
            "maxTime": ms(c.max_time),
        },
        "labelValueCountByLabelName": stats_json(&c.values_by_label_name),
        "streamCountByLabelValuePair": stats_json(&c.series_by_label_pair),
        "bytesByStream": stats_json(&c.bytes_by_series),
        "bytesByLabelValuePair": stats_json(&c.bytes_by_label_pair),
    });
    if focus {
        data["streamCountByFocusLabelValue"] = stats_json(&c.series_by_focus_value);
        data["bytesByFocusLabelValue"] = stats_json(&c.bytes_by_focus_value);
    }
    data
}

/// `/api/v1/status/tsdb`: series per metric name, values per label, label bytes, series per
/// label pair; `limit`/`topN`, `match[]`, `focusLabel`, `date`.
pub async fn tsdb(
    State(st): State<Arc<AppState>>,
    ApiParams(p): ApiParams,
) -> Result<Response, PromError> {
    let mut q = status_query(&p)?;
    let selectors = texts(&p, "match[]");
    let focus = q.focus_label.is_some();
    let c = st
        .on_query_slot(SnapshotCache::metrics, move |snap| {
            q.selectors = match_selectors(&selectors, "match[]")?;
            Ok(cardinality::metrics(snap, &q))
        })
        .await?;
    Ok(success(tsdb_status_json(&c, focus)))
}

/// A LogQL stream selector (`{app="api"}`); `{}` is every stream (no matchers).
pub fn log_selector(text: &str) -> Result<Vec<Matcher>, String> {
    let text = text.trim();
    if text == "{}" {
        return Ok(Vec::new());
    }
    match crate::logql::parse_for_eval(text).map_err(|e| e.to_string())? {
        crate::logql::Expr::Log(l) if l.pipeline.is_empty() => Ok(l.selector),
        _ => Err(format!(
            "{text:?} is not a stream selector such as {{app=\"api\"}}"
        )),
    }
}

/// `/api/v1/status/logs` (argus' own): streams per label name and pair, bytes per stream and
/// per pair; `match[]` takes LogQL stream selectors.
pub async fn logs(
    State(st): State<Arc<AppState>>,
    ApiParams(p): ApiParams,
) -> Result<Response, PromError> {
    let mut q = status_query(&p)?;
    if let Some((from, to)) = q.range {
        q.range = Some((
            from.saturating_mul(NS_PER_MS),
            to.saturating_mul(NS_PER_MS) + NS_PER_MS - 1,
        ));
    }
    let selectors = texts(&p, "match[]");
    let focus = q.focus_label.is_some();
    let c = st
        .on_query_slot(SnapshotCache::logs, move |snap| {
            for s in &selectors {
                q.selectors.push(log_selector(s).map_err(|e| {
                    ApiError::bad_data(format!("invalid parameter \"match[]\": {e}"))
                })?);
            }
            Ok(cardinality::logs(snap, &q))
        })
        .await?;
    Ok(success(logs_status_json(&c, focus)))
}

/// `/loki/api/v1/index/volume`: bytes of the matching streams in the range, grouped by the
/// selector's labels (or `targetLabels`, or by label name with `aggregateBy=labels`), as a
/// vector stamped at `end`, largest first.
pub async fn volume(
    State(st): State<Arc<AppState>>,
    ApiParams(p): ApiParams,
) -> Result<Response, PlainError> {
    let text = p.required("query")?.to_string();
    let end = p.loki_time("end")?.unwrap_or_else(now_ns);
    let since = p.loki_duration("since")?.unwrap_or(3600 * NS_PER_SEC);
    let start = p.loki_time("start")?.unwrap_or(end.saturating_sub(since));
    if end < start {
        return Err(
            ApiError::bad_data("the query time range is invalid: end is before start").into(),
        );
    }
    let limit = match p.get("limit") {
        None => DEFAULT_VOLUME_LIMIT,
        Some(v) => v.parse::<usize>().ok().filter(|&n| n > 0).ok_or_else(|| {
            ApiError::bad_data(format!("invalid limit {v:?}: must be a positive integer"))
        })?,
    };
    let by = match p.get("aggregateBy") {
        None | Some("series") => VolumeBy::Series,
        Some("labels") => VolumeBy::Labels,
        Some(other) => {
            return Err(ApiError::bad_data(format!(
                "invalid aggregateBy {other:?}: use series or labels"
            ))
            .into())
        }
    };
    let target_labels: Vec<String> = p
        .get("targetLabels")
        .into_iter()
        .flat_map(|t| t.split(','))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    let volumes = st
        .on_query_slot(SnapshotCache::logs, move |snap| {
            let matchers = log_selector(&text).map_err(ApiError::bad_data)?;
            let q = VolumeQuery {
                matchers,
                target_labels,
                by,
                from: start,
                to: end,
                limit,
            };
            Ok(cardinality::log_volume(snap, &q))
        })
        .await?;
    let at = end.div_euclid(NS_PER_SEC);
    let result: Vec<Value> = volumes
        .iter()
        .map(|v| {
            let metric: serde_json::Map<String, Value> = v
                .labels
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            json!({"metric": metric, "value": [at, v.bytes.to_string()]})
        })
        .collect();
    let body = json!({"status": "success", "data": {"resultType": "vector", "result": result}});
    Ok(json_response(StatusCode::OK, body.to_string().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::params::Params;

    fn params(q: &str) -> Params {
        Params::new(Some(q), None)
    }

    #[test]
    fn limit_is_a_positive_integer_as_in_prometheus() {
        assert_eq!(limit(&params("")).unwrap(), 10);
        assert_eq!(limit(&params("limit=3")).unwrap(), 3);
        assert_eq!(limit(&params("topN=4")).unwrap(), 4);
        assert_eq!(limit(&params("limit=2&topN=4")).unwrap(), 2);
        for bad in ["limit=0", "limit=-1", "limit=abc", "limit=1.5", "topN=0"] {
            let e = limit(&params(bad)).unwrap_err();
            assert_eq!(e.message, "limit must be a positive number", "{bad}");
        }
    }

    #[test]
    fn date_is_one_utc_day() {
        assert_eq!(
            date_range(&params("date=2023-11-14")).unwrap(),
            Some((1_699_920_000_000, 1_699_920_000_000 + MS_PER_DAY - 1))
        );
        assert!(date_range(&params("date=14.11.2023")).is_err());
    }

    #[test]
    fn an_empty_store_answers_zeros_and_empty_lists() {
        let v = tsdb_status_json(&Cardinality::default(), false);
        assert_eq!(
            v,
            json!({
                "headStats": {"numSeries": 0, "numLabelPairs": 0, "chunkCount": 0, "minTime": 0, "maxTime": 0},
                "seriesCountByMetricName": [],
                "labelValueCountByLabelName": [],
                "memoryInBytesByLabelName": [],
                "seriesCountByLabelValuePair": [],
            })
        );
        let v = logs_status_json(&Cardinality::default(), true);
        assert_eq!(v["headStats"]["numStreams"], 0);
        assert_eq!(v["streamCountByFocusLabelValue"], json!([]));
    }

    #[test]
    fn log_selectors_are_stream_selectors_only() {
        assert!(log_selector("{}").unwrap().is_empty());
        assert_eq!(log_selector("{app=\"api\"}").unwrap().len(), 1);
        assert!(log_selector("{app=\"api\"} |= \"x\"").is_err());
        assert!(log_selector("rate({app=\"api\"}[1m])").is_err());
    }
}
