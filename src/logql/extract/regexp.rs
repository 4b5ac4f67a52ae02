//! `| regexp "(?P<name>...)"`: named captures become labels.

use super::Sink;
use crate::logql::validate::regex_error;
use crate::model::labels::is_valid_label_name;
use regex::Regex;

/// A compiled `| regexp` stage.
#[derive(Clone, Debug)]
pub struct RegexpExtractor {
    re: Regex,
    /// Capture group index and label name of each named group, in group order.
    names: Vec<(usize, String)>,
}

impl RegexpExtractor {
    /// Compiles the stage. Fails, with Loki's wording, on a bad regex, on no named capture,
    /// on a capture name that is not a valid label name, or on a name used twice.
    pub fn new(pattern: &str) -> Result<RegexpExtractor, String> {
        let re = Regex::new(pattern).map_err(|e| compile_error(pattern, &e))?;
        let mut names = Vec::new();
        for (i, name) in re.capture_names().enumerate() {
            let Some(name) = name else { continue };
            if !is_valid_label_name(name) {
                return Err(format!("invalid extracted label name '{name}'"));
            }
            names.push((i, name.to_string()));
        }
        if names.is_empty() {
            return Err("at least one named capture must be supplied".into());
        }
        Ok(RegexpExtractor { re, names })
    }

    /// Sends each named capture of the leftmost match, in group order; a group that took no
    /// part in the match gives "". A line the regex does not match gives nothing (and is not
    /// an error).
    pub fn extract(&self, line: &str, sink: &mut dyn Sink) {
        let Some(caps) = self.re.captures(line) else {
            return;
        };
        for (i, name) in &self.names {
            sink.add(name, caps.get(*i).map_or("", |m| m.as_str()));
        }
    }
}

/// The compile error as Loki words it. The `regex` crate refuses a repeated group name
/// itself; Loki (whose Go regexes allow it) reports it as a duplicate label.
fn compile_error(pattern: &str, e: &regex::Error) -> String {
    if e.to_string().contains("duplicate capture group name") {
        if let Some(name) = repeated_group_name(pattern) {
            return format!("duplicate extracted label name '{name}'");
        }
    }
    regex_error(pattern, e)
}

/// The first group name written twice in `pattern` (`(?P<n>` or `(?<n>`), found by reading
/// the text: only used to word an error the regex compiler already found.
fn repeated_group_name(pattern: &str) -> Option<&str> {
    let mut seen: Vec<&str> = Vec::new();
    let mut rest = pattern;
    while let Some(at) = rest.find("(?") {
        rest = &rest[at + 2..];
        let body = rest.strip_prefix("P<").or_else(|| rest.strip_prefix('<'));
        let Some(name) = body.and_then(|b| b.split_once('>')).map(|(n, _)| n) else {
            continue;
        };
        if seen.contains(&name) {
            return Some(name);
        }
        seen.push(name);
    }
    None
}
