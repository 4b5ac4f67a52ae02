//! The server's rule evaluation: the groups of `--rules` and of `--config`'s `rule_files`,
//! each evaluated on its schedule by one thread of its own, against the store.
//!
//! A group is evaluated at the instants of its schedule (multiples of its interval), through
//! the same path as `argus rules eval` (`rules::once`): under the group's state lock, from
//! its state file, output committed in one commit, state written back. So a cron job and a
//! server on the same store share each group's state and never evaluate one instant twice,
//! and a server killed with `kill -9` and started again continues with every alert as it was
//! (where Prometheus restores `for` from `ALERTS_FOR_STATE` approximately). The latest state
//! of each group is kept here for `/api/v1/rules` and `/api/v1/alerts`.
//!
//! Reloading (SIGHUP, `POST /-/reload`) reads the rule files again with the scrape
//! configuration, all or nothing (`scraping.rs`): a file that does not load leaves every
//! group as it was. Unchanged rules keep their alerts, since their state is found again by
//! file, group, name and expression.

use super::state::AppState;
use crate::model::time::now_ms;
use crate::promql::engine::Engine;
use crate::rules::config::{self, RulesConfig};
use crate::rules::dispatch::DispatchReport;
use crate::rules::file::{Group, RuleFile};
use crate::rules::group::{EvalSettings, GroupState, Health};
use crate::rules::once::{eval_one, OnceSettings};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, RwLock};
use tokio::sync::watch;

/// Where the rules come from, read again on each reload.
#[derive(Clone, Debug, Default)]
pub struct RulesSetup {
    /// `--rules`.
    pub files: Vec<PathBuf>,
    /// `--config`: its `rule_files` and global evaluation settings.
    pub config: Option<PathBuf>,
    /// What templates see as `$externalURL`.
    pub external_url: String,
    /// argus' own notifications (`--alertmanager-config`).
    pub alertmanager_config: Option<PathBuf>,
}

/// The rules in force.
#[derive(Debug, Default)]
pub struct RuleSet {
    pub files: Vec<RuleFile>,
    pub config: RulesConfig,
    pub notify: Option<crate::notify::Config>,
}

impl RulesSetup {
    /// Reads every rule file; any failure is the whole answer (nothing is half loaded).
    pub fn load(&self) -> Result<RuleSet, String> {
        let (config, files) = config::load_all(&self.files, self.config.as_deref())?;
        let notify = self
            .alertmanager_config
            .as_deref()
            .map(crate::notify::Config::load)
            .transpose()
            .map_err(|e| e.to_string())?;
        Ok(RuleSet {
            files,
            config,
            notify,
        })
    }
}

/// The rules of a running server and what their last evaluations left.
pub struct Rules {
    pub setup: RulesSetup,
    set: RwLock<Arc<RuleSet>>,
    /// The latest state of each group, by (file, group name).
    states: RwLock<BTreeMap<(String, String), GroupState>>,
    changed: watch::Sender<u64>,
}

impl Rules {
    pub fn new(setup: RulesSetup, set: RuleSet) -> Rules {
        Rules {
            setup,
            set: RwLock::new(Arc::new(set)),
            states: RwLock::new(BTreeMap::new()),
            changed: watch::Sender::new(0),
        }
    }

    /// The rules in force.
    pub fn current(&self) -> Arc<RuleSet> {
        match self.set.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Puts a reloaded set in force; the evaluation thread picks it up at once.
    pub fn install(&self, set: RuleSet) {
        if let Ok(mut s) = self.set.write() {
            *s = Arc::new(set);
        }
        self.changed.send_modify(|n| *n += 1);
    }

    /// The latest state of a group, if it was evaluated (or read) since the server started.
    pub fn state_of(&self, file: &str, group: &str) -> Option<GroupState> {
        let states = self.states.read().ok()?;
        states.get(&(file.to_string(), group.to_string())).cloned()
    }

    fn record(&self, file: &str, group: &str, state: GroupState) {
        if let Ok(mut s) = self.states.write() {
            s.insert((file.to_string(), group.to_string()), state);
        }
    }
}

/// Starts the evaluation thread. It runs until `shutdown` turns true, finishing the group
/// it is evaluating.
pub fn start(
    st: Arc<AppState>,
    mut shutdown: watch::Receiver<bool>,
) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name("argus-rules".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("argus: error: cannot start rule evaluation: {e}");
                    return;
                }
            };
            let mut changed = st.rules.changed.subscribe();
            rt.block_on(async {
                // When each group is due next, by (file, group); absent means now.
                let mut due: BTreeMap<(String, String), i64> = BTreeMap::new();
                // When argus' own notifications next have something to flush (a group's
                // group_wait or group_interval ending between evaluations).
                let mut flush_at: Option<i64> = None;
                loop {
                    let set = st.rules.current();
                    let now = now_ms();
                    let mut next = i64::MAX;
                    if let (Some(config), Some(at)) = (&set.notify, flush_at) {
                        if at <= now {
                            flush_at = flush(&st, config, now);
                        }
                    }
                    for f in &set.files {
                        for g in &f.groups {
                            if *shutdown.borrow() {
                                return;
                            }
                            let key = (f.path.clone(), g.name.clone());
                            let interval = group_interval(g, &set.config);
                            let at = due.get(&key).copied().unwrap_or(now);
                            if at <= now {
                                if let Some(f) = evaluate(&st, &set, &f.path, g, now) {
                                    flush_at = Some(flush_at.map_or(f, |a| a.min(f)));
                                }
                                due.insert(key, now - now.rem_euclid(interval) + interval);
                            }
                            next = next.min(
                                due.get(&(f.path.clone(), g.name.clone()))
                                    .copied()
                                    .unwrap_or(now),
                            );
                        }
                    }
                    if set.notify.is_some() {
                        if let Some(at) = flush_at {
                            next = next.min(at);
                        }
                    }
                    let wait = if next == i64::MAX {
                        std::time::Duration::from_secs(3600)
                    } else {
                        std::time::Duration::from_millis(
                            (next - now_ms()).clamp(0, 3_600_000) as u64
                        )
                    };
                    tokio::select! {
                        _ = shutdown.wait_for(|s| *s) => return,
                        _ = changed.changed() => due.clear(),
                        _ = tokio::time::sleep(wait) => {}
                    }
                }
            });
        })
        .expect("spawn the rule evaluation thread")
}

fn group_interval(g: &Group, config: &RulesConfig) -> i64 {
    g.interval.unwrap_or(config.evaluation_interval).max(1)
}

/// Flushes argus' own notifications that came due between evaluations; returns when the
/// next flush is due.
fn flush(st: &AppState, config: &crate::notify::Config, now: i64) -> Option<i64> {
    match crate::rules::dispatch::run(&st.store, config, &[], now, &st.rules.setup.external_url) {
        Ok(r) => {
            count_notifications(st, &r);
            r.next_flush_at
        }
        Err(e) => {
            eprintln!("argus: error: notifications not flushed: {e}");
            // Tried again a little later rather than never.
            Some(now + 5_000)
        }
    }
}

/// Counts what argus' own notifications did under Alertmanager's metric names (with its
/// `integration` and `reason` labels, and the receiver's name as `receiver_name`), and
/// prints their errors.
fn count_notifications(st: &AppState, r: &DispatchReport) {
    for e in &r.errors {
        eprintln!("argus: error: {e}");
    }
    for d in &r.deliveries {
        let labels = [
            ("integration", d.integration),
            ("receiver_name", d.receiver.as_str()),
        ];
        st.registry.add(
            "alertmanager_notifications_total",
            "Notifications argus itself attempted (--alertmanager-config).",
            &labels,
            1.0,
        );
        st.registry.add(
            "alertmanager_notification_requests_total",
            "HTTP requests argus made to deliver its own notifications.",
            &labels,
            f64::from(d.attempts),
        );
        if let Some(reason) = d.failure {
            let failed = [
                ("integration", d.integration),
                ("reason", reason),
                ("receiver_name", d.receiver.as_str()),
            ];
            st.registry.add(
                "alertmanager_notifications_failed_total",
                "Notifications argus itself could not deliver, by reason (clientError, serverError, other).",
                &failed,
                1.0,
            );
        }
        let failed_requests = d.attempts.saturating_sub(u32::from(d.failure.is_none()));
        if failed_requests > 0 {
            st.registry.add(
                "alertmanager_notification_requests_failed_total",
                "HTTP requests for argus' own notifications that did not deliver.",
                &labels,
                f64::from(failed_requests),
            );
        }
    }
    if r.dropped > 0 {
        st.registry.add(
            "alertmanager_alerts_dropped_total",
            "Alerts argus' own notifier refused because it held its capacity of alerts.",
            &[],
            r.dropped as f64,
        );
    }
}

/// Evaluates one group now (at its schedule's latest instant) and publishes the outcome;
/// returns when argus' own notifications next have something to flush.
fn evaluate(st: &AppState, set: &RuleSet, file: &str, g: &Group, now: i64) -> Option<i64> {
    let limits = &st.query_limits;
    let engine = Engine {
        lookback_delta: limits.lookback_delta,
        max_samples: limits.max_samples,
        timeout: Some(limits.timeout),
        ..Engine::default()
    };
    // The new state is shown (API, metrics, queries of the written series) before its
    // alerts go out.
    let publish = |state: &GroupState| {
        st.snapshots.generation.fetch_add(1, Ordering::Release);
        st.merger.wake();
        record_metrics(st, file, g, state, &set.config);
        st.rules.record(file, &g.name, state.clone());
    };
    let settings = OnceSettings {
        eval: EvalSettings {
            engine: &engine,
            external_labels: &set.config.external_labels,
            external_url: &st.rules.setup.external_url,
            url_functions: true,
        },
        default_interval: set.config.evaluation_interval,
        default_query_offset: set.config.rule_query_offset,
        alerting: &set.config.alerting,
        notify: set.notify.as_ref(),
        on_evaluated: Some(&publish),
    };
    match eval_one(&st.store, file, g, &settings, now) {
        Ok(report) => {
            for e in &report.send_errors {
                eprintln!("argus: error: {e}");
                st.registry.add(
                    "prometheus_notifications_errors_total",
                    "Batches of alerts an Alertmanager did not take.",
                    &[],
                    1.0,
                );
            }
            count_notifications(st, &report.notify);
            if report.sent > 0 {
                st.registry.add(
                    "prometheus_notifications_sent_total",
                    "Alerts sent to Alertmanagers (each alert once per Alertmanager batch).",
                    &[],
                    report.sent as f64,
                );
            }
            if report.evaluated_at.is_none() {
                // Evaluated by another process: show the state it left.
                st.rules.record(file, &g.name, report.state);
            }
            report.notify.next_flush_at
        }
        Err(e) => {
            eprintln!(
                "argus: error: rule group {:?} of {file} not evaluated: {e}",
                g.name
            );
            st.registry.add(
                "prometheus_rule_group_iterations_missed_total",
                "Rule group evaluations that did not happen, by group.",
                &[("rule_group", &group_key(file, &g.name))],
                1.0,
            );
            None
        }
    }
}

/// Prometheus' name of a group in its metrics: `file;name`.
fn group_key(file: &str, group: &str) -> String {
    format!("{file};{group}")
}

/// Prometheus' own rule metrics, for dashboards written for it.
fn record_metrics(st: &AppState, file: &str, g: &Group, state: &GroupState, config: &RulesConfig) {
    let key = group_key(file, &g.name);
    let labels = [("rule_group", key.as_str())];
    let r = &st.registry;
    r.add(
        "prometheus_rule_evaluations_total",
        "Rule evaluations, by group.",
        &labels,
        g.rules.len() as f64,
    );
    let failures = state
        .rules
        .iter()
        .filter(|r| r.health == Health::Err)
        .count();
    r.add(
        "prometheus_rule_evaluation_failures_total",
        "Rule evaluations that failed, by group.",
        &labels,
        failures as f64,
    );
    r.set(
        "prometheus_rule_group_last_duration_seconds",
        "How long the group's last evaluation took.",
        &labels,
        state.evaluation_seconds,
    );
    r.set(
        "prometheus_rule_group_last_evaluation_timestamp_seconds",
        "When the group was last evaluated (its instant).",
        &labels,
        state.last_evaluation.unwrap_or(0) as f64 / 1000.0,
    );
    r.set(
        "prometheus_rule_group_interval_seconds",
        "The group's evaluation interval.",
        &labels,
        group_interval(g, config) as f64 / 1000.0,
    );
    r.set(
        "prometheus_rule_group_rules",
        "Rules in the group.",
        &labels,
        g.rules.len() as f64,
    );
}
