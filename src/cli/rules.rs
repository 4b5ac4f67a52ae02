//! `argus rules`: Prometheus rule files. `check` and `test` behave as `promtool check rules`
//! and `promtool test rules` do, output and exit codes included, so that a CI job can swap
//! one for the other.

use super::exit::{CliError, CliResult};
use super::GlobalArgs;
use crate::rules::check::{self, Lint, Source};
use crate::rules::unittest::{self, junit, Options};
use clap::{Args, Subcommand, ValueEnum};
use regex::Regex;
use std::io::{Read, Write};
use std::path::PathBuf;

/// Check and test Prometheus rule files.
#[derive(Args, Debug)]
#[command(after_long_help = RULES_EXAMPLES)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub action: RulesAction,
}

const RULES_EXAMPLES: &str = "Examples:

  # Check rule files as promtool does
  argus rules check alerts.yml records.yml

  # Run promtool's unit tests of rules
  argus rules test tests/*.yml --junit report.xml";

#[derive(Subcommand, Debug)]
pub enum RulesAction {
    /// Check rule files as `promtool check rules` does.
    ///
    /// Reads each file strictly (an unknown key is an error naming its line), validates
    /// every group and rule with Prometheus' messages (file, line:column, group, rule), parses
    /// every expression and every alert template, and lints for duplicate rules (same name
    /// and labels). Prints `Checking FILE` and `SUCCESS: N rules found` on stdout, failures on
    /// stderr. With no FILE, reads standard input.
    ///
    /// Exit codes are promtool's: 0 when every file is valid (lint findings are printed but
    /// do not fail), 1 when a file is invalid, 3 when only lint findings were made and
    /// --lint-fatal is given.
    #[command(after_long_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Run promtool's rule unit-test files.
    ///
    /// Each file names rule files (relative to itself, globs allowed) and test groups: input
    /// series in the expanding notation (`0+1x10`, `_`, `stale`), alert checks at times
    /// (firing alerts with their labels and annotations) and PromQL checks of what the rules
    /// recorded. Rules are evaluated from the group's start to its latest check every
    /// evaluation_interval, as promtool does. Prints `Unit Testing:  FILE` and `SUCCESS`, or
    /// `FAILED:` and each failed check with what was expected and what was got.
    ///
    /// argus stores no native histograms: checks that need them are skipped and counted on
    /// stderr, and neither pass nor fail a file.
    ///
    /// Exit codes are promtool's: 0 when every file passed, 1 when any failed.
    #[command(after_long_help = TEST_EXAMPLES)]
    Test(TestArgs),
    Eval(super::rules_eval::EvalArgs),
    Backfill(super::rules_eval::BackfillArgs),
    /// List the rule groups evaluated on this store: each rule's health, last error and
    /// evaluation time.
    ///
    /// Reads the groups' state in the store as `argus rules eval` and `argus serve` left it;
    /// a group that was never evaluated is not listed.
    #[command(after_long_help = "Examples:

  # Each group and rule, with its health and last error
  argus rules list

  # As JSON, for scripts
  argus rules list -o json")]
    List,
}

const CHECK_EXAMPLES: &str = "Examples:

  # Several files; exit 1 if any is invalid
  argus rules check /etc/prometheus/rules/*.yml

  # From a pipe, failing on duplicate rules too
  cat rules.yml | argus rules check --lint-fatal";

const TEST_EXAMPLES: &str = "Examples:

  # Every test file of a directory
  argus rules test tests/rules/*.yml

  # Only the test groups whose name matches, with a JUnit report for CI
  argus rules test alerts_test.yml --run 'InstanceDown' --junit report.xml";

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Rule files to check; standard input when none.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Which lints to run: duplicate-rules (the default), all (the same today) or none.
    #[arg(long, value_enum, default_value_t = LintArg::DuplicateRules)]
    pub lint: LintArg,
    /// Exit 3 when lint findings are made and nothing else is wrong.
    #[arg(long)]
    pub lint_fatal: bool,
    /// Skip keys of rule files that Prometheus does not know instead of failing.
    #[arg(long)]
    pub ignore_unknown_fields: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LintArg {
    All,
    DuplicateRules,
    None,
}

#[derive(Args, Debug)]
pub struct TestArgs {
    /// Unit-test files.
    #[arg(value_name = "TEST_FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Run only the test groups whose name matches this regular expression (repeatable: a
    /// group runs when any matches).
    #[arg(long, value_name = "REGEX")]
    pub run: Vec<String>,
    /// Write a JUnit XML report of every file and test group to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Skip keys of test and rule files that Prometheus does not know instead of failing.
    #[arg(long)]
    pub ignore_unknown_fields: bool,
}

pub fn run(global: &GlobalArgs, args: &RulesArgs) -> CliResult {
    match &args.action {
        RulesAction::Check(a) => run_check(a),
        RulesAction::Test(a) => run_test(a),
        RulesAction::Eval(a) => super::rules_eval::run(global, a),
        RulesAction::List => super::alerts::list_rules(global),
        RulesAction::Backfill(a) => super::rules_eval::run_backfill(global, a),
    }
}

fn run_check(args: &CheckArgs) -> CliResult {
    let stdin_text;
    let sources: Vec<Source> = if args.files.is_empty() {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::failure(format!("cannot read standard input: {e}")))?;
        stdin_text = text;
        vec![Source::Stdin(&stdin_text)]
    } else {
        args.files.iter().map(|p| Source::File(p)).collect()
    };
    let lint = match args.lint {
        LintArg::None => Lint::None,
        LintArg::All | LintArg::DuplicateRules => Lint::DuplicateRules,
    };
    let verdict = check::check(
        &sources,
        lint,
        args.ignore_unknown_fields,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    )
    .map_err(write_error)?;
    Ok(if verdict.errors {
        1
    } else if verdict.lint && args.lint_fatal {
        3
    } else {
        0
    })
}

fn run_test(args: &TestArgs) -> CliResult {
    let run = args
        .run
        .iter()
        .map(|r| {
            Regex::new(r)
                .map_err(|e| CliError::usage(format!("--run {r:?}: not a regular expression: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let opts = Options {
        run,
        ignore_unknown: args.ignore_unknown_fields,
    };
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let mut failed = false;
    let mut reports = Vec::new();
    for path in &args.files {
        writeln!(out, "Unit Testing:  {}", path.display()).map_err(write_error)?;
        let outcome = unittest::run_file(path, &opts);
        for w in &outcome.warnings {
            writeln!(err, "{w}").map_err(write_error)?;
        }
        if outcome.skipped > 0 {
            writeln!(
                err,
                "  SKIPPED: {} check(s) need native histograms, which argus does not store",
                outcome.skipped
            )
            .map_err(write_error)?;
        }
        if outcome.failures.is_empty() {
            writeln!(out, "  SUCCESS").map_err(write_error)?;
        } else {
            failed = true;
            writeln!(err, "  FAILED:").map_err(write_error)?;
            for f in &outcome.failures {
                writeln!(err, "{f}").map_err(write_error)?;
                writeln!(out).map_err(write_error)?;
            }
        }
        writeln!(out).map_err(write_error)?;
        reports.push((path.display().to_string(), outcome));
    }
    if let Some(path) = &args.junit {
        std::fs::write(path, junit::render(&reports)).map_err(|e| {
            CliError::failure(format!("--junit {}: cannot write: {e}", path.display()))
        })?;
    }
    Ok(if failed { 1 } else { 0 })
}

fn write_error(e: std::io::Error) -> CliError {
    CliError::failure(format!("cannot write the report: {e}"))
}
