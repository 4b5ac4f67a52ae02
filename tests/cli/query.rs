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
    assert!(out.starts_with("instance,timestamp,value\n"), "{out}");
    let value = |inst: &str| -> f64 {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("{inst},")))
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
    let out = stdout_of(
        w.argus(),
        &["query", "http_requests_total", "--time", "1700000600"],
    );
    let rows: Vec<Vec<&str>> = out
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows,
        vec![
            vec!["SERIES", "TIME", "VALUE"],
            vec![
                "http_requests_total{instance=\"a\"}",
                "2023-11-14T22:23:20Z",
                "60"
            ],
            vec![
                "http_requests_total{instance=\"b\"}",
                "2023-11-14T22:23:20Z",
                "120"
            ],
        ],
        "{out}"
    );
}

#[test]
fn tsv_and_scalar() {
    let w = Workdir::new();
    // Readers refuse a store that does not exist; an empty one answers.
    w.argus()
        .args(["ingest", "--format", "prom"])
        .write_stdin("")
        .assert()
        .success();
    let out = stdout_of(w.argus(), &["query", "1 + 2", "--time", "100", "-o", "tsv"]);
    assert_eq!(out, "timestamp\tvalue\n100\t3\n");
}

#[test]
fn csv_has_a_column_per_label_so_sort_finds_the_value() {
    let w = Workdir::new();
    counters(&w);
    // The README's pipeline: the third column is the value.
    let out = stdout_of(
        w.argus(),
        &[
            "query",
            "sum by (instance) (http_requests_total)",
            "--time",
            "1700000600",
            "-o",
            "csv",
        ],
    );
    assert_eq!(
        out,
        "instance,timestamp,value\na,1700000600,60\nb,1700000600,120\n"
    );
    // The union of the label names, `__name__` first; a series without a label has an empty
    // cell; a range query has one row per point.
    let out = stdout_of(
        w.argus(),
        &[
            "query",
            r#"http_requests_total{instance="a"} or label_replace(vector(7), "zone", "z,1", "", "")"#,
            "--from",
            "1700000570",
            "--to",
            "1700000600",
            "--step",
            "30s",
            "-o",
            "csv",
        ],
    );
    assert_eq!(
        out,
        "__name__,instance,zone,timestamp,value\n\
         http_requests_total,a,,1700000570,57\n\
         http_requests_total,a,,1700000600,60\n\
         ,,\"z,1\",1700000570,7\n\
         ,,\"z,1\",1700000600,7\n",
        "{out}"
    );
}

#[test]
fn tsv_never_quotes_and_escapes_tabs_newlines_and_backslashes() {
    let w = Workdir::new();
    let f = w.write(
        "odd.om",
        "odd{a=\"tab\there\",b=\"nl\\nx\\\\y\",c=\"say \\\"hi\\\"\"} 1 1700000000\n# EOF\n",
    );
    w.argus().arg("ingest").arg(&f).assert().success();
    let out = stdout_of(
        w.argus(),
        &["query", "odd", "--time", "1700000000", "-o", "tsv"],
    );
    assert_eq!(
        out,
        "__name__\ta\tb\tc\ttimestamp\tvalue\n\
         odd\ttab\\there\tnl\\nx\\\\y\tsay \"hi\"\t1700000000\t1\n",
        "{out}"
    );
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

/// 5,000 series with long labels at t=1700000000 and t=1700000060: an instant vector of them
/// prints as a megabyte or more in every format, many times a pipe's buffer.
fn many_series(w: &Workdir) {
    let pad = "x".repeat(200);
    let mut om = String::with_capacity(5 << 20);
    for t in [1_700_000_000, 1_700_000_060] {
        for i in 0..5_000 {
            om.push_str(&format!("wide{{i=\"{i:05}\",pad=\"{pad}\"}} {i} {t}\n"));
        }
    }
    om.push_str("# EOF\n");
    let f = w.write("wide.om", &om);
    w.argus().arg("ingest").arg(&f).assert().success();
}

/// Runs `argus ARGS | head -c 10` under `pipefail` and returns argus' exit status and stderr.
pub fn into_closed_pipe(w: &Workdir, args: &str) -> (std::process::ExitStatus, String) {
    let bin = super::support::argus_bin();
    let err = w.path("stderr.txt");
    let status = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; '{}' {args} 2>'{}' | head -c 10 >/dev/null",
            bin.display(),
            err.display()
        ))
        .env("ARGUS_STORE", w.store())
        .status()
        .unwrap();
    (status, std::fs::read_to_string(err).unwrap_or_default())
}

#[test]
fn broken_pipe_is_not_an_error() {
    let w = Workdir::new();
    many_series(&w);
    // Each output is megabytes: `head -c 10` closes the pipe long before argus is done, so the
    // write must fail with EPIPE, and argus must still exit 0 without a word on stderr.
    // Where the write fails depends on when `head` goes away, so each is tried a few times:
    // JSON used to fail about every other run.
    for (format, tries) in [("json", 6), ("csv", 2), ("tsv", 2), ("table", 2)] {
        for _ in 0..tries {
            let (status, err) =
                into_closed_pipe(&w, &format!("query wide --time 1700000000 -o {format}"));
            assert!(status.success(), "-o {format}: {status:?} {err}");
            assert!(err.is_empty(), "-o {format}: {err}");
        }
    }
    let (status, err) = into_closed_pipe(
        &w,
        "query 'wide{i=~\"0.*\"}' --from 1700000000 --to 1700000060 --step 1s -o json",
    );
    assert!(status.success(), "range json: {status:?} {err}");
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
    assert_eq!(out, "timestamp\tvalue\n100\t2000\n");
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
