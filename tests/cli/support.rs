//! Helpers shared by the integration tests: a temporary store and a command builder.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A temporary directory holding a store (and any input files a test writes).
pub struct Workdir {
    pub dir: TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes an input file and returns its path.
    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, content).expect("write input");
        p
    }

    /// `argus` with this store.
    pub fn argus(&self) -> Command {
        argus_with_store(&self.store())
    }
}

/// `argus` with the given store, isolated from the user's environment.
pub fn argus_with_store(store: &Path) -> Command {
    let mut c = Command::cargo_bin("argus").expect("argus binary");
    c.env("ARGUS_STORE", store).env_remove("XDG_DATA_HOME");
    c
}

/// The path of the built binary, for tests that spawn it themselves (kill -9, concurrency).
pub fn argus_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("argus")
}
