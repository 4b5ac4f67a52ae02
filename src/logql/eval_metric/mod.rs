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
//! `translate.rs`; the leaves in `range.rs`. The PromQL engine applies the caller's
//! [`Limits`] (samples held, time) to the part above the leaves, and its errors are kept
//! typed ([`MetricEvalError::Promql`]), so that a limit is answered as a limit.

mod range;
#[cfg(test)]
mod tests;
mod translate;

use super::ast::{Expr, VectorOp};
use super::eval_logs::LogEvalError;
use super::pipeline::PipelineError;
use crate::model::{Labels, Series};
use crate::promql::engine::{Engine, EvalError, Value};
use crate::store::logs::LogSnapshot;
use crate::store::StoreError;
pub use range::Steps;
use std::time::Duration;
use translate::Translator;

/// The limits of the PromQL engine that evaluates a metric query above its leaves: the
/// samples it may hold at once and how long it may take (the same flags as for PromQL).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_samples: usize,
    pub timeout: Option<Duration>,
}

impl Default for Limits {
    /// The PromQL engine's defaults.
    fn default() -> Limits {
        let e = Engine::default();
        Limits {
            max_samples: e.max_samples,
            timeout: e.timeout,
        }
    }
}

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
    /// The store failed while the leaves were read.
    #[error("storage error: {0}")]
    Storage(#[from] StoreError),
    /// A query that cannot be evaluated as asked (a bad step grid, a log query where a
    /// metric query is needed, `approx_topk` in a range query).
    #[error("{0}")]
    Invalid(String),
    /// The PromQL engine failed above the leaves (a limit, many-to-many matching, ...): its
    /// error, typed, and shown in Loki's words.
    #[error("{}", loki_words(.0))]
    Promql(#[from] EvalError),
    /// A result of a shape the translation cannot produce: a bug in argus.
    #[error("internal error: {0}")]
    Internal(String),
}

impl MetricEvalError {
    pub(crate) fn pipeline(labels: &Labels) -> MetricEvalError {
        MetricEvalError::PipelineLabels {
            kind: labels.get_or_empty("__error__").to_string(),
            series: labels.to_string(),
        }
    }
}

impl From<LogEvalError> for MetricEvalError {
    fn from(e: LogEvalError) -> Self {
        match e {
            LogEvalError::Pipeline(p) => MetricEvalError::Pipeline(p),
            LogEvalError::Storage(s) => MetricEvalError::Storage(s),
        }
    }
}

/// Evaluates a metric query at one time (ns): a vector, or a scalar for a literal.
pub fn instant(
    snap: &LogSnapshot,
    expr: &Expr,
    t: i64,
    limits: &Limits,
) -> Result<Value, MetricEvalError> {
    let steps = Steps::new(t, t, 1).map_err(MetricEvalError::Invalid)?;
    let t = Translator::prepare(snap, expr, steps, limits)?;
    let v = t
        .engine
        .instant_query(&t.data, &t.tree, t.ms(steps.start))?;
    Ok(without_private_names(v))
}

/// Evaluates a metric query at `start, start + step, ..., end` (ns): a matrix.
pub fn range(
    snap: &LogSnapshot,
    expr: &Expr,
    start: i64,
    end: i64,
    step: i64,
    limits: &Limits,
) -> Result<Value, MetricEvalError> {
    let steps = Steps::new(start, end, step).map_err(MetricEvalError::Invalid)?;
    if uses_approx_topk(expr) {
        return Err(MetricEvalError::Invalid(
            "approx_topk is only supported on instant queries".into(),
        ));
    }
    let t = Translator::prepare(snap, expr, steps, limits)?;
    let (start, end, step) = t.range_ms();
    let v = t.engine.range_query(&t.data, &t.tree, start, end, step)?;
    Ok(without_private_names(v))
}

/// A PromQL engine error in Loki's words where they differ: Loki does not name the match
/// group of duplicate series.
fn loki_words(e: &EvalError) -> String {
    let text = e.to_string();
    match (text.find("for the match group {"), text.find("} on the ")) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &text[..a], &text[b + 2..]),
        _ => text,
    }
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
