//! promtool's unit-test file format, read strictly (an unknown key is an error unless
//! `--ignore-unknown-fields`): the rule files to load, the evaluation interval, the groups'
//! order, and test groups of input series with alert and expression checks.

use crate::rules::file::parse_prometheus_duration;
use crate::yaml::read::{Fields, Reader};
use crate::yaml::Node;

#[derive(Debug, Default)]
pub struct TestFile {
    pub rule_files: Vec<String>,
    /// Milliseconds; promtool's default is 1m.
    pub evaluation_interval: i64,
    pub fuzzy_compare: bool,
    pub group_eval_order: Vec<String>,
    pub tests: Vec<TestGroup>,
}

#[derive(Debug, Default)]
pub struct TestGroup {
    pub name: String,
    /// Spacing of input samples (ms); 0 means the evaluation interval.
    pub interval: i64,
    pub input_series: Vec<InputSeries>,
    pub alert_rule_test: Vec<AlertTest>,
    pub promql_expr_test: Vec<ExprTest>,
    pub external_labels: Vec<(String, String)>,
    pub external_url: String,
    /// The base time of the group (ms since the epoch), `start_timestamp`; 0 by default.
    pub start: i64,
}

#[derive(Debug, Default)]
pub struct InputSeries {
    pub series: String,
    pub values: String,
}

#[derive(Debug, Default)]
pub struct AlertTest {
    /// Since the group's start (ms).
    pub eval_time: i64,
    pub eval_time_text: String,
    pub alertname: String,
    pub exp_alerts: Vec<ExpAlert>,
}

#[derive(Debug, Default)]
pub struct ExpAlert {
    pub exp_labels: Vec<(String, String)>,
    pub exp_annotations: Vec<(String, String)>,
}

#[derive(Debug, Default)]
pub struct ExprTest {
    pub expr: String,
    pub eval_time: i64,
    pub eval_time_text: String,
    pub exp_samples: Vec<ExpSample>,
}

#[derive(Debug, Default)]
pub struct ExpSample {
    pub labels: String,
    pub value: f64,
    /// A native-histogram sample was expected (argus cannot check these).
    pub histogram: bool,
}

/// Reads a test file's tree; the error is Go's yaml error text.
pub fn read(root: &Node, ignore_unknown: bool) -> Result<TestFile, String> {
    let mut r = Reader::new(ignore_unknown);
    let f = r.fields(
        root,
        "main.unitTestFile",
        &[
            "rule_files",
            "evaluation_interval",
            "fuzzy_compare",
            "group_eval_order",
            "tests",
        ],
    );
    let mut file = TestFile {
        rule_files: f
            .get("rule_files")
            .map(|n| r.strings(n))
            .unwrap_or_default(),
        evaluation_interval: duration(&mut r, &f, "evaluation_interval").unwrap_or(0),
        fuzzy_compare: f.get("fuzzy_compare").map(|n| r.bool(n)).unwrap_or(false),
        group_eval_order: f
            .get("group_eval_order")
            .map(|n| r.strings(n))
            .unwrap_or_default(),
        tests: Vec::new(),
    };
    if let Some(tests) = f.get("tests") {
        for t in r.seq(tests, "[]main.testGroup") {
            let group = test_group(&mut r, t);
            file.tests.push(group);
        }
    }
    match r.finish() {
        Some(e) => Err(e),
        None => Ok(file),
    }
}

fn test_group(r: &mut Reader, node: &Node) -> TestGroup {
    let f = r.fields(
        node,
        "main.testGroup",
        &[
            "interval",
            "input_series",
            "alert_rule_test",
            "promql_expr_test",
            "external_labels",
            "external_url",
            "name",
            "start_timestamp",
        ],
    );
    let mut g = TestGroup {
        name: text(r, &f, "name"),
        interval: duration(r, &f, "interval").unwrap_or(0),
        external_labels: f
            .get("external_labels")
            .map(|n| r.string_map(n))
            .unwrap_or_default(),
        external_url: text(r, &f, "external_url"),
        start: f.get("start_timestamp").map(|n| start(r, n)).unwrap_or(0),
        ..TestGroup::default()
    };
    if let Some(items) = f.get("input_series") {
        for s in r.seq(items, "[]main.series") {
            let f = r.fields(s, "main.series", &["series", "values"]);
            g.input_series.push(InputSeries {
                series: text(r, &f, "series"),
                values: text(r, &f, "values"),
            });
        }
    }
    if let Some(items) = f.get("alert_rule_test") {
        for a in r.seq(items, "[]main.alertTestCase") {
            g.alert_rule_test.push(alert_test(r, a));
        }
    }
    if let Some(items) = f.get("promql_expr_test") {
        for e in r.seq(items, "[]main.promqlTestCase") {
            g.promql_expr_test.push(expr_test(r, e));
        }
    }
    g
}

fn alert_test(r: &mut Reader, node: &Node) -> AlertTest {
    let f = r.fields(
        node,
        "main.alertTestCase",
        &["eval_time", "alertname", "exp_alerts"],
    );
    let mut t = AlertTest {
        eval_time: duration(r, &f, "eval_time").unwrap_or(0),
        eval_time_text: text(r, &f, "eval_time"),
        alertname: text(r, &f, "alertname"),
        exp_alerts: Vec::new(),
    };
    if let Some(items) = f.get("exp_alerts") {
        for a in r.seq(items, "[]main.alert") {
            let f = r.fields(a, "main.alert", &["exp_labels", "exp_annotations"]);
            t.exp_alerts.push(ExpAlert {
                exp_labels: f
                    .get("exp_labels")
                    .map(|n| r.string_map(n))
                    .unwrap_or_default(),
                exp_annotations: f
                    .get("exp_annotations")
                    .map(|n| r.string_map(n))
                    .unwrap_or_default(),
            });
        }
    }
    t
}

fn expr_test(r: &mut Reader, node: &Node) -> ExprTest {
    let f = r.fields(
        node,
        "main.promqlTestCase",
        &["expr", "eval_time", "exp_samples"],
    );
    let mut t = ExprTest {
        expr: text(r, &f, "expr"),
        eval_time: duration(r, &f, "eval_time").unwrap_or(0),
        eval_time_text: text(r, &f, "eval_time"),
        exp_samples: Vec::new(),
    };
    if let Some(items) = f.get("exp_samples") {
        for s in r.seq(items, "[]main.sample") {
            let f = r.fields(s, "main.sample", &["labels", "value", "histogram"]);
            t.exp_samples.push(ExpSample {
                labels: text(r, &f, "labels"),
                value: f.get("value").map(|n| r.float(n)).unwrap_or(0.0),
                histogram: f.get("histogram").is_some_and(|n| !n.is_null()),
            });
        }
    }
    t
}

fn text(r: &mut Reader, f: &Fields, key: &str) -> String {
    f.get(key).map(|n| r.string(n)).unwrap_or_default()
}

fn duration(r: &mut Reader, f: &Fields, key: &str) -> Option<i64> {
    let node = f.get(key)?;
    if node.is_null() {
        return None;
    }
    let text = r.string(node);
    let parsed = parse_prometheus_duration(&text);
    if parsed.is_none() {
        r.custom(format!(
            "line {}: not a valid duration string: {text:?}",
            node.line
        ));
    }
    parsed
}

/// `start_timestamp`: Unix seconds (with a fraction) or RFC 3339.
fn start(r: &mut Reader, node: &Node) -> i64 {
    let text = r.string(node);
    if let Ok(secs) = text.parse::<f64>() {
        if secs.is_finite() {
            return (secs * 1000.0).round() as i64;
        }
    }
    match crate::model::time::parse_time(&text, 0) {
        Ok(ms) if text.contains('T') => ms,
        _ => {
            r.custom(format!(
                "line {}: start_timestamp {text:?} is neither a Unix timestamp nor an RFC 3339 time",
                node.line
            ));
            0
        }
    }
}
