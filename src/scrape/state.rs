//! The per-target staleness state: which series a target exposed in its last scrape, kept in
//! the store's small state files so that one-shot runs (cron) write staleness markers for
//! series that disappeared since the previous run, as a long-running Prometheus would.
//!
//! One state blob per target, named `scrape-<16 hex digits>`: an FNV-1a 64 hash of the job
//! name, the scrape URL and the target's labels, so that the same target in the same job
//! finds its state again and two targets never share one.
//!
//! Encoding (UTF-8 JSON, one object):
//! ```json
//! {"version":1,"job":"node","url":"http://localhost:9100/metrics",
//!  "last_scrape_ms":1700000000000,
//!  "series":[{"labels":{"__name__":"up_time","instance":"localhost:9100","job":"node"}},
//!            {"labels":{"__name__":"x","job":"node"},"explicit_timestamp":true}]}
//! ```
//! - `version`: 1. A blob with another version, or one that does not decode, is treated as
//!   absent (the caller reports it): no markers are written that run, nothing else breaks.
//! - `last_scrape_ms`: the scrape time of the run that wrote it. A run whose own time is not
//!   later (an overlapping or clock-skewed run) neither writes markers from it nor replaces it.
//! - `series`: the final label sets (after relabeling and target labels) stored by the last
//!   scrape, excluding the synthetic series (`up`, ...), which are written every time.
//!   `explicit_timestamp` (omitted when false) marks series whose sample carried its own
//!   timestamp: like Prometheus, argus writes no staleness marker for those, but still counts
//!   them as known for `scrape_series_added`.
//!
//! This file owns the encoding and the name; the diff itself is in `append`.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::target::Target;
use crate::model::Labels;

pub const STATE_VERSION: u32 = 1;

/// The series of one scrape: label set → whether its sample had an explicit timestamp.
pub type SeriesSet = HashMap<Labels, bool>;

/// The decoded state of one target.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TargetState {
    pub last_scrape_ms: i64,
    pub series: SeriesSet,
}

#[derive(Serialize, Deserialize)]
struct StateFile {
    version: u32,
    job: String,
    url: String,
    last_scrape_ms: i64,
    series: Vec<StateSeries>,
}

#[derive(Serialize, Deserialize)]
struct StateSeries {
    labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    explicit_timestamp: bool,
}

/// The state blob name of a target.
pub fn state_name(target: &Target) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes.iter().chain(&[0xff]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(target.job().as_bytes());
    eat(target.url.as_bytes());
    for (k, v) in target.labels.iter() {
        eat(k.as_bytes());
        eat(v.as_bytes());
    }
    format!("scrape-{h:016x}")
}

/// Encodes the state of `target` after a scrape at `t`.
pub fn encode(target: &Target, t: i64, series: &SeriesSet) -> Vec<u8> {
    let mut list: Vec<StateSeries> = series
        .iter()
        .map(|(l, &explicit)| StateSeries {
            labels: l
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            explicit_timestamp: explicit,
        })
        .collect();
    // Sorted, so that the same set always gives the same bytes.
    list.sort_by(|a, b| a.labels.cmp(&b.labels));
    let file = StateFile {
        version: STATE_VERSION,
        job: target.job().to_string(),
        url: target.url.clone(),
        last_scrape_ms: t,
        series: list,
    };
    // Invariant: a struct of strings, integers and maps with string keys always serializes.
    serde_json::to_vec(&file).expect("state serializes")
}

/// Decodes a state blob.
pub fn decode(bytes: &[u8]) -> Result<TargetState, String> {
    let file: StateFile =
        serde_json::from_slice(bytes).map_err(|e| format!("unreadable scrape state: {e}"))?;
    if file.version != STATE_VERSION {
        return Err(format!(
            "scrape state version {} is not supported (expected {STATE_VERSION})",
            file.version
        ));
    }
    Ok(TargetState {
        last_scrape_ms: file.last_scrape_ms,
        series: file
            .series
            .into_iter()
            .map(|s| (Labels::from_pairs(s.labels), s.explicit_timestamp))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Target {
        Target {
            kind: Default::default(),
            url: url.into(),
            labels: Labels::from_pairs([("job", "j"), ("instance", "i:1")]),
            interval_ms: 1000,
            timeout_ms: 1000,
            auth: None,
        }
    }

    #[test]
    fn round_trip() {
        let t = target("http://i:1/metrics");
        let mut s = SeriesSet::new();
        s.insert(Labels::from_pairs([("__name__", "a"), ("job", "j")]), false);
        s.insert(Labels::from_pairs([("__name__", "b")]), true);
        let bytes = encode(&t, 42, &s);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with(r#"{"version":1,"job":"j","url":"http://i:1/metrics","last_scrape_ms":42,"series":[{"labels":{"__name__":"a","job":"j"}},{"labels":{"__name__":"b"},"explicit_timestamp":true}]}"#), "{text}");
        let d = decode(&bytes).unwrap();
        assert_eq!(d.last_scrape_ms, 42);
        assert_eq!(d.series, s);
    }

    #[test]
    fn names_differ_by_url_and_are_stable() {
        let a = state_name(&target("http://i:1/metrics"));
        assert_eq!(a, state_name(&target("http://i:1/metrics")));
        assert_ne!(a, state_name(&target("http://i:1/other")));
        assert!(a.starts_with("scrape-") && a.len() == 23);
    }

    #[test]
    fn bad_blobs_are_errors() {
        assert!(decode(b"not json").is_err());
        assert!(
            decode(br#"{"version":9,"job":"","url":"","last_scrape_ms":0,"series":[]}"#)
                .unwrap_err()
                .contains("version 9")
        );
    }
}
