//! Go's `fmt` as templates use it: how a value prints in an action (`fmt.Sprint`), and
//! `print`/`println`/`printf` (verbs, flags, widths, precisions, argument indexes and Go's
//! `%!v(MISSING)`-style complaints). Number formatting and quoting are Go's `strconv`, in
//! `strconv.rs`.

use super::strconv::{can_backquote, format_float, is_print, quote};
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
    /// `%+v`: struct fields with their names.
    plus_v: bool,
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
                    self.f.plus_v = self.f.plus;
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
            Value::Int(n)
            | Value::Int64(n)
            | Value::Month(n)
            | Value::Weekday(n)
            | Value::Duration(n) => self.fmt_integer(*n as u64, true, verb, v),
            Value::Byte(n) => self.fmt_integer(u64::from(*n), false, verb, v),
            Value::Float(x) => self.fmt_float_verb(*x, verb, v),
            Value::Str(s) => self.fmt_string_verb(s, verb, v),
            Value::List(items) | Value::Slice(_, items) => {
                self.buf.push('[');
                for (k, item) in items.iter().enumerate() {
                    if k > 0 {
                        self.buf.push(' ');
                    }
                    self.print_elem(item, verb);
                }
                self.buf.push(']');
            }
            Value::Struct(st) if verb == 'v' => {
                // A pointer prints `&{...}` where Go prints a pointer to a struct at the top
                // (deeper down Go prints an address, which no output should depend on).
                if st.type_name.starts_with('*') {
                    self.buf.push('&');
                }
                self.buf.push('{');
                for (k, (name, field)) in st.fields.iter().enumerate() {
                    if k > 0 {
                        self.buf.push(' ');
                    }
                    if self.f.plus_v {
                        self.buf.push_str(name);
                        self.buf.push(':');
                    }
                    self.print_elem(field, verb);
                }
                self.buf.push('}');
            }
            Value::Map(_) | Value::Labels(_) | Value::StrMap(..) => {
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
                Value::Month(n) | Value::Weekday(n) | Value::Duration(n) => {
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
