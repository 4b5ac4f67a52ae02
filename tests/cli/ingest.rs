//! `argus ingest`: every input format, good and broken, all-or-nothing and --skip-invalid.

use super::support::{stdout_of, Workdir};
use predicates::prelude::*;

const OM: &str = "# TYPE temp gauge\n# HELP temp Temperature.\ntemp{room=\"a\"} 20.5 1700000000\ntemp{room=\"a\"} 21 1700000015\ntemp{room=\"b\"} 19 1700000000\n# EOF\n";

fn count(w: &Workdir, expr: &str, at: &str) -> String {
    stdout_of(w.argus(), &["query", expr, "--time", at, "-o", "csv"])
}

#[test]
fn openmetrics_backfill_is_queryable() {
    let w = Workdir::new();
    let f = w.write("in.om", OM);
    w.argus().arg("ingest").arg(&f).assert().success();
    let out = count(&w, "temp", "1700000015");
    assert_eq!(
        out,
        "__name__,room,timestamp,value\ntemp,a,1700000015,21\ntemp,b,1700000015,19\n"
    );
}

#[test]
fn prometheus_text_from_stdin_with_extra_label() {
    let w = Workdir::new();
    w.argus()
        .args(["ingest", "--label", "env=prod"])
        .write_stdin("# TYPE up gauge\nup{job=\"x\"} 1 1700000000000\n")
        .assert()
        .success();
    let out = count(&w, "up{env=\"prod\"}", "1700000000");
    assert_eq!(
        out,
        "__name__,env,job,timestamp,value\nup,prod,x,1700000000,1\n"
    );
}

#[test]
fn csv_and_jsonl_inputs() {
    let w = Workdir::new();
    let csv = w.write(
        "in.csv",
        "metric,labels,timestamp,value\nreqs,\"{code=\"\"200\"\"}\",1700000000000,5\n",
    );
    let jsonl = w.write(
        "in.jsonl",
        "{\"metric\":\"reqs\",\"labels\":{\"code\":\"500\"},\"timestamp\":1700000000000,\"value\":\"2\"}\n",
    );
    w.argus()
        .arg("ingest")
        .arg(&csv)
        .arg(&jsonl)
        .assert()
        .success();
    let out = count(&w, "sum(reqs)", "1700000000");
    assert_eq!(out, "timestamp,value\n1700000000,7\n");
}

#[test]
fn a_broken_input_stores_nothing_and_names_the_place() {
    let w = Workdir::new();
    let good = w.write("good.prom", "a 1 1700000000000\n");
    let bad = w.write("bad.prom", "b 1 1700000000000\nc{x=} 2\n");
    w.argus()
        .arg("ingest")
        .arg(&good)
        .arg(&bad)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("bad.prom:2:"));
    // Nothing from either file is visible: the invocation is one commit.
    let out = count(&w, "a", "1700000000");
    assert_eq!(out, "timestamp,value\n");
}

#[test]
fn skip_invalid_keeps_the_good_records() {
    let w = Workdir::new();
    let bad = w.write(
        "bad.prom",
        "b 1 1700000000000\nc{x=} 2\nd 4 1700000000000\n",
    );
    w.argus()
        .args(["ingest", "--skip-invalid"])
        .arg(&bad)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("skipped 1 invalid"));
    let out = count(&w, "b + on() d", "1700000000");
    assert_eq!(out, "timestamp,value\n1700000000,5\n");
}

#[test]
fn missing_file_is_named() {
    let w = Workdir::new();
    w.argus()
        .args(["ingest", "/nonexistent/x.prom"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("/nonexistent/x.prom"));
}
