//! Slotline's integration tests, in one binary so the Tauri-sized crate is linked once.

mod apply;
mod calendar;
mod calendly_errors;
mod cli;
mod common;
mod durability;
mod export;
mod faults;
mod flood;
mod fuzz_corpus;
mod hostile;
mod house;
mod inbox;
mod keyring;
mod live;
mod oauth;
mod owner;
mod power;
mod private;
mod props;
mod secrets;
mod serve;
mod shell;
mod sync;
mod tunnel;
mod webhook;
