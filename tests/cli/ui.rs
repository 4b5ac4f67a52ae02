//! The web UI in a real browser: `argus serve` with real data (its own metrics scraped every
//! second, Debian's node exporter, a target that cannot be reached, an hour of a demo counter,
//! log lines of several levels), and the selenium suite `tests/ui/run.py` driving Debian's
//! chromium, headless, against it. The suite prints a line per check; this test fails, showing
//! them, when one fails.
//!
//! Needs the Debian packages chromium, chromium-driver, python3-selenium and
//! prometheus-node-exporter (`scripts/install-test-deps`); without them the test fails and
//! names them. With `ARGUS_UI_SCREENSHOTS=DIR` the suite also saves a screenshot of every page
//! in both themes in DIR (`scripts/screenshots`).

use super::serve::Server;
use super::support::{Spawned, Workdir};
use std::fmt::Write as _;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long to wait for what should take seconds (the exporter to listen, a few self-scrapes):
/// generous for a loaded CI machine; it stops waiting, it asserts nothing about speed.
const PATIENCE: Duration = Duration::from_secs(90);
/// The most the whole browser suite may take before it is stopped.
const SUITE_PATIENCE: Duration = Duration::from_secs(600);

/// Debian's python, whose selenium python3-selenium is (a pyenv `python3` has none).
pub(super) const PYTHON: &str = "/usr/bin/python3";

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn missing(what: &str, package: &str) -> ! {
    panic!(
        "{what} is missing: install the Debian package {package} \
         (scripts/install-test-deps installs every package the tests need; CI runs it)"
    )
}

/// The browser, its driver and selenium, or a failure that names the packages.
pub(super) fn require_browser() {
    for (path, package) in [
        ("/usr/bin/chromium", "chromium"),
        ("/usr/bin/chromedriver", "chromium-driver"),
        (PYTHON, "python3"),
    ] {
        if !Path::new(path).is_file() {
            missing(path, package);
        }
    }
    let ok = Command::new(PYTHON)
        .args(["-c", "import selenium.webdriver"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        missing("selenium for /usr/bin/python3", "python3-selenium");
    }
}

fn node_exporter_binary() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|d| d.join("prometheus-node-exporter"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| missing("prometheus-node-exporter", "prometheus-node-exporter"))
}

/// Polls `f` until it returns something, or panics with `what` and `context()`.
fn wait_for<T>(what: &str, context: impl Fn() -> String, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    while start.elapsed() < PATIENCE {
        if let Some(v) = f() {
            return v;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("gave up waiting for {what}\n{}", context());
}

/// Debian's node exporter on a free loopback port, once it listens.
fn start_node_exporter(w: &Workdir) -> (Spawned, String) {
    let addr = format!("127.0.0.1:{}", free_port());
    let log = w.path("node-exporter.log");
    let mut child = Spawned(
        Command::new(node_exporter_binary())
            .arg(format!("--web.listen-address={addr}"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("start prometheus-node-exporter"),
    );
    wait_for(
        "the node exporter to listen",
        || std::fs::read_to_string(&log).unwrap_or_default(),
        || {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "the node exporter exited ({status}): {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
            std::net::TcpStream::connect(&addr).ok()
        },
    );
    (child, addr)
}

/// An hour of `demo_requests_total{job="web",code=...}` up to now, every 15 s: counters whose
/// rates rise and fall, for graphs worth a screenshot.
fn demo_history(now_s: u64) -> String {
    let mut out = String::from(
        "# HELP demo_requests_total Requests served by the demo web app.\n\
         # TYPE demo_requests_total counter\n",
    );
    let end = now_s / 15 * 15;
    for (code, rate) in [("200", 40.0), ("404", 3.0), ("500", 0.5)] {
        let mut total = 0.0f64;
        for i in 0..=240u64 {
            let phase = i as f64 / 20.0 + code.len() as f64 + rate;
            total += rate * 15.0 * (1.0 + 0.5 * phase.sin());
            let t = end - 3600 + i * 15;
            let _ = writeln!(
                out,
                "demo_requests_total{{job=\"web\",code=\"{code}\"}} {} {}",
                total.round(),
                t * 1000
            );
        }
    }
    out
}

/// Log lines of an app, with levels, as logfmt (stored at their time of arrival).
const LOG_LINES: &str = "level=info msg=\"server started\" port=8080
level=debug msg=\"config loaded\" file=/etc/web/config.yml
level=info msg=\"request\" method=GET path=/ status=200 duration=3ms
level=warn msg=\"slow request\" method=GET path=/api/orders status=200 duration=2.4s
level=error msg=\"upstream timed out\" upstream=payments after=5s
level=info msg=\"request\" method=POST path=/api/orders status=201 duration=12ms
";

/// The first sample value of an instant query's result, per series, as `label=value` keys.
fn values(s: &Server, query: &str, label: &str) -> Vec<(String, String)> {
    let (code, v) = s.post_form("/api/v1/query", &format!("query={}", urlencode(query)));
    if code != 200 {
        return Vec::new();
    }
    v["data"]["result"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|x| {
                    (
                        x["metric"][label].as_str().unwrap_or("").to_string(),
                        x["value"][1].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Runs `tests/ui/run.py` against `url` in a process group of its own (so that chromium and
/// its driver go too if it has to be stopped); returns whether it passed and its output.
fn run_suite(w: &Workdir, url: &str, screenshots: Option<&str>) -> (bool, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = w.path("ui-suite.out");
    let mut cmd = Command::new(PYTHON);
    cmd.arg(root.join("tests/ui/run.py"))
        .args(["--url", url])
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).expect("output file"))
        .stderr(std::fs::File::create(w.path("ui-suite.err")).expect("output file"))
        .process_group(0);
    if let Some(dir) = screenshots {
        cmd.args(["--screenshots", dir]);
    }
    let mut child = cmd.spawn().expect("start tests/ui/run.py");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the suite") {
            break Some(status);
        }
        if start.elapsed() > SUITE_PATIENCE {
            // SAFETY: kill has no memory-safety preconditions; the group is the suite's.
            unsafe {
                libc::kill(-(child.id() as i32), libc::SIGKILL);
            }
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut text = std::fs::read_to_string(&out).unwrap_or_default();
    let err = std::fs::read_to_string(w.path("ui-suite.err")).unwrap_or_default();
    if !err.trim().is_empty() {
        text.push_str("--- stderr\n");
        text.push_str(&err);
    }
    match status {
        Some(s) => (s.success(), text),
        None => (
            false,
            format!("{text}\nstopped after {SUITE_PATIENCE:?}: the suite hung"),
        ),
    }
}

#[test]
fn web_ui_works_in_a_real_browser() {
    require_browser();
    let w = Workdir::new();
    let now_s = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();

    // Data that is there before the server starts: a demo counter's last hour, log lines.
    let demo = w.write("demo.prom", &demo_history(now_s));
    w.argus().arg("ingest").arg(&demo).assert().success();
    let logs = w.write("web.log", LOG_LINES);
    w.argus()
        .args(["ingest", "logs", "--label", "app=web"])
        .arg(&logs)
        .assert()
        .success();

    // The server scrapes itself, the node exporter and a port where nothing listens.
    let (_exporter, exporter) = start_node_exporter(&w);
    let unreachable = format!("127.0.0.1:{}", free_port());
    let config = w.write(
        "prometheus.yml",
        &format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n\
             scrape_configs:\n\
             \x20 - job_name: node\n    static_configs:\n      - targets: ['{exporter}']\n\
             \x20 - job_name: down\n    scrape_interval: 5s\n    static_configs:\n      - targets: ['{unreachable}']\n"
        ),
    );
    // Grafana's own dashboards, as a team would keep them.
    let dashboards = w.path("dashboards");
    std::fs::create_dir(&dashboards).unwrap();
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/dashboards");
    for name in ["node-exporter-full.json", "mysql-overview.json"] {
        std::fs::copy(shared.join(name), dashboards.join(name))
            .unwrap_or_else(|e| panic!("{}: {e}", shared.join(name).display()));
    }
    let s = Server::start(
        &w,
        &[
            "--self-scrape-interval",
            "1s",
            "--config",
            config.to_str().unwrap(),
            "--dashboards",
            dashboards.to_str().unwrap(),
        ],
    );
    let context = || format!("argus serve's log:\n{}", s.stderr());

    // Ten self-scrapes (a graph of the last 30 s needs a line, not a point), and every
    // target's `up`.
    wait_for("ten self-scrapes", context, || {
        let v = values(
            &s,
            "count_over_time(argus_http_requests_total{handler=\"/metrics\"}[5m])",
            "job",
        );
        v.first()
            .and_then(|(_, n)| n.parse::<u32>().ok())
            .filter(|&n| n >= 10)
    });
    wait_for("up of the three jobs", context, || {
        let mut up = values(&s, "up", "job");
        up.sort();
        (up == [
            ("argus".to_string(), "1".to_string()),
            ("down".to_string(), "0".to_string()),
            ("node".to_string(), "1".to_string()),
        ])
        .then_some(())
    });
    let (code, logs) = s.get(&format!(
        "/loki/api/v1/query_range?query={}&limit=100",
        urlencode("{app=\"web\"}")
    ));
    assert_eq!(code, 200, "{logs}");
    assert_eq!(logs.matches("level=").count(), 6, "{logs}");

    let screenshots = std::env::var("ARGUS_UI_SCREENSHOTS").ok();
    let (ok, output) = run_suite(&w, s.url(), screenshots.as_deref());
    eprintln!("{output}");
    assert!(
        ok,
        "the browser suite failed:\n{output}\n{}",
        if output.contains("FAIL") {
            String::new()
        } else {
            context()
        }
    );
}
