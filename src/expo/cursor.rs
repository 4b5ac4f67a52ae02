//! The pieces of a line shared by both exposition formats: a byte cursor over one line that knows
//! its column, metric and label names, quoted label values with their escapes, and the number
//! syntax of sample values and timestamps.
//!
//! It deliberately knows nothing about lines of a particular format (that is `parse.rs`). It is
//! written by hand rather than with nom because every failure has to name the exact column and
//! what was expected there, and a hand-written cursor makes that the natural shape instead of
//! an error-conversion layer.

use crate::model::limits::excerpt;

/// `s` quoted for an error message, cut to an excerpt: an offending token may be megabytes
/// long, and an error must not repeat it whole.
pub fn quoted(s: &str) -> String {
    format!("{:?}", excerpt(s))
}

/// A position inside one line plus a message: the raw form of a `ParseError`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LineError {
    /// Byte offset in the line where the problem starts.
    pub pos: usize,
    pub message: String,
}

impl LineError {
    pub(crate) fn new(pos: usize, message: impl Into<String>) -> LineError {
        LineError {
            pos,
            message: message.into(),
        }
    }
}

/// A cursor over one line (without its newline).
pub(crate) struct Cursor<'a> {
    pub line: &'a str,
    pub pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(line: &'a str) -> Cursor<'a> {
        Cursor { line, pos: 0 }
    }

    pub(crate) fn rest(&self) -> &'a str {
        &self.line[self.pos..]
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.line.len()
    }

    pub(crate) fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Consumes `c` when it is next.
    pub(crate) fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    /// Consumes `s` when it is next.
    pub(crate) fn eat_str(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    /// Skips spaces and tabs (the text format's notion of whitespace).
    pub(crate) fn skip_blanks(&mut self) -> bool {
        let start = self.pos;
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.pos += 1;
        }
        self.pos > start
    }

    /// Consumes bytes while `f` holds and returns them.
    pub(crate) fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if !f(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        &self.line[start..self.pos]
    }

    /// A human description of what is at the cursor, for "found ..." in messages.
    pub(crate) fn found(&self) -> String {
        match self.peek() {
            None => "end of line".to_string(),
            Some(c) => format!("{c:?}"),
        }
    }

    /// Reads a metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`), or `None` without moving.
    pub(crate) fn metric_name(&mut self) -> Option<&'a str> {
        match self.peek() {
            Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':' => {}
            _ => return None,
        }
        Some(self.take_while(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'))
    }

    /// Reads a label name (`[a-zA-Z_][a-zA-Z0-9_]*`), or `None` without moving.
    pub(crate) fn label_name(&mut self) -> Option<&'a str> {
        match self.peek() {
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
            _ => return None,
        }
        Some(self.take_while(|c| c.is_ascii_alphanumeric() || c == '_'))
    }

    /// Reads a double-quoted label value starting at the opening quote and returns it
    /// unescaped. `\\`, `\"` and `\n` are the escapes of both formats; any other backslash pair
    /// is kept as it is, which is what Prometheus does (it replaces only those three).
    pub(crate) fn quoted_value(&mut self, label: &str) -> Result<String, LineError> {
        let open = self.pos;
        if !self.eat('"') {
            return Err(LineError::new(
                self.pos,
                format!(
                    "expected '\"' to start the value of label {}, found {}",
                    quoted(label),
                    self.found()
                ),
            ));
        }
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, '\\')) => out.push('\\'),
                    Some((_, '"')) => out.push('"'),
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, other)) => {
                        out.push('\\');
                        out.push(other);
                    }
                    None => break,
                },
                c => out.push(c),
            }
        }
        Err(LineError::new(
            open,
            format!(
                "unterminated value of label {}: missing closing '\"'",
                quoted(label)
            ),
        ))
    }
}

/// Parses a sample value the way Prometheus does: Go's float syntax (decimal with optional
/// exponent, `NaN`, `Inf`, `+Inf`, `-Inf`, `infinity`, any case) without hex floats or digit
/// separators, and an overflowing literal such as `1e400` is an error rather than infinity.
pub fn parse_float(s: &str) -> Result<f64, String> {
    if s.contains(['p', 'P', '_']) || s.starts_with("0x") || s.starts_with("0X") {
        return Err(format!("unsupported character in float {}", quoted(s)));
    }
    // Go (and so Prometheus) accepts a sign before `Inf` but not before `NaN`.
    let signed_nan =
        s.len() == 4 && s.starts_with(['+', '-']) && s[1..].eq_ignore_ascii_case("nan");
    let v: f64 = s.parse().ok().filter(|_| !signed_nan).ok_or_else(|| {
        format!(
            "invalid number {}: expected a float such as 1, -2.5, 1e-3, NaN, +Inf or -Inf",
            quoted(s)
        )
    })?;
    if v.is_infinite() {
        let t = s.trim_start_matches(['+', '-']).to_ascii_lowercase();
        if t != "inf" && t != "infinity" {
            return Err(format!(
                "number {} is out of the range of a 64-bit float",
                quoted(s)
            ));
        }
    }
    Ok(v)
}

/// Parses an OpenMetrics timestamp (Unix seconds, possibly fractional) into milliseconds.
///
/// A plain decimal (`1700000000.123`) is converted exactly with integer arithmetic, so that a
/// timestamp written with three decimals comes back as the same millisecond; digits beyond the
/// millisecond are truncated toward zero, as Prometheus' `int64(ts*1000)` does. Exponent forms
/// (`1.7e9`) go through a float.
pub(crate) fn parse_om_timestamp(s: &str) -> Result<i64, String> {
    let v = parse_float(s)?;
    if v.is_nan() || v.is_infinite() {
        return Err(format!(
            "invalid timestamp {}: expected Unix seconds such as 1700000000.123",
            quoted(s)
        ));
    }
    if let Some(ms) = exact_decimal_seconds_to_ms(s) {
        return Ok(ms);
    }
    let ms = v * 1000.0;
    if !(i64::MIN as f64..=i64::MAX as f64).contains(&ms) {
        return Err(format!("timestamp {} is out of range", quoted(s)));
    }
    Ok(ms.trunc() as i64)
}

/// `[sign] digits [. digits]` seconds to milliseconds without rounding error; `None` for any
/// other shape or on overflow.
pub fn exact_decimal_seconds_to_ms(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut ms_part: i64 = 0;
    for (i, b) in frac.bytes().take(3).enumerate() {
        ms_part += i64::from(b - b'0') * [100, 10, 1][i];
    }
    let ms = secs.checked_mul(1000)?.checked_add(ms_part)?;
    Some(if neg { -ms } else { ms })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_follow_prometheus() {
        assert_eq!(parse_float("1").unwrap(), 1.0);
        assert_eq!(parse_float("-2.5e-3").unwrap(), -2.5e-3);
        assert_eq!(parse_float(".5").unwrap(), 0.5);
        assert_eq!(parse_float("+Inf").unwrap(), f64::INFINITY);
        assert_eq!(parse_float("-Inf").unwrap(), f64::NEG_INFINITY);
        assert_eq!(parse_float("inf").unwrap(), f64::INFINITY);
        assert!(parse_float("NaN").unwrap().is_nan());
        assert!(parse_float("nan").unwrap().is_nan());
        assert!(parse_float("1_2").is_err());
        assert!(parse_float("0x1p-3").is_err());
        assert!(parse_float("0x10").is_err());
        assert!(parse_float("true").is_err());
        assert!(parse_float("1e400").is_err());
        assert!(parse_float("").is_err());
        assert!(parse_float("+NaN").is_err());
        assert!(parse_float("-nan").is_err());
        assert_eq!(parse_float("-Infinity").unwrap(), f64::NEG_INFINITY);
        assert_eq!(parse_float("1.").unwrap(), 1.0);
    }

    #[test]
    fn om_timestamps_are_exact() {
        assert_eq!(
            parse_om_timestamp("1520879607.789").unwrap(),
            1_520_879_607_789
        );
        assert_eq!(parse_om_timestamp("1520879607").unwrap(), 1_520_879_607_000);
        assert_eq!(parse_om_timestamp("1.5").unwrap(), 1500);
        assert_eq!(parse_om_timestamp("-0.001").unwrap(), -1);
        assert_eq!(parse_om_timestamp("0.0019").unwrap(), 1);
        assert_eq!(parse_om_timestamp("1.7e9").unwrap(), 1_700_000_000_000);
        assert!(parse_om_timestamp("NaN").is_err());
        assert!(parse_om_timestamp("Inf").is_err());
        assert!(parse_om_timestamp("1z").is_err());
    }

    #[test]
    fn quoted_values_unescape_three_escapes_only() {
        let mut c = Cursor::new(r#""a\\b\"c\nd\te" rest"#);
        assert_eq!(c.quoted_value("l").unwrap(), "a\\b\"c\nd\\te");
        assert_eq!(c.rest(), " rest");
        let mut c = Cursor::new(r#""abc\""#);
        let e = c.quoted_value("l").unwrap_err();
        assert_eq!(e.pos, 0);
        assert!(e.message.contains("unterminated"));
    }

    #[test]
    fn names() {
        let mut c = Cursor::new("a:b_c9{");
        assert_eq!(c.metric_name(), Some("a:b_c9"));
        let mut c = Cursor::new("9a");
        assert_eq!(c.metric_name(), None);
        let mut c = Cursor::new("a:b");
        assert_eq!(c.label_name(), Some("a"));
    }
}
