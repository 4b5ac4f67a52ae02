//! File-system helpers with the durability rules of the store: fsync of files and of the
//! directories that name them, atomic replacement by rename, advisory locks, temporary files
//! that record their writer's pid and delete themselves unless published.
//!
//! Assumptions about the media (as in redb's design doc): `fsync` on a file makes its
//! contents durable; `fsync` on a directory makes the names in it (creations, renames,
//! unlinks) durable; `rename` within one file system is atomic. These hold for ext4, xfs and
//! btrfs on Linux.
//!
//! This file is also the store's storage seam for tests: every data write, fsync, file
//! creation and rename of the store goes through it, and a test can make the Nth one of them
//! fail ([`faults`]), the way redb's tests simulate crashes, to prove that a writer that fails
//! anywhere leaves nothing behind.

use super::error::{Result, StoreError};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The operations a test can make fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FaultOp {
    Create,
    Write,
    Fsync,
    Rename,
}

/// A fault point: fails when a test asked for this operation to fail now; nothing otherwise.
#[inline]
fn fault(op: FaultOp) -> std::io::Result<()> {
    #[cfg(test)]
    return faults::hit(op);
    #[cfg(not(test))]
    {
        let _ = op;
        Ok(())
    }
}

/// Injected failures for tests, per thread (tests run in parallel threads).
#[cfg(test)]
pub(crate) mod faults {
    use super::FaultOp;
    use std::cell::Cell;

    thread_local! {
        /// The operation to fail and how many of them to let pass first.
        static PLAN: Cell<Option<(FaultOp, u32)>> = const { Cell::new(None) };
        static FIRED: Cell<bool> = const { Cell::new(false) };
    }

    /// Makes the `n`th (counting from 1) `op` of this thread from now on fail.
    pub fn fail_nth(op: FaultOp, n: u32) {
        PLAN.set(Some((op, n.max(1) - 1)));
        FIRED.set(false);
    }

    /// Whether the planned fault happened; clears the plan.
    pub fn fired() -> bool {
        PLAN.set(None);
        FIRED.replace(false)
    }

    pub(super) fn hit(op: FaultOp) -> std::io::Result<()> {
        match PLAN.get() {
            Some((o, 0)) if o == op => {
                PLAN.set(None);
                FIRED.set(true);
                Err(std::io::Error::other(format!("injected {op:?} fault")))
            }
            Some((o, n)) if o == op => {
                PLAN.set(Some((o, n - 1)));
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// fsync a directory so that the entries in it are durable. An empty path (the parent of a
/// relative name such as `store`) is the current directory.
pub fn sync_dir(dir: &Path) -> Result<()> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let f = File::open(dir).map_err(|e| StoreError::io("open directory", dir, e))?;
    fault(FaultOp::Fsync)
        .and_then(|()| f.sync_all())
        .map_err(|e| StoreError::io("fsync directory", dir, e))
}

/// Creates `dir` (and parents) and makes its name durable in its parent.
pub fn create_dir_durable(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| StoreError::io("create directory", dir, e))?;
    if let Some(parent) = dir.parent() {
        sync_dir(parent)?;
    }
    Ok(())
}

/// Renames `from` to `to` (atomically, within one file system). The caller fsyncs the
/// directories involved.
pub fn rename(from: &Path, to: &Path) -> Result<()> {
    fault(FaultOp::Rename)
        .and_then(|()| std::fs::rename(from, to))
        .map_err(|e| StoreError::io("rename", to, e))
}

/// Makes `to` a second name of the file `from` (a hard link), or, where the file system
/// cannot link, a durable copy of it. The caller fsyncs `to`'s directory.
pub fn link_or_copy(from: &Path, to: &Path) -> Result<()> {
    fault(FaultOp::Create).map_err(|e| StoreError::io("link", to, e))?;
    if std::fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    std::fs::copy(from, to).map_err(|e| StoreError::io("copy", to, e))?;
    let f = File::open(to).map_err(|e| StoreError::io("open", to, e))?;
    f.sync_all().map_err(|e| StoreError::io("fsync", to, e))
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh temporary file name in `dir`: `<pid>-<nanos>-<counter>.<ext>`. The pid lets
/// [`remove_dead_temporaries`] tell abandoned files from ones still being written.
pub fn temp_path(dir: &Path, ext: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let n = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("{}-{nanos}-{n}.{ext}", std::process::id()))
}

/// A temporary file of this process (a part before publication, a spill, a merge's output),
/// deleted when dropped unless it was renamed into place with [`TempFile::rename_to`]. A
/// writer that fails anywhere, or is dropped, so leaves nothing in `tmp/`, also in a
/// long-running process, whose leftovers [`remove_dead_temporaries`] would not touch.
#[derive(Debug)]
pub struct TempFile {
    path: PathBuf,
    published: bool,
}

impl TempFile {
    /// A fresh name in `dir`; the file itself is made by whoever writes it.
    pub fn new(dir: &Path, ext: &str) -> TempFile {
        TempFile {
            path: temp_path(dir, ext),
            published: false,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the file to `dest`; from then on it is no longer temporary.
    pub fn rename_to(mut self, dest: &Path) -> Result<()> {
        rename(&self.path, dest)?;
        self.published = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.published {
            // Nothing to do when the writer failed before creating the file.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A file of the store being written: every write goes through the fault point.
pub struct DataFile {
    file: File,
}

impl DataFile {
    /// Creates (or truncates) `path` for writing.
    pub fn create(path: &Path) -> Result<DataFile> {
        fault(FaultOp::Create)
            .and_then(|()| File::create(path))
            .map(|file| DataFile { file })
            .map_err(|e| StoreError::io("create", path, e))
    }

    /// fsync: the file's contents are durable once this returns.
    pub fn sync(&self, path: &Path) -> Result<()> {
        fault(FaultOp::Fsync)
            .and_then(|()| self.file.sync_all())
            .map_err(|e| StoreError::io("fsync", path, e))
    }
}

impl Write for DataFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        fault(FaultOp::Write)?;
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Is a process with this pid alive (or at least not known to be dead)?
fn pid_alive(pid: u32) -> bool {
    // kill(pid, 0) sends nothing and only checks; ESRCH means no such process.
    let r = unsafe { libc::kill(pid as libc::pid_t, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Deletes the temporary files in `dir` whose writer process is gone (a crash or `kill -9`
/// left them). Files of live processes are left alone. Returns how many were removed.
pub fn remove_dead_temporaries(dir: &Path) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for e in rd.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !pid_alive(pid) && std::fs::remove_file(e.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Writes `data` to `path` atomically and durably: temp file, fsync, rename, fsync dir.
pub fn write_atomic(path: &Path, tmp_dir: &Path, data: &[u8]) -> Result<()> {
    let tmp = TempFile::new(tmp_dir, "tmp");
    let mut f = DataFile::create(tmp.path())?;
    f.write_all(data)
        .map_err(|e| StoreError::io("write", tmp.path(), e))?;
    f.sync(tmp.path())?;
    tmp.rename_to(path)?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

/// An advisory lock on a file, released on drop (or when the process dies, which is what
/// makes it safe against `kill -9`).
pub struct LockGuard {
    _file: File,
}

/// Opens a lock file for an exclusive lock, creating it when missing.
fn open_lock_file(path: &Path) -> Result<File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| StoreError::io("open lock", path, e))
}

/// Makes the lock file `path` if it is missing (writers do so when they open a store, so
/// that readers never need to).
pub fn create_lock_file(path: &Path) -> Result<()> {
    open_lock_file(path).map(drop)
}

/// Blocks until the exclusive lock on `path` is held.
pub fn lock_exclusive(path: &Path) -> Result<LockGuard> {
    let f = open_lock_file(path)?;
    f.lock().map_err(|e| StoreError::io("lock", path, e))?;
    Ok(LockGuard { _file: f })
}

/// Blocks until a shared lock on `path` is held (many readers, no exclusive holder). The
/// file is opened read-only and never made, so a reader needs no write access to the store
/// and changes nothing in it; `None` when the lock file does not exist. Writers make their
/// lock files before they lock them, so a missing lock file means no writer holds it; see
/// `Area::with_parts_shared` for how a reader stays consistent without it.
pub fn lock_shared(path: &Path) -> Result<Option<LockGuard>> {
    let f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io("open lock", path, e)),
    };
    f.lock_shared()
        .map_err(|e| StoreError::io("lock", path, e))?;
    Ok(Some(LockGuard { _file: f }))
}

/// Takes the exclusive lock on `path` if nobody holds it; `None` when somebody does.
pub fn try_lock_exclusive(path: &Path) -> Result<Option<LockGuard>> {
    let f = open_lock_file(path)?;
    match f.try_lock() {
        Ok(()) => Ok(Some(LockGuard { _file: f })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(StoreError::io("lock", path, e)),
    }
}
