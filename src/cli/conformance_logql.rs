//! `argus conformance logql PATH...`: Loki's LogQL parse corpora through argus' LogQL parser,
//! and Loki's engine scripts through a scratch store and the LogQL evaluator.
//!
//! A PATH is a directory holding the corpora and `logqltest/`, or one corpus file or script.
//! The corpora, the script language, the scratch store and the baseline ratchet live in
//! `crate::conformance`; this file owns the reading of the files, the printing and how a run
//! ends, with the flags and the shared verdict in `conformance.rs`.

use super::conformance::{ratchet, read_baseline, verdict, LogqlArgs};
use super::exit::CliResult;
use super::output::OutputFormat;
use super::GlobalArgs;
use crate::conformance::baseline::{self, Passing};
use crate::conformance::categories::{logql_category, Counts};
use crate::conformance::scratch::ScratchStore;
use crate::conformance::{inputs, logql_corpus, logql_script, Case, ConformanceError, Outcome};
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn run(global: &GlobalArgs, args: &LogqlArgs) -> CliResult {
    global.output_or(
        OutputFormat::Table,
        &[OutputFormat::Table],
        "conformance logql",
    )?;
    let baseline = read_baseline(args.baseline.as_deref(), args.update_baseline)?;
    let inputs = inputs::logql_inputs(&args.paths)?;
    let mut files: Vec<(PathBuf, Vec<Case>)> = Vec::new();
    let mut broken = 0usize;
    for (file, corpus) in inputs.corpora {
        match std::fs::read(&file) {
            Ok(bytes) => files.push((file, logql_corpus::cases(&bytes, corpus))),
            Err(e) => {
                global.note(format!("cannot read {}: {e}", file.display()));
                broken += 1;
            }
        }
    }
    // One scratch store serves every script (each starts by emptying it); none is made when
    // there are no scripts.
    let mut scratch: Option<ScratchStore> = None;
    for file in inputs.scripts {
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) => {
                global.note(format!("cannot read {}: {e}", file.display()));
                broken += 1;
                continue;
            }
        };
        let store = match &mut scratch {
            Some(s) => s,
            None => scratch.insert(
                ScratchStore::new(args.scratch_dir.as_deref())
                    .map_err(ConformanceError::Scratch)?,
            ),
        };
        let cases = logql_script::run_on_empty(&text, store);
        files.push((file, cases));
    }

    let mut out = std::io::stdout().lock();
    let mut total = Counts::default();
    let mut passing = Passing::new();
    for (file, cases) in &files {
        let mut counts = Counts::default();
        for c in cases {
            counts.add(&c.outcome);
        }
        total.merge(counts);
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        *passing.entry(logql_category(file)).or_default() += counts.passed;
        let r = writeln!(out, "logql {name}: {counts}").and_then(|()| out.flush());
        super::stdout_result(r)?;
        eprint!("{}", details(file, cases, global.verbose));
    }
    let r = writeln!(out, "logql conformance: {total}");
    super::stdout_result(r)?;
    drop(out);
    passing.insert("total".into(), total.passed);

    let regressions = ratchet(
        global,
        args.baseline.as_deref(),
        args.update_baseline,
        baseline.as_ref(),
        &passing,
        baseline::LOGQL_HEADER,
    )?;
    verdict(
        "logql",
        (broken > 0).then(|| format!("{broken} corpus file(s) could not be read")),
        &regressions,
        baseline.is_some() || args.update_baseline,
        total.failed,
    )
}

/// With -v each failure, with -vv each skip too, as `FAIL file:line: query: reason`.
fn details(file: &Path, cases: &[Case], verbose: u8) -> String {
    let mut s = String::new();
    for c in cases {
        let (tag, why) = match &c.outcome {
            Outcome::Fail(why) if verbose >= 1 => ("FAIL", why),
            Outcome::Skip(why) if verbose >= 2 => ("SKIP", why),
            _ => continue,
        };
        let _ = writeln!(
            s,
            "{tag} {}:{}: {}: {why}",
            file.display(),
            c.line,
            c.command
        );
    }
    s
}
