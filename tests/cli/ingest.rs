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

#[test]
fn the_count_reported_is_what_was_kept() {
    let w = Workdir::new();
    // Two samples of one series at one time: the later one stays, and the count says one.
    w.argus()
        .arg("ingest")
        .write_stdin("a 1 1700000000000\na 2 1700000000000\na 3 1700000001000\n")
        .assert()
        .success()
        .stderr(predicate::str::contains("stored 2 samples of 1 series"))
        .stderr(predicate::str::contains("1 sample(s) replaced"));
}

#[test]
fn a_truncated_openmetrics_input_stores_nothing_even_when_skipping() {
    let w = Workdir::new();
    let good = w.write("good.prom", "g 1 1700000000000\n");
    // Cut in the middle of its last sample ("t 20.5 1700000015"): no "# EOF".
    let cut = w.write("cut.om", "# TYPE t gauge\nt 19 1700000000\nt 2");
    for skip in [false, true] {
        let mut cmd = w.argus();
        cmd.arg("ingest");
        if skip {
            cmd.arg("--skip-invalid");
        }
        cmd.arg(&good)
            .arg(&cut)
            .assert()
            .code(3)
            .stderr(predicate::str::contains("cut.om"))
            .stderr(predicate::str::contains("truncated"));
        assert_eq!(count(&w, "t", "1700000000"), "timestamp,value\n");
        assert_eq!(count(&w, "g", "1700000000"), "timestamp,value\n");
    }
}

#[test]
fn a_text_exposition_whose_last_line_has_no_line_feed_is_cut() {
    let w = Workdir::new();
    w.argus()
        .arg("ingest")
        .write_stdin("b 1 1700000000000\nb 2")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("<stdin>:2:"))
        .stderr(predicate::str::contains("line feed"));
    assert_eq!(count(&w, "b", "1700000000"), "timestamp,value\n");
    // Skipping invalid records keeps the complete lines only.
    w.argus()
        .args(["ingest", "--skip-invalid"])
        .write_stdin("b 1 1700000000000\nb 2")
        .assert()
        .code(4);
    let out = count(&w, "b", "1700000000");
    assert!(out.ends_with(",1700000000,1\n"), "{out}");
    // Trailing blanks after the last line feed are not a record.
    w.argus()
        .arg("ingest")
        .write_stdin("c 1 1700000000000\n  ")
        .assert()
        .success();
}

#[test]
fn errors_quote_an_excerpt_of_a_huge_token() {
    let w = Workdir::new();
    let huge = "1".repeat(2_000_000);
    for (name, body) in [
        ("value.prom", format!("a {huge}x\n")),
        ("timestamp.prom", format!("a 1 {huge}x\n")),
        ("name.prom", format!("{huge}\n")),
        ("value.csv", format!("metric,value\na,{huge}x\n")),
        ("time.csv", format!("metric,timestamp,value\na,{huge}x,1\n")),
        (
            "field.jsonl",
            format!("{{\"metric\":\"a\",\"value\":1,\"{huge}\":1}}\n"),
        ),
    ] {
        let f = w.write(name, &body);
        w.argus()
            .arg("ingest")
            .arg(&f)
            .assert()
            .code(3)
            .stderr(predicate::str::contains(format!("{name}:")))
            .stderr(predicate::function(|s: &str| s.len() < 2000));
    }
}

#[test]
fn label_sizes_are_checked_at_the_door() {
    let w = Workdir::new();
    let big = "v".repeat(100_000);
    let long_name = "n".repeat(2000);
    for (name, body) in [
        ("value.prom", format!("a{{job=\"{big}\"}} 1\n")),
        ("name.prom", format!("a{{{long_name}=\"x\"}} 1\n")),
        ("value.om", format!("a{{job=\"{big}\"}} 1\n# EOF\n")),
        ("value.csv", format!("metric,job,value\na,{big},1\n")),
        (
            "value.jsonl",
            format!("{{\"metric\":\"a\",\"labels\":{{\"job\":\"{big}\"}},\"value\":1}}\n"),
        ),
    ] {
        let f = w.write(name, &body);
        w.argus()
            .arg("ingest")
            .arg(&f)
            .assert()
            .code(3)
            .stderr(predicate::str::contains(format!("{name}:")))
            .stderr(predicate::str::contains("bytes long; the limit is"))
            .stderr(predicate::function(|s: &str| s.len() < 2000));
    }
    w.argus()
        .args(["ingest", "--label", &format!("job={big}")])
        .write_stdin("a 1\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bytes long; the limit is"));
    assert_eq!(count(&w, "a", "now"), "timestamp,value\n");
}

#[test]
fn timestamps_out_of_range_are_errors_at_the_door() {
    let w = Workdir::new();
    w.argus()
        .arg("ingest")
        .write_stdin("a 1 -9223372036854775808\na 2 0\n")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("<stdin>:1:"))
        .stderr(predicate::str::contains("outside the range"));
    assert_eq!(count(&w, "a", "0"), "timestamp,value\n");
    for (name, body) in [
        ("late.om", "a 1 300000000000\n# EOF\n".to_string()),
        (
            "late.csv",
            "metric,timestamp_ms,value\na,9223372036854775807,1\n".into(),
        ),
        (
            "late.jsonl",
            "{\"metric\":\"a\",\"timestamp\":\"10000-01-01T00:00:00Z\",\"value\":1}\n".into(),
        ),
    ] {
        let f = w.write(name, &body);
        w.argus()
            .arg("ingest")
            .arg(&f)
            .assert()
            .code(3)
            .stderr(predicate::str::contains(format!("{name}:")));
    }
    w.argus()
        .args(["ingest", "--skip-invalid"])
        .write_stdin("a 1 -9223372036854775808\na 2 0\n")
        .assert()
        .code(4);
    let out = count(&w, "a", "0");
    assert!(out.ends_with(",0,2\n"), "{out}");
}
