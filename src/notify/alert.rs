//! Alerts as Alertmanager holds them: what a client posts ([`PostableAlert`]), the defaults
//! and checks Alertmanager's API applies on receipt, how a re-posted alert merges with the
//! one already held, the label fingerprint that identifies an alert, the order in which a
//! notification lists its alerts, and Go's spelling of times in JSON.
//!
//! Times are milliseconds since the epoch. An alert's status is not stored: it is resolved
//! from the moment its `ends_at` is reached, as in Alertmanager.

use crate::model::Labels;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Label and annotation sets as JSON objects with sorted keys.
pub type Annotations = BTreeMap<String, String>;

/// An alert as a client hands it over (Alertmanager's API `postableAlert`): the rule
/// evaluator's firing and resolved alerts. A missing `starts_at` means now; a missing
/// `ends_at` means "firing until `resolve_timeout` passes without an update".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PostableAlert {
    pub labels: Labels,
    pub annotations: Annotations,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub generator_url: String,
}

/// An alert held by the dispatcher.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    #[serde(with = "labels_as_map")]
    pub labels: Labels,
    pub annotations: Annotations,
    pub starts_at: i64,
    pub ends_at: i64,
    pub generator_url: String,
    /// When it was last posted: the younger of two versions wins a merge.
    pub updated_at: i64,
    /// `ends_at` was not given but set from `resolve_timeout`.
    pub timeout: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Firing,
    Resolved,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Firing => "firing",
            Status::Resolved => "resolved",
        }
    }
}

impl Alert {
    /// The alert's identity: the fingerprint of its labels.
    pub fn fingerprint(&self) -> u64 {
        fingerprint(&self.labels)
    }

    /// Resolved once `ends_at` is reached (Alertmanager: `!EndsAt.After(now)`).
    pub fn resolved_at(&self, now: i64) -> bool {
        self.ends_at <= now
    }

    pub fn status_at(&self, now: i64) -> Status {
        if self.resolved_at(now) {
            Status::Resolved
        } else {
            Status::Firing
        }
    }

    /// `alertname`, or "" without one.
    pub fn name(&self) -> &str {
        self.labels.get_or_empty("alertname")
    }
}

/// Applies what Alertmanager's API does to a posted alert at `now`: a missing start is now
/// (or the end, when only the end is given), a missing end is `now + resolve_timeout` and
/// marks the alert as timing out; then the alert must have labels and must not end before
/// it starts. Empty label values were already dropped by [`Labels`].
pub fn accept(posted: PostableAlert, now: i64, resolve_timeout: i64) -> Result<Alert, String> {
    let starts_at = match (posted.starts_at, posted.ends_at) {
        (Some(s), _) => s,
        (None, Some(e)) => e,
        (None, None) => now,
    };
    let (ends_at, timeout) = match posted.ends_at {
        Some(e) => (e, false),
        None => (now.saturating_add(resolve_timeout), true),
    };
    if posted.labels.is_empty() {
        return Err("at least one label pair required".to_string());
    }
    if let Some((name, _)) = posted.labels.iter().find(|(n, _)| n.is_empty()) {
        return Err(format!("invalid label set: invalid name {name:?}"));
    }
    if ends_at < starts_at {
        return Err("start time must be before end time".to_string());
    }
    Ok(Alert {
        labels: posted.labels,
        annotations: posted.annotations,
        starts_at,
        ends_at,
        generator_url: posted.generator_url,
        updated_at: now,
        timeout,
    })
}

/// Stores `new` over `old` (same labels) as Alertmanager's alert provider does: when their
/// active ranges overlap the two merge, otherwise the new one replaces the old.
pub fn put_over(old: &Alert, new: Alert, now: i64) -> Alert {
    let overlaps = (new.ends_at > old.starts_at && new.ends_at < old.ends_at)
        || (new.starts_at > old.starts_at && new.starts_at < old.ends_at);
    if overlaps {
        merge(old, &new, now)
    } else {
        new
    }
}

/// Alertmanager's `Alert.Merge`: the younger version (by `updated_at`) gives labels and
/// annotations, the earlier start wins, and the end is the younger one's unless the older
/// one holds a later explicit end (both resolved, or the older one not timing out).
fn merge(a: &Alert, o: &Alert, now: i64) -> Alert {
    if o.updated_at < a.updated_at {
        return merge(o, a, now);
    }
    let mut res = o.clone();
    if a.starts_at < o.starts_at {
        res.starts_at = a.starts_at;
    }
    if o.resolved_at(now) {
        if a.resolved_at(now) && a.ends_at > o.ends_at {
            res.ends_at = a.ends_at;
        }
    } else if a.ends_at > o.ends_at && !a.timeout {
        res.ends_at = a.ends_at;
    }
    res
}

/// The fingerprint of a label set as `prometheus/common/model` computes it: FNV-1a (64 bit)
/// over the names in sorted order, each name and value followed by the byte 0xff.
pub fn fingerprint(labels: &Labels) -> u64 {
    const OFFSET: u64 = 14_695_981_039_346_656_037;
    const PRIME: u64 = 1_099_511_628_211;
    let mut h = OFFSET;
    for (name, value) in labels.iter() {
        for b in name
            .bytes()
            .chain([0xff])
            .chain(value.bytes())
            .chain([0xff])
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(PRIME);
        }
    }
    h
}

/// A fingerprint as Alertmanager prints it: 16 lowercase hex digits.
pub fn fingerprint_hex(fp: u64) -> String {
    format!("{fp:016x}")
}

/// The order of alerts within a notification (Alertmanager's `AlertSlice`): by the `job`
/// label, then `instance` (an alert with the label before one without), then by label set
/// (fewer labels first, then the first differing pair over the union of names).
pub fn notification_order(a: &Labels, b: &Labels) -> Ordering {
    for key in ["job", "instance"] {
        match (a.get(key), b.get(key)) {
            (None, None) => continue,
            (None, Some(_)) => return Ordering::Greater,
            (Some(_), None) => return Ordering::Less,
            (Some(x), Some(y)) if x != y => return x.cmp(y),
            _ => {}
        }
    }
    label_set_order(a, b)
}

/// `model.LabelSet.Before` as an ordering.
fn label_set_order(a: &Labels, b: &Labels) -> Ordering {
    if a.len() != b.len() {
        return a.len().cmp(&b.len());
    }
    let mut names: Vec<&str> = a.iter().chain(b.iter()).map(|(n, _)| n).collect();
    names.sort_unstable();
    for name in names {
        match (a.get(name), b.get(name)) {
            (None, _) => return Ordering::Less,
            (_, None) => return Ordering::Greater,
            (Some(x), Some(y)) if x != y => return x.cmp(y),
            _ => {}
        }
    }
    Ordering::Equal
}

/// A time as Go's `encoding/json` writes a UTC `time.Time` (RFC 3339 with the fraction's
/// trailing zeros dropped); `None` is Go's zero time, `0001-01-01T00:00:00Z`.
pub fn go_time(ms: Option<i64>) -> String {
    let Some(ms) = ms else {
        return "0001-01-01T00:00:00Z".to_string();
    };
    let Some(t) = chrono::DateTime::from_timestamp_millis(ms) else {
        return ms.to_string();
    };
    let base = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let frac = ms.rem_euclid(1000);
    if frac == 0 {
        return format!("{base}Z");
    }
    let digits = format!("{frac:03}");
    format!("{base}.{}Z", digits.trim_end_matches('0'))
}

/// Serde for [`Labels`] as a JSON object (sorted keys), for the dispatcher's saved state.
pub mod labels_as_map {
    use super::*;

    pub fn serialize<S: Serializer>(labels: &Labels, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(labels.iter())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Labels, D::Error> {
        let map = BTreeMap::<String, String>::deserialize(d)?;
        Ok(Labels::from_pairs(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(pairs: &[(&str, &str)]) -> Labels {
        Labels::from_pairs(pairs.iter().copied())
    }

    /// The values of `prometheus/common`'s own fingerprint tests (`signature_test.go`).
    #[test]
    fn fingerprints_match_prometheus_common() {
        assert_eq!(fingerprint(&Labels::new()), 14_695_981_039_346_656_037);
        let fear = l(&[("name", "garland, briggs"), ("fear", "love is not enough")]);
        assert_eq!(fingerprint(&fear), 5_799_056_148_416_392_346);
        let one = l(&[("first-label", "first-label-value")]);
        assert_eq!(fingerprint(&one), 5_146_282_821_936_882_169);
        let three = l(&[
            ("first-label", "first-label-value"),
            ("second-label", "second-label-value"),
            ("third-label", "third-label-value"),
        ]);
        assert_eq!(fingerprint(&three), 13_843_036_195_897_128_121);
        assert_eq!(
            fingerprint_hex(5_799_056_148_416_392_346),
            "507a62d79ee76c9a"
        );
        assert_eq!(fingerprint_hex(1), "0000000000000001");
    }

    #[test]
    fn accepting_applies_the_apis_defaults() {
        let now = 1_000_000;
        let a = accept(
            PostableAlert {
                labels: l(&[("alertname", "X")]),
                ..Default::default()
            },
            now,
            300_000,
        )
        .unwrap();
        assert_eq!(
            (a.starts_at, a.ends_at, a.timeout),
            (now, now + 300_000, true)
        );
        let only_end = PostableAlert {
            labels: l(&[("alertname", "X")]),
            ends_at: Some(5),
            ..Default::default()
        };
        let a = accept(only_end, now, 300_000).unwrap();
        assert_eq!((a.starts_at, a.ends_at, a.timeout), (5, 5, false));
        assert!(a.resolved_at(now));
    }

    #[test]
    fn accepting_refuses_what_alertmanager_refuses() {
        let e = accept(PostableAlert::default(), 0, 1).unwrap_err();
        assert_eq!(e, "at least one label pair required");
        let backwards = PostableAlert {
            labels: l(&[("a", "b")]),
            starts_at: Some(10),
            ends_at: Some(5),
            ..Default::default()
        };
        assert_eq!(
            accept(backwards, 0, 1).unwrap_err(),
            "start time must be before end time"
        );
    }

    fn alert(starts: i64, ends: i64, updated: i64, timeout: bool) -> Alert {
        Alert {
            labels: l(&[("alertname", "X")]),
            annotations: Annotations::new(),
            starts_at: starts,
            ends_at: ends,
            generator_url: String::new(),
            updated_at: updated,
            timeout,
        }
    }

    #[test]
    fn overlapping_versions_merge_keeping_the_earliest_start() {
        let old = alert(100, 1_000, 100, false);
        let new = alert(200, 1_200, 200, false);
        let m = put_over(&old, new, 300);
        assert_eq!((m.starts_at, m.ends_at), (100, 1_200));
        // An older explicit end later than the new timeout end wins.
        let old = alert(100, 5_000, 100, false);
        let new = alert(200, 1_200, 200, true);
        assert_eq!(put_over(&old, new, 300).ends_at, 5_000);
        // A resolved re-post does not merge with a range it does not overlap.
        let old = alert(100, 1_000, 100, false);
        let new = alert(2_000, 2_500, 200, false);
        assert_eq!(put_over(&old, new, 3_000).starts_at, 2_000);
    }

    #[test]
    fn notification_order_puts_job_and_instance_first() {
        let a = l(&[("job", "a"), ("z", "1")]);
        let b = l(&[("job", "b")]);
        let none = l(&[("alertname", "A")]);
        assert_eq!(notification_order(&a, &b), Ordering::Less);
        assert_eq!(notification_order(&b, &none), Ordering::Less);
        let i1 = l(&[("instance", "1"), ("x", "9")]);
        let i2 = l(&[("instance", "2")]);
        assert_eq!(notification_order(&i1, &i2), Ordering::Less);
        // Without job and instance: fewer labels first, then the first differing pair.
        let small = l(&[("b", "1")]);
        let big = l(&[("a", "1"), ("b", "1")]);
        assert_eq!(notification_order(&small, &big), Ordering::Less);
        let x = l(&[("a", "1"), ("c", "1")]);
        let y = l(&[("a", "1"), ("b", "1")]);
        // Over the names a, b, c: b is missing from x, so x comes first.
        assert_eq!(notification_order(&x, &y), Ordering::Less);
    }

    #[test]
    fn go_times() {
        assert_eq!(go_time(None), "0001-01-01T00:00:00Z");
        assert_eq!(go_time(Some(0)), "1970-01-01T00:00:00Z");
        assert_eq!(go_time(Some(1_500)), "1970-01-01T00:00:01.5Z");
        assert_eq!(go_time(Some(1_001)), "1970-01-01T00:00:01.001Z");
    }
}
