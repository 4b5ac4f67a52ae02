//! Sending alerts to Alertmanagers as Prometheus does (`rules/alerting.go` `sendAlerts`,
//! `notifier/`): after each evaluation, every firing alert not sent within the resend delay
//! (1m) and every alert resolved since it was last sent goes out; pending alerts never do.
//! A firing alert's `endsAt` is four times the larger of the group's interval and the resend
//! delay after the send, so that Alertmanager keeps it through two missed sends; a resolved
//! one's is its resolution time. External labels are added where the alert lacks them, then
//! `alert_relabel_configs` apply. The batch is POSTed as JSON to each Alertmanager's API v2
//! (`/api/v2/alerts`).

use super::alert::{Alert, AlertState};
use super::alerting_config::{AlertingConfig, Alertmanager};
use super::group::GroupState;
use crate::model::time::format_rfc3339;
use crate::model::Labels;
use serde_json::{json, Value};

/// Prometheus' `--rules.alert.resend-delay`.
pub const RESEND_DELAY_MS: i64 = 60_000;

/// One alert as Alertmanager's API v2 takes it.
#[derive(Clone, Debug, PartialEq)]
pub struct OutAlert {
    pub labels: Labels,
    pub annotations: Vec<(String, String)>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub generator_url: String,
}

/// The alerts of `state` due to be sent at `ts`, marking them sent. `exprs` are the rules'
/// expressions in canonical form, for the generator URLs.
pub fn due(
    state: &mut GroupState,
    exprs: &[String],
    ts: i64,
    interval: i64,
    external_url: &str,
) -> Vec<OutAlert> {
    let mut out = Vec::new();
    for (rs, expr) in state.rules.iter_mut().zip(exprs) {
        for a in rs.alerts.active.values_mut() {
            if !needs_sending(a, ts) {
                continue;
            }
            a.last_sent_at = Some(ts);
            let valid_until = ts + 4 * interval.max(RESEND_DELAY_MS);
            a.valid_until = Some(valid_until);
            out.push(OutAlert {
                labels: a.labels.clone(),
                annotations: a.annotations.clone(),
                starts_at: a.fired_at.unwrap_or(a.active_at),
                ends_at: a.resolved_at.unwrap_or(valid_until),
                generator_url: generator_url(external_url, expr),
            });
        }
    }
    out
}

fn needs_sending(a: &Alert, ts: i64) -> bool {
    if a.state == AlertState::Pending {
        return false;
    }
    if let Some(resolved) = a.resolved_at {
        if a.last_sent_at.is_none_or(|sent| resolved > sent) {
            return true;
        }
    }
    a.last_sent_at
        .is_none_or(|sent| sent + RESEND_DELAY_MS < ts)
}

/// Prometheus' link to the expression in its UI: `/graph?g0.expr=...&g0.tab=1`.
pub fn generator_url(external_url: &str, expr: &str) -> String {
    let q: String = form_urlencoded::byte_serialize(expr.as_bytes()).collect();
    format!(
        "{}/graph?g0.expr={q}&g0.tab=1",
        external_url.trim_end_matches('/')
    )
}

/// External labels where missing, then the relabeling; `None` when relabeling drops it.
pub fn prepare(
    mut alert: OutAlert,
    external_labels: &[(String, String)],
    config: &AlertingConfig,
) -> Option<OutAlert> {
    let mut b = alert.labels.to_builder();
    for (k, v) in external_labels {
        if b.get(k).is_none() {
            b.set(k.clone(), v.clone());
        }
    }
    let labels = b.build();
    alert.labels = crate::scrape::relabel::process(&labels, &config.relabel)?;
    Some(alert)
}

/// The API v2 body of a batch.
pub fn body(alerts: &[OutAlert]) -> Value {
    let pairs = crate::promql::json::pairs_json;
    Value::Array(
        alerts
            .iter()
            .map(|a| {
                json!({
                    "labels": pairs(a.labels.pairs()),
                    "annotations": pairs(&a.annotations),
                    "startsAt": format_rfc3339(a.starts_at),
                    "endsAt": format_rfc3339(a.ends_at),
                    "generatorURL": a.generator_url,
                })
            })
            .collect(),
    )
}

/// POSTs `alerts` to every Alertmanager; returns one message per Alertmanager that did not
/// take them. Blocks the calling thread (on a runtime of its own) until every answer or
/// timeout, so it may be called from synchronous code, including a thread that is driving
/// a runtime of its own.
pub fn send(alertmanagers: &[Alertmanager], alerts: &[OutAlert]) -> Vec<String> {
    if alerts.is_empty() || alertmanagers.is_empty() {
        return Vec::new();
    }
    let payload = body(alerts).to_string();
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => return vec![format!("cannot start the sender: {e}")],
                };
                rt.block_on(async {
                    let client = reqwest::Client::new();
                    let mut errors = Vec::new();
                    for am in alertmanagers {
                        let mut req = client
                            .post(&am.url)
                            .header("Content-Type", "application/json")
                            .timeout(std::time::Duration::from_millis(am.timeout_ms as u64))
                            .body(payload.clone());
                        if let Some(a) = &am.authorization {
                            req = req.header("Authorization", a);
                        }
                        match req.send().await {
                            Ok(r) if r.status().is_success() => {}
                            Ok(r) => {
                                let status = r.status();
                                let text = r.text().await.unwrap_or_default();
                                errors.push(format!(
                                    "Alertmanager {} answered {status}: {}",
                                    am.url,
                                    crate::model::limits::excerpt(text.trim())
                                ));
                            }
                            Err(e) => errors.push(format!("Alertmanager {}: {e}", am.url)),
                        }
                    }
                    errors
                })
            })
            .join()
            .unwrap_or_else(|_| vec!["the sender failed".to_string()])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::alert::{Found, Timing};
    use crate::rules::group::RuleState;

    fn group_with_alert(hold: i64) -> GroupState {
        let mut g = GroupState {
            rules: vec![RuleState::default()],
            ..GroupState::default()
        };
        g.rules[0].alerts.advance(
            vec![Found {
                labels: Labels::from_pairs([("alertname", "A")]),
                annotations: vec![],
                value: 1.0,
            }],
            0,
            Timing {
                hold,
                keep_firing_for: 0,
            },
        );
        g
    }

    #[test]
    fn firing_alerts_are_sent_then_resent_after_the_delay_and_resolutions_at_once() {
        let exprs = vec!["up == 0".to_string()];
        let mut pending = group_with_alert(60_000);
        assert!(due(&mut pending, &exprs, 0, 60_000, "http://x").is_empty());

        let mut g = group_with_alert(0);
        let sent = due(&mut g, &exprs, 0, 15_000, "http://x:9180/");
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].starts_at, 0);
        // endsAt: four times max(interval, resend delay).
        assert_eq!(sent[0].ends_at, 240_000);
        assert_eq!(
            sent[0].generator_url,
            "http://x:9180/graph?g0.expr=up+%3D%3D+0&g0.tab=1"
        );
        assert!(due(&mut g, &exprs, 60_000, 15_000, "").is_empty());
        assert_eq!(due(&mut g, &exprs, 60_001, 15_000, "").len(), 1);
        // Resolved: sent at once, with its resolution time.
        g.rules[0].alerts.advance(
            vec![],
            70_000,
            Timing {
                hold: 0,
                keep_firing_for: 0,
            },
        );
        let sent = due(&mut g, &exprs, 70_000, 15_000, "");
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].ends_at, 70_000);
        assert!(due(&mut g, &exprs, 71_000, 15_000, "").is_empty());
    }

    #[test]
    fn external_labels_fill_gaps_and_relabeling_may_drop() {
        let a = OutAlert {
            labels: Labels::from_pairs([("alertname", "A"), ("cluster", "own")]),
            annotations: vec![],
            starts_at: 0,
            ends_at: 0,
            generator_url: String::new(),
        };
        let ext = vec![
            ("cluster".to_string(), "eu".to_string()),
            ("dc".to_string(), "1".to_string()),
        ];
        let config = AlertingConfig::default();
        let out = prepare(a.clone(), &ext, &config).unwrap();
        assert_eq!(out.labels.get("cluster"), Some("own"));
        assert_eq!(out.labels.get("dc"), Some("1"));
        let drop = AlertingConfig {
            alertmanagers: vec![],
            relabel: vec![crate::scrape::relabel::RelabelConfig::from_yaml(
                "{source_labels: [alertname], regex: A, action: drop}",
            )
            .unwrap()],
        };
        assert!(prepare(a, &ext, &drop).is_none());
    }
}
