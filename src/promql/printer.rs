//! `Display` for the PromQL syntax tree: canonical, single-line PromQL that parses back to the
//! same tree (the basis of `format_query` and of the parser's round-trip tests).
//!
//! The layout follows Prometheus' `String()` methods: `sum by (job) (rate(x[5m]))`,
//! `a + on (l) group_left (m) b`, `x offset 5m`, `x @ 10.000`. Parentheses in the tree are
//! printed as written; for trees built by hand (without `Paren` nodes) the printer adds the
//! parentheses that precedence requires, so the output always means the same thing. It does not
//! pretty-print over several lines.

use super::ast::*;
use crate::model::labels::is_valid_label_name;
use crate::model::time::format_duration;
use crate::model::{MatchOp, Matcher, METRIC_NAME};
use std::fmt::{self, Write};

/// Quotes a string the way Go's `strconv.Quote` does (double quotes, escapes), which the
/// PromQL lexer reads back to the same value.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A label name as PromQL writes it: bare when it is a classic name, quoted otherwise.
fn label(name: &str) -> String {
    if is_valid_label_name(name) {
        name.to_string()
    } else {
        quote(name)
    }
}

fn write_matcher(f: &mut fmt::Formatter<'_>, m: &Matcher) -> fmt::Result {
    write!(f, "{}{}{}", label(&m.name), m.op.as_str(), quote(&m.value))
}

fn write_number(f: &mut fmt::Formatter<'_>, v: f64) -> fmt::Result {
    if v.is_nan() {
        f.write_str("NaN")
    } else if v == f64::INFINITY {
        f.write_str("+Inf")
    } else if v == f64::NEG_INFINITY {
        f.write_str("-Inf")
    } else {
        write!(f, "{v}")
    }
}

fn write_mods(
    f: &mut fmt::Formatter<'_>,
    at: &Option<AtModifier>,
    offset: i64,
    offset_expr: &Option<Box<DurationExpr>>,
) -> fmt::Result {
    match at {
        Some(AtModifier::Timestamp(ms)) => write!(f, " @ {:.3}", *ms as f64 / 1000.0)?,
        Some(AtModifier::Start) => f.write_str(" @ start()")?,
        Some(AtModifier::End) => f.write_str(" @ end()")?,
        None => {}
    }
    match offset_expr {
        // After `offset` only one operand is read back, so a bare operator needs parentheses.
        Some(e) if matches!(**e, DurationExpr::Binary(..)) => write!(f, " offset ({e})")?,
        Some(e) => write!(f, " offset {e}")?,
        None if offset != 0 => write!(f, " offset {}", format_duration(offset))?,
        None => {}
    }
    Ok(())
}

/// A range or step: the expression when there is one, else the milliseconds.
fn write_duration(
    f: &mut fmt::Formatter<'_>,
    ms: i64,
    e: &Option<Box<DurationExpr>>,
) -> fmt::Result {
    match e {
        Some(e) => write!(f, "{e}"),
        None => f.write_str(&format_duration(ms)),
    }
}

impl fmt::Display for DurationExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DurationExpr::Literal { secs, duration } => {
                if *duration {
                    let ms = (secs * 1000.0).round() as i64;
                    if ms < 0 {
                        write!(f, "-{}", format_duration(-ms))
                    } else {
                        f.write_str(&format_duration(ms))
                    }
                } else {
                    write_number(f, *secs)
                }
            }
            DurationExpr::Step => f.write_str("step()"),
            DurationExpr::Range => f.write_str("range()"),
            DurationExpr::Paren(e) => write!(f, "({e})"),
            DurationExpr::Unary(op, e) => {
                f.write_str(if *op == UnaryOp::Neg { "-" } else { "+" })?;
                // A sign binds looser than `^` (`-2 ^ 2` is `-(2 ^ 2)`), so a power needs no
                // parentheses; any other operator does.
                if matches!(**e, DurationExpr::Binary(op, ..) if op != BinOp::Pow) {
                    write!(f, "({e})")
                } else {
                    write!(f, "{e}")
                }
            }
            DurationExpr::MinOf(a, b) => write!(f, "min_of({a}, {b})"),
            DurationExpr::MaxOf(a, b) => write!(f, "max_of({a}, {b})"),
            DurationExpr::Binary(op, a, b) => {
                // Parentheses for hand-built trees, as for expressions.
                let p = prec(*op);
                let wrap = |e: &DurationExpr, right: bool| match e {
                    DurationExpr::Binary(o, ..) => {
                        let q = prec(*o);
                        q < p || (q == p && (right != (*op == BinOp::Pow)))
                    }
                    _ => false,
                };
                if wrap(a, false) {
                    write!(f, "({a})")?;
                } else {
                    write!(f, "{a}")?;
                }
                write!(f, " {} ", op.as_str())?;
                if wrap(b, true) {
                    write!(f, "({b})")
                } else {
                    write!(f, "{b}")
                }
            }
        }
    }
}

/// The selector without modifiers: `name{matchers}`.
fn write_selector_body(f: &mut fmt::Formatter<'_>, vs: &VectorSelector) -> fmt::Result {
    let mut shown: Vec<&Matcher> = vs.matchers.iter().collect();
    if let Some(name) = &vs.name {
        // Hide the one matcher the parser adds for the name.
        if let Some(i) = shown
            .iter()
            .rposition(|m| m.name == METRIC_NAME && m.op == MatchOp::Equal && &m.value == name)
        {
            shown.remove(i);
        }
        f.write_str(name)?;
        if shown.is_empty() {
            return Ok(());
        }
    }
    f.write_str("{")?;
    for (i, m) in shown.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write_matcher(f, m)?;
    }
    f.write_str("}")
}

/// Binding strength for deciding where hand-built trees need parentheses.
fn prec(op: BinOp) -> u8 {
    match op {
        BinOp::Or => 1,
        BinOp::And | BinOp::Unless => 2,
        BinOp::Eql | BinOp::Neq | BinOp::Gtr | BinOp::Lss | BinOp::Gte | BinOp::Lte => 3,
        BinOp::Add | BinOp::Sub => 4,
        BinOp::Mul | BinOp::Div | BinOp::Mod | BinOp::Atan2 => 5,
        BinOp::Pow => 6,
    }
}

fn write_operand(f: &mut fmt::Formatter<'_>, e: &Expr, parens: bool) -> fmt::Result {
    if parens {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

fn write_grouping(f: &mut fmt::Formatter<'_>, labels: &[String]) -> fmt::Result {
    f.write_str("(")?;
    for (i, l) in labels.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        f.write_str(&label(l))?;
    }
    f.write_str(")")
}

/// Whether the left-hand side of `b` needs parentheses to keep its meaning (only for trees
/// built by hand; parsed ones carry `Paren` nodes).
fn lhs_needs_parens(b: &BinaryExpr) -> bool {
    let p = prec(b.op);
    let right_assoc = b.op == BinOp::Pow;
    match &*b.lhs {
        Expr::Binary(l) => prec(l.op) < p || (prec(l.op) == p && right_assoc),
        // `-a ^ b` would read as `-(a ^ b)`, and so would the sign `-2` and `+Inf` are
        // printed with.
        Expr::Unary(..) => right_assoc,
        Expr::Number(v) => right_assoc && (v.is_sign_negative() || *v == f64::INFINITY),
        _ => false,
    }
}

/// A chain of binary operators, in a loop along its left side (see `chain.rs`): the
/// parentheses that left-hand sides need all open before the first operand, and each closes
/// before its node's operator.
fn write_binary(f: &mut fmt::Formatter<'_>, b: &BinaryExpr) -> fmt::Result {
    let (spine, first) = b.left_spine();
    let parens: Vec<bool> = spine.iter().map(|n| lhs_needs_parens(n)).collect();
    for _ in parens.iter().filter(|p| **p) {
        f.write_str("(")?;
    }
    write!(f, "{first}")?;
    for (node, paren) in spine.iter().zip(&parens).rev() {
        if *paren {
            f.write_str(")")?;
        }
        write_operator_and_rhs(f, node)?;
    }
    Ok(())
}

/// ` op bool on (...) group_left (...) fill(...) rhs`.
fn write_operator_and_rhs(f: &mut fmt::Formatter<'_>, b: &BinaryExpr) -> fmt::Result {
    let p = prec(b.op);
    let right_assoc = b.op == BinOp::Pow;
    let rparens = match &*b.rhs {
        Expr::Binary(r) => prec(r.op) < p || (prec(r.op) == p && !right_assoc),
        _ => false,
    };
    write!(f, " {}", b.op.as_str())?;
    if b.return_bool {
        f.write_str(" bool")?;
    }
    if let Some(vm) = &b.matching {
        write_matching(f, vm)?;
    }
    f.write_str(" ")?;
    write_operand(f, &b.rhs, rparens)
}

fn write_matching(f: &mut fmt::Formatter<'_>, vm: &VectorMatching) -> fmt::Result {
    let grouped = matches!(vm.card, Cardinality::ManyToOne | Cardinality::OneToMany);
    if vm.on || !vm.labels.is_empty() || grouped {
        f.write_str(if vm.on { " on " } else { " ignoring " })?;
        write_grouping(f, &vm.labels)?;
        match vm.card {
            Cardinality::ManyToOne => {
                f.write_str(" group_left ")?;
                write_grouping(f, &vm.include)?;
            }
            Cardinality::OneToMany => {
                f.write_str(" group_right ")?;
                write_grouping(f, &vm.include)?;
            }
            _ => {}
        }
    }
    match (vm.fill_lhs, vm.fill_rhs) {
        (Some(l), Some(r)) if l.to_bits() == r.to_bits() => {
            f.write_str(" fill(")?;
            write_number(f, l)?;
            f.write_str(")")
        }
        (l, r) => {
            for (name, v) in [("fill_left", l), ("fill_right", r)] {
                if let Some(v) = v {
                    write!(f, " {name}(")?;
                    write_number(f, v)?;
                    f.write_str(")")?;
                }
            }
            Ok(())
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Number(v) => write_number(f, *v),
            Expr::String(s) => f.write_str(&quote(s)),
            Expr::VectorSelector(vs) => {
                write_selector_body(f, vs)?;
                write_mods(f, &vs.at, vs.offset, &vs.offset_expr)?;
                if vs.smoothed {
                    f.write_str(" smoothed")?;
                }
                Ok(())
            }
            Expr::MatrixSelector(ms) => {
                write_selector_body(f, &ms.selector)?;
                f.write_str("[")?;
                write_duration(f, ms.range, &ms.range_expr)?;
                f.write_str("]")?;
                let s = &ms.selector;
                write_mods(f, &s.at, s.offset, &s.offset_expr)?;
                if s.anchored {
                    f.write_str(" anchored")?;
                } else if s.smoothed {
                    f.write_str(" smoothed")?;
                }
                Ok(())
            }
            Expr::Subquery(sq) => {
                let parens = matches!(*sq.expr, Expr::Binary(_) | Expr::Unary(..));
                write_operand(f, &sq.expr, parens)?;
                f.write_str("[")?;
                write_duration(f, sq.range, &sq.range_expr)?;
                f.write_str(":")?;
                if let Some(step) = sq.step {
                    write_duration(f, step, &sq.step_expr)?;
                }
                f.write_str("]")?;
                write_mods(f, &sq.at, sq.offset, &sq.offset_expr)
            }
            Expr::Paren(e) => write!(f, "({e})"),
            Expr::Unary(op, e) => {
                f.write_str(if *op == UnaryOp::Neg { "-" } else { "+" })?;
                let parens = match &**e {
                    Expr::Binary(b) => prec(b.op) < 6,
                    // `--x` lexes as two signs, so nested signs need no parentheses.
                    Expr::Unary(..) => false,
                    Expr::Number(v) => v.is_sign_negative(),
                    _ => false,
                };
                write_operand(f, e, parens)
            }
            Expr::Binary(b) => write_binary(f, b),
            Expr::Aggregate(a) => {
                f.write_str(a.op.as_str())?;
                if a.without {
                    f.write_str(" without ")?;
                    write_grouping(f, &a.grouping)?;
                    f.write_str(" ")?;
                } else if !a.grouping.is_empty() {
                    f.write_str(" by ")?;
                    write_grouping(f, &a.grouping)?;
                    f.write_str(" ")?;
                }
                f.write_str("(")?;
                if let Some(p) = &a.param {
                    write!(f, "{p}, ")?;
                }
                write!(f, "{})", a.expr)
            }
            Expr::Call(c) => {
                write!(f, "{}(", c.func)?;
                for (i, a) in c.args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
        }
    }
}
