//! Schema steps on the dashboard, its panels and variables (each runs when the dashboard is older
//! than its version).

use serde_json::{json, Value};

use super::json::{
    array_items_mut, number, object_at, override_properties_mut, overrides_mut, truthy,
};
use super::layout::GRID_COLUMNS;
use super::mappings::upgrade_value_mappings;
use super::Object;

/// Dashboard-level fields whose shape changed: the shared-crosshair flag (v14), a non-string
/// `refresh` (v40: off is ""), the unused `timepicker.time_options` (v41).
pub(super) fn upgrade_dashboard_fields(dash: &mut Object, old_version: i64) {
    // Grafana sets it from the flag whatever the dashboard says; a dashboard without a version
    // that sets `graphTooltip` itself (written by hand or a generator) keeps its setting.
    if old_version < 14
        && (dash.contains_key("sharedCrosshair") || !dash.contains_key("graphTooltip"))
    {
        let shared = truthy(dash.remove("sharedCrosshair").as_ref());
        dash.insert("graphTooltip".into(), json!(if shared { 1 } else { 0 }));
    }
    if !dash.get("refresh").is_some_and(Value::is_string) {
        dash.insert("refresh".into(), json!(""));
    }
    if old_version < 41 {
        if let Some(Value::Object(timepicker)) = dash.get_mut("timepicker") {
            timepicker.remove("time_options");
        }
    }
}

type PanelStep = fn(&mut Object);

/// Grafana's per-panel schema steps that still matter, by the version that introduced them.
const PANEL_SCHEMA_STEPS: &[(i64, PanelStep)] = &[
    (9, drop_first_singlestat_threshold),
    (10, drop_first_table_style_threshold),
    (17, min_span_to_max_per_row),
    (22, table_styles_align_auto),
    (24, styled_table_to_table_old),
    (26, text2_to_text),
    (30, upgrade_field_value_mappings),
    (30, tooltip_options_to_tooltip),
    (31, merge_after_labels_to_fields),
    (35, keep_time_axis_visible),
    (37, normalize_hidden_legend),
    (38, table_display_mode_to_cell_options),
    (39, time_series_table_stats),
];

pub(super) fn upgrade_panel_schema(panel: &mut Value, old_version: i64) {
    let Some(panel) = panel.as_object_mut() else {
        return;
    };
    for (version, step) in PANEL_SCHEMA_STEPS {
        if old_version < *version {
            step(panel);
        }
    }
}

pub(super) fn panel_type(panel: &Object) -> &str {
    panel.get("type").and_then(Value::as_str).unwrap_or("")
}

/// v9: singlestat thresholds once had a leading lower bound ("0,50,80" → "50,80").
fn drop_first_singlestat_threshold(panel: &mut Object) {
    if panel_type(panel) != "singlestat" {
        return;
    }
    if let Some(Value::String(t)) = panel.get_mut("thresholds") {
        let parts: Vec<&str> = t.split(',').collect();
        if parts.len() >= 3 {
            *t = parts[1..].join(",");
        }
    }
}

/// v10: the same leading bound in the Angular table's style thresholds.
fn drop_first_table_style_threshold(panel: &mut Object) {
    if panel_type(panel) != "table" {
        return;
    }
    for style in array_items_mut(panel, "styles") {
        if let Some(Value::Array(t)) = style.get_mut("thresholds") {
            if t.len() >= 3 {
                t.remove(0);
            }
        }
    }
}

/// v17: `minSpan` (a minimum width for repeated panels) became `maxPerRow`, the largest divisor
/// of 24 that still leaves each repeat at least that wide.
fn min_span_to_max_per_row(panel: &mut Object) {
    if let Some(min_span) = number(panel.get("minSpan")).filter(|m| *m != 0.0) {
        let max = GRID_COLUMNS as f64 / min_span;
        let factors = [1, 2, 3, 4, 6, 8, 12, 24];
        if let Some(i) = factors
            .iter()
            .position(|f| *f as f64 > max)
            .filter(|i| *i > 0)
        {
            panel.insert("maxPerRow".into(), json!(factors[i - 1]));
        }
    }
    panel.remove("minSpan");
}

/// v22: the Angular table's style alignment became explicit.
fn table_styles_align_auto(panel: &mut Object) {
    if panel_type(panel) != "table" {
        return;
    }
    for style in array_items_mut(panel, "styles") {
        style.insert("align".into(), json!("auto"));
    }
}

/// v24: a `table` with `styles` is the Angular table, renamed `table-old` in Grafana 7.
fn styled_table_to_table_old(panel: &mut Object) {
    let react_table = panel.get("table").and_then(Value::as_str) == Some("table2");
    if panel_type(panel) == "table" && panel.contains_key("styles") && !react_table {
        panel.insert("type".into(), json!("table-old"));
    }
}

/// v26: the React text panel, developed as `text2`, replaced `text`.
fn text2_to_text(panel: &mut Object) {
    if panel_type(panel) == "text2" {
        panel.insert("type".into(), json!("text"));
        if let Some(Value::Object(options)) = panel.get_mut("options") {
            options.remove("angular");
        }
    }
}

/// v30: value mappings in field config moved from `{type: 1|2, value|from/to, text}` entries
/// to typed mappings (`value`, `range`, `special`).
fn upgrade_field_value_mappings(panel: &mut Object) {
    let Some(Value::Object(field_config)) = panel.get_mut("fieldConfig") else {
        return;
    };
    if let Some(Value::Object(defaults)) = field_config.get_mut("defaults") {
        if let Some(Value::Array(old)) = defaults.get("mappings") {
            let upgraded = upgrade_value_mappings(old, defaults.get("thresholds"));
            defaults.insert("mappings".into(), Value::Array(upgraded));
        }
    }
    for property in override_properties_mut(field_config) {
        if property.get("id").and_then(Value::as_str) == Some("mappings") {
            if let Some(Value::Array(old)) = property.get("value") {
                let upgraded = upgrade_value_mappings(old, None);
                property.insert("value".into(), Value::Array(upgraded));
            }
        }
    }
}

/// v30: the time series panel's `tooltipOptions` became `tooltip`.
fn tooltip_options_to_tooltip(panel: &mut Object) {
    if !matches!(panel_type(panel), "timeseries" | "xychart") {
        return;
    }
    if let Some(Value::Object(options)) = panel.get_mut("options") {
        if let Some(tooltip) = options.remove("tooltipOptions") {
            options.insert("tooltip".into(), tooltip);
        }
    }
}

/// v31: "labels to fields" stopped merging its results; a merge step keeps the old output.
fn merge_after_labels_to_fields(panel: &mut Object) {
    let Some(Value::Array(transformations)) = panel.get_mut("transformations") else {
        return;
    };
    let mut out = Vec::with_capacity(transformations.len() + 1);
    for t in transformations.drain(..) {
        let is_labels_to_fields = t.get("id").and_then(Value::as_str) == Some("labelsToFields");
        out.push(t);
        if is_labels_to_fields {
            out.push(json!({"id": "merge", "options": {}}));
        }
    }
    *transformations = out;
}

/// v35: hiding the y axes of a time series once hid its time axis too; an override keeps it.
fn keep_time_axis_visible(panel: &mut Object) {
    if panel_type(panel) != "timeseries" {
        return;
    }
    let field_config = panel.get("fieldConfig");
    let placement = field_config.and_then(|f| f.pointer("/defaults/custom/axisPlacement"));
    if placement.and_then(Value::as_str) != Some("hidden") {
        return;
    }
    let overrides = overrides_mut(object_at(panel, "fieldConfig"));
    overrides.push(json!({
        "matcher": {"id": "byType", "options": "time"},
        "properties": [{"id": "custom.axisPlacement", "value": "auto"}],
    }));
}

/// v37: of the two ways to hide a legend, `showLegend: false` is the one kept.
fn normalize_hidden_legend(panel: &mut Object) {
    let Some(Value::Object(legend)) = panel.get_mut("options").and_then(|o| o.get_mut("legend"))
    else {
        return;
    };
    let hidden = legend.get("displayMode").and_then(Value::as_str) == Some("hidden")
        || legend.get("showLegend") == Some(&json!(false));
    if hidden {
        legend.insert("displayMode".into(), json!("list"));
    }
    legend.insert("showLegend".into(), json!(!hidden));
}

/// v38: the table's `custom.displayMode` string became the `custom.cellOptions` object.
fn table_display_mode_to_cell_options(panel: &mut Object) {
    if panel_type(panel) != "table" {
        return;
    }
    let Some(Value::Object(field_config)) = panel.get_mut("fieldConfig") else {
        return;
    };
    if let Some(Value::Object(custom)) = field_config
        .get_mut("defaults")
        .and_then(|d| d.get_mut("custom"))
    {
        if let Some(Value::String(mode)) = custom.remove("displayMode") {
            custom.insert("cellOptions".into(), cell_options(&mode));
        }
    }
    for property in override_properties_mut(field_config) {
        if property.get("id").and_then(Value::as_str) == Some("custom.displayMode") {
            let mode = property
                .get("value")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            property.insert("id".into(), json!("custom.cellOptions"));
            property.insert("value".into(), cell_options(&mode));
        }
    }
}

fn cell_options(display_mode: &str) -> Value {
    match display_mode {
        "basic" => json!({"type": "gauge", "mode": "basic"}),
        "gradient-gauge" => json!({"type": "gauge", "mode": "gradient"}),
        "lcd-gauge" => json!({"type": "gauge", "mode": "lcd"}),
        // Somewhat confusingly, plain "color-background" was the gradient one.
        "color-background" => json!({"type": "color-background", "mode": "gradient"}),
        "color-background-solid" => json!({"type": "color-background", "mode": "basic"}),
        other => json!({"type": other}),
    }
}

/// v39: the "time series to table" transformation's one statistic per query became settings
/// per query.
fn time_series_table_stats(panel: &mut Object) {
    for t in array_items_mut(panel, "transformations") {
        if t.get("id").and_then(Value::as_str) != Some("timeSeriesTable") {
            continue;
        }
        let Some(Value::Object(options)) = t.get_mut("options") else {
            continue;
        };
        let Some(Value::Object(stats)) = options.remove("refIdToStat") else {
            continue;
        };
        *options = stats
            .into_iter()
            .map(|(ref_id, stat)| (ref_id, json!({"stat": stat})))
            .collect();
    }
}

/// Variable fields whose shape changed: `refresh` booleans are numbers (v12: any refresh is
/// "on load"), a multi-value variable's current value is a list (v23), constants shown to the
/// user are text boxes (v27), tag fields went away (v28), query variables refresh at least on
/// load and do not save their options (v29). Query strings stay as written.
pub(super) fn upgrade_variables(dash: &mut Object, old_version: i64) {
    let Some(list) = dash
        .get_mut("templating")
        .and_then(|t| t.get_mut("list"))
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for variable in list.iter_mut().filter_map(Value::as_object_mut) {
        if let Some(Value::Bool(on)) = variable.get("refresh") {
            let refresh = if *on { 1 } else { 0 };
            variable.insert("refresh".into(), json!(refresh));
        }
        if old_version < 12 {
            if truthy(variable.get("hideVariable")) {
                variable.insert("hide".into(), json!(2));
            } else if truthy(variable.get("hideLabel")) {
                variable.insert("hide".into(), json!(1));
            }
        }
        if old_version < 23 {
            align_current_with_multi(variable);
        }
        if old_version < 27 {
            constant_to_textbox(variable);
        }
        if old_version < 28 {
            for key in ["tags", "tagsQuery", "tagValuesQuery", "useTags"] {
                if truthy(variable.get(key)) {
                    variable.remove(key);
                }
            }
        }
        if old_version < 29 && variable.get("type").and_then(Value::as_str) == Some("query") {
            if !matches!(variable.get("refresh").and_then(Value::as_i64), Some(1 | 2)) {
                variable.insert("refresh".into(), json!(1));
            }
            if variable
                .get("options")
                .and_then(Value::as_array)
                .is_some_and(|o| !o.is_empty())
            {
                variable.insert("options".into(), json!([]));
            }
        }
    }
}

fn align_current_with_multi(variable: &mut Object) {
    let Some(Value::Bool(multi)) = variable.get("multi").cloned() else {
        return;
    };
    let Some(Value::Object(current)) = variable.get_mut("current") else {
        return;
    };
    for key in ["value", "text"] {
        let Some(value) = current.get_mut(key) else {
            continue;
        };
        match (multi, value.is_array()) {
            (true, false) => *value = json!([value.take()]),
            (false, true) => {
                let first = value.get(0).cloned().unwrap_or(json!(""));
                *value = first;
            }
            _ => {}
        }
    }
}

fn constant_to_textbox(variable: &mut Object) {
    if variable.get("type").and_then(Value::as_str) != Some("constant") {
        return;
    }
    let query = variable.get("query").cloned().unwrap_or(json!(""));
    let current = json!({"selected": true, "text": query, "value": query});
    variable.insert("options".into(), json!([current]));
    variable.insert("current".into(), current);
    if matches!(
        variable.get("hide").and_then(Value::as_i64).unwrap_or(0),
        0 | 1
    ) {
        variable.insert("type".into(), json!("textbox"));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::datasources::prometheus_ref;
    use super::super::test_support::{assert_idempotent, run};

    #[test]
    fn dashboard_fields_are_kept_and_legacy_ones_upgraded() {
        let m = run(json!({
            "schemaVersion": 11, "title": "T", "uid": "u", "tags": ["a"], "timezone": "utc",
            "time": {"from": "now-1h", "to": "now"}, "refresh": false, "sharedCrosshair": true,
            "timepicker": {"refresh_intervals": ["5s"], "time_options": ["5m"]},
            "links": [{"title": "docs", "url": "https://example.org"}],
            "annotations": {"list": []},
            "templating": {"list": [
                {"name": "a", "type": "query", "query": "label_values(up, job)", "refresh": true,
                 "hideLabel": true, "datasource": null, "multi": true,
                 "current": {"text": "x", "value": "x"}, "options": [{"text": "x", "value": "x"}],
                 "tags": ["t"]},
                {"name": "b", "type": "query", "query": "up", "refresh": false},
                {"name": "c", "type": "constant", "query": "v", "hide": 0},
            ]},
            "panels": [],
        }));
        let d = &m.dashboard;
        assert_eq!(d["schemaVersion"], 41);
        assert_eq!(d["graphTooltip"], 1);
        assert!(d.get("sharedCrosshair").is_none());
        assert_eq!(d["refresh"], "");
        assert_eq!(d["timepicker"], json!({"refresh_intervals": ["5s"]}));
        for (key, value) in [
            ("title", json!("T")),
            ("uid", json!("u")),
            ("tags", json!(["a"])),
            ("timezone", json!("utc")),
        ] {
            assert_eq!(d[key], value);
        }
        assert_eq!(d["time"], json!({"from": "now-1h", "to": "now"}));
        assert_eq!(d["links"][0]["url"], "https://example.org");

        let vars = &d["templating"]["list"];
        assert_eq!(vars[0]["query"], "label_values(up, job)");
        assert_eq!(vars[0]["refresh"], 1);
        assert_eq!(vars[0]["hide"], 1);
        assert_eq!(vars[0]["current"], json!({"text": ["x"], "value": ["x"]}));
        assert_eq!(vars[0]["options"], json!([]));
        assert!(vars[0].get("tags").is_none());
        assert_eq!(vars[0]["datasource"], prometheus_ref());
        assert_eq!(
            vars[1]["refresh"], 1,
            "v29: a query variable refreshes at least on load"
        );
        assert_eq!(vars[2]["type"], "textbox");
        assert_eq!(
            vars[2]["current"],
            json!({"selected": true, "text": "v", "value": "v"})
        );
        let versionless = run(json!({"graphTooltip": 2, "panels": []}));
        assert_eq!(versionless.dashboard["graphTooltip"], 2);
        assert_idempotent(&m);
    }
}
