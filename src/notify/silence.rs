//! Silences: a set of matchers and a time window during which alerts matching every matcher
//! are not notified, as Alertmanager's silences are. A silence is `pending` before its start,
//! `active` from its start until (not including) its end, and `expired` from its end on;
//! only an active silence mutes.
//!
//! Silences read and write as Alertmanager's API shapes them (`matchers` of
//! `{name, value, isRegex, isEqual}`, RFC 3339 `startsAt`/`endsAt`, `createdBy`, `comment`),
//! so that a silence made for Alertmanager (`amtool`, its UI) means the same here. Where they
//! are kept is the caller's business; this file owns their meaning.

use super::matchers::{MatchType, Matcher};
use crate::model::Labels;
use serde::{Deserialize, Serialize};

/// One silence, validated, with its matchers compiled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SilenceJson", into = "SilenceJson")]
pub struct Silence {
    pub id: String,
    pub matchers: Vec<Matcher>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub created_by: String,
    pub comment: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SilenceState {
    Pending,
    Active,
    Expired,
}

impl SilenceState {
    pub fn as_str(self) -> &'static str {
        match self {
            SilenceState::Pending => "pending",
            SilenceState::Active => "active",
            SilenceState::Expired => "expired",
        }
    }
}

impl Silence {
    /// Checks a silence as Alertmanager does before storing it.
    pub fn validate(&self) -> Result<(), String> {
        if self.id.is_empty() {
            return Err("ID missing".to_string());
        }
        if self.matchers.is_empty() {
            return Err("at least one matcher required".to_string());
        }
        if let Some(i) = self.matchers.iter().position(|m| m.name.is_empty()) {
            return Err(format!(
                "invalid label matcher {i}: invalid label name \"\""
            ));
        }
        if self.matchers.iter().all(|m| m.matches("")) {
            return Err("at least one matcher must not match the empty string".to_string());
        }
        if self.ends_at < self.starts_at {
            return Err("end time must not be before start time".to_string());
        }
        Ok(())
    }

    pub fn state(&self, now: i64) -> SilenceState {
        if now < self.starts_at {
            SilenceState::Pending
        } else if now < self.ends_at {
            SilenceState::Active
        } else {
            SilenceState::Expired
        }
    }

    /// Does this silence mute an alert with these labels at `now`?
    pub fn mutes(&self, labels: &Labels, now: i64) -> bool {
        self.state(now) == SilenceState::Active
            && self.matchers.iter().all(|m| m.matches_labels(labels))
    }
}

/// True when any of `silences` mutes these labels at `now`.
pub fn muted(silences: &[Silence], labels: &Labels, now: i64) -> bool {
    silences.iter().any(|s| s.mutes(labels, now))
}

/// The API's shape of a silence.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SilenceJson {
    #[serde(default)]
    id: String,
    matchers: Vec<MatcherJson>,
    starts_at: String,
    ends_at: String,
    #[serde(default)]
    created_by: String,
    #[serde(default)]
    comment: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MatcherJson {
    name: String,
    value: String,
    is_regex: bool,
    /// Absent means equal, as in Alertmanager's API (older clients do not send it).
    #[serde(default = "yes")]
    is_equal: bool,
}

fn yes() -> bool {
    true
}

impl TryFrom<SilenceJson> for Silence {
    type Error = String;

    fn try_from(j: SilenceJson) -> Result<Silence, String> {
        let time = |field: &str, text: &str| {
            chrono::DateTime::parse_from_rfc3339(text)
                .map(|t| t.timestamp_millis())
                .map_err(|_| {
                    format!(
                        "silence {:?}: {field} {text:?} is not an RFC 3339 time",
                        j.id
                    )
                })
        };
        let mut matchers = Vec::with_capacity(j.matchers.len());
        for (i, m) in j.matchers.iter().enumerate() {
            let kind = match (m.is_regex, m.is_equal) {
                (false, true) => MatchType::Equal,
                (false, false) => MatchType::NotEqual,
                (true, true) => MatchType::Regexp,
                (true, false) => MatchType::NotRegexp,
            };
            let matcher = Matcher::new(kind, &m.name, &m.value)
                .map_err(|e| format!("silence {:?}: invalid label matcher {i}: {e}", j.id))?;
            matchers.push(matcher);
        }
        let silence = Silence {
            matchers,
            starts_at: time("startsAt", &j.starts_at)?,
            ends_at: time("endsAt", &j.ends_at)?,
            id: j.id,
            created_by: j.created_by,
            comment: j.comment,
        };
        silence
            .validate()
            .map_err(|e| format!("silence {:?}: {e}", silence.id))?;
        Ok(silence)
    }
}

impl From<Silence> for SilenceJson {
    fn from(s: Silence) -> SilenceJson {
        let time = |ms: i64| super::alert::go_time(Some(ms));
        SilenceJson {
            matchers: s
                .matchers
                .iter()
                .map(|m| MatcherJson {
                    name: m.name.clone(),
                    value: m.value.clone(),
                    is_regex: matches!(m.kind, MatchType::Regexp | MatchType::NotRegexp),
                    is_equal: matches!(m.kind, MatchType::Equal | MatchType::Regexp),
                })
                .collect(),
            starts_at: time(s.starts_at),
            ends_at: time(s.ends_at),
            id: s.id,
            created_by: s.created_by,
            comment: s.comment,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn silence(json: &str) -> Result<Silence, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    const MAINTENANCE: &str = r#"{"id":"s1","matchers":[
        {"name":"cluster","value":"eu-1","isRegex":false,"isEqual":true},
        {"name":"alertname","value":"Disk.*","isRegex":true}],
        "startsAt":"2024-01-01T10:00:00Z","endsAt":"2024-01-01T12:00:00Z",
        "createdBy":"ops","comment":"maintenance"}"#;

    fn at(t: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(t)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn states_follow_the_window() {
        let s = silence(MAINTENANCE).unwrap();
        assert_eq!(s.state(at("2024-01-01T09:59:59Z")), SilenceState::Pending);
        assert_eq!(s.state(at("2024-01-01T10:00:00Z")), SilenceState::Active);
        assert_eq!(s.state(at("2024-01-01T11:59:59Z")), SilenceState::Active);
        assert_eq!(s.state(at("2024-01-01T12:00:00Z")), SilenceState::Expired);
    }

    #[test]
    fn only_an_active_silence_whose_matchers_all_match_mutes() {
        let s = silence(MAINTENANCE).unwrap();
        let disk = Labels::from_pairs([("alertname", "DiskFull"), ("cluster", "eu-1")]);
        let other = Labels::from_pairs([("alertname", "DiskFull"), ("cluster", "us-1")]);
        let during = at("2024-01-01T11:00:00Z");
        assert!(s.mutes(&disk, during));
        assert!(!s.mutes(&other, during));
        assert!(!s.mutes(&disk, at("2024-01-01T09:00:00Z")));
        assert!(!s.mutes(&disk, at("2024-01-01T12:00:00Z")));
        assert!(muted(&[s], &disk, during));
    }

    #[test]
    fn invalid_silences_are_refused_as_alertmanager_refuses_them() {
        let e = silence(
            r#"{"id":"x","matchers":[{"name":"a","value":"","isRegex":false}],
            "startsAt":"2024-01-01T10:00:00Z","endsAt":"2024-01-01T12:00:00Z"}"#,
        )
        .unwrap_err();
        assert!(
            e.contains("at least one matcher must not match the empty string"),
            "{e}"
        );
        let e = silence(
            r#"{"id":"x","matchers":[{"name":"a","value":"b","isRegex":false}],
            "startsAt":"2024-01-01T12:00:00Z","endsAt":"2024-01-01T10:00:00Z"}"#,
        )
        .unwrap_err();
        assert!(e.contains("end time must not be before start time"), "{e}");
        let e = silence(
            r#"{"id":"x","matchers":[],
            "startsAt":"2024-01-01T10:00:00Z","endsAt":"2024-01-01T12:00:00Z"}"#,
        )
        .unwrap_err();
        assert!(e.contains("at least one matcher required"), "{e}");
        let e = silence(
            r#"{"id":"x","matchers":[{"name":"a","value":"(","isRegex":true}],
            "startsAt":"2024-01-01T10:00:00Z","endsAt":"2024-01-01T12:00:00Z"}"#,
        )
        .unwrap_err();
        assert!(e.contains("invalid label matcher 0"), "{e}");
    }

    #[test]
    fn silences_write_back_in_the_apis_shape() {
        let s = silence(MAINTENANCE).unwrap();
        let v: serde_json::Value = serde_json::to_value(&s).unwrap();
        assert_eq!(v["startsAt"], "2024-01-01T10:00:00Z");
        assert_eq!(v["matchers"][1]["isRegex"], true);
        assert_eq!(v["matchers"][1]["isEqual"], true);
        assert_eq!(v["createdBy"], "ops");
        let back: Silence = serde_json::from_value(v).unwrap();
        assert_eq!(back, s);
    }
}
