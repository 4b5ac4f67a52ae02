//! The PromQL parser: tokens (from `lexer.rs`) to an [`Expr`], with Prometheus' precedence,
//! modifiers, and the type checks of Prometheus' `checkAST` applied as each node is built.
//!
//! It is a hand-written recursive-descent parser with precedence climbing for binary operators,
//! over a token list rather than raw text: PromQL is context-sensitive at the lexical level
//! (keywords double as names, `:` means different things inside `[...]`) and Prometheus' error
//! messages are phrased in terms of tokens ("unexpected <op:*>"), so a token stream gives both
//! simpler rules and matching errors. The nom pieces live in `crate::lex` and are used by the
//! lexer. Each token is looked at a bounded number of times, so parsing is linear.
//!
//! Not here: the lexer (`lexer.rs`), selectors and label lists (`parser_selectors.rs`),
//! binary/aggregation/call construction and their type checks (`parser_ops.rs`), printing (`printer.rs`) and the function table (`functions.rs`).

use super::ast::*;
use super::lexer::{describe, is_keyword, tokenize, TokKind, Token};
use crate::lex::number_value;
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

/// An expression with its position, while parsing.
pub(super) struct N {
    pub e: Expr,
    pub pos: PosRange,
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

/// How deeply expressions may nest (parentheses, calls, unary signs, operands). The parser
/// recurses once per level, and queries are parsed on threads with 2 MiB stacks (test threads,
/// async workers), so the bound keeps a hostile query far from a stack overflow; real queries
/// nest a few levels.
const MAX_DEPTH: usize = 128;

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
        let t = self.toks[self.i].clone();
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
        t
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

    /// Counts one level of nesting; false when the limit is reached.
    pub(super) fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            return false;
        }
        self.depth += 1;
        true
    }

    pub(super) fn leave(&mut self) {
        self.depth -= 1;
    }

    pub(super) fn expr(&mut self, min_prec: u8) -> PResult<N> {
        // Recursion depth follows nesting in the query; bound it so a hostile query gets an
        // error instead of overflowing the stack.
        if self.depth >= MAX_DEPTH {
            let at = self.peek().start;
            return Err(self.err(at, "expression nested too deeply"));
        }
        self.depth += 1;
        let r = self.expr_inner(min_prec);
        self.depth -= 1;
        r
    }

    fn expr_inner(&mut self, min_prec: u8) -> PResult<N> {
        let mut lhs = self.unary()?;
        while let Some((op, prec, right)) = binop_of(self.peek(), self.input) {
            if prec < min_prec {
                break;
            }
            lhs = self.binary_rest(lhs, op, if right { prec } else { prec + 1 })?;
        }
        Ok(lhs)
    }

    /// The operator (current token), its modifiers and right-hand side of a binary expression.
    /// A separate function so that the frame of `expr_inner`, which every level of nested
    /// parentheses or signs pays for, does not hold the modifiers.
    #[inline(never)]
    fn binary_rest(&mut self, lhs: N, op: BinOp, rhs_prec: u8) -> PResult<N> {
        let op_tok = self.next();
        let (return_bool, matching) = self.bin_modifiers()?;
        let rhs = self.expr(rhs_prec)?;
        self.binary(op, op_tok.start, lhs, rhs, return_bool, matching)
    }

    fn unary(&mut self) -> PResult<N> {
        let op = match self.peek().kind {
            TokKind::Add => UnaryOp::Pos,
            TokKind::Sub => UnaryOp::Neg,
            _ => {
                let p = self.primary()?;
                return self.postfix(p);
            }
        };
        let t = self.next();
        let operand = self.expr(UNARY_OPERAND_PREC)?;
        let pos = PosRange {
            start: t.start,
            end: operand.pos.end,
        };
        // Prometheus folds a sign into a number literal directly after it.
        if let Expr::Number(v) = operand.e {
            let v = if op == UnaryOp::Neg { -v } else { v };
            return Ok(N {
                e: Expr::Number(v),
                pos,
            });
        }
        let vt = operand.e.value_type();
        if vt != ValueType::Scalar && vt != ValueType::Vector {
            return Err(self.err(
                t.start,
                format!(
                    "unary expression only allowed on expressions of type scalar or instant vector, got {:?}",
                    documented_type(vt)
                ),
            ));
        }
        Ok(N {
            e: Expr::Unary(op, Box::new(operand.e)),
            pos,
        })
    }

    fn primary(&mut self) -> PResult<N> {
        let t = self.peek().clone();
        let pos = PosRange {
            start: t.start,
            end: t.end,
        };
        match &t.kind {
            TokKind::Number => self.number_literal(&t, pos),
            TokKind::Duration => {
                let ms = self.duration_literal("", "")?;
                Ok(N {
                    e: Expr::Number(ms as f64 / 1000.0),
                    pos,
                })
            }
            TokKind::Str(s) => {
                self.next();
                Ok(N {
                    e: Expr::String(s.clone()),
                    pos,
                })
            }
            TokKind::LParen => {
                self.next();
                let inner = self.expr(0)?;
                if self.peek().kind != TokKind::RParen {
                    return Err(self.unexpected("paren expression", "\")\""));
                }
                let end = self.next().end;
                Ok(N {
                    e: Expr::Paren(Box::new(inner.e)),
                    pos: PosRange {
                        start: t.start,
                        end,
                    },
                })
            }
            TokKind::LBrace => self.vector_selector(None, t.start),
            TokKind::Ident | TokKind::MetricIdent => self.word(&t),
            _ => Err(self.unexpected("", "")),
        }
    }

    /// A number literal. Kept out of `primary`, whose stack frame every level of nested
    /// parentheses pays for.
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
        Ok(N {
            e: Expr::Number(v),
            pos,
        })
    }

    /// A word at the start of an expression: aggregation, function call or metric name.
    fn word(&mut self, t: &Token) -> PResult<N> {
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
                    return self.aggregate(op, t.start);
                }
            } else if next_is_paren {
                // `start()` and `end()` are also functions, outside `@`.
                if is_keyword(&lower) && !matches!(text, "start" | "end") {
                    return Err(self.unexpected("", ""));
                }
                return self.call(t);
            }
            // Keywords that can never name a metric.
            if matches!(
                lower.as_str(),
                "bool" | "on" | "ignoring" | "group_left" | "group_right" | "atan2"
            ) {
                return Err(self.unexpected("", ""));
            }
        }
        self.next();
        self.vector_selector(Some(text.to_string()), t.start)
    }

    /// Modifiers after an expression: `[range]`, `[range:step]`, `offset`, `@`.
    fn postfix(&mut self, mut n: N) -> PResult<N> {
        loop {
            n = match self.peek().kind {
                TokKind::LBracket => self.range_or_subquery(n)?,
                TokKind::At => self.at_modifier(n)?,
                TokKind::Ident if self.at_kw("offset") => self.offset(n)?,
                // `anchored` only on range selectors, `smoothed` also on instant ones.
                TokKind::Ident
                    if (self.at_kw("anchored") && matches!(n.e, Expr::MatrixSelector(_)))
                        || (self.at_kw("smoothed")
                            && matches!(
                                n.e,
                                Expr::MatrixSelector(_) | Expr::VectorSelector(_)
                            )) =>
                {
                    self.range_modifier(n)?
                }
                _ => return Ok(n),
            };
        }
    }

    /// A number or duration where a duration is expected, in milliseconds. A plain number
    /// means seconds (Prometheus 3.x).
    pub(super) fn duration_literal(&mut self, context: &str, expected: &str) -> PResult<i64> {
        let t = self.peek().clone();
        let text = t.text(self.input);
        match t.kind {
            TokKind::Duration => {
                self.next();
                match crate::model::time::duration_prefix(text) {
                    Some((0, _)) => Err(self.err(t.start, "duration must be greater than 0")),
                    Some((ms, _)) if ms > MAX_DURATION_MS => {
                        Err(self.err(t.start, "duration out of range"))
                    }
                    Some((ms, n)) if n == text.len() => Ok(ms),
                    _ => Err(self.err(t.start, format!("invalid duration {text:?}"))),
                }
            }
            TokKind::Number => {
                self.next();
                match number_value(text) {
                    Some(v) if (v * 1000.0).abs() <= MAX_DURATION_MS as f64 => {
                        Ok((v * 1000.0) as i64)
                    }
                    _ => Err(self.err(t.start, "duration out of range")),
                }
            }
            _ => Err(self.unexpected(context, expected)),
        }
    }

    fn range_or_subquery(&mut self, n: N) -> PResult<N> {
        let lb = self.next();
        let (range, range_expr) =
            self.bracket_duration("subquery selector", "number or duration")?;
        match self.peek().kind {
            TokKind::RBracket => {
                let end = self.next().end;
                let Expr::VectorSelector(vs) = n.e else {
                    return Err(self.err(lb.start, "ranges only allowed for vector selectors"));
                };
                if vs.offset != 0 {
                    return Err(self.err(lb.start, "no offset modifiers allowed before range"));
                }
                if vs.at.is_some() {
                    return Err(self.err(lb.start, "no @ modifiers allowed before range"));
                }
                Ok(N {
                    e: Expr::MatrixSelector(MatrixSelector {
                        selector: vs,
                        range,
                        range_expr,
                    }),
                    pos: PosRange {
                        start: n.pos.start,
                        end,
                    },
                })
            }
            TokKind::Colon => {
                self.next();
                let (step, step_expr) = if self.peek().kind == TokKind::RBracket {
                    (None, None)
                } else {
                    let (ms, e) =
                        self.bracket_duration("subquery selector", "number or duration or \"]\"")?;
                    (Some(ms), e)
                };
                if self.peek().kind != TokKind::RBracket {
                    return Err(self.unexpected("subquery selector", "\"]\""));
                }
                let end = self.next().end;
                let vt = n.e.value_type();
                let sq = Expr::Subquery(SubqueryExpr {
                    expr: Box::new(n.e),
                    range,
                    step,
                    offset: 0,
                    at: None,
                    range_expr,
                    step_expr,
                    offset_expr: None,
                });
                if vt != ValueType::Vector {
                    return Err(self.err(
                        n.pos.start,
                        format!(
                            "subquery is only allowed on instant vector, got {} in {:?} instead",
                            vt.as_str(),
                            sq.to_string()
                        ),
                    ));
                }
                Ok(N {
                    e: sq,
                    pos: PosRange {
                        start: n.pos.start,
                        end,
                    },
                })
            }
            _ => Err(self.unexpected("subquery or range", "\":\" or \"]\"")),
        }
    }

    fn offset(&mut self, mut n: N) -> PResult<N> {
        let t = self.next();
        let (d, d_expr) = self.offset_duration()?;
        let (slot, slot_expr) = match &mut n.e {
            Expr::VectorSelector(vs) => (&mut vs.offset, &mut vs.offset_expr),
            Expr::MatrixSelector(ms) => (&mut ms.selector.offset, &mut ms.selector.offset_expr),
            Expr::Subquery(sq) => (&mut sq.offset, &mut sq.offset_expr),
            _ => {
                return Err(self.err(
                    t.start,
                    "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery",
                ))
            }
        };
        if *slot != 0 || slot_expr.is_some() {
            return Err(self.err(t.start, "offset may not be set multiple times"));
        }
        *slot = d;
        *slot_expr = d_expr;
        n.pos.end = self.last_end();
        Ok(n)
    }

    /// `anchored` after a range selector or `smoothed` after a range or instant selector (at
    /// most one of them).
    fn range_modifier(&mut self, mut n: N) -> PResult<N> {
        let t = self.next();
        let anchored = t.text(self.input).eq_ignore_ascii_case("anchored");
        let vs = match &mut n.e {
            Expr::MatrixSelector(ms) => Some(&mut ms.selector),
            Expr::VectorSelector(vs) => Some(vs),
            _ => None,
        };
        if let Some(vs) = vs {
            if vs.anchored || vs.smoothed {
                return Err(self.err(
                    t.start,
                    "anchored and smoothed modifiers may not be set multiple times",
                ));
            }
            vs.anchored = anchored;
            vs.smoothed = !anchored;
        }
        n.pos.end = t.end;
        Ok(n)
    }

    fn at_modifier(&mut self, mut n: N) -> PResult<N> {
        let t = self.next();
        let at = if self.at_kw("start") || self.at_kw("end") {
            let which = self.next();
            if self.peek().kind != TokKind::LParen {
                return Err(self.unexpected("@", "\"(\""));
            }
            self.next();
            if self.peek().kind != TokKind::RParen {
                return Err(self.unexpected("@", "\")\""));
            }
            self.next();
            if which.text(self.input).eq_ignore_ascii_case("start") {
                AtModifier::Start
            } else {
                AtModifier::End
            }
        } else {
            let sign = match self.peek().kind {
                TokKind::Add => {
                    self.next();
                    1.0
                }
                TokKind::Sub => {
                    self.next();
                    -1.0
                }
                _ => 1.0,
            };
            let nt = self.peek().clone();
            let secs = match nt.kind {
                TokKind::Number => {
                    self.next();
                    number_value(nt.text(self.input)).unwrap_or(f64::NAN)
                }
                TokKind::Duration => self.duration_literal("@", "timestamp")? as f64 / 1000.0,
                _ => return Err(self.unexpected("@", "timestamp")),
            } * sign;
            let ms = secs * 1000.0;
            if !ms.is_finite() || ms >= i64::MAX as f64 || ms <= i64::MIN as f64 {
                let shown = if secs.is_nan() {
                    "NaN".to_string()
                } else if secs.is_infinite() {
                    if secs > 0.0 { "+Inf" } else { "-Inf" }.to_string()
                } else {
                    format!("{secs:.6}")
                };
                return Err(self.err(
                    nt.start,
                    format!("timestamp out of bounds for @ modifier: {shown}"),
                ));
            }
            AtModifier::Timestamp(ms.round() as i64)
        };
        let slot = match &mut n.e {
            Expr::VectorSelector(vs) => &mut vs.at,
            Expr::MatrixSelector(ms) => &mut ms.selector.at,
            Expr::Subquery(sq) => &mut sq.at,
            _ => {
                return Err(self.err(
                    t.start,
                    "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery",
                ))
            }
        };
        if slot.is_some() {
            return Err(self.err(t.start, "@ <timestamp> may not be set multiple times"));
        }
        *slot = Some(at);
        n.pos.end = self.last_end();
        Ok(n)
    }

    /// `( expr, ... )` of a call or aggregation.
    pub(super) fn call_args(&mut self, context: &str, is_info: bool) -> PResult<Vec<N>> {
        if self.peek().kind != TokKind::LParen {
            return Err(self.unexpected(context, "\"(\""));
        }
        self.next();
        let mut args = Vec::new();
        if self.peek().kind == TokKind::RParen {
            self.next();
            return Ok(args);
        }
        loop {
            // Prometheus exempts a plain selector as info()'s second argument from the
            // non-empty-matcher rule; anything else built around such a selector is still
            // an error.
            self.allow_empty_selector = is_info && args.len() == 1;
            self.empty_selector_at = None;
            let arg = self.expr(0)?;
            self.allow_empty_selector = false;
            if let Some(at) = self.empty_selector_at.take() {
                if !matches!(arg.e, Expr::VectorSelector(_)) {
                    return Err(self.err(
                        at,
                        "vector selector must contain at least one non-empty matcher",
                    ));
                }
            }
            // info()'s second argument selects info series by labels only.
            if is_info && args.len() == 1 {
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
            args.push(arg);
            match self.peek().kind {
                TokKind::Comma => {
                    let c = self.next();
                    if self.peek().kind == TokKind::RParen {
                        return Err(
                            self.err(c.start, "trailing commas not allowed in function call args")
                        );
                    }
                }
                TokKind::RParen => {
                    self.next();
                    return Ok(args);
                }
                _ => return Err(self.unexpected(context, "\",\" or \")\"")),
            }
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
