//! The targets in force: the static ones (configuration `static_configs`, command-line URLs,
//! this host, `serve`'s own `/metrics`) and those discovered from files, re-resolved when the
//! files change.
//!
//! Target resolution lives here so that every loop gets it the same way: the one-shot run
//! refreshes once and scrapes [`Discovery::jobs`]; [`super::run_loop`] refreshes at every
//! wake-up (each round, and at least every scrape interval of a job that reads files, so
//! that a job whose files list nothing yet is still looked after) and scrapes whatever is in
//! force; `serve` shows the same jobs in `/api/v1/targets` through the loop's reports.
//!
//! A discovered target is built like a static one (`target::build_target`): the group's
//! labels, `__address__` and `__meta_filepath`, then the job's defaults and
//! `relabel_configs`. A target that relabeling leaves invalid is skipped with a warning; the
//! same target listed twice in a job (by a file and statically, or by two files) is scraped
//! once.
//!
//! This file reads no files itself (`file_sd` does) and scrapes nothing.

use std::time::Duration;

use tokio::time::Instant;

use super::config::ScrapeConfigFile;
use super::file_sd::{FileSd, FileSdJob, META_FILEPATH};
use super::target::{build_target, ScrapeJob, Target, TargetSpec};
use crate::model::LabelsBuilder;

/// Where the targets of one job come from.
#[derive(Debug)]
struct Source {
    static_targets: Vec<Target>,
    files: Option<(TargetSpec, Vec<FileSd>)>,
}

/// What one refresh found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiscoveryUpdate {
    /// The targets in force changed.
    pub changed: bool,
    /// Target files that could not be listed, read or parsed (their last good targets stay).
    pub errors: Vec<String>,
    /// Discovered targets that were skipped (invalid after relabeling).
    pub warnings: Vec<String>,
}

/// The jobs in force and where their targets come from.
#[derive(Debug)]
pub struct Discovery {
    /// The resolved jobs, one per source, in the same order.
    jobs: Vec<ScrapeJob>,
    sources: Vec<Source>,
}

impl Discovery {
    /// Jobs whose targets never change.
    pub fn fixed(jobs: Vec<ScrapeJob>) -> Discovery {
        let mut d = Discovery {
            jobs: Vec::new(),
            sources: Vec::new(),
        };
        d.add_fixed(jobs);
        d
    }

    /// The jobs of a configuration. The targets of files are added by the first
    /// [`Discovery::refresh`].
    pub fn from_config(cfg: ScrapeConfigFile) -> Discovery {
        let mut file_sd: Vec<FileSdJob> = cfg.file_sd;
        let mut d = Discovery::fixed(Vec::new());
        for job in cfg.jobs {
            // Job names are unique in a configuration, so the name finds its discovery.
            let files = file_sd
                .iter()
                .position(|f| f.spec.job_name == job.name)
                .map(|i| file_sd.swap_remove(i))
                .map(|f| (f.spec, f.configs.into_iter().map(FileSd::new).collect()));
            d.sources.push(Source {
                static_targets: job.targets.clone(),
                files,
            });
            d.jobs.push(job);
        }
        d
    }

    /// Adds jobs whose targets never change (command-line targets, `serve`'s own).
    pub fn add_fixed(&mut self, jobs: Vec<ScrapeJob>) {
        for job in jobs {
            self.sources.push(Source {
                static_targets: job.targets.clone(),
                files: None,
            });
            self.jobs.push(job);
        }
    }

    /// The jobs in force, with their current targets.
    pub fn jobs(&self) -> &[ScrapeJob] {
        &self.jobs
    }

    /// Does any job read target files (so that refreshing can change anything)?
    pub fn has_files(&self) -> bool {
        self.sources.iter().any(|s| s.files.is_some())
    }

    /// How often a loop should look at the files even when nothing is due: the shortest
    /// scrape interval of the jobs that read files.
    pub fn check_interval(&self) -> Option<Duration> {
        self.sources
            .iter()
            .filter_map(|s| s.files.as_ref())
            .map(|(spec, _)| Duration::from_millis(spec.interval_ms.max(1) as u64))
            .min()
    }

    /// Looks at the target files (see [`FileSd::refresh`]) and rebuilds the targets of the
    /// jobs whose files changed.
    pub fn refresh(&mut self, now: Instant) -> DiscoveryUpdate {
        let mut update = DiscoveryUpdate::default();
        for (source, job) in self.sources.iter_mut().zip(self.jobs.iter_mut()) {
            let Some((spec, files)) = &mut source.files else {
                continue;
            };
            let mut changed = false;
            for f in files.iter_mut() {
                let u = f.refresh(now);
                changed |= u.changed;
                update.errors.extend(u.errors);
            }
            if !changed {
                continue;
            }
            let targets = resolve(&source.static_targets, spec, files, &mut update.warnings);
            if targets != job.targets {
                job.targets = targets;
                update.changed = true;
            }
        }
        update
    }
}

/// The static targets followed by the targets of every group of every file, each once.
fn resolve(
    static_targets: &[Target],
    spec: &TargetSpec,
    files: &[FileSd],
    warnings: &mut Vec<String>,
) -> Vec<Target> {
    let mut targets = static_targets.to_vec();
    for (path, group) in files.iter().flat_map(FileSd::groups) {
        for addr in &group.targets {
            let mut b = LabelsBuilder::default();
            for (k, v) in &group.labels {
                b.set(k.as_str(), v.as_str());
            }
            b.set("__address__", addr.as_str());
            b.set(META_FILEPATH, path.display().to_string());
            match build_target(b.build(), spec) {
                Ok(Some(t)) if targets.contains(&t) => {}
                Ok(Some(t)) => targets.push(t),
                Ok(None) => {}
                Err(e) => warnings.push(format!(
                    "job {:?}: {}: {e}; target skipped",
                    spec.job_name,
                    path.display()
                )),
            }
        }
    }
    targets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scrape::parse_config;
    use std::path::Path;

    fn discovery(dir: &Path, yml: &str) -> Discovery {
        let path = dir.join("prometheus.yml");
        let (cfg, warnings) = parse_config(yml, &path).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        Discovery::from_config(cfg)
    }

    #[test]
    fn file_targets_join_static_ones_with_labels_and_relabeling_on_the_filepath() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("t")).unwrap();
        std::fs::write(
            dir.path().join("t/web.json"),
            r#"[{"targets": ["web1:80", "static:1"], "labels": {"team": "web"}}]"#,
        )
        .unwrap();
        let mut d = discovery(
            dir.path(),
            "scrape_configs:\n- job_name: j\n  static_configs: [{targets: ['static:1']}]\n  \
             file_sd_configs: [{files: ['t/*.json']}]\n  relabel_configs:\n  \
             - {source_labels: [__meta_filepath], regex: '.*/(.*)\\.json', target_label: file}\n",
        );
        assert_eq!(d.jobs()[0].targets.len(), 1);
        assert!(d.has_files());
        let u = d.refresh(Instant::now());
        assert!(
            u.changed && u.errors.is_empty() && u.warnings.is_empty(),
            "{u:?}"
        );
        let t = &d.jobs()[0].targets;
        assert_eq!(t.len(), 3, "{t:?}");
        assert_eq!(t[0].instance(), "static:1");
        assert_eq!(t[0].labels.get("file"), None);
        assert_eq!(t[1].instance(), "web1:80");
        assert_eq!(t[1].labels.get("team"), Some("web"));
        assert_eq!(t[1].labels.get("file"), Some("web"));
        assert_eq!(t[1].labels.get(META_FILEPATH), None);
        // The static target listed again by the file is the same target only if its labels
        // agree; here the file adds `team`, so it is a second target.
        assert_eq!(t[2].instance(), "static:1");
        assert!(!d.refresh(Instant::now()).changed);
    }

    #[test]
    fn invalid_discovered_targets_are_skipped_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("t.yml"),
            "- targets: ['ok:1', 'http://bad/x']\n",
        )
        .unwrap();
        let mut d = discovery(
            dir.path(),
            "scrape_configs:\n- job_name: j\n  file_sd_configs: [{files: [t.yml]}]\n",
        );
        let u = d.refresh(Instant::now());
        assert_eq!(d.jobs()[0].targets.len(), 1);
        assert_eq!(u.warnings.len(), 1, "{u:?}");
        assert!(u.warnings[0].contains("t.yml") && u.warnings[0].contains("http://bad/x"));
    }

    #[test]
    fn check_interval_is_the_shortest_interval_of_file_jobs() {
        let dir = tempfile::tempdir().unwrap();
        let d = discovery(
            dir.path(),
            "scrape_configs:\n- job_name: a\n  scrape_interval: 7s\n  file_sd_configs: [{files: [a.yml]}]\n\
             - job_name: b\n  scrape_interval: 1s\n  static_configs: [{targets: ['b:1']}]\n",
        );
        assert_eq!(d.check_interval(), Some(Duration::from_secs(7)));
        assert_eq!(Discovery::fixed(Vec::new()).check_interval(), None);
    }
}
