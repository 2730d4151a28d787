//! Throughput of `RuleSet::matches_json` on the reference workload.
//!
//! Usage: `cargo bench --bench pattern_throughput -- [WORKLOAD_DIR]` (or set
//! `MATCHBENCH_DIR`). For each of 10, 100 and 1000 rules it reads `rules.json`
//! (or `rules_<N>.json` when present) and all of `events.jsonl` from the directory,
//! then prints events per second. Generate a workload with
//! `python3 /work/shared/bench/matchbench_gen.py DIR N_EVENTS N_RULES`.

use std::time::Instant;

use eventbridge_mock::pattern::{Pattern, RuleSet};
use serde_json::Value;

fn main() {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .or_else(|| std::env::var("MATCHBENCH_DIR").ok())
        .unwrap_or_else(|| "/tmp/mb".to_string());
    let events = match std::fs::read_to_string(format!("{dir}/events.jsonl")) {
        Ok(s) => s,
        Err(_) => {
            println!("pattern_throughput: no workload in {dir} (events.jsonl missing); skipped");
            return;
        }
    };
    let events: Vec<&str> = events.lines().filter(|l| !l.is_empty()).collect();
    // Baseline: one rule on a field no event has, so the cost is reading the JSON.
    let mut empty = RuleSet::new();
    if let Ok(p) = Pattern::parse(r#"{"no-such-field": ["x"]}"#) {
        empty.insert("none", &p);
        let t = Instant::now();
        let mut n = 0usize;
        for e in &events {
            n += empty.matches_json(e).map(|m| m.len()).unwrap_or(0);
        }
        println!(
            "scan only: {:>10.0} events/s ({n} matches)",
            events.len() as f64 / t.elapsed().as_secs_f64()
        );
    }
    for n in [10usize, 100, 1000] {
        let path = [format!("{dir}/rules_{n}.json"), format!("{dir}/rules.json")]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists());
        let Some(path) = path else {
            println!("pattern_throughput: no rules file in {dir}; skipped");
            return;
        };
        let rules: Value = match std::fs::read_to_string(&path)
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
        {
            Some(v) => v,
            None => {
                println!("pattern_throughput: {path} unreadable; skipped");
                return;
            }
        };
        let Some(obj) = rules.as_object() else {
            println!("pattern_throughput: {path} is not an object; skipped");
            return;
        };
        if obj.len() < n {
            eprintln!("{n:>5} rules: only {} rules in {path}; skipped", obj.len());
            continue;
        }
        let mut set = RuleSet::new();
        for (name, p) in obj.iter().take(n) {
            match Pattern::from_value(p) {
                Ok(p) => set.insert(name, &p),
                Err(e) => println!("rule {name}: {e}"),
            }
        }
        // Warm up (also builds the combined matcher).
        let mut matched = 0usize;
        for e in events.iter().take(1000) {
            matched += set.matches_json(e).map(|m| m.len()).unwrap_or(0);
        }
        let rounds = 3;
        let mut best = f64::MAX;
        for _ in 0..rounds {
            matched = 0;
            let t = Instant::now();
            for e in &events {
                matched += set.matches_json(e).map(|m| m.len()).unwrap_or(0);
            }
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{n:>5} rules: {:>10.0} events/s ({} events, {matched} matches, best of {rounds})",
            events.len() as f64 / best,
            events.len()
        );
    }
}
