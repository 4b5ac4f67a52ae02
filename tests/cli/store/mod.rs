//! `argus store info/check/compact`, retention, damage detection, many concurrent writer
//! processes, and `kill -9` at random moments. Opening (what is a store, read-only media) is in
//! `open.rs`, damage and `store repair` in `repair.rs`.

mod open;
mod repair;

use super::support::{argus_bin, stdout_of, Rng, Workdir};
use predicates::prelude::*;
use std::process::{Command, Stdio};
use std::time::Duration;

/// `count` samples of one series `batch{id=...}`, 15 s apart, as Prometheus text.
pub(super) fn batch(id: usize, count: usize) -> String {
    let mut s = String::with_capacity(count * 40);
    for i in 0..count {
        s.push_str(&format!(
            "batch{{id=\"{id}\"}} {} {}\n",
            i,
            1_700_000_000_000i64 + 15_000 * i as i64
        ));
    }
    s
}

/// How many samples of `batch{id=...}` the store holds, per id (via export).
pub(super) fn samples_per_batch(w: &Workdir) -> std::collections::BTreeMap<usize, usize> {
    let out = stdout_of(w.argus(), &["export", "batch", "-o", "csv"]);
    let mut m = std::collections::BTreeMap::new();
    for line in out.lines().skip(1) {
        let id: usize = line
            .split("id=\"\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .and_then(|s| s.parse().ok())
            .expect("id label");
        *m.entry(id).or_insert(0) += 1;
    }
    m
}

#[test]
fn info_check_and_compact() {
    let w = Workdir::new();
    for id in 0..5 {
        w.argus()
            .args(["ingest", "--format", "prom"])
            .write_stdin(batch(id, 100))
            .assert()
            .success();
    }
    let info: serde_json::Value =
        serde_json::from_str(&stdout_of(w.argus(), &["store", "info", "-o", "json"])).unwrap();
    assert_eq!(info["series"], 5);
    assert_eq!(info["samples"], 500);
    w.argus().args(["store", "compact"]).assert().success();
    let info: serde_json::Value =
        serde_json::from_str(&stdout_of(w.argus(), &["store", "info", "-o", "json"])).unwrap();
    assert_eq!(info["samples"], 500);
    assert_eq!(info["parts"], 1);
    w.argus()
        .args(["store", "check"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ok"));
}

#[test]
fn retention_deletes_old_samples() {
    let w = Workdir::new();
    // 100 samples 15 s apart from 2023-11-14; with a retention of 1 hour counted from now,
    // everything is older and goes.
    w.argus()
        .args(["ingest", "--format", "prom"])
        .write_stdin(batch(1, 100))
        .assert()
        .success();
    w.argus()
        .args(["store", "compact", "--retention", "1h"])
        .assert()
        .success();
    let info: serde_json::Value =
        serde_json::from_str(&stdout_of(w.argus(), &["store", "info", "-o", "json"])).unwrap();
    assert_eq!(info["samples"], 0);
}

#[test]
fn check_detects_a_damaged_file() {
    let w = Workdir::new();
    w.argus()
        .args(["ingest", "--format", "prom"])
        .write_stdin(batch(1, 1000))
        .assert()
        .success();
    // Flip one byte in the middle of every data file of the store.
    let mut damaged = 0;
    for entry in walk(&w.store()) {
        let mut bytes = std::fs::read(&entry).unwrap();
        if bytes.len() > 64 && !entry.to_string_lossy().contains("lock") {
            let mid = bytes.len() / 2;
            bytes[mid] ^= 0x55;
            std::fs::write(&entry, bytes).unwrap();
            damaged += 1;
        }
    }
    assert!(damaged > 0);
    w.argus()
        .args(["store", "check"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("damaged"));
}

pub(super) fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn eight_concurrent_writer_processes_lose_nothing() {
    let w = Workdir::new();
    let writers: Vec<_> = (0..8)
        .map(|p| {
            let store = w.store();
            std::thread::spawn(move || {
                // Each process commits 10 small batches one after another, like cron runs.
                for k in 0..10 {
                    let id = p * 100 + k;
                    let mut child = Command::new(argus_bin())
                        .args(["-q", "ingest", "--format", "prom"])
                        .env("ARGUS_STORE", &store)
                        .stdin(Stdio::piped())
                        .spawn()
                        .unwrap();
                    use std::io::Write;
                    child
                        .stdin
                        .take()
                        .unwrap()
                        .write_all(batch(id, 200).as_bytes())
                        .unwrap();
                    assert!(child.wait().unwrap().success(), "writer {id} failed");
                }
            })
        })
        .collect();
    for t in writers {
        t.join().unwrap();
    }
    let per = samples_per_batch(&w);
    assert_eq!(per.len(), 80, "{per:?}");
    assert!(per.values().all(|&n| n == 200), "{per:?}");
    w.argus().args(["store", "check"]).assert().success();
}

#[test]
fn kill_9_at_random_moments_loses_no_acknowledged_write() {
    let w = Workdir::new();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut acknowledged = Vec::new();
    let mut attempted = Vec::new();
    for round in 0..25 {
        // Three writers and a compaction run at once; one victim is killed at a random moment.
        let mut children = Vec::new();
        for k in 0..3 {
            let id = round * 10 + k;
            let input = w.write(&format!("in-{id}.prom"), &batch(id, 3000));
            let child = Command::new(argus_bin())
                .args(["-q", "ingest", "--format", "prom"])
                .arg(&input)
                .env("ARGUS_STORE", w.store())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            children.push((Some(id), child));
            attempted.push(id);
        }
        let compact = Command::new(argus_bin())
            .args(["-q", "store", "compact"])
            .env("ARGUS_STORE", w.store())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        children.push((None, compact));
        std::thread::sleep(Duration::from_micros(rng.next() % 60_000));
        let victim = (rng.next() % children.len() as u64) as usize;
        unsafe { libc::kill(children[victim].1.id() as i32, libc::SIGKILL) };
        for (id, mut c) in children {
            let status = c.wait().unwrap();
            if let (Some(id), true) = (id, status.success()) {
                acknowledged.push(id);
            }
        }
    }
    // The store opens without repair, verifies clean, and holds every acknowledged batch in
    // full; an interrupted batch is either absent or complete (a commit is all-or-nothing).
    w.argus().args(["store", "check"]).assert().success();
    let per = samples_per_batch(&w);
    for id in &acknowledged {
        assert_eq!(
            per.get(id),
            Some(&3000),
            "acknowledged batch {id} incomplete: {per:?}"
        );
    }
    for id in &attempted {
        let n = per.get(id).copied().unwrap_or(0);
        assert!(n == 0 || n == 3000, "batch {id} half-stored: {n}");
    }
    assert!(
        acknowledged.len() >= 25,
        "too few writers survived to prove anything"
    );
}

/// Samples the store holds, by `store info`.
fn stored_samples(w: &Workdir) -> u64 {
    let info: serde_json::Value =
        serde_json::from_str(&stdout_of(w.argus(), &["store", "info", "-o", "json"])).unwrap();
    info["samples"].as_u64().unwrap()
}

#[test]
fn retention_zero_means_no_limit_and_a_bare_number_is_refused() {
    let w = Workdir::new();
    w.argus()
        .args(["ingest", "--format", "prom"])
        .write_stdin(batch(1, 100))
        .assert()
        .success();
    for zero in ["0", "0s", "0d"] {
        w.argus()
            .args(["store", "compact", "--retention", zero])
            .assert()
            .success()
            .stderr(predicate::str::contains("no retention limit"));
        assert_eq!(stored_samples(&w), 100, "--retention {zero} deleted data");
    }
    // A bare number would be seconds: `--retention 30` meant as days must not delete
    // everything older than half a minute.
    w.argus()
        .args(["store", "compact", "--retention", "30"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--retention").and(predicate::str::contains("30d")));
    assert_eq!(stored_samples(&w), 100);
    // A real retention says what it deletes.
    w.argus()
        .args(["store", "compact", "--retention", "1h"])
        .assert()
        .success()
        .stderr(predicate::str::contains("older than"));
    assert_eq!(stored_samples(&w), 0);
}

#[test]
fn a_time_the_store_cannot_hold_is_refused_and_nothing_is_stored() {
    let w = Workdir::new();
    // i64::MIN milliseconds: before year 0, outside what the store holds.
    w.argus()
        .args(["ingest", "--format", "prom"])
        .write_stdin("a 1 -9223372036854775808\na 2 0\n")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("-9223372036854775808"));
    w.argus()
        .args(["ingest", "--format", "prom"])
        .write_stdin("b 1 1000\n")
        .assert()
        .success();
    let exported = stdout_of(w.argus(), &["export", "{__name__=~\".+\"}", "-o", "csv"]);
    assert_eq!(exported.lines().count(), 2, "only b's sample: {exported}");
    w.argus().args(["store", "check"]).assert().success();
}
