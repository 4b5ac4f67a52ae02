//! `argus query` on logs: the `--limit` that cuts a result says so, `--limit 0` means all, and
//! log output into a closed pipe is success.

use super::support::{stdout_of, Workdir};

/// `n` lines `line <i>` one second apart from 2026-01-01T00:00:00Z, in stream `{app="a"}`.
fn numbered_lines(w: &Workdir, n: usize, pad: usize) {
    let pad = "p".repeat(pad);
    let lines: String = (0..n)
        .map(|i| format!("{} line {i} {pad}\n", 1_767_225_600 + i))
        .collect();
    w.argus()
        .args([
            "ingest",
            "logs",
            "--label",
            "app=a",
            "--time-format",
            "unix",
        ])
        .write_stdin(lines)
        .assert()
        .success();
}

const RANGE: [&str; 4] = [
    "--from",
    "2026-01-01T00:00:00Z",
    "--to",
    "2026-01-02T00:00:00Z",
];

fn query(w: &Workdir, extra: &[&str]) -> (String, String) {
    let out = w
        .argus()
        .args(["query", "{app=\"a\"}", "-o", "raw"])
        .args(RANGE)
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_limit_that_cuts_the_result_says_so() {
    let w = Workdir::new();
    numbered_lines(&w, 150, 0);
    // The default limit keeps the newest 100 and says so on stderr.
    let (out, err) = query(&w, &[]);
    assert_eq!(out.lines().count(), 100, "{out}");
    assert_eq!(out.lines().next(), Some("1767225749 line 149 "));
    assert!(
        err.contains("showing the last 100 lines; --limit N or --limit 0 for all"),
        "{err}"
    );
    let (out, err) = query(&w, &["--direction", "forward", "--limit", "10"]);
    assert_eq!(out.lines().count(), 10, "{out}");
    assert_eq!(out.lines().next(), Some("1767225600 line 0 "));
    assert!(
        err.contains("showing the first 10 lines; --limit N or --limit 0 for all"),
        "{err}"
    );
    // --quiet keeps stderr clean; a limit that cuts nothing says nothing.
    let (_, err) = query(&w, &["--quiet"]);
    assert_eq!(err, "");
    let (out, err) = query(&w, &["--limit", "150"]);
    assert_eq!(out.lines().count(), 150);
    assert_eq!(err, "");
}

#[test]
fn limit_zero_means_no_limit() {
    let w = Workdir::new();
    numbered_lines(&w, 150, 0);
    let (out, err) = query(&w, &["--limit", "0"]);
    assert_eq!(out.lines().count(), 150, "{out}");
    assert_eq!(err, "");
    let (out, _) = query(&w, &["--limit", "0", "--direction", "forward"]);
    assert_eq!(out.lines().last(), Some("1767225749 line 149 "));
}

#[test]
fn log_output_into_a_closed_pipe_is_success() {
    let w = Workdir::new();
    // 20,000 lines of about 200 bytes: 4 MB, far more than a pipe holds.
    numbered_lines(&w, 20_000, 180);
    let range = RANGE.join(" ");
    for args in [
        format!("query '{{app=\"a\"}}' {range} --limit 0 -o raw"),
        format!("query '{{app=\"a\"}}' {range} --limit 0"),
        format!("query '{{app=\"a\"}}' {range} --limit 0 -o json"),
        format!("query '{{app=\"a\"}}' {range} --limit 0 -o table"),
        "export --logs -o raw".to_string(),
        "export --logs".to_string(),
    ] {
        let (status, err) = super::query::into_closed_pipe(&w, &args);
        assert!(status.success(), "{args}: {status:?} {err}");
        assert!(err.is_empty(), "{args}: {err}");
    }
}

#[test]
fn export_into_a_closed_pipe_is_success() {
    let w = Workdir::new();
    let mut om = String::new();
    for i in 0..30_000 {
        om.push_str(&format!(
            "m{{i=\"{i:05}\",pad=\"{}\"}} {i} 1700000000\n",
            "x".repeat(60)
        ));
    }
    om.push_str("# EOF\n");
    let f = w.write("m.om", &om);
    w.argus().arg("ingest").arg(&f).assert().success();
    for format in ["jsonl", "csv", "openmetrics"] {
        let (status, err) = super::query::into_closed_pipe(&w, &format!("export -o {format} -q"));
        assert!(status.success(), "-o {format}: {status:?} {err}");
        assert!(err.is_empty(), "-o {format}: {err}");
    }
    let out = stdout_of(w.argus(), &["export", "m{i=\"00007\"}", "-o", "csv"]);
    assert_eq!(out.lines().count(), 2, "{out}");
}
