//! `argus query` and `argus export` flags as a newcomer types them: Unix times in any unit,
//! relative times starting with `-`, Prometheus' flag names, server addresses without a
//! scheme, expressions starting with `-`, and flags that make no sense together.

use super::support::{stdout_of, Workdir};
use predicates::prelude::*;

/// `x` = 1, 2, 3 at t=1700000000, 1700000060, 1700000120.
fn three_samples(w: &Workdir) {
    let f = w.write(
        "x.om",
        "x 1 1700000000\nx 2 1700000060\nx 3 1700000120\n# EOF\n",
    );
    w.argus().arg("ingest").arg(&f).assert().success();
}

fn instant_value(w: &Workdir, args: &[&str]) -> String {
    let out = stdout_of(w.argus(), &[&["query", "-o", "csv"][..], args].concat());
    out.lines().nth(1).unwrap_or_default().to_string()
}

#[test]
fn a_unix_time_is_read_in_the_unit_its_size_says() {
    let w = Workdir::new();
    three_samples(&w);
    for t in [
        "1700000060",
        "1700000060.000",
        "1700000060000",
        "1700000060000000",
        "1700000060000000000",
    ] {
        assert_eq!(
            instant_value(&w, &["x", "--time", t]),
            "x,1700000060,2",
            "--time {t}"
        );
    }
    // The range flags too.
    let out = stdout_of(
        w.argus(),
        &[
            "export",
            "--from",
            "1700000060000",
            "--to",
            "1700000060000000",
            "-o",
            "csv",
        ],
    );
    assert_eq!(out, "metric,labels,timestamp,value\nx,,1700000060000,2\n");
}

#[test]
fn time_flags_take_values_that_start_with_a_dash() {
    let w = Workdir::new();
    w.argus().arg("ingest").write_stdin("").assert().success();
    // `-1h` is an hour ago, like `now-1h`; the query finds nothing but runs.
    for args in [
        &[
            "query",
            "vector(1)",
            "--from",
            "-1h",
            "--step",
            "1m",
            "-o",
            "json",
        ][..],
        &[
            "query",
            "vector(1)",
            "--since",
            "1h",
            "--to",
            "-30m",
            "-o",
            "json",
        ][..],
        &["query", "vector(1)", "--time", "-5m", "-o", "json"][..],
        &["export", "--from", "-1h", "--to", "-0s"][..],
    ] {
        w.argus().args(args).assert().success();
    }
    // A negative number is a time before 1970.
    assert_eq!(instant_value(&w, &["time()", "--time", "-60"]), "-60,-60");
    w.argus()
        .args(["query", "up", "--since", "-1h"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--since"));
}

#[test]
fn prometheus_flag_names_start_and_end_are_accepted() {
    let w = Workdir::new();
    three_samples(&w);
    let out = stdout_of(
        w.argus(),
        &[
            "query",
            "x",
            "--start",
            "1700000060",
            "--end",
            "1700000120",
            "--step",
            "60s",
            "-o",
            "csv",
        ],
    );
    assert_eq!(
        out,
        "__name__,timestamp,value\nx,1700000060,2\nx,1700000120,3\n"
    );
    w.argus()
        .args(["query", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--start").and(predicate::str::contains("--end")));
}

#[test]
fn step_without_a_range_says_what_to_add() {
    let w = Workdir::new();
    w.argus()
        .args(["query", "up", "--step", "1m"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--step").and(predicate::str::contains("--since")));
}

#[test]
fn a_server_address_without_a_scheme_is_http() {
    let w = Workdir::new();
    // Nothing listens on port 1: the connection is refused, and the error names the URL argus
    // tried, with its scheme.
    w.argus()
        .args(["query", "up", "--server", "127.0.0.1:1"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("http://127.0.0.1:1/api/v1/query")
                .and(predicate::str::contains("builder error").not()),
        );
    w.argus()
        .args(["query", "{app=\"x\"} |= \"a\"", "--server", "localhost:1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "http://localhost:1/loki/api/v1/query_range",
        ));
    for bad in ["http://exa mple:9090", "ftp://host:21", "http://"] {
        w.argus()
            .args(["query", "up", "--server", bad])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--server").and(predicate::str::contains(bad)));
    }
}

#[test]
fn an_expression_may_begin_with_a_dash() {
    let w = Workdir::new();
    three_samples(&w);
    assert_eq!(
        instant_value(&w, &["-x + 1", "--time", "1700000060"]),
        "1700000060,-1"
    );
    assert_eq!(
        instant_value(&w, &["--time", "1700000060", "-x * 2"]),
        "1700000060,-4"
    );
    assert_eq!(instant_value(&w, &["-1", "--time", "100"]), "100,-1");
    // `--` still ends the options.
    assert_eq!(instant_value(&w, &["--time", "100", "--", "-2"]), "100,-2");
    // Flags keep working around such an expression, and an unknown flag is still named.
    assert_eq!(
        instant_value(&w, &["-x", "-q", "--time", "1700000120"]),
        "1700000120,-3"
    );
    w.argus()
        .args(["query", "--no-such-flag", "up"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--no-such-flag"));
}

#[test]
fn tail_on_a_metric_query_is_a_usage_error() {
    let w = Workdir::new();
    three_samples(&w);
    for expr in ["x", "count_over_time({app=\"x\"}[5m])"] {
        w.argus()
            .args(["query", expr, "--tail"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--tail").and(predicate::str::contains("log")));
    }
}

#[test]
fn usage_lines_do_not_show_the_store_from_the_environment_as_required() {
    let w = Workdir::new();
    let out = w.argus().arg("query").assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("Usage: argus query"), "{err}");
    assert!(!err.contains("--store"), "{err}");
}
