//! Classic (bucket-series) histogram functions: `histogram_quantile` and
//! `histogram_fraction`.
//!
//! Series are grouped by their labels without `le` and `__name__`, once per series; each step
//! then collects the buckets present and applies Prometheus' rules: sort by bound, require a
//! `+Inf` bucket, merge buckets with equal bounds, force the cumulative counts to be monotonic
//! (ignoring float noise below 1e-12 relative), and interpolate linearly inside the bucket.
//! Native histograms are not supported (the store has none).

use super::{arg, expr_pos, warn_quantiles};
use crate::model::Labels;
use crate::promql::ast::Call;
use crate::promql::ast::PosRange;
use crate::promql::engine::eval::Evaluator;
use crate::promql::engine::value::{StepSeries, Val};
use crate::promql::engine::EvalError;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug)]
struct Bucket {
    upper: f64,
    count: f64,
}

/// The float tolerance Prometheus' `almost.Equal` uses.
fn almost_equal(a: f64, b: f64, eps: f64) -> bool {
    const MIN_NORMAL: f64 = f64::MIN_POSITIVE;
    if a == b {
        return true;
    }
    let d = (a - b).abs();
    if a == 0.0 || b == 0.0 || d < MIN_NORMAL {
        return d < eps * MIN_NORMAL;
    }
    d / (a.abs() + b.abs()).min(f64::MAX) < eps
}

/// Sorts, checks for +Inf, coalesces equal bounds; `None` when there is no +Inf bucket.
fn prepare(buckets: &mut Vec<Bucket>) -> Option<()> {
    buckets.sort_by(|a, b| {
        a.upper
            .partial_cmp(&b.upper)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    if buckets.last()?.upper != f64::INFINITY {
        return None;
    }
    let mut out: Vec<Bucket> = Vec::with_capacity(buckets.len());
    for b in buckets.drain(..) {
        match out.last_mut() {
            Some(l) if l.upper == b.upper => l.count += b.count,
            _ => out.push(b),
        }
    }
    *buckets = out;
    Some(())
}

/// Returns whether a decrease had to be removed (float noise does not count).
fn ensure_monotonic(buckets: &mut [Bucket]) -> bool {
    let mut forced = false;
    let mut prev = buckets[0].count;
    for b in buckets.iter_mut().skip(1) {
        let curr = b.count;
        if curr == prev {
            continue;
        }
        if almost_equal(prev, curr, 1e-12) {
            b.count = prev;
            continue;
        }
        if curr < prev {
            b.count = prev;
            forced = true;
            continue;
        }
        prev = curr;
    }
    forced
}

/// The quantile, and whether the buckets had to be forced monotonic.
fn bucket_quantile(q: f64, buckets: &mut Vec<Bucket>) -> (f64, bool) {
    if q.is_nan() {
        return (f64::NAN, false);
    }
    if q < 0.0 {
        return (f64::NEG_INFINITY, false);
    }
    if q > 1.0 {
        return (f64::INFINITY, false);
    }
    if prepare(buckets).is_none() {
        return (f64::NAN, false);
    }
    let forced = ensure_monotonic(buckets);
    if buckets.len() < 2 {
        return (f64::NAN, false);
    }
    let observations = buckets[buckets.len() - 1].count;
    if observations == 0.0 {
        return (f64::NAN, forced);
    }
    let mut rank = q * observations;
    let b = buckets[..buckets.len() - 1].partition_point(|x| x.count < rank);
    if b == buckets.len() - 1 {
        return (buckets[buckets.len() - 2].upper, forced);
    }
    if b == 0 && buckets[0].upper <= 0.0 {
        return (buckets[0].upper, forced);
    }
    let (mut start, end, mut count) = (0.0, buckets[b].upper, buckets[b].count);
    if b > 0 {
        start = buckets[b - 1].upper;
        count -= buckets[b - 1].count;
        rank -= buckets[b - 1].count;
    }
    (start + (end - start) * (rank / count), forced)
}

fn bucket_fraction(lower: f64, upper: f64, buckets: &mut Vec<Bucket>) -> f64 {
    if prepare(buckets).is_none() {
        return f64::NAN;
    }
    let count = buckets[buckets.len() - 1].count;
    if count == 0.0 || lower.is_nan() || upper.is_nan() {
        return f64::NAN;
    }
    if lower >= upper {
        return 0.0;
    }
    let (mut rank, mut lower_rank, mut upper_rank) = (0.0, 0.0, 0.0);
    let (mut lower_set, mut upper_set) = (false, false);
    for (i, b) in buckets.iter().enumerate() {
        // The first bucket starts at 0 when its bound is positive (observations are assumed
        // non-negative then), else at -Inf.
        let lb = if i > 0 {
            buckets[i - 1].upper
        } else if b.upper > 0.0 {
            0.0
        } else {
            f64::NEG_INFINITY
        };
        let ub = b.upper;
        // No interpolation inside a bucket of infinite width: the part of it inside the
        // range contributes nothing.
        let interp = |v: f64| {
            if lb.is_infinite() {
                b.count
            } else if ub.is_infinite() {
                rank
            } else {
                rank + (b.count - rank) * (v - lb) / (ub - lb)
            }
        };
        if !lower_set && lb >= lower {
            lower_rank = rank;
            lower_set = true;
        }
        if !upper_set && lb >= upper {
            upper_rank = rank;
            upper_set = true;
        }
        if lower_set && upper_set {
            break;
        }
        if !lower_set && lb < lower && ub > lower {
            lower_rank = interp(lower);
            lower_set = true;
        }
        if !upper_set && lb < upper && ub > upper {
            upper_rank = interp(upper);
            upper_set = true;
        }
        if lower_set && upper_set {
            break;
        }
        rank = b.count;
    }
    if !lower_set || lower_rank > count {
        lower_rank = count;
    }
    if !upper_set || upper_rank > count {
        upper_rank = count;
    }
    (upper_rank - lower_rank) / count
}

/// Groups bucket series and calls `f(step, buckets)` per group and step; `f` also says
/// whether the buckets had to be forced monotonic (reported as an info at `pos`).
fn per_group(
    ev: &Evaluator,
    v: Vec<StepSeries>,
    pos: PosRange,
    mut f: impl FnMut(usize, &mut Vec<Bucket>) -> (f64, bool),
) -> Vec<StepSeries> {
    let n = ev.nsteps();
    let mut ids: HashMap<Labels, usize> = HashMap::new();
    let mut out: Vec<StepSeries> = Vec::new();
    let mut members: Vec<(usize, f64, &StepSeries)> = Vec::new();
    for s in &v {
        let raw = s.labels.get_or_empty("le");
        let Ok(le) = raw.trim().parse::<f64>() else {
            ev.notes.warn(
                with_metric_name(
                    format!("bucket label \"le\" is missing or has a malformed value of {raw:?}"),
                    &s.labels,
                ),
                pos,
            );
            continue;
        };
        // The name stays in the key (it is only marked for removal), so buckets of two
        // differently named histograms never mix; if their results collide once the names
        // are dropped, that is the usual duplicate-labelset error.
        let key = s.labels.drop_names(&["le".to_string()]);
        let g = *ids.entry(key.clone()).or_insert_with(|| {
            out.push(StepSeries::new(key, true, n));
            out.len() - 1
        });
        members.push((g, le, s));
    }
    let mut bufs: Vec<Vec<Bucket>> = vec![Vec::new(); out.len()];
    for i in 0..n {
        for &(g, le, s) in &members {
            if let Some(c) = s.vals[i] {
                bufs[g].push(Bucket {
                    upper: le,
                    count: c,
                });
            }
        }
        for (g, b) in bufs.iter_mut().enumerate() {
            if !b.is_empty() {
                let (v, forced) = f(i, b);
                out[g].vals[i] = Some(v);
                if forced {
                    ev.notes.info(
                        with_metric_name(
                            "input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)".into(),
                            &out[g].labels,
                        ),
                        pos,
                    );
                }
                b.clear();
            }
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// Appends ` for metric name "<name>"` when the series has a name, as Prometheus does.
fn with_metric_name(detail: String, l: &Labels) -> String {
    match l.metric_name() {
        Some(n) => format!("{detail} for metric name {n:?}"),
        None => detail,
    }
}

// Each of these evaluates its arguments and leaves the work to a function called after, so
// that nested calls do not hold its frame (see `Evaluator::eval`).

pub(super) fn histogram_quantile(ev: &Evaluator, c: &Call) -> Result<Val, EvalError> {
    let q = ev.eval_scalar(arg(c, 0)?)?;
    warn_quantile_arg(ev, c, &q)?;
    let v = ev.eval_vector(arg(c, 1)?)?;
    histogram_quantile_of(ev, c, q, v)
}

fn warn_quantile_arg(ev: &Evaluator, c: &Call, q: &[f64]) -> Result<(), EvalError> {
    warn_quantiles(ev, q, expr_pos(arg(c, 0)?, c.pos));
    Ok(())
}

fn histogram_quantile_of(
    ev: &Evaluator,
    c: &Call,
    q: Vec<f64>,
    v: Vec<StepSeries>,
) -> Result<Val, EvalError> {
    let pos = expr_pos(arg(c, 1)?, c.pos);
    Ok(Val::Vector(per_group(ev, v, pos, |i, b| {
        bucket_quantile(q[i], b)
    })))
}

/// A quantile as `histogram_quantiles` writes it into a label: OpenMetrics' canonical form,
/// which keeps a decimal point on whole numbers (`0.0`, `1.0`).
fn quantile_label(q: f64) -> String {
    let s = crate::promql::engine::aggregate::format_go_float(q);
    if q.is_finite() && !s.contains('.') {
        format!("{s}.0")
    } else {
        s
    }
}

/// `histogram_quantiles(v, "label", q1, q2, ...)`: one `histogram_quantile` per quantile,
/// told apart by `label`.
pub(super) fn histogram_quantiles(ev: &Evaluator, c: &Call) -> Result<Val, EvalError> {
    let v = ev.eval_vector(arg(c, 0)?)?;
    histogram_quantiles_of(ev, c, v)
}

fn histogram_quantiles_of(ev: &Evaluator, c: &Call, v: Vec<StepSeries>) -> Result<Val, EvalError> {
    let label = match ev.eval(arg(c, 1)?)? {
        Val::String(s) => s,
        other => {
            return Err(EvalError::invalid(format!(
                "expected type string in argument 2 of histogram_quantiles, got {}",
                other.type_name()
            )))
        }
    };
    if !crate::model::labels::is_valid_label_name(&label) {
        return Err(EvalError::invalid(format!("invalid label name {label:?}")));
    }
    if v.iter().any(|s| s.labels.get(&label).is_some()) {
        return Err(EvalError::invalid(format!(
            "label {label:?} already exists in the input of histogram_quantiles"
        )));
    }
    let pos = expr_pos(arg(c, 0)?, c.pos);
    let mut out = Vec::new();
    for qe in c.args.iter().skip(2) {
        let q = ev.eval_scalar(qe)?;
        warn_quantiles(ev, &q, expr_pos(qe, c.pos));
        for mut s in per_group(ev, v.clone(), pos, |i, b| bucket_quantile(q[i], b)) {
            let mut b = s.labels.to_builder();
            // The label shows the quantile of the first step; quantiles are constants in
            // practice (Prometheus requires number literals here).
            b.set(label.clone(), quantile_label(q[0]));
            s.labels = b.build();
            out.push(s);
        }
    }
    Ok(Val::Vector(
        crate::promql::engine::value::merge_same_labels(out)?,
    ))
}

pub(super) fn histogram_fraction(ev: &Evaluator, c: &Call) -> Result<Val, EvalError> {
    let lo = ev.eval_scalar(arg(c, 0)?)?;
    let hi = ev.eval_scalar(arg(c, 1)?)?;
    let v = ev.eval_vector(arg(c, 2)?)?;
    histogram_fraction_of(ev, c, (lo, hi), v)
}

fn histogram_fraction_of(
    ev: &Evaluator,
    c: &Call,
    (lo, hi): (Vec<f64>, Vec<f64>),
    v: Vec<StepSeries>,
) -> Result<Val, EvalError> {
    let pos = expr_pos(arg(c, 2)?, c.pos);
    Ok(Val::Vector(per_group(ev, v, pos, |i, b| {
        (bucket_fraction(lo[i], hi[i], b), false)
    })))
}
