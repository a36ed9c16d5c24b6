//! Benchmark placeholder: replaced by the ingest benchmark.

fn main() {
    println!("(no ingest benchmark yet)");
}
