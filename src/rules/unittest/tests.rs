//! The runner against small test files written here; promtool's own test files run in
//! `tests/cli/rules.rs`.

use super::*;
use std::fs;

fn run(rules: &str, test: &str) -> FileOutcome {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("rules.yml"), rules).unwrap();
    let path = dir.path().join("test.yml");
    fs::write(&path, test).unwrap();
    run_file(&path, &Options::default())
}

const RULES: &str = "
groups:
  - name: g
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: Down
        expr: up == 0
        for: 2m
        labels: {severity: page}
";

#[test]
fn recording_rules_are_visible_to_expression_checks() {
    let out = run(
        RULES,
        "rule_files: [rules.yml]
tests:
  - input_series:
      - {series: 'up{job=\"a\", instance=\"1\"}', values: '1 1 1'}
      - {series: 'up{job=\"a\", instance=\"2\"}', values: '1 0 0'}
    promql_expr_test:
      - expr: job:up:sum
        eval_time: 2m
        exp_samples:
          - {labels: 'job:up:sum{job=\"a\"}', value: 1}
",
    );
    assert!(out.failures.is_empty(), "{:?}", out.failures);
}

#[test]
fn alerts_fire_after_their_for_and_failures_show_expected_and_got() {
    let test = "rule_files: [rules.yml]
tests:
  - name: down
    input_series:
      - {series: 'up{job=\"a\"}', values: '0x10'}
    alert_rule_test:
      - eval_time: 1m
        alertname: Down
        exp_alerts: []
      - eval_time: 2m
        alertname: Down
        exp_alerts:
          - exp_labels: {job: a, severity: page}
      - eval_time: 3m
        alertname: Down
        exp_alerts: []
";
    let out = run(RULES, test);
    assert_eq!(out.failures.len(), 1, "{:?}", out.failures);
    let f = &out.failures[0];
    assert!(
        f.starts_with("    name: down,\n    alertname: Down, time: 3m, "),
        "{f}"
    );
    assert!(f.contains("exp:[], "), "{f}");
    assert!(
        f.contains("Labels:{__name__=\"up\"")
            || f.contains("Labels:{alertname=\"Down\", job=\"a\", severity=\"page\"}"),
        "{f}"
    );
}

#[test]
fn a_rule_that_fails_stops_its_group_with_the_rule_error() {
    let rules = "
groups:
  - name: g
    rules:
      - record: joined
        expr: a + on(k) b
";
    let test = "rule_files: [rules.yml]
tests:
  - input_series:
      - {series: 'a{k=\"1\"}', values: '1'}
      - {series: 'b{k=\"1\", x=\"1\"}', values: '1'}
      - {series: 'b{k=\"1\", x=\"2\"}', values: '1'}
";
    let out = run(rules, test);
    assert_eq!(out.failures.len(), 1, "{:?}", out.failures);
    assert!(
        out.failures[0].starts_with("    rule: joined, time: 0s, err: "),
        "{:?}",
        out.failures
    );
}

#[test]
fn expression_failures_print_values_as_promtool_does() {
    let out = run(
        RULES,
        "rule_files: [rules.yml]
tests:
  - input_series:
      - {series: test, values: '0'}
    promql_expr_test:
      - expr: test
        eval_time: 0m
        exp_samples:
          - {labels: test, value: 1}
",
    );
    assert_eq!(
        out.failures,
        vec!["    expr: \"test\", time: 0s,\n        exp: {__name__=\"test\"} 1E+00\n        got: {__name__=\"test\"} 0E+00"]
    );
}

#[test]
fn histogram_checks_are_skipped_not_failed() {
    let out = run(
        RULES,
        "rule_files: [rules.yml]
tests:
  - input_series:
      - {series: h, values: '{{sum:1 count:1}}'}
    promql_expr_test:
      - expr: h
        eval_time: 0m
        exp_samples:
          - {labels: h, value: 1}
",
    );
    assert!(out.failures.is_empty(), "{:?}", out.failures);
    assert_eq!(out.skipped, 1);
}

#[test]
fn unknown_keys_fail_unless_ignored() {
    let test = "rule_files: [rules.yml]\nextra: 1\ntests: []\n";
    let out = run(RULES, test);
    assert_eq!(
        out.failures,
        vec!["yaml: unmarshal errors:\n  line 2: field extra not found in type main.unitTestFile"]
    );
}

#[test]
fn fuzzy_compare_allows_the_last_bit_only() {
    assert!(same_value(3.0, 2.9999999999999996, true));
    assert!(same_value(3.0, 3.0000000000000004, true));
    assert!(!same_value(3.0, 2.9999999999999987, true));
    assert!(!same_value(3.0, 3.0000000000000004, false));
    assert!(same_value(f64::NAN, f64::NAN, false));
}
