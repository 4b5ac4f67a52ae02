//! The unit-bearing values of LogQL: Go durations (`1h30m`, `1.5s`, `-2s`, `250us`),
//! Prometheus durations (`5d`, `1w`), humanized byte counts (`20MB`, `1.5KiB`) and Go float
//! literals (including hex floats with a `p` exponent).
//!
//! The parser uses these for literals; an engine will use the same functions on label values
//! (`| latency > 250ms`, `| unwrap bytes(size)`), so the query and the data agree. No parsing
//! of queries here.

use super::ast::Nanos;
use crate::model::time::duration_prefix;

const NS_PER_MS: i64 = 1_000_000;

/// Parses a Go duration (`time.ParseDuration`): an optional sign, then one or more decimal
/// numbers with optional fraction, each with a unit `ns us µs μs ms s m h`. `0` alone is
/// allowed. Returns nanoseconds, or `None` when malformed or out of range.
pub fn parse_go_duration(s: &str) -> Option<Nanos> {
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..num_len];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return None;
        }
        let value: f64 = num.parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale: f64 = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += value * scale;
    }
    if total > i64::MAX as f64 {
        return None;
    }
    let ns = total.round() as i64;
    Some(if neg { -ns } else { ns })
}

/// Parses a Prometheus duration (`5m`, `1h30m`, `5d`, `1w`, `1y`, `0`): integers only, units
/// from largest to smallest. Returns nanoseconds.
pub fn parse_prom_duration(s: &str) -> Option<Nanos> {
    if s == "0" {
        return Some(0);
    }
    let (ms, n) = duration_prefix(s)?;
    if n != s.len() {
        return None;
    }
    ms.checked_mul(NS_PER_MS)
}

/// A duration as LogQL's lexer reads one after a number: Prometheus syntax first, then Go's.
pub fn parse_duration(s: &str) -> Option<Nanos> {
    parse_prom_duration(s).or_else(|| parse_go_duration(s))
}

/// Parses a humanized byte count the way go-humanize's `ParseBytes` does: a number (commas
/// allowed as thousands separators), optional spaces, and an optional case-insensitive unit
/// (`b`, `kb`/`k`, `kib`/`ki`, ... up to exa). `1KB` = 1000, `1KiB` = 1024.
pub fn parse_bytes(s: &str) -> Option<u64> {
    humanize_bytes(s.trim()).ok()
}

/// [`parse_bytes`] with go-humanize's error messages (Loki shows them in
/// `__error_details__`): the number before the unit does not parse, or the unit is unknown.
pub fn humanize_bytes(s: &str) -> Result<u64, String> {
    let num_len = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(s.len());
    let num: String = s[..num_len].chars().filter(|c| *c != ',').collect();
    let value: f64 = num
        .parse()
        .map_err(|_| format!("strconv.ParseFloat: parsing {num:?}: invalid syntax"))?;
    let unit = s[num_len..].trim().to_ascii_lowercase();
    let mult: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "ki" | "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mi" | "mib" => 1024f64.powi(2),
        "g" | "gb" => 1e9,
        "gi" | "gib" => 1024f64.powi(3),
        "t" | "tb" => 1e12,
        "ti" | "tib" => 1024f64.powi(4),
        "p" | "pb" => 1e15,
        "pi" | "pib" => 1024f64.powi(5),
        "e" | "eb" => 1e18,
        "ei" | "eib" => 1024f64.powi(6),
        _ => return Err(format!("unhandled size name: {unit}")),
    };
    let v = value * mult;
    if !v.is_finite() || v >= u64::MAX as f64 {
        return Err(format!("too large: {s}"));
    }
    Ok(v as u64)
}

/// Converts the text of a number literal to a float as Go's `strconv.ParseFloat` does: decimal
/// floats (`1`, `1.5`, `.5`, `1e3`, leading zeros are decimal) and hex floats with a binary
/// exponent (`0x1p3`, `0x1.8p-2`). Integer hex/octal/binary forms (`0x1A`, `0o17`, `0b1`) and
/// digit separators are rejected, as in Loki.
pub fn parse_go_float(text: &str) -> Option<f64> {
    if text.contains('_') {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("0x") {
        return crate::gotmpl::strconv::parse_hex_float(&lower);
    }
    if lower.starts_with("0o") || lower.starts_with("0b") {
        return None;
    }
    if !lower
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '+' | '-'))
    {
        return None;
    }
    lower.parse().ok()
}

/// The message Go's `time.ParseDuration` gives for a value it rejects (Loki shows it in
/// `__error_details__`): a missing unit, an unknown unit, or an invalid duration.
pub fn go_duration_error(v: &str) -> String {
    let body = v.strip_prefix(['-', '+']).unwrap_or(v);
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
            i += 1;
        }
        if i == start {
            break;
        }
        let unit_start = i;
        while i < b.len() && !(b[i].is_ascii_digit() || b[i] == b'.') {
            i += 1;
        }
        let unit = &body[unit_start..i];
        if unit.is_empty() {
            return format!("time: missing unit in duration {v:?}");
        }
        if !matches!(unit, "ns" | "us" | "µs" | "μs" | "ms" | "s" | "m" | "h") {
            return format!("time: unknown unit {unit:?} in duration {v:?}");
        }
    }
    format!("time: invalid duration {v:?}")
}

/// A label value read as a number, as Go's `strconv.ParseFloat` reads it: [`parse_go_float`]
/// plus a leading sign, `Inf`/`Infinity` and `NaN` in any case.
pub fn parse_float_value(text: &str) -> Option<f64> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let v = match lower.as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ if body.starts_with(['+', '-']) => return None,
        _ => parse_go_float(body)?,
    };
    Some(if negative { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("1h30m"), Some(5400 * 1_000_000_000));
        assert_eq!(parse_go_duration("500ms"), Some(500_000_000));
        assert_eq!(parse_go_duration("-2s"), Some(-2_000_000_000));
        assert_eq!(parse_go_duration("1.5h"), Some(5400 * 1_000_000_000));
        assert_eq!(parse_go_duration("250us"), Some(250_000));
        assert_eq!(parse_go_duration("1d"), None);
        assert_eq!(parse_go_duration("5"), None);
        assert_eq!(parse_duration("1d"), Some(86_400 * 1_000_000_000));
        assert_eq!(parse_prom_duration("1.5h"), None);
    }

    #[test]
    fn humanized_bytes() {
        assert_eq!(parse_bytes("1KB"), Some(1000));
        assert_eq!(parse_bytes("1KiB"), Some(1024));
        assert_eq!(parse_bytes("1.5KB"), Some(1500));
        assert_eq!(parse_bytes("2,048"), Some(2048));
        assert_eq!(parse_bytes("2Kb"), Some(2000));
        assert_eq!(parse_bytes("20MB"), Some(20_000_000));
        assert_eq!(parse_bytes("1xB"), None);
    }

    #[test]
    fn go_floats() {
        assert_eq!(parse_go_float("0x1p3"), Some(8.0));
        assert_eq!(parse_go_float("0x1.8p3"), Some(12.0));
        assert_eq!(parse_go_float(".5"), Some(0.5));
        assert_eq!(parse_go_float("1e3"), Some(1000.0));
        assert_eq!(parse_go_float("017"), Some(17.0));
        assert_eq!(parse_go_float("0x1A"), None);
        assert_eq!(parse_go_float("0o17"), None);
        assert_eq!(parse_go_float("0b1010"), None);
    }
}
