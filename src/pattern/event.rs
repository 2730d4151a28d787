//! Pulling the values some pattern mentions out of an event, from a parsed `Value` or
//! straight from JSON text (skipping, but still validating, everything else).
//!
//! Each value carries its array membership: which element of which array it sits in.
//! AWS only combines values from the same element of an array of objects, so the matcher
//! needs this (docs/patterns.md, "array consistency").

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::{Number, Value};

use super::cond::Leaf;
use super::error::EventJsonError;
use super::hash::FxBuild;

/// serde_json refuses events nested deeper than this; we refuse the same ones.
pub(crate) const MAX_EVENT_DEPTH: usize = 128;

/// Field paths as a tree of key segments. Keys are split on '.', as AWS joins nested keys
/// with '.', so `{"a.b": 1}` and `{"a": {"b": 1}}` reach the same path.
#[derive(Debug, Default, Clone)]
pub(crate) struct Trie {
    nodes: Vec<Node>,
}

#[derive(Debug, Default, Clone)]
struct Node {
    small: Vec<(Box<str>, u32)>,
    big: Option<HashMap<Box<str>, u32, FxBuild>>,
    path: Option<u32>,
}

const SMALL: usize = 8;

impl Trie {
    pub(crate) fn new() -> Self {
        Trie {
            nodes: vec![Node::default()],
        }
    }

    /// Adds a dotted path, giving it id `id`.
    pub(crate) fn insert(&mut self, path: &str, id: u32) {
        let mut at = 0usize;
        for seg in path.split('.') {
            at = match self.step(at as u32, seg) {
                Some(n) => n as usize,
                None => {
                    let n = self.nodes.len() as u32;
                    self.nodes.push(Node::default());
                    let node = &mut self.nodes[at];
                    node.small.push((seg.into(), n));
                    if node.small.len() > SMALL {
                        node.big = Some(node.small.iter().cloned().collect());
                    }
                    n as usize
                }
            };
        }
        self.nodes[at].path = Some(id);
    }

    fn step(&self, node: u32, seg: &str) -> Option<u32> {
        let n = self.nodes.get(node as usize)?;
        if let Some(m) = &n.big {
            return m.get(seg).copied();
        }
        n.small
            .iter()
            .find(|(k, _)| k.len() == seg.len() && **k == *seg)
            .map(|(_, c)| *c)
    }

    /// The node an event key leads to from `node`, if any pattern goes there.
    pub(crate) fn child(&self, node: u32, key: &str) -> Option<u32> {
        if memchr::memchr(b'.', key.as_bytes()).is_none() {
            return self.step(node, key);
        }
        let mut at = node;
        for seg in key.split('.') {
            at = self.step(at, seg)?;
        }
        Some(at)
    }

    pub(crate) fn path(&self, node: u32) -> Option<u32> {
        self.nodes.get(node as usize).and_then(|n| n.path)
    }

    fn has_children(&self, node: u32) -> bool {
        self.nodes
            .get(node as usize)
            .is_some_and(|n| !n.small.is_empty())
    }
}

/// One value found at a pattern path.
#[derive(Debug, Clone)]
pub(crate) struct Val<'a> {
    pub(crate) path: u32,
    pub(crate) leaf: Leaf<'a>,
    /// Range in `Flat::mem`: (array id, element index) pairs, outermost first.
    pub(crate) mem: (u32, u32),
}

#[derive(Debug, Default)]
pub(crate) struct Flat<'a> {
    pub(crate) vals: Vec<Val<'a>>,
    pub(crate) mem: Vec<(u32, u32)>,
    stack: Vec<(u32, u32)>,
    arrays: u32,
}

impl<'a> Flat<'a> {
    pub(crate) fn membership(&self, v: &Val) -> &[(u32, u32)] {
        &self.mem[v.mem.0 as usize..(v.mem.0 + v.mem.1) as usize]
    }

    fn emit(&mut self, path: u32, leaf: Leaf<'a>) {
        let start = self.mem.len() as u32;
        self.mem.extend_from_slice(&self.stack);
        self.vals.push(Val {
            path,
            leaf,
            mem: (start, self.stack.len() as u32),
        });
    }

    /// Collects from a parsed event.
    pub(crate) fn from_value(trie: &Trie, v: &'a Value) -> Flat<'a> {
        let mut f = Flat::default();
        f.walk(trie, 0, v, 0);
        f
    }

    fn walk(&mut self, trie: &Trie, node: u32, v: &'a Value, depth: usize) {
        if depth > MAX_EVENT_DEPTH {
            return;
        }
        match v {
            Value::Object(m) => {
                for (k, cv) in m {
                    if let Some(c) = trie.child(node, k) {
                        self.walk(trie, c, cv, depth + 1);
                    }
                }
            }
            Value::Array(a) => {
                let id = self.arrays;
                self.arrays += 1;
                for (i, e) in a.iter().enumerate() {
                    self.stack.push((id, i as u32));
                    self.walk(trie, node, e, depth + 1);
                    self.stack.pop();
                }
            }
            leaf => {
                if let Some(p) = trie.path(node) {
                    let l = match leaf {
                        Value::String(s) => Leaf::Str(Cow::Borrowed(s.as_str())),
                        Value::Number(n) => Leaf::num(n.clone()),
                        Value::Bool(b) => Leaf::Bool(*b),
                        _ => Leaf::Null,
                    };
                    self.emit(p, l);
                }
            }
        }
    }

    /// Collects from JSON text, validating all of it as serde_json would.
    pub(crate) fn from_json(trie: &Trie, text: &'a str) -> Result<Flat<'a>, EventJsonError> {
        let mut f = Flat {
            vals: Vec::with_capacity(32),
            ..Flat::default()
        };
        let mut sc = Scanner {
            s: text,
            b: text.as_bytes(),
            i: 0,
        };
        sc.ws();
        sc.value(trie, Some(0), 0, &mut f)?;
        sc.ws();
        if sc.i != sc.b.len() {
            return Err(sc.err("trailing characters"));
        }
        Ok(f)
    }
}

/// Skips string bytes that need no attention (not '"', '\\' or a control character),
/// eight at a time; returns the index of the first byte that does.
#[inline]
fn skip_plain(b: &[u8], mut i: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = b.get(i..i + 8) {
        let Ok(w) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(w);
        let zero = |y: u64| y.wrapping_sub(LO) & !y & HI;
        let ctrl = x.wrapping_sub(LO * 0x20) & !x & HI;
        if (zero(x ^ (LO * b'"' as u64)) | zero(x ^ (LO * b'\\' as u64)) | ctrl) != 0 {
            break;
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

/// The `Number` serde_json would build from valid number text: integers that fit stay
/// integers, everything else is the correctly rounded f64.
pub(crate) fn to_number(text: &str) -> Option<Number> {
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

struct Scanner<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Scanner<'a> {
    fn err(&self, what: &'static str) -> EventJsonError {
        EventJsonError {
            offset: self.i,
            what,
        }
    }

    fn ws(&mut self) {
        while let Some(c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn expect(&mut self, c: u8, what: &'static str) -> Result<(), EventJsonError> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(what))
        }
    }

    /// `node`: where this value sits in the trie, or None when no pattern looks here.
    fn value(
        &mut self,
        trie: &Trie,
        node: Option<u32>,
        depth: usize,
        f: &mut Flat<'a>,
    ) -> Result<(), EventJsonError> {
        match self.peek() {
            Some(b'{') => {
                if depth >= MAX_EVENT_DEPTH {
                    return Err(self.err("recursion limit exceeded"));
                }
                self.i += 1;
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(());
                }
                let descend = node.filter(|n| trie.has_children(*n));
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return Err(self.err("expected a key"));
                    }
                    let child = match descend {
                        Some(n) => {
                            let k = self.string(true)?;
                            trie.child(n, &k)
                        }
                        None => {
                            self.string(false)?;
                            None
                        }
                    };
                    self.ws();
                    self.expect(b':', "expected ':'")?;
                    self.ws();
                    self.value(trie, child, depth + 1, f)?;
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(());
                        }
                        _ => return Err(self.err("expected ',' or '}'")),
                    }
                }
            }
            Some(b'[') => {
                if depth >= MAX_EVENT_DEPTH {
                    return Err(self.err("recursion limit exceeded"));
                }
                self.i += 1;
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    if node.is_some() {
                        f.arrays += 1;
                    }
                    return Ok(());
                }
                let id = f.arrays;
                if node.is_some() {
                    f.arrays += 1;
                }
                let mut idx = 0u32;
                loop {
                    self.ws();
                    if node.is_some() {
                        f.stack.push((id, idx));
                    }
                    let r = self.value(trie, node, depth + 1, f);
                    if node.is_some() {
                        f.stack.pop();
                    }
                    r?;
                    idx = idx.wrapping_add(1);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(());
                        }
                        _ => return Err(self.err("expected ',' or ']'")),
                    }
                }
            }
            Some(b'"') => {
                let path = node.and_then(|n| trie.path(n));
                let s = self.string(path.is_some())?;
                if let Some(p) = path {
                    f.emit(p, Leaf::Str(s));
                }
                Ok(())
            }
            Some(b't') => self.literal(
                b"true",
                node.and_then(|n| trie.path(n)),
                Leaf::Bool(true),
                f,
            ),
            Some(b'f') => self.literal(
                b"false",
                node.and_then(|n| trie.path(n)),
                Leaf::Bool(false),
                f,
            ),
            Some(b'n') => self.literal(b"null", node.and_then(|n| trie.path(n)), Leaf::Null, f),
            Some(b'-' | b'0'..=b'9') => {
                let n = self.number()?;
                if let Some(p) = node.and_then(|n| trie.path(n)) {
                    let num = to_number(n).ok_or_else(|| self.err("bad number"))?;
                    f.emit(p, Leaf::num(num));
                }
                Ok(())
            }
            _ => Err(self.err("expected a value")),
        }
    }

    fn literal(
        &mut self,
        word: &[u8],
        path: Option<u32>,
        leaf: Leaf<'a>,
        f: &mut Flat<'a>,
    ) -> Result<(), EventJsonError> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            if let Some(p) = path {
                f.emit(p, leaf);
            }
            Ok(())
        } else {
            Err(self.err("bad literal"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.i - start
    }

    /// Returns the number's text after checking JSON's grammar and serde's f64 range.
    fn number(&mut self) -> Result<&'a str, EventJsonError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.err("bad number")),
        }
        let mut exp = false;
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(self.err("bad number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            exp = true;
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("bad number"));
            }
        }
        let text = &self.s[start..self.i];
        // serde_json refuses numbers that overflow f64; only long or exponent forms can.
        if (exp || text.len() > 300) && !text.parse::<f64>().is_ok_and(|x| x.is_finite()) {
            return Err(self.err("number out of range"));
        }
        Ok(text)
    }

    /// Checks one escape sequence; `self.i` is just past the backslash.
    fn escape(&mut self) -> Result<(), EventJsonError> {
        match self.peek() {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.i += 1,
            Some(b'u') => {
                self.i += 1;
                let u = self.hex4()?;
                if (0xDC00..0xE000).contains(&u) {
                    return Err(self.err("lone surrogate"));
                }
                if (0xD800..0xDC00).contains(&u) {
                    if self.b.get(self.i..self.i + 2) != Some(b"\\u") {
                        return Err(self.err("lone surrogate"));
                    }
                    self.i += 2;
                    let lo = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(self.err("lone surrogate"));
                    }
                }
            }
            _ => return Err(self.err("bad escape")),
        }
        Ok(())
    }

    fn hex4(&mut self) -> Result<u16, EventJsonError> {
        let h = self
            .b
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.err("bad escape"))?;
        let mut v = 0u16;
        for c in h {
            let d = (*c as char)
                .to_digit(16)
                .ok_or_else(|| self.err("bad escape"))?;
            v = v * 16 + d as u16;
        }
        self.i += 4;
        Ok(v)
    }

    /// Reads a string at `self.i` (on the quote). Decodes only when `want`.
    fn string(&mut self, want: bool) -> Result<Cow<'a, str>, EventJsonError> {
        let start = self.i;
        let b = self.b;
        let mut i = start + 1;
        let mut escaped = false;
        loop {
            i = skip_plain(b, i);
            let Some(&c) = b.get(i) else {
                self.i = i;
                return Err(self.err("unterminated string"));
            };
            match c {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    self.i = i + 1;
                    self.escape()?;
                    i = self.i;
                }
                0..=0x1f => {
                    self.i = i;
                    return Err(self.err("control character in string"));
                }
                _ => i += 1,
            }
        }
        self.i = i;
        let end = self.i;
        self.i += 1;
        if !want {
            return Ok(Cow::Borrowed(""));
        }
        if !escaped {
            return Ok(Cow::Borrowed(&self.s[start + 1..end]));
        }
        serde_json::from_str::<String>(&self.s[start..=end])
            .map(Cow::Owned)
            .map_err(|_| self.err("bad string"))
    }
}
