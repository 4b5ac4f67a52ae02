//! The time flags shared by `query` and `export`, resolved in one place so that `--since`,
//! `--from`, `--to`, `--time` and `--step` mean the same everywhere.
//!
//! A time on the command line is RFC 3339, `now`, `now-1h`, `-1h` or `1h` (that long ago), or a
//! Unix time whose unit follows from its size, as `argus ingest logs` reads them: seconds
//! below 10^11, milliseconds below 10^14, microseconds below 10^17, nanoseconds above (a
//! fraction is always seconds). Every date after March 1973 is read right in any unit, so a
//! time copied from a log line or `date +%s%3N` means what it says.

use super::exit::CliError;
use crate::model::time::{parse_duration, parse_time};
use clap::Args;

/// `--from/--to/--since` for commands that work on a time range. They take values that start
/// with `-` (`--from -1h`): a time flag's value is never another flag.
#[derive(Args, Debug, Clone, Default)]
pub struct RangeArgs {
    /// Start of the range: RFC 3339, Unix time (s, ms, µs or ns, told by its size), `now-1h`,
    /// or a duration ago (`2h`, `-2h`).
    #[arg(
        long,
        visible_alias = "start",
        value_name = "TIME",
        allow_hyphen_values = true
    )]
    pub from: Option<String>,
    /// End of the range (default: now). Same syntax as --from.
    #[arg(
        long,
        visible_alias = "end",
        value_name = "TIME",
        allow_hyphen_values = true
    )]
    pub to: Option<String>,
    /// Shorthand for `--from now-DURATION` (for example `--since 1h`).
    #[arg(
        long,
        value_name = "DURATION",
        conflicts_with = "from",
        allow_hyphen_values = true
    )]
    pub since: Option<String>,
}

/// Reads the value of time flag `flag` (`--time`, `--from`, ...) relative to `now` (all
/// milliseconds). Errors are usage errors naming the flag and the value.
pub fn parse_time_flag(flag: &str, value: &str, now: i64) -> Result<i64, CliError> {
    let t = value.trim();
    let ms = if let Some(ms) = unix_time_by_size(t) {
        Some(ms)
    } else if let Some(ago) = t.strip_prefix('-').filter(|d| starts_with_duration(d)) {
        // `-1h`: an hour ago, as `now-1h`.
        parse_duration(ago).ok().map(|d| now - d)
    } else {
        parse_time(t, now).ok()
    };
    let ms = ms.ok_or_else(|| {
        CliError::usage(format!(
            "{flag}: invalid time {value:?}: expected RFC 3339 (2024-01-02T15:04:05Z), a Unix \
             time in s, ms, µs or ns, now, now-1h, or a duration ago (1h or -1h)"
        ))
    })?;
    crate::model::limits::check_sample_time(ms)
        .map_err(|e| CliError::usage(format!("{flag} {value}: {e}")))?;
    Ok(ms)
}

/// An integer Unix time in the unit its size says, as milliseconds: seconds below 10^11,
/// milliseconds below 10^14, microseconds below 10^17, nanoseconds above. `None` for anything
/// that is not a plain integer (fractions are seconds, read by `parse_time`).
fn unix_time_by_size(t: &str) -> Option<i64> {
    let digits = t.strip_prefix('-').unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = t.parse().ok()?;
    let size = n.unsigned_abs();
    Some(if size < 100_000_000_000 {
        n.checked_mul(1000)?
    } else if size < 100_000_000_000_000 {
        n
    } else if size < 100_000_000_000_000_000 {
        n / 1000
    } else {
        n / 1_000_000
    })
}

/// True when `s` starts with a duration's digits and unit (`1h`, `90s`), not a bare number.
fn starts_with_duration(s: &str) -> bool {
    crate::model::time::duration_prefix(s).is_some()
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
            Some(s) => parse_time_flag("--to", s, now)?,
            None => now,
        };
        let from = match (&self.from, &self.since) {
            (Some(s), _) => parse_time_flag("--from", s, now)?,
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

    #[test]
    fn unix_times_are_read_in_the_unit_their_size_says() {
        let now = 1_800_000_000_000;
        let t = |s: &str| parse_time_flag("--time", s, now).unwrap();
        for s in [
            "1700000000",
            "1700000000000",
            "1700000000000000",
            "1700000000000000000",
            "1700000000.000",
            "2023-11-14T22:13:20Z",
        ] {
            assert_eq!(t(s), 1_700_000_000_000, "{s}");
        }
        // The thresholds: 10^11 s would be the year 5138; 10^11 ms is 1973.
        assert_eq!(t("99999999999"), 99_999_999_999_000);
        assert_eq!(t("100000000000"), 100_000_000_000);
        assert_eq!(t("-60"), -60_000);
        assert_eq!(t("-1h"), now - 3_600_000);
        assert_eq!(t("now-1h"), now - 3_600_000);
        assert_eq!(t("1h"), now - 3_600_000);
        let e = parse_time_flag("--from", "yesterday", now).unwrap_err();
        assert!(
            e.message.starts_with("--from: invalid time \"yesterday\""),
            "{e}"
        );
        assert!(parse_time_flag("--to", "-1x", now).is_err());
    }
}
