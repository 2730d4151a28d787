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

    fn lines(&self) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        let n = self.branches.len();
        if self.matched {
            let which = self.branches.iter().position(|b| b.ok).unwrap_or(0);
            out.push((0, "The event matches the pattern.".to_string()));
            if n > 1 {
                out.push((
                    1,
                    format!("Alternative {} of {} ($or) holds.", which + 1, n),
                ));
            }
            return out;
        }
        out.push((0, "The event does not match the pattern.".to_string()));
        if n > 1 {
            out.push((
                0,
                format!("None of the {n} alternatives (from $or) holds; each fails as follows."),
            ));
        }
        for (i, b) in self.branches.iter().enumerate() {
            let depth = if n > 1 {
                out.push((1, format!("Alternative {}:", i + 1)));
                2
            } else {
                1
            };
            if b.split_by_array {
                out.push((
                    depth,
                    "Every field matches on its own, but not within the same element of an array of objects."
                        .to_string(),
                ));
            }
            for f in b.fields.iter().filter(|f| !f.ok) {
                let wants = f.wants.join(", or ");
                let line = if f.found.is_empty() {
                    format!("Field \"{}\" is missing (or has no plain value), but it must be a value that {wants}.", f.path)
                } else {
                    format!(
                        "Field \"{}\" is {}, but it must be a value that {wants}.",
                        f.path,
                        f.found.join(" / ")
                    )
                };
                out.push((depth, line));
            }
        }
        out
    }

    /// The same explanation as an HTML fragment.
    pub fn to_html(&self) -> String {
        let mut s = String::from("<div class=\"pattern-explanation\">");
        let mut depth = 0usize;
        for (d, line) in self.lines() {
            while depth < d {
                s.push_str("<ul>");
                depth += 1;
            }
            while depth > d {
                s.push_str("</ul>");
                depth -= 1;
            }
            if d == 0 {
                s.push_str(&format!("<p>{}</p>", escape(&line)));
            } else {
                s.push_str(&format!("<li>{}</li>", escape(&line)));
            }
        }
        while depth > 0 {
            s.push_str("</ul>");
            depth -= 1;
        }
        s.push_str("</div>");
        s
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
        for (i, (d, line)) in self.lines().into_iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}{}", "  ".repeat(d), line)?;
        }
        Ok(())
    }
}
