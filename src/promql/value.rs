//! The values a PromQL query produces, shared by the engine (which makes them), the CLI
//! printers and the HTTP API (which render them), and the remote client (which parses them
//! from a Prometheus-compatible server's JSON).

use crate::model::{Labels, Series};

/// One element of an instant vector.
#[derive(Clone, Debug, PartialEq)]
pub struct InstantSample {
    pub labels: Labels,
    /// Milliseconds since the epoch.
    pub t: i64,
    pub v: f64,
}

/// The result of evaluating an expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Scalar {
        t: i64,
        v: f64,
    },
    String {
        t: i64,
        v: String,
    },
    Vector(Vec<InstantSample>),
    /// Series with their samples; the result of a range query or a range-vector expression.
    Matrix(Vec<Series>),
}

impl Value {
    /// The `resultType` name used by Prometheus' HTTP API.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Scalar { .. } => "scalar",
            Value::String { .. } => "string",
            Value::Vector(_) => "vector",
            Value::Matrix(_) => "matrix",
        }
    }
}
