//! The functions a `line_format`/`label_format` template may call, with Loki's argument
//! conventions: Go's built-ins (`eq`, `len`, `index`, `printf`...), sprig's functions that
//! Loki lists (the subject last: `replace old new src`, `trunc n s`, `default def val`), Loki's
//! own (`regexReplaceAll regex s repl`, `bytes`, `duration`, `unixToTime`, `alignLeft`...), and
//! `__line__`/`__timestamp__`. Each has the parameter types of its Go signature, which the
//! executor checks as Go's reflection does; the methods templates can call on times are here
//! too.

use super::exec::Ctx;
use super::math::{self as math, DecOp};
use super::print::{is_print, sprint, sprintf, sprintln};
use super::time::{parse_in_location, GoTime};
use super::value::{Kind, Value};
use super::zone::{load_location, local, Zone};
use regex::Regex;
use std::borrow::Cow;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

/// A Go parameter type, as far as argument checking tells them apart.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Ty {
    /// `interface{}` or `reflect.Value`: anything, nil included.
    Any,
    Str,
    Int,
    Float,
    Time,
    /// `time.Duration`: only integer literals fit.
    Duration,
}

impl Ty {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Ty::Any => "interface {}",
            Ty::Str => "string",
            Ty::Int => "int",
            Ty::Float => "float64",
            Ty::Time => "time.Time",
            Ty::Duration => "time.Duration",
        }
    }
}

type R<T> = Result<T, String>;

/// A function's implementation: its arguments, checked against its signature (a method's
/// receiver first).
pub(crate) type Imp = for<'a> fn(&Ctx<'a>, Vec<Value<'a>>) -> R<Value<'a>>;

#[derive(Clone, Copy)]
pub(crate) struct Func {
    pub fixed: &'static [Ty],
    pub variadic: Option<Ty>,
    pub call: Imp,
}

const fn fixed(params: &'static [Ty], call: Imp) -> Func {
    Func {
        fixed: params,
        variadic: None,
        call,
    }
}

const fn variadic(params: &'static [Ty], rest: Ty, call: Imp) -> Func {
    Func {
        fixed: params,
        variadic: Some(rest),
        call,
    }
}

/// The function named `name` (`and`, `or` and `call` are the executor's).
pub(crate) fn function(name: &str) -> Option<Func> {
    use Ty::*;
    Some(match name {
        // Go's built-ins.
        "not" => fixed(&[Any], |_, a| Ok(Value::Bool(!a[0].truth()))),
        "eq" => variadic(&[Any], Any, |_, a| eq(&a[0], &a[1..]).map(Value::Bool)),
        "ne" => fixed(&[Any, Any], |_, a| {
            eq(&a[0], &a[1..]).map(|e| Value::Bool(!e))
        }),
        "lt" => fixed(&[Any, Any], |_, a| lt(&a[0], &a[1]).map(Value::Bool)),
        "le" => fixed(&[Any, Any], |_, a| le(&a[0], &a[1]).map(Value::Bool)),
        "gt" => fixed(&[Any, Any], |_, a| {
            le(&a[0], &a[1]).map(|b| Value::Bool(!b))
        }),
        "ge" => fixed(&[Any, Any], |_, a| {
            lt(&a[0], &a[1]).map(|b| Value::Bool(!b))
        }),
        "len" => fixed(&[Any], |_, a| length(&a[0]).map(Value::Int)),
        "index" => variadic(&[Any], Any, index),
        "slice" => variadic(&[Any], Any, slice),
        "print" => variadic(&[], Any, |_, a| Ok(Value::str(sprint(&a)))),
        "println" => variadic(&[], Any, |_, a| Ok(Value::str(sprintln(&a)))),
        "printf" => variadic(&[Str], Any, |_, a| {
            Ok(Value::str(sprintf(s(&a[0]), &a[1..])))
        }),
        "html" => variadic(&[], Any, |_, a| Ok(Value::str(html_escape(&eval_args(a))))),
        "js" => variadic(&[], Any, |_, a| Ok(Value::str(js_escape(&eval_args(a))))),
        "urlquery" => variadic(&[], Any, |_, a| Ok(Value::str(query_escape(&eval_args(a))))),
        // The entry.
        "__line__" => fixed(&[], |ctx, _| Ok(Value::str(ctx.line))),
        "__timestamp__" => fixed(&[], |ctx, _| {
            Ok(Value::Time(GoTime::from_unix_nanos(ctx.ts_ns)))
        }),
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
        // sprig's strings, subject last.
        "b64enc" => fixed(&[Str], |_, a| {
            Ok(Value::str(base64_encode(s(&a[0]).as_bytes())))
        }),
        "b64dec" => fixed(&[Str], |_, a| Ok(Value::str(base64_decode(s(&a[0]))))),
        "lower" => fixed(&[Str], |_, a| Ok(Value::str(go_lower(s(&a[0]))))),
        "upper" => fixed(&[Str], |_, a| Ok(Value::str(go_upper(s(&a[0]))))),
        "title" => fixed(&[Str], |_, a| Ok(Value::str(go_title(s(&a[0]))))),
        "trunc" => fixed(&[Int, Str], |_, a| Ok(trunc(int(&a[0]), s(&a[1])))),
        "substr" => fixed(&[Int, Int, Str], |_, a| {
            substr(int(&a[0]), int(&a[1]), s(&a[2]))
        }),
        "contains" => fixed(&[Str, Str], |_, a| {
            Ok(Value::Bool(s(&a[1]).contains(s(&a[0]))))
        }),
        "hasPrefix" => fixed(&[Str, Str], |_, a| {
            Ok(Value::Bool(s(&a[1]).starts_with(s(&a[0]))))
        }),
        "hasSuffix" => fixed(&[Str, Str], |_, a| {
            Ok(Value::Bool(s(&a[1]).ends_with(s(&a[0]))))
        }),
        "indent" => fixed(&[Int, Str], |_, a| {
            indent(int(&a[0]), s(&a[1])).map(Value::str)
        }),
        "nindent" => fixed(&[Int, Str], |_, a| {
            indent(int(&a[0]), s(&a[1])).map(|t| Value::str(format!("\n{t}")))
        }),
        "replace" => fixed(&[Str, Str, Str], |_, a| {
            Ok(Value::str(go_replace(s(&a[2]), s(&a[0]), s(&a[1]), -1)))
        }),
        "repeat" => fixed(&[Int, Str], |_, a| {
            repeat(s(&a[1]), int(&a[0])).map(Value::str)
        }),
        "trim" => fixed(&[Str], |_, a| Ok(trim_space(&a[0]))),
        "trimAll" => fixed(&[Str, Str], |_, a| Ok(trim_set(&a[1], &a[0], true, true))),
        "trimPrefix" => fixed(&[Str, Str], |_, a| Ok(trim_prefix(&a[1], &a[0]))),
        "trimSuffix" => fixed(&[Str, Str], |_, a| Ok(trim_suffix(&a[1], &a[0]))),
        // sprig's conversions and math.
        "int" => fixed(&[Any], |_, a| Ok(Value::Int(math::to_int64(&a[0])))),
        "float64" => fixed(&[Any], |_, a| Ok(Value::Float(math::to_float64(&a[0])))),
        "add" => variadic(&[], Any, |_, a| Ok(Value::Int64(math::add(&a)))),
        "sub" => fixed(&[Any, Any], |_, a| {
            Ok(Value::Int64(math::sub(&a[0], &a[1])))
        }),
        "mul" => variadic(&[Any], Any, |_, a| Ok(Value::Int64(math::mul(&a)))),
        "div" => fixed(&[Any, Any], |_, a| {
            math::div(&a[0], &a[1]).map(Value::Int64)
        }),
        "mod" => fixed(&[Any, Any], |_, a| {
            math::modulo(&a[0], &a[1]).map(Value::Int64)
        }),
        "max" => variadic(&[Any], Any, |_, a| {
            Ok(Value::Int64(math::extreme(&a, Ordering::Greater)))
        }),
        "min" => variadic(&[Any], Any, |_, a| {
            Ok(Value::Int64(math::extreme(&a, Ordering::Less)))
        }),
        "addf" => variadic(&[], Any, |_, a| {
            math::decimal_op(&Value::Float(0.0), &a, DecOp::Add).map(Value::Float)
        }),
        "subf" => variadic(&[Any], Any, |_, a| decimal(&a, DecOp::Sub)),
        "mulf" => variadic(&[Any], Any, |_, a| decimal(&a, DecOp::Mul)),
        "divf" => variadic(&[Any], Any, |_, a| decimal(&a, DecOp::Div)),
        "maxf" => variadic(&[Any], Any, |_, a| Ok(float_fold(&a, math::go_max))),
        "minf" => variadic(&[Any], Any, |_, a| Ok(float_fold(&a, math::go_min))),
        "ceil" => fixed(&[Any], |_, a| {
            Ok(Value::Float(math::to_float64(&a[0]).ceil()))
        }),
        "floor" => fixed(&[Any], |_, a| {
            Ok(Value::Float(math::to_float64(&a[0]).floor()))
        }),
        "round" => variadic(&[Any, Int], Float, |_, a| {
            let half = a.get(2).map(float);
            Ok(Value::Float(math::round(&a[0], int(&a[1]), half)))
        }),
        "fromJson" => fixed(&[Str], |_, a| Ok(from_json(s(&a[0])))),
        "default" => variadic(&[Any], Any, |_, mut a| {
            let given = a.get(1).filter(|g| !empty(g)).cloned();
            Ok(given.unwrap_or_else(|| a.swap_remove(0)))
        }),
        // sprig's dates.
        "date" => fixed(&[Str, Any], |_, a| {
            Ok(Value::str(
                date_value(&a[1]).in_zone(local()).format(s(&a[0])),
            ))
        }),
        "toDate" => fixed(&[Str, Str], |_, a| {
            let t =
                parse_in_location(s(&a[0]), s(&a[1]), &local()).unwrap_or_else(|_| GoTime::zero());
            Ok(Value::Time(t))
        }),
        "now" => fixed(&[], |_, _| Ok(Value::Time(GoTime::now()))),
        "unixEpoch" => fixed(&[Time], |_, a| Ok(Value::str(time(&a[0]).secs.to_string()))),
        _ => return None,
    })
}

/// The method `name` of a value (times, and the names of months and weekdays).
pub(crate) fn method(recv: &Value, name: &str) -> Option<Func> {
    use Ty::*;
    let m = match (recv, name) {
        (Value::Month(_) | Value::Weekday(_), "String") => fixed(&[], |_, a| {
            Ok(Value::str(a[0].stringer().unwrap_or_default().into_owned()))
        }),
        (Value::Time(_), _) => match name {
            "Unix" => fixed(&[], |_, a| Ok(Value::Int64(time(&a[0]).secs))),
            "UnixMilli" => fixed(&[], |_, a| Ok(Value::Int64(time(&a[0]).unix_milli()))),
            "UnixMicro" => fixed(&[], |_, a| Ok(Value::Int64(time(&a[0]).unix_micro()))),
            "UnixNano" => fixed(&[], |_, a| Ok(Value::Int64(time(&a[0]).unix_nano()))),
            "Format" => fixed(&[Str], |_, a| Ok(Value::str(time(&a[0]).format(s(&a[1]))))),
            "String" => fixed(&[], |_, a| Ok(Value::str(time(&a[0]).to_go_string()))),
            "Year" => fixed(&[], |_, a| Ok(Value::Int(time(&a[0]).year()))),
            "Month" => fixed(&[], |_, a| Ok(Value::Month(time(&a[0]).month()))),
            "Day" => fixed(&[], |_, a| Ok(Value::Int(time(&a[0]).day()))),
            "YearDay" => fixed(&[], |_, a| Ok(Value::Int(time(&a[0]).year_day()))),
            "Weekday" => fixed(&[], |_, a| Ok(Value::Weekday(time(&a[0]).weekday()))),
            "Hour" => fixed(&[], |_, a| Ok(Value::Int(time(&a[0]).hour()))),
            "Minute" => fixed(&[], |_, a| Ok(Value::Int(time(&a[0]).minute()))),
            "Second" => fixed(&[], |_, a| Ok(Value::Int(time(&a[0]).second()))),
            "Nanosecond" => fixed(&[], |_, a| Ok(Value::Int(i64::from(time(&a[0]).nanos)))),
            "UTC" => fixed(&[], |_, a| Ok(Value::Time(time(&a[0]).in_zone(Zone::Utc)))),
            "Local" => fixed(&[], |_, a| Ok(Value::Time(time(&a[0]).in_zone(local())))),
            "IsZero" => fixed(&[], |_, a| Ok(Value::Bool(time(&a[0]).is_zero()))),
            "Add" => fixed(&[Duration], |_, a| {
                let d = a[1].as_int().unwrap_or(0);
                Ok(Value::Time(time(&a[0]).add_nanos(d)))
            }),
            "AddDate" => fixed(&[Int, Int, Int], |_, a| {
                let t = time(&a[0]).add_date(int(&a[1]), int(&a[2]), int(&a[3]));
                Ok(Value::Time(t))
            }),
            "Before" | "After" | "Equal" => return Some(compare_times(name)),
            _ => return None,
        },
        _ => return None,
    };
    Some(m)
}

/// A time as a comparable instant (Go's `Before`/`After`/`Equal` ignore the location).
fn instant(v: &Value) -> (i64, u32) {
    let t = time(v);
    (t.secs, t.nanos)
}

fn compare_times(name: &str) -> Func {
    match name {
        "Before" => fixed(&[Ty::Time], |_, a| {
            Ok(Value::Bool(instant(&a[0]) < instant(&a[1])))
        }),
        "After" => fixed(&[Ty::Time], |_, a| {
            Ok(Value::Bool(instant(&a[0]) > instant(&a[1])))
        }),
        _ => fixed(&[Ty::Time], |_, a| {
            Ok(Value::Bool(instant(&a[0]) == instant(&a[1])))
        }),
    }
}

// Accessors for arguments already checked against the signature.

fn s<'v>(v: &'v Value) -> &'v str {
    match v {
        Value::Str(s) => s,
        _ => "",
    }
}

fn int(v: &Value) -> i64 {
    v.as_int().unwrap_or(0)
}

fn float(v: &Value) -> f64 {
    match v {
        Value::Float(f) => *f,
        _ => 0.0,
    }
}

fn time(v: &Value) -> GoTime {
    match v {
        Value::Time(t) => t.clone(),
        _ => GoTime::zero(),
    }
}

// Comparison (Go's `eq`, `lt`, `le`).

/// `eq a b c...`: a equals any of the others. Values of basic kinds compare within their kind
/// (an int and a uint compare by value; an int and a float do not compare); nil equals nil.
fn eq(a: &Value, others: &[Value]) -> R<bool> {
    if others.is_empty() {
        return Err("missing argument for comparison".into());
    }
    for b in others {
        if eq_one(a, b)? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn eq_one(a: &Value, b: &Value) -> R<bool> {
    let (k1, k2) = (a.kind(), b.kind());
    if k1 != k2 {
        return match (k1, k2) {
            (Kind::Int, Kind::Uint) | (Kind::Uint, Kind::Int) => {
                Ok(int_uint_cmp(a, b) == Some(Ordering::Equal))
            }
            _ if matches!(a, Value::Nil) || matches!(b, Value::Nil) => Ok(false),
            _ => Err("incompatible types for comparison".into()),
        };
    }
    Ok(match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Byte(x), Value::Byte(y)) => x == y,
        _ if k1 == Kind::Int => a.as_int() == b.as_int(),
        (Value::Nil, _) | (_, Value::Nil) => matches!((a, b), (Value::Nil, Value::Nil)),
        (Value::Time(x), Value::Time(y)) => x.identical(y),
        _ if std::mem::discriminant(a) == std::mem::discriminant(b)
            || matches!(
                (a, b),
                (Value::Map(_), Value::Labels(_)) | (Value::Labels(_), Value::Map(_))
            ) =>
        {
            return Err(format!(
                "non-comparable type {}: {}",
                sprint(std::slice::from_ref(b)),
                b.type_name()
            ))
        }
        _ => {
            return Err(format!(
                "non-comparable types {}: {}, {}: {}",
                sprint(std::slice::from_ref(a)),
                a.type_name(),
                b.type_name(),
                sprint(std::slice::from_ref(b))
            ))
        }
    })
}

/// Orders a signed and an unsigned integer by value.
fn int_uint_cmp(a: &Value, b: &Value) -> Option<Ordering> {
    let wide = |v: &Value| match v {
        Value::Byte(u) => Some(i128::from(*u)),
        other => other.as_int().map(i128::from),
    };
    Some(wide(a)?.cmp(&wide(b)?))
}

fn lt(a: &Value, b: &Value) -> R<bool> {
    let (k1, k2) = (a.kind(), b.kind());
    if k1 == Kind::Other || k2 == Kind::Other {
        return Err("invalid type for comparison".into());
    }
    if k1 != k2 {
        return match (k1, k2) {
            (Kind::Int, Kind::Uint) | (Kind::Uint, Kind::Int) => {
                Ok(int_uint_cmp(a, b) == Some(Ordering::Less))
            }
            _ => Err("incompatible types for comparison".into()),
        };
    }
    Ok(match (a, b) {
        (Value::Float(x), Value::Float(y)) => x < y,
        (Value::Str(x), Value::Str(y)) => x < y,
        (Value::Byte(x), Value::Byte(y)) => x < y,
        _ if k1 == Kind::Int => a.as_int() < b.as_int(),
        _ => return Err("invalid type for comparison".into()),
    })
}

fn le(a: &Value, b: &Value) -> R<bool> {
    Ok(lt(a, b)? || eq(a, std::slice::from_ref(b))?)
}

// Go's `len`, `index` and `slice`.

fn length(v: &Value) -> R<i64> {
    match v {
        Value::Str(s) => Ok(s.len() as i64),
        Value::List(l) => Ok(l.len() as i64),
        Value::Map(m) => Ok(m.len() as i64),
        Value::Labels(d) => Ok(d.labels().len() as i64),
        Value::Nil => Err("reflect: call of reflect.Value.Type on zero Value".into()),
        other => Err(format!("len of type {}", other.type_name())),
    }
}

/// An index into a string or list of length `cap`.
fn index_arg(v: &Value, cap: usize) -> R<usize> {
    let x = match v {
        Value::Byte(b) => i64::from(*b),
        Value::Nil => return Err("cannot index slice/array with nil".into()),
        other => other
            .as_int()
            .ok_or_else(|| format!("cannot index slice/array with type {}", other.type_name()))?,
    };
    if x < 0 || x as u64 > cap as u64 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

/// A key of a string-keyed map.
fn map_key<'v>(v: &'v Value) -> R<&'v str> {
    match v {
        Value::Str(s) => Ok(s),
        Value::Nil => Err("value is nil; should be of type string".into()),
        other => Err(format!(
            "value has type {}; should be string",
            other.type_name()
        )),
    }
}

/// `index x 1 2` is `x[1][2]`; a missing map key gives the map's zero value.
fn index<'a>(_: &Ctx<'a>, args: Vec<Value<'a>>) -> R<Value<'a>> {
    let mut args = args.into_iter();
    let mut item = args.next().unwrap_or(Value::Nil);
    if matches!(item, Value::Nil) {
        return Err("index of untyped nil".into());
    }
    for idx in args {
        item = match item {
            Value::Nil => return Err("index of nil pointer".into()),
            Value::Str(s) => {
                let x = index_arg(&idx, s.len())?;
                let b = s
                    .as_bytes()
                    .get(x)
                    .ok_or("reflect: string index out of range")?;
                Value::Byte(*b)
            }
            Value::List(l) => {
                let x = index_arg(&idx, l.len())?;
                l.get(x)
                    .cloned()
                    .ok_or("reflect: slice index out of range")?
            }
            Value::Map(m) => m.get(map_key(&idx)?).cloned().unwrap_or(Value::Nil),
            Value::Labels(d) => Value::str(d.label(map_key(&idx)?).unwrap_or("")),
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

/// `slice x 1 2` is `x[1:2]`, of a string (in bytes) or a list.
fn slice<'a>(_: &Ctx<'a>, args: Vec<Value<'a>>) -> R<Value<'a>> {
    let (item, indexes) = args.split_first().expect("slice has an item");
    if matches!(item, Value::Nil) {
        return Err("slice of untyped nil".into());
    }
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let len = match item {
        Value::Str(_) if indexes.len() == 3 => return Err("cannot 3-index slice a string".into()),
        Value::Str(s) => s.len(),
        Value::List(l) => l.len(),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut idx = [0, len, len];
    for (i, v) in indexes.iter().enumerate() {
        idx[i] = index_arg(v, len)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(format!("invalid slice index: {} > {}", idx[1], idx[2]));
    }
    Ok(match item {
        Value::Str(s) => Value::str(bytes_to_string(&s.as_bytes()[idx[0]..idx[1]])),
        Value::List(l) => Value::List(Rc::new(l[idx[0]..idx[1]].to_vec())),
        _ => unreachable!("checked above"),
    })
}

/// Bytes cut out of a string; a cut inside a character becomes U+FFFD (Go keeps the bytes).
fn bytes_to_string(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

// Go's escapers.

/// The text of `html`/`js`/`urlquery` arguments: `fmt.Sprint`, with nil as `<no value>`.
fn eval_args(args: Vec<Value>) -> String {
    if let [Value::Str(s)] = args.as_slice() {
        return s.to_string();
    }
    let args: Vec<Value> = args
        .into_iter()
        .map(|v| match v {
            Value::Nil => Value::str("<no value>"),
            v => v,
        })
        .collect();
    sprint(&args)
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if c < ' ' => out.push_str(&format!("\\u00{:02X}", c as u32)),
            c if c.is_ascii() || is_print(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out
}

/// Go's `url.QueryEscape`: letters, digits and `-_.~` kept, space as `+`, the rest `%XX`.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Go's `url.QueryUnescape`.
fn query_unescape(s: &str) -> R<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = |c: u8| char::from(c).to_digit(16);
                match (
                    b.get(i + 1).and_then(|&c| hex(c)),
                    b.get(i + 2).and_then(|&c| hex(c)),
                ) {
                    (Some(h), Some(l)) if i + 2 < b.len() => {
                        out.push((h * 16 + l) as u8);
                        i += 3;
                    }
                    _ => {
                        let bad = String::from_utf8_lossy(&b[i..(i + 3).min(b.len())]).into_owned();
                        return Err(format!(
                            "invalid URL escape {}",
                            super::print::quote(&bad, '"', false)
                        ));
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(bytes_to_string(&out))
}

// Strings.

/// Go's `strings.ToLower`: per character, one-to-one mappings only.
fn go_lower(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii() {
                return c.to_ascii_lowercase();
            }
            if c == '\u{130}' {
                return 'i';
            }
            single(c.to_lowercase()).unwrap_or(c)
        })
        .collect()
}

/// Go's `strings.ToUpper`: per character, one-to-one mappings only (`ß` stays `ß`).
fn go_upper(s: &str) -> String {
    s.chars().map(upper_char).collect()
}

fn upper_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    let u = c as u32;
    // Greek letters with iota subscript: Go's simple mapping keeps the iota.
    let iota = match u {
        0x1F80..=0x1FAF if u & 0xF < 8 => Some(u + 8),
        0x1FB3 => Some(0x1FBC),
        0x1FC3 => Some(0x1FCC),
        0x1FF3 => Some(0x1FFC),
        _ => None,
    };
    if let Some(m) = iota.and_then(char::from_u32) {
        return m;
    }
    single(c.to_uppercase()).unwrap_or(c)
}

fn single(mut it: impl Iterator<Item = char>) -> Option<char> {
    let c = it.next()?;
    it.next().is_none().then_some(c)
}

/// Go's `strings.Title`: the first letter of each word in title case.
fn go_title(s: &str) -> String {
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) { title_char(c) } else { c };
            prev = c;
            out
        })
        .collect()
}

fn title_char(c: char) -> char {
    match c as u32 {
        // Digraphs have a title case of their own: `ǆ` becomes `ǅ`, not `Ǆ`.
        0x1C4..=0x1C6 => '\u{1C5}',
        0x1C7..=0x1C9 => '\u{1C8}',
        0x1CA..=0x1CC => '\u{1CB}',
        0x1F1..=0x1F3 => '\u{1F2}',
        _ => upper_char(c),
    }
}

fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphabetic() || c.is_numeric() {
        return false;
    }
    c.is_whitespace()
}

/// Go's `strings.Replace(s, old, new, n)`; `n < 0` replaces all.
fn go_replace(s: &str, old: &str, new: &str, n: i64) -> String {
    match usize::try_from(n) {
        Ok(n) => s.replacen(old, new, n),
        Err(_) => s.replace(old, new),
    }
}

/// Go's `strings.Trim`/`TrimLeft`/`TrimRight`: characters of `cutset` off the ends.
fn trim_set<'a>(s: &Value<'a>, cutset: &Value<'a>, left: bool, right: bool) -> Value<'a> {
    let set = self::s(cutset);
    let in_set = |c: char| set.contains(c);
    substring_of(s, |text| match (left, right) {
        (true, true) => text.trim_matches(in_set),
        (true, false) => text.trim_start_matches(in_set),
        _ => text.trim_end_matches(in_set),
    })
}

fn trim_prefix<'a>(s: &Value<'a>, prefix: &Value<'a>) -> Value<'a> {
    substring_of(s, |t| t.strip_prefix(self::s(prefix)).unwrap_or(t))
}

fn trim_suffix<'a>(s: &Value<'a>, suffix: &Value<'a>) -> Value<'a> {
    substring_of(s, |t| t.strip_suffix(self::s(suffix)).unwrap_or(t))
}

fn trim_space<'a>(s: &Value<'a>) -> Value<'a> {
    substring_of(s, str::trim)
}

/// A part of a string value, borrowed when the string is.
fn substring_of<'a>(v: &Value<'a>, part: impl for<'t> Fn(&'t str) -> &'t str) -> Value<'a> {
    match v {
        Value::Str(Cow::Borrowed(b)) => Value::str(part(b)),
        Value::Str(Cow::Owned(o)) => Value::str(part(o).to_string()),
        _ => Value::str(""),
    }
}

/// sprig's `trunc`: the first `n` bytes, or the last `-n`.
fn trunc(n: i64, s: &str) -> Value<'static> {
    let len = s.len() as i64;
    let part = if n < 0 && len + n > 0 {
        &s.as_bytes()[(len + n) as usize..]
    } else if n >= 0 && len > n {
        &s.as_bytes()[..n as usize]
    } else {
        s.as_bytes()
    };
    Value::str(bytes_to_string(part))
}

/// sprig's `substr start end s`, in bytes: a negative start means from the beginning, a
/// negative or too large end means to the end; bounds Go cannot slice are its runtime errors.
fn substr(start: i64, end: i64, s: &str) -> R<Value<'static>> {
    let len = s.len() as i64;
    let bounds = |msg: String| format!("runtime error: slice bounds out of range {msg}");
    let (from, to) = if start < 0 {
        if end < 0 {
            return Err(bounds(format!("[:{end}]")));
        }
        if end > len {
            return Err(bounds(format!("[:{end}] with length {len}")));
        }
        (0, end)
    } else if end < 0 || end > len {
        if start > len {
            return Err(bounds(format!("[{start}:{len}]")));
        }
        (start, len)
    } else {
        if start > end {
            return Err(bounds(format!("[{start}:{end}]")));
        }
        (start, end)
    };
    Ok(Value::str(bytes_to_string(
        &s.as_bytes()[from as usize..to as usize],
    )))
}

/// Loki's `alignLeft`/`alignRight`: pad with spaces or cut to `n` characters.
fn align<'a>(n: i64, src: &Value<'a>, right: bool) -> R<Value<'a>> {
    let text = s(src);
    let count = text.chars().count() as i64;
    if n < 0 || n == count {
        return Ok(src.clone());
    }
    let pad = n - count;
    if pad > 0 {
        let spaces = repeat(" ", pad)?;
        return Ok(Value::str(if right {
            spaces + text
        } else {
            format!("{text}{spaces}")
        }));
    }
    let part: String = if right {
        text.chars().skip((count - n) as usize).collect()
    } else {
        text.chars().take(n as usize).collect()
    };
    Ok(Value::str(part))
}

/// The longest text `repeat`, `indent` and `alignLeft`/`alignRight` make. Go has no limit
/// (it runs out of memory); a query must not be able to bring the server down that way.
const MAX_MADE_TEXT: u64 = 64 << 20;

fn repeat(s: &str, n: i64) -> R<String> {
    if n < 0 {
        return Err("strings: negative Repeat count".into());
    }
    if (s.len() as u64)
        .checked_mul(n as u64)
        .is_none_or(|l| l > MAX_MADE_TEXT)
    {
        return Err("strings: Repeat output length overflow".into());
    }
    Ok(s.repeat(n as usize))
}

/// sprig's `indent`: every line prefixed with `n` spaces.
fn indent(n: i64, s: &str) -> R<String> {
    let pad = repeat(" ", n)?;
    Ok(format!("{pad}{}", s.replace('\n', &format!("\n{pad}"))))
}

// Regular expressions, compiled once per thread and pattern.

fn compiled(pattern: &str) -> R<Regex> {
    thread_local! {
        static CACHE: RefCell<HashMap<String, R<Regex>>> = RefCell::new(HashMap::new());
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(found) = cache.get(pattern) {
            return found.clone();
        }
        if cache.len() >= 64 {
            cache.clear();
        }
        let re = Regex::new(pattern).map_err(|e| crate::logql::validate::regex_error(pattern, &e));
        cache.insert(pattern.to_string(), re.clone());
        re
    })
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

// Conversions of label text.

/// go-humanize's `ParseBytes`: `3 kB`, `3MB`, `1.5KiB`, `2,048`.
fn parse_bytes(s: &str) -> R<f64> {
    crate::logql::units::humanize_bytes(s).map(|b| b as f64)
}

/// A Go duration (`3m10s`) in seconds.
fn duration_seconds(s: &str) -> R<f64> {
    let ns = crate::logql::units::parse_go_duration(s).ok_or_else(|| {
        format!(
            "time: invalid duration {}",
            super::print::quote(s, '"', false)
        )
    })?;
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

// sprig's defaults, dates, JSON and float helpers.

/// sprig's `empty`: nil, zero numbers, false, and empty strings, lists and maps.
fn empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Time(_) => false,
        Value::Float(f) => *f == 0.0,
        other => !other.truth(),
    }
}

/// What sprig's `date` formats: a time, or Unix seconds as an int; anything else means now.
fn date_value(v: &Value) -> GoTime {
    match v {
        Value::Time(t) => t.clone(),
        Value::Int(n) | Value::Int64(n) => GoTime::from_unix_secs(*n),
        _ => GoTime::now(),
    }
}

fn decimal<'a>(args: &[Value<'a>], op: DecOp) -> R<Value<'a>> {
    math::decimal_op(&args[0], &args[1..], op).map(Value::Float)
}

fn float_fold<'a>(args: &[Value<'a>], f: fn(f64, f64) -> f64) -> Value<'a> {
    let (first, rest) = args.split_first().expect("one argument at least");
    let v = rest.iter().fold(math::to_float64(first), |acc, x| {
        f(acc, math::to_float64(x))
    });
    Value::Float(v)
}

/// sprig's `fromJson`: objects, arrays, numbers (as floats), strings, booleans; nil when the
/// text is no JSON.
fn from_json(s: &str) -> Value<'static> {
    match serde_json::from_str::<serde_json::Value>(s) {
        Ok(v) => json_value(v),
        Err(_) => Value::Nil,
    }
}

fn json_value(v: serde_json::Value) -> Value<'static> {
    use serde_json::Value as J;
    match v {
        J::Null => Value::Nil,
        J::Bool(b) => Value::Bool(b),
        J::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        J::String(s) => Value::str(s),
        J::Array(items) => Value::List(Rc::new(items.into_iter().map(json_value).collect())),
        J::Object(map) => Value::Map(Rc::new(
            map.into_iter()
                .map(|(k, v)| (k, json_value(v)))
                .collect::<BTreeMap<_, _>>(),
        )),
    }
}

// Base64, as Go's `encoding/base64` standard encoding.

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(B64[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// sprig's `b64dec`: the decoded text, or Go's error message as the text.
fn base64_decode(s: &str) -> String {
    match base64_decode_bytes(s.as_bytes()) {
        Ok(bytes) => bytes_to_string(&bytes),
        Err(at) => format!("illegal base64 data at input byte {at}"),
    }
}

/// Go's strict-padding decoder (newlines ignored); the error is the offset of the bad byte.
fn base64_decode_bytes(src: &[u8]) -> Result<Vec<u8>, usize> {
    let value = |c: u8| B64.iter().position(|&x| x == c).map(|v| v as u32);
    let skip_newlines = |mut i: usize| {
        while i < src.len() && matches!(src[i], b'\n' | b'\r') {
            i += 1;
        }
        i
    };
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    while si < src.len() {
        let mut quantum = [0u32; 4];
        let mut len = 4;
        let mut j = 0;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                return Err(si - j);
            }
            let c = src[si];
            si += 1;
            if let Some(v) = value(c) {
                quantum[j] = v;
                j += 1;
                continue;
            }
            if matches!(c, b'\n' | b'\r') {
                continue;
            }
            if c != b'=' || j < 2 {
                return Err(si - 1);
            }
            // Padding: `==` after two characters, `=` after three, then only newlines.
            if j == 2 {
                si = skip_newlines(si);
                if si == src.len() {
                    return Err(src.len());
                }
                if src[si] != b'=' {
                    return Err(si - 1);
                }
                si += 1;
            }
            si = skip_newlines(si);
            if si < src.len() {
                return Err(si);
            }
            len = j;
            break;
        }
        let n = quantum[0] << 18 | quantum[1] << 12 | quantum[2] << 6 | quantum[3];
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8][..len - 1]);
        si = skip_newlines(si);
    }
    Ok(out)
}
