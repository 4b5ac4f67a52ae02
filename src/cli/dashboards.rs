//! `argus dashboards check FILE...`: what of each Grafana dashboard argus does not draw as
//! Grafana does, before anyone opens it (`dashboard::check`).

use super::exit::{self, CliError, CliResult};
use super::GlobalArgs;
use crate::dashboard::check::{check, panels, Capabilities};
use crate::dashboard::migrate::migrate;
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;

/// Grafana dashboards, as `argus serve --dashboards` shows them.
#[derive(Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct DashboardsArgs {
    #[command(subcommand)]
    pub action: DashboardsAction,
}

const EXAMPLES: &str = "Examples:

  # Will these dashboards look in argus as they do in Grafana?
  argus dashboards check node-exporter-full.json mysql-overview.json

  # Every dashboard of a folder
  argus dashboards check dashboards/*.json";

#[derive(Subcommand, Debug)]
pub enum DashboardsAction {
    /// Report the panels, variables, units, overrides and transformations of each dashboard
    /// that argus does not draw as Grafana does, and what the migration of an old schema
    /// changed.
    ///
    /// Exit codes: 0 when argus draws everything; 4 when something is reported; 3 when a
    /// file is not a dashboard (the other files are still checked).
    #[command(after_long_help = EXAMPLES)]
    Check {
        /// Dashboard JSON files (Grafana's export, its API's `{"dashboard": …}`, any schema).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

pub fn run(global: &GlobalArgs, args: &DashboardsArgs) -> CliResult {
    match &args.action {
        DashboardsAction::Check { files } => check_files(global, files),
    }
}

fn check_files(_global: &GlobalArgs, files: &[PathBuf]) -> CliResult {
    let can = Capabilities::of_the_view();
    let mut out = std::io::stdout().lock();
    let mut reported = 0;
    let mut rejected = 0;
    for file in files {
        let name = file.display();
        let loaded = std::fs::read(file)
            .map_err(|e| format!("cannot read the file: {e}"))
            .and_then(|b| serde_json::from_slice(&b).map_err(|e| format!("not JSON: {e}")))
            .and_then(migrate);
        let migrated = match loaded {
            Ok(m) => m,
            Err(e) => {
                eprintln!("argus: {name}: {e}");
                rejected += 1;
                continue;
            }
        };
        let d = &migrated.dashboard;
        let findings = check(d, &can);
        let panel_count = panels(d).iter().filter(|p| p["type"] != "row").count();
        let variables = d["templating"]["list"].as_array().map_or(0, Vec::len);
        let title = d["title"].as_str().unwrap_or("");
        let verdict = if findings.is_empty() {
            "argus draws all of it as Grafana does".to_string()
        } else {
            format!(
                "{} not drawn as Grafana does",
                plural(findings.len(), "thing")
            )
        };
        let written = (|| {
            writeln!(
                out,
                "{name}: {title:?}, {} and {}: {verdict}",
                plural(panel_count, "panel"),
                plural(variables, "variable")
            )?;
            for f in &findings {
                writeln!(out, "  {f}")?;
            }
            for n in &migrated.notes {
                writeln!(out, "  note: {n}")?;
            }
            Ok::<(), std::io::Error>(())
        })();
        written.map_err(|e| CliError::failure(format!("cannot write the report: {e}")))?;
        reported += findings.len();
    }
    Ok(if rejected > 0 {
        exit::INPUT_REJECTED
    } else if reported > 0 {
        exit::PARTIAL
    } else {
        exit::OK
    })
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
