//! Evaluating one rule group at one instant, as Prometheus' `Group.Eval` does.
//!
//! Rules run in file order at one timestamp, and each rule's output is appended to the data
//! before the next rule runs, so that a later rule reads what an earlier one recorded. A
//! recording rule writes its result under its name with its labels; an alerting rule moves
//! its alerts on ([`super::alert`]) and writes `ALERTS` and `ALERTS_FOR_STATE` for those
//! pending or firing. A series a rule wrote at its previous evaluation but not at this one
//! gets a staleness marker, so that queries stop seeing it at once. A rule that fails keeps
//! its error (health `err`) and writes nothing, and the group goes on with the next rule.

use super::alert::{AlertState, Alerts, Found, Timing};
use super::file::{Group, Rule, RuleKind};
use super::template::{self, AlertTemplateData, ExpandEnv, InstantQuerier};
use crate::model::{stale_nan, Labels, LabelsBuilder, Sample, METRIC_NAME};
use crate::promql::engine::{Engine, EvalError, Queryable, Value};
use crate::store::StoreError;
use std::collections::BTreeSet;
use std::time::Instant;

/// Where rules read and write: the store with this evaluation's output on top.
pub trait RuleData {
    fn queryable(&self) -> &dyn Queryable;
    /// Adds samples, visible to the queries of the rules that follow.
    fn append(&mut self, samples: Vec<(Labels, Sample)>) -> Result<(), StoreError>;
}

/// What every evaluation shares: the engine and the server's identity as templates see it.
pub struct EvalSettings<'a> {
    pub engine: &'a Engine,
    pub external_labels: &'a [(String, String)],
    /// `$externalURL` of templates.
    pub external_url: &'a str,
    /// Whether the template functions `externalURL` and `pathPrefix` see it too. promtool
    /// gives them no URL (they fail there), so unit tests run without.
    pub url_functions: bool,
}

/// Whether a rule's last evaluation worked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    Unknown,
    Ok,
    Err,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Unknown => "unknown",
            Health::Ok => "ok",
            Health::Err => "err",
        }
    }
}

/// What one rule remembers between evaluations.
#[derive(Clone, Debug)]
pub struct RuleState {
    pub health: Health,
    pub last_error: Option<String>,
    pub last_evaluation: Option<i64>,
    pub evaluation_seconds: f64,
    /// The alerts of an alerting rule (empty for a recording rule).
    pub alerts: Alerts,
    /// Whether `ALERTS` may be written: false until the `for` state of a restarted server
    /// has been restored, as in Prometheus.
    pub restored: bool,
    /// The series written at the last successful evaluation, for staleness markers.
    pub(crate) previous: BTreeSet<Labels>,
    /// Whether the rule is an alerting rule (set at each evaluation).
    pub alerting: bool,
}

impl Default for RuleState {
    fn default() -> RuleState {
        RuleState {
            health: Health::Unknown,
            last_error: None,
            last_evaluation: None,
            evaluation_seconds: 0.0,
            alerts: Alerts::default(),
            restored: true,
            previous: BTreeSet::new(),
            alerting: false,
        }
    }
}

/// What one group remembers between evaluations.
#[derive(Clone, Debug, Default)]
pub struct GroupState {
    pub rules: Vec<RuleState>,
    pub last_evaluation: Option<i64>,
    pub evaluation_seconds: f64,
}

impl GroupState {
    pub fn new(group: &Group) -> GroupState {
        GroupState {
            rules: vec![RuleState::default(); group.rules.len()],
            ..GroupState::default()
        }
    }
}

/// Evaluates every rule of `group` at `ts` (ms), reading data as of `ts - query_offset`.
/// Errors are kept in each rule's state; only a failure to write returns early.
pub fn eval_group(
    settings: &EvalSettings,
    group: &Group,
    state: &mut GroupState,
    ts: i64,
    query_offset: i64,
    data: &mut dyn RuleData,
) -> Result<(), StoreError> {
    let started = Instant::now();
    state
        .rules
        .resize_with(group.rules.len(), RuleState::default);
    for (rule, rs) in group.rules.iter().zip(state.rules.iter_mut()) {
        let rule_started = Instant::now();
        rs.alerting = rule.is_alert();
        let result = eval_rule(
            settings,
            group,
            rule,
            rs,
            ts,
            query_offset,
            data.queryable(),
        );
        rs.last_evaluation = Some(ts);
        match result {
            Err(e) => {
                rs.health = Health::Err;
                rs.last_error = Some(e);
            }
            Ok(output) => {
                rs.health = Health::Ok;
                rs.last_error = None;
                let written: BTreeSet<Labels> = output.iter().map(|(l, _)| l.clone()).collect();
                let mut samples = output;
                let t = ts - query_offset;
                for gone in rs.previous.difference(&written) {
                    samples.push((gone.clone(), Sample { t, v: stale_nan() }));
                }
                data.append(samples)?;
                rs.previous = written;
            }
        }
        rs.evaluation_seconds = rule_started.elapsed().as_secs_f64();
    }
    state.last_evaluation = Some(ts);
    state.evaluation_seconds = started.elapsed().as_secs_f64();
    Ok(())
}

/// One rule's output samples, or its error as Prometheus words it.
fn eval_rule(
    settings: &EvalSettings,
    group: &Group,
    rule: &Rule,
    rs: &mut RuleState,
    ts: i64,
    query_offset: i64,
    data: &dyn Queryable,
) -> Result<Vec<(Labels, Sample)>, String> {
    let t = ts - query_offset;
    let result = instant_vector(settings.engine, data, rule, t)?;
    let labels = group.rule_labels(rule);
    match &rule.kind {
        RuleKind::Record(name) => record(name, &labels, result, t, group.limit),
        RuleKind::Alert(name) => {
            let querier = Querier {
                engine: settings.engine,
                data,
            };
            let found = alerts_found(settings, name, &labels, rule, result, ts, &querier)?;
            let timing = Timing {
                hold: rule.for_ms,
                keep_firing_for: rule.keep_firing_for_ms,
            };
            let active = rs.alerts.advance(found, ts, timing);
            if group.limit > 0 && active > group.limit {
                rs.alerts.active.clear();
                return Err(format!(
                    "exceeded limit of {} with {active} alerts",
                    group.limit
                ));
            }
            if !rs.restored {
                return Ok(Vec::new());
            }
            Ok(alert_series(&rs.alerts, t))
        }
    }
}

/// Runs the rule's expression at `t`: a vector as it is, a scalar as one sample without
/// labels, anything else an error (as Prometheus' rule query function does).
fn instant_vector(
    engine: &Engine,
    data: &dyn Queryable,
    rule: &Rule,
    t: i64,
) -> Result<Vec<(Labels, f64)>, String> {
    let value = engine
        .instant_query(data, &rule.expr, t)
        .map_err(|e: EvalError| e.to_string())?;
    match value {
        Value::Vector(samples) => Ok(samples.into_iter().map(|s| (s.labels, s.v)).collect()),
        Value::Scalar { v, .. } => Ok(vec![(Labels::new(), v)]),
        _ => Err("rule result is not a vector or scalar".to_string()),
    }
}

fn record(
    name: &str,
    labels: &[(String, String)],
    result: Vec<(Labels, f64)>,
    t: i64,
    limit: usize,
) -> Result<Vec<(Labels, Sample)>, String> {
    let mut out: Vec<(Labels, Sample)> = result
        .into_iter()
        .map(|(l, v)| {
            let mut b = l.to_builder();
            b.set(METRIC_NAME, name);
            set_all(&mut b, labels);
            (b.build(), Sample { t, v })
        })
        .collect();
    let mut seen: Vec<&Labels> = out.iter().map(|(l, _)| l).collect();
    seen.sort();
    if seen.windows(2).any(|w| w[0] == w[1]) {
        return Err(
            "vector contains metrics with the same labelset after applying rule labels".into(),
        );
    }
    if limit > 0 && out.len() > limit {
        return Err(format!(
            "exceeded limit of {limit} with {} series",
            out.len()
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Sets each pair; an empty value removes the label, as Prometheus' label builder does.
fn set_all(b: &mut LabelsBuilder, labels: &[(String, String)]) {
    for (k, v) in labels {
        if v.is_empty() {
            b.del(k);
        } else {
            b.set(k.clone(), v.clone());
        }
    }
}

/// The alerts of one result, labels and annotations expanded with the sample's labels and
/// value. Two samples that end up with one label set are an error.
fn alerts_found(
    settings: &EvalSettings,
    alertname: &str,
    rule_labels: &[(String, String)],
    rule: &Rule,
    result: Vec<(Labels, f64)>,
    ts: i64,
    querier: &Querier,
) -> Result<Vec<Found>, String> {
    let template_name = template::template_name(alertname);
    let external_labels = Labels::from_pairs(settings.external_labels.iter().cloned());
    let env = ExpandEnv {
        eval_time_ms: ts,
        querier: Some(querier),
        external_url: settings.url_functions.then_some(settings.external_url),
    };
    let mut found = Vec::with_capacity(result.len());
    for (labels, value) in result {
        let data = AlertTemplateData {
            labels: labels.clone(),
            external_labels: external_labels.clone(),
            external_url: settings.external_url.to_string(),
            value,
        };
        let expand =
            |text: &str| -> String { template::expand_or_error(&template_name, text, &data, &env) };
        let mut b = labels.without_metric_name().to_builder();
        let expanded: Vec<(String, String)> = rule_labels
            .iter()
            .map(|(k, v)| (k.clone(), expand(v)))
            .collect();
        set_all(&mut b, &expanded);
        b.set("alertname", alertname);
        let mut annotations: Vec<(String, String)> = rule
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), expand(v)))
            .collect();
        annotations.sort();
        found.push(Found {
            labels: b.build(),
            annotations,
            value,
        });
    }
    let mut all: Vec<&Labels> = found.iter().map(|f| &f.labels).collect();
    all.sort();
    if all.windows(2).any(|w| w[0] == w[1]) {
        return Err(
            "vector contains metrics with the same labelset after applying alert labels".into(),
        );
    }
    Ok(found)
}

/// `ALERTS` (1 for each pending or firing alert, with its state) and `ALERTS_FOR_STATE`
/// (when it became active, in seconds) at `t`.
fn alert_series(alerts: &Alerts, t: i64) -> Vec<(Labels, Sample)> {
    let mut out = Vec::new();
    for a in alerts.current() {
        let mut b = a.labels.to_builder();
        b.set(METRIC_NAME, "ALERTS");
        b.set("alertstate", a.state.as_str());
        out.push((b.build(), Sample { t, v: 1.0 }));
        let mut b = a.labels.to_builder();
        b.set(METRIC_NAME, "ALERTS_FOR_STATE");
        out.push((
            b.build(),
            Sample {
                t,
                v: (a.active_at / 1000) as f64,
            },
        ));
    }
    debug_assert!(alerts.current().all(|a| a.state != AlertState::Inactive));
    out
}

/// Runs a template's `query` at the evaluation time, against the data rules read.
struct Querier<'a> {
    engine: &'a Engine,
    data: &'a dyn Queryable,
}

impl InstantQuerier for Querier<'_> {
    fn query(&self, expr: &str, at_ms: i64) -> Result<Vec<(Labels, f64)>, String> {
        let parsed = crate::promql::parse(expr).map_err(|e| e.to_string())?;
        match self
            .engine
            .instant_query(self.data, &parsed, at_ms)
            .map_err(|e| e.to_string())?
        {
            Value::Vector(samples) => Ok(samples.into_iter().map(|s| (s.labels, s.v)).collect()),
            Value::Scalar { v, .. } => Ok(vec![(Labels::new(), v)]),
            _ => Err("query result is not a vector or scalar".to_string()),
        }
    }
}
