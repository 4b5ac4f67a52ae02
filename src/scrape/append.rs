//! One scrape's outcome to the samples to store, with Prometheus' semantics
//! (`scrapeLoop.append` and `report` in Prometheus' `scrape/scrape.go`):
//!
//! - Each exposed sample gets the target's labels. With `honor_labels: false` a target label
//!   wins and the exposed value moves to `exported_<name>` (more `exported_` prefixes until
//!   the name is free); with `honor_labels: true` the exposed value wins. Then
//!   `metric_relabel_configs` run (so they see `job` and `instance`); a sample whose label set
//!   they drop or empty is not stored. A sample left without `__name__` fails the scrape.
//! - `honor_timestamps: true` keeps an exposed timestamp; otherwise, and when there is none,
//!   the sample gets the scrape time. A series repeated within one scrape is stored once.
//! - Synthetic series, with the target labels, at the scrape time: `up` (1 or 0),
//!   `scrape_duration_seconds`, `scrape_samples_scraped` (samples in the body),
//!   `scrape_samples_post_metric_relabeling` (samples left after metric relabeling),
//!   `scrape_series_added` (series not seen in the target's previous scrape; all of them the
//!   first time argus scrapes the target). A failed scrape stores nothing from the body. When
//!   it failed on the body (a parse error, a sample without a name), the last three count
//!   what was processed before the error, as Prometheus reports them; an HTTP failure
//!   reports 0.
//! - Staleness: a series of the previous scrape (without an explicit timestamp) that is not in
//!   this one gets a staleness marker at the scrape time; after a failed scrape, all of them.
//!
//! Pure and synchronous: no I/O, no clock. `run` feeds it and writes the result.

use super::parse::ParsedBody;
use super::state::{SeriesSet, TargetState};
use super::target::{ScrapeJob, Target};
use crate::model::{stale_nan, Labels, LabelsBuilder, MetricMetadata, METRIC_NAME};

/// Why a scrape failed, with what was read before it failed.
#[derive(Clone, Debug, PartialEq)]
pub struct ScrapeFailure {
    pub message: String,
    /// The samples read before a parse error (counted, never stored); `None` for HTTP errors.
    pub partial: Option<ParsedBody>,
}

impl ScrapeFailure {
    pub fn new(message: impl Into<String>) -> ScrapeFailure {
        ScrapeFailure {
            message: message.into(),
            partial: None,
        }
    }
}

/// What to store for one target, and the numbers to report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Processed {
    /// In write order: scraped samples, staleness markers, synthetic series.
    pub samples: Vec<(Labels, i64, f64)>,
    pub metadata: Vec<MetricMetadata>,
    /// The series of this scrape, the next run's previous state.
    pub seen: SeriesSet,
    pub up: bool,
    pub samples_scraped: usize,
    pub samples_post_relabel: usize,
    pub series_added: usize,
    pub stale_markers: usize,
    /// Samples dropped because their own timestamp lies outside the range the store holds
    /// (as Prometheus drops "out of bounds" samples and keeps the rest of the scrape).
    pub out_of_bounds: usize,
    /// The first such sample, for the warning.
    pub first_out_of_bounds: Option<String>,
    pub error: Option<String>,
}

/// The synthetic series names, in the order they are written.
pub const SYNTHETIC: [&str; 5] = [
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
];

/// Adds the target labels to an exposed label set (`mutateSampleLabels` without the
/// relabeling step).
pub fn add_target_labels(exposed: &Labels, target: &Labels, honor_labels: bool) -> Labels {
    let mut b = exposed.to_builder();
    if honor_labels {
        for (k, v) in target.iter() {
            if exposed.get(k).is_none() {
                b.set(k, v);
            }
        }
        return b.build();
    }
    let mut conflicts: Vec<(String, String)> = Vec::new();
    for (k, v) in target.iter() {
        if let Some(existing) = exposed.get(k) {
            conflicts.push((k.to_string(), existing.to_string()));
        }
        b.set(k, v);
    }
    // Shorter names first, so that `exported_a` is settled before `exported_exported_a`.
    conflicts.sort_by_key(|(k, _)| k.len());
    for i in 0..conflicts.len() {
        let mut name = conflicts[i].0.clone();
        loop {
            name = format!("exported_{name}");
            let taken = exposed.get(&name).is_some()
                || target.get(&name).is_some()
                || conflicts[..i].iter().any(|(k, _)| *k == name);
            if !taken {
                break;
            }
        }
        conflicts[i].0 = name;
    }
    for (k, v) in conflicts {
        b.set(k, v);
    }
    b.build()
}

/// Processes one target's scrape at time `t` (ms). `prev` is the state of the previous scrape
/// (`None` when there is none).
pub fn process(
    job: &ScrapeJob,
    target: &Target,
    t: i64,
    duration_s: f64,
    outcome: Result<ParsedBody, ScrapeFailure>,
    prev: Option<&TargetState>,
) -> Processed {
    let mut out = Processed::default();
    match outcome {
        Ok(body) => match append_body(job, target, t, body, prev, &mut out) {
            Ok(()) => out.up = true,
            Err(message) => out = failed_counts(&out, message),
        },
        Err(f) => {
            let mut scratch = Processed::default();
            if let Some(body) = f.partial {
                // Only counted: the scrape fails anyway.
                let _ = append_body(job, target, t, body, prev, &mut scratch);
            }
            out = failed_counts(&scratch, f.message);
        }
    }
    // Staleness: everything the previous scrape had that this one has not.
    if let Some(prev) = prev {
        let mut stale: Vec<&Labels> = prev
            .series
            .iter()
            .filter(|(l, &explicit)| !explicit && !out.seen.contains_key(*l))
            .map(|(l, _)| l)
            .collect();
        stale.sort();
        out.stale_markers = stale.len();
        for l in stale {
            out.samples.push((l.clone(), t, stale_nan()));
        }
    }
    let values = [
        if out.up { 1.0 } else { 0.0 },
        duration_s,
        out.samples_scraped as f64,
        out.samples_post_relabel as f64,
        out.series_added as f64,
    ];
    for (name, v) in SYNTHETIC.iter().zip(values) {
        let mut b = target.labels.to_builder();
        b.set(METRIC_NAME, *name);
        out.samples.push((b.build(), t, v));
    }
    out
}

/// A failed scrape: nothing to store, the counts so far, the error.
fn failed_counts(so_far: &Processed, message: String) -> Processed {
    Processed {
        samples_scraped: so_far.samples_scraped,
        samples_post_relabel: so_far.samples_post_relabel,
        series_added: so_far.series_added,
        error: Some(message),
        ..Processed::default()
    }
}

fn append_body(
    job: &ScrapeJob,
    target: &Target,
    t: i64,
    body: ParsedBody,
    prev: Option<&TargetState>,
    out: &mut Processed,
) -> Result<(), String> {
    out.metadata = body.metadata;
    for s in body.samples {
        out.samples_scraped += 1;
        let with_target = add_target_labels(&s.labels, &target.labels, job.honor_labels);
        let Some(labels) = super::relabel::process(&with_target, &job.metric_relabel_configs)
        else {
            continue;
        };
        if labels.is_empty() {
            continue;
        }
        if labels.metric_name().is_none() {
            return Err(format!(
                "a sample has no metric name (__name__) after relabeling: {labels}"
            ));
        }
        // The exposition parser checked the exposed labels; relabeling may have made longer
        // ones. Too long a label fails the scrape, as Prometheus' label limits do.
        if let Some(e) = labels
            .iter()
            .find_map(|(k, v)| crate::model::limits::check_label_size(k, v).err())
        {
            return Err(format!("after relabeling: {e}"));
        }
        out.samples_post_relabel += 1;
        if out.seen.contains_key(&labels) {
            // The same series twice in one body: the first one wins.
            continue;
        }
        let ts = match s.timestamp {
            Some(ts) if job.honor_timestamps => ts,
            _ => t,
        };
        if let Err(e) = crate::model::limits::check_sample_time(ts) {
            // One exporter's clock must not cost the other samples (nor, through the store's
            // refusal, the whole round's commit): the sample is dropped and counted.
            out.out_of_bounds += 1;
            out.first_out_of_bounds
                .get_or_insert_with(|| format!("{labels}: {e}"));
            continue;
        }
        let explicit = job.honor_timestamps && s.timestamp.is_some();
        if !prev.is_some_and(|p| p.series.contains_key(&labels)) {
            out.series_added += 1;
        }
        out.samples.push((labels.clone(), ts, s.value));
        out.seen.insert(labels, explicit);
    }
    Ok(())
}

/// A label set builder starting from the name, for tests and callers building series.
pub fn named(name: &str, labels: &[(&str, &str)]) -> Labels {
    let mut b = LabelsBuilder::default();
    b.set(METRIC_NAME, name);
    for (k, v) in labels {
        b.set(*k, *v);
    }
    b.build()
}

#[cfg(test)]
#[path = "append_tests.rs"]
mod tests;
