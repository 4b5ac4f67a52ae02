//! Evaluating every group once, at now, against the shared store: what a cron line runs
//! (`argus rules eval`), with no server.
//!
//! Each group is evaluated at the latest instant of its schedule (now rounded down to its
//! interval), so that runs a little early or late land on the same instant. Its state lives
//! in a state file of the store ([`super::state`]) and is read, advanced and written back
//! under that file's exclusive lock; a group already evaluated at that instant (by an
//! overlapping run, or by a server on the same store) is not evaluated again. The group's
//! output is committed to the store in one commit before its state is written: a run killed
//! in between leaves the output without the state, and the next run evaluates that instant
//! again and writes the same samples, which the store keeps once. Each change of an alert's
//! state is also written to the log store ([`super::history`]).

use super::alerting_config::AlertingConfig;
use super::dispatch::{self, DispatchReport};
use super::file::{Group, RuleFile};
use super::group::{eval_group, EvalSettings, GroupState};
use super::history;
use super::notifier;
use super::overlay::Overlay;
use super::state;
use crate::store::{Store, StoreError};

/// The schedule and identity every group of a run shares.
pub struct OnceSettings<'a> {
    pub eval: EvalSettings<'a>,
    /// Interval of groups that set none (ms): `global.evaluation_interval`.
    pub default_interval: i64,
    /// Query offset of groups that set none (ms): `global.rule_query_offset`.
    pub default_query_offset: i64,
    /// Where firing and resolved alerts go (`alerting` of prometheus.yml); none when empty.
    pub alerting: &'a AlertingConfig,
    /// argus' own notifications (`--alertmanager-config`), when configured.
    pub notify: Option<&'a crate::notify::Config>,
    /// Called with a group's new state once it is saved and before any alert goes out, so
    /// that a server shows an alert firing before anyone is told it fires.
    pub on_evaluated: Option<&'a dyn Fn(&GroupState)>,
}

/// What happened to one group.
#[derive(Debug)]
pub struct GroupReport {
    pub file: String,
    pub group: String,
    /// The instant evaluated, or `None` when another process had already evaluated it.
    pub evaluated_at: Option<i64>,
    pub state: GroupState,
    /// Alerts sent to Alertmanagers, and why some Alertmanagers did not take them.
    pub sent: usize,
    pub send_errors: Vec<String>,
    /// What argus' own notifications did in this run (`--alertmanager-config`).
    pub notify: DispatchReport,
}

/// Evaluates every group of `files` at `now` (ms). Store errors stop the run; a rule that
/// fails is reported in its group's state and the run goes on.
pub fn eval_all(
    store: &Store,
    files: &[RuleFile],
    settings: &OnceSettings,
    now: i64,
) -> Result<RunReport, StoreError> {
    let mut groups = Vec::new();
    let mut outgoing = Vec::new();
    for f in files {
        for g in &f.groups {
            let (report, out) = evaluate(store, &f.path, g, settings, now)?;
            groups.push(report);
            outgoing.extend(out);
        }
    }
    // One pass of the notifier for the whole run: its state is read and written once, and
    // groups due by their timers flush even when no rule group was due.
    let notify = match settings.notify {
        Some(config) => dispatch::run(store, config, &outgoing, now, settings.eval.external_url)?,
        None => DispatchReport::default(),
    };
    Ok(RunReport { groups, notify })
}

/// What a run over every group did.
#[derive(Debug)]
pub struct RunReport {
    pub groups: Vec<GroupReport>,
    /// argus' own notifications of the run (`--alertmanager-config`).
    pub notify: DispatchReport,
}

/// Evaluates one group (as [`evaluate`]) and runs argus' own notifier on its alerts.
pub fn eval_one(
    store: &Store,
    file: &str,
    group: &Group,
    settings: &OnceSettings,
    now: i64,
) -> Result<GroupReport, StoreError> {
    let (mut report, outgoing) = evaluate(store, file, group, settings, now)?;
    if report.evaluated_at.is_some() {
        if let Some(config) = settings.notify {
            // The dispatcher's timers run on the clock (the run's time), not on the group's
            // schedule, which may lag it by up to an interval.
            report.notify =
                dispatch::run(store, config, &outgoing, now, settings.eval.external_url)?;
        }
    }
    Ok(report)
}

/// Evaluates one group at the latest instant of its schedule at or before `now`, unless it was
/// already evaluated at that instant; sends its due alerts to the Alertmanagers, and returns
/// them for argus' own notifier too.
fn evaluate(
    store: &Store,
    file: &str,
    group: &Group,
    settings: &OnceSettings,
    now: i64,
) -> Result<(GroupReport, Vec<notifier::OutAlert>), StoreError> {
    // The state belongs to the file wherever it is named from.
    let identity = std::fs::canonicalize(file)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| file.to_string());
    let name = state::file_name(&identity, &group.name);
    let _lock = store.lock_state(&name)?;
    let rules: Vec<(&str, &str)> = group
        .rules
        .iter()
        .map(|r| (r.name(), r.expr_text.as_str()))
        .collect();
    let mut state = match store.read_state(&name)? {
        None => GroupState::new(group),
        Some(data) => state::decode(&data, &rules).map_err(|e| {
            StoreError::Invalid(format!(
                "the state of rule group {:?} of {file} (state/{name}): {e}; delete that file \
                 to start the group afresh",
                group.name
            ))
        })?,
    };
    let interval = group.interval.unwrap_or(settings.default_interval).max(1);
    let ts = now - now.rem_euclid(interval);
    if state.last_evaluation.is_some_and(|last| last >= ts) {
        let report = GroupReport {
            file: file.to_string(),
            group: group.name.clone(),
            evaluated_at: None,
            state,
            sent: 0,
            send_errors: Vec::new(),
            notify: DispatchReport::default(),
        };
        return Ok((report, Vec::new()));
    }
    let offset = group.query_offset.unwrap_or(settings.default_query_offset);
    let snapshot = store.snapshot()?;
    let mut overlay = Overlay::new(&snapshot);
    let before = history::before(&state);
    eval_group(&settings.eval, group, &mut state, ts, offset, &mut overlay)?;
    let written = overlay.written();
    if !written.is_empty() {
        let mut w = store.writer();
        for (labels, s) in &written {
            w.append(labels, s.t, s.v)?;
        }
        w.commit()?;
    }
    let changes = history::changes(&before, &state, file, &group.name);
    if !changes.is_empty() {
        let stream = history::state_stream();
        let mut w = store.log_writer();
        for line in &changes {
            // Nanoseconds; entries of one instant keep their order by their position.
            w.append_line(&stream, ts * 1_000_000, line, Vec::new())?;
        }
        w.commit()?;
    }
    // Alerts are marked sent in the state before they go out: a crash between the two
    // delays them to the next resend, and never sends one twice.
    let outgoing = if settings.alerting.alertmanagers.is_empty() && settings.notify.is_none() {
        Vec::new()
    } else {
        let exprs: Vec<String> = group.rules.iter().map(|r| r.expr.to_string()).collect();
        notifier::due(&mut state, &exprs, ts, interval, settings.eval.external_url)
            .into_iter()
            .filter_map(|a| notifier::prepare(a, settings.eval.external_labels, settings.alerting))
            .collect()
    };
    store.write_state(&name, &state::encode(file, &group.name, &state, &rules))?;
    drop(_lock);
    if let Some(publish) = settings.on_evaluated {
        publish(&state);
    }
    let send_errors = notifier::send(&settings.alerting.alertmanagers, &outgoing);
    let report = GroupReport {
        file: file.to_string(),
        group: group.name.clone(),
        evaluated_at: Some(ts),
        state,
        sent: outgoing.len(),
        send_errors,
        notify: DispatchReport::default(),
    };
    Ok((report, outgoing))
}
