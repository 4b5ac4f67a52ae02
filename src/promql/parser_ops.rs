//! Building operator nodes: binary expressions with their modifiers (`bool`, `on`/`ignoring`,
//! `group_left`/`group_right`), aggregations and function calls, each with the type checks
//! Prometheus' `checkAST` applies to it and in its wording.
//!
//! The token-level parsing (precedence, selectors, modifiers after an expression) is in
//! `parser.rs`; this file only assembles and checks.

use super::ast::*;
use super::functions;
use super::lexer::Token;
use super::parser::{documented_type, PResult, Parser, N};

impl Parser<'_> {
    /// `bool`, then `on(...)`/`ignoring(...)`, then `group_left(...)`/`group_right(...)`.
    pub(super) fn bin_modifiers(&mut self) -> PResult<(bool, VectorMatching)> {
        let return_bool = if self.at_kw("bool") {
            self.next();
            true
        } else {
            false
        };
        let mut vm = VectorMatching {
            card: Cardinality::OneToOne,
            on: false,
            labels: Vec::new(),
            include: Vec::new(),
            fill_lhs: None,
            fill_rhs: None,
        };
        if self.at_kw("on") || self.at_kw("ignoring") {
            vm.on = self.at_kw("on");
            self.next();
            vm.labels = self.grouping_labels()?;
            if self.at_kw("group_left") || self.at_kw("group_right") {
                vm.card = if self.at_kw("group_left") {
                    Cardinality::ManyToOne
                } else {
                    Cardinality::OneToMany
                };
                self.next();
                if self.peek().kind == super::lexer::TokKind::LParen {
                    vm.include = self.grouping_labels()?;
                }
            }
        }
        self.fill_modifiers(&mut vm)?;
        Ok((return_bool, vm))
    }

    /// `fill(v)`, `fill_left(v)`, `fill_right(v)` after the matching modifiers. Only taken when
    /// followed by `(`, so metrics named `fill` still work as operands.
    fn fill_modifiers(&mut self, vm: &mut VectorMatching) -> PResult<()> {
        use super::lexer::TokKind;
        loop {
            let t = self.peek().clone();
            let word = t.text(self.input).to_ascii_lowercase();
            let (left, right) = match word.as_str() {
                "fill" => (true, true),
                "fill_left" => (true, false),
                "fill_right" => (false, true),
                _ => return Ok(()),
            };
            if t.kind != TokKind::Ident || self.peek_kind_at(1) != Some(&TokKind::LParen) {
                return Ok(());
            }
            self.next();
            self.next();
            let sign = match self.peek().kind {
                TokKind::Sub => {
                    self.next();
                    -1.0
                }
                TokKind::Add => {
                    self.next();
                    1.0
                }
                _ => 1.0,
            };
            let nt = self.peek().clone();
            let v = match nt.kind {
                TokKind::Number => crate::lex::number_value(nt.text(self.input)),
                _ => None,
            };
            let Some(v) = v else {
                return Err(self.unexpected("fill modifier", "number"));
            };
            self.next();
            if self.peek().kind != TokKind::RParen {
                return Err(self.unexpected("fill modifier", "\")\""));
            }
            self.next();
            if (left && vm.fill_lhs.is_some()) || (right && vm.fill_rhs.is_some()) {
                return Err(self.err(t.start, "fill modifier may not be set multiple times"));
            }
            if left {
                vm.fill_lhs = Some(sign * v);
            }
            if right {
                vm.fill_rhs = Some(sign * v);
            }
        }
    }

    pub(super) fn binary(
        &mut self,
        op: BinOp,
        op_pos: usize,
        lhs: N,
        rhs: N,
        return_bool: bool,
        mut vm: VectorMatching,
    ) -> PResult<N> {
        let pos = PosRange {
            start: lhs.pos.start,
            end: rhs.pos.end,
        };
        if return_bool && !op.is_comparison() {
            return Err(self.err(
                op_pos,
                "bool modifier can only be used on comparison operators",
            ));
        }
        let (lt, rt) = (lhs.e.value_type(), rhs.e.value_type());
        if op.is_comparison() && !return_bool && lt == ValueType::Scalar && rt == ValueType::Scalar
        {
            return Err(self.err(op_pos, "comparisons between scalars must use BOOL modifier"));
        }
        if op.is_set() && vm.card == Cardinality::OneToOne {
            vm.card = Cardinality::ManyToMany;
        }
        if vm.on {
            if let Some(l) = vm.labels.iter().find(|l| vm.include.contains(l)) {
                return Err(self.err(
                    op_pos,
                    format!("label {l:?} must not occur in ON and GROUP clause at once"),
                ));
            }
        }
        for (t, side) in [(lt, &lhs), (rt, &rhs)] {
            if t != ValueType::Scalar && t != ValueType::Vector {
                return Err(self.err(
                    side.pos.start,
                    "binary expression must contain only scalar and instant vector types",
                ));
            }
        }
        let filled = vm.fill_lhs.is_some() || vm.fill_rhs.is_some();
        if filled && op.is_set() {
            return Err(self.err(
                op_pos,
                format!(
                    "fill modifiers not allowed for \"{}\" operation",
                    op.as_str()
                ),
            ));
        }
        let matching = if lt != ValueType::Vector || rt != ValueType::Vector {
            if !vm.labels.is_empty() || filled {
                return Err(self.err(
                    op_pos,
                    "vector matching only allowed between instant vectors",
                ));
            }
            None
        } else {
            if op.is_set() {
                if matches!(vm.card, Cardinality::OneToMany | Cardinality::ManyToOne) {
                    return Err(self.err(
                        op_pos,
                        format!("no grouping allowed for \"{}\" operation", op.as_str()),
                    ));
                }
                if vm.card != Cardinality::ManyToMany {
                    return Err(self.err(op_pos, "set operations must always be many-to-many"));
                }
            }
            Some(vm)
        };
        if (lt == ValueType::Scalar || rt == ValueType::Scalar) && op.is_set() {
            return Err(self.err(
                op_pos,
                format!(
                    "set operator \"{}\" not allowed in binary scalar expression",
                    op.as_str()
                ),
            ));
        }
        Ok(N {
            e: Expr::Binary(BinaryExpr {
                op,
                lhs: Box::new(lhs.e),
                rhs: Box::new(rhs.e),
                return_bool,
                matching,
            }),
            pos,
        })
    }

    fn expect_type(&self, n: &N, want: ValueType, context: &str) -> PResult<()> {
        let got = n.e.value_type();
        if got == want {
            return Ok(());
        }
        Err(self.err(
            n.pos.start,
            format!(
                "expected type {} in {}, got {}",
                documented_type(want),
                context,
                documented_type(got)
            ),
        ))
    }

    /// `op [by|without (...)] (args) [by|without (...)]`; the current token is `op`.
    pub(super) fn aggregate(&mut self, op: AggOp, start: usize) -> PResult<N> {
        self.next();
        let mut grouping = Vec::new();
        let mut without = false;
        let mut have_mod = false;
        if self.at_kw("by") || self.at_kw("without") {
            without = self.at_kw("without");
            self.next();
            grouping = self.grouping_labels()?;
            have_mod = true;
        }
        let mut args = self.call_args("aggregation", false)?;
        if !have_mod && (self.at_kw("by") || self.at_kw("without")) {
            without = self.at_kw("without");
            self.next();
            grouping = self.grouping_labels()?;
        }
        let end = self.last_end();
        if args.is_empty() {
            return Err(self.err(start, "no arguments for aggregate expression provided"));
        }
        let desired = if op.takes_param() { 2 } else { 1 };
        if args.len() != desired {
            return Err(self.err(
                start,
                format!(
                    "wrong number of arguments for aggregate expression provided, expected {desired}, got {}",
                    args.len()
                ),
            ));
        }
        let expr = args
            .pop()
            .ok_or_else(|| self.err(start, "missing argument"))?;
        self.expect_type(&expr, ValueType::Vector, "aggregation expression")?;
        let param = args.pop();
        if let Some(p) = &param {
            let want = if op == AggOp::CountValues {
                ValueType::String
            } else {
                ValueType::Scalar
            };
            self.expect_type(p, want, "aggregation parameter")?;
        }
        Ok(N {
            e: Expr::Aggregate(AggregateExpr {
                op,
                expr: Box::new(expr.e),
                param: param.map(|p| Box::new(p.e)),
                grouping,
                without,
            }),
            pos: PosRange { start, end },
        })
    }

    /// `name(args)`; the current token is the name.
    pub(super) fn call(&mut self, t: &Token) -> PResult<N> {
        let name = t.text(self.input).to_string();
        let Some(sig) = functions::lookup(&name) else {
            return Err(self.err(t.start, format!("unknown function with name {name:?}")));
        };
        self.next();
        let args = self.call_args("function call", name == "info")?;
        let end = self.last_end();
        let n = args.len();
        if n < sig.min_args() {
            let msg = if sig.variadic == 0 {
                format!(
                    "expected {} argument(s) in call to {name:?}, got {n}",
                    sig.min_args()
                )
            } else {
                format!(
                    "expected at least {} argument(s) in call to {name:?}, got {n}",
                    sig.min_args()
                )
            };
            return Err(self.err(t.start, msg));
        }
        if let Some(max) = sig.max_args() {
            if n > max {
                let msg = if sig.variadic == 0 {
                    format!("expected {max} argument(s) in call to {name:?}, got {n}")
                } else {
                    format!("expected at most {max} argument(s) in call to {name:?}, got {n}")
                };
                return Err(self.err(t.start, msg));
            }
        }
        let context = format!("call to function {name:?}");
        for (i, a) in args.iter().enumerate() {
            if let Some(want) = sig.arg_type(i) {
                self.expect_type(a, want, &context)?;
            }
        }
        let pos = PosRange {
            start: t.start,
            end,
        };
        Ok(N {
            e: Expr::Call(Call {
                func: name,
                args: args.into_iter().map(|a| a.e).collect(),
                pos,
            }),
            pos,
        })
    }
}
