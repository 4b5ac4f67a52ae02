//! Cardinality: `argus store cardinality` (table, JSON, CSV, logs) on a store with one
//! exploded label, and the same lists over HTTP: `/api/v1/status/tsdb` in Prometheus' shape
//! (checked against a real Prometheus), `/api/v1/status/logs`, Loki's `index/volume`.

use super::serve::Server;
use super::support::{serve_fixture, stdout_of, Workdir};
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::time::Duration;

/// `api_requests_total` with 100 values of `user_id` (the exploded label), `up` for two jobs,
/// one `node_load1`. Without timestamps when `at` is `None` (for a scrape).
fn exposition(at: Option<i64>) -> String {
    let t = at.map(|t| format!(" {t}")).unwrap_or_default();
    let mut s = String::from("# TYPE api_requests_total counter\n");
    for i in 0..100 {
        s.push_str(&format!(
            "api_requests_total{{job=\"api\",user_id=\"u{i:03}\"}} {i}{t}\n"
        ));
    }
    s.push_str(&format!("up{{job=\"api\"}} 1{t}\nup{{job=\"db\"}} 1{t}\n"));
    s.push_str(&format!("node_load1{{job=\"node\"}} 0.5{t}\n"));
    s
}

const T0: i64 = 1_700_000_000_000;

fn ingest(w: &Workdir) {
    let f = w.write("metrics.prom", &exposition(Some(T0)));
    w.argus().arg("ingest").arg(&f).assert().success();
}

fn stat(pairs: &[(&str, u64)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect(),
    )
}

#[test]
fn store_cardinality_finds_the_exploded_label() {
    let w = Workdir::new();
    ingest(&w);
    let out = stdout_of(
        w.argus(),
        &["store", "cardinality", "--limit", "3", "-o", "json"],
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v,
        json!({
            "headStats": {
                "numSeries": 103, "numLabelPairs": 106, "chunkCount": 103,
                "minTime": T0, "maxTime": T0,
            },
            "seriesCountByMetricName": stat(&[("api_requests_total", 100), ("up", 2), ("node_load1", 1)]),
            "labelValueCountByLabelName": stat(&[("user_id", 100), ("__name__", 3), ("job", 3)]),
            // __name__: 100 x (8 + 18) + 2 x (8 + 2) + (8 + 10); user_id: 100 x (7 + 4);
            // job: 101 x (3 + 3) + (3 + 2) + (3 + 4).
            "memoryInBytesByLabelName": stat(&[("__name__", 2638), ("user_id", 1100), ("job", 618)]),
            "seriesCountByLabelValuePair": stat(&[("job=api", 101), ("__name__=api_requests_total", 100), ("__name__=up", 2)]),
        })
    );

    // The table: the same lists, under headers.
    let out = stdout_of(w.argus(), &["store", "cardinality", "--limit", "2"]);
    let lines: Vec<String> = out
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let expected = [
        "series 103",
        "label pairs 106",
        "chunks 103",
        "from 2023-11-14T22:13:20Z",
        "to 2023-11-14T22:13:20Z",
        "",
        "METRIC NAME SERIES",
        "api_requests_total 100",
        "up 2",
        "",
        "LABEL VALUES",
        "user_id 100",
        "__name__ 3",
        "",
        "LABEL BYTES IN LABEL SETS",
        "__name__ 2638",
        "user_id 1100",
        "",
        "LABEL PAIR SERIES",
        "job=api 101",
        "__name__=api_requests_total 100",
    ];
    assert_eq!(lines, expected, "{out}");
}

#[test]
fn store_cardinality_focus_label_match_and_csv() {
    let w = Workdir::new();
    ingest(&w);
    let out = stdout_of(
        w.argus(),
        &[
            "store",
            "cardinality",
            "--match",
            "{job=~\"api|db\"}",
            "--match",
            "node_load1",
            "--label",
            "job",
            "--limit",
            "2",
            "-o",
            "csv",
        ],
    );
    assert_eq!(
        out,
        "section,name,value
headStats,numSeries,103
headStats,numLabelPairs,106
headStats,chunkCount,103
headStats,minTime,1700000000000
headStats,maxTime,1700000000000
seriesCountByMetricName,api_requests_total,100
seriesCountByMetricName,up,2
labelValueCountByLabelName,user_id,100
labelValueCountByLabelName,__name__,3
memoryInBytesByLabelName,__name__,2638
memoryInBytesByLabelName,user_id,1100
seriesCountByLabelValuePair,job=api,101
seriesCountByLabelValuePair,__name__=api_requests_total,100
seriesCountByFocusLabelValue,api,101
seriesCountByFocusLabelValue,db,1
"
    );
    let out = stdout_of(
        w.argus(),
        &[
            "store",
            "cardinality",
            "--match",
            "up",
            "--label",
            "job",
            "-o",
            "json",
        ],
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["headStats"]["numSeries"], 2);
    assert_eq!(
        v["seriesCountByFocusLabelValue"],
        stat(&[("api", 1), ("db", 1)])
    );

    // A selector that does not parse is the input's fault (exit 3), a zero limit a usage error.
    w.argus()
        .args(["store", "cardinality", "--match", "up{"])
        .assert()
        .code(3);
    w.argus()
        .args(["store", "cardinality", "--limit", "0"])
        .assert()
        .code(2);
}

#[test]
fn store_cardinality_of_log_streams() {
    let w = Workdir::new();
    let mut lines = String::new();
    for i in 0..30 {
        lines.push_str(&format!(
            "{{\"ts\":\"2023-11-14T22:13:{i:02}Z\",\"user\":\"u{}\",\"msg\":\"hello\"}}\n",
            i % 3
        ));
    }
    let f = w.write("app.log", &lines);
    w.argus()
        .args([
            "ingest",
            "logs",
            "--label",
            "app=api",
            "--label-from",
            "user",
        ])
        .arg(&f)
        .assert()
        .success();
    let out = stdout_of(
        w.argus(),
        &[
            "store",
            "cardinality",
            "--logs",
            "--label",
            "user",
            "--limit",
            "2",
            "-o",
            "json",
        ],
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    let head = &v["headStats"];
    assert_eq!(head["numStreams"], 3);
    assert_eq!(head["numLabelPairs"], 4);
    assert_eq!(head["entries"], 30);
    assert_eq!(head["minTime"], T0 - 20_000);
    assert_eq!(head["maxTime"], T0 + 9_000);
    assert_eq!(
        v["labelValueCountByLabelName"],
        stat(&[("user", 3), ("app", 1)])
    );
    assert_eq!(
        v["streamCountByLabelValuePair"],
        stat(&[("app=api", 3), ("user=u0", 1)])
    );
    assert_eq!(
        v["streamCountByFocusLabelValue"],
        stat(&[("u0", 1), ("u1", 1)])
    );
    let bytes = head["bytes"].as_u64().unwrap();
    assert_eq!(
        v["bytesByLabelValuePair"][0],
        json!({"name": "app=api", "value": bytes})
    );
    assert_eq!(v["bytesByStream"][0]["value"].as_u64().unwrap() * 3, bytes);
}

#[test]
fn an_empty_store_answers_zeros() {
    let w = Workdir::new();
    argus::store::Store::open(&w.store()).unwrap();
    let out = stdout_of(w.argus(), &["store", "cardinality", "-o", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v,
        json!({
            "headStats": {"numSeries": 0, "numLabelPairs": 0, "chunkCount": 0, "minTime": 0, "maxTime": 0},
            "seriesCountByMetricName": [], "labelValueCountByLabelName": [],
            "memoryInBytesByLabelName": [], "seriesCountByLabelValuePair": [],
        })
    );
    let out = stdout_of(w.argus(), &["store", "cardinality", "--logs"]);
    assert!(out.contains("(no streams)"), "{out}");
}

/// The names of an object's members, sorted.
fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

/// Each list of a TSDB status is `[{"name","value"}]`, largest value first.
fn assert_sorted_lists(data: &Value) {
    for (key, list) in data.as_object().unwrap() {
        let Some(list) = list.as_array() else {
            continue;
        };
        let values: Vec<u64> = list
            .iter()
            .map(|item| {
                assert_eq!(keys(item), ["name", "value"], "{key}: {item}");
                assert!(item["name"].is_string(), "{key}: {item}");
                item["value"].as_u64().unwrap()
            })
            .collect();
        assert!(
            values.windows(2).all(|w| w[0] >= w[1]),
            "{key} is not sorted: {values:?}"
        );
    }
}

#[test]
fn tsdb_status_over_http_in_prometheus_shape() {
    let w = Workdir::new();
    ingest(&w);
    let s = Server::start(&w, &["--self-scrape-interval", "0s"]);
    let v = s.json("/api/v1/status/tsdb");
    assert_eq!(v["status"], "success");
    let data = &v["data"];
    assert_eq!(
        keys(data),
        [
            "headStats",
            "labelValueCountByLabelName",
            "memoryInBytesByLabelName",
            "seriesCountByLabelValuePair",
            "seriesCountByMetricName",
        ]
    );
    assert_eq!(
        keys(&data["headStats"]),
        [
            "chunkCount",
            "maxTime",
            "minTime",
            "numLabelPairs",
            "numSeries"
        ]
    );
    assert_eq!(data["headStats"]["numSeries"], 103);
    assert_eq!(data["headStats"]["minTime"], T0);
    assert_sorted_lists(data);
    // Ten entries by default.
    assert_eq!(
        data["seriesCountByLabelValuePair"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
    assert_eq!(
        data["labelValueCountByLabelName"][0],
        json!({"name": "user_id", "value": 100})
    );

    // Prometheus 3's limit, VictoriaMetrics' topN, match[] and focusLabel.
    let v = s.json("/api/v1/status/tsdb?limit=1");
    assert_eq!(
        v["data"]["seriesCountByMetricName"],
        stat(&[("api_requests_total", 100)])
    );
    let v = s.json("/api/v1/status/tsdb?topN=2&match[]=up&match[]=node_load1&focusLabel=job");
    assert_eq!(v["data"]["headStats"]["numSeries"], 3);
    assert_eq!(
        v["data"]["seriesCountByFocusLabelValue"],
        stat(&[("api", 1), ("db", 1)])
    );
    let v = s.json("/api/v1/status/tsdb?date=2023-11-14");
    assert_eq!(v["data"]["headStats"]["numSeries"], 103);
    let v = s.json("/api/v1/status/tsdb?date=2023-11-15");
    assert_eq!(v["data"]["headStats"]["numSeries"], 0);

    // A bad limit: 400 with Prometheus' error envelope and message.
    for bad in ["limit=0", "limit=-3", "limit=ten", "topN=0"] {
        let (code, body) = s.get(&format!("/api/v1/status/tsdb?{bad}"));
        assert_eq!(code, 400, "{bad}: {body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            v,
            json!({"status": "error", "errorType": "bad_data", "error": "limit must be a positive number"}),
            "{bad}"
        );
    }
    let (code, body) = s.get("/api/v1/status/tsdb?match[]=up{");
    assert_eq!(code, 400, "{body}");
    s.stop();
}

#[test]
fn an_empty_store_answers_zeros_over_http() {
    let w = Workdir::new();
    let s = Server::start(&w, &["--self-scrape-interval", "0s"]);
    let v = s.json("/api/v1/status/tsdb");
    assert_eq!(
        v["data"],
        json!({
            "headStats": {"numSeries": 0, "numLabelPairs": 0, "chunkCount": 0, "minTime": 0, "maxTime": 0},
            "seriesCountByMetricName": [], "labelValueCountByLabelName": [],
            "memoryInBytesByLabelName": [], "seriesCountByLabelValuePair": [],
        })
    );
    let v = s.json("/api/v1/status/logs");
    assert_eq!(v["data"]["headStats"]["numStreams"], 0);
    assert_eq!(v["data"]["bytesByStream"], json!([]));
    let v = s.json("/loki/api/v1/index/volume?query=%7B%7D");
    assert_eq!(v["data"], json!({"resultType": "vector", "result": []}));
    s.stop();
}

#[test]
fn log_status_and_loki_volume_over_http() {
    let w = Workdir::new();
    let mut lines = String::new();
    for (app, n) in [("api", 20), ("web", 5)] {
        for i in 0..n {
            lines.push_str(&format!(
                "{{\"app\":\"{app}\",\"level\":\"info\",\"msg\":\"m{i:02}\"}}\n"
            ));
        }
    }
    let f = w.write("app.log", &lines);
    w.argus()
        .args([
            "ingest",
            "logs",
            "--label",
            "env=prod",
            "--label-from",
            "app",
            "--time-format",
            "arrival",
        ])
        .arg(&f)
        .assert()
        .success();
    let s = Server::start(&w, &["--self-scrape-interval", "0s"]);
    let v = s.json("/api/v1/status/logs?focusLabel=app");
    let data = &v["data"];
    assert_sorted_lists(data);
    assert_eq!(data["headStats"]["numStreams"], 2);
    assert_eq!(data["headStats"]["entries"], 25);
    assert_eq!(
        data["streamCountByFocusLabelValue"],
        stat(&[("api", 1), ("web", 1)])
    );
    let total = data["headStats"]["bytes"].as_u64().unwrap();
    let api = data["bytesByFocusLabelValue"][0].clone();
    assert_eq!(api["name"], "api");
    assert_eq!(
        data["bytesByLabelValuePair"][0],
        json!({"name": "env=prod", "value": total})
    );
    let (code, body) = s.get("/api/v1/status/logs?match[]=nonsense");
    assert_eq!(code, 400, "{body}");

    // Loki's volume: by the selector's labels, as a vector of bytes stamped at `end`.
    let v =
        s.json("/loki/api/v1/index/volume?query=%7Bapp%3D~%22.%2B%22%7D&start=0&end=2000000000");
    assert_eq!(v["status"], "success");
    assert_eq!(v["data"]["resultType"], "vector");
    let result = v["data"]["result"].as_array().unwrap();
    assert_eq!(result.len(), 2, "{v}");
    assert_eq!(result[0]["metric"], json!({"app": "api"}));
    assert_eq!(result[0]["value"][0], 2_000_000_000);
    assert_eq!(
        result[0]["value"][1],
        api["value"].as_u64().unwrap().to_string()
    );
    // aggregateBy=labels: one series per label name, with an empty value.
    let v =
        s.json("/loki/api/v1/index/volume?query=%7B%7D&aggregateBy=labels&start=0&end=2000000000");
    let result = v["data"]["result"].as_array().unwrap();
    assert_eq!(result.len(), 2, "{v}");
    assert_eq!(result[0]["metric"], json!({"app": ""}));
    assert_eq!(result[0]["value"][1], total.to_string());
    let (code, _) = s.get("/loki/api/v1/index/volume?query=%7B%7D&aggregateBy=streams");
    assert_eq!(code, 400);
    let (code, _) = s.get("/loki/api/v1/index/volume");
    assert_eq!(code, 400);
    s.stop();
}

/// A real Prometheus (Debian's) scraping the same series: argus' answer has the same members,
/// the same list shape and order, and the same top entries for the exploded label.
#[test]
fn tsdb_status_has_the_members_of_a_real_prometheus() {
    let have = Command::new("prometheus")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        have,
        "`prometheus` is missing: run scripts/install-test-deps (installs Debian's prometheus)"
    );
    let w = Workdir::new();
    let target = serve_fixture("text/plain; version=0.0.4", exposition(None));
    let cfg = w.write(
        "prometheus.yml",
        &format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: fixture\n    static_configs:\n      - targets: ['{}']\n",
            target.trim_start_matches("http://")
        ),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", cfg.display()))
        .arg(format!("--storage.tsdb.path={}", w.path("prom").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prometheus");
    let _prometheus = super::support::Spawned(child);
    // Asked only once the series are in: Prometheus keeps a status answer for 30 s.
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let scraped = (0..300).any(|_| {
        let v = get_json(&format!("{base}/query?query=count(api_requests_total)"));
        let done = v.is_some_and(|v| v["data"]["result"][0]["value"][1] == "100");
        if !done {
            std::thread::sleep(Duration::from_millis(100));
        }
        done
    });
    assert!(scraped, "Prometheus never scraped the fixture");
    let theirs = get_json(&format!("{base}/status/tsdb")).expect("Prometheus' TSDB status");

    ingest(&w);
    let s = Server::start(&w, &["--self-scrape-interval", "0s"]);
    let ours = s.json("/api/v1/status/tsdb");
    s.stop();
    assert_eq!(keys(&ours), keys(&theirs));
    assert_eq!(ours["status"], theirs["status"]);
    assert_eq!(keys(&ours["data"]), keys(&theirs["data"]));
    assert_eq!(
        keys(&ours["data"]["headStats"]),
        keys(&theirs["data"]["headStats"])
    );
    assert_sorted_lists(&theirs["data"]);
    assert_sorted_lists(&ours["data"]);
    for (list, top) in [
        (
            "seriesCountByMetricName",
            json!({"name": "api_requests_total", "value": 100}),
        ),
        (
            "labelValueCountByLabelName",
            json!({"name": "user_id", "value": 100}),
        ),
    ] {
        assert_eq!(theirs["data"][list][0], top, "Prometheus' {list}");
        assert_eq!(ours["data"][list][0], top, "argus' {list}");
    }
    // Label pairs are written name=value by both.
    let pairs = |v: &Value| -> Vec<String> {
        v["data"]["seriesCountByLabelValuePair"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(pairs(&theirs).contains(&"__name__=api_requests_total".to_string()));
    assert!(pairs(&ours).contains(&"__name__=api_requests_total".to_string()));
}

fn get_json(url: &str) -> Option<Value> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    rt.block_on(async {
        let resp = reqwest::get(url).await.ok()?;
        if !resp.status().is_success() {
            return None;
        }
        resp.json::<Value>().await.ok()
    })
}
