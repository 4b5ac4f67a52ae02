//! Selectors: reading series from the [`Queryable`](super::Queryable) once per selector and
//! turning them into per-step values.
//!
//! Instant selectors take, for each step, the latest sample in the left-open lookback window
//! `(t - lookback, t]`; a staleness marker as that sample means "no value". Range selectors
//! keep the raw samples (staleness markers dropped) and leave windowing to the functions
//! (see `RangeVal::for_each_window`). `offset` and `@` only move the time each step looks at.

use super::eval::Evaluator;
use super::value::{Extend, RangeSeries, RangeVal, StepSeries};
use super::EvalError;
use crate::model::{is_stale_nan, Series};
use crate::promql::ast::{MatrixSelector, VectorSelector};

impl Evaluator<'_> {
    fn select(
        &self,
        vs: &VectorSelector,
        ends: &[i64],
        window: i64,
    ) -> Result<Vec<Series>, EvalError> {
        let lo = ends.iter().copied().min().unwrap_or(self.start);
        let hi = ends.iter().copied().max().unwrap_or(self.end);
        // The windows are left-open, so the earliest sample that can matter is one past
        // `lo - window`.
        self.q
            .select(&vs.matchers, lo - window + 1, hi)
            .map_err(EvalError::Storage)
    }

    /// Evaluates an instant vector selector. With `timestamps`, each value is the timestamp
    /// (in seconds) of the sample chosen instead of its value, which is what `timestamp()`
    /// reports for a selector argument.
    pub fn eval_vector_selector(
        &self,
        vs: &VectorSelector,
        timestamps: bool,
    ) -> Result<Vec<StepSeries>, EvalError> {
        let ends = self.effective_times(vs.at, vs.offset);
        let lookback = self.engine.lookback_delta;
        if vs.smoothed {
            return self.eval_smoothed_selector(vs, &ends);
        }
        let raw = self.select(vs, &ends, lookback)?;
        let mut out = Vec::with_capacity(raw.len());
        let mut total = 0usize;
        for s in raw {
            let mut ss = StepSeries::new(s.labels, false, ends.len());
            let smp = &s.samples;
            let mut idx = 0usize;
            for (i, &t) in ends.iter().enumerate() {
                while idx < smp.len() && smp[idx].t <= t {
                    idx += 1;
                }
                if idx == 0 {
                    continue;
                }
                let last = smp[idx - 1];
                if last.t > t - lookback && !is_stale_nan(last.v) {
                    ss.vals[i] = Some(if timestamps {
                        last.t as f64 / 1000.0
                    } else {
                        last.v
                    });
                    total += 1;
                }
            }
            if !ss.is_empty() {
                out.push(ss);
            }
            if out.len() % 256 == 0 {
                self.check_deadline()?;
            }
        }
        self.check_samples(total)?;
        Ok(out)
    }

    /// `x smoothed`: the value at each step interpolated between the last sample at or before
    /// it and the next one after it (each within the lookback delta); the last value when
    /// nothing follows.
    fn eval_smoothed_selector(
        &self,
        vs: &VectorSelector,
        ends: &[i64],
    ) -> Result<Vec<StepSeries>, EvalError> {
        let lookback = self.engine.lookback_delta;
        let later: Vec<i64> = ends.iter().map(|t| t + lookback).collect();
        let raw = self.select(vs, &later, 2 * lookback)?;
        let mut out = Vec::with_capacity(raw.len());
        let mut total = 0usize;
        for s in raw {
            let mut ss = StepSeries::new(s.labels, false, ends.len());
            let smp = &s.samples;
            let mut idx = 0usize;
            for (i, &t) in ends.iter().enumerate() {
                while idx < smp.len() && smp[idx].t <= t {
                    idx += 1;
                }
                let Some(prev) = idx.checked_sub(1).map(|j| smp[j]) else {
                    continue;
                };
                if prev.t <= t - lookback || is_stale_nan(prev.v) {
                    continue;
                }
                let next = smp
                    .get(idx)
                    .filter(|n| n.t <= t + lookback && !is_stale_nan(n.v));
                let v = match next {
                    Some(n) if prev.t < t => {
                        prev.v + (n.v - prev.v) * (t - prev.t) as f64 / (n.t - prev.t) as f64
                    }
                    _ => prev.v,
                };
                ss.vals[i] = Some(v);
                total += 1;
            }
            if !ss.is_empty() {
                out.push(ss);
            }
        }
        self.check_samples(total)?;
        Ok(out)
    }

    /// Evaluates a range selector: one `select` for all steps; samples kept raw.
    pub fn eval_matrix_selector(&self, ms: &MatrixSelector) -> Result<RangeVal, EvalError> {
        let vs = &ms.selector;
        let ends = self.effective_times(vs.at, vs.offset);
        let lookback = self.engine.lookback_delta;
        let (extend, raw) = if vs.smoothed {
            let later: Vec<i64> = ends.iter().map(|t| t + lookback).collect();
            (
                Extend::Smoothed,
                self.select(vs, &later, ms.range + 2 * lookback)?,
            )
        } else if vs.anchored {
            (
                Extend::Anchored,
                self.select(vs, &ends, ms.range + lookback)?,
            )
        } else {
            (Extend::None, self.select(vs, &ends, ms.range)?)
        };
        let series = raw
            .into_iter()
            .map(|mut s| {
                s.samples.retain(|p| !is_stale_nan(p.v));
                RangeSeries {
                    labels: s.labels,
                    drop_name: false,
                    samples: s.samples,
                }
            })
            .filter(|s| !s.samples.is_empty())
            .collect();
        let rv = RangeVal {
            series,
            range: ms.range,
            ends,
            extend,
            lookback,
        };
        self.check_window_samples(&rv)?;
        Ok(rv)
    }

    /// Enforces `max_samples` on the largest number of samples the windows of one step hold.
    pub fn check_window_samples(&self, rv: &RangeVal) -> Result<(), EvalError> {
        let total: usize = rv.series.iter().map(|s| s.samples.len()).sum();
        if total <= self.engine.max_samples {
            return Ok(());
        }
        let mut per_step = vec![0usize; rv.ends.len()];
        rv.for_each_window(|i, _, w| per_step[i] += w.len());
        self.check_samples(per_step.into_iter().max().unwrap_or(0))
    }
}
