//! Request parameters: the URL's query string and, for a form-encoded POST, the body, read
//! into one list, with the time and duration syntaxes each API accepts.
//!
//! Prometheus and Loki both take the same parameters from GET and from POST forms (clients
//! such as Grafana and promtool POST first), so handlers see one [`Params`] whatever the
//! method. Prometheus' times are milliseconds, Loki's nanoseconds; each has its parser here.

use super::errors::ApiError;
use crate::model::time::{parse_duration, parse_time};

/// The parameters of one request, in the order given (query string first, then the body).
#[derive(Clone, Debug, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Reads the query string and, when the body is a form, the body.
    pub fn new(query: Option<&str>, form_body: Option<&[u8]>) -> Params {
        let mut pairs: Vec<(String, String)> = Vec::new();
        if let Some(q) = query {
            pairs.extend(form_urlencoded::parse(q.as_bytes()).into_owned());
        }
        if let Some(b) = form_body {
            pairs.extend(form_urlencoded::parse(b).into_owned());
        }
        Params { pairs }
    }

    /// The first value of `name`, if given and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// Whether a range query asks for argus' columns (`format=columns`) rather than
    /// Prometheus' pairs (no `format`). Any other format is refused, so that a typo is not
    /// answered in a shape the client does not read.
    pub fn wants_columns(&self) -> Result<bool, ApiError> {
        match self.get("format") {
            None => Ok(false),
            Some("columns") => Ok(true),
            Some(other) => Err(ApiError::bad_data(format!(
                "invalid parameter \"format\": {other:?} is not a format of range results; the one format argus offers besides Prometheus' is \"columns\""
            ))),
        }
    }

    /// The value of a parameter the request must carry.
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name)
            .ok_or_else(|| ApiError::bad_data(format!("invalid parameter \"{name}\": missing")))
    }

    /// Every value of a repeatable parameter (`match[]`), in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A non-negative integer parameter (`limit`).
    pub fn count(&self, name: &str) -> Result<Option<usize>, ApiError> {
        self.get(name)
            .map(|v| {
                v.parse::<usize>().map_err(|_| {
                    ApiError::bad_data(format!(
                        "invalid parameter \"{name}\": cannot parse \"{v}\" to a valid count"
                    ))
                })
            })
            .transpose()
    }

    /// A Prometheus time (ms): decimal Unix seconds or RFC 3339 (relative times such as
    /// `now-1h`, argus' own syntax, are accepted too).
    pub fn prom_time(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                parse_prom_time(v).ok_or_else(|| {
                    ApiError::bad_data(format!(
                        "invalid parameter \"{name}\": cannot parse \"{v}\" to a valid timestamp"
                    ))
                })
            })
            .transpose()
    }

    /// A Prometheus duration (ms): decimal seconds or `1m30s`.
    pub fn prom_duration(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                parse_seconds_or_duration(v, 1_000).ok_or_else(|| {
                    ApiError::bad_data(format!(
                        "invalid parameter \"{name}\": cannot parse \"{v}\" to a valid duration"
                    ))
                })
            })
            .transpose()
    }

    /// A Loki time (ns): integer Unix seconds (up to 10 digits) or nanoseconds (more
    /// digits), decimal seconds, or RFC 3339.
    pub fn loki_time(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                parse_loki_time(v).ok_or_else(|| {
                    ApiError::bad_data(format!(
                        "invalid parameter \"{name}\": cannot parse \"{v}\" as a time"
                    ))
                })
            })
            .transpose()
    }

    /// A Loki duration (ns): decimal seconds or `5m`.
    pub fn loki_duration(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                parse_seconds_or_duration(v, 1_000_000_000).ok_or_else(|| {
                    ApiError::bad_data(format!(
                        "invalid parameter \"{name}\": cannot parse \"{v}\" as a duration"
                    ))
                })
            })
            .transpose()
    }
}

/// Prometheus' sentinel times for "the beginning and end of time", which clients send for
/// open-ended metadata queries.
const PROM_MIN_TIME: &str = "-292273086-05-16T16:47:06Z";
const PROM_MAX_TIME: &str = "292277025-08-18T07:12:54.999999999Z";

fn parse_prom_time(v: &str) -> Option<i64> {
    if v == PROM_MIN_TIME {
        return Some(i64::MIN / 2);
    }
    if v == PROM_MAX_TIME {
        return Some(i64::MAX / 2);
    }
    if let Ok(secs) = v.parse::<f64>() {
        return secs_to(secs, 1_000);
    }
    parse_time(v, crate::model::time::now_ms()).ok()
}

fn parse_loki_time(v: &str) -> Option<i64> {
    if v.contains('.') {
        if let Ok(secs) = v.parse::<f64>() {
            // Loki keeps millisecond precision for decimal seconds.
            return secs_to(secs, 1_000).map(|ms| ms.saturating_mul(1_000_000));
        }
    } else if let Ok(n) = v.parse::<i64>() {
        let digits = v.trim_start_matches('-').len();
        return Some(if digits <= 10 {
            n.saturating_mul(1_000_000_000)
        } else {
            n
        });
    }
    parse_rfc3339_ns(v)
}

/// RFC 3339 with up to nanosecond precision, as nanoseconds since the epoch.
pub fn parse_rfc3339_ns(v: &str) -> Option<i64> {
    let t = chrono::DateTime::parse_from_rfc3339(v).ok()?;
    t.timestamp_nanos_opt()
}

/// `secs` seconds in units of `per_second`, rounded; `None` when not finite or out of range.
fn secs_to(secs: f64, per_second: i64) -> Option<i64> {
    let v = (secs * per_second as f64).round();
    (v.is_finite() && v.abs() < 9.2e18).then_some(v as i64)
}

/// Decimal seconds or a Prometheus duration, in units of `per_second`.
fn parse_seconds_or_duration(v: &str, per_second: i64) -> Option<i64> {
    if let Ok(secs) = v.parse::<f64>() {
        return secs_to(secs, per_second);
    }
    let ms = parse_duration(v).ok()?;
    Some(ms.saturating_mul(per_second / 1_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_and_post_parameters_are_one_list() {
        let p = Params::new(
            Some("query=up&match%5B%5D=a"),
            Some(b"match[]=b&time=1.5&empty="),
        );
        assert_eq!(p.get("query"), Some("up"));
        assert_eq!(p.all("match[]"), vec!["a", "b"]);
        assert_eq!(p.get("empty"), None);
        assert_eq!(p.prom_time("time").unwrap(), Some(1500));
        assert!(p.required("nope").unwrap_err().message.contains("\"nope\""));
    }

    #[test]
    fn prometheus_times_and_durations() {
        assert_eq!(parse_prom_time("1435781451.781"), Some(1_435_781_451_781));
        assert_eq!(
            parse_prom_time("2015-07-01T20:10:51.781Z"),
            Some(1_435_781_451_781)
        );
        assert_eq!(parse_prom_time(PROM_MIN_TIME), Some(i64::MIN / 2));
        assert_eq!(parse_prom_time("yesterday"), None);
        assert_eq!(parse_seconds_or_duration("15", 1000), Some(15_000));
        assert_eq!(parse_seconds_or_duration("0.5", 1000), Some(500));
        assert_eq!(parse_seconds_or_duration("1m30s", 1000), Some(90_000));
        assert_eq!(parse_seconds_or_duration("x", 1000), None);
    }

    #[test]
    fn loki_times_pick_seconds_or_nanoseconds_by_digits() {
        assert_eq!(
            parse_loki_time("1570818238"),
            Some(1_570_818_238_000_000_000)
        );
        assert_eq!(
            parse_loki_time("1570818238000000001"),
            Some(1_570_818_238_000_000_001)
        );
        assert_eq!(
            parse_loki_time("1570818238.5"),
            Some(1_570_818_238_500_000_000)
        );
        assert_eq!(
            parse_loki_time("2019-10-11T18:23:58.000000001Z"),
            Some(1_570_818_238_000_000_001)
        );
        assert_eq!(
            parse_seconds_or_duration("5m", 1_000_000_000),
            Some(300_000_000_000)
        );
        assert_eq!(parse_loki_time("soon"), None);
    }
}
