//! Committing log entries: [`LogWriter`] buffers appends per stream; `commit` publishes them
//! as one log part, durable and visible to every process at once, or nothing.
//!
//! As the metric writer, it refuses what the store cannot hold (a time outside
//! `model::limits`, an oversized label) with [`StoreError::Rejected`], and then refuses its
//! whole commit; its temporary files delete themselves when it fails or is dropped.

use super::block::EntryRun;
use super::merge::merge_into;
use super::part::LogPartWriter;
use super::{LogPart, LogParts};
use crate::model::limits::check_log_time;
use crate::model::log::kept_order;
use crate::model::{Labels, LogEntry};
use crate::store::area::commit::{self, excerpt_labels, oversized_label, Refusals};
use crate::store::error::{Result, StoreError};
use crate::store::fs::TempFile;
use crate::store::Store;
use std::collections::HashMap;
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
    streams: Vec<(Labels, StreamBuf)>,
    by_labels: HashMap<Labels, usize>,
    /// The label set last appended as given (before empty values are dropped) and its
    /// stream: consecutive lines nearly always share one `Labels`, so this skips hashing.
    last: Option<(Labels, usize)>,
    buffered: usize,
    appended: u64,
    spill_bytes: usize,
    spills: Vec<TempFile>,
    /// What an append refused: the commit is refused too.
    refused: Refusals,
    /// Whether `commit` also runs a due merge (see [`LogWriter::defer_merge`]).
    merge_after_commit: bool,
}

/// One stream's buffered entries, column by column: the lines share one allocation, where
/// a `Vec<LogEntry>` would make (and later free) one per line.
#[derive(Default)]
struct StreamBuf {
    times: Vec<i64>,
    text: String,
    /// End of each line in `text`.
    ends: Vec<usize>,
    /// Structured metadata by entry index, ascending.
    metadata: Vec<(usize, Vec<(String, String)>)>,
}

impl StreamBuf {
    fn push(&mut self, t: i64, line: &str, metadata: Vec<(String, String)>) {
        if !metadata.is_empty() {
            self.metadata.push((self.times.len(), metadata));
        }
        self.times.push(t);
        self.text.push_str(line);
        self.ends.push(self.text.len());
    }

    fn clear(&mut self) {
        self.times.clear();
        self.text.clear();
        self.ends.clear();
        self.metadata.clear();
    }

    #[inline]
    fn line(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    fn metadata(&self, i: usize) -> &[(String, String)] {
        match self.metadata.binary_search_by_key(&i, |(j, _)| *j) {
            Ok(k) => &self.metadata[k].1,
            Err(_) => &[],
        }
    }

    /// The entries in time order (append order among equal times) without exact
    /// duplicates, as Loki keeps them: a line shipped twice is one line.
    fn sorted(&self) -> SortedStream<'_> {
        SortedStream {
            buf: self,
            order: kept_order(
                self.times.len(),
                |i| self.times[i],
                |i, j| self.same_entry(i, j),
            ),
        }
    }

    fn same_entry(&self, i: usize, j: usize) -> bool {
        self.times[i] == self.times[j]
            && self.line(i) == self.line(j)
            && self.metadata(i) == self.metadata(j)
    }
}

/// A stream's buffer read in time order: `order` lists the entries to keep, or `None` when
/// that is all of them as appended.
struct SortedStream<'a> {
    buf: &'a StreamBuf,
    order: Option<Vec<usize>>,
}

impl SortedStream<'_> {
    fn at(&self, i: usize) -> usize {
        self.order.as_ref().map_or(i, |o| o[i])
    }
}

impl EntryRun for SortedStream<'_> {
    fn len(&self) -> usize {
        self.order.as_ref().map_or(self.buf.times.len(), Vec::len)
    }
    fn time(&self, i: usize) -> i64 {
        self.buf.times[self.at(i)]
    }
    fn line(&self, i: usize) -> &str {
        self.buf.line(self.at(i))
    }
    fn metadata(&self, i: usize) -> &[(String, String)] {
        self.buf.metadata(self.at(i))
    }
}

impl LogWriter {
    pub(crate) fn new(store: Store) -> LogWriter {
        LogWriter {
            store,
            streams: Vec::new(),
            by_labels: HashMap::new(),
            last: None,
            buffered: 0,
            appended: 0,
            spill_bytes: SPILL_BYTES,
            spills: Vec::new(),
            refused: Refusals::default(),
            merge_after_commit: true,
        }
    }

    /// Makes `commit` return as soon as the part is published, leaving merges to the caller
    /// ([`Store::merge_due`](crate::store::Store::merge_due)).
    pub fn defer_merge(&mut self) {
        self.merge_after_commit = false;
    }

    /// Buffers one entry of the stream `labels` (which must not be empty; empty-valued labels
    /// are dropped, as Loki does). Entries may come in any time order.
    pub fn append(&mut self, labels: &Labels, entry: LogEntry) -> Result<()> {
        self.append_line(labels, entry.t, &entry.line, entry.metadata)
    }

    /// [`append`](Self::append) for a line the caller keeps: it is copied into the stream's
    /// buffer, with no allocation of its own.
    pub fn append_line(
        &mut self,
        labels: &Labels,
        t: i64,
        line: &str,
        metadata: Vec<(String, String)>,
    ) -> Result<()> {
        if let Err(e) = check_log_time(t) {
            let reason = format!("log line of {}: {e}", excerpt_labels(labels));
            return Err(self.refused.refuse(reason));
        }
        let stream = match &self.last {
            Some((l, i)) if l.ptr_eq(labels) => *i,
            _ => self.stream_of(labels)?,
        };
        self.buffered += line.len()
            + metadata
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>()
            + 16;
        self.appended += 1;
        self.streams[stream].1.push(t, line, metadata);
        if self.buffered >= self.spill_bytes {
            self.spill()?;
        }
        Ok(())
    }

    /// The index of the buffer of stream `labels`, created when new.
    fn stream_of(&mut self, given: &Labels) -> Result<usize> {
        let labels = if given.iter().any(|(_, v)| v.is_empty()) {
            Labels::from_pairs(given.iter().filter(|(_, v)| !v.is_empty()))
        } else {
            given.clone()
        };
        if labels.is_empty() {
            return Err(StoreError::Invalid(
                "a log stream needs at least one label".into(),
            ));
        }
        let i = match self.by_labels.get(&labels) {
            Some(&i) => i,
            None => {
                // Label sizes are checked once per stream, not per line.
                if let Some(reason) = oversized_label("stream", &labels) {
                    return Err(self.refused.refuse(reason));
                }
                self.streams.push((labels.clone(), StreamBuf::default()));
                self.by_labels.insert(labels, self.streams.len() - 1);
                self.streams.len() - 1
            }
        };
        self.last = Some((given.clone(), i));
        Ok(i)
    }

    /// Entries appended so far.
    pub fn entries(&self) -> u64 {
        self.appended
    }

    #[cfg(test)]
    pub(crate) fn set_spill_bytes(&mut self, n: usize) {
        self.spill_bytes = n;
    }

    fn spill(&mut self) -> Result<()> {
        let file = TempFile::new(self.store.tmp_dir(), "logspill");
        let path = file.path().to_path_buf();
        self.spills.push(file);
        self.write_buffer(&path)?;
        Ok(())
    }

    fn write_buffer(&mut self, path: &std::path::Path) -> Result<(u64, u64, u64)> {
        let mut w = LogPartWriter::create(path)?;
        let mut order: Vec<usize> = (0..self.streams.len()).collect();
        order.sort_unstable_by(|&a, &b| self.streams[a].0.cmp(&self.streams[b].0));
        for i in order {
            let (labels, buf) = &self.streams[i];
            w.add_stream(labels, &buf.sorted())?;
        }
        // The buffers keep their memory for what comes after a spill: freeing and faulting
        // in a quarter gigabyte again costs more than the spill's own writing.
        for (_, buf) in &mut self.streams {
            buf.clear();
        }
        self.buffered = 0;
        let (streams, entries) = (w.stream_count() as u64, w.entries());
        let bytes = w.finish()?;
        Ok((streams, entries, bytes))
    }

    /// Publishes everything appended as one new log part. When this returns `Ok`, the part
    /// is durable and visible to every process. Committing an empty writer does nothing.
    pub fn commit(mut self) -> Result<LogCommitStats> {
        self.refused.check()?;
        if self.appended == 0 {
            return Ok(LogCommitStats::default());
        }
        self.store.ensure_writable()?;
        let tmp = TempFile::new(self.store.tmp_dir(), "logpart");
        let (streams, entries, bytes) = if self.spills.is_empty() {
            self.write_buffer(tmp.path())?
        } else {
            self.spill()?;
            let mut inputs = Vec::with_capacity(self.spills.len());
            for p in &self.spills {
                inputs.push(Arc::new(LogPart::open(p.path(), 0, 0)?));
            }
            let r = merge_into(&inputs, tmp.path(), None)?;
            (r.series, r.samples, r.bytes)
        };
        let store = &self.store;
        let name = commit::publish::<LogParts>(store, store.logs(), tmp, self.merge_after_commit)?;
        Ok(LogCommitStats {
            streams,
            entries,
            bytes,
            part: Some(name),
        })
    }
}
