//! The shell completions in `completions/` and the man pages in `man/` are generated from the
//! clap definition. This test regenerates them in memory and fails when the committed files are
//! stale; `scripts/gen-docs` (which sets `ARGUS_UPDATE_DOCS=1`) writes them instead.

use clap::CommandFactory;
use clap_complete::{generate, Shell};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn generated() -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut cmd = argus::cli::Cli::command();
    for (shell, file) in [
        (Shell::Bash, "argus.bash"),
        (Shell::Zsh, "_argus"),
        (Shell::Fish, "argus.fish"),
    ] {
        let mut buf = Vec::new();
        generate(shell, &mut cmd, "argus", &mut buf);
        files.insert(PathBuf::from("completions").join(file), buf);
    }
    let cmd = argus::cli::Cli::command();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut buf).unwrap();
    files.insert(PathBuf::from("man/argus.1"), buf);
    let version = cmd.get_version().unwrap_or("").to_string();
    man_pages(&cmd, "argus", &version, &mut files);
    files
}

/// One page per subcommand at every depth (`argus-ingest.1`, `argus-ingest-logs.1`), since a
/// page names its subcommands' pages under SUBCOMMANDS.
fn man_pages(
    cmd: &clap::Command,
    prefix: &str,
    version: &str,
    files: &mut BTreeMap<PathBuf, Vec<u8>>,
) {
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("{prefix}-{}", sub.get_name());
        let page = sub.clone().name(name.clone()).version(version.to_string());
        let mut buf = Vec::new();
        clap_mangen::Man::new(page).render(&mut buf).unwrap();
        files.insert(PathBuf::from("man").join(format!("{name}.1")), buf);
        man_pages(sub, &name, version, files);
    }
}

#[test]
fn completions_and_man_pages_are_fresh() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var_os("ARGUS_UPDATE_DOCS").is_some();
    let mut stale = Vec::new();
    for (path, content) in generated() {
        let full = root.join(&path);
        if update {
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, &content).unwrap();
        } else if std::fs::read(&full).ok().as_deref() != Some(&content[..]) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "generated files are stale: {stale:?}; run scripts/gen-docs and commit the result"
    );
}
