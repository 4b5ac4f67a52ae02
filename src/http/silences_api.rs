//! `GET /api/v2/silences`: argus' own silences (`argus alerts silence`, kept in the store's
//! state file `silences`), shaped as Alertmanager's API v2 lists them, so that the web UI and
//! tools written for Alertmanager can show them.
//!
//! Read-only: silences are made and expired with `argus alerts silence add|expire`, which
//! take the store's lock; a POST here would need the same lock and an authentication story
//! this server does not have yet. What the silences mean belongs to `notify::silence`.

use super::errors::{task_failed, ApiError, PlainError};
use super::state::AppState;
use super::ApiParams;
use crate::model::time::now_ms;
use crate::model::Labels;
use crate::notify::matchers::{all_match, parse_one};
use crate::notify::silence::SilenceState;
use crate::notify::Silence;
use crate::rules::dispatch::read_silences;
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};
use std::sync::Arc;

/// `GET /api/v2/silences[?filter=MATCHER...]`: every silence, active first (soonest to end
/// first), then pending (soonest to start first), then expired (latest to end first), as
/// Alertmanager orders them. A `filter` keeps the silences whose own matchers, read as
/// labels (name = value), satisfy every filter matcher, as Alertmanager's filter does.
pub async fn silences(
    State(st): State<Arc<AppState>>,
    ApiParams(p): ApiParams,
) -> Result<Response, PlainError> {
    let filter = p
        .all("filter")
        .into_iter()
        .map(|f| parse_one(f).map_err(|e| ApiError::bad_data(format!("filter {f:?}: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let store = st.store.clone();
    // Reading a state file is blocking I/O.
    let all = tokio::task::spawn_blocking(move || read_silences(&store))
        .await
        .map_err(|e| task_failed("reading the silences", e))?
        .map_err(ApiError::from)?;
    let now = now_ms();
    let mut kept: Vec<&Silence> = all
        .iter()
        .filter(|s| filter.is_empty() || all_match(&filter, &as_labels(s)))
        .collect();
    kept.sort_by_key(|s| order(s, now));
    let body: Vec<Value> = kept.into_iter().map(|s| gettable(s, now)).collect();
    Ok(super::json_response(
        axum::http::StatusCode::OK,
        Value::Array(body).to_string().into_bytes(),
    ))
}

/// A silence's matchers as a label set, for `filter`.
fn as_labels(s: &Silence) -> Labels {
    Labels::from_pairs(
        s.matchers
            .iter()
            .map(|m| (m.name.as_str(), m.value.as_str())),
    )
}

/// The sort key of Alertmanager's list: state first, then the time that matters in it.
fn order(s: &Silence, now: i64) -> (u8, i64) {
    match s.state(now) {
        SilenceState::Active => (0, s.ends_at),
        SilenceState::Pending => (1, s.starts_at),
        SilenceState::Expired => (2, -s.ends_at),
    }
}

/// Alertmanager's `GettableSilence`: the stored fields plus `status.state` and `updatedAt`.
/// argus does not record when a silence was last changed: `updatedAt` is its start, or its
/// end once expired (expiring is the only change `argus alerts silence` makes).
fn gettable(s: &Silence, now: i64) -> Value {
    let state = s.state(now);
    // A silence always serializes (its fields are strings and booleans).
    let mut v = serde_json::to_value(s).unwrap_or_else(|_| json!({}));
    let updated = match state {
        SilenceState::Expired => s.ends_at,
        _ => s.starts_at.min(now),
    };
    v["status"] = json!({ "state": state.as_str() });
    v["updatedAt"] = json!(crate::notify::alert::go_time(Some(updated)));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn silence(id: &str, starts: &str, ends: &str) -> Silence {
        serde_json::from_str(&format!(
            r#"{{"id":"{id}","matchers":[{{"name":"alertname","value":"Disk.*","isRegex":true}},
            {{"name":"cluster","value":"eu","isRegex":false,"isEqual":false}}],
            "startsAt":"{starts}","endsAt":"{ends}","createdBy":"ops","comment":"why"}}"#
        ))
        .unwrap()
    }

    fn at(t: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(t)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn a_silence_reads_as_alertmanager_writes_it() {
        let s = silence("a", "2024-01-01T10:00:00Z", "2024-01-01T12:00:00Z");
        let v = gettable(&s, at("2024-01-01T11:00:00Z"));
        assert_eq!(v["id"], "a");
        assert_eq!(v["status"]["state"], "active");
        assert_eq!(v["updatedAt"], "2024-01-01T10:00:00Z");
        assert_eq!(v["startsAt"], "2024-01-01T10:00:00Z");
        assert_eq!(v["endsAt"], "2024-01-01T12:00:00Z");
        assert_eq!(v["createdBy"], "ops");
        assert_eq!(v["comment"], "why");
        assert_eq!(
            v["matchers"][0],
            json!({"name": "alertname", "value": "Disk.*", "isRegex": true, "isEqual": true})
        );
        assert_eq!(v["matchers"][1]["isEqual"], false);
        let v = gettable(&s, at("2024-01-01T13:00:00Z"));
        assert_eq!(v["status"]["state"], "expired");
        assert_eq!(v["updatedAt"], "2024-01-01T12:00:00Z");
    }

    #[test]
    fn active_come_first_then_pending_then_expired() {
        let now = at("2024-01-01T11:00:00Z");
        let mut all = [
            silence("old", "2024-01-01T08:00:00Z", "2024-01-01T09:00:00Z"),
            silence("later", "2024-01-01T12:00:00Z", "2024-01-01T13:00:00Z"),
            silence("long", "2024-01-01T10:00:00Z", "2024-01-02T00:00:00Z"),
            silence("short", "2024-01-01T10:00:00Z", "2024-01-01T11:30:00Z"),
            silence("recent", "2024-01-01T08:00:00Z", "2024-01-01T10:30:00Z"),
        ];
        all.sort_by_key(|s| order(s, now));
        let ids: Vec<&str> = all.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["short", "long", "later", "recent", "old"]);
    }

    #[test]
    fn a_filter_reads_the_silences_matchers_as_labels() {
        let s = silence("a", "2024-01-01T10:00:00Z", "2024-01-01T12:00:00Z");
        let keeps = |f: &str| all_match(&[parse_one(f).unwrap()], &as_labels(&s));
        assert!(keeps("cluster=eu"));
        assert!(keeps("alertname=\"Disk.*\""));
        assert!(!keeps("cluster=us"));
    }
}
