//! The life of alerts, as Prometheus' alerting rules lead it (`rules/alerting.go`).
//!
//! Each sample an alerting rule's expression returns is one alert, identified by its labels
//! (the sample's, without the metric name, plus the rule's expanded labels and `alertname`).
//! A new alert is *pending* from the evaluation that first saw it (`active_at`), and *firing*
//! once it has been seen for `for` (at once when `for` is 0). An alert missing from a result
//! is dropped if it was pending, and becomes *inactive* (resolved) if it was firing, unless
//! `keep_firing_for` keeps it firing that long after its condition went away. Resolved alerts
//! are kept for [`RESOLVED_RETENTION_MS`] so that their resolution can be sent again, then
//! forgotten; one that comes back starts pending anew. An alert's value and annotations are
//! refreshed at every evaluation; its labels never change.

use crate::model::Labels;
use std::collections::BTreeMap;

/// How long a resolved alert is kept (to re-send its resolution), as in Prometheus.
pub const RESOLVED_RETENTION_MS: i64 = 15 * 60 * 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AlertState {
    Inactive,
    Pending,
    Firing,
}

impl AlertState {
    /// The name Prometheus uses in `ALERTS{alertstate=...}` and its API.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Inactive => "inactive",
            AlertState::Pending => "pending",
            AlertState::Firing => "firing",
        }
    }
}

/// One alert of one alerting rule. Times are milliseconds since the epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    /// Final labels: the sample's without its name, the rule's expanded labels, `alertname`.
    pub labels: Labels,
    /// Expanded annotations, sorted by name.
    pub annotations: Vec<(String, String)>,
    pub state: AlertState,
    pub value: f64,
    pub active_at: i64,
    pub fired_at: Option<i64>,
    pub resolved_at: Option<i64>,
    /// When `keep_firing_for` started holding the alert firing without its condition.
    pub keep_firing_since: Option<i64>,
    /// When the alert was last sent to notifiers, and until when that sending is valid.
    pub last_sent_at: Option<i64>,
    pub valid_until: Option<i64>,
}

impl Alert {
    /// The alert as Prometheus' `/api/v1/alerts` shows it: labels, annotations, state,
    /// `activeAt`, `value` as Go's `%e` prints it, and `keepFiringSince` when set.
    pub fn api_json(&self) -> serde_json::Value {
        use crate::model::time::format_rfc3339;
        use crate::promql::json::pairs_json;
        let mut v = serde_json::json!({
            "labels": pairs_json(self.labels.pairs()),
            "annotations": pairs_json(&self.annotations),
            "state": self.state.as_str(),
            "activeAt": format_rfc3339(self.active_at),
            "value": crate::gotmpl::strconv::format_float(self.value, 'e', -1),
        });
        if let Some(since) = self.keep_firing_since {
            v["keepFiringSince"] = serde_json::json!(format_rfc3339(since));
        }
        v
    }
}

/// What one evaluation of an alerting rule found: the alerts of its result, each with its
/// labels and annotations already expanded.
#[derive(Debug)]
pub struct Found {
    pub labels: Labels,
    pub annotations: Vec<(String, String)>,
    pub value: f64,
}

/// The alerts of one alerting rule, by labels.
#[derive(Clone, Debug, Default)]
pub struct Alerts {
    pub active: BTreeMap<Labels, Alert>,
}

/// The rule's settings that move alerts between states (milliseconds).
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    pub hold: i64,
    pub keep_firing_for: i64,
}

impl Alerts {
    /// Moves every alert one evaluation on, at `ts`, given what the rule's result held.
    /// Returns how many alerts are now pending or firing (what the group `limit` counts).
    pub fn advance(&mut self, found: Vec<Found>, ts: i64, timing: Timing) -> usize {
        let mut seen: Vec<Labels> = Vec::with_capacity(found.len());
        for f in found {
            seen.push(f.labels.clone());
            match self.active.get_mut(&f.labels) {
                Some(a) if a.state != AlertState::Inactive => {
                    a.value = f.value;
                    a.annotations = f.annotations;
                }
                _ => {
                    self.active.insert(
                        f.labels.clone(),
                        Alert {
                            labels: f.labels,
                            annotations: f.annotations,
                            state: AlertState::Pending,
                            value: f.value,
                            active_at: ts,
                            fired_at: None,
                            resolved_at: None,
                            keep_firing_since: None,
                            last_sent_at: None,
                            valid_until: None,
                        },
                    );
                }
            }
        }
        seen.sort();
        let mut active = 0;
        self.active.retain(|labels, a| {
            let present = seen.binary_search(labels).is_ok();
            if present {
                a.keep_firing_since = None;
            } else {
                let mut keep_firing = false;
                if a.state == AlertState::Firing && timing.keep_firing_for > 0 {
                    let since = *a.keep_firing_since.get_or_insert(ts);
                    keep_firing = ts - since < timing.keep_firing_for;
                }
                let expired = a
                    .resolved_at
                    .is_some_and(|r| ts - r > RESOLVED_RETENTION_MS);
                if a.state == AlertState::Pending || expired {
                    return false;
                }
                if !keep_firing {
                    if a.state != AlertState::Inactive {
                        a.state = AlertState::Inactive;
                        a.resolved_at = Some(ts);
                    }
                    return true;
                }
            }
            active += 1;
            if a.state == AlertState::Pending && ts - a.active_at >= timing.hold {
                a.state = AlertState::Firing;
                a.fired_at = Some(ts);
            }
            true
        });
        active
    }

    /// Pending and firing alerts.
    pub fn current(&self) -> impl Iterator<Item = &Alert> {
        self.active
            .values()
            .filter(|a| a.state != AlertState::Inactive)
    }

    /// The rule's state: the most severe of its alerts' (firing over pending over inactive).
    pub fn state(&self) -> AlertState {
        self.active
            .values()
            .map(|a| a.state)
            .max()
            .unwrap_or(AlertState::Inactive)
    }
}

#[cfg(test)]
#[path = "alert_tests.rs"]
mod tests;
