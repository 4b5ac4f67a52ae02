//! The expanding notation of series values that Prometheus' test scripts (`load` blocks) and
//! promtool's rule unit tests (`input_series`) share: `1 2 3`, `0+10x5` (6 values from 0 by
//! 10), `1x3` (4 ones), `_` and `_x3` for missing samples, `stale` for a staleness marker.
//! Native-histogram literals (`{{...}}`) are not read: argus stores float samples only, and
//! callers set such series aside.

use crate::model::stale_nan;

/// Numbers as the scripts write them: decimal, exponent, Inf/NaN in any case, signed.
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    let (sign, body) = match t.strip_prefix('-') {
        Some(r) => (-1.0, r),
        None => (1.0, t.strip_prefix('+').unwrap_or(t)),
    };
    let lower = body.to_ascii_lowercase();
    if lower == "inf" {
        return Some(sign * f64::INFINITY);
    }
    if lower == "nan" {
        return Some(f64::NAN);
    }
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || ".eE+-".contains(c))
    {
        return None;
    }
    if let Some(hex) = body.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(|v| sign * v as f64);
    }
    body.parse::<f64>().ok().map(|v| sign * v)
}

/// One value-sequence item expanded: `None` for a gap.
pub fn values(seq: &str) -> Option<Vec<Option<f64>>> {
    expand(seq).ok()
}

fn expand(seq: &str) -> Result<Vec<Option<f64>>, ()> {
    let mut out = Vec::new();
    for item in seq.split_whitespace() {
        if item.contains("{{") || item.contains("}}") {
            return Err(());
        }
        if item == "_" {
            out.push(None);
            continue;
        }
        if item == "stale" {
            out.push(Some(stale_nan()));
            continue;
        }
        if let Some(k) = item.strip_prefix("_x") {
            let k: usize = k.parse().map_err(|_| ())?;
            out.extend(std::iter::repeat_n(None, k));
            continue;
        }
        match item.rfind('x') {
            Some(xi) => {
                let k: usize = item[xi + 1..].parse().map_err(|_| ())?;
                let head = &item[..xi];
                // The operator is the first +/- after the start that does not follow an
                // exponent marker.
                let b = head.as_bytes();
                let op = (1..b.len())
                    .find(|&j| (b[j] == b'+' || b[j] == b'-') && !matches!(b[j - 1], b'e' | b'E'));
                let (start, delta) = match op {
                    Some(j) => {
                        let d = parse_number(&head[j + 1..]).ok_or(())?;
                        (
                            parse_number(&head[..j]).ok_or(())?,
                            if b[j] == b'-' { -d } else { d },
                        )
                    }
                    None => (parse_number(head).ok_or(())?, 0.0),
                };
                let mut v = start;
                for _ in 0..=k {
                    out.push(Some(v));
                    v += delta;
                }
            }
            None => out.push(Some(parse_number(item).ok_or(())?)),
        }
    }
    Ok(out)
}
