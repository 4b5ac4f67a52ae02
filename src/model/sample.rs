//! Samples, staleness markers and metric metadata.
//!
//! Timestamps of metric samples are milliseconds since the Unix epoch (`i64`), as in
//! Prometheus. A *staleness marker* is a special NaN bit pattern written when a series
//! disappears from a target; queries treat it as "no value from here on" while ordinary NaN
//! stays an ordinary value. The bit pattern is Prometheus' own, so markers survive a round trip
//! through remote_write.

use super::labels::Labels;

/// Prometheus' `StaleNaN`: a signalling NaN distinct from the NaN that arithmetic produces.
pub const STALE_NAN_BITS: u64 = 0x7ff0_0000_0000_0002;

/// The staleness marker as an `f64`.
pub fn stale_nan() -> f64 {
    f64::from_bits(STALE_NAN_BITS)
}

/// Is `v` a staleness marker (compared by bits: ordinary NaN is not one)?
pub fn is_stale_nan(v: f64) -> bool {
    v.to_bits() == STALE_NAN_BITS
}

/// One value of one series at one instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// Milliseconds since the Unix epoch.
    pub t: i64,
    pub v: f64,
}

/// A series with its samples, sorted by time with unique timestamps.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub labels: Labels,
    pub samples: Vec<Sample>,
}

/// The metric types of the exposition formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum MetricType {
    Counter,
    Gauge,
    Histogram,
    GaugeHistogram,
    Summary,
    Info,
    StateSet,
    #[default]
    Unknown,
}

impl MetricType {
    /// The name as the text formats and Prometheus' metadata API spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::GaugeHistogram => "gaugehistogram",
            MetricType::Summary => "summary",
            MetricType::Info => "info",
            MetricType::StateSet => "stateset",
            MetricType::Unknown => "unknown",
        }
    }

    /// The type's number in Prometheus' protobuf `MetricType` enum (remote_write metadata),
    /// which the store's part index also uses.
    pub fn code(self) -> u8 {
        match self {
            MetricType::Unknown => 0,
            MetricType::Counter => 1,
            MetricType::Gauge => 2,
            MetricType::Histogram => 3,
            MetricType::GaugeHistogram => 4,
            MetricType::Summary => 5,
            MetricType::Info => 6,
            MetricType::StateSet => 7,
        }
    }

    /// The type of a [`code`](MetricType::code); `None` for numbers without one.
    pub fn from_code(c: u8) -> Option<MetricType> {
        Some(match c {
            0 => MetricType::Unknown,
            1 => MetricType::Counter,
            2 => MetricType::Gauge,
            3 => MetricType::Histogram,
            4 => MetricType::GaugeHistogram,
            5 => MetricType::Summary,
            6 => MetricType::Info,
            7 => MetricType::StateSet,
            _ => return None,
        })
    }

    /// Parses a type name; `untyped` (text format 0.0.4) is `Unknown`.
    pub fn parse(s: &str) -> Option<MetricType> {
        Some(match s {
            "counter" => MetricType::Counter,
            "gauge" => MetricType::Gauge,
            "histogram" => MetricType::Histogram,
            "gaugehistogram" => MetricType::GaugeHistogram,
            "summary" => MetricType::Summary,
            "info" => MetricType::Info,
            "stateset" => MetricType::StateSet,
            "unknown" | "untyped" => MetricType::Unknown,
            _ => return None,
        })
    }
}

/// HELP/TYPE/UNIT of one metric family, kept in the store for the metadata API.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct MetricMetadata {
    /// The family name (for a histogram, without `_bucket`/`_sum`/`_count`).
    pub metric: String,
    pub kind: MetricType,
    pub help: String,
    pub unit: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_marker_is_not_ordinary_nan() {
        assert!(is_stale_nan(stale_nan()));
        assert!(!is_stale_nan(f64::NAN));
        assert!(stale_nan().is_nan());
    }
}
