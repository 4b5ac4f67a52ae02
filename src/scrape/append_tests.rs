//! Unit tests of `append.rs`: target labels and `honor_labels` (cases from Prometheus'
//! `TestScrapeLoopAppendForConflictingPrefixedLabels`), `honor_timestamps`, metric
//! relabeling, synthetic series and staleness.

use super::*;
use crate::model::is_stale_nan;
use crate::scrape::parse::{ParsedBody, ScrapedSample};
use crate::scrape::relabel::RelabelConfig;

fn ls(pairs: &[(&str, &str)]) -> Labels {
    Labels::from_pairs(pairs.iter().copied())
}

fn target() -> Target {
    Target {
        kind: Default::default(),
        url: "http://h:1/metrics".into(),
        labels: ls(&[("instance", "h:1"), ("job", "j")]),
        interval_ms: 15_000,
        timeout_ms: 10_000,
        auth: None,
    }
}

fn job(honor_labels: bool, honor_timestamps: bool, rules: &str) -> ScrapeJob {
    let metric_relabel_configs: Vec<RelabelConfig> = if rules.is_empty() {
        Vec::new()
    } else {
        serde_yaml_ng::from_str(rules).unwrap()
    };
    ScrapeJob {
        name: "j".into(),
        honor_labels,
        honor_timestamps,
        metric_relabel_configs,
        targets: vec![target()],
    }
}

fn body(samples: &[(Labels, Option<i64>, f64)]) -> ParsedBody {
    ParsedBody {
        samples: samples
            .iter()
            .map(|(l, t, v)| ScrapedSample {
                labels: l.clone(),
                timestamp: *t,
                value: *v,
            })
            .collect(),
        metadata: Vec::new(),
    }
}

fn value_of(p: &Processed, name: &str) -> f64 {
    p.samples
        .iter()
        .find(|(l, _, _)| l.metric_name() == Some(name))
        .map(|s| s.2)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn conflicting_prefixed_labels() {
    type Pairs<'a> = &'a [(&'a str, &'a str)];
    // (target labels, exposed labels, expected labels besides __name__)
    let cases: &[(Pairs, Pairs, Pairs)] = &[
        (
            &[("foo", "2")],
            &[("foo", "1")],
            &[("exported_foo", "1"), ("foo", "2")],
        ),
        (
            &[("foo", "2"), ("exported_foo", "3")],
            &[("foo", "1")],
            &[
                ("exported_exported_foo", "1"),
                ("exported_foo", "3"),
                ("foo", "2"),
            ],
        ),
        (
            &[("foo", "3")],
            &[("foo", "1"), ("exported_foo", "2")],
            &[
                ("exported_exported_foo", "1"),
                ("exported_foo", "2"),
                ("foo", "3"),
            ],
        ),
        (
            &[("exported_foo", "2")],
            &[("exported_foo", "1")],
            &[("exported_exported_foo", "1"), ("exported_foo", "2")],
        ),
        (
            &[("foo", "3"), ("exported_foo", "4")],
            &[("foo", "1"), ("exported_foo", "2")],
            &[
                ("exported_exported_foo", "1"),
                ("exported_exported_exported_foo", "2"),
                ("exported_foo", "4"),
                ("foo", "3"),
            ],
        ),
        (
            &[
                ("foo", "0"),
                ("exported_exported_foo", "1"),
                ("exported_exported_exported_foo", "2"),
            ],
            &[
                ("foo", "3"),
                ("exported_foo", "4"),
                ("exported_exported_exported_foo", "5"),
            ],
            &[
                ("exported_exported_exported_exported_exported_foo", "5"),
                ("exported_exported_exported_exported_foo", "3"),
                ("exported_exported_exported_foo", "2"),
                ("exported_exported_foo", "1"),
                ("exported_foo", "4"),
                ("foo", "0"),
            ],
        ),
    ];
    for (tl, exposed, want) in cases {
        let got = add_target_labels(&named("metric", exposed), &ls(tl), false);
        assert_eq!(
            got,
            named("metric", want),
            "target {tl:?} exposed {exposed:?}"
        );
    }
}

#[test]
fn honor_labels_keeps_exposed_values() {
    let got = add_target_labels(
        &named("m", &[("job", "pushed"), ("x", "1")]),
        &ls(&[("instance", "h:1"), ("job", "j")]),
        true,
    );
    assert_eq!(
        got,
        named("m", &[("instance", "h:1"), ("job", "pushed"), ("x", "1")])
    );
}

#[test]
fn successful_scrape_and_synthetic_series() {
    let j = job(false, true, "");
    let b = body(&[
        (named("a", &[]), None, 1.0),
        (named("b", &[("job", "exp")]), Some(500), 2.0),
        (named("a", &[]), None, 9.0),
    ]);
    let p = process(&j, &target(), 1000, 0.25, Ok(b), None);
    assert!(p.up && p.error.is_none());
    assert_eq!(p.samples_scraped, 3);
    assert_eq!(p.samples_post_relabel, 3);
    assert_eq!(p.series_added, 2);
    assert_eq!(
        p.samples[0],
        (named("a", &[("instance", "h:1"), ("job", "j")]), 1000, 1.0)
    );
    assert_eq!(
        p.samples[1],
        (
            named(
                "b",
                &[("exported_job", "exp"), ("instance", "h:1"), ("job", "j")]
            ),
            500,
            2.0
        )
    );
    // The duplicate `a` is stored once; then the five synthetic series.
    assert_eq!(p.samples.len(), 2 + 5);
    let names: Vec<_> = p.samples[2..]
        .iter()
        .map(|(l, t, _)| {
            assert_eq!(*t, 1000);
            assert_eq!(l.get("job"), Some("j"));
            assert_eq!(l.get("instance"), Some("h:1"));
            l.metric_name().unwrap().to_string()
        })
        .collect();
    assert_eq!(names, SYNTHETIC);
    assert_eq!(value_of(&p, "up"), 1.0);
    assert_eq!(value_of(&p, "scrape_duration_seconds"), 0.25);
    assert_eq!(value_of(&p, "scrape_samples_scraped"), 3.0);
    assert_eq!(value_of(&p, "scrape_series_added"), 2.0);
}

#[test]
fn honor_timestamps_false_uses_scrape_time() {
    let j = job(false, false, "");
    let p = process(
        &j,
        &target(),
        1000,
        0.1,
        Ok(body(&[(named("b", &[]), Some(500), 2.0)])),
        None,
    );
    assert_eq!(p.samples[0].1, 1000);
    assert_eq!(p.seen.values().next(), Some(&false));
}

#[test]
fn samples_timed_outside_the_store_range_are_dropped_and_the_rest_kept() {
    // Regression: an exporter's own timestamp of i64::MIN went to the store, which (rightly)
    // refuses it, and so refused the whole round's commit, every target's samples with it.
    let j = job(false, true, "");
    let p = process(
        &j,
        &target(),
        1000,
        0.1,
        Ok(body(&[
            (named("bad", &[]), Some(i64::MIN), 1.0),
            (named("good", &[]), Some(900), 2.0),
        ])),
        None,
    );
    assert!(p.up);
    assert_eq!(p.out_of_bounds, 1);
    assert!(p.first_out_of_bounds.as_deref().unwrap().contains("bad"));
    assert!(p
        .samples
        .iter()
        .all(|(l, _, _)| l.metric_name() != Some("bad")));
    assert_eq!(value_of(&p, "good"), 2.0);
    assert!(p.seen.keys().all(|l| l.metric_name() != Some("bad")));
}

#[test]
fn labels_made_too_long_by_relabeling_fail_the_scrape() {
    let long = "x".repeat(crate::model::limits::MAX_LABEL_VALUE_BYTES + 1);
    let rules = format!("- {{target_label: big, replacement: '{long}'}}");
    let j = job(false, true, &rules);
    let p = process(
        &j,
        &target(),
        1000,
        0.1,
        Ok(body(&[(named("a", &[]), None, 1.0)])),
        None,
    );
    assert!(!p.up);
    assert!(p.error.unwrap().contains("after relabeling"));
}

#[test]
fn metric_relabeling_sees_target_labels_and_counts() {
    let j = job(
        false,
        true,
        "- {source_labels: [__name__], regex: 'go_.*', action: drop}\n\
         - {source_labels: [job], target_label: copied}",
    );
    let b = body(&[
        (named("go_gc", &[]), None, 1.0),
        (named("keep", &[]), None, 2.0),
    ]);
    let p = process(&j, &target(), 1000, 0.1, Ok(b), None);
    assert_eq!(p.samples_scraped, 2);
    assert_eq!(p.samples_post_relabel, 1);
    assert_eq!(value_of(&p, "scrape_samples_post_metric_relabeling"), 1.0);
    assert_eq!(p.samples[0].0.get("copied"), Some("j"));
    // Synthetic series are not metric-relabeled.
    assert_eq!(
        p.samples
            .iter()
            .find(|s| s.0.metric_name() == Some("up"))
            .unwrap()
            .0
            .get("copied"),
        None
    );
}

#[test]
fn losing_the_metric_name_fails_the_scrape() {
    let j = job(false, true, "- {regex: __name__, action: labeldrop}");
    let p = process(
        &j,
        &target(),
        1000,
        0.1,
        Ok(body(&[(named("a", &[]), None, 1.0)])),
        None,
    );
    assert!(!p.up);
    assert!(p.error.as_ref().unwrap().contains("no metric name"));
    assert_eq!(p.samples.len(), 5);
    assert_eq!(value_of(&p, "scrape_samples_scraped"), 1.0);
    assert_eq!(value_of(&p, "up"), 0.0);
}

fn prev_of(p: &Processed, t: i64) -> TargetState {
    TargetState {
        last_scrape_ms: t,
        series: p.seen.clone(),
    }
}

#[test]
fn staleness_for_vanished_series() {
    let j = job(false, true, "");
    let first = process(
        &j,
        &target(),
        1000,
        0.1,
        Ok(body(&[
            (named("a", &[]), None, 1.0),
            (named("b", &[]), None, 2.0),
            (named("c", &[]), Some(900), 3.0),
        ])),
        None,
    );
    assert_eq!(first.series_added, 3);
    let prev = prev_of(&first, 1000);
    let second = process(
        &j,
        &target(),
        2000,
        0.1,
        Ok(body(&[
            (named("a", &[]), None, 1.5),
            (named("d", &[]), None, 4.0),
        ])),
        Some(&prev),
    );
    assert_eq!(second.series_added, 1);
    // `b` vanished: marker. `c` had an explicit timestamp: no marker (as Prometheus).
    assert_eq!(second.stale_markers, 1);
    let markers: Vec<_> = second
        .samples
        .iter()
        .filter(|s| is_stale_nan(s.2))
        .collect();
    assert_eq!(markers.len(), 1);
    assert_eq!(
        markers[0].0,
        named("b", &[("instance", "h:1"), ("job", "j")])
    );
    assert_eq!(markers[0].1, 2000);
}

#[test]
fn failed_scrape_marks_everything_stale() {
    let j = job(false, true, "");
    let first = process(
        &j,
        &target(),
        1000,
        0.1,
        Ok(body(&[
            (named("a", &[]), None, 1.0),
            (named("b", &[]), None, 2.0),
        ])),
        None,
    );
    let prev = prev_of(&first, 1000);
    let failed = process(
        &j,
        &target(),
        2000,
        0.5,
        Err(ScrapeFailure::new(
            "server returned HTTP status 500 Internal Server Error",
        )),
        Some(&prev),
    );
    assert!(!failed.up);
    assert_eq!(failed.stale_markers, 2);
    assert!(failed.seen.is_empty());
    assert_eq!(value_of(&failed, "up"), 0.0);
    assert_eq!(value_of(&failed, "scrape_duration_seconds"), 0.5);
    assert_eq!(value_of(&failed, "scrape_samples_scraped"), 0.0);
    assert_eq!(value_of(&failed, "scrape_series_added"), 0.0);
    // After the failure nothing is stale any more; the next success adds everything anew.
    let prev = prev_of(&failed, 2000);
    let again = process(
        &j,
        &target(),
        3000,
        0.1,
        Ok(body(&[(named("a", &[]), None, 1.0)])),
        Some(&prev),
    );
    assert_eq!((again.stale_markers, again.series_added), (0, 1));
}

#[test]
fn parse_error_counts_what_came_before_and_stores_nothing() {
    let j = job(
        false,
        true,
        "- {source_labels: [__name__], regex: 'b', action: drop}",
    );
    let partial = body(&[(named("a", &[]), None, 1.0), (named("b", &[]), None, 2.0)]);
    let p = process(
        &j,
        &target(),
        1000,
        0.1,
        Err(ScrapeFailure {
            message: "parsing the response: line 3:1: bad".into(),
            partial: Some(partial),
        }),
        None,
    );
    assert!(!p.up);
    assert!(p.seen.is_empty());
    assert_eq!(p.samples.len(), 5, "only the synthetic series");
    assert_eq!(value_of(&p, "scrape_samples_scraped"), 2.0);
    assert_eq!(value_of(&p, "scrape_samples_post_metric_relabeling"), 1.0);
    assert_eq!(value_of(&p, "scrape_series_added"), 1.0);
}
