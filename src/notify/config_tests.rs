use super::*;
use crate::notify::receiver::slack_defaults;

const TEAM: &str = r#"
global:
  resolve_timeout: 2m
  slack_api_url: https://hooks.slack.com/services/T0/B0/SECRET
  smtp_smarthost: localhost:25
templates:
  - templates/*.tmpl
  - /etc/am/extra.tmpl
route:
  receiver: default
  group_by: [alertname, cluster]
  group_wait: 10s
  routes:
    - matchers: ['severity="page"', 'team=~"db|infra"']
      receiver: pager
      group_interval: 1m
      continue: true
    - match:
        service: api
      match_re:
        env: prod|staging
      receiver: api-hook
      group_by: ['...']
      repeat_interval: 1h
receivers:
  - name: default
    slack_configs:
      - channel: '#alerts'
  - name: pager
    webhook_configs:
      - url: http://127.0.0.1:5001/hook
        max_alerts: 10
        timeout: 5s
      - url_file: /run/secrets/hook
        send_resolved: false
  - name: api-hook
    slack_configs:
      - api_url: https://hooks.slack.com/services/T1/B1/OTHER
        send_resolved: true
        title: 'custom {{ .Status }}'
        fields:
          - title: Summary
            value: '{{ .CommonAnnotations.summary }}'
            short: true
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [alertname, cluster]
  - source_match: {severity: page}
    target_match_re: {severity: "warn.*"}
"#;

fn errors(text: &str) -> Vec<String> {
    Config::parse(text).unwrap_err().0
}

#[test]
fn a_teams_configuration_reads_with_its_values() {
    let c = Config::parse(TEAM).unwrap();
    assert_eq!(c.global.resolve_timeout, 120_000);
    assert_eq!(c.templates, ["templates/*.tmpl", "/etc/am/extra.tmpl"]);
    assert_eq!(c.route.opts.receiver, "default");
    assert_eq!(c.route.opts.group_wait, 10_000);
    let pager = &c.route.routes[0];
    assert_eq!(pager.key, r#"{}/{severity="page",team=~"db|infra"}"#);
    assert!(pager.continue_matching);
    assert_eq!(
        (pager.opts.group_interval, pager.opts.group_wait),
        (60_000, 10_000)
    );
    let api = &c.route.routes[1];
    assert_eq!(api.key, r#"{}/{env=~"^(?:prod|staging)$",service="api"}"#);
    assert!(api.opts.group_by_all);
    assert_eq!(api.opts.repeat_interval, 3_600_000);

    let hooks = &c.receiver("pager").unwrap().webhook_configs;
    assert_eq!(hooks.len(), 2);
    assert!(
        hooks[0].send_resolved,
        "webhooks send resolved alerts by default"
    );
    assert_eq!((hooks[0].max_alerts, hooks[0].timeout), (10, 5_000));
    assert_eq!(hooks[1].url, UrlSource::File("/run/secrets/hook".into()));
    assert!(!hooks[1].send_resolved);

    let default_slack = &c.receiver("default").unwrap().slack_configs[0];
    assert!(
        !default_slack.send_resolved,
        "Slack does not send resolved alerts by default"
    );
    assert_eq!(default_slack.channel, "#alerts");
    assert_eq!(default_slack.title, slack_defaults::TITLE);
    assert_eq!(default_slack.color, slack_defaults::COLOR);
    // The global URL fills a Slack integration that has none.
    match &default_slack.api_url {
        UrlSource::Inline(u) => {
            assert_eq!(u.expose(), "https://hooks.slack.com/services/T0/B0/SECRET")
        }
        other => panic!("{other:?}"),
    }
    let api_slack = &c.receiver("api-hook").unwrap().slack_configs[0];
    assert_eq!(api_slack.title, "custom {{ .Status }}");
    assert_eq!(api_slack.fields[0].short, Some(true));

    assert_eq!(c.inhibit_rules.len(), 2);
    assert_eq!(c.inhibit_rules[0].equal, ["alertname", "cluster"]);
    assert_eq!(
        c.inhibit_rules[1].target[0].to_string(),
        r#"severity=~"^(?:warn.*)$""#
    );
}

#[test]
fn secrets_do_not_show_when_the_configuration_is_printed() {
    let c = Config::parse(TEAM).unwrap();
    let shown = format!("{c:?}");
    assert!(shown.contains("<secret>"));
    assert!(
        !shown.contains("SECRET") && !shown.contains("OTHER") && !shown.contains("5001"),
        "{shown}"
    );
}

#[test]
fn defaults_of_a_minimal_configuration() {
    let c = Config::parse("route: {receiver: r}\nreceivers: [{name: r}]\n").unwrap();
    assert_eq!(c.global.resolve_timeout, 300_000);
    assert_eq!(
        (
            c.route.opts.group_wait,
            c.route.opts.group_interval,
            c.route.opts.repeat_interval
        ),
        (30_000, 300_000, 14_400_000)
    );
    assert!(c.route.opts.group_by.is_empty() && !c.route.opts.group_by_all);
    assert!(c.receiver("r").unwrap().webhook_configs.is_empty());
}

#[test]
fn unknown_keys_and_wrong_kinds_are_go_worded_with_lines() {
    let e = errors("route:\n  receiver: r\n  recevier: x\nreceivers: [{name: r}]\n");
    assert_eq!(
        e,
        ["yaml: unmarshal errors:\n  line 3: field recevier not found in type config.plain"]
    );
    let e = errors("route:\n  receiver: r\n  group_by: alertname\nreceivers: [{name: r}]\n");
    assert_eq!(
        e,
        ["yaml: unmarshal errors:\n  line 3: cannot unmarshal !!str `alertname` into []string"]
    );
    let e = errors("route: {receiver: r}\nreceivers:\n  - name: r\n    webhook_configs:\n      - url: http://x/\n        max_alerts: -1\n");
    assert_eq!(
        e,
        ["yaml: unmarshal errors:\n  line 6: cannot unmarshal !!int `-1` into uint64"]
    );
    let e = errors("route: {receiver: r}\nreceivers:\n  - name: r\n    webhook_configs:\n      - url: http://x/\n        timeout: soon\n");
    assert_eq!(
        e,
        ["yaml: unmarshal errors:\n  line 6: cannot unmarshal !!str `soon` into time.Duration"]
    );
}

#[test]
fn the_route_tree_is_checked_as_alertmanager_checks_it() {
    assert_eq!(errors(""), ["no route provided in config"]);
    assert_eq!(errors("receivers: [{name: r}]\n"), ["no routes provided"]);
    assert_eq!(
        errors("route: {group_wait: 1s}\n"),
        ["line 1: root route must specify a default receiver"]
    );
    assert_eq!(
        errors("route:\n  receiver: r\n  matchers: [a=b]\nreceivers: [{name: r}]\n"),
        ["line 2: root route must not have any matchers"]
    );
    assert_eq!(
        errors("route:\n  receiver: r\n  continue: true\nreceivers: [{name: r}]\n"),
        ["line 2: cannot have continue in root route"]
    );
    assert_eq!(
        errors(
            "route:\n  receiver: r\n  routes:\n    - receiver: nobody\nreceivers: [{name: r}]\n"
        ),
        ["line 4: undefined receiver \"nobody\" used in route"]
    );
    assert_eq!(
        errors("route:\n  receiver: r\n  group_interval: 0s\nreceivers: [{name: r}]\n"),
        ["line 3: group_interval cannot be zero"]
    );
    assert_eq!(
        errors("route:\n  receiver: r\n  group_wait: 5 minutes\nreceivers: [{name: r}]\n"),
        ["line 3: not a valid duration string: \"5 minutes\""]
    );
}

#[test]
fn grouping_and_matchers_are_checked() {
    let e = errors("route:\n  receiver: r\n  group_by: ['...', a]\nreceivers: [{name: r}]\n");
    assert_eq!(
        e,
        ["line 3: cannot have wildcard group_by (`...`) and other labels at the same time"]
    );
    let e = errors("route:\n  receiver: r\n  group_by: [a, a]\nreceivers: [{name: r}]\n");
    assert_eq!(e, ["line 3: duplicated label \"a\" in group_by"]);
    let e = errors(
        "route:\n  receiver: r\n  routes:\n    - matchers: ['a=\"b']\nreceivers: [{name: r}]\n",
    );
    assert_eq!(
        e,
        ["line 4: matcher value contains unescaped double quote: \"b"]
    );
    let e =
        errors("route:\n  receiver: r\n  routes:\n    - match: {a-b: c}\nreceivers: [{name: r}]\n");
    assert_eq!(e, ["line 4: invalid label name \"a-b\""]);
    let e = errors(
        "route:\n  receiver: r\n  routes:\n    - match_re: {a: '('}\nreceivers: [{name: r}]\n",
    );
    assert!(e[0].starts_with("line 4: error parsing regexp"), "{e:?}");
}

#[test]
fn receivers_are_checked() {
    let e = errors("route: {receiver: r}\nreceivers:\n  - name: r\n  - name: r\n");
    assert_eq!(e, ["line 4: notification config name \"r\" is not unique"]);
    let e = errors(
        "route: {receiver: r}\nreceivers:\n  - name: r\n    slack_configs: [{channel: x}]\n",
    );
    assert_eq!(
        e,
        ["line 3: no global Slack API URL set either inline or in a file"]
    );
    let e = errors("route: {receiver: r}\nreceivers:\n  - name: r\n    webhook_configs: [{send_resolved: true}]\n");
    assert_eq!(e, ["line 4: one of url or url_file must be configured"]);
    let e = errors("route: {receiver: r}\nreceivers:\n  - name: r\n    webhook_configs: [{url: 'http://a/', url_file: f}]\n");
    assert_eq!(
        e,
        ["line 4: at most one of url & url_file must be configured"]
    );
    let e = errors("route: {receiver: r}\nreceivers:\n  - name: r\n    webhook_configs: [{url: 'ftp://a/secret'}]\n");
    assert_eq!(e, ["line 4: url: unsupported scheme \"ftp\" for URL"]);
    let e = errors("route: {receiver: r}\nreceivers:\n  - webhook_configs: []\n");
    assert!(
        e.contains(&"line 3: missing name in receiver".to_string()),
        "{e:?}"
    );
}

#[test]
fn what_argus_cannot_honour_is_refused_by_name() {
    let e =
        errors("route: {receiver: r}\nreceivers:\n  - name: r\n    email_configs: [{to: a@b}]\n");
    assert_eq!(
        e,
        ["line 4: receiver \"r\": email_configs are not supported by argus; it delivers webhook_configs and slack_configs"]
    );
    // An empty list of an unsupported kind is harmless.
    assert!(Config::parse(
        "route: {receiver: r}\nreceivers:\n  - name: r\n    pagerduty_configs: []\n"
    )
    .is_ok());
    let e = errors("route: {receiver: r}\nreceivers:\n  - name: r\n    webhook_configs:\n      - url: http://a/\n        http_config: {proxy_url: 'http://p/'}\n");
    assert!(
        e[0].starts_with("line 6: http_config is not supported by argus"),
        "{e:?}"
    );
    let e = errors("global:\n  http_config: {follow_redirects: false}\nroute: {receiver: r}\nreceivers: [{name: r}]\n");
    assert!(
        e[0].starts_with("line 2: http_config is not supported"),
        "{e:?}"
    );
    let e = errors("route:\n  receiver: r\n  routes:\n    - receiver: r\n      mute_time_intervals: [weekends]\nreceivers: [{name: r}]\n");
    assert!(
        e[0].starts_with("line 5: mute_time_intervals are not supported by argus"),
        "{e:?}"
    );
    let e = errors("route: {receiver: r}\nreceivers:\n  - name: r\n    slack_configs:\n      - api_url: https://h/x\n        actions: [{type: button, text: t, url: u}]\n");
    assert!(e[0].starts_with("line 6: Slack message actions"), "{e:?}");
}

#[test]
fn loading_a_file_resolves_relative_template_paths_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alertmanager.yml");
    std::fs::write(&path, TEAM).unwrap();
    let c = Config::load(&path).unwrap();
    assert_eq!(
        c.templates[0],
        dir.path().join("templates/*.tmpl").display().to_string()
    );
    assert_eq!(c.templates[1], "/etc/am/extra.tmpl");
    std::fs::write(&path, "route: {}\n").unwrap();
    let e = Config::load(&path).unwrap_err();
    assert_eq!(
        e.0,
        [format!(
            "{}: line 1: root route must specify a default receiver",
            path.display()
        )]
    );
}

#[test]
fn yaml_syntax_errors_name_their_line() {
    let e = errors("route:\n  receiver: [r\nreceivers: []\n");
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("yaml: line "), "{e:?}");
}

#[test]
fn an_empty_group_by_keeps_the_parents_grouping() {
    let c = Config::parse(
        "route:\n  receiver: r\n  group_by: [alertname]\n  routes:\n    - matchers: [a=b]\n      group_by: []\nreceivers: [{name: r}]\n",
    )
    .unwrap();
    let by: Vec<&str> = c.route.routes[0]
        .opts
        .group_by
        .iter()
        .map(|s| s.as_str())
        .collect();
    assert_eq!(by, ["alertname"]);
}

#[test]
fn a_templated_field_that_does_not_parse_is_refused_by_receiver_and_key() {
    let e = errors(
        "route: {receiver: team}\nreceivers:\n  - name: team\n    slack_configs:\n      \
         - api_url: https://hooks.slack.com/services/T/B/X\n        \
         text: '{{ range .Alerts }}{{ .Annotations.summary }}'\n        \
         fields:\n          - {title: t, value: '{{ humanise 1 }}'}\n",
    );
    assert_eq!(
        e,
        [
            "line 3: receiver \"team\": slack_configs[0].text: template: :1: unexpected EOF",
            "line 3: receiver \"team\": slack_configs[0].fields[0].value: template: :1: function \"humanise\" not defined",
        ]
    );
}

#[test]
fn template_files_load_with_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    std::fs::write(
        dir.path().join("templates/team.tmpl"),
        "{{ define \"team.title\" }}{{ .CommonLabels.alertname }} on {{ .CommonLabels.instance }}{{ end }}",
    )
    .unwrap();
    let path = dir.path().join("alertmanager.yml");
    std::fs::write(
        &path,
        "templates: [templates/*.tmpl]\nroute: {receiver: team}\nreceivers:\n  - name: team\n    \
         slack_configs:\n      - api_url: https://hooks.slack.com/services/T/B/X\n        \
         title: '{{ template \"team.title\" . }}'\n",
    )
    .unwrap();
    let c = Config::load(&path).unwrap();
    let alert = crate::notify::data::NotifiedAlert {
        status: crate::notify::Status::Firing,
        labels: crate::model::Labels::from_pairs([("alertname", "MySQLDown"), ("instance", "db1")]),
        annotations: Default::default(),
        starts_at: 0,
        ends_at: None,
        generator_url: String::new(),
        fingerprint: 1,
    };
    let data = crate::notify::data::Data::new("team", &Default::default(), &[alert], "http://x");
    let body =
        crate::notify::slack::body(&c.receivers[0].slack_configs[0], &data, &c.template).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["attachments"][0]["title"], "MySQLDown on db1");

    std::fs::write(dir.path().join("templates/bad.tmpl"), "{{ end }}").unwrap();
    let e = Config::load(&path).unwrap_err().0;
    assert_eq!(e.len(), 1);
    assert!(
        e[0].contains("bad.tmpl: template: bad.tmpl:1: unexpected {{end}}"),
        "{e:?}"
    );
}
