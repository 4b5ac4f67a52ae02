//! `argus ingest logs`: the times it finds in lines by default, argus' own export read back
//! losslessly, the counts it reports, and the limits it applies at the door (label sizes,
//! time ranges). The older `ingest logs` tests are in `logs.rs`.

use super::support::{stdout_of, Workdir};
use predicates::prelude::*;

/// Every entry of the store as exported (`export --logs -o jsonl`), one JSON value a line.
fn exported(w: &Workdir) -> Vec<serde_json::Value> {
    export_text(w)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn export_text(w: &Workdir) -> String {
    stdout_of(
        w.argus(),
        &[
            "export",
            "--logs",
            "--from",
            "0",
            "--to",
            "2200-01-01T00:00:00Z",
        ],
    )
}

fn now_ns() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    d.as_nanos() as i64
}

/// The time of the exported entry whose line is `line`.
fn time_of(rows: &[serde_json::Value], line: &str) -> i64 {
    let row = rows
        .iter()
        .find(|r| r["line"] == line)
        .unwrap_or_else(|| panic!("no line {line:?} in {rows:?}"));
    row["ts"].as_str().unwrap().parse().unwrap()
}

#[test]
fn times_are_found_in_lines_by_default_else_the_time_of_arrival() {
    let w = Workdir::new();
    let lines = [
        "2026-12-07T12:39:43Z backfilled line",
        "2026-12-07 12:39:44.5+01:00 a space between date and time",
        "{\"level\":\"info\",\"ts\":\"2026-01-01T00:00:00Z\",\"msg\":\"json\"}",
        "{\"@timestamp\":\"2026-01-01T00:00:03.25Z\",\"message\":\"ecs\"}",
        "{\"ts\":1767225601.5,\"msg\":\"zap seconds\"}",
        "level=info time=2026-01-01T00:00:02Z msg=logfmt",
        "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326",
        "{\"__CURSOR\":\"s=1\",\"__REALTIME_TIMESTAMP\":\"1767225604000000\",\"MESSAGE\":\"journald\"}",
        "no time in this line",
        "level=info time=0.003 msg=\"a duration, not a time\"",
        "no time in this line",
    ];
    let f = w.write("app.log", &(lines.join("\n") + "\n"));
    let before = now_ns();
    w.argus()
        .args(["ingest", "logs", "--label", "app=a"])
        .arg(&f)
        .assert()
        .success()
        .stderr(predicate::str::contains("stored 11 lines"));
    let after = now_ns();
    let rows = exported(&w);
    let want = [
        1_796_647_183_000_000_000,
        1_796_643_584_500_000_000,
        1_767_225_600_000_000_000,
        1_767_225_603_250_000_000,
        1_767_225_601_500_000_000,
        1_767_225_602_000_000_000,
        971_211_336_000_000_000,
        1_767_225_604_000_000_000,
    ];
    for (line, t) in lines.iter().zip(want) {
        assert_eq!(time_of(&rows, line), t, "{line}");
    }
    for line in &lines[8..] {
        let t = time_of(&rows, line);
        assert!((before..=after).contains(&t), "{line}: {t} is not arrival");
    }
    // Lines timed by arrival keep their order, and a repeated one is not taken for a
    // duplicate of the first.
    let arrived: Vec<&str> = rows
        .iter()
        .filter(|r| r["line"] == "no time in this line")
        .map(|r| r["ts"].as_str().unwrap())
        .collect();
    assert_eq!(arrived.len(), 2);
    assert!(arrived[0] < arrived[1], "{arrived:?}");
    // `--time-format arrival` ignores the times in the lines.
    let w = Workdir::new();
    w.argus()
        .args([
            "ingest",
            "logs",
            "--label",
            "app=a",
            "--time-format",
            "arrival",
        ])
        .arg(&f)
        .assert()
        .success();
    let rows = exported(&w);
    assert_eq!(rows.len(), 11);
    for line in &lines {
        assert!(time_of(&rows, line) >= before, "{line}");
    }
    // The two cannot be combined with a field to read.
    w.argus()
        .args([
            "ingest",
            "logs",
            "--label",
            "app=a",
            "--time-format",
            "arrival",
        ])
        .args(["--time-field", "ts"])
        .arg(&f)
        .assert()
        .code(2);
}

#[test]
fn journald_json_from_a_pipe_keeps_its_times() {
    let w = Workdir::new();
    let input = concat!(
        "{\"__CURSOR\":\"s=1\",\"__REALTIME_TIMESTAMP\":\"1767225600000001\",\"PRIORITY\":\"6\",\"MESSAGE\":\"one\"}\n",
        "{\"__CURSOR\":\"s=2\",\"__REALTIME_TIMESTAMP\":\"1767225600000002\",\"PRIORITY\":\"3\",\"MESSAGE\":\"two\"}\n",
    );
    w.argus()
        .args([
            "ingest",
            "logs",
            "--label",
            "host=web1",
            "--label-from",
            "PRIORITY",
        ])
        .write_stdin(input)
        .assert()
        .success();
    let rows = exported(&w);
    let times: Vec<&str> = rows.iter().map(|r| r["ts"].as_str().unwrap()).collect();
    assert_eq!(times, ["1767225600000002000", "1767225600000001000"]);
}

#[test]
fn an_export_is_ingested_again_losslessly() {
    let w = Workdir::new();
    let input = concat!(
        "{\"ts\":\"2026-01-01T00:00:00.123456789Z\",\"level\":\"info\",\"req\":\"r1\",\"msg\":\"hello\"}\n",
        "{\"ts\":\"2026-01-01T00:00:02Z\",\"level\":\"error\",\"req\":\"r2\",\"msg\":\"tab\\tand \\\"quotes\\\"\"}\n",
        "{\"ts\":\"2026-01-01T00:00:01Z\",\"level\":\"info\",\"msg\":\"no metadata\"}\n",
    );
    w.argus()
        .args([
            "ingest", "logs", "--label", "app=api", "--label", "env=prod",
        ])
        .args(["--label-from", "level", "--metadata-from", "req"])
        .write_stdin(input)
        .assert()
        .success();
    w.argus()
        .args(["ingest", "logs", "--label", "app=raw"])
        .write_stdin("2026-01-01T00:00:05Z plain line\n")
        .assert()
        .success();
    let first = export_text(&w);
    assert_eq!(first.lines().count(), 4, "{first}");
    // From a file and from a pipe, without any --label: the records carry their streams.
    let second = Workdir::new();
    let f = second.write("export.jsonl", &first);
    second
        .argus()
        .args(["ingest", "logs"])
        .arg(&f)
        .assert()
        .success()
        .stderr(predicate::str::contains("stored 4 lines"));
    assert_eq!(export_text(&second), first);
    let third = Workdir::new();
    third
        .argus()
        .args(["ingest", "logs"])
        .write_stdin(first.clone())
        .assert()
        .success();
    assert_eq!(export_text(&third), first);
    // Said explicitly, a line that is not a record is rejected and named.
    let fourth = Workdir::new();
    let f = fourth.write("mixed.jsonl", &(first.clone() + "{\"line\":\"x\"}\n"));
    fourth
        .argus()
        .args(["ingest", "logs", "--format", "export"])
        .arg(&f)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("mixed.jsonl:5: not a record of"));
    assert_eq!(export_text(&fourth), first);
    // --label still applies, over the record's own labels.
    let fifth = Workdir::new();
    fifth
        .argus()
        .args(["ingest", "logs", "--label", "env=test"])
        .write_stdin(first)
        .assert()
        .success();
    let rows = exported(&fifth);
    assert!(
        rows.iter().all(|r| r["stream"]["env"] == "test"),
        "{rows:?}"
    );
}

#[test]
fn the_count_reported_is_what_was_kept() {
    let w = Workdir::new();
    let f = w.write(
        "app.log",
        "2026-01-01T00:00:00Z one\n2026-01-01T00:00:01Z two\n",
    );
    // The same file twice in one invocation: each line is stored once, and said so.
    w.argus()
        .args(["ingest", "logs", "--label", "app=a"])
        .arg(&f)
        .arg(&f)
        .assert()
        .success()
        .stderr(predicate::str::contains("stored 2 lines"))
        .stderr(predicate::str::contains("2 exact duplicate"));
    assert_eq!(exported(&w).len(), 2);
}

#[test]
fn label_sizes_are_checked_at_the_door() {
    let w = Workdir::new();
    let big = "v".repeat(100_000);
    w.argus()
        .args(["ingest", "logs", "--label", &format!("app={big}")])
        .write_stdin("x\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("100000 bytes long"))
        .stderr(predicate::function(|s: &str| s.len() < 2000));
    let f = w.write(
        "app.log",
        &format!("level=info msg=ok\nlevel={big} msg=big\n"),
    );
    w.argus()
        .args([
            "ingest",
            "logs",
            "--label",
            "app=a",
            "--label-from",
            "level",
        ])
        .arg(&f)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("app.log:2: "))
        .stderr(predicate::str::contains("100000 bytes long"))
        .stderr(predicate::function(|s: &str| s.len() < 2000));
    let rows = exported(&w);
    assert_eq!(rows.len(), 1, "the line with the huge label is rejected");
}

#[test]
fn times_out_of_range_are_reported_not_stored() {
    let w = Workdir::new();
    let f = w.write(
        "app.log",
        "ts=-9223372036854775808 msg=min\nts=2026-01-01T00:00:00Z msg=ok\nts=3000-01-01T00:00:00Z msg=late\n",
    );
    let before = now_ns();
    w.argus()
        .args(["ingest", "logs", "--label", "app=a", "--time-field", "ts"])
        .arg(&f)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("app.log:1: "))
        .stderr(predicate::str::contains("app.log:3: "))
        .stderr(predicate::str::contains("outside the range"));
    let rows = exported(&w);
    assert_eq!(rows.len(), 3);
    assert!(time_of(&rows, "ts=-9223372036854775808 msg=min") >= before);
    assert!(time_of(&rows, "ts=3000-01-01T00:00:00Z msg=late") >= before);
    // An export record with an impossible time is reported too.
    let w = Workdir::new();
    w.argus()
        .args(["ingest", "logs"])
        .write_stdin(
            "{\"line\":\"x\",\"stream\":{\"app\":\"a\"},\"ts\":\"-9223372036854775808\"}\n",
        )
        .assert()
        .code(4)
        .stderr(predicate::str::contains("<stdin>:1: "))
        .stderr(predicate::str::contains("outside the range"));
}
