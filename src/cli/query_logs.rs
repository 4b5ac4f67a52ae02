//! `argus query` for LogQL log queries: lines from the store's log streams, printed as lines
//! (the default), an aligned table, raw lines, or JSON shaped like Loki's API (`streams`).
//!
//! `--limit N` keeps the newest (or with `--direction forward` the oldest) N lines, and says so
//! on stderr when it left lines out: the query asks for one line more than it prints to know.
//! `--limit 0` is no limit, as in logcli.

use super::exit::{CliError, CliResult};
use super::output::OutputFormat;
use super::query::QueryArgs;
use super::GlobalArgs;
use crate::logql::eval_logs::{run_log_query, Direction, LogQueryOptions, StreamResult};
use crate::logql::LogExpr;
use crate::model::time::{format_rfc3339, now_ms, MS_PER_HOUR};
use crate::model::{Labels, LogEntry};
use crate::store::logs::LogSnapshot;
use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::time::Instant;

/// Runs a log query on the local store and prints its streams.
/// `snap`: the snapshot language detection opened, if it did.
pub fn run(
    global: &GlobalArgs,
    args: &QueryArgs,
    expr: &LogExpr,
    snap: Option<LogSnapshot>,
) -> CliResult {
    let format = match global.output {
        None => LogOutput::Lines,
        Some(f) => match global.output_or(
            f,
            &[OutputFormat::Table, OutputFormat::Json, OutputFormat::Raw],
            "query (LogQL)",
        )? {
            OutputFormat::Table => LogOutput::Table,
            OutputFormat::Json => LogOutput::Json,
            _ => LogOutput::Raw,
        },
    };
    if args.time.is_some() {
        return Err(CliError::usage(
            "a log query reads a time range: use --since, --from and --to instead of --time",
        ));
    }
    let now = now_ms();
    let range = args.range.resolve(now, now - MS_PER_HOUR)?;
    let opts = LogQueryOptions {
        from: range.from.saturating_mul(1_000_000),
        // `--to` is inclusive to the millisecond; the engine's end is exclusive.
        to: range.to.saturating_mul(1_000_000).saturating_add(1_000_000),
        limit: lines_to_ask(args.limit),
        direction: match args.direction {
            super::query::DirectionArg::Forward => Direction::Forward,
            super::query::DirectionArg::Backward => Direction::Backward,
        },
    };
    if args.tail {
        if args.server.is_some() {
            return Err(CliError::usage(
                "--tail follows the local store; it cannot be combined with --server",
            ));
        }
        let opts = LogQueryOptions {
            limit: no_limit_is_max(args.limit),
            ..opts
        };
        return tail(global, expr, opts, format);
    }
    let started = Instant::now();
    if let Some(url) = &args.server {
        let mut streams = remote_streams(url, args, &opts)?;
        note_if_cut(global, &mut streams, args.limit, opts.direction);
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        let r = write_streams(&mut out, &streams, format, opts.direction).and_then(|_| out.flush());
        return super::stdout_result(r);
    }
    let snap = match snap {
        Some(s) => s,
        None => global
            .open_store()?
            .log_snapshot()
            .map_err(|e| CliError::store("cannot read store", &e))?,
    };
    let (mut streams, stats) = run_log_query(&snap, expr, &opts)?;
    let evaluated = started.elapsed();
    note_if_cut(global, &mut streams, args.limit, opts.direction);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let r = write_streams(&mut out, &streams, format, opts.direction).and_then(|_| out.flush());
    if args.stats {
        let b = stats.blocks;
        eprintln!(
            "query statistics:\n  evaluate       {:9.3} ms\n  streams        {:9}\n  blocks         {:9} in range, {} skipped by filters, {} read\n  lines scanned  {:9}\n  bytes scanned  {:9}",
            evaluated.as_secs_f64() * 1000.0,
            stats.streams,
            b.blocks_in_range,
            b.blocks_skipped_by_filter,
            stats.blocks_read,
            stats.lines_scanned,
            stats.bytes_scanned
        );
    }
    super::stdout_result(r)
}

/// `--limit` as a count: 0 (no limit) is every line.
fn no_limit_is_max(limit: usize) -> usize {
    if limit == 0 {
        usize::MAX
    } else {
        limit
    }
}

/// How many lines to ask for: one more than `--limit` prints, so that a cut result is known.
fn lines_to_ask(limit: usize) -> usize {
    no_limit_is_max(limit).saturating_add(1)
}

/// Cuts `streams` to `--limit` lines and, when that left lines out, says so on stderr (unless
/// --quiet), so that a result of exactly the limit is not taken for the whole story.
fn note_if_cut(
    global: &GlobalArgs,
    streams: &mut Vec<StreamResult>,
    limit: usize,
    direction: Direction,
) {
    if cut_to_limit(streams, no_limit_is_max(limit), direction) {
        let which = match direction {
            Direction::Backward => "last",
            Direction::Forward => "first",
        };
        global.note(format!(
            "showing the {which} {limit} lines; --limit N or --limit 0 for all"
        ));
    }
}

/// Keeps the first `limit` entries in output order (newest first when backward, oldest first
/// when forward; ties in stream order, as printed) and drops the rest. True when it dropped any.
fn cut_to_limit(streams: &mut Vec<StreamResult>, limit: usize, direction: Direction) -> bool {
    let total: usize = streams.iter().map(|s| s.entries.len()).sum();
    if total <= limit {
        return false;
    }
    let mut order: Vec<(i64, usize, usize)> = streams
        .iter()
        .enumerate()
        .flat_map(|(si, s)| {
            s.entries
                .iter()
                .enumerate()
                .map(move |(ei, e)| (e.t, si, ei))
        })
        .collect();
    match direction {
        Direction::Backward => order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1))),
        Direction::Forward => order.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1))),
    }
    let mut keep: Vec<Vec<bool>> = streams
        .iter()
        .map(|s| vec![false; s.entries.len()])
        .collect();
    for &(_, si, ei) in &order[..limit] {
        keep[si][ei] = true;
    }
    for (s, keep) in streams.iter_mut().zip(keep) {
        let mut flags = keep.into_iter();
        s.entries.retain(|_| flags.next().unwrap_or(false));
    }
    streams.retain(|s| !s.entries.is_empty());
    true
}

/// Lines asked of a server in one request: below Loki's default `max_entries_limit_per_query`
/// (5000), so that any --limit, 0 included, works against a stock Loki. Larger results are
/// read page by page, as logcli does.
const REMOTE_PAGE: usize = 1000;

/// A log query asked of a Loki-compatible server (`/loki/api/v1/query_range`), page by page
/// until `opts.limit` lines or the end of the range.
fn remote_streams(
    url: &str,
    args: &QueryArgs,
    opts: &LogQueryOptions,
) -> Result<Vec<StreamResult>, CliError> {
    use crate::remote::loki::{LokiClient, LokiResult};
    let timeout = crate::model::time::parse_duration(&args.timeout)
        .map_err(|e| CliError::usage(format!("--timeout: {e}")))?;
    let client = LokiClient::new(
        url,
        std::time::Duration::from_millis(timeout.max(1000) as u64),
    )?;
    let rt = super::runtime()?;
    let mut pages = Pages::new(opts, REMOTE_PAGE);
    while let Some((from, to, batch)) = pages.next_request() {
        let result =
            rt.block_on(client.query_range(&args.expr, from, to, None, batch, opts.direction));
        match result {
            Ok(LokiResult::Streams(s)) => pages.add(s, batch),
            Ok(LokiResult::Metric(_)) => {
                return Err(CliError::failure(format!(
                    "{url} answered a log query with a metric result"
                )))
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(pages.into_streams())
}

/// The paging of a remote log query. Each page starts where the last one ended, at the
/// nanosecond of its farthest line and including it, since more lines may share that
/// nanosecond; the lines already seen there are skipped (and asked for on top of the page).
struct Pages {
    from: i64,
    to: i64,
    direction: Direction,
    /// Lines asked per request.
    page: usize,
    wanted: usize,
    got: usize,
    done: bool,
    streams: BTreeMap<Labels, Vec<LogEntry>>,
    /// The time of the last page's farthest line, and the (stream, line) pairs seen there.
    edge: Option<(i64, HashSet<(String, String)>)>,
}

impl Pages {
    fn new(opts: &LogQueryOptions, page: usize) -> Pages {
        Pages {
            from: opts.from,
            to: opts.to,
            direction: opts.direction,
            page,
            wanted: opts.limit,
            got: 0,
            done: opts.limit == 0,
            streams: BTreeMap::new(),
            edge: None,
        }
    }

    /// The range and line count of the next request, or `None` when done.
    /// The lines already seen at the edge come again first, so the request asks for that
    /// many more: otherwise more lines in one nanosecond than a page holds would never get
    /// past it.
    fn next_request(&self) -> Option<(i64, i64, usize)> {
        let again = self.edge.as_ref().map_or(0, |(_, seen)| seen.len());
        let batch = (self.wanted - self.got)
            .min(self.page)
            .saturating_add(again);
        (!self.done).then_some((self.from, self.to, batch))
    }

    /// Takes in the answer to a request for `batch` lines.
    fn add(&mut self, page: Vec<StreamResult>, batch: usize) {
        let returned: usize = page.iter().map(|s| s.entries.len()).sum();
        let mut added = 0;
        let mut far: Option<i64> = None;
        for s in page {
            let key = s.labels.to_string();
            for e in s.entries {
                far = Some(match (far, self.direction) {
                    (None, _) => e.t,
                    (Some(f), Direction::Backward) => f.min(e.t),
                    (Some(f), Direction::Forward) => f.max(e.t),
                });
                let seen = self.edge.as_ref().is_some_and(|(t, lines)| {
                    e.t == *t && lines.contains(&(key.clone(), e.line.clone()))
                });
                if !seen {
                    self.streams.entry(s.labels.clone()).or_default().push(e);
                    added += 1;
                }
            }
        }
        self.got += added;
        let Some(far) = far else {
            self.done = true;
            return;
        };
        // A short page is the end of the range; a page of nothing new would repeat forever
        // (more lines share one nanosecond than a page holds).
        if returned < batch || added == 0 || self.got >= self.wanted {
            self.done = true;
            return;
        }
        let at_edge = self
            .streams
            .iter()
            .flat_map(|(l, es)| es.iter().map(move |e| (l, e)))
            .filter(|(_, e)| e.t == far)
            .map(|(l, e)| (l.to_string(), e.line.clone()))
            .collect();
        self.edge = Some((far, at_edge));
        match self.direction {
            Direction::Backward => self.to = far.saturating_add(1),
            Direction::Forward => self.from = far,
        }
    }

    fn into_streams(self) -> Vec<StreamResult> {
        self.streams
            .into_iter()
            .map(|(labels, entries)| StreamResult::new(labels, entries))
            .collect()
    }
}

/// `--tail`: the newest `limit` lines of the range, oldest first, then every new matching line
/// as it is committed, polling the store once a second.
fn tail(
    global: &GlobalArgs,
    expr: &LogExpr,
    opts: LogQueryOptions,
    format: LogOutput,
) -> CliResult {
    let store = global.open_store()?;
    let evaluate = |opts: &LogQueryOptions| -> Result<Vec<StreamResult>, CliError> {
        let snap = store
            .log_snapshot()
            .map_err(|e| CliError::store("cannot read store", &e))?;
        Ok(run_log_query(&snap, expr, opts).map(|(streams, _)| streams)?)
    };
    let stdout = std::io::stdout();
    let mut cursor = crate::logql::tail::TailCursor::new(opts.from);
    // First the newest `limit` lines of the range, then everything new.
    let mut query = LogQueryOptions {
        direction: Direction::Backward,
        ..opts
    };
    loop {
        let fresh = cursor.fresh(evaluate(&query)?);
        if !fresh.is_empty() {
            let mut out = std::io::BufWriter::new(stdout.lock());
            let r = write_streams(&mut out, &fresh, format, Direction::Forward)
                .and_then(|_| out.flush());
            if let Err(e) = r {
                // The reader went away (`| head`): a normal end of a tail.
                return super::stdout_result(Err(e));
            }
        }
        std::thread::sleep(std::time::Duration::from_secs(1));
        query = cursor.next_query(now_ms().saturating_mul(1_000_000));
    }
}

/// How log results print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LogOutput {
    /// `TIME {labels} line`, like logcli (the default).
    Lines,
    /// The lines alone.
    Raw,
    Table,
    /// Loki's API `data`: `{"resultType":"streams","result":[...]}`.
    Json,
}

/// Entries of all streams merged in the query's direction (for line and table output).
fn merged(streams: &[StreamResult], direction: Direction) -> Vec<(usize, &crate::model::LogEntry)> {
    let mut all: Vec<(usize, &crate::model::LogEntry)> = streams
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.entries.iter().map(move |e| (i, e)))
        .collect();
    match direction {
        Direction::Backward => all.sort_by(|a, b| b.1.t.cmp(&a.1.t).then(a.0.cmp(&b.0))),
        Direction::Forward => all.sort_by(|a, b| a.1.t.cmp(&b.1.t).then(a.0.cmp(&b.0))),
    }
    all
}

/// RFC 3339 with nanoseconds, as logcli prints entry times.
fn format_ns(t: i64) -> String {
    let ms = t.div_euclid(1_000_000);
    let base = format_rfc3339(ms - ms.rem_euclid(1000));
    let frac = t.rem_euclid(1_000_000_000);
    match base.strip_suffix('Z') {
        Some(b) => format!("{b}.{frac:09}Z"),
        None => base,
    }
}

fn write_streams(
    out: &mut dyn Write,
    streams: &[StreamResult],
    format: LogOutput,
    direction: Direction,
) -> std::io::Result<()> {
    match format {
        LogOutput::Json => {
            let result: Vec<serde_json::Value> = streams
                .iter()
                .map(|s| {
                    let stream: serde_json::Map<String, serde_json::Value> = s
                        .labels
                        .iter()
                        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
                        .collect();
                    let values: Vec<serde_json::Value> = s
                        .entries
                        .iter()
                        .map(|e| {
                            if e.metadata.is_empty() {
                                serde_json::json!([e.t.to_string(), e.line])
                            } else {
                                let md: serde_json::Map<String, serde_json::Value> = e
                                    .metadata
                                    .iter()
                                    .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                                    .collect();
                                serde_json::json!([e.t.to_string(), e.line, {"structuredMetadata": md}])
                            }
                        })
                        .collect();
                    serde_json::json!({"stream": stream, "values": values})
                })
                .collect();
            writeln!(
                out,
                "{}",
                serde_json::json!({"resultType": "streams", "result": result})
            )
        }
        LogOutput::Table => {
            let rows: Vec<(String, String, &str)> = merged(streams, direction)
                .into_iter()
                .map(|(i, e)| {
                    (
                        format_ns(e.t),
                        streams[i].labels.to_string(),
                        e.line.as_str(),
                    )
                })
                .collect();
            let wt = rows.iter().map(|r| r.0.len()).max().unwrap_or(4).max(4);
            let wl = rows.iter().map(|r| r.1.len()).max().unwrap_or(6).max(6);
            writeln!(out, "{:wt$}  {:wl$}  LINE", "TIME", "LABELS")?;
            for (t, l, line) in rows {
                writeln!(out, "{t:wt$}  {l:wl$}  {line}")?;
            }
            Ok(())
        }
        LogOutput::Lines => {
            for (i, e) in merged(streams, direction) {
                writeln!(out, "{} {} {}", format_ns(e.t), streams[i].labels, e.line)?;
            }
            Ok(())
        }
        LogOutput::Raw => {
            for (_, e) in merged(streams, direction) {
                out.write_all(e.line.as_bytes())?;
                out.write_all(b"\n")?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream's entries at these times (ns), line `<name><i>` for the i-th.
    fn stream(name: &str, times: &[i64]) -> StreamResult {
        StreamResult {
            labels: Labels::from_pairs([("app", name)]),
            parsed: Vec::new(),
            entries: times
                .iter()
                .enumerate()
                .map(|(i, t)| LogEntry {
                    t: *t,
                    line: format!("{name}{i}"),
                    metadata: Vec::new(),
                })
                .collect(),
        }
    }

    /// What a Loki server answers: the `limit` best lines of `[from, to)` in `direction`.
    fn answer(
        all: &[StreamResult],
        from: i64,
        to: i64,
        limit: usize,
        d: Direction,
    ) -> Vec<StreamResult> {
        let mut streams: Vec<StreamResult> = all
            .iter()
            .map(|s| StreamResult {
                labels: s.labels.clone(),
                parsed: Vec::new(),
                entries: s
                    .entries
                    .iter()
                    .filter(|e| e.t >= from && e.t < to)
                    .cloned()
                    .collect(),
            })
            .collect();
        cut_to_limit(&mut streams, limit, d);
        streams
    }

    fn lines(streams: &[StreamResult]) -> Vec<String> {
        let mut v: Vec<String> = streams
            .iter()
            .flat_map(|s| s.entries.iter().map(|e| e.line.clone()))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn pages_read_past_lines_that_share_a_nanosecond_without_repeating_them() {
        // Pages of 3 lines; four lines share t=20 across the two streams.
        let all = vec![
            stream("a", &[10, 20, 20, 30, 40]),
            stream("b", &[5, 20, 20, 50]),
        ];
        for direction in [Direction::Backward, Direction::Forward] {
            for (limit, expected) in [(usize::MAX, 9), (6, 6), (4, 4)] {
                let opts = LogQueryOptions {
                    from: 0,
                    to: 100,
                    limit,
                    direction,
                };
                let mut pages = Pages::new(&opts, 3);
                let mut requests = 0;
                while let Some((from, to, batch)) = pages.next_request() {
                    requests += 1;
                    assert!(requests < 20, "paging does not end");
                    pages.add(answer(&all, from, to, batch, direction), batch);
                }
                let got = pages.into_streams();
                let want = answer(&all, 0, 100, expected, direction);
                assert_eq!(lines(&got), lines(&want), "{direction:?} limit {limit}");
            }
        }
    }

    #[test]
    fn a_cut_keeps_the_newest_or_the_oldest() {
        let mut s = vec![stream("a", &[1, 3, 5]), stream("b", &[2, 4])];
        assert!(!cut_to_limit(&mut s.clone(), 5, Direction::Backward));
        assert!(cut_to_limit(&mut s, 2, Direction::Backward));
        assert_eq!(lines(&s), ["a2", "b1"]);
        let mut s = vec![stream("a", &[1, 3, 5]), stream("b", &[2, 4])];
        assert!(cut_to_limit(&mut s, 3, Direction::Forward));
        assert_eq!(lines(&s), ["a0", "a1", "b0"]);
    }
}
