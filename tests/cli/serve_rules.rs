//! `argus serve --rules`: rule groups evaluated on their schedule inside the server, shown on
//! `/api/v1/rules` and `/api/v1/alerts` as Prometheus shows them, reloaded all or nothing,
//! and their alerts' state kept across a `kill -9`.

use super::serve::Server;
use super::support::{argus_bin, Workdir};
use serde_json::Value;
use std::time::Duration;

const RULES: &str = "
groups:
  - name: node
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: InstanceDown
        expr: up == 0
        for: 10m
        labels: {severity: page}
        annotations:
          summary: '{{ $labels.instance }} is down'
      - alert: AlwaysFiring
        expr: vector(1)
";

/// `up` for two instances over the last five minutes (a is down), ingested.
fn store_with_up(w: &Workdir) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut text = String::new();
    for k in 0..=20 {
        let t = (now - 300 + k * 15) * 1000;
        text.push_str(&format!("up{{job=\"node\",instance=\"a\"}} 0 {t}\n"));
        text.push_str(&format!("up{{job=\"node\",instance=\"b\"}} 1 {t}\n"));
    }
    w.argus().arg("ingest").write_stdin(text).assert().success();
}

/// Polls `/api/v1/alerts` until `n` alerts are shown.
fn wait_for_alerts(s: &Server, n: usize) -> Vec<Value> {
    for _ in 0..500 {
        let v = s.json("/api/v1/alerts");
        let alerts = v["data"]["alerts"].as_array().cloned().unwrap_or_default();
        if alerts.len() >= n {
            return alerts;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("no {n} alerts: {}", s.stderr());
}

fn alert<'a>(alerts: &'a [Value], name: &str) -> &'a Value {
    alerts
        .iter()
        .find(|a| a["labels"]["alertname"] == name)
        .unwrap_or_else(|| panic!("no {name} in {alerts:?}"))
}

#[test]
fn rules_are_evaluated_and_shown_as_prometheus_shows_them() {
    let w = Workdir::new();
    store_with_up(&w);
    let rules = w.write("alerts.yml", RULES);
    let s = Server::start(&w, &["--rules", rules.to_str().unwrap()]);
    let alerts = wait_for_alerts(&s, 2);
    let down = alert(&alerts, "InstanceDown");
    assert_eq!(down["state"], "pending");
    assert_eq!(down["value"], "0e+00");
    assert_eq!(down["annotations"]["summary"], "a is down");
    assert_eq!(down["labels"]["severity"], "page");
    assert_eq!(alert(&alerts, "AlwaysFiring")["state"], "firing");

    let v = s.json("/api/v1/rules");
    let group = &v["data"]["groups"][0];
    assert_eq!(group["name"], "node");
    assert_eq!(group["interval"], 60.0);
    assert!(group["file"].as_str().unwrap().ends_with("alerts.yml"));
    let r = group["rules"].as_array().unwrap();
    assert_eq!(r.len(), 3);
    assert_eq!(r[0]["type"], "recording");
    assert_eq!(r[0]["query"], "sum by (job) (up)");
    assert_eq!(r[0]["health"], "ok");
    assert_eq!(r[1]["type"], "alerting");
    assert_eq!(r[1]["duration"], 600.0);
    assert_eq!(r[1]["state"], "pending");
    assert_eq!(r[1]["alerts"][0]["labels"]["instance"], "a");
    assert_eq!(r[2]["state"], "firing");

    // Prometheus' filters.
    let v = s.json("/api/v1/rules?type=record");
    assert_eq!(v["data"]["groups"][0]["rules"].as_array().unwrap().len(), 1);
    let v = s.json("/api/v1/rules?type=alert&exclude_alerts=true");
    let r = v["data"]["groups"][0]["rules"].as_array().unwrap().clone();
    assert_eq!(r.len(), 2);
    assert!(r[0].get("alerts").is_none());
    let v = s.json("/api/v1/rules?rule_name[]=AlwaysFiring");
    assert_eq!(v["data"]["groups"][0]["rules"].as_array().unwrap().len(), 1);
    let v = s.json("/api/v1/rules?match[]={severity=\"page\"}");
    assert_eq!(v["data"]["groups"][0]["rules"][0]["name"], "InstanceDown");
    let (code, _) = s.get("/api/v1/rules?type=nope");
    assert_eq!(code, 400);

    // What the rules recorded is queryable.
    let v = s.json("/api/v1/query?query=job:up:sum");
    assert_eq!(v["data"]["result"][0]["value"][1], "1");
    let metrics = s.get("/metrics").1;
    assert!(
        metrics.contains("prometheus_rule_group_rules{rule_group="),
        "{metrics}"
    );
}

#[test]
fn a_reload_is_all_or_nothing_and_unchanged_alerts_keep_their_state() {
    let w = Workdir::new();
    store_with_up(&w);
    let rules = w.write("alerts.yml", RULES);
    let s = Server::start(&w, &["--rules", rules.to_str().unwrap()]);
    let before = alert(&wait_for_alerts(&s, 2), "InstanceDown")["activeAt"].clone();
    std::fs::write(
        &rules,
        "groups:\n  - name: node\n    rules:\n      - record: x\n        expr: sum(\n",
    )
    .unwrap();
    let (code, body) = s.post_form("/-/reload", "");
    assert_ne!(code, 200, "{body}");
    let v = s.json("/api/v1/rules");
    assert_eq!(v["data"]["groups"][0]["rules"].as_array().unwrap().len(), 3);
    std::fs::write(
        &rules,
        format!("{RULES}      - record: job:up:count\n        expr: count by (job) (up)\n"),
    )
    .unwrap();
    let (code, body) = s.post_form("/-/reload", "");
    assert_eq!(code, 200, "{body}");
    let v = s.json("/api/v1/rules");
    assert_eq!(v["data"]["groups"][0]["rules"].as_array().unwrap().len(), 4);
    let after = alert(&wait_for_alerts(&s, 2), "InstanceDown")["activeAt"].clone();
    assert_eq!(before, after);
}

#[test]
fn alert_state_survives_kill_9_and_is_shared_with_cron() {
    let w = Workdir::new();
    store_with_up(&w);
    let rules = w.write("alerts.yml", RULES);
    let s = Server::start(&w, &["--rules", rules.to_str().unwrap()]);
    let before = alert(&wait_for_alerts(&s, 2), "InstanceDown")["activeAt"].clone();
    let evaluated = s.json("/api/v1/rules")["data"]["groups"][0]["lastEvaluation"]
        .as_str()
        .unwrap()
        .to_string();
    s.signal(libc::SIGKILL);
    drop(s);
    // A cron run at the instant the server evaluated finds it done.
    let out = std::process::Command::new(argus_bin())
        .env("ARGUS_STORE", w.store())
        .args(["rules", "eval", "--rules"])
        .arg(&rules)
        .args(["--time", &evaluated])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already evaluated at this instant"), "{err}");
    let s = Server::start(&w, &["--rules", rules.to_str().unwrap()]);
    let after = alert(&wait_for_alerts(&s, 2), "InstanceDown")["activeAt"].clone();
    assert_eq!(before, after);
}

#[test]
fn the_server_notifies_by_itself_and_counts_it() {
    let w = Workdir::new();
    store_with_up(&w);
    let rules = w.write("alerts.yml", RULES);
    let (hook, hits) = super::notify::receiver(vec![]);
    let am = w.write(
        "alertmanager.yml",
        &format!(
            "route:\n  receiver: hook\n  group_wait: 0s\nreceivers:\n  - name: hook\n    \
             webhook_configs:\n      - url: {hook}\n"
        ),
    );
    let s = Server::start(
        &w,
        &[
            "--rules",
            rules.to_str().unwrap(),
            "--alertmanager-config",
            am.to_str().unwrap(),
        ],
    );
    for _ in 0..500 {
        if !hits.lock().unwrap().is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let got = hits.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{}", s.stderr());
    assert_eq!(
        got[0].body["alerts"][0]["labels"]["alertname"],
        "AlwaysFiring"
    );
    // The firing state was shown before the notification went out.
    let alerts = s.json("/api/v1/alerts")["data"]["alerts"].clone();
    let alerts = alerts.as_array().unwrap();
    assert_eq!(
        alert(alerts, "AlwaysFiring")["state"],
        "firing",
        "{alerts:?}"
    );
    // The counters follow the delivery's outcome, which the server records once the
    // receiver has answered.
    let counted =
        r#"alertmanager_notifications_total{integration="webhook",receiver_name="hook"} 1"#;
    let mut metrics = String::new();
    for _ in 0..500 {
        metrics = s.get("/metrics").1;
        if metrics.contains(counted) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(metrics.contains(counted), "{metrics}");
    assert!(
        metrics.contains(
            r#"alertmanager_notification_requests_total{integration="webhook",receiver_name="hook"} 1"#
        ),
        "{metrics}"
    );
    assert!(
        !metrics.contains("alertmanager_notifications_failed_total{"),
        "{metrics}"
    );
}

#[test]
fn group_wait_is_honoured_between_evaluations() {
    let w = Workdir::new();
    store_with_up(&w);
    // Evaluated every 2 s, so the alert starts at most 2 s before the server; the first
    // notification must wait for group_wait (5 s) after it, not go out at the first
    // evaluation.
    let rules = w.write(
        "alerts.yml",
        "groups:\n  - name: fast\n    interval: 2s\n    rules:\n      - alert: AlwaysFiring\n        expr: vector(1)\n",
    );
    let (hook, hits) = super::notify::receiver(vec![]);
    let am = w.write(
        "alertmanager.yml",
        &format!(
            "route:\n  receiver: hook\n  group_wait: 5s\nreceivers:\n  - name: hook\n    \
             webhook_configs:\n      - url: {hook}\n"
        ),
    );
    let started = std::time::Instant::now();
    let s = Server::start(
        &w,
        &[
            "--rules",
            rules.to_str().unwrap(),
            "--alertmanager-config",
            am.to_str().unwrap(),
        ],
    );
    for _ in 0..1000 {
        if !hits.lock().unwrap().is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let got = hits.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{}", s.stderr());
    // Not before the group's wait.
    assert!(
        got[0].at - started >= Duration::from_secs(3),
        "{:?}",
        got[0].at - started
    );
}
