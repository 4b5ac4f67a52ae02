//! `argus ingest logs`: log lines from files or stdin into log streams.
//!
//! Files are stored in one commit, as metrics are: when it exits 0 or 4 every stored line is
//! durable and visible at once; a stop on the way (too many streams, an unreadable input)
//! stores nothing. Inputs that may not end (a pipe on stdin, `--follow`) and `--positions`
//! runs are stored as they come (`ingest::follow`). This file parses the flags and prints the
//! outcome; the rules for bad lines are in `ingest::logs` and the man page.

use super::exit::{self, CliError, CliResult};
use super::ingest::parse_labels;
use super::GlobalArgs;
use crate::ingest::follow;
use crate::ingest::logs::{
    ingest_logs, LineFormat, LogIngestOptions, LogIngestReport, LogIngestState, TimeFormat,
};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Store log lines from files or stdin as log streams.
///
/// For example `kubectl logs -f deploy/api | argus ingest logs --label app=api`, `journalctl
/// -o json | argus ingest logs --label host=web1 --label-from PRIORITY`, or `argus ingest
/// logs --label app=nginx access.log`.
///
/// Every line becomes one entry of the stream named by its labels: the `--label`s, plus
/// fields promoted with `--label-from`. Its time is found in the line (--time-format auto,
/// the default: an RFC 3339 time at the start of the line; else the first field `ts`, `time`,
/// `timestamp`, `@timestamp` or `__REALTIME_TIMESTAMP` of a JSON or logfmt line holding an
/// RFC 3339 time or a Unix time in s, ms, µs or ns, told apart by size, between the years
/// 2000 and 2100; else the `[10/Oct/2000:13:55:36 -0700]` of Apache/nginx logs), or read as
/// --time-field and --time-format say; a line without one takes its time of arrival, and
/// --time-format arrival gives every line its time of arrival. Entries may arrive in any time
/// order.
///
/// Lines written by `argus export --logs` (`{"line":..,"stream":{..},"ts":"..",
/// "metadata":{..}}`) are restored as they were: their own labels (a --label overrides one),
/// nanosecond time, line and metadata; such an input needs no --label. `--format export`
/// says that every line must be one.
///
/// Bad input: invalid UTF-8 is kept with U+FFFD for each bad sequence; a line longer than
/// --max-line-bytes, or whose promoted label is longer than 16 KiB, is rejected; a timestamp
/// that does not parse, or lies outside the years 1678 to 2261, is replaced by the time of
/// arrival; each is reported as FILE:LINE and makes the exit code 4. More than --max-streams
/// streams stop the ingest before anything is stored (exit 3): a label with many values
/// (request ids, user ids) belongs in the line or in structured metadata (--metadata-from).
/// The count reported is what the store kept: an entry equal to another in stream, time,
/// line and metadata is kept once.
///
/// Files are stored in one commit. A pipe on stdin (`kubectl logs -f ... | argus ingest
/// logs`) and files read with --follow are stored as they come: lines are committed when the
/// input pauses, at least every 5 s, and on SIGINT/SIGTERM, which end the run with exit 0;
/// a stop (too many streams) keeps what was committed before. --follow survives rotation by
/// rename (the old file is read to its end, then the new one from its start) and by
/// truncation, as `tail -F`. With --positions, each run starts where the last one stopped
/// and records its progress after each commit; a last line without its newline waits for
/// the next run.
#[derive(Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct IngestLogsArgs {
    /// Input files (`-` for stdin; stdin when none is given).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Add a label to every line's stream (repeatable), e.g. `--label app=api`.
    #[arg(long = "label", value_name = "NAME=VALUE")]
    pub labels: Vec<String>,
    /// Promote a JSON or logfmt field to a stream label (repeatable), e.g. `--label-from level`.
    #[arg(long, value_name = "FIELD")]
    pub label_from: Vec<String>,
    /// Keep a JSON or logfmt field as structured metadata of the entry (repeatable).
    #[arg(long, value_name = "FIELD")]
    pub metadata_from: Vec<String>,
    /// Take each line's time from this JSON or logfmt field (a line without it, or with a
    /// value that is not a time, is reported and takes its time of arrival).
    #[arg(long, value_name = "FIELD")]
    pub time_field: Option<String>,
    /// How times are written: in --time-field, or, without it, at the start of raw lines
    /// (`common`: the `[10/Oct/2000:13:55:36 -0700]` of Apache/nginx logs). `auto` finds
    /// the time as described above (in --time-field: RFC 3339, or Unix s, ms, µs or ns by
    /// size); `arrival` stamps every line with the time it was read.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = TimeFormatArg::Auto)]
    pub time_format: TimeFormatArg,
    /// How to read a line: `auto` restores records of `argus export --logs` and finds fields
    /// in JSON lines (those starting with `{`) and logfmt lines (the others); `export` takes
    /// only such records. Only top-level fields count, the first of a name wins, and a JSON
    /// line is read only until every wanted field is found: a line broken after them still
    /// gives them, one broken before gives none.
    #[arg(long, value_enum, default_value_t = LineFormatArg::Auto)]
    pub format: LineFormatArg,
    /// Reject lines longer than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 256 * 1024)]
    pub max_line_bytes: usize,
    /// Stop (storing nothing) when the lines would make more streams than this.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_streams: usize,
    /// Promote at most this many distinct values of each --label-from field; further values
    /// stay in the line only.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_label_values: usize,
    /// Keep reading the files as they grow, across rotation (rename or truncate, as
    /// `tail -F`), committing new lines as they come, until SIGINT or SIGTERM.
    #[arg(long)]
    pub follow: bool,
    /// Record in FILE how far each input file was stored, and start from there: a cron job
    /// with --positions stores each line once across runs.
    #[arg(long, value_name = "FILE")]
    pub positions: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LineFormatArg {
    Auto,
    Json,
    Logfmt,
    Raw,
    /// Records written by `argus export --logs`.
    Export,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TimeFormatArg {
    Auto,
    /// The time each line is read.
    Arrival,
    Rfc3339,
    /// Unix seconds, with an optional fraction.
    Unix,
    UnixMs,
    UnixNs,
    /// Apache/nginx common log format.
    Common,
}

pub fn run(global: &GlobalArgs, args: &IngestLogsArgs) -> CliResult {
    let opts = LogIngestOptions {
        labels: parse_labels(&args.labels)?,
        label_from: args.label_from.clone(),
        metadata_from: args.metadata_from.clone(),
        format: match args.format {
            LineFormatArg::Auto => LineFormat::Auto,
            LineFormatArg::Json => LineFormat::Json,
            LineFormatArg::Logfmt => LineFormat::Logfmt,
            LineFormatArg::Raw => LineFormat::Raw,
            LineFormatArg::Export => LineFormat::Export,
        },
        time_field: args.time_field.clone(),
        time_format: match args.time_format {
            TimeFormatArg::Auto => TimeFormat::Auto,
            TimeFormatArg::Arrival => TimeFormat::Arrival,
            TimeFormatArg::Rfc3339 => TimeFormat::Rfc3339,
            TimeFormatArg::Unix => TimeFormat::UnixSeconds,
            TimeFormatArg::UnixMs => TimeFormat::UnixMillis,
            TimeFormatArg::UnixNs => TimeFormat::UnixNanos,
            TimeFormatArg::Common => TimeFormat::Common,
        },
        max_line_bytes: args.max_line_bytes,
        max_streams: args.max_streams,
        max_label_values: args.max_label_values,
        arrival_ns: crate::model::time::now_ns(),
        max_reported: 10,
    };
    // Records of an export carry their own labels; other lines need some.
    let records_possible = matches!(opts.format, LineFormat::Auto | LineFormat::Export);
    if opts.labels.is_empty() && opts.label_from.is_empty() && !records_possible {
        return Err(CliError::usage(
            "give at least one --label (for example --label app=myapp) or --label-from: a log stream is named by its labels",
        ));
    }
    if opts.time_field.is_some() && opts.time_format == TimeFormat::Arrival {
        return Err(CliError::usage(
            "--time-format arrival ignores the lines' times: it cannot be combined with --time-field",
        ));
    }
    let inputs: Vec<PathBuf> = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    let from_stdin = inputs.iter().any(|p| p.as_os_str() == "-");
    if args.follow && from_stdin {
        return Err(CliError::usage(
            "--follow reads files; a pipe on stdin is read as it comes without it",
        ));
    }
    // Inputs that may never end are stored as they come; a plain file in one commit.
    if args.follow || args.positions.is_some() || (from_stdin && follow::stdin_is_stream()) {
        return run_growing(global, &inputs, args, &opts);
    }
    let store = global.open_store_to_write()?;
    let mut writer = store.log_writer();
    let mut state = LogIngestState::default();
    let mut report = LogIngestReport::default();
    for path in &inputs {
        let (name, size, mut reader) = super::ingest::open_input(path)?;
        let bar = super::progress::bytes_bar(size, global.quiet, &name);
        let r = ingest_logs(
            &mut reader,
            &name,
            &opts,
            &mut state,
            &mut writer,
            &mut report,
            &mut |n| bar.set_position(n),
        );
        bar.finish_and_clear();
        // The writer is dropped uncommitted on error: nothing becomes visible.
        r?;
    }
    let stats = writer
        .commit()
        .map_err(|e| CliError::store("cannot store the lines", &e))?;
    global.note(format!(
        "stored {} lines in {} streams from {} input(s){}",
        stats.entries,
        stats.streams,
        inputs.len(),
        duplicates_note(report.appended, stats.entries)
    ));
    Ok(finish(&report, &state))
}

/// What the count of stored lines leaves out: the store keeps an entry equal to another in
/// stream, time, line and metadata once.
fn duplicates_note(appended: u64, kept: u64) -> String {
    match appended.saturating_sub(kept) {
        0 => String::new(),
        n => format!(
            "; {n} exact duplicate line(s) (the same stream, time, text and metadata as \
             another) stored once"
        ),
    }
}

/// Stores inputs that may not end as they come (see `ingest::follow`).
fn run_growing(
    global: &GlobalArgs,
    inputs: &[PathBuf],
    args: &IngestLogsArgs,
    opts: &LogIngestOptions,
) -> CliResult {
    let store = global.open_store_to_write()?;
    let outcome = follow::ingest_growing(
        &store,
        inputs,
        args.follow,
        args.positions.as_deref(),
        opts,
        &mut |m| global.note(m),
    )?;
    global.note(format!(
        "stored {} lines from {} input(s){}",
        outcome.kept,
        inputs.len(),
        duplicates_note(outcome.report.appended, outcome.kept)
    ));
    Ok(finish(&outcome.report, &outcome.state))
}

/// Prints the warnings and the first bad lines of an ingest; its exit code: 4 when lines
/// were rejected or repaired, else 0.
fn finish(report: &LogIngestReport, state: &LogIngestState) -> i32 {
    for w in report.warnings.iter().chain(&state.id_like_labels()) {
        eprintln!("argus: warning: {w}");
    }
    if report.rejected + report.repaired == 0 {
        return exit::OK;
    }
    eprintln!(
        "argus: {} line(s) rejected, {} kept with a repair; the first ones:",
        report.rejected, report.repaired
    );
    for p in &report.problems {
        eprintln!("  {p}");
    }
    exit::PARTIAL
}

/// What `--help` and the man page show after the options.
const EXAMPLES: &str = "Examples:

  # The journal, one stream per host and priority, timed by the journal
  journalctl -o json | argus ingest logs --label host=web1 --time-field __REALTIME_TIMESTAMP --label-from PRIORITY

  # An nginx access log, timed by its [10/Oct/2000:13:55:36 -0700] stamps
  argus ingest logs --label app=nginx --time-format common /var/log/nginx/access.log

  # Follow a log across rotation until Ctrl-C
  argus ingest logs --label app=api --follow /var/log/api.log

  # From cron: each run stores only what is new since the last one
  argus ingest logs --label app=api --positions /var/lib/argus/api.pos /var/log/api.log";
