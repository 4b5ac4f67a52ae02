//! Go's text/template language (temporary map; see the module doc written below).

mod exec;
mod funcs;
mod math;
mod parse;
mod print;
mod time;
mod value;
mod zone;

pub use exec::{render, TemplateData};
pub use parse::{parse, Template, FUNCTIONS, MAX_DEPTH};

#[cfg(test)]
mod exec_tests;
#[cfg(test)]
mod parse_tests;
