//! The dashboards of `--dashboards`: argus' list with each file's state, and Grafana's
//! HTTP API for dashboards (`/api/search`, `/api/dashboards/uid/<uid>`,
//! `/api/dashboards/db`), so that the UI and Grafana's tools (an uploader, a backup script)
//! read and save them alike. Saving writes the dashboard's file (see
//! `dashboard::library`).

use super::state::AppState;
use crate::dashboard::library::{Entry, SaveError};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

/// Grafana's error shape for its dashboard API: `{"message": …}` (and `status` for some).
fn grafana_error(code: StatusCode, message: impl Into<String>, status: Option<&str>) -> Response {
    let mut body = json!({"message": message.into()});
    if let Some(s) = status {
        body["status"] = json!(s);
    }
    (code, Json(body)).into_response()
}

/// `GET /api/v1/dashboards`: every file of the folder, loaded or not, for the UI's list.
pub async fn list(State(st): State<Arc<AppState>>) -> Response {
    let st2 = st.clone();
    let entries = tokio::task::spawn_blocking(move || st2.dashboards.list())
        .await
        .unwrap_or_default();
    let rows: Vec<Value> = entries
        .iter()
        .map(|e| {
            json!({
                "uid": e.uid,
                "title": e.title,
                "tags": e.tags,
                "folder": e.folder,
                "file": e.file,
                "url": if e.error.is_none() { Some(e.url()) } else { None },
                "error": e.error,
                "notes": e.notes,
            })
        })
        .collect();
    super::success(json!({
        "folder": st.dashboards.dir().display().to_string(),
        "dashboards": rows,
    }))
}

/// `GET /api/search`: Grafana's search, of dashboards only: `query` (a part of the title,
/// any case), `tag` (repeatable, all must be there), `dashboardUIDs`.
pub async fn search(
    State(st): State<Arc<AppState>>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let entries = tokio::task::spawn_blocking(move || st.dashboards.list())
        .await
        .unwrap_or_default();
    let text = q
        .iter()
        .find(|(k, _)| k == "query")
        .map(|(_, v)| v.to_lowercase())
        .unwrap_or_default();
    let tags: Vec<&str> = q
        .iter()
        .filter(|(k, _)| k == "tag")
        .map(|(_, v)| v.as_str())
        .collect();
    let uids: Vec<&str> = q
        .iter()
        .filter(|(k, _)| k == "dashboardUIDs" || k == "dashboardUID")
        .flat_map(|(_, v)| v.split(','))
        .collect();
    let hits: Vec<Value> = entries
        .iter()
        .filter(|e| e.error.is_none())
        .filter(|e| e.title.to_lowercase().contains(&text))
        .filter(|e| tags.iter().all(|t| e.tags.iter().any(|x| x == t)))
        .filter(|e| uids.is_empty() || uids.contains(&e.uid.as_str()))
        .enumerate()
        .map(|(i, e)| {
            json!({
                "id": i + 1,
                "uid": e.uid,
                "title": e.title,
                "uri": format!("db/{}", crate::dashboard::slug(&e.title)),
                "url": e.url(),
                "slug": "",
                "type": "dash-db",
                "tags": e.tags,
                "isStarred": false,
                "folderTitle": if e.folder.is_empty() { None } else { Some(&e.folder) },
            })
        })
        .collect();
    Json(hits).into_response()
}

fn meta(e: &Entry) -> Value {
    json!({
        "slug": crate::dashboard::slug(&e.title),
        "url": e.url(),
        "type": "db",
        "canSave": true,
        "canEdit": true,
        "canStar": false,
        "provisioned": false,
        "folderTitle": if e.folder.is_empty() { "General" } else { &e.folder },
        "file": e.file,
        "notes": e.notes,
    })
}

/// `GET /api/dashboards/uid/<uid>`: `{"dashboard": …, "meta": …}` as Grafana answers, the
/// dashboard in the current schema.
pub async fn get_by_uid(State(st): State<Arc<AppState>>, Path(uid): Path<String>) -> Response {
    let found = tokio::task::spawn_blocking(move || st.dashboards.get(&uid))
        .await
        .ok()
        .flatten();
    match found {
        Some(e) => Json(json!({"dashboard": e.dashboard, "meta": meta(&e)})).into_response(),
        None => grafana_error(
            StatusCode::NOT_FOUND,
            "Dashboard not found",
            Some("not-found"),
        ),
    }
}

/// `POST /api/dashboards/db` (and Grafana's `/api/dashboards/import`): saves
/// `{"dashboard": …, "overwrite": bool}` to its file. 412 `version-mismatch` when someone
/// saved since the version edited, 400 when it is not a dashboard.
pub async fn save(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    let request: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return grafana_error(
                StatusCode::BAD_REQUEST,
                format!("the request body is not JSON: {e}"),
                None,
            )
        }
    };
    let Some(dashboard) = request.get("dashboard").cloned() else {
        return grafana_error(
            StatusCode::BAD_REQUEST,
            "the request has no \"dashboard\" member",
            None,
        );
    };
    let overwrite = request["overwrite"].as_bool().unwrap_or(false);
    let saved = tokio::task::spawn_blocking(move || st.dashboards.save(dashboard, overwrite))
        .await
        .unwrap_or_else(|e| Err(SaveError::Io(e.to_string())));
    match saved {
        Ok(e) => Json(json!({
            "id": 0,
            "uid": e.uid,
            "url": e.url(),
            "slug": crate::dashboard::slug(&e.title),
            "status": "success",
            "version": e.dashboard.as_ref().and_then(|d| d["version"].as_i64()),
        }))
        .into_response(),
        Err(SaveError::VersionMismatch) => grafana_error(
            StatusCode::PRECONDITION_FAILED,
            SaveError::VersionMismatch.to_string(),
            Some("version-mismatch"),
        ),
        Err(e @ SaveError::Invalid(_)) => {
            grafana_error(StatusCode::BAD_REQUEST, e.to_string(), None)
        }
        Err(e @ SaveError::Io(_)) => {
            grafana_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string(), None)
        }
    }
}
