//! Log part files: streams (label sets) in label order, each with its blocks. Written once by
//! [`LogPartWriter`], then only read ([`LogPart`], memory-mapped). The byte layout is
//! specified in `docs/format/logs-part.md`; keep the two in step.

use super::block::{
    decode_block, encode_block, visit_block, EntryRun, EntryVisitor, TrigramFilter, BLOCK_RAW_BYTES,
};
use crate::model::{Labels, LogEntry, Matcher};
use crate::store::area::frame::{io, u32_at, u64_at, Frame, OpenedPart, Wreck, HEADER_LEN};
use crate::store::area::index::{read_labels, read_symbols, Symbols};
use crate::store::area::postings::Postings;
use crate::store::area::varint::{get_varint, get_zvarint, put_varint, put_zvarint};
use crate::store::area::{PartTotals, Salvage};
use crate::store::error::{Result, StoreError};
use crate::store::fs::DataFile;
use memmap2::Mmap;
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

pub const HEADER_MAGIC: &[u8; 8] = b"ARGSLOGS";
pub const FOOTER_MAGIC: &[u8; 8] = b"ARGSLEND";
/// Format 2 added the blocks' time unit and one-bit trigram filters (`block.rs`).
pub const VERSION: u32 = 2;
/// The log part's frame: its footer holds entries, raw bytes, min_t, max_t (8 bytes each)
/// and the stream count (4) between the index's place and the index's CRC.
const FRAME: Frame = Frame {
    what: "log part",
    header_magic: HEADER_MAGIC,
    footer_magic: FOOTER_MAGIC,
    version: VERSION,
    oldest_version: 1,
    fields_len: 8 * 4 + 4,
};
/// zstd level of blocks and index. On log lines level 1 is both faster than level 3 (about
/// 1.6x) and no larger (its hash finds the same long repeats in 512 KiB blocks); measured in
/// `docs/benchmarks.md`.
const ZSTD_LEVEL: i32 = 1;

/// Where one block lives and what it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockRef {
    pub min_t: i64,
    pub max_t: i64,
    pub count: u32,
    pub offset: u64,
    /// Compressed payload length; the trigram filter follows it.
    pub len: u32,
    pub raw_len: u32,
    pub filter_len: u32,
    /// CRC-32 of the payload and the filter.
    pub crc: u32,
    /// Bytes of the block's lines and metadata as ingested.
    pub line_bytes: u32,
}

#[derive(Clone, Debug)]
pub struct StreamEntry {
    pub labels: Labels,
    pub blocks: Vec<BlockRef>,
}

/// Streams a log part file. Streams must be added in strictly increasing label order.
pub struct LogPartWriter {
    path: PathBuf,
    out: BufWriter<DataFile>,
    offset: u64,
    streams: Vec<StreamEntry>,
    entries: u64,
    raw_bytes: u64,
    min_t: i64,
    max_t: i64,
    compressor: zstd::bulk::Compressor<'static>,
    raw: Vec<u8>,
}

impl LogPartWriter {
    pub fn create(path: &Path) -> Result<LogPartWriter> {
        let out = FRAME.create(path)?;
        let compressor = zstd::bulk::Compressor::new(ZSTD_LEVEL)
            .map_err(|e| StoreError::io("start zstd for", path, e))?;
        Ok(LogPartWriter {
            path: path.to_path_buf(),
            out,
            offset: HEADER_LEN as u64,
            streams: Vec::new(),
            entries: 0,
            raw_bytes: 0,
            min_t: i64::MAX,
            max_t: i64::MIN,
            compressor,
            raw: Vec::new(),
        })
    }

    /// Adds one stream with its entries (sorted by time, duplicates removed). A stream
    /// without entries is skipped.
    pub fn add_stream<R: EntryRun + ?Sized>(&mut self, labels: &Labels, entries: &R) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        self.check_order(labels)?;
        let mut blocks = Vec::new();
        let mut start = 0;
        while start < entries.len() {
            let mut end = start;
            let mut bytes = 0;
            while end < entries.len() && (end == start || bytes < BLOCK_RAW_BYTES) {
                bytes += entries.raw_len(end);
                end += 1;
            }
            blocks.push(self.write_block(entries, start..end, bytes)?);
            start = end;
        }
        self.push_stream(labels, blocks);
        Ok(())
    }

    fn check_order(&self, labels: &Labels) -> Result<()> {
        match self.streams.last() {
            Some(last) if last.labels >= *labels => Err(StoreError::Invalid(format!(
                "stream {labels} added out of order after {}",
                last.labels
            ))),
            _ => Ok(()),
        }
    }

    /// Records a written stream (blocks in time order, at least one) and its totals.
    fn push_stream(&mut self, labels: &Labels, blocks: Vec<BlockRef>) {
        for b in &blocks {
            self.entries += b.count as u64;
            self.raw_bytes += b.line_bytes as u64;
        }
        self.min_t = self.min_t.min(blocks[0].min_t);
        self.max_t = self.max_t.max(blocks[blocks.len() - 1].max_t);
        self.streams.push(StreamEntry {
            labels: labels.clone(),
            blocks,
        });
    }

    fn write_block<R: EntryRun + ?Sized>(
        &mut self,
        entries: &R,
        range: Range<usize>,
        raw_bytes: usize,
    ) -> Result<BlockRef> {
        self.raw.clear();
        encode_block(entries, range.clone(), &mut self.raw);
        let compressed = self
            .compressor
            .compress(&self.raw)
            .map_err(io("compress block for", &self.path))?;
        let mut filter = TrigramFilter::for_bytes(raw_bytes);
        for i in range.clone() {
            filter.add_line(entries.line(i).as_bytes());
        }
        let mut crc = crc32fast::Hasher::new();
        crc.update(&compressed);
        crc.update(filter.as_bytes());
        self.out
            .write_all(&compressed)
            .and_then(|_| self.out.write_all(filter.as_bytes()))
            .map_err(io("write", &self.path))?;
        let r = BlockRef {
            min_t: entries.time(range.start),
            max_t: entries.time(range.end - 1),
            count: range.len() as u32,
            offset: self.offset,
            len: compressed.len() as u32,
            raw_len: self.raw.len() as u32,
            filter_len: filter.as_bytes().len() as u32,
            crc: crc.finalize(),
            line_bytes: raw_bytes as u32,
        };
        self.offset += compressed.len() as u64 + filter.as_bytes().len() as u64;
        Ok(r)
    }

    /// Adds one stream made of existing blocks, copied byte for byte (compressed payload and
    /// filter): a merge of parts whose blocks do not overlap in time needs no decoding. The
    /// blocks must be in time order, each after the previous one.
    pub fn add_stream_blocks(
        &mut self,
        labels: &Labels,
        blocks: &[(&LogPart, BlockRef)],
    ) -> Result<()> {
        if blocks.is_empty() {
            return Ok(());
        }
        self.check_order(labels)?;
        let mut refs = Vec::with_capacity(blocks.len());
        for (part, b) in blocks {
            let bytes = part.verified_block_bytes(b)?;
            self.out.write_all(bytes).map_err(io("write", &self.path))?;
            refs.push(BlockRef {
                offset: self.offset,
                ..*b
            });
            self.offset += bytes.len() as u64;
        }
        self.push_stream(labels, refs);
        Ok(())
    }

    pub fn entries(&self) -> u64 {
        self.entries
    }

    pub fn stream_count(&self) -> usize {
        self.streams.len()
    }

    /// Writes the index and footer and fsyncs the file. Returns the file size.
    pub fn finish(self) -> Result<u64> {
        let index = encode_index(&self.streams);
        let (min_t, max_t) = if self.entries == 0 {
            (0, 0)
        } else {
            (self.min_t, self.max_t)
        };
        let mut fields = Vec::with_capacity(FRAME.fields_len);
        fields.extend_from_slice(&self.entries.to_le_bytes());
        fields.extend_from_slice(&self.raw_bytes.to_le_bytes());
        fields.extend_from_slice(&min_t.to_le_bytes());
        fields.extend_from_slice(&max_t.to_le_bytes());
        fields.extend_from_slice(&(self.streams.len() as u32).to_le_bytes());
        FRAME.finish(
            self.out,
            &self.path,
            self.offset,
            &index,
            ZSTD_LEVEL,
            &fields,
        )
    }
}

fn encode_index(streams: &[StreamEntry]) -> Vec<u8> {
    let syms = Symbols::of(streams.iter().map(|s| &s.labels));
    let mut out = Vec::new();
    syms.write_table(&mut out);
    put_varint(&mut out, streams.len() as u64);
    for s in streams {
        syms.write_labels(&mut out, &s.labels);
        put_varint(&mut out, s.blocks.len() as u64);
        for b in &s.blocks {
            put_zvarint(&mut out, b.min_t);
            // Log times span more than an i64 can (1678 to 2261 in ns), never more than a
            // u64: the span is written as a u64 and wraps back to max_t on reading.
            put_varint(&mut out, b.max_t.wrapping_sub(b.min_t) as u64);
            put_varint(&mut out, b.count as u64);
            put_varint(&mut out, b.offset);
            put_varint(&mut out, b.len as u64);
            put_varint(&mut out, b.raw_len as u64);
            put_varint(&mut out, b.filter_len as u64);
            put_varint(&mut out, b.line_bytes as u64);
            out.extend_from_slice(&b.crc.to_le_bytes());
        }
    }
    out
}

/// The totals a log part's footer holds (entries, raw bytes, min_t, max_t, streams).
fn footer_totals(fields: &[u8]) -> (PartTotals, u64) {
    let totals = PartTotals {
        items: u64_at(fields, 0),
        min_t: u64_at(fields, 16) as i64,
        max_t: u64_at(fields, 24) as i64,
        groups: u32_at(fields, 32) as u64,
    };
    (totals, u64_at(fields, 8))
}

/// The totals of a log part as its index tells them, and its raw bytes.
fn index_totals(streams: &[StreamEntry]) -> (PartTotals, u64) {
    let blocks = || streams.iter().flat_map(|s| &s.blocks);
    let items = blocks().map(|b| b.count as u64).sum();
    let totals = PartTotals {
        items,
        groups: streams.len() as u64,
        min_t: if items == 0 {
            0
        } else {
            blocks().map(|b| b.min_t).min().unwrap_or(0)
        },
        max_t: if items == 0 {
            0
        } else {
            blocks().map(|b| b.max_t).max().unwrap_or(0)
        },
    };
    (totals, blocks().map(|b| b.line_bytes as u64).sum())
}

/// An open log part: its index in memory, its blocks memory-mapped.
pub struct LogPart {
    pub path: PathBuf,
    pub seq_lo: u64,
    pub seq_hi: u64,
    pub file_size: u64,
    /// The file's format version, which decides how its blocks and filters read.
    pub version: u32,
    map: Mmap,
    pub streams: Vec<StreamEntry>,
    pub entries: u64,
    /// Bytes of the lines and metadata as they were ingested.
    pub raw_bytes: u64,
    pub min_t: i64,
    pub max_t: i64,
    postings: Postings,
}

fn corrupt(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::damaged(path, reason)
}

impl LogPart {
    /// Opens and validates header, footer and index (blocks are checked when read).
    pub fn open(path: &Path, seq_lo: u64, seq_hi: u64) -> Result<LogPart> {
        LogPart::from_frame(path, seq_lo, seq_hi, FRAME.open(path)?)
    }

    /// Opens a log part that [`LogPart::open`] refused, for `store repair`: the part as far
    /// as its index can be trusted, or, when the index is lost, what its footer says it held.
    pub(crate) fn open_damaged(path: &Path, seq_lo: u64, seq_hi: u64) -> Result<Salvage<LogPart>> {
        Ok(match FRAME.open_damaged(path)? {
            Wreck::IndexFound(opened) => match LogPart::from_frame(path, seq_lo, seq_hi, opened) {
                Ok(part) => Salvage::Readable(part),
                Err(e) if e.is_damage() => Salvage::Unreadable(None),
                Err(e) => return Err(e),
            },
            Wreck::IndexLost { fields } => Salvage::Unreadable(fields.map(|f| footer_totals(&f).0)),
        })
    }

    fn from_frame(path: &Path, seq_lo: u64, seq_hi: u64, opened: OpenedPart) -> Result<LogPart> {
        let streams = decode_index(&opened.index, opened.index_offset)
            .map_err(|r| corrupt(path, format!("index: {r}")))?;
        let (totals, raw_bytes) = match opened.fields_at {
            Some(f) => footer_totals(&opened.map[f..f + FRAME.fields_len]),
            // A footer found damaged: the index says the same, block by block.
            None => index_totals(&streams),
        };
        if streams.len() as u64 != totals.groups {
            return Err(corrupt(path, "stream count in footer and index differ"));
        }
        let postings = Postings::build(streams.iter().map(|s| &s.labels));
        Ok(LogPart {
            path: path.to_path_buf(),
            seq_lo,
            seq_hi,
            file_size: opened.map.len() as u64,
            version: opened.version,
            map: opened.map,
            streams,
            entries: totals.items,
            raw_bytes,
            min_t: totals.min_t,
            max_t: totals.max_t,
            postings,
        })
    }

    /// Indexes of the streams that satisfy every matcher, ascending.
    pub fn matching_streams(&self, matchers: &[Matcher]) -> Vec<u32> {
        self.postings.matching(matchers, self.streams.len(), |i| {
            &self.streams[i as usize].labels
        })
    }

    /// The trigram filter of block `b`, `None` when it is missing or malformed (then the
    /// block must be read).
    pub fn filter(&self, b: &BlockRef) -> Option<TrigramFilter> {
        let start = (b.offset + b.len as u64) as usize;
        let bytes = self.map.get(start..start + b.filter_len as usize)?;
        TrigramFilter::from_bytes(bytes, self.version)
    }

    /// The stored bytes of block `b` (its compressed payload and its filter), checked against
    /// the block's CRC.
    pub fn verified_block_bytes(&self, b: &BlockRef) -> Result<&[u8]> {
        let start = b.offset as usize;
        let bytes = self
            .map
            .get(start..start + b.len as usize + b.filter_len as usize)
            .ok_or_else(|| corrupt(&self.path, format!("block at {start} runs past the end")))?;
        if crc32fast::hash(bytes) != b.crc {
            return Err(corrupt(
                &self.path,
                format!("block at offset {start}: checksum mismatch"),
            ));
        }
        Ok(bytes)
    }

    /// Reads, verifies and decodes one block, appending its entries to `out`.
    pub fn read_block(
        &self,
        b: &BlockRef,
        dctx: &mut zstd::bulk::Decompressor<'static>,
        out: &mut Vec<LogEntry>,
    ) -> Result<()> {
        let mut raw = Vec::new();
        self.decompress(b, dctx, &mut raw)?;
        let n = decode_block(&raw, self.version, out).map_err(|e| self.damaged(b, e))?;
        self.check_count(b, n)
    }

    /// Reads and verifies one block, calling `f(time, line, metadata)` for each entry without
    /// allocating the lines; `raw` is scratch space for the decompressed payload.
    pub fn visit_block(
        &self,
        b: &BlockRef,
        dctx: &mut zstd::bulk::Decompressor<'static>,
        raw: &mut Vec<u8>,
        f: &mut EntryVisitor,
    ) -> Result<()> {
        self.decompress(b, dctx, raw)?;
        let n = visit_block(raw, self.version, f).map_err(|e| self.damaged(b, e))?;
        self.check_count(b, n)
    }

    /// The verified, decompressed payload of block `b`, in `raw`.
    fn decompress(
        &self,
        b: &BlockRef,
        dctx: &mut zstd::bulk::Decompressor<'static>,
        raw: &mut Vec<u8>,
    ) -> Result<()> {
        let bytes = self.verified_block_bytes(b)?;
        raw.clear();
        raw.reserve(b.raw_len as usize);
        dctx.decompress_to_buffer(&bytes[..b.len as usize], raw)
            .map_err(|e| self.damaged(b, format!("does not decompress: {e}")))?;
        Ok(())
    }

    fn check_count(&self, b: &BlockRef, n: usize) -> Result<()> {
        if n != b.count as usize {
            return Err(self.damaged(b, format!("{n} entries, index says {}", b.count)));
        }
        Ok(())
    }

    fn damaged(&self, b: &BlockRef, why: impl std::fmt::Display) -> StoreError {
        corrupt(&self.path, format!("block at offset {}: {why}", b.offset))
    }
}

fn decode_index(b: &[u8], blocks_end: u64) -> std::result::Result<Vec<StreamEntry>, String> {
    let mut pos = 0;
    let v = |pos: &mut usize| get_varint(b, pos).map_err(|e| e.to_string());
    let syms = read_symbols(b, &mut pos)?;
    let nstreams = v(&mut pos)? as usize;
    let mut streams = Vec::with_capacity(nstreams.min(b.len()));
    for _ in 0..nstreams {
        let labels = read_labels(b, &mut pos, &syms, false)?;
        let nb = v(&mut pos)? as usize;
        let mut blocks = Vec::with_capacity(nb.min(b.len()));
        for _ in 0..nb {
            let min_t = get_zvarint(b, &mut pos).map_err(|e| e.to_string())?;
            let span = v(&mut pos)? as i64;
            let count = v(&mut pos)? as u32;
            let offset = v(&mut pos)?;
            let len = v(&mut pos)? as u32;
            let raw_len = v(&mut pos)? as u32;
            let filter_len = v(&mut pos)? as u32;
            let line_bytes = v(&mut pos)? as u32;
            let crc = b.get(pos..pos + 4).ok_or("truncated block reference")?;
            let crc = u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]);
            pos += 4;
            if offset < HEADER_LEN as u64 || offset + len as u64 + filter_len as u64 > blocks_end {
                return Err("block reference outside the block area".into());
            }
            blocks.push(BlockRef {
                min_t,
                max_t: min_t.wrapping_add(span),
                count,
                offset,
                len,
                raw_len,
                filter_len,
                crc,
                line_bytes,
            });
        }
        streams.push(StreamEntry { labels, blocks });
    }
    if pos != b.len() {
        return Err("trailing bytes after the index".into());
    }
    Ok(streams)
}
