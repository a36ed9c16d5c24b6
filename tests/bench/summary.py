#!/usr/bin/env python3
"""Writes BENCHMARKS.md from one `make bench` run (see .ci/bench.sh):

    summary.py SUMMARY_JSONL SECTIONS_MD DATE MACHINE > BENCHMARKS.md

SUMMARY_JSONL holds the rows the benchmarks appended, one JSON object a line with `order`,
`target`, `measured`, `baseline` and `verdict` (`met` or `missed`, computed by the benchmark from
its own figures). The table lists them in `order`; a target that no benchmark reported (one that
failed or did not run) is listed as `missed`, never left out. Fails on a verdict that is neither.
"""

import json
import sys

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
    summary_path, sections_path, date, machine = sys.argv[1:5]
    rows = {}
    with open(summary_path) as f:
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
    with open(sections_path) as f:
        sections = f.read()
    met = sum(r["verdict"] == "met" for r in rows.values())
    print("# Benchmarks")
    print()
    print("## Summary")
    print()
    print(f"Written by `make bench` on {date}: one row per target, each figure a median beside a baseline "
          f"measured in the same run, on equal terms (the same build profile and rendering mode, the shipped "
          f"configuration). {met} of {len(rows)} targets met. The sections below are this run's full output.")
    print()
    print("| target | measured | baseline (same run) | verdict |")
    print("| --- | --- | --- | --- |")
    for order in sorted(rows):
        r = rows[order]
        print(f"| {cell(r['target'])} | {cell(r['measured'])} | {cell(r['baseline'])} | {r['verdict']} |")
    print()
    print(f"Machine: {machine}.")
    print()
    print(sections.rstrip())


if __name__ == "__main__":
    main()
