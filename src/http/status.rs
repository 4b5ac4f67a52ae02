//! The server's descriptive and operational endpoints: Prometheus' `metadata`, `targets`,
//! `status/*` and `/federate`; health and readiness (`/-/healthy`, `/-/ready`, Loki's
//! `/ready`); `POST /-/reload`; and the server's own `/metrics`.

use super::errors::{ApiError, PromError};
use super::prometheus::{match_selectors, texts, with_snapshot};
use super::state::AppState;
use super::{success, ApiParams};
use crate::model::time::{format_rfc3339, now_ms};
use crate::model::{is_stale_nan, Labels};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::oneshot;

type Handled = Result<Response, PromError>;

/// `/api/v1/metadata`: HELP, TYPE and UNIT per metric, from scrapes, ingests and
/// remote_write metadata.
pub async fn metadata(State(st): State<Arc<AppState>>, ApiParams(p): ApiParams) -> Handled {
    let metric = p.get("metric").map(str::to_string);
    let limit = p.count("limit")?.filter(|&n| n > 0);
    let all = with_snapshot(&st, |snap| Ok(snap.metadata()?)).await?;
    let mut data = serde_json::Map::new();
    for md in all {
        if metric.as_deref().is_some_and(|m| m != md.metric) {
            continue;
        }
        if limit.is_some_and(|n| data.len() >= n) {
            break;
        }
        data.insert(
            md.metric.clone(),
            serde_json::json!([{"type": md.kind.as_str(), "help": md.help, "unit": md.unit}]),
        );
    }
    Ok(success(serde_json::Value::Object(data)))
}

/// `/api/v1/targets`: every configured target with its last scrape.
pub async fn targets(State(st): State<Arc<AppState>>, ApiParams(p): ApiParams) -> Handled {
    let state = p.get("state").unwrap_or("any");
    let pool = p.get("scrapePool");
    let view = st
        .targets
        .read()
        .map_err(|_| ApiError::internal("targets state poisoned"))?
        .clone();
    let mut active = Vec::new();
    for job in &view.jobs {
        if pool.is_some_and(|p| p != job.name) {
            continue;
        }
        for t in &job.targets {
            let last = view.last.get(&(job.name.clone(), t.url.clone()));
            let (health, last_scrape, duration, error) = match last {
                None => (
                    "unknown",
                    "0001-01-01T00:00:00Z".to_string(),
                    0.0,
                    String::new(),
                ),
                Some(s) => (
                    if s.report.up { "up" } else { "down" },
                    format_rfc3339(s.at_ms),
                    s.report.duration.as_secs_f64(),
                    super::redact::urls(s.report.error.as_deref().unwrap_or("")).into_owned(),
                ),
            };
            let url = super::redact::urls(&t.url);
            let labels = crate::promql::json::labels_json(&super::redact::target_labels(&t.labels));
            active.push(serde_json::json!({
                "discoveredLabels": labels,
                "labels": labels,
                "scrapePool": job.name,
                "scrapeUrl": url,
                "globalUrl": url,
                "lastError": error,
                "lastScrape": last_scrape,
                "lastScrapeDuration": duration,
                "health": health,
                "scrapeInterval": crate::model::time::format_duration(t.interval_ms),
                "scrapeTimeout": crate::model::time::format_duration(t.timeout_ms),
            }));
        }
    }
    let data = match state {
        "active" => serde_json::json!({"activeTargets": active}),
        "dropped" => serde_json::json!({"droppedTargets": []}),
        _ => serde_json::json!({"activeTargets": active, "droppedTargets": []}),
    };
    Ok(success(data))
}

/// `/api/v1/status/buildinfo`. No `features` member: Grafana would take argus for Mimir.
pub async fn buildinfo() -> Response {
    success(serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "revision": "",
        "branch": "",
        "buildUser": "argus",
        "buildDate": "",
        "goVersion": "none (argus is written in Rust)",
    }))
}

/// `/api/v1/status/config`: the configuration in force, as YAML, with its secrets hidden.
pub async fn config(State(st): State<Arc<AppState>>) -> Handled {
    let yaml = st
        .config
        .read()
        .map_err(|_| ApiError::internal("config state poisoned"))?
        .yaml
        .clone();
    Ok(success(
        serde_json::json!({"yaml": super::redact::config_yaml(&yaml)}),
    ))
}

/// `/api/v1/status/flags`: the command line's flags and their values.
pub async fn flags(State(st): State<Arc<AppState>>) -> Response {
    success(serde_json::json!(st.flags))
}

/// `/api/v1/status/runtimeinfo`.
pub async fn runtimeinfo(State(st): State<Arc<AppState>>) -> Handled {
    let cfg = st
        .config
        .read()
        .map_err(|_| ApiError::internal("config state poisoned"))?
        .clone();
    let cwd = std::env::current_dir()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    Ok(success(serde_json::json!({
        "startTime": format_rfc3339(st.started_ms),
        "CWD": cwd,
        "reloadConfigSuccess": cfg.last_reload_ok,
        "lastConfigTime": format_rfc3339(cfg.last_reload_ms),
        "corruptionCount": 0,
        "goroutineCount": 0,
        "GOMAXPROCS": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "GOMEMLIMIT": 0,
        "GOGC": "",
        "GODEBUG": "",
        "storageRetention": "unlimited (argus store compact --retention)",
    })))
}

/// `/federate`: the latest sample of every series matching a `match[]`, within the
/// lookback delta, in the text exposition format with their own timestamps.
pub async fn federate(
    State(st): State<Arc<AppState>>,
    ApiParams(p): ApiParams,
) -> Result<Response, super::errors::PlainError> {
    let texts = texts(&p, "match[]");
    let now = now_ms();
    let lookback = st.query_limits.lookback_delta;
    let text = with_snapshot(&st, move |snap| {
        let selectors = match_selectors(&texts, "match[]")?;
        let mut latest: BTreeMap<Labels, (i64, f64)> = BTreeMap::new();
        for m in &selectors {
            for s in snap.select(m, now - lookback, now)? {
                if let Some(last) = s.samples.last() {
                    if !is_stale_nan(last.v) {
                        latest.insert(s.labels, (last.t, last.v));
                    }
                }
            }
        }
        // Every family is untyped: federation hands over the latest samples, not the metadata.
        let mut w = crate::expo::TextWriter::new(Vec::new());
        let mut family = String::new();
        for (labels, (t, v)) in latest {
            let name = labels.metric_name().unwrap_or("").to_string();
            if name != family {
                w.write_metadata(&crate::model::MetricMetadata {
                    metric: name.clone(),
                    kind: crate::model::MetricType::Unknown,
                    help: String::new(),
                    unit: String::new(),
                })
                .map_err(|e| ApiError::internal(e.to_string()))?;
                family = name;
            }
            w.write_sample(&labels, Some(t), v)
                .map_err(|e| ApiError::internal(e.to_string()))?;
        }
        let out = w.finish().map_err(|e| ApiError::internal(e.to_string()))?;
        let out = String::from_utf8(out).map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(out)
    })
    .await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response())
}

/// `/-/healthy`.
pub async fn healthy() -> &'static str {
    "argus is Healthy.\n"
}

/// `/-/ready` and `/ready`: 200 while serving, 503 once shutdown began.
pub async fn ready(State(st): State<Arc<AppState>>) -> Response {
    if st.ready.load(Ordering::Acquire) {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n").into_response()
    }
}

/// `POST /-/reload`: reloads `--config`; 200 when the new configuration is in force, 500
/// with the reason when it was refused (the old one stays).
pub async fn reload(State(st): State<Arc<AppState>>) -> Response {
    let (tx, rx) = oneshot::channel();
    if st.reload.send(Some(tx)).is_err() {
        return (StatusCode::SERVICE_UNAVAILABLE, "the scraper has stopped\n").into_response();
    }
    match rx.await {
        Ok(Ok(())) => (StatusCode::OK, "configuration reloaded\n").into_response(),
        Ok(Err(e)) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("failed to reload config: {}\n", super::redact::urls(&e)),
        )
            .into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "the scraper has stopped\n").into_response(),
    }
}

/// `/metrics`: the server's own metrics.
pub async fn self_metrics(State(st): State<Arc<AppState>>) -> Response {
    let r = &st.registry;
    let c = &st.committer.counters;
    r.set(
        "argus_build_info",
        "A metric with a constant '1' value labeled by version.",
        &[("version", env!("CARGO_PKG_VERSION"))],
        1.0,
    );
    // Pushed data is counted by the committer once stored; scrapes count their own.
    r.set_total(
        "argus_ingested_samples_total",
        "Samples stored, by source.",
        &[("source", "remote_write")],
        c.samples.load(Ordering::Relaxed) as f64,
    );
    r.set_total(
        "argus_ingested_lines_total",
        "Log lines stored, by source.",
        &[("source", "loki_push")],
        c.lines.load(Ordering::Relaxed) as f64,
    );
    r.set_total(
        "argus_commits_total",
        "Group commits of pushed data.",
        &[],
        c.commits.load(Ordering::Relaxed) as f64,
    );
    r.set_total(
        "argus_commit_failures_total",
        "Group commits that failed (their requests got 500).",
        &[],
        c.failed_commits.load(Ordering::Relaxed) as f64,
    );
    let conns = &st.connections;
    r.set(
        "argus_http_open_connections",
        "HTTP connections open (at most --max-connections).",
        &[],
        conns.open.load(Ordering::Relaxed) as f64,
    );
    r.set_total(
        "argus_http_connections_refused_total",
        "Connections closed as soon as accepted because --max-connections were open.",
        &[],
        conns.refused.load(Ordering::Relaxed) as f64,
    );
    for (reason, n) in [
        ("header", &conns.header_timeouts),
        ("idle", &conns.idle_timeouts),
    ] {
        r.set_total(
            "argus_http_connections_timed_out_total",
            "Connections closed by --header-read-timeout (reason header) or --idle-timeout (reason idle).",
            &[("reason", reason)],
            n.load(Ordering::Relaxed) as f64,
        );
    }
    r.set(
        "process_start_time_seconds",
        "Start time of the process since the Unix epoch in seconds.",
        &[],
        st.started_ms as f64 / 1000.0,
    );
    if let Some(rss) = super::self_metrics::resident_memory_bytes() {
        r.set(
            "process_resident_memory_bytes",
            "Resident memory size in bytes.",
            &[],
            rss,
        );
    }
    if let Ok(cfg) = st.config.read() {
        r.set(
            "argus_config_last_reload_successful",
            "Whether the last configuration reload attempt was successful.",
            &[],
            cfg.last_reload_ok as u8 as f64,
        );
    }
    // Part sizes come from the cached snapshots: no directory walk per scrape.
    if let Ok(snap) = st.snapshots.metrics() {
        let bytes: u64 = snap.parts().iter().map(|p| p.file_size).sum();
        r.set(
            "argus_store_bytes",
            "Bytes of the store's part files, by area.",
            &[("area", "metrics")],
            bytes as f64,
        );
        r.set(
            "argus_store_parts",
            "Part files in the store, by area.",
            &[("area", "metrics")],
            snap.parts().len() as f64,
        );
    }
    if let Ok(snap) = st.snapshots.logs() {
        let bytes: u64 = snap.parts().iter().map(|p| p.file_size).sum();
        r.set(
            "argus_store_bytes",
            "Bytes of the store's part files, by area.",
            &[("area", "logs")],
            bytes as f64,
        );
        r.set(
            "argus_store_parts",
            "Part files in the store, by area.",
            &[("area", "logs")],
            snap.parts().len() as f64,
        );
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        r.render(),
    )
        .into_response()
}
