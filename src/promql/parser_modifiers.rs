//! Modifiers after an expression: a range `[5m]` or subquery `[1h:5m]`, `offset`, `@`, and the
//! experimental `anchored`/`smoothed`, each with Prometheus' checks on what it may follow and
//! how often; and duration literals where a duration is expected.
//!
//! The expression grammar is in `parser.rs`; duration expressions in `parser_durations.rs`.

use super::ast::*;
use super::lexer::TokKind;
use super::parser::{PResult, Parser, MAX_DURATION_MS, N};
use crate::grammar::number_value;

impl Parser<'_> {
    /// Modifiers after an expression: `[range]`, `[range:step]`, `offset`, `@`.
    pub(super) fn postfix(&mut self, mut n: N) -> PResult<N> {
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
                Ok(N::new(
                    Expr::MatrixSelector(MatrixSelector {
                        selector: vs,
                        range,
                        range_expr,
                    }),
                    PosRange {
                        start: n.pos.start,
                        end,
                    },
                ))
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
                let vt = n.ty;
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
                Ok(N::new(
                    sq,
                    PosRange {
                        start: n.pos.start,
                        end,
                    },
                ))
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
}
