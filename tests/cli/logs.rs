//! Logs from the command line: `ingest logs` from files and stdin, the bad-input rules and
//! exit codes, `export --logs`, and `store info/check/compact` over logs.

use super::support::{argus_bin, stdout_of, Workdir};
use predicates::prelude::*;

fn exported(w: &Workdir, args: &[&str]) -> Vec<serde_json::Value> {
    let mut a = vec!["export", "--logs", "--from", "0"];
    a.extend_from_slice(args);
    stdout_of(w.argus(), &a)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn json_lines_from_stdin_with_promoted_labels_times_and_metadata() {
    let w = Workdir::new();
    let input = concat!(
        "{\"ts\":\"2026-01-01T00:00:00Z\",\"level\":\"info\",\"req\":\"r1\",\"msg\":\"hello\"}\n",
        "{\"ts\":\"2026-01-01T00:00:02Z\",\"level\":\"error\",\"req\":\"r2\",\"msg\":\"boom\"}\n",
        "{\"ts\":\"2026-01-01T00:00:01Z\",\"level\":\"info\",\"req\":\"r3\",\"msg\":\"late\"}\n",
    );
    w.argus()
        .args([
            "ingest",
            "logs",
            "--label",
            "app=api",
            "--label-from",
            "level",
        ])
        .args(["--time-field", "ts", "--metadata-from", "req"])
        .write_stdin(input)
        .assert()
        .success()
        .stderr(predicate::str::contains("stored 3 lines"));
    let rows = exported(&w, &["{app=\"api\"}"]);
    assert_eq!(rows.len(), 3);
    // Stream by stream (labels sorted: level=error first), each in time order.
    assert_eq!(rows[0]["stream"]["level"], "error");
    assert_eq!(rows[1]["ts"], "1767225600000000000");
    assert_eq!(rows[2]["ts"], "1767225601000000000");
    assert_eq!(rows[2]["metadata"]["req"], "r3");
    let raw = stdout_of(
        w.argus(),
        &[
            "export",
            "--logs",
            "--from",
            "0",
            "-o",
            "raw",
            "{level=\"error\"}",
        ],
    );
    assert!(
        raw.contains("\"msg\":\"boom\"") && raw.lines().count() == 1,
        "{raw}"
    );
}

#[test]
fn bad_lines_are_reported_with_file_and_line_and_exit_4() {
    let w = Workdir::new();
    let mut content = b"2026-01-01T00:00:00Z ok\nnot a time\n".to_vec();
    content.extend_from_slice(b"2026-01-01T00:00:01Z bad \xff byte\n");
    content.extend_from_slice(format!("{}\n", "x".repeat(100)).as_bytes());
    let f = w.path("app.log");
    std::fs::write(&f, &content).unwrap();
    w.argus()
        .args([
            "ingest",
            "logs",
            "--label",
            "app=a",
            "--time-format",
            "rfc3339",
        ])
        .args(["--max-line-bytes", "50"])
        .arg(&f)
        .assert()
        .code(4)
        .stderr(predicate::str::contains(
            "app.log:2: no timestamp at the start of the line: kept with the time of arrival",
        ))
        .stderr(predicate::str::contains(
            "app.log:3: invalid UTF-8 at byte 26",
        ))
        .stderr(predicate::str::contains(
            "app.log:4: line of 100 bytes is longer than the limit of 50",
        ));
    let rows = exported(&w, &[]);
    assert_eq!(rows.len(), 3, "the long line is not stored");
}

#[test]
fn label_explosion_stops_the_ingest_and_stores_nothing() {
    let w = Workdir::new();
    let input: String = (0..50).map(|i| format!("user={i} msg=hi\n")).collect();
    w.argus()
        .args(["ingest", "logs", "--label", "app=a", "--label-from", "user"])
        .args(["--max-streams", "10"])
        .write_stdin(input.clone())
        .assert()
        .code(3)
        .stderr(predicate::str::contains("<stdin>:11: more than 10 streams"));
    assert!(exported(&w, &[]).is_empty());
    // Within the bound the ingest succeeds, and the id-like label is pointed out.
    let input: String = (0..30).map(|i| format!("user={i:012x} msg=hi\n")).collect();
    w.argus()
        .args(["ingest", "logs", "--label", "app=a", "--label-from", "user"])
        .write_stdin(input)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "label user has 30 distinct values in 30 streams: it looks like a unique id",
        ));
    w.argus()
        .args(["ingest", "logs"])
        .write_stdin("x\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("give at least one --label"));
}

#[test]
fn store_info_check_and_compact_cover_logs() {
    let w = Workdir::new();
    for i in 0..3 {
        let lines: String = (0..200)
            .map(|j| {
                format!(
                    "{} level=info msg=\"request {j} of batch {i}\"\n",
                    1_767_225_600 + i * 1000 + j
                )
            })
            .collect();
        w.argus()
            .args([
                "ingest",
                "logs",
                "--label",
                "app=a",
                "--time-format",
                "unix",
            ])
            .write_stdin(lines)
            .assert()
            .success();
    }
    let info = stdout_of(w.argus(), &["store", "info", "-o", "json"]);
    let info: serde_json::Value = serde_json::from_str(&info).unwrap();
    assert_eq!(info["logs"]["entries"], 600);
    assert_eq!(info["logs"]["parts"], 3);
    assert_eq!(info["logs"]["min_time"], "2026-01-01T00:00:00Z");
    w.argus().args(["store", "compact"]).assert().success();
    let info = stdout_of(w.argus(), &["store", "info", "-o", "json"]);
    let info: serde_json::Value = serde_json::from_str(&info).unwrap();
    assert_eq!(info["logs"]["parts"], 1);
    assert_eq!(info["logs"]["entries"], 600);
    w.argus().args(["store", "check"]).assert().success();
    // Damage one byte of the log part: check names it and exits 5.
    let parts = w.store().join("logs/parts");
    let part = std::fs::read_dir(&parts)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut bytes = std::fs::read(&part).unwrap();
    bytes[20] ^= 0x55;
    std::fs::write(&part, bytes).unwrap();
    w.argus()
        .args(["store", "check"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("checksum mismatch"));
}

#[test]
fn concurrent_log_ingests_lose_nothing() {
    let w = Workdir::new();
    let children: Vec<_> = (0..6)
        .map(|i| {
            let mut c = std::process::Command::new(argus_bin())
                .env("ARGUS_STORE", w.store())
                .args(["-q", "ingest", "logs", "--label", &format!("app=p{i}")])
                .stdin(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write;
            let lines: String = (0..500).map(|j| format!("writer {i} line {j}\n")).collect();
            c.stdin.take().unwrap().write_all(lines.as_bytes()).unwrap();
            c
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    assert_eq!(exported(&w, &[]).len(), 3000);
}
