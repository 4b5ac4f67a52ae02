//! Backfilling recording rules over history (`argus rules backfill`, as `promtool tsdb
//! create-blocks-from rules`): every recording rule evaluated at each instant of its group's
//! schedule between two times, its output stored, so that a new rule covers old data at
//! once. Alerting rules are skipped, as promtool skips them: alerts of the past would notify
//! no one.
//!
//! Each group runs in chunks of instants: the chunk's output accumulates on top of a store
//! snapshot (later instants and later rules read it), then is committed in one commit before
//! the next chunk starts from a new snapshot. Series that vanish between instants get
//! staleness markers, as in live evaluation.

use super::file::{Group, RuleFile};
use super::group::{eval_group, EvalSettings, GroupState, Health};
use super::overlay::Overlay;
use crate::store::{Store, StoreError};

/// Instants evaluated between two commits.
const CHUNK: i64 = 720;

/// What a backfill did.
#[derive(Debug, Default)]
pub struct BackfillReport {
    pub groups: usize,
    pub instants: u64,
    pub samples: u64,
    pub skipped_alerting_rules: usize,
    /// Rules that failed at some instant: (file, group, rule, first error).
    pub failures: Vec<(String, String, String, String)>,
}

/// Evaluates the recording rules of `files` at every instant of each group's schedule in
/// `[from, to]` (ms). `interval` replaces every group's own interval when given.
pub fn backfill(
    store: &Store,
    files: &[RuleFile],
    settings: &EvalSettings,
    default_interval: i64,
    interval: Option<i64>,
    from: i64,
    to: i64,
) -> Result<BackfillReport, StoreError> {
    let mut report = BackfillReport::default();
    for f in files {
        for g in &f.groups {
            let mut recording = g.clone();
            recording.rules.retain(|r| !r.is_alert());
            report.skipped_alerting_rules += g.rules.len() - recording.rules.len();
            if recording.rules.is_empty() {
                continue;
            }
            report.groups += 1;
            let step = interval.or(g.interval).unwrap_or(default_interval).max(1);
            backfill_group(
                store,
                &f.path,
                &recording,
                settings,
                step,
                from,
                to,
                &mut report,
            )?;
        }
    }
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
fn backfill_group(
    store: &Store,
    file: &str,
    group: &Group,
    settings: &EvalSettings,
    step: i64,
    from: i64,
    to: i64,
    report: &mut BackfillReport,
) -> Result<(), StoreError> {
    let mut state = GroupState::new(group);
    // The first instant of the schedule at or after `from`.
    let mut ts = from + (step - from.rem_euclid(step)) % step;
    let offset = group.query_offset.unwrap_or(0);
    while ts <= to {
        let snapshot = store.snapshot()?;
        let mut overlay = Overlay::new(&snapshot);
        let mut n = 0;
        while ts <= to && n < CHUNK {
            eval_group(settings, group, &mut state, ts, offset, &mut overlay)?;
            for (rule, rs) in group.rules.iter().zip(&state.rules) {
                if rs.health == Health::Err
                    && !report
                        .failures
                        .iter()
                        .any(|(f, g, r, _)| f == file && g == &group.name && r == rule.name())
                {
                    report.failures.push((
                        file.to_string(),
                        group.name.clone(),
                        rule.name().to_string(),
                        rs.last_error.clone().unwrap_or_default(),
                    ));
                }
            }
            report.instants += 1;
            ts += step;
            n += 1;
        }
        let written = overlay.written();
        if !written.is_empty() {
            let mut w = store.writer();
            for (labels, s) in &written {
                w.append(labels, s.t, s.v)?;
            }
            w.commit()?;
            report.samples += written.len() as u64;
        }
    }
    Ok(())
}
