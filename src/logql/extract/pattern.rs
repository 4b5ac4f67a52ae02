//! Loki's pattern language: `| pattern "<ip> - <_> <status>"` (captures become labels) and
//! the `|>` / `!>` line filters (does the line have the pattern's shape).

use super::Sink;
use crate::logql::validate::{pattern_parts, PatternPart};

/// A compiled pattern: literals and captures (`<name>`, or `<_>` which captures nothing).
#[derive(Clone, Debug)]
pub struct Pattern {
    parts: Vec<PatternPart>,
}

impl Pattern {
    /// Compiles a pattern. Only the rule every use shares is checked here (two captures may
    /// not touch); the parser has already applied the rules of each use (named captures
    /// required and unique for `| pattern`, forbidden for `|>`).
    pub fn new(p: &str) -> Result<Pattern, String> {
        Ok(Pattern {
            parts: pattern_parts(p)?,
        })
    }

    /// The named captures, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            PatternPart::Capture(Some(name)) => Some(name.as_str()),
            _ => None,
        })
    }

    /// `| pattern`: sends each named capture's text, in order, as Loki's matcher reads the
    /// line. A leading literal must start the line (else nothing is sent); each capture runs
    /// up to the first occurrence of the literal after it, or to the end of the line, which
    /// also ends the match. So a short line fills only the leading captures, and a pattern
    /// ending on a literal ignores what follows it. An empty line gives nothing.
    pub fn extract(&self, line: &str, sink: &mut dyn Sink) {
        let mut names = self.names();
        self.captures(line, &mut |value| {
            if let Some(name) = names.next() {
                sink.add(name, value);
            }
        });
    }

    /// Walks the line as Loki's `Matches` does, calling `f` with each named capture's text.
    fn captures<'a>(&self, line: &'a str, f: &mut dyn FnMut(&'a str)) {
        if line.is_empty() {
            return;
        }
        let mut rest = line;
        let mut parts = self.parts.as_slice();
        if let Some(PatternPart::Literal(lit)) = parts.first() {
            let Some(after) = rest.strip_prefix(lit.as_str()) else {
                return;
            };
            rest = after;
            parts = &parts[1..];
        }
        while let Some((PatternPart::Capture(name), tail)) = parts.split_first() {
            let named = name.is_some();
            let Some((PatternPart::Literal(lit), tail)) = tail.split_first() else {
                // The pattern ends on this capture: it takes the rest of the line.
                if named {
                    f(rest);
                }
                return;
            };
            parts = tail;
            let Some(at) = rest.find(lit.as_str()) else {
                // The literal is missing: the capture takes the rest and the match ends.
                if named {
                    f(rest);
                }
                return;
            };
            if named {
                f(&rest[..at]);
            }
            rest = &rest[at + lit.len()..];
        }
    }

    /// `|>`: true when the line has the pattern's shape, by Loki's test: each literal is found
    /// in turn (from where the previous one ended) and, after a capture, not right away (no
    /// capture may be empty); the line must end with the last literal, or, when the pattern
    /// ends on a capture, go on past it. An empty pattern matches only an empty line. As in
    /// Loki, a leading literal is searched for like the others, so it need not start the line.
    pub fn matches(&self, line: &str) -> bool {
        if line.is_empty() || self.parts.is_empty() {
            return line.is_empty() && self.parts.is_empty();
        }
        let mut offset = 0;
        for (i, part) in self.parts.iter().enumerate() {
            let PatternPart::Literal(lit) = part else {
                continue;
            };
            let Some(at) = line[offset..].find(lit.as_str()) else {
                return false;
            };
            if i != 0 && at == 0 {
                return false;
            }
            offset += at + lit.len();
        }
        let ends_on_capture = matches!(self.parts.last(), Some(PatternPart::Capture(_)));
        ends_on_capture == (offset != line.len())
    }
}
