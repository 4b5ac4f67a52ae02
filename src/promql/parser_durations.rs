//! Parsing Prometheus' experimental duration expressions: arithmetic on durations inside
//! `[...]` (`foo[5m+1m]`, `x[1h:step()*2]`) and after `offset` (`offset (1h - 5m)`,
//! `offset -step()`), with `step()`, `range()`, `min_of(a, b)` and `max_of(a, b)`.
//!
//! Two grammars, as in Prometheus: inside brackets the full arithmetic applies; after `offset`
//! only a single (optionally signed) literal, function or parenthesised group is taken, so
//! `foo offset 1m + 1m` stays `(foo offset 1m) + 1m` and `foo offset -2 ^ 2` is
//! `(foo offset -2) ^ 2`. Constant expressions are folded to milliseconds here; ones that use
//! `step()`/`range()` are resolved per query by the engine (`engine/durations.rs`).
//! Plain literals keep the older code path (and its error messages) in `parser.rs`.

use super::ast::*;
use super::lexer::TokKind;
use super::parser::{PResult, Parser, MAX_DURATION_MS, UNARY_OPERAND_PREC};
use crate::grammar::number_value;

/// The functions a duration expression may call.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DurationFn {
    Step,
    Range,
    MinOf,
    MaxOf,
}

/// What the operand parser expects, for "unexpected ..." messages.
const EXPECTED: &str = "number, duration, step(), or range()";

impl Parser<'_> {
    /// `step`, `range`, `min_of` or `max_of` directly followed by `(` (case-insensitive, like
    /// Prometheus' keywords).
    fn at_duration_fn(&self) -> Option<DurationFn> {
        let t = self.peek();
        if t.kind != TokKind::Ident || self.peek_kind_at(1) != Some(&TokKind::LParen) {
            return None;
        }
        match t.text(self.input).to_ascii_lowercase().as_str() {
            "step" => Some(DurationFn::Step),
            "range" => Some(DurationFn::Range),
            "min_of" => Some(DurationFn::MinOf),
            "max_of" => Some(DurationFn::MaxOf),
            _ => None,
        }
    }

    fn starts_duration_expr(&self) -> bool {
        match self.peek().kind {
            TokKind::Number | TokKind::Duration | TokKind::Add | TokKind::Sub | TokKind::LParen => {
                true
            }
            TokKind::Ident => self.at_duration_fn().is_some(),
            _ => false,
        }
    }

    /// A range, or a subquery's range or step, at the current token: milliseconds (0 while
    /// the value depends on the query) and the expression when it is more than a literal.
    pub(super) fn bracket_duration(
        &mut self,
        context: &str,
        expected: &str,
    ) -> PResult<(i64, Option<Box<DurationExpr>>)> {
        let plain = matches!(self.peek().kind, TokKind::Number | TokKind::Duration)
            && matches!(
                self.peek_kind_at(1),
                Some(TokKind::RBracket | TokKind::Colon)
            );
        if plain || !self.starts_duration_expr() {
            let at = self.peek().start;
            let ms = self.duration_literal(context, expected)?;
            // `0s` is refused by the duration's own rule; a plain `0` (or `0.0001`, under a
            // millisecond) must be too, or `x[0:]` would parse and print as `x[0s:]`, which
            // does not.
            if ms <= 0 {
                return Err(self.err(at, "duration must be greater than 0"));
            }
            return Ok((ms, None));
        }
        let start = self.peek().start;
        let e = self.duration_expr(0)?;
        self.settle(e, start, false)
    }

    /// The value after `offset`: milliseconds and, when more than a literal, the expression.
    pub(super) fn offset_duration(&mut self) -> PResult<(i64, Option<Box<DurationExpr>>)> {
        let start = self.peek().start;
        let sign = match self.peek().kind {
            TokKind::Add => Some(UnaryOp::Pos),
            TokKind::Sub => Some(UnaryOp::Neg),
            _ => None,
        };
        let after_sign = usize::from(sign.is_some());
        let e = match self.peek_kind_at(after_sign) {
            Some(TokKind::Number | TokKind::Duration) => {
                if sign.is_some() {
                    self.next();
                }
                let ms = self.duration_literal("offset", "number or duration")?;
                let ms = if sign == Some(UnaryOp::Neg) { -ms } else { ms };
                return Ok((ms, None));
            }
            Some(TokKind::LParen) if sign.is_none() => {
                // Prometheus' grammar reads on after a parenthesised group here, so
                // `offset (1m) + 1m` is one duration of 2m.
                self.duration_expr(0)?
            }
            Some(TokKind::LParen) => {
                self.next(); // the sign
                self.next(); // `(`
                self.duration_paren()?
            }
            Some(TokKind::Ident) => {
                if sign.is_some() {
                    self.next();
                }
                if self.at_duration_fn().is_none() {
                    return Err(self.unexpected("offset", "number or duration"));
                }
                self.duration_fn()?
            }
            _ => {
                if sign.is_some() {
                    self.next();
                }
                return Err(self.unexpected("offset", "number or duration"));
            }
        };
        let e = apply_sign(sign, e);
        self.settle(e, start, true)
    }

    /// Folds a parsed expression: literals and constant expressions become milliseconds now
    /// (with Prometheus' checks), the rest wait for the query.
    fn settle(
        &self,
        e: DurationExpr,
        start: usize,
        allow_negative: bool,
    ) -> PResult<(i64, Option<Box<DurationExpr>>)> {
        if e.is_query_dependent() {
            return Ok((0, Some(Box::new(e))));
        }
        let ms = e
            .eval_secs(0.0, 0.0)
            .and_then(|s| DurationExpr::to_ms(s, allow_negative))
            .map_err(|m| self.err(start, m))?;
        match e {
            DurationExpr::Literal { .. } => Ok((ms, None)),
            e => Ok((ms, Some(Box::new(e)))),
        }
    }

    /// The full arithmetic grammar, by precedence climbing with PromQL's operator precedence.
    fn duration_expr(&mut self, min_prec: u8) -> PResult<DurationExpr> {
        self.descend()?;
        // Each operator counts as a level too (see `duration_expr_inner`).
        let mut operators = 0;
        let r = self.duration_expr_inner(min_prec, &mut operators);
        self.ascend(1 + operators);
        r
    }

    /// Unlike an expression's, a duration expression's tree is walked recursively along its
    /// left side too (these expressions are a few terms long), so each operator joined to
    /// the left-hand side enters a level of nesting, counted in `operators`.
    fn duration_expr_inner(
        &mut self,
        min_prec: u8,
        operators: &mut usize,
    ) -> PResult<DurationExpr> {
        let mut lhs = self.duration_operand()?;
        // The arithmetic operators, with the precedence they have in any expression.
        while let Some((
            op @ (BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod | BinOp::Pow),
            prec,
            right,
        )) = super::parser::binop_of(self.peek(), self.input)
        {
            if prec < min_prec {
                break;
            }
            self.descend()?;
            *operators += 1;
            let op_tok = self.next();
            let rhs = self.duration_expr(if right { prec } else { prec + 1 })?;
            if let DurationExpr::Literal { secs, .. } = rhs {
                if secs == 0.0 && op == BinOp::Div {
                    return Err(self.err(op_tok.start, "division by zero"));
                }
                if secs == 0.0 && op == BinOp::Mod {
                    return Err(self.err(op_tok.start, "modulo by zero"));
                }
            }
            lhs = DurationExpr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn duration_operand(&mut self) -> PResult<DurationExpr> {
        let t = self.peek().clone();
        match t.kind {
            TokKind::Add | TokKind::Sub => {
                self.next();
                // A sign binds like `*`: `-2^2` is `-(2^2)`, `-2*3` is `(-2)*3`.
                let e = self.duration_expr(UNARY_OPERAND_PREC)?;
                let op = if t.kind == TokKind::Sub {
                    UnaryOp::Neg
                } else {
                    UnaryOp::Pos
                };
                Ok(apply_sign(Some(op), e))
            }
            TokKind::Number | TokKind::Duration => self.duration_lit(),
            TokKind::LParen => {
                self.next();
                self.duration_paren()
            }
            TokKind::Ident if self.at_duration_fn().is_some() => self.duration_fn(),
            _ => Err(self.unexpected("duration expression", EXPECTED)),
        }
    }

    /// The rest of `( expr )` after the `(`. Parentheses around a literal are dropped.
    fn duration_paren(&mut self) -> PResult<DurationExpr> {
        let inner = self.duration_expr(0)?;
        if self.peek().kind != TokKind::RParen {
            return Err(self.unexpected("duration expression", "\")\""));
        }
        self.next();
        Ok(match inner {
            lit @ DurationExpr::Literal { .. } => lit,
            e => DurationExpr::Paren(Box::new(e)),
        })
    }

    /// A number (seconds) or duration literal; zero is fine inside an expression.
    fn duration_lit(&mut self) -> PResult<DurationExpr> {
        let t = self.next();
        let text = t.text(self.input);
        if t.kind == TokKind::Duration {
            return match crate::model::time::duration_prefix(text) {
                Some((ms, _)) if ms > MAX_DURATION_MS => {
                    Err(self.err(t.start, "duration out of range"))
                }
                Some((ms, n)) if n == text.len() => Ok(DurationExpr::Literal {
                    secs: ms as f64 / 1000.0,
                    duration: true,
                }),
                _ => Err(self.err(t.start, format!("invalid duration {text:?}"))),
            };
        }
        match number_value(text) {
            Some(v) if (v * 1000.0).abs() <= MAX_DURATION_MS as f64 => Ok(DurationExpr::Literal {
                secs: v,
                duration: false,
            }),
            _ => Err(self.err(t.start, "duration out of range")),
        }
    }

    /// `step()`, `range()`, `min_of(a, b)`, `max_of(a, b)`; the current token is the name.
    fn duration_fn(&mut self) -> PResult<DurationExpr> {
        let Some(f) = self.at_duration_fn() else {
            return Err(self.unexpected("duration expression", EXPECTED));
        };
        self.next();
        self.next(); // `(`, checked by at_duration_fn
        let e = match f {
            DurationFn::Step => DurationExpr::Step,
            DurationFn::Range => DurationExpr::Range,
            DurationFn::MinOf | DurationFn::MaxOf => {
                let a = self.duration_expr(0)?;
                if self.peek().kind != TokKind::Comma {
                    return Err(self.unexpected("duration expression", "\",\""));
                }
                self.next();
                let b = self.duration_expr(0)?;
                let (a, b) = (Box::new(a), Box::new(b));
                if f == DurationFn::MinOf {
                    DurationExpr::MinOf(a, b)
                } else {
                    DurationExpr::MaxOf(a, b)
                }
            }
        };
        if self.peek().kind != TokKind::RParen {
            return Err(self.unexpected("duration expression", "\")\""));
        }
        self.next();
        Ok(e)
    }
}

/// A sign in front of `e`: folded into a literal, dropped when `+`, kept as a node otherwise.
fn apply_sign(sign: Option<UnaryOp>, e: DurationExpr) -> DurationExpr {
    match (sign, e) {
        (Some(UnaryOp::Neg), DurationExpr::Literal { secs, duration }) => DurationExpr::Literal {
            secs: -secs,
            duration,
        },
        (Some(UnaryOp::Neg), e) => DurationExpr::Unary(UnaryOp::Neg, Box::new(e)),
        (_, e) => e,
    }
}
