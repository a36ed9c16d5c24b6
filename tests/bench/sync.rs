//! Benchmark placeholder: replaced by the sync benchmark.

fn main() {
    println!("(no sync benchmark yet)");
}
