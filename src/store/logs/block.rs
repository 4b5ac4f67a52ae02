//! Log blocks: a run of one stream's entries, encoded column by column and compressed, and
//! the trigram filter that lets a line filter skip a block without decompressing it.
//!
//! Payload of a block before zstd (varints are LEB128, `z` = zigzag):
//! ```text
//! varint n                      entries (>= 1)
//! zvarint t0, varint dt1..dt(n-1)   timestamps (ns), ascending, deltas
//! varint len_0 .. len_(n-1)     line lengths in bytes
//! bytes                          the lines, concatenated
//! varint m                       entries that carry structured metadata
//! m x (varint index-gap, varint pairs, pairs x (str name, str value))
//! ```
//! Columns compress better than interleaved records: timestamps and lengths are small,
//! regular numbers, and the lines sit next to each other for zstd to find repeats in.

use crate::model::LogEntry;
use crate::store::codec::{get_varint, get_zvarint, put_varint, put_zvarint, DecodeError};
use crate::store::part::{get_str, put_str};

/// A block is cut once its lines reach this many bytes: big enough for zstd to find a
/// stream's repetitions, small enough that a query for the newest lines decompresses little.
pub const BLOCK_RAW_BYTES: usize = 512 * 1024;

/// Encodes entries (sorted by time, at least one) into `out`.
pub fn encode_block(entries: &[LogEntry], out: &mut Vec<u8>) {
    put_varint(out, entries.len() as u64);
    put_zvarint(out, entries[0].t);
    for w in entries.windows(2) {
        put_varint(out, (w[1].t - w[0].t) as u64);
    }
    for e in entries {
        put_varint(out, e.line.len() as u64);
    }
    for e in entries {
        out.extend_from_slice(e.line.as_bytes());
    }
    let with_md = entries.iter().filter(|e| !e.metadata.is_empty()).count();
    put_varint(out, with_md as u64);
    let mut last = 0;
    for (i, e) in entries.iter().enumerate() {
        if e.metadata.is_empty() {
            continue;
        }
        put_varint(out, (i - last) as u64);
        last = i;
        put_varint(out, e.metadata.len() as u64);
        for (k, v) in &e.metadata {
            put_str(out, k);
            put_str(out, v);
        }
    }
}

/// Decodes a block payload, appending its entries to `out`; returns how many.
pub fn decode_block(buf: &[u8], out: &mut Vec<LogEntry>) -> Result<usize, String> {
    visit_block(buf, &mut |t, line, md| {
        out.push(LogEntry {
            t,
            line: line.to_string(),
            metadata: md.to_vec(),
        })
    })
}

/// What receives a block's entries one by one: time, line, structured metadata.
pub type EntryVisitor<'a> = dyn FnMut(i64, &str, &[(String, String)]) + 'a;

/// Calls `f(time, line, metadata)` for every entry of a block payload, in order, without
/// allocating the lines: a reader that filters lines allocates only those it keeps. Returns
/// the number of entries.
pub fn visit_block(buf: &[u8], f: &mut EntryVisitor) -> Result<usize, String> {
    let e = |e: DecodeError| e.to_string();
    let mut pos = 0;
    let n = get_varint(buf, &mut pos).map_err(e)? as usize;
    if n == 0 || n > buf.len() {
        return Err("bad entry count".into());
    }
    let mut times = Vec::with_capacity(n);
    let mut t = get_zvarint(buf, &mut pos).map_err(e)?;
    times.push(t);
    for _ in 1..n {
        let d = get_varint(buf, &mut pos).map_err(e)?;
        t = t
            .checked_add(i64::try_from(d).map_err(|_| "time delta out of range")?)
            .ok_or("time out of range")?;
        times.push(t);
    }
    let mut lens = Vec::with_capacity(n);
    let mut total = 0usize;
    for _ in 0..n {
        let len = get_varint(buf, &mut pos).map_err(e)? as usize;
        total = total.checked_add(len).ok_or("line length out of range")?;
        lens.push(len);
    }
    let lines_at = pos;
    let lines = buf
        .get(
            lines_at
                ..lines_at
                    .checked_add(total)
                    .ok_or("line length out of range")?,
        )
        .ok_or("line runs past the end")?;
    pos += total;
    // Metadata follows the lines: read it first, so each line can be handed with its own.
    let m = get_varint(buf, &mut pos).map_err(e)? as usize;
    if m > n {
        return Err("bad metadata count".into());
    }
    let mut metadata: Vec<(usize, Vec<(String, String)>)> = Vec::with_capacity(m);
    let mut idx = 0usize;
    for k in 0..m {
        let gap = get_varint(buf, &mut pos).map_err(e)? as usize;
        idx = idx.checked_add(gap).ok_or("metadata index out of range")?;
        if idx >= n || (k > 0 && gap == 0) {
            return Err("metadata index out of range".into());
        }
        let pairs = get_varint(buf, &mut pos).map_err(e)? as usize;
        if pairs > buf.len() {
            return Err("bad metadata pair count".into());
        }
        let mut md = Vec::with_capacity(pairs);
        for _ in 0..pairs {
            let k = get_str(buf, &mut pos)?.to_string();
            let v = get_str(buf, &mut pos)?.to_string();
            md.push((k, v));
        }
        metadata.push((idx, md));
    }
    if pos != buf.len() {
        return Err("trailing bytes".into());
    }
    // Checking the whole run of lines once is faster than line by line; slicing the checked
    // `str` then only verifies that each line starts and ends on a character boundary.
    let text = std::str::from_utf8(lines).map_err(|_| "line is not UTF-8")?;
    let mut at = 0;
    let mut next_md = metadata.iter().peekable();
    for (i, (t, len)) in times.into_iter().zip(lens).enumerate() {
        let line = text.get(at..at + len).ok_or("line is not UTF-8")?;
        at += len;
        let md: &[(String, String)] = match next_md.peek() {
            Some((j, md)) if *j == i => {
                next_md.next();
                md
            }
            _ => &[],
        };
        f(t, line, md);
    }
    Ok(n)
}

/// A Bloom filter over the byte trigrams of a block's lines, two bits per trigram. A needle
/// of three bytes or more can only occur in a block whose filter holds all its trigrams.
/// Sized at one bit per eight bytes of lines (a power of two), it costs about 1.5 % of the
/// raw logs and, for a needle of eight bytes or more, rules out nearly every block that does
/// not contain it.
pub struct TrigramFilter {
    bits: Vec<u8>,
    shift: u32,
}

impl TrigramFilter {
    /// An empty filter for about `raw_bytes` bytes of lines.
    pub fn for_bytes(raw_bytes: usize) -> TrigramFilter {
        let bytes = (raw_bytes / 64).next_power_of_two().clamp(64, 1 << 18);
        TrigramFilter {
            bits: vec![0; bytes],
            shift: 64 - (bytes * 8).trailing_zeros(),
        }
    }

    /// The filter stored as `bytes` (a power of two in length); `None` when malformed.
    pub fn from_bytes(bytes: &[u8]) -> Option<TrigramFilter> {
        if !bytes.len().is_power_of_two() || bytes.len() < 8 {
            return None;
        }
        Some(TrigramFilter {
            bits: bytes.to_vec(),
            shift: 64 - (bytes.len() * 8).trailing_zeros(),
        })
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bits
    }

    #[inline]
    fn positions(&self, tri: u32) -> (usize, usize) {
        let h = (tri as u64 | 1 << 24).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (
            (h >> self.shift) as usize,
            (h.rotate_left(29) >> self.shift) as usize,
        )
    }

    pub fn add_line(&mut self, line: &[u8]) {
        // A rolling trigram; positions are below the filter's size by construction, and the
        // mask lets the compiler drop the bounds checks.
        let mask = self.bits.len() - 1;
        let mut tri = 0u32;
        for (i, &b) in line.iter().enumerate() {
            tri = (tri >> 8) | (b as u32) << 16;
            if i >= 2 {
                let (a, b) = self.positions(tri);
                self.bits[(a / 8) & mask] |= 1 << (a % 8);
                self.bits[(b / 8) & mask] |= 1 << (b % 8);
            }
        }
    }

    fn has(&self, tri: u32) -> bool {
        let (a, b) = self.positions(tri);
        self.bits[a / 8] & (1 << (a % 8)) != 0 && self.bits[b / 8] & (1 << (b % 8)) != 0
    }

    /// False when no line of the block can contain `needle`; true when one may. Needles
    /// shorter than three bytes always may.
    pub fn may_contain(&self, needle: &[u8]) -> bool {
        needle.windows(3).all(|w| self.has(trigram(w)))
    }
}

fn trigram(w: &[u8]) -> u32 {
    w[0] as u32 | (w[1] as u32) << 8 | (w[2] as u32) << 16
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<LogEntry> {
        let mut v: Vec<LogEntry> = (0..500)
            .map(|i| {
                LogEntry::new(
                    1_700_000_000_000_000_000 + i * 1_000_000,
                    format!("level=info msg=\"request {i} served\" took={}ms", i % 17),
                )
            })
            .collect();
        v[3].metadata = vec![("trace_id".into(), "abc".into())];
        v[499].metadata = vec![("a".into(), "".into()), ("b".into(), "2".into())];
        v[10].line = String::new();
        v
    }

    #[test]
    fn blocks_round_trip_with_metadata_and_empty_lines() {
        let v = entries();
        let mut buf = Vec::new();
        encode_block(&v, &mut buf);
        let mut out = Vec::new();
        assert_eq!(decode_block(&buf, &mut out).unwrap(), v.len());
        assert_eq!(out, v);
    }

    #[test]
    fn damaged_blocks_are_errors_not_panics() {
        let mut buf = Vec::new();
        encode_block(&entries(), &mut buf);
        for cut in [0, 1, 5, buf.len() / 2, buf.len() - 1] {
            assert!(
                decode_block(&buf[..cut], &mut Vec::new()).is_err(),
                "cut {cut}"
            );
        }
        let mut longer = buf.clone();
        longer.push(0);
        assert!(decode_block(&longer, &mut Vec::new()).is_err());
    }

    #[test]
    fn the_filter_never_rules_out_a_present_needle_and_rules_out_absent_ones() {
        let v = entries();
        let raw: usize = v.iter().map(|e| e.line.len()).sum();
        let mut f = TrigramFilter::for_bytes(raw);
        for e in &v {
            f.add_line(e.line.as_bytes());
        }
        for e in &v {
            for w in e.line.as_bytes().windows(9) {
                assert!(f.may_contain(w));
            }
        }
        assert!(f.may_contain(b"ab"), "short needles always may");
        let f2 = TrigramFilter::from_bytes(f.as_bytes()).unwrap();
        let absent = ["Exception in thread", "user=alice", "status=503 upstream"];
        assert!(absent.iter().all(|n| !f2.may_contain(n.as_bytes())));
    }
}
