//! Reading logs: a [`LogSnapshot`] is the set of live log parts at the moment it was opened,
//! memory-mapped; it never changes afterwards. A query finds its streams by their labels,
//! then the blocks of those streams that overlap its time range and whose trigram filters
//! admit every substring the query requires; only those blocks are decompressed.

use super::block::EntryVisitor;
use super::part::{BlockRef, LogPart};
use crate::model::{Labels, LogEntry, Matcher};
use crate::store::error::Result;
use crate::store::Store;
use std::collections::BTreeMap;
use std::sync::Arc;

pub struct LogSnapshot {
    /// Ascending commit order.
    parts: Vec<Arc<LogPart>>,
}

/// What a log read asks for.
#[derive(Clone, Debug, Default)]
pub struct LogQuery {
    pub matchers: Vec<Matcher>,
    /// Inclusive bounds, nanoseconds.
    pub from: i64,
    pub to: i64,
    /// Byte strings every wanted line contains: blocks whose filters rule one out are
    /// skipped. The caller still filters the lines it reads.
    pub required: Vec<Vec<u8>>,
}

/// One stream of the snapshot: its labels and where its data lives (part, stream index).
#[derive(Clone, Debug)]
pub struct StreamRef {
    pub labels: Labels,
    sources: Vec<(usize, usize)>,
}

/// One block to read.
#[derive(Clone, Copy, Debug)]
pub struct BlockHandle {
    part: usize,
    pub block: BlockRef,
}

/// Counts of a read, for statistics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockStats {
    pub blocks_in_range: u64,
    pub blocks_skipped_by_filter: u64,
}

impl LogSnapshot {
    pub(crate) fn open(store: &Store) -> Result<LogSnapshot> {
        // Listed and opened under parts.lock, so that a merge cannot swap its output for its
        // inputs half-way through the directory listing.
        let parts = store.logs().open_live_parts::<super::LogParts>()?;
        Ok(LogSnapshot { parts })
    }

    pub fn parts(&self) -> &[Arc<LogPart>] {
        &self.parts
    }

    /// Streams matching every matcher with a block overlapping `[from, to]`, by labels.
    pub fn streams(&self, matchers: &[Matcher], from: i64, to: i64) -> Vec<StreamRef> {
        let mut found: BTreeMap<&Labels, Vec<(usize, usize)>> = BTreeMap::new();
        for (pi, p) in self.parts.iter().enumerate() {
            if p.entries == 0 || p.max_t < from || p.min_t > to {
                continue;
            }
            for si in p.matching_streams(matchers) {
                let s = &p.streams[si as usize];
                if s.blocks.iter().any(|b| b.max_t >= from && b.min_t <= to) {
                    found.entry(&s.labels).or_default().push((pi, si as usize));
                }
            }
        }
        found
            .into_iter()
            .map(|(l, sources)| StreamRef {
                labels: l.clone(),
                sources,
            })
            .collect()
    }

    /// The blocks of `stream` that overlap the query's range and may hold its required
    /// substrings, in ascending time order of their first entry.
    pub fn blocks(
        &self,
        stream: &StreamRef,
        q: &LogQuery,
        stats: &mut BlockStats,
    ) -> Vec<BlockHandle> {
        let mut out = Vec::new();
        for &(pi, si) in &stream.sources {
            let part = &self.parts[pi];
            for b in &part.streams[si].blocks {
                if b.max_t < q.from || b.min_t > q.to {
                    continue;
                }
                stats.blocks_in_range += 1;
                if !q.required.is_empty() {
                    if let Some(f) = part.filter(b) {
                        if !q.required.iter().all(|n| f.may_contain(n)) {
                            stats.blocks_skipped_by_filter += 1;
                            continue;
                        }
                    }
                }
                out.push(BlockHandle {
                    part: pi,
                    block: *b,
                });
            }
        }
        out.sort_by_key(|h| (h.block.min_t, h.block.max_t));
        out
    }

    /// Decodes one block, appending its entries (all of them, whatever the range) to `out`.
    pub fn read(
        &self,
        h: &BlockHandle,
        dctx: &mut zstd::bulk::Decompressor<'static>,
        out: &mut Vec<LogEntry>,
    ) -> Result<()> {
        self.parts[h.part].read_block(&h.block, dctx, out)
    }

    /// Calls `f(time, line, metadata)` for each entry of one block, without allocating the
    /// lines; `raw` is scratch space.
    pub fn visit(
        &self,
        h: &BlockHandle,
        dctx: &mut zstd::bulk::Decompressor<'static>,
        raw: &mut Vec<u8>,
        f: &mut EntryVisitor,
    ) -> Result<()> {
        self.parts[h.part].visit_block(&h.block, dctx, raw, f)
    }

    /// Every entry of the matching streams in `[from, to]`, per stream in time order, without
    /// line filtering: the simple read `export` needs.
    pub fn read_streams(
        &self,
        q: &LogQuery,
        mut f: impl FnMut(&Labels, Vec<LogEntry>) -> Result<()>,
    ) -> Result<()> {
        let mut dctx = super::new_decompressor()?;
        let mut stats = BlockStats::default();
        for s in self.streams(&q.matchers, q.from, q.to) {
            let mut entries = Vec::new();
            for h in self.blocks(&s, q, &mut stats) {
                self.read(&h, &mut dctx, &mut entries)?;
            }
            entries.retain(|e| e.t >= q.from && e.t <= q.to);
            crate::model::log::sort_dedup_entries(&mut entries);
            if !entries.is_empty() {
                f(&s.labels, entries)?;
            }
        }
        Ok(())
    }
}
