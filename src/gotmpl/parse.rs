//! A parser for Go's text/template language: rejects a bad template when it is parsed (for
//! LogQL, when the query is; for alert rules, when the rule file is loaded) and gives the
//! executor a tree to evaluate (`tree.rs`). The lexer is `lex.rs`.
//!
//! Covered: text and actions `{{ }}` with trim markers `{{- -}}`, comments `{{/* */}}`,
//! pipelines (`a | b`), variable declarations and assignments (`$x := ...`, `$i, $e := ...`),
//! fields (`.a.b`, `.`), variables (`$x.a`), literals (strings, raw strings, characters,
//! numbers, `true`, `false`, `nil`), parenthesised pipelines, `if`/`else if`/`else`,
//! `range`, `with`, `end`, `break`, `continue`, and named templates: `{{define "name"}}` at
//! the top level, `{{template "name" pipeline}}` and `{{block "name" pipeline}}`, with Go's
//! rule that one parse may not define a name twice (unless one of the two is only spaces).
//! Checked as Go checks them: function names against the function table the template is
//! parsed with, variables against the declarations in scope (a definition or a block body
//! starts with only `$`), number literals against Go's syntax, `break`/`continue` inside a
//! `range`. Errors carry the line Go reports ([`ParseError`]).
//!
//! Not covered: Go's rejection of a literal as a later pipeline stage (`{{ .a | "x" }}` fails
//! when it runs instead) and its acceptance of a trailing `|` (`{{ .a | }}` is an error here).

use super::funcs::FuncSet;
use super::lex::{line_of, split, Action, Item, LexError, Tk, Token};
/// The parsed template (defined with the rest of the tree in `tree.rs`).
pub use super::tree::Template;
use super::tree::{is_empty_tree, Arg, Branch, Call, Command, Definition, Node, Operand};
use super::tree::{Pipeline, Source};
use std::fmt;
use std::sync::Arc;

/// How deeply a template may nest: parenthesised pipelines, `if`/`range`/`with` bodies and
/// `else if`/`else with` arms (each a branch inside the one before) all count. Go limits only
/// parentheses (to 10,000) and leaves the rest to its growable stacks; parsing, running,
/// copying and dropping a template all recurse once per level here, so the limit keeps a
/// template at its deepest well within a 2 MiB thread stack in a debug build, far beyond
/// what a person writes.
pub const MAX_DEPTH: usize = 100;

/// A template that does not parse: Go's message and the line it reports it on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The name the text was parsed under.
    pub name: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    /// As Go prints it: `template: name:line: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "template: {}:{}: {}", self.name, self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses an unnamed template that may call the functions of `funcs`; the error says what is
/// wrong (unclosed action, a function the table lacks, ...). LogQL's templates are these.
pub fn parse(text: &str, funcs: &FuncSet) -> Result<Template, String> {
    parse_named("", text, funcs).map_err(|e| e.message)
}

/// Parses `text` as the template `name` (Go's `template.New(name).Parse(text)`): its own tree
/// and the templates it defines.
pub fn parse_named(name: &str, text: &str, funcs: &FuncSet) -> Result<Template, ParseError> {
    let error = |e: PErr| ParseError {
        name: name.to_string(),
        line: line_of(text, e.pos),
        message: e.msg,
    };
    let items = split(text);
    let mut p = Parser {
        funcs,
        name,
        text,
        eof: text.len(),
        items,
        i: 0,
        range_depth: 0,
        depth: 0,
        vars: vec!["$".to_string()],
        trees: Vec::new(),
    };
    let nodes = p.top().map_err(error)?;
    p.add(name, nodes, text.len()).map_err(error)?;
    let mut trees = p.trees;
    let own = trees.iter().position(|(n, _)| n == name);
    let nodes = own.map(|i| trees.remove(i).1).unwrap_or_default();
    Ok(Template {
        name: name.to_string(),
        nodes,
        defined: trees
            .into_iter()
            .map(|(name, nodes)| Definition { name, nodes })
            .collect(),
        source: Arc::new(Source {
            name: name.to_string(),
            text: text.to_string(),
        }),
    })
}

/// A parse error at a byte offset (turned into a line by [`parse_named`]).
struct PErr {
    pos: usize,
    msg: String,
}

type PR<T> = Result<T, PErr>;

fn fail<T>(pos: usize, msg: impl Into<String>) -> PR<T> {
    Err(PErr {
        pos,
        msg: msg.into(),
    })
}

/// How a list of nodes ended: `{{end}}` or `{{else ...}}`, with the tokens after the
/// keyword and where the action closes; `None` at the end of the template.
struct End {
    word: String,
    rest: Vec<Token>,
    close: usize,
}

/// The error for a template nested beyond [`MAX_DEPTH`], in Go's words for parentheses.
fn too_deep() -> String {
    format!("max expression depth exceeded (more than {MAX_DEPTH} nested parentheses, branches and else arms)")
}

/// Whether a token can start an operand (Go's pipeline accepts these to start a command).
fn starts_operand(tk: &Tk) -> bool {
    matches!(
        tk,
        Tk::Word(_) | Tk::Field(_) | Tk::Var(..) | Tk::Str(_) | Tk::Number(_) | Tk::LParen
    )
}

/// A token as Go's parser prints it in `unexpected X in Y`.
fn token_text(tk: &Tk) -> String {
    let keyword = |w: &str| {
        matches!(
            w,
            "block" | "define" | "else" | "end" | "if" | "range" | "nil" | "template" | "with"
        )
    };
    match tk {
        Tk::Word(w) if keyword(w) => format!("<{w}>"),
        Tk::Word(w) => format!("{w:?}"),
        Tk::Field(f) | Tk::FieldChain(f) if f.is_empty() => "<.>".into(),
        Tk::Field(f) | Tk::FieldChain(f) => format!("{:?}", format!(".{}", f.join("."))),
        Tk::Var(v, _) => format!("{v:?}"),
        Tk::Str(s) => format!("{s:?}"),
        Tk::Number(n) => format!("{n:?}"),
        Tk::LParen => "\"(\"".into(),
        Tk::RParen => "\")\"".into(),
        Tk::Pipe => "\"|\"".into(),
        Tk::Declare => "\":=\"".into(),
        Tk::Assign => "\"=\"".into(),
        Tk::Comma => "\",\"".into(),
        Tk::Char(c) => format!("{:?}", c.to_string()),
    }
}

struct Parser<'f> {
    funcs: &'f FuncSet,
    /// The name and text being parsed (for the lines of lexing errors).
    name: &'f str,
    text: &'f str,
    /// Where the text ends (the position of Go's EOF token).
    eof: usize,
    items: Vec<Item>,
    i: usize,
    /// How many `range` bodies enclose the current position (`break` needs one).
    range_depth: usize,
    /// How many branches enclose the current position (see [`MAX_DEPTH`]).
    depth: usize,
    /// The variables in scope, innermost last (Go's `Tree.vars`).
    vars: Vec<String>,
    /// The named trees of this parse (Go's `treeSet`), in the order they were first defined.
    trees: Vec<(String, Vec<Node>)>,
}

impl Parser<'_> {
    /// A lexing error as Go's parser reports it: naming the line the action started on when
    /// the error is on another (`unclosed action started at name:2`).
    fn lex_error(&self, e: LexError) -> PErr {
        let mut msg = e.message;
        if let Some(start) = e.action_start {
            let (from, to) = (line_of(self.text, start), line_of(self.text, e.pos));
            if from != to {
                let place = format!("{}:{from}", self.name);
                msg = match msg.strip_suffix(" action") {
                    Some(_) => format!("{msg} started at {place}"),
                    None => format!("{msg} in action started at {place}"),
                };
            }
        }
        PErr { pos: e.pos, msg }
    }

    /// Adds a named tree as Go's `Tree.add` does: a name may be defined twice only when one
    /// of the two definitions is only spaces, and a definition replaces an empty one.
    fn add(&mut self, name: &str, nodes: Vec<Node>, pos: usize) -> PR<()> {
        match self.trees.iter_mut().find(|(n, _)| n == name) {
            None => self.trees.push((name.to_string(), nodes)),
            Some(old) if is_empty_tree(&old.1) => old.1 = nodes,
            Some(_) if !is_empty_tree(&nodes) => {
                let q = super::strconv::quote(name, '"', false);
                return fail(
                    pos,
                    format!("template: multiple definition of template {q}"),
                );
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// The top level of the text, where `{{define}}` may appear.
    fn top(&mut self) -> PR<Vec<Node>> {
        let (nodes, end) = self.list(true)?;
        match end {
            None => Ok(nodes),
            Some(e) => fail(e.close, format!("unexpected {{{{{}}}}}", e.word)),
        }
    }

    /// Nodes up to `{{end}}` or `{{else ...}}`, or to the end of the template (`None`).
    fn list(&mut self, top: bool) -> PR<(Vec<Node>, Option<End>)> {
        let mut nodes = Vec::new();
        while self.i < self.items.len() {
            let item = std::mem::replace(&mut self.items[self.i], Item::Text(String::new()));
            self.i += 1;
            let action = match item {
                Item::Text(t) => {
                    nodes.push(Node::Text(t));
                    continue;
                }
                Item::Action(a) => a,
                Item::Error(e) => return Err(self.lex_error(e)),
            };
            let (head, rest) = match action.toks.first() {
                Some(Token {
                    tk: Tk::Word(w), ..
                }) => (w.as_str(), &action.toks[1..]),
                None => return fail(action.close, "missing value for command"),
                _ => ("", &action.toks[..]),
            };
            match head {
                "end" | "else" => {
                    let end = End {
                        word: head.to_string(),
                        rest: rest.to_vec(),
                        close: action.close,
                    };
                    return Ok((nodes, Some(end)));
                }
                "define" if top => self.definition(&action)?,
                "define" => {
                    return fail(action.start, "unexpected <define> in command");
                }
                "if" | "range" | "with" => nodes.push(self.branch(head, rest, action.close)?),
                "break" | "continue" if rest.is_empty() => {
                    if self.range_depth == 0 {
                        return fail(
                            action.close,
                            format!("{{{{{head}}}}} outside {{{{range}}}}"),
                        );
                    }
                    nodes.push(if head == "break" {
                        Node::Break
                    } else {
                        Node::Continue
                    })
                }
                "template" => nodes.push(self.template(rest, action.close)?),
                "block" => nodes.push(self.block(rest, action.close)?),
                _ => nodes.push(Node::Action(self.pipeline(
                    &action.toks,
                    "command",
                    action.close,
                )?)),
            }
        }
        Ok((nodes, None))
    }

    /// The name of `{{define "name"}}`, `{{template "name"}}` or `{{block "name"}}`.
    fn template_name(toks: &[Token], close: usize, context: &str) -> PR<(usize, String)> {
        match toks.first() {
            Some(Token {
                pos,
                tk: Tk::Str(name),
            }) => Ok((*pos, name.clone())),
            Some(t) => fail(
                t.pos,
                format!("unexpected {} in {context}", token_text(&t.tk)),
            ),
            None => fail(close, format!("unexpected \"}}}}\" in {context}")),
        }
    }

    /// Parses a body as a tree of its own (a definition or a block): only `$` is in scope and
    /// `break` has no range to leave.
    fn own_tree(&mut self, context: &str) -> PR<(Vec<Node>, usize)> {
        let vars = std::mem::replace(&mut self.vars, vec!["$".to_string()]);
        let ranges = std::mem::replace(&mut self.range_depth, 0);
        let body = self.list(false);
        self.vars = vars;
        self.range_depth = ranges;
        match body? {
            (nodes, Some(end)) if end.word == "end" => Ok((nodes, end.close)),
            (_, Some(end)) => fail(end.close, format!("unexpected {{{{else}}}} in {context}")),
            (_, None) => fail(self.eof, "unexpected EOF"),
        }
    }

    /// `{{define "name"}} ... {{end}}` at the top level.
    fn definition(&mut self, action: &Action) -> PR<()> {
        const CONTEXT: &str = "define clause";
        let toks = &action.toks[1..];
        let (_, name) = Self::template_name(toks, action.close, CONTEXT)?;
        if let Some(t) = toks.get(1) {
            return fail(
                t.pos,
                format!("unexpected {} in {CONTEXT}", token_text(&t.tk)),
            );
        }
        let (nodes, close) = self.own_tree(CONTEXT)?;
        self.add(&name, nodes, close)
    }

    /// `{{template "name" [pipeline]}}`.
    fn template(&mut self, toks: &[Token], close: usize) -> PR<Node> {
        let (pos, name) = Self::template_name(toks, close, "template clause")?;
        let pipe = match toks.len() {
            1 => None,
            _ => Some(self.pipeline(&toks[1..], "template clause", close)?),
        };
        Ok(Node::Template(Call { pos, name, pipe }))
    }

    /// `{{block "name" pipeline}} ... {{end}}`: defines `name` and calls it here.
    fn block(&mut self, toks: &[Token], close: usize) -> PR<Node> {
        const CONTEXT: &str = "block clause";
        let (pos, name) = Self::template_name(toks, close, CONTEXT)?;
        let pipe = self.pipeline(&toks[1..], CONTEXT, close)?;
        if self.depth >= MAX_DEPTH {
            return fail(close, too_deep());
        }
        self.depth += 1;
        let body = self.own_tree(CONTEXT);
        self.depth -= 1;
        let (nodes, end) = body?;
        self.add(&name, nodes, end)?;
        Ok(Node::Template(Call {
            pos,
            name,
            pipe: Some(pipe),
        }))
    }

    /// A branch one level deeper than the current position.
    fn branch(&mut self, kind: &str, toks: &[Token], close: usize) -> PR<Node> {
        if self.depth >= MAX_DEPTH {
            return fail(close, too_deep());
        }
        self.depth += 1;
        // Variables declared in the pipeline and the bodies go out of scope at `end`.
        let mark = self.vars.len();
        let node = self.branch_body(kind, toks, close);
        self.vars.truncate(mark);
        self.depth -= 1;
        node
    }

    fn branch_body(&mut self, kind: &str, toks: &[Token], close: usize) -> PR<Node> {
        let pipe = self.pipeline(toks, kind, close)?;
        // `break` and `continue` belong to a range's body, not to its else.
        let in_range = usize::from(kind == "range");
        self.range_depth += in_range;
        let body = self.list(false);
        self.range_depth -= in_range;
        let (body, end) = body?;
        let otherwise = match end {
            None => return fail(self.eof, "unexpected EOF"),
            Some(e) if e.word == "end" => Vec::new(),
            Some(e) => self.else_arm(kind, e)?,
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

    /// What follows `{{else ...}}`: `else if`/`else with` (a nested branch that shares the
    /// `end`), or a plain else body up to `end`.
    fn else_arm(&mut self, kind: &str, e: End) -> PR<Vec<Node>> {
        match e.rest.first() {
            // Go allows `else if` in an `if` and `else with` in a `with` only.
            Some(Token {
                tk: Tk::Word(w), ..
            }) if w == kind && (w == "if" || w == "with") => {
                let w = w.clone();
                Ok(vec![self.branch(&w, &e.rest[1..], e.close)?])
            }
            Some(
                t @ Token {
                    tk: Tk::Word(w), ..
                },
            ) if w == "if" || w == "with" => {
                fail(t.pos, format!("unexpected {} in input", token_text(&t.tk)))
            }
            Some(t) => fail(t.pos, format!("unexpected {} in else", token_text(&t.tk))),
            None => {
                let (nodes, end) = self.list(false)?;
                match end {
                    Some(end) if end.word == "end" => Ok(nodes),
                    Some(end) => fail(
                        end.close,
                        format!("expected end; found {{{{{}}}}}", end.word),
                    ),
                    None => fail(self.eof, "unexpected EOF"),
                }
            }
        }
    }

    /// `[$a[, $b] :=|=] command (| command)*`, in a `context` for messages (`command`, `if`,
    /// `range`, ...) of an action that closes at `close`.
    fn pipeline(&mut self, toks: &[Token], context: &str, close: usize) -> PR<Pipeline> {
        let mut p = Pipeline {
            pos: toks.first().map_or(close, |t| t.pos),
            ..Pipeline::default()
        };
        let rest = self.declarations(&mut p, toks, context)?;
        if rest.is_empty() {
            return fail(close, format!("missing value for {context}"));
        }
        let mut i = 0;
        loop {
            let mut args = Vec::new();
            let start = rest[i].pos;
            // What cannot start a command is refused in the pipeline's context, as in Go.
            if !starts_operand(&rest[i].tk) {
                let t = token_text(&rest[i].tk);
                return fail(start, format!("unexpected {t} in {context}"));
            }
            while i < rest.len() && rest[i].tk != Tk::Pipe {
                if !starts_operand(&rest[i].tk) {
                    let t = token_text(&rest[i].tk);
                    let context = if rest[i].tk == Tk::RParen {
                        context
                    } else {
                        "operand"
                    };
                    return fail(rest[i].pos, format!("unexpected {t} in {context}"));
                }
                let (arg, n) = self.operand(&rest[i..])?;
                args.push(arg);
                i += n;
            }
            p.cmds.push(Command { pos: start, args });
            if i >= rest.len() {
                return Ok(p);
            }
            i += 1;
            if i >= rest.len() {
                return fail(close, "missing command in pipeline");
            }
        }
    }

    /// The declarations at the start of a pipeline (`$x :=`, `$x =`, and in a range
    /// `$i, $e :=`): recorded in `p`, brought into scope; returns the tokens after them.
    fn declarations<'t>(
        &mut self,
        p: &mut Pipeline,
        toks: &'t [Token],
        context: &str,
    ) -> PR<&'t [Token]> {
        let var = |t: Option<&Token>| match t {
            Some(Token {
                tk: Tk::Var(n, f), ..
            }) if f.is_empty() => Some(n.clone()),
            _ => None,
        };
        let is_decl =
            |t: Option<&Token>| matches!(t.map(|t| &t.tk), Some(Tk::Declare | Tk::Assign));
        let Some(first) = var(toks.first()) else {
            return Ok(toks);
        };
        let mut names = vec![first];
        let mut at = 1;
        if toks.get(1).map(|t| &t.tk) == Some(&Tk::Comma) {
            if context != "range" {
                return fail(toks[1].pos, format!("too many declarations in {context}"));
            }
            match var(toks.get(2)) {
                Some(second) => names.push(second),
                None if toks.len() == 2 => {}
                None => return fail(toks[2].pos, "range can only initialize variables"),
            }
            at = 1 + names.len();
            if toks.get(at).map(|t| &t.tk) == Some(&Tk::Comma) {
                return fail(toks[at].pos, format!("too many declarations in {context}"));
            }
        }
        if !is_decl(toks.get(at)) {
            if names.len() > 1 || at > 1 {
                return fail(
                    toks.get(at).map_or(toks[0].pos, |t| t.pos),
                    format!("missing value for {context}"),
                );
            }
            return Ok(toks);
        }
        p.assign = toks[at].tk == Tk::Assign;
        // Go brings the names into scope before it reads the commands.
        self.vars.extend(names.iter().cloned());
        p.vars = names;
        Ok(&toks[at + 1..])
    }

    /// One operand at the start of `toks` and the tokens it used.
    fn operand(&mut self, toks: &[Token]) -> PR<(Arg, usize)> {
        let Token { pos, tk } = &toks[0];
        let pos = *pos;
        let arg = |op| Arg { pos, op };
        Ok(match tk {
            Tk::Field(f) => (arg(Operand::Field(f.clone())), 1),
            Tk::Var(n, f) => {
                if !self.vars.iter().any(|v| v == n) {
                    return fail(pos, format!("undefined variable {n:?}"));
                }
                (arg(Operand::Variable(n.clone(), f.clone())), 1)
            }
            Tk::Str(_) if matches!(toks.get(1).map(|t| &t.tk), Some(Tk::FieldChain(_))) => {
                let written = super::tree::written(self.text, pos).unwrap_or_default();
                return fail(pos, format!("unexpected . after term {written:?}"));
            }
            Tk::Str(s) => (arg(Operand::Str(s.clone())), 1),
            Tk::Number(n) => {
                super::strconv::parse_go_number(n).map_err(|msg| PErr { pos, msg })?;
                (arg(Operand::Number(n.clone())), 1)
            }
            Tk::Word(w) => self.word(toks, w)?,
            Tk::LParen => self.parenthesised(toks)?,
            other => return fail(pos, format!("unexpected {} in operand", token_text(other))),
        })
    }

    /// A word operand: a constant or a function, maybe followed by `.a.b`.
    fn word(&mut self, toks: &[Token], w: &str) -> PR<(Arg, usize)> {
        let pos = toks[0].pos;
        let op = match w {
            "true" => Operand::Bool(true),
            "false" => Operand::Bool(false),
            "nil" => Operand::Nil,
            name if self.funcs.contains(name) => Operand::Func(name.to_string()),
            name => return fail(pos, format!("function {name:?} not defined")),
        };
        Ok(match (toks.get(1), op) {
            (
                Some(Token {
                    pos: chain_pos,
                    tk: Tk::FieldChain(chain),
                }),
                Operand::Func(name),
            ) => {
                let call = Pipeline {
                    pos,
                    cmds: vec![Command {
                        pos,
                        args: vec![Arg {
                            pos,
                            op: Operand::Func(name),
                        }],
                    }],
                    ..Pipeline::default()
                };
                let op = Operand::Pipe(Box::new(call), chain.clone());
                (
                    Arg {
                        pos: *chain_pos,
                        op,
                    },
                    2,
                )
            }
            (
                Some(Token {
                    tk: Tk::FieldChain(_),
                    ..
                }),
                _,
            ) => return fail(pos, format!("unexpected . after term {w:?}")),
            (_, op) => (Arg { pos, op }, 1),
        })
    }

    /// `( pipeline )`, maybe followed by `.a.b`.
    fn parenthesised(&mut self, toks: &[Token]) -> PR<(Arg, usize)> {
        let pos = toks[0].pos;
        if self.depth >= MAX_DEPTH {
            return fail(pos, too_deep());
        }
        let mut open = 0;
        let close = toks
            .iter()
            .position(|t| {
                match t.tk {
                    Tk::LParen => open += 1,
                    Tk::RParen => open -= 1,
                    _ => {}
                }
                open == 0
            })
            .ok_or(PErr {
                pos,
                msg: "unclosed left paren".into(),
            })?;
        self.depth += 1;
        let inner = self.pipeline(&toks[1..close], "parenthesized pipeline", toks[close].pos);
        self.depth -= 1;
        let inner = inner?;
        Ok(match toks.get(close + 1) {
            Some(Token {
                pos,
                tk: Tk::FieldChain(f),
            }) => (
                Arg {
                    pos: *pos,
                    op: Operand::Pipe(Box::new(inner), f.clone()),
                },
                close + 2,
            ),
            _ => (
                Arg {
                    pos: inner.pos,
                    op: Operand::Pipe(Box::new(inner), Vec::new()),
                },
                close + 1,
            ),
        })
    }
}
