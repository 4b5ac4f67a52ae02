//! Loki's HTTP API on the shared store: push (JSON or protobuf + snappy), instant and range
//! queries (log and metric), labels, label values, series, index statistics, detected labels,
//! build info, and the live tail over a WebSocket.
//!
//! Errors are plain text as Loki's are (Grafana shows the body as is), with the statuses of
//! `errors.rs`: 400 for what the client sent, 422 when the PromQL engine under a metric query
//! fails, 504 past the timeout, 500 when the store fails. Parameters follow `pkg/loghttp`:
//! times in seconds, nanoseconds or RFC 3339, `end` exclusive for log queries, `limit` capped
//! by `--max-entries-per-query`.

use super::errors::{ApiError, PlainError};
use super::push::{decode_loki_push, receive, rejected};
use super::state::{AppState, SnapshotCache};
use super::{json_response, success, value_response, ApiParams};
use crate::logql::eval_logs::{
    run_log_query, run_log_query_categorized, Direction, LogQueryOptions, StreamResult,
};
use crate::logql::eval_metric::Limits;
use crate::logql::Expr;
use crate::model::time::now_ns;
use crate::model::{Labels, Matcher};
use crate::promql::engine::Value;
use crate::promql::json::MatrixLayout;
use crate::store::logs::snapshot::BlockStats;
use crate::store::logs::{LogQuery, LogSnapshot};
use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

type Handled = Result<Response, PlainError>;

const NS_PER_SEC: i64 = 1_000_000_000;
const HOUR_NS: i64 = 3600 * NS_PER_SEC;

/// Runs `f` with a query slot and the current log snapshot.
async fn with_logs<T: Send + 'static>(
    st: &Arc<AppState>,
    f: impl FnOnce(&LogSnapshot) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    st.on_query_slot(SnapshotCache::logs, f).await
}

fn parse_logql(text: &str) -> Result<Expr, ApiError> {
    crate::logql::parse_for_eval(text).map_err(|e| ApiError::bad_data(e.to_string()))
}

fn direction(p: &super::params::Params) -> Result<Direction, ApiError> {
    match p
        .get("direction")
        .map(|d| d.to_ascii_lowercase())
        .as_deref()
    {
        None | Some("backward") => Ok(Direction::Backward),
        Some("forward") => Ok(Direction::Forward),
        Some(other) => Err(ApiError::bad_data(format!(
            "invalid direction \"{other}\": use forward or backward"
        ))),
    }
}

/// `start`/`end` of a request (ns): `end` defaults to now, `start` to `end - since` (or
/// `default_since`).
fn time_range(p: &super::params::Params, default_since: i64) -> Result<(i64, i64), ApiError> {
    let end = p.loki_time("end")?.unwrap_or_else(now_ns);
    let since = p.loki_duration("since")?.unwrap_or(default_since);
    let start = p.loki_time("start")?.unwrap_or(end.saturating_sub(since));
    if end < start {
        return Err(ApiError::bad_data(
            "the query time range is invalid: end is before start",
        ));
    }
    Ok((start, end))
}

fn limit(st: &AppState, p: &super::params::Params) -> Result<usize, ApiError> {
    let limit = p.count("limit")?.unwrap_or(100);
    let max = st.query_limits.max_entries;
    if limit > max {
        return Err(ApiError::bad_data(format!(
            "max entries limit per query exceeded, limit > max_entries_limit ({limit} > {max})"
        )));
    }
    Ok(limit)
}

/// Loki's `streams` result: one object per label set, values as `["<ns>", "<line>"]`.
fn streams_json(streams: &[StreamResult], categorized: bool) -> serde_json::Value {
    use crate::promql::json::pairs_json;
    serde_json::Value::Array(
        streams
            .iter()
            .map(|s| {
                let values: Vec<serde_json::Value> = s
                    .entries
                    .iter()
                    .enumerate()
                    .map(|(i, e)| {
                        if !categorized {
                            return serde_json::json!([e.t.to_string(), e.line]);
                        }
                        // Loki's third element: each category that is not empty.
                        let mut extra = serde_json::Map::new();
                        if !e.metadata.is_empty() {
                            extra.insert("structuredMetadata".into(), pairs_json(&e.metadata));
                        }
                        match s.parsed.get(i) {
                            Some(p) if !p.is_empty() => {
                                extra.insert("parsed".into(), pairs_json(p));
                            }
                            _ => {}
                        }
                        serde_json::json!([e.t.to_string(), e.line, extra])
                    })
                    .collect();
                serde_json::json!({"stream": crate::promql::json::labels_json(&s.labels), "values": values})
            })
            .collect(),
    )
}

/// The subset of Loki's `stats` that clients read.
fn stats_json(entries: usize, lines: u64, bytes: u64, elapsed: Duration) -> serde_json::Value {
    let secs = elapsed.as_secs_f64();
    let per_sec = |n: u64| {
        if secs > 0.0 {
            (n as f64 / secs) as u64
        } else {
            0
        }
    };
    serde_json::json!({"summary": {
        "bytesProcessedPerSecond": per_sec(bytes),
        "linesProcessedPerSecond": per_sec(lines),
        "totalBytesProcessed": bytes,
        "totalLinesProcessed": lines,
        "execTime": secs,
        "queueTime": 0,
        "subqueries": 0,
        "totalEntriesReturned": entries,
        "splits": 0,
        "shards": 0,
    }})
}

/// The limits of the PromQL engine that evaluates the part of a metric query above its
/// leaves: the server's, as for PromQL queries.
fn metric_limits(st: &AppState) -> Limits {
    Limits {
        max_samples: st.query_limits.max_samples,
        timeout: Some(st.query_limits.timeout),
    }
}

/// `/loki/api/v1/query`: a metric query at one time. Log queries are refused, as current
/// Loki does. The query is parsed on the query slot, within the timeout.
pub async fn query(State(st): State<Arc<AppState>>, ApiParams(p): ApiParams) -> Handled {
    let started = Instant::now();
    let text = p.required("query")?.to_string();
    let t = p.loki_time("time")?.unwrap_or_else(now_ns);
    let limits = metric_limits(&st);
    let value = with_logs(&st, move |snap| {
        let expr = parse_logql(&text)?;
        if expr.is_log() {
            return Err(ApiError::bad_data(
                "log queries are not supported as an instant query type, please change your query to a range query type",
            ));
        }
        Ok(crate::logql::eval_metric::instant(snap, &expr, t, &limits)?)
    })
    .await?;
    let entries = match &value {
        Value::Vector(v) => v.len(),
        _ => 1,
    };
    observe(&st, "instant", started);
    Ok(value_response(
        &value,
        MatrixLayout::Pairs,
        Some(stats_json(entries, 0, 0, started.elapsed())),
        &[],
    ))
}

fn observe(st: &AppState, kind: &str, started: Instant) {
    st.registry.observe(
        "argus_query_duration_seconds",
        "Time to answer queries, by API and kind.",
        &[("api", "loki"), ("kind", kind)],
        started.elapsed().as_secs_f64(),
    );
}

/// What a range query gives: streams of lines, or a matrix.
enum RangeAnswer {
    Streams(Vec<StreamResult>, u64, u64),
    Matrix(Value),
}

/// The step of a metric range query: the request's, or `(end - start) / 250` in whole
/// seconds.
fn metric_step(p: &super::params::Params, start: i64, end: i64) -> Result<i64, ApiError> {
    let step = match p.loki_duration("step")? {
        Some(s) if s > 0 => s,
        Some(_) => {
            return Err(ApiError::bad_data(
                "zero or negative query resolution step widths are not accepted. Try a positive integer",
            ))
        }
        None => ((end - start) / 250 / NS_PER_SEC).max(1) * NS_PER_SEC,
    };
    if (end - start) / step > 11_000 {
        return Err(ApiError::bad_data(
            "exceeded maximum resolution of 11,000 points per timeseries. Try increasing the value of the step parameter",
        ));
    }
    Ok(step)
}

/// Whether a request asks for Loki's categorized labels (`X-Loki-Response-Encoding-Flags:
/// categorize-labels`, a comma-separated list of flags), as Grafana does for Loki 3.
fn wants_categorized_labels(headers: &HeaderMap) -> bool {
    headers
        .get_all("x-loki-response-encoding-flags")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|flag| flag.trim() == "categorize-labels")
}

/// `/loki/api/v1/query_range`: log queries give streams, metric queries a matrix. The
/// query is parsed on the query slot, within the timeout; the parameters that only one kind
/// reads are checked once the kind is known.
pub async fn query_range(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiParams(p): ApiParams,
) -> Handled {
    let started = Instant::now();
    let categorized = wants_categorized_labels(&headers);
    let text = p.required("query")?.to_string();
    let (start, end) = time_range(&p, HOUR_NS)?;
    let log_options = (|| {
        Ok::<_, ApiError>((
            LogQueryOptions {
                from: start,
                to: end,
                limit: limit(&st, &p)?,
                direction: direction(&p)?,
            },
            p.loki_duration("interval")?.unwrap_or(0).max(0),
        ))
    })();
    let step = metric_step(&p, start, end);
    // Columns are in milliseconds, as the metric engine evaluates.
    let layout = match (p.wants_columns()?, &step) {
        (true, Ok(step)) => {
            let ms = |ns: i64| ns.div_euclid(1_000_000);
            MatrixLayout::columns(ms(start), ms(end), ms(*step))
        }
        _ => MatrixLayout::Pairs,
    };
    let limits = metric_limits(&st);
    let answer = with_logs(&st, move |snap| match parse_logql(&text)? {
        Expr::Log(log) => {
            let (opts, interval) = log_options?;
            let (streams, lines, bytes) =
                log_query_with_interval(snap, &log, opts, interval, categorized)?;
            Ok(RangeAnswer::Streams(streams, lines, bytes))
        }
        expr => Ok(RangeAnswer::Matrix(crate::logql::eval_metric::range(
            snap, &expr, start, end, step?, &limits,
        )?)),
    })
    .await?;
    match answer {
        RangeAnswer::Streams(streams, lines, bytes) => {
            let entries: usize = streams.iter().map(|s| s.entries.len()).sum();
            observe(&st, "logs", started);
            let mut data = serde_json::json!({
                "resultType": "streams",
                "result": streams_json(&streams, categorized),
                "stats": stats_json(entries, lines, bytes, started.elapsed()),
            });
            if categorized {
                data["encodingFlags"] = serde_json::json!(["categorize-labels"]);
            }
            let body = serde_json::json!({"status": "success", "data": data});
            Ok(json_response(StatusCode::OK, body.to_string().into_bytes()))
        }
        RangeAnswer::Matrix(value) => {
            let points = match &value {
                Value::Matrix(m) => m.iter().map(|s| s.samples.len()).sum(),
                _ => 0,
            };
            observe(&st, "range", started);
            Ok(value_response(
                &value,
                layout,
                Some(stats_json(points, 0, 0, started.elapsed())),
                &[],
            ))
        }
    }
}

/// A log query whose answer keeps at most one entry per `interval` (ns), counted across
/// all streams in the query's direction from the first entry, as Loki's `interval` does.
/// The interval is applied before the limit, so the query is asked again with a larger
/// limit while thinning left fewer than `limit` entries and more may exist.
fn log_query_with_interval(
    snap: &LogSnapshot,
    log: &crate::logql::LogExpr,
    opts: LogQueryOptions,
    interval: i64,
    categorized: bool,
) -> Result<(Vec<StreamResult>, u64, u64), ApiError> {
    let run = |o: &LogQueryOptions| -> Result<_, ApiError> {
        Ok(if categorized {
            run_log_query_categorized(snap, log, o)?
        } else {
            run_log_query(snap, log, o)?
        })
    };
    if interval == 0 {
        let (streams, stats) = run(&opts)?;
        return Ok((streams, stats.lines_scanned, stats.bytes_scanned));
    }
    let mut ask = opts.limit.saturating_mul(4).max(opts.limit);
    loop {
        let (streams, stats) = run(&LogQueryOptions { limit: ask, ..opts })?;
        let got: usize = streams.iter().map(|s| s.entries.len()).sum();
        let thinned = thin(streams, opts.direction, interval, opts.limit);
        let kept: usize = thinned.iter().map(|s| s.entries.len()).sum();
        if kept >= opts.limit || got < ask {
            return Ok((thinned, stats.lines_scanned, stats.bytes_scanned));
        }
        ask = ask.saturating_mul(4);
    }
}

/// Keeps the first entry, then each entry at least `interval` after (forward) or before
/// (backward) the last kept one, up to `limit` entries.
fn thin(
    streams: Vec<StreamResult>,
    direction: Direction,
    interval: i64,
    limit: usize,
) -> Vec<StreamResult> {
    // Each entry with its parsed labels when the answer is categorized.
    type Parsed = Option<Vec<(String, String)>>;
    let mut all: Vec<(usize, crate::model::LogEntry, Parsed)> = streams
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            let parsed = s.parsed.iter().cloned().map(Some);
            let parsed = parsed.chain(std::iter::repeat(None));
            s.entries
                .iter()
                .cloned()
                .zip(parsed)
                .map(move |(e, p)| (i, e, p))
        })
        .collect();
    match direction {
        Direction::Forward => all.sort_by(|a, b| a.1.t.cmp(&b.1.t).then(a.0.cmp(&b.0))),
        Direction::Backward => all.sort_by(|a, b| b.1.t.cmp(&a.1.t).then(a.0.cmp(&b.0))),
    }
    let mut out: Vec<StreamResult> = streams
        .iter()
        .map(|s| StreamResult::new(s.labels.clone(), Vec::new()))
        .collect();
    let mut last: Option<i64> = None;
    let mut kept = 0;
    for (i, e, parsed) in all {
        if kept == limit {
            break;
        }
        let due = match (last, direction) {
            (None, _) => true,
            (Some(l), Direction::Forward) => e.t >= l.saturating_add(interval),
            (Some(l), Direction::Backward) => e.t <= l.saturating_sub(interval),
        };
        if due {
            last = Some(e.t);
            kept += 1;
            out[i].entries.push(e);
            out[i].parsed.extend(parsed);
        }
    }
    out.retain(|s| !s.entries.is_empty());
    out
}

/// A stream selector parameter; `{}` (or none) selects every stream.
fn stream_selector(text: Option<&str>) -> Result<Vec<Matcher>, ApiError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty() && *t != "{}") else {
        return Ok(Vec::new());
    };
    match parse_logql(text)? {
        Expr::Log(l) => Ok(l.selector),
        other => Ok(other.stream_selectors().into_iter().flatten().collect()),
    }
}

/// The streams matching any of `selectors` with entries in `[start, end]`.
fn matching_streams(
    snap: &LogSnapshot,
    selectors: &[Vec<Matcher>],
    start: i64,
    end: i64,
) -> BTreeSet<Labels> {
    let mut out = BTreeSet::new();
    for m in selectors {
        for s in snap.streams(m, start, end) {
            out.insert(s.labels);
        }
    }
    out
}

/// The streams a metadata request selects: its `query` selector (every stream when none)
/// with entries in its range.
async fn selected_streams(
    st: &Arc<AppState>,
    p: &super::params::Params,
) -> Result<BTreeSet<Labels>, ApiError> {
    let (start, end) = time_range(p, HOUR_NS)?;
    let text = p.get("query").map(str::to_string);
    with_logs(st, move |snap| {
        let selector = stream_selector(text.as_deref())?;
        Ok(matching_streams(snap, &[selector], start, end))
    })
    .await
}

/// `/loki/api/v1/labels`.
pub async fn label_names(State(st): State<Arc<AppState>>, ApiParams(p): ApiParams) -> Handled {
    let streams = selected_streams(&st, &p).await?;
    let names: BTreeSet<&str> = streams
        .iter()
        .flat_map(|l| l.iter().map(|(k, _)| k))
        .collect();
    Ok(success(serde_json::json!(names)))
}

/// `/loki/api/v1/label/<name>/values`.
pub async fn label_values(
    State(st): State<Arc<AppState>>,
    Path(name): Path<String>,
    ApiParams(p): ApiParams,
) -> Handled {
    let streams = selected_streams(&st, &p).await?;
    let values: BTreeSet<&str> = streams.iter().filter_map(|l| l.get(&name)).collect();
    Ok(success(serde_json::json!(values)))
}

/// `/loki/api/v1/series`: `match[]` (or `match`) selectors; none or `{}` means every stream.
pub async fn series(State(st): State<Arc<AppState>>, ApiParams(p): ApiParams) -> Handled {
    let (start, end) = time_range(&p, HOUR_NS)?;
    let texts: Vec<String> = p
        .all("match[]")
        .into_iter()
        .chain(p.all("match"))
        .map(str::to_string)
        .collect();
    let all = with_logs(&st, move |snap| {
        let mut selectors = Vec::new();
        for t in &texts {
            selectors.push(stream_selector(Some(t))?);
        }
        if selectors.is_empty() {
            selectors.push(Vec::new());
        }
        Ok(matching_streams(snap, &selectors, start, end))
    })
    .await?;
    let data: Vec<serde_json::Value> = all.iter().map(crate::promql::json::labels_json).collect();
    Ok(success(serde_json::Value::Array(data)))
}

/// `/loki/api/v1/index/stats`: streams, blocks ("chunks"), entries and bytes the query's
/// selectors would read in the range. Blocks that straddle the range count whole, as
/// Loki's chunk statistics do.
pub async fn index_stats(State(st): State<Arc<AppState>>, ApiParams(p): ApiParams) -> Handled {
    let (start, end) = time_range(&p, HOUR_NS)?;
    let text = p.get("query").map(str::to_string);
    let stats = with_logs(&st, move |snap| {
        let selector = stream_selector(text.as_deref())?;
        let q = LogQuery {
            matchers: selector,
            from: start,
            to: end,
            required: Vec::new(),
        };
        let (mut streams, mut chunks, mut entries, mut bytes) = (0u64, 0u64, 0u64, 0u64);
        for s in snap.streams(&q.matchers, start, end) {
            streams += 1;
            for h in snap.blocks(&s, &q, &mut BlockStats::default()) {
                chunks += 1;
                entries += h.block.count as u64;
                bytes += h.block.line_bytes as u64;
            }
        }
        Ok(serde_json::json!({"streams": streams, "chunks": chunks, "entries": entries, "bytes": bytes}))
    })
    .await?;
    Ok(json_response(
        StatusCode::OK,
        stats.to_string().into_bytes(),
    ))
}

/// `/loki/api/v1/detected_labels`: each stream label of the matching streams and how many
/// values it has.
pub async fn detected_labels(State(st): State<Arc<AppState>>, ApiParams(p): ApiParams) -> Handled {
    let streams = selected_streams(&st, &p).await?;
    let mut values: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for l in &streams {
        for (k, v) in l.iter() {
            values.entry(k).or_default().insert(v);
        }
    }
    let detected: Vec<serde_json::Value> = values
        .iter()
        .map(|(k, v)| serde_json::json!({"label": k, "cardinality": v.len()}))
        .collect();
    Ok(json_response(
        StatusCode::OK,
        serde_json::json!({"detectedLabels": detected})
            .to_string()
            .into_bytes(),
    ))
}

/// `/loki/api/v1/status/buildinfo`: the Loki API version argus answers like (Grafana picks
/// features by it), with argus' own version as the revision.
pub async fn buildinfo() -> Response {
    let body = serde_json::json!({
        "version": LOKI_API_VERSION,
        "revision": concat!("argus-", env!("CARGO_PKG_VERSION")),
        "branch": "",
        "buildUser": "argus",
        "buildDate": "",
        "goVersion": "none (argus is written in Rust)",
    });
    json_response(StatusCode::OK, body.to_string().into_bytes())
}

/// The Loki version whose API argus follows.
pub const LOKI_API_VERSION: &str = "3.4.0";

/// `/loki/api/v1/push`: answered 204 once durable; 400 with the reason when anything in the
/// request is invalid (then nothing of it is stored).
pub async fn push(State(st): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let received = receive(&st, &headers, body, decode_loki_push).await;
    let stored = match received {
        Ok(batch) => st
            .committer
            .commit_logs(batch)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match stored {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => rejected(&st, "loki_push", e),
    }
}

/// `/loki/api/v1/tail`: upgrades to a WebSocket and sends new matching lines as they are
/// stored, once a second, as `{"streams":[…]}` text frames.
pub async fn tail(
    State(st): State<Arc<AppState>>,
    ws: WebSocketUpgrade,
    ApiParams(p): ApiParams,
) -> Handled {
    let text = p.required("query")?.to_string();
    let Expr::Log(log) = st.on_slot(move || parse_logql(&text)).await? else {
        return Err(ApiError::bad_data("tail needs a log query, not a metric query").into());
    };
    let limit = limit(&st, &p)?;
    let start = p.loki_time("start")?.unwrap_or(now_ns() - HOUR_NS);
    let delay = p.loki_duration("delay_for")?.unwrap_or(0);
    if delay > 5 * NS_PER_SEC {
        return Err(ApiError::bad_data("delay_for can't be greater than 5s").into());
    }
    Ok(ws.on_upgrade(move |socket| run_tail(st, socket, log, start, limit, delay)))
}

async fn run_tail(
    st: Arc<AppState>,
    mut socket: WebSocket,
    log: crate::logql::LogExpr,
    start: i64,
    limit: usize,
    delay: i64,
) {
    let log = Arc::new(log);
    let mut cursor = crate::logql::tail::TailCursor::new(start);
    // First the newest `limit` lines since `start`, then everything new.
    let mut opts = LogQueryOptions {
        from: start,
        to: now_ns().saturating_sub(delay),
        limit,
        direction: Direction::Backward,
    };
    loop {
        let l = log.clone();
        let found = with_logs(&st, move |snap| {
            Ok(run_log_query(snap, &l, &opts).map(|(s, _)| s)?)
        })
        .await;
        let streams = match found {
            Ok(s) => cursor.fresh(s),
            Err(_) => {
                let _ = socket.send(Message::Close(None)).await;
                return;
            }
        };
        if !streams.is_empty() {
            let mut streams = streams;
            for s in &mut streams {
                s.entries.sort_by_key(|e| e.t);
            }
            let frame = serde_json::json!({"streams": streams_json(&streams, false)}).to_string();
            if socket.send(Message::Text(frame.into())).await.is_err() {
                return;
            }
        }
        // Wait a second, answering pings and noticing a close meanwhile.
        let sleep = tokio::time::sleep(Duration::from_secs(1));
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => break,
                msg = socket.recv() => match msg {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                    Some(Ok(_)) => {}
                },
            }
        }
        if !st.ready.load(std::sync::atomic::Ordering::Acquire) {
            let _ = socket.send(Message::Close(None)).await;
            return;
        }
        opts = cursor.next_query(now_ns().saturating_sub(delay));
        opts.to = now_ns().saturating_sub(delay).saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LogEntry;

    #[test]
    fn interval_keeps_one_entry_per_interval_across_streams() {
        let s = |l: &str, ts: &[i64]| StreamResult {
            labels: Labels::from_pairs([("app", l)]),
            parsed: Vec::new(),
            entries: ts.iter().map(|&t| LogEntry::new(t, "x")).collect(),
        };
        let out = thin(
            vec![s("a", &[0, 4, 10]), s("b", &[2, 5, 21])],
            Direction::Forward,
            5,
            10,
        );
        let times: Vec<(String, Vec<i64>)> = out
            .iter()
            .map(|s| {
                (
                    s.labels.to_string(),
                    s.entries.iter().map(|e| e.t).collect(),
                )
            })
            .collect();
        assert_eq!(
            times,
            vec![
                ("{app=\"a\"}".to_string(), vec![0, 10]),
                ("{app=\"b\"}".to_string(), vec![5, 21]),
            ]
        );
        let back = thin(vec![s("a", &[0, 4, 10])], Direction::Backward, 5, 1);
        assert_eq!(back[0].entries[0].t, 10);
    }
}
