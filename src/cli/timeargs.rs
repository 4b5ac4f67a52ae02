//! The time flags shared by `query` and `export`, resolved in one place so that `--since`,
//! `--from`, `--to`, `--time` and `--step` mean the same everywhere.

use super::exit::CliError;
use crate::model::time::{parse_duration, parse_time};
use clap::Args;

/// `--from/--to/--since` for commands that work on a time range.
#[derive(Args, Debug, Clone, Default)]
pub struct RangeArgs {
    /// Start of the range: RFC 3339, Unix seconds, `now-1h`, or a duration ago (`2h`).
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// End of the range (default: now). Same syntax as --from.
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// Shorthand for `--from now-DURATION` (for example `--since 1h`).
    #[arg(long, value_name = "DURATION", conflicts_with = "from")]
    pub since: Option<String>,
}

/// A resolved `[from, to]` in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub from: i64,
    pub to: i64,
}

impl RangeArgs {
    /// True when the user asked for a range at all.
    pub fn is_set(&self) -> bool {
        self.from.is_some() || self.to.is_some() || self.since.is_some()
    }

    /// Resolves against `now`; `default_from` applies when neither --from nor --since is given.
    pub fn resolve(&self, now: i64, default_from: i64) -> Result<TimeRange, CliError> {
        let to = match &self.to {
            Some(s) => parse_time(s, now).map_err(|e| CliError::usage(format!("--to: {e}")))?,
            None => now,
        };
        let from = match (&self.from, &self.since) {
            (Some(s), _) => {
                parse_time(s, now).map_err(|e| CliError::usage(format!("--from: {e}")))?
            }
            (None, Some(d)) => {
                now - parse_duration(d).map_err(|e| CliError::usage(format!("--since: {e}")))?
            }
            (None, None) => default_from,
        };
        if from > to {
            return Err(CliError::usage(format!(
                "the range starts after it ends (--from {} is later than --to {})",
                crate::model::time::format_rfc3339(from),
                crate::model::time::format_rfc3339(to)
            )));
        }
        Ok(TimeRange { from, to })
    }
}

/// The step used when a range query gives none: about 250 points, at least one second, in
/// whole seconds (Grafana picks a similar density for a full-width panel).
pub fn default_step(range: TimeRange) -> i64 {
    let raw = (range.to - range.from) / 250;
    (raw.max(1000) + 999) / 1000 * 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_and_defaults() {
        let now = 10_000_000;
        let a = RangeArgs {
            since: Some("1h".into()),
            ..Default::default()
        };
        assert_eq!(
            a.resolve(now, 0).unwrap(),
            TimeRange {
                from: now - 3_600_000,
                to: now
            }
        );
        let b = RangeArgs {
            from: Some("now".into()),
            to: Some("now-1h".into()),
            ..Default::default()
        };
        assert!(b.resolve(now, 0).is_err());
        assert_eq!(
            default_step(TimeRange {
                from: 0,
                to: 3_600_000
            }),
            15_000
        );
        assert_eq!(default_step(TimeRange { from: 0, to: 10 }), 1000);
    }
}
