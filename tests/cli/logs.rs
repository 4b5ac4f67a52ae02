//! Logs from the command line: `ingest logs` from files and stdin, the bad-input rules and
//! exit codes, `export --logs`, and `store info/check/compact` over logs.

use super::support::{argus_bin, stdout_of, Rng, Workdir};
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

/// 2000 nginx-like lines over 2000 s from 2026-01-01, one with a rare order id.
fn nginx_logs(w: &Workdir) {
    let lines: String = (0..2000)
        .map(|i| {
            let extra = if i == 1234 { " order=XJ-99421-ZQ" } else { "" };
            format!(
                "{} GET /api/items/{} status={}{extra}\n",
                1_767_225_600 + i,
                i % 97,
                if i % 50 == 0 { 500 } else { 200 }
            )
        })
        .collect();
    w.argus()
        .args([
            "ingest",
            "logs",
            "--label",
            "app=nginx",
            "--time-format",
            "unix",
        ])
        .write_stdin(lines)
        .assert()
        .success();
}

#[test]
fn log_queries_filter_limit_and_order_lines() {
    let w = Workdir::new();
    nginx_logs(&w);
    let range = [
        "--from",
        "2026-01-01T00:00:00Z",
        "--to",
        "2026-01-02T00:00:00Z",
    ];
    // Default: logcli-like lines, newest first, at most --limit.
    let out = stdout_of(
        w.argus(),
        &[
            &["query", "{app=\"nginx\"} |= \"status=500\"", "--limit", "3"][..],
            &range[..],
        ]
        .concat(),
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].starts_with("2026-01-01T00:32:30.000000000Z {app=\"nginx\"} 1767227550 GET"),
        "{out}"
    );
    assert!(lines[2].contains("1767227450"), "{out}");
    // Forward, raw lines.
    let out = stdout_of(
        w.argus(),
        &[
            &[
                "query",
                "{app=\"nginx\"} |~ \"items/(1|2) \" != \"status=500\"",
                "--direction",
                "forward",
                "-o",
                "raw",
                "--limit",
                "1000",
            ][..],
            &range[..],
        ]
        .concat(),
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 41, "{out}");
    assert!(
        lines[0].starts_with("1767225601 GET /api/items/1 "),
        "{out}"
    );
    // JSON shaped like Loki's API.
    let out = stdout_of(
        w.argus(),
        &[
            &["query", "{app=\"nginx\"}", "--limit", "2", "-o", "json"][..],
            &range[..],
        ]
        .concat(),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["resultType"], "streams");
    assert_eq!(v["result"][0]["stream"]["app"], "nginx");
    assert_eq!(v["result"][0]["values"][0][0], "1767227599000000000");
    assert_eq!(v["result"][0]["values"].as_array().unwrap().len(), 2);
}

#[test]
fn metric_queries_count_parse_and_aggregate_log_lines() {
    let w = Workdir::new();
    nginx_logs(&w);
    // 2000 lines from 00:00:00 to 00:33:19; 40 of them have status=500. Windows are
    // left-open, so the hour before 00:59 holds them all.
    let instant = |q: &str| {
        let out = stdout_of(
            w.argus(),
            &["query", q, "--time", "2026-01-01T00:59:00Z", "-o", "json"],
        );
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let v = instant(r#"sum by (status) (count_over_time({app="nginx"} | logfmt [1h]))"#);
    assert_eq!(v["resultType"], "vector", "{v}");
    let mut got: Vec<(String, String)> = v["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["metric"]["status"].as_str().unwrap().to_string(),
                r["value"][1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![("200".into(), "1960".into()), ("500".into(), "40".into())]
    );
    // A label filter on a parsed number, and arithmetic between two range aggregations.
    let v = instant(
        r#"sum(count_over_time({app="nginx"} | logfmt | status >= 500 [1h])) / sum(count_over_time({app="nginx"}[1h]))"#,
    );
    assert_eq!(v["result"][0]["value"][1], "0.02", "{v}");
    // A range query: one point per step, the series named by the stream's labels.
    let out = stdout_of(
        w.argus(),
        &[
            "query",
            r#"count_over_time({app="nginx"} |= "status=500" [10m])"#,
            "--from",
            "2026-01-01T00:10:00Z",
            "--to",
            "2026-01-01T00:40:00Z",
            "--step",
            "10m",
            "-o",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["resultType"], "matrix", "{v}");
    assert_eq!(v["result"][0]["metric"]["app"], "nginx");
    let values: Vec<&str> = v["result"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[1].as_str().unwrap())
        .collect();
    // (0:00, 0:10] holds i = 50..600 step 50 at 500 (i=0 is at the left edge): 12, then 12,
    // then 12, then the last 3 minutes 20 s: 3.
    assert_eq!(values, vec!["12", "12", "12", "3"], "{v}");
    // A pipeline error stops a metric query and says how to skip it.
    w.argus()
        .args([
            "query",
            r#"count_over_time({app="nginx"} | json [1h])"#,
            "--time",
            "2026-01-01T00:59:00Z",
        ])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("pipeline error: 'JSONParserErr'"))
        .stderr(predicate::str::contains("Use a label filter"));
    // The same query with the error skipped on purpose.
    let v = instant(
        r#"count_over_time({app="nginx"} | json | __error__!="" | drop __error__, __error_details__ [1h])"#,
    );
    assert_eq!(v["result"][0]["value"][1], "2000", "{v}");
    // Log queries with parsers regroup lines by their labels.
    let out = stdout_of(
        w.argus(),
        &[
            "query",
            r#"{app="nginx"} | logfmt | status="500" | line_format "{{.status}} at {{__timestamp__ | unixEpoch}}""#,
            "--from",
            "2026-01-01T00:00:00Z",
            "--to",
            "2026-01-01T00:01:00Z",
            "-o",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["result"][0]["stream"]["status"], "500", "{v}");
    // Newest first, Loki's default direction.
    assert_eq!(v["result"][0]["values"][0][1], "500 at 1767225650", "{v}");
    assert_eq!(v["result"][0]["values"][1][1], "500 at 1767225600", "{v}");
}

#[test]
fn a_rare_needle_reads_few_blocks_and_stats_say_so() {
    let w = Workdir::new();
    nginx_logs(&w);
    let out = w
        .argus()
        .args([
            "query",
            "{app=\"nginx\"} |= \"XJ-99421-ZQ\"",
            "--since",
            "10000d",
            "--stats",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("order=XJ-99421-ZQ"));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("streams                1"), "{stderr}");
    assert!(
        stderr.lines().any(|l| l.trim_start().starts_with("blocks")),
        "{stderr}"
    );
}

#[test]
fn line_format_without_a_parser_formats_lines_of_many_blocks() {
    // Enough lines for several blocks, each decoded on a worker thread: the query used to
    // panic on every worker and leave the command hanging.
    let w = Workdir::new();
    let n = 40_000;
    let pad = "-".repeat(50);
    let lines: String = (1..=n).map(|i| format!("log line {i} {pad}\n")).collect();
    w.argus()
        .args(["ingest", "logs", "--label", "app=a"])
        .write_stdin(lines)
        .assert()
        .success();
    let limit = n.to_string();
    let query = |q: &str| {
        stdout_of(
            w.argus(),
            &[
                "query", "--logql", q, "--since", "1h", "--limit", &limit, "-o", "raw",
            ],
        )
    };
    // Lines stored in the same nanosecond that format alike are one entry, as in Loki.
    let out = query(r#"{app="a"} | line_format "x""#);
    assert!(!out.is_empty() && out.lines().all(|l| l == "x"));
    let out = query(r#"{app="a"} | line_format "{{ __line__ }}!""#);
    let mut got: Vec<&str> = out.lines().collect();
    got.sort_unstable();
    let mut want: Vec<String> = (1..=n).map(|i| format!("log line {i} {pad}!")).collect();
    want.sort_unstable();
    assert_eq!(got, want);
}

#[test]
fn deep_queries_are_refused_and_deep_lines_and_long_chains_are_answered() {
    let w = Workdir::new();
    // One stored line of objects nested 6,000 deep: `| json` flattens it.
    let deep = format!(
        r#"{}{{"b":1}}{}"#,
        r#"{"a":"#.repeat(5_999),
        "}".repeat(5_999)
    );
    w.argus()
        .args(["ingest", "logs", "--label", "app=a"])
        .write_stdin(format!("{deep}\nplain\n"))
        .assert()
        .success();
    let out = stdout_of(
        w.argus(),
        &[
            "query",
            "--logql",
            r#"{app="a"} | json"#,
            "--since",
            "1h",
            "-o",
            "json",
        ],
    );
    assert!(
        out.contains(&format!("{}b", "a_".repeat(5_999))),
        "{}",
        &out[..200]
    );
    let nested = format!(
        "{}count_over_time({{app=\"a\"}}[1h]){}",
        "(".repeat(2_000),
        ")".repeat(2_000)
    );
    w.argus()
        .args(["query", "--logql", &nested, "--since", "1h"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("nested more than"));
    let chain = vec![r#"count_over_time({app="a"}[1h])"#; 1_000].join(" + ");
    let out = stdout_of(
        w.argus(),
        &["query", "--logql", &chain, "--since", "1h", "-o", "json"],
    );
    assert!(out.contains(r#""2000""#), "{out}");
}

#[test]
fn the_language_is_detected_or_chosen() {
    let w = Workdir::new();
    nginx_logs(&w);
    // A bare selector that matches log streams and no series is LogQL.
    let out = stdout_of(
        w.argus(),
        &[
            "query",
            "{app=\"nginx\"}",
            "--since",
            "10000d",
            "--limit",
            "1",
            "-o",
            "raw",
        ],
    );
    assert!(out.contains("GET /api/items"), "{out}");
    // --promql reads it as PromQL: no series.
    w.argus()
        .args(["query", "{app=\"nginx\"}", "--promql", "-o", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"result\":[]"));
    w.argus()
        .args(["query", "{app=\"nginx\"} |= ", "--logql"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "invalid LogQL query: parse error at line 1",
        ));
}

#[test]
fn kill_9_at_random_moments_loses_no_acknowledged_log_write() {
    use std::process::{Command, Stdio};
    let w = Workdir::new();
    // Fixed seed: the same moments every run.
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut acknowledged = Vec::new();
    let mut attempted = Vec::new();
    for round in 0..15 {
        // Three log writers and a compaction at once; one of them is killed at a random moment.
        let mut children = Vec::new();
        for k in 0..3 {
            let id = round * 10 + k;
            let lines: String = (0..3000)
                .map(|j| {
                    format!(
                        "{} batch={id} line={j} {}\n",
                        1_767_225_600 + j,
                        "x".repeat(40)
                    )
                })
                .collect();
            let input = w.write(&format!("in-{id}.log"), &lines);
            let child = Command::new(argus_bin())
                .args([
                    "-q",
                    "ingest",
                    "logs",
                    "--label",
                    &format!("batch=b{id}"),
                    "--time-format",
                    "unix",
                ])
                .arg(&input)
                .env("ARGUS_STORE", w.store())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            children.push((Some(id), child));
            attempted.push(id);
        }
        let compact = Command::new(argus_bin())
            .args(["-q", "store", "compact"])
            .env("ARGUS_STORE", w.store())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        children.push((None, compact));
        std::thread::sleep(std::time::Duration::from_micros(rng.next() % 60_000));
        let victim = (rng.next() % children.len() as u64) as usize;
        unsafe { libc::kill(children[victim].1.id() as i32, libc::SIGKILL) };
        for (id, mut c) in children {
            let status = c.wait().unwrap();
            if let (Some(id), true) = (id, status.success()) {
                acknowledged.push(id);
            }
        }
    }
    // The store verifies clean and holds every acknowledged batch in full; an interrupted
    // batch is absent or complete (a commit is all-or-nothing).
    w.argus().args(["store", "check"]).assert().success();
    let mut per: std::collections::BTreeMap<String, usize> = Default::default();
    for row in exported(&w, &[]) {
        *per.entry(row["stream"]["batch"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    for id in &acknowledged {
        assert_eq!(
            per.get(&format!("b{id}")),
            Some(&3000),
            "acknowledged batch {id}: {per:?}"
        );
    }
    for id in &attempted {
        let n = per.get(&format!("b{id}")).copied().unwrap_or(0);
        assert!(n == 0 || n == 3000, "batch {id} half-stored: {n}");
    }
    assert!(
        acknowledged.len() >= 15,
        "too few writers survived to prove anything"
    );
}

#[test]
fn tail_prints_new_matching_lines_as_they_are_stored() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let w = Workdir::new();
    w.argus()
        .args(["ingest", "logs", "--label", "app=t"])
        .write_stdin("old line 1\nold error 2\n")
        .assert()
        .success();
    let mut tail = Command::new(argus_bin())
        .env("ARGUS_STORE", w.store())
        .args([
            "query",
            "{app=\"t\"} |= \"error\"",
            "--tail",
            "--since",
            "1h",
            "-o",
            "raw",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = tail.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let next = || {
        rx.recv_timeout(std::time::Duration::from_secs(20))
            .expect("a line from --tail")
    };
    assert_eq!(next(), "old error 2");
    // Lines stored by another process show up; lines that do not match do not.
    w.argus()
        .args(["ingest", "logs", "--label", "app=t"])
        .write_stdin("new info 3\nnew error 4\n")
        .assert()
        .success();
    assert_eq!(next(), "new error 4");
    w.argus()
        .args(["ingest", "logs", "--label", "app=t"])
        .write_stdin("new error 5\n")
        .assert()
        .success();
    assert_eq!(next(), "new error 5");
    tail.kill().unwrap();
    tail.wait().unwrap();
}

/// The raw lines of stream `{app=...}`, oldest first.
fn stored_lines(w: &Workdir, app: &str) -> Vec<String> {
    stdout_of(
        w.argus(),
        &[
            "query",
            &format!("{{app=\"{app}\"}}"),
            "--logql",
            "--since",
            "1h",
            "--limit",
            "1000",
            "--direction",
            "forward",
            "-o",
            "raw",
        ],
    )
    .lines()
    .map(str::to_string)
    .collect()
}

#[test]
fn a_positions_file_lets_each_run_store_only_new_complete_lines() {
    let w = Workdir::new();
    let log = w.write("app.log", "one\ntwo\nthree\n");
    let pos = w.path("positions.json");
    let run = || {
        w.argus()
            .args(["ingest", "logs", "--label", "app=p", "--positions"])
            .arg(&pos)
            .arg(&log)
            .assert()
            .success()
    };
    run();
    run();
    assert_eq!(stored_lines(&w, "p"), ["one", "two", "three"]);
    // A line still being written (no newline yet) waits for the next run.
    std::fs::write(&log, "one\ntwo\nthree\nfour\nfiv").unwrap();
    run().stderr(predicate::str::contains("stored 1 lines"));
    std::fs::write(&log, "one\ntwo\nthree\nfour\nfive\n").unwrap();
    run().stderr(predicate::str::contains("stored 1 lines"));
    assert_eq!(
        stored_lines(&w, "p"),
        ["one", "two", "three", "four", "five"]
    );
    // A new file at the same path (rotation) is read from its start.
    std::fs::rename(&log, w.path("app.log.1")).unwrap();
    std::fs::write(&log, "six\n").unwrap();
    run();
    assert_eq!(stored_lines(&w, "p").len(), 6);
    // A broken positions file is named, and nothing is stored.
    std::fs::write(&pos, "{oops").unwrap();
    w.argus()
        .args(["ingest", "logs", "--label", "app=p", "--positions"])
        .arg(&pos)
        .arg(&log)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("positions.json"));
}

#[test]
fn follow_reads_growing_files_across_rotation_and_truncation() {
    use std::process::{Command, Stdio};
    let w = Workdir::new();
    let log = w.write("app.log", "first\n");
    // The polling reads below refuse a store that does not exist yet.
    w.argus()
        .args(["ingest", "--format", "prom"])
        .write_stdin("")
        .assert()
        .success();
    let mut follow = super::support::Spawned(
        Command::new(argus_bin())
            .env("ARGUS_STORE", w.store())
            .args(["ingest", "logs", "--label", "app=f", "--follow"])
            .arg(&log)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // Waits (polling the store) until the stream holds `n` lines; the bound only keeps a
    // broken build from hanging the suite.
    let wait_for = |n: usize| {
        for _ in 0..600 {
            if stored_lines(&w, "f").len() >= n {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("only {:?} stored", stored_lines(&w, "f"));
    };
    wait_for(1);
    let append = |p: &std::path::Path, s: &str| {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(p)
            .unwrap();
        f.write_all(s.as_bytes()).unwrap();
    };
    append(&log, "second\n");
    wait_for(2);
    // logrotate's rename-and-create: the old file's last lines, then the new file.
    std::fs::rename(&log, w.path("app.log.1")).unwrap();
    append(&w.path("app.log.1"), "third, late in the old file\n");
    append(&log, "fourth, in the new file\n");
    wait_for(4);
    // copytruncate: the file is emptied in place and written again.
    std::fs::write(&log, "").unwrap();
    append(&log, "fifth, after truncation\n");
    wait_for(5);
    // SIGTERM commits what was read and exits 0.
    Command::new("kill")
        .args(["-TERM", &follow.id().to_string()])
        .status()
        .unwrap();
    let status = follow.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert_eq!(
        stored_lines(&w, "f"),
        [
            "first",
            "second",
            "third, late in the old file",
            "fourth, in the new file",
            "fifth, after truncation"
        ]
    );
}
