//! Fields of one branch against arrays of objects: the values chosen for a branch's fields
//! must come from the same element of every array they share (ruler-readme), and an
//! `exists: false` field is absent when no value at its path comes from the elements chosen
//! for the fields before it, in event-ruler's order of fields: their paths, sorted as Java
//! sorts strings (docs/patterns.md). A field sorted before every field that fixes an element
//! is therefore absent only when its path has no value at all.

use std::cmp::Ordering;

use super::event::Flat;

/// Backtracking steps allowed when reconciling array elements for one branch.
const BUDGET: usize = 100_000;

/// Whether two values' array memberships (array id, element index; sorted by array) agree
/// on every array they share.
pub(crate) fn compatible(a: &[(u32, u32)], b: &[(u32, u32)]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
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
/// elements of the same array (fields without `exists: false`: their order is irrelevant).
pub(crate) fn consistent(groups: &mut [&[(u32, u32)]], flat: &Flat) -> bool {
    groups.sort_by_key(|g| g.len());
    let mut chosen: Vec<u32> = Vec::with_capacity(groups.len());
    let mut budget = BUDGET;
    search(groups, 0, flat, &mut chosen, &mut budget)
}

fn fits(flat: &Flat, chosen: &[u32], vi: u32) -> bool {
    let m = flat.membership(&flat.vals[vi as usize]);
    chosen
        .iter()
        .all(|&c| compatible(flat.membership(&flat.vals[c as usize]), m))
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
        if fits(flat, chosen, vi) {
            chosen.push(vi);
            if search(groups, at + 1, flat, chosen, budget) {
                return true;
            }
            chosen.pop();
        }
    }
    false
}

/// One field of a branch, for `ordered`.
#[derive(Debug, Default)]
pub(crate) struct Step {
    /// Values (indices into `Flat::vals`) that satisfy the field.
    pub(crate) hits: Vec<u32>,
    /// A value outside every array satisfies it: a choice that fixes no element.
    pub(crate) free: bool,
    /// For a field `exists: false` may satisfy: every value at its path.
    pub(crate) absent_unless: Option<Vec<u32>>,
}

/// Whether the branch holds, taking `steps` in event-ruler's order of fields: a field is
/// satisfied by a value that fits the values chosen so far, or (for `exists: false`) by
/// none of its path's values fitting them.
pub(crate) fn ordered(steps: &[Step], flat: &Flat) -> bool {
    let mut chosen = Vec::with_capacity(steps.len());
    let mut budget = BUDGET;
    walk(steps, flat, &mut chosen, &mut budget)
}

fn walk(steps: &[Step], flat: &Flat, chosen: &mut Vec<u32>, budget: &mut usize) -> bool {
    let Some((step, rest)) = steps.split_first() else {
        return true;
    };
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    if let Some(present) = &step.absent_unless {
        if present.iter().all(|&vi| !fits(flat, chosen, vi)) && walk(rest, flat, chosen, budget) {
            return true;
        }
    }
    if step.free && walk(rest, flat, chosen, budget) {
        return true;
    }
    for &vi in &step.hits {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        if fits(flat, chosen, vi) {
            chosen.push(vi);
            if walk(rest, flat, chosen, budget) {
                return true;
            }
            chosen.pop();
        }
    }
    false
}

/// Java's order of strings (UTF-16 code units), by which event-ruler sorts a rule's fields.
pub(crate) fn java_order(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

#[cfg(test)]
mod tests {
    use super::java_order;
    use std::cmp::Ordering;

    #[test]
    fn java_order_is_utf16_order() {
        assert_eq!(java_order("a.b.y", "a.x"), Ordering::Less);
        assert_eq!(
            java_order("detail.items.tags", "detail.items.v"),
            Ordering::Less
        );
        // U+FF21 sorts after U+1F600 in UTF-8, before it in UTF-16.
        assert_eq!(java_order("\u{ff21}", "\u{1f600}"), Ordering::Greater);
        assert_eq!("\u{ff21}".cmp("\u{1f600}"), Ordering::Less);
    }
}
