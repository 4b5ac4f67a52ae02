//! The lexer of Go's text/template: splits a template into text and actions, applies trim
//! markers (`{{- `, ` -}}`), drops comments, and turns each action into tokens that keep their
//! byte position in the template, as Go's lexer does, so that errors can say where they are
//! (`template: name:3: unexpected EOF`, `template: name:1:14: executing ...`).
//!
//! The parser (`parse.rs`) builds the tree from these tokens. Not covered: custom delimiters.

/// Go's space characters: what trim markers remove and what separates tokens (not Unicode's
/// other spaces, which are errors inside an action).
const SPACE: [char; 4] = [' ', '\t', '\r', '\n'];

/// Text, the tokens of one action, or where the text stops lexing.
pub(super) enum Item {
    /// Literal text (after trim markers were applied).
    Text(String),
    Action(Action),
    /// The text does not lex from here on. Go's lexer runs along with its parser, so an
    /// error the parser finds earlier in the text is the one reported: the parser reports
    /// this one only when it gets here.
    Error(LexError),
}

/// One `{{ ... }}`: where it starts (the `{{`), where its closing `}}` is, and its tokens.
pub(super) struct Action {
    pub start: usize,
    pub close: usize,
    pub toks: Vec<Token>,
}

/// A token and its position: the byte offset Go's parser gives the node the token becomes
/// (for `.a.b`, `$x.a` and `(..).a`, where Go's chain starts: the second element).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Token {
    pub pos: usize,
    pub tk: Tk,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tk {
    Word(String),
    Field(Vec<String>),
    Var(String, Vec<String>),
    Str(String),
    /// A number as written; a character constant (`'a'`) as its code point.
    Number(String),
    LParen,
    RParen,
    /// `.a.b` after a `)` or a function name.
    FieldChain(Vec<String>),
    Pipe,
    Declare,
    Assign,
    Comma,
    /// Any other printable ASCII character, which the parser refuses where it finds it.
    Char(char),
}

/// A template that cannot be lexed: the message, the byte offset Go's lexer reports it at, and
/// where the action it is in starts (Go names that line when it is another one).
pub(super) struct LexError {
    pub pos: usize,
    pub message: String,
    pub action_start: Option<usize>,
}

fn err<T>(pos: usize, message: impl Into<String>) -> Result<T, LexError> {
    Err(LexError {
        pos,
        message: message.into(),
        action_start: None,
    })
}

/// Splits the template into text and actions, applying trim markers and dropping comments;
/// the items end with an [`Item::Error`] where the text stops lexing.
pub(super) fn split(text: &str) -> Vec<Item> {
    let mut items = Vec::new();
    if let Err(e) = split_into(text, &mut items) {
        items.push(Item::Error(e));
    }
    items
}

fn split_into(text: &str, items: &mut Vec<Item>) -> Result<(), LexError> {
    let mut at = 0;
    let mut trim_next = false;
    while at < text.len() {
        let rest = &text[at..];
        let Some(open) = rest.find("{{") else {
            let t = if trim_next {
                rest.trim_start_matches(SPACE)
            } else {
                rest
            };
            items.push(Item::Text(t.to_string()));
            break;
        };
        let mut t = &rest[..open];
        if trim_next {
            t = t.trim_start_matches(SPACE);
        }
        let mut inner = at + open + 2;
        let trim_before = text[inner..].starts_with("- ")
            || text[inner..].starts_with("-\t")
            || text[inner..].starts_with("-\n")
            || text[inner..].starts_with("-\r");
        if trim_before {
            t = t.trim_end_matches(SPACE);
            inner += 1;
        }
        if !t.is_empty() {
            items.push(Item::Text(t.to_string()));
        }
        // A comment may follow the trim marker's space.
        let comment_at = inner + usize::from(trim_before);
        let (action, end, trim_after) = lex_action(text, at + open, inner, comment_at)?;
        if let Some(action) = action {
            items.push(Item::Action(action));
        }
        trim_next = trim_after;
        at = end;
    }
    Ok(())
}

/// Lexes one action whose `{{` is at `open` and whose content starts at `from` (a comment at
/// `comment_at`, right after `{{` or `{{- `); returns the action (`None` for a comment), the
/// offset after its `}}`, and whether `-}}` closed it.
fn lex_action(
    text: &str,
    open: usize,
    from: usize,
    comment_at: usize,
) -> Result<(Option<Action>, usize, bool), LexError> {
    if let Some(c) = text[comment_at..].strip_prefix("/*") {
        let Some(end) = c.find("*/") else {
            return err(text.len(), "unclosed comment");
        };
        // Then `}}`, or a space and `-}}`, as in Go.
        let a = &c[end + 2..];
        let trimmed = a.strip_prefix(SPACE).and_then(|x| x.strip_prefix("-}}"));
        let (trim, close) = if let Some(x) = a.strip_prefix("}}") {
            (false, x)
        } else if let Some(x) = trimmed {
            (true, x)
        } else {
            return err(
                text.len() - a.len(),
                "comment ends before closing delimiter",
            );
        };
        return Ok((None, text.len() - close.len(), trim));
    }
    let mut lexer = ActionLexer {
        text,
        toks: Vec::new(),
        parens: 0,
    };
    let (close, end, trim) = lexer.run(from).map_err(|e| LexError {
        action_start: Some(open),
        ..e
    })?;
    let action = Action {
        start: open,
        close,
        toks: lexer.toks,
    };
    Ok((Some(action), end, trim))
}

struct ActionLexer<'t> {
    text: &'t str,
    toks: Vec<Token>,
    /// Open parentheses: `}}` inside them is an error, as in Go.
    parens: usize,
}

impl ActionLexer<'_> {
    fn push(&mut self, pos: usize, tk: Tk) {
        self.toks.push(Token { pos, tk });
    }

    /// Tokens from `i` to the closing `}}`: (offset of `}}`, offset after it, trim marker).
    fn run(&mut self, mut i: usize) -> Result<(usize, usize, bool), LexError> {
        let text = self.text;
        let b = text.as_bytes();
        loop {
            let Some(&c) = b.get(i) else {
                return err(text.len(), "unclosed action");
            };
            match c {
                b' ' | b'\t' | b'\r' | b'\n' => {
                    let ws_end = i + text[i..].len() - text[i..].trim_start_matches(SPACE).len();
                    if text[ws_end..].starts_with("-}}") {
                        self.check_parens(ws_end)?;
                        return Ok((ws_end + 1, ws_end + 3, true));
                    }
                    i = ws_end;
                }
                b'}' if text[i..].starts_with("}}") => {
                    self.check_parens(i)?;
                    return Ok((i, i + 2, false));
                }
                b':' if !text[i..].starts_with(":=") => return err(i, "expected :="),
                b'(' => {
                    self.push(i, Tk::LParen);
                    self.parens += 1;
                    i += 1;
                }
                b')' => {
                    self.push(i, Tk::RParen);
                    self.parens = self.parens.saturating_sub(1);
                    i += 1;
                    if b.get(i) == Some(&b'.') {
                        let (f, n) = fields(&text[i..]);
                        self.push(i, Tk::FieldChain(f));
                        i = self.terminated(i + n)?;
                    }
                }
                b'|' => {
                    self.push(i, Tk::Pipe);
                    i += 1;
                }
                b',' => {
                    self.push(i, Tk::Comma);
                    i += 1;
                }
                b'"' | b'`' | b'\'' => i = self.quoted(i, c)?,
                b':' if text[i..].starts_with(":=") => {
                    self.push(i, Tk::Declare);
                    i += 2;
                }
                b'=' => {
                    self.push(i, Tk::Assign);
                    i += 1;
                }
                b'.' if !b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                    let (f, n) = fields(&text[i..]);
                    // `.a.b` is Go's chain of `.a` and `.b`: it sits where `.b` is.
                    let pos = if f.len() > 1 { i + 1 + f[0].len() } else { i };
                    self.push(pos, Tk::Field(f));
                    i = self.terminated(i + n)?;
                }
                b'$' => {
                    let n = 1 + ident_len(&text[i + 1..]);
                    let name = text[i..i + n].to_string();
                    let (f, m) = fields(&text[i + n..]);
                    let pos = if f.is_empty() { i } else { i + n };
                    self.push(pos, Tk::Var(name, f));
                    i = self.terminated(i + n + m)?;
                }
                b'0'..=b'9' | b'+' | b'-' | b'.' => i = self.number(i, c)?,
                c if c.is_ascii_graphic() && !c.is_ascii_alphanumeric() && c != b'_' => {
                    self.push(i, Tk::Char(c as char));
                    i += 1;
                }
                _ => i = self.word(i)?,
            }
        }
    }

    /// Go's check after a name: it must end at a space, `.`, `,`, `|`, `:`, a parenthesis, the
    /// closing delimiter or the end; returns `i`.
    fn terminated(&self, i: usize) -> Result<usize, LexError> {
        match self.text[i..].chars().next() {
            None | Some(' ' | '\t' | '\r' | '\n' | '.' | ',' | '|' | ':' | ')' | '(' | '}') => {
                Ok(i)
            }
            Some(c) => err(i, format!("bad character {}", sharp_u(c))),
        }
    }

    /// `}}` inside parentheses: Go's lexer stops there.
    fn check_parens(&self, at: usize) -> Result<(), LexError> {
        if self.parens > 0 {
            return err(at, "unclosed left paren");
        }
        Ok(())
    }

    fn quoted(&mut self, i: usize, c: u8) -> Result<usize, LexError> {
        let (v, n) = crate::grammar::scan_quoted(&self.text[i..]).map_err(|e| LexError {
            pos: i,
            message: e.message,
            action_start: None,
        })?;
        let tk = if c == b'\'' {
            let mut chars = v.chars();
            match (chars.next(), chars.next()) {
                (Some(ch), None) => Tk::Number(format!("{}", u32::from(ch))),
                _ => {
                    let written = &self.text[i..i + n];
                    return err(i, format!("malformed character constant: {written}"));
                }
            }
        } else {
            Tk::Str(v)
        };
        self.push(i, tk);
        let mut i = i + n;
        // `"s".x`: a chain on a literal, which the parser refuses as Go's does.
        if self.text[i..].starts_with('.') && ident_len(&self.text[i + 1..]) > 0 {
            let (f, m) = fields(&self.text[i..]);
            self.push(i, Tk::FieldChain(f));
            i = self.terminated(i + m)?;
        }
        Ok(i)
    }

    fn number(&mut self, i: usize, c: u8) -> Result<usize, LexError> {
        let s = &self.text[i..];
        let n = s
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-' | '_')))
            .unwrap_or(s.len());
        let num = &s[..n];
        if !num.starts_with(|c: char| c.is_ascii_digit() || c == '.')
            && !num[1..].starts_with(|c: char| c.is_ascii_digit() || c == '.')
        {
            return err(i, format!("bad character {:?}", c as char));
        }
        self.push(i, Tk::Number(num.to_string()));
        Ok(i + n)
    }

    fn word(&mut self, i: usize) -> Result<usize, LexError> {
        let text = self.text;
        let n = ident_len(&text[i..]);
        if n == 0 {
            let ch = text[i..].chars().next().unwrap_or('?');
            return err(
                i,
                format!("unrecognized character in action: {}", sharp_u(ch)),
            );
        }
        self.push(i, Tk::Word(text[i..i + n].to_string()));
        let mut i = self.terminated(i + n)?;
        // `f.a.b` is a chain on the function's result, as `(f).a.b`.
        if text[i..].starts_with('.') && ident_len(&text[i + 1..]) > 0 {
            let (f, m) = fields(&text[i..]);
            self.push(i, Tk::FieldChain(f));
            i = self.terminated(i + m)?;
        }
        Ok(i)
    }
}

/// Go's `%#U`: the code point, and the character itself when it prints (`U+20AC '€'`).
fn sharp_u(c: char) -> String {
    let mut shown = format!("U+{:04X}", c as u32);
    if crate::gotmpl::strconv::is_print(c) {
        shown.push_str(&format!(" '{c}'"));
    }
    shown
}

fn ident_len(s: &str) -> usize {
    s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len())
}

/// `.a.b` at the start of `s`: the names and the bytes used (`.` alone gives no names).
fn fields(s: &str) -> (Vec<String>, usize) {
    let mut names = Vec::new();
    let mut i = 0;
    while s[i..].starts_with('.') {
        let n = ident_len(&s[i + 1..]);
        if n == 0 {
            i += 1;
            break;
        }
        names.push(s[i + 1..i + 1 + n].to_string());
        i += 1 + n;
    }
    (names, i)
}

/// The 1-based line of byte offset `pos` in `text`.
pub(super) fn line_of(text: &str, pos: usize) -> usize {
    let end = pos.min(text.len());
    1 + text.as_bytes()[..end]
        .iter()
        .filter(|&&c| c == b'\n')
        .count()
}
