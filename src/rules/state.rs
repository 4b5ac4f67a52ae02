//! A rule group's state kept in the store between evaluations by separate processes: when
//! the group was last evaluated, each rule's health, the series it wrote last (for staleness
//! markers across runs) and its alerts with their times (so that `for:` counts across cron
//! runs and resolutions are re-sent). One JSON state file per group, named after the rule
//! file's path and the group's name; its format is in `docs/format/rules-state.md`.

use super::alert::{Alert, AlertState};
use super::group::{GroupState, Health, RuleState};
use crate::model::Labels;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The state file name of a group: `rules-` and a hash of the rule file's path and the
/// group's name (state file names are short and plain).
pub fn file_name(rule_file: &str, group: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in rule_file.bytes().chain([0xff]).chain(group.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("rules-{h:016x}")
}

const VERSION: u32 = 1;

#[derive(Serialize, Deserialize, Debug)]
struct Stored {
    version: u32,
    file: String,
    group: String,
    last_evaluation: Option<i64>,
    #[serde(default)]
    evaluation_seconds: f64,
    rules: Vec<StoredRule>,
}

#[derive(Serialize, Deserialize, Debug)]
struct StoredRule {
    /// The rule's name and expression: state is given back to a rule only when both match.
    name: String,
    expr: String,
    health: String,
    last_error: Option<String>,
    last_evaluation: Option<i64>,
    #[serde(default)]
    evaluation_seconds: f64,
    /// `recording` or `alerting`.
    #[serde(default)]
    kind: String,
    previous: Vec<Vec<(String, String)>>,
    alerts: Vec<StoredAlert>,
}

#[derive(Serialize, Deserialize, Debug)]
struct StoredAlert {
    labels: Vec<(String, String)>,
    annotations: Vec<(String, String)>,
    state: String,
    /// As Rust prints it, so that NaN and infinities survive JSON.
    value: String,
    active_at: i64,
    fired_at: Option<i64>,
    resolved_at: Option<i64>,
    keep_firing_since: Option<i64>,
    last_sent_at: Option<i64>,
    valid_until: Option<i64>,
}

/// A rule as its state file names it: name, expression, and whether it is an alerting rule.
pub type RuleId<'a> = (&'a str, &'a str);

/// Serializes a group's state; `rules` pairs each rule's name and expression with its state.
pub fn encode(file: &str, group: &str, state: &GroupState, rules: &[RuleId]) -> Vec<u8> {
    let stored = Stored {
        version: VERSION,
        file: file.to_string(),
        group: group.to_string(),
        last_evaluation: state.last_evaluation,
        evaluation_seconds: state.evaluation_seconds,
        rules: rules
            .iter()
            .zip(&state.rules)
            .map(|((name, expr), rs)| StoredRule {
                name: name.to_string(),
                expr: expr.to_string(),
                health: rs.health.as_str().to_string(),
                last_error: rs.last_error.clone(),
                last_evaluation: rs.last_evaluation,
                evaluation_seconds: rs.evaluation_seconds,
                kind: if rs.alerting { "alerting" } else { "recording" }.to_string(),
                previous: rs.previous.iter().map(|l| l.pairs().to_vec()).collect(),
                alerts: rs.alerts.active.values().map(store_alert).collect(),
            })
            .collect(),
    };
    // Serializing plain strings, numbers and lists cannot fail.
    serde_json::to_vec(&stored).unwrap_or_default()
}

fn store_alert(a: &Alert) -> StoredAlert {
    StoredAlert {
        labels: a.labels.pairs().to_vec(),
        annotations: a.annotations.clone(),
        state: a.state.as_str().to_string(),
        value: a.value.to_string(),
        active_at: a.active_at,
        fired_at: a.fired_at,
        resolved_at: a.resolved_at,
        keep_firing_since: a.keep_firing_since,
        last_sent_at: a.last_sent_at,
        valid_until: a.valid_until,
    }
}

/// The state of a group whose rules are `rules` (name, expression), from a state file. A rule
/// whose name or expression changed since the file was written starts afresh, as does every
/// rule when the file is from another version. Errors name what is wrong with the file.
pub fn decode(data: &[u8], rules: &[(&str, &str)]) -> Result<GroupState, String> {
    let stored: Stored =
        serde_json::from_slice(data).map_err(|e| format!("not a rule group state: {e}"))?;
    if stored.version != VERSION {
        return Err(format!(
            "rule group state version {} (this argus reads {VERSION})",
            stored.version
        ));
    }
    let mut state = GroupState {
        rules: vec![RuleState::default(); rules.len()],
        last_evaluation: stored.last_evaluation,
        evaluation_seconds: 0.0,
    };
    for (i, (name, expr)) in rules.iter().enumerate() {
        let Some(s) = stored.rules.get(i) else {
            continue;
        };
        if s.name != *name || s.expr != *expr {
            continue;
        }
        let rs = &mut state.rules[i];
        rs.health = match s.health.as_str() {
            "ok" => Health::Ok,
            "err" => Health::Err,
            _ => Health::Unknown,
        };
        rs.last_error = s.last_error.clone();
        rs.last_evaluation = s.last_evaluation;
        rs.evaluation_seconds = s.evaluation_seconds;
        rs.alerting = s.kind == "alerting";
        rs.previous = s
            .previous
            .iter()
            .map(|p| Labels::from_pairs(p.clone()))
            .collect::<BTreeSet<_>>();
        for a in &s.alerts {
            let alert = load_alert(a)?;
            rs.alerts.active.insert(alert.labels.clone(), alert);
        }
    }
    Ok(state)
}

/// A state file read for display, without the rule file: what `argus rules list` and
/// `argus alerts list` show.
#[derive(Debug)]
pub struct Summary {
    pub file: String,
    pub group: String,
    pub last_evaluation: Option<i64>,
    pub evaluation_seconds: f64,
    pub rules: Vec<RuleSummary>,
}

#[derive(Debug)]
pub struct RuleSummary {
    pub name: String,
    pub expr: String,
    pub alerting: bool,
    pub health: String,
    pub last_error: Option<String>,
    pub last_evaluation: Option<i64>,
    pub evaluation_seconds: f64,
    pub alerts: Vec<Alert>,
}

pub fn summary(data: &[u8]) -> Result<Summary, String> {
    let stored: Stored =
        serde_json::from_slice(data).map_err(|e| format!("not a rule group state: {e}"))?;
    let mut rules = Vec::new();
    for r in stored.rules {
        let alerts = r
            .alerts
            .iter()
            .map(load_alert)
            .collect::<Result<Vec<_>, _>>()?;
        rules.push(RuleSummary {
            name: r.name,
            expr: r.expr,
            alerting: r.kind == "alerting",
            health: r.health,
            last_error: r.last_error,
            last_evaluation: r.last_evaluation,
            evaluation_seconds: r.evaluation_seconds,
            alerts,
        });
    }
    Ok(Summary {
        file: stored.file,
        group: stored.group,
        last_evaluation: stored.last_evaluation,
        evaluation_seconds: stored.evaluation_seconds,
        rules,
    })
}

fn load_alert(a: &StoredAlert) -> Result<Alert, String> {
    let state = match a.state.as_str() {
        "pending" => AlertState::Pending,
        "firing" => AlertState::Firing,
        "inactive" => AlertState::Inactive,
        other => return Err(format!("unknown alert state {other:?}")),
    };
    Ok(Alert {
        labels: Labels::from_pairs(a.labels.clone()),
        annotations: a.annotations.clone(),
        state,
        value: a.value.parse().unwrap_or(f64::NAN),
        active_at: a.active_at,
        fired_at: a.fired_at,
        resolved_at: a.resolved_at,
        keep_firing_since: a.keep_firing_since,
        last_sent_at: a.last_sent_at,
        valid_until: a.valid_until,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::alert::{Found, Timing};

    #[test]
    fn state_survives_a_round_trip_and_follows_only_unchanged_rules() {
        let mut state = GroupState {
            rules: vec![RuleState::default(), RuleState::default()],
            last_evaluation: Some(120_000),
            evaluation_seconds: 0.1,
        };
        state.rules[0]
            .previous
            .insert(Labels::from_pairs([("__name__", "r")]));
        state.rules[1].alerts.advance(
            vec![Found {
                labels: Labels::from_pairs([("alertname", "A")]),
                annotations: vec![("s".into(), "x".into())],
                value: f64::NAN,
            }],
            60_000,
            Timing {
                hold: 300_000,
                keep_firing_for: 0,
            },
        );
        let rules = [("r", "sum(up)"), ("A", "up == 0")];
        let data = encode("rules.yml", "g", &state, &rules);
        let back = decode(&data, &rules).unwrap();
        assert_eq!(back.last_evaluation, Some(120_000));
        assert_eq!(back.rules[0].previous, state.rules[0].previous);
        let a = back.rules[1].alerts.current().next().unwrap();
        assert_eq!((a.state, a.active_at), (AlertState::Pending, 60_000));
        assert!(a.value.is_nan());
        // A changed expression starts that rule afresh.
        let changed = [("r", "sum(up)"), ("A", "up == 1")];
        let back = decode(&data, &changed).unwrap();
        assert!(back.rules[1].alerts.active.is_empty());
        assert_eq!(back.rules[0].previous.len(), 1);
    }

    #[test]
    fn a_damaged_file_is_an_error_not_a_fresh_start() {
        assert!(decode(b"{not json", &[])
            .unwrap_err()
            .contains("not a rule group state"));
    }

    #[test]
    fn names_differ_by_file_and_group() {
        assert_ne!(file_name("a.yml", "g"), file_name("b.yml", "g"));
        assert_ne!(file_name("a.yml", "g"), file_name("a.yml", "h"));
        assert!(file_name("a.yml", "g").starts_with("rules-"));
    }
}
