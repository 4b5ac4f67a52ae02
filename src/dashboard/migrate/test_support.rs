//! What the tests of every migration step share.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::datasources::variable_reference;
use super::{migrate, Migrated, LOKI_UID, PROMETHEUS_UID};

pub(super) fn run(dashboard: Value) -> Migrated {
    migrate(dashboard).expect("a dashboard")
}

/// Every panel, the children of collapsed rows included.
pub(super) fn all_panels(dashboard: &Value) -> Vec<&Value> {
    fn walk<'a>(panels: &'a Value, out: &mut Vec<&'a Value>) {
        for panel in panels.as_array().into_iter().flatten() {
            out.push(panel);
            if let Some(children) = panel.get("panels") {
                walk(children, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&dashboard["panels"], &mut out);
    out
}

pub(super) fn panel(dashboard: &Value, id: i64) -> &Value {
    all_panels(dashboard)
        .into_iter()
        .find(|p| p["id"] == json!(id))
        .unwrap_or_else(|| panic!("no panel {id}"))
}

pub(super) fn ids(panels: &Value) -> Vec<i64> {
    panels
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

pub(super) fn has_note(m: &Migrated, text: &str) -> bool {
    m.notes.iter().any(|n| n.contains(text))
}

pub(super) fn assert_idempotent(migrated: &Migrated) {
    let again = run(migrated.dashboard.clone());
    assert_eq!(
        again.dashboard, migrated.dashboard,
        "a second migration changed the dashboard"
    );
}

/// Data source references that point at neither of argus' sources, a data source
/// variable, nor Grafana's built-in sources; queries must name theirs.
pub(super) fn unresolved_datasources(dashboard: &Value) -> Vec<String> {
    let variables = dashboard["templating"]["list"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let datasource_variables: HashSet<String> = variables
        .iter()
        .filter(|v| v["type"] == "datasource")
        .filter_map(|v| Some(v["name"].as_str()?.to_string()))
        .collect();
    let resolves = |v: &Value| match (v["type"].as_str(), v["uid"].as_str()) {
        (Some("prometheus"), Some(PROMETHEUS_UID)) | (Some("loki"), Some(LOKI_UID)) => true,
        (Some("datasource"), Some(_)) => true,
        (_, Some(uid)) => variable_reference(uid).is_some_and(|n| datasource_variables.contains(n)),
        _ => false,
    };
    let mut bad = Vec::new();
    for p in all_panels(dashboard) {
        if p.get("datasource").is_some_and(|d| !resolves(d)) {
            bad.push(format!("panel {}: {}", p["id"], p["datasource"]));
        }
        for t in p["targets"].as_array().into_iter().flatten() {
            if !resolves(&t["datasource"]) {
                bad.push(format!(
                    "panel {} target {}: {}",
                    p["id"], t["refId"], t["datasource"]
                ));
            }
        }
    }
    for v in &variables {
        if v.get("datasource").is_some_and(|d| !resolves(d)) {
            bad.push(format!("variable {}: {}", v["name"], v["datasource"]));
        }
    }
    for a in dashboard["annotations"]["list"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if !resolves(&a["datasource"]) {
            bad.push(format!("annotation {}: {}", a["name"], a["datasource"]));
        }
    }
    bad
}

pub(super) fn legacy(panels: Value) -> Migrated {
    run(json!({"schemaVersion": 27, "panels": panels}))
}
