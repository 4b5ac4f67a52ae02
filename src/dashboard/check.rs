//! `argus dashboards check`: what of a dashboard argus does not draw the way Grafana does,
//! found before anyone opens it.
//!
//! What the dashboard view draws is listed once, in `web/src/lib/dash/capabilities.json`,
//! which the UI reads too: a panel type, variable type, unit, override or transformation
//! missing there is reported here, beside what the migration of an old schema could not
//! carry over.

use serde_json::Value;
use std::collections::BTreeSet;

/// What the dashboard view draws (see the module's comment).
pub struct Capabilities {
    panels: BTreeSet<String>,
    variables: BTreeSet<String>,
    matchers: BTreeSet<String>,
    properties: BTreeSet<String>,
    transformations: BTreeSet<String>,
    units: BTreeSet<String>,
}

impl Capabilities {
    /// The view's own list, built into the binary.
    pub fn of_the_view() -> Capabilities {
        let v: Value =
            serde_json::from_str(include_str!("../../web/src/lib/dash/capabilities.json"))
                .expect("capabilities.json is JSON (a unit test reads it)");
        let set = |k: &str| -> BTreeSet<String> {
            v[k].as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        Capabilities {
            panels: set("panels"),
            variables: set("variables"),
            matchers: set("overrideMatchers"),
            properties: set("overrideProperties"),
            transformations: set("transformations"),
            units: set("units"),
        }
    }
}

/// What a dashboard uses that argus does not draw as Grafana does, as sentences naming the
/// panel or variable.
pub fn check(dashboard: &Value, can: &Capabilities) -> Vec<String> {
    let mut out = Vec::new();
    for v in dashboard["templating"]["list"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let kind = v["type"].as_str().unwrap_or("");
        if !can.variables.contains(kind) {
            out.push(format!(
                "variable {}: {kind} variables are not supported",
                quoted(&v["name"])
            ));
        }
    }
    for p in panels(dashboard) {
        let name = panel_name(p);
        let kind = p["type"].as_str().unwrap_or("");
        if !can.panels.contains(kind) {
            out.push(format!("{name}: {kind} panels are not drawn"));
            continue;
        }
        if p.get("repeat")
            .and_then(Value::as_str)
            .is_some_and(|r| !r.is_empty())
        {
            out.push(format!(
                "{name}: repeating over a variable is not supported; the panel is drawn once"
            ));
        }
        for t in p["transformations"].as_array().into_iter().flatten() {
            let id = t["id"].as_str().unwrap_or("");
            let disabled = t["disabled"].as_bool().unwrap_or(false);
            if !disabled && !can.transformations.contains(id) {
                out.push(format!("{name}: the {id} transformation is not applied"));
            }
        }
        let mut units = BTreeSet::new();
        if let Some(u) = p["fieldConfig"]["defaults"]["unit"].as_str() {
            units.insert(u.to_string());
        }
        for o in p["fieldConfig"]["overrides"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let matcher = o["matcher"]["id"].as_str().unwrap_or("");
            if !can.matchers.contains(matcher) {
                out.push(format!(
                    "{name}: overrides matched {matcher} are not applied"
                ));
            }
            for prop in o["properties"].as_array().into_iter().flatten() {
                let id = prop["id"].as_str().unwrap_or("");
                if id == "unit" {
                    if let Some(u) = prop["value"].as_str() {
                        units.insert(u.to_string());
                    }
                }
                if !can.properties.contains(id) {
                    out.push(format!("{name}: the override property {id} is not applied"));
                }
            }
        }
        for u in units {
            if !u.is_empty() && !can.units.contains(&u) && !custom_unit(&u) {
                out.push(format!(
                    "{name}: unit {u:?} is not formatted as Grafana does; values show as the number and the unit's id"
                ));
            }
        }
    }
    out
}

/// Grafana's units built from a text of the user's (`suffix:…`, `prefix:…`, `si:…`, `count:…`,
/// `currency:…`, `bool:…`, `time:…`).
fn custom_unit(u: &str) -> bool {
    [
        "suffix:",
        "prefix:",
        "si:",
        "count:",
        "currency:",
        "bool:",
        "time:",
    ]
    .iter()
    .any(|p| u.starts_with(p))
}

/// Every panel, those inside collapsed rows too, in the dashboard's order.
pub fn panels(dashboard: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for p in dashboard["panels"].as_array().into_iter().flatten() {
        out.push(p);
        for inner in p["panels"].as_array().into_iter().flatten() {
            out.push(inner);
        }
    }
    out
}

fn panel_name(p: &Value) -> String {
    let title = p["title"].as_str().unwrap_or("");
    match (&p["id"], title) {
        (Value::Number(id), "") => format!("panel {id}"),
        (Value::Number(id), t) => format!("panel {id} {t:?}"),
        (_, t) => format!("panel {t:?}"),
    }
}

fn quoted(v: &Value) -> String {
    format!("{:?}", v.as_str().unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_what_is_not_drawn_and_nothing_else() {
        let can = Capabilities::of_the_view();
        let d = json!({
            "templating": {"list": [
                {"name": "job", "type": "query"},
                {"name": "filters", "type": "adhoc"}
            ]},
            "panels": [
                {"id": 1, "type": "timeseries", "title": "CPU",
                 "fieldConfig": {"defaults": {"unit": "suffix: req"}, "overrides": [
                    {"matcher": {"id": "byName", "options": "x"},
                     "properties": [{"id": "custom.transform", "value": "negative-Y"}]}]}},
                {"id": 2, "type": "row", "collapsed": true, "panels": [
                    {"id": 3, "type": "heatmap", "title": "Latency"}
                ]},
                {"id": 4, "type": "stat", "title": "Up", "repeat": "instance",
                 "transformations": [{"id": "reduce"}, {"id": "organize", "disabled": true}],
                 "fieldConfig": {"defaults": {}, "overrides": [
                    {"matcher": {"id": "byField"}, "properties": [{"id": "links"}]}]}}
            ]
        });
        assert_eq!(
            check(&d, &can),
            [
                "variable \"filters\": adhoc variables are not supported",
                "panel 3 \"Latency\": heatmap panels are not drawn",
                "panel 4 \"Up\": repeating over a variable is not supported; the panel is drawn once",
                "panel 4 \"Up\": the reduce transformation is not applied",
                "panel 4 \"Up\": overrides matched byField are not applied",
                "panel 4 \"Up\": the override property links is not applied",
            ]
        );
    }
}
