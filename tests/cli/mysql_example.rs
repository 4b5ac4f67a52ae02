//! `examples/mysql/` end to end, as its README runs it, against a real MariaDB of the test's
//! own and Debian's `prometheus-mysqld-exporter`: `argus serve` with the example's
//! prometheus.yml, rules, alertmanager.yml and dashboards folder (only the addresses and
//! intervals changed for the test); the rules record from the real exporter's series;
//! `argus dashboards check` finds nothing drawn differently from Grafana; and the dashboard,
//! in Chromium, draws every one of its panels with data; so does mysqld_exporter's own MySQL
//! dashboard (../shared/dashboards), but for the two panels of a collector that is off.
//!
//! Needs mariadb-server, prometheus-mysqld-exporter, chromium, chromium-driver and
//! python3-selenium (`scripts/install-test-deps`). With `ARGUS_UI_SCREENSHOTS=DIR`, saves
//! the dashboard as DIR/mysql-example-{light,dark}.png (`scripts/screenshots`).

use super::mysql_alerts::{exporter_mysql_up, free_port, start_exporter, tail, wait_for, Mariadb};
use super::serve::Server;
use super::support::Workdir;
use super::ui::{require_browser, PYTHON};
use std::path::Path;
use std::process::Command;

fn example(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/mysql")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn the_mysql_example_runs_end_to_end_with_a_real_mariadb() {
    require_browser();
    let w = Workdir::new();
    let mut db = Mariadb::create(&w.path("mariadb"));
    let (_exporter, exporter_port) = start_exporter(&w, &db);
    wait_for(
        "MariaDB to start (the exporter's mysql_up 1)",
        || {
            format!(
                "{}\nexporter's log:\n{}",
                db.context(),
                tail(&w.path("exporter.log"))
            )
        },
        || (exporter_mysql_up(exporter_port).as_deref() == Some("1")).then_some(()),
    );

    // The example's files, with the test's addresses and a one-second rhythm.
    let dir = w.path("example");
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::create_dir_all(dir.join("dashboards")).unwrap();
    let config = example("prometheus.yml")
        .replace("localhost:9104", &format!("127.0.0.1:{exporter_port}"))
        .replace("localhost:8080", &format!("127.0.0.1:{}", free_port()))
        .replace("15s", "1s");
    assert!(
        config.contains(&format!("127.0.0.1:{exporter_port}")),
        "{config}"
    );
    std::fs::write(dir.join("prometheus.yml"), config).unwrap();
    std::fs::write(
        dir.join("rules/mysql.rules.yml"),
        example("rules/mysql.rules.yml"),
    )
    .unwrap();
    let (slack, _hits) = super::notify::receiver(vec![]);
    let am = example("alertmanager.yml").replace(
        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        &slack,
    );
    std::fs::write(dir.join("alertmanager.yml"), am).unwrap();
    let dashboard = dir.join("dashboards/mysql.json");
    std::fs::write(&dashboard, example("dashboards/mysql.json")).unwrap();
    // mysqld_exporter's own MySQL dashboard (Grafana 7, legacy graph panels), as a team
    // downloads it, beside the example's.
    let shared =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/dashboards/mysql-overview.json");
    std::fs::copy(&shared, dir.join("dashboards/mysql-overview.json"))
        .unwrap_or_else(|e| panic!("{}: {e}", shared.display()));

    let s = Server::start(
        &w,
        &[
            "--config",
            dir.join("prometheus.yml").to_str().unwrap(),
            "--alertmanager-config",
            dir.join("alertmanager.yml").to_str().unwrap(),
            "--dashboards",
            dir.join("dashboards").to_str().unwrap(),
            "--self-scrape-interval",
            "0s",
        ],
    );
    let context = || format!("argus serve's log:\n{}", s.stderr());
    // The rules record from the exporter's series (a rate needs two scrapes).
    for rule in [
        "job:mysql_queries:rate1m",
        "instance:mysql_connections:ratio",
    ] {
        wait_for(&format!("the recording rule {rule}"), context, || {
            let v = s.json(&format!("/api/v1/query?query={rule}"));
            v["data"]["result"][0]["value"][1].as_str().map(|_| ())
        });
    }
    let alerts = s.json("/api/v1/rules?type=alert");
    let names: Vec<&str> = alerts["data"]["groups"][0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "MySQLDown",
            "MySQLTooManyConnections",
            "MySQLSlowQueries",
            "MySQLLockWaits"
        ]
    );

    // argus draws all of the dashboard as Grafana would.
    let out = w
        .argus()
        .args(["dashboards", "check"])
        .arg(&dashboard)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{report}");

    // In the browser, every panel has data. A panel asks for steps of 15 s (Grafana's
    // default minimum step) with the range's end rounded down to a step, as Grafana does:
    // the data must be older than that to show.
    wait_for("20 s of scrapes", context, || {
        let v = s.json("/api/v1/query?query=count_over_time(mysql_up[1m])");
        v["data"]["result"][0]["value"][1]
            .as_str()
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|&n| n >= 20)
    });
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::new(PYTHON);
    cmd.arg(root.join("tests/ui/dashboard.py"))
        .args(["--url", s.url()])
        .args(["--path", "/d/argus-mysql?from=now-5m&to=now"])
        .args(["--min-data", "12"]);
    if let Ok(dir) = std::env::var("ARGUS_UI_SCREENSHOTS") {
        cmd.args(["--screenshots", &dir, "--name", "mysql-example"]);
    }
    draw(cmd, &context);
    // The exporter's own dashboard: its panels that this MariaDB and exporter fill. Its
    // queries ask for steps of at least a minute (`interval: 1m`), and the range's end is
    // rounded down to a step, as Grafana does: a range to a minute from now shows the data
    // of a server that started seconds ago.
    let mut cmd = Command::new(PYTHON);
    cmd.arg(root.join("tests/ui/dashboard.py"))
        .args(["--url", s.url()])
        .args([
            "--path",
            &format!("/d/{MYSQL_OVERVIEW_UID}?from=now-5m&to=now%2B1m"),
        ])
        .args(["--min-data", &MYSQL_OVERVIEW_WITH_DATA.to_string()]);
    draw(cmd, &context);
    drop(db);
}

/// mysqld_exporter's MySQL dashboard (../shared/dashboards/mysql-overview.json).
const MYSQL_OVERVIEW_UID: &str = "549c2bf8936f7767ea6ac47c47b00f2a";
/// Its panels with data over the test's MariaDB and exporter: 25 of 27 in the last run; fewer
/// fails. The other two ("Process States", "Top Process States Hourly") need the exporter's
/// `--collect.info_schema.processlist`, which is off by default: "No data", as in Grafana.
const MYSQL_OVERVIEW_WITH_DATA: usize = 25;

/// Runs `tests/ui/dashboard.py` and fails the test with its output when it fails.
fn draw(mut cmd: Command, context: &dyn Fn() -> String) {
    let out = cmd.output().expect("run tests/ui/dashboard.py");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{text}");
    assert!(out.status.success(), "{text}\n{}", context());
}
