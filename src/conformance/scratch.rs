//! The real store in a private scratch directory that the conformance runners load script data
//! into, so that the conformance numbers measure the store's reads (part files, merges,
//! staleness markers, duplicates across commits) and not an in-memory stand-in. It implements
//! both runners' storage seams ([`ScriptStorage`] for PromQL, [`LogScriptStorage`] for LogQL).
//! It never touches a user's store.

use super::logql_script::LogScriptStorage;
use super::promql_script::ScriptStorage;
use crate::model::{Labels, LogEntry, Sample};
use crate::promql::engine::Queryable;
use crate::store::logs::LogSnapshot;
use crate::store::{Snapshot, Store, StoreError};
use std::path::{Path, PathBuf};

/// A real store in a private scratch directory (by default under the system's temporary
/// directory), removed when dropped.
///
/// Each `load` block is one commit; `clear` switches to a fresh store in a new
/// subdirectory, which is simpler and cheaper than deleting parts under a live store.
pub struct ScratchStore {
    root: PathBuf,
    generation: u32,
    store: Store,
    snapshot: Snapshot,
}

impl ScratchStore {
    /// Creates the scratch directory (under `base`, else the system's temporary directory)
    /// and an empty store in it.
    pub fn new(base: Option<&Path>) -> Result<ScratchStore, StoreError> {
        let base = base.map_or_else(std::env::temp_dir, Path::to_path_buf);
        let pid = std::process::id();
        // Several runners (parallel tests) may share a pid; the counter and the failing
        // create_dir on a taken name keep their directories apart.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let root = loop {
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let candidate = base.join(format!("argus-conformance-{pid}-{n}"));
            match std::fs::create_dir(&candidate) {
                Ok(()) => break candidate,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(StoreError::io("create", &candidate, e)),
            }
        };
        let store = match Store::open(&root.join("0")) {
            Ok(s) => s,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&root);
                return Err(e);
            }
        };
        let snapshot = store.snapshot()?;
        Ok(ScratchStore {
            root,
            generation: 0,
            store,
            snapshot,
        })
    }

    /// The directory of the store currently in use.
    pub fn dir(&self) -> &Path {
        self.store.dir()
    }
}

impl Drop for ScratchStore {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

impl ScriptStorage for ScratchStore {
    fn load(&mut self, series: Vec<(Labels, Vec<Sample>)>) -> Result<(), StoreError> {
        let mut w = self.store.writer();
        for (labels, samples) in &series {
            for s in samples {
                w.append(labels, s.t, s.v)?;
            }
        }
        w.commit()?;
        self.snapshot = self.store.snapshot()?;
        Ok(())
    }

    fn clear(&mut self) -> Result<(), StoreError> {
        let old = self.store.dir().to_path_buf();
        self.generation += 1;
        let dir = self.root.join(self.generation.to_string());
        let store = Store::open(&dir)?;
        self.snapshot = store.snapshot()?;
        self.store = store;
        std::fs::remove_dir_all(&old).map_err(|e| StoreError::io("remove", &old, e))
    }

    fn queryable(&self) -> &dyn Queryable {
        &self.snapshot
    }
}

impl LogScriptStorage for ScratchStore {
    fn load(&mut self, entries: Vec<(Labels, LogEntry)>) -> Result<(), StoreError> {
        let mut w = self.store.log_writer();
        for (labels, entry) in entries {
            w.append(&labels, entry)?;
        }
        w.commit().map(|_| ())
    }

    fn clear(&mut self) -> Result<(), StoreError> {
        ScriptStorage::clear(self)
    }

    fn snapshot(&self) -> Result<LogSnapshot, StoreError> {
        self.store.log_snapshot()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Matcher;

    #[test]
    fn scratch_store_loads_clears_and_cleans_up() {
        let mut s = ScratchStore::new(None).unwrap();
        let root = s.root.clone();
        let m = Labels::from_pairs([("__name__", "m")]);
        ScriptStorage::load(&mut s, vec![(m.clone(), vec![Sample { t: 0, v: 1.0 }])]).unwrap();
        ScriptStorage::load(&mut s, vec![(m.clone(), vec![Sample { t: 10, v: 2.0 }])]).unwrap();
        let got = s
            .queryable()
            .select(&[Matcher::equal("__name__", "m")], 0, 10)
            .unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].samples.len(), 2);
        ScriptStorage::clear(&mut s).unwrap();
        assert!(s
            .queryable()
            .select(&[Matcher::equal("__name__", "m")], 0, 10)
            .unwrap()
            .is_empty());
        assert!(root.exists());
        drop(s);
        assert!(!root.exists());
    }
}
