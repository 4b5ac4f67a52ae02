//! Scraping a real `prometheus-node-exporter` (Debian's package, installed by
//! `scripts/install-test-deps` when missing) started on a free loopback port.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use argus::scrape::{parse_config, scrape_once, MemorySink};

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

#[tokio::test]
async fn scrape_real_node_exporter() {
    let Some(bin) = exporter_binary() else {
        eprintln!(
            "\n*** SKIPPED scrape_real_node_exporter: prometheus-node-exporter is not installed \
             and scripts/install-test-deps could not install it ***\n"
        );
        return;
    };
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let addr = format!("127.0.0.1:{port}");
    let _exporter = Exporter(
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

    let yml = format!(
        "scrape_configs:\n  - job_name: node\n    scrape_timeout: 10s\n    static_configs:\n      - targets: ['{addr}']\n        labels: {{host: local}}\n    metric_relabel_configs:\n      - {{source_labels: [__name__], regex: 'go_.*', action: drop}}\n"
    );
    let (cfg, warnings) = parse_config(&yml, Path::new("node.yml")).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut sink = MemorySink::new();
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
