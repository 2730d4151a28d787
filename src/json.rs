//! JSON text as AWS's reader (Jackson) takes it: documents nested up to 1000 levels, the
//! last of duplicate keys, and `\u` escapes of unpaired surrogates, which AWS's matcher sees
//! as '?' (docs/aws-facts-events.md, "JSON as AWS reads it").
//!
//! `parse` builds a `serde_json::Value` without recursion, so no input can exhaust a
//! thread's stack while it is read: serde_json's own reader needs about a kilobyte of stack
//! per level, more than a small thread has at AWS's depth.

use serde_json::{Map, Number, Value};

/// AWS's nesting limit: "PutEvents will only process nested JSON up to 1000 levels deep"
/// (API reference); also the default of Jackson's `StreamReadConstraints`.
pub const MAX_DEPTH: usize = 1000;

/// Jackson's text for a document nested deeper than `MAX_DEPTH` (`depth` is the first level
/// over the limit).
pub fn depth_message(depth: usize) -> String {
    format!(
        "Document nesting depth ({depth}) exceeds the maximum allowed ({MAX_DEPTH}, from `StreamReadConstraints.getMaxNestingDepth()`)"
    )
}

/// Calls `f`, the reading of one level nested `depth` deep, on a stack with room for at least
/// `GROW_EVERY` more levels: every `GROW_EVERY` levels a recursive reader checks how much
/// stack is left, and goes on in a new segment when it runs low. Shallow input (nearly all)
/// never reaches the check.
#[inline(always)]
pub fn deeper<R>(depth: usize, f: impl FnOnce() -> R) -> R {
    if depth % GROW_EVERY == GROW_EVERY - 1 {
        grow(f)
    } else {
        f()
    }
}

/// Kept out of line, so that the readers' hot loops do not carry a second copy of their
/// recursive call.
#[cold]
#[inline(never)]
fn grow<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(256 * 1024, 4 * 1024 * 1024, f)
}

/// How many levels a recursive reader goes between checks of the stack left: at most a few
/// kilobytes each (unoptimised builds), well inside the margin `deeper` keeps.
const GROW_EVERY: usize = 32;

/// What unpaired surrogates read as: Java's UTF-8 encoder, which AWS's matcher uses on
/// every string, writes '?' for each.
pub const UNPAIRED_SURROGATE: char = '?';

/// Why text is not a JSON document, and where reading stopped (a byte offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub kind: ErrorKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Nested deeper than `MAX_DEPTH`.
    TooDeep,
    /// A number beyond the range of a double, which a `Value` cannot hold.
    NumberOutOfRange,
    /// Anything else: the grammar, control characters in strings, bad escapes.
    Syntax(&'static str),
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            ErrorKind::TooDeep => write!(f, "nested deeper than {MAX_DEPTH} levels"),
            ErrorKind::NumberOutOfRange => write!(f, "number out of range"),
            ErrorKind::Syntax(what) => write!(f, "{what}"),
        }?;
        write!(f, " at byte {}", self.offset)
    }
}

impl std::error::Error for JsonError {}

/// An open container while reading.
enum Open {
    Array(Vec<Value>),
    /// The members so far and the key whose value is being read.
    Object(Map<String, Value>, String),
}

struct Reader<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

/// Reads one JSON document. Accepts exactly what serde_json accepts, except that nesting
/// may go to `MAX_DEPTH` and unpaired surrogate escapes read as '?'.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut r = Reader {
        s: text,
        b: text.as_bytes(),
        i: 0,
    };
    let mut open: Vec<Open> = Vec::new();
    r.ws();
    'value: loop {
        // One value at `r.i`; containers are opened and read on the next turns.
        let mut v = match r.peek() {
            Some(c @ (b'{' | b'[')) => {
                if open.len() >= MAX_DEPTH {
                    return Err(r.fail(ErrorKind::TooDeep));
                }
                r.i += 1;
                r.ws();
                if c == b'{' {
                    if r.peek() == Some(b'}') {
                        r.i += 1;
                        Value::Object(Map::new())
                    } else {
                        let key = r.key()?;
                        open.push(Open::Object(Map::new(), key));
                        continue 'value;
                    }
                } else if r.peek() == Some(b']') {
                    r.i += 1;
                    Value::Array(Vec::new())
                } else {
                    open.push(Open::Array(Vec::new()));
                    continue 'value;
                }
            }
            Some(b'"') => Value::String(r.string()?),
            Some(b't') => r.literal("true", Value::Bool(true))?,
            Some(b'f') => r.literal("false", Value::Bool(false))?,
            Some(b'n') => r.literal("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => {
                let start = r.i;
                let text = r.number()?;
                match to_number(text) {
                    Some(n) => Value::Number(n),
                    None => {
                        r.i = start;
                        return Err(r.fail(ErrorKind::NumberOutOfRange));
                    }
                }
            }
            _ => return Err(r.syntax("expected a value")),
        };
        // Hand the value to its container, closing every container it completes.
        loop {
            r.ws();
            match open.last_mut() {
                None => {
                    if r.i != r.b.len() {
                        return Err(r.syntax("trailing characters"));
                    }
                    return Ok(v);
                }
                Some(Open::Array(items)) => {
                    items.push(v);
                    match r.peek() {
                        Some(b',') => {
                            r.i += 1;
                            r.ws();
                            continue 'value;
                        }
                        Some(b']') => r.i += 1,
                        _ => return Err(r.syntax("expected ',' or ']'")),
                    }
                }
                Some(Open::Object(members, key)) => {
                    // The last of duplicate keys wins, in the place of the first.
                    members.insert(std::mem::take(key), v);
                    match r.peek() {
                        Some(b',') => {
                            r.i += 1;
                            r.ws();
                            *key = r.key()?;
                            continue 'value;
                        }
                        Some(b'}') => r.i += 1,
                        _ => return Err(r.syntax("expected ',' or '}'")),
                    }
                }
            }
            v = match open.pop() {
                Some(Open::Array(items)) => Value::Array(items),
                Some(Open::Object(members, _)) => Value::Object(members),
                None => unreachable!("a container was open"),
            };
        }
    }
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn fail(&self, kind: ErrorKind) -> JsonError {
        JsonError {
            offset: self.i,
            kind,
        }
    }

    fn syntax(&self, what: &'static str) -> JsonError {
        self.fail(ErrorKind::Syntax(what))
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.i += 1;
        }
    }

    /// A member's key and the ':' after it, leaving `i` at its value.
    fn key(&mut self) -> Result<String, JsonError> {
        if self.peek() != Some(b'"') {
            return Err(self.syntax("expected a key"));
        }
        let k = self.string()?;
        self.ws();
        if self.peek() != Some(b':') {
            return Err(self.syntax("expected ':'"));
        }
        self.i += 1;
        self.ws();
        Ok(k)
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, JsonError> {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.syntax("bad literal"))
        }
    }

    /// The text of the number at `i`, checked against JSON's grammar.
    fn number(&mut self) -> Result<&'a str, JsonError> {
        let start = self.i;
        let digits = |r: &mut Self| {
            let from = r.i;
            while r.peek().is_some_and(|c| c.is_ascii_digit()) {
                r.i += 1;
            }
            r.i - from
        };
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(self.syntax("bad number")),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return Err(self.syntax("bad number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.syntax("bad number"));
            }
        }
        Ok(&self.s[start..self.i])
    }

    /// The string at `i` (on its opening quote), unescaped.
    fn string(&mut self) -> Result<String, JsonError> {
        let start = self.i + 1;
        let mut end = start;
        while let Some(&c) = self.b.get(end) {
            if c == b'"' || c == b'\\' || c < 0x20 {
                break;
            }
            end += 1;
        }
        if self.b.get(end) == Some(&b'"') {
            self.i = end + 1;
            return Ok(self.s[start..end].to_owned());
        }
        self.i = end;
        let end = string_end(self.b, self.i).map_err(|(at, what)| JsonError {
            offset: at,
            kind: ErrorKind::Syntax(what),
        })?;
        let text = unescape(&self.s[start..end - 1]);
        self.i = end;
        Ok(text)
    }
}

/// The index just past the string whose body continues at `i`, checking every escape;
/// `Err((offset, reason))` for a string serde_json would refuse (other than for unpaired
/// surrogates, which are read as '?').
pub fn string_end(b: &[u8], mut i: usize) -> Result<usize, (usize, &'static str)> {
    loop {
        match b.get(i) {
            Some(b'"') => return Ok(i + 1),
            Some(b'\\') => {
                i += 1;
                match b.get(i) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 1,
                    Some(b'u') => {
                        if hex4(b, i + 1).is_none() {
                            return Err((i, "bad escape"));
                        }
                        i += 5;
                    }
                    _ => return Err((i, "bad escape")),
                }
            }
            Some(&c) if c < 0x20 => return Err((i, "control character in string")),
            Some(_) => i += 1,
            None => return Err((i, "unterminated string")),
        }
    }
}

fn hex4(b: &[u8], at: usize) -> Option<u16> {
    let h = b.get(at..at + 4)?;
    let mut v = 0u16;
    for c in h {
        v = v * 16 + (*c as char).to_digit(16)? as u16;
    }
    Some(v)
}

/// The text of a string body (between its quotes) whose escapes `string_end` has checked.
/// A surrogate escape that is not half of a pair reads as '?'.
pub fn unescape(body: &str) -> String {
    let b = body.as_bytes();
    let mut out = String::with_capacity(body.len());
    let mut i = 0;
    while i < b.len() {
        let Some(at) = memchr::memchr(b'\\', &b[i..]) else {
            out.push_str(&body[i..]);
            break;
        };
        out.push_str(&body[i..i + at]);
        i += at + 1;
        let c = b.get(i).copied().unwrap_or(b'\\');
        i += 1;
        match c {
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let u = hex4(b, i).unwrap_or(0xFFFD);
                i += 4;
                let low = (0xD800..0xDC00)
                    .contains(&u)
                    .then(|| {
                        (b.get(i..i + 2) == Some(b"\\u"))
                            .then(|| hex4(b, i + 2))
                            .flatten()
                    })
                    .flatten()
                    .filter(|l| (0xDC00..0xE000).contains(l));
                let ch = match low {
                    Some(l) => {
                        i += 6;
                        char::from_u32(0x10000 + ((u as u32 - 0xD800) << 10) + (l as u32 - 0xDC00))
                    }
                    None => char::from_u32(u as u32),
                };
                out.push(ch.unwrap_or(UNPAIRED_SURROGATE));
            }
            other => out.push(other as char),
        }
    }
    out
}

/// The `Number` serde_json builds from valid number text: integers that fit stay integers,
/// everything else is the correctly rounded double; None beyond a double's range.
pub fn to_number(text: &str) -> Option<Number> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text),
    };
    if digits.len() <= 18 {
        // Up to 18 digits fit an i64 either way: no need for the general parsers.
        let mut v = 0u64;
        let mut plain = true;
        for c in digits.bytes() {
            plain &= c.is_ascii_digit();
            v = v
                .wrapping_mul(10)
                .wrapping_add(u64::from(c.wrapping_sub(b'0')));
        }
        // serde_json reads "-0" as the float -0.0 (below).
        if plain && !digits.is_empty() && (!neg || v != 0) {
            return Some(if neg {
                Number::from(-(v as i64))
            } else {
                Number::from(v)
            });
        }
    }
    let integral = !text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'));
    if integral {
        if let Ok(u) = text.parse::<u64>() {
            return Some(Number::from(u));
        }
        // serde_json reads "-0" as the float -0.0.
        if let Ok(i) = text.parse::<i64>() {
            if i != 0 {
                return Some(Number::from(i));
            }
        }
    }
    text.parse::<f64>().ok().and_then(Number::from_f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn nested(n: usize) -> String {
        "[".repeat(n) + &"]".repeat(n)
    }

    #[test]
    fn depth_limit_is_awss() {
        assert!(parse(&nested(MAX_DEPTH)).is_ok());
        let e = parse(&nested(MAX_DEPTH + 1)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::TooDeep);
        assert_eq!(e.offset, MAX_DEPTH);
        let objects = r#"{"a":"#.repeat(MAX_DEPTH + 1) + "1" + &"}".repeat(MAX_DEPTH + 1);
        assert_eq!(parse(&objects).unwrap_err().kind, ErrorKind::TooDeep);
        assert_eq!(
            depth_message(1001),
            "Document nesting depth (1001) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNestingDepth()`)"
        );
    }

    #[test]
    fn far_deeper_input_is_refused_on_a_small_stack() {
        let text = nested(1_000_000);
        let small = std::thread::Builder::new().stack_size(64 * 1024);
        let kind = small
            .spawn(move || parse(&text).map(|_| ()).unwrap_err().kind)
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(kind, ErrorKind::TooDeep);
    }

    #[test]
    fn duplicates_and_surrogates() {
        let v = parse(r#"{"a":1,"b":2,"a":{"c":3}}"#).unwrap();
        assert_eq!(v.to_string(), r#"{"a":{"c":3},"b":2}"#);
        let v = parse(r#"["\ud800","\udfff x","\ud83d\ude00","\ud800\u0041","\\ud800"]"#).unwrap();
        assert_eq!(v, serde_json::json!(["?", "? x", "😀", "?A", "\\ud800"]));
        assert_eq!(
            parse("1e400").unwrap_err().kind,
            ErrorKind::NumberOutOfRange
        );
    }

    /// JSON-ish text: mostly valid documents, with the mistakes a reader must catch.
    fn texts() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("null".to_string()),
            Just("true".to_string()),
            Just("fals".to_string()),
            "-?(0|[1-9][0-9]{0,20})(\\.[0-9]{1,5})?([eE][+-]?[0-9]{1,3})?",
            "\"([a-z ]|\\\\[nt\"/\\\\]|\\\\u00[0-9a-f]{2}|é|\\\\u[dD][89aAcC][0-9a-f]{2}){0,6}\"",
            Just("\"\u{1}\"".to_string()),
            Just("01".to_string()),
        ];
        leaf.prop_recursive(5, 40, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(","))),
                prop::collection::vec(("[a-c]{0,2}", inner), 0..4).prop_map(|m| {
                    let body: Vec<String> =
                        m.iter().map(|(k, v)| format!("\"{k}\" : {v}")).collect();
                    format!("{{ {} }}", body.join(" ,"))
                }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The reader accepts and builds what serde_json does, wherever serde_json has an
        /// answer (it refuses unpaired surrogates, which this reader reads as '?').
        #[test]
        fn reads_as_serde_json_reads(t in texts(), cut in 0usize..60) {
            for text in [t.clone(), t.chars().take(cut).collect::<String>(), format!("{t} x")] {
                let ours = parse(&text);
                match serde_json::from_str::<Value>(&text) {
                    Ok(v) => {
                        prop_assert_eq!(ours.as_ref().ok(), Some(&v), "{}", text);
                        prop_assert_eq!(ours.unwrap().to_string(), v.to_string());
                    }
                    // serde_json refuses unpaired surrogate escapes; AWS does not.
                    Err(_) if text.to_lowercase().contains("\\ud") => {}
                    Err(_) => prop_assert!(ours.is_err(), "{}", text),
                }
            }
        }
    }
}
