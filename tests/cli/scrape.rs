//! `argus scrape` end to end: a fixture target, a dead target, a config file, staleness across
//! separate runs, the loop stopped by SIGTERM, and a real node_exporter.

use super::support::{csv_rows, serve_changing_fixture, serve_fixture, stdout_of, Workdir};
use predicates::prelude::*;

const BODY: &str = "# HELP jobs_total Jobs.\n# TYPE jobs_total counter\njobs_total{queue=\"a\"} 3\njobs_total{queue=\"b\"} 4\n";

#[test]
fn one_shot_scrape_stores_samples_and_synthetic_series() {
    let w = Workdir::new();
    let url = serve_fixture("text/plain; version=0.0.4", BODY.to_string());
    w.argus()
        .args(["scrape", &format!("{url}/metrics")])
        .assert()
        .success();
    let out = stdout_of(w.argus(), &["query", "jobs_total", "-o", "csv"]);
    let rows = csv_rows(&out);
    assert!(rows[0]["instance"].starts_with("127.0.0.1:"), "{out}");
    assert_eq!(
        (&*rows[0]["job"], &*rows[0]["queue"]),
        ("argus", "a"),
        "{out}"
    );
    let up = stdout_of(w.argus(), &["query", "up", "-o", "csv"]);
    assert!(up.trim_end().ends_with(",1"), "{up}");
    for name in [
        "scrape_duration_seconds",
        "scrape_samples_scraped",
        "scrape_samples_post_metric_relabeling",
        "scrape_series_added",
    ] {
        let out = stdout_of(w.argus(), &["query", name, "-o", "csv"]);
        assert_eq!(out.lines().count(), 2, "{name}: {out}");
    }
    let n = stdout_of(w.argus(), &["query", "scrape_samples_scraped", "-o", "csv"]);
    assert!(n.trim_end().ends_with(",2"), "{n}");
}

#[test]
fn a_dead_target_records_up_0_and_exits_4_without_stopping_others() {
    let w = Workdir::new();
    let url = serve_fixture("text/plain", BODY.to_string());
    w.argus()
        .args([
            "scrape",
            &format!("{url}/metrics"),
            "http://127.0.0.1:1/metrics",
        ])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("127.0.0.1:1"));
    let up = stdout_of(w.argus(), &["query", "sort(up)", "-o", "csv"]);
    let lines: Vec<&str> = up.lines().collect();
    assert_eq!(lines.len(), 3, "{up}");
    assert!(lines[1].ends_with(",0") && lines[2].ends_with(",1"), "{up}");
}

#[test]
fn config_file_with_relabeling() {
    let w = Workdir::new();
    let url = serve_fixture("text/plain", BODY.to_string());
    let addr = url.trim_start_matches("http://");
    let cfg = w.write(
        "prometheus.yml",
        &format!(
            "global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: app\n    static_configs:\n      - targets: ['{addr}']\n        labels: {{team: core}}\n    metric_relabel_configs:\n      - source_labels: [queue]\n        regex: b\n        action: drop\n    kubernetes_sd_configs: []\n"
        ),
    );
    w.argus()
        .args(["scrape", "--config"])
        .arg(&cfg)
        .assert()
        .success()
        .stderr(predicate::str::contains("kubernetes_sd_configs"));
    let out = stdout_of(w.argus(), &["query", "jobs_total", "-o", "csv"]);
    assert_eq!(out.lines().count(), 2, "{out}");
    let rows = csv_rows(&out);
    assert_eq!(
        (&*rows[0]["job"], &*rows[0]["team"]),
        ("app", "core"),
        "{out}"
    );
}

#[test]
fn a_vanished_series_gets_a_staleness_marker_across_runs() {
    let w = Workdir::new();
    let (url, body) = serve_changing_fixture("text/plain", BODY.to_string());
    let target = format!("{url}/metrics");
    w.argus().args(["scrape", &target]).assert().success();
    // The second, separate run no longer sees queue="b": it writes a staleness marker, so an
    // instant query no longer returns that series (without the marker it would for 5m).
    *body.lock().unwrap() = "jobs_total{queue=\"a\"} 5\n".to_string();
    std::thread::sleep(std::time::Duration::from_millis(5));
    w.argus().args(["scrape", &target]).assert().success();
    let out = stdout_of(w.argus(), &["query", "jobs_total", "-o", "csv"]);
    assert_eq!(out.lines().count(), 2, "{out}");
    let rows = csv_rows(&out);
    assert_eq!(
        (&*rows[0]["queue"], &*rows[0]["value"]),
        ("a", "5"),
        "{out}"
    );
    // The raw data keeps the marker: export shows it was left out (not an error).
    w.argus()
        .args(["export", "jobs_total{queue=\"b\"}", "-o", "jsonl"])
        .assert()
        .success()
        .stderr(predicate::str::contains("1 staleness markers"));
}

#[test]
fn the_loop_stops_on_sigterm_after_storing_its_round() {
    let w = Workdir::new();
    let url = serve_fixture("text/plain", BODY.to_string());
    let mut child = std::process::Command::new(super::support::argus_bin())
        .args(["scrape", "--every", "1s", &format!("{url}/metrics")])
        .env("ARGUS_STORE", w.store())
        .spawn()
        .unwrap();
    // Wait until the first round is visible to another process, then ask the loop to stop.
    let mut seen = false;
    for _ in 0..200 {
        std::thread::sleep(std::time::Duration::from_millis(50));
        let out = stdout_of(w.argus(), &["query", "count(up)", "-o", "csv"]);
        if out.lines().count() == 2 {
            seen = true;
            break;
        }
    }
    assert!(seen, "the first round never became visible");
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn real_node_exporter() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut exporter = match std::process::Command::new("prometheus-node-exporter")
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            panic!("prometheus-node-exporter is missing ({e}): run scripts/install-test-deps")
        }
    };
    let w = Workdir::new();
    let target = format!("http://127.0.0.1:{port}/metrics");
    let mut ok = false;
    for _ in 0..100 {
        if w.argus()
            .args(["scrape", &target])
            .output()
            .unwrap()
            .status
            .success()
        {
            ok = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = exporter.kill();
    let _ = exporter.wait();
    assert!(ok, "node_exporter never answered");
    let out = stdout_of(
        w.argus(),
        &["query", "count(node_cpu_seconds_total) > 0", "-o", "csv"],
    );
    assert_eq!(out.lines().count(), 2, "{out}");
    let md = stdout_of(w.argus(), &["query", "up", "-o", "csv"]);
    assert!(md.contains(",1\n"), "{md}");
}
