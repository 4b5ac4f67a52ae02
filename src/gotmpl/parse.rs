//! A parser for Go's text/template language: rejects a bad template when it is parsed (for
//! LogQL, when the query is) and gives the executor a tree to evaluate.
//!
//! Covered: text and actions `{{ }}` with trim markers `{{- -}}`, comments `{{/* */}}`,
//! pipelines (`a | b`), variable declarations and assignments (`$x := ...`, `$i, $e := ...`),
//! fields (`.a.b`, `.`), variables (`$x.a`), literals (strings, raw strings, characters,
//! numbers, `true`, `false`, `nil`), parenthesised pipelines, `if`/`else if`/`else`,
//! `range`, `with`, `end`, `break`, `continue` and `template "name" pipeline`. Function names
//! are checked against the function table the template is parsed with (a name it lacks is an
//! error, as in Go); number literals against Go's syntax; `break`/`continue` must be inside a
//! `range`. Not covered: `define` and `block` (rejected), undeclared variables (an error when
//! the template runs). Evaluating templates is in `exec.rs`.

use super::funcs::FuncSet;

/// How deeply a template may nest: parenthesised pipelines, `if`/`range`/`with` bodies and
/// `else if`/`else with` arms (each a branch inside the one before) all count. Go limits only
/// parentheses (to 10,000) and leaves the rest to its growable stacks; parsing, running,
/// copying and dropping a template all recurse once per level here, so the limit keeps a
/// template at its deepest well within a 2 MiB thread stack in a debug build, far beyond
/// what a person writes.
pub const MAX_DEPTH: usize = 100;

/// A parsed template: a list of nodes.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Template {
    pub nodes: Vec<Node>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// Literal text (after trim markers were applied).
    Text(String),
    /// `{{ pipeline }}`: prints the value (unless the pipeline is a declaration).
    Action(Pipeline),
    If(Branch),
    Range(Branch),
    With(Branch),
    Break,
    Continue,
    /// `{{ template "name" pipeline }}`.
    Template(String, Option<Pipeline>),
}

/// The pipeline and the bodies of `if`/`range`/`with` (`else if` is an `If` in `otherwise`).
#[derive(Clone, Debug, PartialEq)]
pub struct Branch {
    pub pipe: Pipeline,
    pub body: Vec<Node>,
    pub otherwise: Vec<Node>,
}

/// `[$a, $b :=|=] cmd | cmd ...`
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Pipeline {
    pub vars: Vec<String>,
    /// `=` rather than `:=`.
    pub assign: bool,
    pub cmds: Vec<Command>,
}

/// A function call or a single operand: `printf "%s" .a`, `.a`.
#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    pub args: Vec<Operand>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// `.a.b` (empty for `.`).
    Field(Vec<String>),
    /// `$x.a.b` (`$` alone is the name `$`).
    Variable(String, Vec<String>),
    /// A function name.
    Func(String),
    Str(String),
    Number(String),
    Bool(bool),
    Nil,
    /// `(pipeline).a.b`
    Pipe(Box<Pipeline>, Vec<String>),
}

/// Parses a template that may call the functions of `funcs`; the error says what is wrong
/// (unclosed action, a function the table lacks, ...).
pub fn parse(text: &str, funcs: &FuncSet) -> Result<Template, String> {
    let items = split(text)?;
    let mut p = BodyParser {
        funcs,
        items,
        i: 0,
        range_depth: 0,
        depth: 0,
    };
    let (nodes, end) = p.list()?;
    match end {
        None => Ok(Template { nodes }),
        Some(t) => Err(format!("unexpected {{{{{t}}}}}")),
    }
}

/// Text or the tokens of one action.
enum Item {
    Text(String),
    Action(Vec<Tk>),
}

#[derive(Clone, Debug, PartialEq)]
enum Tk {
    Word(String),
    Field(Vec<String>),
    Var(String, Vec<String>),
    Str(String),
    Number(String),
    LParen,
    RParen,
    /// `.a.b` after a `)`.
    FieldChain(Vec<String>),
    Pipe,
    Declare,
    Assign,
    Comma,
}

/// Splits the template into text and actions, applying trim markers and dropping comments.
fn split(text: &str) -> Result<Vec<Item>, String> {
    let mut items = Vec::new();
    let mut rest = text;
    let mut trim_next = false;
    while !rest.is_empty() {
        let Some(open) = rest.find("{{") else {
            let t = if trim_next { rest.trim_start() } else { rest };
            items.push(Item::Text(t.to_string()));
            break;
        };
        let mut t = &rest[..open];
        if trim_next {
            t = t.trim_start();
        }
        let mut inner = &rest[open + 2..];
        let trim_before = inner.starts_with("- ")
            || inner.starts_with("-\t")
            || inner.starts_with("-\n")
            || inner.starts_with("-\r");
        if trim_before {
            t = t.trim_end();
            inner = &inner[1..];
        }
        if !t.is_empty() {
            items.push(Item::Text(t.to_string()));
        }
        let (toks, used, trim_after) = lex_action(inner)?;
        if let Some(toks) = toks {
            items.push(Item::Action(toks));
        }
        trim_next = trim_after;
        rest = &inner[used..];
    }
    Ok(items)
}

/// Lexes one action after `{{` (and its trim marker); returns the tokens (`None` for a
/// comment), the bytes used up to and including `}}`, and whether `-}}` closed it.
fn lex_action(s: &str) -> Result<(Option<Vec<Tk>>, usize, bool), String> {
    let trimmed = s.trim_start();
    if let Some(c) = trimmed.strip_prefix("/*") {
        let end = c.find("*/").ok_or("unclosed comment")?;
        let a = c[end + 2..].trim_start();
        let (trim, close) = if let Some(x) = a.strip_prefix("-}}") {
            (true, x)
        } else if let Some(x) = a.strip_prefix("}}") {
            (false, x)
        } else {
            return Err("comment ends before closing delimiter".into());
        };
        return Ok((None, s.len() - close.len(), trim));
    }
    let b = s.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    loop {
        let Some(&c) = b.get(i) else {
            return Err("unclosed action".into());
        };
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                let ws_end = i + s[i..].len() - s[i..].trim_start().len();
                if s[ws_end..].starts_with("-}}") {
                    return Ok((Some(toks), ws_end + 3, true));
                }
                i = ws_end;
            }
            b'}' if s[i..].starts_with("}}") => return Ok((Some(toks), i + 2, false)),
            b'(' => {
                toks.push(Tk::LParen);
                i += 1;
            }
            b')' => {
                toks.push(Tk::RParen);
                i += 1;
                if b.get(i) == Some(&b'.') {
                    let (f, n) = fields(&s[i..]);
                    toks.push(Tk::FieldChain(f));
                    i += n;
                }
            }
            b'|' => {
                toks.push(Tk::Pipe);
                i += 1;
            }
            b',' => {
                toks.push(Tk::Comma);
                i += 1;
            }
            b':' if s[i..].starts_with(":=") => {
                toks.push(Tk::Declare);
                i += 2;
            }
            b'=' => {
                toks.push(Tk::Assign);
                i += 1;
            }
            b'"' | b'`' | b'\'' => {
                let (v, n) = crate::grammar::scan_quoted(&s[i..]).map_err(|e| e.message)?;
                toks.push(if c == b'\'' {
                    Tk::Number(format!("{}", v.chars().next().map_or(0, u32::from)))
                } else {
                    Tk::Str(v)
                });
                i += n;
            }
            b'.' if !b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let (f, n) = fields(&s[i..]);
                toks.push(Tk::Field(f));
                i += n;
            }
            b'$' => {
                let n = 1 + ident_len(&s[i + 1..]);
                let name = s[i..i + n].to_string();
                let (f, m) = fields(&s[i + n..]);
                toks.push(Tk::Var(name, f));
                i += n + m;
            }
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                let n = s[i..]
                    .find(|c: char| {
                        !(c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-' | '_'))
                    })
                    .unwrap_or(s.len() - i);
                let num = &s[i..i + n];
                if !num.starts_with(|c: char| c.is_ascii_digit() || c == '.')
                    && !num[1..].starts_with(|c: char| c.is_ascii_digit() || c == '.')
                {
                    return Err(format!("bad character {:?}", c as char));
                }
                toks.push(Tk::Number(num.to_string()));
                i += n;
            }
            _ => {
                let n = ident_len(&s[i..]);
                if n == 0 {
                    let ch = s[i..].chars().next().unwrap_or('?');
                    return Err(format!("unexpected {ch:?} in command"));
                }
                toks.push(Tk::Word(s[i..i + n].to_string()));
                i += n;
                // `f.a.b` is a chain on the function's result, as `(f).a.b`.
                if s[i..].starts_with('.') && ident_len(&s[i + 1..]) > 0 {
                    let (f, m) = fields(&s[i..]);
                    toks.push(Tk::FieldChain(f));
                    i += m;
                }
            }
        }
    }
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

/// How a list of nodes ended: `{{end}}`, or `{{else ...}}` with the tokens after `else`;
/// `None` at the end of the template.
type ListEnd = Option<(String, Vec<Tk>)>;

struct BodyParser<'f> {
    funcs: &'f FuncSet,
    items: Vec<Item>,
    i: usize,
    /// How many `range` bodies enclose the current position (`break` needs one).
    range_depth: usize,
    /// How many branches enclose the current position (see [`MAX_DEPTH`]).
    depth: usize,
}

/// The error for a template nested beyond [`MAX_DEPTH`], in Go's words for parentheses.
fn too_deep() -> String {
    format!("max expression depth exceeded (more than {MAX_DEPTH} nested parentheses, branches and else arms)")
}

impl BodyParser<'_> {
    /// Nodes up to `{{end}}` or `{{else ...}}` (returned as the terminator's first word and,
    /// for else, the tokens after it), or to the end of the template (`None`).
    fn list(&mut self) -> Result<(Vec<Node>, Option<String>), String> {
        let (nodes, end) = self.list_raw()?;
        Ok((nodes, end.map(|(w, _)| w)))
    }

    fn list_raw(&mut self) -> Result<(Vec<Node>, ListEnd), String> {
        let mut nodes = Vec::new();
        while self.i < self.items.len() {
            let item = std::mem::replace(&mut self.items[self.i], Item::Text(String::new()));
            self.i += 1;
            let toks = match item {
                Item::Text(t) => {
                    nodes.push(Node::Text(t));
                    continue;
                }
                Item::Action(t) => t,
            };
            let (head, rest) = match toks.first() {
                Some(Tk::Word(w)) => (w.as_str(), &toks[1..]),
                None => return Err("missing value for command".into()),
                _ => ("", &toks[..]),
            };
            match head {
                "end" | "else" => return Ok((nodes, Some((head.to_string(), rest.to_vec())))),
                "if" | "range" | "with" => nodes.push(self.branch(head, rest)?),
                "break" | "continue" if rest.is_empty() => {
                    if self.range_depth == 0 {
                        return Err(format!("{{{{{head}}}}} outside {{{{range}}}}"));
                    }
                    nodes.push(if head == "break" {
                        Node::Break
                    } else {
                        Node::Continue
                    })
                }
                "template" => {
                    let Some(Tk::Str(name)) = rest.first() else {
                        return Err("template: expected a name string".into());
                    };
                    let pipe = if rest.len() > 1 {
                        Some(pipeline(&rest[1..], self.depth, self.funcs)?)
                    } else {
                        None
                    };
                    nodes.push(Node::Template(name.clone(), pipe));
                }
                "define" | "block" => return Err(format!("{head} is not supported")),
                _ => nodes.push(Node::Action(pipeline(&toks, self.depth, self.funcs)?)),
            }
        }
        Ok((nodes, None))
    }

    /// A branch one level deeper than the current position.
    fn branch(&mut self, kind: &str, toks: &[Tk]) -> Result<Node, String> {
        if self.depth >= MAX_DEPTH {
            return Err(too_deep());
        }
        self.depth += 1;
        let node = self.branch_body(kind, toks);
        self.depth -= 1;
        node
    }

    fn branch_body(&mut self, kind: &str, toks: &[Tk]) -> Result<Node, String> {
        if toks.is_empty() {
            return Err(format!("missing value for {kind}"));
        }
        let pipe = pipeline(toks, self.depth, self.funcs)?;
        // `break` and `continue` belong to a range's body, not to its else.
        let in_range = usize::from(kind == "range");
        self.range_depth += in_range;
        let body = self.list_raw();
        self.range_depth -= in_range;
        let (body, end) = body?;
        let otherwise = match end {
            None => return Err(format!("unexpected EOF: {kind} without end")),
            Some((w, _)) if w == "end" => Vec::new(),
            Some((_, after)) => {
                if let Some(Tk::Word(w)) = after.first() {
                    if w == "if" || w == "with" {
                        // `else if` / `else with`: a nested branch that shares our `end`.
                        vec![self.branch(w, &after[1..])?]
                    } else {
                        return Err("unexpected tokens after else".into());
                    }
                } else if !after.is_empty() {
                    return Err("unexpected tokens after else".into());
                } else {
                    let (nodes, end) = self.list()?;
                    if end.as_deref() != Some("end") {
                        return Err(format!("expected end for {kind}"));
                    }
                    nodes
                }
            }
        };
        let b = Branch {
            pipe,
            body,
            otherwise,
        };
        Ok(match kind {
            "if" => Node::If(b),
            "range" => Node::Range(b),
            _ => Node::With(b),
        })
    }
}

/// `[$a[, $b] :=|=] command (| command)*`, `depth` levels deep.
fn pipeline(toks: &[Tk], depth: usize, funcs: &FuncSet) -> Result<Pipeline, String> {
    let mut p = Pipeline::default();
    let mut rest = toks;
    // Declarations: `$x :=`, `$x =`, `$i, $e :=`.
    let decl_end = rest
        .iter()
        .position(|t| matches!(t, Tk::Declare | Tk::Assign));
    if let Some(d) = decl_end {
        let names = &rest[..d];
        let all_vars = names
            .iter()
            .all(|t| matches!(t, Tk::Var(_, f) if f.is_empty()) || *t == Tk::Comma);
        if !names.is_empty() && all_vars {
            p.vars = names
                .iter()
                .filter_map(|t| match t {
                    Tk::Var(n, _) => Some(n.clone()),
                    _ => None,
                })
                .collect();
            p.assign = rest[d] == Tk::Assign;
            rest = &rest[d + 1..];
        }
    }
    if rest.is_empty() {
        return Err("missing value for command".into());
    }
    let mut i = 0;
    loop {
        let mut args = Vec::new();
        while i < rest.len() && rest[i] != Tk::Pipe {
            let (op, n) = operand(&rest[i..], depth, funcs)?;
            args.push(op);
            i += n;
        }
        if args.is_empty() {
            return Err("missing command in pipeline".into());
        }
        p.cmds.push(Command { args });
        if i >= rest.len() {
            return Ok(p);
        }
        i += 1;
    }
}

/// One operand at the start of `toks` and the tokens it used, `depth` levels deep.
fn operand(toks: &[Tk], depth: usize, funcs: &FuncSet) -> Result<(Operand, usize), String> {
    Ok(match &toks[0] {
        Tk::Field(f) => (Operand::Field(f.clone()), 1),
        Tk::Var(n, f) => (Operand::Variable(n.clone(), f.clone()), 1),
        Tk::Str(s) => (Operand::Str(s.clone()), 1),
        Tk::Number(n) => {
            super::strconv::parse_go_number(n)?;
            (Operand::Number(n.clone()), 1)
        }
        Tk::Word(w) => {
            let op = match w.as_str() {
                "true" => Operand::Bool(true),
                "false" => Operand::Bool(false),
                "nil" => Operand::Nil,
                name if funcs.contains(name) => Operand::Func(name.to_string()),
                name => return Err(format!("function {name:?} not defined")),
            };
            match (toks.get(1), op) {
                (Some(Tk::FieldChain(chain)), Operand::Func(name)) => {
                    let call = Pipeline {
                        cmds: vec![Command {
                            args: vec![Operand::Func(name)],
                        }],
                        ..Pipeline::default()
                    };
                    (Operand::Pipe(Box::new(call), chain.clone()), 2)
                }
                (Some(Tk::FieldChain(_)), _) => {
                    return Err(format!("unexpected . after term {w:?}"))
                }
                (_, op) => (op, 1),
            }
        }
        Tk::LParen => {
            if depth >= MAX_DEPTH {
                return Err(too_deep());
            }
            let mut open = 0;
            let close = toks
                .iter()
                .position(|t| {
                    match t {
                        Tk::LParen => open += 1,
                        Tk::RParen => open -= 1,
                        _ => {}
                    }
                    open == 0
                })
                .ok_or("unclosed left paren")?;
            let inner = pipeline(&toks[1..close], depth + 1, funcs)?;
            let (chain, n) = match toks.get(close + 1) {
                Some(Tk::FieldChain(f)) => (f.clone(), close + 2),
                _ => (Vec::new(), close + 1),
            };
            (Operand::Pipe(Box::new(inner), chain), n)
        }
        Tk::RParen => return Err("unexpected right paren".into()),
        other => return Err(format!("unexpected {other:?} in operand")),
    })
}
