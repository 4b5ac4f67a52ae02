//! sprig's functions that gotmpl implements, with sprig's argument order (the subject last:
//! `replace old new src`, `trunc n s`, `default def val`): strings, `default`, base64,
//! `fromJson`, and the dates `date`, `toDate`, `now` and `unixEpoch`.

use super::strings::{
    bytes_to_string, go_lower, go_replace, go_title, go_upper, indent, repeat, substr, trim_prefix,
    trim_set, trim_space, trim_suffix, trunc,
};
use super::{fixed, int_arg as int, str_arg as s, time_arg as time, variadic, Func, Ty};
use crate::gotmpl::time::{parse_in_location, GoTime};
use crate::gotmpl::value::Value;
use crate::gotmpl::zone::local;
use std::collections::BTreeMap;
use std::rc::Rc;

/// The sprig functions here.
pub(super) const NAMES: &[&str] = &[
    "b64enc",
    "b64dec",
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
    "fromJson",
    "default",
    "date",
    "toDate",
    "now",
    "unixEpoch",
];

/// The sprig function named `name`.
pub(super) fn function(name: &str) -> Option<Func> {
    use Ty::*;
    Some(match name {
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
