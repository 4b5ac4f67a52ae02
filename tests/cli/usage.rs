//! Command-line conventions: help, bad flags, exit codes, output formats.

use super::support::Workdir;
use predicates::prelude::*;

/// `argus ARGS --help` on stdout.
fn help(w: &Workdir, args: &[&str]) -> String {
    let out = w.argus().args(args).arg("--help").assert().success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

/// True when a line of `help` lists `cmd` (first word) with the start of its summary.
fn lists(help: &str, cmd: &clap::Command) -> bool {
    let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
    // The first words only: help wraps long summaries.
    let summary: Vec<&str> = about.split_whitespace().take(3).collect();
    help.lines().any(|l| {
        let words: Vec<&str> = l.split_whitespace().collect();
        words.first() == Some(&cmd.get_name()) && words.get(1..4) == Some(&summary[..])
    })
}

#[test]
fn help_lists_every_subcommand() {
    use clap::CommandFactory;
    let w = Workdir::new();
    let root = argus::cli::Cli::command();
    let top = help(&w, &[]);
    let mut checked = 0;
    for cmd in root.get_subcommands() {
        assert!(
            lists(&top, cmd),
            "`argus --help` lacks {}: {top}",
            cmd.get_name()
        );
        checked += 1;
        let text = help(&w, &[cmd.get_name()]);
        for sub in cmd.get_subcommands() {
            assert!(
                lists(&text, sub),
                "`argus {} --help` lacks {}: {text}",
                cmd.get_name(),
                sub.get_name()
            );
        }
    }
    // The definition itself has them all: scrape, ingest, query, export, serve, store, rules,
    // alerts, dashboards, conformance.
    assert_eq!(checked, 10);
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
