//! The folder of dashboard files that `argus serve --dashboards DIR` shows.
//!
//! Every `*.json` file in the folder and its subfolders is a dashboard (a subfolder is the
//! dashboard's folder, as Grafana's file provisioning has it). The folder is read again on
//! every request, and a file is parsed again only when its size or modification time
//! changed, so an edit, a `git pull` or a new file shows at the next page load without a
//! restart, and listing a large folder costs a `stat` per file.
//!
//! A file that does not load (not JSON, not a dashboard, a `uid` another file has) is listed
//! with the reason instead of its dashboard; the others keep working.
//!
//! Saving (the UI's save, an import) writes Grafana's JSON to the dashboard's own file, or
//! to a new file named after its title, through a temporary file and a rename, so a reader
//! never sees half a file and a crash leaves the old one whole.

use super::migrate::migrate;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// One file of the folder: its dashboard, or why it has none.
#[derive(Debug)]
pub struct Entry {
    /// The path under the folder, with `/` between parts.
    pub file: String,
    /// The subfolder (empty at the top).
    pub folder: String,
    pub uid: String,
    pub title: String,
    pub tags: Vec<String>,
    /// The dashboard in the current schema, when it loaded.
    pub dashboard: Option<Value>,
    /// What the migration changed or could not carry over.
    pub notes: Vec<String>,
    /// Why the file has no dashboard.
    pub error: Option<String>,
}

impl Entry {
    /// The dashboard's URL path in Grafana's shape.
    pub fn url(&self) -> String {
        format!("/d/{}/{}", self.uid, super::slug(&self.title))
    }
}

struct Cached {
    len: u64,
    modified: Option<SystemTime>,
    entry: Arc<Entry>,
}

/// The dashboards folder.
pub struct Library {
    dir: PathBuf,
    cache: Mutex<HashMap<PathBuf, Cached>>,
    /// Saves one at a time, so that two saves cannot pick the same new file name.
    writing: Mutex<()>,
}

/// Why a dashboard was not saved.
#[derive(Debug, PartialEq)]
pub enum SaveError {
    /// Not a dashboard (the message says why): HTTP 400.
    Invalid(String),
    /// Another version was saved since the one edited, and `overwrite` was not asked:
    /// HTTP 412, Grafana's `version-mismatch`.
    VersionMismatch,
    /// The file could not be written: HTTP 500.
    Io(String),
}

impl std::fmt::Display for SaveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SaveError::Invalid(m) | SaveError::Io(m) => f.write_str(m),
            SaveError::VersionMismatch => f.write_str(
                "the dashboard has been changed by someone else since it was opened; reload it, or save with overwrite",
            ),
        }
    }
}

impl Library {
    pub fn new(dir: impl Into<PathBuf>) -> Library {
        Library {
            dir: dir.into(),
            cache: Mutex::new(HashMap::new()),
            writing: Mutex::new(()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every file of the folder, by title (failed files by file name), as it is now.
    pub fn list(&self) -> Vec<Arc<Entry>> {
        let mut files = Vec::new();
        collect_json_files(&self.dir, &mut files);
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        let mut entries = Vec::with_capacity(files.len());
        for path in &files {
            let meta = std::fs::metadata(path).ok();
            let len = meta.as_ref().map_or(0, |m| m.len());
            let modified = meta.and_then(|m| m.modified().ok());
            let fresh = cache
                .get(path)
                .filter(|c| c.len == len && c.modified == modified)
                .map(|c| c.entry.clone());
            let entry = fresh.unwrap_or_else(|| {
                let entry = Arc::new(load(&self.dir, path));
                cache.insert(
                    path.clone(),
                    Cached {
                        len,
                        modified,
                        entry: entry.clone(),
                    },
                );
                entry
            });
            entries.push(entry);
        }
        cache.retain(|p, _| files.contains(p));
        drop(cache);
        refuse_duplicate_uids(entries)
    }

    /// The dashboard with this uid, if a file has it.
    pub fn get(&self, uid: &str) -> Option<Arc<Entry>> {
        self.list()
            .into_iter()
            .find(|e| e.error.is_none() && e.uid == uid)
    }

    /// Writes `dashboard` (Grafana JSON) to its file: the file of the dashboard with its
    /// `uid`, else a new file named after its title. The saved dashboard's `version` is one
    /// more than the stored one; unless `overwrite`, a `version` that is not the stored
    /// one is refused, as Grafana refuses to save over someone else's change.
    pub fn save(&self, mut dashboard: Value, overwrite: bool) -> Result<Arc<Entry>, SaveError> {
        let _one_at_a_time = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        if !dashboard.is_object() {
            return Err(SaveError::Invalid(
                "the dashboard must be a JSON object".into(),
            ));
        }
        // A dashboard that does not migrate is not one.
        migrate(dashboard.clone()).map_err(SaveError::Invalid)?;
        let title = dashboard["title"].as_str().unwrap_or("").trim().to_string();
        if title.is_empty() {
            return Err(SaveError::Invalid("the dashboard has no title".into()));
        }
        let mut uid = dashboard["uid"].as_str().unwrap_or("").to_string();
        if uid.is_empty() {
            uid = new_uid(&title);
            dashboard["uid"] = Value::from(uid.clone());
        }
        if !valid_uid(&uid) {
            return Err(SaveError::Invalid(format!(
                "uid {uid:?}: a uid is at most 40 letters, digits, '-' and '_'"
            )));
        }
        let existing = self.get(&uid);
        let stored_version = existing
            .as_ref()
            .and_then(|e| e.dashboard.as_ref())
            .and_then(|d| d["version"].as_i64())
            .unwrap_or(0);
        if let (Some(_), false) = (&existing, overwrite) {
            let edited = dashboard["version"].as_i64().unwrap_or(0);
            if edited != stored_version {
                return Err(SaveError::VersionMismatch);
            }
        }
        dashboard["version"] = Value::from(stored_version + 1);
        // Grafana's database ids mean nothing in a file.
        if let Some(o) = dashboard.as_object_mut() {
            o.remove("id");
        }
        let path = match &existing {
            Some(e) => self.dir.join(&e.file),
            None => self.new_file_for(&title, &uid),
        };
        let mut text =
            serde_json::to_string_pretty(&dashboard).map_err(|e| SaveError::Io(e.to_string()))?;
        text.push('\n');
        write_atomically(&path, text.as_bytes()).map_err(|e| {
            SaveError::Io(format!(
                "cannot write the dashboard file {}: {e}",
                path.display()
            ))
        })?;
        self.get(&uid).ok_or_else(|| {
            SaveError::Io(format!(
                "the dashboard file {} was written but does not read back",
                path.display()
            ))
        })
    }

    /// A file name for a new dashboard: its title's slug, or with its uid when taken.
    fn new_file_for(&self, title: &str, uid: &str) -> PathBuf {
        let base = match super::slug(title) {
            s if s.is_empty() => uid.to_string(),
            s => s,
        };
        let plain = self.dir.join(format!("{base}.json"));
        if !plain.exists() {
            return plain;
        }
        self.dir.join(format!("{base}-{uid}.json"))
    }
}

/// Grafana's rule for a uid: at most 40 characters of letters, digits, `-` and `_`.
fn valid_uid(uid: &str) -> bool {
    !uid.is_empty()
        && uid.len() <= 40
        && uid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A uid for a dashboard that has none: its slug, cut to fit, and a few characters of the
/// time so that two dashboards of one title differ.
fn new_uid(title: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut base: String = super::slug(title).chars().take(30).collect();
    if !valid_uid(&base) {
        base = "dashboard".into();
    }
    format!("{base}-{:x}", (nanos as u64) & 0xff_ffff)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension("json.saving");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)
}

/// The `*.json` files under `dir`, sorted, hidden files and folders left out.
fn collect_json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_none_or(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if p.is_dir() {
            collect_json_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

/// Reads and migrates one file.
fn load(dir: &Path, path: &Path) -> Entry {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    let file = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    let folder = file.rsplit_once('/').map_or("", |(f, _)| f).to_string();
    let stem = rel
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let failed = |error: String| Entry {
        file: file.clone(),
        folder: folder.clone(),
        uid: String::new(),
        title: stem.clone(),
        tags: Vec::new(),
        dashboard: None,
        notes: Vec::new(),
        error: Some(error),
    };
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) => return failed(format!("cannot read the file: {e}")),
    };
    let value: Value = match serde_json::from_slice(&text) {
        Ok(v) => v,
        Err(e) => return failed(format!("not JSON: {e}")),
    };
    let migrated = match migrate(value) {
        Ok(m) => m,
        Err(e) => return failed(e),
    };
    let d = migrated.dashboard;
    // A dashboard without a uid is known by its file's name, which stays the same from one
    // read to the next.
    let uid = match d["uid"].as_str() {
        Some(u) if !u.is_empty() => u.to_string(),
        _ => stem.chars().filter(|c| valid_uid(&c.to_string())).collect(),
    };
    if !valid_uid(&uid) {
        return failed(format!(
            "uid {uid:?}: a uid is at most 40 letters, digits, '-' and '_'"
        ));
    }
    let title = d["title"]
        .as_str()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or(&stem)
        .to_string();
    let tags = d["tags"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Entry {
        file,
        folder,
        uid,
        title,
        tags,
        dashboard: Some(d),
        notes: migrated.notes,
        error: None,
    }
}

/// Files after the first with a uid get an error naming the file that has it (files are
/// in path order, so which one wins does not change from one read to the next). Sorted by
/// title.
fn refuse_duplicate_uids(entries: Vec<Arc<Entry>>) -> Vec<Arc<Entry>> {
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    let mut out: Vec<Arc<Entry>> = entries
        .into_iter()
        .map(|e| {
            if e.error.is_some() {
                return e;
            }
            match owner.get(&e.uid) {
                Some(first) => Arc::new(Entry {
                    file: e.file.clone(),
                    folder: e.folder.clone(),
                    uid: e.uid.clone(),
                    title: e.title.clone(),
                    tags: e.tags.clone(),
                    dashboard: None,
                    notes: Vec::new(),
                    error: Some(format!("uid {:?} is also the uid of {first}", e.uid)),
                }),
                None => {
                    owner.insert(e.uid.clone(), e.file.clone());
                    e
                }
            }
        })
        .collect();
    out.sort_by(|a, b| {
        a.title
            .to_lowercase()
            .cmp(&b.title.to_lowercase())
            .then(a.file.cmp(&b.file))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dash(uid: &str, title: &str) -> String {
        json!({"uid": uid, "title": title, "tags": ["db"], "panels": [], "schemaVersion": 41})
            .to_string()
    }

    #[test]
    fn lists_dashboards_and_files_that_fail_with_their_reason() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("b.json"), dash("bbb", "Beta")).unwrap();
        std::fs::create_dir(d.path().join("team")).unwrap();
        std::fs::write(d.path().join("team/a.json"), dash("aaa", "alpha")).unwrap();
        std::fs::write(d.path().join("broken.json"), "{not json").unwrap();
        std::fs::write(d.path().join("copy.json"), dash("bbb", "Beta copy")).unwrap();
        std::fs::write(d.path().join("notes.txt"), "not a dashboard").unwrap();
        std::fs::write(d.path().join(".hidden.json"), dash("h", "Hidden")).unwrap();
        let lib = Library::new(d.path());
        let list = lib.list();
        let shown: Vec<(&str, &str, Option<&str>)> = list
            .iter()
            .map(|e| (e.title.as_str(), e.file.as_str(), e.error.as_deref()))
            .collect();
        assert_eq!(shown.len(), 4, "{shown:?}");
        assert_eq!(shown[0].0, "alpha");
        assert_eq!(list[0].folder, "team");
        assert_eq!(list[0].url(), "/d/aaa/alpha");
        assert_eq!(shown[1], ("Beta", "b.json", None));
        assert_eq!(
            shown[2],
            (
                "Beta copy",
                "copy.json",
                Some("uid \"bbb\" is also the uid of b.json")
            )
        );
        assert_eq!(shown[3].1, "broken.json");
        assert!(shown[3].2.unwrap().starts_with("not JSON"), "{shown:?}");
        assert_eq!(lib.get("bbb").unwrap().title, "Beta");
    }

    #[test]
    fn a_changed_file_is_read_again() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("x.json");
        std::fs::write(&f, dash("x", "First")).unwrap();
        let lib = Library::new(d.path());
        assert_eq!(lib.get("x").unwrap().title, "First");
        // A different size is seen whatever the clock's resolution.
        std::fs::write(&f, dash("x", "Second title")).unwrap();
        assert_eq!(lib.get("x").unwrap().title, "Second title");
        std::fs::remove_file(&f).unwrap();
        assert!(lib.get("x").is_none());
    }

    #[test]
    fn saves_to_the_dashboards_own_file_and_refuses_a_stale_version() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("mine.json"), dash("m1", "Mine")).unwrap();
        let lib = Library::new(d.path());
        let mut edited = lib.get("m1").unwrap().dashboard.clone().unwrap();
        edited["title"] = json!("Mine, edited");
        let saved = lib.save(edited.clone(), false).unwrap();
        assert_eq!(saved.title, "Mine, edited");
        let on_disk: Value =
            serde_json::from_slice(&std::fs::read(d.path().join("mine.json")).unwrap()).unwrap();
        assert_eq!(on_disk["version"], 1);
        // The same edit again is of version 0, which is no longer the stored one.
        assert_eq!(
            lib.save(edited.clone(), false).unwrap_err(),
            SaveError::VersionMismatch
        );
        assert_eq!(lib.save(edited, true).unwrap().title, "Mine, edited");
        // A new dashboard gets a file named after its title, and a uid.
        let new = lib
            .save(json!({"title": "New one", "panels": []}), false)
            .unwrap();
        assert_eq!(new.file, "new-one.json");
        assert!(new.uid.starts_with("new-one-"), "{}", new.uid);
        assert!(matches!(
            lib.save(json!({"title": "", "panels": []}), false),
            Err(SaveError::Invalid(_))
        ));
        assert!(matches!(
            lib.save(json!({"uid": "a b", "title": "x", "panels": []}), false),
            Err(SaveError::Invalid(_))
        ));
    }
}
