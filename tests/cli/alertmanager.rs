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

/// Two alerts of one group, so that common and group labels differ.
const TWO_DOWN: &str = r#"
groups:
  - name: db
    rules:
      - alert: MySQLDown
        expr: label_replace(vector(0), "instance", "db1:9104", "", "") or label_replace(vector(0), "instance", "db2:9104", "", "")
        labels:
          severity: critical
          team: db
        annotations:
          summary: 'MySQL on {{ $labels.instance }} is down'
          runbook: https://wiki.example/mysql
"#;

/// A team's templates file, using Alertmanager's data methods and functions.
const TEAM_TMPL: &str = r#"{{ define "team.title" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }} for {{ .CommonLabels.team | title }}{{ end }}
{{ define "team.text" }}{{ range .Alerts.Firing -}}
• *{{ .Annotations.summary }}* ({{ .Labels.instance | reReplaceAll ":[0-9]+$" "" }})
  {{ range .Labels.SortedPairs }}{{ .Name }}=`{{ .Value }}` {{ end }}
  since {{ .StartsAt.Format "2006-01-02T15:04:05Z07:00" }}
{{ end }}{{ with .CommonLabels.Remove .GroupLabels.Names }}Common: {{ .Values | join ", " }} ({{ . }}){{ end }}
{{ template "__text_alert_list" .Alerts.Firing }}{{ end }}
{{ define "slack.default.footer" }}{{ .Receiver }} · {{ template "__alertmanager" . }}{{ if match "^db" .CommonLabels.team }} · DB{{ end }}{{ end }}
"#;

fn slack_am_config(url: &str) -> String {
    format!(
        "templates: ['team.tmpl']\nroute:\n  receiver: team-db\n  group_by: [alertname]\n  group_wait: 0s\n  \
         group_interval: 1m\nreceivers:\n  - name: team-db\n    slack_configs:\n      - api_url: {url}\n        \
         channel: '#db'\n        title: '{{{{ template \"team.title\" . }}}}'\n        \
         text: '{{{{ template \"team.text\" . }}}}'\n        \
         fields:\n          - title: Severity\n            value: '{{{{ .CommonLabels.severity | toUpper }}}}'\n            short: true\n          \
         - title: Runbook\n            value: '{{{{ .CommonAnnotations.runbook | safeHtml }}}}'\n"
    )
}

#[test]
fn argus_expands_slack_templates_as_a_real_alertmanager_does() {
    assert!(
        have("prometheus-alertmanager"),
        "`prometheus-alertmanager` is missing: run scripts/install-test-deps"
    );
    let w = Workdir::new();
    let (am_url, am_hits) = super::notify::receiver(vec![]);
    let (own_url, own_hits) = super::notify::receiver(vec![]);
    let am_port = free_port();
    // The same templates and Slack settings for both; only the webhook URLs differ.
    w.write("team.tmpl", TEAM_TMPL);
    let am_config = w.write("alertmanager.yml", &slack_am_config(&am_url));
    let own_config = w.write("own.yml", &slack_am_config(&own_url));
    let external = "http://alerts.example:9093";
    let _am = Spawned(
        Command::new("prometheus-alertmanager")
            .arg(format!("--config.file={}", am_config.display()))
            .arg(format!("--storage.path={}", w.path("am").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{am_port}"))
            .arg(format!("--web.external-url={external}"))
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start alertmanager"),
    );
    let rules = w.write("rules.yml", TWO_DOWN);
    let prometheus_yml = w.write(
        "argus.yml",
        &format!(
            "global:\n  evaluation_interval: 1s\nrule_files: ['{}']\nalerting:\n  alertmanagers:\n    \
             - static_configs:\n        - targets: ['127.0.0.1:{am_port}']\n",
            rules.display()
        ),
    );
    wait_ready(am_port);
    w.argus()
        .arg("ingest")
        .write_stdin("x 1\n")
        .assert()
        .success();
    for _ in 0..200 {
        let out = Command::new(argus_bin())
            .env("ARGUS_STORE", w.store())
            .args(["rules", "eval", "-q", "--config"])
            .arg(&prometheus_yml)
            .arg("--alertmanager-config")
            .arg(&own_config)
            .args(["--external-url", external, "--time", "now"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(6),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if !am_hits.lock().unwrap().is_empty() && !own_hits.lock().unwrap().is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let from_am = am_hits.lock().unwrap().first().cloned();
    let from_am = from_am.expect("Alertmanager never posted to Slack").body;
    let from_argus = own_hits.lock().unwrap().first().cloned();
    let from_argus = from_argus.expect("argus never posted to Slack").body;
    let attachment = &from_argus["attachments"][0];
    assert_eq!(attachment["title"], "[FIRING:2] MySQLDown for Db");
    let text = attachment["text"].as_str().unwrap();
    assert!(
        text.contains("Common: critical, db (severity=critical, team=db)"),
        "{text}"
    );
    assert!(
        text.contains("Source: http://alerts.example:9093/graph?g0.expr="),
        "{text}"
    );
    assert_eq!(attachment["footer"], "team-db · Alertmanager · DB");
    // Every field of the message is Alertmanager's, character for character, but for one
    // known difference: Debian's Alertmanager (0.25) prints a label map with Go's `map[...]`;
    // later releases gave `template.KV` and `template.Pairs` a `String` method (`a=b, c=d`),
    // which argus follows.
    let am_text = serde_json::to_string_pretty(&from_am).unwrap().replace(
        "(map[severity:critical team:db])",
        "(severity=critical, team=db)",
    );
    assert_eq!(serde_json::to_string_pretty(&from_argus).unwrap(), am_text);
}
