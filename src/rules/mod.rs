//! Prometheus' rules and alerts: alert templates (`template.rs`).

pub mod template;

#[cfg(test)]
mod template_tests;
