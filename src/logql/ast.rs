//! The LogQL syntax tree: what the parser produces and what an engine will evaluate.
//!
//! It represents the whole language: log queries (a stream selector and a pipeline of stages),
//! log range expressions (with `| unwrap` and `offset`), range and vector aggregations, binary
//! operators with vector matching, literals, `vector()` and `label_replace()`. Every value that
//! the query spells with a unit is typed here (durations in nanoseconds, bytes as a count), and
//! templates are kept both as text and as their parsed form (`template.rs`). Regexes are kept
//! as text: the engine compiles them (the parser has already checked that they compile). This
//! file holds no parsing and no evaluation.

use crate::gotmpl::Template;
use crate::model::Matcher;

/// Nanoseconds, the unit of every LogQL duration (Go's `time.Duration`): ranges, offsets and
/// duration literals in label filters. Signed, since offsets and filter durations may be
/// negative.
pub type Nanos = i64;

/// A parsed LogQL query.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A log query: its result is streams of log lines.
    Log(LogExpr),
    /// `count_over_time({...}[5m])`, `quantile_over_time(0.9, {...} | unwrap x [5m]) by (a)`.
    RangeAggregation(RangeAggregation),
    /// `sum by (a) (...)`, `topk(3, ...)`.
    VectorAggregation(VectorAggregation),
    /// `a + b`, `a > bool 1`, `a and on (x) b`.
    Binary(BinaryExpr),
    /// A number literal: a scalar.
    Literal(f64),
    /// `vector(1)`: one sample with no labels.
    Vector(f64),
    /// `label_replace(v, "dst", "replacement", "src", "regex")`.
    LabelReplace(LabelReplace),
}

impl Expr {
    /// True for log queries (streams), false for metric queries.
    pub fn is_log(&self) -> bool {
        matches!(self, Expr::Log(_))
    }

    /// True when the expression is made only of number literals (and operators on them), as
    /// Loki folds such expressions into one literal at parse time.
    pub fn is_literal(&self) -> bool {
        // A chain of operators is as deep as it is long: walk it with a list, not recursion.
        let mut pending = vec![self];
        while let Some(e) = pending.pop() {
            match e {
                Expr::Literal(_) => {}
                Expr::Binary(b) => pending.extend([&*b.lhs, &*b.rhs]),
                _ => return false,
            }
        }
        true
    }

    /// The stream selectors of every log expression inside, left to right.
    pub fn stream_selectors(&self) -> Vec<Vec<crate::model::Matcher>> {
        let mut out = Vec::new();
        // Right operands wait on the list until their left siblings are done.
        let mut pending = vec![self];
        while let Some(e) = pending.pop() {
            match e {
                Expr::Log(l) => out.push(l.selector.clone()),
                Expr::RangeAggregation(r) => out.push(r.range.log.selector.clone()),
                Expr::VectorAggregation(v) => pending.push(&v.expr),
                Expr::Binary(b) => pending.extend([&*b.rhs, &*b.lhs]),
                Expr::LabelReplace(l) => pending.push(&l.expr),
                Expr::Literal(_) | Expr::Vector(_) => {}
            }
        }
        out
    }
}

/// A stream selector followed by pipeline stages, applied left to right.
#[derive(Clone, Debug, PartialEq)]
pub struct LogExpr {
    pub selector: Vec<Matcher>,
    pub pipeline: Vec<Stage>,
}

/// One stage of a log pipeline.
#[derive(Clone, Debug, PartialEq)]
pub enum Stage {
    /// `|= "a" or "b"`, `!~ "re"`, `|> "<_> GET"`, `|= ip("10.0.0.0/8")`. Consecutive filters
    /// are separate stages (they AND together).
    LineFilter(LineFilter),
    /// `| json`, `| logfmt --strict a, b="c"`, `| regexp "..."`, `| pattern "..."`, `| unpack`.
    Parser(ParserStage),
    /// `| decolorize`: strips ANSI escape sequences from the line.
    Decolorize,
    /// `| status >= 500 and level="error"`.
    LabelFilter(LabelFilter),
    /// `| line_format "{{.a}}"`.
    LineFormat(TemplateText),
    /// `| label_format dst=src, dst2="{{.a}}"`.
    LabelFormat(Vec<LabelFmt>),
    /// `| drop a, b="v"`.
    Drop(Vec<NamedMatcher>),
    /// `| keep a, b="v"`.
    Keep(Vec<NamedMatcher>),
}

/// The operator of a line filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineMatchOp {
    /// `|=`: contains the substring.
    Contains,
    /// `!=`: does not contain.
    NotContains,
    /// `|~`: unanchored regex match.
    Regex,
    /// `!~`
    NotRegex,
    /// `|>`: matches the pattern (whole line).
    Pattern,
    /// `!>`
    NotPattern,
}

impl LineMatchOp {
    /// True for the operators that drop a line matching any operand.
    pub fn is_negative(self) -> bool {
        matches!(
            self,
            LineMatchOp::NotContains | LineMatchOp::NotRegex | LineMatchOp::NotPattern
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LineMatchOp::Contains => "|=",
            LineMatchOp::NotContains => "!=",
            LineMatchOp::Regex => "|~",
            LineMatchOp::NotRegex => "!~",
            LineMatchOp::Pattern => "|>",
            LineMatchOp::NotPattern => "!>",
        }
    }
}

/// One operand of a line filter.
#[derive(Clone, Debug, PartialEq)]
pub enum LineFilterValue {
    /// A string: substring, regex or pattern depending on the operator.
    Str(String),
    /// `ip("...")`: a single address, a range `a-b` or a CIDR, IPv4 or IPv6 (validated).
    Ip(String),
}

/// A line filter with its `or` alternatives: every operand uses the same operator. A positive
/// filter keeps a line matching any operand; a negative one drops a line matching any.
#[derive(Clone, Debug, PartialEq)]
pub struct LineFilter {
    pub op: LineMatchOp,
    /// At least one operand; more when chained with `or`.
    pub values: Vec<LineFilterValue>,
}

/// A label-extracting parser stage.
#[derive(Clone, Debug, PartialEq)]
pub enum ParserStage {
    /// `| json` (all fields, flattened) or `| json a="path", b` (only these).
    Json { params: Vec<Extraction> },
    /// `| logfmt [--strict] [--keep-empty] [params]`.
    Logfmt {
        strict: bool,
        keep_empty: bool,
        params: Vec<Extraction>,
    },
    /// `| regexp "(?P<name>...)"`: RE2 with at least one named capture (validated).
    Regexp(String),
    /// `| pattern "<ip> <_> <status>"`: at least one named capture (validated).
    Pattern(String),
    /// `| unpack`: Promtail's `pack` JSON; `_entry` replaces the line.
    Unpack,
}

/// `name="expression"` (or bare `name`, meaning `name="name"`) in `| json` / `| logfmt`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extraction {
    /// The label to write.
    pub label: String,
    /// For json a JSONPath-like expression (validated); for logfmt a key.
    pub expression: String,
}

/// A comparison operator of a typed label filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `=` or `==`
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
        }
    }
}

/// A label filter predicate.
///
/// `and` and `or` are n-ary and flat (no `And` directly holds an `And`), so that a long chain
/// of filters is a list rather than a deep tree: only parentheses nest.
#[derive(Clone, Debug, PartialEq)]
pub enum LabelFilter {
    /// `a and b`, `a, b` and `a b` all mean AND. At least two operands, every one evaluated
    /// (in order, so that each records its conversion errors).
    And(Vec<LabelFilter>),
    /// At least two operands, tried in order until one passes.
    Or(Vec<LabelFilter>),
    /// `name = "v"`, `!=`, `=~`, `!~` (regexes anchored, as in stream selectors).
    String(Matcher),
    /// `name > 1.5`: the label value is converted to a float.
    Number { name: String, op: CmpOp, value: f64 },
    /// `name > 250ms`: the label value is parsed as a Go duration.
    Duration {
        name: String,
        op: CmpOp,
        value: Nanos,
    },
    /// `name > 20MB`: the label value is parsed as a humanized byte count.
    Bytes { name: String, op: CmpOp, value: u64 },
    /// `name = ip("...")` (or `!=` when `negated`).
    Ip {
        name: String,
        negated: bool,
        pattern: String,
    },
}

impl LabelFilter {
    /// The AND of `operands`, flattened: a lone operand is itself, and an operand that is an
    /// AND gives its own operands.
    pub fn all(operands: Vec<LabelFilter>) -> LabelFilter {
        LabelFilter::flat(operands, true)
    }

    /// The OR of `operands`, flattened as [`LabelFilter::all`].
    pub fn any(operands: Vec<LabelFilter>) -> LabelFilter {
        LabelFilter::flat(operands, false)
    }

    fn flat(operands: Vec<LabelFilter>, and: bool) -> LabelFilter {
        let mut flat = Vec::with_capacity(operands.len());
        for o in operands {
            match o {
                LabelFilter::And(inner) if and => flat.extend(inner),
                LabelFilter::Or(inner) if !and => flat.extend(inner),
                other => flat.push(other),
            }
        }
        if flat.len() == 1 {
            if let Some(only) = flat.pop() {
                return only;
            }
        }
        if and {
            LabelFilter::And(flat)
        } else {
            LabelFilter::Or(flat)
        }
    }
}

/// A Go text/template as written in the query, with its parsed form.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateText {
    pub text: String,
    pub parsed: Template,
}

/// One assignment of `| label_format`.
#[derive(Clone, Debug, PartialEq)]
pub enum LabelFmt {
    /// `dst=src`: renames (the source label is dropped).
    Rename { dst: String, src: String },
    /// `dst="{{.a}}"`: sets from a template (sources are kept).
    Template { dst: String, template: TemplateText },
}

impl LabelFmt {
    pub fn dst(&self) -> &str {
        match self {
            LabelFmt::Rename { dst, .. } | LabelFmt::Template { dst, .. } => dst,
        }
    }
}

/// An operand of `| drop` / `| keep`: a bare label name, or a matcher that limits the stage to
/// labels whose value matches.
#[derive(Clone, Debug, PartialEq)]
pub enum NamedMatcher {
    Name(String),
    Matcher(Matcher),
}

/// A log query over a time window: the argument of a range aggregation.
#[derive(Clone, Debug, PartialEq)]
pub struct LogRange {
    pub log: LogExpr,
    /// The window, `[range]`.
    pub range: Nanos,
    /// `offset <dur>` (0 when absent; may be negative).
    pub offset: Nanos,
    /// `| unwrap ...` when the aggregation works on label values rather than lines.
    pub unwrap: Option<Unwrap>,
}

/// How `| unwrap` converts the label's value to a sample value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conversion {
    /// Plain float parse (`| unwrap x`).
    Float,
    /// `duration(x)` / `duration_seconds(x)`: Go duration to seconds.
    Duration,
    DurationSeconds,
    /// `bytes(x)`: humanized byte count.
    Bytes,
}

/// `| unwrap [conv(]label[)]` and the label filters that follow it.
#[derive(Clone, Debug, PartialEq)]
pub struct Unwrap {
    pub label: String,
    pub conversion: Conversion,
    /// Filters after the unwrap (they see its conversion errors), ANDed in order.
    pub post_filters: Vec<LabelFilter>,
}

/// The range aggregation functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeOp {
    CountOverTime,
    Rate,
    RateCounter,
    BytesOverTime,
    BytesRate,
    AvgOverTime,
    SumOverTime,
    MinOverTime,
    MaxOverTime,
    StdvarOverTime,
    StddevOverTime,
    QuantileOverTime,
    FirstOverTime,
    LastOverTime,
    AbsentOverTime,
}

impl RangeOp {
    pub fn name(self) -> &'static str {
        match self {
            RangeOp::CountOverTime => "count_over_time",
            RangeOp::Rate => "rate",
            RangeOp::RateCounter => "rate_counter",
            RangeOp::BytesOverTime => "bytes_over_time",
            RangeOp::BytesRate => "bytes_rate",
            RangeOp::AvgOverTime => "avg_over_time",
            RangeOp::SumOverTime => "sum_over_time",
            RangeOp::MinOverTime => "min_over_time",
            RangeOp::MaxOverTime => "max_over_time",
            RangeOp::StdvarOverTime => "stdvar_over_time",
            RangeOp::StddevOverTime => "stddev_over_time",
            RangeOp::QuantileOverTime => "quantile_over_time",
            RangeOp::FirstOverTime => "first_over_time",
            RangeOp::LastOverTime => "last_over_time",
            RangeOp::AbsentOverTime => "absent_over_time",
        }
    }

    /// Whether `| unwrap` is required (`Some(true)`), forbidden (`Some(false)`) or optional.
    pub fn unwrap_rule(self) -> Option<bool> {
        match self {
            RangeOp::CountOverTime | RangeOp::BytesOverTime | RangeOp::BytesRate => Some(false),
            RangeOp::Rate | RangeOp::AbsentOverTime => None,
            _ => Some(true),
        }
    }

    /// Whether `by (...)` / `without (...)` may follow the call.
    pub fn allows_grouping(self) -> bool {
        matches!(
            self,
            RangeOp::AvgOverTime
                | RangeOp::MinOverTime
                | RangeOp::MaxOverTime
                | RangeOp::StdvarOverTime
                | RangeOp::StddevOverTime
                | RangeOp::QuantileOverTime
                | RangeOp::FirstOverTime
                | RangeOp::LastOverTime
        )
    }
}

/// `by (a, b)` or `without (a, b)`; the list may be empty.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Grouping {
    pub without: bool,
    pub labels: Vec<String>,
}

/// `f([param,] logrange) [grouping]`.
#[derive(Clone, Debug, PartialEq)]
pub struct RangeAggregation {
    pub op: RangeOp,
    /// φ of `quantile_over_time` (the only function with a parameter).
    pub param: Option<f64>,
    pub range: LogRange,
    pub grouping: Option<Grouping>,
}

/// The vector aggregation operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VectorOp {
    Sum,
    Avg,
    Min,
    Max,
    Count,
    Stddev,
    Stdvar,
    Topk,
    Bottomk,
    Sort,
    SortDesc,
    ApproxTopk,
}

impl VectorOp {
    pub fn name(self) -> &'static str {
        match self {
            VectorOp::Sum => "sum",
            VectorOp::Avg => "avg",
            VectorOp::Min => "min",
            VectorOp::Max => "max",
            VectorOp::Count => "count",
            VectorOp::Stddev => "stddev",
            VectorOp::Stdvar => "stdvar",
            VectorOp::Topk => "topk",
            VectorOp::Bottomk => "bottomk",
            VectorOp::Sort => "sort",
            VectorOp::SortDesc => "sort_desc",
            VectorOp::ApproxTopk => "approx_topk",
        }
    }

    /// topk, bottomk and approx_topk take a `k`.
    pub fn takes_k(self) -> bool {
        matches!(
            self,
            VectorOp::Topk | VectorOp::Bottomk | VectorOp::ApproxTopk
        )
    }
}

/// `op [grouping] ([k,] expr) [grouping]` (the grouping written before or after).
#[derive(Clone, Debug, PartialEq)]
pub struct VectorAggregation {
    pub op: VectorOp,
    /// `k` of topk/bottomk/approx_topk: a positive integer.
    pub param: Option<i64>,
    pub grouping: Option<Grouping>,
    pub expr: Box<Expr>,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Unless,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl BinOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Unless => "unless",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Pow => "^",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
        }
    }

    /// Precedence, low to high: `or` < `and unless` < comparisons < `+ -` < `* / %` < `^`.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And | BinOp::Unless => 2,
            BinOp::Eq | BinOp::Ne | BinOp::Gt | BinOp::Ge | BinOp::Lt | BinOp::Le => 3,
            BinOp::Add | BinOp::Sub => 4,
            BinOp::Mul | BinOp::Div | BinOp::Mod => 5,
            BinOp::Pow => 6,
        }
    }

    pub fn is_comparison(self) -> bool {
        self.precedence() == 3
    }

    pub fn is_set(self) -> bool {
        matches!(self, BinOp::Or | BinOp::And | BinOp::Unless)
    }
}

/// Cardinality of vector matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Cardinality {
    #[default]
    OneToOne,
    /// `group_left`
    ManyToOne,
    /// `group_right`
    OneToMany,
}

/// `on (...)` / `ignoring (...)` with `group_left (...)` / `group_right (...)`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct VectorMatching {
    /// True for `on`, false for `ignoring` (or no clause: ignoring nothing).
    pub on: bool,
    pub labels: Vec<String>,
    pub card: Cardinality,
    /// The extra labels named in `group_left(...)` / `group_right(...)`.
    pub include: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BinaryExpr {
    pub op: BinOp,
    pub lhs: Box<Expr>,
    pub rhs: Box<Expr>,
    /// `bool` after a comparison operator.
    pub return_bool: bool,
    pub matching: VectorMatching,
}

/// Dropping a chain of binary operators node by node would recurse once per operator: a
/// query such as `a + a + ... + a` is a left spine as long as the chain. The operands are
/// moved to a list and dropped from there, each emptied of its own operands first.
impl Drop for BinaryExpr {
    fn drop(&mut self) {
        let mut pending = vec![take_operand(&mut self.lhs), take_operand(&mut self.rhs)];
        while let Some(mut e) = pending.pop() {
            if let Expr::Binary(b) = &mut *e {
                pending.push(take_operand(&mut b.lhs));
                pending.push(take_operand(&mut b.rhs));
            }
        }
    }
}

/// Moves an operand out, leaving a literal that drops without recursion.
fn take_operand(operand: &mut Box<Expr>) -> Box<Expr> {
    std::mem::replace(operand, Box::new(Expr::Literal(0.0)))
}

/// `label_replace(expr, dst, replacement, src, regex)`; the regex is anchored and was checked.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelReplace {
    pub expr: Box<Expr>,
    pub dst: String,
    pub replacement: String,
    pub src: String,
    pub regex: String,
}
