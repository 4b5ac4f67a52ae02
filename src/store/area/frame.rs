//! The frame both part formats (metrics and logs) share: a header with magic and version,
//! the body (chunks or blocks), a zstd-compressed index and a footer with the index's place,
//! the format's own totals, checksums and a closing magic. Writing it, checking it when a part
//! is opened, and, for `store repair`, finding what can still be trusted in a part whose frame
//! is damaged. The layouts are in `docs/format/metrics-part.md` and `docs/format/logs-part.md`.

use crate::store::error::{Result, StoreError};
use crate::store::fs::DataFile;
use memmap2::Mmap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Magic, version and a reserved word: the header of both part formats.
pub(crate) const HEADER_LEN: usize = 16;
/// The largest decompressed index a part may have (tens of millions of series).
const MAX_INDEX_BYTES: usize = 1 << 31;
/// The first four bytes of every zstd frame.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
/// How many places a search for a lost index tries before giving up: the index is the last
/// frame, so the first candidate from the end is nearly always it.
const INDEX_SEARCH_TRIES: usize = 64;

/// The frame both part formats share: a 16-byte header (magic, version, a reserved zero),
/// the body, the zstd-compressed index, and a footer made of the index's offset and length
/// (u64 each), the format's own fields, the index's CRC32, the footer's CRC32 and a magic.
/// What differs between metrics and logs is the magics, the version and the fields.
pub(crate) struct Frame {
    /// The file's kind in messages ("part", "log part").
    pub what: &'static str,
    pub header_magic: &'static [u8; 8],
    pub footer_magic: &'static [u8; 8],
    pub version: u32,
    /// The oldest version still read.
    pub oldest_version: u32,
    /// Bytes of the format's own footer fields.
    pub fields_len: usize,
}

/// A part file mapped and checked against its frame.
pub(crate) struct OpenedPart {
    pub map: Mmap,
    pub version: u32,
    /// Where the format's own footer fields start in `map`; `None` when the footer is
    /// damaged and the index was found without it (see [`Frame::open_damaged`]).
    pub fields_at: Option<usize>,
    pub index_offset: u64,
    /// The decompressed index.
    pub index: Vec<u8>,
}

impl Frame {
    fn footer_len(&self) -> usize {
        16 + self.fields_len + 4 + 4 + 8
    }

    /// Creates a part file and writes its header.
    pub fn create(&self, path: &Path) -> Result<BufWriter<DataFile>> {
        let f = DataFile::create(path)?;
        let mut out = BufWriter::with_capacity(1 << 20, f);
        let mut header = Vec::with_capacity(HEADER_LEN);
        header.extend_from_slice(self.header_magic);
        header.extend_from_slice(&self.version.to_le_bytes());
        header.extend_from_slice(&0u32.to_le_bytes());
        out.write_all(&header).map_err(io("write", path))?;
        Ok(out)
    }

    /// Ends a part file whose body ends at `index_offset`: the compressed index, then the
    /// footer with the format's `fields`; then flushes and fsyncs, so the file is durable
    /// before it is published. Returns the file's size.
    pub fn finish(
        &self,
        mut out: BufWriter<DataFile>,
        path: &Path,
        index_offset: u64,
        raw_index: &[u8],
        level: i32,
        fields: &[u8],
    ) -> Result<u64> {
        debug_assert_eq!(fields.len(), self.fields_len);
        let index =
            zstd::bulk::compress(raw_index, level).map_err(io("compress index for", path))?;
        out.write_all(&index).map_err(io("write", path))?;
        let mut footer = Vec::with_capacity(self.footer_len());
        footer.extend_from_slice(&index_offset.to_le_bytes());
        footer.extend_from_slice(&(index.len() as u64).to_le_bytes());
        footer.extend_from_slice(fields);
        footer.extend_from_slice(&crc32fast::hash(&index).to_le_bytes());
        let crc = crc32fast::hash(&footer);
        footer.extend_from_slice(&crc.to_le_bytes());
        footer.extend_from_slice(self.footer_magic);
        out.write_all(&footer).map_err(io("write", path))?;
        let file = out
            .into_inner()
            .map_err(|e| StoreError::io("write", path, e.into_error()))?;
        file.sync(path)?;
        Ok(index_offset + index.len() as u64 + footer.len() as u64)
    }

    /// Maps a part file and checks its frame: header magic and version, footer magic and
    /// checksum, the index's place and checksum; decompresses the index.
    pub fn open(&self, path: &Path) -> Result<OpenedPart> {
        let what = self.what;
        let map = map_file(path)?;
        let b = &map[..];
        let footer_len = self.footer_len();
        if b.len() < HEADER_LEN + footer_len {
            return Err(corrupt(
                path,
                format!("file is {} bytes, too short for a {what}", b.len()),
            ));
        }
        if &b[..8] != self.header_magic {
            return Err(corrupt(
                path,
                format!("bad header magic (not an argus {what} file)"),
            ));
        }
        let version = u32_at(b, 8);
        if !(self.oldest_version..=self.version).contains(&version) {
            return Err(corrupt(
                path,
                format!("unsupported {what} version {version}"),
            ));
        }
        let f = b.len() - footer_len;
        let crc_at = b.len() - 12;
        if &b[crc_at + 4..] != self.footer_magic {
            return Err(corrupt(path, "bad footer magic (truncated file?)"));
        }
        if crc32fast::hash(&b[f..crc_at]) != u32_at(b, crc_at) {
            return Err(corrupt(path, "footer checksum mismatch"));
        }
        let index_offset = u64_at(b, f) as usize;
        let index_len = u64_at(b, f + 8) as usize;
        let index_crc = u32_at(b, crc_at - 4);
        if index_offset < HEADER_LEN || index_offset.checked_add(index_len) != Some(f) {
            return Err(corrupt(path, "index offsets do not fit the file"));
        }
        let index_bytes = &b[index_offset..f];
        if crc32fast::hash(index_bytes) != index_crc {
            return Err(corrupt(path, "index checksum mismatch"));
        }
        // The frame header records the decompressed size, so this allocates once; the cap
        // only guards against a damaged header asking for absurd memory.
        let index = zstd::bulk::decompress(index_bytes, MAX_INDEX_BYTES)
            .map_err(|e| corrupt(path, format!("index does not decompress: {e}")))?;
        Ok(OpenedPart {
            map,
            version,
            fields_at: Some(f + 16),
            index_offset: index_offset as u64,
            index,
        })
    }

    /// What can still be trusted in a part whose frame failed [`Frame::open`]: an index is
    /// used only when it matches the checksum the footer recorded for it, so that a damaged
    /// index can never put samples under wrong labels. With a damaged footer the index is
    /// looked for where it must end (just before the footer) and checked against the footer's
    /// index checksum field, which the damage may have spared. A damaged header does not
    /// matter once the index is found (an unreadable version is taken as the current one;
    /// the chunks' own checksums still guard every chunk).
    pub fn open_damaged(&self, path: &Path) -> Result<Wreck> {
        let map = map_file(path)?;
        let b = &map[..];
        let footer_len = self.footer_len();
        if b.len() < HEADER_LEN + footer_len {
            return Ok(Wreck::IndexLost { fields: None });
        }
        let f = b.len() - footer_len;
        let crc_at = b.len() - 12;
        let footer_ok = &b[crc_at + 4..] == self.footer_magic
            && crc32fast::hash(&b[f..crc_at]) == u32_at(b, crc_at);
        let index_crc = u32_at(b, crc_at - 4);
        let index_at = if footer_ok {
            let (offset, len) = (u64_at(b, f) as usize, u64_at(b, f + 8) as usize);
            (offset >= HEADER_LEN && offset.checked_add(len) == Some(f))
                .then_some(offset)
                .filter(|&o| crc32fast::hash(&b[o..f]) == index_crc)
        } else {
            find_index(b, f, index_crc)
        };
        let fields = footer_ok.then(|| b[f + 16..crc_at - 4].to_vec());
        let Some(offset) = index_at else {
            return Ok(Wreck::IndexLost { fields });
        };
        let Ok(index) = zstd::bulk::decompress(&b[offset..f], MAX_INDEX_BYTES) else {
            return Ok(Wreck::IndexLost { fields });
        };
        let version = u32_at(b, 8);
        let version = if &b[..8] == self.header_magic
            && (self.oldest_version..=self.version).contains(&version)
        {
            version
        } else {
            self.version
        };
        Ok(Wreck::IndexFound(OpenedPart {
            map,
            version,
            fields_at: footer_ok.then_some(f + 16),
            index_offset: offset as u64,
            index,
        }))
    }
}

/// What is left of a part whose frame is damaged (see [`Frame::open_damaged`]).
pub(crate) enum Wreck {
    /// The index was found and its checksum holds: every chunk or block it names that still
    /// passes its own checksum can be read.
    IndexFound(OpenedPart),
    /// The index is lost, and with it what every chunk or block belongs to. `fields` are the
    /// format's footer fields (its totals) when the footer's checksum holds.
    IndexLost { fields: Option<Vec<u8>> },
}

/// The place of the index of a part whose footer starts at `f`: the start of a zstd frame
/// from which the bytes up to `f` have the checksum `crc`, looked for from the end.
fn find_index(b: &[u8], f: usize, crc: u32) -> Option<usize> {
    (HEADER_LEN..f.saturating_sub(ZSTD_MAGIC.len()))
        .rev()
        .filter(|&p| b[p..p + 4] == ZSTD_MAGIC)
        .take(INDEX_SEARCH_TRIES)
        .find(|&p| crc32fast::hash(&b[p..f]) == crc)
}

fn map_file(path: &Path) -> Result<Mmap> {
    let file = File::open(path).map_err(io("open", path))?;
    // Safety: part files are immutable once published (they are written under a temporary
    // name and renamed into place), so the mapping never changes under us.
    unsafe { Mmap::map(&file) }.map_err(io("mmap", path))
}

fn corrupt(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::damaged(path, reason)
}

pub(crate) fn io<'a>(
    op: &'static str,
    path: &'a Path,
) -> impl FnOnce(std::io::Error) -> StoreError + 'a {
    move |e| StoreError::io(op, path, e)
}

pub(crate) fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

pub(crate) fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(a)
}
