//! Following a log query live (`argus query --tail`, Loki's `/loki/api/v1/tail`): the same
//! query asked again and again from the newest time already shown, keeping only lines not
//! shown before.
//!
//! Why not remember a position in the store: new lines may be committed with times older
//! than the newest shown (several writers, backfill), and parts are merged under the reader.
//! Times are what is stable, so the cursor is the newest time shown plus the lines shown at
//! exactly that time, since more lines of that same nanosecond may still arrive.

use super::eval_logs::{Direction, LogQueryOptions, StreamResult};
use crate::model::{Labels, LogEntry};

/// What has been shown so far.
#[derive(Clone, Debug)]
pub struct TailCursor {
    /// Where the tail started (ns), for the first query.
    from: i64,
    last_t: i64,
    /// The lines shown at `last_t`.
    at_last: Vec<(Labels, String)>,
}

impl TailCursor {
    /// A tail whose first query starts at `from` (ns).
    pub fn new(from: i64) -> TailCursor {
        TailCursor {
            from,
            last_t: i64::MIN,
            at_last: Vec::new(),
        }
    }

    /// The next query's options: everything from the newest time shown up to `now_ns`
    /// (plus a second, for clocks of other writers a little ahead), oldest first.
    pub fn next_query(&self, now_ns: i64) -> LogQueryOptions {
        LogQueryOptions {
            from: self.last_t.max(self.from),
            to: now_ns.saturating_add(1_000_000_000),
            limit: usize::MAX,
            direction: Direction::Forward,
        }
    }

    /// Keeps the entries of `streams` not shown before and records them as shown.
    pub fn fresh(&mut self, streams: Vec<StreamResult>) -> Vec<StreamResult> {
        let mut fresh: Vec<StreamResult> = Vec::new();
        for s in streams {
            let entries: Vec<LogEntry> = s
                .entries
                .into_iter()
                .filter(|e| {
                    e.t > self.last_t
                        || (e.t == self.last_t
                            && !self
                                .at_last
                                .iter()
                                .any(|(l, line)| *l == s.labels && *line == e.line))
                })
                .collect();
            if !entries.is_empty() {
                fresh.push(StreamResult::new(s.labels, entries));
            }
        }
        let newest = fresh
            .iter()
            .flat_map(|s| s.entries.iter().map(|e| e.t))
            .max();
        if let Some(t) = newest {
            if t > self.last_t {
                self.last_t = t;
                self.at_last.clear();
            }
            for s in &fresh {
                for e in s.entries.iter().filter(|e| e.t == self.last_t) {
                    self.at_last.push((s.labels.clone(), e.line.clone()));
                }
            }
        }
        fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(l: &str, entries: &[(i64, &str)]) -> StreamResult {
        StreamResult {
            labels: Labels::from_pairs([("app", l)]),
            parsed: Vec::new(),
            entries: entries.iter().map(|&(t, s)| LogEntry::new(t, s)).collect(),
        }
    }

    #[test]
    fn lines_at_the_newest_time_are_shown_once_and_later_ones_at_that_time_still_are() {
        let mut c = TailCursor::new(0);
        let first = c.fresh(vec![stream("a", &[(1, "x"), (5, "y")])]);
        assert_eq!(first[0].entries.len(), 2);
        assert_eq!(c.next_query(100).from, 5);
        // The query from 5 finds "y" again and a new line at 5, and one at 6.
        let second = c.fresh(vec![stream("a", &[(5, "y"), (5, "z"), (6, "w")])]);
        let lines: Vec<&str> = second[0].entries.iter().map(|e| e.line.as_str()).collect();
        assert_eq!(lines, ["z", "w"]);
        assert!(c.fresh(vec![stream("a", &[(6, "w")])]).is_empty());
    }
}
