//! Go's layouts for `Time.Format`: the elements of the reference time `Mon Jan 2 15:04:05
//! MST 2006` a layout is cut into, and how each prints. Parsing with the same elements is in
//! `parse.rs`.

use super::{Wall, LONG_DAYS, LONG_MONTHS};

/// A layout element (Go's `std*` constants).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Std {
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
pub(super) fn next_std_chunk(layout: &str) -> Option<(usize, Std, usize)> {
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

pub(super) fn format_std(b: &mut String, std: Std, w: &Wall, nanos: u32, name: &str, offset: i32) {
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
