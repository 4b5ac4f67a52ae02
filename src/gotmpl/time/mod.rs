//! Go's `time.Time` for templates: an instant with a location and the calendar arithmetic
//! behind it. Go's layouts (the reference time `Mon Jan 2 15:04:05 MST 2006`) are in
//! `layout.rs` (`Format`) and `parse.rs` (`Parse`), locations in `zone.rs`. Functions such as
//! `toDate`, `now` or LogQL's `__timestamp__` make these values; `date`, `unixEpoch` and the
//! methods `.Format`, `.Unix`... read them.

mod layout;
mod parse;
pub mod zone;

use layout::{format_std, next_std_chunk};
pub(crate) use parse::parse_in_location;
use zone::{local, Zone};

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
