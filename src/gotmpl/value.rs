//! The dynamically typed values a template computes with, standing for the Go values Loki's
//! templates see: the label map, strings, Go `int` and `int64` (sprig's arithmetic returns
//! `int64`, Go's `len` returns `int`; Go keeps them apart when a function wants one), floats,
//! bools, `time.Time`, and the lists and maps `fromJson` makes.

use super::exec::TemplateData;
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
    /// `map[string]interface{}`.
    Map(Rc<BTreeMap<String, Value<'a>>>),
    /// The entry's labels, Loki's `map[string]string`.
    Labels(&'a dyn TemplateData),
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
            Value::Map(_) => "map[string]interface {}",
            Value::Labels(_) => "map[string]string",
        }
    }

    pub(crate) fn kind(&self) -> Kind {
        match self {
            Value::Bool(_) => Kind::Bool,
            Value::Int(_) | Value::Int64(_) | Value::Month(_) | Value::Weekday(_) => Kind::Int,
            Value::Byte(_) => Kind::Uint,
            Value::Float(_) => Kind::Float,
            Value::Str(_) => Kind::Str,
            _ => Kind::Other,
        }
    }

    /// The value of a signed integer kind.
    pub(crate) fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) | Value::Int64(n) | Value::Month(n) | Value::Weekday(n) => Some(*n),
            _ => None,
        }
    }

    /// Go's truth for `if`, `with`, `and`, `or` and `not`: not the zero value of its type
    /// (empty strings, lists and maps are false; times are always true).
    pub(crate) fn truth(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(n) | Value::Int64(n) | Value::Month(n) | Value::Weekday(n) => *n != 0,
            Value::Byte(n) => *n != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Time(_) => true,
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Labels(d) => !d.labels().is_empty(),
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
            Value::Month(m) => Some(name(&LONG_MONTHS, *m, 1, "Month")),
            Value::Weekday(d) => Some(name(&LONG_DAYS, *d, 0, "Weekday")),
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
