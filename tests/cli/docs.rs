//! The shell completions in `completions/` and the man pages in `man/` are generated from the
//! clap definition (the pages by `manpage.rs`). This test regenerates them in memory and fails
//! when the committed files are stale; `scripts/gen-docs` (which sets `ARGUS_UPDATE_DOCS=1`)
//! writes them instead.

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
    // Built, so that every subcommand carries the global options its page lists.
    let mut cmd = argus::cli::Cli::command();
    cmd.build();
    let version = cmd.get_version().unwrap_or("").to_string();
    man_pages(&cmd, "argus", "argus", &version, &mut files);
    files
}

/// The page of `cmd` and, below it, one page per subcommand at every depth (`argus-ingest.1`,
/// `argus-ingest-logs.1`), since a page names its subcommands' pages under COMMANDS.
fn man_pages(
    cmd: &clap::Command,
    name: &str,
    invocation: &str,
    version: &str,
    files: &mut BTreeMap<PathBuf, Vec<u8>>,
) {
    let page = super::manpage::render(cmd, name, invocation, version);
    files.insert(PathBuf::from("man").join(format!("{name}.1")), page);
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        man_pages(
            sub,
            &format!("{name}-{}", sub.get_name()),
            &format!("{invocation} {}", sub.get_name()),
            version,
            files,
        );
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

/// Every page has a synopsis with value names, the command's long help, the global options,
/// examples and the exit status, and shows no Markdown backticks.
#[test]
fn man_pages_are_complete() {
    let pages = generated();
    let man: Vec<(&PathBuf, String)> = pages
        .iter()
        .filter(|(p, _)| p.starts_with("man"))
        .map(|(p, b)| (p, String::from_utf8(b.clone()).unwrap()))
        .collect();
    // One page per command at every depth (`help` has none).
    fn commands(cmd: &clap::Command) -> usize {
        1 + cmd
            .get_subcommands()
            .filter(|c| c.get_name() != "help")
            .map(commands)
            .sum::<usize>()
    }
    assert_eq!(man.len(), commands(&argus::cli::Cli::command()));
    assert!(man.len() >= 15, "{}", man.len());
    for (path, page) in &man {
        for section in [
            ".SH SYNOPSIS",
            ".SH DESCRIPTION",
            ".SH \"GLOBAL OPTIONS\"",
            ".SH EXAMPLES",
            ".SH \"EXIT STATUS\"",
        ] {
            assert!(page.contains(section), "{path:?} lacks {section}");
        }
        assert!(!page.contains('`'), "{path:?} shows a backtick");
        assert!(page.contains("\\fB\\-\\-store\\fR \\fIDIR\\fR"), "{path:?}");
    }
    let page = |name: &str| {
        man.iter()
            .find(|(p, _)| p.ends_with(name))
            .map(|(_, text)| text.as_str())
            .unwrap()
    };
    let query = page("argus-query.1");
    // The synopsis names each option's value.
    let synopsis = query
        .split(".SH SYNOPSIS")
        .nth(1)
        .and_then(|s| s.split(".SH").next())
        .unwrap();
    for part in [
        "[\\fB\\-\\-time\\fR \\fITIME\\fR]",
        "[\\fB\\-o\\fR|\\fB\\-\\-output\\fR \\fIFORMAT\\fR]",
        "\\fIEXPR\\fR",
    ] {
        assert!(synopsis.contains(part), "{part} missing: {synopsis}");
    }
    assert!(query.contains("\\fBargus query up \\-\\-server localhost:9090\\fR"));
    assert!(query.contains(".TP\n\\fB2\\fR\nusage error"), "{query}");
    // The long help, not a pointer to --help.
    let logs = page("argus-ingest-logs.1");
    assert!(!logs.contains("\\-\\-help\\fR)"), "{logs}");
    assert!(logs.contains("Every line becomes one entry"), "{logs}");
}
