//! How a failure surfaces: the exit code of a command and the HTTP status of `argus serve` for
//! the same error. An evaluation limit is neither bad input nor a broken store; a timeout is
//! a limit too; damage in the store is exit 5 and a 500 that says how to repair it.

use super::serve::Server;
use super::support::Workdir;
use serde_json::Value;

/// 20 lines one second apart from 2026-01-01T00:00:00Z in stream `{app="a"}`, and two series
/// `m{i="0"}`, `m{i="1"}` with a sample every minute from the same time.
fn some_data(w: &Workdir) {
    let lines: String = (0..20)
        .map(|i| format!("{} line {i}\n", 1_767_225_600 + i))
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
    let samples: String = (0..20i64)
        .flat_map(|k| {
            (0..2).map(move |i| format!("m{{i=\"{i}\"}} {k} {}\n", (1_767_225_600 + 60 * k) * 1000))
        })
        .collect();
    w.argus()
        .args(["ingest", "--format", "prom"])
        .write_stdin(samples)
        .assert()
        .success();
}

const LOGQL_METRIC: &str = "sum(count_over_time({app=\"a\"}[1m]))";
const RANGE: [&str; 6] = [
    "--from",
    "2026-01-01T00:00:00Z",
    "--to",
    "2026-01-01T00:10:00Z",
    "--step",
    "1m",
];

fn run(w: &Workdir, args: &[&str]) -> (i32, String) {
    let out = w.argus().args(args).output().unwrap();
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn encode(q: &str) -> String {
    form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

#[test]
fn too_many_samples_is_a_limit_not_bad_input_for_promql_and_logql() {
    let w = Workdir::new();
    some_data(&w);
    for query in [LOGQL_METRIC, "sum(m)"] {
        let mut args = vec!["query", query, "--max-samples", "3"];
        args.extend(RANGE);
        let (code, err) = run(&w, &args);
        assert_eq!(code, 1, "{query}: {err}");
        assert!(
            err.contains("too many samples") && err.contains("--max-samples"),
            "{query}: {err}"
        );
        // The same query within the default limit answers.
        let mut args = vec!["query", query];
        args.extend(RANGE);
        assert_eq!(run(&w, &args).0, 0, "{query}");
    }

    let s = Server::start(&w, &["--self-scrape-interval", "0s", "--max-samples", "3"]);
    let range = "&start=1767225600&end=1767226200&step=60";
    // LogQL on Loki's API: a plain-text 422.
    let (code, body) = s.get(&format!(
        "/loki/api/v1/query_range?query={}{range}",
        encode(LOGQL_METRIC)
    ));
    assert_eq!(code, 422, "{body}");
    assert!(body.contains("too many samples"), "{body}");
    // PromQL on Prometheus' API: 422 `execution`.
    let (code, body) = s.get(&format!(
        "/api/v1/query_range?query={}{range}",
        encode("sum(m)")
    ));
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (code, v["errorType"].as_str()),
        (422, Some("execution")),
        "{body}"
    );
    assert!(s.stop().success());
}

#[test]
fn a_query_past_its_timeout_exits_1_naming_the_flag() {
    let w = Workdir::new();
    some_data(&w);
    for query in [LOGQL_METRIC, "sum(m)"] {
        let mut args = vec!["query", query, "--timeout", "0s"];
        args.extend(RANGE);
        let (code, err) = run(&w, &args);
        assert_eq!(code, 1, "{query}: {err}");
        assert!(
            err.contains("timed out") && err.contains("--timeout"),
            "{query}: {err}"
        );
    }
}

/// Flips one byte of the only part of `area` (`metrics` or `logs`), inside its first chunk or
/// block (the header is 16 bytes).
fn damage_the_part(w: &Workdir, area: &str) {
    let dir = w.store().join(area).join("parts");
    let parts: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(parts.len(), 1, "{parts:?}");
    let mut bytes = std::fs::read(&parts[0]).unwrap();
    bytes[20] ^= 0x55;
    std::fs::write(&parts[0], bytes).unwrap();
}

#[test]
fn damage_is_exit_5_and_a_500_that_says_how_to_repair() {
    let w = Workdir::new();
    some_data(&w);
    damage_the_part(&w, "metrics");
    damage_the_part(&w, "logs");
    let advice =
        |text: &str| text.contains("argus store check") && text.contains("argus store repair");
    let log_query = "{app=\"a\"}";
    for query in ["sum(m)", LOGQL_METRIC, log_query] {
        let mut args = vec!["query", query];
        args.extend(RANGE);
        let (code, err) = run(&w, &args);
        assert_eq!(code, 5, "{query}: {err}");
        assert!(advice(&err), "{query}: {err}");
    }

    let s = Server::start(&w, &["--self-scrape-interval", "0s"]);
    let range = "&start=1767225600&end=1767226200&step=60";
    let (code, body) = s.get(&format!(
        "/api/v1/query_range?query={}{range}",
        encode("sum(m)")
    ));
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (code, v["errorType"].as_str()),
        (500, Some("internal")),
        "{body}"
    );
    assert!(advice(v["error"].as_str().unwrap()), "{body}");
    for query in [LOGQL_METRIC, log_query] {
        let (code, body) = s.get(&format!(
            "/loki/api/v1/query_range?query={}{range}",
            encode(query)
        ));
        assert_eq!(code, 500, "{query}: {body}");
        assert!(advice(&body), "{query}: {body}");
    }
    assert!(s.stop().success());
}
