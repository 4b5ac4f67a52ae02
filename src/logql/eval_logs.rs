//! Evaluating log queries (`{app="api"} |= "error" != "timeout"`): the streams a selector
//! names, their lines in a time range that pass the line filters, newest or oldest first, up to
//! a limit.
//!
//! The store does the cheap work first: only labels are indexed, so a selector costs a
//! postings lookup; a block is decompressed only when its time range overlaps the query and
//! its trigram filter admits every substring a `|=` filter requires. Blocks are visited in the
//! query's direction across all streams, and the walk stops as soon as no unvisited block can
//! hold an entry that would make the limit.
//!
//! Every entry that passes goes through the query's pipeline (`pipeline/`). A pipeline that
//! only filters lines keeps the stream's labels; one with parsers or label stages may give each
//! entry its own label set, so results are grouped by the labels each entry ends with, as
//! Loki's are. Structured metadata is part of those labels, as in Loki's answers, unless the
//! labels are asked categorized ([`run_log_query_categorized`]): then results are grouped by
//! the stream's own labels, and each entry carries its structured metadata and the labels its
//! pipeline parsed apart, as Loki answers `X-Loki-Response-Encoding-Flags: categorize-labels`.

use super::ast::LogExpr;
use super::pipeline::{EntryLabels, Pipeline};
use crate::model::{Labels, LogEntry};
use crate::store::logs::snapshot::{BlockHandle, BlockStats};
use crate::store::logs::{LogQuery, LogSnapshot};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

/// Which entries come first, and which the limit keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Oldest first.
    Forward,
    /// Newest first (Loki's default).
    Backward,
}

/// The time range (nanoseconds, `from` inclusive, `to` exclusive, as Loki's API), the limit
/// and the direction of a log query.
#[derive(Clone, Copy, Debug)]
pub struct LogQueryOptions {
    pub from: i64,
    pub to: i64,
    pub limit: usize,
    pub direction: Direction,
}

/// One stream of the result, its entries in the query's direction.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamResult {
    pub labels: Labels,
    pub entries: Vec<LogEntry>,
    /// Categorized answers only: for each entry, the labels its pipeline parsed or set (with
    /// `__error__`), sorted by name; `labels` are then the stream's own labels and each
    /// entry's `metadata` its structured metadata. Empty otherwise.
    pub parsed: Vec<Vec<(String, String)>>,
}

impl StreamResult {
    /// A stream of plain (not categorized) entries.
    pub fn new(labels: Labels, entries: Vec<LogEntry>) -> StreamResult {
        StreamResult {
            labels,
            entries,
            parsed: Vec::new(),
        }
    }
}

/// What a log query read, for `--stats`.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogQueryStats {
    pub streams: u64,
    pub blocks: BlockStats,
    pub blocks_read: u64,
    pub lines_scanned: u64,
    pub bytes_scanned: u64,
}

/// Why a log query cannot run.
#[derive(Debug, thiserror::Error)]
pub enum LogEvalError {
    #[error("{0}")]
    Pipeline(#[from] super::pipeline::PipelineError),
    #[error("storage error: {0}")]
    Storage(#[from] crate::store::StoreError),
}

thread_local! {
    /// Each worker's zstd context and decompression buffer, made once per thread.
    static DECODER: std::cell::RefCell<(Option<zstd::bulk::Decompressor<'static>>, Vec<u8>)> =
        const { std::cell::RefCell::new((None, Vec::new())) };
}

/// Visits the entries of one block (time, line, structured metadata) with this thread's
/// decoder, so that worker threads each decompress with one reused context.
pub(crate) fn visit_block(
    snap: &LogSnapshot,
    h: &BlockHandle,
    f: &mut crate::store::logs::block::EntryVisitor,
) -> Result<(), LogEvalError> {
    DECODER.with_borrow_mut(|(dctx, raw)| {
        let dctx = match dctx {
            Some(d) => d,
            None => dctx.insert(zstd::bulk::Decompressor::new().map_err(|e| {
                crate::store::StoreError::Invalid(format!("cannot start zstd: {e}"))
            })?),
        };
        Ok(snap.visit(h, dctx, raw, f)?)
    })
}

/// Worker threads for decoding blocks.
pub(crate) fn decode_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get().min(8))
        .unwrap_or(1)
}

/// The lines of one block that passed the pipeline, with their labels when those are not the
/// stream's own.
#[derive(Default)]
struct BlockLines {
    stream: usize,
    entries: Vec<Found>,
    scanned: u64,
    bytes: u64,
}

/// An entry that passed the pipeline: with its own labels when they are not its stream's
/// (with categorized labels: its stream's labels as the pipeline left them), and the labels
/// it parsed when categorized.
#[derive(Clone, Debug, PartialEq)]
struct Found {
    entry: LogEntry,
    labels: Option<Labels>,
    parsed: Vec<(String, String)>,
}

/// The times of the best `limit` entries so far, the worst on top of the heap (stored
/// negated when forward, so that the heap's minimum is always the worst).
struct Kept {
    backward: bool,
    limit: usize,
    times: BinaryHeap<Reverse<i64>>,
}

impl Kept {
    /// The heap key: larger is better.
    fn key(&self, t: i64) -> i64 {
        if self.backward {
            t
        } else {
            -t
        }
    }

    /// Whether an entry at `t` makes the limit; if so it is recorded (and the worst dropped).
    fn offer(&mut self, t: i64) -> bool {
        let k = self.key(t);
        if self.times.len() >= self.limit {
            match self.times.peek() {
                Some(Reverse(worst)) if k <= *worst => return false,
                _ => {
                    self.times.pop();
                }
            }
        }
        self.times.push(Reverse(k));
        true
    }

    /// Whether no entry of block `h` can make the limit any more.
    fn rules_out(&self, h: &BlockHandle) -> bool {
        if self.times.len() < self.limit {
            return false;
        }
        let best_in_block = if self.backward {
            h.block.max_t
        } else {
            h.block.min_t
        };
        matches!(self.times.peek(), Some(Reverse(worst)) if self.key(best_in_block) < *worst)
    }
}

/// Runs a log query on a snapshot.
pub fn run_log_query(
    snap: &LogSnapshot,
    expr: &LogExpr,
    opts: &LogQueryOptions,
) -> Result<(Vec<StreamResult>, LogQueryStats), LogEvalError> {
    evaluate(snap, expr, opts, false)
}

/// Runs a log query on a snapshot with categorized labels: streams by their own labels, each
/// entry with its structured metadata and parsed labels apart ([`StreamResult::parsed`]).
pub fn run_log_query_categorized(
    snap: &LogSnapshot,
    expr: &LogExpr,
    opts: &LogQueryOptions,
) -> Result<(Vec<StreamResult>, LogQueryStats), LogEvalError> {
    evaluate(snap, expr, opts, true)
}

fn evaluate(
    snap: &LogSnapshot,
    expr: &LogExpr,
    opts: &LogQueryOptions,
    categorize: bool,
) -> Result<(Vec<StreamResult>, LogQueryStats), LogEvalError> {
    let pipeline = Pipeline::compile(expr)?;
    let mut stats = LogQueryStats::default();
    if opts.limit == 0 || opts.from >= opts.to {
        return Ok((Vec::new(), stats));
    }
    let q = LogQuery {
        matchers: expr.selector.clone(),
        from: opts.from,
        to: opts.to - 1,
        required: pipeline.required().to_vec(),
    };
    let streams = snap.streams(&q.matchers, q.from, q.to);
    stats.streams = streams.len() as u64;
    let mut blocks: Vec<(usize, BlockHandle)> = Vec::new();
    for (si, s) in streams.iter().enumerate() {
        for h in snap.blocks(s, &q, &mut stats.blocks) {
            blocks.push((si, h));
        }
    }
    let backward = opts.direction == Direction::Backward;
    // Visit blocks in the query's direction: newest end first when backward.
    if backward {
        blocks.sort_by_key(|(_, h)| Reverse((h.block.max_t, h.block.min_t)));
    } else {
        blocks.sort_by_key(|(_, h)| (h.block.min_t, h.block.max_t));
    }
    // The `limit` best times kept so far, the worst on top: a min-heap of times when
    // backward (the worst kept is the oldest), a max-heap when forward.
    let kept = std::cell::RefCell::new(Kept {
        backward,
        limit: opts.limit,
        times: BinaryHeap::new(),
    });
    let mut per_stream: Vec<Vec<Found>> = vec![Vec::new(); streams.len()];
    // Blocks are decoded and filtered on worker threads, lines borrowed from the decompressed
    // buffer until one passes; results are merged in visiting order on this thread.
    crate::parallel::for_each_ordered(
        decode_threads(),
        |emit| {
            for (si, h) in blocks {
                // Once `limit` entries are kept, a block entirely worse than the worst kept
                // cannot contribute, nor can any later block, which are all further away.
                if kept.borrow().rules_out(&h) {
                    break;
                }
                emit((si, h))?;
            }
            Ok(())
        },
        |(si, h): (usize, BlockHandle)| -> Result<BlockLines, LogEvalError> {
            let mut out = BlockLines {
                stream: si,
                ..BlockLines::default()
            };
            let mut labels = EntryLabels::new(&streams[si].labels);
            visit_block(snap, &h, &mut |t, line, md| {
                if t < opts.from || t >= opts.to {
                    return;
                }
                out.scanned += 1;
                out.bytes += line.len() as u64;
                let found = match pipeline.line_only() {
                    // Structured metadata becomes labels, so only entries without any may
                    // keep the stream's own label set.
                    Some(steps) if md.is_empty() => match steps.filter(line) {
                        Some(l) => Found {
                            entry: LogEntry::new(t, l.into_owned()),
                            labels: None,
                            parsed: Vec::new(),
                        },
                        None => return,
                    },
                    _ => {
                        labels.reset(md);
                        let Some(l) = pipeline.process(t, line, &mut labels) else {
                            return;
                        };
                        if categorize {
                            let c = labels.categories();
                            Found {
                                entry: LogEntry {
                                    t,
                                    line: l.into_owned(),
                                    metadata: c.metadata,
                                },
                                labels: c.stream,
                                parsed: c.parsed,
                            }
                        } else {
                            Found {
                                entry: LogEntry {
                                    t,
                                    line: l.into_owned(),
                                    metadata: md.to_vec(),
                                },
                                labels: (!labels.unchanged()).then(|| labels.to_labels()),
                                parsed: Vec::new(),
                            }
                        }
                    }
                };
                out.entries.push(found);
            })?;
            // In the query's order, so that the blocks' lines, which arrive in that order,
            // need next to no sorting at the end.
            if backward {
                out.entries.reverse();
            }
            Ok(out)
        },
        |b: BlockLines| {
            stats.blocks_read += 1;
            stats.lines_scanned += b.scanned;
            stats.bytes_scanned += b.bytes;
            let mut kept = kept.borrow_mut();
            for f in b.entries {
                if kept.offer(f.entry.t) {
                    per_stream[b.stream].push(f);
                }
            }
            Ok(())
        },
    )?;
    // Entries kept per stream may still include some pushed out of the heap later; keep the
    // `limit` best overall, ties broken by stream order for a stable answer.
    let mut all: Vec<(usize, Found)> = per_stream
        .into_iter()
        .enumerate()
        .flat_map(|(si, v)| v.into_iter().map(move |f| (si, f)))
        .collect();
    if backward {
        all.sort_by(|a, b| b.1.entry.t.cmp(&a.1.entry.t).then(a.0.cmp(&b.0)));
    } else {
        all.sort_by(|a, b| a.1.entry.t.cmp(&b.1.entry.t).then(a.0.cmp(&b.0)));
    }
    all.truncate(opts.limit);
    // Back to streams, keyed by each entry's final labels, in label order.
    let mut grouped: BTreeMap<Labels, Vec<Found>> = BTreeMap::new();
    for (si, mut f) in all {
        let labels = f
            .labels
            .take()
            .unwrap_or_else(|| streams[si].labels.clone());
        let found = grouped.entry(labels).or_default();
        // Exact duplicates from unmerged parts are one line.
        if found.last() != Some(&f) {
            found.push(f);
        }
    }
    let out = grouped
        .into_iter()
        .map(|(labels, found)| {
            let (entries, parsed) = found.into_iter().map(|f| (f.entry, f.parsed)).unzip();
            StreamResult {
                labels,
                entries,
                parsed: if categorize { parsed } else { Vec::new() },
            }
        })
        .collect();
    Ok((out, stats))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn log_expr(q: &str) -> LogExpr {
        match crate::logql::parse_for_eval(q).unwrap() {
            crate::logql::Expr::Log(l) => l,
            other => panic!("not a log query: {other:?}"),
        }
    }

    /// Two streams over two commits, interleaved in time: a{i} at even seconds, b at odd.
    fn store() -> (tempfile::TempDir, Store) {
        let d = tempfile::tempdir().unwrap();
        let s = Store::open(&d.path().join("s")).unwrap();
        for half in 0..2 {
            let mut w = s.log_writer();
            for i in (half * 50)..(half * 50 + 50) {
                let (app, t) = if i % 2 == 0 { ("a", i) } else { ("b", i) };
                let level = if i % 10 == 0 { "error" } else { "info" };
                w.append(
                    &Labels::from_pairs([("app", app)]),
                    LogEntry::new(
                        t * 1_000_000_000,
                        format!("level={level} n={i} \u{1b}[31mred\u{1b}[0m"),
                    ),
                )
                .unwrap();
            }
            w.commit().unwrap();
        }
        (d, s)
    }

    #[test]
    fn categorized_labels_keep_stream_metadata_and_parsed_apart() {
        let d = tempfile::tempdir().unwrap();
        let s = Store::open(&d.path().join("s")).unwrap();
        let mut w = s.log_writer();
        let stream = Labels::from_pairs([("app", "a"), ("env", "prod")]);
        for (i, trace) in ["t1", "t2"].iter().enumerate() {
            let mut e = LogEntry::new(i as i64 + 1, format!("level=error msg=m{i}"));
            e.metadata = vec![("trace_id".to_string(), trace.to_string())];
            w.append(&stream, e).unwrap();
        }
        w.commit().unwrap();
        let snap = s.log_snapshot().unwrap();
        let opts = LogQueryOptions {
            from: 0,
            to: 10,
            limit: 10,
            direction: Direction::Forward,
        };
        let q = log_expr(r#"{app="a"} | logfmt | drop msg, env"#);
        // Plain: one stream per label set, metadata and parsed labels among the labels.
        let (plain, _) = run_log_query(&snap, &q, &opts).unwrap();
        assert_eq!(plain.len(), 2);
        assert_eq!(
            plain[0].labels,
            Labels::from_pairs([("app", "a"), ("level", "error"), ("trace_id", "t1")])
        );
        assert!(plain[0].parsed.is_empty());
        // Categorized: one stream, by its own labels as the pipeline left them (`env` dropped).
        let (cat, _) = run_log_query_categorized(&snap, &q, &opts).unwrap();
        assert_eq!(cat.len(), 1, "{cat:?}");
        assert_eq!(cat[0].labels, Labels::from_pairs([("app", "a")]));
        let e = &cat[0].entries;
        assert_eq!(e[1].metadata, [("trace_id".to_string(), "t2".to_string())]);
        assert_eq!(
            cat[0].parsed,
            vec![vec![("level".to_string(), "error".to_string())]; 2]
        );
        // A parse failure is a parsed label, as Loki files `__error__`.
        let q = log_expr(r#"{app="a"} | json"#);
        let (cat, _) = run_log_query_categorized(&snap, &q, &opts).unwrap();
        assert_eq!(cat[0].labels, stream);
        assert_eq!(cat[0].parsed[0][0].0, "__error__");
    }

    fn run(s: &Store, q: &str, limit: usize, direction: Direction) -> Vec<(String, Vec<i64>)> {
        let opts = LogQueryOptions {
            from: 0,
            to: 1_000 * 1_000_000_000,
            limit,
            direction,
        };
        let (streams, _) = run_log_query(&s.log_snapshot().unwrap(), &log_expr(q), &opts).unwrap();
        streams
            .into_iter()
            .map(|r| {
                (
                    r.labels.get("app").unwrap().to_string(),
                    r.entries.iter().map(|e| e.t / 1_000_000_000).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn limit_and_direction_pick_the_newest_or_oldest_across_streams_and_parts() {
        let (_d, s) = store();
        let got = run(&s, r#"{app=~"a|b"}"#, 5, Direction::Backward);
        assert_eq!(
            got,
            vec![("a".into(), vec![98, 96]), ("b".into(), vec![99, 97, 95])]
        );
        let got = run(&s, r#"{app=~"a|b"}"#, 3, Direction::Forward);
        assert_eq!(got, vec![("a".into(), vec![0, 2]), ("b".into(), vec![1])]);
        let got = run(&s, r#"{app="a"}"#, 1000, Direction::Forward);
        assert_eq!(got[0].1.len(), 50);
    }

    #[test]
    fn line_filters_and_or_chains() {
        let (_d, s) = store();
        let got = run(
            &s,
            r#"{app="a"} |= "level=error" != "n=20""#,
            100,
            Direction::Forward,
        );
        assert_eq!(
            got,
            vec![("a".into(), vec![0, 10, 30, 40, 50, 60, 70, 80, 90])]
        );
        let got = run(
            &s,
            r#"{app="b"} |= "n=1 " or "n=3 ""#,
            100,
            Direction::Forward,
        );
        assert_eq!(got, vec![("b".into(), vec![1, 3])]);
        let got = run(
            &s,
            r#"{app=~".+"} |~ "n=(1|2)[05] " !~ "n=2""#,
            100,
            Direction::Forward,
        );
        assert_eq!(got, vec![("a".into(), vec![10]), ("b".into(), vec![15])]);
    }

    #[test]
    fn decolorize_rewrites_lines_and_later_filters_see_the_result() {
        let (_d, s) = store();
        let opts = LogQueryOptions {
            from: 0,
            to: 10_000_000_000,
            limit: 1,
            direction: Direction::Forward,
        };
        let (streams, _) = run_log_query(
            &s.log_snapshot().unwrap(),
            &log_expr(r#"{app="a"} | decolorize |= "n=0 red""#),
            &opts,
        )
        .unwrap();
        assert_eq!(streams[0].entries[0].line, "level=error n=0 red");
    }

    #[test]
    fn parsed_labels_regroup_entries_and_label_filters_select() {
        let (_d, s) = store();
        let opts = LogQueryOptions {
            from: 0,
            to: 1_000 * 1_000_000_000,
            limit: 100,
            direction: Direction::Forward,
        };
        let (streams, _) = run_log_query(
            &s.log_snapshot().unwrap(),
            &log_expr(r#"{app=~"a|b"} | logfmt | level="error" or n=~"1[0-2]" | drop n"#),
            &opts,
        )
        .unwrap();
        let got: Vec<(String, Vec<i64>)> = streams
            .iter()
            .map(|r| {
                (
                    r.labels.to_string(),
                    r.entries.iter().map(|e| e.t / 1_000_000_000).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    r#"{app="a", level="error"}"#.to_string(),
                    vec![0, 10, 20, 30, 40, 50, 60, 70, 80, 90]
                ),
                (r#"{app="a", level="info"}"#.to_string(), vec![12]),
                (r#"{app="b", level="info"}"#.to_string(), vec![11]),
            ]
        );
    }

    /// Lines `log line {i}` of stream `{app="a"}`, one per millisecond, enough to fill many
    /// blocks.
    fn many_blocks() -> (tempfile::TempDir, Store, usize) {
        let d = tempfile::tempdir().unwrap();
        let s = Store::open(&d.path().join("s")).unwrap();
        let n = 60_000;
        let mut w = s.log_writer();
        let stream = Labels::from_pairs([("app", "a")]);
        for i in 0..n {
            let pad = "x".repeat(40);
            let line = format!("log line {i} {pad}");
            w.append(&stream, LogEntry::new(i as i64 * 1_000_000, line))
                .unwrap();
        }
        w.commit().unwrap();
        (d, s, n)
    }

    #[test]
    fn line_format_without_a_parser_formats_every_line_of_many_blocks() {
        let (_d, s, n) = many_blocks();
        let opts = LogQueryOptions {
            from: 0,
            to: 1_000 * 1_000_000_000,
            limit: n,
            direction: Direction::Forward,
        };
        let snap = s.log_snapshot().unwrap();
        // A query, and the line it should give for the `i`th stored line.
        type Case = (&'static str, fn(usize) -> String);
        let cases: [Case; 2] = [
            (r#"{app="a"} | line_format "x""#, |_| "x".to_string()),
            (
                r#"{app="a"} |= "line" | line_format "{{ __line__ }} of {{.app}}""#,
                |i| format!("log line {i} {} of a", "x".repeat(40)),
            ),
        ];
        for (q, want) in cases {
            let (streams, stats) = run_log_query(&snap, &log_expr(q), &opts).unwrap();
            assert!(
                stats.blocks_read > 2,
                "{q}: only {} blocks",
                stats.blocks_read
            );
            assert_eq!(streams.len(), 1, "{q}");
            let lines: Vec<&str> = streams[0].entries.iter().map(|e| e.line.as_str()).collect();
            assert_eq!(lines.len(), n, "{q}");
            for (i, l) in lines.iter().enumerate() {
                assert_eq!(*l, want(i), "{q}");
            }
        }
    }
}
