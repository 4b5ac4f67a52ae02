//! A real Alertmanager (Debian's `prometheus-alertmanager`) receives argus' alerts and
//! delivers them through its own webhook to a receiver in this test; a real Prometheus (2.42)
//! with the same rules sends to the same Alertmanager, and both arrive with the same labels
//! and annotations.

use super::support::{argus_bin, Spawned, Workdir};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A webhook receiver on loopback: keeps every JSON body POSTed to it.
fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let keep = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut s = stream;
            let mut buf = Vec::new();
            let mut chunk = [0u8; 8192];
            // Read the head, then as much body as Content-Length says.
            let body = loop {
                let n = s.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some(i) = text.find("\r\n\r\n") {
                    let len: usize = text[..i]
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse().ok())?
                        })
                        .unwrap_or(0);
                    if buf.len() >= i + 4 + len {
                        break Some(buf[i + 4..i + 4 + len].to_vec());
                    }
                }
            };
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            if let Some(b) = body.and_then(|b| serde_json::from_slice(&b).ok()) {
                keep.lock().unwrap().push(b);
            }
        }
    });
    (url, got)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

const RULES: &str = r#"
groups:
  - name: db
    rules:
      - alert: MySQLDown
        expr: label_replace(vector(0), "instance", "db1:9104", "", "")
        labels:
          severity: critical
        annotations:
          summary: 'MySQL on {{ $labels.instance }} is down ({{ $value | humanize }})'
"#;

#[test]
fn a_real_alertmanager_delivers_argus_alerts_as_it_delivers_prometheus_alerts() {
    for tool in ["prometheus-alertmanager", "prometheus"] {
        assert!(
            have(tool),
            "`{tool}` is missing: run scripts/install-test-deps (installs Debian's packages)"
        );
    }
    let w = Workdir::new();
    let (hook, got) = receiver();
    let am_port = free_port();
    let am_config = w.write(
        "alertmanager.yml",
        &format!(
            "route:\n  receiver: hook\n  group_by: [alertname, sender]\n  group_wait: 0s\n  \
             group_interval: 1s\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: {hook}\n"
        ),
    );
    let _am = Spawned(
        Command::new("prometheus-alertmanager")
            .arg(format!("--config.file={}", am_config.display()))
            .arg(format!("--storage.path={}", w.path("am").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{am_port}"))
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start alertmanager"),
    );
    let rules = w.write("rules.yml", RULES);
    let prom_config = |sender: &str| {
        format!(
            "global:\n  evaluation_interval: 1s\n  external_labels: {{sender: {sender}}}\n\
             rule_files: ['{}']\nalerting:\n  alertmanagers:\n    - static_configs:\n        \
             - targets: ['127.0.0.1:{am_port}']\nscrape_configs: []\n",
            rules.display()
        )
    };
    let argus_config = w.write("argus.yml", &prom_config("argus"));
    let prometheus_config = w.write("prometheus.yml", &prom_config("prometheus"));
    wait_ready(am_port);
    w.argus()
        .arg("ingest")
        .write_stdin("x 1\n")
        .assert()
        .success();
    let mut delivered = None;
    for _ in 0..200 {
        let out = Command::new(argus_bin())
            .env("ARGUS_STORE", w.store())
            .args(["rules", "eval", "--config"])
            .arg(&argus_config)
            .arg("--time")
            .arg("now")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(6),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        delivered = find(&got, "argus");
        if delivered.is_some() {
            break;
        }
        // The next run is a new instant (the interval is 1s); Alertmanager delivers within
        // its group_wait.
        std::thread::sleep(Duration::from_millis(200));
    }
    let from_argus = delivered.expect("argus' alert never reached the webhook");
    let _prom = Spawned(
        Command::new("prometheus")
            .arg(format!("--config.file={}", prometheus_config.display()))
            .arg(format!("--storage.tsdb.path={}", w.path("prom").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{}", free_port()))
            // Prometheus drops alerts while it has not yet discovered the Alertmanager, and
            // resends only after this delay (1m by default).
            .arg("--rules.alert.resend-delay=1s")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start prometheus"),
    );
    let mut from_prometheus = None;
    for _ in 0..600 {
        from_prometheus = find(&got, "prometheus");
        if from_prometheus.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let from_prometheus = from_prometheus.expect("Prometheus' alert never reached the webhook");
    let strip = |mut a: Value| {
        a["labels"].as_object_mut().unwrap().remove("sender");
        (
            a["labels"].clone(),
            a["annotations"].clone(),
            a["status"].clone(),
        )
    };
    assert_eq!(strip(from_argus.clone()), strip(from_prometheus));
    assert_eq!(from_argus["labels"]["severity"], "critical");
    assert_eq!(
        from_argus["annotations"]["summary"],
        "MySQL on db1:9104 is down (0)"
    );
    assert!(from_argus["generatorURL"]
        .as_str()
        .unwrap()
        .contains("/graph?g0.expr="));
}

/// Waits until Alertmanager answers `/-/ready`.
fn wait_ready(port: u16) {
    for _ in 0..300 {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.write_all(b"GET /-/ready HTTP/1.0\r\n\r\n");
            let mut answer = String::new();
            let _ = s.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200") {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("Alertmanager never became ready");
}

/// The first alert delivered from `sender` (an external label).
fn find(got: &Arc<Mutex<Vec<Value>>>, sender: &str) -> Option<Value> {
    let got = got.lock().unwrap();
    got.iter()
        .flat_map(|body| body["alerts"].as_array().cloned().unwrap_or_default())
        .find(|a| a["labels"]["sender"] == sender)
}
