//! Alert history, which neither Prometheus nor Alertmanager keeps: every change of an alert's
//! state (pending, firing, resolved, and a pending alert that went away) becomes one log
//! entry in argus' own log store, so that LogQL answers "what fired last night":
//! `{source="argus-alerts"} | json | alertname="MySQLDown"`.
//!
//! Entries are in the stream `{source="argus-alerts", event="state"}`; notifications will
//! add `event="notification"`. Each line is one JSON object:
//! `{"alertname","state","previous","group","file","labels","annotations","value","activeAt"}`,
//! where `state` is `pending`, `firing`, `resolved` or `gone` (a pending alert whose
//! condition ended before it fired) and `previous` the state before (absent for a new
//! alert).

use super::alert::{Alert, AlertState};
use super::group::GroupState;
use crate::model::time::format_rfc3339;
use crate::model::Labels;
use crate::promql::json::pairs_json as pairs;
use serde_json::json;
use std::collections::BTreeMap;

/// The labels of the stream state changes go to.
pub fn state_stream() -> Labels {
    Labels::from_pairs([("event", "state"), ("source", "argus-alerts")])
}

/// What each alert of a group was, by rule and labels: taken before an evaluation.
pub type Before = Vec<BTreeMap<Labels, AlertState>>;

pub fn before(state: &GroupState) -> Before {
    state
        .rules
        .iter()
        .map(|r| {
            r.alerts
                .active
                .iter()
                .map(|(l, a)| (l.clone(), a.state))
                .collect()
        })
        .collect()
}

/// The log lines of the changes between `before` and `after`, at `ts`.
pub fn changes(before: &Before, after: &GroupState, file: &str, group: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let empty = BTreeMap::new();
    for (i, rs) in after.rules.iter().enumerate() {
        let was = before.get(i).unwrap_or(&empty);
        for (labels, a) in &rs.alerts.active {
            let previous = was.get(labels).copied();
            let now = match a.state {
                AlertState::Inactive => "resolved",
                s => s.as_str(),
            };
            let changed = match previous {
                None => true,
                Some(p) => p != a.state,
            };
            if changed {
                lines.push(line(a, now, previous, file, group));
            }
        }
        for (labels, state) in was {
            if *state == AlertState::Pending && !rs.alerts.active.contains_key(labels) {
                lines.push(gone_line(labels, file, group));
            }
        }
    }
    lines
}

fn line(a: &Alert, state: &str, previous: Option<AlertState>, file: &str, group: &str) -> String {
    let mut v = json!({
        "alertname": a.labels.get("alertname").unwrap_or(""),
        "state": state,
        "group": group,
        "file": file,
        "labels": pairs(a.labels.pairs()),
        "annotations": pairs(&a.annotations),
        "value": a.value.to_string(),
        "activeAt": format_rfc3339(a.active_at),
    });
    if let Some(p) = previous {
        v["previous"] = json!(p.as_str());
    }
    v.to_string()
}

fn gone_line(labels: &Labels, file: &str, group: &str) -> String {
    json!({
        "alertname": labels.get("alertname").unwrap_or(""),
        "state": "gone",
        "previous": "pending",
        "group": group,
        "file": file,
        "labels": pairs(labels.pairs()),
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::alert::{Found, Timing};
    use crate::rules::group::RuleState;

    fn found(name: &str) -> Found {
        Found {
            labels: Labels::from_pairs([("alertname", name)]),
            annotations: vec![],
            value: 1.0,
        }
    }

    #[test]
    fn each_change_of_state_is_one_line() {
        let mut g = GroupState {
            rules: vec![RuleState::default()],
            ..GroupState::default()
        };
        let timing = Timing {
            hold: 60_000,
            keep_firing_for: 0,
        };
        let b = before(&g);
        g.rules[0]
            .alerts
            .advance(vec![found("A"), found("B")], 0, timing);
        let lines = changes(&b, &g, "r.yml", "g");
        assert_eq!(lines.len(), 2);
        assert!(lines[0].contains("\"state\":\"pending\"") && !lines[0].contains("previous"));
        // Unchanged: nothing. Then A fires and B goes away.
        let b = before(&g);
        g.rules[0]
            .alerts
            .advance(vec![found("A"), found("B")], 30_000, timing);
        assert!(changes(&b, &g, "r.yml", "g").is_empty());
        let b = before(&g);
        g.rules[0].alerts.advance(vec![found("A")], 60_000, timing);
        let lines = changes(&b, &g, "r.yml", "g");
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].contains("\"alertname\":\"A\"") && lines[0].contains("\"state\":\"firing\"")
        );
        assert!(lines[0].contains("\"previous\":\"pending\""));
        assert!(
            lines[1].contains("\"alertname\":\"B\"") && lines[1].contains("\"state\":\"gone\"")
        );
        let b = before(&g);
        g.rules[0].alerts.advance(vec![], 120_000, timing);
        let lines = changes(&b, &g, "r.yml", "g");
        assert!(
            lines[0].contains("\"state\":\"resolved\"")
                && lines[0].contains("\"previous\":\"firing\"")
        );
    }
}
