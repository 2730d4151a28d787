//! Rules: PutRule, DescribeRule, ListRules, DeleteRule, EnableRule, DisableRule.

use crate::arn;
use crate::error::{self, Result};
use crate::paging;
use crate::pattern::Pattern;
use crate::request::{bool_of, list_of, str_of, Obj, Out};
use crate::schedule::Schedule;
use crate::state::Region;
use crate::tags::Tags;
use serde_json::Value;

/// AWS's default quota of rules per event bus (adjustable: `Quotas`).
pub const MAX_RULES_PER_BUS: usize = 300;

#[derive(Debug)]
pub struct Rule {
    pub name: String,
    pub arn: String,
    pub bus: String,
    /// The pattern as given, compiled once for matching.
    pub event_pattern: Option<Pattern>,
    pub schedule_expression: Option<String>,
    /// The parsed schedule and when it was set (a rate schedule counts from then).
    pub schedule: Option<(Schedule, f64)>,
    pub state: String,
    pub description: Option<String>,
    pub role_arn: Option<String>,
    pub managed_by: Option<String>,
    pub created_by: String,
    pub tags: Tags,
    /// The targets as given (AWS's Target structure), in the order they were first put.
    pub targets: Vec<Value>,
}

impl Rule {
    /// The members ListRules and DescribeRule share.
    fn summary(&self) -> Obj {
        Obj::new()
            .put("Name", self.name.as_str())
            .put("Arn", self.arn.as_str())
            .opt(
                "EventPattern",
                self.event_pattern.as_ref().map(Pattern::source),
            )
            .opt("ScheduleExpression", self.schedule_expression.as_deref())
            .put("State", self.state.as_str())
            .opt("Description", self.description.as_deref())
            .opt("RoleArn", self.role_arn.as_deref())
            .opt("ManagedBy", self.managed_by.as_deref())
            .put("EventBusName", self.bus.as_str())
    }

    /// A managed rule may only be changed with `Force`, by the operations that take it
    /// (`force` is None for those that do not: they can never change it).
    pub fn check_managed(&self, force: Option<bool>) -> Result<()> {
        match (&self.managed_by, force) {
            (None, _) | (Some(_), Some(true)) => Ok(()),
            (Some(_), _) => Err(error::managed_rule(&self.name, force.is_some())),
        }
    }
}

impl Region {
    /// A rule on the bus named by an `EventBusName` member (name or ARN; absent: default).
    pub fn rule(&self, bus: Option<&str>, name: &str) -> Result<&Rule> {
        let bus = self.bus(bus)?;
        bus.rules
            .get(name)
            .ok_or_else(|| error::rule_not_found(name, &bus.name))
    }

    pub fn rule_mut(&mut self, bus: Option<&str>, name: &str) -> Result<&mut Rule> {
        let bus = self.bus_mut(bus)?;
        let bus_name = bus.name.clone();
        bus.rules
            .get_mut(name)
            .ok_or_else(|| error::rule_not_found(name, &bus_name))
    }
}

/// Compiles an EventPattern member, with AWS's error for an invalid one. Compiled patterns
/// are kept by text (a test suite sends the same few patterns over and over).
pub fn compile_pattern(text: Option<&str>) -> Result<Option<Pattern>> {
    use parking_lot::Mutex;
    // FxHash: the texts come from the test's own calls, and SipHash costs more than the
    // lookup saves on a long pattern.
    use rustc_hash::FxHashMap as HashMap;
    const CACHE_SIZE: usize = 1024;
    static CACHE: Mutex<Option<HashMap<String, Pattern>>> = Mutex::new(None);
    let Some(text) = text else {
        return Ok(None);
    };
    if let Some(p) = CACHE.lock().as_ref().and_then(|c| c.get(text)) {
        return Ok(Some(p.clone()));
    }
    let p = Pattern::parse(text).map_err(|e| error::invalid_pattern(e.message()))?;
    let mut cache = CACHE.lock();
    let cache = cache.get_or_insert_with(HashMap::default);
    if cache.len() >= CACHE_SIZE {
        cache.clear();
    }
    cache.insert(text.to_owned(), p.clone());
    Ok(Some(p))
}

/// TestEventPattern: the pattern is checked first, then the event.
pub fn test_event_pattern(input: &Value) -> Result<Out> {
    let pattern = compile_pattern(str_of(input, "EventPattern"))?;
    let event = str_of(input, "Event").unwrap_or_default();
    // Matching reads (and so validates) the whole text, so the envelope's checks only need
    // its top level: usually the reader has gone through the top-level members (patterns
    // look inside) and their ranges serve without another pass.
    let read = pattern.map(|p| {
        p.matches_json_top(event, |matched, top| {
            (matched, top.and_then(|t| test_event::from_fields(event, t)))
        })
    });
    let matched = match read {
        Some(Ok((matched, Some(ok)))) => ok.then_some(matched),
        Some(Ok((matched, None))) => test_event::top_level(event)
            .map(|ok| ok.then_some(matched))
            .unwrap_or_else(|| test_event::check(event).ok().map(|()| matched)),
        Some(Err(_)) => None,
        None => test_event::check(event).ok().map(|()| false),
    };
    let result = matched.ok_or_else(|| error::validation(test_event::INVALID))?;
    Ok(Obj::new().put("Result", result).build())
}

/// The checks TestEventPattern applies to its Event, in one pass over the text that builds
/// nothing: the same rules as `pattern::validate_test_event`, which the tests compare.
mod test_event {
    use crate::pattern::TopField;
    use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use serde::Deserialize;
    use std::fmt;

    /// The JSON type of a value, and for an array whether every element is a string.
    #[derive(PartialEq)]
    enum Kind {
        Str,
        Object,
        Array { all_strings: bool },
        Other,
    }

    impl<'de> Deserialize<'de> for Kind {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Kind, D::Error> {
            d.deserialize_any(KindVisitor)
        }
    }

    struct KindVisitor;

    impl<'de> Visitor<'de> for KindVisitor {
        type Value = Kind;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_str<E>(self, _: &str) -> Result<Kind, E> {
            Ok(Kind::Str)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Kind, E> {
            Ok(Kind::Other)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Kind, E> {
            Ok(Kind::Other)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Kind, E> {
            Ok(Kind::Other)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Kind, E> {
            Ok(Kind::Other)
        }
        fn visit_unit<E>(self) -> Result<Kind, E> {
            Ok(Kind::Other)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Kind, A::Error> {
            while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Kind::Object)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Kind, A::Error> {
            let mut all_strings = true;
            while let Some(k) = s.next_element::<Kind>()? {
                all_strings &= k == Kind::Str;
            }
            Ok(Kind::Array { all_strings })
        }
    }

    /// The envelope members TestEventPattern looks at; the last of duplicate keys wins, as
    /// when the event is read into a JSON object.
    #[derive(Default)]
    struct Envelope {
        required: [Option<Kind>; 6],
        resources: Option<Kind>,
        detail: Option<Kind>,
    }

    impl Envelope {
        /// Every required member a string, `resources` (if any) an array of strings and
        /// `detail` (if any) an object.
        fn valid(&self) -> bool {
            self.required.iter().all(|k| *k == Some(Kind::Str))
                && matches!(
                    self.resources,
                    None | Some(Kind::Array { all_strings: true })
                )
                && matches!(self.detail, None | Some(Kind::Object))
        }
    }

    const REQUIRED: [&str; 6] = ["id", "account", "source", "time", "region", "detail-type"];

    impl<'de> Deserialize<'de> for Envelope {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Envelope, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Envelope;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("an event object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Envelope, A::Error> {
                    let mut e = Envelope::default();
                    while let Some(key) = m.next_key::<std::borrow::Cow<'de, str>>()? {
                        match REQUIRED.iter().position(|r| *r == key) {
                            Some(i) => e.required[i] = Some(m.next_value()?),
                            None if key == "resources" => e.resources = Some(m.next_value()?),
                            None if key == "detail" => e.detail = Some(m.next_value()?),
                            None => {
                                m.next_value::<IgnoredAny>()?;
                            }
                        }
                    }
                    Ok(e)
                }
            }
            d.deserialize_map(V)
        }
    }

    pub const INVALID: &str = "Parameter Event is not valid.";

    /// The envelope's checks on text already known to be valid JSON, reading only its top
    /// level; None when a key is written with escapes (then `check` decides).
    pub fn top_level(event: &str) -> Option<bool> {
        let b = event.as_bytes();
        let mut i = skip_ws(b, 0);
        if b.get(i) != Some(&b'{') {
            return Some(false);
        }
        let mut fields = Vec::new();
        i = skip_ws(b, i + 1);
        if b.get(i) != Some(&b'}') {
            loop {
                let key_end = string_end(b, i)?;
                let key = (i + 1, key_end - 1);
                i = skip_ws(b, skip_ws(b, key_end) + 1); // past ':'
                let (_, end) = value_kind(b, i)?;
                fields.push(TopField {
                    key: Some(key).filter(|&(s, e)| !b[s..e].contains(&b'\\')),
                    value: (i, end),
                });
                i = skip_ws(b, end);
                match b.get(i) {
                    Some(b',') => i = skip_ws(b, i + 1),
                    _ => break,
                }
            }
        }
        from_fields(event, &fields)
    }

    /// The envelope's checks from the top-level members of an event known to be valid
    /// JSON (byte ranges of its text); None when a key is written with escapes.
    pub fn from_fields(event: &str, fields: &[TopField]) -> Option<bool> {
        let b = event.as_bytes();
        let mut e = Envelope::default();
        for f in fields {
            let (ks, ke) = f.key?;
            let key = event.get(ks..ke)?;
            // Only `resources` needs more than the value's first byte.
            let kind = || match b.get(f.value.0) {
                Some(b'"') => Kind::Str,
                Some(b'{') => Kind::Object,
                Some(b'[') => Kind::Array { all_strings: false },
                _ => Kind::Other,
            };
            match REQUIRED.iter().position(|r| *r == key) {
                Some(k) => e.required[k] = Some(kind()),
                None if key == "resources" => e.resources = Some(value_kind(b, f.value.0)?.0),
                None if key == "detail" => e.detail = Some(kind()),
                None => {}
            }
        }
        Some(e.valid())
    }

    fn skip_ws(b: &[u8], mut i: usize) -> usize {
        while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            i += 1;
        }
        i
    }

    /// The index just past the string starting at `i` (which must be a quote).
    fn string_end(b: &[u8], i: usize) -> Option<usize> {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let mut j = i + 1;
        loop {
            j += memchr::memchr2(b'"', b'\\', b.get(j..)?)?;
            if b[j] == b'\\' {
                j += 2;
            } else {
                return Some(j + 1);
            }
        }
    }

    /// The kind of the value at `i` and the index just past it.
    fn value_kind(b: &[u8], i: usize) -> Option<(Kind, usize)> {
        match b.get(i)? {
            b'"' => Some((Kind::Str, string_end(b, i)?)),
            b'{' => Some((Kind::Object, container_end(b, i)?)),
            b'[' => {
                let end = container_end(b, i)?;
                let mut all_strings = true;
                let mut j = skip_ws(b, i + 1);
                while j < end - 1 {
                    let (kind, next) = value_kind(b, j)?;
                    all_strings &= kind == Kind::Str;
                    j = skip_ws(b, next);
                    if b.get(j) == Some(&b',') {
                        j = skip_ws(b, j + 1);
                    }
                }
                Some((Kind::Array { all_strings }, end))
            }
            _ => {
                let len = b[i..]
                    .iter()
                    .position(|c| matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                    .unwrap_or(b.len() - i);
                Some((Kind::Other, i + len))
            }
        }
    }

    /// The index just past the object or array starting at `i`. In valid JSON the braces
    /// of an object balance among themselves (and brackets likewise), so only quotes and
    /// this container's own bracket pair need finding.
    fn container_end(b: &[u8], i: usize) -> Option<usize> {
        let (open, close) = if b.get(i)? == &b'{' {
            (b'{', b'}')
        } else {
            (b'[', b']')
        };
        let mut depth = 0usize;
        let mut j = i;
        loop {
            j += memchr::memchr3(b'"', open, close, b.get(j..)?)?;
            match b[j] {
                b'"' => {
                    j = string_end(b, j)?;
                    continue;
                }
                c if c == open => depth += 1,
                _ => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(j + 1);
                    }
                }
            }
            j += 1;
        }
    }

    pub fn check(event: &str) -> Result<(), &'static str> {
        let e: Envelope = serde_json::from_str(event).map_err(|_| INVALID)?;
        e.valid().then_some(()).ok_or(INVALID)
    }

    #[cfg(test)]
    mod tests {
        use super::{check, from_fields, top_level};
        use crate::pattern::{validate_test_event, Pattern};
        use proptest::prelude::*;

        /// The checks from the members the pattern reader recorded (None when it did not).
        fn via_reader(text: &str) -> Option<bool> {
            let p = Pattern::parse(r#"{"source":["x"],"detail":{"k":[true]}}"#).unwrap();
            p.matches_json_top(text, |_, top| top.and_then(|t| from_fields(text, t)))
                .ok()
                .flatten()
        }

        const GOOD: &str =
            r#"{"id":"1","account":"1","source":"s","time":"t","region":"r","detail-type":"d"}"#;

        #[test]
        fn agrees_with_the_reference_checks() {
            let cases = [
                GOOD.to_string(),
                GOOD.replace(r#""id":"1""#, r#""id":1"#),
                GOOD.replace(r#","region":"r""#, ""),
                GOOD.replace('}', r#","resources":["a","b"]}"#),
                GOOD.replace('}', r#","resources":["a",2]}"#),
                GOOD.replace('}', r#","resources":"a"}"#),
                GOOD.replace('}', r#","detail":{"a":[1,{"b":null}]}}"#),
                GOOD.replace('}', r#","detail":[]}"#),
                GOOD.replace('}', r#","id":2}"#),
                GOOD.replace('}', r#","id":"again"}"#),
                GOOD.replace('}', r#","detail":{"s":"a } { ] [ \" \\ long text here","n":{"m":"}}}"}},"resources":["x"]}"#),
                GOOD.replace('}', r#","detail":{"s":"ends with backslash \\"},"id":7}"#),
                GOOD.replace('}', r#","resources":["a\"]","b"],"detail":{"k":[{"x":"]"}]}}"#),
                "[]".to_string(),
                "not json".to_string(),
                format!("{GOOD} trailing"),
            ];
            for c in cases {
                assert_eq!(check(&c).is_ok(), validate_test_event(&c).is_ok(), "{c}");
                if serde_json::from_str::<serde_json::Value>(&c).is_ok() {
                    assert_eq!(top_level(&c), Some(check(&c).is_ok()), "{c}");
                    if c.starts_with('{') {
                        assert_eq!(via_reader(&c), Some(check(&c).is_ok()), "{c}");
                    }
                }
            }
        }

        proptest! {
            #[test]
            fn agrees_on_random_envelopes(
                fields in proptest::collection::vec(
                    (prop::sample::select(vec!["id", "account", "source", "time", "region",
                        "detail-type", "resources", "detail", "other"]),
                     prop::sample::select(vec![r#""x""#, "1", "null", "[]", r#"["a"]"#, "[1]",
                        "{}", r#"{"k":[true]}"#])),
                    0..10)
            ) {
                let body: Vec<String> =
                    fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                let text = format!("{{{}}}", body.join(","));
                prop_assert_eq!(check(&text).is_ok(), validate_test_event(&text).is_ok());
                prop_assert_eq!(top_level(&text), Some(check(&text).is_ok()));
                prop_assert_eq!(via_reader(&text), Some(check(&text).is_ok()));
                let spaced = text.replace(',', " ,\n ").replace(':', " : ");
                prop_assert_eq!(top_level(&spaced), Some(check(&spaced).is_ok()));
                prop_assert_eq!(via_reader(&spaced), Some(check(&spaced).is_ok()));
            }
        }
    }
}

pub fn put_rule(region: &mut Region, input: &Value, now: f64, max_rules: usize) -> Result<Out> {
    let name = str_of(input, "Name").unwrap_or_default();
    // AWS takes an empty EventPattern as none; an empty ScheduleExpression beside a pattern is
    // accepted on the default bus and shown back, scheduling nothing (recorded: docs/aws-facts.md).
    let pattern = compile_pattern(str_of(input, "EventPattern").filter(|p| !p.is_empty()))?;
    let schedule = str_of(input, "ScheduleExpression");
    if pattern.is_none() && schedule.is_none_or(str::is_empty) {
        return Err(error::rule_needs_pattern_or_schedule());
    }
    let ctx = region.ctx.clone();
    let bus = region.bus_mut(str_of(input, "EventBusName"))?;
    // The bus is checked before the expression is read (an empty one included).
    if schedule.is_some() && bus.name != "default" {
        return Err(error::schedule_on_custom_bus());
    }
    let parsed = schedule
        .filter(|expr| !expr.is_empty())
        .map(|expr| Schedule::parse(expr).map_err(|e| error::validation(e.message())))
        .transpose()?;
    if let Some(old) = bus.rules.get(name) {
        old.check_managed(None)?;
    } else if bus.rules.len() >= max_rules {
        return Err(error::too_many_rules());
    }
    let rule_arn = arn::rule_arn(&ctx, &bus.name, name);
    let old = bus.rules.remove(name);
    // A schedule keeps counting from when it was set, unless this call changes it.
    let schedule_set = match &old {
        Some(o) if o.schedule_expression.as_deref() == schedule => {
            o.schedule.as_ref().map_or(now, |(_, at)| *at)
        }
        _ => now,
    };
    let (tags, targets) = match old {
        // Replacing a rule resets every field it omits, but keeps its tags and targets.
        Some(old) => (old.tags, old.targets),
        None => {
            let mut tags = Tags::default();
            tags.merge(list_of(input, "Tags"))?;
            (tags, Vec::new())
        }
    };
    bus.rules.insert(
        name.to_owned(),
        Rule {
            name: name.to_owned(),
            arn: rule_arn.clone(),
            bus: bus.name.clone(),
            event_pattern: pattern,
            schedule_expression: schedule.map(str::to_owned),
            schedule: parsed.map(|p| (p, schedule_set)),
            state: str_of(input, "State").unwrap_or("ENABLED").to_owned(),
            description: str_of(input, "Description").map(str::to_owned),
            role_arn: str_of(input, "RoleArn").map(str::to_owned),
            managed_by: None,
            created_by: ctx.account.clone(),
            tags,
            targets,
        },
    );
    bus.sync_rule(name);
    Ok(Obj::new().put("RuleArn", rule_arn).build())
}

pub fn describe_rule(region: &Region, input: &Value) -> Result<Out> {
    let rule = region.rule(
        str_of(input, "EventBusName"),
        str_of(input, "Name").unwrap_or_default(),
    )?;
    Ok(rule
        .summary()
        .put("CreatedBy", rule.created_by.as_str())
        .build())
}

pub fn list_rules(region: &Region, input: &Value) -> Result<Out> {
    let bus = region.bus(str_of(input, "EventBusName"))?;
    let prefix = str_of(input, "NamePrefix").unwrap_or_default();
    let rules: Vec<&Rule> = bus
        .rules
        .values()
        .filter(|r| r.name.starts_with(prefix))
        .collect();
    paging::list_response(
        input,
        "Limit",
        "Rules",
        rules,
        |r| &r.name,
        |r| r.summary().build(),
    )
}

pub fn delete_rule(region: &mut Region, input: &Value) -> Result<Out> {
    let bus = region.bus_mut(str_of(input, "EventBusName"))?;
    let name = str_of(input, "Name").unwrap_or_default();
    // Deleting a rule that does not exist succeeds, as in AWS.
    if let Some(rule) = bus.rules.get(name) {
        rule.check_managed(Some(bool_of(input, "Force")))?;
        if !rule.targets.is_empty() {
            return Err(error::rule_has_targets());
        }
        let managed = rule.managed_by.is_some();
        let bus_name = bus.name.clone();
        bus.rules.remove(name);
        bus.sync_rule(name);
        if managed {
            crate::archives::check_rules(region, &bus_name);
        }
    }
    Ok(Obj::new().build())
}

fn set_state(region: &mut Region, input: &Value, state: &str) -> Result<Out> {
    let name = str_of(input, "Name").unwrap_or_default();
    let rule = region.rule_mut(str_of(input, "EventBusName"), name)?;
    rule.check_managed(None)?;
    rule.state = state.to_owned();
    region
        .bus_mut(str_of(input, "EventBusName"))?
        .sync_rule(name);
    Ok(Obj::new().build())
}

pub fn enable_rule(region: &mut Region, input: &Value) -> Result<Out> {
    set_state(region, input, "ENABLED")
}

pub fn disable_rule(region: &mut Region, input: &Value) -> Result<Out> {
    set_state(region, input, "DISABLED")
}
