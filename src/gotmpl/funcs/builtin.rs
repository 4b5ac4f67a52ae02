//! Go's built-in template functions: `and`, `or` and `call` (which the executor evaluates
//! itself), `not`, the comparisons `eq ne lt le gt ge`, `len`, `index`, `slice`, the printers
//! `print println printf`, and the escapers `html js urlquery`, with Go's rules for comparing
//! values of different kinds and its error messages.

use super::strings::bytes_to_string;
use super::{fixed, str_arg as s, variadic, Env, Func, Ty, R};
use crate::gotmpl::print::{sprint, sprintf, sprintln};
use crate::gotmpl::strconv::{is_print, quote};
use crate::gotmpl::value::{Kind, Value};
use std::cmp::Ordering;
use std::rc::Rc;

/// The built-ins, in Go's order.
pub(super) const NAMES: &[&str] = &[
    "and", "or", "not", "eq", "ne", "lt", "le", "gt", "ge", "len", "index", "slice", "print",
    "println", "printf", "html", "js", "urlquery", "call",
];

/// The built-in named `name`. `and`, `or` and `call` are evaluated by the executor (they need
/// the unevaluated arguments); their entries here only make them known.
pub(super) fn function(name: &str) -> Option<Func> {
    use Ty::*;
    Some(match name {
        "and" | "or" | "call" => variadic(&[], Any, |_, _| Err("evaluated by the executor".into())),
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
        _ => return None,
    })
}

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
                (
                    Value::Map(_) | Value::Labels(_) | Value::StrMap(..),
                    Value::Map(_) | Value::Labels(_) | Value::StrMap(..)
                )
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

fn length(v: &Value) -> R<i64> {
    match v {
        Value::Str(s) => Ok(s.len() as i64),
        Value::List(l) | Value::Slice(_, l) => Ok(l.len() as i64),
        Value::Map(m) => Ok(m.len() as i64),
        Value::Labels(d) => Ok(d.labels().len() as i64),
        Value::StrMap(_, m) => Ok(m.len() as i64),
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
fn index<'a>(_: &Env<'a, '_>, args: Vec<Value<'a>>) -> R<Value<'a>> {
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
            Value::List(l) | Value::Slice(_, l) => {
                let x = index_arg(&idx, l.len())?;
                l.get(x)
                    .cloned()
                    .ok_or("reflect: slice index out of range")?
            }
            Value::Map(m) => m.get(map_key(&idx)?).cloned().unwrap_or(Value::Nil),
            Value::Labels(d) => Value::str(d.label(map_key(&idx)?).unwrap_or("")),
            Value::StrMap(_, m) => Value::str(m.get(map_key(&idx)?).cloned().unwrap_or_default()),
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

/// `slice x 1 2` is `x[1:2]`, of a string (in bytes) or a list.
fn slice<'a>(_: &Env<'a, '_>, args: Vec<Value<'a>>) -> R<Value<'a>> {
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
        Value::List(l) | Value::Slice(_, l) => l.len(),
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
        Value::Slice(name, l) => Value::Slice(name, Rc::new(l[idx[0]..idx[1]].to_vec())),
        _ => unreachable!("checked above"),
    })
}

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
pub fn query_escape(s: &str) -> String {
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
pub fn query_unescape(s: &str) -> R<String> {
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
                        return Err(format!("invalid URL escape {}", quote(&bad, '"', false)));
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
