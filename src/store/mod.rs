//! The on-disk store shared by every argus process: metrics as immutable *parts*, plus small
//! named state files. The concurrency and crash-safety argument is in `docs/design.md`; the
//! byte layouts in `docs/format/`.
//!
//! Layout of a store directory:
//! ```text
//! STORE/FORMAT                    "argus store 1": marks the directory as a store
//! STORE/metrics/                  the metrics area: parts and locks (see `area.rs`)
//! STORE/logs/                     the logs area, laid out the same way
//! STORE/state/NAME                small state files (scrape staleness), replaced atomically
//! STORE/tmp/                      files being written; named after their writer's pid
//! ```
//! Modules: `area` (the part-set protocol every kind shares), `codec` (samples ↔ bytes),
//! `part` (metric part files), `writer` (metric commits), `snapshot` (metric reads), `logs`
//! (log parts, commits and reads), `merge` (compaction, retention), `check` (verification),
//! `fs` (fsync, locks, atomic writes), `error`.

pub(crate) mod area;
pub mod check;
pub mod codec;
pub mod error;
pub mod fs;
pub mod logs;
pub mod merge;
pub mod part;
mod postings;
pub mod snapshot;
pub mod writer;

pub use area::MergeOutput;
pub use check::CheckReport;
pub use error::StoreError;
pub use merge::{CompactOptions, CompactReport, RetentionReport};
pub use snapshot::Snapshot;
pub use writer::{CommitStats, MetricWriter};

use area::{Area, PartKind};
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
    state: PathBuf,
    tmp: PathBuf,
    metrics: Area,
    logs: Area,
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

/// Sizes and counts of the logs, for `argus store info`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogInfo {
    pub streams: u64,
    pub entries: u64,
    /// Bytes of the lines and metadata as ingested.
    pub raw_bytes: u64,
    /// Bytes of all log part files.
    pub bytes: u64,
    pub parts: u64,
    /// Nanoseconds.
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

impl Store {
    /// Opens the store at `dir`, creating it when missing. Removes temporary files left by
    /// writers that died (a crash or `kill -9`); files of live writers are untouched.
    pub fn open(dir: &Path) -> Result<Store> {
        let marker = dir.join("FORMAT");
        if !marker.exists() {
            if let Ok(mut rd) = std::fs::read_dir(dir) {
                // FORMAT itself may appear meanwhile: another argus creating the same store.
                let foreign = rd.any(|e| {
                    e.map(|e| {
                        !matches!(
                            e.file_name().to_str(),
                            Some("FORMAT" | "metrics" | "logs" | "state" | "tmp")
                        )
                    })
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
        for d in [dir.to_path_buf(), dir.join("state"), dir.join("tmp")] {
            fs::create_dir_durable(&d)?;
        }
        let inner = Paths {
            root: dir.to_path_buf(),
            state: dir.join("state"),
            tmp: dir.join("tmp"),
            metrics: Area::create(dir.join("metrics"))?,
            logs: Area::create(dir.join("logs"))?,
        };
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

    pub(crate) fn tmp_dir(&self) -> &Path {
        &self.inner.tmp
    }

    /// The metrics area: its parts and locks.
    pub(crate) fn metrics(&self) -> &Area {
        &self.inner.metrics
    }

    /// The logs area: its parts and locks.
    pub(crate) fn logs(&self) -> &Area {
        &self.inner.logs
    }

    /// A new write batch; `commit` makes it visible to every process at once, or nothing.
    pub fn writer(&self) -> MetricWriter {
        MetricWriter::new(self.clone())
    }

    /// A new batch of log entries; `commit` makes it visible to every process at once.
    pub fn log_writer(&self) -> logs::LogWriter {
        logs::LogWriter::new(self.clone())
    }

    /// A consistent read view of the committed logs.
    pub fn log_snapshot(&self) -> Result<logs::LogSnapshot> {
        logs::LogSnapshot::open(self)
    }

    /// A consistent read view of the committed data.
    pub fn snapshot(&self) -> Result<Snapshot> {
        Snapshot::open(self)
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

    /// Counts and sizes of the committed logs.
    pub fn log_info(&self) -> Result<LogInfo> {
        let snap = self.log_snapshot()?;
        let mut info = LogInfo::default();
        let mut streams = std::collections::HashSet::new();
        for p in snap.parts() {
            info.parts += 1;
            info.bytes += p.file_size;
            info.entries += p.entries;
            info.raw_bytes += p.raw_bytes;
            if p.entries > 0 {
                info.min_time = Some(info.min_time.map_or(p.min_t, |m| m.min(p.min_t)));
                info.max_time = Some(info.max_time.map_or(p.max_t, |m| m.max(p.max_t)));
            }
            for s in &p.streams {
                streams.insert(s.labels.stable_hash());
            }
        }
        info.streams = streams.len() as u64;
        Ok(info)
    }

    /// Verifies every part: checksums, structure, sort order. See `check.rs`.
    pub fn check(&self) -> Result<CheckReport> {
        check::check(self)
    }

    /// Merges every part into one and applies retention (see `merge.rs`).
    pub fn compact(&self, opts: &CompactOptions) -> Result<CompactReport> {
        merge::compact::<MetricParts>(self, self.metrics(), opts)
    }

    /// Merges every log part into one and applies retention (times in `opts` are ms, as for
    /// metrics).
    pub fn compact_logs(&self, opts: &CompactOptions) -> Result<CompactReport> {
        // Log entries carry nanosecond times.
        let ns = CompactOptions {
            retention_ms: opts.retention_ms.map(|r| r.saturating_mul(1_000_000)),
            now_ms: opts.now_ms.saturating_mul(1_000_000),
        };
        merge::compact::<logs::LogParts>(self, self.logs(), &ns)
    }

    /// Runs the merges that are due in both areas, unless another process is merging: what
    /// commits do on their own unless their writer was told to
    /// [`defer_merge`](MetricWriter::defer_merge).
    pub fn merge_due(&self) -> Result<()> {
        merge::maybe_merge::<MetricParts>(self, self.metrics())?;
        merge::maybe_merge::<logs::LogParts>(self, self.logs())
    }

    /// Deletes samples older than `now_ms - keep_ms`.
    pub fn apply_retention(&self, keep_ms: i64, now_ms: i64) -> Result<RetentionReport> {
        merge::apply_retention::<MetricParts>(self, self.metrics(), now_ms - keep_ms)
    }
}

/// The metric part format, as the shared protocol sees it.
pub(crate) struct MetricParts;

impl PartKind for MetricParts {
    type Part = part::Part;

    fn open(path: &Path, seq_lo: u64, seq_hi: u64) -> Result<part::Part> {
        part::Part::open(path, seq_lo, seq_hi)
    }

    fn time_range(p: &part::Part) -> Option<(i64, i64)> {
        (p.samples > 0).then_some((p.min_t, p.max_t))
    }

    fn size(p: &part::Part) -> (u64, u64) {
        (p.samples, p.file_size)
    }

    fn merge(inputs: &[Arc<part::Part>], out: &Path, cutoff: Option<i64>) -> Result<MergeOutput> {
        merge::merge_into(inputs, out, cutoff)
    }
}

#[cfg(test)]
mod tests;
