//! Resolving duration expressions that depend on the query (`foo[step()*2]`,
//! `offset range()`): before evaluation, `step()` becomes the query's step and `range()` its
//! `end - start` (both 0 for an instant query), as Prometheus' engine does once per query.
//!
//! Constant duration expressions were already folded by the parser; this file only fills the
//! millisecond fields of nodes whose expression uses `step()`/`range()`, on a copy of the tree.
//! The scalar functions `step()`, `range()`, `start()` and `end()` (seconds) are replaced by
//! their value here too, so the evaluator needs no notion of the outer query inside subqueries.

use super::errors::EvalError;
use crate::promql::ast::{Call, DurationExpr, Expr};
use std::borrow::Cow;

/// The query's bounds and step, in milliseconds (`step` is 0 for an instant query).
#[derive(Clone, Copy)]
pub(crate) struct QueryShape {
    pub start: i64,
    pub end: i64,
    pub step: i64,
}

/// `expr` with every query-dependent range, step and offset computed for this query.
/// Borrows when there is nothing to do.
pub(crate) fn resolve(expr: &Expr, q: QueryShape) -> Result<Cow<'_, Expr>, EvalError> {
    if !needs_resolving(expr) {
        return Ok(Cow::Borrowed(expr));
    }
    let mut e = expr.clone();
    fill(&mut e, &q)?;
    Ok(Cow::Owned(e))
}

/// The value of a call to `step()`, `range()`, `start()` or `end()`, in seconds.
fn query_function(c: &Call, q: &QueryShape) -> Option<f64> {
    if !c.args.is_empty() {
        return None;
    }
    let ms = match c.func.as_str() {
        "step" => q.step,
        "range" => q.end - q.start,
        "start" => q.start,
        "end" => q.end,
        _ => return None,
    };
    Some(ms as f64 / 1000.0)
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
        // A chain's operands in a loop (see `promql/chain.rs`).
        Expr::Binary(b) => b.operands().into_iter().any(needs_resolving),
        Expr::Aggregate(a) => {
            needs_resolving(&a.expr) || a.param.as_deref().is_some_and(needs_resolving)
        }
        Expr::Call(c) => {
            matches!(c.func.as_str(), "step" | "range" | "start" | "end")
                || c.args.iter().any(needs_resolving)
        }
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

/// Fills in `expr` and everything below it. Kept to the recursion: one frame of it is on
/// the stack per level of nesting.
fn fill(expr: &mut Expr, q: &QueryShape) -> Result<(), EvalError> {
    fill_node(expr, q)?;
    match expr {
        Expr::Subquery(sq) => fill(&mut sq.expr, q),
        Expr::Paren(e) | Expr::Unary(_, e) => fill(e, q),
        // A chain's operands in a loop (see `promql/chain.rs`).
        Expr::Binary(b) => b.operands_mut().into_iter().try_for_each(|o| fill(o, q)),
        Expr::Aggregate(a) => {
            fill(&mut a.expr, q)?;
            a.param.as_deref_mut().map_or(Ok(()), |p| fill(p, q))
        }
        Expr::Call(c) => c.args.iter_mut().try_for_each(|a| fill(a, q)),
        Expr::Number(_) | Expr::String(_) | Expr::VectorSelector(_) | Expr::MatrixSelector(_) => {
            Ok(())
        }
    }
}

/// The node's own ranges, steps and offsets, and a call of `step()`, `range()`, `start()` or
/// `end()` replaced by its value.
fn fill_node(expr: &mut Expr, q: &QueryShape) -> Result<(), EvalError> {
    let step = q.step as f64 / 1000.0;
    let range = (q.end - q.start) as f64 / 1000.0;
    match expr {
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
        }
        Expr::Call(c) => {
            if let Some(v) = query_function(c, q) {
                *expr = Expr::Number(v);
            }
        }
        _ => {}
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
        let shape = QueryShape {
            start: 0,
            end: 60_000,
            step: 5_000,
        };
        let r = resolve(&e, shape).unwrap();
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
        assert!(matches!(resolve(&plain, shape).unwrap(), Cow::Borrowed(_)));
        let e = parse("end() - start() + step() * range()").unwrap();
        let r = resolve(&e, shape).unwrap();
        assert_eq!(r.to_string(), "60 - 0 + 5 * 60");
    }

    #[test]
    fn an_instant_query_has_no_step() {
        let e = parse("count_over_time(x[step()])").unwrap();
        let instant = QueryShape {
            start: 7_000,
            end: 7_000,
            step: 0,
        };
        let err = resolve(&e, instant).unwrap_err();
        assert_eq!(err.to_string(), "duration must be greater than 0");
        // Offsets may come out as zero or negative.
        let e = parse("x offset -range()").unwrap();
        assert!(resolve(&e, instant).is_ok());
    }
}
