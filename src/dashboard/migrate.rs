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

use std::collections::{HashMap, HashSet};

use serde_json::{json, Map, Value};

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

/// Replaces the `${DS_…}` (and `${VAR_…}`) placeholders of a shared export everywhere, as
/// Grafana's import page does once the user has picked a data source for each input. argus
/// picks for the user: a Prometheus input becomes argus' Prometheus, a Loki input argus' Loki,
/// a constant its exported value.
fn substitute_inputs(dash: &mut Object, notes: &mut Vec<String>) {
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
fn inline_library_panels(dash: &mut Object, notes: &mut Vec<String>) {
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

/// Dashboard-level fields whose shape changed: the shared-crosshair flag (v14), a non-string
/// `refresh` (v40: off is ""), the unused `timepicker.time_options` (v41).
fn upgrade_dashboard_fields(dash: &mut Object, old_version: i64) {
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

/// Repeated copies of panels and rows were saved by Grafana before v27; they are regenerated
/// from the repeat settings when the dashboard is drawn, so the saved copies go.
fn remove_repeated_panels(panels: &mut Vec<Value>) {
    panels.retain(|p| !truthy(p.get("repeatPanelId")) && !truthy(p.get("repeatByRow")));
    for panel in panels.iter_mut() {
        if let Some(children) = panel.get_mut("panels").and_then(Value::as_array_mut) {
            children.retain(|p| !truthy(p.get("repeatPanelId")));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Layout: rows, ids, grid positions, query letters
// ---------------------------------------------------------------------------------------------

const GRID_COLUMNS: i64 = 24;
const GRID_CELL_HEIGHT_PX: i64 = 30;
const GRID_CELL_MARGIN_PX: i64 = 8;
const MIN_PANEL_HEIGHT_PX: i64 = GRID_CELL_HEIGHT_PX * 3;
const DEFAULT_ROW_HEIGHT_PX: i64 = 250;
const DEFAULT_PANEL_SPAN: f64 = 4.0;

/// A pixel height (`250` or `"250px"`) in grid rows: each row is 30 px plus an 8 px margin,
/// at least three rows, as Grafana converts pre-5.0 heights.
fn grid_height(height: &Value) -> Option<i64> {
    let px = match height {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => leading_integer(&s.replace("px", ""))? as f64,
        _ => return None,
    };
    let px = px.max(MIN_PANEL_HEIGHT_PX as f64);
    Some((px / (GRID_CELL_HEIGHT_PX + GRID_CELL_MARGIN_PX) as f64).ceil() as i64)
}

/// Turns the pre-5.0 `rows` (schema < 16) into grid panels exactly as Grafana's
/// `upgradeToGridLayout`: a span of 12 is the full 24 columns, panels fill each row from the
/// left and wrap below, a collapsed row keeps its panels inside it. Row panels appear only when
/// at least one row is collapsed, repeated or shows its title; otherwise the rows were invisible
/// and only their panels remain.
fn upgrade_rows_to_grid(dash: &mut Object) {
    let Some(Value::Array(rows)) = dash.remove("rows") else {
        return;
    };
    let rows: Vec<Object> = rows
        .into_iter()
        .filter_map(|row| match row {
            Value::Object(row) => Some(row),
            _ => None,
        })
        .collect();
    let row_panels = |row: &Object| -> Vec<Object> {
        let panels = row.get("panels").and_then(Value::as_array);
        panels
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_object().cloned())
            .collect()
    };
    let max_id = rows
        .iter()
        .flat_map(row_panels)
        .filter_map(|p| p.get("id").and_then(Value::as_i64))
        .max()
        .unwrap_or(0);
    let mut next_row_id = max_id + 1;
    let show_rows = rows.iter().any(|row| {
        truthy(row.get("collapse")) || truthy(row.get("showTitle")) || truthy(row.get("repeat"))
    });

    let mut out = std::mem::take(panels_mut(dash));
    let mut y = 0;
    for row in &rows {
        if truthy(row.get("repeatIteration")) {
            continue;
        }
        let row_height = row
            .get("height")
            .filter(|h| truthy(Some(h)))
            .and_then(grid_height)
            .or_else(|| grid_height(&json!(DEFAULT_ROW_HEIGHT_PX)))
            .unwrap_or(7);
        let collapsed = truthy(row.get("collapse"));
        let mut row_panel = show_rows.then(|| {
            let mut panel = json!({
                "id": next_row_id,
                "type": "row",
                "title": row.get("title").cloned().unwrap_or(json!("")),
                "collapsed": collapsed,
                "panels": [],
                // Grafana writes the row's height here, but its grid always draws a row one
                // unit high and saves it so; this writes what Grafana saves.
                "gridPos": {"x": 0, "y": y, "w": GRID_COLUMNS, "h": 1},
            });
            if let Some(repeat) = row.get("repeat").filter(|r| truthy(Some(r))) {
                panel["repeat"] = repeat.clone();
            }
            next_row_id += 1;
            y += 1;
            panel
        });

        let mut area = RowArea::new(row_height, y);
        for mut panel in row_panels(row) {
            let span = number(panel.get("span"))
                .filter(|s| *s != 0.0)
                .unwrap_or(DEFAULT_PANEL_SPAN);
            if let Some(min_span) = number(panel.get("minSpan")) {
                let scaled = (GRID_COLUMNS as f64).min(min_span * 2.0);
                panel.insert("minSpan".into(), number_value(scaled));
            }
            let width = ((span.floor() as i64) * 2).clamp(1, GRID_COLUMNS);
            let height = panel
                .get("height")
                .filter(|h| truthy(Some(h)))
                .and_then(grid_height)
                .unwrap_or(row_height);
            let (x, rel_y) = area.place(width);
            y = area.y;
            let grid_pos = GridPos {
                x,
                y: y + rel_y,
                w: width,
                h: height,
            };
            area.add(&grid_pos);
            panel.remove("span");
            panel.insert("gridPos".into(), grid_pos.to_value());
            match row_panel.as_mut() {
                Some(rp) if collapsed => push_child(rp, panel),
                _ => out.push(Value::Object(panel)),
            }
        }
        if let Some(rp) = row_panel {
            out.push(rp);
        }
        if !(show_rows && collapsed) {
            y += row_height;
        }
    }
    dash.insert("panels".into(), Value::Array(out));
}

fn push_child(row_panel: &mut Value, child: Object) {
    if let Some(children) = row_panel.get_mut("panels").and_then(Value::as_array_mut) {
        children.push(Value::Object(child));
    }
}

struct GridPos {
    x: i64,
    y: i64,
    w: i64,
    h: i64,
}

impl GridPos {
    fn to_value(&self) -> Value {
        json!({"x": self.x, "y": self.y, "w": self.w, "h": self.h})
    }
}

/// The filled part of one band of a pre-5.0 row: for each column, how far down from the band's
/// top panels already reach. Ported from Grafana's `RowArea` so panels land where Grafana puts
/// them, quirks included (a panel goes into the free run of columns at the right end only).
struct RowArea {
    filled: [i64; GRID_COLUMNS as usize],
    y: i64,
    height: i64,
}

impl RowArea {
    fn new(height: i64, y: i64) -> Self {
        RowArea {
            filled: [0; GRID_COLUMNS as usize],
            y,
            height,
        }
    }

    /// Where a panel of this width goes: x and the offset below the band's top, starting a new
    /// band below when it does not fit in this one.
    fn place(&mut self, width: i64) -> (i64, i64) {
        if let Some(pos) = self.free_place(width) {
            return pos;
        }
        self.y += self.height;
        self.filled = [0; GRID_COLUMNS as usize];
        self.free_place(width).unwrap_or((0, 0))
    }

    fn free_place(&self, width: i64) -> Option<(i64, i64)> {
        let last = self.filled.len() - 1;
        let (mut start, mut end) = (None, None);
        for i in (0..=last).rev() {
            if self.height - self.filled[i] <= 0 {
                break;
            }
            if end.is_none() {
                end = Some(i);
            } else if i < last && self.filled[i] <= self.filled[i + 1] {
                start = Some(i);
            } else {
                break;
            }
        }
        let (start, end) = (start?, end?);
        if (end - start) as i64 >= width - 1 {
            Some((
                start as i64,
                self.filled[start..].iter().copied().max().unwrap_or(0),
            ))
        } else {
            None
        }
    }

    fn add(&mut self, pos: &GridPos) {
        for column in pos.x..(pos.x + pos.w).min(GRID_COLUMNS) {
            let bottom = pos.y + pos.h - self.y;
            let cell = &mut self.filled[column as usize];
            if *cell == 0 || bottom > *cell {
                *cell = bottom;
            }
        }
    }
}

/// Gives every panel a unique numeric `id` as Grafana does on load: a missing, zero or
/// repeated id becomes the next number above the largest one.
fn assign_ids(panels: &mut [Value]) {
    let mut max_id = 0;
    for_each_panel(panels, &mut |p| {
        max_id = max_id.max(p.get("id").and_then(Value::as_i64).unwrap_or(0));
    });
    let mut next_id = max_id + 1;
    let mut seen = HashSet::new();
    for_each_panel(panels, &mut |p| {
        let Some(panel) = p.as_object_mut() else {
            return;
        };
        let id = panel
            .get("id")
            .and_then(Value::as_i64)
            .filter(|id| *id != 0);
        let id = match id {
            Some(id) if !seen.contains(&id) => id,
            _ => {
                next_id += 1;
                next_id - 1
            }
        };
        panel.insert("id".into(), json!(id));
        seen.insert(id);
    });
}

/// Gives each query without one the first free letter: A … Z, then AA, AB, … (Grafana's
/// `getNextRefId`).
fn assign_ref_ids(panel: &mut Value) {
    let Some(targets) = panel.get_mut("targets").and_then(Value::as_array_mut) else {
        return;
    };
    for i in 0..targets.len() {
        if !targets[i].is_object() || truthy(targets[i].get("refId")) {
            continue;
        }
        let used: HashSet<&str> = targets
            .iter()
            .filter_map(|t| t.get("refId")?.as_str())
            .collect();
        let ref_id = (0..).map(ref_id_name).find(|r| !used.contains(r.as_str()));
        targets[i]["refId"] = json!(ref_id);
    }
}

fn ref_id_name(n: usize) -> String {
    let letter = char::from(b'A' + (n % 26) as u8);
    if n < 26 {
        letter.to_string()
    } else {
        format!("{}{letter}", ref_id_name(n / 26 - 1))
    }
}

/// Completes partial grid positions with Grafana's defaults (x 0, y 0, 6 wide, 3 high) and
/// places panels that have none below everything else, left to right at that default size
/// (rows full width): Grafana would stack them at the top and let its grid push the rest down,
/// which moves the panels the author did place.
fn place_panels_without_grid_pos(panels: &mut [Value]) {
    place_missing(panels, 0);
    for panel in panels.iter_mut() {
        let row_bottom = grid_pos_of(panel).map_or(0, |g| g.y + 1);
        if let Some(children) = panel.get_mut("panels").and_then(Value::as_array_mut) {
            place_missing(children, row_bottom);
        }
    }
}

fn place_missing(panels: &mut [Value], top: i64) {
    for panel in panels.iter_mut() {
        if let Some(Value::Object(pos)) = panel.get_mut("gridPos") {
            for (key, default) in [("x", 0), ("y", 0), ("w", 6), ("h", 3)] {
                if !pos.get(key).is_some_and(Value::is_number) {
                    pos.insert(key.into(), json!(default));
                }
            }
        }
    }
    let mut y = panels
        .iter()
        .filter_map(grid_pos_of)
        .map(|g| g.y + g.h)
        .max()
        .unwrap_or(0)
        .max(top);
    let mut x = 0;
    for panel in panels.iter_mut() {
        let Some(obj) = panel.as_object_mut() else {
            continue;
        };
        if obj.contains_key("gridPos") {
            continue;
        }
        let is_row = obj.get("type").and_then(Value::as_str) == Some("row");
        let (w, h) = if is_row { (GRID_COLUMNS, 1) } else { (6, 3) };
        if x + w > GRID_COLUMNS {
            x = 0;
            y += 3;
        }
        obj.insert("gridPos".into(), GridPos { x, y, w, h }.to_value());
        x += w;
        if x >= GRID_COLUMNS {
            x = 0;
            y += h;
        }
    }
}

fn grid_pos_of(panel: &Value) -> Option<GridPos> {
    let pos = panel.get("gridPos")?;
    let field = |key: &str| pos.get(key).and_then(Value::as_i64).unwrap_or(0);
    Some(GridPos {
        x: field("x"),
        y: field("y"),
        w: field("w"),
        h: field("h"),
    })
}

/// Top-level panels in reading order (by y, then x), as Grafana orders them on load; it is
/// this order that makes an expanded row own the panels after it.
fn sort_panels_by_grid_pos(panels: &mut [Value]) {
    panels.sort_by_key(|p| grid_pos_of(p).map_or((0, 0), |g| (g.y, g.x)));
}

// ---------------------------------------------------------------------------------------------
// Schema steps on panels and variables (each runs when the dashboard is older than its version)
// ---------------------------------------------------------------------------------------------

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

fn upgrade_panel_schema(panel: &mut Value, old_version: i64) {
    let Some(panel) = panel.as_object_mut() else {
        return;
    };
    for (version, step) in PANEL_SCHEMA_STEPS {
        if old_version < *version {
            step(panel);
        }
    }
}

fn panel_type(panel: &Object) -> &str {
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
fn upgrade_variables(dash: &mut Object, old_version: i64) {
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

// ---------------------------------------------------------------------------------------------
// Legacy panel types
// ---------------------------------------------------------------------------------------------

/// Replaces a removed Angular panel by its successor, as Grafana does when the panel loads,
/// and applies the successor's own upgrades of older saved options.
fn migrate_panel_type(panel: &mut Value, notes: &mut Vec<String>) {
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

fn kept_properties(old: &Object, new_type: &str) -> Object {
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
struct FieldConfig {
    defaults: Object,
    overrides: Vec<Value>,
}

fn cleared_field_config(old: &Object) -> FieldConfig {
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

fn property(id: &str, value: Value) -> Value {
    json!({"id": id, "value": value})
}

fn fixed_color(color: &Value) -> Value {
    json!({"mode": "fixed", "fixedColor": color})
}

/// A `graph` becomes a time series, or what Grafana picks for its other x-axis modes.
fn migrate_graph(old: &Object, notes: &mut Vec<String>) -> Object {
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

fn field_config_value(defaults: Object, overrides: Vec<Value>) -> Value {
    json!({"defaults": defaults, "overrides": overrides})
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

fn alias_color_overrides(old: &Object) -> Vec<Value> {
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

/// Grafana's `singlestat` (and the `grafana-singlestat-panel` plugin) becomes a stat, or a gauge
/// when it drew one: `format` is the unit, `valueName` the reduction, `thresholds` "50,80" with
/// one more colour than thresholds the steps, `colorBackground`/`colorValue` the colour mode,
/// `sparkline.show` the graph mode, value and range maps the value mappings.
fn singlestat_to_stat(old: &Object, notes: &mut Vec<String>) -> Object {
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
fn upgrade_single_stat_options(panel: &mut Object, notes: &mut Vec<String>) {
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

/// Grafana's Angular `table-old` becomes the table: the style for every column (`/.*/`) gives
/// the defaults, every other style an override by column name or `/regex/`, the old
/// `transform` a transformation.
fn table_old_to_table(old: &Object, notes: &mut Vec<String>) -> Object {
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

// ---------------------------------------------------------------------------------------------
// Value mappings (singlestat and pre-v30 field config)
// ---------------------------------------------------------------------------------------------

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
fn singlestat_value_mappings(old: &Object, thresholds: Option<&Value>) -> Vec<Value> {
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
fn upgrade_value_mappings(old: &[Value], thresholds: Option<&Value>) -> Vec<Value> {
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

// ---------------------------------------------------------------------------------------------
// Data sources
// ---------------------------------------------------------------------------------------------

fn prometheus_ref() -> Value {
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
fn variable_reference(s: &str) -> Option<&str> {
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

fn resolve_datasources(dash: &mut Object, notes: &mut Vec<String>) {
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

// ---------------------------------------------------------------------------------------------
// JSON helpers with JavaScript's reading of values, which the migrations were written in
// ---------------------------------------------------------------------------------------------

/// JavaScript truthiness: absent, null, false, 0 and "" are false.
fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

fn number(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64)
}

/// A number as JSON, an integer when it is one (fill 2 × 10 is `20`, not `20.0`).
fn number_value(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        json!(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

fn times_ten(v: &Value) -> Value {
    v.as_f64().map_or(Value::Null, |f| number_value(f * 10.0))
}

/// JavaScript's `Number(x)` for strings and numbers: blank is 0, junk is NaN (saved as null).
fn js_number(v: &Value) -> Value {
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
fn valid_number(v: Option<&Value>) -> Option<Value> {
    match v? {
        Value::Number(_) => v.cloned(),
        Value::String(_) => Some(js_number(v?)).filter(|n| !n.is_null()),
        _ => None,
    }
}

/// JavaScript's `parseFloat`: the number at the start of the string, if any ("10 ms" → 10).
fn js_parse_float(s: &str) -> Option<f64> {
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
fn leading_integer(s: &str) -> Option<i64> {
    let s = s.trim_start();
    let sign_len = usize::from(s.starts_with(['+', '-']));
    let digits = s[sign_len..].bytes().take_while(u8::is_ascii_digit).count();
    s[..sign_len + digits].parse().ok()
}

/// A panel's `pluginVersion` as Grafana reads it (`parseFloat`, 6.1 when missing).
fn plugin_version(panel: &Object) -> f64 {
    panel
        .get("pluginVersion")
        .and_then(Value::as_str)
        .and_then(js_parse_float)
        .unwrap_or(6.1)
}

/// The legacy reduction names Grafana's reducer registry knows, by id or alias.
fn reducer_id(name: &str) -> Option<&'static str> {
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

fn panel_label(panel: &Object) -> String {
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

fn take_object(obj: &mut Object, key: &str) -> Object {
    match obj.remove(key) {
        Some(Value::Object(map)) => map,
        _ => Object::new(),
    }
}

/// The object at `key`, made one if it is missing or something else.
fn object_at<'a>(obj: &'a mut Object, key: &str) -> &'a mut Object {
    let slot = obj.entry(key).or_insert_with(|| json!({}));
    if !slot.is_object() {
        *slot = json!({});
    }
    match slot {
        Value::Object(map) => map,
        _ => unreachable!("`{key}` was just made an object"),
    }
}

fn overrides_mut(field_config: &mut Object) -> &mut Vec<Value> {
    let slot = field_config.entry("overrides").or_insert_with(|| json!([]));
    if !slot.is_array() {
        *slot = json!([]);
    }
    match slot {
        Value::Array(items) => items,
        _ => unreachable!("`overrides` was just made an array"),
    }
}

fn override_properties_mut(field_config: &mut Object) -> impl Iterator<Item = &mut Object> {
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

fn array_items_mut<'a>(obj: &'a mut Object, key: &str) -> impl Iterator<Item = &'a mut Object> {
    obj.get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(dashboard: Value) -> Migrated {
        migrate(dashboard).expect("a dashboard")
    }

    /// Every panel, the children of collapsed rows included.
    fn all_panels(dashboard: &Value) -> Vec<&Value> {
        fn walk<'a>(panels: &'a Value, out: &mut Vec<&'a Value>) {
            for panel in panels.as_array().into_iter().flatten() {
                out.push(panel);
                if let Some(children) = panel.get("panels") {
                    walk(children, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&dashboard["panels"], &mut out);
        out
    }

    fn panel(dashboard: &Value, id: i64) -> &Value {
        all_panels(dashboard)
            .into_iter()
            .find(|p| p["id"] == json!(id))
            .unwrap_or_else(|| panic!("no panel {id}"))
    }

    fn ids(panels: &Value) -> Vec<i64> {
        panels
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect()
    }

    fn has_note(m: &Migrated, text: &str) -> bool {
        m.notes.iter().any(|n| n.contains(text))
    }

    fn assert_idempotent(migrated: &Migrated) {
        let again = run(migrated.dashboard.clone());
        assert_eq!(
            again.dashboard, migrated.dashboard,
            "a second migration changed the dashboard"
        );
    }

    /// Data source references that point at neither of argus' sources, a data source
    /// variable, nor Grafana's built-in sources; queries must name theirs.
    fn unresolved_datasources(dashboard: &Value) -> Vec<String> {
        let variables = dashboard["templating"]["list"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let datasource_variables: HashSet<String> = variables
            .iter()
            .filter(|v| v["type"] == "datasource")
            .filter_map(|v| Some(v["name"].as_str()?.to_string()))
            .collect();
        let resolves = |v: &Value| match (v["type"].as_str(), v["uid"].as_str()) {
            (Some("prometheus"), Some(PROMETHEUS_UID)) | (Some("loki"), Some(LOKI_UID)) => true,
            (Some("datasource"), Some(_)) => true,
            (_, Some(uid)) => {
                variable_reference(uid).is_some_and(|n| datasource_variables.contains(n))
            }
            _ => false,
        };
        let mut bad = Vec::new();
        for p in all_panels(dashboard) {
            if p.get("datasource").is_some_and(|d| !resolves(d)) {
                bad.push(format!("panel {}: {}", p["id"], p["datasource"]));
            }
            for t in p["targets"].as_array().into_iter().flatten() {
                if !resolves(&t["datasource"]) {
                    bad.push(format!(
                        "panel {} target {}: {}",
                        p["id"], t["refId"], t["datasource"]
                    ));
                }
            }
        }
        for v in &variables {
            if v.get("datasource").is_some_and(|d| !resolves(d)) {
                bad.push(format!("variable {}: {}", v["name"], v["datasource"]));
            }
        }
        for a in dashboard["annotations"]["list"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if !resolves(&a["datasource"]) {
                bad.push(format!("annotation {}: {}", a["name"], a["datasource"]));
            }
        }
        bad
    }

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

    // --- layout ---------------------------------------------------------------------------------

    #[test]
    fn rows_become_grid_panels_as_grafana_lays_them_out() {
        let m = run(json!({"schemaVersion": 14, "rows": [
            {"title": "A", "showTitle": true, "height": 250, "panels": [
                {"id": 1, "type": "text", "span": 6}, {"id": 2, "type": "text", "span": 6},
                {"id": 3, "type": "text", "span": 12}]},
            {"title": "B", "collapse": true, "height": "100px", "panels": [
                {"id": 4, "type": "text"}, {"id": 5, "type": "text", "span": 4}]},
            {"title": "C", "showTitle": true, "panels": [
                {"id": 6, "type": "text", "span": 12, "height": "400px"}]},
        ]}));
        let d = &m.dashboard;
        assert!(d.get("rows").is_none());
        // Rows get ids above the panels'; the full-width third panel wraps below the first two.
        assert_eq!(ids(&d["panels"]), vec![7, 1, 2, 3, 8, 9, 6]);
        let pos = |id| panel(d, id)["gridPos"].clone();
        let at = |x: i64, y: i64, w: i64, h: i64| json!({"x": x, "y": y, "w": w, "h": h});
        assert_eq!(pos(7), at(0, 0, 24, 1));
        assert_eq!(panel(d, 7)["type"], "row");
        assert_eq!(panel(d, 7)["title"], "A");
        assert_eq!(
            pos(1),
            at(0, 1, 12, 7),
            "250 px is 7 rows of 30 px plus 8 px margins"
        );
        assert_eq!(pos(2), at(12, 1, 12, 7));
        assert_eq!(pos(3), at(0, 8, 24, 7));
        assert_eq!(pos(8), at(0, 15, 24, 1));
        assert_eq!(panel(d, 8)["collapsed"], true);
        assert_eq!(
            ids(&panel(d, 8)["panels"]),
            vec![4, 5],
            "a collapsed row keeps its panels"
        );
        assert_eq!(
            pos(4),
            at(0, 16, 8, 3),
            "the default span is 4 (8 columns); 100 px is 3 rows"
        );
        assert_eq!(pos(5), at(8, 16, 8, 3));
        assert_eq!(pos(9), at(0, 16, 24, 1), "a collapsed row takes one line");
        assert_eq!(pos(6), at(0, 17, 24, 11));
        assert!(panel(d, 1).get("span").is_none());
        assert_idempotent(&m);
    }

    #[test]
    fn rows_without_titles_leave_only_their_panels() {
        let m = run(json!({"schemaVersion": 10, "rows": [
            {"height": "300px", "showTitle": false, "panels": [{"type": "text", "span": 12}, {"type": "text"}]},
        ]}));
        let panels = &m.dashboard["panels"];
        assert_eq!(panels.as_array().unwrap().len(), 2);
        assert_eq!(ids(panels), vec![1, 2]);
        assert_eq!(
            panels[0]["gridPos"],
            json!({"x": 0, "y": 0, "w": 24, "h": 8})
        );
        assert_eq!(
            panels[1]["gridPos"],
            json!({"x": 0, "y": 8, "w": 8, "h": 8})
        );
    }

    #[test]
    fn ids_query_letters_and_grid_positions_are_completed() {
        let m = run(json!({"schemaVersion": 41, "panels": [
            {"id": 3, "type": "timeseries", "targets": [{"expr": "a"}, {"refId": "A", "expr": "b"}, {"expr": "c"}]},
            {"id": 3, "type": "timeseries"},
            {"type": "row", "collapsed": true, "panels": [{"type": "text"}]},
            {"id": 0, "type": "text", "gridPos": {"x": 2}},
        ]}));
        let d = &m.dashboard;
        let refs: Vec<&Value> = panel(d, 3)["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| &t["refId"])
            .collect();
        assert_eq!(refs, vec!["B", "A", "C"]);
        assert_eq!(
            ids(&d["panels"]),
            vec![7, 3, 4, 5],
            "duplicates and zero ids get fresh ones"
        );
        assert_eq!(ids(&panel(d, 5)["panels"]), vec![6]);
        assert_eq!(
            panel(d, 7)["gridPos"],
            json!({"x": 2, "y": 0, "w": 6, "h": 3})
        );
        assert_eq!(
            panel(d, 3)["gridPos"],
            json!({"x": 0, "y": 3, "w": 6, "h": 3})
        );
        assert_eq!(
            panel(d, 4)["gridPos"],
            json!({"x": 6, "y": 3, "w": 6, "h": 3})
        );
        assert_eq!(
            panel(d, 5)["gridPos"],
            json!({"x": 0, "y": 6, "w": 24, "h": 1})
        );
        assert_eq!(
            panel(d, 6)["gridPos"],
            json!({"x": 0, "y": 7, "w": 6, "h": 3})
        );
        assert_eq!(
            [26, 27, 701, 702].map(ref_id_name),
            ["AA", "AB", "ZZ", "AAA"]
        );
        assert_idempotent(&m);
    }

    // --- legacy panels --------------------------------------------------------------------------

    fn legacy(panels: Value) -> Migrated {
        run(json!({"schemaVersion": 27, "panels": panels}))
    }

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
