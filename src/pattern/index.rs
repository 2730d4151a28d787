//! The compiled matcher shared by `Pattern` and `RuleSet`.
//!
//! Every field test of every branch of every rule is a "slot". Each field path gets an
//! index from event values to the slots they satisfy: hash maps for exact and
//! case-folded values, length-bucketed maps for prefixes and suffixes, short lists for the
//! rest. Matching an event looks up each extracted value once, then counts satisfied
//! slots per branch; only a branch whose every slot is satisfied is examined further.
//! So the cost follows the event's values and the rules they hit, not the rule count.

use std::collections::HashMap;
use std::net::IpAddr;

use serde_json::Number;

use super::compile::Branch;
use super::cond::{ip_bits, ip_literal, lower, Cond, Leaf};
use super::event::{Flat, Trie};
use super::hash::FxBuild;

type Map<K> = HashMap<K, Vec<u32>, FxBuild>;

/// Backtracking steps allowed when reconciling array elements for one branch.
const CONSISTENCY_BUDGET: usize = 100_000;

#[derive(Debug, Default, Clone)]
struct Affix {
    lens: Vec<usize>,
    map: Map<Box<str>>,
}

impl Affix {
    fn add(&mut self, key: &str, slot: u32) {
        if !self.lens.contains(&key.len()) {
            self.lens.push(key.len());
            self.lens.sort_unstable();
        }
        self.map.entry(key.into()).or_default().push(slot);
    }

    fn hits(&self, s: &str, suffix: bool, vi: u32, out: &mut Vec<(u32, u32)>) {
        for &l in &self.lens {
            if l > s.len() {
                break;
            }
            let part = if suffix {
                s.get(s.len() - l..)
            } else {
                s.get(..l)
            };
            if let Some(slots) = part.and_then(|p| self.map.get(p)) {
                out.extend(slots.iter().map(|&sl| (sl, vi)));
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.lens.is_empty()
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
    ips: Vec<(IpAddr, u32)>,
    /// (first, last, is IPv6, slot)
    cidrs: Vec<(u128, u128, bool, u32)>,
    ci: Map<Box<str>>,
    prefix: Affix,
    suffix: Affix,
    prefix_ci: Affix,
    suffix_ci: Affix,
    /// Conditions judged one by one: wildcard, numeric, cidr, anything-but, exists.
    others: Vec<(Cond, u32)>,
}

impl PathIndex {
    fn add(&mut self, c: &Cond, slot: u32) {
        match c {
            Cond::Str(s) => self.strs.entry(s.as_str().into()).or_default().push(slot),
            Cond::Num(v, _) => self.nums.entry(*v).or_default().push(slot),
            Cond::NumLiteral(n) => self.num_lits.push((n.clone(), slot)),
            Cond::Bool(true) => self.trues.push(slot),
            Cond::Bool(false) => self.falses.push(slot),
            Cond::Null => self.nulls.push(slot),
            Cond::Ip(ip, _) => self.ips.push((*ip, slot)),
            Cond::Cidr { lo, hi, v6, .. } => self.cidrs.push((*lo, *hi, *v6, slot)),
            Cond::EqCi(s) => self.ci.entry(s.as_str().into()).or_default().push(slot),
            Cond::Prefix(s) => self.prefix.add(s, slot),
            Cond::Suffix(s) => self.suffix.add(s, slot),
            Cond::PrefixCi(s) => self.prefix_ci.add(s, slot),
            Cond::SuffixCi(s) => self.suffix_ci.add(s, slot),
            // Absence is judged per field after all values are seen.
            Cond::Exists(false) => {}
            other => self.others.push((other.clone(), slot)),
        }
    }

    fn hits(&self, v: &Leaf, vi: u32, out: &mut Vec<(u32, u32)>) {
        let mut put = |slots: &[u32]| out.extend(slots.iter().map(|&s| (s, vi)));
        match v {
            Leaf::Str(s) => {
                if let Some(sl) = self.strs.get(&**s) {
                    put(sl);
                }
                if !self.ips.is_empty() || !self.cidrs.is_empty() {
                    if let Some(ip) = ip_literal(s) {
                        for (x, sl) in &self.ips {
                            if *x == ip {
                                put(std::slice::from_ref(sl));
                            }
                        }
                        let (x, is6) = ip_bits(ip);
                        for &(lo, hi, v6, sl) in &self.cidrs {
                            if v6 == is6 && lo <= x && x <= hi {
                                put(&[sl]);
                            }
                        }
                    }
                }
                self.prefix.hits(s, false, vi, out);
                self.suffix.hits(s, true, vi, out);
                if !self.ci.is_empty() || !self.prefix_ci.is_empty() || !self.suffix_ci.is_empty() {
                    let l = lower(s);
                    if let Some(sl) = self.ci.get(&*l) {
                        out.extend(sl.iter().map(|&s| (s, vi)));
                    }
                    self.prefix_ci.hits(&l, false, vi, out);
                    self.suffix_ci.hits(&l, true, vi, out);
                }
            }
            Leaf::Num { n, cmp } => {
                if let Some(sl) = cmp.and_then(|c| self.nums.get(&c)) {
                    put(sl);
                }
                for (x, sl) in &self.num_lits {
                    if x == n {
                        put(std::slice::from_ref(sl));
                    }
                }
            }
            Leaf::Bool(true) => put(&self.trues),
            Leaf::Bool(false) => put(&self.falses),
            Leaf::Null => put(&self.nulls),
        }
        for (c, sl) in &self.others {
            if c.matches(v) {
                out.push((*sl, vi));
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
}

/// Many rules' branches compiled together.
#[derive(Debug, Default, Clone)]
pub(crate) struct Compiled {
    pub(crate) trie: Trie,
    paths: Vec<PathIndex>,
    branches: Vec<BranchInfo>,
    slot_branch: Vec<u32>,
    slot_path: Vec<u32>,
    /// Branches that can hold with no value hit at all (every field accepts absence).
    neg_only: Vec<u32>,
    pub(crate) path_ids: HashMap<String, u32>,
}

impl Compiled {
    /// `rules[i]` is rule i's branch list.
    pub(crate) fn build<'r>(rules: impl IntoIterator<Item = &'r [Branch]>) -> Compiled {
        let mut c = Compiled {
            trie: Trie::new(),
            ..Default::default()
        };
        for (ri, branches) in rules.into_iter().enumerate() {
            for b in branches {
                let bi = c.branches.len() as u32;
                let first = c.slot_branch.len() as u32;
                let mut neg = Vec::new();
                for f in &b.fields {
                    let pid = *c.path_ids.entry(f.path.clone()).or_insert_with(|| {
                        let id = c.paths.len() as u32;
                        c.paths.push(PathIndex::default());
                        c.trie.insert(&f.path, id);
                        id
                    });
                    let slot = c.slot_branch.len() as u32;
                    c.slot_branch.push(bi);
                    c.slot_path.push(pid);
                    for cond in &f.conds {
                        c.paths[pid as usize].add(cond, slot);
                    }
                    if f.conds.iter().any(|x| matches!(x, Cond::Exists(false))) {
                        neg.push(slot);
                    }
                }
                let n = b.fields.len() as u32;
                if n as usize == neg.len() {
                    c.neg_only.push(bi);
                }
                c.branches.push(BranchInfo {
                    rule: ri as u32,
                    first_slot: first,
                    n_slots: n,
                    neg,
                });
            }
        }
        c
    }

    /// Rule ids (ascending, no repeats) whose pattern matches the collected values.
    pub(crate) fn matching(&self, flat: &Flat) -> Vec<u32> {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut sc) => self.matching_in(flat, &mut sc),
            // Only reachable if matching re-entered itself on this thread.
            Err(_) => self.matching_in(flat, &mut Scratch::default()),
        })
    }

    fn matching_in(&self, flat: &Flat, sc: &mut Scratch) -> Vec<u32> {
        let Scratch {
            pairs,
            hits,
            present,
        } = sc;
        pairs.clear();
        present.clear();
        present.resize(self.paths.len(), false);
        for (vi, v) in flat.vals.iter().enumerate() {
            let p = v.path as usize;
            present[p] = true;
            self.paths[p].hits(&v.leaf, vi as u32, pairs);
        }
        // (slot, value) packed so one integer sort groups by branch, then slot.
        hits.clear();
        hits.extend(pairs.iter().map(|&(s, v)| ((s as u64) << 32) | v as u64));
        hits.sort_unstable();
        hits.dedup();
        let mut rules = Vec::new();
        let mut i = 0;
        while i < hits.len() {
            let bi = self.slot_branch[(hits[i] >> 32) as usize];
            let b = &self.branches[bi as usize];
            let end_slot = ((b.first_slot + b.n_slots) as u64) << 32;
            let mut j = i;
            while j < hits.len() && hits[j] < end_slot {
                j += 1;
            }
            if self.branch_holds(bi, &hits[i..j], flat, present) {
                rules.push(b.rule);
            }
            i = j;
        }
        for &bi in &self.neg_only {
            let b = &self.branches[bi as usize];
            let from = (b.first_slot as u64) << 32;
            let at = hits.partition_point(|&h| h < from);
            let hit = hits
                .get(at)
                .is_some_and(|&h| h < ((b.first_slot + b.n_slots) as u64) << 32);
            if !hit && self.branch_holds(bi, &[], flat, present) {
                rules.push(b.rule);
            }
        }
        rules.sort_unstable();
        rules.dedup();
        rules
    }

    /// `hits`: this branch's packed (slot, value) pairs, sorted.
    fn branch_holds(&self, bi: u32, hits: &[u64], flat: &Flat, present: &[bool]) -> bool {
        let b = &self.branches[bi as usize];
        let mut distinct = 0u32;
        let mut last = u64::MAX;
        let mut in_arrays = false;
        for &h in hits {
            let slot = h >> 32;
            if slot != last {
                distinct += 1;
                last = slot;
            }
            in_arrays |= flat.vals[(h & 0xffff_ffff) as usize].mem.1 > 0;
        }
        let mut satisfied = distinct;
        for &s in &b.neg {
            let hit = hits.iter().any(|&h| (h >> 32) as u32 == s);
            if !hit && !present[self.slot_path[s as usize] as usize] {
                satisfied += 1;
            }
        }
        if satisfied != b.n_slots {
            return false;
        }
        if !in_arrays || distinct < 2 {
            return true;
        }
        let pairs: Vec<(u32, u32)> = hits
            .iter()
            .map(|&h| ((h >> 32) as u32, (h & 0xffff_ffff) as u32))
            .collect();
        let mut groups: Vec<&[(u32, u32)]> = pairs.chunk_by(|a, b| a.0 == b.0).collect();
        consistent(&mut groups, flat)
    }
}

#[derive(Default)]
struct Scratch {
    pairs: Vec<(u32, u32)>,
    hits: Vec<u64>,
    present: Vec<bool>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

fn compatible(a: &[(u32, u32)], b: &[(u32, u32)]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                if a[i].1 != b[j].1 {
                    return false;
                }
                i += 1;
                j += 1;
            }
        }
    }
    true
}

/// Whether one value per group can be chosen so that no two come from different
/// elements of the same array.
pub(crate) fn consistent(groups: &mut [&[(u32, u32)]], flat: &Flat) -> bool {
    groups.sort_by_key(|g| g.len());
    let mut chosen: Vec<u32> = Vec::with_capacity(groups.len());
    let mut budget = CONSISTENCY_BUDGET;
    search(groups, 0, flat, &mut chosen, &mut budget)
}

fn search(
    groups: &[&[(u32, u32)]],
    at: usize,
    flat: &Flat,
    chosen: &mut Vec<u32>,
    budget: &mut usize,
) -> bool {
    if at == groups.len() {
        return true;
    }
    for &(_, vi) in groups[at] {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        let m = flat.membership(&flat.vals[vi as usize]);
        if chosen
            .iter()
            .all(|&c| compatible(flat.membership(&flat.vals[c as usize]), m))
        {
            chosen.push(vi);
            if search(groups, at + 1, flat, chosen, budget) {
                return true;
            }
            chosen.pop();
        }
    }
    false
}
