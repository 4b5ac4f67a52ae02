//! `argus query`: evaluate PromQL or LogQL against the local store or a remote server.
//!
//! An instant query evaluates at one time (`--time`, default now); giving `--from`, `--to` or
//! `--since` makes it a range query (`--step` alone is refused: it says nothing about which
//! range). The same printers serve local and remote results.

use super::exit::{CliError, CliResult};
use super::output::{write_value, OutputFormat};
use super::timeargs::{default_step, parse_time_flag, RangeArgs, TimeRange};
use super::GlobalArgs;
use crate::adapters::CountingQueryable;
use crate::model::time::{now_ms, parse_duration, MS_PER_HOUR, MS_PER_MINUTE};
use crate::promql::engine::Engine;
use crate::promql::value::Value;
use crate::remote::prometheus::PrometheusClient;
use clap::Args;
use std::io::Write;
use std::time::{Duration, Instant};

/// Evaluate a PromQL or LogQL expression.
///
/// Instant query: `argus query 'up' --time now-5m`. Range query: `argus query
/// 'rate(http_requests_total[5m])' --since 1h --step 1m`. With `--server URL` the query runs on
/// a Prometheus-compatible server (PromQL) or a Loki-compatible one (LogQL) instead of the
/// local store, with the same output formats. A range query reads each selector's data once
/// for the whole range, so its cost grows with the number of series and samples selected,
/// not with the number of steps.
///
/// LogQL log queries (`argus query '{app="api"} | json | level="error"' --since 1h`) print
/// lines; LogQL metric queries (`argus query 'sum by (level) (count_over_time({app="api"} |
/// json [5m]))' --since 1d --step 5m`) print like PromQL's. A metric query stops with Loki's
/// "pipeline error" when a line it counts failed to parse; add `| __error__=""` to skip such
/// lines on purpose.
///
/// Times are RFC 3339, Unix times (seconds, milliseconds, microseconds or nanoseconds, told
/// apart by their size), `now`, `now-1h`, or a duration ago (`1h` or `-1h`).
#[derive(Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct QueryArgs {
    /// The PromQL or LogQL expression. It may begin with `-` (`'-node_load1 + 1'`); one that
    /// begins with `--` is taken for a mistyped flag.
    pub expr: String,
    /// Evaluation time of an instant query (default: now).
    #[arg(
        long,
        value_name = "TIME",
        conflicts_with_all = ["from", "to", "since", "step"],
        allow_hyphen_values = true
    )]
    pub time: Option<String>,
    #[command(flatten)]
    pub range: RangeArgs,
    /// Resolution of a range query (default: about 250 points over the range); the range
    /// itself comes from --since or --from/--to.
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub step: Option<String>,
    /// Query a Prometheus-compatible server (for example http://localhost:9090), or for LogQL
    /// a Loki-compatible one (http://localhost:3100), instead of the store. `host:port`
    /// means `http://host:port`.
    #[arg(long, value_name = "URL", value_parser = server_arg)]
    pub server: Option<String>,
    /// How far back an instant selector looks for a sample.
    #[arg(long, value_name = "DURATION", default_value = "5m")]
    pub lookback_delta: String,
    /// Stop a query that would hold more samples than this in memory at once (for LogQL,
    /// the part of a metric query above its range aggregations); exits 1.
    #[arg(long, value_name = "N", default_value_t = 50_000_000)]
    pub max_samples: usize,
    /// Stop a query that runs longer than this.
    #[arg(long, value_name = "DURATION", default_value = "2m")]
    pub timeout: String,
    /// After the result, print to stderr where the time went (parse, open the store,
    /// evaluate, print) and how many samples were read, like Prometheus' query `stats`; for
    /// a log query, the streams, blocks (and those the trigram filters skipped) and lines read.
    #[arg(long, conflicts_with = "server")]
    pub stats: bool,
    /// Read EXPR as LogQL.
    #[arg(long, conflicts_with = "promql")]
    pub logql: bool,
    /// Log queries: after the latest --limit lines of the range, keep printing new matching
    /// lines as other processes store them, until interrupted (like `logcli query --tail`).
    /// Only LogQL log queries have lines to follow: with a metric query it is an error.
    #[arg(long, conflicts_with_all = ["server", "to", "direction"])]
    pub tail: bool,
    /// Read EXPR as PromQL.
    #[arg(long)]
    pub promql: bool,
    /// Log queries: print at most this many lines (0: no limit). When the limit cuts the
    /// result, a note on stderr says so.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub limit: usize,
    /// Log queries: `backward` prints the newest lines first (and the limit keeps the newest);
    /// `forward` the oldest.
    #[arg(long, value_enum, default_value_t = DirectionArg::Backward)]
    pub direction: DirectionArg,
}

/// The EXAMPLES of `argus query --help` and its man page.
const EXAMPLES: &str = "Examples:

  # The current value of every series of a metric, as a table
  argus query up

  # A rate over the last hour, one point a minute, as JSON shaped like Prometheus' API
  argus query 'rate(node_network_receive_bytes_total[5m])' --since 1h --step 1m -o json

  # Busiest instances last: the value is the third column of the CSV
  argus query 'sum by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[5m]))' -o csv | sort -t, -k3 -n

  # At a given time, in Prometheus' flag names; Unix times in s, ms, µs or ns
  argus query 'node_load1' --time 2024-05-01T12:00:00Z
  argus query 'node_load1' --start 1714564800000 --end 1714568400000 --step 1m

  # The newest 20 error lines of the last hour, then follow new ones
  argus query '{app=\"api\"} | json | level=\"error\"' --since 1h --limit 20 --tail

  # Every matching line of a day, oldest first
  argus query '{app=\"nginx\"} |= \" 500 \"' --since 1d --limit 0 --direction forward -o raw

  # The same query against a real Prometheus
  argus query up --server localhost:9090";

/// The `--server` value as a base URL: `host:port` gets `http://`; anything that is not an
/// http(s) URL with a host is refused, naming the value.
fn server_arg(s: &str) -> Result<String, String> {
    crate::remote::base_url(s)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DirectionArg {
    Backward,
    Forward,
}

/// Which language a query is in, with the snapshot the detection already opened, so the
/// query does not open the store again.
enum Language {
    PromQL(Option<crate::store::Snapshot>),
    LogQL(crate::logql::Expr, Option<crate::store::logs::LogSnapshot>),
}

/// `--logql`/`--promql`, else by the query: PromQL when it parses as PromQL, LogQL when only
/// LogQL parses it (line filters, parsers and other pipeline stages are LogQL only). A query
/// both read, such as `{app="api"}` or `count_over_time({app="api"}[5m])`, is LogQL when its
/// selectors match log streams and no metric series, and PromQL otherwise. With `--tail` it is
/// LogQL (only log queries have lines to follow). With `--server` the local store is not
/// consulted: a query both languages read is PromQL unless `--logql` says otherwise.
fn language(global: &GlobalArgs, args: &QueryArgs) -> Result<Language, CliError> {
    if args.promql {
        return Ok(Language::PromQL(None));
    }
    let logql = crate::logql::parse_for_eval(&args.expr);
    if args.logql {
        return logql
            .map(|e| Language::LogQL(e, None))
            .map_err(|e| CliError::input(format!("invalid LogQL query: {e}")));
    }
    let logql = match (crate::promql::parse(&args.expr), logql) {
        (Err(_), Ok(l)) => return Ok(Language::LogQL(l, None)),
        // Neither: report the PromQL error unless the query looks like LogQL.
        (Err(_), Err(le)) if args.expr.contains('|') => {
            return Err(CliError::input(format!("invalid LogQL query: {le}")))
        }
        (Err(pe), Err(_)) => return Err(CliError::input(format!("invalid query: {pe}"))),
        (Ok(_), Err(_)) => return Ok(Language::PromQL(None)),
        // Only log queries have lines to follow.
        (Ok(_), Ok(l)) if args.tail => return Ok(Language::LogQL(l, None)),
        (Ok(_), Ok(_)) if args.server.is_some() => return Ok(Language::PromQL(None)),
        (Ok(_), Ok(l)) => l,
    };
    // Both languages read it (`{app="api"}`, `count_over_time({app="api"}[5m])`): LogQL when
    // its selectors find log streams and no metric series.
    let selectors = logql.stream_selectors();
    let store = global.open_store()?;
    let failed = |e: crate::store::StoreError| CliError::store("cannot read store", &e);
    let metrics = store.snapshot().map_err(failed)?;
    for m in &selectors {
        if !metrics
            .series(m, i64::MIN, i64::MAX)
            .map_err(failed)?
            .is_empty()
        {
            return Ok(Language::PromQL(Some(metrics)));
        }
    }
    let logs = store.log_snapshot().map_err(failed)?;
    if selectors
        .iter()
        .any(|m| !logs.streams(m, i64::MIN, i64::MAX).is_empty())
    {
        return Ok(Language::LogQL(logql, Some(logs)));
    }
    Ok(Language::PromQL(Some(metrics)))
}

/// Timings of one local query, for `--stats`.
#[derive(Default)]
struct QueryStats {
    parse: Duration,
    open: Duration,
    eval: Duration,
    print: Duration,
    samples_read: u64,
    started: Option<Instant>,
}

impl QueryStats {
    fn write(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let total = self.started.map(|s| s.elapsed()).unwrap_or_default();
        writeln!(w, "query statistics:")?;
        writeln!(w, "  parse          {:9.3} ms", ms(self.parse))?;
        writeln!(w, "  open store     {:9.3} ms", ms(self.open))?;
        writeln!(w, "  evaluate       {:9.3} ms", ms(self.eval))?;
        writeln!(w, "  print          {:9.3} ms", ms(self.print))?;
        writeln!(w, "  total          {:9.3} ms", ms(total))?;
        writeln!(w, "  samples read   {:9}", self.samples_read)
    }
}

/// What to evaluate, resolved from the flags.
enum Plan {
    Instant(i64),
    Range { range: TimeRange, step: i64 },
}

fn plan(args: &QueryArgs, now: i64) -> Result<Plan, CliError> {
    if args.step.is_some() && !args.range.is_set() {
        return Err(CliError::usage(
            "--step sets the resolution of a range query; say which range with --since DURATION \
             or --from TIME [--to TIME] (without them the query is an instant query at --time)",
        ));
    }
    if args.range.is_set() {
        let range = args.range.resolve(now, now - MS_PER_HOUR)?;
        let step = match &args.step {
            Some(s) => parse_duration(s).map_err(|e| CliError::usage(format!("--step: {e}")))?,
            None => default_step(range),
        };
        if step <= 0 {
            return Err(CliError::usage("--step must be positive"));
        }
        if (range.to - range.from) / step > 11_000 {
            return Err(CliError::usage(format!(
                "exceeded maximum resolution of 11,000 points per series: the range is {} steps of {}; use a larger --step",
                (range.to - range.from) / step,
                crate::model::time::format_duration(step)
            )));
        }
        Ok(Plan::Range { range, step })
    } else {
        let t = match &args.time {
            Some(s) => parse_time_flag("--time", s, now)?,
            None => now,
        };
        Ok(Plan::Instant(t))
    }
}

pub fn run(global: &GlobalArgs, args: &QueryArgs) -> CliResult {
    let language = match language(global, args)? {
        Language::LogQL(crate::logql::Expr::Log(l), logs) => {
            return super::query_logs::run(global, args, &l, logs)
        }
        other => other,
    };
    if args.tail {
        return Err(CliError::usage(
            "--tail follows log lines; it works with LogQL log queries ({app=\"api\"} |= \"error\"), \
             not with metric queries",
        ));
    }
    let format = global.output_or(
        OutputFormat::Table,
        &[
            OutputFormat::Table,
            OutputFormat::Json,
            OutputFormat::Csv,
            OutputFormat::Tsv,
        ],
        "query",
    )?;
    let timeout =
        parse_duration(&args.timeout).map_err(|e| CliError::usage(format!("--timeout: {e}")))?;
    let plan = plan(args, now_ms())?;
    let mut stats = QueryStats {
        started: Some(Instant::now()),
        ..QueryStats::default()
    };
    let value = match (&args.server, language) {
        (Some(url), Language::LogQL(..)) => run_remote_logql(url, &args.expr, &plan, timeout)?,
        (Some(url), Language::PromQL(_)) => run_remote(url, &args.expr, &plan, timeout)?,
        (None, Language::PromQL(metrics)) => {
            run_local(global, args, &plan, timeout, metrics, &mut stats)?
        }
        (None, Language::LogQL(expr, logs)) => {
            let limits = crate::logql::eval_metric::Limits {
                max_samples: args.max_samples,
                timeout: Some(Duration::from_millis(timeout as u64)),
            };
            run_logql_metric(global, &plan, &expr, logs, &limits, &mut stats)?
        }
    };
    let printing = Instant::now();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let r = write_value(&mut out, &value, format).and_then(|_| out.flush());
    stats.print = printing.elapsed();
    if args.stats {
        // Reporting is best effort: a closed stderr must not turn a good answer into a failure.
        let _ = stats.write(&mut std::io::stderr().lock());
    }
    super::stdout_result(r)
}

/// A LogQL metric query (`sum by (level) (count_over_time({app="api"} | json [5m]))`) on
/// the local store's logs.
fn run_logql_metric(
    global: &GlobalArgs,
    plan: &Plan,
    expr: &crate::logql::Expr,
    logs: Option<crate::store::logs::LogSnapshot>,
    limits: &crate::logql::eval_metric::Limits,
    stats: &mut QueryStats,
) -> Result<Value, CliError> {
    let t0 = Instant::now();
    let snapshot = match logs {
        Some(s) => s,
        None => global
            .open_store()?
            .log_snapshot()
            .map_err(|e| CliError::store("cannot read store", &e))?,
    };
    stats.open = t0.elapsed();
    let t0 = Instant::now();
    const NS: i64 = 1_000_000;
    let result = match plan {
        Plan::Instant(t) => crate::logql::eval_metric::instant(&snapshot, expr, t * NS, limits),
        Plan::Range { range, step } => crate::logql::eval_metric::range(
            &snapshot,
            expr,
            range.from * NS,
            range.to * NS,
            step * NS,
            limits,
        ),
    };
    stats.eval = t0.elapsed();
    Ok(result?)
}

fn run_local(
    global: &GlobalArgs,
    args: &QueryArgs,
    plan: &Plan,
    timeout: i64,
    snapshot: Option<crate::store::Snapshot>,
    stats: &mut QueryStats,
) -> Result<Value, CliError> {
    let t0 = Instant::now();
    let expr = crate::promql::parse(&args.expr)
        .map_err(|e| CliError::input(format!("invalid query: {e}")))?;
    stats.parse = t0.elapsed();
    let lookback = parse_duration(&args.lookback_delta)
        .map_err(|e| CliError::usage(format!("--lookback-delta: {e}")))?;
    if lookback <= 0 {
        return Err(CliError::usage("--lookback-delta must be positive"));
    }
    let engine = Engine {
        lookback_delta: lookback,
        max_samples: args.max_samples,
        timeout: Some(Duration::from_millis(timeout as u64)),
        ..Engine::default()
    };
    let t0 = Instant::now();
    let snapshot = match snapshot {
        Some(s) => s,
        None => global
            .open_store()?
            .snapshot()
            .map_err(|e| CliError::store("cannot read store", &e))?,
    };
    stats.open = t0.elapsed();
    let t0 = Instant::now();
    let counted = CountingQueryable::new(&snapshot);
    let result = match plan {
        Plan::Instant(t) => engine.instant_query(&counted, &expr, *t),
        Plan::Range { range, step } => {
            engine.range_query(&counted, &expr, range.from, range.to, *step)
        }
    };
    stats.eval = t0.elapsed();
    stats.samples_read = counted.samples();
    Ok(result?)
}

/// A LogQL metric query asked of a Loki-compatible server.
fn run_remote_logql(url: &str, expr: &str, plan: &Plan, timeout: i64) -> Result<Value, CliError> {
    use crate::remote::loki::{LokiClient, LokiResult};
    let client = LokiClient::new(
        url,
        Duration::from_millis(timeout.max(MS_PER_MINUTE / 60) as u64),
    )?;
    let rt = super::runtime()?;
    const NS: i64 = 1_000_000;
    let result = rt.block_on(async {
        match plan {
            Plan::Instant(t) => client.query(expr, t * NS).await,
            Plan::Range { range, step } => {
                let dir = crate::logql::eval_logs::Direction::Backward;
                client
                    .query_range(
                        expr,
                        range.from * NS,
                        range.to * NS,
                        Some(step * NS),
                        100,
                        dir,
                    )
                    .await
            }
        }
    });
    match result {
        Ok(LokiResult::Metric(v)) => Ok(v),
        Ok(LokiResult::Streams(_)) => Err(CliError::failure(format!(
            "{url} answered a metric query with log streams"
        ))),
        Err(e) => Err(e.into()),
    }
}

fn run_remote(url: &str, expr: &str, plan: &Plan, timeout: i64) -> Result<Value, CliError> {
    let client = PrometheusClient::new(
        url,
        Duration::from_millis(timeout.max(MS_PER_MINUTE / 60) as u64),
    )?;
    let rt = super::runtime()?;
    let result = rt.block_on(async {
        match plan {
            Plan::Instant(t) => client.instant(expr, *t).await,
            Plan::Range { range, step } => client.range(expr, range.from, range.to, *step).await,
        }
    });
    Ok(result?)
}
