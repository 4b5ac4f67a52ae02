//! The server as one value: [`Server::bind`] takes a [`ServeConfig`] and an address, binds
//! the listeners, loads the scrape configuration and starts the commit and merge threads;
//! [`Server::run`] serves until its shutdown future completes, then drains. The command
//! line (`cli/serve.rs`) only parses flags, installs signal handlers and calls these two;
//! tests start the same server in-process on `127.0.0.1:0` and stop it through the future.
//!
//! The drain, in order: `/-/ready` turns 503, the listeners stop accepting, requests in
//! flight are answered (their pushes committed), the scrape round in progress is finished
//! and stored, and the commit and merge threads commit what is queued and stop. `run`
//! returns only then, so the caller may exit as soon as it does.

use super::committer::{Committer, Merger};
use super::connections::{self, ConnectionCounts, ConnectionLimits};
use super::push::PushLimits;
use super::scraping::{self, ScrapeSetup};
use super::state::{AppState, QueryLimits, ReloadRequest, SnapshotCache};
use super::web_config::BasicAuth;
use crate::model::time::now_ms;
use crate::scrape::ScrapeJob;
use crate::store::Store;
use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

/// Everything the server is built from (the command line's flags, once checked).
pub struct ServeConfig {
    pub store: Store,
    /// A prometheus.yml whose scrape jobs run continuously (`--config`).
    pub scrape_config: Option<PathBuf>,
    /// How often the server scrapes its own `/metrics`, ms; 0 turns it off.
    pub self_scrape_every_ms: i64,
    /// Serve HTTPS with this configuration (`--web-config`).
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Require basic authentication on every endpoint (`--web-config`).
    pub basic_auth: Option<Arc<BasicAuth>>,
    /// Require this bearer token on pushes (`--push-token-file`).
    pub push_token: Option<String>,
    pub max_body_bytes: usize,
    pub push_limits: PushLimits,
    pub query_limits: QueryLimits,
    pub connections: ConnectionLimits,
    /// Host names the server answers to besides loopback names and addresses
    /// (`--web-allowed-host`).
    pub allowed_hosts: Vec<String>,
    /// The flags as `/api/v1/status/flags` shows them.
    pub flags: BTreeMap<String, String>,
    /// The rule files to evaluate (`--rules`, and `--config`'s `rule_files`).
    pub rules: super::rules::RulesSetup,
    /// The folder of dashboard files (`--dashboards`); `None`: the store's `dashboards`.
    pub dashboards: Option<PathBuf>,
}

impl ServeConfig {
    /// The defaults of `argus serve` on `store`, without self-scrape.
    pub fn new(store: Store) -> ServeConfig {
        ServeConfig {
            store,
            scrape_config: None,
            self_scrape_every_ms: 0,
            tls: None,
            basic_auth: None,
            push_token: None,
            max_body_bytes: 32 << 20,
            push_limits: PushLimits::default(),
            query_limits: QueryLimits::default(),
            connections: ConnectionLimits::default(),
            allowed_hosts: Vec::new(),
            flags: BTreeMap::new(),
            rules: super::rules::RulesSetup::default(),
            dashboards: None,
        }
    }
}

/// Why the server did not start.
#[derive(Debug)]
pub enum StartError {
    /// An address could not be bound.
    Listen(String),
    /// The scrape configuration does not load.
    Config(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Listen(m) | StartError::Config(m) => f.write_str(m),
        }
    }
}

/// Asks a running server to read its scrape configuration again (what SIGHUP does).
#[derive(Clone)]
pub struct Reloader(mpsc::UnboundedSender<ReloadRequest>);

impl Reloader {
    pub fn reload(&self) {
        let _ = self.0.send(None);
    }
}

/// A bound server, ready to [`run`](Server::run).
pub struct Server {
    st: Arc<AppState>,
    public: TcpListener,
    addr: SocketAddr,
    /// The private loopback listener of the self-scrape, with its token, when the public
    /// one has TLS or passwords.
    own: Option<(TcpListener, String)>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    limits: ConnectionLimits,
    setup: ScrapeSetup,
    jobs: crate::scrape::Discovery,
    reloads: mpsc::UnboundedReceiver<ReloadRequest>,
    /// Routes a test adds to the server's own.
    #[cfg(test)]
    extra: axum::Router<Arc<AppState>>,
}

async fn bind_listener(addr: &str) -> Result<(TcpListener, SocketAddr), StartError> {
    let failed = |e: std::io::Error| StartError::Listen(format!("cannot listen on {addr}: {e}"));
    let l = TcpListener::bind(addr).await.map_err(failed)?;
    let local = l.local_addr().map_err(failed)?;
    Ok((l, local))
}

impl Server {
    /// Binds `addr` (and, for the self-scrape behind TLS or passwords, a private loopback
    /// port), loads the scrape configuration, and starts the commit and merge threads.
    pub async fn bind(addr: &str, config: ServeConfig) -> Result<Server, StartError> {
        let (public, local) = bind_listener(addr).await?;
        // The server's own /metrics, scraped through loopback whatever address it listens
        // on. With TLS or passwords on the public listener, the scrape goes to a private
        // loopback listener instead, admitted by a token known only to this process; the
        // target keeps the public address as its `instance`.
        let every = config.self_scrape_every_ms;
        let own = if every > 0 && (config.tls.is_some() || config.basic_auth.is_some()) {
            let (l, _) = bind_listener("127.0.0.1:0").await?;
            Some((l, random_token()))
        } else {
            None
        };
        let self_job = if every > 0 {
            let port = match &own {
                Some((l, _)) => l
                    .local_addr()
                    .map_err(|e| StartError::Listen(format!("cannot listen on loopback: {e}")))?
                    .port(),
                None => local.port(),
            };
            self_scrape_job(
                port,
                local.port(),
                every,
                own.as_ref().map(|(_, t)| t.as_str()),
            )?
        } else {
            None
        };
        let setup = ScrapeSetup {
            config: config.scrape_config.clone(),
            self_job,
        };
        let (jobs, yaml) = setup.load().map_err(StartError::Config)?;
        let rules = config.rules.load().map_err(StartError::Config)?;
        let (reload_tx, reloads) = mpsc::unbounded_channel();
        let scheme = if config.tls.is_some() {
            "https"
        } else {
            "http"
        };
        let admission = super::admission::Admission {
            scheme,
            loopback: local.ip().is_loopback(),
            allowed_hosts: config
                .allowed_hosts
                .iter()
                .map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase())
                .collect(),
        };
        let tls = config.tls.clone().map(tokio_rustls::TlsAcceptor::from);
        let limits = config.connections.clone();
        let st = app_state(config, reload_tx, admission, rules);
        scraping::install(&st, &jobs, yaml);
        Ok(Server {
            st,
            public,
            addr: local,
            own,
            tls,
            limits,
            setup,
            jobs,
            reloads,
            #[cfg(test)]
            extra: axum::Router::new(),
        })
    }

    /// The address the public listener is bound to (with the port chosen for `:0`).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &'static str {
        self.st.admission.scheme
    }

    pub fn reloader(&self) -> Reloader {
        Reloader(self.st.reload.clone())
    }

    /// What the handlers share (for tests that look inside).
    pub fn state(&self) -> &Arc<AppState> {
        &self.st
    }

    /// Adds a route to the server's own, for tests that need a handler the API does not
    /// have (one that panics, for instance).
    #[cfg(test)]
    pub(crate) fn route(
        mut self,
        path: &str,
        method: axum::routing::MethodRouter<Arc<AppState>>,
    ) -> Server {
        self.extra = self.extra.route(path, method);
        self
    }

    /// Serves until `shutdown` completes, then drains (see the module's documentation)
    /// and returns.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let st = self.st;
        let (stop_tx, stop_rx) = watch::channel(false);
        let scraper = scraping::start(
            st.clone(),
            self.setup,
            self.jobs,
            self.reloads,
            stop_rx.clone(),
        );
        let evaluator = super::rules::start(st.clone(), stop_rx.clone());
        let routes = super::routes();
        #[cfg(test)]
        let routes = routes.merge(self.extra);
        let app = super::with_layers(routes, st.clone());
        let public = tokio::spawn(connections::serve(
            self.public,
            self.tls,
            app,
            self.limits.clone(),
            st.connections.clone(),
            stop_rx.clone(),
        ));
        let own = self.own.map(|(listener, token)| {
            tokio::spawn(connections::serve(
                listener,
                None,
                super::self_scrape_router(st.clone(), token),
                self.limits.clone(),
                Arc::new(ConnectionCounts::default()),
                stop_rx.clone(),
            ))
        });
        shutdown.await;
        st.ready.store(false, Ordering::Release);
        let _ = stop_tx.send(true);
        // A connection task that panicked has nothing left to drain.
        let _ = public.await;
        if let Some(own) = own {
            let _ = own.await;
        }
        // Requests have finished: store the last scrape round and every pushed batch.
        let st2 = st.clone();
        let closed = tokio::task::spawn_blocking(move || {
            let _ = scraper.join();
            let _ = evaluator.join();
            st2.committer.close();
            st2.merger.close();
        });
        let _ = closed.await;
    }
}

/// The handlers' shared state for `config`.
fn app_state(
    config: ServeConfig,
    reload: mpsc::UnboundedSender<ReloadRequest>,
    admission: super::admission::Admission,
    rules: super::rules::RuleSet,
) -> Arc<AppState> {
    let store = config.store;
    let merger = Merger::start(store.clone());
    // Bumped by every commit of this server (pushes and scrape rounds): cached snapshots
    // older than the newest commit are not used again.
    let generation = Arc::new(AtomicU64::new(0));
    let committer = Committer::start(store.clone(), merger.clone(), generation.clone());
    let max_concurrent = config.query_limits.max_concurrent;
    let dashboards_dir = config
        .dashboards
        .unwrap_or_else(|| store.dir().join("dashboards"));
    Arc::new(AppState {
        snapshots: SnapshotCache::new(store.clone(), generation),
        store,
        committer,
        merger,
        targets: RwLock::new(Default::default()),
        config: RwLock::new(Default::default()),
        reload,
        registry: Default::default(),
        max_body_bytes: config.max_body_bytes,
        push_limits: config.push_limits,
        query_limits: config.query_limits,
        query_slots: Arc::new(tokio::sync::Semaphore::new(max_concurrent)),
        flags: config.flags,
        started_ms: now_ms(),
        ready: AtomicBool::new(true),
        push_token: config.push_token,
        basic_auth: config.basic_auth,
        admission,
        connections: Arc::new(ConnectionCounts::default()),
        rules: super::rules::Rules::new(config.rules, rules),
        dashboards: crate::dashboard::library::Library::new(dashboards_dir),
    })
}

/// The job that scrapes the server's own `/metrics` on `port` every `every_ms`, with the
/// public port as its `instance`, and with `token` when it goes to the private listener.
fn self_scrape_job(
    port: u16,
    public_port: u16,
    every_ms: i64,
    token: Option<&str>,
) -> Result<Option<ScrapeJob>, StartError> {
    let url = format!("http://127.0.0.1:{port}/metrics");
    let jobs = crate::scrape::targets_from_urls(&[url], "argus", every_ms, every_ms.min(10_000))
        .map_err(|e| StartError::Config(e.to_string()))?;
    Ok(jobs.into_iter().next().map(|mut job| {
        if let Some(token) = token {
            for t in &mut job.targets {
                t.auth = Some(crate::scrape::Auth::Header {
                    kind: "Bearer".into(),
                    credentials: crate::scrape::Secret::Inline(token.to_string()),
                });
                let mut b = t.labels.to_builder();
                b.set("instance", format!("127.0.0.1:{public_port}"));
                t.labels = b.build();
            }
        }
        job
    }))
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
