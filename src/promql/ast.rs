//! The PromQL syntax tree: what the parser produces and the engine evaluates.
//!
//! It mirrors Prometheus' `parser/ast.go` in meaning, not in shape: a plain enum of owned
//! nodes. Durations and timestamps are milliseconds. Printing (`Display`) lives in
//! `printer.rs`; the function signature table in `functions.rs`.

use crate::model::Matcher;

/// The four types a PromQL expression can evaluate to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    Scalar,
    Vector,
    Matrix,
    String,
}

impl ValueType {
    /// The name Prometheus uses in messages and in the API's `resultType`.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::Scalar => "scalar",
            ValueType::Vector => "vector",
            ValueType::Matrix => "matrix",
            ValueType::String => "string",
        }
    }
}

/// Byte offsets `[start, end)` of a node in the query text, for error messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PosRange {
    pub start: usize,
    pub end: usize,
}

/// The `@` modifier.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AtModifier {
    /// `@ <unix seconds>`, stored as milliseconds.
    Timestamp(i64),
    /// `@ start()`: the start of a range query (the time of an instant query).
    Start,
    /// `@ end()`: the end of a range query (the time of an instant query).
    End,
}

/// `name{matchers} offset d @ t`. `matchers` always includes the `__name__` matcher when a name
/// was written, so the engine only looks at `matchers`.
#[derive(Clone, Debug, PartialEq)]
pub struct VectorSelector {
    pub name: Option<String>,
    pub matchers: Vec<Matcher>,
    /// Offset in milliseconds; negative for `offset -5m`.
    pub offset: i64,
    pub at: Option<AtModifier>,
    pub pos: PosRange,
    /// The offset as written when it is a duration expression (`offset (1h - 5m)`,
    /// `offset step()`); `offset` holds its value once known (at parse time for constant
    /// expressions, per query for ones using `step()`/`range()`).
    pub offset_expr: Option<Box<DurationExpr>>,
    /// The experimental `anchored` modifier of a range selector (`foo[5m] anchored`): the
    /// window's start takes the value of the last sample at or before it.
    pub anchored: bool,
    /// The experimental `smoothed` modifier of a range selector: the window's edges take
    /// values interpolated between the samples around them.
    pub smoothed: bool,
}

/// `selector[range]`.
#[derive(Clone, Debug, PartialEq)]
pub struct MatrixSelector {
    pub selector: VectorSelector,
    /// Range in milliseconds.
    pub range: i64,
    /// The range as written when it is a duration expression (`[5m+1m]`); see
    /// `VectorSelector::offset_expr`.
    pub range_expr: Option<Box<DurationExpr>>,
}

/// `expr[range:step] offset d @ t`.
#[derive(Clone, Debug, PartialEq)]
pub struct SubqueryExpr {
    pub expr: Box<Expr>,
    pub range: i64,
    /// `None` means "the default evaluation interval" (the engine's resolution default).
    pub step: Option<i64>,
    pub offset: i64,
    pub at: Option<AtModifier>,
    /// Duration expressions as written for range, step and offset (see
    /// `VectorSelector::offset_expr`).
    pub range_expr: Option<Box<DurationExpr>>,
    pub step_expr: Option<Box<DurationExpr>>,
    pub offset_expr: Option<Box<DurationExpr>>,
}

/// Arithmetic on durations inside `[...]` and after `offset` (Prometheus' experimental
/// duration expressions). Values are seconds as `f64`, like Prometheus computes them; the
/// engine turns the result into milliseconds. A bare literal is never wrapped in one of
/// these: the parser keeps those in the plain millisecond fields.
#[derive(Clone, Debug, PartialEq)]
pub enum DurationExpr {
    /// A number (seconds) or, when `duration` is set, a duration literal like `5m`.
    Literal { secs: f64, duration: bool },
    /// `step()`: the query's step (0 for an instant query).
    Step,
    /// `range()`: the query's `end - start` (0 for an instant query).
    Range,
    /// A sign before an expression that is not a literal.
    Unary(UnaryOp, Box<DurationExpr>),
    /// `+ - * / % ^` between two duration expressions.
    Binary(BinOp, Box<DurationExpr>, Box<DurationExpr>),
    /// `min_of(a, b)`
    MinOf(Box<DurationExpr>, Box<DurationExpr>),
    /// `max_of(a, b)`
    MaxOf(Box<DurationExpr>, Box<DurationExpr>),
    /// Parentheses around a non-literal expression, kept for printing.
    Paren(Box<DurationExpr>),
}

impl DurationExpr {
    /// Whether the value depends on the query (`step()` or `range()` somewhere inside).
    pub fn is_query_dependent(&self) -> bool {
        match self {
            DurationExpr::Literal { .. } => false,
            DurationExpr::Step | DurationExpr::Range => true,
            DurationExpr::Unary(_, e) | DurationExpr::Paren(e) => e.is_query_dependent(),
            DurationExpr::Binary(_, a, b)
            | DurationExpr::MinOf(a, b)
            | DurationExpr::MaxOf(a, b) => a.is_query_dependent() || b.is_query_dependent(),
        }
    }

    /// The value in seconds, given the query's step and range in seconds. Division and
    /// modulo by zero are errors, as in Prometheus.
    pub fn eval_secs(&self, step: f64, range: f64) -> Result<f64, &'static str> {
        Ok(match self {
            DurationExpr::Literal { secs, .. } => *secs,
            DurationExpr::Step => step,
            DurationExpr::Range => range,
            DurationExpr::Paren(e) => e.eval_secs(step, range)?,
            DurationExpr::Unary(op, e) => {
                let v = e.eval_secs(step, range)?;
                if *op == UnaryOp::Neg {
                    -v
                } else {
                    v
                }
            }
            DurationExpr::MinOf(a, b) => {
                nan_min(a.eval_secs(step, range)?, b.eval_secs(step, range)?)
            }
            DurationExpr::MaxOf(a, b) => {
                nan_max(a.eval_secs(step, range)?, b.eval_secs(step, range)?)
            }
            DurationExpr::Binary(op, a, b) => {
                let (l, r) = (a.eval_secs(step, range)?, b.eval_secs(step, range)?);
                match op {
                    BinOp::Add => l + r,
                    BinOp::Sub => l - r,
                    BinOp::Mul => l * r,
                    BinOp::Div if r == 0.0 => return Err("division by zero"),
                    BinOp::Div => l / r,
                    BinOp::Mod if r == 0.0 => return Err("modulo by zero"),
                    BinOp::Mod => l % r,
                    BinOp::Pow => l.powf(r),
                    _ => return Err("unexpected duration expression operator"),
                }
            }
        })
    }

    /// Turns a value in seconds into milliseconds the way Prometheus does (truncating), with
    /// its checks: ranges and steps must be positive, everything must fit a Go duration.
    pub fn to_ms(secs: f64, allow_negative: bool) -> Result<i64, &'static str> {
        if secs.is_nan() || (secs <= 0.0 && !allow_negative) {
            return Err("duration must be greater than 0");
        }
        // Go's time.Duration is nanoseconds in an i64.
        if secs.abs() > i64::MAX as f64 / 1e9 {
            return Err("duration is out of range");
        }
        Ok((secs * 1000.0) as i64)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Atan2,
    Eql,
    Neq,
    Gtr,
    Lss,
    Gte,
    Lte,
    And,
    Or,
    Unless,
}

impl BinOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Pow => "^",
            BinOp::Atan2 => "atan2",
            BinOp::Eql => "==",
            BinOp::Neq => "!=",
            BinOp::Gtr => ">",
            BinOp::Lss => "<",
            BinOp::Gte => ">=",
            BinOp::Lte => "<=",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Unless => "unless",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eql | BinOp::Neq | BinOp::Gtr | BinOp::Lss | BinOp::Gte | BinOp::Lte
        )
    }

    pub fn is_set(self) -> bool {
        matches!(self, BinOp::And | BinOp::Or | BinOp::Unless)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cardinality {
    OneToOne,
    /// `group_left`
    ManyToOne,
    /// `group_right`
    OneToMany,
    /// Set operators.
    ManyToMany,
}

/// `on(...)`/`ignoring(...)` and `group_left(...)`/`group_right(...)`.
#[derive(Clone, Debug, PartialEq)]
pub struct VectorMatching {
    pub card: Cardinality,
    /// True for `on(...)`, false for `ignoring(...)` (or neither).
    pub on: bool,
    pub labels: Vec<String>,
    /// Extra labels copied from the "one" side by `group_left(...)`/`group_right(...)`.
    pub include: Vec<String>,
    /// `fill_left(v)` (or `fill(v)`): the value a missing left-hand sample takes, so series
    /// only on the right still produce results (experimental fill modifiers). With
    /// `group_right` it applies to the "many" side, as in Prometheus, which swaps the sides.
    pub fill_lhs: Option<f64>,
    /// `fill_right(v)` (or `fill(v)`): the value a missing right-hand sample takes.
    pub fill_rhs: Option<f64>,
}

/// A binary operation. Chains of them (`a + b + c`) can be as long as the query, so
/// `Clone`, `PartialEq`, `Debug` and `Drop` are written out in `chain.rs` to walk them in a
/// loop; code that visits a tree follows `BinaryExpr::left_spine` or `operands` likewise.
pub struct BinaryExpr {
    pub op: BinOp,
    pub lhs: Box<Expr>,
    pub rhs: Box<Expr>,
    /// `bool` modifier on a comparison.
    pub return_bool: bool,
    /// Set when both sides are vectors (the parser fills a default one-to-one matching).
    pub matching: Option<VectorMatching>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggOp {
    Sum,
    Avg,
    Count,
    Min,
    Max,
    Group,
    Stddev,
    Stdvar,
    Topk,
    Bottomk,
    CountValues,
    Quantile,
    Limitk,
    LimitRatio,
}

impl AggOp {
    pub fn as_str(self) -> &'static str {
        match self {
            AggOp::Sum => "sum",
            AggOp::Avg => "avg",
            AggOp::Count => "count",
            AggOp::Min => "min",
            AggOp::Max => "max",
            AggOp::Group => "group",
            AggOp::Stddev => "stddev",
            AggOp::Stdvar => "stdvar",
            AggOp::Topk => "topk",
            AggOp::Bottomk => "bottomk",
            AggOp::CountValues => "count_values",
            AggOp::Quantile => "quantile",
            AggOp::Limitk => "limitk",
            AggOp::LimitRatio => "limit_ratio",
        }
    }

    pub fn from_name(s: &str) -> Option<AggOp> {
        Some(match s {
            "sum" => AggOp::Sum,
            "avg" => AggOp::Avg,
            "count" => AggOp::Count,
            "min" => AggOp::Min,
            "max" => AggOp::Max,
            "group" => AggOp::Group,
            "stddev" => AggOp::Stddev,
            "stdvar" => AggOp::Stdvar,
            "topk" => AggOp::Topk,
            "bottomk" => AggOp::Bottomk,
            "count_values" => AggOp::CountValues,
            "quantile" => AggOp::Quantile,
            "limitk" => AggOp::Limitk,
            "limit_ratio" => AggOp::LimitRatio,
            _ => return None,
        })
    }

    /// Aggregations that take a parameter before the vector.
    pub fn takes_param(self) -> bool {
        matches!(
            self,
            AggOp::Topk
                | AggOp::Bottomk
                | AggOp::CountValues
                | AggOp::Quantile
                | AggOp::Limitk
                | AggOp::LimitRatio
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct AggregateExpr {
    pub op: AggOp,
    pub expr: Box<Expr>,
    pub param: Option<Box<Expr>>,
    /// Labels of `by (...)` or `without (...)`.
    pub grouping: Vec<String>,
    /// True for `without`, false for `by` (and for no clause, with empty `grouping`).
    pub without: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The function's name as written (looked up in `functions.rs`).
    pub func: String,
    pub args: Vec<Expr>,
    pub pos: PosRange,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Number(f64),
    String(String),
    VectorSelector(VectorSelector),
    MatrixSelector(MatrixSelector),
    Subquery(SubqueryExpr),
    Paren(Box<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryExpr),
    Aggregate(AggregateExpr),
    Call(Call),
}

impl Expr {
    /// The type the expression evaluates to, as Prometheus' `Type()` methods define it. A call
    /// to an unknown function (which the parser rejects) is taken to return a vector.
    pub fn value_type(&self) -> ValueType {
        match self {
            Expr::Number(_) => ValueType::Scalar,
            Expr::String(_) => ValueType::String,
            Expr::VectorSelector(_) | Expr::Aggregate(_) => ValueType::Vector,
            Expr::MatrixSelector(_) | Expr::Subquery(_) => ValueType::Matrix,
            Expr::Paren(e) | Expr::Unary(_, e) => e.value_type(),
            // Scalar when every operand of the chain is.
            Expr::Binary(b) => {
                if b.operands()
                    .iter()
                    .all(|e| e.value_type() == ValueType::Scalar)
                {
                    ValueType::Scalar
                } else {
                    ValueType::Vector
                }
            }
            Expr::Call(c) => crate::promql::functions::lookup(&c.func)
                .map_or(ValueType::Vector, |f| f.return_type),
        }
    }
}

/// Go's `math.Min`: NaN if either side is NaN (Rust's `f64::min` ignores a NaN).
pub fn nan_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

/// Go's `math.Max`: NaN if either side is NaN.
pub fn nan_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}
