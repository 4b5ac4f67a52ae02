//! The one place where failures become HTTP answers: Prometheus' JSON error envelope with its
//! `errorType`, Loki's plain-text bodies, and the status codes clients branch on.
//!
//! Clients retry by status class: remote_write senders and log shippers retry 5xx and 429 and
//! drop other 4xx; promtool decodes the JSON body only for 400 and 422. So the kind of a
//! failure decides the status, and the message says what was wrong with which input.
//!
//! Every error type a handler meets converts here (`From`), so handlers use `?`:
//!
//! | error | kind | Prometheus API | Loki API |
//! |---|---|---|---|
//! | a bad parameter, an unparsable query, a LogQL pipeline that cannot run, a push the store refuses | bad data | 400 `bad_data` | 400 |
//! | PromQL evaluation failed: too many samples (`--max-samples`), many-to-many matching, a bad argument (also inside a LogQL metric query) | execution | 422 `execution` | 422 |
//! | the query ran past `--query-timeout` or its `timeout` | timeout | 503 `timeout` | 504 |
//! | the store failed (I/O), or is damaged: the message then says to run `argus store check` and `argus store repair` | internal | 500 `internal` | 500 |
//! | too many queries waiting, the server shutting down | unavailable | 503 `unavailable` | 503 |
//!
//! Prometheus also answers 499 `canceled` for a query its client cancelled; argus never does:
//! a client that goes away gets no answer at all. Loki has no "execution" class (it answers
//! 400 for the limits it has and 500 for the rest); argus answers a PromQL evaluation error
//! inside a LogQL metric query with the same 422 as on Prometheus' API, since the query is
//! valid and the client should not retry it unchanged.

use super::committer::CommitError;
use crate::logql::eval_logs::LogEvalError;
use crate::logql::eval_metric::MetricEvalError;
use crate::promql::engine::EvalError;
use crate::store::error::DAMAGE_ADVICE;
use crate::store::StoreError;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// What kind of failure, in Prometheus' terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A missing or invalid parameter, an unparsable query, a malformed push (400).
    BadData,
    /// The query failed while evaluating (422).
    Execution,
    /// The query ran out of time (503).
    Timeout,
    /// The store failed (500).
    Internal,
    /// No such endpoint or object (404).
    NotFound,
    /// A body over a size limit (413).
    TooLarge,
    /// A content type or encoding the server does not read (415).
    Unsupported,
    /// Missing or wrong credentials (401).
    Unauthorized,
    /// The server is shutting down or not ready (503).
    Unavailable,
}

impl ErrorKind {
    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::BadData => StatusCode::BAD_REQUEST,
            ErrorKind::Execution => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::Timeout | ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::Unsupported => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        }
    }

    /// Prometheus' `errorType` for this kind.
    pub fn error_type(self) -> &'static str {
        match self {
            ErrorKind::BadData | ErrorKind::TooLarge | ErrorKind::Unsupported => "bad_data",
            ErrorKind::Execution => "execution",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Internal | ErrorKind::Unauthorized => "internal",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Unavailable => "unavailable",
        }
    }
}

/// A failed request: its kind and a message for the client.
#[derive(Clone, Debug)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            message: message.into(),
        }
    }

    pub fn bad_data(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::BadData, message)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::Internal, message)
    }

    /// A store error reported by `message`: damage is a 500 that says how to repair it, data
    /// the store refused is the client's (400), anything else the server's (500).
    fn of_store(e: &StoreError, message: String) -> ApiError {
        match e {
            StoreError::Damaged { .. } => ApiError::internal(format!("{message}; {DAMAGE_ADVICE}")),
            StoreError::Rejected(_) => ApiError::bad_data(message),
            _ => ApiError::internal(message),
        }
    }

    /// The answer in Prometheus' envelope.
    pub fn prometheus(self) -> Response {
        let body = serde_json::json!({
            "status": "error",
            "errorType": self.kind.error_type(),
            "error": self.message,
        });
        (
            self.kind.status(),
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    }

    /// The answer as Loki gives it: the message as plain text (and 504 for a timeout, as
    /// Loki answers a deadline).
    pub fn plain(self) -> Response {
        let status = match self.kind {
            ErrorKind::Timeout => StatusCode::GATEWAY_TIMEOUT,
            other => other.status(),
        };
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{}\n", self.message),
        )
            .into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let message = e.to_string();
        ApiError::of_store(&e, message)
    }
}

/// PromQL evaluation, as Prometheus' API answers it: a timeout is `timeout`, the store's
/// errors are the store's, every other evaluation error is `execution`.
impl From<EvalError> for ApiError {
    fn from(e: EvalError) -> ApiError {
        match &e {
            EvalError::Timeout => ApiError::new(ErrorKind::Timeout, e.to_string()),
            EvalError::Storage(s) => ApiError::of_store(s, e.to_string()),
            _ => ApiError::new(ErrorKind::Execution, e.to_string()),
        }
    }
}

/// LogQL metric queries: the PromQL engine's errors map as on Prometheus' API (with Loki's
/// wording), the store's as the store's, a bug is internal, the rest is a bad query.
impl From<MetricEvalError> for ApiError {
    fn from(e: MetricEvalError) -> ApiError {
        match &e {
            MetricEvalError::Storage(s) => ApiError::of_store(s, e.to_string()),
            MetricEvalError::Promql(p) => ApiError {
                message: e.to_string(),
                ..ApiError::from(p.clone())
            },
            MetricEvalError::Internal(_) => ApiError::internal(e.to_string()),
            _ => ApiError::bad_data(e.to_string()),
        }
    }
}

/// LogQL log queries: the store's errors as the store's, a pipeline that cannot run is a bad
/// query.
impl From<LogEvalError> for ApiError {
    fn from(e: LogEvalError) -> ApiError {
        match &e {
            LogEvalError::Storage(s) => ApiError::of_store(s, e.to_string()),
            LogEvalError::Pipeline(_) => ApiError::bad_data(e.to_string()),
        }
    }
}

/// A push that could not be committed: the server stopping is `unavailable` (senders retry
/// elsewhere or later), the store's errors are the store's.
impl From<CommitError> for ApiError {
    fn from(e: CommitError) -> ApiError {
        match &e {
            CommitError::ShuttingDown => ApiError::new(ErrorKind::Unavailable, e.to_string()),
            CommitError::Stopped => ApiError::internal(e.to_string()),
            CommitError::Store { source, .. } => ApiError::of_store(source, e.to_string()),
        }
    }
}

/// A Prometheus API handler's error: answers in Prometheus' JSON envelope.
pub struct PromError(pub ApiError);

impl From<ApiError> for PromError {
    fn from(e: ApiError) -> PromError {
        PromError(e)
    }
}

impl IntoResponse for PromError {
    fn into_response(self) -> Response {
        self.0.prometheus()
    }
}

/// A Loki API or push handler's error: answers in plain text.
pub struct PlainError(pub ApiError);

impl From<ApiError> for PlainError {
    fn from(e: ApiError) -> PlainError {
        PlainError(e)
    }
}

impl IntoResponse for PlainError {
    fn into_response(self) -> Response {
        self.0.plain()
    }
}

/// The message of a panic's payload (what `panic!` was given), for a 500 that says why.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// The 500 for blocking work (`what`: "the query", "decoding the push") whose task ended
/// without an answer: a panic, named by its message, or a cancelled task.
pub fn task_failed(what: &str, e: tokio::task::JoinError) -> ApiError {
    ApiError::internal(match e.try_into_panic() {
        Ok(payload) => format!(
            "internal error: {what} failed on a bug in argus ({}); the server goes on",
            panic_message(payload.as_ref())
        ),
        Err(other) => format!("{what} did not finish: {other}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn damaged() -> StoreError {
        StoreError::damaged(std::path::Path::new("metrics/parts/1.part"), "bad checksum")
    }

    /// (status, errorType) on Prometheus' API and the status on Loki's.
    fn answers(e: ApiError) -> (u16, &'static str, u16) {
        let prom = e.clone().prometheus().status().as_u16();
        let loki = e.clone().plain().status().as_u16();
        (prom, e.kind.error_type(), loki)
    }

    #[test]
    fn evaluation_errors_map_as_the_table_says() {
        let too_many = ApiError::from(EvalError::TooManySamples);
        assert_eq!(answers(too_many), (422, "execution", 422));
        let timeout = ApiError::from(EvalError::Timeout);
        assert_eq!(answers(timeout), (503, "timeout", 504));
        let e = ApiError::from(EvalError::from(damaged()));
        assert!(e.message.contains("argus store repair"), "{}", e.message);
        assert_eq!(answers(e), (500, "internal", 500));
        // Inside a LogQL metric query the PromQL error keeps its class.
        let e = ApiError::from(MetricEvalError::Promql(EvalError::TooManySamples));
        assert_eq!(answers(e), (422, "execution", 422));
        let e = ApiError::from(MetricEvalError::Promql(EvalError::Timeout));
        assert_eq!(answers(e), (503, "timeout", 504));
        let e = ApiError::from(MetricEvalError::Invalid("bad step".into()));
        assert_eq!(answers(e), (400, "bad_data", 400));
        let e = ApiError::from(LogEvalError::Storage(damaged()));
        assert!(e.message.contains("argus store check"), "{}", e.message);
        assert_eq!(answers(e), (500, "internal", 500));
    }

    #[test]
    fn store_and_commit_errors_map_as_the_table_says() {
        let refused = ApiError::from(StoreError::Rejected("time out of range".into()));
        assert_eq!(answers(refused), (400, "bad_data", 400));
        let e = ApiError::from(CommitError::ShuttingDown);
        assert_eq!(answers(e), (503, "unavailable", 503));
        let e = ApiError::from(CommitError::Store {
            what: "samples",
            source: Arc::new(damaged()),
        });
        assert!(e.message.contains("argus store repair"), "{}", e.message);
        assert_eq!(answers(e), (500, "internal", 500));
    }
}
