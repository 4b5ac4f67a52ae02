//! Alertmanager's notification templates: Go templates run against a notification's data
//! (`.Receiver`, `.Status`, `.Alerts`, `.GroupLabels`, `.CommonLabels`,
//! `.CommonAnnotations`, `.ExternalURL`) with Alertmanager's types and their methods
//! (`.Alerts.Firing`, `.CommonLabels.SortedPairs`, `.Remove`, `.Names`, `.Values`) and its
//! function set (`toUpper`, `join`, `safeHtml`, `date`, `tz`, `toJson`...).
//!
//! A [`Templates`] is the set every field of an integration is expanded with: the default
//! definitions (`default.tmpl` beside this file: `__subject`, `slack.default.title`...), then
//! the configuration's `templates:` files in the order given (each glob's files sorted, as
//! Go's `filepath.Glob` returns them), so that a user's file may redefine a default name.
//! A field is parsed as a template of its own on a copy of the set and run, as
//! Alertmanager's `ExecuteTextString` does; an empty field is empty without parsing.

use super::alert::Status;
use super::data::{Data, NotifiedAlert};
use super::slack::Expand;
use crate::gotmpl::funcs::strings::{cases_title_lowering, trim_space};
use crate::gotmpl::funcs::{
    fixed, query_unescape, str_arg as s, time_arg, variadic, Func, FuncSet, Library, Ty,
};
use crate::gotmpl::time::zone::load_location;
use crate::gotmpl::time::GoTime;
use crate::gotmpl::{execute, GoStruct, GoType, ParseError, Set, Value};
use crate::rules::template::PROMETHEUS;
use std::collections::BTreeMap;
use std::path::Path;
use std::rc::Rc;
use std::sync::OnceLock;

/// The default definitions, parsed first.
const DEFAULT_TMPL: &str = include_str!("default.tmpl");

/// Alertmanager's `template.KV`: a label or annotation map with methods.
pub static KV: GoType = GoType {
    name: "template.KV",
    methods: kv_method,
};
/// `template.Pairs`, what `SortedPairs` returns.
static PAIRS: GoType = GoType {
    name: "template.Pairs",
    methods: pairs_method,
};
/// `template.Alerts`, the type of `.Alerts`.
static ALERTS: GoType = GoType {
    name: "template.Alerts",
    methods: alerts_method,
};
/// `[]template.Alert`, what `Firing` and `Resolved` return (no methods: Go's plain slice).
static ALERT_SLICE: GoType = GoType::plain("[]template.Alert");
/// `[]string`.
static STRINGS: GoType = GoType::plain(STRINGS_NAME);
const STRINGS_NAME: &str = "[]string";

const DATA_TYPE: &str = "*template.Data";
const ALERT_TYPE: &str = "template.Alert";
const PAIR_TYPE: &str = "template.Pair";

/// The templates of one configuration: the defaults and the user's files.
#[derive(Clone, Debug)]
pub struct Templates {
    set: Set,
}

impl Templates {
    /// The default definitions alone (a configuration without `templates:`).
    pub fn defaults() -> Templates {
        static DEFAULTS: OnceLock<Set> = OnceLock::new();
        let set = DEFAULTS.get_or_init(|| {
            let mut set = Set::new();
            // A test proves the defaults parse.
            let _ = set.parse("default.tmpl", DEFAULT_TMPL, functions());
            set
        });
        Templates { set: set.clone() }
    }

    /// The defaults, then every file the globs match, in order; a file is named by its base
    /// name, as Go's `ParseGlob` names it. A glob that matches nothing is no error (files may
    /// come later, as in Alertmanager); a bad glob, an unreadable file or one that does not
    /// parse is, naming the file.
    pub fn load(globs: &[String]) -> Result<Templates, String> {
        let mut t = Templates::defaults();
        for pattern in globs {
            let files = crate::glob::expand(Path::new(pattern))
                .map_err(|e| format!("templates: {pattern}: {e}"))?;
            for file in files {
                let text = std::fs::read_to_string(&file)
                    .map_err(|e| format!("templates: {}: {e}", file.display()))?;
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                t.set
                    .parse(&name, &text, functions())
                    .map_err(|e| format!("templates: {}: {e}", file.display()))?;
            }
        }
        Ok(t)
    }

    /// Whether `text` parses as a field's template with these definitions and functions.
    pub fn check(&self, text: &str) -> Result<(), ParseError> {
        if text.is_empty() {
            return Ok(());
        }
        self.set.clone().parse("", text, functions())
    }

    /// Expands one field's text against the notification data.
    pub fn execute_text(&self, text: &str, data: &Data) -> Result<String, String> {
        if text.is_empty() {
            return Ok(String::new());
        }
        let mut set = self.set.clone();
        set.parse("", text, functions())
            .map_err(|e| e.to_string())?;
        let mut out = String::new();
        execute(&set, "", functions(), data_value(data), &(), &mut out)
            .map_err(|e| e.to_string())?;
        Ok(out)
    }
}

impl Expand for Templates {
    fn expand(&self, field: &str, template: &str, data: &Data) -> Result<String, String> {
        self.execute_text(template, data)
            .map_err(|e| format!("{field}: {e}"))
    }
}

/// The functions of notification templates, built once: Alertmanager's `DefaultFuncs` and
/// Go's built-ins.
pub fn functions() -> &'static FuncSet {
    static SET: OnceLock<FuncSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set = FuncSet::new();
        // The same functions as Prometheus' alert templates have under these names.
        set.add_from(
            &PROMETHEUS,
            &[
                "toUpper",
                "toLower",
                "match",
                "safeHtml",
                "reReplaceAll",
                "humanizeDuration",
            ],
        );
        set.add_library(&ALERTMANAGER);
        set
    })
}

/// The functions of Alertmanager's own (or that differ from Prometheus' of the same name).
pub const ALERTMANAGER: Library = Library {
    names: &[
        "title",
        "trimSpace",
        "join",
        "safeUrl",
        "urlUnescape",
        "stringSlice",
        "date",
        "tz",
        "since",
        "toJson",
    ],
    lookup: alertmanager_function,
};

fn alertmanager_function(name: &str) -> Option<Func> {
    use Ty::*;
    Some(match name {
        // `cases.Title(language.AmericanEnglish)`: unlike Prometheus' `title`, the rest of
        // each word is lowered.
        "title" => fixed(&[Str], |_, a| {
            Ok(Value::str(cases_title_lowering(s(&a[0]))))
        }),
        "trimSpace" => fixed(&[Str], |_, a| Ok(trim_space(&a[0]))),
        // `strings.Join` with the separator first, for pipelines.
        "join" => fixed(&[Str, Slice(STRINGS_NAME)], |_, a| {
            let parts: Vec<&str> = list(&a[1]).iter().map(s).collect();
            Ok(Value::str(parts.join(s(&a[0]))))
        }),
        "safeUrl" => fixed(&[Str], |_, a| Ok(a[0].clone())),
        "urlUnescape" => fixed(&[Str], |_, a| query_unescape(s(&a[0])).map(Value::str)),
        "stringSlice" => variadic(&[], Str, |_, a| Ok(Value::Slice(&STRINGS, Rc::new(a)))),
        "date" => fixed(&[Str, Time], |_, a| {
            Ok(Value::str(time_arg(&a[1]).format(s(&a[0]))))
        }),
        "tz" => fixed(&[Str, Time], |_, a| {
            let zone = load_location(s(&a[0]))?;
            Ok(Value::Time(time_arg(&a[1]).in_zone(zone)))
        }),
        "since" => fixed(&[Time], |_, a| {
            let t = time_arg(&a[0]);
            let now = GoTime::now();
            let ns = (now.secs - t.secs)
                .saturating_mul(1_000_000_000)
                .saturating_add(i64::from(now.nanos) - i64::from(t.nanos));
            Ok(Value::Duration(ns))
        }),
        "toJson" => fixed(&[Any], |_, a| {
            let mut out = String::new();
            json(&a[0], &mut out);
            Ok(Value::str(out))
        }),
        _ => return None,
    })
}

/// The items of a slice argument.
fn list<'v, 'a>(v: &'v Value<'a>) -> &'v [Value<'a>] {
    match v {
        Value::Slice(_, items) | Value::List(items) => items,
        _ => &[],
    }
}

/// The map of a `template.KV` receiver.
fn kv_map<'v>(v: &'v Value) -> Option<&'v BTreeMap<String, String>> {
    match v {
        Value::StrMap(_, m) => Some(m),
        _ => None,
    }
}

fn kv_method(name: &str) -> Option<Func> {
    Some(match name {
        "SortedPairs" => fixed(&[], |_, a| Ok(sorted_pairs(&a[0]))),
        "Names" => fixed(&[], |_, a| Ok(pair_fields(&sorted_pairs(&a[0]), "Name"))),
        "Values" => fixed(&[], |_, a| Ok(pair_fields(&sorted_pairs(&a[0]), "Value"))),
        "String" => fixed(&[], |_, a| Ok(pairs_string(&sorted_pairs(&a[0])))),
        "Remove" => fixed(&[Ty::Slice(STRINGS_NAME)], |_, a| {
            let drop: Vec<&str> = list(&a[1]).iter().map(s).collect();
            let mut kept = kv_map(&a[0]).cloned().unwrap_or_default();
            kept.retain(|k, _| !drop.contains(&k.as_str()));
            Ok(Value::StrMap(&KV, Rc::new(kept)))
        }),
        _ => return None,
    })
}

fn pairs_method(name: &str) -> Option<Func> {
    Some(match name {
        "Names" => fixed(&[], |_, a| Ok(pair_fields(&a[0], "Name"))),
        "Values" => fixed(&[], |_, a| Ok(pair_fields(&a[0], "Value"))),
        "String" => fixed(&[], |_, a| Ok(pairs_string(&a[0]))),
        _ => return None,
    })
}

fn alerts_method(name: &str) -> Option<Func> {
    Some(match name {
        "Firing" => fixed(&[], |_, a| Ok(alerts_with_status(&a[0], Status::Firing))),
        "Resolved" => fixed(&[], |_, a| Ok(alerts_with_status(&a[0], Status::Resolved))),
        _ => return None,
    })
}

/// `SortedPairs`: `alertname` first, then the other names in byte order.
fn sorted_pairs<'a>(kv: &Value<'a>) -> Value<'a> {
    let empty = BTreeMap::new();
    let map = kv_map(kv).unwrap_or(&empty);
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by_key(|k| (k.as_str() != "alertname", k.as_str()));
    let pairs = keys
        .into_iter()
        .map(|k| {
            Value::Struct(Rc::new(GoStruct {
                type_name: PAIR_TYPE,
                fields: vec![
                    ("Name", Value::str(k.clone())),
                    ("Value", Value::str(map[k].clone())),
                ],
            }))
        })
        .collect();
    Value::Slice(&PAIRS, Rc::new(pairs))
}

/// The names or the values of pairs, as a `[]string`.
fn pair_fields<'a>(pairs: &Value<'a>, field: &str) -> Value<'a> {
    let items = list(pairs)
        .iter()
        .map(|p| match p {
            Value::Struct(st) => st.field(field).cloned().unwrap_or(Value::str("")),
            _ => Value::str(""),
        })
        .collect();
    Value::Slice(&STRINGS, Rc::new(items))
}

/// `Pairs.String`: `a=1, b=2`.
fn pairs_string<'a>(pairs: &Value<'a>) -> Value<'a> {
    let names = pair_fields(pairs, "Name");
    let values = pair_fields(pairs, "Value");
    let text: Vec<String> = list(&names)
        .iter()
        .zip(list(&values))
        .map(|(n, v)| format!("{}={}", s(n), s(v)))
        .collect();
    Value::str(text.join(", "))
}

fn alerts_with_status<'a>(alerts: &Value<'a>, status: Status) -> Value<'a> {
    let kept = list(alerts)
        .iter()
        .filter(|a| match a {
            Value::Struct(st) => {
                matches!(st.field("Status"), Some(Value::Str(x)) if x == status.as_str())
            }
            _ => false,
        })
        .cloned()
        .collect();
    Value::Slice(&ALERT_SLICE, Rc::new(kept))
}

/// A label or annotation map as a `template.KV`.
fn kv<'a, 'k>(pairs: impl Iterator<Item = (&'k str, &'k str)>) -> Value<'a> {
    let map: BTreeMap<String, String> =
        pairs.map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Value::StrMap(&KV, Rc::new(map))
}

/// A time in milliseconds since the epoch as Go's `time.Time` in UTC.
fn utc_time(ms: i64) -> GoTime {
    GoTime::from_unix_nanos(ms.saturating_mul(1_000_000))
        .in_zone(crate::gotmpl::time::zone::Zone::Utc)
}

fn alert_value(a: &NotifiedAlert) -> Value<'static> {
    let ends = a.ends_at.map_or_else(GoTime::zero, utc_time);
    Value::Struct(Rc::new(GoStruct {
        type_name: ALERT_TYPE,
        fields: vec![
            ("Status", Value::str(a.status.as_str())),
            ("Labels", kv(a.labels.iter())),
            (
                "Annotations",
                kv(a.annotations.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
            ),
            ("StartsAt", Value::Time(utc_time(a.starts_at))),
            ("EndsAt", Value::Time(ends)),
            ("GeneratorURL", Value::str(a.generator_url.clone())),
            ("Fingerprint", Value::str(format!("{:016x}", a.fingerprint))),
        ],
    }))
}

/// The notification data as the dot of a template (`*template.Data`).
pub fn data_value(d: &Data) -> Value<'static> {
    let map = |m: &super::alert::Annotations| kv(m.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let alerts = d.alerts.iter().map(alert_value).collect();
    Value::Struct(Rc::new(GoStruct {
        type_name: DATA_TYPE,
        fields: vec![
            ("Receiver", Value::str(d.receiver.clone())),
            ("Status", Value::str(d.status.as_str())),
            ("Alerts", Value::Slice(&ALERTS, Rc::new(alerts))),
            ("GroupLabels", map(&d.group_labels)),
            ("CommonLabels", map(&d.common_labels)),
            ("CommonAnnotations", map(&d.common_annotations)),
            ("ExternalURL", Value::str(d.external_url.clone())),
        ],
    }))
}

/// Go's `json.Marshal` of a template value: maps with sorted keys, Alertmanager's structs
/// with their JSON names (the Go name with a lower-case first letter; `Pair` has no tags),
/// times in RFC 3339 with nanoseconds, strings with Go's HTML-safe escapes.
fn json(v: &Value, out: &mut String) {
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n)
        | Value::Int64(n)
        | Value::Month(n)
        | Value::Weekday(n)
        | Value::Duration(n) => out.push_str(&n.to_string()),
        Value::Byte(n) => out.push_str(&n.to_string()),
        Value::Float(f) => out.push_str(&go_json_float(*f)),
        Value::Str(s) => json_string(s, out),
        Value::Time(t) => json_string(&t.format("2006-01-02T15:04:05.999999999Z07:00"), out),
        Value::List(items) | Value::Slice(_, items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json(item, out);
            }
            out.push(']');
        }
        Value::Map(_) | Value::Labels(_) | Value::StrMap(..) => {
            out.push('{');
            for (i, (k, item)) in v.map_entries().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(k, out);
                out.push(':');
                json(item, out);
            }
            out.push('}');
        }
        Value::Struct(st) => {
            let tagged = st.type_name != PAIR_TYPE;
            out.push('{');
            for (i, (name, item)) in st.fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let key = if tagged {
                    let mut c = name.chars();
                    c.next()
                        .map(|f| f.to_lowercase().chain(c).collect())
                        .unwrap_or_default()
                } else {
                    name.to_string()
                };
                json_string(&key, out);
                out.push(':');
                json(item, out);
            }
            out.push('}');
        }
    }
}

fn json_string(s: &str, out: &mut String) {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    out.push_str(&super::webhook::go_json_escape(&quoted));
}

/// A float as Go's encoder writes it: the shortest repr, in exponent form below 1e-6 and
/// from 1e21.
fn go_json_float(f: f64) -> String {
    if !f.is_finite() {
        // Go fails to marshal these; the template then prints the error. Printing null
        // keeps the message readable.
        return "null".to_string();
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format!("{f:e}");
        // Rust writes `1e21` and `1.5e-7`; Go writes `1e+21` and `1.5e-7`.
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        // Go writes at least two digits after `e+`, and drops the zero Rust never writes
        // after `e-` (`1e-07` becomes `1e-7`).
        match exp.strip_prefix('-') {
            Some(d) => format!("{mantissa}e-{d}"),
            None if exp.len() < 2 => format!("{mantissa}e+0{exp}"),
            None => format!("{mantissa}e+{exp}"),
        }
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
