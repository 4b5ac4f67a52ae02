//! Timing sequences over simulated time: each test feeds alerts and flushes at chosen
//! milliseconds, delivering every notification successfully unless it says otherwise.

use super::*;
use crate::notify::alert::Annotations;

const S: i64 = 1_000;
const M: i64 = 60 * S;
const H: i64 = 60 * M;

const WEBHOOK: &str = "
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: hook
    webhook_configs:
      - url: http://127.0.0.1:9/hook
";

fn cfg(text: &str) -> Config {
    Config::parse(text).unwrap()
}

fn alert(name: &str, instance: &str, starts: i64, ends: Option<i64>) -> PostableAlert {
    PostableAlert {
        labels: Labels::from_pairs([("alertname", name), ("instance", instance)]),
        annotations: Annotations::new(),
        starts_at: Some(starts),
        ends_at: ends,
        generator_url: "http://prom/graph".into(),
    }
}

/// What one delivered notification held: group key, integration, and `instance:status`.
#[derive(Debug, PartialEq)]
struct Sent {
    key: String,
    to: String,
    alerts: Vec<String>,
}

fn sent(key: &str, to: &str, alerts: &[&str]) -> Sent {
    Sent {
        key: key.into(),
        to: to.into(),
        alerts: alerts.iter().map(|s| s.to_string()).collect(),
    }
}

/// Flushes at `now` and delivers everything successfully.
fn step(s: &mut DispatchState, c: &Config, silences: &[Silence], now: i64) -> Vec<Sent> {
    deliver(s, c, silences, now, true)
}

fn deliver(
    s: &mut DispatchState,
    c: &Config,
    silences: &[Silence],
    now: i64,
    ok: bool,
) -> Vec<Sent> {
    let mut out = Vec::new();
    for f in s.flush(c, silences, now) {
        for n in &f.notifications {
            out.push(Sent {
                key: f.group_key.clone(),
                to: format!("{}/{}", f.receiver, n.integration),
                alerts: n
                    .alerts
                    .iter()
                    .map(|a| {
                        format!(
                            "{}:{}",
                            a.labels.get_or_empty("instance"),
                            a.status.as_str()
                        )
                    })
                    .collect(),
            });
        }
        s.finish(&f, &vec![ok; f.notifications.len()], now);
    }
    out
}

const KEY_A: &str = r#"{}:{alertname="A"}"#;
const HOOK: &str = "hook/webhook[0]";

#[test]
fn the_first_notification_waits_for_group_wait() {
    let c = cfg(WEBHOOK);
    let mut s = DispatchState::new();
    assert!(s
        .ingest(&c, vec![alert("A", "1", 0, Some(10 * H))], 0)
        .is_empty());
    assert_eq!(s.next_flush_at(), Some(30 * S));
    assert!(step(&mut s, &c, &[], 29 * S).is_empty());
    assert_eq!(
        step(&mut s, &c, &[], 30 * S),
        [sent(KEY_A, HOOK, &["1:firing"])]
    );
    assert_eq!(s.next_flush_at(), Some(30 * S + 5 * M));
}

#[test]
fn changes_wait_for_the_group_interval_and_unchanged_groups_stay_quiet() {
    let c = cfg(WEBHOOK);
    let mut s = DispatchState::new();
    s.ingest(&c, vec![alert("A", "1", 0, Some(10 * H))], 0);
    step(&mut s, &c, &[], 30 * S);
    s.ingest(&c, vec![alert("A", "2", M, Some(10 * H))], M);
    assert!(
        step(&mut s, &c, &[], 2 * M).is_empty(),
        "nothing is due before the interval"
    );
    assert_eq!(
        step(&mut s, &c, &[], 5 * M + 30 * S),
        [sent(KEY_A, HOOK, &["1:firing", "2:firing"])]
    );
    assert!(step(&mut s, &c, &[], 10 * M + 30 * S).is_empty());
}

#[test]
fn an_unchanged_group_repeats_at_the_first_flush_after_the_repeat_interval() {
    let c = cfg(WEBHOOK);
    let mut s = DispatchState::new();
    s.ingest(&c, vec![alert("A", "1", 0, Some(100 * H))], 0);
    step(&mut s, &c, &[], 30 * S);
    let mut repeats = Vec::new();
    let mut t = 30 * S;
    while t < 9 * H {
        t += 5 * M;
        if !step(&mut s, &c, &[], t).is_empty() {
            repeats.push(t - 30 * S);
        }
    }
    // 4h is a multiple of 5m: as in Alertmanager, the repeat comes one interval later.
    assert_eq!(repeats, [4 * H + 5 * M, 8 * H + 10 * M]);

    let c = cfg(&WEBHOOK.replace("repeat_interval: 4h", "repeat_interval: 7m"));
    let mut s = DispatchState::new();
    s.ingest(&c, vec![alert("A", "1", 0, Some(100 * H))], 0);
    step(&mut s, &c, &[], 30 * S);
    assert!(step(&mut s, &c, &[], 5 * M + 30 * S).is_empty());
    assert_eq!(step(&mut s, &c, &[], 10 * M + 30 * S).len(), 1);
}

#[test]
fn resolved_alerts_are_notified_once_then_leave_the_group() {
    let c = cfg(WEBHOOK);
    let mut s = DispatchState::new();
    s.ingest(
        &c,
        vec![
            alert("A", "1", 0, Some(10 * H)),
            alert("A", "2", 0, Some(10 * H)),
        ],
        0,
    );
    step(&mut s, &c, &[], 30 * S);
    s.ingest(&c, vec![alert("A", "2", 0, Some(3 * M))], 3 * M);
    assert_eq!(
        step(&mut s, &c, &[], 5 * M + 30 * S),
        [sent(KEY_A, HOOK, &["1:firing", "2:resolved"])]
    );
    assert_eq!(
        s.groups()[0].alerts.len(),
        1,
        "the notified resolved alert left the group"
    );
    s.ingest(&c, vec![alert("A", "1", 0, Some(7 * M))], 7 * M);
    assert_eq!(
        step(&mut s, &c, &[], 10 * M + 30 * S),
        [sent(KEY_A, HOOK, &["1:resolved"])]
    );
    assert!(s.groups().is_empty(), "an empty group ends");
    assert_eq!(s.next_flush_at(), None);
    // The rule evaluator keeps re-posting the resolved alert for a while: no new message.
    s.ingest(&c, vec![alert("A", "1", 0, Some(7 * M))], 11 * M);
    assert!(step(&mut s, &c, &[], 11 * M).is_empty());
    assert!(s.groups().is_empty());
}

#[test]
fn an_alert_resolved_before_group_wait_is_never_sent() {
    let c = cfg(WEBHOOK);
    let mut s = DispatchState::new();
    s.ingest(&c, vec![alert("A", "1", 0, None)], 0);
    s.ingest(&c, vec![alert("A", "1", 0, Some(10 * S))], 10 * S);
    assert!(step(&mut s, &c, &[], 30 * S).is_empty());
    assert!(s.groups().is_empty());
}

#[test]
fn an_alert_without_an_end_resolves_after_resolve_timeout() {
    let c = cfg(WEBHOOK);
    let mut s = DispatchState::new();
    s.ingest(&c, vec![alert("A", "1", 0, None)], 0);
    assert_eq!(
        step(&mut s, &c, &[], 30 * S),
        [sent(KEY_A, HOOK, &["1:firing"])]
    );
    // Not posted again: resolved 5m (resolve_timeout) after the last post.
    assert!(step(&mut s, &c, &[], 5 * M - 1).is_empty());
    assert_eq!(
        step(&mut s, &c, &[], 5 * M + 30 * S),
        [sent(KEY_A, HOOK, &["1:resolved"])]
    );
}

#[test]
fn an_old_alert_flushes_at_once() {
    let c = cfg(WEBHOOK);
    let mut s = DispatchState::new();
    s.ingest(&c, vec![alert("A", "1", 0, Some(10 * H))], H);
    assert_eq!(s.next_flush_at(), Some(H));
    assert_eq!(step(&mut s, &c, &[], H).len(), 1);
    assert_eq!(s.next_flush_at(), Some(H + 5 * M));
}

#[test]
fn late_flushes_keep_to_the_groups_grid() {
    let c = cfg(WEBHOOK);
    let mut s = DispatchState::new();
    s.ingest(&c, vec![alert("A", "1", 0, Some(10 * H))], 0);
    // A cron run once a minute, starting late.
    assert_eq!(step(&mut s, &c, &[], M).len(), 1);
    assert_eq!(s.next_flush_at(), Some(5 * M + 30 * S));
    // A run that comes after several missed flushes does one flush and stays on the grid.
    step(&mut s, &c, &[], 17 * M);
    assert_eq!(s.next_flush_at(), Some(20 * M + 30 * S));
}

#[test]
fn a_failed_delivery_keeps_everything_for_the_next_flush() {
    let c = cfg(WEBHOOK);
    let mut s = DispatchState::new();
    s.ingest(&c, vec![alert("A", "1", 0, Some(M))], 0);
    assert_eq!(deliver(&mut s, &c, &[], 30 * S, false).len(), 1);
    // The alert resolved meanwhile; the group was never notified successfully.
    assert!(step(&mut s, &c, &[], 5 * M + 30 * S).is_empty());
    let c = cfg(WEBHOOK);
    let mut s = DispatchState::new();
    s.ingest(&c, vec![alert("A", "1", 0, Some(10 * H))], 0);
    step(&mut s, &c, &[], 30 * S);
    s.ingest(&c, vec![alert("A", "1", 0, Some(2 * M))], 2 * M);
    assert_eq!(deliver(&mut s, &c, &[], 5 * M + 30 * S, false).len(), 1);
    assert_eq!(s.groups()[0].alerts.len(), 1, "kept until notified");
    assert_eq!(
        step(&mut s, &c, &[], 10 * M + 30 * S),
        [sent(KEY_A, HOOK, &["1:resolved"])]
    );
    assert!(s.groups().is_empty());
}

const SLACK_AND_HOOK: &str = "
global:
  slack_api_url: https://hooks.slack.com/services/T/B/X
route:
  receiver: team
  group_by: [alertname]
receivers:
  - name: team
    webhook_configs:
      - url: http://127.0.0.1:9/hook
    slack_configs:
      - channel: '#alerts'
";

#[test]
fn slack_without_send_resolved_hears_only_of_firing_alerts() {
    let c = cfg(SLACK_AND_HOOK);
    let mut s = DispatchState::new();
    s.ingest(
        &c,
        vec![
            alert("A", "1", 0, Some(10 * H)),
            alert("A", "2", 0, Some(10 * H)),
        ],
        0,
    );
    assert_eq!(
        step(&mut s, &c, &[], 30 * S),
        [
            sent(KEY_A, "team/webhook[0]", &["1:firing", "2:firing"]),
            sent(KEY_A, "team/slack[0]", &["1:firing", "2:firing"]),
        ]
    );
    s.ingest(&c, vec![alert("A", "2", 0, Some(M))], M);
    // One alert resolved: the webhook hears of it, Slack (send_resolved false) does not.
    assert_eq!(
        step(&mut s, &c, &[], 5 * M + 30 * S),
        [sent(KEY_A, "team/webhook[0]", &["1:firing", "2:resolved"])]
    );
    s.ingest(&c, vec![alert("A", "1", 0, Some(6 * M))], 6 * M);
    assert_eq!(
        step(&mut s, &c, &[], 10 * M + 30 * S),
        [sent(KEY_A, "team/webhook[0]", &["1:resolved"])]
    );
    // It fires again later: both hear of it, Slack too, since its log says nothing fires.
    s.ingest(&c, vec![alert("A", "1", 20 * M, Some(10 * H))], 20 * M);
    assert_eq!(
        step(&mut s, &c, &[], 20 * M + 30 * S),
        [
            sent(KEY_A, "team/webhook[0]", &["1:firing"]),
            sent(KEY_A, "team/slack[0]", &["1:firing"]),
        ]
    );
}

const TREE: &str = r#"
route:
  receiver: default
  group_by: [alertname]
  routes:
    - matchers: [severity="page"]
      receiver: pager
      continue: true
    - matchers: [team="db"]
      receiver: db
receivers:
  - name: default
    webhook_configs: [{url: "http://127.0.0.1:9/default"}]
  - name: pager
    webhook_configs: [{url: "http://127.0.0.1:9/pager"}]
  - name: db
    webhook_configs: [{url: "http://127.0.0.1:9/db"}]
inhibit_rules:
  - source_matchers: [severity="page"]
    target_matchers: [severity="info"]
    equal: [alertname]
"#;

fn labelled(pairs: &[(&str, &str)], ends: i64) -> PostableAlert {
    PostableAlert {
        labels: Labels::from_pairs(pairs.iter().copied()),
        ends_at: Some(ends),
        starts_at: Some(0),
        ..Default::default()
    }
}

#[test]
fn nested_routes_make_their_own_groups_and_keys() {
    let c = cfg(TREE);
    let mut s = DispatchState::new();
    s.ingest(
        &c,
        vec![labelled(
            &[("alertname", "X"), ("severity", "page"), ("team", "db")],
            H,
        )],
        0,
    );
    let got = step(&mut s, &c, &[], 30 * S);
    let keys: Vec<(&str, &str)> = got
        .iter()
        .map(|g| (g.key.as_str(), g.to.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            (
                r#"{}/{severity="page"}:{alertname="X"}"#,
                "pager/webhook[0]"
            ),
            (r#"{}/{team="db"}:{alertname="X"}"#, "db/webhook[0]"),
        ]
    );
}

#[test]
fn inhibited_and_silenced_alerts_are_left_out() {
    let c = cfg(TREE);
    let mut s = DispatchState::new();
    s.ingest(
        &c,
        vec![
            labelled(
                &[("alertname", "X"), ("instance", "1"), ("severity", "info")],
                H,
            ),
            labelled(
                &[("alertname", "X"), ("instance", "2"), ("severity", "info")],
                H,
            ),
            labelled(
                &[("alertname", "Y"), ("instance", "3"), ("severity", "info")],
                H,
            ),
            labelled(
                &[("alertname", "X"), ("instance", "9"), ("severity", "page")],
                2 * M,
            ),
        ],
        0,
    );
    let silence: Silence = serde_json::from_str(
        r#"{"id":"s","matchers":[{"name":"instance","value":"2","isRegex":false}],
            "startsAt":"1970-01-01T00:00:00Z","endsAt":"1970-01-01T00:03:00Z"}"#,
    )
    .unwrap();
    let silences = [silence];
    let got = step(&mut s, &c, &silences, 30 * S);
    let default_x: Vec<&Sent> = got.iter().filter(|g| g.to.starts_with("default")).collect();
    // X's info alerts are inhibited by the paging X; Y's is not.
    assert_eq!(default_x.len(), 1);
    assert_eq!(default_x[0].alerts, ["3:firing"]);
    // The page resolves at 2m and the silence ends at 3m: instance 1 and 2 come through.
    let got = step(&mut s, &c, &silences, 5 * M + 30 * S);
    let x = got
        .iter()
        .find(|g| g.key == r#"{}:{alertname="X"}"#)
        .unwrap();
    assert_eq!(x.alerts, ["1:firing", "2:firing"]);
}

#[test]
fn the_state_survives_a_save_and_restore_between_runs() {
    let c = cfg(WEBHOOK);
    let mut s = DispatchState::new();
    s.ingest(&c, vec![alert("A", "1", 0, Some(10 * H))], 0);
    let mut restored = DispatchState::from_json(&s.to_json()).unwrap();
    assert_eq!(restored, s);
    assert_eq!(step(&mut restored, &c, &[], 30 * S).len(), 1);
    let mut again = DispatchState::from_json(&restored.to_json()).unwrap();
    assert!(
        step(&mut again, &c, &[], 5 * M + 30 * S).is_empty(),
        "the log came along"
    );
    let text = String::from_utf8(again.to_json())
        .unwrap()
        .replace("\"version\":1", "\"version\":99");
    let e = DispatchState::from_json(text.as_bytes()).unwrap_err();
    assert!(e.contains("version 99"), "{e}");
    assert!(DispatchState::from_json(b"{")
        .unwrap_err()
        .contains("does not decode"));
}

#[test]
fn a_new_routing_tree_regroups_the_alerts_held() {
    let c = cfg(WEBHOOK);
    let mut s = DispatchState::new();
    s.ingest(&c, vec![alert("A", "1", 0, Some(10 * H))], 0);
    step(&mut s, &c, &[], 30 * S);
    let by_instance = cfg(&WEBHOOK.replace("group_by: [alertname]", "group_by: [instance]"));
    let got = step(&mut s, &by_instance, &[], M);
    assert_eq!(got, [sent(r#"{}:{instance="1"}"#, HOOK, &["1:firing"])]);
}

#[test]
fn refused_alerts_are_named_and_the_rest_taken() {
    let c = cfg(WEBHOOK);
    let mut s = DispatchState::new();
    let bad = PostableAlert {
        labels: Labels::from_pairs([("alertname", "B")]),
        starts_at: Some(10),
        ends_at: Some(5),
        ..Default::default()
    };
    let refused = s.ingest(&c, vec![bad, alert("A", "1", 0, None)], 0);
    let messages: Vec<&str> = refused.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(
        messages,
        [r#"alert {alertname="B"}: start time must be before end time"#]
    );
    assert!(!refused[0].full);
    assert_eq!(s.alerts().count(), 1);
}

#[test]
fn a_full_dispatcher_drops_new_alerts_and_keeps_updating_held_ones() {
    let c = cfg(WEBHOOK);
    let mut s = DispatchState::new();
    let many: Vec<PostableAlert> = (0..MAX_ALERTS)
        .map(|i| alert("A", &i.to_string(), 0, Some(10 * H)))
        .collect();
    assert!(s.ingest(&c, many, 0).is_empty());
    let refused = s.ingest(
        &c,
        vec![
            alert("A", "new", M, Some(10 * H)),
            alert("A", "7", M, Some(M)),
        ],
        M,
    );
    assert_eq!(refused.len(), 1);
    assert!(refused[0].full);
    assert!(
        refused[0]
            .message
            .contains("notification queue is full (10000 alerts held)"),
        "{}",
        refused[0].message
    );
    assert_eq!(s.alerts().count(), MAX_ALERTS);
    // The held alert "7" was updated: it now ends at M.
    assert!(s
        .alerts()
        .any(|a| a.labels.get("instance") == Some("7") && a.ends_at == M));
}

#[test]
fn a_receiver_without_integrations_swallows_its_groups() {
    let c = cfg("route: {receiver: blackhole}\nreceivers: [{name: blackhole}]\n");
    let mut s = DispatchState::new();
    s.ingest(&c, vec![alert("A", "1", 0, Some(M))], 0);
    assert!(step(&mut s, &c, &[], 30 * S).is_empty());
    assert!(step(&mut s, &c, &[], 5 * M + 30 * S).is_empty());
    assert!(s.groups().is_empty());
}
