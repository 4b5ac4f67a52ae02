//! `argus alerts list` and `argus rules list`: what the rule groups evaluated on this store
//! (by `rules eval` from cron or by `serve`) left in their state files.

use super::exit::{self, CliError, CliResult};
use super::output::OutputFormat;
use super::GlobalArgs;
use crate::model::time::format_rfc3339;
use crate::rules::alert::AlertState;
use crate::rules::state::{self, Summary};
use clap::{Args, Subcommand};
use serde_json::{json, Value};
use std::io::Write;

/// Alerts of the rules evaluated on this store.
#[derive(Args, Debug)]
#[command(after_long_help = ALERTS_EXAMPLES)]
pub struct AlertsArgs {
    #[command(subcommand)]
    pub action: AlertsAction,
}

const ALERTS_EXAMPLES: &str = "Examples:

  # What is firing or pending now
  argus alerts list

  # Firing only, as JSON shaped as Prometheus' /api/v1/alerts
  argus alerts list --state firing -o json

  # Quiet the notifications of one alert for two hours
  argus alerts silence add 'alertname=\"MySQLDown\"' 'instance=~\"db1.*\"' --duration 2h --comment 'maintenance'";

#[derive(Subcommand, Debug)]
pub enum AlertsAction {
    /// List the pending and firing alerts of every rule group evaluated on this store.
    ///
    /// Reads the groups' state in the store as `argus rules eval` and `argus serve` left it
    /// (as of each group's last evaluation). Exit 0, also when nothing is pending or firing.
    #[command(after_long_help = "Examples:

  # Pending and firing alerts
  argus alerts list

  # Firing only, as JSON
  argus alerts list --state firing -o json")]
    List {
        /// Only alerts in this state.
        #[arg(long, value_enum)]
        state: Option<StateArg>,
    },
    /// Silences: mute the notifications of matching alerts for a while.
    #[command(after_long_help = SILENCE_EXAMPLES)]
    Silence {
        #[command(subcommand)]
        action: SilenceAction,
    },
}

const SILENCE_EXAMPLES: &str = "Examples:

  # Two hours of quiet for one alert on matching instances
  argus alerts silence add 'alertname=\"MySQLDown\"' 'instance=~\"db1.*\"' --duration 2h --comment 'upgrade'

  # What is silenced, then end one early
  argus alerts silence list
  argus alerts silence expire 3f1c9a2e-8b1d-4c6e-9f0a-2d7b5e4c1a90";

#[derive(Subcommand, Debug)]
pub enum SilenceAction {
    /// Add a silence: notifications (argus' own, `--alertmanager-config`) of alerts that
    /// match every matcher are not sent until it ends. Kept in the store, honoured by
    /// `rules eval` and `serve`. Prints the silence's ID.
    #[command(after_long_help = SILENCE_EXAMPLES)]
    Add {
        /// Matchers in Alertmanager's syntax: `alertname="X"`, `severity=~"crit|page"`,
        /// `instance!="db2"`; at least one must not match the empty string.
        #[arg(value_name = "MATCHER", required = true)]
        matchers: Vec<String>,
        /// How long the silence lasts.
        #[arg(long, value_name = "DURATION", default_value = "1h")]
        duration: String,
        /// When it starts [default: now].
        #[arg(long, value_name = "TIME")]
        start: Option<String>,
        /// Who adds it [default: $USER].
        #[arg(long, value_name = "NAME")]
        author: Option<String>,
        /// Why (required, as Alertmanager's amtool requires it).
        #[arg(long, value_name = "TEXT")]
        comment: String,
    },
    /// List the silences that are active or pending (with --expired, all).
    #[command(after_long_help = SILENCE_EXAMPLES)]
    List {
        #[arg(long)]
        expired: bool,
    },
    /// End silences now.
    #[command(after_long_help = SILENCE_EXAMPLES)]
    Expire {
        #[arg(value_name = "ID", required = true)]
        ids: Vec<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StateArg {
    Pending,
    Firing,
}

pub fn run(global: &GlobalArgs, args: &AlertsArgs) -> CliResult {
    let state = match &args.action {
        AlertsAction::List { state } => state,
        AlertsAction::Silence { action } => return super::silences::run(global, action),
    };
    let fmt = global.output_or(
        OutputFormat::Table,
        &[OutputFormat::Table, OutputFormat::Json],
        "alerts list",
    )?;
    let groups = read_groups(global)?;
    let wanted = |s: AlertState| match state {
        None => s != AlertState::Inactive,
        Some(StateArg::Pending) => s == AlertState::Pending,
        Some(StateArg::Firing) => s == AlertState::Firing,
    };
    let mut rows = Vec::new();
    for g in &groups {
        for r in &g.rules {
            for a in r.alerts.iter().filter(|a| wanted(a.state)) {
                rows.push((g, a));
            }
        }
    }
    let mut out = std::io::stdout().lock();
    let written = if fmt == OutputFormat::Json {
        let list: Vec<Value> = rows.iter().map(|(_, a)| a.api_json()).collect();
        writeln!(out, "{}", json!({ "alerts": list }))
    } else if rows.is_empty() {
        writeln!(out, "no alerts pending or firing")
    } else {
        let mut text = format!(
            "{:<8} {:<24} {:<20} LABELS\n",
            "STATE", "ACTIVE SINCE", "GROUP"
        );
        for (g, a) in rows {
            text.push_str(&format!(
                "{:<8} {:<24} {:<20} {}\n",
                a.state.as_str(),
                format_rfc3339(a.active_at),
                g.group,
                a.labels
            ));
        }
        out.write_all(text.as_bytes())
    };
    finish(written)
}

/// `argus rules list`: each group and rule with its health, last error and evaluation.
pub fn list_rules(global: &GlobalArgs) -> CliResult {
    let fmt = global.output_or(
        OutputFormat::Table,
        &[OutputFormat::Table, OutputFormat::Json],
        "rules list",
    )?;
    let groups = read_groups(global)?;
    let mut out = std::io::stdout().lock();
    let written = if fmt == OutputFormat::Json {
        let list: Vec<Value> = groups
            .iter()
            .map(|g| {
                json!({
                    "file": g.file,
                    "name": g.group,
                    "lastEvaluation": g.last_evaluation.map(format_rfc3339),
                    "evaluationTime": g.evaluation_seconds,
                    "rules": g.rules.iter().map(|r| json!({
                        "name": r.name,
                        "query": r.expr,
                        "type": if r.alerting { "alerting" } else { "recording" },
                        "health": r.health,
                        "lastError": r.last_error.clone().unwrap_or_default(),
                        "evaluationTime": r.evaluation_seconds,
                        "lastEvaluation": r.last_evaluation.map(format_rfc3339),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        writeln!(out, "{}", json!({ "groups": list }))
    } else if groups.is_empty() {
        writeln!(
            out,
            "no rule group has been evaluated on this store (argus rules eval, argus serve --rules)"
        )
    } else {
        let mut text = String::new();
        for g in &groups {
            text.push_str(&format!(
                "{} {:?}: last evaluated {} in {:.3}s\n",
                g.file,
                g.group,
                g.last_evaluation
                    .map_or("never".to_string(), format_rfc3339),
                g.evaluation_seconds
            ));
            for r in &g.rules {
                let kind = if r.alerting { "alert " } else { "record" };
                let error = r
                    .last_error
                    .as_deref()
                    .map(|e| format!("  {e}"))
                    .unwrap_or_default();
                text.push_str(&format!("  {kind} {:<40} {:<7}{error}\n", r.name, r.health));
            }
        }
        out.write_all(text.as_bytes())
    };
    finish(written)
}

fn read_groups(global: &GlobalArgs) -> Result<Vec<Summary>, CliError> {
    let store = global.open_store()?;
    let names = store
        .state_names("rules-")
        .map_err(|e| CliError::store("cannot read the rules' state", &e))?;
    let mut groups = Vec::new();
    for name in names {
        let Some(data) = store
            .read_state(&name)
            .map_err(|e| CliError::store("cannot read the rules' state", &e))?
        else {
            continue;
        };
        match state::summary(&data) {
            Ok(s) => groups.push(s),
            Err(e) => global.note(format!("state/{name} skipped: {e}")),
        }
    }
    groups.sort_by(|a, b| (&a.file, &a.group).cmp(&(&b.file, &b.group)));
    Ok(groups)
}

fn finish(written: std::io::Result<()>) -> CliResult {
    match written {
        Ok(()) => Ok(exit::OK),
        Err(e) if exit::is_broken_pipe(&e) => Ok(exit::OK),
        Err(e) => Err(CliError::failure(format!("cannot write: {e}"))),
    }
}
