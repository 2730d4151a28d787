//! The compiled matcher shared by `Pattern` and `RuleSet`.
//!
//! Every field test of every branch of every rule is a "slot". Each field path gets an
//! index from event values to the slots they satisfy: hash maps for exact and
//! case-folded values, length-bucketed maps for prefixes and suffixes, interval trees for
//! numeric ranges, CIDR blocks and IP literals, "all minus the blocked ones" for
//! anything-but lists, key-filtered candidate lists for wildcards. Matching an event looks
//! up each extracted value once and counts satisfied slots per branch (generation-stamped
//! arrays, nothing cleared between events); only a branch whose every slot is satisfied is
//! examined further. So the cost follows the event's values and the rules they hit, not
//! the rule count.

use std::collections::HashMap;

use serde_json::Number;

use super::arrays::{compatible, consistent, java_order, ordered, Step};
use super::compile::Branch;
use super::cond::{AnythingBut, Cond, Leaf, Wildcard};
use super::error::EventJsonError;
use super::event::{Flat, FlatBufs, TopField, Trie};
use super::hash::FxBuild;
use super::ignore_case::ascii_lower;
use super::ip::{ip_bits, ip_literal};

type Map<K> = HashMap<K, Vec<u32>, FxBuild>;

const NONE: u32 = u32::MAX;
/// A slot's `links` head when a value outside any array hit it: that value fits with any
/// other choice, so the slot needs no list of values.
const FREE: u32 = u32::MAX - 1;
/// Marks a slot whose branch holds as soon as the slot is hit (see `Compiled::slot_info`).
const SINGLE: u32 = 1 << 31;

/// Keys of one length-bucketed affix map: `lens` are the distinct key lengths.
#[derive(Debug, Default, Clone)]
struct Affix {
    lens: Vec<usize>,
    map: Map<Box<[u8]>>,
}

impl Affix {
    fn add(&mut self, key: &[u8], id: u32) {
        if !self.lens.contains(&key.len()) {
            self.lens.push(key.len());
            self.lens.sort_unstable();
        }
        self.map.entry(key.into()).or_default().push(id);
    }

    /// Calls `f` with the ids of every key that is a prefix (or suffix) of `s`.
    #[inline]
    fn each(&self, s: &[u8], suffix: bool, mut f: impl FnMut(&[u32])) {
        for &l in &self.lens {
            if l > s.len() {
                break;
            }
            let part = if suffix { &s[s.len() - l..] } else { &s[..l] };
            if let Some(ids) = self.map.get(part) {
                f(ids);
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.lens.is_empty()
    }
}

/// Keys that can take the next integer (closed intervals are kept as half-open segments).
pub(crate) trait Key: Copy + Ord {
    fn succ(self) -> Option<Self>;
}

impl Key for i64 {
    fn succ(self) -> Option<Self> {
        self.checked_add(1)
    }
}

impl Key for u128 {
    fn succ(self) -> Option<Self> {
        self.checked_add(1)
    }
}

/// Closed intervals `[lo, hi]` with an id each, answering "which contain x" in
/// O(log n + answers): a segment tree over the elementary segments between endpoints.
#[derive(Debug, Clone)]
pub(crate) struct Intervals<K> {
    /// Sorted, distinct starts of the elementary segments.
    starts: Vec<K>,
    /// Leaves in the tree (a power of two, at least `starts.len()`).
    size: usize,
    /// Tree node `n` holds `ids[offs[n]..offs[n + 1]]`.
    offs: Vec<u32>,
    ids: Vec<u32>,
    /// For a small set, each elementary segment's whole answer: segment `k` is
    /// `seg_ids[seg_offs[k]..seg_offs[k + 1]]` (empty when the set is too large).
    seg_offs: Vec<u32>,
    seg_ids: Vec<u32>,
}

/// Sets with at most this many elementary segments also keep each segment's answer.
const FLAT_SEGMENTS: usize = 64;

impl<K> Default for Intervals<K> {
    fn default() -> Self {
        Intervals {
            starts: Vec::new(),
            size: 0,
            offs: Vec::new(),
            ids: Vec::new(),
            seg_offs: Vec::new(),
            seg_ids: Vec::new(),
        }
    }
}

impl<K: Key> Intervals<K> {
    pub(crate) fn build(items: &[(K, K, u32)]) -> Self {
        let mut starts: Vec<K> = Vec::with_capacity(items.len() * 2);
        for &(lo, hi, _) in items {
            if lo > hi {
                continue;
            }
            starts.push(lo);
            if let Some(n) = hi.succ() {
                starts.push(n);
            }
        }
        starts.sort_unstable();
        starts.dedup();
        if starts.is_empty() {
            return Self::default();
        }
        let size = starts.len().next_power_of_two();
        let seg = |x: K| starts.partition_point(|&s| s <= x) - 1;
        let mut nodes: Vec<Vec<u32>> = vec![Vec::new(); 2 * size];
        for &(lo, hi, id) in items {
            if lo > hi {
                continue;
            }
            let a = seg(lo);
            let b = match hi.succ() {
                Some(n) => seg(n) - 1,
                None => starts.len() - 1,
            };
            let (mut l, mut r) = (a + size, b + size + 1);
            while l < r {
                if l & 1 == 1 {
                    nodes[l].push(id);
                    l += 1;
                }
                if r & 1 == 1 {
                    r -= 1;
                    nodes[r].push(id);
                }
                l >>= 1;
                r >>= 1;
            }
        }
        let mut offs = Vec::with_capacity(2 * size + 1);
        let mut ids = Vec::new();
        for n in &nodes {
            offs.push(ids.len() as u32);
            ids.extend_from_slice(n);
        }
        offs.push(ids.len() as u32);
        let mut it = Intervals {
            starts,
            size,
            offs,
            ids,
            seg_offs: Vec::new(),
            seg_ids: Vec::new(),
        };
        if it.starts.len() <= FLAT_SEGMENTS {
            let (mut seg_offs, mut seg_ids) = (vec![0], Vec::new());
            for k in 0..it.starts.len() {
                it.walk(k, |id| seg_ids.push(id));
                seg_offs.push(seg_ids.len() as u32);
            }
            (it.seg_offs, it.seg_ids) = (seg_offs, seg_ids);
        }
        it
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Calls `f` with the ids of the intervals containing `x` (each once, in no order).
    #[inline]
    pub(crate) fn each(&self, x: K, mut f: impl FnMut(u32)) {
        let at = self.starts.partition_point(|&s| s <= x);
        if at == 0 {
            return;
        }
        if !self.seg_offs.is_empty() {
            let (a, b) = (self.seg_offs[at - 1] as usize, self.seg_offs[at] as usize);
            self.seg_ids[a..b].iter().for_each(|&id| f(id));
            return;
        }
        self.walk(at - 1, f);
    }

    /// The ids stored on the path from segment `k`'s leaf to the root.
    fn walk(&self, k: usize, mut f: impl FnMut(u32)) {
        let mut n = k + self.size;
        while n >= 1 {
            let (a, b) = (self.offs[n] as usize, self.offs[n + 1] as usize);
            for &id in &self.ids[a..b] {
                f(id);
            }
            n >>= 1;
        }
    }
}

/// anything-but lists: every condition passes except those listing the value.
#[derive(Debug, Clone)]
struct Complement<K> {
    /// Slot of each condition.
    all: Vec<u32>,
    /// Value -> ascending indices (into `all`) of the conditions that list it.
    block: HashMap<K, Vec<u32>, FxBuild>,
}

impl<K> Default for Complement<K> {
    fn default() -> Self {
        Complement {
            all: Vec::new(),
            block: HashMap::default(),
        }
    }
}

impl<K: std::hash::Hash + Eq> Complement<K> {
    fn add(&mut self, keys: impl IntoIterator<Item = K>, slot: u32) {
        let j = self.all.len() as u32;
        self.all.push(slot);
        for k in keys {
            let l = self.block.entry(k).or_default();
            if l.last() != Some(&j) {
                l.push(j);
            }
        }
    }

    /// Slots of the conditions not blocked by `blocked` (ascending indices into `all`).
    #[inline]
    fn each_except(&self, blocked: Option<&Vec<u32>>, mut f: impl FnMut(u32)) {
        match blocked {
            None => self.all.iter().for_each(|&s| f(s)),
            Some(bl) => {
                let mut next = bl.iter().copied().peekable();
                for (j, &s) in self.all.iter().enumerate() {
                    if next.peek() == Some(&(j as u32)) {
                        next.next();
                        continue;
                    }
                    f(s);
                }
            }
        }
    }
}

/// Wildcards, each filed under a literal every match must show: its first piece (as a
/// prefix), else its last piece (as a suffix). The others (`*` at both ends) are kept with
/// a signature of the byte pairs inside their pieces; a text is worth checking against one
/// only if its own pairs cover that signature. Candidates are then checked in full.
#[derive(Debug, Default, Clone)]
struct WildIndex {
    wilds: Vec<(Wildcard, u32)>,
    always: Vec<u32>,
    prefix: Affix,
    suffix: Affix,
    /// (pair signature, wildcard id) of the wildcards with `*` at both ends.
    inner: Vec<(PairSig, u32)>,
}

/// A 256-bit set of hashed byte pairs.
type PairSig = [u64; 4];

#[inline(always)]
fn pair_bit(a: u8, b: u8) -> (usize, u64) {
    let h = (u32::from(u16::from_le_bytes([a, b])).wrapping_mul(0x9E37_79B1) >> 24) as usize;
    (h >> 6, 1 << (h & 63))
}

/// The pairs of adjacent bytes in each of `parts`.
fn pair_sig<'p>(parts: impl IntoIterator<Item = &'p [u8]>) -> PairSig {
    let mut sig = [0u64; 4];
    for p in parts {
        for w in p.windows(2) {
            let (i, bit) = pair_bit(w[0], w[1]);
            sig[i] |= bit;
        }
    }
    sig
}

impl WildIndex {
    fn add(&mut self, w: &Wildcard, slot: u32) {
        let id = self.wilds.len() as u32;
        self.wilds.push((w.clone(), slot));
        let p = w.pieces();
        let (first, last) = (&p[0], &p[p.len() - 1]);
        if !first.is_empty() {
            self.prefix.add(first, id);
        } else if !last.is_empty() {
            self.suffix.add(last, id);
        } else if p.iter().any(|x| x.len() >= 2) {
            self.inner
                .push((pair_sig(p.iter().map(|x| x.as_slice())), id));
        } else {
            self.always.push(id);
        }
    }

    fn is_empty(&self) -> bool {
        self.wilds.is_empty()
    }

    #[inline]
    fn each(&self, s: &str, tmp: &mut Vec<u32>, mut f: impl FnMut(u32)) {
        let b = s.as_bytes();
        tmp.clear();
        self.prefix.each(b, false, |ids| tmp.extend_from_slice(ids));
        self.suffix.each(b, true, |ids| tmp.extend_from_slice(ids));
        tmp.extend_from_slice(&self.always);
        if !self.inner.is_empty() {
            let have = pair_sig([b]);
            for (need, id) in &self.inner {
                if need.iter().zip(&have).all(|(n, h)| n & !h == 0) {
                    tmp.push(*id);
                }
            }
        }
        for &id in tmp.iter() {
            let (w, slot) = &self.wilds[id as usize];
            if w.matches(s) {
                f(*slot);
            }
        }
    }
}

#[derive(Debug, Default, Clone)]
struct PathIndex {
    strs: Map<Box<str>>,
    nums: Map<i64>,
    num_lits: Vec<(Number, u32)>,
    trues: Vec<u32>,
    falses: Vec<u32>,
    nulls: Vec<u32>,
    /// `exists: true`: any value at all.
    any: Vec<u32>,
    /// IP literals and CIDR blocks, as address intervals.
    ip4: Intervals<u128>,
    ip6: Intervals<u128>,
    ci: Map<Box<str>>,
    prefix: Affix,
    suffix: Affix,
    prefix_ci: Affix,
    suffix_ci: Affix,
    numeric: Intervals<i64>,
    wild: WildIndex,
    ab_strs: Complement<Box<str>>,
    ab_nums: Complement<i64>,
    /// Conditions judged one by one: the other anything-but forms.
    others: Vec<(Cond, u32)>,
    /// Which of the parts above hold anything (bits below), so a value skips the rest
    /// after reading one word.
    kinds: u32,
}

const STRS: u32 = 1;
const IP: u32 = 1 << 1;
const AFFIX: u32 = 1 << 2;
const CI: u32 = 1 << 3;
const WILD: u32 = 1 << 4;
const AB_STRS: u32 = 1 << 5;
const NUMS: u32 = 1 << 6;
const NUMERIC: u32 = 1 << 7;
const AB_NUMS: u32 = 1 << 8;
const NUM_LITS: u32 = 1 << 9;
const OTHERS: u32 = 1 << 10;

/// Interval conditions gathered before their trees are built.
#[derive(Default)]
struct PathBuild {
    ip4: Vec<(u128, u128, u32)>,
    ip6: Vec<(u128, u128, u32)>,
    numeric: Vec<(i64, i64, u32)>,
}

impl PathIndex {
    fn add(&mut self, c: &Cond, slot: u32, pb: &mut PathBuild) {
        match c {
            Cond::Str(s) => self.strs.entry(s.as_str().into()).or_default().push(slot),
            Cond::Num(v, _) => self.nums.entry(*v).or_default().push(slot),
            Cond::NumLiteral(n) => self.num_lits.push((n.clone(), slot)),
            Cond::Bool(true) => self.trues.push(slot),
            Cond::Bool(false) => self.falses.push(slot),
            Cond::Null => self.nulls.push(slot),
            Cond::Ip(ip, _) => {
                let (x, v6) = ip_bits(*ip);
                let l = if v6 { &mut pb.ip6 } else { &mut pb.ip4 };
                l.push((x, x, slot));
            }
            Cond::Cidr { lo, hi, v6, .. } => {
                let l = if *v6 { &mut pb.ip6 } else { &mut pb.ip4 };
                l.push((*lo, *hi, slot));
            }
            // All-ASCII ignore-case texts are looked up by their ASCII lower case; the others
            // (rare) are judged one by one.
            Cond::EqCi(c) if c.ascii_key().is_some() => self
                .ci
                .entry(c.ascii_key().unwrap_or_default().into())
                .or_default()
                .push(slot),
            Cond::Prefix(s) => self.prefix.add(s.as_bytes(), slot),
            Cond::Suffix(s) => self.suffix.add(s.as_bytes(), slot),
            Cond::PrefixCi(c) if c.ascii_key().is_some() => self
                .prefix_ci
                .add(c.ascii_key().unwrap_or_default().as_bytes(), slot),
            Cond::SuffixCi(c) if c.ascii_key().is_some() => self
                .suffix_ci
                .add(c.ascii_key().unwrap_or_default().as_bytes(), slot),
            Cond::Numeric { lo, hi } => {
                // Comparable numbers are integers (millionths): make both bounds inclusive.
                let l = match lo {
                    None => i64::MIN,
                    Some((b, true)) => *b,
                    Some((b, false)) => b.saturating_add(1),
                };
                let h = match hi {
                    None => i64::MAX,
                    Some((b, true)) => *b,
                    Some((b, false)) => b.saturating_sub(1),
                };
                pb.numeric.push((l, h, slot));
            }
            Cond::Wildcard(w) => self.wild.add(w, slot),
            Cond::Exists(true) => self.any.push(slot),
            // Absence is judged per field after all values are seen.
            Cond::Exists(false) => {}
            Cond::AnythingBut(AnythingBut::Strs(xs)) => self
                .ab_strs
                .add(xs.iter().map(|x| Box::<str>::from(x.as_str())), slot),
            Cond::AnythingBut(AnythingBut::Nums(ns)) => self.ab_nums.add(ns.iter().copied(), slot),
            other => self.others.push((other.clone(), slot)),
        }
    }

    fn finish(&mut self, pb: PathBuild) {
        self.ip4 = Intervals::build(&pb.ip4);
        self.ip6 = Intervals::build(&pb.ip6);
        self.numeric = Intervals::build(&pb.numeric);
        let has = [
            (STRS, !self.strs.is_empty()),
            (IP, !self.ip4.is_empty() || !self.ip6.is_empty()),
            (AFFIX, !self.prefix.is_empty() || !self.suffix.is_empty()),
            (
                CI,
                !self.ci.is_empty() || !self.prefix_ci.is_empty() || !self.suffix_ci.is_empty(),
            ),
            (WILD, !self.wild.is_empty()),
            (AB_STRS, !self.ab_strs.all.is_empty()),
            (NUMS, !self.nums.is_empty()),
            (NUMERIC, !self.numeric.is_empty()),
            (AB_NUMS, !self.ab_nums.all.is_empty()),
            (NUM_LITS, !self.num_lits.is_empty()),
            (OTHERS, !self.others.is_empty()),
        ];
        self.kinds = has
            .iter()
            .filter(|(_, h)| *h)
            .fold(0, |k, (bit, _)| k | bit);
    }

    /// Appends to `out` every slot that value `v` satisfies (a slot may come more than once).
    #[inline]
    fn hits(&self, v: &Leaf, tmp: &mut Vec<u32>, out: &mut Vec<u32>) {
        let k = self.kinds;
        match v {
            Leaf::Str(s) => {
                if k & STRS != 0 {
                    if let Some(sl) = self.strs.get(&**s) {
                        out.extend_from_slice(sl);
                    }
                }
                if k & IP != 0 {
                    if let Some(ip) = ip_literal(s) {
                        let (x, is6) = ip_bits(ip);
                        let t = if is6 { &self.ip6 } else { &self.ip4 };
                        t.each(x, |s| out.push(s));
                    }
                }
                if k & AFFIX != 0 {
                    let b = s.as_bytes();
                    self.prefix.each(b, false, |sl| out.extend_from_slice(sl));
                    self.suffix.each(b, true, |sl| out.extend_from_slice(sl));
                }
                if k & CI != 0 {
                    let l = ascii_lower(s);
                    if let Some(sl) = self.ci.get(&*l) {
                        out.extend_from_slice(sl);
                    }
                    self.prefix_ci
                        .each(l.as_bytes(), false, |sl| out.extend_from_slice(sl));
                    self.suffix_ci
                        .each(l.as_bytes(), true, |sl| out.extend_from_slice(sl));
                }
                if k & WILD != 0 {
                    self.wild.each(s, tmp, |s| out.push(s));
                }
                if k & AB_STRS != 0 {
                    self.ab_strs
                        .each_except(self.ab_strs.block.get(&**s), |s| out.push(s));
                }
            }
            Leaf::Num { n, cmp } => {
                if let Some(c) = *cmp {
                    if k & NUMS != 0 {
                        if let Some(sl) = self.nums.get(&c) {
                            out.extend_from_slice(sl);
                        }
                    }
                    if k & NUMERIC != 0 {
                        self.numeric.each(c, |s| out.push(s));
                    }
                    if k & AB_NUMS != 0 {
                        self.ab_nums
                            .each_except(self.ab_nums.block.get(&c), |s| out.push(s));
                    }
                }
                if k & NUM_LITS != 0 {
                    for (x, sl) in &self.num_lits {
                        if x == n {
                            out.push(*sl);
                        }
                    }
                }
            }
            Leaf::Big(_) => {}
            Leaf::Bool(true) => out.extend_from_slice(&self.trues),
            Leaf::Bool(false) => out.extend_from_slice(&self.falses),
            Leaf::Null => out.extend_from_slice(&self.nulls),
        }
        if !matches!(v, Leaf::Str(_)) {
            // String forms of anything-but let every non-string value through.
            out.extend_from_slice(&self.ab_strs.all);
        }
        if k & AB_NUMS != 0 && !matches!(v, Leaf::Num { cmp: Some(_), .. } | Leaf::Big(_)) {
            // And the numeric form every value that is not a number it can compare, but a
            // number beyond a double's range, which compares with nothing.
            out.extend_from_slice(&self.ab_nums.all);
        }
        out.extend_from_slice(&self.any);
        if k & OTHERS != 0 {
            for (c, sl) in &self.others {
                if c.matches(v) {
                    out.push(*sl);
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
struct BranchInfo {
    rule: u32,
    first_slot: u32,
    n_slots: u32,
    /// Slots (absolute ids) that `exists: false` can satisfy.
    neg: Vec<u32>,
    /// With `neg`: every slot, in event-ruler's order of fields (see `arrays`).
    order: Vec<u32>,
}

/// Many rules' branches compiled together.
#[derive(Debug, Default, Clone)]
pub(crate) struct Compiled {
    pub(crate) trie: Trie,
    paths: Vec<PathIndex>,
    branches: Vec<BranchInfo>,
    slot_branch: Vec<u32>,
    slot_path: Vec<u32>,
    /// Per slot: `(SINGLE | rule, 0)` when its branch has no other field (a hit alone
    /// decides), else the branch index and the branch's `need`.
    slot_info: Vec<(u32, u32)>,
    /// Branches that can hold with no value hit at all (every field accepts absence).
    neg_only: Vec<u32>,
    /// Per branch: how many distinct slots must be hit before the branch is worth
    /// examining (all of them), or 0 when `exists: false` may stand in for a hit (examined
    /// once touched).
    need: Vec<u32>,
    n_rules: u32,
    pub(crate) path_ids: HashMap<String, u32>,
}

impl Compiled {
    /// `rules[i]` is rule i's branch list.
    pub(crate) fn build<'r>(rules: impl IntoIterator<Item = &'r [Branch]>) -> Compiled {
        let mut c = Compiled {
            trie: Trie::new(),
            ..Default::default()
        };
        let mut builds: Vec<PathBuild> = Vec::new();
        for (ri, branches) in rules.into_iter().enumerate() {
            c.n_rules = ri as u32 + 1;
            for b in branches {
                let bi = c.branches.len() as u32;
                let first = c.slot_branch.len() as u32;
                let mut neg = Vec::new();
                for f in &b.fields {
                    let pid = *c.path_ids.entry(f.path.clone()).or_insert_with(|| {
                        let id = c.paths.len() as u32;
                        c.paths.push(PathIndex::default());
                        builds.push(PathBuild::default());
                        c.trie.insert(&f.path, id);
                        id
                    });
                    let slot = c.slot_branch.len() as u32;
                    c.slot_branch.push(bi);
                    c.slot_path.push(pid);
                    for cond in &f.conds {
                        c.paths[pid as usize].add(cond, slot, &mut builds[pid as usize]);
                    }
                    if f.conds.iter().any(|x| matches!(x, Cond::Exists(false))) {
                        neg.push(slot);
                    }
                }
                let n = b.fields.len() as u32;
                if n as usize == neg.len() {
                    c.neg_only.push(bi);
                }
                let mut order: Vec<u32> = Vec::new();
                if !neg.is_empty() {
                    let mut by_path: Vec<(u32, &str)> = (first..first + n)
                        .zip(&b.fields)
                        .map(|(slot, f)| (slot, f.path.as_str()))
                        .collect();
                    by_path.sort_by(|x, y| java_order(x.1, y.1));
                    order = by_path.into_iter().map(|(slot, _)| slot).collect();
                }
                c.branches.push(BranchInfo {
                    rule: ri as u32,
                    first_slot: first,
                    n_slots: n,
                    neg,
                    order,
                });
            }
        }
        for (p, pb) in c.paths.iter_mut().zip(builds) {
            p.finish(pb);
        }
        c.need = c
            .branches
            .iter()
            .map(|b| if b.neg.is_empty() { b.n_slots } else { 0 })
            .collect();
        c.slot_info = c
            .slot_branch
            .iter()
            .map(|&bi| {
                let b = &c.branches[bi as usize];
                if b.n_slots == 1 && b.rule < SINGLE {
                    (SINGLE | b.rule, 0)
                } else {
                    (bi, c.need[bi as usize])
                }
            })
            .collect();
        c
    }

    /// Rule ids (ascending, no repeats) whose pattern matches the collected values.
    pub(crate) fn matching(&self, flat: &Flat) -> Vec<u32> {
        with_scratch(|sc| {
            self.matching_in(flat, sc);
            sc.ids.clone()
        })
    }

    /// Reads event JSON text and calls `out` with the matching rule ids (ascending, no
    /// repeats).
    pub(crate) fn match_json<R>(
        &self,
        text: &str,
        out: impl FnOnce(&[u32]) -> R,
    ) -> Result<R, EventJsonError> {
        self.match_json_top(text, false, |ids, _| out(ids))
    }

    /// `match_json`; with `want_top`, also giving `out` the members of the event's
    /// top-level object when the reader went through them (None otherwise: not wanted, the
    /// root is not an object, or no pattern looks inside it).
    pub(crate) fn match_json_top<R>(
        &self,
        text: &str,
        want_top: bool,
        out: impl FnOnce(&[u32], Option<&[TopField]>) -> R,
    ) -> Result<R, EventJsonError> {
        with_scratch(|sc| {
            let mut flat = sc.flat.take();
            if want_top {
                flat.top = Some(sc.flat.take_top());
            }
            let r = flat.read_json(&self.trie, text);
            if r.is_ok() {
                self.matching_in(&flat, sc);
            }
            let top = flat.top.take();
            let read = flat.top_read;
            sc.flat.put(flat);
            let res = r.map(|()| out(&sc.ids, top.as_deref().filter(|_| read)));
            if let Some(top) = top {
                sc.flat.put_top(top);
            }
            res
        })
    }

    /// Leaves the matching rule ids (ascending, no repeats) in `sc.ids`.
    pub(crate) fn matching_in(&self, flat: &Flat, sc: &mut MatchScratch) {
        sc.begin(self);
        let MatchScratch {
            st,
            tmp,
            ids,
            hit_slots,
            ..
        } = sc;
        let gen = st.gen;
        for (vi, v) in flat.vals.iter().enumerate() {
            let p = v.path as usize;
            st.path_gen[p] = gen;
            let in_arr = v.mem.1 > 0;
            if !in_arr {
                st.path_plain[p] = gen;
            }
            // Gathered first, then recorded in one tight loop.
            hit_slots.clear();
            self.paths[p].hits(&v.leaf, tmp, hit_slots);
            for &slot in hit_slots.iter() {
                st.hit(&self.slot_info, slot, vi as u32, in_arr);
            }
        }
        for i in 0..st.touched.len() {
            let bi = st.touched[i];
            if self.branch_holds(bi, st, flat) {
                st.mark(self.branches[bi as usize].rule);
            }
        }
        for &bi in &self.neg_only {
            if st.branches[bi as usize].gen != gen && self.branch_holds(bi, st, flat) {
                st.mark(self.branches[bi as usize].rule);
            }
        }
        if st.any {
            for (wi, w) in st.rule_bits.iter_mut().enumerate() {
                let mut bits = std::mem::take(w);
                while bits != 0 {
                    ids.push((wi as u32) << 6 | bits.trailing_zeros());
                    bits &= bits - 1;
                }
            }
        }
    }

    fn branch_holds(&self, bi: u32, st: &State, flat: &Flat) -> bool {
        let b = &self.branches[bi as usize];
        let gen = st.gen;
        let bs = st.branches[bi as usize];
        let touched = bs.gen == gen;
        let distinct = if touched { bs.cnt } else { 0 };
        if distinct + (b.neg.len() as u32) < b.n_slots {
            return false;
        }
        let mut satisfied = distinct;
        // `exists: false` slots whose path has values, all inside arrays: absent only if
        // none of them comes from the elements the earlier fields use (see `arrays`).
        let mut per_element = false;
        for &s in &b.neg {
            let hit = st.slots[s as usize].0 == gen;
            let p = self.slot_path[s as usize] as usize;
            let in_arrays_only = st.path_gen[p] == gen && st.path_plain[p] != gen;
            per_element |= in_arrays_only;
            if !hit && (st.path_gen[p] != gen || in_arrays_only) {
                satisfied += 1;
            }
        }
        if satisfied != b.n_slots {
            return false;
        }
        if per_element {
            return self.ordered_holds(b, st, flat);
        }
        if !touched || !bs.arr || distinct < 2 {
            return true;
        }
        self.branch_consistent(b, st, flat)
    }

    /// The branch's fields taken in event-ruler's order (see `arrays::ordered`).
    fn ordered_holds(&self, b: &BranchInfo, st: &State, flat: &Flat) -> bool {
        let steps: Vec<Step> = b
            .order
            .iter()
            .map(|&s| {
                let (g, head) = st.slots[s as usize];
                let mut step = Step::default();
                if g == st.gen {
                    if head == FREE {
                        step.free = true;
                    } else {
                        let mut at = head;
                        while at != NONE {
                            let (vi, next) = st.links[at as usize];
                            step.hits.push(vi);
                            at = next;
                        }
                        step.hits.reverse();
                    }
                }
                if b.neg.contains(&s) {
                    let p = self.slot_path[s as usize];
                    step.absent_unless = Some(
                        (0..flat.vals.len() as u32)
                            .filter(|&vi| flat.vals[vi as usize].path == p)
                            .collect(),
                    );
                }
                step
            })
            .collect();
        ordered(&steps, flat)
    }

    fn branch_consistent(&self, b: &BranchInfo, st: &State, flat: &Flat) -> bool {
        let slots = b.first_slot..b.first_slot + b.n_slots;
        // Slots hit by a value outside arrays fit any choice: only the others matter.
        let hit = |s: &u32| {
            let (g, head) = st.slots[*s as usize];
            g == st.gen && head != FREE
        };
        // Usually the first value of each slot already fits together.
        let firsts = slots
            .clone()
            .filter(hit)
            .map(|s| st.links[st.slots[s as usize].1 as usize].0);
        let mut ok = true;
        for (i, a) in firsts.clone().enumerate() {
            let ma = flat.membership(&flat.vals[a as usize]);
            if firsts
                .clone()
                .take(i)
                .any(|c| !compatible(flat.membership(&flat.vals[c as usize]), ma))
            {
                ok = false;
                break;
            }
        }
        if ok {
            return true;
        }
        let groups: Vec<Vec<(u32, u32)>> = slots
            .filter(hit)
            .map(|s| {
                let mut g = Vec::new();
                let mut at = st.slots[s as usize].1;
                while at != NONE {
                    let (vi, next) = st.links[at as usize];
                    g.push((s, vi));
                    at = next;
                }
                g.reverse();
                g
            })
            .collect();
        let mut refs: Vec<&[(u32, u32)]> = groups.iter().map(|g| g.as_slice()).collect();
        consistent(&mut refs, flat)
    }
}

/// Per-event matching state, stamped with a generation instead of cleared.
#[derive(Default)]
pub(crate) struct State {
    gen: u32,
    /// Per slot: (generation last hit, newest entry in `links` for its values, or FREE).
    slots: Vec<(u32, u32)>,
    /// (value index, previous entry of the same slot)
    links: Vec<(u32, u32)>,
    branches: Vec<BranchState>,
    /// Per path: the generation it last had a value, and a value outside any array.
    path_gen: Vec<u32>,
    path_plain: Vec<u32>,
    touched: Vec<u32>,
    /// Matching rules, one bit each; cleared as they are reported.
    rule_bits: Vec<u64>,
    any: bool,
}

#[derive(Default, Clone, Copy)]
struct BranchState {
    gen: u32,
    /// Distinct slots hit. `touched` lists the branch once this reaches its `need`
    /// (or from its first hit when `need` is 0).
    cnt: u32,
    /// Whether any hit value sits in an array.
    arr: bool,
}

impl State {
    #[inline]
    fn mark(&mut self, rule: u32) {
        self.rule_bits[rule as usize >> 6] |= 1 << (rule & 63);
        self.any = true;
    }

    #[inline]
    fn hit(&mut self, slot_info: &[(u32, u32)], slot: u32, vi: u32, in_arr: bool) {
        let s = slot as usize;
        let (info, need) = slot_info[s];
        if info & SINGLE != 0 {
            self.mark(info & !SINGLE);
            return;
        }
        let gen = self.gen;
        let b = &mut self.branches[info as usize];
        let (sg, head) = self.slots[s];
        if sg != gen {
            if b.gen != gen {
                *b = BranchState {
                    gen,
                    cnt: 0,
                    arr: false,
                };
                if need == 0 {
                    self.touched.push(info);
                }
            }
            b.cnt += 1;
            if b.cnt == need {
                // Every slot is hit: the branch is worth examining.
                self.touched.push(info);
            }
            if !in_arr {
                self.slots[s] = (gen, FREE);
                return;
            }
            b.arr = true;
            self.links.push((vi, NONE));
        } else {
            if head == FREE {
                return;
            }
            if !in_arr {
                self.slots[s] = (gen, FREE);
                return;
            }
            if self.links[head as usize].0 == vi {
                return;
            }
            self.links.push((vi, head));
        }
        self.slots[s] = (gen, self.links.len() as u32 - 1);
    }
}

/// Reusable buffers for matching; one per thread (see `with_scratch`).
#[derive(Default)]
pub(crate) struct MatchScratch {
    flat: FlatBufs,
    st: State,
    tmp: Vec<u32>,
    /// The slots one value hits.
    hit_slots: Vec<u32>,
    /// The last event's matching rule ids.
    ids: Vec<u32>,
}

impl MatchScratch {
    fn begin(&mut self, c: &Compiled) {
        let st = &mut self.st;
        st.gen = st.gen.wrapping_add(1);
        if st.gen == 0 {
            st.slots.fill((0, NONE));
            st.branches.fill(BranchState::default());
            st.path_gen.fill(0);
            st.path_plain.fill(0);
            st.gen = 1;
        }
        let (ns, nb, np) = (c.slot_branch.len(), c.branches.len(), c.paths.len());
        if st.slots.len() < ns {
            st.slots.resize(ns, (0, NONE));
        }
        if st.branches.len() < nb {
            st.branches.resize(nb, BranchState::default());
        }
        if st.path_gen.len() < np {
            st.path_gen.resize(np, 0);
            st.path_plain.resize(np, 0);
        }
        self.ids.clear();
        st.links.clear();
        st.touched.clear();
        st.any = false;
        let words = (c.n_rules as usize).div_ceil(64);
        if st.rule_bits.len() != words {
            st.rule_bits.clear();
            st.rule_bits.resize(words, 0);
        }
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<MatchScratch> = std::cell::RefCell::new(MatchScratch::default());
}

/// Runs `f` with this thread's matching scratch (a fresh one if it is in use).
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut MatchScratch) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut sc) => f(&mut sc),
        // Only reachable if matching re-entered itself on this thread.
        Err(_) => f(&mut MatchScratch::default()),
    })
}
