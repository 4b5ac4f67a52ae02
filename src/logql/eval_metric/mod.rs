//! Evaluating LogQL metric queries (`sum by (level) (count_over_time({app="api"} | json
//! [5m])) > 10`).
//!
//! A metric query has two halves. Its leaves, the range aggregations, turn log entries into
//! numbers; that is LogQL's own work and lives in `range.rs`. Everything above them (vector
//! aggregations, `topk`, `sort`, binary operators with `on`/`ignoring`/`group_left`, `bool`,
//! `label_replace`, `vector()`, literals) has the same meaning as in PromQL, and Loki's own
//! engine borrows Prometheus' semantics for it. So rather than write those operators twice,
//! each leaf is evaluated to a series per output label set with one value per step, those
//! series are handed to the PromQL engine as an in-memory data source under a private metric
//! name, and the rest of the query is translated to the PromQL syntax tree that reads them.
//! With a lookback of one millisecond, the PromQL selector at step `t` sees exactly the leaf's
//! value at `t`, and nothing where the leaf had none.
//!
//! The private names are removed from the result. Leaves are read from the store once each.
//! The translation, and how it keeps the trees it hands the engine shallow, is in
//! `translate.rs`; the leaves in `range.rs`.

mod range;
#[cfg(test)]
mod tests;
mod translate;

use super::ast::{Expr, VectorOp};
use super::pipeline::PipelineError;
use crate::model::{Labels, Series};
use crate::promql::engine::Value;
use crate::store::logs::LogSnapshot;
pub use range::Steps;
use translate::Translator;

/// Why a metric query failed.
#[derive(Debug, thiserror::Error)]
pub enum MetricEvalError {
    #[error("{0}")]
    Pipeline(#[from] PipelineError),
    /// An entry kept an `__error__` label up to a range aggregation: Loki refuses to count
    /// what it could not parse, and says how to skip it on purpose.
    #[error(
        "pipeline error: '{kind}' for series: '{series}'.\nUse a label filter to intentionally skip this error. (e.g | __error__!=\"{kind}\").\nTo skip all potential errors you can match empty errors.(e.g __error__=\"\")\nThe label filter can also be specified after unwrap. (e.g | unwrap latency | __error__=\"\" )"
    )]
    PipelineLabels { kind: String, series: String },
    #[error("{0}")]
    Storage(String),
    #[error("{0}")]
    Eval(String),
}

impl MetricEvalError {
    pub(crate) fn pipeline(labels: &Labels) -> MetricEvalError {
        MetricEvalError::PipelineLabels {
            kind: labels.get_or_empty("__error__").to_string(),
            series: labels.to_string(),
        }
    }
}

impl From<super::eval_logs::LogEvalError> for MetricEvalError {
    fn from(e: super::eval_logs::LogEvalError) -> Self {
        match e {
            super::eval_logs::LogEvalError::Pipeline(p) => MetricEvalError::Pipeline(p),
            super::eval_logs::LogEvalError::Storage(s) => MetricEvalError::Storage(s),
        }
    }
}

/// Evaluates a metric query at one time (ns): a vector, or a scalar for a literal.
pub fn instant(snap: &LogSnapshot, expr: &Expr, t: i64) -> Result<Value, MetricEvalError> {
    let steps = Steps::new(t, t, 1).map_err(MetricEvalError::Eval)?;
    let t = Translator::prepare(snap, expr, steps)?;
    let v = t
        .engine
        .instant_query(&t.data, &t.tree, t.ms(steps.start))
        .map_err(eval_error)?;
    Ok(without_private_names(v))
}

/// Evaluates a metric query at `start, start + step, ..., end` (ns): a matrix.
pub fn range(
    snap: &LogSnapshot,
    expr: &Expr,
    start: i64,
    end: i64,
    step: i64,
) -> Result<Value, MetricEvalError> {
    let steps = Steps::new(start, end, step).map_err(MetricEvalError::Eval)?;
    if uses_approx_topk(expr) {
        return Err(MetricEvalError::Eval(
            "approx_topk is only supported on instant queries".into(),
        ));
    }
    let t = Translator::prepare(snap, expr, steps)?;
    let (start, end, step) = t.range_ms();
    let v = t
        .engine
        .range_query(&t.data, &t.tree, start, end, step)
        .map_err(eval_error)?;
    Ok(without_private_names(v))
}

/// A PromQL engine error in Loki's words where they differ: Loki does not name the match
/// group of duplicate series.
fn eval_error(e: crate::promql::engine::EvalError) -> MetricEvalError {
    let text = e.to_string();
    let text = match (text.find("for the match group {"), text.find("} on the ")) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &text[..a], &text[b + 2..]),
        _ => text,
    };
    MetricEvalError::Eval(text)
}

/// Whether `approx_topk` appears: Loki answers it only for instant queries.
fn uses_approx_topk(e: &Expr) -> bool {
    // A list rather than recursion: a chain of operators is as deep as it is long.
    let mut pending = vec![e];
    while let Some(e) = pending.pop() {
        match e {
            Expr::VectorAggregation(a) if a.op == VectorOp::ApproxTopk => return true,
            Expr::VectorAggregation(a) => pending.push(&a.expr),
            Expr::Binary(b) => pending.extend([&*b.lhs, &*b.rhs]),
            Expr::LabelReplace(l) => pending.push(&l.expr),
            _ => {}
        }
    }
    false
}

/// Gives the series of a result their public names: private leaf names and the names of
/// unnamed intermediate results are removed, and a name an intermediate result wrapped is
/// restored (see [`translate::public_name`]).
fn without_private_names(v: Value) -> Value {
    let public = |l: Labels| match l.get("__name__") {
        None => l,
        Some(name) => match translate::public_name(name) {
            Some(public) if public == name => l,
            Some(public) => {
                let mut b = l.to_builder();
                b.set("__name__", public);
                b.build()
            }
            None => l.without_metric_name(),
        },
    };
    match v {
        Value::Vector(samples) => Value::Vector(
            samples
                .into_iter()
                .map(|mut s| {
                    s.labels = public(s.labels);
                    s
                })
                .collect(),
        ),
        Value::Matrix(series) => Value::Matrix(
            series
                .into_iter()
                .map(|s| Series {
                    labels: public(s.labels),
                    samples: s.samples,
                })
                .collect(),
        ),
        other => other,
    }
}
