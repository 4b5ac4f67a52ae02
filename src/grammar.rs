//! The grammar pieces shared by the query languages and text formats: quoted strings with Go's
//! escape rules, label and metric names, numbers, durations, white space with `#` comments,
//! match operators and `{name="value", ...}` matcher lists.
//!
//! The pieces are nom parsers (`fn(&str) -> IResult<&str, T>`) so that each language's parser can
//! combine them, plus a few plain scanners (`scan_quoted`, `scan_number`) that report *why* a
//! token is malformed, which nom's error kinds cannot say. What this module deliberately does not
//! do: decide what a token means in a given language (keywords, operator precedence, which names
//! are valid where) — that belongs to the PromQL and LogQL parsers.
//!
//! Tokenizing a whole query is each language's `lexer` (`promql::lexer`, `logql::lexer`); this
//! module holds only the pieces they share.
//!
//! Durations come from [`crate::model::time::duration_prefix`] so that the command line, PromQL
//! and LogQL agree on one syntax.

use crate::model::time::duration_prefix;
use crate::model::MatchOp;
use nom::branch::alt;
use nom::bytes::complete::tag;
use nom::character::complete::char;
use nom::combinator::{map, opt, value};
use nom::error::{Error, ErrorKind};
use nom::multi::separated_list0;
use nom::sequence::{delimited, preceded};
use nom::{IResult, Parser};

/// A malformed token: the byte offset (relative to the slice handed to the scanner) and a
/// message in Prometheus' wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LexError {
    pub offset: usize,
    pub message: String,
}

fn lex_err(offset: usize, message: impl Into<String>) -> LexError {
    LexError {
        offset,
        message: message.into(),
    }
}

fn nom_fail<T>(i: &str, kind: ErrorKind) -> IResult<&str, T> {
    Err(nom::Err::Error(Error::new(i, kind)))
}

/// Scans a quoted string at the start of `s` (which must begin with `"`, `'` or a backtick) and
/// returns its unescaped value and the bytes consumed.
///
/// Double- and single-quoted strings follow Go's escapes (`\a \b \f \n \r \t \v \\`, the quote
/// itself, `\ooo` octal, `\xHH`, `\uHHHH`, `\UHHHHHHHH`) and may not contain a raw newline.
/// Backtick strings are raw: no escapes, newlines kept. Byte escapes (`\x`, octal) that do not
/// form valid UTF-8 are replaced by U+FFFD, since our strings are Rust strings.
pub fn scan_quoted(s: &str) -> Result<(String, usize), LexError> {
    let quote = match s.chars().next() {
        Some(q @ ('"' | '\'' | '`')) => q,
        _ => return Err(lex_err(0, "expected a quoted string")),
    };
    if quote == '`' {
        return match s[1..].find('`') {
            Some(end) => Ok((s[1..1 + end].to_string(), end + 2)),
            None => Err(lex_err(s.len(), "unterminated raw string")),
        };
    }
    let mut out: Vec<u8> = Vec::with_capacity(s.len());
    let mut chars = s.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == quote => {
                let v = String::from_utf8(out)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                return Ok((v, i + 1));
            }
            '\n' => return Err(lex_err(i, "unterminated quoted string")),
            '\\' => {
                let Some((j, e)) = chars.next() else {
                    return Err(lex_err(i, "escape sequence not terminated"));
                };
                let simple = match e {
                    'a' => Some(0x07u8),
                    'b' => Some(0x08),
                    'f' => Some(0x0c),
                    'n' => Some(b'\n'),
                    'r' => Some(b'\r'),
                    't' => Some(b'\t'),
                    'v' => Some(0x0b),
                    '\\' => Some(b'\\'),
                    c if c == quote => Some(c as u8),
                    _ => None,
                };
                if let Some(b) = simple {
                    out.push(b);
                    continue;
                }
                let (digits, radix) = match e {
                    '0'..='7' => (3, 8),
                    'x' => (2, 16),
                    'u' => (4, 16),
                    'U' => (8, 16),
                    '\n' => return Err(lex_err(j, "unterminated quoted string")),
                    other => {
                        return Err(lex_err(
                            j,
                            format!("unknown escape sequence U+{:04X} {other:?}", other as u32),
                        ))
                    }
                };
                // Octal escapes include the first digit already read.
                let start = if radix == 8 { j } else { j + 1 };
                let end = start + digits;
                let text = s.get(start..end).unwrap_or(&s[start.min(s.len())..]);
                if let Some(bad) = text.chars().find(|c| !c.is_digit(radix)) {
                    return Err(lex_err(
                        j,
                        format!(
                            "illegal character U+{:04X} {bad:?} in escape sequence",
                            bad as u32
                        ),
                    ));
                }
                if text.len() != digits {
                    return Err(lex_err(j, "escape sequence not terminated"));
                }
                // Consume the digits (the first octal digit was consumed as `e`).
                let to_skip = if radix == 8 { digits - 1 } else { digits };
                for _ in 0..to_skip {
                    chars.next();
                }
                let n = u32::from_str_radix(text, radix)
                    .map_err(|_| lex_err(j, "illegal character in escape sequence"))?;
                match e {
                    '0'..='7' | 'x' => {
                        if n > 255 {
                            return Err(lex_err(
                                j,
                                "escape sequence is invalid Unicode code point",
                            ));
                        }
                        out.push(n as u8);
                    }
                    _ => match char::from_u32(n) {
                        Some(c) => {
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        }
                        None => {
                            return Err(lex_err(j, "escape sequence is invalid Unicode code point"))
                        }
                    },
                }
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    Err(lex_err(s.len(), "unterminated quoted string"))
}

/// nom: a quoted string (see [`scan_quoted`]); a malformed one is a `Failure` (no backtracking).
pub fn quoted_string(i: &str) -> IResult<&str, String> {
    match i.chars().next() {
        Some('"' | '\'' | '`') => match scan_quoted(i) {
            Ok((v, n)) => Ok((&i[n..], v)),
            Err(_) => Err(nom::Err::Failure(Error::new(i, ErrorKind::Escaped))),
        },
        _ => nom_fail(i, ErrorKind::Char),
    }
}

fn take_name(i: &str, colon: bool) -> IResult<&str, &str> {
    let ok_first = |c: u8| c.is_ascii_alphabetic() || c == b'_' || (colon && c == b':');
    let ok_rest = |c: u8| ok_first(c) || c.is_ascii_digit();
    let b = i.as_bytes();
    if b.is_empty() || !ok_first(b[0]) {
        return nom_fail(i, ErrorKind::Alpha);
    }
    let n = b.iter().position(|&c| !ok_rest(c)).unwrap_or(b.len());
    Ok((&i[n..], &i[..n]))
}

/// nom: a label name `[a-zA-Z_][a-zA-Z0-9_]*` (also every keyword-like word).
pub fn label_name(i: &str) -> IResult<&str, &str> {
    take_name(i, false)
}

/// nom: a metric name `[a-zA-Z_:][a-zA-Z0-9_:]*`.
pub fn metric_name(i: &str) -> IResult<&str, &str> {
    take_name(i, true)
}

/// nom: a label name, bare or quoted (Prometheus 3.x UTF-8 names: `"service.name"`).
pub fn label_name_or_quoted(i: &str) -> IResult<&str, String> {
    alt((map(label_name, str::to_string), quoted_string)).parse(i)
}

/// Scans a number at the start of `s` as Prometheus' lexer does: decimal digits with an
/// optional fraction and exponent, or `0x` hex digits. Returns the bytes consumed (0 when `s`
/// does not start with a number). Does not look at what follows.
pub fn scan_number(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize, hex: bool| {
        let start = *i;
        while *i < b.len() && (b[*i].is_ascii_digit() || (hex && b[*i].is_ascii_hexdigit())) {
            *i += 1;
        }
        *i - start
    };
    if b.len() >= 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X') {
        i = 2;
        if digits(&mut i, true) == 0 {
            return 0;
        }
        return i;
    }
    let int = digits(&mut i, false);
    let mut frac = 0;
    if i < b.len() && b[i] == b'.' {
        let save = i;
        i += 1;
        frac = digits(&mut i, false);
        if int == 0 && frac == 0 {
            return save;
        }
    }
    if int == 0 && frac == 0 {
        return 0;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let save = i;
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i, false) == 0 {
            i = save;
        }
    }
    i
}

/// The value of a number token: integers as Go's `ParseInt(s, 0, 64)` reads them (so `0x1F` is
/// hex and a leading `0` means octal, as in Prometheus), otherwise a float; `Inf` and `NaN` in
/// any case.
pub fn number_value(text: &str) -> Option<f64> {
    let lower = text.to_ascii_lowercase();
    match lower.as_str() {
        "inf" | "+inf" => return Some(f64::INFINITY),
        "-inf" => return Some(f64::NEG_INFINITY),
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    if let Some(hex) = lower.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16)
            .map(|v| v as f64)
            .ok()
            .or_else(|| u128::from_str_radix(hex, 16).ok().map(|v| v as f64));
    }
    if lower.len() > 1 && lower.starts_with('0') && lower.bytes().all(|c| c.is_ascii_digit()) {
        if let Ok(v) = i64::from_str_radix(&lower[1..], 8) {
            return Some(v as f64);
        }
    }
    lower.parse::<f64>().ok()
}

/// nom: a number literal (see [`scan_number`] and [`number_value`]), including `Inf`/`NaN`.
pub fn number(i: &str) -> IResult<&str, f64> {
    let n = scan_number(i);
    if n > 0 {
        if let Some(v) = number_value(&i[..n]) {
            return Ok((&i[n..], v));
        }
    }
    let (rest, word) = label_name(i)?;
    match number_value(word) {
        Some(v) if word.len() == 3 => Ok((rest, v)),
        _ => nom_fail(i, ErrorKind::Float),
    }
}

/// nom: a Prometheus duration (`5m`, `1h30m`, `500ms`) in milliseconds. It must not run into
/// further letters or digits (`5mx` is not a duration).
pub fn duration(i: &str) -> IResult<&str, i64> {
    match duration_prefix(i) {
        Some((ms, n)) if !i[n..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') => {
            Ok((&i[n..], ms))
        }
        _ => nom_fail(i, ErrorKind::Digit),
    }
}

/// nom: white space and `#` comments (to the end of the line); never fails.
pub fn ws(i: &str) -> IResult<&str, ()> {
    let mut rest = i;
    loop {
        let t = rest.trim_start_matches([' ', '\t', '\n', '\r']);
        if let Some(c) = t.strip_prefix('#') {
            rest = c.find('\n').map_or("", |p| &c[p..]);
        } else {
            return Ok((t, ()));
        }
    }
}

/// nom: one of `=~`, `!~`, `!=`, `=` (longest first).
pub fn match_op(i: &str) -> IResult<&str, MatchOp> {
    alt((
        value(MatchOp::RegexMatch, tag("=~")),
        value(MatchOp::RegexNoMatch, tag("!~")),
        value(MatchOp::NotEqual, tag("!=")),
        value(MatchOp::Equal, tag("=")),
    ))
    .parse(i)
}

/// One `name op "value"` triple as written; turning it into a [`crate::model::Matcher`]
/// (compiling regexes) is left to the caller, which knows how to report a bad pattern.
pub type RawMatcher = (String, MatchOp, String);

/// nom: `name op "value"` with optional white space around the operator.
pub fn label_matcher(i: &str) -> IResult<&str, RawMatcher> {
    let (i, name) = label_name_or_quoted(i)?;
    let (i, _) = ws(i)?;
    let (i, op) = match_op(i)?;
    let (i, _) = ws(i)?;
    let (i, v) = quoted_string(i)?;
    Ok((i, (name, op, v)))
}

/// nom: `{ m1, m2, ... }` with an optional trailing comma; white space and comments allowed
/// between the pieces. This is the stream selector of LogQL and the label part of a series
/// description; PromQL goes through its own token-based parser for better error messages.
pub fn matcher_list(i: &str) -> IResult<&str, Vec<RawMatcher>> {
    let sep = (ws, char(','), ws);
    let (i, list) = delimited(
        (char('{'), ws),
        separated_list0(sep, label_matcher),
        (ws, opt(preceded(char(','), ws)), char('}')),
    )
    .parse(i)?;
    Ok((i, list))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> String {
        scan_quoted(s).unwrap().0
    }

    #[test]
    fn go_escapes() {
        assert_eq!(q(r#""a\nb\t\\\"""#), "a\nb\t\\\"");
        assert_eq!(q(r"'it\'s'"), "it's");
        assert_eq!(q(r#""\x41\101\u00e9\U0001F600""#), "AAé😀");
        assert_eq!(q(r#""\a\b\f\v\r""#), "\x07\x08\x0c\x0b\r");
        assert_eq!(q("`raw \\n\nline`"), "raw \\n\nline");
        assert_eq!(scan_quoted("\"ab\" rest").unwrap().1, 4);
    }

    #[test]
    fn bad_strings() {
        assert!(scan_quoted("\"abc")
            .unwrap_err()
            .message
            .contains("unterminated"));
        assert!(scan_quoted("\"a\nb\"")
            .unwrap_err()
            .message
            .contains("unterminated"));
        assert!(scan_quoted("`abc").unwrap_err().message.contains("raw"));
        assert!(scan_quoted(r#""\q""#)
            .unwrap_err()
            .message
            .contains("unknown escape"));
        assert!(scan_quoted(r#""\'""#)
            .unwrap_err()
            .message
            .contains("unknown escape"));
        assert!(scan_quoted(r#""\xZZ""#).is_err());
        assert!(scan_quoted(r#""\400""#).is_err());
        assert!(scan_quoted(r#""\uD800""#).is_err());
    }

    #[test]
    fn numbers() {
        assert_eq!(number("1.5e3 x"), Ok((" x", 1500.0)));
        assert_eq!(number("0x1F"), Ok(("", 31.0)));
        assert_eq!(number(".5"), Ok(("", 0.5)));
        assert_eq!(number("5."), Ok(("", 5.0)));
        assert_eq!(number("010"), Ok(("", 8.0)));
        assert_eq!(number("1e"), Ok(("e", 1.0)));
        assert!(number("InF").unwrap().1.is_infinite());
        assert!(number("nan").unwrap().1.is_nan());
        assert!(number("nano").is_err());
        assert!(number("x").is_err());
    }

    #[test]
    fn durations_and_names() {
        assert_eq!(duration("1h30m]"), Ok(("]", 5_400_000)));
        assert!(duration("5mx").is_err());
        assert!(duration("5").is_err());
        assert_eq!(metric_name("a:b_c{"), Ok(("{", "a:b_c")));
        assert_eq!(label_name("a:b"), Ok((":b", "a")));
        assert!(label_name("1a").is_err());
    }

    #[test]
    fn matcher_lists() {
        let (rest, ms) = matcher_list(r#"{a="b", "c.d" =~ 'e.*' , f!~`g`,} x"#).unwrap();
        assert_eq!(rest, " x");
        assert_eq!(ms.len(), 3);
        assert_eq!(
            ms[1],
            ("c.d".to_string(), MatchOp::RegexMatch, "e.*".to_string())
        );
        assert_eq!(matcher_list("{}").unwrap().1.len(), 0);
        assert!(matcher_list("{a=b}").is_err());
        assert_eq!(ws("  # c\n  x").unwrap().0, "x");
    }
}
