//! Slotline's integration tests, in one binary so the Tauri-sized crate is linked once.

mod apply;
mod cli;
mod common;
mod export;
mod keyring;
mod oauth;
mod serve;
mod sync;
mod webhook;
