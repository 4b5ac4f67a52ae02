//! Exit codes: the one place that maps outcomes to the numbers cron and scripts see.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success (a broken pipe on stdout also counts as success) |
//! | 1 | runtime failure: store I/O, disk full, remote server unreachable or answering an error, no store at the path a reading command was given |
//! | 2 | usage error: unknown flag, bad flag value, bad time or duration |
//! | 3 | input rejected: a file, line or query could not be parsed or evaluated; nothing from it was stored |
//! | 4 | partial success: some scrape targets were down, or `--skip-invalid` skipped records |
//! | 5 | the store is damaged: `argus store check` found damage, or a command met it while reading (`argus store repair` sets it aside) |

use crate::store::StoreError;
use std::fmt;

pub const OK: i32 = 0;
pub const FAILURE: i32 = 1;
pub const USAGE: i32 = 2;
pub const INPUT_REJECTED: i32 = 3;
pub const PARTIAL: i32 = 4;
pub const STORE_DAMAGED: i32 = 5;

/// What to do about damage: added to every error that reports it.
pub const DAMAGE_ADVICE: &str = "the store is damaged: `argus store check` lists the damage, \
`argus store repair` sets the damaged parts aside and keeps everything that still reads";

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
            StoreError::Damaged { .. } => {
                CliError::new(STORE_DAMAGED, format!("{context}: {e}")).recognise_damage()
            }
            StoreError::Rejected(_) => CliError::input(format!("{context}: {e}")),
            // The message names the path and says how a store comes to exist.
            StoreError::NotAStore { .. } => CliError::failure(e.to_string()),
            _ => CliError::failure(format!("{context}: {e}")),
        }
    }

    /// Gives an error caused by damage in the store exit code 5 and the advice, whichever
    /// layer turned the store's error into text on the way (the query engines' seams carry
    /// messages only; see `store::error::mentions_damage`).
    pub fn recognise_damage(mut self) -> CliError {
        if self.code != STORE_DAMAGED && crate::store::error::mentions_damage(&self.message) {
            self.code = STORE_DAMAGED;
        }
        if self.code == STORE_DAMAGED && !self.message.contains(DAMAGE_ADVICE) {
            self.message = format!("{}\n  {DAMAGE_ADVICE}", self.message);
        }
        self
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

impl From<crate::conformance::ConformanceError> for CliError {
    /// A path or baseline the user named that is wrong is a usage error; a directory that
    /// cannot be listed, a baseline that cannot be written, a scratch store that cannot be
    /// made are failures.
    fn from(e: crate::conformance::ConformanceError) -> CliError {
        if e.is_usage() {
            CliError::usage(e.to_string())
        } else {
            CliError::failure(e.to_string())
        }
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
