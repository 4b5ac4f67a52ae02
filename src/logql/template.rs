//! LogQL's templates (`| line_format`, `| label_format`): Go templates run by
//! [`crate::gotmpl`] with the functions Loki registers (`pkg/logql/log/fmt.go`): Go's
//! built-ins, Loki's choice of sprig's functions, and Loki's own (`__line__`,
//! `__timestamp__`, `alignLeft`, `unixToTime`, Go's `strings` functions under their Go names
//! ...). The entry's line and time are offered to `__line__` and `__timestamp__` as host
//! values of each execution.

use super::{units, validate};
use crate::gotmpl::funcs::strings::{
    align, compiled_regex, go_lower, go_replace, go_upper, trim_prefix, trim_set, trim_space,
    trim_suffix,
};
use crate::gotmpl::funcs::{
    self, fixed, int_arg as int, query_escape, query_unescape, str_arg as s, time_arg as time, Env,
    Func, FuncSet, Host, Library, Ty, R,
};
use crate::gotmpl::strconv::quote;
use crate::gotmpl::time::zone::{load_location, Zone};
use crate::gotmpl::time::{parse_in_location, GoTime};
use crate::gotmpl::{Template, TemplateData, Value};
use regex::Regex;
use std::sync::OnceLock;

/// The sprig functions Loki's templates may call.
pub(super) const SPRIG_NAMES: &[&str] = &[
    "lower",
    "upper",
    "title",
    "trunc",
    "substr",
    "contains",
    "hasPrefix",
    "hasSuffix",
    "indent",
    "nindent",
    "replace",
    "repeat",
    "trim",
    "trimAll",
    "trimPrefix",
    "trimSuffix",
    "b64enc",
    "b64dec",
    "fromJson",
    "default",
    "date",
    "toDate",
    "now",
    "unixEpoch",
];

/// The sprig math and conversions Loki's templates may call.
pub(super) const MATH_NAMES: &[&str] = &[
    "add", "sub", "mul", "div", "mod", "addf", "subf", "mulf", "divf", "max", "min", "maxf",
    "minf", "ceil", "floor", "round", "int", "float64",
];

/// Loki's own functions.
pub(super) const LOKI: Library = Library {
    names: &[
        "__line__",
        "__timestamp__",
        "ToLower",
        "ToUpper",
        "Replace",
        "Trim",
        "TrimLeft",
        "TrimRight",
        "TrimPrefix",
        "TrimSuffix",
        "TrimSpace",
        "regexReplaceAll",
        "regexReplaceAllLiteral",
        "count",
        "urlencode",
        "urldecode",
        "bytes",
        "duration",
        "duration_seconds",
        "unixEpochMillis",
        "unixEpochNanos",
        "toDateInZone",
        "unixToTime",
        "alignLeft",
        "alignRight",
    ],
    lookup: loki_function,
};

/// The host values of an execution: the entry's line and time.
const LINE: &str = "line";
const TIMESTAMP: &str = "timestamp";

/// The functions of LogQL's templates, built once.
pub fn functions() -> &'static FuncSet {
    static SET: OnceLock<FuncSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set = FuncSet::new();
        // Every name is in its library: a test checks that none is missing.
        set.add_from(&funcs::SPRIG, SPRIG_NAMES);
        set.add_from(&funcs::MATH, MATH_NAMES);
        set.add_library(&LOKI);
        set
    })
}

/// Parses a `line_format` or `label_format` template.
pub fn parse(text: &str) -> Result<Template, String> {
    crate::gotmpl::parse(text, functions())
}

/// Renders a template for one entry into `out` (appending): `data` is the entry's labels,
/// `line` its line (`__line__`), `ts_ns` its time in Unix nanoseconds (`__timestamp__`). On
/// error `out` is left as it was.
pub fn render<'a>(
    t: &'a Template,
    data: &'a dyn TemplateData,
    line: &'a str,
    ts_ns: i64,
    out: &mut String,
) -> Result<(), String> {
    crate::gotmpl::render(t, functions(), data, &Entry { line, ts_ns }, out)
}

/// An entry as its template's host.
struct Entry<'a> {
    line: &'a str,
    ts_ns: i64,
}

impl<'a> Host<'a> for Entry<'a> {
    fn value(&self, name: &str) -> Option<Value<'a>> {
        match name {
            LINE => Some(Value::str(self.line)),
            TIMESTAMP => Some(Value::Time(GoTime::from_unix_nanos(self.ts_ns))),
            _ => None,
        }
    }
}

/// A host value of the entry, which every LogQL execution has.
fn entry_value<'a>(env: &Env<'a, '_>, name: &str) -> R<Value<'a>> {
    env.host_value(name)
        .ok_or_else(|| format!("no {name} in this template's execution"))
}

/// Loki's function named `name`.
fn loki_function(name: &str) -> Option<Func> {
    use Ty::*;
    Some(match name {
        // The entry.
        "__line__" => fixed(&[], |env, _| entry_value(env, LINE)),
        "__timestamp__" => fixed(&[], |env, _| entry_value(env, TIMESTAMP)),
        // Loki's: Go's `strings` functions under their Go names, subject first.
        "ToLower" => fixed(&[Str], |_, a| Ok(Value::str(go_lower(s(&a[0]))))),
        "ToUpper" => fixed(&[Str], |_, a| Ok(Value::str(go_upper(s(&a[0]))))),
        "Replace" => fixed(&[Str, Str, Str, Int], |_, a| {
            Ok(Value::str(go_replace(
                s(&a[0]),
                s(&a[1]),
                s(&a[2]),
                int(&a[3]),
            )))
        }),
        "Trim" => fixed(&[Str, Str], |_, a| Ok(trim_set(&a[0], &a[1], true, true))),
        "TrimLeft" => fixed(&[Str, Str], |_, a| Ok(trim_set(&a[0], &a[1], true, false))),
        "TrimRight" => fixed(&[Str, Str], |_, a| Ok(trim_set(&a[0], &a[1], false, true))),
        "TrimPrefix" => fixed(&[Str, Str], |_, a| Ok(trim_prefix(&a[0], &a[1]))),
        "TrimSuffix" => fixed(&[Str, Str], |_, a| Ok(trim_suffix(&a[0], &a[1]))),
        "TrimSpace" => fixed(&[Str], |_, a| Ok(trim_space(&a[0]))),
        // Loki's own.
        "regexReplaceAll" => fixed(&[Str, Str, Str], |_, a| {
            regex_replace(s(&a[0]), s(&a[1]), s(&a[2]), true)
        }),
        "regexReplaceAllLiteral" => fixed(&[Str, Str, Str], |_, a| {
            regex_replace(s(&a[0]), s(&a[1]), s(&a[2]), false)
        }),
        "count" => fixed(&[Str, Str], |_, a| {
            let re = compiled(s(&a[0]))?;
            Ok(Value::Int(re.find_iter(s(&a[1])).count() as i64))
        }),
        "urlencode" => fixed(&[Str], |_, a| Ok(Value::str(query_escape(s(&a[0]))))),
        "urldecode" => fixed(&[Str], |_, a| query_unescape(s(&a[0])).map(Value::str)),
        "bytes" => fixed(&[Str], |_, a| parse_bytes(s(&a[0])).map(Value::Float)),
        "duration" | "duration_seconds" => {
            fixed(&[Str], |_, a| duration_seconds(s(&a[0])).map(Value::Float))
        }
        "unixEpochMillis" => fixed(&[Time], |_, a| {
            Ok(Value::str(time(&a[0]).unix_milli().to_string()))
        }),
        "unixEpochNanos" => fixed(&[Time], |_, a| {
            Ok(Value::str(time(&a[0]).unix_nano().to_string()))
        }),
        "toDateInZone" => fixed(&[Str, Str, Str], |_, a| {
            let zone = load_location(s(&a[1])).unwrap_or(Zone::Utc);
            let t = parse_in_location(s(&a[0]), s(&a[2]), &zone).unwrap_or_else(|_| GoTime::zero());
            Ok(Value::Time(t))
        }),
        "unixToTime" => fixed(&[Str], |_, a| unix_to_time(s(&a[0])).map(Value::Time)),
        "alignLeft" => fixed(&[Int, Str], |_, a| align(int(&a[0]), &a[1], false)),
        "alignRight" => fixed(&[Int, Str], |_, a| align(int(&a[0]), &a[1], true)),
        _ => return None,
    })
}

/// A regular expression, compiled once per thread, with Go's wording for a bad one.
fn compiled(pattern: &str) -> R<Regex> {
    compiled_regex(pattern).map_err(|e| validate::regex_error(pattern, &e))
}

/// `regexReplaceAll` expands `$1`/`${name}` in the replacement; the literal form does not.
fn regex_replace(pattern: &str, s: &str, repl: &str, expand: bool) -> R<Value<'static>> {
    let re = compiled(pattern)?;
    let out = if expand {
        re.replace_all(s, repl)
    } else {
        re.replace_all(s, regex::NoExpand(repl))
    };
    Ok(Value::str(out.into_owned()))
}

/// go-humanize's `ParseBytes`: `3 kB`, `3MB`, `1.5KiB`, `2,048`.
fn parse_bytes(s: &str) -> R<f64> {
    units::humanize_bytes(s).map(|b| b as f64)
}

/// A Go duration (`3m10s`) in seconds.
fn duration_seconds(s: &str) -> R<f64> {
    let ns = units::parse_go_duration(s)
        .ok_or_else(|| format!("time: invalid duration {}", quote(s, '"', false)))?;
    let (secs, rest) = (ns / 1_000_000_000, ns % 1_000_000_000);
    Ok(secs as f64 + rest as f64 / 1e9)
}

/// Loki's `unixToTime`: the unit is told by the number of digits (5 days, 10 seconds, 13
/// milliseconds, 16 microseconds, 19 nanoseconds).
fn unix_to_time(epoch: &str) -> R<GoTime> {
    let digits = epoch.strip_prefix(['+', '-']).unwrap_or(epoch);
    let i: i64 = if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) {
        epoch.parse().map_err(|_| {
            format!("unable to parse time '{epoch}': strconv.ParseInt: parsing {epoch:?}: value out of range")
        })?
    } else {
        return Err(format!(
            "unable to parse time '{epoch}': strconv.ParseInt: parsing {epoch:?}: invalid syntax"
        ));
    };
    Ok(match epoch.len() {
        5 => GoTime::from_unix_secs(i.wrapping_mul(86_400)),
        10 => GoTime::from_unix_secs(i),
        13 => GoTime::from_unix_nanos(i.wrapping_mul(1_000_000)),
        16 => GoTime::from_unix_nanos(i.wrapping_mul(1000)),
        19 => GoTime::from_unix_nanos(i),
        _ => return Err(format!("unable to parse time '{epoch}': %!w(<nil>)")),
    })
}
