//! The time of a log line: read in the notation the user names (`--time-field`,
//! `--time-format`), or found in the line by `auto`, the default.
//!
//! `auto` looks, in this order, for
//! 1. an RFC 3339 time at the very start of the line (`2026-12-07T12:39:43.5Z ...`, also with a
//!    space instead of the `T`; a zone, `Z` or `±hh:mm`, is required), as `kubectl logs
//!    --timestamps`, Docker and CRI log files write it;
//! 2. the first field named `ts`, `time`, `timestamp`, `@timestamp` or `__REALTIME_TIMESTAMP`
//!    (journald) of a JSON or logfmt line that holds an RFC 3339 time or a Unix time in s, ms,
//!    µs or ns (told apart by size) between the years 2000 and 2100;
//! 3. the `[10/Oct/2000:13:55:36 -0700]` of the Apache/nginx common log format.
//!
//! A line with none of these takes its time of arrival, without complaint: `auto` guesses, and
//! a guess that finds nothing is not the line's fault. The window on Unix numbers keeps a
//! `time=0.003` (a duration) from filing a line in 1970. A time that is found but lies outside
//! what the store holds (`check_log_time`) is reported.
//!
//! This file does not read fields itself (`fields.rs` does) or decide what happens to a line
//! whose time is bad (`logs.rs` does).

use super::fields::each_field;
use super::logs::LineFormat;
use crate::expo::quoted;
use crate::model::limits::check_log_time;

/// How to read a timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeFormat {
    /// Find the time in the line (see the module documentation); in a field named by
    /// `--time-field`, RFC 3339 or a Unix time whose unit follows from its size.
    Auto,
    /// Every line takes its time of arrival.
    Arrival,
    Rfc3339,
    UnixSeconds,
    UnixMillis,
    UnixNanos,
    /// Apache/nginx common log format: `[10/Oct/2000:13:55:36 -0700]`.
    Common,
}

/// The fields `auto` takes a time from, in JSON and logfmt lines.
pub const AUTO_TIME_FIELDS: [&str; 5] = [
    "ts",
    "time",
    "timestamp",
    "@timestamp",
    "__REALTIME_TIMESTAMP",
];

/// The Unix times `auto` believes, in nanoseconds: 2000-01-01 to 2100-01-01.
const PLAUSIBLE_NS: std::ops::Range<i128> = 946_684_800_000_000_000..4_102_444_800_000_000_000;

const NS_PER_S: i128 = 1_000_000_000;

/// The time `auto` finds in `line`: `None` when it finds none, an error when it finds one the
/// store cannot hold.
pub fn find_time(line: &str, format: LineFormat) -> Option<Result<i64, String>> {
    if let Some(t) = rfc3339_at_start(line) {
        return Some(t);
    }
    let mut found = None;
    each_field(line, format, &AUTO_TIME_FIELDS, &mut |_, v| {
        found = rfc3339_wide(&v)
            .or_else(|| unix_by_size(&v).filter(|t| PLAUSIBLE_NS.contains(t)))
            .map(|t| in_store_range(t, &v));
        found.is_none()
    });
    if found.is_some() {
        return found;
    }
    common_in_line(line).map(|t| in_store_range(t, line))
}

/// A time value from a field: RFC 3339, or a Unix time in the unit `fmt` names (`Auto`: by
/// the number's size: seconds below 1e11, milliseconds below 1e14, microseconds below 1e17,
/// nanoseconds above). `None` when it is not a time in that notation.
pub fn parse_log_time(v: &str, fmt: TimeFormat) -> Option<Result<i64, String>> {
    let v = v.trim();
    let t = match fmt {
        TimeFormat::Rfc3339 => rfc3339_wide(v),
        TimeFormat::UnixSeconds => scaled_decimal(v, 9),
        TimeFormat::UnixMillis => scaled_decimal(v, 6),
        TimeFormat::UnixNanos => integer(v),
        TimeFormat::Common => parse_common(v),
        TimeFormat::Auto => rfc3339_wide(v).or_else(|| unix_by_size(v)),
        TimeFormat::Arrival => None,
    }?;
    Some(in_store_range(t, v))
}

/// The timestamp at the start of a raw line in the notation `fmt` names: for the common log
/// format the first `[...]`, otherwise the line's first whitespace-separated token.
pub fn time_of_raw_line(line: &str, fmt: TimeFormat) -> Option<Result<i64, String>> {
    match fmt {
        TimeFormat::Common => common_in_line(line).map(|t| in_store_range(t, line)),
        TimeFormat::Auto => find_time(line, LineFormat::Raw),
        _ => parse_log_time(line.split_whitespace().next()?, fmt),
    }
}

/// A parsed time, in nanoseconds that may not fit an `i64`, checked against the store's
/// range for logs; `text` is what it was read from, for the message.
fn in_store_range(t: i128, text: &str) -> Result<i64, String> {
    match i64::try_from(t) {
        Ok(t) => check_log_time(t).map(|()| t),
        Err(_) => Err(format!(
            "time {} is outside the range the store holds for logs (years 1678 to 2261)",
            quoted(text)
        )),
    }
}

/// RFC 3339 at the start of `line`, up to the first blank after the time of day.
fn rfc3339_at_start(line: &str) -> Option<Result<i64, String>> {
    let b = line.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    // A cheap look at `dddd-dd-dd?dd:` before any parsing: most lines fail here.
    if b.len() < 20
        || !(digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10))
        || !matches!(b[10], b'T' | b't' | b' ')
        || !(digits(11..13) && b[13] == b':')
    {
        return None;
    }
    let end = line[11..].find([' ', '\t']).map_or(line.len(), |i| i + 11);
    let token = &line[..end];
    rfc3339_wide(token).map(|t| in_store_range(t, token))
}

/// RFC 3339 (a space between date and time allowed) in nanoseconds, whatever its year.
fn rfc3339_wide(v: &str) -> Option<i128> {
    let d = chrono::DateTime::parse_from_rfc3339(v).ok()?;
    Some(i128::from(d.timestamp()) * NS_PER_S + i128::from(d.timestamp_subsec_nanos()))
}

/// A Unix time whose unit follows from its size: seconds below 1e11, milliseconds below
/// 1e14, microseconds below 1e17, nanoseconds above; a number with a fraction is seconds.
fn unix_by_size(v: &str) -> Option<i128> {
    let Some(i) = integer(v) else {
        return scaled_decimal(v, 9);
    };
    let scale = match i.unsigned_abs() {
        a if a < 100_000_000_000 => NS_PER_S,
        a if a < 100_000_000_000_000 => 1_000_000,
        a if a < 100_000_000_000_000_000 => 1_000,
        _ => 1,
    };
    Some(i.saturating_mul(scale))
}

/// An integer with an optional `-`; one too large for an `i128` saturates (it is far out of
/// range either way, and says so rather than "not a time").
fn integer(v: &str) -> Option<i128> {
    let digits = v.strip_prefix('-').unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(v.parse::<i128>().unwrap_or(if v.starts_with('-') {
        i128::MIN
    } else {
        i128::MAX
    }))
}

/// A decimal number times 10^`digits`, exactly (`1.25` with 9 digits is 1_250_000_000);
/// digits past the scale are cut off.
fn scaled_decimal(v: &str, digits: u32) -> Option<i128> {
    let (neg, v) = match v.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, v),
    };
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let scale = 10i128.pow(digits);
    let mut n = if int.is_empty() { 0 } else { integer(int)? }.saturating_mul(scale);
    let mut place = scale / 10;
    for b in frac.bytes().take(digits as usize) {
        n = n.saturating_add(i128::from(b - b'0') * place);
        place /= 10;
    }
    Some(if neg { -n } else { n })
}

/// The first `[...]` of a line, read as the common log format's time.
fn common_in_line(line: &str) -> Option<i128> {
    let a = line.find('[')?;
    let b = a + line[a..].find(']')?;
    parse_common(&line[a + 1..b])
}

/// `10/Oct/2000:13:55:36 -0700` (brackets optional).
fn parse_common(v: &str) -> Option<i128> {
    // Fixed positions, read directly: a general strftime parser costs more than the rest of
    // ingesting an nginx line.
    let v = v.trim_start_matches('[').trim_end_matches(']').as_bytes();
    if v.len() != 26 || v[2] != b'/' || v[6] != b'/' || v[11] != b':' || v[20] != b' ' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = std::str::from_utf8(v.get(r)?).ok()?;
        s.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let month = MONTHS.iter().position(|m| &v[3..6] == *m)? as u32 + 1;
    let date = chrono::NaiveDate::from_ymd_opt(num(7..11)? as i32, month, num(0..2)?)?;
    let time = date.and_hms_opt(num(12..14)?, num(15..17)?, num(18..20)?)?;
    let sign = match v[21] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let offset = sign * (num(22..24)? as i64 * 3600 + num(24..26)? as i64 * 60);
    let secs = time.and_utc().timestamp() - offset;
    Some(i128::from(secs) * NS_PER_S)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(line: &str) -> Option<i64> {
        find_time(line, LineFormat::Auto).map(|r| r.unwrap())
    }

    #[test]
    fn auto_finds_times_at_the_start_in_fields_and_in_common_log_lines() {
        let t2026 = 1_767_225_600_000_000_000;
        assert_eq!(found("2026-01-01T00:00:00Z started"), Some(t2026));
        assert_eq!(
            found("2026-01-01T01:00:00.5+01:00\tx"),
            Some(t2026 + 500_000_000)
        );
        assert_eq!(found("2026-01-01 00:00:00Z started"), Some(t2026));
        assert_eq!(
            found("2026-01-01T00:00:00.123456789Z"),
            Some(t2026 + 123_456_789)
        );
        // Without a zone it is not RFC 3339, and no guess is made.
        assert_eq!(found("2026-01-01 00:00:00,123 INFO python logging"), None);
        for line in [
            r#"{"ts":"2026-01-01T00:00:00Z","msg":"x"}"#,
            r#"{"msg":"x","time":1767225600}"#,
            r#"{"@timestamp":"2026-01-01T00:00:00Z"}"#,
            r#"{"timestamp":1767225600000}"#,
            r#"{"__REALTIME_TIMESTAMP":"1767225600000000"}"#,
            r#"{"ts":"1767225600000000000"}"#,
            "level=info ts=2026-01-01T00:00:00Z msg=x",
            "time=\"2026-01-01 00:00:00Z\" msg=x",
            // The first field that holds a time wins.
            r#"{"time":"soon","ts":1767225600}"#,
            "time=0.003 ts=1767225600",
        ] {
            assert_eq!(found(line), Some(t2026), "{line}");
        }
        assert_eq!(found("{\"ts\":1767225600.25}"), Some(t2026 + 250_000_000));
        assert_eq!(
            found(r#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326"#),
            Some(971_211_336_000_000_000)
        );
        for line in [
            "no time here",
            "1767225600 is a number at the start, not a claimed time",
            "time=0.003 msg=duration",
            r#"{"time":12,"msg":"x"}"#,
            r#"{"ts":null}"#,
            "[bracketed] but not a time",
            "",
        ] {
            assert_eq!(found(line), None, "{line}");
        }
        // Raw lines have no fields.
        assert_eq!(find_time("ts=1767225600", LineFormat::Raw), None);
    }

    #[test]
    fn times_the_store_cannot_hold_are_errors() {
        for line in [
            "3000-01-01T00:00:00Z far future",
            "0001-01-01T00:00:00Z far past",
            "ts=2300-01-01T00:00:00Z",
        ] {
            let e = find_time(line, LineFormat::Auto).unwrap().unwrap_err();
            assert!(e.contains("outside the range"), "{line}: {e}");
        }
        let e = parse_log_time("-9223372036854775808", TimeFormat::Auto)
            .unwrap()
            .unwrap_err();
        assert!(e.contains("outside the range"), "{e}");
        let e = parse_log_time(&"9".repeat(100), TimeFormat::UnixNanos)
            .unwrap()
            .unwrap_err();
        assert!(e.len() < 200, "{e}");
    }

    #[test]
    fn named_notations() {
        let at = |v: &str, f| parse_log_time(v, f).map(|r| r.unwrap());
        assert_eq!(
            at("1700000000", TimeFormat::Auto),
            Some(1_700_000_000_000_000_000)
        );
        assert_eq!(
            at("1700000000.25", TimeFormat::Auto),
            Some(1_700_000_000_250_000_000)
        );
        assert_eq!(
            at("1700000000000000", TimeFormat::Auto),
            Some(1_700_000_000_000_000_000)
        );
        assert_eq!(
            at("1700000000000000001", TimeFormat::Auto),
            Some(1_700_000_000_000_000_001)
        );
        assert_eq!(at("12", TimeFormat::Auto), Some(12_000_000_000));
        assert_eq!(
            at("1700000000.5", TimeFormat::UnixSeconds),
            Some(1_700_000_000_500_000_000)
        );
        assert_eq!(
            at("1700000000500", TimeFormat::UnixMillis),
            Some(1_700_000_000_500_000_000)
        );
        assert_eq!(at("-1.5", TimeFormat::UnixSeconds), Some(-1_500_000_000));
        assert_eq!(at("x", TimeFormat::Auto), None);
        assert_eq!(at("1", TimeFormat::Arrival), None);
        assert_eq!(
            time_of_raw_line("2026-01-01T00:00:00Z INFO started", TimeFormat::Rfc3339)
                .map(|r| r.unwrap()),
            Some(1_767_225_600_000_000_000)
        );
        let clf = r#"127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326"#;
        assert_eq!(
            time_of_raw_line(clf, TimeFormat::Common).map(|r| r.unwrap()),
            Some(971_211_336_000_000_000)
        );
        assert_eq!(time_of_raw_line("x [y]", TimeFormat::Common), None);
    }
}
