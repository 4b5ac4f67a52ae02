//! Decoding pushed data into batches: Prometheus remote_write (protobuf + snappy) and Loki
//! push (JSON, or protobuf + snappy; gzip or deflate request bodies).
//!
//! A request is decoded and checked whole before anything is handed to the store, so a
//! rejected request stores nothing. Every size is checked before memory is spent on it: the
//! compressed body by the server's body limit, a snappy body by the length its header
//! announces, gzip and deflate by reading at most the limit plus one byte (a zip bomb stops
//! there).

use super::committer::{LogBatch, MetricBatch};
use super::errors::{ApiError, ErrorKind};
use super::proto;
use super::state::AppState;
use crate::model::labels::is_valid_label_name;
use crate::model::limits::{check_label_size, check_log_time, check_sample_time, excerpt};
use crate::model::{Labels, LogEntry, MetricMetadata, MetricType, Sample};
use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use prost::Message;
use std::borrow::Cow;
use std::io::Read;

/// The limits a push is held to.
#[derive(Clone, Debug)]
pub struct PushLimits {
    /// Largest body after decompression, in bytes.
    pub max_decompressed_bytes: usize,
    /// Most series (remote_write) or streams (Loki) in one request.
    pub max_series_per_push: usize,
    /// Longest log line, in bytes (Loki's `max_line_size`).
    pub max_line_bytes: usize,
    /// Most label names of one log stream (Loki's `max_label_names_per_series`).
    pub max_label_names_per_stream: usize,
}

impl Default for PushLimits {
    fn default() -> Self {
        PushLimits {
            max_decompressed_bytes: 256 << 20,
            max_series_per_push: 100_000,
            max_line_bytes: 256 << 10,
            max_label_names_per_stream: 15,
        }
    }
}

fn too_large(what: &str, limit: usize) -> ApiError {
    ApiError::new(
        ErrorKind::TooLarge,
        format!("{what} is larger than the limit of {limit} bytes after decompression"),
    )
}

/// Raw (block) snappy, as remote_write and Loki's protobuf push use.
fn unsnappy(body: &[u8], limit: usize) -> Result<Vec<u8>, ApiError> {
    let len = snap::raw::decompress_len(body)
        .map_err(|e| ApiError::bad_data(format!("body is not snappy-compressed: {e}")))?;
    if len > limit {
        return Err(too_large("body", limit));
    }
    snap::raw::Decoder::new()
        .decompress_vec(body)
        .map_err(|e| ApiError::bad_data(format!("body is not valid snappy: {e}")))
}

/// Undoes a `Content-Encoding` of gzip or deflate (none and `snappy` pass through: snappy is
/// part of the protobuf framing and undone by the decoder).
pub fn content_decode<'a>(
    body: &'a [u8],
    encoding: Option<&str>,
    limit: usize,
) -> Result<Cow<'a, [u8]>, ApiError> {
    let read_capped = |mut r: Box<dyn Read + '_>, name: &str| -> Result<Cow<'a, [u8]>, ApiError> {
        let mut out = Vec::new();
        (&mut r)
            .take(limit as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| ApiError::bad_data(format!("cannot decode the {name} body: {e}")))?;
        if out.len() > limit {
            return Err(too_large("body", limit));
        }
        Ok(Cow::Owned(out))
    };
    match encoding.map(|e| e.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("identity") | Some("snappy") => {
            if body.len() > limit {
                return Err(too_large("body", limit));
            }
            Ok(Cow::Borrowed(body))
        }
        Some("gzip") | Some("x-gzip") => {
            read_capped(Box::new(flate2::read::GzDecoder::new(body)), "gzip")
        }
        Some("deflate") => read_capped(Box::new(flate2::read::ZlibDecoder::new(body)), "deflate"),
        Some(other) => Err(ApiError::new(
            ErrorKind::BadData,
            format!("Content-Encoding \"{other}\" is not supported (use gzip, deflate or snappy)"),
        )),
    }
}

/// What every push goes through before the store: the push token, then, on the blocking
/// pool (both are CPU work), the `Content-Encoding` undone and `decode` given the body and
/// its `Content-Type`.
pub async fn receive<T: Send + 'static>(
    st: &AppState,
    headers: &HeaderMap,
    body: Bytes,
    decode: impl FnOnce(&[u8], Option<&str>, &PushLimits) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let text = |h| headers.get(h).and_then(|v: &HeaderValue| v.to_str().ok());
    if !st.push_allowed(text(header::AUTHORIZATION)) {
        return Err(ApiError::new(
            ErrorKind::Unauthorized,
            "a valid bearer token is required to push",
        ));
    }
    let encoding = text(header::CONTENT_ENCODING).map(str::to_string);
    let content_type = text(header::CONTENT_TYPE).map(str::to_string);
    let limits = st.push_limits.clone();
    tokio::task::spawn_blocking(move || {
        let body = content_decode(&body, encoding.as_deref(), limits.max_decompressed_bytes)?;
        decode(&body, content_type.as_deref(), &limits)
    })
    .await
    .map_err(|e| super::errors::task_failed("decoding the push", e))?
}

/// The answer to a refused push, counted in `argus_push_rejected_total`.
pub fn rejected(st: &AppState, api: &str, e: ApiError) -> Response {
    st.registry.add(
        "argus_push_rejected_total",
        "Push requests refused, by API and status code.",
        &[("api", api), ("code", e.kind.status().as_str())],
        1.0,
    );
    e.plain()
}

/// What a remote_write request held beyond its samples.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteCounts {
    pub samples: u64,
    /// Native histogram samples, which argus does not store.
    pub histograms_dropped: u64,
}

/// Decodes and checks a remote_write 1.0 body.
pub fn decode_remote_write(
    body: &[u8],
    limits: &PushLimits,
) -> Result<(MetricBatch, WriteCounts), ApiError> {
    let raw = unsnappy(body, limits.max_decompressed_bytes)?;
    let req = proto::WriteRequest::decode(&raw[..])
        .map_err(|e| ApiError::bad_data(format!("body is not a remote_write request: {e}")))?;
    if req.timeseries.len() > limits.max_series_per_push {
        return Err(ApiError::bad_data(format!(
            "request has {} series, more than the limit of {} per push",
            req.timeseries.len(),
            limits.max_series_per_push
        )));
    }
    let mut batch = MetricBatch::default();
    let mut counts = WriteCounts::default();
    for (i, ts) in req.timeseries.into_iter().enumerate() {
        counts.histograms_dropped += ts.histograms.len() as u64;
        if ts.samples.is_empty() {
            continue;
        }
        let labels = series_labels(ts.labels.into_iter().map(|l| (l.name, l.value)))
            .map_err(|e| ApiError::bad_data(format!("series {i}: {e}")))?;
        for s in &ts.samples {
            check_sample_time(s.timestamp)
                .map_err(|why| ApiError::bad_data(format!("series {labels}: {why}")))?;
        }
        counts.samples += ts.samples.len() as u64;
        let samples = ts
            .samples
            .into_iter()
            .map(|s| Sample {
                t: s.timestamp,
                v: s.value,
            })
            .collect();
        batch.series.push((labels, samples));
    }
    for md in req.metadata {
        if md.metric_family_name.is_empty() {
            continue;
        }
        batch.metadata.push(MetricMetadata {
            metric: md.metric_family_name,
            kind: u8::try_from(md.r#type)
                .ok()
                .and_then(MetricType::from_code)
                .unwrap_or_default(),
            help: md.help,
            unit: md.unit,
        });
    }
    Ok((batch, counts))
}

/// A series' labels: names valid and unique and within the store's sizes, empty values
/// dropped, at least one left.
fn series_labels(pairs: impl Iterator<Item = (String, String)>) -> Result<Labels, String> {
    let mut kept: Vec<(String, String)> = Vec::new();
    for (name, value) in pairs {
        check_label_size(&name, &value)?;
        if !is_valid_label_name(&name) {
            return Err(format!("invalid label name \"{}\"", excerpt(&name)));
        }
        if !value.is_empty() {
            kept.push((name, value));
        }
    }
    kept.sort();
    if let Some(w) = kept.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(format!("label name \"{}\" is not unique", w[0].0));
    }
    if kept.is_empty() {
        return Err("a series needs at least one label with a value".into());
    }
    Ok(Labels::from_sorted_unchecked(kept))
}

/// Decodes and checks a Loki push body (already content-decoded): JSON when the content type
/// says so, else protobuf + raw snappy.
pub fn decode_loki_push(
    body: &[u8],
    content_type: Option<&str>,
    limits: &PushLimits,
) -> Result<LogBatch, ApiError> {
    let streams = if super::is_media_type(content_type, "application/json") {
        loki_json(body)?
    } else {
        // Loki reads a push without a Content-Type as protobuf, and so does argus; but a
        // push without one is most often JSON sent by hand (curl -d), so a body that is not
        // protobuf says what is missing rather than only that it is not snappy.
        loki_protobuf(body, limits).map_err(|e| match (content_type, e.kind) {
            (None, ErrorKind::BadData) => ApiError::bad_data(format!(
                "no Content-Type header: send application/json for JSON pushes, or application/x-protobuf with a snappy body (read as protobuf, the body failed: {})",
                e.message
            )),
            _ => e,
        })?
    };
    if streams.len() > limits.max_series_per_push {
        return Err(ApiError::bad_data(format!(
            "request has {} streams, more than the limit of {} per push",
            streams.len(),
            limits.max_series_per_push
        )));
    }
    let mut batch = LogBatch::default();
    for (pairs, entries) in streams {
        let labels = stream_labels(pairs, limits)?;
        for e in &entries {
            check_log_time(e.t)
                .map_err(|why| ApiError::bad_data(format!("stream {labels}: {why}")))?;
            if e.line.len() > limits.max_line_bytes {
                return Err(ApiError::bad_data(format!(
                    "max entry size '{}' bytes exceeded for stream '{labels}' while adding an entry with length '{}' bytes",
                    limits.max_line_bytes,
                    e.line.len()
                )));
            }
        }
        if !entries.is_empty() {
            batch.streams.push((labels, entries));
        }
    }
    Ok(batch)
}

/// A pushed stream: its label pairs as sent, and its entries.
type PushedStream = (Vec<(String, String)>, Vec<LogEntry>);

/// A stream's labels, checked as Loki does.
fn stream_labels(pairs: Vec<(String, String)>, limits: &PushLimits) -> Result<Labels, ApiError> {
    let shown = || {
        let body: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
        format!("{{{}}}", body.join(", "))
    };
    let labels = series_labels(pairs.iter().cloned())
        .map_err(|why| ApiError::bad_data(format!("stream {}: {why}", shown())))?;
    if labels.len() > limits.max_label_names_per_stream {
        return Err(ApiError::bad_data(format!(
            "stream {labels}: {} label names, more than the limit of {}",
            labels.len(),
            limits.max_label_names_per_stream
        )));
    }
    Ok(labels)
}

fn loki_json(body: &[u8]) -> Result<Vec<PushedStream>, ApiError> {
    let bad = |m: String| ApiError::bad_data(m);
    let doc: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| bad(format!("body is not valid JSON: {e}")))?;
    let streams = doc
        .get("streams")
        .and_then(|s| s.as_array())
        .ok_or_else(|| bad("body has no \"streams\" array".into()))?;
    let mut out = Vec::with_capacity(streams.len());
    for (si, s) in streams.iter().enumerate() {
        let labels = s
            .get("stream")
            .and_then(|l| l.as_object())
            .ok_or_else(|| bad(format!("streams[{si}] has no \"stream\" object of labels")))?;
        let mut pairs = Vec::with_capacity(labels.len());
        for (k, v) in labels {
            let v = v.as_str().ok_or_else(|| {
                bad(format!(
                    "streams[{si}]: label \"{k}\" must have a string value"
                ))
            })?;
            pairs.push((k.clone(), v.to_string()));
        }
        let values = s
            .get("values")
            .and_then(|v| v.as_array())
            .ok_or_else(|| bad(format!("streams[{si}] has no \"values\" array")))?;
        let mut entries = Vec::with_capacity(values.len());
        for (vi, v) in values.iter().enumerate() {
            let at = || format!("streams[{si}].values[{vi}]");
            let v = v
                .as_array()
                .filter(|a| a.len() == 2 || a.len() == 3)
                .ok_or_else(|| {
                    bad(format!(
                        "{}: must be [\"<ns>\", \"<line>\"] with optional metadata",
                        at()
                    ))
                })?;
            let t = v[0]
                .as_str()
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or_else(|| {
                    bad(format!(
                        "{}: the timestamp must be a string of Unix nanoseconds, got {}",
                        at(),
                        v[0]
                    ))
                })?;
            let line = v[1]
                .as_str()
                .ok_or_else(|| bad(format!("{}: the line must be a string", at())))?;
            let mut metadata = Vec::new();
            if let Some(md) = v.get(2) {
                let md = md.as_object().ok_or_else(|| {
                    bad(format!("{}: structured metadata must be an object", at()))
                })?;
                for (k, val) in md {
                    let val = val.as_str().ok_or_else(|| {
                        bad(format!(
                            "{}: structured metadata \"{k}\" must be a string",
                            at()
                        ))
                    })?;
                    metadata.push((k.clone(), val.to_string()));
                }
                metadata.sort();
            }
            entries.push(LogEntry {
                t,
                line: line.to_string(),
                metadata,
            });
        }
        out.push((pairs, entries));
    }
    Ok(out)
}

/// A protobuf timestamp in nanoseconds since 1970, when it fits in an `i64`.
fn protobuf_time_ns(seconds: i64, nanos: i32) -> Option<i64> {
    seconds
        .checked_mul(1_000_000_000)?
        .checked_add(i64::from(nanos))
}

fn loki_protobuf(body: &[u8], limits: &PushLimits) -> Result<Vec<PushedStream>, ApiError> {
    let raw = unsnappy(body, limits.max_decompressed_bytes)?;
    let req = proto::PushRequest::decode(&raw[..])
        .map_err(|e| ApiError::bad_data(format!("body is not a Loki push request: {e}")))?;
    let mut out = Vec::with_capacity(req.streams.len());
    for s in req.streams {
        let mut entries = Vec::with_capacity(s.entries.len());
        for e in s.entries {
            let ts = e.timestamp.unwrap_or_default();
            let t = protobuf_time_ns(ts.seconds, ts.nanos).ok_or_else(|| {
                ApiError::bad_data(format!(
                    "stream {}: timestamp {} s {} ns does not fit in nanoseconds since 1970, outside the range the store holds for logs (years 1678 to 2261)",
                    excerpt(&s.labels),
                    ts.seconds,
                    ts.nanos
                ))
            })?;
            let mut metadata: Vec<(String, String)> = e
                .structured_metadata
                .into_iter()
                .map(|p| (p.name, p.value))
                .collect();
            metadata.sort();
            entries.push(LogEntry {
                t,
                line: e.line,
                metadata,
            });
        }
        let pairs = crate::expo::parse_series(&s.labels)
            .map_err(|e| ApiError::bad_data(format!("stream labels {}: {e}", s.labels)))?;
        out.push((pairs, entries));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snappy(b: &[u8]) -> Vec<u8> {
        snap::raw::Encoder::new().compress_vec(b).unwrap()
    }

    #[test]
    fn remote_write_decodes_series_samples_and_metadata() {
        let req = proto::WriteRequest {
            timeseries: vec![proto::TimeSeries {
                labels: vec![
                    proto::Label {
                        name: "__name__".into(),
                        value: "up".into(),
                    },
                    proto::Label {
                        name: "job".into(),
                        value: "node".into(),
                    },
                    proto::Label {
                        name: "empty".into(),
                        value: "".into(),
                    },
                ],
                samples: vec![proto::Sample {
                    value: 1.0,
                    timestamp: 1000,
                }],
                histograms: vec![],
            }],
            metadata: vec![proto::MetricMetadata {
                r#type: 2,
                metric_family_name: "up".into(),
                help: "Up.".into(),
                unit: String::new(),
            }],
        };
        let (batch, counts) =
            decode_remote_write(&snappy(&req.encode_to_vec()), &PushLimits::default()).unwrap();
        assert_eq!(counts.samples, 1);
        assert_eq!(batch.series[0].0.to_string(), "up{job=\"node\"}");
        assert_eq!(batch.series[0].1, vec![Sample { t: 1000, v: 1.0 }]);
        assert_eq!(batch.metadata[0].kind, MetricType::Gauge);
    }

    #[test]
    fn remote_write_rejects_bad_bodies_with_the_reason() {
        let limits = PushLimits::default();
        let e = decode_remote_write(b"not snappy at all", &limits).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadData);
        let e = decode_remote_write(&snappy(b"\xff\xff\xff"), &limits).unwrap_err();
        assert!(
            e.message.contains("not a remote_write request"),
            "{}",
            e.message
        );
        let req = proto::WriteRequest {
            timeseries: vec![proto::TimeSeries {
                labels: vec![proto::Label {
                    name: "1bad".into(),
                    value: "x".into(),
                }],
                samples: vec![proto::Sample {
                    value: 1.0,
                    timestamp: 1,
                }],
                histograms: vec![],
            }],
            metadata: vec![],
        };
        let e = decode_remote_write(&snappy(&req.encode_to_vec()), &limits).unwrap_err();
        assert!(
            e.message.contains("invalid label name \"1bad\""),
            "{}",
            e.message
        );
    }

    #[test]
    fn snappy_bomb_is_refused_before_decompressing() {
        let big = vec![0u8; 1 << 20];
        let limits = PushLimits {
            max_decompressed_bytes: 1000,
            ..PushLimits::default()
        };
        let e = decode_remote_write(&snappy(&big), &limits).unwrap_err();
        assert_eq!(e.kind, ErrorKind::TooLarge);
    }

    #[test]
    fn gzip_bomb_stops_at_the_limit() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&vec![b'a'; 1 << 20]).unwrap();
        let gz = enc.finish().unwrap();
        let e = content_decode(&gz, Some("gzip"), 4096).unwrap_err();
        assert_eq!(e.kind, ErrorKind::TooLarge);
        assert_eq!(
            content_decode(&gz, Some("gzip"), 2 << 20).unwrap().len(),
            1 << 20
        );
        let e = content_decode(&[1, 2], Some("br"), 10).unwrap_err();
        assert!(e.message.contains("\"br\""));
    }

    #[test]
    fn loki_json_push_with_metadata() {
        let body = br#"{"streams":[{"stream":{"app":"api","level":"info","x":""},
            "values":[["1570818238000000000","a line"],
                      ["1570818238000000001","with md",{"trace_id":"0242ac120002"}]]}]}"#;
        let b = decode_loki_push(body, Some("application/json"), &PushLimits::default()).unwrap();
        assert_eq!(b.streams.len(), 1);
        assert_eq!(b.streams[0].0.to_string(), "{app=\"api\", level=\"info\"}");
        let e = &b.streams[0].1;
        assert_eq!(e[0].t, 1_570_818_238_000_000_000);
        assert_eq!(
            e[1].metadata,
            vec![("trace_id".into(), "0242ac120002".into())]
        );
    }

    #[test]
    fn loki_json_rejects_numbers_for_times_and_bad_labels() {
        let limits = PushLimits::default();
        let e = decode_loki_push(
            br#"{"streams":[{"stream":{"app":"a"},"values":[[1570818238000000000,"x"]]}]}"#,
            Some("application/json"),
            &limits,
        )
        .unwrap_err();
        assert!(e.message.contains("streams[0].values[0]"), "{}", e.message);
        let e = decode_loki_push(
            br#"{"streams":[{"stream":{"bad-name":"a"},"values":[["1","x"]]}]}"#,
            Some("application/json"),
            &limits,
        )
        .unwrap_err();
        assert!(e.message.contains("bad-name"), "{}", e.message);
        let e = decode_loki_push(
            br#"{"streams":[{"stream":{"app":""},"values":[["1","x"]]}]}"#,
            Some("application/json; charset=utf-8"),
            &limits,
        )
        .unwrap_err();
        assert!(e.message.contains("at least one label"), "{}", e.message);
        let long = format!(
            r#"{{"streams":[{{"stream":{{"app":"a"}},"values":[["1","{}"]]}}]}}"#,
            "x".repeat(300)
        );
        let small = PushLimits {
            max_line_bytes: 100,
            ..PushLimits::default()
        };
        let e = decode_loki_push(long.as_bytes(), Some("application/json"), &small).unwrap_err();
        assert!(e.message.contains("max entry size '100'"), "{}", e.message);
    }

    #[test]
    fn loki_protobuf_push() {
        let req = proto::PushRequest {
            streams: vec![proto::StreamAdapter {
                labels: "{app=\"api\", env=\"prod\"}".into(),
                entries: vec![proto::EntryAdapter {
                    timestamp: Some(proto::Timestamp {
                        seconds: 1,
                        nanos: 5,
                    }),
                    line: "hello".into(),
                    structured_metadata: vec![proto::LabelPairAdapter {
                        name: "trace_id".into(),
                        value: "abc".into(),
                    }],
                }],
            }],
        };
        let body = snappy(&req.encode_to_vec());
        let b = decode_loki_push(
            &body,
            Some("application/x-protobuf"),
            &PushLimits::default(),
        )
        .unwrap();
        assert_eq!(b.streams[0].0.to_string(), "{app=\"api\", env=\"prod\"}");
        assert_eq!(b.streams[0].1[0].t, 1_000_000_005);
        assert_eq!(b.streams[0].1[0].line, "hello");
        let e = decode_loki_push(&snappy(b"garbage"), None, &PushLimits::default()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadData);
    }

    fn one_series(timestamp: i64, value_len: usize) -> Vec<u8> {
        let req = proto::WriteRequest {
            timeseries: vec![
                proto::TimeSeries {
                    labels: vec![proto::Label {
                        name: "__name__".into(),
                        value: "fine".into(),
                    }],
                    samples: vec![proto::Sample {
                        value: 1.0,
                        timestamp: 1000,
                    }],
                    histograms: vec![],
                },
                proto::TimeSeries {
                    labels: vec![
                        proto::Label {
                            name: "__name__".into(),
                            value: "late".into(),
                        },
                        proto::Label {
                            name: "big".into(),
                            value: "v".repeat(value_len),
                        },
                    ],
                    samples: vec![proto::Sample {
                        value: 1.0,
                        timestamp,
                    }],
                    histograms: vec![],
                },
            ],
            metadata: vec![],
        };
        snappy(&req.encode_to_vec())
    }

    #[test]
    fn remote_write_refuses_times_and_labels_the_store_cannot_hold() {
        let limits = PushLimits::default();
        let e = decode_remote_write(&one_series(i64::MAX, 1), &limits).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadData);
        assert!(
            e.message.contains("late") && e.message.contains(&i64::MAX.to_string()),
            "the message names the series and the time: {}",
            e.message
        );
        let e = decode_remote_write(&one_series(1000, 20_000), &limits).unwrap_err();
        assert!(e.message.contains("label big"), "{}", e.message);
        assert!(decode_remote_write(&one_series(1000, 1), &limits).is_ok());
    }

    #[test]
    fn loki_push_refuses_times_the_store_cannot_hold() {
        let limits = PushLimits::default();
        let body = format!(
            r#"{{"streams":[{{"stream":{{"app":"ok"}},"values":[["1","fine"]]}},{{"stream":{{"app":"far"}},"values":[["{}","x"]]}}]}}"#,
            i64::MAX
        );
        let e = decode_loki_push(body.as_bytes(), Some("application/json"), &limits).unwrap_err();
        assert!(
            e.message.contains("far") && e.message.contains(&i64::MAX.to_string()),
            "{}",
            e.message
        );
        let req = proto::PushRequest {
            streams: vec![proto::StreamAdapter {
                labels: "{app=\"far\"}".into(),
                entries: vec![proto::EntryAdapter {
                    timestamp: Some(proto::Timestamp {
                        seconds: 1 << 40,
                        nanos: 0,
                    }),
                    line: "x".into(),
                    structured_metadata: vec![],
                }],
            }],
        };
        let body = snappy(&req.encode_to_vec());
        let e = decode_loki_push(&body, Some("application/x-protobuf"), &limits).unwrap_err();
        assert!(
            e.message.contains("far") && e.message.contains(&(1i64 << 40).to_string()),
            "{}",
            e.message
        );
    }

    #[test]
    fn loki_push_without_content_type_says_what_is_missing() {
        let json = br#"{"streams":[{"stream":{"app":"a"},"values":[["1","x"]]}]}"#;
        let e = decode_loki_push(json, None, &PushLimits::default()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadData);
        assert!(
            e.message.starts_with(
                "no Content-Type header: send application/json for JSON pushes, or application/x-protobuf with a snappy body"
            ),
            "{}",
            e.message
        );
        // With a Content-Type, the message is about the body only.
        let e = decode_loki_push(json, Some("application/x-protobuf"), &PushLimits::default())
            .unwrap_err();
        assert!(!e.message.contains("Content-Type"), "{}", e.message);
    }
}
