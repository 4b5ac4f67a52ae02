//! Log blocks: a run of one stream's entries, encoded column by column and compressed, and
//! the trigram filter that lets a line filter skip a block without decompressing it.
//!
//! Payload of a block before zstd (varints are LEB128, `z` = zigzag):
//! ```text
//! varint n                      entries (>= 1)
//! zvarint t0                    first timestamp (ns)
//! u8 e                          (format 2 on) every delta is a multiple of 10^e ns
//! varint dt1..dt(n-1) / 10^e    the other timestamps, ascending, as deltas
//! varint len_0 .. len_(n-1)     line lengths in bytes
//! bytes                          the lines, concatenated
//! varint m                       entries that carry structured metadata
//! m x (varint index-gap, varint pairs, pairs x (str name, str value))
//! ```
//! Columns compress better than interleaved records: timestamps and lengths are small,
//! regular numbers, and the lines sit next to each other for zstd to find repeats in.

use crate::model::LogEntry;
use crate::store::area::index::{get_str, put_str};
use crate::store::area::varint::{get_varint, get_zvarint, put_varint, put_zvarint, DecodeError};
use std::ops::Range;

/// A block is cut once its lines reach this many bytes: big enough for zstd to find a
/// stream's repetitions, small enough that a query for the newest lines decompresses little.
pub const BLOCK_RAW_BYTES: usize = 512 * 1024;

/// The log part format version whose blocks carry a time unit and whose filters set one bit
/// per trigram; version 1 has neither.
pub const UNIT_VERSION: u32 = 2;

/// A run of one stream's entries in time order, as the block encoder reads them: a slice of
/// [`LogEntry`] (merges) or the log writer's column buffers (ingestion), which hold the lines
/// of a stream in one allocation rather than one per line.
pub trait EntryRun {
    fn len(&self) -> usize;
    fn time(&self, i: usize) -> i64;
    fn line(&self, i: usize) -> &str;
    fn metadata(&self, i: usize) -> &[(String, String)];

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes entry `i` stands for in the raw log: its line and metadata.
    fn raw_len(&self, i: usize) -> usize {
        self.line(i).len()
            + self
                .metadata(i)
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>()
    }
}

impl EntryRun for [LogEntry] {
    fn len(&self) -> usize {
        <[LogEntry]>::len(self)
    }
    fn time(&self, i: usize) -> i64 {
        self[i].t
    }
    fn line(&self, i: usize) -> &str {
        &self[i].line
    }
    fn metadata(&self, i: usize) -> &[(String, String)] {
        &self[i].metadata
    }
}

/// Encodes the entries `range` of `run` (sorted by time, at least one) into `out`, in the
/// current format.
pub fn encode_block<R: EntryRun + ?Sized>(run: &R, range: Range<usize>, out: &mut Vec<u8>) {
    let (first, n) = (range.start, range.len());
    put_varint(out, n as u64);
    put_zvarint(out, run.time(first));
    // Times taken from lines are usually whole micro- or milliseconds: dividing the deltas
    // by their common power of ten saves a byte or two per entry that zstd cannot.
    // Sorted times: a delta is never negative, and between two times of the range the store
    // holds (1678 to 2261) it can exceed an i64 but always fits a u64.
    let delta = |i: usize| run.time(i).wrapping_sub(run.time(i - 1)) as u64;
    let mut exp = if n == 1 { 0 } else { 9u8 };
    for i in first + 1..range.end {
        let d = delta(i);
        while exp > 0 && d % POW10[exp as usize] != 0 {
            exp -= 1;
        }
    }
    out.push(exp);
    let unit = POW10[exp as usize];
    for i in first + 1..range.end {
        put_varint(out, delta(i) / unit);
    }
    for i in range.clone() {
        put_varint(out, run.line(i).len() as u64);
    }
    for i in range.clone() {
        out.extend_from_slice(run.line(i).as_bytes());
    }
    let with_md = range
        .clone()
        .filter(|&i| !run.metadata(i).is_empty())
        .count();
    put_varint(out, with_md as u64);
    let mut last = 0;
    for (k, i) in range.enumerate() {
        let md = run.metadata(i);
        if md.is_empty() {
            continue;
        }
        put_varint(out, (k - last) as u64);
        last = k;
        put_varint(out, md.len() as u64);
        for (name, value) in md {
            put_str(out, name);
            put_str(out, value);
        }
    }
}

const POW10: [u64; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// Decodes a block payload of part format `version`, appending its entries to `out`;
/// returns how many.
pub fn decode_block(buf: &[u8], version: u32, out: &mut Vec<LogEntry>) -> Result<usize, String> {
    visit_block(buf, version, &mut |t, line, md| {
        out.push(LogEntry {
            t,
            line: line.to_string(),
            metadata: md.to_vec(),
        })
    })
}

/// What receives a block's entries one by one: time, line, structured metadata.
pub type EntryVisitor<'a> = dyn FnMut(i64, &str, &[(String, String)]) + 'a;

/// Calls `f(time, line, metadata)` for every entry of a block payload of part format
/// `version`, in order, without allocating the lines: a reader that filters lines allocates
/// only those it keeps. Returns the number of entries.
pub fn visit_block(buf: &[u8], version: u32, f: &mut EntryVisitor) -> Result<usize, String> {
    let e = |e: DecodeError| e.to_string();
    let mut pos = 0;
    let n = get_varint(buf, &mut pos).map_err(e)? as usize;
    if n == 0 || n > buf.len() {
        return Err("bad entry count".into());
    }
    let mut times = Vec::with_capacity(n);
    let mut t = get_zvarint(buf, &mut pos).map_err(e)?;
    times.push(t);
    let unit = if version >= UNIT_VERSION {
        let exp = *buf.get(pos).ok_or("truncated time unit")?;
        pos += 1;
        *POW10.get(exp as usize).ok_or("bad time unit")?
    } else {
        1
    };
    for _ in 1..n {
        let d = get_varint(buf, &mut pos)
            .map_err(e)?
            .checked_mul(unit)
            .ok_or("time delta out of range")?;
        // In i128: a delta may exceed i64::MAX while the time it leads to is in range.
        t = i64::try_from(t as i128 + d as i128).map_err(|_| "time out of range")?;
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

/// A Bloom filter over the byte trigrams of a block's lines: a needle can only occur in a
/// block whose filter holds its trigrams. Sized at one bit per eight bytes of lines (a power
/// of two), it costs about 1.5 % of the raw logs and, for a needle of eight bytes or more,
/// rules out nearly every block that does not contain it.
///
/// Format 2 sets one bit per trigram, for the trigrams at even offsets of each line. A
/// block's distinct trigrams are far fewer than its bytes, so at this size a second bit buys
/// almost nothing; and every other trigram is enough to answer (see `may_contain`). Each
/// halves the cost of building the filter, which was a fifth of ingestion's. Format 1 set
/// two bits for every trigram and is still read.
pub struct TrigramFilter {
    bits: Vec<u8>,
    /// log2 of the number of bits.
    log_bits: u32,
    two_bits: bool,
}

impl TrigramFilter {
    /// An empty filter, in the current format, for about `raw_bytes` bytes of lines.
    pub fn for_bytes(raw_bytes: usize) -> TrigramFilter {
        let bytes = (raw_bytes / 64).next_power_of_two().clamp(64, 1 << 18);
        TrigramFilter {
            bits: vec![0; bytes],
            log_bits: (bytes * 8).trailing_zeros(),
            two_bits: false,
        }
    }

    /// The filter stored as `bytes` (a power of two in length) by a part of format
    /// `version`; `None` when malformed.
    pub fn from_bytes(bytes: &[u8], version: u32) -> Option<TrigramFilter> {
        if !bytes.len().is_power_of_two() || bytes.len() < 8 || bytes.len() > 1 << 28 {
            return None;
        }
        Some(TrigramFilter {
            bits: bytes.to_vec(),
            log_bits: (bytes.len() * 8).trailing_zeros(),
            two_bits: version < UNIT_VERSION,
        })
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bits
    }

    /// Format 1's two bit positions of a trigram.
    fn v1_positions(&self, tri: u32) -> (usize, usize) {
        let shift = 64 - self.log_bits;
        let h = (tri as u64 | 1 << 24).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ((h >> shift) as usize, (h.rotate_left(29) >> shift) as usize)
    }

    /// Format 2's bit position of a trigram: Fibonacci hashing, the top bits of a 32-bit
    /// product.
    #[inline]
    fn position(tri: u32, shift: u32) -> usize {
        (tri.wrapping_mul(0x9E37_79B1) >> shift) as usize
    }

    /// Adds the trigrams of `line` that start at even offsets (the filter must be in the
    /// current format); see [`may_contain`](Self::may_contain) for why that is enough.
    pub fn add_line(&mut self, line: &[u8]) {
        debug_assert!(!self.two_bits);
        // Each trigram is read on its own (four bytes, the fourth masked off). The mask lets
        // the compiler drop most bounds checks (positions are below the filter's size by
        // construction).
        let shift = 32 - self.log_bits;
        let mask = self.bits.len() - 1;
        let bits = &mut self.bits[..];
        let mut set = |tri: u32| {
            let p = Self::position(tri, shift);
            bits[(p / 8) & mask] |= 1 << (p % 8);
        };
        let mut i = 0;
        while i + 4 <= line.len() {
            let w = &line[i..i + 4];
            set(u32::from_le_bytes([w[0], w[1], w[2], w[3]]) & 0xFF_FFFF);
            i += 2;
        }
        if i + 3 == line.len() {
            set(trigram(&line[i..]));
        }
    }

    fn has(&self, tri: u32) -> bool {
        let bit = |p: usize| self.bits[p / 8] & (1 << (p % 8)) != 0;
        if self.two_bits {
            let (a, b) = self.v1_positions(tri);
            bit(a) && bit(b)
        } else {
            bit(Self::position(tri, 32 - self.log_bits))
        }
    }

    /// False when no line of the block can contain `needle`; true when one may.
    ///
    /// Format 2 holds only the trigrams at even offsets of each line, which halves the cost
    /// of building it. A needle found in a line starts at an even or an odd offset; either
    /// way, every other one of its trigrams (those at even offsets of the line) is in the
    /// filter. So a needle may occur when all its even-position trigrams are present, or all
    /// its odd-position ones. Needles shorter than four bytes (three in format 1) always may.
    pub fn may_contain(&self, needle: &[u8]) -> bool {
        let grams = || needle.windows(3).map(trigram);
        if self.two_bits {
            return grams().all(|t| self.has(t));
        }
        if needle.len() < 4 {
            return true;
        }
        let parity = |p: usize| grams().skip(p).step_by(2).all(|t| self.has(t));
        parity(0) || parity(1)
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
        encode_block(&v[..], 0..v.len(), &mut buf);
        let mut out = Vec::new();
        assert_eq!(decode_block(&buf, UNIT_VERSION, &mut out).unwrap(), v.len());
        assert_eq!(out, v);
    }

    #[test]
    fn times_are_stored_in_their_coarsest_unit_and_come_back_exact() {
        for step in [1, 7, 1_000, 250_000, 1_000_000_000] {
            let mut v = entries();
            for (i, e) in v.iter_mut().enumerate() {
                e.t = 1_700_000_000_123_456_789 + i as i64 * step;
            }
            v[7].t = v[6].t; // a zero delta divides by any unit
            let mut buf = Vec::new();
            encode_block(&v[..], 0..v.len(), &mut buf);
            let mut out = Vec::new();
            decode_block(&buf, UNIT_VERSION, &mut out).unwrap();
            assert_eq!(out, v, "step {step}");
        }
    }

    #[test]
    fn format_1_blocks_and_filters_still_read() {
        // Format 1: no time unit byte, and two bits per trigram.
        let mut buf = Vec::new();
        put_varint(&mut buf, 2);
        put_zvarint(&mut buf, 1_000);
        put_varint(&mut buf, 5);
        put_varint(&mut buf, 3);
        put_varint(&mut buf, 4);
        buf.extend_from_slice(b"abcdefg");
        put_varint(&mut buf, 0);
        let mut out = Vec::new();
        decode_block(&buf, 1, &mut out).unwrap();
        assert_eq!(
            out,
            vec![LogEntry::new(1_000, "abc"), LogEntry::new(1_005, "defg")]
        );

        let mut f = TrigramFilter::from_bytes(&[0; 64], 1).unwrap();
        for w in b"needle".windows(3) {
            let (a, b) = f.v1_positions(trigram(w));
            f.bits[a / 8] |= 1 << (a % 8);
            f.bits[b / 8] |= 1 << (b % 8);
        }
        assert!(f.may_contain(b"needle"));
        assert!(!f.may_contain(b"haystack"));
    }

    #[test]
    fn damaged_blocks_are_errors_not_panics() {
        let mut buf = Vec::new();
        let v = entries();
        encode_block(&v[..], 0..v.len(), &mut buf);
        for cut in [0, 1, 5, buf.len() / 2, buf.len() - 1] {
            assert!(
                decode_block(&buf[..cut], UNIT_VERSION, &mut Vec::new()).is_err(),
                "cut {cut}"
            );
        }
        let mut longer = buf.clone();
        longer.push(0);
        assert!(decode_block(&longer, UNIT_VERSION, &mut Vec::new()).is_err());
    }

    #[test]
    fn the_filter_never_rules_out_a_present_needle_and_rules_out_absent_ones() {
        let v = entries();
        let raw: usize = v.iter().map(|e| e.line.len()).sum();
        let mut f = TrigramFilter::for_bytes(raw);
        for e in &v {
            f.add_line(e.line.as_bytes());
        }
        // Every substring, at odd and even offsets, of the shortest lengths the filter
        // answers for and a longer one.
        for e in &v {
            for len in [4, 5, 6, 9] {
                for w in e.line.as_bytes().windows(len) {
                    assert!(f.may_contain(w), "{:?}", String::from_utf8_lossy(w));
                }
            }
        }
        assert!(f.may_contain(b"abc"), "short needles always may");
        let f2 = TrigramFilter::from_bytes(f.as_bytes(), UNIT_VERSION).unwrap();
        let absent = ["Exception in thread", "user=alice", "status=503 upstream"];
        assert!(absent.iter().all(|n| !f2.may_contain(n.as_bytes())));
    }
}
