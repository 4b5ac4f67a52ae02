//! `argus store repair`, for one area: set damaged parts aside and keep everything that
//! still reads.
//!
//! For each damaged part, repair writes what can still be read (every chunk or block that
//! passes its checksum and decodes, see `metrics/verify.rs` and `logs/verify.rs`) as a new
//! part under the damaged part's own name, so that its place in commit order, and with it
//! "the last write wins", is unchanged; the damaged file moves to
//! `quarantine/<time>-<pid>/<area>/`, never deleted. A part whose index is lost is moved
//! there whole. The report says exactly what was lost (which series or streams, their time
//! ranges and how many samples or lines, as the part's index counted them) and is also kept
//! in the quarantine folder as `REPORT`.
//!
//! Concurrency and crash safety (argued in full in `docs/design.md`): repair holds the area's
//! `merge.lock` for the whole run, so no merge, compaction or retention reads or retires parts
//! meanwhile, and swaps each part under `parts.lock` exclusively, so a reader sees the damaged
//! part or its replacement, never neither. The damaged file first gets a second name in the
//! quarantine folder (a hard link, fsynced), then the replacement is renamed over its name:
//! at every instant the part's name holds one of the two, so `kill -9` anywhere loses nothing
//! that was intact, and running repair again finishes the job.

use super::{Area, Kind, LostPiece, MergeOutput, PartKind, PartName, PartTotals, Salvage};
use crate::model::time::{format_rfc3339, now_ms};
use crate::store::error::Result;
use crate::store::fs::{self, create_dir_durable, lock_exclusive, sync_dir, TempFile};
use crate::store::Store;
use std::fmt;
use std::path::{Path, PathBuf};

/// What a repair found and did.
#[derive(Clone, Debug, Default)]
pub struct RepairReport {
    pub parts_checked: u64,
    /// This run's folder under `quarantine/`, when anything was damaged.
    pub quarantine: Option<PathBuf>,
    pub repaired: Vec<RepairedPart>,
}

/// One damaged part and what became of it.
#[derive(Clone, Debug)]
pub struct RepairedPart {
    pub kind: Kind,
    /// Where the part was; when something was kept, the new part has the same name.
    pub part: PathBuf,
    /// Where the damaged file is now.
    pub quarantined: PathBuf,
    /// What is wrong with it, one sentence each.
    pub problems: Vec<String>,
    /// What the new part holds (`series` counts streams and `samples` lines for logs);
    /// `None` when nothing could be kept.
    pub kept: Option<MergeOutput>,
    pub lost: Lost,
}

/// What a damaged part lost.
#[derive(Clone, Debug)]
pub enum Lost {
    /// These chunks or blocks (possibly none: damage that cost no data, such as a damaged
    /// footer whose index was found).
    Pieces(Vec<LostPiece>),
    /// Everything: the index is lost. Its footer's totals, when the footer is intact.
    Whole(Option<PartTotals>),
}

impl RepairedPart {
    /// Samples or lines lost, as far as they can be counted.
    pub fn lost_items(&self) -> Option<u64> {
        match &self.lost {
            Lost::Pieces(p) => Some(p.iter().map(|p| p.count).sum()),
            Lost::Whole(t) => t.map(|t| t.items),
        }
    }
}

impl RepairReport {
    /// Samples (or lines, for `Kind::Logs`) lost in all, as far as they can be counted.
    pub fn lost_items(&self, kind: Kind) -> u64 {
        self.repaired
            .iter()
            .filter(|r| r.kind == kind)
            .filter_map(RepairedPart::lost_items)
            .sum()
    }
}

/// Keeps the report of a repair that found damage in its quarantine folder, as `REPORT`.
pub(crate) fn keep_report(store: &Store, report: &RepairReport) -> Result<()> {
    match &report.quarantine {
        Some(dir) => fs::write_atomic(
            &dir.join("REPORT"),
            store.tmp_dir(),
            report.to_string().as_bytes(),
        ),
        None => Ok(()),
    }
}

/// A damaged part as found: the part when its index can be trusted, and what is wrong.
struct Found<P> {
    part: Option<P>,
    problems: Vec<String>,
    lost: Lost,
}

/// Repairs every damaged part of `area`, adding to `report`.
pub(crate) fn repair_area<K: PartKind>(
    store: &Store,
    area: &Area,
    report: &mut RepairReport,
) -> Result<()> {
    let _merging = lock_exclusive(&area.lock_path("merge.lock"))?;
    // With merge.lock held no part is renamed or deleted by anyone else; commits only add
    // parts, and one published during the listing is new and intact.
    for name in area.list_all_parts()? {
        report.parts_checked += 1;
        let Some(found) = examine::<K>(&name)? else {
            continue;
        };
        let tmp = TempFile::new(store.tmp_dir(), "repair");
        let kept = match &found.part {
            Some(part) => Some(K::salvage(part, tmp.path())?).filter(|out| out.keep),
            None => None,
        };
        drop(found.part);
        let dest = quarantine_dir(store, report)?.join(K::KIND.name());
        create_dir_durable(&dest)?;
        let dest = dest.join(name.path.file_name().unwrap_or_default());
        swap(area, &name.path, &dest, kept.is_some().then_some(tmp))?;
        report.repaired.push(RepairedPart {
            kind: K::KIND,
            part: name.path.clone(),
            quarantined: dest,
            problems: found.problems,
            kept,
            lost: found.lost,
        });
    }
    Ok(())
}

/// Reads a part to the end: `None` when it is intact.
fn examine<K: PartKind>(name: &PartName) -> Result<Option<Found<K::Part>>> {
    let opened = K::open(&name.path, name.seq_lo, name.seq_hi);
    let (part, mut problems) = match opened {
        Ok(part) => (part, Vec::new()),
        Err(e) if e.is_damage() => match K::open_damaged(&name.path, name.seq_lo, name.seq_hi)? {
            Salvage::Readable(part) => (part, vec![e.to_string()]),
            Salvage::Unreadable(totals) => {
                return Ok(Some(Found {
                    part: None,
                    problems: vec![e.to_string()],
                    lost: Lost::Whole(totals),
                }))
            }
        },
        Err(e) => return Err(e),
    };
    let health = K::inspect(&part);
    problems.extend(health.problems);
    if problems.is_empty() {
        return Ok(None);
    }
    Ok(Some(Found {
        part: Some(part),
        problems,
        lost: Lost::Pieces(health.lost),
    }))
}

/// Puts the damaged `part` in quarantine at `dest`, and the replacement, if any, in its
/// place, under the area's exclusive `parts.lock`.
fn swap(area: &Area, part: &Path, dest: &Path, replacement: Option<TempFile>) -> Result<()> {
    let _swap = lock_exclusive(&area.lock_path("parts.lock"))?;
    let quarantine = dest.parent().unwrap_or(Path::new("."));
    match replacement {
        Some(tmp) => {
            // A second name first, durable before the part's own name changes: a crash
            // between the two leaves the damaged part in place, still readable as before.
            fs::link_or_copy(part, dest)?;
            sync_dir(quarantine)?;
            tmp.rename_to(part)?;
        }
        None => {
            fs::rename(part, dest)?;
            sync_dir(quarantine)?;
        }
    }
    sync_dir(area.parts_dir())
}

/// This run's quarantine folder, made the first time it is needed:
/// `quarantine/<UTC time>-<pid>`.
fn quarantine_dir(store: &Store, report: &mut RepairReport) -> Result<PathBuf> {
    if let Some(dir) = &report.quarantine {
        return Ok(dir.clone());
    }
    let now = now_ms();
    let stamp: String = format_rfc3339(now - now.rem_euclid(1000))
        .chars()
        .filter(|c| !matches!(c, '-' | ':'))
        .collect();
    let dir = store
        .dir()
        .join("quarantine")
        .join(format!("{stamp}-{}", std::process::id()));
    create_dir_durable(&dir)?;
    report.quarantine = Some(dir.clone());
    Ok(dir)
}

/// A time of `kind` for people.
fn time(kind: Kind, t: i64) -> String {
    format_rfc3339(kind.to_ms(t))
}

impl fmt::Display for RepairReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.repaired.is_empty() {
            return writeln!(
                f,
                "nothing to repair: {} parts checked, no damage found",
                self.parts_checked
            );
        }
        for r in &self.repaired {
            write!(f, "{r}")?;
        }
        let (samples, lines) = (self.lost_items(Kind::Metrics), self.lost_items(Kind::Logs));
        let unknown = self
            .repaired
            .iter()
            .filter(|r| r.lost_items().is_none())
            .count();
        write!(
            f,
            "repaired {} damaged part(s) of {} checked: lost {samples} samples and {lines} lines",
            self.repaired.len(),
            self.parts_checked
        )?;
        if unknown > 0 {
            write!(
                f,
                ", and the uncounted contents of {unknown} unreadable part(s)"
            )?;
        }
        if let Some(q) = &self.quarantine {
            write!(
                f,
                "; the damaged files are kept in {} (delete it once you no longer need them)",
                q.display()
            )?;
        }
        writeln!(f)
    }
}

impl fmt::Display for RepairedPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, items) = (self.kind, self.kind.items());
        let part = self.part.display().to_string();
        writeln!(f, "{part}: damaged")?;
        for p in &self.problems {
            // Problems name their file, which the line above already did.
            let p = p
                .strip_prefix(&part)
                .and_then(|p| p.strip_prefix(": "))
                .unwrap_or(p);
            writeln!(f, "  problem: {p}")?;
        }
        match &self.lost {
            Lost::Pieces(pieces) if pieces.is_empty() => writeln!(f, "  lost: nothing")?,
            Lost::Pieces(pieces) => {
                for p in pieces {
                    writeln!(
                        f,
                        "  lost: {} from {} to {}: {} {items}",
                        p.labels,
                        time(kind, p.min_t),
                        time(kind, p.max_t),
                        p.count
                    )?;
                }
            }
            Lost::Whole(Some(t)) => writeln!(
                f,
                "  lost: the whole part (its index is damaged): {} {items} of {} {} from {} to {}, as its footer counts them",
                t.items,
                t.groups,
                kind.groups(),
                time(kind, t.min_t),
                time(kind, t.max_t)
            )?,
            Lost::Whole(None) => writeln!(
                f,
                "  lost: the whole part (its index and footer are damaged: what it held cannot be told)"
            )?,
        }
        match &self.kept {
            Some(k) => writeln!(
                f,
                "  kept: {} {}, {} {items}, rewritten in its place",
                k.series,
                kind.groups(),
                k.samples
            )?,
            None => writeln!(f, "  kept: nothing")?,
        }
        writeln!(f, "  moved to: {}", self.quarantined.display())
    }
}
