//! Go's `time.ParseInLocation`: a value read with a layout's elements, with Go's rules for
//! zones named or given as offsets and its error messages.

use super::layout::{next_std_chunk, Std};
use super::zone::Zone;
use super::{
    civil_from_days, date, days_from_civil, days_in_month, is_leap, Clock, GoTime, LONG_DAYS,
    LONG_MONTHS,
};
use std::sync::Arc;

/// Go's `time.ParseInLocation(layout, value, zone)`; the error is Go's message.
pub(crate) fn parse_in_location(layout: &str, value: &str, zone: &Zone) -> Result<GoTime, String> {
    Parser::new(layout, value).run(zone)
}

/// The fields a parse collects before it builds the time.
struct Parser<'s> {
    layout: &'s str,
    value: &'s str,
    year: i64,
    month: i64,
    day: i64,
    yday: i64,
    hour: i64,
    min: i64,
    sec: i64,
    nsec: i64,
    am: bool,
    pm: bool,
    utc: bool,
    offset: Option<i64>,
    zone_name: &'s str,
}

/// Why a layout element did not match.
enum Bad {
    Syntax,
    Range(&'static str),
}

impl<'s> Parser<'s> {
    fn new(layout: &'s str, value: &'s str) -> Parser<'s> {
        Parser {
            layout,
            value,
            year: 0,
            month: -1,
            day: -1,
            yday: -1,
            hour: 0,
            min: 0,
            sec: 0,
            nsec: 0,
            am: false,
            pm: false,
            utc: false,
            offset: None,
            zone_name: "",
        }
    }

    fn error(&self, layout_elem: &str, value_elem: &str, message: &str) -> String {
        let head = format!("parsing time {}", time_quote(self.value));
        if message.is_empty() {
            format!(
                "{head} as {}: cannot parse {} as {}",
                time_quote(self.layout),
                time_quote(value_elem),
                time_quote(layout_elem)
            )
        } else {
            format!("{head}{message}")
        }
    }

    fn run(mut self, zone: &Zone) -> Result<GoTime, String> {
        let mut layout = self.layout;
        let mut value = self.value;
        loop {
            let chunk = next_std_chunk(layout);
            let (prefix, elem) = match chunk {
                Some((start, _, end)) => (&layout[..start], &layout[start..end]),
                None => (layout, ""),
            };
            value = skip(value, prefix).ok_or_else(|| self.error(prefix, value, ""))?;
            let Some((_, std, end)) = chunk else {
                if !value.is_empty() {
                    let msg = format!(": extra text: {}", time_quote(value));
                    return Err(self.error("", value, &msg));
                }
                break;
            };
            layout = &layout[end..];
            let hold = value;
            match self.element(std, &mut value, layout) {
                Ok(()) => {}
                Err(Bad::Range(what)) => {
                    return Err(self.error(elem, value, &format!(": {what} out of range")))
                }
                Err(Bad::Syntax) => return Err(self.error(elem, hold, "")),
            }
        }
        self.build(zone, value)
    }

    /// Parses one layout element from the front of `v`.
    fn element(&mut self, std: Std, v: &mut &'s str, layout_rest: &str) -> Result<(), Bad> {
        match std {
            Std::Year => {
                let p = v.get(..2).ok_or(Bad::Syntax)?;
                let y = atoi(p).ok_or(Bad::Syntax)?;
                *v = &v[2..];
                self.year = if y >= 69 { y + 1900 } else { y + 2000 };
            }
            Std::LongYear => {
                let p = v.get(..4).ok_or(Bad::Syntax)?;
                if !p.as_bytes()[0].is_ascii_digit() {
                    return Err(Bad::Syntax);
                }
                self.year = atoi(p).ok_or(Bad::Syntax)?;
                *v = &v[4..];
            }
            Std::Month | Std::LongMonth => {
                let names: Vec<&str> = if std == Std::Month {
                    LONG_MONTHS.iter().map(|m| &m[..3]).collect()
                } else {
                    LONG_MONTHS.to_vec()
                };
                self.month = lookup_name(&names, v).ok_or(Bad::Syntax)? as i64 + 1;
            }
            Std::NumMonth | Std::ZeroMonth => {
                self.month = getnum(v, std == Std::ZeroMonth)?;
                if !(1..=12).contains(&self.month) {
                    return Err(Bad::Range("month"));
                }
            }
            Std::WeekDay | Std::LongWeekDay => {
                let names: Vec<&str> = if std == Std::WeekDay {
                    LONG_DAYS.iter().map(|d| &d[..3]).collect()
                } else {
                    LONG_DAYS.to_vec()
                };
                lookup_name(&names, v).ok_or(Bad::Syntax)?;
            }
            Std::Day | Std::UnderDay | Std::ZeroDay => {
                if std == Std::UnderDay {
                    *v = v.strip_prefix(' ').unwrap_or(v);
                }
                self.day = getnum(v, std == Std::ZeroDay)?;
            }
            Std::UnderYearDay | Std::ZeroYearDay => {
                if std == Std::UnderYearDay {
                    for _ in 0..2 {
                        *v = v.strip_prefix(' ').unwrap_or(v);
                    }
                }
                self.yday = getnum3(v, std == Std::ZeroYearDay)?;
            }
            Std::Hour => {
                self.hour = getnum(v, false)?;
                if self.hour >= 24 {
                    return Err(Bad::Range("hour"));
                }
            }
            Std::Hour12 | Std::ZeroHour12 => {
                self.hour = getnum(v, std == Std::ZeroHour12)?;
                if self.hour > 12 {
                    return Err(Bad::Range("hour"));
                }
            }
            Std::Minute | Std::ZeroMinute => {
                self.min = getnum(v, std == Std::ZeroMinute)?;
                if self.min >= 60 {
                    return Err(Bad::Range("minute"));
                }
            }
            Std::Second | Std::ZeroSecond => {
                self.sec = getnum(v, std == Std::ZeroSecond)?;
                if self.sec >= 60 {
                    return Err(Bad::Range("second"));
                }
                self.implicit_fraction(v, layout_rest)?;
            }
            Std::Pm | Std::LowerPm => {
                let p = v.get(..2).ok_or(Bad::Syntax)?;
                let (am, pm) = if std == Std::Pm {
                    ("AM", "PM")
                } else {
                    ("am", "pm")
                };
                match p {
                    _ if p == pm => self.pm = true,
                    _ if p == am => self.am = true,
                    _ => return Err(Bad::Syntax),
                }
                *v = &v[2..];
            }
            Std::Offset {
                z,
                colon,
                secs,
                short,
            } => {
                if z && v.starts_with('Z') {
                    *v = &v[1..];
                    self.utc = true;
                } else {
                    self.offset = Some(parse_offset(v, colon, secs, short)?);
                }
            }
            Std::Tz => {
                if v.starts_with("UTC") {
                    self.utc = true;
                    *v = &v[3..];
                } else {
                    let n = zone_abbrev_len(v).ok_or(Bad::Syntax)?;
                    self.zone_name = &v[..n];
                    *v = &v[n..];
                }
            }
            Std::Frac { digits, trim, .. } => {
                if trim {
                    let b = v.as_bytes();
                    if b.len() < 2 || !matches!(b[0], b'.' | b',') || !b[1].is_ascii_digit() {
                        return Ok(());
                    }
                    let n = 1 + b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                    self.nsec = parse_nanos(&v[..n])?;
                    *v = &v[n..];
                } else {
                    let n = 1 + digits;
                    let part = v.get(..n).ok_or(Bad::Syntax)?;
                    self.nsec = parse_nanos(part)?;
                    *v = &v[n..];
                }
            }
        }
        Ok(())
    }

    /// A fraction after the seconds that the layout does not mention is accepted anyway.
    fn implicit_fraction(&mut self, v: &mut &'s str, layout_rest: &str) -> Result<(), Bad> {
        let b = v.as_bytes();
        if b.len() < 2 || !matches!(b[0], b'.' | b',') || !b[1].is_ascii_digit() {
            return Ok(());
        }
        if let Some((0, Std::Frac { .. }, _)) = next_std_chunk(layout_rest) {
            return Ok(());
        }
        let n = 1 + b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        self.nsec = parse_nanos(&v[..n])?;
        *v = &v[n..];
        Ok(())
    }

    fn build(mut self, zone: &Zone, rest: &str) -> Result<GoTime, String> {
        if self.pm && self.hour < 12 {
            self.hour += 12;
        } else if self.am && self.hour == 12 {
            self.hour = 0;
        }
        if self.yday >= 0 {
            self.apply_year_day(rest)?;
        } else {
            if self.month < 0 {
                self.month = 1;
            }
            if self.day < 0 {
                self.day = 1;
            }
        }
        if self.day < 1 || self.day > days_in_month(self.year, self.month) {
            return Err(self.error("", rest, ": day out of range"));
        }
        let clock = Clock {
            hour: self.hour,
            min: self.min,
            sec: self.sec,
            nsec: self.nsec,
        };
        let (year, month, day) = (self.year, self.month, self.day);
        if self.utc {
            return Ok(date(year, month, day, clock, &Zone::Utc));
        }
        if let Some(offset) = self.offset {
            let mut t = date(year, month, day, clock, &Zone::Utc);
            t.secs -= offset;
            // Prefer the location when it has that offset (and name) at that instant.
            let (name, local_off) = zone.lookup(t.secs);
            if i64::from(local_off) == offset
                && (self.zone_name.is_empty() || name == self.zone_name)
            {
                return Ok(t.in_zone(zone.clone()));
            }
            let fixed = Zone::Fixed {
                name: Arc::from(self.zone_name),
                offset: offset as i32,
            };
            return Ok(t.in_zone(fixed));
        }
        if !self.zone_name.is_empty() {
            let mut t = date(year, month, day, clock, &Zone::Utc);
            if let Some(off) = zone.lookup_name(self.zone_name, t.secs) {
                t.secs -= i64::from(off);
                return Ok(t.in_zone(zone.clone()));
            }
            let offset = self
                .zone_name
                .strip_prefix("GMT")
                .filter(|s| !s.is_empty())
                .and_then(atoi)
                .map_or(0, |h| h * 3600);
            let fixed = Zone::Fixed {
                name: Arc::from(self.zone_name),
                offset: offset as i32,
            };
            return Ok(t.in_zone(fixed));
        }
        Ok(date(year, month, day, clock, zone))
    }

    /// Turns a day of the year into a month and day, checking it against any seen.
    fn apply_year_day(&mut self, rest: &str) -> Result<(), String> {
        let mut yday = self.yday;
        let mut feb29 = false;
        if is_leap(self.year) {
            if yday == 31 + 29 {
                feb29 = true;
            } else if yday > 31 + 29 {
                yday -= 1;
            }
        }
        if !(1..=365).contains(&yday) {
            return Err(self.error("", rest, ": day-of-year out of range"));
        }
        let (m, d) = if feb29 {
            (2, 29)
        } else {
            // Month and day in a non-leap year.
            let (_, m, d) = civil_from_days(days_from_civil(2001, 1, 1) + yday - 1);
            (m, d)
        };
        if self.month >= 0 && self.month != m {
            return Err(self.error("", rest, ": day-of-year does not match month"));
        }
        if self.day >= 0 && self.day != d {
            return Err(self.error("", rest, ": day-of-year does not match day"));
        }
        self.month = m;
        self.day = d;
        Ok(())
    }
}

/// Removes `prefix` from `value`, a run of spaces in the prefix matching any run of spaces.
fn skip<'v>(mut value: &'v str, prefix: &str) -> Option<&'v str> {
    let mut prefix = prefix.as_bytes();
    while let Some(&c) = prefix.first() {
        if c == b' ' {
            if !value.is_empty() && !value.starts_with(' ') {
                return None;
            }
            prefix = &prefix[prefix.iter().take_while(|&&x| x == b' ').count()..];
            value = value.trim_start_matches(' ');
            continue;
        }
        if value.as_bytes().first() != Some(&c) {
            return None;
        }
        prefix = &prefix[1..];
        value = value.get(1..)?;
    }
    Some(value)
}

/// One or two digits (exactly two when `fixed`).
fn getnum(v: &mut &str, fixed: bool) -> Result<i64, Bad> {
    let b = v.as_bytes();
    let d = |i: usize| {
        b.get(i)
            .filter(|c| c.is_ascii_digit())
            .map(|c| i64::from(c - b'0'))
    };
    let first = d(0).ok_or(Bad::Syntax)?;
    match d(1) {
        Some(second) => {
            *v = &v[2..];
            Ok(first * 10 + second)
        }
        None if fixed => Err(Bad::Syntax),
        None => {
            *v = &v[1..];
            Ok(first)
        }
    }
}

/// One to three digits (exactly three when `fixed`).
fn getnum3(v: &mut &str, fixed: bool) -> Result<i64, Bad> {
    let n = v.bytes().take(3).take_while(u8::is_ascii_digit).count();
    if n == 0 || (fixed && n != 3) {
        return Err(Bad::Syntax);
    }
    let num = v[..n].parse().map_err(|_| Bad::Syntax)?;
    *v = &v[n..];
    Ok(num)
}

/// A signed decimal integer, nothing else.
fn atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Case-insensitive prefix match against a table of names; returns the index.
fn lookup_name(names: &[&str], v: &mut &str) -> Option<usize> {
    names.iter().position(|name| {
        let ok = v
            .get(..name.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(name));
        if ok {
            *v = &v[name.len()..];
        }
        ok
    })
}

/// `.123` (or `,123`) as nanoseconds; digits beyond nine are dropped.
fn parse_nanos(s: &str) -> Result<i64, Bad> {
    if !s.starts_with(['.', ',']) {
        return Err(Bad::Syntax);
    }
    let digits = s.get(1..s.len().min(10)).ok_or(Bad::Syntax)?;
    let mut ns = atoi(digits).ok_or(Bad::Syntax)?;
    if ns < 0 {
        return Err(Bad::Range("fractional second"));
    }
    for _ in digits.len()..9 {
        ns *= 10;
    }
    Ok(ns)
}

/// A numeric zone offset in seconds east of UTC.
fn parse_offset(v: &mut &str, colon: bool, secs: bool, short: bool) -> Result<i64, Bad> {
    let b = v.as_bytes();
    let (len, hh, mm, ss): (usize, &[u8], &[u8], &[u8]) = match (colon, secs, short) {
        (_, _, true) if b.len() >= 3 => (3, &b[1..3], b"00", b"00"),
        (true, false, _) if b.len() >= 6 && b[3] == b':' => (6, &b[1..3], &b[4..6], b"00"),
        (true, true, _) if b.len() >= 9 && b[3] == b':' && b[6] == b':' => {
            (9, &b[1..3], &b[4..6], &b[7..9])
        }
        (false, true, _) if b.len() >= 7 => (7, &b[1..3], &b[3..5], &b[5..7]),
        (false, false, false) if b.len() >= 5 => (5, &b[1..3], &b[3..5], b"00"),
        _ => return Err(Bad::Syntax),
    };
    let two = |d: &[u8]| -> Result<i64, Bad> {
        if d.iter().all(u8::is_ascii_digit) {
            Ok(i64::from(d[0] - b'0') * 10 + i64::from(d[1] - b'0'))
        } else {
            Err(Bad::Syntax)
        }
    };
    let (h, m, s) = (two(hh)?, two(mm)?, two(ss)?);
    let sign = match b[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return Err(Bad::Syntax),
    };
    if h > 24 {
        return Err(Bad::Range("time zone offset hour"));
    }
    if m > 60 {
        return Err(Bad::Range("time zone offset minute"));
    }
    if s > 60 {
        return Err(Bad::Range("time zone offset second"));
    }
    *v = &v[len..];
    Ok(sign * ((h * 60 + m) * 60 + s))
}

/// The length of a zone abbreviation at the start of `v`, by Go's heuristics: three upper-case
/// letters, four or five ending in `T`, `ChST`/`MeST`, `WITA`, `GMT` with an optional hour
/// offset, or a signed hour offset.
fn zone_abbrev_len(v: &str) -> Option<usize> {
    if v.len() < 3 {
        return None;
    }
    if v.starts_with("ChST") || v.starts_with("MeST") {
        return Some(4);
    }
    if let Some(rest) = v.strip_prefix("GMT") {
        return Some(
            3 + if rest.is_empty() {
                0
            } else {
                signed_hours_len(rest)
            },
        );
    }
    if v.starts_with(['+', '-']) {
        return Some(signed_hours_len(v)).filter(|&n| n > 0);
    }
    let b = v.as_bytes();
    let upper = b
        .iter()
        .take(6)
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    match upper {
        3 => Some(3),
        4 if b[3] == b'T' || v.starts_with("WITA") => Some(4),
        5 if b[4] == b'T' => Some(5),
        _ => None,
    }
}

/// `+h` or `-hh` (hours up to 23); 0 when there is none.
fn signed_hours_len(v: &str) -> usize {
    if !v.starts_with(['+', '-']) {
        return 0;
    }
    let n = v[1..].bytes().take_while(u8::is_ascii_digit).count();
    match v[1..1 + n].parse::<u64>() {
        Ok(h) if n > 0 && h <= 23 => 1 + n,
        _ => 0,
    }
}

/// Go's `time` package quoting in error messages: non-ASCII and control bytes as `\x..`.
fn time_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c.is_ascii() && c >= ' ' {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
        }
    }
    out.push('"');
    out
}
