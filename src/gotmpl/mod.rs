//! Go's text/template language, as Loki's `line_format`/`label_format` and Prometheus' alert
//! templates use it: a parser (`parse.rs`), an executor (`exec.rs`), the dynamically typed
//! values templates compute with (`value.rs`), Go's `fmt` printing (`print.rs`) and `strconv` (`strconv.rs`),
//! Go's `time.Time` with its layouts and time zones (`time/`), and libraries of functions
//! (`funcs/`: Go's built-ins, sprig's strings, dates and encodings, sprig's math).
//!
//! **Registering a function set.** A template is parsed and run with a [`FuncSet`]: Go's
//! built-ins are always in it, and a program adds the libraries and functions its templates
//! may call, as Go's `template.Funcs` does:
//!
//! ```ignore
//! let mut table = FuncSet::new();
//! table.add_library(&funcs::MATH);
//! table.add_from(&funcs::SPRIG, &["lower", "upper", "default"]);
//! table.add("__line__", funcs::fixed(&[], |env, _| {
//!     Ok(env.host_value("line").unwrap_or(Value::Nil))
//! }));
//! let t = gotmpl::parse("{{ .app | upper }}", &table)?;
//! gotmpl::render(&t, &table, &labels, &host, &mut out)?;
//! ```
//!
//! A function declares its Go parameter types ([`funcs::Ty`]), which the executor checks
//! and converts as Go's reflection does, and gets the execution's [`Host`] to read what the
//! program offers besides the arguments (LogQL: the entry's line and time). A name the table
//! lacks is a parse error, as in Go. LogQL registers Loki's set in `logql/template.rs`.
//!
//! **Deliberately not done.** `define`, `block` and named templates (`{{template}}` can only
//! fail); methods other than those of `time.Time` and of months and weekdays; Go's
//! `html/template` contextual escaping; positions in execution errors. Nesting is limited to
//! [`MAX_DEPTH`] levels so that parsing and running stay within a thread's stack.

pub mod exec;
pub mod funcs;
pub mod parse;
pub mod print;
pub mod strconv;
pub mod time;
pub mod value;

pub use exec::{render, TemplateData};
pub use funcs::{FuncSet, Host};
pub use parse::{parse, Template, MAX_DEPTH};
pub use value::Value;

#[cfg(test)]
mod exec_tests;
#[cfg(test)]
mod parse_tests;
#[cfg(test)]
mod time_tests;
