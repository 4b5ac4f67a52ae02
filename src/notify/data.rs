//! What one notification says, computed as Alertmanager's `template.Data` computes it: the
//! receiver (with regex metacharacters backslash-escaped, a quirk Alertmanager has and its
//! webhook payloads show), the group's status (`firing` while any alert fires), the group
//! labels, the labels and annotations every alert shares, and the alerts themselves.
//!
//! The webhook message is this data as JSON; the Slack message and, later, user templates
//! render from it. Nothing here knows how it is sent.

use super::alert::{Annotations, Status};
use crate::model::Labels;

/// An alert as one notification carries it: its status at the flush, and no end while it
/// fires (Alertmanager hides a firing alert's expected end).
#[derive(Clone, Debug, PartialEq)]
pub struct NotifiedAlert {
    pub status: Status,
    pub labels: Labels,
    pub annotations: Annotations,
    pub starts_at: i64,
    /// `None` while firing.
    pub ends_at: Option<i64>,
    pub generator_url: String,
    pub fingerprint: u64,
}

/// The data of one notification (Alertmanager's `template.Data`).
#[derive(Clone, Debug, PartialEq)]
pub struct Data {
    /// The receiver's name with regex metacharacters escaped (Go's `regexp.QuoteMeta`).
    pub receiver: String,
    pub status: Status,
    pub alerts: Vec<NotifiedAlert>,
    pub group_labels: Annotations,
    pub common_labels: Annotations,
    pub common_annotations: Annotations,
    pub external_url: String,
}

impl Data {
    pub fn new(
        receiver: &str,
        group_labels: &Labels,
        alerts: &[NotifiedAlert],
        external_url: &str,
    ) -> Data {
        let status = if alerts.iter().any(|a| a.status == Status::Firing) {
            Status::Firing
        } else {
            Status::Resolved
        };
        let (common_labels, common_annotations) = match alerts.split_first() {
            None => (Annotations::new(), Annotations::new()),
            Some((first, rest)) => {
                let mut labels: Annotations = first
                    .labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                let mut annotations = first.annotations.clone();
                for a in rest {
                    labels.retain(|k, v| a.labels.get(k) == Some(v.as_str()));
                    annotations.retain(|k, v| a.annotations.get(k) == Some(v));
                }
                (labels, annotations)
            }
        };
        Data {
            receiver: quote_meta(receiver),
            status,
            alerts: alerts.to_vec(),
            group_labels: group_labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            common_labels,
            common_annotations,
            external_url: external_url.to_string(),
        }
    }

    /// The alerts that fire (`.Alerts.Firing`).
    pub fn firing(&self) -> impl Iterator<Item = &NotifiedAlert> {
        self.alerts.iter().filter(|a| a.status == Status::Firing)
    }
}

/// Go's `regexp.QuoteMeta`: a backslash before each of `\.+*?()|[]{}^$`.
pub fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(
        status: Status,
        labels: &[(&str, &str)],
        annotations: &[(&str, &str)],
    ) -> NotifiedAlert {
        NotifiedAlert {
            status,
            labels: Labels::from_pairs(labels.iter().copied()),
            annotations: annotations
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            starts_at: 0,
            ends_at: None,
            generator_url: String::new(),
            fingerprint: 0,
        }
    }

    #[test]
    fn common_labels_and_annotations_are_the_pairs_every_alert_shares() {
        let alerts = [
            alert(
                Status::Firing,
                &[("alertname", "X"), ("i", "1"), ("job", "j")],
                &[("s", "a"), ("d", "1")],
            ),
            alert(
                Status::Resolved,
                &[("alertname", "X"), ("i", "2"), ("job", "j")],
                &[("s", "a"), ("d", "2")],
            ),
        ];
        let d = Data::new(
            "team",
            &Labels::from_pairs([("alertname", "X")]),
            &alerts,
            "http://am",
        );
        let keys: Vec<&str> = d.common_labels.keys().map(|k| k.as_str()).collect();
        assert_eq!(keys, ["alertname", "job"]);
        let keys: Vec<&str> = d.common_annotations.keys().map(|k| k.as_str()).collect();
        assert_eq!(keys, ["s"]);
        assert_eq!(d.status, Status::Firing);
        assert_eq!(d.firing().count(), 1);
    }

    #[test]
    fn a_group_is_resolved_only_when_every_alert_is() {
        let alerts = [alert(Status::Resolved, &[("a", "1")], &[])];
        assert_eq!(
            Data::new("r", &Labels::new(), &alerts, "").status,
            Status::Resolved
        );
        assert_eq!(
            Data::new("r", &Labels::new(), &[], "").status,
            Status::Resolved
        );
    }

    #[test]
    fn receiver_names_get_regex_metacharacters_escaped() {
        assert_eq!(quote_meta("team-x"), "team-x");
        assert_eq!(quote_meta("ops.pager (eu)"), r"ops\.pager \(eu\)");
    }
}
