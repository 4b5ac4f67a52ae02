//! The dynamically typed values a template computes with, standing for the Go values Loki's
//! and Prometheus' templates see: label maps (borrowed, or owned `map[string]string`),
//! strings, Go `int` and `int64` (sprig's arithmetic returns `int64`, Go's `len` returns
//! `int`; Go keeps them apart when a function wants one), floats, bools, `time.Time`,
//! `time.Duration`, the lists and maps `fromJson` makes, and structs with named fields
//! (Prometheus' alert data and query samples).

use super::exec::TemplateData;
use super::funcs::{Env, Func};
use super::time::{GoTime, LONG_DAYS, LONG_MONTHS};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

#[derive(Clone)]
pub enum Value<'a> {
    /// Go's nil (an unset interface, a missing value).
    Nil,
    Bool(bool),
    /// Go `int`.
    Int(i64),
    /// Go `int64`.
    Int64(i64),
    /// Go `uint8`, what indexing a string gives.
    Byte(u8),
    Float(f64),
    Str(Cow<'a, str>),
    Time(GoTime),
    /// `time.Month` (1 to 12), an int that prints as its name.
    Month(i64),
    /// `time.Weekday` (0 is Sunday), an int that prints as its name.
    Weekday(i64),
    /// `[]interface{}`.
    List(Rc<Vec<Value<'a>>>),
    /// A slice type of the program's own (Prometheus' query results, Alertmanager's
    /// `template.Alerts`): a list with a Go type name and that type's methods.
    Slice(&'static GoType, Rc<Vec<Value<'a>>>),
    /// `map[string]interface{}`.
    Map(Rc<BTreeMap<String, Value<'a>>>),
    /// The entry's labels, Loki's `map[string]string`.
    Labels(&'a dyn TemplateData),
    /// An owned `map[string]string` (Prometheus' label sets, [`STRING_MAP`]), or a map
    /// type of the program's own with methods (Alertmanager's `template.KV`).
    StrMap(&'static GoType, Rc<BTreeMap<String, String>>),
    /// `time.Duration`, in nanoseconds: an int that prints as `1h2m3s`.
    Duration(i64),
    /// A struct (or a pointer to one): fields by name, printed `{a b}`.
    Struct(Rc<GoStruct<'a>>),
}

/// A named Go type of the program's own: its name as Go prints it (`%T`, error messages,
/// parameter checks) and its methods. Methods travel with the value, as in Go: the
/// executor finds them by name, and a `String` method of no arguments is what printing
/// uses, as Go's `fmt` uses a `Stringer`.
pub struct GoType {
    pub name: &'static str,
    /// The method called `name`; its implementation takes the receiver first.
    pub methods: fn(&str) -> Option<Func>,
}

impl GoType {
    /// A type without methods.
    pub const fn plain(name: &'static str) -> GoType {
        GoType {
            name,
            methods: no_methods,
        }
    }
}

fn no_methods(_: &str) -> Option<Func> {
    None
}

/// Go's `map[string]string`.
pub static STRING_MAP: GoType = GoType::plain("map[string]string");

/// A Go struct value: its type as Go prints it (`*template.sample`, `struct { Labels ... }`)
/// and its fields in order. A type starting with `*` is a pointer to the struct: `%v` prints
/// it `&{...}`, while an action follows the pointer and prints `{...}`, as Go does.
#[derive(Clone, Debug)]
pub struct GoStruct<'a> {
    pub type_name: &'static str,
    pub fields: Vec<(&'static str, Value<'a>)>,
}

impl<'a> GoStruct<'a> {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&Value<'a>> {
        self.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The struct as an action prints it: `{f1 f2 ...}`, each field with `%v`.
    pub(crate) fn print_pointee(&self) -> String {
        let fields: Vec<Value> = self.fields.iter().map(|(_, v)| v.clone()).collect();
        let mut out = String::from("{");
        for (i, v) in fields.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            match v {
                Value::Nil => out.push_str("<nil>"),
                v => out.push_str(&super::print::sprint(std::slice::from_ref(v))),
            }
        }
        out.push('}');
        out
    }
}

/// The comparison classes of Go's `eq`/`lt` (`basicKind` in text/template).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Bool,
    Int,
    Uint,
    Float,
    Str,
    /// Anything else: nil, times, lists, maps.
    Other,
}

impl<'a> Value<'a> {
    pub(crate) fn str(s: impl Into<Cow<'a, str>>) -> Value<'a> {
        Value::Str(s.into())
    }

    /// The Go type name, as Go's error messages and `%T` print it.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Byte(_) => "uint8",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::Time(_) => "time.Time",
            Value::Month(_) => "time.Month",
            Value::Weekday(_) => "time.Weekday",
            Value::List(_) => "[]interface {}",
            Value::Slice(t, _) | Value::StrMap(t, _) => t.name,
            Value::Map(_) => "map[string]interface {}",
            Value::Labels(_) => "map[string]string",
            Value::Duration(_) => "time.Duration",
            Value::Struct(s) => s.type_name,
        }
    }

    pub(crate) fn kind(&self) -> Kind {
        match self {
            Value::Bool(_) => Kind::Bool,
            Value::Int(_)
            | Value::Int64(_)
            | Value::Month(_)
            | Value::Weekday(_)
            | Value::Duration(_) => Kind::Int,
            Value::Byte(_) => Kind::Uint,
            Value::Float(_) => Kind::Float,
            Value::Str(_) => Kind::Str,
            _ => Kind::Other,
        }
    }

    /// The value of a signed integer kind.
    pub(crate) fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n)
            | Value::Int64(n)
            | Value::Month(n)
            | Value::Weekday(n)
            | Value::Duration(n) => Some(*n),
            _ => None,
        }
    }

    /// Go's truth for `if`, `with`, `and`, `or` and `not`: not the zero value of its type
    /// (empty strings, lists and maps are false; times and structs are always true).
    pub(crate) fn truth(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(n)
            | Value::Int64(n)
            | Value::Month(n)
            | Value::Weekday(n)
            | Value::Duration(n) => *n != 0,
            Value::Byte(n) => *n != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Time(_) => true,
            Value::List(l) | Value::Slice(_, l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Labels(d) => !d.labels().is_empty(),
            Value::StrMap(_, m) => !m.is_empty(),
            Value::Struct(_) => true,
        }
    }

    /// The name a `time.Month` or `time.Weekday` prints as (Go's `String` method).
    pub(crate) fn stringer(&self) -> Option<Cow<'static, str>> {
        let name = |names: &[&'static str], n: i64, first: i64, kind: &str| {
            usize::try_from(n - first)
                .ok()
                .and_then(|i| names.get(i))
                .map_or_else(
                    || Cow::Owned(format!("%!{kind}({n})")),
                    |s| Cow::Borrowed(*s),
                )
        };
        match self {
            Value::Time(t) => Some(Cow::Owned(t.to_go_string())),
            Value::Duration(d) => Some(Cow::Owned(duration_string(*d))),
            Value::Month(m) => Some(name(&LONG_MONTHS, *m, 1, "Month")),
            Value::Weekday(d) => Some(name(&LONG_DAYS, *d, 0, "Weekday")),
            Value::Slice(t, _) | Value::StrMap(t, _) => {
                let string = (t.methods)("String").filter(|f| f.fixed.is_empty())?;
                let env = Env { host: &() };
                match (string.call)(&env, vec![self.clone()]) {
                    Ok(Value::Str(s)) => Some(Cow::Owned(s.into_owned())),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The entries of a map value, sorted by key (the order Go prints and ranges maps in).
    pub(crate) fn map_entries(&self) -> Vec<(Cow<'a, str>, Value<'a>)> {
        match self {
            Value::Map(m) => m
                .iter()
                .map(|(k, v)| (Cow::Owned(k.clone()), v.clone()))
                .collect(),
            Value::StrMap(_, m) => m
                .iter()
                .map(|(k, v)| (Cow::Owned(k.clone()), Value::str(v.clone())))
                .collect(),
            Value::Labels(d) => {
                let mut labels = d.labels();
                labels.sort_unstable_by(|a, b| a.0.cmp(b.0));
                labels
                    .into_iter()
                    .map(|(k, v)| (Cow::Borrowed(k), Value::str(v)))
                    .collect()
            }
            _ => Vec::new(),
        }
    }
}

impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}({})",
            self.type_name(),
            super::print::sprint(std::slice::from_ref(self))
        )
    }
}

/// Go's `time.Duration.String`: `1h2m3.5s`, `1.5ms`, `0s`; minutes and hours only when they
/// are not zero, seconds with as many decimals as they need.
pub(crate) fn duration_string(d: i64) -> String {
    if d == 0 {
        return "0s".into();
    }
    let sign = if d < 0 { "-" } else { "" };
    let u = d.unsigned_abs();
    if u < 1_000_000_000 {
        // Under a second: the largest unit that is not above it, with decimals.
        let (unit, scale) = match u {
            0..=999 => ("ns", 1),
            1_000..=999_999 => ("\u{b5}s", 1_000),
            _ => ("ms", 1_000_000),
        };
        return format!("{sign}{}{unit}", decimal(u, scale));
    }
    let secs = u / 1_000_000_000;
    let frac = u % 1_000_000_000;
    let seconds = decimal((secs % 60) * 1_000_000_000 + frac, 1_000_000_000);
    let (minutes, hours) = ((secs / 60) % 60, secs / 3600);
    match (hours, minutes) {
        (0, 0) => format!("{sign}{seconds}s"),
        (0, m) => format!("{sign}{m}m{seconds}s"),
        (h, m) => format!("{sign}{h}h{m}m{seconds}s"),
    }
}

/// `n / scale` with the decimals it needs (none when it is whole).
fn decimal(n: u64, scale: u64) -> String {
    let (int, frac) = (n / scale, n % scale);
    if frac == 0 {
        return int.to_string();
    }
    let width = scale.ilog10() as usize;
    let digits = format!("{frac:0width$}");
    format!("{int}.{}", digits.trim_end_matches('0'))
}
