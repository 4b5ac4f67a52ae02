//! The server's scraping: the jobs of `--config` (and the server's own `/metrics`) scraped
//! continuously into the store, reloaded on SIGHUP and `POST /-/reload`.
//!
//! The scrape loop runs on a thread of its own with a single-threaded runtime: its sink
//! writes the store synchronously, and keeping it off the server's runtime means a slow
//! commit never delays a query or a push. A reload lets the current round finish and commit,
//! then starts the loop again with the new jobs; a configuration that does not load is
//! reported (to the caller of `/-/reload`, on stderr, and in
//! `argus_config_last_reload_successful`) and the old jobs keep running. Targets of
//! `file_sd_configs` follow their files while the loop runs (`scrape::Discovery`); each
//! change reaches `/api/v1/targets` through the loop's reports.

use super::state::{AppState, LoadedConfig, ReloadRequest, TargetStatus};
use crate::adapters::StoreScrapeSink;
use crate::model::time::now_ms;
use crate::scrape::{load_config, run_loop, Discovery, ScrapeJob, ScrapeOptions, ScrapeRunReport};
use std::cell::Cell;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

/// Where the jobs come from.
#[derive(Clone, Debug)]
pub struct ScrapeSetup {
    /// `--config`, read again on each reload.
    pub config: Option<PathBuf>,
    /// The server's own `/metrics`, unless disabled.
    pub self_job: Option<ScrapeJob>,
}

impl ScrapeSetup {
    /// The jobs (with the target files read once) and the YAML text in force, or why the
    /// configuration does not load. Warnings and unreadable target files go to stderr.
    pub fn load(&self) -> Result<(Discovery, String), String> {
        let mut jobs = Discovery::fixed(Vec::new());
        let mut yaml = String::new();
        if let Some(path) = &self.config {
            let (cfg, warnings) = load_config(path).map_err(|e| e.to_string())?;
            // The rule and alerting keys are the server's to honour (http/rules.rs).
            for w in warnings
                .iter()
                .filter(|w| !crate::scrape::config_keys::is_about_serve_key(w))
            {
                eprintln!("argus: warning: {}: {w}", path.display());
            }
            yaml = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            jobs = Discovery::from_config(cfg);
            let update = jobs.refresh(tokio::time::Instant::now());
            report_discovery(&update.errors, &update.warnings);
        }
        if let Some(own) = &self.self_job {
            if !jobs.jobs().iter().any(|j| j.name == own.name) {
                if self.config.is_none() {
                    yaml = self_config_yaml(own);
                }
                jobs.add_fixed(vec![own.clone()]);
            }
        }
        Ok((jobs, yaml))
    }
}

/// The configuration equivalent to running without `--config`, for `/api/v1/status/config`.
fn self_config_yaml(job: &ScrapeJob) -> String {
    let mut out = String::from("scrape_configs:\n");
    out.push_str(&format!("- job_name: {}\n", job.name));
    if let Some(t) = job.targets.first() {
        out.push_str(&format!(
            "  scrape_interval: {}\n  scrape_timeout: {}\n  static_configs:\n  - targets: ['{}']\n",
            crate::model::time::format_duration(t.interval_ms),
            crate::model::time::format_duration(t.timeout_ms),
            t.instance()
        ));
    }
    out
}

/// Target files that could not be read (their last good targets stay) and discovered
/// targets that were skipped.
fn report_discovery(errors: &[String], warnings: &[String]) {
    for e in errors {
        eprintln!("argus: error: target file: {e}");
    }
    for w in warnings {
        eprintln!("argus: warning: {w}");
    }
}

/// Shows `jobs` in `/api/v1/targets`, forgetting the outcomes of targets no longer in force.
fn show_targets(st: &AppState, jobs: &[ScrapeJob]) {
    if let Ok(mut t) = st.targets.write() {
        t.jobs = jobs.to_vec();
        t.last.retain(|(job, url), _| {
            jobs.iter()
                .any(|j| &j.name == job && j.targets.iter().any(|t| &t.url == url))
        });
    }
}

/// Publishes the jobs in force (the first ones before the server starts, later the reloaded
/// ones).
pub fn install(st: &AppState, jobs: &Discovery, yaml: String) {
    show_targets(st, jobs.jobs());
    if let Ok(mut c) = st.config.write() {
        *c = LoadedConfig {
            yaml,
            last_reload_ok: true,
            last_reload_ms: now_ms(),
            last_error: None,
        };
    }
    st.registry.clear("argus_scrape_duration_seconds");
}

/// Records one round's outcome for `/api/v1/targets` and `/metrics`.
fn record_round(st: &AppState, report: &ScrapeRunReport) {
    if let Some(jobs) = &report.new_targets {
        show_targets(st, jobs);
    }
    report_discovery(&report.discovery_errors, &report.discovery_warnings);
    if report.targets.is_empty() {
        return;
    }
    st.snapshots.generation.fetch_add(1, Ordering::Release);
    st.merger.wake();
    if let Ok(mut t) = st.targets.write() {
        for r in &report.targets {
            t.last.insert(
                (r.job.clone(), r.url.clone()),
                TargetStatus {
                    at_ms: report.timestamp_ms,
                    report: r.clone(),
                },
            );
        }
    }
    let mut samples = 0;
    for r in &report.targets {
        samples += r.samples_post_relabel;
        st.registry.set(
            "argus_scrape_duration_seconds",
            "Duration of the last scrape of each target.",
            &[("job", &r.job), ("instance", &r.instance)],
            r.duration.as_secs_f64(),
        );
        if !r.up {
            st.registry.add(
                "argus_scrape_failures_total",
                "Scrapes that failed (the target's up was 0), by job.",
                &[("job", &r.job)],
                1.0,
            );
            if let Some(e) = &r.error {
                let (url, e) = (super::redact::urls(&r.url), super::redact::urls(e));
                eprintln!("argus: target down: {url} (job {}): {e}", r.job);
            }
        }
    }
    if report.commit_error.is_none() {
        st.registry.add(
            "argus_ingested_samples_total",
            "Samples stored, by source.",
            &[("source", "scrape")],
            samples as f64,
        );
    }
    if let Some(e) = &report.commit_error {
        eprintln!("argus: error: cannot store the scrape: {e}");
        st.registry.add(
            "argus_scrape_commit_failures_total",
            "Scrape rounds that could not be stored.",
            &[],
            1.0,
        );
    }
}

/// Why a loop run ended.
enum Stop {
    Shutdown,
    Reload(ReloadRequest),
}

/// Starts the scrape thread with the jobs already loaded. It runs until `shutdown` turns
/// true, then finishes its round, commits, and returns.
pub fn start(
    st: Arc<AppState>,
    setup: ScrapeSetup,
    initial: Discovery,
    mut reloads: mpsc::UnboundedReceiver<ReloadRequest>,
    mut shutdown: watch::Receiver<bool>,
) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name("argus-scrape".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("argus: error: cannot start the scraper: {e}");
                    return;
                }
            };
            // Merges run on the server's merge thread, woken after each round.
            let mut sink = StoreScrapeSink::deferring_merges(st.store.clone());
            let opts = ScrapeOptions::default();
            let mut jobs = initial;
            rt.block_on(async {
                loop {
                    let stop: Cell<Option<Stop>> = Cell::new(None);
                    let until = async {
                        tokio::select! {
                            _ = shutdown.wait_for(|s| *s) => stop.set(Some(Stop::Shutdown)),
                            r = reloads.recv() => stop.set(Some(match r {
                                Some(r) => Stop::Reload(r),
                                None => Stop::Shutdown,
                            })),
                        }
                    };
                    run_loop(&mut jobs, &mut sink, &opts, now_ms, until, |r| {
                        record_round(&st, r)
                    })
                    .await;
                    match stop.take() {
                        Some(Stop::Reload(reply)) => {
                            // All or nothing: the scrape jobs and the rules are replaced
                            // together, or neither is.
                            let loaded = setup
                                .load()
                                .and_then(|j| st.rules.setup.load().map(|r| (j, r)));
                            let outcome = match loaded {
                                Ok(((new_jobs, yaml), rules)) => {
                                    install(&st, &new_jobs, yaml);
                                    st.rules.install(rules);
                                    jobs = new_jobs;
                                    eprintln!("argus: configuration reloaded");
                                    Ok(())
                                }
                                Err(e) => {
                                    eprintln!("argus: error: configuration not reloaded: {e}");
                                    if let Ok(mut c) = st.config.write() {
                                        c.last_reload_ok = false;
                                        c.last_error = Some(e.clone());
                                    }
                                    Err(e)
                                }
                            };
                            if let Some(reply) = reply {
                                let _ = reply.send(outcome);
                            }
                        }
                        Some(Stop::Shutdown) | None => break,
                    }
                }
            });
        })
        .expect("spawn the scrape thread")
}
