//! `/api/v1/rules` and `/api/v1/alerts`, shaped as Prometheus answers them (Grafana reads
//! both to list rules and alerts), from the rules in force and their groups' latest states.

use super::errors::{ApiError, PromError};
use super::rules::RuleSet;
use super::state::AppState;
use super::{success, ApiParams};
use crate::model::time::format_rfc3339;
use crate::model::Labels;
use crate::promql::json::pairs_json;
use crate::rules::alert::Alert;
use crate::rules::file::{Group, Rule, RuleKind};
use crate::rules::group::RuleState;
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};
use std::sync::Arc;

type Handled = Result<Response, PromError>;

/// Go's zero time, which Prometheus shows for "never".
const NEVER: &str = "0001-01-01T00:00:00Z";

/// What `/api/v1/rules` was asked to show.
struct Filter<'a> {
    kind: Option<&'a str>,
    names: Vec<&'a str>,
    groups: Vec<&'a str>,
    files: Vec<&'a str>,
    exclude_alerts: bool,
    matchers: Vec<Vec<crate::model::Matcher>>,
}

impl Filter<'_> {
    fn keeps(&self, rule: &Rule, group: &Group) -> bool {
        let kind_ok = match self.kind {
            Some("alert") => rule.is_alert(),
            Some("record") => !rule.is_alert(),
            _ => true,
        };
        let labels = rule_labels(group, rule);
        kind_ok
            && (self.names.is_empty() || self.names.contains(&rule.name()))
            && (self.matchers.is_empty()
                || self
                    .matchers
                    .iter()
                    .any(|m| crate::model::matcher::matches_all(m, &labels)))
    }
}

fn rule_labels(group: &Group, rule: &Rule) -> Labels {
    Labels::from_pairs(group.rule_labels(rule))
}

/// `GET /api/v1/rules`.
pub async fn rules(State(st): State<Arc<AppState>>, ApiParams(p): ApiParams) -> Handled {
    let kind = p.get("type");
    if let Some(k) = kind {
        if k != "alert" && k != "record" {
            return Err(ApiError::bad_data(format!("unsupported type {k:?}")).into());
        }
    }
    let mut matchers = Vec::new();
    for m in p.all("match[]") {
        let parsed = crate::promql::parse(m)
            .map_err(|e| ApiError::bad_data(format!("invalid parameter \"match[]\": {e}")))?;
        match parsed {
            crate::promql::ast::Expr::VectorSelector(s) => matchers.push(s.matchers),
            _ => {
                return Err(ApiError::bad_data(
                    "invalid parameter \"match[]\": not a series selector",
                )
                .into())
            }
        }
    }
    let filter = Filter {
        kind,
        names: p.all("rule_name[]"),
        groups: p.all("rule_group[]"),
        files: p.all("file[]"),
        exclude_alerts: p.get("exclude_alerts") == Some("true"),
        matchers,
    };
    let limit = p.count("group_limit")?;
    let token = p.get("group_next_token");
    let set = st.rules.current();
    let mut groups = Vec::new();
    let mut next_token = None;
    let mut started = token.is_none();
    for (file, g) in groups_of(&set) {
        if !filter.groups.is_empty() && !filter.groups.contains(&g.name.as_str()) {
            continue;
        }
        if !filter.files.is_empty() && !filter.files.contains(&file) {
            continue;
        }
        let key = group_token(file, &g.name);
        if !started {
            started = Some(key.as_str()) == token;
            if !started {
                continue;
            }
        }
        if limit.is_some_and(|l| l > 0 && groups.len() == l) {
            next_token = Some(key);
            break;
        }
        let state = st.rules.state_of(file, &g.name);
        let rules: Vec<Value> = g
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| filter.keeps(r, g))
            .map(|(i, r)| rule_json(g, r, state.as_ref().and_then(|s| s.rules.get(i)), &filter))
            .collect();
        if rules.is_empty()
            && (filter.kind.is_some() || !filter.names.is_empty() || !filter.matchers.is_empty())
        {
            continue;
        }
        groups.push(json!({
            "name": g.name,
            "file": file,
            "rules": rules,
            "interval": g.interval.unwrap_or(set.config.evaluation_interval) as f64 / 1000.0,
            "limit": g.limit,
            "evaluationTime": state.as_ref().map_or(0.0, |s| s.evaluation_seconds),
            "lastEvaluation": time_or_never(state.as_ref().and_then(|s| s.last_evaluation)),
        }));
    }
    if token.is_some() && !started {
        return Err(ApiError::bad_data("invalid group_next_token").into());
    }
    let mut data = json!({ "groups": groups });
    if let Some(t) = next_token {
        data["groupNextToken"] = json!(t);
    }
    Ok(success(data))
}

/// `GET /api/v1/alerts`: every pending and firing alert.
pub async fn alerts(State(st): State<Arc<AppState>>) -> Handled {
    let set = st.rules.current();
    let mut out = Vec::new();
    for (file, g) in groups_of(&set) {
        if let Some(state) = st.rules.state_of(file, &g.name) {
            for rs in &state.rules {
                out.extend(rs.alerts.current().map(Alert::api_json));
            }
        }
    }
    Ok(success(json!({ "alerts": out })))
}

fn groups_of(set: &RuleSet) -> impl Iterator<Item = (&str, &Group)> {
    set.files
        .iter()
        .flat_map(|f| f.groups.iter().map(move |g| (f.path.as_str(), g)))
}

/// An opaque but stable token naming a group, for `group_next_token`.
fn group_token(file: &str, group: &str) -> String {
    crate::rules::state::file_name(file, group)
}

fn time_or_never(ms: Option<i64>) -> String {
    ms.map_or_else(|| NEVER.to_string(), format_rfc3339)
}

fn rule_json(group: &Group, rule: &Rule, state: Option<&RuleState>, filter: &Filter) -> Value {
    let labels = rule_labels(group, rule);
    let (health, last_error, eval_time, last_eval) = match state {
        Some(s) => (
            s.health.as_str(),
            s.last_error.clone().unwrap_or_default(),
            s.evaluation_seconds,
            time_or_never(s.last_evaluation),
        ),
        None => ("unknown", String::new(), 0.0, NEVER.to_string()),
    };
    let mut v = json!({
        "name": rule.name(),
        "query": rule.expr.to_string(),
        "labels": pairs_json(labels.pairs()),
        "health": health,
        "evaluationTime": eval_time,
        "lastEvaluation": last_eval,
    });
    if !last_error.is_empty() {
        v["lastError"] = json!(last_error);
    }
    match &rule.kind {
        RuleKind::Record(_) => v["type"] = json!("recording"),
        RuleKind::Alert(_) => {
            v["type"] = json!("alerting");
            v["duration"] = json!(rule.for_ms as f64 / 1000.0);
            v["keepFiringFor"] = json!(rule.keep_firing_for_ms as f64 / 1000.0);
            v["annotations"] = pairs_json(&rule.annotations);
            let state_name = match state {
                Some(s) if s.last_evaluation.is_some() => s.alerts.state().as_str(),
                _ => "unknown",
            };
            v["state"] = json!(state_name);
            if !filter.exclude_alerts {
                let alerts: Vec<Value> = state
                    .map(|s| s.alerts.current().map(Alert::api_json).collect())
                    .unwrap_or_default();
                v["alerts"] = json!(alerts);
            }
        }
    }
    v
}
