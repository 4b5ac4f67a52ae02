//! Resolving duration expressions that depend on the query (`foo[step()*2]`,
//! `offset range()`): before evaluation, `step()` becomes the query's step and `range()` its
//! `end - start` (both 0 for an instant query), as Prometheus' engine does once per query.
//!
//! Constant duration expressions were already folded by the parser; this file only fills the
//! millisecond fields of nodes whose expression uses `step()`/`range()`, on a copy of the tree.

use super::errors::EvalError;
use crate::promql::ast::{DurationExpr, Expr};
use std::borrow::Cow;

/// `expr` with every query-dependent range, step and offset computed for a query with this
/// step and range (milliseconds). Borrows when there is nothing to do.
pub(crate) fn resolve(expr: &Expr, step: i64, range: i64) -> Result<Cow<'_, Expr>, EvalError> {
    if !needs_resolving(expr) {
        return Ok(Cow::Borrowed(expr));
    }
    let mut e = expr.clone();
    fill(&mut e, step as f64 / 1000.0, range as f64 / 1000.0)?;
    Ok(Cow::Owned(e))
}

fn dependent(e: &Option<Box<DurationExpr>>) -> bool {
    e.as_ref().is_some_and(|e| e.is_query_dependent())
}

fn needs_resolving(expr: &Expr) -> bool {
    match expr {
        Expr::Number(_) | Expr::String(_) => false,
        Expr::VectorSelector(vs) => dependent(&vs.offset_expr),
        Expr::MatrixSelector(ms) => {
            dependent(&ms.range_expr) || dependent(&ms.selector.offset_expr)
        }
        Expr::Subquery(sq) => {
            dependent(&sq.range_expr)
                || dependent(&sq.step_expr)
                || dependent(&sq.offset_expr)
                || needs_resolving(&sq.expr)
        }
        Expr::Paren(e) | Expr::Unary(_, e) => needs_resolving(e),
        Expr::Binary(b) => needs_resolving(&b.lhs) || needs_resolving(&b.rhs),
        Expr::Aggregate(a) => {
            needs_resolving(&a.expr) || a.param.as_deref().is_some_and(needs_resolving)
        }
        Expr::Call(c) => c.args.iter().any(needs_resolving),
    }
}

/// Sets `slot` from `e` when `e` depends on the query.
fn set(
    slot: &mut i64,
    e: &Option<Box<DurationExpr>>,
    step: f64,
    range: f64,
    allow_negative: bool,
) -> Result<(), EvalError> {
    if let Some(e) = e.as_ref().filter(|e| e.is_query_dependent()) {
        *slot = e
            .eval_secs(step, range)
            .and_then(|s| DurationExpr::to_ms(s, allow_negative))
            .map_err(EvalError::invalid)?;
    }
    Ok(())
}

fn fill(expr: &mut Expr, step: f64, range: f64) -> Result<(), EvalError> {
    match expr {
        Expr::Number(_) | Expr::String(_) => {}
        Expr::VectorSelector(vs) => set(&mut vs.offset, &vs.offset_expr, step, range, true)?,
        Expr::MatrixSelector(ms) => {
            set(&mut ms.range, &ms.range_expr, step, range, false)?;
            let vs = &mut ms.selector;
            set(&mut vs.offset, &vs.offset_expr, step, range, true)?;
        }
        Expr::Subquery(sq) => {
            set(&mut sq.range, &sq.range_expr, step, range, false)?;
            if let Some(s) = sq.step.as_mut() {
                set(s, &sq.step_expr, step, range, false)?;
            }
            set(&mut sq.offset, &sq.offset_expr, step, range, true)?;
            fill(&mut sq.expr, step, range)?;
        }
        Expr::Paren(e) | Expr::Unary(_, e) => fill(e, step, range)?,
        Expr::Binary(b) => {
            fill(&mut b.lhs, step, range)?;
            fill(&mut b.rhs, step, range)?;
        }
        Expr::Aggregate(a) => {
            fill(&mut a.expr, step, range)?;
            if let Some(p) = a.param.as_deref_mut() {
                fill(p, step, range)?;
            }
        }
        Expr::Call(c) => {
            for a in &mut c.args {
                fill(a, step, range)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::parse;

    #[test]
    fn step_and_range_are_filled_per_query() {
        let e = parse("sum_over_time(x[step()*2:range()] offset -min_of(step(), 1s))").unwrap();
        let r = resolve(&e, 5_000, 60_000).unwrap();
        let Expr::Call(c) = &*r else { panic!() };
        let Expr::Subquery(sq) = &c.args[0] else {
            panic!()
        };
        assert_eq!(
            (sq.range, sq.step, sq.offset),
            (10_000, Some(60_000), -1_000)
        );
        // Nothing to do: the tree is borrowed.
        let plain = parse("rate(x[5m+1m])").unwrap();
        assert!(matches!(resolve(&plain, 1, 1).unwrap(), Cow::Borrowed(_)));
    }

    #[test]
    fn an_instant_query_has_no_step() {
        let e = parse("count_over_time(x[step()])").unwrap();
        let err = resolve(&e, 0, 0).unwrap_err();
        assert_eq!(err.to_string(), "duration must be greater than 0");
        // Offsets may come out as zero or negative.
        let e = parse("x offset -range()").unwrap();
        assert!(resolve(&e, 0, 0).is_ok());
    }
}
