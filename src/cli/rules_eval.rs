//! `argus rules eval`: evaluate every rule group once, at now, against the store, from cron
//! with no server. Alert state is kept in the store, so `for:` and resolution work across
//! runs; the exit code says whether anything fires. `argus rules backfill`: recording rules
//! evaluated over past data.

use super::exit::{self, CliError, CliResult};
use super::output::OutputFormat;
use super::GlobalArgs;
use crate::model::time::{format_rfc3339, now_ms};
use crate::promql::engine::Engine;
use crate::rules::alert::AlertState;
use crate::rules::config::{self, RulesConfig};
use crate::rules::file::RuleFile;
use crate::rules::group::{EvalSettings, Health};
use crate::rules::once::{eval_all, GroupReport, OnceSettings};
use clap::Args;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

/// Evaluate rule groups once, now, against the store (for cron).
///
/// Reads the rule files named by --rules, or the `rule_files` of a prometheus.yml given with
/// --config (with its global evaluation_interval, rule_query_offset and external_labels).
/// Each group is evaluated at the latest instant of its schedule (now rounded down to its
/// interval); recording rules write their series to the store, alerting rules write ALERTS
/// and ALERTS_FOR_STATE and keep their alerts' state in the store, so that `for:` counts
/// across runs. A group that another run, or a server on the same store, already evaluated
/// at that instant is not evaluated again: overlapping cron runs are safe.
///
/// Prints the alerts that are pending or firing. Exit codes: 0 when nothing fires, 6 when
/// some alert is firing (so `argus rules eval || page-me` works), 3 when a rule file is
/// invalid or a rule failed to evaluate (each named on stderr; the other groups are still
/// evaluated), 1 for store and I/O failures.
#[derive(Args, Debug)]
#[command(after_long_help = EVAL_EXAMPLES)]
pub struct EvalArgs {
    /// Rule files to evaluate (Prometheus' format).
    #[arg(long = "rules", value_name = "FILE", num_args = 1.., required_unless_present = "config")]
    pub rules: Vec<PathBuf>,
    /// A prometheus.yml whose `rule_files` to evaluate, with its global settings.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// An Alertmanager configuration (alertmanager.yml): argus itself routes, groups and
    /// sends the notifications (Slack, webhooks) as Alertmanager would, its state kept in the
    /// store across runs.
    #[arg(long, value_name = "FILE")]
    pub alertmanager_config: Option<PathBuf>,
    /// Evaluate at this time instead of now (RFC 3339, Unix time, `now-5m`...). A group
    /// already evaluated at or after that instant is left alone.
    #[arg(long, value_name = "TIME")]
    pub time: Option<String>,
    /// The URL alert templates see as $externalURL.
    #[arg(long, value_name = "URL", default_value = "")]
    pub external_url: String,
}

const EVAL_EXAMPLES: &str = "Examples:

  # Every minute from cron; page when something fires
  * * * * * argus rules eval --rules /etc/argus/alerts.yml -q || page-me

  # The rule_files of an existing Prometheus configuration
  argus rules eval --config /etc/prometheus/prometheus.yml

  # The alerts as JSON, shaped as Prometheus' /api/v1/alerts
  argus rules eval --rules alerts.yml -o json";

pub fn run(global: &GlobalArgs, args: &EvalArgs) -> CliResult {
    let fmt = global.output_or(
        OutputFormat::Table,
        &[OutputFormat::Table, OutputFormat::Json],
        "rules eval",
    )?;
    let (settings, files) = load_rules(&args.rules, args.config.as_deref())?;
    let notify = args
        .alertmanager_config
        .as_deref()
        .map(crate::notify::Config::load)
        .transpose()
        .map_err(|e| CliError::input(e.to_string()))?;
    let store = global.open_store_to_maintain()?;
    let engine = Engine::default();
    let once = OnceSettings {
        eval: EvalSettings {
            engine: &engine,
            external_labels: &settings.external_labels,
            external_url: &args.external_url,
            url_functions: true,
        },
        default_interval: settings.evaluation_interval,
        default_query_offset: settings.rule_query_offset,
        alerting: &settings.alerting,
        notify: notify.as_ref(),
        on_evaluated: None,
    };
    let now = now_ms();
    let at = match &args.time {
        Some(t) => super::timeargs::parse_time_flag("--time", t, now)?,
        None => now,
    };
    let run = eval_all(&store, &files, &once, at)
        .map_err(|e| CliError::store("cannot evaluate rules", &e))?;
    let reports = run.groups;
    let failed = report_failures(global, &reports);
    for r in &reports {
        for e in &r.send_errors {
            eprintln!("argus: error: {e}");
        }
    }
    for e in &run.notify.errors {
        eprintln!("argus: error: {e}");
    }
    let firing = reports.iter().any(|r| {
        r.state
            .rules
            .iter()
            .any(|rs| rs.alerts.state() == AlertState::Firing)
    });
    // With -q a cron run prints nothing while nothing fires, so cron mails only then.
    if firing || !global.quiet {
        if let Err(e) = print_alerts(&reports, fmt) {
            if !exit::is_broken_pipe(&e) {
                return Err(CliError::failure(format!("cannot write the alerts: {e}")));
            }
        }
    }
    Ok(if firing {
        exit::ALERTS_FIRING
    } else if failed {
        exit::INPUT_REJECTED
    } else {
        exit::OK
    })
}

/// The rule files of `--rules` and of `--config`'s `rule_files`, with the configuration's
/// settings. The configuration is checked whole, strictly, as any prometheus.yml argus reads.
fn load_rules(
    rules: &[PathBuf],
    config: Option<&std::path::Path>,
) -> Result<(RulesConfig, Vec<RuleFile>), CliError> {
    if let Some(path) = config {
        crate::scrape::config::load_config(path).map_err(|e| CliError::input(e.to_string()))?;
    }
    config::load_all(rules, config)
        .map_err(|e| CliError::input(format!("{e} (nothing was evaluated)")))
}

/// Names every rule that failed; true when any did.
fn report_failures(global: &GlobalArgs, reports: &[GroupReport]) -> bool {
    let mut failed = false;
    for r in reports.iter().filter(|r| r.evaluated_at.is_some()) {
        for (i, rs) in r.state.rules.iter().enumerate() {
            failed |= rs.health == Health::Err;
            if let (Health::Err, Some(e)) = (rs.health, &rs.last_error) {
                eprintln!(
                    "argus: {}: group {:?}, rule {}: {e}",
                    r.file,
                    r.group,
                    i + 1
                );
            }
        }
    }
    let skipped = reports.iter().filter(|r| r.evaluated_at.is_none()).count();
    if skipped > 0 {
        global.note(format!(
            "{skipped} group(s) already evaluated at this instant by another run; their alerts \
             are shown as they were left"
        ));
    }
    failed
}

fn print_alerts(reports: &[GroupReport], fmt: OutputFormat) -> std::io::Result<()> {
    let mut alerts = Vec::new();
    for r in reports {
        for rs in &r.state.rules {
            alerts.extend(rs.alerts.current());
        }
    }
    let mut out = std::io::stdout().lock();
    if fmt == OutputFormat::Json {
        let list: Vec<_> = alerts.iter().map(|a| a.api_json()).collect();
        return writeln!(out, "{}", json!({ "alerts": list }));
    }
    if alerts.is_empty() {
        return writeln!(out, "no alerts pending or firing");
    }
    writeln!(
        out,
        "{:<8} {:<24} {:<14} LABELS",
        "STATE", "ACTIVE SINCE", "VALUE"
    )?;
    for a in alerts {
        writeln!(
            out,
            "{:<8} {:<24} {:<14} {}",
            a.state.as_str(),
            format_rfc3339(a.active_at),
            crate::gotmpl::strconv::format_float(a.value, 'g', -1),
            a.labels
        )?;
    }
    Ok(())
}

/// Evaluate recording rules over past data and store what they would have recorded.
///
/// As `promtool tsdb create-blocks-from rules`, but into the store directly: every
/// recording rule of the files is evaluated at each instant of its group's schedule (or
/// every --eval-interval) from --from to --to, and its output stored, so that a new rule
/// covers old data at once. Alerting rules are skipped (counted on stderr). A rule that
/// fails is named on stderr and the others go on; exit 3 then.
#[derive(Args, Debug)]
#[command(after_long_help = BACKFILL_EXAMPLES)]
pub struct BackfillArgs {
    /// Rule files whose recording rules to backfill.
    #[arg(long = "rules", value_name = "FILE", num_args = 1.., required_unless_present = "config")]
    pub rules: Vec<PathBuf>,
    /// A prometheus.yml whose `rule_files` to backfill, with its global settings.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// First instant (RFC 3339, Unix time, `now-30d`, `30d`...).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub from: String,
    /// Last instant [default: now].
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub to: Option<String>,
    /// Evaluate every DURATION instead of each group's interval.
    #[arg(long, value_name = "DURATION")]
    pub eval_interval: Option<String>,
}

const BACKFILL_EXAMPLES: &str = "Examples:

  # A new recording rule over the last 30 days
  argus rules backfill --rules records.yml --from 30d

  # One day, every 5 minutes
  argus rules backfill --rules records.yml --from 2026-12-01T00:00:00Z --to 2026-12-02T00:00:00Z --eval-interval 5m";

pub fn run_backfill(global: &GlobalArgs, args: &BackfillArgs) -> CliResult {
    let now = now_ms();
    let from = super::timeargs::parse_time_flag("--from", &args.from, now)?;
    let to = match &args.to {
        Some(t) => super::timeargs::parse_time_flag("--to", t, now)?,
        None => now,
    };
    if to < from {
        return Err(CliError::usage("--to is before --from"));
    }
    let interval = args
        .eval_interval
        .as_deref()
        .map(|d| match crate::rules::file::parse_prometheus_duration(d) {
            Some(ms) if ms > 0 => Ok(ms),
            _ => Err(CliError::usage(format!(
                "--eval-interval {d:?}: not a positive duration (for example 1m)"
            ))),
        })
        .transpose()?;
    let (settings, files) = load_rules(&args.rules, args.config.as_deref())?;
    let store = global.open_store_to_maintain()?;
    let engine = Engine::default();
    let eval = EvalSettings {
        engine: &engine,
        external_labels: &settings.external_labels,
        external_url: "",
        url_functions: true,
    };
    let report = crate::rules::backfill::backfill(
        &store,
        &files,
        &eval,
        settings.evaluation_interval,
        interval,
        from,
        to,
    )
    .map_err(|e| CliError::store("cannot backfill", &e))?;
    if report.skipped_alerting_rules > 0 {
        global.note(format!(
            "{} alerting rule(s) skipped: only recording rules are backfilled",
            report.skipped_alerting_rules
        ));
    }
    for (file, group, rule, error) in &report.failures {
        eprintln!("argus: {file}: group {group:?}, rule {rule:?}: {error}");
    }
    global.note(format!(
        "backfilled {} group(s) at {} instant(s): {} samples stored",
        report.groups, report.instants, report.samples
    ));
    Ok(if report.failures.is_empty() {
        exit::OK
    } else {
        exit::INPUT_REJECTED
    })
}
