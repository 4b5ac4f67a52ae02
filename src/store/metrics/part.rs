//! Part files: the immutable unit of the metrics store. Written once by [`PartWriter`]
//! (series in label order), then only read ([`Part`], memory-mapped) until a merge retires
//! it. The byte layout is specified in `docs/format/metrics-part.md`; keep the two in step.

use super::codec::{decode_chunk, encode_chunk};
use crate::model::{Labels, Matcher, MetricMetadata, MetricType, Sample};
use crate::store::area::frame::{io, u32_at, u64_at, Frame, OpenedPart, Wreck, HEADER_LEN};
use crate::store::area::index::{get_str, put_str, read_labels, read_symbols, Symbols};
use crate::store::area::postings::Postings;
use crate::store::area::varint::{get_varint, get_zvarint, put_varint, put_zvarint};
use crate::store::area::{PartTotals, Salvage};
use crate::store::error::{Result, StoreError};
use crate::store::fs::DataFile;
use memmap2::Mmap;
use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

pub const HEADER_MAGIC: &[u8; 8] = b"ARGSPART";
pub const FOOTER_MAGIC: &[u8; 8] = b"ARGSEND1";
pub const VERSION: u32 = 1;

/// The metrics part's frame: its footer holds samples, min_t, max_t (8 bytes each) and the
/// series count (4) between the index's place and the index's CRC.
const FRAME: Frame = Frame {
    what: "part",
    header_magic: HEADER_MAGIC,
    footer_magic: FOOTER_MAGIC,
    version: VERSION,
    oldest_version: VERSION,
    fields_len: 8 * 3 + 4,
};

/// Samples per chunk: about 8.5 hours at a 15 s interval. Large enough for zstd to find
/// the regularities, small enough that a short query decodes little it does not need.
pub const CHUNK_SAMPLES: usize = 2048;
/// zstd level of chunks and index: 3 is zstd's default, fast to write, and decoding speed
/// does not depend on the level.
const ZSTD_LEVEL: i32 = 3;

/// Where one chunk lives and what it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkRef {
    pub min_t: i64,
    pub max_t: i64,
    pub count: u32,
    pub offset: u64,
    pub len: u32,
    pub raw_len: u32,
    pub crc: u32,
}

#[derive(Clone, Debug)]
pub struct SeriesEntry {
    pub labels: Labels,
    pub chunks: Vec<ChunkRef>,
}

/// Streams a part file. Series must be added in strictly increasing label order.
pub struct PartWriter {
    path: PathBuf,
    out: BufWriter<DataFile>,
    offset: u64,
    series: Vec<SeriesEntry>,
    metadata: BTreeMap<String, MetricMetadata>,
    samples: u64,
    min_t: i64,
    max_t: i64,
    compressor: zstd::bulk::Compressor<'static>,
    raw: Vec<u8>,
}

/// The totals a metric part's footer holds: samples, min_t, max_t, series.
fn footer_totals(fields: &[u8]) -> PartTotals {
    PartTotals {
        items: u64_at(fields, 0),
        min_t: u64_at(fields, 8) as i64,
        max_t: u64_at(fields, 16) as i64,
        groups: u32_at(fields, 24) as u64,
    }
}

/// The totals of a part as its index tells them.
fn index_totals(series: &[SeriesEntry]) -> PartTotals {
    let chunks = || series.iter().flat_map(|s| &s.chunks);
    let items = chunks().map(|c| c.count as u64).sum();
    PartTotals {
        items,
        groups: series.len() as u64,
        min_t: if items == 0 {
            0
        } else {
            chunks().map(|c| c.min_t).min().unwrap_or(0)
        },
        max_t: if items == 0 {
            0
        } else {
            chunks().map(|c| c.max_t).max().unwrap_or(0)
        },
    }
}

impl PartWriter {
    pub fn create(path: &Path) -> Result<PartWriter> {
        let out = FRAME.create(path)?;
        let compressor = zstd::bulk::Compressor::new(ZSTD_LEVEL)
            .map_err(|e| StoreError::io("start zstd for", path, e))?;
        Ok(PartWriter {
            path: path.to_path_buf(),
            out,
            offset: HEADER_LEN as u64,
            series: Vec::new(),
            metadata: BTreeMap::new(),
            samples: 0,
            min_t: i64::MAX,
            max_t: i64::MIN,
            compressor,
            raw: Vec::new(),
        })
    }

    /// Adds one series with its samples (sorted by time, unique timestamps). A series with no
    /// samples is skipped.
    pub fn add_series(&mut self, labels: &Labels, samples: &[Sample]) -> Result<()> {
        if samples.is_empty() {
            return Ok(());
        }
        if let Some(last) = self.series.last() {
            if last.labels >= *labels {
                return Err(StoreError::Invalid(format!(
                    "series {labels} added out of order after {}",
                    last.labels
                )));
            }
        }
        let mut chunks = Vec::with_capacity(samples.len().div_ceil(CHUNK_SAMPLES));
        for piece in samples.chunks(CHUNK_SAMPLES) {
            self.raw.clear();
            encode_chunk(piece, &mut self.raw);
            let compressed = self
                .compressor
                .compress(&self.raw)
                .map_err(io("compress chunk for", &self.path))?;
            self.out
                .write_all(&compressed)
                .map_err(io("write", &self.path))?;
            chunks.push(ChunkRef {
                min_t: piece[0].t,
                max_t: piece[piece.len() - 1].t,
                count: piece.len() as u32,
                offset: self.offset,
                len: compressed.len() as u32,
                raw_len: self.raw.len() as u32,
                crc: crc32fast::hash(&compressed),
            });
            self.offset += compressed.len() as u64;
        }
        self.samples += samples.len() as u64;
        self.min_t = self.min_t.min(samples[0].t);
        self.max_t = self.max_t.max(samples[samples.len() - 1].t);
        self.series.push(SeriesEntry {
            labels: labels.clone(),
            chunks,
        });
        Ok(())
    }

    pub fn add_metadata(&mut self, md: MetricMetadata) {
        self.metadata.insert(md.metric.clone(), md);
    }

    pub fn samples(&self) -> u64 {
        self.samples
    }

    pub fn series_count(&self) -> usize {
        self.series.len()
    }

    /// Writes the index and footer and fsyncs the file. Returns the file size.
    pub fn finish(self) -> Result<u64> {
        let index = encode_index(&self.series, &self.metadata);
        let (min_t, max_t) = if self.samples == 0 {
            (0, 0)
        } else {
            (self.min_t, self.max_t)
        };
        let mut fields = Vec::with_capacity(FRAME.fields_len);
        fields.extend_from_slice(&self.samples.to_le_bytes());
        fields.extend_from_slice(&min_t.to_le_bytes());
        fields.extend_from_slice(&max_t.to_le_bytes());
        fields.extend_from_slice(&(self.series.len() as u32).to_le_bytes());
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

fn encode_index(series: &[SeriesEntry], metadata: &BTreeMap<String, MetricMetadata>) -> Vec<u8> {
    let syms = Symbols::of(series.iter().map(|s| &s.labels));
    let mut out = Vec::new();
    syms.write_table(&mut out);
    put_varint(&mut out, series.len() as u64);
    for s in series {
        syms.write_labels(&mut out, &s.labels);
        put_varint(&mut out, s.chunks.len() as u64);
        for c in &s.chunks {
            put_zvarint(&mut out, c.min_t);
            // The span of two in-range times fits a u64 (and wraps back on reading).
            put_varint(&mut out, c.max_t.wrapping_sub(c.min_t) as u64);
            put_varint(&mut out, c.count as u64);
            put_varint(&mut out, c.offset);
            put_varint(&mut out, c.len as u64);
            put_varint(&mut out, c.raw_len as u64);
            out.extend_from_slice(&c.crc.to_le_bytes());
        }
    }
    put_varint(&mut out, metadata.len() as u64);
    for m in metadata.values() {
        put_str(&mut out, &m.metric);
        out.push(m.kind.code());
        put_str(&mut out, &m.help);
        put_str(&mut out, &m.unit);
    }
    out
}

/// An open, validated part file.
pub struct Part {
    pub path: PathBuf,
    /// Commit order range `[seq_lo, seq_hi]` from the file name (see `area/mod.rs`).
    pub seq_lo: u64,
    pub seq_hi: u64,
    map: Mmap,
    pub series: Vec<SeriesEntry>,
    pub metadata: Vec<MetricMetadata>,
    pub samples: u64,
    pub min_t: i64,
    pub max_t: i64,
    pub file_size: u64,
    /// label name → label value → series indexes (ascending).
    postings: Postings,
}

fn corrupt(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::damaged(path, reason)
}

impl Part {
    /// Opens and validates header, footer and index (chunks are checked when read).
    pub fn open(path: &Path, seq_lo: u64, seq_hi: u64) -> Result<Part> {
        Part::from_frame(path, seq_lo, seq_hi, FRAME.open(path)?)
    }

    /// Opens a part that [`Part::open`] refused, for `store repair`: the part as far as its
    /// index can be trusted, or, when the index is lost, what its footer says it held.
    pub(crate) fn open_damaged(path: &Path, seq_lo: u64, seq_hi: u64) -> Result<Salvage<Part>> {
        Ok(match FRAME.open_damaged(path)? {
            Wreck::IndexFound(opened) => match Part::from_frame(path, seq_lo, seq_hi, opened) {
                Ok(part) => Salvage::Readable(part),
                Err(e) if e.is_damage() => Salvage::Unreadable(None),
                Err(e) => return Err(e),
            },
            Wreck::IndexLost { fields } => Salvage::Unreadable(fields.map(|f| footer_totals(&f))),
        })
    }

    fn from_frame(path: &Path, seq_lo: u64, seq_hi: u64, opened: OpenedPart) -> Result<Part> {
        let (series, metadata) = decode_index(&opened.index, opened.index_offset)
            .map_err(|r| corrupt(path, format!("index: {r}")))?;
        let totals = match opened.fields_at {
            Some(f) => footer_totals(&opened.map[f..f + FRAME.fields_len]),
            // A footer found damaged: the index says the same, chunk by chunk.
            None => index_totals(&series),
        };
        if series.len() as u64 != totals.groups {
            return Err(corrupt(path, "series count in footer and index differ"));
        }
        let postings = Postings::build(series.iter().map(|s| &s.labels));
        Ok(Part {
            path: path.to_path_buf(),
            seq_lo,
            seq_hi,
            file_size: opened.map.len() as u64,
            map: opened.map,
            series,
            metadata,
            samples: totals.items,
            min_t: totals.min_t,
            max_t: totals.max_t,
            postings,
        })
    }

    /// Indexes of the series that satisfy every matcher, ascending.
    pub fn matching_series(&self, matchers: &[Matcher]) -> Vec<u32> {
        self.postings.matching(matchers, self.series.len(), |i| {
            &self.series[i as usize].labels
        })
    }

    /// All values of label `name` in this part.
    pub fn label_values(&self, name: &str) -> impl Iterator<Item = &str> {
        self.postings.values(name)
    }

    /// Reads, verifies and decodes one chunk, appending its samples to `out`.
    pub fn read_chunk(
        &self,
        c: &ChunkRef,
        scratch: &mut ChunkScratch,
        out: &mut Vec<Sample>,
    ) -> Result<()> {
        let start = c.offset as usize;
        let end = start + c.len as usize;
        let bytes = self
            .map
            .get(start..end)
            .ok_or_else(|| corrupt(&self.path, format!("chunk at {start} runs past the end")))?;
        if crc32fast::hash(bytes) != c.crc {
            return Err(corrupt(
                &self.path,
                format!("chunk at offset {start}: checksum mismatch"),
            ));
        }
        let raw = &mut scratch.raw;
        raw.clear();
        raw.reserve(c.raw_len as usize);
        scratch
            .decompressor
            .decompress_to_buffer(bytes, raw)
            .map_err(|e| {
                corrupt(
                    &self.path,
                    format!("chunk at offset {start} does not decompress: {e}"),
                )
            })?;
        out.reserve(c.count as usize);
        let n = decode_chunk(raw, out)
            .map_err(|e| corrupt(&self.path, format!("chunk at offset {start}: {e}")))?;
        if n != c.count as usize {
            return Err(corrupt(
                &self.path,
                format!(
                    "chunk at offset {start}: {n} samples, index says {}",
                    c.count
                ),
            ));
        }
        Ok(())
    }

    /// The samples of series `idx` within `[mint, maxt]`, appended to `out`.
    pub fn read_series(
        &self,
        idx: u32,
        mint: i64,
        maxt: i64,
        scratch: &mut ChunkScratch,
        out: &mut Vec<Sample>,
    ) -> Result<()> {
        for c in &self.series[idx as usize].chunks {
            if c.max_t < mint || c.min_t > maxt {
                continue;
            }
            let from = out.len();
            self.read_chunk(c, scratch, out)?;
            if c.min_t < mint || c.max_t > maxt {
                // Samples are sorted by time: keep the slice inside the range.
                let chunk = &out[from..];
                let lo = chunk.partition_point(|s| s.t < mint);
                let hi = chunk.partition_point(|s| s.t <= maxt);
                out.copy_within(from + lo..from + hi, from);
                out.truncate(from + hi - lo);
            }
        }
        Ok(())
    }
}

/// Reusable state for reading chunks: the decompressed bytes and a zstd decoding context,
/// which is expensive to create (its tables are larger than most chunks).
pub struct ChunkScratch {
    raw: Vec<u8>,
    decompressor: zstd::bulk::Decompressor<'static>,
}

impl ChunkScratch {
    pub fn new() -> Result<ChunkScratch> {
        let decompressor = zstd::bulk::Decompressor::new()
            .map_err(|e| StoreError::Invalid(format!("cannot start zstd: {e}")))?;
        Ok(ChunkScratch {
            raw: Vec::new(),
            decompressor,
        })
    }
}

fn decode_index(
    b: &[u8],
    chunks_end: u64,
) -> std::result::Result<(Vec<SeriesEntry>, Vec<MetricMetadata>), String> {
    let mut pos = 0;
    let v = |pos: &mut usize| get_varint(b, pos).map_err(|e| e.to_string());
    let syms = read_symbols(b, &mut pos)?;
    let nseries = v(&mut pos)? as usize;
    let mut series = Vec::with_capacity(nseries.min(b.len()));
    for _ in 0..nseries {
        let labels = read_labels(b, &mut pos, &syms, true)?;
        let nc = v(&mut pos)? as usize;
        let mut chunks = Vec::with_capacity(nc.min(b.len()));
        for _ in 0..nc {
            let min_t = get_zvarint(b, &mut pos).map_err(|e| e.to_string())?;
            let span = v(&mut pos)? as i64;
            let count = v(&mut pos)? as u32;
            let offset = v(&mut pos)?;
            let len = v(&mut pos)? as u32;
            let raw_len = v(&mut pos)? as u32;
            let crc = b.get(pos..pos + 4).ok_or("truncated chunk reference")?;
            let crc = u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]);
            pos += 4;
            if offset < HEADER_LEN as u64 || offset + len as u64 > chunks_end {
                return Err("chunk reference outside the chunk area".into());
            }
            chunks.push(ChunkRef {
                min_t,
                max_t: min_t.wrapping_add(span),
                count,
                offset,
                len,
                raw_len,
                crc,
            });
        }
        series.push(SeriesEntry { labels, chunks });
    }
    let nmeta = v(&mut pos)? as usize;
    let mut metadata = Vec::with_capacity(nmeta.min(b.len()));
    for _ in 0..nmeta {
        let metric = get_str(b, &mut pos)?.to_string();
        let kind = *b.get(pos).ok_or("truncated metadata")?;
        pos += 1;
        let kind = MetricType::from_code(kind).ok_or("unknown metric type code")?;
        let help = get_str(b, &mut pos)?.to_string();
        let unit = get_str(b, &mut pos)?.to_string();
        metadata.push(MetricMetadata {
            metric,
            kind,
            help,
            unit,
        });
    }
    if pos != b.len() {
        return Err("trailing bytes after the index".into());
    }
    Ok((series, metadata))
}
