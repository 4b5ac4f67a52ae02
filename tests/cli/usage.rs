//! Command-line conventions: help, bad flags, exit codes, output formats.

use super::support::Workdir;
use predicates::prelude::*;

#[test]
fn help_lists_every_subcommand() {
    let w = Workdir::new();
    let out = w.argus().arg("--help").assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for sub in ["scrape", "ingest", "query", "export", "store"] {
        assert!(text.contains(sub), "help lacks {sub}: {text}");
    }
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let w = Workdir::new();
    w.argus()
        .args(["query", "--no-such-flag", "up"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--no-such-flag"));
}

#[test]
fn bad_time_names_the_flag() {
    let w = Workdir::new();
    w.argus()
        .args(["query", "up", "--time", "yesterday"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--time").and(predicate::str::contains("yesterday")));
}

#[test]
fn unsupported_output_format_is_a_usage_error() {
    let w = Workdir::new();
    w.argus()
        .args(["query", "up", "-o", "openmetrics"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot print -o openmetrics"));
}

#[test]
fn unreachable_server_is_a_runtime_failure() {
    let w = Workdir::new();
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    w.argus()
        .args(["query", "up", "--server", "http://127.0.0.1:1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("127.0.0.1:1"));
}
