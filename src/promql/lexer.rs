//! The PromQL tokenizer: turns a query into a flat list of tokens with byte positions.
//!
//! It owns the context-dependent lexing Prometheus does (inside `{...}` only label names,
//! strings, match operators and commas exist; inside `[...]` a `:` separates range and step;
//! parentheses, braces and brackets must balance) and the lexical error messages. It uses the
//! shared pieces of `crate::grammar` for strings, names, numbers and durations. It does not know
//! about keywords: words are `Ident`s and the parser decides what `sum` or `offset` means where,
//! because Prometheus lets most keywords double as metric and label names.

use crate::grammar::{scan_number, scan_quoted};
use crate::model::time::duration_prefix;

#[derive(Clone, Debug, PartialEq)]
pub enum TokKind {
    /// A word without `:` (`foo`, `sum`, `by`); keywords are recognised by the parser.
    Ident,
    /// A word containing `:` (`job:rate5m`), only valid as a metric name.
    MetricIdent,
    /// A number, including `Inf` and `NaN`.
    Number,
    /// A duration such as `5m` or `1h30m`.
    Duration,
    /// A quoted string; the value is unescaped.
    Str(String),
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    Colon,
    At,
    /// `=` (only meaningful inside braces).
    Assign,
    EqlRegex,
    NeqRegex,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    /// `==`
    Eqlc,
    Neq,
    Lss,
    Lte,
    Gtr,
    Gte,
    Eof,
    /// A lexical error; the lexer stops after it.
    Error(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub kind: TokKind,
    /// Byte offsets `[start, end)` in the query.
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// The token as written. The lexer only ends tokens on character boundaries; should a
    /// token ever not, it reads as empty rather than panicking on a bad slice.
    pub fn text<'a>(&self, input: &'a str) -> &'a str {
        input.get(self.start..self.end).unwrap_or("")
    }
}

/// How a token is named in "unexpected ..." messages, close to Prometheus' wording.
pub fn describe(tok: &Token, input: &str) -> String {
    let text = tok.text(input);
    match &tok.kind {
        TokKind::Eof => "end of input".to_string(),
        TokKind::At => "<op:@>".to_string(),
        TokKind::Error(m) => m.clone(),
        TokKind::Ident | TokKind::MetricIdent => {
            let lower = text.to_ascii_lowercase();
            if crate::promql::ast::AggOp::from_name(&lower).is_some() {
                format!("<aggr:{text}>")
            } else if matches!(lower.as_str(), "and" | "or" | "unless" | "atan2") {
                format!("<op:{text}>")
            } else if is_keyword(&lower) {
                format!("<{text}>")
            } else {
                format!("identifier {text:?}")
            }
        }
        TokKind::Number => format!("number {text:?}"),
        TokKind::Duration => format!("duration {text:?}"),
        TokKind::Str(_) => format!("string {text:?}"),
        TokKind::Add
        | TokKind::Sub
        | TokKind::Mul
        | TokKind::Div
        | TokKind::Mod
        | TokKind::Pow
        | TokKind::Eqlc
        | TokKind::Neq
        | TokKind::Lss
        | TokKind::Lte
        | TokKind::Gtr
        | TokKind::Gte
        | TokKind::EqlRegex
        | TokKind::NeqRegex => format!("<op:{text}>"),
        _ => format!("{text:?}"),
    }
}

/// Words with a meaning of their own in PromQL (lower case). Aggregation names are keywords too.
pub fn is_keyword(lower: &str) -> bool {
    matches!(
        lower,
        "and"
            | "or"
            | "unless"
            | "atan2"
            | "offset"
            | "by"
            | "without"
            | "on"
            | "ignoring"
            | "group_left"
            | "group_right"
            | "bool"
            | "start"
            | "end"
    ) || crate::promql::ast::AggOp::from_name(lower).is_some()
}

fn is_word_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b':'
}

/// Tokenizes `input`. The last token is `Eof` or, on a lexical error, `Error`.
pub fn tokenize(input: &str) -> Vec<Token> {
    let mut lx = Lexer {
        input,
        b: input.as_bytes(),
        pos: 0,
        toks: Vec::new(),
        paren_depth: 0,
        brace_open: false,
        bracket_open: false,
    };
    lx.run();
    lx.toks
}

struct Lexer<'a> {
    input: &'a str,
    b: &'a [u8],
    pos: usize,
    toks: Vec<Token>,
    paren_depth: usize,
    brace_open: bool,
    bracket_open: bool,
}

impl Lexer<'_> {
    fn emit(&mut self, kind: TokKind, start: usize, end: usize) {
        self.toks.push(Token { kind, start, end });
        self.pos = end;
    }

    /// Ends the token list with an error spanning the character at `at` (a character
    /// boundary), so that its text is a whole character even outside ASCII.
    fn error(&mut self, at: usize, msg: String) {
        let at = at.min(self.input.len());
        let width = self
            .input
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .map_or(0, char::len_utf8);
        let end = at + width;
        self.toks.push(Token {
            kind: TokKind::Error(msg),
            start: at,
            end,
        });
    }

    fn peek(&self, off: usize) -> Option<u8> {
        self.b.get(self.pos + off).copied()
    }

    fn cur_char(&self) -> char {
        self.input
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
            .unwrap_or('\0')
    }

    /// Runs to the end or the first error.
    fn run(&mut self) {
        loop {
            // Skip white space and comments.
            while let Some(c) = self.peek(0) {
                if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                    self.pos += 1;
                } else if c == b'#' {
                    while let Some(c) = self.peek(0) {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                } else {
                    break;
                }
            }
            let start = self.pos;
            let Some(c) = self.peek(0) else {
                if self.brace_open {
                    return self.error(start, "unexpected end of input inside braces".into());
                }
                if self.bracket_open {
                    return self.error(start, "unclosed left bracket".into());
                }
                if self.paren_depth > 0 {
                    return self.error(start, "unclosed left parenthesis".into());
                }
                return self.emit(TokKind::Eof, start, start);
            };
            let ok = if self.brace_open {
                self.inside_braces(c, start)
            } else {
                self.statement(c, start)
            };
            if !ok {
                return;
            }
        }
    }

    fn string(&mut self, start: usize) -> bool {
        match scan_quoted(&self.input[start..]) {
            Ok((v, n)) => {
                self.emit(TokKind::Str(v), start, start + n);
                true
            }
            Err(e) => {
                self.error(start + e.offset, e.message);
                false
            }
        }
    }

    fn word(&mut self, start: usize, allow_colon: bool) {
        let mut end = start;
        while end < self.b.len()
            && is_word_char(self.b[end])
            && (allow_colon || self.b[end] != b':')
        {
            end += 1;
        }
        let text = &self.input[start..end];
        let kind = if text.contains(':') {
            TokKind::MetricIdent
        } else if !self.brace_open && matches!(text.to_ascii_lowercase().as_str(), "inf" | "nan") {
            TokKind::Number
        } else {
            TokKind::Ident
        };
        self.emit(kind, start, end);
    }

    fn inside_braces(&mut self, c: u8, start: usize) -> bool {
        match c {
            b'"' | b'\'' | b'`' => return self.string(start),
            b',' => self.emit(TokKind::Comma, start, start + 1),
            b'}' => {
                self.brace_open = false;
                self.emit(TokKind::RBrace, start, start + 1)
            }
            b'=' if self.peek(1) == Some(b'~') => self.emit(TokKind::EqlRegex, start, start + 2),
            b'=' => self.emit(TokKind::Assign, start, start + 1),
            b'!' if self.peek(1) == Some(b'~') => self.emit(TokKind::NeqRegex, start, start + 2),
            b'!' if self.peek(1) == Some(b'=') => self.emit(TokKind::Neq, start, start + 2),
            b'!' => {
                self.pos += 1;
                let n = self.cur_char();
                self.error(
                    start,
                    format!("unexpected character after '!' inside braces: {n:?}"),
                );
                return false;
            }
            b'{' => {
                self.error(start, "unexpected left brace '{' inside braces".into());
                return false;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => self.word(start, false),
            _ => {
                let ch = self.cur_char();
                self.error(start, format!("unexpected character inside braces: {ch:?}"));
                return false;
            }
        }
        true
    }

    fn statement(&mut self, c: u8, start: usize) -> bool {
        let two = |s: &Self, k1: TokKind, next: u8, k2: TokKind| {
            if s.peek(1) == Some(next) {
                (k2, 2)
            } else {
                (k1, 1)
            }
        };
        let (kind, len) = match c {
            b'"' | b'\'' | b'`' => return self.string(start),
            b',' => (TokKind::Comma, 1),
            b'(' => {
                self.paren_depth += 1;
                (TokKind::LParen, 1)
            }
            b')' => {
                if self.paren_depth == 0 {
                    self.error(start, "unexpected right parenthesis ')'".into());
                    return false;
                }
                self.paren_depth -= 1;
                (TokKind::RParen, 1)
            }
            b'{' => {
                self.brace_open = true;
                (TokKind::LBrace, 1)
            }
            b'}' => {
                self.error(start, "unexpected character: '}'".into());
                return false;
            }
            b'[' => {
                if self.bracket_open {
                    self.error(start, "unexpected left bracket '['".into());
                    return false;
                }
                self.bracket_open = true;
                (TokKind::LBracket, 1)
            }
            b']' => {
                if !self.bracket_open {
                    self.error(start, "unexpected right bracket ']'".into());
                    return false;
                }
                self.bracket_open = false;
                (TokKind::RBracket, 1)
            }
            b':' if self.bracket_open => (TokKind::Colon, 1),
            b'@' => (TokKind::At, 1),
            b'+' => (TokKind::Add, 1),
            b'-' => (TokKind::Sub, 1),
            b'*' => (TokKind::Mul, 1),
            b'/' => (TokKind::Div, 1),
            b'%' => (TokKind::Mod, 1),
            b'^' => (TokKind::Pow, 1),
            b'=' => match self.peek(1) {
                Some(b'=') => (TokKind::Eqlc, 2),
                Some(b'~') => {
                    self.error(start, "unexpected character after '=': '~'".into());
                    return false;
                }
                _ => (TokKind::Assign, 1),
            },
            b'!' => match self.peek(1) {
                Some(b'=') => (TokKind::Neq, 2),
                _ => {
                    self.pos += 1;
                    let n = self.cur_char();
                    self.error(start, format!("unexpected character after '!': {n:?}"));
                    return false;
                }
            },
            b'<' => two(self, TokKind::Lss, b'=', TokKind::Lte),
            b'>' => two(self, TokKind::Gtr, b'=', TokKind::Gte),
            c if c.is_ascii_digit()
                || (c == b'.' && self.peek(1).is_some_and(|d| d.is_ascii_digit())) =>
            {
                return self.number_or_duration(start)
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c == b':' => {
                self.word(start, true);
                return true;
            }
            _ => {
                let ch = self.cur_char();
                self.error(start, format!("unexpected character: {ch:?}"));
                return false;
            }
        };
        self.emit(kind, start, start + len);
        true
    }

    fn number_or_duration(&mut self, start: usize) -> bool {
        let rest = &self.input[start..];
        let followed_by_word = |n: usize| {
            rest.as_bytes()
                .get(n)
                .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.')
        };
        if let Some((_, n)) = duration_prefix(rest) {
            // A bare integer is a number, not a duration; a duration needs a unit.
            let is_duration = rest.as_bytes()[..n].iter().any(|c| c.is_ascii_alphabetic());
            if is_duration && !followed_by_word(n) {
                self.emit(TokKind::Duration, start, start + n);
                return true;
            }
        }
        let n = scan_number(rest);
        if n > 0 && !followed_by_word(n) {
            self.emit(TokKind::Number, start, start + n);
            return true;
        }
        let mut end = start + n.max(1);
        while end < self.b.len()
            && (self.b[end].is_ascii_alphanumeric() || self.b[end] == b'_' || self.b[end] == b'.')
        {
            end += 1;
        }
        self.error(
            start,
            format!(
                "bad number or duration syntax: {:?}",
                &self.input[start..end]
            ),
        );
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<TokKind> {
        tokenize(s).into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn basic_tokens() {
        use TokKind::*;
        assert_eq!(
            kinds(r#"rate(foo{a=~"x"}[5m:1m]) >= 0x1f # comment"#),
            vec![
                Ident,
                LParen,
                Ident,
                LBrace,
                Ident,
                EqlRegex,
                Str("x".into()),
                RBrace,
                LBracket,
                Duration,
                Colon,
                Duration,
                RBracket,
                RParen,
                Gte,
                Number,
                Eof
            ]
        );
        assert_eq!(
            kinds("a:b Inf 1.5e3 .5"),
            vec![MetricIdent, Number, Number, Number, Eof]
        );
        assert_eq!(kinds("{inf=''}")[1], Ident);
    }

    #[test]
    fn lexical_errors() {
        let last = |s: &str| match tokenize(s).pop().map(|t| t.kind) {
            Some(TokKind::Error(m)) => m,
            other => panic!("no error for {s}: {other:?}"),
        };
        assert!(last("foo{a~\"x\"}").contains("unexpected character inside braces: '~'"));
        assert!(last("(foo").contains("unclosed left parenthesis"));
        assert!(last("foo)").contains("unexpected right parenthesis"));
        assert!(last("foo{a=\"b\"").contains("inside braces"));
        assert!(last("foo[5m").contains("unclosed left bracket"));
        assert!(last("1a").contains("bad number or duration"));
        assert!(last("5m3x").contains("bad number or duration"));
        assert!(last("\"abc").contains("unterminated quoted string"));
        assert!(last("foo !~ bar").contains("unexpected character after '!'"));
        assert!(last("foo $").contains("unexpected character"));
    }
}
