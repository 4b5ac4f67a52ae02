//! Go's `time.Time` for templates: an instant with a location, the calendar arithmetic behind
//! it, and Go's layouts (the reference time `Mon Jan 2 15:04:05 MST 2006`) for `Format` and
//! `Parse`. `__timestamp__`, `toDate`, `toDateInZone`, `unixToTime` and `now` make these
//! values; `date`, `unixEpoch` and the methods `.Format`, `.Unix`... read them.

use super::zone::{days_in_month, is_leap, local, Zone};
use std::sync::Arc;

const NANOS_PER_SEC: i64 = 1_000_000_000;
const SECS_PER_DAY: i64 = 86_400;

/// Unix seconds of Go's zero time, January 1, year 1, 00:00:00 UTC.
const ZERO_TIME_SECS: i64 = -62_135_596_800;

pub(crate) const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub(crate) const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// An instant (`secs` since the Unix epoch plus `nanos`) and the location it displays in.
#[derive(Clone, Debug)]
pub struct GoTime {
    pub secs: i64,
    pub nanos: u32,
    pub(crate) zone: Zone,
}

/// A wall clock reading: what a layout prints.
struct Wall {
    year: i64,
    month: i64,
    day: i64,
    yday: i64,
    weekday: i64,
    hour: i64,
    min: i64,
    sec: i64,
}

impl GoTime {
    /// Go's `time.Unix(0, ns)`, in the local zone.
    pub(crate) fn from_unix_nanos(ns: i64) -> GoTime {
        GoTime {
            secs: ns.div_euclid(NANOS_PER_SEC),
            nanos: ns.rem_euclid(NANOS_PER_SEC) as u32,
            zone: local(),
        }
    }

    /// Go's `time.Unix(secs, 0)`, in the local zone.
    pub(crate) fn from_unix_secs(secs: i64) -> GoTime {
        GoTime {
            secs,
            nanos: 0,
            zone: local(),
        }
    }

    /// Go's `time.Now()`.
    pub(crate) fn now() -> GoTime {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        GoTime {
            secs: d.as_secs() as i64,
            nanos: d.subsec_nanos(),
            zone: local(),
        }
    }

    /// Go's zero `time.Time{}`, what failed parses return.
    pub(crate) fn zero() -> GoTime {
        GoTime {
            secs: ZERO_TIME_SECS,
            nanos: 0,
            zone: Zone::Utc,
        }
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.secs == ZERO_TIME_SECS && self.nanos == 0
    }

    pub(crate) fn in_zone(&self, zone: Zone) -> GoTime {
        GoTime {
            zone,
            ..self.clone()
        }
    }

    pub(crate) fn unix_milli(&self) -> i64 {
        self.secs
            .wrapping_mul(1000)
            .wrapping_add(i64::from(self.nanos) / 1_000_000)
    }

    pub(crate) fn unix_micro(&self) -> i64 {
        self.secs
            .wrapping_mul(1_000_000)
            .wrapping_add(i64::from(self.nanos) / 1000)
    }

    pub(crate) fn unix_nano(&self) -> i64 {
        self.secs
            .wrapping_mul(NANOS_PER_SEC)
            .wrapping_add(i64::from(self.nanos))
    }

    /// The same instant and location; Go's `==` also compares locations.
    pub(crate) fn identical(&self, other: &GoTime) -> bool {
        self.secs == other.secs && self.nanos == other.nanos && self.zone.same(&other.zone)
    }

    /// Seconds since the epoch of the wall clock (UTC seconds plus the zone offset).
    fn local_secs(&self) -> i64 {
        self.secs + i64::from(self.zone.lookup(self.secs).1)
    }

    fn wall(&self) -> Wall {
        let local = self.local_secs();
        let days = local.div_euclid(SECS_PER_DAY);
        let clock = local.rem_euclid(SECS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        Wall {
            year,
            month,
            day,
            yday: days - days_from_civil(year, 1, 1) + 1,
            weekday: weekday_of_days(days),
            hour: clock / 3600,
            min: clock / 60 % 60,
            sec: clock % 60,
        }
    }

    pub(crate) fn year(&self) -> i64 {
        self.wall().year
    }
    pub(crate) fn month(&self) -> i64 {
        self.wall().month
    }
    pub(crate) fn day(&self) -> i64 {
        self.wall().day
    }
    pub(crate) fn year_day(&self) -> i64 {
        self.wall().yday
    }
    pub(crate) fn weekday(&self) -> i64 {
        self.wall().weekday
    }
    pub(crate) fn hour(&self) -> i64 {
        self.wall().hour
    }
    pub(crate) fn minute(&self) -> i64 {
        self.wall().min
    }
    pub(crate) fn second(&self) -> i64 {
        self.wall().sec
    }

    /// Go's `t.Add(d)`.
    pub(crate) fn add_nanos(&self, d: i64) -> GoTime {
        let total = i128::from(self.secs) * i128::from(NANOS_PER_SEC)
            + i128::from(self.nanos)
            + i128::from(d);
        let n = i128::from(NANOS_PER_SEC);
        GoTime {
            secs: total.div_euclid(n) as i64,
            nanos: total.rem_euclid(n) as u32,
            zone: self.zone.clone(),
        }
    }

    /// Go's `t.AddDate(years, months, days)`: the wall clock moved, then normalised.
    pub(crate) fn add_date(&self, years: i64, months: i64, days: i64) -> GoTime {
        let w = self.wall();
        let clock = Clock {
            hour: w.hour,
            min: w.min,
            sec: w.sec,
            nsec: i64::from(self.nanos),
        };
        date(
            w.year + years,
            w.month + months,
            w.day + days,
            clock,
            &self.zone,
        )
    }

    /// Go's `Time.String()` (without the monotonic clock reading Go appends to `now`).
    pub(crate) fn to_go_string(&self) -> String {
        self.format("2006-01-02 15:04:05.999999999 -0700 MST")
    }

    /// Go's `Time.Format(layout)`.
    pub(crate) fn format(&self, layout: &str) -> String {
        let (name, offset) = self.zone.lookup(self.secs);
        let w = self.wall();
        let mut b = String::with_capacity(layout.len() + 10);
        let mut rest = layout;
        while let Some((start, std, end)) = next_std_chunk(rest) {
            b.push_str(&rest[..start]);
            rest = &rest[end..];
            format_std(&mut b, std, &w, self.nanos, name, offset);
        }
        b.push_str(rest);
        b
    }
}

/// A time of day that may overflow into the next days (Go's `time.Date` normalises it).
pub(crate) struct Clock {
    pub hour: i64,
    pub min: i64,
    pub sec: i64,
    pub nsec: i64,
}

/// Go's `time.Date`: out-of-range fields are normalised, then the wall clock is placed in
/// `zone` (the offset in effect at that wall time, as Go picks it around transitions).
pub(crate) fn date(year: i64, month: i64, day: i64, clock: Clock, zone: &Zone) -> GoTime {
    let m = month - 1;
    let year = year + m.div_euclid(12);
    let month = m.rem_euclid(12) + 1;
    let days = days_from_civil(year, month, 1) + day - 1;
    let nsec_carry = clock.nsec.div_euclid(NANOS_PER_SEC);
    let nanos = clock.nsec.rem_euclid(NANOS_PER_SEC) as u32;
    let wall = days * SECS_PER_DAY + clock.hour * 3600 + clock.min * 60 + clock.sec + nsec_carry;
    let (_, guess) = zone.lookup(wall);
    let mut secs = wall - i64::from(guess);
    let (_, actual) = zone.lookup(secs);
    if actual != guess {
        secs = wall - i64::from(actual);
    }
    GoTime {
        secs,
        nanos,
        zone: zone.clone(),
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1 to 12).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month 1 to 12, day 1 to 31) of a count of days since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// 0 for Sunday.
pub(crate) fn weekday_of_days(days: i64) -> i64 {
    (days + 4).rem_euclid(7)
}

/// A layout element (Go's `std*` constants).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    Pm,
    LowerPm,
    Tz,
    /// A numeric offset: `z` prints `Z` for UTC, `colon` separates, `secs` adds seconds,
    /// `short` prints hours only.
    Offset {
        z: bool,
        colon: bool,
        secs: bool,
        short: bool,
    },
    /// `.000` (`trim` false) or `.999` (`trim` true) with `digits` digits and separator `sep`.
    Frac {
        digits: usize,
        trim: bool,
        sep: u8,
    },
}

/// The first layout element in `layout`: (start, element, end) as byte offsets.
fn next_std_chunk(layout: &str) -> Option<(usize, Std, usize)> {
    let b = layout.as_bytes();
    let at = |i: usize, s: &str| layout[i..].starts_with(s);
    let lower_after = |i: usize| b.get(i).is_some_and(u8::is_ascii_lowercase);
    const OFFSETS: [(&str, Std); 10] = [
        ("Z070000", off(true, false, true, false)),
        ("Z07:00:00", off(true, true, true, false)),
        ("Z0700", off(true, false, false, false)),
        ("Z07:00", off(true, true, false, false)),
        ("Z07", off(true, false, false, true)),
        ("-070000", off(false, false, true, false)),
        ("-07:00:00", off(false, true, true, false)),
        ("-0700", off(false, false, false, false)),
        ("-07:00", off(false, true, false, false)),
        ("-07", off(false, false, false, true)),
    ];
    for i in 0..b.len() {
        let found = match b[i] {
            b'J' if at(i, "January") => Some((Std::LongMonth, 7)),
            b'J' if at(i, "Jan") && !lower_after(i + 3) => Some((Std::Month, 3)),
            b'M' if at(i, "Monday") => Some((Std::LongWeekDay, 6)),
            b'M' if at(i, "Mon") && !lower_after(i + 3) => Some((Std::WeekDay, 3)),
            b'M' if at(i, "MST") => Some((Std::Tz, 3)),
            b'0' if matches!(b.get(i + 1), Some(b'1'..=b'6')) => {
                let std = [
                    Std::ZeroMonth,
                    Std::ZeroDay,
                    Std::ZeroHour12,
                    Std::ZeroMinute,
                    Std::ZeroSecond,
                    Std::Year,
                ][usize::from(b[i + 1] - b'1')];
                Some((std, 2))
            }
            b'0' if at(i, "002") => Some((Std::ZeroYearDay, 3)),
            b'1' if at(i, "15") => Some((Std::Hour, 2)),
            b'1' => Some((Std::NumMonth, 1)),
            b'2' if at(i, "2006") => Some((Std::LongYear, 4)),
            b'2' => Some((Std::Day, 1)),
            // `_2006` is a literal underscore and a year.
            b'_' if at(i, "_2006") => return Some((i + 1, Std::LongYear, i + 5)),
            b'_' if at(i, "_2") => Some((Std::UnderDay, 2)),
            b'_' if at(i, "__2") => Some((Std::UnderYearDay, 3)),
            b'3' => Some((Std::Hour12, 1)),
            b'4' => Some((Std::Minute, 1)),
            b'5' => Some((Std::Second, 1)),
            b'P' if at(i, "PM") => Some((Std::Pm, 2)),
            b'p' if at(i, "pm") => Some((Std::LowerPm, 2)),
            b'-' | b'Z' => OFFSETS
                .iter()
                .find(|(s, _)| at(i, s))
                .map(|&(s, std)| (std, s.len())),
            c @ (b'.' | b',') if matches!(b.get(i + 1), Some(b'0' | b'9')) => {
                let digit = b[i + 1];
                let run = b[i + 1..].iter().take_while(|&&x| x == digit).count();
                let after = i + 1 + run;
                // Only a run of digits that ends the number is a fraction.
                if b.get(after).is_some_and(u8::is_ascii_digit) {
                    None
                } else {
                    let std = Std::Frac {
                        digits: run,
                        trim: digit == b'9',
                        sep: c,
                    };
                    Some((std, 1 + run))
                }
            }
            _ => None,
        };
        if let Some((std, len)) = found {
            return Some((i, std, i + len));
        }
    }
    None
}

const fn off(z: bool, colon: bool, secs: bool, short: bool) -> Std {
    Std::Offset {
        z,
        colon,
        secs,
        short,
    }
}

/// Appends `n` zero-padded to `width` digits (a sign first when negative).
fn push_int(b: &mut String, n: i64, width: usize) {
    if n < 0 {
        b.push('-');
    }
    let digits = n.unsigned_abs().to_string();
    for _ in digits.len()..width {
        b.push('0');
    }
    b.push_str(&digits);
}

fn format_std(b: &mut String, std: Std, w: &Wall, nanos: u32, name: &str, offset: i32) {
    match std {
        Std::Year => push_int(b, w.year.abs() % 100, 2),
        Std::LongYear => push_int(b, w.year, 4),
        Std::Month => b.push_str(&LONG_MONTHS[(w.month - 1) as usize][..3]),
        Std::LongMonth => b.push_str(LONG_MONTHS[(w.month - 1) as usize]),
        Std::NumMonth => push_int(b, w.month, 0),
        Std::ZeroMonth => push_int(b, w.month, 2),
        Std::WeekDay => b.push_str(&LONG_DAYS[w.weekday as usize][..3]),
        Std::LongWeekDay => b.push_str(LONG_DAYS[w.weekday as usize]),
        Std::Day => push_int(b, w.day, 0),
        Std::UnderDay => {
            if w.day < 10 {
                b.push(' ');
            }
            push_int(b, w.day, 0);
        }
        Std::ZeroDay => push_int(b, w.day, 2),
        Std::UnderYearDay => {
            let pad = if w.yday < 10 {
                2
            } else {
                usize::from(w.yday < 100)
            };
            b.push_str(&"  "[..pad]);
            push_int(b, w.yday, 0);
        }
        Std::ZeroYearDay => push_int(b, w.yday, 3),
        Std::Hour => push_int(b, w.hour, 2),
        Std::Hour12 | Std::ZeroHour12 => {
            let hr = if w.hour % 12 == 0 { 12 } else { w.hour % 12 };
            push_int(b, hr, if std == Std::Hour12 { 0 } else { 2 });
        }
        Std::Minute => push_int(b, w.min, 0),
        Std::ZeroMinute => push_int(b, w.min, 2),
        Std::Second => push_int(b, w.sec, 0),
        Std::ZeroSecond => push_int(b, w.sec, 2),
        Std::Pm => b.push_str(if w.hour >= 12 { "PM" } else { "AM" }),
        Std::LowerPm => b.push_str(if w.hour >= 12 { "pm" } else { "am" }),
        Std::Offset {
            z,
            colon,
            secs,
            short,
        } => format_offset(b, offset, z, colon, secs, short),
        Std::Tz if !name.is_empty() => b.push_str(name),
        // No abbreviation known: Go prints the offset as -0700.
        Std::Tz => format_offset(b, offset, false, false, false, false),
        Std::Frac { digits, trim, sep } => format_frac(b, nanos, digits, trim, sep),
    }
}

fn format_offset(b: &mut String, offset: i32, z: bool, colon: bool, secs: bool, short: bool) {
    if z && offset == 0 {
        b.push('Z');
        return;
    }
    b.push(if offset < 0 { '-' } else { '+' });
    let abs = i64::from(offset.unsigned_abs());
    push_int(b, abs / 3600, 2);
    if colon {
        b.push(':');
    }
    if !short {
        push_int(b, abs / 60 % 60, 2);
    }
    if secs {
        if colon {
            b.push(':');
        }
        push_int(b, abs % 60, 2);
    }
}

fn format_frac(b: &mut String, nanos: u32, digits: usize, trim: bool, sep: u8) {
    if trim && (digits == 0 || nanos == 0) {
        return;
    }
    let all = format!("{nanos:09}");
    let mut frac = &all[..digits.min(9)];
    if trim {
        frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            return;
        }
    }
    b.push(char::from(sep));
    b.push_str(frac);
}

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
