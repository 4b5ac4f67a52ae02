//! The errors PromQL evaluation can end with.
//!
//! Messages follow Prometheus' own wording so that clients (and the conformance scripts) that
//! match on them keep working. This file owns only the error type; it does not decide HTTP
//! status codes or exit codes (`http::errors` and `cli::exit` map variants to those).

use crate::store::StoreError;
use std::sync::Arc;

/// Why an evaluation failed. Cloneable (the evaluator hands errors between threads and
/// caches), so a store error is shared behind an `Arc`.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EvalError {
    /// The `max_samples` limit was hit.
    #[error("query processing would load too many samples into memory in query execution")]
    TooManySamples,
    /// The deadline passed between two evaluation steps.
    #[error("query timed out in expression evaluation")]
    Timeout,
    /// The data source failed: damage, I/O, a vanished file.
    #[error("storage error: {0}")]
    Storage(Arc<StoreError>),
    /// Two series with the same match signature on the "one" side of a binary operation.
    #[error("found duplicate series for the match group {} on the {} hand-side of the operation: [{}, {}];many-to-many matching not allowed: matching labels must be unique on one side", .0.group, .0.side, .0.a, .0.b)]
    ManyToMany(Box<DuplicateSeries>),
    /// One-to-one matching found several left-hand series for one right-hand series.
    #[error("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")]
    ManyToOneImplicit,
    /// group_left/group_right produced the same output series twice.
    #[error("multiple matches for labels: grouping labels must ensure unique matches")]
    GroupingNotUnique,
    /// An operation produced two samples with the same label set at one time.
    #[error("vector cannot contain metrics with the same labelset")]
    DuplicateLabelset,
    /// A function name the engine does not implement.
    #[error("unknown function: {0}")]
    UnknownFunction(String),
    /// Any other evaluation-time error (bad argument values, wrong types, unsupported
    /// expression forms), carrying Prometheus' message.
    #[error("{0}")]
    Invalid(String),
}

/// The series of a [`EvalError::ManyToMany`], boxed: errors travel through every level of
/// the evaluator's recursion, so a small error keeps its stack frames small.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateSeries {
    pub group: String,
    pub side: &'static str,
    pub a: String,
    pub b: String,
}

impl EvalError {
    pub(crate) fn invalid(msg: impl Into<String>) -> EvalError {
        EvalError::Invalid(msg.into())
    }

    /// True when the query hit one of the engine's limits (`max_samples`, the timeout): it is
    /// neither bad input nor a failure, and a larger limit would answer it.
    pub fn is_limit(&self) -> bool {
        matches!(self, EvalError::TooManySamples | EvalError::Timeout)
    }
}

impl From<StoreError> for EvalError {
    fn from(e: StoreError) -> EvalError {
        EvalError::Storage(Arc::new(e))
    }
}
