//! argus' own log export read back: the JSON lines `argus export --logs` writes
//! (`{"line":"...","stream":{"app":"api"},"ts":"1767225600000000000","metadata":{...}}`), so
//! that an export can be ingested into another store and export the same again.
//!
//! A line is such a record when it is a JSON object with exactly the fields `stream` (an object
//! of strings), `ts` (a string of integer nanoseconds), `line` (a string) and optionally
//! `metadata` (an object of strings), in any order. Anything else is not a record, and
//! `ingest logs` treats it as an ordinary line (or, with `--format export`, rejects it). The
//! export's writer is `cli/export_logs.rs`; this file only reads its shape.

use serde::Deserialize;
use std::collections::BTreeMap;

/// One exported entry.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportRecord {
    pub stream: BTreeMap<String, String>,
    pub ts: String,
    pub line: String,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// Whether `line` might be a record: a cheap look before a parse, so that ordinary JSON log
/// lines pay almost nothing for the check.
pub fn may_be_record(line: &str) -> bool {
    line.starts_with('{')
        && line.contains("\"stream\"")
        && line.contains("\"ts\"")
        && line.contains("\"line\"")
}

/// The record `line` holds, or `None` when it is not one. The time is parsed but not checked
/// against the store's range (the caller reports that, naming the line).
pub fn parse_record(line: &str) -> Option<(ExportRecord, i64)> {
    let r: ExportRecord = serde_json::from_str(line).ok()?;
    let digits = r.ts.strip_prefix('-').unwrap_or(&r.ts);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = r.ts.parse::<i64>().ok()?;
    Some((r, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_recognised_exactly() {
        let line = r#"{"line":"a \"b\"","metadata":{"req":"r1"},"stream":{"app":"x"},"ts":"-5"}"#;
        assert!(may_be_record(line));
        let (r, t) = parse_record(line).unwrap();
        assert_eq!(t, -5);
        assert_eq!(r.line, "a \"b\"");
        assert_eq!(r.stream["app"], "x");
        assert_eq!(r.metadata["req"], "r1");
        // Any order, metadata optional.
        let (r, t) = parse_record(r#"{"ts":"7","stream":{},"line":""}"#).unwrap();
        assert_eq!((t, r.line.as_str(), r.metadata.len()), (7, "", 0));
        for not in [
            r#"{"line":"x","stream":{"app":"x"},"ts":"1","level":"info"}"#,
            r#"{"line":"x","stream":{"app":"x"},"ts":1}"#,
            r#"{"line":"x","stream":{"app":"x"},"ts":"1.5"}"#,
            r#"{"line":"x","stream":{"app":"x"},"ts":"+1"}"#,
            r#"{"line":"x","stream":{"app":"x"},"ts":"99999999999999999999"}"#,
            r#"{"line":"x","stream":{"app":1},"ts":"1"}"#,
            r#"{"line":"x","stream":"stdout","ts":"1"}"#,
            r#"{"line":"x","ts":"1"}"#,
            r#"{"log":"x","stream":"stdout","time":"2026-01-01T00:00:00Z"}"#,
            "not json",
        ] {
            assert_eq!(parse_record(not), None, "{not}");
        }
        assert!(!may_be_record(r#"{"log":"x","stream":"stdout"}"#));
    }
}
