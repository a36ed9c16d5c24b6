//! `cargo fuzz run plan`: see `slotline::fuzzing::plan` for the input and what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| slotline::fuzzing::plan(data));
