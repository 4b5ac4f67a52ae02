//! Prometheus rules and alerts.
//!
//! | file | owns |
//! |---|---|
//! | `file.rs` | rule files, read strictly and validated with Prometheus' messages |
//! | `check.rs` | `promtool check rules`: the report and the duplicate-rules lint |
//! | `template.rs` | alert templates with Prometheus' functions, on [`crate::gotmpl`] |
//! | `group.rs` | one group evaluated at one instant: recording output, alerts, `ALERTS`, staleness |
//! | `alert.rs` | the life of alerts: pending, firing, resolved, `keep_firing_for` |
//! | `unittest/` | promtool's rule unit tests |
//! | `overlay.rs` | the store with a group's fresh output on top |
//! | `state.rs` | a group's state as a state file of the store |
//! | `once.rs` | every group evaluated once at now against the store (cron, and the server's path) |
//! | `history.rs` | alert state changes written to the log store |
//! | `notifier.rs`, `alerting_config.rs` | alerts sent to Alertmanagers as Prometheus sends them |
//! | `dispatch.rs` | argus' own Alertmanager ([`crate::notify`]) fed by evaluations, its state in the store |
//! | `config.rs` | the rules part of a prometheus.yml (`rule_files`, global settings, `alerting`) |
//! | `backfill.rs` | recording rules evaluated over past data |
//!
//! Evaluation reads and writes through [`group::RuleData`], so the same code runs over a
//! unit test's in-memory data and over the store.

pub mod alert;
pub mod alerting_config;
pub mod backfill;
pub mod check;
pub mod config;
pub mod dispatch;
pub mod file;
pub mod group;
pub mod history;
pub mod notifier;
pub mod once;
pub mod overlay;
pub mod state;
pub mod template;
pub mod unittest;

#[cfg(test)]
mod template_tests;
