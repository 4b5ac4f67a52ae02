//! Time zones for templates, as Go's `time` package knows them: UTC, fixed offsets (what a
//! parsed `-0700` makes), and the zones of the system's time-zone database, which jiff reads
//! from the same files Go does (`/usr/share/zoneinfo`, or `$TZDIR`), rules for the far future
//! included.
//!
//! [`load_location`] is Go's `time.LoadLocation` (used by `toDateInZone`); [`local`] is Go's
//! `time.Local`: `$TZ` when set (empty means UTC; a leading `:` is dropped; an absolute path
//! is a zone file), else the system's `/etc/localtime`, else UTC.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use std::collections::HashSet;
use std::sync::{Arc, OnceLock, RwLock};

/// Zone files larger than this are refused, as in Go.
const MAX_ZONE_FILE: u64 = 10 << 20;

/// A location: what turns an instant into a wall clock and a zone abbreviation.
#[derive(Clone, Debug)]
pub enum Zone {
    Utc,
    /// A fixed offset east of UTC, in seconds; `name` may be empty (printed as `-0700`).
    Fixed {
        name: Arc<str>,
        offset: i32,
    },
    Tz(TimeZone),
}

impl Zone {
    /// The abbreviation and offset (seconds east of UTC) in effect at `secs` (Unix seconds).
    /// Instants beyond the years jiff handles (±9999) take the offset of its last one.
    pub fn lookup(&self, secs: i64) -> (&str, i32) {
        match self {
            Zone::Utc => ("UTC", 0),
            Zone::Fixed { name, offset } => (name, *offset),
            Zone::Tz(tz) => tz_lookup(tz, secs),
        }
    }

    /// The offset of the zone abbreviated `name` around `unix` (Go's `lookupName`), used when
    /// parsing a time with a `MST` layout element: first an abbreviation actually in effect
    /// then, else any the zone has used.
    pub fn lookup_name(&self, name: &str, unix: i64) -> Option<i32> {
        let Zone::Tz(tz) = self else {
            return None;
        };
        let types = zone_types(tz, unix);
        let named = || types.iter().filter(|(n, _)| *n == name);
        named()
            .find(|(n, off)| tz_lookup(tz, unix - i64::from(*off)).0 == *n)
            .or_else(|| named().next())
            .map(|(_, off)| *off)
    }

    /// Whether two locations are the same, which is what Go's `==` on times compares.
    pub fn same(&self, other: &Zone) -> bool {
        match (self, other) {
            (Zone::Utc, Zone::Utc) => true,
            (Zone::Fixed { name: a, .. }, Zone::Fixed { name: b, .. }) => Arc::ptr_eq(a, b),
            (Zone::Tz(a), Zone::Tz(b)) => a == b,
            _ => false,
        }
    }
}

/// The instant `secs` as jiff's timestamp, clamped to the years it handles.
fn timestamp(secs: i64) -> Timestamp {
    let secs = secs.clamp(Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
    Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn tz_lookup(tz: &TimeZone, secs: i64) -> (&'static str, i32) {
    let info = tz.to_offset_info(timestamp(secs));
    (intern(info.abbreviation()), info.offset().seconds())
}

/// The (abbreviation, offset) pairs a zone has used, oldest first, as far as its transitions
/// up to a year after `unix` and a few after it show them: Go's list of a zone file's types.
fn zone_types(tz: &TimeZone, unix: i64) -> Vec<(&'static str, i32)> {
    let around = timestamp(unix.saturating_add(366 * 86_400));
    let mut seen: Vec<(&'static str, i32)> = Vec::new();
    let first = tz.to_offset_info(Timestamp::MIN);
    let earlier: Vec<(&'static str, i32)> = tz
        .preceding(around)
        .take(10_000)
        .map(|t| (intern(t.abbreviation()), t.offset().seconds()))
        .collect();
    let later = tz
        .following(around)
        .take(4)
        .map(|t| (intern(t.abbreviation()), t.offset().seconds()));
    let all = std::iter::once((intern(first.abbreviation()), first.offset().seconds()))
        .chain(earlier.into_iter().rev())
        .chain(later);
    for pair in all {
        if !seen.contains(&pair) {
            seen.push(pair);
        }
    }
    seen
}

/// Zone abbreviations live for the process: the database has a few hundred, and a lookup
/// hands one out by reference, as the zone tables Go keeps do.
fn intern(name: &str) -> &'static str {
    static NAMES: OnceLock<RwLock<HashSet<&'static str>>> = OnceLock::new();
    let names = NAMES.get_or_init(Default::default);
    if let Some(found) = names
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(name)
        .copied()
    {
        return found;
    }
    let mut names = names.write().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = names.get(name).copied() {
        return found;
    }
    // Only the system's database and $TZ make abbreviations; past this many something is
    // wrong, and the abbreviation is shown as no name (Go then prints the offset).
    if names.len() >= 4096 {
        return "";
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.insert(leaked);
    leaked
}

/// Go's `time.Local`.
pub fn local() -> Zone {
    static LOCAL: OnceLock<Zone> = OnceLock::new();
    LOCAL.get_or_init(load_local).clone()
}

fn load_local() -> Zone {
    let tz = match std::env::var("TZ") {
        Err(_) => TimeZone::try_system().ok(),
        Ok(tz) => {
            let tz = tz.strip_prefix(':').unwrap_or(&tz);
            if tz.is_empty() || tz == "UTC" {
                None
            } else if tz.starts_with('/') {
                read_zone_file(tz)
            } else {
                TimeZone::get(tz).ok()
            }
        }
    };
    tz.map_or(Zone::Utc, Zone::Tz)
}

fn read_zone_file(path: &str) -> Option<TimeZone> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_ZONE_FILE {
        return None;
    }
    TimeZone::tzif("Local", &std::fs::read(path).ok()?).ok()
}

/// Go's `time.LoadLocation`: `""` and `UTC` are UTC, `Local` is [`local`], anything else a
/// zone of the system's database.
pub fn load_location(name: &str) -> Result<Zone, String> {
    match name {
        "" | "UTC" => return Ok(Zone::Utc),
        "Local" => return Ok(local()),
        _ => {}
    }
    if name.contains("..") || name.starts_with('/') || name.starts_with('\\') {
        return Err("time: invalid location name".into());
    }
    TimeZone::get(name)
        .map(Zone::Tz)
        .map_err(|_| format!("unknown time zone {name}"))
}

/// A zone from a POSIX TZ rule (`CET-1CEST,M3.5.0,M10.5.0/3`), for tests.
#[cfg(test)]
pub(crate) fn zone_from_rule(rule: &str) -> Option<Zone> {
    TimeZone::posix(rule).ok().map(Zone::Tz)
}
