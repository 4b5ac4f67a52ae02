//! Evaluates commands as Go's executor does: a pipeline passes each command's result as the
//! last argument of the next; functions check their argument count and types as Go's
//! reflection does (a label is a string, so `{{ repeat .n "x" }}` fails where
//! `{{ add .n 1 }}` converts); a missing map key is the zero value of the map's elements (the
//! empty string for labels, nothing for `fromJson` maps); a struct without the field is an
//! error; `if`/`with`/`and`/`or`/`not` use Go's truth; `range` walks lists, maps (sorted by
//! key) and integers. Each evaluation marks its node as Go's does, so that errors name the
//! node Go names (see `exec.rs`).

use super::exec::{At, Exec, R};
use super::funcs::{self, Func, Ty};
use super::print::sprint;
use super::strconv::parse_go_number;
use super::tree::{arg_text, Arg, Command, Operand};
use super::value::Value;

/// A field chain's receiver: the value, and whether it was read out of a `fromJson` map,
/// where Go sees it through an `interface{}` (which changes nil handling and messages).
type Receiver<'a> = (Value<'a>, bool);

impl<'a> Exec<'a, '_> {
    /// One command; `fin` is the previous command's result, passed as the last argument.
    pub(super) fn command(
        &mut self,
        dot: &Value<'a>,
        cmd: &'a Command,
        fin: Option<Value<'a>>,
    ) -> R<Value<'a>> {
        let first = &cmd.args[0];
        let rest = &cmd.args[1..];
        match &first.op {
            Operand::Field(fields) if !fields.is_empty() => {
                self.at(At::Arg(first));
                self.field_chain(dot, (dot.clone(), false), first, fields, rest, fin)
            }
            Operand::Pipe(p, chain) if !chain.is_empty() => {
                self.at(At::Arg(first));
                let recv = self.pipeline(dot, p)?;
                self.field_chain(dot, (recv, false), first, chain, rest, fin)
            }
            Operand::Variable(name, fields) => {
                self.at(At::Arg(first));
                let v = self.var(name)?;
                if fields.is_empty() {
                    self.not_a_function(first, rest, &fin)?;
                    return Ok(v);
                }
                self.field_chain(dot, (v, false), first, fields, rest, fin)
            }
            Operand::Func(name) => {
                self.at(At::Arg(first));
                self.call_function(dot, name, At::Cmd(cmd), rest, fin)
            }
            Operand::Pipe(p, _) => {
                self.not_a_function(first, rest, &fin)?;
                self.pipeline(dot, p)
            }
            literal => {
                self.at(At::Arg(first));
                self.not_a_function(first, rest, &fin)?;
                match literal {
                    Operand::Bool(b) => Ok(Value::Bool(*b)),
                    Operand::Number(n) => ideal_constant(n),
                    Operand::Str(s) => Ok(Value::str(s.as_str())),
                    Operand::Nil => Err("nil is not a command".into()),
                    // `.` (a field chain of no fields).
                    _ => Ok(dot.clone()),
                }
            }
        }
    }

    fn not_a_function(&self, first: &Arg, rest: &[Arg], fin: &Option<Value>) -> R<()> {
        if rest.is_empty() && fin.is_none() {
            Ok(())
        } else {
            Err(format!(
                "can't give argument to non-function {}",
                arg_text(self.source, first)
            ))
        }
    }

    /// `.a.b.c` from `recv`; the last field gets the command's arguments (a method call).
    fn field_chain(
        &mut self,
        dot: &Value<'a>,
        recv: Receiver<'a>,
        node: &'a Arg,
        fields: &'a [String],
        rest: &'a [Arg],
        fin: Option<Value<'a>>,
    ) -> R<Value<'a>> {
        let (last, init) = fields.split_last().expect("a chain has a field");
        let mut recv = recv;
        for name in init {
            recv = self.field(dot, recv, node, name, &[], None)?;
        }
        Ok(self.field(dot, recv, node, last, rest, fin)?.0)
    }

    /// One field of a receiver: a map entry, a struct field, or a method.
    fn field(
        &mut self,
        dot: &Value<'a>,
        (recv, from_map): Receiver<'a>,
        node: &'a Arg,
        name: &'a str,
        rest: &'a [Arg],
        fin: Option<Value<'a>>,
    ) -> R<Receiver<'a>> {
        let has_args = !rest.is_empty() || fin.is_some();
        let static_type = if from_map {
            "interface {}"
        } else {
            recv.type_name()
        };
        if let Some(m) = funcs::method(&recv, name) {
            return Ok((
                self.call(dot, name, &m, Some(recv), At::Arg(node), rest, fin)?,
                false,
            ));
        }
        match recv {
            Value::Nil if from_map => Err(format!("nil pointer evaluating interface {{}}.{name}")),
            // Missing data: Go yields nothing rather than an error.
            Value::Nil => Ok((Value::Nil, false)),
            Value::Labels(_) | Value::StrMap(..) | Value::Map(_) if has_args => {
                Err(format!("{name} is not a method but has arguments"))
            }
            Value::Labels(d) => Ok((Value::str(d.label(name).unwrap_or("")), false)),
            Value::StrMap(_, m) => {
                Ok((Value::str(m.get(name).cloned().unwrap_or_default()), false))
            }
            Value::Map(m) => Ok((m.get(name).cloned().unwrap_or(Value::Nil), true)),
            Value::Struct(s) => match s.field(name) {
                Some(_) if has_args => Err(format!(
                    "{name} has arguments but cannot be invoked as function"
                )),
                Some(v) => Ok((v.clone(), false)),
                None => Err(format!("can't evaluate field {name} in type {static_type}")),
            },
            _ => Err(format!("can't evaluate field {name} in type {static_type}")),
        }
    }

    /// A function called by name; `node` is where Go reports its failure.
    fn call_function(
        &mut self,
        dot: &Value<'a>,
        name: &'a str,
        node: At<'a>,
        rest: &'a [Arg],
        fin: Option<Value<'a>>,
    ) -> R<Value<'a>> {
        match name {
            "and" | "or" => self.and_or(dot, name == "or", name, rest, fin),
            "call" => self.call_value(dot, node, rest, fin),
            _ => {
                let f = *self
                    .funcs
                    .get(name)
                    .ok_or_else(|| format!("{name:?} is not a defined function"))?;
                self.call(dot, name, &f, None, node, rest, fin)
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
        rest: &'a [Arg],
        fin: Option<Value<'a>>,
    ) -> R<Value<'a>> {
        if rest.is_empty() && fin.is_none() {
            return Err(format!(
                "wrong number of args for {name}: want at least 1 got 0"
            ));
        }
        let mut v = Value::Nil;
        for arg in rest {
            v = self.arg(dot, Ty::Any, arg)?;
            if v.truth() == is_or {
                return Ok(v);
            }
        }
        Ok(fin.unwrap_or(v))
    }

    /// `call`: no template value is a function, so this can only fail, as in Go (at `node`,
    /// once the arguments are evaluated).
    fn call_value(
        &mut self,
        dot: &Value<'a>,
        node: At<'a>,
        rest: &'a [Arg],
        fin: Option<Value<'a>>,
    ) -> R<Value<'a>> {
        let Some(first) = rest.first() else {
            return match fin {
                None => Err("wrong number of args for call: want at least 1 got 0".into()),
                Some(v) => {
                    self.at(node);
                    Err(non_function("call", "", &v))
                }
            };
        };
        let v = self.arg(dot, Ty::Any, first)?;
        for arg in &rest[1..] {
            self.arg(dot, Ty::Any, arg)?;
        }
        self.at(node);
        Err(non_function("call", &arg_text(self.source, first), &v))
    }

    /// Calls a function (or a method, with its receiver) as Go's `evalCall` does: count the
    /// arguments, evaluate and type-check them, then call; a failure is reported at `node`.
    #[allow(clippy::too_many_arguments)]
    fn call(
        &mut self,
        dot: &Value<'a>,
        name: &str,
        f: &Func,
        recv: Option<Value<'a>>,
        node: At<'a>,
        rest: &'a [Arg],
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
        for (i, arg) in rest.iter().enumerate() {
            argv.push(self.arg(dot, param(i), arg)?);
        }
        if let Some(v) = fin {
            argv.push(validate(v, param(num_in - 1))?);
        }
        (f.call)(&self.env, argv).map_err(|e| {
            self.at(node);
            format!("error calling {name}: {e}")
        })
    }

    /// Evaluates an argument for a parameter of type `ty` (Go's `evalArg`): literals must
    /// suit the type; computed values must already have it.
    fn arg(&mut self, dot: &Value<'a>, ty: Ty, arg: &'a Arg) -> R<Value<'a>> {
        self.at(At::Arg(arg));
        let v = match &arg.op {
            Operand::Field(f) if f.is_empty() => dot.clone(),
            Operand::Field(f) => self.field_chain(dot, (dot.clone(), false), arg, f, &[], None)?,
            Operand::Variable(name, f) if f.is_empty() => self.var(name)?,
            Operand::Variable(name, f) => {
                let recv = self.var(name)?;
                self.field_chain(dot, (recv, false), arg, f, &[], None)?
            }
            Operand::Pipe(p, chain) => {
                let v = self.pipeline(dot, p)?;
                if chain.is_empty() {
                    v
                } else {
                    self.field_chain(dot, (v, false), arg, chain, &[], None)?
                }
            }
            Operand::Func(name) => self.call_function(dot, name, At::Arg(arg), &[], None)?,
            Operand::Nil if matches!(ty, Ty::Any | Ty::Named(_) | Ty::Slice(_)) => {
                return Ok(Value::Nil)
            }
            Operand::Nil => return Err(format!("cannot assign nil to {}", ty.name())),
            _ => return self.literal_arg(ty, arg),
        };
        validate(v, ty)
    }

    /// A literal argument for a parameter of type `ty` (Go's `evalBool`, `evalString`, ...).
    fn literal_arg(&self, ty: Ty, arg: &'a Arg) -> R<Value<'a>> {
        let found = || format!("found {}", arg_text(self.source, arg));
        match (ty, &arg.op) {
            (Ty::Any, Operand::Number(n)) => ideal_constant(n),
            (Ty::Any, Operand::Bool(b)) => Ok(Value::Bool(*b)),
            (Ty::Any, Operand::Str(s)) | (Ty::Str, Operand::Str(s)) => Ok(Value::str(s.as_str())),
            (Ty::Int | Ty::Duration, Operand::Number(n)) => match parse_go_number(n)?.int {
                Some(i) if ty == Ty::Int => Ok(Value::Int(i)),
                Some(i) => Ok(Value::Duration(i)),
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
                arg_text(self.source, arg),
                ty.name()
            )),
        }
    }
}

/// The (index or key, element) pairs `range` visits, lazily (`range 1000000000` must not
/// build a list first).
pub(super) fn range_items<'a>(
    val: &Value<'a>,
    nvars: usize,
) -> R<Box<dyn Iterator<Item = (Value<'a>, Value<'a>)> + 'a>> {
    Ok(match val {
        Value::List(items) | Value::Slice(_, items) => {
            let items = items.clone();
            Box::new((0..items.len()).map(move |i| (Value::Int(i as i64), items[i].clone())))
        }
        Value::Map(_) | Value::Labels(_) | Value::StrMap(..) => Box::new(
            val.map_entries()
                .into_iter()
                .map(|(k, v)| (Value::Str(k), v)),
        ),
        Value::Nil => Box::new(std::iter::empty()),
        Value::Int(_)
        | Value::Int64(_)
        | Value::Byte(_)
        | Value::Month(_)
        | Value::Weekday(_)
        | Value::Duration(_) => {
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
                Value::Duration(n) => (*n, Value::Duration),
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

/// A computed value for a parameter of type `ty` (Go's `validateType`).
fn validate(v: Value, ty: Ty) -> R<Value> {
    let ok = match (&v, ty) {
        (_, Ty::Any) => true,
        (Value::Nil, Ty::Named(_) | Ty::Slice(_)) => true,
        (Value::Slice(t, _), Ty::Slice(want)) => t.name == want,
        (Value::Nil, _) => return Err(format!("invalid value; expected {}", ty.name())),
        (Value::Str(_), Ty::Str)
        | (Value::Int(_), Ty::Int)
        | (Value::Float(_), Ty::Float)
        | (Value::Time(_), Ty::Time)
        | (Value::Duration(_), Ty::Duration) => true,
        (v, Ty::Named(name)) => v.type_name() == name,
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
