//! `argus query --server` against a real Prometheus (Debian's `prometheus` 2.42): the same data
//! loaded into both (Prometheus through `promtool tsdb create-blocks-from openmetrics`), the
//! same query asked of both, the same answer printed.

use super::support::{stdout_of, Workdir};
use std::process::{Child, Command, Stdio};

struct Prometheus {
    child: Child,
    url: String,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_prometheus(w: &Workdir, data: &std::path::Path) -> Prometheus {
    let tsdb = w.path("prom-data");
    let out = Command::new("promtool")
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(data)
        .arg(&tsdb)
        .output()
        .expect("promtool is missing: scripts/install-test-deps installs Debian's prometheus");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cfg = w.write("prometheus.yml", "scrape_configs: []\n");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", cfg.display()))
        .arg(format!("--storage.tsdb.path={}", tsdb.display()))
        .arg("--storage.tsdb.retention.time=100y")
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus is missing: scripts/install-test-deps installs it");
    let p = Prometheus {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..300 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
            && Command::new(super::support::argus_bin())
                .args(["query", "vector(1)", "--server", &p.url, "-o", "csv"])
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        {
            return p;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("prometheus did not become ready");
}

#[test]
fn same_answer_from_argus_and_a_real_prometheus() {
    let w = Workdir::new();
    let mut om = String::from("# TYPE req counter\n");
    for inst in ["a", "b", "c"] {
        for i in 0..200 {
            om.push_str(&format!(
                "req_total{{instance=\"{inst}\"}} {} {}\n",
                i * (inst.as_bytes()[0] as i64 - 96),
                1_700_000_000 + 15 * i
            ));
        }
    }
    om.push_str("# EOF\n");
    let data = w.write("data.om", &om);
    w.argus().arg("ingest").arg(&data).assert().success();
    let prom = start_prometheus(&w, &data);
    for args in [
        vec![
            "sum by (instance) (rate(req_total[5m]))",
            "--time",
            "1700001007",
        ],
        vec!["req_total", "--time", "1700001007"],
        vec![
            "max(req_total) - min(req_total)",
            "--from",
            "1700000100",
            "--to",
            "1700002000",
            "--step",
            "97s",
        ],
    ] {
        for fmt in ["csv", "json"] {
            let mut local = vec!["query"];
            local.extend(&args);
            local.extend(["-o", fmt]);
            let mut remote = local.clone();
            remote.extend(["--server", &prom.url]);
            assert_eq!(
                canonical(&stdout_of(w.argus(), &local), fmt),
                canonical(&stdout_of(w.argus(), &remote), fmt),
                "{args:?} -o {fmt}"
            );
        }
    }
}

/// Output with the order of series removed: Prometheus does not sort instant-query results.
fn canonical(out: &str, fmt: &str) -> String {
    if fmt == "json" {
        let mut v: serde_json::Value = serde_json::from_str(out).unwrap();
        if let Some(arr) = v["result"].as_array_mut() {
            arr.sort_by_key(|e| e["metric"].to_string());
        }
        v.to_string()
    } else {
        let mut lines: Vec<&str> = out.lines().collect();
        lines.sort();
        lines.join("\n")
    }
}
