//! `argus rules eval`: rules evaluated once per run against the store, from cron, with alert
//! state kept in the store across runs.

use super::support::{argus_bin, Workdir};
use std::process::Command;

const RULES: &str = "
groups:
  - name: node
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: InstanceDown
        expr: up == 0
        for: 2m
        labels: {severity: page}
        annotations:
          summary: '{{ $labels.instance }} of {{ $labels.job }} is down'
";

/// A store holding `up` for two instances every 15 s from `from` to `to` (Unix seconds);
/// instance a is down from `down_from` on.
fn store_with_up(w: &Workdir, from: i64, to: i64, down_from: i64) {
    let mut text = String::new();
    let mut t = from;
    while t <= to {
        let a = if t >= down_from { 0 } else { 1 };
        text.push_str(&format!(
            "up{{job=\"node\",instance=\"a\"}} {a} {}\n",
            t * 1000
        ));
        text.push_str(&format!(
            "up{{job=\"node\",instance=\"b\"}} 1 {}\n",
            t * 1000
        ));
        t += 15;
    }
    w.argus().arg("ingest").write_stdin(text).assert().success();
}

fn eval(w: &Workdir, rules: &std::path::Path, at: i64, extra: &[&str]) -> (i32, String, String) {
    let out = w
        .argus()
        .args(["rules", "eval", "--rules"])
        .arg(rules)
        .args(["--time", &at.to_string()])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn query(w: &Workdir, expr: &str, at: i64) -> String {
    let out = w
        .argus()
        .args(["query", expr, "--time", &at.to_string(), "-o", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const T0: i64 = 1_800_000_000;

#[test]
fn for_counts_across_runs_and_firing_sets_the_exit_code() {
    let w = Workdir::new();
    store_with_up(&w, T0, T0 + 600, T0 + 60);
    let rules = w.write("alerts.yml", RULES);
    // Down from T0+60; runs every minute from T0+120.
    let (code, out, _) = eval(&w, &rules, T0 + 120, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("pending"), "{out}");
    let (code, out, _) = eval(&w, &rules, T0 + 180, &[]);
    assert_eq!(code, 0, "{out}");
    let (code, out, err) = eval(&w, &rules, T0 + 240, &[]);
    assert_eq!(code, 6, "{out}{err}");
    assert!(
        out.contains("firing") && out.contains("instance=\"a\""),
        "{out}"
    );
    // What the rules wrote is in the store for everyone.
    let alerts = query(&w, "ALERTS", T0 + 240);
    assert!(alerts.contains("\"alertstate\":\"firing\""), "{alerts}");
    let recorded = query(&w, "job:up:sum", T0 + 240);
    assert!(recorded.contains("\"job\":\"node\""), "{recorded}");
    // Every change of state is in the log store, for LogQL.
    let out = w
        .argus()
        .args([
            "query",
            "{source=\"argus-alerts\"} | json | alertname=\"InstanceDown\"",
            "--from",
            &T0.to_string(),
            "--to",
            &(T0 + 600).to_string(),
            "-o",
            "raw",
            "--direction",
            "forward",
        ])
        .output()
        .unwrap();
    let history = String::from_utf8_lossy(&out.stdout);
    let states: Vec<&str> = history
        .lines()
        .map(|l| {
            if l.contains("\"state\":\"firing\"") {
                "firing"
            } else if l.contains("\"state\":\"pending\"") {
                "pending"
            } else {
                "other"
            }
        })
        .collect();
    assert_eq!(states, ["pending", "firing"], "{history}");
    // The annotation template was expanded.
    let (_, json, _) = eval(&w, &rules, T0 + 300, &["-o", "json"]);
    assert!(json.contains("\"summary\":\"a of node is down\""), "{json}");
}

#[test]
fn one_instant_is_evaluated_once_however_many_runs_overlap() {
    let w = Workdir::new();
    store_with_up(&w, T0, T0 + 300, T0);
    let rules = w.write("alerts.yml", RULES);
    let at = (T0 + 120).to_string();
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(argus_bin())
                .env("ARGUS_STORE", w.store())
                .args(["rules", "eval", "--rules"])
                .arg(&rules)
                .args(["--time", &at])
                .output()
        })
        .collect();
    let skipped = children
        .into_iter()
        .map(|c| String::from_utf8_lossy(&c.unwrap().stderr).into_owned())
        .filter(|err| err.contains("already evaluated at this instant"))
        .count();
    assert_eq!(skipped, 3);
    // A later run at the same instant changes nothing either.
    let (_, _, err) = eval(&w, &rules, T0 + 120, &[]);
    assert!(err.contains("already evaluated"), "{err}");
}

#[test]
fn a_failing_rule_is_named_and_the_other_groups_still_run() {
    let w = Workdir::new();
    store_with_up(&w, T0, T0 + 120, T0 + 999);
    let rules = w.write(
        "rules.yml",
        "
groups:
  - name: broken
    rules:
      - record: x
        expr: up + on(job) up
  - name: fine
    rules:
      - record: job:up:count
        expr: count by (job) (up)
",
    );
    let (code, _, err) = eval(&w, &rules, T0 + 60, &[]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("group \"broken\", rule 1: "), "{err}");
    assert!(query(&w, "job:up:count", T0 + 60).contains("\"value\":[1800000060,\"2\"]"));
}

#[test]
fn an_invalid_rule_file_evaluates_nothing() {
    let w = Workdir::new();
    store_with_up(&w, T0, T0 + 120, T0 + 999);
    let rules = w.write(
        "rules.yml",
        "groups:\n  - name: g\n    rules:\n      - record: x\n        expr: sum(\n",
    );
    let (code, _, err) = eval(&w, &rules, T0 + 60, &[]);
    assert_eq!(code, 3);
    assert!(
        err.contains("rules.yml: 5:15: group \"g\", rule 1, \"x\": could not parse expression"),
        "{err}"
    );
    let (code, _, err) = eval(&w, &w.path("missing.yml"), T0 + 60, &[]);
    assert_eq!(code, 3);
    assert!(err.contains("missing.yml"), "{err}");
}

#[test]
fn a_prometheus_config_names_the_rule_files_and_the_interval() {
    let w = Workdir::new();
    store_with_up(&w, T0, T0 + 600, T0);
    std::fs::create_dir(w.path("rules")).unwrap();
    std::fs::write(w.path("rules/node.yml"), RULES).unwrap();
    let config = w.write(
        "prometheus.yml",
        "global:\n  evaluation_interval: 5m\n  external_labels: {cluster: eu}\nrule_files:\n  - rules/*.yml\nscrape_configs: []\n",
    );
    let run = |at: i64| {
        w.argus()
            .args(["rules", "eval", "--config"])
            .arg(&config)
            .args(["--time", &at.to_string(), "-q"])
            .output()
            .unwrap()
    };
    // With a 5m interval, T0+60 and T0+120 are the same instant (T0, rounded down).
    assert_eq!(run(T0 + 60).status.code(), Some(0));
    let second = run(T0 + 120);
    assert!(
        String::from_utf8_lossy(&second.stderr).is_empty(),
        "-q keeps it quiet"
    );
    assert!(
        second.stdout.is_empty(),
        "nothing fires, so -q prints nothing"
    );
    assert_eq!(run(T0 + 300).status.code(), Some(6));
}

#[test]
fn alerts_list_and_rules_list_show_what_the_runs_left() {
    let w = Workdir::new();
    store_with_up(&w, T0, T0 + 300, T0);
    let empty = w.argus().args(["rules", "list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&empty.stdout).contains("no rule group has been evaluated"));
    let rules = w.write("alerts.yml", RULES);
    eval(&w, &rules, T0 + 60, &[]);
    let (code, _, _) = eval(&w, &rules, T0 + 180, &[]);
    assert_eq!(code, 6);
    let out = w.argus().args(["alerts", "list"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("STATE"), "{text}");
    assert!(
        text.contains("firing") && text.contains("alertname=\"InstanceDown\""),
        "{text}"
    );
    let out = w
        .argus()
        .args(["alerts", "list", "--state", "pending"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("no alerts pending or firing"));
    let out = w
        .argus()
        .args(["rules", "list", "-o", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = &v["groups"][0]["rules"];
    assert_eq!(rules[0]["type"], "recording");
    assert_eq!(rules[1]["type"], "alerting");
    assert_eq!(rules[1]["health"], "ok");
}

#[test]
fn backfill_records_history_and_skips_alerting_rules() {
    let w = Workdir::new();
    store_with_up(&w, T0, T0 + 3600, T0 + 1800);
    let rules = w.write("alerts.yml", RULES);
    let out = w
        .argus()
        .args(["rules", "backfill", "--rules"])
        .arg(&rules)
        .args(["--from", &T0.to_string(), "--to", &(T0 + 3600).to_string()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("1 alerting rule(s) skipped"), "{err}");
    assert!(err.contains("at 61 instant(s)"), "{err}");
    // Before instance a went down both were up; after, one.
    assert!(query(&w, "job:up:sum", T0 + 900).contains("\"2\""));
    assert!(query(&w, "job:up:sum", T0 + 2700).contains("\"1\""));
    // No alerts of the past.
    assert!(query(&w, "ALERTS", T0 + 2700).contains("\"result\":[]"));
    let out = w
        .argus()
        .args(["rules", "backfill", "--rules"])
        .arg(&rules)
        .args(["--from", "2h", "--to", "3h"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
