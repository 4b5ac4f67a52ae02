//! PromQL functions: dispatch by name, plus the element-wise math and date functions.
//!
//! Range-vector functions live in `range.rs`, label and ordering functions (and `absent`,
//! `scalar`, `vector`) in `labels.rs`, classic-histogram functions in `histogram.rs`. The
//! argument count and types are checked by the parser; the engine re-checks types of what it
//! evaluates and reports a mismatch as an error rather than trusting the tree.

pub(crate) mod extended;
mod histogram;
mod info;
mod labels;
mod range;

use super::eval::{Evaluator, StepClock};
use super::value::{Extend, RangeVal, StepSeries, Val};
use super::EvalError;
use crate::parallel;
use crate::promql::ast::{Call, Expr, MatrixSelector, PosRange};
use chrono::{DateTime, Datelike, Timelike};

/// The `q`-quantile of `values` (sorted in place), interpolating between neighbours as
/// Prometheus' `quantile` does; NaN sorts first.
pub(crate) fn quantile(q: f64, values: &mut [f64]) -> f64 {
    if values.is_empty() || q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    values.sort_by(|a, b| match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        _ => a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal),
    });
    let n = values.len() as f64;
    let rank = q * (n - 1.0);
    let lower = rank.floor().max(0.0);
    let upper = (lower + 1.0).min(n - 1.0);
    let weight = rank - rank.floor();
    values[lower as usize] * (1.0 - weight) + values[upper as usize] * weight
}

/// Where an expression starts, for annotations: the first position found in its tree (the
/// syntax tree records positions of selectors and calls only), else `fallback`.
pub(crate) fn expr_pos(e: &Expr, fallback: PosRange) -> PosRange {
    fn find(e: &Expr) -> Option<PosRange> {
        match e {
            Expr::VectorSelector(vs) => Some(vs.pos),
            Expr::MatrixSelector(ms) => Some(ms.selector.pos),
            Expr::Call(c) => Some(c.pos),
            Expr::Subquery(sq) => find(&sq.expr),
            Expr::Paren(x) | Expr::Unary(_, x) => find(x),
            Expr::Binary(b) => b.operands().into_iter().find_map(find),
            Expr::Aggregate(a) => a.param.as_deref().and_then(find).or_else(|| find(&a.expr)),
            Expr::Number(_) | Expr::String(_) => None,
        }
    }
    find(e).unwrap_or(fallback)
}

/// Warns once per distinct out-of-range quantile (outside [0, 1], or NaN).
pub(crate) fn warn_quantiles(ev: &Evaluator, q: &[f64], pos: PosRange) {
    let mut seen: Vec<u64> = Vec::new();
    for &x in q {
        if !(0.0..=1.0).contains(&x) && !seen.contains(&x.to_bits()) {
            seen.push(x.to_bits());
            ev.notes.warn(
                format!(
                    "quantile value should be between 0 and 1, got {}",
                    crate::promql::engine::annotations::go_g(x)
                ),
                pos,
            );
        }
    }
}

/// Strips parentheses, as Prometheus does before looking at an argument's shape.
pub(crate) fn unwrap_parens(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(inner) => unwrap_parens(inner),
        other => other,
    }
}

pub(crate) fn call(ev: &Evaluator, c: &Call) -> Result<Val, EvalError> {
    let name = c.func.as_str();
    if let Some(rf) = range::lookup(name) {
        return eval_range_func(ev, c, rf);
    }
    // Each arm only calls: the function's own frame stays small, as one is on the stack per
    // nested call (see `Evaluator::eval`).
    match name {
        "time" => Ok(Val::Scalar(ev.times().map(|t| t as f64 / 1000.0).collect())),
        "pi" => Ok(Val::Scalar(vec![std::f64::consts::PI; ev.nsteps()])),
        "min_of" | "max_of" => min_max_of(ev, c),
        "vector" => vector(ev, c),
        "scalar" => labels::scalar(ev, c),
        "timestamp" => timestamp(ev, c),
        "absent" => labels::absent(ev, c),
        "absent_over_time" => labels::absent_over_time(ev, c),
        "label_replace" => labels::label_replace(ev, c),
        "label_join" => labels::label_join(ev, c),
        "sort" | "sort_desc" | "sort_by_label" | "sort_by_label_desc" => labels::sort(ev, c),
        "histogram_quantile" => histogram::histogram_quantile(ev, c),
        "histogram_quantiles" => histogram::histogram_quantiles(ev, c),
        "info" => info::info(ev, c),
        "histogram_count" | "histogram_sum" | "histogram_avg" | "histogram_stddev"
        | "histogram_stdvar" => native_histogram_only(ev, c),
        "histogram_fraction" => histogram::histogram_fraction(ev, c),
        "round" => round(ev, c),
        "clamp" => clamp(ev, c),
        "clamp_min" | "clamp_max" => clamp_one_side(ev, c, name == "clamp_min"),
        "day_of_month" | "day_of_week" | "day_of_year" | "days_in_month" | "hour" | "minute"
        | "month" | "year" => date_func(ev, c, name),
        _ => match simple_fn(name) {
            Some(f) => map_vector(ev, c, |x, _| Some(f(x))),
            None => Err(EvalError::UnknownFunction(name.to_string())),
        },
    }
}

fn min_max_of(ev: &Evaluator, c: &Call) -> Result<Val, EvalError> {
    let a = ev.eval_scalar(arg(c, 0)?)?;
    let b = ev.eval_scalar(arg(c, 1)?)?;
    let f = if c.func == "min_of" {
        crate::promql::ast::nan_min
    } else {
        crate::promql::ast::nan_max
    };
    Ok(Val::Scalar(
        a.iter().zip(&b).map(|(&x, &y)| f(x, y)).collect(),
    ))
}

fn vector(ev: &Evaluator, c: &Call) -> Result<Val, EvalError> {
    let s = ev.eval_scalar(arg(c, 0)?)?;
    Ok(Val::Vector(vec![StepSeries {
        labels: Default::default(),
        drop_name: false,
        vals: s.into_iter().map(Some).collect(),
    }]))
}

fn timestamp(ev: &Evaluator, c: &Call) -> Result<Val, EvalError> {
    let mut v = match unwrap_parens(arg(c, 0)?) {
        Expr::VectorSelector(vs) => ev.eval_vector_selector(vs, true)?,
        other => {
            let v = ev.eval_vector(other)?;
            sample_times(ev, v)
        }
    };
    v.iter_mut().for_each(|s| s.drop_name = true);
    Ok(Val::Vector(v))
}

/// Each value replaced by the time of its step, in seconds.
fn sample_times(ev: &Evaluator, mut v: Vec<StepSeries>) -> Vec<StepSeries> {
    for s in &mut v {
        for (i, x) in s.vals.iter_mut().enumerate() {
            if x.is_some() {
                *x = Some(ev.time_at(i) as f64 / 1000.0);
            }
        }
    }
    v
}

/// These read native histograms only and ignore float samples; the store holds no native
/// histograms, so (as Prometheus on float data) the result is empty.
fn native_histogram_only(ev: &Evaluator, c: &Call) -> Result<Val, EvalError> {
    ev.eval_vector(arg(c, 0)?)?;
    Ok(Val::Vector(Vec::new()))
}

fn round(ev: &Evaluator, c: &Call) -> Result<Val, EvalError> {
    let to = match c.args.get(1) {
        Some(e) => ev.eval_scalar(e)?,
        None => vec![1.0; ev.nsteps()],
    };
    map_vector(ev, c, |x, i| {
        let inv = 1.0 / to[i];
        Some((x * inv + 0.5).floor() / inv)
    })
}

fn clamp(ev: &Evaluator, c: &Call) -> Result<Val, EvalError> {
    let lo = ev.eval_scalar(arg(c, 1)?)?;
    let hi = ev.eval_scalar(arg(c, 2)?)?;
    // An empty range (max < min) gives no output; NaN bounds propagate.
    map_vector(ev, c, |x, i| {
        (hi[i] >= lo[i] || hi[i].is_nan() || lo[i].is_nan())
            .then(|| go_max(lo[i], go_min(hi[i], x)))
    })
}

/// `clamp_min` (`min` set) or `clamp_max`.
fn clamp_one_side(ev: &Evaluator, c: &Call, min: bool) -> Result<Val, EvalError> {
    let bound = ev.eval_scalar(arg(c, 1)?)?;
    if min {
        map_vector(ev, c, |x, i| Some(go_max(bound[i], x)))
    } else {
        map_vector(ev, c, |x, i| Some(go_min(bound[i], x)))
    }
}

pub(crate) fn arg(c: &Call, i: usize) -> Result<&Expr, EvalError> {
    c.args.get(i).ok_or_else(|| {
        EvalError::invalid(format!(
            "expected at least {} argument(s) in call to \"{}\", got {}",
            i + 1,
            c.func,
            c.args.len()
        ))
    })
}

/// Go's `math.Max`: NaN wins, unlike `f64::max`.
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// Go's `math.Min`: NaN wins.
fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

fn simple_fn(name: &str) -> Option<fn(f64) -> f64> {
    Some(match name {
        "abs" => f64::abs,
        "ceil" => f64::ceil,
        "floor" => f64::floor,
        "exp" => f64::exp,
        "ln" => f64::ln,
        "log2" => f64::log2,
        "log10" => f64::log10,
        "sqrt" => f64::sqrt,
        "sgn" => |x: f64| {
            if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                x
            }
        },
        "sin" => f64::sin,
        "cos" => f64::cos,
        "tan" => f64::tan,
        "asin" => f64::asin,
        "acos" => f64::acos,
        "atan" => f64::atan,
        "sinh" => f64::sinh,
        "cosh" => f64::cosh,
        "tanh" => f64::tanh,
        "asinh" => f64::asinh,
        "acosh" => f64::acosh,
        "atanh" => f64::atanh,
        "deg" => |x: f64| x * 180.0 / std::f64::consts::PI,
        "rad" => |x: f64| x * std::f64::consts::PI / 180.0,
        _ => return None,
    })
}

/// Applies `f(value, step)` to every point of the first argument; drops the metric name.
fn map_vector(
    ev: &Evaluator,
    c: &Call,
    f: impl Fn(f64, usize) -> Option<f64>,
) -> Result<Val, EvalError> {
    let v = ev.eval_vector(arg(c, 0)?)?;
    Ok(Val::Vector(map_values(v, f)))
}

/// [`map_vector`]'s work on the evaluated argument.
fn map_values(mut v: Vec<StepSeries>, f: impl Fn(f64, usize) -> Option<f64>) -> Vec<StepSeries> {
    for s in &mut v {
        s.drop_name = true;
        for (i, x) in s.vals.iter_mut().enumerate() {
            if let Some(val) = *x {
                *x = f(val, i);
            }
        }
    }
    v.retain(|s| !s.is_empty());
    v
}

fn date_func(ev: &Evaluator, c: &Call, name: &str) -> Result<Val, EvalError> {
    let f = |secs: f64| -> f64 {
        // Go converts with int64(f); NaN and out-of-range values give the minimum int64,
        // which no calendar represents, so they yield NaN here.
        let Some(t) = (secs.is_finite())
            .then(|| DateTime::from_timestamp(secs as i64, 0))
            .flatten()
        else {
            return f64::NAN;
        };
        match name {
            "day_of_month" => t.day() as f64,
            "day_of_week" => t.weekday().num_days_from_sunday() as f64,
            "day_of_year" => t.ordinal() as f64,
            "days_in_month" => {
                let (y, m) = (t.year(), t.month());
                let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                let first_next = chrono::NaiveDate::from_ymd_opt(ny, nm, 1);
                let first = chrono::NaiveDate::from_ymd_opt(y, m, 1);
                match (first, first_next) {
                    (Some(a), Some(b)) => (b - a).num_days() as f64,
                    _ => f64::NAN,
                }
            }
            "hour" => t.hour() as f64,
            "minute" => t.minute() as f64,
            "month" => t.month() as f64,
            _ => t.year() as f64,
        }
    };
    if c.args.is_empty() {
        let vals = ev.times().map(|t| Some(f((t / 1000) as f64))).collect();
        return Ok(Val::Vector(vec![StepSeries {
            labels: Default::default(),
            drop_name: false,
            vals,
        }]));
    }
    map_vector(ev, c, |x, _| Some(f(x)))
}

fn eval_range_func(ev: &Evaluator, c: &Call, rf: range::RangeFunc) -> Result<Val, EvalError> {
    let mut out = Vec::new();
    stream_range_func(ev, c, rf, &mut |batch| {
        out.extend(batch);
        Ok(())
    })?;
    Ok(Val::Vector(out))
}

/// If `c` is a range function, evaluates it and hands its result series to `sink` in batches,
/// in label order, and returns true; returns false for any other call.
pub(crate) fn stream_call(
    ev: &Evaluator,
    c: &Call,
    sink: &mut dyn FnMut(Vec<StepSeries>) -> Result<(), EvalError>,
) -> Result<bool, EvalError> {
    match range::lookup(c.func.as_str()) {
        Some(rf) => stream_range_func(ev, c, rf, sink).map(|()| true),
        None => Ok(false),
    }
}

/// Evaluates range function `rf`, handing the result series to `sink` in batches, in label
/// order. A range selector argument is read and reduced batch by batch, on worker threads
/// while the store decodes the next batches; anything else (a subquery) is evaluated whole
/// first.
fn stream_range_func(
    ev: &Evaluator,
    c: &Call,
    rf: range::RangeFunc,
    sink: &mut dyn FnMut(Vec<StepSeries>) -> Result<(), EvalError>,
) -> Result<(), EvalError> {
    let range_arg = arg(c, rf.range_arg)?;
    let (shell, direct) = match unwrap_parens(range_arg) {
        Expr::MatrixSelector(ms) => (ev.empty_range(ms), Some(ms)),
        _ => (ev.eval_range(range_arg)?, None),
    };
    let scalars = scalar_args(ev, c, rf)?;
    reduce_range_func(ev, c, rf, (shell, direct), scalars, sink)
}

/// The arguments of a range function other than its range, evaluated.
fn scalar_args(ev: &Evaluator, c: &Call, rf: range::RangeFunc) -> Result<Vec<Vec<f64>>, EvalError> {
    let mut scalars: Vec<Vec<f64>> = Vec::new();
    for (i, a) in c.args.iter().enumerate() {
        if i != rf.range_arg {
            scalars.push(ev.eval_scalar(a)?);
        }
    }
    Ok(scalars)
}

/// [`stream_range_func`] once its arguments are evaluated: `input` is the evaluated range
/// (a shell without series when it is a selector read batch by batch) and the selector.
fn reduce_range_func(
    ev: &Evaluator,
    c: &Call,
    rf: range::RangeFunc,
    (shell, direct): (RangeVal, Option<&MatrixSelector>),
    scalars: Vec<Vec<f64>>,
    sink: &mut dyn FnMut(Vec<StepSeries>) -> Result<(), EvalError>,
) -> Result<(), EvalError> {
    let n = ev.nsteps();
    let range_arg = arg(c, rf.range_arg)?;
    if shell.extend != Extend::None {
        extended::check_function(&c.func, shell.extend == Extend::Smoothed)
            .map_err(EvalError::invalid)?;
    }
    if c.func == "quantile_over_time" {
        warn_quantiles(ev, &scalars[0], expr_pos(range_arg, c.pos));
    }
    let clock = ev.clock();
    let apply = |rv: RangeVal| {
        let mut out = Vec::new();
        let mut per_step = vec![0usize; n];
        apply_range_func(clock, c, rf, &rv, &scalars, &mut per_step, &mut out)?;
        Ok((out, per_step))
    };
    // `max_samples` bounds the samples of one step's windows over all series, as if they
    // were all loaded at once.
    let mut per_step = vec![0usize; n];
    let counter_hint = c.func == "rate" || c.func == "increase";
    let hint_pos = expr_pos(range_arg, c.pos);
    let mut take = |(series, counts): (Vec<StepSeries>, Vec<usize>)| {
        for (total, c) in per_step.iter_mut().zip(counts) {
            *total += c;
        }
        if counter_hint {
            // Prometheus' hint that the input may not be a counter, judged by the name.
            for s in &series {
                if let Some(name) = s.labels.metric_name() {
                    if !["_total", "_sum", "_count", "_bucket"]
                        .iter()
                        .any(|suf| name.ends_with(suf))
                    {
                        ev.notes.info(
                            format!("metric might not be a counter, name does not end in _total/_sum/_count/_bucket: {name:?}"),
                            hint_pos,
                        );
                    }
                }
            }
        }
        sink(series)
    };
    match direct {
        Some(ms) => parallel::for_each_ordered(
            ev.engine.threads,
            |emit| ev.for_each_range_batch(ms, emit),
            apply,
            &mut take,
        )?,
        None => take(apply(shell)?)?,
    }
    ev.check_samples(per_step.into_iter().max().unwrap_or(0))
}

/// Applies range function `rf` to every window of `rv`, appending the non-empty results to
/// `out` and adding each step's window sizes to `per_step`.
fn apply_range_func(
    clock: StepClock,
    c: &Call,
    rf: range::RangeFunc,
    rv: &RangeVal,
    scalars: &[Vec<f64>],
    per_step: &mut [usize],
    out: &mut Vec<StepSeries>,
) -> Result<(), EvalError> {
    let n = clock.steps;
    let extend = rv.extend;
    let first = out.len();
    out.extend(
        rv.series
            .iter()
            .map(|s| StepSeries::new(s.labels.clone(), s.drop_name || !rf.keeps_name, n)),
    );
    let mut args = vec![0.0; scalars.len()];
    let mut err = None;
    // For rate/increase: per series, how many counter decreases occur up to each sample, so
    // that a window without any is known in O(1) instead of by scanning it at every step.
    let counts_decreases = matches!(c.func.as_str(), "rate" | "increase");
    let mut decreases: Vec<u32> = Vec::new();
    let mut decreases_of = usize::MAX;
    rv.for_each_window_at(|i, si, lo, w| {
        if err.is_some() {
            return;
        }
        // A deadline check at the start of every 64th series keeps long queries stoppable
        // without reading the clock per window.
        if i == 0 && si % 64 == 63 {
            if let Err(e) = clock.check_deadline() {
                err = Some(e);
                return;
            }
        }
        if w.is_empty() {
            return;
        }
        per_step[i] += w.len();
        for (a, s) in args.iter_mut().zip(scalars) {
            *a = s[i];
        }
        let end = rv.ends[i];
        let mut no_decrease = false;
        if counts_decreases {
            if decreases_of != si {
                let smp = &rv.series[si].samples;
                decreases.clear();
                let mut n = 0u32;
                for k in 0..smp.len() {
                    if k > 0 && smp[k].v < smp[k - 1].v {
                        n += 1;
                    }
                    decreases.push(n);
                }
                decreases_of = si;
            }
            no_decrease = decreases[lo + w.len() - 1] == decreases[lo];
        }
        let win = range::Win {
            start: end - rv.range,
            end,
            t: clock.time_at(i),
            range: rv.range,
            args: &args,
            no_decrease,
        };
        let smoothed = extend == Extend::Smoothed;
        let r = match (extend, c.func.as_str()) {
            (Extend::None, _) => (rf.f)(w, &win),
            (_, "rate" | "increase" | "delta") => Ok(extended::extended_rate(
                w,
                win.start,
                end,
                smoothed,
                c.func != "delta",
                c.func == "rate",
            )),
            _ => {
                let w = extended::extend_window(w, win.start, end, smoothed);
                if w.is_empty() {
                    Ok(None)
                } else {
                    (rf.f)(&w, &win)
                }
            }
        };
        match r {
            Ok(v) => out[first + si].vals[i] = v,
            Err(e) => err = Some(e),
        }
    });
    if let Some(e) = err {
        return Err(e);
    }
    let mut k = first;
    for j in first..out.len() {
        if !out[j].is_empty() {
            out.swap(k, j);
            k += 1;
        }
    }
    out.truncate(k);
    Ok(())
}
