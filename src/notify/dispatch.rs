//! Aggregation groups and their timers, as a pure state machine driven by explicit times:
//! what Alertmanager's dispatcher, aggregation groups, notification log and deduplication
//! stage do together, without threads or clocks, so that `argus serve` can drive it from a
//! timer and a cron run can restore it from disk, feed it, and save it again.
//!
//! The cycle: [`DispatchState::ingest`] takes posted alerts (merging them with the ones held,
//! routing them, and adding them to their groups); [`DispatchState::flush`] returns the
//! notifications due at `now`; the caller delivers them and reports with
//! [`DispatchState::finish`]. [`DispatchState::next_flush_at`] says when to call `flush`
//! again.
//!
//! The rules, as Alertmanager's:
//! - A group is made when its first alert arrives and flushes `group_wait` later, or at once
//!   when an alert added before its first flush started more than `group_wait` ago. After
//!   that it flushes every `group_interval`.
//! - At each flush, silenced and inhibited alerts are left out; each integration of the
//!   receiver then gets the group's alerts if, compared with what its last successful
//!   notification held (the notification log): an alert fires that did not, or every alert
//!   has resolved after some fired, or (with `send_resolved`) an alert resolved that was not
//!   reported resolved, or `repeat_interval` has passed since. A group whose only alerts
//!   resolved before it was first notified is never notified.
//! - Without `send_resolved`, resolved alerts are left out of the message, and an update in
//!   which nothing fires is recorded without being sent.
//! - Once every integration has succeeded, the resolved alerts notified are dropped from the
//!   group (unless re-posted meanwhile); an empty group ends.
//!
//! Where argus differs, on purpose: a group's later flushes stay on the grid of its first
//! flush (`first + k × group_interval`) rather than counting from the moment a late flush
//! ran, so that a cron run once a minute does not drift the schedule; an empty group ends at
//! once rather than at the next 30-second maintenance.

use super::alert::{self, Alert, PostableAlert, Status};
use super::config::Config;
use super::data::NotifiedAlert;
use super::inhibit;
use super::route::Route;
use super::silence::{self, Silence};
use crate::model::Labels;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The version of the saved state; another version is not read.
pub const STATE_VERSION: u32 = 1;
/// How long a notification log entry lives at most (Alertmanager's `--data.retention`).
pub const LOG_RETENTION: i64 = 120 * 3_600_000;
/// How long a resolved alert stays in the alert store (Alertmanager's `--alerts.gc-interval`).
pub const RESOLVED_ALERT_RETENTION: i64 = 30 * 60_000;
/// The least time a flush's deliveries get before giving up (Alertmanager's `MinTimeout`).
pub const MIN_NOTIFY_TIMEOUT: i64 = 10_000;

/// The most alerts the dispatcher holds (Prometheus' default notification queue capacity):
/// a rule whose labels explode cannot grow the state file without bound. Alerts it already
/// holds are always updated, so nothing held is ever lost; new ones wait for room.
pub const MAX_ALERTS: usize = 10_000;

/// An alert the dispatcher did not take, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub message: String,
    /// Refused for want of room rather than for being invalid.
    pub full: bool,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Everything the dispatcher remembers between calls; serializable (see
/// `docs/format/notify-state.md`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DispatchState {
    version: u32,
    /// The routing tree the groups were made with; another tree regroups every alert.
    routing: String,
    /// Every alert held, by fingerprint (16 hex digits): Alertmanager's alert store.
    alerts: BTreeMap<String, Alert>,
    /// Aggregation groups by [`group_id`].
    groups: BTreeMap<String, Group>,
    /// The notification log, by Alertmanager's key `<group key>:<receiver>/<integration>/<index>`.
    log: BTreeMap<String, LogEntry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Group {
    route_id: String,
    group_key: String,
    receiver: String,
    #[serde(with = "alert::labels_as_map")]
    labels: Labels,
    alerts: BTreeMap<String, Alert>,
    next_flush: i64,
    has_flushed: bool,
}

/// What the last successful notification of one integration about one group held.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct LogEntry {
    timestamp: i64,
    expires_at: i64,
    #[serde(with = "hex_fingerprints")]
    firing: Vec<u64>,
    #[serde(with = "hex_fingerprints")]
    resolved: Vec<u64>,
}

/// Fingerprints as 16-digit hex strings: JSON numbers beyond 2^53 lose digits in many readers.
mod hex_fingerprints {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(fps: &[u64], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(fps.iter().map(|fp| format!("{fp:016x}")))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
        let texts = Vec::<String>::deserialize(d)?;
        texts
            .iter()
            .map(|t| u64::from_str_radix(t, 16).map_err(serde::de::Error::custom))
            .collect()
    }
}

/// The two kinds of integration argus delivers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntegrationKind {
    Webhook,
    Slack,
}

/// One integration of a receiver: its kind and its position among the receiver's
/// integrations of that kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Integration {
    pub kind: IntegrationKind,
    pub index: usize,
}

impl Integration {
    /// Alertmanager's integration name (`webhook`, `slack`).
    pub fn name(&self) -> &'static str {
        match self.kind {
            IntegrationKind::Webhook => "webhook",
            IntegrationKind::Slack => "slack",
        }
    }
}

impl fmt::Display for Integration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.name(), self.index)
    }
}

/// One group's flush: the notifications to deliver now, for one receiver.
#[derive(Clone, Debug, PartialEq)]
pub struct Flush {
    pub group_key: String,
    pub receiver: String,
    pub group_labels: Labels,
    /// The flush time.
    pub at: i64,
    /// Deliveries should stop retrying at this time (the next flush's, at least 10s on).
    pub deadline: i64,
    pub notifications: Vec<Notification>,
    group_id: String,
    /// The resolved alerts of the group at the flush, with their `updated_at`.
    resolved: Vec<(String, i64)>,
}

/// One message to one integration.
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    pub integration: Integration,
    /// The alerts to send, in Alertmanager's order.
    pub alerts: Vec<NotifiedAlert>,
    log_key: String,
    firing: Vec<u64>,
    resolved: Vec<u64>,
    expiry: i64,
}

/// A read-only view of one group.
#[derive(Debug)]
pub struct GroupView<'a> {
    pub group_key: &'a str,
    pub receiver: &'a str,
    pub labels: &'a Labels,
    pub alerts: Vec<&'a Alert>,
    pub next_flush: i64,
}

impl Default for DispatchState {
    fn default() -> Self {
        DispatchState::new()
    }
}

impl DispatchState {
    pub fn new() -> DispatchState {
        DispatchState {
            version: STATE_VERSION,
            routing: String::new(),
            alerts: BTreeMap::new(),
            groups: BTreeMap::new(),
            log: BTreeMap::new(),
        }
    }

    /// Reads a saved state; a state of another version or that does not decode is refused
    /// with the reason (the caller starts afresh and says so).
    pub fn from_json(bytes: &[u8]) -> Result<DispatchState, String> {
        let state: DispatchState = serde_json::from_slice(bytes)
            .map_err(|e| format!("the notifier state does not decode: {e}"))?;
        if state.version != STATE_VERSION {
            return Err(format!(
                "the notifier state has version {}, this argus reads version {STATE_VERSION}",
                state.version
            ));
        }
        Ok(state)
    }

    pub fn to_json(&self) -> Vec<u8> {
        // Serializing plain maps, strings and numbers cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Takes posted alerts at `now`. Returns one refusal per alert not taken: invalid (as
    /// Alertmanager's API refuses it), or new while the dispatcher already holds
    /// [`MAX_ALERTS`], each naming the alert.
    pub fn ingest(&mut self, cfg: &Config, posted: Vec<PostableAlert>, now: i64) -> Vec<Refusal> {
        self.sync_routing(cfg, now);
        let mut refused = Vec::new();
        for p in posted {
            let labels = p.labels.clone();
            let new = match alert::accept(p, now, cfg.global.resolve_timeout) {
                Ok(a) => a,
                Err(e) => {
                    refused.push(Refusal {
                        message: format!("alert {labels}: {e}"),
                        full: false,
                    });
                    continue;
                }
            };
            let fp = alert::fingerprint_hex(new.fingerprint());
            if self.alerts.len() >= MAX_ALERTS && !self.alerts.contains_key(&fp) {
                refused.push(Refusal {
                    message: format!(
                        "alert {labels}: dropped: the notification queue is full ({MAX_ALERTS} alerts held)"
                    ),
                    full: true,
                });
                continue;
            }
            let stored = match self.alerts.get(&fp) {
                Some(old) => alert::put_over(old, new, now),
                None => new,
            };
            self.alerts.insert(fp, stored.clone());
            self.dispatch(&cfg.route, &stored, now);
        }
        refused
    }

    /// The flushes due at `now`, in the order they were due. Flushes that need no delivery
    /// (nothing changed, everything muted) complete here and are not returned.
    pub fn flush(&mut self, cfg: &Config, silences: &[Silence], now: i64) -> Vec<Flush> {
        self.sync_routing(cfg, now);
        self.collect_garbage(now);
        let mut due: Vec<(i64, String)> = self
            .groups
            .iter()
            .filter(|(_, g)| g.next_flush <= now)
            .map(|(id, g)| (g.next_flush, id.clone()))
            .collect();
        due.sort();
        let mut out = Vec::new();
        for (_, id) in due {
            if let Some(f) = self.flush_group(cfg, silences, &id, now) {
                out.push(f);
            }
        }
        out
    }

    /// Records the outcome of a flush's deliveries (`delivered[i]` for `notifications[i]`):
    /// each success goes to the notification log; when all succeeded, the resolved alerts
    /// notified leave the group.
    pub fn finish(&mut self, flush: &Flush, delivered: &[bool], now: i64) {
        for (n, ok) in flush.notifications.iter().zip(delivered) {
            if *ok {
                self.log_notification(n, now);
            }
        }
        let all = delivered.len() == flush.notifications.len() && delivered.iter().all(|ok| *ok);
        if all {
            self.drop_resolved(&flush.group_id, &flush.resolved);
        }
    }

    /// When the next flush is due, if any group exists.
    pub fn next_flush_at(&self) -> Option<i64> {
        self.groups.values().map(|g| g.next_flush).min()
    }

    /// Every alert held.
    pub fn alerts(&self) -> impl Iterator<Item = &Alert> {
        self.alerts.values()
    }

    /// The aggregation groups, by group key.
    pub fn groups(&self) -> Vec<GroupView<'_>> {
        let mut out: Vec<GroupView> = self
            .groups
            .values()
            .map(|g| GroupView {
                group_key: &g.group_key,
                receiver: &g.receiver,
                labels: &g.labels,
                alerts: g.alerts.values().collect(),
                next_flush: g.next_flush,
            })
            .collect();
        out.sort_by(|a, b| (a.group_key, a.receiver).cmp(&(b.group_key, b.receiver)));
        out
    }

    /// Puts an alert into the group of each route it reaches.
    fn dispatch(&mut self, tree: &Route, a: &Alert, now: i64) {
        let fp = alert::fingerprint_hex(a.fingerprint());
        for route in tree.matching(&a.labels) {
            let labels = route.group_labels(&a.labels);
            let id = group_id(&route.id, &labels);
            let group = self.groups.entry(id).or_insert_with(|| Group {
                route_id: route.id.clone(),
                group_key: route.group_key(&labels),
                receiver: route.opts.receiver.clone(),
                labels,
                alerts: BTreeMap::new(),
                next_flush: now.saturating_add(route.opts.group_wait),
                has_flushed: false,
            });
            group.alerts.insert(fp.clone(), a.clone());
            // An alert older than group_wait needs no more waiting.
            if !group.has_flushed && a.starts_at.saturating_add(route.opts.group_wait) < now {
                group.next_flush = group.next_flush.min(now);
            }
        }
    }

    /// A changed routing tree regroups every alert held, as Alertmanager's reload does.
    fn sync_routing(&mut self, cfg: &Config, now: i64) {
        let signature = routing_signature(&cfg.route);
        if signature == self.routing {
            return;
        }
        self.routing = signature;
        self.groups.clear();
        let held: Vec<Alert> = self.alerts.values().cloned().collect();
        for a in &held {
            self.dispatch(&cfg.route, a, now);
        }
    }

    fn collect_garbage(&mut self, now: i64) {
        self.alerts
            .retain(|_, a| a.ends_at.saturating_add(RESOLVED_ALERT_RETENTION) > now);
        self.log.retain(|_, e| e.expires_at > now);
    }

    fn flush_group(
        &mut self,
        cfg: &Config,
        silences: &[Silence],
        id: &str,
        now: i64,
    ) -> Option<Flush> {
        let group = self.groups.get_mut(id)?;
        let route = cfg.route.find(&group.route_id)?;
        group.has_flushed = true;
        group.next_flush = next_on_grid(group.next_flush, route.opts.group_interval, now);
        let group = group.clone();

        let mut held: Vec<&Alert> = group.alerts.values().collect();
        held.sort_by(|a, b| alert::notification_order(&a.labels, &b.labels));
        let resolved_snapshot: Vec<(String, i64)> = held
            .iter()
            .filter(|a| a.resolved_at(now))
            .map(|a| (alert::fingerprint_hex(a.fingerprint()), a.updated_at))
            .collect();
        let shown: Vec<NotifiedAlert> = held
            .iter()
            .filter(|a| {
                !inhibit::mutes(&cfg.inhibit_rules, &a.labels, self.alerts.values(), now)
                    && !silence::muted(silences, &a.labels, now)
            })
            .map(|a| notified(a, now))
            .collect();
        let firing: Vec<u64> = shown
            .iter()
            .filter(|a| a.status == Status::Firing)
            .map(|a| a.fingerprint)
            .collect();
        let resolved: Vec<u64> = shown
            .iter()
            .filter(|a| a.status == Status::Resolved)
            .map(|a| a.fingerprint)
            .collect();

        let mut notifications = Vec::new();
        if !shown.is_empty() {
            let receiver = cfg.receiver(&group.receiver);
            let integrations = receiver.map(integrations_of).unwrap_or_default();
            let expiry = (2 * route.opts.repeat_interval).clamp(1, LOG_RETENTION);
            for (integration, send_resolved) in integrations {
                let log_key = format!(
                    "{}:{}/{}/{}",
                    group.group_key,
                    group.receiver,
                    integration.name(),
                    integration.index
                );
                let entry = self.log.get(&log_key).filter(|e| e.expires_at > now);
                if !needs_update(
                    entry,
                    &firing,
                    &resolved,
                    send_resolved,
                    route.opts.repeat_interval,
                    now,
                ) {
                    continue;
                }
                let n = Notification {
                    integration,
                    alerts: if send_resolved {
                        shown.clone()
                    } else {
                        shown
                            .iter()
                            .filter(|a| a.status == Status::Firing)
                            .cloned()
                            .collect()
                    },
                    log_key,
                    firing: firing.clone(),
                    resolved: resolved.clone(),
                    expiry,
                };
                if n.alerts.is_empty() {
                    // Only resolved alerts and no send_resolved: recorded as notified, so the
                    // log forgets the firing ones, but nothing is sent.
                    self.log_notification(&n, now);
                } else {
                    notifications.push(n);
                }
            }
        }
        let flush = Flush {
            group_key: group.group_key.clone(),
            receiver: group.receiver.clone(),
            group_labels: group.labels.clone(),
            at: now,
            deadline: now + route.opts.group_interval.max(MIN_NOTIFY_TIMEOUT),
            notifications,
            group_id: id.to_string(),
            resolved: resolved_snapshot,
        };
        if flush.notifications.is_empty() {
            self.finish(&flush, &[], now);
            return None;
        }
        Some(flush)
    }

    fn log_notification(&mut self, n: &Notification, now: i64) {
        self.log.insert(
            n.log_key.clone(),
            LogEntry {
                timestamp: now,
                expires_at: now.saturating_add(n.expiry),
                firing: n.firing.clone(),
                resolved: n.resolved.clone(),
            },
        );
    }

    /// Drops the notified resolved alerts that were not re-posted since; ends an empty group.
    fn drop_resolved(&mut self, group_id: &str, resolved: &[(String, i64)]) {
        let Some(group) = self.groups.get_mut(group_id) else {
            return;
        };
        for (fp, updated_at) in resolved {
            if group
                .alerts
                .get(fp)
                .is_some_and(|a| a.updated_at == *updated_at)
            {
                group.alerts.remove(fp);
            }
        }
        if group.alerts.is_empty() {
            self.groups.remove(group_id);
        }
    }
}

/// Alertmanager's deduplication: does this integration need a notification now?
fn needs_update(
    entry: Option<&LogEntry>,
    firing: &[u64],
    resolved: &[u64],
    send_resolved: bool,
    repeat_interval: i64,
    now: i64,
) -> bool {
    let Some(e) = entry else {
        return !firing.is_empty();
    };
    if !firing.iter().all(|f| e.firing.contains(f)) {
        return true;
    }
    if firing.is_empty() {
        // Everything resolved: tell the receiver only if it was told something fired.
        return !e.firing.is_empty();
    }
    if send_resolved && !resolved.iter().all(|r| e.resolved.contains(r)) {
        return true;
    }
    // Alertmanager's log records a send a moment after its flush, so a repeat falls due at
    // the first flush strictly later than `repeat_interval` after it.
    e.timestamp < now - repeat_interval
}

fn notified(a: &Alert, now: i64) -> NotifiedAlert {
    let status = a.status_at(now);
    NotifiedAlert {
        status,
        labels: a.labels.clone(),
        annotations: a.annotations.clone(),
        starts_at: a.starts_at,
        ends_at: (status == Status::Resolved).then_some(a.ends_at),
        generator_url: a.generator_url.clone(),
        fingerprint: a.fingerprint(),
    }
}

/// A receiver's integrations with their `send_resolved`.
fn integrations_of(r: &super::receiver::Receiver) -> Vec<(Integration, bool)> {
    let webhooks = r.webhook_configs.iter().enumerate().map(|(index, w)| {
        (
            Integration {
                kind: IntegrationKind::Webhook,
                index,
            },
            w.send_resolved,
        )
    });
    let slacks = r.slack_configs.iter().enumerate().map(|(index, s)| {
        (
            Integration {
                kind: IntegrationKind::Slack,
                index,
            },
            s.send_resolved,
        )
    });
    webhooks.chain(slacks).collect()
}

/// The first time on the grid `scheduled + k × interval` (k ≥ 1) after `now`.
fn next_on_grid(scheduled: i64, interval: i64, now: i64) -> i64 {
    let interval = interval.max(1);
    let k = (now - scheduled).max(0) / interval + 1;
    scheduled.saturating_add(k.saturating_mul(interval))
}

fn group_id(route_id: &str, labels: &Labels) -> String {
    format!(
        "{} {route_id}",
        alert::fingerprint_hex(alert::fingerprint(labels))
    )
}

/// What of the routing tree decides which groups exist.
fn routing_signature(tree: &Route) -> String {
    let mut out = String::new();
    for r in tree.walk() {
        let by: Vec<&str> = r.opts.group_by.iter().map(|s| s.as_str()).collect();
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            r.id,
            r.opts.receiver,
            by.join(","),
            r.opts.group_by_all
        ));
    }
    out
}

#[cfg(test)]
#[path = "dispatch_tests.rs"]
mod tests;
