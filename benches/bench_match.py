"""Pattern-matching throughput: eventbridge-mock against moto's matcher and event-ruler, same run.

    python benches/bench_match.py [--quick] [--workload DIR] [--gen PATH]

The workload comes from the matchbench generator (``matchbench_gen.py OUT N_EVENTS N_RULES``:
~1 KB events and rules mixing every operator kind). Without ``--workload`` it is generated into
a temporary directory that is removed afterwards; with ``--workload DIR`` the script uses
DIR/events.jsonl and DIR/rules.json, generating them there first if they are missing. The
generator draws its rules one after another from one seeded stream, after the events, so the
first N rules of a 1,000-rule set are exactly its N-rule set over the same events: the 10- and
100-rule runs use those prefixes.

Measured, for 10, 100 and 1,000 rules:

- eventbridge-mock: ``RuleSet(rules).match_many(...)`` from the JSON-lines path and from an
  in-memory list of JSON strings, over every event, after a warm-up. The machine is noisy, so
  the path is timed as the best of 5 whole runs, and the list as ``benches/pattern_throughput.rs``
  times the Rust API: in chunks of 500 events, each chunk's best time over 5 runs, summed.
  Compiling the rule set is not timed.
- moto's matcher (``EventPattern.load(text).matches_event(event)``, rule by rule, as moto's
  PutEvents does) on a sample of the first events, timed from the JSON text (one ``json.loads``
  per event) and scaled to events per second.
- event-ruler (PyPI, ``event_ruler.test_event_pattern(payload, pattern)``, one call per event
  and rule, as it offers no rule set) on the same sample, over only the rules it accepts: it
  raises RuntimeError for the others, which are counted as unsupported. Its ratio is against
  eventbridge-mock timed on the same supported rules.

Every engine's match decisions are compared with eventbridge-mock's over the events it ran on;
the rules where they differ are listed with their pattern and a sample event.

Prints Markdown. Needs moto and event-ruler (``pip install moto event-ruler``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from importlib import metadata

from eventbridge_mock.patterns import RuleSet

DEFAULT_GEN = os.environ.get("MATCHBENCH_GEN", "/work/shared/bench/matchbench_gen.py")
RULE_COUNTS = (10, 100, 1000)
REPEATS = 5
CHUNK = 500  # events per timed chunk, as in benches/pattern_throughput.rs
MAX_LISTED = 3  # disagreeing rules shown in full per engine and operator kind


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


# ---------------------------------------------------------------- workload


def ensure_workload(directory: str, gen: str, n_events: int, n_rules: int) -> None:
    events = os.path.join(directory, "events.jsonl")
    rules = os.path.join(directory, "rules.json")
    if os.path.exists(events) and os.path.exists(rules):
        return
    log(f"generating {n_events} events and {n_rules} rules into {directory} ...")
    subprocess.run([sys.executable, gen, directory, str(n_events), str(n_rules)], check=True)


# ---------------------------------------------------------------- engines


def best_of(fn, repeats: int = REPEATS) -> tuple[float, object]:
    """Warm up once, then the fastest of `repeats` runs: (seconds, the warm-up's result)."""
    result = fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def chunked_best(ruleset: RuleSet, lines: list[str], repeats: int = REPEATS) -> tuple[float, object]:
    """The warm-up's report over all of `lines`, and the sum over chunks of `CHUNK` events of
    each chunk's fastest `match_many` over `repeats` runs (a slow spell of a shared machine
    then spoils only the chunks it overlaps, in one run)."""
    result = ruleset.match_many(lines)
    chunks = [lines[i:i + CHUNK] for i in range(0, len(lines), CHUNK)]
    best = [float("inf")] * len(chunks)
    for _ in range(repeats):
        for k, chunk in enumerate(chunks):
            start = time.perf_counter()
            ruleset.match_many(chunk)
            best[k] = min(best[k], time.perf_counter() - start)
    return sum(best), result


def run_moto(patterns: dict[str, str], lines: list[str]) -> tuple[float, list[set[str]]]:
    from moto.events.models import EventPattern

    compiled = [(name, EventPattern.load(text)) for name, text in patterns.items()]
    matched: list[set[str]] = []
    start = time.perf_counter()
    for line in lines:
        event = json.loads(line)
        matched.append({name for name, pattern in compiled if pattern.matches_event(event)})
    return time.perf_counter() - start, matched


def event_ruler_support(patterns: dict[str, str], probe: str) -> dict[str, str]:
    """The patterns event-ruler accepts (it raises RuntimeError for the others)."""
    import event_ruler

    supported = {}
    for name, text in patterns.items():
        try:
            event_ruler.test_event_pattern(probe, text)
        except RuntimeError:
            continue
        supported[name] = text
    return supported


def run_event_ruler(patterns: dict[str, str], lines: list[str]) -> tuple[float, list[set[str]], set[str]]:
    """Seconds, per-event matches, and names that raised mid-run (left out of the comparison)."""
    import event_ruler

    test = event_ruler.test_event_pattern
    items = list(patterns.items())
    failed: set[str] = set()
    matched: list[set[str]] = []
    start = time.perf_counter()
    for line in lines:
        hits = set()
        for name, text in items:
            try:
                if test(line, text):
                    hits.add(name)
            except RuntimeError:
                failed.add(name)
        matched.append(hits)
    return time.perf_counter() - start, matched, failed


# ---------------------------------------------------------------- comparison


def pattern_paths(pattern, prefix=()):
    """Dotted field paths a pattern tests ($or branches included)."""
    if isinstance(pattern, dict):
        for key, value in pattern.items():
            if key == "$or":
                for branch in value:
                    yield from pattern_paths(branch, prefix)
            elif isinstance(value, dict):
                yield from pattern_paths(value, prefix + (key,))
            else:
                yield prefix + (key,)


def field_values(event, path):
    nodes = [event]
    for key in path:
        found = []
        for node in nodes:
            for item in node if isinstance(node, list) else [node]:
                if isinstance(item, dict) and key in item:
                    found.append(item[key])
        nodes = found
    if not nodes:
        return "(absent)"
    return nodes[0] if len(nodes) == 1 else nodes


def operators(pattern) -> str:
    """A short signature of the operators a pattern uses, for grouping disagreements."""
    ops = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$or":
                    ops.add("$or")
                    for branch in value:
                        walk(branch)
                elif isinstance(value, dict):
                    walk(value)
                elif isinstance(value, list):
                    for f in value:
                        ops.add(next(iter(f)) if isinstance(f, dict) else "exact")

    walk(pattern)
    return "+".join(sorted(ops))


def compare(engine, rules, names, ours, theirs, lines):
    """Rules (among `names`) where `theirs` differs from `ours` on the events both ran."""
    found = []
    for name in names:
        ours_hits = [name in m for m in ours]
        their_hits = [name in m for m in theirs]
        differing = [i for i, (a, b) in enumerate(zip(ours_hits, their_hits)) if a != b]
        if not differing:
            continue
        i = differing[0]
        event = json.loads(lines[i])
        fields = {".".join(p): field_values(event, p) for p in dict.fromkeys(pattern_paths(rules[name]))}
        found.append(
            {
                "engine": engine,
                "rule": name,
                "pattern": rules[name],
                "ours": sum(ours_hits),
                "theirs": sum(their_hits),
                "pairs": len(differing),
                "event_index": i,
                "event_id": event.get("id"),
                "ours_says": ours_hits[i],
                "fields": fields,
            }
        )
    return found


# ---------------------------------------------------------------- report


def fmt_rate(events_per_s: float) -> str:
    return f"{events_per_s:,.0f}"


def fmt_us(us: float) -> str:
    return f"{us:,.1f}" if us < 1000 else f"{us:,.0f}"


def fmt_ratio(r: float) -> str:
    return f"{r:.2f}×" if r < 10 else f"{r:,.0f}×"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer events and a smaller sample")
    parser.add_argument("--workload", metavar="DIR", help="use (or generate into) DIR instead of a temp dir")
    parser.add_argument("--gen", default=DEFAULT_GEN, help=f"the workload generator (default {DEFAULT_GEN})")
    args = parser.parse_args()

    n_events = 2_000 if args.quick else 20_000
    sample = 100 if args.quick else 500

    tmp = None
    directory = args.workload
    if directory is None:
        tmp = directory = tempfile.mkdtemp(prefix="matchbench-")
    try:
        ensure_workload(directory, args.gen, n_events, max(RULE_COUNTS))
        report(directory, sample, args.quick)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def report(directory: str, sample: int, quick: bool) -> None:
    events_path = os.path.join(directory, "events.jsonl")
    with open(os.path.join(directory, "rules.json")) as f:
        all_rules = json.load(f)
    with open(events_path) as f:
        lines = [line for line in f.read().splitlines() if line.strip()]
    n_events = len(lines)
    sample = min(sample, n_events)
    sample_lines = lines[:sample]
    counts = [n for n in RULE_COUNTS if n <= len(all_rules)]

    rows = []  # (rules, engine, input, events timed, seconds, ratio)
    notes = []
    disagreements = []
    summary = []  # (rules, engine, rules compared, rules disagreeing, pairs)

    for n in counts:
        rules = dict(list(all_rules.items())[:n])
        texts = {name: json.dumps(p) for name, p in rules.items()}
        log(f"[{n} rules] eventbridge-mock ...")
        ruleset = RuleSet(rules)
        t_path, by_path = best_of(lambda: ruleset.match_many(events_path))
        t_list, by_list = chunked_best(ruleset, lines)
        if by_path.matches != by_list.matches or len(by_path) != n_events:
            raise SystemExit(f"eventbridge-mock: path and list inputs disagree at {n} rules")
        ours = [set(m) for m in by_list.matches[:sample]]
        base_us = t_list / n_events * 1e6
        rows.append((n, "eventbridge-mock `RuleSet.match_many`", "JSON-lines path", n_events, t_path, t_path / t_list))
        rows.append((n, "eventbridge-mock `RuleSet.match_many`", "list of JSON strings", n_events, t_list, 1.0))

        log(f"[{n} rules] moto on {sample} events ...")
        t_moto, moto_hits = run_moto(texts, sample_lines)
        rows.append((n, "moto `EventPattern.matches_event`", f"JSON strings, first {sample:,}", sample, t_moto,
                     t_moto / sample * 1e6 / base_us))
        found = compare("moto", rules, list(rules), ours, moto_hits, sample_lines)
        disagreements += [dict(d, rules=n) for d in found]
        summary.append((n, "moto", n, len(found), sum(d["pairs"] for d in found)))

        log(f"[{n} rules] event-ruler on {sample} events ...")
        supported = event_ruler_support(texts, sample_lines[0])
        unsupported = n - len(supported)
        if supported:
            t_er, er_hits, failed = run_event_ruler(supported, sample_lines)
            names = [name for name in supported if name not in failed]
            unsupported += len(failed)
            sub = RuleSet({name: rules[name] for name in supported})
            t_sub, sub_report = chunked_best(sub, lines)
            sub_us = t_sub / n_events * 1e6
            if [set(m) for m in sub_report.matches[:sample]] != [m & set(supported) for m in ours]:
                raise SystemExit(f"eventbridge-mock: rule subset disagrees with the full set at {n} rules")
            rows.append((n, f"eventbridge-mock, same {len(supported):,} rules as event-ruler", "list of JSON strings",
                         n_events, t_sub, 1.0))
            rows.append((n, f"event-ruler `test_event_pattern` ({len(supported):,} of {n:,} rules)",
                         f"JSON strings, first {sample:,}", sample, t_er, t_er / sample * 1e6 / sub_us))
            found = compare("event-ruler", rules, names, ours, er_hits, sample_lines)
            disagreements += [dict(d, rules=n) for d in found]
            summary.append((n, "event-ruler", len(names), len(found), sum(d["pairs"] for d in found)))
        else:
            summary.append((n, "event-ruler", 0, 0, 0))
        notes.append(f"{n:,} rules: event-ruler rejects {unsupported:,} of {n:,} patterns as unsupported "
                     f"(RuntimeError); its figure and comparison cover the other {n - unsupported:,}.")

    # ---- output
    print(f"## Pattern-matching throughput{' (quick run)' if quick else ''}\n")
    print(f"Workload: `matchbench_gen.py`, {n_events:,} events (~{os.path.getsize(events_path) / n_events:,.0f} "
          f"bytes each), the first 10 / 100 / 1,000 of its rules. Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs; eventbridge-mock {version('eventbridge-mock')}, moto {version('moto')}, "
          f"event-ruler {version('event-ruler')}.\n")
    print("| Rules | Engine | Input | Events timed | Events/s | µs per event | Time vs eventbridge-mock |")
    print("|---:|---|---|---:|---:|---:|---:|")
    for n, engine, source, timed, secs, ratio in rows:
        print(f"| {n:,} | {engine} | {source} | {timed:,} | {fmt_rate(timed / secs)} | "
              f"{fmt_us(secs / timed * 1e6)} | {fmt_ratio(ratio)} |")
    print()
    print(f"- eventbridge-mock: every event, after a warm-up; the path as the best of {REPEATS} whole runs, "
          f"the list in chunks of {CHUNK} events, each chunk's best over {REPEATS} runs, summed; rule-set "
          "compilation not timed. \"Time vs eventbridge-mock\" divides an engine's per-event time by eventbridge-mock's "
          "on the list of JSON strings with the same rules.")
    print(f"- moto and event-ruler are slow, so they run once on the first {sample:,} events only and are "
          "scaled to events per second; both start from the JSON text, as eventbridge-mock does.")
    print("- event-ruler has no rule set: one `test_event_pattern(payload, pattern)` call per event and rule.")
    for note in notes:
        print(f"- {note}")
    print()

    print("### Agreement with eventbridge-mock\n")
    print("Match decisions compared event by event, over the events each engine ran on.\n")
    print("| Rules | Engine | Rules compared | Rules that disagree | Event × rule decisions that differ |")
    print("|---:|---|---:|---:|---:|")
    for n, engine, compared, bad, pairs in summary:
        print(f"| {n:,} | {engine} | {compared:,} | {bad:,} | {pairs:,} |")
    print()
    if disagreements:
        print("Disagreeing rules by the operators they use (all rule counts; a rule counts once, "
              "as the rule sets nest):\n")
        by_op = Counter()
        seen = set()
        for d in disagreements:
            if (d["engine"], d["rule"]) not in seen:
                seen.add((d["engine"], d["rule"]))
                by_op[(d["engine"], operators(d["pattern"]))] += 1
        for (engine, ops), k in sorted(by_op.items()):
            print(f"- {engine}: `{ops}`: {k} rule{'s' if k != 1 else ''}")
        print()
        print("| Engine | Rule | Pattern | Matches (eventbridge-mock / engine) | Sample event | eventbridge-mock says |")
        print("|---|---|---|---|---|---|")
        shown = Counter()  # per (engine, operators): at most MAX_LISTED rules of each kind
        listed = set()
        for d in disagreements:
            key = (d["engine"], d["rule"])
            kind = (d["engine"], operators(d["pattern"]))
            if key in listed or shown[kind] >= MAX_LISTED:
                continue
            listed.add(key)
            shown[kind] += 1
            fields = json.dumps(d["fields"], separators=(", ", ": "))
            print(f"| {d['engine']} | {d['rule']} | `{json.dumps(d['pattern'], separators=(',', ':'))}` | "
                  f"{d['ours']} / {d['theirs']} of {sample:,} | #{d['event_index']} `{d['event_id']}`: "
                  f"`{fields}` | {'match' if d['ours_says'] else 'no match'} |")
        if len(listed) < len(seen):
            print(f"\n({len(seen) - len(listed)} more disagreeing rules, of the kinds above, not listed.)")
        print()


if __name__ == "__main__":
    main()
