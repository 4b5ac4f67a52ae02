//! `argus ingest`: push metric files or stdin into the store.
//!
//! One invocation is one commit: either every input is accepted and becomes visible at once, or
//! (on the first bad record, without `--skip-invalid`) nothing does. Inputs stream, so memory
//! stays flat whatever their size; the store spills to temporary files on large inputs.

use super::exit::{self, CliError, CliResult};
use super::GlobalArgs;
use crate::expo::quoted;
use crate::ingest::{ingest_metrics, IngestOptions, InputFormat};
use crate::model::time::now_ms;
use clap::{Args, Subcommand, ValueEnum};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;

/// Store metric samples from files or stdin: Prometheus text, OpenMetrics, CSV or JSON lines;
/// `argus ingest logs` stores log lines.
///
/// Samples keep their own timestamps (backfill of history); samples without one get the time
/// of the run. Give `-` or no file to read stdin. See docs/format/csv-jsonl.md for the CSV and
/// JSON-lines layouts.
///
/// Bad records (a syntax error, a time outside the years 0000 to 9999, a label name longer
/// than 1024 bytes or value longer than 16 KiB, a text-format last line without its line
/// feed) are named as FILE:LINE:COLUMN and reject the whole invocation (exit 3) unless
/// --skip-invalid. An OpenMetrics input without its closing `# EOF` is truncated and stores
/// nothing even with --skip-invalid. The count reported is what the store kept: of several
/// samples of one series at one time, the last one given.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, after_long_help = EXAMPLES)]
pub struct IngestArgs {
    #[command(subcommand)]
    pub kind: Option<IngestKind>,
    /// Input files (`-` for stdin; stdin when none is given).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Input format; `auto` decides by file extension and content.
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    pub format: FormatArg,
    /// Add a label to every sample (repeatable), e.g. `--label env=prod`. It overrides a label
    /// of the same name in the input.
    #[arg(long = "label", value_name = "NAME=VALUE")]
    pub labels: Vec<String>,
    /// Store the valid records and report the invalid ones (exit 4) instead of rejecting the
    /// whole invocation.
    #[arg(long)]
    pub skip_invalid: bool,
}

#[derive(Subcommand, Debug)]
pub enum IngestKind {
    // No doc comment here: clap would take it as the subcommand's whole help, hiding the
    // long description that `IngestLogsArgs` carries.
    Logs(super::ingest_logs::IngestLogsArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    Auto,
    /// Prometheus text format 0.0.4.
    Prom,
    Openmetrics,
    Csv,
    Jsonl,
}

/// An opened input: its name for messages, its size when known (for the progress bar), and
/// a buffered reader.
pub type Input = (String, Option<u64>, Box<dyn BufRead>);

/// An input file, or stdin for `-`.
pub fn open_input(path: &std::path::Path) -> Result<Input, CliError> {
    if path.as_os_str() == "-" {
        return Ok((
            "<stdin>".into(),
            None,
            Box::new(BufReader::with_capacity(1 << 16, std::io::stdin())),
        ));
    }
    let f = File::open(path)
        .map_err(|e| CliError::input(format!("cannot open {}: {e}", path.display())))?;
    let size = f.metadata().ok().map(|m| m.len());
    Ok((
        path.display().to_string(),
        size,
        Box::new(BufReader::with_capacity(1 << 16, f)),
    ))
}

/// Parses the `--label name=value` arguments. This is done here rather than by clap, whose
/// message would repeat a rejected argument whole (a value of megabytes).
pub fn parse_labels(args: &[String]) -> Result<Vec<(String, String)>, CliError> {
    args.iter()
        .map(|a| parse_label(a).map_err(|m| CliError::usage(format!("--label: {m}"))))
        .collect()
}

/// Parses `name=value` for `--label`, within the label size limits.
pub fn parse_label(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("{} is not NAME=VALUE", quoted(s)))?;
    if !crate::model::labels::is_valid_label_name(k) {
        return Err(format!(
            "{} is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)",
            quoted(k)
        ));
    }
    crate::model::limits::check_label_size(k, v)?;
    Ok((k.to_string(), v.to_string()))
}

pub fn run(global: &GlobalArgs, args: &IngestArgs) -> CliResult {
    if let Some(IngestKind::Logs(a)) = &args.kind {
        return super::ingest_logs::run(global, a);
    }
    let opts = IngestOptions {
        format: match args.format {
            FormatArg::Auto => InputFormat::Auto,
            FormatArg::Prom => InputFormat::PrometheusText,
            FormatArg::Openmetrics => InputFormat::OpenMetrics,
            FormatArg::Csv => InputFormat::Csv,
            FormatArg::Jsonl => InputFormat::JsonLines,
        },
        extra_labels: parse_labels(&args.labels)?,
        skip_invalid: args.skip_invalid,
        default_timestamp: now_ms(),
        max_errors_reported: 10,
    };
    let store = global.open_store_to_write()?;
    let mut writer = store.writer();
    let inputs: Vec<PathBuf> = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    let (mut appended, mut invalid) = (0u64, 0u64);
    let mut first_errors = Vec::new();
    for path in &inputs {
        let (name, size, mut reader) = open_input(path)?;
        let bar = super::progress::bytes_bar(size, global.quiet, &name);
        let report = ingest_metrics(&mut reader, &name, &opts, &mut writer, &mut |n| {
            bar.set_position(n)
        });
        bar.finish_and_clear();
        // Without --skip-invalid the first error rejects the invocation: the writer is dropped
        // uncommitted, so nothing from any input becomes visible.
        let report = report.map_err(|e| {
            let hint = if e.skippable && !args.skip_invalid {
                " (use --skip-invalid to store the valid records)"
            } else {
                ""
            };
            CliError::input(format!("{e}\nnothing was stored{hint}"))
        })?;
        appended += report.samples;
        invalid += report.invalid;
        first_errors.extend(report.first_errors);
    }
    let stats = writer
        .commit()
        .map_err(|e| CliError::store("cannot store the samples", &e))?;
    // The writer keeps one sample per series and time (the last given), so the count is the
    // commit's, not the number of samples read.
    let replaced = appended.saturating_sub(stats.samples);
    global.note(format!(
        "stored {} samples of {} series from {} input(s){}",
        stats.samples,
        stats.series,
        inputs.len(),
        if replaced > 0 {
            format!("; {replaced} sample(s) replaced by a later one of the same series and time")
        } else {
            String::new()
        }
    ));
    if invalid > 0 {
        eprintln!("argus: skipped {invalid} invalid record(s); the first ones:");
        for e in first_errors.iter().take(10) {
            eprintln!("  {e}");
        }
        return Ok(exit::PARTIAL);
    }
    Ok(exit::OK)
}

/// What `--help` and the man page show after the options.
const EXAMPLES: &str = "Examples:

  # Backfill history from files in any supported format
  argus ingest history.om other.prom samples.csv

  # A pipeline on stdin, with an extra label on every sample
  curl -s http://localhost:9100/metrics | argus ingest --label env=prod

  # Store what is valid and report the rest (exit 4)
  argus ingest --skip-invalid samples.csv";
