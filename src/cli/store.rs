//! `argus store`: look after the store directory (`info`, `check`, `compact`, `repair`).

use super::exit::{self, CliError, CliResult};
use super::output::OutputFormat;
use super::GlobalArgs;
use crate::model::time::{format_rfc3339, now_ms, parse_duration};
use crate::store::{Kind, Lost, LostPiece, RepairReport, RepairedPart, Store};
use clap::{Args, Subcommand};
use serde_json::{json, Value};
use std::io::Write;

/// Inspect, verify, compact and repair the store.
#[derive(Args, Debug)]
#[command(after_long_help = STORE_EXAMPLES)]
pub struct StoreArgs {
    #[command(subcommand)]
    pub action: StoreAction,
}

#[derive(Subcommand, Debug)]
pub enum StoreAction {
    /// Series, samples, bytes on disk, bytes per sample, parts and time span; for logs,
    /// streams, entries, raw and stored bytes, compression ratio, parts and time span.
    #[command(after_long_help = INFO_EXAMPLES)]
    Info,
    /// Verify every checksum and invariant of every file; exit 5 when anything is damaged.
    ///
    /// Reads the whole store, so it costs about as much as exporting everything. Only reads:
    /// works on a read-only store.
    #[command(after_long_help = CHECK_EXAMPLES)]
    Check,
    /// Merge all parts (metrics and logs) that can be merged and apply retention.
    ///
    /// Merging runs on its own after writes; this forces it now, for example before measuring
    /// the store's size or from a nightly cron job.
    #[command(after_long_help = COMPACT_EXAMPLES)]
    Compact {
        /// Delete samples and log entries older than this (for example 30d). 0 means no
        /// retention limit (nothing is deleted by age), as in Prometheus; a bare number other
        /// than 0 is refused, since it would count seconds.
        #[arg(long, value_name = "DURATION")]
        retention: Option<String>,
    },
    /// Set damaged parts aside and keep everything that still reads.
    ///
    /// Each damaged part (found as `store check` finds it) moves to a folder of the store,
    /// quarantine/<time>-<pid>/, never deleted; every chunk and block of it that still reads
    /// is written back under its name. Prints exactly what was lost (series and streams,
    /// time ranges, samples and lines) and keeps that report in the quarantine folder.
    /// Safe to run beside other argus processes and to interrupt: run it again to finish.
    /// Exits 0 once nothing damaged is left in use.
    #[command(after_long_help = REPAIR_EXAMPLES)]
    Repair,
}

pub fn run(global: &GlobalArgs, args: &StoreArgs) -> CliResult {
    let fmt = global.output_or(
        OutputFormat::Table,
        &[OutputFormat::Table, OutputFormat::Json],
        "store",
    )?;
    match &args.action {
        StoreAction::Info => info(&global.open_store()?, fmt),
        StoreAction::Check => check(&global.open_store()?, fmt),
        StoreAction::Compact { retention } => {
            let retention_ms = retention
                .as_deref()
                .map(|r| parse_retention(global, r))
                .transpose()?
                .flatten();
            compact(global, &global.open_store_to_maintain()?, retention_ms)
        }
        StoreAction::Repair => repair(&global.open_store_to_maintain()?, fmt),
    }
}

fn info(store: &Store, fmt: OutputFormat) -> CliResult {
    let info = store
        .info()
        .map_err(|e| CliError::store("cannot read store", &e))?;
    let logs = store
        .log_info()
        .map_err(|e| CliError::store("cannot read store", &e))?;
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
    let mut out = std::io::stdout().lock();
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

/// What `store check` says to do when it found damage.
const REPAIR_ADVICE: &str = "run `argus store repair` to set the damaged parts aside (in the \
store's quarantine folder) and keep everything that still reads";

fn check(store: &Store, fmt: OutputFormat) -> CliResult {
    let report = store
        .check()
        .map_err(|e| CliError::store("cannot check store", &e))?;
    for p in &report.problems {
        eprintln!("argus: damaged: {p}");
    }
    let ok = report.problems.is_empty();
    let mut out = std::io::stdout().lock();
    let r = if fmt == OutputFormat::Json {
        let mut v =
            json!({"ok": ok, "parts_checked": report.parts_checked, "problems": report.problems});
        if !ok {
            v["advice"] = json!(REPAIR_ADVICE);
        }
        writeln!(out, "{v}")
    } else if ok {
        writeln!(
            out,
            "ok: {} parts checked, 0 problems",
            report.parts_checked
        )
    } else {
        writeln!(
            out,
            "DAMAGED: {} parts checked, {} problems\n{REPAIR_ADVICE}",
            report.parts_checked,
            report.problems.len(),
        )
    };
    super::stdout_result(r)?;
    Ok(if ok { exit::OK } else { exit::STORE_DAMAGED })
}

/// `--retention`: `None` for no limit (0, as Prometheus reads it). A bare number other than
/// 0 is refused: it would count seconds, and `--retention 30` meant as days would delete
/// everything older than half a minute.
fn parse_retention(global: &GlobalArgs, text: &str) -> Result<Option<i64>, CliError> {
    let bare = text.trim().parse::<f64>();
    if bare.is_ok_and(|n| n != 0.0) {
        return Err(CliError::usage(format!(
            "--retention {text}: give a unit, as in 30d or 12h (a bare number would count seconds)"
        )));
    }
    let ms = parse_duration(text).map_err(|e| CliError::usage(format!("--retention: {e}")))?;
    if ms == 0 {
        global.note(format!(
            "--retention {text}: 0 means no retention limit; nothing is deleted by age"
        ));
        return Ok(None);
    }
    Ok(Some(ms))
}

fn compact(global: &GlobalArgs, store: &Store, retention_ms: Option<i64>) -> CliResult {
    let opts = crate::store::CompactOptions {
        retention_ms,
        now_ms: now_ms(),
    };
    if let Some(cutoff) = opts.cutoff() {
        global.note(format!(
            "deleting samples and log entries older than {}",
            format_rfc3339(cutoff)
        ));
    }
    let report = store
        .compact(&opts)
        .map_err(|e| CliError::store("compaction failed", &e))?;
    global.note(format!("metrics: {report}"));
    let report = store
        .compact_logs(&opts)
        .map_err(|e| CliError::store("compaction of logs failed", &e))?;
    global.note(format!(
        "logs: {}",
        report.to_string().replace("samples", "entries")
    ));
    Ok(exit::OK)
}

fn repair(store: &Store, fmt: OutputFormat) -> CliResult {
    let report = store
        .repair()
        .map_err(|e| CliError::store("repair failed", &e))?;
    let mut out = std::io::stdout().lock();
    let r = if fmt == OutputFormat::Json {
        writeln!(out, "{}", repair_json(&report))
    } else {
        write!(out, "{report}")
    };
    super::stdout_result(r)
}

fn repair_json(report: &RepairReport) -> Value {
    json!({
        "parts_checked": report.parts_checked,
        "quarantine": report.quarantine.as_ref().map(|q| q.display().to_string()),
        "lost_samples": report.lost_items(Kind::Metrics),
        "lost_lines": report.lost_items(Kind::Logs),
        "repaired": report.repaired.iter().map(repaired_json).collect::<Vec<_>>(),
    })
}

fn repaired_json(r: &RepairedPart) -> Value {
    let time = |t: i64| format_rfc3339(r.kind.to_ms(t));
    let piece = |p: &LostPiece| {
        let labels: serde_json::Map<String, Value> = p
            .labels
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        json!({"labels": labels, "from": time(p.min_t), "to": time(p.max_t), "count": p.count})
    };
    let lost = match &r.lost {
        Lost::Pieces(pieces) => {
            json!({"whole_part": false, "pieces": pieces.iter().map(piece).collect::<Vec<_>>()})
        }
        Lost::Whole(totals) => json!({
            "whole_part": true,
            "totals": totals.map(|t| json!({
                r.kind.items(): t.items, r.kind.groups(): t.groups,
                "from": time(t.min_t), "to": time(t.max_t),
            })),
        }),
    };
    json!({
        "area": r.kind.name(),
        "part": r.part.display().to_string(),
        "quarantined": r.quarantined.display().to_string(),
        "problems": r.problems,
        "kept": r.kept.map(|k| json!({r.kind.groups(): k.series, r.kind.items(): k.samples})),
        "lost": lost,
    })
}

// What `--help` and the man pages show after the options.
const STORE_EXAMPLES: &str = "Examples:

  # Size and shape of the store
  argus store info

  # Verify everything; exit 5 on damage
  argus store check

  # Merge parts and drop data older than 30 days, from a nightly cron job
  argus store compact --retention 30d";
const INFO_EXAMPLES: &str = "Examples:

  # Size and shape of the store, for people or as JSON
  argus store info
  argus store info -o json";
const CHECK_EXAMPLES: &str = "Examples:

  # Verify the store from cron; mail goes out only on damage (exit 5)
  argus store check --quiet || echo \"argus store damaged\"";
const COMPACT_EXAMPLES: &str = "Examples:

  # Merge parts and drop data older than 30 days
  argus store compact --retention 30d";
const REPAIR_EXAMPLES: &str = "Examples:

  # After `argus store check` found damage: set it aside, keep what still reads
  argus store check || argus store repair

  # The same report as JSON, for a script
  argus store repair -o json";
