//! Tests: the shared case corpus, targeted cases, and properties over random input.

use std::path::Path;

use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;

fn pat(v: Value) -> Pattern {
    match Pattern::from_value(&v) {
        Ok(p) => p,
        Err(e) => panic!("pattern {v} refused: {e}"),
    }
}

fn err(v: Value) -> String {
    match Pattern::from_value(&v) {
        Ok(_) => panic!("pattern {v} accepted"),
        Err(e) => e.message(),
    }
}

/// Every way of matching must agree; returns the common answer.
fn agree(p: &Pattern, event: &Value) -> bool {
    let by_value = p.matches_value(event);
    let text = event.to_string();
    let by_json = p.matches_json(&text).expect("serialised event is JSON");
    let mut set = RuleSet::new();
    set.insert("r", p);
    let in_set = set.matches_value(event) == vec!["r"];
    let in_set_json = set.matches_json(&text).expect("JSON") == vec!["r"];
    let explained = p.explain(event).matched();
    assert_eq!(
        [by_json, in_set, in_set_json, explained],
        [by_value; 4],
        "disagreement for pattern {} on event {text}",
        p.source()
    );
    by_value
}

fn m(p: Value, e: Value) -> bool {
    agree(&pat(p), &e)
}

/// Cases whose expectation disagrees with the recorded AWS text (see docs/patterns.md).

#[test]
fn corpus() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pattern_cases"));
    if !dir.is_dir() {
        return;
    }
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let Ok(case) = serde_json::from_str::<Value>(&text) else {
            failures.push(format!("{}: unreadable case", f.display()));
            continue;
        };
        let parsed = match &case["pattern"] {
            Value::String(s) => Pattern::parse(s),
            v => Pattern::from_value(v),
        };
        let name = f.strip_prefix(dir).unwrap_or(f).display().to_string();
        match (&case["error"], parsed) {
            (Value::String(want), Err(e)) => {
                let got = e.message();
                if &got != want {
                    failures.push(format!("{name}: error\n   want {want}\n   got  {got}"));
                }
            }
            (Value::String(want), Ok(_)) => {
                failures.push(format!("{name}: accepted, want error {want}"))
            }
            (_, Err(e)) => failures.push(format!("{name}: refused: {e}")),
            (_, Ok(p)) => {
                let want = case["matches"].as_bool();
                let got = agree(&p, &case["event"]);
                if want != Some(got) {
                    failures.push(format!("{name}: matched {got}, want {want:?}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn exact_values_and_arrays() {
    assert!(m(json!({"a": ["x", "y"]}), json!({"a": "y"})));
    assert!(m(json!({"a": ["x"]}), json!({"a": ["q", "x"]})));
    assert!(!m(json!({"a": ["x"]}), json!({"a": []})));
    assert!(m(json!({"a": [null]}), json!({"a": null})));
    assert!(!m(json!({"a": [null]}), json!({})));
    assert!(m(json!({"a": [""]}), json!({"a": ""})));
    assert!(!m(json!({"a": [""]}), json!({"a": null})));
    assert!(m(json!({"a": [true]}), json!({"a": true})));
    assert!(!m(json!({"a": ["true"]}), json!({"a": true})));
    assert!(m(json!({"a": [300]}), json!({"a": 3.0e2})));
    assert!(m(json!({"a": [300]}), json!({"a": 300.0})));
    assert!(!m(json!({"a": ["300"]}), json!({"a": 300})));
    assert!(m(
        json!({"a": [123456789012u64]}),
        json!({"a": 123456789012u64})
    ));
    assert!(m(json!({"a": {"b": [1]}}), json!({"a.b": 1})));
    assert!(m(json!({"a.b": [1]}), json!({"a": {"b": 1}})));
}

#[test]
fn operators() {
    assert!(m(json!({"a": [{"prefix": "ab"}]}), json!({"a": "abc"})));
    assert!(m(
        json!({"a": [{"prefix": {"equals-ignore-case": "AB"}}]}),
        json!({"a": "aBc"})
    ));
    assert!(m(
        json!({"a": [{"suffix": {"equals-ignore-case": ".PNG"}}]}),
        json!({"a": "x.png"})
    ));
    assert!(m(
        json!({"a": [{"equals-ignore-case": "ALICE"}]}),
        json!({"a": "alice"})
    ));
    assert!(m(json!({"a": [{"anything-but": "x"}]}), json!({"a": "y"})));
    assert!(!m(json!({"a": [{"anything-but": "x"}]}), json!({})));
    assert!(m(json!({"a": [{"anything-but": [1, 2]}]}), json!({"a": 3})));
    assert!(!m(
        json!({"a": [{"anything-but": [1, 2]}]}),
        json!({"a": 2.0})
    ));
    assert!(m(
        json!({"a": [{"anything-but": {"prefix": "us-"}}]}),
        json!({"a": "eu-1"})
    ));
    assert!(!m(
        json!({"a": [{"anything-but": {"suffix": ".png"}}]}),
        json!({"a": "b.png"})
    ));
    assert!(!m(
        json!({"a": [{"anything-but": {"wildcard": "*/lib/*"}}]}),
        json!({"a": "/x/lib/y"})
    ));
    assert!(m(
        json!({"a": [{"numeric": [">", 0, "<=", 5]}]}),
        json!({"a": 5})
    ));
    assert!(!m(
        json!({"a": [{"numeric": [">", 0, "<=", 5]}]}),
        json!({"a": 0})
    ));
    assert!(!m(json!({"a": [{"numeric": [">", 0]}]}), json!({"a": "5"})));
    assert!(m(
        json!({"a": [{"numeric": ["=", 3.018e2]}]}),
        json!({"a": 301.8})
    ));
    assert!(m(
        json!({"a": [{"cidr": "10.0.0.0/24"}]}),
        json!({"a": "10.0.0.255"})
    ));
    assert!(!m(
        json!({"a": [{"cidr": "10.0.0.0/24"}]}),
        json!({"a": "10.0.1.0"})
    ));
    assert!(m(
        json!({"a": [{"cidr": "2001:db8::/32"}]}),
        json!({"a": "2001:db8::1"})
    ));
    assert!(m(
        json!({"a": [{"wildcard": "*.png"}]}),
        json!({"a": "x.png"})
    ));
    assert!(m(json!({"a": [{"exists": true}]}), json!({"a": null})));
    assert!(!m(json!({"a": [{"exists": true}]}), json!({"a": []})));
    assert!(m(json!({"a": [{"exists": false}]}), json!({"a": []})));
    assert!(m(json!({"a": [{"exists": false}]}), json!({"a": {"b": 1}})));
    assert!(m(json!({"a": ["10.0.0.1"]}), json!({"a": "10.0.0.1"})));
}

#[test]
fn or_and_arrays_of_objects() {
    let p = json!({"source": ["s"], "$or": [{"a": [1]}, {"b": [2]}]});
    assert!(m(p.clone(), json!({"source": "s", "b": 2})));
    assert!(!m(p, json!({"source": "t", "b": 2})));
    // Fields of one branch must come from the same array element.
    let p = json!({"items": {"sku": ["A"], "qty": [2]}});
    assert!(m(p.clone(), json!({"items": [{"sku": "A", "qty": 2}]})));
    assert!(!m(
        p,
        json!({"items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}]})
    ));
}

#[test]
fn aws_messages() {
    let r = |s: &str| format!("Event pattern is not valid. Reason: {s}");
    assert_eq!(
        err(json!({"int": 5})),
        r("\"int\" must be an object or an array")
    );
    assert_eq!(err(json!({"a": []})), r("Empty arrays are not allowed"));
    assert_eq!(err(json!({"a": {}})), r("Empty objects are not allowed"));
    assert_eq!(
        err(json!({"a": [{"NUMERIC": [">", 1]}]})),
        r("Unrecognized match type NUMERIC")
    );
    assert_eq!(err(json!([1])), r("Filter is not an object"));
    assert_eq!(
        err(json!({"a": [{"numeric": [">", 5, "<", 1]}]})),
        r("Bottom must be less than top")
    );
    assert_eq!(
        err(json!({"a": [{"numeric": ["=", 6e9]}]})),
        r("Value must be between -5.0E9 and 5.0E9, inclusive")
    );
    assert_eq!(
        err(json!({"a": [{"numeric": []}]})),
        r("Invalid member in numeric match: ]")
    );
    assert_eq!(
        err(json!({"a": [{"cidr": "10.0.0.0/32"}]})),
        r("IPv4 mask bits must be < 32")
    );
    assert_eq!(
        err(json!({"a": [{"wildcard": "a**"}]})),
        r("Consecutive wildcard characters at pos 2")
    );
    assert_eq!(
        err(json!({"$or": [{"a": [1]}]})),
        r("There must have at least 2 Objects in $or relationship.")
    );
    assert_eq!(
        err(json!({"$or": [{"prefix": [1]}, {"b": [1]}]})),
        r("prefix is Ruler reserved fieldName which cannot be used inside $or.")
    );
    assert_eq!(
        Pattern::parse("{'a': 1}").unwrap_err().reason(),
        "Unexpected character (\''\' (code 39)): was expecting double-quote to start field name"
    );
}

#[test]
fn test_event_validation() {
    // Recorded from AWS (docs/patterns.md): presence of six members, any type, a real time.
    let good = r#"{"id":1,"account":"1","source":"s","time":"2026-09-13T00:00:00Z","region":"r","detail-type":["d"],"detail":"{}"}"#;
    assert!(validate_test_event(good).is_ok());
    assert_eq!(
        validate_test_event("[]").unwrap_err(),
        "Parameter Event is not valid."
    );
    assert_eq!(
        validate_test_event(&good.replace("2026-09-13T00:00:00Z", "t")).unwrap_err(),
        "Parameter Event is not valid. Reason: Invalid time."
    );
    assert_eq!(
        validate_test_event(&good.replace(r#","region":"r""#, "")).unwrap_err(),
        "Parameter Event is not valid."
    );
    assert!(validate_test_event(r#"{"id":"1"}"#).is_err());
    assert!(validate_test_event("nope").is_err());
}

#[test]
fn explanation_words() {
    let p = pat(json!({"$or": [{"a": ["x"]}, {"b": [{"prefix": "q"}]}]}));
    let e = p.explain(&json!({"a": "y"}));
    assert!(!e.matched());
    let s = e.to_string();
    assert!(s.contains("None of the 2 alternatives"), "{s}");
    assert!(s.contains("Field \"a\" is \"y\""), "{s}");
    assert!(s.contains("Field \"b\" is missing"), "{s}");
    assert!(e.to_html().contains("<li>"));
}

#[test]
fn bad_event_json() {
    let p = pat(json!({"a": [1]}));
    for bad in [
        "",
        "{",
        "{\"a\":1,}",
        "[1 2]",
        "{\"a\":\"\u{1}\"}",
        "\"\\ud80\"",
    ] {
        assert!(p.matches_json(bad).is_err(), "{bad:?} accepted");
        assert!(serde_json::from_str::<Value>(bad).is_err());
    }
    // AWS's reader takes what serde_json refuses here: unpaired surrogates, numbers past a
    // double's range, nesting up to 1000 levels.
    for good in ["\"\\ud800\"", "1e400", "{\"a\":\"\\udfff\"}"] {
        assert!(serde_json::from_str::<Value>(good).is_err());
        assert_eq!(p.matches_json(good), Ok(false), "{good:?}");
    }
    let nested = |n: usize| r#"{"a":"#.repeat(n - 1) + "[1]" + &"}".repeat(n - 1);
    let exists = |n: usize| {
        let path = vec!["a"; n - 1].join(".");
        Pattern::parse(&format!(r#"{{"{path}":[{{"exists":true}}]}}"#)).unwrap()
    };
    assert_eq!(exists(1000).matches_json(&nested(1000)), Ok(true));
    let e = exists(1000).matches_json(&nested(1001)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "event is nested deeper than 1000 levels, AWS's limit (at byte 5000)"
    );
}

#[test]
fn huge_numbers_compare_with_nothing() {
    let event = r#"{"a":1e400,"b":-1e999,"c":123456789012345678901234567890}"#;
    for (pattern, want) in [
        (json!({"a": [{"exists": true}]}), true),
        (json!({"a": [{"exists": false}]}), false),
        (json!({"a": [{"numeric": [">", 0]}]}), false),
        (json!({"b": [{"numeric": ["<", 0]}]}), false),
        (json!({"a": [{"anything-but": "x"}]}), true),
        (json!({"a": [{"anything-but": 1}]}), false),
        (json!({"a": [1e308]}), false),
        (json!({"c": [1.2345678901234568e29]}), true),
    ] {
        assert_eq!(
            pat(pattern.clone()).matches_json(event),
            Ok(want),
            "{pattern}"
        );
    }
    let why = pat(json!({"a": [5]}))
        .explain_json(event)
        .unwrap()
        .to_string();
    assert!(why.contains("1e400"), "{why}");
}

#[test]
fn the_last_of_duplicate_keys_wins() {
    let p = pat(json!({"detail": {"a": [1]}}));
    for (event, want) in [
        (r#"{"detail":{"a":1,"a":2}}"#, false),
        (r#"{"detail":{"a":2,"a":1}}"#, true),
        (r#"{"detail":{"a":1},"detail":{"b":1}}"#, false),
        (r#"{"detail":{"b":1},"detail":{"a":[0,1]}}"#, true),
        (r#"{"detail":{"a":1,"x":{"a":2},"\u0061":2}}"#, false),
        (r#"{"detail":[{"a":1,"a":2},{"a":3,"a":1}]}"#, true),
        // Different keys reaching one path are both kept (AWS joins keys with '.').
        (r#"{"detail.a":1,"detail":{"a":2}}"#, true),
    ] {
        assert_eq!(p.matches_json(event), Ok(want), "{event}");
        let v = crate::json::parse(event).unwrap();
        assert_eq!(p.matches_value(&v), want, "{event} as a value");
    }
    // Objects with more keys that patterns read than a first reading tells apart (it notes
    // them as 64 bits), with and without a repeat.
    let fields: Vec<String> = (0..70).map(|i| format!(r#""k{i}":[{i}]"#)).collect();
    let p = Pattern::parse(&format!("{{{}}}", fields.join(","))).unwrap();
    let members: Vec<String> = (0..70).map(|i| format!(r#""k{i}":{i}"#)).collect();
    let event = format!("{{{}}}", members.join(","));
    assert_eq!(p.matches_json(&event), Ok(true));
    let again = event.replace(r#""k69":69"#, r#""k69":69,"k5":6"#);
    assert_eq!(p.matches_json(&again), Ok(false));
    let back = again.replace(r#""k5":6"#, r#""k5":5"#);
    assert_eq!(p.matches_json(&back), Ok(true));
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e10f64..1e10).prop_map(|f| json!(f)),
        prop_oneof![
            Just("a".to_string()),
            Just("10.0.0.1".to_string()),
            Just("".to_string()),
            "[a-cA-C*.:\\\\]{0,6}",
            "\\PC{0,8}",
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[abc]", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn arb_cond() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("a")),
        Just(json!(1)),
        Just(json!(null)),
        Just(json!(true)),
        Just(json!("10.0.0.1")),
        Just(json!({"prefix": "a"})),
        Just(json!({"suffix": "b"})),
        Just(json!({"prefix": {"equals-ignore-case": "A"}})),
        Just(json!({"equals-ignore-case": "A"})),
        Just(json!({"anything-but": "a"})),
        Just(json!({"anything-but": [1, 2]})),
        Just(json!({"anything-but": {"prefix": "a"}})),
        Just(json!({"numeric": [">", 0, "<=", 5]})),
        Just(json!({"numeric": ["<", 0]})),
        Just(json!({"exists": true})),
        Just(json!({"exists": false})),
        Just(json!({"cidr": "10.0.0.0/8"})),
        Just(json!({"wildcard": "a*b"})),
        Just(json!({"wildcard": "*"})),
        // Wildcards filed under a suffix, a byte pair, and nothing at all.
        Just(json!({"wildcard": "*b"})),
        Just(json!({"wildcard": "*ab*c*"})),
        Just(json!({"wildcard": "*a*"})),
        Just(json!({"numeric": ["=", 1]})),
        Just(json!({"numeric": [">=", -1, "<", 1.5]})),
        Just(json!({"numeric": [">", 0.5]})),
        Just(json!({"anything-but": ["a", "b"]})),
        Just(json!({"anything-but": 1})),
        Just(json!({"anything-but": {"suffix": "b"}})),
        Just(json!({"cidr": "10.0.0.0/24"})),
    ]
}

fn arb_obj() -> impl Strategy<Value = Value> {
    let field = (
        "[abc]",
        prop::option::of("[abc]"),
        prop::collection::vec(arb_cond(), 1..3),
    )
        .prop_map(|(k, k2, conds)| match k2 {
            Some(k2) => (k, json!({ k2: conds })),
            None => (k, Value::Array(conds)),
        });
    prop::collection::vec(field, 1..3)
        .prop_map(|kv| Value::Object(kv.into_iter().collect::<serde_json::Map<_, _>>()))
}

fn arb_pattern() -> impl Strategy<Value = Value> {
    (
        arb_obj(),
        prop::option::of(prop::collection::vec(arb_obj(), 2..3)),
    )
        .prop_map(|(mut o, or)| {
            if let (Some(or), Value::Object(m)) = (or, &mut o) {
                m.insert("$or".into(), Value::Array(or));
            }
            o
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn any_json_as_pattern_never_panics(v in arb_json()) {
        let _ = Pattern::from_value(&v);
        let _ = Pattern::parse(&v.to_string());
    }

    #[test]
    fn matchers_agree(p in arb_pattern(), events in prop::collection::vec(arb_json(), 1..4)) {
        if let Ok(p) = Pattern::from_value(&p) {
            for e in &events {
                agree(&p, e);
                let _ = p.explain(e).to_string();
            }
        }
    }

    #[test]
    fn ruleset_equals_each_pattern(ps in prop::collection::vec(arb_pattern(), 1..6), e in arb_json()) {
        let mut set = RuleSet::new();
        let mut want = Vec::new();
        for (i, p) in ps.iter().enumerate() {
            if let Ok(p) = Pattern::from_value(p) {
                let name = format!("r{i}");
                if p.matches_value(&e) {
                    want.push(name.clone());
                }
                set.insert(&name, &p);
            }
        }
        let got: Vec<String> = set.matches_value(&e).into_iter().map(String::from).collect();
        prop_assert_eq!(&got, &want);
        let got: Vec<String> = set.matches_json(&e.to_string()).unwrap().into_iter().map(String::from).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn random_text_never_panics(s in "\\PC{0,64}") {
        let p = pat(json!({"a": [{"exists": true}]}));
        let _ = p.matches_json(&s);
        let _ = Pattern::parse(&s);
        let _ = validate_test_event(&s);
    }
}

/// Many rules at once (so the indexes hold many entries per path) against the direct
/// evaluator in `explain`.
fn ruleset_agrees_with_explain(ps: &[Value], e: &Value) {
    let mut set = RuleSet::new();
    let mut want = Vec::new();
    for (i, p) in ps.iter().enumerate() {
        if let Ok(p) = Pattern::from_value(p) {
            let name = format!("r{i:03}");
            if p.explain(e).matched() {
                want.push(name.clone());
            }
            set.insert(&name, &p);
        }
    }
    want.sort();
    let got: Vec<String> = set.matches_value(e).into_iter().map(String::from).collect();
    assert_eq!(got, want, "matches_value on {e}");
    let text = e.to_string();
    let got: Vec<String> = set
        .matches_json(&text)
        .expect("JSON")
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(got, want, "matches_json on {text}");
    let mut buf = Vec::new();
    set.matches_json_into(&text, &mut buf).expect("JSON");
    assert_eq!(buf, got.iter().map(String::as_str).collect::<Vec<_>>());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Small sets answer from per-segment lists, large ones (over 64 segments) from the
    /// tree: both are covered.
    #[test]
    fn interval_index_equals_scan(
        (items, xs) in prop_oneof![
            (
                prop::collection::vec((-20i64..20, 0i64..15), 0..40),
                prop::collection::vec(-25i64..25, 1..20),
            ),
            (
                prop::collection::vec((-300i64..300, 0i64..200), 30..90),
                prop::collection::vec(-350i64..550, 1..40),
            ),
        ],
    ) {
        let items: Vec<(i64, i64, u32)> = items
            .iter()
            .enumerate()
            .map(|(i, &(lo, len))| (lo, lo + len - 3, i as u32))
            .collect();
        let t = super::index::Intervals::build(&items);
        for x in xs {
            let mut got = Vec::new();
            t.each(x, |id| got.push(id));
            got.sort_unstable();
            let want: Vec<u32> = items
                .iter()
                .filter(|&&(lo, hi, _)| lo <= x && x <= hi)
                .map(|&(_, _, id)| id)
                .collect();
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn many_rules_agree_with_direct_evaluation(
        ps in prop::collection::vec(arb_pattern(), 1..40),
        events in prop::collection::vec(arb_json(), 1..4),
    ) {
        for e in &events {
            ruleset_agrees_with_explain(&ps, e);
        }
    }
}

#[test]
fn interval_index_extremes() {
    let t = super::index::Intervals::build(&[
        (i64::MIN, i64::MAX, 0),
        (5, i64::MAX, 1),
        (i64::MIN, 5, 2),
        (3, 2, 3), // empty
    ]);
    let at = |x: i64| {
        let mut v = Vec::new();
        t.each(x, |id| v.push(id));
        v.sort_unstable();
        v
    };
    assert_eq!(at(i64::MIN), vec![0, 2]);
    assert_eq!(at(5), vec![0, 1, 2]);
    assert_eq!(at(6), vec![0, 1]);
    assert_eq!(at(i64::MAX), vec![0, 1]);
}

#[test]
fn workload_shaped_rules_agree() {
    // The reference workload's operator mix, with values its events use.
    let ps: Vec<Value> = (0..60)
        .map(|i| match i % 8 {
            0 => json!({"detail": {"orderId": [{"wildcard": format!("*{}-*-{}*", i % 16, (i / 2) % 10)}]}}),
            1 => json!({"detail": {"amount": [{"numeric": [">", i * 7, "<=", 400 + i * 9]}]}}),
            2 => json!({"source": ["s"], "detail": {"state": [{"anything-but": ["paid", "new"]}]}}),
            3 => json!({"detail": {"coupon": [{"exists": i % 2 == 0}], "customer": {"tier": ["gold"]}}}),
            4 => json!({"detail": {"clientIp": [{"cidr": format!("10.{}.0.0/16", i % 4)}]}}),
            5 => json!({"detail": {"tags": ["gift"], "items": {"qty": [{"numeric": [">=", 3]}]}}}),
            6 => json!({"detail": {"customer": {"email": [{"suffix": format!("{}@example.com", i % 10)}]}}}),
            _ => json!({"$or": [{"detail": {"customer": {"country": ["DE"]}}}, {"detail-type": ["T"]}]}),
        })
        .collect();
    let events = [
        json!({"source": "s", "detail-type": "T", "detail": {"orderId": "a1b2c3d4-0000-1111-2222-333344445555",
            "state": "shipped", "amount": 420.5, "customer": {"tier": "gold", "country": "DE",
            "email": "user3@example.com"}, "items": [{"qty": 1}, {"qty": 4}], "tags": ["gift"],
            "clientIp": "10.1.2.3"}}),
        json!({"source": "s", "detail": {"orderId": "00000000-1111-2222-3333-444444444444",
            "state": "paid", "amount": 5, "coupon": "X", "customer": {"tier": "gold"},
            "items": [{"qty": 3}], "tags": [], "clientIp": "10.0.0.9"}}),
        json!({"detail": {"items": [{"qty": 1}], "tags": ["gift", "promo"]}}),
    ];
    for e in &events {
        ruleset_agrees_with_explain(&ps, e);
    }
}

#[test]
fn number_text_reads_like_serde() {
    for t in [
        "0",
        "-0",
        "-0.0",
        "1",
        "-1",
        "1.5",
        "1e5",
        "1E-7",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "3.0e2",
        "0.30000000000000004",
        "123456789012.000001",
    ] {
        let want: serde_json::Number = serde_json::from_str(t).unwrap();
        assert_eq!(crate::json::to_number(t), Some(want), "{t}");
    }
}

#[test]
fn extremes() {
    let p = pat(json!({"a": [{"numeric": [">", -5e9]}], "b": [{"wildcard": "*x*"}]}));
    let long = "x".repeat(1 << 20);
    assert!(agree(&p, &json!({"a": 5e9, "b": long})));
    assert!(!agree(&p, &json!({"a": 1e300, "b": "x"})));
    assert!(agree(&p, &json!({"a": 1e-300, "b": "\u{10FFFF}x"})));
    let mut deep = json!(1);
    for _ in 0..10_000 {
        let mut m = serde_json::Map::new();
        m.insert("a".into(), deep);
        deep = Value::Object(m);
    }
    assert!(Pattern::from_value(&deep).is_err());
    let _ = p.matches_value(&deep);
    std::mem::forget(deep); // dropping 10k nested maps recursively could overflow the test stack
}

/// AWS's depth on a thread with little stack: the readers grow the stack as they recurse.
#[test]
fn deepest_input_on_a_small_stack() {
    let run = std::thread::Builder::new().stack_size(1024 * 1024);
    let outcome = run
        .spawn(|| {
            let n = crate::json::MAX_DEPTH;
            let deep = |leaf: &str| r#"{"a":"#.repeat(n - 1) + leaf + &"}".repeat(n - 1);
            let p = Pattern::parse(&deep("[1]")).unwrap();
            let too_deep = Pattern::parse(&format!("[{}]", deep("[1]"))).unwrap_err();
            (
                p.matches_json(&deep("1")),
                p.matches_json(&deep("2")),
                p.matches_json(&deep(r#"{"b":[[[]]]}"#)).is_err(),
                too_deep.reason().to_owned(),
            )
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(outcome.0, Ok(true));
    assert_eq!(outcome.1, Ok(false));
    assert!(outcome.2);
    assert_eq!(outcome.3, crate::json::depth_message(1001));
}
