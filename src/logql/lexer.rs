//! The LogQL tokenizer: a query to a flat list of tokens with byte positions.
//!
//! It owns LogQL's context-free but peculiar lexical rules (from Loki's `lex.go`): keywords are
//! case-insensitive; a function name is a keyword only when `(` (or `by`/`without` and `(`)
//! follows, otherwise it is an identifier, so `| rate="a"` is a label filter; a number directly
//! followed by duration or byte-unit letters is one DURATION or BYTES token (`250ms`, `20MB`);
//! `[...]` is read whole as a range with Prometheus' duration syntax; `-` starts a parser flag
//! (`--strict`) or a negative duration (`-2s`) when one follows; `#` comments run to the end of
//! the line. The parser (`parser*.rs`) gives the tokens their meaning.

use super::units::{parse_bytes, parse_duration, parse_go_duration, parse_prom_duration};
use super::ParseError;
use crate::grammar::scan_quoted;

/// Keywords reserved everywhere: they can never be label names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keyword {
    By,
    Without,
    Bool,
    On,
    Ignoring,
    GroupLeft,
    GroupRight,
    And,
    Or,
    Unless,
    Offset,
    Unwrap,
    Json,
    Logfmt,
    Regexp,
    Pattern,
    Unpack,
    LineFormat,
    LabelFormat,
    Decolorize,
    Drop,
    Keep,
}

const KEYWORDS: [(&str, Keyword); 22] = [
    ("by", Keyword::By),
    ("without", Keyword::Without),
    ("bool", Keyword::Bool),
    ("on", Keyword::On),
    ("ignoring", Keyword::Ignoring),
    ("group_left", Keyword::GroupLeft),
    ("group_right", Keyword::GroupRight),
    ("and", Keyword::And),
    ("or", Keyword::Or),
    ("unless", Keyword::Unless),
    ("offset", Keyword::Offset),
    ("unwrap", Keyword::Unwrap),
    ("json", Keyword::Json),
    ("logfmt", Keyword::Logfmt),
    ("regexp", Keyword::Regexp),
    ("pattern", Keyword::Pattern),
    ("unpack", Keyword::Unpack),
    ("line_format", Keyword::LineFormat),
    ("label_format", Keyword::LabelFormat),
    ("decolorize", Keyword::Decolorize),
    ("drop", Keyword::Drop),
    ("keep", Keyword::Keep),
];

/// The words that are function names when a call follows (the lower-cased spelling is kept in
/// the token; the parser maps it to a range or vector operation).
const FUNCTIONS: [&str; 32] = [
    "rate",
    "rate_counter",
    "count_over_time",
    "bytes_rate",
    "bytes_over_time",
    "avg_over_time",
    "sum_over_time",
    "min_over_time",
    "max_over_time",
    "stdvar_over_time",
    "stddev_over_time",
    "quantile_over_time",
    "first_over_time",
    "last_over_time",
    "absent_over_time",
    "vector",
    "sum",
    "avg",
    "max",
    "min",
    "count",
    "stddev",
    "stdvar",
    "bottomk",
    "topk",
    "sort",
    "sort_desc",
    "label_replace",
    "approx_topk",
    "bytes",
    "duration",
    "duration_seconds",
];

/// `ip` is a function too; kept apart because it is also a line-filter operand.
const IP: &str = "ip";

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Ident(String),
    Keyword(Keyword),
    /// A function name followed by a call (lower-cased): `rate`, `sum`, `ip`, `bytes`, ...
    Func(&'static str),
    /// A number literal's text (converted by the parser, which reports bad literals).
    Number(String),
    Duration(i64),
    Bytes(u64),
    Str(String),
    /// `[5m]`: the range in nanoseconds.
    Range(i64),
    /// `--strict`, `--keep-empty`.
    Flag(String),
    LParen,
    RParen,
    LBrace,
    RBrace,
    Comma,
    Dot,
    /// `=`
    Eq,
    /// `==`
    CmpEq,
    /// `!=`
    Neq,
    /// `=~`
    Re,
    /// `!~`
    Nre,
    /// `!>`
    Npa,
    /// `|=`
    PipeExact,
    /// `|~`
    PipeMatch,
    /// `|>`
    PipePattern,
    Pipe,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Gt,
    Gte,
    Lt,
    Lte,
    Eof,
}

impl Tok {
    /// How errors name the token, as Loki's parser does (keywords and functions in lower
    /// case: `syntax error: unexpected bool`).
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("IDENTIFIER {s:?}"),
            Tok::Keyword(k) => KEYWORDS
                .iter()
                .find(|(_, kw)| kw == k)
                .map_or("keyword", |(s, _)| s)
                .to_string(),
            Tok::Func(f) => f.to_string(),
            Tok::Number(n) => format!("NUMBER {n}"),
            Tok::Duration(_) => "DURATION".into(),
            Tok::Bytes(_) => "BYTES".into(),
            Tok::Str(s) => format!("STRING {s:?}"),
            Tok::Range(_) => "RANGE".into(),
            Tok::Flag(f) => format!("flag {f}"),
            Tok::Eof => "end of input".into(),
            other => symbol(other).to_string(),
        }
    }
}

fn symbol(t: &Tok) -> &'static str {
    match t {
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::LBrace => "{",
        Tok::RBrace => "}",
        Tok::Comma => ",",
        Tok::Dot => ".",
        Tok::Eq => "=",
        Tok::CmpEq => "==",
        Tok::Neq => "!=",
        Tok::Re => "=~",
        Tok::Nre => "!~",
        Tok::Npa => "!>",
        Tok::PipeExact => "|=",
        Tok::PipeMatch => "|~",
        Tok::PipePattern => "|>",
        Tok::Pipe => "|",
        Tok::Add => "+",
        Tok::Sub => "-",
        Tok::Mul => "*",
        Tok::Div => "/",
        Tok::Mod => "%",
        Tok::Pow => "^",
        Tok::Gt => ">",
        Tok::Gte => ">=",
        Tok::Lt => "<",
        Tok::Lte => "<=",
        _ => "?",
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    /// Byte offset of the token's first byte.
    pub pos: usize,
}

/// Splits a query into tokens, ending with `Eof`. Fails on the first lexical error.
pub fn tokenize(input: &str) -> Result<Vec<Token>, ParseError> {
    let mut l = Lexer { input, pos: 0 };
    let mut out = Vec::new();
    loop {
        let t = l.next_token()?;
        let end = t.tok == Tok::Eof;
        out.push(t);
        if end {
            return Ok(out);
        }
    }
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    fn err(&self, pos: usize, msg: impl Into<String>) -> ParseError {
        ParseError::new(self.input, pos, msg)
    }

    /// Skips whitespace and `#` comments.
    fn skip_blank(&mut self) {
        loop {
            let r = self.rest();
            let trimmed = r.trim_start();
            self.pos += r.len() - trimmed.len();
            if trimmed.starts_with('#') {
                self.pos += trimmed.find('\n').unwrap_or(trimmed.len());
            } else {
                return;
            }
        }
    }

    fn next_token(&mut self) -> Result<Token, ParseError> {
        self.skip_blank();
        let start = self.pos;
        let r = self.rest();
        let Some(c) = r.chars().next() else {
            return Ok(Token {
                tok: Tok::Eof,
                pos: start,
            });
        };
        let tok = if c == '"' || c == '`' {
            let (value, n) = scan_quoted(r).map_err(|e| self.err(start + e.offset, e.message))?;
            self.pos += n;
            Tok::Str(value)
        } else if c == '[' {
            let Some(end) = r.find(']') else {
                return Err(self.err(start, "missing closing ']' in duration"));
            };
            let text = &r[1..end];
            let ns = parse_prom_duration(text)
                .ok_or_else(|| self.err(start + 1, format!("not a valid duration: {text:?}")))?;
            self.pos += end + 1;
            Tok::Range(ns)
        } else if c.is_ascii_digit()
            || (c == '.' && r[1..].starts_with(|d: char| d.is_ascii_digit()))
        {
            self.number()
        } else if is_ident_start(c) {
            self.word()
        } else if c == '-' {
            self.pos += 1;
            self.after_minus()
        } else {
            self.operator(c)?
        };
        Ok(Token { tok, pos: start })
    }

    /// A number, or a duration or byte count when unit letters follow it directly.
    fn number(&mut self) -> Tok {
        let n = scan_go_number(self.rest());
        let text = self.rest()[..n].to_string();
        self.pos += n;
        if let Some((ns, used)) = self.unit_suffix(&text, is_duration_char, parse_duration) {
            self.pos += used;
            return Tok::Duration(ns);
        }
        if let Some((b, used)) = self.unit_suffix(&text, is_bytes_char, parse_bytes) {
            self.pos += used;
            return Tok::Bytes(b);
        }
        Tok::Number(text)
    }

    /// Tries `prefix` + the run of `allowed` characters that follows (up to whitespace) as a
    /// value; returns it and the bytes of the run, without consuming them.
    fn unit_suffix<T>(
        &self,
        prefix: &str,
        allowed: fn(char) -> bool,
        parse: fn(&str) -> Option<T>,
    ) -> Option<(T, usize)> {
        let r = self.rest();
        let used = r
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || allowed(c)))
            .unwrap_or(r.len());
        if used == 0 {
            return None;
        }
        parse(&format!("{prefix}{}", &r[..used])).map(|v| (v, used))
    }

    /// After a `-`: a parser flag (`--strict`), a negative duration (`-2s`), or minus.
    fn after_minus(&mut self) -> Tok {
        let r = self.rest();
        if r.starts_with('-') {
            let n = r
                .find(|c: char| !(c.is_alphabetic() || c == '-'))
                .unwrap_or(r.len());
            let flag = format!("-{}", &r[..n]);
            if flag == "--strict" || flag == "--keep-empty" {
                self.pos += n;
                return Tok::Flag(flag);
            }
        }
        if let Some((ns, used)) = self.unit_suffix("-", is_duration_char, parse_go_duration) {
            self.pos += used;
            return Tok::Duration(ns);
        }
        Tok::Sub
    }

    fn word(&mut self) -> Tok {
        let r = self.rest();
        let n = r.find(|c: char| !is_ident_char(c)).unwrap_or(r.len());
        let text = &r[..n];
        let lower = text.to_lowercase();
        self.pos += n;
        let func = FUNCTIONS
            .iter()
            .chain(std::iter::once(&IP))
            .find(|f| **f == lower);
        if let Some(f) = func {
            return if is_call(self.rest()) {
                Tok::Func(f)
            } else {
                Tok::Ident(text.to_string())
            };
        }
        if let Some((_, k)) = KEYWORDS.iter().find(|(s, _)| *s == lower) {
            return Tok::Keyword(*k);
        }
        Tok::Ident(text.to_string())
    }

    fn operator(&mut self, c: char) -> Result<Tok, ParseError> {
        let r = self.rest();
        let two = r.get(..2).unwrap_or("");
        let tok2 = match two {
            "==" => Some(Tok::CmpEq),
            "!=" => Some(Tok::Neq),
            "=~" => Some(Tok::Re),
            "!~" => Some(Tok::Nre),
            "!>" => Some(Tok::Npa),
            "|=" => Some(Tok::PipeExact),
            "|~" => Some(Tok::PipeMatch),
            "|>" => Some(Tok::PipePattern),
            ">=" => Some(Tok::Gte),
            "<=" => Some(Tok::Lte),
            _ => None,
        };
        if let Some(t) = tok2 {
            self.pos += 2;
            return Ok(t);
        }
        let t = match c {
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            '{' => Tok::LBrace,
            '}' => Tok::RBrace,
            ',' => Tok::Comma,
            '.' => Tok::Dot,
            '=' => Tok::Eq,
            '|' => Tok::Pipe,
            '+' => Tok::Add,
            '*' => Tok::Mul,
            '/' => Tok::Div,
            '%' => Tok::Mod,
            '^' => Tok::Pow,
            '>' => Tok::Gt,
            '<' => Tok::Lt,
            _ => return Err(self.err(self.pos, format!("unexpected character {c:?}"))),
        };
        self.pos += c.len_utf8();
        Ok(t)
    }
}

fn is_duration_char(c: char) -> bool {
    matches!(c, 'n' | 'u' | 'µ' | 'm' | 's' | 'h' | 'd' | 'w' | 'y')
}

fn is_bytes_char(c: char) -> bool {
    matches!(c, 'B' | 'i' | 'k' | 'K' | 'M' | 'G' | 'T' | 'P')
}

/// True when what follows a function name makes it a call: `(`, or `by`/`without` then `(`
/// (whitespace allowed in between, case-insensitive), as Loki's lexer decides.
fn is_call(rest: &str) -> bool {
    let r = rest.trim_start();
    if r.starts_with('(') {
        return true;
    }
    let lower = r.get(..7).unwrap_or(r).to_ascii_lowercase();
    for kw in ["by", "without"] {
        if lower.starts_with(kw) {
            return r[kw.len()..].trim_start().starts_with('(');
        }
    }
    false
}

/// The length of the number at the start of `s` as Go's scanner reads it: decimal with
/// fraction and exponent, or `0x`/`0o`/`0b` prefixed (hex with `.` and a `p` exponent), digit
/// separators included. Whether the text is a valid float is decided later.
fn scan_go_number(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    let lower = |i: usize| b.get(i).map(|c| c.to_ascii_lowercase());
    if b.first() == Some(&b'0') && matches!(lower(1), Some(b'x' | b'o' | b'b')) {
        let hex = lower(1) == Some(b'x');
        i = 2;
        while i < b.len() && (b[i].is_ascii_hexdigit() || b[i] == b'_' || (hex && b[i] == b'.')) {
            i += 1;
        }
        if hex && lower(i) == Some(b'p') {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
        return i;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    if lower(i) == Some(b'e') {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if b.get(j).is_some_and(|c| c.is_ascii_digit()) {
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    i
}
