//! The log half of the store as a whole: commits and reads, merges, retention, filters,
//! spills, damage and concurrent writers.

use super::snapshot::{BlockStats, LogQuery};
use crate::model::{Labels, LogEntry, Matcher};
use crate::store::{CompactOptions, Store, StoreError};

fn store() -> (tempfile::TempDir, Store) {
    let d = tempfile::tempdir().unwrap();
    let s = Store::open(&d.path().join("s")).unwrap();
    (d, s)
}

fn app(name: &str) -> Labels {
    Labels::from_pairs([("app", name)])
}

fn all(s: &Store, m: &[Matcher]) -> Vec<(Labels, Vec<(i64, String)>)> {
    let snap = s.log_snapshot().unwrap();
    let q = LogQuery {
        matchers: m.to_vec(),
        from: i64::MIN,
        to: i64::MAX,
        required: Vec::new(),
    };
    let mut out = Vec::new();
    snap.read_streams(&q, |l, entries| {
        out.push((
            l.clone(),
            entries.into_iter().map(|e| (e.t, e.line)).collect(),
        ));
        Ok(())
    })
    .unwrap();
    out
}

#[test]
fn commits_read_back_in_time_order_across_parts_without_duplicates() {
    let (_d, s) = store();
    let mut w = s.log_writer();
    for i in (0..1000).rev() {
        w.append(&app("a"), LogEntry::new(i * 1000, format!("line {i}")))
            .unwrap();
    }
    w.append(&app("b"), LogEntry::new(5, "only")).unwrap();
    let st = w.commit().unwrap();
    assert_eq!((st.streams, st.entries), (2, 1001));
    // A second commit overlapping the first: out-of-order entries and a repeated line.
    let mut w = s.log_writer();
    w.append(&app("a"), LogEntry::new(500, "between")).unwrap();
    w.append(&app("a"), LogEntry::new(0, "line 0")).unwrap();
    w.commit().unwrap();
    let got = all(&s, &[Matcher::equal("app", "a")]);
    assert_eq!(got.len(), 1);
    let lines = &got[0].1;
    assert_eq!(lines.len(), 1001, "the repeated line is stored once");
    assert_eq!(lines[0], (0, "line 0".to_string()));
    assert_eq!(lines[1], (500, "between".to_string()));
    assert!(lines.windows(2).all(|w| w[0].0 <= w[1].0));
    let info = s.log_info().unwrap();
    assert_eq!((info.streams, info.parts), (2, 2));
    // Compaction merges the parts; the content is unchanged.
    s.compact_logs(&CompactOptions::default()).unwrap();
    assert_eq!(s.log_info().unwrap().parts, 1);
    assert_eq!(all(&s, &[Matcher::equal("app", "a")]), got);
    assert!(s.check().unwrap().problems.is_empty());
}

#[test]
fn empty_valued_labels_are_dropped_and_a_stream_needs_one_label() {
    let (_d, s) = store();
    let mut w = s.log_writer();
    let with_empty = Labels::from_pairs([("app", "x"), ("name", "")]);
    w.append(&with_empty, LogEntry::new(1, "a")).unwrap();
    w.append(&app("x"), LogEntry::new(2, "b")).unwrap();
    assert!(w.append(&Labels::default(), LogEntry::new(3, "c")).is_err());
    w.commit().unwrap();
    let got = all(&s, &[Matcher::equal("app", "x")]);
    assert_eq!(got.len(), 1, "one stream: {got:?}");
    assert_eq!(got[0].1.len(), 2);
}

#[test]
fn trigram_filters_skip_blocks_without_the_needle() {
    let (_d, s) = store();
    let mut w = s.log_writer();
    // About 3 MB of lines: several blocks; the needle is in one of them only.
    for i in 0..40_000i64 {
        let line = if i == 31_000 {
            "level=error msg=\"payment declined\" order=XJ-99421".to_string()
        } else {
            format!(
                "level=info msg=\"request served\" path=/api/items/{} took={}ms",
                i % 977,
                i % 31
            )
        };
        w.append(&app("shop"), LogEntry::new(i * 1_000_000, line))
            .unwrap();
    }
    w.commit().unwrap();
    let snap = s.log_snapshot().unwrap();
    let q = LogQuery {
        matchers: vec![Matcher::equal("app", "shop")],
        from: i64::MIN,
        to: i64::MAX,
        required: vec![b"XJ-99421".to_vec()],
    };
    let streams = snap.streams(&q.matchers, q.from, q.to);
    let mut stats = BlockStats::default();
    let blocks = snap.blocks(&streams[0], &q, &mut stats);
    assert!(stats.blocks_in_range >= 4, "{stats:?}");
    assert_eq!(blocks.len(), 1, "{stats:?}");
    let mut dctx = super::new_decompressor().unwrap();
    let mut entries = Vec::new();
    snap.read(&blocks[0], &mut dctx, &mut entries).unwrap();
    assert!(entries.iter().any(|e| e.line.contains("XJ-99421")));
}

#[test]
fn spills_and_retention() {
    let (_d, s) = store();
    let mut w = s.log_writer();
    w.set_spill_bytes(10_000);
    for i in 0..2000i64 {
        w.append(
            &app(if i % 2 == 0 { "a" } else { "b" }),
            LogEntry::new(i * 1_000_000_000, format!("entry number {i}")),
        )
        .unwrap();
    }
    w.commit().unwrap();
    assert_eq!(s.log_info().unwrap().parts, 1, "spills merge into one part");
    assert_eq!(s.log_info().unwrap().entries, 2000);
    // Keep the last 500 s at "now" = 2000 s (times in ms for the options).
    let opts = CompactOptions {
        retention_ms: Some(500_000),
        now_ms: 2_000_000,
    };
    s.compact_logs(&opts).unwrap();
    let info = s.log_info().unwrap();
    assert_eq!(info.entries, 500);
    assert_eq!(info.min_time, Some(1500 * 1_000_000_000));
}

#[test]
fn check_reports_a_damaged_block() {
    let (_d, s) = store();
    let mut w = s.log_writer();
    for i in 0..100 {
        w.append(&app("a"), LogEntry::new(i, format!("line {i}")))
            .unwrap();
    }
    w.commit().unwrap();
    let part = s.logs().list_live_parts().unwrap()[0].path.clone();
    let mut bytes = std::fs::read(&part).unwrap();
    bytes[40] ^= 0xff;
    std::fs::write(&part, &bytes).unwrap();
    let report = s.check().unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        report.problems[0].contains("checksum mismatch"),
        "{:?}",
        report.problems
    );
}

#[test]
fn concurrent_writers_lose_nothing() {
    let (_d, s) = store();
    std::thread::scope(|scope| {
        for t in 0..4 {
            let s = s.clone();
            scope.spawn(move || {
                for c in 0..10 {
                    let mut w = s.log_writer();
                    for i in 0..50 {
                        w.append(
                            &app(&format!("w{t}")),
                            LogEntry::new(c * 100 + i, format!("{t} {c} {i}")),
                        )
                        .unwrap();
                    }
                    w.commit().unwrap();
                }
            });
        }
    });
    assert_eq!(s.log_info().unwrap().entries, 4 * 10 * 50);
    assert!(s.log_info().unwrap().parts <= 12);
}

#[test]
fn merges_copy_full_blocks_that_do_not_overlap_and_rewrite_the_rest() {
    let (_d, s) = store();
    let line = |i: i64| format!("{i:08} {}", "payload ".repeat(20));
    // Two commits of about 2.5 MB each, disjoint in time: their blocks are copied. Times are
    // coarse (a hundred lines share each), so one commit's blocks share boundary times.
    for c in 0..2i64 {
        let mut w = s.log_writer();
        for i in (c * 15_000)..(c * 15_000 + 15_000) {
            w.append(&app("big"), LogEntry::new(i / 100, line(i)))
                .unwrap();
        }
        // A stream whose commits overlap in time: re-encoded.
        for i in 0..10 {
            w.append(
                &app("small"),
                LogEntry::new(i * 2 + c, format!("s {i} {c}")),
            )
            .unwrap();
        }
        w.commit().unwrap();
    }
    // A copied block keeps its checksum; a rewritten one gets a new one.
    let crcs_before: Vec<u32> = s
        .log_snapshot()
        .unwrap()
        .parts()
        .iter()
        .flat_map(|p| {
            p.streams
                .iter()
                .filter(|st| st.labels.get("app") == Some("big"))
        })
        .flat_map(|st| st.blocks.iter().map(|b| b.crc))
        .collect();
    s.compact_logs(&CompactOptions::default()).unwrap();
    let snap = s.log_snapshot().unwrap();
    assert_eq!(snap.parts().len(), 1);
    let part = &snap.parts()[0];
    let big = part
        .streams
        .iter()
        .find(|st| st.labels.get("app") == Some("big"))
        .unwrap();
    let crcs_after: Vec<u32> = big.blocks.iter().map(|b| b.crc).collect();
    assert_eq!(crcs_after, crcs_before, "copied block for block");
    assert_eq!(part.raw_bytes, s.log_info().unwrap().raw_bytes);
    let got = all(&s, &[Matcher::equal("app", "big")]);
    assert_eq!(got[0].1.len(), 30_000);
    assert!(got[0]
        .1
        .iter()
        .enumerate()
        .all(|(i, (t, l))| *t == i as i64 / 100 && *l == line(i as i64)));
    let small = all(&s, &[Matcher::equal("app", "small")]);
    let times: Vec<i64> = small[0].1.iter().map(|(t, _)| *t).collect();
    assert_eq!(times, (0..20).collect::<Vec<_>>());
    assert!(s.check().unwrap().problems.is_empty());
}

#[test]
fn log_times_and_labels_the_store_cannot_hold_refuse_the_whole_commit() {
    use crate::model::limits::{MAX_LOG_NS, MIN_LOG_NS};
    let (_d, s) = store();
    let long = Labels::from_pairs([("app", "x".repeat(20_000))]);
    for (l, t) in [
        (app("a"), i64::MIN),
        (app("a"), MIN_LOG_NS - 1),
        (app("a"), MAX_LOG_NS + 1),
        (long, 0),
    ] {
        let mut w = s.log_writer();
        w.append(&app("b"), LogEntry::new(1, "fine")).unwrap();
        let e = w.append(&l, LogEntry::new(t, "bad")).unwrap_err();
        assert!(matches!(e, StoreError::Rejected(_)), "{e}");
        let e = w.commit().unwrap_err();
        assert!(matches!(e, StoreError::Rejected(_)), "{e}");
        assert!(all(&s, &[]).is_empty());
    }
    assert_eq!(std::fs::read_dir(s.tmp_dir()).unwrap().count(), 0);
}

#[test]
fn the_earliest_and_latest_log_times_share_a_block() {
    use crate::model::limits::{MAX_LOG_NS, MIN_LOG_NS};
    let (_d, s) = store();
    let mut w = s.log_writer();
    // Two neighbours more than i64::MAX apart: the delta between them only fits a u64.
    let times = [MIN_LOG_NS, MIN_LOG_NS + 7, MAX_LOG_NS - 1, MAX_LOG_NS];
    for &t in &times {
        w.append(&app("a"), LogEntry::new(t, format!("at {t}")))
            .unwrap();
    }
    w.commit().unwrap();
    assert!(s.check().unwrap().problems.is_empty());
    let got: Vec<i64> = all(&s, &[])[0].1.iter().map(|e| e.0).collect();
    assert_eq!(got, times);
    s.compact_logs(&CompactOptions::default()).unwrap();
    assert!(s.check().unwrap().problems.is_empty());
}

#[test]
fn repair_keeps_every_line_of_a_part_whose_header_or_footer_is_damaged() {
    for at_end in [false, true] {
        let (_d, s) = store();
        let mut w = s.log_writer();
        for i in 0..500 {
            w.append(&app("a"), LogEntry::new(i, format!("line {i}")))
                .unwrap();
        }
        let name = w.commit().unwrap().part.unwrap();
        let path = s.logs().parts_dir().join(&name);
        let mut bytes = std::fs::read(&path).unwrap();
        // The header's magic, or the footer's entry count (the footer is the last 68 bytes).
        let at = if at_end { bytes.len() - 68 + 16 } else { 2 };
        bytes[at] ^= 0x55;
        std::fs::write(&path, &bytes).unwrap();
        assert!(s.log_snapshot().is_err());
        let report = s.repair().unwrap();
        assert_eq!(report.repaired.len(), 1, "{report}");
        assert_eq!(report.repaired[0].lost_items(), Some(0), "{report}");
        assert!(s.check().unwrap().problems.is_empty());
        assert_eq!(all(&s, &[])[0].1.len(), 500);
        assert!(report.repaired[0].quarantined.exists());
    }
}
