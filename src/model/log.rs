//! Log entries: what a log stream holds.

/// One log line of a stream: its time in nanoseconds since the Unix epoch, the line, and
/// structured metadata (name/value pairs kept with the entry but not indexed).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct LogEntry {
    pub t: i64,
    pub line: String,
    pub metadata: Vec<(String, String)>,
}

impl LogEntry {
    pub fn new(t: i64, line: impl Into<String>) -> LogEntry {
        LogEntry {
            t,
            line: line.into(),
            metadata: Vec::new(),
        }
    }

    /// Bytes this entry stands for in the raw log: its line and metadata.
    pub fn raw_len(&self) -> usize {
        self.line.len()
            + self
                .metadata
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>()
    }
}

/// The order in which a stream's `n` entries are kept: by time, append order among equal
/// times, and without exact duplicates (same time, line and metadata, as `same(i, j)` says),
/// as Loki keeps them: a line shipped twice is one line. `None` when that is every entry in
/// the order given, the common case, which costs one pass and no allocation.
pub fn kept_order(
    n: usize,
    time: impl Fn(usize) -> i64,
    same: impl Fn(usize, usize) -> bool,
) -> Option<Vec<usize>> {
    let in_order = (1..n).all(|i| time(i - 1) <= time(i));
    if in_order {
        // Only a repeat within a run of equal times can need dropping.
        let mut run_start = 0;
        let repeats = (1..n).any(|i| {
            if time(i) != time(i - 1) {
                run_start = i;
                return false;
            }
            (run_start..i).any(|j| same(i, j))
        });
        if !repeats {
            return None;
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    if !in_order {
        order.sort_by_key(|&i| time(i)); // stable
    }
    let mut kept: Vec<usize> = Vec::with_capacity(n);
    let mut run_start = 0;
    for i in order {
        if kept.last().map(|&j| time(j)) != Some(time(i)) {
            run_start = kept.len();
        }
        if !kept[run_start..].iter().any(|&j| same(i, j)) {
            kept.push(i);
        }
    }
    Some(kept)
}

/// Puts a stream's entries in [`kept_order`].
pub fn sort_dedup_entries(entries: &mut Vec<LogEntry>) {
    let Some(order) = kept_order(
        entries.len(),
        |i| entries[i].t,
        |i, j| entries[i] == entries[j],
    ) else {
        return;
    };
    let mut taken: Vec<Option<LogEntry>> = entries.drain(..).map(Some).collect();
    entries.extend(order.into_iter().filter_map(|i| taken[i].take()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_is_stable_and_exact_duplicates_go() {
        let mut v = vec![
            LogEntry::new(2, "b"),
            LogEntry::new(1, "x"),
            LogEntry::new(2, "a"),
            LogEntry::new(2, "b"),
            LogEntry::new(1, "x"),
        ];
        sort_dedup_entries(&mut v);
        let got: Vec<(i64, &str)> = v.iter().map(|e| (e.t, e.line.as_str())).collect();
        assert_eq!(got, [(1, "x"), (2, "b"), (2, "a")]);
    }
}
