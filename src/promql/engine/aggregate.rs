//! Aggregation operators (`sum`, `avg`, `count`, `min`, `max`, `group`, `stddev`, `stdvar`,
//! `quantile`, `topk`, `bottomk`, `limitk`, `limit_ratio`, `count_values`) with `by` and
//! `without`.
//!
//! Each input series is assigned to its group once (its group label set is built and
//! interned once); the per-step work then only indexes accumulators. Accumulation order per
//! group and step is the input order, and the arithmetic is Prometheus' own (Kahan-compensated
//! sums, a direct mean that falls back to an incremental one when the sum would overflow,
//! Welford's variance), so results agree to the last bits in ordinary cases.

use super::eval::Evaluator;
use super::functions::quantile;
use super::value::{StepSeries, Val};
use super::EvalError;
use crate::model::labels::is_valid_label_name;
use crate::model::{Labels, METRIC_NAME};
use crate::promql::ast::{AggOp, AggregateExpr};
use std::collections::HashMap;

/// Kahan-Neumaier compensated addition: adds `inc` to `sum` with running compensation `c`.
/// Kept out of line, as Prometheus does, so the compiler cannot reassociate the float ops.
#[inline(never)]
pub(crate) fn kahan_inc(inc: f64, sum: f64, c: f64) -> (f64, f64) {
    let t = sum + inc;
    let c = if t.is_infinite() {
        0.0
    } else if sum.abs() >= inc.abs() {
        c + ((sum - t) + inc)
    } else {
        c + ((inc - t) + sum)
    };
    (t, c)
}

#[derive(Clone, Copy, Default)]
struct Acc {
    seen: bool,
    value: f64,
    mean: f64,
    c: f64,
    count: f64,
    incremental: bool,
}

impl Acc {
    fn first(op: AggOp, f: f64) -> Acc {
        let mut a = Acc {
            seen: true,
            value: f,
            mean: f,
            c: 0.0,
            count: 1.0,
            incremental: false,
        };
        match op {
            AggOp::Stddev | AggOp::Stdvar => {
                a.value = if f.is_nan() || f.is_infinite() {
                    f64::NAN
                } else {
                    0.0
                };
            }
            AggOp::Group => a.value = 1.0,
            _ => {}
        }
        a
    }

    fn add(&mut self, op: AggOp, f: f64) {
        match op {
            AggOp::Sum => (self.value, self.c) = kahan_inc(f, self.value, self.c),
            AggOp::Avg => {
                self.count += 1.0;
                if !self.incremental {
                    let (nv, nc) = kahan_inc(f, self.value, self.c);
                    if !nv.is_infinite() {
                        self.value = nv;
                        self.c = nc;
                        return;
                    }
                    // The sum would overflow: continue with an incremental mean.
                    self.incremental = true;
                    self.mean = self.value / (self.count - 1.0);
                    self.c /= self.count - 1.0;
                }
                let q = (self.count - 1.0) / self.count;
                (self.mean, self.c) = kahan_inc(f / self.count, q * self.mean, q * self.c);
            }
            AggOp::Count => self.count += 1.0,
            AggOp::Min if self.value > f || self.value.is_nan() => self.value = f,
            AggOp::Max if self.value < f || self.value.is_nan() => self.value = f,
            AggOp::Stddev | AggOp::Stdvar => {
                self.count += 1.0;
                let delta = f - self.mean;
                self.mean += delta / self.count;
                self.value += delta * (f - self.mean);
            }
            _ => {}
        }
    }

    fn finish(&self, op: AggOp) -> f64 {
        match op {
            AggOp::Sum => self.value + self.c,
            AggOp::Avg => {
                if self.incremental {
                    self.mean + self.c
                } else {
                    self.value / self.count + self.c / self.count
                }
            }
            AggOp::Count => self.count,
            AggOp::Stdvar => self.value / self.count,
            AggOp::Stddev => (self.value / self.count).sqrt(),
            _ => self.value,
        }
    }
}

/// Go's `strconv.FormatFloat(f, 'f', -1, 64)`, used for `count_values` labels.
pub(crate) fn format_go_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f == f64::INFINITY {
        "+Inf".into()
    } else if f == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{f}")
    }
}

impl Evaluator<'_> {
    /// Kept to evaluating the parameter and the input (see `Evaluator::eval`); the rest is
    /// in `aggregate_whole`.
    pub fn eval_aggregate(&self, a: &AggregateExpr) -> Result<Val, EvalError> {
        let param = self.aggregation_param(a)?;
        if let (Param::None, Some(op)) = (&param, SimpleOp::of(a.op)) {
            return self.stream_simple_agg(a, op).map(Val::Vector);
        }
        let input = self.eval_vector(&a.expr)?;
        self.aggregate_whole(a, param, input)
    }

    fn aggregation_param(&self, a: &AggregateExpr) -> Result<Param, EvalError> {
        Ok(match (&a.param, a.op) {
            (Some(p), AggOp::CountValues) => match self.eval(p)? {
                Val::String(s) => Param::Str(s),
                other => {
                    return Err(EvalError::invalid(format!(
                        "expected type string in aggregation parameter, got {}",
                        other.type_name()
                    )))
                }
            },
            (Some(p), _) => Param::Num(self.eval_scalar(p)?),
            (None, _) => Param::None,
        })
    }

    /// The aggregations that need their whole input at once.
    fn aggregate_whole(
        &self,
        a: &AggregateExpr,
        param: Param,
        input: Vec<StepSeries>,
    ) -> Result<Val, EvalError> {
        let n = self.nsteps();
        let mut groups = Groups::default();
        let gid: Vec<usize> = input.iter().map(|s| groups.assign(a, s)).collect();
        let Groups {
            ids,
            keys,
            drop: gdrop,
        } = groups;
        let mut out = match (a.op, param) {
            (AggOp::Quantile, Param::Num(q)) => {
                if let Some(p) = &a.param {
                    let pos = super::functions::expr_pos(
                        p,
                        super::functions::expr_pos(&a.expr, Default::default()),
                    );
                    super::functions::warn_quantiles(self, &q, pos);
                }
                quantile_agg(&input, &gid, keys, &q, n)
            }
            (AggOp::Topk | AggOp::Bottomk | AggOp::Limitk | AggOp::LimitRatio, Param::Num(p)) => {
                select_agg(a.op, input, &gid, keys.len(), &p, n)?
            }
            (AggOp::CountValues, Param::Str(label)) => {
                let mut out = count_values(&input, &gid, &keys, &label, n)?;
                for (s, g) in out.iter_mut() {
                    s.drop_name = gdrop[*g];
                }
                out.into_iter().map(|(s, _)| s).collect()
            }
            (op, _) => {
                return Err(EvalError::invalid(format!(
                    "invalid parameter for aggregation {}",
                    op.as_str()
                )))
            }
        };
        if !matches!(
            a.op,
            AggOp::Topk | AggOp::Bottomk | AggOp::Limitk | AggOp::LimitRatio | AggOp::CountValues
        ) {
            for s in &mut out {
                if let Some(&g) = ids.get(&s.labels) {
                    s.drop_name = gdrop[g];
                }
            }
        }
        Ok(Val::Vector(out))
    }
}

enum Param {
    None,
    Num(Vec<f64>),
    Str(String),
}

/// The aggregations that fold each input value into a per-group accumulator, which lets
/// them consume their input batch by batch.
#[derive(Clone, Copy)]
struct SimpleOp(AggOp);

impl SimpleOp {
    fn of(op: AggOp) -> Option<SimpleOp> {
        use AggOp::*;
        matches!(op, Sum | Avg | Count | Min | Max | Group | Stddev | Stdvar)
            .then_some(SimpleOp(op))
    }
}

/// The groups of an aggregation: each input series' group label set is built once and
/// interned; groups are numbered in order of first appearance.
#[derive(Default)]
struct Groups {
    ids: HashMap<Labels, usize>,
    keys: Vec<Labels>,
    /// A group keeps a metric name only under `by (__name__)`; it is then marked for
    /// removal when any member's is (delayed name removal, as Prometheus does).
    drop: Vec<bool>,
}

impl Groups {
    fn assign(&mut self, a: &AggregateExpr, s: &StepSeries) -> usize {
        let k = if a.without {
            Labels::from_sorted_unchecked(
                s.labels
                    .pairs()
                    .iter()
                    .filter(|(k, _)| k != METRIC_NAME && !a.grouping.contains(k))
                    .cloned()
                    .collect(),
            )
        } else {
            s.labels.keep_only(&a.grouping)
        };
        let g = *self.ids.entry(k.clone()).or_insert_with(|| {
            self.keys.push(k);
            self.drop.push(false);
            self.keys.len() - 1
        });
        self.drop[g] |= s.drop_name;
        g
    }
}

impl Evaluator<'_> {
    /// `sum`, `avg`, `count`, ... folding the input as it streams in: the input series are
    /// never all held at once, only one accumulator per group and step. Accumulation order
    /// is the input order, as when the input is evaluated whole.
    fn stream_simple_agg(
        &self,
        a: &AggregateExpr,
        op: SimpleOp,
    ) -> Result<Vec<StepSeries>, EvalError> {
        let n = self.nsteps();
        let op = op.0;
        let mut groups = Groups::default();
        let mut accs: Vec<Acc> = Vec::new();
        self.stream_vector(&a.expr, &mut |batch| {
            for s in batch {
                let g = groups.assign(a, &s);
                if accs.len() < (g + 1) * n {
                    accs.resize((g + 1) * n, Acc::default());
                }
                for (acc, v) in accs[g * n..(g + 1) * n].iter_mut().zip(&s.vals) {
                    let Some(f) = *v else { continue };
                    if acc.seen {
                        acc.add(op, f);
                    } else {
                        *acc = Acc::first(op, f);
                    }
                }
            }
            Ok(())
        })?;
        Ok(finish_groups(groups, accs, op, n))
    }
}

/// The result of a streamed aggregation: a series per group with its accumulated values.
fn finish_groups(groups: Groups, accs: Vec<Acc>, op: AggOp, n: usize) -> Vec<StepSeries> {
    let drop = groups.drop;
    groups
        .keys
        .into_iter()
        .enumerate()
        .map(|(g, labels)| {
            let row = &accs[g * n..(g + 1) * n];
            StepSeries {
                labels,
                drop_name: drop[g],
                vals: row.iter().map(|a| a.seen.then(|| a.finish(op))).collect(),
            }
        })
        .filter(|s| !s.is_empty())
        .collect()
}

fn quantile_agg(
    input: &[StepSeries],
    gid: &[usize],
    keys: Vec<Labels>,
    q: &[f64],
    n: usize,
) -> Vec<StepSeries> {
    let mut out: Vec<StepSeries> = keys
        .into_iter()
        .map(|l| StepSeries::new(l, false, n))
        .collect();
    let mut bufs: Vec<Vec<f64>> = vec![Vec::new(); out.len()];
    for (i, &qi) in q.iter().enumerate().take(n) {
        for (s, &g) in input.iter().zip(gid) {
            if let Some(v) = s.vals[i] {
                bufs[g].push(v);
            }
        }
        for (g, b) in bufs.iter_mut().enumerate() {
            if !b.is_empty() {
                out[g].vals[i] = Some(quantile(qi, b));
                b.clear();
            }
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// Orders values for topk (descending) or bottomk (ascending), NaN always last.
fn rank_cmp(top: bool, a: f64, b: f64) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Equal,
        (true, false) => Greater,
        (false, true) => Less,
        _ => {
            let o = a.partial_cmp(&b).unwrap_or(Equal);
            if top {
                o.reverse()
            } else {
                o
            }
        }
    }
}

/// Prometheus' hash of a label set mapped to [0, 1), deciding which series `limit_ratio`
/// keeps (the same ones Prometheus keeps).
fn ratio_offset(l: &Labels) -> f64 {
    super::hash::prometheus_labels_hash(l) as f64 / u64::MAX as f64
}

/// topk, bottomk, limitk and limit_ratio: each step keeps some input series unchanged.
fn select_agg(
    op: AggOp,
    input: Vec<StepSeries>,
    gid: &[usize],
    ngroups: usize,
    p: &[f64],
    n: usize,
) -> Result<Vec<StepSeries>, EvalError> {
    let mut keep: Vec<Vec<Option<f64>>> = vec![vec![None; n]; input.len()];
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); ngroups];
    // Output order for a single step (instant queries show it): groups by first appearance,
    // members in rank order.
    let mut order: Vec<usize> = Vec::new();
    let offsets: Vec<f64> = if op == AggOp::LimitRatio {
        input.iter().map(|s| ratio_offset(&s.labels)).collect()
    } else {
        Vec::new()
    };
    for i in 0..n {
        let f = p[i];
        let k: usize = match op {
            AggOp::LimitRatio => {
                if f.is_nan() {
                    return Err(EvalError::invalid("Ratio value is NaN"));
                }
                0
            }
            _ => {
                if f.is_nan() {
                    return Err(EvalError::invalid("Parameter value is NaN"));
                }
                if f > i64::MAX as f64 || f < i64::MIN as f64 {
                    return Err(EvalError::invalid(format!(
                        "Scalar value {} overflows int64",
                        format_go_float(f)
                    )));
                }
                let k = f as i64;
                if k < 1 {
                    continue;
                }
                k as usize
            }
        };
        for m in members.iter_mut() {
            m.clear();
        }
        for (si, s) in input.iter().enumerate() {
            if s.vals[i].is_some() {
                members[gid[si]].push(si);
            }
        }
        let mut seen_groups: Vec<usize> = Vec::new();
        if n == 1 {
            for &g in gid {
                if !members[g].is_empty() && !seen_groups.contains(&g) {
                    seen_groups.push(g);
                }
            }
        }
        for m in members.iter_mut() {
            let val = |si: usize| input[si].vals[i].unwrap_or(f64::NAN);
            match op {
                AggOp::Topk | AggOp::Bottomk => {
                    let top = op == AggOp::Topk;
                    m.sort_by(|&a, &b| rank_cmp(top, val(a), val(b)));
                    m.truncate(k);
                }
                AggOp::Limitk => m.truncate(k),
                _ => {
                    let r = f.clamp(-1.0, 1.0);
                    m.retain(|&si| {
                        let o = offsets[si];
                        (r >= 0.0 && o < r) || (r < 0.0 && o >= 1.0 + r)
                    });
                }
            }
            for &si in m.iter() {
                keep[si][i] = input[si].vals[i];
            }
        }
        if n == 1 {
            for g in seen_groups {
                order.extend(members[g].iter().copied());
            }
        }
    }
    let mut input: Vec<Option<StepSeries>> = input.into_iter().map(Some).collect();
    let mut out = Vec::new();
    let mut push = |si: usize, input: &mut Vec<Option<StepSeries>>| {
        if let Some(mut s) = input[si].take() {
            s.vals = std::mem::take(&mut keep[si]);
            if !s.is_empty() {
                out.push(s);
            }
        }
    };
    if n == 1 {
        for si in order {
            push(si, &mut input);
        }
    } else {
        for si in 0..input.len() {
            push(si, &mut input);
        }
    }
    Ok(out)
}

fn count_values(
    input: &[StepSeries],
    gid: &[usize],
    keys: &[Labels],
    label: &str,
    n: usize,
) -> Result<Vec<(StepSeries, usize)>, EvalError> {
    if !is_valid_label_name(label) {
        return Err(EvalError::invalid(format!("invalid label name {label:?}")));
    }
    let mut ids: HashMap<(usize, String), usize> = HashMap::new();
    let mut out: Vec<(StepSeries, usize)> = Vec::new();
    for i in 0..n {
        for (s, &g) in input.iter().zip(gid) {
            let Some(v) = s.vals[i] else { continue };
            let key = (g, format_go_float(v));
            let idx = match ids.get(&key) {
                Some(&x) => x,
                None => {
                    let mut b = keys[g].to_builder();
                    b.set(label, key.1.clone());
                    out.push((StepSeries::new(b.build(), false, n), g));
                    ids.insert(key, out.len() - 1);
                    out.len() - 1
                }
            };
            let slot = &mut out[idx].0.vals[i];
            *slot = Some(slot.unwrap_or(0.0) + 1.0);
        }
    }
    Ok(out)
}
