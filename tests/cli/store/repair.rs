//! Damage and `argus store repair`: readers that meet damage exit 5 and say what to do,
//! repair quarantines damaged parts, keeps every intact chunk and block, and reports exactly
//! what was lost; `kill -9` during a repair loses nothing that was intact.

use super::{batch, samples_per_batch, walk};
use crate::support::{argus_bin, stdout_of, Rng, Workdir};
use predicates::prelude::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The part files of one area (`metrics` or `logs`) of the store in `w`, oldest first.
fn parts(store: &Path, area: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(store.join(area).join("parts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

fn flip_byte(file: &Path, at: usize) {
    let mut bytes = std::fs::read(file).unwrap();
    let at = at.min(bytes.len() - 1);
    bytes[at] ^= 0x55;
    std::fs::write(file, bytes).unwrap();
}

/// `lines` log lines of about 100 bytes for stream `app`, one second apart.
fn log_lines(app: &str, lines: usize) -> String {
    (0..lines)
        .map(|i| {
            format!(
                "{} service={app} msg=\"request {i:06} served\" path=/api/v1/items/{i:06} took={}ms pad=xxxxxxxxxxxx\n",
                1_767_225_600 + i,
                i % 97
            )
        })
        .collect()
}

/// Log lines the store holds per stream `app`, via export.
fn lines_per_app(store: &Path) -> std::collections::BTreeMap<String, usize> {
    let out = stdout_of(
        crate::support::argus_with_store(store),
        &["export", "--logs", "--from", "0", "{app=~\".+\"}"],
    );
    let mut m = std::collections::BTreeMap::new();
    for line in out.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let app = v["stream"]["app"].as_str().unwrap().to_string();
        *m.entry(app).or_insert(0) += 1;
    }
    m
}

/// A store with damage in both areas:
/// - metric part 1 holds batches 0, 1, 2 (3000 samples each: chunks of 2048 and 952); the
///   first chunk of batch 0 is damaged, so 2048 samples of it are lost and the rest is intact;
/// - metric part 2 holds batch 9, and its index is damaged: the whole part is lost, and its
///   footer still says what it held;
/// - metric part 3 holds batch 8, and its footer is damaged (the series count): its index is
///   found without it and nothing is lost;
/// - log part 1 holds stream `a` (6000 lines of about 100 bytes: two blocks), whose first
///   block is damaged; log part 2 holds stream `b` (10 lines), intact.
fn damaged_store(w: &Workdir) {
    let three: String = (0..3).map(|id| batch(id, 3000)).collect();
    for input in [three, batch(9, 3000), batch(8, 3000)] {
        w.argus()
            .args(["ingest", "--format", "prom"])
            .write_stdin(input)
            .assert()
            .success();
    }
    for (app, lines) in [("a", 6000), ("b", 10)] {
        w.argus()
            .args(["ingest", "logs", "--time-format", "unix", "--label"])
            .arg(format!("app={app}"))
            .write_stdin(log_lines(app, lines))
            .assert()
            .success();
    }
    let metric_parts = parts(&w.store(), "metrics");
    assert_eq!(metric_parts.len(), 3);
    // Byte 20 is inside the first chunk (the header is 16 bytes). A metric part's footer is
    // its last 60 bytes, the index comes just before it; 20 bytes from the end is the footer's
    // series count.
    flip_byte(&metric_parts[0], 20);
    let len = |p: &Path| std::fs::metadata(p).unwrap().len() as usize;
    flip_byte(&metric_parts[1], len(&metric_parts[1]) - 60 - 3);
    flip_byte(&metric_parts[2], len(&metric_parts[2]) - 20);
    let log_parts = parts(&w.store(), "logs");
    assert_eq!(log_parts.len(), 2);
    flip_byte(&log_parts[0], 20);
}

#[test]
fn readers_meeting_damage_exit_5_and_say_what_to_do() {
    let w = Workdir::new();
    damaged_store(&w);
    for args in [
        &["export", "batch"][..],
        &["query", "batch", "--time", "2023-11-14T22:20:00Z"],
        &[
            "query",
            "sum(batch)",
            "--from",
            "2023-11-14T22:00:00Z",
            "--to",
            "2023-11-15T00:00:00Z",
        ],
        &["store", "info"],
        // Log queries, whose first block of stream `a` is damaged.
        &[
            "query",
            "--logql",
            "{app=\"a\"}",
            "--limit",
            "0",
            "--from",
            "2026-01-01T00:00:00Z",
            "--to",
            "2026-01-01T02:00:00Z",
        ],
        &[
            "query",
            "--logql",
            "sum(count_over_time({app=\"a\"}[2h]))",
            "--time",
            "2026-01-01T02:00:00Z",
        ],
        &["export", "--logs", "--from", "0", "{app=\"a\"}"],
    ] {
        w.argus().args(args).assert().code(5).stderr(
            predicate::str::contains("argus store repair")
                .and(predicate::str::contains("argus store check")),
        );
    }
    w.argus()
        .args(["store", "check"])
        .assert()
        .code(5)
        .stdout(predicate::str::contains("argus store repair"));
}

#[test]
fn repair_quarantines_damage_keeps_the_rest_and_reports_the_loss() {
    let w = Workdir::new();
    damaged_store(&w);
    let out = w.argus().args(["store", "repair"]).assert().success();
    let report = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    // What was lost, series by series and stream by stream, with counts.
    assert!(
        report.contains("batch{id=\"0\"}") && report.contains("2048 samples"),
        "{report}"
    );
    assert!(
        report.contains("3000 samples"),
        "the unreadable part: {report}"
    );
    assert!(report.contains("{app=\"a\"}"), "{report}");
    assert!(
        !report.contains("{app=\"b\""),
        "stream b is intact: {report}"
    );
    assert!(report.contains("quarantine"), "{report}");
    // The damaged files are kept in the quarantine folder, not deleted.
    let quarantined: Vec<_> = walk(&w.store().join("quarantine"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "part"))
        .collect();
    assert_eq!(quarantined.len(), 4, "{quarantined:?}");
    let kept_report = walk(&w.store().join("quarantine"))
        .into_iter()
        .find(|p| p.file_name().is_some_and(|n| n == "REPORT"))
        .expect("the report is kept beside the quarantined files");
    assert_eq!(std::fs::read_to_string(kept_report).unwrap(), report);
    w.argus().args(["store", "check"]).assert().success();
    // Every intact chunk and block is still readable.
    let per = samples_per_batch(&w);
    assert_eq!(per.get(&0), Some(&952), "{per:?}");
    assert_eq!(per.get(&1), Some(&3000), "{per:?}");
    assert_eq!(per.get(&2), Some(&3000), "{per:?}");
    assert_eq!(per.get(&9), None, "{per:?}");
    assert_eq!(
        per.get(&8),
        Some(&3000),
        "a damaged footer loses nothing: {per:?}"
    );
    let lines = lines_per_app(&w.store());
    assert_eq!(lines.get("b"), Some(&10), "{lines:?}");
    let a = lines.get("a").copied().unwrap_or(0);
    assert!(a > 0 && a < 6000, "the intact block of a stays: {lines:?}");
    let lost_lines = 6000 - a;
    assert!(
        report.contains(&format!("{lost_lines} lines")),
        "the report counts the lost lines ({lost_lines}): {report}"
    );
    // Nothing left to do.
    w.argus()
        .args(["store", "repair"])
        .assert()
        .success()
        .stdout(predicate::str::contains("nothing to repair"));
}

/// Copies a directory tree.
fn copy_tree(from: &Path, to: &Path) {
    let ok = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .unwrap()
        .success();
    assert!(ok, "cp -a {} {}", from.display(), to.display());
}

#[test]
fn kill_9_during_repair_loses_nothing_that_was_intact() {
    let w = Workdir::new();
    damaged_store(&w);
    // What a repair that runs to the end keeps.
    let reference = w.path("reference");
    copy_tree(&w.store(), &reference);
    crate::support::argus_with_store(&reference)
        .args(["store", "repair"])
        .assert()
        .success();
    let kept_samples = {
        let out = stdout_of(
            crate::support::argus_with_store(&reference),
            &["export", "batch", "-o", "csv"],
        );
        out.lines().count()
    };
    let kept_lines = lines_per_app(&reference);
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for round in 0..12 {
        let store = w.path(&format!("round-{round}"));
        copy_tree(&w.store(), &store);
        let mut child = Command::new(argus_bin())
            .args(["-q", "store", "repair"])
            .env("ARGUS_STORE", &store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.next() % 150_000));
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        child.wait().unwrap();
        // The interrupted store opens: a reader either reads it or reports damage (5).
        let info = crate::support::argus_with_store(&store)
            .args(["store", "info"])
            .output()
            .unwrap();
        assert!(
            matches!(info.status.code(), Some(0 | 5)),
            "round {round}: {}",
            String::from_utf8_lossy(&info.stderr)
        );
        crate::support::argus_with_store(&store)
            .args(["store", "repair"])
            .assert()
            .success();
        crate::support::argus_with_store(&store)
            .args(["store", "check"])
            .assert()
            .success();
        let out = stdout_of(
            crate::support::argus_with_store(&store),
            &["export", "batch", "-o", "csv"],
        );
        assert_eq!(out.lines().count(), kept_samples, "round {round}");
        assert_eq!(lines_per_app(&store), kept_lines, "round {round}");
    }
}
