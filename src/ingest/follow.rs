//! `argus ingest logs` on inputs that keep growing: `--follow` (as `tail -F`), `--positions`
//! (resume where the last run stopped), and stdin when it is a pipe (`journalctl -f -o json |
//! argus ingest logs ...`), which may never end.
//!
//! One reader thread per input hands complete lines to the calling thread, which stores them.
//! Lines are committed when the inputs pause (nothing new for 200 ms), at least every few
//! seconds while they keep flowing, and when the run stops, so that other processes see them
//! soon. Positions are written after each commit, never before: a line is not marked done
//! until it is durable. A crash between a commit and the positions write can store the last
//! batch again on the next run; lines with their own timestamps are still stored once (the
//! store keeps exact duplicates once), lines timed by arrival are not.
//!
//! Rotation: a followed path that comes to name a different file (rename-and-create, as
//! logrotate does) is finished to its end through the open handle, then the new file is read
//! from its start; a file that shrinks (copytruncate) is read again from its start. SIGINT and
//! SIGTERM commit what was read and end the run normally.
//!
//! Unlike the rest of `ingest`, this file commits to the store itself: when to commit is the
//! point of it. It does not parse flags or print; the CLI (`cli/ingest_logs.rs`) does.

use super::logs::{
    ingest_log_lines, LogIngestError, LogIngestOptions, LogIngestReport, LogIngestState,
};
use super::positions::{Position, Positions};
use crate::store::logs::LogWriter;
use crate::store::{Store, StoreError};
use std::io::{BufRead, Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// How often a followed file is checked for new lines and rotation.
const POLL: Duration = Duration::from_millis(250);
/// A pause this long in every input commits what was read.
const QUIET: Duration = Duration::from_millis(200);
/// Lines that keep flowing are committed at least this often.
const MAX_DELAY: Duration = Duration::from_secs(5);
/// Bytes of lines read before a reader hands them over even without a pause.
const CHUNK: usize = 1 << 20;

/// What a reader thread reports.
enum Event {
    /// Complete lines; the input's identity and the offset just after them.
    Lines {
        input: usize,
        bytes: Vec<u8>,
        at: Option<Position>,
    },
    /// The followed path now names a new file (or the file was truncated): reading restarts
    /// at its first line.
    Restarted {
        input: usize,
        why: &'static str,
    },
    /// The input ended (stdin closed, or a file read to its end without --follow).
    Done {
        input: usize,
    },
    Failed {
        input: usize,
        error: String,
    },
}

/// One input as the main thread sees it.
struct Input {
    name: String,
    /// The key of a file in the positions file.
    key: Option<String>,
    lines: u64,
    done: bool,
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// SIGINT and SIGTERM set [`STOP`] instead of killing the process.
fn catch_stop_signals() {
    let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

/// Whether stdin is a pipe or a terminal (input that may go on), not a redirected file.
pub fn stdin_is_stream() -> bool {
    // SAFETY: fstat on a file descriptor with a zeroed stat buffer.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        if libc::fstat(0, &mut st) != 0 {
            return false;
        }
        let kind = st.st_mode & libc::S_IFMT;
        kind == libc::S_IFIFO || kind == libc::S_IFCHR || kind == libc::S_IFSOCK
    }
}

/// Why a run over growing inputs stopped early. What was committed before stays stored.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    /// The inputs cannot be read this way (stdin with `--positions`).
    #[error("{0}")]
    Usage(String),
    /// An input or the positions file cannot be opened or read.
    #[error("{0}")]
    Input(String),
    /// The lines themselves stopped the ingest (too many streams, no labels).
    #[error(transparent)]
    Lines(#[from] LogIngestError),
    /// A commit failed.
    #[error("cannot store the lines: {0}")]
    Commit(#[source] StoreError),
    /// The positions file could not be written.
    #[error("{0}")]
    Positions(String),
}

/// What a run over growing inputs did, for the closing report.
pub struct FollowOutcome {
    pub state: LogIngestState,
    pub report: LogIngestReport,
    /// Entries the commits kept (exact duplicates within a commit are kept once).
    pub kept: u64,
}

/// Runs the ingest over growing inputs (`-` is stdin) until they end or SIGINT/SIGTERM stops
/// it. `follow` keeps reading files as they grow; `positions_path` names the positions file.
/// `note` receives progress messages (a rotation, a truncation).
pub fn ingest_growing(
    store: &Store,
    files: &[PathBuf],
    follow: bool,
    positions_path: Option<&Path>,
    opts: &LogIngestOptions,
    note: &mut dyn FnMut(String),
) -> Result<FollowOutcome, FollowError> {
    let mut positions = match positions_path {
        Some(p) => Some(Positions::load(p).map_err(FollowError::Input)?),
        None => None,
    };
    catch_stop_signals();
    let (tx, rx) = std::sync::mpsc::channel();
    let mut inputs = Vec::new();
    for (i, path) in files.iter().enumerate() {
        if path.as_os_str() == "-" {
            if positions.is_some() {
                return Err(FollowError::Usage(
                    "--positions records files by path: stdin has none".into(),
                ));
            }
            inputs.push(Input {
                name: "<stdin>".into(),
                key: None,
                lines: 0,
                done: false,
            });
            let tx = tx.clone();
            std::thread::spawn(move || read_stdin(i, tx));
            continue;
        }
        let file = std::fs::File::open(path)
            .map_err(|e| FollowError::Input(format!("cannot open {}: {e}", path.display())))?;
        let key = std::fs::canonicalize(path)
            .unwrap_or_else(|_| path.clone())
            .display()
            .to_string();
        let start = positions.as_ref().and_then(|p| p.get(&key));
        let meta = file
            .metadata()
            .map_err(|e| FollowError::Input(format!("cannot read {}: {e}", path.display())))?;
        // Resume only in the same file, and only if it did not shrink below the position.
        let start =
            start.filter(|p| p.dev == meta.dev() && p.ino == meta.ino() && p.offset <= meta.len());
        inputs.push(Input {
            name: path.display().to_string(),
            key: Some(key),
            lines: start.map_or(0, |p| p.line),
            done: false,
        });
        let (tx, path) = (tx.clone(), path.clone());
        std::thread::spawn(move || read_file(i, path, file, start, follow, tx));
    }
    drop(tx);
    store_events(store, &rx, &mut inputs, opts, positions.as_mut(), note)
}

/// Commits what `writer` holds, then records the positions its lines reached. Returns the
/// number of entries the commit kept.
fn commit(
    writer: LogWriter,
    reached: &mut Vec<(usize, Position)>,
    positions: &mut Option<&mut Positions>,
    inputs: &[Input],
) -> Result<u64, FollowError> {
    let stats = writer.commit().map_err(FollowError::Commit)?;
    if let Some(p) = positions.as_deref_mut() {
        for (i, pos) in reached.drain(..) {
            if let Some(key) = &inputs[i].key {
                p.set(key, pos);
            }
        }
        p.save().map_err(FollowError::Positions)?;
    }
    reached.clear();
    Ok(stats.entries)
}

/// The main loop: stores what the readers hand over and commits at pauses. Returns what the
/// ingest saw, for the closing report.
fn store_events(
    store: &Store,
    rx: &Receiver<Event>,
    inputs: &mut [Input],
    opts: &LogIngestOptions,
    mut positions: Option<&mut Positions>,
    note: &mut dyn FnMut(String),
) -> Result<FollowOutcome, FollowError> {
    let mut state = LogIngestState::default();
    let mut report = LogIngestReport::default();
    let mut opts = opts.clone();
    let mut writer = store.log_writer();
    // Positions reached by the lines in `writer`, applied once they are committed.
    let mut reached: Vec<(usize, Position)> = Vec::new();
    let mut first_uncommitted: Option<Instant> = None;
    let mut kept = 0;
    loop {
        let event = rx.recv_timeout(QUIET);
        let quiet = matches!(event, Err(RecvTimeoutError::Timeout));
        match event {
            Ok(Event::Lines { input, bytes, at }) => {
                let inp = &mut inputs[input];
                // Lines without a time of their own take the time they arrived.
                opts.arrival_ns = crate::model::time::now_ns();
                let r = ingest_log_lines(
                    &mut &bytes[..],
                    &inp.name,
                    inp.lines,
                    &opts,
                    &mut state,
                    &mut writer,
                    &mut report,
                    &mut |_| {},
                );
                inp.lines += bytes.iter().filter(|b| **b == b'\n').count() as u64;
                // A failure (too many streams) drops the batch not yet committed; what was
                // committed before stays.
                r?;
                if let Some(mut pos) = at {
                    pos.line = inp.lines;
                    reached.push((input, pos));
                }
                first_uncommitted.get_or_insert_with(Instant::now);
            }
            Ok(Event::Restarted { input, why }) => {
                inputs[input].lines = 0;
                note(format!(
                    "{}: {why}; reading it from the start",
                    inputs[input].name
                ));
            }
            Ok(Event::Done { input }) => inputs[input].done = true,
            Ok(Event::Failed { input, error }) => {
                return Err(FollowError::Input(format!(
                    "{}: {error}",
                    inputs[input].name
                )))
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                inputs.iter_mut().for_each(|i| i.done = true);
            }
        }
        let finished = inputs.iter().all(|i| i.done) || STOP.load(Ordering::SeqCst);
        let due = first_uncommitted.is_some_and(|t| quiet || t.elapsed() >= MAX_DELAY);
        if finished || due {
            let w = std::mem::replace(&mut writer, store.log_writer());
            kept += commit(w, &mut reached, &mut positions, inputs)?;
            first_uncommitted = None;
        }
        if finished {
            return Ok(FollowOutcome {
                state,
                report,
                kept,
            });
        }
    }
}

/// Reads stdin and hands over complete lines as they come (the last line even without a
/// newline, at the end).
fn read_stdin(input: usize, tx: Sender<Event>) {
    let stdin = std::io::stdin();
    let mut r = std::io::BufReader::with_capacity(1 << 16, stdin.lock());
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let _ = tx.send(Event::Failed {
                    input,
                    error: format!("cannot read: {e}"),
                });
                return;
            }
        };
        if buf.is_empty() {
            if !pending.is_empty() {
                pending.push(b'\n');
                let _ = tx.send(Event::Lines {
                    input,
                    bytes: std::mem::take(&mut pending),
                    at: None,
                });
            }
            let _ = tx.send(Event::Done { input });
            return;
        }
        let n = buf.len();
        pending.extend_from_slice(buf);
        r.consume(n);
        if let Some(end) = pending.iter().rposition(|b| *b == b'\n') {
            let rest = pending.split_off(end + 1);
            let lines = std::mem::replace(&mut pending, rest);
            if tx
                .send(Event::Lines {
                    input,
                    bytes: lines,
                    at: None,
                })
                .is_err()
            {
                return;
            }
        }
    }
}

/// Reads a file from `start` (or its beginning), then, with `follow`, keeps reading as it
/// grows and across rotations. Without `follow`, a last line without its newline is left for
/// the next run: its writer may not have finished it.
fn read_file(
    input: usize,
    path: PathBuf,
    mut file: std::fs::File,
    start: Option<Position>,
    follow: bool,
    tx: Sender<Event>,
) {
    let fail = |tx: &Sender<Event>, error: String| {
        let _ = tx.send(Event::Failed { input, error });
    };
    let identity = |f: &std::fs::File| f.metadata().map(|m| (m.dev(), m.ino()));
    let mut id = match identity(&file) {
        Ok(id) => id,
        Err(e) => return fail(&tx, format!("cannot read: {e}")),
    };
    let mut offset = start.map_or(0, |p| p.offset);
    if let Err(e) = file.seek(SeekFrom::Start(offset)) {
        return fail(&tx, format!("cannot seek: {e}"));
    }
    let mut pending: Vec<u8> = Vec::new();
    // The end of what was read, to recognise the file being rewritten in place. On resuming
    // from a position it is read back from the file.
    let mut tail: Vec<u8> = Vec::new();
    if offset > 0 {
        use std::os::unix::fs::FileExt;
        let n = offset.min(TAIL as u64) as usize;
        let mut b = vec![0u8; n];
        if matches!(file.read_at(&mut b, offset - n as u64), Ok(k) if k == n) {
            tail = b;
        }
    }
    let mut buf = vec![0u8; 1 << 16];
    loop {
        // Everything there is now, handed over in pieces of whole lines.
        loop {
            match read_some(&mut file, &mut buf, &mut pending) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => return fail(&tx, format!("cannot read: {e}")),
            }
            if pending.len() >= CHUNK
                && !hand_over(&tx, input, &mut pending, &mut offset, &mut tail, id)
            {
                return;
            }
        }
        if !hand_over(&tx, input, &mut pending, &mut offset, &mut tail, id) {
            return;
        }
        if !follow {
            let _ = tx.send(Event::Done { input });
            return;
        }
        if STOP.load(Ordering::SeqCst) {
            return;
        }
        std::thread::sleep(POLL);
        let Ok(meta) = std::fs::metadata(&path) else {
            // Renamed away and not yet created again: keep reading the old file.
            continue;
        };
        if (meta.dev(), meta.ino()) != id {
            // Rotated: first the rest of the old file, whose writer is done with it.
            while let Ok(true) = read_some(&mut file, &mut buf, &mut pending) {}
            if !pending.is_empty() && pending.last() != Some(&b'\n') {
                pending.push(b'\n');
            }
            if !hand_over(&tx, input, &mut pending, &mut offset, &mut tail, id) {
                return;
            }
            match std::fs::File::open(&path) {
                Ok(f) => {
                    file = f;
                    id = (meta.dev(), meta.ino());
                    offset = 0;
                    tail.clear();
                    if tx
                        .send(Event::Restarted {
                            input,
                            why: "rotated",
                        })
                        .is_err()
                    {
                        return;
                    }
                }
                Err(_) => continue,
            }
        } else if meta.len() < offset || !still_ends_with(&file, offset, &tail) {
            // Truncated in place (copytruncate), perhaps already written again past where we
            // were: its lines start again at the beginning.
            if file.seek(SeekFrom::Start(0)).is_err() {
                return fail(&tx, "cannot seek to the start after truncation".into());
            }
            offset = 0;
            pending.clear();
            tail.clear();
            if tx
                .send(Event::Restarted {
                    input,
                    why: "truncated",
                })
                .is_err()
            {
                return;
            }
        }
    }
}

/// Appends what one read gives to `pending`; false at the end of the file.
fn read_some(
    file: &mut std::fs::File,
    buf: &mut [u8],
    pending: &mut Vec<u8>,
) -> std::io::Result<bool> {
    loop {
        match file.read(buf) {
            Ok(0) => return Ok(false),
            Ok(n) => {
                pending.extend_from_slice(&buf[..n]);
                return Ok(true);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Whether the bytes before `offset` are still the end of what was read (`tail`): if not, the
/// file was truncated and written again since, perhaps already past where reading stopped.
fn still_ends_with(file: &std::fs::File, offset: u64, tail: &[u8]) -> bool {
    use std::os::unix::fs::FileExt;
    if tail.is_empty() {
        return true;
    }
    let mut b = vec![0u8; tail.len()];
    matches!(file.read_at(&mut b, offset - tail.len() as u64), Ok(n) if n == tail.len() && b == tail)
}

/// How many bytes of the end of what was read are kept to recognise a rewritten file.
const TAIL: usize = 64;

/// Keeps the last [`TAIL`] bytes of `lines` (after what `tail` held) in `tail`.
fn remember_tail(tail: &mut Vec<u8>, lines: &[u8]) {
    tail.extend_from_slice(&lines[lines.len().saturating_sub(TAIL)..]);
    let excess = tail.len().saturating_sub(TAIL);
    tail.drain(..excess);
}

/// Sends the complete lines of `pending`, keeping a partial last line; false when the main
/// thread is gone.
fn hand_over(
    tx: &Sender<Event>,
    input: usize,
    pending: &mut Vec<u8>,
    offset: &mut u64,
    tail: &mut Vec<u8>,
    id: (u64, u64),
) -> bool {
    let Some(end) = pending.iter().rposition(|b| *b == b'\n') else {
        return true;
    };
    let rest = pending.split_off(end + 1);
    let lines = std::mem::replace(pending, rest);
    *offset += lines.len() as u64;
    remember_tail(tail, &lines);
    tx.send(Event::Lines {
        input,
        bytes: lines,
        at: Some(Position {
            dev: id.0,
            ino: id.1,
            offset: *offset,
            line: 0,
        }),
    })
    .is_ok()
}
