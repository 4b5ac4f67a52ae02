//! `argus serve`: the real server on a free loopback port, asked over HTTP the way Grafana,
//! promtool, remote_write senders and log shippers ask; then killed (`SIGTERM` and `kill -9`)
//! to check what it promised to keep.

use super::support::{argus_bin, serve_fixture, stdout_of, Workdir};
use argus::http::proto;
use prost::Message;
use serde_json::Value;
use std::io::{Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

/// A running `argus serve` (also used by `errors.rs`).
pub(super) struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    url: String,
    stderr: std::path::PathBuf,
}

impl Server {
    pub(super) fn start(w: &Workdir, extra: &[&str]) -> Server {
        let stderr = w.path(&format!("serve-{}.err", rand_suffix()));
        let child = Command::new(argus_bin())
            .env("ARGUS_STORE", w.store())
            .env_remove("XDG_DATA_HOME")
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr).expect("stderr file"))
            .spawn()
            .expect("start argus serve");
        let mut s = Server {
            child,
            url: String::new(),
            stderr,
        };
        for _ in 0..500 {
            let text = std::fs::read_to_string(&s.stderr).unwrap_or_default();
            if let Some(i) = text.find("listening on http") {
                let rest = &text[i + "listening on ".len()..];
                s.url = rest.split_whitespace().next().unwrap().to_string();
                return s;
            }
            if let Ok(Some(status)) = s.child.try_wait() {
                panic!("argus serve exited with {status}: {text}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("argus serve did not start");
    }

    pub(super) fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// `http://127.0.0.1:PORT`
    pub(super) fn url(&self) -> &str {
        &self.url
    }

    pub(super) fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, Vec<u8>) {
        http(method, &format!("{}{path}", self.url), headers, body)
    }

    pub(super) fn get(&self, path: &str) -> (u16, String) {
        let (code, body) = self.request("GET", path, &[], b"");
        (code, String::from_utf8_lossy(&body).into_owned())
    }

    /// GET that must answer 200 with JSON.
    pub(super) fn json(&self, path: &str) -> Value {
        let (code, body) = self.get(path);
        assert_eq!(code, 200, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
    }

    pub(super) fn post_form(&self, path: &str, form: &str) -> (u16, Value) {
        let (code, body) = self.request(
            "POST",
            path,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            form.as_bytes(),
        );
        (code, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    pub(super) fn signal(&self, sig: i32) {
        // SAFETY: kill has no memory-safety preconditions; the pid is our child's.
        unsafe {
            libc::kill(self.child.id() as i32, sig);
        }
    }

    /// SIGTERM, then the exit status.
    pub(super) fn stop(mut self) -> ExitStatus {
        self.signal(libc::SIGTERM);
        for _ in 0..1000 {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("argus serve did not stop on SIGTERM: {}", self.stderr());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// One HTTP request with reqwest on a private runtime.
fn http(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, Vec<u8>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let mut req = client
            .request(method.parse().unwrap(), url)
            .body(body.to_vec());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let code = resp.status().as_u16();
        (code, resp.bytes().await.unwrap().to_vec())
    })
}

/// Polls `f` until it returns `Some`, at most about 10 s.
fn eventually<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    for _ in 0..200 {
        if let Some(v) = f() {
            return v;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for {what}");
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

const EXPOSITION: &str = "# HELP http_requests_total Requests served.
# TYPE http_requests_total counter
http_requests_total{code=\"200\",job=\"api\"} 10 1700000000000
http_requests_total{code=\"200\",job=\"api\"} 20 1700000060000
http_requests_total{code=\"500\",job=\"api\"} 1 1700000000000
http_requests_total{code=\"500\",job=\"api\"} 3 1700000060000
";

fn ingest_exposition(w: &Workdir) {
    let f = w.write("metrics.prom", EXPOSITION);
    w.argus().arg("ingest").arg(&f).assert().success();
}

#[test]
fn prometheus_query_api_answers_like_prometheus() {
    let w = Workdir::new();
    ingest_exposition(&w);
    let s = Server::start(&w, &["--self-scrape-interval", "0s"]);

    let v = s.json("/api/v1/query?query=sum(http_requests_total)&time=1700000060");
    assert_eq!(v["status"], "success");
    assert_eq!(v["data"]["resultType"], "vector");
    assert_eq!(v["data"]["result"][0]["value"][1], "23");
    assert_eq!(v["data"]["result"][0]["value"][0], 1700000060);

    // Grafana and promtool POST forms; stats on request.
    let (code, v) = s.post_form(
        "/api/v1/query_range",
        "query=sum+by+(code)(rate(http_requests_total%5B2m%5D))&start=1700000060&end=1700000120&step=60&stats=all",
    );
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["data"]["resultType"], "matrix");
    let result = v["data"]["result"].as_array().unwrap();
    assert_eq!(result.len(), 2);
    assert_eq!(result[0]["metric"]["code"], "200");
    assert!(
        v["data"]["stats"]["samples"]["totalQueryableSamples"]
            .as_u64()
            .unwrap()
            > 0
    );

    // argus' columns: the same points, one per step, as numbers.
    let (code, v) = s.post_form(
        "/api/v1/query_range",
        "query=sum+by+(code)(rate(http_requests_total%5B2m%5D))&start=1700000000&end=1700000120&step=60&format=columns",
    );
    assert_eq!(code, 200, "{v}");
    assert_eq!(
        (&v["data"]["start"], &v["data"]["step"]),
        (&serde_json::json!(1700000000), &serde_json::json!(60))
    );
    let (_, pairs) = s.post_form(
        "/api/v1/query_range",
        "query=sum+by+(code)(rate(http_requests_total%5B2m%5D))&start=1700000000&end=1700000120&step=60",
    );
    for (c, p) in v["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .zip(pairs["data"]["result"].as_array().unwrap())
    {
        assert_eq!(c["metric"], p["metric"]);
        let points = c["points"].as_array().unwrap();
        assert_eq!(points.len(), 3, "{c}");
        let mut want = vec![serde_json::Value::Null; 3];
        for pair in p["values"].as_array().unwrap() {
            let i = (pair[0].as_i64().unwrap() - 1700000000) / 60;
            let x: f64 = pair[1].as_str().unwrap().parse().unwrap();
            want[i as usize] = serde_json::json!(x);
        }
        assert_eq!(points, &want);
    }
    // A format argus does not have is refused, not answered in Prometheus' shape.
    let (code, v) = s.post_form(
        "/api/v1/query_range",
        "query=up&start=1&end=5&step=1&format=column",
    );
    assert_eq!((code, v["errorType"].as_str()), (400, Some("bad_data")));
    assert!(v["error"].as_str().unwrap().contains("\"column\""), "{v}");

    // Grafana's "Save & test".
    let (code, v) = s.post_form("/api/v1/query", "query=1%2B1&time=4");
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["data"]["result"], serde_json::json!([4, "2"]));

    let v = s.json("/api/v1/series?match[]=http_requests_total&start=1699999000&end=1700001000");
    assert_eq!(v["data"].as_array().unwrap().len(), 2);
    let v = s.json("/api/v1/labels");
    assert_eq!(v["data"], serde_json::json!(["__name__", "code", "job"]));
    let v = s.json("/api/v1/label/code/values?match[]=http_requests_total");
    assert_eq!(v["data"], serde_json::json!(["200", "500"]));
    let v = s.json("/api/v1/label/code/values?limit=1");
    assert_eq!(v["data"], serde_json::json!(["200"]));
    assert_eq!(v["warnings"][0], "results truncated due to limit");
    let v = s.json("/api/v1/label/__name__/values");
    assert_eq!(v["data"], serde_json::json!(["http_requests_total"]));
    let v = s.json("/api/v1/metadata?metric=http_requests_total");
    assert_eq!(v["data"]["http_requests_total"][0]["type"], "counter");
    assert_eq!(
        v["data"]["http_requests_total"][0]["help"],
        "Requests served."
    );
    let v = s.json("/api/v1/format_query?query=sum(rate(x%5B5m%5D))by(a)");
    assert_eq!(v["data"], "sum by (a) (rate(x[5m]))");
    let v = s.json("/api/v1/query_exemplars?query=up&start=1&end=2");
    assert_eq!(v["data"], serde_json::json!([]));

    // Errors: Prometheus' status codes and errorTypes.
    let (code, v) = s.post_form("/api/v1/query", "query=sum(");
    assert_eq!(code, 400);
    assert_eq!(v["errorType"], "bad_data");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .starts_with("invalid parameter \"query\""),
        "{v}"
    );
    let (code, v) = s.post_form(
        "/api/v1/query",
        "query=label_replace(http_requests_total,\"code\",\"x\",\"\",\"\")&time=1700000060",
    );
    assert_eq!(code, 422, "{v}");
    assert_eq!(v["errorType"], "execution");
    let (code, v) = s.post_form("/api/v1/query_range", "query=up&start=10&end=5&step=1");
    assert_eq!((code, v["errorType"].as_str()), (400, Some("bad_data")));
    let (code, v) = s.post_form(
        "/api/v1/query_range",
        "query=up%5B5m%5D&start=1&end=5&step=1",
    );
    assert_eq!(code, 400);
    assert!(v["error"].as_str().unwrap().contains("range vector"), "{v}");
    let (code, v) = s.post_form("/api/v1/query_range", "query=up&start=0&end=100000&step=1");
    assert_eq!(code, 400);
    assert!(
        v["error"].as_str().unwrap().contains("11,000 points"),
        "{v}"
    );
    let (code, body) = s.get("/api/v1/series");
    assert_eq!(code, 400);
    assert!(body.contains("no match[] parameter provided"), "{body}");
    let (code, body) = s.get("/api/v1/series?match[]=%7Bfoo%3D%22%22%7D");
    assert_eq!(code, 400, "{body}");

    // Status and operations endpoints.
    let v = s.json("/api/v1/status/buildinfo");
    assert!(v["data"]["version"].is_string());
    assert!(
        v["data"].get("features").is_none(),
        "Grafana would take argus for Mimir"
    );
    assert!(s.json("/api/v1/status/config")["data"]["yaml"].is_string());
    assert_eq!(
        s.json("/api/v1/status/flags")["data"]["listen"],
        "127.0.0.1:0"
    );
    assert!(s.json("/api/v1/status/runtimeinfo")["data"]["startTime"].is_string());
    assert_eq!(s.get("/-/healthy").0, 200);
    assert_eq!(s.get("/-/ready").0, 200);
    assert_eq!(s.get("/ready").0, 200);
    assert_eq!(s.get("/no/such/thing").0, 404);
    let (code, text) = s.get("/metrics");
    assert_eq!(code, 200);
    assert!(text.contains("argus_http_requests_total{"), "{text}");
    assert!(
        text.contains("argus_query_duration_seconds_count{api=\"prometheus\""),
        "{text}"
    );
    assert!(s.stop().success());
}

fn snappy(b: &[u8]) -> Vec<u8> {
    snap::raw::Encoder::new().compress_vec(b).unwrap()
}

fn write_request(name: &str, instance: &str, samples: &[(i64, f64)]) -> Vec<u8> {
    let req = proto::WriteRequest {
        timeseries: vec![proto::TimeSeries {
            labels: vec![
                proto::Label {
                    name: "__name__".into(),
                    value: name.into(),
                },
                proto::Label {
                    name: "instance".into(),
                    value: instance.into(),
                },
            ],
            samples: samples
                .iter()
                .map(|&(t, v)| proto::Sample {
                    value: v,
                    timestamp: t,
                })
                .collect(),
            histograms: vec![],
        }],
        metadata: vec![],
    };
    snappy(&req.encode_to_vec())
}

const REMOTE_WRITE_HEADERS: &[(&str, &str)] = &[
    ("Content-Type", "application/x-protobuf"),
    ("Content-Encoding", "snappy"),
    ("X-Prometheus-Remote-Write-Version", "0.1.0"),
];

#[test]
fn remote_write_is_acknowledged_only_once_durable() {
    let w = Workdir::new();
    let s = Server::start(&w, &["--self-scrape-interval", "0s"]);
    let now = now_ms();
    // Concurrent senders, as a Prometheus' remote_write shards are.
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let url = format!("{}/api/v1/write", s.url);
            std::thread::spawn(move || {
                let body = write_request(
                    "pushed",
                    &format!("i{i}"),
                    &[(now - 1000, i as f64), (now, i as f64 + 0.5)],
                );
                http("POST", &url, REMOTE_WRITE_HEADERS, &body).0
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 204);
    }
    // Readable at once through the server...
    let v = s.json("/api/v1/query?query=count(pushed)");
    assert_eq!(v["data"]["result"][0]["value"][1], "8");
    let (code, text) = s.get("/federate?match[]=pushed");
    assert_eq!(code, 200);
    assert!(text.contains("# TYPE pushed untyped\n"), "{text}");
    assert!(
        text.contains(&format!("pushed{{instance=\"i3\"}} 3.5 {now}\n")),
        "{text}"
    );

    let (_, metrics) = s.get("/metrics");
    assert!(
        metrics.contains("argus_ingested_samples_total{source=\"remote_write\"} 16\n"),
        "{metrics}"
    );

    // A malformed body is refused with the reason, and nothing of it is stored.
    let (code, body) = s.request("POST", "/api/v1/write", REMOTE_WRITE_HEADERS, b"not snappy");
    assert_eq!(code, 400, "{}", String::from_utf8_lossy(&body));
    assert!(String::from_utf8_lossy(&body).contains("snappy"));

    // remote_write 2.0 gets 415, so that a 2.0 sender falls back to 1.0.
    let (code, _) = s.request(
        "POST",
        "/api/v1/write",
        &[
            (
                "Content-Type",
                "application/x-protobuf;proto=io.prometheus.write.v2.Request",
            ),
            ("Content-Encoding", "snappy"),
        ],
        &write_request("v2", "x", &[(now, 1.0)]),
    );
    assert_eq!(code, 415);

    // kill -9: everything acknowledged is in the store, readable without the server.
    s.signal(libc::SIGKILL);
    drop(s);
    let out = stdout_of(w.argus(), &["query", "count(pushed)", "-o", "csv"]);
    assert!(out.lines().any(|l| l.ends_with(",8")), "{out}");
    w.argus().args(["store", "check"]).assert().success();
}

fn loki_range(s: &Server, query: &str, extra: &str) -> Value {
    let q: String = form_urlencoded::byte_serialize(query.as_bytes()).collect();
    s.json(&format!(
        "/loki/api/v1/query_range?query={q}&start=1000000000&end=2000000000&limit=5000&direction=forward{extra}"
    ))
}

fn lines_of(v: &Value) -> Vec<String> {
    let mut all: Vec<(i64, String)> = Vec::new();
    for stream in v["data"]["result"].as_array().unwrap() {
        for e in stream["values"].as_array().unwrap() {
            all.push((
                e[0].as_str().unwrap().parse().unwrap(),
                e[1].as_str().unwrap().to_string(),
            ));
        }
    }
    all.sort();
    all.into_iter().map(|(_, l)| l).collect()
}

#[test]
fn loki_push_in_every_encoding_reads_back_line_for_line() {
    let w = Workdir::new();
    let s = Server::start(
        &w,
        &["--self-scrape-interval", "0s", "--max-line-bytes", "1000"],
    );
    let json = br#"{"streams":[{"stream":{"app":"api","level":"info"},"values":[
        ["1500000000000000000","GET /a 200"],
        ["1500000001000000000","GET /b 500",{"trace_id":"abc"}]]}]}"#;
    let (code, body) = s.request(
        "POST",
        "/loki/api/v1/push",
        &[("Content-Type", "application/json")],
        json,
    );
    assert_eq!(code, 204, "{}", String::from_utf8_lossy(&body));

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(
        br#"{"streams":[{"stream":{"app":"web"},"values":[["1500000002000000000","gzip line"]]}]}"#,
    )
    .unwrap();
    let gz = gz.finish().unwrap();
    let (code, _) = s.request(
        "POST",
        "/loki/api/v1/push",
        &[
            ("Content-Type", "application/json"),
            ("Content-Encoding", "gzip"),
        ],
        &gz,
    );
    assert_eq!(code, 204);

    let req = proto::PushRequest {
        streams: vec![proto::StreamAdapter {
            labels: "{app=\"api\", level=\"error\"}".into(),
            entries: (0..3)
                .map(|i| proto::EntryAdapter {
                    timestamp: Some(proto::Timestamp {
                        seconds: 1_500_000_003 + i,
                        nanos: 7,
                    }),
                    line: format!("proto line {i}"),
                    structured_metadata: vec![],
                })
                .collect(),
        }],
    };
    let (code, _) = s.request(
        "POST",
        "/loki/api/v1/push",
        &[("Content-Type", "application/x-protobuf")],
        &snappy(&req.encode_to_vec()),
    );
    assert_eq!(code, 204);

    let v = loki_range(&s, "{app=~\".+\"}", "");
    assert_eq!(
        lines_of(&v),
        [
            "GET /a 200",
            "GET /b 500",
            "gzip line",
            "proto line 0",
            "proto line 1",
            "proto line 2"
        ]
    );
    // Structured metadata is part of an entry's labels in the plain answer shape.
    let v = loki_range(&s, "{app=\"api\"} |= \"/b\"", "");
    assert_eq!(v["data"]["result"][0]["stream"]["trace_id"], "abc");
    assert_eq!(
        v["data"]["result"][0]["values"][0][0],
        "1500000001000000000"
    );
    // Loki's categorized labels (Grafana asks for them): streams by their own labels, each
    // entry with its structured metadata and parsed labels as a third element.
    let q: String = form_urlencoded::byte_serialize(
        b"{app=\"api\"} |~ \"GET /[ab]\" | regexp \"GET /(?P<path>.)\"",
    )
    .collect();
    let (code, body) = s.request(
        "GET",
        &format!(
            "/loki/api/v1/query_range?query={q}&start=1500000000&end=1600000000&direction=forward"
        ),
        &[("X-Loki-Response-Encoding-Flags", "categorize-labels")],
        b"",
    );
    assert_eq!(code, 200);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        v["data"]["encodingFlags"],
        serde_json::json!(["categorize-labels"])
    );
    assert_eq!(
        v["data"]["result"],
        serde_json::json!([{"stream": {"app": "api", "level": "info"}, "values": [
            ["1500000000000000000", "GET /a 200", {"parsed": {"path": "a"}}],
            ["1500000001000000000", "GET /b 500",
                {"structuredMetadata": {"trace_id": "abc"}, "parsed": {"path": "b"}}],
        ]}])
    );
    // Backward with a limit keeps the newest.
    let v = loki_range(&s, "{app=\"api\"}", "").clone();
    assert_eq!(lines_of(&v).len(), 5);
    let q: String = form_urlencoded::byte_serialize(b"{app=\"api\"}").collect();
    let v = s.json(&format!(
        "/loki/api/v1/query_range?query={q}&start=1500000000&end=1600000000&limit=2"
    ));
    assert_eq!(lines_of(&v), ["proto line 1", "proto line 2"]);
    // One line per 2 s at most.
    let v = loki_range(&s, "{app=\"api\"}", "&interval=2s");
    assert_eq!(lines_of(&v), ["GET /a 200", "proto line 0", "proto line 2"]);

    // Metric queries: a range gives a matrix, an instant query a vector.
    let q: String =
        form_urlencoded::byte_serialize(b"sum by (level) (count_over_time({app=\"api\"}[10s]))")
            .collect();
    let v = s.json(&format!(
        "/loki/api/v1/query_range?query={q}&start=1500000000&end=1500000010&step=5s"
    ));
    assert_eq!(v["data"]["resultType"], "matrix");
    let series = v["data"]["result"].as_array().unwrap();
    assert_eq!(series.len(), 2, "{v}");
    assert_eq!(series[0]["metric"]["level"], "error");
    assert_eq!(series[1]["values"][0], serde_json::json!([1500000000, "1"]));
    // The same in argus' columns.
    let v = s.json(&format!(
        "/loki/api/v1/query_range?query={q}&start=1500000000&end=1500000010&step=5s&format=columns"
    ));
    assert_eq!(v["data"]["start"], 1500000000);
    assert_eq!(v["data"]["step"], 5);
    assert_eq!(v["data"]["result"][1]["points"][0], 1);
    assert_eq!(
        v["data"]["result"][1]["points"].as_array().unwrap().len(),
        3
    );
    let q: String =
        form_urlencoded::byte_serialize(b"sum(count_over_time({app=\"api\"}[1h]))").collect();
    let v = s.json(&format!("/loki/api/v1/query?query={q}&time=1500000100"));
    assert_eq!(v["data"]["result"][0]["value"][1], "5");
    let v = s.json("/loki/api/v1/query?query=vector(1)%2Bvector(1)&time=4");
    assert_eq!(v["data"]["result"][0]["value"][1], "2");
    let (code, text) = s.get("/loki/api/v1/query?query=%7Bapp%3D%22api%22%7D");
    assert_eq!(code, 400);
    assert!(
        text.contains("log queries are not supported as an instant query"),
        "{text}"
    );
    let (code, text) = s.get("/loki/api/v1/query_range?query=%7Bapp%3D%22api%22&limit=5");
    assert_eq!(code, 400);
    assert!(text.contains("parse error"), "{text}");
    let (code, text) = s.get("/loki/api/v1/query_range?query=%7Bapp%3D%22api%22%7D&limit=6000");
    assert_eq!(code, 400);
    assert!(text.contains("max entries limit"), "{text}");

    // Labels, values, series, stats, detected labels, build info.
    let range = "start=1500000000&end=1600000000";
    assert_eq!(
        s.json(&format!("/loki/api/v1/labels?{range}"))["data"],
        serde_json::json!(["app", "level"])
    );
    assert_eq!(
        s.json(&format!("/loki/api/v1/label/app/values?{range}"))["data"],
        serde_json::json!(["api", "web"])
    );
    assert_eq!(
        s.json(&format!(
            "/loki/api/v1/label/level/values?{range}&query=%7Bapp%3D%22api%22%7D"
        ))["data"],
        serde_json::json!(["error", "info"])
    );
    let v = s.json(&format!(
        "/loki/api/v1/series?{range}&match[]=%7Bapp%3D%22api%22%7D"
    ));
    assert_eq!(v["data"].as_array().unwrap().len(), 2);
    let v = s.json(&format!("/loki/api/v1/series?{range}"));
    assert_eq!(v["data"].as_array().unwrap().len(), 3);
    let v = s.json(&format!(
        "/loki/api/v1/index/stats?{range}&query=%7Bapp%3D%22api%22%7D"
    ));
    assert_eq!(
        (v["streams"].as_u64(), v["entries"].as_u64()),
        (Some(2), Some(5))
    );
    let v = s.json(&format!("/loki/api/v1/detected_labels?{range}"));
    assert!(
        v["detectedLabels"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"label":"app","cardinality":2})),
        "{v}"
    );
    assert!(s.json("/loki/api/v1/status/buildinfo")["version"]
        .as_str()
        .unwrap()
        .starts_with('3'));

    // A request with one bad stream is refused whole: its good stream is not stored either.
    let mixed = br#"{"streams":[
        {"stream":{"app":"new"},"values":[["1500000009000000000","should not be stored"]]},
        {"stream":{"bad-name":"x"},"values":[["1500000009000000000","x"]]}]}"#;
    let (code, body) = s.request(
        "POST",
        "/loki/api/v1/push",
        &[("Content-Type", "application/json")],
        mixed,
    );
    assert_eq!(code, 400);
    assert!(String::from_utf8_lossy(&body).contains("bad-name"));
    let long = format!(
        r#"{{"streams":[{{"stream":{{"app":"new"}},"values":[["1500000009000000000","{}"]]}}]}}"#,
        "x".repeat(2000)
    );
    let (code, body) = s.request(
        "POST",
        "/loki/api/v1/push",
        &[("Content-Type", "application/json")],
        long.as_bytes(),
    );
    assert_eq!(code, 400);
    assert!(String::from_utf8_lossy(&body).contains("max entry size '1000'"));
    let (code, _) = s.request(
        "POST",
        "/loki/api/v1/push",
        &[("Content-Type", "application/json")],
        br#"{"streams":[{"stream":{"app":"new"},"values":[[1500000009000000000,"number time"]]}]}"#,
    );
    assert_eq!(code, 400);
    assert_eq!(lines_of(&loki_range(&s, "{app=\"new\"}", "")).len(), 0);
    let (_, text) = s.get("/metrics");
    assert!(
        text.contains("argus_push_rejected_total{api=\"loki_push\",code=\"400\"} 3"),
        "{text}"
    );
    assert!(s.stop().success());
}

#[test]
fn push_limits_and_bearer_token() {
    let w = Workdir::new();
    let token = w.write("token", "s3cret\n");
    let s = Server::start(
        &w,
        &[
            "--self-scrape-interval",
            "0s",
            "--push-token-file",
            token.to_str().unwrap(),
            "--max-body-bytes",
            "2000",
        ],
    );
    let body = br#"{"streams":[{"stream":{"app":"a"},"values":[["1500000000000000000","x"]]}]}"#;
    let json = ("Content-Type", "application/json");
    assert_eq!(s.request("POST", "/loki/api/v1/push", &[json], body).0, 401);
    assert_eq!(
        s.request(
            "POST",
            "/loki/api/v1/push",
            &[json, ("Authorization", "Bearer wrong")],
            body
        )
        .0,
        401
    );
    assert_eq!(
        s.request(
            "POST",
            "/loki/api/v1/push",
            &[json, ("Authorization", "Bearer s3cret")],
            body
        )
        .0,
        204
    );
    // The scheme name is case-insensitive.
    assert_eq!(
        s.request(
            "POST",
            "/loki/api/v1/push",
            &[json, ("Authorization", "bearer s3cret")],
            body
        )
        .0,
        204
    );
    let rw = write_request("m", "a", &[(1, 1.0)]);
    assert_eq!(
        s.request("POST", "/api/v1/write", REMOTE_WRITE_HEADERS, &rw)
            .0,
        401
    );
    let big = vec![b' '; 5000];
    let (code, body) = s.request(
        "POST",
        "/loki/api/v1/push",
        &[json, ("Authorization", "Bearer s3cret")],
        &big,
    );
    assert_eq!(code, 413);
    let body = String::from_utf8_lossy(&body);
    assert!(
        body.contains("5000 bytes") && body.contains("--max-body-bytes"),
        "{body}"
    );
    // Queries need no token.
    assert_eq!(s.get("/api/v1/query?query=1").0, 200);
    assert!(s.stop().success());
}

/// A WebSocket client just big enough for the tail endpoint: handshake, then text frames.
fn ws_connect(base: &str, path: &str) -> std::net::TcpStream {
    let addr = base.trim_start_matches("http://");
    let mut sock = std::net::TcpStream::connect(addr).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    write!(
        sock,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        sock.read_exact(&mut b).unwrap();
        head.push(b[0]);
    }
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    sock
}

/// Reads one unmasked server frame: (opcode, payload).
fn ws_frame(sock: &mut std::net::TcpStream) -> (u8, Vec<u8>) {
    let mut h = [0u8; 2];
    sock.read_exact(&mut h).unwrap();
    let mut len = (h[1] & 0x7f) as u64;
    if len == 126 {
        let mut l = [0u8; 2];
        sock.read_exact(&mut l).unwrap();
        len = u16::from_be_bytes(l) as u64;
    } else if len == 127 {
        let mut l = [0u8; 8];
        sock.read_exact(&mut l).unwrap();
        len = u64::from_be_bytes(l);
    }
    let mut payload = vec![0u8; len as usize];
    sock.read_exact(&mut payload).unwrap();
    (h[0] & 0x0f, payload)
}

#[test]
fn tail_sends_new_lines_over_a_websocket() {
    let w = Workdir::new();
    let s = Server::start(&w, &["--self-scrape-interval", "0s"]);
    let push = |line: &str| {
        let t = now_ms() * 1_000_000;
        let body =
            format!(r#"{{"streams":[{{"stream":{{"app":"tail"}},"values":[["{t}","{line}"]]}}]}}"#);
        assert_eq!(
            s.request(
                "POST",
                "/loki/api/v1/push",
                &[("Content-Type", "application/json")],
                body.as_bytes()
            )
            .0,
            204
        );
    };
    push("before");
    let mut ws = ws_connect(
        &s.url,
        "/loki/api/v1/tail?query=%7Bapp%3D%22tail%22%7D&limit=10",
    );
    let mut seen: Vec<String> = Vec::new();
    let mut pushed_after = false;
    while seen.len() < 2 {
        let (op, payload) = ws_frame(&mut ws);
        assert_eq!(op, 1, "text frame expected");
        let v: Value = serde_json::from_slice(&payload).unwrap();
        for st in v["streams"].as_array().unwrap() {
            assert_eq!(st["stream"]["app"], "tail");
            for e in st["values"].as_array().unwrap() {
                seen.push(e[1].as_str().unwrap().to_string());
            }
        }
        if !pushed_after {
            push("after");
            pushed_after = true;
        }
    }
    assert_eq!(seen, ["before", "after"]);
    drop(ws);
    assert!(s.stop().success());
}

#[test]
fn scrapes_reloads_and_drains_on_sigterm() {
    let w = Workdir::new();
    let target = serve_fixture("text/plain", "fixture_metric 42\n".to_string());
    let host = target.trim_start_matches("http://").to_string();
    let config = |job: &str| {
        format!("scrape_configs:\n- job_name: {job}\n  scrape_interval: 1s\n  static_configs:\n  - targets: ['{host}']\n")
    };
    let cfg = w.write("prometheus.yml", &config("first"));
    let s = Server::start(
        &w,
        &[
            "--config",
            cfg.to_str().unwrap(),
            "--self-scrape-interval",
            "1s",
        ],
    );
    let healthy = |job: &str| {
        let v = s.json("/api/v1/targets");
        v["data"]["activeTargets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["scrapePool"] == job && t["health"] == "up")
            .then_some(())
    };
    eventually("the first job to be scraped", || healthy("first"));
    eventually("the self-scrape", || healthy("argus"));
    let v = eventually("fixture_metric", || {
        let v = s.json("/api/v1/query?query=fixture_metric");
        (!v["data"]["result"].as_array().unwrap().is_empty()).then_some(v)
    });
    assert_eq!(v["data"]["result"][0]["metric"]["job"], "first");

    // A configuration that does not load is refused; the old one stays in force.
    std::fs::write(&cfg, "scrape_configs: [[[").unwrap();
    let (code, body) = s.request("POST", "/-/reload", &[], b"");
    assert_eq!(code, 500);
    assert!(String::from_utf8_lossy(&body).contains("failed to reload config"));
    assert!(s
        .get("/metrics")
        .1
        .contains("argus_config_last_reload_successful 0"));
    assert!(healthy("first").is_some());

    // SIGHUP reloads a good one.
    std::fs::write(&cfg, config("second")).unwrap();
    s.signal(libc::SIGHUP);
    eventually("the reloaded job to be scraped", || healthy("second"));
    assert!(s.json("/api/v1/status/config")["data"]["yaml"]
        .as_str()
        .unwrap()
        .contains("second"));
    assert!(s
        .get("/metrics")
        .1
        .contains("argus_config_last_reload_successful 1"));

    // Other processes' writes show up while serve runs.
    let f = w.write("late.prom", &format!("late_metric 7 {}\n", now_ms()));
    w.argus().arg("ingest").arg(&f).assert().success();
    eventually("another process' commit", || {
        let v = s.json("/api/v1/query?query=late_metric");
        (v["data"]["result"][0]["value"][1] == "7").then_some(())
    });

    let err = s.stderr.clone();
    let status = s.stop();
    assert_eq!(status.code(), Some(0));
    let text = std::fs::read_to_string(err).unwrap();
    assert!(
        text.contains("stopped; everything acknowledged is stored"),
        "{text}"
    );
    // The scraped series are in the store after the server is gone.
    let out = stdout_of(
        w.argus(),
        &["query", "count(up{job=\"second\"})", "-o", "csv"],
    );
    assert!(out.lines().any(|l| l.ends_with(",1")), "{out}");
}

#[test]
fn bad_flags_and_configs_fail_with_a_message() {
    let w = Workdir::new();
    let cfg = w.write("bad.yml", "scrape_configs: [[[");
    let out = w
        .argus()
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.yml"));
    // A web configuration that cannot be honoured names its file and key.
    let web = w.write("web.yml", "basic_auth_users:\n  alice: hunter2\n");
    let out = w
        .argus()
        .args(["serve", "--listen", "127.0.0.1:0", "--web-config"])
        .arg(&web)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("web.yml") && err.contains("basic_auth_users.alice"),
        "{err}"
    );
    let out = w
        .argus()
        .args(["serve", "--listen", "not-an-address"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen on not-an-address"));
    let out = w
        .argus()
        .args(["serve", "--query-timeout", "soon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--query-timeout"));
    for bad in [["--max-connections", "0"], ["--idle-timeout", "0s"]] {
        let out = w.argus().arg("serve").args(bad).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(bad[0]),
            "{bad:?}"
        );
    }
}

/// One request written by hand on its own connection (`Connection: close`), so that the
/// test decides every header, `Host` included: (status, whole answer).
fn raw_request(url: &str, head: &str, body: &str) -> (u16, String) {
    let addr = url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let text = format!(
        "{head}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(text.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let code = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {out:?}"));
    (code, out)
}

#[test]
fn serve_guards_its_connections_host_names_and_origins() {
    let w = Workdir::new();
    let s = Server::start(
        &w,
        &[
            "--self-scrape-interval",
            "0s",
            "--header-read-timeout",
            "1s",
            "--max-connections",
            "8",
            "--web-allowed-host",
            "grafana.internal",
        ],
    );
    let port = s.url.rsplit(':').next().unwrap().to_string();
    // A client that sends half a request head is disconnected.
    let mut slow = std::net::TcpStream::connect(s.url.trim_start_matches("http://")).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    slow.write_all(b"GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .unwrap();
    let mut rest = Vec::new();
    match slow.read_to_end(&mut rest) {
        Ok(_) => assert!(rest.is_empty(), "{:?}", String::from_utf8_lossy(&rest)),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
    // A name the server was not told about is refused; loopback names and the allowed name
    // are answered.
    let (code, body) = raw_request(
        &s.url,
        &format!("GET /api/v1/labels HTTP/1.1\r\nHost: rebound.example:{port}"),
        "",
    );
    assert_eq!(code, 421, "{body}");
    assert!(
        body.contains("--web-allowed-host rebound.example"),
        "{body}"
    );
    for host in ["grafana.internal", "localhost", "127.0.0.1"] {
        let (code, body) = raw_request(
            &s.url,
            &format!("GET /-/healthy HTTP/1.1\r\nHost: {host}:{port}"),
            "",
        );
        assert_eq!(code, 200, "{host}: {body}");
    }
    // A web page of another origin cannot reload the server.
    let (code, body) = raw_request(
        &s.url,
        &format!(
            "POST /-/reload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://evil.example"
        ),
        "",
    );
    assert_eq!(code, 403, "{body}");
    assert!(body.contains("cross-origin"), "{body}");
    // A JSON push without a Content-Type says what is missing.
    let (code, body) = s.request(
        "POST",
        "/loki/api/v1/push",
        &[],
        br#"{"streams":[{"stream":{"app":"a"},"values":[["1","x"]]}]}"#,
    );
    let body = String::from_utf8_lossy(&body);
    assert_eq!(code, 400, "{body}");
    assert!(
        body.contains("no Content-Type header: send application/json for JSON pushes"),
        "{body}"
    );
    let flags = s.json("/api/v1/status/flags");
    assert_eq!(flags["data"]["max-connections"], "8");
    assert_eq!(flags["data"]["web-allowed-host"], "grafana.internal");
    assert!(s.stop().success());
}

#[test]
fn promtool_queries_argus() {
    let w = Workdir::new();
    ingest_exposition(&w);
    let s = Server::start(&w, &["--self-scrape-interval", "0s"]);
    let promtool = |args: &[&str]| -> String {
        let out = Command::new("promtool")
            .args(["query"])
            .args(args)
            .output()
            .expect("promtool is missing: scripts/install-test-deps installs Debian's prometheus");
        assert!(
            out.status.success(),
            "promtool {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let out = promtool(&[
        "instant",
        &s.url,
        "sum(http_requests_total)",
        "--time=1700000060",
    ]);
    assert_eq!(out.trim(), "{} => 23 @[1700000060]");
    let out = promtool(&[
        "range",
        &s.url,
        "sum(http_requests_total)",
        "--start=1700000000",
        "--end=1700000060",
        "--step=60s",
    ]);
    assert!(
        out.contains("10 @[1700000000]") || out.contains("11 @[1700000000]"),
        "{out}"
    );
    assert!(out.contains("23 @[1700000060]"), "{out}");
    let out = promtool(&[
        "series",
        &s.url,
        "--match=http_requests_total",
        "--start=1699999000",
        "--end=1700001000",
    ]);
    assert_eq!(out.lines().count(), 2, "{out}");
    let out = promtool(&[
        "labels",
        &s.url,
        "code",
        "--start=1699999000",
        "--end=1700001000",
    ]);
    assert_eq!(out.lines().collect::<Vec<_>>(), ["200", "500"]);
    // An API error makes promtool fail, with Prometheus' message.
    let out = Command::new("promtool")
        .args(["query", "instant", &s.url, "sum("])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("parse error"));
    assert!(s.stop().success());
}

/// Runs openssl in the work directory; panics with its stderr when it fails.
fn openssl(w: &Workdir, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(w.dir.path())
        .args(args)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A test CA and a server certificate for 127.0.0.1 signed by it, made with openssl:
/// (CA certificate path, server certificate path, server key path).
fn test_certificates(w: &Workdir) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let openssl = |args: &[&str]| openssl(w, args);
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    openssl(
        &[
            &["req", "-x509"][..],
            &ec,
            &[
                "-days",
                "2",
                "-subj",
                "/CN=argus test CA",
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
            ],
        ]
        .concat(),
    );
    openssl(
        &[
            &["req"][..],
            &ec,
            &[
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
            ],
        ]
        .concat(),
    );
    w.write(
        "server.ext",
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    );
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.crt",
    ]);
    (w.path("ca.crt"), w.path("server.crt"), w.path("server.key"))
}

#[test]
fn web_config_requires_client_certificates_when_asked() {
    let w = Workdir::new();
    let (ca, _, _) = test_certificates(&w);
    // A client certificate from the same CA.
    let run = |args: &[&str]| openssl(&w, args);
    run(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-subj",
        "/CN=client",
        "-keyout",
        "client.key",
        "-out",
        "client.csr",
    ]);
    w.write(
        "client.ext",
        "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
    );
    run(&[
        "x509",
        "-req",
        "-in",
        "client.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "client.ext",
        "-out",
        "client.crt",
    ]);
    let web = w.write(
        "web.yml",
        "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n",
    );
    let s = Server::start(
        &w,
        &[
            "--web-config",
            web.to_str().unwrap(),
            "--self-scrape-interval",
            "0s",
        ],
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let root = reqwest::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap();
    let mut identity = std::fs::read(w.path("client.crt")).unwrap();
    identity.extend(std::fs::read(w.path("client.key")).unwrap());
    let with_cert = reqwest::Client::builder()
        .add_root_certificate(root.clone())
        .identity(reqwest::Identity::from_pem(&identity).unwrap())
        .build()
        .unwrap();
    let without = reqwest::Client::builder()
        .add_root_certificate(root)
        .build()
        .unwrap();
    let url = format!("{}/api/v1/query?query=1", s.url);
    let ok = rt.block_on(async {
        with_cert
            .get(&url)
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    assert_eq!(ok.unwrap(), 200);
    let refused =
        rt.block_on(async { without.get(&url).send().await.map(|r| r.status().as_u16()) });
    assert!(refused.is_err(), "{refused:?}");
    assert!(s.stop().success());
}

#[test]
fn web_config_serves_https_with_basic_auth_and_still_scrapes_itself() {
    let w = Workdir::new();
    let (ca, _, _) = test_certificates(&w);
    let hash = bcrypt::hash("pw", 4).unwrap();
    let web = w.write(
        "web.yml",
        &format!(
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS12\nbasic_auth_users:\n  alice: '{hash}'\n"
        ),
    );
    let s = Server::start(
        &w,
        &[
            "--web-config",
            web.to_str().unwrap(),
            "--self-scrape-interval",
            "1s",
        ],
    );
    assert!(s.url.starts_with("https://"), "{}", s.url);
    let pem = std::fs::read(&ca).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let get = |path: &str, user: Option<(&str, &str)>| -> (u16, String) {
        rt.block_on(async {
            let mut req = client.get(format!("{}{path}", s.url));
            if let Some((u, p)) = user {
                req = req.basic_auth(u, Some(p));
            }
            let resp = req.send().await.unwrap();
            (resp.status().as_u16(), resp.text().await.unwrap())
        })
    };
    assert_eq!(get("/api/v1/query?query=1", None).0, 401);
    assert_eq!(get("/api/v1/query?query=1", Some(("alice", "nope"))).0, 401);
    assert_eq!(get("/api/v1/query?query=1", Some(("mallory", "pw"))).0, 401);
    assert_eq!(get("/metrics", None).0, 401);
    assert_eq!(get("/api/v1/query?query=1", Some(("alice", "pw"))).0, 200);
    // The web UI sits behind the same passwords.
    assert_eq!(get("/query", None).0, 401);
    assert_eq!(get("/assets/app.js", None).0, 401);
    let (code, html) = get("/query", Some(("alice", "pw")));
    assert_eq!(code, 200);
    assert!(html.contains("/assets/app.js?v="), "{html}");
    // Plain HTTP to the TLS port gets no answer.
    let plain = s.url.replacen("https://", "http://", 1);
    let r = rt.block_on(
        reqwest::Client::new()
            .get(format!("{plain}/-/healthy"))
            .send(),
    );
    assert!(r.map(|r| !r.status().is_success()).unwrap_or(true));
    // The server still scrapes itself, under its public address.
    let port = s.url.rsplit(':').next().unwrap().to_string();
    eventually("the self-scrape behind TLS and passwords", || {
        let (code, body) = get(
            "/api/v1/query?query=up%7Bjob%3D%22argus%22%7D",
            Some(("alice", "pw")),
        );
        assert_eq!(code, 200, "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        let r = &v["data"]["result"][0];
        (r["value"][1] == "1").then(|| r["metric"]["instance"].as_str().unwrap().to_string())
    })
    .ends_with(&format!(":{port}"))
    .then_some(())
    .expect("instance is the public address");
    assert!(s.stop().success());
}

#[test]
fn logql_queries_are_answered_with_a_timeout_past_query_timeout() {
    let w = Workdir::new();
    // Enough lines that a regular expression over all of them takes far more than 1 ms.
    let mut lines = String::new();
    for i in 0..100_000 {
        lines.push_str(&format!(
            "level=info i={i} msg=\"request served\" path=/api/{}\n",
            i % 13
        ));
    }
    w.argus()
        .args(["ingest", "logs", "--label", "app=slow"])
        .write_stdin(lines)
        .assert()
        .success();
    let s = Server::start(
        &w,
        &["--self-scrape-interval", "0s", "--query-timeout", "1ms"],
    );
    let q: String = form_urlencoded::byte_serialize(
        b"sum(count_over_time({app=\"slow\"} |~ \"i=[0-9]*7 \" | logfmt [1h]))",
    )
    .collect();
    let (code, body) = s.get(&format!(
        "/loki/api/v1/query_range?query={q}&since=2h&step=60s"
    ));
    assert_eq!(code, 504, "{body}");
    assert!(body.contains("--query-timeout"), "{body}");
    assert!(s.stop().success());
}

#[test]
fn the_web_ui_is_served_compressed_with_cache_headers_and_old_links_redirect() {
    let w = Workdir::new();
    let s = Server::start(&w, &[]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_gzip()
        .build()
        .unwrap();
    let get = |path: &str, headers: &[(&str, &str)]| {
        rt.block_on(async {
            let mut req = client.get(format!("{}{path}", s.url));
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let h = resp.headers().clone();
            (status, h, resp.bytes().await.unwrap().to_vec())
        })
    };
    // Every page answers the UI's HTML; it is revalidated, not cached.
    for page in ["/query", "/logs", "/metrics-explorer"] {
        let (code, h, body) = get(page, &[]);
        assert_eq!(code, 200, "{page}");
        assert_eq!(h["content-type"], "text/html; charset=utf-8");
        assert_eq!(h["cache-control"], "no-cache");
        assert!(String::from_utf8_lossy(&body).contains("<script defer src=\"/assets/app.js?v="));
    }
    // Old links and generatorURLs open the query page with their parameters.
    let (code, h, _) = get("/graph?g0.expr=up&g0.tab=0", &[]);
    assert_eq!(code, 303);
    assert_eq!(h["location"], "/query?g0.expr=up&g0.tab=0");
    let (code, h, _) = get("/", &[]);
    assert_eq!(code, 303);
    assert_eq!(h["location"], "/query");
    // The script: gzip when accepted, kept for a year under its versioned URL.
    let (_, page, _) = get("/query", &[]);
    let etag = page["etag"].to_str().unwrap().trim_matches('"').to_string();
    let versioned = format!("/assets/app.js?v={etag}");
    let (code, h, zipped) = get(&versioned, &[("accept-encoding", "gzip")]);
    assert_eq!(code, 200);
    assert_eq!(h["content-encoding"], "gzip");
    assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
    let (_, h, plain) = get(&versioned, &[]);
    assert!(h.get("content-encoding").is_none());
    assert!(zipped.len() * 2 < plain.len());
    let (_, h, _) = get("/assets/app.css?v=stale", &[]);
    assert_eq!(h["cache-control"], "no-cache");
    // Revalidation answers 304; the whole first load stays under 400 KB compressed.
    let (code, _, _) = get(&versioned, &[("if-none-match", &format!("\"{etag}\""))]);
    assert_eq!(code, 304);
    let (_, _, css) = get("/assets/app.css", &[("accept-encoding", "gzip")]);
    let (_, _, html) = get("/query", &[]);
    let first_load = zipped.len() + css.len() + html.len();
    assert!(first_load < 400_000, "{first_load} bytes");
    let (code, _, _) = get("/assets/nope.js", &[]);
    assert_eq!(code, 404);
    // The APIs' answers are compressed too when the client asks and they are large enough.
    let (code, h, zipped) = get("/metrics", &[("accept-encoding", "gzip")]);
    assert_eq!(code, 200);
    assert_eq!(h["content-encoding"], "gzip");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&zipped[..])
        .read_to_string(&mut text)
        .unwrap();
    assert!(text.contains("argus_build_info"), "{text}");
    let (_, h, plain) = get("/metrics", &[]);
    assert!(h.get("content-encoding").is_none());
    assert!(String::from_utf8_lossy(&plain).contains("argus_build_info"));
    let (_, h, _) = get("/-/healthy", &[("accept-encoding", "gzip")]);
    assert!(
        h.get("content-encoding").is_none(),
        "small answers stay plain"
    );
}
