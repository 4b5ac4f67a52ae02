//! Go's text/template language, as Loki's `line_format`/`label_format` and Prometheus' alert
//! templates use it: a lexer (`lex.rs`) and parser (`parse.rs`) building the tree (`tree.rs`),
//! sets of named templates (`set.rs`), an executor (`exec.rs`, evaluating in `eval.rs`), the
//! dynamically typed values templates compute with (`value.rs`), Go's `fmt` printing
//! (`print.rs`) and `strconv` (`strconv.rs`), Go's `time.Time` with its layouts and time
//! zones (`time/`), and libraries of functions (`funcs/`: Go's built-ins, sprig's strings,
//! dates and encodings, sprig's math).
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
//! program offers besides the arguments (LogQL: the entry's line and time; Prometheus: the
//! evaluation time, and `query` through its querier). A name the table lacks is a parse
//! error, as in Go. LogQL registers Loki's set in `logql/template.rs`, Prometheus' alert
//! templates theirs in `rules/template.rs`.
//!
//! **Running.** [`render`] runs a parse with a label map as its dot (LogQL), [`render_value`]
//! with any [`Value`] (Prometheus' alert data is a [`GoStruct`]), [`execute`] a named
//! template of a [`Set`] of parses (Alertmanager's template files). `{{define}}`,
//! `{{template}}` and `{{block}}` work as in Go, within a parse and across a set. Errors read
//! as Go's: [`ParseError`] with its line, [`ExecError`] with the node and its
//! `name:line:column`.
//!
//! **Types of the program's own.** A slice or `map[string]string` value may carry a
//! [`GoType`]: its Go name and its methods, found by name as Go finds a method before a map
//! key, with a `String` method used when the value prints, as Go's `fmt` uses a `Stringer`
//! (Alertmanager's `template.KV` with `SortedPairs` and `Remove`, `template.Alerts` with
//! `Firing`, in `notify/template.rs`). Times, durations, months and weekdays have Go's own
//! methods (`funcs/methods.rs`).
//!
//! **Deliberately not done.** Go's `html/template` contextual escaping; options such as
//! `missingkey=error` (`missingkey=zero` is what Loki and Prometheus use); custom delimiters.
//! Nesting is limited to [`MAX_DEPTH`] levels when parsing and [`MAX_CALL_DEPTH`] calls and
//! branches when running, so that both stay within a thread's stack.

mod eval;
pub mod exec;
pub mod funcs;
mod lex;
pub mod parse;
pub mod print;
pub mod set;
pub mod strconv;
pub mod time;
pub mod tree;
pub mod value;

pub use exec::{execute, render, render_value, ExecError, TemplateData, MAX_CALL_DEPTH};
pub use funcs::{FuncSet, Host};
pub use parse::{parse, parse_named, ParseError, MAX_DEPTH};
pub use set::Set;
pub use tree::Template;
pub use value::{GoStruct, GoType, Value};

#[cfg(test)]
mod exec_tests;
#[cfg(test)]
mod named_tests;
#[cfg(test)]
mod parse_tests;
#[cfg(test)]
mod time_tests;
