//! The counting of `cardinality.rs` on real stores: exact counts, one count per series across
//! unmerged parts, selectors, the focus label, time ranges, and Loki's volume groupings.

use super::*;
use crate::model::{LogEntry, Matcher};
use crate::store::Store;

fn store() -> (tempfile::TempDir, Store) {
    let d = tempfile::tempdir().unwrap();
    let s = Store::open(&d.path().join("s")).unwrap();
    (d, s)
}

fn l(pairs: &[(&str, &str)]) -> Labels {
    Labels::from_pairs(pairs.iter().copied())
}

fn stats(list: &[Stat]) -> Vec<(&str, u64)> {
    list.iter().map(|s| (s.name.as_str(), s.value)).collect()
}

fn query(limit: usize) -> CardinalityQuery {
    CardinalityQuery {
        limit,
        ..CardinalityQuery::default()
    }
}

/// 50 series of `req` (one per `path`), and `up` for two jobs; each series two samples.
fn fill(s: &Store) {
    let mut w = s.writer();
    for i in 0..50 {
        let path = format!("/p{i:02}");
        let labels = l(&[("__name__", "req"), ("job", "api"), ("path", &path)]);
        w.append(&labels, 1000, 1.0).unwrap();
        w.append(&labels, 2000, 2.0).unwrap();
    }
    for job in ["api", "db"] {
        let labels = l(&[("__name__", "up"), ("job", job)]);
        w.append(&labels, 1000, 1.0).unwrap();
        w.append(&labels, 5000, 1.0).unwrap();
    }
    w.commit().unwrap();
}

#[test]
fn counts_series_per_name_label_and_pair() {
    let (_d, s) = store();
    fill(&s);
    let c = metrics(&s.snapshot().unwrap(), &query(3));
    assert_eq!(c.series, 52);
    assert_eq!(c.label_pairs, 50 + 2 + 2);
    assert_eq!(c.chunks, 52);
    assert_eq!(c.samples, 104);
    assert_eq!((c.min_time, c.max_time), (Some(1000), Some(5000)));
    assert_eq!(stats(&c.series_by_metric_name), [("req", 50), ("up", 2)]);
    assert_eq!(
        stats(&c.values_by_label_name),
        [("path", 50), ("__name__", 2), ("job", 2)]
    );
    assert_eq!(
        stats(&c.series_by_label_pair),
        [("job=api", 51), ("__name__=req", 50), ("__name__=up", 2)]
    );
    // path: 50 series, each "path" (4) + "/pNN" (4); job: 52 x "job" + 51 x "api" + "db".
    assert_eq!(
        stats(&c.label_bytes_by_label_name),
        [
            ("__name__", 50 * 11 + 2 * 10),
            ("path", 400),
            ("job", 52 * 3 + 51 * 3 + 2)
        ]
    );
    assert!(c.series_by_focus_value.is_empty());
}

#[test]
fn a_series_in_several_parts_counts_once() {
    let (_d, s) = store();
    for round in 0..3 {
        let mut w = s.writer();
        w.defer_merge();
        // Series 0..10 in every commit, and one series of each commit's own.
        for i in 0..10 {
            let id = i.to_string();
            w.append(&l(&[("__name__", "m"), ("id", &id)]), 1000 * round, 1.0)
                .unwrap();
        }
        let own = format!("own{round}");
        w.append(&l(&[("__name__", "m"), ("id", &own)]), 1000 * round, 1.0)
            .unwrap();
        w.commit().unwrap();
    }
    let snap = s.snapshot().unwrap();
    assert_eq!(snap.parts().len(), 3, "the commits stay unmerged");
    let c = metrics(&snap, &query(2));
    assert_eq!(c.series, 13);
    assert_eq!(c.chunks, 33, "each part's chunk of a series counts");
    assert_eq!(c.samples, 33);
    assert_eq!(stats(&c.series_by_metric_name), [("m", 13)]);
    assert_eq!(
        stats(&c.values_by_label_name),
        [("id", 13), ("__name__", 1)]
    );
    assert_eq!(c.label_pairs, 14);
    assert_eq!((c.min_time, c.max_time), (Some(0), Some(2000)));
}

#[test]
fn selectors_focus_label_and_range_narrow_the_count() {
    let (_d, s) = store();
    fill(&s);
    let snap = s.snapshot().unwrap();
    let q = CardinalityQuery {
        selectors: vec![
            vec![Matcher::equal("__name__", "up")],
            vec![Matcher::equal("path", "/p07")],
        ],
        focus_label: Some("job".into()),
        limit: 10,
        range: None,
    };
    let c = metrics(&snap, &q);
    assert_eq!(c.series, 3);
    assert_eq!(stats(&c.series_by_focus_value), [("api", 2), ("db", 1)]);
    assert_eq!(stats(&c.series_by_metric_name), [("up", 2), ("req", 1)]);

    // Only `up` has a sample after 2 s; its chunks count whole, others not at all.
    let q = CardinalityQuery {
        range: Some((3000, 10_000)),
        ..query(10)
    };
    let c = metrics(&snap, &q);
    assert_eq!(c.series, 2);
    assert_eq!((c.min_time, c.max_time), (Some(1000), Some(5000)));
    assert_eq!(stats(&c.series_by_metric_name), [("up", 2)]);
}

#[test]
fn an_empty_store_counts_nothing() {
    let (_d, s) = store();
    let c = metrics(&s.snapshot().unwrap(), &query(10));
    assert_eq!(c, Cardinality::default());
    let c = logs(&s.log_snapshot().unwrap(), &query(10));
    assert_eq!(c, Cardinality::default());
}

#[test]
fn top_n_keeps_the_largest_and_breaks_ties_by_name() {
    let mut top = TopN::new(3);
    for (v, k) in [(1, "e"), (5, "d"), (5, "a"), (2, "c"), (5, "b"), (0, "f")] {
        top.push(v, k);
    }
    let got = top.finish(|k| k.to_string());
    assert_eq!(stats(&got), [("a", 5), ("b", 5), ("d", 5)]);
    let mut none = TopN::new(0);
    none.push(1, "a");
    assert!(none.finish(|k: &str| k.to_string()).is_empty());
}

/// Streams of two apps in two envs, plus one stream without `env`; `app="api"` logs the most.
fn fill_logs(s: &Store) {
    let mut w = s.log_writer();
    let mut add = |labels: Labels, lines: usize, len: usize| {
        for i in 0..lines {
            w.append(&labels, LogEntry::new(1000 + i as i64, "x".repeat(len)))
                .unwrap();
        }
    };
    add(
        l(&[("app", "api"), ("env", "prod"), ("level", "info")]),
        10,
        100,
    );
    add(
        l(&[("app", "api"), ("env", "dev"), ("level", "info")]),
        10,
        10,
    );
    add(
        l(&[("app", "web"), ("env", "prod"), ("level", "error")]),
        5,
        20,
    );
    add(l(&[("app", "cron")]), 1, 7);
    w.commit().unwrap();
}

#[test]
fn log_cardinality_counts_streams_and_bytes() {
    let (_d, s) = store();
    fill_logs(&s);
    let q = CardinalityQuery {
        focus_label: Some("app".into()),
        ..query(2)
    };
    let c = logs(&s.log_snapshot().unwrap(), &q);
    assert_eq!(c.series, 4);
    assert_eq!(c.samples, 26);
    assert_eq!(c.bytes, 1000 + 100 + 100 + 7);
    assert_eq!(stats(&c.values_by_label_name), [("app", 3), ("env", 2)]);
    assert_eq!(
        stats(&c.series_by_label_pair),
        [("app=api", 2), ("env=prod", 2)]
    );
    assert_eq!(
        stats(&c.bytes_by_series),
        [
            ("{app=\"api\", env=\"prod\", level=\"info\"}", 1000),
            ("{app=\"api\", env=\"dev\", level=\"info\"}", 100)
        ]
    );
    assert_eq!(
        stats(&c.bytes_by_label_pair),
        [("app=api", 1100), ("env=prod", 1100)]
    );
    assert_eq!(stats(&c.series_by_focus_value), [("api", 2), ("cron", 1)]);
    assert_eq!(
        stats(&c.bytes_by_focus_value),
        [("api", 1100), ("web", 100)]
    );
}

fn volume(s: &Store, q: VolumeQuery) -> Vec<(Vec<(String, String)>, u64)> {
    log_volume(&s.log_snapshot().unwrap(), &q)
        .into_iter()
        .map(|v| (v.labels, v.bytes))
        .collect()
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn volume_groups_as_loki_does() {
    let (_d, s) = store();
    fill_logs(&s);
    let base = VolumeQuery {
        from: 0,
        to: i64::MAX,
        limit: 100,
        ..VolumeQuery::default()
    };
    // By the labels the selector names: `{app=~".+"}` groups by app.
    let q = VolumeQuery {
        matchers: vec![Matcher::new("app", crate::model::MatchOp::RegexMatch, ".+").unwrap()],
        ..base.clone()
    };
    assert_eq!(
        volume(&s, q),
        [
            (pairs(&[("app", "api")]), 1100),
            (pairs(&[("app", "web")]), 100),
            (pairs(&[("app", "cron")]), 7)
        ]
    );
    // `{}`: every stream, with all its labels.
    let got = volume(&s, base.clone());
    assert_eq!(got.len(), 4);
    assert_eq!(got[0].1, 1000);
    assert_eq!(got[3], (pairs(&[("app", "cron")]), 7));
    // targetLabels: only streams that have them, grouped by them alone.
    let q = VolumeQuery {
        matchers: vec![Matcher::equal("level", "info")],
        target_labels: vec!["env".into()],
        ..base.clone()
    };
    assert_eq!(
        volume(&s, q),
        [
            (pairs(&[("env", "prod")]), 1000),
            (pairs(&[("env", "dev")]), 100)
        ]
    );
    // aggregateBy=labels: each label name gets the bytes of the streams that carry it.
    let q = VolumeQuery {
        by: VolumeBy::Labels,
        limit: 2,
        ..base.clone()
    };
    assert_eq!(
        volume(&s, q),
        [(pairs(&[("app", "")]), 1207), (pairs(&[("env", "")]), 1200)]
    );
    // A range that misses every block.
    let q = VolumeQuery {
        from: 5000,
        to: 6000,
        ..base
    };
    assert!(volume(&s, q).is_empty());
}
