//! `| logfmt [--strict] [--keep-empty] [params]`, with Loki's logfmt decoder: `key=value`,
//! `key="quoted value"` (JSON-style escapes, plus `\'`), and bare `key` (an empty value).

use super::sanitize::sanitized;
use super::{Absent, ExtractError, Sink, LOGFMT_PARSER_ERR};
use crate::logql::ast::Extraction;
use crate::model::labels::is_valid_label_name;
use std::borrow::Cow;

/// A compiled `| logfmt` stage.
#[derive(Clone, Debug)]
pub struct Logfmt {
    strict: bool,
    keep_empty: bool,
    params: Vec<Param>,
}

/// `label="key"` (or bare `label`): the label to set from a line key.
#[derive(Clone, Debug)]
struct Param {
    label: String,
    key: String,
}

impl Logfmt {
    /// Compiles the stage. Fails, with Loki's wording, on a parameter label that is not a valid
    /// label name or a key that is empty or holds whitespace.
    pub fn new(strict: bool, keep_empty: bool, params: &[Extraction]) -> Result<Logfmt, String> {
        let mut compiled: Vec<Param> = Vec::with_capacity(params.len());
        for p in params {
            if p.expression.is_empty() || p.expression.contains(char::is_whitespace) {
                return Err(format!(
                    "cannot parse expression [{}]: syntax error: unexpected KEY",
                    p.expression
                ));
            }
            if !is_valid_label_name(&p.label) {
                return Err(format!("invalid extracted label name '{}'", p.label));
            }
            // Loki keeps the parameters in a map by label: a later one replaces an earlier.
            compiled.retain(|c| c.label != p.label);
            compiled.push(Param {
                label: p.label.clone(),
                key: p.expression.clone(),
            });
        }
        Ok(Logfmt {
            strict,
            keep_empty,
            params: compiled,
        })
    }

    /// Sends the line's pairs, keys sanitized.
    ///
    /// Without parameters: every pair, except empty values unless `--keep-empty`. With
    /// parameters: only the parameters' keys, renamed to their labels, empty values included
    /// (`--keep-empty` does not apply), then [`Absent::UnlessBaseLabel`] for each parameter
    /// the line lacks. As in Loki, a line key equal to a parameter's *label* also sets it.
    ///
    /// A malformed pair is skipped; under `--strict` the scan stops there and the line fails
    /// with [`LOGFMT_PARSER_ERR`] and the decoder's message, the pairs before it having been
    /// sent. A U+FFFD in a value becomes a space (with parameters: the value becomes "").
    pub fn extract(&self, line: &str, sink: &mut dyn Sink) -> Result<(), ExtractError> {
        let mut decoder = Decoder::new(line);
        if self.params.is_empty() {
            self.all_pairs(&mut decoder, sink);
        } else {
            self.param_pairs(&mut decoder, sink);
        }
        match decoder.err {
            Some(e) if self.strict => Err(ExtractError {
                kind: LOGFMT_PARSER_ERR,
                details: e.to_string(),
            }),
            _ => Ok(()),
        }
    }

    /// The next well-formed pair; `None` at the end, or at the first error when strict.
    fn next_pair<'a>(&self, decoder: &mut Decoder<'a>) -> Option<(&'a str, Cow<'a, str>)> {
        while !decoder.at_end() {
            match decoder.scan() {
                Some(pair) => return Some(pair),
                None if self.strict => return None,
                None => {}
            }
        }
        None
    }

    fn all_pairs(&self, decoder: &mut Decoder<'_>, sink: &mut dyn Sink) {
        let mut name_buf = String::new();
        while let Some((key, value)) = self.next_pair(decoder) {
            let name = sanitized(key, &mut name_buf);
            if name.is_empty() {
                continue;
            }
            let value = replace_invalid(value);
            if value.is_empty() && !self.keep_empty {
                continue;
            }
            sink.add(name, &value);
        }
    }

    fn param_pairs(&self, decoder: &mut Decoder<'_>, sink: &mut dyn Sink) {
        let mut name_buf = String::new();
        let mut found = vec![false; self.params.len()];
        while let Some((key, value)) = self.next_pair(decoder) {
            let name = sanitized(key, &mut name_buf);
            let Some(i) = self.param_for(name) else {
                continue;
            };
            found[i] = true;
            let value = if value.contains('\u{FFFD}') {
                ""
            } else {
                &value
            };
            sink.add(&self.params[i].label, value);
        }
        for (p, _) in self.params.iter().zip(&found).filter(|(_, f)| !**f) {
            sink.absent(&p.label, Absent::UnlessBaseLabel);
        }
    }

    /// The parameter a (sanitized) line key sets: the first whose key it is, else the one
    /// whose label it is.
    fn param_for(&self, name: &str) -> Option<usize> {
        if name.is_empty() {
            return None;
        }
        let label = self
            .params
            .iter()
            .find(|p| p.key == name)
            .map_or(name, |p| p.label.as_str());
        self.params.iter().position(|p| p.label == label)
    }
}

/// U+FFFD (which Prometheus rejects in label values) replaced by a space.
fn replace_invalid(value: Cow<'_, str>) -> Cow<'_, str> {
    if value.contains('\u{FFFD}') {
        Cow::Owned(value.replace('\u{FFFD}', " "))
    } else {
        value
    }
}

/// A logfmt syntax error, shown as Loki shows it (the position counts bytes from 1).
#[derive(Clone, Debug, PartialEq, Eq)]
struct SyntaxError {
    pos: usize,
    msg: String,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "logfmt syntax error at pos {} : {}", self.pos, self.msg)
    }
}

/// How a key ended.
enum KeyEnd<'a> {
    /// At `=`: a value follows.
    Equals(&'a str),
    /// At whitespace or the end of the line: the pair's value is empty.
    Lone(&'a str),
}

/// Loki's logfmt decoder: reads one pair per call and, after an error, resumes at the next
/// whitespace.
struct Decoder<'a> {
    line: &'a str,
    pos: usize,
    /// The most recent error.
    err: Option<SyntaxError>,
}

impl<'a> Decoder<'a> {
    fn new(line: &'a str) -> Decoder<'a> {
        Decoder {
            line,
            pos: 0,
            err: None,
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.line.len()
    }

    fn bytes(&self) -> &'a [u8] {
        self.line.as_bytes()
    }

    /// The next pair, or `None` at the end of the line or on a malformed pair (then `err`).
    fn scan(&mut self) -> Option<(&'a str, Cow<'a, str>)> {
        let b = self.bytes();
        match b[self.pos..].iter().position(|&c| c > b' ') {
            Some(skip) => self.pos += skip,
            None => {
                self.pos = b.len();
                return None;
            }
        }
        let key = match self.key()? {
            KeyEnd::Lone(key) => return Some((key, Cow::Borrowed(""))),
            KeyEnd::Equals(key) => key,
        };
        // Step over the `=`.
        self.pos += 1;
        match b.get(self.pos) {
            None => Some((key, Cow::Borrowed(""))),
            Some(&c) if c <= b' ' => Some((key, Cow::Borrowed(""))),
            Some(b'"') => self.quoted_value().map(|v| (key, v)),
            Some(_) => self.bare_value().map(|v| (key, Cow::Borrowed(v))),
        }
    }

    /// Reads a key, leaving the decoder on the `=` that follows it, or on the whitespace (or
    /// end of line) that ends a lone key.
    fn key(&mut self) -> Option<KeyEnd<'a>> {
        let b = self.bytes();
        let start = self.pos;
        let mut multibyte = false;
        for (p, &c) in b.iter().enumerate().skip(start) {
            if c == b'=' {
                self.pos = p;
                return self.key_before_equals(start, multibyte);
            }
            if c == b'"' {
                self.pos = p;
                self.unexpected(c);
                self.skip_value();
                return None;
            }
            if c <= b' ' {
                self.pos = p;
                return self.lone_key(start, multibyte);
            }
            multibyte |= c >= 0x80;
        }
        self.pos = b.len();
        self.lone_key(start, multibyte)
    }

    /// The key ending at the `=` the decoder is on; an empty or invalid key is an error.
    fn key_before_equals(&mut self, start: usize, multibyte: bool) -> Option<KeyEnd<'a>> {
        let key = &self.line[start..self.pos];
        if key.is_empty() {
            self.unexpected(b'=');
        } else if multibyte && key.contains('\u{FFFD}') {
            self.syntax_error("invalid key");
        } else {
            return Some(KeyEnd::Equals(key));
        }
        self.skip_value();
        None
    }

    /// A key without `=`: a pair with an empty value. An invalid one is an error, and the
    /// decoder stays on the whitespace after it.
    fn lone_key(&mut self, start: usize, multibyte: bool) -> Option<KeyEnd<'a>> {
        let key = &self.line[start..self.pos];
        if multibyte && key.contains('\u{FFFD}') {
            self.syntax_error("invalid key");
            return None;
        }
        Some(KeyEnd::Lone(key))
    }

    /// An unquoted value, up to whitespace; `=` or `"` inside it is an error.
    fn bare_value(&mut self) -> Option<&'a str> {
        let b = self.bytes();
        let start = self.pos;
        for (p, &c) in b.iter().enumerate().skip(start) {
            if c == b'=' || c == b'"' {
                self.pos = p;
                self.unexpected(c);
                self.skip_value();
                return None;
            }
            if c <= b' ' {
                self.pos = p;
                return Some(&self.line[start..p]);
            }
        }
        self.pos = b.len();
        Some(&self.line[start..])
    }

    /// A quoted value starting at the opening quote. Borrowed when it holds no backslash.
    fn quoted_value(&mut self) -> Option<Cow<'a, str>> {
        let b = self.bytes();
        let start = self.pos;
        let (mut has_escape, mut escaped) = (false, false);
        for (p, &c) in b.iter().enumerate().skip(start + 1) {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                has_escape = true;
                escaped = true;
            } else if c == b'"' {
                self.pos = p + 1;
                let inner = &self.line[start + 1..p];
                if !has_escape {
                    return Some(Cow::Borrowed(inner));
                }
                let value = unquote(inner);
                if value.is_none() {
                    self.syntax_error("invalid quoted value");
                }
                return value.map(Cow::Owned);
            }
        }
        self.pos = b.len();
        self.syntax_error("unterminated quoted value");
        None
    }

    /// After an error: skips to the next whitespace.
    fn skip_value(&mut self) {
        let b = self.bytes();
        self.pos += b[self.pos..]
            .iter()
            .position(|&c| c <= b' ')
            .unwrap_or(b.len() - self.pos);
    }

    fn syntax_error(&mut self, msg: &str) {
        self.err = Some(SyntaxError {
            pos: self.pos + 1,
            msg: msg.to_string(),
        });
    }

    /// Go's `unexpected %q` of a byte: the character in single quotes.
    fn unexpected(&mut self, c: u8) {
        self.syntax_error(&format!("unexpected '{}'", c as char));
    }
}

/// Decodes the escapes of a quoted logfmt value (its text between the quotes): `\" \\ \/ \'
/// \b \f \n \r \t \uXXXX` (a surrogate pair combines; a lone surrogate becomes U+FFFD).
/// Control characters are kept as they are. `None` on any other escape or a bare quote.
fn unquote(inner: &str) -> Option<String> {
    let b = inner.as_bytes();
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                let (c, len) = unquote_escape(&b[i..])?;
                out.push(c);
                i += len;
            }
            b'"' => return None,
            _ => {
                let next = inner[i..].find(['\\', '"']).map_or(b.len(), |n| i + n);
                out.push_str(&inner[i..next]);
                i = next;
            }
        }
    }
    Some(out)
}

/// One escape at the start of `b`: the character and the bytes used.
fn unquote_escape(b: &[u8]) -> Option<(char, usize)> {
    let c = match *b.get(1)? {
        c @ (b'"' | b'\\' | b'/' | b'\'') => c as char,
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => return unquote_unicode(b),
        _ => return None,
    };
    Some((c, 2))
}

/// `\uXXXX`, combining a following `\uXXXX` low surrogate into one character.
fn unquote_unicode(b: &[u8]) -> Option<(char, usize)> {
    let r = u4(b)?;
    if !(0xD800..0xE000).contains(&r) {
        return Some((char::from_u32(r)?, 6));
    }
    let pair = (0xD800..0xDC00)
        .contains(&r)
        .then(|| b.get(6..).and_then(u4))
        .flatten()
        .filter(|r2| (0xDC00..0xE000).contains(r2));
    match pair {
        Some(r2) => {
            let c = char::from_u32(0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00))?;
            Some((c, 12))
        }
        None => Some(('\u{FFFD}', 6)),
    }
}

/// The code unit of a `\uXXXX` at the start of `b`.
fn u4(b: &[u8]) -> Option<u32> {
    if b.len() < 6 || b[0] != b'\\' || b[1] != b'u' {
        return None;
    }
    b[2..6]
        .iter()
        .try_fold(0u32, |acc, &c| Some(acc * 16 + (c as char).to_digit(16)?))
}
