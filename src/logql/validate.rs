//! Checks of the little languages inside LogQL stage arguments, run at parse time: `ip()`
//! patterns, the pattern syntax of `| pattern` and `|>`, the `| regexp` parser's named
//! captures, line-filter regexes and the JSONPath-like expressions of `| json a="path"`.
//!
//! Each check returns a message (the parser adds the position). The splitting functions
//! ([`pattern_parts`], [`json_path_parts`], [`ip_range`]) are public so that an engine builds
//! the stages from the same reading of the text.

use std::net::IpAddr;

/// One element of a pattern: literal text or a capture (`<name>`, or `<_>` = `None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternPart {
    Literal(String),
    Capture(Option<String>),
}

/// Splits a pattern into literals and captures. A `<` that does not open `<identifier>` is
/// literal text. Two captures in a row are an error: nothing would tell where one ends.
pub fn pattern_parts(p: &str) -> Result<Vec<PatternPart>, String> {
    let mut parts: Vec<PatternPart> = Vec::new();
    let mut lit = String::new();
    let mut rest = p;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            if let Some(end) = rest.find('>') {
                let name = &rest[1..end];
                let mut cs = name.chars();
                let is_ident = cs
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && cs.all(|c| c.is_ascii_alphanumeric() || c == '_');
                if is_ident {
                    if !lit.is_empty() {
                        parts.push(PatternPart::Literal(std::mem::take(&mut lit)));
                    }
                    if matches!(parts.last(), Some(PatternPart::Capture(_))) {
                        return Err(format!(
                            "invalid pattern: found consecutive capture '<{name}>': captures \
                             must be separated by a literal"
                        ));
                    }
                    parts.push(PatternPart::Capture(
                        (name != "_").then(|| name.to_string()),
                    ));
                    rest = &rest[end + 1..];
                    continue;
                }
            }
        }
        lit.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if !lit.is_empty() {
        parts.push(PatternPart::Literal(lit));
    }
    Ok(parts)
}

fn named_captures(parts: &[PatternPart]) -> Vec<&str> {
    parts
        .iter()
        .filter_map(|p| match p {
            PatternPart::Capture(Some(n)) => Some(n.as_str()),
            _ => None,
        })
        .collect()
}

/// The `| pattern` parser: at least one named capture, each name once.
pub fn pattern_parser(p: &str) -> Result<(), String> {
    let parts = pattern_parts(p)?;
    let names = named_captures(&parts);
    if names.is_empty() {
        return Err("invalid pattern: at least one capture is required".into());
    }
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            return Err(format!("invalid pattern: duplicate capture name ({n})"));
        }
    }
    Ok(())
}

/// The `|>` / `!>` line filter: named captures are not allowed (only `<_>`).
pub fn line_pattern(p: &str) -> Result<(), String> {
    let parts = pattern_parts(p)?;
    if !named_captures(&parts).is_empty() {
        return Err("invalid pattern: named captures are not allowed in pattern filters".into());
    }
    Ok(())
}

/// A regex error on one line: `regex` renders syntax errors over several lines (the pattern,
/// a caret line, then `error: why`); keep the why.
pub fn regex_error(pattern: &str, e: &regex::Error) -> String {
    let text = e.to_string();
    let why = text
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or(text.as_str());
    format!("error parsing regexp {pattern:?}: {why}")
}

/// A `|~` / `!~` regex (unanchored RE2).
pub fn line_regex(re: &str) -> Result<(), String> {
    regex::Regex::new(re)
        .map(|_| ())
        .map_err(|e| regex_error(re, &e))
}

/// The `| regexp` parser: a valid regex with at least one named capture, names unique.
pub fn regexp_parser(re: &str) -> Result<(), String> {
    let r = regex::Regex::new(re).map_err(|e| {
        // Loki names this case after the labels the names would become.
        if e.to_string().contains("duplicate capture group name") {
            "duplicate extracted label name".to_string()
        } else {
            regex_error(re, &e)
        }
    })?;
    if r.capture_names().flatten().next().is_none() {
        return Err("at least one named capture must be supplied".into());
    }
    Ok(())
}

/// An `ip()` pattern as an inclusive range of addresses of one family: a single address, a
/// range `a-b`, or a CIDR `addr/bits`.
pub fn ip_range(p: &str) -> Result<(IpAddr, IpAddr), String> {
    let bad = || format!("ip: invalid pattern: {p:?}");
    let addr = |s: &str| s.trim().parse::<IpAddr>().map_err(|_| bad());
    if let Some((a, b)) = p.split_once('-') {
        let (a, b) = (addr(a)?, addr(b)?);
        if a.is_ipv4() != b.is_ipv4() || a > b {
            return Err(bad());
        }
        return Ok((a, b));
    }
    if let Some((a, bits)) = p.split_once('/') {
        let a = addr(a)?;
        let bits: u32 = bits.parse().map_err(|_| bad())?;
        return match a {
            IpAddr::V4(v4) if bits <= 32 => {
                let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
                let lo = u32::from(v4) & mask;
                Ok((IpAddr::V4(lo.into()), IpAddr::V4((lo | !mask).into())))
            }
            IpAddr::V6(v6) if bits <= 128 => {
                let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                let lo = u128::from(v6) & mask;
                Ok((IpAddr::V6(lo.into()), IpAddr::V6((lo | !mask).into())))
            }
            _ => Err(bad()),
        };
    }
    let a = addr(p)?;
    Ok((a, a))
}

pub fn ip_pattern(p: &str) -> Result<(), String> {
    ip_range(p).map(|_| ())
}

/// One step of a JSON path: an object field or an array index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonPathPart {
    Field(String),
    Index(usize),
}

/// Splits `a.b[0]["key with-dash"]` into steps.
pub fn json_path_parts(path: &str) -> Result<Vec<JsonPathPart>, String> {
    let bad = |why: &str| format!("cannot parse expression [{path}]: {why}");
    let mut out = Vec::new();
    let mut rest = path;
    let mut first = true;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let end = if let Some(q) = r.strip_prefix('"') {
                let close = q.find('"').ok_or_else(|| bad("unterminated string"))?;
                out.push(JsonPathPart::Field(q[..close].to_string()));
                close + 2
            } else {
                let close = r.find(']').ok_or_else(|| bad("missing ]"))?;
                let idx = r[..close].trim().parse().map_err(|_| bad("bad index"))?;
                out.push(JsonPathPart::Index(idx));
                close
            };
            rest = r[end..].strip_prefix(']').ok_or_else(|| bad("missing ]"))?;
        } else {
            let r = if first {
                rest
            } else {
                rest.strip_prefix('.')
                    .ok_or_else(|| bad("expected . or ["))?
            };
            let n = r
                .find(|c: char| matches!(c, '.' | '[' | ']' | '"') || c.is_whitespace())
                .unwrap_or(r.len());
            if n == 0 {
                return Err(bad("empty field name"));
            }
            out.push(JsonPathPart::Field(r[..n].to_string()));
            rest = &r[n..];
        }
        first = false;
    }
    if out.is_empty() {
        return Err(bad("empty path"));
    }
    Ok(out)
}

pub fn json_path(path: &str) -> Result<(), String> {
    json_path_parts(path).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert_eq!(
            pattern_parts("<ip> - <_> x").unwrap(),
            vec![
                PatternPart::Capture(Some("ip".into())),
                PatternPart::Literal(" - ".into()),
                PatternPart::Capture(None),
                PatternPart::Literal(" x".into()),
            ]
        );
        assert!(pattern_parts("<a><b>").is_err());
        assert!(pattern_parser("no captures here").is_err());
        assert!(pattern_parser("<a> <a>").is_err());
        assert!(line_pattern("<verb> /api 200").is_err());
        assert!(line_pattern("<_> /api <_>").is_ok());
    }

    #[test]
    fn ip_patterns() {
        assert!(ip_pattern("192.168.0.1").is_ok());
        assert!(ip_pattern("192.168.0.0/16").is_ok());
        assert!(ip_pattern("10.0.0.1-10.0.0.9").is_ok());
        assert!(ip_pattern("::1").is_ok());
        assert!(ip_pattern("2001:db8::/32").is_ok());
        assert!(ip_pattern("notanip").is_err());
        assert!(ip_pattern("").is_err());
        assert!(ip_pattern("10.0.0.0/33").is_err());
        assert!(ip_pattern("10.0.0.9-10.0.0.1").is_err());
    }

    #[test]
    fn json_paths() {
        assert_eq!(
            json_path_parts(r#"my.list[0]["field"]"#).unwrap(),
            vec![
                JsonPathPart::Field("my".into()),
                JsonPathPart::Field("list".into()),
                JsonPathPart::Index(0),
                JsonPathPart::Field("field".into()),
            ]
        );
        assert!(json_path("user[").is_err());
        assert!(json_path("").is_err());
        assert!(regexp_parser("nocapture").is_err());
        assert!(regexp_parser("(?P<x>.)(?P<x>.)").is_err());
    }
}
