//! The tree of a parsed template (Go's `text/template/parse` nodes) and how Go prints its nodes
//! back in execution errors (`executing "x" at <humanize "one">: ...`).
//!
//! Every node that Go's executor can report an error at keeps its byte position in the text it
//! was parsed from; the text itself is kept once per parse ([`Source`]) to turn positions into
//! `line:column` and to print literals as they were written.

use super::lex::line_of;
use super::strconv::quote;
use std::sync::Arc;

/// A parsed template text: the tree it runs and the other templates it defines, as Go's parse
/// of one text yields them.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Template {
    /// The name it was parsed under (Go's `template.New(name)`); LogQL's are unnamed.
    pub name: String,
    /// The tree [`render`](super::render) runs: the text outside `{{define}}`s, or the
    /// definition of the template's own name when that text is only spaces (as in Go).
    pub nodes: Vec<Node>,
    /// The other templates the text defines with `{{define}}` or `{{block}}`, in order.
    pub defined: Vec<Definition>,
    /// The text and the name it was parsed under, for error positions.
    pub source: Arc<Source>,
}

/// A named template defined by `{{define "name"}}` or `{{block "name" ...}}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    pub name: String,
    pub nodes: Vec<Node>,
}

/// The text a tree was parsed from and the name of that parse (Go's `ParseName`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Source {
    pub name: String,
    pub text: String,
}

impl Source {
    /// Go's `ErrorContext` location: `name:line:column`, the column a 0-based byte offset.
    pub fn location(&self, pos: usize) -> String {
        let pos = pos.min(self.text.len());
        let line_start = self.text[..pos].rfind('\n').map_or(0, |i| i + 1);
        format!(
            "{}:{}:{}",
            self.name,
            line_of(&self.text, pos),
            pos - line_start
        )
    }
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
    /// `{{ template "name" pipeline }}`, and where a `{{ block }}` stands.
    Template(Call),
}

/// `{{ template "name" [pipeline] }}`: the position of the name, the name, the pipeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub pos: usize,
    pub name: String,
    pub pipe: Option<Pipeline>,
}

/// The pipeline and the bodies of `if`/`range`/`with` (`else if` is an `If` in `otherwise`).
#[derive(Clone, Debug, PartialEq)]
pub struct Branch {
    pub pipe: Pipeline,
    pub body: Vec<Node>,
    pub otherwise: Vec<Node>,
}

/// `[$a, $b :=|=] cmd | cmd ...`, at the position of its first token.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Pipeline {
    pub pos: usize,
    pub vars: Vec<String>,
    /// `=` rather than `:=`.
    pub assign: bool,
    pub cmds: Vec<Command>,
}

/// A function call or a single operand: `printf "%s" .a`, `.a`.
#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    pub pos: usize,
    pub args: Vec<Arg>,
}

/// An operand and its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub pos: usize,
    pub op: Operand,
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

/// Whether a tree holds nothing but spaces (Go's `IsEmptyTree`): such a definition does not
/// replace one that exists.
pub fn is_empty_tree(nodes: &[Node]) -> bool {
    nodes.iter().all(|n| match n {
        Node::Text(t) => t.trim().is_empty(),
        _ => false,
    })
}

// How Go prints nodes back (`Node.String()`), for error messages.

fn fields_text(out: &mut String, fields: &[String]) {
    for f in fields {
        out.push('.');
        out.push_str(f);
    }
}

/// An operand as Go prints it: literals as written in `src`.
pub fn arg_text(src: &Source, arg: &Arg) -> String {
    let mut out = String::new();
    write_arg(&mut out, src, arg, false);
    out
}

/// `in_command`: a parenthesised pipeline keeps its parentheses inside a command.
fn write_arg(out: &mut String, src: &Source, arg: &Arg, in_command: bool) {
    match &arg.op {
        Operand::Field(f) if f.is_empty() => out.push('.'),
        Operand::Field(f) => fields_text(out, f),
        Operand::Variable(name, f) => {
            out.push_str(name);
            fields_text(out, f);
        }
        Operand::Func(name) => out.push_str(name),
        Operand::Str(s) => {
            out.push_str(&written(&src.text, arg.pos).unwrap_or_else(|| quote(s, '"', false)))
        }
        Operand::Number(n) => {
            out.push_str(&written(&src.text, arg.pos).unwrap_or_else(|| n.clone()))
        }
        Operand::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Operand::Nil => out.push_str("nil"),
        Operand::Pipe(p, chain) if chain.is_empty() && !in_command => write_pipeline(out, src, p),
        Operand::Pipe(p, chain) => {
            out.push('(');
            write_pipeline(out, src, p);
            out.push(')');
            fields_text(out, chain);
        }
    }
}

/// A quoted string or character constant as written at `pos` of `text`.
pub(super) fn written(text: &str, pos: usize) -> Option<String> {
    let rest = text.get(pos..)?;
    if !rest.starts_with(['"', '`', '\'']) {
        return None;
    }
    let (_, n) = crate::grammar::scan_quoted(rest).ok()?;
    Some(rest[..n].to_string())
}

/// A command as Go prints it: its operands separated by spaces.
pub fn command_text(src: &Source, cmd: &Command) -> String {
    let mut out = String::new();
    write_command(&mut out, src, cmd);
    out
}

fn write_command(out: &mut String, src: &Source, cmd: &Command) {
    for (i, arg) in cmd.args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_arg(out, src, arg, true);
    }
}

/// A pipeline as Go prints it (declarations always with `:=`, as Go does).
pub fn pipeline_text(src: &Source, p: &Pipeline) -> String {
    let mut out = String::new();
    write_pipeline(&mut out, src, p);
    out
}

fn write_pipeline(out: &mut String, src: &Source, p: &Pipeline) {
    if !p.vars.is_empty() {
        out.push_str(&p.vars.join(", "));
        out.push_str(" := ");
    }
    for (i, cmd) in p.cmds.iter().enumerate() {
        if i > 0 {
            out.push_str(" | ");
        }
        write_command(out, src, cmd);
    }
}

/// `{{template "name" pipeline}}` as Go prints it.
pub fn call_text(src: &Source, call: &Call) -> String {
    let mut out = format!("{{{{template {}", quote(&call.name, '"', false));
    if let Some(p) = &call.pipe {
        out.push(' ');
        write_pipeline(&mut out, src, p);
    }
    out.push_str("}}");
    out
}
