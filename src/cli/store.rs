//! `argus store`: look after the store directory (`info`, `cardinality`, `check`, `compact`,
//! `repair`).

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
    /// Which metric names, labels and label pairs hold the most series: which label exploded.
    ///
    /// Lists, largest first: series per metric name, values per label name, the bytes label
    /// names and values take in the label sets, and series per label pair (the lists of
    /// Prometheus' /api/v1/status/tsdb, which argus serve answers too). With --logs, the same
    /// for log streams: values per label name, streams per label pair, and bytes of lines per
    /// stream and per label pair. A series that several unmerged parts hold counts once.
    ///
    /// Reads only the store's index (label sets, and each chunk's time range, count and size),
    /// never samples or lines: the cost is about that of opening the store for a query, a few
    /// seconds and some hundreds of MB per million series. Only reads: works on a read-only
    /// store.
    #[command(after_long_help = CARDINALITY_EXAMPLES)]
    Cardinality(CardinalityArgs),
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

/// The options of `argus store cardinality`.
#[derive(Args, Debug)]
pub struct CardinalityArgs {
    /// Count log streams instead of metric series.
    #[arg(long)]
    pub logs: bool,
    /// Entries per list.
    #[arg(long, value_name = "N", default_value_t = crate::http::status_tsdb::DEFAULT_LIMIT,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub limit: usize,
    /// Count only the series matching this selector ('{job="api"}', 'http_requests_total';
    /// with --logs a stream selector such as '{app="api"}'). Repeat for series matching any.
    #[arg(long = "match", value_name = "SELECTOR")]
    pub selectors: Vec<String>,
    /// Also list the series (streams) per value of this label: the "focus label", to see
    /// which values of an exploded label hold the most.
    #[arg(long, value_name = "NAME")]
    pub label: Option<String>,
}

pub fn run(global: &GlobalArgs, args: &StoreArgs) -> CliResult {
    if let StoreAction::Cardinality(a) = &args.action {
        return cardinality(global, a);
    }
    let fmt = global.output_or(
        OutputFormat::Table,
        &[OutputFormat::Table, OutputFormat::Json],
        "store",
    )?;
    match &args.action {
        StoreAction::Info => info(&global.open_store()?, fmt),
        StoreAction::Cardinality(a) => cardinality(global, a),
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

/// The lists of `store cardinality -o csv|tsv`, in order: the keys of the JSON answer.
const METRIC_HEAD: [&str; 5] = [
    "numSeries",
    "numLabelPairs",
    "chunkCount",
    "minTime",
    "maxTime",
];
const METRIC_LISTS: [&str; 5] = [
    "seriesCountByMetricName",
    "labelValueCountByLabelName",
    "memoryInBytesByLabelName",
    "seriesCountByLabelValuePair",
    "seriesCountByFocusLabelValue",
];
const LOG_HEAD: [&str; 7] = [
    "numStreams",
    "numLabelPairs",
    "blockCount",
    "entries",
    "bytes",
    "minTime",
    "maxTime",
];
const LOG_LISTS: [&str; 6] = [
    "labelValueCountByLabelName",
    "streamCountByLabelValuePair",
    "bytesByStream",
    "bytesByLabelValuePair",
    "streamCountByFocusLabelValue",
    "bytesByFocusLabelValue",
];

fn cardinality(global: &GlobalArgs, args: &CardinalityArgs) -> CliResult {
    use crate::http::status_tsdb::{log_selector, logs_status_json, tsdb_status_json};
    use crate::store::cardinality::{self, CardinalityQuery};
    let fmt = global.output_or(
        OutputFormat::Table,
        &[
            OutputFormat::Table,
            OutputFormat::Json,
            OutputFormat::Csv,
            OutputFormat::Tsv,
        ],
        "store cardinality",
    )?;
    let mut selectors = Vec::new();
    for s in &args.selectors {
        let m = if args.logs {
            log_selector(s)
        } else {
            crate::promql::parse_metric_selector(s).map_err(|e| e.to_string())
        };
        selectors.push(m.map_err(|e| CliError::input(format!("--match {s:?}: {e}")))?);
    }
    let q = CardinalityQuery {
        selectors,
        range: None,
        focus_label: args.label.clone(),
        limit: args.limit,
    };
    let store = global.open_store()?;
    let unreadable = |e| CliError::store("cannot read store", &e);
    let c = if args.logs {
        cardinality::logs(&store.log_snapshot().map_err(unreadable)?, &q)
    } else {
        cardinality::metrics(&store.snapshot().map_err(unreadable)?, &q)
    };
    let focus = args.label.is_some();
    let json = if args.logs {
        logs_status_json(&c, focus)
    } else {
        tsdb_status_json(&c, focus)
    };
    let (head, lists): (&[&str], &[&str]) = if args.logs {
        (&LOG_HEAD, &LOG_LISTS)
    } else {
        (&METRIC_HEAD, &METRIC_LISTS)
    };
    let mut out = std::io::stdout().lock();
    let r = match fmt {
        OutputFormat::Json => writeln!(out, "{json}"),
        OutputFormat::Csv | OutputFormat::Tsv => {
            write_cardinality_rows(&mut out, &json, head, lists, fmt == OutputFormat::Tsv)
        }
        _ => write_cardinality_table(&mut out, &c, args),
    };
    super::stdout_result(r)
}

/// One row per number: `section,name,value`, sections named as in the JSON answer
/// (`headStats` first), so that `grep ^seriesCountByLabelValuePair` picks one list.
fn write_cardinality_rows(
    out: &mut dyn Write,
    json: &Value,
    head: &[&str],
    lists: &[&str],
    tsv: bool,
) -> std::io::Result<()> {
    let mut rows: Vec<[String; 3]> = head
        .iter()
        .map(|k| {
            [
                "headStats".into(),
                k.to_string(),
                json["headStats"][k].to_string(),
            ]
        })
        .collect();
    for list in lists {
        for item in json[list].as_array().into_iter().flatten() {
            let name = item["name"].as_str().unwrap_or_default().to_string();
            rows.push([list.to_string(), name, item["value"].to_string()]);
        }
    }
    if tsv {
        // Never quoted, as `cut` reads it: a tab, line break or backslash in a name (a label
        // value may hold any) is escaped, so each line is one row.
        let escape = |s: &str| {
            s.replace('\\', "\\\\")
                .replace('\t', "\\t")
                .replace('\n', "\\n")
                .replace('\r', "\\r")
        };
        writeln!(out, "section\tname\tvalue")?;
        for [section, name, value] in rows {
            writeln!(out, "{section}\t{}\t{value}", escape(&name))?;
        }
        return Ok(());
    }
    let mut w = csv::Writer::from_writer(out);
    let csv_io = |e: csv::Error| std::io::Error::other(e.to_string());
    w.write_record(["section", "name", "value"])
        .map_err(csv_io)?;
    for row in rows {
        w.write_record(&row).map_err(csv_io)?;
    }
    w.flush()
}

/// The lists as aligned tables for people, each under a header that says what it counts.
fn write_cardinality_table(
    out: &mut dyn Write,
    c: &crate::store::cardinality::Cardinality,
    args: &CardinalityArgs,
) -> std::io::Result<()> {
    use crate::store::cardinality::Stat;
    use tabled::{builder::Builder, settings::Style};
    let ms = |t: i64| {
        if args.logs {
            t.div_euclid(1_000_000)
        } else {
            t
        }
    };
    let time = |t: Option<i64>| {
        t.map(|t| format_rfc3339(ms(t)))
            .unwrap_or_else(|| "-".into())
    };
    let (series, chunks) = if args.logs {
        ("streams", "blocks")
    } else {
        ("series", "chunks")
    };
    writeln!(out, "{series:<13}{}", c.series)?;
    writeln!(out, "{:<13}{}", "label pairs", c.label_pairs)?;
    writeln!(out, "{chunks:<13}{}", c.chunks)?;
    if args.logs {
        writeln!(out, "{:<13}{}", "entries", c.samples)?;
        writeln!(out, "{:<13}{}", "bytes", c.bytes)?;
    }
    writeln!(out, "{:<13}{}", "from", time(c.min_time))?;
    writeln!(out, "{:<13}{}", "to", time(c.max_time))?;
    if c.series == 0 {
        return writeln!(out, "\n(no {series})");
    }
    let focus = args.label.as_deref().map(|l| format!("VALUE OF {l}"));
    let upper = series.to_uppercase();
    let mut lists: Vec<([&str; 2], &[Stat])> = Vec::new();
    if args.logs {
        lists.push((["LABEL", "VALUES"], &c.values_by_label_name));
        lists.push((["LABEL PAIR", &upper], &c.series_by_label_pair));
        lists.push((["STREAM", "BYTES"], &c.bytes_by_series));
        lists.push((["LABEL PAIR", "BYTES"], &c.bytes_by_label_pair));
    } else {
        lists.push((["METRIC NAME", &upper], &c.series_by_metric_name));
        lists.push((["LABEL", "VALUES"], &c.values_by_label_name));
        lists.push((
            ["LABEL", "BYTES IN LABEL SETS"],
            &c.label_bytes_by_label_name,
        ));
        lists.push((["LABEL PAIR", &upper], &c.series_by_label_pair));
    }
    if let Some(f) = &focus {
        lists.push(([f, &upper], &c.series_by_focus_value));
        if args.logs {
            lists.push(([f, "BYTES"], &c.bytes_by_focus_value));
        }
    }
    for (header, list) in lists {
        let mut b = Builder::default();
        b.push_record(header);
        for s in list {
            b.push_record([s.name.clone(), s.value.to_string()]);
        }
        let mut table = b.build();
        table.with(Style::blank());
        writeln!(out, "\n{table}")?;
    }
    Ok(())
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

  # Which metric names, labels and label pairs hold the most series
  argus store cardinality

  # Verify everything; exit 5 on damage
  argus store check

  # Merge parts and drop data older than 30 days, from a nightly cron job
  argus store compact --retention 30d";
const INFO_EXAMPLES: &str = "Examples:

  # Size and shape of the store, for people or as JSON
  argus store info
  argus store info -o json";
const CARDINALITY_EXAMPLES: &str = "Examples:

  # Which metric, label and label pair hold the most series
  argus store cardinality

  # The 20 values of the label path that hold the most series of one metric
  argus store cardinality --match http_requests_total --label path --limit 20

  # The log streams: which labels have the most values, which streams the most bytes
  argus store cardinality --logs

  # Every label pair with its series count, for a script
  argus store cardinality --limit 1000 -o csv | grep '^seriesCountByLabelValuePair'";
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
