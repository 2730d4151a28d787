//! One condition from a field's list, and how it judges one event value.

use std::borrow::Cow;
use std::net::IpAddr;

use serde_json::Number;

use super::ignore_case::IgnoreCase;
use super::ip::{ip_bits, ip_literal};
use super::number;

/// One leaf value of an event, as found at some field path.
#[derive(Debug, Clone)]
pub(crate) enum Leaf<'a> {
    Str(Cow<'a, str>),
    Num {
        n: Number,
        cmp: Option<i64>,
    },
    /// A number beyond a double's range (its text): AWS reads it, and it compares with
    /// nothing, though `exists` and the string forms of anything-but see a number.
    Big(Cow<'a, str>),
    Bool(bool),
    Null,
}

impl Leaf<'_> {
    pub(crate) fn num(n: Number) -> Leaf<'static> {
        let cmp = number::comparable(&n);
        Leaf::Num { n, cmp }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Leaf::Str(s) => serde_json::Value::String(s.to_string()).to_string(),
            Leaf::Num { n, .. } => n.to_string(),
            Leaf::Big(text) => text.to_string(),
            Leaf::Bool(b) => b.to_string(),
            Leaf::Null => "null".to_string(),
        }
    }
}

/// A numeric bound: millionths and whether the bound itself is included.
pub(crate) type Bound = Option<(i64, bool)>;

#[derive(Debug, Clone)]
pub(crate) enum Cond {
    Str(String),
    /// A number inside AWS's numeric range: matched by value.
    Num(i64, Number),
    /// A number outside that range: matched by its literal only.
    NumLiteral(Number),
    Bool(bool),
    Null,
    /// A plain string value that is an IP address literal: AWS compares it as an address.
    Ip(IpAddr, String),
    Prefix(String),
    PrefixCi(IgnoreCase),
    Suffix(String),
    SuffixCi(IgnoreCase),
    EqCi(IgnoreCase),
    Wildcard(Wildcard),
    Numeric {
        lo: Bound,
        hi: Bound,
    },
    /// Addresses from `lo` to `hi` inclusive: the network the block names (host bits of
    /// the base address masked off).
    Cidr {
        lo: u128,
        hi: u128,
        v6: bool,
        text: String,
    },
    Exists(bool),
    AnythingBut(AnythingBut),
}

#[derive(Debug, Clone)]
pub(crate) enum AnythingBut {
    Strs(Vec<String>),
    Nums(Vec<i64>),
    Prefix(Vec<String>),
    Suffix(Vec<String>),
    Ci(Vec<IgnoreCase>),
    Wildcard(Vec<Wildcard>),
}

/// A parsed wildcard: literal pieces between `*`s, with searchers for the middle ones.
#[derive(Debug, Clone)]
pub(crate) struct Wildcard {
    pub(crate) text: String,
    pieces: Vec<Vec<u8>>,
    finders: Vec<memchr::memmem::Finder<'static>>,
}

impl Wildcard {
    /// Parses `text`; errors carry AWS's reason. Positions count the opening quote AWS
    /// adds internally, hence the +1.
    pub(crate) fn parse(text: &str) -> Result<Wildcard, String> {
        let b = text.as_bytes();
        let mut pieces = vec![Vec::new()];
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'*' => {
                    if b.get(i + 1) == Some(&b'*') {
                        return Err(format!("Consecutive wildcard characters at pos {}", i + 1));
                    }
                    pieces.push(Vec::new());
                }
                b'\\' => match b.get(i + 1) {
                    Some(&c @ (b'*' | b'\\')) => {
                        if let Some(p) = pieces.last_mut() {
                            p.push(c);
                        }
                        i += 1;
                    }
                    _ => return Err(format!("Invalid escape character at pos {}", i + 1)),
                },
                c => {
                    if let Some(p) = pieces.last_mut() {
                        p.push(c);
                    }
                }
            }
            i += 1;
        }
        let n = pieces.len();
        let finders = pieces
            .iter()
            .enumerate()
            .filter(|(i, p)| *i > 0 && *i + 1 < n && !p.is_empty())
            .map(|(_, p)| memchr::memmem::Finder::new(p).into_owned())
            .collect();
        Ok(Wildcard {
            text: text.to_string(),
            pieces,
            finders,
        })
    }

    /// The literal pieces between `*`s (escapes resolved); one piece means no `*`.
    pub(crate) fn pieces(&self) -> &[Vec<u8>] {
        &self.pieces
    }

    pub(crate) fn star_count(&self) -> usize {
        self.pieces.len() - 1
    }

    pub(crate) fn matches(&self, s: &str) -> bool {
        let s = s.as_bytes();
        let n = self.pieces.len();
        if n == 1 {
            return s == self.pieces[0].as_slice();
        }
        let first = &self.pieces[0];
        let last = &self.pieces[n - 1];
        if s.len() < first.len() + last.len() || !s.starts_with(first) || !s.ends_with(last) {
            return false;
        }
        // Middle pieces: leftmost placement is always safe for `*`-only globs.
        let mut rest = &s[first.len()..s.len() - last.len()];
        for f in &self.finders {
            let found = if rest.len() <= 64 {
                // Short text: a plain scan beats setting up the vectorised searcher.
                find_short(rest, f.needle())
            } else {
                f.find(rest)
            };
            match found {
                Some(at) => rest = &rest[at + f.needle().len()..],
                None => return false,
            }
        }
        true
    }
}

/// First position of `needle` (not empty) in `hay`, by a plain scan.
#[inline]
fn find_short(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&first, tail)) = needle.split_first() else {
        return Some(0);
    };
    let last = hay.len().checked_sub(needle.len())?;
    let mut from = 0;
    while let Some(at) = memchr::memchr(first, &hay[from..=last]) {
        let i = from + at;
        if hay[i + 1..].starts_with(tail) {
            return Some(i);
        }
        from = i + 1;
        if from > last {
            break;
        }
    }
    None
}

fn in_bounds(c: i64, lo: Bound, hi: Bound) -> bool {
    let lo_ok = match lo {
        None => true,
        Some((b, incl)) => c > b || (incl && c == b),
    };
    let hi_ok = match hi {
        None => true,
        Some((b, incl)) => c < b || (incl && c == b),
    };
    lo_ok && hi_ok
}

impl AnythingBut {
    /// Whether a present value passes. Each form lets every value of another type through:
    /// string forms any non-string, the numeric form any non-number (docs/patterns.md).
    pub(crate) fn passes(&self, v: &Leaf) -> bool {
        match (self, v) {
            (AnythingBut::Nums(ns), Leaf::Num { cmp: Some(c), .. }) => !ns.contains(c),
            // A number beyond a double's range is a number that compares with nothing.
            (AnythingBut::Nums(_), Leaf::Big(_)) => false,
            (AnythingBut::Nums(_), _) => true,
            (_, Leaf::Str(s)) => match self {
                AnythingBut::Strs(xs) => !xs.iter().any(|x| x == s),
                AnythingBut::Prefix(xs) => !xs.iter().any(|x| s.starts_with(x.as_str())),
                AnythingBut::Suffix(xs) => !xs.iter().any(|x| s.ends_with(x.as_str())),
                AnythingBut::Ci(xs) => !xs.iter().any(|x| x.equals(s)),
                AnythingBut::Wildcard(ws) => !ws.iter().any(|w| w.matches(s)),
                AnythingBut::Nums(_) => false,
            },
            _ => true,
        }
    }
}

impl Cond {
    /// Whether one present leaf value satisfies this condition. `Exists(false)` is decided
    /// per field (absence), never per value.
    pub(crate) fn matches(&self, v: &Leaf) -> bool {
        match (self, v) {
            (Cond::Exists(e), _) => *e,
            (Cond::AnythingBut(ab), _) => ab.passes(v),
            (Cond::Str(x), Leaf::Str(s)) => x == s,
            (Cond::Num(c, _), Leaf::Num { cmp: Some(d), .. }) => c == d,
            (Cond::NumLiteral(x), Leaf::Num { n, .. }) => x == n,
            (Cond::Bool(x), Leaf::Bool(b)) => x == b,
            (Cond::Null, Leaf::Null) => true,
            (Cond::Ip(ip, _), Leaf::Str(s)) => ip_literal(s) == Some(*ip),
            (Cond::Prefix(p), Leaf::Str(s)) => s.starts_with(p.as_str()),
            (Cond::Suffix(p), Leaf::Str(s)) => s.ends_with(p.as_str()),
            (Cond::PrefixCi(p), Leaf::Str(s)) => p.is_prefix_of(s),
            (Cond::SuffixCi(p), Leaf::Str(s)) => p.is_suffix_of(s),
            (Cond::EqCi(p), Leaf::Str(s)) => p.equals(s),
            (Cond::Wildcard(w), Leaf::Str(s)) => w.matches(s),
            (Cond::Numeric { lo, hi }, Leaf::Num { cmp: Some(c), .. }) => in_bounds(*c, *lo, *hi),
            (Cond::Cidr { lo, hi, v6, .. }, Leaf::Str(s)) => ip_literal(s)
                .map(ip_bits)
                .is_some_and(|(x, is6)| is6 == *v6 && *lo <= x && x <= *hi),
            _ => false,
        }
    }

    pub(crate) fn describe(&self) -> String {
        let q = |s: &str| serde_json::Value::String(s.to_string()).to_string();
        let list = |xs: &[String]| xs.iter().map(|x| q(x)).collect::<Vec<_>>().join(", ");
        match self {
            Cond::Str(s) => format!("equals {}", q(s)),
            Cond::Num(_, n) | Cond::NumLiteral(n) => format!("equals the number {n}"),
            Cond::Bool(b) => format!("equals {b}"),
            Cond::Null => "is null".to_string(),
            Cond::Ip(_, s) => format!("is the IP address {s}"),
            Cond::Prefix(p) => format!("starts with {}", q(p)),
            Cond::PrefixCi(p) => format!("starts with {} (ignoring case)", q(p.text())),
            Cond::Suffix(p) => format!("ends with {}", q(p)),
            Cond::SuffixCi(p) => format!("ends with {} (ignoring case)", q(p.text())),
            Cond::EqCi(p) => format!("equals {} (ignoring case)", q(p.text())),
            Cond::Wildcard(w) => format!("matches the wildcard {}", q(&w.text)),
            Cond::Numeric { lo, hi } => {
                let mut parts = Vec::new();
                if let Some((b, incl)) = lo {
                    parts.push(format!(
                        "{} {}",
                        if *incl { ">=" } else { ">" },
                        number::show(*b)
                    ));
                }
                if let Some((b, incl)) = hi {
                    parts.push(format!(
                        "{} {}",
                        if *incl { "<=" } else { "<" },
                        number::show(*b)
                    ));
                }
                format!("is a number {}", parts.join(" and "))
            }
            Cond::Cidr { text, .. } => format!("is an IP address in {text}"),
            Cond::Exists(true) => "exists".to_string(),
            Cond::Exists(false) => "does not exist".to_string(),
            Cond::AnythingBut(ab) => match ab {
                AnythingBut::Strs(xs) => format!("is anything but {}", list(xs)),
                AnythingBut::Nums(ns) => format!(
                    "is a number other than {}",
                    ns.iter()
                        .map(|n| number::show(*n))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                AnythingBut::Prefix(xs) => format!("does not start with {}", list(xs)),
                AnythingBut::Suffix(xs) => format!("does not end with {}", list(xs)),
                AnythingBut::Ci(xs) => format!(
                    "is anything but {} (ignoring case)",
                    xs.iter()
                        .map(|x| q(x.text()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                AnythingBut::Wildcard(ws) => format!(
                    "does not match the wildcard {}",
                    ws.iter().map(|w| q(&w.text)).collect::<Vec<_>>().join(", ")
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        let w = |p: &str, s: &str| Wildcard::parse(p).unwrap().matches(s);
        assert!(w("*", ""));
        assert!(w("a*b", "ab"));
        assert!(w("a*b*c", "aXbYc"));
        assert!(!w("a*b*c", "aXcYb"));
        assert!(w("*.png", "x.png"));
        assert!(w(r"a\*b", "a*b"));
        assert!(!w(r"a\*b", "axb"));
        assert!(w(r"a\\*", r"a\zz"));
        assert!(!w("ab*ba", "aba"));
        assert_eq!(
            Wildcard::parse("a**").unwrap_err(),
            "Consecutive wildcard characters at pos 2"
        );
        assert_eq!(
            Wildcard::parse(r"a\b").unwrap_err(),
            "Invalid escape character at pos 2"
        );
    }
}
