//! Failures injected through the storage seam (`fs::faults`): every write, fsync, file
//! creation and rename a writer makes (commits with and without spills, merges, compaction,
//! state files, repair) is made to fail in turn. Whatever fails, the writer reports it,
//! leaves nothing in `tmp/` (also in a long-running process, whose files no later open would
//! remove), and the store holds the batch whole or not at all.

use super::fs::{faults, FaultOp};
use super::*;
use crate::model::{Labels, LogEntry, Matcher};

const OPS: [FaultOp; 4] = [
    FaultOp::Create,
    FaultOp::Write,
    FaultOp::Fsync,
    FaultOp::Rename,
];

fn series(id: usize) -> Labels {
    Labels::from_pairs([("__name__", "m".to_string()), ("id", id.to_string())])
}

fn samples(s: &Store) -> usize {
    s.snapshot()
        .unwrap()
        .select(&[Matcher::equal("__name__", "m")], i64::MIN, i64::MAX)
        .unwrap()
        .iter()
        .map(|x| x.samples.len())
        .sum()
}

fn lines(s: &Store) -> usize {
    let snap = s.log_snapshot().unwrap();
    let q = logs::LogQuery {
        matchers: vec![Matcher::equal("app", "a")],
        from: i64::MIN,
        to: i64::MAX,
        required: Vec::new(),
    };
    let mut n = 0;
    snap.read_streams(&q, |_, e| {
        n += e.len();
        Ok(())
    })
    .unwrap();
    n
}

fn tmp_files(s: &Store) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(s.tmp_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect()
}

/// Runs `setup` on a fresh store, then `action` with the `n`th `op` failing, for every `op`
/// and every `n` until the action no longer reaches an `n`th such operation; after each
/// run, `tmp/` must be empty and `after(store, action_result)` must hold.
fn with_each_fault(
    setup: impl Fn(&Store),
    action: impl Fn(&Store) -> Result<()>,
    after: impl Fn(&Store, &Result<()>),
) {
    for op in OPS {
        for n in 1.. {
            let d = tempfile::tempdir().unwrap();
            let s = Store::open(&d.path().join("s")).unwrap();
            setup(&s);
            faults::fail_nth(op, n);
            let r = action(&s);
            let fired = faults::fired();
            assert_eq!(
                tmp_files(&s),
                Vec::<std::path::PathBuf>::new(),
                "{op:?} #{n}: {r:?}"
            );
            after(&s, &r);
            if !fired {
                assert!(r.is_ok(), "{op:?} #{n}: {r:?}");
                break;
            }
        }
    }
}

/// A metric commit of 3000 samples, spilled every `spill` samples.
fn commit_metrics(s: &Store, spill: usize) -> Result<()> {
    let mut w = s.writer();
    w.set_spill_threshold(spill);
    for i in 0..3000 {
        w.append(&series(i % 3), i as i64 * 1000, i as f64)?;
    }
    w.commit().map(drop)
}

#[test]
fn a_failed_metric_commit_leaves_nothing_behind() {
    for spill in [usize::MAX, 700] {
        with_each_fault(
            |_| {},
            |s| commit_metrics(s, spill),
            |s, r| {
                let n = samples(s);
                assert!(n == 0 || n == 3000, "half a commit: {n} ({r:?})");
                if r.is_ok() {
                    assert_eq!(n, 3000);
                }
            },
        );
    }
}

#[test]
fn a_failed_log_commit_leaves_nothing_behind() {
    for spill in [usize::MAX, 4000] {
        with_each_fault(
            |_| {},
            |s| {
                let mut w = s.log_writer();
                w.set_spill_bytes(spill);
                for i in 0..1000 {
                    let line = format!("line {i} of the batch");
                    w.append(&Labels::from_pairs([("app", "a")]), LogEntry::new(i, line))?;
                }
                w.commit().map(drop)
            },
            |s, r| {
                let n = lines(s);
                assert!(n == 0 || n == 1000, "half a commit: {n} ({r:?})");
                if r.is_ok() {
                    assert_eq!(n, 1000);
                }
            },
        );
    }
}

#[test]
fn a_failed_compaction_or_retention_loses_nothing_and_leaves_nothing_behind() {
    let setup = |s: &Store| {
        for k in 0..3 {
            let mut w = s.writer();
            w.defer_merge();
            for i in 0..1000 {
                w.append(&series(k), i * 1000, i as f64).unwrap();
            }
            w.commit().unwrap();
        }
    };
    with_each_fault(
        setup,
        |s| s.compact(&CompactOptions::default()).map(drop),
        |s, _| {
            assert_eq!(samples(s), 3000);
            assert!(s.check().unwrap().problems.is_empty());
        },
    );
    with_each_fault(
        setup,
        |s| s.apply_retention(500_000, 1_000_000).map(drop),
        |s, r| {
            let n = samples(s);
            assert!((1500..=3000).contains(&n), "{n} ({r:?})");
            assert!(s.check().unwrap().problems.is_empty());
        },
    );
}

#[test]
fn a_failed_state_write_keeps_the_old_state() {
    with_each_fault(
        |s| s.write_state("scrape-x", b"old").unwrap(),
        |s| s.write_state("scrape-x", b"new"),
        |s, r| {
            let got = s.read_state("scrape-x").unwrap().unwrap();
            assert!(got == b"old" || got == b"new", "{got:?}");
            if r.is_ok() {
                assert_eq!(got, b"new");
            }
        },
    );
}

#[test]
fn a_failed_repair_loses_nothing_that_was_intact_and_can_be_run_again() {
    let damage = |s: &Store| {
        commit_metrics(s, usize::MAX).unwrap();
        let part = s.metrics().list_all_parts().unwrap()[0].path.clone();
        let mut bytes = std::fs::read(&part).unwrap();
        bytes[20] ^= 0x55;
        std::fs::write(&part, bytes).unwrap();
    };
    with_each_fault(
        damage,
        |s| s.repair().map(drop),
        |s, _| {
            // Interrupted anywhere, the store opens and a second repair finishes the job with
            // exactly what the first would have kept: the two intact series.
            let again = s.repair().unwrap();
            assert!(s.check().unwrap().problems.is_empty());
            assert_eq!(samples(s), 2000, "{again}");
            assert!(tmp_files(s).is_empty());
        },
    );
}
