//! File-system helpers with the durability rules of the store: fsync of files and of the
//! directories that name them, atomic replacement by rename, advisory locks, temporary names
//! that record their writer's pid so leftovers of dead writers can be recognised.
//!
//! Assumptions about the media (as in redb's design doc): `fsync` on a file makes its
//! contents durable; `fsync` on a directory makes the names in it (creations, renames,
//! unlinks) durable; `rename` within one file system is atomic. These hold for ext4, xfs and
//! btrfs on Linux.

use super::error::{Result, StoreError};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// fsync a directory so that the entries in it are durable. An empty path (the parent of a
/// relative name such as `store`) is the current directory.
pub fn sync_dir(dir: &Path) -> Result<()> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let f = File::open(dir).map_err(|e| StoreError::io("open directory", dir, e))?;
    f.sync_all()
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
    let tmp = temp_path(tmp_dir, "tmp");
    let result = (|| {
        let mut f = File::create(&tmp).map_err(|e| StoreError::io("create", &tmp, e))?;
        f.write_all(data)
            .map_err(|e| StoreError::io("write", &tmp, e))?;
        f.sync_all().map_err(|e| StoreError::io("fsync", &tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| StoreError::io("rename", path, e))?;
        sync_dir(path.parent().unwrap_or(Path::new(".")))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// An advisory lock on a file, released on drop (or when the process dies, which is what
/// makes it safe against `kill -9`).
pub struct LockGuard {
    _file: File,
}

fn open_lock_file(path: &Path) -> Result<File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| StoreError::io("open lock", path, e))
}

/// Blocks until the exclusive lock on `path` is held.
pub fn lock_exclusive(path: &Path) -> Result<LockGuard> {
    let f = open_lock_file(path)?;
    f.lock().map_err(|e| StoreError::io("lock", path, e))?;
    Ok(LockGuard { _file: f })
}

/// Blocks until a shared lock on `path` is held (many readers, no exclusive holder).
pub fn lock_shared(path: &Path) -> Result<LockGuard> {
    let f = open_lock_file(path)?;
    f.lock_shared()
        .map_err(|e| StoreError::io("lock", path, e))?;
    Ok(LockGuard { _file: f })
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
