//! The methods templates can call on values: on a `time.Time` (`Unix`, `Format`, `Year`,
//! `Add`, `Before`...), on a `time.Duration` (`String`, `Seconds`, `Round`...) and the
//! `String` of months and weekdays.

use super::{fixed, int_arg as int, str_arg as s, time_arg as time, Func, Ty};
use crate::gotmpl::time::zone::{local, Zone};
use crate::gotmpl::value::Value;

/// The method `name` of a value (times, and the names of months and weekdays).
pub(crate) fn method(recv: &Value, name: &str) -> Option<Func> {
    use Ty::*;
    let m = match (recv, name) {
        (Value::Slice(t, _) | Value::StrMap(t, _), _) => return (t.methods)(name),
        (Value::Month(_) | Value::Weekday(_), "String") => fixed(&[], |_, a| {
            Ok(Value::str(a[0].stringer().unwrap_or_default().into_owned()))
        }),
        (Value::Duration(_), _) => return duration_method(name),
        (Value::Time(_), _) => match name {
            "Unix" => fixed(&[], |_, a| Ok(Value::Int64(time(&a[0]).secs))),
            "UnixMilli" => fixed(&[], |_, a| Ok(Value::Int64(time(&a[0]).unix_milli()))),
            "UnixMicro" => fixed(&[], |_, a| Ok(Value::Int64(time(&a[0]).unix_micro()))),
            "UnixNano" => fixed(&[], |_, a| Ok(Value::Int64(time(&a[0]).unix_nano()))),
            "Format" => fixed(&[Str], |_, a| Ok(Value::str(time(&a[0]).format(s(&a[1]))))),
            "String" => fixed(&[], |_, a| Ok(Value::str(time(&a[0]).to_go_string()))),
            "Year" => fixed(&[], |_, a| Ok(Value::Int(time(&a[0]).year()))),
            "Month" => fixed(&[], |_, a| Ok(Value::Month(time(&a[0]).month()))),
            "Day" => fixed(&[], |_, a| Ok(Value::Int(time(&a[0]).day()))),
            "YearDay" => fixed(&[], |_, a| Ok(Value::Int(time(&a[0]).year_day()))),
            "Weekday" => fixed(&[], |_, a| Ok(Value::Weekday(time(&a[0]).weekday()))),
            "Hour" => fixed(&[], |_, a| Ok(Value::Int(time(&a[0]).hour()))),
            "Minute" => fixed(&[], |_, a| Ok(Value::Int(time(&a[0]).minute()))),
            "Second" => fixed(&[], |_, a| Ok(Value::Int(time(&a[0]).second()))),
            "Nanosecond" => fixed(&[], |_, a| Ok(Value::Int(i64::from(time(&a[0]).nanos)))),
            "UTC" => fixed(&[], |_, a| Ok(Value::Time(time(&a[0]).in_zone(Zone::Utc)))),
            "Local" => fixed(&[], |_, a| Ok(Value::Time(time(&a[0]).in_zone(local())))),
            "IsZero" => fixed(&[], |_, a| Ok(Value::Bool(time(&a[0]).is_zero()))),
            "Add" => fixed(&[Duration], |_, a| {
                let d = a[1].as_int().unwrap_or(0);
                Ok(Value::Time(time(&a[0]).add_nanos(d)))
            }),
            "AddDate" => fixed(&[Int, Int, Int], |_, a| {
                let t = time(&a[0]).add_date(int(&a[1]), int(&a[2]), int(&a[3]));
                Ok(Value::Time(t))
            }),
            "Before" | "After" | "Equal" => return Some(compare_times(name)),
            _ => return None,
        },
        _ => return None,
    };
    Some(m)
}

/// A time as a comparable instant (Go's `Before`/`After`/`Equal` ignore the location).
fn instant(v: &Value) -> (i64, u32) {
    let t = time(v);
    (t.secs, t.nanos)
}

fn compare_times(name: &str) -> Func {
    match name {
        "Before" => fixed(&[Ty::Time], |_, a| {
            Ok(Value::Bool(instant(&a[0]) < instant(&a[1])))
        }),
        "After" => fixed(&[Ty::Time], |_, a| {
            Ok(Value::Bool(instant(&a[0]) > instant(&a[1])))
        }),
        _ => fixed(&[Ty::Time], |_, a| {
            Ok(Value::Bool(instant(&a[0]) == instant(&a[1])))
        }),
    }
}

/// A duration argument or receiver, in nanoseconds.
fn nanos(v: &Value) -> i64 {
    v.as_int().unwrap_or(0)
}

/// The method `name` of a `time.Duration`.
fn duration_method(name: &str) -> Option<Func> {
    use Ty::*;
    Some(match name {
        "String" => fixed(&[], |_, a| {
            Ok(Value::str(a[0].stringer().unwrap_or_default().into_owned()))
        }),
        "Nanoseconds" => fixed(&[], |_, a| Ok(Value::Int64(nanos(&a[0])))),
        "Microseconds" => fixed(&[], |_, a| Ok(Value::Int64(nanos(&a[0]) / 1_000))),
        "Milliseconds" => fixed(&[], |_, a| Ok(Value::Int64(nanos(&a[0]) / 1_000_000))),
        "Seconds" => fixed(&[], |_, a| Ok(per_unit(&a[0], 1_000_000_000))),
        "Minutes" => fixed(&[], |_, a| Ok(per_unit(&a[0], 60_000_000_000))),
        "Hours" => fixed(&[], |_, a| Ok(per_unit(&a[0], 3_600_000_000_000))),
        "Abs" => fixed(&[], |_, a| {
            let n = nanos(&a[0]);
            Ok(Value::Duration(if n == i64::MIN {
                i64::MAX
            } else {
                n.abs()
            }))
        }),
        "Truncate" => fixed(&[Duration], |_, a| {
            let (d, m) = (nanos(&a[0]), nanos(&a[1]));
            Ok(Value::Duration(if m <= 0 { d } else { d - d % m }))
        }),
        "Round" => fixed(&[Duration], |_, a| {
            Ok(Value::Duration(round(nanos(&a[0]), nanos(&a[1]))))
        }),
        _ => return None,
    })
}

/// A duration in whole and fractional units of `unit_ns` nanoseconds (Go's `Seconds`,
/// `Minutes`, `Hours` split them so that large durations keep their precision).
fn per_unit(d: &Value, unit_ns: i64) -> Value<'static> {
    let n = nanos(d);
    Value::Float((n / unit_ns) as f64 + (n % unit_ns) as f64 / unit_ns as f64)
}

/// Go's `Duration.Round`: to the nearest multiple of `m`, halves away from zero, saturating
/// (Go's arithmetic wraps and then checks, as here).
fn round(d: i64, m: i64) -> i64 {
    if m <= 0 {
        return d;
    }
    let r = d % m;
    let less_than_half = |x: i64| (x as u64).wrapping_add(x as u64) < m as u64;
    if d < 0 {
        let r = -r;
        if less_than_half(r) {
            return d + r;
        }
        let d1 = d.wrapping_sub(m).wrapping_add(r);
        return if d1 < d { d1 } else { i64::MIN };
    }
    if less_than_half(r) {
        return d - r;
    }
    let d1 = d.wrapping_add(m).wrapping_sub(r);
    if d1 > d {
        d1
    } else {
        i64::MAX
    }
}
