//! What the two writers (metrics and logs) share around a commit: refusing data the store
//! cannot hold, and then the whole commit, so that nothing partial is published even when a
//! caller carries on after the error; and publishing a finished part, then running the merges
//! that are due in its area.

use super::merge::maybe_merge;
use super::{Area, PartKind};
use crate::model::limits::{check_label_size, excerpt};
use crate::model::Labels;
use crate::store::error::{Result, StoreError};
use crate::store::fs::TempFile;
use crate::store::Store;

/// The first thing a writer refused; once there is one, the writer's commit is refused too.
#[derive(Debug, Default)]
pub(crate) struct Refusals(Option<String>);

impl Refusals {
    /// Records a refusal (the first one is what the commit reports) and returns its error.
    pub fn refuse(&mut self, reason: String) -> StoreError {
        self.0.get_or_insert_with(|| reason.clone());
        StoreError::Rejected(reason)
    }

    /// At commit: the refusal of the whole commit, if anything was refused.
    pub fn check(&mut self) -> Result<()> {
        match self.0.take() {
            Some(reason) => Err(StoreError::Rejected(format!(
                "nothing was stored: {reason}"
            ))),
            None => Ok(()),
        }
    }
}

/// The first label of a new series or stream (`what`) whose name or value is too long,
/// as a refusal reason.
pub(crate) fn oversized_label(what: &str, labels: &Labels) -> Option<String> {
    let e = labels
        .iter()
        .find_map(|(k, v)| check_label_size(k, v).err())?;
    Some(format!("{what} {}: {e}", excerpt_labels(labels)))
}

/// A label set for an error message: its names and at most the start of each value.
pub(crate) fn excerpt_labels(labels: &Labels) -> String {
    let pairs: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{}={:?}", excerpt(k), excerpt(v)))
        .collect();
    format!("{{{}}}", pairs.join(", "))
}

/// Publishes the finished part `tmp` in `area` (see [`Area::publish`]) and, unless the
/// writer defers merges, runs the merges now due there. Merging is housekeeping: the commit
/// already succeeded when it runs, so its failure only leaves more parts for the next one.
pub(crate) fn publish<K: PartKind>(
    store: &Store,
    area: &Area,
    tmp: TempFile,
    merge_after: bool,
) -> Result<String> {
    let name = area.publish(tmp)?;
    if merge_after {
        let _ = maybe_merge::<K>(store, area);
    }
    Ok(name)
}
