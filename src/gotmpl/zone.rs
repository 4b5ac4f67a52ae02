//! Time zones for templates, as Go's `time` package knows them: UTC, fixed offsets, and zones
//! read from TZif files of the system's zoneinfo database, with the POSIX TZ rule of a file's
//! footer for instants after its last transition.
//!
//! [`load_location`] is Go's `time.LoadLocation` (used by `toDateInZone`); [`local`] is Go's
//! `time.Local`: `$TZ` when set (empty means UTC), else the system's `localtime` file, else
//! UTC. Loaded zones are cached for the life of the process, as zone files do not change under
//! a running query.

use super::time::{civil_from_days, days_from_civil, weekday_of_days};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

const SECS_PER_DAY: i64 = 86_400;

/// Where Go looks for zone files on Unix systems (after `$ZONEINFO`).
const ZONE_DIRS: &[&str] = &[
    "/usr/share/zoneinfo/",
    "/usr/share/lib/zoneinfo/",
    "/usr/lib/locale/TZ/",
    "/etc/zoneinfo/",
];

/// The system's local zone file, read when `$TZ` is unset.
const LOCALTIME_FILE: &str = "/etc/localtime";

/// Zone files larger than this are refused, as in Go.
const MAX_ZONE_FILE: u64 = 10 << 20;

/// A location: what turns an instant into a wall clock and a zone abbreviation.
#[derive(Clone, Debug)]
pub(crate) enum Zone {
    Utc,
    /// A fixed offset east of UTC, in seconds; `name` may be empty (printed as `-0700`).
    Fixed {
        name: Arc<str>,
        offset: i32,
    },
    Tz(Arc<TzData>),
}

impl Zone {
    /// The abbreviation and offset (seconds east of UTC) in effect at `secs` (Unix seconds).
    pub(crate) fn lookup(&self, secs: i64) -> (&str, i32) {
        match self {
            Zone::Utc => ("UTC", 0),
            Zone::Fixed { name, offset } => (name, *offset),
            Zone::Tz(tz) => tz.lookup(secs),
        }
    }

    /// The offset of the zone abbreviated `name` around `unix` (Go's `lookupName`), used when
    /// parsing a time with a `MST` layout element.
    pub(crate) fn lookup_name(&self, name: &str, unix: i64) -> Option<i32> {
        let Zone::Tz(tz) = self else {
            return None;
        };
        let in_effect = tz
            .types
            .iter()
            .filter(|z| z.name == name)
            .find(|z| tz.lookup(unix - i64::from(z.offset)).0 == z.name);
        in_effect
            .or_else(|| tz.types.iter().find(|z| z.name == name))
            .map(|z| z.offset)
    }

    /// Whether two locations are the same object, which is what Go's `==` on times compares.
    pub(crate) fn same(&self, other: &Zone) -> bool {
        match (self, other) {
            (Zone::Utc, Zone::Utc) => true,
            (Zone::Fixed { name: a, .. }, Zone::Fixed { name: b, .. }) => Arc::ptr_eq(a, b),
            (Zone::Tz(a), Zone::Tz(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// Go's `time.Local`.
pub(crate) fn local() -> Zone {
    static LOCAL: OnceLock<Zone> = OnceLock::new();
    LOCAL.get_or_init(load_local).clone()
}

fn load_local() -> Zone {
    let from_file = |path: &str| read_zone_file(path).map(|tz| Zone::Tz(Arc::new(tz)));
    match std::env::var("TZ") {
        Err(_) => from_file(LOCALTIME_FILE),
        Ok(tz) => {
            let tz = tz.strip_prefix(':').unwrap_or(&tz);
            if tz.is_empty() || tz == "UTC" {
                None
            } else if tz.starts_with('/') {
                from_file(tz)
            } else {
                find_zone_file(tz).map(|tz| Zone::Tz(Arc::new(tz)))
            }
        }
    }
    .unwrap_or(Zone::Utc)
}

/// Go's `time.LoadLocation`: `""` and `UTC` are UTC, `Local` is [`local`], anything else a
/// file of the zoneinfo database.
pub(crate) fn load_location(name: &str) -> Result<Zone, String> {
    match name {
        "" | "UTC" => return Ok(Zone::Utc),
        "Local" => return Ok(local()),
        _ => {}
    }
    if name.contains("..") || name.starts_with('/') || name.starts_with('\\') {
        return Err("time: invalid location name".into());
    }
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Arc<TzData>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() > 1000 {
        cache.clear();
    }
    let found = cache
        .entry(name.to_string())
        .or_insert_with(|| find_zone_file(name).map(Arc::new));
    match found {
        Some(tz) => Ok(Zone::Tz(tz.clone())),
        None => Err(format!("unknown time zone {name}")),
    }
}

/// Reads `name` from `$ZONEINFO`, then from the system's zoneinfo directories.
fn find_zone_file(name: &str) -> Option<TzData> {
    let env_dir = std::env::var("ZONEINFO").ok().filter(|d| !d.is_empty());
    let env_path = env_dir.map(|d| format!("{}/{name}", d.trim_end_matches('/')));
    env_path
        .into_iter()
        .chain(ZONE_DIRS.iter().map(|d| format!("{d}{name}")))
        .find_map(|path| read_zone_file(&path))
}

fn read_zone_file(path: &str) -> Option<TzData> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_ZONE_FILE {
        return None;
    }
    parse_tzif(&std::fs::read(path).ok()?)
}

/// A zone read from a TZif file.
#[derive(Debug)]
pub(crate) struct TzData {
    types: Vec<ZoneType>,
    /// (Unix second the type takes effect, index into `types`), ascending.
    transitions: Vec<(i64, usize)>,
    /// The footer's rule, for instants after the last transition.
    extend: Option<PosixTz>,
    /// The type used before the first transition.
    first: usize,
}

#[derive(Debug)]
struct ZoneType {
    offset: i32,
    is_dst: bool,
    name: String,
}

impl TzData {
    fn lookup(&self, secs: i64) -> (&str, i32) {
        let Some(&(first_when, _)) = self.transitions.first() else {
            let z = &self.types[self.first];
            return (&z.name, z.offset);
        };
        if secs < first_when {
            let z = &self.types[self.first];
            return (&z.name, z.offset);
        }
        let idx = self.transitions.partition_point(|&(when, _)| when <= secs) - 1;
        if idx == self.transitions.len() - 1 {
            if let Some(rule) = &self.extend {
                return rule.lookup(secs);
            }
        }
        let z = &self.types[self.transitions[idx].1];
        (&z.name, z.offset)
    }
}

/// A big-endian reader over a TZif file.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }

    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }
}

/// The six counts of a TZif header.
struct Counts {
    isut: usize,
    isstd: usize,
    leap: usize,
    time: usize,
    types: usize,
    chars: usize,
}

fn read_header(b: &mut Bytes) -> Option<(u8, Counts)> {
    if b.take(4)? != b"TZif" {
        return None;
    }
    let version = b.take(1)?[0];
    b.take(15)?;
    let mut n = || b.u32().map(|v| v as usize);
    let counts = Counts {
        isut: n()?,
        isstd: n()?,
        leap: n()?,
        time: n()?,
        types: n()?,
        chars: n()?,
    };
    Some((version, counts))
}

/// Parses TZif data (versions 1 to 4) as Go's `LoadLocationFromTZData` does: the 64-bit
/// section when there is one, and the footer rule.
fn parse_tzif(data: &[u8]) -> Option<TzData> {
    let mut b = Bytes(data);
    let (version, mut c) = read_header(&mut b)?;
    let mut time_size = 4;
    if version >= b'2' {
        // Skip the 32-bit section; the 64-bit one follows with its own header.
        b.take(c.time * 5 + c.types * 6 + c.chars + c.leap * 8 + c.isstd + c.isut)?;
        c = read_header(&mut b)?.1;
        time_size = 8;
    }
    let mut times = Bytes(b.take(c.time * time_size)?);
    let indexes = b.take(c.time)?;
    let mut type_data = Bytes(b.take(c.types * 6)?);
    let abbrevs = b.take(c.chars)?;
    b.take(c.leap * (time_size + 4) + c.isstd + c.isut)?;
    if c.types == 0 {
        return None;
    }
    let mut types = Vec::with_capacity(c.types);
    for _ in 0..c.types {
        let offset = type_data.u32()? as i32;
        let flags = type_data.take(2)?;
        let start = usize::from(flags[1]).min(abbrevs.len());
        let end = abbrevs[start..]
            .iter()
            .position(|&x| x == 0)
            .map_or(abbrevs.len(), |p| start + p);
        types.push(ZoneType {
            offset,
            is_dst: flags[0] != 0,
            name: String::from_utf8_lossy(&abbrevs[start..end]).into_owned(),
        });
    }
    let mut transitions = Vec::with_capacity(c.time);
    for &index in indexes {
        let when = if time_size == 8 {
            times.i64()?
        } else {
            i64::from(times.u32()? as i32)
        };
        let index = usize::from(index);
        if index >= types.len() {
            return None;
        }
        transitions.push((when, index));
    }
    let extend = (version >= b'2')
        .then(|| footer(b.0))
        .flatten()
        .and_then(PosixTz::parse);
    let first = first_zone(&types, &transitions);
    if transitions.is_empty() {
        // Go covers all time with one fake transition, so that the footer rule applies.
        transitions.push((i64::MIN, 0));
    }
    Some(TzData {
        types,
        transitions,
        extend,
        first,
    })
}

/// The POSIX TZ string between the newlines of a TZif footer.
fn footer(rest: &[u8]) -> Option<&str> {
    let inner = rest.strip_prefix(b"\n")?;
    let end = inner.iter().position(|&x| x == b'\n')?;
    std::str::from_utf8(&inner[..end])
        .ok()
        .filter(|s| !s.is_empty())
}

/// The type in effect before the first transition, by tzcode's rules: the first type if no
/// transition uses it; else, if the first transition is to daylight time, the closest
/// standard type before it; else the first standard type; else the first type.
fn first_zone(types: &[ZoneType], transitions: &[(i64, usize)]) -> usize {
    if !transitions.iter().any(|&(_, i)| i == 0) {
        return 0;
    }
    if let Some(&(_, to)) = transitions.first() {
        if types[to].is_dst {
            if let Some(i) = (0..to).rev().find(|&i| !types[i].is_dst) {
                return i;
            }
        }
    }
    types.iter().position(|z| !z.is_dst).unwrap_or(0)
}

/// A POSIX TZ rule (`CET-1CEST,M3.5.0,M10.5.0/3`), offsets in seconds east of UTC.
#[derive(Debug)]
struct PosixTz {
    std_name: String,
    std_offset: i32,
    dst: Option<DstRule>,
}

#[derive(Debug)]
struct DstRule {
    name: String,
    offset: i32,
    start: RuleDay,
    end: RuleDay,
}

/// When a change happens: a day of the year and the local time of day in seconds.
#[derive(Debug)]
struct RuleDay {
    kind: DayKind,
    time: i32,
}

#[derive(Debug)]
enum DayKind {
    /// `Jn`: day 1 to 365, February 29 never counted.
    Julian(i32),
    /// `n`: day 0 to 365, counting February 29.
    Ordinal(i32),
    /// `Mm.w.d`: weekday `d` (0 is Sunday) of week `w` (5 is the last) of month `m`.
    MonthWeekDay { month: i32, week: i32, weekday: i32 },
}

impl PosixTz {
    fn parse(s: &str) -> Option<PosixTz> {
        let (std_name, s) = rule_name(s)?;
        let (offset, s) = rule_offset(s)?;
        // POSIX offsets are west of UTC; ours are east.
        let std_offset = -offset;
        let no_dst = PosixTz {
            std_name: std_name.to_string(),
            std_offset,
            dst: None,
        };
        if s.is_empty() || s.starts_with(',') {
            return Some(no_dst);
        }
        let (dst_name, mut s) = rule_name(s)?;
        let dst_offset = if s.is_empty() || s.starts_with(',') {
            std_offset + 3600
        } else {
            let (off, rest) = rule_offset(s)?;
            s = rest;
            -off
        };
        // Without rules, tzcode's default: the US rules since 2007.
        let s = if s.is_empty() { ",M3.2.0,M11.1.0" } else { s };
        let s = s.strip_prefix([',', ';'])?;
        let (start, s) = rule_day(s)?;
        let (end, s) = rule_day(s.strip_prefix(',')?)?;
        if !s.is_empty() {
            return None;
        }
        Some(PosixTz {
            dst: Some(DstRule {
                name: dst_name.to_string(),
                offset: dst_offset,
                start,
                end,
            }),
            ..no_dst
        })
    }

    fn lookup(&self, secs: i64) -> (&str, i32) {
        let Some(dst) = &self.dst else {
            return (&self.std_name, self.std_offset);
        };
        let days = secs.div_euclid(SECS_PER_DAY);
        let (year, _, _) = civil_from_days(days);
        let year_start = days_from_civil(year, 1, 1);
        let ysec = (days - year_start) * SECS_PER_DAY + secs.rem_euclid(SECS_PER_DAY);
        let mut start = dst.start.seconds_into(year, self.std_offset);
        let mut end = dst.end.seconds_into(year, dst.offset);
        let mut std = (self.std_name.as_str(), self.std_offset);
        let mut daylight = (dst.name.as_str(), dst.offset);
        if end < start {
            // Southern hemisphere: the "daylight" period spans the new year.
            std::mem::swap(&mut start, &mut end);
            std::mem::swap(&mut std, &mut daylight);
        }
        if ysec < start || ysec >= end {
            std
        } else {
            daylight
        }
    }
}

impl RuleDay {
    /// Seconds from the start of `year` (UTC) to this change, given the offset in effect
    /// before it.
    fn seconds_into(&self, year: i64, offset: i32) -> i64 {
        let leap = is_leap(year);
        let day = match self.kind {
            DayKind::Julian(n) => i64::from(n - 1) + i64::from(leap && n >= 60),
            DayKind::Ordinal(n) => i64::from(n),
            DayKind::MonthWeekDay {
                month,
                week,
                weekday,
            } => {
                let first = days_from_civil(year, i64::from(month), 1);
                let mut d = i64::from(weekday) - weekday_of_days(first);
                d = d.rem_euclid(7);
                let len = days_in_month(year, i64::from(month));
                for _ in 1..week {
                    if d + 7 >= len {
                        break;
                    }
                    d += 7;
                }
                first - days_from_civil(year, 1, 1) + d
            }
        };
        day * SECS_PER_DAY + i64::from(self.time) - i64::from(offset)
    }
}

pub(crate) fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

pub(crate) fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A zone name: `<...>` quoted, or at least three characters up to a digit, sign or comma.
fn rule_name(s: &str) -> Option<(&str, &str)> {
    if let Some(quoted) = s.strip_prefix('<') {
        let end = quoted.find('>')?;
        return Some((&quoted[..end], &quoted[end + 1..]));
    }
    let end = s
        .find(|c: char| c.is_ascii_digit() || matches!(c, ',' | '-' | '+'))
        .unwrap_or(s.len());
    (end >= 3).then(|| s.split_at(end))
}

/// `[+-]hh[:mm[:ss]]` in seconds, as written (positive west of UTC for zone offsets).
fn rule_offset(s: &str) -> Option<(i32, &str)> {
    let (neg, s) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let (hours, mut s) = rule_num(s, 0, 24 * 7)?;
    let mut off = hours * 3600;
    for scale in [60, 1] {
        let Some(rest) = s.strip_prefix(':') else {
            break;
        };
        let (n, rest) = rule_num(rest, 0, 59)?;
        off += n * scale;
        s = rest;
    }
    Some((if neg { -off } else { off }, s))
}

fn rule_num(s: &str, min: i32, max: i32) -> Option<(i32, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: i32 = s[..end].parse().ok()?;
    (min..=max).contains(&n).then_some((n, &s[end..]))
}

/// `Jn`, `n` or `Mm.w.d`, then an optional `/time` (default 02:00).
fn rule_day(s: &str) -> Option<(RuleDay, &str)> {
    let (kind, s) = if let Some(rest) = s.strip_prefix('J') {
        let (n, rest) = rule_num(rest, 1, 365)?;
        (DayKind::Julian(n), rest)
    } else if let Some(rest) = s.strip_prefix('M') {
        let (month, rest) = rule_num(rest, 1, 12)?;
        let (week, rest) = rule_num(rest.strip_prefix('.')?, 1, 5)?;
        let (weekday, rest) = rule_num(rest.strip_prefix('.')?, 0, 6)?;
        let kind = DayKind::MonthWeekDay {
            month,
            week,
            weekday,
        };
        (kind, rest)
    } else {
        let (n, rest) = rule_num(s, 0, 365)?;
        (DayKind::Ordinal(n), rest)
    };
    match s.strip_prefix('/') {
        None => Some((RuleDay { kind, time: 7200 }, s)),
        Some(rest) => {
            let (time, rest) = rule_offset(rest)?;
            Some((RuleDay { kind, time }, rest))
        }
    }
}

#[cfg(test)]
pub(crate) fn zone_from_rule(rule: &str) -> Option<Zone> {
    let extend = PosixTz::parse(rule)?;
    Some(Zone::Tz(Arc::new(TzData {
        types: vec![ZoneType {
            offset: extend.std_offset,
            is_dst: false,
            name: extend.std_name.clone(),
        }],
        transitions: vec![(i64::MIN, 0)],
        extend: Some(extend),
        first: 0,
    })))
}
