//! Scraping against tiny local HTTP servers: the request Prometheus would send, text and
//! OpenMetrics bodies, gzip, failures (500, timeout, refused port, oversized body) that
//! never stop the other targets, staleness across one-shot runs, the loop's shutdown, and a
//! loop following a target file that changes between its rounds.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use argus::model::{is_stale_nan, Labels, MetricType};
use argus::scrape::{
    parse_config, run_loop, scrape_once, targets_from_urls, Discovery, MemoryScrapeSink, ScrapeJob,
    ScrapeOptions,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What a fixture server answers.
#[derive(Clone)]
struct Resp {
    status: u16,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    gzip: bool,
    delay: Duration,
}

impl Resp {
    fn ok(content_type: &'static str, body: &str) -> Resp {
        Resp {
            status: 200,
            content_type: Some(content_type),
            body: body.as_bytes().to_vec(),
            gzip: false,
            delay: Duration::ZERO,
        }
    }
}

/// A server that answers every request with the current `Resp` and records the request
/// heads it received.
struct Server {
    addr: SocketAddr,
    resp: Arc<Mutex<Resp>>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    async fn start(resp: Resp) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let resp = Arc::new(Mutex::new(resp));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (r, q) = (resp.clone(), requests.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let (r, q) = (r.clone(), q.clone());
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    q.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&buf).into_owned());
                    let resp = r.lock().unwrap().clone();
                    tokio::time::sleep(resp.delay).await;
                    let body = if resp.gzip {
                        use std::io::Write;
                        let mut enc = flate2::write::GzEncoder::new(
                            Vec::new(),
                            flate2::Compression::default(),
                        );
                        enc.write_all(&resp.body).unwrap();
                        enc.finish().unwrap()
                    } else {
                        resp.body.clone()
                    };
                    let reason = match resp.status {
                        200 => "OK",
                        401 => "Unauthorized",
                        500 => "Internal Server Error",
                        _ => "Whatever",
                    };
                    let mut head = format!(
                        "HTTP/1.1 {} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n",
                        resp.status,
                        body.len()
                    );
                    if let Some(ct) = resp.content_type {
                        head.push_str(&format!("Content-Type: {ct}\r\n"));
                    }
                    if resp.gzip {
                        head.push_str("Content-Encoding: gzip\r\n");
                    }
                    head.push_str("\r\n");
                    let _ = sock.write_all(head.as_bytes()).await;
                    let _ = sock.write_all(&body).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        Server {
            addr,
            resp,
            requests,
        }
    }

    fn url(&self) -> String {
        format!("http://{}/metrics", self.addr)
    }

    fn set_body(&self, body: &str) {
        self.resp.lock().unwrap().body = body.as_bytes().to_vec();
    }

    fn last_request(&self) -> String {
        self.requests
            .lock()
            .unwrap()
            .last()
            .cloned()
            .unwrap_or_default()
    }
}

const TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";
const OM: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

const NODE_BODY: &str = "\
# HELP node_load1 1m load average.
# TYPE node_load1 gauge
node_load1 0.5
# HELP http_requests_total Requests.
# TYPE http_requests_total counter
http_requests_total{code=\"200\",instance=\"exposed\"} 10
http_requests_total{code=\"500\"} 1
";

fn jobs(urls: &[String]) -> Vec<ScrapeJob> {
    targets_from_urls(urls, "argus", 15_000, 2_000).unwrap()
}

fn value(sink: &MemoryScrapeSink, name: &str, instance: &str) -> f64 {
    sink.samples
        .iter()
        .rev()
        .find(|(l, _, _)| l.metric_name() == Some(name) && l.get("instance") == Some(instance))
        .unwrap_or_else(|| panic!("no {name} for {instance}: {:?}", sink.samples))
        .2
}

#[tokio::test]
async fn text_format_scrape_stores_samples_with_target_labels() {
    let s = Server::start(Resp::ok(TEXT, NODE_BODY)).await;
    let mut sink = MemoryScrapeSink::new();
    let report = scrape_once(
        &jobs(&[s.url()]),
        &mut sink,
        1_000_000,
        &ScrapeOptions::default(),
    )
    .await;
    assert!(report.all_up(), "{:?}", report.failures());
    let inst = s.addr.to_string();
    let t = &report.targets[0];
    assert_eq!(
        (t.samples_scraped, t.samples_post_relabel, t.series_added),
        (3, 3, 3)
    );
    assert_eq!(t.instance, inst);

    let load = sink.samples_named("node_load1");
    assert_eq!(load.len(), 1);
    assert_eq!(
        load[0].0,
        Labels::from_pairs([
            ("__name__", "node_load1"),
            ("instance", inst.as_str()),
            ("job", "argus")
        ])
    );
    assert_eq!((load[0].1, load[0].2), (1_000_000, 0.5));
    // The exposed `instance` conflicts with the target's: it becomes `exported_instance`.
    let req = sink.samples_named("http_requests_total");
    assert_eq!(req[0].0.get("exported_instance"), Some("exposed"));
    assert_eq!(req[0].0.get("instance"), Some(inst.as_str()));

    assert_eq!(value(&sink, "up", &inst), 1.0);
    assert_eq!(value(&sink, "scrape_samples_scraped", &inst), 3.0);
    assert_eq!(
        value(&sink, "scrape_samples_post_metric_relabeling", &inst),
        3.0
    );
    assert_eq!(value(&sink, "scrape_series_added", &inst), 3.0);
    assert!(value(&sink, "scrape_duration_seconds", &inst) >= 0.0);
    let md = sink
        .metadata
        .iter()
        .find(|m| m.metric == "http_requests_total")
        .unwrap();
    assert_eq!(
        (md.kind, md.help.as_str()),
        (MetricType::Counter, "Requests.")
    );

    let head = s.last_request().to_ascii_lowercase();
    assert!(head.starts_with("get /metrics http/1.1\r\n"), "{head}");
    assert!(head.contains("accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\n"), "{head}");
    assert!(head.contains("accept-encoding: gzip"), "{head}");
    assert!(
        head.contains("x-prometheus-scrape-timeout-seconds: 2\r\n"),
        "{head}"
    );
    assert!(
        head.contains(&format!(
            "user-agent: argus/{}\r\n",
            env!("CARGO_PKG_VERSION")
        )),
        "{head}"
    );
}

#[tokio::test]
async fn openmetrics_and_gzip() {
    let mut resp = Resp::ok(
        OM,
        "# TYPE build info\nbuild_info{version=\"1\"} 1 1700000000.250\n# EOF\n",
    );
    resp.gzip = true;
    let s = Server::start(resp).await;
    let mut sink = MemoryScrapeSink::new();
    let report = scrape_once(
        &jobs(&[s.url()]),
        &mut sink,
        1_800_000_000_000,
        &Default::default(),
    )
    .await;
    assert!(report.all_up(), "{:?}", report.failures());
    let b = sink.samples_named("build_info");
    // honor_timestamps defaults to true: the exposed timestamp is kept.
    assert_eq!((b[0].1, b[0].2), (1_700_000_000_250, 1.0));
    assert_eq!(sink.metadata[0].kind, MetricType::Info);
}

#[tokio::test]
async fn failures_are_reported_and_never_stop_other_targets() {
    let good = Server::start(Resp::ok(TEXT, "a 1\n")).await;
    let mut e500 = Resp::ok(TEXT, "oops");
    e500.status = 500;
    let bad = Server::start(e500).await;
    let mut slow = Resp::ok(TEXT, "a 1\n");
    slow.delay = Duration::from_secs(30);
    let slow = Server::start(slow).await;
    let broken = Server::start(Resp::ok(TEXT, "a{ 1\n")).await;
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/metrics", l.local_addr().unwrap())
    };
    let mut js = targets_from_urls(
        &[
            good.url(),
            bad.url(),
            slow.url(),
            refused.clone(),
            broken.url(),
        ],
        "mixed",
        1000,
        300,
    )
    .unwrap();
    js[0].targets[2].timeout_ms = 200;
    let mut sink = MemoryScrapeSink::new();
    let report = scrape_once(&js, &mut sink, 5000, &Default::default()).await;
    let up: Vec<bool> = report.targets.iter().map(|t| t.up).collect();
    assert_eq!(up, [true, false, false, false, false]);
    let errs: Vec<&str> = report
        .targets
        .iter()
        .map(|t| t.error.as_deref().unwrap_or(""))
        .collect();
    assert!(
        errs[1].contains("HTTP status 500 Internal Server Error"),
        "{}",
        errs[1]
    );
    assert!(errs[2].contains("timed out after 200ms"), "{}", errs[2]);
    assert!(!errs[3].is_empty(), "refused port must fail");
    assert!(errs[4].contains("line 1:"), "{}", errs[4]);
    // Every target has its `up` series, failed or not.
    assert_eq!(sink.samples_named("up").len(), 5);
    let failures = report.failures();
    assert_eq!(failures.len(), 4);
    assert!(
        failures[2].starts_with(&format!("{refused} (job mixed): ")),
        "{failures:?}"
    );
}

#[tokio::test]
async fn body_size_limit() {
    let s = Server::start(Resp::ok(TEXT, &"a 1\n".repeat(1000))).await;
    let mut sink = MemoryScrapeSink::new();
    let opts = ScrapeOptions {
        body_size_limit: 100,
        ..Default::default()
    };
    let report = scrape_once(&jobs(&[s.url()]), &mut sink, 1, &opts).await;
    assert!(report.targets[0]
        .error
        .as_deref()
        .unwrap()
        .contains("body size limit exceeded"));
}

#[tokio::test]
async fn staleness_across_one_shot_runs() {
    let s = Server::start(Resp::ok(TEXT, "a 1\nb 2\n")).await;
    let js = jobs(&[s.url()]);
    let mut sink = MemoryScrapeSink::new();
    scrape_once(&js, &mut sink, 1000, &Default::default()).await;
    assert_eq!(sink.states.borrow().len(), 1);
    // `b` disappears between two separate runs sharing only the sink's state.
    s.set_body("a 2\n");
    let mut second = MemoryScrapeSink::new();
    second.states = sink.states.clone();
    let report = scrape_once(&js, &mut second, 2000, &Default::default()).await;
    assert_eq!(report.targets[0].stale_markers, 1);
    assert_eq!(report.targets[0].series_added, 0);
    let b = second.samples_named("b");
    assert_eq!(b.len(), 1);
    assert!(is_stale_nan(b[0].2));
    assert_eq!(b[0].1, 2000);
    // The target goes down: `a` gets its marker too.
    s.resp.lock().unwrap().status = 500;
    let mut third = MemoryScrapeSink::new();
    third.states = second.states.clone();
    let report = scrape_once(&js, &mut third, 3000, &Default::default()).await;
    assert_eq!(report.targets[0].stale_markers, 1);
    assert!(is_stale_nan(third.samples_named("a")[0].2));
    // A run older than the state (overlapping cron runs) neither marks nor overwrites.
    let before = third.states.borrow().clone();
    let mut old = MemoryScrapeSink::new();
    old.states = third.states.clone();
    let report = scrape_once(&js, &mut old, 2500, &Default::default()).await;
    assert_eq!(report.targets[0].stale_markers, 0);
    assert_eq!(*old.states.borrow(), before);
}

#[tokio::test]
async fn credentials_are_sent() {
    let s = Server::start(Resp::ok(TEXT, "a 1\n")).await;
    let url = format!("http://user:pa%20ss@{}/metrics", s.addr);
    let mut sink = MemoryScrapeSink::new();
    scrape_once(&jobs(&[url]), &mut sink, 1, &Default::default()).await;
    // base64("user:pa ss")
    assert!(
        s.last_request()
            .contains("authorization: Basic dXNlcjpwYSBzcw==")
            || s.last_request()
                .contains("Authorization: Basic dXNlcjpwYSBzcw=="),
        "{}",
        s.last_request()
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("token"), "t0k3n\n").unwrap();
    let yml = format!(
        "scrape_configs:\n  - job_name: b\n    bearer_token_file: token\n    static_configs: [{{targets: ['{}']}}]\n",
        s.addr
    );
    let path = dir.path().join("prometheus.yml");
    std::fs::write(&path, yml).unwrap();
    let (cfg, warnings) = argus::scrape::load_config(&path).unwrap();
    assert!(warnings.is_empty());
    scrape_once(&cfg.jobs, &mut sink, 2, &Default::default()).await;
    let head = s.last_request().to_ascii_lowercase();
    assert!(head.contains("authorization: bearer t0k3n\r\n"), "{head}");
}

#[tokio::test]
async fn loop_commits_each_round_and_stops_on_shutdown() {
    let s = Server::start(Resp::ok(TEXT, "a 1\n")).await;
    let mut js = jobs(&[s.url()]);
    js[0].set_interval(50);
    let mut sink = MemoryScrapeSink::new();
    let stop = Arc::new(tokio::sync::Notify::new());
    let mut seen = 0;
    let summary = run_loop(
        &mut Discovery::fixed(js),
        &mut sink,
        &Default::default(),
        argus::model::time::now_ms,
        {
            let stop = stop.clone();
            async move { stop.notified().await }
        },
        |r| {
            assert!(r.all_up(), "{:?}", r.failures());
            seen += 1;
            if seen == 3 {
                stop.notify_one();
            }
        },
    )
    .await;
    assert_eq!(summary.rounds, 3);
    assert_eq!(sink.commits, 3);
    assert_eq!(sink.samples_named("up").len(), 3);
}

#[tokio::test]
async fn shutdown_during_a_round_finishes_it() {
    let mut resp = Resp::ok(TEXT, "a 1\n");
    resp.delay = Duration::from_millis(300);
    let s = Server::start(resp).await;
    let js = jobs(&[s.url()]);
    let mut sink = MemoryScrapeSink::new();
    let summary = run_loop(
        &mut Discovery::fixed(js),
        &mut sink,
        &Default::default(),
        argus::model::time::now_ms,
        // Fires while the first round waits for the slow target.
        tokio::time::sleep(Duration::from_millis(50)),
        |_| {},
    )
    .await;
    assert_eq!(summary.rounds, 1);
    assert_eq!(sink.commits, 1);
    assert_eq!(sink.samples_named("a").len(), 1);
}

#[tokio::test]
async fn the_loop_follows_a_target_file_that_changes_between_rounds() {
    let a = Server::start(Resp::ok(TEXT, "a 1\n")).await;
    let b = Server::start(Resp::ok(TEXT, "b 1\n")).await;
    let (a_addr, b_addr) = (a.addr.to_string(), b.addr.to_string());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("targets.json");
    std::fs::write(
        &file,
        format!("[{{\"targets\": [\"{a_addr}\"], \"labels\": {{\"team\": \"x\"}}}}]"),
    )
    .unwrap();
    let yml = "scrape_configs:\n- job_name: files\n  scrape_interval: 50ms\n  \
               file_sd_configs: [{files: ['*.json']}]\n";
    let (cfg, _) = parse_config(yml, &dir.path().join("prometheus.yml")).unwrap();
    let mut targets = Discovery::from_config(cfg);
    assert!(targets.refresh(tokio::time::Instant::now()).changed);
    let mut sink = MemoryScrapeSink::new();
    let stop = Arc::new(tokio::sync::Notify::new());
    let mut rounds = 0;
    let mut announced: Vec<Vec<String>> = Vec::new();
    let mut scraped_after_change: Vec<String> = Vec::new();
    let summary = run_loop(
        &mut targets,
        &mut sink,
        &Default::default(),
        argus::model::time::now_ms,
        {
            let stop = stop.clone();
            async move { stop.notified().await }
        },
        |r| {
            if let Some(jobs) = &r.new_targets {
                announced.push(
                    jobs[0]
                        .targets
                        .iter()
                        .map(|t| t.instance().to_string())
                        .collect(),
                );
            }
            if r.targets.is_empty() {
                return;
            }
            rounds += 1;
            if rounds == 2 {
                // Rewritten between rounds: the next round scrapes the new target only.
                std::fs::write(&file, format!("[{{\"targets\": [\"{b_addr}\"]}}]")).unwrap();
            } else if rounds > 2 {
                scraped_after_change.extend(r.targets.iter().map(|t| t.instance.clone()));
                stop.notify_one();
            }
        },
    )
    .await;
    assert!(summary.rounds >= 3);
    assert_eq!(announced, [vec![a_addr], vec![b_addr.clone()]]);
    assert_eq!(scraped_after_change, [b_addr]);
    // The file's labels reached the series of the first target.
    let first = sink.samples_named("a");
    assert_eq!(first[0].0.get("team"), Some("x"));
    assert!(!sink.samples_named("b").is_empty());
}
