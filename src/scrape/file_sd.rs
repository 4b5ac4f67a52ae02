//! `file_sd_configs`: targets listed in JSON or YAML files, the discovery small teams use most
//! (a configuration management tool or a script writes the files; the scraper follows them).
//!
//! As in Prometheus: `files` are paths, relative to the configuration file, whose last
//! element may hold a glob (`*`, `?`, `[a-z]`, `[^x]`, `\` escapes, as Go's `filepath.Match`);
//! only `*.json`, `*.yml` and `*.yaml` names are accepted. A file holds a list of target
//! groups, `[{"targets": ["host:port", ...], "labels": {"name": "value"}}]` (the same shape in
//! YAML; an empty YAML file is an empty list). Every target of a file gets
//! `__meta_filepath`, the file's path, for relabeling. Unlike Go's JSON decoder (Prometheus
//! ignores unknown keys in JSON files), argus refuses unknown keys in both formats: a
//! misspelt `lables` would otherwise drop labels without a word.
//!
//! Re-reading: [`FileSd::refresh`] is called once per round of a loop. It lists the files
//! again (new files appear, deleted ones take their targets with them) and re-reads a file
//! whose modification time or size changed, and every file once `refresh_interval` (default
//! 5m) has passed since the last full read. Prometheus uses inotify plus the same periodic
//! refresh; checking modification times each round gives the same result without a watcher
//! thread, at the cost of a `stat` per file per round.
//!
//! A file that cannot be read or parsed is reported with its path and reason, and keeps the
//! targets of its last good read (as Prometheus does); a file that never read well has
//! none. The caller decides what a report means: a one-shot run fails with exit 3, a loop
//! prints it and goes on.
//!
//! This file does not build targets from the groups (see `discovery`) and does not scrape.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::Deserialize;
use tokio::time::Instant;

use super::target::TargetSpec;
use crate::glob::expand;
use crate::model::labels::is_valid_label_name;

/// Prometheus' default `refresh_interval`.
pub const DEFAULT_REFRESH_INTERVAL_MS: i64 = 5 * 60_000;

/// The label every discovered target gets: the path of the file that listed it.
pub const META_FILEPATH: &str = "__meta_filepath";

/// One entry of a job's `file_sd_configs`.
#[derive(Clone, Debug, PartialEq)]
pub struct FileSdConfig {
    /// Paths, joined to the configuration file's directory; a glob in the last element.
    pub patterns: Vec<PathBuf>,
    pub refresh_interval_ms: i64,
}

/// A job whose targets come (also) from files: the settings that shape its targets and its
/// `file_sd_configs`.
#[derive(Clone, Debug)]
pub struct FileSdJob {
    pub spec: TargetSpec,
    pub configs: Vec<FileSdConfig>,
}

/// One target group as a file lists it.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetGroup {
    #[serde(default)]
    pub targets: Vec<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// Is `name` a path Prometheus accepts in `files`: a known extension, a `*` only in the last
/// path element (Prometheus' `patFileSDName`).
pub fn is_valid_pattern(name: &str) -> bool {
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    if name[..last_slash].contains('*') {
        return false;
    }
    // Prometheus accepts the extensions in lower or upper case only, not mixed.
    [".json", ".yml", ".yaml"]
        .iter()
        .any(|e| name.ends_with(e) || name.ends_with(&e.to_ascii_uppercase()))
}

/// Reads one target file: JSON or YAML by its extension.
pub fn read_target_file(path: &Path) -> Result<Vec<TargetGroup>, String> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let groups: Vec<Option<TargetGroup>> = if ext == "json" {
        serde_json::from_slice(&bytes).map_err(|e| format!("{shown}: {e}"))?
    } else {
        let text = std::str::from_utf8(&bytes)
            .map_err(|e| format!("{shown}: not UTF-8 (byte {})", e.valid_up_to()))?;
        if text.trim().is_empty() {
            Vec::new()
        } else {
            serde_yaml_ng::from_str(text).map_err(|e| format!("{shown}: {}", yaml_message(&e)))?
        }
    };
    let mut out = Vec::with_capacity(groups.len());
    for (i, g) in groups.into_iter().enumerate() {
        let g = g.ok_or_else(|| format!("{shown}: target group {i} is empty (null)"))?;
        if let Some(bad) = g.labels.keys().find(|k| !is_valid_label_name(k)) {
            return Err(format!(
                "{shown}: target group {i}: {bad:?} is not a valid label name"
            ));
        }
        out.push(g);
    }
    Ok(out)
}

/// serde_yaml_ng's message with the location as `line L column C` kept readable.
fn yaml_message(e: &serde_yaml_ng::Error) -> String {
    let mut msg = e.to_string();
    if let (Some(i), Some(l)) = (msg.rfind(" at line "), e.location()) {
        msg.truncate(i);
        msg = format!("line {} column {}: {msg}", l.line(), l.column());
    }
    msg
}

/// What a file was when last read: modification time and size.
type Stamp = (Option<SystemTime>, u64);

/// The last read of one file.
#[derive(Debug, Default)]
struct FileState {
    stamp: Option<Stamp>,
    /// The groups of the last good read.
    groups: Vec<TargetGroup>,
}

/// What one refresh found.
#[derive(Debug, Default, PartialEq)]
pub struct FileSdUpdate {
    /// The groups of some file differ from before (a file appeared, changed or went away).
    pub changed: bool,
    /// Files that could not be listed, read or parsed: `"<path>: <reason>"`.
    pub errors: Vec<String>,
}

/// The files of one `file_sd_configs` entry and what they held at their last good read.
#[derive(Debug)]
pub struct FileSd {
    config: FileSdConfig,
    files: BTreeMap<PathBuf, FileState>,
    last_full_read: Option<Instant>,
}

impl FileSd {
    pub fn new(config: FileSdConfig) -> FileSd {
        FileSd {
            config,
            files: BTreeMap::new(),
            last_full_read: None,
        }
    }

    /// Lists the files again and reads those that are new or changed, or all of them when
    /// the refresh interval has passed (or on the first call).
    pub fn refresh(&mut self, now: Instant) -> FileSdUpdate {
        let every = Duration::from_millis(self.config.refresh_interval_ms.max(1) as u64);
        let full = self.last_full_read.is_none_or(|t| now >= t + every);
        let mut update = FileSdUpdate::default();
        let mut present = BTreeSet::new();
        for pattern in &self.config.patterns {
            match expand(pattern) {
                Ok(paths) => present.extend(paths),
                Err(e) => update.errors.push(e),
            }
        }
        for path in &present {
            let stamp = std::fs::metadata(path).map(|m| (m.modified().ok(), m.len()));
            let state = self.files.entry(path.clone()).or_default();
            let stamp = match stamp {
                Ok(s) => s,
                Err(e) => {
                    update
                        .errors
                        .push(format!("{}: cannot read: {e}", path.display()));
                    continue;
                }
            };
            if !full && state.stamp == Some(stamp) {
                continue;
            }
            // Recorded also for a broken file: it is reported again when it changes or at
            // the next full read, not every round.
            state.stamp = Some(stamp);
            match read_target_file(path) {
                Ok(groups) => {
                    if groups != state.groups {
                        update.changed = true;
                        state.groups = groups;
                    }
                }
                Err(e) => update.errors.push(e),
            }
        }
        // A file that went away takes its targets with it.
        let gone: Vec<PathBuf> = self
            .files
            .keys()
            .filter(|p| !present.contains(*p))
            .cloned()
            .collect();
        for p in gone {
            if self.files.remove(&p).is_some_and(|s| !s.groups.is_empty()) {
                update.changed = true;
            }
        }
        if full {
            self.last_full_read = Some(now);
        }
        update
    }

    /// Every group of every file, with the file's path.
    pub fn groups(&self) -> impl Iterator<Item = (&Path, &TargetGroup)> {
        self.files
            .iter()
            .flat_map(|(p, s)| s.groups.iter().map(move |g| (p.as_path(), g)))
    }
}

#[cfg(test)]
#[path = "file_sd_tests.rs"]
mod tests;
