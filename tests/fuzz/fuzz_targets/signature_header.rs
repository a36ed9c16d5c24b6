//! `cargo fuzz run signature_header`: see `slotline::fuzzing::signature_header` for the input and what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| slotline::fuzzing::signature_header(data));
