//! Selectors: reading series from the [`Queryable`](super::Queryable) once per selector and
//! turning them into per-step values.
//!
//! Instant selectors take, for each step, the latest sample in the left-open lookback window
//! `(t - lookback, t]`; a staleness marker as that sample means "no value". Range selectors
//! keep the raw samples (staleness markers dropped) and leave windowing to the functions
//! (see `RangeVal::for_each_window`). `offset` and `@` only move the time each step looks at.
//!
//! Selections are read in batches of series (`Engine::batch_samples`): each batch is reduced
//! to per-step values before the next is decoded, so a day of hundreds of series never sits
//! in memory raw at once.

use super::eval::Evaluator;
use super::value::{Extend, RangeSeries, RangeVal, StepSeries};
use super::EvalError;
use crate::model::{is_stale_nan, Series};
use crate::promql::ast::{MatrixSelector, VectorSelector};

impl Evaluator<'_> {
    /// Reads the series `vs` selects for windows of length `window` ending at `ends`,
    /// handing them to `f` one batch at a time, in label order.
    fn select_batches(
        &self,
        vs: &VectorSelector,
        ends: &[i64],
        window: i64,
        mut f: impl FnMut(Vec<Series>) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        let lo = ends.iter().copied().min().unwrap_or(self.start);
        let hi = ends.iter().copied().max().unwrap_or(self.end);
        // The windows are left-open, so the earliest sample that can matter is one past
        // `lo - window`.
        self.q.select_batches(
            &vs.matchers,
            lo - window + 1,
            hi,
            self.engine.batch_samples,
            &mut f,
        )
    }

    /// Evaluates an instant vector selector. With `timestamps`, each value is the timestamp
    /// (in seconds) of the sample chosen instead of its value, which is what `timestamp()`
    /// reports for a selector argument.
    pub fn eval_vector_selector(
        &self,
        vs: &VectorSelector,
        timestamps: bool,
    ) -> Result<Vec<StepSeries>, EvalError> {
        let mut out = Vec::new();
        self.stream_vector_selector(vs, timestamps, &mut |batch| {
            out.extend(batch);
            Ok(())
        })?;
        Ok(out)
    }

    /// Like [`Evaluator::eval_vector_selector`], handing the series to `sink` batch by batch
    /// in label order, so that a consumer such as an aggregation never holds them all.
    pub fn stream_vector_selector(
        &self,
        vs: &VectorSelector,
        timestamps: bool,
        sink: &mut dyn FnMut(Vec<StepSeries>) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        let ends = self.effective_times(vs.at, vs.offset);
        let lookback = self.engine.lookback_delta;
        if vs.smoothed {
            return sink(self.eval_smoothed_selector(vs, &ends)?);
        }
        let mut total = 0usize;
        self.select_batches(vs, &ends, lookback, |batch| {
            self.check_deadline()?;
            let mut out = Vec::with_capacity(batch.len());
            for s in batch {
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
            }
            self.check_samples(total)?;
            sink(out)
        })
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
        let mut out = Vec::new();
        let mut total = 0usize;
        self.select_batches(vs, &later, 2 * lookback, |batch| {
            for s in batch {
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
            self.check_samples(total)
        })?;
        Ok(out)
    }

    /// Evaluates a range selector into one range vector holding every series' raw samples.
    pub fn eval_matrix_selector(&self, ms: &MatrixSelector) -> Result<RangeVal, EvalError> {
        let mut all = self.empty_range(ms);
        self.for_each_range_batch(ms, |rv| {
            all.series.extend(rv.series);
            Ok(())
        })?;
        self.check_window_samples(&all)?;
        Ok(all)
    }

    /// The range vector `ms` evaluates to, without series yet: its windows and modifier.
    pub fn empty_range(&self, ms: &MatrixSelector) -> RangeVal {
        let vs = &ms.selector;
        let extend = if vs.smoothed {
            Extend::Smoothed
        } else if vs.anchored {
            Extend::Anchored
        } else {
            Extend::None
        };
        RangeVal {
            series: Vec::new(),
            range: ms.range,
            ends: self.effective_times(vs.at, vs.offset),
            extend,
            lookback: self.engine.lookback_delta,
        }
    }

    /// Evaluates a range selector batch by batch: `f` gets range vectors of a few series
    /// each (staleness markers dropped), in label order. The caller enforces `max_samples`,
    /// which counts the samples of one step's windows over all batches.
    pub fn for_each_range_batch(
        &self,
        ms: &MatrixSelector,
        mut f: impl FnMut(RangeVal) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        let shell = self.empty_range(ms);
        let lookback = shell.lookback;
        let (ends, window) = match shell.extend {
            Extend::Smoothed => (
                shell.ends.iter().map(|t| t + lookback).collect(),
                ms.range + 2 * lookback,
            ),
            Extend::Anchored => (shell.ends.clone(), ms.range + lookback),
            Extend::None => (shell.ends.clone(), ms.range),
        };
        self.select_batches(&ms.selector, &ends, window, |raw| {
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
            f(RangeVal {
                series,
                range: shell.range,
                ends: shell.ends.clone(),
                extend: shell.extend,
                lookback,
            })
        })
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
