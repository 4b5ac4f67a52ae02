//! Long chains of binary operators (`a + b + c ...`, `x or y or z ...`, as tools generate
//! them), walked without recursion along them.
//!
//! The parser builds a chain of left-associative operators as a tree that leans left: the
//! first operator applied is the deepest node, so the tree is as deep as the chain is long.
//! Anything that followed `lhs` recursively would need stack in proportion to the length of
//! the query, and a stack overflow kills the process. Prometheus, written in Go with growable
//! stacks, takes chains of any length, so argus walks them in loops instead: this file gives
//! the walk along the left side (`left_spine`, `operands`, `operands_mut`) that the printer,
//! the type checks and the engine use, and the `Clone`, `PartialEq`, `Debug` and `Drop` of
//! [`BinaryExpr`] built on it (derived ones would recurse).
//!
//! Recursion into right-hand sides and into other nodes stays: the parser bounds that depth
//! (`parser::MAX_NESTING`).

use super::ast::{BinaryExpr, Expr};
use std::fmt;

impl BinaryExpr {
    /// The binary expressions down the left-hand sides, starting with `self`, and the first
    /// operand of the chain (the leftmost, which is not a binary expression). Evaluating the
    /// chain is: the first operand, then each node from the last to the first, applying its
    /// operator to the result so far and its right-hand side.
    pub fn left_spine(&self) -> (Vec<&BinaryExpr>, &Expr) {
        let mut spine = vec![self];
        let mut first = &*self.lhs;
        while let Expr::Binary(b) = first {
            spine.push(b);
            first = &b.lhs;
        }
        (spine, first)
    }

    /// The operands of the chain in the order they are evaluated: the first operand, then the
    /// right-hand sides from the deepest node to `self`.
    pub fn operands(&self) -> Vec<&Expr> {
        let (spine, first) = self.left_spine();
        let mut out = Vec::with_capacity(spine.len() + 1);
        out.push(first);
        out.extend(spine.iter().rev().map(|b| &*b.rhs));
        out
    }

    /// [`BinaryExpr::operands`], to change them in place.
    pub fn operands_mut(&mut self) -> Vec<&mut Expr> {
        let mut out = Vec::new();
        let mut node = self;
        loop {
            let BinaryExpr { lhs, rhs, .. } = node;
            out.push(&mut **rhs);
            match &mut **lhs {
                Expr::Binary(b) => node = b,
                first => {
                    out.push(first);
                    break;
                }
            }
        }
        out.reverse();
        out
    }

    /// This node with another left-hand side (the rest copied).
    fn with_lhs(&self, lhs: Expr) -> BinaryExpr {
        BinaryExpr {
            op: self.op,
            lhs: Box::new(lhs),
            rhs: self.rhs.clone(),
            return_bool: self.return_bool,
            matching: self.matching.clone(),
        }
    }

    /// Whether the node's own parts, everything but the left-hand side, are equal.
    fn same_step(&self, other: &BinaryExpr) -> bool {
        self.op == other.op
            && self.return_bool == other.return_bool
            && self.matching == other.matching
            && self.rhs == other.rhs
    }
}

impl Clone for BinaryExpr {
    /// Copies the chain from its first operand outwards.
    fn clone(&self) -> BinaryExpr {
        let (spine, first) = self.left_spine();
        let mut lhs = first.clone();
        // `spine[0]` is `self`, made last so that it comes out as a `BinaryExpr`.
        for node in spine.iter().skip(1).rev() {
            lhs = Expr::Binary(node.with_lhs(lhs));
        }
        self.with_lhs(lhs)
    }
}

impl PartialEq for BinaryExpr {
    fn eq(&self, other: &BinaryExpr) -> bool {
        let (a, a_first) = self.left_spine();
        let (b, b_first) = other.left_spine();
        a.len() == b.len() && a_first == b_first && a.iter().zip(&b).all(|(x, y)| x.same_step(y))
    }
}

/// One operator of a chain and its right-hand side, for `Debug`.
struct Step<'a>(&'a BinaryExpr);

impl fmt::Debug for Step<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Step")
            .field("op", &self.0.op)
            .field("return_bool", &self.0.return_bool)
            .field("matching", &self.0.matching)
            .field("rhs", &self.0.rhs)
            .finish()
    }
}

impl fmt::Debug for BinaryExpr {
    /// Shows the chain flat: its first operand, then each operator with its right-hand side
    /// in the order they apply.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (spine, first) = self.left_spine();
        let steps: Vec<Step> = spine.iter().rev().map(|b| Step(b)).collect();
        f.debug_struct("BinaryChain")
            .field("first", first)
            .field("steps", &steps)
            .finish()
    }
}

/// Takes a binary child out of its box, leaving a leaf behind, so that dropping the box does
/// not recurse into the child.
fn take_if_binary(slot: &mut Expr, pending: &mut Vec<Expr>) {
    if matches!(slot, Expr::Binary(_)) {
        pending.push(std::mem::replace(slot, Expr::Number(0.0)));
    }
}

impl Drop for BinaryExpr {
    /// Frees a chain node by node from a list instead of each node freeing its children
    /// recursively. The nodes taken from the list have only leaves left below their binary
    /// children, so their own `drop` does no further work.
    fn drop(&mut self) {
        let mut pending = Vec::new();
        take_if_binary(&mut self.lhs, &mut pending);
        take_if_binary(&mut self.rhs, &mut pending);
        while let Some(mut e) = pending.pop() {
            if let Expr::Binary(b) = &mut e {
                take_if_binary(&mut b.lhs, &mut pending);
                take_if_binary(&mut b.rhs, &mut pending);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::ast::BinOp;

    fn num(v: f64) -> Expr {
        Expr::Number(v)
    }

    /// `1 - 2 - 3 ... - n`, built by hand.
    fn chain(n: usize) -> Expr {
        let mut e = num(1.0);
        for i in 2..=n {
            e = Expr::Binary(BinaryExpr {
                op: BinOp::Sub,
                lhs: Box::new(e),
                rhs: Box::new(num(i as f64)),
                return_bool: false,
                matching: None,
            });
        }
        e
    }

    #[test]
    fn the_spine_lists_operands_in_evaluation_order() {
        let Expr::Binary(mut b) = chain(4) else {
            panic!("not a chain")
        };
        let ops: Vec<String> = b.operands().iter().map(|e| e.to_string()).collect();
        assert_eq!(ops, ["1", "2", "3", "4"]);
        let (spine, first) = b.left_spine();
        assert_eq!((spine.len(), first.to_string()), (3, "1".to_string()));
        for (i, e) in b.operands_mut().into_iter().enumerate() {
            *e = num(10.0 * i as f64);
        }
        assert_eq!(Expr::Binary(b).to_string(), "0 - 10 - 20 - 30");
    }

    #[test]
    fn clone_compare_debug_and_drop_do_not_recurse_along_a_chain() {
        // Deep enough to overflow any thread stack if any of them recursed per node.
        std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(|| {
                let a = chain(1_000_000);
                let b = a.clone();
                assert!(a == b);
                let Expr::Binary(mut c) = b.clone() else {
                    panic!("not a chain")
                };
                c.op = BinOp::Add;
                assert!(a != Expr::Binary(c));
                assert!(a != chain(999_999));
                let shown = format!("{:?}", chain(3));
                assert!(
                    shown.starts_with(
                        "Binary(BinaryChain { first: Number(1.0), steps: [Step { op: Sub"
                    ),
                    "{shown}"
                );
                drop((a, b));
            })
            .expect("spawn")
            .join()
            .expect("no overflow");
    }
}
