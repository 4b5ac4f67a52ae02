use super::*;
use crate::model::Labels;
use crate::notify::alert::fingerprint;
use crate::notify::alert::Status;
use crate::notify::config::Config;
use crate::notify::data::NotifiedAlert;
use crate::notify::template::Templates;

/// A default template run against `d`, through the template engine.
fn named(name: &str, d: &Data) -> String {
    Templates::defaults()
        .execute_text(&format!("{{{{ template {name:?} . }}}}"), d)
        .unwrap()
}

fn subject(d: &Data) -> String {
    named("__subject", d)
}

fn alertmanager_url(d: &Data) -> String {
    named("__alertmanagerURL", d)
}

fn notified(status: Status, pairs: &[(&str, &str)]) -> NotifiedAlert {
    let labels = Labels::from_pairs(pairs.iter().copied());
    NotifiedAlert {
        status,
        fingerprint: fingerprint(&labels),
        labels,
        annotations: Default::default(),
        starts_at: 0,
        ends_at: (status == Status::Resolved).then_some(60_000),
        generator_url: String::new(),
    }
}

const LATENCY_A: &[(&str, &str)] = &[
    ("alertname", "HighLatency"),
    ("instance", "a:9090"),
    ("job", "api"),
    ("severity", "critical"),
];
const LATENCY_B: &[(&str, &str)] = &[
    ("alertname", "HighLatency"),
    ("instance", "b:9090"),
    ("job", "api"),
    ("severity", "critical"),
];

fn data(receiver: &str, group_by: &[&str], alerts: &[NotifiedAlert]) -> Data {
    let first = &alerts[0].labels;
    let gl = Labels::from_pairs(
        group_by
            .iter()
            .filter_map(|n| first.get(n).map(|v| (*n, v))),
    );
    Data::new(receiver, &gl, alerts, "http://am.example:9093")
}

#[test]
fn default_titles_for_one_firing_alert() {
    let d = data(
        "team",
        &["alertname"],
        &[notified(Status::Firing, LATENCY_A)],
    );
    assert_eq!(subject(&d), "[FIRING:1] HighLatency (a:9090 api critical)");
}

#[test]
fn default_titles_for_several_alerts() {
    let alerts = [
        notified(Status::Firing, LATENCY_A),
        notified(Status::Firing, LATENCY_B),
    ];
    let d = data("team", &["alertname"], &alerts);
    assert_eq!(subject(&d), "[FIRING:2] HighLatency (api critical)");
    let mixed = [
        notified(Status::Firing, LATENCY_A),
        notified(Status::Resolved, LATENCY_B),
    ];
    assert_eq!(
        subject(&data("team", &["alertname"], &mixed)),
        "[FIRING:1] HighLatency (api critical)"
    );
}

#[test]
fn default_titles_for_resolved_groups() {
    let alerts = [
        notified(Status::Resolved, LATENCY_A),
        notified(Status::Resolved, LATENCY_B),
    ];
    assert_eq!(
        subject(&data("team", &["alertname"], &alerts)),
        "[RESOLVED] HighLatency (api critical)"
    );
}

#[test]
fn default_titles_keep_alertmanagers_spaces() {
    // Grouped by every label: nothing left for the parenthesis, but the space stays.
    let d = data(
        "team",
        &["alertname", "instance", "job", "severity"],
        &[notified(Status::Firing, LATENCY_A)],
    );
    assert_eq!(subject(&d), "[FIRING:1] HighLatency a:9090 api critical ");
    // No grouping labels: an empty group part, then alertname first among the rest.
    let d = data("team", &[], &[notified(Status::Firing, LATENCY_A)]);
    assert_eq!(subject(&d), "[FIRING:1]  (HighLatency a:9090 api critical)");
}

#[test]
fn links_carry_the_escaped_receiver() {
    let d = data(
        "team ops",
        &["alertname"],
        &[notified(Status::Firing, LATENCY_A)],
    );
    assert_eq!(
        alertmanager_url(&d),
        "http://am.example:9093/#/alerts?receiver=team+ops"
    );
    let d = data(
        "ops.eu/1",
        &["alertname"],
        &[notified(Status::Firing, LATENCY_A)],
    );
    assert_eq!(
        alertmanager_url(&d),
        "http://am.example:9093/#/alerts?receiver=ops%5C.eu%2F1"
    );
}

fn slack_config(extra: &str) -> SlackConfig {
    let text = format!(
        "route: {{receiver: team}}\nreceivers:\n  - name: team\n    slack_configs:\n      - api_url: https://hooks.slack.com/services/T/B/X\n{extra}"
    );
    let c = Config::parse(&text).unwrap();
    c.receivers[0].slack_configs[0].clone()
}

#[test]
fn the_default_message_is_alertmanagers() {
    let cfg = slack_config("");
    let d = data(
        "team",
        &["alertname"],
        &[notified(Status::Firing, LATENCY_A)],
    );
    let body = String::from_utf8(body(&cfg, &d, &Templates::defaults()).unwrap()).unwrap();
    let expected = concat!(
        r#"{"username":"Alertmanager","attachments":[{"title":"[FIRING:1] HighLatency (a:9090 api critical)","#,
        r#""title_link":"http://am.example:9093/#/alerts?receiver=team","text":"","#,
        r#""fallback":"[FIRING:1] HighLatency (a:9090 api critical) | http://am.example:9093/#/alerts?receiver=team","#,
        r#""callback_id":"","footer":"","color":"danger","mrkdwn_in":["fallback","pretext","text"]}]}"#,
        "\n"
    );
    assert_eq!(body, expected);
}

#[test]
fn resolved_messages_are_green() {
    let cfg = slack_config("");
    let d = data(
        "team",
        &["alertname"],
        &[notified(Status::Resolved, LATENCY_A)],
    );
    let v: serde_json::Value =
        serde_json::from_slice(&body(&cfg, &d, &Templates::defaults()).unwrap()).unwrap();
    assert_eq!(v["attachments"][0]["color"], "good");
    assert_eq!(
        v["attachments"][0]["title"],
        "[RESOLVED] HighLatency (a:9090 api critical)"
    );
}

#[test]
fn literal_settings_pass_and_user_templates_expand() {
    let cfg = slack_config(
        "        channel: '#alerts'\n        username: prometheus\n        icon_emoji: ':fire:'\n        link_names: true\n        short_fields: true\n        fields:\n          - {title: Runbook, value: 'https://wiki/runbook'}\n          - {title: Team, value: db, short: false}\n",
    );
    let d = data(
        "team",
        &["alertname"],
        &[notified(Status::Firing, LATENCY_A)],
    );
    let v: serde_json::Value =
        serde_json::from_slice(&body(&cfg, &d, &Templates::defaults()).unwrap()).unwrap();
    assert_eq!(v["channel"], "#alerts");
    assert_eq!(v["username"], "prometheus");
    assert_eq!(v["icon_emoji"], ":fire:");
    assert_eq!(v["link_names"], true);
    assert_eq!(
        v["attachments"][0]["fields"],
        serde_json::json!([{"title": "Runbook", "value": "https://wiki/runbook", "short": true},
                           {"title": "Team", "value": "db", "short": false}])
    );
    let custom =
        slack_config("        text: '{{ range .Alerts }}{{ .Annotations.summary }}{{ end }}'\n");
    let v: serde_json::Value =
        serde_json::from_slice(&body(&custom, &d, &Templates::defaults()).unwrap()).unwrap();
    assert_eq!(v["attachments"][0]["text"], "");
    // Writing out a default template by hand is the default.
    let spelled = slack_config("        title: '{{template \"slack.default.title\" .}}'\n");
    assert!(body(&spelled, &d, &Templates::defaults()).is_ok());
}

#[test]
fn long_titles_are_cut_to_1024_runes() {
    let long = "é".repeat(2_000);
    let cfg = slack_config(&format!("        title: '{long}'\n"));
    let d = data(
        "team",
        &["alertname"],
        &[notified(Status::Firing, LATENCY_A)],
    );
    let v: serde_json::Value =
        serde_json::from_slice(&body(&cfg, &d, &Templates::defaults()).unwrap()).unwrap();
    let title = v["attachments"][0]["title"].as_str().unwrap();
    assert_eq!(title.chars().count(), 1024);
    assert!(title.ends_with("é…"));
}
