//! `cargo fuzz run envelope`: see `slotline::fuzzing::envelope` for the input and what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| slotline::fuzzing::envelope(data));
