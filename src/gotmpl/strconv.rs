//! Go's `strconv` as templates use it: float formatting (`%v` of `1e6` is `1e+06`, shortest
//! round-trip digits, hex floats), quoting (`%q`, `strconv.Quote`) and which characters Go
//! prints, and the number parsing of Go literals and of sprig's conversions.

use super::funcs::math::TWO_POW_63;

/// Go's `strconv.FormatFloat(x, verb, prec, 64)` for verbs `e E f g G b x X`; `prec` -1
/// means the fewest digits that read back as `x`.
pub(crate) fn format_float(x: f64, verb: char, prec: i32) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    match verb {
        'b' => format_binary_exp(x),
        'x' | 'X' => format_hex_float(x, prec, verb == 'X'),
        'f' if prec >= 0 => {
            padded_precision(prec as usize, MAX_EXACT_FRACTION, |p| format!("{x:.*}", p))
        }
        'e' | 'E' if prec >= 0 => {
            let s = padded_precision(prec as usize, MAX_EXACT_DIGITS, |p| format!("{x:.*e}", p));
            go_exponent(&s, verb == 'E')
        }
        _ => {
            let neg = x.is_sign_negative();
            let shortest = prec < 0;
            let digits = if shortest {
                Digits::shortest(x)
            } else if matches!(verb, 'g' | 'G') {
                Digits::significant(x, prec.max(1) as usize)
            } else {
                // Shortest digits for `%e`/`%f` with no precision.
                Digits::shortest(x)
            };
            let body = match verb {
                'e' | 'E' => digits.fmt_e(digits.nd() as i32 - 1, verb == 'E'),
                'f' => digits.fmt_f((digits.nd() as i32 - digits.dp).max(0)),
                _ => digits.fmt_g(if shortest { -1 } else { prec.max(1) }, verb == 'G'),
            };
            if neg {
                format!("-{body}")
            } else {
                body
            }
        }
    }
}

/// More fraction digits than any f64 has in its exact decimal expansion (1074 for the
/// smallest subnormal), and more significant digits than any has (767): past these, every
/// digit is 0. Rust's formatter refuses precisions above 65535, which Go accepts up to 1e6.
const MAX_EXACT_FRACTION: usize = 1100;
const MAX_EXACT_DIGITS: usize = 800;

/// Formats with `prec` digits after the point, asking `format` for at most `max` and
/// writing the rest (all zeros) itself.
fn padded_precision(prec: usize, max: usize, format: impl Fn(usize) -> String) -> String {
    if prec <= max {
        return format(prec);
    }
    let s = format(max);
    let zeros = "0".repeat(prec - max);
    match s.find(['e', 'E']) {
        Some(e) => format!("{}{zeros}{}", &s[..e], &s[e..]),
        None => s + &zeros,
    }
}

/// Rewrites Rust's `1.5e7` exponent as Go's `1.5e+07`.
fn go_exponent(s: &str, upper: bool) -> String {
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exp),
    };
    let e = if upper { 'E' } else { 'e' };
    format!("{mant}{e}{sign}{digits:0>2}")
}

/// `%b`: the mantissa and binary exponent, `4503599627370496p-52`.
fn format_binary_exp(x: f64) -> String {
    let bits = x.to_bits();
    let neg = if bits >> 63 == 1 { "-" } else { "" };
    let exp = ((bits >> 52) & 0x7FF) as i64;
    let mut mant = bits & ((1 << 52) - 1);
    let e = if exp == 0 {
        -1074
    } else {
        mant |= 1 << 52;
        exp - 1075
    };
    let sign = if e >= 0 { "+" } else { "" };
    format!("{neg}{mant}p{sign}{e}")
}

/// `%x`: a hexadecimal mantissa `0x1.8p+01`, rounded to `prec` hex digits when given.
fn format_hex_float(x: f64, prec: i32, upper: bool) -> String {
    let neg = if x.is_sign_negative() { "-" } else { "" };
    let bits = x.abs().to_bits();
    let mut exp = ((bits >> 52) & 0x7FF) as i64;
    let mut mant = bits & ((1u64 << 52) - 1);
    if exp == 0 && mant == 0 {
        exp = 0;
    } else if exp == 0 {
        // Subnormal: normalise so the leading bit is the implicit one.
        let shift = mant.leading_zeros() as i64 - 11;
        mant = (mant << shift) & ((1 << 52) - 1);
        exp = 1 - 1023 - shift;
    } else {
        exp -= 1023;
    }
    let mut lead = u64::from(x != 0.0);
    // 52 mantissa bits are 13 hex digits.
    if (0..13).contains(&prec) {
        let drop = 4 * (13 - prec as u32);
        let half = 1u64 << (drop - 1);
        let rem = mant & ((1 << drop) - 1);
        mant >>= drop;
        if rem > half || (rem == half && mant & 1 == 1) {
            mant += 1;
            if mant >> (4 * prec as u32) != 0 {
                mant = 0;
                lead += 1;
                if lead == 2 {
                    lead = 1;
                    exp += 1;
                }
            }
        }
    }
    let mut hex = if (0..13).contains(&prec) {
        if prec == 0 {
            String::new()
        } else {
            format!("{mant:0width$x}", width = prec as usize)
        }
    } else {
        format!("{mant:013x}")
    };
    if prec < 0 {
        hex = hex.trim_end_matches('0').to_string();
    } else if prec > 13 {
        hex.push_str(&"0".repeat(prec as usize - 13));
    }
    let point = if hex.is_empty() { "" } else { "." };
    let sign = if exp >= 0 { '+' } else { '-' };
    let s = format!("{neg}0x{lead}{point}{hex}p{sign}{:02}", exp.abs());
    if upper {
        s.to_uppercase()
    } else {
        s
    }
}

/// Decimal digits of |x|: x = 0.d1d2d3... × 10^dp, no trailing zeros (none at all for 0).
struct Digits {
    d: Vec<u8>,
    dp: i32,
}

impl Digits {
    fn from_exp_form(s: &str) -> Digits {
        let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let mut d: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
        while d.last() == Some(&b'0') {
            d.pop();
        }
        let dp = if d.is_empty() { 0 } else { exp + 1 };
        Digits { d, dp }
    }

    /// The shortest digits that read back as `x`.
    fn shortest(x: f64) -> Digits {
        Digits::from_exp_form(&format!("{:e}", x.abs()))
    }

    /// `x` rounded to `n` significant digits (the digits past an f64's exact expansion
    /// are zeros, which `Digits` drops anyway).
    fn significant(x: f64, n: usize) -> Digits {
        let n = n.min(MAX_EXACT_DIGITS);
        Digits::from_exp_form(&format!("{:.*e}", n - 1, x.abs()))
    }

    fn nd(&self) -> usize {
        self.d.len()
    }

    fn digit(&self, i: i32) -> char {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.d.get(i))
            .map_or('0', |&c| char::from(c))
    }

    /// `d.ddde±dd` with `prec` digits after the point.
    fn fmt_e(&self, prec: i32, upper: bool) -> String {
        let mut s = String::new();
        s.push(self.digit(0));
        if prec > 0 {
            s.push('.');
            for i in 1..=prec {
                s.push(self.digit(i));
            }
        }
        s.push(if upper { 'E' } else { 'e' });
        let exp = if self.d.is_empty() { 0 } else { self.dp - 1 };
        s.push(if exp < 0 { '-' } else { '+' });
        s.push_str(&format!("{:02}", exp.abs()));
        s
    }

    /// `ddd.ddd` with `prec` digits after the point.
    fn fmt_f(&self, prec: i32) -> String {
        let mut s = String::new();
        if self.dp > 0 {
            for i in 0..self.dp {
                s.push(self.digit(i));
            }
        } else {
            s.push('0');
        }
        if prec > 0 {
            s.push('.');
            for i in 1..=prec {
                s.push(self.digit(self.dp + i - 1));
            }
        }
        s
    }

    /// `%g`: exponent form when the exponent is below -4 or at least the precision (6 for
    /// the shortest form), trailing zeros dropped.
    fn fmt_g(&self, prec: i32, upper: bool) -> String {
        let nd = self.nd() as i32;
        let shortest = prec < 0;
        let mut prec = if shortest { nd } else { prec };
        let mut eprec = prec;
        if eprec > nd && nd >= self.dp {
            eprec = nd;
        }
        if shortest {
            eprec = 6;
        }
        let exp = self.dp - 1;
        if exp < -4 || exp >= eprec {
            if prec > nd {
                prec = nd;
            }
            return self.fmt_e(prec - 1, upper);
        }
        if prec > self.dp {
            prec = nd;
        }
        self.fmt_f((prec - self.dp).max(0))
    }
}

/// Go's `strconv.Quote` (or `QuoteToASCII`, or `QuoteRune` with `'` as the quote).
pub(crate) fn quote(s: &str, q: char, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        push_escaped(&mut out, c, q, ascii_only);
    }
    out.push(q);
    out
}

fn push_escaped(out: &mut String, c: char, q: char, ascii_only: bool) {
    if c == q || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    let printable = if ascii_only {
        c.is_ascii() && is_print(c)
    } else {
        is_print(c)
    };
    if printable {
        out.push(c);
        return;
    }
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// Go's `strconv.CanBackquote`: no control characters but tab, no backquote, no BOM.
pub(crate) fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c != '`' && c != '\u{FEFF}' && (c == '\t' || !(c < ' ' || c == '\x7f')))
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
/// Without Unicode category tables this rejects controls, separators other than the space,
/// format characters and private use, and accepts the rest.
pub(crate) fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    let format_chars = matches!(
        u,
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    );
    let private_use = matches!(u, 0xE000..=0xF8FF | 0xF0000..=0x10FFFF);
    let noncharacter = (u & 0xFFFE) == 0xFFFE || (0xFDD0..=0xFDEF).contains(&u);
    !(format_chars || private_use || noncharacter)
}

/// A Go number literal of a template (`parse.NumberNode`): which types it can be.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct GoNumber {
    pub int: Option<i64>,
    pub uint: Option<u64>,
    pub float: Option<f64>,
    pub complex: bool,
}

/// Reads a template number literal as Go's template parser does: an integer (any base, with
/// `_` separators) is also a float; a float with an integral value is also an integer.
pub(crate) fn parse_go_number(text: &str) -> Result<GoNumber, String> {
    let mut n = GoNumber::default();
    if text.ends_with('i') {
        n.complex = true;
        return Ok(n);
    }
    n.uint = parse_uint(text).ok();
    n.int = parse_int(text).ok();
    if n.int == Some(0) {
        // `-0` is an unsigned zero too.
        n.uint = Some(0);
    }
    if let Some(i) = n.int {
        n.float = Some(i as f64);
    } else if let Some(u) = n.uint {
        n.float = Some(u as f64);
    } else if let Ok(f) = parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {text:?}"));
        }
        n.float = Some(f);
        if f.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(&f) {
            n.int = Some(f as i64);
        }
        if f.fract() == 0.0 && (0.0..2.0 * TWO_POW_63).contains(&f) {
            n.uint = Some(f as u64);
        }
    }
    if n.int.is_none() && n.uint.is_none() && n.float.is_none() {
        return Err(format!("illegal number syntax: {text:?}"));
    }
    Ok(n)
}

/// Go's `strconv.ParseInt(s, 0, 64)`: a sign, a base prefix (`0x`, `0o`, `0b`, or `0` for
/// octal) and `_` separators between digits.
pub(crate) fn parse_int(s: &str) -> Result<i64, ()> {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mag = parse_uint(digits)?;
    if neg {
        if mag > 1 << 63 {
            return Err(());
        }
        Ok((mag as i64).wrapping_neg())
    } else {
        i64::try_from(mag).map_err(|_| ())
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)`.
pub(crate) fn parse_uint(s: &str) -> Result<u64, ()> {
    if s.is_empty() || !underscores_ok(s) {
        return Err(());
    }
    let lower = s.to_ascii_lowercase();
    let (radix, body) = if let Some(b) = lower.strip_prefix("0x") {
        (16, b)
    } else if let Some(b) = lower.strip_prefix("0o") {
        (8, b)
    } else if let Some(b) = lower.strip_prefix("0b") {
        (2, b)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, &lower[..])
    };
    let body: String = body.chars().filter(|&c| c != '_').collect();
    if body.is_empty() || body.starts_with(['+', '-']) {
        return Err(());
    }
    u64::from_str_radix(&body, radix).map_err(|_| ())
}

/// Go's rule for `_` in numbers: only between digits, or after a base prefix.
fn underscores_ok(s: &str) -> bool {
    if !s.contains('_') {
        return true;
    }
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        hex = b[1].eq_ignore_ascii_case(&b'x');
        i = 2;
        saw = b'0';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// Go's `strconv.ParseFloat(s, 64)`: decimal and hex floats, `_` separators, `inf`,
/// `infinity` and `nan` in any case; overflow is an error.
pub(crate) fn parse_float(s: &str) -> Result<f64, ()> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let special = match lower.as_str() {
        "inf" | "infinity" => Some(f64::INFINITY),
        "nan" => Some(f64::NAN),
        _ => None,
    };
    let v = if let Some(v) = special {
        v
    } else {
        if !underscores_ok(body) {
            return Err(());
        }
        let clean: String = lower.chars().filter(|&c| c != '_').collect();
        let v = if clean.starts_with("0x") {
            parse_hex_float(&clean).ok_or(())?
        } else {
            let valid = !clean.is_empty()
                && clean
                    .bytes()
                    .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'+' | b'-'))
                && clean.bytes().any(|c| c.is_ascii_digit());
            if !valid {
                return Err(());
            }
            clean.parse::<f64>().map_err(|_| ())?
        };
        if v.is_infinite() {
            return Err(());
        }
        v
    };
    Ok(if neg { -v } else { v })
}

/// Go's `strconv.ParseFloat(s, 64)` with Go's error: `strconv.ParseFloat: parsing "x":
/// invalid syntax`, or `value out of range` for a number too large for a float64.
pub(crate) fn parse_float_go(s: &str) -> Result<f64, String> {
    parse_float(s).map_err(|()| {
        let digits: String = s.chars().filter(|&c| c != '_').collect();
        let overflow = digits
            .trim_start_matches(['+', '-'])
            .parse::<f64>()
            .is_ok_and(f64::is_infinite);
        let why = if overflow {
            "value out of range"
        } else {
            "invalid syntax"
        };
        format!(
            "strconv.ParseFloat: parsing {}: {why}",
            quote(s, '"', false)
        )
    })
}

/// A hex float with a binary exponent (`0x1p3`, `0x1.8p-2`), lower case, without `_`.
pub(crate) fn parse_hex_float(text: &str) -> Option<f64> {
    let hex = text.strip_prefix("0x")?;
    let (mant, exp) = hex.split_once('p')?;
    let exp: i32 = exp.parse().ok()?;
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int.chars().chain(frac.chars()) {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    let shift = exp - 4 * frac.len() as i32;
    Some(v * 2f64.powi(shift))
}

#[cfg(test)]
mod precision_tests {
    use super::format_float;

    /// Go accepts precisions up to 1e6; Rust's formatter stops at 65535 (a libFuzzer find:
    /// `printf "%.88075s"`-like verbs on floats panicked).
    #[test]
    fn precisions_past_rusts_limit_print_as_go_prints_them() {
        let f = format_float(1.5, 'f', 100_000);
        assert_eq!(f.len(), 2 + 100_000);
        assert!(f.starts_with("1.5000") && f.ends_with('0'));
        let e = format_float(1.5, 'e', 70_000);
        assert!(
            e.starts_with("1.5000") && e.ends_with("e+00"),
            "{}",
            &e[e.len() - 10..]
        );
        assert_eq!(e.len(), 2 + 70_000 + 4);
        assert_eq!(
            format_float(0.1, 'g', 70_000).len(),
            format_float(0.1, 'g', 800).len()
        );
        // The exact expansion is kept below the cap.
        // 2^-1074 has exactly 1074 fraction digits, the last a 5.
        let tiny = format_float(5e-324, 'f', 1074);
        assert!(
            tiny.starts_with("0.000") && tiny.ends_with("625"),
            "{}",
            &tiny[1060..]
        );
    }
}
