//! `argus store check`, for one area: read every byte of every part and verify checksums and
//! invariants. Problems are collected (each naming its file), not returned as the first
//! error, so one report shows all the damage. Checking only reads: it works on a store opened
//! read-only. What each format checks is its kind's `inspect` (`metrics/verify.rs`,
//! `logs/verify.rs`); `store repair` sets aside what this finds.

use super::{Area, Kind, PartKind, PartName};
use crate::store::error::Result;

#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    pub parts_checked: u64,
    pub series_checked: u64,
    pub samples_checked: u64,
    pub streams_checked: u64,
    pub entries_checked: u64,
    /// One line per problem, naming the file and what is wrong.
    pub problems: Vec<String>,
}

/// Checks every part of `area`, adding to `report`.
pub(crate) fn check_area<K: PartKind>(area: &Area, report: &mut CheckReport) -> Result<()> {
    // Open every part (covered ones too: a crashed merge's inputs are still files of the
    // store) under the shared lock, then read them outside it: an open part stays readable
    // whatever merges do meanwhile, and a long check does not hold merges up.
    let opened = area.with_parts_shared(|| {
        let names = area.list_all_parts()?;
        let parts: Vec<_> = names
            .iter()
            .map(|p| K::open(&p.path, p.seq_lo, p.seq_hi))
            .collect();
        Ok((names, parts))
    })?;
    let (names, parts) = opened;
    stray_files(area, &names, report);
    for part in parts {
        report.parts_checked += 1;
        let part = match part {
            Ok(part) => part,
            Err(e) => {
                report.problems.push(e.to_string());
                continue;
            }
        };
        let health = K::inspect(&part);
        report.problems.extend(health.problems);
        match K::KIND {
            Kind::Metrics => {
                report.series_checked += health.groups;
                report.samples_checked += health.items;
            }
            Kind::Logs => {
                report.streams_checked += health.groups;
                report.entries_checked += health.items;
            }
        }
    }
    Ok(())
}

/// Files in a parts directory that are not part files: not ours to judge, but say so.
fn stray_files(area: &Area, parts: &[PartName], report: &mut CheckReport) {
    if let Ok(rd) = std::fs::read_dir(area.parts_dir()) {
        for e in rd.flatten() {
            let n = e.file_name();
            let n = n.to_string_lossy();
            if !parts
                .iter()
                .any(|p| p.path.file_name().is_some_and(|f| f.to_string_lossy() == n))
            {
                report.problems.push(format!(
                    "{}: unexpected file in the parts directory",
                    e.path().display()
                ));
            }
        }
    }
}
