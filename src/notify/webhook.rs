//! The webhook message, byte for byte as Alertmanager's (payload version 4): the notification
//! data as Go's `encoding/json` writes it (fields in Alertmanager's order, map keys sorted,
//! `<`, `>`, `&`, U+2028 and U+2029 escaped, a newline at the end), truncated to `max_alerts`
//! alerts with the number left out in `truncatedAlerts`.
//!
//! Truncation happens before the data is computed, as in Alertmanager: the status and the
//! common labels describe the alerts that are sent.

use super::alert::{fingerprint_hex, go_time, Annotations};
use super::data::{Data, NotifiedAlert};
use crate::model::Labels;
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Message<'a> {
    receiver: &'a str,
    status: &'a str,
    alerts: Vec<MessageAlert<'a>>,
    group_labels: &'a Annotations,
    common_labels: &'a Annotations,
    common_annotations: &'a Annotations,
    #[serde(rename = "externalURL")]
    external_url: &'a str,
    version: &'a str,
    group_key: &'a str,
    truncated_alerts: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MessageAlert<'a> {
    status: &'a str,
    labels: Annotations,
    annotations: &'a Annotations,
    starts_at: String,
    ends_at: String,
    #[serde(rename = "generatorURL")]
    generator_url: &'a str,
    fingerprint: String,
}

/// The request body for one webhook notification.
pub fn body(
    receiver: &str,
    group_key: &str,
    group_labels: &Labels,
    alerts: &[NotifiedAlert],
    external_url: &str,
    max_alerts: u64,
) -> Vec<u8> {
    let (sent, truncated) = truncate(alerts, max_alerts);
    let data = Data::new(receiver, group_labels, sent, external_url);
    let message = Message {
        receiver: &data.receiver,
        status: data.status.as_str(),
        alerts: data
            .alerts
            .iter()
            .map(|a| MessageAlert {
                status: a.status.as_str(),
                labels: a
                    .labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                annotations: &a.annotations,
                starts_at: go_time(Some(a.starts_at)),
                ends_at: go_time(a.ends_at),
                generator_url: &a.generator_url,
                fingerprint: fingerprint_hex(a.fingerprint),
            })
            .collect(),
        group_labels: &data.group_labels,
        common_labels: &data.common_labels,
        common_annotations: &data.common_annotations,
        external_url: &data.external_url,
        version: "4",
        group_key,
        truncated_alerts: truncated,
    };
    // Plain structs of strings and numbers always serialize.
    let json = serde_json::to_string(&message).unwrap_or_default();
    let mut out = go_json_escape(&json).into_bytes();
    out.push(b'\n');
    out
}

/// At most `max_alerts` alerts (0 is no limit) and how many were left out.
fn truncate(alerts: &[NotifiedAlert], max_alerts: u64) -> (&[NotifiedAlert], u64) {
    match usize::try_from(max_alerts) {
        Ok(max) if max > 0 && alerts.len() > max => (&alerts[..max], (alerts.len() - max) as u64),
        _ => (alerts, 0),
    }
}

/// The escapes Go's `encoding/json` adds to what serde writes: `<`, `>` and `&` (HTML-safe
/// output) and the line and paragraph separators. Outside strings JSON has none of these
/// characters, so replacing them everywhere only touches strings.
pub fn go_json_escape(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::alert::{fingerprint, Status};

    fn notified(
        status: Status,
        pairs: &[(&str, &str)],
        summary: &str,
        ends_at: Option<i64>,
    ) -> NotifiedAlert {
        let labels = Labels::from_pairs(pairs.iter().copied());
        NotifiedAlert {
            status,
            fingerprint: fingerprint(&labels),
            labels,
            annotations: [("summary".to_string(), summary.to_string())]
                .into_iter()
                .collect(),
            starts_at: 1_700_000_000_000,
            ends_at,
            generator_url: "http://prom:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1".into(),
        }
    }

    fn json(bytes: &[u8]) -> serde_json::Value {
        serde_json::from_slice(bytes).unwrap()
    }

    #[test]
    fn the_message_has_alertmanagers_fields_and_values() {
        let alerts = [
            notified(
                Status::Firing,
                &[("alertname", "Down"), ("instance", "a"), ("job", "n")],
                "a is down",
                None,
            ),
            notified(
                Status::Resolved,
                &[("alertname", "Down"), ("instance", "b"), ("job", "n")],
                "b is down",
                Some(1_700_000_060_500),
            ),
        ];
        let gl = Labels::from_pairs([("alertname", "Down")]);
        let body = body(
            "team.ops",
            r#"{}:{alertname="Down"}"#,
            &gl,
            &alerts,
            "http://am:9093",
            0,
        );
        let v = json(&body);
        assert_eq!(v["version"], "4");
        assert_eq!(v["groupKey"], r#"{}:{alertname="Down"}"#);
        assert_eq!(v["truncatedAlerts"], 0);
        assert_eq!(v["status"], "firing");
        assert_eq!(v["receiver"], r"team\.ops");
        assert_eq!(v["groupLabels"], serde_json::json!({"alertname": "Down"}));
        assert_eq!(
            v["commonLabels"],
            serde_json::json!({"alertname": "Down", "job": "n"})
        );
        assert_eq!(v["commonAnnotations"], serde_json::json!({}));
        assert_eq!(v["externalURL"], "http://am:9093");
        let a0 = &v["alerts"][0];
        assert_eq!(a0["status"], "firing");
        assert_eq!(a0["labels"]["instance"], "a");
        assert_eq!(a0["annotations"]["summary"], "a is down");
        assert_eq!(a0["startsAt"], "2023-11-14T22:13:20Z");
        assert_eq!(a0["endsAt"], "0001-01-01T00:00:00Z");
        assert_eq!(
            a0["generatorURL"],
            "http://prom:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1"
        );
        let fp = fingerprint(&Labels::from_pairs([
            ("alertname", "Down"),
            ("instance", "a"),
            ("job", "n"),
        ]));
        assert_eq!(a0["fingerprint"], format!("{fp:016x}"));
        assert_eq!(v["alerts"][1]["endsAt"], "2023-11-14T22:14:20.5Z");
    }

    #[test]
    fn bytes_are_as_gos_encoder_writes_them() {
        let alerts = [notified(
            Status::Firing,
            &[("alertname", "A")],
            "x < y & z > w",
            None,
        )];
        let body = body("r", "{}:{}", &Labels::new(), &alerts, "http://am", 0);
        let text = String::from_utf8(body).unwrap();
        let fp = fingerprint_hex(fingerprint(&Labels::from_pairs([("alertname", "A")])));
        let expected = format!(
            concat!(
                r#"{{"receiver":"r","status":"firing","alerts":[{{"status":"firing","labels":{{"alertname":"A"}},"#,
                r#""annotations":{{"summary":"x \u003c y \u0026 z \u003e w"}},"startsAt":"2023-11-14T22:13:20Z","#,
                r#""endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prom:9090/graph?g0.expr=up+%3D%3D+0\u0026g0.tab=1","#,
                r#""fingerprint":"{}"}}],"groupLabels":{{}},"commonLabels":{{"alertname":"A"}},"#,
                r#""commonAnnotations":{{"summary":"x \u003c y \u0026 z \u003e w"}},"externalURL":"http://am","#,
                r#""version":"4","groupKey":"{{}}:{{}}","truncatedAlerts":0}}"#,
                "\n"
            ),
            fp
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn max_alerts_truncates_before_the_data_is_computed() {
        let alerts = [
            notified(
                Status::Resolved,
                &[("alertname", "A"), ("i", "1")],
                "s",
                Some(5),
            ),
            notified(Status::Firing, &[("alertname", "A"), ("i", "2")], "s", None),
            notified(Status::Firing, &[("alertname", "A"), ("i", "3")], "s", None),
        ];
        let v = json(&body("r", "k", &Labels::new(), &alerts, "", 1));
        assert_eq!(v["alerts"].as_array().unwrap().len(), 1);
        assert_eq!(v["truncatedAlerts"], 2);
        // Only the resolved alert is sent, so the message is resolved.
        assert_eq!(v["status"], "resolved");
        assert_eq!(v["commonLabels"]["i"], "1");
        let v = json(&body("r", "k", &Labels::new(), &alerts, "", 0));
        assert_eq!(
            (
                v["alerts"].as_array().unwrap().len(),
                v["truncatedAlerts"].as_u64()
            ),
            (3, Some(0))
        );
    }
}
