//! The sample codec: one chunk of one series' samples to bytes and back. Pure functions, no
//! I/O, so they are tested exhaustively on their own.
//!
//! Why not plain Gorilla: Gorilla's XOR encoding spends most of its bits on the mantissa noise
//! of decimal values (12345.67 is not exact in binary), which is what real exporters emit. Like
//! VictoriaMetrics, argus first turns a chunk's values into integers with one shared decimal
//! exponent when that is exact, delta-encodes them, and lets zstd squeeze the varints. Values
//! that are not exactly decimal (NaN, the staleness marker, ±Inf, -0.0, long fractions) are
//! carried bit-exact as exceptions; a chunk with many of them is XOR-encoded instead.
//! Timestamps are delta-of-delta, which is all zeros for a regular scrape interval.
//!
//! Layout of a chunk before compression (all varints are LEB128, `z` = zigzag):
//! ```text
//! varint n                 number of samples (>= 1)
//! u8     mode              0 = decimal, 1 = xor
//! zvarint t0, zvarint d1, zvarint dod2 .. dod(n-1)      timestamps (ms)
//! mode 0: u8 exponent E (decimals, 0..=15); varint k exceptions;
//!         k x (varint index-gap, u64 LE bits); zvarint m0, zvarint (m_i - m_{i-1}) ...
//!         value_i = m_i / 10^E, except at exception indexes
//! mode 1: u64 LE bits of v0, then u64 LE (bits_i XOR bits_{i-1}) ...
//! ```
//! The stored chunk is this payload compressed with zstd (see `part.rs`).

use crate::model::Sample;
use crate::store::area::varint::{put_varint, put_zvarint, DecodeError, Reader};

/// The largest decimal exponent tried; 10^15 is exact in f64.
const MAX_DECIMALS: u32 = 15;
/// Above this share of exceptions a chunk is XOR-encoded.
const MAX_EXCEPTION_RATIO: usize = 8;

const POW10: [f64; 16] = [
    1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The smallest number of decimals `d` with `v == m / 10^d` exactly for an integer `m`
/// (|m| < 2^53), or `None`.
fn decimals_of(v: f64) -> Option<u32> {
    if !v.is_finite() || (v == 0.0 && v.is_sign_negative()) {
        return None;
    }
    for d in 0..=MAX_DECIMALS {
        let scaled = v * POW10[d as usize];
        if scaled.abs() >= 9.007_199_254_740_992e15 {
            return None;
        }
        let m = scaled.round();
        if m / POW10[d as usize] == v {
            return Some(d);
        }
    }
    None
}

/// Encodes samples (sorted by time, unique timestamps, at least one) into `out`.
pub fn encode_chunk(samples: &[Sample], out: &mut Vec<u8>) {
    debug_assert!(!samples.is_empty());
    put_varint(out, samples.len() as u64);
    let mode_at = out.len();
    out.push(0);
    // Timestamps: first, first delta, then delta-of-deltas.
    let mut prev_t = 0i64;
    let mut prev_d = 0i64;
    for (i, s) in samples.iter().enumerate() {
        match i {
            0 => put_zvarint(out, s.t),
            1 => {
                prev_d = s.t.wrapping_sub(prev_t);
                put_zvarint(out, prev_d);
            }
            _ => {
                let d = s.t.wrapping_sub(prev_t);
                put_zvarint(out, d.wrapping_sub(prev_d));
                prev_d = d;
            }
        }
        prev_t = s.t;
    }
    // Values: decimal when few values resist, else XOR.
    let decimals: Vec<Option<u32>> = samples.iter().map(|s| decimals_of(s.v)).collect();
    let exponent = decimals.iter().flatten().copied().max().unwrap_or(0);
    let mut exceptions: Vec<usize> = Vec::new();
    let mut mantissas: Vec<i64> = Vec::with_capacity(samples.len());
    for (i, s) in samples.iter().enumerate() {
        let m = match decimals[i] {
            Some(_) => {
                let m = (s.v * POW10[exponent as usize]).round();
                // The shared exponent can push a mantissa past 2^53 or make the division
                // inexact; such values become exceptions like non-decimal ones.
                if m.abs() < 9.007_199_254_740_992e15
                    && (m / POW10[exponent as usize]).to_bits() == s.v.to_bits()
                {
                    Some(m as i64)
                } else {
                    None
                }
            }
            None => None,
        };
        match m {
            Some(m) => mantissas.push(m),
            None => {
                exceptions.push(i);
                // Repeat the previous mantissa so the delta stream stays flat.
                mantissas.push(mantissas.last().copied().unwrap_or(0));
            }
        }
    }
    if exceptions.len() * MAX_EXCEPTION_RATIO > samples.len() {
        out[mode_at] = 1;
        let mut prev = 0u64;
        for s in samples {
            let bits = s.v.to_bits();
            out.extend_from_slice(&(bits ^ prev).to_le_bytes());
            prev = bits;
        }
        return;
    }
    out.push(exponent as u8);
    put_varint(out, exceptions.len() as u64);
    let mut prev_i = 0usize;
    for &i in &exceptions {
        put_varint(out, (i - prev_i) as u64);
        out.extend_from_slice(&samples[i].v.to_bits().to_le_bytes());
        prev_i = i;
    }
    let mut prev_m = 0i64;
    for &m in &mantissas {
        put_zvarint(out, m.wrapping_sub(prev_m));
        prev_m = m;
    }
}

/// Decodes a chunk, appending its samples to `out`. Returns the number of samples.
pub fn decode_chunk(buf: &[u8], out: &mut Vec<Sample>) -> Result<usize, DecodeError> {
    let mut r = Reader { buf, pos: 0 };
    let n = r.varint()? as usize;
    if n == 0 || n > buf.len() * 8 + 1 {
        return Err(DecodeError("bad sample count"));
    }
    let mode = r.byte().ok_or(DecodeError("truncated header"))?;
    let start = out.len();
    out.reserve(n);
    let mut t = r.zvarint()?;
    out.push(Sample { t, v: 0.0 });
    let mut d = 0i64;
    if n > 1 {
        d = r.zvarint()?;
        t = t.wrapping_add(d);
        out.push(Sample { t, v: 0.0 });
    }
    let mut left = n.saturating_sub(2);
    while left > 0 {
        // A regular interval makes every delta-of-delta a zero byte: take eight at a time.
        if left >= 8 && r.zeros8() {
            for _ in 0..8 {
                t = t.wrapping_add(d);
                out.push(Sample { t, v: 0.0 });
            }
            left -= 8;
            continue;
        }
        d = d.wrapping_add(r.zvarint()?);
        t = t.wrapping_add(d);
        out.push(Sample { t, v: 0.0 });
        left -= 1;
    }
    let samples = &mut out[start..];
    match mode {
        0 => {
            let e = r.byte().ok_or(DecodeError("truncated exponent"))? as usize;
            if e > MAX_DECIMALS as usize {
                return Err(DecodeError("bad exponent"));
            }
            let k = r.varint()? as usize;
            if k > n {
                return Err(DecodeError("bad exception count"));
            }
            let mut exceptions = Vec::with_capacity(k);
            let mut idx = 0usize;
            for _ in 0..k {
                idx += r.varint()? as usize;
                let bits = r.u64()?;
                if idx >= n {
                    return Err(DecodeError("exception index out of range"));
                }
                exceptions.push((idx, bits));
            }
            let mut m = 0i64;
            if e == 0 {
                // Integers (most counters): no division needed.
                for s in samples.iter_mut() {
                    m = m.wrapping_add(r.zvarint()?);
                    s.v = m as f64;
                }
            } else {
                let scale = POW10[e];
                for s in samples.iter_mut() {
                    m = m.wrapping_add(r.zvarint()?);
                    s.v = m as f64 / scale;
                }
            }
            for (i, bits) in exceptions {
                samples[i].v = f64::from_bits(bits);
            }
        }
        1 => {
            let mut prev = 0u64;
            for s in samples.iter_mut() {
                prev ^= r.u64()?;
                s.v = f64::from_bits(prev);
            }
        }
        _ => return Err(DecodeError("unknown value mode")),
    }
    if r.pos != buf.len() {
        return Err(DecodeError("trailing bytes"));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::stale_nan;

    fn round_trip(samples: &[Sample]) -> usize {
        let mut buf = Vec::new();
        encode_chunk(samples, &mut buf);
        let mut out = Vec::new();
        assert_eq!(decode_chunk(&buf, &mut out).unwrap(), samples.len());
        assert_eq!(out.len(), samples.len());
        for (a, b) in samples.iter().zip(&out) {
            assert_eq!(a.t, b.t);
            assert_eq!(a.v.to_bits(), b.v.to_bits(), "{} vs {}", a.v, b.v);
        }
        buf.len()
    }

    fn series(vals: &[f64]) -> Vec<Sample> {
        vals.iter()
            .enumerate()
            .map(|(i, &v)| Sample {
                t: 1_700_000_000_000 + 15_000 * i as i64,
                v,
            })
            .collect()
    }

    #[test]
    fn special_values_are_bit_exact() {
        round_trip(&series(&[
            1.0,
            f64::NAN,
            stale_nan(),
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.0,
            0.0,
            f64::MIN_POSITIVE,
            f64::MAX,
            1e-300,
            0.1,
            12345.67,
        ]));
        round_trip(&series(&[stale_nan()]));
        round_trip(&series(&[0.1 + 0.2]));
    }

    #[test]
    fn decimal_counters_are_small() {
        let mut v = 100_000.0f64;
        let vals: Vec<f64> = (0..1000)
            .map(|i| {
                v = ((v + 14.0 + (i % 7) as f64 * 0.13) * 100.0).round() / 100.0;
                v
            })
            .collect();
        let samples = series(&vals);
        round_trip(&samples);
        let mut buf = Vec::new();
        encode_chunk(&samples, &mut buf);
        // Regular timestamps and 7 distinct increments: zstd leaves well under a byte each.
        let packed = zstd::bulk::compress(&buf, 3).unwrap().len();
        assert!(packed < 1000, "{packed}");
    }

    #[test]
    fn irregular_timestamps_and_random_bits() {
        let mut x: u64 = 0x1234_5678_9abc_def0;
        let samples: Vec<Sample> = (0..500)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                Sample {
                    t: -5_000 + i * 7 + (x % 3) as i64 * 1000 * i,
                    v: f64::from_bits(x),
                }
            })
            .collect();
        let mut sorted = samples.clone();
        sorted.sort_by_key(|s| s.t);
        sorted.dedup_by_key(|s| s.t);
        round_trip(&sorted);
    }

    #[test]
    fn truncated_input_is_an_error_not_a_panic() {
        let mut buf = Vec::new();
        encode_chunk(&series(&[1.5, 2.5, 3.5]), &mut buf);
        for cut in 0..buf.len() {
            let mut out = Vec::new();
            assert!(decode_chunk(&buf[..cut], &mut out).is_err(), "cut {cut}");
        }
    }
}
