//! Store behaviour as a whole: commits and snapshots, last-write-wins across parts, backfill,
//! spills, merges under readers, retention, state files, damage, concurrency.

use super::*;
use crate::model::{stale_nan, Labels, Matcher, MetricMetadata, MetricType};

fn labels(name: &str, id: usize) -> Labels {
    Labels::from_pairs([("__name__", name.to_string()), ("id", id.to_string())])
}

fn store() -> (tempfile::TempDir, Store) {
    let d = tempfile::tempdir().unwrap();
    let s = Store::open(&d.path().join("s")).unwrap();
    (d, s)
}

fn values(s: &Store, name: &str) -> Vec<(Labels, Vec<(i64, u64)>)> {
    s.snapshot()
        .unwrap()
        .select(&[Matcher::equal("__name__", name)], i64::MIN, i64::MAX)
        .unwrap()
        .into_iter()
        .map(|s| {
            (
                s.labels,
                s.samples.iter().map(|x| (x.t, x.v.to_bits())).collect(),
            )
        })
        .collect()
}

#[test]
fn commit_then_read_back_exactly() {
    let (_d, s) = store();
    let mut w = s.writer();
    for id in 0..3 {
        for i in 0..5000 {
            w.append(&labels("m", id), 1000 * i, i as f64 * 0.5)
                .unwrap();
        }
    }
    w.append(&labels("m", 0), 5_000_000, stale_nan()).unwrap();
    w.add_metadata(MetricMetadata {
        metric: "m".into(),
        kind: MetricType::Gauge,
        help: "h".into(),
        unit: String::new(),
    });
    let st = w.commit().unwrap();
    assert_eq!((st.series, st.samples), (3, 15001));
    let got = values(&s, "m");
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].1.len(), 5001);
    assert_eq!(got[0].1[5000].1, stale_nan().to_bits());
    assert_eq!(got[1].1[3], (3000, 1.5f64.to_bits()));
    let snap = s.snapshot().unwrap();
    assert_eq!(snap.metadata().unwrap()[0].help, "h");
    let part = snap
        .select(&[Matcher::equal("id", "2")], 10_000, 12_000)
        .unwrap();
    assert_eq!(part[0].samples.len(), 3);
    assert_eq!(
        snap.label_values("id", &[], i64::MIN, i64::MAX).unwrap(),
        vec!["0", "1", "2"]
    );
}

#[test]
fn last_committed_write_wins_and_backfill_merges() {
    let (_d, s) = store();
    for (t, v) in [(1000, 1.0), (2000, 2.0)] {
        let mut w = s.writer();
        w.append(&labels("m", 0), t, v).unwrap();
        w.commit().unwrap();
    }
    // Backfill an older sample and overwrite t=2000.
    let mut w = s.writer();
    w.append(&labels("m", 0), 500, 0.5).unwrap();
    w.append(&labels("m", 0), 2000, 20.0).unwrap();
    w.commit().unwrap();
    let expect = vec![
        (500, 0.5f64.to_bits()),
        (1000, 1f64.to_bits()),
        (2000, 20f64.to_bits()),
    ];
    assert_eq!(values(&s, "m")[0].1, expect);
    s.compact(&CompactOptions::default()).unwrap();
    assert_eq!(values(&s, "m")[0].1, expect);
    assert_eq!(s.info().unwrap().parts, 1);
}

#[test]
fn dropped_writer_leaves_nothing() {
    let (_d, s) = store();
    let mut w = s.writer();
    w.set_spill_threshold(10);
    for i in 0..100 {
        w.append(&labels("m", 0), i, 1.0).unwrap();
    }
    drop(w);
    assert!(values(&s, "m").is_empty());
    assert_eq!(std::fs::read_dir(s.tmp_dir()).unwrap().count(), 0);
}

#[test]
fn spills_merge_into_one_part() {
    let (_d, s) = store();
    let mut w = s.writer();
    w.set_spill_threshold(1000);
    for i in 0..10_000i64 {
        w.append(&labels("m", (i % 7) as usize), i * 10, i as f64)
            .unwrap();
    }
    // A duplicate in a later spill wins.
    w.append(&labels("m", 0), 0, 42.0).unwrap();
    let st = w.commit().unwrap();
    assert_eq!(st.samples, 10_000);
    let got = values(&s, "m");
    assert_eq!(got[0].1[0], (0, 42f64.to_bits()));
    assert_eq!(got.iter().map(|g| g.1.len()).sum::<usize>(), 10_000);
    assert_eq!(s.info().unwrap().parts, 1);
}

#[test]
fn snapshot_survives_a_merge() {
    let (_d, s) = store();
    for i in 0..3 {
        let mut w = s.writer();
        w.append(&labels("m", i), 1000, i as f64).unwrap();
        w.commit().unwrap();
    }
    let snap = s.snapshot().unwrap();
    s.compact(&CompactOptions::default()).unwrap();
    // The old snapshot still reads its (now deleted) parts.
    let got = snap
        .select(&[Matcher::equal("__name__", "m")], 0, 2000)
        .unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(values(&s, "m").len(), 3);
}

#[test]
fn many_small_commits_stay_few_parts() {
    let (_d, s) = store();
    for i in 0..60 {
        let mut w = s.writer();
        w.append(&labels("m", 0), i * 1000, i as f64).unwrap();
        w.commit().unwrap();
    }
    let info = s.info().unwrap();
    assert!(info.parts <= 8, "{info:?}");
    assert_eq!(values(&s, "m")[0].1.len(), 60);
}

#[test]
fn retention_drops_old_samples() {
    let (_d, s) = store();
    let mut w = s.writer();
    for i in 0..100 {
        w.append(&labels("m", 0), i * 1000, 1.0).unwrap();
    }
    w.commit().unwrap();
    let mut w = s.writer();
    w.append(&labels("m", 1), 10, 1.0).unwrap();
    w.commit().unwrap();
    let r = s.apply_retention(50_000, 100_000).unwrap();
    assert_eq!((r.parts_deleted, r.parts_rewritten), (1, 1));
    let got = values(&s, "m");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1.first().unwrap().0, 50_000);
}

#[test]
fn state_files_round_trip() {
    let (_d, s) = store();
    assert_eq!(s.read_state("scrape-1").unwrap(), None);
    s.write_state("scrape-1", b"abc").unwrap();
    s.write_state("scrape-1", b"def").unwrap();
    assert_eq!(
        s.read_state("scrape-1").unwrap().as_deref(),
        Some(&b"def"[..])
    );
    assert!(s.write_state("../x", b"").is_err());
}

#[test]
fn check_finds_damage_and_truncation() {
    let (_d, s) = store();
    let mut w = s.writer();
    for i in 0..3000 {
        w.append(&labels("m", 0), i * 15_000, (i * 7 % 13) as f64 + 0.25)
            .unwrap();
    }
    let name = w.commit().unwrap().part.unwrap();
    assert!(s.check().unwrap().problems.is_empty());
    let path = s.metrics().parts_dir().join(name);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[100] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let r = s.check().unwrap();
    assert!(
        r.problems.iter().any(|p| p.contains("checksum")),
        "{:?}",
        r.problems
    );
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let r = s.check().unwrap();
    assert!(!r.problems.is_empty());
    assert!(s.snapshot().is_err());
}

#[test]
fn leftovers_of_dead_writers_are_removed_on_open() {
    let (d, s) = store();
    // pid 0x7fffffff does not exist: a writer that died.
    let stale = s.tmp_dir().join("2147483646-1-0.part");
    std::fs::write(&stale, b"half").unwrap();
    let _ = Store::open(&d.path().join("s")).unwrap();
    assert!(!stale.exists());
}

#[test]
fn concurrent_threads_lose_nothing() {
    let (_d, s) = store();
    let threads: Vec<_> = (0..6)
        .map(|t| {
            let s = s.clone();
            std::thread::spawn(move || {
                for k in 0..15 {
                    let mut w = s.writer();
                    for i in 0..50 {
                        w.append(&labels("m", t * 100 + k), i * 1000, i as f64)
                            .unwrap();
                    }
                    w.commit().unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let got = values(&s, "m");
    assert_eq!(got.len(), 90);
    assert!(got.iter().all(|g| g.1.len() == 50));
    assert!(s.check().unwrap().problems.is_empty());
}

#[test]
fn compression_of_node_like_counters() {
    let (_d, s) = store();
    let mut w = s.writer();
    let mut x: u64 = 7;
    for id in 0..20 {
        let mut v = 1_000_000.0f64;
        for i in 0..5760 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v = ((v + 13.0 + (x % 190) as f64 / 100.0) * 100.0).round() / 100.0;
            w.append(&labels("cpu", id), 1_700_000_000_000 + i * 15_000, v)
                .unwrap();
        }
    }
    w.commit().unwrap();
    let info = s.info().unwrap();
    assert!(info.bytes_per_sample() < 1.5, "{}", info.bytes_per_sample());
}

#[test]
fn batches_are_the_selection_in_order_in_bounded_pieces() {
    let (_d, s) = store();
    // Two parts, so that some series are merged from both.
    for round in 0..2 {
        let mut w = s.writer();
        for id in 0..40 {
            for i in 0..100 {
                w.append(&labels("m", id), 1000 * (i + 100 * round), i as f64)
                    .unwrap();
            }
        }
        w.commit().unwrap();
    }
    let snap = s.snapshot().unwrap();
    let m = [Matcher::equal("__name__", "m")];
    let whole = snap.select(&m, 50_000, 150_000).unwrap();
    for batch_samples in [1, 150, 1000, usize::MAX] {
        let mut got = Vec::new();
        let mut sizes = Vec::new();
        snap.select_batches(&m, 50_000, 150_000, batch_samples, &mut |b| {
            sizes.push(b.len());
            got.extend(b);
            Ok::<(), StoreError>(())
        })
        .unwrap();
        assert_eq!(got, whole, "batch_samples {batch_samples}");
        if batch_samples == 1 {
            assert!(sizes.iter().all(|&n| n == 1), "{sizes:?}");
        }
        if batch_samples == usize::MAX {
            assert_eq!(sizes, [40]);
        }
    }
    // An error of the consumer stops the batches and comes back unchanged.
    let mut calls = 0;
    let err = snap
        .select_batches(&m, i64::MIN, i64::MAX, 1, &mut |_| {
            calls += 1;
            Err(StoreError::Invalid("stop".into()))
        })
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Invalid(m) if m == "stop"),
        "{err}"
    );
    assert_eq!(calls, 1);
}

#[test]
fn a_retention_of_zero_deletes_nothing() {
    let (_d, s) = store();
    let mut w = s.writer();
    w.append(&labels("m", 0), 1000, 1.0).unwrap();
    w.commit().unwrap();
    let r = s.apply_retention(0, 1_000_000_000).unwrap();
    assert_eq!((r.parts_deleted, r.parts_rewritten), (0, 0));
    let opts = CompactOptions {
        retention_ms: Some(0),
        now_ms: 1_000_000_000,
    };
    assert_eq!(opts.cutoff(), None);
    s.compact(&opts).unwrap();
    s.compact_logs(&opts).unwrap();
    assert_eq!(values(&s, "m")[0].1.len(), 1);
}

#[test]
fn times_and_labels_the_store_cannot_hold_refuse_the_whole_commit() {
    use crate::model::limits::{MAX_LABEL_VALUE_BYTES, MAX_SAMPLE_MS, MIN_SAMPLE_MS};
    let (_d, s) = store();
    let long = Labels::from_pairs([
        ("__name__", "m".to_string()),
        ("id", "x".repeat(MAX_LABEL_VALUE_BYTES + 1)),
    ]);
    for (l, t) in [
        (labels("m", 0), i64::MIN),
        (labels("m", 0), MIN_SAMPLE_MS - 1),
        (labels("m", 0), MAX_SAMPLE_MS + 1),
        (long, 0),
    ] {
        let mut w = s.writer();
        w.append(&labels("m", 1), 1000, 1.0).unwrap();
        let e = w.append(&l, t, 2.0).unwrap_err();
        assert!(matches!(e, StoreError::Rejected(_)), "{e}");
        assert!(
            e.to_string().len() < 400,
            "the error quotes an excerpt: {e}"
        );
        // A caller that goes on regardless still commits nothing.
        w.append(&labels("m", 2), 1000, 1.0).unwrap();
        let e = w.commit().unwrap_err();
        assert!(matches!(e, StoreError::Rejected(_)), "{e}");
        assert!(values(&s, "m").is_empty());
    }
    assert_eq!(std::fs::read_dir(s.tmp_dir()).unwrap().count(), 0);
    assert!(s.check().unwrap().problems.is_empty());
}

#[test]
fn the_earliest_and_latest_times_share_a_chunk() {
    use crate::model::limits::{MAX_SAMPLE_MS, MIN_SAMPLE_MS};
    let (_d, s) = store();
    let mut w = s.writer();
    let times = [
        MIN_SAMPLE_MS,
        MIN_SAMPLE_MS + 1,
        0,
        MAX_SAMPLE_MS - 1,
        MAX_SAMPLE_MS,
    ];
    for (i, &t) in times.iter().enumerate() {
        w.append(&labels("m", 0), t, i as f64).unwrap();
    }
    w.commit().unwrap();
    let got: Vec<i64> = values(&s, "m")[0].1.iter().map(|x| x.0).collect();
    assert_eq!(got, times);
    assert!(s.check().unwrap().problems.is_empty());
    s.compact(&CompactOptions::default()).unwrap();
    assert!(s.check().unwrap().problems.is_empty());
}

#[test]
fn a_store_opened_read_only_refuses_writes_and_a_missing_one() {
    let (d, s) = store();
    let mut w = s.writer();
    w.append(&labels("m", 0), 1000, 1.0).unwrap();
    w.commit().unwrap();
    let ro = Store::open_read_only(s.dir()).unwrap();
    assert!(!ro.is_writable());
    assert_eq!(values(&ro, "m").len(), 1);
    let mut w = ro.writer();
    w.append(&labels("m", 1), 1000, 1.0).unwrap();
    assert!(w.commit().is_err());
    assert!(ro.write_state("x", b"").is_err());
    assert!(ro.compact(&CompactOptions::default()).is_err());
    assert!(ro.repair().is_err());
    assert_eq!(values(&s, "m").len(), 1);
    let missing = d.path().join("missing");
    let e = Store::open_read_only(&missing).unwrap_err();
    assert!(matches!(e, StoreError::NotAStore { .. }), "{e}");
    assert!(Store::open_existing(&missing).is_err());
    assert!(!missing.exists());
}
