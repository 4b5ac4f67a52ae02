//! Binary operators: arithmetic, comparisons (with and without `bool`), `atan2`, and the set
//! operators `and`/`or`/`unless`, between scalars and vectors, with vector matching
//! (`on`/`ignoring`, `group_left`/`group_right`) and the experimental fill modifiers
//! (`fill(v)`, `fill_left(v)`, `fill_right(v)`), which stand in for a missing partner.
//!
//! Matching signatures are computed once per series and interned to small integers; the
//! per-step loops then use arrays stamped with the step number instead of hash maps that
//! would have to be cleared and refilled at every step. Result label sets are built once per
//! matched pair of series.

use super::errors::DuplicateSeries;
use super::eval::Evaluator;
use super::value::{merge_same_labels, StepSeries, Val};
use super::EvalError;
use crate::model::{Labels, METRIC_NAME};
use crate::promql::ast::{BinOp, BinaryExpr, Cardinality, VectorMatching};
use std::collections::HashMap;

/// Applies `op` to two floats: the result and whether a comparison holds (always true for
/// arithmetic). For comparisons the value is the left-hand one, as in Prometheus.
pub(crate) fn apply(op: BinOp, l: f64, r: f64) -> (f64, bool) {
    match op {
        BinOp::Add => (l + r, true),
        BinOp::Sub => (l - r, true),
        BinOp::Mul => (l * r, true),
        BinOp::Div => (l / r, true),
        // Rust's `%` on floats is C's fmod, like Go's math.Mod.
        BinOp::Mod => (l % r, true),
        BinOp::Pow => (l.powf(r), true),
        BinOp::Atan2 => (l.atan2(r), true),
        BinOp::Eql => (l, l == r),
        BinOp::Neq => (l, l != r),
        BinOp::Gtr => (l, l > r),
        BinOp::Lss => (l, l < r),
        BinOp::Gte => (l, l >= r),
        BinOp::Lte => (l, l <= r),
        BinOp::And | BinOp::Or | BinOp::Unless => (l, true),
    }
}

/// [`apply`] with LogQL's division rule when `nan_div` is set: `x / 0` and `x % 0` give NaN
/// where PromQL gives the IEEE result.
fn apply_with(op: BinOp, l: f64, r: f64, nan_div: bool) -> (f64, bool) {
    if nan_div && r == 0.0 && matches!(op, BinOp::Div | BinOp::Mod) {
        return (f64::NAN, true);
    }
    apply(op, l, r)
}

/// Interns label sets to dense ids.
#[derive(Default)]
struct Interner {
    ids: HashMap<Labels, u32>,
    keys: Vec<Labels>,
}

impl Interner {
    fn id(&mut self, l: Labels) -> u32 {
        if let Some(&i) = self.ids.get(&l) {
            return i;
        }
        let i = self.keys.len() as u32;
        self.keys.push(l.clone());
        self.ids.insert(l, i);
        i
    }
}

/// The labels two series are matched on.
fn signature(l: &Labels, m: &VectorMatching) -> Labels {
    if m.on {
        l.keep_only(&m.labels)
    } else {
        Labels::from_sorted_unchecked(
            l.pairs()
                .iter()
                .filter(|(k, _)| k != METRIC_NAME && !m.labels.iter().any(|n| n == k))
                .cloned()
                .collect(),
        )
    }
}

impl Evaluator<'_> {
    /// A chain of binary operators, in a loop along its left side rather than by recursion
    /// (chains are as long as the query; see `promql/chain.rs`): the first operand, then
    /// each operator with its right-hand side, deepest first.
    pub fn eval_binary(&self, b: &BinaryExpr) -> Result<Val, EvalError> {
        let (spine, first) = b.left_spine();
        let mut acc = self.eval(first)?;
        for node in spine.into_iter().rev() {
            acc = self.binary_step(node, acc)?;
        }
        Ok(acc)
    }

    /// Evaluates the right-hand side of `b` and applies its operator.
    fn binary_step(&self, b: &BinaryExpr, lhs: Val) -> Result<Val, EvalError> {
        let rhs = self.eval(&b.rhs)?;
        self.apply_binary(b, lhs, rhs)
    }

    /// One operator of `b` applied to its evaluated operands.
    fn apply_binary(&self, b: &BinaryExpr, lhs: Val, rhs: Val) -> Result<Val, EvalError> {
        let op = b.op;
        match (lhs, rhs) {
            (Val::Scalar(mut l), Val::Scalar(r)) => {
                for (x, y) in l.iter_mut().zip(r) {
                    let (v, keep) = apply_with(op, *x, y, self.engine.nan_on_zero_division);
                    *x = if op.is_comparison() {
                        if keep {
                            1.0
                        } else {
                            0.0
                        }
                    } else {
                        v
                    };
                }
                Ok(Val::Scalar(l))
            }
            (Val::Vector(l), Val::Scalar(r)) if !op.is_set() => Ok(Val::Vector(vector_scalar(
                op,
                l,
                &r,
                false,
                b.return_bool,
                self.engine.nan_on_zero_division,
            ))),
            (Val::Scalar(l), Val::Vector(r)) if !op.is_set() => Ok(Val::Vector(vector_scalar(
                op,
                r,
                &l,
                true,
                b.return_bool,
                self.engine.nan_on_zero_division,
            ))),
            (Val::Vector(l), Val::Vector(r)) => {
                let default = VectorMatching {
                    card: if op.is_set() {
                        Cardinality::ManyToMany
                    } else {
                        Cardinality::OneToOne
                    },
                    on: false,
                    labels: vec![],
                    include: vec![],
                    fill_lhs: None,
                    fill_rhs: None,
                };
                let m = b.matching.as_ref().unwrap_or(&default);
                let n = self.nsteps();
                match op {
                    BinOp::And | BinOp::Unless => Ok(Val::Vector(and_unless(op, l, &r, m, n))),
                    BinOp::Or => Ok(Val::Vector(or(l, r, m, n)?)),
                    _ => Ok(Val::Vector(vector_vector(
                        op,
                        l,
                        r,
                        m,
                        b.return_bool,
                        n,
                        self.engine.nan_on_zero_division,
                    )?)),
                }
            }
            (l, r) => Err(EvalError::invalid(format!(
                "binary expression must contain only scalar and instant vector types, got {} {} {}",
                l.type_name(),
                op.as_str(),
                r.type_name()
            ))),
        }
    }
}

fn vector_scalar(
    op: BinOp,
    mut vs: Vec<StepSeries>,
    sc: &[f64],
    swap: bool,
    return_bool: bool,
    nan_div: bool,
) -> Vec<StepSeries> {
    let cmp = op.is_comparison();
    for s in &mut vs {
        s.drop_name |= !cmp || return_bool;
        for (v, &x) in s.vals.iter_mut().zip(sc) {
            let Some(e) = *v else { continue };
            let (lf, rf) = if swap { (x, e) } else { (e, x) };
            let (mut val, mut keep) = apply_with(op, lf, rf, nan_div);
            // A comparison keeps the vector element's value even when the scalar is on the
            // left.
            if cmp && swap {
                val = rf;
            }
            if return_bool {
                val = if keep { 1.0 } else { 0.0 };
                keep = true;
            }
            *v = if keep { Some(val) } else { None };
        }
    }
    vs.retain(|s| !s.is_empty());
    vs
}

/// Signature ids for both sides, from one interner so equal signatures get equal ids.
fn signatures(
    l: &[StepSeries],
    r: &[StepSeries],
    m: &VectorMatching,
) -> (Vec<u32>, Vec<u32>, Interner) {
    let mut int = Interner::default();
    let ls = l.iter().map(|s| int.id(signature(&s.labels, m))).collect();
    let rs = r.iter().map(|s| int.id(signature(&s.labels, m))).collect();
    (ls, rs, int)
}

fn and_unless(
    op: BinOp,
    mut l: Vec<StepSeries>,
    r: &[StepSeries],
    m: &VectorMatching,
    n: usize,
) -> Vec<StepSeries> {
    let (lsig, rsig, int) = signatures(&l, r, m);
    let mut stamp = vec![usize::MAX; int.keys.len()];
    for i in 0..n {
        for (ri, s) in r.iter().enumerate() {
            if s.vals[i].is_some() {
                stamp[rsig[ri] as usize] = i;
            }
        }
        for (li, s) in l.iter_mut().enumerate() {
            let present = stamp[lsig[li] as usize] == i;
            if present != (op == BinOp::And) {
                s.vals[i] = None;
            }
        }
    }
    l.retain(|s| !s.is_empty());
    l
}

fn or(
    l: Vec<StepSeries>,
    mut r: Vec<StepSeries>,
    m: &VectorMatching,
    n: usize,
) -> Result<Vec<StepSeries>, EvalError> {
    let (lsig, rsig, int) = signatures(&l, &r, m);
    let mut stamp = vec![usize::MAX; int.keys.len()];
    for i in 0..n {
        for (li, s) in l.iter().enumerate() {
            if s.vals[i].is_some() {
                stamp[lsig[li] as usize] = i;
            }
        }
        for (ri, s) in r.iter_mut().enumerate() {
            if stamp[rsig[ri] as usize] == i {
                s.vals[i] = None;
            }
        }
    }
    let mut out = l;
    out.extend(r);
    merge_same_labels(out)
}

/// Marks a pair whose "one" side was filled in, in the per-series pair caches (distinct from
/// the `usize::MAX` "no pair yet").
const FILLED: usize = usize::MAX - 1;

/// Arithmetic and comparisons between two vectors (one-to-one, many-to-one, one-to-many).
/// With fill modifiers, a missing partner takes the fill value: `fill_lhs` stands in for the
/// "many" side (the left one unless `group_right` swapped them, as Prometheus does) and
/// `fill_rhs` for the "one" side.
fn vector_vector(
    op: BinOp,
    lhs: Vec<StepSeries>,
    rhs: Vec<StepSeries>,
    m: &VectorMatching,
    return_bool: bool,
    n: usize,
    nan_div: bool,
) -> Result<Vec<StepSeries>, EvalError> {
    // For one-to-many, swap sides so that `many` is always the side whose series are kept
    // and `one` the side that must be unique per signature; values are swapped back below.
    let swapped = m.card == Cardinality::OneToMany;
    let (many, one) = if swapped { (rhs, lhs) } else { (lhs, rhs) };
    let (msig, osig, int) = signatures(&many, &one, m);
    let nsig = int.keys.len();
    let mut one_at: Vec<(usize, usize)> = vec![(usize::MAX, 0); nsig];
    let mut matched: Vec<usize> = vec![usize::MAX; nsig];
    let mut out: Vec<StepSeries> = Vec::new();
    // Which signature wrote each output series at the current step.
    let mut writer: Vec<u32> = Vec::new();
    let mut pair_out: HashMap<(usize, usize), usize> = HashMap::new();
    // The pair a "many" series matched last, and its output: series usually match the same
    // partner at every step, so this skips the hash lookup almost always.
    let mut last_pair: Vec<(usize, usize)> = vec![(usize::MAX, 0); many.len()];
    let mut out_ids: HashMap<Labels, usize> = HashMap::new();
    let cmp = op.is_comparison();
    let (fill_many, fill_one) = (m.fill_lhs, m.fill_rhs);
    // The step at which some "many" series had a sample, per signature.
    let mut many_seen: Vec<usize> = vec![usize::MAX; nsig];
    // The output series of each "one" series whose "many" partner was filled in.
    let mut fill_out: Vec<usize> = vec![usize::MAX; one.len()];
    for i in 0..n {
        for (oi, s) in one.iter().enumerate() {
            if s.vals[i].is_none() {
                continue;
            }
            let sg = osig[oi] as usize;
            if one_at[sg].0 == i {
                let prev = &one[one_at[sg].1];
                let (a, b) = if prev.labels <= s.labels {
                    (&prev.labels, &s.labels)
                } else {
                    (&s.labels, &prev.labels)
                };
                return Err(EvalError::ManyToMany(Box::new(DuplicateSeries {
                    group: go_labels(&int.keys[sg]),
                    side: if swapped { "left" } else { "right" },
                    a: go_labels(a),
                    b: go_labels(b),
                })));
            }
            one_at[sg] = (i, oi);
        }
        for (mi, s) in many.iter().enumerate() {
            let Some(mv) = s.vals[i] else { continue };
            let sg = msig[mi] as usize;
            many_seen[sg] = i;
            let (st, oi) = one_at[sg];
            let (ov, oi) = match (st == i).then(|| one[oi].vals[i]).flatten() {
                Some(ov) => (ov, oi),
                None => match fill_one {
                    Some(f) => (f, FILLED),
                    None => continue,
                },
            };
            let (fl, fr) = if swapped { (ov, mv) } else { (mv, ov) };
            // Checked before a comparison filters the pair out, so the error does not depend
            // on the values (Prometheus does the same).
            if m.card == Cardinality::OneToOne && oi != FILLED {
                if matched[sg] == i {
                    return Err(EvalError::ManyToOneImplicit);
                }
                matched[sg] = i;
            }
            let (mut val, keep) = apply_with(op, fl, fr, nan_div);
            if return_bool {
                val = if keep { 1.0 } else { 0.0 };
            } else if !keep {
                continue;
            }
            let idx = if last_pair[mi].0 == oi {
                last_pair[mi].1
            } else {
                match pair_out.get(&(mi, oi)) {
                    Some(&x) => x,
                    None => {
                        let none = Labels::default();
                        let one_labels = one.get(oi).map_or(&none, |o| &o.labels);
                        let labels = result_labels(&s.labels, one_labels, m);
                        let drop = s.drop_name || !cmp || return_bool;
                        let x = *out_ids.entry(labels.clone()).or_insert_with(|| {
                            out.push(StepSeries::new(labels, drop, n));
                            writer.push(u32::MAX);
                            out.len() - 1
                        });
                        pair_out.insert((mi, oi), x);
                        x
                    }
                }
            };
            if out[idx].vals[i].is_some() {
                return Err(if writer[idx] as usize == sg {
                    EvalError::GroupingNotUnique
                } else {
                    EvalError::DuplicateLabelset
                });
            }
            last_pair[mi] = (oi, idx);
            out[idx].vals[i] = Some(val);
            writer[idx] = sg as u32;
        }
        if let Some(f) = fill_many {
            // "one" series without any "many" partner at this step: one result each, labelled
            // with the match group's labels.
            for (oi, s) in one.iter().enumerate() {
                let Some(ov) = s.vals[i] else { continue };
                let sg = osig[oi] as usize;
                if many_seen[sg] == i {
                    continue;
                }
                let (fl, fr) = if swapped { (ov, f) } else { (f, ov) };
                let (mut val, keep) = apply_with(op, fl, fr, nan_div);
                if return_bool {
                    val = if keep { 1.0 } else { 0.0 };
                } else if !keep {
                    continue;
                }
                if fill_out[oi] == usize::MAX {
                    let labels = int.keys[sg].clone();
                    fill_out[oi] = *out_ids.entry(labels.clone()).or_insert_with(|| {
                        out.push(StepSeries::new(labels, true, n));
                        writer.push(u32::MAX);
                        out.len() - 1
                    });
                }
                let idx = fill_out[oi];
                if out[idx].vals[i].is_some() {
                    return Err(EvalError::DuplicateLabelset);
                }
                out[idx].vals[i] = Some(val);
                writer[idx] = sg as u32;
            }
        }
    }
    out.retain(|s| !s.is_empty());
    Ok(out)
}

/// A label set as Go's `labels.Labels.String()` prints it: `{__name__="m", a="b"}`.
fn go_labels(l: &Labels) -> String {
    let inner: Vec<String> = l
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", crate::model::labels::escape_label_value(v)))
        .collect();
    format!("{{{}}}", inner.join(", "))
}

/// The labels of a result sample: the "many" side's labels, reduced to the matching labels
/// for one-to-one `on`, without the ignored ones for one-to-one `ignoring`, plus the
/// `group_x(...)` labels copied from the "one" side.
fn result_labels(many: &Labels, one: &Labels, m: &VectorMatching) -> Labels {
    let mut b = if m.card == Cardinality::OneToOne {
        if m.on {
            many.keep_only(&m.labels).to_builder()
        } else {
            many.drop_names(&m.labels).to_builder()
        }
    } else {
        many.to_builder()
    };
    for ln in &m.include {
        match one.get(ln) {
            Some(v) => b.set(ln.clone(), v.to_string()),
            None => b.del(ln),
        };
    }
    b.build()
}
