//! argus' own Alertmanager, driven by rule evaluations: the alerts an evaluation sends
//! (`notifier::due`) go into the dispatcher of [`crate::notify`] configured by the team's
//! alertmanager.yml, whose state (groups, timers, the log of what was notified) lives in the
//! store's state file `notify`, under its lock, so that cron runs and a server on one store
//! share it. Due notifications are delivered (Slack, webhooks) with retries, and the state is
//! written after each flush: a notification answered 200 is recorded before the next one is
//! sent, so none is sent twice after a crash, and none is lost (an unanswered one stays due).
//!
//! Silences are kept in the state file `silences` (`argus alerts silence`). Every
//! notification, sent or failed, is also written to the log store as alert history
//! (`{source="argus-alerts", event="notification"}`).

use super::notifier::OutAlert;
use crate::model::time::format_rfc3339;
use crate::model::Labels;
use crate::notify::{
    Config, DispatchState, PostableAlert, RetryPolicy, Sender, Silence, TokioTimer,
};
use crate::store::{Store, StoreError};
use serde_json::json;
use std::time::Duration;

/// The state file of the dispatcher, and of the silences.
pub const STATE: &str = "notify";
pub const SILENCES: &str = "silences";

/// How long one run keeps retrying a notification before leaving it due for the next run.
const BUDGET: Duration = Duration::from_secs(20);

/// What one run of the dispatcher did.
#[derive(Debug, Default)]
pub struct DispatchReport {
    /// Every notification attempted, delivered or not.
    pub deliveries: Vec<Delivery>,
    /// Alerts refused because the dispatcher already holds its capacity of alerts.
    pub dropped: usize,
    /// What went wrong, one message each, naming the receiver or the alert.
    pub errors: Vec<String>,
    /// When the dispatcher next has something to flush (a group's wait or interval ending).
    pub next_flush_at: Option<i64>,
}

/// One notification to one integration of a receiver, and how it went.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub receiver: String,
    /// `slack` or `webhook`, Alertmanager's `integration` label.
    pub integration: &'static str,
    /// HTTP requests made.
    pub attempts: u32,
    /// Why it was not delivered (Alertmanager's `reason` label), or `None` when it was.
    pub failure: Option<&'static str>,
}

/// The silences kept in the store.
pub fn read_silences(store: &Store) -> Result<Vec<Silence>, StoreError> {
    match store.read_state(SILENCES)? {
        None => Ok(Vec::new()),
        Some(data) => serde_json::from_slice(&data).map_err(|e| {
            StoreError::Invalid(format!("state/{SILENCES} is not a list of silences: {e}"))
        }),
    }
}

/// Replaces the silences kept in the store (the caller holds [`SILENCES`]' lock).
pub fn write_silences(store: &Store, silences: &[Silence]) -> Result<(), StoreError> {
    let data = serde_json::to_vec(silences).unwrap_or_default();
    store.write_state(SILENCES, &data)
}

/// Feeds `alerts` to the dispatcher at `now`, delivers what is due, and saves its state.
pub fn run(
    store: &Store,
    config: &Config,
    alerts: &[OutAlert],
    now: i64,
    external_url: &str,
) -> Result<DispatchReport, StoreError> {
    let _lock = store.lock_state(STATE)?;
    let mut state = match store.read_state(STATE)? {
        None => DispatchState::new(),
        Some(data) => DispatchState::from_json(&data).map_err(|e| {
            StoreError::Invalid(format!(
                "state/{STATE}: {e}; delete that file to start notifications afresh"
            ))
        })?,
    };
    let silences = read_silences(store)?;
    let postable: Vec<PostableAlert> = alerts
        .iter()
        .map(|a| PostableAlert {
            labels: a.labels.clone(),
            annotations: a.annotations.iter().cloned().collect(),
            starts_at: Some(a.starts_at),
            ends_at: Some(a.ends_at),
            generator_url: a.generator_url.clone(),
        })
        .collect();
    let mut report = DispatchReport::default();
    for refused in state.ingest(config, postable, now) {
        report.dropped += usize::from(refused.full);
        report
            .errors
            .push(format!("alert refused by the notifier: {refused}"));
    }
    let flushes = state.flush(config, &silences, now);
    store.write_state(STATE, &state.to_json())?;
    report.next_flush_at = state.next_flush_at();
    if flushes.is_empty() {
        return Ok(report);
    }
    let client = crate::notify::send::build_client().map_err(StoreError::Invalid)?;
    let mut history = Vec::new();
    for flush in &flushes {
        let results = block_on(|| async {
            let sender = Sender {
                client: &client,
                external_url,
                expand: &config.template,
                policy: RetryPolicy::default(),
                timer: TokioTimer,
            };
            sender.deliver_flush(config, flush, BUDGET).await
        });
        // A result missing (the runtime did not start) counts as not delivered.
        let delivered: Vec<bool> = (0..flush.notifications.len())
            .map(|i| results.get(i).is_some_and(|r| r.is_ok()))
            .collect();
        state.finish(flush, &delivered, now);
        // Recorded before the next flush goes out.
        store.write_state(STATE, &state.to_json())?;
        report.next_flush_at = state.next_flush_at();
        for (i, n) in flush.notifications.iter().enumerate() {
            let (outcome, error) = match results.get(i) {
                Some(Ok(_)) => ("sent", None),
                Some(Err(e)) => ("failed", Some(e.reason.clone())),
                None => ("failed", Some("the sender did not start".to_string())),
            };
            if let Some(e) = &error {
                report.errors.push(format!(
                    "notification to receiver {:?} failed: {e}",
                    flush.receiver
                ));
            }
            report.deliveries.push(Delivery {
                receiver: flush.receiver.clone(),
                integration: n.integration.name(),
                attempts: match results.get(i) {
                    Some(Ok(a)) => *a,
                    Some(Err(e)) => e.attempts,
                    None => 0,
                },
                failure: match results.get(i) {
                    Some(Ok(_)) => None,
                    Some(Err(e)) => Some(e.reason_label()),
                    None => Some("other"),
                },
            });
            history.push(
                json!({
                    "receiver": flush.receiver,
                    "integration": n.integration.name(),
                    "groupKey": flush.group_key,
                    "outcome": outcome,
                    "error": error,
                    "alerts": n.alerts.len(),
                    "at": format_rfc3339(flush.at),
                })
                .to_string(),
            );
        }
    }
    drop(_lock);
    if !history.is_empty() {
        let stream = Labels::from_pairs([("event", "notification"), ("source", "argus-alerts")]);
        let mut w = store.log_writer();
        for line in &history {
            w.append_line(&stream, now * 1_000_000, line, Vec::new())?;
        }
        w.commit()?;
    }
    Ok(report)
}

/// Runs `f` to completion on a runtime of its own, on a thread of its own, so that the
/// caller may be synchronous code on a thread that drives another runtime.
fn block_on<M, F>(make: M) -> F::Output
where
    M: FnOnce() -> F + Send,
    F: std::future::Future,
    F::Output: Send + Default,
{
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt.block_on(make()),
                    Err(_) => F::Output::default(),
                }
            })
            .join()
            .unwrap_or_default()
    })
}
