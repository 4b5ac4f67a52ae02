//! The tree walk: evaluates each node once over the whole step grid and dispatches to
//! selectors, operators, aggregations and functions. Subqueries are evaluated here by running
//! a nested evaluator over their own, step-aligned grid.
//!
//! It does not implement any operator or function itself.

use super::annotations::Notes;
use super::value::{RangeSeries, RangeVal, StepSeries, Val};
use super::{Engine, EvalError, Queryable};
use crate::model::Sample;
use crate::promql::ast::{AtModifier, Expr, SubqueryExpr, UnaryOp};
use std::time::Instant;

/// The state of one evaluation over one step grid `start..=end` by `step`.
#[derive(Clone, Copy)]
pub(crate) struct Evaluator<'a> {
    pub q: &'a dyn Queryable,
    pub engine: &'a Engine,
    pub start: i64,
    pub end: i64,
    pub step: i64,
    /// The outermost query's start and end, which `@ start()` and `@ end()` refer to even
    /// inside subqueries.
    pub query_start: i64,
    pub query_end: i64,
    pub deadline: Option<Instant>,
    /// Warnings and infos collected for the whole query.
    pub notes: &'a Notes,
}

/// The error of an evaluation, or of a value that is not of the `expected` type.
fn wrong_type(expected: &str, got: Result<Val, EvalError>) -> EvalError {
    match got {
        Err(e) => e,
        Ok(v) => EvalError::invalid(format!("expected type {expected}, got {}", v.type_name())),
    }
}

/// A unary sign applied to an evaluated operand.
fn apply_sign(op: UnaryOp, v: Val) -> Result<Val, EvalError> {
    match (op, v) {
        (UnaryOp::Pos, v) => Ok(v),
        (UnaryOp::Neg, Val::Scalar(mut s)) => {
            s.iter_mut().for_each(|x| *x = -*x);
            Ok(Val::Scalar(s))
        }
        (UnaryOp::Neg, Val::Vector(mut vs)) => {
            for s in &mut vs {
                s.drop_name = true;
                s.vals.iter_mut().flatten().for_each(|x| *x = -*x);
            }
            Ok(Val::Vector(vs))
        }
        (_, v) => Err(EvalError::invalid(format!(
            "unary expression only allowed on expressions of type scalar or instant vector, got \"{}\"",
            v.type_name()
        ))),
    }
}

/// What per-step work needs of an evaluation: the grid and the deadline. Unlike the
/// evaluator it can be shared with worker threads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StepClock {
    pub start: i64,
    pub step: i64,
    pub steps: usize,
    pub deadline: Option<Instant>,
}

impl StepClock {
    pub fn time_at(&self, i: usize) -> i64 {
        self.start + i as i64 * self.step
    }

    /// A timeout of zero has passed at the first check (the deadline is reached, not only
    /// passed), so that it stops every query, whatever the clock's resolution.
    pub fn check_deadline(&self) -> Result<(), EvalError> {
        match self.deadline {
            Some(d) if Instant::now() >= d => Err(EvalError::Timeout),
            _ => Ok(()),
        }
    }
}

impl<'a> Evaluator<'a> {
    pub fn nsteps(&self) -> usize {
        ((self.end - self.start) / self.step + 1) as usize
    }

    pub fn times(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.nsteps()).map(move |i| self.start + i as i64 * self.step)
    }

    pub fn time_at(&self, i: usize) -> i64 {
        self.start + i as i64 * self.step
    }

    pub fn check_deadline(&self) -> Result<(), EvalError> {
        self.clock().check_deadline()
    }

    /// The step grid and deadline, which worker threads need without the rest.
    pub fn clock(&self) -> StepClock {
        StepClock {
            start: self.start,
            step: self.step,
            steps: self.nsteps(),
            deadline: self.deadline,
        }
    }

    /// Values are kept densely per step, so a grid with more steps than `max_samples` could
    /// not be held even for one series; refuse it before allocating.
    pub fn check_grid(&self) -> Result<(), EvalError> {
        let steps = (self.end - self.start) / self.step + 1;
        self.check_samples(usize::try_from(steps).unwrap_or(usize::MAX))
    }

    pub fn check_samples(&self, n: usize) -> Result<(), EvalError> {
        if n > self.engine.max_samples {
            Err(EvalError::TooManySamples)
        } else {
            Ok(())
        }
    }

    /// The time a selector looks at for each step: the step time, or the fixed `@` time,
    /// moved back by `offset`.
    pub fn effective_times(&self, at: Option<AtModifier>, offset: i64) -> Vec<i64> {
        match at {
            Some(a) => {
                let t = self.resolve_at(a) - offset;
                vec![t; self.nsteps()]
            }
            None => self.times().map(|t| t - offset).collect(),
        }
    }

    fn resolve_at(&self, a: AtModifier) -> i64 {
        match a {
            AtModifier::Timestamp(t) => t,
            AtModifier::Start => self.query_start,
            AtModifier::End => self.query_end,
        }
    }

    /// Evaluates a node. It and the functions it calls recurse once per level of nesting in
    /// the query (the parser bounds that), so they keep to dispatching and recursion, and do
    /// their work in functions called before or after: in a debug build every temporary of a
    /// function takes stack space for as long as the function runs.
    pub fn eval(&self, e: &Expr) -> Result<Val, EvalError> {
        self.check_deadline()?;
        match e {
            Expr::Number(v) => Ok(Val::Scalar(vec![*v; self.nsteps()])),
            Expr::String(s) => Ok(Val::String(s.clone())),
            Expr::Paren(inner) => self.eval(inner),
            Expr::VectorSelector(vs) => self.eval_vector_selector(vs, false).map(Val::Vector),
            Expr::MatrixSelector(ms) => self.eval_matrix_selector(ms).map(Val::Range),
            Expr::Subquery(sq) => self.eval_subquery(sq).map(Val::Range),
            Expr::Unary(op, inner) => self.eval(inner).and_then(|v| apply_sign(*op, v)),
            Expr::Binary(b) => self.eval_binary(b),
            Expr::Aggregate(a) => self.eval_aggregate(a),
            Expr::Call(c) => super::functions::call(self, c),
        }
    }

    /// Evaluates an argument that must be a scalar (one value per step).
    pub fn eval_scalar(&self, e: &Expr) -> Result<Vec<f64>, EvalError> {
        match self.eval(e) {
            Ok(Val::Scalar(v)) => Ok(v),
            other => Err(wrong_type("scalar", other)),
        }
    }

    /// Evaluates an instant-vector expression, handing its series to `sink` in batches.
    /// Selectors and range functions over selectors stream batch by batch (in label order),
    /// so an aggregation over them never holds every input series; anything else arrives
    /// as one batch.
    pub fn stream_vector(
        &self,
        e: &Expr,
        sink: &mut dyn FnMut(Vec<StepSeries>) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        self.check_deadline()?;
        match e {
            Expr::Paren(inner) => return self.stream_vector(inner, sink),
            Expr::VectorSelector(vs) => return self.stream_vector_selector(vs, false, sink),
            Expr::Call(c) if super::functions::stream_call(self, c, sink)? => return Ok(()),
            _ => {}
        }
        sink(self.eval_vector(e)?)
    }

    /// Evaluates an argument that must be an instant vector.
    pub fn eval_vector(&self, e: &Expr) -> Result<Vec<StepSeries>, EvalError> {
        match self.eval(e) {
            Ok(Val::Vector(v)) => Ok(v),
            other => Err(wrong_type("instant vector", other)),
        }
    }

    /// Evaluates an argument that must be a range vector.
    pub fn eval_range(&self, e: &Expr) -> Result<RangeVal, EvalError> {
        match self.eval(e) {
            Ok(Val::Range(r)) => Ok(r),
            other => Err(wrong_type("range vector", other)),
        }
    }

    /// A subquery: the inner expression is evaluated once over a grid of absolute multiples
    /// of the subquery step covering every window the outer steps need, then handed on as a
    /// range vector whose samples are the inner results.
    fn eval_subquery(&self, sq: &SubqueryExpr) -> Result<RangeVal, EvalError> {
        let ends = self.effective_times(sq.at, sq.offset);
        let inner = self.subquery_grid(sq, &ends)?;
        let vals = match &inner {
            Some(inner) => inner.eval_vector(&sq.expr)?,
            None => Vec::new(),
        };
        self.subquery_result(sq, ends, inner, vals)
    }

    /// The evaluator of a subquery's inner expression: absolute multiples of the subquery
    /// step covering every window that the outer steps (`ends`) need; `None` when there are
    /// none.
    fn subquery_grid(
        &self,
        sq: &SubqueryExpr,
        ends: &[i64],
    ) -> Result<Option<Evaluator<'a>>, EvalError> {
        let step = sq.step.unwrap_or(self.engine.default_subquery_step);
        if step <= 0 {
            return Err(EvalError::invalid("subquery step must be positive"));
        }
        let (Some(&lo), Some(&hi)) = (ends.first(), ends.last()) else {
            return Ok(None);
        };
        let first = lo - sq.range;
        // Go's integer division truncates toward zero, and so does Rust's; keep that so the
        // grid matches Prometheus' for negative times too.
        let mut start = step * (first / step);
        if start <= first {
            start += step;
        }
        if start > hi {
            return Ok(None);
        }
        let inner = Evaluator {
            start,
            end: hi,
            step,
            ..*self
        };
        inner.check_grid()?;
        Ok(Some(inner))
    }

    /// The inner results as a range vector whose samples are the inner steps' values.
    fn subquery_result(
        &self,
        sq: &SubqueryExpr,
        ends: Vec<i64>,
        inner: Option<Evaluator>,
        vals: Vec<StepSeries>,
    ) -> Result<RangeVal, EvalError> {
        let mut series = Vec::new();
        let mut total = 0usize;
        if let Some(inner) = inner {
            for s in vals {
                let samples: Vec<Sample> = s
                    .vals
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| {
                        v.map(|v| Sample {
                            t: inner.time_at(i),
                            v,
                        })
                    })
                    .collect();
                if !samples.is_empty() {
                    total += samples.len();
                    series.push(RangeSeries {
                        labels: s.labels,
                        drop_name: s.drop_name,
                        samples,
                    });
                }
            }
        }
        self.check_samples(total)?;
        Ok(RangeVal {
            series,
            range: sq.range,
            ends,
            extend: Default::default(),
            lookback: 0,
        })
    }
}
