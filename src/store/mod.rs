//! The on-disk store shared by every argus process: metrics and logs as immutable *parts*,
//! plus small named state files. The concurrency and crash-safety argument is in
//! `docs/design.md`; the byte layouts in `docs/format/`.
//!
//! Layout of a store directory:
//! ```text
//! STORE/FORMAT                    "argus store 1": marks the directory as a store
//! STORE/metrics/                  the metrics area: parts and locks (see `area/`)
//! STORE/logs/                     the logs area, laid out the same way
//! STORE/state/NAME                small state files (scrape staleness), replaced atomically
//! STORE/tmp/                      files being written; named after their writer's pid
//! STORE/quarantine/RUN/           damaged parts `store repair` set aside, and its REPORT
//! ```
//!
//! This file only composes: it opens the directory (for reading, writing or maintenance),
//! hands out writers and snapshots, and runs the operations of `area/` on both areas. The
//! modules:
//! - `area/`: the protocol every kind of data follows, and what the part formats share:
//!   publishing with sequence numbers and listing under locks (`mod.rs`), the frame
//!   (`frame.rs`), the index's symbols and label sets (`index.rs`), varints (`varint.rs`),
//!   postings (`postings.rs`), merging policy, compaction and retention (`merge.rs`), refusals
//!   and publication of commits (`commit.rs`), check (`check.rs`) and repair (`repair.rs`).
//! - `metrics/`: the sample codec, metric parts, commits, snapshots, the metric half of
//!   merges, check and repair.
//! - `logs/`: the same for log streams, with blocks and trigram filters.
//! - `cardinality.rs`: series and streams per metric name, label and label pair, from the
//!   parts' indexes (`store cardinality`, `/api/v1/status/tsdb`, Loki's `index/volume`).
//! - `fs.rs`: fsync, locks, temporary files; the storage seam tests inject faults through.
//! - `error.rs`: the store's error type.

pub(crate) mod area;
pub mod cardinality;
pub mod error;
pub mod fs;
pub mod logs;
pub mod metrics;

pub use area::check::CheckReport;
pub use area::merge::{CompactOptions, CompactReport, RetentionReport};
pub use area::repair::{Lost, RepairReport, RepairedPart};
pub use area::{Kind, LostPiece, MergeOutput, PartTotals};
pub use error::StoreError;
pub use metrics::{CommitStats, MetricWriter, Snapshot};

use area::{check, merge, repair, Area};
use error::Result;
use logs::LogParts;
use metrics::MetricParts;
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
    /// False for a store opened with [`Store::open_read_only`].
    writable: bool,
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

/// The names a store directory may hold: what a half-made store (a writer killed while
/// making it) may already contain, so that the next writer finishes the job.
const STORE_ENTRIES: [&str; 6] = ["FORMAT", "metrics", "logs", "state", "tmp", "quarantine"];

impl Store {
    /// Opens the store at `dir` for reading and writing, making it when `dir` is missing or
    /// empty; a non-empty directory that is not a store is refused, so that a mistyped
    /// `--store` does not litter it. Removes temporary files left by writers that died (a
    /// crash or `kill -9`); files of live writers are untouched.
    pub fn open(dir: &Path) -> Result<Store> {
        let marker = dir.join("FORMAT");
        if !marker.exists() {
            refuse_foreign_directory(dir)?;
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
            writable: true,
        };
        if !marker.exists() {
            fs::write_atomic(&marker, &inner.tmp, FORMAT_MARKER.as_bytes())?;
        } else {
            check_format(&marker)?;
        }
        fs::remove_dead_temporaries(&inner.tmp);
        Ok(Store {
            inner: Arc::new(inner),
        })
    }

    /// Opens an existing store for reading only. Nothing in the directory is made, changed,
    /// deleted or locked for writing (shared locks are taken on read-only descriptors), so a
    /// store on read-only media or owned by another user can be read. A path that is not a
    /// store is refused ([`StoreError::NotAStore`]) rather than made: a reading command with a
    /// mistyped `--store` must not answer "no data" from a store it just created.
    pub fn open_read_only(dir: &Path) -> Result<Store> {
        require_store(dir)?;
        let inner = Paths {
            root: dir.to_path_buf(),
            state: dir.join("state"),
            tmp: dir.join("tmp"),
            metrics: Area::at(dir.join("metrics")),
            logs: Area::at(dir.join("logs")),
            writable: false,
        };
        Ok(Store {
            inner: Arc::new(inner),
        })
    }

    /// Opens an existing store for reading and writing, refusing a path that is not a store:
    /// for maintenance (`store compact`, `store repair`), which has nothing to do in a new
    /// store and should not make one at a mistyped path.
    pub fn open_existing(dir: &Path) -> Result<Store> {
        require_store(dir)?;
        Store::open(dir)
    }

    /// Whether this handle may write (it was not opened with [`Store::open_read_only`]).
    pub fn is_writable(&self) -> bool {
        self.inner.writable
    }

    /// Refuses a write through a handle opened for reading.
    pub(crate) fn ensure_writable(&self) -> Result<()> {
        if self.inner.writable {
            Ok(())
        } else {
            Err(StoreError::Invalid(format!(
                "the store {} was opened for reading only",
                self.dir().display()
            )))
        }
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
        self.ensure_writable()?;
        let path = self.state_path(name)?;
        fs::write_atomic(&path, &self.inner.tmp, data)
    }

    /// The names of the state files that start with `prefix`, sorted (lock files apart).
    pub fn state_names(&self, prefix: &str) -> Result<Vec<String>> {
        let dir = &self.inner.state;
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(StoreError::io("list", dir, e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| StoreError::io("list", dir, e))?;
            if let Some(name) = entry.file_name().to_str() {
                if name.starts_with(prefix) && !name.ends_with(".lock") {
                    names.push(name.to_string());
                }
            }
        }
        names.sort();
        Ok(names)
    }

    /// Holds the exclusive lock of state file `name` until the guard drops, so that the
    /// processes that read, change and write one state file (cron runs and a server
    /// evaluating the same rules) take turns. Blocks while another holds it.
    pub fn lock_state(&self, name: &str) -> Result<fs::LockGuard> {
        self.ensure_writable()?;
        let mut path = self.state_path(name)?.into_os_string();
        path.push(".lock");
        fs::lock_exclusive(Path::new(&path))
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

    /// Verifies every part: checksums, structure, sort order. See `area/check.rs`.
    pub fn check(&self) -> Result<CheckReport> {
        let mut report = CheckReport::default();
        check::check_area::<MetricParts>(self.metrics(), &mut report)?;
        check::check_area::<LogParts>(self.logs(), &mut report)?;
        Ok(report)
    }

    /// Sets damaged parts aside in `quarantine/` and keeps everything that still reads
    /// (see `area/repair.rs`).
    pub fn repair(&self) -> Result<RepairReport> {
        self.ensure_writable()?;
        let mut report = RepairReport::default();
        repair::repair_area::<MetricParts>(self, self.metrics(), &mut report)?;
        repair::repair_area::<LogParts>(self, self.logs(), &mut report)?;
        repair::keep_report(self, &report)?;
        Ok(report)
    }

    /// Merges every part into one and applies retention (see `area/merge.rs`).
    pub fn compact(&self, opts: &CompactOptions) -> Result<CompactReport> {
        self.ensure_writable()?;
        merge::compact::<MetricParts>(self, self.metrics(), opts)
    }

    /// Merges every log part into one and applies retention (times in `opts` are ms, as for
    /// metrics).
    pub fn compact_logs(&self, opts: &CompactOptions) -> Result<CompactReport> {
        self.ensure_writable()?;
        // Log entries carry nanosecond times.
        let ns = CompactOptions {
            retention_ms: opts.retention_ms.map(|r| r.saturating_mul(1_000_000)),
            now_ms: opts.now_ms.saturating_mul(1_000_000),
        };
        merge::compact::<LogParts>(self, self.logs(), &ns)
    }

    /// Runs the merges that are due in both areas, unless another process is merging: what
    /// commits do on their own unless their writer was told to
    /// [`defer_merge`](MetricWriter::defer_merge).
    pub fn merge_due(&self) -> Result<()> {
        self.ensure_writable()?;
        merge::maybe_merge::<MetricParts>(self, self.metrics())?;
        merge::maybe_merge::<LogParts>(self, self.logs())
    }

    /// Deletes samples older than `now_ms - keep_ms`. A `keep_ms` of 0 (or less) means no
    /// retention limit and deletes nothing, as Prometheus reads a retention of 0: a default or
    /// a typo must not destroy data.
    pub fn apply_retention(&self, keep_ms: i64, now_ms: i64) -> Result<RetentionReport> {
        self.ensure_writable()?;
        if keep_ms <= 0 {
            return Ok(RetentionReport::default());
        }
        merge::apply_retention::<MetricParts>(self, self.metrics(), now_ms.saturating_sub(keep_ms))
    }
}

/// Refuses to make a store in a directory that holds anything but a store's own entries.
fn refuse_foreign_directory(dir: &Path) -> Result<()> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        // Missing: it will be made. Anything else (a file, no permission) fails clearly
        // when the directories are made.
        return Ok(());
    };
    // FORMAT itself may appear meanwhile: another argus making the same store.
    let foreign = rd.flatten().find(|e| {
        !e.file_name()
            .to_str()
            .is_some_and(|n| STORE_ENTRIES.contains(&n))
    });
    match foreign {
        Some(e) => Err(StoreError::Invalid(format!(
            "{} exists and is not an argus store (no FORMAT file, and it holds {:?}); choose an empty or new directory",
            dir.display(),
            e.file_name()
        ))),
        None => Ok(()),
    }
}

/// Refuses a path that is not a store (for the opens that do not make one).
fn require_store(dir: &Path) -> Result<()> {
    let not_a_store = |reason: &str| StoreError::NotAStore {
        path: dir.to_path_buf(),
        reason: reason.to_string(),
    };
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(not_a_store("the directory does not exist"))
        }
        Err(e) => return Err(StoreError::io("open", dir, e)),
        Ok(m) if !m.is_dir() => return Err(not_a_store("it is not a directory")),
        Ok(_) => {}
    }
    let marker = dir.join("FORMAT");
    if !marker.exists() {
        let empty = std::fs::read_dir(dir).is_ok_and(|mut rd| rd.next().is_none());
        return Err(not_a_store(if empty {
            "the directory is empty"
        } else {
            "the directory has no FORMAT file, so it is not an argus store"
        }));
    }
    check_format(&marker)
}

/// Checks that the FORMAT file names the layout this argus reads.
fn check_format(marker: &Path) -> Result<()> {
    let text = std::fs::read_to_string(marker).map_err(|e| StoreError::io("read", marker, e))?;
    if text != FORMAT_MARKER {
        return Err(StoreError::Invalid(format!(
            "{} says {:?}: this store was made by another version of argus",
            marker.display(),
            text.trim()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod fault_tests;
#[cfg(test)]
mod tests;
