//! An area of the store: one kind of data (metrics, logs) kept as immutable part files in a
//! directory of its own, with its own locks. Publishing, listing, merging and retention follow
//! one protocol for every kind (see `docs/design.md`); what differs is the part format, which
//! a kind plugs in through [`PartKind`].
//!
//! ```text
//! AREA/parts/H-L.part   immutable parts; H and L are 16 hex digits: the commit sequence
//!                       range [L, H] the part holds
//! AREA/publish.lock     serialises "choose the next sequence number + rename"
//! AREA/parts.lock       shared while a reader lists and opens parts, exclusive while a
//!                       merge swaps its output for its inputs
//! AREA/merge.lock       one merger at a time
//! ```

use super::error::{Result, StoreError};
use super::fs::{create_dir_durable, lock_exclusive, sync_dir};
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

/// A part format: how the shared protocol opens and merges one kind's parts.
pub(crate) trait PartKind {
    type Part;
    fn open(path: &Path, seq_lo: u64, seq_hi: u64) -> Result<Self::Part>;
    /// The time range of the part's data, `None` when it holds none.
    fn time_range(part: &Self::Part) -> Option<(i64, i64)>;
    /// Items (samples, entries) and bytes of the part.
    fn size(part: &Self::Part) -> (u64, u64);
    /// Merges `inputs` (ascending commit order: later inputs win where a kind resolves
    /// duplicates) into a new part file at `out`, dropping data older than `cutoff`.
    fn merge(inputs: &[Arc<Self::Part>], out: &Path, cutoff: Option<i64>) -> Result<MergeOutput>;
}

#[derive(Debug)]
pub(crate) struct Area {
    dir: PathBuf,
    parts: PathBuf,
}

impl Area {
    pub fn create(dir: PathBuf) -> Result<Area> {
        let parts = dir.join("parts");
        create_dir_durable(&dir)?;
        create_dir_durable(&parts)?;
        Ok(Area { dir, parts })
    }

    pub fn parts_dir(&self) -> &Path {
        &self.parts
    }

    pub fn lock_path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Every part file in the parts directory, sorted by `seq_hi`, including parts that a
    /// crashed merge left behind next to their replacement. Callers hold `parts.lock`.
    pub fn list_all_parts(&self) -> Result<Vec<PartName>> {
        let dir = &self.parts;
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
    pub fn publish(&self, tmp: &Path) -> Result<String> {
        let _guard = lock_exclusive(&self.lock_path("publish.lock"))?;
        let highest = self.list_all_parts()?.last().map(|p| p.seq_hi).unwrap_or(0);
        // Wall-clock nanoseconds keep numbers increasing even if every part was deleted by
        // retention; the +1 keeps them increasing if the clock stepped back.
        let now = crate::model::time::now_ns().max(0) as u64;
        let seq = (highest + 1).max(now);
        let name = part_file_name(seq, seq);
        let dest = self.parts.join(&name);
        std::fs::rename(tmp, &dest).map_err(|e| StoreError::io("rename", &dest, e))?;
        sync_dir(&self.parts)?;
        Ok(name)
    }
}
