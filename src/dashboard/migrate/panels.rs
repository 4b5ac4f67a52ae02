//! Legacy panel types: the replacement of removed Angular panels by their successors, the pie
//! chart and text panels.

use serde_json::{json, Value};

use super::graph::{alias_color_overrides, migrate_graph};
use super::json::{object_at, panel_label, plugin_version, reducer_id, truthy};
use super::schema::panel_type;
use super::singlestat::{singlestat_to_stat, upgrade_single_stat_options};
use super::table::table_old_to_table;
use super::Object;

/// Replaces a removed Angular panel by its successor, as Grafana does when the panel loads,
/// and applies the successor's own upgrades of older saved options.
pub(super) fn migrate_panel_type(panel: &mut Value, notes: &mut Vec<String>) {
    let Some(obj) = panel.as_object_mut() else {
        return;
    };
    let kind = panel_type(obj).to_string();
    let replacement = match kind.as_str() {
        "graph" | "graphite" => Some(migrate_graph(obj, notes)),
        "singlestat" | "grafana-singlestat-panel" => Some(singlestat_to_stat(obj, notes)),
        "table-old" => Some(table_old_to_table(obj, notes)),
        "grafana-piechart-panel" => Some(piechart_panel_to_piechart(obj, notes)),
        "text" => {
            upgrade_text_panel(obj, notes);
            None
        }
        "stat" | "gauge" | "bargauge" => {
            upgrade_single_stat_options(obj, notes);
            None
        }
        // The Angular heatmap kept its settings (`cards`, `dataFormat`, …) on the panel; the
        // heatmap that replaced it in Grafana 9 reads them with its own migration.
        "heatmap" if obj.contains_key("cards") || obj.contains_key("dataFormat") => {
            let label = panel_label(obj);
            notes.push(format!("{label}: legacy heatmap settings are not migrated"));
            None
        }
        "grafana-worldmap-panel" | "natel-discrete-panel" => {
            let label = panel_label(obj);
            notes.push(format!("{label}: the Angular panel {kind} is not migrated"));
            None
        }
        _ => None,
    };
    if let Some(replacement) = replacement {
        *panel = Value::Object(replacement);
    }
}

/// The properties a panel keeps when Grafana swaps an Angular panel for a new type (its
/// `mustKeepProps`); everything else was the old plugin's and is read by the migration instead.
/// `maxPerRow` is kept as well: it is a layout setting, and dropping it (as Grafana does) would
/// change how repeated panels are laid out.
const KEPT_PROPERTIES: &[&str] = &[
    "id",
    "gridPos",
    "title",
    "scopedVars",
    "repeat",
    "repeatPanelId",
    "repeatDirection",
    "repeatedByRow",
    "maxPerRow",
    "minSpan",
    "collapsed",
    "panels",
    "targets",
    "datasource",
    "timeFrom",
    "timeShift",
    "hideTimeOverride",
    "description",
    "links",
    "cacheTimeout",
    "queryCachingTTL",
    "transparent",
    "transformations",
    "maxDataPoints",
    "interval",
    "libraryPanel",
];

pub(super) fn kept_properties(old: &Object, new_type: &str) -> Object {
    let mut panel: Object = KEPT_PROPERTIES
        .iter()
        .filter_map(|key| Some((key.to_string(), old.get(*key)?.clone())))
        .collect();
    panel.insert("type".into(), json!(new_type));
    panel
}

/// The field config a new panel type starts from: the old standard settings (unit, decimals,
/// min, max, …) without the plugin-specific `custom` ones, and overrides of standard
/// properties only.
pub(super) struct FieldConfig {
    pub(super) defaults: Object,
    pub(super) overrides: Vec<Value>,
}

pub(super) fn cleared_field_config(old: &Object) -> FieldConfig {
    let fc = old.get("fieldConfig");
    let mut defaults = fc
        .and_then(|f| f.get("defaults"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    defaults.insert("custom".into(), json!({}));
    let overrides = fc
        .and_then(|f| f.get("overrides"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|o| {
            let mut o = o.as_object()?.clone();
            let Some(Value::Array(properties)) = o.get_mut("properties") else {
                return None;
            };
            properties.retain(|p| {
                !p.get("id")
                    .and_then(Value::as_str)
                    .is_some_and(|id| id.starts_with("custom."))
            });
            (!properties.is_empty()).then_some(Value::Object(o))
        })
        .collect();
    FieldConfig {
        defaults,
        overrides,
    }
}

pub(super) fn field_config_value(defaults: Object, overrides: Vec<Value>) -> Value {
    json!({"defaults": defaults, "overrides": overrides})
}

pub(super) fn property(id: &str, value: Value) -> Value {
    json!({"id": id, "value": value})
}

pub(super) fn fixed_color(color: &Value) -> Value {
    json!({"mode": "fixed", "fixedColor": color})
}

/// The Angular pie chart plugin becomes Grafana's pie chart: `format` and `decimals` (0 unless
/// set, the old default), `valueName` the reduction, `legendType` the legend placement or
/// labels on the chart, `pieType` pie or donut, alias colours overrides.
fn piechart_panel_to_piechart(old: &Object, notes: &mut Vec<String>) -> Object {
    let label = panel_label(old);
    let mut defaults = Object::new();
    if let Some(format) = old.get("format").filter(|f| !f.is_null()) {
        defaults.insert("unit".into(), format.clone());
    }
    let decimals = old
        .get("decimals")
        .filter(|d| truthy(Some(d)))
        .cloned()
        .unwrap_or(json!(0));
    defaults.insert("decimals".into(), decimals);

    let mut legend = json!({"placement": "right", "values": [], "displayMode": "table", "showLegend": true, "calcs": []});
    let mut options = Object::new();
    if let Some(name) = old
        .get("valueName")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    {
        let calcs: Vec<&str> = match name {
            "current" | "min" | "max" | "avg" | "total" => reducer_id(name).into_iter().collect(),
            _ => Vec::new(),
        };
        options.insert("reduceOptions".into(), json!({"calcs": calcs}));
    }
    let legend_type = old.get("legendType").and_then(Value::as_str);
    match legend_type {
        Some("Under graph") => legend["placement"] = json!("bottom"),
        Some("Right side") => legend["placement"] = json!("right"),
        _ => {}
    }
    if let Some(pie) = old
        .get("pieType")
        .and_then(Value::as_str)
        .filter(|p| matches!(*p, "pie" | "donut"))
    {
        options.insert("pieType".into(), json!(pie));
    }
    let old_legend = old.get("legend");
    let shows = |key: &str| old_legend.is_some_and(|l| truthy(l.get(key)));
    if old_legend.is_some_and(|l| l.is_object()) {
        if !shows("show") {
            legend["showLegend"] = json!(false);
        }
        let values: Vec<&str> = [("values", "value"), ("percentage", "percent")]
            .iter()
            .filter(|(key, _)| shows(key))
            .map(|(_, v)| *v)
            .collect();
        legend["values"] = json!(values);
    }
    if legend_type == Some("On graph") {
        legend["showLegend"] = json!(false);
        let mut labels = vec!["name"];
        labels.extend(
            [("values", "value"), ("percentage", "percent")]
                .iter()
                .filter(|(k, _)| shows(k))
                .map(|(_, v)| *v),
        );
        options.insert("displayLabels".into(), json!(labels));
    }
    options.insert("legend".into(), legend);

    let mut panel = kept_properties(old, "piechart");
    panel.insert(
        "fieldConfig".into(),
        field_config_value(defaults, alias_color_overrides(old)),
    );
    panel.insert("options".into(), Value::Object(options));
    notes.push(format!("{label}: Angular pie chart migrated to piechart"));
    panel
}

/// The Angular text panel kept `content` and `mode` on the panel; they belong in `options`
/// (moved when saved before 7.1, dropped otherwise), and the removed `text` mode is markdown.
fn upgrade_text_panel(panel: &mut Object, notes: &mut Vec<String>) {
    if panel.contains_key("content") && panel.contains_key("mode") {
        let content = panel.remove("content").unwrap_or(Value::Null);
        let mode = panel.remove("mode").unwrap_or(Value::Null);
        if plugin_version(panel) < 7.1 {
            panel.insert("options".into(), json!({"content": content, "mode": mode}));
            let label = panel_label(panel);
            notes.push(format!(
                "{label}: legacy text panel content moved into options"
            ));
        }
    }
    let options = object_at(panel, "options");
    let mode = options.get("mode").and_then(Value::as_str);
    if !matches!(mode, Some("markdown" | "html" | "code")) {
        options.insert("mode".into(), json!("markdown"));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_support::{assert_idempotent, legacy, panel, run};

    // --- legacy panels --------------------------------------------------------------------------

    #[test]
    fn angular_pie_chart_and_text_panels() {
        let m = legacy(json!([
            {"id": 1, "type": "grafana-piechart-panel", "format": "short", "valueName": "current",
             "legendType": "Under graph", "pieType": "donut", "aliasColors": {"a": "red"},
             "legend": {"show": true, "values": true, "percentage": true}},
            {"id": 2, "type": "text", "content": "# Hi", "mode": "text"},
        ]));
        let pie = panel(&m.dashboard, 1);
        assert_eq!(pie["type"], "piechart");
        assert_eq!(
            pie["fieldConfig"]["defaults"],
            json!({"unit": "short", "decimals": 0})
        );
        assert_eq!(
            pie["fieldConfig"]["overrides"][0]["matcher"],
            json!({"id": "byName", "options": "a"})
        );
        assert_eq!(
            pie["options"],
            json!({
                "reduceOptions": {"calcs": ["lastNotNull"]}, "pieType": "donut",
                "legend": {"placement": "bottom", "values": ["value", "percent"], "displayMode": "table",
                           "showLegend": true, "calcs": []},
            })
        );
        let text = panel(&m.dashboard, 2);
        assert_eq!(
            text["options"],
            json!({"content": "# Hi", "mode": "markdown"})
        );
        assert!(text.get("content").is_none() && text.get("mode").is_none());
        assert_idempotent(&m);
    }

    #[test]
    fn a_legacy_dashboard_migrates_to_itself_the_second_time() {
        let m = run(json!({
            "schemaVersion": 8, "refresh": "1m",
            "templating": {"list": [{"name": "ds", "type": "datasource", "query": "prometheus", "refresh": true}]},
            "annotations": {"list": [{"name": "A", "datasource": "-- Grafana --", "builtIn": 1}]},
            "rows": [{"title": "R", "showTitle": true, "panels": [
                {"id": 1, "type": "graph", "datasource": "$ds", "span": 8, "targets": [{"expr": "up"}],
                 "yaxes": [{"format": "s", "show": true}, {"format": "short", "show": true}],
                 "seriesOverrides": [{"alias": "b", "yaxis": 2}]},
                {"id": 2, "type": "singlestat", "span": 4, "thresholds": "0,1,2", "colors": ["a", "b", "c"]},
                {"id": 3, "type": "table", "styles": [{"pattern": "/.*/", "unit": "s"}], "span": 12},
            ]}],
        }));
        assert_eq!(
            panel(&m.dashboard, 2)["fieldConfig"]["defaults"]["thresholds"]["steps"][1]["value"],
            1,
            "v9 dropped the leading bound of \"0,1,2\""
        );
        assert_idempotent(&m);
    }
}
