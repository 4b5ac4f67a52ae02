//! The Angular `singlestat` panel, which becomes a stat or gauge, and the older saved options of
//! stat, gauge and bar gauge panels.

use serde_json::{json, Value};

use super::json::{
    js_number, object_at, overrides_mut, panel_label, plugin_version, reducer_id, take_object,
    truthy,
};
use super::mappings::singlestat_value_mappings;
use super::panels::{cleared_field_config, field_config_value, fixed_color, kept_properties};
use super::Object;

/// Grafana's `singlestat` (and the `grafana-singlestat-panel` plugin) becomes a stat, or a gauge
/// when it drew one: `format` is the unit, `valueName` the reduction, `thresholds` "50,80" with
/// one more colour than thresholds the steps, `colorBackground`/`colorValue` the colour mode,
/// `sparkline.show` the graph mode, value and range maps the value mappings.
pub(super) fn singlestat_to_stat(old: &Object, notes: &mut Vec<String>) -> Object {
    let label = panel_label(old);
    let gauge = old.get("gauge").filter(|g| truthy(g.get("show")));
    let value_name = old.get("valueName").and_then(Value::as_str).unwrap_or("");
    let calc = reducer_id(value_name).unwrap_or("mean");
    let mut reduce = json!({"calcs": [calc]});
    if let Some(column) = old
        .get("tableColumn")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
    {
        reduce["fields"] = json!(format!("/^{column}$/"));
    }
    let mut options = Object::new();
    options.insert("reduceOptions".into(), reduce);
    options.insert("orientation".into(), json!("horizontal"));

    let mut defaults = Object::new();
    for (from, to) in [
        ("format", "unit"),
        ("nullPointMode", "nullValueMode"),
        ("nullText", "noValue"),
    ] {
        if let Some(v) = old.get(from).filter(|v| truthy(Some(v))) {
            defaults.insert(to.into(), v.clone());
        }
    }
    if let Some(decimals) = old
        .get("decimals")
        .filter(|d| truthy(Some(d)) || d.as_f64() == Some(0.0))
    {
        defaults.insert("decimals".into(), decimals.clone());
    }
    if let Some(steps) = singlestat_threshold_steps(old) {
        defaults.insert(
            "thresholds".into(),
            json!({"mode": "absolute", "steps": steps}),
        );
    }
    let mappings = singlestat_value_mappings(old, defaults.get("thresholds"));
    if !mappings.is_empty() {
        defaults.insert("mappings".into(), Value::Array(mappings));
    }

    let new_type = if let Some(gauge) = gauge {
        for (from, to) in [("minValue", "min"), ("maxValue", "max")] {
            if let Some(v) = gauge.get(from) {
                defaults.insert(to.into(), v.clone());
            }
        }
        for (from, to) in [
            ("thresholdMarkers", "showThresholdMarkers"),
            ("thresholdLabels", "showThresholdLabels"),
        ] {
            if let Some(v) = gauge.get(from) {
                options.insert(to.into(), v.clone());
            }
        }
        "gauge"
    } else {
        stat_display_options(old, &mut options, &mut defaults);
        "stat"
    };
    for key in ["prefix", "postfix"] {
        if let Some(text) = old
            .get(key)
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
        {
            notes.push(format!(
                "{label}: singlestat {key} {text:?} is not migrated ({new_type} has none)"
            ));
        }
    }
    if value_name == "last_time" {
        notes.push(format!(
            "{label}: singlestat value \"last_time\" is not migrated; the mean is shown"
        ));
    }

    let mut panel = kept_properties(old, new_type);
    let overrides = cleared_field_config(old).overrides;
    panel.insert(
        "fieldConfig".into(),
        field_config_value(defaults, overrides),
    );
    panel.insert("options".into(), Value::Object(options));
    upgrade_single_stat_options(&mut panel, notes);
    notes.push(format!("{label}: legacy singlestat migrated to {new_type}"));
    panel
}

fn singlestat_threshold_steps(old: &Object) -> Option<Vec<Value>> {
    let thresholds = old
        .get("thresholds")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())?;
    let colors = old.get("colors").and_then(Value::as_array)?;
    let levels: Vec<Value> = thresholds
        .split(',')
        .map(|l| js_number(&json!(l)))
        .collect();
    // One more colour than thresholds: the first colour is the base, below the first level.
    let steps = colors
        .iter()
        .enumerate()
        .take(levels.len() + 1)
        .map(|(i, color)| {
            let value = if i == 0 {
                Value::Null
            } else {
                levels[i - 1].clone()
            };
            json!({"color": color, "value": value})
        })
        .collect();
    Some(steps)
}

fn stat_display_options(old: &Object, options: &mut Object, defaults: &mut Object) {
    let sparkline = old.get("sparkline");
    let area = sparkline.is_some_and(|s| truthy(s.get("show")));
    options.insert(
        "graphMode".into(),
        json!(if area { "area" } else { "none" }),
    );
    let color_mode = if truthy(old.get("colorBackground")) {
        "background"
    } else if truthy(old.get("colorValue")) {
        "value"
    } else {
        // Uncoloured values kept the sparkline's own colour.
        if let Some(color) = sparkline
            .and_then(|s| s.get("lineColor"))
            .filter(|c| area && truthy(Some(c)))
        {
            defaults.insert("color".into(), fixed_color(color));
        }
        "none"
    };
    options.insert("colorMode".into(), json!(color_mode));
    if old.get("valueName").and_then(Value::as_str) == Some("name") {
        options.insert("textMode".into(), json!("name"));
    }
}

/// The stat, gauge and bar gauge panels' own upgrade of options saved by older versions of
/// them (`pluginVersion`, 6.1 when missing): `options.fieldOptions` became the field config and
/// `reduceOptions` (before 7.0), a field `title` became `displayName` (7.1), and percent units
/// got explicit bounds when automatic ones went away (8.0).
pub(super) fn upgrade_single_stat_options(panel: &mut Object, notes: &mut Vec<String>) {
    let version = plugin_version(panel);
    if version >= 8.0 {
        return;
    }
    if version < 7.0 {
        if panel
            .get("options")
            .is_some_and(|o| o.get("valueOptions").is_some())
        {
            let label = panel_label(panel);
            notes.push(format!(
                "{label}: options saved by Grafana 6.1 (`valueOptions`) are not migrated"
            ));
        }
        field_options_to_field_config(panel, version);
    }
    let defaults = object_at(object_at(panel, "fieldConfig"), "defaults");
    if version < 7.1 {
        if let Some(title) = defaults.remove("title").filter(|t| !t.is_null()) {
            defaults.insert("displayName".into(), title);
        }
    }
    let bounds = match defaults.get("unit").and_then(Value::as_str) {
        Some("percent") => Some((0, 100)),
        Some("percentunit") => Some((0, 1)),
        _ => None,
    };
    if let Some((min, max)) = bounds {
        for (key, bound) in [("min", min), ("max", max)] {
            if !defaults.get(key).is_some_and(Value::is_number) {
                defaults.insert(key.into(), json!(bound));
            }
        }
    }
}

fn field_options_to_field_config(panel: &mut Object, version: f64) {
    let Some(Value::Object(options)) = panel.get_mut("options") else {
        return;
    };
    let Some(Value::Object(mut field_options)) = options.remove("fieldOptions") else {
        return;
    };
    let mut reduce = Object::new();
    for key in ["values", "limit", "calcs"] {
        if let Some(v) = field_options.get(key) {
            reduce.insert(key.into(), v.clone());
        }
    }
    options.insert("reduceOptions".into(), Value::Object(reduce));
    let mut new_defaults = take_object(&mut field_options, "defaults");
    let mut new_overrides = match field_options.remove("overrides") {
        Some(Value::Array(o)) => o,
        _ => Vec::new(),
    };
    if version < 6.6 {
        // Before 6.6 thresholds were a bare list of steps and overrides had another shape.
        new_overrides.clear();
        let steps = new_defaults
            .remove("thresholds")
            .or_else(|| field_options.remove("thresholds"));
        if let Some(steps @ Value::Array(_)) = steps {
            new_defaults.insert(
                "thresholds".into(),
                json!({"mode": "absolute", "steps": steps}),
            );
        }
        if let Some(color @ Value::String(_)) = new_defaults.get("color").cloned() {
            new_defaults.insert("color".into(), fixed_color(&color));
        }
    }
    let field_config = object_at(panel, "fieldConfig");
    object_at(field_config, "defaults").extend(new_defaults);
    overrides_mut(field_config).extend(new_overrides);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_support::{assert_idempotent, has_note, legacy, panel};

    #[test]
    fn singlestat_becomes_stat_or_gauge() {
        let m = legacy(json!([
            {"id": 5, "type": "singlestat", "title": "Up", "format": "percent", "decimals": 2,
             "valueName": "avg", "colorBackground": true, "thresholds": "50,80",
             "colors": ["green", "orange", "red"], "sparkline": {"show": true}, "mappingType": 1,
             "valueMaps": [{"value": "1", "op": "=", "text": "UP"}, {"value": "2", "op": "=", "text": "90"},
                           {"value": "null", "op": "=", "text": "N/A"}],
             "prefix": "$", "postfix": "", "targets": [{"refId": "A", "expr": "up"}]},
            {"id": 6, "type": "singlestat", "rangeMaps": [{"from": "0", "to": "5", "text": "low"}],
             "gauge": {"show": true, "minValue": 0, "maxValue": 10, "thresholdMarkers": true, "thresholdLabels": false}},
        ]));
        let stat = panel(&m.dashboard, 5);
        assert_eq!(stat["type"], "stat");
        assert_eq!(
            stat["fieldConfig"]["defaults"],
            json!({
                "unit": "percent", "decimals": 2, "min": 0, "max": 100,
                "thresholds": {"mode": "absolute", "steps": [
                    {"color": "green", "value": null}, {"color": "orange", "value": 50}, {"color": "red", "value": 80}]},
                "mappings": [
                    {"type": "value", "options": {"1": {"text": "UP"}}},
                    {"type": "value", "options": {"2": {"text": "90", "color": "red"}}},
                    {"type": "special", "options": {"match": "null", "result": {"text": "N/A"}}},
                ],
            })
        );
        assert_eq!(
            stat["options"],
            json!({
                "reduceOptions": {"calcs": ["mean"]}, "orientation": "horizontal",
                "graphMode": "area", "colorMode": "background",
            })
        );
        assert!(stat.get("valueMaps").is_none() && stat.get("sparkline").is_none());
        assert!(has_note(
            &m,
            "panel 5 \"Up\": singlestat prefix \"$\" is not migrated"
        ));
        assert!(has_note(
            &m,
            "panel 5 \"Up\": legacy singlestat migrated to stat"
        ));

        let gauge = panel(&m.dashboard, 6);
        assert_eq!(gauge["type"], "gauge");
        assert_eq!(gauge["fieldConfig"]["defaults"]["min"], 0);
        assert_eq!(gauge["fieldConfig"]["defaults"]["max"], 10);
        assert_eq!(
            gauge["fieldConfig"]["defaults"]["mappings"],
            json!([
            {"type": "range", "options": {"from": 0, "to": 5, "result": {"text": "low"}}}])
        );
        assert_eq!(gauge["options"]["showThresholdMarkers"], true);
        assert_eq!(gauge["options"]["showThresholdLabels"], false);
        assert_idempotent(&m);
    }
}
