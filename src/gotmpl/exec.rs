//! Executes a parsed template as Go's `text/template` does with `missingkey=zero`: the walk over
//! the tree (text, actions, `if`/`with`/`range` with `break` and `continue`, calls of named
//! templates), the entry points, and Go's execution errors. Evaluating pipelines, commands,
//! fields and calls is in `eval.rs`.
//!
//! The dot is any [`Value`]: Loki hands a log entry's labels ([`render`]), Prometheus a struct
//! of the alert's labels and value ([`render_value`]), Alertmanager runs named templates of a
//! [`Set`] ([`execute`]). `{{template "name" pipeline}}` runs a template of the same parse (or
//! set) with the pipeline's value as dot and `$`, and no other variable, as in Go.
//!
//! Errors read like Go's: [`ExecError`] carries the message, the template that was running and
//! the node Go would report (`template: x:1:14: executing "x" at <humanize "one">: error
//! calling humanize: ...`), found by marking nodes as Go's executor does. LogQL shows only the
//! message ([`render`]).

use super::funcs::{Env, FuncSet, Host};
use super::print::sprint;
use super::set::Set;
use super::strconv::quote;
use super::tree::{arg_text, call_text, command_text, pipeline_text};
use super::tree::{Arg, Branch, Call, Command, Node, Pipeline, Source, Template};
use super::value::Value;
use std::fmt;

/// How deeply templates may call templates: a call fails when this many calls and branches
/// (`if`, `with`, `range` bodies) enclose it. Go counts calls only and allows 100,000 on its
/// growable stacks; each level here is a few frames of the executor's recursion, and the
/// template called last may nest branches [`MAX_DEPTH`](super::MAX_DEPTH) deep besides, so
/// the limit keeps the deepest run well within a 2 MiB thread stack in a debug build. It
/// stops accidental recursion, as Go's does.
pub const MAX_CALL_DEPTH: usize = 300;

/// The data a template reads as its dot: a map of strings (for LogQL, an entry's labels).
pub trait TemplateData {
    fn label(&self, name: &str) -> Option<&str>;
    /// All labels, for `{{ . }}`/`range` over the map if Loki supports it (may be unused).
    fn labels(&self) -> Vec<(&str, &str)>;
}

/// Labels held as pairs: a snapshot taken for `label_format`, or a test's labels.
impl TemplateData for Vec<(String, String)> {
    fn label(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn labels(&self) -> Vec<(&str, &str)> {
        self.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
}

/// A template that failed to run, as Go reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecError {
    /// The template that was running (Go's `executing "name"`).
    pub template: String,
    /// Where: Go's `name:line:column` of the node it failed at, and that node as Go prints
    /// it; `None` before any node ran.
    pub at: Option<(String, String)>,
    /// What went wrong, e.g. `error calling first: first() called on vector with no elements`.
    pub message: String,
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Some((location, context)) => write!(
                f,
                "template: {location}: executing {} at <{context}>: {}",
                quote(&self.template, '"', false),
                self.message
            ),
            None => write!(f, "template: {}: {}", self.template, self.message),
        }
    }
}

impl std::error::Error for ExecError {}

/// Renders `t` into `out` (appending), with `data` as the dot and `$`, calling the
/// functions of `funcs` (the table `t` was parsed with), which may read `host`. The error is
/// Go's message without its position (LogQL's `__error_details__`).
///
/// On error `out` is left as it was (Go may have written part of the output; its callers
/// keep the original text in that case, so the part is of no use).
pub fn render<'a>(
    t: &'a Template,
    funcs: &FuncSet,
    data: &'a dyn TemplateData,
    host: &dyn Host<'a>,
    out: &mut String,
) -> Result<(), String> {
    render_value(t, funcs, Value::Labels(data), host, out).map_err(|e| e.message)
}

/// Renders `t` into `out` (appending) with `root` as the dot and `$` (Prometheus: a struct
/// of the alert's labels and value). On error `out` is left as it was.
pub fn render_value<'a>(
    t: &'a Template,
    funcs: &FuncSet,
    root: Value<'a>,
    host: &dyn Host<'a>,
    out: &mut String,
) -> Result<(), ExecError> {
    let scope = Scope::Template(t);
    run(scope, &t.name, &t.nodes, &t.source, funcs, root, host, out)
}

/// Runs the template `name` of `set` into `out` (appending) with `root` as the dot and `$`
/// (Go's `ExecuteTemplate`). On error `out` is left as it was.
pub fn execute<'a>(
    set: &'a Set,
    name: &str,
    funcs: &FuncSet,
    root: Value<'a>,
    host: &dyn Host<'a>,
    out: &mut String,
) -> Result<(), ExecError> {
    let Some((name, nodes, source)) = set.lookup(name) else {
        return Err(ExecError {
            template: name.to_string(),
            at: None,
            message: format!(
                "no template {} associated with the template set",
                quote(name, '"', false)
            ),
        });
    };
    run(Scope::Set(set), name, nodes, source, funcs, root, host, out)
}

#[allow(clippy::too_many_arguments)]
fn run<'a>(
    scope: Scope<'a>,
    name: &'a str,
    nodes: &'a [Node],
    source: &'a Source,
    funcs: &FuncSet,
    root: Value<'a>,
    host: &dyn Host<'a>,
    out: &mut String,
) -> Result<(), ExecError> {
    let start = out.len();
    let mut exec = Exec {
        env: Env { host },
        funcs,
        scope,
        vars: vec![("$", root.clone())],
        out,
        name,
        source,
        at: None,
        nesting: 0,
    };
    let result = match exec.walk_list(&root, nodes) {
        Ok(Flow::Next) => Ok(()),
        Ok(Flow::Break) => Err("{{break}} outside {{range}}".to_string()),
        Ok(Flow::Continue) => Err("{{continue}} outside {{range}}".to_string()),
        Err(e) => Err(e),
    };
    result.map_err(|message| {
        exec.out.truncate(start);
        exec.error(message)
    })
}

/// Where named templates are found: the parse being run, or a set.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Template(&'a Template),
    Set(&'a Set),
}

impl<'a> Scope<'a> {
    /// The template called `name`: its name, tree and the text it was parsed from.
    fn lookup(self, name: &str) -> Option<(&'a str, &'a [Node], &'a Source)> {
        match self {
            Scope::Template(t) if name == t.name => Some((&t.name, &t.nodes, &t.source)),
            Scope::Template(t) => t
                .defined
                .iter()
                .find(|d| d.name == name)
                .map(|d| (d.name.as_str(), d.nodes.as_slice(), &*t.source)),
            Scope::Set(s) => s.lookup(name),
        }
    }
}

/// The node an error is reported at (Go's `state.node`).
#[derive(Clone, Copy)]
pub(super) enum At<'a> {
    Pipe(&'a Pipeline),
    Cmd(&'a Command),
    Arg(&'a Arg),
    Call(&'a Call),
}

pub(super) type R<T> = Result<T, String>;

/// How a list of nodes ended: normally, or by `{{break}}`/`{{continue}}` inside a range.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Flow {
    Next,
    Break,
    Continue,
}

pub(super) struct Exec<'a, 'o> {
    pub(super) env: Env<'a, 'o>,
    pub(super) funcs: &'o FuncSet,
    scope: Scope<'a>,
    /// The variable stack: `$` first, then declarations in scope, innermost last.
    pub(super) vars: Vec<(&'a str, Value<'a>)>,
    out: &'o mut String,
    /// The template running, the text its tree was parsed from, and the node an error now
    /// would be reported at. Errors travel up as bare messages and get these at the top:
    /// nothing marks a node once an error is on its way.
    name: &'a str,
    pub(super) source: &'a Source,
    at: Option<At<'a>>,
    /// How many template calls and branches enclose the current position.
    nesting: usize,
}

impl<'a> Exec<'a, '_> {
    /// Marks the node an error would be reported at (Go's `state.at`).
    pub(super) fn at(&mut self, at: At<'a>) {
        self.at = Some(at);
    }

    /// The error for `message` at the node marked last.
    fn error(&self, message: String) -> ExecError {
        let at = self.at.map(|at| {
            let src = self.source;
            let (pos, context) = match at {
                At::Pipe(p) => (p.pos, pipeline_text(src, p)),
                At::Cmd(c) => (c.pos, command_text(src, c)),
                At::Arg(a) => (a.pos, arg_text(src, a)),
                At::Call(c) => (c.pos, call_text(src, c)),
            };
            (src.location(pos), context)
        });
        ExecError {
            template: self.name.to_string(),
            at,
            message,
        }
    }

    pub(super) fn walk_list(&mut self, dot: &Value<'a>, nodes: &'a [Node]) -> R<Flow> {
        for node in nodes {
            let flow = self.walk(dot, node)?;
            if flow != Flow::Next {
                return Ok(flow);
            }
        }
        Ok(Flow::Next)
    }

    fn walk(&mut self, dot: &Value<'a>, node: &'a Node) -> R<Flow> {
        match node {
            Node::Text(t) => self.out.push_str(t),
            Node::Action(pipe) => {
                // Variables an action declares stay in scope until the enclosing `end`.
                let v = self.pipeline(dot, pipe)?;
                if pipe.vars.is_empty() {
                    self.print(&v);
                }
            }
            Node::If(b) => return self.if_or_with(dot, b, false),
            Node::With(b) => return self.if_or_with(dot, b, true),
            Node::Range(b) => return self.range(dot, b),
            Node::Break => return Ok(Flow::Break),
            Node::Continue => return Ok(Flow::Continue),
            Node::Template(call) => self.template(dot, call)?,
        }
        Ok(Flow::Next)
    }

    /// Writes a value as an action prints it: Go's `fmt.Sprint` of the value (a pointer
    /// followed to what it points to), `<no value>` for nil.
    fn print(&mut self, v: &Value) {
        match v {
            Value::Str(s) => self.out.push_str(s),
            Value::Nil => self.out.push_str("<no value>"),
            Value::Struct(s) => self.out.push_str(&s.print_pointee()),
            other => self.out.push_str(&sprint(std::slice::from_ref(other))),
        }
    }

    fn if_or_with(&mut self, dot: &Value<'a>, b: &'a Branch, with: bool) -> R<Flow> {
        let mark = self.vars.len();
        let val = self.pipeline(dot, &b.pipe)?;
        self.nesting += 1;
        let flow = if !val.truth() {
            self.walk_list(dot, &b.otherwise)?
        } else if with {
            self.walk_list(&val, &b.body)?
        } else {
            self.walk_list(dot, &b.body)?
        };
        self.nesting -= 1;
        self.vars.truncate(mark);
        Ok(flow)
    }

    fn range(&mut self, dot: &Value<'a>, b: &'a Branch) -> R<Flow> {
        let mark = self.vars.len();
        let val = self.pipeline(dot, &b.pipe)?;
        let items = super::eval::range_items(&val, b.pipe.vars.len())?;
        let inner = self.vars.len();
        let mut ran = false;
        self.nesting += 1;
        for (index, elem) in items {
            ran = true;
            self.bind_range_vars(&b.pipe, index, &elem)?;
            let flow = self.walk_list(&elem, &b.body)?;
            self.vars.truncate(inner);
            if flow == Flow::Break {
                break;
            }
        }
        if !ran {
            self.walk_list(dot, &b.otherwise)?;
        }
        self.nesting -= 1;
        self.vars.truncate(mark);
        Ok(Flow::Next)
    }

    /// Sets the range variables for one iteration: with one variable the element, with two
    /// the index (or key) and the element.
    fn bind_range_vars(&mut self, pipe: &'a Pipeline, index: Value<'a>, elem: &Value<'a>) -> R<()> {
        let n = self.vars.len();
        match (pipe.vars.as_slice(), pipe.assign) {
            ([], _) => {}
            ([one], true) => self.set_var(one, elem.clone())?,
            ([first, second, ..], true) => {
                self.set_var(first, index)?;
                self.set_var(second, elem.clone())?;
            }
            ([_], false) => self.vars[n - 1].1 = elem.clone(),
            (_, false) => {
                self.vars[n - 1].1 = elem.clone();
                self.vars[n - 2].1 = index;
            }
        }
        Ok(())
    }

    /// `{{template "name" pipeline}}`: runs the named template with the pipeline's value as
    /// dot and `$`, and no other variable (Go's `walkTemplate`).
    fn template(&mut self, dot: &Value<'a>, call: &'a Call) -> R<()> {
        self.at(At::Call(call));
        let Some((name, nodes, source)) = self.scope.lookup(&call.name) else {
            return Err(format!(
                "template {} not defined",
                quote(&call.name, '"', false)
            ));
        };
        if self.nesting >= MAX_CALL_DEPTH {
            return Err(format!(
                "exceeded maximum template depth ({MAX_CALL_DEPTH})"
            ));
        }
        // Variables the pipeline declares stay in the caller's scope.
        let dot = match &call.pipe {
            Some(p) => self.pipeline(dot, p)?,
            None => Value::Nil,
        };
        let vars = std::mem::replace(&mut self.vars, vec![("$", dot.clone())]);
        let caller = (self.name, self.source, self.at);
        (self.name, self.source) = (name, source);
        self.nesting += 1;
        // On error the callee's position is the one to report: nothing is restored.
        self.walk_list(&dot, nodes)?;
        self.nesting -= 1;
        (self.name, self.source, self.at) = caller;
        self.vars = vars;
        Ok(())
    }

    pub(super) fn var(&self, name: &str) -> R<Value<'a>> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| format!("undefined variable: {name}"))
    }

    pub(super) fn set_var(&mut self, name: &str, value: Value<'a>) -> R<()> {
        match self.vars.iter_mut().rev().find(|(n, _)| *n == name) {
            Some(slot) => {
                slot.1 = value;
                Ok(())
            }
            None => Err(format!("undefined variable: {name}")),
        }
    }

    /// Evaluates a pipeline; declares or assigns its variables.
    pub(super) fn pipeline(&mut self, dot: &Value<'a>, pipe: &'a Pipeline) -> R<Value<'a>> {
        self.at(At::Pipe(pipe));
        let mut value = None;
        for cmd in &pipe.cmds {
            value = Some(self.command(dot, cmd, value.take())?);
        }
        let value = value.unwrap_or(Value::Nil);
        for name in &pipe.vars {
            if pipe.assign {
                self.set_var(name, value.clone())?;
            } else {
                self.vars.push((name, value.clone()));
            }
        }
        Ok(value)
    }
}
