//! Scraping a real `prometheus-node-exporter` (Debian's package, installed by
//! `scripts/install-test-deps` when missing) started on a free loopback port, and comparing
//! argus' own host metrics (`scrape::host`) with it: the same names, and values that agree.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use argus::model::Labels;
use argus::scrape::{host, parse_config, scrape_once, MemoryScrapeSink};

/// Kills the exporter when the test ends, however it ends.
struct Exporter(Child);

impl Drop for Exporter {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn find_exporter() -> Option<PathBuf> {
    let in_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("prometheus-node-exporter"))
            .find(|p| p.is_file())
    });
    in_path.or_else(|| {
        let p = Path::new("/usr/bin/prometheus-node-exporter");
        p.is_file().then(|| p.to_path_buf())
    })
}

fn exporter_binary() -> Option<PathBuf> {
    if let Some(p) = find_exporter() {
        return Some(p);
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-test-deps");
    let _ = Command::new("bash").arg(&script).status();
    find_exporter()
}

/// Starts the exporter on a free loopback port and waits until it listens. `None` when it
/// is not installed and cannot be.
async fn start_exporter(test: &str) -> Option<(Exporter, String)> {
    let Some(bin) = exporter_binary() else {
        eprintln!(
            "\n*** SKIPPED {test}: prometheus-node-exporter is not installed \
             and scripts/install-test-deps could not install it ***\n"
        );
        return None;
    };
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let addr = format!("127.0.0.1:{port}");
    let exporter = Exporter(
        Command::new(bin)
            .arg(format!("--web.listen-address={addr}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start prometheus-node-exporter"),
    );
    // Wait until it listens (bounded by attempts, not by a deadline on the test).
    let mut ready = false;
    for _ in 0..400 {
        if tokio::net::TcpStream::connect(&addr).await.is_ok() {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(ready, "node exporter did not start listening on {addr}");
    Some((exporter, addr))
}

#[tokio::test]
async fn scrape_real_node_exporter() {
    let Some((_exporter, addr)) = start_exporter("scrape_real_node_exporter").await else {
        return;
    };

    let yml = format!(
        "scrape_configs:\n  - job_name: node\n    scrape_timeout: 10s\n    static_configs:\n      - targets: ['{addr}']\n        labels: {{host: local}}\n    metric_relabel_configs:\n      - {{source_labels: [__name__], regex: 'go_.*', action: drop}}\n"
    );
    let (cfg, warnings) = parse_config(&yml, Path::new("node.yml")).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut sink = MemoryScrapeSink::new();
    let report = scrape_once(&cfg.jobs, &mut sink, 1_700_000_000_000, &Default::default()).await;
    let t = &report.targets[0];
    assert!(t.up, "{:?}", report.failures());
    assert!(t.samples_scraped > 100, "{t:?}");
    assert!(
        t.samples_post_relabel < t.samples_scraped,
        "go_* must be dropped: {t:?}"
    );
    assert_eq!(t.series_added, t.samples_post_relabel);

    let build = sink.samples_named("node_exporter_build_info");
    assert_eq!(build.len(), 1);
    let l = &build[0].0;
    assert_eq!(l.get("job"), Some("node"));
    assert_eq!(l.get("instance"), Some(addr.as_str()));
    assert_eq!(l.get("host"), Some("local"));
    assert!(sink.samples_named("go_goroutines").is_empty());
    assert!(sink
        .metadata
        .iter()
        .any(|m| m.metric == "node_exporter_build_info" && !m.help.is_empty()));
    let up = sink.samples_named("up");
    assert_eq!(up[0].2, 1.0);
}

/// The labels that identify a series within one host: all but the target's.
fn series_key(l: &Labels) -> Labels {
    l.drop_names(&["job".to_string(), "instance".to_string()])
}

/// How far apart the two collectors' values may be, read a moment apart: gauges that move
/// (free memory, load, free space), counters that grow (CPU seconds, bytes) and the clock.
fn close_enough(name: &str, a: f64, b: f64) -> bool {
    let diff = (a - b).abs();
    let rel = diff / a.abs().max(b.abs()).max(1.0);
    match name {
        "node_time_seconds" => diff < 60.0,
        "node_boot_time_seconds" => diff <= 1.0,
        n if n.starts_with("node_load") => diff < 2.0,
        "node_cpu_seconds_total" => diff < 5.0 || rel < 0.01,
        n if n.starts_with("node_memory_") => rel < 0.05 || diff < 64e6,
        n if n.starts_with("node_filesystem_") => rel < 0.01 || diff < 256e6,
        _ => rel < 0.05 || diff < 64e6,
    }
}

#[tokio::test]
async fn host_metrics_agree_with_node_exporter() {
    let Some((_exporter, addr)) = start_exporter("host_metrics_agree_with_node_exporter").await
    else {
        return;
    };
    let yml = format!(
        "scrape_configs:\n  - job_name: node\n    static_configs: [{{targets: ['{addr}']}}]\n"
    );
    let (cfg, _) = parse_config(&yml, Path::new("node.yml")).unwrap();
    let mut sink = MemoryScrapeSink::new();
    let report = scrape_once(&cfg.jobs, &mut sink, 1_700_000_000_000, &Default::default()).await;
    assert!(report.targets[0].up, "{:?}", report.failures());
    let ours = host::collect().expect("this test runs on Linux");

    let mut names: Vec<&str> = ours
        .samples
        .iter()
        .filter_map(|s| s.labels.metric_name())
        .collect();
    names.sort();
    names.dedup();
    assert!(names.len() >= 20, "{names:?}");
    let mut compared = 0;
    for name in &names {
        let theirs = sink.samples_named(name);
        assert!(!theirs.is_empty(), "node_exporter has no {name}");
        // The same help text and type.
        let md = ours.metadata.iter().find(|m| m.metric == *name).unwrap();
        let their_md = sink.metadata.iter().find(|m| m.metric == *name);
        assert_eq!(
            their_md.map(|m| (&m.help, m.kind)),
            Some((&md.help, md.kind)),
            "{name}"
        );
        for s in ours
            .samples
            .iter()
            .filter(|s| s.labels.metric_name() == Some(name))
        {
            let key = series_key(&s.labels);
            // A device or mount that node_exporter leaves out by its own (Debian) defaults,
            // or the reverse, is not compared; the names are.
            let Some((_, _, v)) = theirs.iter().find(|(l, _, _)| series_key(l) == key) else {
                continue;
            };
            assert!(
                close_enough(name, s.value, *v),
                "{key}: argus {} node_exporter {v}",
                s.value
            );
            compared += 1;
        }
    }
    // Every CPU mode, the root file system, the memory fields, uname: well over 30 series.
    assert!(compared > 30, "only {compared} series in common");
    let root = |labels: &Labels| labels.get("mountpoint") == Some("/");
    assert!(sink
        .samples_named("node_filesystem_size_bytes")
        .iter()
        .any(|(l, _, _)| root(l)));
    assert!(ours
        .samples
        .iter()
        .any(|s| s.labels.metric_name() == Some("node_filesystem_size_bytes") && root(&s.labels)));
}
