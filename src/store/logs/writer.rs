//! Committing log entries: [`LogWriter`] buffers appends per stream; `commit` publishes them
//! as one log part, durable and visible to every process at once, or nothing.

use super::part::LogPartWriter;
use super::{merge_into, LogPart, LogParts};
use crate::model::log::sort_dedup_entries;
use crate::model::{Labels, LogEntry};
use crate::store::error::{Result, StoreError};
use crate::store::fs::temp_path;
use crate::store::merge::maybe_merge;
use crate::store::Store;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Above this many buffered bytes of lines the buffer is written to a temporary part, so a
/// huge ingest runs in bounded memory; `commit` merges the pieces into the published part.
const SPILL_BYTES: usize = 256 << 20;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogCommitStats {
    pub streams: u64,
    pub entries: u64,
    pub bytes: u64,
    /// File name of the published part; `None` when there was nothing to commit.
    pub part: Option<String>,
}

pub struct LogWriter {
    store: Store,
    streams: HashMap<Labels, Vec<LogEntry>>,
    buffered: usize,
    appended: u64,
    spill_bytes: usize,
    spills: Vec<PathBuf>,
}

impl LogWriter {
    pub(crate) fn new(store: Store) -> LogWriter {
        LogWriter {
            store,
            streams: HashMap::new(),
            buffered: 0,
            appended: 0,
            spill_bytes: SPILL_BYTES,
            spills: Vec::new(),
        }
    }

    /// Buffers one entry of the stream `labels` (which must not be empty; empty-valued labels
    /// are dropped, as Loki does). Entries may come in any time order.
    pub fn append(&mut self, labels: &Labels, entry: LogEntry) -> Result<()> {
        let labels = if labels.iter().any(|(_, v)| v.is_empty()) {
            Labels::from_pairs(labels.iter().filter(|(_, v)| !v.is_empty()))
        } else {
            labels.clone()
        };
        if labels.is_empty() {
            return Err(StoreError::Invalid(
                "a log stream needs at least one label".into(),
            ));
        }
        self.buffered += entry.raw_len() + 32;
        self.appended += 1;
        match self.streams.get_mut(&labels) {
            Some(v) => v.push(entry),
            None => {
                self.streams.insert(labels, vec![entry]);
            }
        }
        if self.buffered >= self.spill_bytes {
            self.spill()?;
        }
        Ok(())
    }

    /// Entries appended so far.
    pub fn entries(&self) -> u64 {
        self.appended
    }

    /// Distinct streams in the buffer (since the last spill).
    pub fn buffered_streams(&self) -> usize {
        self.streams.len()
    }

    #[cfg(test)]
    pub(crate) fn set_spill_bytes(&mut self, n: usize) {
        self.spill_bytes = n;
    }

    fn spill(&mut self) -> Result<()> {
        let path = temp_path(self.store.tmp_dir(), "logspill");
        self.spills.push(path.clone());
        self.write_buffer(&path)?;
        Ok(())
    }

    fn write_buffer(&mut self, path: &std::path::Path) -> Result<(u64, u64, u64)> {
        let mut w = LogPartWriter::create(path)?;
        let mut streams: Vec<(Labels, Vec<LogEntry>)> = self.streams.drain().collect();
        streams.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (labels, mut entries) in streams {
            sort_dedup_entries(&mut entries);
            w.add_stream(&labels, &entries)?;
        }
        self.buffered = 0;
        let (streams, entries) = (w.stream_count() as u64, w.entries());
        let bytes = w.finish()?;
        Ok((streams, entries, bytes))
    }

    /// Publishes everything appended as one new log part. When this returns `Ok`, the part
    /// is durable and visible to every process. Committing an empty writer does nothing.
    pub fn commit(mut self) -> Result<LogCommitStats> {
        if self.appended == 0 {
            return Ok(LogCommitStats::default());
        }
        let tmp = temp_path(self.store.tmp_dir(), "logpart");
        let (streams, entries, bytes) = if self.spills.is_empty() {
            self.write_buffer(&tmp)?
        } else {
            self.spill()?;
            let mut inputs = Vec::with_capacity(self.spills.len());
            for p in &self.spills {
                inputs.push(Arc::new(LogPart::open(p, 0, 0)?));
            }
            let r = merge_into(&inputs, &tmp, None)?;
            (r.series, r.samples, r.bytes)
        };
        let name = match self.store.logs().publish(&tmp) {
            Ok(n) => n,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        };
        // Housekeeping: the commit already succeeded.
        let _ = maybe_merge::<LogParts>(&self.store, self.store.logs());
        Ok(LogCommitStats {
            streams,
            entries,
            bytes,
            part: Some(name),
        })
    }
}

impl Drop for LogWriter {
    fn drop(&mut self) {
        for p in &self.spills {
            let _ = std::fs::remove_file(p);
        }
    }
}
