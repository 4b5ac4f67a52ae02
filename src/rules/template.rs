//! Prometheus' alert templates: the labels and annotations of an alerting rule are Go templates
//! expanded for each alert at each evaluation, run by [`crate::gotmpl`] with the functions
//! Prometheus registers (`template/template.go`: `query`, `humanize`, `graphLink`, ...) and
//! Go's built-ins (no sprig).
//!
//! [`expand`] does what Prometheus' rule evaluation does with each text: it prefixes the
//! variable definitions Prometheus prefixes (`$labels`, `$externalLabels`, `$externalURL`,
//! `$value`, on the same line, so that positions in errors match Prometheus'), runs the
//! template named `__alert_<alertname>` on a struct of the alert's data, and reports errors in
//! Prometheus' words; [`expand_or_error`] turns a failure into Prometheus' text
//! `<error expanding template: ...>`. [`check`] is the load-time parse check of rule files
//! (`rulefmt`'s `ParseTest`).
//!
//! Not modelled: `toTime`/`toDuration` give values rather than pointers (Prometheus'
//! `humanizeDuration (toDuration 1)` fails; here it works), a list of samples prints its
//! samples where Go prints their addresses, and templates may call templates a few hundred
//! deep where Go allows 100,000 ([`crate::gotmpl::MAX_CALL_DEPTH`]). Native histograms are
//! out of scope: `$value` and sample values are floats.

use crate::gotmpl::funcs::strings::{cases_title, compiled_regex, go_lower, go_upper};
use crate::gotmpl::funcs::{
    fixed, query_escape, str_arg as s, variadic, Func, FuncSet, Host, Library, Ty, R,
};
use crate::gotmpl::print::sprintf;
use crate::gotmpl::strconv::{can_backquote, parse_float_go, quote};
use crate::gotmpl::time::zone::Zone;
use crate::gotmpl::time::GoTime;
use crate::gotmpl::value::STRING_MAP;
use crate::gotmpl::{parse_named, render_value, ExecError, GoStruct, GoType, ParseError, Value};
use crate::model::labels::Labels;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;
use std::sync::OnceLock;

/// What Prometheus prefixes to every label and annotation template of an alerting rule.
pub const DEFINITIONS: &str = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}";

/// Go's type of the struct Prometheus hands an alert template (`AlertTemplateData`).
const DATA_TYPE: &str = "struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value interface {} }";

/// Go's type of `query` results.
const QUERY_RESULT: &str = "template.queryResult";
static QUERY_RESULT_TYPE: GoType = GoType::plain(QUERY_RESULT);

/// Go's type of a sample in `query` results.
const SAMPLE_TYPE: &str = "*template.sample";

/// Go's message for calling through a nil function or URL, which Prometheus recovers from.
const NIL_POINTER: &str = "runtime error: invalid memory address or nil pointer dereference";

/// The name Prometheus gives the templates of the alerting rule `alertname`.
pub fn template_name(alertname: &str) -> String {
    format!("__alert_{alertname}")
}

/// What an alert template sees (Prometheus' `AlertTemplateData`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AlertTemplateData {
    /// The labels of the sample that made the alert (the query result's, `__name__`
    /// included if the result has one; not the rule's own labels).
    pub labels: Labels,
    /// The global external labels.
    pub external_labels: Labels,
    /// `--web.external-url` as configured (promtool: the test's `external_url`).
    pub external_url: String,
    /// The sample's value.
    pub value: f64,
}

/// Runs an instant PromQL query for the template function `query`.
pub trait InstantQuerier {
    /// The result of `expr` evaluated at `at_ms`: an instant vector's labels and values.
    fn query(&self, expr: &str, at_ms: i64) -> Result<Vec<(Labels, f64)>, String>;
}

/// What an expansion offers besides the alert's data.
#[derive(Clone, Copy, Default)]
pub struct ExpandEnv<'q> {
    /// The evaluation time: `query` runs at it, `now` returns it.
    pub eval_time_ms: i64,
    /// Runs `query`; without one, `query` fails as Prometheus' does with no query function.
    pub querier: Option<&'q dyn InstantQuerier>,
    /// The URL the functions `externalURL` and `pathPrefix` read. Prometheus' server passes
    /// `--web.external-url`; promtool passes none, and then they fail as in promtool.
    pub external_url: Option<&'q str>,
}

/// A template that could not be expanded, as Prometheus reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateError {
    Parse(ParseError),
    /// The name of the template expanded (not the one called inside it that failed).
    Exec(String, ExecError),
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::Parse(e) => write!(f, "error parsing template {}: {e}", e.name),
            TemplateError::Exec(name, e) => write!(f, "error executing template {name}: {e}"),
        }
    }
}

impl std::error::Error for TemplateError {}

/// The text Prometheus puts in place of a template that failed.
pub fn error_text(e: &TemplateError) -> String {
    format!("<error expanding template: {e}>")
}

/// Expands one label or annotation template of an alert, as Prometheus' rule evaluation does:
/// the definitions prefixed, the template named `name` (see [`template_name`]).
pub fn expand(
    name: &str,
    text: &str,
    data: &AlertTemplateData,
    env: &ExpandEnv,
) -> Result<String, TemplateError> {
    let full = format!("{DEFINITIONS}{text}");
    expand_value(name, &full, root_value(data), env)
}

/// Runs `text` as the template `name` with `root` as its dot, with Prometheus' functions and
/// nothing prefixed (how Prometheus' own tests run them).
pub(super) fn expand_value(
    name: &str,
    text: &str,
    root: Value<'static>,
    env: &ExpandEnv,
) -> Result<String, TemplateError> {
    let t = parse_named(name, text, functions()).map_err(TemplateError::Parse)?;
    let mut out = String::new();
    let host = AlertHost { env };
    render_value(&t, functions(), root, &host, &mut out)
        .map_err(|e| TemplateError::Exec(name.to_string(), e))?;
    Ok(out)
}

/// [`expand`], with a failure turned into Prometheus' `<error expanding template: ...>`.
pub fn expand_or_error(
    name: &str,
    text: &str,
    data: &AlertTemplateData,
    env: &ExpandEnv,
) -> String {
    expand(name, text, data, env).unwrap_or_else(|e| error_text(&e))
}

/// Checks that a label or annotation template of an alerting rule parses, as rule files are
/// checked when they are loaded; the error is Go's (`template: __alert_X:1: function "f" not
/// defined`), which Prometheus prefixes with `label "name": ` or `annotation "name": `.
pub fn check(name: &str, text: &str) -> Result<(), String> {
    parse_named(name, &format!("{DEFINITIONS}{text}"), functions())
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The dot of an alert template: Prometheus' struct of the alert's data.
fn root_value(data: &AlertTemplateData) -> Value<'static> {
    Value::Struct(Rc::new(GoStruct {
        type_name: DATA_TYPE,
        fields: vec![
            ("Labels", label_map(&data.labels)),
            ("ExternalLabels", label_map(&data.external_labels)),
            ("ExternalURL", Value::str(data.external_url.clone())),
            ("Value", Value::Float(data.value)),
        ],
    }))
}

/// A label set as Go's `map[string]string`.
fn label_map(labels: &Labels) -> Value<'static> {
    let map: BTreeMap<String, String> = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Value::StrMap(&STRING_MAP, Rc::new(map))
}

/// A sample of a `query` result: `.Labels` and `.Value`.
fn sample_value(labels: &Labels, value: f64) -> Value<'static> {
    Value::Struct(Rc::new(GoStruct {
        type_name: SAMPLE_TYPE,
        fields: vec![
            ("Labels", label_map(labels)),
            ("Value", Value::Float(value)),
        ],
    }))
}

/// An expansion's environment as its template's host.
struct AlertHost<'e, 'q> {
    env: &'e ExpandEnv<'q>,
}

/// The host values and operations of an alert template.
const NOW: &str = "now";
const EXTERNAL_URL: &str = "externalURL";
const PATH_PREFIX: &str = "pathPrefix";
const QUERY: &str = "query";

impl<'a> Host<'a> for AlertHost<'_, '_> {
    fn value(&self, name: &str) -> Option<Value<'a>> {
        match name {
            NOW => Some(Value::Float(self.env.eval_time_ms as f64 / 1000.0)),
            EXTERNAL_URL => self.env.external_url.map(|u| Value::str(u.to_string())),
            PATH_PREFIX => self
                .env
                .external_url
                .map(|u| Value::str(url_path(u).to_string())),
            _ => None,
        }
    }

    fn call(&self, name: &str, args: &[Value<'a>]) -> Option<R<Value<'a>>> {
        if name != QUERY {
            return None;
        }
        let Some(querier) = self.env.querier else {
            return Some(Err(NIL_POINTER.into()));
        };
        let expr = args.first().map_or("", s);
        Some(querier.query(expr, self.env.eval_time_ms).map(|vector| {
            let samples = vector.iter().map(|(l, v)| sample_value(l, *v)).collect();
            Value::Slice(&QUERY_RESULT_TYPE, Rc::new(samples))
        }))
    }
}

/// The path of a URL (Go's `url.URL.Path`): after the scheme and host, before `?` and `#`.
fn url_path(url: &str) -> &str {
    let url = url.split(['?', '#']).next().unwrap_or("");
    match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
        None => url,
    }
}

/// A host value every alert expansion has, or Go's error for the nil URL promtool passes.
fn host_value<'a>(env: &crate::gotmpl::funcs::Env<'a, '_>, name: &str) -> R<Value<'a>> {
    env.host_value(name).ok_or_else(|| NIL_POINTER.to_string())
}

/// The functions of alert templates, built once.
pub fn functions() -> &'static FuncSet {
    static SET: OnceLock<FuncSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set = FuncSet::new();
        set.add_library(&PROMETHEUS);
        set
    })
}

/// Prometheus' template functions, in `template.go`'s order.
pub const PROMETHEUS: Library = Library {
    names: &[
        "query",
        "first",
        "label",
        "value",
        "strvalue",
        "args",
        "reReplaceAll",
        "safeHtml",
        "match",
        "title",
        "toUpper",
        "toLower",
        "graphLink",
        "tableLink",
        "sortByLabel",
        "stripPort",
        "stripDomain",
        "humanize",
        "humanize1024",
        "humanizeDuration",
        "humanizePercentage",
        "humanizeTimestamp",
        "toTime",
        "toDuration",
        "now",
        "pathPrefix",
        "externalURL",
        "parseDuration",
        "urlQueryEscape",
    ],
    lookup: prometheus_function,
};

/// Prometheus' function named `name`.
fn prometheus_function(name: &str) -> Option<Func> {
    use Ty::*;
    Some(match name {
        // Queries.
        "query" => fixed(&[Str], |env, a| {
            env.host_call(QUERY, &a)
                .unwrap_or_else(|| Err(NIL_POINTER.into()))
        }),
        "first" => fixed(&[Slice(QUERY_RESULT)], |_, a| first(&a[0])),
        "label" => fixed(&[Str, Named(SAMPLE_TYPE)], |_, a| {
            sample_label(&a[1], s(&a[0]))
        }),
        "value" => fixed(&[Named(SAMPLE_TYPE)], |_, a| sample_field(&a[0], "Value")),
        "strvalue" => fixed(&[Named(SAMPLE_TYPE)], |_, a| {
            sample_label(&a[0], "__value__")
        }),
        "sortByLabel" => fixed(&[Str, Slice(QUERY_RESULT)], |_, a| {
            sort_by_label(s(&a[0]), &a[1])
        }),
        "args" => variadic(&[], Any, |_, a| {
            let map = a
                .into_iter()
                .enumerate()
                .map(|(i, v)| (format!("arg{i}"), v))
                .collect();
            Ok(Value::Map(Rc::new(map)))
        }),
        // Strings.
        "reReplaceAll" => fixed(&[Str, Str, Str], |_, a| {
            re_replace_all(s(&a[0]), s(&a[1]), s(&a[2]))
        }),
        "safeHtml" => fixed(&[Str], |_, a| Ok(a[0].clone())),
        "match" => fixed(&[Str, Str], |_, a| {
            let re = compiled_regex(s(&a[0])).map_err(|e| regex_error(&e))?;
            Ok(Value::Bool(re.is_match(s(&a[1]))))
        }),
        "title" => fixed(&[Str], |_, a| Ok(Value::str(cases_title(s(&a[0]))))),
        "toUpper" => fixed(&[Str], |_, a| Ok(Value::str(go_upper(s(&a[0]))))),
        "toLower" => fixed(&[Str], |_, a| Ok(Value::str(go_lower(s(&a[0]))))),
        "graphLink" => fixed(&[Str], |_, a| Ok(Value::str(link(s(&a[0]), 0)))),
        "tableLink" => fixed(&[Str], |_, a| Ok(Value::str(link(s(&a[0]), 1)))),
        "stripPort" => fixed(&[Str], |_, a| Ok(Value::str(strip_port(s(&a[0]))))),
        "stripDomain" => fixed(&[Str], |_, a| Ok(Value::str(strip_domain(s(&a[0]))))),
        "urlQueryEscape" => fixed(&[Str], |_, a| Ok(Value::str(query_escape(s(&a[0]))))),
        // Numbers.
        "humanize" => fixed(&[Any], |_, a| {
            to_float(&a[0]).map(|v| Value::str(humanize(v)))
        }),
        "humanize1024" => fixed(&[Any], |_, a| {
            to_float(&a[0]).map(|v| Value::str(humanize_1024(v)))
        }),
        "humanizeDuration" => fixed(&[Any], |_, a| {
            to_float(&a[0]).map(|v| Value::str(humanize_duration(v)))
        }),
        "humanizePercentage" => fixed(&[Any], |_, a| {
            to_float(&a[0]).map(|v| Value::str(format!("{}%", g4(v * 100.0))))
        }),
        "humanizeTimestamp" => fixed(&[Any], |_, a| humanize_timestamp(to_float(&a[0])?)),
        "toTime" => fixed(&[Any], |_, a| {
            float_to_time(to_float(&a[0])?).map(Value::Time)
        }),
        "toDuration" => fixed(&[Any], |_, a| {
            float_to_duration(to_float(&a[0])?).map(Value::Duration)
        }),
        "parseDuration" => fixed(&[Str], |_, a| {
            parse_duration_ns(s(&a[0])).map(|ns| Value::Float(ns as f64 / 1e9))
        }),
        // The evaluation and the server.
        "now" => fixed(&[], |env, _| host_value(env, NOW)),
        "pathPrefix" => fixed(&[], |env, _| host_value(env, PATH_PREFIX)),
        "externalURL" => fixed(&[], |env, _| host_value(env, EXTERNAL_URL)),
        _ => return None,
    })
}

/// Go's `%.4g`.
fn g4(v: f64) -> String {
    sprintf("%.4g", &[Value::Float(v)])
}

/// `first`: the first sample of a query result.
fn first<'a>(v: &Value<'a>) -> R<Value<'a>> {
    match v {
        Value::Slice(_, items) => items
            .first()
            .cloned()
            .ok_or_else(|| "first() called on vector with no elements".to_string()),
        // A nil result is an empty one (the executor lets only lists and nil through).
        _ => Err("first() called on vector with no elements".into()),
    }
}

/// A field of a sample (Go dereferences a nil sample and fails).
fn sample_field<'a>(sample: &Value<'a>, name: &str) -> R<Value<'a>> {
    match sample {
        Value::Struct(st) => Ok(st.field(name).cloned().unwrap_or(Value::Nil)),
        _ => Err(NIL_POINTER.into()),
    }
}

/// A label of a sample, `""` when it has none.
fn sample_label<'a>(sample: &Value<'a>, name: &str) -> R<Value<'a>> {
    Ok(match sample_field(sample, "Labels")? {
        Value::StrMap(_, m) => Value::str(m.get(name).cloned().unwrap_or_default()),
        _ => Value::str(""),
    })
}

/// `sortByLabel`: the samples in a stable order of one label's values.
fn sort_by_label<'a>(label: &str, v: &Value<'a>) -> R<Value<'a>> {
    // The executor lets only query results and nil through; a nil result sorts as empty.
    let Value::Slice(_, items) = v else {
        return Ok(Value::Slice(&QUERY_RESULT_TYPE, Rc::new(Vec::new())));
    };
    let mut keyed: Vec<(String, Value<'a>)> = items
        .iter()
        .map(|item| {
            let key = match sample_label(item, label) {
                Ok(Value::Str(k)) => k.into_owned(),
                _ => String::new(),
            };
            (key, item.clone())
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let sorted = keyed.into_iter().map(|(_, v)| v).collect();
    Ok(Value::Slice(&QUERY_RESULT_TYPE, Rc::new(sorted)))
}

/// Go's message for a regular expression that does not compile.
fn regex_error(e: &regex::Error) -> String {
    let text = e.to_string();
    let why = text
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or(text.as_str());
    format!("error parsing regexp: {why}")
}

/// `reReplaceAll`: Go's `regexp.MustCompile(pattern).ReplaceAllString(text, repl)`, whose
/// panic on a bad pattern Go's template engine reports as the call's error.
fn re_replace_all(pattern: &str, repl: &str, text: &str) -> R<Value<'static>> {
    let re = compiled_regex(pattern).map_err(|e| {
        let shown = if can_backquote(pattern) {
            format!("`{pattern}`")
        } else {
            quote(pattern, '"', false)
        };
        format!("regexp: Compile({shown}): {}", regex_error(&e))
    })?;
    Ok(Value::str(re.replace_all(text, repl).into_owned()))
}

/// `graphLink` (tab 0) and `tableLink` (tab 1): the expression browser's relative link.
fn link(expr: &str, tab: u8) -> String {
    format!("/graph?g0.expr={}&g0.tab={tab}", query_escape(expr))
}

/// Go's `net.SplitHostPort`: the host and port of `host:port` or `[host]:port`.
fn split_host_port(hp: &str) -> Option<(&str, &str)> {
    let i = hp.rfind(':')?;
    let (host, from) = if let Some(rest) = hp.strip_prefix('[') {
        let end = rest.find(']')? + 1;
        // The `]` must be right before the last `:`.
        if end + 1 != i {
            return None;
        }
        (&hp[1..end], end + 1)
    } else {
        let host = &hp[..i];
        if host.contains(':') {
            return None;
        }
        (host, 0)
    };
    let brackets_ok =
        !hp[usize::from(hp.starts_with('['))..].contains('[') && !hp[from..].contains(']');
    brackets_ok.then_some((host, &hp[i + 1..]))
}

/// `stripPort`: the host of `host:port`, or the text as it is when it has no port.
fn strip_port(hp: &str) -> String {
    split_host_port(hp).map_or(hp, |(h, _)| h).to_string()
}

/// `stripDomain`: the first label of a host name, keeping the port; IP addresses as they are.
fn strip_domain(hp: &str) -> String {
    let (host, port) = split_host_port(hp).unwrap_or((hp, ""));
    if host.parse::<std::net::IpAddr>().is_ok() {
        return hp.to_string();
    }
    let short = host.split('.').next().unwrap_or("");
    match port {
        "" => short.to_string(),
        // Go's `JoinHostPort` brackets a host with a colon.
        _ if short.contains(':') => format!("[{short}]:{port}"),
        _ => format!("{short}:{port}"),
    }
}

/// Prometheus' `ConvertToFloat`: floats, numeric strings, ints and durations (in seconds).
fn to_float(v: &Value) -> R<f64> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Str(t) => parse_float_go(t),
        Value::Int(i) | Value::Int64(i) => Ok(*i as f64),
        Value::Duration(ns) => Ok((ns / 1_000_000_000) as f64 + (ns % 1_000_000_000) as f64 / 1e9),
        other => Err(format!("can't convert {} to float", other.type_name())),
    }
}

/// The metric prefixes `humanize` steps through, up and down.
const UP: [&str; 8] = ["k", "M", "G", "T", "P", "E", "Z", "Y"];
const DOWN: [&str; 8] = ["m", "u", "n", "p", "f", "a", "z", "y"];

/// Scales `v` by `base` while it is at least `base` (up) or below 1 (down), as far as the
/// prefixes go; returns the scaled value and the last prefix used.
fn scale(mut v: f64, base: f64, prefixes: &[&'static str], up: bool) -> (f64, &'static str) {
    let mut prefix = "";
    for p in prefixes {
        let done = if up { v.abs() < base } else { v.abs() >= 1.0 };
        if done {
            break;
        }
        prefix = p;
        v = if up { v / base } else { v * base };
    }
    (v, prefix)
}

/// `humanize`: metric prefixes in steps of 1000, four significant digits.
fn humanize(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return g4(v);
    }
    let (v, prefix) = if v.abs() >= 1.0 {
        scale(v, 1000.0, &UP, true)
    } else {
        scale(v, 1000.0, &DOWN, false)
    };
    format!("{}{prefix}", g4(v))
}

/// `humanize1024`: binary prefixes in steps of 1024, for magnitudes above 1.
fn humanize_1024(v: f64) -> String {
    if v.abs() <= 1.0 || !v.is_finite() {
        return g4(v);
    }
    let (v, prefix) = scale(
        v,
        1024.0,
        &["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"],
        true,
    );
    format!("{}{prefix}", g4(v))
}

/// `humanizeDuration`: seconds as `1d 2h 3m 4s` (whole seconds from a minute on), `1.5s`, or
/// with a prefix below a second (`100ms`).
fn humanize_duration(v: f64) -> String {
    if !v.is_finite() {
        return g4(v);
    }
    if v == 0.0 {
        return format!("{}s", g4(v));
    }
    if v.abs() >= 1.0 {
        let sign = if v < 0.0 { "-" } else { "" };
        let v = v.abs();
        // Go's conversion truncates and saturates alike.
        let d = v as i64;
        let (seconds, minutes, hours, days) = (d % 60, d / 60 % 60, d / 3600 % 24, d / 86400);
        return if days != 0 {
            format!("{sign}{days}d {hours}h {minutes}m {seconds}s")
        } else if hours != 0 {
            format!("{sign}{hours}h {minutes}m {seconds}s")
        } else if minutes != 0 {
            format!("{sign}{minutes}m {seconds}s")
        } else {
            format!("{sign}{}s", g4(v))
        };
    }
    let (v, prefix) = scale(v, 1000.0, &DOWN, false);
    format!("{}{prefix}s", g4(v))
}

/// Prometheus' `FloatToTime`: Unix seconds to a time in UTC, to the millisecond (the value
/// goes through `model.Time`), refusing what does not fit in int64 nanoseconds.
fn float_to_time(v: f64) -> R<GoTime> {
    if !v.is_finite() {
        return Err("value is NaN or Inf".into());
    }
    let ns = checked_nanos(v, "timestamp")?;
    let ms = ns / 1_000_000;
    Ok(GoTime::from_unix_nanos(ms * 1_000_000).in_zone(Zone::Utc))
}

/// `toDuration`: seconds to a `time.Duration`.
fn float_to_duration(v: f64) -> R<i64> {
    if !v.is_finite() {
        return Err("value is NaN or Inf".into());
    }
    checked_nanos(v, "duration")
}

/// `v` seconds in nanoseconds, or Prometheus' error when they overflow int64.
fn checked_nanos(v: f64, what: &str) -> R<i64> {
    let ns = v * 1e9;
    // 2^63 itself passes Go's check (it compares as floats) and wraps; as saturates here.
    if ns > i64::MAX as f64 || ns < i64::MIN as f64 {
        let shown = crate::gotmpl::print::sprint(&[Value::Float(v)]);
        return Err(format!(
            "{shown} cannot be represented as a nanoseconds {what} since it overflows int64"
        ));
    }
    Ok(ns as i64)
}

/// `humanizeTimestamp`: the time as Go prints it; NaN and infinities as numbers.
fn humanize_timestamp(v: f64) -> R<Value<'static>> {
    if !v.is_finite() {
        return Ok(Value::str(g4(v)));
    }
    Ok(Value::str(float_to_time(v)?.to_go_string()))
}

/// Prometheus' `model.ParseDuration` in nanoseconds: `0`, or `<n><unit>` groups with units
/// `y w d h m s ms`, largest first, each at most once.
fn parse_duration_ns(text: &str) -> R<i64> {
    const UNITS: [(&str, i64); 7] = [
        ("y", 365 * 86_400_000_000_000),
        ("w", 7 * 86_400_000_000_000),
        ("d", 86_400_000_000_000),
        ("h", 3_600_000_000_000),
        ("m", 60_000_000_000),
        ("s", 1_000_000_000),
        ("ms", 1_000_000),
    ];
    match text {
        "0" => return Ok(0),
        "" => return Err("empty duration string".into()),
        _ => {}
    }
    let invalid = || format!("not a valid duration string: {}", quote(text, '"', false));
    let mut rest = text;
    let mut total: i64 = 0;
    let mut last = None;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let n: u64 = rest[..digits].parse().map_err(|_| invalid())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        if unit.is_empty() {
            return Err(invalid());
        }
        let Some(pos) = UNITS.iter().position(|(u, _)| *u == unit) else {
            return Err(format!(
                "unknown unit {} in duration {}",
                quote(unit, '"', false),
                quote(text, '"', false)
            ));
        };
        if last.is_some_and(|l| pos <= l) {
            return Err(invalid());
        }
        last = Some(pos);
        let add = i64::try_from(n)
            .ok()
            .and_then(|n| n.checked_mul(UNITS[pos].1));
        total = add
            .and_then(|a| total.checked_add(a))
            .ok_or_else(|| "duration out of range".to_string())?;
    }
    Ok(total)
}
