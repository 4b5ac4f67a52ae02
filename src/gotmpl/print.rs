//! Go's `fmt` and `strconv` as templates use them: how a value prints in an action
//! (`fmt.Sprint`), `print`/`println`/`printf` (verbs, flags, widths, precisions, argument
//! indexes and Go's `%!v(MISSING)`-style complaints), float formatting (`%v` of `1e6` is
//! `1e+06`), quoting (`%q`), and the number parsing of Go literals and of sprig's conversions.

use super::funcs::math::TWO_POW_63;
use super::value::Value;
use std::borrow::Cow;

/// Go's `fmt.Sprint`: operands printed with `%v`, a space between two operands when neither
/// is a string.
pub(crate) fn sprint(args: &[Value]) -> String {
    let mut p = Printer::default();
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let is_string = matches!(arg, Value::Str(_));
        if i > 0 && !is_string && !prev_string {
            p.buf.push(' ');
        }
        p.print_arg(arg, 'v');
        prev_string = is_string;
    }
    p.buf
}

/// Go's `fmt.Sprintln`: operands with `%v`, always separated by spaces, then a newline.
pub(crate) fn sprintln(args: &[Value]) -> String {
    let mut p = Printer::default();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            p.buf.push(' ');
        }
        p.print_arg(arg, 'v');
    }
    p.buf.push('\n');
    p.buf
}

/// Go's `fmt.Sprintf`.
pub(crate) fn sprintf(format: &str, args: &[Value]) -> String {
    let mut p = Printer::default();
    p.printf(format, args);
    p.buf
}

/// Formatting flags of one verb.
#[derive(Default, Clone, Copy)]
struct Flags {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    /// `%#v`: Go syntax.
    sharp_v: bool,
    wid: Option<usize>,
    prec: Option<usize>,
}

#[derive(Default)]
struct Printer {
    buf: String,
    f: Flags,
    /// An explicit argument index was used: unused arguments are then not complained about.
    reordered: bool,
}

/// Widths and precisions above this are treated as absent, as in Go.
const MAX_WIDTH: usize = 1_000_000;

impl Printer {
    fn printf(&mut self, format: &str, args: &[Value]) {
        let b = format.as_bytes();
        let end = b.len();
        let mut arg_num = 0;
        let mut i = 0;
        while i < end {
            let start = i;
            while i < end && b[i] != b'%' {
                i += 1;
            }
            self.buf.push_str(&format[start..i]);
            if i >= end {
                break;
            }
            i += 1;
            self.f = Flags::default();
            while i < end {
                match b[i] {
                    b'#' => self.f.sharp = true,
                    b'0' => self.f.zero = !self.f.minus,
                    b'+' => self.f.plus = true,
                    b'-' => {
                        self.f.minus = true;
                        self.f.zero = false;
                    }
                    b' ' => self.f.space = true,
                    _ => break,
                }
                i += 1;
            }
            let mut good_arg_num = true;
            let mut after_index;
            (arg_num, i, after_index) =
                self.arg_number(arg_num, format, i, args.len(), &mut good_arg_num);
            // Width: a number or `*` (taken from an int argument).
            if i < end && b[i] == b'*' {
                i += 1;
                let (n, ok, next) = int_from_arg(args, arg_num);
                arg_num = next;
                if ok {
                    if n < 0 {
                        self.f.minus = true;
                        self.f.zero = false;
                    }
                    self.f.wid = Some(n.unsigned_abs() as usize);
                } else {
                    self.buf.push_str("%!(BADWIDTH)");
                }
                after_index = false;
            } else {
                let (n, next) = parse_num(b, i);
                self.f.wid = n;
                i = next;
                if after_index && n.is_some() {
                    good_arg_num = false;
                }
            }
            // Precision.
            if i < end && b[i] == b'.' {
                i += 1;
                if after_index {
                    good_arg_num = false;
                }
                (arg_num, i, after_index) =
                    self.arg_number(arg_num, format, i, args.len(), &mut good_arg_num);
                if i < end && b[i] == b'*' {
                    i += 1;
                    let (n, ok, next) = int_from_arg(args, arg_num);
                    arg_num = next;
                    self.f.prec = (ok && n >= 0).then_some(n as usize);
                    if self.f.prec.is_none() {
                        self.buf.push_str("%!(BADPREC)");
                    }
                    after_index = false;
                } else {
                    let (n, next) = parse_num(b, i);
                    self.f.prec = Some(n.unwrap_or(0));
                    i = next;
                }
            }
            if !after_index {
                (arg_num, i, _) =
                    self.arg_number(arg_num, format, i, args.len(), &mut good_arg_num);
            }
            if i >= end {
                self.buf.push_str("%!(NOVERB)");
                break;
            }
            let verb = format[i..].chars().next().unwrap_or('?');
            i += verb.len_utf8();
            if verb == '%' {
                self.buf.push('%');
            } else if !good_arg_num {
                self.buf.push_str(&format!("%!{verb}(BADINDEX)"));
            } else if arg_num >= args.len() {
                self.buf.push_str(&format!("%!{verb}(MISSING)"));
            } else {
                if verb == 'v' {
                    // `#` and `+` mean Go syntax and field names for %v, not alternate forms.
                    self.f.sharp_v = self.f.sharp;
                    self.f.sharp = false;
                    self.f.plus = false;
                }
                self.print_arg(&args[arg_num], verb);
                arg_num += 1;
            }
        }
        if !self.reordered && arg_num < args.len() {
            self.f = Flags::default();
            self.buf.push_str("%!(EXTRA ");
            for (k, arg) in args[arg_num..].iter().enumerate() {
                if k > 0 {
                    self.buf.push_str(", ");
                }
                if matches!(arg, Value::Nil) {
                    self.buf.push_str("<nil>");
                } else {
                    self.buf.push_str(arg.type_name());
                    self.buf.push('=');
                    self.print_arg(arg, 'v');
                }
            }
            self.buf.push(')');
        }
    }

    /// An explicit argument index `[n]` at `i`: (argument, next byte, whether one was read).
    fn arg_number(
        &mut self,
        arg_num: usize,
        format: &str,
        i: usize,
        num_args: usize,
        good: &mut bool,
    ) -> (usize, usize, bool) {
        let b = format.as_bytes();
        if b.get(i) != Some(&b'[') {
            return (arg_num, i, false);
        }
        self.reordered = true;
        let Some(close) = b[i..].iter().position(|&c| c == b']') else {
            *good = false;
            return (arg_num, i + 1, false);
        };
        let (n, next) = parse_num(b, i + 1);
        match n {
            Some(n) if next == i + close && n >= 1 && n - 1 < num_args => {
                (n - 1, i + close + 1, true)
            }
            Some(_) if next == i + close => {
                *good = false;
                (arg_num, i + close + 1, true)
            }
            _ => {
                *good = false;
                (arg_num, i + close + 1, false)
            }
        }
    }

    /// Formats one operand for one verb (Go's `printArg`).
    fn print_arg(&mut self, v: &Value, verb: char) {
        if verb == 'T' {
            self.pad_str(v.type_name());
            return;
        }
        if let Some(s) = v.stringer() {
            if matches!(verb, 'v' | 's' | 'x' | 'X' | 'q') {
                self.fmt_string(&s, verb);
                return;
            }
        }
        match v {
            Value::Nil if verb == 'v' => self.pad_str("<nil>"),
            Value::Bool(b) if matches!(verb, 't' | 'v') => {
                self.pad_str(if *b { "true" } else { "false" })
            }
            Value::Int(n) | Value::Int64(n) | Value::Month(n) | Value::Weekday(n) => {
                self.fmt_integer(*n as u64, true, verb, v)
            }
            Value::Byte(n) => self.fmt_integer(u64::from(*n), false, verb, v),
            Value::Float(x) => self.fmt_float_verb(*x, verb, v),
            Value::Str(s) => self.fmt_string_verb(s, verb, v),
            Value::List(items) => {
                self.buf.push('[');
                for (k, item) in items.iter().enumerate() {
                    if k > 0 {
                        self.buf.push(' ');
                    }
                    self.print_elem(item, verb);
                }
                self.buf.push(']');
            }
            Value::Map(_) | Value::Labels(_) => {
                self.buf.push_str("map[");
                for (k, (key, val)) in v.map_entries().iter().enumerate() {
                    if k > 0 {
                        self.buf.push(' ');
                    }
                    self.fmt_string_verb(key, verb, &Value::str(key.as_ref()));
                    self.buf.push(':');
                    self.print_elem(val, verb);
                }
                self.buf.push(']');
            }
            _ => self.bad_verb(verb, v),
        }
    }

    /// An element of a list or map: a nil element prints `<nil>` whatever the verb.
    fn print_elem(&mut self, v: &Value, verb: char) {
        match v {
            Value::Nil => self.buf.push_str("<nil>"),
            _ => self.print_arg(v, verb),
        }
    }

    /// `%!verb(type=value)`, the value printed with `%v` and the current flags.
    fn bad_verb(&mut self, verb: char, v: &Value) {
        self.buf.push_str("%!");
        self.buf.push(verb);
        self.buf.push('(');
        self.buf.push_str(v.type_name());
        if !matches!(v, Value::Nil) {
            self.buf.push('=');
            // Go does not call String methods while complaining: named ints print as ints.
            match v {
                Value::Month(n) | Value::Weekday(n) => {
                    self.fmt_int_base(*n as u64, 10, true, 'v', false)
                }
                Value::Time(t) => self.pad_str(&t.to_go_string()),
                _ => self.print_arg(v, 'v'),
            }
        }
        self.buf.push(')');
    }

    fn fmt_string_verb(&mut self, s: &str, verb: char, v: &Value) {
        match verb {
            'v' | 's' | 'x' | 'X' | 'q' => self.fmt_string(s, verb),
            _ => self.bad_verb(verb, v),
        }
    }

    fn fmt_string(&mut self, s: &str, verb: char) {
        match verb {
            'v' if self.f.sharp_v => self.fmt_q(s),
            'v' | 's' => {
                let s = self.truncate(s);
                self.pad_str(&s);
            }
            'x' => self.fmt_hex_bytes(s.as_bytes(), false),
            'X' => self.fmt_hex_bytes(s.as_bytes(), true),
            _ => self.fmt_q(s),
        }
    }

    /// A string cut to the precision, in characters.
    fn truncate<'s>(&self, s: &'s str) -> Cow<'s, str> {
        match self.f.prec {
            Some(p) => match s.char_indices().nth(p) {
                Some((i, _)) => Cow::Borrowed(&s[..i]),
                None => Cow::Borrowed(s),
            },
            None => Cow::Borrowed(s),
        }
    }

    fn fmt_q(&mut self, s: &str) {
        let s = self.truncate(s);
        if self.f.sharp && can_backquote(&s) {
            self.pad_str(&format!("`{s}`"));
        } else {
            let q = quote(&s, '"', self.f.plus);
            self.pad_str(&q);
        }
    }

    /// `%x` of a string: two hex digits a byte; `% x` separates bytes, `%#x` adds `0x`.
    fn fmt_hex_bytes(&mut self, bytes: &[u8], upper: bool) {
        let digits: &[u8; 17] = if upper {
            b"0123456789ABCDEFX"
        } else {
            b"0123456789abcdefx"
        };
        let len = self.f.prec.map_or(bytes.len(), |p| p.min(bytes.len()));
        if len == 0 {
            if let Some(w) = self.f.wid {
                self.write_padding(w);
            }
            return;
        }
        let mut width = 2 * len;
        if self.f.space {
            if self.f.sharp {
                width *= 2;
            }
            width += len - 1;
        } else if self.f.sharp {
            width += 2;
        }
        let pad = self.f.wid.map_or(0, |w| w.saturating_sub(width));
        if !self.f.minus {
            self.write_padding(pad);
        }
        let prefix = [b'0', digits[16]];
        if self.f.sharp {
            self.buf
                .push_str(std::str::from_utf8(&prefix).unwrap_or("0x"));
        }
        for (k, &c) in bytes[..len].iter().enumerate() {
            if self.f.space && k > 0 {
                self.buf.push(' ');
                if self.f.sharp {
                    self.buf
                        .push_str(std::str::from_utf8(&prefix).unwrap_or("0x"));
                }
            }
            self.buf.push(char::from(digits[usize::from(c >> 4)]));
            self.buf.push(char::from(digits[usize::from(c & 0xF)]));
        }
        if self.f.minus {
            self.write_padding(pad);
        }
    }

    fn write_padding(&mut self, n: usize) {
        let c = if self.f.zero { '0' } else { ' ' };
        self.buf.extend(std::iter::repeat_n(c, n));
    }

    /// Pads to the width with spaces (Go does not zero-pad strings).
    fn pad_str(&mut self, s: &str) {
        let zero = std::mem::replace(&mut self.f.zero, false);
        self.pad(s);
        self.f.zero = zero;
    }

    /// Pads to the width (counted in characters), on the left unless `-`.
    fn pad(&mut self, s: &str) {
        let Some(w) = self.f.wid else {
            self.buf.push_str(s);
            return;
        };
        let n = w.saturating_sub(s.chars().count());
        if self.f.minus {
            self.buf.push_str(s);
            self.write_padding(n);
        } else {
            self.write_padding(n);
            self.buf.push_str(s);
        }
    }

    fn fmt_integer(&mut self, u: u64, signed: bool, verb: char, v: &Value) {
        match verb {
            'v' | 'd' => self.fmt_int_base(u, 10, signed, verb, false),
            'b' => self.fmt_int_base(u, 2, signed, verb, false),
            'o' | 'O' => self.fmt_int_base(u, 8, signed, verb, false),
            'x' => self.fmt_int_base(u, 16, signed, verb, false),
            'X' => self.fmt_int_base(u, 16, signed, verb, true),
            'c' => {
                let c = char_of(u, signed);
                self.pad(c.encode_utf8(&mut [0; 4]));
            }
            'q' => {
                let q = quote(
                    char_of(u, signed).encode_utf8(&mut [0; 4]),
                    '\'',
                    self.f.plus,
                );
                self.pad(&q);
            }
            'U' => self.fmt_unicode(u),
            _ => self.bad_verb(verb, v),
        }
    }

    /// Go's `fmtInteger`: precision is a minimum digit count; `0` pads after the sign.
    fn fmt_int_base(&mut self, u: u64, base: u32, signed: bool, verb: char, upper: bool) {
        let negative = signed && (u as i64) < 0;
        let mag = if negative {
            (u as i64).unsigned_abs()
        } else {
            u
        };
        let mut min_digits = 0;
        if let Some(p) = self.f.prec {
            min_digits = p;
            if p == 0 && mag == 0 {
                let zero = std::mem::replace(&mut self.f.zero, false);
                self.write_padding(self.f.wid.unwrap_or(0));
                self.f.zero = zero;
                return;
            }
        } else if let (true, false, Some(w)) = (self.f.zero, self.f.minus, self.f.wid) {
            min_digits = w;
            if negative || self.f.plus || self.f.space {
                min_digits = min_digits.saturating_sub(1);
            }
        }
        let mut digits = match base {
            2 => format!("{mag:b}"),
            8 => format!("{mag:o}"),
            16 if upper => format!("{mag:X}"),
            16 => format!("{mag:x}"),
            _ => mag.to_string(),
        };
        if digits.len() < min_digits {
            digits.insert_str(0, &"0".repeat(min_digits - digits.len()));
        }
        let mut prefix = String::new();
        if self.f.sharp {
            match base {
                2 => prefix.push_str("0b"),
                8 if !digits.starts_with('0') => prefix.push('0'),
                16 if upper => prefix.push_str("0X"),
                16 => prefix.push_str("0x"),
                _ => {}
            }
        }
        if verb == 'O' {
            prefix.insert_str(0, "0o");
        }
        let sign = if negative {
            "-"
        } else if self.f.plus {
            "+"
        } else if self.f.space {
            " "
        } else {
            ""
        };
        let text = format!("{sign}{prefix}{digits}");
        let zero = std::mem::replace(&mut self.f.zero, false);
        self.pad(&text);
        self.f.zero = zero;
    }

    /// `%U`: `U+0041`, with `#` also the character.
    fn fmt_unicode(&mut self, u: u64) {
        let width = self.f.prec.map_or(4, |p| p.max(4));
        let mut s = format!("U+{u:0width$X}");
        if self.f.sharp {
            if let Some(c) = u32::try_from(u).ok().and_then(char::from_u32) {
                if is_print(c) {
                    s.push_str(&format!(" '{c}'"));
                }
            }
        }
        let zero = std::mem::replace(&mut self.f.zero, false);
        self.pad(&s);
        self.f.zero = zero;
    }

    fn fmt_float_verb(&mut self, x: f64, verb: char, v: &Value) {
        let (fmt, default_prec) = match verb {
            'v' | 'g' => ('g', -1),
            'G' => ('G', -1),
            'e' | 'E' => (verb, 6),
            'f' | 'F' => ('f', 6),
            'b' => ('b', -1),
            'x' | 'X' => (verb, -1),
            _ => return self.bad_verb(verb, v),
        };
        let prec = self.f.prec.map_or(default_prec, |p| p as i32);
        self.fmt_float(x, fmt, prec);
    }

    /// Go's `fmt.fmtFloat`: signs, `#`, and zero padding after the sign.
    fn fmt_float(&mut self, x: f64, verb: char, prec: i32) {
        let mut num = format_float(x, verb, prec);
        if !num.starts_with(['-', '+']) {
            num.insert(0, '+');
        }
        if self.f.space && num.starts_with('+') && !self.f.plus {
            num.replace_range(..1, " ");
        }
        if num[1..].starts_with(['I', 'N']) {
            // Infinities and NaN are never zero padded; NaN loses its sign unless asked.
            if num[1..].starts_with('N') && !self.f.space && !self.f.plus {
                num.remove(0);
            }
            let zero = std::mem::replace(&mut self.f.zero, false);
            self.pad(&num);
            self.f.zero = zero;
            return;
        }
        if self.f.sharp && verb != 'b' {
            num = sharp_float(num, verb, prec);
        }
        let show_sign = self.f.plus || !num.starts_with('+');
        let body = if show_sign { &num[..] } else { &num[1..] };
        if let (true, true, Some(w)) = (self.f.zero, !self.f.minus, self.f.wid) {
            if w > body.chars().count() {
                let (sign, digits) = if show_sign {
                    body.split_at(1)
                } else {
                    ("", body)
                };
                self.buf.push_str(sign);
                self.write_padding(w - body.chars().count());
                self.buf.push_str(digits);
                return;
            }
        }
        let body = body.to_string();
        self.pad(&body);
    }
}

/// `%#g` and friends: always a decimal point, and `%g` keeps its trailing zeros.
fn sharp_float(num: String, verb: char, prec: i32) -> String {
    let mut digits = if matches!(verb, 'g' | 'G' | 'x' | 'X') {
        if prec == -1 {
            6
        } else {
            prec
        }
    } else {
        0
    };
    let (mut body, tail) = match num[1..].find(['e', 'E', 'p', 'P']) {
        Some(p) if !(matches!(verb, 'x' | 'X') && matches!(&num[1 + p..2 + p], "e" | "E")) => {
            (num[..1 + p].to_string(), num[1 + p..].to_string())
        }
        _ => (num.clone(), String::new()),
    };
    let mut has_point = false;
    let mut saw_nonzero = false;
    for c in body[1..].chars() {
        if c == '.' {
            has_point = true;
            continue;
        }
        if matches!(verb, 'x' | 'X') && (c == 'x' || c == 'X') {
            continue;
        }
        if c != '0' {
            saw_nonzero = true;
        }
        if saw_nonzero {
            digits -= 1;
        }
    }
    if !has_point {
        if body.len() == 2 && body.ends_with('0') {
            digits -= 1;
        }
        body.push('.');
    }
    while digits > 0 {
        body.push('0');
        digits -= 1;
    }
    body + &tail
}

fn char_of(u: u64, signed: bool) -> char {
    let in_range = !(signed && (u as i64) < 0) && u <= 0x10FFFF;
    in_range
        .then(|| char::from_u32(u as u32))
        .flatten()
        .unwrap_or('\u{FFFD}')
}

/// `*` width or precision: (value, whether the argument was an int, next argument).
fn int_from_arg(args: &[Value], arg_num: usize) -> (i64, bool, usize) {
    let Some(arg) = args.get(arg_num) else {
        return (0, false, arg_num);
    };
    let n = match arg {
        Value::Byte(b) => Some(i64::from(*b)),
        other => other.as_int(),
    };
    match n {
        Some(n) if n.unsigned_abs() <= MAX_WIDTH as u64 => (n, true, arg_num + 1),
        _ => (0, false, arg_num + 1),
    }
}

/// Decimal digits at `i`: (number if any and not too large, next byte).
fn parse_num(b: &[u8], mut i: usize) -> (Option<usize>, usize) {
    let start = i;
    let mut n: usize = 0;
    let mut too_large = false;
    while i < b.len() && b[i].is_ascii_digit() {
        n = n * 10 + usize::from(b[i] - b'0');
        if n > MAX_WIDTH {
            too_large = true;
            n = MAX_WIDTH;
        }
        i += 1;
    }
    if i == start || too_large {
        return (None, i);
    }
    (Some(n), i)
}

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
        'f' if prec >= 0 => format!("{x:.*}", prec as usize),
        'e' | 'E' if prec >= 0 => {
            let s = format!("{x:.*e}", prec as usize);
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

    /// `x` rounded to `n` significant digits.
    fn significant(x: f64, n: usize) -> Digits {
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
fn can_backquote(s: &str) -> bool {
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
            crate::logql::units::parse_go_float(&clean).ok_or(())?
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
