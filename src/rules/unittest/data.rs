//! The data of one test group: its input series, revealed as evaluation time passes (a rule
//! evaluated at T sees the input up to T, as promtool's lazy loader has it), plus what the
//! rules wrote. Series given as native histograms are kept aside by name, so that a check
//! reading one can be reported as skipped rather than judged on missing data.

use crate::model::matcher::matches_all;
use crate::model::{Labels, Matcher, Sample, Series, METRIC_NAME};
use crate::promql::ast::Expr;
use crate::promql::engine::{MemoryStorage, Queryable};
use crate::promql::notation::values;
use crate::rules::group::RuleData;
use crate::store::StoreError;
use std::cell::Cell;
use std::collections::BTreeMap;

use super::spec::InputSeries;

pub struct InputData {
    storage: MemoryStorage,
    /// Input samples not yet visible, by time (latest last).
    pending: Vec<(i64, Labels, f64)>,
    /// Input series written as native histograms, which argus does not store.
    histograms: Vec<Labels>,
}

impl InputData {
    /// Reads the input series: sample `k` of a series is at `start + k * interval`.
    pub fn new(series: &[InputSeries], start: i64, interval: i64) -> Result<InputData, String> {
        let mut pending = Vec::new();
        let mut histograms = Vec::new();
        for s in series {
            let labels =
                parse_labels(&s.series).map_err(|e| format!("input_series {:?}: {e}", s.series))?;
            if s.values.contains("{{") {
                histograms.push(labels);
                continue;
            }
            let Some(vals) = values(&s.values) else {
                return Err(format!(
                    "input_series {:?}: values {:?} are not in the expanding notation \
                     (for example `1 2 _ stale 0+10x5 1x3 _x2`)",
                    s.series, s.values
                ));
            };
            for (k, v) in vals.into_iter().enumerate() {
                if let Some(v) = v {
                    pending.push((start + k as i64 * interval, labels.clone(), v));
                }
            }
        }
        // Latest last, so that revealing pops from the end; the stable sort keeps the order
        // of a series' own samples.
        pending.sort_by_key(|p| std::cmp::Reverse(p.0));
        Ok(InputData {
            storage: MemoryStorage::new(),
            pending,
            histograms,
        })
    }

    /// Makes the input samples up to `t` (inclusive) visible.
    pub fn reveal_until(&mut self, t: i64) {
        let mut batch: BTreeMap<Labels, Vec<Sample>> = BTreeMap::new();
        while self.pending.last().is_some_and(|(st, ..)| *st <= t) {
            if let Some((st, labels, v)) = self.pending.pop() {
                batch.entry(labels).or_default().push(Sample { t: st, v });
            }
        }
        for (labels, samples) in batch {
            self.storage.add(labels, samples);
        }
    }

    /// The data as a query source that notes whether a histogram series was selected.
    pub fn watched(&self) -> Watched<'_> {
        Watched {
            data: self,
            touched: Cell::new(false),
        }
    }
}

impl RuleData for InputData {
    fn queryable(&self) -> &dyn Queryable {
        &self.storage
    }

    fn append(&mut self, samples: Vec<(Labels, Sample)>) -> Result<(), StoreError> {
        let mut batch: BTreeMap<Labels, Vec<Sample>> = BTreeMap::new();
        for (labels, s) in samples {
            batch.entry(labels).or_default().push(s);
        }
        for (labels, samples) in batch {
            self.storage.add(labels, samples);
        }
        Ok(())
    }
}

/// [`InputData`] as a query source that remembers selecting a histogram series.
pub struct Watched<'a> {
    data: &'a InputData,
    touched: Cell<bool>,
}

impl Watched<'_> {
    pub fn touched_histograms(&self) -> bool {
        self.touched.get()
    }
}

impl Queryable for Watched<'_> {
    fn select(
        &self,
        matchers: &[Matcher],
        mint: i64,
        maxt: i64,
    ) -> Result<Vec<Series>, StoreError> {
        if self
            .data
            .histograms
            .iter()
            .any(|l| matches_all(matchers, l))
        {
            self.touched.set(true);
        }
        self.data.storage.select(matchers, mint, maxt)
    }
}

/// A series written as a selector of equalities (`up{job="a"}`, `{a="b"}`, `name`), as
/// promtool reads `series` and `labels`; an empty text is the empty label set.
pub fn parse_labels(text: &str) -> Result<Labels, String> {
    if text.trim().is_empty() {
        return Ok(Labels::new());
    }
    let expr = crate::promql::parse(text).map_err(|e| e.to_string())?;
    let Expr::VectorSelector(sel) = expr else {
        return Err("not a series: write name{label=\"value\", ...}".to_string());
    };
    let mut pairs: Vec<(String, String)> = Vec::new();
    if let Some(name) = &sel.name {
        pairs.push((METRIC_NAME.to_string(), name.clone()));
    }
    for m in &sel.matchers {
        if m.op != crate::model::matcher::MatchOp::Equal {
            return Err(format!(
                "label {:?}: only `=` may describe a series",
                m.name
            ));
        }
        if !pairs.iter().any(|(k, _)| *k == m.name) && !m.value.is_empty() {
            pairs.push((m.name.clone(), m.value.clone()));
        }
    }
    Ok(Labels::from_pairs(pairs))
}
