//! `argus serve`: the Prometheus- and Loki-compatible HTTP server on the shared store.
//!
//! | file | owns |
//! |---|---|
//! | `params.rs` | request parameters (GET and form POST) and the APIs' time syntaxes |
//! | `errors.rs` | failures → status codes, Prometheus' `errorType`, Loki's plain text |
//! | `proto.rs` | the remote_write and Loki push protobuf messages |
//! | `push.rs` | decoding and checking pushed bodies (snappy, gzip, JSON, protobuf) |
//! | `committer.rs` | group commit: pushes acknowledged once durable; background merges |
//! | `state.rs` | what handlers share: snapshots, targets, config, limits |
//! | `prometheus.rs` | Prometheus' query API and the remote_write receiver |
//! | `status.rs` | metadata, targets, status, federate, health, reload, own metrics |
//! | `status_tsdb.rs` | cardinality: `status/tsdb`, `status/logs`, Loki's `index/volume` |
//! | `loki.rs` | Loki's push, query, metadata and tail API |
//! | `scraping.rs` | continuous scraping with reloads (of the rules too) |
//! | `rules.rs` | rule evaluation on each group's schedule, the rules in force |
//! | `rules_api.rs` | `/api/v1/rules` and `/api/v1/alerts` |
//! | `silences_api.rs` | `/api/v2/silences`: argus' own silences, as Alertmanager lists them |
//! | `dashboards_api.rs` | the dashboard files: argus' list, and Grafana's search, get and save |
//! | `self_metrics.rs` | the registry behind `/metrics` |
//! | `web_config.rs` | `--web-config`: TLS and basic authentication |
//! | `redact.rs` | secrets hidden where configuration and targets are shown |
//! | `admission.rs` | `Host` and `Origin` checks; a panic contained to its request |
//! | `connections.rs` | accepting connections: the cap, TLS, timeouts, the drain |
//! | `server.rs` | the server as one value: bind, run until a shutdown future, drain |
//!
//! This file builds the router: every route, and the layers every request passes (counting,
//! panic containment, `Host` and `Origin` checks, body limit, authentication). `server.rs`
//! runs the server until its shutdown future completes (SIGTERM or SIGINT for `argus
//! serve`): then it stops accepting, lets requests in flight finish, commits what was pushed
//! and scraped, and returns.

pub mod admission;
pub mod committer;
pub mod compress;
pub mod connections;
pub mod dashboards_api;
pub mod errors;
pub mod loki;
pub mod params;
pub mod prometheus;
pub mod proto;
pub mod push;
pub mod redact;
pub mod rules;
pub mod rules_api;
pub mod scraping;
pub mod self_metrics;
pub mod server;
pub mod silences_api;
pub mod state;
pub mod status;
pub mod status_tsdb;
pub mod ui;
pub mod web_config;

#[cfg(test)]
mod server_tests;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use params::Params;
use state::AppState;
use std::sync::Arc;
use std::time::Instant;

/// The port `argus serve` listens on unless `--listen` says otherwise.
pub const DEFAULT_PORT: u16 = 9180;

/// `{"status":"success","data":…}`, the envelope both APIs answer with.
pub(crate) fn success(data: serde_json::Value) -> Response {
    json_response(
        StatusCode::OK,
        serde_json::json!({"status": "success", "data": data})
            .to_string()
            .into_bytes(),
    )
}

/// The success envelope of a query value, written straight into the body (a range result can
/// hold millions of points): `data` holds `resultType`, `result` and `stats` when given;
/// `notes` adds top-level lists such as Prometheus' `warnings` and `infos` when not empty;
/// `layout` spells a matrix as Prometheus does or in argus' columns.
pub(crate) fn value_response(
    value: &crate::promql::engine::Value,
    layout: crate::promql::json::MatrixLayout,
    stats: Option<serde_json::Value>,
    notes: &[(&str, Vec<String>)],
) -> Response {
    use std::io::Write;
    let mut out: Vec<u8> = Vec::with_capacity(4096);
    out.extend_from_slice(b"{\"status\":\"success\",\"data\":{");
    // Writing into a Vec cannot fail.
    let _ = crate::promql::json::write_json_fields_as(&mut out, value, layout);
    if let Some(stats) = stats {
        let _ = write!(out, ",\"stats\":{stats}");
    }
    out.push(b'}');
    for (key, texts) in notes.iter().filter(|(_, t)| !t.is_empty()) {
        let _ = write!(out, ",\"{key}\":{}", serde_json::json!(texts));
    }
    out.push(b'}');
    json_response(StatusCode::OK, out)
}

/// A JSON answer from bytes already encoded.
pub(crate) fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Whether a `Content-Type` names `media` (any parameters, any case).
pub(crate) fn is_media_type(content_type: Option<&str>, media: &str) -> bool {
    content_type.is_some_and(|ct| {
        ct.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case(media)
    })
}

/// An extractor for the request's parameters: its query string, plus its body when that is
/// a form (Prometheus' and Loki's clients POST forms with the same names as GET).
pub struct ApiParams(pub Params);

impl<S: Send + Sync> axum::extract::FromRequest<S> for ApiParams {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let is_form = is_media_type(content_type, "application/x-www-form-urlencoded");
        let query = req.uri().query().map(str::to_string);
        let body = if is_form {
            Some(
                <Bytes as axum::extract::FromRequest<S>>::from_request(req, state)
                    .await
                    .map_err(IntoResponse::into_response)?,
            )
        } else {
            None
        };
        Ok(ApiParams(Params::new(query.as_deref(), body.as_deref())))
    }
}

/// Refuses a body announced larger than `--max-body-bytes` before reading it, with a
/// message naming the limit. (Bodies without a length are still cut at the limit while
/// being read, with the HTTP library's message.)
async fn body_limit(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match announced {
        Some(n) if n > st.max_body_bytes as u64 => errors::ApiError::new(
            errors::ErrorKind::TooLarge,
            format!(
                "the request body of {n} bytes is larger than the limit of {} bytes (--max-body-bytes)",
                st.max_body_bytes
            ),
        )
        .plain(),
        _ => next.run(req).await,
    }
}

/// Counts each request by route and status, and times it.
async fn track(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "other".to_string());
    let started = Instant::now();
    let resp = next.run(req).await;
    let code = resp.status().as_u16().to_string();
    st.registry.add(
        "argus_http_requests_total",
        "HTTP requests, by route and status code.",
        &[("handler", &route), ("code", &code)],
        1.0,
    );
    st.registry.observe(
        "argus_http_request_duration_seconds",
        "Time to answer HTTP requests, by route.",
        &[("handler", &route)],
        started.elapsed().as_secs_f64(),
    );
    resp
}

/// The paths that take pushes: with `--push-token-file`, the token alone admits them.
fn is_push_path(path: &str) -> bool {
    matches!(
        path,
        "/api/v1/write" | "/loki/api/v1/push" | "/api/prom/push"
    )
}

/// Basic authentication (`--web-config`), checked before any handler runs. bcrypt runs on
/// the blocking pool: it is CPU work of tens of milliseconds.
async fn authenticate(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let Some(auth) = st.basic_auth.clone() else {
        return next.run(req).await;
    };
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if st.push_token.is_some()
        && is_push_path(req.uri().path())
        && st.push_allowed(header.as_deref())
    {
        return next.run(req).await;
    }
    let allowed = tokio::task::spawn_blocking(move || auth.allows(header.as_deref()))
        .await
        .unwrap_or(false);
    if allowed {
        next.run(req).await
    } else {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Basic realm=\"argus\"")],
            "Unauthorized\n",
        )
            .into_response()
    }
}

/// The router of the private loopback listener that the server's own scrape uses when
/// `--web-config` puts TLS or passwords on the public one: `/metrics` only, for the
/// per-process `token`.
pub fn self_scrape_router(st: Arc<AppState>, token: String) -> Router {
    let token = Arc::new(token);
    Router::new()
        .route("/metrics", get(status::self_metrics))
        .layer(axum::middleware::from_fn(
            move |req: Request, next: Next| {
                let token = token.clone();
                async move {
                    let given = req
                        .headers()
                        .get(header::AUTHORIZATION)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|a| a.strip_prefix("Bearer "))
                        .unwrap_or("");
                    if state::constant_time_eq(given.as_bytes(), token.as_bytes()) {
                        next.run(req).await
                    } else {
                        StatusCode::UNAUTHORIZED.into_response()
                    }
                }
            },
        ))
        .layer(axum::middleware::from_fn(admission::contain_panics))
        .with_state(st)
}

async fn not_found() -> Response {
    errors::ApiError::new(errors::ErrorKind::NotFound, "no such endpoint").plain()
}

/// Every route of the server, with the layers every request passes.
pub fn router(st: Arc<AppState>) -> Router {
    with_layers(routes(), st)
}

/// Every route of the server.
fn routes() -> Router<Arc<AppState>> {
    Router::new()
        // Prometheus
        .route(
            "/api/v1/query",
            get(prometheus::query).post(prometheus::query),
        )
        .route(
            "/api/v1/query_range",
            get(prometheus::query_range).post(prometheus::query_range),
        )
        .route(
            "/api/v1/series",
            get(prometheus::series).post(prometheus::series),
        )
        .route(
            "/api/v1/labels",
            get(prometheus::label_names).post(prometheus::label_names),
        )
        .route("/api/v1/label/{name}/values", get(prometheus::label_values))
        .route(
            "/api/v1/query_exemplars",
            get(prometheus::query_exemplars).post(prometheus::query_exemplars),
        )
        .route(
            "/api/v1/format_query",
            get(prometheus::format_query).post(prometheus::format_query),
        )
        .route("/api/v1/metadata", get(status::metadata))
        .route("/api/v1/targets", get(status::targets))
        .route(
            "/api/v1/rules",
            get(rules_api::rules).post(rules_api::rules),
        )
        .route("/api/v1/alerts", get(rules_api::alerts))
        .route("/api/v2/silences", get(silences_api::silences))
        .route("/api/v1/dashboards", get(dashboards_api::list))
        .route("/api/search", get(dashboards_api::search))
        .route("/api/dashboards/uid/{uid}", get(dashboards_api::get_by_uid))
        .route("/api/dashboards/db", post(dashboards_api::save))
        .route("/api/dashboards/import", post(dashboards_api::save))
        .route("/api/v1/status/buildinfo", get(status::buildinfo))
        .route("/api/v1/status/config", get(status::config))
        .route("/api/v1/status/flags", get(status::flags))
        .route("/api/v1/status/runtimeinfo", get(status::runtimeinfo))
        // Cardinality: Prometheus' TSDB status, argus' log equivalent, Loki's volume.
        .route("/api/v1/status/tsdb", get(status_tsdb::tsdb))
        .route("/api/v1/status/logs", get(status_tsdb::logs))
        .route(
            "/loki/api/v1/index/volume",
            get(status_tsdb::volume).post(status_tsdb::volume),
        )
        .route("/api/v1/write", post(prometheus::remote_write))
        .route("/federate", get(status::federate))
        // Loki
        .route("/loki/api/v1/push", post(loki::push))
        .route("/api/prom/push", post(loki::push))
        .route("/loki/api/v1/query", get(loki::query).post(loki::query))
        .route(
            "/loki/api/v1/query_range",
            get(loki::query_range).post(loki::query_range),
        )
        .route(
            "/loki/api/v1/labels",
            get(loki::label_names).post(loki::label_names),
        )
        .route(
            "/loki/api/v1/label",
            get(loki::label_names).post(loki::label_names),
        )
        .route(
            "/loki/api/v1/label/{name}/values",
            get(loki::label_values).post(loki::label_values),
        )
        .route("/loki/api/v1/series", get(loki::series).post(loki::series))
        .route(
            "/loki/api/v1/index/stats",
            get(loki::index_stats).post(loki::index_stats),
        )
        .route(
            "/loki/api/v1/detected_labels",
            get(loki::detected_labels).post(loki::detected_labels),
        )
        .route("/loki/api/v1/status/buildinfo", get(loki::buildinfo))
        .route("/loki/api/v1/tail", get(loki::tail))
        // Operations
        .route("/metrics", get(status::self_metrics))
        .route("/-/healthy", get(status::healthy).head(status::healthy))
        .route("/-/ready", get(status::ready).head(status::ready))
        .route("/ready", get(status::ready))
        .route("/-/reload", post(status::reload).put(status::reload))
        // The web UI
        .route("/", get(ui::to_query))
        .route("/graph", get(ui::to_query))
        .route("/assets/{name}", get(ui::asset))
        .merge(ui_pages())
        .route("/d/{uid}", get(ui::page))
        .route("/d/{uid}/{slug}", get(ui::page))
        .fallback(not_found)
}

/// The UI's pages, each answered with the UI's HTML.
fn ui_pages() -> Router<Arc<AppState>> {
    ui::PAGES
        .iter()
        .fold(Router::new(), |r, path| r.route(path, get(ui::page)))
}

/// `routes` with the layers every request passes, outermost first: counting and timing,
/// panic containment, the `Host` check, the `Origin` check, the body limit, authentication,
/// compression of the answer.
fn with_layers(routes: Router<Arc<AppState>>, st: Arc<AppState>) -> Router {
    use axum::middleware::{from_fn, from_fn_with_state};
    let max_body_bytes = st.max_body_bytes;
    routes
        .layer(from_fn(compress::compress))
        .layer(from_fn_with_state(st.clone(), authenticate))
        .layer(from_fn_with_state(st.clone(), body_limit))
        .layer(from_fn_with_state(st.clone(), admission::check_origin))
        .layer(from_fn_with_state(st.clone(), admission::check_host))
        .layer(from_fn(admission::contain_panics))
        .layer(from_fn_with_state(st.clone(), track))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(st)
}
