//! The conformance harness: runs the reference implementations' own test data (Prometheus'
//! promqltest scripts, Loki's LogQL parse corpora and engine scripts) through argus' real store,
//! parsers and engines, and holds the pass counts to a committed baseline; and fuzzes the
//! parsers and decoders, seeded from that data.
//!
//! It is a test harness, kept apart from what it measures: `promql` and `logql` are engines
//! and know nothing of it. The command that drives it (`argus conformance`, in
//! `cli::conformance*`) owns only the flags, the printing and the exit codes.
//!
//! - `promql_script/`: the promqltest format (`load` / `clear` / `eval` blocks), its runner
//!   and the comparison of results with expectations.
//! - `logql_script`: Loki's `.logqltest` engine scripts, which share the promqltest value
//!   syntax and float tolerance.
//! - `logql_corpus`: Loki's parse corpora (queries that must parse, queries that must be
//!   rejected).
//! - `scratch`: the real store in a scratch directory that both runners load data into.
//! - `inputs`: which files a run reads, from the paths it is given.
//! - `categories`: counting cases per file and per category (core, native histograms, each
//!   experimental feature).
//! - `baseline`: the committed baseline file and the ratchet (counts may rise, never fall).
//! - `fuzz/`: fuzz targets for every parser and decoder of outside input, a small mutation
//!   engine and the seeds taken from the same test data; the test suite and
//!   `argus conformance fuzz` run them.
//!
//! It does not fetch the test data: that is kept outside the project.

pub mod baseline;
pub mod categories;
pub mod fuzz;
pub mod inputs;
pub mod logql_corpus;
pub mod logql_script;
pub mod promql_script;
pub mod scratch;

use crate::store::StoreError;
use std::path::PathBuf;

/// What became of one case; `Skip` and `Fail` say why.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Pass,
    Skip(String),
    Fail(String),
}

/// One case of a LogQL corpus or engine script: where it is, what it runs, how it went.
#[derive(Debug)]
pub struct Case {
    /// 1-based line of the query or `eval` command.
    pub line: usize,
    pub command: String,
    pub outcome: Outcome,
}

/// What stops a conformance run before or after its cases (a case that fails is an
/// [`Outcome`], not an error).
#[derive(Debug, thiserror::Error)]
pub enum ConformanceError {
    /// A path argument that does not exist.
    #[error("{}: no such file or directory", .0.display())]
    NoSuchPath(PathBuf),
    /// A file argument that is none of the LogQL conformance files.
    #[error(
        "{}: not a LogQL conformance file; expected a directory, parse_ok.txt, parse_err.txt, \
         eval_err.txt or a *.logqltest script",
        .0.display()
    )]
    NotLogqlInput(PathBuf),
    /// A directory of scripts that cannot be listed.
    #[error("cannot list {}: {source}", .path.display())]
    List {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A baseline file that cannot be read.
    #[error("cannot read the baseline {}: {source}", .path.display())]
    ReadBaseline {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A baseline line that is not `category passing-count`.
    #[error("{}:{line}: expected `category passing-count`, got {text:?}", .path.display())]
    BaselineSyntax {
        path: PathBuf,
        line: usize,
        text: String,
    },
    /// A baseline file that cannot be written.
    #[error("cannot write {}: {source}", .path.display())]
    WriteBaseline {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The scratch store could not be made.
    #[error("cannot create a scratch store: {0}")]
    Scratch(StoreError),
}

impl ConformanceError {
    /// True when the error is in what the user named (a path, a baseline's content), as
    /// opposed to the machine failing under the run.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            ConformanceError::NoSuchPath(_)
                | ConformanceError::NotLogqlInput(_)
                | ConformanceError::ReadBaseline { .. }
                | ConformanceError::BaselineSyntax { .. }
        )
    }
}
