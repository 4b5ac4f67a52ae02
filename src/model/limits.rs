//! The limits every door applies to what it lets into the store, in one place so that
//! `ingest`, `scrape`, the push receivers and the store's own writers agree on them: the range
//! of timestamps the store can hold, the size of label names and values, and how much of an
//! offending input an error message may quote.
//!
//! Each door checks with these functions and names the place (file:line, request) in its own
//! error; the store's writers check again, so that nothing that slipped past a door can make a
//! part unreadable.

use std::borrow::Cow;

/// The earliest sample time the store accepts: 0000-01-01T00:00:00Z, in milliseconds. Every
/// time between this and [`MAX_SAMPLE_MS`] has an RFC 3339 spelling, and differences of two
/// such times cannot overflow the store's delta encodings.
pub const MIN_SAMPLE_MS: i64 = -62_167_219_200_000;
/// The latest sample time the store accepts: 9999-12-31T23:59:59.999Z, in milliseconds.
pub const MAX_SAMPLE_MS: i64 = 253_402_300_799_999;

/// The earliest log entry time: 1678-01-01T00:00:00Z in nanoseconds. Log times are
/// nanoseconds in an `i64`, which reach from 1677-09-21 to 2262-04-11; a margin of some months
/// on both sides keeps differences and rounding to whole seconds or milliseconds in range.
pub const MIN_LOG_NS: i64 = -9_214_560_000_000_000_000;
/// The latest log entry time: 2261-12-31T23:59:59.999999999Z in nanoseconds.
pub const MAX_LOG_NS: i64 = 9_214_646_399_999_999_999;

/// The longest label name the store accepts, in bytes (Loki's default limit).
pub const MAX_LABEL_NAME_BYTES: usize = 1024;
/// The longest label value the store accepts, in bytes. Values longer than this are log
/// lines or payloads in the wrong place, and every query that touches the series would carry
/// them.
pub const MAX_LABEL_VALUE_BYTES: usize = 16 * 1024;

/// How many characters of an offending input an error message quotes.
pub const EXCERPT_CHARS: usize = 64;

/// Checks that a sample time (milliseconds since the epoch) is one the store can hold.
pub fn check_sample_time(t_ms: i64) -> Result<(), String> {
    if (MIN_SAMPLE_MS..=MAX_SAMPLE_MS).contains(&t_ms) {
        Ok(())
    } else {
        Err(format!(
            "timestamp {t_ms} ms is outside the range the store holds (years 0000 to 9999)"
        ))
    }
}

/// Checks that a log entry time (nanoseconds since the epoch) is one the store can hold.
pub fn check_log_time(t_ns: i64) -> Result<(), String> {
    if (MIN_LOG_NS..=MAX_LOG_NS).contains(&t_ns) {
        Ok(())
    } else {
        Err(format!(
            "timestamp {t_ns} ns is outside the range the store holds for logs (years 1678 to 2261)"
        ))
    }
}

/// Checks the sizes of one label name and value.
pub fn check_label_size(name: &str, value: &str) -> Result<(), String> {
    if name.len() > MAX_LABEL_NAME_BYTES {
        return Err(format!(
            "label name {} is {} bytes long; the limit is {MAX_LABEL_NAME_BYTES}",
            excerpt(name),
            name.len()
        ));
    }
    if value.len() > MAX_LABEL_VALUE_BYTES {
        return Err(format!(
            "the value of label {} is {} bytes long; the limit is {MAX_LABEL_VALUE_BYTES}",
            excerpt(name),
            value.len()
        ));
    }
    Ok(())
}

/// At most [`EXCERPT_CHARS`] characters of `s`, for quoting an offending input in an error
/// message: a 100 MB token must not become 100 MB on stderr. A cut text ends with `…` and the
/// full length, so the reader knows it was cut.
pub fn excerpt(s: &str) -> Cow<'_, str> {
    match s.char_indices().nth(EXCERPT_CHARS) {
        None => Cow::Borrowed(s),
        Some((cut, _)) => Cow::Owned(format!("{}… ({} bytes)", &s[..cut], s.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_times_at_the_edges() {
        assert!(check_sample_time(0).is_ok());
        assert!(check_sample_time(MIN_SAMPLE_MS).is_ok());
        assert!(check_sample_time(MAX_SAMPLE_MS).is_ok());
        assert!(check_sample_time(MIN_SAMPLE_MS - 1).is_err());
        assert!(check_sample_time(MAX_SAMPLE_MS + 1).is_err());
        assert!(check_sample_time(i64::MIN).is_err());
        assert!(check_sample_time(i64::MAX).is_err());
        assert_eq!(
            crate::model::time::format_rfc3339(MIN_SAMPLE_MS),
            "0000-01-01T00:00:00Z"
        );
        assert_eq!(
            crate::model::time::format_rfc3339(MAX_SAMPLE_MS),
            "9999-12-31T23:59:59.999Z"
        );
    }

    #[test]
    fn log_times_at_the_edges() {
        assert!(check_log_time(0).is_ok());
        assert!(check_log_time(MIN_LOG_NS).is_ok());
        assert!(check_log_time(MAX_LOG_NS).is_ok());
        assert!(check_log_time(i64::MIN).is_err());
        assert!(check_log_time(i64::MAX).is_err());
        assert_eq!(
            crate::model::time::format_rfc3339(MIN_LOG_NS / 1_000_000),
            "1678-01-01T00:00:00Z"
        );
        assert_eq!(
            crate::model::time::format_rfc3339(MAX_LOG_NS / 1_000_000),
            "2261-12-31T23:59:59.999Z"
        );
    }

    #[test]
    fn label_sizes() {
        assert!(check_label_size("job", "node").is_ok());
        let long = "x".repeat(MAX_LABEL_VALUE_BYTES + 1);
        let e = check_label_size("job", &long).unwrap_err();
        assert!(e.contains("job") && e.contains("16384"), "{e}");
        let e = check_label_size(&"n".repeat(5000), "v").unwrap_err();
        assert!(e.len() < 200, "the error quotes an excerpt: {e}");
    }

    #[test]
    fn excerpts_cut_long_inputs_at_a_character() {
        assert_eq!(excerpt("short"), "short");
        let s = "é".repeat(100);
        let e = excerpt(&s);
        assert!(e.starts_with(&"é".repeat(EXCERPT_CHARS)));
        assert!(e.ends_with("… (200 bytes)"), "{e}");
    }
}
