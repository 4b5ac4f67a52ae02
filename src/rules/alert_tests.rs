use super::*;

fn labels(name: &str) -> Labels {
    Labels::from_pairs([("alertname", "A"), ("instance", name)])
}

fn found(name: &str, value: f64) -> Found {
    Found {
        labels: labels(name),
        annotations: vec![("summary".into(), format!("{name} is {value}"))],
        value,
    }
}

const MIN: i64 = 60_000;

#[test]
fn an_alert_is_pending_for_its_hold_then_fires() {
    let mut a = Alerts::default();
    let timing = Timing {
        hold: 5 * MIN,
        keep_firing_for: 0,
    };
    for minute in 0..5 {
        a.advance(vec![found("x", 1.0)], minute * MIN, timing);
        assert_eq!(a.state(), AlertState::Pending, "minute {minute}");
    }
    a.advance(vec![found("x", 2.0)], 5 * MIN, timing);
    let alert = a.current().next().unwrap();
    assert_eq!(alert.state, AlertState::Firing);
    assert_eq!(alert.active_at, 0);
    assert_eq!(alert.fired_at, Some(5 * MIN));
    // Value and annotations follow the latest evaluation.
    assert_eq!(alert.value, 2.0);
    assert_eq!(alert.annotations[0].1, "x is 2");
}

#[test]
fn for_zero_fires_at_the_first_evaluation() {
    let mut a = Alerts::default();
    a.advance(
        vec![found("x", 1.0)],
        0,
        Timing {
            hold: 0,
            keep_firing_for: 0,
        },
    );
    assert_eq!(a.state(), AlertState::Firing);
}

#[test]
fn a_pending_alert_that_goes_away_is_forgotten() {
    let mut a = Alerts::default();
    let timing = Timing {
        hold: 5 * MIN,
        keep_firing_for: 0,
    };
    a.advance(vec![found("x", 1.0)], 0, timing);
    a.advance(vec![], MIN, timing);
    assert!(a.active.is_empty());
}

#[test]
fn a_firing_alert_that_goes_away_is_resolved_kept_then_dropped() {
    let mut a = Alerts::default();
    let timing = Timing {
        hold: 0,
        keep_firing_for: 0,
    };
    a.advance(vec![found("x", 1.0)], 0, timing);
    let active = a.advance(vec![], MIN, timing);
    assert_eq!(active, 0);
    let alert = &a.active[&labels("x")];
    assert_eq!(alert.state, AlertState::Inactive);
    assert_eq!(alert.resolved_at, Some(MIN));
    assert_eq!(a.current().count(), 0);
    // Kept for the retention (to re-send the resolution), dropped after it.
    a.advance(vec![], MIN + RESOLVED_RETENTION_MS, timing);
    assert_eq!(a.active.len(), 1);
    a.advance(vec![], MIN + RESOLVED_RETENTION_MS + 1, timing);
    assert!(a.active.is_empty());
}

#[test]
fn a_resolved_alert_that_comes_back_starts_pending_anew() {
    let mut a = Alerts::default();
    let timing = Timing {
        hold: 2 * MIN,
        keep_firing_for: 0,
    };
    a.advance(vec![found("x", 1.0)], 0, timing);
    a.advance(vec![found("x", 1.0)], 2 * MIN, timing);
    a.advance(vec![], 3 * MIN, timing);
    a.advance(vec![found("x", 1.0)], 4 * MIN, timing);
    let alert = &a.active[&labels("x")];
    assert_eq!(alert.state, AlertState::Pending);
    assert_eq!(alert.active_at, 4 * MIN);
}

#[test]
fn keep_firing_for_holds_a_firing_alert_after_its_condition_ends() {
    let mut a = Alerts::default();
    let timing = Timing {
        hold: 0,
        keep_firing_for: 2 * MIN,
    };
    a.advance(vec![found("x", 1.0)], 0, timing);
    assert_eq!(a.advance(vec![], MIN, timing), 1);
    assert_eq!(a.state(), AlertState::Firing);
    assert_eq!(a.active[&labels("x")].keep_firing_since, Some(MIN));
    assert_eq!(a.advance(vec![], 2 * MIN, timing), 1);
    assert_eq!(a.advance(vec![], 3 * MIN, timing), 0);
    assert_eq!(a.state(), AlertState::Inactive);
    assert_eq!(a.active[&labels("x")].resolved_at, Some(3 * MIN));
}

#[test]
fn the_rule_state_is_the_most_severe_of_its_alerts() {
    let mut a = Alerts::default();
    assert_eq!(a.state(), AlertState::Inactive);
    a.advance(
        vec![found("x", 1.0)],
        0,
        Timing {
            hold: MIN,
            keep_firing_for: 0,
        },
    );
    a.advance(
        vec![found("x", 1.0), found("y", 1.0)],
        MIN,
        Timing {
            hold: MIN,
            keep_firing_for: 0,
        },
    );
    assert_eq!(a.active[&labels("y")].state, AlertState::Pending);
    assert_eq!(a.state(), AlertState::Firing);
}
