//! The functions a template may call: how one is declared (its Go parameter types and its
//! implementation, [`Func`]), the table a template is parsed and run with ([`FuncSet`]), what
//! a function may read of its execution besides its arguments ([`Host`]), and the libraries
//! this module provides: Go's built-ins (always in a table, as in Go), sprig's strings,
//! defaults, encodings and dates ([`SPRIG`]), and sprig's math and conversions ([`MATH`]).
//!
//! The methods templates can call on times live here too (`methods.rs`), as do the Go
//! `strings` helpers that function libraries share (`strings.rs`).

mod builtin;
pub mod math;
mod methods;
mod sprig;
pub mod strings;

pub use builtin::{query_escape, query_unescape};
pub(super) use methods::method;

use super::time::GoTime;
use super::value::Value;
use std::collections::HashMap;

/// A Go parameter type, as far as argument checking tells them apart.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ty {
    /// `interface{}` or `reflect.Value`: anything, nil included.
    Any,
    Str,
    Int,
    Float,
    Time,
    /// `time.Duration`: only integer literals fit.
    Duration,
    /// A type of the program's own (Prometheus' `*template.sample`): only values of that
    /// type name, or nil, fit.
    Named(&'static str),
    /// A slice type of the program's own (Prometheus' `template.queryResult`): lists, or nil.
    Slice(&'static str),
}

impl Ty {
    pub fn name(self) -> &'static str {
        match self {
            Ty::Any => "interface {}",
            Ty::Str => "string",
            Ty::Int => "int",
            Ty::Float => "float64",
            Ty::Time => "time.Time",
            Ty::Duration => "time.Duration",
            Ty::Named(name) | Ty::Slice(name) => name,
        }
    }
}

pub type R<T> = Result<T, String>;

/// A function's implementation: its arguments, checked against its signature (a method's
/// receiver first), and what the execution offers besides.
pub type Imp = for<'a> fn(&Env<'a, '_>, Vec<Value<'a>>) -> R<Value<'a>>;

/// A function: its Go signature, which the executor checks as Go's reflection does, and its
/// implementation.
#[derive(Clone, Copy)]
pub struct Func {
    pub fixed: &'static [Ty],
    pub variadic: Option<Ty>,
    pub call: Imp,
}

/// A function of exactly these parameters.
pub const fn fixed(params: &'static [Ty], call: Imp) -> Func {
    Func {
        fixed: params,
        variadic: None,
        call,
    }
}

/// A function of these parameters and then any number of `rest`.
pub const fn variadic(params: &'static [Ty], rest: Ty, call: Imp) -> Func {
    Func {
        fixed: params,
        variadic: Some(rest),
        call,
    }
}

/// What the program running a template offers its functions for this execution, by name:
/// LogQL offers the entry's line and time to `__line__` and `__timestamp__`; Prometheus
/// offers the evaluation time and runs `query` through its querier.
pub trait Host<'a> {
    /// The value called `name`, if this execution has one.
    fn value(&self, name: &str) -> Option<Value<'a>>;

    /// Runs the host's operation `name` on `args`, if it has one (`None` when it has not).
    fn call(&self, name: &str, args: &[Value<'a>]) -> Option<R<Value<'a>>> {
        let _ = (name, args);
        None
    }
}

/// No host values.
impl<'a> Host<'a> for () {
    fn value(&self, _: &str) -> Option<Value<'a>> {
        None
    }
}

/// What a function sees of the execution calling it.
pub struct Env<'a, 'h> {
    pub(super) host: &'h dyn Host<'a>,
}

impl<'a> Env<'a, '_> {
    /// The host's value called `name`.
    pub fn host_value(&self, name: &str) -> Option<Value<'a>> {
        self.host.value(name)
    }

    /// Runs the host's operation `name` (`None` when the host has none of that name).
    pub fn host_call(&self, name: &str, args: &[Value<'a>]) -> Option<R<Value<'a>>> {
        self.host.call(name, args)
    }
}

/// A library of functions: their names, and how to get each.
pub struct Library {
    pub names: &'static [&'static str],
    pub lookup: fn(&str) -> Option<Func>,
}

/// Go's built-in functions (`and`, `or`, `not`, `eq`, `len`, `index`, `printf`...).
pub const BUILTINS: Library = Library {
    names: builtin::NAMES,
    lookup: builtin::function,
};

/// The sprig functions gotmpl implements: strings, defaults, encodings, JSON and dates.
pub const SPRIG: Library = Library {
    names: sprig::NAMES,
    lookup: sprig::function,
};

/// sprig's math and conversions (`add`, `divf`, `round`, `int`, `float64`...).
pub const MATH: Library = Library {
    names: math::NAMES,
    lookup: math::function,
};

/// The functions a template may call, by name, as Go's `template.FuncMap` plus its built-ins:
/// a name the table lacks is a parse error, and the executor calls what the table holds.
#[derive(Clone)]
pub struct FuncSet {
    funcs: HashMap<&'static str, Func>,
}

impl Default for FuncSet {
    fn default() -> FuncSet {
        FuncSet::new()
    }
}

impl FuncSet {
    /// Go's built-ins, as every Go template has them.
    pub fn new() -> FuncSet {
        let mut set = FuncSet {
            funcs: HashMap::new(),
        };
        set.add_library(&BUILTINS);
        set
    }

    /// Adds (or replaces) one function.
    pub fn add(&mut self, name: &'static str, f: Func) -> &mut FuncSet {
        self.funcs.insert(name, f);
        self
    }

    /// Adds every function of a library.
    pub fn add_library(&mut self, lib: &Library) -> &mut FuncSet {
        for &name in lib.names {
            if let Some(f) = (lib.lookup)(name) {
                self.funcs.insert(name, f);
            }
        }
        self
    }

    /// Adds the named functions of a library; the names it does not have are returned.
    pub fn add_from(&mut self, lib: &Library, names: &[&'static str]) -> Vec<&'static str> {
        let mut missing = Vec::new();
        for &name in names {
            match (lib.lookup)(name) {
                Some(f) => {
                    self.funcs.insert(name, f);
                }
                None => missing.push(name),
            }
        }
        missing
    }

    /// Whether a template may call `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Func> {
        self.funcs.get(name)
    }

    /// The names in the table, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        let mut names: Vec<_> = self.funcs.keys().copied().collect();
        names.sort_unstable();
        names
    }
}

// Accessors for arguments already checked against the signature: a value of another type
// cannot reach them, and they give the type's zero value if one did.

/// A `string` argument.
pub fn str_arg<'v>(v: &'v Value) -> &'v str {
    match v {
        Value::Str(s) => s,
        _ => "",
    }
}

/// An `int` argument.
pub fn int_arg(v: &Value) -> i64 {
    v.as_int().unwrap_or(0)
}

/// A `float64` argument.
pub fn float_arg(v: &Value) -> f64 {
    match v {
        Value::Float(f) => *f,
        _ => 0.0,
    }
}

/// A `time.Time` argument.
pub fn time_arg(v: &Value) -> GoTime {
    match v {
        Value::Time(t) => t.clone(),
        _ => GoTime::zero(),
    }
}
