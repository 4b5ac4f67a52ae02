//! Unit tests of alert templates: the cases of Prometheus' `template/template_test.go` (their
//! inputs and expected outputs, run through our own code), what promtool prints for alert
//! annotations, and the load-time check of rule files.

use super::template::{
    check, error_text, expand, expand_or_error, expand_value, template_name, AlertTemplateData,
    ExpandEnv, InstantQuerier,
};
use crate::gotmpl::Value;
use crate::model::labels::Labels;
use std::rc::Rc;

/// A querier that answers every query with the same vector, as Prometheus' tests do.
struct Fixed(Vec<(Labels, f64)>);

impl InstantQuerier for Fixed {
    fn query(&self, _: &str, _: i64) -> Result<Vec<(Labels, f64)>, String> {
        Ok(self.0.clone())
    }
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    Labels::from_pairs(pairs.iter().copied())
}

const EXTERNAL_URL: &str = "http://testhost:9090/path/prefix";

/// Runs a template as Prometheus' `testTemplateExpansion` does: named `test`, the given dot,
/// evaluated at time 0, `query` answering `vector`. The error is Prometheus' whole message.
fn run_with(text: &str, dot: Value<'static>, vector: &[(Labels, f64)]) -> Result<String, String> {
    let querier = Fixed(vector.to_vec());
    let env = ExpandEnv {
        eval_time_ms: 0,
        querier: Some(&querier),
        external_url: Some(EXTERNAL_URL),
    };
    expand_value("test", text, dot, &env).map_err(|e| e.to_string())
}

fn run(text: &str, dot: Value<'static>) -> Result<String, String> {
    run_with(text, dot, &[])
}

fn ok(text: &str, dot: Value<'static>) -> String {
    run(text, dot).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn list(items: Vec<Value<'static>>) -> Value<'static> {
    Value::List(Rc::new(items))
}

fn floats(v: &[f64]) -> Value<'static> {
    list(v.iter().map(|&f| Value::Float(f)).collect())
}

fn strings(v: &[&str]) -> Value<'static> {
    list(v.iter().map(|&s| Value::str(s.to_string())).collect())
}

fn int64s(v: &[i64]) -> Value<'static> {
    list(v.iter().map(|&i| Value::Int64(i)).collect())
}

fn ints(v: &[i64]) -> Value<'static> {
    list(v.iter().map(|&i| Value::Int(i)).collect())
}

#[test]
fn plain_text_values_and_named_templates() {
    assert_eq!(ok("plain text", Value::Nil), "plain text");
    assert_eq!(ok("{{ 1 }}", Value::Nil), "1");
    assert_eq!(ok(r#"{{ "<b>" }}"#, Value::Nil), "<b>");
    assert_eq!(
        ok(
            r#"{{define "x"}}{{.arg0}} {{.arg1}}{{end}}{{template "x" (args 1 "2")}}"#,
            Value::Nil
        ),
        "1 2"
    );
    assert_eq!(ok("{{ .Foo }}", Value::Nil), "<no value>");
    // `tmpl` is for consoles only.
    let e = run(r#"{{ tmpl "a" . }}"#, Value::Nil).unwrap_err();
    assert!(e.contains(r#"function "tmpl" not defined"#), "{e}");
}

#[test]
fn parse_errors_read_like_prometheus() {
    assert_eq!(
        run("{{ \u{a0}}}", Value::Nil).unwrap_err(),
        "error parsing template test: template: test:1: unrecognized character in action: U+00A0"
    );
    assert_eq!(
        run("{{", Value::Nil).unwrap_err(),
        "error parsing template test: template: test:1: unclosed action"
    );
}

#[test]
fn queries() {
    let metric_a = labels(&[("__name__", "metric"), ("instance", "a")]);
    let one = |text: &str, vector: &[(Labels, f64)]| {
        run_with(text, Value::Nil, vector).unwrap_or_else(|e| panic!("{text}: {e}"))
    };
    assert_eq!(
        one(
            r#"{{ query "1.5" | first | value }}"#,
            &[(Labels::new(), 1.5)]
        ),
        "1.5"
    );
    let a11 = [(metric_a.clone(), 11.0)];
    assert_eq!(
        one(
            r#"{{ query "metric{instance='a'}" | first | value }}"#,
            &a11
        ),
        "11"
    );
    assert_eq!(
        one(
            r#"{{ query "metric{instance='a'}" | first | label "instance" }}"#,
            &a11
        ),
        "a"
    );
    let valued = [(labels(&[("__name__", "metric"), ("__value__", "a")]), 11.0)];
    assert_eq!(
        one(
            r#"{{ query "metric{__value__='a'}" | first | strvalue }}"#,
            &valued
        ),
        "a"
    );
    assert_eq!(
        one(
            r#"{{ query "metric{instance='a'}" | first | label "foo" }}"#,
            &a11
        ),
        ""
    );
    assert_eq!(
        one(
            r#"{{ $x := query "metric" | first }}{{ $x.Labels.foo }}"#,
            &a11
        ),
        ""
    );
    let two = [
        (labels(&[("__name__", "metric"), ("instance", "b")]), 21.0),
        (metric_a, 11.0),
    ];
    assert_eq!(
        one(
            r#"{{ range query "metric" | sortByLabel "instance" }}{{.Labels.instance}}:{{.Value}}: {{end}}"#,
            &two
        ),
        "a:11: b:21: "
    );
    assert_eq!(
        run_with(r#"{{ query "missing" | first }}"#, Value::Nil, &[]).unwrap_err(),
        "error executing template test: template: test:1:21: executing \"test\" at <first>: error calling first: first() called on vector with no elements"
    );
    assert_eq!(
        run_with(r#"{{ (query "missing").banana }}"#, Value::Nil, &[]).unwrap_err(),
        "error executing template test: template: test:1:10: executing \"test\" at <\"missing\">: can't evaluate field banana in type template.queryResult"
    );
}

#[test]
fn query_without_a_querier_fails_as_in_prometheus() {
    let env = ExpandEnv::default();
    let e = expand_value("t", r#"{{ query "up" }}"#, Value::Nil, &env).unwrap_err();
    assert!(e.to_string().ends_with(
        "error calling query: runtime error: invalid memory address or nil pointer dereference"
    ));
}

#[test]
fn strip_port_and_domain() {
    for (input, port, domain) in [
        ("foo.example.com", "foo.example.com", "foo"),
        ("foo.example.com:12345", "foo.example.com", "foo:12345"),
        ("192.0.2.1", "192.0.2.1", "192.0.2.1"),
        ("192.0.2.1:12345", "192.0.2.1", "192.0.2.1:12345"),
        ("2001:0DB8::1", "2001:0DB8::1", "2001:0DB8::1"),
        (
            "[2001:0DB8::1]:12345",
            "2001:0DB8::1",
            "[2001:0DB8::1]:12345",
        ),
        (
            "[2001:0DB8::1]::12345",
            "[2001:0DB8::1]::12345",
            "[2001:0DB8::1]::12345",
        ),
    ] {
        let text = format!("{{{{ {input:?} | stripPort }}}}|{{{{ {input:?} | stripDomain }}}}");
        assert_eq!(ok(&text, Value::Nil), format!("{port}|{domain}"), "{input}");
    }
}

#[test]
fn regular_expressions() {
    assert_eq!(
        ok(r#"{{ reReplaceAll "(a)b" "x$1" "ab" }}"#, Value::Nil),
        "xa"
    );
    assert_eq!(
        ok(r#"{{ match "a+" "aa" }} {{ match "a+" "b" }}"#, Value::Nil),
        "true false"
    );
    let e = run(r#"{{ reReplaceAll "(" "" "ab" }}"#, Value::Nil).unwrap_err();
    assert!(
        e.contains("error calling reReplaceAll: regexp: Compile(`(`): error parsing regexp"),
        "{e}"
    );
    let e = run(r#"{{ match "(" "" }}"#, Value::Nil).unwrap_err();
    assert!(
        e.contains("error calling match: error parsing regexp"),
        "{e}"
    );
}

#[test]
fn humanize() {
    let t = "{{ range . }}{{ humanize . }}:{{ end }}";
    assert_eq!(
        ok(t, floats(&[0.0, 1.0, 1234567.0, 0.12])),
        "0:1:1.235M:120m:"
    );
    assert_eq!(
        ok(t, strings(&["0.0", "1.0", "1234567.0", ".12"])),
        "0:1:1.235M:120m:"
    );
    assert_eq!(
        ok(t, int64s(&[0, -1, 1, 1234567, i64::MAX])),
        "0:-1:1:1.235M:9.223E:"
    );
    assert_eq!(
        run(r#"{{ humanize "one" }}"#, Value::Nil).unwrap_err(),
        "error executing template test: template: test:1:3: executing \"test\" at <humanize \"one\">: error calling humanize: strconv.ParseFloat: parsing \"one\": invalid syntax"
    );
    let e = run("{{ humanize true }}", Value::Nil).unwrap_err();
    assert!(
        e.ends_with("error calling humanize: can't convert bool to float"),
        "{e}"
    );
    assert_eq!(
        ok(
            "{{ humanize 0.000001234 }}|{{ humanize -1500 }}",
            Value::Nil
        ),
        "1.234u|-1.5k"
    );
}

#[test]
fn humanize_1024() {
    let t = "{{ range . }}{{ humanize1024 . }}:{{ end }}";
    assert_eq!(ok(t, floats(&[0.0, 1.0, 1048576.0, 0.12])), "0:1:1Mi:0.12:");
    assert_eq!(
        ok(t, strings(&["0.0", "1.0", "1048576.0", ".12"])),
        "0:1:1Mi:0.12:"
    );
    assert_eq!(
        ok(t, int64s(&[0, -1, 1, 1234567, i64::MAX])),
        "0:-1:1:1.177Mi:8Ei:"
    );
    assert_eq!(
        run(r#"{{ humanize1024 "one" }}"#, Value::Nil).unwrap_err(),
        "error executing template test: template: test:1:3: executing \"test\" at <humanize1024 \"one\">: error calling humanize1024: strconv.ParseFloat: parsing \"one\": invalid syntax"
    );
}

#[test]
fn humanize_duration() {
    let t = "{{ range . }}{{ humanizeDuration . }}:{{ end }}";
    let secs = [
        0.0,
        1.0,
        60.0,
        3600.0,
        86400.0,
        86400.0 + 3600.0,
        -(86400.0 * 2.0 + 3600.0 * 3.0 + 60.0 * 4.0 + 5.0),
        899.99,
    ];
    assert_eq!(
        ok(t, floats(&secs)),
        "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:"
    );
    assert_eq!(
        ok(t, strings(&["0", "1", "60", "3600", "86400"])),
        "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:"
    );
    let fractions = "100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:";
    assert_eq!(
        ok(
            t,
            floats(&[0.1, 0.0001, 0.12345, 60.1, 60.5, 1.2345, 12.345])
        ),
        fractions
    );
    assert_eq!(
        ok(
            t,
            strings(&[".1", ".0001", ".12345", "60.1", "60.5", "1.2345", "12.345"])
        ),
        fractions
    );
    assert_eq!(
        ok(t, ints(&[0, -1, 1, 1234567])),
        "0s:-1s:1s:14d 6h 56m 7s:"
    );
    assert_eq!(
        run(r#"{{ humanizeDuration "one" }}"#, Value::Nil).unwrap_err(),
        "error executing template test: template: test:1:3: executing \"test\" at <humanizeDuration \"one\">: error calling humanizeDuration: strconv.ParseFloat: parsing \"one\": invalid syntax"
    );
}

#[test]
fn humanize_infinities_and_nan() {
    let t = "{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{humanizeTimestamp .}}:{{ end }}";
    let want = "+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:";
    assert_eq!(
        ok(t, floats(&[f64::INFINITY, f64::NEG_INFINITY, f64::NAN])),
        want
    );
    assert_eq!(ok(t, strings(&["+Inf", "-Inf", "NaN"])), want);
}

#[test]
fn humanize_percentage() {
    assert_eq!(
        ok("{{ -0.22222 | humanizePercentage }}:{{ 0.0 | humanizePercentage }}:{{ 0.1234567 | humanizePercentage }}:{{ 1.23456 | humanizePercentage }}", Value::Nil),
        "-22.22%:0%:12.35%:123.5%"
    );
    assert_eq!(
        ok(
            "{{ range . }}{{ humanizePercentage . }}:{{ end }}",
            int64s(&[0, -1, 1, 1234567, i64::MAX])
        ),
        "0%:-100%:100%:1.235e+08%:9.223e+20%:"
    );
    assert_eq!(
        ok(
            r#"{{ "-0.22222" | humanizePercentage }}:{{ "0.0" | humanizePercentage }}:{{ "0.1234567" | humanizePercentage }}:{{ "1.23456" | humanizePercentage }}"#,
            Value::Nil
        ),
        "-22.22%:0%:12.35%:123.5%"
    );
    assert_eq!(
        run(r#"{{ "one" | humanizePercentage }}"#, Value::Nil).unwrap_err(),
        "error executing template test: template: test:1:11: executing \"test\" at <humanizePercentage>: error calling humanizePercentage: strconv.ParseFloat: parsing \"one\": invalid syntax"
    );
}

#[test]
fn humanize_timestamp_and_to_time() {
    let t = "{{ range . }}{{ humanizeTimestamp . }}:{{ end }}";
    assert_eq!(
        ok(t, int64s(&[0, -1, 1, 1234567, 9223372036])),
        "1970-01-01 00:00:00 +0000 UTC:1969-12-31 23:59:59 +0000 UTC:1970-01-01 00:00:01 +0000 UTC:1970-01-15 06:56:07 +0000 UTC:2262-04-11 23:47:16 +0000 UTC:"
    );
    assert_eq!(
        run(t, int64s(&[i64::MIN, i64::MAX])).unwrap_err(),
        "error executing template test: template: test:1:16: executing \"test\" at <humanizeTimestamp .>: error calling humanizeTimestamp: -9.223372036854776e+18 cannot be represented as a nanoseconds timestamp since it overflows int64"
    );
    assert_eq!(
        ok("{{ 1435065584.128 | humanizeTimestamp }}", Value::Nil),
        "2015-06-23 13:19:44.128 +0000 UTC"
    );
    assert_eq!(
        ok(r#"{{ "1435065584.128" | humanizeTimestamp }}"#, Value::Nil),
        "2015-06-23 13:19:44.128 +0000 UTC"
    );
    assert_eq!(
        ok(
            r#"{{ (1435065584.128 | toTime).Format "2006" }}"#,
            Value::Nil
        ),
        "2015"
    );
    assert_eq!(
        ok(
            r#"{{ ("1435065584.128" | toTime).Format "2006" }}"#,
            Value::Nil
        ),
        "2015"
    );
    // Prometheus' Test_floatToTime.
    assert_eq!(
        ok("{{ toTime 1657155181 }}", Value::Nil),
        "2022-07-07 00:53:01 +0000 UTC"
    );
    for v in [
        "1.79769313486231570814527423731704356798070e+300",
        "-1.797e+300",
    ] {
        let e = run(&format!("{{{{ toTime {v} }}}}"), Value::Nil).unwrap_err();
        assert!(
            e.contains("cannot be represented as a nanoseconds timestamp"),
            "{e}"
        );
    }
    // Through `model.Time`: milliseconds, truncated toward zero.
    assert_eq!(
        ok("{{ toTime 1.2345678 }}", Value::Nil),
        "1970-01-01 00:00:01.234 +0000 UTC"
    );
    let e = run(r#"{{ toTime "NaN" }}"#, Value::Nil).unwrap_err();
    assert!(
        e.ends_with("error calling toTime: value is NaN or Inf"),
        "{e}"
    );
}

#[test]
fn durations_now_and_escapes() {
    assert_eq!(ok("{{ toDuration 1800 }}", Value::Nil), "30m0s");
    assert_eq!(
        ok(r#"{{ ("90.5" | toDuration).String }}"#, Value::Nil),
        "1m30.5s"
    );
    assert_eq!(
        ok("{{ (toDuration 0.0015).Milliseconds }}", Value::Nil),
        "1"
    );
    assert_eq!(ok("{{ (toDuration 5400).Hours }}", Value::Nil), "1.5");
    assert_eq!(
        ok("{{ now }}|{{ now | humanizeTimestamp }}", Value::Nil),
        "0|1970-01-01 00:00:00 +0000 UTC"
    );
    assert_eq!(
        ok(r#"{{ "a b&c+d/é" | urlQueryEscape }}"#, Value::Nil),
        "a+b%26c%2Bd%2F%C3%A9"
    );
    assert_eq!(
        ok(
            r#"{{ printf "%0.2f" (parseDuration "1h2m10ms") }}"#,
            Value::Nil
        ),
        "3720.01"
    );
    assert_eq!(
        ok(
            r#"{{ parseDuration "0" }}|{{ parseDuration "1w" }}"#,
            Value::Nil
        ),
        "0|604800"
    );
    for (bad, why) in [
        ("", "empty duration string"),
        ("1x", r#"unknown unit "x" in duration "1x""#),
        ("1m1h", r#"not a valid duration string: "1m1h""#),
        ("h", r#"not a valid duration string: "h""#),
        ("1000000y", "duration out of range"),
    ] {
        let e = run(&format!("{{{{ parseDuration {bad:?} }}}}"), Value::Nil).unwrap_err();
        assert!(
            e.ends_with(&format!("error calling parseDuration: {why}")),
            "{bad}: {e}"
        );
    }
}

#[test]
fn strings_and_links() {
    assert_eq!(ok(r#"{{ "aa bb CC" | title }}"#, Value::Nil), "Aa Bb CC");
    assert_eq!(
        ok(r#"{{ "don't stop example.com 1st" | title }}"#, Value::Nil),
        "Don't Stop Example.com 1St"
    );
    assert_eq!(ok(r#"{{ "aa bb CC" | toUpper }}"#, Value::Nil), "AA BB CC");
    assert_eq!(ok(r#"{{ "aA bB CC" | toLower }}"#, Value::Nil), "aa bb cc");
    assert_eq!(
        ok(r#"{{ graphLink "up" }}"#, Value::Nil),
        "/graph?g0.expr=up&g0.tab=0"
    );
    assert_eq!(
        ok(r#"{{ tableLink "up" }}"#, Value::Nil),
        "/graph?g0.expr=up&g0.tab=1"
    );
    assert_eq!(
        ok(r#"{{ tableLink "sum(rate(x[5m])) > 0" }}"#, Value::Nil),
        "/graph?g0.expr=sum%28rate%28x%5B5m%5D%29%29+%3E+0&g0.tab=1"
    );
    assert_eq!(ok(r#"{{ "<b>" | safeHtml }}"#, Value::Nil), "<b>");
    assert_eq!(ok("{{ pathPrefix }}", Value::Nil), "/path/prefix");
    assert_eq!(ok("{{ externalURL }}", Value::Nil), EXTERNAL_URL);
}

/// An alert as promtool's probe had it: `x{instance="i1",job="j"} 1234567.5`, external
/// labels `cluster="c1"` and external URL `http://ext:9090/pre/fix`.
fn probe_alert() -> AlertTemplateData {
    AlertTemplateData {
        labels: labels(&[("__name__", "x"), ("instance", "i1"), ("job", "j")]),
        external_labels: labels(&[("cluster", "c1")]),
        external_url: "http://ext:9090/pre/fix".into(),
        value: 1234567.5,
    }
}

#[test]
fn alert_expansion_as_promtool_prints_it() {
    let data = probe_alert();
    let querier = Fixed(vec![(data.labels.clone(), data.value)]);
    // promtool passes no URL to `externalURL`/`pathPrefix`.
    let env = ExpandEnv {
        eval_time_ms: 0,
        querier: Some(&querier),
        external_url: None,
    };
    let name = template_name("A");
    let expand = |text: &str| expand_or_error(&name, text, &data, &env);
    // What promtool 2.42 printed for these annotations (3.x's struct has `Value interface {}`).
    for (text, want) in [
        ("{{ $value }} {{ 1000000.0 }} {{ 0.000015 }} {{ 123456.0 }}", "1.2345675e+06 1e+06 1.5e-05 123456"),
        ("{{ .Foo }}", "<error expanding template: error executing template __alert_A: template: __alert_A:1:115: executing \"__alert_A\" at <.Foo>: can't evaluate field Foo in type struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value interface {} }>"),
        (r#"{{ humanize "one" }}"#, "<error expanding template: error executing template __alert_A: template: __alert_A:1:115: executing \"__alert_A\" at <humanize \"one\">: error calling humanize: strconv.ParseFloat: parsing \"one\": invalid syntax>"),
        (r#"{{ query "x" | first | value }}"#, "1.2345675e+06"),
        ("{{ $labels }} {{ . }}", "map[__name__:x instance:i1 job:j] {map[__name__:x instance:i1 job:j] map[cluster:c1] http://ext:9090/pre/fix 1.2345675e+06}"),
        (r#"{{ query "x" | first }}"#, "{map[__name__:x instance:i1 job:j] 1.2345675e+06}"),
        ("{{ range $k, $v := $labels }}{{$k}}={{$v}};{{end}}", "__name__=x;instance=i1;job=j;"),
        (r#"{{ define "x" }}X{{ .arg0 }}{{ end }}{{ template "x" (args 1 2) }}"#, "X1"),
        (r#"{{ template "nope" }}"#, "<error expanding template: error executing template __alert_A: template: __alert_A:1:124: executing \"__alert_A\" at <{{template \"nope\"}}>: template \"nope\" not defined>"),
        (r#"{{ printf "%v %g %e %f %.2f" $value $value $value $value $value }}"#, "1.2345675e+06 1.2345675e+06 1.234568e+06 1234567.500000 1234567.50"),
        ("{{ $externalURL }}|{{ externalURL }}", "<error expanding template: error executing template __alert_A: template: __alert_A:1:134: executing \"__alert_A\" at <externalURL>: error calling externalURL: runtime error: invalid memory address or nil pointer dereference>"),
        ("{{ .Labels.nope }}|{{ $labels.nope }}", "|"),
        ("{{ 1435065584.128 | humanizeTimestamp }} {{ humanizeDuration 3 }}", "2015-06-23 13:19:44.128 +0000 UTC 3s"),
        ("line1\n{{ humanize \"bad\" }}", "<error expanding template: error executing template __alert_A: template: __alert_A:2:3: executing \"__alert_A\" at <humanize \"bad\">: error calling humanize: strconv.ParseFloat: parsing \"bad\": invalid syntax>"),
        (r#"{{ len $labels }} {{ index $labels "instance" }}"#, "3 i1"),
        (r#"{{ $value | humanize }} {{ "1e6" | humanize }}"#, "1.235M 1M"),
    ] {
        assert_eq!(expand(text), want, "{text}");
    }
}

#[test]
fn alert_expansion_with_a_server_url_and_errors() {
    let data = probe_alert();
    let env = ExpandEnv {
        eval_time_ms: 90_000,
        querier: None,
        external_url: Some("http://ext:9090/pre/fix"),
    };
    let got = expand(
        "__alert_A",
        "{{ externalURL }}|{{ pathPrefix }}|{{ $externalLabels.cluster }}|{{ now }}",
        &data,
        &env,
    );
    assert_eq!(got.unwrap(), "http://ext:9090/pre/fix|/pre/fix|c1|90");
    let e = expand("__alert_A", "{{ nosuch }}", &data, &env).unwrap_err();
    assert_eq!(
        error_text(&e),
        "<error expanding template: error parsing template __alert_A: template: __alert_A:1: function \"nosuch\" not defined>"
    );
}

#[test]
fn check_reports_what_promtool_check_rules_reports() {
    let name = template_name("A");
    assert_eq!(
        check(&name, "{{ $labels.instance }} is {{ humanize $value }}"),
        Ok(())
    );
    for (text, want) in [
        ("{{ nosuch }}", "template: __alert_A:1: function \"nosuch\" not defined"),
        ("{{ 1 }}\n\n{{ (1 }}", "template: __alert_A:3: unclosed left paren"),
        ("{{", "template: __alert_A:1: unclosed action"),
        ("ok\n{{ if }}", "template: __alert_A:2: missing value for if"),
        (r#"{{ define "x" }}a{{ end }}{{ define "x" }}b{{ end }}"#, "template: __alert_A:1: template: multiple definition of template \"x\""),
        ("{{ end }}", "template: __alert_A:1: unexpected {{end}}"),
        ("{{ $x }}", "template: __alert_A:1: undefined variable \"$x\""),
        (r#"{{ tmpl "x" . }}"#, "template: __alert_A:1: function \"tmpl\" not defined"),
        ("x\n{{ .a \n\n", "template: __alert_A:4: unclosed action started at __alert_A:2"),
        ("{{ if .a }}\nx\n", "template: __alert_A:3: unexpected EOF"),
        ("{{ (1\n }}", "template: __alert_A:2: unclosed left paren in action started at __alert_A:1"),
        ("{{ define \"x\" }}\n{{ end }}{{ define \"x\" }}a\n\n{{ end }}\n{{ define \"x\" }}b\n{{ end }}", "template: __alert_A:6: template: multiple definition of template \"x\""),
        ("{{ range $i, $e, $f := .a }}{{ end }}", "template: __alert_A:1: too many declarations in range"),
        ("{{ template .a }}", "template: __alert_A:1: unexpected \".a\" in template clause"),
        ("{{ if .a }}{{ else }}{{ else }}{{ end }}", "template: __alert_A:1: expected end; found {{else}}"),
        (r#"{{ define "y" }}{{ $x := 1 }}{{ end }}{{ $x }}"#, "template: __alert_A:1: undefined variable \"$x\""),
        ("{{ with $x := 1 }}{{ end }}{{ $x }}", "template: __alert_A:1: undefined variable \"$x\""),
        ("{{ $x := 1 }}{{ if true }}{{ $y := 2 }}{{ end }}{{ $y }}", "template: __alert_A:1: undefined variable \"$y\""),
        ("\n{{ block \"z\" . }}{{ $labels }}{{ end }}", "template: __alert_A:2: undefined variable \"$labels\""),
        ("{{ define \"x\" }}a{{ end }}b\n{{ define \"__alert_A\" }}c{{ end }}", "template: __alert_A:2: template: multiple definition of template \"__alert_A\""),
        // Prometheus' own bad rule file (cmd/promtool/testdata/rules-bad.yml).
        ("Instance {{ $label.foo }} down", "template: __alert_A:1: undefined variable \"$label\""),
    ] {
        assert_eq!(check(&name, text), Err(want.to_string()), "{text:?}");
    }
}

#[test]
fn values_print_as_go_prints_a_float64() {
    let env = ExpandEnv::default();
    for (value, want) in [
        (1e6, "1e+06"),
        (1.5e-5, "1.5e-05"),
        (123456.0, "123456"),
        (0.1 + 0.2, "0.30000000000000004"),
        (-0.0, "-0"),
        (1e21, "1e+21"),
        (f64::NAN, "NaN"),
        (f64::INFINITY, "+Inf"),
        (f64::NEG_INFINITY, "-Inf"),
    ] {
        let data = AlertTemplateData {
            value,
            ..AlertTemplateData::default()
        };
        let got = expand("__alert_V", "{{ $value }}|{{ .Value }}", &data, &env).unwrap();
        assert_eq!(got, format!("{want}|{want}"), "{value}");
    }
}
