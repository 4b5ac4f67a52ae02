//! Functions about labels, presence and order: `label_replace`, `label_join`, `absent`,
//! `absent_over_time`, `scalar`, and the `sort*` family.
//!
//! Sorting only changes the order of an instant query's result: a range query's result is
//! always ordered by labels, so the `sort*` functions leave multi-step values untouched.

use super::{arg, unwrap_parens};
use crate::model::labels::is_valid_label_name;
use crate::model::{Labels, MatchOp, Matcher, METRIC_NAME};
use crate::promql::ast::{Call, Expr};
use crate::promql::engine::eval::Evaluator;
use crate::promql::engine::value::{merge_same_labels, RangeVal, StepSeries, Val};
use crate::promql::engine::EvalError;
use std::cmp::Ordering;
use std::collections::HashMap;

fn string_arg(ev: &Evaluator, c: &Call, i: usize) -> Result<String, EvalError> {
    match ev.eval(arg(c, i)?)? {
        Val::String(s) => Ok(s),
        other => Err(EvalError::invalid(format!(
            "expected type string in argument {} of {}, got {}",
            i + 1,
            c.func,
            other.type_name()
        ))),
    }
}

pub(super) fn scalar(ev: &Evaluator, c: &Call) -> Result<Val, EvalError> {
    let v = ev.eval_vector(arg(c, 0)?)?;
    scalar_of(ev, v)
}

/// [`scalar`] on its evaluated first argument (apart, so that nesting does not hold this
/// frame; see `Evaluator::eval`).
fn scalar_of(ev: &Evaluator, v: Vec<StepSeries>) -> Result<Val, EvalError> {
    let n = ev.nsteps();
    let mut out = vec![f64::NAN; n];
    let mut counts = vec![0usize; n];
    for s in &v {
        for (i, x) in s.vals.iter().enumerate() {
            if let Some(x) = x {
                counts[i] += 1;
                out[i] = *x;
            }
        }
    }
    for (o, c) in out.iter_mut().zip(counts) {
        if c != 1 {
            *o = f64::NAN;
        }
    }
    Ok(Val::Scalar(out))
}

/// The labels `absent` reports: the equality matchers of a selector argument, except the
/// name and except labels matched more than once.
fn absent_labels(e: &Expr) -> Labels {
    let matchers: &[Matcher] = match e {
        Expr::VectorSelector(vs) => &vs.matchers,
        Expr::MatrixSelector(ms) => &ms.selector.matchers,
        _ => return Labels::new(),
    };
    let mut b = Labels::new().to_builder();
    let mut has: Vec<&str> = Vec::new();
    for m in matchers {
        if m.name == METRIC_NAME {
            continue;
        }
        if m.op == MatchOp::Equal && !has.contains(&m.name.as_str()) {
            b.set(m.name.clone(), m.value.clone());
            has.push(&m.name);
        } else {
            b.del(&m.name);
        }
    }
    b.build()
}

pub(super) fn absent(ev: &Evaluator, c: &Call) -> Result<Val, EvalError> {
    let v = ev.eval_vector(arg(c, 0)?)?;
    absent_of(ev, c, v)
}

/// [`absent`] on its evaluated argument (see [`scalar_of`]).
fn absent_of(ev: &Evaluator, c: &Call, v: Vec<StepSeries>) -> Result<Val, EvalError> {
    let a = arg(c, 0)?;
    let n = ev.nsteps();
    let mut present = vec![false; n];
    for s in &v {
        for (p, x) in present.iter_mut().zip(&s.vals) {
            *p |= x.is_some();
        }
    }
    let out = StepSeries {
        labels: absent_labels(a),
        drop_name: false,
        vals: present.iter().map(|p| (!p).then_some(1.0)).collect(),
    };
    Ok(Val::Vector(if out.is_empty() { vec![] } else { vec![out] }))
}

pub(super) fn absent_over_time(ev: &Evaluator, c: &Call) -> Result<Val, EvalError> {
    let rv = ev.eval_range(arg(c, 0)?)?;
    absent_over_time_of(ev, c, rv)
}

/// [`absent_over_time`] on its evaluated argument (see [`scalar_of`]).
fn absent_over_time_of(ev: &Evaluator, c: &Call, rv: RangeVal) -> Result<Val, EvalError> {
    let a = arg(c, 0)?;
    let mut present = vec![false; ev.nsteps()];
    rv.for_each_window(|i, _, w| present[i] |= !w.is_empty());
    let out = StepSeries {
        labels: absent_labels(unwrap_parens(a)),
        drop_name: false,
        vals: present.iter().map(|p| (!p).then_some(1.0)).collect(),
    };
    Ok(Val::Vector(if out.is_empty() { vec![] } else { vec![out] }))
}

/// Series whose labels are rewritten: computes the new labels once per input series and
/// merges series that end up equal.
fn relabel(
    v: Vec<StepSeries>,
    dst: &str,
    mut f: impl FnMut(&Labels) -> Option<String>,
) -> Result<Vec<StepSeries>, EvalError> {
    let mut out = Vec::with_capacity(v.len());
    for mut s in v {
        if let Some(val) = f(&s.labels) {
            let mut b = s.labels.to_builder();
            b.set(dst, val);
            s.labels = b.build();
            if dst == METRIC_NAME {
                // A name written explicitly is kept, as in Prometheus.
                s.drop_name = false;
            }
        }
        out.push(s);
    }
    merge_same_labels(out)
}

pub(super) fn label_replace(ev: &Evaluator, c: &Call) -> Result<Val, EvalError> {
    let v = ev.eval_vector(arg(c, 0)?)?;
    label_replace_of(ev, c, v)
}

/// [`label_replace`] on its evaluated first argument (see [`scalar_of`]).
fn label_replace_of(ev: &Evaluator, c: &Call, v: Vec<StepSeries>) -> Result<Val, EvalError> {
    let dst = string_arg(ev, c, 1)?;
    let repl = string_arg(ev, c, 2)?;
    let src = string_arg(ev, c, 3)?;
    let re_s = string_arg(ev, c, 4)?;
    let re = crate::model::matcher::compile_anchored(&re_s).map_err(|e| {
        EvalError::invalid(format!(
            "invalid regular expression in label_replace(): {e}"
        ))
    })?;
    if !is_valid_label_name(&dst) {
        return Err(EvalError::invalid(format!(
            "invalid destination label name in label_replace(): {dst}"
        )));
    }
    let out = relabel(v, &dst, |l| {
        let caps = re.captures(l.get_or_empty(&src))?;
        let mut res = String::new();
        caps.expand(&repl, &mut res);
        Some(res)
    })?;
    Ok(Val::Vector(out))
}

pub(super) fn label_join(ev: &Evaluator, c: &Call) -> Result<Val, EvalError> {
    let v = ev.eval_vector(arg(c, 0)?)?;
    label_join_of(ev, c, v)
}

/// [`label_join`] on its evaluated first argument (see [`scalar_of`]).
fn label_join_of(ev: &Evaluator, c: &Call, v: Vec<StepSeries>) -> Result<Val, EvalError> {
    let dst = string_arg(ev, c, 1)?;
    let sep = string_arg(ev, c, 2)?;
    let mut srcs = Vec::new();
    for i in 3..c.args.len() {
        srcs.push(string_arg(ev, c, i)?);
    }
    if !is_valid_label_name(&dst) {
        return Err(EvalError::invalid(format!(
            "invalid destination label name in label_join(): {dst}"
        )));
    }
    let out = relabel(v, &dst, |l| {
        Some(
            srcs.iter()
                .map(|s| l.get_or_empty(s))
                .collect::<Vec<_>>()
                .join(&sep),
        )
    })?;
    Ok(Val::Vector(out))
}

/// Natural order: runs of digits compare as numbers, everything else byte-wise.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < ab.len() && j < bb.len() {
        if ab[i].is_ascii_digit() && bb[j].is_ascii_digit() {
            let si = i;
            while i < ab.len() && ab[i].is_ascii_digit() {
                i += 1;
            }
            let sj = j;
            while j < bb.len() && bb[j].is_ascii_digit() {
                j += 1;
            }
            let na = a[si..i].trim_start_matches('0');
            let nb = b[sj..j].trim_start_matches('0');
            let o = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
            if o != Ordering::Equal {
                return o;
            }
        } else {
            if ab[i] != bb[j] {
                return ab[i].cmp(&bb[j]);
            }
            i += 1;
            j += 1;
        }
    }
    (ab.len() - i).cmp(&(bb.len() - j))
}

pub(super) fn sort(ev: &Evaluator, c: &Call) -> Result<Val, EvalError> {
    let v = ev.eval_vector(arg(c, 0)?)?;
    sort_of(ev, c, v)
}

/// [`sort`] on its evaluated first argument (see [`scalar_of`]).
fn sort_of(ev: &Evaluator, c: &Call, mut v: Vec<StepSeries>) -> Result<Val, EvalError> {
    if ev.start != ev.end {
        ev.notes.warn(
            "sort is ineffective for range queries since results are always ordered by labels"
                .into(),
            c.pos,
        );
        return Ok(Val::Vector(v));
    }
    let val = |s: &StepSeries| s.vals[0].unwrap_or(f64::NAN);
    match c.func.as_str() {
        "sort" | "sort_desc" => {
            let desc = c.func == "sort_desc";
            v.sort_by(|a, b| {
                let (x, y) = (val(a), val(b));
                match (x.is_nan(), y.is_nan()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    _ => {
                        let o = x.partial_cmp(&y).unwrap_or(Ordering::Equal);
                        if desc {
                            o.reverse()
                        } else {
                            o
                        }
                    }
                }
            });
        }
        _ => {
            let desc = c.func == "sort_by_label_desc";
            let mut names = Vec::new();
            for i in 1..c.args.len() {
                names.push(string_arg(ev, c, i)?);
            }
            // Keyed once per series so the comparison does not look labels up repeatedly.
            let mut keyed: HashMap<usize, Vec<String>> = HashMap::new();
            for (i, s) in v.iter().enumerate() {
                keyed.insert(
                    i,
                    names
                        .iter()
                        .map(|n| s.labels.get_or_empty(n).to_string())
                        .collect(),
                );
            }
            let mut idx: Vec<usize> = (0..v.len()).collect();
            idx.sort_by(|&a, &b| {
                let o = keyed[&a]
                    .iter()
                    .zip(&keyed[&b])
                    .map(|(x, y)| natural_cmp(x, y))
                    .find(|o| *o != Ordering::Equal)
                    .unwrap_or_else(|| v[a].labels.cmp(&v[b].labels));
                if desc {
                    o.reverse()
                } else {
                    o
                }
            });
            let mut slots: Vec<Option<StepSeries>> = v.into_iter().map(Some).collect();
            v = idx.into_iter().filter_map(|i| slots[i].take()).collect();
        }
    }
    Ok(Val::Vector(v))
}
