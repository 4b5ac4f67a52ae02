//! argus' own notifications (`--alertmanager-config`): a Slack-shaped receiver on loopback
//! that answers 429 with `Retry-After`, then 500, then 200 `ok`, and a webhook receiver; every
//! notification arrives exactly once, after the pauses asked for; silences mute; each
//! notification is written to the alert history.

use super::support::Workdir;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request as the receiver saw it.
#[derive(Clone, Debug)]
pub(super) struct Hit {
    pub(super) at: Instant,
    pub(super) body: Value,
    pub(super) status: u16,
}

/// A receiver on loopback answering with `script` in turn (status, extra headers, body),
/// then 200 `ok` for ever.
pub(super) fn receiver(
    script: Vec<(u16, &'static str, &'static str)>,
) -> (String, Arc<Mutex<Vec<Hit>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/services/T0/B0/x", listener.local_addr().unwrap());
    let hits = Arc::new(Mutex::new(Vec::new()));
    let keep = hits.clone();
    std::thread::spawn(move || {
        let mut script = script.into_iter();
        for stream in listener.incoming().flatten() {
            let mut s = stream;
            let body = read_request(&mut s);
            let (status, headers, text) = script.next().unwrap_or((200, "", "ok"));
            let reply = format!(
                "HTTP/1.1 {status} X\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
            let _ = s.write_all(reply.as_bytes());
            keep.lock().unwrap().push(Hit {
                at: Instant::now(),
                body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                status,
            });
        }
    });
    (url, hits)
}

fn read_request(s: &mut std::net::TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = s.read(&mut chunk).unwrap_or(0);
        if n == 0 {
            return Vec::new();
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
                return buf[i + 4..i + 4 + len].to_vec();
            }
        }
    }
}

const T0: i64 = 1_800_000_000;

const RULES: &str = "
groups:
  - name: db
    rules:
      - alert: MySQLDown
        expr: mysql_up == 0
        labels: {severity: critical}
        annotations:
          summary: 'MySQL {{ $labels.instance }} is down'
";

fn setup(w: &Workdir, slack: &str, hook: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let mut data = String::new();
    for k in 0..=40 {
        let t = (T0 + k * 15) * 1000;
        let up = if (4..30).contains(&k) { 0 } else { 1 };
        data.push_str(&format!("mysql_up{{instance=\"db1\"}} {up} {t}\n"));
    }
    w.argus().arg("ingest").write_stdin(data).assert().success();
    let rules = w.write("rules.yml", RULES);
    let am = w.write(
        "alertmanager.yml",
        &format!(
            "route:\n  receiver: team\n  group_by: [alertname]\n  group_wait: 0s\n  group_interval: 1m\n  \
             repeat_interval: 4h\nreceivers:\n  - name: team\n    slack_configs:\n      - api_url: {slack}\n        \
             channel: '#db'\n        send_resolved: true\n    webhook_configs:\n      - url: {hook}\n"
        ),
    );
    (rules, am)
}

fn eval(w: &Workdir, rules: &std::path::Path, am: &std::path::Path, at: i64) -> (i32, String) {
    let out = w
        .argus()
        .args(["rules", "eval", "-q", "--rules"])
        .arg(rules)
        .arg("--alertmanager-config")
        .arg(am)
        .args(["--time", &at.to_string()])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn notifications_arrive_once_after_the_pauses_asked_for() {
    let w = Workdir::new();
    let (slack, slack_hits) = receiver(vec![
        (429, "Retry-After: 1\r\n", "rate_limited"),
        (500, "", "oops"),
    ]);
    let (hook, hook_hits) = receiver(vec![]);
    let (rules, am) = setup(&w, &slack, &hook);
    let (code, err) = eval(&w, &rules, &am, T0 + 60);
    assert_eq!(code, 6, "{err}");
    let hits = slack_hits.lock().unwrap().clone();
    assert_eq!(
        hits.iter().map(|h| h.status).collect::<Vec<_>>(),
        [429, 500, 200],
        "{err}"
    );
    assert!(
        hits[1].at - hits[0].at >= Duration::from_millis(1000),
        "Retry-After honoured"
    );
    let title = hits[2].body["attachments"][0]["title"].as_str().unwrap();
    assert!(title.starts_with("[FIRING:1] MySQLDown"), "{title}");
    assert_eq!(hits[2].body["attachments"][0]["color"], "danger");
    let hooks = hook_hits.lock().unwrap().clone();
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].body["version"], "4");
    assert_eq!(hooks[0].body["status"], "firing");
    assert_eq!(
        hooks[0].body["alerts"][0]["annotations"]["summary"],
        "MySQL db1 is down"
    );
    // Nothing changed and the repeat interval is far: nothing is sent again.
    eval(&w, &rules, &am, T0 + 120);
    eval(&w, &rules, &am, T0 + 180);
    assert_eq!(slack_hits.lock().unwrap().len(), 3);
    assert_eq!(hook_hits.lock().unwrap().len(), 1);
    // Resolved (mysql_up is 1 again from T0+450): Slack and the webhook are told, once.
    let (code, err) = eval(&w, &rules, &am, T0 + 480);
    assert_eq!(code, 0, "{err}");
    eval(&w, &rules, &am, T0 + 540);
    let hooks = hook_hits.lock().unwrap().clone();
    assert_eq!(hooks.len(), 2, "{hooks:?}");
    assert_eq!(hooks[1].body["status"], "resolved");
    let slack = slack_hits.lock().unwrap().clone();
    assert_eq!(slack.len(), 4);
    assert!(slack[3].body["attachments"][0]["title"]
        .as_str()
        .unwrap()
        .starts_with("[RESOLVED]"));
    // Each notification is in the alert history.
    let out = w
        .argus()
        .args([
            "query",
            "{source=\"argus-alerts\", event=\"notification\"} | json | outcome=\"sent\"",
        ])
        .args([
            "--from",
            &T0.to_string(),
            "--to",
            &(T0 + 600).to_string(),
            "-o",
            "raw",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 4);
}

#[test]
fn a_silence_mutes_and_expiring_it_lets_notifications_through() {
    let w = Workdir::new();
    let (slack, slack_hits) = receiver(vec![]);
    let (hook, hook_hits) = receiver(vec![]);
    let (rules, am) = setup(&w, &slack, &hook);
    let out = w
        .argus()
        .args([
            "alerts",
            "silence",
            "add",
            "alertname=\"MySQLDown\"",
            "--comment",
            "maintenance",
        ])
        .args(["--start", &T0.to_string(), "--duration", "1d"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(id.len(), 36);
    let list = w
        .argus()
        .args(["alerts", "silence", "list"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains(&id));
    eval(&w, &rules, &am, T0 + 60);
    assert!(slack_hits.lock().unwrap().is_empty());
    assert!(hook_hits.lock().unwrap().is_empty());
    w.argus()
        .args(["alerts", "silence", "expire", &id])
        .assert()
        .success();
    eval(&w, &rules, &am, T0 + 120);
    assert_eq!(hook_hits.lock().unwrap().len(), 1);
    // Bad input: a matcher that matches everything, no comment, an unknown ID.
    let bad = w
        .argus()
        .args(["alerts", "silence", "add", "x=~\".*\"", "--comment", "c"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let missing = w
        .argus()
        .args(["alerts", "silence", "expire", "nope"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(3));
}

#[test]
fn a_bad_alertmanager_config_is_refused_with_its_line() {
    let w = Workdir::new();
    w.argus()
        .arg("ingest")
        .write_stdin("x 1\n")
        .assert()
        .success();
    let rules = w.write("rules.yml", RULES);
    let am = w.write(
        "alertmanager.yml",
        "route:\n  receiver: team\nreceivers:\n  - name: team\n    pagerduty_configs:\n      - routing_key: x\n",
    );
    let (code, err) = eval(&w, &rules, &am, T0);
    assert_eq!(code, 3);
    assert!(
        err.contains("alertmanager.yml") && err.contains("pagerduty"),
        "{err}"
    );
}
