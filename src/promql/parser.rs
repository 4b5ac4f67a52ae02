//! The PromQL parser: tokens (from `lexer.rs`) to an [`Expr`], with Prometheus' precedence,
//! modifiers, and the type checks of Prometheus' `checkAST` applied as each node is built.
//!
//! It is a hand-written recursive-descent parser with precedence climbing for binary operators,
//! over a token list rather than raw text: PromQL is context-sensitive at the lexical level
//! (keywords double as names, `:` means different things inside `[...]`) and Prometheus' error
//! messages are phrased in terms of tokens ("unexpected <op:*>"), so a token stream gives both
//! simpler rules and matching errors. The nom pieces live in `crate::grammar` and are used by the
//! lexer. Each token is looked at a bounded number of times and each node's type is kept
//! beside it while parsing (`N`), so parsing is linear.
//!
//! Limits on the shape of a query: a chain of left-associative operators (`a + b + c ...`, as
//! tools generate them) is built in a loop and may be as long as the query; true nesting
//! (parentheses, arguments, signs, `^`) recurses and stops at [`MAX_NESTING`] levels with a
//! parse error at the expression that goes past it.
//!
//! Not here: the lexer (`lexer.rs`), modifiers after an expression (`parser_modifiers.rs`),
//! selectors and label lists (`parser_selectors.rs`), binary/aggregation/call construction and
//! their type checks (`parser_ops.rs`), duration expressions (`parser_durations.rs`), printing
//! (`printer.rs`) and the function table (`functions.rs`).

use super::ast::*;
use super::lexer::{describe, is_keyword, tokenize, TokKind, Token};
use crate::grammar::number_value;
use crate::model::Matcher;

/// A syntax or type error in a query, with where it happened. Displays the way Prometheus
/// does: `1:14: parse error: unexpected <op:*>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: parse error: {message}")]
pub struct ParseError {
    /// Byte offset in the query.
    pub pos: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in bytes from the start of the line (as Prometheus counts).
    pub column: usize,
    pub message: String,
}

impl ParseError {
    pub(super) fn new(input: &str, pos: usize, message: impl Into<String>) -> ParseError {
        // Counted in bytes, as Prometheus does, which also needs no character boundary.
        let pos = pos.min(input.len());
        let before = &input.as_bytes()[..pos];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = pos
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1)
            + 1;
        ParseError {
            pos,
            line,
            column,
            message: message.into(),
        }
    }
}

pub(super) type PResult<T> = Result<T, ParseError>;

/// Parses a PromQL expression.
pub fn parse(input: &str) -> Result<Expr, ParseError> {
    let mut p = Parser::new(input);
    if p.peek().kind == TokKind::Eof {
        return Err(p.err(0, "no expression found in input"));
    }
    let n = p.expr(0)?;
    if p.peek().kind != TokKind::Eof {
        return Err(p.unexpected("", ""));
    }
    Ok(n.e)
}

/// Parses a series selector such as `foo{bar="baz"}` or `{__name__=~"a.*"}` (the `match[]`
/// parameter of the HTTP API) into its matchers, the metric name included as a `__name__`
/// matcher.
pub fn parse_metric_selector(input: &str) -> Result<Vec<Matcher>, ParseError> {
    let mut p = Parser::new(input);
    let t = p.peek().clone();
    let n = match t.kind {
        TokKind::LBrace => p.vector_selector(None, t.start)?,
        TokKind::Ident | TokKind::MetricIdent => {
            p.next();
            p.vector_selector(Some(t.text(input).to_string()), t.start)?
        }
        _ => return Err(p.unexpected("", "")),
    };
    if p.peek().kind != TokKind::Eof {
        return Err(p.unexpected("", ""));
    }
    match n.e {
        Expr::VectorSelector(vs) => Ok(vs.matchers),
        _ => Err(p.err(0, "expected a series selector")),
    }
}

/// An expression with its position and type, while parsing. The type is kept beside the
/// tree because computing it walks the tree: asking a chain `a + b + ...` for its type at
/// every operator would make parsing quadratic.
pub(super) struct N {
    pub e: Expr,
    pub pos: PosRange,
    pub ty: ValueType,
}

impl N {
    /// A node whose type is cheap to compute (not a chain of operators, a sign or
    /// parentheses, whose builders pass the type they already know).
    pub(super) fn new(e: Expr, pos: PosRange) -> N {
        let ty = e.value_type();
        N { e, pos, ty }
    }
}

pub(super) struct Parser<'a> {
    pub input: &'a str,
    toks: Vec<Token>,
    i: usize,
    /// Set while parsing the second argument of `info()`, whose selector may match the empty
    /// string (`info(m, {data=~".*"})`); taken by the first selector parsed.
    pub(super) allow_empty_selector: bool,
    /// Where a selector used that allowance, so the caller can check it was the whole argument.
    pub(super) empty_selector_at: Option<usize>,
    depth: usize,
}

/// The precedence and associativity of a binary operator token (higher binds tighter).
pub(super) fn binop_of(t: &Token, input: &str) -> Option<(BinOp, u8, bool)> {
    Some(match t.kind {
        TokKind::Add => (BinOp::Add, 4, false),
        TokKind::Sub => (BinOp::Sub, 4, false),
        TokKind::Mul => (BinOp::Mul, 5, false),
        TokKind::Div => (BinOp::Div, 5, false),
        TokKind::Mod => (BinOp::Mod, 5, false),
        TokKind::Pow => (BinOp::Pow, 6, true),
        TokKind::Eqlc => (BinOp::Eql, 3, false),
        TokKind::Neq => (BinOp::Neq, 3, false),
        TokKind::Lss => (BinOp::Lss, 3, false),
        TokKind::Lte => (BinOp::Lte, 3, false),
        TokKind::Gtr => (BinOp::Gtr, 3, false),
        TokKind::Gte => (BinOp::Gte, 3, false),
        TokKind::Ident => match t.text(input).to_ascii_lowercase().as_str() {
            "and" => (BinOp::And, 2, false),
            "unless" => (BinOp::Unless, 2, false),
            "or" => (BinOp::Or, 1, false),
            "atan2" => (BinOp::Atan2, 5, false),
            _ => return None,
        },
        _ => return None,
    })
}

/// The longest duration Prometheus can represent (Go's `time.Duration`, nanoseconds in an i64),
/// in milliseconds: about 292 years.
pub(super) const MAX_DURATION_MS: i64 = i64::MAX / 1_000_000;

/// How deeply expressions may nest: parentheses, function arguments, aggregations, signs,
/// the right-hand side of `^`, and inside brackets and after `offset` also each operator of
/// a duration expression. The parser, the printer, the engine, `Clone` and `Drop` recurse
/// once per level, a stack overflow would kill the process (`argus serve` included), and
/// queries run on threads with 2 MiB stacks (tokio's workers and blocking threads, test
/// threads). Measured in a debug build, one level takes at most about 3 KiB of stack to
/// parse, 2 KiB to print and 5.5 KiB to evaluate (a range function over a subquery), so 128
/// levels stay under 700 KiB, a third of such a stack; a release build needs far less. Real
/// queries nest a few levels; Prometheus has no limit. Chains of left-associative operators
/// (`a + b + c ...`) are not nesting and may be of any length (see `chain.rs`).
pub const MAX_NESTING: usize = 128;

/// What a word at the start of an expression begins.
enum WordKind {
    Aggregate(AggOp),
    Call,
    Metric,
}

/// The precedence unary minus and plus take (that of `*`), so `-a^b` is `-(a^b)`.
pub(super) const UNARY_OPERAND_PREC: u8 = 6;

impl<'a> Parser<'a> {
    pub(super) fn new(input: &'a str) -> Parser<'a> {
        Parser {
            input,
            toks: tokenize(input),
            i: 0,
            allow_empty_selector: false,
            empty_selector_at: None,
            depth: 0,
        }
    }

    pub(super) fn peek(&self) -> &Token {
        // Invariant: the token list always ends with Eof or Error, which `next` never passes.
        &self.toks[self.i]
    }

    pub(super) fn peek_kind_at(&self, off: usize) -> Option<&TokKind> {
        self.toks.get(self.i + off).map(|t| &t.kind)
    }

    pub(super) fn next(&mut self) -> Token {
        let t = self.peek().clone();
        self.advance();
        t
    }

    /// Moves past the current token and returns where it started.
    pub(super) fn advance(&mut self) -> usize {
        let start = self.peek().start;
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
        start
    }

    /// End of the last consumed token.
    pub(super) fn last_end(&self) -> usize {
        if self.i == 0 {
            0
        } else {
            self.toks[self.i - 1].end
        }
    }

    pub(super) fn err(&self, pos: usize, msg: impl Into<String>) -> ParseError {
        ParseError::new(self.input, pos, msg)
    }

    /// "unexpected <token> in <context>, expected <what>", or the lexer's error when the
    /// current token is one.
    pub(super) fn unexpected(&self, context: &str, expected: &str) -> ParseError {
        let t = self.peek();
        if let TokKind::Error(m) = &t.kind {
            return self.err(t.start, m.clone());
        }
        let mut msg = format!("unexpected {}", describe(t, self.input));
        if !context.is_empty() {
            msg.push_str(" in ");
            msg.push_str(context);
        }
        if !expected.is_empty() {
            msg.push_str(", expected ");
            msg.push_str(expected);
        }
        self.err(t.start, msg)
    }

    /// Is the current token the (case-insensitive) keyword `kw`?
    pub(super) fn at_kw(&self, kw: &str) -> bool {
        let t = self.peek();
        t.kind == TokKind::Ident && t.text(self.input).eq_ignore_ascii_case(kw)
    }

    /// Enters one more level of nesting at the current token, or fails there when that
    /// level would be deeper than [`MAX_NESTING`]. The query as a whole is level 0.
    pub(super) fn descend(&mut self) -> PResult<()> {
        // `depth` counts the levels entered, level 0 included.
        if self.depth > MAX_NESTING {
            let at = self.peek().start;
            return Err(self.err(
                at,
                format!("expression nests deeper than {MAX_NESTING} levels"),
            ));
        }
        self.depth += 1;
        Ok(())
    }

    /// Leaves the levels entered by `descend`.
    pub(super) fn ascend(&mut self, levels: usize) {
        self.depth -= levels;
    }

    // The functions from `expr` down to `call_args` recurse once per level of nesting. Their
    // stack frames are what one level costs, so each keeps to dispatching and the recursive
    // call; checks, messages and node building are in functions called before or after it
    // (in a debug build every temporary of a function takes its own stack slot).

    pub(super) fn expr(&mut self, min_prec: u8) -> PResult<N> {
        // Bound the recursion so that a hostile query gets an error instead of overflowing
        // the stack.
        self.descend()?;
        let r = self.expr_inner(min_prec);
        self.ascend(1);
        r
    }

    /// Operands joined by operators that bind at least as tightly as `min_prec`.
    fn expr_inner(&mut self, min_prec: u8) -> PResult<N> {
        self.unary()
            .and_then(|first| self.binary_chain(first, min_prec))
    }

    /// The operators and right-hand sides after `lhs`. A chain of left-associative operators
    /// is built in this loop, not by recursion, so it can be as long as the query.
    fn binary_chain(&mut self, mut lhs: N, min_prec: u8) -> PResult<N> {
        while let Some((op, prec, right)) = binop_of(self.peek(), self.input) {
            if prec < min_prec {
                break;
            }
            lhs = self.binary_rest(lhs, op, if right { prec } else { prec + 1 })?;
        }
        Ok(lhs)
    }

    /// The operator (current token), its modifiers and right-hand side of a binary expression.
    fn binary_rest(&mut self, lhs: N, op: BinOp, rhs_prec: u8) -> PResult<N> {
        let op_pos = self.advance();
        let modifiers = self.bin_modifiers()?;
        self.expr(rhs_prec)
            .and_then(|rhs| self.binary(op, op_pos, lhs, rhs, *modifiers))
    }

    fn unary(&mut self) -> PResult<N> {
        match self.peek().kind {
            TokKind::Add => self.sign(UnaryOp::Pos),
            TokKind::Sub => self.sign(UnaryOp::Neg),
            _ => self.operand(),
        }
    }

    /// A sign (the current token) and its operand.
    fn sign(&mut self, op: UnaryOp) -> PResult<N> {
        let start = self.advance();
        self.expr(UNARY_OPERAND_PREC)
            .and_then(|operand| self.signed(op, start, operand))
    }

    /// A sign applied to its operand: folded into a number, checked otherwise.
    fn signed(&self, op: UnaryOp, start: usize, operand: N) -> PResult<N> {
        let pos = PosRange {
            start,
            end: operand.pos.end,
        };
        // Prometheus folds a sign into a number literal directly after it.
        if let Expr::Number(v) = operand.e {
            let v = if op == UnaryOp::Neg { -v } else { v };
            return Ok(N::new(Expr::Number(v), pos));
        }
        let vt = operand.ty;
        if vt != ValueType::Scalar && vt != ValueType::Vector {
            return Err(self.err(
                start,
                format!(
                    "unary expression only allowed on expressions of type scalar or instant vector, got {:?}",
                    documented_type(vt)
                ),
            ));
        }
        Ok(N {
            e: Expr::Unary(op, Box::new(operand.e)),
            pos,
            ty: vt,
        })
    }

    /// An expression without a sign or operator, with its modifiers.
    fn operand(&mut self) -> PResult<N> {
        self.primary().and_then(|p| self.postfix(p))
    }

    fn primary(&mut self) -> PResult<N> {
        match self.peek().kind {
            TokKind::LParen => self.paren(),
            TokKind::Ident | TokKind::MetricIdent => self.word(),
            _ => self.literal(),
        }
    }

    /// `( expr )`; the current token is the `(`.
    fn paren(&mut self) -> PResult<N> {
        let start = self.advance();
        self.expr(0)
            .and_then(|inner| self.close_paren(start, inner))
    }

    fn close_paren(&mut self, start: usize, inner: N) -> PResult<N> {
        if self.peek().kind != TokKind::RParen {
            return Err(self.unexpected("paren expression", "\")\""));
        }
        let end = self.next().end;
        Ok(N {
            e: Expr::Paren(Box::new(inner.e)),
            pos: PosRange { start, end },
            ty: inner.ty,
        })
    }

    /// A number, duration, string or `{...}` selector, or an error for any other token.
    fn literal(&mut self) -> PResult<N> {
        let t = self.peek().clone();
        let pos = PosRange {
            start: t.start,
            end: t.end,
        };
        match &t.kind {
            TokKind::Number => self.number_literal(&t, pos),
            TokKind::Duration => {
                let ms = self.duration_literal("", "")?;
                Ok(N::new(Expr::Number(ms as f64 / 1000.0), pos))
            }
            TokKind::Str(s) => {
                self.next();
                Ok(N::new(Expr::String(s.clone()), pos))
            }
            TokKind::LBrace => self.vector_selector(None, t.start),
            _ => Err(self.unexpected("", "")),
        }
    }

    fn number_literal(&mut self, t: &Token, pos: PosRange) -> PResult<N> {
        self.next();
        let text = t.text(self.input);
        let v = match number_value(text) {
            // Like Go's ParseFloat, reject literals too large for a float.
            Some(v) if v.is_infinite() && !text.to_ascii_lowercase().contains("inf") => {
                return Err(self.err(
                    t.start,
                    format!("error parsing number: {text:?}: value out of range"),
                ))
            }
            Some(v) => v,
            None => return Err(self.err(t.start, format!("invalid number {text:?}"))),
        };
        Ok(N::new(Expr::Number(v), pos))
    }

    /// A word at the start of an expression: aggregation, function call or metric name.
    fn word(&mut self) -> PResult<N> {
        match self.word_kind()? {
            WordKind::Aggregate(op) => self.aggregate(op),
            WordKind::Call => self.call(),
            WordKind::Metric => self.metric(),
        }
    }

    /// What the word at the current token starts.
    fn word_kind(&self) -> PResult<WordKind> {
        let t = self.peek();
        let text = t.text(self.input);
        let lower = text.to_ascii_lowercase();
        if t.kind == TokKind::Ident {
            let next_is_paren = self.peek_kind_at(1) == Some(&TokKind::LParen);
            if let Some(op) = AggOp::from_name(&lower) {
                let next_is_mod = self.toks.get(self.i + 1).is_some_and(|n| {
                    n.kind == TokKind::Ident
                        && matches!(
                            n.text(self.input).to_ascii_lowercase().as_str(),
                            "by" | "without"
                        )
                });
                if next_is_paren || next_is_mod {
                    return Ok(WordKind::Aggregate(op));
                }
            } else if next_is_paren {
                // `start()` and `end()` are also functions, outside `@`.
                if is_keyword(&lower) && !matches!(text, "start" | "end") {
                    return Err(self.unexpected("", ""));
                }
                return Ok(WordKind::Call);
            }
            // Keywords that can never name a metric.
            if matches!(
                lower.as_str(),
                "bool" | "on" | "ignoring" | "group_left" | "group_right" | "atan2"
            ) {
                return Err(self.unexpected("", ""));
            }
        }
        Ok(WordKind::Metric)
    }

    /// A selector that starts with a metric name (the current token).
    fn metric(&mut self) -> PResult<N> {
        let t = self.next();
        self.vector_selector(Some(t.text(self.input).to_string()), t.start)
    }

    /// `( expr, ... )` of a call or aggregation.
    pub(super) fn call_args(&mut self, context: &str, is_info: bool) -> PResult<Vec<N>> {
        let mut args = Vec::new();
        if self.open_args(context)? {
            return Ok(args);
        }
        loop {
            self.argument(&mut args, is_info)?;
            if self.next_arg(context)? {
                return Ok(args);
            }
        }
    }

    /// One more argument, added to `args`.
    fn argument(&mut self, args: &mut Vec<N>, is_info: bool) -> PResult<()> {
        // Prometheus exempts a plain selector as info()'s second argument from the
        // non-empty-matcher rule; anything else built around such a selector is still an
        // error.
        let selects_info = is_info && args.len() == 1;
        self.allow_empty_selector = selects_info;
        self.empty_selector_at = None;
        self.expr(0).and_then(|arg| {
            self.allow_empty_selector = false;
            self.check_arg(&arg, selects_info)?;
            args.push(arg);
            Ok(())
        })
    }

    /// Takes the `(` that opens arguments; true when a `)` closes them at once.
    fn open_args(&mut self, context: &str) -> PResult<bool> {
        if self.peek().kind != TokKind::LParen {
            return Err(self.unexpected(context, "\"(\""));
        }
        self.next();
        let empty = self.peek().kind == TokKind::RParen;
        if empty {
            self.next();
        }
        Ok(empty)
    }

    /// The checks on an argument just parsed; `selects_info` for `info()`'s second.
    fn check_arg(&mut self, arg: &N, selects_info: bool) -> PResult<()> {
        if let Some(at) = self.empty_selector_at.take() {
            if !matches!(arg.e, Expr::VectorSelector(_)) {
                return Err(self.err(
                    at,
                    "vector selector must contain at least one non-empty matcher",
                ));
            }
        }
        // info()'s second argument selects info series by labels only.
        if selects_info {
            match &arg.e {
                Expr::VectorSelector(vs) if vs.name.is_none() => {}
                Expr::VectorSelector(_) => {
                    return Err(self.err(
                        arg.pos.start,
                        "expected label selectors only, got vector selector instead",
                    ))
                }
                _ => return Err(self.err(arg.pos.start, "expected label selectors only")),
            }
        }
        Ok(())
    }

    /// Takes the `,` or `)` after an argument; true at the `)`.
    fn next_arg(&mut self, context: &str) -> PResult<bool> {
        match self.peek().kind {
            TokKind::Comma => {
                let c = self.next();
                if self.peek().kind == TokKind::RParen {
                    return Err(
                        self.err(c.start, "trailing commas not allowed in function call args")
                    );
                }
                Ok(false)
            }
            TokKind::RParen => {
                self.next();
                Ok(true)
            }
            _ => Err(self.unexpected(context, "\",\" or \")\"")),
        }
    }
}

/// The type names Prometheus uses in type errors.
pub(super) fn documented_type(t: ValueType) -> &'static str {
    match t {
        ValueType::Scalar => "scalar",
        ValueType::Vector => "instant vector",
        ValueType::Matrix => "range vector",
        ValueType::String => "string",
    }
}
