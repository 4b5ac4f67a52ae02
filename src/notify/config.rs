//! alertmanager.yml: read strictly with argus' positioned YAML reader ([`crate::yaml`]) and
//! validated as Alertmanager validates it, with its messages, each prefixed by the line it
//! is about (`line 12: undefined receiver "team-x" used in route`).
//!
//! What is read: `global` (`resolve_timeout`, `slack_api_url`, `slack_api_url_file`; the
//! other global keys of Alertmanager are accepted and unused, since they only give defaults
//! to integrations argus refuses), the `route` tree, `receivers` (in `receiver.rs`),
//! `inhibit_rules`, and `templates` (paths kept, relative ones resolved against the
//! configuration's directory as Alertmanager does). What is refused by name, because argus
//! cannot honour it: `http_config`, time intervals (`time_intervals`,
//! `mute_time_intervals`, `active_time_intervals`), and integrations other than webhooks
//! and Slack. Unknown keys are errors, as in Alertmanager.

use super::inhibit::InhibitRule;
use super::matchers::{self, MatchType, Matcher};
use super::receiver::{self, Receiver, SecretUrl, UrlSource};
use super::route::{Route, RouteSpec};
use super::template::Templates;
use crate::model::time::duration_prefix;
use crate::yaml::read::{Fields, Reader};
use crate::yaml::{self, Kind, Node};
use std::collections::HashSet;
use std::path::Path;

/// A loaded, valid alertmanager.yml.
#[derive(Clone, Debug)]
pub struct Config {
    pub global: Global,
    pub route: Route,
    pub inhibit_rules: Vec<InhibitRule>,
    pub receivers: Vec<Receiver>,
    /// Template file globs, relative ones joined to the configuration's directory.
    pub templates: Vec<String>,
    /// The defaults and the files of `templates`, which every templated field expands with.
    pub template: Templates,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Global {
    /// How long an alert posted without an end stays firing without an update (ms).
    pub resolve_timeout: i64,
    pub slack_api_url: Option<UrlSource>,
}

/// Everything wrong with a configuration, one complete message per problem.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", .0.join("\n"))]
pub struct ConfigError(pub Vec<String>);

impl Config {
    /// Reads the configuration file at `path`; messages start with the path.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let name = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|e| ConfigError(vec![format!("{name}: {e}")]))?;
        let mut config = Config::parse(&text)
            .map_err(|e| ConfigError(e.0.into_iter().map(|m| format!("{name}: {m}")).collect()))?;
        let dir = path.parent().unwrap_or(Path::new(""));
        for t in &mut config.templates {
            if !t.is_empty() && !Path::new(t.as_str()).is_absolute() {
                *t = dir.join(t.as_str()).display().to_string();
            }
        }
        config.template = Templates::load(&config.templates)
            .map_err(|e| ConfigError(vec![format!("{name}: {e}")]))?;
        let problems = config.check_templates();
        if !problems.is_empty() {
            return Err(ConfigError(
                problems
                    .into_iter()
                    .map(|m| format!("{name}: {m}"))
                    .collect(),
            ));
        }
        Ok(config)
    }

    /// Reads configuration text.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let root = match yaml::parse(text) {
            Ok(Some(root)) => root,
            Ok(None) => return Err(ConfigError(vec!["no route provided in config".to_string()])),
            Err(e) => return Err(ConfigError(vec![e.to_string()])),
        };
        let mut loader = Loader {
            r: Reader::new(false),
            problems: Vec::new(),
        };
        let raw = loader.top(&root);
        let Loader { r, mut problems } = loader;
        if let Some(e) = r.finish() {
            return Err(ConfigError(vec![e]));
        }
        let config = validate(raw, &mut problems);
        if let Some(c) = &config {
            problems.extend(c.check_templates());
        }
        match config {
            Some(c) if problems.is_empty() => Ok(c),
            _ => Err(ConfigError(problems)),
        }
    }

    /// Every templated field that does not parse with the configuration's templates, named
    /// by receiver, integration and key. Alertmanager finds these only when a notification
    /// goes out; argus refuses the configuration instead, so a typo cannot lose an alert.
    fn check_templates(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for r in &self.receivers {
            for (i, slack) in r.slack_configs.iter().enumerate() {
                for (field, text) in slack.templated_fields() {
                    if let Err(e) = self.template.check(text) {
                        problems.push(format!(
                            "line {}: receiver {:?}: slack_configs[{i}].{field}: {e}",
                            r.line, r.name
                        ));
                    }
                }
            }
        }
        problems
    }

    /// The receiver with this name.
    pub fn receiver(&self, name: &str) -> Option<&Receiver> {
        self.receivers.iter().find(|r| r.name == name)
    }
}

/// The reader of one document: the YAML type errors go to the [`Reader`], the
/// configuration's own problems (with their lines) to `problems`.
pub(super) struct Loader {
    pub(super) r: Reader,
    problems: Vec<String>,
}

struct RawConfig {
    global: Global,
    route: Option<RouteSpec>,
    inhibit_rules: Vec<InhibitRule>,
    receivers: Vec<Receiver>,
    templates: Vec<String>,
}

const TOP_FIELDS: &[&str] = &[
    "global",
    "route",
    "inhibit_rules",
    "receivers",
    "templates",
    "mute_time_intervals",
    "time_intervals",
];

const GLOBAL_FIELDS: &[&str] = &[
    "resolve_timeout",
    "http_config",
    "slack_api_url",
    "slack_api_url_file",
    "smtp_from",
    "smtp_hello",
    "smtp_smarthost",
    "smtp_auth_username",
    "smtp_auth_password",
    "smtp_auth_password_file",
    "smtp_auth_secret",
    "smtp_auth_secret_file",
    "smtp_auth_identity",
    "smtp_require_tls",
    "smtp_tls_config",
    "pagerduty_url",
    "opsgenie_api_url",
    "opsgenie_api_key",
    "opsgenie_api_key_file",
    "wechat_api_url",
    "wechat_api_secret",
    "wechat_api_corp_id",
    "victorops_api_url",
    "victorops_api_key",
    "victorops_api_key_file",
    "telegram_api_url",
    "webex_api_url",
    "jira_api_url",
    "rocketchat_api_url",
    "rocketchat_token",
    "rocketchat_token_file",
    "rocketchat_token_id",
    "rocketchat_token_id_file",
];

const ROUTE_FIELDS: &[&str] = &[
    "receiver",
    "group_by",
    "match",
    "match_re",
    "matchers",
    "mute_time_intervals",
    "active_time_intervals",
    "continue",
    "routes",
    "group_wait",
    "group_interval",
    "repeat_interval",
];

const INHIBIT_FIELDS: &[&str] = &[
    "name",
    "source_match",
    "source_match_re",
    "source_matchers",
    "target_match",
    "target_match_re",
    "target_matchers",
    "equal",
];

/// Alertmanager's default `resolve_timeout`.
pub const DEFAULT_RESOLVE_TIMEOUT: i64 = 300_000;

impl Loader {
    pub(super) fn problem(&mut self, line: usize, message: String) {
        self.problems.push(format!("line {line}: {message}"));
    }

    fn top(&mut self, root: &Node) -> RawConfig {
        let f = self.r.fields(root, "config.plain", TOP_FIELDS);
        for key in ["mute_time_intervals", "time_intervals"] {
            if let Some(n) = f.get(key).filter(|n| !is_empty(n)) {
                self.problem(n.line, format!("{key} are not supported by argus (notifications cannot be muted by time of day)"));
            }
        }
        let global = match f.get("global") {
            Some(n) => self.global(n),
            None => default_global(),
        };
        let route = match f.get("route") {
            Some(n) if !n.is_null() => Some(self.route(n)),
            _ => None,
        };
        let inhibit_rules = match f.get("inhibit_rules") {
            Some(n) => self
                .r
                .seq(n, "[]config.InhibitRule")
                .iter()
                .map(|i| self.inhibit_rule(i))
                .collect(),
            None => Vec::new(),
        };
        let receivers = match f.get("receivers") {
            Some(n) => self
                .r
                .seq(n, "[]config.Receiver")
                .iter()
                .map(|i| self.receiver(i))
                .collect(),
            None => Vec::new(),
        };
        let templates = f
            .get("templates")
            .map(|n| self.r.strings(n))
            .unwrap_or_default();
        RawConfig {
            global,
            route,
            inhibit_rules,
            receivers,
            templates,
        }
    }

    fn global(&mut self, node: &Node) -> Global {
        let f = self.r.fields(node, "config.plain", GLOBAL_FIELDS);
        if let Some(n) = f.get("http_config").filter(|n| !n.is_null()) {
            self.problem(
                n.line,
                "http_config is not supported by argus: it sends without proxy, TLS or authorization settings".to_string(),
            );
        }
        let resolve_timeout = self
            .prom_duration(f.get("resolve_timeout"))
            .unwrap_or(DEFAULT_RESOLVE_TIMEOUT);
        let inline = f.get("slack_api_url").filter(|n| !n.is_null());
        let file = f
            .get("slack_api_url_file")
            .map(|n| self.r.string(n))
            .filter(|s| !s.is_empty());
        let slack_api_url = match (inline, file) {
            (Some(_), Some(_)) => {
                self.problem(
                    node.line,
                    "at most one of slack_api_url & slack_api_url_file must be configured"
                        .to_string(),
                );
                None
            }
            (Some(n), None) => {
                let text = self.r.string(n);
                match SecretUrl::parse(&text) {
                    Ok(u) => Some(UrlSource::Inline(u)),
                    Err(e) => {
                        self.problem(n.line, format!("slack_api_url: {e}"));
                        None
                    }
                }
            }
            (None, Some(path)) => Some(UrlSource::File(path)),
            (None, None) => None,
        };
        Global {
            resolve_timeout,
            slack_api_url,
        }
    }

    fn route(&mut self, node: &Node) -> RouteSpec {
        let f = self.r.fields(node, "config.plain", ROUTE_FIELDS);
        for key in ["mute_time_intervals", "active_time_intervals"] {
            if let Some(n) = f.get(key).filter(|n| !is_empty(n)) {
                self.problem(
                    n.line,
                    format!(
                        "{key} are not supported by argus (routes cannot be muted by time of day)"
                    ),
                );
            }
        }
        let match_equal = self.label_map(f.get("match"));
        let match_re = self.label_map(f.get("match_re"));
        for (name, pattern) in &match_re {
            if let Err(e) = Matcher::new(MatchType::Regexp, name, &format!("^(?:{pattern})$")) {
                self.problem(line_of(f.get("match_re"), node), e);
            }
        }
        let (group_by, group_by_all) = self.group_by(f.get("group_by"), node);
        let mut spec = RouteSpec {
            receiver: f.get("receiver").map(|n| self.r.string(n)),
            group_by,
            group_by_all,
            match_equal,
            match_re,
            matchers: self.matcher_lines(f.get("matchers")),
            continue_matching: bool_field(&mut self.r, &f, "continue"),
            routes: Vec::new(),
            group_wait: self.prom_duration(f.get("group_wait")),
            group_interval: self.prom_duration(f.get("group_interval")),
            repeat_interval: self.prom_duration(f.get("repeat_interval")),
            line: node.line,
        };
        for (key, value) in [
            ("group_interval", spec.group_interval),
            ("repeat_interval", spec.repeat_interval),
        ] {
            if value == Some(0) {
                self.problem(line_of(f.get(key), node), format!("{key} cannot be zero"));
            }
        }
        if let Some(n) = f.get("routes") {
            let children = self.r.seq(n, "[]*config.Route");
            spec.routes = children.iter().map(|c| self.route(c)).collect();
        }
        spec
    }

    /// `group_by`: label names, or `...` alone for every label.
    fn group_by(&mut self, node: Option<&Node>, route: &Node) -> (Vec<String>, bool) {
        let Some(node) = node else {
            return (Vec::new(), false);
        };
        let line = line_of(Some(node), route);
        let names = self.r.strings(node);
        let all = names.iter().any(|n| n == "...");
        let labels: Vec<String> = names.into_iter().filter(|n| n != "...").collect();
        let mut seen = HashSet::new();
        for name in &labels {
            if name.is_empty() {
                self.problem(
                    line,
                    format!("invalid label name {name:?} in group_by list"),
                );
            } else if !seen.insert(name.as_str()) {
                self.problem(line, format!("duplicated label {name:?} in group_by"));
            }
        }
        if all && !labels.is_empty() {
            self.problem(
                line,
                "cannot have wildcard group_by (`...`) and other labels at the same time"
                    .to_string(),
            );
        }
        (labels, all)
    }

    /// A `match`-style map of label names (the classic character set) to values.
    fn label_map(&mut self, node: Option<&Node>) -> Vec<(String, String)> {
        let Some(node) = node else {
            return Vec::new();
        };
        let pairs = self.r.string_map(node);
        for (name, _) in &pairs {
            if !crate::model::labels::is_valid_label_name(name) {
                self.problem(node.line, format!("invalid label name {name:?}"));
            }
        }
        pairs
    }

    /// `matchers:` lines, each a matcher list in Alertmanager's syntax.
    fn matcher_lines(&mut self, node: Option<&Node>) -> Vec<Matcher> {
        let Some(node) = node else {
            return Vec::new();
        };
        let items = self.r.seq(node, "[]string");
        let mut out = Vec::new();
        for item in items {
            let line = self.r.string(item);
            match matchers::parse_list(&line) {
                Ok(ms) => out.extend(ms),
                Err(e) => self.problem(item.line, e),
            }
        }
        matchers::sort(&mut out);
        out
    }

    fn inhibit_rule(&mut self, node: &Node) -> InhibitRule {
        let f = self.r.fields(node, "config.plain", INHIBIT_FIELDS);
        let side = |loader: &mut Loader, prefix: &str| -> Vec<Matcher> {
            let mut out = Vec::new();
            let eq_key = format!("{prefix}_match");
            let re_key = format!("{prefix}_match_re");
            let ms_key = format!("{prefix}_matchers");
            for (name, value) in loader.label_map(f.get(&eq_key)) {
                out.push(Matcher::equal(&name, &value));
            }
            for (name, pattern) in loader.label_map(f.get(&re_key)) {
                match Matcher::new(MatchType::Regexp, &name, &format!("^(?:{pattern})$")) {
                    Ok(m) => out.push(m),
                    Err(e) => loader.problem(line_of(f.get(&re_key), node), e),
                }
            }
            out.extend(loader.matcher_lines(f.get(&ms_key)));
            out
        };
        let source = side(self, "source");
        let target = side(self, "target");
        let equal_names = f
            .get("equal")
            .map(|n| self.r.strings(n))
            .unwrap_or_default();
        for name in &equal_names {
            if name.is_empty() {
                self.problem(
                    line_of(f.get("equal"), node),
                    format!("invalid label name {name:?} in equal list"),
                );
            }
        }
        InhibitRule {
            source,
            target,
            equal: equal_names,
        }
    }

    /// A Prometheus duration (`30s`, `1h30m`, `0`); `None` when absent or null.
    fn prom_duration(&mut self, node: Option<&Node>) -> Option<i64> {
        let node = node.filter(|n| !n.is_null())?;
        let text = self.r.string(node);
        if text.is_empty() {
            self.problem(node.line, "empty duration string".to_string());
            return None;
        }
        if text == "0" {
            return Some(0);
        }
        match duration_prefix(&text) {
            Some((ms, used)) if used == text.len() => Some(ms),
            _ => {
                self.problem(node.line, format!("not a valid duration string: {text:?}"));
                None
            }
        }
    }

    /// Go's `time.Duration` as yaml.v2 reads it: a Go duration string (`10s`, `1.5m`) or
    /// an integer count of nanoseconds. Returns milliseconds.
    pub(super) fn go_duration(&mut self, node: &Node) -> i64 {
        let text = match node.scalar() {
            Some(t) => t.to_string(),
            None if node.is_null() => return 0,
            None => String::new(),
        };
        let quoted = matches!(node.kind, Kind::Scalar { quoted: true, .. });
        let ns = match text.parse::<i64>() {
            Ok(n) if !quoted => Some(n),
            _ => crate::logql::units::parse_go_duration(&text),
        };
        match ns {
            Some(ns) if ns >= 0 => ns / 1_000_000,
            _ => {
                self.r.custom(format!(
                    "line {}: cannot unmarshal {} `{}` into time.Duration",
                    node.line,
                    node.go_tag(),
                    crate::model::limits::excerpt(&text)
                ));
                0
            }
        }
    }

    /// Go's `uint64`.
    pub(super) fn uint(&mut self, node: &Node) -> u64 {
        let n = self.r.int(node);
        u64::try_from(n).unwrap_or_else(|_| {
            self.r.custom(format!(
                "line {}: cannot unmarshal !!int `{n}` into uint64",
                node.line
            ));
            0
        })
    }
}

/// A null node, or an empty sequence or mapping.
fn is_empty(node: &Node) -> bool {
    match &node.kind {
        Kind::Null => true,
        Kind::Seq(items) => items.is_empty(),
        Kind::Map(pairs) => pairs.is_empty(),
        Kind::Scalar { .. } => false,
    }
}

fn line_of(node: Option<&Node>, fallback: &Node) -> usize {
    node.map_or(fallback.line, |n| n.line)
}

pub(super) fn string_field(r: &mut Reader, f: &Fields, key: &str) -> String {
    f.get(key).map(|n| r.string(n)).unwrap_or_default()
}

pub(super) fn bool_field(r: &mut Reader, f: &Fields, key: &str) -> bool {
    f.get(key).map(|n| r.bool(n)).unwrap_or(false)
}

fn default_global() -> Global {
    Global {
        resolve_timeout: DEFAULT_RESOLVE_TIMEOUT,
        slack_api_url: None,
    }
}

/// The checks Alertmanager makes once the whole document is read, in its order.
fn validate(mut raw: RawConfig, problems: &mut Vec<String>) -> Option<Config> {
    let mut names = HashSet::new();
    for rcv in &mut raw.receivers {
        if !rcv.name.is_empty() && !names.insert(rcv.name.clone()) {
            problems.push(format!(
                "line {}: notification config name {:?} is not unique",
                rcv.line, rcv.name
            ));
        }
        for slack in &mut rcv.slack_configs {
            if receiver::slack_url_missing(slack) {
                match &raw.global.slack_api_url {
                    Some(u) => slack.api_url = u.clone(),
                    None => problems.push(format!(
                        "line {}: no global Slack API URL set either inline or in a file",
                        rcv.line
                    )),
                }
            }
        }
    }
    let Some(root) = raw.route else {
        problems.push("no routes provided".to_string());
        return None;
    };
    match root.receiver.as_deref() {
        None | Some("") => problems.push(format!(
            "line {}: root route must specify a default receiver",
            root.line
        )),
        Some(_) => {}
    }
    if !root.match_equal.is_empty() || !root.match_re.is_empty() || !root.matchers.is_empty() {
        problems.push(format!(
            "line {}: root route must not have any matchers",
            root.line
        ));
    }
    if root.continue_matching {
        problems.push(format!(
            "line {}: cannot have continue in root route",
            root.line
        ));
    }
    check_receivers(&root, &names, problems);
    match Route::build(&root) {
        Ok(route) => Some(Config {
            global: raw.global,
            route,
            inhibit_rules: raw.inhibit_rules,
            receivers: raw.receivers,
            templates: raw.templates,
            template: Templates::defaults(),
        }),
        Err(e) => {
            problems.push(format!("line {}: {e}", root.line));
            None
        }
    }
}

/// Every receiver a route names must exist (children first, as Alertmanager checks).
fn check_receivers(route: &RouteSpec, names: &HashSet<String>, problems: &mut Vec<String>) {
    for child in &route.routes {
        check_receivers(child, names, problems);
    }
    if let Some(r) = route.receiver.as_deref().filter(|r| !r.is_empty()) {
        if !names.contains(r) {
            problems.push(format!(
                "line {}: undefined receiver {r:?} used in route",
                route.line
            ));
        }
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
