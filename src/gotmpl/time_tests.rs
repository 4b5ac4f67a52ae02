//! Unit tests of times: Go's layouts when parsing, POSIX zone rules and the system's
//! zoneinfo database.

use super::time::parse_in_location;
use super::time::zone::{load_location, zone_from_rule, Zone};

#[test]
fn time_parse_errors_read_like_go() {
    let utc = Zone::Utc;
    let e = parse_in_location("2006-01-02", "2021-13-01", &utc).unwrap_err();
    assert_eq!(e, r#"parsing time "2021-13-01": month out of range"#);
    let e = parse_in_location("2006-01-02", "2021/01/01", &utc).unwrap_err();
    assert_eq!(
        e,
        r#"parsing time "2021/01/01" as "2006-01-02": cannot parse "/01/01" as "-""#
    );
    let e = parse_in_location("2006", "2021x", &utc).unwrap_err();
    assert_eq!(e, r#"parsing time "2021x": extra text: "x""#);
}

#[test]
fn posix_zone_rules() {
    let cet = zone_from_rule("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
    // 2021-03-28 01:00 UTC: summer time starts; 2021-10-31 01:00 UTC: it ends.
    assert_eq!(cet.lookup(1_616_893_199), ("CET", 3600));
    assert_eq!(cet.lookup(1_616_893_200), ("CEST", 7200));
    assert_eq!(cet.lookup(1_635_641_999), ("CEST", 7200));
    assert_eq!(cet.lookup(1_635_642_000), ("CET", 3600));
    // Southern hemisphere: summer time spans the new year.
    let sydney = zone_from_rule("AEST-10AEDT,M10.1.0,M4.1.0/3").unwrap();
    assert_eq!(sydney.lookup(1_609_459_200), ("AEDT", 39600));
    assert_eq!(sydney.lookup(1_625_097_600), ("AEST", 36000));
    let fixed = zone_from_rule("<+0330>-3:30").unwrap();
    assert_eq!(fixed.lookup(0), ("+0330", 12600));
    assert!(zone_from_rule("X1").is_none());
}

#[test]
fn zoneinfo_files_when_installed() {
    // Only where the system has a zoneinfo database.
    let Ok(berlin) = load_location("Europe/Berlin") else {
        return;
    };
    let summer = parse_in_location("2006-01-02 15:04", "2021-07-01 12:00", &berlin).unwrap();
    assert_eq!(summer.to_go_string(), "2021-07-01 12:00:00 +0200 CEST");
    let winter = parse_in_location("2006-01-02 15:04", "2021-01-01 12:00", &berlin).unwrap();
    assert_eq!(winter.to_go_string(), "2021-01-01 12:00:00 +0100 CET");
    // Far past the file's transitions, its footer rule decides.
    let future = parse_in_location("2006-01-02 15:04", "2100-07-01 12:00", &berlin).unwrap();
    assert_eq!(future.format("MST -0700"), "CEST +0200");
    assert!(load_location("../etc/passwd").is_err());
    assert!(load_location("No/Such_Zone").is_err());
}
