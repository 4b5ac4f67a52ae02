//! `promtool check rules`: read each rule file, print `Checking F` and either the number of
//! rules found or every error, and lint for duplicate rules.
//!
//! A duplicate is two rules with the same record or alert name and the same labels (group
//! labels merged under the rule's own): recording both would write one series twice. It is
//! a lint, not an error: reported as a failure, but the exit code stays 0 unless the lint
//! is fatal (promtool's `--lint-fatal`, exit 3).

use super::file::{self, RuleFile};
use std::io::Write;
use std::path::Path;

/// What `check` found over all the files.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Some file had errors (it does not load).
    pub errors: bool,
    /// Some file had lint findings.
    pub lint: bool,
}

/// Which lints run (promtool's `--lint`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lint {
    None,
    DuplicateRules,
}

/// Where a file to check comes from.
pub enum Source<'a> {
    File(&'a Path),
    /// Rule-file text read from standard input.
    Stdin(&'a str),
}

/// Checks each source, writing promtool's report: the progress lines to `out`, the failures
/// to `err`.
pub fn check(
    sources: &[Source],
    lint: Lint,
    ignore_unknown: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<Verdict> {
    let mut verdict = Verdict::default();
    for source in sources {
        let (name, loaded) = match source {
            Source::File(path) => (path.display().to_string(), file::load(path, ignore_unknown)),
            Source::Stdin(text) => (
                "standard input".to_string(),
                file::parse(text, "standard input", ignore_unknown),
            ),
        };
        writeln!(out, "Checking {name}")?;
        match loaded {
            Err(errors) => {
                verdict.errors = true;
                writeln!(err, "  FAILED:")?;
                for e in errors {
                    writeln!(err, "{e}")?;
                }
            }
            Ok(rules) => {
                let duplicates = match lint {
                    Lint::DuplicateRules => duplicates(&rules),
                    Lint::None => Vec::new(),
                };
                if duplicates.is_empty() {
                    writeln!(out, "  SUCCESS: {} rules found", count(&rules))?;
                } else {
                    verdict.lint = true;
                    writeln!(err, "  FAILED:")?;
                    writeln!(err, "{}", duplicates_message(&duplicates))?;
                }
            }
        }
        writeln!(out)?;
    }
    Ok(verdict)
}

fn count(rules: &RuleFile) -> usize {
    rules.groups.iter().map(|g| g.rules.len()).sum()
}

/// A rule's identity for the duplicate lint: its name and its labels (sorted).
type Identity = (String, Vec<(String, String)>);

/// The duplicated identities, each once, in sorted order.
pub fn duplicates(rules: &RuleFile) -> Vec<Identity> {
    let mut all: Vec<Identity> = Vec::new();
    for g in &rules.groups {
        for r in &g.rules {
            let mut labels = g.rule_labels(r);
            labels.sort();
            all.push((r.name().to_string(), labels));
        }
    }
    all.sort();
    let mut found: Vec<Identity> = Vec::new();
    for pair in all.windows(2) {
        if pair[0] == pair[1] && found.last() != Some(&pair[1]) {
            found.push(pair[1].clone());
        }
    }
    found
}

fn duplicates_message(found: &[Identity]) -> String {
    let mut m = format!("lint error {} duplicate rule(s) found.\n", found.len());
    for (name, labels) in found {
        m.push_str(&format!("Metric: {name}\nLabel(s):\n"));
        for (k, v) in labels {
            m.push_str(&format!("\t{k}: {v}\n"));
        }
    }
    m.push_str("Might cause inconsistency while recording expressions");
    m
}
