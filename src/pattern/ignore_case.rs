//! `equals-ignore-case` (also inside `prefix`, `suffix` and `anything-but`) as EventBridge
//! matches it (docs/patterns.md): each UTF-16 unit of the pattern stands for its lower-case or
//! its upper-case form, as Java's `toLowerCase`/`toUpperCase` (root locale) write the unit
//! alone, in UTF-8, and for nothing else; the event's text is compared as it is. So `ß`
//! matches `ß` and `SS` but not `ss`, `İ` matches `İ` and `i̇` but not `i`, the Kelvin sign
//! does not match `k`, and a character outside the BMP (two units, each written `?`) matches
//! `??`, not itself.
//!
//! An all-ASCII pattern is the common case: a value matches when it is the same text but for
//! ASCII case, which the indexes look up by the ASCII lower case (`ascii_key`).

/// A unit's lower- and upper-case forms, in UTF-8.
type Forms = (Box<[u8]>, Box<[u8]>);

/// One equals-ignore-case text, ready to compare.
#[derive(Debug, Clone)]
pub(crate) struct IgnoreCase {
    text: String,
    /// For an all-ASCII pattern, its ASCII lower case.
    ascii: Option<Box<str>>,
    /// Per UTF-16 unit: its lower- and upper-case forms in UTF-8 (equal when it has no case);
    /// empty for an all-ASCII pattern, which compares by `ascii`.
    units: Vec<Forms>,
}

/// A unit written alone: a lone surrogate is `?` in UTF-8, as Java encodes it.
fn forms(unit: u16) -> Forms {
    match char::from_u32(u32::from(unit)) {
        Some(c) => (
            c.to_lowercase().collect::<String>().into_bytes().into(),
            c.to_uppercase().collect::<String>().into_bytes().into(),
        ),
        None => (Box::from(&b"?"[..]), Box::from(&b"?"[..])),
    }
}

impl IgnoreCase {
    pub(crate) fn new(text: &str) -> IgnoreCase {
        let ascii = text.is_ascii();
        IgnoreCase {
            text: text.to_owned(),
            ascii: ascii.then(|| text.to_ascii_lowercase().into()),
            units: if ascii {
                Vec::new()
            } else {
                text.encode_utf16().map(forms).collect()
            },
        }
    }

    /// The pattern text as given.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The key an index files an all-ASCII pattern under (see `ascii_lower`).
    pub(crate) fn ascii_key(&self) -> Option<&str> {
        self.ascii.as_deref()
    }

    pub(crate) fn equals(&self, s: &str) -> bool {
        match &self.ascii {
            Some(k) => s.len() == k.len() && s.eq_ignore_ascii_case(k),
            None => self.ends(s.as_bytes(), false).contains(&s.len()),
        }
    }

    pub(crate) fn is_prefix_of(&self, s: &str) -> bool {
        match &self.ascii {
            Some(k) => {
                s.len() >= k.len() && s.as_bytes()[..k.len()].eq_ignore_ascii_case(k.as_bytes())
            }
            None => !self.ends(s.as_bytes(), false).is_empty(),
        }
    }

    pub(crate) fn is_suffix_of(&self, s: &str) -> bool {
        match &self.ascii {
            Some(k) => {
                s.len() >= k.len()
                    && s.as_bytes()[s.len() - k.len()..].eq_ignore_ascii_case(k.as_bytes())
            }
            None => !self.ends(s.as_bytes(), true).is_empty(),
        }
    }

    /// Where a match of every unit in turn can end, walking forward from the start of `s` (or,
    /// with `from_end`, where it can begin, walking back from the end of `s`); none when some
    /// unit cannot follow.
    fn ends(&self, s: &[u8], from_end: bool) -> Vec<usize> {
        let mut at = vec![if from_end { s.len() } else { 0 }];
        let n = self.units.len();
        for k in 0..n {
            let (lo, up) = &self.units[if from_end { n - 1 - k } else { k }];
            let mut next = Vec::with_capacity(at.len() + 1);
            for &p in &at {
                for form in [lo, up] {
                    let q = if from_end {
                        s[..p].ends_with(form).then(|| p - form.len())
                    } else {
                        s[p..].starts_with(form).then(|| p + form.len())
                    };
                    if let Some(q) = q.filter(|q| !next.contains(q)) {
                        next.push(q);
                    }
                }
            }
            if next.is_empty() {
                return next;
            }
            at = next;
        }
        at
    }
}

/// A value's key for the indexes of all-ASCII patterns: its ASCII lower case (non-ASCII
/// bytes kept, so such a value never meets an ASCII key it does not match).
pub(crate) fn ascii_lower(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(s.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_aws_answers() {
        // TestEventPattern against AWS (radkawar/stackd patterns.json, `edge_depth_*`).
        let eq = |p: &str, s: &str| IgnoreCase::new(p).equals(s);
        assert!(eq("ß", "ß") && eq("ß", "SS"));
        assert!(!eq("ß", "ss") && !eq("ß", "Ss"));
        assert!(eq("ﬀ", "FF"));
        assert!(!eq("İ", "i") && eq("İ", "i\u{307}") && eq("İ", "İ"));
        assert!(eq("\u{390}", "\u{399}\u{308}\u{301}"));
        assert!(eq("Straße", "STRASSE"));
        assert!(!eq("😀", "😀") && eq("😀", "??") && !eq("😀", "?"));
        assert!(!eq("𐐀", "𐐀") && !eq("𐐀", "𐐨") && eq("𐐀", "??"));
        assert!(!eq("K", "\u{212a}") && !eq("K", "ſ") && !eq("S", "ſ") && !eq("S", "\u{212a}"));
        let pre = |p: &str, s: &str| IgnoreCase::new(p).is_prefix_of(s);
        let suf = |p: &str, s: &str| IgnoreCase::new(p).is_suffix_of(s);
        assert!(pre("ß", "SSabc") && !pre("ß", "ssabc"));
        assert!(suf("ß", "abcSS") && !suf("ß", "abcss"));
        assert!(pre("İ", "i\u{307}abc") && suf("İ", "abci\u{307}"));
    }

    #[test]
    fn ascii_patterns() {
        let p = IgnoreCase::new("AbC");
        assert_eq!(p.ascii_key(), Some("abc"));
        assert!(p.equals("abc") && p.equals("ABC") && !p.equals("abcd"));
        assert!(p.is_prefix_of("aBcdef") && p.is_suffix_of("xyzABC") && !p.is_prefix_of("ab"));
        assert!(IgnoreCase::new("").equals("") && IgnoreCase::new("").is_prefix_of("x"));
        assert_eq!(ascii_lower("AbÉ"), "abÉ");
    }

    #[test]
    fn titlecase_does_not_match_itself() {
        // ǅ: lower ǆ, upper Ǆ (docs/patterns.md, the oracle's established semantics).
        let p = IgnoreCase::new("ǅ");
        assert!(p.equals("ǆ") && p.equals("Ǆ") && !p.equals("ǅ"));
    }
}
