//! The command line: one file per subcommand, each the same shape (help text that explains
//! costs and trade-offs, an `Args` struct, a `run`). This file holds the global options, the
//! subcommand list and the single place where errors become exit codes (`exit.rs`).

pub mod alerts;
pub mod conformance;
mod conformance_fuzz;
mod conformance_logql;
pub mod dashboards;
pub mod exit;
pub mod export;
mod export_logs;
pub mod ingest;
mod ingest_logs;
pub mod output;
pub mod progress;
pub mod query;
mod query_logs;
pub mod rules;
mod rules_eval;
pub mod scrape;
pub mod serve;
mod silences;
pub mod store;
pub mod timeargs;

use clap::{Args, Parser, Subcommand};
use exit::{CliError, CliResult};
use output::OutputFormat;
use std::path::PathBuf;

/// argus: Prometheus, Loki and Grafana for the terminal.
///
/// Every subcommand works on one store directory that many processes may use at once: cron
/// `scrape` runs, pipeline `ingest`s, ad-hoc `query` and `export`.
#[derive(Parser, Debug)]
#[command(name = "argus", version, about, long_about = None, propagate_version = true)]
#[command(after_help = EXIT_CODES_HELP, after_long_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

pub const EXIT_CODES_HELP: &str =
    "Exit codes: 0 success; 1 runtime failure (I/O, store, unreachable server, a query over \
--max-samples or --timeout); 2 usage error; 3 input rejected (bad file, line or query; \
nothing stored); 4 partial success (targets down, records skipped; dashboards check found what \
argus does not draw as Grafana does); 5 store damaged (found by \
store check or met by a reader; see store repair); 6 an alert is firing (rules eval). rules \
check and rules test keep promtool's codes.";

/// Options every subcommand accepts.
#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else
    /// ~/.local/share/argus].
    // ARGUS_STORE is read after parsing (`store_from_env`), not by clap's `env`: clap counts a
    // value from the environment as given on the command line and prints `--store <DIR>` in
    // every usage line, as if it were required.
    #[arg(long, global = true, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Output format (each subcommand accepts the ones that make sense for it).
    #[arg(short = 'o', long, global = true, value_enum, value_name = "FORMAT")]
    pub output: Option<OutputFormat>,
    /// Print nothing on stderr but errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// More detail on stderr (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

impl GlobalArgs {
    /// `--store`, else `ARGUS_STORE` when set and not empty.
    fn store_from_env(&mut self) {
        if self.store.is_none() {
            self.store = std::env::var_os("ARGUS_STORE")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from);
        }
    }

    /// The store directory to use.
    pub fn store_dir(&self) -> Result<PathBuf, CliError> {
        if let Some(p) = &self.store {
            return Ok(p.clone());
        }
        if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|x| !x.is_empty()) {
            return Ok(PathBuf::from(x).join("argus"));
        }
        match std::env::var_os("HOME").filter(|x| !x.is_empty()) {
            Some(h) => Ok(PathBuf::from(h).join(".local/share/argus")),
            None => Err(CliError::usage(
                "no store directory: pass --store DIR or set ARGUS_STORE (HOME is not set)",
            )),
        }
    }

    /// Opens the store for a command that only reads. The store must exist: a mistyped
    /// `--store` is an error naming the path, not an empty answer from a store made on the
    /// spot. Nothing in the store is written, so it may be read-only.
    pub fn open_store(&self) -> Result<crate::store::Store, CliError> {
        let dir = self.store_dir()?;
        crate::store::Store::open_read_only(&dir)
            .map_err(|e| CliError::store(&format!("cannot open store {}", dir.display()), &e))
    }

    /// Opens the store for a command that writes to it (`scrape`, `ingest`, `serve`), making
    /// it when the directory is missing or empty; a non-empty directory that is not a store is
    /// refused.
    pub fn open_store_to_write(&self) -> Result<crate::store::Store, CliError> {
        let dir = self.store_dir()?;
        crate::store::Store::open(&dir)
            .map_err(|e| CliError::store(&format!("cannot open store {}", dir.display()), &e))
    }

    /// Opens an existing store to look after it (`store compact`, `store repair`): it is
    /// written to, but not made.
    pub fn open_store_to_maintain(&self) -> Result<crate::store::Store, CliError> {
        let dir = self.store_dir()?;
        crate::store::Store::open_existing(&dir)
            .map_err(|e| CliError::store(&format!("cannot open store {}", dir.display()), &e))
    }

    /// The output format, or `default`; an error when the subcommand does not support it.
    pub fn output_or(
        &self,
        default: OutputFormat,
        allowed: &[OutputFormat],
        command: &str,
    ) -> Result<OutputFormat, CliError> {
        let f = self.output.unwrap_or(default);
        if allowed.contains(&f) {
            Ok(f)
        } else {
            let names: Vec<_> = allowed.iter().map(|f| f.name()).collect();
            Err(CliError::usage(format!(
                "`argus {command}` cannot print -o {}; choose one of: {}",
                f.name(),
                names.join(", ")
            )))
        }
    }

    /// Prints a diagnostic line on stderr unless --quiet.
    pub fn note(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("argus: {}", msg.as_ref());
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    Scrape(scrape::ScrapeArgs),
    Ingest(ingest::IngestArgs),
    Query(query::QueryArgs),
    Export(export::ExportArgs),
    Serve(serve::ServeArgs),
    Store(store::StoreArgs),
    Rules(rules::RulesArgs),
    Alerts(alerts::AlertsArgs),
    Dashboards(dashboards::DashboardsArgs),
    Conformance(conformance::ConformanceArgs),
}

/// The positional arguments whose values may begin with `-`, by subcommand: a PromQL
/// expression such as `-node_load1 + 1`.
const DASH_VALUES: [(&str, &str); 1] = [("query", "expr")];

/// Parses the command line. A word starting with `-` that is no flag of the subcommand is an
/// error at first; only then is it read again as a value of the argument that may begin with
/// `-` ([`DASH_VALUES`]). Letting clap take such values from the start would turn a mistyped
/// flag before the expression (`argus query --limt 5 up`) into the expression and report
/// `up` as the unexpected word; this way a mistyped flag keeps clap's own message and
/// suggestion, and a word starting with `--` is never taken for an expression.
fn parse<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::{CommandFactory, FromArgMatches};
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    let first = match Cli::try_parse_from(&args) {
        Ok(cli) => return Ok(cli),
        Err(e) if e.kind() == clap::error::ErrorKind::UnknownArgument => e,
        Err(e) => return Err(e),
    };
    let mut cmd = Cli::command();
    for (sub, arg) in DASH_VALUES {
        cmd = cmd.mut_subcommand(sub, |c| c.mut_arg(arg, |a| a.allow_hyphen_values(true)));
    }
    let again = cmd
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m));
    match again {
        Ok(cli) if !cli.command.takes_dash_value_starting_with("--") => Ok(cli),
        _ => Err(first),
    }
}

impl Command {
    /// True when the value of this subcommand's [`DASH_VALUES`] argument starts with `prefix`.
    fn takes_dash_value_starting_with(&self, prefix: &str) -> bool {
        match self {
            Command::Query(q) => q.expr.starts_with(prefix),
            _ => false,
        }
    }
}

/// Parses the command line, runs the subcommand and returns the process exit code.
pub fn run() -> i32 {
    let mut cli = match parse(std::env::args_os()) {
        Ok(c) => c,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
        }
    };
    cli.global.store_from_env();
    let result: CliResult = match &cli.command {
        Command::Scrape(a) => scrape::run(&cli.global, a),
        Command::Ingest(a) => ingest::run(&cli.global, a),
        Command::Query(a) => query::run(&cli.global, a),
        Command::Export(a) => export::run(&cli.global, a),
        Command::Serve(a) => serve::run(&cli.global, a),
        Command::Store(a) => store::run(&cli.global, a),
        Command::Rules(a) => rules::run(&cli.global, a),
        Command::Alerts(a) => alerts::run(&cli.global, a),
        Command::Dashboards(a) => dashboards::run(&cli.global, a),
        Command::Conformance(a) => conformance::run(&cli.global, a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("argus: error: {}", e.message);
            e.code
        }
    }
}

/// Maps a write error on stdout: a broken pipe (`argus query ... | head`) ends quietly with
/// success; anything else is a failure.
pub fn stdout_result(r: std::io::Result<()>) -> CliResult {
    match r {
        Ok(()) => Ok(exit::OK),
        Err(e) if exit::is_broken_pipe(&e) => Ok(exit::OK),
        Err(e) => Err(CliError::failure(format!("cannot write to stdout: {e}"))),
    }
}

/// A tokio runtime for the async edges (scrape, remote queries), built on demand so that
/// purely local commands never start one.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failure(format!("cannot start the async runtime: {e}")))
}

/// What `argus --help` and argus(1) show after the options.
const EXAMPLES: &str = "Examples:

  # Collect this machine's metrics every 15 s into the default store (Ctrl-C stops)
  argus scrape --every 15s

  # Ask a question of what was stored
  argus query 'rate(node_network_receive_bytes_total[5m])' --since 1h

  # Store logs, then read them back
  journalctl -o json | argus ingest logs --label host=web1
  argus query '{host=\"web1\"} |= \"error\"' --since 1h";

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(args: &[&str]) -> Option<String> {
        match parse(args).ok()?.command {
            Command::Query(q) => Some(q.expr),
            _ => None,
        }
    }

    #[test]
    fn an_expression_may_begin_with_a_dash_but_a_mistyped_flag_stays_an_error() {
        assert_eq!(
            expr(&["argus", "query", "-x + 1"]).as_deref(),
            Some("-x + 1")
        );
        assert_eq!(
            expr(&["argus", "query", "-q", "-1", "-o", "csv"]).as_deref(),
            Some("-1")
        );
        assert_eq!(
            expr(&["argus", "query", "up", "--time", "-1h"]).as_deref(),
            Some("up")
        );
        let e = parse(["argus", "query", "--limt", "5", "up"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::UnknownArgument);
        assert!(e.to_string().contains("--limt"), "{e}");
        assert!(parse(["argus", "query", "--node_load1"]).is_err());
    }
}
