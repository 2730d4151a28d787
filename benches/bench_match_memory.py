"""``RuleSet.match_many`` on a 200 MB JSON-lines file with 10,000 permissive rules: peak memory.

    python benches/bench_match_memory.py [--mb 200] [--rules 10000] [--gen PATH]

The events come from the matchbench generator (``matchbench_gen.py OUT N_EVENTS``: ~840-byte
EventBridge envelopes), written to a temporary directory (removed afterwards) until the file
holds at least ``--mb`` mebibytes. The rules match nearly every event: half are
``{"source": [{"prefix": "com.shop"}]}`` and half ``{"detail": {"state": [{"exists": true}]}}``,
so each event matches about 10,000 rules.

Each measurement runs in a fresh interpreter, which reports its peak resident memory
(``ru_maxrss``) after compiling the rules and after matching:

- ``counts_only=True`` over the whole file: the per-rule counts and nothing per event;
- for comparison in the same run, the default mode (one list of matching names per event)
  over the file's first 1,000 events only, and the growth it costs per event.

Prints Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap

DEFAULT_GEN = os.environ.get("MATCHBENCH_GEN", "/work/shared/bench/matchbench_gen.py")

MEASURE = textwrap.dedent('''
    import json, resource, sys, time
    from eventbridge_mock import RuleSet

    def peak():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    path, n_rules, mode, limit = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    rules = RuleSet({
        f"r{k:05d}": {"source": [{"prefix": "com.shop"}]} if k % 2 else {"detail": {"state": [{"exists": True}]}}
        for k in range(n_rules)
    })
    rules.match('{"source": "warm-up"}')
    compiled = peak()
    start = time.perf_counter()
    if mode == "counts_only":
        report = rules.match_many(path, counts_only=True)
    else:
        with open(path, encoding="utf-8") as f:
            events = [next(f) for _ in range(limit)]
        compiled = peak()
        report = rules.match_many(events)
    seconds = time.perf_counter() - start
    print(json.dumps({"events": len(report), "matches": sum(report.counts.values()),
                      "compiled": compiled, "peak": peak(), "seconds": seconds}))
''')


def measure(path: str, n_rules: int, mode: str, limit: int = 0) -> dict:
    done = subprocess.run([sys.executable, "-c", MEASURE, path, str(n_rules), mode, str(limit)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def write_events(gen: str, out_dir: str, mib: int) -> str:
    """Generates events until the file holds at least `mib` mebibytes."""
    path = os.path.join(out_dir, "events.jsonl")
    sample = os.path.join(out_dir, "sample")
    subprocess.run([sys.executable, gen, sample, "1000", "1"], check=True, capture_output=True)
    per_event = os.path.getsize(os.path.join(sample, "events.jsonl")) / 1000
    n = int(mib * 2**20 / per_event * 1.01) + 1
    subprocess.run([sys.executable, gen, out_dir, str(n), "1"], check=True, capture_output=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--rules", type=int, default=10_000)
    parser.add_argument("--gen", default=DEFAULT_GEN)
    args = parser.parse_args()
    mib = 2**20
    with tempfile.TemporaryDirectory() as tmp:
        path = write_events(args.gen, tmp, args.mb)
        size = os.path.getsize(path)
        counts = measure(path, args.rules, "counts_only")
        lists = measure(path, args.rules, "lists", 1_000)
    print(f"`match_many` over {size / mib:,.0f} MiB ({counts['events']:,} events), {args.rules:,} rules "
          f"matching {counts['matches'] / counts['events']:,.0f} per event on average:\n")
    print("| mode | events | peak memory after compiling | peak memory after matching | growth | time |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in (("`counts_only=True`, whole file", counts), ("default (lists), first 1,000 events", lists)):
        print(f"| {name} | {r['events']:,} | {r['compiled'] / mib:,.0f} MiB | {r['peak'] / mib:,.0f} MiB | "
              f"{(r['peak'] - r['compiled']) / mib:,.1f} MiB | {r['seconds']:,.1f} s |")
    per_event = (lists["peak"] - lists["compiled"]) / lists["events"]
    print(f"\nThe default mode keeps {per_event / 1024:,.0f} KiB per event here, "
          f"{per_event * counts['events'] / 2**30:,.1f} GiB for the whole file.")


if __name__ == "__main__":
    main()
