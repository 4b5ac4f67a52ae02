//! `argus query`: instant and range queries over ingested data, every output format, errors.

use super::support::{stdout_of, Workdir};
use predicates::prelude::*;

/// Two counters scraped every 15 s for 10 minutes from t=1700000000.
fn counters(w: &Workdir) {
    let mut om = String::from("# TYPE http_requests counter\n");
    for (inst, inc) in [("a", 1.5), ("b", 3.0)] {
        for i in 0..41 {
            om.push_str(&format!(
                "http_requests_total{{instance=\"{inst}\"}} {} {}\n",
                inc * i as f64,
                1_700_000_000 + 15 * i
            ));
        }
    }
    om.push_str("# EOF\n");
    let f = w.write("c.om", &om);
    w.argus().arg("ingest").arg(&f).assert().success();
}

#[test]
fn instant_rate_matches_prometheus_extrapolation() {
    let w = Workdir::new();
    counters(&w);
    // 5m window ending at t0+600 holds 20 samples 15 s apart (left-open): the increase over
    // 285 s is extrapolated to the window, so the rate is exactly the per-second slope.
    let out = stdout_of(
        w.argus(),
        &[
            "query",
            "rate(http_requests_total[5m])",
            "--time",
            "1700000600",
            "-o",
            "csv",
        ],
    );
    let value = |inst: &str| -> f64 {
        let line = out
            .lines()
            .find(|l| l.contains(&format!("instance=\"\"{inst}\"\"")))
            .unwrap_or_else(|| panic!("no {inst}: {out}"));
        line.rsplit(',').next().unwrap().parse().unwrap()
    };
    assert!((value("a") - 0.1).abs() < 1e-12, "{out}");
    assert!((value("b") - 0.2).abs() < 1e-12, "{out}");
}

#[test]
fn range_query_json_is_shaped_like_the_prometheus_api() {
    let w = Workdir::new();
    counters(&w);
    let out = stdout_of(
        w.argus(),
        &[
            "query",
            "sum(http_requests_total)",
            "--from",
            "1700000000",
            "--to",
            "1700000060",
            "--step",
            "30s",
            "-o",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["resultType"], "matrix");
    assert_eq!(
        v["result"][0]["values"],
        serde_json::json!([[1700000000, "0"], [1700000030, "9"], [1700000060, "18"]])
    );
}

#[test]
fn table_output_for_people() {
    let w = Workdir::new();
    counters(&w);
    w.argus()
        .args([
            "query",
            "http_requests_total{instance=\"a\"}",
            "--time",
            "1700000600",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("http_requests_total{instance=\"a\"}")
                .and(predicate::str::contains("2023-11-14T22:23:20Z"))
                .and(predicate::str::contains("60")),
        );
}

#[test]
fn tsv_and_scalar() {
    let w = Workdir::new();
    let out = stdout_of(w.argus(), &["query", "1 + 2", "--time", "100", "-o", "tsv"]);
    assert_eq!(out, "series\ttimestamp\tvalue\n\t100\t3\n");
}

#[test]
fn parse_errors_carry_a_position_and_exit_3() {
    let w = Workdir::new();
    w.argus()
        .args(["query", "sum(rate(x[5m])"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("invalid query").and(predicate::str::contains("1:")));
}

#[test]
fn broken_pipe_is_not_an_error() {
    let w = Workdir::new();
    counters(&w);
    // `head -c 1` closes the pipe after one byte; argus must still exit 0.
    let bin = super::support::argus_bin();
    let status = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; '{}' query 'http_requests_total' --from 1700000000 --to 1700000600 --step 1s -o csv | head -c 1 >/dev/null",
            bin.display()
        ))
        .env("ARGUS_STORE", w.store())
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn stats_report_where_the_time_went_on_stderr() {
    let w = Workdir::new();
    counters(&w);
    let out = w
        .argus()
        .args([
            "query",
            "sum(rate(http_requests_total[1m]))",
            "--from",
            "1700000000",
            "--to",
            "1700000600",
            "--step",
            "60",
            "-o",
            "json",
            "--stats",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    // The result on stdout is unchanged JSON; the statistics go to stderr.
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("{\"resultType\":\"matrix\""), "{stdout}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    for phase in ["parse", "open store", "evaluate", "print", "total"] {
        assert!(
            stderr
                .lines()
                .any(|l| l.trim_start().starts_with(phase) && l.ends_with(" ms")),
            "{phase} missing: {stderr}"
        );
    }
    // Both series, all 41 samples each: the 1m windows of the 11 steps cover the range once.
    assert!(
        stderr
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["samples", "read", "82"]),
        "{stderr}"
    );
    w.argus()
        .args(["query", "up", "--stats", "--server", "http://127.0.0.1:1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--stats"));
}

#[test]
fn long_chains_answer_and_deep_nesting_or_odd_characters_are_parse_errors() {
    let w = Workdir::new();
    counters(&w);
    // Each of these once ended the process: a stack overflow or a panic. `--promql`, because
    // without it the query is also tried as LogQL, whose parser has limits of its own.
    let chain = vec!["1"; 2_000].join("+");
    let out = stdout_of(
        w.argus(),
        &["query", "--promql", &chain, "--time", "100", "-o", "tsv"],
    );
    assert_eq!(out, "series\ttimestamp\tvalue\n\t100\t2000\n");
    let ors = vec!["http_requests_total"; 1_500].join(" or ");
    let out = stdout_of(
        w.argus(),
        &[
            "query",
            "--promql",
            &ors,
            "--time",
            "1700000600",
            "-o",
            "tsv",
        ],
    );
    assert_eq!(out.lines().count(), 3, "{out}");
    let deep = format!(
        "{}http_requests_total{}",
        "sum(".repeat(2_000),
        ")".repeat(2_000)
    );
    w.argus()
        .args(["query", "--promql", &deep])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "1:517: parse error: expression nests deeper than 128 levels",
        ));
    w.argus()
        .args(["query", "--promql", "sum by (éjob) (x)"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "1:9: parse error: unexpected character: 'é'",
        ));
}
