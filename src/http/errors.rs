//! The one place where failures become HTTP answers: Prometheus' JSON error envelope with its
//! `errorType`, Loki's plain-text bodies, and the status codes clients branch on.
//!
//! Clients retry by status class: remote_write senders and log shippers retry 5xx and 429 and
//! drop other 4xx; promtool decodes the JSON body only for 400 and 422. So the kind of a
//! failure decides the status, and the message says what was wrong with which input.

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
