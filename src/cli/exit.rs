//! Exit codes: the one place that maps outcomes to the numbers cron and scripts see. Every
//! error type that reaches the command line converts here (`From`), so a subcommand uses `?`
//! and the exit code follows from the error's kind, not from its message.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success (a broken pipe on stdout also counts as success) |
//! | 1 | runtime failure: store I/O, disk full, remote server unreachable or answering an error, no store at the path a reading command was given; a query stopped by an evaluation limit (`--max-samples`, `--timeout`: the message names the flag that raises it) |
//! | 2 | usage error: unknown flag, bad flag value, bad time or duration |
//! | 3 | input rejected: a file, line or query could not be parsed or evaluated; nothing from it was stored |
//! | 4 | partial success: some scrape targets were down, or `--skip-invalid` skipped records |
//! | 5 | the store is damaged: `argus store check` found damage, or a command met it while reading (the message says to run `argus store check` and `argus store repair`) |
//! | 6 | `argus rules eval`: some alert is firing |
//!
//! `argus rules check` and `argus rules test` keep promtool's codes (1 for an invalid file or
//! a failed test, 3 for fatal lint findings), so that CI jobs can swap one for the other.
//!
//! A query over a limit is neither bad input (the query is valid, and answers with a larger
//! limit) nor damage, so it is a runtime failure (1) whose message says which flag raises
//! the limit.

use crate::conformance::ConformanceError;
use crate::ingest::follow::FollowError;
use crate::ingest::logs::LogIngestError;
use crate::logql::eval_logs::LogEvalError;
use crate::logql::eval_metric::MetricEvalError;
use crate::promql::engine::EvalError;
use crate::remote::prometheus::RemoteError;
use crate::store::error::DAMAGE_ADVICE;
use crate::store::StoreError;
use std::fmt;

pub const OK: i32 = 0;
pub const FAILURE: i32 = 1;
pub const USAGE: i32 = 2;
pub const INPUT_REJECTED: i32 = 3;
pub const PARTIAL: i32 = 4;
pub const STORE_DAMAGED: i32 = 5;
/// `argus rules eval`: an alert is firing.
pub const ALERTS_FIRING: i32 = 6;

/// An error on its way to `main`, carrying the exit code it maps to.
#[derive(Debug)]
pub struct CliError {
    pub code: i32,
    pub message: String,
}

impl CliError {
    pub fn new(code: i32, message: impl Into<String>) -> CliError {
        CliError {
            code,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> CliError {
        CliError::new(USAGE, message)
    }

    pub fn input(message: impl Into<String>) -> CliError {
        CliError::new(INPUT_REJECTED, message)
    }

    pub fn failure(message: impl Into<String>) -> CliError {
        CliError::new(FAILURE, message)
    }

    /// A store error met while doing `context` ("cannot read store"): damage exits 5 with
    /// advice, data the store refused 3, a path that is no store and anything else 1.
    pub fn store(context: &str, e: &StoreError) -> CliError {
        match e {
            // The message names the path and says how a store comes to exist.
            StoreError::NotAStore { .. } => CliError::failure(e.to_string()),
            _ => CliError::of_store(e, format!("{context}: {e}")),
        }
    }

    /// The exit code of a store error, with `message` (which reports it) and, for damage,
    /// the advice.
    fn of_store(e: &StoreError, message: String) -> CliError {
        match e {
            StoreError::Damaged { .. } => {
                CliError::new(STORE_DAMAGED, format!("{message}\n  {DAMAGE_ADVICE}"))
            }
            StoreError::Rejected(_) => CliError::input(message),
            _ => CliError::failure(message),
        }
    }

    /// The error of a query the engine stopped at one of its limits: the flag of `argus
    /// query` that raises it (the one command that evaluates queries here).
    fn limit(e: &EvalError, message: String) -> CliError {
        let flag = match e {
            EvalError::Timeout => "--timeout",
            _ => "--max-samples",
        };
        CliError::failure(format!("{message} ({flag} raises the limit)"))
    }
}

/// The store's errors standing alone: their messages name the file and the operation.
impl From<StoreError> for CliError {
    fn from(e: StoreError) -> CliError {
        let message = e.to_string();
        CliError::of_store(&e, message)
    }
}

/// PromQL evaluation: a limit is a failure naming its flag, the store's errors map as the
/// store's, anything else is a query that cannot be evaluated (3).
impl From<EvalError> for CliError {
    fn from(e: EvalError) -> CliError {
        match &e {
            EvalError::Storage(s) => CliError::store("cannot evaluate query", s),
            _ if e.is_limit() => CliError::limit(&e, format!("cannot evaluate query: {e}")),
            _ => CliError::input(format!("cannot evaluate query: {e}")),
        }
    }
}

/// LogQL metric queries: as PromQL for the engine above the leaves (in Loki's words), the
/// store's errors as the store's, a bug 1, anything else 3.
impl From<MetricEvalError> for CliError {
    fn from(e: MetricEvalError) -> CliError {
        match &e {
            MetricEvalError::Storage(s) => CliError::store("cannot evaluate query", s),
            MetricEvalError::Promql(EvalError::Storage(s)) => {
                CliError::store("cannot evaluate query", s)
            }
            MetricEvalError::Promql(p) if p.is_limit() => {
                CliError::limit(p, format!("cannot evaluate query: {e}"))
            }
            MetricEvalError::Internal(_) => {
                CliError::failure(format!("cannot evaluate query: {e}"))
            }
            _ => CliError::input(format!("cannot evaluate query: {e}")),
        }
    }
}

/// LogQL log queries: the store's errors as the store's, a pipeline that cannot run 3.
impl From<LogEvalError> for CliError {
    fn from(e: LogEvalError) -> CliError {
        match &e {
            LogEvalError::Storage(s) => CliError::store("cannot evaluate query", s),
            LogEvalError::Pipeline(_) => CliError::input(format!("cannot evaluate query: {e}")),
        }
    }
}

/// Log ingestion stopped by its lines: a missing `--label` is a usage error, the store's
/// errors map as the store's (a refused line is rejected input), anything else 3.
impl From<LogIngestError> for CliError {
    fn from(e: LogIngestError) -> CliError {
        match &e {
            LogIngestError::NoLabels(m) => CliError::usage(m.clone()),
            LogIngestError::Sink { source, .. } => CliError::of_store(source, e.to_string()),
            _ => CliError::input(e.to_string()),
        }
    }
}

/// Ingestion of growing inputs: as its parts say.
impl From<FollowError> for CliError {
    fn from(e: FollowError) -> CliError {
        match e {
            FollowError::Usage(m) => CliError::usage(m),
            FollowError::Input(m) => CliError::input(m),
            FollowError::Lines(e) => e.into(),
            FollowError::Commit(s) => CliError::store("cannot store the lines", &s),
            FollowError::Positions(m) => CliError::failure(m),
        }
    }
}

/// A remote server: a query it rejected as bad is rejected input (3); unreachable, failing or
/// answering nonsense is a runtime failure (1).
impl From<RemoteError> for CliError {
    fn from(e: RemoteError) -> CliError {
        match e {
            RemoteError::BadQuery { .. } => CliError::input(e.to_string()),
            _ => CliError::failure(e.to_string()),
        }
    }
}

impl From<ConformanceError> for CliError {
    /// A path or baseline the user named that is wrong is a usage error; a directory that
    /// cannot be listed, a baseline that cannot be written, a scratch store that cannot be
    /// made are failures.
    fn from(e: ConformanceError) -> CliError {
        if e.is_usage() {
            CliError::usage(e.to_string())
        } else {
            CliError::failure(e.to_string())
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> CliError {
        CliError::failure(e.to_string())
    }
}

/// What a subcommand returns: an exit code on success paths that are not plain 0 (partial
/// results), or an error.
pub type CliResult = Result<i32, CliError>;

/// True when an error chain ends in a broken pipe: the reader went away (`| head`), which is
/// not a failure of ours. Writers that wrap the write's error in their own (serde_json, csv)
/// and hand it back inside `io::Error::other` hide the kind, so the chain is searched.
pub fn is_broken_pipe(e: &std::io::Error) -> bool {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return true;
    }
    let mut next: Option<&(dyn std::error::Error + 'static)> = match e.get_ref() {
        Some(inner) => Some(inner),
        None => None,
    };
    while let Some(err) = next {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return is_broken_pipe(io);
        }
        if let Some(json) = err.downcast_ref::<serde_json::Error>() {
            return json.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe);
        }
        if let Some(csv::ErrorKind::Io(io)) = err.downcast_ref::<csv::Error>().map(|c| c.kind()) {
            return is_broken_pipe(io);
        }
        next = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Error, ErrorKind};

    fn damaged() -> StoreError {
        StoreError::damaged(std::path::Path::new("logs/parts/1.part"), "bad checksum")
    }

    #[test]
    fn evaluation_errors_map_as_the_table_says() {
        let e = CliError::from(EvalError::TooManySamples);
        assert_eq!(e.code, FAILURE);
        assert!(
            e.message.contains("--max-samples raises the limit"),
            "{}",
            e.message
        );
        let e = CliError::from(EvalError::Timeout);
        assert_eq!(e.code, FAILURE);
        assert!(
            e.message.contains("--timeout raises the limit"),
            "{}",
            e.message
        );
        let e = CliError::from(EvalError::invalid("bad argument"));
        assert_eq!(e.code, INPUT_REJECTED);
        let e = CliError::from(EvalError::from(damaged()));
        assert_eq!(e.code, STORE_DAMAGED);
        assert!(e.message.contains(DAMAGE_ADVICE), "{}", e.message);
        // Inside a LogQL metric query a PromQL limit is still a limit, not bad input.
        let e = CliError::from(MetricEvalError::Promql(EvalError::TooManySamples));
        assert_eq!(e.code, FAILURE);
        assert!(e.message.contains("--max-samples"), "{}", e.message);
        let e = CliError::from(MetricEvalError::Storage(damaged()));
        assert_eq!(e.code, STORE_DAMAGED);
        let e = CliError::from(LogEvalError::Storage(damaged()));
        assert_eq!(e.code, STORE_DAMAGED);
        assert!(e.message.contains(DAMAGE_ADVICE), "{}", e.message);
    }

    #[test]
    fn store_errors_map_as_the_table_says() {
        assert_eq!(CliError::from(damaged()).code, STORE_DAMAGED);
        let refused = StoreError::Rejected("time out of range".into());
        assert_eq!(CliError::from(refused).code, INPUT_REJECTED);
        let io = StoreError::io(
            "write",
            std::path::Path::new("tmp/x"),
            Error::from(ErrorKind::StorageFull),
        );
        assert_eq!(CliError::from(io).code, FAILURE);
        let line = LogIngestError::Sink {
            at: "<stdin>:3".into(),
            source: StoreError::Rejected("time out of range".into()),
        };
        assert_eq!(CliError::from(line).code, INPUT_REJECTED);
    }

    #[test]
    fn a_broken_pipe_is_found_inside_the_errors_that_wrap_it() {
        let pipe = || Error::from(ErrorKind::BrokenPipe);
        assert!(is_broken_pipe(&pipe()));
        assert!(is_broken_pipe(&Error::other(serde_json::Error::io(pipe()))));
        assert!(is_broken_pipe(&Error::other(Error::other(pipe()))));
        assert!(!is_broken_pipe(&Error::other(serde_json::Error::io(
            Error::from(ErrorKind::WriteZero)
        ))));
        assert!(!is_broken_pipe(&Error::other("disk on fire")));
    }
}
