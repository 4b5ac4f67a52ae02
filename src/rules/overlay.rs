//! The data a group evaluates against outside unit tests: a read view of the store with the
//! group's own output of this evaluation laid on top, so that a rule reads what the rules
//! before it recorded a moment ago, before anything is committed. The caller commits
//! [`Overlay::written`] in one store commit once the group is done: readers then see the
//! whole group's output at once, or none of it.

use super::group::RuleData;
use crate::model::{Labels, Matcher, Sample, Series};
use crate::promql::engine::{EvalError, MemoryStorage, Queryable};
use crate::store::StoreError;

pub struct Overlay<'a> {
    base: &'a dyn Queryable,
    top: MemoryStorage,
    written: Vec<(Labels, Sample)>,
}

impl<'a> Overlay<'a> {
    pub fn new(base: &'a dyn Queryable) -> Overlay<'a> {
        Overlay {
            base,
            top: MemoryStorage::new(),
            written: Vec::new(),
        }
    }

    /// Everything appended, in order, for the caller to commit.
    pub fn written(self) -> Vec<(Labels, Sample)> {
        self.written
    }
}

impl RuleData for Overlay<'_> {
    fn queryable(&self) -> &dyn Queryable {
        self
    }

    fn append(&mut self, samples: Vec<(Labels, Sample)>) -> Result<(), StoreError> {
        for (labels, s) in &samples {
            self.top.add(labels.clone(), vec![*s]);
        }
        self.written.extend(samples);
        Ok(())
    }
}

impl Queryable for Overlay<'_> {
    fn select(
        &self,
        matchers: &[Matcher],
        mint: i64,
        maxt: i64,
    ) -> Result<Vec<Series>, StoreError> {
        let base = self.base.select(matchers, mint, maxt)?;
        if self.top.is_empty() {
            return Ok(base);
        }
        let top = self.top.select(matchers, mint, maxt)?;
        Ok(merge(base, top))
    }

    fn select_batches(
        &self,
        matchers: &[Matcher],
        mint: i64,
        maxt: i64,
        batch_samples: usize,
        f: &mut dyn FnMut(Vec<Series>) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        if self.top.is_empty() {
            return self
                .base
                .select_batches(matchers, mint, maxt, batch_samples, f);
        }
        f(self.select(matchers, mint, maxt)?)
    }
}

/// Both selections as one, sorted by labels; where a series is in both, its samples are
/// merged by time, the overlay's winning at equal times.
fn merge(base: Vec<Series>, top: Vec<Series>) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::with_capacity(base.len() + top.len());
    let mut b = base.into_iter().peekable();
    let mut t = top.into_iter().peekable();
    loop {
        let take_base = match (b.peek(), t.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(x), Some(y)) => {
                if x.labels == y.labels {
                    if let (Some(mut x), Some(y)) = (b.next(), t.next()) {
                        x.samples
                            .retain(|s| y.samples.binary_search_by_key(&s.t, |o| o.t).is_err());
                        x.samples.extend(y.samples);
                        x.samples.sort_by_key(|s| s.t);
                        out.push(x);
                    }
                    continue;
                }
                x.labels < y.labels
            }
        };
        let next = if take_base { b.next() } else { t.next() };
        out.extend(next);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::matcher::MatchOp;

    fn series(name: &str, samples: &[(i64, f64)]) -> (Labels, Vec<Sample>) {
        (
            Labels::from_pairs([("__name__", name)]),
            samples.iter().map(|&(t, v)| Sample { t, v }).collect(),
        )
    }

    #[test]
    fn the_overlay_is_read_with_the_base_merged_by_time() {
        let base = MemoryStorage::from_series([
            series("a", &[(0, 1.0), (10, 2.0)]),
            series("c", &[(0, 5.0)]),
        ]);
        let mut o = Overlay::new(&base);
        let (l, _) = series("a", &[]);
        o.append(vec![
            (l.clone(), Sample { t: 10, v: 9.0 }),
            (l, Sample { t: 20, v: 3.0 }),
        ])
        .unwrap();
        let (b, _) = series("b", &[]);
        o.append(vec![(b, Sample { t: 5, v: 7.0 })]).unwrap();
        let all = Matcher::new("__name__", MatchOp::RegexMatch, ".+").unwrap();
        let got = o.select(&[all], 0, 100).unwrap();
        let names: Vec<_> = got
            .iter()
            .map(|s| s.labels.metric_name().unwrap().to_string())
            .collect();
        assert_eq!(names, ["a", "b", "c"]);
        let a: Vec<(i64, f64)> = got[0].samples.iter().map(|s| (s.t, s.v)).collect();
        assert_eq!(a, [(0, 1.0), (10, 9.0), (20, 3.0)]);
        assert_eq!(o.written().len(), 3);
    }
}
