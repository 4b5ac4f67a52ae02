//! Durations and points in time, as written on the command line and in queries.
//!
//! Durations use Prometheus' syntax: one or more `<integer><unit>` groups with units `y`, `w`,
//! `d`, `h`, `m`, `s`, `ms`, from largest to smallest (`1h30m`, `90s`, `2w`). Points in time are
//! RFC 3339 (`2024-01-02T03:04:05Z`), Unix seconds with an optional fraction (`1700000000.5`),
//! `now`, or `now` plus or minus a duration (`now-1h`). A bare duration such as `1h` given where
//! a time is expected means "that long ago". Everything is milliseconds (`i64`).

use std::fmt;

pub const MS_PER_SECOND: i64 = 1000;
pub const MS_PER_MINUTE: i64 = 60 * MS_PER_SECOND;
pub const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
pub const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;
pub const MS_PER_WEEK: i64 = 7 * MS_PER_DAY;
pub const MS_PER_YEAR: i64 = 365 * MS_PER_DAY;

/// Why a duration or time could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error(
        "invalid duration {0:?}: expected groups like 90s, 5m, 1h30m (units ms, s, m, h, d, w, y)"
    )]
    Duration(String),
    #[error("invalid time {0:?}: expected RFC 3339 (2024-01-02T15:04:05Z), Unix seconds, now, now-1h or a duration ago (1h)")]
    Time(String),
}

fn unit_ms(unit: &str) -> Option<i64> {
    Some(match unit {
        "ms" => 1,
        "s" => MS_PER_SECOND,
        "m" => MS_PER_MINUTE,
        "h" => MS_PER_HOUR,
        "d" => MS_PER_DAY,
        "w" => MS_PER_WEEK,
        "y" => MS_PER_YEAR,
        _ => return None,
    })
}

/// Rank of a unit, so that groups must come from largest to smallest.
fn unit_rank(unit: &str) -> u8 {
    match unit {
        "y" => 7,
        "w" => 6,
        "d" => 5,
        "h" => 4,
        "m" => 3,
        "s" => 2,
        _ => 1,
    }
}

/// Reads the longest Prometheus duration at the start of `s`. Returns the milliseconds and the
/// number of bytes consumed, or `None` when `s` does not start with a duration. The PromQL and
/// LogQL lexers use this so that all three languages agree on what a duration is.
pub fn duration_prefix(s: &str) -> Option<(i64, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut total: i64 = 0;
    let mut last_rank = u8::MAX;
    loop {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            break;
        }
        let digits = &s[start..i];
        let unit = if b.get(i) == Some(&b'm') && b.get(i + 1) == Some(&b's') {
            "ms"
        } else {
            match b.get(i) {
                Some(b'y' | b'w' | b'd' | b'h' | b'm' | b's') => &s[i..i + 1],
                _ => {
                    i = start;
                    break;
                }
            }
        };
        let rank = unit_rank(unit);
        if rank >= last_rank {
            i = start;
            break;
        }
        last_rank = rank;
        let n: i64 = digits.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit_ms(unit)?)?)?;
        i += unit.len();
    }
    if i == 0 {
        None
    } else {
        Some((total, i))
    }
}

/// Parses a whole string as a duration (`1h30m`). Also accepts plain seconds with an optional
/// fraction (`90`, `1.5`), as Prometheus' HTTP API does for `step`.
pub fn parse_duration(s: &str) -> Result<i64, TimeError> {
    let t = s.trim();
    if let Some((ms, n)) = duration_prefix(t) {
        if n == t.len() {
            return Ok(ms);
        }
    }
    if let Ok(secs) = t.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Ok((secs * 1000.0).round() as i64);
        }
    }
    Err(TimeError::Duration(s.to_string()))
}

/// Formats milliseconds the way Prometheus prints durations (`1h30m`, `500ms`, `0s`).
pub fn format_duration(ms: i64) -> String {
    if ms == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    let mut rest = ms;
    if rest < 0 {
        out.push('-');
        rest = -rest;
    }
    for (unit, size) in [
        ("y", MS_PER_YEAR),
        ("w", MS_PER_WEEK),
        ("d", MS_PER_DAY),
        ("h", MS_PER_HOUR),
        ("m", MS_PER_MINUTE),
        ("s", MS_PER_SECOND),
        ("ms", 1),
    ] {
        if rest >= size {
            out.push_str(&(rest / size).to_string());
            out.push_str(unit);
            rest %= size;
        }
    }
    out
}

/// Wall-clock now in milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Wall-clock now in nanoseconds (the unit of log entry times).
pub fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

/// Parses a point in time relative to `now` (milliseconds).
pub fn parse_time(s: &str, now: i64) -> Result<i64, TimeError> {
    let t = s.trim();
    let err = || TimeError::Time(s.to_string());
    if t == "now" {
        return Ok(now);
    }
    if let Some(rest) = t.strip_prefix("now") {
        let (sign, d) = match rest.as_bytes().first() {
            Some(b'-') => (-1, &rest[1..]),
            Some(b'+') => (1, &rest[1..]),
            _ => return Err(err()),
        };
        let ms = parse_duration(d).map_err(|_| err())?;
        return Ok(now + sign * ms);
    }
    if let Ok(secs) = t.parse::<f64>() {
        if secs.is_finite() {
            return Ok((secs * 1000.0).round() as i64);
        }
    }
    if let Some((ms, n)) = duration_prefix(t) {
        if n == t.len() {
            return Ok(now - ms);
        }
    }
    chrono::DateTime::parse_from_rfc3339(t)
        .map(|d| d.timestamp_millis())
        .map_err(|_| err())
}

/// Formats milliseconds as RFC 3339 in UTC with millisecond precision when needed.
pub fn format_rfc3339(ms: i64) -> String {
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(d) if ms % 1000 == 0 => d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some(d) => d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => ms.to_string(),
    }
}

/// Milliseconds as Unix seconds the way Prometheus' API prints them (`1700000000.123`).
pub struct UnixSeconds(pub i64);

impl fmt::Display for UnixSeconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0;
        let secs = ms.div_euclid(1000);
        let frac = ms.rem_euclid(1000);
        match frac {
            0 => write!(f, "{secs}"),
            _ if frac % 100 == 0 => write!(f, "{secs}.{}", frac / 100),
            _ if frac % 10 == 0 => write!(f, "{secs}.{:02}", frac / 10),
            _ => write!(f, "{secs}.{frac:03}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h30m").unwrap(), 90 * MS_PER_MINUTE);
        assert_eq!(parse_duration("500ms").unwrap(), 500);
        assert_eq!(parse_duration("1.5").unwrap(), 1500);
        assert!(parse_duration("30m1h").is_err());
        assert!(parse_duration("abc").is_err());
        assert_eq!(duration_prefix("5m]"), Some((5 * MS_PER_MINUTE, 2)));
        assert_eq!(duration_prefix("5mx"), Some((5 * MS_PER_MINUTE, 2)));
        assert_eq!(duration_prefix("x"), None);
        assert_eq!(format_duration(90 * MS_PER_MINUTE), "1h30m");
        assert_eq!(format_duration(1500), "1s500ms");
    }

    #[test]
    fn times() {
        let now = 1_700_000_000_000;
        assert_eq!(parse_time("now", now).unwrap(), now);
        assert_eq!(parse_time("now-1h", now).unwrap(), now - MS_PER_HOUR);
        assert_eq!(parse_time("1h", now).unwrap(), now - MS_PER_HOUR);
        assert_eq!(parse_time("1700000000.5", now).unwrap(), 1_700_000_000_500);
        assert_eq!(parse_time("2023-11-14T22:13:20Z", now).unwrap(), now);
        assert!(parse_time("yesterday", now).is_err());
        assert_eq!(format_rfc3339(now), "2023-11-14T22:13:20Z");
        assert_eq!(UnixSeconds(1_700_000_000_120).to_string(), "1700000000.12");
    }
}
