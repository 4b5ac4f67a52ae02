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

/// Sorts a stream's entries by time, keeping append order among equal times, and removes
/// exact duplicates (same time, line and metadata), as Loki does: a line shipped twice is one
/// line.
pub fn sort_dedup_entries(entries: &mut Vec<LogEntry>) {
    if !entries.windows(2).all(|w| w[0].t <= w[1].t) {
        entries.sort_by_key(|e| e.t); // stable
    }
    let mut i = 0;
    let mut out: Vec<LogEntry> = Vec::with_capacity(entries.len());
    while i < entries.len() {
        // Within one timestamp, drop an entry equal to an earlier one of that timestamp.
        let t = entries[i].t;
        let start = out.len();
        while i < entries.len() && entries[i].t == t {
            let e = std::mem::take(&mut entries[i]);
            if !out[start..].contains(&e) {
                out.push(e);
            }
            i += 1;
        }
    }
    *entries = out;
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
