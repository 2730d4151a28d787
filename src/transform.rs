//! What a rule target receives for a matched event, and put_targets' checks of the members that
//! shape it (`Input`, `InputPath`, `InputTransformer`).
//!
//! # Facts this module follows, with their sources
//!
//! Sources are abbreviated in the test cases (`tests/transform_cases.json`) as:
//! * **UG** — EventBridge User Guide, "Amazon EventBridge input transformation"
//!   (docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html), its
//!   "Predefined variables", "Input transform examples" and "Common issues" sections;
//! * **IT** — API Reference, `InputTransformer` (API_InputTransformer.html);
//! * **MODEL** — the service model (botocore `events/2015-10-07`): `TransformerPaths` max 100,
//!   key pattern `[A-Za-z0-9\_\-]+`, `TargetInputPath` max 256, `TransformerInput` 1..8192;
//! * **REC** — responses recorded against AWS in LocalStack's parity snapshots
//!   (`tests/aws/services/events/test_events_inputs.snapshot.json`, recorded 2024-05/06);
//! * **CLI6711** — aws/aws-cli issue #6711, the error AWS returned for `Input="env:dev"`;
//! * **RG** — a measured note in a public CloudFormation pre-flight rule set (2026-09-07,
//!   us-east-1) on `<aws.events.event.json>` outside JSON templates;
//! * **SD-IN** — AWS SDK captures against a real account (us-east-1, 2026-09-13) in repo
//!   radkawar/stackd, `testdata/aws/eventbridge/inputs.json`, cited by their `case`.
//!
//! Rendering:
//! 1. No member: the whole event envelope, as compact JSON in its own key order.
//! 2. `Input`: the text as given (not re-serialized). It was validated as JSON at put_targets
//!    (CLI6711: `JSON syntax error in input for target 1: [Source: (String)"env:dev"; line: 1,
//!    column: 4]`).
//! 3. `InputPath`: the compact JSON of what the path selects; a string comes as a JSON string
//!    with its quotes (REC: `$.detail.payload.sf_id` → `"baz"`), objects as objects (REC).
//!    Supported syntax (UG note): dot notation, dashes, underscores, alphanumerics, array
//!    indices, wildcards `*`, forward slashes; no bracket notation for names (IT/MODEL doc:
//!    "You must use JSON dot notation, not bracket notation"). A path that selects nothing is a
//!    delivery failure here (`Err`), see open questions.
//! 4. `InputTransformer`:
//!    * A template is a *JSON template* when, trimmed, it is surrounded by curly braces (IT: "If
//!      InputTemplate is a JSON object (surrounded by curly braces)"); anything else — a quoted
//!      string, plain text, an array — is a *string template* (REC: `"{[/Check ..."` is sent as
//!      a string).
//!    * String template: each `<key>` becomes the value's raw text (strings without quotes,
//!      numbers, booleans and null as JSON, arrays and objects as compact JSON without the
//!      quotes of the strings and keys inside them: SD-IN `embedded-values`,
//!      `"text=<text>; object=<object>; array=<array>"` →
//!      `"text=hello; object={first:one,second:2}; array=[one,two,{x:3}]"`); nothing is
//!      escaped (UG common issues: "EventBridge doesn't escape values extracted by Input
//!      Path"). The template's own quotes stay (REC: `"Event of <detail-type> type ..."` →
//!      `"Event of core.update-account-command type ..."`).
//!    * JSON template: a placeholder outside quotes becomes the value's JSON (UG "Simple JSON":
//!      `"instance" : <instance>` → `"instance" : "i-0123456789"`; objects for
//!      `<aws.events.event>`); inside quotes, the raw text (UG "JSON with strings and
//!      variables"), arrays and objects with their quotes (SD-IN `quoted-values`). The result is sent minified (UG common issues: "The JSON that
//!      is passed to the target is minified"); when the substituted text is no longer JSON
//!      (a raw value holding a quote, say) it is sent as it stands.
//!    * A path that matches nothing gives an empty value: empty text inside quotes and in string
//!      templates (REC `custom-variables-not-match-all`: `"... from detail "`), `""` outside
//!      quotes in a JSON template (REC: `"command": <command>` → `"command": ""`); UG common
//!      issues: "that variable isn't created and won't appear in the output".
//!    * Predefined variables (UG): `aws.events.rule-arn`, `aws.events.rule-name`,
//!      `aws.events.event.ingestion-time`, `aws.events.event` (the envelope without `detail`,
//!      `detail-type` as `detailType`, keys `id, account, detailType, time, source, region,
//!      resources, version` — REC), `aws.events.event.json` (the whole envelope — REC).
//!
//! Validation at put_targets (all `ValidationException`):
//! * more than one of the three members (REC): `Only one of Input, InputPath, or
//!   InputTransformer must be provided for target <id>.`
//! * a placeholder neither in `InputPathsMap` nor predefined (REC): `InputTemplate for target
//!   <id> contains invalid placeholder <name>.`
//! * `<aws.events.event.json>` in a template that is not a JSON object (RG): `InputTemplate for
//!   target <id> contains placeholder aws.events.event.json valid only for JSON template.`; the
//!   same is applied to `<aws.events.event>`, which UG gives the same restriction.
//! * more than 100 map entries (MODEL), in the service's constraint wording.
//! * The texts for an invalid JSONPath and for a JSON template that is not JSON once filled are
//!   not published; the ones below follow the shape of the recorded ones.

use serde_json::{Map, Value};
use std::borrow::Cow;

/// The rule a delivery is made for.
pub struct RuleInfo<'a> {
    pub rule_arn: &'a str,
    pub rule_name: &'a str,
    /// RFC 3339, as AWS renders it.
    pub ingestion_time: &'a str,
}

const VALIDATION: &str = "ValidationException";
const RULE_ARN: &str = "aws.events.rule-arn";
const RULE_NAME: &str = "aws.events.rule-name";
const INGESTION_TIME: &str = "aws.events.event.ingestion-time";
const EVENT: &str = "aws.events.event";
const EVENT_JSON: &str = "aws.events.event.json";
const PREDEFINED: [&str; 5] = [RULE_ARN, RULE_NAME, INGESTION_TIME, EVENT, EVENT_JSON];
/// `TransformerPaths` max in the service model.
pub const MAX_INPUT_PATHS: usize = 100;

// ---------------------------------------------------------------------------------------------
// JSONPath
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
    Wildcard,
}

/// A JSONPath as EventBridge accepts it: `$`, then `.name`, `.*`, `[N]` or `[*]` steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    steps: Vec<Step>,
}

fn name_char(c: char) -> bool {
    !(c.is_whitespace() || matches!(c, '.' | '[' | ']' | '*' | '\'' | '"' | '$'))
}

impl JsonPath {
    pub fn parse(p: &str) -> Result<JsonPath, String> {
        let rest = p
            .strip_prefix('$')
            .ok_or_else(|| format!("JSON path {p:?} must start with '$'"))?;
        let chars: Vec<char> = rest.chars().collect();
        let mut steps = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '.' => {
                    i += 1;
                    if i < chars.len() && chars[i] == '*' {
                        steps.push(Step::Wildcard);
                        i += 1;
                        continue;
                    }
                    let start = i;
                    while i < chars.len() && name_char(chars[i]) {
                        i += 1;
                    }
                    if i == start {
                        return Err(format!("JSON path {p:?} has an empty name after '.'"));
                    }
                    steps.push(Step::Key(chars[start..i].iter().collect()));
                }
                '[' => {
                    i += 1;
                    let start = i;
                    while i < chars.len() && chars[i] != ']' {
                        i += 1;
                    }
                    if i == chars.len() {
                        return Err(format!("JSON path {p:?} has an unclosed '['"));
                    }
                    let inner: String = chars[start..i].iter().collect();
                    i += 1;
                    if inner == "*" {
                        steps.push(Step::Wildcard);
                    } else if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
                        let n = inner
                            .parse::<usize>()
                            .map_err(|_| format!("JSON path {p:?} has an index out of range"))?;
                        steps.push(Step::Index(n));
                    } else {
                        return Err(format!(
                            "JSON path {p:?} uses bracket notation other than an array index"
                        ));
                    }
                }
                c => return Err(format!("JSON path {p:?} has an unexpected character {c:?}")),
            }
        }
        Ok(JsonPath { steps })
    }

    /// The value a path without wildcards selects; `None` when nothing matches or when the path
    /// has a wildcard (use [`JsonPath::evaluate`] for those).
    pub fn select<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        let mut cur = v;
        for s in &self.steps {
            cur = match (s, cur) {
                (Step::Key(k), Value::Object(m)) => m.get(k)?,
                (Step::Index(n), Value::Array(a)) => a.get(*n)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// Whether the path can select several values (it has a wildcard).
    pub fn is_definite(&self) -> bool {
        !self.steps.contains(&Step::Wildcard)
    }

    /// The selected value; a path with a wildcard gives the array of everything it reaches.
    pub fn evaluate<'v>(&self, v: &'v Value) -> Option<Cow<'v, Value>> {
        if self.is_definite() {
            return self.select(v).map(Cow::Borrowed);
        }
        let mut out = Vec::new();
        collect(&self.steps, v, &mut out);
        Some(Cow::Owned(Value::Array(out.into_iter().cloned().collect())))
    }
}

fn collect<'v>(steps: &[Step], v: &'v Value, out: &mut Vec<&'v Value>) {
    let Some((first, rest)) = steps.split_first() else {
        out.push(v);
        return;
    };
    match (first, v) {
        (Step::Key(k), Value::Object(m)) => {
            if let Some(c) = m.get(k) {
                collect(rest, c, out);
            }
        }
        (Step::Index(n), Value::Array(a)) => {
            if let Some(c) = a.get(*n) {
                collect(rest, c, out);
            }
        }
        (Step::Wildcard, Value::Array(a)) => a.iter().for_each(|c| collect(rest, c, out)),
        (Step::Wildcard, Value::Object(m)) => m.values().for_each(|c| collect(rest, c, out)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

fn placeholder_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// The placeholder name starting at `s` (which begins with `<`), and its length in bytes.
fn placeholder_at(s: &str) -> Option<(&str, usize)> {
    let body = s.strip_prefix('<')?;
    let end = body.find(|c: char| !placeholder_char(c))?;
    if end == 0 || !body[end..].starts_with('>') {
        return None;
    }
    Some((&body[..end], end + 2))
}

/// Every placeholder of a template, in order.
fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = template[i..].find('<') {
        i += off;
        match placeholder_at(&template[i..]) {
            Some((name, len)) => {
                out.push(name);
                i += len;
            }
            None => i += 1,
        }
    }
    out
}

fn is_json_template(template: &str) -> bool {
    let t = template.trim();
    t.starts_with('{') && t.ends_with('}')
}

/// A piece of a template: literal text, or a placeholder and whether it stands inside a JSON
/// string literal.
enum Piece<'t> {
    Text(&'t str),
    Var { name: &'t str, quoted: bool },
}

/// Splits a template. `known` decides what counts as a placeholder; in a JSON template the
/// string literals are tracked so a placeholder knows whether it is quoted.
fn split<'t>(template: &'t str, json: bool, known: &dyn Fn(&str) -> bool) -> Vec<Piece<'t>> {
    let mut pieces = Vec::new();
    let (mut in_str, mut escaped) = (false, false);
    let mut text_start = 0;
    let mut i = 0;
    let bytes = template.as_bytes();
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'<' {
            if let Some((name, len)) = placeholder_at(&template[i..]) {
                if known(name) {
                    if text_start < i {
                        pieces.push(Piece::Text(&template[text_start..i]));
                    }
                    pieces.push(Piece::Var {
                        name,
                        quoted: json && in_str,
                    });
                    i += len;
                    text_start = i;
                    escaped = false;
                    continue;
                }
            }
        }
        if json {
            if in_str {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_str = false;
                }
            } else if b == b'"' {
                in_str = true;
            }
        }
        i += 1;
    }
    if text_start < template.len() {
        pieces.push(Piece::Text(&template[text_start..]));
    }
    pieces
}

/// A value's text where nothing is escaped: strings bare, the rest as compact JSON.
fn raw_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A value's text in a string template: strings bare, and arrays and objects without the
/// quotes of the strings (and keys) inside them: `["A","B"]` → `[A,B]` (SD-IN
/// `embedded-values`, see the module header).
fn unquoted_text(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                unquoted_text(item, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (k, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(k);
                out.push(':');
                unquoted_text(item, out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// `<aws.events.event>`: the envelope without `detail`, `detail-type` named `detailType`, the
/// ingestion time as `time`, in the order AWS was recorded to send (REC).
fn event_without_detail(event: &Value, info: &RuleInfo) -> Value {
    let mut m = Map::new();
    let get = |k: &str| event.get(k).cloned().unwrap_or(Value::Null);
    m.insert("id".into(), get("id"));
    m.insert("account".into(), get("account"));
    m.insert("detailType".into(), get("detail-type"));
    m.insert("time".into(), Value::String(info.ingestion_time.into()));
    m.insert("source".into(), get("source"));
    m.insert("region".into(), get("region"));
    m.insert("resources".into(), get("resources"));
    m.insert("version".into(), get("version"));
    Value::Object(m)
}

fn predefined<'v>(name: &str, event: &'v Value, info: &RuleInfo) -> Option<Cow<'v, Value>> {
    let s = |x: &str| Some(Cow::Owned(Value::String(x.to_string())));
    match name {
        RULE_ARN => s(info.rule_arn),
        RULE_NAME => s(info.rule_name),
        INGESTION_TIME => s(info.ingestion_time),
        EVENT => Some(Cow::Owned(event_without_detail(event, info))),
        EVENT_JSON => Some(Cow::Borrowed(event)),
        _ => None,
    }
}

fn paths_map(it: &Value) -> Result<Vec<(&str, &str)>, String> {
    match it.get("InputPathsMap") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(p) => Ok((k.as_str(), p.as_str())),
                _ => Err(format!("InputPathsMap value for {k} is not a string")),
            })
            .collect(),
        Some(_) => Err("InputPathsMap is not a map".into()),
    }
}

fn render_transformer(it: &Value, event: &Value, info: &RuleInfo) -> Result<String, String> {
    let template = it
        .get("InputTemplate")
        .and_then(Value::as_str)
        .ok_or("InputTransformer has no InputTemplate")?;
    let map = paths_map(it)?;
    let mut values: Vec<(&str, Option<Cow<Value>>)> = Vec::with_capacity(map.len());
    for (k, p) in &map {
        if PREDEFINED.contains(k) {
            continue;
        }
        let path = JsonPath::parse(p)?;
        values.push((k, path.evaluate(event)));
    }
    let lookup = |name: &str| -> Option<Option<Cow<Value>>> {
        if let Some(v) = predefined(name, event, info) {
            return Some(Some(v));
        }
        values
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    };
    let known = |name: &str| PREDEFINED.contains(&name) || map.iter().any(|(k, _)| *k == name);
    let json = is_json_template(template);
    let mut out = String::with_capacity(template.len());
    for piece in split(template, json, &known) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Var { name, quoted } => {
                let v = lookup(name).flatten();
                match (v, json && !quoted) {
                    (Some(v), true) => out.push_str(&v.to_string()),
                    (None, true) => out.push_str("\"\""),
                    // Inside a JSON template's string the value goes in raw, quotes and all
                    // (SD-IN `quoted-values`); in a string template without them.
                    (Some(v), false) if json => out.push_str(&raw_text(&v)),
                    (Some(v), false) => unquoted_text(&v, &mut out),
                    (None, false) => {}
                }
            }
        }
    }
    if json {
        if let Ok(v) = serde_json::from_str::<Value>(&out) {
            return Ok(v.to_string());
        }
    }
    Ok(out)
}

/// What a target receives, as its Target structure says: Input, InputPath, InputTransformer
/// (the first given, in that order), or else the whole event.
pub enum Input<'a> {
    Constant(&'a str),
    Path(&'a str),
    Transformer(&'a Value),
    WholeEvent,
}

impl<'a> Input<'a> {
    /// `target` is the Target structure as given to put_targets.
    pub fn of(target: &'a Value) -> Input<'a> {
        if let Some(input) = target.get("Input").and_then(Value::as_str) {
            Input::Constant(input)
        } else if let Some(p) = target.get("InputPath").and_then(Value::as_str) {
            Input::Path(p)
        } else if let Some(it) = target.get("InputTransformer").filter(|v| !v.is_null()) {
            Input::Transformer(it)
        } else {
            Input::WholeEvent
        }
    }
}

/// The payload string a target receives for `event`. `target` is the Target structure as given
/// to put_targets.
pub fn render(target: &Value, event: &Value, info: &RuleInfo) -> Result<String, String> {
    render_input(Input::of(target), event, info)
}

/// The payload string `input` makes of `event`.
pub fn render_input(input: Input, event: &Value, info: &RuleInfo) -> Result<String, String> {
    match input {
        Input::Constant(input) => Ok(input.to_string()),
        Input::Path(p) => {
            let path = JsonPath::parse(p)?;
            match path.evaluate(event) {
                Some(v) => Ok(v.to_string()),
                None => Err(format!("InputPath {p} selects nothing in the event")),
            }
        }
        Input::Transformer(it) => render_transformer(it, event, info),
        Input::WholeEvent => Ok(event.to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// put_targets checks
// ---------------------------------------------------------------------------------------------

fn err(message: String) -> (String, String) {
    (VALIDATION.to_string(), message)
}

/// The 1-based line and column where a JSON text stops being JSON, counted as Jackson (which
/// AWS's messages quote) counts them: an unrecognised token is read whole before it is reported
/// (CLI6711: `env:dev` → column 4).
fn jackson_position(text: &str, e: &serde_json::Error) -> (usize, usize) {
    let line = e.line().max(1);
    let line_text = text.split('\n').nth(line - 1).unwrap_or("");
    let chars: Vec<char> = line_text.chars().collect();
    let mut col = e.column().saturating_sub(1).min(chars.len());
    if col < chars.len() && (chars[col].is_alphanumeric() || chars[col] == '_') {
        while col < chars.len() && (chars[col].is_alphanumeric() || matches!(chars[col], '_' | '$'))
        {
            col += 1;
        }
    } else if col < chars.len() {
        col += 1;
    }
    (line, col + 1)
}

/// `parsed` is the text given to the parser, `shown` the one quoted (same offsets).
fn syntax_error(what: &str, id: &str, shown: &str, parsed: &str, e: &serde_json::Error) -> String {
    let (line, column) = jackson_position(parsed, e);
    let text = shown;
    format!("JSON syntax error in {what} for target {id}: [Source: (String)\"{text}\"; line: {line}, column: {column}]")
}

/// put_targets checks for one target (at 1-based position `index` in the request, used in the
/// constraint wording).
pub fn validate_target_at(target: &Value, index: usize) -> Result<(), (String, String)> {
    let id = target.get("Id").and_then(Value::as_str).unwrap_or("");
    let present = |k: &str| target.get(k).is_some_and(|v| !v.is_null());
    let members = ["Input", "InputPath", "InputTransformer"]
        .iter()
        .filter(|k| present(k))
        .count();
    if members > 1 {
        return Err(err(format!(
            "Only one of Input, InputPath, or InputTransformer must be provided for target {id}."
        )));
    }
    if let Some(input) = target.get("Input").and_then(Value::as_str) {
        if let Err(e) = serde_json::from_str::<Value>(input) {
            return Err(err(syntax_error("input", id, input, input, &e)));
        }
    }
    if let Some(p) = target.get("InputPath").and_then(Value::as_str) {
        if JsonPath::parse(p).is_err() {
            return Err(err(format!("InputPath for target {id} is invalid: {p}.")));
        }
    }
    let Some(it) = target.get("InputTransformer").filter(|v| !v.is_null()) else {
        return Ok(());
    };
    let map = paths_map(it).map_err(err)?;
    if map.len() > MAX_INPUT_PATHS {
        return Err(err(format!(
            "1 validation error detected: Value at 'targets.{index}.member.inputTransformer.inputPathsMap' failed to satisfy constraint: Member must have length less than or equal to {MAX_INPUT_PATHS}"
        )));
    }
    for (k, p) in &map {
        if JsonPath::parse(p).is_err() {
            return Err(err(format!(
                "InputPathsMap for target {id} contains an invalid JSON path for key {k}: {p}."
            )));
        }
    }
    let template = it
        .get("InputTemplate")
        .and_then(Value::as_str)
        .unwrap_or("");
    for name in placeholders(template) {
        if !PREDEFINED.contains(&name) && !map.iter().any(|(k, _)| *k == name) {
            return Err(err(format!(
                "InputTemplate for target {id} contains invalid placeholder {name}."
            )));
        }
    }
    let json = is_json_template(template);
    if !json {
        for name in placeholders(template) {
            if name == EVENT || name == EVENT_JSON {
                return Err(err(format!(
                    "InputTemplate for target {id} contains placeholder {name} valid only for JSON template."
                )));
            }
        }
        return Ok(());
    }
    // A JSON template must stay JSON whatever the values: fill unquoted placeholders with a
    // value (so one in key position fails, IT: "The placeholder cannot be used as an object
    // key") and quoted ones with blanks, keeping every offset so an error points into the
    // template as written.
    let mut filled = String::with_capacity(template.len());
    for piece in split(template, true, &|_| true) {
        match piece {
            Piece::Text(t) => filled.push_str(t),
            Piece::Var { name, quoted } => {
                let width = name.len() + 2;
                if !quoted {
                    filled.push_str("null");
                }
                let used = if quoted { 0 } else { 4 };
                filled.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
            }
        }
    }
    if let Err(e) = serde_json::from_str::<Value>(&filled) {
        return Err(err(syntax_error(
            "InputTemplate",
            id,
            template,
            &filled,
            &e,
        )));
    }
    if let Some(name) = quoted_key_placeholder(template) {
        return Err(err(format!(
            "InputTemplate for target {id} contains placeholder {name} used as an object key."
        )));
    }
    Ok(())
}

/// A placeholder written inside a key of a JSON template (`{"<name>": 1}`), which IT forbids
/// as it forbids an unquoted one there: each quoted placeholder is marked, and the keys of
/// the parsed template searched for a mark.
fn quoted_key_placeholder(template: &str) -> Option<&str> {
    let pieces = split(template, true, &|_| true);
    let mut marked = String::with_capacity(template.len());
    let mut names = Vec::new();
    for piece in &pieces {
        match piece {
            Piece::Text(t) => marked.push_str(t),
            Piece::Var { name, quoted: true } => {
                // Private-use characters, which no template's own text is taken to hold.
                marked.push_str(&format!("\u{e000}{}\u{e001}", names.len()));
                names.push(*name);
            }
            Piece::Var { quoted: false, .. } => marked.push_str("null"),
        }
    }
    if names.is_empty() {
        return None;
    }
    let doc: Value = serde_json::from_str(&marked).ok()?;
    let mut open = vec![&doc];
    while let Some(v) = open.pop() {
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    if let Some(at) = k.find('\u{e000}') {
                        let rest = &k[at + '\u{e000}'.len_utf8()..];
                        let n: usize = rest.split('\u{e001}').next()?.parse().ok()?;
                        return names.get(n).copied();
                    }
                    open.push(child);
                }
            }
            Value::Array(items) => open.extend(items),
            _ => {}
        }
    }
    None
}

/// put_targets checks for one target; `Err((error_code, message))` with AWS's texts.
pub fn validate_target(target: &Value) -> Result<(), (String, String)> {
    validate_target_at(target, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CASES: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/transform_cases.json"
    ));

    fn default_event() -> Value {
        json!({
            "version": "0",
            "id": "7bf73129-1428-4cd3-a780-95db273d1602",
            "detail-type": "EC2 Instance State-change Notification",
            "source": "aws.ec2",
            "account": "123456789012",
            "time": "2015-11-11T21:29:54Z",
            "region": "us-east-1",
            "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
            "detail": {"instance-id": "i-0123456789", "state": "RUNNING"}
        })
    }

    #[test]
    fn cases_file() {
        let doc: Value = serde_json::from_str(CASES).expect("cases file is JSON");
        let cases = doc["cases"].as_array().expect("cases array");
        assert!(cases.len() >= 60, "only {} cases", cases.len());
        let mut failures = Vec::new();
        for (n, c) in cases.iter().enumerate() {
            let desc = c["description"].as_str().unwrap_or("");
            let target = &c["target"];
            if let Some(e) = c.get("error") {
                let got = validate_target(target);
                let want = (
                    e["code"].as_str().unwrap().to_string(),
                    e["message"].as_str().unwrap().to_string(),
                );
                if got != Err(want.clone()) {
                    failures.push(format!("#{n} {desc}\n  want Err{want:?}\n  got  {got:?}"));
                }
                continue;
            }
            if let Err(e) = validate_target(target) {
                failures.push(format!("#{n} {desc}\n  validate_target rejected: {e:?}"));
                continue;
            }
            let event = c.get("event").cloned().unwrap_or_else(default_event);
            let info = RuleInfo {
                rule_arn: c["rule_arn"]
                    .as_str()
                    .unwrap_or("arn:aws:events:us-east-1:123456789012:rule/example"),
                rule_name: c["rule_name"].as_str().unwrap_or("example"),
                ingestion_time: c["ingestion_time"]
                    .as_str()
                    .unwrap_or("2015-11-11T21:29:55Z"),
            };
            let got = render(target, &event, &info);
            match c.get("payload") {
                Some(Value::String(p)) => {
                    if got.as_deref() != Ok(p.as_str()) {
                        failures.push(format!("#{n} {desc}\n  want {p}\n  got  {got:?}"));
                    }
                }
                _ => {
                    if got.is_ok() {
                        failures.push(format!("#{n} {desc}\n  want delivery failure, got {got:?}"));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn jsonpath_parse() {
        for ok in [
            "$",
            "$.detail",
            "$.detail.items[0]",
            "$.a.b-c.d_e",
            "$.a/b",
            "$.a[*]",
            "$.*",
        ] {
            assert!(JsonPath::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "detail", "$.", "$..a", "$['a b']", "$.a[", "$.a[-1]", "$ .a", "$.a]",
        ] {
            assert!(JsonPath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn jsonpath_select() {
        let v = json!({"a": {"b": [10, {"c": true}]}, "x": null});
        let p = |s: &str| JsonPath::parse(s).unwrap();
        assert_eq!(p("$").select(&v), Some(&v));
        assert_eq!(p("$.a.b[0]").select(&v), Some(&json!(10)));
        assert_eq!(p("$.a.b[1].c").select(&v), Some(&json!(true)));
        assert_eq!(p("$.x").select(&v), Some(&Value::Null));
        assert_eq!(p("$.a.b[2]").select(&v), None);
        assert_eq!(p("$.a.b.c").select(&v), None);
        assert_eq!(p("$.a.b[*]").select(&v), None);
        assert_eq!(
            p("$.a.b[*]").evaluate(&v).unwrap().into_owned(),
            json!([10, {"c": true}])
        );
    }

    #[test]
    fn placeholder_scan() {
        assert_eq!(
            placeholders("<a> <b-c> <aws.events.rule-arn>"),
            vec!["a", "b-c", "aws.events.rule-arn"]
        );
        assert_eq!(placeholders("a < b > c <> <<x>> <y"), vec!["x"]);
    }

    #[test]
    fn jackson_columns() {
        let e = serde_json::from_str::<Value>("env:dev").unwrap_err();
        assert_eq!(jackson_position("env:dev", &e), (1, 4));
    }

    /// A small deterministic generator, so the no-panic sweep needs no extra crate.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
        fn string(&mut self, alphabet: &[&str], len: usize) -> String {
            (0..len)
                .map(|_| alphabet[(self.next() as usize) % alphabet.len()])
                .collect()
        }
    }

    #[test]
    fn no_panics_on_random_templates_and_paths() {
        let mut r = Lcg(42);
        let tmpl_alphabet = [
            "<",
            ">",
            "a",
            "k",
            "{",
            "}",
            "[",
            "]",
            "\"",
            "\\",
            ":",
            ",",
            " ",
            "\n",
            "é",
            "<k>",
            "<aws.events.event>",
            "<aws.events.event.json>",
            "<aws.events.rule-arn>",
            "<zz>",
        ];
        let path_alphabet = [
            "$", ".", "a", "detail", "[", "]", "0", "*", "'", "-", "/", "é", " ",
        ];
        let event = default_event();
        let info = RuleInfo {
            rule_arn: "arn:aws:events:us-east-1:123456789012:rule/r",
            rule_name: "r",
            ingestion_time: "2015-11-11T21:29:55Z",
        };
        for _ in 0..3000 {
            let tl = (r.next() % 12) as usize;
            let pl = (r.next() % 8) as usize;
            let template = r.string(&tmpl_alphabet, tl);
            let path = r.string(&path_alphabet, pl);
            let _ =
                JsonPath::parse(&path).map(|p| (p.select(&event).is_some(), p.evaluate(&event)));
            let target = json!({"Id": "t", "Arn": "arn", "InputTransformer": {
                "InputPathsMap": {"k": path, "a": "$.detail"}, "InputTemplate": template}});
            let _ = validate_target(&target);
            let _ = render(&target, &event, &info);
            let target = json!({"Id": "t", "Arn": "arn", "InputPath": path});
            let _ = validate_target(&target);
            let _ = render(&target, &event, &info);
            let target = json!({"Id": "t", "Arn": "arn", "Input": template});
            let _ = validate_target(&target);
            let _ = render(&target, &Value::Null, &info);
        }
        // Odd shapes of the Target structure itself.
        for t in [
            json!(null),
            json!({"InputTransformer": 5}),
            json!({"InputTransformer": {"InputPathsMap": [1]}}),
            json!({"InputTransformer": {"InputPathsMap": {"k": 1}, "InputTemplate": "<k>"}}),
            json!({"Input": 3, "InputPath": false}),
        ] {
            let _ = validate_target(&t);
            let _ = render(&t, &event, &info);
        }
    }
}
