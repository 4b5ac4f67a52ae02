//! Inhibition: an alert matching a rule's target matchers is muted while some other alert
//! matching its source matchers fires with the same values of the rule's `equal` labels
//! (a missing label counts as the empty value on both sides), as Alertmanager's
//! `inhibit/inhibit.go` decides.
//!
//! An alert that matches both sides of a rule cannot be inhibited by another alert that
//! also matches both sides: otherwise two such alerts would mute each other. Resolved
//! source alerts inhibit nothing. The sources are every alert the dispatcher holds, not
//! only those of one group.

use super::alert::Alert;
use super::matchers::{self, Matcher};
use crate::model::Labels;

/// One `inhibit_rules` entry, with the old `source_match`/`target_match` maps already
/// turned into matchers.
#[derive(Clone, Debug, PartialEq)]
pub struct InhibitRule {
    pub source: Vec<Matcher>,
    pub target: Vec<Matcher>,
    pub equal: Vec<String>,
}

impl InhibitRule {
    /// Does a firing source alert among `alerts` mute `target` at `now`?
    fn inhibits<'a>(
        &self,
        target: &Labels,
        alerts: impl Iterator<Item = &'a Alert>,
        now: i64,
    ) -> bool {
        if !matchers::all_match(&self.target, target) {
            return false;
        }
        let two_sided = matchers::all_match(&self.source, target);
        alerts.into_iter().any(|a| {
            !a.resolved_at(now)
                && matchers::all_match(&self.source, &a.labels)
                && self
                    .equal
                    .iter()
                    .all(|n| a.labels.get_or_empty(n) == target.get_or_empty(n))
                && !(two_sided && matchers::all_match(&self.target, &a.labels))
        })
    }
}

/// True when any rule mutes an alert with these labels, given every alert held.
pub fn mutes<'a, I>(rules: &[InhibitRule], labels: &Labels, alerts: I, now: i64) -> bool
where
    I: Iterator<Item = &'a Alert> + Clone,
{
    rules
        .iter()
        .any(|r| r.inhibits(labels, alerts.clone(), now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::alert::Annotations;

    fn l(pairs: &[(&str, &str)]) -> Labels {
        Labels::from_pairs(pairs.iter().copied())
    }

    fn firing(pairs: &[(&str, &str)], ends_at: i64) -> Alert {
        Alert {
            labels: l(pairs),
            annotations: Annotations::new(),
            starts_at: 0,
            ends_at,
            generator_url: String::new(),
            updated_at: 0,
            timeout: false,
        }
    }

    fn rule(source: &str, target: &str, equal: &[&str]) -> InhibitRule {
        InhibitRule {
            source: matchers::parse_list(source).unwrap(),
            target: matchers::parse_list(target).unwrap(),
            equal: equal.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_firing_source_with_equal_labels_mutes_the_target() {
        let rules = [rule(
            r#"severity="critical""#,
            r#"severity="warning""#,
            &["alertname", "cluster"],
        )];
        let crit = firing(
            &[
                ("alertname", "Disk"),
                ("cluster", "eu"),
                ("severity", "critical"),
            ],
            100,
        );
        let warn = l(&[
            ("alertname", "Disk"),
            ("cluster", "eu"),
            ("severity", "warning"),
        ]);
        let other_cluster = l(&[
            ("alertname", "Disk"),
            ("cluster", "us"),
            ("severity", "warning"),
        ]);
        let all = [crit];
        assert!(mutes(&rules, &warn, all.iter(), 50));
        assert!(!mutes(&rules, &other_cluster, all.iter(), 50));
        // Once the source is resolved, nothing is muted.
        assert!(!mutes(&rules, &warn, all.iter(), 100));
    }

    #[test]
    fn missing_equal_labels_count_as_empty_on_both_sides() {
        let rules = [rule("a=src", "a=dst", &["zone"])];
        let src = [firing(&[("a", "src")], 100)];
        assert!(mutes(&rules, &l(&[("a", "dst")]), src.iter(), 0));
        assert!(!mutes(
            &rules,
            &l(&[("a", "dst"), ("zone", "z")]),
            src.iter(),
            0
        ));
    }

    #[test]
    fn alerts_matching_both_sides_do_not_mute_each_other() {
        // Every alert with severity set is both source and target.
        let rules = [rule(
            r#"severity=~".+""#,
            r#"severity=~".+""#,
            &["alertname"],
        )];
        let a = firing(&[("alertname", "X"), ("severity", "critical")], 100);
        let b = firing(&[("alertname", "X"), ("severity", "warning")], 100);
        let all = [a.clone(), b.clone()];
        assert!(!mutes(&rules, &a.labels, all.iter(), 0));
        assert!(!mutes(&rules, &b.labels, all.iter(), 0));
        // A source that is only a source still mutes a two-sided target.
        let rules = [rule(
            r#"severity=~".+""#,
            r#"severity="warning""#,
            &["alertname"],
        )];
        assert!(mutes(&rules, &b.labels, all.iter(), 0));
    }
}
