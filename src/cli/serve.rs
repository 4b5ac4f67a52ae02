//! `argus serve`: run the Prometheus- and Loki-compatible server on the store until SIGTERM.
//! This file parses and checks the flags, builds the server's configuration, installs the
//! signal handlers (SIGTERM and SIGINT stop, SIGHUP reloads) and runs
//! `http::server::Server`.

use super::exit::{self, CliError, CliResult};
use super::GlobalArgs;
use crate::http::connections::ConnectionLimits;
use crate::http::push::PushLimits;
use crate::http::server::{ServeConfig, Server, StartError};
use crate::http::state::QueryLimits;
use crate::model::time::parse_duration;
use clap::Args;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Serve the Prometheus and Loki HTTP APIs on the store, scrape, and take pushes.
///
/// `argus serve` listens on 127.0.0.1:9180 and scrapes its own /metrics every 15s. Grafana,
/// promtool and Prometheus clients use it as a Prometheus server (`/api/v1/...`, remote_write
/// on `/api/v1/write`); log shippers and Grafana's Loki data source use it as Loki
/// (`/loki/api/v1/...`). With `--config prometheus.yml` it scrapes the configuration's jobs
/// too and evaluates its `rule_files` (and those of `--rules`), and reloads them on SIGHUP or
/// `POST /-/reload`; `/api/v1/rules` and `/api/v1/alerts` show the rules and alerts.
///
/// Pushes are answered only once stored durably (fsynced), so `kill -9` loses nothing that
/// was acknowledged; concurrent pushes share one commit. Other processes (cron `scrape`,
/// pipeline `ingest`) may write the same store meanwhile: their data shows in queries within
/// about a second. SIGTERM or SIGINT stops accepting connections, lets requests in flight
/// finish, stores the last scrape round, and exits 0.
#[derive(Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct ServeArgs {
    /// Address and port to listen on. The default is loopback only; use 0.0.0.0:9180 to
    /// serve other machines.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9180")]
    pub listen: String,
    /// A prometheus.yml whose scrape_configs are scraped continuously (reloaded on SIGHUP
    /// and POST /-/reload).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Rule files (Prometheus' format) to evaluate on their groups' schedules, besides the
    /// `rule_files` of --config; reloaded with it.
    #[arg(long = "rules", value_name = "FILE", num_args = 1..)]
    pub rules: Vec<PathBuf>,
    /// An Alertmanager configuration (alertmanager.yml): the server routes, groups and sends
    /// its alerts' notifications (Slack, webhooks) itself, as Alertmanager would; reloaded
    /// with --config.
    #[arg(long, value_name = "FILE")]
    pub alertmanager_config: Option<PathBuf>,
    /// The URL under which people reach this server, as alert templates see it
    /// ($externalURL) [default: http:// and --listen].
    #[arg(long, value_name = "URL")]
    pub external_url: Option<String>,
    /// A folder of Grafana dashboard JSON files, shown on /dashboards and at /d/<uid>; read
    /// again as files change; saves from the UI write to it [default: `dashboards` in the
    /// store directory].
    #[arg(long, value_name = "DIR")]
    pub dashboards: Option<PathBuf>,
    /// How often the server scrapes its own /metrics (job "argus"); 0s turns it off.
    #[arg(long, value_name = "DURATION", default_value = "15s")]
    pub self_scrape_interval: String,
    /// A web configuration file in Prometheus' format: `tls_server_config` (cert_file,
    /// key_file, client certificates, TLS versions) serves HTTPS; `basic_auth_users`
    /// (bcrypt hashes) requires a user and password on every endpoint.
    #[arg(long, value_name = "FILE")]
    pub web_config: Option<PathBuf>,
    /// Refuse pushes that lack `Authorization: Bearer <token>` with the token in this file.
    #[arg(long, value_name = "FILE")]
    pub push_token_file: Option<PathBuf>,
    /// Largest request body accepted, in bytes, as sent (compressed).
    #[arg(long, value_name = "BYTES", default_value_t = 32 << 20)]
    pub max_body_bytes: usize,
    /// Largest push body after decompression, in bytes (bodies announcing more are refused
    /// before being decompressed).
    #[arg(long, value_name = "BYTES", default_value_t = 256 << 20)]
    pub max_decompressed_bytes: usize,
    /// Most series (remote_write) or streams (Loki push) in one request.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub max_series_per_push: usize,
    /// Longest log line accepted by Loki push, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 256 << 10)]
    pub max_line_bytes: usize,
    /// Most labels of one pushed log stream.
    #[arg(long, value_name = "N", default_value_t = 15)]
    pub max_label_names_per_stream: usize,
    /// Longest a query may take to answer, PromQL or LogQL (a PromQL request's `timeout` may
    /// shorten it).
    #[arg(long, value_name = "DURATION", default_value = "2m")]
    pub query_timeout: String,
    /// Most samples one PromQL query, or the PromQL part of a LogQL metric query, may hold in
    /// memory at once; past it the query is answered 422.
    #[arg(long, value_name = "N", default_value_t = 50_000_000)]
    pub max_samples: usize,
    /// Queries evaluated at once; more wait for a free slot, at most --query-timeout, then
    /// get 503.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub max_concurrent_queries: usize,
    /// Most lines a Loki log query may ask for (`limit`).
    #[arg(long, value_name = "N", default_value_t = 5000)]
    pub max_entries_per_query: usize,
    /// How far back an instant selector looks for a sample.
    #[arg(long, value_name = "DURATION", default_value = "5m")]
    pub lookback_delta: String,
    /// Most connections open at once (TLS handshakes and tail WebSockets included); more
    /// are closed as soon as they are accepted, before TLS and authentication, so that
    /// clients cannot take the file descriptors the store needs.
    #[arg(long, value_name = "N", default_value_t = 512)]
    pub max_connections: usize,
    /// How long a client has to send a request's head (its request line and headers): from
    /// the connection's start for the first request, from its first byte for later ones.
    /// Also bounds a TLS handshake. Slower clients are disconnected.
    #[arg(long, value_name = "DURATION", default_value = "30s")]
    pub header_read_timeout: String,
    /// How long a kept-alive connection may wait for its next request before it is closed.
    #[arg(long, value_name = "DURATION", default_value = "2m")]
    pub idle_timeout: String,
    /// A host name the server answers to besides localhost and loopback addresses
    /// (repeatable). On a loopback address, requests for other names are refused with 421
    /// (a defence against DNS rebinding); on other addresses, names are checked only when
    /// this flag is given.
    #[arg(long, value_name = "NAME")]
    pub web_allowed_host: Vec<String>,
}

fn duration_flag(name: &str, value: &str) -> Result<i64, CliError> {
    parse_duration(value).map_err(|e| CliError::usage(format!("--{name}: {e}")))
}

/// The flags as `/api/v1/status/flags` shows them.
fn flag_map(args: &ServeArgs) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let mut put = |k: &str, v: String| {
        m.insert(k.to_string(), v);
    };
    put("listen", args.listen.clone());
    put(
        "config",
        args.config
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    );
    put("self-scrape-interval", args.self_scrape_interval.clone());
    put(
        "dashboards",
        args.dashboards
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    );
    put(
        "web-config",
        args.web_config
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    );
    put("max-body-bytes", args.max_body_bytes.to_string());
    put(
        "max-decompressed-bytes",
        args.max_decompressed_bytes.to_string(),
    );
    put("max-series-per-push", args.max_series_per_push.to_string());
    put("max-line-bytes", args.max_line_bytes.to_string());
    put(
        "max-label-names-per-stream",
        args.max_label_names_per_stream.to_string(),
    );
    put("query-timeout", args.query_timeout.clone());
    put("max-samples", args.max_samples.to_string());
    put(
        "max-concurrent-queries",
        args.max_concurrent_queries.to_string(),
    );
    put(
        "max-entries-per-query",
        args.max_entries_per_query.to_string(),
    );
    put("lookback-delta", args.lookback_delta.clone());
    put("max-connections", args.max_connections.to_string());
    put("header-read-timeout", args.header_read_timeout.clone());
    put("idle-timeout", args.idle_timeout.clone());
    put("web-allowed-host", args.web_allowed_host.join(","));
    m
}

fn read_token(path: &PathBuf) -> Result<String, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("--push-token-file {}: {e}", path.display())))?;
    let token = text.trim().to_string();
    if token.is_empty() {
        return Err(CliError::usage(format!(
            "--push-token-file {}: the file is empty",
            path.display()
        )));
    }
    Ok(token)
}

/// Raises this process' soft limit of open files to its hard limit, as Go programs such as
/// Prometheus do at start, and warns when `--max-connections` would leave the store too few
/// descriptors: every connection holds one, and the store opens one per part it reads.
fn check_file_limit(global: &GlobalArgs, max_connections: usize) {
    // SAFETY: getrlimit and setrlimit only read and write the struct passed to them.
    let soft = unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim.rlim_cur = lim.rlim_max;
            }
        }
        lim.rlim_cur
    };
    let needed = (max_connections as u64).saturating_add(STORE_RESERVED_FILES);
    if soft < needed {
        global.note(format!(
            "warning: --max-connections {max_connections} leaves fewer than {STORE_RESERVED_FILES} of the {soft} open files this process may have (ulimit -n) for the store; lower it or raise the limit"
        ));
    }
}

/// File descriptors kept for the store, the scraper and the listeners beyond the
/// connections.
const STORE_RESERVED_FILES: u64 = 256;

pub fn run(global: &GlobalArgs, args: &ServeArgs) -> CliResult {
    let self_every = duration_flag("self-scrape-interval", &args.self_scrape_interval)?;
    let query_timeout = duration_flag("query-timeout", &args.query_timeout)?;
    let lookback = duration_flag("lookback-delta", &args.lookback_delta)?;
    let header_read_timeout = duration_flag("header-read-timeout", &args.header_read_timeout)?;
    let idle_timeout = duration_flag("idle-timeout", &args.idle_timeout)?;
    if query_timeout <= 0 || lookback <= 0 || header_read_timeout <= 0 || idle_timeout <= 0 {
        return Err(CliError::usage(
            "--query-timeout, --lookback-delta, --header-read-timeout and --idle-timeout must be longer than 0s",
        ));
    }
    if args.max_concurrent_queries == 0 || args.max_connections == 0 {
        return Err(CliError::usage(
            "--max-concurrent-queries and --max-connections must be at least 1",
        ));
    }
    let push_token = args.push_token_file.as_ref().map(read_token).transpose()?;
    // A folder given by name must be there: a typo would otherwise show an empty list.
    if let Some(dir) = &args.dashboards {
        if !dir.is_dir() {
            return Err(CliError::usage(format!(
                "--dashboards {}: no such directory",
                dir.display()
            )));
        }
    }
    let web = args
        .web_config
        .as_deref()
        .map(crate::http::web_config::load)
        .transpose()
        .map_err(CliError::input)?;
    let (tls, basic_auth) = web.map_or((None, None), |w| (w.tls, w.auth));
    check_file_limit(global, args.max_connections);
    let store = global.open_store_to_write()?;
    let config = ServeConfig {
        store,
        scrape_config: args.config.clone(),
        self_scrape_every_ms: self_every,
        tls,
        basic_auth,
        push_token,
        max_body_bytes: args.max_body_bytes,
        push_limits: PushLimits {
            max_decompressed_bytes: args.max_decompressed_bytes,
            max_series_per_push: args.max_series_per_push,
            max_line_bytes: args.max_line_bytes,
            max_label_names_per_stream: args.max_label_names_per_stream,
        },
        query_limits: QueryLimits {
            timeout: Duration::from_millis(query_timeout as u64),
            max_samples: args.max_samples,
            max_entries: args.max_entries_per_query,
            max_concurrent: args.max_concurrent_queries,
            lookback_delta: lookback,
        },
        connections: ConnectionLimits {
            max_connections: args.max_connections,
            header_read_timeout: Duration::from_millis(header_read_timeout as u64),
            idle_timeout: Duration::from_millis(idle_timeout as u64),
        },
        allowed_hosts: args.web_allowed_host.clone(),
        dashboards: args.dashboards.clone(),
        flags: flag_map(args),
        rules: crate::http::rules::RulesSetup {
            files: args.rules.clone(),
            config: args.config.clone(),
            external_url: args
                .external_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", args.listen)),
            alertmanager_config: args.alertmanager_config.clone(),
        },
    };
    let rt = super::runtime()?;
    rt.block_on(async {
        let server = Server::bind(&args.listen, config)
            .await
            .map_err(|e| match e {
                // A configuration that does not load at start is an input error: nothing
                // runs yet.
                StartError::Config(m) => CliError::input(m),
                StartError::Listen(m) => CliError::failure(m),
            })?;
        global.note(format!(
            "listening on {}://{} (Prometheus API /api/v1, Loki API /loki/api/v1)",
            server.scheme(),
            server.local_addr()
        ));
        #[cfg(unix)]
        let hup = {
            let reloader = server.reloader();
            tokio::spawn(async move {
                use tokio::signal::unix::{signal, SignalKind};
                let Ok(mut s) = signal(SignalKind::hangup()) else {
                    return;
                };
                while s.recv().await.is_some() {
                    reloader.reload();
                }
            })
        };
        server.run(super::scrape::shutdown_signal()).await;
        #[cfg(unix)]
        hup.abort();
        Ok::<(), CliError>(())
    })?;
    global.note("stopped; everything acknowledged is stored");
    Ok(exit::OK)
}

/// What `--help` and the man page show after the options.
const EXAMPLES: &str = "Examples:

  # Serve the Prometheus and Loki APIs on 127.0.0.1:9180 and scrape the configured jobs
  argus serve --config /etc/argus/prometheus.yml

  # Take pushes from other machines, with a bearer token
  argus serve --listen 0.0.0.0:9180 --push-token-file /etc/argus/token

  # Read the configuration again
  curl -X POST http://localhost:9180/-/reload";
