//! Opening the store: readers refuse a path that is not a store and never create one; writers
//! create a missing store but refuse a foreign directory; a read-only store (read-only media,
//! another user's files) is read without writing anything.

use super::batch;
use crate::support::{argus_bin, stdout_of, Workdir};
use predicates::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

#[test]
fn readers_refuse_a_path_that_is_not_a_store_and_create_nothing() {
    let w = Workdir::new();
    let typo = w.path("typo-store");
    let typo_arg = typo.to_str().unwrap();
    for args in [
        &["query", "up"][..],
        &["query", "{app=\"a\"}"],
        &["export", "up"],
        &["export", "--logs", "{app=\"a\"}"],
        &["store", "info"],
        &["store", "check"],
        &["store", "compact"],
        &["store", "repair"],
    ] {
        w.argus()
            .arg("--store")
            .arg(&typo)
            .args(args)
            .assert()
            .code(1)
            .stderr(
                predicate::str::contains(typo_arg)
                    .and(predicate::str::contains("no argus store"))
                    .and(predicate::str::contains("argus ingest")),
            );
        assert!(!typo.exists(), "argus {args:?} created {}", typo.display());
    }
    // A directory that exists but is no store is refused by readers too.
    std::fs::create_dir(&typo).unwrap();
    w.argus()
        .arg("--store")
        .arg(&typo)
        .args(["query", "up"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no argus store"));
    assert_eq!(std::fs::read_dir(&typo).unwrap().count(), 0);
}

#[test]
fn writers_create_a_missing_store_but_refuse_a_foreign_directory() {
    let w = Workdir::new();
    w.argus()
        .args(["ingest", "--format", "prom"])
        .write_stdin(batch(1, 10))
        .assert()
        .success();
    assert!(w.store().join("FORMAT").exists());
    let documents = w.path("Documents");
    std::fs::create_dir(&documents).unwrap();
    std::fs::write(documents.join("letter.txt"), "dear").unwrap();
    w.argus()
        .arg("--store")
        .arg(&documents)
        .args(["ingest", "--format", "prom"])
        .write_stdin(batch(1, 10))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not an argus store"));
    let names: Vec<_> = std::fs::read_dir(&documents)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["letter.txt"], "the foreign directory was littered");
}

/// Every file and directory under `dir` with its size and modification time: a directory's
/// time changes when an entry is created, renamed or deleted in it, a file's when it is
/// written.
fn tree_state(dir: &Path) -> Vec<(PathBuf, u64, SystemTime)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let m = std::fs::metadata(&d).unwrap();
        out.push((d.clone(), m.len(), m.modified().unwrap()));
        if m.is_dir() {
            for e in std::fs::read_dir(&d).unwrap() {
                todo.push(e.unwrap().path());
            }
        }
    }
    out.sort();
    out
}

/// The reads the read-only tests run, with names for their outputs.
const READS: &[(&str, &[&str])] = &[
    (
        "query",
        &["query", "batch", "--time", "2023-11-14T22:20:00Z"],
    ),
    ("query-logs", &["query", "{app=\"a\"}", "--since", "1d"]),
    ("export", &["export", "batch", "-o", "csv"]),
    (
        "export-logs",
        &["export", "--logs", "--from", "0", "{app=\"a\"}"],
    ),
    ("info", &["store", "info", "-o", "json"]),
    ("check", &["store", "check"]),
];

/// `s` quoted for the shell.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A script that mounts a tmpfs on `mnt` (in the private mount namespace it runs in), copies
/// the store there twice (one copy without its lock files, like a store whose lock files
/// were never made), remounts it read-only, proves that it is, and runs [`READS`] on both
/// copies, writing their outputs to `out/<copy>-<name>`.
fn read_only_script(store: &Path, mnt: &Path, out: &Path) -> String {
    let q = |p: &Path| sh_quote(p.to_str().unwrap());
    let mut s = format!(
        "set -e\nmount -t tmpfs tmpfs {m}\ncp -a {st} {m}/with-locks\ncp -a {st} {m}/without-locks\n\
         find {m}/without-locks -name '*.lock' -delete\nmount -o remount,ro {m}\n\
         if touch {m}/with-locks/probe 2>/dev/null; then echo 'the remount is writable' >&2; exit 99; fi\n",
        m = q(mnt),
        st = q(store),
    );
    for copy in ["with-locks", "without-locks"] {
        for (name, args) in READS {
            let args: Vec<String> = args.iter().map(|a| sh_quote(a)).collect();
            let o = q(&out.join(format!("{copy}-{name}")));
            s.push_str(&format!(
                "ARGUS_STORE={m}/{copy} {bin} {args} >{o} 2>{o}.err || {{ echo '{copy}: argus {name} failed:' >&2; cat {o}.err >&2; exit 1; }}\n",
                m = q(mnt),
                bin = q(&argus_bin()),
                args = args.join(" "),
            ));
        }
    }
    s
}

/// Runs `script` as root in a private mount namespace: `unshare -m`, or, for a user who is
/// not root, `unshare -rm` (a user namespace where they are). `None` when neither is allowed
/// here.
fn in_mount_namespace(script: &str) -> Option<std::process::Output> {
    for flags in ["-m", "-rm"] {
        let probe = Command::new("unshare").args([flags, "true"]).status();
        if probe.is_ok_and(|s| s.success()) {
            let out = Command::new("unshare")
                .args([flags, "sh", "-c", script])
                .output()
                .unwrap();
            return Some(out);
        }
    }
    None
}

#[test]
fn a_read_only_store_is_read_without_writing_anything() {
    let w = Workdir::new();
    w.argus()
        .args(["ingest", "--format", "prom"])
        .write_stdin(batch(1, 100))
        .assert()
        .success();
    w.argus()
        .args(["ingest", "logs", "--label", "app=a"])
        .write_stdin("one\ntwo\nthree\n")
        .assert()
        .success();
    // A temporary file of a writer that died: a writing open deletes it, a reading one must not.
    let dead = w.store().join("tmp").join("999999999-1-0.part");
    std::fs::write(&dead, "partial").unwrap();
    let mut expected = Vec::new();

    // A store the reader may write to but must not: nothing in it changes.
    let before = tree_state(&w.store());
    for (name, args) in READS {
        expected.push((*name, stdout_of(w.argus(), args)));
    }
    assert_eq!(tree_state(&w.store()), before, "a read changed the store");
    assert!(expected[0].1.contains("batch"), "{expected:?}");
    assert!(expected[1].1.contains("three"), "{expected:?}");

    // Read-only media: a tmpfs remounted read-only, where any write fails.
    let (mnt, out) = (w.path("mnt"), w.path("out"));
    std::fs::create_dir(&mnt).unwrap();
    std::fs::create_dir(&out).unwrap();
    let Some(run) = in_mount_namespace(&read_only_script(&w.store(), &mnt, &out)) else {
        eprintln!("SKIPPED: no mount namespace can be made here (unshare -m and -rm refused)");
        return;
    };
    assert!(
        run.status.success(),
        "reading a read-only store failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    for copy in ["with-locks", "without-locks"] {
        for (name, want) in &expected {
            let got = std::fs::read_to_string(out.join(format!("{copy}-{name}"))).unwrap();
            assert_eq!(&got, want, "{copy}: argus {name}");
        }
    }
}
