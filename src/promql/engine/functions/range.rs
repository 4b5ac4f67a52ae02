//! Functions over range vectors: `rate`, `irate`, `increase`, `delta`, `idelta`, `resets`,
//! `changes`, `deriv`, `predict_linear`, `double_exponential_smoothing` (`holt_winters`), and
//! the `*_over_time` family.
//!
//! Each function sees one window `(end - range, end]` of one series at a time (already
//! without staleness markers) and returns at most one value; the walk over windows lives in
//! `RangeVal::for_each_window`. Arithmetic follows Prometheus' `functions.go`: the same
//! extrapolation rules for rates, Kahan-compensated sums, and the same regression.

use super::quantile;
use crate::model::Sample;
use crate::promql::engine::aggregate::kahan_inc;
use crate::promql::engine::EvalError;

/// Where a window sits, and the scalar arguments at this step.
pub(crate) struct Win<'a> {
    pub start: i64,
    pub end: i64,
    /// The evaluation time of the step (before `offset`/`@`).
    pub t: i64,
    pub range: i64,
    pub args: &'a [f64],
    /// Known to hold no counter decrease (`v[k] < v[k-1]`), so counter functions can skip
    /// their reset scan. `false` means "unknown": the scan runs.
    pub no_decrease: bool,
}

pub(crate) type RangeFn = fn(&[Sample], &Win) -> Result<Option<f64>, EvalError>;

/// A range function: its implementation, which argument is the range vector, and whether it
/// keeps the metric name.
#[derive(Clone, Copy)]
pub(crate) struct RangeFunc {
    pub f: RangeFn,
    pub range_arg: usize,
    pub keeps_name: bool,
}

pub(crate) fn lookup(name: &str) -> Option<RangeFunc> {
    let (f, range_arg, keeps_name): (RangeFn, usize, bool) = match name {
        "rate" => (|w, c| Ok(extrapolated(w, c, true, true)), 0, false),
        "increase" => (|w, c| Ok(extrapolated(w, c, true, false)), 0, false),
        "delta" => (|w, c| Ok(extrapolated(w, c, false, false)), 0, false),
        "irate" => (|w, _| Ok(instant_value(w, true)), 0, false),
        "idelta" => (|w, _| Ok(instant_value(w, false)), 0, false),
        "resets" => (resets, 0, false),
        "changes" => (changes, 0, false),
        "deriv" => (deriv, 0, false),
        "predict_linear" => (predict_linear, 0, false),
        "double_exponential_smoothing" | "holt_winters" => (smoothing, 0, false),
        "avg_over_time" => (avg_over_time, 0, false),
        "sum_over_time" => (sum_over_time, 0, false),
        "count_over_time" => (|w, _| Ok(Some(w.len() as f64)), 0, false),
        "min_over_time" => (min_over_time, 0, false),
        "max_over_time" => (max_over_time, 0, false),
        "last_over_time" => (|w, _| Ok(w.last().map(|s| s.v)), 0, true),
        "first_over_time" => (|w, _| Ok(w.first().map(|s| s.v)), 0, true),
        "present_over_time" => (|_, _| Ok(Some(1.0)), 0, false),
        "quantile_over_time" => (
            |w, c| {
                Ok(Some(quantile(
                    c.args[0],
                    &mut w.iter().map(|s| s.v).collect::<Vec<_>>(),
                )))
            },
            1,
            false,
        ),
        "stddev_over_time" => (|w, _| Ok(Some(variance(w).sqrt())), 0, false),
        "stdvar_over_time" => (|w, _| Ok(Some(variance(w))), 0, false),
        "mad_over_time" => (mad_over_time, 0, false),
        "ts_of_min_over_time" => (|w, _| Ok(ts_of(w, |a, b| b < a, false)), 0, false),
        "ts_of_max_over_time" => (|w, _| Ok(ts_of(w, |a, b| b > a, false)), 0, false),
        "ts_of_last_over_time" => (|w, _| Ok(w.last().map(|s| s.t as f64 / 1000.0)), 0, false),
        "ts_of_first_over_time" => (|w, _| Ok(w.first().map(|s| s.t as f64 / 1000.0)), 0, false),
        _ => return None,
    };
    Some(RangeFunc {
        f,
        range_arg,
        keeps_name,
    })
}

/// `rate`, `increase` and `delta`: the change over the window, extrapolated towards the window
/// edges when the samples reach close enough to them, as Prometheus' `extrapolatedRate`.
fn extrapolated(w: &[Sample], c: &Win, is_counter: bool, is_rate: bool) -> Option<f64> {
    if w.len() < 2 {
        return None;
    }
    let (first, last) = (w[0], w[w.len() - 1]);
    let mut result = last.v - first.v;
    if is_counter && !c.no_decrease {
        let mut prev = first.v;
        for s in &w[1..] {
            if s.v < prev {
                result += prev;
            }
            prev = s.v;
        }
    }
    let mut to_start = (first.t - c.start) as f64 / 1000.0;
    let mut to_end = (c.end - last.t) as f64 / 1000.0;
    let sampled = (last.t - first.t) as f64 / 1000.0;
    let avg_step = sampled / (w.len() - 1) as f64;
    let threshold = avg_step * 1.1;
    if to_start >= threshold {
        to_start = avg_step / 2.0;
    }
    if is_counter && result > 0.0 && first.v >= 0.0 {
        // A counter cannot go below zero: do not extrapolate past the point where it would.
        let to_zero = sampled * (first.v / result);
        if to_zero < to_start {
            to_start = to_zero;
        }
    }
    if to_end >= threshold {
        to_end = avg_step / 2.0;
    }
    let mut factor = (sampled + to_start + to_end) / sampled;
    if is_rate {
        factor /= c.range as f64 / 1000.0;
    }
    Some(result * factor)
}

/// `irate` and `idelta`: from the last two samples.
fn instant_value(w: &[Sample], is_rate: bool) -> Option<f64> {
    if w.len() < 2 {
        return None;
    }
    let (a, b) = (w[w.len() - 2], w[w.len() - 1]);
    let dt = b.t - a.t;
    if dt == 0 {
        return None;
    }
    let mut r = b.v;
    if !is_rate || b.v >= a.v || b.v.is_nan() || a.v.is_nan() {
        r = b.v - a.v;
    }
    if is_rate {
        r /= dt as f64 / 1000.0;
    }
    Some(r)
}

fn resets(w: &[Sample], _: &Win) -> Result<Option<f64>, EvalError> {
    let n = w.windows(2).filter(|p| p[1].v < p[0].v).count();
    Ok(Some(n as f64))
}

fn changes(w: &[Sample], _: &Win) -> Result<Option<f64>, EvalError> {
    let n = w
        .windows(2)
        .filter(|p| p[1].v != p[0].v && !(p[1].v.is_nan() && p[0].v.is_nan()))
        .count();
    Ok(Some(n as f64))
}

/// Least-squares fit of value over time (seconds relative to `intercept_t`).
fn linear_regression(w: &[Sample], intercept_t: i64) -> (f64, f64) {
    let (mut n, mut sx, mut cx, mut sy, mut cy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut sxy, mut cxy, mut sx2, mut cx2) = (0.0, 0.0, 0.0, 0.0);
    let init_y = w[0].v;
    let mut const_y = true;
    for (i, s) in w.iter().enumerate() {
        if const_y && i > 0 && s.v != init_y {
            const_y = false;
        }
        n += 1.0;
        let x = (s.t - intercept_t) as f64 / 1e3;
        (sx, cx) = kahan_inc(x, sx, cx);
        (sy, cy) = kahan_inc(s.v, sy, cy);
        (sxy, cxy) = kahan_inc(x * s.v, sxy, cxy);
        (sx2, cx2) = kahan_inc(x * x, sx2, cx2);
    }
    if const_y {
        if init_y.is_infinite() {
            return (f64::NAN, f64::NAN);
        }
        return (0.0, init_y);
    }
    let (sx, sy, sxy, sx2) = (sx + cx, sy + cy, sxy + cxy, sx2 + cx2);
    let cov = sxy - sx * sy / n;
    let var = sx2 - sx * sx / n;
    let slope = cov / var;
    (slope, sy / n - slope * sx / n)
}

fn deriv(w: &[Sample], _: &Win) -> Result<Option<f64>, EvalError> {
    if w.len() < 2 {
        return Ok(None);
    }
    // The first sample's time as intercept keeps the numbers small (Prometheus issue 2674).
    Ok(Some(linear_regression(w, w[0].t).0))
}

fn predict_linear(w: &[Sample], c: &Win) -> Result<Option<f64>, EvalError> {
    if w.len() < 2 {
        return Ok(None);
    }
    let (slope, intercept) = linear_regression(w, c.t);
    Ok(Some(slope * c.args[0] + intercept))
}

/// Go's `%f`: six decimals.
fn go_f(v: f64) -> String {
    format!("{v:.6}")
}

fn smoothing(w: &[Sample], c: &Win) -> Result<Option<f64>, EvalError> {
    let (sf, tf) = (c.args[0], c.args[1]);
    if !(sf > 0.0 && sf < 1.0) {
        return Err(EvalError::invalid(format!(
            "invalid smoothing factor. Expected: 0 < sf < 1, got: {}",
            go_f(sf)
        )));
    }
    if !(tf > 0.0 && tf < 1.0) {
        return Err(EvalError::invalid(format!(
            "invalid trend factor. Expected: 0 < tf < 1, got: {}",
            go_f(tf)
        )));
    }
    if w.len() < 2 {
        return Ok(None);
    }
    let (mut s0, mut s1) = (0.0, w[0].v);
    let mut b = w[1].v - w[0].v;
    for (i, s) in w.iter().enumerate().skip(1) {
        let x = sf * s.v;
        if i > 1 {
            b = tf * (s1 - s0) + (1.0 - tf) * b;
        }
        let y = (1.0 - sf) * (s1 + b);
        s0 = s1;
        s1 = x + y;
    }
    Ok(Some(s1))
}

fn avg_over_time(w: &[Sample], _: &Win) -> Result<Option<f64>, EvalError> {
    if w.is_empty() {
        return Ok(None);
    }
    let (mut sum, mut count) = (w[0].v, 1.0);
    let (mut mean, mut c) = (0.0, 0.0);
    let mut incremental = false;
    for (i, s) in w.iter().enumerate().skip(1) {
        count = (i + 1) as f64;
        if !incremental {
            let (ns, nc) = kahan_inc(s.v, sum, c);
            if !ns.is_infinite() {
                sum = ns;
                c = nc;
                continue;
            }
            incremental = true;
            mean = sum / (count - 1.0);
            c /= count - 1.0;
        }
        let q = (count - 1.0) / count;
        (mean, c) = kahan_inc(s.v / count, q * mean, q * c);
    }
    Ok(Some(if incremental {
        mean + c
    } else {
        sum / count + c / count
    }))
}

fn sum_over_time(w: &[Sample], _: &Win) -> Result<Option<f64>, EvalError> {
    let (mut sum, mut c) = (0.0, 0.0);
    for s in w {
        (sum, c) = kahan_inc(s.v, sum, c);
    }
    Ok(Some(if sum.is_infinite() { sum } else { sum + c }))
}

fn min_over_time(w: &[Sample], _: &Win) -> Result<Option<f64>, EvalError> {
    let mut m = w[0].v;
    for s in &w[1..] {
        if s.v < m || m.is_nan() {
            m = s.v;
        }
    }
    Ok(Some(m))
}

fn max_over_time(w: &[Sample], _: &Win) -> Result<Option<f64>, EvalError> {
    let mut m = w[0].v;
    for s in &w[1..] {
        if s.v > m || m.is_nan() {
            m = s.v;
        }
    }
    Ok(Some(m))
}

/// Population variance with compensated running mean, as Prometheus' `stdvar_over_time`.
fn variance(w: &[Sample]) -> f64 {
    let (mut count, mut mean, mut cmean, mut aux, mut caux) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for s in w {
        count += 1.0;
        let delta = s.v - (mean + cmean);
        (mean, cmean) = kahan_inc(delta / count, mean, cmean);
        (aux, caux) = kahan_inc(delta * (s.v - (mean + cmean)), aux, caux);
    }
    (aux + caux) / count
}

fn mad_over_time(w: &[Sample], _: &Win) -> Result<Option<f64>, EvalError> {
    // A NaN sample makes the result NaN rather than being sorted aside.
    if w.iter().any(|s| s.v.is_nan()) {
        return Ok(Some(f64::NAN));
    }
    let mut vals: Vec<f64> = w.iter().map(|s| s.v).collect();
    let median = quantile(0.5, &mut vals);
    let mut dev: Vec<f64> = w.iter().map(|s| (s.v - median).abs()).collect();
    Ok(Some(quantile(0.5, &mut dev)))
}

/// Timestamp of the extreme sample (the last one among equals), skipping NaN unless all are.
fn ts_of(w: &[Sample], better: fn(f64, f64) -> bool, _first: bool) -> Option<f64> {
    let mut best = w[0];
    for s in &w[1..] {
        if better(best.v, s.v) || s.v == best.v || best.v.is_nan() {
            if s.v.is_nan() && !best.v.is_nan() {
                continue;
            }
            best = *s;
        }
    }
    Some(best.t as f64 / 1000.0)
}
