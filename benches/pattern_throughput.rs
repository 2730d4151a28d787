//! Throughput of `RuleSet::matches_json` on the reference workload.
//!
//! Usage: `cargo bench --bench pattern_throughput -- [WORKLOAD_DIR]` (or set
//! `MATCHBENCH_DIR`). For each of 10, 100 and 1000 rules it reads `rules.json`
//! (or `rules_<N>.json` when present) and all of `events.jsonl` from the directory,
//! then prints events per second (per chunk of events, the best of several rounds) for `matches_json` (a fresh
//! `Vec` per event) and for `match_many` (one buffer for the batch). JSON reading is
//! included. Generate a workload with
//! `python3 /work/shared/bench/matchbench_gen.py DIR N_EVENTS N_RULES`; a 1000-rule
//! workload serves all three sizes (the first N rules are used).
//!
//! Environment: `MATCHBENCH_RULES` (comma-separated rule counts, default `10,100,1000`),
//! `MATCHBENCH_ROUNDS` (default 5).

use std::time::Instant;

use eventbridge_mock::pattern::{Pattern, RuleSet};
use serde_json::Value;

/// Events per second: every pass runs `f` over all events in chunks of `CHUNK`; each
/// chunk's best time over `rounds` passes counts, so that a machine shared with other work
/// (which interrupts any long pass) still gives a stable figure. Also returns the matches.
fn best(events: &[&str], rounds: usize, mut f: impl FnMut(&[&str]) -> usize) -> (f64, usize) {
    const CHUNK: usize = 500;
    let n_chunks = events.len().div_ceil(CHUNK);
    let mut best = vec![f64::MAX; n_chunks];
    let mut matched = 0;
    for _ in 0..rounds {
        matched = 0;
        for (c, chunk) in events.chunks(CHUNK).enumerate() {
            let t = Instant::now();
            matched += f(chunk);
            best[c] = best[c].min(t.elapsed().as_secs_f64());
        }
    }
    (events.len() as f64 / best.iter().sum::<f64>(), matched)
}

fn main() {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .or_else(|| std::env::var("MATCHBENCH_DIR").ok())
        .unwrap_or_else(|| "/tmp/mb".to_string());
    let rounds: usize = std::env::var("MATCHBENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5)
        .max(1);
    let counts: Vec<usize> = std::env::var("MATCHBENCH_RULES")
        .unwrap_or_else(|_| "10,100,1000".to_string())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
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
        let (rate, n) = best(&events, rounds, |events| {
            events
                .iter()
                .map(|e| empty.matches_json(e).map(|m| m.len()).unwrap_or(0))
                .sum()
        });
        println!("  scan only: {rate:>10.0} events/s ({n} matches, best of {rounds})");
    }
    for n in counts {
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
        for e in events.iter().take(1000) {
            let _ = set.matches_json(e);
        }
        let (rate, matched) = best(&events, rounds, |events| {
            events
                .iter()
                .map(|e| set.matches_json(e).map(|m| m.len()).unwrap_or(0))
                .sum()
        });
        let (batch, batch_matched) = best(&events, rounds, |events| {
            let mut total = 0;
            set.match_many(events.iter().copied(), |_, r| {
                total += r.map(|m| m.len()).unwrap_or(0)
            });
            total
        });
        assert_eq!(
            matched, batch_matched,
            "match_many disagrees with matches_json"
        );
        println!(
            "{n:>5} rules: {rate:>10.0} events/s matches_json, {batch:>10.0} match_many \
             ({} events, {matched} matches, best of {rounds})",
            events.len()
        );
    }
}
