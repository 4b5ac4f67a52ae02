//! `argus scrape`: pull `/metrics` from targets once (for cron) or in a loop.
//!
//! One round is one store commit, so a cron run either stores all of its scrape or nothing.
//! In a loop (`--every`), SIGINT and SIGTERM let the current round finish and commit before the
//! process exits 0.

use super::exit::{self, CliError, CliResult};
use super::GlobalArgs;
use crate::adapters::StoreScrapeSink;
use crate::model::time::{now_ms, parse_duration};
use crate::scrape::{
    load_config, run_loop, scrape_once, targets_from_urls, ScrapeJob, ScrapeOptions,
    ScrapeRunReport,
};
use clap::Args;
use std::path::PathBuf;

/// The target scraped when neither a URL nor --config is given: a node_exporter on this
/// machine, at its standard port.
pub const DEFAULT_TARGET: &str = "http://localhost:9100/metrics";

/// Scrape Prometheus metrics endpoints and store the samples.
///
/// `argus scrape http://localhost:9100/metrics` scrapes once and exits: 0 when every target
/// was up, 4 when any was down (its `up` sample is 0 and the reason is on stderr). With
/// `--config prometheus.yml` the `scrape_configs` of a Prometheus configuration are used
/// (static targets, relabeling, auth). With `--every 15s` it keeps scraping until interrupted.
/// Series that vanish from a target get a staleness marker, also between separate runs.
/// Without any target it scrapes a local node_exporter (http://localhost:9100/metrics).
#[derive(Args, Debug)]
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
    /// The `job` label of targets given as URLs.
    #[arg(long, default_value = "argus")]
    pub job: String,
    /// Give up on a target after this long (URL targets; --config jobs use scrape_timeout).
    #[arg(long, value_name = "DURATION", default_value = "10s")]
    pub timeout: String,
}

fn jobs(global: &GlobalArgs, args: &ScrapeArgs) -> Result<Vec<ScrapeJob>, CliError> {
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
    let mut jobs = Vec::new();
    if let Some(path) = &args.config {
        let (cfg, warnings) = load_config(path).map_err(|e| CliError::input(e.to_string()))?;
        for w in warnings {
            global.note(format!("warning: {}: {w}", path.display()));
        }
        jobs.extend(cfg.jobs);
    }
    let urls: Vec<String> = if args.urls.is_empty() && args.config.is_none() {
        global.note(format!("no target given; scraping {DEFAULT_TARGET}"));
        vec![DEFAULT_TARGET.to_string()]
    } else {
        args.urls.clone()
    };
    if !urls.is_empty() {
        let url_jobs = targets_from_urls(&urls, &args.job, interval, timeout.min(interval))
            .map_err(|e| CliError::usage(e.to_string()))?;
        jobs.extend(url_jobs);
    }
    Ok(jobs)
}

fn report_failures(global: &GlobalArgs, report: &ScrapeRunReport) {
    for f in report.failures() {
        eprintln!("argus: target down: {f}");
    }
    if let Some(e) = &report.commit_error {
        eprintln!("argus: error: cannot store the scrape: {e}");
    }
    if global.verbose > 0 {
        for t in &report.targets {
            eprintln!(
                "argus: {} up={} samples={} duration={:.3}s",
                t.url,
                t.up as u8,
                t.samples_post_relabel,
                t.duration.as_secs_f64()
            );
        }
    }
}

pub fn run(global: &GlobalArgs, args: &ScrapeArgs) -> CliResult {
    let jobs = jobs(global, args)?;
    let store = global.open_store_to_write()?;
    let mut sink = StoreScrapeSink::new(store);
    let rt = super::runtime()?;
    let opts = ScrapeOptions::default();
    if args.every.is_none() {
        let report = rt.block_on(scrape_once(&jobs, &mut sink, now_ms(), &opts));
        report_failures(global, &report);
        sink.commit_now()
            .map_err(|e| CliError::failure(format!("cannot store the scrape: {e}")))?;
        let up = report.targets.iter().filter(|t| t.up).count();
        global.note(format!(
            "scraped {} target(s), {} up, {} samples",
            report.targets.len(),
            up,
            report
                .targets
                .iter()
                .map(|t| t.samples_post_relabel)
                .sum::<usize>()
        ));
        return Ok(if report.all_up() {
            exit::OK
        } else {
            exit::PARTIAL
        });
    }
    let summary = rt.block_on(run_loop(
        &jobs,
        &mut sink,
        &opts,
        now_ms,
        shutdown_signal(),
        |r| report_failures(global, r),
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
