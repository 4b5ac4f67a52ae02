//! `argus query --server` with LogQL: the request a Loki-compatible server receives and how its
//! answers print. The server here is a stand-in that answers with the bodies Loki's API
//! documents and records what it was asked.

use super::support::{stdout_of, Workdir};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// Serves `body` to every request and records the request lines.
fn stand_in(body: &'static str, status: &'static str) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut length = 0usize;
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                if h.trim().is_empty() {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut rest = vec![0; length];
            reader.read_exact(&mut rest).unwrap();
            log.lock().unwrap().push(request_line.trim().to_string());
            let kind = if body.starts_with('{') {
                "application/json"
            } else {
                "text/plain"
            };
            let _ = write!(
                conn,
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, seen)
}

#[test]
fn log_queries_go_to_the_loki_api_and_print_like_local_ones() {
    let w = Workdir::new();
    let (url, seen) = stand_in(
        r#"{"status":"success","data":{"resultType":"streams","result":[{"stream":{"app":"api"},"values":[["1767225601000000000","second"],["1767225600000000000","first"]]}],"stats":{}}}"#,
        "200 OK",
    );
    let out = stdout_of(
        w.argus(),
        &[
            "query",
            r#"{app="api"} |= "x""#,
            "--server",
            &url,
            "--from",
            "2026-01-01T00:00:00Z",
            "--to",
            "2026-01-01T01:00:00Z",
            "--limit",
            "7",
            "-o",
            "raw",
        ],
    );
    assert_eq!(out, "second\nfirst\n");
    let req = seen.lock().unwrap()[0].clone();
    assert!(req.starts_with("GET /loki/api/v1/query_range?"), "{req}");
    assert!(req.contains("start=1767225600000000000"), "{req}");
    // One line more than --limit, to know whether the limit cut the result.
    assert!(req.contains("limit=8"), "{req}");
    assert!(req.contains("direction=backward"), "{req}");
}

#[test]
fn metric_queries_go_to_the_loki_api_and_bad_queries_exit_3() {
    let w = Workdir::new();
    let (url, seen) = stand_in(
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"level":"error"},"value":[1767225600,"42"]}]}}"#,
        "200 OK",
    );
    let out = stdout_of(
        w.argus(),
        &[
            "query",
            r#"sum by (level) (count_over_time({app="api"} | json [5m]))"#,
            "--server",
            &url,
            "--time",
            "2026-01-01T00:00:00Z",
            "-o",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["result"][0]["value"][1], "42", "{out}");
    let req = seen.lock().unwrap()[0].clone();
    assert!(req.starts_with("GET /loki/api/v1/query?"), "{req}");
    assert!(req.contains("time=1767225600000000000"), "{req}");

    let (url, _) = stand_in(
        "parse error at line 1, col 14: syntax error: unexpected $end",
        "400 Bad Request",
    );
    w.argus()
        .args([
            "query",
            r#"{app="api"} |= "x""#,
            "--server",
            &url,
            "--since",
            "1h",
        ])
        .assert()
        .code(3)
        .stderr(predicates::str::contains("syntax error: unexpected $end"));
}
