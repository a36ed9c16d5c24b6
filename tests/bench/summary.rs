//! One row of BENCHMARKS.md's summary table. `make bench` (.ci/bench.sh) names a file in
//! `SLOTLINE_BENCH_SUMMARY`; each benchmark appends a JSON line per target it measures, with a
//! verdict computed from its own figures, and bench.sh writes the table from those lines in
//! `order`. Shared by the Rust benchmarks with `#[path = "summary.rs"] mod summary;`.

use std::io::Write;

pub fn row(order: u32, target: &str, measured: &str, baseline: &str, met: bool) {
    let Some(path) = std::env::var_os("SLOTLINE_BENCH_SUMMARY") else {
        return;
    };
    let line = serde_json::json!({"order": order, "target": target, "measured": measured,
        "baseline": baseline, "verdict": if met { "met" } else { "missed" }});
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("the summary file");
    writeln!(f, "{line}").expect("a summary row");
}
