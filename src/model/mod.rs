//! The vocabulary shared by every part of argus: label sets, matchers, samples, metadata, and
//! the syntax of durations and points in time. Nothing here does I/O.

pub mod labels;
pub mod limits;
pub mod log;
pub mod matcher;
pub mod sample;
pub mod time;

pub use labels::{Labels, LabelsBuilder, METRIC_NAME};
pub use log::LogEntry;
pub use matcher::{MatchOp, Matcher};
pub use sample::{is_stale_nan, stale_nan, MetricMetadata, MetricType, Sample, Series};
