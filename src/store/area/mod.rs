//! An area of the store: one kind of data (metrics, logs) kept as immutable part files in a
//! directory of its own, with its own locks. Publishing, listing, merging, retention, check
//! and repair follow one protocol for every kind (see `docs/design.md`); what differs is the
//! part format, which a kind plugs in through [`PartKind`]. What both part formats share
//! lives here too: the frame, the index's symbols and label sets, varints and postings.
//!
//! ```text
//! AREA/parts/H-L.part   immutable parts; H and L are 16 hex digits: the commit sequence
//!                       range [L, H] the part holds
//! AREA/publish.lock     serialises "choose the next sequence number + rename"
//! AREA/parts.lock       shared while a reader lists and opens parts, exclusive while a
//!                       merge or a repair swaps parts
//! AREA/merge.lock       one merger (or repair) at a time
//! ```
//!
//! Files: this one (the area's directories and locks, listing under them, sequence numbers
//! and publishing, the [`PartKind`] seam), `frame` (header, index and footer of a part file),
//! `index` (symbols and label sets), `varint`, `postings` (label postings of an open part),
//! `merge` (merging policy, compaction, retention), `commit` (what both writers share),
//! `check`, `repair`.

pub(crate) mod check;
pub(crate) mod commit;
pub(crate) mod frame;
pub(crate) mod index;
pub(crate) mod merge;
pub(crate) mod postings;
pub(crate) mod repair;
pub(crate) mod varint;

use super::error::{Result, StoreError};
use super::fs::TempFile;
use super::fs::{create_dir_durable, create_lock_file, lock_exclusive, lock_shared, sync_dir};
use crate::model::Labels;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One entry of a parts directory.
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

/// What one merge wrote. For logs, `series` counts streams and `samples` entries.
#[derive(Clone, Copy, Debug, Default)]
pub struct MergeOutput {
    pub series: u64,
    pub samples: u64,
    pub bytes: u64,
    /// Whether the output holds anything (data, or metadata worth keeping); an empty output
    /// is not published and its inputs simply disappear.
    pub keep: bool,
}

/// Which kind of data an area holds, for reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Metrics,
    Logs,
}

impl Kind {
    /// The area's directory name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Metrics => "metrics",
            Kind::Logs => "logs",
        }
    }

    /// What the area's items are called.
    pub fn items(self) -> &'static str {
        match self {
            Kind::Metrics => "samples",
            Kind::Logs => "lines",
        }
    }

    /// What the area's groups of items (one label set each) are called.
    pub fn groups(self) -> &'static str {
        match self {
            Kind::Metrics => "series",
            Kind::Logs => "streams",
        }
    }

    /// Milliseconds of a time of this kind (metrics count in ms, logs in ns).
    pub fn to_ms(self, t: i64) -> i64 {
        match self {
            Kind::Metrics => t,
            Kind::Logs => t.div_euclid(1_000_000),
        }
    }
}

/// What a part holds in total.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PartTotals {
    /// Samples or log lines.
    pub items: u64,
    /// Series or streams.
    pub groups: u64,
    pub min_t: i64,
    pub max_t: i64,
}

/// A part that failed to open, as `store repair` finds it.
pub(crate) enum Salvage<P> {
    /// Its index could be trusted after all (only the footer or header was damaged).
    Readable(P),
    /// Its index is lost; the totals are its footer's, when the footer's checksum holds.
    Unreadable(Option<PartTotals>),
}

/// Data that cannot be read: one chunk of a series, or one block of a stream, as the part's
/// index describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct LostPiece {
    pub labels: Labels,
    /// Times of the kind (ms for metrics, ns for logs).
    pub min_t: i64,
    pub max_t: i64,
    /// Samples or lines.
    pub count: u64,
}

/// What reading every chunk or block of a part found.
#[derive(Clone, Debug, Default)]
pub struct PartHealth {
    /// One sentence per problem, naming the file.
    pub problems: Vec<String>,
    /// The pieces that cannot be read (each also has a problem).
    pub lost: Vec<LostPiece>,
    /// Series or streams, and samples or lines read.
    pub groups: u64,
    pub items: u64,
}

/// A part format: how the shared protocol opens, merges, checks and salvages one kind's
/// parts.
pub(crate) trait PartKind {
    type Part;
    const KIND: Kind;
    fn open(path: &Path, seq_lo: u64, seq_hi: u64) -> Result<Self::Part>;
    /// Opens a part that [`PartKind::open`] found damaged, as far as it can be trusted.
    fn open_damaged(path: &Path, seq_lo: u64, seq_hi: u64) -> Result<Salvage<Self::Part>>;
    /// The time range of the part's data, `None` when it holds none.
    fn time_range(part: &Self::Part) -> Option<(i64, i64)>;
    /// Items (samples, entries) and bytes of the part.
    fn size(part: &Self::Part) -> (u64, u64);
    /// Merges `inputs` (ascending commit order: later inputs win where a kind resolves
    /// duplicates) into a new part file at `out`, dropping data older than `cutoff`.
    fn merge(inputs: &[Arc<Self::Part>], out: &Path, cutoff: Option<i64>) -> Result<MergeOutput>;
    /// Reads every chunk or block and checks every invariant the format states.
    fn inspect(part: &Self::Part) -> PartHealth;
    /// Writes everything of a damaged part that can still be read, in order, to a new part
    /// file at `out`.
    fn salvage(part: &Self::Part, out: &Path) -> Result<MergeOutput>;
}

#[derive(Debug)]
pub(crate) struct Area {
    dir: PathBuf,
    parts: PathBuf,
}

/// The lock files of an area (see the module doc).
const LOCK_FILES: [&str; 3] = ["publish.lock", "parts.lock", "merge.lock"];

impl Area {
    /// The area in `dir`, made when missing, with its lock files: a writer makes them all when
    /// it opens the store, so that readers never have to.
    pub fn create(dir: PathBuf) -> Result<Area> {
        let area = Area::at(dir);
        create_dir_durable(&area.dir)?;
        create_dir_durable(&area.parts)?;
        for name in LOCK_FILES {
            create_lock_file(&area.lock_path(name))?;
        }
        Ok(area)
    }

    /// The area in `dir`, for reading: nothing is made (a missing area reads as empty).
    pub fn at(dir: PathBuf) -> Area {
        let parts = dir.join("parts");
        Area { dir, parts }
    }

    pub fn parts_dir(&self) -> &Path {
        &self.parts
    }

    pub fn lock_path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Runs `f` (which lists and opens parts) so that no merge swaps parts while it runs:
    /// holding `parts.lock` shared. A reader that finds no lock file (a store no writer of
    /// this version has opened, on media it may not write to) runs `f` without it, then
    /// looks again: every merge makes the lock file before it locks it and swaps, so if the
    /// file is still missing no swap can have overlapped `f`; if it appeared, `f` runs again
    /// under the lock.
    pub fn with_parts_shared<T>(&self, mut f: impl FnMut() -> Result<T>) -> Result<T> {
        let path = self.lock_path("parts.lock");
        if let Some(_shared) = lock_shared(&path)? {
            return f();
        }
        let unlocked = f();
        if !path.exists() {
            return unlocked;
        }
        match lock_shared(&path)? {
            Some(_shared) => f(),
            None => unlocked,
        }
    }

    /// Opens the live parts (a snapshot's parts), in commit order, under `parts.lock`.
    pub fn open_live_parts<K: PartKind>(&self) -> Result<Vec<Arc<K::Part>>> {
        self.with_parts_shared(|| {
            let mut parts = Vec::new();
            for p in self.list_live_parts()? {
                parts.push(Arc::new(K::open(&p.path, p.seq_lo, p.seq_hi)?));
            }
            Ok(parts)
        })
    }

    /// Every part file in the parts directory, sorted by `seq_hi`, including parts that a
    /// crashed merge left behind next to their replacement. Callers hold `parts.lock`. A
    /// missing directory (an area a reader finds in a store made before it existed) holds
    /// no parts.
    pub fn list_all_parts(&self) -> Result<Vec<PartName>> {
        let dir = &self.parts;
        let rd = match std::fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(StoreError::io("list", dir, e)),
        };
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
    pub fn list_live_parts(&self) -> Result<Vec<PartName>> {
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

    /// Renames a finished temporary part into the parts directory under the next sequence
    /// number. The publish lock makes "find the highest number, rename" atomic between
    /// processes, so every commit gets its own number and the numbers follow commit order.
    pub fn publish(&self, tmp: TempFile) -> Result<String> {
        let _guard = lock_exclusive(&self.lock_path("publish.lock"))?;
        let highest = self.list_all_parts()?.last().map(|p| p.seq_hi).unwrap_or(0);
        // Wall-clock nanoseconds keep numbers increasing even if every part was deleted by
        // retention; the +1 keeps them increasing if the clock stepped back.
        let now = crate::model::time::now_ns().max(0) as u64;
        let seq = (highest + 1).max(now);
        let name = part_file_name(seq, seq);
        let dest = self.parts.join(&name);
        tmp.rename_to(&dest)?;
        sync_dir(&self.parts)?;
        Ok(name)
    }
}
