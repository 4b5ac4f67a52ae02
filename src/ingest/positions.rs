//! The positions file of `ingest logs --positions`: how far each log file has been stored, so
//! that the next run (a cron job, or `--follow` after a restart) resumes where the last one
//! stopped.
//!
//! A file is known by its path and its identity (device and inode): after a rotation the path
//! names a new file, whose identity differs, and reading starts at its beginning. A file
//! shorter than its recorded offset was truncated and is read again from the start. The file
//! is JSON (`docs/format/positions.md`) and is replaced atomically (write, fsync, rename), so a
//! crash leaves either the old positions or the new ones.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where reading of one file stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub dev: u64,
    pub ino: u64,
    /// Bytes stored: the offset of the first line not yet stored.
    pub offset: u64,
    /// Lines stored, so that messages about later lines name the right line number.
    pub line: u64,
}

/// The positions of every file, by path.
#[derive(Debug)]
pub struct Positions {
    path: PathBuf,
    files: BTreeMap<String, Position>,
}

impl Positions {
    /// Reads the positions file; a file that does not exist yet means no positions.
    pub fn load(path: &Path) -> Result<Positions, String> {
        let files = match std::fs::read(path) {
            Ok(bytes) => parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        Ok(Positions {
            path: path.to_path_buf(),
            files,
        })
    }

    pub fn get(&self, file: &str) -> Option<Position> {
        self.files.get(file).copied()
    }

    pub fn set(&mut self, file: &str, p: Position) {
        self.files.insert(file.to_string(), p);
    }

    /// Writes the positions durably: a temporary file beside it, fsynced, renamed over it.
    pub fn save(&self) -> Result<(), String> {
        let mut files = serde_json::Map::new();
        for (name, p) in &self.files {
            files.insert(
                name.clone(),
                serde_json::json!({"dev": p.dev, "ino": p.ino, "offset": p.offset, "line": p.line}),
            );
        }
        let body = serde_json::json!({"version": 1, "files": files});
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.tmp"));
        let failed =
            |what: &str, e: std::io::Error| format!("cannot {what} {}: {e}", tmp.display());
        let mut f = std::fs::File::create(&tmp).map_err(|e| failed("create", e))?;
        f.write_all(format!("{body}\n").as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| failed("write", e))?;
        std::fs::rename(&tmp, &self.path)
            .map_err(|e| format!("cannot replace {}: {e}", self.path.display()))?;
        // The rename is durable once the directory is.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

fn parse(bytes: &[u8]) -> Result<BTreeMap<String, Position>, String> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not a positions file: {e}"))?;
    if v.get("version").and_then(|v| v.as_u64()) != Some(1) {
        return Err("not a positions file of version 1".into());
    }
    let files = v
        .get("files")
        .and_then(|f| f.as_object())
        .ok_or("no \"files\" object")?;
    let mut out = BTreeMap::new();
    for (name, p) in files {
        let num = |k: &str| {
            p.get(k)
                .and_then(|v| v.as_u64())
                .ok_or_else(|| format!("{name}: no number {k:?}"))
        };
        out.insert(
            name.clone(),
            Position {
                dev: num("dev")?,
                ino: num("ino")?,
                offset: num("offset")?,
                line: p.get("line").and_then(|v| v.as_u64()).unwrap_or(0),
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_and_bad_files_are_named() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("pos.json");
        let mut p = Positions::load(&path).unwrap();
        assert_eq!(p.get("/var/log/a.log"), None);
        let pos = Position {
            dev: 1,
            ino: 2,
            offset: 300,
            line: 7,
        };
        p.set("/var/log/a.log", pos);
        p.save().unwrap();
        assert_eq!(
            Positions::load(&path).unwrap().get("/var/log/a.log"),
            Some(pos)
        );
        std::fs::write(&path, "{broken").unwrap();
        let e = Positions::load(&path).unwrap_err();
        assert!(
            e.contains("pos.json") && e.contains("not a positions file"),
            "{e}"
        );
    }
}
