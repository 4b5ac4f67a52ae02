//! `GET /api/v2/silences` on `argus serve`: the silences `argus alerts silence` keeps in the
//! store, listed in Alertmanager's API v2 shape and order, which the web UI's Alerts page shows.

use super::serve::Server;
use super::support::Workdir;
use serde_json::Value;

/// `argus alerts silence add MATCHERS... --comment COMMENT ARGS...`, its ID.
fn add(w: &Workdir, matchers: &[&str], comment: &str, args: &[&str]) -> String {
    let out = w
        .argus()
        .args(["alerts", "silence", "add"])
        .args(matchers)
        .args(["--comment", comment])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn silences_are_listed_as_alertmanager_lists_them() {
    let w = Workdir::new();
    // The server makes the store the silences are kept in.
    let s = Server::start(&w, &[]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let active = add(
        &w,
        &["alertname=~\"Disk.*\""],
        "disk swap",
        &["--duration", "2h", "--author", "ops"],
    );
    let tomorrow = (now + 86_400).to_string();
    let pending = add(
        &w,
        &["severity=\"page\"", "cluster!=\"eu\""],
        "maintenance",
        &["--start", &tomorrow, "--duration", "1h"],
    );
    let expired = add(&w, &["job=\"node\""], "done", &["--duration", "1h"]);
    w.argus()
        .args(["alerts", "silence", "expire", &expired])
        .assert()
        .success();

    let v = s.json("/api/v2/silences");
    let list = v.as_array().expect("a JSON array, without an envelope");
    let ids: Vec<&str> = list.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [&active, &pending, &expired]);
    let states: Vec<&str> = list
        .iter()
        .map(|s| s["status"]["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["active", "pending", "expired"]);

    let first = &list[0];
    assert_eq!(
        first["matchers"],
        serde_json::json!([{"name": "alertname", "value": "Disk.*", "isRegex": true, "isEqual": true}])
    );
    assert_eq!(first["createdBy"], "ops");
    assert_eq!(first["comment"], "disk swap");
    for key in ["startsAt", "endsAt", "updatedAt"] {
        let t = first[key].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(t).is_ok(),
            "{key}: {t}"
        );
    }
    let cluster = list[1]["matchers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "cluster")
        .unwrap();
    assert_eq!(cluster["isEqual"], false);
    assert_eq!(cluster["isRegex"], false);

    // Alertmanager's filter reads each silence's matchers as labels.
    let v = s.json("/api/v2/silences?filter=job%3D%22node%22");
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [&expired]);
    let (code, _) = s.get("/api/v2/silences?filter=%3D%3D");
    assert_eq!(code, 400);
}

#[test]
fn without_silences_the_list_is_empty_and_the_ui_pages_answer() {
    let w = Workdir::new();
    let s = Server::start(&w, &[]);
    let v: Value = s.json("/api/v2/silences");
    assert_eq!(v, serde_json::json!([]));
    for page in [
        "/alerts", "/rules", "/targets", "/status", "/flags", "/config",
    ] {
        let (code, body) = s.get(page);
        assert_eq!(code, 200, "{page}");
        assert!(body.contains("/assets/app.js"), "{page}: {body}");
    }
}
