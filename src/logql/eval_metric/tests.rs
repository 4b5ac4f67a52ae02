//! Tests of metric evaluation through a real store: long chains and deep nesting on a small
//! stack (the translation's cuts), and windows at the ends of time.

use super::{Limits, MetricEvalError};
use crate::logql::Expr;
use crate::logql::MAX_NESTING;
use crate::model::{Labels, LogEntry};
use crate::promql::engine::EvalError;
use crate::promql::engine::Value;
use crate::store::logs::LogSnapshot;
use crate::store::Store;

fn instant(snap: &LogSnapshot, expr: &Expr, t: i64) -> Result<Value, MetricEvalError> {
    super::instant(snap, expr, t, &Limits::default())
}

fn range(
    snap: &LogSnapshot,
    expr: &Expr,
    start: i64,
    end: i64,
    step: i64,
) -> Result<Value, MetricEvalError> {
    super::range(snap, expr, start, end, step, &Limits::default())
}

/// Runs `f` on a thread with a 2 MiB stack, as the server's threads have.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

/// Ten lines of `{app="a"}`, one a second from 0 s, evaluated at 10 s (instant) or at
/// 10 s and 20 s (range).
fn eval(q: &str) -> (Value, Value) {
    let q = q.to_string();
    on_small_stack(move || {
        let d = tempfile::tempdir().unwrap();
        let s = Store::open(&d.path().join("s")).unwrap();
        let mut w = s.log_writer();
        for i in 0..10 {
            let e = LogEntry::new(i * 1_000_000_000, format!("n={i}"));
            w.append(&Labels::from_pairs([("app", "a")]), e).unwrap();
        }
        w.commit().unwrap();
        let snap = s.log_snapshot().unwrap();
        let expr = crate::logql::parse_for_eval(&q).unwrap();
        let sec = 1_000_000_000;
        let i = instant(&snap, &expr, 10 * sec).unwrap();
        let r = range(&snap, &expr, 10 * sec, 20 * sec, 10 * sec).unwrap();
        (i, r)
    })
}

/// The labels and value of a one-sample vector.
fn only_sample(v: &Value) -> (String, f64) {
    match v {
        Value::Vector(s) if s.len() == 1 => (s[0].labels.to_string(), s[0].v),
        other => panic!("not one sample: {other:?}"),
    }
}

const COUNT: &str = r#"count_over_time({app="a"}[1m])"#;

#[test]
fn a_chain_of_any_length_evaluates_on_a_small_stack() {
    let n = 3_000;
    let q = vec![COUNT; n].join(" + ");
    let (i, r) = eval(&q);
    assert_eq!(
        only_sample(&i),
        ("{app=\"a\"}".to_string(), 10.0 * n as f64)
    );
    let Value::Matrix(series) = r else {
        panic!("{r:?}")
    };
    assert_eq!(series.len(), 1);
    let values: Vec<f64> = series[0].samples.iter().map(|s| s.v).collect();
    assert_eq!(values, vec![10.0 * n as f64, 10.0 * n as f64]);
}

#[test]
fn a_chain_of_literals_is_one_number() {
    let q = format!("1{}", " + 2 * 3".repeat(10_000));
    let (i, _) = eval(&q);
    assert_eq!(
        i,
        Value::Scalar {
            t: 10_000,
            v: 60_001.0
        }
    );
    // Comparisons between literals fold to 0 or 1 along the way.
    let q = format!("2{}", " > 1".repeat(100));
    assert!(matches!(eval(&q).0, Value::Scalar { v, .. } if v == 0.0));
}

#[test]
fn results_cut_from_a_long_chain_keep_their_names() {
    // Filters keep the left side's name: the leaf's, which is private, or one the query
    // gave, which must come back whole after the chain was evaluated in parts.
    let q = format!("{COUNT}{}", " > 1".repeat(200));
    assert_eq!(only_sample(&eval(&q).0), ("{app=\"a\"}".to_string(), 10.0));
    let named = format!(r#"label_replace({COUNT}, "__name__", "lines", "", "")"#);
    let q = format!("{named}{}", " > 1".repeat(200));
    assert_eq!(
        only_sample(&eval(&q).0),
        ("lines{app=\"a\"}".to_string(), 10.0)
    );
    // Two series that differ only by name are still two.
    let other = format!(r#"label_replace({COUNT}, "__name__", "other", "", "")"#);
    let q = format!("({named} or on(__name__) {other}){}", " > 1".repeat(100));
    let Value::Vector(v) = eval(&q).0 else {
        panic!()
    };
    assert_eq!(v.len(), 2, "{v:?}");
}

#[test]
fn nesting_at_the_limit_evaluates_on_a_small_stack() {
    // The query itself counts as one level.
    let k = MAX_NESTING - 1;
    let cases = [
        format!("{}{COUNT}{}", "sum(".repeat(k), ")".repeat(k)),
        format!("{}{COUNT}{}", "topk(1, ".repeat(k), ")".repeat(k)),
        format!(
            "{}{COUNT}{}",
            "label_replace(".repeat(k),
            r#", "b", "c", "d", "e")"#.repeat(k)
        ),
        format!("{}{COUNT}{}", "(".repeat(k), ")".repeat(k)),
        format!(
            "{}{COUNT}{}",
            format!("{COUNT} * (").repeat(k / 2),
            ")".repeat(k / 2)
        ),
    ];
    for q in cases {
        let (i, _) = eval(&q);
        assert!(
            matches!(i, Value::Vector(ref v) if v.len() == 1),
            "{q}: {i:?}"
        );
    }
}

#[test]
fn windows_reaching_past_the_ends_of_time_do_not_overflow() {
    // Ranges and offsets of nearly 300 years put window edges beyond i64 nanoseconds.
    let q = format!("{COUNT} + count_over_time({{app=\"a\"}}[2562047h] offset -2562047h)");
    assert!(matches!(eval(&q).0, Value::Vector(ref v) if v.is_empty()));
    let q = r#"count_over_time({app="a"}[2562047h])"#;
    assert_eq!(only_sample(&eval(q).0).1, 10.0);
    let q = r#"rate_counter({app="a"} | logfmt | unwrap n [2562047h] offset 2562047h)"#;
    assert!(matches!(eval(q).0, Value::Vector(ref v) if v.is_empty()));
}

#[test]
fn steps_are_checked_before_anything_is_allocated() {
    let d = tempfile::tempdir().unwrap();
    let s = Store::open(&d.path().join("s")).unwrap();
    let snap = s.log_snapshot().unwrap();
    let expr = crate::logql::parse_for_eval(COUNT).unwrap();
    let err = |start, end, step| {
        range(&snap, &expr, start, end, step)
            .unwrap_err()
            .to_string()
    };
    assert!(err(10, 0, 1).contains("end timestamp must not be before start time"));
    assert!(err(0, 10, 0).contains("zero or negative query resolution step"));
    assert!(err(i64::MIN, i64::MAX, 1).contains("exceeds the maximum"));
    // The extremes themselves are fine: three steps whose products overflow on the way.
    assert!(range(&snap, &expr, i64::MIN, i64::MAX, i64::MAX).is_ok());
    assert!(instant(&snap, &expr, i64::MIN).is_ok());
}

/// The PromQL engine's limits apply above the leaves, and its error stays typed: a limit is
/// not mistaken for bad input by whoever answers the query.
#[test]
fn the_engine_limits_apply_and_its_errors_stay_typed() {
    let d = tempfile::tempdir().unwrap();
    let s = Store::open(&d.path().join("s")).unwrap();
    let mut w = s.log_writer();
    for i in 0..10 {
        let e = LogEntry::new(i * 1_000_000_000, format!("n={i}"));
        w.append(&Labels::from_pairs([("app", "a")]), e).unwrap();
    }
    w.commit().unwrap();
    let snap = s.log_snapshot().unwrap();
    let expr = crate::logql::parse_for_eval(&format!("sum({COUNT})")).unwrap();
    let sec = 1_000_000_000;
    let tight = Limits {
        max_samples: 2,
        ..Limits::default()
    };
    let err = super::range(&snap, &expr, 0, 10 * sec, sec, &tight).unwrap_err();
    assert!(
        matches!(err, MetricEvalError::Promql(EvalError::TooManySamples)),
        "{err:?}"
    );
    let no_time = Limits {
        timeout: Some(std::time::Duration::ZERO),
        ..Limits::default()
    };
    let err = super::range(&snap, &expr, 0, 10 * sec, sec, &no_time).unwrap_err();
    assert!(
        matches!(err, MetricEvalError::Promql(EvalError::Timeout)),
        "{err:?}"
    );
    assert!(range(&snap, &expr, 0, 10 * sec, sec).is_ok());
}
