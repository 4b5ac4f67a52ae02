//! Range aggregations (`count_over_time({...} | json [5m])`, `quantile_over_time(0.9, ... |
//! unwrap latency [1m]) by (route)`): the leaves of a metric query, where log entries become
//! numbers.
//!
//! The entries of every window of the query are read once, over `(first_step - offset -
//! range, last_step - offset]`, and go through the pipeline on worker threads. Each yields a
//! sample: 1 for counting functions, the line's length in bytes for the byte functions, or the
//! `unwrap`ped label's value. Samples are gathered per series (the entry's final labels,
//! reduced by `by`/`without` when given), then each series is walked once with a sliding
//! window per step. Windows are left-open and right-closed, as in Loki: `(t - range, t]`.

use super::MetricEvalError;
use crate::logql::ast::{Conversion, Grouping, RangeAggregation, RangeOp, Unwrap};
use crate::logql::eval_logs::{decode_threads, visit_block, LogEvalError};
use crate::logql::pipeline::label_filter::CompiledFilter;
use crate::logql::pipeline::labels::ERROR_LABEL;
use crate::logql::pipeline::{EntryLabels, Pipeline};
use crate::logql::units::{humanize_bytes, parse_float_value, parse_go_duration};
use crate::model::{Labels, MatchOp};
use crate::store::logs::snapshot::{BlockHandle, BlockStats};
use crate::store::logs::{LogQuery, LogSnapshot};
use std::collections::HashMap;

/// `__error__` of an unwrap whose value does not convert.
const SAMPLE_EXTRACTION_ERR: &str = "SampleExtractionErr";

/// The most steps a query may have. The API and the command line allow 11,000 per series;
/// this bounds what one evaluation allocates whoever calls it.
pub const MAX_STEPS: usize = 1_000_000;

/// The steps of a query, in nanoseconds: `start, start + step, ..., end`.
#[derive(Clone, Copy, Debug)]
pub struct Steps {
    pub start: i64,
    pub end: i64,
    /// Positive; for an instant query any positive value (there is one step).
    pub step: i64,
}

impl Steps {
    /// Steps from `start` to `end` by `step`, or why there cannot be: a step that is not
    /// positive, an end before the start, or more steps than any query should ask for.
    pub fn new(start: i64, end: i64, step: i64) -> Result<Steps, String> {
        if step <= 0 {
            return Err(
                "zero or negative query resolution step widths are not accepted".to_string(),
            );
        }
        if end < start {
            return Err("end timestamp must not be before start time".to_string());
        }
        // In i128: the span of two i64 times does not fit an i64.
        let count = (i128::from(end) - i128::from(start)) / i128::from(step) + 1;
        if count > MAX_STEPS as i128 {
            return Err(format!(
                "a query of {count} steps exceeds the maximum of {MAX_STEPS}"
            ));
        }
        Ok(Steps { start, end, step })
    }

    /// How many steps there are (at most [`MAX_STEPS`] for steps made by [`Steps::new`]).
    pub fn count(&self) -> usize {
        let span = i128::from(self.end) - i128::from(self.start);
        (span / i128::from(self.step.max(1)) + 1).clamp(0, MAX_STEPS as i128) as usize
    }

    /// The `k`th step; in i128 because `k * step` may overflow on its way to a time that
    /// does not.
    pub fn at(&self, k: usize) -> i64 {
        let t = i128::from(self.start) + k as i128 * i128::from(self.step);
        t.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }
}

/// One output series of a range aggregation: a value per step, `None` where its window held
/// nothing.
pub struct LeafSeries {
    pub labels: Labels,
    pub values: Vec<Option<f64>>,
}

/// How an entry becomes a sample.
enum Extract {
    /// 1 per entry.
    Count,
    /// The line's length in bytes.
    Bytes,
    /// A label's value.
    Unwrap {
        label: String,
        conversion: Conversion,
        post_filters: Vec<CompiledFilter>,
    },
}

/// Evaluates one range aggregation over the query's steps.
pub fn eval_range_aggregation(
    snap: &LogSnapshot,
    agg: &RangeAggregation,
    steps: Steps,
    stats: &mut BlockStats,
) -> Result<Vec<LeafSeries>, MetricEvalError> {
    let range = &agg.range;
    let pipeline = Pipeline::compile(&range.log)?;
    let extract = match (&range.unwrap, agg.op) {
        (Some(u), _) => unwrap_extract(u)?,
        (None, RangeOp::BytesOverTime | RangeOp::BytesRate) => Extract::Bytes,
        (None, _) => Extract::Count,
    };
    // Entries in (first window start, last window end]. Ranges and offsets may be centuries
    // long: the bounds saturate at the ends of time rather than overflow.
    let lo = steps
        .start
        .saturating_sub(range.offset)
        .saturating_sub(range.range);
    let hi = steps.end.saturating_sub(range.offset);
    let q = LogQuery {
        matchers: range.log.selector.clone(),
        from: lo.saturating_add(1),
        to: hi,
        required: pipeline.required().to_vec(),
    };
    let streams = snap.streams(&q.matchers, q.from, q.to);
    let mut blocks: Vec<(usize, BlockHandle)> = Vec::new();
    for (si, s) in streams.iter().enumerate() {
        for h in snap.blocks(s, &q, stats) {
            blocks.push((si, h));
        }
    }
    let grouping = agg.grouping.as_ref();
    let mut series: HashMap<Labels, Vec<(i64, f64)>> = HashMap::new();
    crate::parallel::for_each_ordered(
        decode_threads(),
        |emit| {
            for b in blocks {
                emit(b)?;
            }
            Ok(())
        },
        |(si, h): (usize, BlockHandle)| -> Result<Vec<(Labels, i64, f64)>, LogEvalError> {
            let mut out = Vec::new();
            let mut labels = EntryLabels::new(&streams[si].labels);
            visit_block(snap, &h, &mut |t, line, md| {
                if t <= lo || t > hi {
                    return;
                }
                labels.reset(md);
                let Some(line) = pipeline.process(t, line, &mut labels) else {
                    return;
                };
                let v = match &extract {
                    Extract::Count => 1.0,
                    Extract::Bytes => line.len() as f64,
                    Extract::Unwrap {
                        label,
                        conversion,
                        post_filters,
                    } => {
                        let Some(v) = unwrap_value(&mut labels, label, *conversion) else {
                            return;
                        };
                        if !post_filters.iter().all(|f| f.test(&mut labels)) {
                            return;
                        }
                        labels.delete(label);
                        v
                    }
                };
                out.push((group_labels(&labels, grouping), t, v));
            })?;
            Ok(out)
        },
        |samples: Vec<(Labels, i64, f64)>| {
            for (l, t, v) in samples {
                series.entry(l).or_default().push((t, v));
            }
            Ok(())
        },
    )?;
    let mut out = Vec::with_capacity(series.len());
    for (labels, mut points) in series {
        points.sort_by_key(|p| p.0);
        let values = windows(&points, agg, steps);
        if values.iter().all(Option::is_none) {
            continue;
        }
        if labels.get(ERROR_LABEL).is_some() {
            return Err(MetricEvalError::pipeline(&labels));
        }
        out.push(LeafSeries { labels, values });
    }
    if agg.op == RangeOp::AbsentOverTime {
        return Ok(absent(&out, agg, steps));
    }
    out.sort_by(|a, b| a.labels.cmp(&b.labels));
    Ok(out)
}

fn unwrap_extract(u: &Unwrap) -> Result<Extract, MetricEvalError> {
    let mut post_filters = Vec::with_capacity(u.post_filters.len());
    for f in &u.post_filters {
        post_filters
            .push(CompiledFilter::compile(f).map_err(|e| {
                MetricEvalError::Pipeline(crate::logql::pipeline::PipelineError(e))
            })?);
    }
    Ok(Extract::Unwrap {
        label: u.label.clone(),
        conversion: u.conversion,
        post_filters,
    })
}

/// The unwrapped value of an entry; `None` when the label is missing or empty (the entry
/// gives no sample). A value that does not convert marks the entry with
/// `SampleExtractionErr` and gives 0.
fn unwrap_value(labels: &mut EntryLabels, label: &str, conversion: Conversion) -> Option<f64> {
    let raw = labels.get(label).filter(|v| !v.is_empty())?;
    let converted = match conversion {
        Conversion::Float => parse_float_value(raw)
            .ok_or_else(|| format!("strconv.ParseFloat: parsing {raw:?}: invalid syntax")),
        Conversion::Duration | Conversion::DurationSeconds => parse_go_duration(raw)
            .map(|ns| ns as f64 / 1e9)
            .ok_or_else(|| crate::logql::units::go_duration_error(raw)),
        Conversion::Bytes => humanize_bytes(raw).map(|b| b as f64),
    };
    match converted {
        Ok(v) => Some(v),
        Err(details) => {
            labels.set_error(SAMPLE_EXTRACTION_ERR, &details);
            Some(0.0)
        }
    }
}

/// The series an entry's sample belongs to: its labels reduced by `by`/`without`, except that
/// an entry marked with an error keeps all its labels, so that the error is not lost.
fn group_labels(labels: &EntryLabels, grouping: Option<&Grouping>) -> Labels {
    match grouping {
        // `by`: read just the named labels, without building the entry's whole label set.
        Some(g) if !labels.has_error() && !g.without => {
            let mut pairs: Vec<(String, String)> = g
                .labels
                .iter()
                .filter_map(|n| labels.get(n).map(|v| (n.clone(), v.to_string())))
                .collect();
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            pairs.dedup_by(|a, b| a.0 == b.0);
            Labels::from_sorted_unchecked(pairs)
        }
        Some(g) if !labels.has_error() => labels.to_labels().drop_names(&g.labels),
        _ => labels.to_labels(),
    }
}

/// The aggregated value of each step's window over one series' points (sorted by time).
fn windows(points: &[(i64, f64)], agg: &RangeAggregation, steps: Steps) -> Vec<Option<f64>> {
    let range = agg.range.range;
    let offset = agg.range.offset;
    let secs = range as f64 / 1e9;
    let mut out = Vec::with_capacity(steps.count());
    let (mut lo, mut hi) = (0usize, 0usize);
    let mut scratch: Vec<f64> = Vec::new();
    for k in 0..steps.count() {
        let end = steps.at(k).saturating_sub(offset);
        let start = end.saturating_sub(range);
        while hi < points.len() && points[hi].0 <= end {
            hi += 1;
        }
        while lo < hi && points[lo].0 <= start {
            lo += 1;
        }
        let w = &points[lo.min(hi)..hi];
        if w.is_empty() {
            out.push(None);
            continue;
        }
        let values = w.iter().map(|p| p.1);
        let v = match agg.op {
            RangeOp::CountOverTime => w.len() as f64,
            RangeOp::Rate if agg.range.unwrap.is_none() => w.len() as f64 / secs,
            RangeOp::Rate | RangeOp::BytesRate => values.sum::<f64>() / secs,
            RangeOp::BytesOverTime | RangeOp::SumOverTime => values.sum(),
            RangeOp::AvgOverTime => values.sum::<f64>() / w.len() as f64,
            RangeOp::MinOverTime => {
                values.fold(f64::NAN, |m, v| if v < m || m.is_nan() { v } else { m })
            }
            RangeOp::MaxOverTime => {
                values.fold(f64::NAN, |m, v| if v > m || m.is_nan() { v } else { m })
            }
            RangeOp::StdvarOverTime => variance(w),
            RangeOp::StddevOverTime => variance(w).sqrt(),
            RangeOp::QuantileOverTime => {
                scratch.clear();
                scratch.extend(values);
                crate::promql::engine::quantile(agg.param.unwrap_or(f64::NAN), &mut scratch)
            }
            RangeOp::FirstOverTime => w[0].1,
            RangeOp::LastOverTime => w[w.len() - 1].1,
            RangeOp::RateCounter => counter_rate(w, start, end, range),
            RangeOp::AbsentOverTime => 1.0,
        };
        out.push(Some(v));
    }
    out
}

/// Population variance, computed with a running mean for accuracy.
fn variance(w: &[(i64, f64)]) -> f64 {
    let (mut n, mut mean, mut m2) = (0.0, 0.0, 0.0);
    for &(_, v) in w {
        n += 1.0;
        let d = v - mean;
        mean += d / n;
        m2 += d * (v - mean);
    }
    m2 / n
}

/// `rate_counter`: the per-second increase of a counter over the window, with counter resets
/// and Prometheus' extrapolation to the window's edges. Fewer than two samples give 0.
fn counter_rate(w: &[(i64, f64)], start: i64, end: i64, range: i64) -> f64 {
    if w.len() < 2 {
        return 0.0;
    }
    let (first, last) = (w[0], w[w.len() - 1]);
    let mut increase = last.1 - first.1;
    let mut prev = 0.0;
    for &(_, v) in w {
        if v < prev {
            increase += prev;
        }
        prev = v;
    }
    // Differences of times in i128: a window's start may have saturated at the start of time.
    let secs = |later: i64, earlier: i64| (i128::from(later) - i128::from(earlier)) as f64 / 1e9;
    let sampled = secs(last.0, first.0);
    let average_gap = sampled / (w.len() - 1) as f64;
    // Extrapolate to an edge only when a sample is near it (within 1.1 average gaps), else
    // by half a gap; then never below the counter's zero point at the start.
    let threshold = average_gap * 1.1;
    let edge = |d: f64| if d < threshold { d } else { average_gap / 2.0 };
    let mut to_start = edge(secs(first.0, start));
    let to_end = edge(secs(end, last.0));
    if increase > 0.0 && first.1 >= 0.0 {
        let to_zero = sampled * (first.1 / increase);
        if to_zero < to_start {
            to_start = to_zero;
        }
    }
    let interval = sampled + to_start + to_end;
    increase * (interval / sampled) / secs(range, 0)
}

/// `absent_over_time`: 1 at the steps where no series had anything in its window, labelled
/// with the selector's equality matchers.
fn absent(found: &[LeafSeries], agg: &RangeAggregation, steps: Steps) -> Vec<LeafSeries> {
    let values: Vec<Option<f64>> = (0..steps.count())
        .map(|k| {
            let present = found.iter().any(|s| s.values[k].is_some());
            (!present).then_some(1.0)
        })
        .collect();
    if values.iter().all(Option::is_none) {
        return Vec::new();
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    for m in &agg.range.log.selector {
        if m.op == MatchOp::Equal && !pairs.iter().any(|(k, _)| *k == m.name) {
            pairs.push((m.name.clone(), m.value.clone()));
        }
    }
    vec![LeafSeries {
        labels: Labels::from_pairs(pairs),
        values,
    }]
}
