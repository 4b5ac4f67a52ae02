//! Prometheus rule files: reading them strictly and validating them as Prometheus does
//! (`model/rulefmt`), with its error messages, which name the file, the line and column of
//! the offending node, the group and the rule (`rules.yml: 7:15: group "g", rule 1, "x":
//! could not parse expression: ...`).
//!
//! What is checked, as in Prometheus 3: unknown keys (unless ignored); group names present
//! and unique in the file; exactly one of `record`/`alert`; `expr` present and parsing;
//! recording rules without `annotations`, `for` or `keep_firing_for`, with a name that holds
//! no braces; label names (group and rule) non-empty and not `__name__`; alert label and
//! annotation templates parsing. Names are checked as Prometheus 3 checks them by default
//! (any UTF-8), not by the legacy character set.

use super::template;
use crate::model::time::duration_prefix;
use crate::promql::ast::Expr;
use crate::yaml::read::{Fields, Reader};
use crate::yaml::{self, Node};
use std::path::Path;

/// One rule file, read and valid.
#[derive(Clone, Debug)]
pub struct RuleFile {
    /// The path as it was given; it names the file in messages and in `/api/v1/rules`.
    pub path: String,
    pub groups: Vec<Group>,
}

#[derive(Clone, Debug)]
pub struct Group {
    pub name: String,
    /// The group's own interval (ms); `None` means the global evaluation interval.
    pub interval: Option<i64>,
    /// The group's own query offset (ms); `None` means the global one.
    pub query_offset: Option<i64>,
    /// Most series (recording) or alerts (alerting) one rule may produce; 0 is no limit.
    pub limit: usize,
    /// Labels added to every rule of the group (a rule's own label of the same name wins).
    pub labels: Vec<(String, String)>,
    pub rules: Vec<Rule>,
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub kind: RuleKind,
    pub expr_text: String,
    pub expr: Expr,
    /// How long an alert is pending before it fires (ms).
    pub for_ms: i64,
    /// How long a firing alert keeps firing after its condition is gone (ms).
    pub keep_firing_for_ms: i64,
    pub labels: Vec<(String, String)>,
    pub annotations: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// A recording rule and the metric name it records under.
    Record(String),
    /// An alerting rule and its alert name.
    Alert(String),
}

impl Group {
    /// The labels a rule applies: the group's, under the rule's own (which win).
    pub fn rule_labels(&self, rule: &Rule) -> Vec<(String, String)> {
        let mut labels: Vec<(String, String)> = self
            .labels
            .iter()
            .filter(|(k, _)| !rule.labels.iter().any(|(rk, _)| rk == k))
            .cloned()
            .collect();
        labels.extend(rule.labels.iter().cloned());
        labels
    }
}

impl Rule {
    /// The record or alert name.
    pub fn name(&self) -> &str {
        match &self.kind {
            RuleKind::Record(n) | RuleKind::Alert(n) => n,
        }
    }

    pub fn is_alert(&self) -> bool {
        matches!(self.kind, RuleKind::Alert(_))
    }
}

const GROUPS_FIELDS: &[&str] = &["groups"];
const GROUP_FIELDS: &[&str] = &[
    "name",
    "interval",
    "query_offset",
    "limit",
    "rules",
    "labels",
];
const RULE_FIELDS: &[&str] = &[
    "record",
    "alert",
    "expr",
    "for",
    "keep_firing_for",
    "labels",
    "annotations",
];

/// Reads and validates the rule file at `path`. Errors are complete messages, each naming
/// the file as it was given.
pub fn load(path: &Path, ignore_unknown: bool) -> Result<RuleFile, Vec<String>> {
    let name = path.display().to_string();
    let text = std::fs::read(path).map_err(|e| vec![format!("{name}: {e}")])?;
    let text =
        String::from_utf8(text).map_err(|_| vec![format!("{name}: the file is not UTF-8 text")])?;
    parse(&text, &name, ignore_unknown)
}

/// Reads and validates rule-file text; `name` is what messages call it.
pub fn parse(text: &str, name: &str, ignore_unknown: bool) -> Result<RuleFile, Vec<String>> {
    let prefixed = |errors: Vec<String>| -> Vec<String> {
        errors.into_iter().map(|e| format!("{name}: {e}")).collect()
    };
    let root = match yaml::parse(text) {
        Ok(Some(root)) => root,
        Ok(None) => {
            return Ok(RuleFile {
                path: name.to_string(),
                groups: Vec::new(),
            })
        }
        Err(e) => return Err(prefixed(vec![e.to_string()])),
    };
    let mut reader = Reader::new(ignore_unknown);
    let raw = read_groups(&mut reader, &root);
    if let Some(e) = reader.finish() {
        return Err(prefixed(vec![e]));
    }
    let (groups, errors) = validate(raw);
    if errors.is_empty() {
        Ok(RuleFile {
            path: name.to_string(),
            groups,
        })
    } else {
        Err(prefixed(errors))
    }
}

/// A group as written, with the nodes whose positions the validation errors name.
struct RawGroup<'n> {
    node: &'n Node,
    name: String,
    interval: Option<i64>,
    query_offset: Option<i64>,
    limit: i64,
    labels: Vec<(String, String)>,
    rules: Vec<RawRule<'n>>,
}

struct RawRule<'n> {
    record: Option<&'n Node>,
    alert: Option<&'n Node>,
    expr: Option<&'n Node>,
    record_text: String,
    alert_text: String,
    expr_text: String,
    for_ms: i64,
    keep_firing_for_ms: i64,
    labels: Vec<(String, String)>,
    annotations: Vec<(String, String)>,
}

fn read_groups<'n>(r: &mut Reader, root: &'n Node) -> Vec<RawGroup<'n>> {
    let top = r.fields(root, "rulefmt.RuleGroups", GROUPS_FIELDS);
    let Some(groups) = top.get("groups") else {
        return Vec::new();
    };
    let items = r.seq(groups, "[]rulefmt.RuleGroup");
    items.iter().map(|g| read_group(r, g)).collect()
}

fn read_group<'n>(r: &mut Reader, node: &'n Node) -> RawGroup<'n> {
    let f = r.fields(node, "rulefmt.RuleGroup", GROUP_FIELDS);
    let rules = match f.get("rules") {
        Some(rules) => r
            .seq(rules, "[]rulefmt.Rule")
            .iter()
            .map(|rule| read_rule(r, rule))
            .collect(),
        None => Vec::new(),
    };
    RawGroup {
        node,
        name: string_field(r, &f, "name"),
        interval: duration_field(r, &f, "interval"),
        query_offset: duration_field(r, &f, "query_offset"),
        limit: f.get("limit").map(|n| r.int(n)).unwrap_or(0),
        labels: f.get("labels").map(|n| r.string_map(n)).unwrap_or_default(),
        rules,
    }
}

fn read_rule<'n>(r: &mut Reader, node: &'n Node) -> RawRule<'n> {
    let f = r.fields(node, "rulefmt.Rule", RULE_FIELDS);
    RawRule {
        record: f.get("record"),
        alert: f.get("alert"),
        expr: f.get("expr"),
        record_text: string_field(r, &f, "record"),
        alert_text: string_field(r, &f, "alert"),
        expr_text: string_field(r, &f, "expr"),
        for_ms: duration_field(r, &f, "for").unwrap_or(0),
        keep_firing_for_ms: duration_field(r, &f, "keep_firing_for").unwrap_or(0),
        labels: f.get("labels").map(|n| r.string_map(n)).unwrap_or_default(),
        annotations: f
            .get("annotations")
            .map(|n| r.string_map(n))
            .unwrap_or_default(),
    }
}

fn string_field(r: &mut Reader, f: &Fields, key: &str) -> String {
    f.get(key).map(|n| r.string(n)).unwrap_or_default()
}

/// A Prometheus duration (`5m`, `1h30m`, `0`); `None` when absent or null.
fn duration_field(r: &mut Reader, f: &Fields, key: &str) -> Option<i64> {
    let node = f.get(key)?;
    if node.is_null() {
        return None;
    }
    let text = r.string(node);
    match parse_prometheus_duration(&text) {
        Some(ms) => Some(ms),
        None => {
            r.custom(format!("not a valid duration string: {text:?}"));
            None
        }
    }
}

/// Prometheus' `model.ParseDuration`: units from `ms` to `y`, each at most once and in
/// decreasing order, or a bare `0`.
pub fn parse_prometheus_duration(text: &str) -> Option<i64> {
    if text == "0" {
        return Some(0);
    }
    let (ms, used) = duration_prefix(text)?;
    (used == text.len() && !text.is_empty()).then_some(ms)
}

/// Where a node is, as `line:col`; a missing node prints as Go prints a zero node.
fn at(node: Option<&Node>) -> String {
    match node {
        Some(n) => format!("{}:{}", n.line, n.col),
        None => "0:0".to_string(),
    }
}

fn validate(raw: Vec<RawGroup>) -> (Vec<Group>, Vec<String>) {
    let mut errors = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let mut groups = Vec::new();
    for g in &raw {
        if g.name.is_empty() {
            errors.push(format!(
                "{}:{}: Groupname must not be empty",
                g.node.line, g.node.col
            ));
        }
        if seen.contains(&g.name.as_str()) {
            errors.push(format!(
                "{}:{}: groupname: \"{}\" is repeated in the same file",
                g.node.line, g.node.col, g.name
            ));
        }
        seen.push(&g.name);
        for (k, _) in &g.labels {
            if !valid_label_name(k) {
                errors.push(format!("invalid label name: {k}"));
            }
        }
        let mut rules = Vec::new();
        for (i, rule) in g.rules.iter().enumerate() {
            match validate_rule(rule) {
                Ok(r) => rules.push(r),
                Err(problems) => {
                    let name = if rule.alert_text.is_empty() {
                        &rule.record_text
                    } else {
                        &rule.alert_text
                    };
                    for (place, problem) in problems {
                        let place = place.map(|p| format!("{p}: ")).unwrap_or_default();
                        errors.push(format!(
                            "{place}group {:?}, rule {}, {:?}: {problem}",
                            g.name,
                            i + 1,
                            name
                        ));
                    }
                }
            }
        }
        groups.push(Group {
            name: g.name.clone(),
            interval: g.interval,
            query_offset: g.query_offset,
            limit: g.limit.max(0) as usize,
            labels: g.labels.clone(),
            rules,
        });
    }
    (groups, errors)
}

/// Label names as Prometheus 3 accepts them: any non-empty UTF-8 but the metric name's.
fn valid_label_name(name: &str) -> bool {
    !name.is_empty() && name != crate::model::METRIC_NAME
}

type Problem = (Option<String>, String);

fn validate_rule(r: &RawRule) -> Result<Rule, Vec<Problem>> {
    let mut problems: Vec<Problem> = Vec::new();
    let both = || Some(format!("{}: {}", at(r.record), at(r.alert)));
    let record_at = || Some(at(r.record));
    if !r.record_text.is_empty() && !r.alert_text.is_empty() {
        problems.push((
            both(),
            "only one of 'record' and 'alert' must be set".into(),
        ));
    }
    if r.record_text.is_empty() && r.alert_text.is_empty() {
        problems.push((both(), "one of 'record' or 'alert' must be set".into()));
    }
    let mut expr = None;
    if r.expr_text.is_empty() {
        problems.push((Some(at(r.expr)), "field 'expr' must be set in rule".into()));
    } else {
        match crate::promql::parse(&r.expr_text) {
            Ok(e) => expr = Some(e),
            Err(e) => problems.push((Some(at(r.expr)), format!("could not parse expression: {e}"))),
        }
    }
    if !r.record_text.is_empty() {
        if !r.annotations.is_empty() {
            problems.push((
                record_at(),
                "invalid field 'annotations' in recording rule".into(),
            ));
        }
        if r.for_ms != 0 {
            problems.push((record_at(), "invalid field 'for' in recording rule".into()));
        }
        if r.keep_firing_for_ms != 0 {
            problems.push((
                record_at(),
                "invalid field 'keep_firing_for' in recording rule".into(),
            ));
        }
        if r.record_text.contains(['{', '}']) {
            problems.push((
                record_at(),
                format!(
                    "braces present in the recording rule name; should it be in expr?: {}",
                    r.record_text
                ),
            ));
        }
    }
    for (k, _) in &r.labels {
        if !valid_label_name(k) {
            problems.push((None, format!("invalid label name: {k}")));
        }
    }
    for (k, _) in &r.annotations {
        if k.is_empty() {
            problems.push((None, format!("invalid annotation name: {k}")));
        }
    }
    if !r.alert_text.is_empty() {
        let template_name = format!("__alert_{}", r.alert_text);
        for (what, pairs) in [("label", &r.labels), ("annotation", &r.annotations)] {
            for (k, v) in pairs {
                if let Err(e) = template::check(&template_name, v) {
                    problems.push((None, format!("{what} {k:?}: {e}")));
                }
            }
        }
    }
    match expr {
        Some(expr) if problems.is_empty() => Ok(Rule {
            kind: if r.alert_text.is_empty() {
                RuleKind::Record(r.record_text.clone())
            } else {
                RuleKind::Alert(r.alert_text.clone())
            },
            expr_text: r.expr_text.clone(),
            expr,
            for_ms: r.for_ms,
            keep_firing_for_ms: r.keep_firing_for_ms,
            labels: r.labels.clone(),
            annotations: r.annotations.clone(),
        }),
        _ => Err(problems),
    }
}
