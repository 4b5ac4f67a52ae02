//! The PromQL evaluation engine: turns a syntax tree ([`crate::promql::ast::Expr`]) plus data
//! from a [`Queryable`] into a [`Value`], with Prometheus 3.x semantics.
//!
//! Design (why it is shaped this way):
//! - **Node by node over all steps.** Like Prometheus' engine, each node of the tree is
//!   evaluated once for the whole step grid of the query and returns all steps at once
//!   (`value::Val`). An instant query is a grid of one step. This lets every selector be read
//!   from the data source exactly once per query (`select` over
//!   `[start - offset - range/lookback, end]`), after which steps are walked with advancing
//!   cursors, never re-reading raw data per step.
//! - **Labels once per series.** Aggregation group keys and vector-matching signatures are
//!   computed once per input series and interned to small integers; the per-step loops only
//!   touch numbers.
//! - **Delayed `__name__` removal.** Operations that drop the metric name mark the series and
//!   the name is removed at the end, as in Prometheus' engine with delayed name removal (the
//!   mode its own test-suite runs).
//! - **Dense per-step values.** An instant vector is a list of series with one optional value
//!   per step (`Vec<Option<f64>>`): step-indexed access without searching, at 16 bytes a
//!   point, the same order of memory Prometheus' point slices take. Grids with more steps than
//!   `max_samples` are refused before anything is allocated.
//!
//! What it does not do: parse (see `promql::parser`), native histograms (the store has none;
//! `histogram_count` and friends return nothing, as on float data). Duration expressions that
//! use `step()`/`range()` are resolved per query in `durations.rs`; `anchored`/`smoothed`
//! selectors are read with an extra lookback (`selectors.rs`) and range functions over them
//! are in `functions/extended.rs`. Annotations are limited to the float cases listed in
//! `annotations.rs`.
//!
//! `max_samples` is approximated: it bounds the points one selector or subquery produces over
//! the whole grid, and the samples the windows of one step hold; Prometheus counts a running
//! total, so the limit trips at somewhat different sizes.
//!
//! Files: `eval.rs` (the tree walk, subqueries), `selectors.rs` (lookback, staleness, range
//! windows), `binary.rs` (operators, vector matching), `aggregate.rs`, `functions/`
//! (range functions, math and date, labels and sorting, classic histograms), `value.rs`
//! (internal step values), `annotations.rs` (warnings and infos), `errors.rs`, `hash.rs`
//! (Prometheus' label hash for `limit_ratio`), `memory.rs` (in-memory data for tests);
//! `functions/info.rs` holds the experimental `info()`. The runner of Prometheus' test
//! scripts is a test harness, not part of the engine: it lives in `conformance::promql_script`.

mod aggregate;
pub mod annotations;
mod binary;
mod durations;
mod errors;
mod eval;
mod functions;
mod hash;
pub mod memory;
mod selectors;
mod value;

#[cfg(test)]
mod tests;

pub use annotations::{Annotation, AnnotationKind};
pub use errors::EvalError;
/// Prometheus' quantile estimate, shared with LogQL's `quantile_over_time`.
pub(crate) use functions::quantile;
pub use memory::MemoryStorage;

pub use crate::promql::value::{InstantSample, Value};

use crate::model::{Matcher, Sample, Series};
use crate::promql::ast::Expr;
use crate::store::StoreError;
use annotations::Notes;
use eval::Evaluator;
use std::time::{Duration, Instant};
use value::Val;

/// The data source the engine reads. The store implements it; tests use [`MemoryStorage`].
/// Its errors are the store's, typed, so that whoever answers the query tells damage from an
/// I/O failure; the batches' consumer may stop a selection with an engine error of its own.
pub trait Queryable {
    /// Series matching all matchers with samples in [mint, maxt] (inclusive), sorted by labels,
    /// staleness markers included as values.
    fn select(&self, matchers: &[Matcher], mint: i64, maxt: i64)
        -> Result<Vec<Series>, StoreError>;

    /// The same series in label order, handed to `f` in batches of about `batch_samples`
    /// samples, so that an operator that reduces each series on its own holds one batch of
    /// raw data at a time. The default hands over the whole selection at once. An error of
    /// `f` stops the selection and is returned as it is; the store's arrive as
    /// [`EvalError::Storage`].
    fn select_batches(
        &self,
        matchers: &[Matcher],
        mint: i64,
        maxt: i64,
        batch_samples: usize,
        f: &mut dyn FnMut(Vec<Series>) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        let _ = batch_samples;
        f(self.select(matchers, mint, maxt)?)
    }
}

/// Evaluation settings. One engine may run many queries (it holds no per-query state).
#[derive(Clone, Debug)]
pub struct Engine {
    /// How far back an instant selector looks for the latest sample (ms). Default 5m.
    pub lookback_delta: i64,
    /// Upper bound on the samples one query may hold at once.
    pub max_samples: usize,
    /// Deadline for one query, checked between evaluation steps.
    pub timeout: Option<Duration>,
    /// Step of subqueries written without one (`x[1h:]`), in ms. Default 1m.
    pub default_subquery_step: i64,
    /// How many raw samples a selector reads per batch before reducing them (see
    /// [`Queryable::select_batches`]); bounds the memory of large selections.
    pub batch_samples: usize,
    /// Threads that evaluate batches of series at once (1: the calling thread only).
    pub threads: usize,
    /// Division and modulo by zero give NaN (LogQL's rule) instead of the IEEE result.
    pub nan_on_zero_division: bool,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine {
            lookback_delta: 5 * 60 * 1000,
            max_samples: 50_000_000,
            timeout: Some(Duration::from_secs(120)),
            default_subquery_step: 60 * 1000,
            batch_samples: 1 << 16,
            threads: std::thread::available_parallelism()
                .map(|n| n.get().min(8))
                .unwrap_or(1),
            nan_on_zero_division: false,
        }
    }
}

impl Engine {
    /// Evaluates `expr` at time `t` (ms). Vectors keep the order the expression produced
    /// (for example `sort_desc` or `topk`); a range-vector expression yields a Matrix of the
    /// raw samples in its window.
    pub fn instant_query(
        &self,
        q: &dyn Queryable,
        expr: &Expr,
        t: i64,
    ) -> Result<Value, EvalError> {
        self.instant_query_annotated(q, expr, t).map(|(v, _)| v)
    }

    /// [`Engine::instant_query`], also returning the warnings and infos Prometheus would
    /// report with the result.
    pub fn instant_query_annotated(
        &self,
        q: &dyn Queryable,
        expr: &Expr,
        t: i64,
    ) -> Result<(Value, Vec<Annotation>), EvalError> {
        let notes = Notes::default();
        // An instant query has no step and no range: both are 0 for `step()`/`range()`.
        let expr = durations::resolve(
            expr,
            durations::QueryShape {
                start: t,
                end: t,
                step: 0,
            },
        )?;
        let ev = self.evaluator(q, &notes, t, t, 1);
        let val = ev.eval(&expr)?;
        let value = match val {
            Val::Scalar(v) => Value::Scalar { t, v: v[0] },
            Val::String(s) => Value::String { t, v: s },
            Val::Vector(series) => {
                let series = finish_names(series)?;
                let mut out = Vec::with_capacity(series.len());
                for s in series {
                    if let Some(v) = s.vals[0] {
                        out.push(InstantSample {
                            labels: s.labels,
                            t,
                            v,
                        });
                    }
                }
                Value::Vector(out)
            }
            Val::Range(r) => {
                let mut out = Vec::new();
                let mut total = 0usize;
                let smoothed = r.extend == value::Extend::Smoothed;
                r.for_each_window(|i, si, w| {
                    // An anchored or smoothed selector shows its window with the edge points.
                    let extended;
                    let w = if r.extend == value::Extend::None {
                        w
                    } else {
                        let end = r.ends[i];
                        extended =
                            functions::extended::extend_window(w, end - r.range, end, smoothed);
                        &extended[..]
                    };
                    if !w.is_empty() {
                        total += w.len();
                        let s = &r.series[si];
                        let labels = if s.drop_name {
                            s.labels.without_metric_name()
                        } else {
                            s.labels.clone()
                        };
                        out.push(Series {
                            labels,
                            samples: w.to_vec(),
                        });
                    }
                });
                if total > self.max_samples {
                    return Err(EvalError::TooManySamples);
                }
                out.sort_by(|a, b| a.labels.cmp(&b.labels));
                Value::Matrix(out)
            }
        };
        Ok((value, notes.take()))
    }

    /// Evaluates `expr` at `start, start+step, ..., end` (ms). The result is a Matrix sorted by
    /// labels; a scalar expression gives one series with no labels.
    pub fn range_query(
        &self,
        q: &dyn Queryable,
        expr: &Expr,
        start: i64,
        end: i64,
        step: i64,
    ) -> Result<Value, EvalError> {
        self.range_query_annotated(q, expr, start, end, step)
            .map(|(v, _)| v)
    }

    /// [`Engine::range_query`], also returning the warnings and infos.
    pub fn range_query_annotated(
        &self,
        q: &dyn Queryable,
        expr: &Expr,
        start: i64,
        end: i64,
        step: i64,
    ) -> Result<(Value, Vec<Annotation>), EvalError> {
        if step <= 0 {
            return Err(EvalError::invalid(
                "zero or negative query resolution step widths are not accepted",
            ));
        }
        if end < start {
            return Err(EvalError::invalid(
                "end timestamp must not be before start time",
            ));
        }
        let notes = Notes::default();
        let expr = durations::resolve(expr, durations::QueryShape { start, end, step })?;
        let ev = self.evaluator(q, &notes, start, end, step);
        ev.check_grid()?;
        let val = ev.eval(&expr)?;
        let times: Vec<i64> = ev.times().collect();
        let to_samples = |vals: &[Option<f64>]| -> Vec<Sample> {
            vals.iter()
                .zip(&times)
                .filter_map(|(v, &t)| v.map(|v| Sample { t, v }))
                .collect()
        };
        let mut out = match val {
            Val::Scalar(v) => {
                let vals: Vec<Option<f64>> = v.into_iter().map(Some).collect();
                vec![Series {
                    labels: Default::default(),
                    samples: to_samples(&vals),
                }]
            }
            Val::Vector(series) => finish_names(series)?
                .into_iter()
                .map(|s| Series {
                    samples: to_samples(&s.vals),
                    labels: s.labels,
                })
                .collect(),
            other => {
                return Err(EvalError::invalid(format!(
                "invalid expression type \"{}\" for range query, must be Scalar or instant Vector",
                other.type_name()
            )))
            }
        };
        out.sort_by(|a, b| a.labels.cmp(&b.labels));
        Ok((Value::Matrix(out), notes.take()))
    }

    fn evaluator<'a>(
        &'a self,
        q: &'a dyn Queryable,
        notes: &'a Notes,
        start: i64,
        end: i64,
        step: i64,
    ) -> Evaluator<'a> {
        Evaluator {
            q,
            notes,
            engine: self,
            start,
            end,
            step,
            query_start: start,
            query_end: end,
            deadline: self.timeout.map(|d| Instant::now() + d),
        }
    }
}

/// Removes `__name__` from series marked by an operation that drops it, then merges series
/// that became equal (disjoint ones merge; overlapping ones are an error, as in Prometheus).
fn finish_names(mut series: Vec<value::StepSeries>) -> Result<Vec<value::StepSeries>, EvalError> {
    let mut changed = false;
    for s in &mut series {
        if s.drop_name {
            // The type and unit labels (`__type__`, `__unit__`) describe the metric name and
            // go with it.
            let before = s.labels.len();
            s.labels = crate::model::Labels::from_sorted_unchecked(
                s.labels
                    .pairs()
                    .iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "__name__" | "__type__" | "__unit__"))
                    .cloned()
                    .collect(),
            );
            changed |= s.labels.len() != before;
        }
        s.drop_name = false;
    }
    if changed {
        value::merge_same_labels(series)
    } else {
        series.retain(|s| !s.is_empty());
        Ok(series)
    }
}
