//! `argus conformance promql PATH...`: runs Prometheus' PromQL test scripts (the `promqltest`
//! format) against argus' real store and engine, counts passes per file and per category, and
//! holds the counts to a committed baseline (a ratchet: they may rise, never fall).
//! `argus conformance logql PATH...`: runs Loki's LogQL parse corpora (queries that must
//! parse, queries that must be rejected) through the LogQL parser and Loki's engine scripts
//! through a real store and the LogQL evaluator, with the same ratchet.
//!
//! The harness itself (script languages, scratch stores, categories, the baseline ratchet)
//! lives in `crate::conformance`; this file and `conformance_logql.rs` own the flags, the
//! printing and how a run ends (its exit code).

use super::exit::{self, CliError, CliResult};
use super::output::OutputFormat;
use super::GlobalArgs;
use crate::conformance::baseline::{self, Passing};
use crate::conformance::categories::{per_category, Counts};
use crate::conformance::promql_script::{run_script_on, ScriptReport};
use crate::conformance::scratch::ScratchStore;
use crate::conformance::{inputs, ConformanceError, Outcome};
use clap::{Args, Subcommand};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Run query-language conformance scripts from the reference implementations.
///
/// Developer tool: it measures how much of Prometheus' and Loki's own test suites argus passes.
/// It never touches the store given by --store; every PromQL script runs in a scratch store of
/// its own.
#[derive(Args, Debug)]
#[command(after_long_help = "Examples:

  # Prometheus' PromQL test scripts, held to a committed baseline
  argus conformance promql ../prometheus/promql/promqltest/testdata --baseline tests/promql-conformance-baseline.txt

  # Loki's LogQL corpora and engine scripts, listing each failure
  argus conformance logql ../loki-corpora -v")]
pub struct ConformanceArgs {
    #[command(subcommand)]
    pub language: Language,
}

#[derive(Subcommand, Debug)]
pub enum Language {
    /// Run Prometheus' promqltest scripts (*.test) against argus' store and engine.
    ///
    /// Each `load` block is committed to a real store in a scratch directory, `clear` starts a
    /// new one, and every `eval` is answered from a store snapshot by the PromQL engine. Like
    /// Prometheus' runner, each instant eval is also re-run as a range query around its time
    /// and, with its selectors pinned by `@`, at other times; all runs must meet the
    /// expectations.
    ///
    /// Prints one line per file and category (core, native_histograms, and one per
    /// experimental feature), then a summary line; -v lists each failure on stderr as
    /// file:line: command: reason, -vv each skip too. With --baseline, exits 1 when fewer cases
    /// pass than the file records (in total or in any category); without it, exits 1 when any
    /// case fails. Costs a few seconds for Prometheus' whole suite.
    Promql(PromqlArgs),
    /// Run Loki's LogQL corpora (parse_ok.txt, parse_err.txt, eval_err.txt) against argus'
    /// LogQL parser, and its engine scripts (*.logqltest) against the LogQL evaluator.
    ///
    /// Each PATH is a directory holding the corpora and logqltest/, or one corpus file or
    /// script. Every query of parse_ok.txt must parse; every query of parse_err.txt must be
    /// rejected by the parser, and every query of eval_err.txt by the parser with the checks an
    /// engine applies before running a query (Loki makes those when it builds the pipeline).
    /// Each `load` of a *.logqltest script is stored in a scratch store and each `eval` is
    /// answered from it by the LogQL evaluator, and must match the expected result. Prints one
    /// line per file and a summary line; -v lists each failure on stderr as file:line: query:
    /// reason, -vv each skip too. --baseline works as for promql. Takes a few seconds.
    Logql(LogqlArgs),
    /// Fuzz argus' parsers and decoders of outside input with mutated inputs.
    ///
    /// Targets: the exposition formats, PromQL (parse and print round trip), LogQL, Go
    /// templates, Loki pushes (JSON, protobuf) and remote_write; `--list` describes them. Seeds
    /// come from --conformance and --fixtures and from built-in examples. Each target runs on a
    /// thread with a 2 MiB stack, as the server's are. The first input that breaks a target is
    /// written to --save/<target>/ (where the test suite replays it) and the run exits 1. The
    /// mutation is blind; for coverage-guided fuzzing see `scripts/fuzz --libfuzzer`. The test
    /// suite runs every target for a few thousand inputs; this runs as long as wanted.
    Fuzz(super::conformance_fuzz::FuzzArgs),
}

#[derive(Args, Debug)]
#[command(after_long_help = "Examples:

  # A whole conformance directory, held to the committed baseline
  argus conformance logql ../loki-corpora --baseline tests/logql-conformance-baseline.txt

  # One engine script, listing each failure and skip
  argus conformance logql ../loki-corpora/logqltest/functions.logqltest -vv

  # Raise the baseline after an improvement
  argus conformance logql ../loki-corpora --baseline tests/logql-conformance-baseline.txt --update-baseline")]
pub struct LogqlArgs {
    /// Conformance directories (the corpora and logqltest/), corpus files (parse_ok.txt,
    /// parse_err.txt, eval_err.txt) or engine scripts (*.logqltest).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Fail when fewer cases pass than this file records (total and per file).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Raise the numbers in the --baseline file to this run's (never lowers them).
    #[arg(long, requires = "baseline")]
    pub update_baseline: bool,
    /// Where to create the scratch store the engine scripts load their entries into
    /// [default: the system's temporary directory].
    #[arg(long, value_name = "DIR")]
    pub scratch_dir: Option<PathBuf>,
}

#[derive(Args, Debug)]
#[command(after_long_help = "Examples:

  # Prometheus' whole suite, scratch stores in memory, held to the committed baseline
  argus conformance promql ../prometheus/promql/promqltest/testdata --scratch-dir /dev/shm --baseline tests/promql-conformance-baseline.txt

  # One script, listing each failure as file:line: command: reason
  argus conformance promql ../prometheus/promql/promqltest/testdata/functions.test -v")]
pub struct PromqlArgs {
    /// Script files, or directories whose *.test files are run (not recursively).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Fail when fewer cases pass than this file records (total and per category).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Raise the numbers in the --baseline file to this run's (never lowers them).
    #[arg(long, requires = "baseline")]
    pub update_baseline: bool,
    /// Where to create the scratch stores [default: the system's temporary directory].
    ///
    /// Every `load` is a durable commit, so most of a run is spent in fsync; a directory in
    /// memory (such as /dev/shm) makes it several times faster and changes no result.
    #[arg(long, value_name = "DIR")]
    pub scratch_dir: Option<PathBuf>,
}

pub fn run(global: &GlobalArgs, args: &ConformanceArgs) -> CliResult {
    match &args.language {
        Language::Promql(a) => run_promql(global, a),
        Language::Logql(a) => super::conformance_logql::run(global, a),
        Language::Fuzz(a) => super::conformance_fuzz::run(global, a),
    }
}

fn run_promql(global: &GlobalArgs, args: &PromqlArgs) -> CliResult {
    global.output_or(
        OutputFormat::Table,
        &[OutputFormat::Table],
        "conformance promql",
    )?;
    let files = inputs::promql_scripts(&args.paths)?;
    // Read the baseline first: a typo in its path should not cost a whole run.
    let baseline = read_baseline(args.baseline.as_deref(), args.update_baseline)?;
    let parse = |s: &str| crate::promql::parse(s).map_err(|e| e.to_string());
    let mut totals: BTreeMap<String, Counts> = BTreeMap::new();
    let mut broken = 0usize;
    let mut out = std::io::stdout().lock();
    for file in &files {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                global.note(format!("cannot read {}: {e}", file.display()));
                broken += 1;
                continue;
            }
        };
        let mut store =
            ScratchStore::new(args.scratch_dir.as_deref()).map_err(ConformanceError::Scratch)?;
        let report = run_script_on(&text, &parse, &mut store);
        drop(store);
        for e in &report.errors {
            global.note(format!("{}: store error at {e}", file.display()));
        }
        broken += usize::from(!report.errors.is_empty());
        let (text, detail) = file_lines(file, &report, global.verbose, &mut totals);
        if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            return super::stdout_result(Err(e));
        }
        eprint!("{detail}");
    }
    let mut total = Counts::default();
    for c in totals.values() {
        total.merge(*c);
    }
    let r = writeln!(out, "promql conformance: {total}");
    super::stdout_result(r)?;
    drop(out);

    let mut passing: Passing = totals.iter().map(|(k, c)| (k.clone(), c.passed)).collect();
    passing.insert("total".into(), total.passed);
    let regressions = ratchet(
        global,
        args.baseline.as_deref(),
        args.update_baseline,
        baseline.as_ref(),
        &passing,
        baseline::PROMQL_HEADER,
    )?;
    verdict(
        "promql",
        (broken > 0).then(|| format!("{broken} script file(s) could not be run")),
        &regressions,
        baseline.is_some() || args.update_baseline,
        total.failed,
    )
}

/// How a conformance run ends: inputs that could not be read fail it, so does a regression
/// against the baseline, and, when no baseline judges the run, so does any failed case.
pub(super) fn verdict(
    language: &str,
    broken: Option<String>,
    regressions: &[String],
    judged_by_baseline: bool,
    failed: u64,
) -> CliResult {
    if let Some(b) = broken {
        return Err(CliError::failure(b));
    }
    if !regressions.is_empty() {
        return Err(CliError::failure(format!(
            "{language} conformance regressed against the baseline: {}",
            regressions.join("; ")
        )));
    }
    if !judged_by_baseline && failed > 0 {
        return Err(CliError::failure(format!(
            "{failed} case(s) failed (-v lists them; --baseline FILE accepts known failures)"
        )));
    }
    Ok(exit::OK)
}

/// The lines of one file: its categories with counts (for stdout), and the details (for
/// stderr): with -v each failure, with -vv also each skip, as `file:line: command: reason`.
fn file_lines(
    file: &Path,
    report: &ScriptReport,
    verbose: u8,
    totals: &mut BTreeMap<String, Counts>,
) -> (String, String) {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string());
    let stem = file
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut s = String::new();
    for (cat, counts) in &per_category(&stem, report) {
        let _ = writeln!(s, "promql {name} {cat}: {counts}");
        totals.entry(cat.to_string()).or_default().merge(*counts);
    }
    let mut detail = String::new();
    for c in &report.cases {
        match &c.outcome {
            Outcome::Fail(why) if verbose >= 1 => {
                let _ = writeln!(
                    detail,
                    "FAIL {}:{}: {}: {why}",
                    file.display(),
                    c.line,
                    c.command
                );
            }
            Outcome::Skip(why) if verbose >= 2 => {
                let _ = writeln!(
                    detail,
                    "SKIP {}:{}: {}: {why}",
                    file.display(),
                    c.line,
                    c.command
                );
            }
            _ => {}
        }
    }
    (s, detail)
}

/// The baseline to hold the run to: none without --baseline, nor when --update-baseline is
/// to create the file.
pub(super) fn read_baseline(
    path: Option<&Path>,
    update: bool,
) -> Result<Option<Passing>, CliError> {
    match path {
        Some(p) if p.exists() || !update => Ok(Some(baseline::read(p)?)),
        _ => Ok(None),
    }
}

/// Holds the run to the baseline (returning the regressions) and, with --update-baseline,
/// raises the numbers in the file, saying so.
pub(super) fn ratchet(
    global: &GlobalArgs,
    path: Option<&Path>,
    update: bool,
    recorded: Option<&Passing>,
    passing: &Passing,
    header: &str,
) -> Result<Vec<String>, CliError> {
    let r = baseline::ratchet(path, update, recorded, passing, header)?;
    if let (true, Some(p)) = (r.raised, path) {
        global.note(format!("baseline {} raised", p.display()));
    }
    Ok(r.regressions)
}
