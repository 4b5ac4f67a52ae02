//! `argus scrape`: pull `/metrics` from targets once (for cron) or in a loop; with no target,
//! collect this machine's own metrics.
//!
//! One round is one store commit, so a cron run either stores all of its scrape or nothing.
//! In a loop (`--every`), SIGINT and SIGTERM let the current round finish and commit before the
//! process exits 0. After each round one short line on stderr says what was stored (unless
//! `--quiet`, which leaves only the errors that stop the run: a down target is reported by
//! the exit code alone).

use std::collections::BTreeMap;

use super::exit::{self, CliError, CliResult};
use super::GlobalArgs;
use crate::adapters::StoreScrapeSink;
use crate::model::time::{now_ms, parse_duration};
use crate::scrape::host::{host_job, HOST_JOB, HOST_URL};
use crate::scrape::{
    default_job_for, load_config, run_loop, scrape_once, targets_from_urls, Discovery,
    DiscoveryUpdate, ScrapeJob, ScrapeOptions, ScrapeRunReport,
};
use clap::Args;
use std::path::PathBuf;

/// Scrape Prometheus metrics endpoints and store the samples.
///
/// `argus scrape http://localhost:9100/metrics` scrapes once and exits: 0 when every target
/// was up, 4 when any was down (its `up` sample is 0), 3 when the configuration or a target
/// file was rejected (the other targets are still scraped). With `--config prometheus.yml`
/// the `scrape_configs` of a Prometheus configuration are used (static and file-discovered
/// targets, relabeling, auth); a key argus does not know or support is an error. With
/// `--every 15s` it keeps scraping until interrupted, following changes of target files.
/// Series that vanish from a target get a staleness marker, also between separate runs.
/// Without any target it collects this machine's own basic metrics (CPU, load, memory, file
/// systems, network, disks) from /proc and /sys under node_exporter's names, as job `node`
/// with the host name as `instance`.
#[derive(Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct ScrapeArgs {
    /// Target URLs (`http://host:9100/metrics`) or `host:port` (path /metrics).
    #[arg(value_name = "URL")]
    pub urls: Vec<String>,
    /// A prometheus.yml whose scrape_configs name the targets.
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Keep scraping at this interval until SIGINT/SIGTERM (each job's scrape_interval applies
    /// to --config targets).
    #[arg(long, value_name = "DURATION")]
    pub every: Option<String>,
    /// The `job` label of the command line's targets [default: the exporter's name for a
    /// well-known exporter port (9100 node, 9104 mysqld, 9187 postgres, 9121 redis, 9115
    /// blackbox, 9090 prometheus...), else `scrape`; `node` for this host's own metrics].
    #[arg(long, value_name = "NAME")]
    pub job: Option<String>,
    /// Give up on a target after this long (URL targets; --config jobs use scrape_timeout).
    #[arg(long, value_name = "DURATION", default_value = "10s")]
    pub timeout: String,
}

/// The targets of the run: the configuration's, the command line's, or this host.
fn targets(global: &GlobalArgs, args: &ScrapeArgs) -> Result<Discovery, CliError> {
    let every = args
        .every
        .as_deref()
        .map(parse_duration)
        .transpose()
        .map_err(|e| CliError::usage(format!("--every: {e}")))?;
    if every == Some(0) {
        return Err(CliError::usage("--every must be longer than 0s"));
    }
    let timeout =
        parse_duration(&args.timeout).map_err(|e| CliError::usage(format!("--timeout: {e}")))?;
    let interval = every.unwrap_or(15_000);
    let timeout = timeout.min(interval);
    let mut discovery = Discovery::fixed(Vec::new());
    if let Some(path) = &args.config {
        let (cfg, warnings) = load_config(path).map_err(|e| CliError::input(e.to_string()))?;
        for w in warnings {
            global.note(format!("warning: {}: {w}", path.display()));
        }
        discovery = Discovery::from_config(cfg);
    }
    if args.urls.is_empty() && args.config.is_none() {
        let job = args.job.as_deref().unwrap_or(HOST_JOB);
        discovery.add_fixed(vec![host_job(job, interval, timeout)]);
        return Ok(discovery);
    }
    // One job per job name, in the order the URLs name them.
    let mut by_job: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut order = Vec::new();
    for url in &args.urls {
        let job = args.job.as_deref().unwrap_or_else(|| default_job_for(url));
        if !by_job.contains_key(job) {
            order.push(job);
        }
        by_job.entry(job).or_default().push(url.clone());
    }
    for job in order {
        let jobs: Vec<ScrapeJob> = targets_from_urls(&by_job[job], job, interval, timeout)
            .map_err(|e| CliError::usage(e.to_string()))?;
        discovery.add_fixed(jobs);
    }
    Ok(discovery)
}

/// Target files that could not be read and targets skipped, unless `--quiet`.
fn report_discovery(global: &GlobalArgs, errors: &[String], warnings: &[String]) {
    for e in errors {
        global.note(format!("error: target file: {e}"));
    }
    for w in warnings {
        global.note(format!("warning: {w}"));
    }
}

/// What one round did, on stderr: failures, then one line of totals, then (after the first
/// round) a query to try. `--quiet` leaves only a failed commit, which stops a one-shot run.
fn report_round(global: &GlobalArgs, report: &ScrapeRunReport, first: bool) {
    if let Some(e) = &report.commit_error {
        eprintln!("argus: error: cannot store the scrape: {e}");
    }
    report_discovery(global, &report.discovery_errors, &report.discovery_warnings);
    if report.targets.is_empty() {
        return;
    }
    for f in report.failures() {
        global.note(format!("target down: {f}"));
    }
    if global.verbose > 0 {
        for t in &report.targets {
            global.note(format!(
                "{} up={} samples={} duration={:.3}s",
                t.url,
                t.up as u8,
                t.samples_post_relabel,
                t.duration.as_secs_f64()
            ));
        }
    }
    let up = report.targets.iter().filter(|t| t.up).count();
    let samples: usize = report.targets.iter().map(|t| t.samples_post_relabel).sum();
    let n = report.targets.len();
    global.note(format!(
        "stored {samples} samples from {n} target{}: {up} up, {} down",
        if n == 1 { "" } else { "s" },
        n - up
    ));
    if first {
        let host = report.targets.iter().any(|t| t.url == HOST_URL);
        let query = if host {
            "rate(node_cpu_seconds_total[1m])"
        } else {
            "up"
        };
        global.note(format!("try: argus query '{query}'"));
    }
}

pub fn run(global: &GlobalArgs, args: &ScrapeArgs) -> CliResult {
    let mut targets = targets(global, args)?;
    let store = global.open_store_to_write()?;
    let mut sink = StoreScrapeSink::new(store);
    let rt = super::runtime()?;
    let opts = ScrapeOptions::default();
    let update: DiscoveryUpdate = targets.refresh(tokio::time::Instant::now());
    report_discovery(global, &update.errors, &update.warnings);
    let no_targets = targets.jobs().iter().all(|j| j.targets.is_empty());
    if args.every.is_none() {
        if no_targets {
            global.note("no targets to scrape");
        }
        let report = rt.block_on(scrape_once(targets.jobs(), &mut sink, now_ms(), &opts));
        sink.commit_now()
            .map_err(|e| CliError::store("cannot store the scrape", &e))?;
        report_round(global, &report, true);
        // A rejected target file is the configuration's fault: the run fails as for a bad
        // config, although the other targets were scraped and stored.
        return Ok(if !update.errors.is_empty() {
            exit::INPUT_REJECTED
        } else if report.all_up() {
            exit::OK
        } else {
            exit::PARTIAL
        });
    }
    if no_targets {
        global.note(if targets.has_files() {
            "no targets to scrape yet; following the target files until SIGINT/SIGTERM"
        } else {
            "no targets to scrape; waiting for SIGINT/SIGTERM"
        });
    }
    let mut first = true;
    let summary = rt.block_on(run_loop(
        &mut targets,
        &mut sink,
        &opts,
        now_ms,
        shutdown_signal(),
        |r| {
            report_round(global, r, first);
            first &= r.targets.is_empty();
        },
    ));
    global.note(format!(
        "stopped after {} round(s); {} failed to store",
        summary.rounds, summary.failed_commits
    ));
    Ok(if summary.failed_commits == 0 {
        exit::OK
    } else {
        exit::FAILURE
    })
}

/// Completes on SIGINT or SIGTERM.
pub(super) async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// What `--help` and the man page show after the options.
const EXAMPLES: &str = "Examples:

  # This machine's own metrics (node_exporter's names, job \"node\"), every 15 s until Ctrl-C
  argus scrape --every 15s

  # Scrape once from cron: exit 0 when every target was up, 4 when any was down
  argus scrape -q http://localhost:9100/metrics

  # Scrape the jobs of a Prometheus configuration every 15 s until Ctrl-C
  argus scrape --config /etc/prometheus/prometheus.yml --every 15s";
