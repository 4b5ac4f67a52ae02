//! The engine's internal values: what one syntax-tree node evaluates to over all steps of a
//! query.
//!
//! The engine evaluates node by node over the whole step grid (as Prometheus' engine does),
//! so an instant vector is a list of series, each with one optional value per step. Labels
//! are computed once per series, never per step. Range vectors (matrix selectors and
//! subqueries) stay raw: the samples of each series plus, for every step, the end of its
//! window; range functions walk those windows with cursors. The public result types live in
//! `promql::value`; conversion to them happens in `mod.rs`.

use super::EvalError;
use crate::model::{Labels, Sample};
use std::collections::HashMap;

/// One series of an instant vector over the step grid.
#[derive(Clone, Debug)]
pub(crate) struct StepSeries {
    pub labels: Labels,
    /// Set when an operation dropped the metric name: `__name__` stays in `labels` until the
    /// end of the evaluation ("delayed name removal", as Prometheus' test engine runs), so that
    /// `label_replace` and grouping still see it.
    pub drop_name: bool,
    /// One entry per step; `None` where the series has no value.
    pub vals: Vec<Option<f64>>,
}

impl StepSeries {
    pub fn new(labels: Labels, drop_name: bool, n: usize) -> StepSeries {
        StepSeries {
            labels,
            drop_name,
            vals: vec![None; n],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.vals.iter().all(Option::is_none)
    }
}

/// One series of a range vector: its samples (staleness markers removed) in time order.
#[derive(Clone, Debug)]
pub(crate) struct RangeSeries {
    pub labels: Labels,
    pub drop_name: bool,
    pub samples: Vec<Sample>,
}

/// A range vector: the series, the window length, and for each step the window's end
/// (the step time moved by `offset`/`@`). Windows are left-open: `(end - range, end]`.
#[derive(Clone, Debug)]
pub(crate) struct RangeVal {
    pub series: Vec<RangeSeries>,
    pub range: i64,
    pub ends: Vec<i64>,
    /// `anchored`/`smoothed`: windows also hold the samples up to `lookback` before (and,
    /// smoothed, after) them, for the functions to find the edge values in.
    pub extend: Extend,
    pub lookback: i64,
}

/// The range-selector modifier of a range vector.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Extend {
    #[default]
    None,
    Anchored,
    Smoothed,
}

impl RangeVal {
    /// Calls `f(step, series index, window)` for every step and series, with two advancing
    /// cursors per series (the window ends never decrease from one step to the next).
    pub fn for_each_window(&self, mut f: impl FnMut(usize, usize, &[Sample])) {
        self.for_each_window_at(|i, si, _, w| f(i, si, w))
    }

    /// Like [`RangeVal::for_each_window`], also passing the index of the window's first
    /// sample in the series, for callers that precompute per-series prefix data.
    pub fn for_each_window_at(&self, mut f: impl FnMut(usize, usize, usize, &[Sample])) {
        for (si, s) in self.series.iter().enumerate() {
            let (mut lo, mut hi) = (0usize, 0usize);
            let smp = &s.samples;
            let (before, after) = match self.extend {
                Extend::None => (0, 0),
                Extend::Anchored => (self.lookback, 0),
                Extend::Smoothed => (self.lookback, self.lookback),
            };
            for (i, &end) in self.ends.iter().enumerate() {
                let start = end - self.range - before;
                let end = end + after;
                while hi < smp.len() && smp[hi].t <= end {
                    hi += 1;
                }
                while lo < hi && smp[lo].t <= start {
                    lo += 1;
                }
                f(i, si, lo, &smp[lo..hi]);
            }
        }
    }
}

/// What a node evaluates to.
#[derive(Clone, Debug)]
pub(crate) enum Val {
    /// One value per step.
    Scalar(Vec<f64>),
    String(String),
    Vector(Vec<StepSeries>),
    Range(RangeVal),
}

impl Val {
    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Scalar(_) => "scalar",
            Val::String(_) => "string",
            Val::Vector(_) => "instant vector",
            Val::Range(_) => "range vector",
        }
    }
}

/// Merges series with equal label sets into one. Two of them holding a value at the same step
/// is the error "vector cannot contain metrics with the same labelset"; disjoint ones (say, a
/// series renamed by `label_replace` at some steps only) become one series, as they would in
/// Prometheus, which keys output series by their labels.
pub(crate) fn merge_same_labels(series: Vec<StepSeries>) -> Result<Vec<StepSeries>, EvalError> {
    let mut index: HashMap<Labels, usize> = HashMap::with_capacity(series.len());
    let mut out: Vec<StepSeries> = Vec::with_capacity(series.len());
    for s in series {
        if s.is_empty() {
            continue;
        }
        match index.get(&s.labels) {
            None => {
                index.insert(s.labels.clone(), out.len());
                out.push(s);
            }
            Some(&i) => {
                let o = &mut out[i];
                for (a, b) in o.vals.iter_mut().zip(s.vals) {
                    if b.is_some() {
                        if a.is_some() {
                            return Err(EvalError::DuplicateLabelset);
                        }
                        *a = b;
                    }
                }
                o.drop_name |= s.drop_name;
            }
        }
    }
    Ok(out)
}
