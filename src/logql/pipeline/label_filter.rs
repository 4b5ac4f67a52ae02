//! Label filters (`| status >= 500 and level="error"`), with Loki's rules for values that do
//! not convert: a label that is missing fails a typed comparison; a value that does not parse
//! as a number, duration or byte count keeps the line and marks it with `LabelFilterErr`
//! (unless an earlier stage already marked it), so that a metric query stops and names the
//! problem instead of silently counting less. String matchers compare a missing label as the
//! empty string, and are the only filters that can test `__error__`.

use super::labels::{EntryLabels, ERROR_DETAILS_LABEL, ERROR_LABEL};
use crate::logql::ast::{CmpOp, LabelFilter};
use crate::logql::units::{
    go_duration_error, humanize_bytes, parse_float_value, parse_go_duration,
};
use crate::model::Matcher;

/// The `__error__` value a failed conversion sets.
pub const LABEL_FILTER_ERR: &str = "LabelFilterErr";

/// A label filter ready to run.
pub enum CompiledFilter {
    And(Vec<CompiledFilter>),
    Or(Vec<CompiledFilter>),
    String(Matcher),
    Number(String, CmpOp, f64),
    Duration(String, CmpOp, i64),
    Bytes(String, CmpOp, u64),
    Ip(String, bool, crate::logql::extract::IpFilter),
}

impl CompiledFilter {
    pub fn compile(f: &LabelFilter) -> Result<CompiledFilter, String> {
        Ok(match f {
            LabelFilter::And(fs) => CompiledFilter::And(Self::compile_all(fs)?),
            LabelFilter::Or(fs) => CompiledFilter::Or(Self::compile_all(fs)?),
            LabelFilter::String(m) => CompiledFilter::String(m.clone()),
            LabelFilter::Number { name, op, value } => {
                CompiledFilter::Number(name.clone(), *op, *value)
            }
            LabelFilter::Duration { name, op, value } => {
                CompiledFilter::Duration(name.clone(), *op, *value)
            }
            LabelFilter::Bytes { name, op, value } => {
                CompiledFilter::Bytes(name.clone(), *op, *value)
            }
            LabelFilter::Ip {
                name,
                negated,
                pattern,
            } => CompiledFilter::Ip(
                name.clone(),
                *negated,
                crate::logql::extract::IpFilter::new(pattern)?,
            ),
        })
    }

    fn compile_all(fs: &[LabelFilter]) -> Result<Vec<CompiledFilter>, String> {
        fs.iter().map(Self::compile).collect()
    }

    /// Whether the entry passes. May mark it with `LabelFilterErr`.
    pub fn test(&self, labels: &mut EntryLabels) -> bool {
        match self {
            // Every operand of `and` runs even when an earlier one fails, as in Loki, so that
            // a conversion error further right is still recorded; `or` stops at a success.
            CompiledFilter::And(fs) => {
                let mut all = true;
                for f in fs {
                    all &= f.test(labels);
                }
                all
            }
            CompiledFilter::Or(fs) => fs.iter().any(|f| f.test(labels)),
            CompiledFilter::String(m) => m.matches(labels.get(&m.name).unwrap_or("")),
            CompiledFilter::Number(name, op, want) => typed(labels, name, op, want, |v| {
                parse_float_value(v)
                    .ok_or_else(|| format!("strconv.ParseFloat: parsing {v:?}: invalid syntax"))
            }),
            CompiledFilter::Duration(name, op, want) => typed(labels, name, op, want, |v| {
                parse_go_duration(v).ok_or_else(|| go_duration_error(v))
            }),
            CompiledFilter::Bytes(name, op, want) => typed(labels, name, op, want, humanize_bytes),
            // An entry that already failed passes an ip() filter, so that its error reaches
            // the result instead of vanishing with the line.
            CompiledFilter::Ip(_, _, _) if labels.has_error() => true,
            CompiledFilter::Ip(name, negated, ip) => match labels.get(name) {
                None => false,
                Some(v) => ip.matches_value(v) != *negated,
            },
        }
    }
}

/// A typed comparison: a missing label fails; a value that does not convert passes, marked.
fn typed<T: PartialOrd>(
    labels: &mut EntryLabels,
    name: &str,
    op: &CmpOp,
    want: &T,
    convert: impl Fn(&str) -> Result<T, String>,
) -> bool {
    // The error labels are not values a comparison can read.
    if name == ERROR_LABEL || name == ERROR_DETAILS_LABEL {
        return false;
    }
    let Some(v) = labels.get(name) else {
        return false;
    };
    match convert(v) {
        Ok(got) => compare(&got, *op, want),
        Err(details) => {
            labels.set_error(LABEL_FILTER_ERR, &details);
            true
        }
    }
}

fn compare<T: PartialOrd>(a: &T, op: CmpOp, b: &T) -> bool {
    match op {
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
    }
}
