//! Layout: rows, ids, grid positions, query letters.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::json::{leading_integer, number, number_value, truthy};
use super::{for_each_panel, panels_mut, Object};

/// Repeated copies of panels and rows were saved by Grafana before v27; they are regenerated
/// from the repeat settings when the dashboard is drawn, so the saved copies go.
pub(super) fn remove_repeated_panels(panels: &mut Vec<Value>) {
    panels.retain(|p| !truthy(p.get("repeatPanelId")) && !truthy(p.get("repeatByRow")));
    for panel in panels.iter_mut() {
        if let Some(children) = panel.get_mut("panels").and_then(Value::as_array_mut) {
            children.retain(|p| !truthy(p.get("repeatPanelId")));
        }
    }
}

pub(super) const GRID_COLUMNS: i64 = 24;
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
pub(super) fn upgrade_rows_to_grid(dash: &mut Object) {
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
pub(super) fn assign_ids(panels: &mut [Value]) {
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
pub(super) fn assign_ref_ids(panel: &mut Value) {
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
pub(super) fn place_panels_without_grid_pos(panels: &mut [Value]) {
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
pub(super) fn sort_panels_by_grid_pos(panels: &mut [Value]) {
    panels.sort_by_key(|p| grid_pos_of(p).map_or((0, 0), |g| (g.y, g.x)));
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::test_support::{assert_idempotent, ids, panel, run};
    use super::*;

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
}
