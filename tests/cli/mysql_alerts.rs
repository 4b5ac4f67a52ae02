//! The first team's scenario, end to end with real peers: a MariaDB of the test's own (never
//! the system's service or port 3306), Debian's mysqld_exporter in front of it, and
//! `argus serve` scraping the exporter every second and evaluating a `MySQLDown` rule. Killing
//! MariaDB fires the alert after its `for:`, a Slack-shaped receiver is told once; starting
//! MariaDB again on the same data directory and port resolves it, and the receiver is told
//! that too. Every change of state is in the alert history.
//!
//! Needs the Debian packages `mariadb-server` and `prometheus-mysqld-exporter`
//! (`scripts/install-test-deps`); without them the test fails and names the package.

use super::serve::Server;
use super::support::{stdout_of, Spawned, Workdir};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long to wait for anything that should happen within seconds: generous, so that a
/// loaded CI machine does not fail the test; never an assertion on how long it took.
pub(super) const PATIENCE: Duration = Duration::from_secs(90);

/// A free loopback port (bound, then let go, for a child to bind).
pub(super) fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// `name` on the PATH or in /usr/sbin (where Debian puts mariadbd, and which is not on a
/// normal user's PATH); fails naming the package that provides it.
fn binary(name: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{name} is missing: install the Debian package {package} \
                 (scripts/install-test-deps does)"
            )
        })
}

fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// The last lines of a log file, for failure messages.
pub(super) fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Polls `f` until it returns something, or panics with `what` and `context()`.
pub(super) fn wait_for<T>(
    what: &str,
    mut context: impl FnMut() -> String,
    mut f: impl FnMut() -> Option<T>,
) -> T {
    let start = Instant::now();
    while start.elapsed() < PATIENCE {
        if let Some(v) = f() {
            return v;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("gave up waiting for {what}\n{}", context());
}

/// A MariaDB server of the test's own: its data directory, socket and port in `dir`.
pub(super) struct Mariadb {
    mariadbd: PathBuf,
    dir: PathBuf,
    port: u16,
    starts: u32,
    child: Option<Spawned>,
}

impl Mariadb {
    /// Creates the data directory (system tables, and a root that logs in without a
    /// password over the socket) and starts the server.
    pub(super) fn create(dir: &Path) -> Mariadb {
        let install = binary("mariadb-install-db", "mariadb-server");
        let mariadbd = binary("mariadbd", "mariadb-server");
        std::fs::create_dir_all(dir).unwrap();
        let log = dir.join("install.log");
        let mut cmd = Command::new(install);
        cmd.arg("--no-defaults")
            .arg(format!("--datadir={}", dir.join("data").display()))
            .args([
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                // A small redo log: the default is 96 MiB of disk per test run.
                "--innodb-log-file-size=4M",
            ]);
        if running_as_root() {
            cmd.arg("--user=root");
        }
        // One install at a time: two tests installing at once (mysql_example and this file's)
        // made mariadb-install-db fail on a loaded machine.
        static INSTALLING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        let status = cmd
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::File::create(dir.join("install.err")).unwrap())
            .status()
            .expect("run mariadb-install-db");
        assert!(
            status.success(),
            "mariadb-install-db failed ({status}):\n{}\n{}",
            tail(&log),
            tail(&dir.join("install.err"))
        );
        // The exporter's user, created at every start (so also after a restart), with the
        // grants mysqld_exporter's documentation asks for.
        std::fs::write(
            dir.join("init.sql"),
            "CREATE USER IF NOT EXISTS 'exporter'@'127.0.0.1' IDENTIFIED BY 'exporter-pw';\n\
             GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR, SELECT ON *.* TO 'exporter'@'127.0.0.1';\n",
        )
        .unwrap();
        let mut db = Mariadb {
            mariadbd,
            dir: dir.to_path_buf(),
            port: free_port(),
            starts: 0,
            child: None,
        };
        db.start();
        db
    }

    fn error_log(&self) -> PathBuf {
        self.dir.join(format!("error-{}.log", self.starts))
    }

    /// Starts the server on the data directory and port it had (it may still be starting
    /// when this returns; the exporter's `mysql_up` says when it is up).
    fn start(&mut self) {
        assert!(self.child.is_none(), "MariaDB is already running");
        self.starts += 1;
        let d = &self.dir;
        let mut cmd = Command::new(&self.mariadbd);
        cmd.arg("--no-defaults")
            .arg(format!("--datadir={}", d.join("data").display()))
            .arg(format!("--socket={}", d.join("sock").display()))
            .arg(format!("--pid-file={}", d.join("mariadbd.pid").display()))
            .arg(format!("--log-error={}", self.error_log().display()))
            .arg(format!("--init-file={}", d.join("init.sql").display()))
            .arg(format!("--port={}", self.port))
            .args([
                "--bind-address=127.0.0.1",
                "--skip-name-resolve",
                // After a kill the old socket's port may linger a moment.
                "--port-open-timeout=30",
                "--innodb-buffer-pool-size=16M",
                "--innodb-log-file-size=4M",
            ]);
        // mariadbd refuses to run as root unless told to.
        if running_as_root() {
            cmd.arg("--user=root");
        }
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start mariadbd");
        self.child = Some(Spawned(child));
    }

    /// Kills the server as a crash would (SIGKILL) and waits for it to be gone.
    fn kill(&mut self) {
        let mut child = self.child.take().expect("MariaDB is running");
        child.kill().expect("kill mariadbd");
        child.wait().expect("wait for mariadbd");
    }

    /// What went wrong, if it did: the server's exit and log.
    pub(super) fn context(&mut self) -> String {
        let exited = match self.child.as_mut().map(|c| c.try_wait()) {
            Some(Ok(Some(status))) => format!("mariadbd exited: {status}\n"),
            _ => String::new(),
        };
        format!("{exited}mariadbd's log:\n{}", tail(&self.error_log()))
    }
}

/// Debian's mysqld_exporter, connecting to `db` over TCP as its user.
pub(super) fn start_exporter(w: &Workdir, db: &Mariadb) -> (Spawned, u16) {
    let exporter = binary("prometheus-mysqld-exporter", "prometheus-mysqld-exporter");
    let port = free_port();
    let child = Command::new(exporter)
        .env(
            "DATA_SOURCE_NAME",
            format!("exporter:exporter-pw@tcp(127.0.0.1:{})/", db.port),
        )
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        // Its default is the running user's ~/.my.cnf, which is none of the test's business.
        .arg(format!(
            "--config.my-cnf={}",
            w.path("no-such-my.cnf").display()
        ))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(w.path("exporter.log")).unwrap())
        .spawn()
        .expect("start prometheus-mysqld-exporter");
    (Spawned(child), port)
}

/// The exporter's `mysql_up`, asked directly (None while it does not answer).
pub(super) fn exporter_mysql_up(port: u16) -> Option<String> {
    use std::io::{Read, Write};
    let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    c.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    c.write_all(b"GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .ok()?;
    let mut body = String::new();
    c.read_to_string(&mut body).ok()?;
    body.lines()
        .find_map(|l| l.strip_prefix("mysql_up "))
        .map(|v| v.trim().to_string())
}

/// The alerting rule: the team's, with a short `for:` so the test is quick.
const RULES: &str = "
groups:
  - name: mysql-e2e
    rules:
      - alert: MySQLDown
        expr: mysql_up == 0
        for: 3s
        labels: {severity: critical}
        annotations:
          summary: 'MySQL {{ $labels.instance }} is down'
";

/// The titles of the Slack messages received so far.
fn titles(hits: &std::sync::Mutex<Vec<super::notify::Hit>>) -> Vec<String> {
    hits.lock()
        .unwrap()
        .iter()
        .filter(|h| h.status == 200)
        .map(|h| {
            h.body["attachments"][0]["title"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// `mysql_up` as the server has it now, if it has it.
fn mysql_up(s: &Server) -> Option<String> {
    let v = s.json("/api/v1/query?query=mysql_up");
    v["data"]["result"][0]["value"][1]
        .as_str()
        .map(str::to_string)
}

#[test]
fn mysql_down_fires_notifies_and_resolves_with_a_real_mariadb() {
    let w = Workdir::new();
    let mut db = Mariadb::create(&w.path("mariadb"));
    let (mut exporter, exporter_port) = start_exporter(&w, &db);
    let (slack, hits) = super::notify::receiver(vec![]);
    // MariaDB has started (its first start creates the exporter's user) before argus scrapes,
    // so that the alert has nothing to say until the test stops it.
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

    let instance = format!("127.0.0.1:{exporter_port}");
    let rules = w.write("mysql-e2e.rules.yml", RULES);
    // The mysqld mixin's kind of rules too: their recording rules must evaluate on the real
    // exporter's series, and their own MySQLDown (`for: 5m`) must stay pending, unnotified.
    let mixin = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules/mysql.rules.yml");
    let config = w.write(
        "prometheus.yml",
        &format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
             rule_files:\n  - {}\n  - {}\n\
             scrape_configs:\n  - job_name: mysql\n    static_configs:\n      - targets: ['{instance}']\n",
            rules.display(),
            mixin.display()
        ),
    );
    let am = w.write(
        "alertmanager.yml",
        &format!(
            "route:\n  receiver: team\n  group_by: [alertname]\n  group_wait: 0s\n  group_interval: 1s\n  \
             repeat_interval: 4h\nreceivers:\n  - name: team\n    slack_configs:\n      - api_url: {slack}\n        \
             channel: '#db'\n        send_resolved: true\n"
        ),
    );
    let from = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 5;
    let s = Server::start(
        &w,
        &[
            "--config",
            config.to_str().unwrap(),
            "--alertmanager-config",
            am.to_str().unwrap(),
            "--self-scrape-interval",
            "0s",
        ],
    );
    let context = |db: &mut Mariadb, exporter: &mut Spawned| {
        let exited = match exporter.try_wait() {
            Ok(Some(status)) => format!("the exporter exited: {status}\n"),
            _ => String::new(),
        };
        format!(
            "{}\n{exited}exporter's log:\n{}\nargus serve's log:\n{}\nSlack got: {:?}",
            db.context(),
            tail(&w.path("exporter.log")),
            s.stderr(),
            titles(&hits)
        )
    };

    // MariaDB is up, as the exporter tells argus.
    wait_for(
        "mysql_up 1",
        || context(&mut db, &mut exporter),
        || (mysql_up(&s).as_deref() == Some("1")).then_some(()),
    );
    // The server honours the file's rule_files and evaluation_interval: it does not call
    // them ignored.
    let log = s.stderr();
    assert!(!log.contains("is ignored"), "{log}");
    // The mixin's recording rules work on the real exporter's series (a rate needs two
    // scrapes), and nothing has been sent.
    wait_for(
        "the mixin's recording rule job:mysql_queries:rate1m",
        || context(&mut db, &mut exporter),
        || {
            let v = s.json("/api/v1/query?query=job:mysql_queries:rate1m");
            v["data"]["result"][0]["metric"]["job"]
                .as_str()
                .filter(|j| *j == "mysql")
                .map(|_| ())
        },
    );
    assert_eq!(titles(&hits), Vec::<String>::new());
    let v = s.json("/api/v1/alerts");
    assert_eq!(v["data"]["alerts"], serde_json::json!([]), "{v}");

    // Stop MariaDB: the exporter answers `mysql_up 0`, the alert fires after its `for:`,
    // and Slack is told once.
    db.kill();
    wait_for(
        "mysql_up 0",
        || context(&mut db, &mut exporter),
        || (mysql_up(&s).as_deref() == Some("0")).then_some(()),
    );
    let firing = wait_for(
        "the FIRING notification",
        || context(&mut db, &mut exporter),
        || {
            hits.lock()
                .unwrap()
                .iter()
                .find(|h| h.status == 200)
                .cloned()
        },
    );
    let attachment = &firing.body["attachments"][0];
    let title = attachment["title"].as_str().unwrap_or_default();
    assert!(title.starts_with("[FIRING:1] MySQLDown"), "{}", firing.body);
    assert_eq!(attachment["color"], "danger", "{}", firing.body);
    assert_eq!(firing.body["channel"], "#db", "{}", firing.body);

    // `argus alerts list` (another process on the same store) shows it firing.
    let list = stdout_of(
        w.argus(),
        &["alerts", "list", "--state", "firing", "-o", "json"],
    );
    let list: Value = serde_json::from_str(&list).expect("alerts list JSON");
    let alerts = list["alerts"].as_array().cloned().unwrap_or_default();
    let down: Vec<&Value> = alerts
        .iter()
        .filter(|a| a["labels"]["alertname"] == "MySQLDown")
        .collect();
    assert_eq!(down.len(), 1, "{list}");
    assert_eq!(down[0]["state"], "firing", "{list}");
    assert_eq!(down[0]["labels"]["instance"], instance.as_str(), "{list}");
    assert_eq!(down[0]["labels"]["severity"], "critical", "{list}");
    assert_eq!(
        down[0]["annotations"]["summary"],
        format!("MySQL {instance} is down"),
        "{list}"
    );
    // The server's API shows it firing too (it publishes a group's state once the
    // evaluation's notifications are out, so a moment after Slack has it), and the mixin's
    // MySQLDown waiting for its 5 minutes.
    let v = wait_for(
        "/api/v1/alerts to show MySQLDown firing",
        || s.stderr(),
        || {
            let v = s.json("/api/v1/alerts");
            v["data"]["alerts"]
                .as_array()?
                .iter()
                .any(|a| a["state"] == "firing")
                .then_some(v)
        },
    );
    let mut states: Vec<(String, String)> = v["data"]["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["labels"]["alertname"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                a["state"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    states.sort();
    assert_eq!(
        states,
        [
            ("MySQLDown".to_string(), "firing".to_string()),
            ("MySQLDown".to_string(), "pending".to_string())
        ],
        "{v}"
    );

    // Start MariaDB again on the same data directory and port: resolved, and Slack is told.
    db.start();
    let resolved = wait_for(
        "the RESOLVED notification",
        || context(&mut db, &mut exporter),
        || {
            let t = titles(&hits);
            t.iter().find(|t| t.starts_with("[RESOLVED]")).cloned()
        },
    );
    assert!(resolved.contains("MySQLDown"), "{resolved}");
    assert_eq!(mysql_up(&s).as_deref(), Some("1"));
    let got = titles(&hits);
    assert_eq!(
        got.iter().filter(|t| t.starts_with("[FIRING")).count(),
        1,
        "{got:?}"
    );
    let last = hits.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        last.body["attachments"][0]["color"], "good",
        "{}",
        last.body
    );

    // The alert history has each change of state.
    let to = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 60;
    let history = || {
        stdout_of(
            w.argus(),
            &[
                "query",
                "{source=\"argus-alerts\"} | json | alertname=\"MySQLDown\"",
                "--from",
                &from.to_string(),
                "--to",
                &to.to_string(),
                "-o",
                "raw",
                "--direction",
                "forward",
            ],
        )
    };
    let changes = |history: &str| -> Vec<(String, String)> {
        history
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
                (
                    v["group"].as_str().unwrap_or_default().to_string(),
                    v["state"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    // The mixin's group may be evaluated a moment after the notification went out.
    let history = wait_for("the history of both groups", &history, || {
        let h = history();
        let c = changes(&h);
        (c.iter().filter(|(g, _)| g == "mysql-e2e").count() >= 3
            && c.iter().filter(|(g, _)| g == "mysqld_alerts").count() >= 2)
            .then_some(h)
    });
    let changes = changes(&history);
    let of = |group: &str| -> Vec<&str> {
        changes
            .iter()
            .filter(|(g, _)| g == group)
            .map(|(_, s)| s.as_str())
            .collect()
    };
    assert_eq!(
        of("mysql-e2e"),
        ["pending", "firing", "resolved"],
        "{history}"
    );
    assert_eq!(of("mysqld_alerts"), ["pending", "gone"], "{history}");
}
