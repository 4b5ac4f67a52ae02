use super::*;
use crate::model::Labels;
use crate::notify::alert::fingerprint;

const T0_MS: i64 = 1_800_000_000_000; // 2027-01-15T08:00:00Z

fn alert(status: Status, labels: &[(&str, &str)], annotations: &[(&str, &str)]) -> NotifiedAlert {
    let labels = Labels::from_pairs(labels.iter().copied());
    NotifiedAlert {
        status,
        fingerprint: fingerprint(&labels),
        labels,
        annotations: annotations
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        starts_at: T0_MS,
        ends_at: (status == Status::Resolved).then_some(T0_MS + 90_500),
        generator_url: "http://argus:9090/graph?g0.expr=up".to_string(),
    }
}

/// Two MySQL alerts of one group: db1 firing, db2 resolved.
fn mysql() -> Data {
    let alerts = [
        alert(
            Status::Firing,
            &[
                ("alertname", "MySQLDown"),
                ("instance", "db1:9104"),
                ("job", "mysql"),
                ("severity", "critical"),
            ],
            &[
                ("summary", "MySQL db1:9104 is down"),
                ("runbook", "https://wiki/mysql"),
            ],
        ),
        alert(
            Status::Resolved,
            &[
                ("alertname", "MySQLDown"),
                ("instance", "db2:9104"),
                ("job", "mysql"),
                ("severity", "critical"),
            ],
            &[
                ("summary", "MySQL db2:9104 is down"),
                ("runbook", "https://wiki/mysql"),
            ],
        ),
    ];
    Data::new(
        "team-db",
        &Labels::from_pairs([("alertname", "MySQLDown")]),
        &alerts,
        "http://argus.example:9090",
    )
}

fn run(text: &str) -> String {
    Templates::defaults()
        .execute_text(text, &mysql())
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn fails(text: &str) -> String {
    Templates::defaults()
        .execute_text(text, &mysql())
        .expect_err(text)
}

#[test]
fn the_default_definitions_parse_and_are_all_there() {
    let t = Templates::defaults();
    for name in [
        "__alertmanager",
        "__alertmanagerURL",
        "__subject",
        "__description",
        "__text_alert_list",
        "__text_alert_list_markdown",
        "slack.default.title",
        "slack.default.username",
        "slack.default.fallback",
        "slack.default.callbackid",
        "slack.default.pretext",
        "slack.default.titlelink",
        "slack.default.iconemoji",
        "slack.default.iconurl",
        "slack.default.text",
        "slack.default.footer",
    ] {
        assert!(t.set.contains(name), "{name}");
    }
}

#[test]
fn the_data_has_alertmanagers_fields() {
    assert_eq!(run("{{ .Receiver }} {{ .Status }}"), "team-db firing");
    assert_eq!(run("{{ .ExternalURL }}"), "http://argus.example:9090");
    assert_eq!(run("{{ len .Alerts }}"), "2");
    assert_eq!(
        run("{{ range .Alerts }}{{ .Status }}:{{ .Labels.instance }} {{ end }}"),
        "firing:db1:9104 resolved:db2:9104 "
    );
    assert_eq!(
        run("{{ (index .Alerts 0).Fingerprint | len }}"),
        "16",
        "a fingerprint is 16 hex digits"
    );
    assert_eq!(
        run("{{ (index .Alerts 0).GeneratorURL }}"),
        "http://argus:9090/graph?g0.expr=up"
    );
    assert_eq!(run("{{ .GroupLabels.alertname }}"), "MySQLDown");
    assert_eq!(
        run("{{ .CommonAnnotations.runbook }}"),
        "https://wiki/mysql"
    );
    assert_eq!(run("{{ .CommonAnnotations.summary }}"), "");
    assert_eq!(run("{{ printf \"%T\" .CommonLabels }}"), "template.KV");
    assert_eq!(run("{{ printf \"%T\" .Alerts }}"), "template.Alerts");
}

#[test]
fn alerts_split_into_firing_and_resolved() {
    assert_eq!(run("{{ .Alerts.Firing | len }}"), "1");
    assert_eq!(run("{{ len .Alerts.Resolved }}"), "1");
    assert_eq!(
        run("{{ range .Alerts.Resolved }}{{ .Labels.instance }}{{ end }}"),
        "db2:9104"
    );
    assert_eq!(
        run("{{ printf \"%T\" .Alerts.Firing }}"),
        "[]template.Alert"
    );
}

#[test]
fn kv_methods_are_alertmanagers() {
    assert_eq!(
        run("{{ .CommonLabels.Names | join \",\" }}"),
        "alertname,job,severity",
        "alertname first, then sorted"
    );
    assert_eq!(
        run("{{ .CommonLabels.Values | join \" \" }}"),
        "MySQLDown mysql critical"
    );
    assert_eq!(
        run("{{ range .CommonLabels.SortedPairs }}{{ .Name }}={{ .Value }};{{ end }}"),
        "alertname=MySQLDown;job=mysql;severity=critical;"
    );
    assert_eq!(
        run("{{ range $i, $p := .CommonLabels.SortedPairs }}{{ $i }}{{ $p.Name }} {{ end }}"),
        "0alertname 1job 2severity "
    );
    assert_eq!(
        run("{{ (.CommonLabels.Remove .GroupLabels.Names).Names | join \" \" }}"),
        "job severity"
    );
    assert_eq!(
        run("{{ (.CommonLabels.Remove (stringSlice \"job\" \"nope\")).Values | join \"/\" }}"),
        "MySQLDown/critical"
    );
    // Printing a KV or Pairs calls its String method, as Go's fmt does.
    assert_eq!(
        run("{{ .CommonLabels }}"),
        "alertname=MySQLDown, job=mysql, severity=critical"
    );
    assert_eq!(
        run("{{ .GroupLabels.SortedPairs }}|{{ printf \"%s\" .GroupLabels }}"),
        "alertname=MySQLDown|alertname=MySQLDown"
    );
    assert_eq!(
        run("{{ .CommonLabels.SortedPairs.Names }}"),
        "[alertname job severity]"
    );
}

#[test]
fn the_default_subject_and_link() {
    assert_eq!(
        run("{{ template \"slack.default.title\" . }}"),
        "[FIRING:1] MySQLDown (mysql critical)"
    );
    assert_eq!(
        run("{{ template \"slack.default.titlelink\" . }}"),
        "http://argus.example:9090/#/alerts?receiver=team-db"
    );
    assert_eq!(
        run("{{ template \"slack.default.username\" . }}"),
        "Alertmanager"
    );
    assert_eq!(
        run("{{ template \"slack.default.fallback\" . }}"),
        "[FIRING:1] MySQLDown (mysql critical) | http://argus.example:9090/#/alerts?receiver=team-db"
    );
}

#[test]
fn the_text_alert_list() {
    let out = run("{{ template \"__text_alert_list\" .Alerts.Firing }}");
    assert_eq!(
        out,
        "Labels:\n - alertname = MySQLDown\n - instance = db1:9104\n - job = mysql\n - severity = critical\n\
         Annotations:\n - runbook = https://wiki/mysql\n - summary = MySQL db1:9104 is down\n\
         Source: http://argus:9090/graph?g0.expr=up\n"
    );
}

/// What Slack users write in `text`, in the shape the Alertmanager docs and blog posts show.
#[test]
fn a_typical_slack_text_template() {
    let text = r#"{{ range .Alerts -}}
*Alert:* {{ .Annotations.summary }}{{ if .Labels.severity }} - `{{ .Labels.severity }}`{{ end }}
*Status:* {{ .Status | toUpper }}
*Details:*
{{ range .Labels.SortedPairs }} • *{{ .Name }}:* `{{ .Value }}`
{{ end }}
{{ end }}"#;
    let expected = "*Alert:* MySQL db1:9104 is down - `critical`\n*Status:* FIRING\n*Details:*\n \
        • *alertname:* `MySQLDown`\n • *instance:* `db1:9104`\n • *job:* `mysql`\n • *severity:* `critical`\n\n\
        *Alert:* MySQL db2:9104 is down - `critical`\n*Status:* RESOLVED\n*Details:*\n \
        • *alertname:* `MySQLDown`\n • *instance:* `db2:9104`\n • *job:* `mysql`\n • *severity:* `critical`\n\n";
    assert_eq!(run(text), expected);
}

#[test]
fn times_print_format_and_move_between_zones() {
    assert_eq!(
        run("{{ (index .Alerts 0).StartsAt }}"),
        "2027-01-15 08:00:00 +0000 UTC"
    );
    assert_eq!(
        run("{{ (index .Alerts 0).EndsAt }}"),
        "0001-01-01 00:00:00 +0000 UTC",
        "a firing alert has no end"
    );
    assert_eq!(
        run("{{ (index .Alerts 1).EndsAt.Format \"15:04:05.000\" }}"),
        "08:01:30.500"
    );
    assert_eq!(
        run("{{ (index .Alerts 0).StartsAt | date \"2006-01-02 15:04 MST\" }}"),
        "2027-01-15 08:00 UTC"
    );
    assert_eq!(
        run("{{ (index .Alerts 0).StartsAt | tz \"Europe/Berlin\" | date \"15:04 MST\" }}"),
        "09:00 CET"
    );
    assert!(
        fails("{{ (index .Alerts 0).StartsAt | tz \"Mars/Olympus\" }}")
            .contains("error calling tz")
    );
    // `since` is a duration; from the zero time it saturates, as Go's `Sub` does.
    assert_eq!(
        run("{{ printf \"%T\" ((index .Alerts 0).StartsAt | since) }}"),
        "time.Duration"
    );
    assert_eq!(
        run("{{ ((index .Alerts 0).EndsAt | since) }}"),
        "2562047h47m16.854775807s"
    );
}

#[test]
fn alertmanagers_functions() {
    assert_eq!(run("{{ title \"hELLO wORLD\" }}"), "Hello World");
    assert_eq!(run("{{ \"db\" | toUpper }}{{ \"DB\" | toLower }}"), "DBdb");
    assert_eq!(run("{{ trimSpace \"  x \" }}"), "x");
    assert_eq!(run("{{ stringSlice \"a\" \"b\" | join \"+\" }}"), "a+b");
    assert_eq!(run("{{ match \"^db[0-9]\" \"db1:9104\" }}"), "true");
    assert_eq!(
        run("{{ reReplaceAll \":[0-9]+$\" \"\" \"db1:9104\" }}"),
        "db1"
    );
    assert_eq!(run("{{ safeHtml \"<b>\" }}{{ safeUrl \"u\" }}"), "<b>u");
    assert_eq!(run("{{ urlUnescape \"a%20b+c\" }}"), "a b c");
    assert_eq!(run("{{ humanizeDuration 3725 }}"), "1h 2m 5s");
    assert_eq!(
        run("{{ toJson .GroupLabels }}"),
        r#"{"alertname":"MySQLDown"}"#
    );
    assert_eq!(
        run("{{ toJson .GroupLabels.SortedPairs }}"),
        r#"[{"Name":"alertname","Value":"MySQLDown"}]"#
    );
    let alert: serde_json::Value =
        serde_json::from_str(&run("{{ toJson (index .Alerts 1) }}")).unwrap();
    assert_eq!(alert["status"], "resolved");
    assert_eq!(alert["startsAt"], "2027-01-15T08:00:00Z");
    assert_eq!(alert["endsAt"], "2027-01-15T08:01:30.5Z");
    assert_eq!(alert["labels"]["instance"], "db2:9104");
    assert_eq!(alert["generatorURL"], "http://argus:9090/graph?g0.expr=up");
    let data: serde_json::Value = serde_json::from_str(&run("{{ toJson . }}")).unwrap();
    assert_eq!(data["externalURL"], "http://argus.example:9090");
    assert_eq!(data["commonLabels"]["job"], "mysql");
    assert_eq!(run("{{ toJson \"<&>\" }}"), r#""\u003c\u0026\u003e""#);
}

#[test]
fn go_json_floats() {
    assert_eq!(go_json_float(1.5), "1.5");
    assert_eq!(go_json_float(1e21), "1e+21");
    assert_eq!(go_json_float(1.5e-7), "1.5e-7");
    assert_eq!(go_json_float(123456789.0), "123456789");
}

#[test]
fn mistakes_are_errors_in_gos_words() {
    assert!(Templates::defaults()
        .check("{{ nope . }}")
        .unwrap_err()
        .to_string()
        .contains("function \"nope\" not defined"),);
    let e = fails("{{ template \"nope\" . }}");
    assert_eq!(
        e,
        "template: :1:12: executing \"\" at <{{template \"nope\" .}}>: template \"nope\" not defined"
    );
    let e = fails("{{ .CommonLabels.Remove \"job\" }}");
    assert!(
        e.ends_with("can't handle \"job\" for arg of type []string"),
        "{e}"
    );
    // A missing label or annotation is empty, as with Go's missingkey=zero.
    assert_eq!(run("[{{ .CommonLabels.nope }}]"), "[]");
    assert_eq!(
        Templates::defaults().execute_text("", &mysql()).unwrap(),
        ""
    );
}

#[test]
fn files_add_and_redefine_templates() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.tmpl"),
        "{{ define \"slack.default.title\" }}{{ .Status | title }}: {{ .GroupLabels.alertname }}{{ end }}\n\
         {{ define \"team.text\" }}{{ range .Alerts.Firing }}{{ .Annotations.summary }}\n{{ end }}{{ end }}",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.txt"),
        "{{ define \"ignored\" }}x{{ end }}",
    )
    .unwrap();
    let glob = format!("{}/*.tmpl", dir.path().display());
    let t = Templates::load(&[
        glob.clone(),
        format!("{}/none-*.tmpl", dir.path().display()),
    ])
    .unwrap();
    let d = mysql();
    assert_eq!(
        t.execute_text("{{ template \"slack.default.title\" . }}", &d)
            .unwrap(),
        "Firing: MySQLDown"
    );
    assert_eq!(
        t.execute_text("{{ template \"team.text\" . }}", &d)
            .unwrap(),
        "MySQL db1:9104 is down\n"
    );
    assert!(
        t.check("{{ template \"ignored\" . }}").is_ok(),
        "checked when run"
    );
    assert!(t.execute_text("{{ template \"ignored\" . }}", &d).is_err());
    // The fallback calls the title: a redefinition reaches every default that uses it.
    assert!(t
        .execute_text("{{ template \"slack.default.fallback\" . }}", &d)
        .unwrap()
        .starts_with("Firing: MySQLDown | "));

    std::fs::write(
        dir.path().join("c.tmpl"),
        "{{ define \"x\" }}{{ if }}{{ end }}",
    )
    .unwrap();
    let e = Templates::load(&[glob]).unwrap_err();
    assert!(
        e.contains("c.tmpl") && e.contains("template: c.tmpl:1: missing value for if"),
        "{e}"
    );
}
