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

/// A tiny HTTP server on a free loopback port that answers every request with `body` and
/// `content_type`, on a background thread, until the process ends. Returns its base URL.
pub fn serve_fixture(content_type: &'static str, body: String) -> String {
    serve_changing_fixture(content_type, body).0
}

/// Like [`serve_fixture`], and also returns a handle to change the body between scrapes.
pub fn serve_changing_fixture(
    content_type: &'static str,
    body: String,
) -> (String, std::sync::Arc<std::sync::Mutex<String>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let body = std::sync::Arc::new(std::sync::Mutex::new(body));
    let handle = body.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 8192];
            let mut req = Vec::new();
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
            }
            let b = body.lock().unwrap().clone();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                b.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(b.as_bytes());
        }
    });
    (format!("http://{addr}"), handle)
}

/// Runs `argus` with `args` and returns stdout; panics with stderr when it fails.
pub fn stdout_of(mut cmd: Command, args: &[&str]) -> String {
    let out = cmd.args(args).output().expect("run argus");
    assert!(
        out.status.success(),
        "argus {args:?} failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

/// A small deterministic generator (xorshift), so that a failing run can be repeated.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// The rows of `argus query -o csv` output as maps from column name to cell (for cells without
/// commas or quotes, as labels of test data are).
pub fn csv_rows(out: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .map(|h| h.to_string())
                .zip(l.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}

/// A child process that is killed when the test ends, also when an assertion fails first: a
/// leaked `argus scrape --every` or `--follow` would hold the test runner's output open and
/// keep a CI run from ever finishing.
pub struct Spawned(pub std::process::Child);

impl Drop for Spawned {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

impl std::ops::Deref for Spawned {
    type Target = std::process::Child;
    fn deref(&self) -> &std::process::Child {
        &self.0
    }
}

impl std::ops::DerefMut for Spawned {
    fn deref_mut(&mut self) -> &mut std::process::Child {
        &mut self.0
    }
}
