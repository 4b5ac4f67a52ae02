//! Executes a parsed template as Go's `text/template` does with `missingkey=zero`: the data
//! is a string map (Loki hands a log entry's labels), the functions those of the table the
//! template was parsed with.
//!
//! Semantics follow Go's executor: a pipeline passes each command's result as the last
//! argument of the next; functions check their argument count and types as Go's reflection
//! does (a label is a string, so `{{ repeat .n "x" }}` fails where `{{ add .n 1 }}` converts);
//! a missing label is the empty string; `if`/`with`/`and`/`or`/`not` use Go's truth;
//! variables are scoped to the enclosing block; `range` walks lists, maps (sorted by key) and
//! integers, with `break` and `continue`. Errors read like Go's, without Go's
//! `template: name:line:col: executing ... at <...>:` prefix, as the syntax tree keeps no
//! positions: e.g. `error calling div: runtime error: integer divide by zero`.
//!
//! Functions are in `funcs/`, printing in `print.rs`, times in `time/`, values in `value.rs`.

use super::funcs::{self, Env, Func, FuncSet, Host, Ty};
use super::parse::{Branch, Command, Node, Operand, Pipeline, Template};
use super::print::sprint;
use super::strconv::{parse_go_number, quote};
use super::value::Value;

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

/// Renders `t` into `out` (appending), with `data` as the dot and `$`, calling the
/// functions of `funcs` (the table `t` was parsed with), which may read `host`.
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
    let start = out.len();
    let root = Value::Labels(data);
    let mut exec = Exec {
        env: Env { host },
        funcs,
        vars: vec![("$", root.clone())],
        out,
    };
    let result = match exec.walk_list(&root, &t.nodes) {
        Ok(Flow::Next) => Ok(()),
        Ok(Flow::Break) => Err("{{break}} outside {{range}}".into()),
        Ok(Flow::Continue) => Err("{{continue}} outside {{range}}".into()),
        Err(e) => Err(e),
    };
    if result.is_err() {
        exec.out.truncate(start);
    }
    result
}

type R<T> = Result<T, String>;

/// How a list of nodes ended: normally, or by `{{break}}`/`{{continue}}` inside a range.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Next,
    Break,
    Continue,
}

struct Exec<'a, 'o> {
    env: Env<'a, 'o>,
    funcs: &'o FuncSet,
    /// The variable stack: `$` first, then declarations in scope, innermost last.
    vars: Vec<(&'a str, Value<'a>)>,
    out: &'o mut String,
}

/// A field chain's receiver: the value, and whether it was read out of a `fromJson` map,
/// where Go sees it through an `interface{}` (which changes nil handling and messages).
type Receiver<'a> = (Value<'a>, bool);

impl<'a> Exec<'a, '_> {
    fn walk_list(&mut self, dot: &Value<'a>, nodes: &'a [Node]) -> R<Flow> {
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
            // `define` is rejected by the parser, so no named template can exist.
            Node::Template(name, _) => {
                return Err(format!("template {} not defined", quote(name, '"', false)))
            }
        }
        Ok(Flow::Next)
    }

    /// Writes a value as an action prints it: Go's `fmt.Sprint`, `<no value>` for nil.
    fn print(&mut self, v: &Value) {
        match v {
            Value::Str(s) => self.out.push_str(s),
            Value::Nil => self.out.push_str("<no value>"),
            other => self.out.push_str(&sprint(std::slice::from_ref(other))),
        }
    }

    fn if_or_with(&mut self, dot: &Value<'a>, b: &'a Branch, with: bool) -> R<Flow> {
        let mark = self.vars.len();
        let val = self.pipeline(dot, &b.pipe)?;
        let flow = if !val.truth() {
            self.walk_list(dot, &b.otherwise)?
        } else if with {
            self.walk_list(&val, &b.body)?
        } else {
            self.walk_list(dot, &b.body)?
        };
        self.vars.truncate(mark);
        Ok(flow)
    }

    fn range(&mut self, dot: &Value<'a>, b: &'a Branch) -> R<Flow> {
        let mark = self.vars.len();
        let val = self.pipeline(dot, &b.pipe)?;
        let items = range_items(&val, b.pipe.vars.len())?;
        let inner = self.vars.len();
        let mut ran = false;
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

    fn var(&self, name: &str) -> R<Value<'a>> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| format!("undefined variable: {name}"))
    }

    fn set_var(&mut self, name: &str, value: Value<'a>) -> R<()> {
        match self.vars.iter_mut().rev().find(|(n, _)| *n == name) {
            Some(slot) => {
                slot.1 = value;
                Ok(())
            }
            None => Err(format!("undefined variable: {name}")),
        }
    }

    /// Evaluates a pipeline; declares or assigns its variables.
    fn pipeline(&mut self, dot: &Value<'a>, pipe: &'a Pipeline) -> R<Value<'a>> {
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

    /// One command; `fin` is the previous command's result, passed as the last argument.
    fn command(
        &mut self,
        dot: &Value<'a>,
        cmd: &'a Command,
        fin: Option<Value<'a>>,
    ) -> R<Value<'a>> {
        let first = &cmd.args[0];
        let rest = &cmd.args[1..];
        let not_a_function = |fin: &Option<Value>| {
            if rest.is_empty() && fin.is_none() {
                Ok(())
            } else {
                Err(format!(
                    "can't give argument to non-function {}",
                    operand_text(first)
                ))
            }
        };
        match first {
            Operand::Field(fields) if !fields.is_empty() => {
                self.field_chain(dot, (dot.clone(), false), fields, rest, fin)
            }
            Operand::Pipe(p, chain) if !chain.is_empty() => {
                let recv = self.pipeline(dot, p)?;
                self.field_chain(dot, (recv, false), chain, rest, fin)
            }
            Operand::Variable(name, fields) if !fields.is_empty() => {
                let recv = self.var(name)?;
                self.field_chain(dot, (recv, false), fields, rest, fin)
            }
            Operand::Func(name) => self.call_function(dot, name, rest, fin),
            Operand::Field(_) => {
                not_a_function(&fin)?;
                Ok(dot.clone())
            }
            Operand::Pipe(p, _) => {
                not_a_function(&fin)?;
                self.pipeline(dot, p)
            }
            Operand::Variable(name, _) => {
                let v = self.var(name)?;
                not_a_function(&fin)?;
                Ok(v)
            }
            Operand::Bool(b) => {
                not_a_function(&fin)?;
                Ok(Value::Bool(*b))
            }
            Operand::Number(n) => {
                not_a_function(&fin)?;
                ideal_constant(n)
            }
            Operand::Str(s) => {
                not_a_function(&fin)?;
                Ok(Value::str(s.as_str()))
            }
            Operand::Nil => {
                not_a_function(&fin)?;
                Err("nil is not a command".into())
            }
        }
    }

    /// `.a.b.c` from `recv`; the last field gets the command's arguments (a method call).
    fn field_chain(
        &mut self,
        dot: &Value<'a>,
        recv: Receiver<'a>,
        fields: &'a [String],
        rest: &'a [Operand],
        fin: Option<Value<'a>>,
    ) -> R<Value<'a>> {
        let (last, init) = fields.split_last().expect("a chain has a field");
        let mut recv = recv;
        for name in init {
            recv = self.field(dot, recv, name, &[], None)?;
        }
        Ok(self.field(dot, recv, last, rest, fin)?.0)
    }

    /// One field of a receiver: a label, a `fromJson` map entry, or a method of a time.
    fn field(
        &mut self,
        dot: &Value<'a>,
        (recv, from_map): Receiver<'a>,
        name: &'a str,
        rest: &'a [Operand],
        fin: Option<Value<'a>>,
    ) -> R<Receiver<'a>> {
        let has_args = !rest.is_empty() || fin.is_some();
        let static_type = if from_map {
            "interface {}"
        } else {
            recv.type_name()
        };
        match recv {
            Value::Nil if from_map => Err(format!("nil pointer evaluating interface {{}}.{name}")),
            // Missing data: Go yields nothing rather than an error.
            Value::Nil => Ok((Value::Nil, false)),
            Value::Labels(_) | Value::Map(_) if has_args => {
                Err(format!("{name} is not a method but has arguments"))
            }
            Value::Labels(d) => Ok((Value::str(d.label(name).unwrap_or("")), false)),
            Value::Map(m) => Ok((m.get(name).cloned().unwrap_or(Value::Nil), true)),
            Value::Time(_) | Value::Month(_) | Value::Weekday(_) => {
                match funcs::method(&recv, name) {
                    Some(m) => Ok((self.call(dot, name, &m, Some(recv), rest, fin)?, false)),
                    None => Err(format!("can't evaluate field {name} in type {static_type}")),
                }
            }
            _ => Err(format!("can't evaluate field {name} in type {static_type}")),
        }
    }

    fn call_function(
        &mut self,
        dot: &Value<'a>,
        name: &'a str,
        rest: &'a [Operand],
        fin: Option<Value<'a>>,
    ) -> R<Value<'a>> {
        match name {
            "and" | "or" => self.and_or(dot, name == "or", name, rest, fin),
            "call" => self.call_value(dot, rest, fin),
            _ => {
                let f = *self
                    .funcs
                    .get(name)
                    .ok_or_else(|| format!("{name:?} is not a defined function"))?;
                self.call(dot, name, &f, None, rest, fin)
            }
        }
    }

    /// `and`/`or`: evaluate arguments in order, stop at the first false (`and`) or true
    /// (`or`) one and return it, else return the last.
    fn and_or(
        &mut self,
        dot: &Value<'a>,
        is_or: bool,
        name: &str,
        rest: &'a [Operand],
        fin: Option<Value<'a>>,
    ) -> R<Value<'a>> {
        if rest.is_empty() && fin.is_none() {
            return Err(format!(
                "wrong number of args for {name}: want at least 1 got 0"
            ));
        }
        let mut v = Value::Nil;
        for op in rest {
            v = self.arg(dot, Ty::Any, op)?;
            if v.truth() == is_or {
                return Ok(v);
            }
        }
        Ok(fin.unwrap_or(v))
    }

    /// `call`: no template value is a function, so this can only fail, as in Go.
    fn call_value(
        &mut self,
        dot: &Value<'a>,
        rest: &'a [Operand],
        fin: Option<Value<'a>>,
    ) -> R<Value<'a>> {
        let Some(first) = rest.first() else {
            return match fin {
                None => Err("wrong number of args for call: want at least 1 got 0".into()),
                Some(v) => Err(non_function("call", "", &v)),
            };
        };
        let v = self.arg(dot, Ty::Any, first)?;
        Err(non_function("call", &operand_text(first), &v))
    }

    /// Calls a function (or a method, with its receiver) as Go's `evalCall` does: count the
    /// arguments, evaluate and type-check them, then call.
    fn call(
        &mut self,
        dot: &Value<'a>,
        name: &str,
        f: &Func,
        recv: Option<Value<'a>>,
        rest: &'a [Operand],
        fin: Option<Value<'a>>,
    ) -> R<Value<'a>> {
        let num_in = rest.len() + usize::from(fin.is_some());
        let fixed = f.fixed.len();
        match f.variadic {
            Some(_) if num_in < fixed => {
                return Err(format!(
                    "wrong number of args for {name}: want at least {fixed} got {}",
                    rest.len()
                ))
            }
            None if num_in != fixed => {
                return Err(format!(
                    "wrong number of args for {name}: want {fixed} got {num_in}"
                ))
            }
            _ => {}
        }
        let param = |i: usize| f.fixed.get(i).copied().or(f.variadic).unwrap_or(Ty::Any);
        let mut argv = Vec::with_capacity(num_in + 1);
        argv.extend(recv);
        for (i, op) in rest.iter().enumerate() {
            argv.push(self.arg(dot, param(i), op)?);
        }
        if let Some(v) = fin {
            argv.push(validate(v, param(num_in - 1))?);
        }
        (f.call)(&self.env, argv).map_err(|e| format!("error calling {name}: {e}"))
    }

    /// Evaluates an argument for a parameter of type `ty` (Go's `evalArg`): literals must
    /// suit the type; computed values must already have it.
    fn arg(&mut self, dot: &Value<'a>, ty: Ty, op: &'a Operand) -> R<Value<'a>> {
        let v = match op {
            Operand::Field(f) if f.is_empty() => dot.clone(),
            Operand::Field(f) => self.field_chain(dot, (dot.clone(), false), f, &[], None)?,
            Operand::Variable(name, f) if f.is_empty() => self.var(name)?,
            Operand::Variable(name, f) => {
                let recv = self.var(name)?;
                self.field_chain(dot, (recv, false), f, &[], None)?
            }
            Operand::Pipe(p, chain) => {
                let v = self.pipeline(dot, p)?;
                if chain.is_empty() {
                    v
                } else {
                    self.field_chain(dot, (v, false), chain, &[], None)?
                }
            }
            Operand::Func(name) => self.call_function(dot, name, &[], None)?,
            Operand::Nil if ty == Ty::Any => return Ok(Value::Nil),
            Operand::Nil => return Err(format!("cannot assign nil to {}", ty.name())),
            literal => return literal_arg(ty, literal),
        };
        validate(v, ty)
    }
}

/// The (index or key, element) pairs `range` visits, lazily (`range 1000000000` must not
/// build a list first).
fn range_items<'a>(
    val: &Value<'a>,
    nvars: usize,
) -> R<Box<dyn Iterator<Item = (Value<'a>, Value<'a>)> + 'a>> {
    Ok(match val {
        Value::List(items) => {
            let items = items.clone();
            Box::new((0..items.len()).map(move |i| (Value::Int(i as i64), items[i].clone())))
        }
        Value::Map(_) | Value::Labels(_) => Box::new(
            val.map_entries()
                .into_iter()
                .map(|(k, v)| (Value::Str(k), v)),
        ),
        Value::Nil => Box::new(std::iter::empty()),
        Value::Int(_) | Value::Int64(_) | Value::Byte(_) | Value::Month(_) | Value::Weekday(_) => {
            if nvars > 1 {
                return Err(format!(
                    "can't use {} to iterate over more than one variable",
                    sprint(std::slice::from_ref(val))
                ));
            }
            // Go counts from 0 below the value, in the value's own type.
            let (n, make): (i64, fn(i64) -> Value<'a>) = match val {
                Value::Byte(b) => (i64::from(*b), |i| Value::Byte(i as u8)),
                Value::Int64(n) => (*n, Value::Int64),
                Value::Month(n) => (*n, Value::Month),
                Value::Weekday(n) => (*n, Value::Weekday),
                other => (other.as_int().unwrap_or(0), Value::Int),
            };
            Box::new((0..n).map(move |i| (Value::Nil, make(i))))
        }
        other => {
            return Err(format!(
                "range can't iterate over {}",
                sprint(std::slice::from_ref(other))
            ))
        }
    })
}

/// A literal argument for a parameter of type `ty` (Go's `evalBool`, `evalString`, ...).
fn literal_arg<'a>(ty: Ty, op: &'a Operand) -> R<Value<'a>> {
    let found = || format!("found {}", operand_text(op));
    match (ty, op) {
        (Ty::Any, Operand::Number(n)) => ideal_constant(n),
        (Ty::Any, Operand::Bool(b)) => Ok(Value::Bool(*b)),
        (Ty::Any, Operand::Str(s)) | (Ty::Str, Operand::Str(s)) => Ok(Value::str(s.as_str())),
        (Ty::Int | Ty::Duration, Operand::Number(n)) => match parse_go_number(n)?.int {
            Some(i) if ty == Ty::Int => Ok(Value::Int(i)),
            Some(i) => Ok(Value::Int64(i)),
            None => Err(format!("expected integer; {}", found())),
        },
        (Ty::Float, Operand::Number(n)) => match parse_go_number(n)?.float {
            Some(f) => Ok(Value::Float(f)),
            None => Err(format!("expected float; {}", found())),
        },
        (Ty::Str, _) => Err(format!("expected string; {}", found())),
        (Ty::Int | Ty::Duration, _) => Err(format!("expected integer; {}", found())),
        (Ty::Float, _) => Err(format!("expected float; {}", found())),
        _ => Err(format!(
            "can't handle {} for arg of type {}",
            operand_text(op),
            ty.name()
        )),
    }
}

/// A computed value for a parameter of type `ty` (Go's `validateType`).
fn validate(v: Value, ty: Ty) -> R<Value> {
    let ok = match (&v, ty) {
        (_, Ty::Any) => true,
        (Value::Nil, _) => return Err(format!("invalid value; expected {}", ty.name())),
        (Value::Str(_), Ty::Str)
        | (Value::Int(_), Ty::Int)
        | (Value::Float(_), Ty::Float)
        | (Value::Time(_), Ty::Time) => true,
        _ => false,
    };
    if ok {
        Ok(v)
    } else {
        Err(format!(
            "wrong type for value; expected {}; got {}",
            ty.name(),
            v.type_name()
        ))
    }
}

/// A number literal where no type is asked for (Go's `idealConstant`): a float if it is
/// written as one, else an `int`.
fn ideal_constant(text: &str) -> R<Value<'static>> {
    let n = parse_go_number(text)?;
    if n.complex {
        return Err(format!("complex constant {text} is not supported"));
    }
    let lower = text.to_ascii_lowercase();
    let hex_int = lower.trim_start_matches(['+', '-']).starts_with("0x") && !lower.contains('p');
    if let Some(f) = n.float {
        if !hex_int && text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Value::Float(f));
        }
    }
    match (n.int, n.uint) {
        (Some(i), _) => Ok(Value::Int(i)),
        (None, Some(_)) => Err(format!("{text} overflows int")),
        _ => Ok(Value::Nil),
    }
}

/// Go's error for `call` on something that is not a function.
fn non_function(name: &str, what: &str, v: &Value) -> String {
    let detail = match v {
        Value::Nil => "call of nil".to_string(),
        v => format!("non-function {what} of type {}", v.type_name()),
    };
    format!("error calling {name}: {detail}")
}

/// An operand as Go's template parser prints it back (used in error messages).
pub(crate) fn operand_text(op: &Operand) -> String {
    let fields = |f: &[String]| f.iter().map(|n| format!(".{n}")).collect::<String>();
    match op {
        Operand::Field(f) if f.is_empty() => ".".into(),
        Operand::Field(f) => fields(f),
        Operand::Variable(name, f) => format!("{name}{}", fields(f)),
        Operand::Func(name) => name.clone(),
        Operand::Str(s) => quote(s, '"', false),
        Operand::Number(n) => n.clone(),
        Operand::Bool(b) => b.to_string(),
        Operand::Nil => "nil".into(),
        Operand::Pipe(p, chain) => format!("({}){}", pipeline_text(p), fields(chain)),
    }
}

fn pipeline_text(p: &Pipeline) -> String {
    let mut s = String::new();
    if !p.vars.is_empty() {
        s.push_str(&p.vars.join(", "));
        s.push_str(if p.assign { " = " } else { " := " });
    }
    let cmds: Vec<String> = p
        .cmds
        .iter()
        .map(|c| {
            c.args
                .iter()
                .map(operand_text)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    s.push_str(&cmds.join(" | "));
    s
}
