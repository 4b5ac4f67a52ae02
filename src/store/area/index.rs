//! What the indexes of both part formats share: a symbol table (every label name and value
//! once, sorted) followed by label sets written as pairs of symbol numbers, and strings as a
//! varint length and UTF-8 bytes. The layouts are in `docs/format/metrics-part.md` and
//! `docs/format/logs-part.md`.

use super::varint::{get_varint, put_varint};
use crate::model::Labels;
use std::collections::BTreeMap;

pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

pub(crate) fn get_str<'a>(b: &'a [u8], pos: &mut usize) -> std::result::Result<&'a str, String> {
    let n = get_varint(b, pos).map_err(|e| e.to_string())? as usize;
    let s = b.get(*pos..*pos + n).ok_or("string runs past the end")?;
    *pos += n;
    std::str::from_utf8(s).map_err(|_| "string is not UTF-8".to_string())
}

/// The symbol table both part indexes start with: every label name and value once, sorted,
/// so that label sets are written as pairs of symbol numbers.
pub(crate) struct Symbols<'a>(BTreeMap<&'a str, u32>);

impl<'a> Symbols<'a> {
    /// The symbols of `sets`.
    pub fn of(sets: impl IntoIterator<Item = &'a Labels>) -> Symbols<'a> {
        let mut syms: BTreeMap<&str, u32> = BTreeMap::new();
        for labels in sets {
            for (k, v) in labels.iter() {
                syms.insert(k, 0);
                syms.insert(v, 0);
            }
        }
        for (i, id) in syms.values_mut().enumerate() {
            *id = i as u32;
        }
        Symbols(syms)
    }

    /// `varint nsym, nsym x string`.
    pub fn write_table(&self, out: &mut Vec<u8>) {
        put_varint(out, self.0.len() as u64);
        for s in self.0.keys() {
            put_str(out, s);
        }
    }

    /// `varint nlabels, nlabels x (varint name, varint value)`; every string must be in the
    /// table.
    pub fn write_labels(&self, out: &mut Vec<u8>, labels: &Labels) {
        put_varint(out, labels.len() as u64);
        for (k, v) in labels.iter() {
            put_varint(out, self.0[k] as u64);
            put_varint(out, self.0[v] as u64);
        }
    }
}

/// Reads a symbol table written by [`Symbols::write_table`].
pub(crate) fn read_symbols(b: &[u8], pos: &mut usize) -> std::result::Result<Vec<String>, String> {
    let n = get_varint(b, pos).map_err(|e| e.to_string())? as usize;
    let mut syms = Vec::with_capacity(n.min(b.len()));
    for _ in 0..n {
        syms.push(get_str(b, pos)?.to_string());
    }
    Ok(syms)
}

/// Reads a label set written by [`Symbols::write_labels`], checking that its names are
/// sorted and unique and its values non-empty (and, unless `may_be_empty`, that it has one
/// label at least).
pub(crate) fn read_labels(
    b: &[u8],
    pos: &mut usize,
    syms: &[String],
    may_be_empty: bool,
) -> std::result::Result<Labels, String> {
    let v = |pos: &mut usize| get_varint(b, pos).map_err(|e| e.to_string());
    let sym = |i: u64| {
        syms.get(i as usize)
            .cloned()
            .ok_or_else(|| format!("symbol {i} out of range"))
    };
    let n = v(pos)? as usize;
    let mut pairs = Vec::with_capacity(n.min(64));
    for _ in 0..n {
        let k = sym(v(pos)?)?;
        let val = sym(v(pos)?)?;
        pairs.push((k, val));
    }
    if (pairs.is_empty() && !may_be_empty)
        || !pairs.windows(2).all(|w| w[0].0 < w[1].0)
        || pairs.iter().any(|(_, v)| v.is_empty())
    {
        return Err("label set empty, not sorted, not unique or with an empty value".into());
    }
    Ok(Labels::from_sorted_unchecked(pairs))
}
