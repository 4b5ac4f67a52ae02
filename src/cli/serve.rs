//! `argus serve`: run the Prometheus- and Loki-compatible server on the store until SIGTERM.

use super::exit::{self, CliError, CliResult};
use super::GlobalArgs;
use crate::http::committer::{Committer, Merger};
use crate::http::push::PushLimits;
use crate::http::scraping::{self, ScrapeSetup};
use crate::http::state::{AppState, QueryLimits, SnapshotCache};
use crate::model::time::{now_ms, parse_duration};
use clap::Args;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Serve the Prometheus and Loki HTTP APIs on the store, scrape, and take pushes.
///
/// `argus serve` listens on 127.0.0.1:9180 and scrapes its own /metrics every 15s. Grafana,
/// promtool and Prometheus clients use it as a Prometheus server (`/api/v1/...`, remote_write
/// on `/api/v1/write`); log shippers and Grafana's Loki data source use it as Loki
/// (`/loki/api/v1/...`). With `--config prometheus.yml` it scrapes the configuration's jobs
/// too, and reloads them on SIGHUP or `POST /-/reload`.
///
/// Pushes are answered only once stored durably (fsynced), so `kill -9` loses nothing that
/// was acknowledged; concurrent pushes share one commit. Other processes (cron `scrape`,
/// pipeline `ingest`) may write the same store meanwhile: their data shows in queries within
/// about a second. SIGTERM or SIGINT stops accepting connections, lets requests in flight
/// finish, stores the last scrape round, and exits 0.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address and port to listen on. The default is loopback only; use 0.0.0.0:9180 to
    /// serve other machines.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9180")]
    pub listen: String,
    /// A prometheus.yml whose scrape_configs are scraped continuously (reloaded on SIGHUP
    /// and POST /-/reload).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
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
    /// Most samples one PromQL query may hold in memory at once.
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
    m
}

/// 128 random bits as hex, from the kernel's generator.
fn random_token() -> String {
    let mut bytes = [0u8; 16];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        use std::io::Read;
        let _ = f.read_exact(&mut bytes);
    }
    // Without /dev/urandom, std's hasher keys (random per process) still make it unguessable
    // from outside.
    let extra = {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(std::process::id() as u64);
        h.finish()
    };
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}{extra:016x}")
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

pub fn run(global: &GlobalArgs, args: &ServeArgs) -> CliResult {
    let self_every = duration_flag("self-scrape-interval", &args.self_scrape_interval)?;
    let query_timeout = duration_flag("query-timeout", &args.query_timeout)?;
    let lookback = duration_flag("lookback-delta", &args.lookback_delta)?;
    if query_timeout <= 0 || lookback <= 0 {
        return Err(CliError::usage(
            "--query-timeout and --lookback-delta must be longer than 0s",
        ));
    }
    if args.max_concurrent_queries == 0 {
        return Err(CliError::usage(
            "--max-concurrent-queries must be at least 1",
        ));
    }
    let push_token = args.push_token_file.as_ref().map(read_token).transpose()?;
    let web = args
        .web_config
        .as_deref()
        .map(crate::http::web_config::load)
        .transpose()
        .map_err(CliError::input)?;
    let (tls, basic_auth) = web.map_or((None, None), |w| (w.tls, w.auth));
    let store = global.open_store_to_write()?;
    let rt = super::runtime()?;
    let listener = rt
        .block_on(tokio::net::TcpListener::bind(&args.listen))
        .map_err(|e| CliError::failure(format!("cannot listen on {}: {e}", args.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| CliError::failure(format!("cannot listen on {}: {e}", args.listen)))?;

    // The server's own /metrics, scraped through loopback whatever address it listens on.
    // With TLS or passwords on the public listener, the scrape goes to a private loopback
    // listener instead, admitted by a token known only to this process; the target keeps the
    // public address as its `instance`.
    let private = if self_every > 0 && (tls.is_some() || basic_auth.is_some()) {
        let l = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .map_err(|e| CliError::failure(format!("cannot listen on loopback: {e}")))?;
        Some((l, random_token()))
    } else {
        None
    };
    let self_job = if self_every > 0 {
        let port = match &private {
            Some((l, _)) => l.local_addr()?.port(),
            None => addr.port(),
        };
        let url = format!("http://127.0.0.1:{port}/metrics");
        let jobs =
            crate::scrape::targets_from_urls(&[url], "argus", self_every, self_every.min(10_000))
                .map_err(|e| CliError::failure(e.to_string()))?;
        jobs.into_iter().next().map(|mut job| {
            if let Some((_, token)) = &private {
                for t in &mut job.targets {
                    t.auth = Some(crate::scrape::Auth::Header {
                        kind: "Bearer".into(),
                        credentials: crate::scrape::Secret::Inline(token.clone()),
                    });
                    let mut b = t.labels.to_builder();
                    b.set("instance", format!("127.0.0.1:{}", addr.port()));
                    t.labels = b.build();
                }
            }
            job
        })
    } else {
        None
    };
    let setup = ScrapeSetup {
        config: args.config.clone(),
        self_job,
    };
    // A configuration that does not load at start is an input error: nothing runs yet.
    let (jobs, yaml) = setup.load().map_err(CliError::input)?;

    let merger = Merger::start(store.clone());
    // Bumped by every commit of this server (pushes and scrape rounds): cached snapshots
    // older than the newest commit are not used again.
    let generation = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let committer = Committer::start(store.clone(), merger.clone(), generation.clone());
    let (reload_tx, reload_rx) = tokio::sync::mpsc::unbounded_channel();
    let st = Arc::new(AppState {
        snapshots: SnapshotCache::new(store.clone(), generation.clone()),
        store,
        committer,
        merger,
        targets: RwLock::new(Default::default()),
        config: RwLock::new(Default::default()),
        reload: reload_tx.clone(),
        registry: Default::default(),
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
        query_slots: Arc::new(tokio::sync::Semaphore::new(args.max_concurrent_queries)),
        flags: flag_map(args),
        started_ms: now_ms(),
        ready: AtomicBool::new(true),
        push_token,
        basic_auth,
    });
    scraping::install(&st, &jobs, yaml);

    let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
    let shutdown_watch = shutdown_rx.clone();
    let scraper = scraping::start(st.clone(), setup, jobs, reload_rx, shutdown_rx);
    let scheme = if tls.is_some() { "https" } else { "http" };
    global.note(format!(
        "listening on {scheme}://{addr} (Prometheus API /api/v1, Loki API /loki/api/v1)"
    ));

    let app = crate::http::router(st.clone());
    let (st2, st3) = (st.clone(), st.clone());
    let served = rt.block_on(async move {
        #[cfg(unix)]
        let hup = {
            let reload = reload_tx.clone();
            tokio::spawn(async move {
                use tokio::signal::unix::{signal, SignalKind};
                let Ok(mut s) = signal(SignalKind::hangup()) else {
                    return;
                };
                while s.recv().await.is_some() {
                    let _ = reload.send(None);
                }
            })
        };
        let stop = async move {
            super::scrape::shutdown_signal().await;
            st2.ready.store(false, Ordering::Release);
            let _ = shutdown_tx.send(true);
        };
        let own = private.map(|(l, token)| {
            let mut stopped = shutdown_watch.clone();
            let router = crate::http::self_scrape_router(st3, token);
            tokio::spawn(async move {
                let _ = axum::serve(l, router)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.wait_for(|s| *s).await;
                    })
                    .await;
            })
        });
        let r = match tls {
            Some(cfg) => {
                let l = crate::http::web_config::TlsListener::new(listener, cfg)?;
                axum::serve(l, app).with_graceful_shutdown(stop).await
            }
            None => {
                axum::serve(listener, app)
                    .with_graceful_shutdown(stop)
                    .await
            }
        };
        if let Some(own) = own {
            let _ = own.await;
        }
        #[cfg(unix)]
        hup.abort();
        r
    });
    // Requests have finished: store the last scrape round and every pushed batch.
    let _ = scraper.join();
    st.committer.close();
    st.merger.close();
    served.map_err(|e| CliError::failure(format!("server failed: {e}")))?;
    global.note("stopped; everything acknowledged is stored");
    Ok(exit::OK)
}
