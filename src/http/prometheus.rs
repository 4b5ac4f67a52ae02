//! Prometheus' query API (`/api/v1/query`, `query_range`, `series`, `labels`, label values,
//! `query_exemplars`, `format_query`) and its remote_write receiver, on the shared store.
//!
//! Parsing and evaluation run on tokio's blocking pool behind a semaphore
//! (`--max-concurrent-queries`) and within `--query-timeout`, so a heavy query, or a huge
//! one that is slow to parse, never stalls the threads that accept pushes. Status codes and
//! `errorType`s are Prometheus': 400 `bad_data` for what the client sent, 422 `execution`
//! for evaluation errors, 503 `timeout`. Answers are written straight into the response
//! buffer, without a JSON tree, since a range result can hold millions of points.

use super::errors::{ApiError, ErrorKind, PromError};
use super::push::{decode_remote_write, receive, rejected};
use super::state::{AppState, SnapshotCache};
use super::{json_response, success, value_response, ApiParams};
use crate::adapters::CountingQueryable;
use crate::model::time::now_ms;
use crate::model::{Labels, Matcher};
use crate::promql::ast::{Expr, ValueType};
use crate::promql::engine::{Annotation, AnnotationKind, Engine, Queryable, Value};
use crate::promql::json::MatrixLayout;
use crate::store::Snapshot;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Most points per series of a range query, as Prometheus allows.
const MAX_POINTS_PER_SERIES: i64 = 11_000;

type Handled = Result<Response, PromError>;

/// Parses the `query` parameter as PromQL.
fn parse_query(text: &str) -> Result<Expr, ApiError> {
    crate::promql::parse(text)
        .map_err(|e| ApiError::bad_data(format!("invalid parameter \"query\": {e}")))
}

/// The engine for one request: the server's limits, shortened by the request's `timeout`
/// and its `lookback_delta`.
fn engine_for(st: &AppState, p: &super::params::Params) -> Result<Engine, ApiError> {
    let limits = &st.query_limits;
    let mut timeout = limits.timeout;
    if let Some(ms) = p.prom_duration("timeout")? {
        if ms > 0 {
            timeout = timeout.min(Duration::from_millis(ms as u64));
        }
    }
    let lookback = match p.prom_duration("lookback_delta")? {
        Some(ms) if ms > 0 => ms,
        Some(_) => {
            return Err(ApiError::bad_data(
                "invalid parameter \"lookback_delta\": must be positive",
            ))
        }
        None => limits.lookback_delta,
    };
    Ok(Engine {
        lookback_delta: lookback,
        max_samples: limits.max_samples,
        timeout: Some(timeout),
        ..Engine::default()
    })
}

/// Runs `f` with a query slot and the current metrics snapshot.
pub(super) async fn with_snapshot<T: Send + 'static>(
    st: &Arc<AppState>,
    f: impl FnOnce(&Snapshot) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    st.on_query_slot(SnapshotCache::metrics, f).await
}

/// What a query reports beside its value.
struct Outcome {
    value: Value,
    notes: Vec<Annotation>,
    samples: u64,
    eval: Duration,
}

/// `{"status":"success","data":{…,"stats":…},"warnings":[…],"infos":[…]}`.
fn outcome_response(
    o: &Outcome,
    query: &str,
    layout: MatrixLayout,
    stats: bool,
    total: Duration,
) -> Response {
    let stats = stats.then(|| {
        serde_json::json!({
            "timings": {
                "evalTotalTime": o.eval.as_secs_f64(),
                "resultSortTime": 0.0,
                "queryPreparationTime": 0.0,
                "innerEvalTime": o.eval.as_secs_f64(),
                "execQueueTime": (total.saturating_sub(o.eval)).as_secs_f64(),
                "execTotalTime": total.as_secs_f64(),
            },
            "samples": {
                "totalQueryableSamples": o.samples,
                "peakSamples": o.samples,
            }
        })
    });
    let notes = |kind: AnnotationKind| -> Vec<String> {
        o.notes
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| n.render(query))
            .collect()
    };
    value_response(
        &o.value,
        layout,
        stats,
        &[
            ("warnings", notes(AnnotationKind::Warning)),
            ("infos", notes(AnnotationKind::Info)),
        ],
    )
}

/// Parses and evaluates with `run` on a query slot, counting the samples read, and answers
/// with the value (and `stats` when asked).
async fn answer(
    st: &Arc<AppState>,
    text: String,
    layout: MatrixLayout,
    stats: bool,
    started: Instant,
    kind: &'static str,
    run: impl FnOnce(&dyn Queryable) -> Result<(Value, Vec<Annotation>), ApiError> + Send + 'static,
) -> Handled {
    let outcome = with_snapshot(st, move |snap| {
        let t0 = Instant::now();
        let counted = CountingQueryable::new(snap);
        let (value, notes) = run(&counted)?;
        Ok(Outcome {
            value,
            notes,
            samples: counted.samples(),
            eval: t0.elapsed(),
        })
    })
    .await?;
    st.registry.observe(
        "argus_query_duration_seconds",
        "Time to answer queries, by API and kind.",
        &[("api", "prometheus"), ("kind", kind)],
        started.elapsed().as_secs_f64(),
    );
    Ok(outcome_response(
        &outcome,
        &text,
        layout,
        stats,
        started.elapsed(),
    ))
}

/// `/api/v1/query`.
pub async fn query(State(st): State<Arc<AppState>>, ApiParams(p): ApiParams) -> Handled {
    let started = Instant::now();
    let text = p.required("query")?.to_string();
    let t = p.prom_time("time")?.unwrap_or_else(now_ms);
    let engine = engine_for(&st, &p)?;
    let stats = p.get("stats").is_some();
    let query = text.clone();
    answer(
        &st,
        text,
        MatrixLayout::Pairs,
        stats,
        started,
        "instant",
        move |q| {
            let expr = parse_query(&query)?;
            Ok(engine.instant_query_annotated(q, &expr, t)?)
        },
    )
    .await
}

/// `/api/v1/query_range`.
pub async fn query_range(State(st): State<Arc<AppState>>, ApiParams(p): ApiParams) -> Handled {
    let started = Instant::now();
    let text = p.required("query")?.to_string();
    let start = p
        .prom_time("start")?
        .ok_or_else(|| ApiError::bad_data("invalid parameter \"start\": missing"))?;
    let end = p
        .prom_time("end")?
        .ok_or_else(|| ApiError::bad_data("invalid parameter \"end\": missing"))?;
    if end < start {
        return Err(ApiError::bad_data(
            "invalid parameter \"end\": end timestamp must not be before start time",
        )
        .into());
    }
    let step = p
        .prom_duration("step")?
        .ok_or_else(|| ApiError::bad_data("invalid parameter \"step\": missing"))?;
    if step <= 0 {
        return Err(ApiError::bad_data(
            "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer",
        )
        .into());
    }
    if (end - start) / step > MAX_POINTS_PER_SERIES {
        return Err(ApiError::bad_data(
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
        )
        .into());
    }
    let layout = if p.wants_columns()? {
        MatrixLayout::columns(start, end, step)
    } else {
        MatrixLayout::Pairs
    };
    let engine = engine_for(&st, &p)?;
    let stats = p.get("stats").is_some();
    let query = text.clone();
    answer(&st, text, layout, stats, started, "range", move |q| {
        let expr = parse_range_query(&query)?;
        Ok(engine.range_query_annotated(q, &expr, start, end, step)?)
    })
    .await
}

/// Parses the query of a range query, which must give a scalar or an instant vector.
fn parse_range_query(text: &str) -> Result<Expr, ApiError> {
    let expr = parse_query(text)?;
    // Prometheus names the types as its documentation does in this message.
    let documented = match expr.value_type() {
        ValueType::Scalar | ValueType::Vector => None,
        ValueType::Matrix => Some("range vector"),
        ValueType::String => Some("string"),
    };
    match documented {
        None => Ok(expr),
        Some(kind) => Err(ApiError::bad_data(format!(
            "invalid parameter \"query\": invalid expression type \"{kind}\" for range query, must be Scalar or instant Vector"
        ))),
    }
}

/// The texts of a repeatable parameter (`match[]`), to be parsed on a query slot by
/// [`match_selectors`].
pub(super) fn texts(p: &super::params::Params, name: &str) -> Vec<String> {
    p.all(name).into_iter().map(str::to_string).collect()
}

/// The `match[]` selectors of a request, each checked as Prometheus does: a selector
/// whose every matcher matches the empty string would select everything.
pub(super) fn match_selectors(texts: &[String], name: &str) -> Result<Vec<Vec<Matcher>>, ApiError> {
    let mut out = Vec::new();
    for s in texts {
        let m = crate::promql::parse_metric_selector(s)
            .map_err(|e| ApiError::bad_data(format!("invalid parameter \"{name}\": {e}")))?;
        if m.iter().all(|m| m.matches_empty()) {
            return Err(ApiError::bad_data(format!(
                "invalid parameter \"{name}\": match[] must contain at least one non-empty matcher"
            )));
        }
        out.push(m);
    }
    Ok(out)
}

/// `start`/`end` of a metadata request; open-ended when not given.
fn metadata_range(p: &super::params::Params) -> Result<(i64, i64), ApiError> {
    Ok((
        p.prom_time("start")?.unwrap_or(i64::MIN / 2),
        p.prom_time("end")?.unwrap_or(i64::MAX / 2),
    ))
}

/// The success envelope, with a `warnings` entry when a limit cut the list.
fn list_response(data: serde_json::Value, truncated: bool) -> Response {
    if !truncated {
        return success(data);
    }
    let body = serde_json::json!({"status": "success", "data": data,
        "warnings": ["results truncated due to limit"]});
    json_response(StatusCode::OK, body.to_string().into_bytes())
}

/// Cuts `v` to `limit` (0 or none: no limit); true when something was cut.
fn apply_limit<T>(v: &mut Vec<T>, limit: Option<usize>) -> bool {
    match limit {
        Some(n) if n > 0 && v.len() > n => {
            v.truncate(n);
            true
        }
        _ => false,
    }
}

/// `/api/v1/series`.
pub async fn series(State(st): State<Arc<AppState>>, ApiParams(p): ApiParams) -> Handled {
    let texts = texts(&p, "match[]");
    if texts.is_empty() {
        return Err(ApiError::bad_data("no match[] parameter provided").into());
    }
    let (start, end) = metadata_range(&p)?;
    let limit = p.count("limit")?;
    let mut all = with_snapshot(&st, move |snap| {
        let selectors = match_selectors(&texts, "match[]")?;
        let mut all: Vec<Labels> = Vec::new();
        for m in &selectors {
            all.extend(snap.series(m, start, end)?);
        }
        all.sort();
        all.dedup();
        Ok(all)
    })
    .await?;
    let truncated = apply_limit(&mut all, limit);
    let data: Vec<serde_json::Value> = all.iter().map(crate::promql::json::labels_json).collect();
    Ok(list_response(serde_json::Value::Array(data), truncated))
}

/// `/api/v1/labels`.
pub async fn label_names(State(st): State<Arc<AppState>>, ApiParams(p): ApiParams) -> Handled {
    let texts = texts(&p, "match[]");
    let (start, end) = metadata_range(&p)?;
    let limit = p.count("limit")?;
    let mut names = with_snapshot(&st, move |snap| {
        let selectors = match_selectors(&texts, "match[]")?;
        let mut names = Vec::new();
        if selectors.is_empty() {
            names = snap.label_names(&[], start, end)?;
        }
        for m in &selectors {
            names.extend(snap.label_names(m, start, end)?);
        }
        names.sort();
        names.dedup();
        Ok(names)
    })
    .await?;
    let truncated = apply_limit(&mut names, limit);
    Ok(list_response(serde_json::json!(names), truncated))
}

/// Decodes a label name of the values endpoint: plain, or escaped for UTF-8 as Prometheus
/// 3 allows (`U__` prefix, `__` for `_`, `_<hex>_` for other characters).
fn label_name_from_path(raw: &str) -> Result<String, ApiError> {
    let invalid = || ApiError::bad_data(format!("invalid label name: \"{raw}\""));
    let name = match raw.strip_prefix("U__") {
        None => raw.to_string(),
        Some(rest) => {
            let mut out = String::new();
            let mut chars = rest.chars().peekable();
            while let Some(c) = chars.next() {
                if c != '_' {
                    out.push(c);
                    continue;
                }
                if chars.peek() == Some(&'_') {
                    chars.next();
                    out.push('_');
                    continue;
                }
                let hex: String = chars.by_ref().take_while(|&c| c != '_').collect();
                let code = u32::from_str_radix(&hex, 16).map_err(|_| invalid())?;
                out.push(char::from_u32(code).ok_or_else(invalid)?);
            }
            out
        }
    };
    if name.is_empty() || name.contains(['{', '}', '"']) {
        return Err(invalid());
    }
    Ok(name)
}

/// `/api/v1/label/<name>/values`.
pub async fn label_values(
    State(st): State<Arc<AppState>>,
    Path(name): Path<String>,
    ApiParams(p): ApiParams,
) -> Handled {
    let name = label_name_from_path(&name)?;
    let texts = texts(&p, "match[]");
    let (start, end) = metadata_range(&p)?;
    let limit = p.count("limit")?;
    let mut values = with_snapshot(&st, move |snap| {
        let selectors = match_selectors(&texts, "match[]")?;
        let mut values = Vec::new();
        let read = |m: &[Matcher]| -> Result<Vec<String>, ApiError> {
            Ok(snap.label_values(&name, m, start, end)?)
        };
        if selectors.is_empty() {
            values = read(&[])?;
        }
        for m in &selectors {
            values.extend(read(m)?);
        }
        values.sort();
        values.dedup();
        Ok(values)
    })
    .await?;
    let truncated = apply_limit(&mut values, limit);
    Ok(list_response(serde_json::json!(values), truncated))
}

/// `/api/v1/query_exemplars`: argus keeps no exemplars, so the answer is an empty list for
/// any valid query (the shape Grafana expects). The query is parsed on a query slot.
pub async fn query_exemplars(State(st): State<Arc<AppState>>, ApiParams(p): ApiParams) -> Handled {
    let text = p.required("query")?.to_string();
    st.on_slot(move || parse_query(&text).map(drop)).await?;
    Ok(success(serde_json::json!([])))
}

/// `/api/v1/format_query`: the query in PromQL's canonical form, parsed and printed on a
/// query slot.
pub async fn format_query(State(st): State<Arc<AppState>>, ApiParams(p): ApiParams) -> Handled {
    let text = p.required("query")?.to_string();
    let formatted = st
        .on_slot(move || parse_query(&text).map(|e| e.to_string()))
        .await?;
    Ok(success(serde_json::json!(formatted)))
}

/// `/api/v1/write`: a remote_write 1.0 request, answered 204 once durable.
pub async fn remote_write(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match remote_write_inner(&st, &headers, body).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => rejected(&st, "remote_write", e),
    }
}

async fn remote_write_inner(
    st: &Arc<AppState>,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<(), ApiError> {
    let (batch, counts) = receive(st, headers, body, |body, content_type, limits| {
        if content_type.is_some_and(|ct| ct.contains("proto=io.prometheus.write.v2")) {
            // 415 tells a 2.0 sender to fall back to 1.0, as the 2.0 specification asks.
            return Err(ApiError::new(
                ErrorKind::Unsupported,
                "remote_write 2.0 is not supported; send remote_write 1.0",
            ));
        }
        decode_remote_write(body, limits)
    })
    .await?;
    if counts.histograms_dropped > 0 {
        st.registry.add(
            "argus_remote_write_histograms_dropped_total",
            "Native histogram samples received by remote_write and not stored.",
            &[],
            counts.histograms_dropped as f64,
        );
    }
    Ok(st.committer.commit_metrics(batch).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_escaped_label_names() {
        assert_eq!(label_name_from_path("job").unwrap(), "job");
        assert_eq!(
            label_name_from_path("U__http_2e_status__code").unwrap(),
            "http.status_code"
        );
        assert!(label_name_from_path("U__bad_zz_").is_err());
    }
}
