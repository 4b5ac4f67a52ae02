//! Label postings of a part: for each label name and value, the ascending indexes of the
//! series (or log streams) that carry it. Built when a part is opened, from its index; both
//! part formats use them to answer selectors.

use crate::model::{Labels, MatchOp, Matcher};
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct Postings(HashMap<String, HashMap<String, Vec<u32>>>);

impl Postings {
    /// Postings of the label sets, numbered in iteration order.
    pub fn build<'a>(label_sets: impl Iterator<Item = &'a Labels>) -> Postings {
        let mut postings: HashMap<String, HashMap<String, Vec<u32>>> = HashMap::new();
        for (i, labels) in label_sets.enumerate() {
            for (k, v) in labels.iter() {
                // Look up by &str first: most names and values repeat across label sets, and
                // an owned key per lookup would allocate twice per label.
                let values = match postings.get_mut(k) {
                    Some(values) => values,
                    None => postings.entry(k.to_string()).or_default(),
                };
                match values.get_mut(v) {
                    Some(ids) => ids.push(i as u32),
                    None => {
                        values.insert(v.to_string(), vec![i as u32]);
                    }
                }
            }
        }
        Postings(postings)
    }

    /// Indexes (out of `count`) whose labels satisfy every matcher, ascending.
    ///
    /// Starts from the smallest posting list an equality matcher offers; a regex that does not
    /// match "" can only select label sets that have the label, so its values' postings are
    /// candidates too. Otherwise every index is a candidate. Each candidate is then checked
    /// against all matchers.
    pub fn matching<'a>(
        &self,
        matchers: &[Matcher],
        count: usize,
        labels_of: impl Fn(u32) -> &'a Labels,
    ) -> Vec<u32> {
        let mut best: Option<Vec<u32>> = None;
        for m in matchers {
            let cand: Option<Vec<u32>> = match m.op {
                MatchOp::Equal if !m.value.is_empty() => Some(
                    self.0
                        .get(&m.name)
                        .and_then(|vals| vals.get(&m.value))
                        .cloned()
                        .unwrap_or_default(),
                ),
                MatchOp::RegexMatch if !m.matches_empty() => {
                    let mut ids: Vec<u32> = self
                        .0
                        .get(&m.name)
                        .map(|vals| {
                            vals.iter()
                                .filter(|(v, _)| m.matches(v))
                                .flat_map(|(_, ids)| ids.iter().copied())
                                .collect()
                        })
                        .unwrap_or_default();
                    ids.sort_unstable();
                    Some(ids)
                }
                _ => None,
            };
            if let Some(c) = cand {
                if best.as_ref().is_none_or(|b| c.len() < b.len()) {
                    best = Some(c);
                }
            }
        }
        let candidates = best.unwrap_or_else(|| (0..count as u32).collect());
        candidates
            .into_iter()
            .filter(|&i| {
                let l = labels_of(i);
                matchers.iter().all(|m| m.matches_labels(l))
            })
            .collect()
    }

    /// All values of label `name`.
    pub fn values(&self, name: &str) -> impl Iterator<Item = &str> {
        self.0
            .get(name)
            .into_iter()
            .flat_map(|vals| vals.keys().map(|s| s.as_str()))
    }
}
