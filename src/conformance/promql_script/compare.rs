//! Comparing an eval's result with its expectations: the reference's float tolerance, the
//! matching of vectors, matrices, scalars and strings, and the annotation rules.

use super::{Expect, Outcome};
use crate::model::{is_stale_nan, Sample};
use crate::promql::engine::{Annotation, AnnotationKind, Value};

/// The reference's float comparison (relative 1e-6, zero must match exactly).
pub fn almost_equal(a: f64, b: f64) -> bool {
    if is_stale_nan(a) || is_stale_nan(b) {
        return is_stale_nan(a) && is_stale_nan(b);
    }
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    let (d, s) = ((a - b).abs(), a.abs() + b.abs());
    if a == 0.0 || b == 0.0 || s < f64::MIN_POSITIVE {
        return d < 1e-6 * f64::MIN_POSITIVE;
    }
    d / s.min(f64::MAX) < 1e-6
}

/// Checks annotations as the reference runner does, per kind: `no_x` means none; `expect x`
/// lines mean at least one, each line matching one, and each annotation matching a line.
pub(super) fn check_notes(ex: &Expect, notes: &[Annotation], query: &str) -> Result<(), String> {
    for (k, kind) in [AnnotationKind::Warning, AnnotationKind::Info]
        .into_iter()
        .enumerate()
    {
        let got: Vec<String> = notes
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| n.render(query))
            .collect();
        if ex.no_notes[k] && !got.is_empty() {
            return Err(format!("unexpected annotations: {got:?}"));
        }
        let want = &ex.notes[k];
        if want.is_empty() {
            continue;
        }
        let matches = |w: &Option<(bool, String)>, g: &str| match w {
            None => true,
            Some((false, m)) => m == g,
            Some((true, re)) => regex::Regex::new(re).is_ok_and(|r| r.is_match(g)),
        };
        if got.is_empty() {
            return Err(format!("expected annotations {want:?}, got none"));
        }
        for w in want {
            if !got.iter().any(|g| matches(w, g)) {
                return Err(format!("no annotation matches {w:?}; got {got:?}"));
            }
        }
        for g in &got {
            if !want.iter().any(|w| matches(w, g)) {
                return Err(format!("annotation {g:?} not expected"));
            }
        }
    }
    Ok(())
}

pub(super) fn compare(ex: &Expect, val: Value, start: i64, step: i64, is_range: bool) -> Outcome {
    match val {
        Value::Scalar { v, .. } => match ex.scalar {
            Some(want) if almost_equal(v, want) => Outcome::Pass,
            want => Outcome::Fail(format!("scalar {v}, expected {want:?}")),
        },
        Value::String { v, .. } => {
            if ex.string.as_deref() == Some(v.as_str()) {
                Outcome::Pass
            } else {
                Outcome::Fail(format!("string {v:?}, expected {:?}", ex.string))
            }
        }
        Value::Vector(got) => {
            if ex.scalar.is_some() {
                return Outcome::Fail("expected scalar, got vector".into());
            }
            if got.len() != ex.series.len() {
                return Outcome::Fail(format!(
                    "got {} series, expected {}: {:?}",
                    got.len(),
                    ex.series.len(),
                    got.iter()
                        .map(|s| format!("{} {}", s.labels, s.v))
                        .collect::<Vec<_>>()
                ));
            }
            for (k, s) in got.iter().enumerate() {
                let pos = if ex.ordered {
                    (ex.series[k].0 == s.labels).then_some(k)
                } else {
                    ex.series.iter().position(|(l, _)| *l == s.labels)
                };
                let Some(p) = pos else {
                    return Outcome::Fail(format!("unexpected series {} (position {k})", s.labels));
                };
                let want = ex.series[p].1.first().copied().flatten();
                if !want.is_some_and(|w| almost_equal(w, s.v)) {
                    return Outcome::Fail(format!("{}: got {}, expected {want:?}", s.labels, s.v));
                }
            }
            Outcome::Pass
        }
        Value::Matrix(got) => {
            let (t0, st) = match ex.range_vector {
                Some((a, _, s)) => (a, s),
                None if is_range => (start, step),
                None => return Outcome::Fail("got a matrix for an instant eval".into()),
            };
            if got.len() != ex.series.len() {
                return Outcome::Fail(format!(
                    "got {} series, expected {}: {:?}",
                    got.len(),
                    ex.series.len(),
                    got.iter().map(|s| s.labels.to_string()).collect::<Vec<_>>()
                ));
            }
            for s in &got {
                let Some((_, want)) = ex.series.iter().find(|(l, _)| *l == s.labels) else {
                    return Outcome::Fail(format!("unexpected series {}", s.labels));
                };
                let want: Vec<Sample> = want
                    .iter()
                    .enumerate()
                    .filter_map(|(k, v)| {
                        v.map(|v| Sample {
                            t: t0 + k as i64 * st,
                            v,
                        })
                    })
                    .collect();
                let same = want.len() == s.samples.len()
                    && want
                        .iter()
                        .zip(&s.samples)
                        .all(|(a, b)| a.t == b.t && almost_equal(a.v, b.v));
                if !same {
                    return Outcome::Fail(format!(
                        "{}: got {:?}, expected {:?}",
                        s.labels,
                        s.samples.iter().map(|p| (p.t, p.v)).collect::<Vec<_>>(),
                        want.iter().map(|p| (p.t, p.v)).collect::<Vec<_>>()
                    ));
                }
            }
            Outcome::Pass
        }
    }
}
