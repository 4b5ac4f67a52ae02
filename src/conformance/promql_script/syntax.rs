//! The syntax of promqltest scripts below the command level: durations, numbers, quoted
//! strings, series descriptions and value sequences (float items only; a native-histogram
//! literal is reported as an error so the caller can set the series aside).

use crate::model::Labels;
pub use crate::promql::notation::{parse_number, values};

pub fn parse_dur(s: &str) -> Option<i64> {
    if s == "0" {
        return Some(0);
    }
    let (ms, n) = crate::model::time::duration_prefix(s)?;
    (n == s.len()).then_some(ms)
}

/// Reads a quoted string at the start of `s`; returns the value and bytes consumed.
pub fn quoted(s: &str) -> Option<(String, usize)> {
    let mut it = s.char_indices();
    let (_, q) = it.next()?;
    if !matches!(q, '"' | '\'' | '`') {
        return None;
    }
    let mut out = String::new();
    while let Some((i, c)) = it.next() {
        if c == q {
            return Some((out, i + 1));
        }
        if c == '\\' && q != '`' {
            let (_, e) = it.next()?;
            out.push(match e {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                other => other,
            });
        } else {
            out.push(c);
        }
    }
    None
}

/// Parses `name{a="b", ...}` / `{...}` / `name`; returns the labels and the rest of the line.
pub(super) fn series_desc(s: &str) -> Option<(Labels, &str)> {
    let s = s.trim_start();
    let name_end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(s.len());
    let mut pairs: Vec<(String, String)> = Vec::new();
    if name_end > 0 {
        pairs.push(("__name__".into(), s[..name_end].to_string()));
    }
    let mut rest = &s[name_end..];
    if let Some(r) = rest.strip_prefix('{') {
        rest = r;
        loop {
            rest = rest.trim_start();
            if let Some(r) = rest.strip_prefix('}') {
                rest = r;
                break;
            }
            if let Some(r) = rest.strip_prefix(',') {
                rest = r;
                continue;
            }
            let (name, r) = if let Some((n, used)) = quoted(rest) {
                (n, &rest[used..])
            } else {
                let e = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
                (rest[..e].to_string(), &rest[e..])
            };
            let r = r.trim_start().strip_prefix('=')?.trim_start();
            let (val, used) = quoted(r)?;
            rest = &r[used..];
            pairs.push((name, val));
        }
    } else if name_end == 0 {
        return None;
    }
    Some((Labels::from_pairs(pairs), rest))
}

pub fn rest_after(cmd: &str, words: usize) -> &str {
    let mut rest = cmd;
    for _ in 0..words {
        rest = rest.trim_start();
        rest = &rest[rest.find(char::is_whitespace).unwrap_or(rest.len())..];
    }
    rest.trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_sequences_expand() {
        assert_eq!(
            values("1 _ 2+3x2 _x2 5-1x1").unwrap(),
            vec![
                Some(1.0),
                None,
                Some(2.0),
                Some(5.0),
                Some(8.0),
                None,
                None,
                Some(5.0),
                Some(4.0)
            ]
        );
        assert!(values("{{schema:0}}").is_none());
        assert_eq!(values("1e-3+1e-3x1").unwrap(), vec![Some(1e-3), Some(2e-3)]);
    }

    #[test]
    fn series_descriptions_parse() {
        let (l, rest) = series_desc(r#"m{a="x y", b='q'} 1 2"#).unwrap();
        assert_eq!(l.to_string(), r#"m{a="x y", b="q"}"#);
        assert_eq!(rest.trim(), "1 2");
        let (l, _) = series_desc("{} 3").unwrap();
        assert!(l.is_empty());
    }
}
