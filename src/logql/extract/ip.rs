//! `ip("...")` in line filters (`|= ip("10.0.0.0/8")`) and label filters
//! (`| addr = ip("::1")`): does the text hold an address inside a range.

use crate::logql::validate::ip_range;
use std::net::IpAddr;

const IPV4_CHARS: &[u8] = b"0123456789.";
const IPV6_CHARS: &[u8] = b"0123456789abcdefABCDEF:.";

/// A compiled `ip()` pattern: a single address, a range `a-b` or a CIDR, as an inclusive
/// range of addresses of one family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpFilter {
    low: IpAddr,
    high: IpAddr,
}

impl IpFilter {
    /// Compiles a pattern; the error is Loki's `ip: invalid pattern: "..."`.
    pub fn new(pattern: &str) -> Result<IpFilter, String> {
        let (low, high) = ip_range(pattern)?;
        Ok(IpFilter { low, high })
    }

    /// True when the address is in the range (an IPv4 address never matches an IPv6 range, nor
    /// the reverse; an IPv4-mapped IPv6 address counts as IPv6).
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.low <= ip && ip <= self.high
    }

    /// `|= ip(...)`: true when some address-looking token of the line is in the range, found
    /// with Loki's scan: at each position, a digit followed by a `.` within the next three
    /// bytes starts an IPv4 candidate, and a short hex run followed by `:` (or `::` and a hex
    /// digit) an IPv6 one; the candidate runs over the characters an address of that family
    /// may hold and is parsed; if it is not an address in the range, the scan resumes after
    /// it. A candidate needs at least four (IPv4) or five (IPv6) bytes from its start to the
    /// end of the line, so a bare `::1` is not found.
    pub fn matches_line(&self, line: &str) -> bool {
        let b = line.as_bytes();
        let n = b.len();
        let mut i = 0;
        while i < n {
            if i + 3 < n && ipv4_hint(&b[i..i + 4]) {
                match self.candidate(line, i, IPV4_CHARS) {
                    Ok(()) => return true,
                    Err(len) => i += len,
                }
            } else if i + 4 < n && ipv6_hint(&b[i..i + 5]) {
                match self.candidate(line, i, IPV6_CHARS) {
                    Ok(()) => return true,
                    Err(len) => i += len,
                }
            }
            i += 1;
        }
        false
    }

    /// `| label = ip(...)`: Loki scans the label's value exactly as a line (see
    /// [`IpFilter::matches_line`]), so a value holding an address among other text matches,
    /// and a value too short for the scan (`::1`) does not.
    pub fn matches_value(&self, value: &str) -> bool {
        self.matches_line(value)
    }

    /// Parses the run of `chars` at `start`: `Ok` when it is an address in the range, else
    /// the run's length.
    fn candidate(&self, line: &str, start: usize, chars: &[u8]) -> Result<(), usize> {
        let len = line.as_bytes()[start..]
            .iter()
            .position(|c| !chars.contains(c))
            .unwrap_or(line.len() - start);
        match line[start..start + len].parse::<IpAddr>() {
            Ok(ip) if self.contains(ip) => Ok(()),
            _ => Err(len),
        }
    }
}

/// A digit with a `.` in one of the next three bytes.
fn ipv4_hint(p: &[u8]) -> bool {
    p[0].is_ascii_digit() && (p[1] == b'.' || p[2] == b'.' || p[3] == b'.')
}

/// `::` and a hex digit, or one to four hex digits and a `:`.
fn ipv6_hint(p: &[u8]) -> bool {
    if p[0] == b':' {
        return p[1] == b':' && p[2].is_ascii_hexdigit();
    }
    let hex_run = p.iter().take_while(|c| c.is_ascii_hexdigit()).count();
    (1..=4).contains(&hex_run) && p[hex_run] == b':'
}
