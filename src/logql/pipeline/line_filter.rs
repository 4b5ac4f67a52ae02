//! Line filters: `|=`, `!=`, `|~`, `!~`, `|>`, `!>`, each with `or` alternatives and `ip()`
//! operands, and the `| decolorize` rewrite.

use crate::logql::ast::{LineFilter, LineFilterValue, LineMatchOp};
use crate::logql::extract::{IpFilter, Pattern};
use regex::Regex;

/// One operand of a line filter, compiled.
enum Operand {
    /// The needle and its precompiled SIMD searcher: `|=` runs over every line of a query,
    /// and memchr's searcher is several times faster than `str::contains`.
    Substring(String, Box<memchr::memmem::Finder<'static>>),
    Regex(Regex),
    Pattern(Pattern),
    Ip(IpFilter),
}

impl Operand {
    fn matches(&self, line: &str) -> bool {
        match self {
            Operand::Substring(_, finder) => finder.find(line.as_bytes()).is_some(),
            Operand::Regex(r) => r.is_match(line),
            Operand::Pattern(p) => p.matches(line),
            Operand::Ip(ip) => ip.matches_line(line),
        }
    }
}

/// A line filter: keeps a line matching any operand, or (negated) drops it.
pub struct LineTest {
    negated: bool,
    operands: Vec<Operand>,
}

impl LineTest {
    pub fn compile(f: &LineFilter) -> Result<LineTest, String> {
        let mut operands = Vec::with_capacity(f.values.len());
        for v in &f.values {
            operands.push(match (v, f.op) {
                (LineFilterValue::Ip(p), _) => Operand::Ip(IpFilter::new(p)?),
                (LineFilterValue::Str(s), LineMatchOp::Contains | LineMatchOp::NotContains) => {
                    Operand::Substring(
                        s.clone(),
                        Box::new(memchr::memmem::Finder::new(s.as_bytes()).into_owned()),
                    )
                }
                (LineFilterValue::Str(s), LineMatchOp::Regex | LineMatchOp::NotRegex) => {
                    // Unanchored, and `.` matches a newline, as Loki's line filters.
                    Operand::Regex(
                        Regex::new(&format!("(?s:{s})"))
                            .map_err(|e| format!("invalid regex {s:?}: {e}"))?,
                    )
                }
                (LineFilterValue::Str(s), LineMatchOp::Pattern | LineMatchOp::NotPattern) => {
                    Operand::Pattern(Pattern::new(s)?)
                }
            });
        }
        Ok(LineTest {
            negated: f.op.is_negative(),
            operands,
        })
    }

    pub fn keeps(&self, line: &str) -> bool {
        self.operands.iter().any(|o| o.matches(line)) != self.negated
    }

    /// The substring every kept line contains, when the filter is a single non-empty `|=`.
    pub fn required_substring(&self) -> Option<&str> {
        match (&self.operands[..], self.negated) {
            ([Operand::Substring(s, _)], false) if !s.is_empty() => Some(s),
            _ => None,
        }
    }
}

/// Removes ANSI escape sequences (CSI `ESC [ ... final byte` and two-byte `ESC x`).
pub fn decolorize(line: &str) -> String {
    let b = line.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == 0x1b {
            if i + 1 < b.len() && b[i + 1] == b'[' {
                i += 2;
                while i < b.len() && !(0x40..=0x7e).contains(&b[i]) {
                    i += 1;
                }
                i += 1;
            } else {
                i += 2;
            }
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
