#!/usr/bin/env python3
"""Writes BENCHMARKS.md from the benchmarks' output (see .ci/bench.sh):

    summary.py OUT_DIR MACHINE > BENCHMARKS.md

OUT_DIR holds, for each benchmark KEY, KEY.md (its section), KEY.when (when it ran) and KEY.jsonl
(the rows it appended, one JSON object a line with `order`, `target`, `measured`, `baseline` and
`verdict`: `met` or `missed`, computed by the benchmark from its own figures). The table lists the
rows in `order`; a target that no benchmark reported (one that failed or did not run) is listed as
`missed`, never left out. Fails on a verdict that is neither.
"""

import json
import os
import sys

# The sections in the order BENCHMARKS.md shows them.
KEYS = ["ingest", "store", "sync", "calendar-webkit", "render", "startup"]

# Every target of the issues (16, 17, 6), so a missing measurement shows as a missed row.
EXPECTED = {
    10: "start-up ≤ 1.15× the hello world, compositing on (as with a GPU)",
    11: "memory (PSS) ≤ 1.15× the hello world, compositing on (as with a GPU)",
    12: "start-up ≤ 1.15× the hello world, compositing off (as without a GPU)",
    13: "memory (PSS) ≤ 1.15× the hello world, compositing off (as without a GPU)",
    20: "ingest ≥ 5,000 durable acknowledged deliveries/s at concurrency 32, shipped configuration",
    21: "ingest p99 < 10 ms at concurrency 32, shipped configuration",
    22: "ingest ≥ 3× the one-commit-per-delivery baseline at concurrency 32",
    30: "first sync ≤ 1.03× the bound of the sandbox's fixed-window limiter plus latency, 0 × 429",
    40: "a month of 600 meetings in the app's WebKitGTK window < 150 ms",
    41: "a month of 5,000 meetings in the app's WebKitGTK window < 1 s",
    50: "a month's calendar query over 100,000 meetings < 5 ms",
    51: "the clients report over the whole store of 100,000 meetings < 50 ms",
    90: "release binary ≤ 16.6 MiB",
}


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def main():
    out, machine = sys.argv[1:3]
    rows, sections, when = {}, [], {}
    for key in KEYS:
        path = os.path.join(out, key)
        if os.path.exists(path + ".when"):
            with open(path + ".when") as f:
                when[key] = f.read().strip()
        if os.path.exists(path + ".md"):
            with open(path + ".md") as f:
                sections.append((key, f.read().strip()))
        if os.path.exists(path + ".jsonl"):
            with open(path + ".jsonl") as f:
                for line in f:
                    if line.strip():
                        row = json.loads(line)
                        if row["verdict"] not in ("met", "missed"):
                            raise SystemExit(f"summary: a verdict must be met or missed: {row}")
                        rows[row["order"]] = row
    for order, target in EXPECTED.items():
        rows.setdefault(order, {"order": order, "target": target,
                                "measured": "not measured: its benchmark did not report (see its section)",
                                "baseline": "—", "verdict": "missed"})
    met = sum(r["verdict"] == "met" for r in rows.values())
    days = sorted({w[:10] for w in when.values()})
    print("# Benchmarks")
    print()
    print("## Summary")
    print()
    print(f"Written by `make bench` ({', '.join(days) or 'no run'}): one row per target, each figure a median beside a "
          f"baseline measured in the same run of its benchmark, on equal terms (the same build profile and rendering "
          f"mode, the shipped configuration). {met} of {len(rows)} targets met. The sections below are the "
          f"benchmarks' full output; each says when it ran.")
    print()
    print("| target | measured | baseline (same run) | verdict |")
    print("| --- | --- | --- | --- |")
    for order in sorted(rows):
        r = rows[order]
        print(f"| {cell(r['target'])} | {cell(r['measured'])} | {cell(r['baseline'])} | {r['verdict']} |")
    print()
    print(f"Machine: {machine}.")
    for key, text in sections:
        lines = text.split("\n")
        print()
        print(lines[0])
        if key in when:
            print()
            print(f"_Run {when[key]}._")
        print("\n".join(lines[1:]))


if __name__ == "__main__":
    main()
