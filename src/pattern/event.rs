//! Pulling the values some pattern mentions out of an event, from a parsed `Value` or
//! straight from JSON text (skipping, but still validating, everything else).
//!
//! Each value carries its array membership: which element of which array it sits in.
//! AWS only combines values from the same element of an array of objects, so the matcher
//! needs this (docs/patterns.md, "array consistency").

use std::borrow::Cow;

use serde_json::{Number, Value};

use super::cond::Leaf;
use super::error::EventJsonError;
use crate::json::{deeper, to_number};

/// AWS's nesting limit: deeper events are refused (text) or never reached (values).
pub(crate) const MAX_EVENT_DEPTH: usize = crate::json::MAX_DEPTH;

/// Why reading stopped when an event nests deeper than `MAX_EVENT_DEPTH`.
pub(crate) const TOO_DEEP: &str = "nested deeper than 1000 levels";

/// Why a first reading stopped: a key came twice in one object (never reported: the event
/// is read again, carefully).
const AGAIN: &str = "a key came twice";

/// The path of a value that a later duplicate key replaced (the last of duplicate keys
/// wins, as when AWS reads the event into an object).
const REPLACED: u32 = u32::MAX;

/// Field paths as a tree of key segments. Keys are split on '.', as AWS joins nested keys
/// with '.', so `{"a.b": 1}` and `{"a": {"b": 1}}` reach the same path.
#[derive(Debug, Default, Clone)]
pub(crate) struct Trie {
    nodes: Vec<Node>,
}

#[derive(Debug, Default, Clone)]
struct Node {
    /// (fingerprint, length, child, text) of each key segment below this node.
    keys: Vec<(u64, usize, u32, Box<str>)>,
    /// Each key's first and last eight bytes (keys of 8 to 16 bytes are compared by these).
    words: Vec<(u64, u64)>,
    /// Open-addressed table of indices into `keys` (NO_KEY when free): a power-of-two size
    /// at least twice the key count, so probe runs stay short.
    table: Vec<u32>,
    /// First bytes of the keys (a key of length 0 sets bit 0 of `empty`).
    firsts: [u64; 4],
    empty: bool,
    path: Option<u32>,
}

const NO_KEY: u32 = u32::MAX;

/// The eight bytes of `b` from `at`.
#[inline(always)]
fn word(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

/// A word standing for a key: for keys shorter than eight bytes it determines the key
/// (given its length), so only longer keys need a full comparison.
#[inline(always)]
fn fingerprint(b: &[u8]) -> u64 {
    let n = b.len();
    let half = |at: usize| -> u64 {
        let mut w = [0u8; 4];
        w.copy_from_slice(&b[at..at + 4]);
        u32::from_le_bytes(w) as u64
    };
    if n >= 8 {
        word(b, 0) ^ word(b, n - 8).rotate_left(29)
    } else if n >= 4 {
        half(0) | half(n - 4) << 32
    } else if n > 0 {
        b[0] as u64 | (b[n / 2] as u64) << 8 | (b[n - 1] as u64) << 16
    } else {
        0
    }
}

#[inline]
fn bucket(fp: u64, len: usize, mask: usize) -> usize {
    ((fp ^ (len as u64).rotate_right(7)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize & mask
}

impl Node {
    fn add(&mut self, seg: &str, child: u32) {
        let b = seg.as_bytes();
        match b.first() {
            Some(&c) => self.firsts[c as usize >> 6] |= 1 << (c & 63),
            None => self.empty = true,
        }
        self.words.push(if b.len() >= 8 {
            (word(b, 0), word(b, b.len() - 8))
        } else {
            (0, 0)
        });
        self.keys.push((fingerprint(b), b.len(), child, seg.into()));
        let size = (self.keys.len() * 2).next_power_of_two().max(4);
        self.table = vec![NO_KEY; size];
        let mask = size - 1;
        for (i, k) in self.keys.iter().enumerate() {
            let mut at = bucket(k.0, k.1, mask);
            while self.table[at] != NO_KEY {
                at = (at + 1) & mask;
            }
            self.table[at] = i as u32;
        }
    }

    /// Whether a key here can start `key` (shares its first byte, or is empty).
    #[inline]
    fn may_have(&self, key: &[u8]) -> bool {
        match key.first() {
            // Segments hold no '.': such a key can only start with an empty segment.
            Some(b'.') | None => self.empty,
            Some(&c) => self.firsts[c as usize >> 6] & (1 << (c & 63)) != 0,
        }
    }

    #[inline]
    fn get(&self, b: &[u8]) -> Option<u32> {
        if !self.may_have(b) {
            return None;
        }
        self.get_unchecked(b)
    }

    /// `get` once `may_have` has passed.
    #[inline(always)]
    fn get_unchecked(&self, b: &[u8]) -> Option<u32> {
        let fp = fingerprint(b);
        let mask = self.table.len() - 1;
        let mut at = bucket(fp, b.len(), mask);
        loop {
            let i = self.table[at];
            if i == NO_KEY {
                return None;
            }
            let k = &self.keys[i as usize];
            if k.0 == fp && k.1 == b.len() {
                let n = b.len();
                let same = if n < 8 {
                    true
                } else if n <= 16 {
                    self.words[i as usize] == (word(b, 0), word(b, n - 8))
                } else {
                    *k.3.as_bytes() == *b
                };
                if same {
                    return Some(k.2);
                }
            }
            at = (at + 1) & mask;
        }
    }
}

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
            at = match self.step(at as u32, seg.as_bytes()) {
                Some(n) => n as usize,
                None => {
                    let n = self.nodes.len() as u32;
                    self.nodes.push(Node::default());
                    self.nodes[at].add(seg, n);
                    n as usize
                }
            };
        }
        self.nodes[at].path = Some(id);
    }

    #[inline]
    fn step(&self, node: u32, seg: &[u8]) -> Option<u32> {
        self.nodes.get(node as usize)?.get(seg)
    }

    /// The node an event key leads to from `node`, if any pattern goes there.
    #[inline(always)]
    pub(crate) fn child(&self, node: u32, key: &[u8]) -> Option<u32> {
        let n = self.nodes.get(node as usize)?;
        // A dotted key's first segment is a key here, so it shares the first byte.
        if !n.may_have(key) {
            return None;
        }
        // Segments hold no '.', so a dotted key never matches one step.
        if let Some(c) = n.get_unchecked(key) {
            return Some(c);
        }
        self.dotted(node, key)
    }

    /// `child` for a key that is not one segment: a dotted key walks its segments.
    #[inline(never)]
    fn dotted(&self, node: u32, key: &[u8]) -> Option<u32> {
        if !key.contains(&b'.') {
            return None;
        }
        let mut at = node;
        for seg in key.split(|&c| c == b'.') {
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
            .is_some_and(|n| !n.keys.is_empty())
    }
}

/// A member of the event's top-level object, as byte ranges of the text: its key (None
/// when written with escapes) and its value.
#[derive(Debug, Clone, Copy)]
pub struct TopField {
    pub key: Option<(usize, usize)>,
    pub value: (usize, usize),
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
    /// When wanted, the members of the top-level object (recorded only when the reader
    /// goes through that object's members, which it does whenever a pattern looks inside).
    pub(crate) top: Option<Vec<TopField>>,
    /// Whether the top-level object's members were gone through (and so recorded).
    pub(crate) top_read: bool,
    /// Whether the reader notes where each member's values are, so that a key seen again
    /// in the same object can replace the earlier member's values. Reading starts without
    /// (a bit per key then only detects a repeat) and reads the event again with it when
    /// some key comes twice, which few events have.
    careful: bool,
    /// When careful, the members of the objects being read whose keys some pattern reads:
    /// (trie node, first and end index of their values in `vals`).
    seen: Vec<(u32, u32, u32)>,
    /// Whether some values were replaced (their path is `REPLACED`).
    replaced: bool,
}

/// A `Flat`'s buffers kept between events, so reading an event allocates nothing.
#[derive(Debug, Default)]
pub(crate) struct FlatBufs {
    vals: Vec<Val<'static>>,
    mem: Vec<(u32, u32)>,
    stack: Vec<(u32, u32)>,
    top: Vec<TopField>,
    seen: Vec<(u32, u32, u32)>,
}

/// An empty vector of another lifetime, keeping the allocation (in-place collect).
fn recycle<'x, 'y>(mut v: Vec<Val<'x>>) -> Vec<Val<'y>> {
    v.clear();
    v.into_iter()
        .map(|_| -> Val<'y> { unreachable!() })
        .collect()
}

impl FlatBufs {
    /// An empty `Flat` using these buffers.
    pub(crate) fn take<'a>(&mut self) -> Flat<'a> {
        let mut mem = std::mem::take(&mut self.mem);
        let mut stack = std::mem::take(&mut self.stack);
        let mut seen = std::mem::take(&mut self.seen);
        mem.clear();
        stack.clear();
        seen.clear();
        Flat {
            vals: recycle(std::mem::take(&mut self.vals)),
            mem,
            stack,
            arrays: 0,
            top: None,
            top_read: false,
            careful: false,
            seen,
            replaced: false,
        }
    }

    /// Keeps `f`'s buffers for the next `take`.
    pub(crate) fn put(&mut self, f: Flat<'_>) {
        self.vals = recycle(f.vals);
        self.mem = f.mem;
        self.stack = f.stack;
        self.seen = f.seen;
    }

    /// The buffer for top-level members, emptied (`put` leaves it alone: give it back
    /// with `put_top`).
    pub(crate) fn take_top(&mut self) -> Vec<TopField> {
        let mut top = std::mem::take(&mut self.top);
        top.clear();
        top
    }

    pub(crate) fn put_top(&mut self, top: Vec<TopField>) {
        self.top = top;
    }
}

impl<'a> Flat<'a> {
    pub(crate) fn membership(&self, v: &Val) -> &[(u32, u32)] {
        &self.mem[v.mem.0 as usize..(v.mem.0 + v.mem.1) as usize]
    }

    #[inline(always)]
    fn emit(&mut self, path: u32, leaf: Leaf<'a>) {
        let start = self.mem.len() as u32;
        if !self.stack.is_empty() {
            self.mem.extend_from_slice(&self.stack);
        }
        self.vals.push(Val {
            path,
            leaf,
            mem: (start, self.stack.len() as u32),
        });
    }

    /// Notes that the member of an object (whose members are noted from `base` on) at trie
    /// node `node` gave the values from `first` on; an earlier member with the same key
    /// loses its values.
    #[inline]
    fn member(&mut self, base: usize, node: u32, first: usize) {
        let end = self.vals.len() as u32;
        match self.seen[base..].iter().position(|m| m.0 == node) {
            None => self.seen.push((node, first as u32, end)),
            Some(k) => self.replace(base + k, first as u32, end),
        }
    }

    #[cold]
    fn replace(&mut self, at: usize, first: u32, end: u32) {
        let (node, s, e) = self.seen[at];
        for v in &mut self.vals[s as usize..e as usize] {
            v.path = REPLACED;
        }
        self.replaced = true;
        self.seen[at] = (node, first, end);
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
                    if let Some(c) = trie.child(node, k.as_bytes()) {
                        deeper(depth, || self.walk(trie, c, cv, depth + 1));
                    }
                }
            }
            Value::Array(a) => {
                let id = self.arrays;
                self.arrays += 1;
                for (i, e) in a.iter().enumerate() {
                    self.stack.push((id, i as u32));
                    deeper(depth, || self.walk(trie, node, e, depth + 1));
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

    /// Collects from JSON text into this (empty) `Flat`, validating all of it as serde_json
    /// would.
    pub(crate) fn read_json(&mut self, trie: &Trie, text: &'a str) -> Result<(), EventJsonError> {
        let mut sc = Scanner {
            s: text,
            b: text.as_bytes(),
            i: 0,
            failure: std::cell::Cell::new((0, "")),
        };
        let mut r = sc.document(trie, self);
        if r.is_err() && sc.failure.get().1 == AGAIN {
            // A key came twice in one object: read again, noting where values come from.
            self.vals.clear();
            self.mem.clear();
            self.stack.clear();
            self.arrays = 0;
            if let Some(top) = &mut self.top {
                top.clear();
            }
            self.top_read = false;
            self.careful = true;
            sc.i = 0;
            r = sc.document(trie, self);
        }
        if self.replaced {
            self.vals.retain(|v| v.path != REPLACED);
        }
        r.map_err(|Fail| {
            let (offset, what) = sc.failure.get();
            EventJsonError { offset, what }
        })
    }
}

/// The first byte of a 16-byte block that is '"', '\\' or a control character: SSE2
/// compares, which every x86_64 processor has.
#[cfg(target_arch = "x86_64")]
mod block {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };

    #[inline]
    #[target_feature(enable = "sse2")]
    fn mask(c: &[u8; 16]) -> u32 {
        // SAFETY: `c` is 16 readable bytes, and `loadu` needs no alignment.
        let x = unsafe { _mm_loadu_si128(c.as_ptr().cast()) };
        let quote = _mm_cmpeq_epi8(x, _mm_set1_epi8(b'"' as i8));
        let back = _mm_cmpeq_epi8(x, _mm_set1_epi8(b'\\' as i8));
        // Below 0x20 exactly when the unsigned max with 0x1f is 0x1f.
        let low = _mm_set1_epi8(0x1f);
        let ctrl = _mm_cmpeq_epi8(_mm_max_epu8(x, low), low);
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, back), ctrl)) as u32
    }

    #[inline(always)]
    pub(super) fn first_special(c: &[u8; 16]) -> Option<usize> {
        // SAFETY: SSE2 is part of the x86_64 baseline: the feature is always present.
        let m = unsafe { mask(c) };
        (m != 0).then(|| m.trailing_zeros() as usize)
    }
}

/// The same on other targets: two words at a time.
#[cfg(not(target_arch = "x86_64"))]
mod block {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;

    /// High bit set in each byte of `x` that is '"', '\\' or a control character; the
    /// lowest set bit marks the first such byte exactly.
    #[inline]
    fn special(x: u64) -> u64 {
        let zero = |y: u64| y.wrapping_sub(LO) & !y & HI;
        let ctrl = x.wrapping_sub(LO * 0x20) & !x & HI;
        zero(x ^ (LO * b'"' as u64)) | zero(x ^ (LO * b'\\' as u64)) | ctrl
    }

    #[inline(always)]
    pub(super) fn first_special(c: &[u8; 16]) -> Option<usize> {
        for (k, h) in c.chunks_exact(8).enumerate() {
            let mut w = [0u8; 8];
            w.copy_from_slice(h);
            let m = special(u64::from_le_bytes(w));
            if m != 0 {
                return Some(k * 8 + (m.trailing_zeros() / 8) as usize);
            }
        }
        None
    }
}

/// Skips string bytes that need no attention (not '"', '\\' or a control character);
/// returns the index of the first byte that does, or `b.len()`.
#[inline(always)]
fn skip_plain(b: &[u8], mut i: usize) -> usize {
    while let Some(Ok(w)) = b.get(i..i + 16).map(<&[u8; 16]>::try_from) {
        if let Some(at) = block::first_special(w) {
            return i + at;
        }
        i += 16;
    }
    skip_plain_tail(b, i)
}

/// `skip_plain` for the last (fewer than 16) bytes of the text.
#[inline(never)]
fn skip_plain_tail(b: &[u8], mut i: usize) -> usize {
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

/// `Leaf::num(to_number(text))` for plain decimals of up to 15 digits (valid JSON number
/// text without an exponent), without the general float parser; None for other text.
fn decimal_leaf(text: &str) -> Option<Leaf<'static>> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let b = text.as_bytes();
    let neg = b.first() == Some(&b'-');
    let (mut m, mut digits, mut frac, mut seen_dot) = (0i64, 0usize, 0usize, false);
    for &c in &b[usize::from(neg)..] {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + i64::from(c - b'0');
                digits += 1;
                frac += usize::from(seen_dot);
            }
            b'.' => seen_dot = true,
            _ => return None,
        }
        if digits > 15 {
            return None;
        }
    }
    let m = if neg { -m } else { m };
    if !seen_dot {
        // serde_json reads "-0" as the float -0.0: leave that to the general path.
        if neg && m == 0 {
            return None;
        }
        return Some(Leaf::num(Number::from(m)));
    }
    // Both m (< 2^53) and 10^frac are exact doubles: one division is correctly rounded,
    // the same double the float parser gives.
    let x = m as f64 / POW10[frac];
    let x = if neg && m == 0 { -0.0 } else { x };
    let n = Number::from_f64(x)?;
    // Up to six decimals the comparable form is the exact count of millionths (what the
    // float route rounds to, while far enough below 2^53 for that rounding to be exact).
    let cmp = match frac {
        0..=6 => m
            .checked_mul(10i64.pow(6 - frac as u32))
            .filter(|c| c.unsigned_abs() < 1 << 50),
        _ => None,
    };
    let cmp = cmp.or_else(|| super::number::comparable(&n));
    Some(Leaf::Num { n, cmp })
}

struct Scanner<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    /// Where and why reading failed; the reading functions return only `Fail`, which
    /// keeps their results in registers.
    failure: std::cell::Cell<(usize, &'static str)>,
}

/// Reading failed; the scanner's `failure` says where and why.
#[derive(Debug)]
struct Fail;

impl<'a> Scanner<'a> {
    /// The whole text: one value and nothing after it.
    fn document(&mut self, trie: &Trie, f: &mut Flat<'a>) -> Result<(), Fail> {
        self.ws();
        if f.top.is_some() && self.peek() == Some(b'{') {
            self.object::<true>(trie, 0, 0, f)?;
        } else {
            self.value(trie, 0, 0, f)?;
        }
        self.ws();
        if self.i != self.b.len() {
            return Err(self.err("trailing characters"));
        }
        Ok(())
    }

    #[cold]
    fn err(&self, what: &'static str) -> Fail {
        self.failure.set((self.i, what));
        Fail
    }

    /// Skips whitespace (events are usually compact: one comparison then).
    #[inline(always)]
    fn ws(&mut self) {
        if self.b.get(self.i).is_some_and(|&c| c > b' ') {
            return;
        }
        self.ws_slow();
    }

    /// Skips whitespace and returns the next byte.
    #[inline(always)]
    fn ws_peek(&mut self) -> Option<u8> {
        match self.b.get(self.i) {
            Some(&c) if c > b' ' => Some(c),
            _ => {
                self.ws_slow();
                self.peek()
            }
        }
    }

    #[inline(never)]
    fn ws_slow(&mut self) {
        // Pretty-printed JSON mostly has one space between tokens.
        if self.b.get(self.i) == Some(&b' ') && self.b.get(self.i + 1).is_some_and(|&c| c > b' ') {
            self.i += 1;
            return;
        }
        while let Some(c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    /// The ':' after a key, and any whitespace after it.
    #[inline(always)]
    fn colon(&mut self) -> Result<(), Fail> {
        if self.ws_peek() != Some(b':') {
            return Err(self.err("expected ':'"));
        }
        self.i += 1;
        self.ws();
        Ok(())
    }

    /// After an object member or array element: true (past it) at the container's
    /// `close`, false (past it) at a comma.
    #[inline(always)]
    fn after_item(&mut self, close: u8) -> Result<bool, Fail> {
        match self.ws_peek() {
            Some(b',') => {
                self.i += 1;
                Ok(false)
            }
            Some(c) if c == close => {
                self.i += 1;
                Ok(true)
            }
            _ if close == b'}' => Err(self.err("expected ',' or '}'")),
            _ => Err(self.err("expected ',' or ']'")),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// A value at trie node `node` (some pattern looks here).
    fn value(
        &mut self,
        trie: &Trie,
        node: u32,
        depth: usize,
        f: &mut Flat<'a>,
    ) -> Result<(), Fail> {
        match self.peek() {
            Some(b'{') => self.object::<false>(trie, node, depth, f),
            Some(b'[') => {
                if depth >= MAX_EVENT_DEPTH {
                    return Err(self.err(TOO_DEEP));
                }
                self.i += 1;
                self.ws();
                let id = f.arrays;
                f.arrays += 1;
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(());
                }
                let mut idx = 0u32;
                loop {
                    self.ws();
                    f.stack.push((id, idx));
                    let r = deeper(depth, || self.value(trie, node, depth + 1, f));
                    f.stack.pop();
                    r?;
                    idx = idx.wrapping_add(1);
                    if self.after_item(b']')? {
                        return Ok(());
                    }
                }
            }
            Some(b'"') => {
                let path = trie.path(node);
                let s = self.string(path.is_some())?;
                if let Some(p) = path {
                    f.emit(p, Leaf::Str(s));
                }
                Ok(())
            }
            Some(b't') => self.literal(b"true", trie.path(node), Leaf::Bool(true), f),
            Some(b'f') => self.literal(b"false", trie.path(node), Leaf::Bool(false), f),
            Some(b'n') => self.literal(b"null", trie.path(node), Leaf::Null, f),
            Some(b'-' | b'0'..=b'9') => {
                let n = self.number()?;
                if let Some(p) = trie.path(node) {
                    let leaf = match decimal_leaf(n) {
                        Some(l) => l,
                        // Beyond a double's range: a number that compares with nothing.
                        None => match to_number(n) {
                            Some(x) => Leaf::num(x),
                            None => Leaf::Big(Cow::Borrowed(n)),
                        },
                    };
                    f.emit(p, leaf);
                }
                Ok(())
            }
            _ => Err(self.err("expected a value")),
        }
    }

    /// An object at trie node `node`; with `TOP`, its members are recorded in `f.top`.
    fn object<const TOP: bool>(
        &mut self,
        trie: &Trie,
        node: u32,
        depth: usize,
        f: &mut Flat<'a>,
    ) -> Result<(), Fail> {
        if !trie.has_children(node) {
            return self.skip(depth);
        }
        if depth >= MAX_EVENT_DEPTH {
            return Err(self.err(TOO_DEEP));
        }
        self.i += 1;
        f.top_read |= TOP;
        if self.ws_peek() == Some(b'}') {
            self.i += 1;
            return Ok(());
        }
        let base = f.seen.len();
        // The members read so far whose keys some pattern reads, as bits (node % 64).
        let mut keys = 0u64;
        loop {
            if self.ws_peek() != Some(b'"') {
                return Err(self.err("expected a key"));
            }
            // The key is looked up straight from the text unless it has escapes.
            let start = self.i;
            let end = skip_plain(self.b, start + 1);
            let (child, plain) = if self.b.get(end) == Some(&b'"') {
                self.i = end + 1;
                (trie.child(node, &self.b[start + 1..end]), true)
            } else {
                let k = self.string(true)?;
                (trie.child(node, k.as_bytes()), false)
            };
            self.colon()?;
            let value_start = self.i;
            match child {
                Some(c) if !f.careful => {
                    let bit = 1u64 << (c % 64);
                    if keys & bit != 0 {
                        // Perhaps a key again (or another key with the same bit).
                        return Err(self.err(AGAIN));
                    }
                    keys |= bit;
                    deeper(depth, || self.value(trie, c, depth + 1, f))?;
                }
                Some(c) => {
                    let first = f.vals.len();
                    deeper(depth, || self.value(trie, c, depth + 1, f))?;
                    f.member(base, c, first);
                }
                None => deeper(depth, || self.skip(depth + 1))?,
            }
            if TOP {
                if let Some(fields) = &mut f.top {
                    fields.push(TopField {
                        key: plain.then_some((start + 1, end)),
                        value: (value_start, self.i),
                    });
                }
            }
            if self.after_item(b'}')? {
                f.seen.truncate(base);
                return Ok(());
            }
        }
    }

    /// Skips (validating) a value no pattern looks into.
    fn skip(&mut self, depth: usize) -> Result<(), Fail> {
        match self.peek() {
            Some(b'"') => self.skip_string(),
            Some(b'{') => {
                if depth >= MAX_EVENT_DEPTH {
                    return Err(self.err(TOO_DEEP));
                }
                self.i += 1;
                if self.ws_peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(());
                }
                loop {
                    if self.ws_peek() != Some(b'"') {
                        return Err(self.err("expected a key"));
                    }
                    self.skip_string()?;
                    self.colon()?;
                    deeper(depth, || self.skip(depth + 1))?;
                    if self.after_item(b'}')? {
                        return Ok(());
                    }
                }
            }
            Some(b'[') => {
                if depth >= MAX_EVENT_DEPTH {
                    return Err(self.err(TOO_DEEP));
                }
                self.i += 1;
                if self.ws_peek() == Some(b']') {
                    self.i += 1;
                    return Ok(());
                }
                loop {
                    self.ws();
                    deeper(depth, || self.skip(depth + 1))?;
                    if self.after_item(b']')? {
                        return Ok(());
                    }
                }
            }
            Some(b't') => self.word(b"true"),
            Some(b'f') => self.word(b"false"),
            Some(b'n') => self.word(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number().map(|_| ()),
            _ => Err(self.err("expected a value")),
        }
    }

    fn word(&mut self, word: &[u8]) -> Result<(), Fail> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(self.err("bad literal"))
        }
    }

    /// Skips (validating) a string at `self.i` (on the quote).
    #[inline(always)]
    fn skip_string(&mut self) -> Result<(), Fail> {
        let b = self.b;
        let mut i = self.i + 1;
        loop {
            i = skip_plain(b, i);
            match b.get(i) {
                Some(b'"') => {
                    self.i = i + 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.i = i + 1;
                    self.escape()?;
                    i = self.i;
                }
                Some(_) => {
                    self.i = i;
                    return Err(self.err("control character in string"));
                }
                None => {
                    self.i = i;
                    return Err(self.err("unterminated string"));
                }
            }
        }
    }

    fn literal(
        &mut self,
        word: &[u8],
        path: Option<u32>,
        leaf: Leaf<'a>,
        f: &mut Flat<'a>,
    ) -> Result<(), Fail> {
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
    fn number(&mut self) -> Result<&'a str, Fail> {
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
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(self.err("bad number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("bad number"));
            }
        }
        // A number beyond a double's range is read too (AWS reads it, and it compares with
        // nothing: see `value`).
        Ok(&self.s[start..self.i])
    }

    /// Checks one escape sequence; `self.i` is just past the backslash. An unpaired
    /// surrogate is accepted, as AWS's reader accepts it (it reads as '?').
    fn escape(&mut self) -> Result<(), Fail> {
        match self.peek() {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.i += 1,
            Some(b'u') => {
                self.i += 1;
                self.hex4()?;
            }
            _ => return Err(self.err("bad escape")),
        }
        Ok(())
    }

    fn hex4(&mut self) -> Result<u16, Fail> {
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
    fn string(&mut self, want: bool) -> Result<Cow<'a, str>, Fail> {
        let start = self.i;
        let i = skip_plain(self.b, start + 1);
        if self.b.get(i) == Some(&b'"') {
            // No escapes: the text itself.
            self.i = i + 1;
            return Ok(Cow::Borrowed(self.s.get(start + 1..i).unwrap_or_default()));
        }
        self.skip_string()?;
        if !want {
            return Ok(Cow::Borrowed(""));
        }
        Ok(Cow::Owned(crate::json::unescape(
            &self.s[start + 1..self.i - 1],
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Our number reading builds the same `Number` serde_json does.
        #[test]
        fn numbers_as_serde_reads_them(
            t in "-?(0|[1-9][0-9]{0,21})(\\.[0-9]{1,18})?([eE][+-]?[0-9]{1,3})?",
        ) {
            let want: Option<Number> = serde_json::from_str(&t).ok();
            if let Some(w) = want {
                let got = to_number(&t);
                prop_assert_eq!(got.as_ref(), Some(&w), "{}", t);
                let bits = |n: &Number| n.as_f64().map(f64::to_bits);
                prop_assert_eq!(got.as_ref().and_then(bits), bits(&w), "{}", t);
            }
        }

        /// The decimal fast path gives the same number and comparable form as the
        /// general route.
        #[test]
        fn decimal_leaf_as_general(
            t in "-?(0|[1-9][0-9]{0,15})(\\.[0-9]{1,16})?",
        ) {
            if let Some(Leaf::Num { n, cmp }) = decimal_leaf(&t) {
                let Leaf::Num { n: n2, cmp: c2 } = Leaf::num(to_number(&t).unwrap()) else {
                    unreachable!()
                };
                prop_assert_eq!(&n, &n2, "{}", t);
                prop_assert_eq!(n.as_f64().map(f64::to_bits), n2.as_f64().map(f64::to_bits), "{}", t);
                prop_assert_eq!(cmp, c2, "{}", t);
            }
        }

        /// The block scanner stops where a byte-by-byte scan does.
        #[test]
        fn skip_plain_equals_bytewise(
            v in prop::collection::vec(prop_oneof![
                8 => 0x20u8..0x7f,
                1 => Just(b'"'),
                1 => Just(b'\\'),
                1 => 0u8..0x20,
                1 => 0x80u8..=0xff,
            ], 0..90),
            from in 0usize..40,
        ) {
            let want = (from..v.len())
                .find(|&i| v[i] == b'"' || v[i] == b'\\' || v[i] < 0x20)
                .unwrap_or(v.len().max(from));
            prop_assert_eq!(skip_plain(&v, from), want);
        }

        /// Key lookups (hashed and compared by words) agree with a plain map of paths,
        /// dotted event keys included.
        #[test]
        fn trie_equals_map(
            paths in prop::collection::vec("[ab.]{0,3}(x{0,14}|[ab]{6,20})", 1..20),
            queries in prop::collection::vec("[ab.]{0,3}(x{0,14}|[ab]{6,20})", 1..20),
        ) {
            let mut trie = Trie::new();
            let mut map = HashMap::new();
            for (i, p) in paths.iter().enumerate() {
                let id = *map.entry(p.clone()).or_insert(i as u32);
                trie.insert(p, id);
            }
            for q in queries.iter().chain(&paths) {
                let got = trie.child(0, q.as_bytes()).and_then(|n| trie.path(n));
                prop_assert_eq!(got, map.get(q).copied(), "{}", q);
            }
        }
    }

    #[test]
    fn decimal_leaf_edges() {
        for t in [
            "0",
            "-0.0",
            "0.0",
            "300",
            "300.0",
            "5000000000",
            "5000000000.000001",
            "-5e9",
            "999999999999999",
            "999999999999999.9",
            "123456789.123456",
            "0.0000001",
            "1.5",
            "-2.5",
            "0.1",
            "4999999999.9999995",
        ] {
            if let Some(Leaf::Num { n, cmp }) = decimal_leaf(t) {
                let Leaf::Num { n: n2, cmp: c2 } = Leaf::num(to_number(t).unwrap()) else {
                    unreachable!()
                };
                assert_eq!(n, n2, "{t}");
                assert_eq!(
                    n.as_f64().map(f64::to_bits),
                    n2.as_f64().map(f64::to_bits),
                    "{t}"
                );
                assert_eq!(cmp, c2, "{t}");
            }
        }
    }

    #[test]
    fn buffers_are_kept() {
        let mut bufs = FlatBufs::default();
        let mut t = Trie::new();
        t.insert("a", 0);
        let text = String::from(r#"{"a":[1,2,3,4,5,6,7,8,9]}"#);
        let mut f = bufs.take();
        f.read_json(&t, &text).unwrap();
        assert_eq!(f.vals.len(), 9);
        let cap = f.vals.capacity();
        bufs.put(f);
        let f = bufs.take();
        assert!(f.vals.is_empty());
        assert_eq!(f.vals.capacity(), cap);
    }
}
