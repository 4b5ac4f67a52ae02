//! Label matchers (`=`, `!=`, `=~`, `!~`) as PromQL and LogQL stream selectors use them.
//!
//! Regular expressions are anchored at both ends, as in Prometheus, and use the `regex` crate
//! (RE2 semantics, like Go's `regexp`). Following Prometheus 3.x, `.` also matches a newline.

use super::labels::Labels;
use regex::Regex;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatchOp {
    Equal,
    NotEqual,
    RegexMatch,
    RegexNoMatch,
}

impl MatchOp {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::RegexMatch => "=~",
            MatchOp::RegexNoMatch => "!~",
        }
    }
}

/// One `name op "value"` condition on a label set.
#[derive(Clone)]
pub struct Matcher {
    pub name: String,
    pub op: MatchOp,
    pub value: String,
    /// The anchored, compiled pattern for the two regex operators.
    re: Option<Regex>,
}

impl Matcher {
    /// Builds a matcher; fails only when a regex operator gets an invalid pattern.
    pub fn new(
        name: impl Into<String>,
        op: MatchOp,
        value: impl Into<String>,
    ) -> Result<Matcher, regex::Error> {
        let value = value.into();
        let re = match op {
            MatchOp::RegexMatch | MatchOp::RegexNoMatch => Some(compile_anchored(&value)?),
            _ => None,
        };
        Ok(Matcher {
            name: name.into(),
            op,
            value,
            re,
        })
    }

    /// An equality matcher (cannot fail).
    pub fn equal(name: impl Into<String>, value: impl Into<String>) -> Matcher {
        Matcher {
            name: name.into(),
            op: MatchOp::Equal,
            value: value.into(),
            re: None,
        }
    }

    /// Does `value` (the label's value, "" when absent) satisfy this matcher?
    pub fn matches(&self, value: &str) -> bool {
        match self.op {
            MatchOp::Equal => value == self.value,
            MatchOp::NotEqual => value != self.value,
            MatchOp::RegexMatch => self.re.as_ref().is_some_and(|r| r.is_match(value)),
            MatchOp::RegexNoMatch => !self.re.as_ref().is_some_and(|r| r.is_match(value)),
        }
    }

    /// Does this matcher accept a label set?
    pub fn matches_labels(&self, labels: &Labels) -> bool {
        self.matches(labels.get_or_empty(&self.name))
    }

    /// True when the matcher accepts the empty string, i.e. also selects series that lack the
    /// label. A selector made only of such matchers would select everything.
    pub fn matches_empty(&self) -> bool {
        self.matches("")
    }
}

/// Compiles `pattern` anchored as `^(?s:pattern)$`: whole-value match, `.` matches newlines.
pub fn compile_anchored(pattern: &str) -> Result<Regex, regex::Error> {
    // On failure, compile the pattern alone so that the error quotes what the user wrote,
    // not the anchored wrapper; valid patterns are compiled once.
    Regex::new(&format!("^(?s:{pattern})$")).map_err(|e| Regex::new(pattern).err().unwrap_or(e))
}

/// True when every matcher accepts `labels`.
pub fn matches_all(matchers: &[Matcher], labels: &Labels) -> bool {
    matchers.iter().all(|m| m.matches_labels(labels))
}

impl PartialEq for Matcher {
    fn eq(&self, o: &Matcher) -> bool {
        self.name == o.name && self.op == o.op && self.value == o.value
    }
}

impl fmt::Debug for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}\"{}\"",
            self.name,
            self.op.as_str(),
            super::labels::escape_label_value(&self.value)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_is_anchored_and_dot_matches_newline() {
        let m = Matcher::new("a", MatchOp::RegexMatch, "fo.").unwrap();
        assert!(m.matches("foo"));
        assert!(!m.matches("xfoo"));
        assert!(m.matches("fo\n"));
        let n = Matcher::new("a", MatchOp::RegexNoMatch, "").unwrap();
        assert!(n.matches("x"));
        assert!(!n.matches(""));
    }
}
