//! Reading a pattern: validation with AWS's reasons, `$or` expansion into branches.
//!
//! Keys are read in document order (serde_json keeps it), so the first problem reported is
//! the one AWS reports first.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::cond::{AnythingBut, Cond, Wildcard};
use super::error::PatternError;
use super::ignore_case::IgnoreCase;
use super::ip::{ip_bits, ip_literal, ip_shaped};
use super::number;

/// Nesting deeper than AWS's JSON limit is refused (reading the text refuses it first);
/// it bounds recursion on any input.
pub(crate) const MAX_DEPTH: usize = crate::json::MAX_DEPTH;
/// `$or` expansion beyond this many branches is refused, bounding memory.
pub(crate) const MAX_BRANCHES: usize = 1024;
/// AWS refuses wildcards with more `*`s than this (docs/patterns.md).
pub(crate) const MAX_WILDCARD_STARS: usize = 5;

const OR: &str = "$or";
const RESERVED_IN_OR: &[&str] = &[
    "exactly",
    "equals-ignore-case",
    "prefix",
    "suffix",
    "anything-but",
    "exists",
    "wildcard",
    "numeric",
    "cidr",
    "html",
    "=",
    "<",
    "<=",
    ">",
    ">=",
    "regex",
    "not-wildcard",
    "not-equals-ignore-case",
    "date-after",
    "date-on-or-after",
    "date-before",
    "date-on-or-before",
    "in-date-range",
    "ip-address-in-range",
    "ip-address-not-in-range",
];
const TOO_MANY: &str = "Too many elements in numeric expression";
const ONE_KEY: &str = "Only one key allowed in match expression";

/// One field test: the dotted path and its any-of conditions.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub(crate) path: String,
    pub(crate) conds: Vec<Cond>,
}

/// All fields must hold. A pattern is a list of branches, any of which may hold.
#[derive(Debug, Clone)]
pub(crate) struct Branch {
    pub(crate) fields: Vec<Field>,
}

type Fail<T> = Result<T, PatternError>;

fn fail<T>(reason: impl Into<String>) -> Fail<T> {
    Err(PatternError::new(reason))
}

pub(crate) fn compile(v: &Value) -> Fail<Vec<Branch>> {
    let Value::Object(obj) = v else {
        return fail("Filter is not an object");
    };
    let mut branches = vec![BTreeMap::new()];
    let mut path = Vec::new();
    object(obj, &mut path, &mut branches, false, 0)?;
    Ok(branches
        .into_iter()
        .map(|m| Branch {
            fields: m
                .into_iter()
                .map(|(path, conds)| Field { path, conds })
                .collect(),
        })
        .collect())
}

type Branches = Vec<BTreeMap<String, Vec<Cond>>>;

fn object(
    obj: &Map<String, Value>,
    path: &mut Vec<String>,
    branches: &mut Branches,
    in_or: bool,
    depth: usize,
) -> Fail<()> {
    if depth >= MAX_DEPTH {
        return fail(crate::json::depth_message(depth + 1));
    }
    for (k, v) in obj {
        if k == OR {
            or(v, path, branches, depth)?;
            continue;
        }
        if in_or && RESERVED_IN_OR.contains(&k.as_str()) {
            return fail(format!(
                "{k} is Ruler reserved fieldName which cannot be used inside $or."
            ));
        }
        match v {
            Value::Object(inner) => {
                path.push(k.clone());
                crate::json::deeper(depth, || object(inner, path, branches, in_or, depth + 1))?;
                path.pop();
            }
            Value::Array(items) => {
                let conds = values(items)?;
                let mut full = path.join(".");
                if !full.is_empty() {
                    full.push('.');
                }
                full.push_str(k);
                for b in branches.iter_mut() {
                    b.insert(full.clone(), conds.clone());
                }
            }
            _ => return fail(format!("\"{k}\" must be an object or an array")),
        }
    }
    if obj.is_empty() {
        return fail("Empty objects are not allowed");
    }
    Ok(())
}

fn or(v: &Value, path: &mut Vec<String>, branches: &mut Branches, depth: usize) -> Fail<()> {
    let Value::Array(items) = v else {
        return fail("It must be an Array followed with $or.");
    };
    let before = std::mem::take(branches);
    let mut after = Vec::new();
    for item in items {
        let Value::Object(o) = item else {
            return fail("Only JSON object is allowed in array of $or relationship.");
        };
        let mut copy = before.clone();
        if copy.is_empty() {
            copy.push(BTreeMap::new());
        }
        crate::json::deeper(depth, || object(o, path, &mut copy, true, depth + 1))?;
        after.extend(copy);
        if after.len() > MAX_BRANCHES {
            return fail("Filter has too many $or combinations");
        }
    }
    if items.len() < 2 {
        return fail("There must have at least 2 Objects in $or relationship.");
    }
    *branches = after;
    Ok(())
}

fn values(items: &[Value]) -> Fail<Vec<Cond>> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(match item {
            Value::Object(o) => match_expr(o)?,
            Value::String(s) => match ip_literal(s) {
                Some(ip) => Cond::Ip(ip, s.clone()),
                None => Cond::Str(s.clone()),
            },
            Value::Number(n) => match number::comparable(n) {
                Some(c) => Cond::Num(c, n.clone()),
                None => Cond::NumLiteral(n.clone()),
            },
            Value::Bool(b) => Cond::Bool(*b),
            Value::Null => Cond::Null,
            Value::Array(_) => {
                return fail("Match value must be String, number, true, false, or null")
            }
        });
    }
    if out.is_empty() {
        return fail("Empty arrays are not allowed");
    }
    Ok(out)
}

/// Jackson's `getText` of the token at a value's start.
fn token_text(v: Option<&Value>) -> String {
    match v {
        None => "]".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => number::text(n),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Null) => "null".into(),
        Some(Value::Object(_)) => "{".into(),
        Some(Value::Array(_)) => "[".into(),
    }
}

fn only_key(o: &Map<String, Value>, reason: &str) -> Fail<()> {
    if o.len() > 1 {
        return fail(reason);
    }
    Ok(())
}

fn string<'a>(v: &'a Value, reason: &str) -> Fail<&'a str> {
    match v {
        Value::String(s) => Ok(s),
        _ => fail(reason),
    }
}

fn match_expr(o: &Map<String, Value>) -> Fail<Cond> {
    let Some((name, v)) = o.iter().next() else {
        return fail("Match expression name not found");
    };
    let (cond, extra) = match name.as_str() {
        "exactly" => (
            Cond::Str(string(v, "exact match pattern must be a string")?.to_string()),
            ONE_KEY,
        ),
        "prefix" | "suffix" => (affix(name, v)?, ONE_KEY),
        "numeric" => {
            let Value::Array(items) = v else {
                return fail("Value of numeric must be an array.");
            };
            (numeric(items)?, TOO_MANY)
        }
        "anything-but" => (anything_but(v)?, TOO_MANY),
        "exists" => match v {
            Value::Bool(b) => (Cond::Exists(*b), ONE_KEY),
            _ => return fail("exists match pattern must be either true or false."),
        },
        "cidr" => (
            cidr(string(v, "prefix match pattern must be a string")?)?,
            ONE_KEY,
        ),
        "equals-ignore-case" => (
            Cond::EqCi(IgnoreCase::new(string(
                v,
                "equals-ignore-case match pattern must be a string",
            )?)),
            ONE_KEY,
        ),
        "wildcard" => (
            Cond::Wildcard(wildcard(string(
                v,
                "wildcard match pattern must be a string",
            )?)?),
            ONE_KEY,
        ),
        other => return fail(format!("Unrecognized match type {other}")),
    };
    only_key(o, extra)?;
    Ok(cond)
}

/// The distinct values of a list in the iteration order of a Java `HashSet<String>` built from
/// them, each stored with the quotes the reader puts around it: by bucket (the string's hash
/// folded, masked by a table that doubles past three quarters full), then in insertion order.
fn java_set_order(values: &[String]) -> Vec<&str> {
    fn hash(s: &str) -> u32 {
        let h = std::iter::once(u16::from(b'"'))
            .chain(s.encode_utf16())
            .chain(std::iter::once(u16::from(b'"')))
            .fold(0u32, |h, u| h.wrapping_mul(31).wrapping_add(u32::from(u)));
        h ^ (h >> 16)
    }
    let mut distinct: Vec<&str> = Vec::new();
    for v in values {
        if !distinct.contains(&v.as_str()) {
            distinct.push(v);
        }
    }
    let mut capacity = 16usize;
    while distinct.len() * 4 > capacity * 3 {
        capacity *= 2;
    }
    let mut order: Vec<(usize, usize, &str)> = distinct
        .iter()
        .enumerate()
        .map(|(i, v)| (hash(v) as usize & (capacity - 1), i, *v))
        .collect();
    order.sort_unstable();
    order.into_iter().map(|(_, _, v)| v).collect()
}

fn wildcard(s: &str) -> Fail<Wildcard> {
    let w = Wildcard::parse(s).map_err(PatternError::new)?;
    if w.star_count() > MAX_WILDCARD_STARS {
        return fail(
            "Rule is too complex - try using fewer wildcard characters or fewer repeating \
             character sequences after a wildcard character",
        );
    }
    Ok(w)
}

fn affix(name: &str, v: &Value) -> Fail<Cond> {
    let prefix = name == "prefix";
    match v {
        Value::String(s) => Ok(if prefix {
            Cond::Prefix(s.clone())
        } else {
            Cond::Suffix(s.clone())
        }),
        Value::Object(inner) => {
            let (label, cap) = if prefix {
                ("prefix", "Prefix")
            } else {
                ("suffix", "Suffix")
            };
            let Some((op, iv)) = inner.iter().next() else {
                return fail(format!("{cap} expression name not found"));
            };
            if op != "equals-ignore-case" {
                return fail(format!("Unsupported {label} pattern: {op}"));
            }
            let s = IgnoreCase::new(string(
                iv,
                "equals-ignore-case match pattern must be a string",
            )?);
            only_key(inner, ONE_KEY)?;
            Ok(if prefix {
                Cond::PrefixCi(s)
            } else {
                Cond::SuffixCi(s)
            })
        }
        _ => fail(format!("{name} match pattern must be a string")),
    }
}

fn numeric(items: &[Value]) -> Fail<Cond> {
    let mut it = items.iter();
    let first = it.next();
    let Some(Value::String(op)) = first else {
        return fail(format!(
            "Invalid member in numeric match: {}",
            token_text(first)
        ));
    };
    let label = if op == "=" { "equals" } else { op.as_str() };
    if !["=", "<", "<=", ">", ">="].contains(&op.as_str()) {
        return fail(format!("Unrecognized numeric range operator: {op}"));
    }
    let Some(Value::Number(a)) = it.next() else {
        return fail(format!("Value of {label} must be numeric"));
    };
    let next = it.next();
    let lower = op == ">" || op == ">=";
    if !lower {
        if next.is_some() {
            return fail(TOO_MANY);
        }
        let c = number::operand(a).map_err(PatternError::new)?;
        return Ok(match op.as_str() {
            "=" => Cond::Numeric {
                lo: Some((c, true)),
                hi: Some((c, true)),
            },
            "<" => Cond::Numeric {
                lo: None,
                hi: Some((c, false)),
            },
            _ => Cond::Numeric {
                lo: None,
                hi: Some((c, true)),
            },
        });
    }
    let lo_incl = op == ">=";
    let Some(next) = next else {
        let c = number::operand(a).map_err(PatternError::new)?;
        return Ok(Cond::Numeric {
            lo: Some((c, lo_incl)),
            hi: None,
        });
    };
    let Value::String(op2) = next else {
        return fail(format!(
            "Bad value in numeric range: {}",
            token_text(Some(next))
        ));
    };
    if op2 != "<" && op2 != "<=" {
        return fail(format!("Bad numeric range operator: {op2}"));
    }
    let Some(Value::Number(b)) = it.next() else {
        return fail(format!("Value of {op2} must be numeric"));
    };
    if it.next().is_some() {
        return fail("Too many terms in numeric range expression");
    }
    let lo = number::operand(a).map_err(PatternError::new)?;
    let hi = number::operand(b).map_err(PatternError::new)?;
    if lo >= hi {
        return fail("Bottom must be less than top");
    }
    Ok(Cond::Numeric {
        lo: Some((lo, lo_incl)),
        hi: Some((hi, op2 == "<=")),
    })
}

fn anything_but(v: &Value) -> Fail<Cond> {
    let bad_value = "Value of anything-but must be an array or single string/number value.";
    match v {
        Value::Object(inner) => {
            let Some((op, iv)) = inner.iter().next() else {
                return fail("Anything-But expression name not found");
            };
            let (not_string, kind) = match op.as_str() {
                "equals-ignore-case" => (
                    "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
                    0,
                ),
                "prefix" => ("prefix/suffix match pattern must be a string", 1),
                "suffix" => ("prefix/suffix match pattern must be a string", 2),
                "wildcard" => ("wildcard match pattern must be a string", 3),
                _ => return fail(format!("Unsupported anything-but pattern: {op}")),
            };
            let items: Vec<&Value> = match iv {
                Value::Array(a) => a.iter().collect(),
                Value::String(_) | Value::Number(_) => vec![iv],
                _ => return fail(bad_value),
            };
            let mut strs = Vec::with_capacity(items.len());
            for item in items {
                let s = string(item, not_string)?;
                if (kind == 1 || kind == 2) && s.is_empty() {
                    return fail("Null prefix/suffix not allowed");
                }
                strs.push(s.to_string());
            }
            let ab = match kind {
                0 => AnythingBut::Ci(strs.iter().map(|s| IgnoreCase::new(s)).collect()),
                1 => AnythingBut::Prefix(strs),
                2 => AnythingBut::Suffix(strs),
                _ => {
                    // The reader checks the list's wildcards only once it has read them all,
                    // in the order its hash set holds them.
                    for s in java_set_order(&strs) {
                        Wildcard::parse(s).map_err(PatternError::new)?;
                    }
                    AnythingBut::Wildcard(
                        strs.iter().map(|s| wildcard(s)).collect::<Fail<Vec<_>>>()?,
                    )
                }
            };
            only_key(inner, TOO_MANY)?;
            Ok(Cond::AnythingBut(ab))
        }
        Value::String(s) => Ok(Cond::AnythingBut(AnythingBut::Strs(vec![s.clone()]))),
        Value::Number(n) => {
            let c = number::operand(n).map_err(PatternError::new)?;
            Ok(Cond::AnythingBut(AnythingBut::Nums(vec![c])))
        }
        Value::Array(items) => {
            let (mut strs, mut nums) = (Vec::new(), Vec::new());
            for item in items {
                match item {
                    Value::String(s) => strs.push(s.clone()),
                    Value::Number(n) => nums.push(number::operand(n).map_err(PatternError::new)?),
                    _ => {
                        return fail(
                            "Inside anything but list, start|null|boolean is not supported.",
                        )
                    }
                }
            }
            match (strs.is_empty(), nums.is_empty()) {
                (false, true) => Ok(Cond::AnythingBut(AnythingBut::Strs(strs))),
                (true, false) => Ok(Cond::AnythingBut(AnythingBut::Nums(nums))),
                _ => fail(
                    "Inside anything but list, either all values are number or string, mixed type is not supported",
                ),
            }
        }
        _ => fail(bad_value),
    }
}

/// Java's `Integer.parseInt`: optional sign, decimal digits, 32-bit range.
fn java_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = s.parse().ok()?;
    (i32::MIN as i64..=i32::MAX as i64)
        .contains(&v)
        .then_some(v)
}

fn cidr(text: &str) -> Fail<Cond> {
    // Java's split drops trailing empty pieces, so "a/" has one piece.
    let mut parts: Vec<&str> = text.split('/').collect();
    while parts.len() > 1 && parts.last() == Some(&"") {
        parts.pop();
    }
    if parts.len() != 2 {
        return fail("Malformed CIDR, one '/' required");
    }
    let Some(bits) = java_int(parts[1]) else {
        return fail("Malformed CIDR, mask bits must be an integer");
    };
    if bits < 0 {
        return fail("Malformed CIDR, mask bits must not be negative");
    }
    let ip_text = parts[0];
    // Text shaped like an address that does not read as one is "Invalid"; any other text
    // is "Nonstandard" (ruler-src CIDR.java's two messages).
    let ip = match ip_literal(ip_text) {
        Some(ip) => ip,
        None if ip_shaped(ip_text) => return fail(format!("Invalid IP address: {ip_text}")),
        None => return fail(format!("Nonstandard IP address: {ip_text}")),
    };
    let (base, v6) = ip_bits(ip);
    let width: i64 = if v6 { 128 } else { 32 };
    if !v6 && bits > 31 {
        return fail("IPv4 mask bits must be < 32");
    }
    if v6 && bits > 127 {
        return fail("IPv6 mask bits must be < 128");
    }
    let host = (width - bits) as u32;
    let ones: u128 = if host >= 128 {
        u128::MAX
    } else {
        (1u128 << host) - 1
    };
    Ok(Cond::Cidr {
        lo: base & !ones,
        hi: base | ones,
        v6,
        text: text.to_string(),
    })
}
