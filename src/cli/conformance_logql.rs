//! `argus conformance logql PATH...`: Loki's LogQL parse corpora through argus' LogQL parser,
//! and Loki's engine scripts through a scratch store and the LogQL evaluator.
//!
//! The corpora (`parse_ok.txt`, `parse_err.txt`, `eval_err.txt`: one query a line, with the
//! escapes `\\`, `\n`, `\r` and `\xHH` for a raw byte) say which queries Loki accepts and which
//! it rejects; Loki's engine scripts (`logqltest/*.logqltest`) load log lines and compare
//! each `eval` with its expected result, one case per `eval`. A PATH is a directory holding
//! them, or one corpus file or script. This file owns the reading, counting and printing; the
//! script language lives in `logql::script`, the baseline ratchet and the counts are shared
//! with the PromQL runner (`conformance.rs`). It does not fetch the corpora: they are data
//! kept outside the project.

use super::conformance::{ratchet, read_baseline, Counts, LogqlArgs};
use super::exit::{CliError, CliResult};
use super::output::OutputFormat;
use super::GlobalArgs;
use crate::logql::Checks;
use crate::promql::engine::script::Outcome;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The parse corpora, whether their queries must parse, and how: eval_err.txt holds queries
/// that Loki's parser accepts but its pipeline builder rejects, so they go through the checks
/// an engine applies ([`Checks::Eval`]); the other two through the parser's alone.
const CORPORA: [(&str, bool, Checks); 3] = [
    ("parse_ok.txt", true, Checks::Syntax),
    ("parse_err.txt", false, Checks::Syntax),
    ("eval_err.txt", false, Checks::Eval),
];

const BASELINE_HEADER: &str =
    "# Passing cases of `argus conformance logql` over Loki's LogQL corpora, in total and per\n\
     # file. A run with --baseline fails when fewer pass;\n\
     # --update-baseline raises these numbers (it never lowers them).\n";

/// One case: where it is, what it runs, how it went.
struct Case {
    line: usize,
    command: String,
    outcome: Outcome,
}

pub fn run(global: &GlobalArgs, args: &LogqlArgs) -> CliResult {
    global.output_or(
        OutputFormat::Table,
        &[OutputFormat::Table],
        "conformance logql",
    )?;
    let baseline = match &args.baseline {
        Some(p) if p.exists() || !args.update_baseline => Some(read_baseline(p)?),
        _ => None,
    };
    let (corpora, scripts) = inputs(&args.paths)?;
    let mut files: Vec<(PathBuf, Vec<Case>)> = Vec::new();
    let mut broken = 0usize;
    for (file, must_parse, checks) in corpora {
        match std::fs::read(&file) {
            Ok(bytes) => files.push((file, parse_cases(&bytes, must_parse, checks))),
            Err(e) => {
                global.note(format!("cannot read {}: {e}", file.display()));
                broken += 1;
            }
        }
    }
    let mut scratch = None;
    if !scripts.is_empty() {
        let store = crate::adapters::ScratchStore::new(args.scratch_dir.as_deref())
            .map_err(|e| CliError::failure(format!("cannot create a scratch store: {e}")))?;
        scratch = Some(store);
    }
    for file in scripts {
        match std::fs::read_to_string(&file) {
            Ok(text) => {
                let store = scratch.as_mut().expect("made when there are scripts");
                let cases = engine_cases(&text, store);
                files.push((file, cases));
            }
            Err(e) => {
                global.note(format!("cannot read {}: {e}", file.display()));
                broken += 1;
            }
        }
    }

    let mut out = std::io::stdout().lock();
    let mut total = Counts::default();
    let mut passing: BTreeMap<String, u64> = BTreeMap::new();
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
        *passing.entry(category(file)).or_default() += counts.passed;
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
        BASELINE_HEADER,
    )?;
    super::conformance::verdict(
        "logql",
        (broken > 0).then(|| format!("{broken} corpus file(s) could not be read")),
        &regressions,
        baseline.is_some() || args.update_baseline,
        total.failed,
    )
}

/// The baseline category of a file: its stem for the corpora, `logqltest` for the scripts.
fn category(file: &Path) -> String {
    if file.extension().is_some_and(|x| x == "logqltest") {
        return "logqltest".into();
    }
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The corpus files (with how their queries are checked) and the engine scripts named by the
/// PATH arguments: a directory gives its corpora (those present, in [`CORPORA`] order; a
/// missing one is reported when it is read) and its logqltest/*.logqltest; a file gives
/// itself, its kind told by its name. Corpora come first, then scripts.
#[allow(clippy::type_complexity)]
fn inputs(paths: &[PathBuf]) -> Result<(Vec<(PathBuf, bool, Checks)>, Vec<PathBuf>), CliError> {
    let mut corpora = Vec::new();
    let mut scripts = Vec::new();
    for path in paths {
        if path.is_dir() {
            for (name, must_parse, checks) in CORPORA {
                corpora.push((path.join(name), must_parse, checks));
            }
            scripts.extend(engine_scripts(&path.join("logqltest"))?);
            continue;
        }
        if !path.is_file() {
            return Err(CliError::usage(format!(
                "{}: no such file or directory",
                path.display()
            )));
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        if let Some((_, must_parse, checks)) = CORPORA.iter().find(|(n, _, _)| *n == name) {
            corpora.push((path.clone(), *must_parse, *checks));
        } else if path.extension().is_some_and(|x| x == "logqltest") {
            scripts.push(path.clone());
        } else {
            return Err(CliError::usage(format!(
                "{}: not a LogQL conformance file; expected a directory, parse_ok.txt, \
                 parse_err.txt, eval_err.txt or a *.logqltest script",
                path.display()
            )));
        }
    }
    Ok((corpora, scripts))
}

/// The `*.logqltest` files of the directory, sorted; none when it does not exist.
fn engine_scripts(dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let rd = std::fs::read_dir(dir)
        .map_err(|e| CliError::failure(format!("cannot list {}: {e}", dir.display())))?;
    let mut found: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == "logqltest"))
        .collect();
    found.sort();
    Ok(found)
}

/// One case per non-empty line: the query must parse (`must_parse`) or be rejected.
fn parse_cases(bytes: &[u8], must_parse: bool, checks: Checks) -> Vec<Case> {
    let mut cases = Vec::new();
    for (n, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.is_empty() {
            continue;
        }
        let query = decode(raw);
        let outcome = match (crate::logql::parse_with(&query, checks), must_parse) {
            (Ok(_), true) | (Err(_), false) => Outcome::Pass,
            (Err(e), true) => Outcome::Fail(e.to_string()),
            (Ok(_), false) => Outcome::Fail("parsed, but must be rejected".into()),
        };
        cases.push(Case {
            line: n + 1,
            command: String::from_utf8_lossy(raw).into_owned(),
            outcome,
        });
    }
    cases
}

/// Every `eval` of an engine script, run against the scratch store (emptied first, as each
/// script starts from nothing).
fn engine_cases(text: &str, store: &mut crate::adapters::ScratchStore) -> Vec<Case> {
    use crate::logql::script::LogScriptStorage;
    if let Err(e) = store.clear() {
        return vec![Case {
            line: 1,
            command: String::new(),
            outcome: Outcome::Fail(format!("cannot empty the scratch store: {e}")),
        }];
    }
    crate::logql::script::run(text, store)
        .into_iter()
        .map(|c| Case {
            line: c.line,
            command: c.command,
            outcome: c.outcome,
        })
        .collect()
}

/// Decodes the corpus escapes left to right: `\\`, `\n`, `\r`, `\xHH` (a raw byte); any other
/// backslash is kept as it is.
fn decode(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b == b'\\' && i + 1 < raw.len() {
            match raw[i + 1] {
                b'\\' => {
                    out.push(b'\\');
                    i += 2;
                    continue;
                }
                b'n' => {
                    out.push(b'\n');
                    i += 2;
                    continue;
                }
                b'r' => {
                    out.push(b'\r');
                    i += 2;
                    continue;
                }
                b'x' => {
                    let hex = raw
                        .get(i + 2..i + 4)
                        .and_then(|h| std::str::from_utf8(h).ok());
                    if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        out.push(v);
                        i += 4;
                        continue;
                    }
                }
                _ => {}
            }
        }
        out.push(b);
        i += 1;
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_corpus_escapes_left_to_right() {
        assert_eq!(decode(br"a\\nb"), b"a\\nb".to_vec());
        assert_eq!(decode(br"a\nb\r"), b"a\nb\r".to_vec());
        assert_eq!(decode(br"\xa0\x41"), vec![0xa0, b'A']);
        assert_eq!(decode(br"\w \xZZ"), br"\w \xZZ".to_vec());
    }

    #[test]
    fn engine_scripts_run_through_a_real_store() {
        let mut store = crate::adapters::ScratchStore::new(None).unwrap();
        let script = "load\n  {a=\"b\"} \"x\" @ 10s [repeat every 10s for 3]\n\n\
                      eval instant at 30s count_over_time({a=\"b\"}[1m])\n  {a=\"b\"} 3\n\
                      eval instant at 30s count_over_time({a=\"b\"}[1m])\n  {a=\"b\"} 4\n";
        let cases = engine_cases(script, &mut store);
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].line, 4);
        assert!(
            matches!(cases[0].outcome, Outcome::Pass),
            "{:?}",
            cases[0].outcome
        );
        assert!(matches!(cases[1].outcome, Outcome::Fail(_)));
    }
}
