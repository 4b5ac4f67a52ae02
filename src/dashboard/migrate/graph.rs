//! The Angular `graph` panel, which becomes a time series.

use serde_json::{json, Value};

use super::json::{
    number, number_value, panel_label, reducer_id, take_object, times_ten, truthy, valid_number,
};
use super::panels::{
    cleared_field_config, field_config_value, fixed_color, kept_properties, property,
};
use super::Object;

/// A `graph` becomes a time series, or what Grafana picks for its other x-axis modes.
pub(super) fn migrate_graph(old: &Object, notes: &mut Vec<String>) -> Object {
    let label = panel_label(old);
    match old
        .get("xaxis")
        .and_then(|x| x.get("mode"))
        .and_then(Value::as_str)
    {
        Some("series") => graph_series_mode(old, &label, notes),
        Some("histogram") => {
            notes.push(format!(
                "{label}: legacy graph in histogram mode became a histogram panel; \
                 only its standard field settings carried over"
            ));
            let mut panel = kept_properties(old, "histogram");
            let fc = cleared_field_config(old);
            panel.insert(
                "fieldConfig".into(),
                field_config_value(fc.defaults, fc.overrides),
            );
            panel.insert("options".into(), json!({}));
            panel
        }
        _ => graph_to_timeseries(old, &label, notes),
    }
}

/// A graph with an x axis of series (one bar per series) becomes a bar gauge when its legend
/// showed values, a bar chart otherwise, as Grafana chooses.
fn graph_series_mode(old: &Object, label: &str, notes: &mut Vec<String>) -> Object {
    let legend = old.get("legend").and_then(Value::as_object);
    let bar_gauge = legend.is_some_and(|l| truthy(l.get("values")));
    let fc = cleared_field_config(old);
    let mut defaults = fc.defaults;
    let mut options = Object::new();
    if bar_gauge {
        defaults.insert("color".into(), json!({"mode": "palette-classic"}));
        let calcs: Vec<&str> = old
            .get("xaxis")
            .and_then(|x| x.get("values"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| reducer_id(v.as_str()?))
            .collect();
        options.insert("orientation".into(), json!("auto"));
        options.insert(
            "reduceOptions".into(),
            json!({"values": false, "calcs": calcs}),
        );
        notes.push(format!(
            "{label}: legacy graph of series migrated to a bar gauge"
        ));
    } else {
        notes.push(format!(
            "{label}: legacy graph of series became a bar chart; \
             only its standard field settings carried over"
        ));
    }
    let mut panel = kept_properties(old, if bar_gauge { "bargauge" } else { "barchart" });
    panel.insert(
        "fieldConfig".into(),
        field_config_value(defaults, fc.overrides),
    );
    panel.insert("options".into(), Value::Object(options));
    panel
}

/// Grafana's `graphToTimeseriesOptions`: the left y axis gives the field defaults, the draw
/// settings become `custom.*`, series overrides and alias colours become overrides (by name,
/// or by regular expression when the alias is written `/…/`), legend and tooltip become options.
fn graph_to_timeseries(old: &Object, label: &str, notes: &mut Vec<String>) -> Object {
    let yaxes: &[Value] = old
        .get("yaxes")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let cleared = cleared_field_config(old);
    let mut defaults = cleared.defaults;
    defaults.extend(axis_field_config(yaxes.first()));
    let mut overrides = cleared.overrides;
    overrides.extend(alias_color_overrides(old));

    let mut fill_below_to = false;
    let series_overrides = old.get("seriesOverrides").and_then(Value::as_array);
    for series_override in series_overrides.into_iter().flatten() {
        let Some(series_override) = series_override.as_object() else {
            continue;
        };
        let rule = SeriesOverride {
            old,
            y1: &defaults,
            y2_axis: yaxes.get(1),
            label,
        };
        if let Some(rule) = rule.to_override(series_override, &mut fill_below_to, notes) {
            overrides.push(rule);
        }
    }

    let mut custom = take_object(&mut defaults, "custom");
    graph_draw_style(old, &mut custom, fill_below_to);
    graph_stacking(old, &mut custom, &mut defaults);
    if let Some(mode) = old.get("nullPointMode").filter(|m| !m.is_null()) {
        defaults.insert("nullValueMode".into(), mode.clone());
    }
    let options = graph_legend_and_tooltip(old, &mut overrides);
    if let Some((steps, style)) = graph_thresholds(old) {
        custom.insert("thresholdsStyle".into(), json!({"mode": style}));
        defaults.insert(
            "thresholds".into(),
            json!({"mode": "absolute", "steps": steps}),
        );
    }
    let xaxis = old.get("xaxis");
    let time_axis = xaxis.and_then(|x| x.get("mode")).and_then(Value::as_str) == Some("time");
    if time_axis && xaxis.and_then(|x| x.get("show")) == Some(&json!(false)) {
        overrides.push(json!({
            "matcher": {"id": "byType", "options": "time"},
            "properties": [property("custom.axisPlacement", json!("hidden"))],
        }));
    }
    custom.retain(|_, v| !v.is_null());
    defaults.insert("custom".into(), Value::Object(custom));
    defaults.retain(|_, v| !v.is_null());

    let mut panel = kept_properties(old, "timeseries");
    panel.insert(
        "fieldConfig".into(),
        field_config_value(defaults, overrides),
    );
    panel.insert("options".into(), Value::Object(options));
    if let Some(alert) = old.get("alert").filter(|a| !a.is_null()) {
        panel.insert("alert".into(), alert.clone());
        notes.push(format!(
            "{label}: its legacy alert rule is kept but argus does not run it"
        ));
    }
    if old
        .get("timeRegions")
        .and_then(Value::as_array)
        .is_some_and(|r| !r.is_empty())
    {
        notes.push(format!("{label}: time regions are not migrated"));
    }
    let data_links = old.get("options").and_then(|o| o.get("dataLinks"));
    if data_links
        .and_then(Value::as_array)
        .is_some_and(|l| !l.is_empty())
    {
        notes.push(format!("{label}: graph data links are not migrated"));
    }
    notes.push(format!("{label}: legacy graph migrated to timeseries"));
    panel
}

/// A legacy y axis as field settings: `format` is the unit, `min`/`max`/`decimals` numbers
/// (numeric strings count, as in Grafana), `show`, `label` and a log base of 2 or 10 the axis
/// placement, label and scale.
fn axis_field_config(axis: Option<&Value>) -> Object {
    let Some(Value::Object(axis)) = axis else {
        return Object::new();
    };
    let mut custom = Object::new();
    let placement = if truthy(axis.get("show")) {
        "auto"
    } else {
        "hidden"
    };
    custom.insert("axisPlacement".into(), json!(placement));
    if let Some(label) = axis.get("label").filter(|l| truthy(Some(l))) {
        custom.insert("axisLabel".into(), label.clone());
    }
    if let Some(log) = number(axis.get("logBase")).filter(|l| *l == 2.0 || *l == 10.0) {
        custom.insert(
            "scaleDistribution".into(),
            json!({"type": "log", "log": number_value(log)}),
        );
    }
    let mut out = Object::new();
    if let Some(format) = axis.get("format").filter(|f| !f.is_null()) {
        out.insert("unit".into(), format.clone());
    }
    for key in ["decimals", "min", "max"] {
        if let Some(n) = valid_number(axis.get(key)) {
            out.insert(key.into(), n);
        }
    }
    out.insert("custom".into(), Value::Object(custom));
    out
}

pub(super) fn alias_color_overrides(old: &Object) -> Vec<Value> {
    let Some(Value::Object(colors)) = old.get("aliasColors") else {
        return Vec::new();
    };
    colors
        .iter()
        .filter(|(_, color)| truthy(Some(color)))
        .map(|(alias, color)| {
            json!({
                "matcher": {"id": "byName", "options": alias},
                "properties": [property("color", fixed_color(color))],
            })
        })
        .collect()
}

/// Grafana reads an alias as a regular expression when it is wrapped in the same delimiter,
/// one of `/ ~ @ ; % # '`, optionally followed by flags (`/^cpu/i`).
fn is_regex_alias(alias: &str) -> bool {
    let Some(delimiter) = alias.chars().next().filter(|c| "/~@;%#'".contains(*c)) else {
        return false;
    };
    let body = &alias[delimiter.len_utf8()..];
    body.trim_end_matches(|c| "gimsuy".contains(c))
        .ends_with(delimiter)
}

/// The dash pattern of a graph: `dashes` on or off, `dashLength`/`spaceLength` (10 each).
struct Dash {
    dashed: bool,
    lengths: [Value; 2],
}

impl Dash {
    fn of_graph(old: &Object) -> Self {
        let length = |key| {
            old.get(key)
                .filter(|v| !v.is_null())
                .cloned()
                .unwrap_or(json!(10))
        };
        Dash {
            dashed: truthy(old.get("dashes")),
            lengths: [length("dashLength"), length("spaceLength")],
        }
    }

    fn to_value(&self) -> Value {
        json!({"fill": if self.dashed { "dash" } else { "solid" }, "dash": self.lengths})
    }
}

/// One `seriesOverrides` entry of a graph and what it is read against.
struct SeriesOverride<'a> {
    old: &'a Object,
    y1: &'a Object,
    y2_axis: Option<&'a Value>,
    label: &'a str,
}

impl SeriesOverride<'_> {
    fn to_override(
        &self,
        entry: &Object,
        fill_below_to: &mut bool,
        notes: &mut Vec<String>,
    ) -> Option<Value> {
        // An entry without an alias is the empty row of the old editor.
        let alias = entry
            .get("alias")
            .and_then(Value::as_str)
            .filter(|a| !a.is_empty())?;
        let matcher = if is_regex_alias(alias) {
            "byRegexp"
        } else {
            "byName"
        };
        let mut props = Vec::new();
        let mut dash: Option<Dash> = None;
        for (key, v) in entry {
            match key.as_str() {
                "alias" | "$$hashKey" => {}
                "yaxis" => {
                    if v.as_f64() == Some(2.0) {
                        props.extend(self.right_axis_properties());
                    }
                }
                "fill" => props.push(property("custom.fillOpacity", times_ten(v))),
                "fillBelowTo" => {
                    *fill_below_to = true;
                    props.push(property("custom.fillBelowTo", v.clone()));
                }
                "fillGradient" if truthy(Some(v)) => {
                    props.push(property("custom.fillGradient", json!("opacity")));
                    props.push(property("custom.fillOpacity", times_ten(v)));
                }
                "fillGradient" => {}
                "points" => {
                    let show = if truthy(Some(v)) { "always" } else { "never" };
                    props.push(property("custom.showPoints", json!(show)));
                }
                "bars" if truthy(Some(v)) => {
                    props.push(property("custom.drawStyle", json!("bars")));
                    props.push(property("custom.fillOpacity", json!(100)));
                }
                "bars" => props.push(property("custom.drawStyle", json!("line"))),
                "lines" if truthy(Some(v)) => {
                    props.push(property("custom.drawStyle", json!("line")));
                }
                "lines" => props.push(property("custom.lineWidth", json!(0))),
                "linewidth" => props.push(property("custom.lineWidth", v.clone())),
                "pointradius" => {
                    let size = v
                        .as_f64()
                        .map_or(Value::Null, |r| number_value(2.0 + r * 2.0));
                    props.push(property("custom.pointSize", size));
                }
                "dashes" | "dashLength" | "spaceLength" => {
                    let d = dash.get_or_insert_with(|| Dash::of_graph(self.old));
                    match key.as_str() {
                        "dashes" => d.dashed = truthy(Some(v)),
                        "dashLength" => d.lengths[0] = v.clone(),
                        _ => d.lengths[1] = v.clone(),
                    }
                }
                "stack" => {
                    let mode = if truthy(Some(v)) { "normal" } else { "none" };
                    let group = if v.is_string() { v.clone() } else { json!("A") };
                    props.push(property(
                        "custom.stacking",
                        json!({"mode": mode, "group": group}),
                    ));
                }
                "color" => props.push(property("color", fixed_color(v))),
                "transform" => {
                    let t = if v.as_str() == Some("negative-Y") {
                        "negative-Y"
                    } else {
                        "constant"
                    };
                    props.push(property("custom.transform", json!(t)));
                }
                other => notes.push(format!(
                    "{}: series override `{other}` for {alias:?} is not migrated \
                     (Grafana drops it too)",
                    self.label
                )),
            }
        }
        if let Some(d) = dash {
            props.push(property("custom.lineStyle", d.to_value()));
        }
        (!props.is_empty())
            .then(|| json!({"matcher": {"id": matcher, "options": alias}, "properties": props}))
    }

    /// A series on the right axis: placed right, with each setting of the right axis that
    /// differs from the left one (its unit, typically). Grafana compares the log scale by
    /// object identity, so a right axis with a log scale always carries it over.
    fn right_axis_properties(&self) -> Vec<Value> {
        let y2 = axis_field_config(self.y2_axis);
        let mut props = Vec::new();
        for key in ["unit", "decimals", "min", "max"] {
            if let Some(value) = y2.get(key).filter(|v| self.y1.get(key) != Some(*v)) {
                props.push(property(key, value.clone()));
            }
        }
        props.push(property("custom.axisPlacement", json!("right")));
        let y1_custom = self.y1.get("custom");
        if let Some(Value::Object(y2_custom)) = y2.get("custom") {
            for key in ["axisPlacement", "axisLabel", "scaleDistribution"] {
                let Some(value) = y2_custom.get(key) else {
                    continue;
                };
                let same =
                    key != "scaleDistribution" && y1_custom.and_then(|c| c.get(key)) == Some(value);
                if !same {
                    props.push(property(&format!("custom.{key}"), value.clone()));
                }
            }
        }
        props
    }
}

/// Lines, bars or points, their widths and fill: `fill` 0–10 is an opacity 0–100, bars are
/// solid, `nullPointMode: connected` spans gaps, `steppedLine` steps after each point.
fn graph_draw_style(old: &Object, custom: &mut Object, fill_below_to: bool) {
    let bars = truthy(old.get("bars"));
    let style = if bars {
        "bars"
    } else if truthy(old.get("lines")) {
        "line"
    } else {
        "points"
    };
    custom.insert("drawStyle".into(), json!(style));
    if truthy(old.get("points")) {
        custom.insert("showPoints".into(), json!("always"));
        if let Some(radius) = number(old.get("pointradius")) {
            custom.insert("pointSize".into(), number_value(2.0 + radius * 2.0));
        }
    } else if style != "points" {
        custom.insert("showPoints".into(), json!("never"));
    }
    if let Some(width) = old.get("linewidth") {
        custom.insert("lineWidth".into(), width.clone());
    }
    let dash = Dash::of_graph(old);
    if dash.dashed {
        custom.insert("lineStyle".into(), dash.to_value());
    }
    if fill_below_to {
        // Flot drew the band between two series at this fixed opacity.
        custom.insert("fillOpacity".into(), json!(35));
    } else if let Some(fill) = old.get("fill").filter(|f| f.is_number()) {
        custom.insert("fillOpacity".into(), times_ten(fill));
    }
    if let Some(gradient) = old.get("fillGradient").filter(|g| g.as_f64() > Some(0.0)) {
        custom.insert("gradientMode".into(), json!("opacity"));
        custom.insert("fillOpacity".into(), times_ten(gradient));
    }
    let connected = old.get("nullPointMode").and_then(Value::as_str) == Some("connected");
    custom.insert("spanNulls".into(), json!(connected));
    if truthy(old.get("steppedLine")) {
        custom.insert("lineInterpolation".into(), json!("stepAfter"));
    }
    if bars {
        custom.insert("fillOpacity".into(), json!(100));
    }
}

/// `stack` stacks normally, or in percent with `percentage`; a percent stack drops the axis
/// bounds (and zero decimals) that made sense for absolute values.
fn graph_stacking(old: &Object, custom: &mut Object, defaults: &mut Object) {
    if !truthy(old.get("stack")) {
        return;
    }
    let percent = truthy(old.get("percentage"));
    let mode = if percent { "percent" } else { "normal" };
    custom.insert("stacking".into(), json!({"mode": mode, "group": "A"}));
    if percent && truthy(old.get("yaxis")) {
        defaults.remove("min");
        defaults.remove("max");
        if defaults.get("decimals").and_then(Value::as_f64) == Some(0.0) {
            defaults.remove("decimals");
        }
    }
}

/// The legend (`show`, `alignAsTable` → table, `rightSide` → right, the shown values →
/// calculations, `hideZero`/`hideEmpty` → overrides hiding such series) and the tooltip
/// (`shared` → one tooltip for all series, with its sort order).
fn graph_legend_and_tooltip(old: &Object, overrides: &mut Vec<Value>) -> Object {
    let mut legend =
        json!({"displayMode": "list", "showLegend": true, "placement": "bottom", "calcs": []});
    let mut tooltip = json!({"mode": "single", "sort": "none"});
    if let Some(Value::Object(l)) = old.get("legend") {
        if truthy(l.get("show")) {
            let table = truthy(l.get("alignAsTable"));
            legend["displayMode"] = json!(if table { "table" } else { "list" });
        } else {
            legend["showLegend"] = json!(false);
        }
        if truthy(l.get("rightSide")) {
            legend["placement"] = json!("right");
        }
        if truthy(l.get("values")) {
            let calcs: Vec<&str> = l
                .iter()
                .filter(|(_, on)| truthy(Some(on)))
                .filter_map(|(key, _)| reducer_id(key))
                .collect();
            legend["calcs"] = json!(calcs);
        }
        if let Some(width) = l.get("sideWidth").filter(|w| truthy(Some(w))) {
            legend["width"] = width.clone();
        }
        for (flag, reducer) in [("hideZero", "allIsZero"), ("hideEmpty", "allIsNull")] {
            if truthy(l.get(flag)) {
                overrides.push(json!({
                    "matcher": {"id": "byValue", "options": {"reducer": reducer, "op": "gte", "value": 0}},
                    "properties": [property("custom.hideFrom", json!({"tooltip": true, "viz": false, "legend": true}))],
                }));
            }
        }
    }
    if let Some(Value::Object(t)) = old.get("tooltip") {
        if let Some(shared) = t.get("shared") {
            let multi = truthy(Some(shared));
            tooltip["mode"] = json!(if multi { "multi" } else { "single" });
            if multi {
                let sort = match t.get("sort").and_then(Value::as_i64) {
                    Some(1) => "asc",
                    Some(2) => "desc",
                    _ => "none",
                };
                tooltip["sort"] = json!(sort);
            }
        }
    }
    let mut options = Object::new();
    options.insert("legend".into(), legend);
    options.insert("tooltip".into(), tooltip);
    options
}

/// Graph thresholds (`op` gt/lt, `value`, colour mode, `fill`, `line`) as threshold steps and
/// the way they are drawn. A "less than" threshold colours everything below it; gaps between
/// thresholds are transparent. The base step's `-Infinity` is saved as `null`, as in Grafana.
fn graph_thresholds(old: &Object) -> Option<(Vec<Value>, &'static str)> {
    let mut sorted: Vec<&Object> = old
        .get("thresholds")
        .and_then(Value::as_array)?
        .iter()
        .filter_map(Value::as_object)
        .collect();
    if sorted.is_empty() {
        return None;
    }
    let value_of = |t: &Object| t.get("value").and_then(Value::as_f64).unwrap_or(f64::NAN);
    sorted.sort_by(|a, b| {
        value_of(a)
            .partial_cmp(&value_of(b))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let step = |value: Value, color: Value| json!({"color": color, "value": value});
    let op = |t: &Object| {
        t.get("op")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (mut steps, mut area, mut line) = (Vec::new(), false, false);
    for (i, t) in sorted.iter().enumerate() {
        let value = t.get("value").cloned().unwrap_or(Value::Null);
        let next = sorted.get(i + 1);
        area |= truthy(t.get("fill"));
        line |= truthy(t.get("line"));
        match op(t).as_str() {
            "gt" => steps.push(step(value, threshold_color(t))),
            "lt" => {
                if steps.is_empty() {
                    steps.push(step(Value::Null, threshold_color(t)));
                }
                let color = match next {
                    Some(n) if op(n) == "lt" => threshold_color(n),
                    _ => json!("transparent"),
                };
                steps.push(step(value, color));
            }
            _ => {}
        }
    }
    if steps.first().is_some_and(|s| !s["value"].is_null()) {
        steps.insert(0, step(Value::Null, json!("transparent")));
    }
    let style = match (line, area) {
        (true, true) => "line+area",
        (_, true) => "area",
        _ => "line",
    };
    Some((steps, style))
}

fn threshold_color(t: &Object) -> Value {
    match t.get("colorMode").and_then(Value::as_str) {
        Some("warning") => json!("orange"),
        Some("custom") => t
            .get("fillColor")
            .filter(|c| truthy(Some(c)))
            .or_else(|| t.get("lineColor"))
            .cloned()
            .unwrap_or(Value::Null),
        _ => json!("red"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::test_support::{assert_idempotent, has_note, legacy, panel};

    #[test]
    fn graph_becomes_timeseries_as_grafana_migrates_it() {
        let m = legacy(json!([{
            "id": 7, "type": "graph", "title": "Traffic", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
            "targets": [{"refId": "A", "expr": "rate(x[5m])"}],
            "lines": true, "bars": false, "points": false, "fill": 3, "linewidth": 2,
            "nullPointMode": "connected", "stack": true, "percentage": false,
            "yaxes": [{"format": "bytes", "min": "0", "max": null, "decimals": 1, "show": true, "logBase": 1},
                      {"format": "percentunit", "show": true, "logBase": 1}],
            "legend": {"show": true, "alignAsTable": true, "rightSide": true, "values": true,
                       "min": true, "max": true, "avg": true, "current": true, "total": false},
            "tooltip": {"shared": true, "sort": 2},
            "thresholds": [{"value": 80, "op": "gt", "colorMode": "critical", "fill": true, "line": false}],
            "aliasColors": {"errors": "#ff0000"},
            "seriesOverrides": [
                {"alias": "in", "transform": "negative-Y"},
                {"alias": "/ratio.*/", "yaxis": 2, "lines": false, "points": true},
                {"alias": "out", "color": "#00ff00", "fill": 0, "linewidth": 1, "stack": false,
                 "bars": true, "dashes": true, "zindex": 3},
            ],
            "xaxis": {"mode": "time", "show": true},
            "options": {"dataLinks": []},
        }]));
        let p = panel(&m.dashboard, 7);
        assert_eq!(p["type"], "timeseries");
        for legacy_key in [
            "yaxes",
            "seriesOverrides",
            "lines",
            "fill",
            "legend",
            "aliasColors",
            "xaxis",
        ] {
            assert!(p.get(legacy_key).is_none(), "{legacy_key} kept");
        }
        assert_eq!(
            p["fieldConfig"]["defaults"],
            json!({
                "unit": "bytes", "min": 0, "decimals": 1, "nullValueMode": "connected",
                "thresholds": {"mode": "absolute", "steps": [
                    {"color": "transparent", "value": null}, {"color": "red", "value": 80}]},
                "custom": {
                    "axisPlacement": "auto", "drawStyle": "line", "showPoints": "never", "lineWidth": 2,
                    "fillOpacity": 30, "spanNulls": true, "stacking": {"mode": "normal", "group": "A"},
                    "thresholdsStyle": {"mode": "area"},
                },
            })
        );
        assert_eq!(
            p["options"],
            json!({
                "legend": {"displayMode": "table", "showLegend": true, "placement": "right",
                           "calcs": ["mean", "lastNotNull", "max", "min"]},
                "tooltip": {"mode": "multi", "sort": "desc"},
            })
        );
        let prop = |id: &str, value: Value| json!({"id": id, "value": value});
        assert_eq!(
            p["fieldConfig"]["overrides"],
            json!([
                {"matcher": {"id": "byName", "options": "errors"},
                 "properties": [prop("color", json!({"mode": "fixed", "fixedColor": "#ff0000"}))]},
                {"matcher": {"id": "byName", "options": "in"},
                 "properties": [prop("custom.transform", json!("negative-Y"))]},
                {"matcher": {"id": "byRegexp", "options": "/ratio.*/"},
                 "properties": [prop("custom.lineWidth", json!(0)), prop("custom.showPoints", json!("always")),
                                prop("unit", json!("percentunit")), prop("custom.axisPlacement", json!("right"))]},
                {"matcher": {"id": "byName", "options": "out"},
                 "properties": [prop("custom.drawStyle", json!("bars")), prop("custom.fillOpacity", json!(100)),
                                prop("color", json!({"mode": "fixed", "fixedColor": "#00ff00"})),
                                prop("custom.fillOpacity", json!(0)), prop("custom.lineWidth", json!(1)),
                                prop("custom.stacking", json!({"mode": "none", "group": "A"})),
                                prop("custom.lineStyle", json!({"fill": "dash", "dash": [10, 10]}))]},
            ])
        );
        assert!(has_note(
            &m,
            "panel 7 \"Traffic\": legacy graph migrated to timeseries"
        ));
        assert!(has_note(
            &m,
            "series override `zindex` for \"out\" is not migrated"
        ));
        assert_idempotent(&m);
    }

    #[test]
    fn graph_bars_percent_stacks_hidden_legends_and_lower_thresholds() {
        let m = legacy(json!([{
            "id": 1, "type": "graph", "bars": true, "lines": false, "stack": true, "percentage": true,
            "yaxis": {"align": false},
            "yaxes": [{"format": "percent", "min": 0, "max": 100, "decimals": 0, "show": false}],
            "legend": {"show": false, "hideZero": true}, "xaxis": {"mode": "time", "show": false},
            "thresholds": [{"value": 10, "op": "lt", "colorMode": "custom", "fillColor": "blue", "fill": true, "line": true}],
        }]));
        let p = panel(&m.dashboard, 1);
        let defaults = &p["fieldConfig"]["defaults"];
        assert_eq!(defaults["unit"], "percent");
        for bound in ["min", "max", "decimals"] {
            assert!(
                defaults.get(bound).is_none(),
                "a percent stack drops {bound}"
            );
        }
        assert_eq!(defaults["custom"]["drawStyle"], "bars");
        assert_eq!(defaults["custom"]["fillOpacity"], 100);
        assert_eq!(
            defaults["custom"]["stacking"],
            json!({"mode": "percent", "group": "A"})
        );
        assert_eq!(defaults["custom"]["axisPlacement"], "hidden");
        assert_eq!(
            defaults["custom"]["thresholdsStyle"],
            json!({"mode": "line+area"})
        );
        assert_eq!(
            defaults["thresholds"]["steps"],
            json!([
            {"color": "blue", "value": null}, {"color": "transparent", "value": 10}])
        );
        assert_eq!(p["options"]["legend"]["showLegend"], false);
        let overrides = p["fieldConfig"]["overrides"].as_array().unwrap();
        assert_eq!(overrides[0]["matcher"]["options"]["reducer"], "allIsZero");
        assert_eq!(
            overrides[1]["matcher"],
            json!({"id": "byType", "options": "time"})
        );
        assert_eq!(overrides[1]["properties"][0]["value"], "hidden");
    }
}
