//! The LogQL parser, metric level: tokens (from `lexer.rs`) to an [`Expr`]: binary operators
//! with LogQL's precedence and modifiers, range and vector aggregations with their grouping
//! and parameter rules, literals, `vector()` and `label_replace()`, and the checks Loki makes as
//! it builds these nodes.
//!
//! A hand-written recursive-descent parser with precedence climbing, over a token list. Log
//! queries, log ranges and `| unwrap` are in `parser_log.rs`; pipeline stages and label filters
//! in `parser_pipeline.rs`.

use super::ast::*;
use super::lexer::{tokenize, Keyword, Tok, Token};
use super::units::parse_go_float;
use super::validate::regex_error;
use super::{Checks, ParseError, MAX_NESTING};
use crate::model::matcher::compile_anchored;

pub(super) type PResult<T> = Result<T, ParseError>;

pub(super) fn parse_tokens(input: &str, checks: Checks) -> PResult<Expr> {
    let toks = tokenize(input)?;
    let mut p = Parser {
        input,
        toks,
        i: 0,
        eval_checks: checks == Checks::Eval,
        depth: 0,
    };
    if p.peek() == &Tok::Eof {
        return Err(p.err_here("syntax error: unexpected end of input"));
    }
    let e = p.expr(0)?;
    if p.peek() != &Tok::Eof {
        return Err(p.unexpected(""));
    }
    Ok(e)
}

pub(super) struct Parser<'a> {
    pub(super) input: &'a str,
    toks: Vec<Token>,
    i: usize,
    /// Apply the checks Loki makes only when it builds a pipeline ([`Checks::Eval`]).
    pub(super) eval_checks: bool,
    /// How many nested constructs enclose the current token (see [`Parser::nested`]).
    depth: usize,
}

impl Parser<'_> {
    pub(super) fn peek(&self) -> &Tok {
        &self.toks[self.i].tok
    }

    pub(super) fn peek_at(&self, n: usize) -> &Tok {
        let last = self.toks.len() - 1;
        &self.toks[(self.i + n).min(last)].tok
    }

    pub(super) fn pos(&self) -> usize {
        self.toks[self.i].pos
    }

    /// Consumes and returns the current token (never past `Eof`).
    pub(super) fn next(&mut self) -> Tok {
        let t = self.toks[self.i].tok.clone();
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
        t
    }

    pub(super) fn eat(&mut self, t: &Tok) -> bool {
        if self.peek() == t {
            self.next();
            true
        } else {
            false
        }
    }

    pub(super) fn eat_keyword(&mut self, k: Keyword) -> bool {
        self.eat(&Tok::Keyword(k))
    }

    pub(super) fn err(&self, pos: usize, msg: impl Into<String>) -> ParseError {
        ParseError::new(self.input, pos, msg)
    }

    pub(super) fn err_here(&self, msg: impl Into<String>) -> ParseError {
        self.err(self.pos(), msg)
    }

    /// `syntax error: unexpected X[, expecting Y]` at the current token.
    pub(super) fn unexpected(&self, expecting: &str) -> ParseError {
        let mut m = format!("syntax error: unexpected {}", self.peek().describe());
        if !expecting.is_empty() {
            m.push_str(", expecting ");
            m.push_str(expecting);
        }
        self.err_here(m)
    }

    pub(super) fn expect(&mut self, t: &Tok, what: &str) -> PResult<()> {
        if self.eat(t) {
            Ok(())
        } else {
            Err(self.unexpected(what))
        }
    }

    pub(super) fn expect_str(&mut self) -> PResult<String> {
        match self.peek().clone() {
            Tok::Str(s) => {
                self.next();
                Ok(s)
            }
            _ => Err(self.unexpected("STRING")),
        }
    }

    pub(super) fn expect_ident(&mut self) -> PResult<String> {
        match self.peek().clone() {
            Tok::Ident(s) => {
                self.next();
                Ok(s)
            }
            _ => Err(self.unexpected("IDENTIFIER")),
        }
    }

    /// Parses one nested construct (a parenthesised or function-call argument, the right
    /// operand of a binary operator, a parenthesised log query or label filter) with `f`.
    /// Recursion follows the nesting of the query, so a limit keeps the stack bounded; chains
    /// of left-associative operators are parsed in a loop and do not nest.
    pub(super) fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        if self.depth >= MAX_NESTING {
            return Err(self.err_here(format!(
                "syntax error: expression nested more than {MAX_NESTING} levels deep"
            )));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// Converts a NUMBER token's text, with the sign that preceded it.
    pub(super) fn number_value(&self, pos: usize, text: &str, negative: bool) -> PResult<f64> {
        let v = parse_go_float(text)
            .ok_or_else(|| self.err(pos, format!("unable to parse literal as a float: {text}")))?;
        Ok(if negative { -v } else { v })
    }

    /// An expression whose operators bind tighter than `min_prec`.
    pub(super) fn expr(&mut self, min_prec: u8) -> PResult<Expr> {
        self.nested(|p| p.expr_chain(min_prec))
    }

    /// The body of [`Parser::expr`]: an operand, then operators of at least `min_prec` in a
    /// loop, each with its right operand parsed one level deeper. Whether the left side is
    /// made only of literals is tracked along the way, so that a long chain is not walked
    /// again at each operator.
    fn expr_chain(&mut self, min_prec: u8) -> PResult<Expr> {
        let mut lhs = self.unary()?;
        let mut lhs_literal = lhs.is_literal();
        loop {
            let Some(op) = self.binop() else {
                return Ok(lhs);
            };
            let prec = op.precedence();
            if prec < min_prec {
                return Ok(lhs);
            }
            let op_pos = self.pos();
            self.next();
            let (return_bool, matching) = self.bin_modifiers(op)?;
            // `^` is right-associative; the others are left-associative.
            let next_min = if op == BinOp::Pow { prec } else { prec + 1 };
            let rhs_pos = self.pos();
            let rhs = self.expr(next_min)?;
            let rhs_literal = rhs.is_literal();
            let operands = Operands {
                lhs,
                rhs,
                lhs_literal,
                rhs_literal,
                rhs_pos,
            };
            lhs = self.binary(op, op_pos, operands, return_bool, matching)?;
            lhs_literal &= rhs_literal;
        }
    }

    fn binop(&self) -> Option<BinOp> {
        Some(match self.peek() {
            Tok::Keyword(Keyword::Or) => BinOp::Or,
            Tok::Keyword(Keyword::And) => BinOp::And,
            Tok::Keyword(Keyword::Unless) => BinOp::Unless,
            Tok::Add => BinOp::Add,
            Tok::Sub => BinOp::Sub,
            Tok::Mul => BinOp::Mul,
            Tok::Div => BinOp::Div,
            Tok::Mod => BinOp::Mod,
            Tok::Pow => BinOp::Pow,
            Tok::CmpEq => BinOp::Eq,
            Tok::Neq => BinOp::Ne,
            Tok::Gt => BinOp::Gt,
            Tok::Gte => BinOp::Ge,
            Tok::Lt => BinOp::Lt,
            Tok::Lte => BinOp::Le,
            _ => return None,
        })
    }

    /// `bool`, `on (...)`/`ignoring (...)`, `group_left (...)`/`group_right (...)`, in that
    /// order, each optional.
    fn bin_modifiers(&mut self, op: BinOp) -> PResult<(bool, VectorMatching)> {
        let bool_pos = self.pos();
        let return_bool = self.eat_keyword(Keyword::Bool);
        if return_bool && !op.is_comparison() {
            return Err(self.err(
                bool_pos,
                "bool modifier can only be used on comparison operators",
            ));
        }
        let mut m = VectorMatching::default();
        let on = self.eat_keyword(Keyword::On);
        if on || self.eat_keyword(Keyword::Ignoring) {
            m.on = on;
            m.labels = self.label_list()?;
            if self.eat_keyword(Keyword::GroupLeft) {
                m.card = Cardinality::ManyToOne;
            } else if self.eat_keyword(Keyword::GroupRight) {
                m.card = Cardinality::OneToMany;
            }
            if m.card != Cardinality::OneToOne && self.peek() == &Tok::LParen {
                m.include = self.label_list()?;
            }
        }
        Ok((return_bool, m))
    }

    fn binary(
        &self,
        op: BinOp,
        op_pos: usize,
        operands: Operands,
        return_bool: bool,
        matching: VectorMatching,
    ) -> PResult<Expr> {
        let Operands {
            lhs,
            rhs,
            lhs_literal,
            rhs_literal,
            rhs_pos,
        } = operands;
        if lhs.is_log() {
            return Err(self.err(
                op_pos,
                format!(
                    "unexpected log query as the left operand of {}",
                    op.as_str()
                ),
            ));
        }
        if rhs.is_log() {
            return Err(self.err(
                rhs_pos,
                format!(
                    "unexpected log query as the right operand of {}",
                    op.as_str()
                ),
            ));
        }
        if op.is_set() {
            if lhs_literal {
                return Err(self.err(
                    op_pos,
                    format!(
                        "unexpected literal for left leg of logical/set binary operation ({})",
                        op.as_str()
                    ),
                ));
            }
            if rhs_literal {
                return Err(self.err(
                    rhs_pos,
                    format!(
                        "unexpected literal for right leg of logical/set binary operation ({})",
                        op.as_str()
                    ),
                ));
            }
        }
        Ok(Expr::Binary(BinaryExpr {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
            return_bool,
            matching,
        }))
    }

    /// A signed number literal, or a primary expression.
    fn unary(&mut self) -> PResult<Expr> {
        if matches!(self.peek(), Tok::Add | Tok::Sub) {
            let negative = self.peek() == &Tok::Sub;
            self.next();
            return match self.peek().clone() {
                Tok::Number(text) => {
                    let pos = self.pos();
                    self.next();
                    Ok(Expr::Literal(self.number_value(pos, &text, negative)?))
                }
                _ => Err(self.unexpected("NUMBER")),
            };
        }
        self.primary()
    }

    fn primary(&mut self) -> PResult<Expr> {
        let pos = self.pos();
        match self.peek().clone() {
            Tok::Number(text) => {
                self.next();
                Ok(Expr::Literal(self.number_value(pos, &text, false)?))
            }
            Tok::LParen => {
                self.next();
                let e = self.expr(0)?;
                self.expect(&Tok::RParen, ")")?;
                Ok(e)
            }
            Tok::LBrace => Ok(Expr::Log(self.log_expr()?)),
            Tok::Func(f) => {
                self.next();
                if let Some(op) = range_op(f) {
                    self.range_aggregation(op, pos)
                } else if let Some(op) = vector_op(f) {
                    self.vector_aggregation(op, pos)
                } else if f == "vector" {
                    self.vector_fn()
                } else if f == "label_replace" {
                    self.label_replace()
                } else {
                    Err(self.err(
                        pos,
                        format!("syntax error: unexpected {}", f.to_uppercase()),
                    ))
                }
            }
            _ => Err(self.unexpected("")),
        }
    }

    /// `(label, ...)`, possibly empty.
    pub(super) fn label_list(&mut self) -> PResult<Vec<String>> {
        self.expect(&Tok::LParen, "(")?;
        let mut labels = Vec::new();
        if self.eat(&Tok::RParen) {
            return Ok(labels);
        }
        loop {
            labels.push(self.expect_ident()?);
            if self.eat(&Tok::RParen) {
                return Ok(labels);
            }
            self.expect(&Tok::Comma, ", or )")?;
        }
    }

    /// `by (...)` or `without (...)`, if present.
    fn grouping(&mut self) -> PResult<Option<Grouping>> {
        let without = match self.peek() {
            Tok::Keyword(Keyword::By) => false,
            Tok::Keyword(Keyword::Without) => true,
            _ => return Ok(None),
        };
        self.next();
        Ok(Some(Grouping {
            without,
            labels: self.label_list()?,
        }))
    }

    /// `f([param,] logrange) [grouping]`, after the function name.
    fn range_aggregation(&mut self, op: RangeOp, pos: usize) -> PResult<Expr> {
        self.expect(&Tok::LParen, "(")?;
        let mut param = None;
        if let (Tok::Number(text), Tok::Comma) = (self.peek().clone(), self.peek_at(1)) {
            param = Some(self.number_value(self.pos(), &text, false)?);
            self.next();
            self.next();
        }
        let range = self.log_range()?;
        self.expect(&Tok::RParen, ")")?;
        let grouping_pos = self.pos();
        let grouping = self.grouping()?;
        if grouping.is_some() && !op.allows_grouping() {
            return Err(self.err(
                grouping_pos,
                format!("grouping not allowed for {} aggregation", op.name()),
            ));
        }
        match (op.unwrap_rule(), &range.unwrap) {
            (Some(false), Some(_)) => {
                return Err(self.err(
                    pos,
                    format!("invalid aggregation {} with unwrap", op.name()),
                ))
            }
            (Some(true), None) => {
                return Err(self.err(
                    pos,
                    format!("invalid aggregation {} without unwrap", op.name()),
                ))
            }
            _ => {}
        }
        match (op, param) {
            (RangeOp::QuantileOverTime, None) => {
                return Err(self.err(pos, "parameter required for operation quantile_over_time"))
            }
            (RangeOp::QuantileOverTime, Some(_)) | (_, None) => {}
            (_, Some(p)) => {
                return Err(self.err(
                    pos,
                    format!("parameter {p} not supported for operation {}", op.name()),
                ))
            }
        }
        Ok(Expr::RangeAggregation(RangeAggregation {
            op,
            param,
            range,
            grouping,
        }))
    }

    /// `op [grouping] ([k,] expr) [grouping]`, after the operator name.
    fn vector_aggregation(&mut self, op: VectorOp, pos: usize) -> PResult<Expr> {
        let mut grouping = self.grouping()?;
        self.expect(&Tok::LParen, "(")?;
        let mut param = None;
        if let (Tok::Number(text), Tok::Comma) = (self.peek().clone(), self.peek_at(1)) {
            param = Some((self.pos(), text));
            self.next();
            self.next();
        }
        let arg_pos = self.pos();
        let arg = self.expr(0)?;
        if arg.is_log() {
            return Err(self.err(
                arg_pos,
                format!(
                    "syntax error: {} needs a metric expression, not a log query",
                    op.name()
                ),
            ));
        }
        self.expect(&Tok::RParen, ")")?;
        let after_pos = self.pos();
        if grouping.is_none() {
            grouping = self.grouping()?;
        }
        if grouping.is_some()
            && matches!(
                op,
                VectorOp::Sort | VectorOp::SortDesc | VectorOp::ApproxTopk
            )
        {
            return Err(self.err(
                after_pos.min(pos),
                format!("grouping not allowed for {} aggregation", op.name()),
            ));
        }
        let k = match (op.takes_k(), param) {
            (true, None) => {
                return Err(self.err(
                    pos,
                    format!("parameter required for operation {}", op.name()),
                ))
            }
            (true, Some((ppos, text))) => match text.parse::<i64>() {
                Ok(k) if k > 0 => Some(k),
                _ => {
                    return Err(self.err(
                        ppos,
                        format!(
                            "invalid parameter ({}({text},...)): must be a positive integer",
                            op.name()
                        ),
                    ))
                }
            },
            (false, Some((ppos, _))) => {
                return Err(self.err(
                    ppos,
                    format!("unsupported parameter for operation {}", op.name()),
                ))
            }
            (false, None) => None,
        };
        Ok(Expr::VectorAggregation(VectorAggregation {
            op,
            param: k,
            grouping,
            expr: Box::new(arg),
        }))
    }

    /// `vector(NUMBER)`, after the name.
    fn vector_fn(&mut self) -> PResult<Expr> {
        self.expect(&Tok::LParen, "(")?;
        let pos = self.pos();
        let Tok::Number(text) = self.peek().clone() else {
            return Err(self.unexpected("NUMBER"));
        };
        self.next();
        let v = self.number_value(pos, &text, false)?;
        self.expect(&Tok::RParen, ")")?;
        Ok(Expr::Vector(v))
    }

    /// `label_replace(expr, "dst", "replacement", "src", "regex")`, after the name.
    fn label_replace(&mut self) -> PResult<Expr> {
        self.expect(&Tok::LParen, "(")?;
        let arg_pos = self.pos();
        let arg = self.expr(0)?;
        if arg.is_log() {
            return Err(self.err(
                arg_pos,
                "syntax error: label_replace needs a metric expression",
            ));
        }
        let mut strs = Vec::with_capacity(4);
        let mut regex_pos = 0;
        for _ in 0..4 {
            self.expect(&Tok::Comma, ",")?;
            regex_pos = self.pos();
            strs.push(self.expect_str()?);
        }
        self.expect(&Tok::RParen, ")")?;
        let regex = strs.pop().unwrap_or_default();
        let src = strs.pop().unwrap_or_default();
        let replacement = strs.pop().unwrap_or_default();
        let dst = strs.pop().unwrap_or_default();
        if let Err(e) = compile_anchored(&regex) {
            return Err(self.err(
                regex_pos,
                format!(
                    "invalid regex in label_replace: {}",
                    regex_error(&regex, &e)
                ),
            ));
        }
        Ok(Expr::LabelReplace(LabelReplace {
            expr: Box::new(arg),
            dst,
            replacement,
            src,
            regex,
        }))
    }
}

/// The operands of a binary operator, with whether each is made only of literals.
struct Operands {
    lhs: Expr,
    rhs: Expr,
    lhs_literal: bool,
    rhs_literal: bool,
    /// Where the right operand starts.
    rhs_pos: usize,
}

fn range_op(f: &str) -> Option<RangeOp> {
    Some(match f {
        "count_over_time" => RangeOp::CountOverTime,
        "rate" => RangeOp::Rate,
        "rate_counter" => RangeOp::RateCounter,
        "bytes_over_time" => RangeOp::BytesOverTime,
        "bytes_rate" => RangeOp::BytesRate,
        "avg_over_time" => RangeOp::AvgOverTime,
        "sum_over_time" => RangeOp::SumOverTime,
        "min_over_time" => RangeOp::MinOverTime,
        "max_over_time" => RangeOp::MaxOverTime,
        "stdvar_over_time" => RangeOp::StdvarOverTime,
        "stddev_over_time" => RangeOp::StddevOverTime,
        "quantile_over_time" => RangeOp::QuantileOverTime,
        "first_over_time" => RangeOp::FirstOverTime,
        "last_over_time" => RangeOp::LastOverTime,
        "absent_over_time" => RangeOp::AbsentOverTime,
        _ => return None,
    })
}

fn vector_op(f: &str) -> Option<VectorOp> {
    Some(match f {
        "sum" => VectorOp::Sum,
        "avg" => VectorOp::Avg,
        "min" => VectorOp::Min,
        "max" => VectorOp::Max,
        "count" => VectorOp::Count,
        "stddev" => VectorOp::Stddev,
        "stdvar" => VectorOp::Stdvar,
        "topk" => VectorOp::Topk,
        "bottomk" => VectorOp::Bottomk,
        "sort" => VectorOp::Sort,
        "sort_desc" => VectorOp::SortDesc,
        "approx_topk" => VectorOp::ApproxTopk,
        _ => return None,
    })
}
