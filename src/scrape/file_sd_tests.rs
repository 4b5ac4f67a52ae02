//! Unit tests of `file_sd.rs`: patterns, globs, the two file formats, and what a refresh
//! re-reads, keeps and drops.

use super::*;
use crate::glob::{expand, glob_match};

fn groups(text: &str, name: &str) -> Result<Vec<TargetGroup>, String> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    read_target_file(&p)
}

fn group(targets: &[&str], labels: &[(&str, &str)]) -> TargetGroup {
    TargetGroup {
        targets: targets.iter().map(|t| t.to_string()).collect(),
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

#[test]
fn patterns_prometheus_accepts() {
    for ok in [
        "a.json",
        "dir/*.yml",
        "/etc/t/*-prod.YAML",
        "x/a*b*.json",
        ".json",
    ] {
        assert!(is_valid_pattern(ok), "{ok}");
    }
    for bad in ["a.txt", "*/a.json", "dir*/x/a.yml", "a.Json", "a.json/"] {
        assert!(!is_valid_pattern(bad), "{bad}");
    }
}

#[test]
fn globs_match_like_go() {
    let m = |p: &str, n: &str| glob_match(p.as_bytes(), n.as_bytes());
    assert!(m("*.json", "a.json") && m("*.json", ".json") && !m("*.json", "a.yml"));
    assert!(m("node-?.yml", "node-1.yml") && !m("node-?.yml", "node-12.yml"));
    assert!(m("[ab]*.yml", "b1.yml") && !m("[ab]*.yml", "c1.yml"));
    assert!(m("[a-c]x", "bx") && !m("[^a-c]x", "bx") && m("[^a-c]x", "dx"));
    assert!(m("\\*.json", "*.json") && !m("\\*.json", "a.json"));
    assert!(m("é?.json", "éü.json"));
    assert!(!m("[a-", "a"), "a malformed class matches nothing");
}

#[test]
fn expand_lists_matching_files_sorted() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["b.json", "a.json", "c.yml", "d.json.bak"] {
        std::fs::write(dir.path().join(f), "[]").unwrap();
    }
    let found = expand(&dir.path().join("*.json")).unwrap();
    let names: Vec<_> = found
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["a.json", "b.json"]);
    assert_eq!(expand(&dir.path().join("c.yml")).unwrap().len(), 1);
    assert!(expand(&dir.path().join("missing.yml")).unwrap().is_empty());
    assert!(expand(&dir.path().join("nodir/*.yml")).unwrap().is_empty());
}

#[test]
fn json_and_yaml_target_files() {
    let json = r#"[{"targets": ["a:1", "b:2"], "labels": {"env": "prod"}}, {"targets": ["c:3"]}]"#;
    let want = vec![
        group(&["a:1", "b:2"], &[("env", "prod")]),
        group(&["c:3"], &[]),
    ];
    assert_eq!(groups(json, "t.json").unwrap(), want);
    let yaml = "- targets: [a:1, 'b:2']\n  labels:\n    env: prod\n- targets:\n  - c:3\n";
    assert_eq!(groups(yaml, "t.yml").unwrap(), want);
    assert_eq!(groups("", "t.yaml").unwrap(), vec![]);
    assert_eq!(groups("# nothing yet\n", "t.yaml").unwrap(), vec![]);
}

#[test]
fn broken_target_files_name_the_file_and_the_reason() {
    let e = groups("[{\"targets\": [\"a:1\"", "t.json").unwrap_err();
    assert!(e.contains("t.json: ") && e.contains("EOF"), "{e}");
    let e = groups("- targets: [a:1]\n  lables: {x: y}\n", "t.yml").unwrap_err();
    assert!(
        e.contains("t.yml: line 2 column 3: ") && e.contains("lables"),
        "{e}"
    );
    let e = groups(
        "[{\"targets\": [], \"labels\": {\"a-b\": \"x\"}}]",
        "t.json",
    )
    .unwrap_err();
    assert!(e.contains("\"a-b\" is not a valid label name"), "{e}");
    let e = groups("[null]", "t.json").unwrap_err();
    assert!(e.contains("target group 0 is empty"), "{e}");
    let e = groups("{}", "t.json").unwrap_err();
    assert!(e.contains("t.json: invalid type"), "{e}");
}

fn config(dir: &Path, pattern: &str) -> FileSdConfig {
    FileSdConfig {
        patterns: vec![dir.join(pattern)],
        refresh_interval_ms: DEFAULT_REFRESH_INTERVAL_MS,
    }
}

fn all_targets(sd: &FileSd) -> Vec<String> {
    sd.groups()
        .flat_map(|(_, g)| g.targets.iter().cloned())
        .collect()
}

#[test]
fn refresh_follows_changes_keeps_last_good_and_drops_removed_files() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.yml");
    std::fs::write(&a, "- targets: ['a:1']\n").unwrap();
    let mut sd = FileSd::new(config(dir.path(), "*.yml"));
    let t0 = Instant::now();
    let u = sd.refresh(t0);
    assert!(u.changed && u.errors.is_empty(), "{u:?}");
    assert_eq!(all_targets(&sd), ["a:1"]);
    assert_eq!(sd.groups().next().unwrap().0, a.as_path());

    // Nothing changed: nothing to report.
    assert_eq!(sd.refresh(t0), FileSdUpdate::default());

    // A new file and a changed one (the size differs, so the stamp does).
    std::fs::write(&a, "- targets: ['a:10']\n").unwrap();
    std::fs::write(dir.path().join("b.yml"), "- targets: ['b:1']\n").unwrap();
    let u = sd.refresh(t0);
    assert!(u.changed, "{u:?}");
    assert_eq!(all_targets(&sd), ["a:10", "b:1"]);

    // A broken file keeps its last good targets and is reported once.
    std::fs::write(&a, "- targets: [").unwrap();
    let u = sd.refresh(t0);
    assert!(!u.changed);
    assert_eq!(u.errors.len(), 1);
    assert!(u.errors[0].contains("a.yml"), "{:?}", u.errors);
    assert_eq!(all_targets(&sd), ["a:10", "b:1"]);
    assert!(sd.refresh(t0).errors.is_empty());

    // A removed file takes its targets with it.
    std::fs::remove_file(dir.path().join("b.yml")).unwrap();
    let u = sd.refresh(t0);
    assert!(u.changed);
    assert_eq!(all_targets(&sd), ["a:10"]);
}

#[test]
fn the_refresh_interval_rereads_a_file_whose_stamp_did_not_change() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    std::fs::write(&a, r#"[{"targets": ["a:1"]}]"#).unwrap();
    let mtime = std::fs::metadata(&a).unwrap().modified().unwrap();
    let mut sd = FileSd::new(config(dir.path(), "a.json"));
    let t0 = Instant::now();
    sd.refresh(t0);
    // Same size, same modification time: only the periodic full read sees it.
    std::fs::write(&a, r#"[{"targets": ["b:1"]}]"#).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&a)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert!(!sd.refresh(t0 + Duration::from_secs(60)).changed);
    assert_eq!(all_targets(&sd), ["a:1"]);
    let u = sd.refresh(t0 + Duration::from_millis(DEFAULT_REFRESH_INTERVAL_MS as u64));
    assert!(u.changed);
    assert_eq!(all_targets(&sd), ["b:1"]);
}
