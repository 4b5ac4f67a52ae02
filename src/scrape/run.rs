//! Running scrapes: all due targets of a round concurrently (bounded), their results applied
//! to the sink one target at a time, and either one round ([`scrape_once`], the cron mode) or
//! rounds until shutdown ([`run_loop`]).
//!
//! Why rounds: a round is what the sink commits at once, so a one-shot run is a single commit
//! and a loop commits once per round. Targets in a loop are due by their own interval (the
//! CLI's `--every` sets one interval for all); a round takes every target due at that
//! instant. Fetching and parsing run in tasks (parsing on the blocking pool, since a large
//! body is CPU work); applying to the sink is sequential because the sink is one writer.
//!
//! A target's failure is data (`up 0`) and a line in the report; it never stops the others.
//! The staleness state of a target is written right after its samples are appended, before
//! the caller commits: if the commit then fails, the next run may write markers for series
//! whose last samples were lost, which queries treat exactly like an absent series.
//! Shutdown is cooperative: when the shutdown future completes during a round, the round is
//! finished and committed, then [`run_loop`] returns.
//!
//! The loop takes its targets from a [`Discovery`], refreshed at every wake-up: targets that
//! appear are due at once, those that stay keep their schedule, those that go are dropped.
//! Its reports say when the targets in force changed, so that a caller (`serve`'s
//! `/api/v1/targets`) always shows the current ones.
//!
//! [`TargetKind::Host`] targets are not fetched over HTTP: `host` collects this machine's
//! metrics on the blocking pool, bounded by the target's timeout like a request (a hung
//! `statvfs` on a dead network mount then fails the scrape instead of the loop).

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::append::{process, ScrapeFailure};
use super::discovery::{Discovery, DiscoveryUpdate};
use super::http::{build_client, fetch, DEFAULT_BODY_SIZE_LIMIT};
use super::parse::{parse_body, ParsedBody};
use super::state::{decode, encode, state_name, TargetState};
use super::target::{ScrapeJob, Target, TargetKind};
use super::ScrapeSink;
use crate::model::Labels;

/// Knobs of a run.
#[derive(Clone, Debug)]
pub struct ScrapeOptions {
    /// At most this many requests in flight at once.
    pub max_concurrency: usize,
    /// Largest accepted body, after decompression, in bytes.
    pub body_size_limit: usize,
}

impl Default for ScrapeOptions {
    fn default() -> Self {
        ScrapeOptions {
            max_concurrency: 32,
            body_size_limit: DEFAULT_BODY_SIZE_LIMIT,
        }
    }
}

/// The outcome of one target in one round.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetReport {
    pub job: String,
    pub url: String,
    pub instance: String,
    pub up: bool,
    pub duration: Duration,
    pub samples_scraped: usize,
    pub samples_post_relabel: usize,
    pub series_added: usize,
    pub stale_markers: usize,
    /// Why the scrape failed (`up 0`).
    pub error: Option<String>,
    /// Problems that did not fail the scrape (an unreadable staleness state, sink errors).
    pub warnings: Vec<String>,
}

/// The outcome of one round. [`run_loop`] also reports when only its targets changed or a
/// target file could not be read; such a report has no `targets`.
#[derive(Clone, Debug, Default)]
pub struct ScrapeRunReport {
    /// The scrape time given to every sample without its own timestamp.
    pub timestamp_ms: i64,
    pub targets: Vec<TargetReport>,
    /// Set by [`run_loop`] when the round's commit failed.
    pub commit_error: Option<String>,
    /// Set by [`run_loop`] in its first report and whenever the targets in force changed
    /// since the previous one: the jobs with their current targets.
    pub new_targets: Option<Vec<ScrapeJob>>,
    /// Target files that could not be read since the previous report (their last good
    /// targets stay in force).
    pub discovery_errors: Vec<String>,
    /// Discovered targets skipped since the previous report.
    pub discovery_warnings: Vec<String>,
}

impl ScrapeRunReport {
    pub fn all_up(&self) -> bool {
        self.targets.iter().all(|t| t.up)
    }

    /// `"<url> (job <job>): <error>"` for each failed target, ready for stderr.
    pub fn failures(&self) -> Vec<String> {
        self.targets
            .iter()
            .filter_map(|t| {
                t.error
                    .as_ref()
                    .map(|e| format!("{} (job {}): {e}", t.url, t.job))
            })
            .collect()
    }
}

/// What [`run_loop`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoopSummary {
    pub rounds: usize,
    pub failed_commits: usize,
}

/// Scrapes every target of `jobs` once, at scrape time `now_ms`, and writes the results to
/// `sink` without committing (the caller commits once for the run).
pub async fn scrape_once(
    jobs: &[ScrapeJob],
    sink: &mut dyn ScrapeSink,
    now_ms: i64,
    opts: &ScrapeOptions,
) -> ScrapeRunReport {
    let all: Vec<(usize, usize)> = jobs
        .iter()
        .enumerate()
        .flat_map(|(j, job)| (0..job.targets.len()).map(move |t| (j, t)))
        .collect();
    let client = build_client();
    scrape_round(client.as_ref(), jobs, &all, sink, now_ms, opts).await
}

/// What the fetch-and-parse task of one target gives back.
struct Fetch {
    index: usize,
    duration: Duration,
    outcome: Result<ParsedBody, ScrapeFailure>,
}

async fn scrape_round(
    client: Result<&reqwest::Client, &String>,
    jobs: &[ScrapeJob],
    due: &[(usize, usize)],
    sink: &mut dyn ScrapeSink,
    now_ms: i64,
    opts: &ScrapeOptions,
) -> ScrapeRunReport {
    let mut report = ScrapeRunReport {
        timestamp_ms: now_ms,
        ..Default::default()
    };
    let mut fetched: Vec<Option<Fetch>> = (0..due.len()).map(|_| None).collect();
    match client {
        Ok(client) => {
            let limit = Arc::new(Semaphore::new(opts.max_concurrency.max(1)));
            let mut set = JoinSet::new();
            for (index, &(j, t)) in due.iter().enumerate() {
                let target = jobs[j].targets[t].clone();
                let (client, limit, body_limit) =
                    (client.clone(), limit.clone(), opts.body_size_limit);
                set.spawn(async move {
                    // Invariant: the semaphore is never closed.
                    let _permit = limit.acquire_owned().await.expect("semaphore open");
                    fetch_and_parse(index, &client, &target, body_limit).await
                });
            }
            // A task that panicked (a bug) leaves its slot empty; that target is reported
            // failed below, the others are unaffected.
            while let Some(done) = set.join_next().await {
                if let Ok(f) = done {
                    let i = f.index;
                    fetched[i] = Some(f);
                }
            }
        }
        Err(e) => {
            for (index, slot) in fetched.iter_mut().enumerate() {
                *slot = Some(Fetch {
                    index,
                    duration: Duration::ZERO,
                    outcome: Err(ScrapeFailure::new(e.to_string())),
                });
            }
        }
    }
    for (slot, &(j, t)) in fetched.into_iter().zip(due) {
        let f = slot.unwrap_or(Fetch {
            index: 0,
            duration: Duration::ZERO,
            outcome: Err(ScrapeFailure::new(
                "internal error: the scrape task panicked",
            )),
        });
        report
            .targets
            .push(apply(&jobs[j], &jobs[j].targets[t], f, sink, now_ms));
    }
    report
}

async fn fetch_and_parse(
    index: usize,
    client: &reqwest::Client,
    target: &Target,
    body_limit: usize,
) -> Fetch {
    let start = Instant::now();
    let outcome = match target.kind {
        TargetKind::Host => collect_host(target).await,
        TargetKind::Http => match fetch(client, target, body_limit).await {
            Err(message) => Err(ScrapeFailure::new(message)),
            Ok(f) => {
                let parsed = tokio::task::spawn_blocking(move || {
                    parse_body(f.content_type.as_deref(), &f.body)
                })
                .await;
                match parsed {
                    Ok(Ok(body)) => Ok(body),
                    Ok(Err(e)) => Err(ScrapeFailure {
                        message: e.to_string(),
                        partial: Some(e.partial),
                    }),
                    Err(e) => Err(ScrapeFailure::new(format!(
                        "internal error while parsing: {e}"
                    ))),
                }
            }
        },
    };
    Fetch {
        index,
        duration: start.elapsed(),
        outcome,
    }
}

/// This machine's metrics, collected on the blocking pool within the target's timeout.
async fn collect_host(target: &Target) -> Result<ParsedBody, ScrapeFailure> {
    let timeout = Duration::from_millis(target.timeout_ms.max(1) as u64);
    match tokio::time::timeout(timeout, tokio::task::spawn_blocking(super::host::collect)).await {
        Ok(Ok(Ok(body))) => Ok(body),
        Ok(Ok(Err(message))) => Err(ScrapeFailure::new(message)),
        Ok(Err(e)) => Err(ScrapeFailure::new(format!(
            "internal error while collecting this host's metrics: {e}"
        ))),
        Err(_) => Err(ScrapeFailure::new(format!(
            "collecting this host's metrics timed out after {} (scrape_timeout)",
            crate::model::time::format_duration(target.timeout_ms)
        ))),
    }
}

/// Applies one target's result: staleness state in, samples and state out.
fn apply(
    job: &ScrapeJob,
    target: &Target,
    f: Fetch,
    sink: &mut dyn ScrapeSink,
    now_ms: i64,
) -> TargetReport {
    let mut warnings = Vec::new();
    let name = state_name(target);
    let prev: Option<TargetState> = match sink.read_state(&name) {
        Ok(None) => None,
        Ok(Some(bytes)) => match decode(&bytes) {
            Ok(s) => Some(s),
            Err(e) => {
                warnings.push(format!("{e}; staleness markers skipped this time"));
                None
            }
        },
        Err(e) => {
            warnings.push(format!("cannot read the scrape state {name}: {e}"));
            None
        }
    };
    // A state written by a later (overlapping) run belongs to that run: do not use it for
    // markers and do not replace it.
    let newer_state = prev.as_ref().is_some_and(|p| p.last_scrape_ms >= now_ms);
    let prev_for_diff = if newer_state { None } else { prev.as_ref() };
    let p = process(
        job,
        target,
        now_ms,
        f.duration.as_secs_f64(),
        f.outcome,
        prev_for_diff,
    );
    if let Some(first) = &p.first_out_of_bounds {
        warnings.push(format!(
            "{} sample(s) dropped for a timestamp out of bounds, the first: {first}",
            p.out_of_bounds
        ));
    }
    let mut sink_errors = 0usize;
    for (labels, t, v) in &p.samples {
        if let Err(e) = sink.append(labels, *t, *v) {
            if sink_errors == 0 {
                warnings.push(format!("storing {labels}: {e}"));
            }
            sink_errors += 1;
        }
    }
    if sink_errors > 1 {
        warnings.push(format!("{sink_errors} samples could not be stored"));
    }
    for md in p.metadata.iter().cloned() {
        sink.add_metadata(md);
    }
    if !newer_state {
        if let Err(e) = sink.write_state(&name, &encode(target, now_ms, &p.seen)) {
            warnings.push(format!("cannot write the scrape state {name}: {e}"));
        }
    }
    TargetReport {
        job: job.name.clone(),
        url: target.url.clone(),
        instance: target.instance().to_string(),
        up: p.up,
        duration: f.duration,
        samples_scraped: p.samples_scraped,
        samples_post_relabel: p.samples_post_relabel,
        series_added: p.series_added,
        stale_markers: p.stale_markers,
        error: p.error,
        warnings,
    }
}

/// The identity of a target across refreshes: its job, URL and labels.
type TargetKey = (String, String, Labels);

/// When each target in force is due next.
struct Schedule {
    /// (job index, target index) into the jobs in force.
    targets: Vec<(usize, usize)>,
    next_due: Vec<tokio::time::Instant>,
    keys: Vec<TargetKey>,
}

impl Schedule {
    /// Every target of `jobs`, due at `now` unless `old` already had it.
    fn new(jobs: &[ScrapeJob], now: tokio::time::Instant, old: Option<&Schedule>) -> Schedule {
        let kept: HashMap<&TargetKey, tokio::time::Instant> = old
            .map(|o| o.keys.iter().zip(o.next_due.iter().copied()).collect())
            .unwrap_or_default();
        let mut s = Schedule {
            targets: Vec::new(),
            next_due: Vec::new(),
            keys: Vec::new(),
        };
        for (j, job) in jobs.iter().enumerate() {
            for (t, target) in job.targets.iter().enumerate() {
                let key = (job.name.clone(), target.url.clone(), target.labels.clone());
                s.next_due.push(kept.get(&key).copied().unwrap_or(now));
                s.targets.push((j, t));
                s.keys.push(key);
            }
        }
        s
    }

    fn next_wake(&self) -> Option<tokio::time::Instant> {
        self.next_due.iter().min().copied()
    }

    /// Indexes (into `targets`) of the targets due at `now`.
    fn due(&self, now: tokio::time::Instant) -> Vec<usize> {
        (0..self.targets.len())
            .filter(|&i| self.next_due[i] <= now)
            .collect()
    }

    /// Moves the targets just scraped to their next slot. After an overrun the missed slots
    /// are skipped instead of scraped in a burst.
    fn advance(&mut self, due: &[usize], jobs: &[ScrapeJob], now: tokio::time::Instant) {
        for &i in due {
            let (j, t) = self.targets[i];
            let every = Duration::from_millis(jobs[j].targets[t].interval_ms.max(1) as u64);
            let mut next = self.next_due[i] + every;
            while next <= now {
                next += every;
            }
            self.next_due[i] = next;
        }
    }
}

/// Scrapes each target of `targets` every its own interval until `shutdown` completes,
/// committing the sink once per round and handing each report to `on_round`. The first
/// round scrapes all targets at once. The targets are refreshed at every wake-up (see
/// [`Discovery`]); with no target and nothing to discover, the loop only waits for
/// `shutdown`. When `shutdown` completes during a round, that round is finished and
/// committed before returning. `now_ms` gives the scrape time of a round (the wall clock in
/// production, a fake one in tests).
pub async fn run_loop(
    targets: &mut Discovery,
    sink: &mut dyn ScrapeSink,
    opts: &ScrapeOptions,
    now_ms: impl Fn() -> i64,
    shutdown: impl Future<Output = ()>,
    mut on_round: impl FnMut(&ScrapeRunReport),
) -> LoopSummary {
    let mut summary = LoopSummary::default();
    let client = build_client();
    let start = tokio::time::Instant::now();
    let mut schedule = Schedule::new(targets.jobs(), start, None);
    let mut next_check = targets.check_interval().map(|d| start + d);
    let mut announce = true;
    tokio::pin!(shutdown);
    let mut stopping = false;
    while !stopping {
        match [schedule.next_wake(), next_check]
            .into_iter()
            .flatten()
            .min()
        {
            None => {
                (&mut shutdown).await;
                break;
            }
            Some(wake) => tokio::select! {
                biased;
                _ = &mut shutdown => break,
                _ = tokio::time::sleep_until(wake) => {}
            },
        }
        let now = tokio::time::Instant::now();
        let mut update = DiscoveryUpdate::default();
        if targets.has_files() {
            update = targets.refresh(now);
            next_check = targets.check_interval().map(|d| now + d);
            if update.changed {
                schedule = Schedule::new(targets.jobs(), now, Some(&schedule));
                announce = true;
            }
        }
        let due_idx = schedule.due(now);
        let mut report = ScrapeRunReport {
            timestamp_ms: now_ms(),
            ..Default::default()
        };
        if !due_idx.is_empty() {
            let due: Vec<(usize, usize)> = due_idx.iter().map(|&i| schedule.targets[i]).collect();
            let jobs = targets.jobs();
            report = {
                let round =
                    scrape_round(client.as_ref(), jobs, &due, sink, report.timestamp_ms, opts);
                tokio::pin!(round);
                loop {
                    tokio::select! {
                        biased;
                        r = &mut round => break r,
                        _ = &mut shutdown, if !stopping => stopping = true,
                    }
                }
            };
            if let Err(e) = sink.commit() {
                summary.failed_commits += 1;
                report.commit_error = Some(e.to_string());
            }
            summary.rounds += 1;
            schedule.advance(&due_idx, jobs, now);
        }
        if announce {
            report.new_targets = Some(targets.jobs().to_vec());
            announce = false;
        }
        report.discovery_errors = update.errors;
        report.discovery_warnings = update.warnings;
        let news = report.new_targets.is_some()
            || !report.discovery_errors.is_empty()
            || !report.discovery_warnings.is_empty();
        if !due_idx.is_empty() || news {
            on_round(&report);
        }
    }
    summary
}
