//! `argus store check`: read every byte of every part and verify checksums and invariants.
//! Problems are collected (each naming its file), not returned as the first error, so one
//! report shows all the damage.

use super::error::Result;
use super::part::{ChunkScratch, Part};
use super::Store;
use crate::model::Sample;

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

pub fn check(store: &Store) -> Result<CheckReport> {
    let mut report = CheckReport::default();
    check_metrics(store, &mut report)?;
    check_logs(store, &mut report)?;
    Ok(report)
}

/// Files in a parts directory that are not part files: not ours to judge, but say so.
fn stray_files(
    area: &super::area::Area,
    parts: &[super::area::PartName],
    report: &mut CheckReport,
) {
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

fn check_logs(store: &Store, report: &mut CheckReport) -> Result<()> {
    use super::logs::LogPart;
    let area = store.logs();
    let _lock = super::fs::lock_shared(&area.lock_path("parts.lock"))?;
    let parts = area.list_all_parts()?;
    stray_files(area, &parts, report);
    let mut dctx = super::logs::new_decompressor()?;
    for p in &parts {
        report.parts_checked += 1;
        let part = match LogPart::open(&p.path, p.seq_lo, p.seq_hi) {
            Ok(part) => part,
            Err(e) => {
                report.problems.push(e.to_string());
                continue;
            }
        };
        let path = part.path.display();
        let mut total = 0u64;
        let mut unreadable = false;
        for (i, s) in part.streams.iter().enumerate() {
            report.streams_checked += 1;
            if i > 0 && part.streams[i - 1].labels >= s.labels {
                report
                    .problems
                    .push(format!("{path}: streams out of order at {}", s.labels));
            }
            let mut prev = i64::MIN;
            for b in &s.blocks {
                let mut entries = Vec::new();
                if let Err(e) = part.read_block(b, &mut dctx, &mut entries) {
                    report.problems.push(e.to_string());
                    unreadable = true;
                    continue;
                }
                let sorted = entries.windows(2).all(|w| w[0].t <= w[1].t);
                let first = entries.first().map_or(b.min_t, |e| e.t);
                let last = entries.last().map_or(b.max_t, |e| e.t);
                if !sorted || first != b.min_t || last != b.max_t || first < prev {
                    report.problems.push(format!(
                        "{path}: block at offset {} of {}: times out of order or not as indexed",
                        b.offset, s.labels
                    ));
                }
                prev = last;
                total += entries.len() as u64;
            }
        }
        report.entries_checked += total;
        // An unreadable block is reported once, not again as a count mismatch.
        if !unreadable && total != part.entries {
            report.problems.push(format!(
                "{path}: {total} entries in blocks, footer says {}",
                part.entries
            ));
        }
    }
    Ok(())
}

fn check_metrics(store: &Store, report: &mut CheckReport) -> Result<()> {
    let area = store.metrics();
    let _lock = super::fs::lock_shared(&area.lock_path("parts.lock"))?;
    let parts = area.list_all_parts()?;
    stray_files(area, &parts, report);
    for p in &parts {
        report.parts_checked += 1;
        let part = match Part::open(&p.path, p.seq_lo, p.seq_hi) {
            Ok(part) => part,
            Err(e) => {
                report.problems.push(e.to_string());
                continue;
            }
        };
        check_part(&part, report);
    }
    Ok(())
}

fn check_part(part: &Part, report: &mut CheckReport) {
    let path = part.path.display();
    let mut scratch = match ChunkScratch::new() {
        Ok(s) => s,
        Err(e) => {
            report.problems.push(e.to_string());
            return;
        }
    };
    let mut samples: Vec<Sample> = Vec::new();
    let mut total = 0u64;
    for (i, s) in part.series.iter().enumerate() {
        report.series_checked += 1;
        if i > 0 && part.series[i - 1].labels >= s.labels {
            report
                .problems
                .push(format!("{path}: series {} is out of order", s.labels));
        }
        if s.chunks.is_empty() {
            report
                .problems
                .push(format!("{path}: series {} has no chunks", s.labels));
        }
        let mut last_t = i64::MIN;
        for c in &s.chunks {
            samples.clear();
            if let Err(e) = part.read_chunk(c, &mut scratch, &mut samples) {
                report.problems.push(e.to_string());
                continue;
            }
            let (first, last) = (samples[0].t, samples[samples.len() - 1].t);
            if first != c.min_t || last != c.max_t {
                report.problems.push(format!(
                    "{path}: series {}: chunk at offset {} covers {first}..{last}, index says {}..{}",
                    s.labels, c.offset, c.min_t, c.max_t
                ));
            }
            for smp in &samples {
                if smp.t <= last_t {
                    report.problems.push(format!(
                        "{path}: series {}: timestamps not increasing at {}",
                        s.labels, smp.t
                    ));
                    break;
                }
                last_t = smp.t;
            }
            total += samples.len() as u64;
        }
    }
    report.samples_checked += total;
    if total != part.samples {
        report.problems.push(format!(
            "{path}: holds {total} samples, footer says {}",
            part.samples
        ));
    }
}
