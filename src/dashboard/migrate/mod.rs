//! Normalizing ("migrating") classic Grafana dashboard JSON into the one shape argus' UI draws:
//! schema version 41 (Grafana 11.6), modern panel types, every data source reference pointing
//! at one of argus' two data sources.
//!
//! Grafana never stores a dashboard in the newest shape; it upgrades whatever it loads, in two
//! stages, and this module repeats both so the UI only ever meets one shape:
//! - the dashboard migrator, keyed on `schemaVersion`: `rows` become row panels laid out on the
//!   24-column grid (v16), legacy table, text and variable fields change shape (v9 … v41);
//! - the automatic replacement of removed Angular panels when their plugin loads, keyed on the
//!   panel `type`: `graph` → `timeseries`, `singlestat` → `stat`/`gauge`, `table-old` →
//!   `table`, `grafana-piechart-panel` → `piechart`, the old `text` panel fields.
//!
//! On top of what Grafana does, shared exports are imported the way Grafana's import page does it
//! (`__inputs` placeholders replaced, library panels from `__elements` inlined) and data sources
//! are bound to argus' own: argus has exactly one Prometheus and one Loki, so a reference by
//! name, by foreign uid or by default resolves to one of them, while a reference through a data
//! source variable stays a variable reference. Every target carries its data source afterwards.
//!
//! What Grafana does that this module deliberately does not: fill in plugin option defaults (the
//! UI applies its own), turn graph time regions into annotations, convert panels argus cannot
//! draw (world map, discrete, the Angular heatmap), and the steps for long-superseded shapes
//! and other data sources: graph `aliasYAxis` (v4) and `grid`/`y_formats` axes (v12, v13),
//! the Grafana 6.0 gauge's `options-gauge` (v18), old panel-link and data-link formats
//! (v19–v21), InfluxDB and CloudWatch queries (v8, v34). What a dashboard loses that way is
//! reported in [`Migrated::notes`] where it matters to drawing it; `argus dashboards check`
//! prints them. The migration is idempotent: a migrated dashboard migrates to itself.
//!
//! One difference is not a choice: argus' JSON objects keep their keys sorted, so where Grafana
//! follows the order keys were written in (legend values, series-override properties) this
//! module follows alphabetical order, which is the order Grafana's own exports use.

mod datasources;
mod graph;
mod json;
mod layout;
mod mappings;
mod panels;
mod schema;
mod singlestat;
mod table;
#[cfg(test)]
mod test_support;

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use datasources::{inline_library_panels, resolve_datasources, substitute_inputs};
use layout::{
    assign_ids, assign_ref_ids, place_panels_without_grid_pos, remove_repeated_panels,
    sort_panels_by_grid_pos, upgrade_rows_to_grid,
};
use panels::migrate_panel_type;
use schema::{upgrade_dashboard_fields, upgrade_panel_schema, upgrade_variables};

/// argus' Prometheus, which every Prometheus data source reference resolves to (type `prometheus`).
pub const PROMETHEUS_UID: &str = "argus-prometheus";
/// argus' Loki, which every Loki data source reference resolves to (type `loki`).
pub const LOKI_UID: &str = "argus-loki";
/// The dashboard schema version [`migrate`] produces, Grafana 11.6's.
pub const SCHEMA_VERSION: i64 = 41;

/// A migrated dashboard and what the migration did or could not do, one sentence per item.
#[derive(Debug, Clone, PartialEq)]
pub struct Migrated {
    pub dashboard: Value,
    pub notes: Vec<String>,
}

type Object = Map<String, Value>;

/// Migrates a classic dashboard (a bare dashboard or the API's `{"dashboard": …, "meta": …}`)
/// into schema version 41. Fails only when the JSON is not a classic dashboard at all.
pub fn migrate(dashboard: Value) -> Result<Migrated, String> {
    let mut dash = unwrap_dashboard(dashboard)?;
    // Grafana reads a missing version as 0, which runs every migration step.
    let old_version = dash
        .get("schemaVersion")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let mut notes = Vec::new();

    substitute_inputs(&mut dash, &mut notes);
    inline_library_panels(&mut dash, &mut notes);
    for key in ["__inputs", "__requires", "__elements"] {
        dash.remove(key);
    }
    upgrade_dashboard_fields(&mut dash, old_version);
    if old_version < 16 {
        upgrade_rows_to_grid(&mut dash);
    }
    if old_version < 27 {
        remove_repeated_panels(panels_mut(&mut dash));
    }
    let panels = panels_mut(&mut dash);
    assign_ids(panels);
    for_each_panel(panels, &mut assign_ref_ids);
    place_panels_without_grid_pos(panels);
    for_each_panel(panels, &mut |panel| {
        upgrade_panel_schema(panel, old_version)
    });
    for_each_panel(panels, &mut |panel| migrate_panel_type(panel, &mut notes));
    upgrade_variables(&mut dash, old_version);
    resolve_datasources(&mut dash, &mut notes);
    sort_panels_by_grid_pos(panels_mut(&mut dash));
    dash.insert("schemaVersion".into(), json!(SCHEMA_VERSION));

    let mut seen = HashSet::new();
    notes.retain(|note| seen.insert(note.clone()));
    Ok(Migrated {
        dashboard: Value::Object(dash),
        notes,
    })
}

// ---------------------------------------------------------------------------------------------
// The dashboard as a whole
// ---------------------------------------------------------------------------------------------

fn is_classic_dashboard(obj: &Object) -> bool {
    obj.get("panels").is_some_and(Value::is_array) || obj.get("rows").is_some_and(Value::is_array)
}

/// The dashboard object itself, out of the API's `{"dashboard": …, "meta": …}` wrapper if need be.
fn unwrap_dashboard(value: Value) -> Result<Object, String> {
    let Value::Object(mut top) = value else {
        return Err("not a Grafana dashboard: the JSON is not an object".into());
    };
    if is_classic_dashboard(&top) {
        return Ok(top);
    }
    if let Some(Value::Object(inner)) = top.remove("dashboard") {
        if is_classic_dashboard(&inner) {
            return Ok(inner);
        }
        top = inner;
    }
    let spec = top.get("spec").and_then(Value::as_object).unwrap_or(&top);
    if spec.contains_key("elements") && spec.contains_key("layout") {
        return Err(
            "a Grafana v2 dashboard (`elements` and `layout`) is not supported: \
                    export it from Grafana as classic JSON"
                .into(),
        );
    }
    Err("not a Grafana dashboard: it has neither `panels` nor `rows`".into())
}

fn panels_mut(dash: &mut Object) -> &mut Vec<Value> {
    let slot = dash.entry("panels").or_insert_with(|| json!([]));
    if !slot.is_array() {
        *slot = json!([]);
    }
    match slot {
        Value::Array(panels) => panels,
        _ => unreachable!("`panels` was just made an array"),
    }
}

/// Calls `f` on every panel, the children of a collapsed row right after their row, the order
/// in which Grafana walks panels.
fn for_each_panel(panels: &mut [Value], f: &mut dyn FnMut(&mut Value)) {
    for panel in panels.iter_mut() {
        f(panel);
        if let Some(children) = panel.get_mut("panels").and_then(Value::as_array_mut) {
            for_each_panel(children, f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{
        all_panels, assert_idempotent, ids, panel, run, unresolved_datasources,
    };
    use super::*;

    // --- the dashboard as a whole ------------------------------------------------------------

    #[test]
    fn unwraps_the_api_wrapper_and_rejects_what_is_not_a_dashboard() {
        let m = run(json!({"dashboard": {"title": "T", "panels": []}, "meta": {"slug": "t"}}));
        assert_eq!(m.dashboard["title"], "T");
        assert!(m.dashboard.get("meta").is_none());

        assert!(migrate(json!([1, 2]))
            .unwrap_err()
            .contains("not an object"));
        assert!(migrate(json!({"title": "x"}))
            .unwrap_err()
            .contains("neither `panels` nor `rows`"));
        let v2 = json!({"spec": {"elements": {}, "layout": {}}});
        assert!(migrate(v2).unwrap_err().contains("v2 dashboard"));
    }

    // --- the shared real dashboards -------------------------------------------------------------

    /// A real dashboard from `../shared/dashboards` beside the checkout (or
    /// `ARGUS_SHARED_DASHBOARDS`); CI has them, so a missing file fails.
    fn shared_dashboard(name: &str) -> Value {
        let dir = std::env::var("ARGUS_SHARED_DASHBOARDS").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/dashboards").to_string()
        });
        let path = format!("{dir}/{name}");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read the shared dashboard {path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn node_exporter_full_keeps_all_its_panels() {
        let original = shared_dashboard("node-exporter-full.json");
        let m = run(original.clone());
        let d = &m.dashboard;
        let panels = all_panels(d);
        assert_eq!(panels.len(), 141);
        let rows: Vec<&&Value> = panels.iter().filter(|p| p["type"] == "row").collect();
        assert_eq!(rows.len(), 16);
        assert_eq!(rows.iter().filter(|r| r["collapsed"] == true).count(), 14);
        assert_eq!(
            ids(&d["panels"]),
            ids(&original["panels"]),
            "already in reading order"
        );
        assert_eq!(d["schemaVersion"], 41);
        assert!(d.get("__requires").is_none());
        assert_eq!(d["templating"], original["templating"]);
        assert_eq!(unresolved_datasources(d), Vec::<String>::new());
        assert_idempotent(&m);
    }

    #[test]
    fn mysql_overview_loses_every_legacy_panel() {
        let original = shared_dashboard("mysql-overview.json");
        let m = run(original.clone());
        let d = &m.dashboard;
        let panels = all_panels(d);
        assert_eq!(panels.len(), 40);
        assert!(panels
            .iter()
            .all(|p| p["type"] != "graph" && p["type"] != "singlestat"));

        let graphs: Vec<&Value> = original["panels"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["type"] == "graph")
            .collect();
        assert_eq!(graphs.len(), 24);
        let mut override_count = 0;
        for old in graphs {
            let new = panel(d, old["id"].as_i64().unwrap());
            assert_eq!(new["type"], "timeseries");
            assert_eq!(
                new["fieldConfig"]["defaults"]["unit"], old["yaxes"][0]["format"],
                "panel {}",
                old["id"]
            );
            assert_eq!(new["gridPos"], old["gridPos"]);
            let overrides = new["fieldConfig"]["overrides"].as_array().unwrap();
            for series_override in old["seriesOverrides"].as_array().unwrap() {
                override_count += 1;
                let alias = &series_override["alias"];
                assert!(
                    overrides.iter().any(|o| &o["matcher"]["options"] == alias),
                    "panel {}: {alias}",
                    old["id"]
                );
            }
        }
        assert_eq!(override_count, 8);
        let right_axis = &panel(d, 44)["fieldConfig"]["overrides"];
        let right_axis = right_axis
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["matcher"]["options"] == "Table Open Cache Hit Ratio");
        assert_eq!(
            right_axis.unwrap()["properties"],
            json!([
            {"id": "unit", "value": "percentunit"}, {"id": "custom.axisPlacement", "value": "right"}])
        );
        let legend = &panel(d, 92)["options"]["legend"];
        assert_eq!(legend["displayMode"], "table");
        assert_eq!(legend["calcs"], json!(["mean", "max", "min"]));

        assert_eq!(
            panel(d, 382)["datasource"],
            json!({"type": "prometheus", "uid": "${datasource}"})
        );
        assert_eq!(unresolved_datasources(d), Vec::<String>::new());
        assert_idempotent(&m);
    }
}
