//! Durable acknowledgement of pushes by *group commit*: every pushed batch waits until a
//! store commit that contains it has been fsynced and published, then its request is
//! answered.
//!
//! Why not a write-ahead log in front of an in-memory head (DESIGN.md's first sketch): the
//! store's commit already is a durable, atomic append (a part file fsynced, renamed into an
//! fsynced directory), readable at once by every other process. A WAL would be a second
//! durable format with its own replay, and data in the head would stay invisible to the
//! cron `query` runs that share the store. Group commit gives the same guarantee (nothing
//! acknowledged is lost by `kill -9`) with one format: one thread takes every batch waiting
//! in the queue, writes them as one part per kind, fsyncs once, and acknowledges them all.
//! Under load the groups grow by themselves, so the cost of an fsync is shared by all the
//! requests that arrived while the previous one ran; when idle, a push waits for one fsync.
//!
//! Merges are deferred to a separate thread ([`Merger`]), so an acknowledgement never waits
//! for a merge of large parts.

use crate::model::{Labels, LogEntry, MetricMetadata, Sample};
use crate::store::{Store, StoreError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// Samples and metadata of one remote_write request.
#[derive(Clone, Debug, Default)]
pub struct MetricBatch {
    pub series: Vec<(Labels, Vec<Sample>)>,
    pub metadata: Vec<MetricMetadata>,
}

/// Log entries of one push request.
#[derive(Clone, Debug, Default)]
pub struct LogBatch {
    pub streams: Vec<(Labels, Vec<LogEntry>)>,
}

enum Batch {
    Metrics(MetricBatch),
    Logs(LogBatch),
}

impl Batch {
    /// Items (samples or lines), to bound a group's size.
    fn items(&self) -> usize {
        match self {
            Batch::Metrics(m) => m.series.iter().map(|(_, s)| s.len()).sum(),
            Batch::Logs(l) => l.streams.iter().map(|(_, e)| e.len()).sum(),
        }
    }
}

struct Job {
    batch: Batch,
    done: oneshot::Sender<Result<(), CommitError>>,
}

/// Counts the committer keeps for the server's own `/metrics`.
#[derive(Debug, Default)]
pub struct CommitCounters {
    pub samples: AtomicU64,
    pub lines: AtomicU64,
    pub commits: AtomicU64,
    pub failed_commits: AtomicU64,
}

/// Why a pushed batch was not stored (then none of it was). Cloneable: one commit answers
/// every batch of its group.
#[derive(Clone, Debug, thiserror::Error)]
pub enum CommitError {
    /// The server is stopping and takes no more batches.
    #[error("the server is shutting down")]
    ShuttingDown,
    /// The commit thread is gone (it panicked): a bug.
    #[error("the commit thread has stopped")]
    Stopped,
    /// The store refused the batch or failed to write it; `what` is "samples" or "lines".
    #[error("cannot store the {what}: {source}")]
    Store {
        what: &'static str,
        source: Arc<StoreError>,
    },
}

impl CommitError {
    fn store(what: &'static str, e: StoreError) -> CommitError {
        CommitError::Store {
            what,
            source: Arc::new(e),
        }
    }
}

/// Most items one group takes: a bound on the memory of one commit.
const MAX_GROUP_ITEMS: usize = 2_000_000;

/// The queue of pushed batches and the thread that commits them.
pub struct Committer {
    tx: Mutex<Option<mpsc::Sender<Job>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    pub counters: Arc<CommitCounters>,
}

impl Committer {
    /// Starts the commit thread. After each commit it bumps `generation` (so cached
    /// snapshots know they are old) and wakes `merger`.
    pub fn start(store: Store, merger: Arc<Merger>, generation: Arc<AtomicU64>) -> Committer {
        let (tx, rx) = mpsc::channel::<Job>();
        let counters = Arc::new(CommitCounters::default());
        let c = counters.clone();
        let thread = std::thread::Builder::new()
            .name("argus-commit".into())
            .spawn(move || commit_loop(&store, &rx, &c, &generation, &merger))
            .expect("spawn the commit thread");
        Committer {
            tx: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
            counters,
        }
    }

    async fn submit(&self, batch: Batch) -> Result<(), CommitError> {
        let (done, wait) = oneshot::channel();
        let tx = self
            .tx
            .lock()
            // Poisoned only when a thread panicked while taking the sender out.
            .map_err(|_| CommitError::Stopped)?
            .clone()
            .ok_or(CommitError::ShuttingDown)?;
        tx.send(Job { batch, done })
            .map_err(|_| CommitError::Stopped)?;
        wait.await.map_err(|_| CommitError::Stopped)?
    }

    /// Returns once `batch` is durable in the store, or with why it could not be stored
    /// (then none of it was).
    pub async fn commit_metrics(&self, batch: MetricBatch) -> Result<(), CommitError> {
        self.submit(Batch::Metrics(batch)).await
    }

    /// Returns once `batch` is durable in the store.
    pub async fn commit_logs(&self, batch: LogBatch) -> Result<(), CommitError> {
        self.submit(Batch::Logs(batch)).await
    }

    /// Commits what is queued, then stops the thread. Later submissions fail.
    pub fn close(&self) {
        if let Ok(mut tx) = self.tx.lock() {
            tx.take();
        }
        if let Some(t) = self.thread.lock().ok().and_then(|mut t| t.take()) {
            let _ = t.join();
        }
    }
}

fn commit_loop(
    store: &Store,
    rx: &mpsc::Receiver<Job>,
    counters: &CommitCounters,
    generation: &AtomicU64,
    merger: &Merger,
) {
    while let Ok(first) = rx.recv() {
        let mut items = first.batch.items();
        let mut group = vec![first];
        while items < MAX_GROUP_ITEMS {
            match rx.try_recv() {
                Ok(j) => {
                    items += j.batch.items();
                    group.push(j);
                }
                Err(_) => break,
            }
        }
        let (metrics, logs) = commit_group(store, &group);
        let mut any_ok = false;
        for job in group {
            let r = match job.batch {
                Batch::Metrics(m) => {
                    if metrics.is_ok() {
                        let n: usize = m.series.iter().map(|(_, s)| s.len()).sum();
                        counters.samples.fetch_add(n as u64, Ordering::Relaxed);
                    }
                    metrics.clone()
                }
                Batch::Logs(l) => {
                    if logs.is_ok() {
                        let n: usize = l.streams.iter().map(|(_, e)| e.len()).sum();
                        counters.lines.fetch_add(n as u64, Ordering::Relaxed);
                    }
                    logs.clone()
                }
            };
            any_ok |= r.is_ok();
            let _ = job.done.send(r);
        }
        if metrics.is_err() || logs.is_err() {
            counters.failed_commits.fetch_add(1, Ordering::Relaxed);
        }
        if any_ok {
            counters.commits.fetch_add(1, Ordering::Relaxed);
            generation.fetch_add(1, Ordering::Release);
            merger.wake();
        }
    }
}

/// Writes the group as at most one metric part and one log part.
fn commit_group(
    store: &Store,
    group: &[Job],
) -> (Result<(), CommitError>, Result<(), CommitError>) {
    let mut mw = store.writer();
    mw.defer_merge();
    let mut lw = store.log_writer();
    lw.defer_merge();
    let mut metrics: Result<(), CommitError> = Ok(());
    let mut logs: Result<(), CommitError> = Ok(());
    for job in group {
        match &job.batch {
            Batch::Metrics(b) if metrics.is_ok() => {
                for (labels, samples) in &b.series {
                    for s in samples {
                        if let Err(e) = mw.append(labels, s.t, s.v) {
                            metrics = Err(CommitError::store("samples", e));
                        }
                    }
                }
                for md in &b.metadata {
                    mw.add_metadata(md.clone());
                }
            }
            Batch::Logs(b) if logs.is_ok() => {
                for (labels, entries) in &b.streams {
                    for e in entries {
                        if let Err(err) = lw.append_line(labels, e.t, &e.line, e.metadata.clone()) {
                            logs = Err(CommitError::store("lines", err));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if metrics.is_ok() {
        metrics = mw
            .commit()
            .map(|_| ())
            .map_err(|e| CommitError::store("samples", e));
    }
    if logs.is_ok() {
        logs = lw
            .commit()
            .map(|_| ())
            .map_err(|e| CommitError::store("lines", e));
    }
    (metrics, logs)
}

/// Runs the store's due merges on a thread of its own, at most one at a time; wakes that
/// arrive during a merge are folded into one more pass.
pub struct Merger {
    tx: Mutex<Option<mpsc::SyncSender<()>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Merger {
    pub fn start(store: Store) -> Arc<Merger> {
        let (tx, rx) = mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("argus-merge".into())
            .spawn(move || {
                while rx.recv().is_ok() {
                    // Housekeeping: a failed merge leaves more parts for the next one.
                    let _ = store.merge_due();
                }
            })
            .expect("spawn the merge thread");
        Arc::new(Merger {
            tx: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Asks for a merge pass; returns at once.
    pub fn wake(&self) {
        if let Some(tx) = self.tx.lock().ok().and_then(|t| t.clone()) {
            let _ = tx.try_send(());
        }
    }

    /// Lets a running merge finish, then stops the thread.
    pub fn close(&self) {
        if let Ok(mut tx) = self.tx.lock() {
            tx.take();
        }
        if let Some(t) = self.thread.lock().ok().and_then(|mut t| t.take()) {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_pushes_are_durable_when_acknowledged() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let merger = Merger::start(store.clone());
        let generation = Arc::new(AtomicU64::new(0));
        let committer = Arc::new(Committer::start(
            store.clone(),
            merger.clone(),
            generation.clone(),
        ));
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        rt.block_on(async {
            let mut tasks = Vec::new();
            for i in 0..20i64 {
                let c = committer.clone();
                tasks.push(tokio::spawn(async move {
                    let labels = Labels::from_pairs([("__name__", "m"), ("i", &*i.to_string())]);
                    c.commit_metrics(MetricBatch {
                        series: vec![(labels.clone(), vec![Sample { t: i, v: i as f64 }])],
                        metadata: vec![],
                    })
                    .await
                    .unwrap();
                    c.commit_logs(LogBatch {
                        streams: vec![(labels, vec![LogEntry::new(i, format!("line {i}"))])],
                    })
                    .await
                    .unwrap();
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
        });
        // Every acknowledged batch is visible to a new reader, without the server.
        let snap = store.snapshot().unwrap();
        let all = snap
            .select(&[crate::model::Matcher::equal("__name__", "m")], 0, 100)
            .unwrap();
        assert_eq!(all.len(), 20);
        let logs = store.log_snapshot().unwrap();
        assert_eq!(logs.streams(&[], 0, 100).len(), 20);
        assert!(committer.counters.commits.load(Ordering::Relaxed) >= 1);
        assert!(generation.load(Ordering::Relaxed) >= 1);
        assert_eq!(committer.counters.samples.load(Ordering::Relaxed), 20);
        committer.close();
        merger.close();
        let e = rt
            .block_on(committer.commit_logs(LogBatch::default()))
            .unwrap_err();
        assert!(matches!(e, CommitError::ShuttingDown), "{e}");
    }
}
