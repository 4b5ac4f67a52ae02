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

mod range;

use super::ast::{self, BinOp, Cardinality, Expr, VectorOp};
use super::pipeline::PipelineError;
use crate::model::{Labels, Matcher, Sample, Series};
use crate::promql::ast as p;
use crate::promql::engine::{Engine, MemoryStorage, Value};
use crate::store::logs::snapshot::BlockStats;
use crate::store::logs::LogSnapshot;
pub use range::Steps;

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

/// The private metric name of leaf `i`.
fn leaf_name(i: usize) -> String {
    format!("__logql_leaf_{i}")
}

/// Evaluates a metric query at one time (ns): a vector, or a scalar for a literal.
pub fn instant(snap: &LogSnapshot, expr: &Expr, t: i64) -> Result<Value, MetricEvalError> {
    let steps = Steps {
        start: t,
        end: t,
        step: 1,
    };
    let (engine, data, tree) = prepare(snap, expr, steps)?;
    let v = engine
        .instant_query(&data, &tree, t.div_euclid(1_000_000))
        .map_err(eval_error)?;
    Ok(without_leaf_names(v))
}

/// Evaluates a metric query at `start, start + step, ..., end` (ns): a matrix.
pub fn range(
    snap: &LogSnapshot,
    expr: &Expr,
    start: i64,
    end: i64,
    step: i64,
) -> Result<Value, MetricEvalError> {
    if step <= 0 {
        return Err(MetricEvalError::Eval(
            "zero or negative query resolution step widths are not accepted".into(),
        ));
    }
    if uses_approx_topk(expr) {
        return Err(MetricEvalError::Eval(
            "approx_topk is only supported on instant queries".into(),
        ));
    }
    let steps = Steps { start, end, step };
    let (engine, data, tree) = prepare(snap, expr, steps)?;
    let ms = |ns: i64| ns.div_euclid(1_000_000);
    let v = engine
        .range_query(&data, &tree, ms(start), ms(end), ms(step).max(1))
        .map_err(eval_error)?;
    Ok(without_leaf_names(v))
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
    match e {
        Expr::VectorAggregation(a) => a.op == VectorOp::ApproxTopk || uses_approx_topk(&a.expr),
        Expr::Binary(b) => uses_approx_topk(&b.lhs) || uses_approx_topk(&b.rhs),
        Expr::LabelReplace(l) => uses_approx_topk(&l.expr),
        _ => false,
    }
}

/// Evaluates the leaves into an in-memory source and translates the tree above them.
fn prepare(
    snap: &LogSnapshot,
    expr: &Expr,
    steps: Steps,
) -> Result<(Engine, MemoryStorage, p::Expr), MetricEvalError> {
    if expr.is_log() {
        return Err(MetricEvalError::Eval(
            "a log query is not a metric query".into(),
        ));
    }
    let mut data = MemoryStorage::new();
    let mut stats = BlockStats::default();
    let mut leaves = 0usize;
    let tree = translate(expr, &mut |agg| {
        let name = leaf_name(leaves);
        leaves += 1;
        for s in range::eval_range_aggregation(snap, agg, steps, &mut stats)? {
            let samples: Vec<Sample> = s
                .values
                .iter()
                .enumerate()
                .filter_map(|(k, v)| {
                    v.map(|v| Sample {
                        t: steps.at(k).div_euclid(1_000_000),
                        v,
                    })
                })
                .collect();
            let mut pairs = s.labels.into_pairs();
            pairs.push(("__name__".into(), name.clone()));
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            data.add(Labels::from_sorted_unchecked(pairs), samples);
        }
        Ok(p::Expr::VectorSelector(selector(&name)))
    })?;
    let engine = Engine {
        // The selector at step t must see the leaf's value at t and nothing older.
        lookback_delta: 1,
        nan_on_zero_division: true,
        ..Engine::default()
    };
    Ok((engine, data, tree))
}

fn selector(name: &str) -> p::VectorSelector {
    p::VectorSelector {
        name: Some(name.to_string()),
        matchers: vec![Matcher::equal("__name__", name)],
        offset: 0,
        at: None,
        pos: p::PosRange::default(),
        offset_expr: None,
        anchored: false,
        smoothed: false,
    }
}

/// Removes the private leaf names that survive in results (a leaf returned as is, or kept by
/// a filtering comparison).
fn without_leaf_names(v: Value) -> Value {
    let strip = |l: Labels| {
        if l.get("__name__")
            .is_some_and(|n| n.starts_with("__logql_leaf_"))
        {
            l.without_metric_name()
        } else {
            l
        }
    };
    match v {
        Value::Vector(samples) => Value::Vector(
            samples
                .into_iter()
                .map(|mut s| {
                    s.labels = strip(s.labels);
                    s
                })
                .collect(),
        ),
        Value::Matrix(series) => Value::Matrix(
            series
                .into_iter()
                .map(|s| Series {
                    labels: strip(s.labels),
                    samples: s.samples,
                })
                .collect(),
        ),
        other => other,
    }
}

type LeafFn<'a> = dyn FnMut(&ast::RangeAggregation) -> Result<p::Expr, MetricEvalError> + 'a;

/// The PromQL tree of a LogQL metric expression, with each range aggregation replaced by
/// what `leaf` makes of it.
fn translate(e: &Expr, leaf: &mut LeafFn) -> Result<p::Expr, MetricEvalError> {
    Ok(match e {
        Expr::Log(_) => {
            return Err(MetricEvalError::Eval(
                "a log query cannot be an operand of a metric query".into(),
            ))
        }
        Expr::RangeAggregation(a) => leaf(a)?,
        Expr::Literal(v) => p::Expr::Number(*v),
        Expr::Vector(v) => call("vector", vec![p::Expr::Number(*v)]),
        Expr::LabelReplace(l) => call(
            "label_replace",
            vec![
                translate(&l.expr, leaf)?,
                p::Expr::String(l.dst.clone()),
                p::Expr::String(l.replacement.clone()),
                p::Expr::String(l.src.clone()),
                p::Expr::String(l.regex.clone()),
            ],
        ),
        Expr::VectorAggregation(a) => {
            let inner = match pushed_down(a) {
                Some(grouped) => leaf(&grouped)?,
                None => translate(&a.expr, leaf)?,
            };
            let (grouping, without) = match &a.grouping {
                Some(g) => (g.labels.clone(), g.without),
                None => (Vec::new(), false),
            };
            let op = match a.op {
                VectorOp::Sort => return Ok(call("sort", vec![inner])),
                VectorOp::SortDesc => return Ok(call("sort_desc", vec![inner])),
                VectorOp::Sum => p::AggOp::Sum,
                VectorOp::Avg => p::AggOp::Avg,
                VectorOp::Min => p::AggOp::Min,
                VectorOp::Max => p::AggOp::Max,
                VectorOp::Count => p::AggOp::Count,
                VectorOp::Stddev => p::AggOp::Stddev,
                VectorOp::Stdvar => p::AggOp::Stdvar,
                VectorOp::Topk | VectorOp::ApproxTopk => p::AggOp::Topk,
                VectorOp::Bottomk => p::AggOp::Bottomk,
            };
            p::Expr::Aggregate(p::AggregateExpr {
                op,
                expr: Box::new(inner),
                param: a.param.map(|k| Box::new(p::Expr::Number(k as f64))),
                grouping,
                without,
            })
        }
        Expr::Binary(b) => {
            let lhs = translate(&b.lhs, leaf)?;
            let rhs = translate(&b.rhs, leaf)?;
            let both_vectors = !b.lhs.is_literal() && !b.rhs.is_literal();
            let op = bin_op(b.op);
            let matching = both_vectors.then(|| p::VectorMatching {
                card: if op.is_set() {
                    p::Cardinality::ManyToMany
                } else {
                    match b.matching.card {
                        Cardinality::OneToOne => p::Cardinality::OneToOne,
                        Cardinality::ManyToOne => p::Cardinality::ManyToOne,
                        Cardinality::OneToMany => p::Cardinality::OneToMany,
                    }
                },
                on: b.matching.on,
                labels: b.matching.labels.clone(),
                include: b.matching.include.clone(),
                fill_lhs: None,
                fill_rhs: None,
            });
            // PromQL insists on `bool` between two scalars; LogQL folds such comparisons
            // to 0 or 1.
            let return_bool = b.return_bool || (op.is_comparison() && e.is_literal());
            p::Expr::Binary(p::BinaryExpr {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
                return_bool,
                matching,
            })
        }
    })
}

/// `sum by (level) (count_over_time({...} | json [5m]))` counts per `level`, so the range
/// aggregation may group its samples by `level` itself (as `avg_over_time(...) by (level)`
/// does) instead of making one series per distinct label set of the lines, which `| json`
/// makes as many as there are lines with unique ids. The outer aggregation then gives the
/// same answer from far fewer series. This holds when the outer operator folds the inner
/// one's partial results into what the inner would give on the pooled samples: sums of counts,
/// rates, byte counts and sums, and minima of minima, maxima of maxima.
fn pushed_down(a: &ast::VectorAggregation) -> Option<ast::RangeAggregation> {
    use ast::RangeOp as R;
    let Expr::RangeAggregation(inner) = a.expr.as_ref() else {
        return None;
    };
    if inner.grouping.is_some() {
        return None;
    }
    let folds = match a.op {
        VectorOp::Sum => matches!(
            inner.op,
            R::CountOverTime | R::Rate | R::BytesOverTime | R::BytesRate | R::SumOverTime
        ),
        VectorOp::Min => inner.op == R::MinOverTime,
        VectorOp::Max => inner.op == R::MaxOverTime,
        _ => false,
    };
    if !folds {
        return None;
    }
    let mut grouped = inner.clone();
    grouped.grouping = Some(a.grouping.clone().unwrap_or_default());
    Some(grouped)
}

fn call(func: &str, args: Vec<p::Expr>) -> p::Expr {
    p::Expr::Call(p::Call {
        func: func.to_string(),
        args,
        pos: p::PosRange::default(),
    })
}

fn bin_op(op: BinOp) -> p::BinOp {
    match op {
        BinOp::Or => p::BinOp::Or,
        BinOp::And => p::BinOp::And,
        BinOp::Unless => p::BinOp::Unless,
        BinOp::Add => p::BinOp::Add,
        BinOp::Sub => p::BinOp::Sub,
        BinOp::Mul => p::BinOp::Mul,
        BinOp::Div => p::BinOp::Div,
        BinOp::Mod => p::BinOp::Mod,
        BinOp::Pow => p::BinOp::Pow,
        BinOp::Eq => p::BinOp::Eql,
        BinOp::Ne => p::BinOp::Neq,
        BinOp::Gt => p::BinOp::Gtr,
        BinOp::Ge => p::BinOp::Gte,
        BinOp::Lt => p::BinOp::Lss,
        BinOp::Le => p::BinOp::Lte,
    }
}
