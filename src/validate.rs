//! Generic input validation driven by the service model, in two layers:
//!
//! * `client_side` reproduces botocore's `ParamValidator` (missing/unknown parameters, types,
//!   minimum length and value) with its exact report text, before anything reaches "AWS";
//! * `server_side` reproduces what the EventBridge service itself checks on every request
//!   (maximum length and value, regular expression patterns, enums) with AWS's wording;
//! * `wire_side` is `server_side` for requests no client validated (the HTTP server): the
//!   service also reports missing required members and values under their minimum.
//!
//! `Param` abstracts over the caller's values, so this module knows nothing of Python.

use crate::model::{Model, ShapeId, ShapeType};
use serde_json::{Map, Number, Value};

/// A caller-supplied parameter value, as botocore's validator sees it.
pub trait Param: Sized {
    fn is_none(&self) -> bool;
    fn is_str(&self) -> bool;
    /// `isinstance(v, int)`: true for booleans too, as in Python.
    fn is_int(&self) -> bool;
    /// `isinstance(v, (float, Decimal, int))`.
    fn is_number(&self) -> bool;
    fn is_bool(&self) -> bool;
    /// A list or tuple.
    fn is_list(&self) -> bool;
    fn is_dict(&self) -> bool;
    /// bytes, bytearray, str or a file-like object.
    fn is_blob(&self) -> bool;
    /// Accepted by botocore's `parse_to_aware_datetime`.
    fn is_timestamp(&self) -> bool;
    /// `len(v)` for strings (code points), lists and dicts.
    fn size(&self) -> usize;
    fn as_f64(&self) -> f64;
    fn items(&self) -> Vec<Self>;
    /// Dict entries; keys are parameters too (map keys are validated against the key shape).
    fn entries(&self) -> Vec<(Self, Self)>;
    /// `str(v)`, as botocore's report prints a value.
    fn display(&self) -> String;
    /// `str(type(v))`, e.g. `<class 'int'>`.
    fn type_name(&self) -> String;
    /// The value as JSON for the engine; timestamps as epoch seconds.
    fn to_json(&self, kind: ShapeType) -> Value;
}

const STR: &str = "<class 'str'>";
const INT: &str = "<class 'int'>";
const FLOAT: &str = "<class 'float'>";
const DECIMAL: &str = "<class 'decimal.Decimal'>";
const BOOL: &str = "<class 'bool'>";
const DICT: &str = "<class 'dict'>";
const LIST: &str = "<class 'list'>";
const TUPLE: &str = "<class 'tuple'>";

struct Report(Vec<String>);

impl Report {
    fn name(name: &str) -> &str {
        match name {
            "" => "input",
            n => n.strip_prefix('.').unwrap_or(n),
        }
    }

    fn invalid_type<P: Param>(&mut self, name: &str, p: &P, valid: &[&str]) {
        self.0.push(format!(
            "Invalid type for parameter {}, value: {}, type: {}, valid types: {}",
            Self::name(name),
            p.display(),
            p.type_name(),
            valid.join(", ")
        ));
    }

    fn below_min(&mut self, name: &str, what: &str, shown: String, min: f64) {
        self.0.push(format!(
            "Invalid {what} for parameter {}, value: {shown}, valid min {}: {}",
            Self::name(name),
            if what == "length" { "length" } else { "value" },
            fmt_number(min)
        ));
    }
}

/// Python prints a model's integral `min` as an int.
fn fmt_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// botocore's client-side checks. `Err` holds the report, one line per error, exactly as
/// `ParamValidationError(report=...)` expects it.
pub fn client_side<P: Param>(model: &Model, shape: ShapeId, params: &P) -> Result<(), String> {
    let mut report = Report(Vec::new());
    check(model, shape, params, "", &mut report);
    if report.0.is_empty() {
        Ok(())
    } else {
        Err(report.0.join("\n"))
    }
}

fn check<P: Param>(model: &Model, id: ShapeId, p: &P, name: &str, r: &mut Report) {
    let shape = model.shape(id);
    match shape.kind {
        ShapeType::Structure => {
            if !p.is_dict() {
                return r.invalid_type(name, p, &[DICT]);
            }
            let entries = p.entries();
            let keys: Vec<String> = entries
                .iter()
                .map(|(k, _)| {
                    if k.is_str() {
                        k.display()
                    } else {
                        String::new()
                    }
                })
                .collect();
            for req in &shape.required {
                if !keys.iter().any(|k| k == req) {
                    r.0.push(format!(
                        "Missing required parameter in {}: \"{req}\"",
                        Report::name(name)
                    ));
                }
            }
            let mut known = Vec::new();
            for ((k, v), key) in entries.iter().zip(&keys) {
                match shape.member(key).filter(|_| k.is_str()) {
                    Some(m) => known.push((key, v, m)),
                    None => {
                        let valid: Vec<&str> =
                            shape.members.iter().map(|m| m.name.as_str()).collect();
                        r.0.push(format!(
                            "Unknown parameter in {}: \"{}\", must be one of: {}",
                            Report::name(name),
                            k.display(),
                            valid.join(", ")
                        ));
                    }
                }
            }
            for (key, v, m) in known {
                check(model, m, v, &format!("{name}.{key}"), r);
            }
        }
        ShapeType::List => {
            if !p.is_list() {
                return r.invalid_type(name, p, &[LIST, TUPLE]);
            }
            check_min_len(shape.min, p, name, r);
            if let Some(member) = shape.member {
                for (i, item) in p.items().iter().enumerate() {
                    check(model, member, item, &format!("{name}[{i}]"), r);
                }
            }
        }
        ShapeType::Map => {
            if !p.is_dict() {
                return r.invalid_type(name, p, &[DICT]);
            }
            for (k, v) in p.entries() {
                let key = k.display();
                if let Some(ks) = shape.key {
                    check(model, ks, &k, &format!("{name} (key: {key})"), r);
                }
                if let Some(vs) = shape.value {
                    check(model, vs, &v, &format!("{name}.{key}"), r);
                }
            }
        }
        ShapeType::String => {
            if !p.is_str() {
                return r.invalid_type(name, p, &[STR]);
            }
            check_min_len(shape.min, p, name, r);
        }
        ShapeType::Integer | ShapeType::Long => {
            if !p.is_int() {
                return r.invalid_type(name, p, &[INT]);
            }
            check_min_value(shape.min, p, name, r);
        }
        ShapeType::Double | ShapeType::Float => {
            if !p.is_number() {
                return r.invalid_type(name, p, &[FLOAT, DECIMAL, INT]);
            }
            check_min_value(shape.min, p, name, r);
        }
        ShapeType::Boolean => {
            if !p.is_bool() {
                r.invalid_type(name, p, &[BOOL]);
            }
        }
        ShapeType::Timestamp => {
            if !p.is_timestamp() {
                r.invalid_type(
                    name,
                    p,
                    &["<class 'datetime.datetime'>", "timestamp-string"],
                );
            }
        }
        ShapeType::Blob => {
            if !p.is_blob() {
                r.invalid_type(
                    name,
                    p,
                    &["<class 'bytes'>", "<class 'bytearray'>", "file-like object"],
                );
            }
        }
    }
}

fn check_min_len<P: Param>(min: Option<f64>, p: &P, name: &str, r: &mut Report) {
    if let Some(min) = min {
        let len = p.size();
        if (len as f64) < min {
            r.below_min(name, "length", len.to_string(), min);
        }
    }
}

fn check_min_value<P: Param>(min: Option<f64>, p: &P, name: &str, r: &mut Report) {
    if let Some(min) = min {
        if p.as_f64() < min {
            r.below_min(name, "value", p.display(), min);
        }
    }
}

/// Converts validated parameters to the JSON the engine works on, dropping `None` members as
/// botocore's serializer does.
pub fn to_json<P: Param>(model: &Model, id: ShapeId, p: &P) -> Value {
    let shape = model.shape(id);
    match shape.kind {
        ShapeType::Structure => {
            let mut map = Map::new();
            for (k, v) in p.entries() {
                let key = k.display();
                if let Some(m) = shape.member(&key) {
                    if !v.is_none() {
                        map.insert(key, to_json(model, m, &v));
                    }
                }
            }
            Value::Object(map)
        }
        ShapeType::List => match shape.member {
            Some(m) => Value::Array(p.items().iter().map(|i| to_json(model, m, i)).collect()),
            None => Value::Array(Vec::new()),
        },
        ShapeType::Map => {
            let mut map = Map::new();
            if let Some(vs) = shape.value {
                for (k, v) in p.entries() {
                    map.insert(k.display(), to_json(model, vs, &v));
                }
            }
            Value::Object(map)
        }
        kind => p.to_json(kind),
    }
}

/// One server-side constraint failure.
struct Violation {
    path: String,
    value: Shown,
    constraint: String,
}

/// How a failing value appears in the message.
enum Shown {
    Value(String),
    /// A sensitive value, which AWS does not print.
    Hidden,
    /// A required member that is absent: `Value null at ...`.
    Null,
}

/// Which of the service's checks run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Checks {
    /// After botocore's client-side checks: maximums, patterns and enums.
    Service,
    /// On a request no client checked: also required members and minimums.
    Wire,
}

/// AWS's wire names start lower-case: `EventBusName` is reported as `eventBusName`.
fn wire_name(member: &str) -> String {
    let mut c = member.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A value as AWS's messages print it: Java's `toString` of the deserialized request, where
/// a structure is `ShapeName(member=value, ...)` with every member, absent ones `null`.
fn aws_display(model: &Model, id: Option<ShapeId>, v: &Value) -> String {
    let shape = id.map(|id| model.shape(id));
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => format!(
            "[{}]",
            a.iter()
                .map(|item| aws_display(model, shape.and_then(|s| s.member), item))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Object(o) => match shape {
            Some(s) if s.kind == ShapeType::Structure => format!(
                "{}({})",
                s.name,
                s.members
                    .iter()
                    .map(|m| match o.get(&m.name) {
                        Some(child) => format!(
                            "{}={}",
                            wire_name(&m.name),
                            aws_display(model, Some(m.shape), child)
                        ),
                        None => format!("{}=null", wire_name(&m.name)),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => format!(
                "{{{}}}",
                o.iter()
                    .map(|(k, item)| format!(
                        "{k}={}",
                        aws_display(model, shape.and_then(|s| s.value), item)
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
        Value::Number(n) => fmt_json_number(n),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
    }
}

fn fmt_json_number(n: &Number) -> String {
    n.to_string()
}

/// The service's own checks; `Err` is the complete `ValidationException` message.
pub fn server_side(model: &Model, shape: ShapeId, input: &Value) -> Result<(), String> {
    service_checks(model, shape, input, Checks::Service)
}

/// The service's checks on a request that reached it unchecked (over HTTP, from any client):
/// `server_side` plus required members and minimum lengths and values, in AWS's wording.
pub fn wire_side(model: &Model, shape: ShapeId, input: &Value) -> Result<(), String> {
    service_checks(model, shape, input, Checks::Wire)
}

fn service_checks(
    model: &Model,
    shape: ShapeId,
    input: &Value,
    checks: Checks,
) -> Result<(), String> {
    let mut found = Vec::new();
    walk_server(model, shape, input, &Path::Root, checks, &mut found);
    match found.len() {
        0 => Ok(()),
        n => Err(format!(
            "{n} validation error{} detected: {}",
            if n == 1 { "" } else { "s" },
            found
                .iter()
                .map(|v| match &v.value {
                    Shown::Value(value) => format!(
                        "Value '{value}' at '{}' failed to satisfy constraint: {}",
                        v.path, v.constraint
                    ),
                    // A sensitive value is left out (docs/aws-facts-connections.md).
                    Shown::Hidden => format!(
                        "Value at '{}' failed to satisfy constraint: {}",
                        v.path, v.constraint
                    ),
                    Shown::Null => format!(
                        "Value null at '{}' failed to satisfy constraint: {}",
                        v.path, v.constraint
                    ),
                })
                .collect::<Vec<_>>()
                .join("; ")
        )),
    }
}

/// Where a value sits in the request, built only when a constraint fails.
enum Path<'a> {
    Root,
    Member(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
    Key(&'a Path<'a>, &'a str),
}

impl Path<'_> {
    fn render(&self, out: &mut String) {
        let dot = |out: &mut String| {
            if !out.is_empty() {
                out.push('.')
            }
        };
        match self {
            Path::Root => {}
            Path::Member(parent, name) => {
                parent.render(out);
                dot(out);
                out.push_str(&wire_name(name));
            }
            // AWS numbers list items from 1: `targets.1.member.id`.
            Path::Index(parent, i) => {
                parent.render(out);
                out.push_str(&format!(".{}.member", i + 1));
            }
            Path::Key(parent, k) => {
                parent.render(out);
                dot(out);
                out.push_str(k);
            }
        }
    }
}

fn walk_server(
    model: &Model,
    id: ShapeId,
    v: &Value,
    path: &Path,
    checks: Checks,
    out: &mut Vec<Violation>,
) {
    let shape = model.shape(id);
    let wire = checks == Checks::Wire;
    if !(shape.constrained || wire && shape.wire_constrained) {
        return;
    }
    let mut fail = |constraint: String| {
        let mut rendered = String::new();
        path.render(&mut rendered);
        out.push(Violation {
            path: rendered,
            value: if shape.sensitive {
                Shown::Hidden
            } else {
                Shown::Value(aws_display(model, Some(id), v))
            },
            constraint,
        })
    };
    // botocore checks minimums client-side; AWS reports them before maximums and patterns.
    if wire {
        if let Some(min) = shape.min {
            let (size, what) = match v {
                Value::String(s) => (s.chars().count() as f64, "length"),
                Value::Array(a) => (a.len() as f64, "length"),
                Value::Object(o) if shape.kind == ShapeType::Map => (o.len() as f64, "length"),
                Value::Number(n) => (n.as_f64().unwrap_or(0.0), "value"),
                _ => (min, ""),
            };
            if size < min {
                fail(format!(
                    "Member must have {what} greater than or equal to {}",
                    fmt_number(min)
                ));
            }
        }
    }
    match (shape.kind, v) {
        (ShapeType::Structure, Value::Object(o)) => {
            for m in &shape.members {
                let member = Path::Member(path, &m.name);
                match o.get(&m.name) {
                    Some(child) => walk_server(model, m.shape, child, &member, checks, out),
                    None if wire && shape.required.contains(&m.name) => {
                        let mut rendered = String::new();
                        member.render(&mut rendered);
                        out.push(Violation {
                            path: rendered,
                            value: Shown::Null,
                            constraint: "Member must not be null".into(),
                        });
                    }
                    None => {}
                }
            }
        }
        (ShapeType::List, Value::Array(a)) => {
            if let Some(max) = shape.max {
                if a.len() as f64 > max {
                    fail(format!(
                        "Member must have length less than or equal to {}",
                        fmt_number(max)
                    ));
                }
            }
            if let Some(m) = shape.member {
                for (i, item) in a.iter().enumerate() {
                    walk_server(model, m, item, &Path::Index(path, i), checks, out);
                }
            }
        }
        (ShapeType::Map, Value::Object(o)) => {
            if let Some(max) = shape.max {
                if o.len() as f64 > max {
                    fail(format!(
                        "Member must have length less than or equal to {}",
                        fmt_number(max)
                    ));
                }
            }
            if let Some(vs) = shape.value {
                for (k, item) in o {
                    walk_server(model, vs, item, &Path::Key(path, k), checks, out);
                }
            }
        }
        (ShapeType::String, Value::String(s)) => {
            // AWS reports length before pattern for one value (docs/aws-facts.md §1.2).
            if let Some(max) = shape.max {
                // A string has no more characters than bytes: count only when it could fail.
                if s.len() as f64 > max && s.chars().count() as f64 > max {
                    fail(format!(
                        "Member must have length less than or equal to {}",
                        fmt_number(max)
                    ));
                }
            }
            if let Some((text, re)) = &shape.pattern {
                // A pattern too costly to evaluate is not held against the caller.
                if !re.is_match(s).unwrap_or(true) {
                    fail(format!(
                        "Member must satisfy regular expression pattern: {text}"
                    ));
                }
            }
            if let Some(vals) = &shape.enum_values {
                if !vals.iter().any(|e| e == s) {
                    fail(format!(
                        "Member must satisfy enum value set: [{}]",
                        vals.join(", ")
                    ));
                }
            }
        }
        (ShapeType::Integer | ShapeType::Long, Value::Number(n)) => {
            if let (Some(max), Some(x)) = (shape.max, n.as_f64()) {
                if x > max {
                    fail(format!(
                        "Member must have value less than or equal to {}",
                        fmt_number(max)
                    ));
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::test_model;
    use serde_json::json;

    /// `Param` over JSON, as a test stand-in for Python values.
    impl Param for Value {
        fn is_none(&self) -> bool {
            self.is_null()
        }
        fn is_str(&self) -> bool {
            self.is_string()
        }
        fn is_int(&self) -> bool {
            self.is_i64() || self.is_u64() || self.is_boolean()
        }
        fn is_number(&self) -> bool {
            Value::is_number(self) || self.is_boolean()
        }
        fn is_bool(&self) -> bool {
            self.is_boolean()
        }
        fn is_list(&self) -> bool {
            self.is_array()
        }
        fn is_dict(&self) -> bool {
            self.is_object()
        }
        fn is_blob(&self) -> bool {
            self.is_string()
        }
        fn is_timestamp(&self) -> bool {
            Value::is_number(self)
        }
        fn size(&self) -> usize {
            match self {
                Value::String(s) => s.chars().count(),
                Value::Array(a) => a.len(),
                Value::Object(o) => o.len(),
                _ => 0,
            }
        }
        fn as_f64(&self) -> f64 {
            Value::as_f64(self).unwrap_or(0.0)
        }
        fn items(&self) -> Vec<Self> {
            self.as_array().cloned().unwrap_or_default()
        }
        fn entries(&self) -> Vec<(Self, Self)> {
            self.as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| (Value::String(k.clone()), v.clone()))
                        .collect()
                })
                .unwrap_or_default()
        }
        fn display(&self) -> String {
            match self {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            }
        }
        fn type_name(&self) -> String {
            match self {
                Value::String(_) => STR,
                Value::Bool(_) => BOOL,
                Value::Number(n) if n.is_f64() => FLOAT,
                Value::Number(_) => INT,
                Value::Array(_) => LIST,
                Value::Object(_) => DICT,
                Value::Null => "<class 'NoneType'>",
            }
            .to_string()
        }
        fn to_json(&self, _: ShapeType) -> Value {
            self.clone()
        }
    }

    fn client(v: Value) -> Result<(), String> {
        let m = test_model();
        let op = m.operation("PutThing").unwrap();
        client_side(&m, op.input.unwrap(), &v)
    }

    fn server(v: Value) -> Result<(), String> {
        let m = test_model();
        let op = m.operation("PutThing").unwrap();
        server_side(&m, op.input.unwrap(), &v)
    }

    #[test]
    fn client_side_reports_like_botocore() {
        assert_eq!(client(json!({"Name": "a"})), Ok(()));
        assert_eq!(
            client(json!({})),
            Err("Missing required parameter in input: \"Name\"".into())
        );
        assert_eq!(
            client(json!({"Name": "a", "Nope": 1})),
            Err("Unknown parameter in input: \"Nope\", must be one of: Name, State, Limit, Tags, Enabled, When, Attrs".into())
        );
        assert_eq!(
            client(json!({"Name": 5})),
            Err("Invalid type for parameter Name, value: 5, type: <class 'int'>, valid types: <class 'str'>".into())
        );
        assert_eq!(
            client(json!({"Name": ""})),
            Err("Invalid length for parameter Name, value: 0, valid min length: 1".into())
        );
        assert_eq!(
            client(json!({"Name": "a", "Limit": 0})),
            Err("Invalid value for parameter Limit, value: 0, valid min value: 1".into())
        );
        assert_eq!(
            client(json!({"Name": "a", "Tags": [{"Key": "k"}]})),
            Err("Missing required parameter in Tags[0]: \"Value\"".into())
        );
        assert_eq!(
            client(json!({"Name": "a", "Attrs": {"": "v"}})),
            Err("Invalid length for parameter Attrs (key: ), value: 0, valid min length: 1".into())
        );
        assert_eq!(
            client(json!({"Name": "a", "Enabled": "yes", "When": "x"})),
            Err("Invalid type for parameter Enabled, value: yes, type: <class 'str'>, valid types: <class 'bool'>\nInvalid type for parameter When, value: x, type: <class 'str'>, valid types: <class 'datetime.datetime'>, timestamp-string".into())
        );
    }

    #[test]
    fn server_side_words_like_aws() {
        assert_eq!(server(json!({"Name": "abc"})), Ok(()));
        assert_eq!(
            server(json!({"Name": "a b"})),
            Err("1 validation error detected: Value 'a b' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+".into())
        );
        assert_eq!(
            server(json!({"Name": "abcdefghij", "State": "ON", "Limit": 101})),
            Err("3 validation errors detected: Value 'abcdefghij' at 'name' failed to satisfy constraint: Member must have length less than or equal to 8; Value 'ON' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]; Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100".into())
        );
        assert_eq!(
            server(json!({"Name": "a", "Tags": [{"Key": "a", "Value": ""}, {"Key": "B", "Value": ""}]})),
            Err("1 validation error detected: Value 'B' at 'tags.2.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+".into())
        );
    }

    #[test]
    fn wire_side_adds_required_members_and_minimums() {
        let m = test_model();
        let shape = m.operation("PutThing").unwrap().input.unwrap();
        let wire = |v: Value| wire_side(&m, shape, &v);
        assert_eq!(wire(json!({"Name": "abc"})), Ok(()));
        assert_eq!(server(json!({})), Ok(()));
        assert_eq!(
            wire(json!({})),
            Err("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null".into())
        );
        assert_eq!(
            wire(json!({"Name": "", "Limit": 0, "Tags": [{"Key": "a"}]})),
            Err("4 validation errors detected: \
                 Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1; \
                 Value '' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+; \
                 Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1; \
                 Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null"
                .into())
        );
    }

    #[test]
    fn to_json_drops_none_and_unknown_members() {
        let m = test_model();
        let op = m.operation("PutThing").unwrap();
        let v = to_json(
            &m,
            op.input.unwrap(),
            &json!({"Name": "a", "State": null, "Tags": [{"Key": "k", "Value": "v"}]}),
        );
        assert_eq!(
            v,
            json!({"Name": "a", "Tags": [{"Key": "k", "Value": "v"}]})
        );
    }
}
