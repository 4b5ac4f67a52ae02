//! promtool's rule unit tests (`promtool test rules`), run unchanged.
//!
//! Each test group gets fresh in-memory data: its `input_series` (expanding notation, spaced
//! by the group's `interval`, from its `start_timestamp`), made visible up to each evaluation
//! time as time goes on. Every rule group of the `rule_files` is evaluated at every
//! `evaluation_interval` from the start to the latest `eval_time` of the group's checks, in
//! `group_eval_order` (the groups it does not name first... as promtool orders them: those
//! it does not name count as the first). An alert check at time T looks at the evaluation at
//! the last step at or before T and compares the *firing* alerts of that name (labels with
//! `alertname`, and annotations) with the expected ones. Expression checks run afterwards as
//! instant queries at their `eval_time`, and see what the rules recorded, `ALERTS` included.
//! A rule that fails to evaluate stops its test group with the rule's error.
//!
//! argus stores float samples only: an input series written with native-histogram literals
//! is set aside, and a check that expects a histogram or reads such a series is counted as
//! skipped, reported apart, and neither passes nor fails the file.

mod data;
pub mod junit;
pub mod report;
pub mod spec;

use super::file::{self, Group};
use super::group::{eval_group, EvalSettings, GroupState, Health};
use crate::model::Labels;
use crate::promql::engine::{Engine, Value};
use data::{parse_labels, InputData};
use regex::Regex;
use report::{alerts_string, go_duration, indent_lines, samples_string, AlertView};
use spec::{TestFile, TestGroup};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How a run is told to behave (promtool's flags).
#[derive(Debug, Default)]
pub struct Options {
    /// Only test groups whose name matches one of these run (`--run`).
    pub run: Vec<Regex>,
    /// Unknown keys in test and rule files are skipped (`--ignore-unknown-fields`).
    pub ignore_unknown: bool,
}

/// The outcome of one test file.
#[derive(Debug, Default)]
pub struct FileOutcome {
    /// promtool's failure messages, in order; empty when the file passed.
    pub failures: Vec<String>,
    /// Warnings printed before the verdict (a `rule_files` pattern matching nothing).
    pub warnings: Vec<String>,
    /// Checks not run because they need native histograms.
    pub skipped: usize,
    /// Each test group that ran, with its failures (for JUnit reports).
    pub groups: Vec<GroupOutcome>,
}

#[derive(Debug, Default)]
pub struct GroupOutcome {
    pub name: String,
    pub failures: Vec<String>,
}

/// Runs one unit-test file.
pub fn run_file(path: &Path, opts: &Options) -> FileOutcome {
    let mut outcome = FileOutcome::default();
    let spec = match read_spec(path, opts) {
        Ok(spec) => spec,
        Err(e) => {
            outcome.failures.push(e);
            return outcome;
        }
    };
    let base = path.parent().unwrap_or(Path::new(""));
    let rule_files = match resolve_rule_files(base, &spec.rule_files, &mut outcome.warnings) {
        Ok(files) => files,
        Err(e) => {
            outcome.failures.push(e);
            return outcome;
        }
    };
    let evaluation_interval = if spec.evaluation_interval > 0 {
        spec.evaluation_interval
    } else {
        60_000
    };
    let mut order: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, name) in spec.group_eval_order.iter().enumerate() {
        if order.insert(name, i).is_some() {
            outcome
                .failures
                .push(format!("group name repeated in evaluation order: {name}"));
            return outcome;
        }
    }
    for tg in &spec.tests {
        if !opts.run.is_empty() && !opts.run.iter().any(|re| re.is_match(&tg.name)) {
            continue;
        }
        let run = GroupRun {
            spec: &spec,
            tg,
            evaluation_interval,
            order: &order,
            rule_files: &rule_files,
            ignore_unknown: opts.ignore_unknown,
        };
        let (failures, skipped) = run.test();
        outcome.skipped += skipped;
        outcome.failures.extend(failures.iter().cloned());
        outcome.groups.push(GroupOutcome {
            name: tg.name.clone(),
            failures,
        });
    }
    outcome
}

fn read_spec(path: &Path, opts: &Options) -> Result<TestFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    match crate::yaml::parse(&text).map_err(|e| e.to_string())? {
        Some(root) => spec::read(&root, opts.ignore_unknown),
        None => Ok(TestFile::default()),
    }
}

/// Rule files named relative to the test file, globs expanded, in order.
fn resolve_rule_files(
    base: &Path,
    patterns: &[String],
    warnings: &mut Vec<String>,
) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for p in patterns {
        let pattern = if Path::new(p).is_absolute() || p.is_empty() {
            PathBuf::from(p)
        } else {
            base.join(p)
        };
        let found = crate::glob::expand(&pattern)?;
        if found.is_empty() {
            warnings.push(format!(
                "  WARNING: no file match pattern {}",
                pattern.display()
            ));
        }
        files.extend(found);
    }
    Ok(files)
}

/// One test group being run.
struct GroupRun<'a> {
    spec: &'a TestFile,
    tg: &'a TestGroup,
    evaluation_interval: i64,
    order: &'a BTreeMap<&'a str, usize>,
    rule_files: &'a [PathBuf],
    ignore_unknown: bool,
}

impl GroupRun<'_> {
    /// The group's failures and how many checks it skipped.
    fn test(&self) -> (Vec<String>, usize) {
        let tg = self.tg;
        let groups = match self.load_groups() {
            Ok(groups) => groups,
            Err(errors) => return (errors, 0),
        };
        let interval = if tg.interval > 0 {
            tg.interval
        } else {
            self.evaluation_interval
        };
        let mut data = match InputData::new(&tg.input_series, tg.start, interval) {
            Ok(data) => data,
            Err(e) => return (vec![e], 0),
        };
        let engine = Engine {
            default_subquery_step: self.evaluation_interval,
            threads: 1,
            timeout: None,
            ..Engine::default()
        };
        let settings = EvalSettings {
            engine: &engine,
            external_labels: &tg.external_labels,
            external_url: &tg.external_url,
            url_functions: false,
        };
        let mut states: Vec<GroupState> = groups.iter().map(GroupState::new).collect();
        let start = tg.start;
        let end = start + self.max_eval_time();
        let mut failures = Vec::new();
        let mut alert_times: Vec<i64> = tg.alert_rule_test.iter().map(|a| a.eval_time).collect();
        alert_times.sort_unstable();
        alert_times.dedup();
        let mut next_alert_check = 0;
        if let Some(a) = tg.alert_rule_test.iter().find(|a| a.alertname.is_empty()) {
            let in_group = if tg.name.is_empty() {
                String::new()
            } else {
                format!(" (in TestGroup {})", tg.name)
            };
            return (
                vec![format!(
                    "an item under alert_rule_test misses required attribute alertname at eval_time {}{in_group}",
                    a.eval_time_text
                )],
                0,
            );
        }
        let mut ts = start;
        while ts <= end {
            data.reveal_until(ts);
            let mut errors = Vec::new();
            for (group, state) in groups.iter().zip(states.iter_mut()) {
                let offset = group.query_offset.unwrap_or(0);
                if let Err(e) = eval_group(&settings, group, state, ts, offset, &mut data) {
                    errors.push(format!("    error writing rule output: {e}"));
                }
                for (rule, rs) in group.rules.iter().zip(&state.rules) {
                    if rs.health == Health::Err {
                        errors.push(format!(
                            "    rule: {}, time: {}, err: {}",
                            rule.name(),
                            go_duration(ts - start),
                            rs.last_error.as_deref().unwrap_or("")
                        ));
                    }
                }
            }
            if !errors.is_empty() {
                failures.extend(errors);
                return (failures, 0);
            }
            while next_alert_check < alert_times.len()
                && ts - start <= alert_times[next_alert_check]
                && alert_times[next_alert_check] < ts - start + self.evaluation_interval
            {
                let t = alert_times[next_alert_check];
                failures.extend(self.check_alerts(t, &groups, &states));
                next_alert_check += 1;
            }
            ts += self.evaluation_interval;
        }
        let (expr_failures, skipped) = self.check_exprs(&engine, &data);
        failures.extend(expr_failures);
        (failures, skipped)
    }

    /// The rule groups of every file, in `group_eval_order` (unnamed groups count as first).
    fn load_groups(&self) -> Result<Vec<Group>, Vec<String>> {
        let mut groups = Vec::new();
        let mut errors = Vec::new();
        for path in self.rule_files {
            match file::load(path, self.ignore_unknown) {
                Ok(f) => groups.extend(f.groups),
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        groups.sort_by_key(|g| self.order.get(g.name.as_str()).copied().unwrap_or(0));
        Ok(groups)
    }

    /// The latest `eval_time` of the group's checks (ms since its start).
    fn max_eval_time(&self) -> i64 {
        let alerts = self.tg.alert_rule_test.iter().map(|a| a.eval_time);
        let exprs = self.tg.promql_expr_test.iter().map(|e| e.eval_time);
        alerts.chain(exprs).max().unwrap_or(0)
    }

    fn check_alerts(&self, t: i64, groups: &[Group], states: &[GroupState]) -> Vec<String> {
        let mut failures = Vec::new();
        for case in self.tg.alert_rule_test.iter().filter(|a| a.eval_time == t) {
            let mut got: Vec<AlertView> = Vec::new();
            for (group, state) in groups.iter().zip(states) {
                for (rule, rs) in group.rules.iter().zip(&state.rules) {
                    if !rule.is_alert() || rule.name() != case.alertname {
                        continue;
                    }
                    for a in rs.alerts.current() {
                        if a.state == super::alert::AlertState::Firing {
                            got.push(AlertView {
                                labels: a.labels.pairs().to_vec(),
                                annotations: a.annotations.clone(),
                            });
                        }
                    }
                }
            }
            let mut expected: Vec<AlertView> = case
                .exp_alerts
                .iter()
                .map(|e| {
                    let mut labels = e.exp_labels.clone();
                    labels.retain(|(k, _)| k != "alertname");
                    labels.push(("alertname".into(), case.alertname.clone()));
                    labels.sort();
                    let mut annotations = e.exp_annotations.clone();
                    annotations.sort();
                    AlertView {
                        labels,
                        annotations,
                    }
                })
                .collect();
            got.sort();
            expected.sort();
            if got != expected {
                let name = if self.tg.name.is_empty() {
                    String::new()
                } else {
                    format!("    name: {},\n", self.tg.name)
                };
                failures.push(format!(
                    "{name}    alertname: {}, time: {}, \n        exp:{}, \n        got:{}",
                    case.alertname,
                    display_eval_time(case.eval_time),
                    indent_lines(&alerts_string(&expected), "            "),
                    indent_lines(&alerts_string(&got), "            ")
                ));
            }
        }
        failures
    }

    /// Runs the expression checks; returns their failures and how many were skipped.
    fn check_exprs(&self, engine: &Engine, data: &InputData) -> (Vec<String>, usize) {
        let mut failures = Vec::new();
        let mut skipped = 0;
        for case in &self.tg.promql_expr_test {
            let at = self.tg.start + case.eval_time;
            let time = display_eval_time(case.eval_time);
            let quoted = crate::gotmpl::strconv::quote(&case.expr, '"', false);
            if case.exp_samples.iter().any(|s| s.histogram) {
                skipped += 1;
                continue;
            }
            let (got, touched_histograms) = match query(engine, data, &case.expr, at) {
                Ok(got) => got,
                Err(e) => {
                    failures.push(format!("    expr: {quoted}, time: {time}, err: {e}"));
                    continue;
                }
            };
            if touched_histograms {
                skipped += 1;
                continue;
            }
            let mut expected = Vec::new();
            let mut bad_labels = None;
            for s in &case.exp_samples {
                match parse_labels(&s.labels) {
                    Ok(l) => expected.push((l, s.value)),
                    Err(e) => {
                        bad_labels = Some(format!("labels {:?}: {e}", s.labels));
                        break;
                    }
                }
            }
            if let Some(e) = bad_labels {
                failures.push(format!("    expr: {quoted}, time: {time}, err: {e}"));
                continue;
            }
            let mut got = got;
            got.sort_by(|a, b| a.0.cmp(&b.0));
            expected.sort_by(|a, b| a.0.cmp(&b.0));
            if !same_samples(&expected, &got, self.spec.fuzzy_compare) {
                failures.push(format!(
                    "    expr: {quoted}, time: {time},\n        exp: {}\n        got: {}",
                    samples_string(&expected),
                    samples_string(&got)
                ));
            }
        }
        (failures, skipped)
    }
}

/// An `eval_time` as promtool prints it (a Prometheus duration: `5m`, `1d`, `0s`).
fn display_eval_time(ms: i64) -> String {
    crate::model::time::format_duration(ms)
}

/// An instant query's samples (a scalar as one sample without labels), and whether it read
/// a series that was set aside for holding native histograms.
fn query(
    engine: &Engine,
    data: &InputData,
    expr: &str,
    at: i64,
) -> Result<(Vec<(Labels, f64)>, bool), String> {
    let parsed = crate::promql::parse(expr).map_err(|e| e.to_string())?;
    let watched = data.watched();
    let value = engine
        .instant_query(&watched, &parsed, at)
        .map_err(|e| e.to_string())?;
    let touched = watched.touched_histograms();
    match value {
        Value::Vector(v) => Ok((v.into_iter().map(|s| (s.labels, s.v)).collect(), touched)),
        Value::Scalar { v, .. } => Ok((vec![(Labels::new(), v)], touched)),
        _ => Err("rule result is not a vector or scalar".to_string()),
    }
}

/// Equal label sets and values; with `fuzzy`, values may differ in the last bits of the
/// mantissa (a relative difference under 1e-16), as promtool's `fuzzy_compare` allows.
fn same_samples(expected: &[(Labels, f64)], got: &[(Labels, f64)], fuzzy: bool) -> bool {
    expected.len() == got.len()
        && expected
            .iter()
            .zip(got)
            .all(|((el, ev), (gl, gv))| el == gl && same_value(*ev, *gv, fuzzy))
}

fn same_value(a: f64, b: f64, fuzzy: bool) -> bool {
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    if !fuzzy {
        return false;
    }
    let sum = a.abs() + b.abs();
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || sum < f64::MIN_POSITIVE {
        return diff < 1e-16 * f64::MIN_POSITIVE;
    }
    diff / sum.min(f64::MAX) < 1e-16
}

#[cfg(test)]
mod tests;
