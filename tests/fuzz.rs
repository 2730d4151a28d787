//! Fuzzing the engine's readers with generated input: patterns, events, transformers and
//! schedules. Nothing may panic or hang, and the readers that must agree do. Bounded to a
//! few seconds (case counts below) so it runs in CI with the rest of `cargo test`.

use eventbridge_mock::json;
use eventbridge_mock::pattern::{Pattern, RuleSet};
use eventbridge_mock::schedule::Schedule;
use eventbridge_mock::transform::{render, validate_target, RuleInfo};
use proptest::prelude::*;
use serde_json::Value;

/// Text that is often JSON, often nearly so, and sometimes deep, with the characters and
/// numbers that have been trouble: surrogate escapes, huge numbers, duplicate keys.
fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        "-?(0|[1-9][0-9]{0,25})(\\.[0-9]{1,4})?([eE][+-]?[0-9]{1,3})?",
        Just("1e400".to_string()),
        "\"([a-zA?]|\\\\u[dD][89abcdefABCDEF][0-9a-f]{2}|\\\\[nt\"\\\\]|é){0,3}\"",
        Just("\"10.0.0.1\"".to_string()),
        "\\PC{0,3}",
    ];
    leaf.prop_recursive(6, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "a", "b", "a.b", "", "detail", "c", "$or", "exists", "prefix"
                    ]),
                    inner
                ),
                0..5
            )
            .prop_map(|m| format!(
                "{{{}}}",
                m.iter()
                    .map(|(k, v)| format!("\"{k}\":{v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            )),
        ]
    })
}

/// Patterns, mostly valid: objects down to lists of values and operators, with `$or`.
fn pattern_text() -> impl Strategy<Value = String> {
    let cond = prop::sample::select(vec![
        "\"a\"",
        "\"A\"",
        "1",
        "0",
        "-1",
        "1e40",
        "null",
        "true",
        "\"10.0.0.1\"",
        "\"?\"",
        r#"{"prefix":"a"}"#,
        r#"{"suffix":"a"}"#,
        r#"{"equals-ignore-case":"A"}"#,
        r#"{"numeric":[">",0]}"#,
        r#"{"numeric":[">=",-1,"<",1]}"#,
        r#"{"exists":true}"#,
        r#"{"exists":false}"#,
        r#"{"anything-but":["a",1]}"#,
        r#"{"anything-but":{"prefix":"a"}}"#,
        r#"{"wildcard":"a*"}"#,
        r#"{"cidr":"10.0.0.0/8"}"#,
        r#"{"anything-but":1}"#,
    ]);
    let leaf = prop::collection::vec(cond, 1..3).prop_map(|v| format!("[{}]", v.join(",")));
    let key = prop::sample::select(vec!["a", "b", "a.b", "detail", "c"]);
    let pattern = leaf.prop_recursive(4, 24, 3, move |inner| {
        prop::collection::vec((key.clone(), inner), 1..3).prop_map(|m| {
            format!(
                "{{{}}}",
                m.iter()
                    .map(|(k, v)| format!("\"{k}\":{v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            )
        })
    });
    prop_oneof![
        6 => pattern.clone().prop_filter("an object", |p| p.starts_with('{')),
        1 => (pattern.clone(), pattern).prop_map(|(a, b)| format!(r#"{{"$or":[{a},{b}]}}"#))
            .prop_filter("objects", |p| !p.contains(":[[")),
        1 => json_text(),
    ]
}

fn deep(levels: usize, leaf: &str) -> String {
    "[".repeat(levels) + leaf + &"]".repeat(levels)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// A pattern reads, or is refused with AWS's message; an event reads the same way for
    /// every reader: matching, explaining, a set of rules, and as a parsed value.
    #[test]
    fn patterns_and_events(pattern in pattern_text(), event in json_text(), depth in 0usize..1100) {
        if let Ok(p) = Pattern::parse(&pattern) {
            let by_text = p.matches_json(&event);
            let explained = p.explain_json(&event);
            prop_assert_eq!(by_text.is_ok(), explained.is_ok());
            if let (Ok(m), Ok(e)) = (&by_text, &explained) {
                prop_assert_eq!(*m, e.matched(), "{} {}", pattern, event);
            }
            let mut rules = RuleSet::new();
            rules.insert("r", &p);
            prop_assert_eq!(
                rules.matches_json(&event).map(|n| !n.is_empty()).ok(),
                by_text.clone().ok()
            );
            // An event the value reader takes matches as its text does.
            if let Ok(v) = json::parse(&event) {
                prop_assert_eq!(Some(p.matches_value(&v)), by_text.ok(), "{} {}", pattern, event);
            }
            // Nested in `depth` arrays: read to AWS's 1000 levels and no further (the
            // generated events nest at most 7 levels themselves).
            let nested = p.matches_json(&deep(depth, &event));
            if depth > 1000 {
                prop_assert!(nested.is_err());
            } else if depth + 7 <= 1000 {
                prop_assert_eq!(nested.is_ok(), p.matches_json(&deep(1, &event)).is_ok());
            }
        } else {
            let e = Pattern::parse(&pattern).unwrap_err();
            prop_assert!(e.message().starts_with("Event pattern is not valid. Reason: "));
        }
    }

    /// Any text, any bytes: the readers answer, never panic.
    #[test]
    fn arbitrary_text(text in "\\PC{0,40}", cut in 0usize..40) {
        let _ = Pattern::parse(&text);
        let _ = json::parse(&text);
        let p = Pattern::parse(r#"{"a":[{"exists":true}],"b":[{"anything-but":"x"}]}"#).unwrap();
        let t: String = text.chars().take(cut).collect();
        let _ = p.matches_json(&t);
        let _ = p.explain_json(&t);
    }

    /// Transformers: put_targets' checks answer, and whatever passes renders any event.
    #[test]
    fn transformers(
        keys in prop::collection::vec("[a-zA-Z0-9_.-]{0,6}", 0..4),
        paths in prop::collection::vec(prop::sample::select(vec!["$", "$.detail", "$.detail.a", "$.detail.a[0]", "$.x.*", "$..a", "detail", "$.a[", ""]), 0..4),
        template in "([a-z{}\\[\\]\":, ]|<[a-z.]{0,12}>|<aws\\.events\\.event(\\.json)?>|<aws\\.events\\.rule-name>){0,12}",
        event in json_text(),
    ) {
        let map: serde_json::Map<String, Value> =
            keys.iter().zip(paths.iter()).map(|(k, p)| (k.clone(), Value::String((*p).to_owned()))).collect();
        let target = serde_json::json!({
            "Id": "t", "Arn": "arn:aws:sqs:us-east-1:123456789012:q",
            "InputTransformer": {"InputPathsMap": map, "InputTemplate": template},
        });
        if validate_target(&target).is_ok() {
            if let Ok(event) = json::parse(&event) {
                let info = RuleInfo { rule_arn: "arn:aws:events:us-east-1:1:rule/r", rule_name: "r", ingestion_time: "2026-01-01T00:00:00Z" };
                let _ = render(&target, &event, &info);
            }
        }
    }

    /// Schedules: an expression parses or is refused with a reason; due instants are in
    /// order and after the start.
    #[test]
    fn schedules(
        expr in "(rate\\(([0-9]{1,11}|-1|x) (minute|minutes|hour|hours|day|days|weeks)\\)|cron\\(([0-9*?LW#,/-]{1,5}|MON|JAN|SUN-SAT) ([0-9*?LW#,/-]{1,5}) ([0-9*?LW#,/-]{1,5}) ([0-9*?,/-]{1,5}|JAN-MAR) ([0-9*?L#,/-]{1,5}|MON-FRI) ([0-9*,/-]{1,9})\\)|\\PC{0,12})",
        after in -1_000_000_000i64..8_000_000_000,
        n in 0usize..50,
    ) {
        match Schedule::parse(&expr) {
            Ok(s) => {
                let due = s.next(after, after, n);
                prop_assert!(due.len() <= n);
                prop_assert!(due.windows(2).all(|w| w[0] < w[1]));
                prop_assert!(due.iter().all(|&t| t > after));
                let _ = s.to_string();
            }
            Err(e) => prop_assert!(!e.reason().is_empty()),
        }
    }
}
