//! `argus store`: look after the store directory (`info`, `check`, `compact`).

use super::exit::{self, CliError, CliResult};
use super::output::OutputFormat;
use super::GlobalArgs;
use crate::model::time::{format_rfc3339, now_ms, parse_duration};
use clap::{Args, Subcommand};
use serde_json::json;
use std::io::Write;

/// Inspect, verify and compact the store.
#[derive(Args, Debug)]
pub struct StoreArgs {
    #[command(subcommand)]
    pub action: StoreAction,
}

#[derive(Subcommand, Debug)]
pub enum StoreAction {
    /// Series, samples, bytes on disk, bytes per sample, parts and time span; for logs,
    /// streams, entries, raw and stored bytes, compression ratio, parts and time span.
    Info,
    /// Verify every checksum and invariant of every file; exit 5 when anything is damaged.
    ///
    /// Reads the whole store, so it costs about as much as exporting everything.
    Check,
    /// Merge all parts (metrics and logs) that can be merged and apply retention.
    ///
    /// Merging runs on its own after writes; this forces it now, for example before measuring
    /// the store's size or from a nightly cron job.
    Compact {
        /// Delete samples and log entries older than this (for example 30d).
        #[arg(long, value_name = "DURATION")]
        retention: Option<String>,
    },
}

pub fn run(global: &GlobalArgs, args: &StoreArgs) -> CliResult {
    let store = global.open_store()?;
    let fmt = global.output_or(
        OutputFormat::Table,
        &[OutputFormat::Table, OutputFormat::Json],
        "store",
    )?;
    let mut out = std::io::stdout().lock();
    match &args.action {
        StoreAction::Info => {
            let info = store
                .info()
                .map_err(|e| CliError::failure(format!("cannot read store: {e}")))?;
            let logs = store
                .log_info()
                .map_err(|e| CliError::failure(format!("cannot read store: {e}")))?;
            let bps = if info.samples > 0 {
                info.bytes as f64 / info.samples as f64
            } else {
                0.0
            };
            let ratio = if logs.bytes > 0 {
                logs.raw_bytes as f64 / logs.bytes as f64
            } else {
                0.0
            };
            let ns_time = |t: Option<i64>| t.map(|t| format_rfc3339(t.div_euclid(1_000_000)));
            let r = if fmt == OutputFormat::Json {
                writeln!(
                    out,
                    "{}",
                    json!({
                        "series": info.series, "samples": info.samples, "bytes": info.bytes,
                        "bytes_per_sample": bps, "parts": info.parts,
                        "min_time": info.min_time.map(format_rfc3339),
                        "max_time": info.max_time.map(format_rfc3339),
                        "logs": {
                            "streams": logs.streams, "entries": logs.entries,
                            "raw_bytes": logs.raw_bytes, "bytes": logs.bytes,
                            "compression_ratio": ratio, "parts": logs.parts,
                            "min_time": ns_time(logs.min_time),
                            "max_time": ns_time(logs.max_time),
                        },
                    })
                )
            } else {
                writeln!(
                    out,
                    "store          {}\nseries         {}\nsamples        {}\nbytes          {}\nbytes/sample   {:.3}\nparts          {}\nfrom           {}\nto             {}\nlog streams    {}\nlog entries    {}\nlog raw bytes  {}\nlog bytes      {}\nlog ratio      {:.1}x\nlog parts      {}\nlogs from      {}\nlogs to        {}",
                    store.dir().display(),
                    info.series,
                    info.samples,
                    info.bytes,
                    bps,
                    info.parts,
                    info.min_time.map(format_rfc3339).unwrap_or_else(|| "-".into()),
                    info.max_time.map(format_rfc3339).unwrap_or_else(|| "-".into()),
                    logs.streams,
                    logs.entries,
                    logs.raw_bytes,
                    logs.bytes,
                    ratio,
                    logs.parts,
                    ns_time(logs.min_time).unwrap_or_else(|| "-".into()),
                    ns_time(logs.max_time).unwrap_or_else(|| "-".into()),
                )
            };
            super::stdout_result(r)
        }
        StoreAction::Check => {
            let report = store
                .check()
                .map_err(|e| CliError::failure(format!("cannot check store: {e}")))?;
            for p in &report.problems {
                eprintln!("argus: damaged: {p}");
            }
            let ok = report.problems.is_empty();
            let r = if fmt == OutputFormat::Json {
                writeln!(
                    out,
                    "{}",
                    json!({"ok": ok, "parts_checked": report.parts_checked, "problems": report.problems})
                )
            } else {
                writeln!(
                    out,
                    "{}: {} parts checked, {} problems",
                    if ok { "ok" } else { "DAMAGED" },
                    report.parts_checked,
                    report.problems.len()
                )
            };
            super::stdout_result(r)?;
            Ok(if ok { exit::OK } else { exit::STORE_DAMAGED })
        }
        StoreAction::Compact { retention } => {
            let retention_ms = retention
                .as_deref()
                .map(parse_duration)
                .transpose()
                .map_err(|e| CliError::usage(format!("--retention: {e}")))?;
            let opts = crate::store::CompactOptions {
                retention_ms,
                now_ms: now_ms(),
            };
            let report = store
                .compact(&opts)
                .map_err(|e| CliError::failure(format!("compaction failed: {e}")))?;
            global.note(format!("metrics: {report}"));
            let report = store
                .compact_logs(&opts)
                .map_err(|e| CliError::failure(format!("compaction of logs failed: {e}")))?;
            global.note(format!(
                "logs: {}",
                report.to_string().replace("samples", "entries")
            ));
            Ok(exit::OK)
        }
    }
}
