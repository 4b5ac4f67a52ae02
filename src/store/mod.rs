//! The on-disk store shared by every argus process: metrics as immutable *parts*, plus small
//! named state files. The concurrency and crash-safety argument is in `docs/design.md`; the
//! byte layouts in `docs/format/`.
//!
//! Layout of a store directory:
//! ```text
//! STORE/FORMAT                    "argus store 1": marks the directory as a store
//! STORE/metrics/parts/H-L.part    immutable parts; H and L are 16 hex digits: the commit
//!                                 sequence range [L, H] the part holds
//! STORE/metrics/publish.lock      serialises "choose the next sequence number + rename"
//! STORE/metrics/parts.lock        shared while a reader lists and opens parts, exclusive
//!                                 while a merge swaps its output for its inputs
//! STORE/metrics/merge.lock        one merger at a time
//! STORE/state/NAME                small state files (scrape staleness), replaced atomically
//! STORE/tmp/                      files being written; named after their writer's pid
//! ```
//! Modules: `codec` (samples ↔ bytes), `part` (part files), `writer` (commits), `snapshot`
//! (reads), `merge` (compaction, retention), `check` (verification), `fs` (fsync, locks,
//! atomic writes), `error`.

pub mod check;
pub mod codec;
pub mod error;
pub mod fs;
pub mod merge;
pub mod part;
pub mod snapshot;
pub mod writer;

pub use check::CheckReport;
pub use error::StoreError;
pub use merge::{CompactOptions, CompactReport, RetentionReport};
pub use snapshot::Snapshot;
pub use writer::{CommitStats, MetricWriter};

use error::Result;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const FORMAT_MARKER: &str = "argus store 1\n";

/// A handle on a store directory. Cheap to clone; holds no lock and no open file.
#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<Paths>,
}

#[derive(Debug)]
struct Paths {
    root: PathBuf,
    parts: PathBuf,
    state: PathBuf,
    tmp: PathBuf,
    metrics: PathBuf,
}

/// Sizes and counts, for `argus store info`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoreInfo {
    pub series: u64,
    /// Samples stored; a sample written twice to different unmerged parts counts twice until
    /// a merge resolves it.
    pub samples: u64,
    /// Bytes of all part files.
    pub bytes: u64,
    pub parts: u64,
    pub min_time: Option<i64>,
    pub max_time: Option<i64>,
}

impl StoreInfo {
    pub fn bytes_per_sample(&self) -> f64 {
        if self.samples == 0 {
            0.0
        } else {
            self.bytes as f64 / self.samples as f64
        }
    }
}

/// One entry of the parts directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PartName {
    pub seq_lo: u64,
    pub seq_hi: u64,
    pub path: PathBuf,
}

pub(crate) fn part_file_name(seq_lo: u64, seq_hi: u64) -> String {
    format!("{seq_hi:016x}-{seq_lo:016x}.part")
}

fn parse_part_name(name: &str) -> Option<(u64, u64)> {
    let stem = name.strip_suffix(".part")?;
    let (hi, lo) = stem.split_once('-')?;
    if hi.len() != 16 || lo.len() != 16 {
        return None;
    }
    let hi = u64::from_str_radix(hi, 16).ok()?;
    let lo = u64::from_str_radix(lo, 16).ok()?;
    (lo <= hi).then_some((lo, hi))
}

impl Store {
    /// Opens the store at `dir`, creating it when missing. Removes temporary files left by
    /// writers that died (a crash or `kill -9`); files of live writers are untouched.
    pub fn open(dir: &Path) -> Result<Store> {
        let marker = dir.join("FORMAT");
        if !marker.exists() {
            if let Ok(mut rd) = std::fs::read_dir(dir) {
                let foreign = rd.any(|e| {
                    e.map(|e| !matches!(e.file_name().to_str(), Some("metrics" | "state" | "tmp")))
                        .unwrap_or(false)
                });
                if foreign {
                    return Err(StoreError::Invalid(format!(
                        "{} exists and is not an argus store (no FORMAT file); choose an empty or new directory",
                        dir.display()
                    )));
                }
            }
        }
        let metrics = dir.join("metrics");
        let inner = Paths {
            root: dir.to_path_buf(),
            parts: metrics.join("parts"),
            state: dir.join("state"),
            tmp: dir.join("tmp"),
            metrics,
        };
        for d in [
            &inner.root,
            &inner.metrics,
            &inner.parts,
            &inner.state,
            &inner.tmp,
        ] {
            fs::create_dir_durable(d)?;
        }
        if !marker.exists() {
            fs::write_atomic(&marker, &inner.tmp, FORMAT_MARKER.as_bytes())?;
        } else {
            let text =
                std::fs::read_to_string(&marker).map_err(|e| StoreError::io("read", &marker, e))?;
            if text != FORMAT_MARKER {
                return Err(StoreError::Invalid(format!(
                    "{} says {:?}: this store was made by another version of argus",
                    marker.display(),
                    text.trim()
                )));
            }
        }
        fs::remove_dead_temporaries(&inner.tmp);
        Ok(Store {
            inner: Arc::new(inner),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.inner.root
    }

    pub(crate) fn parts_dir(&self) -> &Path {
        &self.inner.parts
    }

    pub(crate) fn tmp_dir(&self) -> &Path {
        &self.inner.tmp
    }

    pub(crate) fn lock_path(&self, name: &str) -> PathBuf {
        self.inner.metrics.join(name)
    }

    /// A new write batch; `commit` makes it visible to every process at once, or nothing.
    pub fn writer(&self) -> MetricWriter {
        MetricWriter::new(self.clone())
    }

    /// A consistent read view of the committed data.
    pub fn snapshot(&self) -> Result<Snapshot> {
        Snapshot::open(self)
    }

    /// Every part file in the parts directory, sorted by `seq_hi`, including parts that a
    /// crashed merge left behind next to their replacement. Callers hold `parts.lock`.
    pub(crate) fn list_all_parts(&self) -> Result<Vec<PartName>> {
        let dir = &self.inner.parts;
        let rd = std::fs::read_dir(dir).map_err(|e| StoreError::io("list", dir, e))?;
        let mut out = Vec::new();
        for e in rd {
            let e = e.map_err(|e| StoreError::io("list", dir, e))?;
            if let Some((lo, hi)) = e.file_name().to_str().and_then(parse_part_name) {
                out.push(PartName {
                    seq_lo: lo,
                    seq_hi: hi,
                    path: e.path(),
                });
            }
        }
        out.sort_by_key(|p| (p.seq_hi, p.seq_lo));
        Ok(out)
    }

    /// The live parts: those not covered by another part's sequence range (a merge writes its
    /// output before deleting its inputs, so for a moment, or after a crash, both exist).
    pub(crate) fn list_live_parts(&self) -> Result<Vec<PartName>> {
        let all = self.list_all_parts()?;
        Ok(all
            .iter()
            .filter(|p| {
                !all.iter().any(|q| {
                    q.seq_lo <= p.seq_lo
                        && p.seq_hi <= q.seq_hi
                        && (q.seq_lo, q.seq_hi) != (p.seq_lo, p.seq_hi)
                })
            })
            .cloned()
            .collect())
    }

    /// Reads a state file written by [`Store::write_state`].
    pub fn read_state(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let path = self.state_path(name)?;
        match std::fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::io("read", &path, e)),
        }
    }

    /// Replaces a state file atomically and durably.
    pub fn write_state(&self, name: &str, data: &[u8]) -> Result<()> {
        let path = self.state_path(name)?;
        fs::write_atomic(&path, &self.inner.tmp, data)
    }

    fn state_path(&self, name: &str) -> Result<PathBuf> {
        let ok = !name.is_empty()
            && !name.starts_with('.')
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if !ok {
            return Err(StoreError::Invalid(format!(
                "invalid state file name {name:?}"
            )));
        }
        Ok(self.inner.state.join(name))
    }

    /// Counts and sizes of the committed data.
    pub fn info(&self) -> Result<StoreInfo> {
        let snap = self.snapshot()?;
        let mut info = StoreInfo::default();
        let mut series = std::collections::HashSet::new();
        for p in snap.parts() {
            info.parts += 1;
            info.bytes += p.file_size;
            info.samples += p.samples;
            if p.samples > 0 {
                info.min_time = Some(info.min_time.map_or(p.min_t, |m| m.min(p.min_t)));
                info.max_time = Some(info.max_time.map_or(p.max_t, |m| m.max(p.max_t)));
            }
            for s in &p.series {
                series.insert(s.labels.stable_hash());
            }
        }
        info.series = series.len() as u64;
        Ok(info)
    }

    /// Verifies every part: checksums, structure, sort order. See `check.rs`.
    pub fn check(&self) -> Result<CheckReport> {
        check::check(self)
    }

    /// Merges every part into one and applies retention (see `merge.rs`).
    pub fn compact(&self, opts: &CompactOptions) -> Result<CompactReport> {
        merge::compact(self, opts)
    }

    /// Deletes samples older than `now_ms - keep_ms`.
    pub fn apply_retention(&self, keep_ms: i64, now_ms: i64) -> Result<RetentionReport> {
        merge::apply_retention(self, now_ms - keep_ms)
    }
}

#[cfg(test)]
mod tests;
