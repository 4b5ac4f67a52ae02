//! Cardinality: how many series (metrics) or streams (logs) each metric name, label name and
//! label pair accounts for, and how many bytes each holds: "which label exploded". Also the
//! log volume by label that Loki's `index/volume` answers.
//!
//! Everything is counted from the parts' indexes, which an open snapshot already holds in
//! memory (label sets, and per chunk or block its time range, count and size); no chunk or
//! block is read or decompressed, so the cost is one pass over the label sets of the store,
//! whatever the number of samples or lines.
//!
//! A series written by several commits that no merge has joined yet sits in several parts. It
//! counts once: each part lists its series in label order, so a k-way merge of the parts'
//! selected series meets every distinct label set once, with the footprints of all its parts.
//!
//! Not here: the JSON shapes of the HTTP API (`http/status_tsdb.rs`) and the printing of
//! `argus store cardinality` (`cli/store.rs`).

use super::logs::LogSnapshot;
use super::metrics::Snapshot;
use crate::model::{Labels, Matcher, METRIC_NAME};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// What to count.
#[derive(Clone, Debug, Default)]
pub struct CardinalityQuery {
    /// Only the series matching one of these selectors (each a list of matchers that must
    /// all match) count; none means every series.
    pub selectors: Vec<Vec<Matcher>>,
    /// Inclusive time range in the area's unit (ms for metrics, ns for logs): only the series
    /// with a chunk (block) overlapping it count, and only those chunks. `None` is all time.
    pub range: Option<(i64, i64)>,
    /// The label whose values are listed with their series counts (the "focus label").
    pub focus_label: Option<String>,
    /// Entries per list.
    pub limit: usize,
}

/// One entry of a top-N list: a name (metric name, label name, `name=value`, label set) and
/// its count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stat {
    pub name: String,
    pub value: u64,
}

/// The counts of one area. For logs read "streams" for series, "blocks" for chunks and
/// "entries" for samples. Every list is sorted by value, largest first, ties by name, and
/// holds at most `limit` entries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cardinality {
    /// Distinct series.
    pub series: u64,
    /// Distinct `name=value` pairs among them.
    pub label_pairs: u64,
    /// Chunk (block) references in the index; a chunk lives in one part, so none counts twice.
    pub chunks: u64,
    pub samples: u64,
    /// Metrics: compressed bytes of the chunks on disk. Logs: bytes of the lines and their
    /// metadata as ingested.
    pub bytes: u64,
    /// Oldest and newest time of the counted chunks (the area's unit); `None` when nothing
    /// counted.
    pub min_time: Option<i64>,
    pub max_time: Option<i64>,
    /// Series per metric name (values of `__name__`).
    pub series_by_metric_name: Vec<Stat>,
    /// Distinct values per label name.
    pub values_by_label_name: Vec<Stat>,
    /// Per label name, the bytes of its name and value summed over the series that carry it:
    /// what the label costs in the label sets (Prometheus' `memoryInBytesByLabelName`).
    pub label_bytes_by_label_name: Vec<Stat>,
    /// Series per `name=value` pair.
    pub series_by_label_pair: Vec<Stat>,
    /// Series per value of the focus label (empty without one).
    pub series_by_focus_value: Vec<Stat>,
    /// Bytes (as in [`Cardinality::bytes`]) per series, named by its label set.
    pub bytes_by_series: Vec<Stat>,
    /// Bytes per `name=value` pair: of the series that carry it.
    pub bytes_by_label_pair: Vec<Stat>,
    /// Bytes per value of the focus label (empty without one).
    pub bytes_by_focus_value: Vec<Stat>,
}

/// What the index says of one series in one part (or, summed, in all of them), within the
/// query's range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Footprint {
    pub chunks: u64,
    pub samples: u64,
    pub bytes: u64,
    pub min_t: i64,
    pub max_t: i64,
}

impl Footprint {
    fn add_chunk(&mut self, min_t: i64, max_t: i64, count: u64, bytes: u64) {
        if self.chunks == 0 {
            self.min_t = min_t;
            self.max_t = max_t;
        } else {
            self.min_t = self.min_t.min(min_t);
            self.max_t = self.max_t.max(max_t);
        }
        self.chunks += 1;
        self.samples += count;
        self.bytes += bytes;
    }

    fn merge(&mut self, other: Footprint) {
        if other.chunks == 0 {
            return;
        }
        if self.chunks == 0 {
            *self = other;
            return;
        }
        self.min_t = self.min_t.min(other.min_t);
        self.max_t = self.max_t.max(other.max_t);
        self.chunks += other.chunks;
        self.samples += other.samples;
        self.bytes += other.bytes;
    }
}

fn overlaps(range: Option<(i64, i64)>, min_t: i64, max_t: i64) -> bool {
    range.is_none_or(|(from, to)| max_t >= from && min_t <= to)
}

/// One part as the counting sees it: its label sets, the footprint of each, and which ones
/// the query selects (ascending, so in label order).
struct PartView<'a> {
    labels: Box<dyn Fn(u32) -> &'a Labels + 'a>,
    footprint: Box<dyn Fn(u32) -> Footprint + 'a>,
    selected: Vec<u32>,
}

/// The indexes (out of `count`) matching any of `selectors`, ascending; all without selectors.
fn select(
    selectors: &[Vec<Matcher>],
    count: usize,
    matching: impl Fn(&[Matcher]) -> Vec<u32>,
) -> Vec<u32> {
    match selectors {
        [] => (0..count as u32).collect(),
        [one] => matching(one),
        many => {
            let mut all: Vec<u32> = many.iter().flat_map(|m| matching(m)).collect();
            all.sort_unstable();
            all.dedup();
            all
        }
    }
}

/// The metric parts of `snap` as views.
fn metric_views<'a>(snap: &'a Snapshot, q: &CardinalityQuery) -> Vec<PartView<'a>> {
    let range = q.range;
    snap.parts()
        .iter()
        .filter(|p| !p.series.is_empty() && overlaps(range, p.min_t, p.max_t))
        .map(|p| {
            let part: &'a super::metrics::Part = p;
            PartView {
                labels: Box::new(move |i| &part.series[i as usize].labels),
                footprint: Box::new(move |i| {
                    let mut f = Footprint::default();
                    for c in &part.series[i as usize].chunks {
                        if overlaps(range, c.min_t, c.max_t) {
                            f.add_chunk(c.min_t, c.max_t, c.count as u64, c.len as u64);
                        }
                    }
                    f
                }),
                selected: select(&q.selectors, part.series.len(), |m| part.matching_series(m)),
            }
        })
        .collect()
}

/// The log parts of `snap` as views.
fn log_views<'a>(
    snap: &'a LogSnapshot,
    selectors: &[Vec<Matcher>],
    range: Option<(i64, i64)>,
) -> Vec<PartView<'a>> {
    snap.parts()
        .iter()
        .filter(|p| !p.streams.is_empty() && overlaps(range, p.min_t, p.max_t))
        .map(|p| {
            let part: &'a super::logs::LogPart = p;
            PartView {
                labels: Box::new(move |i| &part.streams[i as usize].labels),
                footprint: Box::new(move |i| {
                    let mut f = Footprint::default();
                    for b in &part.streams[i as usize].blocks {
                        if overlaps(range, b.min_t, b.max_t) {
                            f.add_chunk(b.min_t, b.max_t, b.count as u64, b.line_bytes as u64);
                        }
                    }
                    f
                }),
                selected: select(selectors, part.streams.len(), |m| part.matching_streams(m)),
            }
        })
        .collect()
}

/// Calls `each` once per distinct selected label set, in label order, with its footprint
/// summed over the parts; label sets without a chunk in the range are left out.
fn for_each_distinct<'a>(views: &[PartView<'a>], mut each: impl FnMut(&'a Labels, Footprint)) {
    if let [only] = views {
        // One part (the usual shape after a merge): no duplicates, no merging.
        for &i in &only.selected {
            let f = (only.footprint)(i);
            if f.chunks > 0 {
                each((only.labels)(i), f);
            }
        }
        return;
    }
    // The smallest label set at the top; ties by part, so all copies of one set pop together.
    let mut heap: BinaryHeap<Reverse<(&'a Labels, usize)>> = BinaryHeap::new();
    let mut cursor = vec![0usize; views.len()];
    for (v, view) in views.iter().enumerate() {
        if let Some(&i) = view.selected.first() {
            heap.push(Reverse(((view.labels)(i), v)));
        }
    }
    while let Some(Reverse((labels, v))) = heap.pop() {
        let mut total = Footprint::default();
        let mut take = |v: usize, heap: &mut BinaryHeap<Reverse<(&'a Labels, usize)>>| {
            let view = &views[v];
            total.merge((view.footprint)(view.selected[cursor[v]]));
            cursor[v] += 1;
            if let Some(&next) = view.selected.get(cursor[v]) {
                heap.push(Reverse(((view.labels)(next), v)));
            }
        };
        take(v, &mut heap);
        while let Some(Reverse((other, w))) = heap.peek().copied() {
            if other != labels {
                break;
            }
            heap.pop();
            take(w, &mut heap);
        }
        if total.chunks > 0 {
            each(labels, total);
        }
    }
}

/// Counts of one label pair.
#[derive(Clone, Copy, Default)]
struct PairCount {
    series: u64,
    bytes: u64,
}

/// Counts the distinct series of `views`.
fn tally(views: &[PartView<'_>], q: &CardinalityQuery) -> Cardinality {
    let limit = q.limit;
    let mut c = Cardinality::default();
    // Keyed by strings borrowed from the snapshot's label sets: no allocation per series.
    let mut names: HashMap<&str, HashMap<&str, PairCount>> = HashMap::new();
    let mut by_series = TopN::new(limit);
    for_each_distinct(views, |labels, f| {
        c.series += 1;
        c.chunks += f.chunks;
        c.samples += f.samples;
        c.bytes += f.bytes;
        c.min_time = Some(c.min_time.map_or(f.min_t, |t| t.min(f.min_t)));
        c.max_time = Some(c.max_time.map_or(f.max_t, |t| t.max(f.max_t)));
        for (k, v) in labels.iter() {
            let values = match names.get_mut(k) {
                Some(values) => values,
                None => names.entry(k).or_default(),
            };
            let pair = values.entry(v).or_default();
            pair.series += 1;
            pair.bytes += f.bytes;
        }
        by_series.push(f.bytes, labels);
    });
    c.label_pairs = names.values().map(|v| v.len() as u64).sum();
    c.bytes_by_series = by_series.finish(|l| l.to_string());

    let values_of = |name: &str, value: fn(&PairCount) -> u64| {
        let mut top = TopN::new(limit);
        for (v, p) in names.get(name).into_iter().flatten() {
            top.push(value(p), *v);
        }
        top.finish(|v| v.to_string())
    };
    c.series_by_metric_name = values_of(METRIC_NAME, |p| p.series);
    if let Some(focus) = &q.focus_label {
        c.series_by_focus_value = values_of(focus, |p| p.series);
        c.bytes_by_focus_value = values_of(focus, |p| p.bytes);
    }

    let mut values = TopN::new(limit);
    let mut label_bytes = TopN::new(limit);
    let mut pair_series = TopN::new(limit);
    let mut pair_bytes = TopN::new(limit);
    for (&name, vals) in &names {
        values.push(vals.len() as u64, name);
        let bytes = vals
            .iter()
            .map(|(v, p)| (name.len() + v.len()) as u64 * p.series)
            .sum();
        label_bytes.push(bytes, name);
        for (&v, p) in vals {
            pair_series.push(p.series, (name, v));
            pair_bytes.push(p.bytes, (name, v));
        }
    }
    let pair = |(k, v): (&str, &str)| format!("{k}={v}");
    c.values_by_label_name = values.finish(|n| n.to_string());
    c.label_bytes_by_label_name = label_bytes.finish(|n| n.to_string());
    c.series_by_label_pair = pair_series.finish(pair);
    c.bytes_by_label_pair = pair_bytes.finish(pair);
    c
}

/// The cardinality of the metrics of `snap`. Times are ms.
pub fn metrics(snap: &Snapshot, q: &CardinalityQuery) -> Cardinality {
    tally(&metric_views(snap, q), q)
}

/// The cardinality of the log streams of `snap`. Times are ns.
pub fn logs(snap: &LogSnapshot, q: &CardinalityQuery) -> Cardinality {
    tally(&log_views(snap, &q.selectors, q.range), q)
}

/// The `n` largest values pushed, with their keys; ties go to the smaller key. Holds `n`
/// entries at most, so a store of a million label pairs costs a million pushes, not a sort.
struct TopN<K: Ord> {
    n: usize,
    /// The worst kept entry on top: smallest value, then largest key.
    heap: BinaryHeap<Reverse<(u64, Reverse<K>)>>,
}

impl<K: Ord> TopN<K> {
    fn new(n: usize) -> TopN<K> {
        TopN {
            n,
            heap: BinaryHeap::with_capacity(n.min(1 << 16) + 1),
        }
    }

    fn push(&mut self, value: u64, key: K) {
        if self.n == 0 {
            return;
        }
        if self.heap.len() == self.n {
            // Full: only an entry better than the worst kept gets in.
            let Some(Reverse((worst, Reverse(worst_key)))) = self.heap.peek() else {
                return;
            };
            if value < *worst || (value == *worst && key >= *worst_key) {
                return;
            }
            self.heap.pop();
        }
        self.heap.push(Reverse((value, Reverse(key))));
    }

    /// Best first, named by `name`.
    fn finish(self, name: impl Fn(K) -> String) -> Vec<Stat> {
        // Ascending order of `Reverse(entry)` is best entry first.
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|Reverse((value, Reverse(key)))| Stat {
                name: name(key),
                value,
            })
            .collect()
    }
}

/// How `index/volume` groups streams (Loki's `aggregateBy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VolumeBy {
    /// By label set: the stream's labels named by the query's matchers, or by
    /// `target_labels` (Loki's `series`, the default).
    #[default]
    Series,
    /// By label name: each label of a stream gets the stream's bytes (Loki's `labels`).
    Labels,
}

/// A log volume question, as Loki's `index/volume` asks it.
#[derive(Clone, Debug, Default)]
pub struct VolumeQuery {
    /// The stream selector's matchers; none is Loki's `{}` (every stream, all its labels).
    pub matchers: Vec<Matcher>,
    /// Loki's `targetLabels`: group by these labels only; streams without one of them are
    /// left out.
    pub target_labels: Vec<String>,
    pub by: VolumeBy,
    /// Inclusive, ns.
    pub from: i64,
    pub to: i64,
    pub limit: usize,
}

/// One group of a volume answer: its labels (for [`VolumeBy::Labels`], one label name with
/// an empty value) and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Volume {
    pub labels: Vec<(String, String)>,
    pub bytes: u64,
}

/// The bytes of the matching streams in the range, grouped as Loki's `index/volume` groups
/// them, largest first (ties by the group's labels), at most `limit` groups. A block that
/// overlaps the range counts whole, as in `index/stats`.
pub fn log_volume(snap: &LogSnapshot, q: &VolumeQuery) -> Vec<Volume> {
    let mut matchers = q.matchers.clone();
    let include_all = q.matchers.is_empty() && q.target_labels.is_empty();
    let group: Vec<&str> = if q.target_labels.is_empty() {
        q.matchers.iter().map(|m| m.name.as_str()).collect()
    } else {
        // Loki adds `name=~".+"` for each target label the selector does not name.
        for t in &q.target_labels {
            if !q.matchers.iter().any(|m| &m.name == t) {
                if let Ok(m) = Matcher::new(t.clone(), crate::model::MatchOp::RegexMatch, ".+") {
                    matchers.push(m);
                }
            }
        }
        q.target_labels.iter().map(String::as_str).collect()
    };
    let in_group = |name: &str| include_all || group.contains(&name);
    let selectors = [matchers];
    let views = log_views(snap, &selectors, Some((q.from, q.to)));
    let mut sums: HashMap<Vec<(&str, &str)>, u64> = HashMap::new();
    for_each_distinct(&views, |labels, f| match q.by {
        VolumeBy::Series => {
            let key: Vec<(&str, &str)> = labels.iter().filter(|(k, _)| in_group(k)).collect();
            *sums.entry(key).or_default() += f.bytes;
        }
        VolumeBy::Labels => {
            for (k, _) in labels.iter() {
                if q.target_labels.is_empty() || in_group(k) {
                    *sums.entry(vec![(k, "")]).or_default() += f.bytes;
                }
            }
        }
    });
    let mut top = TopN::new(q.limit);
    for (key, bytes) in sums {
        top.push(bytes, key);
    }
    top.heap
        .into_sorted_vec()
        .into_iter()
        .map(|Reverse((bytes, Reverse(key)))| Volume {
            labels: key
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            bytes,
        })
        .collect()
}

#[cfg(test)]
#[path = "cardinality_tests.rs"]
mod tests;
