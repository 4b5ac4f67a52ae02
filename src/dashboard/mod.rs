//! Grafana dashboards kept as JSON files: the folder `argus serve --dashboards` reads
//! (`library`), the migration of every classic schema to the one the web UI draws
//! (`migrate`), and the report of what argus does not draw as Grafana does (`check`).
//!
//! The files stay the source of truth: argus reads them as they are on each request (a
//! changed file is seen without a restart) and writes a dashboard back to its own file when
//! the UI saves or imports it, so the folder can live in Git.

pub mod check;
pub mod library;
pub mod migrate;

/// The URL path segment Grafana makes of a title: lower case, runs of anything but letters
/// and digits as one `-`, none at either end.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs_as_grafana_makes_them() {
        assert_eq!(super::slug("Node Exporter Full"), "node-exporter-full");
        assert_eq!(
            super::slug("MySQL / Overview (prod)"),
            "mysql-overview-prod"
        );
        assert_eq!(super::slug("  --  "), "");
    }
}
