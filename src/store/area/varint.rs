//! The integers every part file is made of: unsigned LEB128 varints, zigzag-encoded signed
//! varints and little-endian u64s, written and read. Shared by the index of both part
//! formats, the metric chunk codec and the log block codec. Pure functions, no I/O.

/// Bytes that do not decode: what was wrong, for the message of a damaged file.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("chunk decoding failed: {0}")]
pub struct DecodeError(pub &'static str);

pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub fn put_zvarint(out: &mut Vec<u8>, v: i64) {
    put_varint(out, ((v << 1) ^ (v >> 63)) as u64);
}

/// Reads a varint at `*pos`, advancing it (for callers that keep their position in a
/// variable; hot loops use a [`Reader`]).
#[inline]
pub fn get_varint(buf: &[u8], pos: &mut usize) -> Result<u64, DecodeError> {
    let mut r = Reader { buf, pos: *pos };
    let v = r.varint()?;
    *pos = r.pos;
    Ok(v)
}

#[inline]
pub fn get_zvarint(buf: &[u8], pos: &mut usize) -> Result<i64, DecodeError> {
    let u = get_varint(buf, pos)?;
    Ok(((u >> 1) as i64) ^ -((u & 1) as i64))
}

pub fn get_u64(buf: &[u8], pos: &mut usize) -> Result<u64, DecodeError> {
    let b = buf
        .get(*pos..*pos + 8)
        .ok_or(DecodeError("truncated value"))?;
    *pos += 8;
    Ok(u64::from_le_bytes(
        b.try_into().map_err(|_| DecodeError("truncated value"))?,
    ))
}

/// A read position in a buffer, kept in a local so that decoding loops hold it in a
/// register (a `&mut usize` shared with out-of-line helpers would live in memory).
pub struct Reader<'a> {
    pub buf: &'a [u8],
    pub pos: usize,
}

impl Reader<'_> {
    #[inline(always)]
    pub fn byte(&mut self) -> Option<u8> {
        let b = *self.buf.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    #[inline(always)]
    pub fn varint(&mut self) -> Result<u64, DecodeError> {
        let mut pos = self.pos;
        let mut v = 0u64;
        let mut shift = 0u32;
        loop {
            let Some(&b) = self.buf.get(pos) else {
                return Err(DecodeError("truncated varint"));
            };
            pos += 1;
            v |= ((b & 0x7f) as u64) << shift;
            if b < 0x80 {
                self.pos = pos;
                return Ok(v);
            }
            shift += 7;
            if shift > 63 {
                return Err(DecodeError("varint too long"));
            }
        }
    }

    #[inline(always)]
    pub fn zvarint(&mut self) -> Result<i64, DecodeError> {
        let u = self.varint()?;
        Ok(((u >> 1) as i64) ^ -((u & 1) as i64))
    }

    /// Skips the next eight bytes if they are all zero.
    #[inline(always)]
    pub fn zeros8(&mut self) -> bool {
        match self.buf.get(self.pos..self.pos + 8) {
            Some(b) if u64::from_ne_bytes(b.try_into().unwrap_or([1; 8])) == 0 => {
                self.pos += 8;
                true
            }
            _ => false,
        }
    }

    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        get_u64(self.buf, &mut self.pos)
    }
}
