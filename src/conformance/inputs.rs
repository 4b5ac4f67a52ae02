//! Which files a conformance run reads, from the paths it is given: for PromQL, script files as
//! given and directories' `*.test` files; for LogQL, directories' corpora and
//! `logqltest/*.logqltest` scripts, or single corpus files and scripts told apart by name.

use super::logql_corpus::{Corpus, CORPORA};
use super::ConformanceError;
use std::path::{Path, PathBuf};

/// The PromQL script files named by the arguments: files as given, directories' `*.test` files
/// (not recursively) sorted.
pub fn promql_scripts(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ConformanceError> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            files.extend(files_ending(p, "test")?);
        } else if p.exists() {
            files.push(p.clone());
        } else {
            return Err(ConformanceError::NoSuchPath(p.clone()));
        }
    }
    Ok(files)
}

/// The LogQL files of a run: corpora first, then engine scripts.
#[derive(Debug, Default)]
pub struct LogqlInputs {
    pub corpora: Vec<(PathBuf, Corpus)>,
    pub scripts: Vec<PathBuf>,
}

/// The corpus files (with how their queries are checked) and the engine scripts named by the
/// arguments: a directory gives its corpora (those present, in [`CORPORA`] order; a missing one
/// is reported when it is read) and its `logqltest/*.logqltest`; a file gives itself, its kind
/// told by its name.
pub fn logql_inputs(paths: &[PathBuf]) -> Result<LogqlInputs, ConformanceError> {
    let mut inputs = LogqlInputs::default();
    for path in paths {
        if path.is_dir() {
            for corpus in CORPORA {
                inputs.corpora.push((path.join(corpus.file), corpus));
            }
            let scripts = path.join("logqltest");
            if scripts.is_dir() {
                inputs.scripts.extend(files_ending(&scripts, "logqltest")?);
            }
            continue;
        }
        if !path.is_file() {
            return Err(ConformanceError::NoSuchPath(path.clone()));
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        if let Some(corpus) = CORPORA.iter().find(|c| c.file == name) {
            inputs.corpora.push((path.clone(), *corpus));
        } else if path.extension().is_some_and(|x| x == "logqltest") {
            inputs.scripts.push(path.clone());
        } else {
            return Err(ConformanceError::NotLogqlInput(path.clone()));
        }
    }
    Ok(inputs)
}

/// The files of `dir` (not recursively) with the extension `ext`, sorted.
fn files_ending(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, ConformanceError> {
    let rd = std::fs::read_dir(dir).map_err(|source| ConformanceError::List {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut found: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == ext))
        .collect();
    found.sort();
    Ok(found)
}
