//! The metric half of the store: series of samples kept as immutable metric parts in the
//! store's `metrics/` area, with the protocol every area follows (`area/`: publishing by
//! rename, listing under locks, merging, retention, check and repair). What is the metrics'
//! own is here: the sample codec (`codec`), the part format (`part`, laid out in
//! `docs/format/metrics-part.md`), commits (`writer`), reads (`snapshot`), the metric half of
//! a merge (`merge`) and of check and repair (`verify`).

pub mod codec;
mod merge;
pub mod part;
pub mod snapshot;
mod verify;
pub mod writer;

pub use part::Part;
pub use snapshot::Snapshot;
pub use writer::{CommitStats, MetricWriter};

use crate::store::area::{Kind, MergeOutput, PartHealth, PartKind, Salvage};
use crate::store::error::Result;
use std::path::Path;
use std::sync::Arc;

/// The metric part format, as the shared protocol sees it.
pub(crate) struct MetricParts;

impl PartKind for MetricParts {
    type Part = Part;
    const KIND: Kind = Kind::Metrics;

    fn open(path: &Path, seq_lo: u64, seq_hi: u64) -> Result<Part> {
        Part::open(path, seq_lo, seq_hi)
    }

    fn open_damaged(path: &Path, seq_lo: u64, seq_hi: u64) -> Result<Salvage<Part>> {
        Part::open_damaged(path, seq_lo, seq_hi)
    }

    fn time_range(p: &Part) -> Option<(i64, i64)> {
        (p.samples > 0).then_some((p.min_t, p.max_t))
    }

    fn size(p: &Part) -> (u64, u64) {
        (p.samples, p.file_size)
    }

    fn merge(inputs: &[Arc<Part>], out: &Path, cutoff: Option<i64>) -> Result<MergeOutput> {
        merge::merge_into(inputs, out, cutoff)
    }

    fn inspect(p: &Part) -> PartHealth {
        verify::inspect(p)
    }

    fn salvage(p: &Part, out: &Path) -> Result<MergeOutput> {
        verify::salvage(p, out)
    }
}
