//! Grafana dashboards as files: `argus dashboards check`, and `argus serve --dashboards`
//! listing, reading again and saving them through argus' list and Grafana's dashboard API.

use super::serve::Server;
use super::support::Workdir;
use serde_json::{json, Value};

/// The real dashboards of `../shared/dashboards`, beside the checkout.
fn shared(name: &str) -> std::path::PathBuf {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/dashboards")
        .join(name);
    assert!(p.exists(), "{} is missing", p.display());
    p
}

#[test]
fn check_reports_what_is_not_drawn_and_exits_by_what_it_found() {
    let w = Workdir::new();
    // Everything drawn: exit 0.
    let plain = w.write(
        "plain.json",
        &json!({"uid": "p", "title": "Plain", "schemaVersion": 41, "panels": [
            {"id": 1, "type": "timeseries", "title": "Load", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
             "targets": [{"refId": "A", "expr": "node_load1"}],
             "fieldConfig": {"defaults": {"unit": "short"}, "overrides": []}}
        ]})
        .to_string(),
    );
    let out = w
        .argus()
        .args(["dashboards", "check"])
        .arg(&plain)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("\"Plain\", 1 panel and 0 variables: argus draws all of it"),
        "{text}"
    );

    // A panel type argus does not draw, and an ad hoc variable: exit 4, each named.
    let odd = w.write(
        "odd.json",
        &json!({"uid": "o", "title": "Odd", "schemaVersion": 41,
            "templating": {"list": [{"name": "filters", "type": "adhoc"}]},
            "panels": [{"id": 7, "type": "heatmap", "title": "Latency", "gridPos": {"x": 0, "y": 0, "w": 24, "h": 8}}]})
        .to_string(),
    );
    let out = w
        .argus()
        .args(["dashboards", "check"])
        .arg(&odd)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(4), "{text}");
    assert!(
        text.contains("  variable \"filters\": adhoc variables are not supported"),
        "{text}"
    );
    assert!(
        text.contains("  panel 7 \"Latency\": heatmap panels are not drawn"),
        "{text}"
    );

    // A file that is not a dashboard: exit 3, named on stderr; the others still checked.
    let broken = w.write("broken.json", "{\"title\": ");
    let out = w
        .argus()
        .args(["dashboards", "check"])
        .arg(&broken)
        .arg(&plain)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.json: not JSON"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"Plain\""));

    // The real dashboards load; the report counts their panels.
    let out = w
        .argus()
        .args(["dashboards", "check"])
        .arg(shared("node-exporter-full.json"))
        .arg(shared("mysql-overview.json"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(matches!(out.status.code(), Some(0) | Some(4)), "{text}");
    assert!(
        text.contains("\"Node Exporter Full\", 125 panels and 4 variables"),
        "{text}"
    );
    assert!(text.contains("\"MySQL\""), "{text}");
    assert!(
        !text.contains("graph panels are not drawn"),
        "legacy graphs are migrated: {text}"
    );
}

fn save(s: &Server, body: &Value) -> (u16, Value) {
    let (code, bytes) = s.request(
        "POST",
        "/api/dashboards/db",
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    );
    (code, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[test]
fn serve_lists_reads_again_and_saves_dashboard_files() {
    let w = Workdir::new();
    let dir = w.path("dashboards");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(shared("mysql-overview.json"), dir.join("mysql.json")).unwrap();
    std::fs::write(dir.join("broken.json"), "{").unwrap();
    let s = Server::start(
        &w,
        &[
            "--self-scrape-interval",
            "0s",
            "--dashboards",
            dir.to_str().unwrap(),
        ],
    );

    // The list has the dashboard and the file that failed, with its reason.
    let v = s.json("/api/v1/dashboards");
    let list = v["data"]["dashboards"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{v}");
    let broken = list.iter().find(|d| d["file"] == "broken.json").unwrap();
    assert!(
        broken["error"].as_str().unwrap().starts_with("not JSON"),
        "{v}"
    );
    let mysql = list.iter().find(|d| d["file"] == "mysql.json").unwrap();
    let uid = mysql["uid"].as_str().unwrap().to_string();
    assert_eq!(mysql["title"], "MySQL");
    assert_eq!(mysql["url"], format!("/d/{uid}/mysql"));

    // Grafana's API: search, then the dashboard itself, migrated (no legacy graph left).
    let (code, body) = s.get("/api/search?query=mysql");
    assert_eq!(code, 200);
    let hits: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(hits[0]["uid"], uid.as_str());
    assert_eq!(hits[0]["type"], "dash-db");
    let d = s.json(&format!("/api/dashboards/uid/{uid}"));
    assert_eq!(d["meta"]["file"], "mysql.json");
    let text = d["dashboard"].to_string();
    assert!(
        !text.contains("\"type\":\"graph\""),
        "legacy graphs are migrated"
    );
    let (code, body) = s.get("/api/dashboards/uid/nope");
    assert_eq!(code, 404);
    assert!(body.contains("Dashboard not found"), "{body}");

    // The dashboard's page is the UI.
    let (code, html) = s.get(&format!("/d/{uid}/mysql?from=now-1h&to=now"));
    assert_eq!(code, 200);
    assert!(html.contains("<script"), "{html}");

    // Saving writes the file, one version up; a stale version is refused with 412.
    let mut edited = d["dashboard"].clone();
    edited["time"] = json!({"from": "now-24h", "to": "now"});
    let (code, saved) = save(&s, &json!({"dashboard": edited, "overwrite": false}));
    assert_eq!(code, 200, "{saved}");
    assert_eq!(saved["status"], "success");
    let on_disk: Value =
        serde_json::from_slice(&std::fs::read(dir.join("mysql.json")).unwrap()).unwrap();
    assert_eq!(on_disk["time"]["from"], "now-24h");
    let (code, refused) = save(&s, &json!({"dashboard": edited}));
    assert_eq!(code, 412, "{refused}");
    assert_eq!(refused["status"], "version-mismatch");
    let (code, bad) = save(&s, &json!({"dashboard": "not a dashboard"}));
    assert_eq!(code, 400, "{bad}");
    assert!(bad["message"].is_string());

    // A web page of another site cannot save over a dashboard (the browser sends its Origin).
    let (code, _) = s.request(
        "POST",
        "/api/dashboards/db",
        &[
            ("Content-Type", "application/json"),
            ("Origin", "http://evil.example"),
        ],
        json!({"dashboard": edited, "overwrite": true})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(code, 403);

    // An import is a new file; a file dropped into the folder shows without a restart.
    let (code, saved) = save(
        &s,
        &json!({"dashboard": {"title": "Team board", "panels": [], "schemaVersion": 41}}),
    );
    assert_eq!(code, 200, "{saved}");
    assert!(dir.join("team-board.json").exists());
    std::fs::write(
        dir.join("later.json"),
        json!({"uid": "later", "title": "Later", "panels": []}).to_string(),
    )
    .unwrap();
    let v = s.json("/api/v1/dashboards");
    let titles: Vec<&str> = v["data"]["dashboards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["broken", "Later", "MySQL", "Team board"]);
}

#[test]
fn serve_refuses_a_dashboards_folder_that_is_not_there() {
    let w = Workdir::new();
    let out = w
        .argus()
        .args(["serve", "--listen", "127.0.0.1:0", "--dashboards"])
        .arg(w.path("no-such-folder"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--dashboards") && err.contains("no such directory"),
        "{err}"
    );
}
