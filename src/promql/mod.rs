//! PromQL: syntax (`ast` with `chain`, `lexer`, `parser`, `printer`, `functions`) kept apart from evaluation
//! (`engine`) and from the result values (`value`).

pub mod ast;
mod chain;
pub mod engine;
pub mod functions;
pub mod json;
pub mod lexer;
pub mod notation;
pub mod parser;
mod parser_durations;
mod parser_modifiers;
mod parser_ops;
mod parser_selectors;
pub mod printer;
pub mod value;

pub use parser::{parse, parse_metric_selector, ParseError};
#[cfg(test)]
mod limits_tests;
#[cfg(test)]
mod parser_tests;
