//! `argus scrape` end to end: a fixture target, a dead target, a config file, staleness across
//! separate runs, the loop stopped by SIGTERM, and a real node_exporter.

use super::support::{
    csv_rows, serve_changing_fixture, serve_fixture, stdout_of, Spawned, Workdir,
};
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
    // Not `argus`, the job `serve` gives its own metrics: a port no exporter is known for
    // gets the job `scrape`.
    assert_eq!(
        (&*rows[0]["job"], &*rows[0]["queue"]),
        ("scrape", "a"),
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
            "global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: app\n    static_configs:\n      - targets: ['{addr}']\n        labels: {{team: core}}\n    metric_relabel_configs:\n      - source_labels: [queue]\n        regex: b\n        action: drop\n"
        ),
    );
    w.argus()
        .args(["scrape", "--config"])
        .arg(&cfg)
        .assert()
        .success();
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
    let mut child = Spawned(
        std::process::Command::new(super::support::argus_bin())
            .args(["scrape", "--every", "1s", &format!("{url}/metrics")])
            .env("ARGUS_STORE", w.store())
            .spawn()
            .unwrap(),
    );
    // Wait until the first round is visible to another process, then ask the loop to stop.
    eventually_query(&w, "count(up)", |o| o.lines().count() == 2);
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

#[test]
fn quiet_keeps_stderr_empty_when_a_target_is_down() {
    // Regression: `-q` still printed "target down" every run, so cron mailed every minute.
    let w = Workdir::new();
    let url = serve_fixture("text/plain", BODY.to_string());
    let out = w
        .argus()
        .args([
            "scrape",
            "-q",
            &format!("{url}/metrics"),
            "http://127.0.0.1:1/metrics",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn url_targets_get_a_job_of_their_own_and_job_overrides_it() {
    let w = Workdir::new();
    let url = serve_fixture("text/plain", BODY.to_string());
    w.argus()
        .args(["scrape", &format!("{url}/metrics")])
        .assert()
        .success();
    w.argus()
        .args(["scrape", "--job", "web", &format!("{url}/metrics")])
        .assert()
        .success();
    let out = stdout_of(w.argus(), &["query", "count by (job) (up)", "-o", "csv"]);
    assert!(out.contains("scrape") && out.contains("web"), "{out}");
    assert!(!out.contains("argus"), "{out}");
}

#[test]
fn unknown_config_keys_are_refused_with_file_line_and_a_suggestion() {
    // Regression: a typo was only warned about and the run exited 0, scraping nothing for ever.
    let w = Workdir::new();
    let url = serve_fixture("text/plain", BODY.to_string());
    let addr = url.trim_start_matches("http://");
    let cfg = w.write(
        "prometheus.yml",
        &format!(
            "scrape_configs:\n  - job_name: app\n    scrape_intervl: 5s\n    static_configs:\n      - targets: ['{addr}']\n"
        ),
    );
    let out = w
        .argus()
        .args(["scrape", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("prometheus.yml:3:5:"), "{err}");
    assert!(err.contains("scrape_intervl"), "{err}");
    assert!(err.contains("did you mean scrape_interval?"), "{err}");
    // Nothing was scraped: the store was not even made.
    assert!(!w.store().exists());
}

#[test]
fn service_discovery_argus_does_not_have_is_refused_by_name() {
    let w = Workdir::new();
    for (key, yaml) in [
        (
            "kubernetes_sd_configs is not supported by argus; use static_configs or file_sd_configs",
            "scrape_configs:\n  - job_name: k8s\n    kubernetes_sd_configs:\n      - role: pod\n",
        ),
        (
            "consul_sd_configs is not supported by argus",
            "scrape_configs:\n  - job_name: c\n    consul_sd_configs: [{server: 'localhost:8500'}]\n",
        ),
        (
            "sample_limit is not supported by argus",
            "scrape_configs:\n  - job_name: l\n    sample_limit: 10\n    static_configs: [{targets: ['a:1']}]\n",
        ),
        (
            "tls_config is not supported by argus",
            "scrape_configs:\n  - job_name: t\n    tls_config: {insecure_skip_verify: true}\n    static_configs: [{targets: ['a:1']}]\n",
        ),
    ] {
        let cfg = w.write("prometheus.yml", yaml);
        let out = w.argus().args(["scrape", "--config"]).arg(&cfg).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{yaml}: {err}");
        assert!(err.contains(key), "{yaml}: {err}");
        assert!(err.contains("prometheus.yml:"), "{err}");
    }
    // The parts of a Prometheus server's file that do not concern scraping are named as
    // ignored, and the scrape goes on.
    let cfg = w.write(
        "prometheus.yml",
        "rule_files: ['rules.yml']\nscrape_configs: []\n",
    );
    let out = w
        .argus()
        .args(["scrape", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("rule_files is ignored"), "{err}");
}

/// A prometheus.yml with one `file_sd_configs` job reading `files`, and a relabeling rule
/// that copies the target file's name (from `__meta_filepath`) into `source_file`.
fn file_sd_config(w: &Workdir, files: &[&str], interval: &str) -> std::path::PathBuf {
    let list = files
        .iter()
        .map(|f| format!("'{f}'"))
        .collect::<Vec<_>>()
        .join(", ");
    w.write(
        "prometheus.yml",
        &format!(
            "scrape_configs:\n  - job_name: files\n    scrape_interval: {interval}\n    file_sd_configs:\n      - files: [{list}]\n    relabel_configs:\n      - source_labels: [__meta_filepath]\n        regex: '.*/([^/]*)'\n        target_label: source_file\n"
        ),
    )
}

#[test]
fn file_sd_targets_from_json_and_yaml_files_with_labels_and_filepath() {
    let w = Workdir::new();
    let a = serve_fixture("text/plain", BODY.to_string());
    let b = serve_fixture("text/plain", BODY.to_string());
    let (a, b) = (
        a.trim_start_matches("http://"),
        b.trim_start_matches("http://"),
    );
    std::fs::create_dir(w.path("targets")).unwrap();
    w.write(
        "targets/a.json",
        &format!("[{{\"targets\": [\"{a}\"], \"labels\": {{\"team\": \"red\"}}}}]"),
    );
    w.write(
        "targets/b.yml",
        &format!("- targets: ['{b}']\n  labels:\n    team: blue\n"),
    );
    w.write("targets/ignored.txt", "not a target file");
    let cfg = file_sd_config(&w, &["targets/*.json", "targets/[ab].yml"], "15s");
    w.argus()
        .args(["scrape", "--config"])
        .arg(&cfg)
        .assert()
        .success();
    let out = stdout_of(
        w.argus(),
        &["query", "sort(up{job=\"files\"})", "-o", "csv"],
    );
    let rows = csv_rows(&out);
    assert_eq!(rows.len(), 2, "{out}");
    let mut instances: Vec<&str> = rows.iter().map(|r| &*r["instance"]).collect();
    instances.sort();
    let mut want = [a, b];
    want.sort();
    assert_eq!(instances, want, "{out}");
    let red = stdout_of(
        w.argus(),
        &[
            "query",
            "count(jobs_total{team=\"red\",source_file=\"a.json\"})",
            "-o",
            "csv",
        ],
    );
    assert!(red.trim_end().ends_with(",2"), "{red}");
    let blue = stdout_of(
        w.argus(),
        &[
            "query",
            "count(jobs_total{team=\"blue\",source_file=\"b.yml\"})",
            "-o",
            "csv",
        ],
    );
    assert!(blue.trim_end().ends_with(",2"), "{blue}");
}

#[test]
fn a_broken_target_file_is_an_error_and_the_other_targets_are_still_scraped() {
    let w = Workdir::new();
    let a = serve_fixture("text/plain", BODY.to_string());
    let a = a.trim_start_matches("http://");
    std::fs::create_dir(w.path("targets")).unwrap();
    w.write(
        "targets/good.json",
        &format!("[{{\"targets\": [\"{a}\"]}}]"),
    );
    w.write("targets/bad.json", "[{\"targets\": [\"x:1\"");
    let cfg = file_sd_config(&w, &["targets/*.json"], "15s");
    let out = w
        .argus()
        .args(["scrape", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("bad.json"), "{err}");
    assert!(!err.contains("good.json"), "{err}");
    let up = stdout_of(w.argus(), &["query", "up", "-o", "csv"]);
    assert_eq!(up.lines().count(), 2, "{up}");
    assert!(up.contains(a) && up.trim_end().ends_with(",1"), "{up}");
}

/// Polls `query` until its CSV output satisfies `ok`.
fn eventually_query(w: &Workdir, query: &str, ok: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..300 {
        // The loop makes the store with its first round: until then the query is refused.
        let out = w
            .argus()
            .args(["query", query, "-o", "csv"])
            .output()
            .unwrap();
        last = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() && ok(&last) {
            return last;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("{query} never became true; last answer: {last}");
}

#[test]
fn the_loop_follows_a_changed_target_file_without_restarting() {
    let w = Workdir::new();
    let a = serve_fixture("text/plain", BODY.to_string());
    let b = serve_fixture("text/plain", BODY.to_string());
    let (a, b) = (
        a.trim_start_matches("http://"),
        b.trim_start_matches("http://"),
    );
    std::fs::create_dir(w.path("targets")).unwrap();
    let file = w.write("targets/t.yml", &format!("- targets: ['{a}']\n"));
    let cfg = file_sd_config(&w, &["targets/*.yml"], "1s");
    let mut child = Spawned(
        std::process::Command::new(super::support::argus_bin())
            .args(["scrape", "--every", "1s", "--config"])
            .arg(&cfg)
            .env("ARGUS_STORE", w.store())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    eventually_query(&w, "up{job=\"files\"}", |o| o.contains(a));
    // The refresh interval is 5m: only the modification time tells the loop.
    std::fs::write(&file, format!("- targets: ['{b}']\n")).unwrap();
    eventually_query(&w, "up{job=\"files\"}", |o| o.contains(b));
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn serve_shows_the_current_file_sd_targets() {
    let w = Workdir::new();
    let a = serve_fixture("text/plain", BODY.to_string());
    let b = serve_fixture("text/plain", BODY.to_string());
    let (a, b) = (
        a.trim_start_matches("http://"),
        b.trim_start_matches("http://"),
    );
    std::fs::create_dir(w.path("targets")).unwrap();
    let file = w.write("targets/t.json", &format!("[{{\"targets\": [\"{a}\"]}}]"));
    let cfg = file_sd_config(&w, &["targets/*.json"], "1s");
    let err = w.path("serve.err");
    let mut child = Spawned(
        std::process::Command::new(super::support::argus_bin())
            .args(["serve", "--listen", "127.0.0.1:0", "--config"])
            .arg(&cfg)
            .env("ARGUS_STORE", w.store())
            .env_remove("XDG_DATA_HOME")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&err).unwrap())
            .spawn()
            .unwrap(),
    );
    let mut base = None;
    for _ in 0..500 {
        let text = std::fs::read_to_string(&err).unwrap_or_default();
        if let Some(i) = text.find("listening on http://") {
            let rest = &text[i + "listening on http://".len()..];
            base = rest.split_whitespace().next().map(str::to_string);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let base = base.expect("serve started");
    let targets = || -> String {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&base).unwrap();
        write!(
            s,
            "GET /api/v1/targets HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    let wait_for = |want: &str, not: &str| {
        for _ in 0..300 {
            let t = targets();
            if t.contains(want) && !t.contains(not) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!(
            "/api/v1/targets never showed {want} without {not}: {}",
            targets()
        );
    };
    wait_for(
        &format!("\"instance\":\"{a}\""),
        &format!("\"instance\":\"{b}\""),
    );
    std::fs::write(&file, format!("[{{\"targets\": [\"{b}\"]}}]")).unwrap();
    wait_for(
        &format!("\"instance\":\"{b}\""),
        &format!("\"instance\":\"{a}\""),
    );
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn without_targets_scrape_collects_this_hosts_metrics_as_job_node() {
    // Regression: the README's first command scraped localhost:9100, which fails for ever on
    // a machine without node_exporter.
    let w = Workdir::new();
    let out = w.argus().arg("scrape").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("1 up, 0 down"), "{err}");
    assert!(
        err.contains("argus query 'rate(node_cpu_seconds_total[1m])'"),
        "{err}"
    );
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let up = stdout_of(w.argus(), &["query", "up{job=\"node\"}", "-o", "csv"]);
    assert_eq!(csv_rows(&up)[0]["instance"], host.trim(), "{up}");
    assert!(up.trim_end().ends_with(",1"), "{up}");
    for q in [
        "count(node_cpu_seconds_total{job=\"node\",mode=\"idle\"}) > 0",
        "node_memory_MemTotal_bytes > 0",
        "node_load1 >= 0",
        "node_boot_time_seconds > 0",
        "count(node_uname_info) == 1",
        "count(node_filesystem_size_bytes{mountpoint=\"/\"}) == 1",
    ] {
        let out = stdout_of(w.argus(), &["query", q, "-o", "csv"]);
        assert_eq!(out.lines().count(), 2, "{q}: {out}");
    }
    // The README's export of job node finds it.
    let exported = stdout_of(
        w.argus(),
        &[
            "export",
            "{job=\"node\"}",
            "--since",
            "1h",
            "-o",
            "openmetrics",
        ],
    );
    assert!(exported.contains("node_cpu_seconds_total{"), "{exported}");
}
