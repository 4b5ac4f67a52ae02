//! LogQL, Loki's query language: the syntax tree (`ast`), the tokenizer (`lexer`), the parser
//! (`parser*.rs`), the checks of patterns, IP ranges and JSON paths the parser applies
//! (`validate`), and the unit-bearing literals (`units`). Templates of `line_format` and
//! `label_format` are Go templates, parsed and run by [`crate::gotmpl`].
//!
//! [`parse`] accepts what Loki's `ParseExpr` accepts (its grammar plus its parse-time
//! validation), and also rejects bad templates, JSON paths and `|>` patterns, which Loki only
//! rejects when it builds the pipeline but which no valid query contains. [`parse_for_eval`]
//! adds the rest of Loki's pipeline-build checks (line-filter regexes that do not compile,
//! `ip()` under `|~`/`!~`, invalid `ip()` patterns): Loki's own parser tests accept queries
//! with those, so plain `parse` must too, but an engine must not run them. `eval_logs`
//! evaluates log queries (selectors and pipelines) and `eval_metric` metric queries (range and
//! vector aggregations, binary operations), the latter over PromQL's evaluator.

pub mod ast;
pub mod eval_logs;
pub mod eval_metric;
pub mod extract;
pub mod lexer;
mod parser;
mod parser_log;
mod parser_pipeline;
pub mod pipeline;
pub mod tail;
pub mod template;
pub mod units;
pub mod validate;

pub use ast::*;

/// Longest query accepted, as in Loki.
pub const MAX_QUERY_BYTES: usize = 128 * 1024;

/// How deeply constructs may nest in a query: parentheses, function arguments
/// (`sum(sum(...))`), the right operands of `^` chains, parenthesised label filters. Loki's
/// generated parser has no such limit, but a recursive parser and evaluator must bound their
/// stack; chains of left-associative operators (`a + b + c ...`, `x="1" and y="2" ...`) do not
/// count and may be as long as the query. The limit leaves room for evaluating the query on
/// a 2 MiB thread in a debug build, with a wide margin over any query a person writes.
pub const MAX_NESTING: usize = 32;

/// A syntax or validation error with the byte offset where it was found. Displays as
/// `parse error at line L, col C: message` (columns count characters, from 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parse error at line {line}, col {column}: {message}")]
pub struct ParseError {
    pub message: String,
    /// Byte offset in the query.
    pub pos: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl ParseError {
    pub(crate) fn new(input: &str, pos: usize, message: impl Into<String>) -> ParseError {
        let mut pos = pos.min(input.len());
        while !input.is_char_boundary(pos) {
            pos -= 1;
        }
        let before = &input[..pos];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |p| p + 1);
        ParseError {
            message: message.into(),
            pos,
            line,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

/// How much [`parse_with`] checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checks {
    /// What Loki's `ParseExpr` checks (plus templates, JSON paths and `|>` patterns).
    Syntax,
    /// Also what Loki checks when it builds the pipeline: everything an engine needs.
    Eval,
}

/// Parses and validates a LogQL query as Loki's `ParseExpr` does.
pub fn parse(input: &str) -> Result<Expr, ParseError> {
    parse_str(input, Checks::Syntax)
}

/// Parses a query to be evaluated: [`parse`] plus the checks of pipeline building.
pub fn parse_for_eval(input: &str) -> Result<Expr, ParseError> {
    parse_str(input, Checks::Eval)
}

fn parse_str(input: &str, checks: Checks) -> Result<Expr, ParseError> {
    if input.len() > MAX_QUERY_BYTES {
        return Err(ParseError::new(input, 0, "input size too long"));
    }
    parser::parse_tokens(input, checks)
}

/// Parses a query given as bytes (as it arrives over HTTP): invalid UTF-8 is a parse error at
/// the first bad byte, as in Loki.
pub fn parse_with(input: &[u8], checks: Checks) -> Result<Expr, ParseError> {
    match std::str::from_utf8(input) {
        Ok(s) => parse_str(s, checks),
        Err(e) => {
            let good = &input[..e.valid_up_to()];
            let text = std::str::from_utf8(good).unwrap_or_default();
            Err(ParseError::new(text, text.len(), "invalid UTF-8 rune"))
        }
    }
}

#[cfg(test)]
mod depth_tests;
#[cfg(test)]
mod parser_tests;
#[cfg(test)]
mod template_tests;
