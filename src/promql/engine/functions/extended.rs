//! The `anchored` and `smoothed` range-selector modifiers (Prometheus' experimental extended
//! range vectors) as the range functions see them.
//!
//! Such a selector also reads one lookback delta before the window (`anchored`) or before and
//! after it (`smoothed`), so the window's edges get a value: the last sample at or before the
//! start (`anchored`), or a linear interpolation across each edge (`smoothed`). `rate`,
//! `increase` and `delta` then take the plain difference of the edge values (with counter
//! resets added back) instead of extrapolating; `changes` and `resets` (anchored only) run on
//! the window with the edge points added. Which functions accept which modifier is checked here
//! too. Native histograms are not supported (the store has none).

use crate::model::Sample;

/// Which functions each modifier works with, in Prometheus' wording.
const ANCHORED_OK: &str = "changes, delta, increase, rate, resets";
const SMOOTHED_OK: &str = "delta, increase, rate";

/// The error for a function that does not support the modifier, if any.
pub(crate) fn check_function(func: &str, smoothed: bool) -> Result<(), String> {
    let (modifier, ok) = if smoothed {
        ("smoothed", SMOOTHED_OK)
    } else {
        ("anchored", ANCHORED_OK)
    };
    if ok.split(", ").any(|f| f == func) {
        Ok(())
    } else {
        Err(format!(
            "{modifier} modifier can only be used with: {ok} - not with {func}"
        ))
    }
}

/// Go's `sort.Search(n, f)`: the first index in `[0, n)` where `f` holds, or `n`.
fn search(n: usize, f: impl Fn(usize) -> bool) -> usize {
    (0..n).find(|&i| f(i)).unwrap_or(n)
}

/// The value at `t` on the line through `p1` and `p2`. For a counter that dropped between
/// them, the line starts from 0 at `p1` (the counter restarted).
fn interpolate(p1: Sample, p2: Sample, t: i64, is_counter: bool) -> f64 {
    let y1 = if is_counter && p2.v < p1.v { 0.0 } else { p1.v };
    y1 + (p2.v - y1) * (t - p1.t) as f64 / (p2.t - p1.t) as f64
}

/// The indexes of the samples that give the window's edge values: the last one at or before
/// `start` (or the first one), and the last one (smoothed: the first at or after `end`).
fn edges(w: &[Sample], start: i64, end: i64, smoothed: bool) -> Option<(usize, usize)> {
    let mut last = w.len().checked_sub(1)?;
    let first = search(last, |i| w[i].t > start).saturating_sub(1);
    if smoothed {
        last = search(last, |i| w[i].t >= end);
    }
    // Nothing inside the window: only data before it, or (smoothed) only after it.
    if w[last].t <= start || w[first].t > end {
        return None;
    }
    Some((first, last))
}

fn left_value(w: &[Sample], first: usize, start: i64, smoothed: bool, is_counter: bool) -> f64 {
    if smoothed && w[first].t < start {
        interpolate(w[first], w[first + 1], start, is_counter)
    } else {
        w[first].v
    }
}

fn right_value(w: &[Sample], last: usize, end: i64, smoothed: bool, is_counter: bool) -> f64 {
    if smoothed && last > 0 && w[last].t > end {
        interpolate(w[last - 1], w[last], end, is_counter)
    } else {
        w[last].v
    }
}

/// The window `(start, end]` with synthetic points at `start` and `end` carrying the edge
/// values, in place of real samples on or beyond the edges.
pub(crate) fn extend_window(w: &[Sample], start: i64, end: i64, smoothed: bool) -> Vec<Sample> {
    let Some((first, last)) = edges(w, start, end, smoothed) else {
        return Vec::new();
    };
    let left = left_value(w, first, start, smoothed, false);
    let right = right_value(w, last, end, smoothed, false);
    let inner = inner(w, first, last, start, end);
    let mut out = Vec::with_capacity(inner.len() + 2);
    out.push(Sample { t: start, v: left });
    out.extend_from_slice(inner);
    out.push(Sample { t: end, v: right });
    out
}

/// The samples strictly inside the window between the edge samples `first` and `last`.
fn inner(w: &[Sample], first: usize, last: usize, start: i64, end: i64) -> &[Sample] {
    let lo = if w[first].t <= start {
        first + 1
    } else {
        first
    };
    let hi = if w[last].t >= end { last } else { last + 1 };
    if lo < hi {
        &w[lo..hi]
    } else {
        &[]
    }
}

/// `rate`, `increase` and `delta` over an anchored or smoothed window (`w` includes the
/// samples read beyond the window's edges).
pub(crate) fn extended_rate(
    w: &[Sample],
    start: i64,
    end: i64,
    smoothed: bool,
    is_counter: bool,
    is_rate: bool,
) -> Option<f64> {
    let (first, last) = edges(w, start, end, smoothed)?;
    let left = left_value(w, first, start, smoothed, is_counter);
    let right = right_value(w, last, end, smoothed, is_counter);
    let mut result = right - left;
    if is_counter {
        // Resets at the edges are in the edge values already; add back those inside.
        let mut prev = left;
        for p in inner(w, first, last, start, end) {
            if p.v < prev {
                result += prev;
            }
            prev = p.v;
        }
        if right < prev {
            result += prev;
        }
    }
    if is_rate {
        result /= (end - start) as f64 / 1000.0;
    }
    Some(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(pts: &[(i64, f64)]) -> Vec<Sample> {
        pts.iter().map(|&(t, v)| Sample { t, v }).collect()
    }

    #[test]
    fn smoothed_rate_across_a_reset() {
        // 100 at 0s, 10 at 15s: the counter restarted, so 10 per 15s.
        let w = s(&[(0, 100.0), (15_000, 10.0)]);
        let r = extended_rate(&w, 2_000, 12_000, true, true, true).unwrap();
        assert!((r - 2.0 / 3.0).abs() < 1e-9, "{r}");
    }

    #[test]
    fn anchored_windows_get_edge_points() {
        let w = s(&[(0, 2.0), (120_000, 1.0)]);
        let e = extend_window(&w, 60_000, 120_000, false);
        assert_eq!(e, s(&[(60_000, 2.0), (120_000, 1.0)]));
        // Only data before the window: nothing.
        assert!(extend_window(&w, 120_000, 180_000, false).is_empty());
        assert!(check_function("deriv", true).is_err());
        assert!(check_function("resets", false).is_ok());
    }
}
