//! sprig's math for templates: the `cast` conversions its functions apply to any argument
//! (`add "1" 2` is 3; text that is no number counts as 0), integer arithmetic in `int64`
//! (wrapping, a zero divisor is Go's runtime error), and the float functions `addf`, `subf`,
//! `mulf`, `divf`, which compute in exact decimal (shopspring/decimal, 16 digits after the
//! point for a quotient) so that `addf 0.1 0.2` is `0.3`.

use super::{fixed, float_arg as float, int_arg as int, variadic, Func, Ty, R};
use crate::gotmpl::strconv::{parse_float, parse_int};
use crate::gotmpl::value::Value;
use std::cmp::Ordering;

/// spf13/cast's `ToInt64` (and `ToInt`, the same on 64-bit): strings are read as Go integer
/// literals after dropping a zero fraction (`"12.00"`); anything unreadable is 0.
pub(crate) fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(n) | Value::Int64(n) | Value::Month(n) | Value::Weekday(n) => *n,
        Value::Byte(b) => i64::from(*b),
        Value::Float(f) => float_to_int(*f),
        Value::Str(s) => parse_int(trim_zero_decimal(s)).unwrap_or(0),
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

/// spf13/cast's `ToFloat64`: strings are read with Go's `ParseFloat`; anything else is 0.
pub(crate) fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(n) | Value::Int64(n) | Value::Month(n) | Value::Weekday(n) => *n as f64,
        Value::Byte(b) => f64::from(*b),
        Value::Float(f) => *f,
        Value::Str(s) => parse_float(s).unwrap_or(0.0),
        Value::Bool(b) => f64::from(u8::from(*b)),
        _ => 0.0,
    }
}

/// 2^63, the first float beyond `i64` (exactly representable).
pub(crate) const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// Go's `int64(f)` on amd64: truncation, and the minimum integer when out of range or NaN.
pub(crate) fn float_to_int(f: f64) -> i64 {
    if (-TWO_POW_63..TWO_POW_63).contains(&f) {
        f as i64
    } else {
        i64::MIN
    }
}

/// `12.00` to `12` (cast's `trimZeroDecimal`); `12.01` stays.
fn trim_zero_decimal(s: &str) -> &str {
    let mut found_zero = false;
    for (i, c) in s.bytes().enumerate().rev() {
        match c {
            b'.' if found_zero => return &s[..i],
            b'.' => return s,
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

const DIVIDE_BY_ZERO: &str = "runtime error: integer divide by zero";

pub(crate) fn add(args: &[Value]) -> i64 {
    args.iter().fold(0i64, |a, b| a.wrapping_add(to_int64(b)))
}

pub(crate) fn sub(a: &Value, b: &Value) -> i64 {
    to_int64(a).wrapping_sub(to_int64(b))
}

pub(crate) fn mul(args: &[Value]) -> i64 {
    let (first, rest) = args.split_first().expect("mul has a first argument");
    rest.iter()
        .fold(to_int64(first), |a, b| a.wrapping_mul(to_int64(b)))
}

pub(crate) fn div(a: &Value, b: &Value) -> Result<i64, String> {
    match to_int64(b) {
        0 => Err(DIVIDE_BY_ZERO.into()),
        d => Ok(to_int64(a).wrapping_div(d)),
    }
}

pub(crate) fn modulo(a: &Value, b: &Value) -> Result<i64, String> {
    match to_int64(b) {
        0 => Err(DIVIDE_BY_ZERO.into()),
        d => Ok(to_int64(a).wrapping_rem(d)),
    }
}

/// sprig's `max`/`min` (`int64`).
pub(crate) fn extreme(args: &[Value], want: Ordering) -> i64 {
    let (first, rest) = args.split_first().expect("max has a first argument");
    rest.iter().map(to_int64).fold(
        to_int64(first),
        |a, b| {
            if b.cmp(&a) == want {
                b
            } else {
                a
            }
        },
    )
}

/// Go's `math.Max`: +Inf wins, then NaN, and +0 beats -0.
pub(crate) fn go_max(x: f64, y: f64) -> f64 {
    if x == f64::INFINITY || y == f64::INFINITY {
        f64::INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && x == y {
        if x.is_sign_negative() {
            y
        } else {
            x
        }
    } else if x > y {
        x
    } else {
        y
    }
}

/// Go's `math.Min`: -Inf wins, then NaN, and -0 beats +0.
pub(crate) fn go_min(x: f64, y: f64) -> f64 {
    if x == f64::NEG_INFINITY || y == f64::NEG_INFINITY {
        f64::NEG_INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && x == y {
        if x.is_sign_negative() {
            x
        } else {
            y
        }
    } else if x < y {
        x
    } else {
        y
    }
}

/// sprig's `round a places [half]`: scale, then ceil when the fraction reaches `half` (0.5 by
/// default), else floor; negative numbers thus round towards minus infinity at .5.
pub(crate) fn round(a: &Value, places: i64, half: Option<f64>) -> f64 {
    let half = half.unwrap_or(0.5);
    let pow = 10f64.powi(places.clamp(-400, 400) as i32);
    let digit = pow * to_float64(a);
    let frac = digit.fract();
    let r = if frac >= half {
        digit.ceil()
    } else {
        digit.floor()
    };
    r / pow
}

/// A decimal operation of `addf`/`subf`/`mulf`/`divf`.
#[derive(Clone, Copy)]
pub(crate) enum DecOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// sprig's `execDecimalOp`: each argument read as the decimal its float prints as, combined
/// exactly left to right (quotients rounded to 16 places, half away from zero), then
/// converted back to the nearest float.
///
/// Exact decimals can grow without bound (a long `mulf` chain, or a quotient of numbers
/// hundreds of orders of magnitude apart); past [`MAX_DIGITS`] the rest is computed in
/// floats, which give the same float in all but contrived cases.
pub(crate) fn decimal_op(first: &Value, rest: &[Value], op: DecOp) -> Result<f64, String> {
    let mut acc = Decimal::from_f64(to_float64(first))?;
    let mut rest = rest.iter();
    while let Some(v) = rest.next() {
        let x = Decimal::from_f64(to_float64(v))?;
        let next = match op {
            DecOp::Add => acc.add(&x),
            DecOp::Sub => acc.add(&x.negate()),
            DecOp::Mul => acc.mul(&x),
            DecOp::Div => acc.div(&x)?,
        };
        match next {
            Some(d) => acc = d,
            None => {
                let mut f = float_op(acc.to_f64(), x.to_f64(), op);
                for v in rest {
                    // Still refuse what shopspring refuses.
                    Decimal::from_f64(to_float64(v))?;
                    f = float_op(f, to_float64(v), op);
                }
                return Ok(f);
            }
        }
    }
    Ok(acc.to_f64())
}

fn float_op(a: f64, b: f64, op: DecOp) -> f64 {
    match op {
        DecOp::Add => a + b,
        DecOp::Sub => a - b,
        DecOp::Mul => a * b,
        DecOp::Div => a / b,
    }
}

/// The most digits an exact decimal may take before the arithmetic falls back to floats.
const MAX_DIGITS: i64 = 2000;

/// Digits after the point shopspring/decimal keeps in a quotient.
const DIVISION_PRECISION: i64 = 16;

/// An exact decimal: ±mag × 10^exp, `mag` as little-endian decimal digits.
#[derive(Clone, Debug)]
struct Decimal {
    neg: bool,
    mag: Nat,
    exp: i64,
}

impl Decimal {
    /// The decimal a float prints as in its shortest form (shopspring's `NewFromFloat`).
    fn from_f64(x: f64) -> Result<Decimal, String> {
        if !x.is_finite() {
            let shown = crate::gotmpl::strconv::format_float(x, 'g', -1);
            return Err(format!("Cannot create a Decimal from {shown}"));
        }
        let text = format!("{:e}", x.abs());
        let (mant, e) = text.split_once('e').unwrap_or((&text, "0"));
        let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
        let e: i64 = e.parse().unwrap_or(0);
        Ok(Decimal {
            neg: x < 0.0,
            mag: Nat::from_digits(&digits),
            exp: e - (digits.len() as i64 - 1),
        })
    }

    fn negate(&self) -> Decimal {
        Decimal {
            neg: !self.neg,
            ..self.clone()
        }
    }

    /// Both magnitudes at the smaller exponent;
    /// `None` when that takes more than [`MAX_DIGITS`] digits.
    fn aligned(&self, other: &Decimal) -> Option<(Nat, Nat, i64)> {
        let exp = self.exp.min(other.exp);
        let (sa, sb) = (self.exp - exp, other.exp - exp);
        if sa.max(sb) > MAX_DIGITS {
            return None;
        }
        let a = self.mag.shifted(sa as usize);
        let b = other.mag.shifted(sb as usize);
        Some((a, b, exp))
    }

    fn add(&self, other: &Decimal) -> Option<Decimal> {
        let (a, b, exp) = self.aligned(other)?;
        let (neg, mag) = if self.neg == other.neg {
            (self.neg, a.add(&b))
        } else {
            match a.cmp(&b) {
                Ordering::Less => (other.neg, b.sub(&a)),
                _ => (self.neg, a.sub(&b)),
            }
        };
        Some(Decimal { neg, mag, exp })
    }

    fn mul(&self, other: &Decimal) -> Option<Decimal> {
        if (self.mag.0.len() + other.mag.0.len()) as i64 > MAX_DIGITS {
            return None;
        }
        Some(Decimal {
            neg: self.neg != other.neg,
            mag: self.mag.mul(&other.mag),
            exp: self.exp + other.exp,
        })
    }

    fn div(&self, other: &Decimal) -> Result<Option<Decimal>, String> {
        if other.mag.is_zero() {
            return Err("decimal division by zero".into());
        }
        // |self / other| × 10^16 as an integer quotient and remainder.
        let shift = self.exp - other.exp + DIVISION_PRECISION;
        if shift.abs() > MAX_DIGITS {
            return Ok(None);
        }
        let (num, den) = if shift >= 0 {
            (self.mag.shifted(shift as usize), other.mag.clone())
        } else {
            (self.mag.clone(), other.mag.shifted((-shift) as usize))
        };
        let (mut q, r) = num.divmod(&den);
        if r.add(&r).cmp(&den) != Ordering::Less {
            q = q.add(&Nat::from_digits("1"));
        }
        Ok(Some(Decimal {
            neg: self.neg != other.neg,
            mag: q,
            exp: -DIVISION_PRECISION,
        }))
    }

    /// The nearest float (big.Rat's `Float64`).
    fn to_f64(&self) -> f64 {
        if self.mag.is_zero() {
            return 0.0;
        }
        let text = format!(
            "{}{}e{}",
            if self.neg { "-" } else { "" },
            self.mag.to_digits(),
            self.exp
        );
        text.parse().unwrap_or(0.0)
    }
}

/// A natural number as little-endian decimal digits, without leading zeros (zero is empty).
#[derive(Clone, Debug, Default)]
struct Nat(Vec<u8>);

impl Nat {
    fn from_digits(s: &str) -> Nat {
        let mut n = Nat(s.bytes().rev().map(|c| c - b'0').collect());
        n.trim();
        n
    }

    fn to_digits(&self) -> String {
        if self.0.is_empty() {
            return "0".into();
        }
        self.0.iter().rev().map(|d| char::from(b'0' + d)).collect()
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    /// × 10^k.
    fn shifted(&self, k: usize) -> Nat {
        if self.is_zero() {
            return Nat::default();
        }
        let mut d = vec![0; k];
        d.extend_from_slice(&self.0);
        Nat(d)
    }

    fn cmp(&self, other: &Nat) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    fn add(&self, other: &Nat) -> Nat {
        let mut out = Vec::with_capacity(self.0.len().max(other.0.len()) + 1);
        let mut carry = 0;
        for i in 0..self.0.len().max(other.0.len()) {
            let s = self.0.get(i).unwrap_or(&0) + other.0.get(i).unwrap_or(&0) + carry;
            out.push(s % 10);
            carry = s / 10;
        }
        if carry > 0 {
            out.push(carry);
        }
        Nat(out)
    }

    /// self − other, for self ≥ other.
    fn sub(&self, other: &Nat) -> Nat {
        let mut out = Vec::with_capacity(self.0.len());
        let mut borrow = 0i8;
        for i in 0..self.0.len() {
            let mut d = self.0[i] as i8 - *other.0.get(i).unwrap_or(&0) as i8 - borrow;
            borrow = i8::from(d < 0);
            if d < 0 {
                d += 10;
            }
            out.push(d as u8);
        }
        let mut n = Nat(out);
        n.trim();
        n
    }

    fn mul(&self, other: &Nat) -> Nat {
        if self.is_zero() || other.is_zero() {
            return Nat::default();
        }
        let mut acc = vec![0u32; self.0.len() + other.0.len()];
        for (i, &a) in self.0.iter().enumerate() {
            for (j, &b) in other.0.iter().enumerate() {
                acc[i + j] += u32::from(a) * u32::from(b);
            }
            // Keep the accumulators small.
            let mut carry = 0;
            for slot in acc.iter_mut() {
                let v = *slot + carry;
                *slot = v % 10;
                carry = v / 10;
            }
        }
        let mut n = Nat(acc.into_iter().map(|d| d as u8).collect());
        n.trim();
        n
    }

    /// Long division: (quotient, remainder).
    fn divmod(&self, den: &Nat) -> (Nat, Nat) {
        let mut q = vec![0u8; self.0.len()];
        let mut r = Nat::default();
        for i in (0..self.0.len()).rev() {
            r = r.shifted(1);
            if r.0.is_empty() {
                r.0.push(self.0[i]);
            } else {
                r.0[0] = self.0[i];
            }
            r.trim();
            let mut digit = 0;
            while r.cmp(den) != Ordering::Less {
                r = r.sub(den);
                digit += 1;
            }
            q[i] = digit;
        }
        let mut q = Nat(q);
        q.trim();
        (q, r)
    }
}

/// sprig's math and conversions here.
pub(super) const NAMES: &[&str] = &[
    "int", "float64", "add", "sub", "mul", "div", "mod", "max", "min", "addf", "subf", "mulf",
    "divf", "maxf", "minf", "ceil", "floor", "round",
];

/// The math function named `name`.
pub(super) fn function(name: &str) -> Option<Func> {
    use Ty::*;
    Some(match name {
        "int" => fixed(&[Any], |_, a| Ok(Value::Int(to_int64(&a[0])))),
        "float64" => fixed(&[Any], |_, a| Ok(Value::Float(to_float64(&a[0])))),
        "add" => variadic(&[], Any, |_, a| Ok(Value::Int64(add(&a)))),
        "sub" => fixed(&[Any, Any], |_, a| Ok(Value::Int64(sub(&a[0], &a[1])))),
        "mul" => variadic(&[Any], Any, |_, a| Ok(Value::Int64(mul(&a)))),
        "div" => fixed(&[Any, Any], |_, a| div(&a[0], &a[1]).map(Value::Int64)),
        "mod" => fixed(&[Any, Any], |_, a| modulo(&a[0], &a[1]).map(Value::Int64)),
        "max" => variadic(&[Any], Any, |_, a| {
            Ok(Value::Int64(extreme(&a, Ordering::Greater)))
        }),
        "min" => variadic(&[Any], Any, |_, a| {
            Ok(Value::Int64(extreme(&a, Ordering::Less)))
        }),
        "addf" => variadic(&[], Any, |_, a| {
            decimal_op(&Value::Float(0.0), &a, DecOp::Add).map(Value::Float)
        }),
        "subf" => variadic(&[Any], Any, |_, a| decimal(&a, DecOp::Sub)),
        "mulf" => variadic(&[Any], Any, |_, a| decimal(&a, DecOp::Mul)),
        "divf" => variadic(&[Any], Any, |_, a| decimal(&a, DecOp::Div)),
        "maxf" => variadic(&[Any], Any, |_, a| Ok(float_fold(&a, go_max))),
        "minf" => variadic(&[Any], Any, |_, a| Ok(float_fold(&a, go_min))),
        "ceil" => fixed(&[Any], |_, a| Ok(Value::Float(to_float64(&a[0]).ceil()))),
        "floor" => fixed(&[Any], |_, a| Ok(Value::Float(to_float64(&a[0]).floor()))),
        "round" => variadic(&[Any, Int], Float, |_, a| {
            let half = a.get(2).map(float);
            Ok(Value::Float(round(&a[0], int(&a[1]), half)))
        }),
        _ => return None,
    })
}

fn decimal<'a>(args: &[Value<'a>], op: DecOp) -> R<Value<'a>> {
    decimal_op(&args[0], &args[1..], op).map(Value::Float)
}

fn float_fold<'a>(args: &[Value<'a>], f: fn(f64, f64) -> f64) -> Value<'a> {
    let (first, rest) = args.split_first().expect("one argument at least");
    let v = rest
        .iter()
        .fold(to_float64(first), |acc, x| f(acc, to_float64(x)));
    Value::Float(v)
}
