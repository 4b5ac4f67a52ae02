//! Building operator nodes: binary expressions with their modifiers (`bool`, `on`/`ignoring`,
//! `group_left`/`group_right`), aggregations and function calls, each with the type checks
//! Prometheus' `checkAST` applies to it and in its wording.
//!
//! The token-level parsing (precedence, selectors, modifiers after an expression) is in
//! `parser.rs` and its siblings; this file reads the operators' own modifiers, and assembles
//! and checks.

use super::ast::*;
use super::functions;
use super::parser::{documented_type, PResult, Parser, N};

/// What may follow a binary operator: `bool` and the vector matching.
pub(super) struct BinModifiers {
    return_bool: bool,
    matching: VectorMatching,
}

impl Parser<'_> {
    /// `bool`, then `on(...)`/`ignoring(...)`, then `group_left(...)`/`group_right(...)`.
    /// Boxed, because they wait on the stack while the right-hand side is parsed.
    pub(super) fn bin_modifiers(&mut self) -> PResult<Box<BinModifiers>> {
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
        Ok(Box::new(BinModifiers {
            return_bool,
            matching: vm,
        }))
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
                TokKind::Number => crate::grammar::number_value(nt.text(self.input)),
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
        modifiers: BinModifiers,
    ) -> PResult<N> {
        let BinModifiers {
            return_bool,
            matching: mut vm,
        } = modifiers;
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
        let (lt, rt) = (lhs.ty, rhs.ty);
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
        let ty = if lt == ValueType::Scalar && rt == ValueType::Scalar {
            ValueType::Scalar
        } else {
            ValueType::Vector
        };
        Ok(N {
            e: Expr::Binary(BinaryExpr {
                op,
                lhs: Box::new(lhs.e),
                rhs: Box::new(rhs.e),
                return_bool,
                matching,
            }),
            pos,
            ty,
        })
    }

    fn expect_type(&self, n: &N, want: ValueType, context: &str) -> PResult<()> {
        let got = n.ty;
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

    /// `op [by|without (...)] (args) [by|without (...)]`; the current token is `op`. Kept
    /// to the recursive call: the rest is in `grouping` and `finish_aggregate`.
    pub(super) fn aggregate(&mut self, op: AggOp) -> PResult<N> {
        let start = self.advance();
        let before = self.grouping()?;
        self.call_args("aggregation", false)
            .and_then(|args| self.finish_aggregate(op, start, before, args))
    }

    /// `by (...)` or `without (...)` if present: whether it is `without`, and the labels.
    fn grouping(&mut self) -> PResult<Option<(bool, Vec<String>)>> {
        if !(self.at_kw("by") || self.at_kw("without")) {
            return Ok(None);
        }
        let without = self.at_kw("without");
        self.next();
        Ok(Some((without, self.grouping_labels()?)))
    }

    /// The grouping after the arguments (when there was none before) and the checks.
    fn finish_aggregate(
        &mut self,
        op: AggOp,
        start: usize,
        before: Option<(bool, Vec<String>)>,
        mut args: Vec<N>,
    ) -> PResult<N> {
        let (without, grouping) = match before {
            Some(g) => g,
            None => self.grouping()?.unwrap_or_default(),
        };
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
        Ok(N::new(
            Expr::Aggregate(AggregateExpr {
                op,
                expr: Box::new(expr.e),
                param: param.map(|p| Box::new(p.e)),
                grouping,
                without,
            }),
            PosRange { start, end },
        ))
    }

    /// `name(args)`; the current token is the name. Kept to the recursive call: the rest is
    /// in `signature` and `finish_call`.
    pub(super) fn call(&mut self) -> PResult<N> {
        let sig = self.signature()?;
        let start = self.advance();
        self.call_args("function call", sig.name == "info")
            .and_then(|args| self.finish_call(sig, start, args))
    }

    /// The function the current token names.
    fn signature(&self) -> PResult<&'static functions::FunctionSig> {
        let t = self.peek();
        let name = t.text(self.input);
        functions::lookup(name)
            .ok_or_else(|| self.err(t.start, format!("unknown function with name {name:?}")))
    }

    /// The checks on a call's arguments (number and types), and the node.
    fn finish_call(
        &self,
        sig: &'static functions::FunctionSig,
        start: usize,
        args: Vec<N>,
    ) -> PResult<N> {
        let name = sig.name;
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
            return Err(self.err(start, msg));
        }
        if let Some(max) = sig.max_args() {
            if n > max {
                let msg = if sig.variadic == 0 {
                    format!("expected {max} argument(s) in call to {name:?}, got {n}")
                } else {
                    format!("expected at most {max} argument(s) in call to {name:?}, got {n}")
                };
                return Err(self.err(start, msg));
            }
        }
        let context = format!("call to function {name:?}");
        for (i, a) in args.iter().enumerate() {
            if let Some(want) = sig.arg_type(i) {
                self.expect_type(a, want, &context)?;
            }
        }
        let pos = PosRange { start, end };
        Ok(N::new(
            Expr::Call(Call {
                func: name.to_string(),
                args: args.into_iter().map(|a| a.e).collect(),
                pos,
            }),
            pos,
        ))
    }
}
