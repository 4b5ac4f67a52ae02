//! sprig's functions that gotmpl implements, with sprig's argument order (the subject last:
//! `replace old new src`, `trunc n s`, `default def val`): strings, `default`, base64,
//! `fromJson`, and the dates `date`, `toDate`, `now` and `unixEpoch`.

use super::strings::{
    bytes_to_string, go_lower, go_replace, go_title, go_upper, indent, repeat, substr, trim_prefix,
    trim_set, trim_space, trim_suffix, trunc,
};
use super::{fixed, int_arg as int, str_arg as s, time_arg as time, variadic, Func, Ty};
use crate::gotmpl::time::zone::local;
use crate::gotmpl::time::{parse_in_location, GoTime};
use crate::gotmpl::value::Value;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
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

// Base64, as Go's `encoding/base64` standard encoding: padding required, and (on decoding)
// newlines ignored and bits after the last byte not checked.

const GO_STD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
        .with_decode_allow_trailing_bits(true),
);

fn base64_encode(data: &[u8]) -> String {
    GO_STD.encode(data)
}

/// sprig's `b64dec`: the decoded text, or Go's error message as the text.
fn base64_decode(s: &str) -> String {
    // Go skips newlines anywhere; the crate does not, so they go first, and an error's
    // offset is mapped back to the text as written.
    let kept: Vec<(usize, u8)> = s
        .bytes()
        .enumerate()
        .filter(|(_, b)| !matches!(b, b'\n' | b'\r'))
        .collect();
    let clean: Vec<u8> = kept.iter().map(|&(_, b)| b).collect();
    match GO_STD.decode(&clean) {
        Ok(bytes) => bytes_to_string(&bytes),
        Err(e) => {
            let at = corrupt_offset(&e, &clean);
            let at = kept.get(at).map_or(s.len(), |&(i, _)| i);
            format!("illegal base64 data at input byte {at}")
        }
    }
}

/// Where Go's decoder reports the fault, in the text without newlines: a byte outside the
/// alphabet, misplaced padding as Go's padding check finds it, or else the start of the final
/// group cut short.
fn corrupt_offset(e: &base64::DecodeError, text: &[u8]) -> usize {
    match e {
        base64::DecodeError::InvalidByte(_, b'=') | base64::DecodeError::InvalidPadding => {
            padding_fault(text)
        }
        base64::DecodeError::InvalidByte(at, _) | base64::DecodeError::InvalidLastSymbol(at, _) => {
            *at
        }
        base64::DecodeError::InvalidLength(_) => text.len() / 4 * 4,
    }
}

/// Go's check of the padding that starts at the first `=`: one after two characters of a
/// group must be followed by another, and nothing may follow the padding.
fn padding_fault(text: &[u8]) -> usize {
    let Some(pad) = text.iter().position(|&b| b == b'=') else {
        return text.len() / 4 * 4;
    };
    let after = match pad % 4 {
        0 | 1 => return pad,
        2 if pad + 1 == text.len() => return text.len(),
        2 if text[pad + 1] != b'=' => return pad,
        2 => pad + 2,
        _ => pad + 1,
    };
    if after < text.len() {
        after
    } else {
        text.len() / 4 * 4
    }
}
