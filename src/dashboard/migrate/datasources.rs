//! Data sources: shared exports imported the way Grafana's import page does it (`__inputs`
//! placeholders, library panels from `__elements`), and every data source reference bound to
//! one of argus' own.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::json::panel_label;
use super::{for_each_panel, panels_mut, Object, LOKI_UID, PROMETHEUS_UID};

/// Replaces the `${DS_…}` (and `${VAR_…}`) placeholders of a shared export everywhere, as
/// Grafana's import page does once the user has picked a data source for each input. argus
/// picks for the user: a Prometheus input becomes argus' Prometheus, a Loki input argus' Loki,
/// a constant its exported value.
pub(super) fn substitute_inputs(dash: &mut Object, notes: &mut Vec<String>) {
    let Some(Value::Array(inputs)) = dash.get("__inputs") else {
        return;
    };
    let mut replacements = Vec::new();
    for input in inputs {
        let Some(name) = input.get("name").and_then(Value::as_str) else {
            continue;
        };
        let kind = input.get("type").and_then(Value::as_str).unwrap_or("");
        let plugin = input.get("pluginId").and_then(Value::as_str).unwrap_or("");
        let replacement = match (kind, plugin) {
            ("datasource", "prometheus") => PROMETHEUS_UID.to_string(),
            ("datasource", "loki") => LOKI_UID.to_string(),
            ("constant", _) => match input.get("value") {
                Some(Value::String(s)) => s.clone(),
                Some(v) if !v.is_null() => v.to_string(),
                _ => continue,
            },
            _ => {
                notes.push(format!(
                    "input {name} ({kind} {plugin}) has no counterpart in argus; \
                     its references are left as they are"
                ));
                continue;
            }
        };
        replacements.push((format!("${{{name}}}"), replacement));
    }
    for (key, value) in dash.iter_mut() {
        if key != "__inputs" {
            replace_in_strings(value, &replacements);
        }
    }
}

fn replace_in_strings(value: &mut Value, replacements: &[(String, String)]) {
    match value {
        Value::String(s) if s.contains("${") => {
            for (placeholder, replacement) in replacements {
                if s.contains(placeholder.as_str()) {
                    *s = s.replace(placeholder.as_str(), replacement);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| replace_in_strings(v, replacements)),
        Value::Object(map) => map
            .values_mut()
            .for_each(|v| replace_in_strings(v, replacements)),
        _ => {}
    }
}

/// A shared export carries the models of its library panels in `__elements`; Grafana's import
/// creates them as library panels, argus (which has no library) puts each model in place.
pub(super) fn inline_library_panels(dash: &mut Object, notes: &mut Vec<String>) {
    let elements = match dash.get("__elements") {
        Some(Value::Object(elements)) => elements.clone(),
        _ => Object::new(),
    };
    for_each_panel(panels_mut(dash), &mut |panel| {
        let Some(reference) = panel.get("libraryPanel").and_then(Value::as_object) else {
            return;
        };
        let uid = reference.get("uid").and_then(Value::as_str).unwrap_or("");
        let name = reference
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(uid)
            .to_string();
        let Some(Value::Object(model)) = elements.get(uid).and_then(|e| e.get("model")) else {
            if panel.get("type").is_none() {
                notes.push(format!(
                    "library panel {name:?} is not in the file (`__elements`) and stays empty"
                ));
            }
            return;
        };
        let mut inlined = model.clone();
        inlined.remove("libraryPanel");
        for key in ["id", "gridPos"] {
            if let Some(v) = panel.get(key) {
                inlined.insert(key.into(), v.clone());
            }
        }
        notes.push(format!("library panel {name:?} inlined from `__elements`"));
        *panel = Value::Object(inlined);
    });
}

pub(super) fn prometheus_ref() -> Value {
    json!({"type": "prometheus", "uid": PROMETHEUS_UID})
}

fn loki_ref() -> Value {
    json!({"type": "loki", "uid": LOKI_UID})
}

fn builtin_ref(uid: &str) -> Value {
    json!({"type": "datasource", "uid": uid})
}

/// Binds data source references to argus' data sources. A reference is one of:
/// - nothing, `null` or "default": the default data source, argus' Prometheus;
/// - a variable (`$ds`, `${ds}`, `[[ds]]`, or an object whose `uid` is one): kept as
///   `{"type": <the variable's plugin id>, "uid": "${ds}"}`, the UI lists argus' source of
///   that type;
/// - Grafana's built-in sources ("-- Grafana --", "-- Mixed --", "-- Dashboard --"): kept as
///   `{"type": "datasource", "uid": …}`;
/// - a name, or an object of type `prometheus`/`loki` with any uid: argus' source of that type
///   (a name or uid-only object is taken for Loki when it says "loki", for Prometheus else);
/// - an object of another type: kept, and noted, since argus cannot query it.
struct DatasourceResolver<'n> {
    /// Every variable by name, with the plugin id of the data source variables.
    variables: HashMap<String, Option<String>>,
    notes: &'n mut Vec<String>,
}

impl DatasourceResolver<'_> {
    /// The reference in normal form; `None` for the default data source.
    fn resolve(&mut self, raw: Option<&Value>, context: &str) -> Option<Value> {
        match raw? {
            Value::Null => None,
            Value::String(s) => self.resolve_name(s, None, context),
            Value::Object(obj) => {
                let kind = obj.get("type").and_then(Value::as_str);
                match obj.get("uid").and_then(Value::as_str) {
                    Some(uid) => self.resolve_object(obj, kind, uid, context),
                    None => kind.map(|k| self.by_type(k, obj, context)),
                }
            }
            other => {
                self.notes.push(format!(
                    "{context}: data source {other} is not a reference; the default is used"
                ));
                None
            }
        }
    }

    fn resolve_object(
        &mut self,
        obj: &Object,
        kind: Option<&str>,
        uid: &str,
        context: &str,
    ) -> Option<Value> {
        if variable_reference(uid).is_some() {
            return self.resolve_name(uid, kind, context);
        }
        match kind {
            Some(kind) => Some(self.by_type(kind, obj, context)),
            None => self.resolve_name(uid, None, context),
        }
    }

    fn by_type(&mut self, kind: &str, obj: &Object, context: &str) -> Value {
        match kind {
            "prometheus" => prometheus_ref(),
            "loki" => loki_ref(),
            // Grafana's built-in sources: annotations, mixed panels, dashboard reuse.
            "datasource" => Value::Object(obj.clone()),
            other => {
                self.notes.push(format!(
                    "{context}: data source type {other:?} is not available in argus; \
                     its queries cannot run"
                ));
                Value::Object(obj.clone())
            }
        }
    }

    fn resolve_name(&mut self, name: &str, kind: Option<&str>, context: &str) -> Option<Value> {
        match name {
            "" | "default" => return None,
            PROMETHEUS_UID => return Some(prometheus_ref()),
            LOKI_UID => return Some(loki_ref()),
            "-- Grafana --" | "grafana" => return Some(builtin_ref("grafana")),
            "-- Mixed --" | "-- Dashboard --" => return Some(builtin_ref(name)),
            _ => {}
        }
        if let Some(variable) = variable_reference(name) {
            if let Some(plugin) = self.variables.get(variable) {
                let mut reference = json!({"uid": format!("${{{variable}}}")});
                if let Some(kind) = kind.or(plugin.as_deref()) {
                    reference["type"] = json!(kind);
                }
                return Some(reference);
            }
            // An export's `${DS_…}` placeholder whose `__inputs` were stripped.
            if !variable.starts_with("DS_") {
                self.notes.push(format!(
                    "{context}: data source variable ${variable} is not defined by the dashboard"
                ));
                return Some(json!({"uid": format!("${{{variable}}}")}));
            }
        }
        let (reference, which) = match kind {
            Some("loki") => (loki_ref(), "Loki"),
            Some("prometheus") => (prometheus_ref(), "Prometheus"),
            _ if name.to_lowercase().contains("loki") => (loki_ref(), "Loki"),
            _ => (prometheus_ref(), "Prometheus"),
        };
        self.notes.push(format!(
            "data source {name:?} is taken to be argus' {which}"
        ));
        Some(reference)
    }
}

/// The variable a string names when it is nothing but a variable reference.
pub(super) fn variable_reference(s: &str) -> Option<&str> {
    let inner = if let Some(rest) = s.strip_prefix("${") {
        rest.strip_suffix('}')?
    } else if let Some(rest) = s.strip_prefix("[[") {
        rest.strip_suffix("]]")?
    } else {
        s.strip_prefix('$')?
    };
    let name = inner.split(':').next()?;
    let valid = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    valid.then_some(name)
}

pub(super) fn resolve_datasources(dash: &mut Object, notes: &mut Vec<String>) {
    let variables = dash
        .get("templating")
        .and_then(|t| t.get("list"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| {
            let name = v.get("name")?.as_str()?.to_string();
            let is_datasource = v.get("type").and_then(Value::as_str) == Some("datasource");
            let plugin = v
                .get("query")
                .and_then(Value::as_str)
                .filter(|_| is_datasource);
            Some((name, plugin.map(str::to_string)))
        })
        .collect();
    let mut resolver = DatasourceResolver { variables, notes };

    let variables = dash.get_mut("templating").and_then(|t| t.get_mut("list"));
    for variable in variables
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        let Some(variable) = variable.as_object_mut() else {
            continue;
        };
        let name = variable.get("name").and_then(Value::as_str).unwrap_or("");
        let context = format!("variable {name}");
        let queries = matches!(
            variable.get("type").and_then(Value::as_str),
            Some("query" | "adhoc")
        );
        match resolver.resolve(variable.get("datasource"), &context) {
            Some(reference) => {
                variable.insert("datasource".into(), reference);
            }
            None if queries => {
                variable.insert("datasource".into(), prometheus_ref());
            }
            None => {}
        }
    }

    let annotations = dash.get_mut("annotations").and_then(|a| a.get_mut("list"));
    for annotation in annotations
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        if let Some(annotation) = annotation.as_object_mut() {
            let name = annotation.get("name").and_then(Value::as_str).unwrap_or("");
            let context = format!("annotation {name:?}");
            let reference = resolver.resolve(annotation.get("datasource"), &context);
            annotation.insert(
                "datasource".into(),
                reference.unwrap_or_else(prometheus_ref),
            );
        }
    }

    for_each_panel(panels_mut(dash), &mut |panel| {
        if let Some(panel) = panel.as_object_mut() {
            resolve_panel_datasources(panel, &mut resolver);
        }
    });
}

/// A panel's and its queries' data sources: a panel with queries and no data source of its own
/// uses the default, a query without one uses its panel's (or, in a mixed panel, the default),
/// and a panel on the default takes its queries' data source, as Grafana's v36 step.
fn resolve_panel_datasources(panel: &mut Object, resolver: &mut DatasourceResolver) {
    let context = panel_label(panel);
    let has_targets = panel
        .get("targets")
        .and_then(Value::as_array)
        .is_some_and(|t| !t.is_empty());
    let mut panel_ds = resolver.resolve(panel.get("datasource"), &context);
    let panel_was_default = panel_ds.is_none() && has_targets;
    if panel_was_default {
        panel_ds = Some(prometheus_ref());
    }
    let targets = panel.get_mut("targets").and_then(Value::as_array_mut);
    for target in targets
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
    {
        let mixed = panel_ds.as_ref().and_then(|d| d.get("uid")) == Some(&json!("-- Mixed --"));
        let target_ds = resolver
            .resolve(target.get("datasource"), &context)
            .or_else(|| if mixed { None } else { panel_ds.clone() })
            .unwrap_or_else(prometheus_ref);
        if panel_was_default && target_ds.get("uid") != Some(&json!("__expr__")) {
            panel_ds = Some(target_ds.clone());
        }
        target.insert("datasource".into(), target_ds);
    }
    match panel_ds {
        Some(reference) => {
            panel.insert("datasource".into(), reference);
        }
        None => {
            if panel.get("datasource").is_some_and(Value::is_string) {
                panel.remove("datasource");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::test_support::{
        assert_idempotent, has_note, panel, run, unresolved_datasources,
    };
    use super::*;

    // --- data sources --------------------------------------------------------------------------

    #[test]
    fn export_inputs_become_argus_data_sources() {
        let m = run(json!({
            "__inputs": [
                {"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"},
                {"name": "DS_LOKI", "type": "datasource", "pluginId": "loki"},
                {"name": "DS_MYSQL", "type": "datasource", "pluginId": "mysql"},
                {"name": "VAR_ENV", "type": "constant", "value": "prod"},
            ],
            "__requires": [{"type": "datasource", "id": "prometheus"}],
            "__elements": {},
            "schemaVersion": 36,
            "panels": [
                {"id": 1, "type": "timeseries", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
                 "datasource": "${DS_PROMETHEUS}",
                 "targets": [{"refId": "A", "expr": "up{env=\"${VAR_ENV}\"}",
                              "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}}]},
                {"id": 2, "type": "logs", "gridPos": {"x": 12, "y": 0, "w": 12, "h": 8},
                 "datasource": {"type": "loki", "uid": "${DS_LOKI}"},
                 "targets": [{"refId": "A", "expr": "{job=\"x\"}"}]},
            ],
        }));
        let d = &m.dashboard;
        for key in ["__inputs", "__requires", "__elements"] {
            assert!(d.get(key).is_none(), "{key} kept");
        }
        assert_eq!(panel(d, 1)["datasource"], prometheus_ref());
        assert_eq!(panel(d, 1)["targets"][0]["datasource"], prometheus_ref());
        assert_eq!(panel(d, 1)["targets"][0]["expr"], "up{env=\"prod\"}");
        assert_eq!(panel(d, 2)["datasource"], loki_ref());
        assert_eq!(
            panel(d, 2)["targets"][0]["datasource"],
            loki_ref(),
            "a query inherits its panel's"
        );
        assert!(has_note(&m, "DS_MYSQL"));
        assert!(unresolved_datasources(d).is_empty());
    }

    #[test]
    fn data_source_references_of_every_shape_resolve() {
        let target = |ds: Value| json!({"refId": "A", "expr": "up", "datasource": ds});
        let bare = json!({"refId": "A", "expr": "up"});
        let m = run(json!({
            "schemaVersion": 30,
            "annotations": {"list": [{"name": "builtin", "datasource": "-- Grafana --"}, {"name": "mine", "datasource": null}]},
            "templating": {"list": [
                {"name": "ds", "type": "datasource", "query": "prometheus"},
                {"name": "logs", "type": "datasource", "query": "loki"},
                {"name": "job", "type": "query", "datasource": "$ds", "query": "label_values(job)", "refresh": 1},
                {"name": "x", "type": "query", "datasource": null, "query": "up", "refresh": 1},
            ]},
            "panels": [
                {"id": 1, "datasource": null, "targets": [bare]},
                {"id": 2, "datasource": "Prometheus", "targets": [bare]},
                {"id": 3, "datasource": "Loki", "targets": [bare]},
                {"id": 4, "datasource": "$ds", "targets": [bare]},
                {"id": 5, "datasource": {"uid": "${logs}"}, "targets": [bare]},
                {"id": 6, "datasource": "[[ds]]", "targets": [bare]},
                {"id": 7, "datasource": {"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}, "targets": [bare]},
                {"id": 8, "datasource": "-- Mixed --",
                 "targets": [target(json!({"type": "loki", "uid": "x"})), json!({"refId": "B", "expr": "up"})]},
                {"id": 9, "targets": [target(json!({"type": "loki", "uid": "abc"}))]},
                {"id": 10, "datasource": {"type": "mysql", "uid": "m"}, "targets": [bare]},
                {"id": 11, "type": "text"},
            ],
        }));
        let d = &m.dashboard;
        let ds = |id| panel(d, id)["datasource"].clone();
        let var = |kind: &str, name: &str| json!({"type": kind, "uid": format!("${{{name}}}")});
        assert_eq!(ds(1), prometheus_ref());
        assert_eq!(ds(2), prometheus_ref());
        assert!(has_note(
            &m,
            "data source \"Prometheus\" is taken to be argus' Prometheus"
        ));
        assert_eq!(ds(3), loki_ref());
        assert_eq!(ds(4), var("prometheus", "ds"));
        assert_eq!(
            panel(d, 4)["targets"][0]["datasource"],
            var("prometheus", "ds")
        );
        assert_eq!(ds(5), var("loki", "logs"));
        assert_eq!(ds(6), var("prometheus", "ds"));
        assert_eq!(ds(7), prometheus_ref());
        assert_eq!(ds(8), builtin_ref("-- Mixed --"));
        assert_eq!(panel(d, 8)["targets"][0]["datasource"], loki_ref());
        assert_eq!(panel(d, 8)["targets"][1]["datasource"], prometheus_ref());
        assert_eq!(
            ds(9),
            loki_ref(),
            "a panel on the default takes its queries' data source"
        );
        assert_eq!(ds(10), json!({"type": "mysql", "uid": "m"}));
        assert!(has_note(&m, "data source type \"mysql\" is not available"));
        assert!(
            panel(d, 11).get("datasource").is_none(),
            "no queries, no data source"
        );

        let vars = &d["templating"]["list"];
        assert_eq!(
            vars[0],
            json!({"name": "ds", "type": "datasource", "query": "prometheus"})
        );
        assert_eq!(vars[2]["datasource"], var("prometheus", "ds"));
        assert_eq!(vars[3]["datasource"], prometheus_ref());
        assert_eq!(
            d["annotations"]["list"][0]["datasource"],
            builtin_ref("grafana")
        );
        assert_eq!(d["annotations"]["list"][1]["datasource"], prometheus_ref());
        let unresolved = unresolved_datasources(d);
        assert_eq!(
            unresolved,
            vec![
                "panel 10: {\"type\":\"mysql\",\"uid\":\"m\"}".to_string(),
                "panel 10 target \"A\": {\"type\":\"mysql\",\"uid\":\"m\"}".to_string()
            ]
        );
        assert_idempotent(&m);
    }

    #[test]
    fn library_panels_are_inlined_from_the_export() {
        let m = run(json!({
            "__elements": {"lib1": {"name": "Shared CPU", "uid": "lib1", "kind": 1,
                                    "model": {"type": "stat", "title": "CPU", "pluginVersion": "11.6.1",
                                              "targets": [{"refId": "A", "expr": "up"}]}}},
            "schemaVersion": 41,
            "panels": [{"id": 4, "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
                        "libraryPanel": {"uid": "lib1", "name": "Shared CPU"}}],
        }));
        let p = panel(&m.dashboard, 4);
        assert_eq!(p["type"], "stat");
        assert_eq!(p["title"], "CPU");
        assert_eq!(p["gridPos"]["w"], 6);
        assert!(p.get("libraryPanel").is_none());
        assert!(has_note(&m, "library panel \"Shared CPU\" inlined"));
    }
}
