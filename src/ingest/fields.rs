//! The few fields of a structured log line that ingestion reads (`--time-field`,
//! `--label-from`, `--metadata-from`), found without building the rest of the line: at
//! hundreds of megabytes a second, allocating every key and value of every JSON line would
//! cost more than storing it.

use super::logs::LineFormat;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// The values of the `wanted` fields in `line`, by position in `wanted` (`None`: absent).
/// JSON lines give top-level strings, numbers and booleans as text; logfmt lines give their
/// pairs. The first occurrence of a field wins, and reading stops once every wanted field
/// is found, so the rest of a JSON line is neither parsed nor checked. A line that is not
/// what the format expects gives no fields.
pub fn wanted_fields<'l>(
    line: &'l str,
    format: LineFormat,
    wanted: &[&str],
) -> Vec<Option<Cow<'l, str>>> {
    let mut values = vec![None; wanted.len()];
    let json = match format {
        LineFormat::Json => true,
        LineFormat::Auto => line.trim_start().starts_with('{'),
        _ => false,
    };
    if wanted.is_empty() || format == LineFormat::Raw {
        return values;
    }
    if json {
        let mut found = 0;
        let mut de = serde_json::Deserializer::from_str(line);
        let seed = JsonFields {
            wanted,
            values: &mut values,
            found: &mut found,
        };
        // Stopping early leaves the object unclosed, which serde reports as an error: a
        // line is good when every field was found or the whole object read cleanly.
        let whole = seed.deserialize(&mut de).is_ok() && de.end().is_ok();
        if !whole && found < wanted.len() {
            values.iter_mut().for_each(|v| *v = None);
        }
    } else {
        let mut left = wanted.len();
        logfmt_each(line, &mut |key, value| {
            if let Some(i) = wanted.iter().position(|w| *w == key) {
                if values[i].is_none() {
                    values[i] = Some(value);
                    left -= 1;
                }
            }
            left > 0
        });
    }
    values
}

/// Calls `f(name, value)` for the top-level fields of `line` whose names are in `names`, in
/// the order the line has them, until `f` returns false. Values are as [`wanted_fields`] gives
/// them (JSON scalars as text, logfmt values); a JSON line is read only as far as needed, so
/// damage after the field that satisfies `f` does not matter.
pub fn each_field<'l>(
    line: &'l str,
    format: LineFormat,
    names: &[&str],
    f: &mut dyn FnMut(&str, Cow<'l, str>) -> bool,
) {
    let json = match format {
        LineFormat::Json => true,
        LineFormat::Auto => line.trim_start().starts_with('{'),
        _ => false,
    };
    if format == LineFormat::Raw {
        return;
    }
    if json {
        let mut de = serde_json::Deserializer::from_str(line);
        // A line that is not JSON, or stops being JSON, simply has no (further) fields.
        let _ = EachField { names, f }.deserialize(&mut de);
    } else if line.contains('=') {
        logfmt_each(line, &mut |key, value| {
            if names.contains(&key) {
                f(key, value)
            } else {
                true
            }
        });
    }
}

struct EachField<'n, 'f, 'l> {
    names: &'n [&'n str],
    f: &'f mut dyn FnMut(&str, Cow<'l, str>) -> bool,
}

impl<'de, 'l> DeserializeSeed<'de> for EachField<'_, '_, 'l>
where
    'de: 'l,
{
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, 'l> Visitor<'de> for EachField<'_, '_, 'l>
where
    'de: 'l,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(KeyPosition(self.names))? {
            match key {
                Some(i) => {
                    if let Some(v) = map.next_value::<Scalar<'de>>()?.0 {
                        if !(self.f)(self.names[i], v) {
                            return Ok(());
                        }
                    }
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct JsonFields<'w, 'v, 'l> {
    wanted: &'w [&'w str],
    values: &'v mut Vec<Option<Cow<'l, str>>>,
    found: &'v mut usize,
}

impl<'de, 'l> DeserializeSeed<'de> for JsonFields<'_, '_, 'l>
where
    'de: 'l,
{
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, 'l> Visitor<'de> for JsonFields<'_, '_, 'l>
where
    'de: 'l,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(KeyPosition(self.wanted))? {
            match key {
                Some(i) if self.values[i].is_none() => {
                    if let Some(v) = map.next_value::<Scalar<'de>>()?.0 {
                        self.values[i] = Some(v);
                        *self.found += 1;
                        if *self.found == self.wanted.len() {
                            return Ok(());
                        }
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// A JSON object key, as its position in the wanted list, compared without allocating.
struct KeyPosition<'w>(&'w [&'w str]);

impl<'de> DeserializeSeed<'de> for KeyPosition<'_> {
    type Value = Option<usize>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyPosition<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|w| *w == key))
    }
}

/// A JSON value as text when it is a string (borrowed unless it has escapes), a number or a
/// boolean; `None` for null, arrays and objects.
struct Scalar<'de>(Option<Cow<'de, str>>);

impl<'de> serde::Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Scalar<'de>, E> {
        Ok(Scalar(Some(Cow::Borrowed(v))))
    }
    fn visit_str<E>(self, v: &str) -> Result<Scalar<'de>, E> {
        Ok(Scalar(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_string<E>(self, v: String) -> Result<Scalar<'de>, E> {
        Ok(Scalar(Some(Cow::Owned(v))))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Scalar<'de>, E> {
        Ok(Scalar(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Scalar<'de>, E> {
        Ok(Scalar(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Scalar<'de>, E> {
        Ok(Scalar(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Scalar<'de>, E> {
        // serde_json's own spelling of the number (shortest round trip), as it was written
        // when fields were read through `serde_json::Value`.
        Ok(Scalar(
            serde_json::Number::from_f64(v).map(|n| Cow::Owned(n.to_string())),
        ))
    }
    fn visit_unit<E>(self) -> Result<Scalar<'de>, E> {
        Ok(Scalar(None))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar(None))
    }
}

/// Calls `f(key, value)` for each `key=value` pair of a logfmt line, in order, until `f`
/// returns false. Values may be quoted (`"..."` with `\"`, `\\`, `\n`, `\t` escapes) and are
/// borrowed unless they have escapes; malformed pieces are skipped, and an unclosed quote
/// ends the line.
pub fn logfmt_each<'l>(line: &'l str, f: &mut dyn FnMut(&'l str, Cow<'l, str>) -> bool) {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        let ks = i;
        while i < b.len() && b[i] != b'=' && b[i] != b' ' {
            i += 1;
        }
        let key = &line[ks..i];
        if i >= b.len() || b[i] != b'=' {
            continue;
        }
        i += 1;
        let value = if i < b.len() && b[i] == b'"' {
            i += 1;
            let start = i;
            let mut unescaped: Option<String> = None;
            let mut closed = false;
            while i < b.len() {
                match b[i] {
                    b'\\' if i + 1 < b.len() && b[i + 1].is_ascii() => {
                        let s = unescaped.get_or_insert_with(|| line[start..i].to_string());
                        s.push(match b[i + 1] {
                            b'n' => '\n',
                            b't' => '\t',
                            c => c as char,
                        });
                        i += 2;
                    }
                    b'"' => {
                        closed = true;
                        break;
                    }
                    _ => {
                        // Whole characters, so the borrowed slice stays on boundaries.
                        let len = line[i..].chars().next().map_or(1, char::len_utf8);
                        if let Some(s) = &mut unescaped {
                            s.push_str(&line[i..i + len]);
                        }
                        i += len;
                    }
                }
            }
            if !closed {
                break;
            }
            let v = match unescaped {
                Some(s) => Cow::Owned(s),
                None => Cow::Borrowed(&line[start..i]),
            };
            i += 1;
            v
        } else {
            let vs = i;
            while i < b.len() && b[i] != b' ' {
                i += 1;
            }
            Cow::Borrowed(&line[vs..i])
        };
        if !key.is_empty() && !f(key, value) {
            return;
        }
    }
}

/// Every pair of a logfmt line, owned.
pub fn logfmt_pairs(line: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    logfmt_each(line, &mut |k, v| {
        out.push((k.to_string(), v.into_owned()));
        true
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(line: &str, format: LineFormat, wanted: &[&str]) -> Vec<Option<String>> {
        wanted_fields(line, format, wanted)
            .into_iter()
            .map(|v| v.map(Cow::into_owned))
            .collect()
    }

    #[test]
    fn json_fields_are_found_without_reading_the_rest() {
        let w = ["ts", "level", "n"];
        let line =
            r#"{"ts":"2025-01-01T00:00:00Z","n":1.5,"obj":{"level":"x"},"level":"warn","x":[1]}"#;
        assert_eq!(
            get(line, LineFormat::Json, &w),
            [
                Some("2025-01-01T00:00:00Z".into()),
                Some("warn".into()),
                Some("1.5".into())
            ]
        );
        // The first occurrence wins; escapes are decoded; booleans and integers as text.
        let line = r#"{"level":"a\"b","level":"c","n":true,"ts":17}"#;
        assert_eq!(
            get(line, LineFormat::Auto, &w),
            [Some("17".into()), Some("a\"b".into()), Some("true".into())]
        );
        // Everything wanted is found before the damage: the fields count.
        assert_eq!(
            get(
                r#"{"ts":"1","level":"x","n":2, broken"#,
                LineFormat::Json,
                &w
            ),
            [Some("1".into()), Some("x".into()), Some("2".into())]
        );
        // Damage before every field is found: no fields at all.
        assert_eq!(
            get(r#"{"ts":"1", broken"#, LineFormat::Json, &w),
            [None, None, None]
        );
        assert_eq!(get("not json", LineFormat::Json, &w), [None, None, None]);
        // null, arrays and objects are not values; a wanted field may be missing.
        assert_eq!(
            get(r#"{"ts":null,"level":[1],"n":{}}"#, LineFormat::Json, &w),
            [None, None, None]
        );
    }

    #[test]
    fn each_field_goes_in_line_order_and_stops_when_told() {
        let names = ["ts", "time"];
        let seen = |line: &str, format: LineFormat, stop_at: usize| {
            let mut out = Vec::new();
            each_field(line, format, &names, &mut |k, v| {
                out.push(format!("{k}={v}"));
                out.len() < stop_at
            });
            out
        };
        let json = r#"{"time":"b","x":{"ts":"nested"},"ts":3,"time":"again"}"#;
        assert_eq!(
            seen(json, LineFormat::Auto, 9),
            ["time=b", "ts=3", "time=again"]
        );
        assert_eq!(seen(json, LineFormat::Json, 1), ["time=b"]);
        // Damage after the field that was enough does not matter.
        assert_eq!(seen(r#"{"ts":1, broken"#, LineFormat::Json, 1), ["ts=1"]);
        assert_eq!(
            seen("a=1 time=x ts=2", LineFormat::Auto, 9),
            ["time=x", "ts=2"]
        );
        assert!(seen("ts=2", LineFormat::Raw, 9).is_empty());
        assert!(seen("no fields here", LineFormat::Logfmt, 9).is_empty());
    }

    #[test]
    fn logfmt_fields_and_pairs() {
        assert_eq!(
            logfmt_pairs(r#"level=warn msg="disk \"sda\" full é" bare x= y=2"#),
            [
                ("level".to_string(), "warn".to_string()),
                ("msg".into(), "disk \"sda\" full é".into()),
                ("x".into(), "".into()),
                ("y".into(), "2".into())
            ]
        );
        assert_eq!(
            get(
                r#"ts=5 level=info level=warn msg="é ü""#,
                LineFormat::Logfmt,
                &["level", "msg", "nope"]
            ),
            [Some("info".into()), Some("é ü".into()), None]
        );
        assert_eq!(
            logfmt_pairs(r#"a=1 b="unclosed c=3"#),
            [("a".to_string(), "1".to_string())]
        );
        assert!(get("ts=1", LineFormat::Raw, &["ts"])[0].is_none());
    }
}
