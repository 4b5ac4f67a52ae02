//! Value mappings (singlestat and pre-v30 field config).

use serde_json::{json, Value};

use super::json::{js_number, js_parse_float};
use super::Object;

/// One legacy mapping in the new shape: a value (to be gathered into a value map) or a whole
/// mapping (range, or the special value null).
enum LegacyMapping {
    Value(String, Value),
    Mapping(Value),
}

impl LegacyMapping {
    fn into_mapping(self) -> Value {
        match self {
            LegacyMapping::Value(value, result) => {
                json!({"type": "value", "options": {value: result}})
            }
            LegacyMapping::Mapping(m) => m,
        }
    }
}

/// A legacy value (`kind` 1: `value` → `text`) or range (`kind` 2: `from`–`to` → `text`)
/// mapping. The text's colour is the threshold colour of the text read as a number, which is
/// what the old panels showed; the value "null" maps the special value null.
fn legacy_mapping(old: &Object, kind: i64, thresholds: Option<&Value>) -> Option<LegacyMapping> {
    let text = old.get("text").cloned().unwrap_or(Value::Null);
    let mut result = json!({"text": text});
    let numeric = text
        .as_str()
        .and_then(js_parse_float)
        .or_else(|| text.as_f64());
    if let Some(color) = numeric.and_then(|n| active_threshold_color(n, thresholds?)) {
        result["color"] = color;
    }
    match kind {
        1 => {
            let value = old.get("value").filter(|v| !v.is_null())?;
            Some(match value {
                Value::String(s) if s == "null" => special_null_mapping(result),
                Value::String(s) => LegacyMapping::Value(s.clone(), result),
                other => LegacyMapping::Value(other.to_string(), result),
            })
        }
        2 => {
            let is_null = |key| old.get(key).and_then(Value::as_str) == Some("null");
            if is_null("from") || is_null("to") {
                return Some(special_null_mapping(result));
            }
            let bound = |key| old.get(key).map_or(Value::Null, js_number);
            Some(LegacyMapping::Mapping(json!({
                "type": "range",
                "options": {"from": bound("from"), "to": bound("to"), "result": result},
            })))
        }
        _ => None,
    }
}

fn special_null_mapping(result: Value) -> LegacyMapping {
    LegacyMapping::Mapping(
        json!({"type": "special", "options": {"match": "null", "result": result}}),
    )
}

/// A singlestat's `valueMaps` or `rangeMaps` (whichever `mappingType` says, or whichever is
/// not empty), one mapping per entry as Grafana converts them.
pub(super) fn singlestat_value_mappings(old: &Object, thresholds: Option<&Value>) -> Vec<Value> {
    let non_empty = |key| {
        old.get(key)
            .and_then(Value::as_array)
            .is_some_and(|m| !m.is_empty())
    };
    let kind = match old.get("mappingType").and_then(Value::as_i64) {
        Some(kind @ (1 | 2)) => kind,
        _ if non_empty("valueMaps") => 1,
        _ if non_empty("rangeMaps") => 2,
        _ => return Vec::new(),
    };
    let key = if kind == 1 { "valueMaps" } else { "rangeMaps" };
    old.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| legacy_mapping(m.as_object()?, kind, thresholds))
        .map(LegacyMapping::into_mapping)
        .collect()
}

/// v30's upgrade of field-config mappings: legacy entries converted, all value → text entries
/// (old and new) gathered into one value map at the front, other new-style mappings kept.
pub(super) fn upgrade_value_mappings(old: &[Value], thresholds: Option<&Value>) -> Vec<Value> {
    let mut values = Object::new();
    let mut out = Vec::new();
    for mapping in old.iter().filter_map(Value::as_object) {
        if let (Some(kind), Some(Value::Object(options))) =
            (mapping.get("type"), mapping.get("options"))
        {
            if kind == "value" {
                values.extend(options.clone());
            } else {
                out.push(Value::Object(mapping.clone()));
            }
            continue;
        }
        let kind = mapping.get("type").and_then(Value::as_i64).unwrap_or(0);
        match legacy_mapping(mapping, kind, thresholds) {
            Some(LegacyMapping::Value(value, result)) => {
                values.insert(value, result);
            }
            Some(LegacyMapping::Mapping(m)) => out.push(m),
            None => {}
        }
    }
    if !values.is_empty() {
        out.insert(0, json!({"type": "value", "options": values}));
    }
    out
}

/// The colour of the last threshold step at or below `value` (a null step value is the base).
fn active_threshold_color(value: f64, thresholds: &Value) -> Option<Value> {
    let steps = thresholds.get("steps")?.as_array()?;
    let mut active = steps.first()?;
    for step in steps {
        match step.get("value").and_then(Value::as_f64) {
            Some(level) if value < level => break,
            _ => active = step,
        }
    }
    active.get("color").filter(|c| !c.is_null()).cloned()
}
