//! Slotline's integration tests, in one binary so the Tauri-sized crate is linked once.

mod apply;
mod calendar;
mod calendly_errors;
mod cli;
mod clients;
mod common;
mod export;
mod faults;
mod fuzz_corpus;
mod hostile;
mod house;
mod keyring;
mod live;
mod oauth;
mod owner;
mod power;
mod props;
mod secrets;
mod serve;
mod shell;
mod sync;
mod tunnel;
mod webhook;
