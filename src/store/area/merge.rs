//! Merging the parts of an area, whatever their kind: the background housekeeping that keeps
//! the number of files small (`maybe_merge`, run after each commit), full compaction
//! (`argus store compact`) and retention. How two parts of a kind become one is the kind's
//! `PartKind::merge` (`metrics/merge.rs`, `logs/mod.rs`).
//!
//! Only runs of parts that are *contiguous* in commit order are merged, and the output takes
//! the sequence range of its inputs, so "the newest commit wins" keeps meaning the same thing
//! after a merge. The output is renamed into place before the inputs are deleted, both while
//! holding `parts.lock` exclusively so that no reader lists the directory half-way through
//! (`readdir` gives no guarantee about entries renamed or deleted during the listing).

use super::{part_file_name, Area, MergeOutput, PartKind, PartName};
use crate::store::error::{Result, StoreError};
use crate::store::fs::{lock_exclusive, sync_dir, try_lock_exclusive, TempFile};
use crate::store::Store;
use std::fmt;
use std::sync::Arc;

/// A run is merged once it has this many parts.
const MIN_RUN: usize = 4;
/// A part joins a run of newer parts while it is at most this many times their total size:
/// parts of similar size merge, a big old part is not rewritten for every small new one.
const SIZE_RATIO: u64 = 2;

/// Replaces the parts `run` (contiguous in commit order) of `area` by one merged part. The
/// caller holds the area's `merge.lock`.
fn merge_run<K: PartKind>(
    store: &Store,
    area: &Area,
    run: &[PartName],
    cutoff: Option<i64>,
) -> Result<MergeOutput> {
    let mut parts = Vec::with_capacity(run.len());
    for p in run {
        parts.push(Arc::new(K::open(&p.path, p.seq_lo, p.seq_hi)?));
    }
    let tmp = TempFile::new(store.tmp_dir(), "merge");
    let out = K::merge(&parts, tmp.path(), cutoff)?;
    let lo = run.iter().map(|p| p.seq_lo).min().unwrap_or(0);
    let hi = run.iter().map(|p| p.seq_hi).max().unwrap_or(0);
    drop(parts);
    let _swap = lock_exclusive(&area.lock_path("parts.lock"))?;
    if out.keep {
        let dest = area.parts_dir().join(part_file_name(lo, hi));
        tmp.rename_to(&dest)?;
        // The output must be durable before any input disappears.
        sync_dir(area.parts_dir())?;
    } else {
        drop(tmp);
    }
    for p in run {
        // A part with the same name as the output was just replaced by it.
        if (p.seq_lo, p.seq_hi) != (lo, hi) || !out.keep {
            match std::fs::remove_file(&p.path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(StoreError::io("remove", &p.path, e)),
            }
        }
    }
    sync_dir(area.parts_dir())?;
    Ok(out)
}

/// Deletes part files that a crashed merge left next to the part that replaced them.
fn remove_covered(area: &Area) -> Result<usize> {
    let _swap = lock_exclusive(&area.lock_path("parts.lock"))?;
    let all = area.list_all_parts()?;
    let live = area.list_live_parts()?;
    let mut removed = 0;
    for p in all.iter().filter(|p| !live.contains(p)) {
        std::fs::remove_file(&p.path).map_err(|e| StoreError::io("remove", &p.path, e))?;
        removed += 1;
    }
    if removed > 0 {
        sync_dir(area.parts_dir())?;
    }
    Ok(removed)
}

/// Picks the run to merge: starting from the newest part, older parts join while they are
/// at most `SIZE_RATIO` times the size of the run so far. This keeps the number of parts
/// logarithmic in the data size while rewriting each sample only a logarithmic number of
/// times. Returns the indexes `[start, end)` into `parts`.
fn choose_run(parts: &[PartName]) -> Option<(usize, usize)> {
    let sizes: Vec<u64> = parts
        .iter()
        .map(|p| std::fs::metadata(&p.path).map(|m| m.len()).unwrap_or(0))
        .collect();
    let end = parts.len();
    let mut start = end;
    let mut total = 0u64;
    while start > 0 {
        let s = sizes[start - 1];
        if start < end && s > SIZE_RATIO * total {
            break;
        }
        total += s;
        start -= 1;
    }
    (end - start >= MIN_RUN).then_some((start, end))
}

/// Merges if another process is not already merging and a run is due. Called after every
/// commit; cheap when there is nothing to do.
pub(crate) fn maybe_merge<K: PartKind>(store: &Store, area: &Area) -> Result<()> {
    let Some(_merging) = try_lock_exclusive(&area.lock_path("merge.lock"))? else {
        return Ok(());
    };
    remove_covered(area)?;
    // Merge repeatedly: one merge can make the next run due (small parts joining bigger).
    for _ in 0..8 {
        let parts = area.list_live_parts()?;
        match choose_run(&parts) {
            Some((a, b)) => {
                merge_run::<K>(store, area, &parts[a..b], None)?;
            }
            None => break,
        }
    }
    Ok(())
}

#[derive(Clone, Debug, Default)]
pub struct CompactOptions {
    /// Delete samples older than `now_ms - retention_ms`. `None`, 0 or less: no retention
    /// limit, nothing is deleted (Prometheus reads a retention of 0 the same way), so that a
    /// default or a typo cannot destroy data.
    pub retention_ms: Option<i64>,
    pub now_ms: i64,
}

impl CompactOptions {
    /// The time before which data is deleted, if any.
    pub fn cutoff(&self) -> Option<i64> {
        self.retention_ms
            .filter(|&r| r > 0)
            .map(|r| self.now_ms.saturating_sub(r))
    }
}

#[derive(Clone, Debug, Default)]
pub struct CompactReport {
    pub parts_before: usize,
    pub parts_after: usize,
    pub samples: u64,
    pub bytes: u64,
}

impl fmt::Display for CompactReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "compacted {} part(s) into {}: {} samples, {} bytes",
            self.parts_before, self.parts_after, self.samples, self.bytes
        )
    }
}

#[derive(Clone, Debug, Default)]
pub struct RetentionReport {
    pub parts_deleted: usize,
    pub parts_rewritten: usize,
}

/// Merges every live part of `area` into one (waiting for a running merge to finish),
/// applying retention when asked.
pub(crate) fn compact<K: PartKind>(
    store: &Store,
    area: &Area,
    opts: &CompactOptions,
) -> Result<CompactReport> {
    let _merging = lock_exclusive(&area.lock_path("merge.lock"))?;
    remove_covered(area)?;
    let parts = area.list_live_parts()?;
    let cutoff = opts.cutoff();
    let mut report = CompactReport {
        parts_before: parts.len(),
        ..Default::default()
    };
    if parts.is_empty() {
        return Ok(report);
    }
    if parts.len() == 1 && cutoff.is_none() {
        report.parts_after = 1;
        let p = K::open(&parts[0].path, parts[0].seq_lo, parts[0].seq_hi)?;
        (report.samples, report.bytes) = K::size(&p);
        return Ok(report);
    }
    let out = merge_run::<K>(store, area, &parts, cutoff)?;
    report.parts_after = area.list_live_parts()?.len();
    report.samples = out.samples;
    report.bytes = out.bytes;
    Ok(report)
}

/// Deletes parts of `area` entirely older than `cutoff` and rewrites parts that straddle it.
pub(crate) fn apply_retention<K: PartKind>(
    store: &Store,
    area: &Area,
    cutoff: i64,
) -> Result<RetentionReport> {
    let _merging = lock_exclusive(&area.lock_path("merge.lock"))?;
    remove_covered(area)?;
    let mut report = RetentionReport::default();
    for p in area.list_live_parts()? {
        let part = K::open(&p.path, p.seq_lo, p.seq_hi)?;
        let range = K::time_range(&part);
        drop(part);
        let Some((min_t, max_t)) = range else {
            continue;
        };
        if min_t >= cutoff {
            continue;
        }
        if max_t < cutoff {
            let _swap = lock_exclusive(&area.lock_path("parts.lock"))?;
            std::fs::remove_file(&p.path).map_err(|e| StoreError::io("remove", &p.path, e))?;
            sync_dir(area.parts_dir())?;
            report.parts_deleted += 1;
        } else {
            merge_run::<K>(store, area, std::slice::from_ref(&p), Some(cutoff))?;
            report.parts_rewritten += 1;
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<PartName> {
        (0..n)
            .map(|i| PartName {
                seq_lo: i as u64,
                seq_hi: i as u64,
                path: std::path::PathBuf::from("/nonexistent"),
            })
            .collect()
    }

    #[test]
    fn equal_small_parts_form_a_run() {
        // Sizes read as 0 for missing files: all "similar", so the whole list is one run.
        assert_eq!(choose_run(&names(5)), Some((0, 5)));
        assert_eq!(choose_run(&names(3)), None);
    }
}
