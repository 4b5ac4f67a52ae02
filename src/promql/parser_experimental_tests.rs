//! Tests of the experimental syntax: duration expressions (`foo[5m+1m]`, `offset -step()`:
//! where the offset operand stops, constant folding, errors, round trips) and the fill
//! modifiers of binary operators (`a + fill(0) b`).

use super::{fail, p, round_trip};
use crate::promql::ast::*;

fn matrix(e: &Expr) -> &MatrixSelector {
    match e {
        Expr::Call(c) => matrix(&c.args[0]),
        Expr::MatrixSelector(ms) => ms,
        other => panic!("not a range selector: {other:?}"),
    }
}

#[test]
fn constant_expressions_fold_at_parse_time() {
    for q in [
        "rate(x[26m+4m])",
        "rate(x[60*30])",
        "rate(x[2m*(10+5)])",
        "rate(x[25m+((1.5*2m)+2m)])",
        "rate(x[-5m+35m])",
        "rate(x[1h/2])",
        "rate(x[(9m30s+30s)*3])",
    ] {
        let e = p(q);
        let ms = matrix(&e);
        assert_eq!(ms.range, 30 * 60_000, "{q}");
        assert!(ms.range_expr.is_some(), "{q}");
    }
    // A lone literal, even in parentheses, stays a plain range.
    assert_eq!(matrix(&p("rate(x[(5m)])")).range_expr, None);
    assert_eq!(matrix(&p("rate(x[5m])")).range_expr, None);
    assert_eq!(matrix(&p("rate(x[1800])")).range, 1_800_000);
}

#[test]
fn step_and_range_wait_for_the_query() {
    let e = p("count_over_time(x[step()+1ms])");
    let ms = matrix(&e);
    assert_eq!(ms.range, 0);
    assert!(ms.range_expr.as_ref().unwrap().is_query_dependent());
    let Expr::VectorSelector(vs) = p("x offset STEP()") else {
        panic!()
    };
    assert_eq!(vs.offset_expr.as_deref(), Some(&DurationExpr::Step));
    let Expr::Subquery(sq) = p("x[range():max_of(step(), 1s)]") else {
        panic!()
    };
    assert!(sq.range_expr.is_some() && sq.step_expr.is_some());
}

#[test]
fn offset_takes_one_operand() {
    // `x offset 100 + 2` adds 2 to the selector; in parentheses it is the offset.
    let Expr::Binary(b) = p("x offset 100 + 2") else {
        panic!()
    };
    assert_eq!(b.op, BinOp::Add);
    let Expr::VectorSelector(vs) = p("x offset (100 + 2)") else {
        panic!()
    };
    assert_eq!(vs.offset, 102_000);
    for (q, op) in [
        ("x offset -2 ^ 2", BinOp::Pow),
        ("x offset step() * 0", BinOp::Mul),
        ("x offset -step()*2", BinOp::Mul),
        ("x offset min_of(step(), 1s)+8000", BinOp::Add),
        ("x offset -(min_of(step(), 1s))+8000", BinOp::Add),
    ] {
        match p(q) {
            Expr::Binary(b) => assert_eq!(b.op, op, "{q}"),
            other => panic!("{q}: {other:?}"),
        }
    }
    let Expr::VectorSelector(vs) = p("x offset (-2 ^ 2)") else {
        panic!()
    };
    assert_eq!(vs.offset, -4_000);
    let Expr::VectorSelector(vs) = p("x offset -4") else {
        panic!()
    };
    assert_eq!((vs.offset, vs.offset_expr), (-4_000, None));
}

#[test]
fn duration_expression_errors() {
    for (q, msg) in [
        (
            "x[1m-1m]",
            "1:3: parse error: duration must be greater than 0",
        ),
        ("x[1m/0]", "division by zero"),
        ("x[1m%0]", "modulo by zero"),
        ("x[1m+]", "unexpected \"]\" in duration expression"),
        ("x[min_of(1m)]", "in duration expression, expected \",\""),
        ("x[(1m+1m]", "in duration expression, expected \")\""),
        ("x[1h:1m-2m]", "duration must be greater than 0"),
        ("x offset step", "unexpected identifier \"step\" in offset"),
        (
            "x[1m] offset 1m offset step()",
            "offset may not be set multiple times",
        ),
    ] {
        let got = fail(q);
        assert!(got.contains(msg), "{q}: {got}");
    }
    // Offsets may be negative.
    p("x offset (1m - 1h)");
}

#[test]
fn duration_expressions_round_trip() {
    for (q, want) in [
        ("x[5m+1m]", "x[5m + 1m]"),
        ("x[2m*(10+5)]", "x[2m * (10 + 5)]"),
        ("x[step()*2:range()]", "x[step() * 2:range()]"),
        ("x offset (1h - 5m)", "x offset (1h - 5m)"),
        ("x offset -step()", "x offset -step()"),
        ("x offset -(step() + 1)", "x offset -(step() + 1)"),
        (
            "x[max_of(min_of(step()+1,1h),1ms)]",
            "x[max_of(min_of(step() + 1, 1h), 1ms)]",
        ),
        (
            "x[1m:] offset min_of(range(), 8s)",
            "x[1m:] offset min_of(range(), 8s)",
        ),
    ] {
        assert_eq!(round_trip(q), want);
    }
}

fn matching(q: &str) -> VectorMatching {
    match p(q) {
        Expr::Binary(mut b) => b.matching.take().expect("vector matching"),
        other => panic!("{q}: {other:?}"),
    }
}

#[test]
fn fill_modifiers() {
    let m = matching("a + fill(0) b");
    assert_eq!((m.fill_lhs, m.fill_rhs), (Some(0.0), Some(0.0)));
    let m = matching("a + on(x) group_left(y) fill_left(5) fill_right(-Inf) b");
    assert_eq!(
        (m.fill_lhs, m.fill_rhs),
        (Some(5.0), Some(f64::NEG_INFINITY))
    );
    assert_eq!(m.card, Cardinality::ManyToOne);
    let m = matching("a == bool fill_right(NaN) b");
    assert!(m.fill_rhs.unwrap().is_nan() && m.fill_lhs.is_none());
    // Metrics named like the modifiers are still operands.
    assert!(matching("fill + fill(0) fill_left").fill_lhs.is_some());
    assert!(matching("a + fill").fill_lhs.is_none());
    for (q, want) in [
        ("a + fill(0) b", "a + fill(0) b"),
        (
            "a + fill_left(1) fill_right(2) b",
            "a + fill_left(1) fill_right(2) b",
        ),
        (
            "a / ignoring(j) group_left fill_right(1) b",
            "a / ignoring (j) group_left () fill_right(1) b",
        ),
    ] {
        assert_eq!(round_trip(q), want);
    }
    for (q, msg) in [
        (
            "a + fill(x) b",
            "unexpected identifier \"x\" in fill modifier, expected number",
        ),
        ("a + fill(1 b", "in fill modifier, expected \")\""),
        (
            "a + fill(1) fill_left(2) b",
            "fill modifier may not be set multiple times",
        ),
        (
            "a and fill(1) b",
            "fill modifiers not allowed for \"and\" operation",
        ),
        (
            "1 + fill(1) b",
            "vector matching only allowed between instant vectors",
        ),
    ] {
        let got = fail(q);
        assert!(got.contains(msg), "{q}: {got}");
    }
}

#[test]
fn anchored_and_smoothed_range_selectors() {
    let e = p("increase(x[1m] anchored)");
    assert!(matrix(&e).selector.anchored && !matrix(&e).selector.smoothed);
    let e = p("rate(x[5m] offset 1m SMOOTHED)");
    assert!(matrix(&e).selector.smoothed);
    assert_eq!(
        round_trip("rate(x[5m] offset 1m smoothed)"),
        "rate(x[5m] offset 1m smoothed)"
    );
    assert_eq!(round_trip("x[step()] anchored"), "x[step()] anchored");
    let got = fail("x[1m] anchored smoothed");
    assert!(got.contains("may not be set multiple times"), "{got}");
    assert_eq!(
        round_trip("x offset -100 smoothed + 0"),
        "x offset -1m40s smoothed + 0"
    );
    assert!(fail("x anchored").contains("unexpected identifier \"anchored\""));
}
