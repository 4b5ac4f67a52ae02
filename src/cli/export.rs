//! `argus export`: stream raw samples out of the store.
//!
//! Memory stays bounded by one series at a time (the store's `select_iter`), whatever the range.
//! OpenMetrics output is re-ingestable by `argus ingest` and by Prometheus' `promtool tsdb
//! create-blocks-from openmetrics`; to satisfy OpenMetrics' rule that a metric family's samples
//! are contiguous, the export walks family by family (see `families`).

use super::exit::{self, CliError, CliResult};
use super::output::OutputFormat;
use super::timeargs::RangeArgs;
use super::GlobalArgs;
use crate::expo::OpenMetricsWriter;
use crate::model::time::now_ms;
use crate::model::{is_stale_nan, Labels, Matcher, MetricMetadata, Sample, Series};
use crate::store::Snapshot;
use clap::Args;
use std::collections::{BTreeMap, HashSet};
use std::io::{BufWriter, Write};

/// Write raw samples as CSV, JSON lines or OpenMetrics.
///
/// `argus export '{job="node"}' --since 1d -o openmetrics > node.om` writes every sample of the
/// matching series in the range; with no selector, every series. The CSV and JSON-lines shapes
/// are those `argus ingest` reads (docs/format/csv-jsonl.md). Staleness markers are internal
/// bookkeeping with no spelling in these formats: they are left out and counted on stderr.
///
/// Times are RFC 3339, Unix times (s, ms, µs or ns, told apart by their size), `now`,
/// `now-1h`, or a duration ago (`1h` or `-1h`); --start and --end are --from and --to.
#[derive(Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct ExportArgs {
    /// Series selectors such as `up` or `{job="node", instance=~"web.*"}` (all series when none).
    #[arg(value_name = "SELECTOR")]
    pub selectors: Vec<String>,
    #[command(flatten)]
    pub range: RangeArgs,
    /// Export log streams instead of samples: `-o jsonl` (default) writes one JSON object per
    /// entry, `{"stream":{labels},"ts":"<ns>","line":"...","metadata":{...}}`; `-o raw` writes
    /// the lines only. Entries come stream by stream, each stream in time order.
    #[arg(long)]
    pub logs: bool,
}

/// The EXAMPLES of `argus export --help` and its man page.
const EXAMPLES: &str = "Examples:

  # A day of node_exporter's series as OpenMetrics, for Prometheus' own tools
  argus export '{job=\"node\"}' --since 1d -o openmetrics > node.om
  promtool tsdb create-blocks-from openmetrics node.om ./data

  # Everything, as CSV that argus ingest reads back
  argus export -o csv > all.csv

  # An hour of nginx's log lines, the lines alone
  argus export --logs '{app=\"nginx\"}' --since 1h -o raw > nginx.log";

/// The matchers of each selector argument; one empty selector (everything) when none.
pub fn selectors(args: &ExportArgs) -> Result<Vec<Vec<Matcher>>, CliError> {
    let mut selectors = Vec::new();
    for s in &args.selectors {
        let m = crate::promql::parse_metric_selector(s)
            .map_err(|e| CliError::input(format!("invalid selector {s:?}: {e}")))?;
        selectors.push(m);
    }
    if selectors.is_empty() {
        selectors.push(Vec::new());
    }
    Ok(selectors)
}

pub fn run(global: &GlobalArgs, args: &ExportArgs) -> CliResult {
    if args.logs {
        return super::export_logs::run(global, args);
    }
    let format = global.output_or(
        OutputFormat::Jsonl,
        &[
            OutputFormat::Jsonl,
            OutputFormat::Csv,
            OutputFormat::Openmetrics,
        ],
        "export",
    )?;
    let range = args.range.resolve(now_ms(), i64::MIN / 2)?;
    let selectors = selectors(args)?;
    let store = global.open_store()?;
    let snapshot = store
        .snapshot()
        .map_err(|e| CliError::store("cannot read store", &e))?;
    let stdout = std::io::stdout();
    let out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let bar = super::progress::count_bar("series exported", global.quiet);
    let mut stats = ExportStats::default();
    let r = match format {
        OutputFormat::Openmetrics => export_openmetrics(
            &snapshot, &selectors, range.from, range.to, out, &mut stats, &bar,
        ),
        _ => export_rows(
            &snapshot, &selectors, range.from, range.to, out, format, &mut stats, &bar,
        ),
    };
    bar.finish_and_clear();
    match r {
        Ok(()) => {}
        Err(ExportError::Io(e)) if exit::is_broken_pipe(&e) => return Ok(exit::OK),
        Err(ExportError::Io(e)) => {
            return Err(CliError::failure(format!("cannot write to stdout: {e}")))
        }
        Err(ExportError::Store(e)) => return Err(CliError::store("cannot read store", &e)),
    }
    global.note(format!(
        "exported {} samples of {} series",
        stats.samples, stats.series
    ));
    if stats.stale_skipped > 0 {
        global.note(format!(
            "left out {} staleness markers, which the export formats cannot express",
            stats.stale_skipped
        ));
    }
    Ok(exit::OK)
}

#[derive(Default)]
struct ExportStats {
    series: u64,
    samples: u64,
    stale_skipped: u64,
}

enum ExportError {
    Io(std::io::Error),
    Store(crate::store::StoreError),
}

impl From<std::io::Error> for ExportError {
    fn from(e: std::io::Error) -> Self {
        ExportError::Io(e)
    }
}

impl From<crate::store::StoreError> for ExportError {
    fn from(e: crate::store::StoreError) -> Self {
        ExportError::Store(e)
    }
}

/// Calls `f` once per series matched by any selector, each series once, in store order per
/// selector.
fn for_each_series(
    snapshot: &Snapshot,
    selectors: &[Vec<Matcher>],
    from: i64,
    to: i64,
    mut f: impl FnMut(Series) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    // With several selectors a series may match more than one; remember what was written.
    // One hash per series is the only state that grows with the export.
    let mut seen: HashSet<u64> = HashSet::new();
    for matchers in selectors {
        for series in snapshot.select_iter(matchers, from, to)? {
            let series = series?;
            if selectors.len() > 1 && !seen.insert(series.labels.stable_hash()) {
                continue;
            }
            f(series)?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn export_rows(
    snapshot: &Snapshot,
    selectors: &[Vec<Matcher>],
    from: i64,
    to: i64,
    out: impl Write,
    format: OutputFormat,
    stats: &mut ExportStats,
    bar: &indicatif::ProgressBar,
) -> Result<(), ExportError> {
    let count = |series: &Series, stats: &mut ExportStats| {
        stats.series += 1;
        bar.inc(1);
        live_samples(series, stats)
    };
    if format == OutputFormat::Csv {
        let mut w = csv::WriterBuilder::new().from_writer(out);
        w.write_record(crate::ingest::csv::CSV_HEADER)
            .map_err(csv_error)?;
        for_each_series(snapshot, selectors, from, to, |series| {
            for s in count(&series, stats) {
                w.write_record(crate::ingest::csv::csv_record(&series.labels, s.t, s.v))
                    .map_err(csv_error)?;
            }
            Ok(())
        })?;
        w.flush()?;
    } else {
        let mut out = out;
        for_each_series(snapshot, selectors, from, to, |series| {
            for s in count(&series, stats) {
                let line = crate::ingest::jsonl::jsonl_record(&series.labels, s.t, s.v);
                out.write_all(line.as_bytes())?;
                out.write_all(b"\n")?;
            }
            Ok(())
        })?;
        out.flush()?;
    }
    Ok(())
}

/// The samples of `series` that the export formats can express (all but staleness markers),
/// counting both kinds in `stats`.
fn live_samples(series: &Series, stats: &mut ExportStats) -> Vec<Sample> {
    let live: Vec<Sample> = series
        .samples
        .iter()
        .filter(|s| !is_stale_nan(s.v))
        .copied()
        .collect();
    stats.stale_skipped += (series.samples.len() - live.len()) as u64;
    stats.samples += live.len() as u64;
    live
}

fn csv_error(e: csv::Error) -> ExportError {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => ExportError::Io(e),
        other => ExportError::Io(std::io::Error::other(format!("{other:?}"))),
    }
}

/// One OpenMetrics family: its metadata (if any) and the metric names of its samples.
struct Family {
    metadata: Option<MetricMetadata>,
    names: Vec<String>,
}

/// Groups metric names into OpenMetrics families using the stored metadata (the rules are
/// `expo::family_of`'s); a name no typed family claims is a family of its own without a TYPE
/// line (OpenMetrics' `unknown`).
fn families(names: &[String], metadata: &[MetricMetadata]) -> BTreeMap<String, Family> {
    let md: BTreeMap<&str, &MetricMetadata> =
        metadata.iter().map(|m| (m.metric.as_str(), m)).collect();
    let mut out: BTreeMap<String, Family> = BTreeMap::new();
    for name in names {
        let (family, meta) = crate::expo::family_of(name, |n| md.get(n).copied());
        out.entry(family)
            .or_insert_with(|| Family {
                metadata: meta,
                names: Vec::new(),
            })
            .names
            .push(name.clone());
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn export_openmetrics(
    snapshot: &Snapshot,
    selectors: &[Vec<Matcher>],
    from: i64,
    to: i64,
    out: impl Write,
    stats: &mut ExportStats,
    bar: &indicatif::ProgressBar,
) -> Result<(), ExportError> {
    let mut names: Vec<String> = Vec::new();
    for m in selectors {
        names.extend(snapshot.label_values(crate::model::METRIC_NAME, m, from, to)?);
    }
    names.sort();
    names.dedup();
    let metadata = snapshot.metadata()?;
    let mut w = OpenMetricsWriter::new(out);
    let mut seen: HashSet<u64> = HashSet::new();
    for family in families(&names, &metadata).values() {
        if let Some(md) = &family.metadata {
            w.write_metadata(md)?;
        }
        for name in &family.names {
            for matchers in selectors {
                let mut m = matchers.clone();
                m.push(Matcher::equal(crate::model::METRIC_NAME, name.clone()));
                for series in snapshot.select_iter(&m, from, to)? {
                    let series = series?;
                    if selectors.len() > 1 && !seen.insert(series.labels.stable_hash()) {
                        continue;
                    }
                    stats.series += 1;
                    bar.inc(1);
                    write_om_series(&mut w, &series.labels, &series, stats)?;
                }
            }
        }
    }
    w.finish()?;
    Ok(())
}

fn write_om_series<W: Write>(
    w: &mut OpenMetricsWriter<W>,
    labels: &Labels,
    series: &Series,
    stats: &mut ExportStats,
) -> std::io::Result<()> {
    for s in live_samples(series, stats) {
        w.write_sample(labels, s.t, s.v)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MetricType;

    fn md(name: &str, kind: MetricType) -> MetricMetadata {
        MetricMetadata {
            metric: name.into(),
            kind,
            help: String::new(),
            unit: String::new(),
        }
    }

    #[test]
    fn families_follow_openmetrics_naming() {
        let names: Vec<String> = [
            "h_bucket", "h_count", "h_sum", "c_total", "g", "x_total", "t_total",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let meta = vec![
            md("h", MetricType::Histogram),
            md("c", MetricType::Counter),
            md("g", MetricType::Gauge),
            md("t_total", MetricType::Counter),
        ];
        let f = families(&names, &meta);
        assert_eq!(f["h"].names, vec!["h_bucket", "h_count", "h_sum"]);
        assert_eq!(f["c"].metadata.as_ref().unwrap().kind, MetricType::Counter);
        assert_eq!(f["t"].names, vec!["t_total"]);
        assert!(f["x_total"].metadata.is_none());
        assert_eq!(f["g"].metadata.as_ref().unwrap().kind, MetricType::Gauge);
    }
}
