//! What every handler shares: the store and its cached snapshots, the commit queue, the scrape
//! targets' last outcomes, the loaded configuration, the limits, and the server's own metrics.
//!
//! Snapshots are cached because opening one lists and maps every part: a dashboard refresh
//! sends dozens of queries that may all read one snapshot. A cached snapshot is dropped when
//! this server commits (a push must be readable as soon as it is acknowledged) and after
//! [`SNAPSHOT_MAX_AGE`], so that commits of other processes (cron `scrape`, pipeline `ingest`)
//! are seen within that time.

use super::committer::{Committer, Merger};
use super::errors::{ApiError, ErrorKind};
use super::push::PushLimits;
use super::self_metrics::Registry;
use crate::scrape::{ScrapeJob, TargetReport};
use crate::store::logs::LogSnapshot;
use crate::store::{Snapshot, Store, StoreError};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, Semaphore};

/// How long a cached snapshot serves queries before the store is looked at again.
pub const SNAPSHOT_MAX_AGE: Duration = Duration::from_secs(1);

/// Limits and settings of queries.
#[derive(Clone, Debug)]
pub struct QueryLimits {
    /// Longest a query may run; a request's own `timeout` can only shorten it.
    pub timeout: Duration,
    /// Most samples one PromQL query (or the PromQL part of a LogQL metric query) may hold
    /// at once.
    pub max_samples: usize,
    /// Most log lines one Loki query may return (`limit` above it is refused).
    pub max_entries: usize,
    /// Queries evaluated at once; more wait their turn, at most `timeout`.
    pub max_concurrent: usize,
    /// PromQL's lookback delta, ms.
    pub lookback_delta: i64,
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits {
            timeout: Duration::from_secs(120),
            max_samples: 50_000_000,
            max_entries: 5000,
            max_concurrent: 20,
            lookback_delta: 5 * 60 * 1000,
        }
    }
}

/// One cached snapshot and when and after which commit it was opened.
struct Cached<T> {
    opened: Instant,
    generation: u64,
    snap: Arc<T>,
}

/// The latest snapshots of both areas.
pub struct SnapshotCache {
    store: Store,
    /// Bumped after each commit of this server (pushes and scrapes).
    pub generation: Arc<AtomicU64>,
    metrics: Mutex<Option<Cached<Snapshot>>>,
    logs: Mutex<Option<Cached<LogSnapshot>>>,
}

impl SnapshotCache {
    pub fn new(store: Store, generation: Arc<AtomicU64>) -> SnapshotCache {
        SnapshotCache {
            store,
            generation,
            metrics: Mutex::new(None),
            logs: Mutex::new(None),
        }
    }

    fn get<T>(
        &self,
        slot: &Mutex<Option<Cached<T>>>,
        open: impl FnOnce(&Store) -> Result<T, StoreError>,
    ) -> Result<Arc<T>, StoreError> {
        let generation = self.generation.load(Ordering::Acquire);
        // Held while opening, so that a burst of queries opens one snapshot, not one each.
        // A query that panicked while opening leaves the lock poisoned: the cache is then
        // emptied and used again, so that one bug does not fail every later query.
        let mut slot = match slot.lock() {
            Ok(guard) => guard,
            Err(poisoned) => {
                let mut guard = poisoned.into_inner();
                *guard = None;
                slot.clear_poison();
                guard
            }
        };
        if let Some(c) = slot.as_ref() {
            if c.generation == generation && c.opened.elapsed() < SNAPSHOT_MAX_AGE {
                return Ok(c.snap.clone());
            }
        }
        let snap = Arc::new(open(&self.store)?);
        *slot = Some(Cached {
            opened: Instant::now(),
            generation,
            snap: snap.clone(),
        });
        Ok(snap)
    }

    pub fn metrics(&self) -> Result<Arc<Snapshot>, StoreError> {
        self.get(&self.metrics, Store::snapshot)
    }

    pub fn logs(&self) -> Result<Arc<LogSnapshot>, StoreError> {
        self.get(&self.logs, Store::log_snapshot)
    }
}

/// The last outcome of one scrape target.
#[derive(Clone, Debug)]
pub struct TargetStatus {
    /// Wall-clock time of the scrape, ms.
    pub at_ms: i64,
    pub report: TargetReport,
}

/// The scrape jobs in force and the last outcome of each target, for `/api/v1/targets`.
#[derive(Clone, Debug, Default)]
pub struct TargetsView {
    pub jobs: Vec<ScrapeJob>,
    /// By (job, URL).
    pub last: HashMap<(String, String), TargetStatus>,
}

/// The configuration in force, for `/api/v1/status/config` and the reload metrics.
#[derive(Clone, Debug, Default)]
pub struct LoadedConfig {
    /// The YAML text (generated when running without `--config`).
    pub yaml: String,
    pub last_reload_ok: bool,
    /// Wall-clock time of the last successful load, ms.
    pub last_reload_ms: i64,
    /// Why the last reload failed.
    pub last_error: Option<String>,
}

/// A request to reload the configuration, with where to send the outcome (none for SIGHUP).
pub type ReloadRequest = Option<oneshot::Sender<Result<(), String>>>;

/// Everything the handlers share.
pub struct AppState {
    pub store: Store,
    pub snapshots: SnapshotCache,
    pub committer: Committer,
    pub merger: Arc<Merger>,
    pub targets: RwLock<TargetsView>,
    pub config: RwLock<LoadedConfig>,
    pub reload: tokio::sync::mpsc::UnboundedSender<ReloadRequest>,
    pub registry: Registry,
    /// Largest request body, as sent (`--max-body-bytes`).
    pub max_body_bytes: usize,
    pub push_limits: PushLimits,
    pub query_limits: QueryLimits,
    pub query_slots: Arc<Semaphore>,
    /// The command-line flags, for `/api/v1/status/flags`.
    pub flags: BTreeMap<String, String>,
    /// Wall-clock start, ms.
    pub started_ms: i64,
    /// False once shutdown began: `/-/ready` answers 503.
    pub ready: AtomicBool,
    /// Bearer token required on push endpoints, when set.
    pub push_token: Option<String>,
    /// Basic authentication on every endpoint (`--web-config`), when set.
    pub basic_auth: Option<Arc<super::web_config::BasicAuth>>,
    /// Which `Host` and `Origin` headers are answered.
    pub admission: super::admission::Admission,
    /// Open, refused and timed-out connections, for `/metrics`.
    pub connections: Arc<super::connections::ConnectionCounts>,
    /// The rules in force and their groups' latest states.
    pub rules: super::rules::Rules,
    /// The dashboard files (`--dashboards`).
    pub dashboards: crate::dashboard::library::Library,
}

impl AppState {
    /// Runs `f` on tokio's blocking pool once a query slot is free, with the snapshot `read`
    /// gives (metrics or logs). Queries are CPU work: kept off the threads that accept
    /// connections and pushes, and at most `--max-concurrent-queries` at once.
    ///
    /// The request is answered with a timeout error once `--query-timeout` has passed since
    /// it arrived, whatever the query: the PromQL engine stops itself at its deadline, and
    /// the LogQL evaluator and metadata reads, which do not, keep their slot until they end,
    /// so a burst of slow queries cannot take more than the slots.
    pub async fn on_query_slot<S, T>(
        self: &Arc<Self>,
        read: fn(&SnapshotCache) -> Result<Arc<S>, StoreError>,
        f: impl FnOnce(&S) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError>
    where
        S: Send + Sync + 'static,
        T: Send + 'static,
    {
        let st = self.clone();
        self.on_slot(move || {
            let snap = read(&st.snapshots)?;
            f(&snap)
        })
        .await
    }

    /// Runs `f` on the blocking pool on a query slot, within `--query-timeout`, as
    /// [`on_query_slot`](Self::on_query_slot) does, for work that needs no snapshot (parsing
    /// a query that is only formatted or checked). Parsing is part of a query's cost: a
    /// query of a hundred thousand terms takes as long to parse as many take to run.
    ///
    /// A panic in `f` is answered as a 500 with the panic's message; the slot is released as
    /// the panic unwinds (it is owned by the task), and the server goes on.
    pub async fn on_slot<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        // A query waits for a slot at most as long as it may run; then it is refused with
        // 503, which clients retry, rather than queueing without bound.
        let limits = &self.query_limits;
        let deadline = tokio::time::Instant::now() + limits.timeout;
        let slot = self.query_slots.clone().acquire_owned();
        let slot = match tokio::time::timeout_at(deadline, slot).await {
            Ok(Ok(slot)) => slot,
            Ok(Err(_)) => {
                return Err(ApiError::new(
                    ErrorKind::Unavailable,
                    "the server is shutting down",
                ))
            }
            Err(_) => {
                return Err(ApiError::new(
                    ErrorKind::Unavailable,
                    format!(
                        "too many queries at once: {} are running (--max-concurrent-queries) and none finished within {:?}; try again",
                        limits.max_concurrent, limits.timeout
                    ),
                ))
            }
        };
        let work = tokio::task::spawn_blocking(move || {
            // Dropped when `f` returns or panics: the slot is free again either way.
            let _slot = slot;
            f()
        });
        match tokio::time::timeout_at(deadline, work).await {
            Ok(Ok(done)) => done,
            Ok(Err(failed)) => Err(super::errors::task_failed("the query", failed)),
            Err(_) => Err(ApiError::new(
                ErrorKind::Timeout,
                format!(
                    "query timed out after {:?} (--query-timeout)",
                    limits.timeout
                ),
            )),
        }
    }

    /// Whether `Authorization: Bearer <token>` matches the push token (always, when none is
    /// configured).
    pub fn push_allowed(&self, authorization: Option<&str>) -> bool {
        match &self.push_token {
            None => true,
            // The scheme name is case-insensitive (RFC 9110).
            Some(token) => authorization
                .and_then(|a| a.split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .is_some_and(|(_, given)| {
                    constant_time_eq(given.trim().as_bytes(), token.as_bytes())
                }),
        }
    }
}

/// Compares secrets in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
