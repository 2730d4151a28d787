//! The checks TestEventPattern applies to its Event, in one pass over the text that builds
//! nothing: the same rules as `pattern::validate_test_event`, which the tests compare.
//!
//! AWS (recorded, docs/patterns.md "TestEventPattern's Event") requires a JSON object with
//! `id`, `account`, `source`, `time`, `region` and `detail-type` present, whatever their
//! types, and a `time` that reads as a time; `version`, `resources` and `detail` may be
//! absent or of any type.

use crate::pattern::{valid_time, TopField, TEST_EVENT_REQUIRED as REQUIRED};
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;

pub use crate::pattern::{INVALID_EVENT, INVALID_EVENT_TIME};

/// Why an Event is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a JSON object, or a required member missing.
    Invalid,
    /// `time` is not a time.
    Time,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::Invalid => INVALID_EVENT,
            Refusal::Time => INVALID_EVENT_TIME,
        }
    }
}

pub type Verdict = Result<(), Refusal>;

/// The envelope members TestEventPattern looks at; the last of duplicate keys wins, as
/// when the event is read into a JSON object.
#[derive(Default)]
struct Envelope {
    present: [bool; 6],
    time_ok: bool,
}

impl Envelope {
    fn note(&mut self, key: &str, time_ok: impl FnOnce() -> bool) {
        if let Some(i) = REQUIRED.iter().position(|r| *r == key) {
            self.present[i] = true;
            if key == "time" {
                self.time_ok = time_ok();
            }
        }
    }

    fn verdict(&self) -> Verdict {
        if !self.present.iter().all(|p| *p) {
            return Err(Refusal::Invalid);
        }
        if !self.time_ok {
            return Err(Refusal::Time);
        }
        Ok(())
    }
}

/// A `time` value read by serde: whether it is a string that reads as a time.
struct TimeValue(bool);

impl<'de> Deserialize<'de> for TimeValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TimeValue, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TimeValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E>(self, s: &str) -> Result<TimeValue, E> {
                Ok(TimeValue(valid_time(s)))
            }
            fn visit_bool<E>(self, _: bool) -> Result<TimeValue, E> {
                Ok(TimeValue(false))
            }
            fn visit_i64<E>(self, _: i64) -> Result<TimeValue, E> {
                Ok(TimeValue(false))
            }
            fn visit_u64<E>(self, _: u64) -> Result<TimeValue, E> {
                Ok(TimeValue(false))
            }
            fn visit_f64<E>(self, _: f64) -> Result<TimeValue, E> {
                Ok(TimeValue(false))
            }
            fn visit_unit<E>(self) -> Result<TimeValue, E> {
                Ok(TimeValue(false))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<TimeValue, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(TimeValue(false))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut s: A,
            ) -> Result<TimeValue, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(TimeValue(false))
            }
        }
        d.deserialize_any(V)
    }
}

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
                    if key == "time" {
                        let TimeValue(ok) = m.next_value()?;
                        e.note(&key, || ok);
                    } else {
                        m.next_value::<IgnoredAny>()?;
                        e.note(&key, || false);
                    }
                }
                Ok(e)
            }
        }
        d.deserialize_map(V)
    }
}

/// The envelope's checks on text already known to be valid JSON, reading only its top
/// level; None when a key is written with escapes (then `check` decides).
pub fn top_level(event: &str) -> Option<Verdict> {
    let b = event.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return Some(Err(Refusal::Invalid));
    }
    let mut fields = Vec::new();
    i = skip_ws(b, i + 1);
    if b.get(i) != Some(&b'}') {
        loop {
            let key_end = string_end(b, i)?;
            let key = (i + 1, key_end - 1);
            i = skip_ws(b, skip_ws(b, key_end) + 1); // past ':'
            let end = value_end(b, i)?;
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

/// The envelope's checks from the top-level members of an event known to be valid JSON
/// (byte ranges of its text); None when a key is written with escapes.
pub fn from_fields(event: &str, fields: &[TopField]) -> Option<Verdict> {
    let mut e = Envelope::default();
    for f in fields {
        let (ks, ke) = f.key?;
        let key = event.get(ks..ke)?;
        e.note(key, || {
            event
                .get(f.value.0..f.value.1)
                .and_then(|v| serde_json::from_str::<std::borrow::Cow<str>>(v).ok())
                .is_some_and(|t| valid_time(&t))
        });
    }
    Some(e.verdict())
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

/// The index just past the value starting at `i`.
fn value_end(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => string_end(b, i),
        b'{' | b'[' => container_end(b, i),
        _ => Some(
            i + b[i..]
                .iter()
                .position(|c| matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(b.len() - i),
        ),
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

/// The checks on any text.
pub fn check(event: &str) -> Verdict {
    match serde_json::from_str::<Envelope>(event) {
        Ok(e) => e.verdict(),
        // serde_json stops at 128 levels and at unpaired surrogate escapes; AWS reads both
        // (`crate::json`), as the reference checks do.
        Err(_) => match crate::pattern::validate_test_event(event) {
            Ok(_) => Ok(()),
            Err(m) if m == INVALID_EVENT_TIME => Err(Refusal::Time),
            Err(_) => Err(Refusal::Invalid),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{check, from_fields, top_level, Refusal, Verdict};
    use crate::pattern::{validate_test_event, Pattern};
    use proptest::prelude::*;

    /// The checks from the members the pattern reader recorded (None when it did not).
    fn via_reader(text: &str) -> Option<Verdict> {
        let p = Pattern::parse(r#"{"source":["x"],"detail":{"k":[true]}}"#).unwrap();
        p.matches_json_top(text, |_, top| top.and_then(|t| from_fields(text, t)))
            .ok()
            .flatten()
    }

    /// The reference checks' verdict.
    fn reference(text: &str) -> Verdict {
        validate_test_event(text).map(|_| ()).map_err(|m| {
            if m == Refusal::Time.message() {
                Refusal::Time
            } else {
                Refusal::Invalid
            }
        })
    }

    const GOOD: &str = r#"{"id":"1","account":"1","source":"s","time":"2026-09-13T00:00:00Z","region":"r","detail-type":"d"}"#;

    #[test]
    fn agrees_with_the_reference_checks() {
        let cases = [
            GOOD.to_string(),
            GOOD.replace(r#""id":"1""#, r#""id":1"#),
            GOOD.replace(r#","region":"r""#, ""),
            GOOD.replace(r#""2026-09-13T00:00:00Z""#, "1"),
            GOOD.replace(r#""2026-09-13T00:00:00Z""#, r#""not-a-time""#),
            GOOD.replace(r#""2026-09-13T00:00:00Z""#, r#""2026-09-13T00:00:00\u002b01:00""#),
            GOOD.replace(r#","region":"r""#, "").replace("2026", "x"),
            GOOD.replace('}', r#","resources":["a","b"]}"#),
            GOOD.replace('}', r#","resources":"a"}"#),
            GOOD.replace('}', r#","detail":{"a":[1,{"b":null}]}}"#),
            GOOD.replace('}', r#","detail":"{\"a\":1}"}"#),
            GOOD.replace(r#""detail-type":"d""#, r#""detail-type":["d","e"]"#),
            GOOD.replace('}', r#","time":"later"}"#),
            GOOD.replace('}', r#","detail":{"s":"a } { ] [ \" \\ long text here","n":{"m":"}}}"}},"resources":["x"]}"#),
            GOOD.replace('}', r#","detail":{"s":"ends with backslash \\"},"id":7}"#),
            GOOD.replace('}', r#","resources":["a\"]","b"],"detail":{"k":[{"x":"]"}]}}"#),
            "[]".to_string(),
            "{}".to_string(),
            "not json".to_string(),
            format!("{GOOD} trailing"),
        ];
        for c in cases {
            assert_eq!(check(&c), reference(&c), "{c}");
            if serde_json::from_str::<serde_json::Value>(&c).is_ok() {
                assert_eq!(top_level(&c), Some(check(&c)), "{c}");
                if c.starts_with('{') {
                    assert_eq!(via_reader(&c), Some(check(&c)), "{c}");
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
                    "{}", r#"{"k":[true]}"#, r#""2026-09-13T00:00:00Z""#])),
                0..10)
        ) {
            let body: Vec<String> =
                fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            let text = format!("{{{}}}", body.join(","));
            prop_assert_eq!(check(&text), reference(&text));
            prop_assert_eq!(top_level(&text), Some(check(&text)));
            prop_assert_eq!(via_reader(&text), Some(check(&text)));
            let spaced = text.replace(',', " ,\n ").replace(':', " : ");
            prop_assert_eq!(top_level(&spaced), Some(check(&spaced)));
            prop_assert_eq!(via_reader(&spaced), Some(check(&spaced)));
        }
    }
}
