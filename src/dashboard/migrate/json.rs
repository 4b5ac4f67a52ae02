//! JSON helpers with JavaScript's reading of values, which the migrations were written in.

use serde_json::{json, Value};

use super::Object;

/// JavaScript truthiness: absent, null, false, 0 and "" are false.
pub(super) fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

pub(super) fn number(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64)
}

/// A number as JSON, an integer when it is one (fill 2 × 10 is `20`, not `20.0`).
pub(super) fn number_value(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        json!(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

pub(super) fn times_ten(v: &Value) -> Value {
    v.as_f64().map_or(Value::Null, |f| number_value(f * 10.0))
}

/// JavaScript's `Number(x)` for strings and numbers: blank is 0, junk is NaN (saved as null).
pub(super) fn js_number(v: &Value) -> Value {
    match v {
        Value::Number(_) => v.clone(),
        Value::Null => json!(0),
        Value::String(s) if s.trim().is_empty() => json!(0),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map_or(Value::Null, number_value),
        _ => Value::Null,
    }
}

/// Grafana's `validNumber`: a number, or a string that reads as one.
pub(super) fn valid_number(v: Option<&Value>) -> Option<Value> {
    match v? {
        Value::Number(_) => v.cloned(),
        Value::String(_) => Some(js_number(v?)).filter(|n| !n.is_null()),
        _ => None,
    }
}

/// JavaScript's `parseFloat`: the number at the start of the string, if any ("10 ms" → 10).
pub(super) fn js_parse_float(s: &str) -> Option<f64> {
    let s = s.trim_start();
    let bytes = s.as_bytes();
    let mut end = 0;
    let mut best = None;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        end = 1;
    }
    let mut seen_dot = false;
    let mut seen_exp = false;
    while end < bytes.len() {
        let c = bytes[end];
        let ok = c.is_ascii_digit()
            || (c == b'.' && !seen_dot && !seen_exp)
            || ((c == b'e' || c == b'E') && !seen_exp && best.is_some())
            || ((c == b'+' || c == b'-') && matches!(bytes[end - 1], b'e' | b'E'));
        if !ok {
            break;
        }
        seen_dot |= c == b'.';
        seen_exp |= c == b'e' || c == b'E';
        end += 1;
        if let Ok(f) = s[..end].parse::<f64>() {
            best = Some(f);
        }
    }
    best
}

/// JavaScript's `parseInt(s, 10)`: the integer at the start of the string, if any.
pub(super) fn leading_integer(s: &str) -> Option<i64> {
    let s = s.trim_start();
    let sign_len = usize::from(s.starts_with(['+', '-']));
    let digits = s[sign_len..].bytes().take_while(u8::is_ascii_digit).count();
    s[..sign_len + digits].parse().ok()
}

/// A panel's `pluginVersion` as Grafana reads it (`parseFloat`, 6.1 when missing).
pub(super) fn plugin_version(panel: &Object) -> f64 {
    panel
        .get("pluginVersion")
        .and_then(Value::as_str)
        .and_then(js_parse_float)
        .unwrap_or(6.1)
}

/// The legacy reduction names Grafana's reducer registry knows, by id or alias.
pub(super) fn reducer_id(name: &str) -> Option<&'static str> {
    const IDS: &[&str] = &[
        "lastNotNull",
        "last",
        "firstNotNull",
        "first",
        "min",
        "max",
        "mean",
        "sum",
        "count",
        "range",
        "delta",
        "step",
        "diff",
        "logmin",
        "allIsZero",
        "allIsNull",
        "changeCount",
        "distinctCount",
        "diffperc",
        "allValues",
        "uniqueValues",
        "median",
        "variance",
        "stdDev",
    ];
    match name {
        "current" => Some("lastNotNull"),
        "avg" => Some("mean"),
        "total" => Some("sum"),
        _ => IDS.iter().find(|id| **id == name).copied(),
    }
}

pub(super) fn panel_label(panel: &Object) -> String {
    let id = panel
        .get("id")
        .map_or_else(|| "?".to_string(), Value::to_string);
    match panel
        .get("title")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
    {
        Some(title) => format!("panel {id} {title:?}"),
        None => format!("panel {id}"),
    }
}

pub(super) fn take_object(obj: &mut Object, key: &str) -> Object {
    match obj.remove(key) {
        Some(Value::Object(map)) => map,
        _ => Object::new(),
    }
}

/// The object at `key`, made one if it is missing or something else.
pub(super) fn object_at<'a>(obj: &'a mut Object, key: &str) -> &'a mut Object {
    let slot = obj.entry(key).or_insert_with(|| json!({}));
    if !slot.is_object() {
        *slot = json!({});
    }
    match slot {
        Value::Object(map) => map,
        _ => unreachable!("`{key}` was just made an object"),
    }
}

pub(super) fn overrides_mut(field_config: &mut Object) -> &mut Vec<Value> {
    let slot = field_config.entry("overrides").or_insert_with(|| json!([]));
    if !slot.is_array() {
        *slot = json!([]);
    }
    match slot {
        Value::Array(items) => items,
        _ => unreachable!("`overrides` was just made an array"),
    }
}

pub(super) fn override_properties_mut(
    field_config: &mut Object,
) -> impl Iterator<Item = &mut Object> {
    let overrides = field_config
        .get_mut("overrides")
        .and_then(Value::as_array_mut);
    overrides
        .into_iter()
        .flatten()
        .filter_map(|o| o.get_mut("properties").and_then(Value::as_array_mut))
        .flatten()
        .filter_map(Value::as_object_mut)
}

pub(super) fn array_items_mut<'a>(
    obj: &'a mut Object,
    key: &str,
) -> impl Iterator<Item = &'a mut Object> {
    obj.get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
}
