//! Why a pattern did or did not match an event, in plain words.
//!
//! This evaluates the pattern directly, condition by condition, without the compiled
//! indexes; the tests use it as an independent check of the fast matcher.

use std::fmt;

use super::arrays::{consistent, java_order, ordered, Step};
use super::compile::Branch;
use super::cond::Cond;
use super::event::Flat;
use super::index::Compiled;

#[derive(Debug, Clone)]
struct FieldReport {
    path: String,
    ok: bool,
    /// Condition descriptions, any of which would do.
    wants: Vec<String>,
    /// The values found at the path (described as JSON).
    found: Vec<String>,
}

#[derive(Debug, Clone)]
struct BranchReport {
    ok: bool,
    fields: Vec<FieldReport>,
    /// Every field matched alone, but not from the same array element.
    split_by_array: bool,
}

/// The outcome of `Pattern::explain`.
#[derive(Debug, Clone)]
pub struct Explanation {
    matched: bool,
    branches: Vec<BranchReport>,
}

pub(crate) fn evaluate(branches: &[Branch], compiled: &Compiled, flat: &Flat) -> Explanation {
    let mut reports = Vec::with_capacity(branches.len());
    for b in branches {
        let mut fields = Vec::with_capacity(b.fields.len());
        let mut groups: Vec<Vec<(u32, u32)>> = Vec::new();
        let mut steps: Vec<(&str, Step)> = Vec::new();
        for f in &b.fields {
            let pid = compiled.path_ids.get(&f.path).copied();
            let vals: Vec<usize> = flat
                .vals
                .iter()
                .enumerate()
                .filter(|(_, v)| Some(v.path) == pid)
                .map(|(i, _)| i)
                .collect();
            let neg = f.conds.iter().any(|c| matches!(c, Cond::Exists(false)));
            // Absent when there is no value, and perhaps (decided per element) when every
            // value is inside an array.
            let absent_ok = neg && vals.iter().all(|&i| flat.vals[i].mem.1 > 0);
            let hits: Vec<(u32, u32)> = vals
                .iter()
                .filter(|&&i| f.conds.iter().any(|c| c.matches(&flat.vals[i].leaf)))
                .map(|&i| (0, i as u32))
                .collect();
            let ok = absent_ok || !hits.is_empty();
            steps.push((
                f.path.as_str(),
                Step {
                    hits: hits.iter().map(|h| h.1).collect(),
                    free: false,
                    absent_unless: neg.then(|| vals.iter().map(|&i| i as u32).collect()),
                },
            ));
            if !hits.is_empty() {
                groups.push(hits);
            }
            fields.push(FieldReport {
                path: f.path.clone(),
                ok,
                wants: f.conds.iter().map(Cond::describe).collect(),
                found: vals.iter().map(|&i| flat.vals[i].leaf.describe()).collect(),
            });
        }
        let all = fields.iter().all(|f| f.ok);
        let together = if !all {
            true
        } else if steps.iter().any(|(_, s)| s.absent_unless.is_some()) {
            steps.sort_by(|a, b| java_order(a.0, b.0));
            let steps: Vec<Step> = steps.into_iter().map(|(_, s)| s).collect();
            ordered(&steps, flat)
        } else {
            let mut refs: Vec<&[(u32, u32)]> = groups.iter().map(|g| g.as_slice()).collect();
            refs.len() < 2 || consistent(&mut refs, flat)
        };
        reports.push(BranchReport {
            ok: all && together,
            fields,
            split_by_array: all && !together,
        });
    }
    Explanation {
        matched: reports.iter().any(|r| r.ok),
        branches: reports,
    }
}

impl Explanation {
    pub fn matched(&self) -> bool {
        self.matched
    }

    /// The explanation line by line: (depth, kind, text). Passing fields appear only in
    /// the HTML, where they give the failing ones their context.
    fn lines(&self) -> Vec<(usize, Kind, String)> {
        let mut out = Vec::new();
        let n = self.branches.len();
        if self.matched {
            let which = self.branches.iter().position(|b| b.ok).unwrap_or(0);
            out.push((0, Kind::Plain, "The event matches the pattern.".to_string()));
            let depth = if n > 1 {
                out.push((
                    1,
                    Kind::Plain,
                    format!("Alternative {} of {} ($or) holds.", which + 1, n),
                ));
                2
            } else {
                1
            };
            if let Some(b) = self.branches.get(which) {
                out.extend(b.fields.iter().map(|f| (depth, Kind::Pass, f.line())));
            }
            return out;
        }
        out.push((
            0,
            Kind::Plain,
            "The event does not match the pattern.".to_string(),
        ));
        if n > 1 {
            out.push((
                0,
                Kind::Plain,
                format!("None of the {n} alternatives (from $or) holds; each fails as follows."),
            ));
        }
        for (i, b) in self.branches.iter().enumerate() {
            let depth = if n > 1 {
                out.push((1, Kind::Plain, format!("Alternative {}:", i + 1)));
                2
            } else {
                1
            };
            if b.split_by_array {
                out.push((
                    depth,
                    Kind::Fail,
                    "Every field matches on its own, but not within the same element of an array of objects."
                        .to_string(),
                ));
            }
            for f in &b.fields {
                let kind = if f.ok { Kind::Pass } else { Kind::Fail };
                out.push((depth, kind, f.line()));
            }
        }
        out
    }

    /// The same explanation as an HTML fragment: nested lists (each inner `<ul>` inside
    /// the `<li>` it details), every field of each alternative, failing ones highlighted.
    pub fn to_html(&self) -> String {
        let mut s = String::from("<div class=\"pattern-explanation\">");
        // For each open `<ul>`: whether one of its `<li>` is still open.
        let mut open: Vec<bool> = Vec::new();
        for (d, kind, line) in self.lines() {
            if d == 0 {
                close_lists(&mut s, &mut open, 0);
                s.push_str(&format!("<p><strong>{}</strong></p>", escape(&line)));
                continue;
            }
            close_lists(&mut s, &mut open, d);
            while open.len() < d {
                if let Some(li_open) = open.last_mut() {
                    if !*li_open {
                        // A level deeper than the last item: an empty item holds it.
                        s.push_str("<li>");
                        *li_open = true;
                    }
                }
                s.push_str("<ul>");
                open.push(false);
            }
            if let Some(li_open) = open.last_mut() {
                if *li_open {
                    s.push_str("</li>");
                }
                *li_open = true;
            }
            s.push_str(match kind {
                Kind::Plain => "<li>",
                Kind::Pass => "<li class=\"pass\">&#10003; ",
                Kind::Fail => {
                    "<li class=\"fail\" style=\"background:#fde2e2;color:#6b0010;font-weight:600\">&#10007; "
                }
            });
            s.push_str(&escape(&line));
        }
        close_lists(&mut s, &mut open, 0);
        s.push_str("</div>");
        s
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Plain,
    Pass,
    Fail,
}

impl FieldReport {
    fn line(&self) -> String {
        let wants = self.wants.join(", or ");
        match (self.ok, self.found.is_empty()) {
            (false, true) => format!(
                "Field \"{}\" is missing (or has no plain value), but it must be a value that {wants}.",
                self.path
            ),
            (false, false) => format!(
                "Field \"{}\" is {}, but it must be a value that {wants}.",
                self.path,
                self.found.join(" / ")
            ),
            (true, true) => format!(
                "Field \"{}\" is missing, as allowed: it must be a value that {wants}.",
                self.path
            ),
            (true, false) => format!(
                "Field \"{}\" is {}, a value that {wants}.",
                self.path,
                self.found.join(" / ")
            ),
        }
    }
}

/// Closes lists down to `depth` open ones, with the items they sit in.
fn close_lists(s: &mut String, open: &mut Vec<bool>, depth: usize) {
    while open.len() > depth {
        if open.pop() == Some(true) {
            s.push_str("</li>");
        }
        s.push_str("</ul>");
    }
}

fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self
            .lines()
            .into_iter()
            .filter(|(_, k, _)| *k != Kind::Pass);
        for (i, (d, _, line)) in shown.enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}{}", "  ".repeat(d), line)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::pattern::Pattern;

    /// The parent of every element, checked as HTML requires: `<li>` only in `<ul>`, `<ul>`
    /// never directly in `<ul>`, and every tag closed in order.
    fn check_nesting(html: &str) {
        let mut stack: Vec<String> = Vec::new();
        let mut rest = html;
        while let Some(at) = rest.find('<') {
            let end = rest[at..].find('>').expect("tag ends") + at;
            let tag = &rest[at + 1..end];
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop().as_deref(), Some(name), "in {html}");
            } else {
                let name = tag.split(' ').next().unwrap_or_default().to_string();
                let parent = stack.last().map(String::as_str);
                match name.as_str() {
                    "li" => assert_eq!(parent, Some("ul"), "in {html}"),
                    "ul" => assert!(matches!(parent, Some("li" | "div")), "in {html}"),
                    _ => {}
                }
                stack.push(name);
            }
            rest = &rest[end + 1..];
        }
        assert!(stack.is_empty(), "unclosed {stack:?} in {html}");
    }

    #[test]
    fn html_nests_alternatives_inside_their_items() {
        let p = Pattern::from_value(
            &json!({"$or": [{"a": ["x"], "c": [1]}, {"b": [{"prefix": "q"}]}]}),
        )
        .unwrap();
        let html = p.explain(&json!({"a": "y", "c": 1})).to_html();
        check_nesting(&html);
        assert!(
            html.contains("<li>Alternative 1:<ul><li class=\"fail\""),
            "{html}"
        );
        assert!(
            html.contains("</li></ul></li><li>Alternative 2:<ul>"),
            "{html}"
        );
        // The passing field is listed, not highlighted; the failing ones are.
        assert!(html.contains("<li class=\"pass\">&#10003; Field &quot;c&quot; is 1, a value that equals the number 1.</li>"), "{html}");
        assert_eq!(html.matches("class=\"fail\"").count(), 2, "{html}");
        // The text form is unchanged: failing fields only.
        let text = p.explain(&json!({"a": "y", "c": 1})).to_string();
        assert!(!text.contains("\"c\""), "{text}");
    }

    #[test]
    fn html_of_a_match_and_of_one_branch() {
        let p = Pattern::from_value(&json!({"a": ["x"], "b": [{"exists": false}]})).unwrap();
        let yes = p.explain(&json!({"a": "x"})).to_html();
        check_nesting(&yes);
        assert_eq!(
            yes,
            "<div class=\"pattern-explanation\"><p><strong>The event matches the pattern.</strong></p>\
             <ul><li class=\"pass\">&#10003; Field &quot;a&quot; is &quot;x&quot;, a value that equals &quot;x&quot;.</li>\
             <li class=\"pass\">&#10003; Field &quot;b&quot; is missing, as allowed: it must be a value that does not exist.</li></ul></div>"
        );
        let no = p.explain(&json!({"a": "<b>", "b": 1})).to_html();
        check_nesting(&no);
        assert!(no.contains("is &quot;&lt;b&gt;&quot;, but"), "{no}");
        let or = Pattern::from_value(&json!({"$or": [{"a": ["x"]}, {"b": ["y"]}]})).unwrap();
        let yes = or.explain(&json!({"b": "y"})).to_html();
        check_nesting(&yes);
        assert!(
            yes.contains("<li>Alternative 2 of 2 ($or) holds.<ul><li class=\"pass\">"),
            "{yes}"
        );
    }
}
