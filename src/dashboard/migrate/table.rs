//! The Angular table (`table-old`), which becomes a table.

use serde_json::{json, Value};

use super::json::{leading_integer, panel_label, truthy};
use super::panels::{field_config_value, kept_properties, property};
use super::Object;

/// Grafana's Angular `table-old` becomes the table: the style for every column (`/.*/`) gives
/// the defaults, every other style an override by column name or `/regex/`, the old
/// `transform` a transformation.
pub(super) fn table_old_to_table(old: &Object, notes: &mut Vec<String>) -> Object {
    let label = panel_label(old);
    let styles: Vec<&Object> = old
        .get("styles")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .collect();
    let is_default = |s: &Object| s.get("pattern").and_then(Value::as_str) == Some("/.*/");
    let defaults = styles.iter().copied().find(|s| is_default(s)).map_or_else(
        || {
            let mut d = Object::new();
            d.insert("custom".into(), json!({}));
            d
        },
        table_style_defaults,
    );
    let overrides: Vec<Value> = styles
        .iter()
        .copied()
        .filter(|s| !is_default(s))
        .map(|s| table_style_override(s, &label, notes))
        .collect();
    let mut transformations = match old.get("transformations") {
        Some(Value::Array(t)) => t.clone(),
        _ => Vec::new(),
    };
    if let Some(t) = table_transformation(old, &label, notes) {
        transformations.push(t);
    }
    let mut panel = kept_properties(old, "table");
    panel.insert(
        "fieldConfig".into(),
        field_config_value(defaults, overrides),
    );
    panel.insert("options".into(), json!({}));
    panel.insert("transformations".into(), Value::Array(transformations));
    notes.push(format!("{label}: legacy table-old migrated to table"));
    panel
}

fn table_color_mode(style: &Object) -> Option<Value> {
    let mode = match style.get("colorMode").and_then(Value::as_str)? {
        "cell" | "row" => "color-background",
        "value" => "color-text",
        _ => return None,
    };
    Some(json!({"type": mode}))
}

/// `auto` is the table's default alignment, so it is left out rather than saved as null.
fn table_align(style: &Object) -> Option<Value> {
    style
        .get("align")
        .filter(|a| !a.is_null() && a.as_str() != Some("auto"))
        .cloned()
}

fn table_style_defaults(style: &Object) -> Object {
    let mut defaults = Object::new();
    for (from, to) in [
        ("unit", "unit"),
        ("decimals", "decimals"),
        ("alias", "displayName"),
    ] {
        if let Some(v) = style.get(from).filter(|v| !v.is_null()) {
            defaults.insert(to.into(), v.clone());
        }
    }
    let mut custom = Object::new();
    if let Some(align) = table_align(style) {
        custom.insert("align".into(), align);
    }
    if let Some(cell) = table_color_mode(style) {
        custom.insert("cellOptions".into(), cell);
    }
    defaults.insert("custom".into(), Value::Object(custom));
    if let Some(steps) = table_threshold_steps(style) {
        defaults.insert(
            "thresholds".into(),
            json!({"mode": "absolute", "steps": steps}),
        );
    }
    defaults
}

fn table_style_override(style: &Object, label: &str, notes: &mut Vec<String>) -> Value {
    let pattern = style.get("pattern").and_then(Value::as_str).unwrap_or("");
    let regex = pattern.len() >= 2 && pattern.starts_with('/') && pattern.ends_with('/');
    let mut props = Vec::new();
    if let Some(alias) = style.get("alias").filter(|a| truthy(Some(a))) {
        props.push(property("displayName", alias.clone()));
    }
    if let Some(unit) = style.get("unit").filter(|u| truthy(Some(u))) {
        props.push(property("unit", unit.clone()));
    }
    if let Some(decimals) = style.get("decimals").filter(|d| !d.is_null()) {
        props.push(property("decimals", decimals.clone()));
    }
    match style.get("type").and_then(Value::as_str) {
        Some("date") => {
            let format = style
                .get("dateFormat")
                .and_then(Value::as_str)
                .unwrap_or("YYYY-MM-DD HH:mm:ss");
            props.push(property("unit", json!(format!("time: {format}"))));
        }
        Some("hidden") => props.push(property("custom.hidden", json!(true))),
        _ => {}
    }
    if truthy(style.get("link")) {
        let text = |key| {
            style
                .get(key)
                .filter(|v| !v.is_null())
                .cloned()
                .unwrap_or(json!(""))
        };
        let blank = style
            .get("linkTargetBlank")
            .filter(|v| !v.is_null())
            .cloned()
            .unwrap_or(json!(false));
        props.push(property(
            "links",
            json!([{"title": text("linkTooltip"), "url": text("linkUrl"), "targetBlank": blank}]),
        ));
    }
    if let Some(cell) = table_color_mode(style) {
        props.push(property("custom.cellOptions", cell));
    }
    if let Some(align) = table_align(style) {
        props.push(property("custom.align", align));
    }
    if style
        .get("colors")
        .and_then(Value::as_array)
        .is_some_and(|c| !c.is_empty())
    {
        if let Some(steps) = table_threshold_steps(style) {
            props.push(property(
                "thresholds",
                json!({"mode": "absolute", "steps": steps}),
            ));
        }
    }
    let has_maps = ["valueMaps", "rangeMaps"].iter().any(|k| {
        style
            .get(*k)
            .and_then(Value::as_array)
            .is_some_and(|m| !m.is_empty())
    });
    if has_maps {
        notes.push(format!(
            "{label}: value mappings of table column style {pattern:?} are not migrated"
        ));
    }
    json!({
        "matcher": {"id": if regex { "byRegexp" } else { "byName" }, "options": pattern},
        "properties": props,
    })
}

/// Table style thresholds (strings or numbers, read as integers like Grafana's `parseInt`)
/// after a base step, each coloured by the colour at its position.
fn table_threshold_steps(style: &Object) -> Option<Vec<Value>> {
    let thresholds = style
        .get("thresholds")
        .and_then(Value::as_array)
        .filter(|t| !t.is_empty())?;
    let colors = style.get("colors").and_then(Value::as_array);
    let color = |i: usize| {
        colors
            .and_then(|c| c.get(i))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let mut steps = vec![json!({"color": color(0), "value": null})];
    for (i, t) in thresholds.iter().enumerate() {
        let value = match t {
            Value::Number(_) => t.clone(),
            Value::String(s) => leading_integer(s).map_or(Value::Null, |n| json!(n)),
            _ => Value::Null,
        };
        steps.push(json!({"color": color(i + 1), "value": value}));
    }
    Some(steps)
}

fn table_transformation(old: &Object, label: &str, notes: &mut Vec<String>) -> Option<Value> {
    let transform = old.get("transform").and_then(Value::as_str)?;
    let id = match transform {
        "timeseries_to_rows" => "seriesToRows",
        "timeseries_to_columns" => "seriesToColumns",
        "timeseries_aggregations" => "reduce",
        "table" => "merge",
        other => {
            notes.push(format!(
                "{label}: table transform {other:?} is not migrated"
            ));
            return None;
        }
    };
    let mut options = json!({"reducers": []});
    if id == "reduce" {
        let reducers: Vec<Value> = old
            .get("columns")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| {
                let reducer = match c.get("value").and_then(Value::as_str) {
                    Some("avg") => "mean",
                    Some("total") => "sum",
                    Some("current") => "lastNotNull",
                    Some(other @ ("min" | "max" | "count")) => other,
                    _ => return Value::Null,
                };
                json!(reducer)
            })
            .collect();
        options = json!({"reducers": reducers, "includeTimeField": false});
    }
    Some(json!({"id": id, "options": options}))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::test_support::{assert_idempotent, has_note, panel, run};

    #[test]
    fn angular_table_becomes_table() {
        let m = run(json!({"schemaVersion": 18, "panels": [{
            "id": 9, "type": "table", "transform": "timeseries_aggregations",
            "columns": [{"text": "Avg", "value": "avg"}, {"text": "Current", "value": "current"}],
            "styles": [
                {"pattern": "/.*/", "type": "number", "unit": "short", "decimals": 2, "thresholds": [], "colors": []},
                {"pattern": "Time", "type": "date", "dateFormat": "YYYY-MM-DD", "alias": "When"},
                {"pattern": "/^instance$/", "type": "hidden"},
                {"pattern": "value", "type": "number", "unit": "bytes", "decimals": 1, "colorMode": "cell",
                 "thresholds": ["10", "20"], "colors": ["a", "b", "c"]},
            ],
        }]}));
        let p = panel(&m.dashboard, 9);
        assert_eq!(p["type"], "table");
        assert!(p.get("styles").is_none());
        assert_eq!(
            p["fieldConfig"]["defaults"],
            json!({"unit": "short", "decimals": 2, "custom": {}})
        );
        let prop = |id: &str, value: Value| json!({"id": id, "value": value});
        assert_eq!(
            p["fieldConfig"]["overrides"],
            json!([
                {"matcher": {"id": "byName", "options": "Time"},
                 "properties": [prop("displayName", json!("When")), prop("unit", json!("time: YYYY-MM-DD"))]},
                {"matcher": {"id": "byRegexp", "options": "/^instance$/"},
                 "properties": [prop("custom.hidden", json!(true))]},
                {"matcher": {"id": "byName", "options": "value"},
                 "properties": [prop("unit", json!("bytes")), prop("decimals", json!(1)),
                                prop("custom.cellOptions", json!({"type": "color-background"})),
                                prop("thresholds", json!({"mode": "absolute", "steps": [
                                    {"color": "a", "value": null}, {"color": "b", "value": 10}, {"color": "c", "value": 20}]}))]},
            ])
        );
        assert_eq!(
            p["transformations"],
            json!([
            {"id": "reduce", "options": {"reducers": ["mean", "lastNotNull"], "includeTimeField": false}}])
        );
        assert!(has_note(&m, "legacy table-old migrated to table"));
        assert_idempotent(&m);
    }
}
