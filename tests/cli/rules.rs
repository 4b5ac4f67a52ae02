//! `argus rules check` and `argus rules test`: promtool's own test data with the verdicts its
//! tests expect, and a differential run against Debian's promtool (2.42) on the fixtures of
//! `tests/fixtures/rules/`, comparing exit codes and reports.

use super::support::{argus_bin, Workdir};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/rules")
}

/// Runs a command in `dir`; returns exit code, stdout and stderr.
fn run_in(dir: &Path, mut cmd: Command) -> (i32, String, String) {
    let out = cmd.current_dir(dir).output().expect("run command");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn argus_rules(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let w = Workdir::new();
    let mut cmd = Command::new(argus_bin());
    cmd.env("ARGUS_STORE", w.store()).arg("rules").args(args);
    run_in(dir, cmd)
}

fn promtool(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new("promtool");
    cmd.args(args);
    run_in(dir, cmd)
}

/// Prometheus' unit-test data (`ARGUS_RULES_CONFORMANCE`, else `../shared/conformance/rules/
/// promtool` beside the checkout); `None` (a skip) when absent, except under CI.
fn promtool_corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("ARGUS_RULES_CONFORMANCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/conformance/rules/promtool"));
    if dir.join("unittest.yml").exists() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "no promtool test data at {} under CI",
        dir.display()
    );
    eprintln!("no promtool test data at {}; skipped", dir.display());
    None
}

#[test]
fn promtool_unit_test_files_get_promtools_verdicts() {
    let Some(dir) = promtool_corpus() else {
        return;
    };
    // The verdicts of Prometheus' own tests (cmd/promtool/unittest_test.go), as the corpus'
    // README lists them.
    let cases: &[(&str, &[&str], i32)] = &[
        ("unittest.yml", &[], 0),
        ("long-period.yml", &[], 0),
        ("bad-input-series.yml", &[], 1),
        ("bad-promql.yml", &[], 1),
        ("bad-rules-syntax-test.yml", &[], 1),
        ("bad-rules-error-test.yml", &[], 1),
        ("failing.yml", &[], 1),
        ("at-modifier-test.yml", &[], 0),
        ("negative-offset-test.yml", &[], 0),
        ("no-test-group-interval.yml", &[], 0),
        ("start-time-test.yml", &[], 0),
        ("rules_run.yml", &[], 1),
        ("rules_run.yml", &["--run", "correct", "--run", "wrong"], 1),
        ("rules_run.yml", &["--run", "correct"], 0),
        ("rules_run.yml", &["--run", "wrong"], 1),
        ("rules_run_extrafields.yml", &["--ignore-unknown-fields"], 0),
        ("rules_run_extrafields.yml", &[], 1),
        ("rules_run_no_fuzzy.yml", &[], 1),
        ("rules_run_fuzzy.yml", &["--run", "correct"], 0),
        ("rules_run_fuzzy.yml", &["--run", "wrong"], 1),
    ];
    let mut wrong = Vec::new();
    for (file, flags, expected) in cases {
        let mut args = vec!["test", file];
        args.extend_from_slice(flags);
        let (code, out, err) = argus_rules(&dir, &args);
        if code != *expected {
            wrong.push(format!(
                "{file} {flags:?}: exit {code}, want {expected}\n{out}{err}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The histogram checks of unittest.yml are reported apart, not passed silently.
    let (_, _, err) = argus_rules(&dir, &["test", "unittest.yml"]);
    assert!(
        err.contains("SKIPPED: 3 check(s) need native histograms"),
        "{err}"
    );
}

#[test]
fn promtool_check_files_get_promtools_verdicts() {
    let Some(dir) = promtool_corpus() else {
        return;
    };
    for (file, flags, expected) in [
        ("rules.yml", &[][..], 0),
        ("rules_large.yml", &[], 0),
        ("rules-bad.yml", &[], 1),
        ("rules_duplicates.yml", &[], 0),
        ("rules_duplicates.yml", &["--lint-fatal"], 3),
        (
            "rules_duplicates.yml",
            &["--lint", "none", "--lint-fatal"],
            0,
        ),
    ] {
        let mut args = vec!["check", file];
        args.extend_from_slice(flags);
        let (code, out, err) = argus_rules(&dir, &args);
        assert_eq!(code, expected, "{file} {flags:?}\n{out}{err}");
    }
    let (_, out, err) = argus_rules(&dir, &["check", "rules_duplicates.yml"]);
    assert_eq!(out, "Checking rules_duplicates.yml\n\n");
    assert!(
        err.contains("lint error 1 duplicate rule(s) found.\nMetric: job:test:count_over_time1m"),
        "{err}"
    );
    let (_, _, err) = argus_rules(&dir, &["check", "rules-bad.yml"]);
    assert!(
        err.contains("annotation \"summary\": template: __alert_InstanceDown:1: undefined variable \"$label\""),
        "{err}"
    );
}

#[test]
fn the_mysqld_mixin_rules_load_unchanged() {
    let Some(dir) = promtool_corpus() else {
        return;
    };
    let mixin = dir.join("../mysqld-mixin");
    let (code, out, err) = argus_rules(
        &mixin,
        &[
            "check",
            "alerts-galera.yaml",
            "alerts-general.yaml",
            "rules-rules.yaml",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("Checking alerts-galera.yaml\n  SUCCESS: 7 rules found\n"),
        "{out}"
    );
}

#[test]
fn check_reads_standard_input() {
    let w = Workdir::new();
    let out = w
        .argus()
        .args(["rules", "check"])
        .pipe_stdin(fixtures().join("mysql.rules.yml"))
        .unwrap()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Checking standard input\n  SUCCESS: 6 rules found\n\n"
    );
}

#[test]
fn test_writes_a_junit_report() {
    let Some(dir) = promtool_corpus() else {
        return;
    };
    let w = Workdir::new();
    let report = w.path("report.xml");
    let (code, _, _) = argus_rules(
        &dir,
        &[
            "test",
            "rules_run.yml",
            "failing.yml",
            "--junit",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    let xml = std::fs::read_to_string(&report).unwrap();
    assert!(
        xml.contains("<testsuite name=\"rules_run.yml\" tests=\"2\" failures=\"1\""),
        "{xml}"
    );
    assert!(
        xml.contains("<testcase name=\"correct test\"></testcase>"),
        "{xml}"
    );
    assert!(
        xml.contains("<testcase name=\"Failing test\">\n      <failure message="),
        "{xml}"
    );
}

#[test]
fn bad_flags_are_usage_errors() {
    let dir = fixtures();
    let (code, _, err) = argus_rules(&dir, &["test", "mysql_test.yml", "--run", "("]);
    assert_eq!(code, 2);
    assert!(err.contains("--run \"(\""), "{err}");
    let (code, _, _) = argus_rules(&dir, &["test"]);
    assert_eq!(code, 2);
    let (code, _, err) = argus_rules(&dir, &["check", "--lint", "dupes", "x.yml"]);
    assert_eq!(code, 2);
    assert!(err.contains("duplicate-rules"), "{err}");
}

fn have_promtool() -> bool {
    Command::new("promtool")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Where promtool 2.42 and Prometheus 3 (which argus follows) word a report differently:
/// 2.42's text, then 3's.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    // 3.x validates names as UTF-8, so braces are the one thing wrong with this name.
    (
        "invalid recording rule name: job:up:sum{job=\"a\"}",
        "braces present in the recording rule name; should it be in expr?: job:up:sum{job=\"a\"}",
    ),
    // 3.x names both the `record` and the `alert` node of a rule that has neither.
    (
        "check_bad.yml: 0:0: group \"broken\", rule 1, \"\": one of",
        "check_bad.yml: 0:0: 0:0: group \"broken\", rule 1, \"\": one of",
    ),
    // 3.x reads rules strictly into rulefmt.Rule before reading positions.
    ("type rulefmt.RuleNode", "type rulefmt.Rule"),
];

#[test]
fn argus_and_promtool_agree_on_the_fixtures() {
    assert!(
        have_promtool(),
        "`promtool` is missing: run scripts/install-test-deps (installs Debian's prometheus)"
    );
    let dir = fixtures();
    let runs: &[&[&str]] = &[
        &["test", "mysql_test.yml"],
        &["test", "mysql_failing_test.yml"],
        &["test", "templates_test.yml"],
        &["test", "mysql_test.yml", "mysql_failing_test.yml"],
        &["check", "mysql.rules.yml", "templates.rules.yml"],
        &["check", "check_bad.yml"],
        &["check", "check_duplicates.yml"],
        &["check", "check_unknown_key.yml"],
    ];
    let mut disagreements = Vec::new();
    for args in runs {
        let theirs = {
            let (sub, rest) = (args[0], &args[1..]);
            let mut a = vec![sub, "rules"];
            a.extend_from_slice(rest);
            promtool(&dir, &a)
        };
        let ours = argus_rules(&dir, args);
        let mut expected = theirs.clone();
        for (old, new) in KNOWN_DIFFERENCES {
            expected.2 = expected.2.replace(old, new);
        }
        if ours != expected {
            disagreements.push(format!(
                "argus rules {}:\n--- promtool (exit {}):\n{}{}\n--- argus (exit {}):\n{}{}",
                args.join(" "),
                expected.0,
                expected.1,
                expected.2,
                ours.0,
                ours.1,
                ours.2
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n\n"));
}
