//! `info(v, [data-label selector])`: adds the data labels of info metrics (`target_info` by
//! default) to the series of `v` that share their identifying labels (`instance`, `job`), as
//! Prometheus' experimental `info` function does.
//!
//! Info series are selected once for the whole query with matchers built from the identifying
//! label values seen in `v`, then looked up per step by an interned signature (info metric
//! name, instance, job). Output label sets are built once per combination of base series and
//! chosen info series.

use super::arg;
use crate::model::{is_stale_nan, Labels, MatchOp, Matcher, METRIC_NAME};
use crate::promql::ast::{AtModifier, Call, Expr};
use crate::promql::engine::eval::Evaluator;
use crate::promql::engine::value::{StepSeries, Val};
use crate::promql::engine::EvalError;
use std::collections::{BTreeSet, HashMap};

const IDENTIFYING: [&str; 2] = ["instance", "job"];

fn matches_all(ms: &[&Matcher], v: &str) -> bool {
    ms.iter().all(|m| m.matches(v))
}

pub(super) fn info(ev: &Evaluator, c: &Call) -> Result<Val, EvalError> {
    let base = ev.eval_vector(arg(c, 0)?)?;
    info_of(ev, c, base)
}

/// [`info`] on its evaluated base vector, apart so that nested calls do not hold this frame
/// (see `Evaluator::eval`).
fn info_of(ev: &Evaluator, c: &Call, base: Vec<StepSeries>) -> Result<Val, EvalError> {
    let n = ev.nsteps();
    let selector: Vec<Matcher> = match c.args.get(1) {
        Some(Expr::VectorSelector(vs)) => vs.matchers.clone(),
        Some(_) => {
            return Err(EvalError::invalid(
                "expected label selector as second argument to info",
            ))
        }
        None => Vec::new(),
    };
    let default_name = Matcher::equal(METRIC_NAME, "target_info");
    // Only negative name matchers (`__name__!="target_info"`) still mean "info metrics":
    // they narrow `.+_info` rather than select every other metric.
    let any_info = Matcher::new(METRIC_NAME, MatchOp::RegexMatch, ".+_info")
        .map_err(|e| EvalError::invalid(e.to_string()))?;
    let mut selector = selector;
    let names_given = selector.iter().any(|m| m.name == METRIC_NAME);
    let positive = selector
        .iter()
        .any(|m| m.name == METRIC_NAME && matches!(m.op, MatchOp::Equal | MatchOp::RegexMatch));
    if names_given && !positive {
        selector.push(any_info);
    }
    let name_matchers: Vec<&Matcher> = if c.args.len() > 1 {
        selector.iter().filter(|m| m.name == METRIC_NAME).collect()
    } else {
        vec![&default_name]
    };
    // Data label matchers by label name (the name matchers only choose info metrics).
    let data: Vec<&Matcher> = selector.iter().filter(|m| m.name != METRIC_NAME).collect();

    // Info series themselves are passed through without enrichment.
    let ignored: Vec<bool> = base
        .iter()
        .map(|s| {
            !name_matchers.is_empty()
                && matches_all(&name_matchers, s.labels.get_or_empty(METRIC_NAME))
        })
        .collect();

    let mut id_values: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); IDENTIFYING.len()];
    for (s, _) in base.iter().zip(&ignored).filter(|(_, ig)| !**ig) {
        for (k, l) in IDENTIFYING.iter().enumerate() {
            if let Some(v) = s.labels.get(l) {
                id_values[k].insert(v);
            }
        }
    }
    let info_series = if id_values.iter().all(BTreeSet::is_empty) {
        Vec::new()
    } else {
        let mut matchers: Vec<Matcher> = Vec::new();
        for (k, vals) in id_values.iter().enumerate() {
            if vals.is_empty() {
                continue;
            }
            let re: Vec<String> = vals.iter().map(|v| regex::escape(v)).collect();
            let m = Matcher::new(IDENTIFYING[k], MatchOp::RegexMatch, re.join("|"))
                .map_err(|e| EvalError::invalid(e.to_string()))?;
            matchers.push(m);
        }
        matchers.extend(selector.iter().cloned());
        if !selector.iter().any(|m| m.name == METRIC_NAME) {
            matchers.insert(0, default_name.clone());
        }
        select_info(ev, arg(c, 0)?, &matchers)?
    };

    // Signatures: (info metric name, identifying labels) interned to ids.
    let mut sig_ids: HashMap<Labels, usize> = HashMap::new();
    let sig_of = |name: &str, l: &Labels, ids: &mut HashMap<Labels, usize>| -> usize {
        let mut b = l.keep_only(&IDENTIFYING.map(String::from)).to_builder();
        b.set(METRIC_NAME, name);
        let key = b.build();
        let next = ids.len();
        *ids.entry(key).or_insert(next)
    };
    let info_names: BTreeSet<&str> = info_series
        .iter()
        .filter_map(|s| s.labels.metric_name())
        .collect();
    let info_sig: Vec<usize> = info_series
        .iter()
        .map(|s| sig_of(s.labels.get_or_empty(METRIC_NAME), &s.labels, &mut sig_ids))
        .collect();
    let base_sigs: Vec<Vec<usize>> = base
        .iter()
        .map(|s| {
            info_names
                .iter()
                .map(|name| sig_of(name, &s.labels, &mut sig_ids))
                .collect()
        })
        .collect();
    let all_data_match_empty = data.iter().all(|m| m.matches(""));

    let mut chosen: Vec<(usize, usize)> = vec![(usize::MAX, 0); sig_ids.len()];
    let mut out: Vec<StepSeries> = Vec::new();
    let mut out_ids: HashMap<Labels, usize> = HashMap::new();
    let mut combo_ids: HashMap<(usize, Vec<usize>), usize> = HashMap::new();
    for i in 0..n {
        // The newest info sample per signature at this step.
        for (ii, s) in info_series.iter().enumerate() {
            let Some(t) = s.vals[i] else { continue };
            let sg = info_sig[ii];
            let (st, prev) = chosen[sg];
            if st == i {
                let pt = info_series[prev].vals[i].unwrap_or(f64::NAN);
                if pt == t {
                    return Err(EvalError::invalid(format!(
                        "found duplicate series for info metric: existing {} @ {}, new {} @ {}",
                        info_series[prev].labels,
                        (pt * 1000.0) as i64,
                        s.labels,
                        (t * 1000.0) as i64
                    )));
                }
                if pt > t {
                    continue;
                }
            }
            chosen[sg] = (i, ii);
        }
        for (bi, s) in base.iter().enumerate() {
            let Some(v) = s.vals[i] else { continue };
            let mut picks: Vec<usize> = Vec::new();
            if !ignored[bi] {
                for &sg in &base_sigs[bi] {
                    if chosen[sg].0 == i {
                        picks.push(chosen[sg].1);
                    }
                }
                if picks.is_empty() && !all_data_match_empty {
                    continue;
                }
            }
            let key = (bi, picks);
            let idx = match combo_ids.get(&key) {
                Some(&x) => x,
                None => {
                    let labels = enrich(&s.labels, &key.1, &info_series, &data)?;
                    let x = *out_ids.entry(labels.clone()).or_insert_with(|| {
                        out.push(StepSeries::new(labels, s.drop_name, n));
                        out.len() - 1
                    });
                    combo_ids.insert(key, x);
                    x
                }
            };
            if out[idx].vals[i].is_some() {
                return Err(EvalError::DuplicateLabelset);
            }
            out[idx].vals[i] = Some(v);
        }
    }
    Ok(Val::Vector(out))
}

/// The `@`/`offset` pairs on the way to the first vector selector of an expression (in the
/// order Prometheus walks the tree), outermost first: subqueries, then the selector.
fn time_shifts(e: &Expr) -> Option<Vec<(Option<AtModifier>, i64)>> {
    match e {
        Expr::VectorSelector(vs) => Some(vec![(vs.at, vs.offset)]),
        Expr::MatrixSelector(ms) => Some(vec![(ms.selector.at, ms.selector.offset)]),
        Expr::Subquery(sq) => time_shifts(&sq.expr).map(|mut v| {
            v.insert(0, (sq.at, sq.offset));
            v
        }),
        Expr::Paren(x) | Expr::Unary(_, x) => time_shifts(x),
        // A chain's operands in a loop (see `promql/chain.rs`).
        Expr::Binary(b) => b.operands().into_iter().find_map(time_shifts),
        Expr::Aggregate(a) => a
            .param
            .as_deref()
            .and_then(time_shifts)
            .or_else(|| time_shifts(&a.expr)),
        Expr::Call(c) => c.args.iter().find_map(time_shifts),
        Expr::Number(_) | Expr::String(_) => None,
    }
}

/// Selects the info series and evaluates them, per step, as of the time the base
/// expression's first selector looked at (its `@` and `offset`, and those of enclosing
/// subqueries), with the lookback window. Each value is the chosen sample's timestamp in
/// seconds, so the newest info sample can win.
fn select_info(
    ev: &Evaluator,
    base: &Expr,
    matchers: &[Matcher],
) -> Result<Vec<StepSeries>, EvalError> {
    let lookback = ev.engine.lookback_delta;
    let mut refs: Vec<i64> = ev.times().collect();
    for (at, offset) in time_shifts(base).unwrap_or_default() {
        let pinned = at.map(|a| ev.effective_times(Some(a), 0)[0]);
        for t in &mut refs {
            *t = pinned.unwrap_or(*t) - offset;
        }
    }
    let lo = refs.iter().copied().min().unwrap_or(ev.start);
    let hi = refs.iter().copied().max().unwrap_or(ev.end);
    let raw = ev.q.select(matchers, lo - lookback + 1, hi)?;
    let n = ev.nsteps();
    let mut out = Vec::with_capacity(raw.len());
    for s in raw {
        let smp = &s.samples;
        let mut ss = StepSeries::new(s.labels.clone(), false, n);
        for (i, &t) in refs.iter().enumerate() {
            // Reference times need not increase (an offset inside a pinned subquery does not
            // change that, but keep this independent of it): binary search per step.
            let idx = smp.partition_point(|p| p.t <= t);
            if idx > 0 {
                let last = smp[idx - 1];
                if last.t > t - lookback && !is_stale_nan(last.v) {
                    ss.vals[i] = Some(last.t as f64 / 1000.0);
                }
            }
        }
        if !ss.is_empty() {
            out.push(ss);
        }
    }
    Ok(out)
}

/// The base labels plus the chosen info series' data labels (only those named by data
/// matchers, when there are any; never overriding a label the base series has).
fn enrich(
    base: &Labels,
    picks: &[usize],
    info: &[StepSeries],
    data: &[&Matcher],
) -> Result<Labels, EvalError> {
    let mut add = Labels::new().to_builder();
    for &p in picks {
        for (k, v) in info[p].labels.iter() {
            if k == METRIC_NAME || (!data.is_empty() && !data.iter().any(|m| m.name == k)) {
                continue;
            }
            if let Some(prev) = add.get(k) {
                if prev != v {
                    return Err(EvalError::invalid(format!("conflicting label: {k}")));
                }
            }
            if base.get(k).is_some() {
                continue;
            }
            add.set(k, v);
        }
    }
    let mut b = base.to_builder();
    for (k, v) in add.build().iter() {
        b.set(k, v);
    }
    Ok(b.build())
}
